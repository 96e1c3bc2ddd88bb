//! Shared YAML/JSON entry points that turn parser errors into positioned input errors.

use crate::error::Error;
use serde::de::DeserializeOwned;

/// Deserializes YAML, mapping errors to `file:line:col` where `line_offset` lines precede the
/// text in the file (front matter starts after its `---` line).
pub fn from_yaml<T: DeserializeOwned>(
    file: &str,
    text: &str,
    line_offset: u32,
) -> Result<T, Error> {
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
            None => yaml_error(file, &inner, line_offset),
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

pub fn yaml_error(file: &str, e: &serde_yaml::Error, line_offset: u32) -> Error {
    let (line, col) = e
        .location()
        .map(|l| (l.line() as u32, l.column() as u32))
        .unwrap_or((1, 1));
    Error::input(
        file,
        line + line_offset,
        col,
        strip_position(&e.to_string()),
    )
}

pub fn from_json<T: DeserializeOwned>(file: &str, text: &str) -> Result<T, Error> {
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

    #[test]
    fn strips_serde_position_suffix() {
        assert_eq!(
            strip_position("missing field `x` at line 3 column 1"),
            "missing field `x`"
        );
        assert_eq!(strip_position("plain"), "plain");
    }
}
