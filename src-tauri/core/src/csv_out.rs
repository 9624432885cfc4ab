//! CSV as Herald writes it (the grid's export, the report's attachment, the CLI's
//! `--format csv`): RFC 4180 quoting and the platform's line ending, CRLF on Windows
//! (where Excel and Notepad expect it) and LF elsewhere.

/// The line ending every CSV Herald writes on this platform ends its records with.
pub const LINE_ENDING: &str = if cfg!(windows) { "\r\n" } else { "\n" };

/// A CSV writer with the platform's line ending.
pub fn writer<W: std::io::Write>(inner: W) -> csv::Writer<W> {
    let mut builder = csv::WriterBuilder::new();
    if cfg!(windows) {
        builder.terminator(csv::Terminator::CRLF);
    }
    builder.from_writer(inner)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_end_with_the_platforms_line_ending_and_fields_are_quoted() {
        let mut w = writer(vec![]);
        w.write_record(["member", "note"]).unwrap();
        w.write_record(["Zoë \"Z\" Smith", "two\nlines"]).unwrap();
        let text = String::from_utf8(w.into_inner().unwrap()).unwrap();
        assert_eq!(
            text,
            format!("member,note{LINE_ENDING}\"Zoë \"\"Z\"\" Smith\",\"two\nlines\"{LINE_ENDING}")
        );
        if cfg!(windows) {
            assert!(
                text.ends_with("\r\n"),
                "Windows exports end lines with CRLF"
            );
        } else {
            assert!(!text.contains('\r'));
        }
    }
}
