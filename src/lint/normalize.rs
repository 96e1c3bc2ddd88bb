//! Text normalization for the command lint, with a map back to source byte offsets.
//!
//! Owns what "the same text" means: zero-width and format characters are dropped, compatibility
//! forms are folded (NFKD), combining marks are stripped, non-ASCII look-alikes become their ASCII
//! prototype, a right-to-left override is read in display order, and (where asked) HTML entities
//! are decoded. Every normalized byte keeps the source
//! range it came from, so a hit found in normalized text points at the right bytes of the file.

use std::ops::Range;

use unicode_normalization::char::{decompose_compatible, is_combining_mark};
use unicode_security::confusable_detection::skeleton;

/// One run of normalized bytes and the source bytes it came from.
#[derive(Debug, Clone, Copy)]
struct Seg {
    /// First normalized byte of the run.
    norm: usize,
    /// First source byte of the run.
    src: usize,
    /// One past the last source byte of the run.
    src_end: usize,
    /// `true`: the run is a verbatim copy (byte i maps to `src + i`); `false`: one source unit
    /// (a character or an entity) became these bytes, all of which map to the whole unit.
    ident: bool,
}

/// Maps normalized byte offsets back to source byte offsets.
#[derive(Debug, Clone, Default)]
pub(crate) struct OffsetMap {
    segs: Vec<Seg>,
}

impl OffsetMap {
    fn seg_for(&self, norm: usize) -> Option<&Seg> {
        let idx = self.segs.partition_point(|s| s.norm <= norm);
        idx.checked_sub(1).and_then(|i| self.segs.get(i))
    }

    /// Source offset of the normalized byte `norm` (start of the character it came from).
    pub(crate) fn src_start(&self, norm: usize) -> usize {
        match self.seg_for(norm) {
            Some(s) if s.ident => (s.src + (norm - s.norm)).min(s.src_end),
            Some(s) => s.src,
            None => 0,
        }
    }

    /// Source offset just past the normalized range ending (exclusively) at `norm_end`.
    pub(crate) fn src_end(&self, norm_end: usize) -> usize {
        if norm_end == 0 {
            return self.src_start(0);
        }
        match self.seg_for(norm_end - 1) {
            Some(s) if s.ident => (s.src + (norm_end - s.norm)).min(s.src_end),
            Some(s) => s.src_end,
            None => 0,
        }
    }
}

/// Normalized text plus its offset map.
#[derive(Debug, Clone, Default)]
pub(crate) struct NormText {
    pub(crate) text: String,
    pub(crate) map: OffsetMap,
}

impl NormText {
    /// Empties the text and the map, keeping their buffers.
    pub(crate) fn clear(&mut self) {
        self.text.clear();
        self.map.segs.clear();
    }

    /// The bytes the buffers hold room for.
    pub(crate) fn capacity(&self) -> usize {
        self.text.capacity() + self.map.segs.capacity() * std::mem::size_of::<Seg>()
    }

    /// Source range of the normalized range `r`.
    pub(crate) fn src_range(&self, r: Range<usize>) -> Range<usize> {
        let start = self.map.src_start(r.start);
        let end = self.map.src_end(r.end).max(start);
        start..end
    }

