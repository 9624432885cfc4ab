//! Generated iMIS data: realistic members and a few IQA queries over them. The demo
//! directory serves it in-process; the fake iMIS server serves it over HTTP. Both use the
//! same generator, so the demo and the tests see the same kind of data.
//!
//! Deterministic: a dataset name always gives the same members.

use super::value::Value;
use super::{QueryColumn, QueryEntry, QueryEntryKind, QueryInfo, QueryParameter, QueryResult};
use chrono::NaiveDate;
use std::collections::BTreeMap;

/// The folder every generated query lives in.
pub const DEMO_FOLDER: &str = "$/Herald Demo";
pub const ALL_MEMBERS: &str = "$/Herald Demo/All members";
pub const MEMBERS_BY_TYPE: &str = "$/Herald Demo/Members by type";
pub const LAPSED_MEMBERS: &str = "$/Herald Demo/Lapsed members";
pub const EMAIL_LIST: &str = "$/Herald Demo/Email list (no phone)";
pub const EVENTS_FOLDER: &str = "$/Herald Demo/Events";
pub const CONFERENCE: &str = "$/Herald Demo/Events/Conference 2026 attendees";

/// The name some test datasets give one member, to prove it is shown as text.
pub const HOSTILE_NAME: &str = "<img src=x onerror=alert(1)>";

/// One generated member.
#[derive(Debug, Clone)]
pub struct Member {
    pub id: String,
    pub first: String,
    pub last: String,
    pub email: String,
    pub mobile: String,
    pub member_type: &'static str,
    pub chapter: &'static str,
    pub joined: NaiveDate,
    pub dues_balance: f64,
    pub events: i64,
    pub active: bool,
}

/// A small, fast, seeded generator (SplitMix64): no dependency, same output everywhere.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

const FIRST: &[&str] = &[
    "Jane",
    "John",
    "Maria",
    "José",
    "Zoë",
    "Chloé",
    "Björn",
    "Siobhán",
    "Aoife",
    "Liam",
    "Noah",
    "Olivia",
    "Emma",
    "Ava",
    "Mateo",
    "Sofía",
    "Łukasz",
    "François",
    "Anaïs",
    "Mei",
    "Hiroshi",
    "Priya",
    "Arjun",
    "Fatima",
    "Omar",
    "Grace",
    "Ethan",
    "Isabella",
    "Lucas",
    "Amelia",
    "Renée",
    "Søren",
    "Dvořák",
    "Ingrid",
    "Kwame",
    "Ana 🌸",
    "Sam ☀️",
    "Nguyễn",
    "Chidi",
    "Hannah",
];
const LAST: &[&str] = &[
    "Smith",
    "Johnson",
    "García",
    "Müller",
    "O'Brien",
    "Brown",
    "Nguyen",
    "Kowalski",
    "Dubois",
    "Rossi",
    "Tanaka",
    "Patel",
    "Okafor",
    "Andersson",
    "Murphy",
    "Lee",
    "Wilson",
    "Martínez",
    "Jensen",
    "Silva",
    "Cohen",
    "Kim",
    "Walker",
    "Hernández",
    "Ó Súilleabháin",
    "Schröder",
    "Young",
    "King",
    "Wright",
    "Lopez",
];
const AREA_CODES: &[u32] = &[201, 212, 312, 415, 503, 617, 702, 808, 919, 972];
const TYPES: &[&str] = &["REG", "REG", "REG", "STU", "RET", "LIFE"];
const CHAPTERS: &[&str] = &["North", "South", "East", "West", "Central"];

/// The member types a query can be filtered by.
pub const MEMBER_TYPES: &[&str] = &["REG", "STU", "RET", "LIFE"];

fn us_number(rng: &mut Rng) -> (u32, u32, u32) {
    let area = *rng.pick(AREA_CODES);
    // Exchanges 200–999 but never N11 or 555: valid-looking, never a service code.
    let mut exchange = 200 + rng.below(800) as u32;
    if exchange % 100 == 11 || exchange == 555 {
        exchange += 1;
    }
    (area, exchange, rng.below(10_000) as u32)
}

