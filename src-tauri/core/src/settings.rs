//! Non-secret settings: one vocabulary (the keys in SPEC.md) shared by the UI, the database
//! and `herald-cli settings`. Each key has a type, a default and a validator; values are
//! stored in their canonical text form and read back typed.

use serde::Serialize;
use serde_json::Value;
use specta::Type;
use std::collections::HashMap;
use std::sync::OnceLock;

use regex::Regex;

/// Every setting Herald knows. Secrets are not settings: see [`crate::secrets`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SettingKey {
    ImisBaseUrl,
    ImisUsername,
    ImisCeuTypeColumn,
    TwilioBaseUrl,
    TwilioAccountSid,
    TwilioApiKeySid,
    TwilioFrom,
    TwilioMessagingServiceSid,
    TwilioSenderType,
    TwilioRatePerSecond,
    TwilioDailySegmentCap,
    TwilioCapDayZone,
    PricePerSegment,
    PhoneDefaultRegion,
    CampaignSettleMinutes,
    CampaignCatchUp,
    CampaignConfirmTypedAbove,
    CampaignTestTextTo,
    NotifyPaused,
    NotifyCompleted,
    NotifyReportFailed,
    NotifyWritebackFailed,
    NotifyReplies,
    WindowEnabled,
    WindowStart,
    WindowEnd,
    WindowDays,
    WindowFallbackZone,
    SmtpHost,
    SmtpPort,
    SmtpSecurity,
    SmtpUsername,
    SmtpFrom,
}

/// The kind of value a setting holds, which decides its JSON type and its editor in the UI.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum SettingKind {
    Text,
    Url,
    Integer,
    Number,
    Choice,
}

/// How a Twilio sender is identified, which sets the default send rate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum SenderType {
    LongCode,
    TollFree,
    ShortCode,
    MessagingService,
}

impl SenderType {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "long_code" => Some(Self::LongCode),
            "toll_free" => Some(Self::TollFree),
            "short_code" => Some(Self::ShortCode),
            "messaging_service" => Some(Self::MessagingService),
            _ => None,
        }
    }

    /// Segments per second Twilio allows for this kind of sender (reference/twilio.md).
    /// A Messaging Service's rate is the sum of its senders', unknown here, so it starts
    /// at the most conservative figure and the user raises it.
    pub fn default_rate(self) -> f64 {
        match self {
            Self::LongCode => 1.0,
            Self::TollFree => 3.0,
            Self::ShortCode => 100.0,
            Self::MessagingService => 1.0,
        }
    }
}

/// A setting value that failed validation, or a key that does not exist.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SettingError {
    #[error("there is no setting called '{0}' (see `herald-cli settings list`)")]
    UnknownKey(String),
    #[error("{key} cannot be '{value}': {reason}")]
    Invalid {
        key: &'static str,
        value: String,
        reason: String,
    },
}

