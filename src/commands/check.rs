//! `sddgate check`: every incident under the paths, evaluated independently; worst exit wins.

use crate::config::Config;
use crate::discover;
use crate::gate::{self, IncidentReport, LintedSpec};
use crate::parse::readiness::Readiness;
use crate::report::{ErrorReport, Report};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
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
    let mut changed: Option<BTreeSet<String>> = match base {
        None => None,
        Some(b) => match discover::changed_since(config, b) {
            Ok(files) => Some(files.into_iter().collect()),
            Err(e) => return fail(&e),
        },
    };
    let (Some(base), Some(ch)) = (base, &mut changed) else {
        return judge(config, &found, changed, !paths.is_empty(), "check");
    };
    // A change that edits the config would otherwise be judged by the bar it sets itself: as
    // `sddgate ci` does, the base's config decides, and the report says what the changed one
    // would have decided instead.
    let mut notes = Vec::new();
    let base_config = match config_at_base(config, base, ch, &mut notes) {
        Ok(c) => c,
        Err(e) => return fail(&e),
    };
    // Records the change added to the trace log: their incidents are judged (and flagged)
    // even when nothing else of theirs changed.
    let added = records_added(base_config.as_ref().unwrap_or(config), base, ch);
    if !added.is_empty() {
        for file in &found.readiness {
            if let Ok(r) = gate::read_readiness(config, file, &config.root.join(file))
                && added.contains_key(&r.incident_id.value)
            {
                ch.insert(file.clone());
            }
        }
    }
    let mut report = match &base_config {
        Some(bc) => {
            let ours = judge(config, &found, changed.clone(), !paths.is_empty(), "check");
            let theirs = judge(bc, &found, changed.clone(), !paths.is_empty(), "check");
            notes.extend(differences(&theirs, &ours, base));
            theirs
        }
        None => judge(config, &found, changed.clone(), !paths.is_empty(), "check"),
    };
    let judged_by = base_config.as_ref().unwrap_or(config);
    flag_trace_log_edits(judged_by, &added, &mut report.incidents);
    notes.append(&mut report.notes);
    Report::new(
        "check",
        report.incidents,
        report.files,
        report.errors,
        notes,
    )
}

/// The config at `base` when the change edits, adds or removes it (`None` when it did not
/// change). Notes say which settings differ.
fn config_at_base(
    config: &Config,
    base: &str,
    changed: &BTreeSet<String>,
    notes: &mut Vec<String>,
) -> crate::error::Result<Option<Config>> {
    use crate::config::{CONFIG_NAMES, display_path};
    let names: Vec<String> = match &config.file {
        Some(f) => vec![display_path(&config.root, f)],
        None => CONFIG_NAMES.iter().map(|s| s.to_string()).collect(),
    };
    let Some(name) = names.iter().find(|n| changed.contains(*n)) else {
        return Ok(None);
    };
    let text = git_show(config, base, name)?;
    let base_config = crate::config::Config::from_text(
        config.root.clone(),
        Some(config.root.join(name)),
        text.as_deref().unwrap_or(""),
    )
    .map_err(|e| {
        crate::error::Error::Usage(format!(
            "{name} at {base} (the config this change is judged by): {e}"
        ))
    })?;
    let ours = config
        .file
        .as_ref()
        .and_then(|f| std::fs::read_to_string(f).ok())
        .unwrap_or_default();
    let keys = changed_keys(text.as_deref().unwrap_or(""), &ours);
    notes.push(format!(
        "this change {} {name} (settings changed: {}): every incident was judged by the version at {base}, as `sddgate ci` does; the change takes effect once merged",
        if text.is_none() { "adds" } else { "edits" },
        if keys.is_empty() { "none".to_string() } else { keys.join(", ") }
    ));
    Ok(Some(base_config))
}

/// A file's text at a commit, `None` when it does not exist there.
fn git_show(config: &Config, base: &str, name: &str) -> crate::error::Result<Option<String>> {
    let out = std::process::Command::new("git")
        .arg("-C")
        .arg(&config.root)
        .args(["show", &format!("{base}:{name}")])
        .output()
        .map_err(|e| crate::error::Error::Usage(format!("--base needs git: {e}")))?;
    if !out.status.success() {
        return Ok(None);
    }
    let text = crate::repo::decode_text(out.stdout, name, crate::config::DEFAULT_MAX_FILE_SIZE)?;
    Ok(Some(text))
}