/// The phone as a member typed it into iMIS: every format AMS data has.
fn messy_phone(rng: &mut Rng) -> String {
    let roll = rng.below(100);
    if roll < 4 {
        return String::new();
    }
    if roll < 5 {
        return "N/A".into();
    }
    if roll < 6 {
        return format!("{}", 1000 + rng.below(9000)); // too short
    }
    if roll < 8 {
        return format!("+44 7700 900{:03}", rng.below(1000));
    }
    let (a, e, l) = us_number(rng);
    match rng.below(7) {
        0 => format!("({a}) {e}-{l:04}"),
        1 => format!("{a}.{e}.{l:04}"),
        2 => format!("+1 {a} {e} {l:04}"),
        3 => format!("{a}{e}{l:04}"),
        4 => format!("{a}-{e}-{l:04}"),
        5 => format!("{a}{e}{l:04} ext {}", 1 + rng.below(9)),
        _ => format!("1-{a}-{e}-{l:04}"),
    }
}

fn ascii_fold(s: &str) -> String {
    s.chars()
        .filter_map(|c| match c {
            'a'..='z' | 'A'..='Z' | '0'..='9' => Some(c.to_ascii_lowercase()),
            'á' | 'à' | 'ä' | 'â' => Some('a'),
            'é' | 'è' | 'ë' | 'ê' | 'ě' => Some('e'),
            'í' | 'ï' | 'Í' => Some('i'),
            'ó' | 'ö' | 'ø' | 'Ó' | 'ô' => Some('o'),
            'ú' | 'ü' | 'Ú' => Some('u'),
            'ñ' => Some('n'),
            'ç' => Some('c'),
            'ł' | 'Ł' => Some('l'),
            'ř' => Some('r'),
            'ễ' => Some('e'),
            _ => None,
        })
        .collect()
}

/// Generated members and the queries over them.
#[derive(Debug, Clone)]
pub struct Catalog {
    pub members: Vec<Member>,
}

impl Catalog {
    /// Datasets by name: `demo` (300 members), `standard` (5,000), `large` (100,000), or
    /// `members-N` for exactly N. Every dataset but `demo` includes one member whose name
    /// is an HTML tag.
    pub fn generate(dataset: &str) -> Result<Catalog, String> {
        let (size, hostile) = match dataset {
            "demo" => (300, false),
            "standard" => (5_000, true),
            "large" => (100_000, true),
            other => match other.strip_prefix("members-").and_then(|n| n.parse().ok()) {
                Some(n) => (n, true),
                None => {
                    return Err(format!(
                        "unknown dataset '{other}': use demo, standard, large or members-N"
                    ))
                }
            },
        };
        Ok(Catalog {
            members: generate_members(size, hostile),
        })
    }

    /// Folders and queries directly inside `folder` (`$` is the root), or `None` if no
    /// such folder exists.
    pub fn entries(&self, folder: &str) -> Option<Vec<QueryEntry>> {
        let folder = folder.trim_end_matches('/');
        let entry = |path: &str, kind| QueryEntry {
            name: path.rsplit('/').next().unwrap_or(path).to_string(),
            path: path.to_string(),
            kind,
        };
        match folder {
            "$" | "" => Some(vec![entry(DEMO_FOLDER, QueryEntryKind::Folder)]),
            DEMO_FOLDER => Some(vec![
                entry(EVENTS_FOLDER, QueryEntryKind::Folder),
                entry(ALL_MEMBERS, QueryEntryKind::Query),
                entry(EMAIL_LIST, QueryEntryKind::Query),
                entry(LAPSED_MEMBERS, QueryEntryKind::Query),
                entry(MEMBERS_BY_TYPE, QueryEntryKind::Query),
            ]),
            EVENTS_FOLDER => Some(vec![entry(CONFERENCE, QueryEntryKind::Query)]),
            _ => None,
        }
    }

