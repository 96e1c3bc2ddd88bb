//! `sddgate check`: every incident under the paths, evaluated independently; worst exit wins.

use crate::config::Config;
use crate::discover;
use crate::gate::{self, IncidentReport, LintedSpec};
use crate::parse::readiness::Readiness;
use crate::report::{ErrorReport, Report};
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

pub fn check(config: &Config, paths: &[PathBuf], base: Option<&str>) -> Report {
    let fail = |e: &crate::error::Error| {
        Report::new(
            "check",
            vec![],
            vec![],
            vec![ErrorReport::from_error(e)],
            vec![],
        )
    };
    let found = match discover::discover(config, paths) {
        Ok(f) => f,
        Err(e) => return fail(&e),
    };
    let changed: Option<BTreeSet<String>> = match base {
        None => None,
        Some(b) => match discover::changed_since(config, b) {
            Ok(files) => Some(files.into_iter().collect()),
            Err(e) => return fail(&e),
        },
    };
    judge(config, &found, changed, !paths.is_empty(), "check")
}

/// Gates the incidents of `found`. With `changed`, only incidents whose readiness document,
/// spec or evidence changed. With `look_elsewhere`, a spec whose readiness document was not
/// found is looked up among every readiness document of the repository.
pub fn judge(
    config: &Config,
    found: &discover::Found,
    changed: Option<BTreeSet<String>>,
    look_elsewhere: bool,
    command: &'static str,
) -> Report {
    let mut errors = Vec::new();
    let mut notes = Vec::new();
    // A changed config changes every decision.
    let config_changed = changed.as_ref().is_some_and(|c| {
        config
            .file
            .as_ref()
            .is_some_and(|f| c.contains(&crate::config::display_path(&config.root, f)))
    });
    let trace_log = match gate::load_trace(config) {
        Ok(t) => t,
        Err(e) => {
            errors.push(ErrorReport::from_error(&e));
            None
        }
    };

    // Every document is read, parsed and judged independently: in parallel (results are put
    // back in a fixed order, so the report does not depend on scheduling).
    // Each readiness document with the spec it names (or the problem with that name).
    type Read = (
        Readiness,
        Result<Option<String>, crate::decide::EvidenceFact>,
    );
    let mut readiness: Vec<Read> = Vec::with_capacity(found.readiness.len());
    for read in par_map(&found.readiness, |file| {
        gate::read_readiness(config, file, &config.root.join(file)).map(|r| {
            let spec = gate::spec_path_for(config, &r);
            (r, spec)
        })
    }) {
        match read {
            Ok(r) => readiness.push(r),
            Err(e) => errors.push(ErrorReport::from_error(&e)),
        }
    }
    let mut specs: Specs = BTreeMap::new();
    let mut paired: BTreeSet<String> = BTreeSet::new();
    let mut pending = Vec::with_capacity(readiness.len());
    for (r, spec) in &readiness {
        match spec {
            Ok(Some(p)) => {
                paired.insert(p.clone());
                pending.push((r, Some(p.clone()), None));
            }
            Ok(None) => pending.push((r, None, None)),
            Err(fact) => pending.push((r, None, Some(fact.clone()))),
        }
    }
    // A spec named by one readiness document is linted, judged and dropped in one step (memory
    // stays proportional to the reports, not to every parsed document at once); a spec named
    // by several, or by none (judged alone), is linted first and shared.
    let mut named: BTreeMap<&String, usize> = BTreeMap::new();
    for p in pending.iter().filter_map(|(_, p, _)| p.as_ref()) {
        *named.entry(p).or_default() += 1;
    }
    let shared: Vec<&String> = named
        .iter()
        .filter(|(_, n)| **n > 1)
        .map(|(p, _)| *p)
        .chain(found.specs.iter().filter(|s| {
            !paired.contains(*s)
                && changed
                    .as_ref()
                    .is_none_or(|c| config_changed || c.contains(*s))
        }))
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    for (path, linted) in shared.iter().zip(par_map(&shared, |p| {
        gate::lint_spec(config, p, &config.root.join(p))
    })) {
        if let Err(e) = &linted {
            errors.push(ErrorReport::from_error(e));
        }
        specs.insert((*path).clone(), linted.ok());
    }
    let judge_one = |(r, spec_path, problem): &(
        &Readiness,
        Option<String>,
        Option<crate::decide::EvidenceFact>,
    )|
     -> Option<crate::error::Result<IncidentReport>> {
        let own;
        let spec = match spec_path {
            Some(p) if named.get(p) == Some(&1) => {
                match gate::lint_spec(config, p, &config.root.join(p)) {
                    Ok(l) => {
                        own = l;
                        Some(&own)
                    }
                    Err(e) => return Some(Err(e)),
                }
            }
            // The spec could not be read: reported as an error, no verdict.
            Some(p) => match specs.get(p) {
                Some(Some(l)) => Some(l),
                _ => return None,
            },
            None => None,
        };
        if let Some(ch) = &changed
            && !config_changed
            && !touches(ch, r, spec)
        {
            return None;
        }
        Some(gate::evaluate(
            config,
            r,
            spec,
            problem.clone(),
            trace_log.as_ref(),
        ))
    };
    let judged = par_map(&pending, judge_one);
    drop(pending);
    let mut incidents: Vec<IncidentReport> = Vec::with_capacity(judged.len());
    for judged in judged.into_iter().flatten() {
        match judged {
            Ok(i) => incidents.push(i),
            Err(e) => errors.push(ErrorReport::from_error(&e)),
        }
    }
    // A spec under the paths whose readiness document lives elsewhere (capstone/) is still
    // judged by that document, not reported as unadmitted.
    let unpaired: Vec<&String> = found
        .specs
        .iter()
        .filter(|s| !paired.contains(*s))
        .collect();
    if look_elsewhere && !unpaired.is_empty() {
        let everywhere = discover::discover(config, &[]).unwrap_or_default();
        for file in everywhere
            .readiness
            .iter()
            .filter(|f| !found.readiness.contains(f))
        {
            let Ok(r) = gate::read_readiness(config, file, &config.root.join(file)) else {
                continue; // outside the paths: its errors are not this run's
            };
            if let Ok(Some(p)) = gate::spec_path_for(config, &r)
                && unpaired.contains(&&p)
                && lint_once(config, &mut specs, &p, &mut errors)
            {
                paired.insert(p.clone());
                let spec = specs.get(&p).and_then(|s| s.as_ref());
                match gate::evaluate(config, &r, spec, None, trace_log.as_ref()) {
                    Ok(i) => incidents.push(i),
                    Err(e) => errors.push(ErrorReport::from_error(&e)),
                }
            }
        }
    }
    for s in &found.specs {
        if paired.contains(s) {
            continue;
        }
        if let Some(ch) = &changed
            && !config_changed
            && !ch.contains(s)
        {
            continue;
        }
        if lint_once(config, &mut specs, s, &mut errors)
            && let Some(Some(linted)) = specs.get(s)
        {
            incidents.push(gate::spec_without_readiness(linted));
        }
    }
    if let Some(t) = &trace_log {
        notes.extend(t.notes());
    }
    incidents.sort_by(|a, b| (&a.readiness, &a.spec).cmp(&(&b.readiness, &b.spec)));
    errors.sort_by(|a, b| (&a.file, a.line).cmp(&(&b.file, b.line)));
    Report::new(command, incidents, vec![], errors, notes)
}

