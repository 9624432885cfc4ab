//! Merge templates: message text with `${Alias}` fields, filled in for each
//! recipient from the IQA row.
//!
//! Syntax:
//! * `${Alias}` is replaced by the recipient's value of the IQA column whose
//!   alias is exactly `Alias` (case-sensitive; any characters but `}`, `{`
//!   and line breaks).
//! * `$${` writes a literal `${`: `$${Name}` renders as the text `${Name}`.
//!   Scanning is left to right, so `$$${Name}` is `$` followed by the literal
//!   `${Name}`. A `$` or `$$` not followed by `{` is plain text.
//! * Errors are collected, not stopped at: a `${` without its `}` (before a
//!   `{` or the end of the line), an empty `${}`, and every unknown field,
//!   each with its position (0-based index in Unicode scalar values, and the
//!   UTF-16 offset for JavaScript editors) and, for unknown fields, the
//!   nearest known alias when one is close.
//!
//! A template is parsed once into literal text and field references, so
//! rendering is a sequence of `push_str`s; values are inserted verbatim and
//! never parsed again (a value containing `${X}` stays literal).

use std::fmt;

use serde::Serialize;
use thiserror::Error;

/// A parsed message template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MergeTemplate {
    parts: Vec<Part>,
    /// Distinct field aliases in order of first use; `Part::Field` indexes it.
    fields: Vec<String>,
    /// Total length of the literal parts, to size the output.
    literal_len: usize,
}

/// A piece of a parsed template.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Literal(String),
    Field(usize),
}

/// One problem in a template's text.
#[derive(Debug, Clone, PartialEq, Eq, Error, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum TemplateError {
    /// `${` with no `}` before the next `{`, line break or the end.
    #[error(
        "The merge field opened at position {position} is never closed: add a }} after its name."
    )]
    Unterminated {
        /// Position of the `$`, in Unicode scalar values.
        position: usize,
        /// Position of the `$`, in UTF-16 code units.
        utf16_offset: usize,
    },
    /// `${}`.
    #[error("Empty merge field ${{}} at position {position}.")]
    EmptyName {
        /// Position of the `$`, in Unicode scalar values.
        position: usize,
        /// Position of the `$`, in UTF-16 code units.
        utf16_offset: usize,
    },
    /// A field whose alias is not a column of the audience.
    #[error("Unknown merge field ${{{name}}} at position {position}{}", did_you_mean(.suggestion))]
    UnknownField {
        /// The alias as written.
        name: String,
        /// Position of the `$`, in Unicode scalar values.
        position: usize,
        /// Position of the `$`, in UTF-16 code units.
        utf16_offset: usize,
        /// The nearest known alias, if one is close enough.
        suggestion: Option<String>,
    },
}

fn did_you_mean(suggestion: &Option<String>) -> String {
    match suggestion {
        Some(alias) => format!(" — did you mean ${{{alias}}}?"),
        None => ".".to_owned(),
    }
}

/// Every problem found in a template, in text order (never empty).
#[derive(Debug, Clone, PartialEq, Eq, Error, Serialize)]
#[serde(transparent)]
pub struct TemplateErrors {
    /// The problems, in order of position.
    pub errors: Vec<TemplateError>,
}

impl fmt::Display for TemplateErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, error) in self.errors.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{error}")?;
        }
        Ok(())
    }
}

/// A recipient's value for a used field is missing or blank, under the "skip
/// recipients with empty values" policy.
#[derive(Debug, Clone, PartialEq, Eq, Error, Serialize)]
#[error("The merge field ${{{field}}} is empty for this recipient.")]
pub struct EmptyField {
    /// The field's alias.
    pub field: String,
}