    /// A query's columns and prompts, or `None` for an unknown path.
    pub fn definition(&self, path: &str) -> Option<QueryInfo> {
        let col = |alias: &str, caption: &str, property: &str, ty: &str| QueryColumn {
            alias: alias.into(),
            caption: caption.into(),
            property: property.into(),
            data_type: ty.into(),
        };
        let member_columns = || {
            vec![
                col("ID", "ID", "CsContact.Id", "String"),
                col("FirstName", "First Name", "CsContact.FirstName", "String"),
                col("LastName", "Last Name", "CsContact.LastName", "String"),
                col("FullName", "Full Name", "CsContact.FullName", "String"),
                col("Mobile", "Mobile Phone", "CsContact.MobilePhone", "String"),
                col(
                    "MemberType",
                    "Member Type",
                    "CsContact.MemberType",
                    "String",
                ),
                col("Chapter", "Chapter", "CsContact.Chapter", "String"),
                col("JoinDate", "Join Date", "CsContact.JoinDate", "DateTime"),
                col(
                    "DuesBalance",
                    "Dues Balance",
                    "CsContact.DuesBalance",
                    "Decimal",
                ),
                col(
                    "EventsAttended",
                    "Events Attended",
                    "CsContact.EventsAttended",
                    "Int32",
                ),
                col("IsActive", "Active", "CsContact.IsActive", "Boolean"),
            ]
        };
        let (columns, parameters) = match path {
            ALL_MEMBERS | LAPSED_MEMBERS | CONFERENCE => (member_columns(), vec![]),
            MEMBERS_BY_TYPE => (
                member_columns(),
                vec![QueryParameter {
                    name: "MemberType".into(),
                    prompt: "Member type".into(),
                    operation: "Equal".into(),
                    allow_multiple: false,
                    values: MEMBER_TYPES.iter().map(|s| s.to_string()).collect(),
                }],
            ),
            EMAIL_LIST => (
                vec![
                    col("ID", "ID", "CsContact.Id", "String"),
                    col("FullName", "Full Name", "CsContact.FullName", "String"),
                    col("Email", "Email", "CsContact.Email", "String"),
                ],
                vec![],
            ),
            _ => return None,
        };
        Some(QueryInfo {
            path: path.to_string(),
            name: path.rsplit('/').next().unwrap_or(path).to_string(),
            columns,
            parameters,
        })
    }

    /// Runs a query with named parameters (`/api/query`); `None` for an unknown path.
    /// An operator prefix such as `eq:` is accepted, as iMIS does.
    pub fn execute(&self, path: &str, params: &BTreeMap<String, String>) -> Option<QueryResult> {
        let info = self.definition(path)?;
        let columns: Vec<String> = info.columns.iter().map(|c| c.alias.clone()).collect();
        let wanted_type = params
            .get("MemberType")
            .map(|v| {
                v.split_once(':')
                    .map_or(v.as_str(), |(_, v)| v)
                    .trim()
                    .to_string()
            })
            .filter(|v| !v.is_empty());
        let keep = |i: usize, m: &Member| match path {
            LAPSED_MEMBERS => false,
            CONFERENCE => i.is_multiple_of(3),
            MEMBERS_BY_TYPE => wanted_type
                .as_deref()
                .is_none_or(|t| m.member_type.eq_ignore_ascii_case(t)),
            _ => true,
        };
        let rows = self
            .members
            .iter()
            .enumerate()
            .filter(|(i, m)| keep(*i, m))
            .map(|(_, m)| {
                columns
                    .iter()
                    .map(|c| member_value(m, c))
                    .collect::<Vec<Value>>()
            })
            .collect();
        Some(QueryResult { columns, rows })
    }

    /// Runs a query with positional parameters (`/api/iqa`): one value per prompt, in
    /// definition order.
    pub fn execute_positional(&self, path: &str, values: &[String]) -> Option<QueryResult> {
        let info = self.definition(path)?;
        let named = info
            .parameters
            .iter()
            .zip(values)
            .map(|(p, v)| (p.name.clone(), v.clone()))
            .collect();
        self.execute(path, &named)
    }
}

fn text(s: &str) -> Value {
    if s.is_empty() {
        Value::Null
    } else {
        Value::Text(s.to_string())
    }
}

fn member_value(m: &Member, alias: &str) -> Value {
    match alias {
        "ID" => Value::Text(m.id.clone()),
        "FirstName" => text(&m.first),
        "LastName" => text(&m.last),
        "FullName" => text(format!("{} {}", m.first, m.last).trim()),
        "Mobile" => text(&m.mobile),
        "Email" => text(&m.email),
        "MemberType" => Value::Text(m.member_type.into()),
        "Chapter" => Value::Text(m.chapter.into()),
        "JoinDate" => Value::DateTime(m.joined.and_time(chrono::NaiveTime::MIN)),
        "DuesBalance" => Value::Number(m.dues_balance),
        "EventsAttended" => Value::Integer(m.events),
        "IsActive" => Value::Bool(m.active),
        _ => Value::Null,
    }
}

