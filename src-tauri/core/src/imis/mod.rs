//! iMIS: the REST client, the demo directory, and the types both share. See
//! `reference/imis.md` for what is known of the API.

pub mod catalog;
pub mod client;
pub mod error;
pub mod value;
pub mod wire;

pub use client::{Dialect, ImisClient, ImisConfig, RetryPolicy, WriteBackRecord};
pub use error::{ImisError, ImisErrorKind};
pub use value::Value;

use crate::compose::audience::AudienceTable;
use crate::secrets::{SecretName, SecretStore, Sensitive};
use crate::settings::{SettingKey, Settings};
use serde::Serialize;
use specta::Type;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, OnceLock};

/// The activity type every sent text is recorded as.
pub const TEXTMSG: &str = "TEXTMSG";
/// The activity type recorded when a member opts out by replying STOP.
pub const TEXTUNSUB: &str = "TEXTUNSUB";
/// The Activity type of a re-subscription (the member replied START): "Text Unsubscribe
/// Archive", as iMIS Text Messenger writes it.
pub const TEXTUNSUB_A: &str = "TEXTUNSUB_A";

/// A folder or a query in the query browser.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
pub struct QueryEntry {
    pub name: String,
    /// The full path, `$/Folder/Query`.
    pub path: String,
    pub kind: QueryEntryKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum QueryEntryKind {
    Folder,
    Query,
}

/// A query's columns and prompts, read without running it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
pub struct QueryInfo {
    pub path: String,
    pub name: String,
    pub columns: Vec<QueryColumn>,
    pub parameters: Vec<QueryParameter>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
pub struct QueryColumn {
    /// What merge fields and the result rows call it.
    pub alias: String,
    pub caption: String,
    pub property: String,
    pub data_type: String,
}

/// A prompt of the query: `name` is what `/api/query` takes, `prompt` what a person sees.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
pub struct QueryParameter {
    pub name: String,
    pub prompt: String,
    pub operation: String,
    pub allow_multiple: bool,
    /// Suggested values, when the query lists them.
    pub values: Vec<String>,
}

/// The rows of a query, typed, keyed by column alias.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct QueryResult {
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Value>>,
}

impl QueryResult {
    /// Assembles decoded rows: the columns are every alias seen, in first-seen order;
    /// a row without a column (iMIS 2017 omits empty values) holds `Null` there.
    pub fn from_rows(rows: impl IntoIterator<Item = wire::Row>) -> Self {
        let mut columns: Vec<String> = Vec::new();
        let mut index: std::collections::HashMap<String, usize> = Default::default();
        let mut out: Vec<Vec<Value>> = Vec::new();
        for row in rows {
            let mut values = vec![Value::Null; columns.len()];
            for (alias, value) in row {
                let i = *index.entry(alias.clone()).or_insert_with(|| {
                    columns.push(alias);
                    columns.len() - 1
                });
                if i >= values.len() {
                    values.resize(i + 1, Value::Null);
                }
                values[i] = value;
            }
            out.push(values);
        }
        for r in &mut out {
            r.resize(columns.len(), Value::Null);
        }
        Self { columns, rows: out }
    }

    /// The rows as merge-ready text (the audience Herald caches in a draft).
    pub fn to_table(&self) -> AudienceTable {
        AudienceTable {
            columns: self.columns.clone(),
            rows: self
                .rows
                .iter()
                .map(|r| r.iter().map(Value::merge_text).collect())
                .collect(),
        }
    }

    /// `{"columns": [...], "rows": [{alias: value}...]}`, values typed as iMIS sent them.
    pub fn to_json(&self) -> serde_json::Value {
        let rows: Vec<serde_json::Value> = self
            .rows
            .iter()
            .map(|r| {
                let map: serde_json::Map<String, serde_json::Value> = self
                    .columns
                    .iter()
                    .zip(r)
                    .map(|(c, v)| (c.clone(), v.to_json()))
                    .collect();
                serde_json::Value::Object(map)
            })
            .collect();
        serde_json::json!({"columns": self.columns, "rows": rows})
    }
}

/// Where audiences come from: a configured iMIS site, or the built-in demo directory
/// (no network; TEST campaigns only; writes nothing).
#[derive(Debug, Clone)]
pub enum Directory {
    Remote(Arc<ImisClient>),
    Demo(Arc<catalog::Catalog>),
}

/// The demo directory's data, generated once per process.
pub fn demo_catalog() -> Arc<catalog::Catalog> {
    static DEMO: OnceLock<Arc<catalog::Catalog>> = OnceLock::new();
    DEMO.get_or_init(|| Arc::new(catalog::Catalog::generate("demo").expect("the demo dataset")))
        .clone()
}

impl Directory {
    pub fn demo() -> Self {
        Directory::Demo(demo_catalog())
    }

