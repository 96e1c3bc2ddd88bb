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
    // Only a line that starts with a fence can be one once its end is trimmed: the lines
    // starting with `---` or `...` are found by searching for them after a `\n` (the opening
    // fence's is at `yaml_start - 1`), in order, rather than line by line. The `...` lines
    // are searched only up to the next `---` line, so neither search runs into the body.
    let bytes = text.as_bytes();
    let mut from = yaml_start - 1;
    // The next `---` line at or after `from`, once searched (`Some(None)`: there is none).
    let mut dashes: Option<Option<usize>> = None;
    loop {
        let next_dashes = match dashes {
            Some(d) if d.is_none_or(|d| d > from) => d,
            _ => DASHES.find(&bytes[from..]).map(|i| from + i + 1),
        };
        dashes = Some(next_dashes);
        // A `\n...` before the `\n` of that line lies wholly before it.
        let limit = next_dashes.map_or(bytes.len(), |d| d - 1);
        let dots = DOTS.find(&bytes[from..limit]).map(|i| from + i + 1);
        let Some(pos) = dots.or(next_dashes) else {
            break;
        };
        let end = memchr::memchr(b'\n', &bytes[pos..]).map_or(text.len(), |i| pos + i + 1);
        let t = text[pos..end].trim_end();
        if t == "---" || t == "..." {
            return Ok(Some(FrontMatter {
                yaml: &text[yaml_start..pos],
                line_offset: 1,
                body_start: end,
            }));
        }
        // The searches go on after this line's start (its `\n` is at `pos - 1`).
        from = pos;
    }
    Err("front matter opened with `---` is never closed by a `---` line".into())
}

static DASHES: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
    std::sync::LazyLock::new(|| memchr::memmem::Finder::new(b"\n---"));
static DOTS: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
    std::sync::LazyLock::new(|| memchr::memmem::Finder::new(b"\n..."));

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
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(5000))]
        /// The fences found by searching for `\n---` and `\n...` are the ones found line by
        /// line: refused candidates (`----`, `--- x`, `...a`) of either kind before, between and
        /// after the fence, CRLF, a BOM, NEL and U+2028 (no line breaks here).
        #[test]
        fn lines_found_by_memchr_split_as_before(pieces in proptest::collection::vec(
            proptest::sample::select(vec![
                "---", "...", "\n", "\n", "\r\n", " ", "\t", "a: 1", "-", ".", "\u{feff}", "\u{85}", "\u{2028}",
                "\n---\n", "\n----", "\n...x", "\n--- a", "\n... \r\n",
            ]),
            0..24,
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
