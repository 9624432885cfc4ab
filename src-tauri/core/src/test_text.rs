//! "Send a test text to my phone": one real text of a LIVE campaign's message, rendered for
//! one of its recipients, to the staffer's own number. It is recorded before the request
//! leaves and closed with Twilio's answer; when the answer is lost (a timeout, a crash) it
//! is looked up at Twilio, never sent again. It counts against the daily cap, shows in the
//! campaign's event log, and is never written back to iMIS.

use crate::campaign::{Actor, Mode};
use crate::compose::phone::{self, Region};
use crate::drafts::prepare_draft;
use crate::engine::gateway::Gateway;
use crate::error::{Error, Result};
use crate::secrets::SecretStore;
use crate::store::{Store, TestText, TestTextState};
use crate::telemetry::mask_phone;
use crate::twilio::{codes, CreateOutcome};
use std::time::Duration;

/// How a test text was asked for.
#[derive(Debug, Clone)]
pub struct TestTextRequest {
    pub campaign_id: i64,
    /// The number as the person typed it; read with the default region.
    pub to: String,
    /// Render the message for this member (their merge values); the first recipient
    /// when `None`.
    pub as_imis_id: Option<String>,
}

/// Sends one test text and returns it as recorded: `Sent`, `Failed` with Twilio's reason
/// in words, or `Sending` when Twilio's answer was lost and Herald is checking.
pub async fn send(
    store: &Store,
    secrets: &dyn SecretStore,
    request: &TestTextRequest,
    timeout: Option<Duration>,
) -> Result<TestText> {
    let c = store.campaign(request.campaign_id).await?;
    if c.mode != Mode::Live {
        return Err(Error::Conflict(format!(
            "'{}' is a TEST campaign, and TEST never sends a real text: choose LIVE on the Message step to text yourself the message",
            c.name
        )));
    }
    let settings = store.settings().await?;
    if settings.is_demo() {
        return Err(Error::Conflict(
            "the demo workspace never sends a real text: connect iMIS and Twilio in Settings first"
                .into(),
        ));
    }
    let region =
        Region::parse(&settings.default_region()).map_err(|e| Error::Invalid(e.to_string()))?;
    let to = phone::parse(&request.to, region).map_err(|e| {
        Error::Invalid(format!(
            "'{}' is not a phone number Herald can text: {e}",
            request.to
        ))
    })?;
    if !to.is_sendable() {
        return Err(Error::Invalid(format!(
            "{} is a landline number; enter a mobile number",
            to.e164()
        )));
    }
    let gateway = Gateway::live(&settings, secrets, timeout).map_err(Error::Conflict)?;
    let Gateway::Twilio(client) = &gateway else {
        unreachable!("Gateway::live is never simulated")
    };
    // What an earlier test text left unknown is settled first (one younger than a request's
    // timeout may still be in flight from another window or herald-cli: left for later).
    reconcile(store, &gateway, client.config().timeout).await?;
    let (prepared, _) = prepare_draft(store, &c, &settings).await?;
    let recipient = match request.as_imis_id.as_deref() {
        Some(id) => prepared
            .iter()
            .find(|m| m.imis_id.as_deref() == Some(id))
            .ok_or_else(|| {
                Error::Invalid(format!(
                    "nobody in '{}''s audience has the iMIS ID {id}",
                    c.name
                ))
            })?,
        None => prepared
            .iter()
            .find(|m| m.exclusion.is_none())
            .ok_or_else(|| {
                Error::Invalid(format!("'{}' has nobody to render the message for", c.name))
            })?,
    };
    let text = store
        .begin_test_text(
            c.id,
            to.e164(),
            recipient.imis_id.as_deref(),
            &recipient.body,
            recipient.segments,
            settings.daily_segment_cap(),
        )
        .await?;
    let outcome = client.create_message(to.e164(), &recipient.body).await;
    let text = record(store, &text, outcome).await?;
    log(store, &text).await?;
    Ok(text)
}

/// Closes a test text with Twilio's answer; a lost answer leaves it open for [`reconcile`].
async fn record(store: &Store, text: &TestText, outcome: CreateOutcome) -> Result<TestText> {
    let (state, sid, detail) = match outcome {
        CreateOutcome::Accepted(resource) => (TestTextState::Sent, Some(resource.sid), None),
        CreateOutcome::Rejected { code, .. } => (
            TestTextState::Failed,
            None,
            Some(format!("Twilio refused it: {} (error {code})", codes::explain(code))),
        ),
        CreateOutcome::NotAccepted { code, .. } => (
            TestTextState::Failed,
            None,
            Some(format!(
                "Twilio did not take it just now: {} (error {code}); nothing was sent, try again in a minute",
                codes::explain(code)
            )),
        ),
        CreateOutcome::Unreachable { detail } => (
            TestTextState::Failed,
            None,
            Some(format!("Herald could not reach Twilio ({detail}); nothing was sent")),
        ),
        CreateOutcome::Ambiguous { detail } => {
            tracing::warn!(test_text = text.id, %detail, "a test text's outcome is unknown; it will be checked with Twilio");
            return Ok(TestText {
                detail: Some(
                    "Twilio's answer was lost; Herald is checking whether it was sent (it will not send it again)"
                        .into(),
                ),
                ..text.clone()
            });
        }
    };
    store
        .finish_test_text(text.id, state, sid.as_deref(), detail.as_deref())
        .await
}

async fn log(store: &Store, text: &TestText) -> Result<()> {
    let whom = text
        .as_imis_id
        .as_deref()
        .map(|id| format!(" (as member {id})"))
        .unwrap_or_default();
    let outcome = match text.state {
        TestTextState::Sent => "sent".to_string(),
        TestTextState::Failed => format!("not sent: {}", text.detail.as_deref().unwrap_or("")),
        TestTextState::Sending => "being checked with Twilio".to_string(),
    };
    tracing::info!(test_text = text.id, to = %mask_phone(&text.to_e164), state = ?text.state, "test text");
    store
        .log_event(
            text.campaign_id,
            Actor::User,
            "test_text",
            Some(&format!(
                "Test text to {}{whom}: {outcome}",
                mask_phone(&text.to_e164)
            )),
        )
        .await?;
    Ok(())
}

/// Looks up at Twilio every test text whose outcome is unknown and that started at least
/// `older_than` ago: found means sent, absent means it never left. Returns how many were
/// settled; a lookup that fails leaves its text for the next time.
pub async fn reconcile(store: &Store, gateway: &Gateway, older_than: Duration) -> Result<usize> {
    let now = store.now();
    let cutoff = now - chrono::Duration::from_std(older_than).unwrap_or_default();
    let mut settled = 0;
    for text in store.open_test_texts().await? {
        if text.started_at > cutoff {
            continue;
        }
        let since = text.started_at - chrono::Duration::minutes(1);
        let found = match gateway.find(&text.to_e164, &text.body, since).await {
            Ok(found) => found,
            Err(e) => {
                tracing::warn!(test_text = text.id, error = %e, "could not check a test text with Twilio");
                continue;
            }
        };
        let closed = match found {
            Some(m) => {
                store
                    .finish_test_text(text.id, TestTextState::Sent, Some(&m.sid), None)
                    .await?
            }
            None => {
                store
                    .finish_test_text(
                        text.id,
                        TestTextState::Failed,
                        None,
                        Some("Twilio has no record of it, so it was not sent"),
                    )
                    .await?
            }
        };
        log(store, &closed).await?;
        settled += 1;
    }
    Ok(settled)
}
