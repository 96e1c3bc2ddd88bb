//! Invariants checked while fuzzing (issue 7): plain functions over bytes, called by the
//! cargo-fuzz targets in `fuzz/` (nightly) and replayed over every seed and every past finding
//! by `tests/fuzz_regressions.rs` (stable). A panic is a finding.
//!
//! Every function checks, for arbitrary input:
//! - no panic and bounded work (libFuzzer's `-timeout` catches hangs);
//! - malformed input is an [`Error`] of the exit-2 class: [`Error::Input`] naming the file and a
//!   line that exists in the input (from 1 to the number of lines), or `Io`/`Usage`; a verdict
//!   exists only for input that parsed;
//! - the same input twice gives the same result.
//!
//! and its own target's properties, described on each function. `fuzz/README.md` explains how
//! to run them and how a finding becomes a regression.

use crate::config::Config;
use crate::decide::{
    self, EvidenceFact, EvidenceStatus, Facts, RollbackFact, SpecFacts, TraceFact,
};
use crate::error::Error;
use crate::model::Decision;
use crate::normalize::{self, Input, Outcome, Settings, Tool, redact};
use crate::parse::readiness::{self, Readiness};
use crate::parse::specify::{self, Spec};
use crate::speclint::{self, SpecLint};
use crate::trace;
use pulldown_cmark::{Event, Options, Parser};
use std::path::PathBuf;
use std::sync::LazyLock;
use std::sync::atomic::{AtomicU64, Ordering};

mod decision;
mod lint;
mod trace_log;
mod webhooks;

pub use decision::readiness;
pub use lint::{check_command_placement, exemption, judge, specify};
pub use trace_log::trace_log;
pub use webhooks::{PLANTED, alertmanager, grafana, pagerduty};

/// The name every fuzzed spec is read under.
pub const SPEC_FILE: &str = "specs/fuzz/specify.md";
/// The file name every fuzzed payload is shown as.
pub const PAYLOAD_FILE: &str = "payload.json";
/// The file name every fuzzed trace log is shown as.
pub const TRACE_FILE: &str = ".sddgate/trace.jsonl";
/// Documents larger than this are not fuzzed further (they only slow the fuzzer down; the size
/// cap itself is tested elsewhere).
const MAX_INPUT: usize = 64 * 1024;

/// The default configuration, as `sddgate` runs without a config file. Its root does not exist:
/// nothing here reads the repository.
static CONFIG: LazyLock<Config> = LazyLock::new(|| {
    Config::from_text(PathBuf::from("/nonexistent/sddgate-fuzz"), None, "")
        .expect("the default config loads")
});

/// A readiness document claiming full marks and every fact: with a clean spec and all its
/// evidence present it is admitted automatically (see `tests/fuzz_regressions.rs`), so only
/// the spec can make it fail.
pub const FULL_MARKS: &str = "---
incident_id: HM-2026-05-17-01
spec: specs/fuzz/specify.md
scores: {spec: 5, implementation: 5, verification: 5, process: 5, security: 5}
evidence:
  spec: specs/fuzz/specify.md
  implementation: specs/fuzz/plan.md
  verification: specs/fuzz/validation.md
  process: specs/fuzz/tasks.md
  security: specs/fuzz/security_policy.md
audit_trace_coverage: 1.0
stateful: false
backup_verified: true
radius_of_impact: pod
dry_run_verified: true
rollback: specs/fuzz/rollback.md
---
";

/// The command inserted into fuzzed specs, in the spellings tried.
pub const COMMANDS: [&str; 4] = [
    "kubectl delete pod x",
    "sudo kubectl delete pod x",
    "/usr/local/bin/kubectl delete pod x",
    "kubectl -n prod delete pod x",
];

/// Where the command is put, as Markdown a renderer shows to a reader. `{c}` is the command.
/// Each is inserted on its own lines, after a blank line, at a line start of the fuzzed body
/// (front matter: at the very start). The name is for messages.
pub const PLACEMENTS: [(&str, &str); 27] = [
    ("paragraph", "{c}"),
    (
        "sentence",
        "When memory stays high, run {c} and watch the pod.",
    ),
    ("fenced code", "```sh\n{c}\n```"),
    ("fenced code without language", "```\n{c}\n```"),
    ("tilde fence yaml", "~~~yaml\nsteps: {c}\n~~~"),
    ("indented code", "    {c}"),
    ("inline code", "Run `{c}` now."),
    ("table cell", "| step | how |\n|---|---|\n| 1 | {c} |"),
    ("bullet item", "- {c}"),
    ("ordered item", "1. {c}"),
    ("task item", "- [ ] {c}"),
    ("atx heading", "## {c}"),
    ("setext heading", "{c}\n==="),
    ("link text", "[{c}](https://runbooks.example.com/mem)"),
    ("strong emphasis", "**{c}**"),
    ("blockquote", "> {c}"),
    ("html comment", "<!-- {c} -->"),
    ("html block", "<div>\n{c}\n</div>"),
    ("inline html", "See <span>{c}</span> below."),
    ("footnote definition", "Restart it[^r].\n\n[^r]: {c}"),
    ("image alt text", "![{c}](diagram.png)"),
    ("strikethrough", "~~{c}~~"),
    ("front matter value", "---\nnote: {c}\n---"),
    ("nested list item", "- first\n  - {c}"),
    (
        "action list item",
        "## Pre-approved actions\n\n- restart_pod — {c}",
    ),
    (
        "details summary",
        "<details><summary>{c}</summary></details>",
    ),
    ("pre block", "<pre>\n{c}\n</pre>"),
];

/// Lines in a text as [`crate::span::LineIndex`] counts them: one more than its newlines.
fn line_count(text: &[u8]) -> usize {
    text.iter().filter(|&&b| b == b'\n').count() + 1
}

/// An error is of the exit-2 class and, when it points into the input, points at a real line.
pub fn check_error(e: &Error, file: &str, text: &[u8]) {
    match e {
        Error::Input {
            file: f,
            line,
            col,
            message,
        } => {
            assert_eq!(f, file, "error names another file: {e}");
            let lines = line_count(text);
            assert!(
                *line >= 1 && (*line as usize) <= lines,
                "error line {line} outside the input's {lines} line(s): {e}"
            );
            assert!(*col >= 1, "error column 0: {e}");
            assert!(!message.trim().is_empty(), "error without a message: {e}");
        }
        Error::Io { .. } | Error::Usage(_) => {}
    }
}

/// Facts as a repository holding every named file would give them.
fn all_present(r: &Readiness) -> Facts {
    Facts {
        spec: None,
        evidence: r
            .evidence
            .iter()
            .map(|(c, p)| EvidenceFact {
                category: *c,
                path: p.clone(),
                status: EvidenceStatus::Present,
            })
            .collect(),
        rollback: RollbackFact::Present,
        trace: None,
    }
}