    /// Appends `piece`, which sits verbatim at `src_offset` in the source.
    pub(crate) fn push_source(&mut self, piece: &str, src_offset: usize, decode_entities: bool) {
        // Fast path: plain ASCII with nothing to decode is copied as one identity run.
        if piece.is_ascii() && !(decode_entities && piece.contains('&')) {
            self.push_ident(piece, src_offset);
            return;
        }
        let mut i = 0;
        while i < piece.len() {
            let rest = &piece[i..];
            // A run of ASCII that nothing below would treat specially (an entity needs `&`, an
            // override is not ASCII) is copied as one identity run, exactly as the character
            // by character copy would merge it.
            let plain = rest
                .bytes()
                .take_while(|&b| b.is_ascii() && !(decode_entities && b == b'&'))
                .count();
            if plain > 0 {
                self.push_ident(&rest[..plain], src_offset + i);
                i += plain;
                continue;
            }
            let may_override =
                rest.starts_with('\u{202E}') || (decode_entities && rest.starts_with('&'));
            if may_override
                && let Some(used) = self.push_override(rest, src_offset + i, decode_entities)
            {
                i += used;
                continue;
            }
            if decode_entities
                && rest.starts_with('&')
                && let Some((decoded, used)) = decode_entity(rest)
            {
                self.push_replaced(decoded, src_offset + i..src_offset + i + used);
                i += used;
                continue;
            }
            let Some(c) = rest.chars().next() else { break };
            let len = c.len_utf8();
            if c.is_ascii() {
                let mut buf = [0u8; 4];
                self.push_ident(c.encode_utf8(&mut buf), src_offset + i);
            } else {
                self.push_replaced(c, src_offset + i..src_offset + i + len);
            }
            i += len;
        }
    }

    /// A right-to-left override (U+202E, or its entity) at the start of `rest`: the characters up
    /// to the closing PDF/PDI (or the end of the line) render in reverse order, so they are
    /// appended reversed, as one unit standing for the whole span. Returns the bytes consumed.
    fn push_override(&mut self, rest: &str, at: usize, decode_entities: bool) -> Option<usize> {
        let char_at = |s: &str| -> Option<(char, usize)> {
            if decode_entities
                && s.starts_with('&')
                && let Some(d) = decode_entity(s)
            {
                return Some(d);
            }
            s.chars().next().map(|c| (c, c.len_utf8()))
        };
        let (first, mut used) = char_at(rest)?;
        if first != '\u{202E}' {
            return None;
        }
        let mut shown: Vec<char> = Vec::new();
        while let Some((c, len)) = char_at(&rest[used..]) {
            if c == '\n' {
                break;
            }
            used += len;
            if matches!(c, '\u{202C}' | '\u{2069}') {
                break;
            }
            shown.push(c);
        }
        let reversed: String = shown.into_iter().rev().collect();
        self.push_decoded(&reversed, at..at + used);
        Some(used)
    }

    /// Appends front-matter text, decoding YAML escapes (`\u0063`, `\x6b`, `\U0001D55C`) the
    /// way a YAML reader would, then entities.
    pub(crate) fn push_yaml(&mut self, piece: &str, src_offset: usize) {
        if !piece.contains('\\') {
            self.push_source(piece, src_offset, true);
            return;
        }
        let mut from = 0;
        let mut i = 0;
        while let Some(p) = piece[i..].find('\\') {
            let at = i + p;
            let digits = match piece.as_bytes().get(at + 1) {
                // An escaped backslash: `C:\\x64` is not an escape.
                Some(b'\\') => {
                    i = at + 2;
                    continue;
                }
                Some(b'x') => 2,
                Some(b'u') => 4,
                Some(b'U') => 8,
                _ => 0,
            };
            let decoded = (digits > 0)
                .then(|| piece.get(at + 2..at + 2 + digits))
                .flatten()
                .and_then(|h| u32::from_str_radix(h, 16).ok())
                .and_then(char::from_u32);
            match decoded {
                Some(c) => {
                    self.push_source(&piece[from..at], src_offset + from, true);
                    let end = at + 2 + digits;
                    self.push_replaced(c, src_offset + at..src_offset + end);
                    from = end;
                    i = end;
                }
                None => i = at + 1,
            }
        }
        self.push_source(&piece[from..], src_offset + from, true);
    }

    /// Appends text whose characters all stand for the source range `unit` (e.g. an entity that
    /// the Markdown parser already decoded).
    pub(crate) fn push_decoded(&mut self, text: &str, unit: Range<usize>) {
        let before = self.text.len();
        for c in text.chars() {
            normalize_char(c, &mut self.text);
        }
        self.record(before, unit, false);
    }

