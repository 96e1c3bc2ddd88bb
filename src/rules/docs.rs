//! `docs/rules/`: one Markdown page per rule and an index, rendered from the registry, the
//! same fields `sddgate explain` prints. `tests/rule_docs.rs` keeps the files equal to what
//! these functions render (`SDDGATE_BLESS=1 cargo test --test rule_docs` rewrites them).

use super::{Rule, Scope};
use crate::config::{Preset, SectionKind};
use crate::model::Severity;

/// Directory of the pages, repository-relative.
pub const DIR: &str = "docs/rules";

const GENERATED: &str = "<!-- Generated from src/rules/ by `SDDGATE_BLESS=1 cargo test --test rule_docs`: edit the rule there, not this file. -->";

impl Scope {
    /// The scope as `sddgate rules` prints it.
    pub fn label(self) -> &'static str {
        match self {
            Scope::Gate => "gate",
            Scope::Spec => "spec",
            Scope::Action => "dry-run",
        }
    }

    /// What the scope means, in a few words.
    pub fn meaning(self) -> &'static str {
        match self {
            Scope::Gate => "a blocking condition of the readiness gate (`check`, `readiness`)",
            Scope::Spec => "a check of a spec (`lint`, and `check` through the spec's incident)",
            Scope::Action => "a check of `sddgate dry-run`",
        }
    }
}

pub fn severity_label(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

/// The directive that silences one occurrence, or `None` when the rule cannot be suppressed.
pub fn suppression(rule: &Rule) -> Option<String> {
    rule.suppressible.then(|| {
        format!(
            "<!-- sddgate-allow {}: why this line must stay -->",
            rule.id
        )
    })
}

/// How presets change where the rule applies or what it looks for, when they do.
pub fn preset_note(rule: &Rule) -> Option<String> {
    let named = |f: &dyn Fn(Preset) -> bool| -> Vec<String> {
        Preset::ALL
            .into_iter()
            .filter(|p| f(*p))
            .map(|p| format!("`preset: {}`", p.name()))
            .collect()
    };
    let only = named(&|p| p.rules().contains(&rule.id));
    if !only.is_empty() {
        return Some(format!(
            "Only with {} in `.sddgate.yml`.",
            only.join(" or ")
        ));
    }
    let kinds: &[SectionKind] = match rule.id {
        "spec_missing_section" => &SectionKind::REQUIRED,
        "spec_missing_acceptance" => &[SectionKind::Acceptance],
        "spec_no_actions" => {
            let off = named(&|p| !p.requires_actions());
            return (!off.is_empty()).then(|| format!(
                "With {} (feature specs, not remediation specs) it reports only a Pre-approved actions section that lists nothing, never its absence.",
                off.join(" or ")
            ));
        }
        _ => return None,
    };
    let lines: Vec<String> = Preset::ALL
        .into_iter()
        .map(|p| {
            let map: Vec<String> = kinds
                .iter()
                .map(|k| format!("{} = {}", k.title(), p.section_hint(*k)))
                .collect();
            format!(
                "With `preset: {}` the headings are its own: {}.",
                p.name(),
                map.join("; ")
            )
        })
        .collect();
    Some(lines.join(" "))
}

/// Where a rule is reported, when its scope alone does not say.
fn reported_by(rule: &Rule) -> &'static str {
    if rule.id == "concrete_command_in_spec" {
        "; found by the spec lint, so `lint` reports it too"
    } else {
        ""
    }
}

/// A fence longer than any run of backticks in `text`.
fn fence(text: &str) -> String {
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    "`".repeat(longest.max(2) + 1)
}

fn example_language(rule: &Rule) -> &'static str {
    if rule.scope == Scope::Spec || rule.id == "concrete_command_in_spec" {
        "markdown"
    } else {
        "text"
    }
}

fn code_block(lang: &str, text: &str) -> String {
    let f = fence(text);
    format!("{f}{lang}\n{}\n{f}\n", text.trim_end_matches('\n'))
}

/// The page of one rule, `docs/rules/<id>.md`.
pub fn page(rule: &Rule) -> String {
    let lang = example_language(rule);
    let mut s = format!("{GENERATED}\n\n# `{}`\n\n", rule.id);
    s.push_str("| Scope | Severity | Suppressible |\n|---|---|---|\n");
    s.push_str(&format!(
        "| {}: {}{} | {} | {} |\n\n",
        rule.scope.label(),
        rule.scope.meaning(),
        reported_by(rule),
        severity_label(rule.severity),
        if rule.suppressible { "yes" } else { "no" }
    ));
    if let Some(note) = preset_note(rule) {
        s.push_str(&format!("{note}\n\n"));
    }
    s.push_str(&format!("## What it checks\n\n{}\n\n", rule.summary));
    s.push_str(&format!("## Why\n\n{}\n\n", rule.why));
    s.push_str(&format!("## Fails\n\n{}\n", code_block(lang, rule.fails)));
    s.push_str(&format!("## Passes\n\n{}\n", code_block(lang, rule.passes)));
    s.push_str(&format!("## How to fix\n\n{}\n\n", rule.fix));
    s.push_str("## How to suppress\n\n");
    match suppression(rule) {
        Some(d) => s.push_str(&format!(
            "One occurrence, with a reason, in a comment on the line before it (or at the end of its line; before a code block it covers the whole block):\n\n{}\nA suppression without a reason silences nothing (`suppression_without_reason`), and one that silences nothing is reported (`unused_suppression`).\n",
            code_block("markdown", &d)
        )),
        None => s.push_str("Cannot be suppressed.\n"),
    }
    s.push_str(&format!(
        "\nThe same text in a terminal: `sddgate explain {}`.\n",
        rule.id
    ));
    s
}

/// First sentence of a summary, for the index.
fn first_sentence(s: &str) -> &str {
    match s.find(". ") {
        Some(i) => &s[..=i],
        None => s,
    }
}

/// `docs/rules/README.md`: a table of every rule, in report order.
pub fn index<'a>(rules: impl IntoIterator<Item = &'a Rule>) -> String {
    let mut s = format!(
        "{GENERATED}\n\n# Rules\n\nEvery finding sddgate reports has a rule id. `sddgate rules` lists them and `sddgate explain ID` prints one page in a terminal; these pages hold the same text.\n\n| Rule | Scope | Severity | Suppressible | What it checks |\n|---|---|---|---|---|\n"
    );
    for r in rules {
        s.push_str(&format!(
            "| [`{id}`]({id}.md) | {} | {} | {} | {} |\n",
            r.scope.label(),
            severity_label(r.severity),
            if r.suppressible { "yes" } else { "no" },
            first_sentence(r.summary).replace('|', "\\|"),
            id = r.id,
        ));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fence_outgrows_the_backticks_it_holds() {
        assert_eq!(fence("plain"), "```");
        assert_eq!(fence("a ```` b"), "`````");
        let block = code_block("text", "x\n```\ny\n");
        assert!(block.starts_with("````text\nx\n```\ny\n````"), "{block}");
    }
}
