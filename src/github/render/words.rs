//! The short texts: counts, headline, approval line, check run title.

use super::*;

pub(super) fn plural(n: usize, one: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {one}s")
    }
}

pub(super) fn category_title(c: Category) -> &'static str {
    match c {
        Category::Spec => "Spec",
        Category::Implementation => "Implementation",
        Category::Verification => "Verification",
        Category::Process => "Process",
        Category::Security => "Security",
    }
}

pub(super) fn decision_label(d: Decision, approved: bool) -> &'static str {
    match (d, approved) {
        (Decision::SemiManual, true) => "SEMI-MANUAL (approved)",
        _ => d.word(),
    }
}

pub(super) fn status_words(s: EvidenceStatus) -> &'static str {
    match s {
        EvidenceStatus::Present => "",
        EvidenceStatus::Missing => " (does not exist)",
        EvidenceStatus::Empty => " (empty)",
        EvidenceStatus::OutsideRepository => " (outside the repository: not read)",
    }
}

/// `17 incidents: 14 blocked, 1 semi-manual, 2 pass; 1 document could not be judged`.
pub(super) fn counts(report: &Report, approval: &Approval) -> String {
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
        let (e, w) = report.lint_counts();
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

pub(super) fn status_word(o: Outcome) -> &'static str {
    match o {
        Outcome::Nothing => "nothing in scope",
        Outcome::Pass | Outcome::Approved => "PASS",
        Outcome::Semi => "SEMI-MANUAL",
        Outcome::Block => "BLOCK",
        Outcome::Error => "ERROR",
    }
}

/// `**sddgate: BLOCK** — 2 incidents: 1 blocked, 1 pass`.
pub(super) fn headline(report: &Report, approval: &Approval) -> String {
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
pub(super) fn approval_line(
    report: &Report,
    links: &Forge,
    approval: Option<&Approval>,
) -> Option<String> {
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
pub(super) fn title(report: &Report, approval: &Approval) -> String {
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
            let (e, _) = report.lint_counts();
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