impl SettingKey {
    pub const ALL: [SettingKey; 33] = [
        Self::ImisBaseUrl,
        Self::ImisUsername,
        Self::ImisCeuTypeColumn,
        Self::TwilioBaseUrl,
        Self::TwilioAccountSid,
        Self::TwilioApiKeySid,
        Self::TwilioFrom,
        Self::TwilioMessagingServiceSid,
        Self::TwilioSenderType,
        Self::TwilioRatePerSecond,
        Self::TwilioDailySegmentCap,
        Self::TwilioCapDayZone,
        Self::PricePerSegment,
        Self::PhoneDefaultRegion,
        Self::CampaignSettleMinutes,
        Self::CampaignCatchUp,
        Self::CampaignConfirmTypedAbove,
        Self::CampaignTestTextTo,
        Self::NotifyPaused,
        Self::NotifyCompleted,
        Self::NotifyReportFailed,
        Self::NotifyWritebackFailed,
        Self::NotifyReplies,
        Self::WindowEnabled,
        Self::WindowStart,
        Self::WindowEnd,
        Self::WindowDays,
        Self::WindowFallbackZone,
        Self::SmtpHost,
        Self::SmtpPort,
        Self::SmtpSecurity,
        Self::SmtpUsername,
        Self::SmtpFrom,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::ImisBaseUrl => "imis.base_url",
            Self::ImisUsername => "imis.username",
            Self::ImisCeuTypeColumn => "imis.ceu_type_column",
            Self::TwilioBaseUrl => "twilio.base_url",
            Self::TwilioAccountSid => "twilio.account_sid",
            Self::TwilioApiKeySid => "twilio.api_key_sid",
            Self::TwilioFrom => "twilio.from",
            Self::TwilioMessagingServiceSid => "twilio.messaging_service_sid",
            Self::TwilioSenderType => "twilio.sender_type",
            Self::TwilioRatePerSecond => "twilio.rate_per_second",
            Self::TwilioDailySegmentCap => "twilio.daily_segment_cap",
            Self::TwilioCapDayZone => "twilio.cap_day_zone",
            Self::PricePerSegment => "price_per_segment",
            Self::PhoneDefaultRegion => "phone.default_region",
            Self::CampaignSettleMinutes => "campaign.settle_minutes",
            Self::CampaignCatchUp => "campaign.catch_up",
            Self::CampaignConfirmTypedAbove => "campaign.confirm_typed_above",
            Self::CampaignTestTextTo => "campaign.test_text_to",
            Self::NotifyPaused => "notify.paused",
            Self::NotifyCompleted => "notify.completed",
            Self::NotifyReportFailed => "notify.report_failed",
            Self::NotifyWritebackFailed => "notify.writeback_failed",
            Self::NotifyReplies => "notify.replies",
            Self::WindowEnabled => "window.enabled",
            Self::WindowStart => "window.start",
            Self::WindowEnd => "window.end",
            Self::WindowDays => "window.days",
            Self::WindowFallbackZone => "window.fallback_zone",
            Self::SmtpHost => "smtp.host",
            Self::SmtpPort => "smtp.port",
            Self::SmtpSecurity => "smtp.security",
            Self::SmtpUsername => "smtp.username",
            Self::SmtpFrom => "smtp.from",
        }
    }

    pub fn parse(key: &str) -> Result<Self, SettingError> {
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == key)
            .ok_or_else(|| SettingError::UnknownKey(key.to_string()))
    }

    pub fn kind(self) -> SettingKind {
        use SettingKey::*;
        match self {
            ImisBaseUrl | TwilioBaseUrl => SettingKind::Url,
            TwilioDailySegmentCap
            | CampaignSettleMinutes
            | CampaignConfirmTypedAbove
            | SmtpPort => SettingKind::Integer,
            TwilioRatePerSecond | PricePerSegment => SettingKind::Number,
            TwilioSenderType | CampaignCatchUp | SmtpSecurity | WindowEnabled => {
                SettingKind::Choice
            }
            NotifyPaused
            | NotifyCompleted
            | NotifyReportFailed
            | NotifyWritebackFailed
            | NotifyReplies => SettingKind::Choice,
            _ => SettingKind::Text,
        }
    }

    /// The allowed values of a choice setting.
    pub fn choices(self) -> &'static [&'static str] {
        match self {
            Self::TwilioSenderType => {
                &["long_code", "toll_free", "short_code", "messaging_service"]
            }
            Self::CampaignCatchUp => &["start", "ask"],
            Self::SmtpSecurity => &["starttls", "tls", "none"],
            Self::NotifyPaused
            | Self::NotifyCompleted
            | Self::NotifyReportFailed
            | Self::NotifyWritebackFailed
            | Self::NotifyReplies
            | Self::WindowEnabled => &["on", "off"],
            _ => &[],
        }
    }

    /// The default in canonical text form. `twilio.rate_per_second` has none of its own:
    /// it follows the sender type (see [`Settings::get`]).
    fn static_default(self) -> &'static str {
        use SettingKey::*;
        match self {
            ImisCeuTypeColumn => "CATEGORY",
            TwilioBaseUrl => "https://api.twilio.com",
            TwilioSenderType => "long_code",
            TwilioDailySegmentCap => "10000",
            TwilioCapDayZone => "UTC",
            PricePerSegment => "0.0083",
            PhoneDefaultRegion => "US",
            CampaignSettleMinutes => "30",
            CampaignCatchUp => "start",
            CampaignConfirmTypedAbove => "1000",
            NotifyPaused
            | NotifyCompleted
            | NotifyReportFailed
            | NotifyWritebackFailed
            | NotifyReplies => "on",
            WindowEnabled => "on",
            WindowStart => "09:00",
            WindowEnd => "20:00",
            WindowDays => "mon,tue,wed,thu,fri,sat,sun",
            SmtpPort => "587",
            SmtpSecurity => "starttls",
            _ => "",
        }
    }

    pub fn description(self) -> &'static str {
        use SettingKey::*;
        match self {
            ImisBaseUrl => "iMIS site root, including any virtual directory",
            ImisUsername => "iMIS user Herald signs in as",
            ImisCeuTypeColumn => "Activity column that TEXTMSG labels \"CEU Type\"",
            TwilioBaseUrl => "Twilio API base URL",
            TwilioAccountSid => "Twilio Account SID (AC…)",
            TwilioApiKeySid => "API Key SID (SK…); empty to use the Auth Token",
            TwilioFrom => "Sender phone number (E.164) or short code",
            TwilioMessagingServiceSid => "Messaging Service SID (MG…), instead of a From number",
            TwilioSenderType => "Kind of sender; sets the default send rate",
            TwilioRatePerSecond => "Segments per second Herald sends at, at most",
            TwilioDailySegmentCap => "Max segments per day across all campaigns",
            TwilioCapDayZone => {
                "Time zone whose midnight starts a new day for the daily limit (UTC unless your carrier counts otherwise)"
            }
            PricePerSegment => "Price of one segment in USD, for estimates",
            PhoneDefaultRegion => "Country assumed for numbers without a country code",
            CampaignSettleMinutes => {
                "Minutes to wait for final statuses before a campaign completes"
            }
            CampaignCatchUp => {
                "When a scheduled time passed while Herald was closed: start, or ask"
            }
            CampaignConfirmTypedAbove => {
                "Above this many recipients, a LIVE send is confirmed by typing the count"
            }
            CampaignTestTextTo => "Your mobile number, for test texts of a message",
            NotifyPaused => "Desktop notification when a campaign pauses by itself",
            NotifyCompleted => "Desktop notification when a campaign completes",
            NotifyReportFailed => "Desktop notification when a report email cannot be sent",
            NotifyWritebackFailed => "Desktop notification when recording texts in iMIS gives up",
            NotifyReplies => "Desktop notification when members reply to a campaign (once per check, with how many opted out)",
            WindowEnabled => "Send only inside the sending window (on), or at any hour (off)",
            WindowStart => "Earliest time a text may arrive, in the member's own time zone",
            WindowEnd => "Time after which no text arrives, in the member's own time zone",
            WindowDays => "Days texts may arrive (mon…sun; sun_from_noon: Sunday from 12:00)",
            WindowFallbackZone => {
                "Time zone for members whose zone is unknown (your organisation's); empty: this computer's"
            }
            SmtpHost => "SMTP server for report emails",
            SmtpPort => "SMTP port",
            SmtpSecurity => "STARTTLS, implicit TLS, or none (localhost only)",
            SmtpUsername => "SMTP user name",
            SmtpFrom => "From address of report emails",
        }
    }

    /// Checks a raw value and returns its canonical text form.
    pub fn validate(self, raw: &str) -> Result<String, SettingError> {
        let value = raw.trim();
        let invalid = |reason: &str| SettingError::Invalid {
            key: self.as_str(),
            value: raw.to_string(),
            reason: reason.to_string(),
        };
        use SettingKey::*;
        match self {
            ImisBaseUrl | TwilioBaseUrl => {
                if value.is_empty() && self == ImisBaseUrl {
                    return Ok(String::new());
                }
                validate_url(value).map_err(|r| invalid(&r))
            }
            ImisUsername | SmtpUsername => {
                if value.chars().any(char::is_control) {
                    return Err(invalid("control characters are not allowed"));
                }
                Ok(value.to_string())
            }
            ImisCeuTypeColumn => {
                if re(&COLUMN, r"^[A-Za-z_][A-Za-z0-9_]{0,63}$").is_match(value) {
                    Ok(value.to_ascii_uppercase())
                } else {
                    Err(invalid(
                        "expected an Activity column name such as CATEGORY or UF_1",
                    ))
                }
            }
            TwilioAccountSid => sid(value, "AC", false).map_err(|r| invalid(&r)),
            TwilioApiKeySid => sid(value, "SK", true).map_err(|r| invalid(&r)),
            TwilioMessagingServiceSid => sid(value, "MG", true).map_err(|r| invalid(&r)),
            TwilioFrom => {
                let e164 = re(&E164, r"^\+[1-9][0-9]{6,14}$").is_match(value);
                let short_code = re(&SHORT, r"^[0-9]{3,8}$").is_match(value);
                if value.is_empty() || e164 || short_code {
                    Ok(value.to_string())
                } else {
                    Err(invalid(
                        "expected an E.164 number such as +15552013344, or a short code",
                    ))
                }
            }
            TwilioSenderType
            | CampaignCatchUp
            | SmtpSecurity
            | NotifyPaused
            | NotifyCompleted
            | NotifyReportFailed
            | NotifyWritebackFailed
            | NotifyReplies
            | WindowEnabled => {
                if self.choices().contains(&value) {
                    Ok(value.to_string())
                } else {
                    Err(invalid(&format!(
                        "expected one of {}",
                        self.choices().join(", ")
                    )))
                }
            }
            TwilioRatePerSecond => match value.parse::<f64>() {
                Ok(v) if v.is_finite() && v > 0.0 && v <= 10_000.0 => Ok(canonical_number(v)),
                Ok(_) => Err(invalid(
                    "expected a number of segments per second above 0 and at most 10000",
                )),
                Err(_) => Err(invalid(
                    "expected a number of segments per second, such as 1 or 3.5",
                )),
            },
            PricePerSegment => match value.parse::<f64>() {
                Ok(v) if v.is_finite() && (0.0..=100.0).contains(&v) => Ok(canonical_number(v)),
                _ => Err(invalid("expected a price in USD such as 0.0083")),
            },
            TwilioDailySegmentCap => integer(value, 1, 100_000_000).map_err(|r| invalid(&r)),
            CampaignSettleMinutes => integer(value, 0, 4320).map_err(|r| invalid(&r)),
            CampaignConfirmTypedAbove => integer(value, 0, 100_000_000).map_err(|r| invalid(&r)),
            CampaignTestTextTo => {
                if value.is_empty() || re(&E164, r"^\+[1-9][0-9]{6,14}$").is_match(value) {
                    Ok(value.to_string())
                } else {
                    Err(invalid(
                        "expected a mobile number in international form, such as +15552013344",
                    ))
                }
            }
            SmtpPort => integer(value, 1, 65535).map_err(|r| invalid(&r)),
            WindowStart | WindowEnd => crate::window::parse_time(value)
                .map(crate::window::format_time)
                .map_err(|e| invalid(&e.0)),
            WindowDays => {
                let items: Vec<&str> = value.split([',', ' ']).collect();
                crate::window::parse_days(&items)
                    .map(|days| crate::window::format_days(&days).join(","))
                    .map_err(|e| invalid(&e.0))
            }
            TwilioCapDayZone => value
                .parse::<chrono_tz::Tz>()
                .map(|z| z.name().to_string())
                .map_err(|_| invalid("expected a time zone name such as UTC or America/New_York")),
            WindowFallbackZone => {
                if value.is_empty() {
                    return Ok(String::new());
                }
                value
                    .parse::<chrono_tz::Tz>()
                    .map(|z| z.name().to_string())
                    .map_err(|_| {
                        invalid(
                            "expected a time zone name such as America/New_York or Europe/London",
                        )
                    })
            }
            PhoneDefaultRegion => {
                if re(&REGION, r"^[A-Za-z]{2}$").is_match(value) {
                    Ok(value.to_ascii_uppercase())
                } else {
                    Err(invalid(
                        "expected a two-letter country code such as US, GB or AU",
                    ))
                }
            }
            SmtpHost => {
                if value.is_empty()
                    || re(&HOST, r"^[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?$").is_match(value)
                {
                    Ok(value.to_ascii_lowercase())
                } else {
                    Err(invalid("expected a host name such as smtp.example.org"))
                }
            }
            SmtpFrom => {
                if value.is_empty()
                    || re(&EMAIL, r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$").is_match(value)
                {
                    Ok(value.to_string())
                } else {
                    Err(invalid(
                        "expected an email address such as herald@example.org",
                    ))
                }
            }
        }
    }
}

