//! `sddgate trace`: each incident's chain, link by link, with where each link was found; and
//! `sddgate trace append`: one durable record.

use crate::cli::{Format, TraceShowArgs};
use crate::config::{Config, display_path};
use crate::decide::EvidenceStatus;
use crate::discover;
use crate::error::{Error, Result};
use crate::gate;
use crate::repo;
use crate::report::human::Shown;
use crate::trace::{self, Chain, Source, Sources};
use anstyle::{AnsiColor, Style};
use schemars::JsonSchema;
use serde::Serialize;
use std::collections::{BTreeMap, HashSet};
use std::io::Write;
use std::path::{Path, PathBuf};

pub const SCHEMA: &str = "sddgate.trace/v1";

/// The JSON output of `sddgate trace`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct TraceReport {
    pub schema: &'static str,
    /// The log read (repository-relative when inside the repository).
    pub log: String,
    pub chains: Vec<ChainReport>,
    /// Torn records skipped, refs that point nowhere, links out of causal order, git limits.
    pub notes: Vec<String>,
    /// 0 when every chain shown is complete, 1 otherwise.
    pub exit_code: i32,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct ChainReport {
    /// present / 6.
    pub coverage: f64,
    pub present: Vec<&'static str>,
    pub missing: Vec<&'static str>,
    #[serde(flatten)]
    pub chain: Chain,
}

/// The log a trace command uses: `--log` (relative to the current directory) or the config's
/// `trace_log` under the repository root.
fn log_path(config: &Config, explicit: Option<&Path>) -> Result<(PathBuf, String)> {
    match explicit {
        Some(p) => Ok((p.to_path_buf(), display_path(&config.root, p))),
        None => {
            let shown = config.trace_log.clone();
            let path = repo::resolve(&config.root, &shown).ok_or_else(|| {
                Error::Usage(format!("trace_log `{shown}` is outside the repository"))
            })?;
            Ok((path, shown))
        }
    }
}

pub fn append(
    config: &Config,
    log: Option<&Path>,
    incident: &str,
    step: &str,
    reference: &str,
) -> Result<i32> {
    let (path, shown) = log_path(config, log)?;
    let done = trace::append_record(&path, incident, step, reference)
        .map_err(|e| relabel(e, &path, &shown))?;
    let mut err = std::io::stderr().lock();
    for w in &done.warnings {
        let _ = writeln!(err, "warning: {w}");
    }
    drop(err);
    let mut out = std::io::stdout().lock();
    let written = writeln!(out, "{}", done.record).and_then(|()| out.flush());
    // The record is in the log: a failed print must not make a retry append it again (the
    // retry would find it and write nothing, but say what happened all the same).
    let written = written.map_err(|e| {
        std::io::Error::new(
            e.kind(),
            format!(
                "the record was appended to {shown} at byte {}, but printing it failed: {e}",
                done.offset
            ),
        )
    });
    Ok(super::finish(written, 0))
}

/// I/O errors name the log as the user knows it.
fn relabel(e: Error, path: &Path, shown: &str) -> Error {
    match e {
        Error::Io { path: p, source } if p == path => Error::io(shown, source),
        e => e,
    }
}

pub fn show(config: &Config, args: &TraceShowArgs) -> Result<i32> {
    let (path, shown) = log_path(config, args.log.as_deref())?;
    let mut notes = Vec::new();
    let log = match std::fs::metadata(&path) {
        Ok(_) => trace::parse(
            &shown,
            &crate::repo::read_bounded(&path, &shown, config.max_file_size)?,
        )?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && args.log.is_none() => {
            notes.push(format!(
                "no trace log at {shown}: only git history was consulted"
            ));
            trace::Log::default()
        }
        Err(e) => return Err(Error::io(&shown, e)),
    };
    let sources = Sources::new(config.root.clone(), shown.clone(), log);
    let ids: Vec<String> = match &args.incident {
        Some(id) => vec![id.clone()],
        None => incident_ids(&sources),
    };
    let specs = spec_files(config, &sources);
    let chains: Vec<ChainReport> = ids
        .iter()
        .map(|id| {
            let files = specs.get(id).cloned().unwrap_or_default();
            let chain = sources.chain(id, &files, true);
            notes.extend(check_chain(config, &chain));
            ChainReport {
                coverage: chain.value(),
                present: chain.present(),
                missing: chain.missing(),
                chain,
            }
        })
        .collect();
    notes.extend(sources.notes());
    let complete = !chains.is_empty() && chains.iter().all(|c| c.missing.is_empty());
    if chains.is_empty() {
        notes.push(format!(
            "no incident in {shown} or in git trailers; name one with --incident"
        ));
    }
    let report = TraceReport {
        schema: SCHEMA,
        log: shown,
        chains,
        notes,
        exit_code: if complete { 0 } else { 1 },
    };
    let mut out = anstream::stdout().lock();
    let written = match args.common.format {
        Format::Json => serde_json::to_string_pretty(&report)
            .map_err(std::io::Error::other)
            .and_then(|j| writeln!(out, "{j}")),
        Format::Human => write_human(&report, &mut out),
        other => return Err(other.report_only("trace")),
    };
    Ok(super::finish(written, report.exit_code))
}

