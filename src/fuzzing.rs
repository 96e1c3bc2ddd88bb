//! Invariants checked while fuzzing (issue 7): plain functions over bytes, called by the
//! cargo-fuzz targets in `fuzz/` (nightly) and replayed over every seed and every past finding
//! by `tests/fuzz_regressions.rs` (stable). A panic is a finding.
//!
//! Every function checks, for arbitrary input:
//! - no panic and bounded work (libFuzzer's `-timeout` catches hangs);
//! - malformed input is an [`Error`] of the exit-2 class: [`Error::Input`] naming the file and a
//!   line that exists in the input (from 1 to the number of lines), or `Io`/`Usage`; a verdict
//!   exists only for input that parsed;
//! - the same input twice gives the same result.
//!
//! and its own target's properties, described on each function. `fuzz/README.md` explains how
//! to run them and how a finding becomes a regression.

use crate::config::Config;
use crate::decide::{
    self, EvidenceFact, EvidenceStatus, Facts, RollbackFact, SpecFacts, TraceFact,
};
use crate::error::Error;
use crate::model::Decision;
use crate::normalize::{self, Input, Outcome, Settings, Tool, redact};
use crate::parse::readiness::{self, Readiness};
use crate::parse::specify::{self, Spec};
use crate::speclint::{self, SpecLint};
use crate::trace;
use pulldown_cmark::{Event, Options, Parser};
use std::path::PathBuf;
use std::sync::LazyLock;
use std::sync::atomic::{AtomicU64, Ordering};

/// The name every fuzzed spec is read under.
pub const SPEC_FILE: &str = "specs/fuzz/specify.md";
/// The file name every fuzzed payload is shown as.
pub const PAYLOAD_FILE: &str = "payload.json";
/// The file name every fuzzed trace log is shown as.
pub const TRACE_FILE: &str = ".sddgate/trace.jsonl";
/// Documents larger than this are not fuzzed further (they only slow the fuzzer down; the size
/// cap itself is tested elsewhere).
const MAX_INPUT: usize = 64 * 1024;

/// The default configuration, as `sddgate` runs without a config file. Its root does not exist:
/// nothing here reads the repository.
static CONFIG: LazyLock<Config> = LazyLock::new(|| {
    Config::from_text(PathBuf::from("/nonexistent/sddgate-fuzz"), None, "")
        .expect("the default config loads")
});

/// A readiness document claiming full marks and every fact: with a clean spec and all its
/// evidence present it is admitted automatically (see `tests/fuzz_regressions.rs`), so only
/// the spec can make it fail.
pub const FULL_MARKS: &str = "---
incident_id: HM-2026-05-17-01
spec: specs/fuzz/specify.md
scores: {spec: 5, implementation: 5, verification: 5, process: 5, security: 5}
evidence:
  spec: specs/fuzz/specify.md
  implementation: specs/fuzz/plan.md
  verification: specs/fuzz/validation.md
  process: specs/fuzz/tasks.md
  security: specs/fuzz/security_policy.md
audit_trace_coverage: 1.0
stateful: false
backup_verified: true
radius_of_impact: pod
dry_run_verified: true
rollback: specs/fuzz/rollback.md
---
";

/// The command inserted into fuzzed specs, in the spellings tried.
pub const COMMANDS: [&str; 4] = [
    "kubectl delete pod x",
    "sudo kubectl delete pod x",
    "/usr/local/bin/kubectl delete pod x",
    "kubectl -n prod delete pod x",
];

