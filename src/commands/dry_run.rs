//! `sddgate dry-run`: the readiness gate first, then membership of the action in the spec's
//! pre-approved list, then each precondition. Sequential, and nothing is executed.

use crate::cli::{DryRunArgs, Format};
use crate::config::{Config, display_path};
use crate::discover;
use crate::dryrun::{self, Context, Precondition};
use crate::error::{Error, Result};
use crate::gate::{self, IncidentReport, LintedSpec};
use crate::model::{Decision, MAX_TOTAL, Severity, Violation};
use crate::parse::readiness::Readiness;
use crate::repo;
use crate::report::human::Shown;
use crate::rules;
use schemars::JsonSchema;
use serde::Serialize;
use std::io::Write;
use std::path::Path;

pub const SCHEMA: &str = "sddgate.dry_run/v1";

/// Where the dry-run stopped.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    Readiness,
    Membership,
    Preconditions,
}

/// The JSON output of `sddgate dry-run`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct DryRunReport {
    pub schema: &'static str,
    pub action: String,
    /// `auto` = PASS, `semi_manual` = passes only with a human approval, `block`.
    pub decision: Decision,
    /// The check that blocked, if any.
    pub stopped_at: Option<Stage>,
    /// False with `--no-readiness`: then a PASS is no admission to run the action.
    pub readiness_checked: bool,
    /// Always false: a dry-run never executes anything.
    pub executed: bool,
    pub spec: String,
    pub readiness: Option<String>,
    pub incident_id: Option<String>,
    /// Verified readiness total, when the gate ran.
    pub score: Option<u32>,
    pub reasons: Vec<Violation>,
    pub preconditions: Vec<Precondition>,
    /// The readiness gate's full outcome.
    pub gate: Option<IncidentReport>,
    pub notes: Vec<String>,
    pub exit_code: i32,
}

pub fn run(config: &Config, args: &DryRunArgs) -> Result<i32> {
    let report = judge(config, args)?;
    let written = match args.common.format {
        Format::Json => serde_json::to_string_pretty(&report)
            .map_err(std::io::Error::other)
            .and_then(|j| writeln!(std::io::stdout().lock(), "{j}")),
        Format::Human => write_human(&report),
        other => return Err(other.report_only("dry-run")),
    };
    Ok(super::finish(written, report.exit_code))
}

fn judge(config: &Config, args: &DryRunArgs) -> Result<DryRunReport> {
    let spec_shown = display_path(&config.root, &args.spec);
    let spec = gate::lint_spec(config, &spec_shown, &args.spec)?;
    let mut ctx = Context::default();
    for f in &args.context_file {
        let shown = display_path(&config.root, f);
        let text = repo::read_text(f, &shown, config.max_file_size)?;
        ctx.add_file(&shown, &text)?;
    }
    ctx.add_args(&args.context)?;

    let mut report = DryRunReport {
        schema: SCHEMA,
        action: args.action.clone(),
        decision: Decision::Auto,
        stopped_at: None,
        readiness_checked: !args.no_readiness,
        executed: false,
        spec: spec_shown.clone(),
        readiness: None,
        incident_id: None,
        score: None,
        reasons: vec![],
        preconditions: vec![],
        gate: None,
        notes: vec![],
        exit_code: 0,
    };

    // 1. The readiness gate, to its end, before the action list is looked at.
    if args.no_readiness {
        report.notes.push(
            "--no-readiness: membership and preconditions only; no readiness gate ran, so this is no admission to run the action".into(),
        );
    } else {
        match gate_for(
            config,
            &args.action,
            args.readiness.as_deref(),
            &spec,
            &mut report.notes,
        )? {
            GateOutcome::NotFound(v) | GateOutcome::WrongSpec(v) => {
                report.reasons.push(v);
                return Ok(finish(report, Decision::Block, Some(Stage::Readiness)));
            }
            GateOutcome::Judged { file, incident } => {
                report.readiness = Some(file.clone());
                report.incident_id = incident.incident_id.clone();
                report.score = incident.gate.as_ref().map(|g| u32::from(g.verified_total));
                let decision = incident.decision;
                let reasons = incident.blockers.clone();
                report.gate = Some(*incident);
                match decision {
                    Decision::Block => {
                        report.reasons.push(
                            Violation::new(
                                "readiness_not_passed",
                                Severity::Error,
                                format!(
                                    "readiness gate blocked {} (score {}/{MAX_TOTAL}): the action list was not consulted",
                                    report.incident_id.as_deref().unwrap_or(&file),
                                    report.score.unwrap_or(0)
                                ),
                            )
                            .fix(rules::fix("readiness_not_passed"))
                            .at(&file, 0, 0),
                        );
                        report.reasons.extend(reasons);
                        return Ok(finish(report, Decision::Block, Some(Stage::Readiness)));
                    }
                    Decision::SemiManual => {
                        report.decision = Decision::SemiManual;
                        report.reasons.extend(reasons);
                    }
                    Decision::Auto => {}
                }
            }
        }
    }

    // 2. Membership, 3. preconditions.
    let checked = dryrun::check(&spec.spec, &args.action, &ctx)?;
    report.preconditions = checked.preconditions.clone();
    if !checked.passed() {
        let stage = if checked.pre_approved {
            Stage::Preconditions
        } else {
            Stage::Membership
        };
        // A semi-manual readiness reason is not what blocked: show the action's reasons.
        report.reasons = checked.reasons;
        return Ok(finish(report, Decision::Block, Some(stage)));
    }
    let decision = report.decision;
    Ok(finish(report, decision, None))
}

