//! GitHub: the Action's environment and event, the REST client with sddgate's own retry
//! policy, the API operations, and the rendering of a report for checks, comments and the
//! workflow files.

pub mod api;
pub mod client;
pub mod event;
pub mod handoff;
pub mod render;
pub mod workflow;