/// Where the command is put, as Markdown a renderer shows to a reader. `{c}` is the command.
/// Each is inserted on its own lines, after a blank line, at a line start of the fuzzed body
/// (front matter: at the very start). The name is for messages.
pub const PLACEMENTS: [(&str, &str); 27] = [
    ("paragraph", "{c}"),
    (
        "sentence",
        "When memory stays high, run {c} and watch the pod.",
    ),
    ("fenced code", "```sh\n{c}\n```"),
    ("fenced code without language", "```\n{c}\n```"),
    ("tilde fence yaml", "~~~yaml\nsteps: {c}\n~~~"),
    ("indented code", "    {c}"),
    ("inline code", "Run `{c}` now."),
    ("table cell", "| step | how |\n|---|---|\n| 1 | {c} |"),
    ("bullet item", "- {c}"),
    ("ordered item", "1. {c}"),
    ("task item", "- [ ] {c}"),
    ("atx heading", "## {c}"),
    ("setext heading", "{c}\n==="),
    ("link text", "[{c}](https://runbooks.example.com/mem)"),
    ("strong emphasis", "**{c}**"),
    ("blockquote", "> {c}"),
    ("html comment", "<!-- {c} -->"),
    ("html block", "<div>\n{c}\n</div>"),
    ("inline html", "See <span>{c}</span> below."),
    ("footnote definition", "Restart it[^r].\n\n[^r]: {c}"),
    ("image alt text", "![{c}](diagram.png)"),
    ("strikethrough", "~~{c}~~"),
    ("front matter value", "---\nnote: {c}\n---"),
    ("nested list item", "- first\n  - {c}"),
    (
        "action list item",
        "## Pre-approved actions\n\n- restart_pod — {c}",
    ),
    (
        "details summary",
        "<details><summary>{c}</summary></details>",
    ),
    ("pre block", "<pre>\n{c}\n</pre>"),
];

/// Lines in a text as [`crate::span::LineIndex`] counts them: one more than its newlines.
fn line_count(text: &[u8]) -> usize {
    text.iter().filter(|&&b| b == b'\n').count() + 1
}

/// An error is of the exit-2 class and, when it points into the input, points at a real line.
pub fn check_error(e: &Error, file: &str, text: &[u8]) {
    match e {
        Error::Input {
            file: f,
            line,
            col,
            message,
        } => {
            assert_eq!(f, file, "error names another file: {e}");
            let lines = line_count(text);
            assert!(
                *line >= 1 && (*line as usize) <= lines,
                "error line {line} outside the input's {lines} line(s): {e}"
            );
            assert!(*col >= 1, "error column 0: {e}");
            assert!(!message.trim().is_empty(), "error without a message: {e}");
        }
        Error::Io { .. } | Error::Usage(_) => {}
    }
}

/// The spec parser and lint.
///
/// `data[0]` picks a placement ([`PLACEMENTS`]) and a spelling ([`COMMANDS`]), `data[1]` the
/// line of the body where it goes, the rest is the spec body. Checks:
/// 1. the body alone, as `sddgate` reads it (UTF-8 check, parse, lint): no panic, errors of the
///    exit-2 class, findings on existing lines, the same result twice;
/// 2. the body with the command inserted: unless the command is not rendered as text or is
///    suppressed (see [`exemption`]), the lint reports `concrete_command_in_spec` on the
///    command's lines, and the decision for [`FULL_MARKS`] with every fact present is BLOCK.
pub fn specify(data: &[u8]) {
    if data.len() < 2 || data.len() > MAX_INPUT {
        return;
    }
    let (choice, at, body) = (data[0], data[1], &data[2..]);

    // 1. The body as it is.
    if let Some((spec, text)) = parse_spec(body) {
        let lint = speclint::lint(&spec, &text, &CONFIG);
        let lines = line_count(text.as_bytes()) as u32;
        for f in &lint.findings {
            let l = f.line.unwrap_or(1);
            assert!(
                (1..=lines).contains(&l),
                "finding {} on line {l} of a {lines}-line spec",
                f.id
            );
        }
        let again = speclint::lint(&spec, &text, &CONFIG);
        assert_eq!(
            format!("{:?}", lint.findings),
            format!("{:?}", again.findings),
            "the lint is not deterministic"
        );
    }

    // 2. The body with a command in it.
    let body = String::from_utf8_lossy(body);
    let placement = choice as usize % PLACEMENTS.len();
    let command = COMMANDS[(choice as usize / PLACEMENTS.len()) % COMMANDS.len()];
    check_command_placement(&body, placement, command, at as usize);
}

