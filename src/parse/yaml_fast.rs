//! A fast path for the YAML sddgate reads most: the front matter of readiness documents and
//! specs, and the pre-approved actions block of a spec: a block mapping of `key: scalar`
//! lines whose top-level keys may hold one level of nested mapping (`scores:`, `evidence:`)
//! or a block sequence of scalars and compact mappings of `key: scalar` lines
//! (`actions:` / `  - name: restart_pod` / `    requires: [stateless]`), and one-line flow
//! mappings and sequences of plain scalars (`{spec: 5, process: 4}`, `[a.md, b.md]`).
//!
//! The general parser (libyaml through `serde_yaml`) runs twice per document (once for
//! duplicate keys, once for the typed shape) and cost a third of a whole-repository check.
//! This reader accepts only a strict subset of YAML and gives up (`None`) on anything else,
//! so the general parser stays the judge of every document outside it, and of every error:
//! [`super::yaml::from_yaml`] uses what this returns only when the typed value deserializes
//! from it without error. Inside the subset it resolves scalars exactly as `serde_yaml` does
//! (null, booleans, integers, floats, strings); a plain scalar that `serde_yaml` could read
//! as something else than this reader is sure of (`0x1F`, `1e3`, `.5`, `007`, `inf`) makes
//! it give up. Tests compare both readers on generated documents.
//!
//! Outside the subset, among others: tabs, nested or multi-line flow collections, quoted
//! scalars inside them, block scalars, block sequences at the top level, indentless or
//! nested ones (`key:` then `- x` at the key's column, `- - x`), empty (null) items,
//! anchors, aliases, tags, directives, document markers, quoted keys, escapes in quoted
//! scalars, multi-line scalars, duplicate keys, deeper nesting, and characters YAML treats
//! as line breaks or refuses (NEL, U+2028, U+2029, a BOM, control characters).

use serde::de::value::{MapDeserializer, SeqDeserializer};
use serde::de::{self, Deserializer, IntoDeserializer, Visitor};
use std::fmt;

/// A value of the subset, borrowing its text from the document.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Node<'a> {
    /// A scalar: its text (without quotes) and what it means, resolved once when read (a
    /// quoted scalar is always a string).
    Scalar { text: &'a str, value: Plain },
    /// A block mapping, in document order, keys unique.
    Map(Vec<(&'a str, Node<'a>)>),
    /// A one-line flow sequence of plain scalars (`[a.md, b.md]`).
    Seq(Vec<Node<'a>>),
}

/// What a plain scalar means.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Plain {
    Null,
    Bool(bool),
    Unsigned(u64),
    Negative(i64),
    Float(f64),
    Str,
}

/// The error of a typed value read from a [`Node`]. It is never shown: any error sends the
/// document to the general parser, which reports its own. So it keeps no message, and the
/// untagged enums that try one variant after another cost no formatting.
#[derive(Debug)]
pub(crate) struct Unread;

impl fmt::Display for Unread {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("not read by the fast YAML reader")
    }
}

impl std::error::Error for Unread {}

impl de::Error for Unread {
    fn custom<T: fmt::Display>(_: T) -> Self {
        Unread
    }
}

/// The value of a top-level `key:` written on the more indented lines that follow it.
enum Block<'a> {
    /// No such line yet: a null value if none comes.
    Empty,
    /// `key: value` lines, all at the indentation given.
    Map(usize, Vec<(&'a str, Node<'a>)>),
    /// `- item` lines, all at the indentation given; the items read, and the mapping of the
    /// item being read with the indentation its further `key: value` lines must have.
    Seq(usize, Vec<Node<'a>>, Option<Item<'a>>),
}

/// A compact mapping in a sequence item (`- name: x` then `  requires: [y]` under `name`).
type Item<'a> = (usize, Vec<(&'a str, Node<'a>)>);

