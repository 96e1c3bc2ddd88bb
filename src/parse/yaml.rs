//! Shared YAML/JSON entry points that turn parser errors into positioned input errors.

use crate::error::Error;
use serde::Deserialize;
use serde::de::DeserializeOwned;

/// Deserializes YAML, mapping errors to `file:line:col` where `line_offset` lines precede the
/// text in the file (front matter starts after its `---` line).
pub fn from_yaml<T: DeserializeOwned>(
    file: &str,
    text: &str,
    line_offset: u32,
) -> Result<T, Error> {
    guard(file, text, line_offset)?;
    // The common shapes first: read by the fast reader and taken only when the typed value
    // comes out of it whole (see `yaml_fast`); anything else, and every error, is the
    // general parser's.
    if let Some(node) = super::yaml_fast::parse(text)
        && let Ok(value) = T::deserialize(node)
    {
        return Ok(value);
    }
    general(file, text, line_offset)
}

/// For the fuzz invariants: when the fast reader takes `text`, the generic YAML value it gives
/// is the one `serde_yaml` gives. `Err` describes a disagreement.
#[doc(hidden)]
pub fn fast_reader_agrees(text: &str) -> Result<(), String> {
    let Some(node) = super::yaml_fast::parse(text) else {
        return Ok(());
    };
    let Ok(fast) = serde_yaml::Value::deserialize(node) else {
        return Ok(());
    };
    match serde_yaml::from_str::<serde_yaml::Value>(text) {
        Ok(general) if general == fast => Ok(()),
        other => Err(format!(
            "fast YAML reader gives {fast:?}, serde_yaml {other:?}, for {text:?}"
        )),
    }
}

/// [`from_yaml`] without the fast reader: the reference it is tested against.
pub(crate) fn from_yaml_general<T: DeserializeOwned>(
    file: &str,
    text: &str,
    line_offset: u32,
) -> Result<T, Error> {
    guard(file, text, line_offset)?;
    general(file, text, line_offset)
}

/// The general parser (serde_yaml), after the guard.
fn general<T: DeserializeOwned>(file: &str, text: &str, line_offset: u32) -> Result<T, Error> {
    if let Err(e) = Unique::deserialize(serde_yaml::Deserializer::from_str(text)) {
        // Only a duplicate is reported here; any other problem is reported below, by the
        // pass that knows the expected shape.
        if e.to_string().contains(DUPLICATE) {
            return Err(yaml_error(file, text, &e, line_offset));
        }
    }
    serde_path_to_error::deserialize(serde_yaml::Deserializer::from_str(text)).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        // serde_yaml places errors raised by a value's own validation at the enclosing
        // mapping; the path serde walked finds the value itself.
        match at_path(text, &path) {
            Some((line, col)) => Error::input(
                file,
                line + line_offset,
                col,
                strip_position(&inner.to_string()),
            ),
            None => yaml_error(file, text, &inner, line_offset),
        }
    })
}

/// Line and column of the value at a serde path such as `scores.security` or `evidence.spec[1]`.
fn at_path(text: &str, path: &str) -> Option<(u32, u32)> {
    if path.is_empty() || path == "." {
        return None;
    }
    let keys: Vec<&str> = path
        .split('.')
        .map(|k| k.split('[').next().unwrap_or(k))
        .filter(|k| !k.is_empty() && *k != "?")
        .collect();
    let off = super::locate::value_offset(text, &keys)?;
    Some(crate::span::LineIndex::new(text).position(text, off))
}

pub fn yaml_error(file: &str, text: &str, e: &serde_yaml::Error, line_offset: u32) -> Error {
    let (line, col) = e
        .location()
        .map(|l| (l.line() as u32, l.column() as u32))
        .unwrap_or((1, 1));
    // libyaml counts a lone CR (and NEL, LS, PS) as a line break and places an error at the
    // end of the input one line past the last: never name a line the file does not have.
    let lines = text.bytes().filter(|&b| b == b'\n').count() as u32 + 1;
    let (line, col) = if line > lines {
        (lines, 1)
    } else {
        (line, col)
    };
    Error::input(
        file,
        line + line_offset,
        col,
        strip_position(&e.to_string()),
    )
}

pub fn from_json<T: DeserializeOwned>(file: &str, text: &str) -> Result<T, Error> {
    let mut de = serde_json::Deserializer::from_str(text);
    if let Err(e) = Unique::deserialize(&mut de)
        && e.to_string().contains(DUPLICATE)
    {
        return Err(Error::input(
            file,
            e.line() as u32,
            e.column() as u32,
            strip_position(&e.to_string()),
        ));
    }
    let mut de = serde_json::Deserializer::from_str(text);
    let value: std::result::Result<T, (String, serde_json::Error)> =
        serde_path_to_error::deserialize(&mut de)
            .map_err(|e| (e.path().to_string(), e.into_inner()));
    let value = value.and_then(|v| de.end().map(|()| v).map_err(|e| (String::new(), e)));
    value.map_err(|(path, inner)| {
        let (line, col) = match inner.classify() {
            serde_json::error::Category::Data => at_path(text, &path),
            _ => None,
        }
        .unwrap_or((inner.line() as u32, inner.column() as u32));
        Error::input(file, line, col, strip_position(&inner.to_string()))
    })
}

