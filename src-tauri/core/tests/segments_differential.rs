//! Differential test: Herald's segment counter and smart encoding against
//! Twilio's own calculator (`sms-segments-calculator` on npm).
//!
//! Needs Node.js and the npm package, pinned in `tests/differential/package.json`
//! and installed there by `make test` (`npm ci --prefix src-tauri/core/tests/differential`).
//! `HERALD_SEGCALC_DIR` may point at another folder holding
//! `node_modules/sms-segments-calculator`.
//!
//! Without them the test fails (it never skips): agreement with Twilio's
//! calculator is what makes the segment estimate, and so the bill, right.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use herald_core::compose::segments::{count, Encoding};
use herald_core::compose::smart_encoding::{replacement, smart_encode};
use serde_json::Value;

/// Random bodies generated (fixed seed), on top of the hand-written ones.
const RANDOM_BODIES: usize = 6000;
const SEED: u64 = 0x4845_5241_4C44_0001;

const INSTALL_HELP: &str =
    "Install Twilio's calculator (pinned in src-tauri/core/tests/differential):\n  \
     npm ci --prefix src-tauri/core/tests/differential\n\
     (`make test` does this; Node.js 20 or later must be on PATH.)";

// ---------------------------------------------------------------- the oracle

fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/differential/segments.mjs")
}

