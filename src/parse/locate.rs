//! Finds where a key path is written in a YAML or JSON text, so that values deserialized by
//! serde (which keeps no positions) can still be reported at their file:line:col.
//!
//! It is a scanner, not a parser: it knows quotes, comments, flow brackets and indentation,
//! which is all that is needed to tell `scores.spec` from a top-level `spec`.

/// Byte offset of the value of `path` (e.g. `["checks", "audit_trace_coverage"]`), or of the
/// key when the value starts on a later line.
pub fn value_offset(text: &str, path: &[&str]) -> Option<usize> {
    Keys::new(text).value_offset(path)
}

/// The keys of a document, found once: a resolver asks for dozens of positions per document,
/// and scanning the text for each one made that quadratic.
#[derive(Debug)]
pub struct Keys<'a> {
    text: &'a str,
    keys: Vec<Key<'a>>,
}

impl<'a> Keys<'a> {
    pub fn new(text: &'a str) -> Self {
        Keys {
            text,
            keys: keys(text),
        }
    }

    /// The text the keys were found in.
    pub fn text(&self) -> &'a str {
        self.text
    }

    /// Byte offset of the key that ends `path`.
    pub fn key_offset(&self, path: &[&str]) -> Option<usize> {
        find_key(&self.keys, path)
    }

    /// Byte offset of the value at `path` (the key's when the value is on later lines).
    pub fn value_offset(&self, path: &[&str]) -> Option<usize> {
        self.key_offset(path)
            .and_then(|key| value_after(self.text, key))
    }

    /// Indices (into this document's keys) of the keys named `names` that
    /// [`Keys::key_offset`] finds: directly inside the value of the key at index `parent`, or
    /// anywhere when `parent` is `None`. One pass over the keys for all the names, where
    /// asking each name apart scans them once per name.
    pub fn find_all<const N: usize>(
        &self,
        parent: Option<usize>,
        names: &[&str; N],
    ) -> [Option<usize>; N] {
        let (from, to) = match parent {
            Some(p) => (p + 1, self.keys[p].end),
            None => (0, self.keys.len()),
        };
        let mut found = [None; N];
        for (i, k) in self.keys[from..to].iter().enumerate() {
            let Some(n) = names.iter().position(|n| *n == k.name) else {
                continue;
            };
            // Keys are in document order: the first of the shallowest depth is the one with
            // the least (depth, offset).
            if found[n].is_none_or(|f: usize| k.depth < self.keys[f].depth) {
                found[n] = Some(from + i);
            }
        }
        found
    }

    /// Where the value of the key at index `key` (from [`Keys::find_all`]) is: byte offset,
    /// 1-based line and column, as [`Keys::value_offset`] and
    /// [`crate::span::LineIndex::position`] give them.
    pub fn value_position(&self, key: usize) -> Option<(usize, u32, u32)> {
        let k = &self.keys[key];
        let bytes = self.text.as_bytes();
        if !matches!(bytes[k.offset], b'"' | b'\'') {
            // A plain key: its name (no colon, no line break), blanks, then its colon.
            let mut c = k.offset + k.name.len();
            while bytes[c] != b':' {
                c += 1;
            }
            let v = value_from_colon(bytes, k.offset, c);
            return Some((v, k.line, crate::span::column(self.text, k.line_start, v)));
        }
        let v = value_after(self.text, k.offset)?;
        // A quoted key may hold an escaped line break, and its colon may be inside it.
        let (mut line, mut start) = (k.line, k.line_start);
        for nl in memchr::memchr_iter(b'\n', &bytes[k.offset..v]) {
            line += 1;
            start = k.offset + nl + 1;
        }
        Some((v, line, crate::span::column(self.text, start, v)))
    }
}

/// Offset of the value of the key at `key` (the key's own when the value is on later lines);
/// `None` when no colon follows (never for a key the scan found).
fn value_after(text: &str, key: usize) -> Option<usize> {
    let colon = memchr::memchr(b':', &text.as_bytes()[key..])?;
    Some(value_from_colon(text.as_bytes(), key, key + colon))
}

/// Offset of the value of the key at `key` whose colon is at `colon`.
fn value_from_colon(bytes: &[u8], key: usize, colon: usize) -> usize {
    let after_key = colon + 1;
    let rest = &bytes[after_key..];
    let skipped = rest
        .iter()
        .take_while(|&&b| b == b' ' || b == b'\t')
        .count();
    let v = after_key + skipped;
    match bytes.get(v) {
        None | Some(b'\n' | b'\r' | b'#') => key,
        _ => v,
    }
}

