use super::Store;
use crate::campaign::{
    Actor, AudienceSource, Campaign, CampaignDetail, CampaignEvent, CampaignListItem, Mode,
    NewCampaign, WriteBackTarget,
};
use crate::error::{Error, Result, StorageContext};
use crate::status::CampaignStatus;
use chrono::{DateTime, Utc};
use sqlx::{Sqlite, Transaction};

const CAMPAIGN_COLUMNS: &str = "id, name, status, mode, report_email, audience, template, skip_empty, write_back, \
     scheduled_at, started_at, completed_at, pause_reason, summary_audience, archived_from, created_at, updated_at, \
     send_window";

/// A campaign as the scheduler sees it on each tick.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct CampaignState {
    pub id: i64,
    pub status: CampaignStatus,
    pub scheduled_at: Option<DateTime<Utc>>,
    /// Its messages are recorded (the audience was resolved).
    pub prepared: bool,
    /// Twilio has more to say about some of its messages, sent within
    /// [`POLL_HORIZON_HOURS`](crate::store::POLL_HORIZON_HOURS): no final status yet, or
    /// delivered or undelivered and not priced yet.
    pub awaiting_status: bool,
}

/// Changes to a draft; an absent or `null` field is left as it is.
#[derive(Debug, Clone, Default, serde::Deserialize, specta::Type)]
#[serde(default)]
pub struct DraftChanges {
    #[specta(optional)]
    pub name: Option<String>,
    /// `""` clears the report address.
    #[specta(optional)]
    pub report_email: Option<String>,
    #[specta(optional)]
    pub mode: Option<Mode>,
    #[specta(optional)]
    pub audience: Option<AudienceSource>,
    #[specta(optional)]
    pub template: Option<String>,
    #[specta(optional)]
    pub write_back: Option<WriteBackTarget>,
    #[specta(optional)]
    pub skip_empty: Option<bool>,
    /// The campaign's own sending window (`enabled: false` sends at any hour).
    #[specta(optional)]
    pub window: Option<crate::window::WindowSpec>,
}

/// A window as the campaign stores it: checked, in canonical form.
fn clean_window(spec: &crate::window::WindowSpec) -> Result<crate::window::WindowSpec> {
    crate::window::SendingWindow::from_spec(spec)
        .map(|w| w.spec())
        .map_err(|e| Error::Invalid(format!("the sending window: {e}")))
}

/// The window in the event log's words.
pub fn window_in_words(spec: &crate::window::WindowSpec) -> String {
    if !spec.enabled {
        return "send at any hour (no sending window)".into();
    }
    let days = if spec.days.len() == 7 && !spec.days.iter().any(|d| d.contains('_')) {
        "every day".to_string()
    } else {
        spec.days
            .join(", ")
            .replace(crate::window::SUNDAY_FROM_NOON, "sun from 12:00")
    };
    format!(
        "texts arrive {}–{} in each member's time zone, {days}",
        spec.start, spec.end
    )
}

fn clean_name(name: &str) -> Result<String> {
    let name = name.trim();
    if name.is_empty() {
        return Err(Error::Invalid("the campaign needs a name".into()));
    }
    if name.chars().count() > 120 {
        return Err(Error::Invalid(
            "the campaign name is longer than 120 characters".into(),
        ));
    }
    Ok(name.to_string())
}

fn clean_email(email: Option<&str>) -> Result<Option<String>> {
    let Some(email) = email.map(str::trim).filter(|e| !e.is_empty()) else {
        return Ok(None);
    };
    let valid = email.split_once('@').is_some_and(|(local, domain)| {
        !local.is_empty()
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
    }) && !email.contains(char::is_whitespace);
    if valid {
        Ok(Some(email.to_string()))
    } else {
        Err(Error::Invalid(format!("'{email}' is not an email address")))
    }
}

fn name_conflict(name: &str) -> impl FnOnce(sqlx::Error) -> Error + '_ {
    move |e| match e.as_database_error() {
        Some(db) if db.is_unique_violation() => Error::Conflict(format!(
            "a campaign called '{name}' already exists; choose another name"
        )),
        _ => Error::Storage {
            action: "save the campaign",
            source: e,
        },
    }
}

/// What a status change needs to know about the campaign it changes.
#[derive(sqlx::FromRow)]
struct TransitionRow {
    status: CampaignStatus,
    archived_from: Option<CampaignStatus>,
    started_at: Option<DateTime<Utc>>,
    name: String,
}

