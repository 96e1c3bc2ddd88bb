//! `--format markdown`: the PR comment body (`github::render`) for any CI that posts Markdown
//! (GitLab merge request notes, Jenkins, a chat hook). Links point at the head commit when the
//! environment names a host (GitHub Actions, GitLab CI), else paths are plain code spans.

use super::Report;
use crate::github::render::{self, Forge};

/// The Markdown with links taken from this process's environment.
pub fn render(report: &Report) -> String {
    render_with(report, &Forge::from_env(|k| std::env::var(k).ok()))
}

pub fn render_with(report: &Report, forge: &Forge) -> String {
    render::markdown(report, forge)
}