/// Byte offset of the key that ends `path`.
pub fn key_offset(text: &str, path: &[&str]) -> Option<usize> {
    find_key(&keys(text), path)
}

fn find_key(keys: &[Key<'_>], path: &[&str]) -> Option<usize> {
    // Keys are in document order, so the keys inside a key's value are the ones between it
    // and its `end`: each step looks only there.
    let (mut from, mut to) = (0, keys.len());
    let mut found: Option<usize> = None;
    for name in path {
        let i = keys
            .get(from..to)?
            .iter()
            .enumerate()
            .filter(|(_, k)| k.name == *name)
            .min_by_key(|(_, k)| (k.depth, k.offset))
            .map(|(j, _)| from + j)?;
        found = Some(i);
        (from, to) = (i + 1, keys[i].end);
    }
    found.map(|i| keys[i].offset)
}

#[derive(Debug)]
struct Key<'a> {
    name: &'a str,
    offset: usize,
    /// Flow nesting (brackets) weighs more than block indentation.
    depth: usize,
    /// Index of the first later key at this depth or shallower (the number of keys when
    /// none): the keys between are the ones inside this key's value.
    end: usize,
    /// 1-based line of `offset`, and the byte offset where that line starts (as
    /// [`crate::span::LineIndex`] counts lines: at `\n`).
    line: u32,
    line_start: usize,
}

/// Sets every key's `end` in one pass: a stack of the keys still open, deepest on top.
fn close_scopes(keys: &mut [Key<'_>]) {
    let mut open: Vec<usize> = Vec::with_capacity(8);
    for i in 0..keys.len() {
        let depth = keys[i].depth;
        while let Some(&top) = open.last() {
            if keys[top].depth < depth {
                break;
            }
            keys[top].end = i;
            open.pop();
        }
        open.push(i);
    }
    for i in open {
        keys[i].end = keys.len();
    }
}

fn keys(text: &str) -> Vec<Key<'_>> {
    let bytes = text.as_bytes();
    // About one key per line in front matter: sized once rather than grown key by key.
    let mut out = Vec::with_capacity(bytes.len() / 24 + 4);
    let mut brackets = 0usize;
    let mut line_indent = 0usize;
    let mut at_line_start = true;
    let (mut line, mut line_start) = (1u32, 0usize);
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if at_line_start {
            let n = bytes[i..]
                .iter()
                .take_while(|&&c| c == b' ' || c == b'-')
                .count();
            line_indent = n;
            at_line_start = false;
        }
        match b {
            b'\n' => {
                at_line_start = true;
                i += 1;
                (line, line_start) = (line + 1, i);
            }
            b'#' if i == 0 || matches!(bytes[i - 1], b' ' | b'\t' | b'\n') => {
                // To the end of the line (the `\n` is the next step's).
                i = memchr::memchr(b'\n', &bytes[i..]).map_or(bytes.len(), |n| i + n);
            }
            b'{' | b'[' => {
                brackets += 1;
                i += 1;
            }
            b'}' | b']' => {
                brackets = brackets.saturating_sub(1);
                i += 1;
            }
            b'"' | b'\'' => {
                let end = closing_quote(bytes, i);
                if is_key_end(bytes, end + 1) {
                    out.push(Key {
                        name: &text[i + 1..end.min(text.len())],
                        offset: i,
                        depth: brackets * 1000 + line_indent,
                        end: 0,
                        line,
                        line_start,
                    });
                }
                // The quoted text and its closing byte are skipped: count the line breaks
                // among them (an escaped one inside, or the one an unclosed quote stops at).
                let next = (end + 1).min(bytes.len());
                for nl in memchr::memchr_iter(b'\n', &bytes[i + 1..next]) {
                    (line, line_start) = (line + 1, i + 1 + nl + 1);
                }
                i = end + 1;
            }
            c if IDENT_START[c as usize] => {
                let start = i;
                i = ident_end(bytes, i);
                let prev_ok = start == 0
                    || matches!(bytes[start - 1], b' ' | b'\t' | b'\n' | b'{' | b',' | b'-');
                if prev_ok && is_key_end(bytes, i) {
                    out.push(Key {
                        name: &text[start..i],
                        offset: start,
                        depth: brackets * 1000 + line_indent,
                        end: 0,
                        line,
                        line_start,
                    });
                    i = past_quiet_value(bytes, i);
                }
            }
            _ => i += 1,
        }
    }
    close_scopes(&mut out);
    out
}