/// Reads `text` if it is inside the subset; `None` otherwise.
pub(crate) fn parse(text: &str) -> Option<Node<'_>> {
    let has_cr = scan(text)?;
    let mut top: Vec<(&str, Node)> = Vec::with_capacity(16);
    let mut nested: Option<(&str, Block)> = None;
    for raw in lines(text) {
        let line = if has_cr {
            let line = raw.strip_suffix('\r').unwrap_or(raw);
            if memchr::memchr(b'\r', line.as_bytes()).is_some() {
                return None; // a lone CR is a line break to YAML
            }
            line
        } else {
            raw
        };
        let body = line.trim_start_matches(' ');
        if body.is_empty() || body.starts_with('#') {
            continue;
        }
        let indent = line.len() - body.len();
        if indent == 0 {
            let (key, value) = entry(body)?;
            if let Some((k, block)) = nested.take() {
                push(&mut top, k, close(block))?;
            }
            match value {
                Some(v) => push(&mut top, key, v)?,
                None => nested = Some((key, Block::Empty)),
            }
            continue;
        }
        let (_, block) = nested.as_mut()?;
        match block {
            Block::Empty if body.starts_with('-') => {
                let mut items = Vec::new();
                let open = item(body, indent, &mut items)?;
                *block = Block::Seq(indent, items, open);
            }
            Block::Empty => {
                // A key without a value inside the nested mapping would open a deeper one.
                let (key, value) = entry(body)?;
                *block = Block::Map(indent, vec![(key, value?)]);
            }
            Block::Map(level, entries) => {
                let (key, value) = entry(body)?;
                if *level != indent {
                    return None;
                }
                push(entries, key, value?)?;
            }
            Block::Seq(level, items, open) if *level == indent => {
                if let Some((_, entries)) = open.take() {
                    items.push(Node::Map(entries));
                }
                *open = item(body, indent, items)?;
            }
            Block::Seq(_, _, Some((at, entries))) if *at == indent => {
                let (key, value) = entry(body)?;
                push(entries, key, value?)?;
            }
            Block::Seq(..) => return None,
        }
    }
    if let Some((k, block)) = nested.take() {
        push(&mut top, k, close(block))?;
    }
    (!top.is_empty()).then_some(Node::Map(top))
}

/// One `- item` line of a block sequence at `indent`: a scalar goes to `items`; the first
/// entry of a compact mapping is returned with the indentation of its key, which the
/// mapping's further lines must have. `None` outside the subset: no blank after the dash,
/// an empty (null) item, a nested sequence, a key without a value.
fn item<'a>(body: &'a str, indent: usize, items: &mut Vec<Node<'a>>) -> Option<Option<Item<'a>>> {
    let after = body.strip_prefix("- ")?;
    let rest = after.trim_start_matches(' ');
    if rest.is_empty() || rest.starts_with('#') {
        return None;
    }
    match entry(rest) {
        Some((key, value)) => Some(Some((
            indent + body.len() - rest.len(),
            vec![(key, value?)],
        ))),
        // Not `key: value`: a scalar, which refuses any `: ` and a trailing `:` (what would
        // make it a mapping the reader does not take).
        None => {
            items.push(scalar(rest)?);
            Some(None)
        }
    }
}

/// Whether every character of `text` is [`allowed`], and then whether it holds a CR.
fn scan(text: &str) -> Option<bool> {
    let bytes = text.as_bytes();
    let mut cr = false;
    // Eight bytes at a time while they are all printable ASCII or `\n` (the bytes the loop
    // below passes over): the first word holding anything else, and all after it, go
    // through that loop, in order.
    let mut words = bytes.chunks_exact(8);
    let mut from = 0;
    for word in &mut words {
        if !plain_word(crate::swar::word(word)) {
            break;
        }
        from += 8;
    }
    for &b in &bytes[from..] {
        match b {
            b' '..=b'~' | b'\n' => {}
            b'\r' => cr = true,
            0x80.. => {
                return text
                    .chars()
                    .all(allowed)
                    .then(|| memchr::memchr(b'\r', text.as_bytes()).is_some());
            }
            _ => return None,
        }
    }
    Some(cr)
}