fn finish(mut report: DryRunReport, decision: Decision, stage: Option<Stage>) -> DryRunReport {
    report.decision = decision;
    report.stopped_at = stage;
    report.exit_code = decision.exit_code();
    report
}

enum GateOutcome {
    NotFound(Violation),
    /// Names another spec, or other actions.
    WrongSpec(Violation),
    Judged {
        file: String,
        incident: Box<IncidentReport>,
    },
}

/// Finds and runs the readiness gate for the spec: `--readiness`, else the one readiness
/// document beside the spec or naming it in `spec:`.
fn gate_for(
    config: &Config,
    action: &str,
    explicit: Option<&Path>,
    spec: &LintedSpec,
    notes: &mut Vec<String>,
) -> Result<GateOutcome> {
    let (file, r) = match explicit {
        Some(p) => {
            let shown = display_path(&config.root, p);
            let r = gate::read_readiness(config, &shown, p)?;
            (shown, r)
        }
        None => {
            let mut found = find_readiness(config, &spec.file)?;
            match found.len() {
                0 => {
                    return Ok(GateOutcome::NotFound(
                        Violation::new(
                            "readiness_not_passed",
                            Severity::Error,
                            format!(
                                "no readiness document found for {}: none beside it and none names it in `spec:`",
                                spec.file
                            ),
                        )
                        .fix("Give one with --readiness, or add `spec: <path>` to the incident's readiness document.")
                        .at(&spec.file, 0, 0),
                    ));
                }
                1 => found.remove(0),
                _ => {
                    let names: Vec<&str> = found.iter().map(|(f, _)| f.as_str()).collect();
                    return Err(Error::Usage(format!(
                        "several readiness documents judge {}: {}; choose one with --readiness",
                        spec.file,
                        names.join(", ")
                    )));
                }
            }
        }
    };
    // A readiness document that names another spec does not admit this spec's actions.
    let problem = match gate::spec_path_for(config, &r) {
        Ok(Some(named)) if r.spec.is_some() && named != spec.file => {
            return Ok(GateOutcome::WrongSpec(
                Violation::new(
                    "readiness_not_passed",
                    Severity::Error,
                    format!(
                        "{file} judges {named}, not {}: it admits no action of this spec",
                        spec.file
                    ),
                )
                .fix("Give the readiness document of this spec with --readiness.")
                .at(
                    &file,
                    r.spec.as_ref().map_or(0, |s| s.line),
                    r.spec.as_ref().map_or(0, |s| s.col),
                ),
            ));
        }
        Ok(_) => None,
        Err(fact) => Some(fact),
    };
    // A readiness scored for named actions admits those, not every action of the spec.
    let scoped = &r.pre_approved_actions;
    if !scoped.is_empty() && !scoped.iter().any(|a| a.value == action) {
        let names: Vec<&str> = scoped.iter().map(|a| a.value.as_str()).collect();
        return Ok(GateOutcome::WrongSpec(
            Violation::new(
                "readiness_not_passed",
                Severity::Error,
                format!(
                    "{file} was scored for {} (pre_approved_action), not for `{action}`",
                    names.join(", ")
                ),
            )
            .fix("Score the readiness for this action too (list it under pre_approved_action), or run an action it was scored for.")
            .at(&file, scoped[0].line, scoped[0].col),
        ));
    }
    let trace = gate::load_trace(config)?;
    let spec_for_gate = problem.is_none().then_some(spec);
    let incident = gate::evaluate(config, &r, spec_for_gate, problem, trace.as_ref())?;
    if let Some(t) = &trace {
        notes.extend(t.notes());
    }
    Ok(GateOutcome::Judged {
        file,
        incident: Box::new(incident),
    })
}

