//! A fast path for the YAML sddgate reads most: the front matter of readiness documents and
//! specs, a block mapping of `key: scalar` lines with at most one level of nested mappings
//! (`scores:`, `evidence:`), and one-line flow mappings and sequences of plain scalars
//! (`{spec: 5, process: 4}`, `[a.md, b.md]`).
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
//! scalars inside them, block scalars, block sequences,
//! anchors, aliases, tags, directives, document markers, quoted keys, escapes in quoted
//! scalars, multi-line scalars, duplicate keys, deeper nesting, and characters YAML treats
//! as line breaks or refuses (NEL, U+2028, U+2029, a BOM, control characters).

use serde::de::value::{Error as DeError, MapDeserializer, SeqDeserializer};
use serde::de::{self, Deserializer, IntoDeserializer, Visitor};

/// A value of the subset.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Node {
    /// A scalar: its text, and whether it was written plain (unquoted).
    Scalar { text: String, plain: bool },
    /// A block mapping, in document order, keys unique.
    Map(Vec<(String, Node)>),
    /// A one-line flow sequence of plain scalars (`[a.md, b.md]`).
    Seq(Vec<Node>),
}

/// What a plain scalar means.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Plain {
    Null,
    Bool(bool),
    Unsigned(u64),
    Negative(i64),
    Float(f64),
    Str,
}

/// A mapping being read: its key, its entries' indentation once known, and its entries.
type Nested = (String, Option<usize>, Vec<(String, Node)>);

/// Reads `text` if it is inside the subset; `None` otherwise.
pub(crate) fn parse(text: &str) -> Option<Node> {
    if !text.chars().all(allowed) {
        return None;
    }
    let mut top: Vec<(String, Node)> = Vec::new();
    let mut nested: Option<Nested> = None;
    for raw in text.split('\n') {
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        if line.contains('\r') {
            return None; // a lone CR is a line break to YAML
        }
        let body = line.trim_start_matches(' ');
        if body.is_empty() || body.starts_with('#') {
            continue;
        }
        let indent = line.len() - body.len();
        let (key, value) = entry(body)?;
        if indent == 0 {
            if let Some((k, _, entries)) = nested.take() {
                push(&mut top, k, close(entries))?;
            }
            match value {
                Some(v) => push(&mut top, key.to_string(), v)?,
                None => nested = Some((key.to_string(), None, Vec::new())),
            }
        } else {
            let (_, level, entries) = nested.as_mut()?;
            if *level.get_or_insert(indent) != indent {
                return None;
            }
            // A key without a value inside the nested mapping would open a deeper one.
            push(entries, key.to_string(), value?)?;
        }
    }
    if let Some((k, _, entries)) = nested.take() {
        push(&mut top, k, close(entries))?;
    }
    (!top.is_empty()).then_some(Node::Map(top))
}

/// Characters the subset takes: printable ASCII, the newline and CR, and the printable
/// non-ASCII characters YAML allows, without the ones it treats as line breaks or as a BOM.
fn allowed(c: char) -> bool {
    matches!(c, '\n' | '\r' | ' '..='~')
        || matches!(c as u32, 0xA0..=0xD7FF | 0xE000..=0xFFFD | 0x10000..=0x10FFFF)
            && !matches!(c, '\u{2028}' | '\u{2029}' | '\u{FEFF}')
}

/// A nested mapping with no entries is a null value, as `key:` followed by comments is.
fn close(entries: Vec<(String, Node)>) -> Node {
    if entries.is_empty() {
        Node::Scalar {
            text: String::new(),
            plain: true,
        }
    } else {
        Node::Map(entries)
    }
}

fn push(entries: &mut Vec<(String, Node)>, key: String, value: Node) -> Option<()> {
    if entries.iter().any(|(k, _)| *k == key) {
        return None; // the general parser reports the duplicate
    }
    entries.push((key, value));
    Some(())
}

/// `key: value` or `key:`: the key and the value (`None` when nothing follows the colon).
fn entry(body: &str) -> Option<(&str, Option<Node>)> {
    let colon = body.find(':')?;
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
    let mut chars = key.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && resolve(key) == Some(Plain::Str)
}

