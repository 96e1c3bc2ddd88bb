//! `sddgate lint FILE…`: structure checks and the concrete-command lint, per spec file.

use crate::config::{Config, display_path};
use crate::gate;
use crate::report::{ErrorReport, FileReport, Report};
use std::path::PathBuf;

pub fn lint(config: &Config, files: &[PathBuf]) -> Report {
    let mut reports = Vec::new();
    let mut errors = Vec::new();
    for f in files {
        let shown = display_path(&config.root, f);
        match gate::lint_spec(config, &shown, f) {
            Ok(s) => reports.push(FileReport {
                file: shown,
                findings: s.lint.findings,
                suppressed: s.lint.suppressed,
            }),
            Err(e) => errors.push(ErrorReport::from_error(&e)),
        }
    }
    Report::new("lint", vec![], reports, errors, vec![])
}