/// Where the scan may go on after the plain key ending at `key_end` (blanks and its colon
/// follow, as [`is_key_end`] found): the end of the line (its `\n`, or the end of the text)
/// when the rest of the line after the colon is quiet, else `key_end`. Quiet: no colon, quote
/// or bracket (`b | 0x20` maps each of them, and a few control bytes, onto `:"'{}`). Scanning
/// a quiet rest finds no key (a key needs a colon on its line: blanks never cross a `\n`),
/// opens no quote and counts no bracket, and a comment in it ends where the line does: the
/// scan would leave it at the same `\n` with nothing changed. Most values of a front matter
/// (`spec: specs/a/specify.md`) are quiet.
fn past_quiet_value(bytes: &[u8], key_end: usize) -> usize {
    let mut colon = key_end;
    while bytes[colon] != b':' {
        colon += 1;
    }
    let mut j = colon + 1;
    // Eight bytes at a time to the first line break or noisy byte, then byte by byte (the
    // last few bytes of the text).
    while let Some(word) = bytes.get(j..j + 8) {
        if let Some(k) = crate::swar::first(stops(crate::swar::word(word))) {
            let first = j + k;
            return if bytes[first] == b'\n' {
                first
            } else {
                key_end
            };
        }
        j += 8;
    }
    while let Some(&b) = bytes.get(j) {
        if b == b'\n' {
            return j;
        }
        if matches!(b | 0x20, b':' | b'"' | b'\'' | b'{' | b'}') {
            return key_end;
        }
        j += 1;
    }
    j
}

/// The bytes of `word` that are a `\n` or noisy for [`past_quiet_value`] (see
/// [`crate::swar`]): compared `| 0x20`, as the byte loop does.
fn stops(word: u64) -> u64 {
    use crate::swar::{eq, splat};
    let folded = word | splat(0x20);
    eq(word, b'\n')
        | eq(folded, b':')
        | eq(folded, b'"')
        | eq(folded, b'\'')
        | eq(folded, b'{')
        | eq(folded, b'}')
}

/// The end of the run of [`IDENT`] bytes from `i`: eight bytes at a time while eight
/// remain (keys, words and paths make up most of a front matter), then byte by byte.
fn ident_end(bytes: &[u8], mut i: usize) -> usize {
    while let Some(word) = bytes.get(i..i + 8) {
        if let Some(k) =
            crate::swar::first(!ident_bytes(crate::swar::word(word)) & crate::swar::HIGH)
        {
            return i + k;
        }
        i += 8;
    }
    while i < bytes.len() && IDENT[bytes[i] as usize] {
        i += 1;
    }
    i
}

/// The high bit of each byte of `word` that is an [`IDENT`] byte (ASCII letters and digits,
/// `_`, `-` and `.`), and no other bit.
fn ident_bytes(word: u64) -> u64 {
    use crate::swar::{in_range, splat};
    in_range(word | splat(0x20), b'a', b'z')
        | in_range(word, b'0', b'9')
        | in_range(word, b'-', b'.')
        | in_range(word, b'_', b'_')
}

/// The bytes that start a key: ASCII letters and digits, and `_`.
static IDENT_START: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 256 {
        t[b] = (b as u8).is_ascii_alphanumeric() || b as u8 == b'_';
        b += 1;
    }
    t
};

/// The bytes that continue a key (ASCII letters and digits, `_`, `-` and `.`), as a table:
/// the scan asks it of nearly every byte of a document.
static IDENT: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 256 {
        t[b] = (b as u8).is_ascii_alphanumeric() || matches!(b as u8, b'_' | b'-' | b'.');
        b += 1;
    }
    t
};

fn closing_quote(bytes: &[u8], open: usize) -> usize {
    let q = bytes[open];
    let mut j = open + 1;
    while j < bytes.len() && bytes[j] != q && bytes[j] != b'\n' {
        if bytes[j] == b'\\' && q == b'"' {
            j += 1;
        }
        j += 1;
    }
    j.min(bytes.len())
}

/// A key is followed by optional blanks and a colon that ends the key (`a: 1`, `"a":1`).
fn is_key_end(bytes: &[u8], mut i: usize) -> bool {
    while i < bytes.len() && (bytes[i] == b' ' || bytes[i] == b'\t') {
        i += 1;
    }
    i < bytes.len()
        && bytes[i] == b':'
        && bytes.get(i + 1).is_none_or(|c| {
            matches!(
                c,
                b' ' | b'\t' | b'\n' | b'\r' | b'"' | b'{' | b'[' | b'0'
                    ..=b'9' | b'-' | b't' | b'f' | b'n'
            )
        })
}

#[cfg(test)]
mod tests;