/// One scalar, or a one-line flow mapping of scalars (`{spec: 5, process: 4}`), on the rest
/// of a line, with an optional trailing comment.
fn scalar(value: &str) -> Option<Node> {
    if value.starts_with('{') {
        return flow_map(value);
    }
    if value.starts_with('[') {
        return flow_seq(value);
    }
    let quote = value.chars().next()?;
    if quote == '"' || quote == '\'' {
        let inner = &value[1..];
        let end = inner.find(quote)?;
        let text = &inner[..end];
        if quote == '"' && text.contains('\\') {
            return None; // escapes
        }
        if !trailer_ok(&inner[end + 1..]) {
            return None; // `''` inside single quotes, or text after the closing quote
        }
        return Some(Node::Scalar {
            text: text.to_string(),
            plain: false,
        });
    }
    // A comment starts at ` #`; the scalar is what precedes it.
    let text = match value.find(" #") {
        Some(at) => &value[..at],
        None => value,
    }
    .trim_end_matches(' ');
    let starts_safely = !text.starts_with([
        '-', '?', ':', ',', '[', ']', '{', '}', '#', '&', '*', '!', '|', '>', '\'', '"', '%', '@',
        '`',
    ]) || text.starts_with('-')
        && text[1..].starts_with(|c: char| c.is_ascii_digit());
    if text.is_empty() || !starts_safely || text.contains(": ") || text.ends_with(':') {
        return None;
    }
    resolve(text)?;
    Some(Node::Scalar {
        text: text.to_string(),
        plain: true,
    })
}

/// `{key: scalar, …}` on one line: plain keys, scalars without flow indicators or quotes
/// (their rules differ inside a flow collection), no nesting, no empty entries.
fn flow_map(value: &str) -> Option<Node> {
    let close = value.find('}')?;
    if !trailer_ok(&value[close + 1..]) {
        return None;
    }
    let inner = value[1..close].trim_matches(' ');
    let mut entries = Vec::new();
    if inner.is_empty() {
        return Some(Node::Map(entries));
    }
    for part in inner.split(',') {
        let (key, value) = part.trim_matches(' ').split_once(": ")?;
        if !is_key(key) {
            return None;
        }
        push(&mut entries, key.to_string(), flow_item(value)?)?;
    }
    Some(Node::Map(entries))
}

/// The plain scalar of one entry of a one-line flow collection: no flow indicators, quotes or
/// comments inside (their rules differ there).
fn flow_item(part: &str) -> Option<Node> {
    let part = part.trim_matches(' ');
    if part.contains(['[', ']', '{', '}', '#', '\'', '"']) {
        return None;
    }
    match scalar(part)? {
        plain @ Node::Scalar { plain: true, .. } => Some(plain),
        _ => None,
    }
}

/// `[scalar, …]` on one line.
fn flow_seq(value: &str) -> Option<Node> {
    let close = value.find(']')?;
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
    let (negative, digits) = match text.strip_prefix('-') {
        Some(d) => (true, d),
        None => (false, text),
    };
    let (int, frac) = match digits.split_once('.') {
        Some((i, f)) => (i, Some(f)),
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

impl Node {
    fn is_null(&self) -> bool {
        matches!(self, Node::Scalar { text, plain: true } if resolve(text) == Some(Plain::Null))
    }
}

impl<'de> IntoDeserializer<'de, DeError> for Node {
    type Deserializer = Node;
    fn into_deserializer(self) -> Node {
        self
    }
}

impl<'de> Deserializer<'de> for Node {
    type Error = DeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match self {
            Node::Map(entries) => visitor.visit_map(MapDeserializer::new(entries.into_iter())),
            Node::Seq(items) => visitor.visit_seq(SeqDeserializer::new(items.into_iter())),
            Node::Scalar { text, plain: false } => visitor.visit_string(text),
            Node::Scalar { text, plain: true } => match resolve(&text) {
                Some(Plain::Null) => visitor.visit_unit(),
                Some(Plain::Bool(b)) => visitor.visit_bool(b),
                Some(Plain::Unsigned(n)) => visitor.visit_u64(n),
                Some(Plain::Negative(n)) => visitor.visit_i64(n),
                Some(Plain::Float(f)) => visitor.visit_f64(f),
                Some(Plain::Str) => visitor.visit_string(text),
                None => Err(de::Error::custom("outside the fast YAML subset")),
            },
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        if self.is_null() {
            visitor.visit_none()
        } else {
            visitor.visit_some(self)
        }
    }

    /// As `serde_yaml`: a string asked of any scalar is its text (`5`, `true` and `~` too).
    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match self {
            Node::Scalar { text, .. } => visitor.visit_string(text),
            other => other.deserialize_any(visitor),
        }
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_str(visitor)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        match self {
            Node::Scalar { text, .. } => visitor.visit_enum(text.into_deserializer()),
            _ => Err(de::Error::custom("outside the fast YAML subset")),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, DeError> {
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
            "a:\n  - x",
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
