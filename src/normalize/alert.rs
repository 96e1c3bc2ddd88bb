//! One Prometheus-style alert (`labels`, `annotations`, `startsAt`, `fingerprint`, …) as
//! Grafana and Alertmanager send it, read into an [`Observation`].

use super::duration;
use super::observation::{Field, Observation, Tool};
use super::redact;
use super::settings::{Settings, valid_metric_name};
use super::timestamp::Timestamp;
use regex::Regex;
use serde::Deserialize;
use serde_json::{Number, Value};
use std::collections::BTreeMap;
use std::sync::LazyLock;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Firing,
    Resolved,
}

/// A group of alerts: the part Grafana's and Alertmanager's webhooks share.
#[derive(Debug, Deserialize)]
pub struct AlertGroup {
    #[serde(default)]
    pub status: Option<Status>,
    #[serde(default)]
    pub alerts: Vec<Alert>,
    #[serde(default)]
    pub version: Option<String>,
    #[serde(default, rename = "truncatedAlerts")]
    pub truncated_alerts: Option<u64>,
}

#[derive(Debug, Default, Deserialize)]
pub struct Alert {
    #[serde(default)]
    pub status: Option<Status>,
    #[serde(default)]
    pub labels: Option<BTreeMap<String, String>>,
    #[serde(default)]
    pub annotations: Option<BTreeMap<String, String>>,
    #[serde(default, rename = "startsAt")]
    pub starts_at: Option<Timestamp>,
    #[serde(default, rename = "generatorURL")]
    pub generator_url: Option<String>,
    #[serde(default)]
    pub fingerprint: Option<String>,
    /// Grafana only: the dashboard and panel of the rule.
    #[serde(default, rename = "dashboardURL")]
    pub dashboard_url: Option<String>,
    #[serde(default, rename = "panelURL")]
    pub panel_url: Option<String>,
    /// Grafana only: the values of the rule's queries and expressions, by refId or name.
    #[serde(default)]
    pub values: Option<BTreeMap<String, Value>>,
    /// Grafana only: `[ var='B' labels={…} value=93.2 ], …`.
    #[serde(default, rename = "valueString")]
    pub value_string: Option<String>,
}

/// `values` keys that are Grafana's default query refIds (`A`, `B`, …), not metric names.
fn is_refid(k: &str) -> bool {
    k.len() == 1 && k.chars().all(|c| c.is_ascii_uppercase())
}

static VALUE_STRING: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\[\s*(var|metric)='([^']*)'\s+labels=\{([^}]*)\}\s+value=([^\s\]]+)\s*\]").unwrap()
});

/// A number from text, integer when it is one (`93` → 93, `93.2` → 93.2).
pub fn number(s: &str) -> Option<Number> {
    let s = s.trim();
    if let Ok(i) = s.parse::<i64>() {
        return Some(Number::from(i));
    }
    if let Ok(u) = s.parse::<u64>() {
        return Some(Number::from(u));
    }
    s.parse::<f64>().ok().and_then(Number::from_f64)
}

/// Reads one alert. `group_status` stands in for an alert without its own status.
pub fn observe(
    tool: Tool,
    file: &str,
    at: String,
    alert: &Alert,
    group_status: Option<Status>,
    settings: &Settings,
    warnings: &mut Vec<String>,
) -> Observation {
    let empty = BTreeMap::new();
    let labels = alert.labels.as_ref().unwrap_or(&empty);
    let annotations = alert.annotations.as_ref().unwrap_or(&empty);
    let fingerprint = alert
        .fingerprint
        .as_deref()
        .map(str::trim)
        .filter(|f| !f.is_empty());
    let dedupe = match fingerprint {
        Some(fp) => format!("{}:{fp}", tool.name()),
        None => {
            let ls: Vec<String> = labels.iter().map(|(k, v)| format!("{k}={v}")).collect();
            let start = alert.starts_at.map(|t| t.to_string()).unwrap_or_default();
            format!("{}:labels:{}@{start}", tool.name(), ls.join(","))
        }
    };
    let mut o = Observation::new(tool, file, at, dedupe);
    o.reuse_key = fingerprint.and_then(|fp| Observation::key(tool.name(), fp));
    o.active = alert.status.or(group_status).unwrap_or(Status::Firing) == Status::Firing;
    o.starts_at = alert.starts_at.filter(|t| !t.is_zero());
    for field in [Field::Service, Field::Namespace, Field::Pod] {
        let v = settings
            .labels(field)
            .iter()
            .find_map(|l| labels.get(l).filter(|v| !v.trim().is_empty()));
        o.set_identity(field, v.map(String::as_str));
    }
    o.set_severity(labels.get("severity").map(String::as_str));
    o.alertname = labels.get("alertname").cloned();
    o.incident_type = settings.incident_type(
        labels.get("incident_type").map(String::as_str),
        o.alertname.as_deref(),
    );
    o.window_minutes = window(alert, labels, annotations, &o.origin(), warnings);
    metrics(alert, labels, annotations, settings, &mut o);
    let dashboard = [
        alert.dashboard_url.as_deref(),
        annotations.get("dashboard_url").map(String::as_str),
        alert.panel_url.as_deref(),
        alert.generator_url.as_deref(),
    ]
    .into_iter()
    .flatten()
    .map(str::trim)
    .find(|u| !u.is_empty());
    o.refs.extend(dashboard.map(str::to_string));
    o
}