static COLUMN: OnceLock<Regex> = OnceLock::new();
static E164: OnceLock<Regex> = OnceLock::new();
static SHORT: OnceLock<Regex> = OnceLock::new();
static REGION: OnceLock<Regex> = OnceLock::new();
static HOST: OnceLock<Regex> = OnceLock::new();
static EMAIL: OnceLock<Regex> = OnceLock::new();
static SID: OnceLock<Regex> = OnceLock::new();

fn re(cell: &'static OnceLock<Regex>, pattern: &str) -> &'static Regex {
    cell.get_or_init(|| Regex::new(pattern).expect("static regex"))
}

fn validate_url(value: &str) -> Result<String, String> {
    let (rest, plain) = match value.strip_prefix("https://") {
        Some(rest) => (rest, false),
        None => (
            value.strip_prefix("http://").ok_or(
                "expected an address starting with https:// (or http:// for a local test server)",
            )?,
            true,
        ),
    };
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let name = match host.rsplit_once(':') {
        Some((name, port)) if port.chars().all(|c| c.is_ascii_digit()) => name,
        _ => host,
    };
    if plain && !is_loopback_host(name.trim_matches(['[', ']'])) {
        return Err(
            "plain http:// would send the password unencrypted; use https:// (http:// is only for a test server on this computer)".into(),
        );
    }
    if host.is_empty() || host.contains(char::is_whitespace) || value.contains(char::is_whitespace)
    {
        return Err("the address has no valid host name".into());
    }
    if value.contains(['?', '#']) {
        return Err("the address must not carry a query or fragment".into());
    }
    Ok(value.trim_end_matches('/').to_string())
}

fn sid(value: &str, prefix: &str, optional: bool) -> Result<String, String> {
    if value.is_empty() && optional {
        return Ok(String::new());
    }
    let re = re(&SID, r"^[A-Z]{2}[0-9a-fA-F]{32}$");
    if value.starts_with(prefix) && re.is_match(value) {
        Ok(format!("{prefix}{}", value[2..].to_ascii_lowercase()))
    } else {
        Err(format!(
            "expected '{prefix}' followed by 32 hexadecimal characters"
        ))
    }
}

fn integer(value: &str, min: i64, max: i64) -> Result<String, String> {
    match value.parse::<i64>() {
        Ok(v) if (min..=max).contains(&v) => Ok(v.to_string()),
        Ok(_) => Err(format!("expected a whole number from {min} to {max}")),
        Err(_) => Err(format!("expected a whole number from {min} to {max}")),
    }
}

fn canonical_number(v: f64) -> String {
    let s = format!("{v}");
    s.strip_suffix(".0").map(str::to_string).unwrap_or(s)
}

/// One setting as shown by `settings list` and the Settings screen.
#[derive(Debug, Clone, Serialize, Type)]
pub struct SettingEntry {
    pub key: String,
    pub kind: SettingKind,
    /// The effective value, typed (numbers as numbers).
    #[specta(type = specta_value::Json)]
    pub value: Value,
    #[specta(type = specta_value::Json)]
    pub default: Value,
    pub is_default: bool,
    pub choices: Vec<String>,
    pub description: String,
}

/// A snapshot of the stored settings with typed accessors. Missing keys read as defaults.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    stored: HashMap<SettingKey, String>,
}

