//! Webhook payloads → one incident event (placeholder until the normalizer lands).

use schemars::JsonSchema;
use serde::Deserialize;

/// `normalize:` in `.sddgate.yml`.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct NormalizeSpec {}
