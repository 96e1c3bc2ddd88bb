//! YAML front matter: the `---` fenced block at the very top of a Markdown file.

/// The front matter of a Markdown file, if any.
#[derive(Debug, Clone, PartialEq)]
pub struct FrontMatter<'a> {
    /// The YAML text between the fences.
    pub yaml: &'a str,
    /// How many lines precede the YAML text (the opening fence, a BOM-only line never counts).
    pub line_offset: u32,
    /// Byte offset where the Markdown body starts.
    pub body_start: usize,
}

/// Splits off front matter. A file that opens with `---` but never closes it is an error.
pub fn split(text: &str) -> Result<Option<FrontMatter<'_>>, String> {
    let start = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let rest = &text[start..];
    let first_end = rest.find('\n').unwrap_or(rest.len());
    if rest[..first_end].trim_end() != "---" {
        return Ok(None);
    }
    let yaml_start = start + first_end + 1;
    if yaml_start > text.len() {
        return Err("front matter opened with `---` is never closed".into());
    }
    // Line by line (each with its `\n`), found by memchr.
    let mut pos = yaml_start;
    while pos < text.len() {
        let end =
            memchr::memchr(b'\n', &text.as_bytes()[pos..]).map_or(text.len(), |i| pos + i + 1);
        let line = &text[pos..end];
        // Only a line that starts with a fence can be one once its end is trimmed.
        if line.starts_with("---") || line.starts_with("...") {
            let t = line.trim_end();
            if t == "---" || t == "..." {
                return Ok(Some(FrontMatter {
                    yaml: &text[yaml_start..pos],
                    line_offset: 1,
                    body_start: end,
                }));
            }
        }
        pos = end;
    }
    Err("front matter opened with `---` is never closed by a `---` line".into())
}

/// [`split`] as first written (lines by `split_inclusive`): the reference of its tests.
#[cfg(test)]
fn split_by_lines(text: &str) -> Result<Option<FrontMatter<'_>>, String> {
    let start = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let rest = &text[start..];
    let first_end = rest.find('\n').unwrap_or(rest.len());
    if rest[..first_end].trim_end() != "---" {
        return Ok(None);
    }
    let yaml_start = start + first_end + 1;
    if yaml_start > text.len() {
        return Err("front matter opened with `---` is never closed".into());
    }
    let mut pos = yaml_start;
    for line in text[yaml_start..].split_inclusive('\n') {
        if !(line.starts_with("---") || line.starts_with("...")) {
            pos += line.len();
            continue;
        }
        let t = line.trim_end();
        if t == "---" || t == "..." {
            return Ok(Some(FrontMatter {
                yaml: &text[yaml_start..pos],
                line_offset: 1,
                body_start: pos + line.len(),
            }));
        }
        pos += line.len();
    }
    Err("front matter opened with `---` is never closed by a `---` line".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_front_matter() {
        let t = "---\na: 1\n---\n# Title\n";
        let fm = split(t).unwrap().unwrap();
        assert_eq!(fm.yaml, "a: 1\n");
        assert_eq!(&t[fm.body_start..], "# Title\n");
    }

    #[test]
    fn none_without_fence_and_error_when_unclosed() {
        assert_eq!(split("# Title\n---\n").unwrap(), None);
        assert!(split("---\na: 1\n").is_err());
    }

    proptest::proptest! {
        #[test]
        fn lines_found_by_memchr_split_as_before(pieces in proptest::collection::vec(
            proptest::sample::select(vec![
                "---", "...", "\n", "\r\n", " ", "\t", "a: 1", "-", ".", "\u{feff}", "\u{85}", "\u{2028}",
            ]),
            0..14,
        )) {
            let text = pieces.concat();
            proptest::prop_assert_eq!(split(&text), split_by_lines(&text));
        }
    }

    #[test]
    fn bom_and_crlf() {
        let t = "\u{feff}---\r\na: 1\r\n---\r\nbody";
        let fm = split(t).unwrap().unwrap();
        assert_eq!(fm.yaml, "a: 1\r\n");
        assert_eq!(&t[fm.body_start..], "body");
    }
}