impl Settings {
    /// Builds a snapshot from stored `(key, value)` pairs; unknown keys are ignored so a
    /// database written by a newer Herald still opens.
    pub fn from_pairs(pairs: impl IntoIterator<Item = (String, String)>) -> Self {
        let stored = pairs
            .into_iter()
            .filter_map(|(k, v)| SettingKey::parse(&k).ok().map(|k| (k, v)))
            .collect();
        Self { stored }
    }

    /// Changes whenever a stored value changes: cheap to compare, for noticing changes
    /// made by another process (`herald-cli settings set` while the app runs).
    pub fn fingerprint(&self) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut pairs: Vec<(&str, &str)> = self
            .stored
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        pairs.sort_unstable();
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        pairs.hash(&mut hasher);
        hasher.finish()
    }

    pub fn is_set(&self, key: SettingKey) -> bool {
        self.stored.get(&key).is_some_and(|v| !v.is_empty())
    }

    /// The default of `key` given the other settings.
    pub fn default_of(&self, key: SettingKey) -> String {
        match key {
            SettingKey::TwilioRatePerSecond => canonical_number(self.sender_type().default_rate()),
            _ => key.static_default().to_string(),
        }
    }

    /// The effective value of `key` in canonical text form.
    pub fn get(&self, key: SettingKey) -> String {
        self.stored
            .get(&key)
            .cloned()
            .unwrap_or_else(|| self.default_of(key))
    }

    pub fn typed(&self, key: SettingKey) -> Value {
        to_json(key, &self.get(key))
    }

    pub fn entry(&self, key: SettingKey) -> SettingEntry {
        SettingEntry {
            key: key.as_str().to_string(),
            kind: key.kind(),
            value: self.typed(key),
            default: to_json(key, &self.default_of(key)),
            is_default: !self.stored.contains_key(&key),
            choices: key.choices().iter().map(|c| c.to_string()).collect(),
            description: key.description().to_string(),
        }
    }

    pub fn entries(&self) -> Vec<SettingEntry> {
        SettingKey::ALL.into_iter().map(|k| self.entry(k)).collect()
    }

    /// Validates `raw` for `key`, including rules that involve other settings, and returns
    /// the settings as they would read with it (the canonical value is `next.get(key)`).
    pub fn with_value(&self, key: SettingKey, raw: &str) -> Result<Settings, SettingError> {
        let value = key.validate(raw)?;
        let mut next = self.clone();
        next.stored.insert(key, value);
        if matches!(key, SettingKey::WindowStart | SettingKey::WindowEnd) {
            if let Err(e) = next.window_spec_checked() {
                return Err(SettingError::Invalid {
                    key: key.as_str(),
                    value: raw.to_string(),
                    reason: e.0,
                });
            }
        }
        if matches!(key, SettingKey::SmtpSecurity | SettingKey::SmtpHost) {
            let host = next.get(SettingKey::SmtpHost);
            if next.get(SettingKey::SmtpSecurity) == "none"
                && !host.is_empty()
                && !is_loopback_host(&host)
            {
                return Err(SettingError::Invalid {
                    key: key.as_str(),
                    value: raw.to_string(),
                    reason: format!(
                        "unencrypted SMTP is only allowed to this computer (localhost), not to {host}; use starttls or tls"
                    ),
                });
            }
        }
        Ok(next)
    }

    /// The default sending window of new campaigns, as written in Settings.
    pub fn window_spec(&self) -> crate::window::WindowSpec {
        crate::window::WindowSpec {
            start: self.get(SettingKey::WindowStart),
            end: self.get(SettingKey::WindowEnd),
            days: self
                .get(SettingKey::WindowDays)
                .split(',')
                .map(str::to_string)
                .collect(),
            enabled: self.get(SettingKey::WindowEnabled) != "off",
        }
    }

    fn window_spec_checked(
        &self,
    ) -> Result<crate::window::SendingWindow, crate::window::WindowError> {
        crate::window::SendingWindow::from_spec(&self.window_spec())
    }

    /// The default sending window; 9:00–20:00 every day if the stored one cannot be read.
    pub fn sending_window(&self) -> crate::window::SendingWindow {
        self.window_spec_checked().unwrap_or_default()
    }

    /// The zone of members whose own zone is unknown: the organisation's, else this
    /// computer's.
    pub fn fallback_zone(&self) -> chrono_tz::Tz {
        self.get(SettingKey::WindowFallbackZone)
            .parse()
            .unwrap_or_else(|_| crate::zone::workstation())
    }

    pub fn sender_type(&self) -> SenderType {
        SenderType::parse(&self.get(SettingKey::TwilioSenderType)).unwrap_or(SenderType::LongCode)
    }

    /// Where LIVE texts come from, as Settings say (`None` if the chosen kind of sender
    /// is not filled in): a Messaging Service when chosen (or when it is the only one
    /// given), else the From number.
    pub fn sender(&self) -> Option<crate::twilio::Sender> {
        let service = self.get(SettingKey::TwilioMessagingServiceSid);
        let from = self.get(SettingKey::TwilioFrom);
        if self.sender_type() == SenderType::MessagingService
            || (from.is_empty() && !service.is_empty())
        {
            (!service.is_empty()).then_some(crate::twilio::Sender::MessagingService(service))
        } else {
            (!from.is_empty()).then_some(crate::twilio::Sender::From(from))
        }
    }

    /// Whose opt-out list applies to texts sent now: the sender's (a number, or the
    /// Messaging Service), as Twilio keeps them; [`crate::store::ALL_SENDERS`] when no
    /// sender is set up.
    pub fn opt_out_sender(&self) -> String {
        match self.sender() {
            Some(crate::twilio::Sender::From(f)) => f,
            Some(crate::twilio::Sender::MessagingService(s)) => s,
            None => crate::store::ALL_SENDERS.to_string(),
        }
    }

    pub fn rate_per_second(&self) -> f64 {
        self.get(SettingKey::TwilioRatePerSecond)
            .parse()
            .unwrap_or(1.0)
    }

    /// The zone whose midnight starts a new day for the daily cap.
    pub fn cap_zone(&self) -> chrono_tz::Tz {
        self.get(SettingKey::TwilioCapDayZone)
            .parse()
            .unwrap_or(chrono_tz::Tz::UTC)
    }

    /// The daily cap's day at `t`.
    pub fn cap_day(&self, t: chrono::DateTime<chrono::Utc>) -> chrono::NaiveDate {
        t.with_timezone(&self.cap_zone()).date_naive()
    }

    /// The rate and daily cap a campaign in `mode` sends under. TEST campaigns send
    /// nothing real, so they never count against (or wait for) the real daily cap.
    pub fn send_limits(&self, mode: crate::campaign::Mode) -> crate::compose::summary::SendLimits {
        crate::compose::summary::SendLimits {
            day_zone: self.cap_zone(),
            rate_per_second: self.rate_per_second(),
            daily_cap: match mode {
                crate::campaign::Mode::Live => self.daily_segment_cap(),
                crate::campaign::Mode::Test => crate::compose::summary::NO_CAP,
            },
        }
    }

    pub fn daily_segment_cap(&self) -> u64 {
        self.get(SettingKey::TwilioDailySegmentCap)
            .parse()
            .unwrap_or(10_000)
    }

    pub fn price_per_segment(&self) -> f64 {
        self.get(SettingKey::PricePerSegment)
            .parse()
            .unwrap_or(0.0083)
    }

    /// Above this many recipients a LIVE send is confirmed by typing the count.
    pub fn confirm_typed_above(&self) -> u64 {
        self.get(SettingKey::CampaignConfirmTypedAbove)
            .parse()
            .unwrap_or(1_000)
    }

    /// Whether the desktop notification `key` (a `notify.*` setting) is on.
    pub fn notify(&self, key: SettingKey) -> bool {
        self.get(key) != "off"
    }

    pub fn settle_minutes(&self) -> i64 {
        self.get(SettingKey::CampaignSettleMinutes)
            .parse()
            .unwrap_or(30)
    }

    pub fn default_region(&self) -> String {
        self.get(SettingKey::PhoneDefaultRegion)
    }

    /// With no iMIS connection configured Herald runs on the demo workspace (TEST only).
    pub fn is_demo(&self) -> bool {
        !self.is_set(SettingKey::ImisBaseUrl)
    }
}

