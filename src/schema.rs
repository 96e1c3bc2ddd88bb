//! JSON Schemas of the formats, generated from the same Rust types that read and write them.
//!
//! Two inputs are described by types of their own here rather than by the parser's: the
//! readiness parser reads through private raw types with custom visitors (a score, a coverage,
//! one path or a list), and the incident event carries `serde_json::Number`s; both mirrors are
//! held to the real format by tests (`tests/schemas.rs` validates every example document and
//! real `normalize` output against them, and checks the event's keys against
//! [`crate::normalize::IncidentEvent::KEYS`]).
//!
//! The shipped copies under `schemas/` are these, byte for byte (see [`file_name`]).

use crate::cli::SchemaName;
use crate::model::{Category, Radius};
use schemars::JsonSchema;
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// Every schema, in the order `schemas/` lists them.
pub const ALL: [SchemaName; 6] = [
    SchemaName::Readiness,
    SchemaName::Config,
    SchemaName::Event,
    SchemaName::Report,
    SchemaName::DryRun,
    SchemaName::Trace,
];

pub fn schema(name: SchemaName) -> Value {
    match name {
        SchemaName::Report => output::<crate::report::Report>(),
        SchemaName::Readiness => readiness(),
        SchemaName::Config => schemars::schema_for!(crate::config::ConfigFile).to_value(),
        SchemaName::DryRun => output::<crate::commands::dry_run::DryRunReport>(),
        SchemaName::Trace => output::<crate::commands::trace::TraceReport>(),
        SchemaName::Event => event(),
    }
}

/// The schema of something sddgate writes, as it is serialized: a field left out when empty
/// (`skip_serializing_if`) is not required.
fn output<T: JsonSchema>() -> Value {
    schemars::generate::SchemaSettings::draft2020_12()
        .for_serialize()
        .into_generator()
        .into_root_schema_for::<T>()
        .to_value()
}

/// The schema as `sddgate schema NAME` prints it and `schemas/` ships it: pretty JSON and a
/// final newline.
pub fn text(name: SchemaName) -> String {
    let mut s = serde_json::to_string_pretty(&schema(name)).unwrap_or_default();
    s.push('\n');
    s
}

/// The file name of a schema under `schemas/` (and `.sddgate/schemas/` after `init`). Never
/// `readiness*.json`: the default discovery globs would take the schema for a readiness
/// document.
pub fn file_name(name: SchemaName) -> &'static str {
    match name {
        SchemaName::Readiness => "sddgate-readiness.schema.json",
        SchemaName::Config => "sddgate-config.schema.json",
        SchemaName::Event => "sddgate-event.schema.json",
        SchemaName::Report => "sddgate-report.schema.json",
        SchemaName::DryRun => "sddgate-dry-run.schema.json",
        SchemaName::Trace => "sddgate-trace.schema.json",
    }
}

fn readiness() -> Value {
    let mut v = schemars::schema_for!(ReadinessDocument).to_value();
    // What the parser requires but one field alone cannot say: the coverage and `stateful`
    // each at the top level or under the lesson's `checks:`, as a value, not null.
    let either = |key: &str, value: Value| {
        json!({"anyOf": [
            {"required": [key], "properties": {key: value.clone()}},
            {"required": ["checks"], "properties": {"checks": {
                "type": "object", "required": [key], "properties": {key: value}
            }}}
        ]})
    };
    if let Some(o) = v.as_object_mut() {
        o.insert(
            "allOf".into(),
            json!([
                either("audit_trace_coverage", json!({"type": "number"})),
                either("stateful", json!({"type": "boolean"})),
            ]),
        );
    }
    v
}

fn event() -> Value {
    let mut v = schemars::schema_for!(IncidentEventDocument).to_value();
    // Every key is always written (`null`, `{}` or `[]` when no source gives it).
    if let Some(o) = v.as_object_mut() {
        o.insert(
            "required".into(),
            json!(crate::normalize::IncidentEvent::KEYS),
        );
    }
    v
}

