//! Source positions: byte offsets to 1-based line/column, and the text of a line for carets.

/// Line starts of one source text, so byte offsets turn into line:column in O(log n).
#[derive(Debug, Clone)]
pub struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        // Sized once for lines of a few dozen bytes, rather than grown line by line.
        let mut starts = Vec::with_capacity(text.len() / 32 + 2);
        starts.push(0);
        starts.extend(memchr_newlines(text).map(|i| i + 1));
        LineIndex { starts }
    }

    /// 1-based line and 1-based column (in characters) of a byte offset.
    pub fn position(&self, text: &str, offset: usize) -> (u32, u32) {
        let offset = offset.min(text.len());
        let line = self
            .starts
            .partition_point(|&s| s <= offset)
            .saturating_sub(1);
        (line as u32 + 1, column(text, self.starts[line], offset))
    }

    /// Byte offset of the start of a 1-based line (clamped to the text).
    pub fn line_start(&self, line: u32) -> usize {
        let i = (line.max(1) - 1) as usize;
        self.starts
            .get(i)
            .copied()
            .unwrap_or_else(|| *self.starts.last().unwrap_or(&0))
    }
}

/// The answers of a [`LineIndex`] without building one: line breaks are counted from the
/// last line asked about, forward (from the start of the text when asked about an earlier
/// one). For a text asked about a few places at growing offsets (the headings and items of a
/// spec), counting the line breaks up to the last of them costs less than recording every
/// line start of the whole text.
#[derive(Debug)]
pub struct LineCursor<'t> {
    text: &'t str,
    /// The start of a line and its 0-based number: where the last answer left off.
    at: std::cell::Cell<(usize, u32)>,
}

impl<'t> LineCursor<'t> {
    pub fn new(text: &'t str) -> Self {
        LineCursor {
            text,
            at: std::cell::Cell::new((0, 0)),
        }
    }

    /// As [`LineIndex::position`] of this cursor's text.
    pub fn position(&self, offset: usize) -> (u32, u32) {
        let bytes = self.text.as_bytes();
        let offset = offset.min(bytes.len());
        let (mut start, mut line) = self.at.get();
        if offset < start {
            (start, line) = (0, 0);
        }
        let gap = &bytes[start..offset];
        if let Some(last) = memchr::memrchr(b'\n', gap) {
            line += memchr::memchr_iter(b'\n', gap).count() as u32;
            start += last + 1;
        }
        self.at.set((start, line));
        (line + 1, column(self.text, start, offset))
    }

    /// As [`LineIndex::line_start`] of this cursor's text.
    pub fn line_start(&self, line: u32) -> usize {
        let want = line.max(1) - 1;
        let (mut start, mut at) = self.at.get();
        if want < at {
            (start, at) = (0, 0);
        }
        while at < want {
            // Past the last line, the last line's start (as the index clamps).
            let Some(nl) = memchr::memchr(b'\n', &self.text.as_bytes()[start..]) else {
                break;
            };
            start += nl + 1;
            at += 1;
        }
        self.at.set((start, at));
        start
    }
}

/// 1-based column (in characters) of `offset` on the line that starts at byte `line_start`
/// (bytes are counted when either is not at a character boundary).
pub fn column(text: &str, line_start: usize, offset: usize) -> u32 {
    let col = match text.as_bytes().get(line_start..offset) {
        // One character a byte. Both ends are character boundaries: a non-empty ASCII range
        // starts at an ASCII byte, and the byte after an ASCII byte of UTF-8 is never a
        // continuation byte (an empty range counts 0 either way).
        Some(bytes) if bytes.is_ascii() => bytes.len(),
        _ => column_by_chars(text, line_start, offset),
    };
    col as u32 + 1
}

/// The characters before `offset` on its line, counted one by one: [`column`] minus one,
/// whatever the text.
fn column_by_chars(text: &str, line_start: usize, offset: usize) -> usize {
    text.get(line_start..offset)
        .map(|s| s.chars().count())
        .unwrap_or(offset - line_start)
}