fn is_loopback_host(host: &str) -> bool {
    matches!(host, "localhost" | "127.0.0.1" | "::1") || host.starts_with("127.")
}

fn to_json(key: SettingKey, value: &str) -> Value {
    match key.kind() {
        SettingKind::Integer => value.parse::<i64>().map(Value::from).unwrap_or(Value::Null),
        SettingKind::Number => value.parse::<f64>().map(Value::from).unwrap_or(Value::Null),
        _ => Value::String(value.to_string()),
    }
}

/// specta cannot describe `serde_json::Value` on its own at this version; this stands in
/// for it in the generated TypeScript (`string | number`).
mod specta_value {
    #[derive(specta::Type)]
    #[specta(untagged)]
    #[allow(dead_code)]
    pub enum Json {
        Text(String),
        Number(f64),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_round_trips_and_its_default_validates() {
        let s = Settings::default();
        for key in SettingKey::ALL {
            assert_eq!(SettingKey::parse(key.as_str()), Ok(key));
            let default = s.default_of(key);
            if !default.is_empty() {
                assert_eq!(
                    key.validate(&default).as_deref(),
                    Ok(default.as_str()),
                    "{key:?}"
                );
            }
        }
    }

    #[test]
    fn rate_is_refused_with_a_clear_message() {
        let err = SettingKey::TwilioRatePerSecond.validate("abc").unwrap_err();
        assert_eq!(
            err.to_string(),
            "twilio.rate_per_second cannot be 'abc': expected a number of segments per second, such as 1 or 3.5"
        );
        assert!(SettingKey::TwilioRatePerSecond.validate("0").is_err());
        assert!(SettingKey::TwilioRatePerSecond.validate("-2").is_err());
        assert!(SettingKey::TwilioRatePerSecond.validate("NaN").is_err());
        assert_eq!(
            SettingKey::TwilioRatePerSecond.validate(" 3.50 ").unwrap(),
            "3.5"
        );
        assert_eq!(
            SettingKey::TwilioRatePerSecond.validate("100").unwrap(),
            "100"
        );
    }