/// Runs the Node script with `args` and `stdin`, returning its JSON output.
fn run_calculator(args: &[&str], stdin: &str) -> Value {
    let dir = std::env::var_os("HERALD_SEGCALC_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/differential"));
    assert!(
        dir.join("node_modules/sms-segments-calculator").is_dir(),
        "Twilio's calculator is not installed in {}.\n{INSTALL_HELP}",
        dir.display()
    );
    let mut child = Command::new("node")
        .arg(script())
        .args(args)
        .env("HERALD_SEGCALC_DIR", &dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run `node` ({e}).\n{INSTALL_HELP}"));
    let mut pipe = child.stdin.take().expect("stdin is piped");
    let input = stdin.to_owned();
    let writer = std::thread::spawn(move || pipe.write_all(input.as_bytes()));
    let output = child.wait_with_output().expect("node ran");
    writer.join().expect("writer thread").expect("wrote stdin");
    assert!(
        output.status.success(),
        "the calculator script failed ({}):\n{}\n{INSTALL_HELP}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("the script prints JSON")
}

fn smart_map() -> Vec<(char, String)> {
    let out = run_calculator(&["--smart-map"], "");
    out["map"]
        .as_object()
        .expect("map is an object")
        .iter()
        .map(|(k, v)| {
            let mut chars = k.chars();
            let c = chars.next().expect("non-empty key");
            assert!(chars.next().is_none(), "multi-character key {k:?}");
            (c, v.as_str().expect("string value").to_owned())
        })
        .collect()
}

// ------------------------------------------------------------- the generator

/// SplitMix64: small, seeded, good enough to spread the cases.
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

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

const GSM_BASIC: &str = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡\
                         ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
const GSM_EXTENSION: &str = "\u{0C}^{}\\[~]|€";
const ACCENTS: &[&str] = &[
    "á", "í", "ó", "ú", "ç", "ê", "â", "î", "ô", "û", "ë", "ï", "ÿ", "œ", "Á", "Í", "ã", "õ", "č",
    "š", "ž", "ł", "ń", "ś", "ż", "đ", "ő", "ğ", "ı",
];
const CJK_AND_SCRIPTS: &[&str] = &[
    "你",
    "好",
    "世界",
    "漢字",
    "日本語",
    "한국어",
    "カタカナ",
    "क्षत्रिय",
    "नमस्ते",
    "स्त्री",
    "สวัสดี",
    "مرحبا",
    "שלום",
    "Привет",
    "Ελλάδα",
    "\u{1100}\u{1161}\u{11A8}",
    "\u{AC00}\u{11A8}",
    "\u{0600}12",
    "क\u{0903}",
    "ก\u{0E33}",
];
const EMOJI: &[&str] = &[
    "😀", "😜", "👍", "🎉", "❤️", "❤", "☺️", "✈️", "⚽", "🔥", "💻", "🌈", "🫠", "🥹", "1️⃣", "#️⃣",
    "©️", "™", "🙏", "🤷", "🧑",
];
const SKIN_TONES: &[&str] = &[
    "👍🏻",
    "👍🏽",
    "👋🏿",
    "🧑🏾",
    "👩🏼",
    "✌🏽",
    "🤷🏽‍♀️",
    "👦🏾",
    "a🏽",
    "🏽",
    "👍\u{301}🏽",
];
const FLAGS: &[&str] = &["🇫🇷", "🇺🇸", "🇩🇪", "🇯🇵", "🇬🇧", "🇨🇦🇲🇽", "🏴󠁧󠁢󠁳󠁣󠁴󠁿", "🇺", "🇦🇧🇨"];
const ZWJ_SEQUENCES: &[&str] = &[
    "👨‍👩‍👧‍👦",
    "👩‍💻",
    "🏳️‍🌈",
    "❤️‍🔥",
    "👁️‍🗨️",
    "👩🏽‍🚀",
    "🧑‍🤝‍🧑",
    "👨‍❤️‍💋‍👨",
    "🐻‍❄️",
    "👩‍👩‍👦",
    "🏃‍♂️",
    "a\u{200D}b",
    "\u{200D}",
];
const COMBINING: &[&str] = &[
    "e\u{301}",
    "a\u{300}\u{323}",
    "n\u{303}",
    "o\u{308}\u{304}",
    "\u{301}",
    "e\u{302}",
    "Z\u{337}\u{338}",
    "u\u{20E5}",
    "x\u{0332}\u{0332}\u{0332}",
    "\u{FE0F}",
    "a\u{E0100}",
];
const LINE_BREAKS: &[&str] = &["\r\n", "\n", "\r", "\r\r\n", "\n\r"];
const ODDITIES: &[&str] = &[
    "\t", "`", "\u{0}", "\u{7}", "\u{200B}", "\u{FEFF}", "\u{A0}", "\u{2028}", "\u{7F}",
];

/// Lengths around segment boundaries (GSM-7 septets and UCS-2 units).
fn boundary_length(rng: &mut Rng) -> usize {
    const RANGES: &[(usize, usize)] = &[
        (0, 5),
        (150, 170),
        (300, 310),
        (455, 465),
        (608, 618),
        (760, 770),
        (60, 75),
        (130, 140),
        (195, 205),
        (262, 272),
        (330, 340),
    ];
    if rng.chance(8) {
        return rng.below(1700);
    }
    let &(lo, hi) = rng.pick(RANGES);
    lo + rng.below(hi - lo + 1)
}

fn random_scalar(rng: &mut Rng) -> char {
    loop {
        let cp = if rng.chance(70) {
            rng.below(0x1_0000) as u32
        } else {
            0x1_0000 + rng.below(0x10_0000) as u32
        };
        if let Some(c) = char::from_u32(cp) {
            return c;
        }
    }
}

struct Pools {
    gsm: Vec<String>,
    extension: Vec<String>,
    smart_keys: Vec<String>,
}

impl Pools {
    fn new(smart_keys: &[(char, String)]) -> Self {
        Pools {
            gsm: GSM_BASIC.chars().map(String::from).collect(),
            extension: GSM_EXTENSION.chars().map(String::from).collect(),
            smart_keys: smart_keys.iter().map(|(c, _)| c.to_string()).collect(),
        }
    }

    fn non_gsm_atom(&self, rng: &mut Rng) -> String {
        match rng.below(10) {
            0 => rng.pick(ACCENTS).to_string(),
            1 => rng.pick(CJK_AND_SCRIPTS).to_string(),
            2 => rng.pick(EMOJI).to_string(),
            3 => rng.pick(SKIN_TONES).to_string(),
            4 => rng.pick(FLAGS).to_string(),
            5 => rng.pick(ZWJ_SEQUENCES).to_string(),
            6 => rng.pick(COMBINING).to_string(),
            7 => rng.pick(ODDITIES).to_string(),
            8 => rng.pick(&self.smart_keys).clone(),
            _ => random_scalar(rng).to_string(),
        }
    }

    fn any_atom(&self, rng: &mut Rng) -> String {
        match rng.below(8) {
            0..=2 => rng.pick(&self.gsm).clone(),
            3 => rng.pick(&self.extension).clone(),
            4 => rng.pick(LINE_BREAKS).to_string(),
            _ => self.non_gsm_atom(rng),
        }
    }
}

fn utf16_len(s: &str) -> usize {
    s.encode_utf16().count()
}

/// Appends atoms from `next` until the body reaches `target` UTF-16 units.
fn fill(body: &mut String, target: usize, rng: &mut Rng, mut next: impl FnMut(&mut Rng) -> String) {
    while utf16_len(body) < target {
        body.push_str(&next(rng));
    }
}

fn random_body(pools: &Pools, rng: &mut Rng) -> String {
    let target = boundary_length(rng);
    let mut body = String::new();
    match rng.below(8) {
        // Pure GSM-7 basic text.
        0 => fill(&mut body, target, rng, |r| r.pick(&pools.gsm).clone()),
        // GSM-7 with extension characters (escape pairs near the boundaries).
        1 => {
            let share = 5 + rng.below(60) as u64;
            fill(&mut body, target, rng, |r| {
                if r.chance(share) {
                    r.pick(&pools.extension).clone()
                } else {
                    r.pick(&pools.gsm).clone()
                }
            })
        }
        // GSM-7 text with one non-GSM atom somewhere: UCS-2 boundaries.
        2 => {
            fill(&mut body, target, rng, |r| r.pick(&pools.gsm).clone());
            let chars: Vec<char> = body.chars().collect();
            let at = rng.below(chars.len() + 1);
            let atom = pools.non_gsm_atom(rng);
            body = chars[..at].iter().collect::<String>()
                + &atom
                + &chars[at..].iter().collect::<String>();
        }
        // Emoji-heavy text.
        3 => fill(&mut body, target, rng, |r| match r.below(5) {
            0 => r.pick(SKIN_TONES).to_string(),
            1 => r.pick(FLAGS).to_string(),
            2 => r.pick(ZWJ_SEQUENCES).to_string(),
            3 => r.pick(EMOJI).to_string(),
            _ => r.pick(&pools.gsm).clone(),
        }),
        // Text with smart-encodable characters (sometimes one emoji too).
        4 => {
            let share = 2 + rng.below(30) as u64;
            fill(&mut body, target, rng, |r| {
                if r.chance(share) {
                    r.pick(&pools.smart_keys).clone()
                } else {
                    r.pick(&pools.gsm).clone()
                }
            });
            if rng.chance(25) {
                let emoji = *rng.pick(EMOJI);
                body.push_str(emoji);
            }
        }
        // Line breaks and combining marks.
        5 => fill(&mut body, target, rng, |r| match r.below(4) {
            0 => r.pick(LINE_BREAKS).to_string(),
            1 => r.pick(COMBINING).to_string(),
            _ => r.pick(&pools.gsm).clone(),
        }),
        // Accents and other scripts.
        6 => fill(&mut body, target, rng, |r| {
            if r.chance(30) {
                if r.chance(50) {
                    r.pick(ACCENTS).to_string()
                } else {
                    r.pick(CJK_AND_SCRIPTS).to_string()
                }
            } else {
                r.pick(&pools.gsm).clone()
            }
        }),
        // Anything at all.
        _ => fill(&mut body, target, rng, |r| pools.any_atom(r)),
    }
    body
}

/// Bodies worth checking by hand: the reference's worked examples and traps.
fn fixed_bodies() -> Vec<String> {
    let digits = |n: usize| "1234567890".chars().cycle().take(n).collect::<String>();
    let mut bodies = vec![
        String::new(),
        digits(160),
        digits(161),
        digits(306),
        digits(307),
        "€".repeat(80),
        "€".repeat(81),
        format!("😜{}", digits(68)),
        format!("😜{}", digits(69)),
        "ç".repeat(135),
        "a".repeat(1530),
        "a".repeat(1600),
        format!("{}€{}", "a".repeat(152), "a".repeat(152)),
        format!("a{}", "\u{301}".repeat(80)),
        format!("a{}b", "\u{301}".repeat(80)),
        format!("{}{}", "b".repeat(60), "👨‍👩‍👧‍👦".repeat(9)),
        "\r\n".repeat(81),
        "👍🏽".repeat(33),
        "Don’t forget: dues are due “today”…".to_owned(),
        "Don’t forget 😀".to_owned(),
    ];
    for trap in ["`", "\t", "ç", "Ç", "á", "“", "”", "\u{A0}", "–", "—", "…"] {
        bodies.push(format!("Hello {trap} there"));
    }
    bodies
}

// ------------------------------------------------------------------ the tests

#[test]
fn smart_encoding_table_matches_the_calculator() {
    let theirs = smart_map();
    let mut mismatches = Vec::new();
    for (c, to) in &theirs {
        if replacement(*c) != Some(to.as_str()) {
            mismatches.push(format!(
                "U+{:04X}: calculator {to:?}, Herald {:?}",
                u32::from(*c),
                replacement(*c)
            ));
        }
    }
    let ours = (0..=0x10_FFFF_u32)
        .filter_map(char::from_u32)
        .filter(|c| replacement(*c).is_some())
        .count();
    assert!(
        mismatches.is_empty(),
        "smart-encoding mismatches:\n{}",
        mismatches.join("\n")
    );
    assert_eq!(
        ours,
        theirs.len(),
        "Herald has replacements the calculator lacks"
    );
}

#[test]
fn segments_agree_with_twilios_calculator() {
    let pools = Pools::new(&smart_map());
    let mut rng = Rng(SEED);
    let mut bodies = fixed_bodies();
    bodies.extend((0..RANDOM_BODIES).map(|_| random_body(&pools, &mut rng)));

    let input = serde_json::to_string(&bodies).expect("bodies serialize");
    let out = run_calculator(&[], &input);
    let results = out["results"].as_array().expect("results array");
    assert_eq!(results.len(), bodies.len());

    let mut mismatches = Vec::new();
    for (body, expected) in bodies.iter().zip(results) {
        let plain = count(body);
        let smart_text = smart_encode(body);
        let smart = count(&smart_text);
        let ours = serde_json::json!({
            "encoding": plain.encoding.as_str(),
            "segments": plain.segments,
            "characters": plain.characters,
            "nonGsm": plain.non_gsm.iter().map(|c| c.ch.as_str()).collect::<Vec<_>>(),
            "smart": {
                "encoding": smart.encoding.as_str(),
                "segments": smart.segments,
                "characters": smart.characters,
                "text": smart_text,
            },
        });
        if &ours != expected {
            mismatches.push((body, ours, expected.clone()));
        }
    }

    let agree = bodies.len() - mismatches.len();
    let ucs2 = bodies
        .iter()
        .filter(|b| count(b).encoding == Encoding::Ucs2)
        .count();
    let max_segments = bodies.iter().map(|b| count(b).segments).max().unwrap_or(0);
    println!(
        "sms-segments-calculator {}: {agree}/{} bodies agree ({ucs2} UCS-2, up to {max_segments} segments)",
        out["version"],
        bodies.len()
    );
    for (body, ours, theirs) in mismatches.iter().take(10) {
        println!("MISMATCH for {body:?}\n  Herald:     {ours}\n  calculator: {theirs}");
    }
    assert!(
        mismatches.is_empty(),
        "{} of {} bodies disagree with Twilio's calculator (first ones printed above)",
        mismatches.len(),
        bodies.len()
    );
}
