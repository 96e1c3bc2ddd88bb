//! The parts of a rendered report: the incident table, each incident's folded details
//! (scores, findings, artifacts, audit chain), errors, lint findings, notes and the footer.

use super::*;

/// Incidents in reading order: blocked first, then semi-manual, then pass; the report's order
/// within each.
pub(super) fn ordered(report: &Report) -> Vec<&IncidentReport> {
    let mut v: Vec<&IncidentReport> = report.incidents.iter().collect();
    v.sort_by_key(|i| std::cmp::Reverse(i.decision));
    v
}

pub(super) const TABLE_HEADER: &str =
    "| decision | incident | score | profile | document |\n|---|---|---|---|---|\n";

pub(super) fn row(i: &IncidentReport, approved: bool) -> String {
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
pub(super) fn score_text(g: &Evaluation) -> String {
    if g.claimed_total == g.verified_total {
        format!("{}/{}", g.verified_total, g.max_total)
    } else {
        format!(
            "{}/{} (claimed {})",
            g.verified_total, g.max_total, g.claimed_total
        )
    }
}

pub(super) fn profile_text(g: &Evaluation, table: bool) -> String {
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
pub(super) fn finding(v: &Violation, links: &Forge, with_severity: bool) -> String {
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
pub(super) fn suppressed(out: &mut String, list: &[&Suppressed], links: &Forge) {
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

pub(super) fn findings(out: &mut String, list: &[Violation], links: &Forge, with_severity: bool) {
    for v in list.iter().take(MAX_LISTED) {
        out.push_str(&finding(v, links, with_severity));
    }
    if list.len() > MAX_LISTED {
        let _ = writeln!(
            out,
            "- … and {} more (`--format json` lists every one)",
            list.len() - MAX_LISTED
        );
    }
}

/// One incident's folded details.
pub(super) fn details(
    i: &IncidentReport,
    links: &Forge,
    approved: bool,
    chains: &[Chain],
) -> String {
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

pub(super) fn scores(s: &mut String, g: &Evaluation) {
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
pub(super) fn artifacts(s: &mut String, i: &IncidentReport, links: &Forge, chain: Option<&Chain>) {
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
pub(super) fn audit(s: &mut String, g: &Evaluation, links: &Forge, chain: Option<&Chain>) {
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

pub(super) fn errors_section(report: &Report, links: &Forge) -> String {
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
            "- … and {} more (`--format json` lists every one)",
            report.errors.len() - MAX_LISTED * 3
        );
    }
    s.push('\n');
    s
}

pub(super) fn error_item(e: &ErrorReport, links: &Forge) -> String {
    match &e.file {
        Some(f) => format!(
            "- {}: {}\n",
            file_link(links, f, e.line, e.column, false),
            message(&e.message, false)
        ),
        None => format!("- {}\n", message(&e.message, false)),
    }
}

pub(super) fn lint_section(report: &Report, links: &Forge) -> String {
    if report.files.is_empty() {
        return String::new();
    }
    let (e, w) = report.lint_counts();
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

pub(super) fn notes_section(report: &Report, notes: &[String]) -> String {
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

pub(super) fn footer(links: &Forge) -> String {
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
