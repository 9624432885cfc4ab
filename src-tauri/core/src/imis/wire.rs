//! The JSON iMIS speaks: paged envelopes, flat rows and GenericEntityData rows, the
//! generic `_execute` request. Decoding for the client and encoding for the fake server
//! live side by side so the two cannot drift apart.

use super::value::Value;
use serde_json::{json, Map, Value as Json};

pub const PAGED_RESULT_TYPE: &str = "Asi.Soa.Core.DataContracts.PagedResult, Asi.Contracts";
pub const OBJECT_LIST_TYPE: &str =
    "System.Collections.Generic.List`1[[System.Object, mscorlib]], mscorlib";
pub const EXPANDO_TYPE: &str = "System.Dynamic.ExpandoObject, System.Core";
pub const GENERIC_ENTITY_TYPE: &str = "Asi.Soa.Core.DataContracts.GenericEntityData, Asi.Contracts";
pub const PROPERTY_COLLECTION_TYPE: &str =
    "Asi.Soa.Core.DataContracts.GenericPropertyDataCollection, Asi.Contracts";
pub const PROPERTY_TYPE: &str = "Asi.Soa.Core.DataContracts.GenericPropertyData, Asi.Contracts";
pub const IDENTITY_TYPE: &str = "Asi.Soa.Core.DataContracts.IdentityData, Asi.Contracts";
pub const STRING_COLLECTION_TYPE: &str =
    "System.Collections.ObjectModel.Collection`1[[System.String, mscorlib]], mscorlib";
pub const OBJECT_COLLECTION_TYPE: &str =
    "System.Collections.ObjectModel.Collection`1[[System.Object, mscorlib]], mscorlib";
pub const EXECUTE_REQUEST_TYPE: &str =
    "Asi.Soa.Core.DataContracts.GenericExecuteRequest, Asi.Contracts";

/// One row: (alias, value) pairs in the order iMIS sent them.
pub type Row = Vec<(String, Value)>;

/// One page of a paged envelope.
#[derive(Debug, Clone)]
pub struct Page {
    pub items: Vec<Row>,
    pub offset: u64,
    pub count: u64,
    pub total_count: u64,
    pub has_next: bool,
    pub next_offset: u64,
}

/// Why a response body is not what iMIS sends.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Malformed(pub String);

fn number(map: &Map<String, Json>, key: &str) -> Option<u64> {
    match map.get(key)? {
        Json::Number(n) => n.as_u64(),
        Json::String(s) => s.parse().ok(),
        _ => None,
    }
}

/// The `$values` of a `{"$type", "$values"}` collection, or a bare array.
pub fn values_of(json: &Json) -> Option<&Vec<Json>> {
    match json {
        Json::Array(a) => Some(a),
        Json::Object(m) => m.get("$values").and_then(Json::as_array),
        _ => None,
    }
}

/// Decodes a paged envelope whose items are flat rows or GenericEntityData rows.
pub fn decode_page(body: &Json) -> Result<Page, Malformed> {
    let map = body
        .as_object()
        .ok_or_else(|| Malformed("the response is not a paged result".into()))?;
    let items = map
        .get("Items")
        .and_then(values_of)
        .ok_or_else(|| Malformed("the paged result has no Items".into()))?;
    let rows: Vec<Row> = items.iter().map(decode_row).collect::<Result<_, _>>()?;
    let count = number(map, "Count").unwrap_or(rows.len() as u64);
    let offset = number(map, "Offset").unwrap_or(0);
    let total_count = number(map, "TotalCount").unwrap_or(offset + count);
    let has_next = map.get("HasNext").and_then(Json::as_bool).unwrap_or(false);
    let next_offset = number(map, "NextOffset").unwrap_or(offset + count);
    Ok(Page {
        items: rows,
        offset,
        count,
        total_count,
        has_next,
        next_offset,
    })
}

