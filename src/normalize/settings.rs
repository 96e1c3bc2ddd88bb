//! `normalize:` in `.sddgate.yml`, and the validated settings built from it.

use super::observation::Field;
use schemars::JsonSchema;
use serde::Deserialize;
use std::collections::BTreeMap;

/// `normalize:` in `.sddgate.yml`.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct NormalizeSpec {
    /// Incident types by name (e.g. `high_memory_usage`): the incident-id prefix, the alert
    /// names that belong to the type, and names for Grafana's query refIds.
    pub incident_types: BTreeMap<String, IncidentTypeSpec>,
    /// Alert label names read for the identity fields, in order of preference.
    pub labels: LabelSpec,
}

#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct IncidentTypeSpec {
    /// Incident-id prefix, e.g. `HM` (upper-case letters and digits, starting with a letter).
    /// Default: the initials of the type's first two words (`high_memory_usage` → `HM`).
    pub prefix: Option<String>,
    /// Alert names (`alertname` label) that are incidents of this type.
    pub alertnames: Vec<String>,
    /// Grafana query refIds of this type's alert rules → metric names, e.g. `{B: memory_percent}`.
    pub metrics: BTreeMap<String, String>,
}

#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct LabelSpec {
    /// Labels naming the service. Default `[service]`.
    pub service: Option<Vec<String>>,
    /// Labels naming the namespace. Default `[namespace]`.
    pub namespace: Option<Vec<String>>,
    /// Labels naming the pod. Default `[pod]`.
    pub pod: Option<Vec<String>>,
}

/// Prefix of an incident of unknown type.
pub const UNKNOWN_PREFIX: &str = "INC";

/// The validated `normalize:` settings.
#[derive(Debug, Clone)]
pub struct Settings {
    labels: BTreeMap<Field, Vec<String>>,
    prefixes: BTreeMap<String, String>,
    metrics: BTreeMap<String, BTreeMap<String, String>>,
    by_alertname: BTreeMap<String, String>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings::new(&NormalizeSpec::default()).expect("defaults are valid")
    }
}

/// A config problem: the key path under `normalize` and the message.
pub type SpecError = (Vec<String>, String);

impl Settings {
    pub fn new(spec: &NormalizeSpec) -> Result<Settings, SpecError> {
        let at = |p: &[&str]| -> Vec<String> {
            std::iter::once("normalize")
                .chain(p.iter().copied())
                .map(str::to_string)
                .collect()
        };
        let mut labels = BTreeMap::new();
        for (field, given, default) in [
            (Field::Service, &spec.labels.service, "service"),
            (Field::Namespace, &spec.labels.namespace, "namespace"),
            (Field::Pod, &spec.labels.pod, "pod"),
        ] {
            let names = given.clone().unwrap_or_else(|| vec![default.to_string()]);
            if names.is_empty() || names.iter().any(|n| n.trim().is_empty()) {
                return Err((
                    at(&["labels", field.name()]),
                    "expected a non-empty list of label names".into(),
                ));
            }
            labels.insert(field, names);
        }
        let mut prefixes = BTreeMap::new();
        let mut metrics = BTreeMap::new();
        let mut by_alertname: BTreeMap<String, String> = BTreeMap::new();
        for (name, t) in &spec.incident_types {
            if name.trim().is_empty() {
                return Err((
                    at(&["incident_types"]),
                    "an incident type has an empty name".into(),
                ));
            }
            let prefix = match &t.prefix {
                Some(p) if valid_prefix(p) => p.clone(),
                Some(p) => {
                    return Err((
                        at(&["incident_types", name, "prefix"]),
                        format!(
                            "`{p}` is not a valid prefix; expected upper-case letters and digits starting with a letter (at most 16), e.g. HM"
                        ),
                    ));
                }
                None => default_prefix(name),
            };
            prefixes.insert(name.clone(), prefix);
            for a in &t.alertnames {
                if let Some(other) = by_alertname.insert(a.clone(), name.clone())
                    && other != *name
                {
                    return Err((
                        at(&["incident_types", name, "alertnames"]),
                        format!("alert name `{a}` is listed under both `{other}` and `{name}`"),
                    ));
                }
            }
            for (refid, metric) in &t.metrics {
                if !valid_metric_name(metric) {
                    return Err((
                        at(&["incident_types", name, "metrics", refid]),
                        format!(
                            "`{metric}` is not a metric name; expected letters, digits, `_` and `:`, not starting with a digit"
                        ),
                    ));
                }
            }
            metrics.insert(name.clone(), t.metrics.clone());
        }
        Ok(Settings {
            labels,
            prefixes,
            metrics,
            by_alertname,
        })
    }