/// Largest YAML text parsed (front matter, a YAML readiness document, the config): the parser
/// holds every event of a document in memory (about 130 bytes each), so a 4 MiB document of
/// one-character items costs hundreds of MiB.
pub const MAX_YAML_BYTES: usize = 1024 * 1024;
/// Deepest flow nesting (`[` / `{`) accepted: the deserializer refuses more than 128 levels
/// anyway, and the parser's cost grows with the depth times the number of tokens.
pub const MAX_FLOW_DEPTH: usize = 128;
/// Most flow collections in one YAML text. Counted on the raw text (brackets in strings and
/// comments included), so a `]` hidden in a string cannot make a deep nesting look shallow.
pub const MAX_FLOW_OPENERS: usize = 1024;

/// Refuses, before parsing, YAML whose parsing alone would cost too much time or memory.
fn guard(file: &str, text: &str, line_offset: u32) -> Result<(), Error> {
    let at = |off: usize, msg: String| {
        let (line, col) = crate::span::LineIndex::new(text).position(text, off);
        Error::input(file, line + line_offset, col, msg)
    };
    if text.len() > MAX_YAML_BYTES {
        return Err(at(
            0,
            format!(
                "YAML block is {} bytes, above the limit of {MAX_YAML_BYTES} bytes for YAML",
                text.len()
            ),
        ));
    }
    let (mut depth, mut openers) = (0usize, 0usize);
    // Brackets are few: only the 16-byte chunks holding one are read byte by byte (`b | 0x20`
    // is `{` for `[` and `{` alone, `}` for `]` and `}` alone).
    let bytes = text.as_bytes();
    let bracket = |b: u8| matches!(b | 0x20, b'{' | b'}');
    for (c, chunk) in bytes.chunks(16).enumerate() {
        if !chunk.iter().fold(false, |any, &b| any | bracket(b)) {
            continue;
        }
        for (j, &b) in chunk.iter().enumerate() {
            let i = c * 16 + j;
            match b {
                b'[' | b'{' => {
                    depth += 1;
                    openers += 1;
                    if depth > MAX_FLOW_DEPTH {
                        return Err(at(
                            i,
                            format!(
                                "YAML nested more than {MAX_FLOW_DEPTH} levels deep (`[` / `{{`): refused before parsing"
                            ),
                        ));
                    }
                    if openers > MAX_FLOW_OPENERS {
                        return Err(at(
                            i,
                            format!(
                                "YAML has more than {MAX_FLOW_OPENERS} `[` / `{{`: refused before parsing"
                            ),
                        ));
                    }
                }
                b']' | b'}' => depth = depth.saturating_sub(1),
                _ => {}
            }
        }
    }
    Ok(())
}

const DUPLICATE: &str = "duplicate field";

/// Any YAML or JSON value, checked for keys that appear twice in one mapping: serde keeps the
/// last of two equal keys in a map (and a struct reports only its own fields), so a second
/// `implementation:` under `evidence:` would silently replace the first.
struct Unique;

impl<'de> serde::Deserialize<'de> for Unique {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(UniqueVisitor)
    }
}

struct UniqueVisitor;

/// A mapping key, as text (scalars only; a complex key is never equal to another here).
struct Key(Option<String>);

impl<'de> serde::Deserialize<'de> for Key {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Key;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a key")
            }
            fn visit_str<E>(self, v: &str) -> Result<Key, E> {
                Ok(Key(Some(v.to_string())))
            }
            fn visit_bool<E>(self, v: bool) -> Result<Key, E> {
                Ok(Key(Some(v.to_string())))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Key, E> {
                Ok(Key(Some(v.to_string())))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Key, E> {
                Ok(Key(Some(v.to_string())))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Key, E> {
                Ok(Key(Some(v.to_string())))
            }
            fn visit_unit<E>(self) -> Result<Key, E> {
                Ok(Key(Some("null".into())))
            }
            fn visit_none<E>(self) -> Result<Key, E> {
                Ok(Key(Some("null".into())))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, a: A) -> Result<Key, A::Error> {
                UniqueVisitor.visit_seq(a).map(|_| Key(None))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, a: A) -> Result<Key, A::Error> {
                UniqueVisitor.visit_map(a).map(|_| Key(None))
            }
            fn visit_enum<A: serde::de::EnumAccess<'de>>(self, a: A) -> Result<Key, A::Error> {
                UniqueVisitor.visit_enum(a).map(|_| Key(None))
            }
        }
        d.deserialize_any(V)
    }
}