impl MergeTemplate {
    /// Parses `text`, accepting only fields named exactly as one of
    /// `known_aliases`. Reports every problem at once.
    pub fn parse(text: &str, known_aliases: &[&str]) -> Result<MergeTemplate, TemplateErrors> {
        let chars: Vec<char> = text.chars().collect();
        // utf16[i] = UTF-16 offset of chars[i].
        let utf16: Vec<usize> = chars
            .iter()
            .scan(0, |offset, c| {
                let here = *offset;
                *offset += c.len_utf16();
                Some(here)
            })
            .collect();

        let mut builder = Builder::default();
        let mut errors = Vec::new();
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            let next = chars.get(i + 1).copied();
            if c == '$' && next == Some('$') && chars.get(i + 2) == Some(&'{') {
                builder.literal("${");
                i += 3;
                continue;
            }
            if c != '$' || next != Some('{') {
                builder.literal_char(c);
                i += 1;
                continue;
            }
            let (position, utf16_offset) = (i, utf16[i]);
            let name_start = i + 2;
            let close = chars[name_start..]
                .iter()
                .position(|&c| matches!(c, '}' | '{' | '\n' | '\r'))
                .map(|n| name_start + n)
                .filter(|&end| chars[end] == '}');
            let Some(close) = close else {
                errors.push(TemplateError::Unterminated {
                    position,
                    utf16_offset,
                });
                // Keep scanning right after `${` so later fields are checked.
                builder.literal("${");
                i = name_start;
                continue;
            };
            let name: String = chars[name_start..close].iter().collect();
            if name.is_empty() {
                errors.push(TemplateError::EmptyName {
                    position,
                    utf16_offset,
                });
            } else if known_aliases.contains(&name.as_str()) {
                builder.field(name);
            } else {
                let suggestion = nearest_alias(&name, known_aliases).map(str::to_owned);
                errors.push(TemplateError::UnknownField {
                    name,
                    position,
                    utf16_offset,
                    suggestion,
                });
            }
            i = close + 1;
        }
        if errors.is_empty() {
            Ok(builder.finish())
        } else {
            Err(TemplateErrors { errors })
        }
    }

    /// The distinct fields the template uses, in order of first use.
    pub fn fields(&self) -> impl Iterator<Item = &str> {
        self.fields.iter().map(String::as_str)
    }

    /// Fills in the fields; a missing value renders as the empty string.
    pub fn render<'v>(&self, lookup: impl Fn(&str) -> Option<&'v str>) -> String {
        let mut out = String::new();
        self.render_into(&mut out, lookup);
        out
    }

    /// Like [`MergeTemplate::render`], into `out` (cleared first), so that
    /// one buffer can serve a whole audience.
    pub fn render_into<'v>(&self, out: &mut String, lookup: impl Fn(&str) -> Option<&'v str>) {
        // Without skipping, rendering cannot fail.
        let _ = self.render_checked_into(out, lookup, false);
    }

    /// Fills in the fields; with `skip_empty`, fails on the first used field
    /// whose value is missing, empty or only whitespace (the recipient is to
    /// be skipped). Without it, behaves like [`MergeTemplate::render`].
    pub fn render_checked<'v>(
        &self,
        lookup: impl Fn(&str) -> Option<&'v str>,
        skip_empty: bool,
    ) -> Result<String, EmptyField> {
        let mut out = String::new();
        self.render_checked_into(&mut out, lookup, skip_empty)?;
        Ok(out)
    }

    /// Like [`MergeTemplate::render_checked`], into `out` (cleared first; its
    /// content is unspecified on error).
    pub fn render_checked_into<'v>(
        &self,
        out: &mut String,
        lookup: impl Fn(&str) -> Option<&'v str>,
        skip_empty: bool,
    ) -> Result<(), EmptyField> {
        out.clear();
        out.reserve(self.literal_len);
        for part in &self.parts {
            match part {
                Part::Literal(text) => out.push_str(text),
                Part::Field(index) => {
                    let field = &self.fields[*index];
                    let value = lookup(field).unwrap_or("");
                    if skip_empty && value.trim().is_empty() {
                        return Err(EmptyField {
                            field: field.clone(),
                        });
                    }
                    out.push_str(value);
                }
            }
        }
        Ok(())
    }
}