/// A readiness document: the front matter of a `readiness.md`, or a whole `.yaml`, `.yml` or
/// `.json` file. Two shapes: the facts at the top level, or the lesson's facts under `checks:`
/// (when both state a fact, the less favourable value counts). Unknown top-level keys are
/// allowed and ignored; unknown keys inside `scores` and unknown evidence categories are
/// errors. `sddgate readiness FILE` checks more than this schema can: that evidence paths
/// exist, and the decision itself.
#[derive(JsonSchema)]
#[schemars(title = "sddgate readiness document")]
#[allow(dead_code)] // describes the format; never constructed
struct ReadinessDocument {
    /// The incident this document admits, e.g. HM-2026-05-17-01: no blanks.
    #[schemars(length(min = 1), regex(pattern = r"^\S+$"))]
    incident_id: String,
    /// Repository-relative path of the specify.md (default: the specify.md beside this file).
    spec: Option<String>,
    /// Profile to judge by (raised to the configured minimum_profile when ranked below it).
    profile: Option<String>,
    /// The claimed score of each category, an integer 0..5. The gate verifies each claim and
    /// caps it where the evidence does not hold.
    scores: Scores,
    /// Category → repository-relative path (or list of paths) of the evidence.
    evidence: Option<BTreeMap<Category, OneOrMany>>,
    /// Share of the pipeline steps linked in the audit trace, 0.0..1.0; below 1.0 blocks.
    #[schemars(range(min = 0.0, max = 1.0))]
    audit_trace_coverage: Option<f64>,
    /// Whether the action touches a stateful workload (then a verified backup is needed).
    stateful: Option<bool>,
    /// Default false.
    backup_verified: Option<bool>,
    /// How far the action reaches.
    radius_of_impact: Option<Radius>,
    /// Default false. A radius wider than the profile allows needs it.
    dry_run_verified: Option<bool>,
    /// Path of the rollback document, or a description; absent or false = no rollback.
    rollback: Option<Rollback>,
    /// The lesson's shape: the facts nested here.
    checks: Option<Checks>,
    /// The action (or list of actions) this readiness was scored for; `dry-run` admits no
    /// other. Absent = every pre-approved action of the spec.
    pre_approved_action: Option<OneOrMany>,
    /// Alias of `pre_approved_action`.
    pre_approved_actions: Option<OneOrMany>,
}

#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
#[allow(dead_code)]
struct Scores {
    #[schemars(range(min = 0, max = 5))]
    spec: u8,
    #[schemars(range(min = 0, max = 5))]
    implementation: u8,
    #[schemars(range(min = 0, max = 5))]
    verification: u8,
    #[schemars(range(min = 0, max = 5))]
    process: u8,
    #[schemars(range(min = 0, max = 5))]
    security: u8,
}

#[derive(JsonSchema)]
#[schemars(untagged)]
#[allow(dead_code)]
enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

#[derive(JsonSchema)]
#[schemars(untagged)]
#[allow(dead_code)]
enum Rollback {
    Flag(bool),
    Text(String),
}

#[derive(JsonSchema)]
#[allow(dead_code)]
struct Checks {
    #[schemars(range(min = 0.0, max = 1.0))]
    audit_trace_coverage: Option<f64>,
    backup_verified: Option<bool>,
    /// false = no rollback (Security capped at 2).
    rollback_condition_present: Option<bool>,
    /// false = undefined blast radius (Implementation capped at 2).
    blast_radius_known: Option<bool>,
    human_review_for_first_run: Option<bool>,
    dry_run_verified: Option<bool>,
    radius_of_impact: Option<Radius>,
    stateful: Option<bool>,
}

/// The incident event `sddgate normalize` prints: exactly these keys, in this order.
#[derive(JsonSchema)]
#[schemars(title = "sddgate incident event", deny_unknown_fields)]
#[allow(dead_code)]
struct IncidentEventDocument {
    /// The incident key or fingerprint when a payload carries a readable one, else derived
    /// deterministically; `--incident-id` overrides.
    #[schemars(length(min = 1))]
    incident_id: String,
    service: String,
    namespace: Option<String>,
    pod: Option<String>,
    severity: Option<String>,
    window_minutes: Option<f64>,
    /// Metric values by name, numbers as the payload gave them.
    metric_context: BTreeMap<String, f64>,
    /// Dashboard links first, then incident links; credentials removed.
    source_refs: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_schema_is_an_object_schema_with_properties() {
        for n in ALL {
            let v = schema(n);
            assert_eq!(v["type"], "object", "{n:?}");
            assert!(
                v["properties"].as_object().is_some_and(|p| !p.is_empty()),
                "{n:?}"
            );
        }
        let r = schema(SchemaName::Readiness);
        assert_eq!(r["$defs"]["Scores"]["properties"]["spec"]["maximum"], 5);
        assert_eq!(
            r["$defs"]["Scores"]["required"].as_array().map(Vec::len),
            Some(5)
        );
        assert_eq!(r["$defs"]["Scores"]["additionalProperties"], false);
    }

    #[test]
    fn the_event_schema_names_exactly_the_event_keys() {
        let v = schema(SchemaName::Event);
        let mut props: Vec<&str> = v["properties"]
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        props.sort();
        let mut keys = crate::normalize::IncidentEvent::KEYS.to_vec();
        keys.sort();
        assert_eq!(props, keys);
        assert_eq!(v["additionalProperties"], false);
        assert_eq!(v["required"].as_array().map(Vec::len), Some(keys.len()));
    }

    #[test]
    fn schema_files_never_look_like_readiness_documents() {
        let names: std::collections::BTreeSet<_> = ALL.iter().map(|n| file_name(*n)).collect();
        assert_eq!(names.len(), ALL.len());
        for n in names {
            assert!(!n.starts_with("readiness"), "{n}");
        }
    }
}
