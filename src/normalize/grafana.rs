//! Grafana: the unified-alerting webhook contact point, and the lesson's simplified payload.

use super::alert::{self, Alert, AlertGroup, Status};
use super::observation::{Observation, Tool};
use super::payload::{position, typed};
use super::settings::Settings;
use super::timestamp::Timestamp;
use crate::error::{Error, Result};
use serde::Deserialize;
use serde_json::Value;
use std::collections::BTreeMap;

/// The only version of Grafana's webhook payload.
pub const VERSION: &str = "1";

/// A Grafana unified-alerting webhook: every alert in `alerts[]`.
pub fn unified(
    file: &str,
    text: &str,
    settings: &Settings,
    warnings: &mut Vec<String>,
) -> Result<Vec<Observation>> {
    let group: AlertGroup = typed(file, text, "a Grafana unified-alerting webhook")?;
    if let Some(v) = group.version.as_deref()
        && v != VERSION
    {
        let (line, col) = position(text, Some("version"));
        return Err(Error::input(
            file,
            line,
            col,
            format!(
                "unsupported Grafana webhook version \"{}\"; sddgate reads version \"{VERSION}\"",
                super::redact::mask(v)
            ),
        ));
    }
    Ok(alert::group(
        Tool::Grafana,
        file,
        &group,
        settings,
        warnings,
    ))
}

/// The lesson's `{"source": "grafana", "alert_name", "fingerprint", "labels", "annotations",
/// "values", "starts_at"}`: one firing alert (unless it says `"status": "resolved"`).
#[derive(Debug, Deserialize)]
struct Lesson {
    #[serde(default)]
    alert_name: Option<String>,
    #[serde(default)]
    fingerprint: Option<String>,
    #[serde(default)]
    status: Option<Status>,
    #[serde(default)]
    labels: Option<BTreeMap<String, String>>,
    #[serde(default)]
    annotations: Option<BTreeMap<String, String>>,
    #[serde(default)]
    values: Option<BTreeMap<String, Value>>,
    #[serde(default)]
    starts_at: Option<Timestamp>,
}

pub fn lesson(
    file: &str,
    text: &str,
    settings: &Settings,
    warnings: &mut Vec<String>,
) -> Result<Vec<Observation>> {
    let l: Lesson = typed(file, text, "the lesson's Grafana payload")?;
    let mut labels = l.labels.unwrap_or_default();
    if let Some(name) = l.alert_name {
        labels.entry("alertname".into()).or_insert(name);
    }
    let a = Alert {
        status: l.status,
        labels: Some(labels),
        annotations: l.annotations,
        starts_at: l.starts_at,
        fingerprint: l.fingerprint,
        values: l.values,
        ..Alert::default()
    };
    Ok(vec![alert::observe(
        Tool::Grafana,
        file,
        String::new(),
        &a,
        None,
        settings,
        warnings,
    )])
}
