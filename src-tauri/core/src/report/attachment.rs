//! The report's attachment: the per-message CSV as it is while it is small, zipped past
//! [`PLAIN_MAX`] (a quarter of a million messages make some 47 MB of CSV, more than mail
//! servers take, and about 10 MB zipped), and left out past [`ZIPPED_MAX`], where the
//! email says to use Export instead. It is written as the rows are read, so a large
//! campaign's CSV is never whole in memory.

use chrono::{Datelike, NaiveDateTime, Timelike};
use flate2::write::DeflateEncoder;
use flate2::{Compression, Crc};
use std::io::{self, Write};

/// The largest CSV attached as it is (about 26,000 messages).
pub const PLAIN_MAX: usize = 5 * 1024 * 1024;

/// The largest zipped CSV attached: with the email's base64 about 20.5 MB, under the
/// 25 MB most mail services accept (about 370,000 messages).
pub const ZIPPED_MAX: usize = 15 * 1024 * 1024;

/// What a report attaches of its CSV.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Attached {
    /// The CSV itself.
    Csv(Vec<u8>),
    /// A ZIP file holding the CSV, of `csv_len` bytes.
    Zip { bytes: Vec<u8>, csv_len: u64 },
    /// Nothing: even zipped, the CSV of `csv_len` bytes is too large for an email.
    TooLarge { csv_len: u64 },
}

/// Where the report's CSV is written: kept as it is up to its plain limit, deflated past
/// it, and only counted once even the deflated bytes pass the zipped limit.
pub(crate) struct Sink {
    plain: Vec<u8>,
    deflating: Option<Deflating>,
    csv_len: u64,
    too_large: bool,
    plain_max: usize,
    zipped_max: usize,
}

struct Deflating {
    encoder: DeflateEncoder<Vec<u8>>,
    crc: Crc,
}

impl Deflating {
    fn write(&mut self, buf: &[u8]) -> io::Result<()> {
        self.crc.update(buf);
        self.encoder.write_all(buf)
    }
}

impl Sink {
    pub(crate) fn new() -> Self {
        Self::with_limits(PLAIN_MAX, ZIPPED_MAX)
    }

    pub(crate) fn with_limits(plain_max: usize, zipped_max: usize) -> Self {
        Self {
            plain: Vec::new(),
            deflating: None,
            csv_len: 0,
            too_large: false,
            plain_max,
            zipped_max,
        }
    }

    /// What to attach, the CSV called `name` inside a ZIP file dated `modified` (local
    /// time, as ZIP files keep it).
    pub(crate) fn finish(self, name: &str, modified: NaiveDateTime) -> io::Result<Attached> {
        let csv_len = self.csv_len;
        if self.too_large {
            return Ok(Attached::TooLarge { csv_len });
        }
        let Some(d) = self.deflating else {
            return Ok(Attached::Csv(self.plain));
        };
        let crc = d.crc.sum();
        let deflated = d.encoder.finish()?;
        match u32::try_from(csv_len) {
            Ok(len) if deflated.len() <= self.zipped_max => Ok(Attached::Zip {
                bytes: zip_one(name, &deflated, crc, len, modified),
                csv_len,
            }),
            _ => Ok(Attached::TooLarge { csv_len }),
        }
    }
}

