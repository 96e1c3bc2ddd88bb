//! `--format gitlab`: a GitLab Code Quality report (`artifacts:reports:codequality`), the
//! Code Climate issue subset GitLab reads: a JSON array of issues, each with `description`,
//! `check_name`, `fingerprint`, `severity` and `location.path` + `location.lines.begin`.
//!
//! Severity: a blocker of a blocked incident is `blocker`, a lint error `critical`, a reason of
//! a semi-manual incident `major`, a warning `minor`, anything else `info`. A suppressed
//! finding is `info` and its description gives the reason (GitLab has no suppressions; it is
//! listed, not hidden). A document that could not be judged is a `blocker` issue on that file;
//! an error without a file (a bad config) has no place GitLab can show: it is left out of this
//! report, and the exit code 2 fails the job.

use super::Report;
use super::findings::{self, Finding, Kind, Level};
use serde_json::{Value, json};

pub fn render(report: &Report) -> String {
    serde_json::to_string_pretty(&document(report)).unwrap_or_default()
}

pub fn document(report: &Report) -> Value {
    let list = findings::collect(report);
    let mut issues: Vec<Value> = list.iter().filter_map(issue).collect();
    for e in &report.errors {
        let Some(file) = &e.file else { continue };
        let fingerprint = format!(
            "{:032x}",
            findings::fnv128(&["could_not_be_judged", file, &e.message])
        );
        issues.push(json!({
            "type": "issue",
            "description": format!("could not be judged: {}", e.message),
            "check_name": "could_not_be_judged",
            "fingerprint": fingerprint,
            "severity": "blocker",
            "categories": ["Bug Risk"],
            "location": {"path": path(file), "lines": {"begin": e.line.unwrap_or(1).max(1)}},
        }));
    }
    Value::Array(issues)
}

/// The path GitLab matches against the merge request's files: repository-relative, `/`
/// separators, no `./`.
fn path(p: &str) -> String {
    p.replace('\\', "/")
        .split('/')
        .filter(|s| !s.is_empty() && *s != ".")
        .collect::<Vec<_>>()
        .join("/")
}

fn severity(f: &Finding<'_>) -> &'static str {
    match (f.kind, f.level) {
        (Kind::Suppressed, _) | (_, Level::Note) => "info",
        (Kind::Blocker, Level::Error) => "blocker",
        (_, Level::Error) => "critical",
        (Kind::Blocker, Level::Warning) => "major",
        (_, Level::Warning) => "minor",
    }
}

fn issue(f: &Finding<'_>) -> Option<Value> {
    let place = f.place()?;
    let mut description = match f.suppression {
        Some(s) => format!("suppressed ({}): {}", s.reason, f.message),
        None => f.message.to_string(),
    };
    if let Some(id) = f.incident_id {
        description.push_str(&format!(" [incident {id}]"));
    }
    if f.placed_on_document() {
        description.push_str(" (no place of its own: shown on its document, line 1)");
    }
    let line = if f.file.is_some() { f.line } else { None };
    let mut issue = json!({
        "type": "issue",
        "description": description,
        "check_name": f.rule,
        "fingerprint": f.fingerprint,
        "severity": severity(f),
        "categories": ["Bug Risk"],
        "location": {"path": path(place), "lines": {"begin": line.unwrap_or(1).max(1)}},
    });
    if !f.fix.is_empty() {
        issue["content"] = json!({"body": format!("Fix: {}", f.fix)});
    }
    Some(issue)
}