    /// Label names read for an identity field, in order of preference.
    pub fn labels(&self, field: Field) -> &[String] {
        self.labels.get(&field).map(Vec::as_slice).unwrap_or(&[])
    }

    /// The incident type of an alert: its `incident_type` label, else the configured type
    /// listing its alert name.
    pub fn incident_type(&self, label: Option<&str>, alertname: Option<&str>) -> Option<String> {
        label
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_string)
            .or_else(|| alertname.and_then(|a| self.by_alertname.get(a).cloned()))
    }

    /// The id prefix of an incident type (configured, else its initials; `INC` when unknown).
    pub fn prefix(&self, incident_type: Option<&str>) -> String {
        match incident_type {
            Some(t) => self
                .prefixes
                .get(t)
                .cloned()
                .unwrap_or_else(|| default_prefix(t)),
            None => UNKNOWN_PREFIX.to_string(),
        }
    }

    /// The metric name configured for a Grafana query refId of an incident type.
    pub fn metric_for_ref(&self, incident_type: Option<&str>, refid: &str) -> Option<&str> {
        self.metrics
            .get(incident_type?)?
            .get(refid)
            .map(String::as_str)
    }
}

/// Upper-case initials of the type's first two words (`high_memory_usage` → `HM`,
/// `disk_full` → `DF`); a one-word type gives its first two letters (`oom` → `OO`); `INC`
/// when that is not a valid prefix.
pub fn default_prefix(incident_type: &str) -> String {
    let words: Vec<&str> = incident_type
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let p: String = match words.as_slice() {
        [] => String::new(),
        [one] => one.chars().take(2).collect(),
        [a, b, ..] => a.chars().take(1).chain(b.chars().take(1)).collect(),
    };
    let p = p.to_ascii_uppercase();
    if valid_prefix(&p) {
        p
    } else {
        UNKNOWN_PREFIX.to_string()
    }
}

pub fn valid_prefix(p: &str) -> bool {
    let mut chars = p.chars();
    chars.next().is_some_and(|c| c.is_ascii_uppercase())
        && p.len() <= 16
        && chars.all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
}

/// A Prometheus-style metric name.
pub fn valid_metric_name(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && s.len() <= 200
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_prefixes() {
        assert_eq!(default_prefix("high_memory_usage"), "HM");
        assert_eq!(default_prefix("disk_full"), "DF");
        assert_eq!(default_prefix("oom"), "OO");
        assert_eq!(default_prefix("5xx_errors"), "INC");
        assert_eq!(default_prefix(""), "INC");
    }

    #[test]
    fn config_is_validated() {
        let spec: NormalizeSpec =
            serde_yaml::from_str("incident_types:\n  high_memory_usage:\n    prefix: hm\n")
                .unwrap();
        let (path, msg) = Settings::new(&spec).unwrap_err();
        assert_eq!(
            path.join("."),
            "normalize.incident_types.high_memory_usage.prefix"
        );
        assert!(msg.contains("`hm`"), "{msg}");

        let spec: NormalizeSpec = serde_yaml::from_str(
            "incident_types:\n  a_b: {alertnames: [X]}\n  c_d: {alertnames: [X]}\n",
        )
        .unwrap();
        assert!(Settings::new(&spec).unwrap_err().1.contains("both"));

        let spec: NormalizeSpec = serde_yaml::from_str(
            "incident_types:\n  high_memory_usage: {alertnames: [AppointmentsApiHighMemory], metrics: {B: memory_percent}}\nlabels: {service: [app, service]}\n",
        )
        .unwrap();
        let s = Settings::new(&spec).unwrap();
        let t = s.incident_type(None, Some("AppointmentsApiHighMemory"));
        assert_eq!(t.as_deref(), Some("high_memory_usage"));
        assert_eq!(s.prefix(t.as_deref()), "HM");
        assert_eq!(s.metric_for_ref(t.as_deref(), "B"), Some("memory_percent"));
        assert_eq!(s.labels(Field::Service), ["app", "service"]);
        assert_eq!(s.prefix(None), "INC");
        assert_eq!(
            s.incident_type(Some("disk_full"), Some("AppointmentsApiHighMemory"))
                .as_deref(),
            Some("disk_full")
        );
    }
}
