//! An audience as Herald works on it: column aliases and rows of merge-ready text, from
//! an iMIS query or a CSV file.

use serde::Serialize;
use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read};

/// Rows of text keyed by column alias. Missing values are empty strings.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct AudienceTable {
    pub columns: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// A CSV file that cannot be read as an audience, with the line where it went wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CsvError {
    #[error("the file is empty: the first line must name the columns")]
    Empty,
    #[error("line {line}: {message}")]
    Malformed { line: u64, message: String },
}

/// Checks that the chosen ID and phone columns are among `columns`; the error names the
/// columns found.
pub fn require_columns(
    columns: &[String],
    id_column: &str,
    phone_column: &str,
) -> Result<(), String> {
    let missing: Vec<&str> = [id_column, phone_column]
        .into_iter()
        .filter(|c| !columns.iter().any(|have| have == c))
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    Err(format!(
        "the audience has no column {}; its columns are: {}",
        missing
            .iter()
            .map(|m| format!("'{m}'"))
            .collect::<Vec<_>>()
            .join(" or "),
        if columns.is_empty() {
            "(none)".to_string()
        } else {
            columns.join(", ")
        }
    ))
}

impl AudienceTable {
    pub fn column_index(&self, alias: &str) -> Option<usize> {
        self.columns.iter().position(|c| c == alias)
    }

    /// A map from alias to column index, for rendering many rows.
    pub fn index(&self) -> HashMap<&str, usize> {
        self.columns
            .iter()
            .enumerate()
            .map(|(i, c)| (c.as_str(), i))
            .collect()
    }

    /// Checks that the chosen ID and phone columns exist; the error names the columns found.
    pub fn require_columns(&self, id_column: &str, phone_column: &str) -> Result<(), String> {
        require_columns(&self.columns, id_column, phone_column)
    }

    /// Reads a CSV audience: UTF-8 with or without a byte-order mark, comma- or
    /// semicolon-separated (whichever the header line uses), RFC 4180 quoting. The header
    /// row names the columns (the aliases used in merge fields).
    pub fn from_csv(bytes: &[u8]) -> Result<Self, CsvError> {
        let mut reader = AudienceReader::new(bytes)?;
        let mut rows = Vec::new();
        while reader.next_rows(usize::MAX, &mut rows)? > 0 {}
        Ok(Self {
            columns: reader.columns,
            rows,
        })
    }
}

/// A CSV audience read a few rows at a time, so that a file of any length is prepared in
/// bounded memory ([`AudienceTable::from_csv`] reads it whole with the same rules).
pub struct AudienceReader<R: Read> {
    columns: Vec<String>,
    reader: csv::Reader<BufReader<R>>,
    record: csv::ByteRecord,
}

impl<R: Read> AudienceReader<R> {
    /// Reads the header line; see [`AudienceTable::from_csv`] for the format.
    pub fn new(inner: R) -> Result<Self, CsvError> {
        let mut inner = BufReader::with_capacity(1 << 16, inner);
        let start = inner.fill_buf().map_err(io_error)?;
        let bom = if start.starts_with(b"\xEF\xBB\xBF") {
            3
        } else {
            0
        };
        inner.consume(bom);
        let start = inner.fill_buf().map_err(io_error)?;
        if start.iter().all(u8::is_ascii_whitespace) {
            return Err(CsvError::Empty);
        }
        let delimiter = detect_delimiter(start);
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .has_headers(false)
            .flexible(true)
            .from_reader(inner);
        let mut header = csv::ByteRecord::new();
        if !reader
            .read_byte_record(&mut header)
            .map_err(|e| malformed(&e))?
        {
            return Err(CsvError::Empty);
        }
        let mut columns = Vec::with_capacity(header.len());
        for (i, field) in header.iter().enumerate() {
            let name = std::str::from_utf8(field)
                .map_err(|_| CsvError::Malformed {
                    line: 1,
                    message: "the header is not valid UTF-8 text".into(),
                })?
                .trim()
                .to_string();
            if name.is_empty() {
                return Err(CsvError::Malformed {
                    line: 1,
                    message: format!("column {} has no name", i + 1),
                });
            }
            if columns.contains(&name) {
                return Err(CsvError::Malformed {
                    line: 1,
                    message: format!("the column '{name}' appears twice"),
                });
            }
            columns.push(name);
        }
        Ok(Self {
            columns,
            reader,
            record: csv::ByteRecord::new(),
        })
    }

