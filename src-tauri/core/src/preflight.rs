//! Pre-flight: what must hold before a campaign may be scheduled, checked the same way
//! (and in the same words) by the window's Summary and `herald-cli campaign schedule`.
//! Each failed check names where the fix is.

use crate::campaign::{Campaign, Mode, WriteBackTarget};
use crate::drafts::TEXTMSG_MISSING;
use crate::engine::gateway::Gateway;
use crate::imis::{Directory, TEXTMSG};
use crate::report::SmtpConfig;
use crate::secrets::SecretStore;
use crate::settings::Settings;
use serde::Serialize;
use specta::Type;
use std::time::Duration;

/// How long a pre-flight connection check may take.
const CHECK_TIMEOUT: Duration = Duration::from_secs(15);

/// Where the fix for a failed check is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum FixPlace {
    /// Settings → Twilio.
    TwilioSettings,
    /// Settings → iMIS.
    ImisSettings,
    /// Settings → Email reports.
    SmtpSettings,
    /// The wizard's iMIS contact data step.
    WriteBackStep,
}

/// One check, passed or not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
pub struct PreflightCheck {
    /// What was checked, in a few words ("Twilio account", "Report email").
    pub what: String,
    pub ok: bool,
    /// What was found: the account's name, or the problem and its fix.
    pub detail: String,
    /// Where to fix it, when it failed.
    pub fix: Option<FixPlace>,
}

impl PreflightCheck {
    fn pass(what: &str, detail: impl Into<String>) -> Self {
        Self {
            what: what.into(),
            ok: true,
            detail: detail.into(),
            fix: None,
        }
    }

    fn fail(what: &str, detail: impl Into<String>, fix: FixPlace) -> Self {
        Self {
            what: what.into(),
            ok: false,
            detail: detail.into(),
            fix: Some(fix),
        }
    }
}

/// The checks of one campaign. An empty list: nothing needs checking (a TEST campaign,
/// which sends nothing real and cannot fail for want of a connection that matters).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Type)]
pub struct Preflight {
    pub checks: Vec<PreflightCheck>,
}

impl Preflight {
    pub fn passed(&self) -> bool {
        self.checks.iter().all(|c| c.ok)
    }

    /// The failed checks as one sentence each, for an error message.
    pub fn problems(&self) -> Vec<String> {
        self.checks
            .iter()
            .filter(|c| !c.ok)
            .map(|c| format!("{}: {}", c.what, c.detail))
            .collect()
    }
}

/// Runs the checks a LIVE campaign needs: Twilio's credentials and sender and a real
/// connection; iMIS when the audience is a query or texts are recorded there (with
/// TEXTMSG when they are Activities); the mail server when a report address is set.
/// `directory` is asked for only when iMIS is needed.
pub async fn check(
    c: &Campaign,
    settings: &Settings,
    secrets: &dyn SecretStore,
    directory: impl FnOnce() -> crate::Result<Directory>,
) -> Preflight {
    let mut checks = Vec::new();
    if c.mode != Mode::Live {
        return Preflight { checks };
    }
    checks.push(twilio(settings, secrets).await);
    let needs_imis = c.write_back != WriteBackTarget::None
        || c.audience.as_ref().is_some_and(|a| a.query.is_some());
    if needs_imis {
        checks.push(imis(c, directory()).await);
    }
    if c.report_email
        .as_deref()
        .is_some_and(|e| !e.trim().is_empty())
    {
        checks.push(match SmtpConfig::from_settings(settings, secrets) {
            Ok(_) => {
                PreflightCheck::pass("Report email", "A mail server is set up for the report.")
            }
            Err(e) => PreflightCheck::fail(
                "Report email",
                format!("the report cannot be emailed: {e}, or remove the report address"),
                FixPlace::SmtpSettings,
            ),
        });
    }
    Preflight { checks }
}

async fn twilio(settings: &Settings, secrets: &dyn SecretStore) -> PreflightCheck {
    const WHAT: &str = "Twilio account";
    if settings.is_demo() {
        return PreflightCheck::fail(
            WHAT,
            "the demo workspace only sends TEST texts: connect iMIS in Settings → iMIS",
            FixPlace::ImisSettings,
        );
    }
    let client = match Gateway::live(settings, secrets, Some(CHECK_TIMEOUT)) {
        Ok(Gateway::Twilio(client)) => client,
        Ok(Gateway::Simulated(_)) => unreachable!("Gateway::live is never simulated"),
        Err(reason) => return PreflightCheck::fail(WHAT, reason, FixPlace::TwilioSettings),
    };
    match client.check().await {
        Ok(account) => PreflightCheck::pass(WHAT, format!("Connected: {account}.")),
        Err(e) => PreflightCheck::fail(
            WHAT,
            format!("the connection test failed: {e}"),
            FixPlace::TwilioSettings,
        ),
    }
}

async fn imis(c: &Campaign, directory: crate::Result<Directory>) -> PreflightCheck {
    const WHAT: &str = "iMIS";
    let directory = match directory {
        Ok(d) if d.is_demo() => {
            return PreflightCheck::fail(
                WHAT,
                "the demo directory only runs TEST campaigns: connect iMIS in Settings → iMIS",
                FixPlace::ImisSettings,
            )
        }
        Ok(d) => d,
        Err(e) => return PreflightCheck::fail(WHAT, e.to_string(), FixPlace::ImisSettings),
    };
    if c.write_back == WriteBackTarget::Activity {
        return match directory.activity_type_exists(TEXTMSG).await {
            Ok(true) => PreflightCheck::pass(
                WHAT,
                "Connected; each text is recorded as a TEXTMSG Activity.",
            ),
            Ok(false) => PreflightCheck::fail(WHAT, TEXTMSG_MISSING, FixPlace::WriteBackStep),
            Err(e) => PreflightCheck::fail(
                WHAT,
                format!("iMIS could not be reached: {e}"),
                FixPlace::ImisSettings,
            ),
        };
    }
    match directory.list_folder("$").await {
        Ok(_) => PreflightCheck::pass(WHAT, "Connected."),
        Err(e) => PreflightCheck::fail(
            WHAT,
            format!("iMIS could not be reached: {e}"),
            FixPlace::ImisSettings,
        ),
    }
}