    /// Appends a separator that exists only in the normalized view (maps to `at`).
    pub(crate) fn push_separator(&mut self, c: char, at: usize) {
        let before = self.text.len();
        self.text.push(c);
        self.record(before, at..at, false);
    }

    fn push_ident(&mut self, s: &str, src: usize) {
        let before = self.text.len();
        self.text.push_str(s);
        if let Some(last) = self.map.segs.last_mut()
            && last.ident
            && last.src_end == src
            && last.norm + (last.src_end - last.src) == before
        {
            last.src_end += s.len();
            return;
        }
        self.record(before, src..src + s.len(), true);
    }

    fn push_replaced(&mut self, c: char, unit: Range<usize>) {
        let before = self.text.len();
        normalize_char(c, &mut self.text);
        self.record(before, unit, false);
    }

    fn record(&mut self, before: usize, unit: Range<usize>, ident: bool) {
        if self.text.len() > before {
            self.map.segs.push(Seg {
                norm: before,
                src: unit.start,
                src_end: unit.end,
                ident,
            });
        }
    }
}

/// Characters that render as nothing and only serve to split a word.
fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{034F}' | '\u{061C}' | '\u{115F}' | '\u{1160}' | '\u{17B4}' | '\u{17B5}'
        | '\u{180B}'..='\u{180F}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{206F}' | '\u{3164}' | '\u{FE00}'..='\u{FE0F}'
        | '\u{FEFF}' | '\u{FFA0}' | '\u{FFF9}'..='\u{FFFB}' | '\u{1BCA0}'..='\u{1BCA3}'
        | '\u{1D173}'..='\u{1D17A}' | '\u{E0000}'..='\u{E0FFF}')
}

/// Characters that separate words like a space does but that NFKD keeps as they are.
fn is_odd_space(c: char) -> bool {
    matches!(c, '\u{0085}' | '\u{1680}' | '\u{2028}' | '\u{2029}')
}

/// Look-alikes that `skeleton` leaves non-ASCII (it maps Cyrillic `к` to `ĸ`, small capitals to
/// themselves) but that read as ASCII letters in a monospace font.
fn ascii_lookalike(c: char) -> Option<char> {
    Some(match c {
        'к' | 'ĸ' | 'ᴋ' | 'κ' | 'ⲕ' => 'k',
        'т' | 'τ' | 'ᴛ' => 't',
        'в' | 'ʙ' => 'b',
        'ᴅ' => 'd',
        'ᴇ' => 'e',
        'ɢ' => 'g',
        'н' | 'ʜ' => 'h',
        'ᴊ' => 'j',
        'ʟ' => 'l',
        'м' | 'ᴍ' | 'ʍ' => 'm',
        'ɴ' => 'n',
        'ᴘ' => 'p',
        'ʀ' => 'r',
        'ϲ' => 'c',
        // Letters with a stroke or a hook read as the letter (`kuƀectl`, `kubectł`).
        'ƀ' | 'ƃ' | 'ɓ' => 'b',
        'ƈ' | 'ȼ' | 'ɕ' => 'c',
        'đ' | 'ɗ' | 'ɖ' | 'ƌ' => 'd',
        'ɇ' => 'e',
        'ǥ' | 'ɠ' => 'g',
        'ħ' | 'ɦ' => 'h',
        'ɨ' => 'i',
        'ƙ' | 'ꝁ' | 'ꝃ' => 'k',
        'ł' | 'ƚ' | 'ɫ' | 'ɬ' | 'ɭ' => 'l',
        'ɱ' => 'm',
        'ƞ' | 'ɲ' | 'ɳ' => 'n',
        'ø' | 'ɵ' => 'o',
        'ƥ' | 'ᵽ' => 'p',
        'ɍ' | 'ɽ' => 'r',
        'ʂ' => 's',
        'ŧ' | 'ƭ' | 'ʈ' | 'ȶ' => 't',
        'ʉ' => 'u',
        'ƴ' | 'ɏ' => 'y',
        'ƶ' | 'ȥ' | 'ʐ' | 'ʑ' => 'z',
        '«' | '»' | '„' | '‟' => '"',
        _ => return None,
    })
}