    #[test]
    fn unknown_keys_are_named() {
        assert_eq!(
            SettingKey::parse("twilio.token").unwrap_err().to_string(),
            "there is no setting called 'twilio.token' (see `herald-cli settings list`)"
        );
    }

    #[test]
    fn sids_follow_their_patterns() {
        let ac = format!("AC{}", "a1".repeat(16));
        assert_eq!(SettingKey::TwilioAccountSid.validate(&ac).unwrap(), ac);
        assert_eq!(
            SettingKey::TwilioAccountSid
                .validate(&format!("AC{}", "A1".repeat(16)))
                .unwrap(),
            ac,
            "hex is normalised to lower case"
        );
        assert!(SettingKey::TwilioAccountSid
            .validate(&format!("SK{}", "a1".repeat(16)))
            .is_err());
        assert!(SettingKey::TwilioAccountSid.validate("AC123").is_err());
        assert!(SettingKey::TwilioAccountSid.validate("").is_err());
        assert_eq!(SettingKey::TwilioApiKeySid.validate("").unwrap(), "");
        assert!(SettingKey::TwilioMessagingServiceSid
            .validate(&format!("MG{}", "0f".repeat(16)))
            .is_ok());
        assert!(SettingKey::TwilioMessagingServiceSid
            .validate(&format!("MG{}", "zz".repeat(16)))
            .is_err());
    }

