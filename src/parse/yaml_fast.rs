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
    let mut top: Vec<(&str, Node)> = Vec::new();
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
    let mut cr = false;
    for &b in text.as_bytes() {
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
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Both readers' `serde_yaml::Value` of `doc`, when the fast one takes it.
    fn both(doc: &str) -> Option<(serde_yaml::Value, Result<serde_yaml::Value, String>)> {
        let node = parse(doc)?;
        let fast = serde::Deserialize::deserialize(node).ok()?;
        let slow = serde_yaml::from_str::<serde_yaml::Value>(doc).map_err(|e| e.to_string());
        Some((fast, slow))
    }

    #[track_caller]
    fn agrees(doc: &str) {
        if let Some((fast, slow)) = both(doc) {
            assert_eq!(Ok(fast), slow, "{doc:?}");
        }
    }

    #[test]
    fn takes_front_matter_as_written_in_this_repository() {
        let doc = "incident_id: HM-2026-05-17-01\nprofile: standard\nscores: {spec: 5, implementation: 4}\nchecks:\n  backup_verified: true\nevidence:\n  spec: specs/x/specify.md # the spec\naudit_trace_coverage: 1.0\nbackup_verified: false\nrollback: \"Return it — the on-call owns it\"\nstateful:\n# done\n";
        let node = parse(doc).expect("inside the subset");
        let Node::Map(top) = &node else {
            panic!("a mapping")
        };
        assert_eq!(top.len(), 9);
        agrees(doc);
    }

    #[test]
    fn gives_up_outside_the_subset() {
        for doc in [
            "a: [1, [2]]",
            "a: [x, 'y']",
            "a: [x,]",
            "a: [x] y",
            "a: {b: {c: 1}}",
            "a: {b: [1]}",
            "a: {b: 'x, y'}",
            "a: {b: 1, b: 2}",
            "a: {b: 1,}",
            "a: {b:1}",
            "a: {b: 1} x",
            "a: {, b: 1}",
            "a: |\n  x",
            "a:\n- x",
            "- x",
            "a:\n  -",
            "a:\n  - ",
            "a:\n  - # c",
            "a:\n  -x",
            "a:\n  - - x",
            "a:\n  - x\n    y",
            "a:\n  - x\n  b: 1",
            "a:\n  - x\n    - y",
            "a:\n  - x\n - y",
            "a:\n  - b:\n      c: 1",
            "a:\n  - b: 1\n   c: 2",
            "a:\n  - b: 1\n     c: 2",
            "a:\n  - b: 1\n    b: 2",
            "a:\n  - b: 1\n    c:",
            "a:\n  - b c: 1",
            "a:\n  - \"b\": 1",
            "a:\n  - b: [1, [2]]",
            "a:\n  b:\n    - x",
            "a:\n  b: 1\n  - x",
            "a: &x 1\nb: *x",
            "a: !!int \"4\"",
            "a: 1\na: 2",
            "a:\n  b: 1\n  b: 2",
            "a:\n  b:\n    c: 1",
            "a:\n  b: 1\n   c: 2",
            "a: 0x1F",
            "a: 1e3",
            "a: .5",
            "a: 007",
            "a: +5",
            "a: inf",
            "a: NaN",
            "a: \"x\\ty\"",
            "a: 'it''s'",
            "a: \"x\" y",
            "a: x: y",
            "a: x:",
            "a:\tb",
            "a: b\rc: d",
            "\u{feff}a: b",
            "a: b\u{2028}c: d",
            "a: b\u{85}c",
            "---\na: b",
            "\"a\": b",
            "a : b",
            "<<: x",
            " a: b",
            "# only a comment",
            "a: 99999999999999999999",
            "true: 1",
            "Null: 1",
            "a: {false: 1}",
            "inf: 1",
        ] {
            assert_eq!(parse(doc), None, "took {doc:?}");
        }
    }

    #[test]
    fn resolves_scalars_as_serde_yaml_does() {
        for v in [
            "5",
            "0",
            "-5",
            "-0",
            "1.0",
            "0.25",
            "-1.5",
            "true",
            "True",
            "TRUE",
            "false",
            "~",
            "null",
            "Null",
            "NULL",
            "yes",
            "no",
            "on",
            "off",
            "y",
            "n",
            "pod",
            "'5'",
            "\"true\"",
            "\"\"",
            "''",
            "specs/x.md",
            "a#b",
            "a #b",
            "x # c",
            "'q' # c",
            "é—ü",
            "[x] y",
            "a,b",
            "-x",
            "x-",
            "1.2.3",
            "a: b",
            "N/A",
            "TODO",
            "infinity",
            "Infinity",
        ] {
            agrees(&format!("k: {v}\n"));
            agrees(&format!("top:\n  k: {v}\n"));
            agrees(&format!("top: {{k: {v}, z: 1}}\n"));
            agrees(&format!("top: [{v}, z]\n"));
        }
    }

    fn value() -> impl Strategy<Value = String> {
        prop_oneof![
            Just(String::new()),
            prop::sample::select(vec![
                "5",
                "0",
                "05",
                "-3",
                "+3",
                "1.0",
                "1.",
                ".5",
                "1e3",
                "0x10",
                "0o7",
                "0b1",
                "1_0",
                "true",
                "False",
                "TRUE",
                "yes",
                "No",
                "~",
                "null",
                "NULL",
                "nan",
                "inf",
                "-.inf",
                ".NaN",
                "pod",
                "a b",
                "a:b",
                "a: b",
                "a #c",
                "a#c",
                "#c",
                "'x'",
                "'x' #c",
                "\"x\"",
                "\"x\" #c",
                "\"a\\nb\"",
                "'it''s'",
                "[a]",
                "{a: 1}",
                "&a x",
                "*a",
                "!t x",
                "|",
                ">",
                "@x",
                "`x`",
                "%x",
                "-",
                "- x",
                "-x",
                "?",
                "x:",
                "é",
                "—",
                "a\u{a0}b",
                "2026-11-25",
                "12:30",
                "1:2",
            ])
            .prop_map(str::to_string),
            "[ -~]{0,12}",
            prop::collection::vec("[ -~]{0,6}", 0..4).prop_map(|v| format!("[{}]", v.join(", "))),
            prop::collection::vec(("[a-c_]{1,2}", "[ -~]{0,6}"), 0..4).prop_map(|kv| {
                let inner: Vec<String> = kv.iter().map(|(k, v)| format!("{k}: {v}")).collect();
                format!("{{{}}}", inner.join(", "))
            }),
        ]
    }

    fn line() -> impl Strategy<Value = String> {
        // Keys YAML reads as something else than a string are rarer than plain ones.
        let key = prop_oneof![
            6 => prop::sample::select(vec!["a", "b", "spec", "scores", "_x", "x1", "y"]),
            1 => prop::sample::select(vec!["a-b", "true", "NULL", "nan"]),
        ];
        (0usize..4, key, value(), any::<bool>()).prop_map(|(indent, k, v, comment)| {
            let pad = [0, 0, 2, 4][indent];
            let c = if comment { " # note" } else { "" };
            if v.is_empty() {
                format!("{:pad$}{k}:{c}", "")
            } else {
                format!("{:pad$}{k}: {v}{c}", "")
            }
        })
    }

    /// Values mostly inside the subset, so that whole sequences reach the fast reader.
    fn item_value() -> impl Strategy<Value = String> {
        prop_oneof![
            3 => prop::sample::select(vec![
                "restart_pod", "x", "5", "-1", "1.5", "true", "~", "a b", "[a, b]", "[]",
                "{a: 1}", "'q'", "\"d\"", "a:b", "x # c", "http://h/p",
            ])
            .prop_map(str::to_string),
            1 => value(),
        ]
    }

    /// A top-level `key: value` line around the sequence.
    fn top_line() -> impl Strategy<Value = String> {
        (
            prop::sample::select(vec!["b", "spec", "z", "a"]),
            item_value(),
        )
            .prop_map(|(k, v)| format!("{k}: {v}"))
    }

    /// One sequence item: a scalar, or a mapping of `key: value` entries.
    fn seq_item() -> impl Strategy<Value = Result<String, Vec<(&'static str, String)>>> {
        let key = prop_oneof![
            8 => prop::sample::select(vec!["name", "requires", "a", "b"]),
            1 => prop::sample::select(vec!["true", "a b", "-", "\"k\""]),
        ];
        prop_oneof![
            item_value().prop_map(Ok),
            prop::collection::vec((key, item_value()), 1..4).prop_map(Err),
        ]
    }

    /// A top-level key followed by a block sequence, written mostly right, sometimes with a
    /// line off by a column or two, another dash, an empty value, or a comment in between.
    fn seq_document() -> impl Strategy<Value = String> {
        let wobble = prop_oneof![24 => Just(0isize), 1 => Just(-1), 1 => Just(1), 1 => Just(-2), 1 => Just(2)];
        let dash = prop_oneof![
            24 => Just("- "),
            1 => prop::sample::select(vec!["-  ", "-", "- - ", "-\t"]),
        ];
        (
            prop::collection::vec(top_line(), 0..2),
            prop::sample::select(vec!["actions:", "a:", "a: # c"]),
            prop::sample::select(vec![2usize, 2, 4, 0, 1]),
            prop::collection::vec(seq_item(), 1..4),
            prop::collection::vec(wobble, 12),
            prop::collection::vec(dash, 4),
            prop::sample::select(vec!["", "    # c", "", "#", "", "  x:"]),
            prop::collection::vec(top_line(), 0..2),
            any::<bool>(),
        )
            .prop_map(
                |(before, key, indent, items, wobble, dashes, extra, after, crlf)| {
                    let mut lines = before;
                    lines.push(key.to_string());
                    let mut w = wobble.iter().cycle();
                    let mut pad = |base: usize| {
                        let n = base as isize + w.next().copied().unwrap_or(0);
                        " ".repeat(n.max(0) as usize)
                    };
                    for (i, item) in items.iter().enumerate() {
                        let dash = dashes[i % dashes.len()];
                        match item {
                            Ok(v) => lines.push(format!("{}{dash}{v}", pad(indent))),
                            Err(entries) => {
                                let (k, v) = &entries[0];
                                lines.push(format!("{}{dash}{k}: {v}", pad(indent)));
                                for (k, v) in &entries[1..] {
                                    lines.push(format!("{}{k}: {v}", pad(indent + dash.len())));
                                }
                            }
                        }
                        if i == 0 && !extra.is_empty() {
                            lines.push(extra.to_string());
                        }
                    }
                    lines.extend(after);
                    lines.join(if crlf { "\r\n" } else { "\n" })
                },
            )
    }

    /// The sequence comparison means something only if the fast reader takes a fair share of
    /// the generated documents that hold a block sequence.
    #[test]
    fn the_sequence_generator_reaches_the_fast_reader() {
        use proptest::strategy::ValueTree;
        let mut runner = proptest::test_runner::TestRunner::deterministic();
        let strategy = seq_document();
        let (mut taken, mut with_maps) = (0, 0);
        for _ in 0..2000 {
            let doc = strategy.new_tree(&mut runner).unwrap().current();
            if both(&doc).is_some() && doc.lines().any(|l| l.trim_start().starts_with("- ")) {
                taken += 1;
                with_maps += usize::from(doc.lines().any(|l| {
                    let t = l.trim_start();
                    t.starts_with("- ") && t.contains(": ")
                }));
            }
        }
        assert!(
            taken >= 200,
            "only {taken} of 2000 sequence documents taken"
        );
        assert!(
            with_maps >= 100,
            "only {with_maps} taken with an item mapping"
        );
    }

    #[test]
    fn takes_block_sequences_of_scalars_and_compact_mappings() {
        let doc = "actions:\n  - name: warm_cache # first\n    requires: [snapshot_fresh]\n\n  # between\n  - restart\n  -   name: x\n      requires: a, b\nnext: 1\n";
        let Some(Node::Map(top)) = parse(doc) else {
            panic!("inside the subset")
        };
        let Node::Seq(items) = &top[0].1 else {
            panic!("a sequence")
        };
        assert_eq!(items.len(), 3);
        assert!(matches!(&items[0], Node::Map(e) if e.len() == 2));
        assert!(matches!(&items[2], Node::Map(e) if e[1].0 == "requires"));
        agrees(doc);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]
        /// Whatever the fast reader takes of a document with block sequences, `serde_yaml`
        /// reads the same.
        #[test]
        fn block_sequences_read_as_serde_yaml_reads_them(doc in seq_document()) {
            if let Some((fast, slow)) = both(&doc) {
                prop_assert_eq!(Ok(fast), slow, "{:?}", doc);
            }
        }
    }

    fn document() -> impl Strategy<Value = String> {
        (
            prop::collection::vec(
                prop_oneof![line(), Just(String::new()), Just("# c".to_string())],
                1..8,
            ),
            any::<bool>(),
        )
            .prop_map(|(lines, crlf)| lines.join(if crlf { "\r\n" } else { "\n" }))
    }

    /// The comparison below means something only if the fast reader takes a fair share of
    /// the generated documents.
    #[test]
    fn the_generator_reaches_the_fast_reader() {
        use proptest::strategy::ValueTree;
        let mut runner = proptest::test_runner::TestRunner::deterministic();
        let strategy = document();
        let taken = (0..2000)
            .filter(|_| {
                let doc = strategy.new_tree(&mut runner).unwrap().current();
                both(&doc).is_some()
            })
            .count();
        assert!(
            taken >= 200,
            "only {taken} of 2000 generated documents taken"
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]
        /// Whatever the fast reader takes, `serde_yaml` reads the same.
        #[test]
        fn the_fast_reader_agrees_with_serde_yaml(doc in document()) {
            if let Some((fast, slow)) = both(&doc) {
                prop_assert_eq!(Ok(fast), slow, "{:?}", doc);
            }
        }
    }
}
