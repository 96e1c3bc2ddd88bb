//! `sddgate lint`: the structure checks and the concrete-command lint of one specify.md,
//! with `sddgate-allow` suppressions applied and their misuse reported.

use crate::config::{Config, SectionKind};
use crate::lint::{self, CommandHit};
use crate::model::{Severity, Violation};
use crate::parse::specify::{Spec, Suppression};
use crate::rules::{self, Scope};
use crate::span::LineIndex;
use schemars::JsonSchema;
use serde::Serialize;

/// Everything the lint found in one spec.
#[derive(Debug, Clone, Default)]
pub struct SpecLint {
    /// All findings, errors and warnings, in source order.
    pub findings: Vec<Violation>,
    /// Findings a reasoned `sddgate-allow` silenced, in source order: a suppression is a
    /// decision someone took, so the report shows it as plainly as the finding it hides.
    pub suppressed: Vec<Suppressed>,
    /// Unsuppressed commands: (line, col, length, matched).
    pub commands: Vec<(u32, u32, usize, String)>,
    pub missing_sections: Vec<&'static str>,
}

/// A finding silenced by a reasoned `sddgate-allow`: what it was, where, and who waved it
/// through (the suppression's line) and why.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct Suppressed {
    /// The silenced rule, e.g. `concrete_command_in_spec`.
    pub id: &'static str,
    /// What the finding would have been had it not been silenced.
    pub severity: Severity,
    pub message: String,
    /// What the gate saw, e.g. the command; null when the rule records nothing.
    pub observed: Option<String>,
    pub file: String,
    pub line: u32,
    pub column: u32,
    /// Length in characters of the silenced source text.
    pub length: u32,
    /// Where the `sddgate-allow` comment is.
    pub suppression_line: u32,
    pub suppression_column: u32,
    /// The reason the comment gives (never empty: a suppression without one silences nothing).
    pub reason: String,
}

impl Suppressed {
    fn new(v: Violation, by: &Suppression) -> Suppressed {
        Suppressed {
            id: v.id,
            severity: v.severity,
            observed: v.observed.as_ref().map(|o| match o {
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            }),
            message: v.message,
            file: v.file.unwrap_or_default(),
            line: v.line.unwrap_or(0),
            column: v.column.unwrap_or(0),
            length: v.length.unwrap_or(1),
            suppression_line: by.line,
            suppression_column: by.col,
            reason: by.reason.clone().unwrap_or_default(),
        }
    }
}

pub fn lint(spec: &Spec, text: &str, config: &Config) -> SpecLint {
    lint_with(spec, text, &lint::Markdown::parse(text), config)
}

