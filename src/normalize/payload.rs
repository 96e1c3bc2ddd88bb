//! Reading one webhook payload: JSON with positioned errors, and which tool's shape it is.

use super::observation::Tool;
use super::redact;
use crate::error::{Error, Result};
use serde::de::DeserializeOwned;
use serde_json::Value;

/// The shapes `normalize` recognises (and the unsupported ones it can name).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Shape {
    /// Grafana unified alerting, webhook contact point (`alerts[]`, `orgId`, version "1").
    GrafanaUnified,
    /// The lesson's `{"source": "grafana", ...}`.
    GrafanaLesson,
    /// Grafana's legacy (pre-8) dashboard alerting webhook (`ruleName`, `evalMatches`).
    GrafanaLegacy,
    /// Prometheus Alertmanager `webhook_config` (`alerts[]`, `version`, no Grafana fields).
    Alertmanager,
    /// PagerDuty V3 webhook (`{"event": {"event_type", ...}}`).
    PagerDutyV3,
    /// The lesson's `{"source": "pagerduty", ...}`.
    PagerDutyLesson,
    /// PagerDuty's V1/V2 webhook extensions (`messages[]`).
    PagerDutyV2,
    /// Anything else; the text says what was found.
    Unknown(String),
}

impl Shape {
    pub fn describe(&self) -> String {
        match self {
            Shape::GrafanaUnified => "a Grafana unified-alerting webhook".into(),
            Shape::GrafanaLesson => "the lesson's Grafana payload (\"source\": \"grafana\")".into(),
            Shape::GrafanaLegacy => {
                "a legacy Grafana dashboard-alert webhook (ruleName, evalMatches)".into()
            }
            Shape::Alertmanager => "a Prometheus Alertmanager webhook".into(),
            Shape::PagerDutyV3 => "a PagerDuty V3 webhook".into(),
            Shape::PagerDutyLesson => {
                "the lesson's PagerDuty payload (\"source\": \"pagerduty\")".into()
            }
            Shape::PagerDutyV2 => "a PagerDuty V1/V2 webhook (messages[])".into(),
            Shape::Unknown(what) => what.clone(),
        }
    }

    /// The tool whose flag takes this shape, if any.
    pub fn tool(&self) -> Option<Tool> {
        match self {
            Shape::GrafanaUnified | Shape::GrafanaLesson | Shape::GrafanaLegacy => {
                Some(Tool::Grafana)
            }
            Shape::Alertmanager => Some(Tool::Alertmanager),
            Shape::PagerDutyV3 | Shape::PagerDutyLesson | Shape::PagerDutyV2 => {
                Some(Tool::PagerDuty)
            }
            Shape::Unknown(_) => None,
        }
    }
}

/// What each flag accepts, for messages.
pub fn expected(flag: Tool) -> &'static str {
    match flag {
        Tool::Grafana => {
            "a Grafana unified-alerting webhook (alerts[] with orgId, version \"1\") or the lesson's {\"source\": \"grafana\"} payload"
        }
        Tool::Alertmanager => "a Prometheus Alertmanager webhook (alerts[], version \"4\")",
        Tool::PagerDuty => {
            "a PagerDuty V3 webhook ({\"event\": {\"event_type\": \"incident.triggered\", ...}}) or the lesson's {\"source\": \"pagerduty\"} payload"
        }
    }
}

/// Fields only Grafana's webhook sends, at the top level or on an alert.
const GRAFANA_TOP: [&str; 4] = ["orgId", "title", "state", "message"];
const GRAFANA_ALERT: [&str; 6] = [
    "values",
    "valueString",
    "silenceURL",
    "dashboardURL",
    "panelURL",
    "imageURL",
];

