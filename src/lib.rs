//! sddgate: a readiness gate for incident auto-remediation specs.
//!
//! Data flows one way: discover → parse → lint → decide → report.

pub mod cli;
pub mod commands;
pub mod config;
pub mod decide;
pub mod discover;
pub mod dryrun;
pub mod error;
pub mod files;
pub mod fuzzing;
pub mod gate;
pub mod git;
pub mod gitdb;
pub mod github;
pub mod hooks;
pub mod lint;
pub mod model;
pub mod normalize;
pub mod par;
pub mod parse;
pub mod profiles;
pub mod repo;
pub mod report;
pub mod rules;
pub mod schema;
pub mod span;
pub mod speclint;
pub(crate) mod swar;
pub mod term;
pub mod trace;
