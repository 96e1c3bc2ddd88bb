//! A [`Report`] as GitHub shows it: the check run's conclusion, title, summary, text and
//! annotations, the sticky PR comment and the job summary. Pure: no I/O, no environment.
//!
//! Everything that comes from a document (ids, paths, messages quoting a spec) is escaped so
//! that it reads as plain text: no HTML, no links, no images, no `@` mentions or `#123`
//! references, no table cells broken by `|`, no math. Long outputs are cut to GitHub's limits,
//! later incidents' details first, and say what was cut.

use crate::decide::{Evaluation, EvidenceStatus, fmt_cov};
use crate::gate::IncidentReport;
use crate::model::{Category, Decision, Severity, Violation};
use crate::report::{ErrorReport, Report};
use crate::trace::{Chain, Source};
use serde::ser::{Serialize, SerializeStruct, Serializer};
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// The hidden marker that finds the sticky comment again.
pub const MARKER: &str = "<!-- sddgate:pr-comment -->";
/// GitHub's limit for a comment body (characters) and for a check run's `output.summary` and
/// `output.text` (enforced in bytes: "summary exceeds a maximum bytesize of 65535").
pub const MAX_BODY: usize = 65_535;
/// Characters [`comment_body`] leaves free below [`MAX_BODY`] for a trailer the caller appends
/// (the run's nonce comment).
pub const COMMENT_ROOM: usize = 256;
/// GitHub's limit for a check run's `output.title` and an annotation's `title` (characters).
pub const MAX_TITLE: usize = 255;
/// What the job summary may hold: GitHub's 1 MiB per step, less room for the caller's notes.
pub const MAX_JOB_SUMMARY: usize = crate::github::workflow::MAX_STEP_SUMMARY - 16 * 1024;

/// Blockers, warnings, findings or errors listed per section before "… and N more".
const MAX_LISTED: usize = 30;
/// Characters of one piece of document text (a message, a path) before it is clipped.
const MAX_TEXT: usize = 1_000;
/// Characters of an annotation's message and raw details (GitHub allows 64 KB).
const MAX_ANNOTATION_TEXT: usize = 16_000;

/// Where links point: files at the pull request's head commit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Links {
    /// `https://github.com`, or the GHES host (`GITHUB_SERVER_URL`).
    pub server_url: String,
    /// `owner/name`.
    pub repo: String,
    /// The PR's head SHA (not the merge SHA).
    pub sha: String,
}

impl Links {
    /// `{server}/{repo}/blob/{sha}/{path}#L{line}`, each path segment percent-encoded. Files
    /// GitHub renders (Markdown, reStructuredText, CSV, notebooks …) get `?plain=1` before the
    /// line anchor, or the anchor would point into the rendered page and go nowhere.
    pub fn blob(&self, path: &str, line: Option<u32>) -> String {
        let path = clean_path(path);
        let mut url = format!(
            "{}/blob/{}/{}",
            self.repo_url(),
            encode_segment(&self.sha),
            encode_path(&path)
        );
        if let Some(l) = line.filter(|l| *l > 0) {
            if rendered_by_github(&path) {
                url.push_str("?plain=1");
            }
            let _ = write!(url, "#L{l}");
        }
        url
    }

    /// `{server}/{repo}/commit/{sha}`.
    pub fn commit(&self, sha: &str) -> String {
        format!("{}/commit/{}", self.repo_url(), encode_segment(sha))
    }

    fn repo_url(&self) -> String {
        format!(
            "{}/{}",
            self.server_url.trim_end_matches('/'),
            encode_path(&self.repo)
        )
    }

    fn short_sha(&self) -> &str {
        let end = self
            .sha
            .char_indices()
            .nth(7)
            .map_or(self.sha.len(), |(i, _)| i);
        &self.sha[..end]
    }
}

/// Who approved the pull request at its head SHA, for a semi-manual decision.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Approval {
    /// Logins of configured approvers whose latest review approves the head SHA.
    pub approved_by: Vec<String>,
    /// Whether the config names any approver (without one, nothing can be approved).
    pub approvers_configured: bool,
}

impl Approval {
    /// An approval counts only when approvers are configured and one of them approved.
    fn approved(&self) -> bool {
        self.approvers_configured && !self.approved_by.is_empty()
    }
}

/// The run's outcome on GitHub: the report's decision with the approval applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Nothing,
    Pass,
    /// Semi-manual, approved by a configured approver at the head SHA.
    Approved,
    Semi,
    Block,
    Error,
}

fn outcome(report: &Report, approval: &Approval) -> Outcome {
    let lint_failed = report
        .files
        .iter()
        .flat_map(|f| &f.findings)
        .any(|v| v.severity == Severity::Error);
    let worst = report.incidents.iter().map(|i| i.decision).max();
    if report.exit_code == 2 || !report.errors.is_empty() || ![0, 1, 3].contains(&report.exit_code)
    {
        Outcome::Error
    } else if report.exit_code == 1 || lint_failed || worst == Some(Decision::Block) {
        Outcome::Block
    } else if report.exit_code == 3 || worst == Some(Decision::SemiManual) {
        if approval.approved() {
            Outcome::Approved
        } else {
            Outcome::Semi
        }
    } else if report.incidents.is_empty() && report.files.is_empty() {
        Outcome::Nothing
    } else {
        Outcome::Pass
    }
}

/// The check run's conclusion: `failure` for a block, a lint error or any error; `neutral`
/// only when nothing is in scope; `action_required` for semi-manual without an approval;
/// `success` for pass and for an approved semi-manual.
pub fn conclusion(report: &Report, approval: &Approval) -> &'static str {
    match outcome(report, approval) {
        Outcome::Nothing => "neutral",
        Outcome::Pass | Outcome::Approved => "success",
        Outcome::Semi => "action_required",
        Outcome::Block | Outcome::Error => "failure",
    }
}

/// The `decision` step output: `pass`, `semi-manual`, `block`, `error` or `none` (nothing in
/// scope). An approved semi-manual decision is `pass`: it is admitted, as the exit code says.
pub fn decision_word(report: &Report, approval: &Approval) -> &'static str {
    match outcome(report, approval) {
        Outcome::Nothing => "none",
        Outcome::Pass | Outcome::Approved => "pass",
        Outcome::Semi => "semi-manual",
        Outcome::Block => "block",
        Outcome::Error => "error",
    }
}

/// The exit code of `sddgate ci`: the report's, except that an approved semi-manual passes.
pub fn exit_code(report: &Report, approval: &Approval) -> i32 {
    match outcome(report, approval) {
        Outcome::Nothing | Outcome::Pass | Outcome::Approved => 0,
        Outcome::Semi => 3,
        Outcome::Block => 1,
        Outcome::Error => 2,
    }
}

// ---------------------------------------------------------------------------------------------
// Escaping

/// Word joiner: invisible, and breaks `@login`, `#123`, `https://` and `www.` so that GitHub
/// neither mentions, cross-references nor autolinks them.
const WJ: char = '\u{2060}';

/// Characters that reorder text on screen (Trojan Source): shown as U+FFFD instead.
fn is_bidi(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
}

