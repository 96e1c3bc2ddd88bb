//! `rules`, `explain` and `schema`: documentation printed from the registry and the types.

use crate::cli::{Format, SchemaName};
use crate::error::Error;
use crate::model::Severity;
use crate::rules;
use std::io::Write;

pub fn rules(format: Format) -> i32 {
    let mut out = anstream::stdout().lock();
    let written = match format {
        Format::Json => {
            let all: Vec<_> = rules::all().collect();
            writeln!(
                out,
                "{}",
                serde_json::to_string_pretty(&all).unwrap_or_default()
            )
        }
        Format::Human => rules::all().try_for_each(|r| {
            let sev = match r.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
            };
            let scope = match r.scope {
                rules::Scope::Gate => "gate",
                rules::Scope::Spec => "spec",
                rules::Scope::Action => "dry-run",
            };
            writeln!(
                out,
                "{:<28} {scope:<7} {sev:<8} {}",
                r.id,
                first_sentence(r.summary)
            )
        }),
    };
    super::finish(written, 0)
}

fn first_sentence(s: &str) -> &str {
    match s.find(". ") {
        Some(i) => &s[..=i],
        None => s,
    }
}

pub fn explain(id: &str) -> Result<i32, Error> {
    let Some(r) = rules::get(id) else {
        let close: Vec<&str> = rules::all()
            .map(|r| r.id)
            .filter(|x| x.contains(id) || id.contains(*x))
            .collect();
        let hint = if close.is_empty() {
            "run `sddgate rules` for the list".to_string()
        } else {
            format!("did you mean {}?", close.join(", "))
        };
        return Err(Error::Usage(format!("unknown rule `{id}`: {hint}")));
    };
    let mut out = anstream::stdout().lock();
    let indent = |s: &str| {
        s.lines()
            .map(|l| format!("    {l}"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    let suppress = if r.suppressible {
        format!(
            "Suppress one occurrence with a reason, on the line before:\n    <!-- sddgate-allow {}: why this line must stay -->",
            r.id
        )
    } else {
        "Cannot be suppressed.".to_string()
    };
    let written = writeln!(
        out,
        "{id}\n\nWhat it checks\n    {}\n\nWhy\n    {}\n\nFails\n{}\n\nPasses\n{}\n\nFix\n    {}\n\n{suppress}",
        r.summary,
        r.why,
        indent(r.fails),
        indent(r.passes),
        r.fix,
        id = r.id
    );
    Ok(super::finish(written, 0))
}

pub fn schema(name: SchemaName) -> i32 {
    let mut out = anstream::stdout().lock();
    let v = crate::schema::schema(name);
    super::finish(
        writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&v).unwrap_or_default()
        ),
        0,
    )
}
