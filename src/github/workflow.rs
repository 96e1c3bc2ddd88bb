//! GitHub Actions workflow commands (`::error file=…::message` on stdout) and workflow files
//! (`GITHUB_OUTPUT`, `GITHUB_STEP_SUMMARY`), escaped and delimited as `@actions/core` does, so
//! that no message, path or value can end a command early or forge another one.

use super::render::Annotation;
use std::io::Write;
use std::path::Path;

/// GitHub shows at most this much of one step's job summary (bytes); a larger summary is not
/// shown at all.
pub const MAX_STEP_SUMMARY: usize = 1024 * 1024;

/// A command's message: `%`, CR and LF escaped (`%25`, `%0D`, `%0A`), so the command stays on
/// one line and the runner restores the text exactly.
pub fn escape_data(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '%' => out.push_str("%25"),
            '\r' => out.push_str("%0D"),
            '\n' => out.push_str("%0A"),
            c => out.push(c),
        }
    }
    out
}

/// A command's property value: as [`escape_data`], plus `:` (`%3A`) and `,` (`%2C`), which
/// would otherwise end the property list or the value.
pub fn escape_property(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in escape_data(s).chars() {
        match c {
            ':' => out.push_str("%3A"),
            ',' => out.push_str("%2C"),
            c => out.push(c),
        }
    }
    out
}

/// `::error file=…,line=…,endLine=…,col=…,endColumn=…,title=…::message` (`error` for a
/// `failure` annotation, `warning`, `notice`). Columns only on a one-line annotation.
pub fn annotation_command(a: &Annotation) -> String {
    let command = match a.annotation_level {
        "failure" => "error",
        "warning" => "warning",
        _ => "notice",
    };
    let mut props = vec![
        format!("file={}", escape_property(&a.path)),
        format!("line={}", a.start_line),
        format!("endLine={}", a.end_line),
    ];
    if a.start_line == a.end_line {
        if let Some(c) = a.start_column {
            props.push(format!("col={c}"));
        }
        if let Some(c) = a.end_column {
            props.push(format!("endColumn={c}"));
        }
    }
    if !a.title.is_empty() {
        props.push(format!("title={}", escape_property(&a.title)));
    }
    format!(
        "::{command} {}::{}",
        props.join(","),
        escape_data(&a.message)
    )
}

/// `::add-mask::value`: the runner hides the value in every later log line.
pub fn mask(value: &str) -> String {
    format!("::add-mask::{}", escape_data(value))
}

/// Appends a step output to the `GITHUB_OUTPUT` file as `name<<DELIM`, the value, `DELIM`,
/// with a random delimiter that occurs in neither. The runner reads the value back exactly,
/// except that it reads a lone CR or CRLF as a line break (LF).
pub fn append_output(path: &Path, name: &str, value: &str) -> std::io::Result<()> {
    if name.is_empty()
        || name.contains(['\n', '\r', '='])
        || name.contains("<<")
        || name.trim() != name
    {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            format!("invalid output name {name:?}"),
        ));
    }
    let delimiter = loop {
        let d = format!("ghadelimiter_{}", random_hex());
        if !value.contains(&d) && !name.contains(&d) {
            break d;
        }
    };
    let record = format!("{name}<<{delimiter}\n{value}\n{delimiter}\n");
    append(path, record.as_bytes())
}

/// Appends Markdown to the `GITHUB_STEP_SUMMARY` file. GitHub drops a step's summary above
/// 1 MiB, so what would exceed it (with what the file already holds) is cut at a line break
/// and a note says so; with no room left at all, nothing is written.
pub fn append_summary(path: &Path, markdown: &str) -> std::io::Result<()> {
    let existing = match std::fs::metadata(path) {
        Ok(m) => usize::try_from(m.len()).unwrap_or(usize::MAX),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => 0,
        Err(e) => return Err(e),
    };
    let room = MAX_STEP_SUMMARY.saturating_sub(existing);
    let mut text = markdown.to_string();
    if !text.ends_with('\n') {
        text.push('\n');
    }
    if text.len() > room {
        let note = "\n\n*… cut here: GitHub limits a job summary to 1 MiB per step.*\n";
        let Some(keep) = room.checked_sub(note.len()) else {
            return Ok(());
        };
        let mut end = (0..=keep)
            .rev()
            .find(|&i| text.is_char_boundary(i))
            .unwrap_or(0);
        if let Some(nl) = text[..end].rfind('\n') {
            end = nl;
        }
        text.truncate(end);
        text.push_str(note);
    }
    append(path, text.as_bytes())
}

