//! Values as iMIS sends them, kept typed, and formatted for merge fields the way a person
//! writes them (no `13280.0000`, dates as dates).

use chrono::{NaiveDate, NaiveDateTime};
use serde_json::Value as Json;

/// One cell of a query result.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// Absent or empty.
    Null,
    Text(String),
    Integer(i64),
    /// `System.Decimal`, `System.Double`, `System.Single`.
    Number(f64),
    Bool(bool),
    /// iMIS date-times carry no offset.
    DateTime(NaiveDateTime),
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

impl Value {
    /// The value as it appears in a merge field or a CSV export: whole numbers without
    /// decimals, other decimals trimmed (money keeps two places), dates as `May 1, 2024`,
    /// times as `May 1, 2024 14:03`, booleans as `Yes`/`No`, absent as empty.
    pub fn merge_text(&self) -> String {
        match self {
            Value::Null => String::new(),
            Value::Text(s) => s.clone(),
            Value::Integer(i) => i.to_string(),
            Value::Number(n) => format_number(*n),
            Value::Bool(true) => "Yes".into(),
            Value::Bool(false) => "No".into(),
            Value::DateTime(dt) => format_datetime(dt),
        }
    }

    /// The value as JSON, typed as iMIS sent it: numbers, booleans, dates as ISO strings,
    /// absent as null.
    pub fn to_json(&self) -> Json {
        match self {
            Value::Null => Json::Null,
            Value::Text(s) => Json::String(s.clone()),
            Value::Integer(i) => Json::from(*i),
            Value::Number(n) => serde_json::Number::from_f64(*n).map_or(Json::Null, Json::Number),
            Value::Bool(b) => Json::Bool(*b),
            Value::DateTime(dt) => Json::String(iso(dt)),
        }
    }

    /// Decodes a plain JSON value (flat rows of `/api/query`): strings that are exactly an
    /// iMIS date-time become dates; everything else keeps its JSON type.
    pub fn from_plain(json: &Json) -> Value {
        match json {
            Json::Null => Value::Null,
            Json::Bool(b) => Value::Bool(*b),
            Json::Number(n) => n
                .as_i64()
                .map(Value::Integer)
                .or_else(|| n.as_f64().map(Value::Number))
                .unwrap_or(Value::Null),
            Json::String(s) if s.is_empty() => Value::Null,
            Json::String(s) => {
                parse_datetime(s).map_or_else(|| Value::Text(s.clone()), Value::DateTime)
            }
            Json::Object(map) if map.contains_key("$value") => Value::from_typed(json),
            other => Value::Text(other.to_string()),
        }
    }

    /// Decodes a wrapped `{"$type": "System.Int32", "$value": 5}` value (GenericEntityData),
    /// or a plain one.
    pub fn from_typed(json: &Json) -> Value {
        let Json::Object(map) = json else {
            return Value::from_plain(json);
        };
        let Some(inner) = map.get("$value") else {
            return Value::Text(json.to_string());
        };
        let ty = map.get("$type").and_then(Json::as_str).unwrap_or("");
        let ty = ty.split(',').next().unwrap_or("").trim();
        match ty {
            "System.Int16" | "System.Int32" | "System.Int64" | "System.Byte" | "System.UInt16"
            | "System.UInt32" | "System.UInt64" | "System.SByte" => match inner {
                Json::Number(n) => n.as_i64().map_or(Value::Null, Value::Integer),
                Json::String(s) => s
                    .trim()
                    .parse()
                    .map_or_else(|_| Value::Text(s.clone()), Value::Integer),
                _ => Value::from_plain(inner),
            },
            "System.Decimal" | "System.Double" | "System.Single" => match inner {
                Json::Number(n) => n.as_f64().map_or(Value::Null, Value::Number),
                Json::String(s) => s
                    .trim()
                    .parse()
                    .map_or_else(|_| Value::Text(s.clone()), Value::Number),
                _ => Value::from_plain(inner),
            },
            "System.Boolean" => match inner {
                Json::Bool(b) => Value::Bool(*b),
                Json::String(s) if s.eq_ignore_ascii_case("true") => Value::Bool(true),
                Json::String(s) if s.eq_ignore_ascii_case("false") => Value::Bool(false),
                _ => Value::from_plain(inner),
            },
            "System.DateTime" => match inner {
                Json::String(s) => parse_datetime(s).map_or_else(
                    || {
                        if s.is_empty() {
                            Value::Null
                        } else {
                            Value::Text(s.clone())
                        }
                    },
                    Value::DateTime,
                ),
                _ => Value::from_plain(inner),
            },
            _ => match inner {
                Json::String(s) if s.is_empty() => Value::Null,
                Json::String(s) => Value::Text(s.clone()),
                _ => Value::from_plain(inner),
            },
        }
    }
}

