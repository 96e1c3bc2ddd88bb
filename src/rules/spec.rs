//! Checks of a specify.md (`sddgate lint`), including the concrete-command lint.

use super::{Rule, Scope};
use crate::model::Severity;

/// How a spec rule behaves: a required structure (error, not suppressible), advice (warning,
/// suppressible) or a check of suppressions themselves (warning, not suppressible).
#[derive(Clone, Copy)]
enum Kind {
    Required,
    Advice,
    Meta,
}

const fn spec_rule(
    id: &'static str,
    kind: Kind,
    summary: &'static str,
    why: &'static str,
    fails: &'static str,
    passes: &'static str,
    fix: &'static str,
) -> Rule {
    let (severity, suppressible) = match kind {
        Kind::Required => (Severity::Error, false),
        Kind::Advice => (Severity::Warning, true),
        Kind::Meta => (Severity::Warning, false),
    };
    Rule {
        id,
        scope: Scope::Spec,
        severity,
        suppressible,
        summary,
        why,
        fails,
        passes,
        fix,
    }
}

pub static RULES: &[Rule] = &[
    spec_rule(
        "spec_missing_section",
        Kind::Required,
        "specify.md lacks a required section: Why, What or Constraints (headings matched through aliases).",
        "The sections are the contract of the spec: why the remediation exists, what it must achieve and the limits it must respect. Without them the spec score is capped at 2.",
        "# high_memory_usage\n## Why\n...\n## What\n...",
        "# high_memory_usage\n## Why\n...\n## What\n...\n## Constraints\n...",
        "Add the missing section (any heading level; aliases such as «Зачем» can be configured under `sections:`).",
    ),
    spec_rule(
        "spec_missing_acceptance",
        Kind::Advice,
        "specify.md has no Acceptance section (Given/When/Then).",
        "Acceptance criteria are what validation.md checks; without them verification has nothing to verify against.",
        "## Constraints\n...\n## Pre-approved actions",
        "## Acceptance\nGiven memory_percent > 90 for 10m, when restart_pod runs, then memory_percent < 70 within 5m",
        "Add an Acceptance section with Given/When/Then scenarios.",
    ),
    spec_rule(
        "spec_no_actions",
        Kind::Advice,
        "specify.md lists no pre-approved action.",
        "dry-run admits only listed actions; a spec without the list admits nothing and documents nothing.",
        "## Pre-approved actions\n(none yet)",
        "## Pre-approved actions\n- restart_pod\n- scale_up_replicas_one (requires: stateless, hpa_enabled)",
        "List each action as `- name` or `- name (requires: a, b)`, or as a fenced yaml block `actions: [...]`.",
    ),
    spec_rule(
        "action_name_invalid",
        Kind::Advice,
        "An item under Pre-approved actions does not start with an action identifier.",
        "Actions are matched by name in dry-run; prose items cannot be matched and hide what is really approved.",
        "## Pre-approved actions\n- Restart the pod when memory is high",
        "## Pre-approved actions\n- restart_pod — when memory stays above 90% for 10 minutes",
        "Start the item with the action's identifier (`restart_pod`), optionally in backticks, then ` — ` and free text.",
    ),
    spec_rule(
        "duplicate_action",
        Kind::Advice,
        "The same action is listed twice.",
        "Two entries may carry different preconditions; which one applies is ambiguous.",
        "## Pre-approved actions\n- restart_pod\n- restart_pod (requires: stateless)",
        "## Pre-approved actions\n- restart_pod (requires: stateless)",
        "Keep one entry per action, with all its preconditions.",
    ),
    Rule {
        id: "spec_unresolved_placeholder",
        scope: Scope::Spec,
        severity: Severity::Error,
        suppressible: true,
        summary: "With `preset: spec-kit`: the spec still holds a `[NEEDS CLARIFICATION: …]` question or an unfilled template slot (`[FEATURE NAME]`, `[DATE]`, `[###-feature-name]`, `$ARGUMENTS`) outside code blocks and HTML comments.",
        why: "An open question or an untouched template slot means the spec has not been written yet; its headings alone would let it pass. spec-kit's own review asks that no clarification marker remain before planning.",
        fails: "## Requirements\n- **FR-004**: Reports MUST be kept for [NEEDS CLARIFICATION: retention period?]",
        passes: "## Requirements\n- **FR-004**: Reports MUST be kept for 13 months",
        fix: "Answer the question (`/speckit.clarify`) or fill the slot in. To quote a marker on purpose, put `<!-- sddgate-allow spec_unresolved_placeholder: reason -->` on the line before.",
    },
    spec_rule(
        "suppression_without_reason",
        Kind::Meta,
        "An `sddgate-allow` comment gives no reason; it silences nothing.",
        "A suppression is a decision someone must be able to review; without a reason it is indistinguishable from hiding a finding.",
        "<!-- sddgate-allow concrete_command_in_spec -->",
        "<!-- sddgate-allow concrete_command_in_spec: quotes the 2026-03 incident report verbatim -->",
        "Add `: reason` after the rule id.",
    ),
    spec_rule(
        "suppression_unknown_rule",
        Kind::Meta,
        "An `sddgate-allow` comment names a rule that does not exist or cannot be suppressed.",
        "A typo in a suppression silently silences nothing, and gate blockers are never suppressible from a spec.",
        "<!-- sddgate-allow concrete_comand: typo -->",
        "<!-- sddgate-allow concrete_command_in_spec: reason -->",
        "Use an id from `sddgate rules` whose scope is spec.",
    ),
    spec_rule(
        "unused_suppression",
        Kind::Meta,
        "An `sddgate-allow` comment silences nothing on the lines it covers.",
        "Stale suppressions outlive the text they were written for and will silently hide the next real finding.",
        "<!-- sddgate-allow concrete_command_in_spec: old quote -->\nThe pod is restarted by the executor.",
        "The pod is restarted by the executor.",
        "Remove the comment.",
    ),
];