    /// The column aliases, from the header line.
    pub fn columns(&self) -> &[String] {
        &self.columns
    }

    /// Appends up to `max` more rows to `rows` (blank lines are passed over); returns how
    /// many, 0 at the end of the file.
    pub fn next_rows(
        &mut self,
        max: usize,
        rows: &mut Vec<Vec<String>>,
    ) -> Result<usize, CsvError> {
        let mut read = 0;
        while read < max && self.next_record()? {
            // Checked to be UTF-8 by `next_record`.
            let row = self
                .record
                .iter()
                .map(|field| String::from_utf8_lossy(field).into_owned())
                .collect();
            rows.push(row);
            read += 1;
        }
        Ok(read)
    }

    /// Reads the rest of the file without keeping it, to find the first error before any
    /// row is used; returns how many rows it has.
    pub fn check_rest(&mut self) -> Result<u64, CsvError> {
        let mut rows = 0;
        while self.next_record()? {
            rows += 1;
        }
        Ok(rows)
    }

    /// Reads the next non-blank record into `self.record`, checked to have one field per
    /// column, each UTF-8 text; false at the end of the file.
    fn next_record(&mut self) -> Result<bool, CsvError> {
        loop {
            if !self
                .reader
                .read_byte_record(&mut self.record)
                .map_err(|e| malformed(&e))?
            {
                return Ok(false);
            }
            let record = &self.record;
            if record.len() == 1 && record.get(0).is_some_and(|f| f.is_empty()) {
                continue; // a blank line
            }
            let line = record.position().map_or(0, |p| p.line());
            if record.len() != self.columns.len() {
                return Err(CsvError::Malformed {
                    line,
                    message: format!(
                        "this row has {} fields but the header names {} columns",
                        record.len(),
                        self.columns.len()
                    ),
                });
            }
            if record
                .iter()
                .any(|field| std::str::from_utf8(field).is_err())
            {
                return Err(CsvError::Malformed {
                    line,
                    message: "this row is not valid UTF-8 text (save the file as UTF-8)".into(),
                });
            }
            return Ok(true);
        }
    }
}

fn io_error(e: std::io::Error) -> CsvError {
    CsvError::Malformed {
        line: 1,
        message: format!("the file could not be read: {e}"),
    }
}

fn malformed(e: &csv::Error) -> CsvError {
    let line = e.position().map_or(0, |p| p.line());
    CsvError::Malformed {
        line,
        message: e.to_string(),
    }
}

/// Comma unless the header line (outside quotes) has more semicolons than commas.
fn detect_delimiter(bytes: &[u8]) -> u8 {
    let (mut commas, mut semicolons, mut quoted) = (0, 0, false);
    for &b in bytes {
        match b {
            b'"' => quoted = !quoted,
            b'\n' if !quoted => break,
            b',' if !quoted => commas += 1,
            b';' if !quoted => semicolons += 1,
            _ => {}
        }
    }
    if semicolons > commas {
        b';'
    } else {
        b','
    }
}

/// An audience to prepare: its columns and its rows, parsed (an iMIS query's result) or
/// still the JSON array a draft cached them as, parsed a batch at a time.
pub struct Audience {
    pub columns: Vec<String>,
    pub rows: AudienceRows,
}

pub enum AudienceRows {
    Parsed(Vec<Vec<String>>),
    /// A JSON array of rows, each an array of strings, and how many rows it holds.
    Json {
        json: String,
        count: usize,
    },
}

/// What a cached audience that does not read back as rows of text is said to be.
pub fn damaged_cache(e: impl std::fmt::Display) -> String {
    format!("the saved audience is damaged: {e}")
}

/// Why [`AudienceRows::for_each_batch`] stopped before the last row.
#[derive(Debug, PartialEq, Eq)]
pub enum RowsError<E> {
    /// The cached JSON is not an array of rows of text.
    Damaged(String),
    /// The caller's function failed with this.
    Stopped(E),
}