/// Which shape a payload has, and the key that told (for the error position).
pub fn classify(v: &Value) -> (Shape, Option<&'static str>) {
    let Some(o) = v.as_object() else {
        let what = match v {
            Value::Array(_) => "a JSON array",
            Value::String(_) => "a JSON string",
            Value::Number(_) => "a JSON number",
            Value::Bool(_) => "a JSON boolean",
            _ => "JSON null",
        };
        return (Shape::Unknown(format!("{what}, not an object")), None);
    };
    if let Some(s) = o.get("source") {
        return match s.as_str() {
            Some("grafana") => (Shape::GrafanaLesson, Some("source")),
            Some("pagerduty") => (Shape::PagerDutyLesson, Some("source")),
            Some(other) => (
                Shape::Unknown(format!(
                    "a payload with \"source\": \"{}\" (known: grafana, pagerduty)",
                    redact::mask(other)
                )),
                Some("source"),
            ),
            None => (
                Shape::Unknown("a payload whose \"source\" is not a string".into()),
                Some("source"),
            ),
        };
    }
    if o.get("event").is_some_and(Value::is_object) {
        return (Shape::PagerDutyV3, Some("event"));
    }
    if o.get("messages").is_some_and(Value::is_array) {
        return (Shape::PagerDutyV2, Some("messages"));
    }
    if o.contains_key("alerts") {
        let alert_marker = o
            .get("alerts")
            .and_then(Value::as_array)
            .is_some_and(|alerts| {
                alerts.iter().any(|a| {
                    a.as_object()
                        .is_some_and(|a| GRAFANA_ALERT.iter().any(|k| a.contains_key(*k)))
                })
            });
        let top_marker = GRAFANA_TOP.iter().find(|k| o.contains_key(**k)).copied();
        if alert_marker || top_marker.is_some() {
            return (Shape::GrafanaUnified, top_marker.or(Some("alerts")));
        }
        return (Shape::Alertmanager, Some("alerts"));
    }
    if o.contains_key("evalMatches") || o.contains_key("ruleName") {
        return (Shape::GrafanaLegacy, Some("ruleName"));
    }
    let mut keys: Vec<&str> = o.keys().map(String::as_str).take(6).collect();
    if o.len() > 6 {
        keys.push("…");
    }
    (
        Shape::Unknown(format!(
            "a JSON object with keys {}",
            if keys.is_empty() {
                "(none)".to_string()
            } else {
                redact::mask(&keys.join(", "))
            }
        )),
        None,
    )
}

/// Parses JSON text, mapping a syntax error to `file:line:col`.
pub fn parse_json(file: &str, text: &str) -> Result<Value> {
    serde_json::from_str(text).map_err(|e| {
        Error::input(
            file,
            e.line() as u32,
            e.column() as u32,
            format!(
                "malformed JSON: {}; expected a webhook payload (one JSON object)",
                redact::mask(&strip_position(&e.to_string()))
            ),
        )
    })
}

/// Deserializes a payload into its typed shape; an error names the JSON path, the place and
/// what was expected.
pub fn typed<T: DeserializeOwned>(file: &str, text: &str, what: &str) -> Result<T> {
    let mut de = serde_json::Deserializer::from_str(text);
    serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        let msg = redact::mask(&strip_position(&inner.to_string()));
        let at = if path.is_empty() || path == "." {
            String::new()
        } else {
            format!("`{path}`: ")
        };
        Error::input(
            file,
            inner.line() as u32,
            inner.column() as u32,
            format!("{at}{msg} (reading {what})"),
        )
    })
}

/// Line and column of the value of a top-level key, for errors about it.
pub fn position(text: &str, key: Option<&str>) -> (u32, u32) {
    key.and_then(|k| crate::parse::locate::value_offset(text, &[k]))
        .map(|off| crate::span::LineIndex::new(text).position(text, off))
        .unwrap_or((1, 1))
}

/// serde's messages end in " at line L column C"; the position is printed separately.
fn strip_position(msg: &str) -> String {
    match msg.rfind(" at line ") {
        Some(i) if msg[i..].contains(" column ") => msg[..i].to_string(),
        _ => msg.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn shapes_are_told_apart() {
        let s = |v: Value| classify(&v).0;
        assert_eq!(s(json!({"source": "grafana"})), Shape::GrafanaLesson);
        assert_eq!(s(json!({"source": "pagerduty"})), Shape::PagerDutyLesson);
        assert_eq!(s(json!({"alerts": [], "orgId": 1})), Shape::GrafanaUnified);
        assert_eq!(
            s(json!({"alerts": [{"values": {"A": 1}}], "version": "1"})),
            Shape::GrafanaUnified
        );
        assert_eq!(
            s(json!({"alerts": [{"labels": {}}], "version": "4"})),
            Shape::Alertmanager
        );
        assert_eq!(
            s(json!({"event": {"event_type": "incident.triggered"}})),
            Shape::PagerDutyV3
        );
        assert_eq!(s(json!({"messages": []})), Shape::PagerDutyV2);
        assert_eq!(
            s(json!({"ruleName": "x", "evalMatches": []})),
            Shape::GrafanaLegacy
        );
        assert!(matches!(s(json!([1])), Shape::Unknown(_)));
        assert!(matches!(s(json!({"foo": 1})), Shape::Unknown(w) if w.contains("foo")));
    }

    #[test]
    fn syntax_errors_have_positions() {
        let e = parse_json("w.json", "{\n  \"a\": 1,\n  \"b\" 2\n}").unwrap_err();
        assert!(
            e.to_string().starts_with("w.json:3:7: malformed JSON"),
            "{e}"
        );
        let e = parse_json("w.json", "").unwrap_err();
        assert!(
            e.to_string().starts_with("w.json:1:1: malformed JSON"),
            "{e}"
        );
    }
}