/// Inserts `command` into `body` at `placement`, at the line picked by `at`, and checks the
/// lint and the decision. Public so that tests can name a case directly.
pub fn check_command_placement(body: &str, placement: usize, command: &str, at: usize) {
    let (name, template) = PLACEMENTS[placement];
    let block = template.replace("{c}", command);
    let front_matter = name == "front matter value";
    // Line starts of the body; the insertion goes at one of them (or at the end).
    let mut starts: Vec<usize> = vec![0];
    starts.extend(body.match_indices('\n').map(|(i, _)| i + 1));
    let off = if front_matter {
        0
    } else {
        let s = starts[at % starts.len()];
        if body[..s].is_empty() || body[..s].ends_with('\n') {
            s
        } else {
            body.len()
        }
    };
    let (before, after) = body.split_at(off);
    let mut doc = String::with_capacity(body.len() + block.len() + 4);
    doc.push_str(before);
    if !before.is_empty() {
        if !before.ends_with('\n') {
            doc.push('\n');
        }
        doc.push('\n');
    }
    let block_start = doc.len();
    doc.push_str(&block);
    let cmd_at = block_start + block.find(command).expect("the block holds the command");
    doc.push_str("\n\n");
    doc.push_str(after);

    let idx = crate::span::LineIndex::new(&doc);
    let first_line = idx.position(&doc, block_start).0;
    let last_line = idx.position(&doc, block_start + block.len()).0;
    let cmd_line = idx.position(&doc, cmd_at).0;

    let spec = match specify::parse(SPEC_FILE, &doc, &CONFIG) {
        Ok(s) => s,
        Err(e) => {
            // No verdict on a spec that does not parse (exit 2).
            check_error(&e, SPEC_FILE, doc.as_bytes());
            return;
        }
    };
    let lint = speclint::lint(&spec, &doc, &CONFIG);
    let reported = lint
        .commands
        .iter()
        .any(|(l, _, _, m)| (first_line..=last_line).contains(l) && m.contains("kubectl"));
    let decision = judge(&spec, &lint).decision;
    if reported {
        assert_eq!(
            decision,
            Decision::Block,
            "a spec with a reported command was admitted ({name})"
        );
        return;
    }
    let word = cmd_at + command.find("kubectl").unwrap_or(0);
    if exemption(&doc, &spec, word, cmd_line).is_some() {
        return;
    }
    panic!(
        "`{command}` placed as {name} on line {cmd_line} is not reported (decision {decision:?}); document:\n{doc}"
    );
}

/// Why a command at byte `at` (line `line`) of `doc` need not be reported, if it need not:
/// - it is not part of any text a Markdown renderer shows nor of any raw HTML (a link
///   destination, a reference definition, …);
/// - it is inside an `<!-- sddgate-allow … -->` comment (the directive itself is not scanned)
///   that is raw HTML, starts a comment (is not inside another one) and closes in the same
///   HTML block or inline comment: an unclosed directive silences nothing;
/// - a suppression with a reason naming `concrete_command_in_spec` covers its line: the
///   documented suppression (the rule is suppressible; `sddgate explain
///   concrete_command_in_spec`).
///
/// Everything else a renderer shows (text, code, headings, tables, link and image text, front
/// matter) and raw HTML and ordinary comments (scanned by the lint by design) must be reported.
pub fn exemption(doc: &str, spec: &Spec, at: usize, line: u32) -> Option<&'static str> {
    let suppressed = spec.suppressions.iter().any(|s| {
        s.reason.is_some()
            && s.rules.iter().any(|r| r == "concrete_command_in_spec")
            && (s.covers.0..=s.covers.1).contains(&line)
    });
    if suppressed {
        return Some("covered by a suppression with a reason");
    }
    let mut seen = false;
    for (ev, r) in Parser::new_ext(doc, render_options()).into_offset_iter() {
        match ev {
            // A whole HTML block: its comments, in order, each from `<!--` to the first `-->`
            // after it, if that is in the block. A directive is one whose first word is
            // `sddgate-allow` and that closes; one that does not close is no directive, and
            // a `<!--` inside a comment or inside a tag's quoted value opens nothing.
            Event::Start(pulldown_cmark::Tag::HtmlBlock) => {
                let block = doc.get(r.clone()).unwrap_or("").as_bytes();
                let mut i = 0;
                while i < block.len() {
                    if block[i..].starts_with(b"<!--") {
                        // `<!-->` and `<!--->` are whole (empty) comments.
                        let close = if block[i + 4..].starts_with(b">") {
                            Some(i + 5)
                        } else if block[i + 4..].starts_with(b"->") {
                            Some(i + 6)
                        } else {
                            find(&block[i + 4..], b"-->").map(|p| i + 4 + p + 3)
                        };
                        let Some(close) = close else {
                            break;
                        };
                        if close < i + 7 {
                            i = close;
                            continue;
                        }
                        let content = String::from_utf8_lossy(&block[i + 4..close - 3]);
                        if is_directive(&content) && (r.start + i..r.start + close).contains(&at) {
                            return Some("inside an sddgate-allow directive");
                        }
                        i = close;
                    } else if block[i] == b'<'
                        && block
                            .get(i + 1)
                            .is_some_and(|c| c.is_ascii_alphabetic() || *c == b'/')
                    {
                        // A tag, to its `>` outside quotes (or a lone `<`).
                        let mut j = i + 1;
                        let mut quote = None;
                        while j < block.len() {
                            match (quote, block[j]) {
                                (None, b'>') => break,
                                (None, q @ (b'"' | b'\'')) => quote = Some(q),
                                (Some(q), c) if c == q => quote = None,
                                _ => {}
                            }
                            j += 1;
                        }
                        i = if j < block.len() { j + 1 } else { i + 1 };
                    } else {
                        i += 1;
                    }
                }
            }
            // An inline comment is one event, from `<!--` to its `-->`.
            Event::InlineHtml(h)
                if h.starts_with("<!--")
                    && h.len() >= 7
                    && h.ends_with("-->")
                    && is_directive(&h[4..h.len() - 3])
                    && r.contains(&at) =>
            {
                return Some("inside an sddgate-allow directive");
            }
            Event::Html(_) | Event::InlineHtml(_) | Event::Text(_) | Event::Code(_) => {
                seen |= r.contains(&at)
            }
            _ => {}
        }
    }
    (!seen).then_some("not rendered as text")
}