/// Decodes one row in either shape. `$type` and `ResultRow` are not columns.
pub fn decode_row(item: &Json) -> Result<Row, Malformed> {
    let map = item
        .as_object()
        .ok_or_else(|| Malformed("a result row is not an object".into()))?;
    if let Some(props) = map.get("Properties") {
        return Ok(generic_properties(props)?
            .into_iter()
            .filter(|(name, _)| name != "ResultRow")
            .collect());
    }
    Ok(map
        .iter()
        .filter(|(k, _)| k.as_str() != "$type" && k.as_str() != "ResultRow")
        .map(|(k, v)| (k.clone(), Value::from_plain(v)))
        .collect())
}

/// The properties of a GenericEntityData, typed; an absent `Value` is `Null`.
pub fn generic_properties(props: &Json) -> Result<Row, Malformed> {
    let list = values_of(props)
        .ok_or_else(|| Malformed("the entity's Properties are not a collection".into()))?;
    list.iter()
        .map(|p| {
            let name = p
                .get("Name")
                .and_then(Json::as_str)
                .ok_or_else(|| Malformed("an entity property has no Name".into()))?;
            let value = p.get("Value").map_or(Value::Null, Value::from_typed);
            Ok((name.to_string(), value))
        })
        .collect()
}

/// The first element of `Identity.IdentityElements` (an entity's key, such as SEQN).
pub fn identity_key(entity: &Json) -> Option<String> {
    let elements = entity.get("Identity")?.get("IdentityElements")?;
    values_of(elements)?.first().and_then(|v| match v {
        Json::String(s) => Some(s.clone()),
        Json::Number(n) => Some(n.to_string()),
        _ => None,
    })
}

/// A generic `_execute` request body.
pub fn execute_request(entity: &str, operation: &str, params: &[Json], types: &[&str]) -> Json {
    json!({
        "$type": EXECUTE_REQUEST_TYPE,
        "EntityTypeName": entity,
        "OperationName": operation,
        "Parameters": {"$type": OBJECT_COLLECTION_TYPE, "$values": params},
        "ParameterTypeName": {"$type": STRING_COLLECTION_TYPE, "$values": types},
        "UseJson": false,
    })
}

/// A string parameter of an `_execute` request.
pub fn string_param(s: &str) -> Json {
    json!({"$type": "System.String", "$value": s})
}

// ---- Encoding (what the fake server sends) -------------------------------------------

/// How a value is wrapped in GenericEntityData: `{"$type","$value"}` for non-strings.
pub fn typed_value(v: &Value) -> Option<Json> {
    Some(match v {
        Value::Null => return None,
        Value::Text(s) => Json::String(s.clone()),
        Value::Integer(i) => json!({"$type": "System.Int32", "$value": i}),
        Value::Number(n) => json!({"$type": "System.Decimal", "$value": n}),
        Value::Bool(b) => json!({"$type": "System.Boolean", "$value": b}),
        Value::DateTime(dt) => {
            json!({"$type": "System.DateTime", "$value": super::value::iso(dt)})
        }
    })
}

/// A flat row of `/api/query`, with its `ResultRow` number (1-based).
pub fn flat_row(result_row: u64, columns: &[String], values: &[Value]) -> Json {
    let mut map = Map::new();
    map.insert("$type".into(), Json::String(EXPANDO_TYPE.into()));
    map.insert("ResultRow".into(), Json::String(result_row.to_string()));
    for (c, v) in columns.iter().zip(values) {
        map.insert(c.clone(), v.to_json());
    }
    Json::Object(map)
}

/// A GenericEntityData row of `/api/iqa`. `omit_absent` drops the `Value` of empty cells
/// (as iMIS 2017 does) instead of sending an empty string.
pub fn generic_row(
    entity: &str,
    result_row: u64,
    columns: &[String],
    values: &[Value],
    omit_absent: bool,
) -> Json {
    let mut props = vec![property(
        "ResultRow",
        Some(Json::String(result_row.to_string())),
    )];
    for (c, v) in columns.iter().zip(values) {
        let value = typed_value(v).or((!omit_absent).then(|| Json::String(String::new())));
        props.push(property(c, value));
    }
    json!({
        "$type": GENERIC_ENTITY_TYPE,
        "EntityTypeName": entity,
        "Properties": {"$type": PROPERTY_COLLECTION_TYPE, "$values": props},
    })
}