/// Top-level settings whose values differ between two config texts (`profiles.x` for a
/// profile), or `(unreadable)` when either cannot be read as YAML.
fn changed_keys(before: &str, after: &str) -> Vec<String> {
    use serde_yaml::{Mapping, Value};
    let map = |t: &str| -> Option<Mapping> {
        if crate::parse::yaml::is_blank_yaml(t) {
            return Some(Mapping::new());
        }
        match serde_yaml::from_str::<Value>(t).ok()? {
            Value::Mapping(m) => Some(m),
            _ => None,
        }
    };
    let (Some(a), Some(b)) = (map(before), map(after)) else {
        return vec!["(unreadable)".into()];
    };
    let name = |k: &Value| k.as_str().unwrap_or("?").to_string();
    let mut keys = BTreeSet::new();
    for k in a.keys().chain(b.keys()) {
        let (x, y) = (a.get(k), b.get(k));
        if x == y {
            continue;
        }
        let empty = Value::Mapping(Mapping::new());
        match (x.or(Some(&empty)), y.or(Some(&empty))) {
            (Some(Value::Mapping(x)), Some(Value::Mapping(y))) if name(k) == "profiles" => {
                for p in x.keys().chain(y.keys()) {
                    if x.get(p) != y.get(p) {
                        keys.insert(format!("profiles.{}", name(p)));
                    }
                }
            }
            _ => {
                keys.insert(name(k));
            }
        }
    }
    keys.into_iter().collect()
}

/// Notes naming every incident the changed config would decide differently.
fn differences(base: &Report, ours: &Report, base_ref: &str) -> Vec<String> {
    let key = |i: &IncidentReport| (i.readiness.clone(), i.spec.clone());
    let mut out = Vec::new();
    for b in &base.incidents {
        let Some(o) = ours.incidents.iter().find(|o| key(o) == key(b)) else {
            continue;
        };
        if o.decision != b.decision {
            out.push(format!(
                "{}: {} under the config at {base_ref}, would be {} under the changed config",
                b.readiness.as_deref().or(b.spec.as_deref()).unwrap_or("?"),
                words(b.decision),
                words(o.decision)
            ));
        }
    }
    if ours.errors.len() != base.errors.len() {
        out.push(format!(
            "{} error(s) under the config at {base_ref}, {} under the changed config",
            base.errors.len(),
            ours.errors.len()
        ));
    }
    out
}

fn words(d: crate::model::Decision) -> &'static str {
    match d {
        crate::model::Decision::Auto => "PASS",
        crate::model::Decision::SemiManual => "SEMI-MANUAL",
        crate::model::Decision::Block => "BLOCK",
    }
}

/// When the change edits the trace log, every incident with records the change added is
/// flagged: its coverage rests on lines the pull request wrote, which the gate cannot tell from
/// a pipeline's own records. A human confirms them.
fn flag_trace_log_edits(
    config: &Config,
    added: &BTreeMap<String, usize>,
    incidents: &mut [IncidentReport],
) {
    let log = gate::normalize_rel(&config.trace_log);
    for i in incidents.iter_mut() {
        let Some(id) = &i.incident_id else { continue };
        let Some(n) = added.get(id) else { continue };
        i.warnings.push(
            crate::model::Violation::new(
                "trace_log_edited_by_change",
                crate::model::Severity::Warning,
                format!(
                    "{n} record(s) for {id} were added to {log} by this change: the audit coverage rests on them; confirm they come from a real run"
                ),
            )
            .fix(crate::rules::fix("trace_log_edited_by_change"))
            .at(&log, 1, 1),
        );
    }
}

