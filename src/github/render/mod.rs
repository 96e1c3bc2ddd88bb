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
use crate::report::{ErrorReport, Report, Suppressed};
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
}

/// Where links in the Markdown point, if anywhere: outside `sddgate ci` the host comes from the
/// environment, and with none known paths are code spans (never a link that goes nowhere).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Forge {
    /// GitHub or GitHub Enterprise Server: `{server}/{repo}/blob/{sha}/{path}`.
    GitHub(Links),
    /// GitLab: `{project_url}/-/blob/{sha}/{path}#L{n}`.
    GitLab { project_url: String, sha: String },
    /// No host known.
    None,
}

impl Forge {
    /// The host a CI job runs on, from its variables: GitHub Actions (`GITHUB_SERVER_URL`,
    /// `GITHUB_REPOSITORY`, `GITHUB_SHA`), else GitLab CI (`CI_PROJECT_URL`, `CI_COMMIT_SHA`),
    /// else none. A variable that is empty or not a plain `http(s)` URL / hex SHA counts as
    /// absent: no half-made link.
    pub fn from_env(var: impl Fn(&str) -> Option<String>) -> Forge {
        let get = |k: &str| {
            var(k)
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        let sha_ok = |s: &str| s.len() >= 7 && s.bytes().all(|b| b.is_ascii_hexdigit());
        let url_ok = |u: &str| {
            (u.starts_with("https://") || u.starts_with("http://"))
                && !u
                    .chars()
                    .any(|c| c.is_whitespace() || c.is_control() || "()<>[]\"'`".contains(c))
        };
        if let (Some(server), Some(repo), Some(sha)) = (
            get("GITHUB_SERVER_URL"),
            get("GITHUB_REPOSITORY"),
            get("GITHUB_SHA"),
        ) && url_ok(&server)
            && sha_ok(&sha)
            && repo.split('/').count() == 2
        {
            return Forge::GitHub(Links {
                server_url: server,
                repo,
                sha,
            });
        }
        if let (Some(project_url), Some(sha)) = (get("CI_PROJECT_URL"), get("CI_COMMIT_SHA"))
            && url_ok(&project_url)
            && sha_ok(&sha)
        {
            return Forge::GitLab { project_url, sha };
        }
        Forge::None
    }

    /// A file at the head commit, or `None` when no host is known.
    pub fn blob(&self, path: &str, line: Option<u32>) -> Option<String> {
        match self {
            Forge::GitHub(l) => Some(l.blob(path, line)),
            Forge::GitLab { project_url, sha } => {
                let path = clean_path(path);
                let mut url = format!(
                    "{}/-/blob/{}/{}",
                    project_url.trim_end_matches('/'),
                    encode_segment(sha),
                    encode_path(&path)
                );
                if let Some(l) = line.filter(|l| *l > 0) {
                    if rendered_by_github(&path) {
                        url.push_str("?plain=1");
                    }
                    let _ = write!(url, "#L{l}");
                }
                Some(url)
            }
            Forge::None => None,
        }
    }

    pub fn commit(&self, sha: &str) -> Option<String> {
        match self {
            Forge::GitHub(l) => Some(l.commit(sha)),
            Forge::GitLab { project_url, .. } => Some(format!(
                "{}/-/commit/{}",
                project_url.trim_end_matches('/'),
                encode_segment(sha)
            )),
            Forge::None => None,
        }
    }

    fn sha(&self) -> Option<&str> {
        match self {
            Forge::GitHub(l) => Some(&l.sha),
            Forge::GitLab { sha, .. } => Some(sha),
            Forge::None => None,
        }
    }

    fn short_sha(&self) -> Option<&str> {
        let sha = self.sha()?;
        let end = sha.char_indices().nth(7).map_or(sha.len(), |(i, _)| i);
        Some(&sha[..end])
    }
}

/// `--format markdown`: the PR comment's content (no marker) for any CI: links from
/// [`Forge::from_env`], no claim about approvals (none are known outside `sddgate ci`),
/// within GitHub's comment limit (the smallest of the places it is posted to).
pub fn markdown(report: &Report, links: &Forge) -> String {
    let doc = document(report, links, None, &[], &[], "");
    doc.fit(&Budget {
        limit: MAX_BODY - COMMENT_ROOM,
        bytes: false,
        why: "a PR comment holds at most 65,535 characters",
        rest: "`--format json` prints the whole report",
    })
}

/// One line for a log: `sddgate: BLOCK — 2 incidents: 1 blocked, 1 pass` (no Markdown).
pub fn summary_line(report: &Report) -> String {
    let o = outcome(report, &Approval::default());
    if o == Outcome::Nothing {
        return "sddgate: nothing in scope".into();
    }
    flat(
        &format!(
            "sddgate: {} — {}",
            status_word(o),
            counts(report, &Approval::default())
        ),
        2_000,
    )
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

mod annotations;
mod fit;
#[cfg(test)]
mod tests;
mod text;

pub use annotations::{Annotation, annotations};
use fit::*;
use text::*;
pub use text::{encode_segment, linkable};

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
    if report.summary.suppressed > 0 {
        parts.push(format!(
            "{} suppressed",
            plural(report.summary.suppressed, "finding")
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
fn approval_line(report: &Report, links: &Forge, approval: Option<&Approval>) -> Option<String> {
    if !report
        .incidents
        .iter()
        .any(|i| i.decision == Decision::SemiManual)
    {
        return None;
    }
    let Some(approval) = approval else {
        // Outside `sddgate ci` nothing is known about reviews or approvers.
        return Some(
            "Semi-manual needs a human: a person must approve it before it runs (exit code 3). This report does not know who has approved.".into(),
        );
    };
    let at = match links.short_sha() {
        Some(sha) => code(sha, false),
        None => "the head commit".into(),
    };
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
    // A pass that rests on silenced findings says so in its row.
    let silenced = match i.suppressed.len() {
        0 => String::new(),
        n => format!(" ({n} suppressed)"),
    };
    format!(
        "| {}{silenced} | {id} | {score} | {profile} | {doc} |\n",
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
fn finding(v: &Violation, links: &Forge, with_severity: bool) -> String {
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

/// The findings a reasoned `sddgate-allow` silenced: rule, what it saw, where, and the
/// suppression's reason and line. Not annotated (they fail nothing), but never hidden.
fn suppressed(out: &mut String, list: &[&Suppressed], links: &Forge) {
    if list.is_empty() {
        return;
    }
    let _ = writeln!(out, "**Suppressed ({})**\n", list.len());
    for s in list.iter().take(MAX_LISTED) {
        let seen = match &s.observed {
            Some(o) => code(&flat(o, 120), false),
            None => message(&s.message, false),
        };
        let _ = writeln!(
            out,
            "- {} {seen} — {}\n  - reason: {} (`sddgate-allow` on line {})",
            code(s.id, false),
            file_link(links, &s.file, Some(s.line), Some(s.column), false),
            md(&s.reason),
            s.suppression_line
        );
    }
    if list.len() > MAX_LISTED {
        let _ = writeln!(
            out,
            "- … and {} more (`--format json` lists every one)",
            list.len() - MAX_LISTED
        );
    }
    out.push('\n');
}

fn findings(out: &mut String, list: &[Violation], links: &Forge, with_severity: bool) {
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
fn details(i: &IncidentReport, links: &Forge, approved: bool, chains: &[Chain]) -> String {
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
    if !i.suppressed.is_empty() {
        summary.push(format!("{} suppressed", i.suppressed.len()));
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
    suppressed(&mut s, &i.suppressed.iter().collect::<Vec<_>>(), links);
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
fn artifacts(s: &mut String, i: &IncidentReport, links: &Forge, chain: Option<&Chain>) {
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
    match links.short_sha() {
        Some(sha) => {
            let _ = writeln!(s, "**Artifacts** at {}\n", code(sha, false));
        }
        None => s.push_str("**Artifacts**\n\n"),
    }
    for it in items.iter().take(MAX_LISTED * 2) {
        let _ = writeln!(s, "- {it}");
    }
    if items.len() > MAX_LISTED * 2 {
        let _ = writeln!(s, "- … and {} more", items.len() - MAX_LISTED * 2);
    }
    s.push('\n');
}

/// The audit trace: claimed, computed and counted coverage, and the chain when known.
fn audit(s: &mut String, g: &Evaluation, links: &Forge, chain: Option<&Chain>) {
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
                    match links.commit(sha) {
                        Some(url) => format!(
                            "commit [{}]({url}) {}",
                            code(&short, true),
                            message(subject, true)
                        ),
                        None => format!("commit {} {}", code(&short, true), message(subject, true)),
                    }
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

fn errors_section(report: &Report, links: &Forge) -> String {
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

fn error_item(e: &ErrorReport, links: &Forge) -> String {
    match &e.file {
        Some(f) => format!(
            "- {}: {}\n",
            file_link(links, f, e.line, e.column, false),
            message(&e.message, false)
        ),
        None => format!("- {}\n", message(&e.message, false)),
    }
}

fn lint_section(report: &Report, links: &Forge) -> String {
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
    let silenced: Vec<&Suppressed> = report.files.iter().flat_map(|f| &f.suppressed).collect();
    suppressed(&mut s, &silenced, links);
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

fn footer(links: &Forge) -> String {
    match (
        links.short_sha(),
        links.sha().and_then(|sha| links.commit(sha)),
    ) {
        (Some(short), Some(url)) => format!(
            "<sub>sddgate {} · head [{}]({url})</sub>\n",
            env!("CARGO_PKG_VERSION"),
            code(short, false),
        ),
        _ => format!("<sub>sddgate {}</sub>\n", env!("CARGO_PKG_VERSION")),
    }
}

// ---------------------------------------------------------------------------------------------
// The documents

fn tail(report: &Report, links: &Forge, notes: &[String]) -> String {
    let mut s = errors_section(report, links);
    s.push_str(&lint_section(report, links));
    s.push_str(&notes_section(report, notes));
    s
}

fn document(
    report: &Report,
    links: &Forge,
    known: Option<&Approval>,
    notes: &[String],
    chains: &[Chain],
    head_prefix: &str,
) -> Doc {
    let unknown = Approval::default();
    let approval = known.unwrap_or(&unknown);
    let mut head = head_prefix.to_string();
    head.push_str(&headline(report, approval));
    head.push('\n');
    if let Some(a) = approval_line(report, links, known) {
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
        &Forge::GitHub(links.clone()),
        Some(approval),
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
    let doc = document(
        report,
        &Forge::GitHub(links.clone()),
        Some(approval),
        notes,
        chains,
        "",
    );
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
    let doc = document(
        report,
        &Forge::GitHub(links.clone()),
        Some(approval),
        &[],
        chains,
        "",
    );
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
