//! The incident event: the one thing `normalize` produces.

use serde::Serialize;
use serde_json::Number;
use std::collections::BTreeMap;

/// The lesson's incident event: exactly these keys, in this order. A field no source gives is
/// `null` (`metric_context` `{}`, `source_refs` `[]`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IncidentEvent {
    pub incident_id: String,
    pub service: String,
    pub namespace: Option<String>,
    pub pod: Option<String>,
    pub severity: Option<String>,
    pub window_minutes: Option<Number>,
    /// Metric values by name, numbers as the payload gave them.
    pub metric_context: BTreeMap<String, Number>,
    /// Dashboard links first, then incident links; credentials removed.
    pub source_refs: Vec<String>,
}

impl IncidentEvent {
    /// The keys, in output order.
    pub const KEYS: [&'static str; 8] = [
        "incident_id",
        "service",
        "namespace",
        "pod",
        "severity",
        "window_minutes",
        "metric_context",
        "source_refs",
    ];

    /// Pretty JSON (2-space indent) with a trailing newline.
    pub fn to_pretty(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).expect("an event always serializes");
        s.push('\n');
        s
    }

    /// One line of JSON with a trailing newline.
    pub fn to_compact(&self) -> String {
        let mut s = serde_json::to_string(self).expect("an event always serializes");
        s.push('\n');
        s
    }

    pub fn to_value(&self) -> serde_json::Value {
        serde_json::to_value(self).expect("an event always serializes")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_in_the_lesson_order_and_nulls_kept() {
        let e = IncidentEvent {
            incident_id: "HM-2026-05-17-01".into(),
            service: "appointments-api".into(),
            namespace: None,
            pod: Some("api-7b4".into()),
            severity: Some("P1".into()),
            window_minutes: Some(10.into()),
            metric_context: [("memory_percent".to_string(), Number::from(93))].into(),
            source_refs: vec![],
        };
        assert_eq!(
            e.to_compact(),
            "{\"incident_id\":\"HM-2026-05-17-01\",\"service\":\"appointments-api\",\"namespace\":null,\"pod\":\"api-7b4\",\"severity\":\"P1\",\"window_minutes\":10,\"metric_context\":{\"memory_percent\":93},\"source_refs\":[]}\n"
        );
        assert!(e.to_pretty().starts_with("{\n  \"incident_id\": "));
        let keys: Vec<String> = serde_json::from_str::<serde_json::Value>(&e.to_compact())
            .unwrap()
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect();
        let mut sorted = IncidentEvent::KEYS.map(String::from).to_vec();
        sorted.sort();
        assert_eq!(keys, sorted, "KEYS names every field");
    }
}
