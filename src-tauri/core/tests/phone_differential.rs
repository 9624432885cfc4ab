//! Differential test: Herald's phone parsing and time-zone lookup against Google's libphonenumber.
//!
//! The oracle is the Python `phonenumbers` package (a port of libphonenumber) at the
//! release whose metadata the Rust `phonenumber` crate embeds
//! (`herald_core::compose::phone::LIBPHONENUMBER_METADATA`). It receives exactly the
//! string Herald hands to its libphonenumber stage (the output of `phone::clean`), so
//! this test checks parsing, validation and classification; cleaning has its own
//! unit tests.
//!
//! Install the oracle once (from the crate directory):
//!
//! ```text
//! pip install --no-deps --require-hashes --target tests/differential/pydeps -r tests/differential/requirements.txt
//! ```
//!
//! or point `HERALD_PHONE_ORACLE_PYTHONPATH` at a directory (or venv site-packages)
//! holding that package; `HERALD_PHONE_ORACLE_PYTHON` picks the interpreter
//! (default `python3`). A missing oracle fails the test: it is never skipped.
//!
//! `HERALD_PHONE_ALL_REGIONS=1` draws from every region in the metadata instead of
//! the list below (slower, and worth running after a metadata bump).
//!
//! `HERALD_PHONE_CASES=N` changes the number of generated inputs (default 8,000).
//!
//! `HERALD_PHONE_COMPARE_CRATE=1` also scores the `phonenumber` crate's own
//! `parse`/`is_valid`/`number_type` against the oracle (informational; slow, since the
//! crate recompiles regexes through a 100-entry cache behind a global lock).

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::str::FromStr;

use herald_core::compose::phone::{self, Cleaned, PhoneError, Region, LIBPHONENUMBER_METADATA};
use herald_core::compose::time_zones;
use phonenumber::metadata::DATABASE;
use serde_json::{json, Value};

/// Required by the brief, then a few with unusual rules: Italian leading zeros (IT),
/// national-prefix transform rules (AR, AG), carrier codes (BR), others.
const REGIONS: [&str; 21] = [
    "US", "CA", "GB", "AU", "NZ", "IE", "DE", "FR", "MX", "IN", "IT", "AR", "AG", "BR", "ES", "NL",
    "ZA", "JP", "SG", "CN", "RU",
];
const CASES: usize = 8000;
const MIN_ORACLE_CASES: usize = 5000;

/// SplitMix64: small, seeded, deterministic.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
    fn digit(&mut self) -> char {
        char::from(b'0' + self.below(10) as u8)
    }
}

struct Example {
    region: String,
    country_code: u16,
    national_prefix: Option<String>,
    nsn: String,
}

fn regions() -> Vec<String> {
    if std::env::var("HERALD_PHONE_ALL_REGIONS").is_ok_and(|v| v == "1") {
        let mut all: Vec<String> = phone::debug_regions_by_code()
            .into_iter()
            .flat_map(|(_, ids)| ids)
            .filter(|id| id != "001")
            .collect();
        all.sort();
        all
    } else {
        REGIONS.iter().map(|r| r.to_string()).collect()
    }
}

fn examples(regions: &[String]) -> Vec<Example> {
    let mut out = Vec::new();
    for region in regions {
        let meta = DATABASE.by_id(region.as_str()).expect("region in metadata");
        let d = meta.descriptors();
        let types = [
            d.fixed_line(),
            d.mobile(),
            d.toll_free(),
            d.premium_rate(),
            d.shared_cost(),
            d.personal_number(),
            d.voip(),
            d.pager(),
            d.uan(),
            d.voicemail(),
        ];
        for desc in types.into_iter().flatten() {
            if let Some(example) = desc.example() {
                out.push(Example {
                    region: region.clone(),
                    country_code: meta.country_code(),
                    national_prefix: meta.national_prefix().map(str::to_string),
                    nsn: example.to_string(),
                });
            }
        }
    }
    out
}

fn mutate(rng: &mut Rng, digits: &str) -> String {
    let mut d: Vec<char> = digits.chars().collect();
    match rng.below(3) {
        0 => {
            let at = rng.below(d.len() + 1);
            let c = rng.digit();
            d.insert(at, c);
        }
        1 if d.len() > 1 => {
            let at = rng.below(d.len());
            d.remove(at);
        }
        _ => {
            let at = rng.below(d.len());
            d[at] = rng.digit();
        }
    }
    d.into_iter().collect()
}