/// `f` over `items`, in order: on rayon's pool when there are enough items to pay for it (a
/// pre-commit hook judging one incident never starts the pool).
fn par_map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync + Send) -> Vec<R> {
    use rayon::prelude::*;
    if items.len() < 16 {
        items.iter().map(f).collect()
    } else {
        items.par_iter().map(f).collect()
    }
}

/// Whether a change touched the incident: its readiness document, its spec or its evidence.
fn touches(changed: &BTreeSet<String>, r: &Readiness, spec: Option<&LintedSpec>) -> bool {
    changed.contains(&r.file)
        || spec.is_some_and(|s| changed.contains(&s.file))
        || r.evidence
            .iter()
            .any(|(_, p)| changed.contains(&gate::normalize_rel(&p.value)))
}

/// Specs read so far: `None` when reading or parsing failed (already reported).
type Specs = BTreeMap<String, Option<LintedSpec>>;

/// Lints a spec once however many readiness documents name it; true when it could be read.
fn lint_once(
    config: &Config,
    specs: &mut Specs,
    path: &str,
    errors: &mut Vec<ErrorReport>,
) -> bool {
    if !specs.contains_key(path) {
        let linted = gate::lint_spec(config, path, &config.root.join(path));
        if let Err(e) = &linted {
            errors.push(ErrorReport::from_error(e));
        }
        specs.insert(path.to_string(), linted.ok());
    }
    specs[path].is_some()
}
