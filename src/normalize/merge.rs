//! Several alerts and incidents → one incident: duplicates collapse, resolved ones drop out,
//! identity fields must agree, and every other field is taken by a fixed precedence.

use super::observation::{Field, Observation, fold};
use super::redact;
use super::settings::Settings;
use super::timestamp::Timestamp;
use crate::error::{Error, Result};
use serde_json::Number;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// The merged incident, before it has an id.
#[derive(Debug, Clone)]
pub struct Merged {
    pub service: String,
    pub namespace: Option<String>,
    pub pod: Option<String>,
    pub incident_key: Option<String>,
    pub severity: Option<String>,
    pub window_minutes: Option<Number>,
    pub metric_context: BTreeMap<String, Number>,
    pub source_refs: Vec<String>,
    pub incident_type: Option<String>,
    /// Start of the earliest firing alert (else the earliest PagerDuty incident).
    pub first_seen: Option<Timestamp>,
    /// Keys of the alerts and incidents merged, for the trace log.
    pub reuse_keys: Vec<String>,
}

#[derive(Debug)]
pub enum Merge {
    Merged(Box<Merged>),
    /// Nothing is firing: one line per alert or incident, saying so.
    NoFiring(Vec<String>),
    /// Sources disagree: one line per identity field.
    Conflicts(Vec<String>),
}