/// The alerts of a group (Grafana or Alertmanager), with a warning when the sender truncated it.
pub fn group(
    tool: Tool,
    file: &str,
    group: &AlertGroup,
    settings: &Settings,
    warnings: &mut Vec<String>,
) -> Vec<Observation> {
    if let Some(n) = group.truncated_alerts.filter(|n| *n > 0) {
        warnings.push(format!(
            "{file}: the sender left out {n} alert(s) (truncatedAlerts); the event is built from the {} present",
            group.alerts.len()
        ));
    }
    group
        .alerts
        .iter()
        .enumerate()
        .map(|(i, a)| {
            observe(
                tool,
                file,
                format!("alerts[{i}]"),
                a,
                group.status,
                settings,
                warnings,
            )
        })
        .collect()
}

/// The alert's window, by precedence: `values.window_minutes`; a `window_minutes` label or
/// annotation (a number of minutes); a `window` or `for` label, then annotation (a duration
/// such as `10m`); the one duration the `summary` annotation mentions.
fn window(
    alert: &Alert,
    labels: &BTreeMap<String, String>,
    annotations: &BTreeMap<String, String>,
    origin: &str,
    warnings: &mut Vec<String>,
) -> Option<Number> {
    if let Some(v) = alert.values.as_ref().and_then(|v| v.get("window_minutes")) {
        match v.as_f64().and_then(duration::minutes_number) {
            Some(_) => return v.as_number().cloned(),
            None => warnings.push(format!(
                "{origin}: values.window_minutes is not a non-negative number; ignored"
            )),
        }
    }
    for (kind, map) in [("label", labels), ("annotation", annotations)] {
        if let Some(v) = map.get("window_minutes") {
            match number(v).filter(|n| n.as_f64().is_some_and(|f| f >= 0.0)) {
                Some(n) => return Some(n),
                None => warnings.push(format!(
                    "{origin}: {kind} window_minutes `{}` is not a number of minutes; ignored",
                    redact::mask(v)
                )),
            }
        }
    }
    for (kind, map) in [("label", labels), ("annotation", annotations)] {
        for key in ["window", "for"] {
            if let Some(v) = map.get(key) {
                match duration::minutes(v) {
                    Some(n) => return Some(n),
                    None => warnings.push(format!(
                        "{origin}: {kind} {key} `{}` is not a duration such as 10m or 1h30m; ignored",
                        redact::mask(v)
                    )),
                }
            }
        }
    }
    annotations
        .get("summary")
        .and_then(|s| duration::minutes_in_text(s))
}