/// Writes the normalized form of one source character.
fn normalize_char(c: char, out: &mut String) {
    if c.is_ascii() {
        out.push(c);
        return;
    }
    // What a character becomes depends on nothing else ([`normalize_char_uncached`] only
    // appends to `out`), so the forms of the characters seen last are remembered: a document
    // repeats its few non-ASCII characters (dashes, `≥`, the letters of its language).
    MEMO.with(|memo| {
        let mut memo = memo.borrow_mut();
        let slot = &mut memo[(c as usize) % MEMO_SLOTS];
        if slot.0 == c {
            out.push_str(slot.1.as_str());
            return;
        }
        let before = out.len();
        normalize_char_uncached(c, out);
        if let Some(form) = out.get(before..).and_then(|s| Memoized::new(c, s)) {
            *slot = form;
        }
    });
}

/// How many characters [`normalize_char`] remembers.
const MEMO_SLOTS: usize = 128;

thread_local! {
    /// Per slot, a character and its normalized form (`'\0'`, ASCII, in no slot is looked up).
    static MEMO: std::cell::RefCell<[Memoized; MEMO_SLOTS]> =
        const { std::cell::RefCell::new([Memoized::EMPTY; MEMO_SLOTS]) };
}

/// A character and its normalized form, when that is short.
#[derive(Clone, Copy)]
struct Memoized(char, Form);

/// Up to 15 bytes of UTF-8.
#[derive(Clone, Copy)]
struct Form {
    len: u8,
    bytes: [u8; 15],
}

impl Form {
    fn as_str(&self) -> &str {
        // Filled from a `&str` in `Memoized::new`; never fails.
        std::str::from_utf8(&self.bytes[..usize::from(self.len)]).unwrap_or_default()
    }
}

impl Memoized {
    const EMPTY: Memoized = Memoized(
        '\0',
        Form {
            len: 0,
            bytes: [0; 15],
        },
    );

    fn new(c: char, form: &str) -> Option<Memoized> {
        let mut bytes = [0; 15];
        bytes
            .get_mut(..form.len())?
            .copy_from_slice(form.as_bytes());
        Some(Memoized(
            c,
            Form {
                len: u8::try_from(form.len()).ok()?,
                bytes,
            },
        ))
    }
}

/// [`normalize_char`] for a non-ASCII character, computed.
fn normalize_char_uncached(c: char, out: &mut String) {
    if c.is_ascii() {
        out.push(c);
        return;
    }
    if is_invisible(c) {
        return;
    }
    if is_odd_space(c) {
        out.push(' ');
        return;
    }
    if let Some(a) = ascii_lookalike(c) {
        // Before NFKD, which would turn the lunate sigma `ϲ` into a final sigma.
        out.push(a);
        return;
    }
    decompose_compatible(c, |d| {
        if d.is_ascii() {
            out.push(d);
        } else if is_combining_mark(d) || is_invisible(d) {
            // Dropped: `k\u{301}ubectl` renders as kubectl with an accent.
        } else if let Some(a) = ascii_lookalike(d) {
            out.push(a);
        } else {
            push_skeleton(d, out);
        }
    });
}

/// Maps a non-ASCII character to its confusable prototype when that prototype is ASCII.
fn push_skeleton(c: char, out: &mut String) {
    // Cherokee small letters (U+AB70..U+ABBF) look like small capitals of the capitals that
    // the confusables table maps to Latin capitals (`ꮶ` → `Ꮶ` → `K`): lower case.
    if let Some(capital) = ('\u{AB70}'..='\u{ABBF}')
        .contains(&c)
        .then(|| char::from_u32(c as u32 - 0x97D0))
        .flatten()
    {
        let mut buf = [0u8; 4];
        let proto: String = skeleton(capital.encode_utf8(&mut buf)).collect();
        if proto.len() == 1 && proto.is_ascii() {
            out.push_str(&proto.to_ascii_lowercase());
            return;
        }
    }
    let mut buf = [0u8; 4];
    let proto: String = skeleton(c.encode_utf8(&mut buf))
        .filter(|p| !is_combining_mark(*p))
        .collect();
    if !proto.is_empty() && proto.is_ascii() {
        out.push_str(&proto);
    } else {
        out.push(c);
    }
}