/// Whether the eight bytes of `word` are all printable ASCII (`b' '..=b'~'`) or `\n`.
fn plain_word(word: u64) -> bool {
    use crate::swar::{HIGH, eq, in_range};
    (in_range(word, b' ', b'~') | eq(word, b'\n')) == HIGH
}

/// The pieces of `text` between `\n`s, as `text.split('\n')`.
fn lines(text: &str) -> impl Iterator<Item = &str> {
    let mut start = Some(0);
    std::iter::from_fn(move || {
        let from = start?;
        let rest = &text[from..];
        match memchr::memchr(b'\n', rest.as_bytes()) {
            Some(i) => {
                start = Some(from + i + 1);
                Some(&rest[..i])
            }
            None => {
                start = None;
                Some(rest)
            }
        }
    })
}

/// Characters the subset takes: printable ASCII, the newline and CR, and the printable
/// non-ASCII characters YAML allows, without the ones it treats as line breaks or as a BOM.
fn allowed(c: char) -> bool {
    matches!(c, '\n' | '\r' | ' '..='~')
        || matches!(c as u32, 0xA0..=0xD7FF | 0xE000..=0xFFFD | 0x10000..=0x10FFFF)
            && !matches!(c, '\u{2028}' | '\u{2029}' | '\u{FEFF}')
}

/// The value of a block: nothing is a null value, as `key:` followed by comments is.
fn close(block: Block<'_>) -> Node<'_> {
    match block {
        Block::Empty => Node::Scalar {
            text: "",
            value: Plain::Null,
        },
        Block::Map(_, entries) => Node::Map(entries),
        Block::Seq(_, mut items, open) => {
            if let Some((_, entries)) = open {
                items.push(Node::Map(entries));
            }
            Node::Seq(items)
        }
    }
}

fn push<'a>(entries: &mut Vec<(&'a str, Node<'a>)>, key: &'a str, value: Node<'a>) -> Option<()> {
    if entries.iter().any(|(k, _)| *k == key) {
        return None; // the general parser reports the duplicate
    }
    entries.push((key, value));
    Some(())
}

/// Byte offset of the first `: ` in `s` (as `s.find(": ")`).
fn colon_space(s: &str) -> Option<usize> {
    let b = s.as_bytes();
    memchr::memchr_iter(b':', b).find(|&i| b.get(i + 1) == Some(&b' '))
}

/// Byte offset of the first ` #` in `s` (as `s.find(" #")`).
fn comment_at(s: &str) -> Option<usize> {
    let b = s.as_bytes();
    memchr::memchr_iter(b'#', b)
        .find(|&i| i > 0 && b[i - 1] == b' ')
        .map(|i| i - 1)
}

/// `key: value` or `key:`: the key and the value (`None` when nothing follows the colon).
fn entry(body: &str) -> Option<(&str, Option<Node<'_>>)> {
    let colon = memchr::memchr(b':', body.as_bytes())?;
    let key = &body[..colon];
    if !is_key(key) {
        return None;
    }
    let rest = &body[colon + 1..];
    if rest.is_empty() {
        return Some((key, None));
    }
    let value = rest.strip_prefix(' ')?.trim_start_matches(' ');
    if value.is_empty() || value.starts_with('#') {
        return Some((key, None));
    }
    Some((key, Some(scalar(value)?)))
}

/// A key of the subset: a letter or `_`, then letters, digits and `_`, and a string to YAML
/// (`true:` and `null:` are a boolean and a null key there).
fn is_key(key: &str) -> bool {
    let b = key.as_bytes();
    b.first()
        .is_some_and(|c| c.is_ascii_alphabetic() || *c == b'_')
        && b.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'_')
        && resolve(key) == Some(Plain::Str)
}

