//! GitHub: the Action's environment and event, the REST client with sddgate's own retry
//! policy, the API operations, and the rendering of a report for checks, comments and the
//! workflow files.
//!
//! Only the REST side (`api`, `client`) needs octocrab, tokio and http: it is behind the
//! `github` feature. The rest is pure and also serves the offline build's `--format github`
//! and `--format markdown`.

#[cfg(feature = "github")]
pub mod api;
#[cfg(feature = "github")]
pub mod client;
pub mod event;
pub mod handoff;
pub mod render;
pub mod workflow;
