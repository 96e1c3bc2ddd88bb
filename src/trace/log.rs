//! Reading the trace log: records indexed by line and byte offset; a torn last record is
//! skipped with a warning, damage anywhere else is an error naming its line.

use super::canonical_step;
use crate::error::{Error, Result};
use serde::Deserialize;
use std::borrow::Cow;

#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    pub incident_id: String,
    /// Canonical ([`canonical_step`]); one of [`super::STEPS`] is not copied per record.
    pub step: Cow<'static, str>,
    pub reference: Option<String>,
    pub ts: Option<String>,
    /// 1-based line in the log.
    pub line: u32,
    /// Byte offset of the record in the log.
    pub offset: u64,
}

#[derive(Debug, Default)]
pub struct Log {
    pub records: Vec<Record>,
    /// Non-fatal findings, e.g. a torn last record skipped.
    pub warnings: Vec<String>,
}

#[derive(Deserialize)]
struct Raw {
    incident_id: String,
    step: String,
    #[serde(rename = "ref")]
    reference: Option<String>,
    ts: Option<String>,
}

/// [`Raw`] for [`parse_steps`]: the same fields with the same types (so the same lines are
/// damaged, with the same messages), `ref` and `ts` checked but not kept.
#[derive(Deserialize)]
struct RawSteps<'a> {
    incident_id: String,
    step: String,
    #[serde(rename = "ref", borrow)]
    _reference: Option<std::borrow::Cow<'a, str>>,
    #[serde(borrow)]
    ts: Option<std::borrow::Cow<'a, str>>,
}

/// Parses a log. A damaged last line without its newline is a torn append: skipped with a
/// warning. Damage anywhere else is an error naming the line.
pub fn parse(file: &str, bytes: &[u8]) -> Result<Log> {
    parse_as(file, bytes, |s| match plain_record(s, true) {
        Some(fields) => Ok(fields),
        None => serde_json::from_str::<Raw>(s)
            .map(|r| (r.incident_id, Cow::Owned(r.step), r.reference, r.ts)),
    })
}

/// [`parse`] without each record's `ref` and `ts` (`None`): what the coverage of a chain needs,
/// for a log of every incident held through a whole `check`. Accepts and refuses exactly the
/// logs `parse` does.
pub fn parse_steps(file: &str, bytes: &[u8]) -> Result<Log> {
    parse_as(file, bytes, |s| match plain_record(s, false) {
        Some(fields) => Ok(fields),
        None => serde_json::from_str::<RawSteps>(s).map(|r| {
            let _ = r.ts;
            (r.incident_id, Cow::Owned(r.step), None, None)
        }),
    })
}

/// The fields of a record written the plain way appenders write them: one flat object whose
/// keys are `incident_id`, `step`, `ref` and `ts` (each at most once, the first two present),
/// whose values are strings without escapes or control characters (`ref` and `ts` may be
/// `null`). Read without the JSON parser, with exactly what it would read; `None` for any
/// other line (other keys, escapes, numbers, nesting, damage), which the parser then reads or
/// refuses with its own message. `ref` and `ts` are kept only when `keep` is set.
fn plain_record(s: &str, keep: bool) -> Option<Fields<'_>> {
    let b = s.as_bytes();
    let ws = |i: &mut usize| {
        while b
            .get(*i)
            .is_some_and(|c| matches!(c, b' ' | b'\t' | b'\n' | b'\r'))
        {
            *i += 1;
        }
    };
    // A string's content from its opening quote at `*i`: no escape, no control character.
    let string = |i: &mut usize| -> Option<&str> {
        if b.get(*i) != Some(&b'"') {
            return None;
        }
        let start = *i + 1;
        // The string ends at its first quote; a backslash or a control character before it
        // makes the line the parser's.
        let end = string_stop(b, start)?;
        if b[end] != b'"' {
            return None;
        }
        *i = end + 1;
        // Between two ASCII quotes of a `str`: a `str` itself.
        s.get(start..end)
    };
    let mut fields: [Option<Option<&str>>; 4] = [None; 4];
    let mut i = 0;
    if b.first() != Some(&b'{') {
        return None;
    }
    i += 1;
    loop {
        ws(&mut i);
        let k = match string(&mut i)? {
            "incident_id" => 0,
            "step" => 1,
            "ref" => 2,
            "ts" => 3,
            _ => return None,
        };
        ws(&mut i);
        if b.get(i) != Some(&b':') {
            return None;
        }
        i += 1;
        ws(&mut i);
        let value = if k >= 2 && b[i..].starts_with(b"null") {
            i += 4;
            None
        } else {
            Some(string(&mut i)?)
        };
        if fields[k].replace(value).is_some() {
            return None; // a duplicate key: the parser's error
        }
        ws(&mut i);
        match b.get(i) {
            Some(b',') => i += 1,
            Some(b'}') if i + 1 == b.len() => break,
            _ => return None,
        }
    }
    let incident_id = fields[0]??.to_string();
    let step = Cow::Borrowed(fields[1]??);
    let opt = |f: Option<Option<&str>>| {
        if keep {
            f.flatten().map(str::to_string)
        } else {
            None
        }
    };
    Some((incident_id, step, opt(fields[2]), opt(fields[3])))
}