/// One scalar, or a one-line flow mapping of scalars (`{spec: 5, process: 4}`), on the rest
/// of a line, with an optional trailing comment.
fn scalar(value: &str) -> Option<Node<'_>> {
    let quote = *value.as_bytes().first()?;
    if quote == b'{' {
        return flow_map(value);
    }
    if quote == b'[' {
        return flow_seq(value);
    }
    if quote == b'"' || quote == b'\'' {
        let inner = &value[1..];
        let end = memchr::memchr(quote, inner.as_bytes())?;
        let text = &inner[..end];
        if quote == b'"' && memchr::memchr(b'\\', text.as_bytes()).is_some() {
            return None; // escapes
        }
        if !trailer_ok(&inner[end + 1..]) {
            return None; // `''` inside single quotes, or text after the closing quote
        }
        return Some(Node::Scalar {
            text,
            value: Plain::Str,
        });
    }
    // A comment starts at ` #`; the scalar is what precedes it.
    let text = match comment_at(value) {
        Some(at) => &value[..at],
        None => value,
    }
    .trim_end_matches(' ');
    let starts_safely = !text.starts_with([
        '-', '?', ':', ',', '[', ']', '{', '}', '#', '&', '*', '!', '|', '>', '\'', '"', '%', '@',
        '`',
    ]) || text.starts_with('-')
        && text[1..].starts_with(|c: char| c.is_ascii_digit());
    if text.is_empty() || !starts_safely || colon_space(text).is_some() || text.ends_with(':') {
        return None;
    }
    let value = resolve(text)?;
    Some(Node::Scalar { text, value })
}

/// `{key: scalar, …}` on one line: plain keys, scalars without flow indicators or quotes
/// (their rules differ inside a flow collection), no nesting, no empty entries.
fn flow_map(value: &str) -> Option<Node<'_>> {
    let close = memchr::memchr(b'}', value.as_bytes())?;
    if !trailer_ok(&value[close + 1..]) {
        return None;
    }
    let inner = value[1..close].trim_matches(' ');
    let mut entries = Vec::new();
    if inner.is_empty() {
        return Some(Node::Map(entries));
    }
    for part in inner.split(',') {
        let part = part.trim_matches(' ');
        let at = colon_space(part)?;
        let (key, value) = (&part[..at], &part[at + 2..]);
        if !is_key(key) {
            return None;
        }
        push(&mut entries, key, flow_item(value)?)?;
    }
    Some(Node::Map(entries))
}

/// The plain scalar of one entry of a one-line flow collection: no flow indicators, quotes,
/// comments or colons inside (their rules differ there: `{a: $:?}` is an error to serde_yaml).
fn flow_item(part: &str) -> Option<Node<'_>> {
    let part = part.trim_matches(' ');
    if part
        .bytes()
        .any(|b| matches!(b, b'[' | b']' | b'{' | b'}' | b'#' | b'\'' | b'"' | b':'))
    {
        return None;
    }
    // Quotes were refused above: what `scalar` gives here is a plain scalar.
    scalar(part)
}

/// `[scalar, …]` on one line.
fn flow_seq(value: &str) -> Option<Node<'_>> {
    let close = memchr::memchr(b']', value.as_bytes())?;
    if !trailer_ok(&value[close + 1..]) {
        return None;
    }
    let inner = value[1..close].trim_matches(' ');
    if inner.is_empty() {
        return Some(Node::Seq(Vec::new()));
    }
    inner
        .split(',')
        .map(flow_item)
        .collect::<Option<_>>()
        .map(Node::Seq)
}

/// After a closing quote: nothing, or blanks then a comment.
fn trailer_ok(rest: &str) -> bool {
    let trimmed = rest.trim_start_matches(' ');
    trimmed.is_empty() || trimmed.starts_with('#') && trimmed.len() < rest.len()
}