/// One line of plain characters: newlines and tabs become spaces, controls and bidi
/// overrides U+FFFD, clipped to `max` characters with `…`.
fn flat(s: &str, max: usize) -> String {
    let mut out = String::with_capacity(s.len().min(max * 4));
    for (n, c) in s.trim().chars().enumerate() {
        if n == max {
            out.push('…');
            break;
        }
        match c {
            '\n' | '\r' | '\t' => out.push(' '),
            c if c.is_control() || is_bidi(c) => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// Inserts [`WJ`] where GitHub would otherwise mention, reference or autolink.
fn defuse(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len() + 8);
    for (i, &c) in chars.iter().enumerate() {
        out.push(c);
        let next = chars.get(i + 1).copied();
        let defuse_here = match c {
            '@' => next.is_some_and(|n| n.is_alphanumeric() || n == '-' || n == '_'),
            '#' => next.is_some_and(|n| n.is_ascii_digit()),
            ':' => next == Some('/') && chars.get(i + 2) == Some(&'/'),
            'w' | 'W' => {
                i >= 2
                    && chars[i - 2..=i]
                        .iter()
                        .all(|x| x.eq_ignore_ascii_case(&'w'))
                    && next == Some('.')
            }
            _ => false,
        };
        if defuse_here {
            out.push(WJ);
        }
    }
    out
}

/// Document text as inline Markdown that renders exactly as written: every character that
/// can start markup is backslash-escaped, and a leading list, heading or quote marker too.
fn md(s: &str) -> String {
    let text = defuse(&flat(s, MAX_TEXT));
    let mut out = String::with_capacity(text.len() + 16);
    let chars: Vec<char> = text.chars().collect();
    // `1. x` or `1) x` at the start would open an ordered list.
    let digits = chars.iter().take_while(|c| c.is_ascii_digit()).count();
    for (i, &c) in chars.iter().enumerate() {
        let escape = match c {
            '\\' | '`' | '*' | '_' | '{' | '}' | '[' | ']' | '<' | '>' | '&' | '|' | '~' | '$'
            | '!' | '^' => true,
            '#' | '-' | '+' | '=' => i == 0,
            '.' | ')' => i == digits && digits > 0,
            _ => false,
        };
        if escape {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Document text as a Markdown code span (nothing inside is markup, mention or link).
/// `table`: inside a table cell, where `|` must be written `\|` even in code.
fn code(s: &str, table: bool) -> String {
    let text = flat(s, MAX_TEXT);
    if text.is_empty() {
        return "*(empty)*".into();
    }
    let text = if table {
        text.replace('|', "\\|")
    } else {
        text
    };
    let mut longest = 0;
    let mut run = 0;
    for c in text.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    let fence = "`".repeat(longest + 1);
    let pad = text.starts_with('`')
        || text.ends_with('`')
        || (text.starts_with(' ') && text.ends_with(' '));
    if pad {
        format!("{fence} {text} {fence}")
    } else {
        format!("{fence}{text}{fence}")
    }
}

/// A message from the gate, which quotes document text between backticks: the quoted parts
/// become code spans, the rest escaped text. An unmatched backtick stays a literal backtick.
fn message(s: &str, table: bool) -> String {
    let s = flat(s, MAX_TEXT);
    let mut parts: Vec<&str> = s.split('`').collect();
    let mut unmatched = None;
    if parts.len().is_multiple_of(2) {
        // An odd number of backticks: the last one opens nothing.
        let last = parts.pop().unwrap_or("");
        let before = parts.pop().unwrap_or("");
        unmatched = Some(format!("{before}`{last}"));
    }
    let mut out = String::with_capacity(s.len() + 16);
    for (i, p) in parts.iter().enumerate() {
        if i % 2 == 1 && !p.trim().is_empty() {
            out.push_str(&code(p, table));
        } else if i % 2 == 1 {
            out.push_str(&md(&format!("`{p}`")));
        } else {
            out.push_str(&md_inner(p));
        }
    }
    if let Some(rest) = unmatched {
        out.push_str(&md_inner(&rest));
    }
    out
}

/// Like [`md`] but for text in the middle of a line: spaces kept at both ends, and block
/// markers escaped only at the very start of the whole message (handled by the caller).
fn md_inner(s: &str) -> String {
    if s.is_empty() {
        return String::new();
    }
    let lead = s.len() - s.trim_start().len();
    let trail = s.len() - s.trim_end().len();
    if lead == s.len() {
        return " ".into();
    }
    format!("{}{}{}", &s[..lead], md(s), &s[s.len() - trail..])
}

/// Text inside an HTML element (the `<summary>` of a details block).
fn html(s: &str) -> String {
    let text = defuse(&flat(s, MAX_TEXT));
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// `[`label`](url)` for a repository file, or the path as code when it cannot be linked
/// (absolute, `..`, empty).
fn file_link(
    links: &Links,
    path: &str,
    line: Option<u32>,
    col: Option<u32>,
    table: bool,
) -> String {
    let label = match (line, col) {
        (Some(l), Some(c)) => format!("{}:{l}:{c}", clean_path(path)),
        (Some(l), None) => format!("{}:{l}", clean_path(path)),
        _ => clean_path(path),
    };
    if linkable(path) {
        format!("[{}]({})", code(&label, table), links.blob(path, line))
    } else {
        code(&label, table)
    }
}

// ---------------------------------------------------------------------------------------------
// Paths and URLs

/// `./a//b\c` → `a/b/c`.
fn clean_path(p: &str) -> String {
    p.replace('\\', "/")
        .split('/')
        .filter(|s| !s.is_empty() && *s != ".")
        .collect::<Vec<_>>()
        .join("/")
}

/// A path inside the repository: relative, without `..`, not a Windows drive.
fn linkable(p: &str) -> bool {
    let c = clean_path(p);
    !c.is_empty()
        && !p.starts_with('/')
        && !p.starts_with('\\')
        && !c.split('/').any(|s| s == "..")
        && !matches!(c.as_bytes(), [d, b':', ..] if d.is_ascii_alphabetic())
        && !c.chars().any(char::is_control)
}

/// RFC 3986 unreserved characters stay, every other byte is `%XX`.
fn encode_segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

fn encode_path(p: &str) -> String {
    p.split('/')
        .map(encode_segment)
        .collect::<Vec<_>>()
        .join("/")
}

/// Files GitHub shows rendered, where `#L12` needs `?plain=1` to reach a line.
fn rendered_by_github(path: &str) -> bool {
    let ext = path
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    matches!(
        ext.as_str(),
        "md" | "markdown"
            | "mdown"
            | "mkdn"
            | "mkd"
            | "mdwn"
            | "rst"
            | "adoc"
            | "asciidoc"
            | "org"
            | "textile"
            | "rdoc"
            | "creole"
            | "mediawiki"
            | "wiki"
            | "pod"
            | "csv"
            | "tsv"
            | "ipynb"
            | "svg"
            | "geojson"
            | "topojson"
    )
}

// ---------------------------------------------------------------------------------------------
// Words

fn plural(n: usize, one: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {one}s")
    }
}

fn category_title(c: Category) -> &'static str {
    match c {
        Category::Spec => "Spec",
        Category::Implementation => "Implementation",
        Category::Verification => "Verification",
        Category::Process => "Process",
        Category::Security => "Security",
    }
}

fn decision_label(d: Decision, approved: bool) -> &'static str {
    match (d, approved) {
        (Decision::SemiManual, true) => "SEMI-MANUAL (approved)",
        _ => d.word(),
    }
}

fn status_words(s: EvidenceStatus) -> &'static str {
    match s {
        EvidenceStatus::Present => "",
        EvidenceStatus::Missing => " (does not exist)",
        EvidenceStatus::Empty => " (empty)",
        EvidenceStatus::OutsideRepository => " (outside the repository: not read)",
    }
}

/// `17 incidents: 14 blocked, 1 semi-manual, 2 pass; 1 document could not be judged`.
fn counts(report: &Report, approval: &Approval) -> String {
    let mut parts = Vec::new();
    if !report.incidents.is_empty() {
        let n = |d: Decision| report.incidents.iter().filter(|i| i.decision == d).count();
        let (b, s, p) = (
            n(Decision::Block),
            n(Decision::SemiManual),
            n(Decision::Auto),
        );
        let mut kinds = Vec::new();
        if b > 0 {
            kinds.push(format!("{b} blocked"));
        }
        if s > 0 {
            let approved = if approval.approved() {
                " (approved)"
            } else {
                ""
            };
            kinds.push(format!("{s} semi-manual{approved}"));
        }
        if p > 0 {
            kinds.push(format!("{p} pass"));
        }
        parts.push(format!(
            "{}: {}",
            plural(report.incidents.len(), "incident"),
            kinds.join(", ")
        ));
    }
    if !report.files.is_empty() {
        let (e, w) = lint_counts(report);
        parts.push(format!(
            "lint: {}, {} in {}",
            plural(e, "error"),
            plural(w, "warning"),
            plural(report.files.len(), "file")
        ));
    }
    if !report.errors.is_empty() {
        parts.push(format!(
            "{} could not be judged",
            plural(report.errors.len(), "document")
        ));
    }
    parts.join("; ")
}

fn lint_counts(report: &Report) -> (usize, usize) {
    report
        .files
        .iter()
        .flat_map(|f| &f.findings)
        .fold((0, 0), |(e, w), v| match v.severity {
            Severity::Error => (e + 1, w),
            Severity::Warning => (e, w + 1),
        })
}

fn status_word(o: Outcome) -> &'static str {
    match o {
        Outcome::Nothing => "nothing in scope",
        Outcome::Pass | Outcome::Approved => "PASS",
        Outcome::Semi => "SEMI-MANUAL",
        Outcome::Block => "BLOCK",
        Outcome::Error => "ERROR",
    }
}

/// `**sddgate: BLOCK** — 2 incidents: 1 blocked, 1 pass`.
fn headline(report: &Report, approval: &Approval) -> String {
    let o = outcome(report, approval);
    if o == Outcome::Nothing {
        return "**sddgate: nothing in scope** — no incident spec, readiness document or evidence was gated.".into();
    }
    format!(
        "**sddgate: {}** — {}",
        status_word(o),
        counts(report, approval)
    )
}

/// What a semi-manual decision waits for, or who admitted it.
fn approval_line(report: &Report, links: &Links, approval: &Approval) -> Option<String> {
    if !report
        .incidents
        .iter()
        .any(|i| i.decision == Decision::SemiManual)
    {
        return None;
    }
    let at = code(links.short_sha(), false);
    Some(if approval.approved() {
        let who: Vec<String> = approval
            .approved_by
            .iter()
            .map(|w| code(w, false))
            .collect();
        format!(
            "Semi-manual admitted: approved at {at} by {}.",
            who.join(", ")
        )
    } else if approval.approvers_configured {
        format!(
            "Semi-manual needs a human: an approving review of {at} by a configured approver admits it (a review of an earlier commit does not count)."
        )
    } else {
        "Semi-manual needs a human, and no approvers are configured: list them under `approvers:` in the base branch's config.".into()
    })
}

/// The check run's title, e.g. `BLOCK: 1 of 2 incidents blocked` (at most 255 characters).
fn title(report: &Report, approval: &Approval) -> String {
    let n = report.incidents.len();
    let count = |d: Decision| report.incidents.iter().filter(|i| i.decision == d).count();
    let t = match outcome(report, approval) {
        Outcome::Nothing => "Nothing in scope".to_string(),
        Outcome::Error => {
            let mut t = format!(
                "ERROR: {} could not be judged",
                plural(report.errors.len(), "document")
            );
            if report.errors.is_empty() {
                t = format!("ERROR: exit code {}", report.exit_code);
            }
            if count(Decision::Block) > 0 {
                let _ = write!(t, "; {} of {n} incidents blocked", count(Decision::Block));
            }
            t
        }
        Outcome::Block if count(Decision::Block) == 0 => {
            let (e, _) = lint_counts(report);
            format!("BLOCK: lint found {}", plural(e, "error"))
        }
        Outcome::Block => format!(
            "BLOCK: {} of {} blocked",
            count(Decision::Block),
            plural(n, "incident")
        ),
        Outcome::Semi => format!(
            "SEMI-MANUAL: {} of {} {} approval",
            count(Decision::SemiManual),
            plural(n, "incident"),
            if count(Decision::SemiManual) == 1 {
                "needs"
            } else {
                "need"
            }
        ),
        Outcome::Approved => format!(
            "PASS: {} approved by {}",
            plural(count(Decision::SemiManual), "semi-manual incident"),
            approval.approved_by.join(", ")
        ),
        Outcome::Pass if n == 0 => {
            format!("PASS: lint clean on {}", plural(report.files.len(), "file"))
        }
        Outcome::Pass => format!("PASS: {} admitted automatically", plural(n, "incident")),
    };
    flat(&t, MAX_TITLE - 1)
}

// ---------------------------------------------------------------------------------------------
// Sections

/// Incidents in reading order: blocked first, then semi-manual, then pass; the report's order
/// within each.
fn ordered(report: &Report) -> Vec<&IncidentReport> {
    let mut v: Vec<&IncidentReport> = report.incidents.iter().collect();
    v.sort_by_key(|i| std::cmp::Reverse(i.decision));
    v
}

const TABLE_HEADER: &str =
    "| decision | incident | score | profile | document |\n|---|---|---|---|---|\n";

fn row(i: &IncidentReport, approved: bool) -> String {
    let id = i
        .incident_id
        .as_deref()
        .map_or("*(no readiness)*".to_string(), |id| code(id, true));
    let (score, profile) = match &i.gate {
        Some(g) => (score_text(g), profile_text(g, true)),
        None => ("-".into(), "-".into()),
    };
    let doc = i
        .readiness
        .as_deref()
        .or(i.spec.as_deref())
        .map_or("-".to_string(), |d| code(&clean_path(d), true));
    format!(
        "| {} | {id} | {score} | {profile} | {doc} |\n",
        decision_label(i.decision, approved)
    )
}

/// `19/25 (claimed 24)`.
fn score_text(g: &Evaluation) -> String {
    if g.claimed_total == g.verified_total {
        format!("{}/{}", g.verified_total, g.max_total)
    } else {
        format!(
            "{}/{} (claimed {})",
            g.verified_total, g.max_total, g.claimed_total
        )
    }
}

fn profile_text(g: &Evaluation, table: bool) -> String {
    match &g.profile_requested {
        Some(asked) => format!(
            "{} (asked for {})",
            code(&g.profile, table),
            code(asked, table)
        ),
        None => code(&g.profile, table),
    }
}

/// One finding as a list item: rule, message, where, and the fix as a nested item.
fn finding(v: &Violation, links: &Links, with_severity: bool) -> String {
    let sev = match (with_severity, v.severity) {
        (false, _) => "",
        (true, Severity::Error) => "error ",
        (true, Severity::Warning) => "warning ",
    };
    let mut s = format!(
        "- {sev}{} {}",
        code(v.id, false),
        message(&v.message, false)
    );
    if let Some(f) = &v.file {
        let _ = write!(s, " — {}", file_link(links, f, v.line, v.column, false));
        if v.line.is_none() {
            s.push_str(" (no line)");
        }
    }
    s.push('\n');
    if !v.fix.is_empty() {
        let _ = writeln!(s, "  - fix: {}", message(&v.fix, false));
    }
    s
}

fn findings(out: &mut String, list: &[Violation], links: &Links, with_severity: bool) {
    for v in list.iter().take(MAX_LISTED) {
        out.push_str(&finding(v, links, with_severity));
    }
    if list.len() > MAX_LISTED {
        let _ = writeln!(
            out,
            "- … and {} more (the check run's annotations list every one)",
            list.len() - MAX_LISTED
        );
    }
}

/// One incident's folded details.
fn details(i: &IncidentReport, links: &Links, approved: bool, chains: &[Chain]) -> String {
    let mut s = String::new();
    let mut summary = vec![decision_label(i.decision, approved).to_string()];
    summary.push(
        i.incident_id
            .clone()
            .unwrap_or_else(|| "(no readiness)".into()),
    );
    if let Some(d) = i.readiness.as_deref().or(i.spec.as_deref()) {
        summary.push(clean_path(d));
    }
    if let Some(g) = &i.gate {
        summary.push(score_text(g));
    }
    if !i.blockers.is_empty() {
        summary.push(plural(
            i.blockers.len(),
            if i.decision == Decision::SemiManual {
                "reason"
            } else {
                "blocker"
            },
        ));
    }
    if !i.warnings.is_empty() {
        summary.push(plural(i.warnings.len(), "warning"));
    }
    let _ = writeln!(
        s,
        "<details>\n<summary>{}</summary>\n",
        summary
            .iter()
            .map(|x| html(x))
            .collect::<Vec<_>>()
            .join(" · ")
    );

    if !i.blockers.is_empty() {
        let heading = match i.decision {
            Decision::SemiManual if approved => "Admitted with approval",
            Decision::SemiManual => "Needs approval",
            _ => "Blockers",
        };
        let _ = writeln!(s, "**{heading}**\n");
        findings(&mut s, &i.blockers, links, false);
        s.push('\n');
    }
    if !i.warnings.is_empty() {
        s.push_str("**Warnings**\n\n");
        findings(&mut s, &i.warnings, links, false);
        s.push('\n');
    }
    if let Some(g) = &i.gate {
        scores(&mut s, g);
    }
    let chain = i
        .incident_id
        .as_deref()
        .and_then(|id| chains.iter().find(|c| c.incident_id == id));
    artifacts(&mut s, i, links, chain);
    if let Some(g) = &i.gate {
        audit(&mut s, g, links, chain);
    }
    s.push_str("</details>\n\n");
    s
}

fn scores(s: &mut String, g: &Evaluation) {
    let t = &g.thresholds;
    let auto = t.auto_min.map_or("never automatic".to_string(), |a| {
        format!("automatic ≥ {a}")
    });
    let _ = writeln!(
        s,
        "**Scores**: profile {}: {auto}, semi-manual ≥ {}, category floor {}\n",
        profile_text(g, false),
        t.semi_manual_min,
        t.category_floor
    );
    s.push_str("| category | claimed | verified | capped because |\n|---|--:|--:|---|\n");
    for c in &g.categories {
        let verified = if c.verified < c.claimed {
            format!("**{}**", c.verified)
        } else {
            c.verified.to_string()
        };
        let why = c
            .caps
            .iter()
            .map(|k| format!("{} {}", code(k.rule, true), message(&k.reason, true)))
            .collect::<Vec<_>>()
            .join("; ");
        let _ = writeln!(
            s,
            "| {} | {} | {verified} | {why} |",
            category_title(c.category),
            c.claimed
        );
    }
    let total = if g.verified_total < g.claimed_total {
        format!("**{}**", g.verified_total)
    } else {
        g.verified_total.to_string()
    };
    let _ = writeln!(
        s,
        "| **Total** | {}/{} | {total}/{} |  |\n",
        g.claimed_total, g.max_total, g.max_total
    );
}

/// Every file the incident rests on, linked at the head SHA.
fn artifacts(s: &mut String, i: &IncidentReport, links: &Links, chain: Option<&Chain>) {
    let mut items: Vec<String> = Vec::new();
    if let Some(r) = &i.readiness {
        items.push(format!(
            "readiness: {}",
            file_link(links, r, None, None, false)
        ));
    }
    if let Some(sp) = &i.spec {
        items.push(format!("spec: {}", file_link(links, sp, None, None, false)));
    }
    if let Some(g) = &i.gate {
        for c in &g.categories {
            for e in &c.evidence {
                // A missing or outside file has no page to link to: its path, as code.
                let link = match e.status {
                    EvidenceStatus::Present | EvidenceStatus::Empty => {
                        file_link(links, &e.path, None, None, false)
                    }
                    EvidenceStatus::Missing | EvidenceStatus::OutsideRepository => {
                        code(&e.path, false)
                    }
                };
                items.push(format!(
                    "evidence ({}): {link}{}",
                    c.category,
                    status_words(e.status)
                ));
            }
        }
    }
    let log = chain
        .and_then(|c| {
            c.links
                .iter()
                .flat_map(|l| &l.sources)
                .find_map(|s| match s {
                    Source::Log { file, .. } => Some(file.clone()),
                    Source::Git { .. } => None,
                })
        })
        .or_else(|| {
            // Without the chain, the audit blocker names the log when the log contradicts
            // the claim.
            i.blockers
                .iter()
                .filter(|b| b.id == "audit_trace_incomplete")
                .filter_map(|b| b.file.clone())
                .find(|f| Some(f) != i.readiness.as_ref())
        });
    if let Some(log) = log {
        items.push(format!(
            "trace log: {}",
            file_link(links, &log, None, None, false)
        ));
    }
    if items.is_empty() {
        return;
    }
    let _ = writeln!(s, "**Artifacts** at {}\n", code(links.short_sha(), false));
    for it in items.iter().take(MAX_LISTED * 2) {
        let _ = writeln!(s, "- {it}");
    }
    if items.len() > MAX_LISTED * 2 {
        let _ = writeln!(s, "- … and {} more", items.len() - MAX_LISTED * 2);
    }
    s.push('\n');
}

/// The audit trace: claimed, computed and counted coverage, and the chain when known.
fn audit(s: &mut String, g: &Evaluation, links: &Links, chain: Option<&Chain>) {
    let c = &g.audit_trace_coverage;
    let state = if c.counted >= 1.0 {
        "complete"
    } else {
        "incomplete"
    };
    let from = match c.computed {
        Some(x) => format!(
            "the document claims {}, the trace log shows {}",
            fmt_cov(c.claimed),
            fmt_cov(x)
        ),
        None => format!(
            "the document claims {}; no trace log to check it against",
            fmt_cov(c.claimed)
        ),
    };
    let _ = writeln!(
        s,
        "**Audit trace**: {state}, coverage {} counted ({from})\n",
        fmt_cov(c.counted)
    );
    let Some(chain) = chain else {
        return;
    };
    s.push_str("| # | link | status | found in |\n|--:|---|---|---|\n");
    for (n, l) in chain.links.iter().enumerate() {
        let status = if l.sources.is_empty() {
            "**missing**"
        } else {
            "present"
        };
        let mut found: Vec<String> = l
            .sources
            .iter()
            .take(3)
            .map(|src| match src {
                Source::Log {
                    file,
                    line,
                    reference,
                    ..
                } => {
                    let mut t = file_link(links, file, Some(*line), None, true);
                    if let Some(r) = reference {
                        let _ = write!(t, " ref {}", code(r, true));
                    }
                    t
                }
                Source::Git { sha, subject, .. } => {
                    let short: String = sha.chars().take(7).collect();
                    format!(
                        "commit [{}]({}) {}",
                        code(&short, true),
                        links.commit(sha),
                        message(subject, true)
                    )
                }
            })
            .collect();
        if l.sources.len() > 3 {
            found.push(format!("+{} more", l.sources.len() - 3));
        }
        let _ = writeln!(
            s,
            "| {} | {} | {status} | {} |",
            n + 1,
            code(l.step, true),
            found.join("<br>")
        );
    }
    s.push('\n');
}

fn errors_section(report: &Report, links: &Links) -> String {
    if report.errors.is_empty() {
        return String::new();
    }
    let mut s = format!(
        "**Could not be judged** — {} (exit code 2)\n\n",
        plural(report.errors.len(), "document")
    );
    for e in report.errors.iter().take(MAX_LISTED * 3) {
        s.push_str(&error_item(e, links));
    }
    if report.errors.len() > MAX_LISTED * 3 {
        let _ = writeln!(
            s,
            "- … and {} more (the check run's annotations list every one)",
            report.errors.len() - MAX_LISTED * 3
        );
    }
    s.push('\n');
    s
}

fn error_item(e: &ErrorReport, links: &Links) -> String {
    match &e.file {
        Some(f) => format!(
            "- {}: {}\n",
            file_link(links, f, e.line, e.column, false),
            message(&e.message, false)
        ),
        None => format!("- {}\n", message(&e.message, false)),
    }
}

fn lint_section(report: &Report, links: &Links) -> String {
    if report.files.is_empty() {
        return String::new();
    }
    let (e, w) = lint_counts(report);
    let mut s = format!(
        "**Lint** — {}, {} in {}\n\n",
        plural(e, "error"),
        plural(w, "warning"),
        plural(report.files.len(), "file")
    );
    let all: Vec<Violation> = report
        .files
        .iter()
        .flat_map(|f| f.findings.iter().cloned())
        .collect();
    findings(&mut s, &all, links, true);
    s.push('\n');
    s
}

fn notes_section(report: &Report, notes: &[String]) -> String {
    let all: Vec<&String> = notes.iter().chain(&report.notes).collect();
    if all.is_empty() {
        return String::new();
    }
    let mut s = "**Notes**\n\n".to_string();
    for n in all.iter().take(MAX_LISTED) {
        let _ = writeln!(s, "- {}", message(n, false));
    }
    if all.len() > MAX_LISTED {
        let _ = writeln!(s, "- … and {} more", all.len() - MAX_LISTED);
    }
    s.push('\n');
    s
}

fn footer(links: &Links) -> String {
    format!(
        "<sub>sddgate {} · head [{}]({})</sub>\n",
        env!("CARGO_PKG_VERSION"),
        code(links.short_sha(), false),
        links.commit(&links.sha)
    )
}

// ---------------------------------------------------------------------------------------------
// Fitting a document into a limit

/// A limit, how it is counted, and what the note about a cut says.
struct Budget {
    limit: usize,
    bytes: bool,
    /// `GitHub limits a comment to 65,535 characters`.
    why: &'static str,
    /// `the job summary has them`.
    rest: &'static str,
}

impl Budget {
    fn size(&self, s: &str) -> usize {
        if self.bytes {
            s.len()
        } else {
            s.chars().count()
        }
    }

    /// The longest prefix of `s` within `max` units, at a char boundary.
    fn prefix<'s>(&self, s: &'s str, max: usize) -> &'s str {
        if self.size(s) <= max {
            return s;
        }
        let end = if self.bytes {
            (0..=max)
                .rev()
                .find(|&i| s.is_char_boundary(i))
                .unwrap_or(0)
        } else {
            s.char_indices().nth(max).map_or(s.len(), |(i, _)| i)
        };
        &s[..end]
    }
}