/// The event-log word for a status change.
fn event_kind(from: CampaignStatus, to: CampaignStatus) -> &'static str {
    use CampaignStatus::*;
    match (from, to) {
        (Draft, Scheduled) => "scheduled",
        (Scheduled, Draft) => "unscheduled",
        (Scheduled, Sending) => "started",
        (Paused, Sending) => "resumed",
        (_, Paused) => "paused",
        (_, Completed) if from != Archived => "completed",
        (_, Canceled) if from != Archived => "canceled",
        (_, Archived) => "archived",
        (Archived, _) => "unarchived",
        _ => "status_changed",
    }
}

pub(crate) async fn append_event(
    tx: &mut Transaction<'_, Sqlite>,
    campaign_id: i64,
    at: DateTime<Utc>,
    actor: Actor,
    kind: &str,
    detail: Option<&str>,
) -> Result<()> {
    sqlx::query("INSERT INTO campaign_events (campaign_id, at, actor, kind, detail) VALUES (?1, ?2, ?3, ?4, ?5)")
        .bind(campaign_id)
        .bind(at)
        .bind(actor)
        .bind(kind)
        .bind(detail)
        .execute(&mut **tx)
        .await
        .context("record the campaign event")?;
    Ok(())
}

impl Store {
    /// Creates a draft campaign and logs its creation.
    pub async fn create_campaign(&self, new: NewCampaign, actor: Actor) -> Result<i64> {
        let name = clean_name(&new.name)?;
        let report_email = clean_email(new.report_email.as_deref())?;
        if let Some(audience) = &new.audience {
            audience.validate().map_err(Error::Invalid)?;
        }
        let window = new.window.as_ref().map(clean_window).transpose()?;
        let now = self.now();
        let mut tx = self.begin_write().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO campaigns (name, mode, report_email, audience, template, skip_empty, write_back,
                                    scheduled_at, created_at, updated_at, send_window)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9, ?10) RETURNING id",
        )
        .bind(&name)
        .bind(new.mode.unwrap_or(Mode::Test))
        .bind(report_email)
        .bind(new.audience.as_ref().map(sqlx::types::Json))
        .bind(new.template.unwrap_or_default())
        .bind(new.skip_empty.unwrap_or(false))
        .bind(new.write_back.unwrap_or(WriteBackTarget::Activity))
        .bind(new.schedule)
        .bind(now)
        .bind(window.as_ref().map(sqlx::types::Json))
        .fetch_one(&mut *tx)
        .await
        .map_err(name_conflict(&name))?;
        append_event(&mut tx, id, now, actor, "created", None).await?;
        if let Some(w) = &window {
            append_event(&mut tx, id, now, actor, "window", Some(&window_in_words(w))).await?;
        }
        tx.commit().await.context("save the campaign")?;
        tracing::info!(campaign = id, "campaign created");
        Ok(id)
    }

    pub async fn campaign(&self, id: i64) -> Result<Campaign> {
        sqlx::query_as(&format!(
            "SELECT {CAMPAIGN_COLUMNS} FROM campaigns WHERE id = ?1"
        ))
        .bind(id)
        .fetch_optional(&self.pool)
        .await
        .context("read the campaign")?
        .ok_or_else(|| Error::not_found("campaign", id))
    }

    pub async fn campaign_detail(&self, id: i64) -> Result<CampaignDetail> {
        let campaign = self.campaign(id).await?;
        let counts = self.message_counts(id).await?;
        let delivered_rate = counts.delivered_rate();
        Ok(CampaignDetail {
            campaign,
            counts,
            delivered_rate,
        })
    }

    /// What the scheduler needs on each tick about the campaigns it may act on, without
    /// counting their messages (two index probes per campaign, however large).
    pub async fn engine_states(&self) -> Result<Vec<CampaignState>> {
        sqlx::query_as(
            "SELECT c.id, c.status, c.scheduled_at,
                    EXISTS (SELECT 1 FROM messages m WHERE m.campaign_id = c.id) AS prepared,
                    (EXISTS (SELECT 1 FROM messages m WHERE m.campaign_id = c.id AND m.status = 'sent')
                     OR EXISTS (SELECT 1 FROM messages m WHERE m.campaign_id = c.id AND m.price IS NULL
                                  AND m.status IN ('delivered', 'undelivered') AND m.twilio_sid IS NOT NULL
                                  AND m.sent_at >= ?1))
                      AS awaiting_status
               FROM campaigns c
              WHERE c.status IN ('scheduled', 'sending', 'paused', 'completed', 'canceled')
              ORDER BY c.id",
        )
        .bind(self.now() - chrono::Duration::hours(super::POLL_HORIZON_HOURS))
        .fetch_all(&self.pool)
        .await
        .context("read the campaigns' states")
    }

    /// Every campaign, newest first, with its message counts.
    pub async fn list_campaigns(&self) -> Result<Vec<CampaignListItem>> {
        let campaigns: Vec<Campaign> = sqlx::query_as(&format!(
            "SELECT {CAMPAIGN_COLUMNS} FROM campaigns ORDER BY created_at DESC, id DESC"
        ))
        .fetch_all(&self.pool)
        .await
        .context("list the campaigns")?;
        let mut counts = self.all_message_counts().await?;
        Ok(campaigns
            .into_iter()
            .map(|c| {
                let counts = counts.remove(&c.id).unwrap_or_default();
                // Recipients to text: at send time the messages not excluded (invalid or
                // skipped rows are recorded too), before it the size summarised when scheduled.
                let audience_size = if counts.total > 0 {
                    Some(counts.total - counts.error - counts.skipped)
                } else {
                    c.summary_audience
                };
                CampaignListItem {
                    id: c.id,
                    name: c.name,
                    status: c.status,
                    mode: c.mode,
                    audience_size,
                    delivered_rate: counts.delivered_rate(),
                    counts,
                    scheduled_at: c.scheduled_at,
                    started_at: c.started_at,
                    completed_at: c.completed_at,
                    created_at: c.created_at,
                    updated_at: c.updated_at,
                }
            })
            .collect())
    }

    /// Edits a draft. Anything but a draft is refused (unschedule first).
    pub async fn update_draft(
        &self,
        id: i64,
        changes: DraftChanges,
        actor: Actor,
    ) -> Result<Campaign> {
        let current = self.campaign(id).await?;
        if !current.status.is_editable() {
            return Err(Error::Conflict(format!(
                "'{}' is {} and can no longer be edited{}",
                current.name,
                current.status,
                if current.status == CampaignStatus::Scheduled {
                    "; unschedule it first"
                } else {
                    ""
                }
            )));
        }
        let name = match &changes.name {
            Some(n) => clean_name(n)?,
            None => current.name.clone(),
        };
        let report_email = match &changes.report_email {
            Some(e) => clean_email(Some(e))?,
            None => current.report_email.clone(),
        };
        if let Some(a) = &changes.audience {
            a.validate().map_err(Error::Invalid)?;
        }
        let window = changes.window.as_ref().map(clean_window).transpose()?;
        let window_changed = window.is_some() && window != current.send_window;
        let now = self.now();
        let mut tx = self.begin_write().await?;
        let updated = sqlx::query(
            "UPDATE campaigns SET name = ?2, report_email = ?3, mode = ?4, audience = ?5, template = ?6,
                    write_back = ?7, skip_empty = ?8, updated_at = ?9, send_window = ?10
             WHERE id = ?1 AND status = 'draft'",
        )
        .bind(id)
        .bind(&name)
        .bind(report_email)
        .bind(changes.mode.unwrap_or(current.mode))
        .bind(changes.audience.or(current.audience).as_ref().map(sqlx::types::Json))
        .bind(changes.template.unwrap_or(current.template))
        .bind(changes.write_back.unwrap_or(current.write_back))
        .bind(changes.skip_empty.unwrap_or(current.skip_empty))
        .bind(now)
        .bind(window.clone().or(current.send_window).map(sqlx::types::Json))
        .execute(&mut *tx)
        .await
        .map_err(name_conflict(&name))?;
        if updated.rows_affected() == 0 {
            return Err(Error::Conflict(
                "the campaign changed status while it was being edited".into(),
            ));
        }
        append_event(&mut tx, id, now, actor, "edited", None).await?;
        if let (true, Some(w)) = (window_changed, &window) {
            append_event(&mut tx, id, now, actor, "window", Some(&window_in_words(w))).await?;
        }
        tx.commit().await.context("save the campaign")?;
        self.campaign(id).await
    }

    /// Moves a campaign to `to`, if its lifecycle allows it, and logs why.
    pub async fn transition(
        &self,
        id: i64,
        to: CampaignStatus,
        actor: Actor,
        reason: Option<&str>,
    ) -> Result<Campaign> {
        let now = self.now();
        let mut tx = self.begin_write().await?;
        let row: Option<TransitionRow> = sqlx::query_as(
            "SELECT status, archived_from, started_at, name FROM campaigns WHERE id = ?1",
        )
        .bind(id)
        .fetch_optional(&mut *tx)
        .await
        .context("read the campaign")?;
        let TransitionRow {
            status: from,
            archived_from,
            started_at,
            name,
        } = row.ok_or_else(|| Error::not_found("campaign", id))?;
        from.check_transition(to)?;
        if from == CampaignStatus::Archived && archived_from != Some(to) {
            return Err(crate::status::TransitionError {
                entity: "campaign",
                from: from.as_str(),
                to: to.as_str(),
            }
            .into());
        }
        let archived_from = if to == CampaignStatus::Archived {
            Some(from)
        } else {
            None
        };
        let started_at = if to == CampaignStatus::Sending {
            started_at.or(Some(now))
        } else {
            started_at
        };
        let pause_reason = if to == CampaignStatus::Paused {
            reason
        } else {
            None
        };
        let result = sqlx::query(
            "UPDATE campaigns SET status = ?2, archived_from = ?3, started_at = ?4, pause_reason = ?5,
                    completed_at = CASE WHEN ?2 IN ('completed','canceled') THEN ?6 ELSE completed_at END,
                    updated_at = ?6
             WHERE id = ?1 AND status = ?7",
        )
        .bind(id)
        .bind(to)
        .bind(archived_from)
        .bind(started_at)
        .bind(pause_reason)
        .bind(now)
        .bind(from)
        .execute(&mut *tx)
        .await;
        let updated = result.map_err(|e| match e.as_database_error() {
            Some(db) if db.is_unique_violation() => Error::Conflict(format!(
                "another campaign is already called '{name}'; rename one of them before unarchiving"
            )),
            _ => Error::Storage {
                action: "change the campaign's status",
                source: e,
            },
        })?;
        if updated.rows_affected() == 0 {
            // Someone else changed the status between the read and the write: log nothing.
            return Err(Error::Conflict(format!(
                "'{name}' changed status while this was being done; look again and retry"
            )));
        }
        append_event(&mut tx, id, now, actor, event_kind(from, to), reason).await?;
        tx.commit().await.context("change the campaign's status")?;
        tracing::info!(campaign = id, %from, %to, "campaign status changed");
        self.campaign(id).await
    }

    /// Restores an archived campaign to the status it was archived from.
    pub async fn unarchive(&self, id: i64, actor: Actor) -> Result<Campaign> {
        let back_to = self
            .campaign(id)
            .await?
            .archived_from
            .unwrap_or(CampaignStatus::Draft);
        self.transition(id, back_to, actor, None).await
    }

    /// Schedules a draft for `at` (or now). It must have an audience and a message.
    pub async fn schedule(
        &self,
        id: i64,
        at: Option<DateTime<Utc>>,
        actor: Actor,
    ) -> Result<Campaign> {
        let c = self.campaign(id).await?;
        if c.status == CampaignStatus::Draft {
            if c.audience.is_none() {
                return Err(Error::Invalid(format!("'{}' has no audience yet", c.name)));
            }
            if c.template.trim().is_empty() {
                return Err(Error::Invalid(format!("'{}' has no message yet", c.name)));
            }
            let at = at.or(c.scheduled_at).unwrap_or_else(|| self.now());
            sqlx::query(
                "UPDATE campaigns SET scheduled_at = ?2 WHERE id = ?1 AND status = 'draft'",
            )
            .bind(id)
            .bind(at)
            .execute(&self.pool)
            .await
            .context("save the schedule")?;
            if c.send_window.is_none() {
                // The Settings' window as it is now becomes the campaign's: a later change
                // of Settings does not move a scheduled campaign.
                let spec = clean_window(&self.settings().await?.window_spec())
                    .unwrap_or_else(|_| crate::window::SendingWindow::default().spec());
                let mut tx = self.begin_write().await?;
                sqlx::query(
                    "UPDATE campaigns SET send_window = ?2 WHERE id = ?1 AND send_window IS NULL",
                )
                .bind(id)
                .bind(sqlx::types::Json(&spec))
                .execute(&mut *tx)
                .await
                .context("save the sending window")?;
                append_event(
                    &mut tx,
                    id,
                    self.now(),
                    actor,
                    "window",
                    Some(&window_in_words(&spec)),
                )
                .await?;
                tx.commit().await.context("save the sending window")?;
            }
        }
        let detail = at.map(|t| format!("for {}", t.to_rfc3339()));
        self.transition(
            id,
            CampaignStatus::Scheduled,
            actor,
            detail.as_deref().or(Some("now")),
        )
        .await
    }

    /// Starts a scheduled campaign now (one whose time passed while Herald was closed and
    /// that waits for the user's go-ahead, or any scheduled one).
    pub async fn start_now(&self, id: i64, actor: Actor) -> Result<Campaign> {
        let now = self.now();
        let mut tx = self.begin_write().await?;
        let updated = sqlx::query("UPDATE campaigns SET scheduled_at = ?2, updated_at = ?2 WHERE id = ?1 AND status = 'scheduled'")
            .bind(id)
            .bind(now)
            .execute(&mut *tx)
            .await
            .context("start the campaign")?;
        if updated.rows_affected() == 0 {
            let c = self.campaign(id).await?;
            return Err(Error::Conflict(format!(
                "'{}' is {}; only a scheduled campaign can be started now",
                c.name, c.status
            )));
        }
        append_event(
            &mut tx,
            id,
            now,
            actor,
            "start_now",
            Some("started by hand"),
        )
        .await?;
        tx.commit().await.context("start the campaign")?;
        self.campaign(id).await
    }

    /// A follow-up campaign to the recipients whose message failed or was undelivered
    /// (not those who opted out, nor numbers on the opt-out list since), with the same
    /// texts, scheduled now. Returns its id. Counted against the cap like any other send.
    pub async fn create_retry_campaign(&self, id: i64, actor: Actor) -> Result<i64> {
        let c = self.campaign(id).await?;
        let now = self.now();
        let mut tx = self.begin_write().await?;
        let (n,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM messages m WHERE m.campaign_id = ?1 AND m.status IN ('failed','undelivered')
                AND COALESCE(m.error_code, 0) != 21610
                AND NOT EXISTS (SELECT 1 FROM opt_outs o WHERE o.phone_e164 = m.to_e164)",
        )
        .bind(id)
        .fetch_one(&mut *tx)
        .await
        .context("count the messages to retry")?;
        if n == 0 {
            return Err(Error::Invalid(format!(
                "'{}' has no failed or undelivered message to retry",
                c.name
            )));
        }
        let (earlier,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM campaigns WHERE name LIKE ?1 || ' — retry%'")
                .bind(&c.name)
                .fetch_one(&mut *tx)
                .await
                .context("name the retry")?;
        let name = if earlier == 0 {
            format!("{} — retry", c.name)
        } else {
            format!("{} — retry {}", c.name, earlier + 1)
        };
        let (new_id,): (i64,) = sqlx::query_as(
            "INSERT INTO campaigns (name, status, mode, report_email, audience, template, skip_empty, write_back,
                                    scheduled_at, created_at, updated_at, send_window)
             SELECT ?2, 'scheduled', mode, report_email, audience, template, skip_empty, write_back, ?3, ?3, ?3,
                    send_window
               FROM campaigns WHERE id = ?1 RETURNING id",
        )
        .bind(id)
        .bind(&name)
        .bind(now)
        .fetch_one(&mut *tx)
        .await
        .context("create the retry campaign")?;
        sqlx::query(
            "INSERT INTO messages (campaign_id, row_index, imis_id, member_name, phone_raw, to_e164, body, encoding,
                                   segments, status, updated_at, time_zone)
             SELECT ?2, ROW_NUMBER() OVER (ORDER BY m.row_index) - 1, m.imis_id, m.member_name, m.phone_raw, m.to_e164,
                    m.body, m.encoding, m.segments, 'preparing', ?3, m.time_zone
               FROM messages m WHERE m.campaign_id = ?1 AND m.status IN ('failed','undelivered')
                AND COALESCE(m.error_code, 0) != 21610
                AND NOT EXISTS (SELECT 1 FROM opt_outs o WHERE o.phone_e164 = m.to_e164)
              ORDER BY m.row_index", // inserted in audience order, as every campaign's messages
        )
        .bind(id)
        .bind(new_id)
        .bind(now)
        .execute(&mut *tx)
        .await
        .context("copy the messages to retry")?;
        let detail = format!(
            "{n} failed or undelivered messages of '{}' sent again",
            c.name
        );
        append_event(&mut tx, new_id, now, actor, "created", Some(&detail)).await?;
        append_event(&mut tx, new_id, now, actor, "scheduled", Some("now")).await?;
        append_event(
            &mut tx,
            id,
            now,
            actor,
            "retry_created",
            Some(&format!("'{name}' sends {n} messages again")),
        )
        .await?;
        tx.commit().await.map_err(name_conflict(&name))?;
        Ok(new_id)
    }

    /// Deletes a draft (and only a draft). The event log keeps a record of it.
    pub async fn delete_draft(&self, id: i64, actor: Actor) -> Result<()> {
        let now = self.now();
        let mut tx = self.begin_write().await?;
        let deleted = sqlx::query("DELETE FROM campaigns WHERE id = ?1 AND status = 'draft'")
            .bind(id)
            .execute(&mut *tx)
            .await
            .context("delete the draft")?;
        if deleted.rows_affected() == 0 {
            drop(tx);
            let c = self.campaign(id).await?;
            return Err(Error::Conflict(format!(
                "'{}' is {}; only drafts can be deleted",
                c.name, c.status
            )));
        }
        append_event(&mut tx, id, now, actor, "deleted", None).await?;
        tx.commit().await.context("delete the draft")?;
        Ok(())
    }

    /// Copies a campaign's settings into a new draft named "<name> (copy)", "(copy 2)", …
    pub async fn duplicate_campaign(&self, id: i64, actor: Actor) -> Result<i64> {
        let c = self.campaign(id).await?;
        let mut n = 1;
        loop {
            let name = if n == 1 {
                format!("{} (copy)", c.name)
            } else {
                format!("{} (copy {n})", c.name)
            };
            let new = NewCampaign {
                name,
                report_email: c.report_email.clone(),
                mode: Some(c.mode),
                audience: c.audience.clone(),
                template: Some(c.template.clone()),
                write_back: Some(c.write_back),
                skip_empty: Some(c.skip_empty),
                schedule: None,
                window: c.send_window.clone(),
            };
            match self.create_campaign(new, actor).await {
                Err(Error::Conflict(_)) if n < 100 => n += 1,
                other => return other,
            }
        }
    }

    /// The campaign's event log, oldest first.
    pub async fn campaign_events(&self, id: i64) -> Result<Vec<CampaignEvent>> {
        sqlx::query_as(
            "SELECT id, campaign_id, at, actor, kind, detail FROM campaign_events WHERE campaign_id = ?1 ORDER BY id",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await
        .context("read the campaign's history")
    }

    /// Every campaign's events after the event `after`, oldest first, at most `limit`.
    pub async fn events_after(&self, after: i64, limit: u32) -> Result<Vec<CampaignEvent>> {
        sqlx::query_as(
            "SELECT id, campaign_id, at, actor, kind, detail FROM campaign_events WHERE id > ?1 ORDER BY id LIMIT ?2",
        )
        .bind(after)
        .bind(limit)
        .fetch_all(&self.pool)
        .await
        .context("read the campaigns' history")
    }

    /// The newest event's id (0 when there is none).
    pub async fn last_event_id(&self) -> Result<i64> {
        let (id,): (Option<i64>,) = sqlx::query_as("SELECT max(id) FROM campaign_events")
            .fetch_one(&self.pool)
            .await
            .context("read the campaigns' history")?;
        Ok(id.unwrap_or(0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;
    use crate::store::test_support::{message, new_draft, store};
    use CampaignStatus as S;

    fn new(name: &str) -> NewCampaign {
        NewCampaign {
            name: name.into(),
            audience: Some(AudienceSource {
                query: Some("$/Herald/All members".into()),
                params: Default::default(),
                csv: None,
                id_column: "ID".into(),
                phone_column: "Mobile".into(),
            }),
            template: Some("Hello ${FirstName}".into()),
            ..Default::default()
        }
    }

    #[tokio::test]
    async fn create_read_and_list() {
        let (store, _clock, _dir) = store().await;
        let id = store
            .create_campaign(new("Renewals"), Actor::User)
            .await
            .unwrap();
        let c = store.campaign(id).await.unwrap();
        assert_eq!(
            (c.name.as_str(), c.status, c.mode),
            ("Renewals", S::Draft, Mode::Test)
        );
        assert_eq!(c.audience.unwrap().phone_column, "Mobile");
        let list = store.list_campaigns().await.unwrap();
        assert_eq!(list.len(), 1);
        assert_eq!(list[0].counts.total, 0);
        let err = store.campaign(999).await.unwrap_err();
        assert_eq!(err.code(), ErrorCode::NotFound);
    }

    #[tokio::test]
    async fn the_scheduler_sees_states_without_counting() {
        let (store, _clock, _dir) = store().await;
        let draft = new_draft(&store, "Draft").await;
        let id = new_draft(&store, "Sending").await;
        sqlx::query("UPDATE campaigns SET status = 'sending' WHERE id = ?1")
            .bind(id)
            .execute(store.pool())
            .await
            .unwrap();
        let states = store.engine_states().await.unwrap();
        assert_eq!(
            states.len(),
            1,
            "drafts are not the scheduler's: {states:?}"
        );
        assert_eq!(
            (
                states[0].id,
                states[0].status,
                states[0].prepared,
                states[0].awaiting_status
            ),
            (id, S::Sending, false, false)
        );
        store
            .insert_messages(id, &[message(1, 1), message(2, 1)])
            .await
            .unwrap();
        let s = &store.engine_states().await.unwrap()[0];
        assert!(s.prepared && !s.awaiting_status, "{s:?}");
        sqlx::query("UPDATE messages SET status = 'sent' WHERE row_index = 2")
            .execute(store.pool())
            .await
            .unwrap();
        let s = &store.engine_states().await.unwrap()[0];
        assert!(s.prepared && s.awaiting_status, "{s:?}");
        assert_ne!(s.id, draft);
    }

    #[tokio::test]
    async fn names_are_unique_among_unarchived_campaigns() {
        let (store, _clock, _dir) = store().await;
        let id = store
            .create_campaign(new("Gala"), Actor::User)
            .await
            .unwrap();
        let err = store
            .create_campaign(new(" gala "), Actor::User)
            .await
            .unwrap_err();
        assert_eq!(err.code(), ErrorCode::Conflict);
        assert!(err.to_string().contains("already exists"), "{err}");
        store
            .transition(id, S::Archived, Actor::User, None)
            .await
            .unwrap();
        let second = store
            .create_campaign(new("Gala"), Actor::User)
            .await
            .unwrap();
        let err = store
            .transition(id, S::Draft, Actor::User, None)
            .await
            .unwrap_err();
        assert!(err.to_string().contains("rename one of them"), "{err}");
        store.delete_draft(second, Actor::User).await.unwrap();
        store
            .transition(id, S::Draft, Actor::User, None)
            .await
            .unwrap();
    }

    #[tokio::test]
    async fn invalid_input_is_refused_and_nothing_is_written() {
        let (store, _clock, _dir) = store().await;
        assert_eq!(
            store
                .create_campaign(new("  "), Actor::User)
                .await
                .unwrap_err()
                .code(),
            ErrorCode::Invalid
        );
        let mut bad = new("x");
        bad.report_email = Some("not-an-address".into());
        assert!(store
            .create_campaign(bad, Actor::User)
            .await
            .unwrap_err()
            .to_string()
            .contains("not an email"));
        let mut bad = new("y");
        bad.audience.as_mut().unwrap().csv = Some("a.csv".into());
        assert!(store.create_campaign(bad, Actor::User).await.is_err());
        assert!(store.list_campaigns().await.unwrap().is_empty());
        let events: i64 = sqlx::query_scalar("SELECT count(*) FROM campaign_events")
            .fetch_one(store.pool())
            .await
            .unwrap();
        assert_eq!(events, 0);
    }

    #[tokio::test]
    async fn lifecycle_is_enforced_and_logged() {
        let (store, clock, _dir) = store().await;
        let id = store
            .create_campaign(new("Dues"), Actor::User)
            .await
            .unwrap();
        let err = store
            .transition(id, S::Sending, Actor::User, None)
            .await
            .unwrap_err();
        assert_eq!(err.code(), ErrorCode::IllegalTransition);
        assert_eq!(
            err.to_string(),
            "a campaign cannot go from draft to sending"
        );
        let c = store.schedule(id, None, Actor::User).await.unwrap();
        assert_eq!(c.status, S::Scheduled);
        assert_eq!(c.scheduled_at, Some(clock.now()));
        let err = store
            .update_draft(id, DraftChanges::default(), Actor::User)
            .await
            .unwrap_err();
        assert!(err.to_string().contains("unschedule it first"), "{err}");
        store
            .transition(id, S::Draft, Actor::User, None)
            .await
            .unwrap();
        store.schedule(id, None, Actor::Cli).await.unwrap();
        clock.advance(chrono::Duration::minutes(5));
        let c = store
            .transition(id, S::Sending, Actor::Scheduler, None)
            .await
            .unwrap();
        assert_eq!(c.started_at, Some(clock.now()));
        let c = store
            .transition(
                id,
                S::Paused,
                Actor::Engine,
                Some("Twilio refused the credentials"),
            )
            .await
            .unwrap();
        assert_eq!(
            c.pause_reason.as_deref(),
            Some("Twilio refused the credentials")
        );
        let c = store
            .transition(id, S::Sending, Actor::User, None)
            .await
            .unwrap();
        assert_eq!(c.pause_reason, None);
        clock.advance(chrono::Duration::minutes(5));
        let c = store
            .transition(id, S::Completed, Actor::Engine, None)
            .await
            .unwrap();
        assert_eq!(c.completed_at, Some(clock.now()));
        assert!(store.delete_draft(id, Actor::User).await.is_err());
        store
            .transition(id, S::Archived, Actor::User, None)
            .await
            .unwrap();
        assert!(
            store
                .transition(id, S::Draft, Actor::User, None)
                .await
                .is_err(),
            "unarchive returns where it was"
        );
        let c = store
            .transition(id, S::Completed, Actor::User, None)
            .await
            .unwrap();
        assert_eq!(c.archived_from, None);
        let kinds: Vec<String> = store
            .campaign_events(id)
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.kind)
            .collect();
        assert_eq!(
            kinds,
            [
                "created",
                "window",
                "scheduled",
                "unscheduled",
                "scheduled",
                "started",
                "paused",
                "resumed",
                "completed",
                "archived",
                "unarchived"
            ]
        );
        let paused = store
            .campaign_events(id)
            .await
            .unwrap()
            .into_iter()
            .find(|e| e.kind == "paused")
            .unwrap();
        assert_eq!(
            (paused.actor, paused.detail.as_deref()),
            (Actor::Engine, Some("Twilio refused the credentials"))
        );
    }

    #[tokio::test]
    async fn schedule_needs_a_complete_campaign() {
        let (store, _clock, _dir) = store().await;
        let id = new_draft(&store, "Empty").await;
        let err = store.schedule(id, None, Actor::User).await.unwrap_err();
        assert_eq!(err.to_string(), "'Empty' has no audience yet");
        assert_eq!(store.campaign(id).await.unwrap().status, S::Draft);
    }

    #[tokio::test]
    async fn event_log_is_append_only_and_survives_deletion() {
        let (store, _clock, _dir) = store().await;
        let id = store
            .create_campaign(new("Temp"), Actor::User)
            .await
            .unwrap();
        store.delete_draft(id, Actor::User).await.unwrap();
        let kinds: Vec<String> = store
            .campaign_events(id)
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.kind)
            .collect();
        assert_eq!(kinds, ["created", "deleted"]);
        let err = sqlx::query("UPDATE campaign_events SET kind = 'x'")
            .execute(store.pool())
            .await
            .unwrap_err();
        assert!(err.to_string().contains("append-only"));
        assert!(sqlx::query("DELETE FROM campaign_events")
            .execute(store.pool())
            .await
            .is_err());
    }

    #[tokio::test]
    async fn duplicate_and_edit_drafts() {
        let (store, _clock, _dir) = store().await;
        let id = store
            .create_campaign(new("Gala"), Actor::User)
            .await
            .unwrap();
        let copy = store.duplicate_campaign(id, Actor::User).await.unwrap();
        let copy2 = store.duplicate_campaign(id, Actor::User).await.unwrap();
        assert_eq!(store.campaign(copy).await.unwrap().name, "Gala (copy)");
        assert_eq!(store.campaign(copy2).await.unwrap().name, "Gala (copy 2)");
        let c = store
            .update_draft(
                copy,
                DraftChanges {
                    template: Some("Bye".into()),
                    report_email: Some("".into()),
                    ..Default::default()
                },
                Actor::User,
            )
            .await
            .unwrap();
        assert_eq!((c.template.as_str(), c.report_email), ("Bye", None));
        let err = store
            .update_draft(
                copy,
                DraftChanges {
                    name: Some("Gala".into()),
                    ..Default::default()
                },
                Actor::User,
            )
            .await
            .unwrap_err();
        assert_eq!(err.code(), ErrorCode::Conflict);
    }
}