/// One write in append mode, so lines of concurrent writers do not interleave.
fn append(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)?;
    f.write_all(bytes)?;
    f.flush()
}

/// 32 hex digits from the standard library's per-process random hasher keys, the time, the
/// process id and a counter: unpredictable enough that a value cannot anticipate it.
fn random_hex() -> String {
    use std::hash::{BuildHasher, Hasher};
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let mut out = String::with_capacity(32);
    for _ in 0..2 {
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u128(now);
        h.write_u32(std::process::id());
        h.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
        out.push_str(&format!("{:016x}", h.finish()));
    }
    out
}

/// The runner's reading of an escaped value, left to right (the inverse of [`escape_data`] and
/// [`escape_property`]); `None` on an escape they never write.
pub fn unescape(s: &str) -> Option<String> {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('%') {
        out.push_str(&rest[..i]);
        out.push_str(match rest.get(i..i + 3)? {
            "%25" => "%",
            "%0D" => "\r",
            "%0A" => "\n",
            "%3A" => ":",
            "%2C" => ",",
            _ => return None,
        });
        rest = &rest[i + 3..];
    }
    out.push_str(rest);
    Some(out)
}

/// A workflow command read back: name, properties (key, unescaped value), unescaped message.
pub type ParsedCommand = (String, Vec<(String, String)>, String);