/// What `serde_yaml` makes of a plain scalar, when this reader is sure of it; `None` when it
/// is not (the caller then gives up on the document).
fn resolve(text: &str) -> Option<Plain> {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Some(Plain::Null),
        "true" | "True" | "TRUE" => return Some(Plain::Bool(true)),
        "false" | "False" | "FALSE" => return Some(Plain::Bool(false)),
        _ => {}
    }
    let first = text.as_bytes()[0];
    // A letter other than those of inf, infinity and nan starts no number (the words above
    // are matched already): a string. This only skips the general steps below, which would
    // find the same.
    if first.is_ascii_alphabetic() && !matches!(first, b'i' | b'I' | b'n' | b'N') {
        return Some(Plain::Str);
    }
    let (negative, digits) = match text.strip_prefix('-') {
        Some(d) => (true, d),
        None => (false, text),
    };
    let (int, frac) = match memchr::memchr(b'.', digits.as_bytes()) {
        Some(i) => (&digits[..i], Some(&digits[i + 1..])),
        None => (digits, None),
    };
    let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let canonical_int = all_digits(int) && (int == "0" || !int.starts_with('0')) && int.len() <= 18;
    match frac {
        None if canonical_int => {
            let n: i64 = int.parse().ok()?;
            return Some(if negative {
                Plain::Negative(-n)
            } else {
                Plain::Unsigned(n as u64)
            });
        }
        Some(f) if canonical_int && all_digits(f) && f.len() <= 15 => {
            return text.parse::<f64>().ok().map(Plain::Float);
        }
        _ => {}
    }
    // Anything else a number parser might take (`+5`, `0x1F`, `1e3`, `.5`, `007`, `1_000`,
    // `inf`, `NaN`) is left to the general parser.
    // Rust's float parser (which `serde_yaml` falls back on) takes a sign, digits, a dot, or
    // the words inf, infinity and nan in any case: only such a start needs asking it.
    let unsigned = text.trim_start_matches(['-', '+']);
    let numeric_start = unsigned.starts_with(|c: char| c.is_ascii_digit() || c == '.');
    let float_word = unsigned.starts_with(['i', 'I', 'n', 'N']) && text.parse::<f64>().is_ok();
    if numeric_start || text.starts_with('+') || float_word {
        return None;
    }
    Some(Plain::Str)
}

impl Node<'_> {
    fn is_null(&self) -> bool {
        matches!(
            self,
            Node::Scalar {
                value: Plain::Null,
                ..
            }
        )
    }
}

impl<'de> IntoDeserializer<'de, Unread> for Node<'de> {
    type Deserializer = Node<'de>;
    fn into_deserializer(self) -> Node<'de> {
        self
    }
}

impl<'de> Deserializer<'de> for Node<'de> {
    type Error = Unread;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Unread> {
        match self {
            Node::Map(entries) => visitor.visit_map(MapDeserializer::new(entries.into_iter())),
            Node::Seq(items) => visitor.visit_seq(SeqDeserializer::new(items.into_iter())),
            Node::Scalar { text, value } => match value {
                Plain::Null => visitor.visit_unit(),
                Plain::Bool(b) => visitor.visit_bool(b),
                Plain::Unsigned(n) => visitor.visit_u64(n),
                Plain::Negative(n) => visitor.visit_i64(n),
                Plain::Float(f) => visitor.visit_f64(f),
                Plain::Str => visitor.visit_borrowed_str(text),
            },
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Unread> {
        if self.is_null() {
            visitor.visit_none()
        } else {
            visitor.visit_some(self)
        }
    }

    /// As `serde_yaml`: a string asked of any scalar is its text (`5`, `true` and `~` too).
    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Unread> {
        match self {
            Node::Scalar { text, .. } => visitor.visit_borrowed_str(text),
            other => other.deserialize_any(visitor),
        }
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Unread> {
        self.deserialize_str(visitor)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Unread> {
        match self {
            Node::Scalar { text, .. } => visitor.visit_enum(text.into_deserializer()),
            _ => Err(Unread),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Unread> {
        visitor.visit_newtype_struct(self)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char bytes byte_buf unit
        unit_struct seq tuple tuple_struct map struct identifier ignored_any
    }
}

#[cfg(test)]
mod tests;