impl<'de> serde::de::Visitor<'de> for UniqueVisitor {
    type Value = Unique;
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("any value")
    }
    fn visit_bool<E>(self, _: bool) -> Result<Unique, E> {
        Ok(Unique)
    }
    fn visit_i64<E>(self, _: i64) -> Result<Unique, E> {
        Ok(Unique)
    }
    fn visit_u64<E>(self, _: u64) -> Result<Unique, E> {
        Ok(Unique)
    }
    fn visit_f64<E>(self, _: f64) -> Result<Unique, E> {
        Ok(Unique)
    }
    fn visit_str<E>(self, _: &str) -> Result<Unique, E> {
        Ok(Unique)
    }
    fn visit_unit<E>(self) -> Result<Unique, E> {
        Ok(Unique)
    }
    fn visit_none<E>(self) -> Result<Unique, E> {
        Ok(Unique)
    }
    fn visit_some<D: serde::Deserializer<'de>>(self, d: D) -> Result<Unique, D::Error> {
        Unique::deserialize(d)
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut a: A) -> Result<Unique, A::Error> {
        while a.next_element::<Unique>()?.is_some() {}
        Ok(Unique)
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut a: A) -> Result<Unique, A::Error> {
        let mut seen = std::collections::HashSet::new();
        while let Some(Key(k)) = a.next_key::<Key>()? {
            if let Some(k) = k
                && !seen.insert(k.clone())
            {
                return Err(serde::de::Error::custom(format!(
                    "{DUPLICATE} `{k}`: a key may appear once in a mapping (a second one would silently replace the first)"
                )));
            }
            a.next_value::<Unique>()?;
        }
        Ok(Unique)
    }
    fn visit_enum<A: serde::de::EnumAccess<'de>>(self, a: A) -> Result<Unique, A::Error> {
        use serde::de::VariantAccess;
        // A tagged YAML value (`!tag value`): the value under the tag is checked.
        let (_, v) = a.variant::<serde::de::IgnoredAny>()?;
        v.newtype_variant::<Unique>()
    }
}

/// serde's messages end in " at line L column C"; the position is printed separately.
fn strip_position(msg: &str) -> String {
    match msg.rfind(" at line ") {
        Some(i) if msg[i..].contains(" column ") => msg[..i].to_string(),
        _ => msg.to_string(),
    }
}

/// True when a YAML text has nothing but blank lines and comments.
pub fn is_blank_yaml(text: &str) -> bool {
    text.lines().all(|l| {
        let t = l.trim();
        t.is_empty() || t.starts_with('#') || t == "---" || t == "..."
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// `guard`'s bracket count as it was before the chunks: every byte looked at.
    fn guard_by_bytes(text: &str) -> Result<(), (usize, bool)> {
        let (mut depth, mut openers) = (0usize, 0usize);
        for (i, b) in text.bytes().enumerate() {
            match b {
                b'[' | b'{' => {
                    depth += 1;
                    openers += 1;
                    if depth > MAX_FLOW_DEPTH {
                        return Err((i, true));
                    }
                    if openers > MAX_FLOW_OPENERS {
                        return Err((i, false));
                    }
                }
                b']' | b'}' => depth = depth.saturating_sub(1),
                _ => {}
            }
        }
        Ok(())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]
        /// The chunked scan refuses what the byte scan refuses, at the same place.
        #[test]
        fn guard_agrees_with_the_byte_scan(parts in prop::collection::vec(prop_oneof![
            3 => prop::sample::select(vec!["[", "{", "]", "}", "a", "\n", "é", "ab cd ef", "{[", "]}", "[[[[", "\u{7b}\u{5b}"]).prop_map(str::to_string),
            1 => (1usize..140).prop_map(|n| "[".repeat(n)),
            1 => (1usize..40).prop_map(|n| "x".repeat(n)),
        ], 0..200)) {
            let text = parts.concat();
            let expected = guard_by_bytes(&text).map_err(|(i, deep)| {
                let (line, col) = crate::span::LineIndex::new(&text).position(&text, i);
                (line + 2, col, deep)
            });
            let got = guard("f.yaml", &text, 2).map_err(|e| match e {
                Error::Input { line, col, message, .. } => (line, col, message.contains("deep")),
                other => panic!("{other:?}"),
            });
            prop_assert_eq!(got, expected, "{:?}", text);
        }
    }

    #[test]
    fn strips_serde_position_suffix() {
        assert_eq!(
            strip_position("missing field `x` at line 3 column 1"),
            "missing field `x`"
        );
        assert_eq!(strip_position("plain"), "plain");
    }
}
