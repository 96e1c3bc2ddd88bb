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
mod links;
mod sections;
#[cfg(test)]
mod tests;
mod text;
mod words;

pub use annotations::{Annotation, annotations};
use fit::*;
pub use links::{Forge, Links};
use sections::*;
use text::*;
pub use text::{encode_segment, linkable};
use words::*;

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
    let doc = on_github(
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

/// The document as `sddgate ci` posts it: links at the head commit, the approval known.
fn on_github(
    report: &Report,
    links: &Links,
    approval: &Approval,
    notes: &[String],
    chains: &[Chain],
    head_prefix: &str,
) -> Doc {
    let forge = Forge::GitHub(links.clone());
    document(report, &forge, Some(approval), notes, chains, head_prefix)
}

/// The job summary: the comment's content without the marker, within 1 MiB.
pub fn job_summary(
    report: &Report,
    links: &Links,
    approval: &Approval,
    notes: &[String],
    chains: &[Chain],
) -> String {
    let doc = on_github(report, links, approval, notes, chains, "");
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
    let doc = on_github(report, links, approval, &[], chains, "");
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