/// [`lint`] over the Markdown events of `text` parsed already (the parse the spec parser
/// shared, see [`crate::parse::specify::parse_with`]).
pub fn lint_with(spec: &Spec, text: &str, md: &lint::Markdown<'_>, config: &Config) -> SpecLint {
    // Built on the first finding that needs a position: most specs have none.
    let idx = std::cell::OnceCell::new();
    let position = |offset: usize| {
        idx.get_or_init(|| LineIndex::new(text))
            .position(text, offset)
    };
    let file = spec.file.as_str();
    let mut findings = Vec::new();
    let mut raw: Vec<Violation> = Vec::new();

    let hits: Vec<CommandHit> = lint::find_commands_in(text, md, config.commands());
    for h in &hits {
        let (line, col) = position(h.start);
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
                    format!("no `{}` section{}", kind.title(), config.section_hint(kind)),
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
                format!(
                    "no `Acceptance` section (Given/When/Then){}",
                    config.section_hint(SectionKind::Acceptance)
                ),
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
        // A feature spec (a preset's) has no such list; nothing is admitted by its absence.
        None if config.requires_actions() => raw.push(
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
    if config.preset_rule("spec_unresolved_placeholder") {
        for p in rules::placeholder::find(text, &spec.code_ranges) {
            let (line, col) = position(p.range.start);
            let seen = &text[p.range.clone()];
            let message = if p.question {
                format!("open question `{}`", truncate(seen, 60))
            } else {
                format!("template placeholder `{seen}` not filled in")
            };
            raw.push(
                Violation::new("spec_unresolved_placeholder", Severity::Error, message)
                    .observed(seen.to_string())
                    .fix(rules::fix("spec_unresolved_placeholder"))
                    .at(file, line, col)
                    .length(seen.chars().count()),
            );
        }
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
    let mut suppressed = Vec::new();
    for v in raw {
        let line = v.line.unwrap_or(0);
        // The rule is looked up once per finding, not once per suppression.
        let suppressible = rules::get(v.id).is_some_and(|r| r.suppressible);
        let by = if suppressible {
            spec.suppressions.iter().enumerate().find(|(_, s)| {
                (s.covers.0..=s.covers.1).contains(&line)
                    && s.reason.is_some()
                    && s.rules.iter().any(|r| r == v.id)
            })
        } else {
            None
        };
        match by {
            Some((i, s)) => {
                used[i] = true;
                suppressed.push(Suppressed::new(v, s));
            }
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
    suppressed.sort_by_key(|s| (s.line, s.column, rules::order(s.id)));
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
        suppressed,
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::specify;
    use std::path::PathBuf;

    const FILE: &str = "specs/x/specify.md";

    /// A clean spec with `extra` as the lines after `## Why`, linted.
    fn lint_with(extra: &str) -> SpecLint {
        let text = format!(
            "# x\n\n## Why\n{extra}\n\n## What\nRestore.\n\n## Constraints\nOne pod.\n\n## Acceptance\nGiven x, when y, then z.\n\n## Pre-approved actions\n- restart_pod\n"
        );
        let config = Config::from_text(PathBuf::from("/r"), None, "").unwrap();
        let spec = specify::parse(FILE, &text, &config).unwrap();
        lint(&spec, &text, &config)
    }

    fn ids(l: &SpecLint) -> Vec<&'static str> {
        l.findings.iter().map(|v| v.id).collect()
    }

    #[test]
    fn a_reasoned_suppression_keeps_what_it_silenced() {
        // Lines: 1 `# x`, 2 blank, 3 `## Why`, 4 the comment, 5 the command.
        let l = lint_with(
            "<!-- sddgate-allow concrete_command_in_spec: quotes the postmortem -->\nThe on-call ran `kubectl rollout restart deploy/api` by hand.",
        );
        assert!(ids(&l).is_empty(), "{:?}", l.findings);
        assert!(l.commands.is_empty());
        assert_eq!(
            l.suppressed,
            vec![Suppressed {
                id: "concrete_command_in_spec",
                severity: Severity::Error,
                message: "concrete command `kubectl rollout restart deploy/api` in code".into(),
                observed: Some("kubectl rollout restart deploy/api".into()),
                file: FILE.into(),
                line: 5,
                column: 18,
                length: 34,
                suppression_line: 4,
                suppression_column: 1,
                reason: "quotes the postmortem".into(),
            }]
        );
    }

    #[test]
    fn a_suppression_without_a_reason_silences_nothing_and_records_nothing() {
        let l =
            lint_with("<!-- sddgate-allow concrete_command_in_spec -->\nkubectl delete pod api-0");
        assert!(l.suppressed.is_empty(), "{:?}", l.suppressed);
        assert_eq!(
            ids(&l),
            ["suppression_without_reason", "concrete_command_in_spec"]
        );
        assert_eq!(l.commands.len(), 1);
    }

    #[test]
    fn a_suppression_for_another_rule_records_nothing() {
        let l =
            lint_with("<!-- sddgate-allow spec_no_actions: not this -->\nkubectl delete pod api-0");
        assert!(l.suppressed.is_empty(), "{:?}", l.suppressed);
        assert!(ids(&l).contains(&"concrete_command_in_spec"));
    }

    #[test]
    fn silenced_findings_are_kept_in_source_order_with_their_own_suppression() {
        // A fenced block covered as a whole (two commands), then a same-line suppression.
        let l = lint_with(
            "<!-- sddgate-allow concrete_command_in_spec: the 2026-05 runbook -->\n```\nkubectl scale deploy/api --replicas=0\nhelm rollback api 41\n```\nThen `systemctl restart api` <!-- sddgate-allow concrete_command_in_spec: same line -->",
        );
        assert!(ids(&l).is_empty(), "{:?}", l.findings);
        let got: Vec<(u32, &str, u32, &str)> = l
            .suppressed
            .iter()
            .map(|s| {
                (
                    s.line,
                    s.observed.as_deref().unwrap_or(""),
                    s.suppression_line,
                    s.reason.as_str(),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                (
                    6,
                    "kubectl scale deploy/api --replicas=0",
                    4,
                    "the 2026-05 runbook"
                ),
                (7, "helm rollback api 41", 4, "the 2026-05 runbook"),
                (9, "systemctl restart api", 9, "same line"),
            ]
        );
    }
}