    #[test]
    fn from_numbers_are_e164_or_short_codes() {
        assert!(SettingKey::TwilioFrom.validate("+15552013344").is_ok());
        assert!(SettingKey::TwilioFrom.validate("89898").is_ok());
        assert!(SettingKey::TwilioFrom.validate("555-201-3344").is_err());
        assert!(SettingKey::TwilioFrom.validate("+0123456789").is_err());
    }

    #[test]
    fn urls_need_a_scheme_and_host() {
        assert_eq!(
            SettingKey::ImisBaseUrl
                .validate("https://host/Asi.Scheduler_Demo/")
                .unwrap(),
            "https://host/Asi.Scheduler_Demo"
        );
        assert!(SettingKey::ImisBaseUrl
            .validate("host.example.org")
            .is_err());
        assert!(SettingKey::ImisBaseUrl.validate("https://").is_err());
        assert!(SettingKey::ImisBaseUrl
            .validate("http://imis.example.org")
            .is_err());
        assert!(SettingKey::ImisBaseUrl
            .validate("http://127.0.0.1:8080/imis")
            .is_ok());
        assert!(SettingKey::ImisBaseUrl
            .validate("http://localhost:5000")
            .is_ok());
        assert!(SettingKey::ImisBaseUrl.validate("https://a b").is_err());
        assert!(SettingKey::TwilioBaseUrl.validate("").is_err());
    }