    pub fn is_demo(&self) -> bool {
        matches!(self, Directory::Demo(_))
    }

    pub async fn list_folder(&self, folder: &str) -> Result<Vec<QueryEntry>, ImisError> {
        match self {
            Directory::Remote(c) => c.list_folder(folder).await,
            Directory::Demo(cat) => {
                let folder = if folder.trim().is_empty() {
                    "$"
                } else {
                    folder.trim()
                };
                cat.entries(folder)
                    .ok_or_else(|| ImisError::UnknownFolder(folder.into()))
            }
        }
    }

    pub async fn query_definition(&self, path: &str) -> Result<QueryInfo, ImisError> {
        match self {
            Directory::Remote(c) => c.query_definition(path).await,
            Directory::Demo(cat) => cat
                .definition(path.trim())
                .ok_or_else(|| ImisError::UnknownQuery(path.trim().into())),
        }
    }

    pub async fn run_query(
        &self,
        path: &str,
        params: &BTreeMap<String, String>,
    ) -> Result<QueryResult, ImisError> {
        match self {
            Directory::Remote(c) => c.run_query(path, params).await,
            Directory::Demo(cat) => cat
                .execute(path.trim(), params)
                .ok_or_else(|| ImisError::UnknownQuery(path.trim().into())),
        }
    }

    /// Whether the TEXTMSG (or another) activity type exists. The demo has them all.
    pub async fn activity_type_exists(&self, code: &str) -> Result<bool, ImisError> {
        match self {
            Directory::Remote(c) => c.activity_type_exists(code).await,
            Directory::Demo(_) => Ok(true),
        }
    }
}

/// The connection settings as last used, to tell when a cached client is stale.
#[derive(Clone, PartialEq)]
struct Fingerprint {
    base_url: String,
    username: String,
    password: Option<Sensitive>,
}

/// One directory per configuration, kept between calls so its token is shared and reused
/// (a new login invalidates the previous token, so clients must not multiply).
#[derive(Default)]
pub struct DirectoryCache {
    slot: Mutex<Option<(Fingerprint, Directory)>>,
}

impl DirectoryCache {
    pub fn new() -> Self {
        Self::default()
    }

    /// The directory the settings describe: the demo when no iMIS address is set, else a
    /// client for the site (the password from `secrets`).
    pub fn get(
        &self,
        settings: &Settings,
        secrets: &dyn SecretStore,
    ) -> Result<Directory, crate::Error> {
        if settings.is_demo() {
            return Ok(Directory::demo());
        }
        let base_url = settings.get(SettingKey::ImisBaseUrl);
        let username = settings.get(SettingKey::ImisUsername);
        if username.trim().is_empty() {
            return Err(ImisError::NotConfigured(
                "no iMIS username is set: add it in Settings → iMIS".into(),
            )
            .into());
        }
        let password = secrets.get(SecretName::ImisPassword)?;
        let fingerprint = Fingerprint {
            base_url: base_url.clone(),
            username: username.clone(),
            password: password.clone(),
        };
        let mut slot = self.slot.lock().expect("directory cache lock");
        if let Some((f, d)) = slot.as_ref() {
            if *f == fingerprint {
                return Ok(d.clone());
            }
        }
        let password = password.ok_or_else(|| {
            ImisError::NotConfigured("no iMIS password is stored: add it in Settings → iMIS".into())
        })?;
        let client = ImisClient::new(ImisConfig::new(&base_url, &username, password))?;
        let directory = Directory::Remote(Arc::new(client));
        *slot = Some((fingerprint, directory.clone()));
        Ok(directory)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_with_missing_columns_are_aligned() {
        let rows = vec![
            vec![("ID".to_string(), Value::Text("1".into()))],
            vec![
                ("ID".to_string(), Value::Text("2".into())),
                ("Mobile".to_string(), Value::Text("+1".into())),
            ],
        ];
        let r = QueryResult::from_rows(rows);
        assert_eq!(r.columns, ["ID", "Mobile"]);
        assert_eq!(r.rows[0], [Value::Text("1".into()), Value::Null]);
        assert_eq!(r.to_table().rows[0], ["1", ""]);
        assert_eq!(r.to_json()["rows"][0]["Mobile"], serde_json::Value::Null);
    }
}
