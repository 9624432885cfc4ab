//! Campaigns as the rest of Herald sees them.

use crate::status::{CampaignStatus, MessageStatus};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use specta::Type;
use std::collections::BTreeMap;

/// LIVE sends real texts; TEST runs the whole flow against a simulated gateway.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type, sqlx::Type)]
#[serde(rename_all = "snake_case")]
#[sqlx(type_name = "TEXT", rename_all = "snake_case")]
pub enum Mode {
    Live,
    Test,
}

/// Where each sent text is recorded in iMIS.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type, sqlx::Type)]
#[serde(rename_all = "snake_case")]
#[sqlx(type_name = "TEXT", rename_all = "snake_case")]
pub enum WriteBackTarget {
    Activity,
    CommunicationLog,
    None,
}

/// Who did something to a campaign, for the event log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type, sqlx::Type)]
#[serde(rename_all = "snake_case")]
#[sqlx(type_name = "TEXT", rename_all = "snake_case")]
pub enum Actor {
    User,
    Cli,
    Scheduler,
    Engine,
}

/// Where the audience comes from: an IQA query (with parameters) or a CSV file; either
/// way the ID and phone columns are named by alias.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct AudienceSource {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub query: Option<String>,
    /// Always serialised (empty when the query has none): the front end's type requires it.
    #[serde(default)]
    pub params: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub csv: Option<String>,
    pub id_column: String,
    pub phone_column: String,
}

impl AudienceSource {
    pub fn validate(&self) -> Result<(), String> {
        match (&self.query, &self.csv) {
            (Some(q), None) if !q.trim().is_empty() => {}
            (None, Some(c)) if !c.trim().is_empty() => {}
            (Some(_), Some(_)) => {
                return Err("the audience names both a query and a CSV file; choose one".into())
            }
            _ => return Err("the audience needs a query path or a CSV file".into()),
        }
        if self.id_column.trim().is_empty() {
            return Err("choose the column that holds the iMIS ID".into());
        }
        if self.phone_column.trim().is_empty() {
            return Err("choose the column that holds the mobile phone number".into());
        }
        Ok(())
    }
}

/// A campaign as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Type, sqlx::FromRow)]
pub struct Campaign {
    pub id: i64,
    pub name: String,
    pub status: CampaignStatus,
    pub mode: Mode,
    pub report_email: Option<String>,
    #[sqlx(json(nullable))]
    pub audience: Option<AudienceSource>,
    pub template: String,
    pub skip_empty: bool,
    pub write_back: WriteBackTarget,
    pub scheduled_at: Option<DateTime<Utc>>,
    pub started_at: Option<DateTime<Utc>>,
    pub completed_at: Option<DateTime<Utc>>,
    pub pause_reason: Option<String>,
    pub summary_audience: Option<i64>,
    pub archived_from: Option<CampaignStatus>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// The campaign's sending window; `None` until it is scheduled (the Settings' window
    /// is then written in).
    #[sqlx(json(nullable))]
    pub send_window: Option<crate::window::WindowSpec>,
}

/// What it takes to create a campaign (the CLI's `campaign create --file` shape).
#[derive(Debug, Clone, Default, Deserialize, Type)]
#[serde(deny_unknown_fields)]
pub struct NewCampaign {
    pub name: String,
    #[serde(default)]
    pub report_email: Option<String>,
    #[serde(default)]
    pub mode: Option<Mode>,
    #[serde(default)]
    pub audience: Option<AudienceSource>,
    #[serde(default)]
    pub template: Option<String>,
    #[serde(default)]
    pub write_back: Option<WriteBackTarget>,
    #[serde(default)]
    pub skip_empty: Option<bool>,
    /// `null` means "now" when the campaign is scheduled; an RFC 3339 time otherwise.
    #[serde(default)]
    pub schedule: Option<DateTime<Utc>>,
    /// The campaign's sending window; absent: the Settings' window when it is scheduled.
    #[serde(default)]
    pub window: Option<crate::window::WindowSpec>,
}

/// Counts of a campaign's messages per status.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Type)]
pub struct MessageCounts {
    pub total: i64,
    pub preparing: i64,
    pub sent: i64,
    pub delivered: i64,
    pub undelivered: i64,
    pub failed: i64,
    pub error: i64,
    pub skipped: i64,
    pub canceled: i64,
}

impl MessageCounts {
    pub fn add(&mut self, status: MessageStatus, n: i64) {
        self.total += n;
        let slot = match status {
            MessageStatus::Preparing => &mut self.preparing,
            MessageStatus::Sent => &mut self.sent,
            MessageStatus::Delivered => &mut self.delivered,
            MessageStatus::Undelivered => &mut self.undelivered,
            MessageStatus::Failed => &mut self.failed,
            MessageStatus::Error => &mut self.error,
            MessageStatus::Skipped => &mut self.skipped,
            MessageStatus::Canceled => &mut self.canceled,
        };
        *slot += n;
    }

    /// Messages Twilio accepted (whatever became of them since).
    pub fn submitted(&self) -> i64 {
        self.sent + self.delivered + self.undelivered + self.failed
    }

    /// Messages with nothing left to send: submitted, errored, skipped or canceled.
    pub fn processed(&self) -> i64 {
        self.total - self.preparing
    }

    /// Delivered share of what was submitted, if anything was.
    pub fn delivered_rate(&self) -> Option<f64> {
        let submitted = self.submitted();
        (submitted > 0).then(|| self.delivered as f64 / submitted as f64)
    }
}

/// A row of the campaign list.
#[derive(Debug, Clone, Serialize, Type)]
pub struct CampaignListItem {
    pub id: i64,
    pub name: String,
    pub status: CampaignStatus,
    pub mode: Mode,
    /// Recipients to text: messages not excluded at send time, else the size summarised
    /// when scheduled.
    pub audience_size: Option<i64>,
    pub counts: MessageCounts,
    /// Delivered share (0–1) of the messages Twilio accepted; `None` before any.
    pub delivered_rate: Option<f64>,
    pub scheduled_at: Option<DateTime<Utc>>,
    pub started_at: Option<DateTime<Utc>>,
    pub completed_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// One entry of a campaign's append-only event log.
#[derive(Debug, Clone, Serialize, Type, sqlx::FromRow)]
pub struct CampaignEvent {
    pub id: i64,
    pub campaign_id: i64,
    pub at: DateTime<Utc>,
    pub actor: Actor,
    pub kind: String,
    pub detail: Option<String>,
}

/// A campaign with its counts, for `campaign show` and the dashboard header.
#[derive(Debug, Clone, Serialize, Type)]
pub struct CampaignDetail {
    #[serde(flatten)]
    pub campaign: Campaign,
    pub counts: MessageCounts,
    pub delivered_rate: Option<f64>,
}