/// Per incident id, how many trace-log records the change added (none when the log did not
/// change).
fn records_added(
    config: &Config,
    base: &str,
    changed: &BTreeSet<String>,
) -> BTreeMap<String, usize> {
    let log = gate::normalize_rel(&config.trace_log);
    if !changed.contains(&log) {
        return BTreeMap::new();
    }
    let count = |bytes: &[u8]| -> BTreeMap<String, usize> {
        let mut n = BTreeMap::new();
        if let Ok(l) = crate::trace::parse(&log, bytes) {
            for r in l.records {
                *n.entry(r.incident_id).or_default() += 1;
            }
        }
        n
    };
    let before = git_show(config, base, &log)
        .ok()
        .flatten()
        .map(|t| count(t.as_bytes()))
        .unwrap_or_default();
    let now = crate::repo::resolve(&config.root, &log)
        .and_then(|p| {
            config
                .files
                .read_optional_within(&p, &log, config.max_file_size)
                .ok()
                .flatten()
        })
        .map(|b| count(&b))
        .unwrap_or_default();
    now.into_iter()
        .filter_map(|(id, n)| {
            let had = before.get(&id).copied().unwrap_or(0);
            (n > had).then(|| (id, n - had))
        })
        .collect()
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
    // Every document is read, parsed and judged independently: in parallel (results are put
    // back in a fixed order, so the report does not depend on scheduling). The trace log (one
    // file, megabytes in a repository of thousands of incidents) is read beside the readiness
    // documents, not before them.
    // Each readiness document with the spec it names (or the problem with that name).
    let (trace_log, reads) = crate::par::join(
        found.readiness.len(),
        || gate::load_trace_steps(config),
        || {
            crate::par::map(&found.readiness, |file| {
                gate::read_found_readiness(config, file).map(|r| {
                    // The spec is read in full below: its substance is judged then.
                    let spec = gate::spec_path_unread(config, &r, &found.listed);
                    // Boxed: the document moves from list to list below, a pointer at a time.
                    (Box::new(r), spec)
                })
            })
        },
    );
    let trace_log = match trace_log {
        Ok(t) => t,
        Err(e) => {
            errors.push(ErrorReport::from_error(&e));
            None
        }
    };
    let mut paired: HashSet<String> = HashSet::new();
    // Each readiness document is owned by its entry and dropped as soon as it is judged, so
    // the parsed documents and the reports are not all held at once.
    let mut pending = Vec::with_capacity(reads.len());
    for read in reads {
        match read {
            Ok((r, Ok(Some(p)))) => {
                paired.insert(p.clone());
                pending.push((r, Some(p), None));
            }
            Ok((r, Ok(None))) => pending.push((r, None, None)),
            Ok((r, Err(fact))) => pending.push((r, None, Some(fact))),
            Err(e) => errors.push(ErrorReport::from_error(&e)),
        }
    }
    let mut specs: Specs = BTreeMap::new();
    // A spec named by one readiness document is linted, judged and dropped in one step (memory
    // stays proportional to the reports, not to every parsed document at once); a spec named
    // by several, or by none (judged alone), is linted first and shared.
    let mut named: HashMap<String, usize> = HashMap::with_capacity(pending.len());
    for p in pending.iter().filter_map(|(_, p, _)| p.as_ref()) {
        match named.get_mut(p) {
            Some(n) => *n += 1,
            None => {
                named.insert(p.clone(), 1);
            }
        }
    }
    let shared: Vec<&String> = named
        .iter()
        .filter(|(_, n)| **n > 1)
        .map(|(p, _)| p)
        .chain(found.specs.iter().filter(|s| {
            !paired.contains(*s)
                && changed
                    .as_ref()
                    .is_none_or(|c| config_changed || c.contains(*s))
        }))
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    for (path, linted) in shared.iter().zip(crate::par::map(&shared, |p| {
        gate::lint_listed_spec(config, p, &found.listed)
    })) {
        if let Err(e) = &linted {
            errors.push(ErrorReport::from_error(e));
        }
        specs.insert((*path).clone(), linted.ok());
    }
    // Each incident's report (none when the change did not touch it or its spec could not be
    // read), and the spec its `spec:` names when that spec turned out to say nothing.
    let judge_one = |(r, spec_path, mut problem): (
        Box<Readiness>,
        Option<String>,
        Option<crate::decide::EvidenceFact>,
    )|
     -> (Option<crate::error::Result<IncidentReport>>, Option<String>) {
        let own;
        let mut spec = match &spec_path {
            Some(p) if named.get(p) == Some(&1) => {
                match gate::lint_listed_spec(config, p, &found.listed) {
                    Ok(l) => {
                        own = l;
                        Some(&own)
                    }
                    Err(e) => return (Some(Err(e)), None),
                }
            }
            // The spec could not be read: reported as an error, no verdict.
            Some(p) => match specs.get(p) {
                Some(Some(l)) => Some(l),
                _ => return (None, None),
            },
            None => None,
        };
        // A `spec:` naming a spec that says nothing is a fact against the incident, as
        // `gate::spec_path_for` reports it, and the spec is not this incident's.
        let mut empty = None;
        if let Some(fact) = spec.and_then(|s| gate::spec_says_nothing(&r, s)) {
            problem = Some(fact);
            spec = None;
            empty = spec_path;
        }
        if let Some(ch) = &changed
            && !config_changed
            && !touches(ch, &r, spec)
        {
            return (None, empty);
        }
        let report =
            gate::evaluate_listed(config, &r, spec, problem, trace_log.as_ref(), &found.listed);
        (Some(report), empty)
    };
    // Specs found beside a readiness document without `spec:` stay paired whatever they say.
    let beside: HashSet<String> = pending
        .iter()
        .filter(|(r, _, _)| r.spec.is_none())
        .filter_map(|(_, p, _)| p.clone())
        .collect();
    let judged = crate::par::map_owned(pending, judge_one);
    let mut incidents: Vec<IncidentReport> = Vec::with_capacity(judged.len());
    for (judged, empty) in judged {
        if let Some(p) = empty.filter(|p| !beside.contains(p)) {
            paired.remove(&p);
        }
        match judged {
            Some(Ok(i)) => incidents.push(i),
            Some(Err(e)) => errors.push(ErrorReport::from_error(&e)),
            None => {}
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
    if let Some(t) = trace_log {
        notes.extend(t.notes());
        // Tens of thousands of small allocations in a large repository (a string or more per
        // record: 60,000 records at 10k incidents): freed on the pool, beside what follows
        // (the report is written next), not on this thread while the pool waits.
        crate::par::drop_aside(t);
    }
    incidents.sort_by(|a, b| (&a.readiness, &a.spec).cmp(&(&b.readiness, &b.spec)));
    errors.sort_by(|a, b| (&a.file, a.line).cmp(&(&b.file, b.line)));
    Report::new(command, incidents, vec![], errors, notes)
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

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;
    use std::path::Path;

    const SPEC: &str = "---\nincident_type: disk_full\nservice: billing-api\nnamespace: billing\nblast_radius: pod\nstateful: false\n---\n# disk_full\n\n## Why\nA full disk stops writes.\n\n## What\nFree space without losing data.\n\n## Constraints\nOne pod at a time.\n\n## Acceptance\nGiven usage above 95%, when the action runs, then usage falls below 80%.\n\n## Pre-approved actions\n- restart_pod\n";
    const READINESS: &str = "---\nincident_id: DF-2026-06-01-01\nspec: specs/disk_full/specify.md\nscores: {spec: 5, implementation: 4, verification: 5, process: 5, security: 5}\nevidence:\n  implementation: specs/disk_full/tasks.md\naudit_trace_coverage: 1.0\nstateful: false\nradius_of_impact: pod\ndry_run_verified: true\nrollback: specs/disk_full/rollback.md\n---\n# Readiness\n";

    fn json(report: &Report) -> serde_json::Value {
        serde_json::to_value(report).unwrap()
    }

    /// The status of the implementation evidence of the incident of `specs/disk_full`.
    fn evidence(v: &serde_json::Value) -> &str {
        v["incidents"]
            .as_array()
            .and_then(|all| {
                all.iter()
                    .find(|i| i["readiness"] == "specs/disk_full/readiness.md")
            })
            .and_then(|i| i["gate"]["categories"][1]["evidence"][0]["status"].as_str())
            .unwrap_or("?")
    }

    /// What the walk listed may change before it is judged: every change is judged as the
    /// path now is, and nothing outside the repository is read through a link put in since.
    #[test]
    fn files_changed_since_the_walk_are_judged_as_they_are_now() {
        let parent = tempfile::tempdir().unwrap();
        let base = std::fs::canonicalize(parent.path()).unwrap();
        let root = base.join("repo");
        let dir = root.join("specs/disk_full");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::create_dir_all(root.join(".git")).unwrap();
        std::fs::write(dir.join("specify.md"), SPEC).unwrap();
        std::fs::write(dir.join("readiness.md"), READINESS).unwrap();
        std::fs::write(dir.join("tasks.md"), "# Tasks\n- T1 done\n").unwrap();
        std::fs::write(dir.join("rollback.md"), "Restore the previous pod.\n").unwrap();
        std::fs::write(base.join("outside.md"), "# Tasks\n- T1 done\n").unwrap();
        std::fs::write(base.join("spec_out.md"), SPEC).unwrap();
        // A second incident, whose directory is swapped for a link out below (on its own: a
        // run remembers where the directories it resolved lie).
        let gone = root.join("specs/gone");
        std::fs::create_dir_all(&gone).unwrap();
        for f in ["specify.md", "tasks.md", "rollback.md"] {
            std::fs::copy(dir.join(f), gone.join(f)).unwrap();
        }
        std::fs::write(
            gone.join("readiness.md"),
            READINESS
                .replace("disk_full", "gone")
                .replace("DF-2026-06-01-01", "DF-2026-06-01-02"),
        )
        .unwrap();
        let config = Config::from_text(root.clone(), None, "").unwrap();
        let found = discover::discover(&config, &[]).unwrap();
        for f in ["specify.md", "readiness.md", "tasks.md", "rollback.md"] {
            assert!(
                found.listed.contains(&format!("specs/disk_full/{f}")),
                "{f}"
            );
        }
        let judged = || json(&judge(&config, &found, None, false, "check"));
        let v = judged();
        assert_eq!(evidence(&v), "present", "{v}");
        assert_eq!(v["decision"], "auto", "{v}");
        assert_eq!(v["summary"]["pass"], 2, "{v}");

        // A directory becomes a link out: nothing below it is read.
        let moved = base.join("gone_moved");
        std::fs::rename(&gone, &moved).unwrap();
        symlink(&moved, &gone).unwrap();
        let v = judged();
        assert_eq!(v["summary"]["incidents"], 1, "{v}");
        let errors = v["errors"].to_string();
        assert!(
            errors.contains("specs/gone/readiness.md") && errors.contains("outside the repository"),
            "{v}"
        );
        std::fs::remove_file(&gone).unwrap();
        std::fs::rename(&moved, &gone).unwrap();

        let tasks = dir.join("tasks.md");
        let swap = |to: &dyn Fn(&Path)| {
            let _ = std::fs::remove_file(&tasks);
            let _ = std::fs::remove_dir_all(&tasks);
            to(&tasks);
        };
        swap(&|p| symlink("../../../outside.md", p).unwrap());
        assert_eq!(evidence(&judged()), "outside_repository");
        swap(&|p| symlink("rollback.md", p).unwrap());
        assert_eq!(evidence(&judged()), "present");
        swap(&|p| {
            let made = std::process::Command::new("mkfifo").arg(p).status();
            assert!(made.is_ok_and(|s| s.success()), "mkfifo");
        });
        assert_eq!(evidence(&judged()), "empty");
        swap(&|p| {
            std::fs::create_dir(p).unwrap();
            std::fs::write(p.join("t.md"), "- T1 done\n").unwrap();
        });
        assert_eq!(evidence(&judged()), "present");
        swap(&|_| {});
        assert_eq!(evidence(&judged()), "missing");

        // The spec becomes a link: followed while it stays inside, never read outside.
        std::fs::write(dir.join("tasks.md"), "# Tasks\n- T1 done\n").unwrap();
        std::fs::rename(dir.join("specify.md"), dir.join("real.md")).unwrap();
        symlink("real.md", dir.join("specify.md")).unwrap();
        let v = judged();
        assert_eq!(v["decision"], "auto", "{v}");
        std::fs::remove_file(dir.join("specify.md")).unwrap();
        symlink(base.join("spec_out.md"), dir.join("specify.md")).unwrap();
        let v = judged();
        assert_eq!(v["exit_code"], 2, "{v}");
        assert_eq!(evidence(&v), "?", "not judged: {v}");
        let errors = v["errors"].to_string();
        assert!(
            errors.contains("specs/disk_full/specify.md")
                && errors.contains("outside the repository"),
            "{v}"
        );
    }
}
