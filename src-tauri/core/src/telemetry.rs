//! Logging: `tracing` into daily-rolling files, with every phone number masked on the way
//! out. The subscriber is built separately from being installed, so tests capture logs.

use regex::Regex;
use std::io::{self, Write};
use std::path::Path;
use std::sync::OnceLock;
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::EnvFilter;

/// Masks an E.164 number for humans and logs: `+15552013344` → `+1555•••3344`.
pub fn mask_phone(e164: &str) -> String {
    let chars: Vec<char> = e164.chars().collect();
    if chars.len() <= 8 {
        let keep = chars.len().saturating_sub(2).min(2);
        return chars[..keep].iter().collect::<String>() + "•••";
    }
    let head: String = chars[..5].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}•••{tail}")
}

fn phone_pattern() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| Regex::new(r"\+[0-9]{8,15}").expect("static regex"))
}

/// Masks every E.164-looking number in a line of text (a safety net: code that logs a
/// number should already pass it through [`mask_phone`]).
pub fn mask_phones_in(text: &str) -> std::borrow::Cow<'_, str> {
    phone_pattern().replace_all(text, |c: &regex::Captures<'_>| mask_phone(&c[0]))
}

/// A writer that masks phone numbers in everything written through it.
pub struct Masking<W>(pub W);

impl<W: Write> Write for Masking<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let text = String::from_utf8_lossy(buf);
        self.0.write_all(mask_phones_in(&text).as_bytes())?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

/// `MakeWriter` adapter applying [`Masking`].
pub struct MaskingMakeWriter<M>(pub M);

impl<'a, M: MakeWriter<'a>> MakeWriter<'a> for MaskingMakeWriter<M> {
    type Writer = Masking<M::Writer>;
    fn make_writer(&'a self) -> Self::Writer {
        Masking(self.0.make_writer())
    }
}

/// Keeps the background log writer alive; drop it at exit to flush.
pub type LogGuard = tracing_appender::non_blocking::WorkerGuard;

/// Builds (without installing) a subscriber that writes masked logs to daily files named
/// `<prefix>.YYYY-MM-DD.log` in `dir`, keeping two weeks of them.
pub fn file_subscriber(
    dir: &Path,
    prefix: &str,
    default_filter: &str,
) -> std::io::Result<(impl tracing::Subscriber + Send + Sync, LogGuard)> {
    std::fs::create_dir_all(dir)?;
    let appender = tracing_appender::rolling::Builder::new()
        .rotation(tracing_appender::rolling::Rotation::DAILY)
        .filename_prefix(prefix)
        .filename_suffix("log")
        .max_log_files(14)
        .build(dir)
        .map_err(io::Error::other)?;
    let (writer, guard) = tracing_appender::non_blocking(appender);
    let filter =
        EnvFilter::try_from_env("HERALD_LOG").unwrap_or_else(|_| EnvFilter::new(default_filter));
    let subscriber = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(false)
        .with_target(true)
        .with_writer(MaskingMakeWriter(writer))
        .finish();
    Ok((subscriber, guard))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    #[test]
    fn masks_like_the_issue_says() {
        assert_eq!(mask_phone("+15552013344"), "+1555•••3344");
        assert_eq!(mask_phone("+61412345678"), "+6141•••5678");
        assert_eq!(mask_phone("+4412"), "+4•••");
    }

    #[derive(Clone, Default)]
    struct Buf(Arc<Mutex<Vec<u8>>>);
    impl Write for Buf {
        fn write(&mut self, b: &[u8]) -> io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }
    impl<'a> MakeWriter<'a> for Buf {
        type Writer = Buf;
        fn make_writer(&'a self) -> Buf {
            self.clone()
        }
    }

    #[test]
    fn log_lines_never_carry_a_whole_number() {
        let buf = Buf::default();
        let subscriber = tracing_subscriber::fmt()
            .with_ansi(false)
            .with_writer(MaskingMakeWriter(buf.clone()))
            .finish();
        tracing::subscriber::with_default(subscriber, || {
            tracing::info!(
                to = "+15552013344",
                "sending to +447700900123 on 2026-11-27"
            );
        });
        let out = String::from_utf8(buf.0.lock().unwrap().clone()).unwrap();
        assert!(out.contains("+1555•••3344"), "{out}");
        assert!(out.contains("+4477•••0123"), "{out}");
        assert!(
            !out.contains("5552013344") && !out.contains("7700900123"),
            "{out}"
        );
        assert!(out.contains("2026-11-27"), "dates are left alone: {out}");
    }
}