/// Where `needle` first occurs in `hay`.
fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Whether a comment's content (between `<!--` and `-->`) starts with the word
/// `sddgate-allow` (and is one comment for a browser too).
fn is_directive(content: &str) -> bool {
    // `--!>` ends a comment for a browser: what follows is shown.
    !content.contains("--!>")
        && content
            .trim_start()
            .strip_prefix("sddgate-allow")
            .is_some_and(|rest| {
                !rest
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '-')
            })
}

/// Markdown as GitHub renders a spec: tables, strikethrough, footnotes, task lists and front
/// matter (shown as a table).
fn render_options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_YAML_STYLE_METADATA_BLOCKS
}

/// Reads a spec body as `sddgate` does: UTF-8 check, then parse. `None` when it does not parse
/// (after checking the error).
fn parse_spec(bytes: &[u8]) -> Option<(Spec, String)> {
    let text = match crate::repo::decode_text(bytes.to_vec(), SPEC_FILE, CONFIG.max_file_size) {
        Ok(t) => t,
        Err(e) => {
            check_error(&e, SPEC_FILE, bytes);
            return None;
        }
    };
    match specify::parse(SPEC_FILE, &text, &CONFIG) {
        Ok(s) => Some((s, text)),
        Err(e) => {
            check_error(&e, SPEC_FILE, text.as_bytes());
            None
        }
    }
}

/// The decision for [`FULL_MARKS`] judged with this spec and every other fact present.
pub fn judge(spec: &Spec, lint: &SpecLint) -> decide::Evaluation {
    let r = readiness::parse("readiness.md", FULL_MARKS).expect("FULL_MARKS parses");
    let mut facts = all_present(&r);
    facts.spec = Some(crate::gate::spec_facts(spec, lint));
    // Judge the command alone: the structure of a fuzzed body is not the question here.
    if let Some(s) = facts.spec.as_mut() {
        s.missing_sections.clear();
    }
    let (profile, raised) = CONFIG.profile_for(None).expect("default profile");
    decide::evaluate(&r, &facts, profile, raised)
}

/// Facts as a repository holding every named file would give them.
fn all_present(r: &Readiness) -> Facts {
    Facts {
        spec: None,
        evidence: r
            .evidence
            .iter()
            .map(|(c, p)| EvidenceFact {
                category: *c,
                path: p.clone(),
                status: EvidenceStatus::Present,
            })
            .collect(),
        rollback: RollbackFact::Present,
        trace: None,
    }
}