/// Accumulates parts, merging adjacent literal text.
#[derive(Default)]
struct Builder {
    parts: Vec<Part>,
    fields: Vec<String>,
    pending: String,
    literal_len: usize,
}

impl Builder {
    fn literal(&mut self, text: &str) {
        self.pending.push_str(text);
    }

    fn literal_char(&mut self, c: char) {
        self.pending.push(c);
    }

    fn flush(&mut self) {
        if !self.pending.is_empty() {
            self.literal_len += self.pending.len();
            self.parts
                .push(Part::Literal(std::mem::take(&mut self.pending)));
        }
    }

    fn field(&mut self, name: String) {
        self.flush();
        let index = match self.fields.iter().position(|f| *f == name) {
            Some(index) => index,
            None => {
                self.fields.push(name);
                self.fields.len() - 1
            }
        };
        self.parts.push(Part::Field(index));
    }

    fn finish(mut self) -> MergeTemplate {
        self.flush();
        MergeTemplate {
            parts: self.parts,
            fields: self.fields,
            literal_len: self.literal_len,
        }
    }
}

/// The known alias nearest to `name`: one equal but for case and
/// surrounding spaces if any, else the closest by edit distance (with
/// transpositions, ignoring case) when it is within about a quarter of the
/// longer name (at least 1 edit).
fn nearest_alias<'a>(name: &str, known_aliases: &[&'a str]) -> Option<&'a str> {
    let folded: Vec<char> = name.trim().to_lowercase().chars().collect();
    let mut best: Option<(usize, &'a str)> = None;
    for &alias in known_aliases {
        let candidate: Vec<char> = alias.trim().to_lowercase().chars().collect();
        let distance = edit_distance(&folded, &candidate);
        if distance == 0 {
            return Some(alias);
        }
        let longer = folded.len().max(candidate.len());
        let allowed = ((longer + 1) / 4).max(1);
        if distance <= allowed && best.is_none_or(|(d, _)| distance < d) {
            best = Some((distance, alias));
        }
    }
    best.map(|(_, alias)| alias)
}