/// Splits digits into groups joined by random separators, maybe with parentheses.
fn format_digits(rng: &mut Rng, digits: &str) -> String {
    let seps = [" ", "-", ".", "", " - ", "\u{00A0}", "/"];
    let sep = *rng.pick(&seps);
    let chars: Vec<char> = digits.chars().collect();
    let mut groups = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let len = 1 + rng.below(4);
        let end = (i + len).min(chars.len());
        groups.push(chars[i..end].iter().collect::<String>());
        i = end;
    }
    if groups.len() > 2 && rng.chance(25) {
        groups[0] = format!("({})", groups[0]);
    }
    groups.join(sep)
}

fn decorate(rng: &mut Rng, number: String) -> String {
    let prefixes = [
        "", "", "", "\"", "'", "Cell: ", "\u{200E}", "\u{FEFF}", " ", "tel:",
    ];
    let suffixes = [
        "",
        "",
        "",
        "\"",
        " x12",
        " ext. 123",
        " #4",
        " (home)",
        "\u{200F}",
        "  ",
    ];
    let prefix = *rng.pick(&prefixes);
    let suffix = *rng.pick(&suffixes);
    if prefix == "tel:" {
        // RFC 3966 allows no spaces.
        return format!("tel:{}", number.replace([' ', '\u{00A0}', '/'], "-"));
    }
    format!("{prefix}{number}{suffix}")
}

fn generate(rng: &mut Rng, regions: &[String], examples: &[Example]) -> (String, String) {
    if rng.chance(15) {
        // Random digit strings behind the prefixes that steer country-code extraction.
        let len = 1 + rng.below(19);
        let digits: String = (0..len).map(|_| rng.digit()).collect();
        let prefix = *rng.pick(&["", "", "+", "00", "011", "0", "1", "+0"]);
        let region = rng.pick(regions).clone();
        return (format!("{prefix}{}", format_digits(rng, &digits)), region);
    }
    let ex = rng.pick(examples);
    let nsn = if rng.chance(40) {
        mutate(rng, &ex.nsn)
    } else {
        ex.nsn.clone()
    };
    let cc = ex.country_code.to_string();
    let number = match rng.below(6) {
        0 | 1 => {
            let np = match &ex.national_prefix {
                Some(np) if rng.chance(80) => np.clone(),
                _ => String::new(),
            };
            format_digits(rng, &format!("{np}{nsn}"))
        }
        2 => format!("+{cc} {}", format_digits(rng, &nsn)),
        3 => {
            let idd = *rng.pick(&["00", "011", "0011", "010", "+00"]);
            format!("{idd} {cc} {}", format_digits(rng, &nsn))
        }
        4 => format!("{cc} {}", format_digits(rng, &nsn)),
        _ => format!("+{cc} (0) {}", format_digits(rng, &nsn)),
    };
    let region = if rng.chance(25) {
        rng.pick(regions).clone()
    } else {
        ex.region.clone()
    };
    (decorate(rng, number), region)
}

// ----------------------------------------------------------------------------------
// The oracle
// ----------------------------------------------------------------------------------

fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

const INSTALL: &str = "install it from the crate directory with:\n  \
    pip install --no-deps --require-hashes --target tests/differential/pydeps -r tests/differential/requirements.txt\n\
    or set HERALD_PHONE_ORACLE_PYTHONPATH to a directory holding that phonenumbers release";

