//! `sddgate hook install|uninstall|run`.

use crate::cli::{Format, HookKind};
use crate::config::Config;
use crate::error::{Error, Result};
use crate::files::Files;
use crate::gate;
use crate::hooks::{self, staged, trailers};
use crate::model::Decision;
use std::collections::BTreeSet;
use std::io::Write;
use std::path::Path;

fn kinds(kind: Option<HookKind>) -> Vec<HookKind> {
    kind.map_or_else(|| HookKind::ALL.to_vec(), |k| vec![k])
}

pub fn install(kind: Option<HookKind>, force: bool) -> Result<i32> {
    let cwd = std::env::current_dir().map_err(|e| Error::io(".", e))?;
    let dir = hooks::hooks_dir(&cwd)?;
    let exe = std::env::current_exe().map_err(|e| Error::io("sddgate", e))?;
    let mut out = std::io::stdout().lock();
    let mut written = Ok(());
    for k in kinds(kind) {
        let line = hooks::install(&dir, k, force, &exe)?;
        written = written.and_then(|()| writeln!(out, "{line}"));
    }
    Ok(super::finish(written, 0))
}

pub fn uninstall(kind: Option<HookKind>) -> Result<i32> {
    let cwd = std::env::current_dir().map_err(|e| Error::io(".", e))?;
    let dir = hooks::hooks_dir(&cwd)?;
    let mut out = std::io::stdout().lock();
    let mut written = Ok(());
    for k in kinds(kind) {
        let line = hooks::uninstall(&dir, k)?;
        written = written.and_then(|()| writeln!(out, "{line}"));
    }
    Ok(super::finish(written, 0))
}

/// What the pre-commit hook judges, without printing: the config now reading the index, and
/// the report (`None` when the commit touches no incident).
pub fn pre_commit_report(mut config: Config) -> Result<(Config, Option<crate::report::Report>)> {
    config.files = Files::index(&config.root);
    let changes = staged::staged(&config.root, &config.files)?;
    if changes.is_empty() {
        return Ok((config, None));
    }
    let found = staged::touched(&config, &changes)?;
    if found.specs.is_empty() && found.readiness.is_empty() {
        return Ok((config, None));
    }
    let report = super::check::judge(&config, &found, None, false, "hook");
    Ok((config, Some(report)))
}

/// Gates the staged content of the incidents the commit touches. Block fails the commit;
/// semi-manual does not (it is a legitimate state of a readiness document, approved at run
/// time), but its reasons are printed.
pub fn pre_commit(config: Config, format: Format) -> Result<i32> {
    let (config, report) = pre_commit_report(config)?;
    let code = match &report {
        None => 0,
        Some(report) => match super::emit(report, &config, format) {
            c if c == Decision::SemiManual.exit_code() => 0,
            c => c,
        },
    };
    // The process exits next: unmapping the index and freeing its tables one by one costs
    // more than the kernel's teardown of the whole address space (measurable on a 2 ms hook).
    std::mem::forget(config);
    std::mem::forget(report);
    Ok(code)
}

pub fn commit_msg(mut config: Config, file: &Path) -> Result<i32> {
    if config.hooks.require_incident_id == Some(false) {
        return Ok(0);
    }
    let cwd = std::env::current_dir().map_err(|e| Error::io(".", e))?;
    let message = cwd.join(file);
    if !message.is_file() {
        return Err(Error::io(
            file,
            std::io::Error::new(std::io::ErrorKind::NotFound, "no commit message file"),
        ));
    }
    config.files = Files::index(&config.root);
    let changes = staged::staged(&config.root, &config.files)?;
    let found = staged::touched(&config, &changes)?;
    if !staged::needs_incident_id(&config, &changes, &found)? {
        return Ok(0);
    }
    // The incidents this commit touches, by id, for the message and the check.
    let mut touched_ids = BTreeSet::new();
    for r in &found.readiness {
        if let Ok(doc) = gate::read_readiness(&config, r, &config.root.join(r)) {
            touched_ids.insert(doc.incident_id.value);
        }
    }
    let ids = trailers::values(&config.root, &message, "Incident-Id")?;
    let mut err = std::io::stderr().lock();
    let docs: Vec<&str> = found
        .specs
        .iter()
        .chain(&found.readiness)
        .map(String::as_str)
        .chain(changes.all().map(String::as_str).take(3))
        .collect::<BTreeSet<_>>()
        .into_iter()
        .take(4)
        .collect();
    if ids.is_empty() {
        let example = touched_ids
            .iter()
            .next()
            .cloned()
            .unwrap_or_else(|| "HM-2026-05-17-01".into());
        let _ = writeln!(
            err,
            "error: this commit touches incident documents ({}) but its message has no `Incident-Id:` trailer\n  \
             help: end the message with a trailer paragraph (a blank line, then):\n\n      Incident-Id: {example}\n\n  \
             or commit with: git commit --trailer \"Incident-Id: {example}\"",
            docs.join(", ")
        );
        return Ok(1);
    }
    let mut unknown = Vec::new();
    for id in &ids {
        if !touched_ids.contains(id) && !exists(&config, id)? {
            unknown.push(id.clone());
        }
    }
    if !unknown.is_empty() {
        let known: Vec<&str> = touched_ids.iter().map(String::as_str).collect();
        let _ = writeln!(
            err,
            "error: `Incident-Id: {}` names no incident of this repository (no readiness document and no trace record has that id){}",
            unknown.join(", "),
            if known.is_empty() {
                String::new()
            } else {
                format!("\n  help: this commit touches {}", known.join(", "))
            }
        );
        return Ok(1);
    }
    Ok(0)
}

/// Whether an incident id exists: a staged readiness document with that `incident_id`, or a
/// record of the staged trace log.
fn exists(config: &Config, id: &str) -> Result<bool> {
    for doc in staged::grep_readiness(config, &[id.to_string()])? {
        if gate::read_readiness(config, &doc, &config.root.join(&doc))
            .is_ok_and(|r| r.incident_id.value == id)
        {
            return Ok(true);
        }
    }
    let shown = config.trace_log.clone();
    if let Some(bytes) = config
        .files
        .read_optional(&config.root.join(&shown), &shown)?
        && let Ok(log) = crate::trace::parse(&shown, &bytes)
    {
        return Ok(log.records.iter().any(|r| r.incident_id == id));
    }
    Ok(false)
}