/// The readiness parser and the decision.
///
/// `data[0]` picks the file extension (`.md`, `.yaml`, `.yml`, `.json`), the rest is the
/// document. If it parses, it is judged under every built-in profile with several sets of
/// facts; checked: an admitted incident has no blocker, reaches its threshold, has coverage
/// 1.0, no category above its claim, and a spec command, a missing evidence file, a trace
/// below 1.0 or a stateful target without backup always block.
pub fn readiness(data: &[u8]) {
    if data.is_empty() || data.len() > MAX_INPUT {
        return;
    }
    let name = [
        "readiness.md",
        "readiness.yaml",
        "readiness.yml",
        "readiness.json",
    ][data[0] as usize % 4];
    let bytes = &data[1..];
    let text = match crate::repo::decode_text(bytes.to_vec(), name, CONFIG.max_file_size) {
        Ok(t) => t,
        Err(e) => return check_error(&e, name, bytes),
    };
    // The fast YAML reader (parse::yaml_fast) must read whatever it takes exactly as
    // serde_yaml does, as a generic value and as the typed readiness fields.
    let yaml_text = if name.ends_with(".md") {
        crate::parse::frontmatter::split(&text)
            .ok()
            .flatten()
            .map(|fm| fm.yaml)
    } else if name.ends_with(".json") {
        None
    } else {
        Some(text.as_str())
    };
    if let Some(y) = yaml_text
        && y.len() <= crate::parse::yaml::MAX_YAML_BYTES
    {
        if let Err(e) = crate::parse::yaml::fast_reader_agrees(y) {
            panic!("{e}");
        }
        if let Err(e) = readiness::fast_reader_agrees(y) {
            panic!("{e}");
        }
    }
    let first = readiness::parse(name, &text);
    let second = readiness::parse(name, &text);
    assert_eq!(
        format!("{first:?}"),
        format!("{second:?}"),
        "the readiness parser is not deterministic"
    );
    let r = match first {
        Ok(r) => r,
        Err(e) => return check_error(&e, name, text.as_bytes()),
    };
    assert_eq!(r.file, name);
    let lines = line_count(text.as_bytes()) as u32;
    assert!(
        r.incident_id.line <= lines,
        "incident_id on line {} of {lines}",
        r.incident_id.line
    );
    for s in &r.scores {
        assert!(s.value <= 5, "score {} above 5", s.value);
    }
    let cov = r.audit_trace_coverage.value;
    assert!((0.0..=1.0).contains(&cov), "coverage {cov} out of range");

    let clean = SpecFacts {
        file: SPEC_FILE.into(),
        ..SpecFacts::default()
    };
    for (name, profile) in crate::profiles::builtin() {
        let base = Facts {
            spec: Some(clean.clone()),
            ..all_present(&r)
        };
        check_evaluation(&r, &base, &profile, &name);

        let mut with_command = base.clone();
        if let Some(s) = with_command.spec.as_mut() {
            s.commands = vec![(1, 1, 7, "kubectl delete pod x".into())];
        }
        let e = check_evaluation(&r, &with_command, &profile, &name);
        assert_eq!(
            e.decision,
            Decision::Block,
            "a spec command was admitted ({name})"
        );

        let mut low_trace = base.clone();
        low_trace.trace = Some(TraceFact {
            log: TRACE_FILE.into(),
            computed: 0.5,
            missing_steps: vec!["dry_run"],
        });
        let e = check_evaluation(&r, &low_trace, &profile, &name);
        assert_eq!(
            e.decision,
            Decision::Block,
            "trace 0.5 was admitted ({name})"
        );

        if !r.evidence.is_empty() {
            let mut missing = base.clone();
            missing.evidence[0].status = EvidenceStatus::Missing;
            let e = check_evaluation(&r, &missing, &profile, &name);
            assert_eq!(
                e.decision,
                Decision::Block,
                "missing evidence was admitted ({name})"
            );
        }

        let mut no_rollback = base.clone();
        no_rollback.rollback = RollbackFact::Absent;
        let e = check_evaluation(&r, &no_rollback, &profile, &name);
        assert_eq!(
            e.decision,
            Decision::Block,
            "no rollback was admitted ({name})"
        );
    }
}

