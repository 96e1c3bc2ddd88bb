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
    /// SARIF 2.1.0, for GitHub code scanning (`upload-sarif`) and other SARIF viewers.
    Sarif,
    /// GitHub Actions workflow commands (`::error file=…::…`): the runner turns them into annotations.
    Github,
    /// The PR comment body as Markdown, for any CI that posts notes (GitLab MR notes, Jenkins).
    Markdown,
    /// JUnit XML, for Jenkins and GitLab test reports (`artifacts:reports:junit`).
    Junit,
    /// GitLab Code Quality report (`artifacts:reports:codequality`).
    Gitlab,
}

impl Format {
    /// The formats only `check`, `lint`, `readiness` and `hook run pre-commit` write: a usage
    /// error for the commands that print other things.
    pub fn report_only(self, command: &str) -> crate::error::Error {
        crate::error::Error::Usage(format!(
            "--format {} is a report format (for check, lint and readiness); `{command}` prints human or json",
            self.to_possible_value()
                .map_or_else(String::new, |v| v.get_name().to_string())
        ))
    }
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
        /// Spec files, or directories: every spec the configured globs find under them.
        #[arg(required = true, value_name = "PATH")]
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
    /// Raw webhooks (Grafana, Alertmanager, PagerDuty) → one normalized incident event (JSON on stdout).
    Normalize(NormalizeArgs),
    /// Readiness first, then membership in the pre-approved list, then every precondition. Executes nothing.
    DryRun(DryRunArgs),
    /// The causal chain of an incident (webhook → … → validate) from the trace log and git; or `trace append`.
    #[command(args_conflicts_with_subcommands = true)]
    Trace {
        #[command(subcommand)]
        action: Option<TraceAction>,
        #[command(flatten)]
        show: TraceShowArgs,
    },
    /// The GitHub Action: gate the incidents a pull request touches (config from its base
    /// commit), then annotations, job summary, outputs, one `sddgate` check run and one sticky
    /// PR comment. Reads GITHUB_EVENT_PATH, GITHUB_REPOSITORY, GITHUB_API_URL, GITHUB_TOKEN,
    /// GITHUB_STEP_SUMMARY, GITHUB_OUTPUT and the action inputs SDDGATE_CONFIG, SDDGATE_PATHS,
    /// SDDGATE_COMMENT, SDDGATE_CHECK_RUN.
    Ci {
        #[command(flatten)]
        common: Common,
    },
    /// Git hooks: `install`, `uninstall`, and `run` (what the installed hooks call).
    Hook {
        #[command(subcommand)]
        action: HookAction,
    },
    /// Print a JSON Schema: `report` (the JSON output), `readiness` (the readiness document), `config` (.sddgate.yml), `event` (the incident event of `normalize`), `dry-run` or `trace` (their JSON outputs).
    Schema {
        #[arg(value_enum)]
        name: SchemaName,
    },
    /// Scaffold a starting point at the repository root (the current directory outside git):
    /// .sddgate.yml, specs/TYPE/{specify,plan,tasks,validation,readiness}.md and the editor
    /// schemas under .sddgate/schemas/. Never overwrites a file: an existing one is kept.
    Init {
        /// The incident type: letters, digits, `_` and `-`, starting with a letter or digit.
        #[arg(default_value = "example_incident")]
        incident_type: String,
        /// Write the readiness document as readiness.md (front matter) or readiness.yaml
        /// (a YAML file editors validate through its yaml-language-server modeline).
        #[arg(long, value_enum, default_value_t = ReadinessFormat::Md, value_name = "FORMAT")]
        readiness_format: ReadinessFormat,
    },
    /// Print a shell completion script: `source <(sddgate completions bash)`.
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff): `sddgate man > sddgate.1`.
    Man,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReadinessFormat {
    /// readiness.md: YAML front matter, then the evidence table in Markdown.
    Md,
    /// readiness.yaml: the facts alone, with a schema modeline for the editor.
    Yaml,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SchemaName {
    Report,
    Readiness,
    Config,
    /// The JSON output of `dry-run`.
    DryRun,
    /// The JSON output of `trace`.
    Trace,
    /// The incident event `normalize` prints.
    Event,
}

#[derive(Debug, Args)]
pub struct NormalizeArgs {
    /// Grafana unified-alerting webhook payload (or the lesson's simplified shape). Repeatable.
    #[arg(long, value_name = "FILE")]
    pub grafana: Vec<PathBuf>,
    /// Prometheus Alertmanager webhook payload (version 4). Repeatable.
    #[arg(long, value_name = "FILE")]
    pub alertmanager: Vec<PathBuf>,
    /// PagerDuty V3 webhook payload (or the lesson's simplified shape). Repeatable.
    #[arg(long, value_name = "FILE")]
    pub pagerduty: Vec<PathBuf>,
    /// Compare the event with this file field for field: exit 0 when equal, 1 with a per-field diff.
    #[arg(long, value_name = "FILE")]
    pub expected: Option<PathBuf>,
    /// Use this incident id instead of deriving one.
    #[arg(long, value_name = "ID")]
    pub incident_id: Option<String>,
    /// Append `webhook_received` and `incident_event_normalized` records to this trace log.
    #[arg(long, value_name = "FILE")]
    pub trace_log: Option<PathBuf>,
    #[command(flatten)]
    pub common: Common,
}

#[derive(Debug, Args)]
pub struct DryRunArgs {
    /// The specify.md listing the pre-approved actions.
    #[arg(long, value_name = "FILE")]
    pub spec: PathBuf,
    /// The action to check, e.g. restart_pod.
    #[arg(long, value_name = "NAME")]
    pub action: String,
    /// Readiness document (default: one beside the spec, or one naming it).
    #[arg(long, value_name = "FILE", conflicts_with = "no_readiness")]
    pub readiness: Option<PathBuf>,
    /// A runtime fact for the preconditions, e.g. stateless=true. Repeatable.
    #[arg(long = "context", value_name = "KEY=VALUE")]
    pub context: Vec<String>,
    /// A JSON or YAML mapping of facts. Repeatable; --context wins over files.
    #[arg(long, value_name = "FILE")]
    pub context_file: Vec<PathBuf>,
    /// Check membership and preconditions only (the lesson's step 6). This is no admission.
    #[arg(long)]
    pub no_readiness: bool,
    #[command(flatten)]
    pub common: Common,
}

#[derive(Debug, Args)]
pub struct TraceShowArgs {
    /// The incident whose chain to show (default: every incident in the log).
    #[arg(long, value_name = "ID")]
    pub incident: Option<String>,
    /// Trace log (default: trace_log from the config, .sddgate/trace.jsonl).
    #[arg(long, value_name = "FILE")]
    pub log: Option<PathBuf>,
    #[command(flatten)]
    pub common: Common,
}

#[derive(Debug, Subcommand)]
pub enum TraceAction {
    /// Append one record (atomic append under a file lock, fsync).
    Append {
        #[arg(long, value_name = "ID")]
        incident: String,
        /// One of webhook_received, incident_event_normalized, specify, spec_diff_created, commit, validate.
        #[arg(long)]
        step: String,
        /// What the step produced: a path, a commit, a URL.
        #[arg(long = "ref", value_name = "REF")]
        reference: String,
        #[arg(long, value_name = "FILE")]
        log: Option<PathBuf>,
        #[command(flatten)]
        common: Common,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum HookKind {
    PreCommit,
    CommitMsg,
}

#[derive(Debug, Subcommand)]
pub enum HookAction {
    /// Write the hook scripts into the repository's hooks directory (honours core.hooksPath,
    /// worktrees, GIT_DIR). Default: both hooks.
    Install {
        #[arg(long = "type", value_enum, value_name = "TYPE")]
        kind: Option<HookKind>,
        /// Replace a hook sddgate did not write: it is kept beside ours and run first.
        #[arg(long)]
        force: bool,
        #[command(flatten)]
        common: Common,
    },
    /// Remove sddgate's hooks and restore any hook they chained to. Default: both hooks.
    Uninstall {
        #[arg(long = "type", value_enum, value_name = "TYPE")]
        kind: Option<HookKind>,
        #[command(flatten)]
        common: Common,
    },
    /// Run a hook now (the installed scripts call this).
    Run {
        #[command(subcommand)]
        hook: HookRun,
    },
}

#[derive(Debug, Subcommand)]
pub enum HookRun {
    /// Gate the staged content (the index) of the incidents the commit touches.
    PreCommit {
        #[command(flatten)]
        common: Common,
    },
    /// Require an `Incident-Id:` trailer naming an existing incident on commits touching specs.
    CommitMsg {
        /// The commit message file git passes to the hook.
        file: PathBuf,
        #[command(flatten)]
        common: Common,
    },
}
