//! Secrets: a redacting wrapper and the names Herald stores. Secrets live only in the OS
//! keychain (or, for headless runs with `--secrets-from-env`, in `HERALD_*` variables);
//! never in SQLite, logs, errors or the front end.

use std::fmt;

/// A secret value. Prints as `<redacted>`, has no `Serialize`, and is only readable
/// through the deliberately loud [`Sensitive::expose`].
#[derive(Clone, PartialEq, Eq)]
pub struct Sensitive(String);

impl Sensitive {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The secret itself, for the one place that must send it (an HTTP auth header).
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Sensitive {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl fmt::Display for Sensitive {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// The secrets Herald knows, by their keychain name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SecretName {
    ImisPassword,
    TwilioAuthToken,
    TwilioApiKeySecret,
    SmtpPassword,
}

impl SecretName {
    pub const ALL: [SecretName; 4] = [
        Self::ImisPassword,
        Self::TwilioAuthToken,
        Self::TwilioApiKeySecret,
        Self::SmtpPassword,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::ImisPassword => "imis.password",
            Self::TwilioAuthToken => "twilio.auth_token",
            Self::TwilioApiKeySecret => "twilio.api_key_secret",
            Self::SmtpPassword => "smtp.password",
        }
    }

    pub fn env_var(self) -> &'static str {
        match self {
            Self::ImisPassword => "HERALD_IMIS_PASSWORD",
            Self::TwilioAuthToken => "HERALD_TWILIO_AUTH_TOKEN",
            Self::TwilioApiKeySecret => "HERALD_TWILIO_API_KEY_SECRET",
            Self::SmtpPassword => "HERALD_SMTP_PASSWORD",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|n| n.as_str() == s)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SecretError {
    #[error("{0}")]
    Unavailable(String),
    #[error("the secret store refused to save {name}: {reason}")]
    Refused { name: &'static str, reason: String },
}

/// Where secrets come from. The engine depends on this trait only.
pub trait SecretStore: Send + Sync {
    fn get(&self, name: SecretName) -> Result<Option<Sensitive>, SecretError>;
    fn set(&self, name: SecretName, value: &Sensitive) -> Result<(), SecretError>;
    fn delete(&self, name: SecretName) -> Result<(), SecretError>;
}

/// Reads secrets from `HERALD_*` environment variables (headless servers, CI). Read-only.
#[derive(Debug, Default, Clone, Copy)]
pub struct EnvSecrets;

impl SecretStore for EnvSecrets {
    fn get(&self, name: SecretName) -> Result<Option<Sensitive>, SecretError> {
        Ok(std::env::var(name.env_var())
            .ok()
            .filter(|v| !v.is_empty())
            .map(Sensitive::new))
    }

    fn set(&self, name: SecretName, _value: &Sensitive) -> Result<(), SecretError> {
        Err(SecretError::Refused {
            name: name.as_str(),
            reason: format!(
                "secrets come from the environment with --secrets-from-env; set {} instead",
                name.env_var()
            ),
        })
    }

    fn delete(&self, name: SecretName) -> Result<(), SecretError> {
        self.set(name, &Sensitive::new(""))
    }
}

/// Secrets held in memory only: the keychain's stand-in in tests and benchmarks.
#[derive(Debug, Default)]
pub struct MemorySecrets(std::sync::Mutex<std::collections::HashMap<SecretName, Sensitive>>);

impl SecretStore for MemorySecrets {
    fn get(&self, name: SecretName) -> Result<Option<Sensitive>, SecretError> {
        Ok(self.0.lock().expect("secrets lock").get(&name).cloned())
    }

    fn set(&self, name: SecretName, value: &Sensitive) -> Result<(), SecretError> {
        self.0
            .lock()
            .expect("secrets lock")
            .insert(name, value.clone());
        Ok(())
    }

    fn delete(&self, name: SecretName) -> Result<(), SecretError> {
        self.0.lock().expect("secrets lock").remove(&name);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sensitive_never_prints() {
        let s = Sensitive::new("hunter2-distinctive");
        assert_eq!(format!("{s}"), "<redacted>");
        assert_eq!(format!("{s:?}"), "<redacted>");
        assert_eq!(format!("{:?}", Some(&s)), "Some(<redacted>)");
        assert_eq!(s.expose(), "hunter2-distinctive");
    }

    #[test]
    fn names_and_env_vars() {
        for n in SecretName::ALL {
            assert_eq!(SecretName::parse(n.as_str()), Some(n));
            assert!(n.env_var().starts_with("HERALD_"));
        }
    }

    #[test]
    fn env_store_is_read_only_and_says_which_variable() {
        let err = EnvSecrets
            .set(
                SecretName::SmtpPassword,
                &Sensitive::new("s3cr3t-never-shown"),
            )
            .unwrap_err();
        let text = err.to_string();
        assert!(text.contains("HERALD_SMTP_PASSWORD"), "{text}");
        assert!(
            !text.contains("s3cr3t-never-shown"),
            "the refused value must not appear: {text}"
        );
        assert!(!format!("{err:?}").contains("s3cr3t-never-shown"));
        assert!(
            EnvSecrets.delete(SecretName::SmtpPassword).is_err(),
            "the environment cannot be edited either"
        );
    }
}
