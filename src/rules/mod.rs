//! The rule registry: every id the gate can report, with its documentation. `rules`,
//! `explain` and the report order all come from here.

mod action;
pub mod docs;
mod gate;
pub mod placeholder;
mod spec;

use crate::model::Severity;
use serde::Serialize;

/// Where a rule applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// A blocking condition of the readiness gate.
    Gate,
    /// A check of a specify.md.
    Spec,
    /// A check of `sddgate dry-run`.
    Action,
}

#[derive(Debug, Clone, Serialize)]
pub struct Rule {
    pub id: &'static str,
    pub scope: Scope,
    pub severity: Severity,
    /// Whether `<!-- sddgate-allow ID: reason -->` may silence it.
    pub suppressible: bool,
    pub summary: &'static str,
    pub why: &'static str,
    pub fails: &'static str,
    pub passes: &'static str,
    pub fix: &'static str,
}

/// All rules, in report order: the audit check first, the total last.
pub fn all() -> impl Iterator<Item = &'static Rule> {
    gate::RULES
        .iter()
        .chain(spec::RULES.iter())
        .chain(action::RULES.iter())
}

pub fn get(id: &str) -> Option<&'static Rule> {
    all().find(|r| r.id == id)
}

/// Position of a rule in report order (unknown ids last).
pub fn order(id: &str) -> usize {
    all().position(|r| r.id == id).unwrap_or(usize::MAX)
}

/// The fix text of a rule, for violations built from it.
pub fn fix(id: &str) -> &'static str {
    get(id).map(|r| r.fix).unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_snake_case_and_documented() {
        let mut seen = std::collections::HashSet::new();
        for r in all() {
            assert!(seen.insert(r.id), "duplicate {}", r.id);
            assert!(
                r.id.chars().all(|c| c.is_ascii_lowercase() || c == '_'),
                "{}",
                r.id
            );
            for (what, text) in [
                ("summary", r.summary),
                ("why", r.why),
                ("fails", r.fails),
                ("passes", r.passes),
                ("fix", r.fix),
            ] {
                assert!(!text.trim().is_empty(), "{} has no {what}", r.id);
            }
        }
    }

    #[test]
    fn audit_is_reported_first_and_the_total_last_of_the_gate() {
        let gate: Vec<_> = all()
            .filter(|r| r.scope == Scope::Gate)
            .map(|r| r.id)
            .collect();
        assert_eq!(gate.first(), Some(&"audit_trace_incomplete"));
        assert_eq!(gate.last(), Some(&"score_below_threshold"));
    }
}