impl<E: std::fmt::Display> std::fmt::Display for RowsError<E> {
    fn fmt(&self, out: &mut std::fmt::Formatter) -> std::fmt::Result {
        match self {
            RowsError::Damaged(e) => out.write_str(&damaged_cache(e)),
            RowsError::Stopped(e) => e.fmt(out),
        }
    }
}

impl From<AudienceTable> for Audience {
    fn from(table: AudienceTable) -> Self {
        Audience {
            columns: table.columns,
            rows: AudienceRows::Parsed(table.rows),
        }
    }
}

impl AudienceRows {
    pub fn len(&self) -> usize {
        match self {
            AudienceRows::Parsed(rows) => rows.len(),
            AudienceRows::Json { count, .. } => *count,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Hands the rows to `f`, in order, `size` at a time (the last batch may be shorter),
    /// until `f` fails. Cached rows are parsed as they are handed over: the audience is
    /// never both JSON and parsed rows in memory, only the JSON and one batch.
    pub fn for_each_batch<E>(
        self,
        size: usize,
        mut f: impl FnMut(Vec<Vec<String>>) -> Result<(), E>,
    ) -> Result<(), RowsError<E>> {
        // Batches are allocated whole: a size past any audience's is not honoured.
        let size = size.clamp(1, 1 << 20);
        match self {
            AudienceRows::Parsed(rows) => {
                let mut rows = rows.into_iter();
                loop {
                    let batch: Vec<Vec<String>> = rows.by_ref().take(size).collect();
                    if batch.is_empty() {
                        return Ok(());
                    }
                    f(batch).map_err(RowsError::Stopped)?;
                }
            }
            AudienceRows::Json { json, .. } => {
                use serde::de::Deserializer as _;
                let mut failed = None;
                let mut de = serde_json::Deserializer::from_str(&json);
                let read = de
                    .deserialize_seq(JsonBatches {
                        size,
                        f: &mut f,
                        failed: &mut failed,
                    })
                    .and_then(|()| de.end());
                match (read, failed) {
                    (_, Some(e)) => Err(RowsError::Stopped(e)),
                    (Err(e), None) => Err(RowsError::Damaged(e.to_string())),
                    (Ok(()), None) => Ok(()),
                }
            }
        }
    }
}

/// Reads a JSON array of rows, handing them to `f` a batch at a time.
struct JsonBatches<'a, F, E> {
    size: usize,
    f: &'a mut F,
    failed: &'a mut Option<E>,
}

impl<'de, F, E> serde::de::Visitor<'de> for JsonBatches<'_, F, E>
where
    F: FnMut(Vec<Vec<String>>) -> Result<(), E>,
{
    type Value = ();

    fn expecting(&self, out: &mut std::fmt::Formatter) -> std::fmt::Result {
        out.write_str("an array of rows")
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut batch = Vec::with_capacity(self.size);
        loop {
            let row = seq.next_element::<Vec<String>>()?;
            let end = row.is_none();
            batch.extend(row);
            if batch.len() == self.size || (end && !batch.is_empty()) {
                let full = std::mem::replace(&mut batch, Vec::with_capacity(self.size));
                if let Err(e) = (self.f)(full) {
                    *self.failed = Some(e);
                    return Err(serde::de::Error::custom("stopped by the caller"));
                }
            }
            if end {
                return Ok(());
            }
        }
    }
}

/// An audience as a draft caches it: its columns, its rows as the JSON array they are
/// stored as, their count, and the first rows for the preview. A CSV file becomes this
/// a batch of rows at a time, never whole as parsed rows beside the JSON.
pub struct CachedAudience {
    pub columns: Vec<String>,
    pub head: Vec<Vec<String>>,
    pub rows_json: String,
    pub row_count: usize,
}

/// Rows read from a CSV at a time by [`CachedAudience::from_csv`].
const CACHE_BATCH: usize = 4096;

impl CachedAudience {
    /// Reads a CSV audience as [`AudienceTable::from_csv`] does (the same rules and errors),
    /// keeping the first `head` rows parsed.
    pub fn from_csv(bytes: &[u8], head: usize) -> Result<Self, CsvError> {
        let mut reader = AudienceReader::new(bytes)?;
        let mut json = JsonRows::keeping(head);
        let mut batch = Vec::with_capacity(CACHE_BATCH);
        while reader.next_rows(CACHE_BATCH, &mut batch)? > 0 {
            batch.drain(..).for_each(|row| json.push(row));
        }
        Ok(json.finish(reader.columns))
    }

