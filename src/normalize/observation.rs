//! What one alert or one PagerDuty incident says about the incident, whichever tool sent it:
//! the common shape every payload is read into before the sources are merged.

use super::timestamp::Timestamp;
use serde_json::Number;
use std::collections::BTreeMap;

/// The tool a payload came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tool {
    Grafana,
    Alertmanager,
    PagerDuty,
}

impl Tool {
    pub fn name(self) -> &'static str {
        match self {
            Tool::Grafana => "grafana",
            Tool::Alertmanager => "alertmanager",
            Tool::PagerDuty => "pagerduty",
        }
    }
}

/// The identity fields: sources must agree on each of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Field {
    IncidentKey,
    Service,
    Namespace,
    Pod,
}

impl Field {
    pub const ALL: [Field; 4] = [
        Field::IncidentKey,
        Field::Service,
        Field::Namespace,
        Field::Pod,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Field::IncidentKey => "incident_key",
            Field::Service => "service",
            Field::Namespace => "namespace",
            Field::Pod => "pod",
        }
    }
}

/// One alert (Grafana, Alertmanager) or one incident record (PagerDuty).
#[derive(Debug, Clone)]
pub struct Observation {
    pub tool: Tool,
    /// The file as given on the command line.
    pub file: String,
    /// Where in the file, e.g. `alerts[1]`; empty for a payload that is one record.
    pub at: String,
    /// Duplicate deliveries share this key (alert fingerprint, PagerDuty event id).
    pub dedupe: String,
    /// Stable across deliveries and recorded in the trace log, so that a later run on the
    /// same alert or incident reuses its derived id (`grafana:<fingerprint>`,
    /// `pagerduty:<incident id>`). `None` when the payload has no usable key.
    pub reuse_key: Option<String>,
    /// Firing (alerts) or triggered/acknowledged (PagerDuty).
    pub active: bool,
    /// An alert (as opposed to a PagerDuty incident).
    pub is_alert: bool,
    /// When it started: `startsAt` of an alert, `created_at` of a PagerDuty incident.
    pub starts_at: Option<Timestamp>,
    pub identity: BTreeMap<Field, String>,
    /// Severity as this source states it: PagerDuty priority (`P1`) or an alert's `severity`
    /// label.
    pub severity: Option<String>,
    /// PagerDuty urgency (`high`/`low`), the last resort for severity.
    pub urgency: Option<String>,
    pub window_minutes: Option<Number>,
    pub metrics: BTreeMap<String, Number>,
    /// Dashboard or incident links, not yet scrubbed.
    pub refs: Vec<String>,
    pub alertname: Option<String>,
    pub incident_type: Option<String>,
    /// Identity or severity values dropped because they looked secret (field names only).
    pub dropped: Vec<&'static str>,
}

impl Observation {
    pub fn new(tool: Tool, file: &str, at: String, dedupe: String) -> Self {
        Observation {
            tool,
            file: file.to_string(),
            at,
            dedupe,
            reuse_key: None,
            active: true,
            is_alert: tool != Tool::PagerDuty,
            starts_at: None,
            identity: BTreeMap::new(),
            severity: None,
            urgency: None,
            window_minutes: None,
            metrics: BTreeMap::new(),
            refs: Vec::new(),
            alertname: None,
            incident_type: None,
            dropped: Vec::new(),
        }
    }

    /// `file` or `file alerts[1]`, for messages.
    pub fn origin(&self) -> String {
        if self.at.is_empty() {
            self.file.clone()
        } else {
            format!("{} {}", self.file, self.at)
        }
    }

    /// Sets an identity field unless the value is empty or looks secret (then it is dropped
    /// and remembered, never printed).
    pub fn set_identity(&mut self, field: Field, raw: Option<&str>) {
        let Some(raw) = raw.filter(|r| !r.trim().is_empty()) else {
            return;
        };
        match super::redact::value(raw) {
            Some(v) => {
                self.identity.insert(field, v);
            }
            None => self.dropped.push(field.name()),
        }
    }

    pub fn set_severity(&mut self, raw: Option<&str>) {
        let Some(raw) = raw.filter(|r| !r.trim().is_empty()) else {
            return;
        };
        match super::redact::value(raw) {
            Some(v) => self.severity = Some(v),
            None => self.dropped.push("severity"),
        }
    }

    /// A key usable in the trace log: no whitespace, commas or control characters.
    pub fn key(tool: &str, id: &str) -> Option<String> {
        let ok = !id.is_empty()
            && id.len() <= 128
            && id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | ':' | '-'))
            && !super::redact::looks_secret(id);
        ok.then(|| format!("{tool}:{id}"))
    }
}

/// Identity values are compared with case folded and runs of other characters turned into
/// `-`, so that PagerDuty's display name `Appointments API` agrees with the label
/// `appointments-api`.
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut dash = false;
    for c in s.chars() {
        if c.is_alphanumeric() {
            if dash && !out.is_empty() {
                out.push('-');
            }
            dash = false;
            out.extend(c.to_lowercase());
        } else {
            dash = true;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_identity_values() {
        assert_eq!(fold("Appointments API"), "appointments-api");
        assert_eq!(fold("appointments-api"), "appointments-api");
        assert_eq!(fold("  Appointments__API (prod) "), "appointments-api-prod");
        assert_ne!(fold("api-7b4"), fold("api-7b5"));
    }
}