/// One GenericPropertyData.
pub fn property(name: &str, value: Option<Json>) -> Json {
    let mut map = Map::new();
    map.insert("$type".into(), Json::String(PROPERTY_TYPE.into()));
    map.insert("Name".into(), Json::String(name.into()));
    if let Some(v) = value {
        map.insert("Value".into(), v);
    }
    Json::Object(map)
}

/// A paged envelope around `items`.
pub fn paged(items: Vec<Json>, offset: u64, limit: u64, total: u64) -> Json {
    let count = items.len() as u64;
    let has_next = offset + count < total;
    json!({
        "$type": PAGED_RESULT_TYPE,
        "Items": {"$type": OBJECT_LIST_TYPE, "$values": items},
        "Offset": offset,
        "Limit": limit,
        "Count": count,
        "TotalCount": total,
        "NextPageLink": null,
        "HasNext": has_next,
        "NextOffset": if has_next { offset + count } else { 0 },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cols(c: &[&str]) -> Vec<String> {
        c.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn the_reference_generic_row_decodes() {
        let row: Json = serde_json::from_str(
            r#"{"$type":"Asi.Soa.Core.DataContracts.GenericEntityData, Asi.Contracts","EntityTypeName":"59",
 "Properties":{"$type":"Asi.Soa.Core.DataContracts.GenericPropertyDataCollection, Asi.Contracts","$values":[
  {"$type":"Asi.Soa.Core.DataContracts.GenericPropertyData, Asi.Contracts","Name":"ResultRow","Value":"1"},
  {"$type":"Asi.Soa.Core.DataContracts.GenericPropertyData, Asi.Contracts","Name":"ID","Value":"23179"},
  {"$type":"Asi.Soa.Core.DataContracts.GenericPropertyData, Asi.Contracts","Name":"Mobile","Value":"+61412345678"},
  {"$type":"Asi.Soa.Core.DataContracts.GenericPropertyData, Asi.Contracts","Name":"Email"},
  {"$type":"Asi.Soa.Core.DataContracts.GenericPropertyData, Asi.Contracts","Name":"Visits","Value":{"$type":"System.Int32","$value":5}}]}}"#,
        )
        .unwrap();
        let decoded = decode_row(&row).unwrap();
        assert_eq!(
            decoded,
            vec![
                ("ID".into(), Value::Text("23179".into())),
                ("Mobile".into(), Value::Text("+61412345678".into())),
                ("Email".into(), Value::Null),
                ("Visits".into(), Value::Integer(5)),
            ]
        );
    }

    #[test]
    fn the_reference_flat_row_decodes() {
        let row: Json = serde_json::from_str(
            r#"{"$type":"System.Dynamic.ExpandoObject, System.Core","ResultRow":"1","ID":"23179","FirstName":"Jane","Mobile":"(555) 201-3344","Visits":5}"#,
        )
        .unwrap();
        let decoded = decode_row(&row).unwrap();
        let names: Vec<&str> = decoded.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["ID", "FirstName", "Mobile", "Visits"]);
        assert_eq!(decoded[3].1, Value::Integer(5));
    }

    #[test]
    fn encoded_pages_decode_to_the_same_values() {
        let columns = cols(&["ID", "Joined", "Balance", "Active", "Note"]);
        let dt = super::super::value::parse_datetime("2020-02-29T00:00:00").unwrap();
        let values = vec![
            Value::Text("7".into()),
            Value::DateTime(dt),
            Value::Number(12.5),
            Value::Bool(true),
            Value::Null,
        ];
        for generic in [false, true] {
            let item = if generic {
                generic_row("59", 1, &columns, &values, true)
            } else {
                flat_row(1, &columns, &values)
            };
            let page = decode_page(&paged(vec![item], 0, 500, 1)).unwrap();
            assert!(!page.has_next);
            assert_eq!(page.total_count, 1);
            let row = &page.items[0];
            let got: Vec<&Value> = row.iter().map(|(_, v)| v).collect();
            assert_eq!(got, values.iter().collect::<Vec<_>>(), "generic={generic}");
        }
    }

    #[test]
    fn a_page_without_items_is_malformed() {
        assert!(decode_page(&json!({"Count": 0})).is_err());
        assert!(decode_page(&json!([1, 2])).is_err());
    }
}