/// Named metric values: `values` entries named by a metric (refIds `A`…`Z` only through the
/// incident type's `metrics` map or a `__name__` in `valueString`), then `valueString`
/// entries when there are no `values`, then an annotation `value` named by a `metric` label
/// or annotation. The first value for a name wins.
fn metrics(
    alert: &Alert,
    labels: &BTreeMap<String, String>,
    annotations: &BTreeMap<String, String>,
    settings: &Settings,
    o: &mut Observation,
) {
    let t = o.incident_type.clone();
    let vs_names: BTreeMap<String, String> = alert
        .value_string
        .as_deref()
        .map(|vs| {
            VALUE_STRING
                .captures_iter(vs)
                .filter_map(|c| {
                    let name = c[3].split(',').find_map(|kv| {
                        let (k, v) = kv.split_once('=')?;
                        (k.trim() == "__name__").then(|| v.trim().to_string())
                    })?;
                    Some((c[2].to_string(), name))
                })
                .collect()
        })
        .unwrap_or_default();
    let name_of = |key: &str| -> Option<String> {
        let name = if is_refid(key) {
            settings
                .metric_for_ref(t.as_deref(), key)
                .map(str::to_string)
                .or_else(|| vs_names.get(key).cloned())?
        } else {
            key.to_string()
        };
        (name != "window_minutes" && valid_metric_name(&name) && !redact::looks_secret(&name))
            .then_some(name)
    };
    let values = alert.values.as_ref().filter(|v| !v.is_empty());
    if let Some(values) = values {
        for (k, v) in values {
            if let (Some(name), Some(n)) = (name_of(k), v.as_number()) {
                o.metrics.entry(name).or_insert_with(|| n.clone());
            }
        }
    } else if let Some(vs) = &alert.value_string {
        for c in VALUE_STRING.captures_iter(vs) {
            let key = &c[2];
            if key.is_empty() {
                continue;
            }
            if let (Some(name), Some(n)) = (name_of(key), number(&c[4])) {
                o.metrics.entry(name).or_insert(n);
            }
        }
    }
    let metric = labels.get("metric").or_else(|| annotations.get("metric"));
    if let (Some(name), Some(v)) = (metric, annotations.get("value"))
        && valid_metric_name(name)
        && name != "window_minutes"
        && !redact::looks_secret(name)
        && let Some(n) = number(v)
    {
        o.metrics.entry(name.clone()).or_insert(n);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn alert(json: &str) -> Alert {
        serde_json::from_str(json).unwrap()
    }

    fn obs(a: &Alert, settings: &Settings) -> (Observation, Vec<String>) {
        let mut w = Vec::new();
        let o = observe(
            Tool::Grafana,
            "g.json",
            "alerts[0]".into(),
            a,
            None,
            settings,
            &mut w,
        );
        (o, w)
    }

    #[test]
    fn refids_are_dropped_unless_named() {
        let a = alert(
            r#"{"labels": {"alertname": "AppointmentsApiHighMemory"}, "values": {"B": 93.2, "C": 1, "memory_percent": 93}}"#,
        );
        let (o, _) = obs(&a, &Settings::default());
        assert_eq!(
            serde_json::to_string(&o.metrics).unwrap(),
            r#"{"memory_percent":93}"#
        );

        let spec: super::super::NormalizeSpec = serde_yaml::from_str(
            "incident_types: {high_memory_usage: {alertnames: [AppointmentsApiHighMemory], metrics: {B: heap_percent}}}",
        )
        .unwrap();
        let (o, _) = obs(&a, &Settings::new(&spec).unwrap());
        assert_eq!(
            serde_json::to_string(&o.metrics).unwrap(),
            r#"{"heap_percent":93.2,"memory_percent":93}"#
        );
    }

    #[test]
    fn metric_names_that_look_like_tokens_are_dropped() {
        let a = alert(r#"{"values": {"ghp_0123456789abcdefghijABCD": 1, "memory_percent": 93}}"#);
        let (o, _) = obs(&a, &Settings::default());
        assert_eq!(
            serde_json::to_string(&o.metrics).unwrap(),
            r#"{"memory_percent":93}"#
        );
    }

    #[test]
    fn value_string_names_refids_by_metric_name() {
        let a = alert(
            r#"{"valueString": "[ var='B' labels={__name__=memory_percent, pod=api-7b4} value=93 ], [ var='C' labels={pod=api-7b4} value=1 ]"}"#,
        );
        let (o, _) = obs(&a, &Settings::default());
        assert_eq!(
            serde_json::to_string(&o.metrics).unwrap(),
            r#"{"memory_percent":93}"#
        );
    }

    #[test]
    fn window_precedence() {
        let a = alert(
            r#"{"values": {"window_minutes": 10}, "labels": {"window": "5m"}, "annotations": {"summary": "over 15m"}}"#,
        );
        assert_eq!(
            obs(&a, &Settings::default())
                .0
                .window_minutes
                .unwrap()
                .to_string(),
            "10"
        );
        let a = alert(r#"{"labels": {"window": "1h30m"}, "annotations": {"summary": "over 15m"}}"#);
        assert_eq!(
            obs(&a, &Settings::default())
                .0
                .window_minutes
                .unwrap()
                .to_string(),
            "90"
        );
        let a = alert(r#"{"annotations": {"for": "600s", "summary": "over 15m"}}"#);
        assert_eq!(
            obs(&a, &Settings::default())
                .0
                .window_minutes
                .unwrap()
                .to_string(),
            "10"
        );
        let a = alert(r#"{"labels": {"window": "ten"}, "annotations": {"summary": "over 15m"}}"#);
        let (o, w) = obs(&a, &Settings::default());
        assert_eq!(o.window_minutes.unwrap().to_string(), "15");
        assert!(w[0].contains("`ten` is not a duration"), "{w:?}");
        let a = alert(r#"{"annotations": {"summary": "5m then 10m"}}"#);
        assert!(obs(&a, &Settings::default()).0.window_minutes.is_none());
    }

    #[test]
    fn numbers_keep_their_kind() {
        assert_eq!(number("93").unwrap().to_string(), "93");
        assert_eq!(number("93.2").unwrap().to_string(), "93.2");
        assert!(number("NaN").is_none());
        assert!(number("abc").is_none());
    }
}
