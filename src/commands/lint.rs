//! `sddgate lint PATH…`: structure checks and the concrete-command lint, per spec file. A
//! directory stands for the specs the configured globs find under it.

use crate::config::{Config, display_path};
use crate::discover;
use crate::gate;
use crate::report::{ErrorReport, FileReport, Report};
use std::path::PathBuf;

pub fn lint(config: &Config, paths: &[PathBuf]) -> Report {
    let mut reports = Vec::new();
    let mut errors = Vec::new();
    let mut notes = Vec::new();
    let mut files: Vec<(String, PathBuf)> = Vec::new();
    for p in paths {
        if !p.is_dir() {
            files.push((display_path(&config.root, p), p.clone()));
            continue;
        }
        match discover::discover(config, std::slice::from_ref(p)) {
            Ok(found) if found.specs.is_empty() => notes.push(format!(
                "no spec under {} (spec globs: {})",
                display_path(&config.root, p),
                config.spec_globs.join(", ")
            )),
            Ok(found) => files.extend(
                found
                    .specs
                    .into_iter()
                    .map(|s| (s.clone(), config.root.join(s))),
            ),
            Err(e) => errors.push(ErrorReport::from_error(&e)),
        }
    }
    for (shown, path) in files {
        match gate::lint_spec(config, &shown, &path) {
            Ok(s) => reports.push(FileReport {
                file: shown,
                findings: s.lint.findings,
                suppressed: s.lint.suppressed,
            }),
            Err(e) => errors.push(ErrorReport::from_error(&e)),
        }
    }
    Report::new("lint", vec![], reports, errors, notes)
}