/// Decides and checks what must hold of any decision.
fn check_evaluation(
    r: &Readiness,
    facts: &Facts,
    profile: &crate::profiles::Profile,
    name: &str,
) -> decide::Evaluation {
    let e = decide::evaluate(r, facts, profile, None);
    let again = decide::evaluate(r, facts, profile, None);
    assert_eq!(e.decision, again.decision, "decision not deterministic");
    let mut total = 0u8;
    for c in &e.categories {
        assert!(
            c.verified <= c.claimed,
            "{} verified {} above claimed {} ({name})",
            c.category,
            c.verified,
            c.claimed
        );
        total += c.verified;
    }
    assert_eq!(
        total, e.verified_total,
        "verified total is not the sum ({name})"
    );
    if e.decision != Decision::Block {
        assert!(
            e.blockers.iter().all(|b| b.id == "score_below_threshold"),
            "admitted ({:?}) with blockers {:?} ({name})",
            e.decision,
            e.blockers.iter().map(|b| b.id).collect::<Vec<_>>()
        );
        assert!(
            e.audit_trace_coverage.counted >= 1.0,
            "admitted with coverage {} ({name})",
            e.audit_trace_coverage.counted
        );
        let stateful = r.stateful.value
            || facts
                .spec
                .as_ref()
                .and_then(|s| s.stateful.as_ref())
                .is_some_and(|s| s.value);
        assert!(
            !stateful || r.backup_verified.as_ref().is_some_and(|b| b.value),
            "admitted a stateful target without a verified backup ({name})"
        );
        assert!(
            e.categories.iter().all(|c| c.verified > 0),
            "admitted with a category at 0 ({name})"
        );
    }
    match e.decision {
        Decision::Auto => {
            assert!(e.blockers.is_empty(), "auto with blockers ({name})");
            let min = e.thresholds.auto_min.expect("auto needs a threshold");
            assert!(e.verified_total >= min, "auto below threshold ({name})");
        }
        Decision::SemiManual => {
            assert!(
                e.verified_total >= e.thresholds.semi_manual_min,
                "semi-manual below its minimum ({name})"
            );
        }
        Decision::Block => {}
    }
    e
}

/// Secrets planted into payloads, each with a part that must never be printed.
pub const PLANTED: [(&str, &str); 8] = [
    ("zq7dana.whitfield@example.com", "zq7dana"),
    ("Bearer zq7tokABCDEFGH12345", "zq7tokABCDEFGH12345"),
    ("ghp_zq7AAAAAAAAAAAAAAAAAAAAAAAA", "ghp_zq7AAAA"),
    ("https://admin:zq7pw@grafana.example.com/d/x", "zq7pw"),
    ("https://h.example/x?token=zq7qs&orgId=1", "zq7qs"),
    ("password=zq7hunter", "zq7hunter"),
    ("eyJzq7aaaaa.eyJbbbbbbb.cccc", "eyJzq7aaaaa"),
    ("AKIAZQ7AAAAAAAAAAAAA", "AKIAZQ7AAAA"),
];

/// A Grafana webhook through `sddgate normalize --grafana`.
pub fn grafana(data: &[u8]) {
    normalizer(Tool::Grafana, data)
}

/// An Alertmanager webhook through `sddgate normalize --alertmanager`.
pub fn alertmanager(data: &[u8]) {
    normalizer(Tool::Alertmanager, data)
}

/// A PagerDuty webhook through `sddgate normalize --pagerduty`.
pub fn pagerduty(data: &[u8]) {
    normalizer(Tool::PagerDuty, data)
}

/// The normalizer for one flag. The payload as given, then (when it is JSON) with one string
/// of it replaced by or extended with a [`PLANTED`] secret chosen from a hash of the input.
/// Checks: errors of the exit-2 class naming the payload; the same output twice; no string of
/// the event looks secret (email, token, password, URL credentials); no planted secret appears
/// in anything printed (event, warnings, notes, error message).
fn normalizer(tool: Tool, data: &[u8]) {
    if data.len() > MAX_INPUT {
        return;
    }
    let out = run_normalize(tool, data);
    assert_eq!(
        out,
        run_normalize(tool, data),
        "normalize is not deterministic"
    );
    if let Ok(text) = std::str::from_utf8(data)
        && let Ok(mut value) = serde_json::from_str::<serde_json::Value>(text)
    {
        let h = fnv(data);
        let (secret, marker) = PLANTED[(h % PLANTED.len() as u64) as usize];
        let mut strings = 0usize;
        count_strings(&value, &mut strings);
        if strings == 0 {
            return;
        }
        let target = ((h >> 8) % strings as u64) as usize;
        let style = (h >> 24) % 4;
        let mut n = 0usize;
        plant(&mut value, target, &mut n, &|s: &str| match style {
            0 => secret.to_string(),
            1 => format!("{s} {secret}"),
            2 => format!("{s}/{secret}"),
            _ => format!("{secret}{s}"),
        });
        let planted = serde_json::to_vec(&value).expect("a value serializes");
        let out = run_normalize(tool, &planted);
        assert!(
            !out.contains(marker),
            "planted secret `{secret}` printed:\n{out}"
        );
    }
}