/// The parts of a document in their order; rows and details can be dropped from the end.
#[derive(Default)]
struct Doc {
    head: String,
    table: Option<(String, Vec<String>)>,
    details: Vec<String>,
    tail: String,
    footer: String,
}

fn details_note(n: usize, b: &Budget) -> String {
    if n == 0 {
        return String::new();
    }
    let whose = if n == 1 {
        "1 incident's".to_string()
    } else {
        format!("{n} incidents'")
    };
    format!("*… {whose} details omitted ({}); {}.*\n\n", b.why, b.rest)
}

fn rows_note(n: usize, b: &Budget) -> String {
    if n == 0 {
        return String::new();
    }
    format!(
        "\n*… {} more not listed ({}); {}.*\n",
        plural(n, "incident"),
        b.why,
        b.rest
    )
}

impl Doc {
    fn render(&self, rows: usize, details: usize, b: &Budget) -> String {
        let mut s = self.head.clone();
        if let Some((header, all)) = &self.table {
            s.push_str(header);
            for r in &all[..rows] {
                s.push_str(r);
            }
            s.push_str(&rows_note(all.len() - rows, b));
            s.push('\n');
        }
        for d in &self.details[..details] {
            s.push_str(d);
        }
        s.push_str(&details_note(self.details.len() - details, b));
        s.push_str(&self.tail);
        s.push_str(&self.footer);
        s
    }

