//! `--format github`: GitHub Actions workflow commands, one `::error` / `::warning` /
//! `::notice` per finding (the runner shows them as annotations on the files), then one
//! summary line. Escaped as `@actions/core` does (`github::workflow`), so no message or path
//! can end a command early or forge another one.
//!
//! Findings in repository files come from `github::render::annotations` (the check run's
//! annotations: same levels, duplicates merged). A finding or an error whose file GitHub
//! cannot place (none, or outside the repository) is still printed, without `file=`.

use super::Report;
use super::findings::{self, Kind, Level};
use crate::github::render;
use crate::github::workflow::{annotation_command, escape_data, escape_property};

pub fn render(report: &Report) -> String {
    let mut out = String::new();
    for a in render::annotations(report) {
        out.push_str(&annotation_command(&a));
        out.push('\n');
    }
    for f in findings::collect(report) {
        if f.kind == Kind::Suppressed || f.file.is_some_and(render::linkable) {
            continue;
        }
        let command = match f.level {
            Level::Error => "error",
            Level::Warning => "warning",
            Level::Note => "notice",
        };
        let mut message = f.message.to_string();
        if let Some(file) = f.file {
            message = format!("{file}: {message}");
        }
        if !f.fix.is_empty() {
            message.push_str("\nFix: ");
            message.push_str(f.fix);
        }
        if let Some(id) = f.incident_id {
            message.push_str(&format!("\nIncident {id}"));
        }
        out.push_str(&format!(
            "::{command} title={}::{}\n",
            escape_property(f.rule),
            escape_data(&message)
        ));
    }
    for e in &report.errors {
        if e.file.as_deref().is_some_and(render::linkable) {
            continue; // annotated above
        }
        let message = match &e.file {
            Some(f) => format!("{f}: {}", e.message),
            None => e.message.clone(),
        };
        out.push_str(&format!(
            "::error title=could_not_be_judged::{}\n",
            escape_data(&message)
        ));
    }
    // One line (no CR/LF in it), and it starts with `sddgate:`, never `::`.
    out.push_str(&render::summary_line(report));
    out.push('\n');
    out
}
