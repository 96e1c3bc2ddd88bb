//! Presets: `preset: NAME` in `.sddgate.yml` adapts discovery, section names and the spec
//! checks to a spec convention other than sddgate's own `specify.md`.
//!
//! `spec-kit` (github/spec-kit) keeps one feature per directory, `specs/NNN-feature/spec.md`,
//! beside plan.md, tasks.md, research.md, data-model.md, quickstart.md and contracts/. Only
//! spec.md is a spec: it says what and why, so the concrete-command lint applies to it in
//! full; the plan and the tasks are where the how belongs, and are never linted.

use super::SectionKind;
use schemars::JsonSchema;
use serde::Deserialize;

/// A named set of defaults for a spec convention.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
pub enum Preset {
    /// github/spec-kit feature specs: `specs/NNN-feature/spec.md`.
    #[serde(rename = "spec-kit")]
    SpecKit,
}

impl Preset {
    pub const ALL: [Preset; 1] = [Preset::SpecKit];

    /// The name written in `.sddgate.yml`.
    pub fn name(self) -> &'static str {
        match self {
            Preset::SpecKit => "spec-kit",
        }
    }

    pub fn parse(name: &str) -> Option<Preset> {
        Preset::ALL.into_iter().find(|p| p.name() == name)
    }

    /// `expected one of …` for an unknown name.
    pub fn expected() -> String {
        let names: Vec<String> = Preset::ALL
            .iter()
            .map(|p| format!("`{}`", p.name()))
            .collect();
        names.join(", ")
    }

    /// Spec globs used when `discovery.specs` is not set. `**/` also finds the specs of a
    /// monorepo package and spec-kit's older `.specify/specs/` layout.
    pub fn spec_globs(self) -> &'static [&'static str] {
        match self {
            Preset::SpecKit => &["**/specs/*/spec.md"],
        }
    }

    /// File name of the spec beside a readiness document.
    pub fn spec_file_name(self) -> &'static str {
        match self {
            Preset::SpecKit => "spec.md",
        }
    }

    /// Heading aliases added to the built-in ones (lower case, matched like them: the whole
    /// heading, or its start followed by a non-alphanumeric character, so spec-kit's
    /// `Requirements *(mandatory)*` is `Requirements`).
    pub fn section_aliases(self, kind: SectionKind) -> &'static [&'static str] {
        match (self, kind) {
            // Who needs the feature and the value it gives them: spec-kit's user stories, each
            // with "why this priority", are its answer to why.
            (Preset::SpecKit, SectionKind::Why) => &[
                "user scenarios & testing",
                "user scenarios and testing",
                "user scenarios",
                "primary user story",
                "user stories",
            ],
            (Preset::SpecKit, SectionKind::What) => &["requirements", "functional requirements"],
            // The boundaries the feature must hold: the boundary conditions and failures it must
            // handle, and what it takes as given or leaves out.
            (Preset::SpecKit, SectionKind::Constraints) => &[
                "edge cases",
                "assumptions",
                "out of scope",
                "non-functional requirements",
            ],
            // "Success Criteria" and "Acceptance Scenarios" are matched by the built-in aliases.
            (Preset::SpecKit, SectionKind::Acceptance) => &["measurable outcomes"],
            (Preset::SpecKit, SectionKind::Actions) => &[],
        }
    }

    /// The headings that count for a section, for messages: `Edge Cases` rather than
    /// `Constraints` when that is what the convention calls it.
    pub fn section_hint(self, kind: SectionKind) -> &'static str {
        match (self, kind) {
            (Preset::SpecKit, SectionKind::Why) => "User Scenarios & Testing",
            (Preset::SpecKit, SectionKind::What) => "Requirements",
            (Preset::SpecKit, SectionKind::Constraints) => "Edge Cases, Assumptions or Constraints",
            (Preset::SpecKit, SectionKind::Acceptance) => {
                "Success Criteria or Acceptance Scenarios"
            }
            (Preset::SpecKit, SectionKind::Actions) => "Pre-approved actions",
        }
    }

    /// Whether a spec must list pre-approved actions. A spec-kit spec is a feature spec, not a
    /// remediation spec: it has no such list, and the how it would name belongs to plan.md.
    /// Nothing is admitted by its absence: dry-run refuses any action a spec does not list.
    pub fn requires_actions(self) -> bool {
        match self {
            Preset::SpecKit => false,
        }
    }

    /// Rules that only this preset turns on.
    pub fn rules(self) -> &'static [&'static str] {
        match self {
            Preset::SpecKit => &["spec_unresolved_placeholder"],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for p in Preset::ALL {
            assert_eq!(Preset::parse(p.name()), Some(p));
        }
        assert_eq!(Preset::parse("speckit"), None);
        assert_eq!(Preset::expected(), "`spec-kit`");
    }

    #[test]
    fn preset_rules_exist_in_the_registry() {
        for p in Preset::ALL {
            for id in p.rules() {
                assert!(crate::rules::get(id).is_some(), "{id}");
            }
        }
    }
}