    #[test]
    fn integers_and_choices() {
        assert!(SettingKey::SmtpPort.validate("0").is_err());
        assert!(SettingKey::SmtpPort.validate("65536").is_err());
        assert_eq!(SettingKey::SmtpPort.validate("465").unwrap(), "465");
        assert!(SettingKey::TwilioDailySegmentCap.validate("1.5").is_err());
        assert!(SettingKey::CampaignCatchUp.validate("later").is_err());
        assert_eq!(SettingKey::PhoneDefaultRegion.validate("gb").unwrap(), "GB");
        assert!(SettingKey::PhoneDefaultRegion.validate("USA").is_err());
    }

    #[test]
    fn rate_default_follows_the_sender_type() {
        let mut s = Settings::default();
        assert_eq!(s.rate_per_second(), 1.0);
        s.stored
            .insert(SettingKey::TwilioSenderType, "toll_free".into());
        assert_eq!(s.rate_per_second(), 3.0);
        assert_eq!(
            s.entry(SettingKey::TwilioRatePerSecond).value,
            serde_json::json!(3.0)
        );
        s.stored
            .insert(SettingKey::TwilioRatePerSecond, "2.5".into());
        assert_eq!(s.rate_per_second(), 2.5);
        assert!(!s.entry(SettingKey::TwilioRatePerSecond).is_default);
    }

    #[test]
    fn plain_smtp_only_to_localhost() {
        let mut s = Settings::default();
        s.stored
            .insert(SettingKey::SmtpHost, "smtp.example.org".into());
        let err = s.with_value(SettingKey::SmtpSecurity, "none").unwrap_err();
        assert!(
            err.to_string().contains("only allowed to this computer"),
            "{err}"
        );
        s.stored.insert(SettingKey::SmtpHost, "localhost".into());
        assert_eq!(
            s.with_value(SettingKey::SmtpSecurity, "none")
                .unwrap()
                .get(SettingKey::SmtpSecurity),
            "none"
        );
        s.stored.insert(SettingKey::SmtpSecurity, "none".into());
        assert!(s
            .with_value(SettingKey::SmtpHost, "mail.example.org")
            .is_err());
        assert!(s.with_value(SettingKey::SmtpHost, "127.0.0.1").is_ok());
    }

    #[test]
    fn typed_json_values() {
        let s = Settings::default();
        assert_eq!(s.typed(SettingKey::SmtpPort), serde_json::json!(587));
        assert_eq!(
            s.typed(SettingKey::PricePerSegment),
            serde_json::json!(0.0083)
        );
        assert_eq!(
            s.typed(SettingKey::TwilioSenderType),
            serde_json::json!("long_code")
        );
        assert!(s.is_demo());
    }
}
