//! `sddgate lint`: the structure checks and the concrete-command lint of one specify.md,
//! with `sddgate-allow` suppressions applied and their misuse reported.

use crate::config::{Config, SectionKind};
use crate::lint::{self, CommandHit};
use crate::model::{Severity, Violation};
use crate::parse::specify::Spec;
use crate::rules::{self, Scope};
use crate::span::LineIndex;

/// Everything the lint found in one spec.
#[derive(Debug, Clone, Default)]
pub struct SpecLint {
    /// All findings, errors and warnings, in source order.
    pub findings: Vec<Violation>,
    /// Unsuppressed commands: (line, col, length, matched).
    pub commands: Vec<(u32, u32, usize, String)>,
    pub missing_sections: Vec<&'static str>,
}

pub fn lint(spec: &Spec, text: &str, config: &Config) -> SpecLint {
    let idx = LineIndex::new(text);
    let file = spec.file.as_str();
    let mut findings = Vec::new();
    let mut raw: Vec<Violation> = Vec::new();

    let hits: Vec<CommandHit> = lint::find_commands(text, config.commands());
    for h in &hits {
        let (line, col) = idx.position(text, h.start);
        let len = text
            .get(h.start..h.end)
            .map(|s| s.chars().count())
            .unwrap_or(1)
            .max(1);
        let disguise = if h.disguised {
            " (disguised: look-alike, hidden or quoted characters)"
        } else {
            ""
        };
        raw.push(
            Violation::new(
                "concrete_command_in_spec",
                Severity::Error,
                format!(
                    "concrete command `{}` in {}{disguise}",
                    h.matched,
                    context_words(h.context)
                ),
            )
            .observed(h.matched.clone())
            .threshold("abstract action names only")
            .fix(rules::fix("concrete_command_in_spec"))
            .at(file, line, col)
            .length(len),
        );
    }

    let mut missing_sections = Vec::new();
    for kind in SectionKind::REQUIRED {
        if spec.section(kind).is_none() {
            missing_sections.push(kind.title());
            raw.push(
                Violation::new(
                    "spec_missing_section",
                    Severity::Error,
                    format!("no `{}` section", kind.title()),
                )
                .observed(format!("headings: {}", headings(spec)))
                .threshold(kind.title())
                .fix(rules::fix("spec_missing_section"))
                .at(file, 1, 1),
            );
        }
    }
    if spec.section(SectionKind::Acceptance).is_none() {
        raw.push(
            Violation::new(
                "spec_missing_acceptance",
                Severity::Warning,
                "no `Acceptance` section (Given/When/Then)",
            )
            .fix(rules::fix("spec_missing_acceptance"))
            .at(file, 1, 1),
        );
    }
    match spec.section(SectionKind::Actions) {
        Some(s) if spec.actions.is_empty() => raw.push(
            Violation::new(
                "spec_no_actions",
                Severity::Warning,
                format!("section `{}` lists no action", s.title),
            )
            .fix(rules::fix("spec_no_actions"))
            .at(file, s.line, s.col),
        ),
        None => raw.push(
            Violation::new(
                "spec_no_actions",
                Severity::Warning,
                "no `Pre-approved actions` section",
            )
            .fix(rules::fix("spec_no_actions"))
            .at(file, 1, 1),
        ),
        _ => {}
    }
    for item in &spec.unnamed_action_items {
        raw.push(
            Violation::new(
                "action_name_invalid",
                Severity::Warning,
                format!(
                    "`{}` does not start with an action identifier",
                    truncate(&item.value, 60)
                ),
            )
            .fix(rules::fix("action_name_invalid"))
            .at(file, item.line, item.col),
        );
    }
    for (i, a) in spec.actions.iter().enumerate() {
        if spec.actions[..i].iter().any(|b| b.name == a.name) {
            raw.push(
                Violation::new(
                    "duplicate_action",
                    Severity::Warning,
                    format!("action `{}` is listed again", a.name),
                )
                .fix(rules::fix("duplicate_action"))
                .at(file, a.line, a.col)
                .length(a.name.chars().count()),
            );
        }
    }

    // Suppressions: a reason is required, the rule must exist and be suppressible, and each
    // must silence something.
    let mut used = vec![false; spec.suppressions.len()];
    for v in raw {
        let line = v.line.unwrap_or(0);
        let by = spec.suppressions.iter().enumerate().find(|(_, s)| {
            s.reason.is_some()
                && s.rules.iter().any(|r| r == v.id)
                && rules::get(v.id).is_some_and(|r| r.suppressible)
                && (s.covers.0..=s.covers.1).contains(&line)
        });
        match by {
            Some((i, _)) => used[i] = true,
            None => findings.push(v),
        }
    }
    for (i, s) in spec.suppressions.iter().enumerate() {
        let at = |v: Violation| v.at(file, s.line, s.col);
        if s.reason.is_none() {
            findings.push(at(Violation::new(
                "suppression_without_reason",
                Severity::Warning,
                format!(
                    "`sddgate-allow {}` gives no reason and silences nothing",
                    s.rules.join(", ")
                ),
            )
            .fix(rules::fix("suppression_without_reason"))));
            continue;
        }
        let bad: Vec<&str> = s
            .rules
            .iter()
            .map(String::as_str)
            .filter(|r| {
                !rules::get(r).is_some_and(|x| {
                    x.suppressible && (x.scope == Scope::Spec || x.id == "concrete_command_in_spec")
                })
            })
            .collect();
        if !bad.is_empty() || s.rules.is_empty() {
            findings.push(at(Violation::new(
                "suppression_unknown_rule",
                Severity::Warning,
                if s.rules.is_empty() {
                    "`sddgate-allow` names no rule".to_string()
                } else {
                    format!("`{}` is not a rule a spec may suppress", bad.join(", "))
                },
            )
            .fix(rules::fix("suppression_unknown_rule"))));
        } else if !used[i] {
            findings.push(at(Violation::new(
                "unused_suppression",
                Severity::Warning,
                format!(
                    "`sddgate-allow {}` silences nothing on line(s) {}-{}",
                    s.rules.join(", "),
                    s.covers.0,
                    s.covers.1
                ),
            )
            .fix(rules::fix("unused_suppression"))));
        }
    }
    findings.sort_by_key(|v| (v.line, v.column, rules::order(v.id)));
    let commands = findings
        .iter()
        .filter(|v| v.id == "concrete_command_in_spec")
        .map(|v| {
            (
                v.line.unwrap_or(0),
                v.column.unwrap_or(0),
                v.length.unwrap_or(1) as usize,
                v.observed
                    .as_ref()
                    .and_then(|o| o.as_str())
                    .unwrap_or("")
                    .to_string(),
            )
        })
        .collect();
    SpecLint {
        findings,
        commands,
        missing_sections,
    }
}

fn context_words(c: lint::Context) -> &'static str {
    match c {
        lint::Context::Code => "code",
        lint::Context::Prose => "prose",
    }
}

fn headings(spec: &Spec) -> String {
    if spec.sections.is_empty() {
        return "none".into();
    }
    spec.sections
        .iter()
        .map(|s| s.title.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(n).collect::<String>())
    }
}
