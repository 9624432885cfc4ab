//! Grapheme-cluster splitting exactly as Twilio's segment calculator does it.
//!
//! Twilio's calculator (`sms-segments-calculator`) splits a body with the npm
//! package `grapheme-splitter` 1.0.4, which implements UAX #29 as of
//! **Unicode 10.0.0** (with the Unicode 10 emoji classes `E_Base`,
//! `E_Modifier`, `Glue_After_Zwj` and `E_Base_GAZ`) and has a few quirks of
//! its own. Modern segmenters such as the `unicode-segmentation` crate follow
//! Unicode 15/16 and disagree on real messages: `❤️‍🔥` (heart + ZWJ +
//! fire) and `🐻‍❄️` are two clusters for the calculator and `🧑‍🤝‍🧑` three,
//! one each for Unicode 16; Hindi conjuncts such as `क्ष` are two clusters for the
//! calculator, one for Unicode 15.1; a skin-tone modifier after a non-emoji
//! stands alone for the calculator. Because the cluster count is
//! the UCS-2 "characters" figure and clusters decide where segments break,
//! this module reproduces the calculator's splitter rule by rule.
//!
//! The property table below is the Unicode 10.0.0 `GraphemeBreakProperty.txt`
//! plus the Unicode 10 emoji classes, as embedded in `grapheme-splitter`
//! 1.0.4 (MIT): every code point outside the table is `Other`, except the
//! Hangul syllables, whose `LV`/`LVT` class is computed.

/// Grapheme_Cluster_Break classes of Unicode 10.0.0.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Gcb {
    Cr,
    Lf,
    Control,
    Extend,
    RegionalIndicator,
    SpacingMark,
    L,
    V,
    T,
    Lv,
    Lvt,
    Other,
    Prepend,
    EBase,
    EModifier,
    Zwj,
    GlueAfterZwj,
    EBaseGaz,
}

/// First and last Hangul syllable; their class follows from the code point.
const HANGUL_SYLLABLES: (u32, u32) = (0xAC00, 0xD7A3);

/// The class of one code point.
fn class_of(c: char) -> Gcb {
    let cp = u32::from(c);
    // ASCII, most of every message: answered without the table (checked against it in
    // `ascii_fast_path_matches_the_table`).
    if cp < 0x80 {
        return match cp {
            0x0D => Gcb::Cr,
            0x0A => Gcb::Lf,
            0x00..=0x1F | 0x7F => Gcb::Control,
            _ => Gcb::Other,
        };
    }
    table_class(cp)
}

fn table_class(cp: u32) -> Gcb {
    if (HANGUL_SYLLABLES.0..=HANGUL_SYLLABLES.1).contains(&cp) {
        // Every 28th syllable has no trailing consonant (LV); the rest are LVT.
        return if (cp - HANGUL_SYLLABLES.0).is_multiple_of(28) {
            Gcb::Lv
        } else {
            Gcb::Lvt
        };
    }
    match CLASS_TABLE.binary_search_by(|&(first, last, _)| {
        if last < cp {
            std::cmp::Ordering::Less
        } else if first > cp {
            std::cmp::Ordering::Greater
        } else {
            std::cmp::Ordering::Equal
        }
    }) {
        Ok(i) => CLASS_TABLE[i].2,
        Err(_) => Gcb::Other,
    }
}

/// Iterator over the grapheme clusters of a string, as `grapheme-splitter`
/// 1.0.4 cuts them. Created by [`split`].
#[derive(Debug, Clone)]
pub struct Graphemes<'a> {
    rest: &'a str,
    /// Classes of the cluster being built (`all` in the JavaScript).
    scratch: Vec<Gcb>,
}

/// Splits `text` into grapheme clusters the way Twilio's calculator does.
pub fn split(text: &str) -> Graphemes<'_> {
    Graphemes {
        rest: text,
        scratch: Vec::new(),
    }
}

impl<'a> Iterator for Graphemes<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        let mut chars = self.rest.char_indices();
        let (_, first) = chars.next()?;
        let mut cluster = ClusterState::new(class_of(first), &mut self.scratch);
        let mut end = self.rest.len();
        for (offset, c) in chars {
            if cluster.breaks_before(class_of(c)) {
                end = offset;
                break;
            }
        }
        let (head, tail) = self.rest.split_at(end);
        self.rest = tail;
        Some(head)
    }
}

/// The state of the cluster being built, with the indices the JavaScript
/// `shouldBreak(start, mid, end)` recomputes by scanning, kept up to date so
/// that each decision is O(1) (a long run of combining marks would otherwise
/// be quadratic).
///
/// Indices refer to `all = [start, ...mid, next]`.
struct ClusterState<'s> {
    all: &'s mut Vec<Gcb>,
    last_e_modifier: Option<usize>,
    last_extend: Option<usize>,
    last_regional: Option<usize>,
    /// First index ≥ 1 whose class is not `Extend`.
    first_non_extend: Option<usize>,
    /// First index ≥ 1 whose class is not `RegionalIndicator`.
    first_non_regional: Option<usize>,
    /// Whether `mid` (indices 1 ..= len-2) holds a regional indicator.
    mid_has_regional: bool,
}

impl<'s> ClusterState<'s> {
    fn new(start: Gcb, all: &'s mut Vec<Gcb>) -> Self {
        all.clear();
        let mut state = ClusterState {
            all,
            last_e_modifier: None,
            last_extend: None,
            last_regional: None,
            first_non_extend: None,
            first_non_regional: None,
            mid_has_regional: false,
        };
        state.push(start);
        state
    }