/// Optimal-string-alignment distance: insertions, deletions, substitutions
/// and transpositions of adjacent characters each cost 1.
fn edit_distance(a: &[char], b: &[char]) -> usize {
    let width = b.len() + 1;
    let mut rows = vec![0usize; (a.len() + 1) * width];
    let at = |i: usize, j: usize| i * width + j;
    for j in 0..=b.len() {
        rows[at(0, j)] = j;
    }
    for i in 1..=a.len() {
        rows[at(i, 0)] = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut d = (rows[at(i - 1, j)] + 1)
                .min(rows[at(i, j - 1)] + 1)
                .min(rows[at(i - 1, j - 1)] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d = d.min(rows[at(i - 2, j - 2)] + 1);
            }
            rows[at(i, j)] = d;
        }
    }
    rows[at(a.len(), b.len())]
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::HashMap;

    const ALIASES: &[&str] = &[
        "FirstName",
        "LastName",
        "Email",
        "Balance",
        "Prénom",
        "名前",
    ];

    fn parse(text: &str) -> MergeTemplate {
        MergeTemplate::parse(text, ALIASES).unwrap()
    }

    fn errors(text: &str) -> Vec<TemplateError> {
        MergeTemplate::parse(text, ALIASES).unwrap_err().errors
    }

    fn values<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<&'a str> {
        move |field| pairs.iter().find(|(k, _)| *k == field).map(|(_, v)| *v)
    }

    #[test]
    fn renders_fields() {
        let t = parse("Hi ${FirstName} ${LastName}, you owe ${Balance}.");
        assert_eq!(
            t.fields().collect::<Vec<_>>(),
            ["FirstName", "LastName", "Balance"]
        );
        let v = [("FirstName", "Ana"), ("LastName", "Lee"), ("Balance", "$5")];
        assert_eq!(t.render(values(&v)), "Hi Ana Lee, you owe $5.");
    }

    #[test]
    fn adjacent_and_repeated_fields() {
        let t = parse("${FirstName}${LastName}${FirstName}");
        assert_eq!(t.fields().collect::<Vec<_>>(), ["FirstName", "LastName"]);
        assert_eq!(
            t.render(values(&[("FirstName", "A"), ("LastName", "B")])),
            "ABA"
        );
    }

    #[test]
    fn escapes_and_lone_dollars() {
        let none = values(&[]);
        assert_eq!(parse("$${FirstName}").render(&none), "${FirstName}");
        assert!(parse("$${FirstName}").fields().next().is_none());
        assert_eq!(parse("$${").render(&none), "${");
        assert_eq!(parse("$$${FirstName}").render(&none), "$${FirstName}");
        assert_eq!(parse("Pay $5 now").render(&none), "Pay $5 now");
        assert_eq!(parse("$").render(&none), "$");
        assert_eq!(parse("$$").render(&none), "$$");
        assert_eq!(parse("$$$").render(&none), "$$$");
        assert_eq!(parse("a $ b $$ c } {").render(&none), "a $ b $$ c } {");
        assert_eq!(parse("").render(&none), "");
        assert_eq!(
            parse("$ ${Balance}").render(values(&[("Balance", "5")])),
            "$ 5"
        );
    }

    #[test]
    fn unicode_aliases_and_positions() {
        let t = parse("Bonjour ${Prénom} ${名前}");
        assert_eq!(
            t.render(values(&[("Prénom", "Zoé"), ("名前", "花子")])),
            "Bonjour Zoé 花子"
        );
        // Positions count Unicode scalars; UTF-16 offsets count the emoji twice.
        assert_eq!(
            errors("😀é ${Nope}"),
            vec![TemplateError::UnknownField {
                name: "Nope".into(),
                position: 3,
                utf16_offset: 4,
                suggestion: None
            }]
        );
    }

    #[test]
    fn unterminated_fields() {
        assert_eq!(
            errors("Hi ${FirstName"),
            vec![TemplateError::Unterminated {
                position: 3,
                utf16_offset: 3
            }]
        );
        assert_eq!(
            errors("Hi ${FirstName\n${LastName}"),
            vec![TemplateError::Unterminated {
                position: 3,
                utf16_offset: 3
            }]
        );
        // A second `${` before the `}`: the first is unterminated, the second
        // is still checked.
        assert_eq!(
            errors("${First ${Nope}"),
            vec![
                TemplateError::Unterminated {
                    position: 0,
                    utf16_offset: 0
                },
                TemplateError::UnknownField {
                    name: "Nope".into(),
                    position: 8,
                    utf16_offset: 8,
                    suggestion: None
                },
            ]
        );
        assert_eq!(
            errors("${"),
            vec![TemplateError::Unterminated {
                position: 0,
                utf16_offset: 0
            }]
        );
        assert_eq!(
            errors("${}"),
            vec![TemplateError::EmptyName {
                position: 0,
                utf16_offset: 0
            }]
        );
        assert_eq!(
            errors("${FirstName")
                .first()
                .map(ToString::to_string)
                .unwrap(),
            "The merge field opened at position 0 is never closed: add a } after its name."
        );
    }

    #[test]
    fn every_unknown_field_is_reported_with_a_suggestion() {
        let errs = errors("Hello ${FirstNme}, ${firstname} ${Emial} ${Zip} ${ LastName }");
        let messages: Vec<String> = errs.iter().map(ToString::to_string).collect();
        assert_eq!(
            messages,
            [
                "Unknown merge field ${FirstNme} at position 6 — did you mean ${FirstName}?",
                "Unknown merge field ${firstname} at position 19 — did you mean ${FirstName}?",
                "Unknown merge field ${Emial} at position 32 — did you mean ${Email}?",
                "Unknown merge field ${Zip} at position 41.",
                "Unknown merge field ${ LastName } at position 48 — did you mean ${LastName}?",
            ]
        );
        let all = MergeTemplate::parse("${A} ${B}", ALIASES).unwrap_err();
        assert_eq!(
            all.to_string(),
            "Unknown merge field ${A} at position 0.\nUnknown merge field ${B} at position 5."
        );
    }

    #[test]
    fn case_fix_beats_a_closer_spelling() {
        assert_eq!(nearest_alias("EMAIL", &["Emails", "Email"]), Some("Email"));
        assert_eq!(nearest_alias("LastName", &["FirstName"]), None);
        assert_eq!(nearest_alias("Nmae", &["Name"]), Some("Name"));
        assert_eq!(nearest_alias("x", &[]), None);
    }

    #[test]
    fn values_are_inserted_verbatim() {
        let t = parse("Hi ${FirstName}!");
        assert_eq!(
            t.render(values(&[("FirstName", "${LastName} $${x}")])),
            "Hi ${LastName} $${x}!"
        );
    }

    #[test]
    fn missing_and_empty_values() {
        let t = parse("Hi ${FirstName} ${LastName}");
        assert_eq!(t.render(values(&[("LastName", "")])), "Hi  ");
        assert_eq!(
            t.render_checked(values(&[("FirstName", "Ana")]), false),
            Ok("Hi Ana ".to_owned())
        );
        assert_eq!(
            t.render_checked(values(&[("FirstName", "Ana"), ("LastName", " ")]), true),
            Err(EmptyField {
                field: "LastName".into()
            })
        );
        assert_eq!(
            t.render_checked(values(&[]), true).unwrap_err().to_string(),
            "The merge field ${FirstName} is empty for this recipient."
        );
        assert_eq!(
            t.render_checked(values(&[("FirstName", "A"), ("LastName", "B")]), true),
            Ok("Hi A B".to_owned())
        );
    }

    #[test]
    fn one_buffer_for_many_recipients() {
        let t = parse("Dear ${FirstName}, your balance is ${Balance}.");
        let rows: Vec<HashMap<&str, String>> = (0..1000)
            .map(|i| {
                HashMap::from([
                    ("FirstName", format!("Member{i}")),
                    ("Balance", i.to_string()),
                ])
            })
            .collect();
        let mut buf = String::new();
        for (i, row) in rows.iter().enumerate() {
            t.render_into(&mut buf, |f| row.get(f).map(String::as_str));
            assert_eq!(buf, format!("Dear Member{i}, your balance is {i}."));
        }
    }

    #[test]
    fn errors_serialize_for_the_editor() {
        let json =
            serde_json::to_value(MergeTemplate::parse("${Emial}", ALIASES).unwrap_err()).unwrap();
        assert_eq!(
            json,
            serde_json::json!([{
                "kind": "unknown_field", "name": "Emial", "position": 0,
                "utf16_offset": 0, "suggestion": "Email"
            }])
        );
    }

    proptest! {
        #[test]
        fn parsing_and_rendering_never_panic(
            text in "(\\$|\\{|\\}|\\$\\{|\\$\\$\\{|FirstName|Email|\\PC){0,60}",
            value in "\\PC{0,30}",
            skip in any::<bool>(),
        ) {
            if let Ok(t) = MergeTemplate::parse(&text, ALIASES) {
                let rendered = t.render(|_| Some(value.as_str()));
                let checked = t.render_checked(|_| Some(value.as_str()), skip);
                if let Ok(checked) = checked {
                    prop_assert_eq!(checked, rendered);
                }
                let _ = t.render(|_| None);
            }
        }

        #[test]
        fn text_without_dollar_renders_unchanged(text in "[^$]{0,80}") {
            prop_assert_eq!(MergeTemplate::parse(&text, &[]).unwrap().render(|_| None), text);
        }
    }
}
