//! PagerDuty: V3 webhooks (`{"event": {...}}`) and the lesson's simplified payload.
//!
//! Only the allow-listed fields below are read; assignees, agents, teams, escalation
//! policies, conference bridges, notes and titles are never looked at.

use super::observation::{Field, Observation, Tool};
use super::payload::{position, typed};
use super::timestamp::Timestamp;
use crate::error::{Error, Result};
use serde::Deserialize;

/// A reference object (`{"id", "summary", "html_url", ...}`) or the lesson's `{"name"}`.
#[derive(Debug, Default, Deserialize)]
struct Reference {
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    summary: Option<String>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    html_url: Option<String>,
}

#[derive(Debug, Deserialize)]
struct V3 {
    event: V3Event,
}

#[derive(Debug, Deserialize)]
struct V3Event {
    #[serde(default)]
    id: Option<String>,
    event_type: String,
    #[serde(default)]
    resource_type: Option<String>,
    #[serde(default)]
    occurred_at: Option<Timestamp>,
    #[serde(default)]
    data: Option<V3Data>,
}

/// `event.data`: an incident, or an object about one (note, responder, status update).
#[derive(Debug, Deserialize)]
struct V3Data {
    #[serde(default, rename = "type")]
    kind: Option<String>,
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    html_url: Option<String>,
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    incident_key: Option<String>,
    #[serde(default)]
    created_at: Option<Timestamp>,
    #[serde(default)]
    service: Option<Reference>,
    #[serde(default)]
    priority: Option<Reference>,
    #[serde(default)]
    urgency: Option<String>,
    /// Set on data about an incident (`incident_note`, `incident_responder`, …).
    #[serde(default)]
    incident: Option<Reference>,
}

/// A PagerDuty V3 webhook: one event about one incident.
pub fn v3(file: &str, text: &str) -> Result<Vec<Observation>> {
    let v: V3 = typed(file, text, "a PagerDuty V3 webhook")?;
    let e = v.event;
    let about_incident = match e.resource_type.as_deref() {
        Some(r) => r == "incident",
        None => e.event_type.starts_with("incident."),
    };
    if !about_incident {
        let (line, col) = position(text, Some("event"));
        return Err(Error::input(
            file,
            line,
            col,
            format!(
                "PagerDuty event `{}` is about a {}, not an incident; expected an incident.* event",
                super::redact::mask(&e.event_type),
                super::redact::mask(e.resource_type.as_deref().unwrap_or("different resource"))
            ),
        ));
    }
    let Some(data) = e.data else {
        let (line, col) = position(text, Some("event"));
        return Err(Error::input(
            file,
            line,
            col,
            "the PagerDuty event has no `data`; expected the incident in event.data",
        ));
    };
    let is_incident = data.kind.as_deref().is_none_or(|k| k == "incident");
    let incident_id = if is_incident {
        data.id.clone()
    } else {
        data.incident.as_ref().and_then(|i| i.id.clone())
    };
    let dedupe = match (&e.id, &incident_id) {
        (Some(id), _) => format!("pagerduty-event:{id}"),
        (None, inc) => format!(
            "pagerduty-event:{}:{}:{}",
            inc.as_deref().unwrap_or(""),
            e.event_type,
            e.occurred_at.map(|t| t.to_string()).unwrap_or_default()
        ),
    };
    let mut o = Observation::new(Tool::PagerDuty, file, String::new(), dedupe);
    o.reuse_key = incident_id
        .as_deref()
        .and_then(|id| Observation::key("pagerduty", id));
    o.active = e.event_type != "incident.resolved" && data.status.as_deref() != Some("resolved");
    if is_incident {
        o.starts_at = data.created_at.or(e.occurred_at);
        o.set_identity(Field::IncidentKey, data.incident_key.as_deref());
        let service = data
            .service
            .as_ref()
            .and_then(|s| s.summary.as_deref().or(s.name.as_deref()));
        o.set_identity(Field::Service, service);
        o.set_severity(data.priority.as_ref().and_then(|p| p.summary.as_deref()));
        o.urgency = data.urgency.and_then(|u| super::redact::value(&u));
        o.refs.extend(data.html_url);
    } else {
        o.starts_at = e.occurred_at;
        o.refs.extend(data.incident.and_then(|i| i.html_url));
    }
    Ok(vec![o])
}

/// The lesson's `{"source": "pagerduty", "incident_key", "service": {"name"}, "urgency",
/// "severity", "status", "created_at", "html_url"}`.
#[derive(Debug, Deserialize)]
struct Lesson {
    #[serde(default)]
    incident_key: Option<String>,
    #[serde(default)]
    service: Option<Reference>,
    #[serde(default)]
    urgency: Option<String>,
    #[serde(default)]
    severity: Option<String>,
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    created_at: Option<Timestamp>,
    #[serde(default)]
    html_url: Option<String>,
}

pub fn lesson(file: &str, text: &str) -> Result<Vec<Observation>> {
    let l: Lesson = typed(file, text, "the lesson's PagerDuty payload")?;
    let key = l
        .incident_key
        .as_deref()
        .map(str::trim)
        .filter(|k| !k.is_empty());
    let dedupe = match key {
        Some(k) => format!("pagerduty-key:{k}"),
        None => format!("pagerduty-file:{file}"),
    };
    let mut o = Observation::new(Tool::PagerDuty, file, String::new(), dedupe);
    o.reuse_key = key.and_then(|k| Observation::key("pagerduty", k));
    o.active = l.status.as_deref() != Some("resolved");
    o.starts_at = l.created_at;
    o.set_identity(Field::IncidentKey, key);
    let service = l
        .service
        .as_ref()
        .and_then(|s| s.name.as_deref().or(s.summary.as_deref()));
    o.set_identity(Field::Service, service);
    o.set_severity(l.severity.as_deref());
    o.urgency = l.urgency.and_then(|u| super::redact::value(&u));
    o.refs.extend(l.html_url);
    Ok(vec![o])
}
