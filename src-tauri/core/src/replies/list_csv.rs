//! The opt-out list as a CSV file, out and in: staff keep lists from other tools (iMIS
//! Text Messenger, a carrier's export, a paper sign-up), and take Herald's list elsewhere.

use crate::compose::audience::AudienceTable;
use crate::compose::phone::{self, Region};
use crate::error::{Error, Result};
use crate::store::{NewOptOut, OptOut, OptOutSource, Store, ALL_SENDERS, TEST_SENDER};
use serde::Serialize;
use specta::Type;

/// Why a number is on the list, in staff words.
pub fn source_words(source: OptOutSource) -> &'static str {
    match source {
        OptOutSource::TwilioStop => "Twilio refused a text: the member had replied STOP",
        OptOutSource::RepliedStop => "Replied STOP",
        OptOutSource::ConfirmedReply => "A reply confirmed by staff as an opt-out",
        OptOutSource::Import => "Imported",
        OptOutSource::Manual => "Added by staff",
    }
}

/// The list as CSV: number, sender, why, when (UTC), campaign, note. TEST mode's
/// simulated entries stay in Herald (no member asked for them).
pub fn export(entries: &[OptOut]) -> Result<String> {
    let mut w = crate::csv_out::writer(vec![]);
    let io = |e: csv::Error| Error::Invalid(format!("could not write the CSV: {e}"));
    w.write_record(["Number", "Sender", "Why", "Added (UTC)", "Campaign", "Note"])
        .map_err(io)?;
    for o in entries.iter().filter(|o| o.sender != TEST_SENDER) {
        w.write_record([
            o.phone_e164.as_str(),
            if o.sender == ALL_SENDERS {
                "Every sender"
            } else {
                o.sender.as_str()
            },
            source_words(o.source),
            &o.added_at.format("%Y-%m-%d %H:%M:%S").to_string(),
            &o.campaign_id.map(|c| c.to_string()).unwrap_or_default(),
            o.note.as_deref().unwrap_or(""),
        ])
        .map_err(io)?;
    }
    let bytes = w
        .into_inner()
        .map_err(|e| Error::Invalid(format!("could not write the CSV: {e}")))?;
    String::from_utf8(bytes).map_err(|e| Error::Invalid(e.to_string()))
}

/// A row that could not be imported.
#[derive(Debug, Clone, Serialize, Type)]
pub struct ImportProblem {
    /// 1-based, the header being row 1 (as a spreadsheet numbers it).
    pub row: usize,
    pub value: String,
    pub why: String,
}

/// What an import did.
#[derive(Debug, Clone, Default, Serialize, Type)]
pub struct ImportReport {
    pub added: u32,
    /// Already on that list.
    pub already: u32,
    pub problems: Vec<ImportProblem>,
}

/// The column holding the numbers: one named like a phone column, else the only column.
fn phone_column(columns: &[String]) -> Option<usize> {
    const NAMES: [&str; 7] = [
        "phone",
        "number",
        "mobile",
        "cell",
        "phone number",
        "mobile number",
        "e164",
    ];
    columns
        .iter()
        .position(|c| NAMES.contains(&c.trim().to_lowercase().as_str()))
        .or((columns.len() == 1).then_some(0))
}

/// Adds every number in a CSV file to `sender`'s list ([`ALL_SENDERS`] for every
/// sender). Numbers are read as the audience's are (with `region` for national ones);
/// a row that is not a number is reported, not guessed. All or nothing per row: a bad
/// row never stops the good ones.
pub async fn import(
    store: &Store,
    bytes: &[u8],
    region: Region,
    sender: &str,
) -> Result<ImportReport> {
    let table = AudienceTable::from_csv(bytes)
        .map_err(|e| Error::Invalid(format!("the file could not be read: {e}")))?;
    let col = phone_column(&table.columns).ok_or_else(|| {
        Error::Invalid(format!(
            "no column of phone numbers: name it Phone, Number or Mobile (the file's columns: {})",
            table.columns.join(", ")
        ))
    })?;
    let note_col = table.columns.iter().position(|c| {
        matches!(
            c.trim().to_lowercase().as_str(),
            "note" | "notes" | "reason"
        )
    });
    let mut report = ImportReport::default();
    let now = store.now();
    for (i, row) in table.rows.iter().enumerate() {
        let value = row.get(col).map(String::as_str).unwrap_or("");
        match phone::parse(value, region) {
            Ok(number) => {
                let note = note_col
                    .and_then(|c| row.get(c))
                    .map(String::as_str)
                    .filter(|n| !n.trim().is_empty());
                let added = store
                    .add_opt_out(NewOptOut {
                        sender,
                        phone_e164: number.e164(),
                        source: OptOutSource::Import,
                        campaign_id: None,
                        reply_id: None,
                        note,
                        at: now,
                    })
                    .await?;
                if added {
                    report.added += 1;
                } else {
                    report.already += 1;
                }
            }
            Err(e) => report.problems.push(ImportProblem {
                row: i + 2,
                value: crate::telemetry::mask_phones_in(value).into_owned(),
                why: e.to_string(),
            }),
        }
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::test_support::store;

    #[tokio::test]
    async fn a_list_goes_out_and_comes_back_in_with_bad_rows_named() {
        let (store, _clock, _dir) = store().await;
        let csv = "Phone,Note\n(201) 555-0144,asked at the desk\n+1 212 555 0142,\nnot a number,x\n201-555-0144,twice\n";
        let r = import(&store, csv.as_bytes(), Region::US, ALL_SENDERS)
            .await
            .unwrap();
        assert_eq!((r.added, r.already), (2, 1));
        assert_eq!(r.problems.len(), 1);
        assert_eq!(r.problems[0].row, 4);
        assert_eq!(r.problems[0].why, "this does not look like a phone number");
        // A simulated STOP of TEST mode stays in Herald.
        store
            .add_opt_out(NewOptOut {
                sender: TEST_SENDER,
                phone_e164: "+12015550199",
                source: OptOutSource::RepliedStop,
                campaign_id: None,
                reply_id: None,
                note: Some("STOP"),
                at: store.now(),
            })
            .await
            .unwrap();
        let entries = store.opt_outs().await.unwrap();
        assert_eq!(entries.len(), 3);
        let text = export(&entries).unwrap();
        let mut lines = text.lines();
        assert_eq!(
            lines.next(),
            Some("Number,Sender,Why,Added (UTC),Campaign,Note")
        );
        assert!(
            text.contains("+12015550144,Every sender,Imported,"),
            "{text}"
        );
        assert!(text.contains("asked at the desk"), "{text}");
        assert!(!text.contains("+12015550199"), "{text}");
        // What was exported imports again as the same numbers (all already there).
        let again = import(&store, text.as_bytes(), Region::US, ALL_SENDERS)
            .await
            .unwrap();
        assert_eq!(
            (again.added, again.already, again.problems.len()),
            (0, 2, 0)
        );
    }

    #[tokio::test]
    async fn a_file_without_a_number_column_says_what_to_name_it() {
        let (store, _clock, _dir) = store().await;
        let err = import(
            &store,
            b"Name,Email\nA,a@example.org\n",
            Region::US,
            ALL_SENDERS,
        )
        .await
        .unwrap_err();
        assert!(
            err.to_string().contains("name it Phone, Number or Mobile"),
            "{err}"
        );
        assert!(err.to_string().contains("Name, Email"), "{err}");
    }
}