/// Everything `normalize` would print for a payload, as one string.
fn run_normalize(tool: Tool, data: &[u8]) -> String {
    static N: AtomicU64 = AtomicU64::new(0);
    let path = std::env::temp_dir().join(format!(
        "sddgate-fuzz-{}-{}.json",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::write(&path, data).expect("write the payload to a temporary file");
    let input = Input {
        flag: tool,
        path: path.clone(),
        shown: PAYLOAD_FILE.into(),
    };
    let settings = Settings::default();
    let result = normalize::normalize(
        &[input],
        &settings,
        crate::config::DEFAULT_MAX_FILE_SIZE,
        None,
        &mut || Ok(trace::Log::default()),
    );
    let _ = std::fs::remove_file(&path);
    match result {
        Ok(Outcome::Event(n)) => {
            let value = n.event.to_value();
            check_no_secret(&value);
            let mut out = n.event.to_compact();
            for line in n.warnings.iter().chain(&n.notes) {
                out.push_str(line);
                out.push('\n');
            }
            out.push_str(&format!("{:?} {:?}\n", n.origin, n.reuse_keys));
            out
        }
        Ok(Outcome::NoFiring(lines)) => format!("no-firing\n{}", lines.join("\n")),
        Ok(Outcome::Conflict(lines)) => format!("conflict\n{}", lines.join("\n")),
        Err(e) => {
            check_error(&e, PAYLOAD_FILE, data);
            format!("error {e}")
        }
    }
}

/// No string in an event (keys included) looks like a secret.
fn check_no_secret(v: &serde_json::Value) {
    match v {
        serde_json::Value::String(s) => {
            assert!(
                !redact::looks_secret(s),
                "secret-looking value in the event: {s}"
            )
        }
        serde_json::Value::Array(a) => a.iter().for_each(check_no_secret),
        serde_json::Value::Object(o) => {
            for (k, v) in o {
                assert!(
                    !redact::looks_secret(k),
                    "secret-looking key in the event: {k}"
                );
                check_no_secret(v);
            }
        }
        _ => {}
    }
}

fn count_strings(v: &serde_json::Value, n: &mut usize) {
    match v {
        serde_json::Value::String(_) => *n += 1,
        serde_json::Value::Array(a) => a.iter().for_each(|x| count_strings(x, n)),
        serde_json::Value::Object(o) => o.values().for_each(|x| count_strings(x, n)),
        _ => {}
    }
}

fn plant(v: &mut serde_json::Value, target: usize, n: &mut usize, f: &dyn Fn(&str) -> String) {
    match v {
        serde_json::Value::String(s) => {
            if *n == target {
                *s = f(s);
            }
            *n += 1;
        }
        serde_json::Value::Array(a) => a.iter_mut().for_each(|x| plant(x, target, n, f)),
        serde_json::Value::Object(o) => o.values_mut().for_each(|x| plant(x, target, n, f)),
        _ => {}
    }
}

/// FNV-1a: a fixed choice per input, so a finding replays.
fn fnv(data: &[u8]) -> u64 {
    data.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ b as u64).wrapping_mul(0x0100_0000_01b3)
    })
}

/// The trace-log reader. Checks: errors of the exit-2 class on a real line; the same result
/// twice; records in line order, each at the offset and line where its text starts.
pub fn trace_log(data: &[u8]) {
    if data.len() > MAX_INPUT {
        return;
    }
    let first = trace::parse(TRACE_FILE, data);
    let second = trace::parse(TRACE_FILE, data);
    assert_eq!(
        format!("{first:?}"),
        format!("{second:?}"),
        "the trace reader is not deterministic"
    );
    let log = match first {
        Ok(log) => log,
        Err(e) => return check_error(&e, TRACE_FILE, data),
    };
    let mut last = 0u32;
    for r in &log.records {
        assert!(r.line > last, "records out of line order");
        last = r.line;
        let off = r.offset as usize;
        assert!(off < data.len(), "record offset past the end");
        assert!(
            off == 0 || data[off - 1] == b'\n',
            "record offset not at a line start"
        );
        assert_eq!(
            line_count(&data[..off]) as u32,
            r.line,
            "record line does not match its offset"
        );
        assert_eq!(r.step, trace::canonical_step(&r.step), "step not canonical");
    }
    assert!(log.warnings.len() <= 1, "more than one torn record");
}
