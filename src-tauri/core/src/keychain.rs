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
    } else if cfg!(windows) {
        "Windows Credential Manager could not be opened: sign in to Windows as yourself (not \
         as a service account), or run headless with --secrets-from-env"
    } else {
        "The macOS Keychain could not be opened: unlock your login keychain, or run headless \
         with --secrets-from-env"
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
            reason: format!("the {attr} is longer than the system keychain allows ({max} at most)"),
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

/// Windows Credential Manager keeps at most 2,560 bytes per secret, stored as UTF-16
/// (so 1,280 characters of the Basic Multilingual Plane). Checked before the call, so
/// the refusal is the same words whichever store would have said it.
pub const WINDOWS_MAX_SECRET_BYTES: usize = 2_560;

/// The secret's size as the platform's store counts it, when that store has a limit.
fn over_platform_limit(value: &str) -> Option<String> {
    if cfg!(windows) && value.encode_utf16().count() * 2 > WINDOWS_MAX_SECRET_BYTES {
        Some(format!(
            "it is longer than Windows Credential Manager allows ({} characters at most)",
            WINDOWS_MAX_SECRET_BYTES / 2
        ))
    } else {
        None
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
        if let Some(reason) = over_platform_limit(value.expose()) {
            return Err(SecretError::Refused {
                name: name.as_str(),
                reason,
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