fn generate_members(size: usize, hostile: bool) -> Vec<Member> {
    let mut rng = Rng(0x4E52_414C_4448_0001 ^ size as u64);
    let epoch = NaiveDate::from_ymd_opt(1995, 1, 1).expect("a valid date");
    let mut members: Vec<Member> = Vec::with_capacity(size);
    let mut id = 10_000u64;
    for i in 0..size {
        id += 1 + rng.below(3);
        // About one member in twelve shares a household phone with the one before.
        let family = i > 0 && rng.chance(8);
        let (first, last, mobile) = if family {
            let prev = &members[i - 1];
            (
                rng.pick(FIRST).to_string(),
                prev.last.clone(),
                prev.mobile.clone(),
            )
        } else {
            (
                rng.pick(FIRST).to_string(),
                rng.pick(LAST).to_string(),
                messy_phone(&mut rng),
            )
        };
        let first = if hostile && i == 7.min(size.saturating_sub(1)) {
            HOSTILE_NAME.to_string()
        } else {
            first
        };
        let email = if rng.chance(6) {
            String::new()
        } else {
            format!(
                "{}.{}{}@example.org",
                ascii_fold(&first),
                ascii_fold(&last),
                id % 97
            )
        };
        let dues_balance = match rng.below(4) {
            0 => 0.0,
            1 => 13280.0,
            2 => 125.5,
            _ => (rng.below(50_000) as f64) / 100.0,
        };
        members.push(Member {
            id: id.to_string(),
            first,
            last,
            email,
            mobile,
            member_type: TYPES[rng.below(TYPES.len() as u64) as usize],
            chapter: CHAPTERS[rng.below(CHAPTERS.len() as u64) as usize],
            joined: epoch + chrono::Days::new(rng.below(11_000)),
            dues_balance,
            events: rng.below(25) as i64,
            active: rng.chance(90),
        });
    }
    members
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generation_is_deterministic_and_messy() {
        let a = Catalog::generate("standard").unwrap();
        let b = Catalog::generate("standard").unwrap();
        assert_eq!(a.members.len(), 5_000);
        assert!(a
            .members
            .iter()
            .zip(&b.members)
            .all(|(x, y)| x.id == y.id && x.mobile == y.mobile));
        let blank = a.members.iter().filter(|m| m.mobile.is_empty()).count();
        let na = a.members.iter().filter(|m| m.mobile == "N/A").count();
        let ext = a
            .members
            .iter()
            .filter(|m| m.mobile.contains("ext"))
            .count();
        assert!(blank > 50 && na > 10 && ext > 50, "{blank} {na} {ext}");
        let shared = a
            .members
            .windows(2)
            .filter(|w| !w[0].mobile.is_empty() && w[0].mobile == w[1].mobile)
            .count();
        assert!(shared > 100, "families share numbers: {shared}");
        assert!(a.members.iter().any(|m| m.first.contains('🌸')));
        assert!(a.members.iter().any(|m| m.first == HOSTILE_NAME));
        let demo = Catalog::generate("demo").unwrap();
        assert!(demo.members.iter().all(|m| m.first != HOSTILE_NAME));
        assert!(Catalog::generate("nope").is_err());
        assert_eq!(
            Catalog::generate("members-1234").unwrap().members.len(),
            1234
        );
    }

    #[test]
    fn queries_filter_and_describe_themselves() {
        let c = Catalog::generate("demo").unwrap();
        let all = c.execute(ALL_MEMBERS, &BTreeMap::new()).unwrap();
        assert_eq!(all.rows.len(), 300);
        let mut p = BTreeMap::new();
        p.insert("MemberType".to_string(), "eq:STU".to_string());
        let stu = c.execute(MEMBERS_BY_TYPE, &p).unwrap();
        assert!(!stu.rows.is_empty() && stu.rows.len() < 300);
        let type_col = stu.columns.iter().position(|c| c == "MemberType").unwrap();
        assert!(stu
            .rows
            .iter()
            .all(|r| r[type_col] == Value::Text("STU".into())));
        let positional = c
            .execute_positional(MEMBERS_BY_TYPE, &["STU".into()])
            .unwrap();
        assert_eq!(positional.rows.len(), stu.rows.len());
        assert!(c
            .execute(LAPSED_MEMBERS, &BTreeMap::new())
            .unwrap()
            .rows
            .is_empty());
        assert!(!c
            .execute(EMAIL_LIST, &BTreeMap::new())
            .unwrap()
            .columns
            .contains(&"Mobile".to_string()));
        assert!(c.execute("$/Nope", &BTreeMap::new()).is_none());
        let root = c.entries("$").unwrap();
        assert_eq!(root[0].kind, QueryEntryKind::Folder);
        assert!(c
            .entries(DEMO_FOLDER)
            .unwrap()
            .iter()
            .any(|e| e.path == MEMBERS_BY_TYPE));
        assert!(c.entries("$/Missing").is_none());
        assert_eq!(c.definition(MEMBERS_BY_TYPE).unwrap().parameters.len(), 1);
    }
}