/// `2024-05-01T00:00:00`, with optional fractional seconds; nothing else.
pub fn parse_datetime(s: &str) -> Option<NaiveDateTime> {
    let b = s.as_bytes();
    if b.len() < 19 || b[4] != b'-' || b[7] != b'-' || b[10] != b'T' || b[13] != b':' {
        return None;
    }
    NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f").ok()
}

/// The naive ISO form iMIS reads and writes: `2026-11-27T14:03:05`.
pub fn iso(dt: &NaiveDateTime) -> String {
    dt.format("%Y-%m-%dT%H:%M:%S").to_string()
}

fn format_date(d: NaiveDate) -> String {
    use chrono::Datelike;
    format!("{} {}, {}", MONTHS[d.month0() as usize], d.day(), d.year())
}

fn format_datetime(dt: &NaiveDateTime) -> String {
    use chrono::Timelike;
    if dt.time() == chrono::NaiveTime::MIN {
        format_date(dt.date())
    } else {
        format!(
            "{} {:02}:{:02}",
            format_date(dt.date()),
            dt.hour(),
            dt.minute()
        )
    }
}

fn format_number(n: f64) -> String {
    if !n.is_finite() {
        return String::new();
    }
    if n.fract() == 0.0 && n.abs() < 1e15 {
        return format!("{}", n as i64);
    }
    // At most four places (iMIS decimals are money(4)), trailing zeros trimmed; a single
    // remaining place is padded so 12.5 reads as money: 12.50.
    let s = format!("{n:.4}");
    let s = s.trim_end_matches('0');
    match s.split_once('.') {
        Some((_, frac)) if frac.len() == 1 => format!("{s}0"),
        _ => s.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn numbers_read_as_people_write_them() {
        assert_eq!(Value::Number(13280.0).merge_text(), "13280");
        assert_eq!(Value::Number(12.5).merge_text(), "12.50");
        assert_eq!(Value::Number(0.125).merge_text(), "0.125");
        assert_eq!(Value::Number(-3.0).merge_text(), "-3");
        assert_eq!(Value::Integer(5).merge_text(), "5");
        let typed = Value::from_typed(&json!({"$type": "System.Decimal", "$value": 13280.0000}));
        assert_eq!(typed, Value::Number(13280.0));
        assert_eq!(typed.merge_text(), "13280");
        assert_eq!(typed.to_json(), json!(13280.0));
    }

    #[test]
    fn typed_values_keep_their_type() {
        assert_eq!(
            Value::from_typed(&json!({"$type": "System.Int32", "$value": 5})),
            Value::Integer(5)
        );
        assert_eq!(
            Value::from_typed(&json!({"$type": "System.Boolean", "$value": true})),
            Value::Bool(true)
        );
        let dt = Value::from_typed(
            &json!({"$type": "System.DateTime", "$value": "2024-05-01T00:00:00"}),
        );
        assert_eq!(dt.merge_text(), "May 1, 2024");
        assert_eq!(dt.to_json(), json!("2024-05-01T00:00:00"));
        let t = Value::from_typed(
            &json!({"$type": "System.DateTime", "$value": "2026-11-27T14:03:05.123"}),
        );
        assert_eq!(t.merge_text(), "November 27, 2026 14:03");
        assert_eq!(
            Value::from_typed(&json!("23179")),
            Value::Text("23179".into())
        );
        assert_eq!(
            Value::from_typed(&json!({"$type": "System.String", "$value": ""})),
            Value::Null
        );
    }

    #[test]
    fn plain_values() {
        assert_eq!(
            Value::from_plain(&json!("00123")),
            Value::Text("00123".into()),
            "IDs stay text"
        );
        assert_eq!(Value::from_plain(&json!(null)), Value::Null);
        assert_eq!(Value::from_plain(&json!("")), Value::Null);
        assert_eq!(Value::from_plain(&json!(false)).merge_text(), "No");
        assert!(matches!(
            Value::from_plain(&json!("2019-01-01T00:00:00")),
            Value::DateTime(_)
        ));
        assert_eq!(
            Value::from_plain(&json!("2019-01-01")),
            Value::Text("2019-01-01".into())
        );
    }
}
