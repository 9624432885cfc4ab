//! The OS keychain (Secret Service on Linux, Keychain on macOS, Credential Manager on
//! Windows) behind [`SecretStore`]. Every failure becomes a sentence a person can act on;
//! nothing ever falls back to storing a secret in plain text.

use crate::secrets::{SecretError, SecretName, SecretStore, Sensitive};
use keyring::Entry;
use std::path::Path;

/// Secrets of one Herald data folder in the OS keychain.
#[derive(Debug, Clone)]
pub struct Keychain {
    service: String,
}

impl Keychain {
    /// The keychain entries of the data folder `data_dir`. The default folder uses the
    /// service name "Herald"; any other folder (a test, a second workspace) gets its own
    /// entries, so two workspaces never share credentials by accident.
    pub fn for_data_dir(data_dir: &Path) -> Self {
        let default = crate::paths::default_data_dir();
        let service = if default.as_deref() == Some(data_dir) {
            "Herald".to_string()
        } else {
            format!("Herald ({})", data_dir.display())
        };
        Self { service }
    }

    pub fn service(&self) -> &str {
        &self.service
    }

    fn entry(&self, name: SecretName) -> Result<Entry, SecretError> {
        Entry::new(&self.service, name.as_str()).map_err(|e| explain(e, name))
    }
}

/// Turns a keychain error into words. The keychain's own errors never contain the secret.
fn explain(err: keyring::Error, name: SecretName) -> SecretError {
    use keyring::Error as E;
    let unavailable = if cfg!(target_os = "linux") {
        "No Secret Service is running: start GNOME Keyring or KeePassXC (with its Secret Service \
         integration), or run headless with --secrets-from-env"
    } else {
        "The system keychain could not be opened"
    };
    match err {
        E::NoDefaultStore => SecretError::Unavailable(unavailable.to_string()),
        E::NoStorageAccess(e) => SecretError::Unavailable(format!(
            "The keychain refused access to {}: unlock it (or allow Herald) and try again ({e})",
            name.as_str()
        )),
        E::PlatformFailure(e) => {
            let text = e.to_string();
            let lower = text.to_lowercase();
            if lower.contains("dismiss") || lower.contains("locked") {
                SecretError::Unavailable(format!(
                    "The keychain is locked and no unlock prompt could be shown: unlock your login keyring and try again ({text})"
                ))
            } else if lower.contains("org.freedesktop.secrets")
                || lower.contains("serviceunknown")
                || lower.contains("dbus")
            {
                SecretError::Unavailable(unavailable.to_string())
            } else {
                SecretError::Unavailable(format!(
                    "The keychain failed while reading {}: {text}",
                    name.as_str()
                ))
            }
        }
        E::TooLong(attr, max) => SecretError::Refused {
            name: name.as_str(),
            reason: format!("the {attr} is longer than the keychain allows ({max})"),
        },
        E::BadEncoding(_) | E::BadDataFormat(..) => SecretError::Unavailable(format!(
            "The keychain entry for {} is not text; delete it and store it again",
            name.as_str()
        )),
        other => SecretError::Unavailable(format!(
            "The keychain failed for {}: {other}",
            name.as_str()
        )),
    }
}

impl SecretStore for Keychain {
    fn get(&self, name: SecretName) -> Result<Option<Sensitive>, SecretError> {
        match self.entry(name)?.get_password() {
            Ok(v) => Ok(Some(Sensitive::new(v))),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(explain(e, name)),
        }
    }

    fn set(&self, name: SecretName, value: &Sensitive) -> Result<(), SecretError> {
        if value.expose().is_empty() {
            return Err(SecretError::Refused {
                name: name.as_str(),
                reason: "the value is empty".into(),
            });
        }
        self.entry(name)?
            .set_password(value.expose())
            .map_err(|e| explain(e, name))
    }

    fn delete(&self, name: SecretName) -> Result<(), SecretError> {
        match self.entry(name)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(explain(e, name)),
        }
    }
}
