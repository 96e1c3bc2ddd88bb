//! Webhook payloads → one incident event (`sddgate normalize`).
//!
//! Each payload is read into [`observation::Observation`]s (one per alert or PagerDuty
//! incident), by the reader for its shape ([`grafana`], [`alertmanager`], [`pagerduty`]); the
//! observations are merged ([`merge`]) and given an id ([`incident_id`]). Behaviour and
//! precedence rules: `docs/normalize.md`.

pub mod alert;
pub mod alertmanager;
pub mod diff;
pub mod duration;
pub mod event;
pub mod grafana;
pub mod incident_id;
pub mod merge;
pub mod observation;
pub mod pagerduty;
pub mod payload;
pub mod redact;
pub mod settings;
pub mod timestamp;

pub use event::IncidentEvent;
pub use incident_id::Origin;
pub use observation::Tool;
pub use settings::{IncidentTypeSpec, LabelSpec, NormalizeSpec, Settings};

use crate::error::{Error, Result};
use crate::trace::Log;
use merge::Merge;
use observation::Observation;
use payload::Shape;
use std::path::PathBuf;

/// One payload file and the flag it was given with.
#[derive(Debug, Clone)]
pub struct Input {
    pub flag: Tool,
    pub path: PathBuf,
    /// The path as given, used in messages and trace records.
    pub shown: String,
}

/// A produced event and what the user should know about it.
#[derive(Debug)]
pub struct Normalized {
    pub event: IncidentEvent,
    pub origin: Origin,
    /// Keys of the alerts and incidents merged (`grafana:<fingerprint>`, …).
    pub reuse_keys: Vec<String>,
    /// Something was dropped or is missing.
    pub warnings: Vec<String>,
    /// Informational: duplicates collapsed, resolved alerts left out, how the id was chosen.
    pub notes: Vec<String>,
}

#[derive(Debug)]
pub enum Outcome {
    Event(Box<Normalized>),
    /// Every alert and incident is resolved: no event (one line per alert or incident).
    NoFiring(Vec<String>),
    /// Sources disagree on identity fields: no event (one line per field).
    Conflict(Vec<String>),
}

/// Reads one payload: checks that its shape belongs to the flag it was given with.
pub fn read(
    input: &Input,
    settings: &Settings,
    max_file_size: u64,
    warnings: &mut Vec<String>,
) -> Result<Vec<Observation>> {
    let file = input.shown.as_str();
    let text = crate::repo::read_text(&input.path, file, max_file_size)?;
    let value = payload::parse_json(file, &text)?;
    let (shape, marker) = payload::classify(&value);
    let wrong = |why: String| {
        let (line, col) = payload::position(&text, marker);
        Error::input(file, line, col, why)
    };
    if shape.tool() != Some(input.flag) {
        let hint = match shape.tool() {
            Some(t) => format!("; pass it with --{}", t.name()),
            None => String::new(),
        };
        return Err(wrong(format!(
            "this is {}, but it was given with --{}, which expects {}{hint}",
            shape.describe(),
            input.flag.name(),
            payload::expected(input.flag)
        )));
    }
    match shape {
        Shape::GrafanaUnified => grafana::unified(file, &text, settings, warnings),
        Shape::GrafanaLesson => grafana::lesson(file, &text, settings, warnings),
        Shape::Alertmanager => alertmanager::read(file, &text, settings, warnings),
        Shape::PagerDutyV3 => pagerduty::v3(file, &text),
        Shape::PagerDutyLesson => pagerduty::lesson(file, &text),
        Shape::GrafanaLegacy => Err(wrong(format!(
            "this is {}, which sddgate does not read; expected {}",
            shape.describe(),
            payload::expected(Tool::Grafana)
        ))),
        Shape::PagerDutyV2 => Err(wrong(format!(
            "this is {}, which PagerDuty no longer supports and sddgate does not read; expected {}",
            shape.describe(),
            payload::expected(Tool::PagerDuty)
        ))),
        Shape::Unknown(_) => unreachable!("unknown shapes have no tool"),
    }
}

/// All payloads → one event. `incident_id` is `--incident-id`; `log` reads the trace log,
/// called only when an id has to be derived.
pub fn normalize(
    inputs: &[Input],
    settings: &Settings,
    max_file_size: u64,
    incident_id: Option<&str>,
    log: &mut dyn FnMut() -> Result<Log>,
) -> Result<Outcome> {
    if inputs.is_empty() {
        return Err(Error::Usage(
            "no payload given: pass at least one of --grafana, --alertmanager, --pagerduty FILE"
                .into(),
        ));
    }
    if let Some(id) = incident_id {
        incident_id::check_override(id).map_err(Error::Usage)?;
    }
    let mut warnings = Vec::new();
    let mut notes = Vec::new();
    let mut observations = Vec::new();
    for input in inputs {
        observations.extend(read(input, settings, max_file_size, &mut warnings)?);
    }
    let merged = match merge::merge(observations, settings, &mut warnings, &mut notes)? {
        Merge::Merged(m) => m,
        Merge::NoFiring(lines) => return Ok(Outcome::NoFiring(lines)),
        Merge::Conflicts(lines) => return Ok(Outcome::Conflict(lines)),
    };
    let key = merged.incident_key.as_deref();
    let (id, origin) = match (incident_id, key) {
        (Some(id), _) => (id.to_string(), Origin::Override),
        (None, Some(k)) if incident_id::readable(k) => (k.to_string(), Origin::IncidentKey),
        (None, _) => {
            if let Some(k) = key {
                notes.push(format!(
                    "the incident key `{}` is not a readable id; deriving one",
                    redact::mask(k)
                ));
            }
            let log = log()?;
            match incident_id::reused(&log, &merged.reuse_keys) {
                Some(id) => {
                    notes.push(format!(
                        "incident id {id} reused: the trace log already holds these alerts"
                    ));
                    (id, Origin::Reused)
                }
                None => {
                    let Some(first) = merged.first_seen else {
                        return Err(Error::Usage(
                            "cannot derive an incident id: no payload gives a start time (startsAt, starts_at or created_at); pass --incident-id"
                                .into(),
                        ));
                    };
                    let prefix = settings.prefix(merged.incident_type.as_deref());
                    if merged.incident_type.is_none() {
                        notes.push(format!(
                            "no incident type (label `incident_type`, or an alert name listed under normalize.incident_types); prefix {prefix}"
                        ));
                    }
                    (
                        incident_id::derive(&prefix, &first.utc_date(), &log),
                        Origin::Derived,
                    )
                }
            }
        }
    };
    let m = *merged;
    Ok(Outcome::Event(Box::new(Normalized {
        event: IncidentEvent {
            incident_id: id,
            service: m.service,
            namespace: m.namespace,
            pod: m.pod,
            severity: m.severity,
            window_minutes: m.window_minutes,
            metric_context: m.metric_context,
            source_refs: m.source_refs,
        },
        origin,
        reuse_keys: m.reuse_keys,
        warnings,
        notes,
    })))
}
