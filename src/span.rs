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

/// 1-based column (in characters) of `offset` on the line that starts at byte `line_start`
/// (bytes are counted when either is not at a character boundary).
pub fn column(text: &str, line_start: usize, offset: usize) -> u32 {
    let col = text
        .get(line_start..offset)
        .map(|s| s.chars().count())
        .unwrap_or(offset - line_start);
    col as u32 + 1
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

    proptest::proptest! {

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