    /// Everything, or without the last incidents' details, or without the last table rows
    /// too, or cut: always within `b.limit`, always starting with the head.
    fn fit(&self, b: &Budget) -> String {
        let rows: &[String] = self.table.as_ref().map_or(&[], |(_, r)| r);
        let fixed = self.render(0, 0, b);
        let fixed = b.size(&fixed)
            - b.size(&rows_note(rows.len(), b))
            - b.size(&details_note(self.details.len(), b));
        let row_sizes: Vec<usize> = rows.iter().map(|r| b.size(r)).collect();
        let det_sizes: Vec<usize> = self.details.iter().map(|d| b.size(d)).collect();
        let all_rows: usize = row_sizes.iter().sum();
        let total = |r: usize, d: usize| {
            fixed
                + row_sizes[..r].iter().sum::<usize>()
                + b.size(&rows_note(rows.len() - r, b))
                + det_sizes[..d].iter().sum::<usize>()
                + b.size(&details_note(self.details.len() - d, b))
        };
        // 1. Drop details from the end.
        let mut sum = fixed + all_rows;
        let mut keep = 0;
        for (k, size) in det_sizes.iter().enumerate() {
            if sum + size + b.size(&details_note(self.details.len() - k - 1, b)) > b.limit {
                break;
            }
            sum += size;
            keep = k + 1;
        }
        if total(rows.len(), keep) <= b.limit {
            return self.render(rows.len(), keep, b);
        }
        // 2. Drop table rows from the end.
        let mut r = rows.len();
        while r > 0 && total(r, 0) > b.limit {
            r -= 1;
        }
        let s = self.render(r, 0, b);
        if b.size(&s) <= b.limit {
            return s;
        }
        // 3. Cut at a line break, and say so.
        let note = format!("\n\n*… the rest was cut ({}); {}.*\n", b.why, b.rest);
        let room = b.limit.saturating_sub(b.size(&note));
        let mut cut = b.prefix(&s, room);
        if let Some(nl) = cut.rfind('\n')
            && nl >= self.head.len().min(cut.len())
        {
            cut = &cut[..nl];
        }
        let mut out = cut.to_string();
        out.push_str(&note);
        if b.size(&out) > b.limit {
            // Only with a limit smaller than the note itself.
            out = b.prefix(&out, b.limit).to_string();
        }
        out
    }
}

// ---------------------------------------------------------------------------------------------
// The documents

fn tail(report: &Report, links: &Links, notes: &[String]) -> String {
    let mut s = errors_section(report, links);
    s.push_str(&lint_section(report, links));
    s.push_str(&notes_section(report, notes));
    s
}

fn document(
    report: &Report,
    links: &Links,
    approval: &Approval,
    notes: &[String],
    chains: &[Chain],
    head_prefix: &str,
) -> Doc {
    let mut head = head_prefix.to_string();
    head.push_str(&headline(report, approval));
    head.push('\n');
    if let Some(a) = approval_line(report, links, approval) {
        let _ = writeln!(head, "\n{a}");
    }
    head.push('\n');
    let approved = approval.approved();
    let incidents = ordered(report);
    let table = (!incidents.is_empty()).then(|| {
        (
            TABLE_HEADER.to_string(),
            incidents.iter().map(|i| row(i, approved)).collect(),
        )
    });
    Doc {
        head,
        table,
        details: incidents
            .iter()
            .map(|i| details(i, links, approved, chains))
            .collect(),
        tail: tail(report, links, notes),
        footer: footer(links),
    }
}