/// Readiness documents for a spec: those the configured globs find (beside the spec, where
/// excludes do not apply, or anywhere in the repository) whose spec is this one.
fn find_readiness(config: &Config, spec_file: &str) -> Result<Vec<(String, Readiness)>> {
    let mut files = discover::discover(config, &[])?.readiness;
    let dir = spec_file.rsplit_once('/').map_or("", |(d, _)| d);
    let beside = config.root.join(dir);
    files.extend(discover::discover(config, &[beside])?.readiness);
    files.sort();
    files.dedup();
    let mut out = Vec::new();
    for f in files {
        let in_dir = f.rsplit_once('/').map_or("", |(d, _)| d) == dir;
        let r = match gate::read_readiness(config, &f, &config.root.join(&f)) {
            Ok(r) => r,
            // Beside the spec it is surely this incident's: its error is this run's error.
            Err(e) if in_dir => return Err(e),
            Err(_) => continue,
        };
        if matches!(gate::spec_path_for(config, &r), Ok(Some(p)) if p == spec_file) {
            out.push((f, r));
        }
    }
    Ok(out)
}

fn write_human(r: &DryRunReport) -> std::io::Result<()> {
    let mut head = format!("{} action={}", r.decision.word(), Shown(&r.action));
    if let Some(id) = &r.incident_id {
        head.push_str(&format!(" incident={}", Shown(id)));
    }
    if let Some(s) = r.score {
        head.push_str(&format!(" score={s}/{MAX_TOTAL}"));
    }
    if !r.readiness_checked {
        head.push_str(" readiness=not-checked");
    }
    if let Some(stage) = r.stopped_at {
        let s = match stage {
            Stage::Readiness => "readiness",
            Stage::Membership => "membership",
            Stage::Preconditions => "preconditions",
        };
        head.push_str(&format!(" stopped-at={s}"));
    }
    if !r.preconditions.is_empty() {
        let met = r.preconditions.iter().filter(|p| p.met).count();
        head.push_str(&format!(" preconditions={met}/{}", r.preconditions.len()));
    }
    head.push_str(if r.readiness_checked {
        " (dry-run: nothing executed)"
    } else {
        " (no readiness gate ran: membership and preconditions only, this is no admission; dry-run: nothing executed)"
    });
    let mut err = anstream::stderr().lock();
    if r.decision == Decision::Auto {
        writeln!(anstream::stdout().lock(), "{head}")?;
    } else {
        writeln!(err, "{head}")?;
        for v in &r.reasons {
            writeln!(err, "- {}: {}", v.id, Shown(&v.message))?;
        }
        if r.decision == Decision::SemiManual {
            writeln!(
                err,
                "- needs a human approval before the action may run (semi-manual readiness)"
            )?;
        }
    }
    for n in &r.notes {
        writeln!(err, "note: {}", Shown(n))?;
    }
    Ok(())
}
