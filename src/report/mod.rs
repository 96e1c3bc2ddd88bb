//! The report: one list of incident results and errors, printed by one emitter per format.

pub mod findings;
pub mod gitlab;
pub mod human;
pub mod junit;
pub mod lesson;
pub mod markdown;
pub mod sarif;
pub mod workflow_commands;

use crate::gate::IncidentReport;
use crate::model::{Decision, Violation};
pub use crate::speclint::Suppressed;
use schemars::JsonSchema;
use serde::Serialize;

/// Version of the JSON report; bumped on any incompatible change.
pub const SCHEMA: &str = "sddgate.report/v1";

/// What `check`, `readiness` and `lint` produce, in every format.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Report {
    /// `sddgate.report/v1`.
    pub schema: &'static str,
    pub tool_version: &'static str,
    /// The command that produced it: check, readiness or lint.
    pub command: &'static str,
    /// The worst decision over all incidents; null when none was judged.
    pub decision: Option<Decision>,
    /// The process exit code: 0 pass, 1 block, 3 semi-manual, 2 error.
    pub exit_code: i32,
    pub summary: Summary,
    pub incidents: Vec<IncidentReport>,
    /// Lint results per spec file (`lint` command).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub files: Vec<FileReport>,
    /// Documents that could not be judged: each one makes the exit code 2.
    pub errors: Vec<ErrorReport>,
    /// Things worth knowing that change no decision (a torn trace record skipped …).
    pub notes: Vec<String>,
}

#[derive(Debug, Clone, Default, Serialize, JsonSchema)]
pub struct Summary {
    pub incidents: usize,
    pub pass: usize,
    pub semi_manual: usize,
    pub block: usize,
    pub errors: usize,
    /// Findings silenced by a reasoned `sddgate-allow`, over every incident and linted file.
    /// A spec is counted once per incident it is reported with: a spec that two readiness
    /// documents name counts its suppressions twice.
    pub suppressed: usize,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct FileReport {
    pub file: String,
    pub findings: Vec<Violation>,
    /// Findings a reasoned `sddgate-allow` silenced (always present, empty when none).
    pub suppressed: Vec<Suppressed>,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ErrorReport {
    pub file: Option<String>,
    pub line: Option<u32>,
    pub column: Option<u32>,
    pub message: String,
}

impl ErrorReport {
    pub fn from_error(e: &crate::error::Error) -> Self {
        match e {
            crate::error::Error::Input {
                file,
                line,
                col,
                message,
            } => ErrorReport {
                file: Some(file.clone()),
                line: Some(*line),
                column: Some(*col),
                message: message.clone(),
            },
            crate::error::Error::Io { path, source } => ErrorReport {
                file: Some(path.to_string_lossy().into_owned()),
                line: None,
                column: None,
                message: source.to_string(),
            },
            other => ErrorReport {
                file: None,
                line: None,
                column: None,
                message: other.to_string(),
            },
        }
    }
}

impl Report {
    pub fn new(
        command: &'static str,
        incidents: Vec<IncidentReport>,
        files: Vec<FileReport>,
        errors: Vec<ErrorReport>,
        notes: Vec<String>,
    ) -> Report {
        let mut s = Summary {
            incidents: incidents.len(),
            errors: errors.len(),
            suppressed: incidents.iter().map(|i| i.suppressed.len()).sum::<usize>()
                + files.iter().map(|f| f.suppressed.len()).sum::<usize>(),
            ..Summary::default()
        };
        for i in &incidents {
            match i.decision {
                Decision::Auto => s.pass += 1,
                Decision::SemiManual => s.semi_manual += 1,
                Decision::Block => s.block += 1,
            }
        }
        let decision = incidents.iter().map(|i| i.decision).max();
        let lint_failed = files.iter().any(|f| {
            f.findings
                .iter()
                .any(|v| v.severity == crate::model::Severity::Error)
        });
        let exit_code = if !errors.is_empty() {
            2
        } else if lint_failed {
            1
        } else {
            decision.map_or(0, Decision::exit_code)
        };
        Report {
            schema: SCHEMA,
            tool_version: env!("CARGO_PKG_VERSION"),
            command,
            decision,
            exit_code,
            summary: s,
            incidents,
            files,
            errors,
            notes,
        }
    }

    /// Errors and warnings of the lint findings (`lint`), over every file.
    pub fn lint_counts(&self) -> (usize, usize) {
        self.files
            .iter()
            .flat_map(|f| &f.findings)
            .fold((0, 0), |(e, w), v| match v.severity {
                crate::model::Severity::Error => (e + 1, w),
                crate::model::Severity::Warning => (e, w + 1),
            })
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
    }
}
