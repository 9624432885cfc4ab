//! Twilio's message resource as it arrives: every field may be null, `num_segments` is a
//! string, prices are negative strings, dates are RFC 2822.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer};

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct MessageResource {
    pub sid: String,
    #[serde(default)]
    pub to: Option<String>,
    #[serde(default)]
    pub from: Option<String>,
    #[serde(default)]
    pub messaging_service_sid: Option<String>,
    #[serde(default)]
    pub body: Option<String>,
    /// `inbound` for a member's reply; `outbound-api` (and others) for ours.
    #[serde(default)]
    pub direction: Option<String>,
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub error_code: Option<i64>,
    #[serde(default)]
    pub error_message: Option<String>,
    #[serde(default, deserialize_with = "string_number")]
    pub num_segments: Option<i64>,
    #[serde(default)]
    pub price: Option<String>,
    #[serde(default)]
    pub price_unit: Option<String>,
    #[serde(default, deserialize_with = "rfc2822")]
    pub date_created: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "rfc2822")]
    pub date_sent: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "rfc2822")]
    pub date_updated: Option<DateTime<Utc>>,
}

/// One page of the list endpoint.
#[derive(Debug, Clone, Deserialize)]
pub struct MessagePage {
    #[serde(default)]
    pub messages: Vec<MessageResource>,
    #[serde(default)]
    pub next_page_uri: Option<String>,
}

fn string_number<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    let v: Option<serde_json::Value> = Option::deserialize(d)?;
    Ok(match v {
        Some(serde_json::Value::String(s)) => s.trim().parse().ok(),
        Some(serde_json::Value::Number(n)) => n.as_i64(),
        _ => None,
    })
}

fn rfc2822<'de, D: Deserializer<'de>>(d: D) -> Result<Option<DateTime<Utc>>, D::Error> {
    let v: Option<String> = Option::deserialize(d)?;
    Ok(v.and_then(|s| {
        DateTime::parse_from_rfc2822(&s)
            .ok()
            .map(|d| d.with_timezone(&Utc))
    }))
}

/// Formats a time the way Twilio does: `Thu, 24 Aug 2023 05:01:45 +0000`.
pub fn to_rfc2822(t: DateTime<Utc>) -> String {
    t.format("%a, %d %b %Y %H:%M:%S +0000").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_reference_example_parses() {
        let m: MessageResource = serde_json::from_str(r#"{"sid":"SM0123456789abcdef0123456789abcdef","account_sid":"ACx","status":"queued","to":"+14155552345","from":"+14155550000","messaging_service_sid":null,"body":"Hello Jane","num_segments":"1","num_media":"0","price":null,"price_unit":"USD","error_code":null,"error_message":null,"direction":"outbound-api","api_version":"2010-04-01","date_created":"Thu, 24 Aug 2023 05:01:45 +0000","date_sent":null,"date_updated":"Thu, 24 Aug 2023 05:01:45 +0000","uri":"/x","subresource_uris":{"media":"/y"}}"#).unwrap();
        assert_eq!(m.num_segments, Some(1));
        assert_eq!(m.status.as_deref(), Some("queued"));
        let created = m.date_created.unwrap();
        assert_eq!(to_rfc2822(created), "Thu, 24 Aug 2023 05:01:45 +0000");
        assert!(m.date_sent.is_none());
    }
}
