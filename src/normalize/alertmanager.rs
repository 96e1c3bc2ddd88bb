//! Prometheus Alertmanager's `webhook_config` payload, version 4.

use super::alert::{self, AlertGroup};
use super::observation::{Observation, Tool};
use super::payload::{position, typed};
use super::settings::Settings;
use crate::error::{Error, Result};

/// The payload version Alertmanager has sent since 0.x; the only one read.
pub const VERSION: &str = "4";

pub fn read(
    file: &str,
    text: &str,
    settings: &Settings,
    warnings: &mut Vec<String>,
) -> Result<Vec<Observation>> {
    let group: AlertGroup = typed(file, text, "an Alertmanager webhook")?;
    match group.version.as_deref() {
        Some(VERSION) => {}
        Some(v) => {
            let (line, col) = position(text, Some("version"));
            return Err(Error::input(
                file,
                line,
                col,
                format!(
                    "unsupported Alertmanager webhook version \"{}\"; sddgate reads version \"{VERSION}\"",
                    super::redact::mask(v)
                ),
            ));
        }
        None => {
            return Err(Error::input(
                file,
                1,
                1,
                format!(
                    "the Alertmanager webhook has no \"version\"; sddgate reads version \"{VERSION}\""
                ),
            ));
        }
    }
    Ok(alert::group(
        Tool::Alertmanager,
        file,
        &group,
        settings,
        warnings,
    ))
}