/// A workflow command line as the runner reads it: name, properties and message, unescaped;
/// `None` when the line is no command. What [`annotation_command`] writes reads back to its
/// input (tested here and, over hostile text, in `tests/formats.rs`).
pub fn parse_command(line: &str) -> Option<ParsedCommand> {
    let body = line.strip_prefix("::")?;
    let end = body.find("::")?;
    let (head, message) = (&body[..end], &body[end + 2..]);
    let (name, props) = head.split_once(' ').unwrap_or((head, ""));
    let props = props
        .split(',')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=')?;
            Some((k.to_string(), unescape(v)?))
        })
        .collect::<Option<Vec<_>>>()?;
    Some((name.to_string(), props, unescape(message)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unescape(s: &str) -> String {
        super::unescape(s).unwrap_or_else(|| panic!("unexpected escape in {s:?}"))
    }

    fn parse_command(line: &str) -> ParsedCommand {
        assert!(!line.contains('\n') && !line.contains('\r'), "{line:?}");
        super::parse_command(line).unwrap_or_else(|| panic!("no command: {line:?}"))
    }

    /// `GITHUB_OUTPUT` as the runner reads it (lines; `name<<DELIM` … `DELIM`).
    fn parse_outputs(text: &str) -> Vec<(String, String)> {
        let mut out = Vec::new();
        let mut lines = text.split('\n');
        while let Some(line) = lines.next() {
            if line.is_empty() {
                continue;
            }
            let (name, delim) = line.split_once("<<").expect("heredoc form");
            let mut value: Vec<&str> = Vec::new();
            loop {
                let l = lines.next().expect("delimiter reached");
                if l == delim {
                    break;
                }
                value.push(l);
            }
            out.push((name.to_string(), value.join("\n")));
        }
        out
    }

    const TRICKY: &[&str] = &[
        "",
        "plain",
        "100%",
        "%25 already escaped",
        "%0A%0D%3A%2C",
        "a:b,c",
        "line one\nline two",
        "crlf\r\nend",
        "lone\rcr",
        "::error::forged",
        "trailing\n",
        "кириллица: ок, да",
        "%",
        "%%0A",
    ];

    #[test]
    fn escape_data_round_trips_and_stays_on_one_line() {
        for s in TRICKY {
            let e = escape_data(s);
            assert!(!e.contains('\n') && !e.contains('\r'), "{e:?}");
            assert_eq!(unescape(&e), *s, "{s:?}");
        }
        assert_eq!(escape_data("50%\r\nx"), "50%25%0D%0Ax");
    }

    #[test]
    fn escape_property_round_trips_and_has_no_separators() {
        for s in TRICKY {
            let e = escape_property(s);
            assert!(!e.contains([',', ':', '\n', '\r']), "{e:?}");
            assert_eq!(unescape(&e), *s, "{s:?}");
        }
        assert_eq!(escape_property("a:b,c%"), "a%3Ab%2Cc%25");
    }

    fn annotation(level: &'static str, message: &str) -> Annotation {
        Annotation {
            path: "specs/a,b:c/specify.md".into(),
            start_line: 12,
            end_line: 12,
            start_column: Some(3),
            end_column: Some(9),
            annotation_level: level,
            message: message.into(),
            title: "concrete_command_in_spec: x, y".into(),
            raw_details: None,
        }
    }

    #[test]
    fn annotation_command_carries_a_multiline_message_on_one_line() {
        let msg = "concrete command in spec: `kubectl delete pod`\nFix: name an action\n::warning::forged 100%";
        let cmd = annotation_command(&annotation("failure", msg));
        assert_eq!(cmd.lines().count(), 1);
        let (name, props, message) = parse_command(&cmd);
        assert_eq!(name, "error");
        assert_eq!(message, msg);
        let get = |k: &str| {
            props
                .iter()
                .find(|(n, _)| n == k)
                .map(|(_, v)| v.as_str())
                .unwrap_or_else(|| panic!("{k} in {cmd}"))
        };
        assert_eq!(get("file"), "specs/a,b:c/specify.md");
        assert_eq!(get("line"), "12");
        assert_eq!(get("endLine"), "12");
        assert_eq!(get("col"), "3");
        assert_eq!(get("endColumn"), "9");
        assert_eq!(get("title"), "concrete_command_in_spec: x, y");
        assert!(cmd.starts_with(
            "::error file=specs/a%2Cb%3Ac/specify.md,line=12,endLine=12,col=3,endColumn=9,title="
        ));
    }

    #[test]
    fn annotation_levels_map_to_commands_and_columns_need_one_line() {
        assert!(annotation_command(&annotation("warning", "m")).starts_with("::warning "));
        assert!(annotation_command(&annotation("notice", "m")).starts_with("::notice "));
        let mut a = annotation("failure", "m");
        a.end_line = 14;
        let cmd = annotation_command(&a);
        assert!(
            !cmd.contains("col=") && !cmd.contains("endColumn="),
            "{cmd}"
        );
        assert!(cmd.contains("endLine=14"), "{cmd}");
    }

    #[test]
    fn mask_escapes_its_value() {
        assert_eq!(mask("s3cr%t\nline2"), "::add-mask::s3cr%25t%0Aline2");
    }

    #[test]
    fn outputs_read_back_exactly() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("output");
        std::fs::write(&path, "earlier=1\n").unwrap();
        let values = [
            ("decision", "block"),
            ("multi", "line one\nline two\n\nghadelimiter_x\nEOF"),
            ("empty", ""),
            ("trailing", "ends with a newline\n"),
        ];
        for (n, v) in values {
            append_output(&path, n, v).unwrap();
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let text = text.strip_prefix("earlier=1\n").unwrap();
        let parsed = parse_outputs(text);
        let expected: Vec<(String, String)> = values
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect();
        assert_eq!(parsed, expected);
    }

    #[test]
    fn output_delimiter_never_occurs_in_the_value() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("output");
        for _ in 0..50 {
            append_output(&path, "x", "v").unwrap();
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let delims: std::collections::HashSet<&str> =
            text.lines().filter_map(|l| l.strip_prefix("x<<")).collect();
        assert_eq!(delims.len(), 50, "delimiters repeat");
        assert!(delims.iter().all(|d| d.len() == "ghadelimiter_".len() + 32));
    }

    #[test]
    fn output_names_that_would_break_the_file_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("output");
        for bad in ["", "a=b", "a\nb", "a<<b", " a"] {
            assert!(append_output(&path, bad, "v").is_err(), "{bad:?}");
        }
        assert!(!path.exists());
    }

    #[test]
    fn summary_is_appended_and_cut_at_one_mebibyte() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("summary");
        append_summary(&path, "# first").unwrap();
        append_summary(&path, "second\n").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "# first\nsecond\n");

        let line = "| Ж | a row of the summary table |\n";
        let big = line.repeat(MAX_STEP_SUMMARY / line.len() + 100);
        append_summary(&path, &big).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.len() <= MAX_STEP_SUMMARY, "{}", text.len());
        assert!(text.ends_with("GitHub limits a job summary to 1 MiB per step.*\n"));
        assert!(text.starts_with("# first\nsecond\n| Ж |"));
        // Whole rows only before the note.
        let body = text.split("\n\n*… cut here").next().unwrap();
        assert!(body.ends_with("table |"), "{}", &body[body.len() - 40..]);

        // The file is full: nothing more is written.
        let len = text.len();
        std::fs::write(&path, "x".repeat(MAX_STEP_SUMMARY - 10)).unwrap();
        append_summary(&path, "more text than ten bytes, and a note").unwrap();
        assert_eq!(
            std::fs::metadata(&path).unwrap().len() as usize,
            MAX_STEP_SUMMARY - 10
        );
        assert!(len > 0);
    }
}