/// Decodes an HTML entity at the start of `s`: the character and the bytes consumed.
pub(crate) fn decode_entity(s: &str) -> Option<(char, usize)> {
    let end = s.as_bytes().iter().take(34).position(|&b| b == b';')?;
    let body = s.get(1..end)?;
    let c = if let Some(num) = body.strip_prefix('#') {
        let code = match num.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok()?,
            None => num.parse::<u32>().ok()?,
        };
        char::from_u32(code)?
    } else {
        named_entity(body)?
    };
    Some((c, end + 1))
}

/// The named entities seen in real documents, plus the invisible ones used to split words.
fn named_entity(name: &str) -> Option<char> {
    Some(match name {
        "amp" | "AMP" => '&',
        "lt" | "LT" => '<',
        "gt" | "GT" => '>',
        "quot" | "QUOT" => '"',
        "apos" => '\'',
        "nbsp" | "NonBreakingSpace" => '\u{00A0}',
        "ensp" => '\u{2002}',
        "emsp" => '\u{2003}',
        "thinsp" => '\u{2009}',
        "shy" => '\u{00AD}',
        "zwj" => '\u{200D}',
        "zwnj" => '\u{200C}',
        "ZeroWidthSpace" | "NegativeThinSpace" | "NegativeMediumSpace" => '\u{200B}',
        "NoBreak" => '\u{2060}',
        "ndash" => '\u{2013}',
        "mdash" => '\u{2014}',
        "minus" => '\u{2212}',
        "hyphen" | "dash" => '\u{2010}',
        "lsquo" => '\u{2018}',
        "rsquo" => '\u{2019}',
        "ldquo" => '\u{201C}',
        "rdquo" => '\u{201D}',
        "laquo" => '\u{00AB}',
        "raquo" => '\u{00BB}',
        "hellip" => '\u{2026}',
        "sol" => '/',
        "bsol" => '\\',
        "verbar" | "vert" => '|',
        "semi" => ';',
        "colon" => ':',
        "comma" => ',',
        "period" => '.',
        "dollar" => '$',
        "num" => '#',
        "excl" => '!',
        "lpar" => '(',
        "rpar" => ')',
        "lsqb" | "lbrack" => '[',
        "rsqb" | "rbrack" => ']',
        "lcub" | "lbrace" => '{',
        "rcub" | "rbrace" => '}',
        "equals" => '=',
        "ast" => '*',
        "lowbar" => '_',
        "grave" => '`',
        "Tab" => '\t',
        "NewLine" => '\n',
        _ => return letter_entity(name),
    })
}

/// `&uuml;`, `&ccedil;`, `&kopf;`, `&Kscr;`, `&kfr;`: a letter with a mark or in a
/// mathematical style, which renders as (a look-alike of) the letter itself.
fn letter_entity(name: &str) -> Option<char> {
    let mut chars = name.chars();
    let letter = chars.next().filter(char::is_ascii_alphabetic)?;
    let style = chars.as_str();
    let known = [
        "acute", "grave", "circ", "uml", "tilde", "ring", "cedil", "caron", "macr", "breve",
        "ogon", "dot", "opf", "scr", "fr", "strok",
    ];
    known.contains(&style).then_some(letter)
}

/// Normalizes a whole string, without the memo of [`normalize_char`] (the reference the
/// tests compare it with).
#[cfg(test)]
pub(crate) fn normalize_str_uncached(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        normalize_char_uncached(c, &mut out);
    }
    out
}

/// Normalizes a whole string.
#[cfg(test)]
pub(crate) fn normalize_str(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        normalize_char(c, &mut out);
    }
    out
}