    fn push(&mut self, class: Gcb) {
        let i = self.all.len();
        self.all.push(class);
        match class {
            Gcb::EModifier => self.last_e_modifier = Some(i),
            Gcb::Extend => self.last_extend = Some(i),
            Gcb::RegionalIndicator => self.last_regional = Some(i),
            _ => {}
        }
        if i >= 1 {
            if class != Gcb::Extend && self.first_non_extend.is_none() {
                self.first_non_extend = Some(i);
            }
            if class != Gcb::RegionalIndicator && self.first_non_regional.is_none() {
                self.first_non_regional = Some(i);
            }
        }
    }

    /// Adds the next code point's class and says whether the cluster ends
    /// before it; if not, the code point joins the cluster.
    fn breaks_before(&mut self, next: Gcb) -> bool {
        self.push(next);
        let brk = self.should_break();
        if !brk && next == Gcb::RegionalIndicator {
            self.mid_has_regional = true;
        }
        brk
    }

    /// `shouldBreak` of grapheme-splitter 1.0.4, rule for rule, in its order.
    fn should_break(&self) -> bool {
        use Gcb::*;
        let n = self.all.len();
        let start = self.all[0];
        let previous = self.all[n - 2];
        let next = self.all[n - 1];

        // Look-ahead terminator for GB10: an E_Modifier preceded only by
        // Extend since the start, where the start is no emoji base.
        if let Some(e) = self.last_e_modifier {
            if e > 1
                && self.first_non_extend.is_none_or(|f| f >= e)
                && !matches!(start, Extend | EBase | EBaseGaz)
            {
                return true;
            }
        }
        // Look-ahead terminator for GB12/GB13 (regional indicators).
        if let Some(r) = self.last_regional {
            if r > 0
                && self.first_non_regional.is_none_or(|f| f >= r)
                && !matches!(previous, Prepend | RegionalIndicator)
            {
                return true;
            }
        }
        // GB3, GB4, GB5.
        if previous == Cr && next == Lf {
            return false;
        }
        if matches!(previous, Control | Cr | Lf) || matches!(next, Control | Cr | Lf) {
            return true;
        }
        // GB6, GB7, GB8 (Hangul).
        if previous == L && matches!(next, L | V | Lv | Lvt) {
            return false;
        }
        if matches!(previous, Lv | V) && matches!(next, V | T) {
            return false;
        }
        if matches!(previous, Lvt | T) && next == T {
            return false;
        }
        // GB9, GB9a, GB9b.
        if matches!(next, Extend | Zwj | SpacingMark) || previous == Prepend {
            return false;
        }
        // GB10 as written there: the class before the *last* Extend anywhere
        // in the cluster (or the previous class if there is none) must be an
        // emoji base, with only Extend after it.
        if next == EModifier {
            let (base, only_extend_after) = match self.last_extend {
                // `next` is not Extend here, so the last Extend is at most n-2.
                Some(le) => (le.checked_sub(1), le == n - 2),
                None => (Some(n - 2), true),
            };
            if only_extend_after && base.is_some_and(|b| matches!(self.all[b], EBase | EBaseGaz)) {
                return false;
            }
        }
        // GB11 (Unicode 10): ZWJ × (Glue_After_Zwj | E_Base_GAZ).
        if previous == Zwj && matches!(next, GlueAfterZwj | EBaseGaz) {
            return false;
        }
        // GB12, GB13.
        if self.mid_has_regional {
            return true;
        }
        if previous == RegionalIndicator && next == RegionalIndicator {
            return false;
        }
        // GB999.
        true
    }
}