/// The first `"`, `\\` or control byte (below 0x20) of `b` from `start`: eight bytes at a time
/// while none of the eight is one, then byte by byte.
fn string_stop(b: &[u8], start: usize) -> Option<usize> {
    let mut i = start;
    while let Some(word) = b.get(i..i + 8) {
        if let Some(k) = crate::swar::first(string_stops(crate::swar::word(word))) {
            return Some(i + k);
        }
        i += 8;
    }
    while let Some(&c) = b.get(i) {
        if c == b'"' || c == b'\\' || c < 0x20 {
            return Some(i);
        }
        i += 1;
    }
    None
}

/// The bytes of `word` that are a `"`, a `\\` or below 0x20 (see [`crate::swar`]).
fn string_stops(word: u64) -> u64 {
    use crate::swar::{eq, in_range};
    eq(word, b'"') | eq(word, b'\\') | in_range(word, 0x00, 0x1F)
}

/// A record's incident id, step (as written), ref and timestamp.
type Fields<'a> = (String, Cow<'a, str>, Option<String>, Option<String>);

/// `step` canonical, borrowed from [`super::STEPS`] when it is one of them.
fn stored_step(step: &str) -> Cow<'static, str> {
    let step = canonical_step(step);
    match super::STEPS.iter().find(|s| **s == step) {
        Some(known) => Cow::Borrowed(known),
        None => Cow::Owned(step.to_string()),
    }
}

fn parse_as(
    file: &str,
    bytes: &[u8],
    read: impl for<'a> Fn(&'a str) -> serde_json::Result<Fields<'a>>,
) -> Result<Log> {
    // The whole log checked as UTF-8 once, rather than each line apart: when it is UTF-8, so
    // is every trimmed line of it (each starts and ends beside an ASCII byte, or at an end of
    // the log), and `get` hands it out as the check of the line would have.
    parse_lines(file, bytes, read, std::str::from_utf8(bytes).ok())
}

/// [`parse_as`] with `whole`, the log as a `str` when it is UTF-8 (`None`: each line is
/// checked apart, the reference the shortcut is tested against).
fn parse_lines(
    file: &str,
    bytes: &[u8],
    read: impl for<'a> Fn(&'a str) -> serde_json::Result<Fields<'a>>,
    whole: Option<&str>,
) -> Result<Log> {
    let mut log = Log::default();
    let mut offset = 0usize;
    let mut line_no = 0u32;
    while offset < bytes.len() {
        line_no += 1;
        let end = memchr::memchr(b'\n', &bytes[offset..]).map(|i| offset + i);
        let raw = &bytes[offset..end.unwrap_or(bytes.len())];
        let next = end.map(|e| e + 1).unwrap_or(bytes.len());
        let is_last = next >= bytes.len();
        let trimmed = trim_ascii(raw);
        if !trimmed.is_empty() {
            let from = offset + (trimmed.as_ptr() as usize - raw.as_ptr() as usize);
            let line = match whole.and_then(|t| t.get(from..from + trimmed.len())) {
                Some(line) => Ok(line),
                None => std::str::from_utf8(trimmed).map_err(|e| e.to_string()),
            };
            let parsed = line.and_then(|s| read(s).map_err(|e| e.to_string()));
            match parsed {
                Ok((incident_id, step, reference, ts)) => log.records.push(Record {
                    incident_id,
                    step: stored_step(&step),
                    reference,
                    ts,
                    line: line_no,
                    offset: offset as u64,
                }),
                Err(_) if is_last && end.is_none() => {
                    log.warnings.push(format!(
                        "{file}:{line_no}: skipped an incomplete last record ({} bytes, no newline): an interrupted append",
                        raw.len()
                    ));
                }
                Err(e) => {
                    return Err(Error::input(
                        file,
                        line_no,
                        1,
                        format!(
                            "damaged trace record: {e}; expected one JSON object with incident_id and step per line"
                        ),
                    ));
                }
            }
        }
        offset = next;
    }
    Ok(log)
}