impl Write for Sink {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.csv_len += buf.len() as u64;
        if self.too_large {
            return Ok(buf.len());
        }
        match &mut self.deflating {
            Some(d) => d.write(buf)?,
            None if self.plain.len() + buf.len() <= self.plain_max => {
                self.plain.extend_from_slice(buf)
            }
            None => {
                let mut d = Deflating {
                    encoder: DeflateEncoder::new(Vec::new(), Compression::default()),
                    crc: Crc::new(),
                };
                d.write(&std::mem::take(&mut self.plain))?;
                d.write(buf)?;
                self.deflating = Some(d);
            }
        }
        if let Some(d) = &self.deflating {
            if d.encoder.get_ref().len() > self.zipped_max {
                self.deflating = None;
                self.too_large = true;
            }
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// A ZIP file (PKWARE APPNOTE 6.3, no ZIP64) of one file, `name`, whose `len` bytes were
/// deflated into `deflated` with the CRC-32 `crc`.
fn zip_one(name: &str, deflated: &[u8], crc: u32, len: u32, modified: NaiveDateTime) -> Vec<u8> {
    // The report keeps its names shorter than this (see `report::build_in`).
    let name = fit(name, 255).as_bytes();
    let (time, date) = dos_time(modified);
    let size = u32::try_from(deflated.len()).expect("under ZIPPED_MAX");
    let u16_ = |out: &mut Vec<u8>, v: u16| out.extend_from_slice(&v.to_le_bytes());
    let u32_ = |out: &mut Vec<u8>, v: u32| out.extend_from_slice(&v.to_le_bytes());
    // From "version needed" to "extra field length": the same in both headers.
    let common = |out: &mut Vec<u8>| {
        u16_(out, 20); // version 2.0: deflate
        u16_(out, 1 << 11); // the name is UTF-8
        u16_(out, 8); // deflate
        u16_(out, time);
        u16_(out, date);
        u32_(out, crc);
        u32_(out, size);
        u32_(out, len);
        u16_(out, name.len() as u16);
        u16_(out, 0);
    };
    let mut out = Vec::with_capacity(deflated.len() + 2 * name.len() + 98);
    u32_(&mut out, 0x0403_4b50); // local file header
    common(&mut out);
    out.extend_from_slice(name);
    out.extend_from_slice(deflated);
    let central = out.len() as u32;
    u32_(&mut out, 0x0201_4b50); // central directory header
    u16_(&mut out, 20); // made by: MS-DOS attributes, version 2.0
    common(&mut out);
    u16_(&mut out, 0); // comment length
    u16_(&mut out, 0); // disk
    u16_(&mut out, 0); // internal attributes
    u32_(&mut out, 0); // external attributes
    u32_(&mut out, 0); // the local header's offset
    out.extend_from_slice(name);
    let central_len = out.len() as u32 - central;
    u32_(&mut out, 0x0605_4b50); // end of central directory
    u16_(&mut out, 0);
    u16_(&mut out, 0);
    u16_(&mut out, 1);
    u16_(&mut out, 1);
    u32_(&mut out, central_len);
    u32_(&mut out, central);
    u16_(&mut out, 0);
    out
}

/// `s` cut to at most `max` bytes, at a character's boundary.
pub(super) fn fit(s: &str, max: usize) -> &str {
    let mut end = s.len().min(max);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// MS-DOS time and date, as ZIP keeps them (two-second steps, from 1980).
fn dos_time(t: NaiveDateTime) -> (u16, u16) {
    if t.year() < 1980 {
        return (0, (1 << 5) | 1);
    }
    let time = (t.hour() << 11) | (t.minute() << 5) | (t.second() / 2);
    let date = ((t.year().min(2107) as u32 - 1980) << 9) | (t.month() << 5) | t.day();
    (time as u16, date as u16)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    fn at() -> NaiveDateTime {
        chrono::NaiveDate::from_ymd_opt(2026, 12, 7)
            .unwrap()
            .and_hms_opt(21, 30, 15)
            .unwrap()
    }

    fn write(sink: &mut Sink, text: &[u8]) {
        // In pieces, as the CSV writer hands them over.
        for piece in text.chunks(333) {
            sink.write_all(piece).unwrap();
        }
    }

    fn u16_at(b: &[u8], i: usize) -> u16 {
        u16::from_le_bytes([b[i], b[i + 1]])
    }

    fn u32_at(b: &[u8], i: usize) -> u32 {
        u32::from_le_bytes(b[i..i + 4].try_into().unwrap())
    }

    /// Some CSV: rows alike enough to compress, each with its own number.
    fn csv(rows: usize) -> Vec<u8> {
        (0..rows)
            .map(|i| format!("Siobhán Nguyen {i},10{i},+1201555{i:04},Delivered,,1\n"))
            .collect::<String>()
            .into_bytes()
    }

    #[test]
    fn a_small_csv_is_attached_as_it_is() {
        let text = csv(100);
        let mut sink = Sink::with_limits(text.len(), 1_000);
        write(&mut sink, &text);
        assert_eq!(sink.finish("x.csv", at()).unwrap(), Attached::Csv(text));
    }

    #[test]
    fn a_larger_csv_is_zipped_whole_with_its_name_size_crc_and_time() {
        let text = csv(5_000);
        let mut sink = Sink::with_limits(10_000, text.len());
        write(&mut sink, &text);
        let Attached::Zip { bytes, csv_len } = sink.finish("Gala-Zoë-messages.csv", at()).unwrap()
        else {
            panic!("zipped")
        };
        assert_eq!(csv_len, text.len() as u64);
        let name = "Gala-Zoë-messages.csv".as_bytes();
        // The local file header.
        assert_eq!(u32_at(&bytes, 0), 0x0403_4b50);
        assert_eq!(u16_at(&bytes, 6), 1 << 11, "a UTF-8 name");
        assert_eq!(u16_at(&bytes, 8), 8, "deflated");
        assert_eq!(u16_at(&bytes, 10), (21 << 11) | (30 << 5) | 7, "21:30:14");
        assert_eq!(u16_at(&bytes, 12), (46 << 9) | (12 << 5) | 7, "2026-12-07");
        let mut crc = Crc::new();
        crc.update(&text);
        assert_eq!(u32_at(&bytes, 14), crc.sum());
        let size = u32_at(&bytes, 18) as usize;
        assert_eq!(u32_at(&bytes, 22) as usize, text.len());
        assert_eq!(u16_at(&bytes, 26) as usize, name.len());
        assert_eq!(&bytes[30..30 + name.len()], name);
        let data = &bytes[30 + name.len()..30 + name.len() + size];
        let mut inflated = vec![];
        flate2::read::DeflateDecoder::new(data)
            .read_to_end(&mut inflated)
            .unwrap();
        assert_eq!(inflated, text, "the CSV, whole");
        assert!(
            size * 4 < text.len(),
            "compressed: {size} of {}",
            text.len()
        );
        // The central directory points back at it, and the end record at the directory.
        let central = 30 + name.len() + size;
        assert_eq!(u32_at(&bytes, central), 0x0201_4b50);
        assert_eq!(&bytes[central + 6..central + 32], &bytes[4..30]);
        assert_eq!(u32_at(&bytes, central + 42), 0, "the local header's offset");
        assert_eq!(&bytes[central + 46..central + 46 + name.len()], name);
        let end = central + 46 + name.len();
        assert_eq!(u32_at(&bytes, end), 0x0605_4b50);
        assert_eq!((u16_at(&bytes, end + 8), u16_at(&bytes, end + 10)), (1, 1));
        assert_eq!(u32_at(&bytes, end + 12) as usize, end - central);
        assert_eq!(u32_at(&bytes, end + 16) as usize, central);
        assert_eq!(bytes.len(), end + 22);
    }

    #[test]
    fn a_csv_too_large_even_zipped_is_counted_not_kept() {
        // Bytes that do not compress: the deflated stream outgrows the limit as it is written.
        let mut seed = 7u64;
        let noise: Vec<u8> = (0..200_000)
            .map(|_| {
                seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                (seed >> 33) as u8
            })
            .collect();
        let mut sink = Sink::with_limits(1_000, 50_000);
        write(&mut sink, &noise);
        assert!(
            sink.too_large && sink.deflating.is_none(),
            "nothing kept past the limit"
        );
        assert_eq!(
            sink.finish("x.csv", at()).unwrap(),
            Attached::TooLarge { csv_len: 200_000 }
        );
        // Past the limit only once finished: still too large.
        let text = csv(5_000);
        let mut sink = Sink::with_limits(1_000, 2_000);
        write(&mut sink, &text[..1_500]);
        assert!(!sink.too_large);
        write(&mut sink, &text[1_500..]);
        assert!(matches!(
            sink.finish("x.csv", at()).unwrap(),
            Attached::TooLarge { csv_len } if csv_len == text.len() as u64
        ));
    }

    #[test]
    fn zip_times_are_dos_times() {
        let old = chrono::NaiveDate::from_ymd_opt(1970, 1, 1)
            .unwrap()
            .and_hms_opt(0, 0, 0)
            .unwrap();
        assert_eq!(
            dos_time(old),
            (0, (1 << 5) | 1),
            "1980-01-01, the first DOS date"
        );
        assert_eq!(fit("Zoë", 3), "Zo", "cut at a character's boundary");
    }
}
