//! The command line: every command and flag, with the help text users read.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "sddgate",
    version,
    about = "Readiness gate for incident auto-remediation specs",
    long_about = "Readiness gate for incident auto-remediation specs.\n\nParses specify.md and readiness documents, rejects specs that name concrete remediation commands, verifies claimed scores against the evidence in the repository and decides: PASS (exit 0), SEMI-MANUAL (exit 3, needs a human) or BLOCK (exit 1). Any error exits 2.",
    after_help = "Exit codes: 0 pass, 1 blocked, 3 semi-manual (needs human approval), 2 usage, config, input or internal error."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Readable text; colour on a terminal unless NO_COLOR is set.
    Human,
    /// The versioned report object (`sddgate schema report`).
    Json,
}

#[derive(Debug, Args)]
pub struct Common {
    /// Config file (default: .sddgate.yml at the repository root).
    #[arg(long, value_name = "FILE", global = true)]
    pub config: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human, global = true)]
    pub format: Format,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// The whole gate: discover incidents, lint specs, verify scores, decide. Worst exit code wins.
    Check {
        /// Files or directories to check (default: the whole repository).
        paths: Vec<PathBuf>,
        /// Only incidents whose spec, readiness document or evidence changed since this git revision.
        #[arg(long, value_name = "REF")]
        base: Option<String>,
        #[command(flatten)]
        common: Common,
    },
    /// One readiness document: `PASS incident=… score=N/25` on stdout, or BLOCK / SEMI-MANUAL with reasons on stderr.
    Readiness {
        /// A readiness.md (front matter), .yaml, .yml or .json document.
        file: PathBuf,
        #[command(flatten)]
        common: Common,
    },
    /// The concrete-command lint and structure checks on specs.
    Lint {
        /// specify.md files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        #[command(flatten)]
        common: Common,
    },
    /// List every rule id with its scope, severity and summary.
    Rules {
        #[command(flatten)]
        common: Common,
    },
    /// What a rule checks, why, an example that fails and one that passes.
    Explain {
        /// A rule id from `sddgate rules`.
        rule: String,
    },
    /// Print a JSON Schema: `report` (the JSON output), `readiness` (the readiness document) or `config` (.sddgate.yml).
    Schema {
        #[arg(value_enum)]
        name: SchemaName,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SchemaName {
    Report,
    Readiness,
    Config,
}