fn trim_ascii(b: &[u8]) -> &[u8] {
    let s = b
        .iter()
        .position(|c| !c.is_ascii_whitespace())
        .unwrap_or(b.len());
    let e = b
        .iter()
        .rposition(|c| !c.is_ascii_whitespace())
        .map(|i| i + 1)
        .unwrap_or(s);
    &b[s..e.max(s)]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(step: &str) -> String {
        format!("{{\"incident_id\":\"HM-1\",\"step\":\"{step}\",\"ref\":\"é🎉\"}}\n")
    }

    #[test]
    fn records_are_indexed_by_byte_offset() {
        let text: String = ["webhook_received", "/sdd:specify", "commit"]
            .iter()
            .map(|s| rec(s))
            .collect();
        let log = parse("t.jsonl", text.as_bytes()).unwrap();
        let steps: Vec<_> = log.records.iter().map(|r| r.step.as_ref()).collect();
        assert_eq!(steps, ["webhook_received", "specify", "commit"]);
        // "é🎉" is 2 characters but 6 bytes: offsets count bytes.
        let first = rec("webhook_received");
        assert_eq!(first.chars().count() + 4, first.len());
        assert_eq!(log.records[1].offset as usize, first.len());
        assert_eq!(
            log.records[2].offset as usize,
            first.len() + rec("/sdd:specify").len()
        );
        assert_eq!(log.records[2].line, 3);
    }

    /// `parse_steps` keeps what `parse` keeps but `ref` and `ts`, and refuses what it refuses
    /// with the same message.
    fn same_as_parse(text: &[u8]) -> std::result::Result<(), String> {
        let full = parse("t.jsonl", text).map_err(|e| e.to_string());
        let steps = parse_steps("t.jsonl", text).map_err(|e| e.to_string());
        let full = full.map(|log| {
            let records: Vec<Record> = log
                .records
                .into_iter()
                .map(|r| Record {
                    reference: None,
                    ts: None,
                    ..r
                })
                .collect();
            (records, log.warnings)
        });
        let steps = steps.map(|log| (log.records, log.warnings));
        if full == steps {
            Ok(())
        } else {
            Err(format!("parse: {full:?}\nparse_steps: {steps:?}"))
        }
    }

    #[test]
    fn steps_only_reads_what_the_full_parse_reads() {
        let lines = [
            rec("webhook_received"),
            "{\"incident_id\":\"HM-1\",\"step\":\"commit\",\"ref\":null,\"ts\":\"2026\"}\n".into(),
            "{\"incident_id\":\"HM-1\",\"step\":\"validate\",\"ref\":\"a\\\"b\\u00e9\"}\n".into(),
            "{\"incident_id\":\"HM-1\",\"step\":\"commit\",\"ref\":1}\n".into(),
            "{\"incident_id\":\"HM-1\",\"step\":\"commit\",\"ts\":[]}\n".into(),
            "{\"incident_id\":\"HM-1\",\"step\":\"commit\",\"ref\":\"a\",\"ref\":\"b\"}\n".into(),
            "{\"incident_id\":\"HM-1\",\"step\":\"commit\",\"extra\":{\"x\":1}}\n".into(),
            "{\"step\":\"commit\"}\n".into(),
            "{\"incident_id\":\"HM-1\",\"step\":\"commit\",\"ts\":\"x\"".into(),
            "   \n".into(),
        ];
        for a in &lines {
            for b in &lines {
                let text = format!("{a}{b}");
                same_as_parse(text.as_bytes()).unwrap();
            }
        }
        for entry in std::fs::read_dir(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fuzz/corpus/trace_log"
        ))
        .unwrap()
        {
            let text = std::fs::read(entry.unwrap().path()).unwrap();
            same_as_parse(&text).unwrap();
        }
    }

    proptest::proptest! {
        #[test]
        fn steps_only_agrees_with_the_full_parse(text in "(\\{\"incident_id\":\"[A-Z1\\\\\"é-]{0,4}\",\"step\":\"(commit|/sdd:specify|x)\"(,\"(ref|ts)\":(null|1|\"[a\\\\\"u]{0,3}\"))*\\}\n?|[ {}\n]){0,6}") {
            proptest::prop_assert_eq!(same_as_parse(text.as_bytes()), Ok(()));
        }
    }

    use proptest::strategy::{Just, Strategy};

    fn key() -> impl Strategy<Value = String> {
        proptest::sample::select(vec![
            "\"incident_id\"",
            "\"step\"",
            "\"ref\"",
            "\"ts\"",
            "\"ref\"",
            "\"ts\"",
            "\"other\"",
            "\"incident\\u005fid\"",
            "\"step",
            "step",
        ])
        .prop_map(String::from)
    }

    /// A reader for the tests of the line splitting: the plain reader, else the parser.
    fn plain_record_as_parsed(s: &str) -> serde_json::Result<Fields<'_>> {
        match plain_record(s, true) {
            Some(fields) => Ok(fields),
            None => serde_json::from_str::<Raw>(s)
                .map(|r| (r.incident_id, Cow::Owned(r.step), r.reference, r.ts)),
        }
    }

    #[test]
    fn string_stops_marks_exactly_the_first_stop_byte() {
        let stop = |c: u8| c == b'"' || c == b'\\' || c < 0x20;
        let fills = [
            b'a', b' ', b'!', b'#', 0x00, 0x1F, 0x20, 0x21, 0x7F, 0x80, 0xFF, b'"',
        ];
        for c in 0..=255u8 {
            for fill in fills {
                for at in 0..8 {
                    for second in [None, Some((0x01, 7 - at)), Some((b'\\', (at + 3) % 8))] {
                        let mut w = [fill; 8];
                        w[at] = c;
                        if let Some((b, j)) = second {
                            w[j] = b;
                        }
                        let want = w.iter().position(|&c| stop(c));
                        let stops = string_stops(u64::from_le_bytes(w));
                        let got = (stops != 0).then(|| (stops.trailing_zeros() / 8) as usize);
                        assert_eq!(got, want, "{w:?}");
                    }
                }
            }
        }
    }

    fn value() -> impl Strategy<Value = String> {
        proptest::sample::select(vec![
            "\"HM-1\"",
            "\"HM-1\"",
            "\"é🎉\"",
            "\"\"",
            "\"\u{7f}\"",
            "null",
            "\"a\\\"b\"",
            "\"a\u{1}b\"",
            "\"a\tb\"",
            "nul",
            "nullx",
            "1",
            "[]",
            "{\"x\":1}",
            "\"x",
            "\"a\\nb\"",
        ])
        .prop_map(String::from)
    }

    /// The JSON parser's reading of one line, as the fields the log keeps.
    fn by_parser(s: &str) -> Option<Fields<'_>> {
        serde_json::from_str::<Raw>(s)
            .ok()
            .map(|r| (r.incident_id, Cow::Owned(r.step), r.reference, r.ts))
    }

    proptest::proptest! {
        /// What the plain reader reads, the JSON parser reads alike: objects made of the keys,
        /// duplicates, other keys, escaped keys, values with escapes or control characters,
        /// `null`, numbers and nesting, JSON and other whitespace, and damage around them.
        #[test]
        fn plain_records_read_as_the_parser_reads_them(
            (pairs, open, close, sep) in (
                (
                    value(),
                    value(),
                    proptest::collection::vec((key(), value()), 0..3),
                ),
                proptest::sample::select(vec!["{", "{", "{ ", "[", ""]),
                proptest::sample::select(vec!["}", "}", " }", "},", "}}", "", "} x"]),
                proptest::sample::select(vec![",", ",", " , ", ",,", ";"]),
            )
                .prop_flat_map(|((id, step, extra), open, close, sep)| {
                    let mut pairs = vec![(String::from("\"incident_id\""), id), ("\"step\"".into(), step)];
                    pairs.extend(extra);
                    (Just(pairs).prop_shuffle(), Just(open), Just(close), Just(sep))
                }),
            space in proptest::sample::select(vec!["", "", " ", "\t", "\r\n", "\u{c}"]),
        ) {
            let body: Vec<String> = pairs
                .iter()
                .map(|(k, v)| format!("{k}{space}:{space}{v}"))
                .collect();
            let line = format!("{open}{}{close}", body.join(sep));
            for keep in [true, false] {
                if let Some(fields) = plain_record(&line, keep) {
                    let mut want = by_parser(&line);
                    if !keep && let Some(w) = &mut want {
                        w.2 = None;
                        w.3 = None;
                    }
                    proptest::prop_assert_eq!(Some(fields), want, "{:?}", line);
                }
            }
        }

        /// The end of a string found eight bytes at a time is the one the search for its
        /// quote or backslash and the check for control characters before it found, on
        /// strings long and short, with the bytes that stop it anywhere.
        #[test]
        fn string_stops_where_the_search_and_the_check_stopped(
            parts in proptest::collection::vec(proptest::sample::select(vec![
                "a", "HM-2026-04-24-00001", "é", "🎉", "\"", "\\", "\u{1}", "\u{1f}", " ", "!", "\u{7f}",
                "#", "[", "]", "\n", "\t", "\u{0}",
            ]), 0..24),
            start in 0usize..8,
        ) {
            let text = parts.concat();
            let b = text.as_bytes();
            let start = start.min(b.len());
            let before = memchr::memchr2(b'"', b'\\', &b[start..]).and_then(|len| {
                let end = start + len;
                let control = b[start..end].iter().any(|&c| c < 0x20);
                (b[end] == b'"' && !control).then_some(end)
            });
            let now = string_stop(b, start).filter(|&end| b[end] == b'"');
            proptest::prop_assert_eq!(now, before, "{:?} {}", text, start);
        }

        /// Lines cut from the whole log read as the lines checked one by one: logs made of
        /// records, blank and whitespace-only lines, CRs, non-ASCII, bytes that are not
        /// UTF-8, damage, with or without a last newline.
        #[test]
        fn the_log_checked_whole_reads_as_its_lines_checked_apart(
            parts in proptest::collection::vec(proptest::sample::select(vec![
                &b"{\"incident_id\":\"HM-1\",\"step\":\"webhook_received\"}"[..],
                b"{\"incident_id\": \"\xc3\xa9\", \"step\": \"x\", \"ts\": null}",
                b"\n", b"\n", b"\r\n", b" ", b"\t", b"\x0c", b"\xff", b"\xc3", b"\xa9", b"{", b"x",
            ]), 0..12),
        ) {
            let bytes = parts.concat();
            let whole = format!("{:?}", parse_as("t.jsonl", &bytes, plain_record_as_parsed));
            let apart = format!("{:?}", parse_lines("t.jsonl", &bytes, plain_record_as_parsed, None));
            proptest::prop_assert_eq!(whole, apart, "{:?}", bytes);
        }

        /// The lines appenders write are read the plain way (not all left to the parser).
        #[test]
        fn appended_lines_are_plain(
            id in "[A-Za-z0-9-]{1,24}",
            step in "[a-z_:/]{1,24}",
            reference in proptest::option::of("[ -!#-\\[\\]-~é]{0,20}"),
            ts in proptest::option::of("[0-9TZ:-]{0,20}"),
            spaced in proptest::bool::ANY,
        ) {
            let sep = if spaced { ", " } else { "," };
            let colon = if spaced { ": " } else { ":" };
            let mut line = format!("{{\"incident_id\"{colon}{id:?}{sep}\"step\"{colon}{step:?}");
            if let Some(r) = &reference {
                line += &format!("{sep}\"ref\"{colon}\"{r}\"");
            }
            match &ts {
                Some(t) => line += &format!("{sep}\"ts\"{colon}\"{t}\""),
                None => line += &format!("{sep}\"ts\"{colon}null"),
            }
            line.push('}');
            proptest::prop_assert_eq!(plain_record(&line, true), by_parser(&line), "{}", line);
            proptest::prop_assert!(plain_record(&line, true).is_some(), "{}", line);
        }
    }

    #[test]
    fn torn_tail_is_skipped_interior_damage_is_an_error() {
        let mut text = rec("webhook_received");
        text.push_str("{\"incident_id\":\"HM-1\",\"st");
        let log = parse("t.jsonl", text.as_bytes()).unwrap();
        assert_eq!(log.records.len(), 1);
        assert!(log.warnings[0].contains("t.jsonl:2"), "{:?}", log.warnings);

        let bad = format!("{}garbage\n{}", rec("webhook_received"), rec("commit"));
        let e = parse("t.jsonl", bad.as_bytes()).unwrap_err().to_string();
        assert!(e.starts_with("t.jsonl:2:"), "{e}");
    }
}
