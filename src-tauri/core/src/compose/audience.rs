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

#[cfg(test)]
mod tests {
    use super::*;

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
