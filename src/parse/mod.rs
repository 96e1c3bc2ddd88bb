//! Parsers: each turns one kind of document into plain data that keeps its positions.

pub mod frontmatter;
pub mod locate;
pub mod readiness;
pub mod specify;
pub mod yaml;
mod yaml_fast;