/// The sticky PR comment: [`MARKER`] on its own line, a headline, one table row per incident
/// (blocked first), then each incident's folded details, errors, lint findings and `notes`.
/// At most `MAX_BODY - COMMENT_ROOM` characters.
pub fn comment_body(
    report: &Report,
    links: &Links,
    approval: &Approval,
    notes: &[String],
) -> String {
    comment_body_with_trace(report, links, approval, notes, &[])
}

/// [`comment_body`] with each incident's audit chain (from [`crate::trace::Sources::chain`]):
/// every one of the six links, present or missing, with where it was found.
pub fn comment_body_with_trace(
    report: &Report,
    links: &Links,
    approval: &Approval,
    notes: &[String],
    chains: &[Chain],
) -> String {
    let doc = document(
        report,
        links,
        approval,
        notes,
        chains,
        &format!("{MARKER}\n"),
    );
    doc.fit(&Budget {
        limit: MAX_BODY - COMMENT_ROOM,
        bytes: false,
        why: "GitHub limits a comment to 65,535 characters",
        rest: "the job summary has them",
    })
}

/// The job summary: the comment's content without the marker, within 1 MiB.
pub fn job_summary(
    report: &Report,
    links: &Links,
    approval: &Approval,
    notes: &[String],
    chains: &[Chain],
) -> String {
    let doc = document(report, links, approval, notes, chains, "");
    doc.fit(&Budget {
        limit: MAX_JOB_SUMMARY,
        bytes: true,
        why: "GitHub limits a job summary to 1 MiB",
        rest: "`sddgate check --format json` prints the whole report",
    })
}

/// A check run's `output` (without the annotations).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckOutput {
    pub title: String,
    pub summary: String,
    pub text: String,
}

pub fn check_output(report: &Report, links: &Links, approval: &Approval) -> CheckOutput {
    check_output_with_trace(report, links, approval, &[])
}

/// The check run's title, summary (the headline and the table) and text (the details),
/// each within GitHub's limits (measured in bytes, as GitHub does for check runs).
pub fn check_output_with_trace(
    report: &Report,
    links: &Links,
    approval: &Approval,
    chains: &[Chain],
) -> CheckOutput {
    let doc = document(report, links, approval, &[], chains, "");
    let budget = |rest| Budget {
        limit: MAX_BODY,
        bytes: true,
        why: "GitHub limits a check run's output to 65,535 bytes",
        rest,
    };
    let summary = Doc {
        head: doc.head.clone(),
        table: doc.table.clone(),
        ..Doc::default()
    }
    .fit(&budget("the job summary lists them"));
    let text = Doc {
        details: doc.details,
        tail: doc.tail,
        footer: doc.footer,
        ..Doc::default()
    }
    .fit(&budget("the job summary has them"));
    CheckOutput {
        title: title(report, approval),
        summary,
        text,
    }
}

// ---------------------------------------------------------------------------------------------
// Annotations

/// One check-run annotation, serialized exactly as GitHub's API takes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Annotation {
    pub path: String,
    pub start_line: u32,
    pub end_line: u32,
    pub start_column: Option<u32>,
    pub end_column: Option<u32>,
    /// `failure`, `warning` or `notice`.
    pub annotation_level: &'static str,
    pub message: String,
    pub title: String,
    pub raw_details: Option<String>,
}

impl Serialize for Annotation {
    fn serialize<S: Serializer>(&self, ser: S) -> Result<S::Ok, S::Error> {
        // Columns only on a one-line annotation: GitHub rejects them otherwise.
        let one_line = self.start_line == self.end_line;
        let cols = |c: Option<u32>| c.filter(|_| one_line);
        let (sc, ec) = (cols(self.start_column), cols(self.end_column));
        let n = 6
            + usize::from(sc.is_some())
            + usize::from(ec.is_some())
            + usize::from(self.raw_details.is_some());
        let mut st = ser.serialize_struct("Annotation", n)?;
        st.serialize_field("path", &self.path)?;
        st.serialize_field("start_line", &self.start_line)?;
        st.serialize_field("end_line", &self.end_line)?;
        if let Some(c) = sc {
            st.serialize_field("start_column", &c)?;
        }
        if let Some(c) = ec {
            st.serialize_field("end_column", &c)?;
        }
        st.serialize_field("annotation_level", self.annotation_level)?;
        st.serialize_field("message", &self.message)?;
        st.serialize_field("title", &self.title)?;
        if let Some(r) = &self.raw_details {
            st.serialize_field("raw_details", r)?;
        }
        st.end()
    }
}

fn level_rank(level: &str) -> u8 {
    match level {
        "failure" => 2,
        "warning" => 1,
        _ => 0,
    }
}