fn run_oracle(requests: &[Value]) -> Vec<Value> {
    let dir = manifest_dir();
    let default_deps = dir.join("tests/differential/pydeps");
    let python_path = match std::env::var("HERALD_PHONE_ORACLE_PYTHONPATH") {
        Ok(p) if !p.is_empty() => p,
        _ if default_deps.is_dir() => default_deps.display().to_string(),
        _ => panic!(
            "the libphonenumber oracle (Python phonenumbers) is not installed: {} does not exist \
             and HERALD_PHONE_ORACLE_PYTHONPATH is not set; {INSTALL}",
            default_deps.display()
        ),
    };
    let python = std::env::var("HERALD_PHONE_ORACLE_PYTHON").unwrap_or_else(|_| "python3".into());
    let mut child = Command::new(&python)
        .arg(dir.join("tests/differential/phone_oracle.py"))
        .current_dir(&dir)
        .env("PYTHONPATH", &python_path)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run `{python}` for the phone oracle ({e}); {INSTALL}"));
    let mut input = String::new();
    for r in requests {
        input.push_str(&r.to_string());
        input.push('\n');
    }
    let mut stdin = child.stdin.take().expect("stdin");
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(input.as_bytes());
    });
    let output = child.wait_with_output().expect("oracle output");
    writer.join().expect("writer");
    if !output.status.success() {
        panic!(
            "the phone oracle failed ({}): {}\nPYTHONPATH={python_path}; {INSTALL}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let answers: Vec<Value> = String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("oracle JSON"))
        .collect();
    assert_eq!(
        answers.len(),
        requests.len(),
        "oracle answered every request"
    );
    answers
}

fn pinned_requirement() -> String {
    let path = manifest_dir().join("tests/differential/requirements.txt");
    let text = std::fs::read_to_string(&path).expect("requirements.txt");
    text.lines()
        .find_map(|l| l.trim().strip_prefix("phonenumbers=="))
        .and_then(|v| v.split_whitespace().next())
        .map(str::to_string)
        .expect("requirements.txt pins phonenumbers==<version>")
}

/// The `+<libphonenumber version>` build tag of the `phonenumber` crate in the
/// nearest Cargo.lock, if one is found.
fn locked_crate_metadata_version() -> Option<String> {
    let mut dir: Option<&Path> = Some(Path::new(env!("CARGO_MANIFEST_DIR")));
    while let Some(d) = dir {
        if let Ok(lock) = std::fs::read_to_string(d.join("Cargo.lock")) {
            let mut lines = lock.lines();
            while let Some(line) = lines.next() {
                if line.trim() == "name = \"phonenumber\"" {
                    let version = lines.next()?.trim().strip_prefix("version = \"")?;
                    return version
                        .trim_end_matches('"')
                        .split_once('+')
                        .map(|(_, meta)| meta.to_string());
                }
            }
            return None;
        }
        dir = d.parent();
    }
    None
}

// ----------------------------------------------------------------------------------
// Comparison
// ----------------------------------------------------------------------------------

/// Herald's error for an oracle reason (see phone_oracle.py).
fn expected_error(reason: &str) -> &'static str {
    match reason {
        "NOT_A_NUMBER" => "NotANumber",
        "INVALID_COUNTRY_CODE" => "InvalidCountryCode",
        "TOO_SHORT_AFTER_IDD" | "TOO_SHORT_NSN" | "TOO_SHORT" | "IS_POSSIBLE_LOCAL_ONLY" => {
            "TooShort"
        }
        "TOO_LONG" => "TooLong",
        "INVALID_LENGTH" | "IS_POSSIBLE" => "InvalidForRegion",
        other => panic!("unknown oracle reason {other}"),
    }
}

fn error_name(e: &PhoneError) -> &'static str {
    match e {
        PhoneError::Empty => "Empty",
        PhoneError::NotANumber => "NotANumber",
        PhoneError::TooShort => "TooShort",
        PhoneError::TooLong => "TooLong",
        PhoneError::InvalidForRegion { .. } => "InvalidForRegion",
        PhoneError::InvalidCountryCode => "InvalidCountryCode",
        PhoneError::Landline => "Landline",
    }
}

/// What the `phonenumber` crate alone says: (valid, e164, kind).
fn crate_alone(candidate: &str, region: &str) -> Option<(bool, String, String)> {
    let id = phonenumber::country::Id::from_str(region).ok()?;
    let candidate = candidate.to_string();
    std::panic::catch_unwind(move || {
        let n = phonenumber::parse(Some(id), &candidate).ok()?;
        let e164 = n.format().mode(phonenumber::Mode::E164).to_string();
        let kind = serde_json::to_value(n.number_type(&DATABASE))
            .ok()?
            .as_str()?
            .to_string();
        Some((n.is_valid(), e164, kind))
    })
    .ok()
    .flatten()
}