    /// A table already in memory (an iMIS query's result), its rows freed as they are
    /// written.
    pub fn from_table(table: AudienceTable, head: usize) -> Self {
        let mut json = JsonRows::keeping(head);
        table.rows.into_iter().for_each(|row| json.push(row));
        json.finish(table.columns)
    }
}

/// A JSON array of rows written one row at a time, as `serde_json::to_string` of the whole
/// `Vec<Vec<String>>` would write it, the first `keep` rows kept as they are.
struct JsonRows {
    out: Vec<u8>,
    count: usize,
    head: Vec<Vec<String>>,
    keep: usize,
}

impl JsonRows {
    fn keeping(keep: usize) -> Self {
        JsonRows {
            out: Vec::new(),
            count: 0,
            head: Vec::new(),
            keep,
        }
    }

    fn push(&mut self, row: Vec<String>) {
        self.out.push(if self.count == 0 { b'[' } else { b',' });
        // Writing strings into a Vec cannot fail.
        let _ = serde_json::to_writer(&mut self.out, &row);
        self.count += 1;
        if self.head.len() < self.keep {
            self.head.push(row);
        }
    }

    fn finish(mut self, columns: Vec<String>) -> CachedAudience {
        if self.count == 0 {
            self.out.push(b'[');
        }
        self.out.push(b']');
        CachedAudience {
            columns,
            head: self.head,
            // serde_json writes UTF-8 only.
            rows_json: String::from_utf8(self.out).unwrap_or_default(),
            row_count: self.count,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample_csv(rows: usize) -> String {
        let mut csv = String::from("ID,FirstName,Mobile\n");
        for i in 0..rows {
            csv.push_str(&format!(
                "{i},\"Zoë \"\"{i}\"\", Jr\",(555) 201-{:04}\n",
                i % 10_000
            ));
        }
        csv
    }

    #[test]
    fn a_cached_csv_is_the_json_of_the_whole_table_and_its_first_rows() {
        for rows in [0, 1, 5, CACHE_BATCH, 2 * CACHE_BATCH + 3] {
            let csv = sample_csv(rows);
            let table = AudienceTable::from_csv(csv.as_bytes()).unwrap();
            let cached = CachedAudience::from_csv(csv.as_bytes(), 3).unwrap();
            assert_eq!(cached.columns, table.columns);
            assert_eq!(cached.row_count, rows);
            assert_eq!(
                cached.rows_json,
                serde_json::to_string(&table.rows).unwrap()
            );
            assert_eq!(
                cached.head,
                table.rows.iter().take(3).cloned().collect::<Vec<_>>()
            );
            let from_table = CachedAudience::from_table(table.clone(), 3);
            assert_eq!(from_table.rows_json, cached.rows_json);
            assert_eq!(from_table.head, cached.head);
        }
        // The same errors as reading the table whole.
        let bad = b"ID,Mobile\n1,555\n2,556,extra\n";
        assert_eq!(
            CachedAudience::from_csv(bad, 3).err(),
            AudienceTable::from_csv(bad).err()
        );
    }

    #[test]
    fn cached_rows_come_back_in_order_a_batch_at_a_time() {
        let table = AudienceTable::from_csv(sample_csv(10).as_bytes()).unwrap();
        let cached = CachedAudience::from_table(table.clone(), 0);
        for rows in [
            AudienceRows::Parsed(table.rows.clone()),
            AudienceRows::Json {
                json: cached.rows_json.clone(),
                count: 10,
            },
        ] {
            assert_eq!(rows.len(), 10);
            let mut sizes = Vec::new();
            let mut all = Vec::new();
            rows.for_each_batch(4, |batch| {
                sizes.push(batch.len());
                all.extend(batch);
                Ok::<_, ()>(())
            })
            .unwrap();
            assert_eq!(sizes, [4, 4, 2]);
            assert_eq!(all, table.rows);
        }
        // Nothing to hand over: no call.
        let empty = AudienceRows::Json {
            json: "[]".into(),
            count: 0,
        };
        empty.for_each_batch(4, |_| Err("called")).unwrap();
    }

    #[test]
    fn a_failing_caller_stops_the_rows_and_damaged_json_is_said_to_be() {
        let json = CachedAudience::from_table(
            AudienceTable::from_csv(sample_csv(10).as_bytes()).unwrap(),
            0,
        )
        .rows_json;
        let mut calls = 0;
        let stopped = AudienceRows::Json {
            json: json.clone(),
            count: 10,
        }
        .for_each_batch(4, |_| {
            calls += 1;
            if calls == 2 {
                Err("full")
            } else {
                Ok(())
            }
        });
        assert_eq!(stopped, Err(RowsError::Stopped("full")));
        assert_eq!(calls, 2, "no batch after the failure");
        for damaged in [
            &json[..json.len() - 1],
            "{\"a\":1}",
            "[[1,2]]",
            "[[\"a\"]] trailing",
        ] {
            let r = AudienceRows::Json {
                json: damaged.to_string(),
                count: 10,
            }
            .for_each_batch(4, |_| Ok::<_, &str>(()));
            assert!(matches!(r, Err(RowsError::Damaged(_))), "{damaged}: {r:?}");
        }
    }

    #[test]
    fn reads_comma_files_with_a_bom_and_quotes() {
        let t = AudienceTable::from_csv(
            "\u{feff}ID,FirstName,Mobile\n1,\"Zoë, \"\"Jo\"\"\",(555) 201-3344\n2,\"Multi\nline\",\n".as_bytes(),
        )
        .unwrap();
        assert_eq!(t.columns, ["ID", "FirstName", "Mobile"]);
        assert_eq!(t.rows[0], ["1", "Zoë, \"Jo\"", "(555) 201-3344"]);
        assert_eq!(t.rows[1], ["2", "Multi\nline", ""]);
    }

    #[test]
    fn reads_semicolon_files_and_crlf() {
        let t = AudienceTable::from_csv(
            b"ID;Name;Mobile\r\n1;Ann;+61412345678\r\n\r\n2;Bob, Jr;0412 345 678\r\n",
        )
        .unwrap();
        assert_eq!(t.rows.len(), 2);
        assert_eq!(t.rows[1], ["2", "Bob, Jr", "0412 345 678"]);
    }

    #[test]
    fn errors_name_the_line() {
        let err = AudienceTable::from_csv(b"ID,Mobile\n1,555\n2,556,extra\n").unwrap_err();
        assert_eq!(
            err.to_string(),
            "line 3: this row has 3 fields but the header names 2 columns"
        );
        let err = AudienceTable::from_csv(b"ID,Mobile\n1,555\n2,\xff\xfe\n").unwrap_err();
        assert!(err.to_string().starts_with("line 3: "), "{err}");
        assert!(matches!(
            AudienceTable::from_csv(b"  \n"),
            Err(CsvError::Empty)
        ));
        let err = AudienceTable::from_csv(b"ID,,Mobile\n").unwrap_err();
        assert_eq!(err.to_string(), "line 1: column 2 has no name");
        let err = AudienceTable::from_csv(b"ID,Mobile,ID\n").unwrap_err();
        assert_eq!(err.to_string(), "line 1: the column 'ID' appears twice");
    }

    #[test]
    fn missing_columns_are_named_with_those_found() {
        let t = AudienceTable::from_csv(b"Id,Phone\n1,2\n").unwrap();
        assert_eq!(
            t.require_columns("ID", "Mobile").unwrap_err(),
            "the audience has no column 'ID' or 'Mobile'; its columns are: Id, Phone"
        );
        assert!(t.require_columns("Id", "Phone").is_ok());
    }
}
