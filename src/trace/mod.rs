//! The audit trace: the causal chain webhook_received → incident_event_normalized → specify →
//! spec_diff_created → commit → validate, linked by `incident_id`, from the append-only log
//! (`.sddgate/trace.jsonl`) and from git history (`Incident-Id:` trailers).

mod append;
mod chain;
mod log;

pub use append::{Appended, append, append_record, civil_from_days, rfc3339_utc, validate_entry};
pub use chain::{Chain, Link, Source, Sources, coverage, missing};
pub use log::{Log, Record, parse, parse_steps};

/// The six links of the chain, in causal order.
pub const STEPS: [&str; 6] = [
    "webhook_received",
    "incident_event_normalized",
    "specify",
    "spec_diff_created",
    "commit",
    "validate",
];

/// Steps that git history can supply as well as the log.
pub const GIT_STEPS: [&str; 2] = ["spec_diff_created", "commit"];

/// The lesson writes `/sdd:specify`; both spellings name the same link.
pub fn canonical_step(step: &str) -> &str {
    match step {
        "/sdd:specify" | "sdd:specify" => "specify",
        s => s,
    }
}