pub fn merge(
    observations: Vec<Observation>,
    settings: &Settings,
    warnings: &mut Vec<String>,
    notes: &mut Vec<String>,
) -> Result<Merge> {
    // Duplicate deliveries (same fingerprint, same PagerDuty event, the same file twice).
    let mut kept: Vec<Observation> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut duplicates = 0;
    for o in observations {
        match index.get(&o.dedupe) {
            Some(&i) => {
                duplicates += 1;
                kept[i].active &= o.active;
            }
            None => {
                index.insert(o.dedupe.clone(), kept.len());
                kept.push(o);
            }
        }
    }
    if duplicates > 0 {
        notes.push(format!(
            "{duplicates} duplicate deliver{} collapsed (same alert fingerprint, PagerDuty event or file)",
            if duplicates == 1 { "y" } else { "ies" }
        ));
    }
    // An alert or incident that any payload reports resolved is resolved.
    let resolved: BTreeSet<String> = kept
        .iter()
        .filter(|o| !o.active)
        .filter_map(|o| o.reuse_key.clone())
        .collect();
    for o in &mut kept {
        if o.reuse_key.as_ref().is_some_and(|k| resolved.contains(k)) {
            o.active = false;
        }
    }
    let (active, inactive): (Vec<Observation>, Vec<Observation>) =
        kept.into_iter().partition(|o| o.active);
    if active.is_empty() && inactive.is_empty() {
        return Ok(Merge::NoFiring(vec![
            "the payloads hold no alert (alerts[] is empty) and no incident".into(),
        ]));
    }
    if active.is_empty() {
        return Ok(Merge::NoFiring(
            inactive
                .iter()
                .map(|o| {
                    let what = if o.is_alert {
                        "alert resolved"
                    } else {
                        "incident resolved"
                    };
                    match &o.alertname {
                        Some(a) => format!("{}: {what} ({})", o.origin(), redact::mask(a)),
                        None => format!("{}: {what}", o.origin()),
                    }
                })
                .collect(),
        ));
    }
    if !inactive.is_empty() {
        notes.push(format!(
            "{} resolved alert(s) or incident(s) left out",
            inactive.len()
        ));
    }

    let conflicts = conflicts(&active);
    if !conflicts.is_empty() {
        return Ok(Merge::Conflicts(conflicts));
    }
    for o in &active {
        for f in &o.dropped {
            warnings.push(format!(
                "{}: dropped the {f} value: it looks like personal data or a secret",
                o.origin()
            ));
        }
    }

    // Alerts by start (earliest first, then command-line and array order); then PagerDuty.
    let mut alerts: Vec<&Observation> = active.iter().filter(|o| o.is_alert).collect();
    alerts.sort_by_key(|o| (o.starts_at.is_none(), o.starts_at));
    let incidents: Vec<&Observation> = active.iter().filter(|o| !o.is_alert).collect();
    let ordered: Vec<&Observation> = alerts.iter().chain(incidents.iter()).copied().collect();

    let identity = |f: Field| ordered.iter().find_map(|o| o.identity.get(&f).cloned());
    let labels = |f: Field| {
        settings
            .labels(f)
            .iter()
            .map(|l| format!("`{l}`"))
            .collect::<Vec<_>>()
            .join(" or ")
    };
    let Some(service) = identity(Field::Service) else {
        return Err(Error::Usage(format!(
            "no payload names the service: expected label {} on a firing alert, or a PagerDuty service (read: {})",
            labels(Field::Service),
            files(&ordered)
        )));
    };
    let namespace = identity(Field::Namespace);
    let pod = identity(Field::Pod);
    for (f, v) in [(Field::Namespace, &namespace), (Field::Pod, &pod)] {
        if v.is_none() {
            warnings.push(format!(
                "no payload gives the {}: expected label {} on a firing alert; it is null",
                f.name(),
                labels(f)
            ));
        }
    }
    let severity = incidents
        .iter()
        .chain(alerts.iter())
        .find_map(|o| o.severity.clone())
        .or_else(|| incidents.iter().find_map(|o| o.urgency.clone()));
    if severity.is_none() {
        warnings.push(
            "no payload gives a severity (PagerDuty priority or severity, alert label `severity`, PagerDuty urgency); it is null"
                .into(),
        );
    }
    let window_minutes = alerts.iter().find_map(|o| o.window_minutes.clone());
    if window_minutes.is_none() && !alerts.is_empty() {
        warnings.push(
            "no alert gives its window (values.window_minutes, a `window`/`for` label or annotation, or one duration in the summary); window_minutes is null"
                .into(),
        );
    }
    let mut metric_context = BTreeMap::new();
    for o in &alerts {
        for (k, v) in &o.metrics {
            metric_context.entry(k.clone()).or_insert_with(|| v.clone());
        }
    }
    let mut source_refs: Vec<String> = Vec::new();
    for o in &ordered {
        for r in &o.refs {
            match redact::url(r) {
                Some(u) => {
                    if !source_refs.contains(&u) {
                        source_refs.push(u);
                    }
                }
                None => warnings.push(format!(
                    "{}: dropped a link that carries credentials or personal data which cannot be removed",
                    o.origin()
                )),
            }
        }
    }
    let first_seen = alerts
        .iter()
        .filter_map(|o| o.starts_at)
        .min()
        .or_else(|| incidents.iter().filter_map(|o| o.starts_at).min());
    let reuse_keys: BTreeSet<String> = active.iter().filter_map(|o| o.reuse_key.clone()).collect();
    Ok(Merge::Merged(Box::new(Merged {
        service,
        namespace,
        pod,
        incident_key: identity(Field::IncidentKey),
        severity,
        window_minutes,
        metric_context,
        source_refs,
        incident_type: alerts.iter().find_map(|o| o.incident_type.clone()),
        first_seen,
        reuse_keys: reuse_keys.into_iter().collect(),
    })))
}

/// The first disagreement on each identity field, naming both values and where they came from.
fn conflicts(active: &[Observation]) -> Vec<String> {
    let mut out = Vec::new();
    for field in Field::ALL {
        let mut first: Option<(&str, String)> = None;
        for o in active {
            let Some(v) = o.identity.get(&field) else {
                continue;
            };
            match &first {
                None => first = Some((v, o.origin())),
                Some((fv, forigin)) => {
                    let same = match field {
                        Field::IncidentKey => fv == v,
                        _ => fold(fv) == fold(v),
                    };
                    if !same {
                        out.push(format!(
                            "{}: \"{}\" ({forigin}) vs \"{}\" ({})",
                            field.name(),
                            redact::mask(fv),
                            redact::mask(v),
                            o.origin()
                        ));
                        break;
                    }
                }
            }
        }
    }
    out
}

fn files(obs: &[&Observation]) -> String {
    let mut seen: Vec<&str> = Vec::new();
    for o in obs {
        if !seen.contains(&o.file.as_str()) {
            seen.push(&o.file);
        }
    }
    seen.join(", ")
}