/// Every incident named in the log, in order of first appearance, then those only git names.
fn incident_ids(sources: &Sources) -> Vec<String> {
    let mut seen: HashSet<&str> = HashSet::new();
    let mut ids: Vec<String> = Vec::new();
    let commits = sources.history().commits.iter();
    let named = sources
        .log()
        .records
        .iter()
        .map(|r| &r.incident_id)
        .chain(commits.flat_map(|c| &c.incident_ids));
    for id in named {
        if seen.insert(id) {
            ids.push(id.clone());
        }
    }
    ids
}

/// Each incident's spec files: named by a readiness document with its id (a document that does
/// not parse is skipped here; `check` reports it), and the refs of its `specify` records.
fn spec_files(config: &Config, sources: &Sources) -> BTreeMap<String, Vec<String>> {
    let mut map: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut add = |id: &str, file: String| {
        let files = map.entry(id.to_string()).or_default();
        if !files.contains(&file) {
            files.push(file);
        }
    };
    if let Ok(found) = discover::discover(config, &[]) {
        for file in &found.readiness {
            if let Ok(r) = gate::read_readiness(config, file, &config.root.join(file))
                && let Ok(Some(spec)) = gate::spec_path_for(config, &r)
            {
                add(&r.incident_id.value, spec);
            }
        }
    }
    for r in &sources.log().records {
        if r.step == "specify"
            && let Some(reference) = &r.reference
            && repo::looks_like_path(reference)
        {
            add(&r.incident_id, gate::normalize_rel(reference));
        }
    }
    map
}

/// What an auditor should know about a chain beyond present/missing: refs naming files that
/// are not in the repository, and links recorded before the link they depend on.
fn check_chain(config: &Config, chain: &Chain) -> Vec<String> {
    let mut notes = Vec::new();
    let mut latest: Option<(&str, &str)> = None;
    for link in &chain.links {
        let mut earliest: Option<&str> = None;
        for s in &link.sources {
            if let Source::Log {
                file,
                line,
                reference: Some(r),
                ts,
                ..
            } = s
            {
                if repo::looks_like_path(r)
                    && !r.contains("://")
                    && repo::evidence_status(&config.root, r) != EvidenceStatus::Present
                {
                    notes.push(format!(
                        "{file}:{line}: {} {}: ref `{r}` is not a file in the repository",
                        chain.incident_id, link.step
                    ));
                }
                if let Some(ts) = ts.as_deref() {
                    earliest = Some(earliest.map_or(ts, |e: &str| e.min(ts)));
                }
            }
        }
        if let Some(ts) = earliest {
            if let Some((prev_step, prev_ts)) = latest
                && ts < prev_ts
            {
                notes.push(format!(
                    "{}: {} ({ts}) is recorded before {prev_step} ({prev_ts}): the chain is out of causal order",
                    chain.incident_id, link.step
                ));
            }
            latest = Some((link.step, ts));
        }
    }
    notes
}

fn write_human(report: &TraceReport, out: &mut dyn Write) -> std::io::Result<()> {
    let ok = Style::new().fg_color(Some(AnsiColor::Green.into())).bold();
    let bad = Style::new().fg_color(Some(AnsiColor::Red.into())).bold();
    let dim = Style::new().dimmed();
    for c in &report.chains {
        let (style, word) = if c.missing.is_empty() {
            (ok, "complete")
        } else {
            (bad, "incomplete")
        };
        writeln!(
            out,
            "{} {style}{word}{style:#}: {}/6 links, coverage {:.2}",
            Shown(&c.chain.incident_id),
            c.present.len(),
            c.coverage
        )?;
        for (i, link) in c.chain.links.iter().enumerate() {
            let arrow = if i == 0 { "  " } else { "→ " };
            if link.sources.is_empty() {
                writeln!(out, "  {arrow}{:<26} {bad}missing{bad:#}", link.step)?;
                continue;
            }
            let found: Vec<String> = link.sources.iter().map(describe).collect();
            writeln!(
                out,
                "  {arrow}{:<26} {ok}present{ok:#}  {dim}{}{dim:#}",
                link.step,
                Shown(&found.join("; "))
            )?;
        }
    }
    if let Some(c) = report.chains.iter().find(|c| !c.missing.is_empty()) {
        writeln!(
            out,
            "help: record a missing link where it happens: sddgate trace append --incident {} --step {} --ref <what it produced>",
            Shown(&c.chain.incident_id),
            c.missing[0]
        )?;
    }
    for n in &report.notes {
        writeln!(out, "note: {}", Shown(n))?;
    }
    Ok(())
}

fn describe(s: &Source) -> String {
    match s {
        Source::Log {
            file,
            line,
            reference,
            ts,
            ..
        } => {
            let mut d = format!("{file}:{line}");
            if let Some(ts) = ts {
                d.push_str(&format!(" {ts}"));
            }
            if let Some(r) = reference {
                d.push_str(&format!(" ref {r}"));
            }
            d
        }
        Source::Git {
            sha,
            subject,
            files,
        } => {
            let short = &sha[..sha.len().min(12)];
            if files.is_empty() {
                format!("git {short} \"{subject}\"")
            } else {
                format!("git {short} changed {}", files.join(", "))
            }
        }
    }
}