/// Unicode 10.0.0 grapheme classes other than `Other`, `LV` and `LVT`, as
/// inclusive code-point ranges sorted by first code point.
#[rustfmt::skip]
const CLASS_TABLE: &[(u32, u32, Gcb)] = {
    use Gcb::*;
    &[
    (0x0000, 0x0009, Control),
    (0x000A, 0x000A, Lf),
    (0x000B, 0x000C, Control),
    (0x000D, 0x000D, Cr),
    (0x000E, 0x001F, Control),
    (0x007F, 0x009F, Control),
    (0x00AD, 0x00AD, Control),
    (0x0300, 0x036F, Extend),
    (0x0483, 0x0489, Extend),
    (0x0591, 0x05BD, Extend),
    (0x05BF, 0x05BF, Extend),
    (0x05C1, 0x05C2, Extend),
    (0x05C4, 0x05C5, Extend),
    (0x05C7, 0x05C7, Extend),
    (0x0600, 0x0605, Prepend),
    (0x0610, 0x061A, Extend),
    (0x061C, 0x061C, Control),
    (0x064B, 0x065F, Extend),
    (0x0670, 0x0670, Extend),
    (0x06D6, 0x06DC, Extend),
    (0x06DD, 0x06DD, Prepend),
    (0x06DF, 0x06E4, Extend),
    (0x06E7, 0x06E8, Extend),
    (0x06EA, 0x06ED, Extend),
    (0x070F, 0x070F, Prepend),
    (0x0711, 0x0711, Extend),
    (0x0730, 0x074A, Extend),
    (0x07A6, 0x07B0, Extend),
    (0x07EB, 0x07F3, Extend),
    (0x0816, 0x0819, Extend),
    (0x081B, 0x0823, Extend),
    (0x0825, 0x0827, Extend),
    (0x0829, 0x082D, Extend),
    (0x0859, 0x085B, Extend),
    (0x08D4, 0x08E1, Extend),
    (0x08E2, 0x08E2, Prepend),
    (0x08E3, 0x0902, Extend),
    (0x0903, 0x0903, SpacingMark),
    (0x093A, 0x093A, Extend),
    (0x093B, 0x093B, SpacingMark),
    (0x093C, 0x093C, Extend),
    (0x093E, 0x0940, SpacingMark),
    (0x0941, 0x0948, Extend),
    (0x0949, 0x094C, SpacingMark),
    (0x094D, 0x094D, Extend),
    (0x094E, 0x094F, SpacingMark),
    (0x0951, 0x0957, Extend),
    (0x0962, 0x0963, Extend),
    (0x0981, 0x0981, Extend),
    (0x0982, 0x0983, SpacingMark),
    (0x09BC, 0x09BC, Extend),
    (0x09BE, 0x09BE, Extend),
    (0x09BF, 0x09C0, SpacingMark),
    (0x09C1, 0x09C4, Extend),
    (0x09C7, 0x09C8, SpacingMark),
    (0x09CB, 0x09CC, SpacingMark),
    (0x09CD, 0x09CD, Extend),
    (0x09D7, 0x09D7, Extend),
    (0x09E2, 0x09E3, Extend),
    (0x0A01, 0x0A02, Extend),
    (0x0A03, 0x0A03, SpacingMark),
    (0x0A3C, 0x0A3C, Extend),
    (0x0A3E, 0x0A40, SpacingMark),
    (0x0A41, 0x0A42, Extend),
    (0x0A47, 0x0A48, Extend),
    (0x0A4B, 0x0A4D, Extend),
    (0x0A51, 0x0A51, Extend),
    (0x0A70, 0x0A71, Extend),
    (0x0A75, 0x0A75, Extend),
    (0x0A81, 0x0A82, Extend),
    (0x0A83, 0x0A83, SpacingMark),
    (0x0ABC, 0x0ABC, Extend),
    (0x0ABE, 0x0AC0, SpacingMark),
    (0x0AC1, 0x0AC5, Extend),
    (0x0AC7, 0x0AC8, Extend),
    (0x0AC9, 0x0AC9, SpacingMark),
    (0x0ACB, 0x0ACC, SpacingMark),
    (0x0ACD, 0x0ACD, Extend),
    (0x0AE2, 0x0AE3, Extend),
    (0x0AFA, 0x0AFF, Extend),
    (0x0B01, 0x0B01, Extend),
    (0x0B02, 0x0B03, SpacingMark),
    (0x0B3C, 0x0B3C, Extend),
    (0x0B3E, 0x0B3F, Extend),
    (0x0B40, 0x0B40, SpacingMark),
    (0x0B41, 0x0B44, Extend),
    (0x0B47, 0x0B48, SpacingMark),
    (0x0B4B, 0x0B4C, SpacingMark),
    (0x0B4D, 0x0B4D, Extend),
    (0x0B56, 0x0B57, Extend),
    (0x0B62, 0x0B63, Extend),
    (0x0B82, 0x0B82, Extend),
    (0x0BBE, 0x0BBE, Extend),
    (0x0BBF, 0x0BBF, SpacingMark),
    (0x0BC0, 0x0BC0, Extend),
    (0x0BC1, 0x0BC2, SpacingMark),
    (0x0BC6, 0x0BC8, SpacingMark),
    (0x0BCA, 0x0BCC, SpacingMark),
    (0x0BCD, 0x0BCD, Extend),
    (0x0BD7, 0x0BD7, Extend),
    (0x0C00, 0x0C00, Extend),
    (0x0C01, 0x0C03, SpacingMark),
    (0x0C3E, 0x0C40, Extend),
    (0x0C41, 0x0C44, SpacingMark),
    (0x0C46, 0x0C48, Extend),
    (0x0C4A, 0x0C4D, Extend),
    (0x0C55, 0x0C56, Extend),
    (0x0C62, 0x0C63, Extend),
    (0x0C81, 0x0C81, Extend),
    (0x0C82, 0x0C83, SpacingMark),
    (0x0CBC, 0x0CBC, Extend),
    (0x0CBE, 0x0CBE, SpacingMark),
    (0x0CBF, 0x0CBF, Extend),
    (0x0CC0, 0x0CC1, SpacingMark),
    (0x0CC2, 0x0CC2, Extend),
    (0x0CC3, 0x0CC4, SpacingMark),
    (0x0CC6, 0x0CC6, Extend),
    (0x0CC7, 0x0CC8, SpacingMark),
    (0x0CCA, 0x0CCB, SpacingMark),
    (0x0CCC, 0x0CCD, Extend),
    (0x0CD5, 0x0CD6, Extend),
    (0x0CE2, 0x0CE3, Extend),
    (0x0D00, 0x0D01, Extend),
    (0x0D02, 0x0D03, SpacingMark),
    (0x0D3B, 0x0D3C, Extend),
    (0x0D3E, 0x0D3E, Extend),
    (0x0D3F, 0x0D40, SpacingMark),
    (0x0D41, 0x0D44, Extend),
    (0x0D46, 0x0D48, SpacingMark),
    (0x0D4A, 0x0D4C, SpacingMark),
    (0x0D4D, 0x0D4D, Extend),
    (0x0D4E, 0x0D4E, Prepend),
    (0x0D57, 0x0D57, Extend),
    (0x0D62, 0x0D63, Extend),
    (0x0D82, 0x0D83, SpacingMark),
    (0x0DCA, 0x0DCA, Extend),
    (0x0DCF, 0x0DCF, Extend),
    (0x0DD0, 0x0DD1, SpacingMark),
    (0x0DD2, 0x0DD4, Extend),
    (0x0DD6, 0x0DD6, Extend),
    (0x0DD8, 0x0DDE, SpacingMark),
    (0x0DDF, 0x0DDF, Extend),
    (0x0DF2, 0x0DF3, SpacingMark),
    (0x0E31, 0x0E31, Extend),
    (0x0E33, 0x0E33, SpacingMark),
    (0x0E34, 0x0E3A, Extend),
    (0x0E47, 0x0E4E, Extend),
    (0x0EB1, 0x0EB1, Extend),
    (0x0EB3, 0x0EB3, SpacingMark),
    (0x0EB4, 0x0EB9, Extend),
    (0x0EBB, 0x0EBC, Extend),
    (0x0EC8, 0x0ECD, Extend),
    (0x0F18, 0x0F19, Extend),
    (0x0F35, 0x0F35, Extend),
    (0x0F37, 0x0F37, Extend),
    (0x0F39, 0x0F39, Extend),
    (0x0F3E, 0x0F3F, SpacingMark),
    (0x0F71, 0x0F7E, Extend),
    (0x0F7F, 0x0F7F, SpacingMark),
    (0x0F80, 0x0F84, Extend),
    (0x0F86, 0x0F87, Extend),
    (0x0F8D, 0x0F97, Extend),
    (0x0F99, 0x0FBC, Extend),
    (0x0FC6, 0x0FC6, Extend),
    (0x102D, 0x1030, Extend),
    (0x1031, 0x1031, SpacingMark),
    (0x1032, 0x1037, Extend),
    (0x1039, 0x103A, Extend),
    (0x103B, 0x103C, SpacingMark),
    (0x103D, 0x103E, Extend),
    (0x1056, 0x1057, SpacingMark),
    (0x1058, 0x1059, Extend),
    (0x105E, 0x1060, Extend),
    (0x1071, 0x1074, Extend),
    (0x1082, 0x1082, Extend),
    (0x1084, 0x1084, SpacingMark),
    (0x1085, 0x1086, Extend),
    (0x108D, 0x108D, Extend),
    (0x109D, 0x109D, Extend),
    (0x1100, 0x115F, L),
    (0x1160, 0x11A7, V),
    (0x11A8, 0x11FF, T),
    (0x135D, 0x135F, Extend),
    (0x1712, 0x1714, Extend),
    (0x1732, 0x1734, Extend),
    (0x1752, 0x1753, Extend),
    (0x1772, 0x1773, Extend),
    (0x17B4, 0x17B5, Extend),
    (0x17B6, 0x17B6, SpacingMark),
    (0x17B7, 0x17BD, Extend),
    (0x17BE, 0x17C5, SpacingMark),
    (0x17C6, 0x17C6, Extend),
    (0x17C7, 0x17C8, SpacingMark),
    (0x17C9, 0x17D3, Extend),
    (0x17DD, 0x17DD, Extend),
    (0x180B, 0x180D, Extend),
    (0x180E, 0x180E, Control),
    (0x1885, 0x1886, Extend),
    (0x18A9, 0x18A9, Extend),
    (0x1920, 0x1922, Extend),
    (0x1923, 0x1926, SpacingMark),
    (0x1927, 0x1928, Extend),
    (0x1929, 0x192B, SpacingMark),
    (0x1930, 0x1931, SpacingMark),
    (0x1932, 0x1932, Extend),
    (0x1933, 0x1938, SpacingMark),
    (0x1939, 0x193B, Extend),
    (0x1A17, 0x1A18, Extend),
    (0x1A19, 0x1A1A, SpacingMark),
    (0x1A1B, 0x1A1B, Extend),
    (0x1A55, 0x1A55, SpacingMark),
    (0x1A56, 0x1A56, Extend),
    (0x1A57, 0x1A57, SpacingMark),
    (0x1A58, 0x1A5E, Extend),
    (0x1A60, 0x1A60, Extend),
    (0x1A62, 0x1A62, Extend),
    (0x1A65, 0x1A6C, Extend),
    (0x1A6D, 0x1A72, SpacingMark),
    (0x1A73, 0x1A7C, Extend),
    (0x1A7F, 0x1A7F, Extend),
    (0x1AB0, 0x1ABE, Extend),
    (0x1B00, 0x1B03, Extend),
    (0x1B04, 0x1B04, SpacingMark),
    (0x1B34, 0x1B34, Extend),
    (0x1B35, 0x1B35, SpacingMark),
    (0x1B36, 0x1B3A, Extend),
    (0x1B3B, 0x1B3B, SpacingMark),
    (0x1B3C, 0x1B3C, Extend),
    (0x1B3D, 0x1B41, SpacingMark),
    (0x1B42, 0x1B42, Extend),
    (0x1B43, 0x1B44, SpacingMark),
    (0x1B6B, 0x1B73, Extend),
    (0x1B80, 0x1B81, Extend),
    (0x1B82, 0x1B82, SpacingMark),
    (0x1BA1, 0x1BA1, SpacingMark),
    (0x1BA2, 0x1BA5, Extend),
    (0x1BA6, 0x1BA7, SpacingMark),
    (0x1BA8, 0x1BA9, Extend),
    (0x1BAA, 0x1BAA, SpacingMark),
    (0x1BAB, 0x1BAD, Extend),
    (0x1BE6, 0x1BE6, Extend),
    (0x1BE7, 0x1BE7, SpacingMark),
    (0x1BE8, 0x1BE9, Extend),
    (0x1BEA, 0x1BEC, SpacingMark),
    (0x1BED, 0x1BED, Extend),
    (0x1BEE, 0x1BEE, SpacingMark),
    (0x1BEF, 0x1BF1, Extend),
    (0x1BF2, 0x1BF3, SpacingMark),
    (0x1C24, 0x1C2B, SpacingMark),
    (0x1C2C, 0x1C33, Extend),
    (0x1C34, 0x1C35, SpacingMark),
    (0x1C36, 0x1C37, Extend),
    (0x1CD0, 0x1CD2, Extend),
    (0x1CD4, 0x1CE0, Extend),
    (0x1CE1, 0x1CE1, SpacingMark),
    (0x1CE2, 0x1CE8, Extend),
    (0x1CED, 0x1CED, Extend),
    (0x1CF2, 0x1CF3, SpacingMark),
    (0x1CF4, 0x1CF4, Extend),
    (0x1CF7, 0x1CF7, SpacingMark),
    (0x1CF8, 0x1CF9, Extend),
    (0x1DC0, 0x1DF9, Extend),
    (0x1DFB, 0x1DFF, Extend),
    (0x200B, 0x200B, Control),
    (0x200C, 0x200C, Extend),
    (0x200D, 0x200D, Zwj),
    (0x200E, 0x200F, Control),
    (0x2028, 0x202E, Control),
    (0x2060, 0x206F, Control),
    (0x20D0, 0x20F0, Extend),
    (0x261D, 0x261D, EBase),
    (0x2640, 0x2640, GlueAfterZwj),
    (0x2642, 0x2642, GlueAfterZwj),
    (0x2695, 0x2696, GlueAfterZwj),
    (0x26F9, 0x26F9, EBase),
    (0x2708, 0x2708, GlueAfterZwj),
    (0x270A, 0x270D, EBase),
    (0x2764, 0x2764, GlueAfterZwj),
    (0x2CEF, 0x2CF1, Extend),
    (0x2D7F, 0x2D7F, Extend),
    (0x2DE0, 0x2DFF, Extend),
    (0x302A, 0x302F, Extend),
    (0x3099, 0x309A, Extend),
    (0xA66F, 0xA672, Extend),
    (0xA674, 0xA67D, Extend),
    (0xA69E, 0xA69F, Extend),
    (0xA6F0, 0xA6F1, Extend),
    (0xA802, 0xA802, Extend),
    (0xA806, 0xA806, Extend),
    (0xA80B, 0xA80B, Extend),
    (0xA823, 0xA824, SpacingMark),
    (0xA825, 0xA826, Extend),
    (0xA827, 0xA827, SpacingMark),
    (0xA880, 0xA881, SpacingMark),
    (0xA8B4, 0xA8C3, SpacingMark),
    (0xA8C4, 0xA8C5, Extend),
    (0xA8E0, 0xA8F1, Extend),
    (0xA926, 0xA92D, Extend),
    (0xA947, 0xA951, Extend),
    (0xA952, 0xA953, SpacingMark),
    (0xA960, 0xA97C, L),
    (0xA980, 0xA982, Extend),
    (0xA983, 0xA983, SpacingMark),
    (0xA9B3, 0xA9B3, Extend),
    (0xA9B4, 0xA9B5, SpacingMark),
    (0xA9B6, 0xA9B9, Extend),
    (0xA9BA, 0xA9BB, SpacingMark),
    (0xA9BC, 0xA9BC, Extend),
    (0xA9BD, 0xA9C0, SpacingMark),
    (0xA9E5, 0xA9E5, Extend),
    (0xAA29, 0xAA2E, Extend),
    (0xAA2F, 0xAA30, SpacingMark),
    (0xAA31, 0xAA32, Extend),
    (0xAA33, 0xAA34, SpacingMark),
    (0xAA35, 0xAA36, Extend),
    (0xAA43, 0xAA43, Extend),
    (0xAA4C, 0xAA4C, Extend),
    (0xAA4D, 0xAA4D, SpacingMark),
    (0xAA7C, 0xAA7C, Extend),
    (0xAAB0, 0xAAB0, Extend),
    (0xAAB2, 0xAAB4, Extend),
    (0xAAB7, 0xAAB8, Extend),
    (0xAABE, 0xAABF, Extend),
    (0xAAC1, 0xAAC1, Extend),
    (0xAAEB, 0xAAEB, SpacingMark),
    (0xAAEC, 0xAAED, Extend),
    (0xAAEE, 0xAAEF, SpacingMark),
    (0xAAF5, 0xAAF5, SpacingMark),
    (0xAAF6, 0xAAF6, Extend),
    (0xABE3, 0xABE4, SpacingMark),
    (0xABE5, 0xABE5, Extend),
    (0xABE6, 0xABE7, SpacingMark),
    (0xABE8, 0xABE8, Extend),
    (0xABE9, 0xABEA, SpacingMark),
    (0xABEC, 0xABEC, SpacingMark),
    (0xABED, 0xABED, Extend),
    (0xD7B0, 0xD7C6, V),
    (0xD7CB, 0xD7FB, T),
    (0xFB1E, 0xFB1E, Extend),
    (0xFE00, 0xFE0F, Extend),
    (0xFE20, 0xFE2F, Extend),
    (0xFEFF, 0xFEFF, Control),
    (0xFF9E, 0xFF9F, Extend),
    (0xFFF0, 0xFFFB, Control),
    (0x101FD, 0x101FD, Extend),
    (0x102E0, 0x102E0, Extend),
    (0x10376, 0x1037A, Extend),
    (0x10A01, 0x10A03, Extend),
    (0x10A05, 0x10A06, Extend),
    (0x10A0C, 0x10A0F, Extend),
    (0x10A38, 0x10A3A, Extend),
    (0x10A3F, 0x10A3F, Extend),
    (0x10AE5, 0x10AE6, Extend),
    (0x11000, 0x11000, SpacingMark),
    (0x11001, 0x11001, Extend),
    (0x11002, 0x11002, SpacingMark),
    (0x11038, 0x11046, Extend),
    (0x1107F, 0x11081, Extend),
    (0x11082, 0x11082, SpacingMark),
    (0x110B0, 0x110B2, SpacingMark),
    (0x110B3, 0x110B6, Extend),
    (0x110B7, 0x110B8, SpacingMark),
    (0x110B9, 0x110BA, Extend),
    (0x110BD, 0x110BD, Prepend),
    (0x11100, 0x11102, Extend),
    (0x11127, 0x1112B, Extend),
    (0x1112C, 0x1112C, SpacingMark),
    (0x1112D, 0x11134, Extend),
    (0x11173, 0x11173, Extend),
    (0x11180, 0x11181, Extend),
    (0x11182, 0x11182, SpacingMark),
    (0x111B3, 0x111B5, SpacingMark),
    (0x111B6, 0x111BE, Extend),
    (0x111BF, 0x111C0, SpacingMark),
    (0x111C2, 0x111C3, Prepend),
    (0x111CA, 0x111CC, Extend),
    (0x1122C, 0x1122E, SpacingMark),
    (0x1122F, 0x11231, Extend),
    (0x11232, 0x11233, SpacingMark),
    (0x11234, 0x11234, Extend),
    (0x11235, 0x11235, SpacingMark),
    (0x11236, 0x11237, Extend),
    (0x1123E, 0x1123E, Extend),
    (0x112DF, 0x112DF, Extend),
    (0x112E0, 0x112E2, SpacingMark),
    (0x112E3, 0x112EA, Extend),
    (0x11300, 0x11301, Extend),
    (0x11302, 0x11303, SpacingMark),
    (0x1133C, 0x1133C, Extend),
    (0x1133E, 0x1133E, Extend),
    (0x1133F, 0x1133F, SpacingMark),
    (0x11340, 0x11340, Extend),
    (0x11341, 0x11344, SpacingMark),
    (0x11347, 0x11348, SpacingMark),
    (0x1134B, 0x1134D, SpacingMark),
    (0x11357, 0x11357, Extend),
    (0x11362, 0x11363, SpacingMark),
    (0x11366, 0x1136C, Extend),
    (0x11370, 0x11374, Extend),
    (0x11435, 0x11437, SpacingMark),
    (0x11438, 0x1143F, Extend),
    (0x11440, 0x11441, SpacingMark),
    (0x11442, 0x11444, Extend),
    (0x11445, 0x11445, SpacingMark),
    (0x11446, 0x11446, Extend),
    (0x114B0, 0x114B0, Extend),
    (0x114B1, 0x114B2, SpacingMark),
    (0x114B3, 0x114B8, Extend),
    (0x114B9, 0x114B9, SpacingMark),
    (0x114BA, 0x114BA, Extend),
    (0x114BB, 0x114BC, SpacingMark),
    (0x114BD, 0x114BD, Extend),
    (0x114BE, 0x114BE, SpacingMark),
    (0x114BF, 0x114C0, Extend),
    (0x114C1, 0x114C1, SpacingMark),
    (0x114C2, 0x114C3, Extend),
    (0x115AF, 0x115AF, Extend),
    (0x115B0, 0x115B1, SpacingMark),
    (0x115B2, 0x115B5, Extend),
    (0x115B8, 0x115BB, SpacingMark),
    (0x115BC, 0x115BD, Extend),
    (0x115BE, 0x115BE, SpacingMark),
    (0x115BF, 0x115C0, Extend),
    (0x115DC, 0x115DD, Extend),
    (0x11630, 0x11632, SpacingMark),
    (0x11633, 0x1163A, Extend),
    (0x1163B, 0x1163C, SpacingMark),
    (0x1163D, 0x1163D, Extend),
    (0x1163E, 0x1163E, SpacingMark),
    (0x1163F, 0x11640, Extend),
    (0x116AB, 0x116AB, Extend),
    (0x116AC, 0x116AC, SpacingMark),
    (0x116AD, 0x116AD, Extend),
    (0x116AE, 0x116AF, SpacingMark),
    (0x116B0, 0x116B5, Extend),
    (0x116B6, 0x116B6, SpacingMark),
    (0x116B7, 0x116B7, Extend),
    (0x1171D, 0x1171F, Extend),
    (0x11720, 0x11721, SpacingMark),
    (0x11722, 0x11725, Extend),
    (0x11726, 0x11726, SpacingMark),
    (0x11727, 0x1172B, Extend),
    (0x11A01, 0x11A06, Extend),
    (0x11A07, 0x11A08, SpacingMark),
    (0x11A09, 0x11A0A, Extend),
    (0x11A33, 0x11A38, Extend),
    (0x11A39, 0x11A39, SpacingMark),
    (0x11A3A, 0x11A3A, Prepend),
    (0x11A3B, 0x11A3E, Extend),
    (0x11A47, 0x11A47, Extend),
    (0x11A51, 0x11A56, Extend),
    (0x11A57, 0x11A58, SpacingMark),
    (0x11A59, 0x11A5B, Extend),
    (0x11A86, 0x11A89, Prepend),
    (0x11A8A, 0x11A96, Extend),
    (0x11A97, 0x11A97, SpacingMark),
    (0x11A98, 0x11A99, Extend),
    (0x11C2F, 0x11C2F, SpacingMark),
    (0x11C30, 0x11C36, Extend),
    (0x11C38, 0x11C3D, Extend),
    (0x11C3E, 0x11C3E, SpacingMark),
    (0x11C3F, 0x11C3F, Extend),
    (0x11C92, 0x11CA7, Extend),
    (0x11CA9, 0x11CA9, SpacingMark),
    (0x11CAA, 0x11CB0, Extend),
    (0x11CB1, 0x11CB1, SpacingMark),
    (0x11CB2, 0x11CB3, Extend),
    (0x11CB4, 0x11CB4, SpacingMark),
    (0x11CB5, 0x11CB6, Extend),
    (0x11D31, 0x11D36, Extend),
    (0x11D3A, 0x11D3A, Extend),
    (0x11D3C, 0x11D3D, Extend),
    (0x11D3F, 0x11D45, Extend),
    (0x11D46, 0x11D46, Prepend),
    (0x11D47, 0x11D47, Extend),
    (0x16AF0, 0x16AF4, Extend),
    (0x16B30, 0x16B36, Extend),
    (0x16F51, 0x16F7E, SpacingMark),
    (0x16F8F, 0x16F92, Extend),
    (0x1BC9D, 0x1BC9E, Extend),
    (0x1BCA0, 0x1BCA3, Control),
    (0x1D165, 0x1D165, Extend),
    (0x1D166, 0x1D166, SpacingMark),
    (0x1D167, 0x1D169, Extend),
    (0x1D16D, 0x1D16D, SpacingMark),
    (0x1D16E, 0x1D172, Extend),
    (0x1D173, 0x1D17A, Control),
    (0x1D17B, 0x1D182, Extend),
    (0x1D185, 0x1D18B, Extend),
    (0x1D1AA, 0x1D1AD, Extend),
    (0x1D242, 0x1D244, Extend),
    (0x1DA00, 0x1DA36, Extend),
    (0x1DA3B, 0x1DA6C, Extend),
    (0x1DA75, 0x1DA75, Extend),
    (0x1DA84, 0x1DA84, Extend),
    (0x1DA9B, 0x1DA9F, Extend),
    (0x1DAA1, 0x1DAAF, Extend),
    (0x1E000, 0x1E006, Extend),
    (0x1E008, 0x1E018, Extend),
    (0x1E01B, 0x1E021, Extend),
    (0x1E023, 0x1E024, Extend),
    (0x1E026, 0x1E02A, Extend),
    (0x1E8D0, 0x1E8D6, Extend),
    (0x1E944, 0x1E94A, Extend),
    (0x1F1E6, 0x1F1FF, RegionalIndicator),
    (0x1F308, 0x1F308, GlueAfterZwj),
    (0x1F33E, 0x1F33E, GlueAfterZwj),
    (0x1F373, 0x1F373, GlueAfterZwj),
    (0x1F385, 0x1F385, EBase),
    (0x1F393, 0x1F393, GlueAfterZwj),
    (0x1F3A4, 0x1F3A4, GlueAfterZwj),
    (0x1F3A8, 0x1F3A8, GlueAfterZwj),
    (0x1F3C2, 0x1F3C4, EBase),
    (0x1F3C7, 0x1F3C7, EBase),
    (0x1F3CA, 0x1F3CC, EBase),
    (0x1F3EB, 0x1F3EB, GlueAfterZwj),
    (0x1F3ED, 0x1F3ED, GlueAfterZwj),
    (0x1F3FB, 0x1F3FF, EModifier),
    (0x1F442, 0x1F443, EBase),
    (0x1F446, 0x1F450, EBase),
    (0x1F466, 0x1F469, EBaseGaz),
    (0x1F46E, 0x1F46E, EBase),
    (0x1F470, 0x1F478, EBase),
    (0x1F47C, 0x1F47C, EBase),
    (0x1F481, 0x1F483, EBase),
    (0x1F485, 0x1F487, EBase),
    (0x1F48B, 0x1F48B, GlueAfterZwj),
    (0x1F4AA, 0x1F4AA, EBase),
    (0x1F4BB, 0x1F4BC, GlueAfterZwj),
    (0x1F527, 0x1F527, GlueAfterZwj),
    (0x1F52C, 0x1F52C, GlueAfterZwj),
    (0x1F574, 0x1F575, EBase),
    (0x1F57A, 0x1F57A, EBase),
    (0x1F590, 0x1F590, EBase),
    (0x1F595, 0x1F596, EBase),
    (0x1F5E8, 0x1F5E8, GlueAfterZwj),
    (0x1F645, 0x1F647, EBase),
    (0x1F64B, 0x1F64F, EBase),
    (0x1F680, 0x1F680, GlueAfterZwj),
    (0x1F692, 0x1F692, GlueAfterZwj),
    (0x1F6A3, 0x1F6A3, EBase),
    (0x1F6B4, 0x1F6B6, EBase),
    (0x1F6C0, 0x1F6C0, EBase),
    (0x1F6CC, 0x1F6CC, EBase),
    (0x1F918, 0x1F91C, EBase),
    (0x1F91E, 0x1F91F, EBase),
    (0x1F926, 0x1F926, EBase),
    (0x1F930, 0x1F939, EBase),
    (0x1F93D, 0x1F93E, EBase),
    (0x1F9D1, 0x1F9DD, EBase),
    (0xE0000, 0xE001F, Control),
    (0xE0020, 0xE007F, Extend),
    (0xE0080, 0xE00FF, Control),
    (0xE0100, 0xE01EF, Extend),
    (0xE01F0, 0xE0FFF, Control),
    ]
};

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn ascii_fast_path_matches_the_table() {
        for cp in 0u32..0x80 {
            let c = char::from_u32(cp).unwrap();
            assert_eq!(class_of(c), table_class(cp), "U+{cp:04X}");
        }
    }

    /// A literal transcription of grapheme-splitter's `shouldBreak` (with its
    /// array scans) to check the incremental version against.
    fn reference_should_break(all: &[Gcb]) -> bool {
        use Gcb::*;
        let n = all.len();
        let start = all[0];
        let mid = &all[1..n - 1];
        let previous = all[n - 2];
        let next = all[n - 1];
        if let Some(e) = all.iter().rposition(|&c| c == EModifier) {
            if e > 1
                && all[1..e].iter().all(|&c| c == Extend)
                && !matches!(start, Extend | EBase | EBaseGaz)
            {
                return true;
            }
        }
        if let Some(r) = all.iter().rposition(|&c| c == RegionalIndicator) {
            if r > 0
                && all[1..r].iter().all(|&c| c == RegionalIndicator)
                && !matches!(previous, Prepend | RegionalIndicator)
            {
                return true;
            }
        }
        if previous == Cr && next == Lf {
            return false;
        }
        if matches!(previous, Control | Cr | Lf) || matches!(next, Control | Cr | Lf) {
            return true;
        }
        if previous == L && matches!(next, L | V | Lv | Lvt) {
            return false;
        }
        if matches!(previous, Lv | V) && matches!(next, V | T) {
            return false;
        }
        if matches!(previous, Lvt | T) && next == T {
            return false;
        }
        if matches!(next, Extend | Zwj) || next == SpacingMark || previous == Prepend {
            return false;
        }
        let pnei: isize = match all.iter().rposition(|&c| c == Extend) {
            Some(le) => le as isize - 1,
            None => n as isize - 2,
        };
        let base_ok = pnei >= 0 && matches!(all[pnei as usize], EBase | EBaseGaz);
        let from = (pnei + 1) as usize;
        let rest_ok = from >= n - 1 || all[from..n - 1].iter().all(|&c| c == Extend);
        if base_ok && rest_ok && next == EModifier {
            return false;
        }
        if previous == Zwj && matches!(next, GlueAfterZwj | EBaseGaz) {
            return false;
        }
        if mid.contains(&RegionalIndicator) {
            return true;
        }
        if previous == RegionalIndicator && next == RegionalIndicator {
            return false;
        }
        true
    }

    fn reference_split(text: &str) -> Vec<String> {
        let chars: Vec<char> = text.chars().collect();
        let mut out = Vec::new();
        let mut i = 0;
        while i < chars.len() {
            let mut all = vec![class_of(chars[i])];
            let mut j = i + 1;
            while j < chars.len() {
                all.push(class_of(chars[j]));
                if reference_should_break(&all) {
                    break;
                }
                j += 1;
            }
            out.push(chars[i..j].iter().collect());
            i = j;
        }
        out
    }

    fn clusters(text: &str) -> Vec<&str> {
        split(text).collect()
    }

    #[test]
    fn table_is_sorted_and_disjoint() {
        for pair in CLASS_TABLE.windows(2) {
            assert!(pair[0].0 <= pair[0].1 && pair[0].1 < pair[1].0, "{pair:?}");
        }
    }

    #[test]
    fn unicode_10_emoji_rules() {
        // Family: ZWJ followed by E_Base_GAZ glues.
        assert_eq!(clusters("👨‍👩‍👧‍👦").len(), 1);
        // Woman technologist: PERSONAL COMPUTER is Glue_After_Zwj.
        assert_eq!(clusters("👩‍💻").len(), 1);
        // Heart on fire, people holding hands: FIRE and the handshake are
        // not Glue_After_Zwj in Unicode 10, so these split.
        assert_eq!(clusters("❤️‍🔥"), vec!["❤\u{fe0f}\u{200d}", "🔥"]);
        assert_eq!(clusters("🧑‍🤝‍🧑").len(), 3);
        // Rainbow flag: RAINBOW is Glue_After_Zwj.
        assert_eq!(clusters("🏳️‍🌈").len(), 1);
        // Skin tone after an emoji base glues, after a letter it does not.
        assert_eq!(clusters("👍🏽"), vec!["👍🏽"]);
        assert_eq!(clusters("a🏽"), vec!["a", "🏽"]);
        // Flags pair up regional indicators.
        assert_eq!(clusters("🇫🇷🇩🇪🇺"), vec!["🇫🇷", "🇩🇪", "🇺"]);
        // CR LF is one cluster; combining marks join their base.
        assert_eq!(clusters("a\r\nb"), vec!["a", "\r\n", "b"]);
        assert_eq!(clusters("e\u{301}\u{302}x"), vec!["e\u{301}\u{302}", "x"]);
        // Devanagari conjunct: no GB9c in Unicode 10.
        assert_eq!(clusters("क्ष").len(), 2);
        // Hangul syllable plus a trailing jamo.
        assert_eq!(clusters("\u{AC00}\u{11A8}").len(), 1);
    }

    #[test]
    fn long_runs_of_marks_are_linear() {
        let text = format!("a{}", "\u{301}".repeat(200_000));
        assert_eq!(clusters(&text).len(), 1);
    }

    fn interesting_char() -> impl Strategy<Value = char> {
        prop_oneof![
            prop::sample::select(vec![
                '\r',
                '\n',
                '\u{7}',
                'a',
                '1',
                '\u{300}',
                '\u{301}',
                '\u{200d}',
                '\u{fe0f}',
                '\u{1f3fb}',
                '\u{1f3ff}',
                '\u{1f466}',
                '\u{1f469}',
                '\u{1f44d}',
                '\u{1f4bb}',
                '\u{2764}',
                '\u{1f308}',
                '\u{1f1eb}',
                '\u{1f1f7}',
                '\u{1f1e6}',
                '\u{600}',
                '\u{903}',
                '\u{915}',
                '\u{94d}',
                '\u{1100}',
                '\u{1161}',
                '\u{11a8}',
                '\u{ac00}',
                '\u{ac01}',
                '\u{e0020}',
                '\u{1f600}',
                '\u{200b}',
            ]),
            any::<char>(),
        ]
    }

    proptest! {
        #[test]
        fn incremental_matches_reference(chars in prop::collection::vec(interesting_char(), 0..40)) {
            let text: String = chars.into_iter().collect();
            let ours: Vec<String> = split(&text).map(str::to_owned).collect();
            prop_assert_eq!(ours, reference_split(&text));
        }
    }
}