fn plain(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn clip(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}

/// One annotation under construction: the incidents it concerns are gathered, so that the
/// same finding in a spec shared by several readiness documents is annotated once.
struct Pending {
    level: &'static str,
    violation: Option<Violation>,
    incidents: Vec<String>,
}

/// Every blocker, warning, lint finding and error that names a file inside the repository:
/// a blocker of a blocked incident, a lint error and an error are `failure`; a reason of a
/// semi-manual incident and a warning are `warning`. A finding without a line is placed on
/// line 1 and says "(no line)". Duplicates are merged (the most severe level wins), ordered by
/// path, line and rule. Files outside the repository are left out (GitHub cannot place them).
pub fn annotations(report: &Report) -> Vec<Annotation> {
    type Key = (String, u32, String, Option<u32>, String);
    let mut acc: BTreeMap<Key, Pending> = BTreeMap::new();
    let mut add = |level: &'static str,
                   file: &str,
                   line: Option<u32>,
                   col: Option<u32>,
                   title: &str,
                   msg: &str,
                   violation: Option<&Violation>,
                   incident: Option<String>| {
        if !linkable(file) {
            return;
        }
        let key = (
            clean_path(file),
            line.unwrap_or(0),
            title.to_string(),
            col,
            msg.to_string(),
        );
        let p = acc.entry(key).or_insert_with(|| Pending {
            level,
            violation: violation.cloned(),
            incidents: Vec::new(),
        });
        if level_rank(level) > level_rank(p.level) {
            p.level = level;
        }
        if let Some(i) = incident
            && !p.incidents.contains(&i)
        {
            p.incidents.push(i);
        }
    };
    for i in &report.incidents {
        let who = format!(
            "{} ({}): {}",
            i.incident_id.as_deref().unwrap_or("no readiness document"),
            i.readiness.as_deref().or(i.spec.as_deref()).unwrap_or("-"),
            i.decision.word()
        );
        let blocker_level = match i.decision {
            Decision::Block => "failure",
            Decision::SemiManual => "warning",
            Decision::Auto => "notice",
        };
        for (v, level) in
            i.blockers
                .iter()
                .map(|v| (v, blocker_level))
                .chain(i.warnings.iter().map(|v| {
                    let l = match v.severity {
                        Severity::Error => blocker_level,
                        Severity::Warning => "warning",
                    };
                    (v, l)
                }))
        {
            if let Some(f) = &v.file {
                add(
                    level,
                    f,
                    v.line,
                    v.column,
                    v.id,
                    &v.message,
                    Some(v),
                    Some(who.clone()),
                );
            }
        }
    }
    for f in &report.files {
        for v in &f.findings {
            let level = match v.severity {
                Severity::Error => "failure",
                Severity::Warning => "warning",
            };
            let file = v.file.as_deref().unwrap_or(&f.file);
            add(
                level,
                file,
                v.line,
                v.column,
                v.id,
                &v.message,
                Some(v),
                None,
            );
        }
    }
    for e in &report.errors {
        if let Some(f) = &e.file {
            add(
                "failure",
                f,
                e.line,
                e.column,
                "could_not_be_judged",
                &e.message,
                None,
                None,
            );
        }
    }
    acc.into_iter()
        .map(|((path, line, title, col, msg), p)| {
            let mut message = msg.clone();
            if line == 0 {
                message.push_str(" (no line)");
            }
            if let Some(v) = &p.violation
                && !v.fix.is_empty()
            {
                let _ = write!(message, "\nFix: {}", v.fix);
            }
            if p.violation.is_none() {
                message.push_str("\nThis document could not be judged: the run exits 2.");
            }
            match p.incidents.len() {
                0 => {}
                1 => {
                    let _ = write!(message, "\nIncident {}", p.incidents[0]);
                }
                n => {
                    let _ = write!(message, "\nIncidents ({n}): ");
                    let shown: Vec<&str> =
                        p.incidents.iter().take(10).map(String::as_str).collect();
                    message.push_str(&shown.join("; "));
                    if n > 10 {
                        let _ = write!(message, "; and {} more", n - 10);
                    }
                }
            }
            let raw_details = p.violation.as_ref().and_then(|v| {
                let mut r = Vec::new();
                if let Some(o) = &v.observed {
                    r.push(format!("observed: {}", plain(o)));
                }
                if let Some(t) = &v.threshold {
                    r.push(format!("expected: {}", plain(t)));
                }
                (!r.is_empty()).then(|| clip(&r.join("\n"), MAX_ANNOTATION_TEXT))
            });
            let (start_column, end_column) = match col.filter(|_| line > 0) {
                Some(c) => {
                    let len = p
                        .violation
                        .as_ref()
                        .and_then(|v| v.length)
                        .unwrap_or(1)
                        .max(1);
                    (Some(c), Some(c.saturating_add(len - 1)))
                }
                None => (None, None),
            };
            Annotation {
                path,
                start_line: line.max(1),
                end_line: line.max(1),
                start_column,
                end_column,
                annotation_level: p.level,
                message: clip(&message, MAX_ANNOTATION_TEXT),
                title: clip(&title, MAX_TITLE - 1),
                raw_details,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::decide::Cap;
    use crate::report::FileReport;
    use pulldown_cmark::{Event, Options, Parser, Tag};
    use std::path::PathBuf;

    const SHA: &str = "0123456789abcdef0123456789abcdef01234567";

    fn root() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
    }

    fn config() -> Config {
        Config::discover(&root(), None).unwrap()
    }

    /// The gate on paths of this repository, through the same steps as `check` (which is
    /// private to the commands): discover, read, pair with the spec, lint, evaluate.
    fn gate(paths: &[&str]) -> Report {
        use crate::gate;
        let config = config();
        let paths: Vec<PathBuf> = paths.iter().map(|p| root().join(p)).collect();
        let found = crate::discover::discover(&config, &paths).unwrap();
        let trace = gate::load_trace(&config).unwrap();
        let mut incidents = Vec::new();
        let mut errors = Vec::new();
        let mut paired = std::collections::BTreeSet::new();
        for f in &found.readiness {
            let r = match gate::read_readiness(&config, f, &config.root.join(f)) {
                Ok(r) => r,
                Err(e) => {
                    errors.push(ErrorReport::from_error(&e));
                    continue;
                }
            };
            let (spec, problem) = match gate::spec_path_for(&config, &r) {
                Ok(Some(p)) => {
                    paired.insert(p.clone());
                    let l = gate::lint_spec(&config, &p, &config.root.join(&p)).unwrap();
                    (Some(l), None)
                }
                Ok(None) => (None, None),
                Err(fact) => (None, Some(fact)),
            };
            incidents
                .push(gate::evaluate(&config, &r, spec.as_ref(), problem, trace.as_ref()).unwrap());
        }
        for s in found.specs.iter().filter(|s| !paired.contains(*s)) {
            let l = gate::lint_spec(&config, s, &config.root.join(s)).unwrap();
            incidents.push(gate::spec_without_readiness(&l));
        }
        incidents.sort_by(|a, b| (&a.readiness, &a.spec).cmp(&(&b.readiness, &b.spec)));
        Report::new("check", incidents, vec![], errors, vec![])
    }

    /// `sddgate lint` on spec files.
    fn lint(paths: &[&str]) -> Report {
        let config = config();
        let files = paths
            .iter()
            .map(|p| {
                let l = crate::gate::lint_spec(&config, p, &root().join(p)).unwrap();
                FileReport {
                    file: l.file.clone(),
                    findings: l.lint.findings.clone(),
                }
            })
            .collect();
        Report::new("lint", vec![], files, vec![], vec![])
    }

    fn everything() -> Report {
        gate(&["fixtures", "specs", "capstone"])
    }

    fn links() -> Links {
        Links {
            server_url: "https://github.com/".into(),
            repo: "acme/ops".into(),
            sha: SHA.into(),
        }
    }

    fn none() -> Approval {
        Approval {
            approved_by: vec![],
            approvers_configured: true,
        }
    }

    fn approved() -> Approval {
        Approval {
            approved_by: vec!["alice".into()],
            approvers_configured: true,
        }
    }

    fn rebuild(r: &Report, incidents: Vec<IncidentReport>) -> Report {
        Report::new(
            r.command,
            incidents,
            r.files.clone(),
            r.errors.clone(),
            r.notes.clone(),
        )
    }

    /// (conclusion, decision output, exit code)
    fn verdict(r: &Report, a: &Approval) -> (&'static str, &'static str, i32) {
        (conclusion(r, a), decision_word(r, a), exit_code(r, a))
    }

    #[test]
    fn conclusion_table() {
        let block = everything();
        assert_eq!(block.exit_code, 1);
        assert_eq!(verdict(&block, &none()), ("failure", "block", 1));
        // An approval does not lift a block.
        assert_eq!(verdict(&block, &approved()), ("failure", "block", 1));

        let semi = gate(&["fixtures/readiness/readiness_semi_manual.json"]);
        assert_eq!(semi.exit_code, 3);
        assert_eq!(
            verdict(&semi, &none()),
            ("action_required", "semi-manual", 3)
        );
        assert_eq!(verdict(&semi, &approved()), ("success", "pass", 0));
        let unconfigured = Approval {
            approved_by: vec!["alice".into()],
            approvers_configured: false,
        };
        assert_eq!(
            verdict(&semi, &unconfigured),
            ("action_required", "semi-manual", 3)
        );

        let pass = gate(&["capstone/readiness.md"]);
        assert_eq!(pass.exit_code, 0);
        assert_eq!(verdict(&pass, &none()), ("success", "pass", 0));

        let empty = Report::new("check", vec![], vec![], vec![], vec![]);
        assert_eq!(verdict(&empty, &none()), ("neutral", "none", 0));

        let error = Report::new(
            "check",
            pass.incidents.clone(),
            vec![],
            vec![ErrorReport {
                file: Some("specs/broken/readiness.md".into()),
                line: Some(3),
                column: Some(7),
                message: "expected a mapping".into(),
            }],
            vec![],
        );
        assert_eq!(error.exit_code, 2);
        assert_eq!(verdict(&error, &approved()), ("failure", "error", 2));
        // An error alone, with nothing else in scope, is still an error, never neutral.
        let only_error = Report::new("check", vec![], vec![], error.errors.clone(), vec![]);
        assert_eq!(verdict(&only_error, &none()), ("failure", "error", 2));

        let lint = lint(&["fixtures/specs/kubectl_in_spec/specify.md"]);
        assert_eq!(lint.exit_code, 1);
        assert!(lint.incidents.is_empty());
        assert_eq!(verdict(&lint, &none()), ("failure", "block", 1));
    }

    #[test]
    fn blob_links_are_encoded_at_the_head_sha() {
        let l = Links {
            server_url: "https://ghe.example.com/".into(),
            repo: "o/r".into(),
            sha: "abc".into(),
        };
        assert_eq!(
            l.blob("./specs//a b/ü#?.yaml", Some(4)),
            "https://ghe.example.com/o/r/blob/abc/specs/a%20b/%C3%BC%23%3F.yaml#L4"
        );
        assert_eq!(
            l.blob("specs/x/specify.md", Some(9)),
            "https://ghe.example.com/o/r/blob/abc/specs/x/specify.md?plain=1#L9"
        );
        assert_eq!(
            l.blob("specs/x/specify.md", None),
            "https://ghe.example.com/o/r/blob/abc/specs/x/specify.md"
        );
        assert_eq!(l.commit("def"), "https://ghe.example.com/o/r/commit/def");
        assert!(!linkable("../etc/passwd") && !linkable("/etc/passwd"));
        assert!(!linkable("C:/x") && linkable("a/b.md"));
    }

    /// Parses the Markdown as GitHub does (tables, strikethrough, math, footnotes) and checks
    /// that it holds no HTML but sddgate's own tags, no image, no link but to `links`' repo,
    /// and no math; and that no prose (text outside code spans, HTML) holds a mention, an issue
    /// reference or an autolink. Returns the visible text (text and code spans, in order).
    fn safe_markdown(md: &str, links: &Links) -> String {
        let mut opts = Options::empty();
        opts.insert(Options::ENABLE_TABLES);
        opts.insert(Options::ENABLE_STRIKETHROUGH);
        opts.insert(Options::ENABLE_MATH);
        opts.insert(Options::ENABLE_FOOTNOTES);
        opts.insert(Options::ENABLE_TASKLISTS);
        opts.insert(Options::ENABLE_GFM);
        let allowed = [
            MARKER,
            "<details>",
            "</details>",
            "<summary>",
            "</summary>",
            "<sub>",
            "</sub>",
            "<br>",
        ];
        let base = format!("{}/{}/", links.server_url.trim_end_matches('/'), links.repo);
        let mut text = String::new();
        let prose = |t: &str| {
            let mentions = regex::Regex::new(r"(?i)@[a-z0-9]|#[0-9]|://|www\.").unwrap();
            assert!(
                !mentions.is_match(t),
                "live mention, reference or link: {t:?}"
            );
        };
        for ev in Parser::new_ext(md, opts) {
            match ev {
                Event::Html(h) | Event::InlineHtml(h) => {
                    let mut rest = h.to_string();
                    for a in allowed {
                        rest = rest.replace(a, "");
                    }
                    assert!(!rest.contains('<'), "foreign HTML: {h:?}");
                    prose(&h);
                    text.push_str(&h);
                }
                Event::Start(Tag::Link { dest_url, .. }) => {
                    assert!(dest_url.starts_with(&base), "link out: {dest_url}");
                }
                Event::Start(Tag::Image { dest_url, .. }) => panic!("image: {dest_url}"),
                Event::InlineMath(m) | Event::DisplayMath(m) => panic!("math: {m}"),
                Event::FootnoteReference(f) => panic!("footnote: {f}"),
                Event::Text(t) => {
                    prose(&t);
                    text.push_str(&t);
                }
                Event::Code(t) => text.push_str(&t),
                _ => {}
            }
        }
        text
    }

    #[test]
    fn comment_of_the_fixtures() {
        let r = everything();
        let l = links();
        let body = comment_body(&r, &l, &none(), &[]);
        assert!(body.starts_with(&format!("{MARKER}\n")));
        assert!(body.chars().count() <= MAX_BODY - COMMENT_ROOM);
        let s = &r.summary;
        let headline = body.lines().nth(1).unwrap();
        assert_eq!(
            headline,
            format!(
                "**sddgate: BLOCK** — {} incidents: {} blocked, {} semi-manual, {} pass",
                s.incidents, s.block, s.semi_manual, s.pass
            )
        );
        for i in &r.incidents {
            if let Some(id) = &i.incident_id {
                assert!(body.contains(&format!("`{id}`")), "{id}");
            }
            let doc = i.readiness.as_deref().or(i.spec.as_deref()).unwrap();
            assert!(body.contains(&format!("`{doc}`")), "{doc}");
        }
        assert_eq!(body.matches("<details>").count(), r.incidents.len());
        assert_eq!(body.matches("</details>").count(), r.incidents.len());
        // Every blocker is linked to its line at the head SHA.
        let mut linked = 0;
        for b in r.incidents.iter().flat_map(|i| &i.blockers) {
            if let (Some(f), Some(line)) = (&b.file, b.line) {
                let url = l.blob(f, Some(line));
                assert!(url.contains(&format!("/blob/{SHA}/")), "{url}");
                assert!(body.contains(&format!("]({url})")), "{url}");
                linked += 1;
            }
        }
        assert!(linked > 10, "{linked}");
        assert!(body.contains(&format!(
            "https://github.com/acme/ops/blob/{SHA}/fixtures/specs/kubectl_in_spec/specify.md?plain=1#L"
        )));
        // Blocked incidents come first, passes last.
        let block = body.find("| BLOCK |").unwrap();
        let semi = body.find("| SEMI-MANUAL |").unwrap();
        let pass = body.find("| PASS |").unwrap();
        assert!(block < semi && semi < pass);
        safe_markdown(&body, &l);
    }

    #[test]
    fn comment_shows_scores_caps_artifacts_and_the_trace_chain() {
        let r = gate(&[
            "capstone/readiness.md",
            "fixtures/readiness/readiness_block_evidence_missing.yaml",
        ]);
        let config = config();
        let sources = crate::gate::load_trace(&config).unwrap().unwrap();
        let chains = vec![sources.chain(
            "HM-2026-05-17-01",
            &["specs/high_memory_usage/specify.md".to_string()],
            false,
        )];
        let l = links();
        let body = comment_body_with_trace(
            &r,
            &l,
            &none(),
            &["read-only token: nothing posted".into()],
            &chains,
        );
        let text = safe_markdown(&body, &l);
        for c in [
            "Spec",
            "Implementation",
            "Verification",
            "Process",
            "Security",
        ] {
            assert!(body.contains(&format!("| {c} | ")), "{c}");
        }
        // The capped category shows the cap's reason, and the verified score in bold.
        let missing = r
            .incidents
            .iter()
            .find(|i| i.decision == Decision::Block)
            .unwrap();
        let cap = missing
            .gate
            .as_ref()
            .unwrap()
            .categories
            .iter()
            .flat_map(|c| &c.caps)
            .next()
            .unwrap();
        assert!(text.contains(&cap.reason), "{}", cap.reason);
        assert!(body.contains(&format!(
            "| {} |",
            score_text(missing.gate.as_ref().unwrap())
        )));
        assert!(body.contains("(claimed "));
        // Artifacts at the head SHA.
        for f in [
            "capstone/readiness.md",
            "specs/high_memory_usage/specify.md",
            "specs/high_memory_usage/validation.md",
            ".sddgate/trace.jsonl",
        ] {
            assert!(body.contains(&format!("]({})", l.blob(f, None))), "{f}");
        }
        // The chain: six links with the log line each was found on.
        for step in crate::trace::STEPS {
            assert!(body.contains(&format!("| `{step}` | present |")), "{step}");
        }
        assert!(body.contains(&format!("]({})", l.blob(".sddgate/trace.jsonl", Some(1)))));
        assert!(text.contains("coverage 1.0 counted"));
        // Caller notes at the end, before the footer.
        let notes = body.find("**Notes**").unwrap();
        assert!(body[notes..].contains("read-only token: nothing posted"));
        assert!(notes > body.rfind("</details>").unwrap());
    }

    /// A blocked incident whose every document-supplied string is hostile.
    fn hostile() -> Report {
        let pass = gate(&["capstone/readiness.md"]);
        let mut i = pass.incidents[0].clone();
        let evil = "@octocat <img src=x onerror=alert(1)> [click](https://evil.example/x) ![i](https://evil.example/i.png) #1 <script>alert(1)</script> `co`de` | cell $x^2$ www.evil.example https://evil.example/y **bold** <!-- c -->\n# heading\n- item";
        i.incident_id = Some(format!("HM-1 {evil}"));
        i.readiness = Some("specs/evil|<b>x</b>/@team readiness.md".into());
        i.decision = Decision::Block;
        i.blockers.push(
            Violation::new("evidence_missing", Severity::Error, evil)
                .fix(evil)
                .at("specs/a b/é<x>.md", 3, 2),
        );
        i.warnings.push(Violation::new(
            "spec_not_checked",
            Severity::Warning,
            "- 1. > quote\n=== @here",
        ));
        if let Some(g) = i.gate.as_mut() {
            g.profile = "std|<i>x</i>".into();
            g.categories[0].caps.push(Cap {
                limit: 2,
                rule: "evidence_missing",
                reason: evil.into(),
            });
            g.categories[0].verified = 2;
        }
        Report::new(
            "check",
            vec![i],
            vec![],
            vec![ErrorReport {
                file: Some("specs/<x>.md".into()),
                line: None,
                column: None,
                message: evil.into(),
            }],
            vec![evil.into()],
        )
    }

    #[test]
    fn injected_markdown_html_and_mentions_are_neutralised() {
        let r = hostile();
        let l = links();
        for body in [
            comment_body(&r, &l, &none(), &["@admin please look".into()]),
            check_output(&r, &l, &none()).summary,
            check_output(&r, &l, &none()).text,
            job_summary(&r, &l, &none(), &[], &[]),
        ] {
            let text = safe_markdown(&body, &l);
            // The words are all still there, as text.
            assert!(text.contains("<script>alert(1)</script>"), "{text}");
            assert!(text.contains("[click]"));
        }
        let body = comment_body(&r, &l, &none(), &[]);
        // In prose a word joiner breaks the mention; in code it needs none.
        assert!(body.contains(&format!("@{WJ}octocat")));
        assert!(body.contains("`HM-1 @octocat"));
        // The path with `|` stays one table cell, shown whole.
        let mut opts = Options::empty();
        opts.insert(Options::ENABLE_TABLES);
        let codes: Vec<String> = Parser::new_ext(&body, opts)
            .filter_map(|e| match e {
                Event::Code(c) => Some(c.to_string()),
                _ => None,
            })
            .collect();
        assert!(
            codes.contains(&"specs/evil|<b>x</b>/@team readiness.md".to_string()),
            "{codes:?}"
        );
        assert!(codes.contains(&"std|<i>x</i>".to_string()), "{codes:?}");
        // The summary line of the details block is escaped HTML.
        assert!(body.contains("<summary>BLOCK · HM-1 @\u{2060}octocat &lt;img"));
    }

    #[test]
    fn text_helpers_escape_exactly() {
        assert_eq!(code("a`b", false), "``a`b``");
        assert_eq!(code("`x", false), "`` `x ``");
        assert_eq!(code("a|b", true), "`a\\|b`");
        assert_eq!(code("a|b", false), "`a|b`");
        assert_eq!(md("# x"), "\\# x");
        assert_eq!(md("1. x"), "1\\. x");
        assert_eq!(md("a.b - c"), "a.b - c");
        assert_eq!(md("<b>&"), "\\<b\\>\\&");
        assert_eq!(
            message("concrete command in spec: `kubectl delete`", false),
            "concrete command in spec: `kubectl delete`"
        );
        assert_eq!(message("a `b", false), "a \\`b");
        assert_eq!(html("<a href='x'>&"), "&lt;a href=&#39;x&#39;&gt;&amp;");
        assert_eq!(flat("a\u{202E}b\nc", 10), "a\u{FFFD}b c");
        assert_eq!(flat("abcdef", 3), "abc…");
    }

    /// `n` incidents built from the fixtures' real ones, each with several blockers.
    fn many(n: usize, id: impl Fn(usize) -> String) -> Report {
        let base = everything();
        let blocked: Vec<&IncidentReport> = base
            .incidents
            .iter()
            .filter(|i| i.decision == Decision::Block && i.gate.is_some())
            .collect();
        let incidents = (0..n)
            .map(|k| {
                let mut i = blocked[k % blocked.len()].clone();
                i.incident_id = Some(id(k));
                i.readiness = Some(format!("specs/incident_{k:04}/readiness.md"));
                while i.blockers.len() < 4 {
                    let b = i.blockers[0].clone();
                    i.blockers.push(b);
                }
                i
            })
            .collect();
        rebuild(&base, incidents)
    }

    #[test]
    fn three_hundred_incidents_fit_in_one_comment() {
        let r = many(300, |k| format!("INC-{k:04}"));
        let l = links();
        let body = comment_body(&r, &l, &none(), &["a note".into()]);
        assert!(body.starts_with(&format!("{MARKER}\n")));
        assert!(body.chars().count() <= MAX_BODY - COMMENT_ROOM);
        let opened = body.matches("<details>").count();
        assert_eq!(opened, body.matches("</details>").count());
        assert!(opened > 0 && opened < 300, "{opened}");
        let note = format!(
            "*… {} incidents' details omitted (GitHub limits a comment to 65,535 characters); the job summary has them.*",
            300 - opened
        );
        assert!(body.contains(&note), "{note}");
        // The table still lists every incident, and the notes are kept.
        for k in 0..300 {
            assert!(body.contains(&format!("`INC-{k:04}`")), "{k}");
        }
        assert!(body.contains("- a note"));
        safe_markdown(&body, &l);

        // The check run, measured in bytes, with ids that take two bytes a character.
        let r = many(300, |k| format!("ИНЦИДЕНТ-{k:04}-ПАМЯТЬ-ПЕРЕПОЛНЕНА"));
        let out = check_output(&r, &l, &none());
        assert!(out.summary.len() <= MAX_BODY && out.text.len() <= MAX_BODY);
        assert!(out.title.chars().count() <= MAX_TITLE);
        assert_eq!(out.title, "BLOCK: 300 of 300 incidents blocked");
        assert!(
            out.text
                .contains("details omitted (GitHub limits a check run's output to 65,535 bytes)")
        );
        // The whole job summary holds every incident's details.
        let summary = job_summary(&r, &l, &none(), &[], &[]);
        assert_eq!(summary.matches("<details>").count(), 300);
        assert!(summary.len() <= MAX_JOB_SUMMARY);
    }

    #[test]
    fn thousands_of_incidents_drop_table_rows_then_cut() {
        let r = many(3000, |k| format!("INC-{k:05}"));
        let l = links();
        let body = comment_body(&r, &l, &none(), &[]);
        assert!(body.starts_with(&format!("{MARKER}\n")));
        assert!(body.chars().count() <= MAX_BODY - COMMENT_ROOM);
        assert!(!body.contains("<details>"));
        assert!(body.contains("more not listed (GitHub limits a comment to 65,535 characters)"));
        assert!(body.contains("3000 incidents' details omitted"));
        safe_markdown(&body, &l);

        // Notes so long that nothing else helps: cut, and said.
        let notes: Vec<String> = (0..10)
            .map(|k| format!("{k} {}", "x".repeat(990)))
            .collect();
        let mut r = many(1, |_| "INC".into());
        r.errors = (0..200)
            .map(|k| ErrorReport {
                file: Some(format!("specs/{k}/{}.md", "y".repeat(300))),
                line: Some(1),
                column: Some(1),
                message: "z".repeat(990),
            })
            .collect();
        let body = comment_body(&r, &l, &none(), &notes);
        assert!(body.starts_with(&format!("{MARKER}\n")));
        assert!(
            body.chars().count() <= MAX_BODY - COMMENT_ROOM,
            "{}",
            body.chars().count()
        );
        assert!(body.contains("the rest was cut (GitHub limits a comment to 65,535 characters)"));
    }

    #[test]
    fn nothing_in_scope_says_so() {
        let r = Report::new("check", vec![], vec![], vec![], vec![]);
        let body = comment_body(&r, &links(), &none(), &[]);
        assert!(body.starts_with(&format!("{MARKER}\n**sddgate: nothing in scope**")));
        assert!(!body.contains("| decision |") && !body.contains("<details>"));
        let out = check_output(&r, &links(), &none());
        assert_eq!(out.title, "Nothing in scope");
    }

    #[test]
    fn semi_manual_says_what_it_waits_for_and_who_approved() {
        let r = gate(&["fixtures/readiness/readiness_semi_manual.json"]);
        let l = links();
        let waiting = comment_body(&r, &l, &none(), &[]);
        assert!(waiting.contains("**sddgate: SEMI-MANUAL** — 1 incident: 1 semi-manual"));
        assert!(waiting.contains("an approving review of `0123456`"));
        assert!(waiting.contains("**Needs approval**"));
        let nobody = comment_body(&r, &l, &Approval::default(), &[]);
        assert!(nobody.contains("no approvers are configured"));
        let ok = comment_body(&r, &l, &approved(), &[]);
        assert!(ok.contains("**sddgate: PASS** — 1 incident: 1 semi-manual (approved)"));
        assert!(ok.contains("approved at `0123456` by `alice`"));
        assert!(ok.contains("| SEMI-MANUAL (approved) |"));
        assert_eq!(
            check_output(&r, &l, &none()).title,
            "SEMI-MANUAL: 1 of 1 incident needs approval"
        );
        assert_eq!(
            check_output(&r, &l, &approved()).title,
            "PASS: 1 semi-manual incident approved by alice"
        );
    }

    #[test]
    fn annotations_are_ordered_leveled_and_deduplicated() {
        let r = everything();
        let a = annotations(&r);
        let keys: Vec<(&str, u32, &str)> = a
            .iter()
            .map(|x| (x.path.as_str(), x.start_line, x.title.as_str()))
            .collect();
        let mut sorted = keys.clone();
        sorted.sort();
        assert_eq!(keys, sorted);
        let find = |path: &str, title: &str| {
            a.iter()
                .find(|x| x.path == path && x.title == title)
                .unwrap_or_else(|| panic!("{path} {title}"))
        };
        let audit = find(
            "fixtures/readiness/readiness_block_audit.json",
            "audit_trace_incomplete",
        );
        assert_eq!(audit.annotation_level, "failure");
        assert!(audit.message.contains("Fix: "));
        assert!(
            audit
                .raw_details
                .as_deref()
                .unwrap()
                .contains("expected: 1.0")
        );
        let semi = find(
            "fixtures/readiness/readiness_semi_manual.json",
            "score_below_threshold",
        );
        assert_eq!(semi.annotation_level, "warning");
        // A blocker of a spec shared by two readiness documents: one annotation.
        let base = gate(&["fixtures/readiness/readiness_block_command.yaml"]);
        let mut twin = base.incidents[0].clone();
        twin.readiness = Some("fixtures/readiness/twin.yaml".into());
        twin.incident_id = Some("TWIN-1".into());
        let twice = rebuild(&base, vec![base.incidents[0].clone(), twin]);
        let once = annotations(&base);
        let merged = annotations(&twice);
        let cmd = |v: &[Annotation]| {
            v.iter()
                .filter(|x| x.title == "concrete_command_in_spec")
                .count()
        };
        assert!(cmd(&once) >= 1);
        assert_eq!(cmd(&once), cmd(&merged));
        let shared = merged
            .iter()
            .find(|x| x.title == "concrete_command_in_spec")
            .unwrap();
        assert!(
            shared.message.contains("Incidents (2): "),
            "{}",
            shared.message
        );
        assert!(shared.message.contains("TWIN-1"));
        assert!(shared.start_column.is_some() && shared.end_column >= shared.start_column);
    }

    #[test]
    fn annotations_without_a_line_or_inside_the_repository_only() {
        let pass = gate(&["capstone/readiness.md"]);
        let mut i = pass.incidents[0].clone();
        i.decision = Decision::Block;
        i.blockers = vec![
            Violation::new("evidence_missing", Severity::Error, "no line here").at(
                "specs/x/readiness.md",
                0,
                0,
            ),
            Violation::new("evidence_missing", Severity::Error, "outside").at("../x.md", 2, 1),
            Violation::new("evidence_missing", Severity::Error, "no file"),
        ];
        i.warnings = vec![
            Violation::new("spec_not_checked", Severity::Warning, "w").at(
                "specs/x/readiness.md",
                4,
                2,
            ),
        ];
        let r = Report::new(
            "check",
            vec![i],
            vec![FileReport {
                file: "specs/y/specify.md".into(),
                findings: vec![
                    Violation::new("concrete_command_in_spec", Severity::Error, "lint e")
                        .at("specs/y/specify.md", 2, 5)
                        .length(6),
                ],
            }],
            vec![ErrorReport {
                file: Some("specs/z/readiness.md".into()),
                line: Some(1),
                column: Some(1),
                message: "bad".into(),
            }],
            vec![],
        );
        let a = annotations(&r);
        let got: Vec<(&str, u32, &str, &str)> = a
            .iter()
            .map(|x| {
                (
                    x.path.as_str(),
                    x.start_line,
                    x.title.as_str(),
                    x.annotation_level,
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                ("specs/x/readiness.md", 1, "evidence_missing", "failure"),
                ("specs/x/readiness.md", 4, "spec_not_checked", "warning"),
                (
                    "specs/y/specify.md",
                    2,
                    "concrete_command_in_spec",
                    "failure"
                ),
                ("specs/z/readiness.md", 1, "could_not_be_judged", "failure"),
            ]
        );
        assert!(a[0].message.starts_with("no line here (no line)"));
        assert_eq!((a[0].start_column, a[0].end_column), (None, None));
        assert_eq!((a[2].start_column, a[2].end_column), (Some(5), Some(10)));

        // The API's shape: no null fields, columns only on one line.
        let v = serde_json::to_value(&a[0]).unwrap();
        assert_eq!(
            v,
            serde_json::json!({"path": "specs/x/readiness.md", "start_line": 1, "end_line": 1,
                "annotation_level": "failure", "message": a[0].message, "title": "evidence_missing"})
        );
        let mut two = a[2].clone();
        two.end_line = 3;
        let v = serde_json::to_value(&two).unwrap();
        assert!(v.get("start_column").is_none() && v.get("end_column").is_none());
        let v = serde_json::to_value(&a[2]).unwrap();
        assert_eq!(v["start_column"], 5);
        assert_eq!(v["end_column"], 10);
    }

    #[test]
    fn comment_snapshot_of_the_fixtures() {
        let r = gate(&[
            "capstone/readiness.md",
            "fixtures/readiness/readiness_semi_manual.json",
            "fixtures/readiness/readiness_block_command.yaml",
            "fixtures/readiness/readiness_block_audit.json",
            "fixtures/specs/missing_sections/specify.md",
        ]);
        let body = comment_body(
            &r,
            &links(),
            &none(),
            &["read-only token: nothing was posted".into()],
        );
        let body = body.replace(
            &format!("sddgate {} ·", env!("CARGO_PKG_VERSION")),
            "sddgate VERSION ·",
        );
        insta::assert_snapshot!(body);
    }
}