/// Offsets of every `\n` (SIMD search: this runs over every document several times).
fn memchr_newlines(text: &str) -> impl Iterator<Item = usize> + '_ {
    memchr::memchr_iter(b'\n', text.as_bytes())
}

/// The text of a 1-based line, without its line terminator.
pub fn line_text(text: &str, line: u32) -> Option<&str> {
    let n = (line.max(1) - 1) as usize;
    let start = match n {
        0 => 0,
        _ => memchr_newlines(text).nth(n - 1)? + 1,
    };
    let rest = &text[start..];
    let l = rest.find('\n').map_or(rest, |e| &rest[..e]);
    Some(l.strip_suffix('\r').unwrap_or(l))
}

/// A value read from a document together with where it was written.
#[derive(Debug, Clone, PartialEq)]
pub struct Located<T> {
    pub value: T,
    pub line: u32,
    pub col: u32,
}

impl<T> Located<T> {
    pub fn new(value: T, line: u32, col: u32) -> Self {
        Located { value, line, col }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_characters_not_bytes() {
        let text = "ab\nжук kubectl\n";
        let idx = LineIndex::new(text);
        let off = text.find("kubectl").unwrap();
        assert_eq!(idx.position(text, off), (2, 5));
        assert_eq!(idx.position(text, 0), (1, 1));
        assert_eq!(line_text(text, 2), Some("жук kubectl"));
        assert_eq!(idx.line_start(2), 3);
    }

    use proptest::strategy::Strategy as _;

    /// A question to a [`LineCursor`] and a [`LineIndex`].
    #[derive(Debug, Clone)]
    enum Ask {
        Position(usize),
        LineStart(u32),
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(3000))]
        /// A cursor answers every sequence of questions (forward, backward, past the end,
        /// inside a character) as the index does.
        #[test]
        fn the_cursor_answers_as_the_index(
            text in "[a-z\r\n\nж ]{0,80}",
            asks in proptest::collection::vec(
                proptest::prop_oneof![
                    (0usize..90).prop_map(Ask::Position),
                    (0u32..30).prop_map(Ask::LineStart),
                ],
                0..12,
            ),
        ) {
            let idx = LineIndex::new(&text);
            let cursor = LineCursor::new(&text);
            for ask in &asks {
                match *ask {
                    Ask::Position(o) => proptest::prop_assert_eq!(cursor.position(o), idx.position(&text, o), "{:?} {:?}", text, asks),
                    Ask::LineStart(l) => proptest::prop_assert_eq!(cursor.line_start(l), idx.line_start(l), "{:?} {:?}", text, asks),
                }
            }
        }


        /// The count of an ASCII range by its length is the count character by character,
        /// for every pair of offsets in order (inside a character, at the end, empty).
        #[test]
        fn column_counts_as_the_characters_do(text in "[a-z\n ж\u{1F600}é]{0,40}", a in 0usize..50, b in 0usize..50) {
            let (start, offset) = (a.min(b).min(text.len()), a.max(b).min(text.len()));
            proptest::prop_assert_eq!(column(&text, start, offset), column_by_chars(&text, start, offset) as u32 + 1, "{:?} {} {}", text, start, offset);
        }

        /// The memchr-based line reading agrees with the plain definition: lines split at
        /// `\n`, a trailing `\r` dropped, a line past the end is none.
        #[test]
        fn lines_agree_with_splitting(text in "[a-z\r\nж ]{0,60}", line in 0u32..12) {
            let plain = text
                .split('\n')
                .nth((line.max(1) - 1) as usize)
                .map(|l| l.strip_suffix('\r').unwrap_or(l));
            proptest::prop_assert_eq!(line_text(&text, line), plain);
            let idx = LineIndex::new(&text);
            let starts: Vec<usize> = std::iter::once(0)
                .chain(text.match_indices('\n').map(|(i, _)| i + 1))
                .collect();
            proptest::prop_assert_eq!(&idx.starts, &starts);
        }
    }
}