#[test]
fn herald_agrees_with_libphonenumber() {
    // The oracle must be the release that carries the crate's metadata.
    let pinned = pinned_requirement();
    assert_eq!(
        pinned, LIBPHONENUMBER_METADATA,
        "requirements.txt pins phonenumbers {pinned}, the crate embeds libphonenumber {LIBPHONENUMBER_METADATA}"
    );
    if let Some(locked) = locked_crate_metadata_version() {
        assert_eq!(
            locked, LIBPHONENUMBER_METADATA,
            "Cargo.lock has phonenumber +{locked}; update LIBPHONENUMBER_METADATA and requirements.txt together"
        );
    }

    let mut rng = Rng(0x4845_5241_4C44); // "HERALD"
    let regions = regions();
    let examples = examples(&regions);
    let total = std::env::var("HERALD_PHONE_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(CASES.max(40 * regions.len()));
    let mut cases = Vec::new(); // (raw, region, candidate)
    let mut not_candidates = 0;
    for _ in 0..total {
        let (raw, region) = generate(&mut rng, &regions, &examples);
        match phone::clean(&raw) {
            Cleaned::Candidate(c) => cases.push((raw, region, c)),
            _ => not_candidates += 1,
        }
    }

    // Metadata cross-checks, then every case, in one oracle run.
    let by_code = phone::debug_regions_by_code();
    let region_ids: Vec<String> = by_code
        .iter()
        .flat_map(|(_, ids)| ids.iter().filter(|id| *id != "001").cloned())
        .collect();
    let mut requests = vec![json!({"version": true})];
    requests.extend(by_code.iter().map(|(cc, _)| json!({"cc": cc})));
    requests.extend(region_ids.iter().map(|id| json!({"meta": id})));
    requests.extend(
        cases
            .iter()
            .map(|(_, region, c)| json!({"input": c, "region": region})),
    );
    let answers = run_oracle(&requests);
    let (version, rest) = answers.split_first().expect("answers");
    let (cc_answers, rest) = rest.split_at(by_code.len());
    let (meta_answers, case_answers) = rest.split_at(region_ids.len());

    assert_eq!(
        version["phonenumbers"], LIBPHONENUMBER_METADATA,
        "the installed phonenumbers is not the pinned release; {INSTALL}"
    );
    for ((cc, ids), answer) in by_code.iter().zip(cc_answers) {
        assert_eq!(&answer["regions"], &json!(ids), "regions for +{cc}");
    }
    for (id, answer) in region_ids.iter().zip(meta_answers) {
        let (lengths, local) = phone::debug_general_lengths(id).expect("region");
        assert_eq!(
            answer["possible_lengths"],
            json!(lengths),
            "lengths for {id}"
        );
        assert_eq!(
            answer["local_only_lengths"],
            json!(local),
            "local lengths for {id}"
        );
    }

    let compare_crate = std::env::var("HERALD_PHONE_COMPARE_CRATE").is_ok_and(|v| v == "1");
    let mut disagreements = Vec::new();
    let mut reason_disagreements = Vec::new();
    let mut crate_disagreements = Vec::new();
    let mut valid_count = 0;
    let mut by_kind: BTreeMap<String, usize> = BTreeMap::new();
    for ((raw, region, candidate), oracle) in cases.iter().zip(case_answers) {
        let herald = phone::parse(raw, Region::parse(region).expect("region"));
        let oracle_valid = oracle["valid"].as_bool().expect("valid");
        let agree = match &herald {
            Ok(n) => {
                oracle_valid
                    && oracle["e164"] == n.e164()
                    && oracle["kind"] == n.kind().as_str()
                    && oracle["time_zones"] == json!(time_zones::time_zones(n))
            }
            Err(_) => !oracle_valid,
        };
        if !agree {
            disagreements.push(format!(
                "{raw:?} in {region} (cleaned {candidate:?}): herald {herald:?}, oracle {oracle}"
            ));
        }
        if let Ok(n) = &herald {
            valid_count += 1;
            *by_kind.entry(n.kind().as_str().into()).or_default() += 1;
        }
        if let (Err(e), Some(reason)) = (&herald, oracle["reason"].as_str()) {
            if error_name(e) != expected_error(reason) {
                reason_disagreements.push(format!(
                    "{raw:?} in {region} (cleaned {candidate:?}): herald {e:?}, oracle {reason}"
                ));
            }
        }
        if !compare_crate {
            continue;
        }
        let crate_agrees = match crate_alone(candidate, region) {
            Some((valid, e164, kind)) if valid => {
                oracle_valid && oracle["e164"] == e164 && oracle["kind"] == kind
            }
            _ => !oracle_valid,
        };
        if !crate_agrees {
            crate_disagreements.push(format!(
                "{candidate:?} in {region}: crate {:?}, oracle {oracle}",
                crate_alone(candidate, region)
            ));
        }
    }

    let n = cases.len();
    eprintln!(
        "phone differential: {n} cases sent to libphonenumber {LIBPHONENUMBER_METADATA} \
         ({not_candidates} more generated inputs cleaned to Empty/NotANumber), {valid_count} valid"
    );
    eprintln!("  valid numbers by kind: {by_kind:?}");
    eprintln!(
        "  herald agreement (validity, E.164, kind, time zones): {}/{n}; error category agreement: {}/{}",
        n - disagreements.len(),
        (n - valid_count) - reason_disagreements.len(),
        n - valid_count
    );
    if compare_crate {
        eprintln!(
            "  for reference, the phonenumber crate's own parse/is_valid/number_type: {}/{n}",
            n - crate_disagreements.len()
        );
        for d in crate_disagreements.iter().take(12) {
            eprintln!("    crate: {d}");
        }
    }

    assert!(n >= MIN_ORACLE_CASES, "only {n} cases reached the oracle");
    assert!(
        disagreements.is_empty(),
        "{} of {n} cases disagree with libphonenumber:\n{}",
        disagreements.len(),
        disagreements
            .iter()
            .take(40)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
    assert!(
        reason_disagreements.is_empty(),
        "{} invalid cases give a different reason:\n{}",
        reason_disagreements.len(),
        reason_disagreements
            .iter()
            .take(40)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}

/// A vanity form of an example number: its last digits (3 to 7 of them, all on letter keys
/// 2–9) written as letters, in either case, glued to the digits or after a hyphen, as on
/// a billboard (`1-800-FLOWERS`). `None` when the number does not end in three such digits.
fn vanity(rng: &mut Rng, ex: &Example) -> Option<String> {
    const KEYS: [&str; 8] = ["ABC", "DEF", "GHI", "JKL", "MNO", "PQRS", "TUV", "WXYZ"];
    let digits: Vec<char> = ex.nsn.chars().collect();
    let on_letters = digits
        .iter()
        .rev()
        .take_while(|d| ('2'..='9').contains(*d))
        .count();
    if on_letters < 3 {
        return None;
    }
    let k = 3 + rng.below(on_letters.min(7) - 2);
    let (head, tail) = digits.split_at(digits.len() - k);
    let lower = rng.chance(20);
    let letters: String = tail
        .iter()
        .map(|d| {
            let key = KEYS[(*d as u8 - b'2') as usize].as_bytes();
            let c = char::from(key[rng.below(key.len())]);
            if lower {
                c.to_ascii_lowercase()
            } else {
                c
            }
        })
        .collect();
    let head: String = head.iter().collect();
    let glue = *rng.pick(&["-", "", "-"]);
    let national = match &ex.national_prefix {
        Some(np) if rng.chance(70) => format!("{np}{head}"),
        _ => head,
    };
    let number = if national.is_empty() {
        letters
    } else {
        format!("{}{glue}{letters}", format_digits(rng, &national))
    };
    Some(match rng.below(3) {
        0 => number,
        1 => format!("+{} {number}", ex.country_code),
        _ => format!("Cell: {number}"),
    })
}

/// Vanity numbers (letters read on a keypad) parse to what libphonenumber reads, given the
/// very text staff typed: here the oracle sees the raw input, not Herald's cleaned one.
#[test]
fn vanity_numbers_agree_with_libphonenumber() {
    let mut rng = Rng(0x5641_4E49_5459); // "VANITY"
    let regions = regions();
    let examples = examples(&regions);
    let mut cases = Vec::new();
    while cases.len() < 1500 {
        let ex = rng.pick(&examples);
        if let Some(raw) = vanity(&mut rng, ex) {
            cases.push((raw, ex.region.clone()));
        }
    }
    cases.push(("1-800-FLOWERS".into(), "US".into()));
    let requests: Vec<Value> = cases
        .iter()
        .map(|(raw, region)| json!({"input": raw, "region": region}))
        .collect();
    let answers = run_oracle(&requests);
    let mut disagreements = Vec::new();
    let mut valid = 0;
    for ((raw, region), oracle) in cases.iter().zip(&answers) {
        let herald = phone::parse(raw, Region::parse(region).expect("region"));
        let oracle_valid = oracle["valid"].as_bool().expect("valid");
        let agree = match &herald {
            Ok(n) => {
                oracle_valid && oracle["e164"] == n.e164() && oracle["kind"] == n.kind().as_str()
            }
            Err(_) => !oracle_valid,
        };
        valid += usize::from(oracle_valid);
        if !agree {
            disagreements.push(format!(
                "{raw:?} in {region}: herald {herald:?}, oracle {oracle}"
            ));
        }
    }
    println!(
        "vanity numbers: {} cases, {valid} valid to libphonenumber, {} disagreements",
        cases.len(),
        disagreements.len()
    );
    assert!(
        valid > cases.len() / 2,
        "most cases are valid numbers ({valid})"
    );
    assert!(
        disagreements.is_empty(),
        "{} of {} vanity numbers disagree:\n{}",
        disagreements.len(),
        cases.len(),
        disagreements
            .iter()
            .take(30)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
    let flowers = answers.last().expect("answer");
    assert_eq!(flowers["e164"], "+18003569377");
}
