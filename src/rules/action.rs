//! Checks of `sddgate dry-run`: an action is admitted only after the readiness gate, only if
//! the spec pre-approves it, and only when every precondition holds.

use super::{Rule, Scope};
use crate::model::Severity;

const fn action_rule(
    id: &'static str,
    summary: &'static str,
    why: &'static str,
    fails: &'static str,
    passes: &'static str,
    fix: &'static str,
) -> Rule {
    Rule {
        id,
        scope: Scope::Action,
        severity: Severity::Error,
        suppressible: false,
        summary,
        why,
        fails,
        passes,
        fix,
    }
}

/// In the order dry-run evaluates them: readiness, membership, preconditions.
pub static RULES: &[Rule] = &[
    action_rule(
        "readiness_not_passed",
        "The readiness gate did not admit the incident (block), or no readiness document was found for the spec; the action list was not consulted.",
        "Dry-run comes after the readiness gate, never beside it: a pre-approved action is only safe when the blast radius is known, the audit trace is complete and the rollback exists. Checking the list first would hand out a PASS the gate has not granted.",
        "sddgate dry-run --spec specs/high_memory_usage/specify.md --action restart_pod --readiness fixtures/readiness/readiness_block_audit.json",
        "sddgate dry-run --spec specs/high_memory_usage/specify.md --action restart_pod --readiness capstone/readiness.md",
        "Fix the readiness blockers listed under this reason (`sddgate readiness FILE`), or give the readiness document with `--readiness`.",
    ),
    action_rule(
        "action_not_pre_approved",
        "The action is not in the spec's pre-approved actions.",
        "Only actions the team reviewed and wrote into the spec may run automatically; anything else (delete_namespace, a drain, a rollout) needs a human.",
        "## Pre-approved actions\n- restart_pod\n\n$ sddgate dry-run … --action delete_namespace",
        "## Pre-approved actions\n- restart_pod\n\n$ sddgate dry-run … --action restart_pod",
        "Run an action the spec lists, or add this one to `Pre-approved actions` in a reviewed change to the spec.",
    ),
    action_rule(
        "precondition_not_met",
        "A `requires` precondition of the action is false or was not given (a missing fact is unmet).",
        "A whitelist alone is not enough: scaling up a stateful workload or one without an autoscaler is unsafe even though the action is listed. The runtime facts must say the conditions hold.",
        "- scale_up_replicas_one (requires: stateless, hpa_enabled)\n\n$ sddgate dry-run … --action scale_up_replicas_one --context stateless=false --context hpa_enabled=true",
        "$ sddgate dry-run … --action scale_up_replicas_one --context stateless=true --context hpa_enabled=true",
        "Give each required fact as `--context NAME=true` (or in `--context-file`) when it holds; when it does not, the action must not run automatically.",
    ),
];
