//! `sddgate normalize`: raw webhooks → one incident event on stdout; `--expected` compares it
//! field for field, `--trace-log` records it. See `docs/normalize.md`.

use crate::cli::{Format, NormalizeArgs};
use crate::config::Config;
use crate::error::{Error, Result};
use crate::normalize::{self, Input, Outcome, Settings, Tool, diff, incident_id, payload};
use crate::trace::{self, Log};
use std::io::Write;
use std::path::{Path, PathBuf};

pub fn run(config: &Config, args: &NormalizeArgs) -> Result<i32> {
    // Before anything is appended to the trace log.
    if !matches!(args.common.format, Format::Human | Format::Json) {
        return Err(args.common.format.report_only("normalize"));
    }
    let settings = Settings::new(&config.normalize)
        .map_err(|(path, msg)| config_error(config, &path, &msg))?;
    let inputs: Vec<Input> = [
        (Tool::Grafana, &args.grafana),
        (Tool::Alertmanager, &args.alertmanager),
        (Tool::PagerDuty, &args.pagerduty),
    ]
    .into_iter()
    .flat_map(|(flag, paths)| {
        paths.iter().map(move |p| Input {
            flag,
            path: p.clone(),
            shown: shown(p),
        })
    })
    .collect();
    let (log_path, log_shown) = log_path(config, args.trace_log.as_deref())?;
    let mut log_warnings = Vec::new();
    let mut read_log = || -> Result<Log> {
        let log = match std::fs::metadata(&log_path) {
            Ok(_) => trace::parse(
                &log_shown,
                &crate::repo::read_bounded(&log_path, &log_shown, config.max_file_size)?,
            )?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Log::default(),
            Err(e) => return Err(Error::io(&log_shown, e)),
        };
        log_warnings.extend(log.warnings.iter().cloned());
        Ok(log)
    };
    let outcome = normalize::normalize(
        &inputs,
        &settings,
        config.max_file_size,
        args.incident_id.as_deref(),
        &mut read_log,
    )?;
    let mut err = anstream::stderr().lock();
    for w in &log_warnings {
        let _ = writeln!(err, "warning: {w}");
    }
    let done = match outcome {
        Outcome::Conflict(lines) => {
            let _ = writeln!(
                err,
                "CONFLICT the payloads disagree on identity fields; no event produced"
            );
            for l in lines {
                let _ = writeln!(err, "- {l}");
            }
            return Ok(1);
        }
        Outcome::NoFiring(lines) => {
            let _ = writeln!(
                err,
                "NO-EVENT no firing alert or open incident in the payloads; nothing to normalize"
            );
            for l in lines {
                let _ = writeln!(err, "- {l}");
            }
            return Ok(1);
        }
        Outcome::Event(done) => done,
    };

    // Compare before anything is recorded or printed, so that a bad reference file is an
    // error with no side effects.
    let mismatches = match &args.expected {
        Some(path) => {
            let file = shown(path);
            let text = crate::repo::read_text(path, &file, config.max_file_size)?;
            let expected = payload::parse_json(&file, &text)?;
            Some((file, diff::diff(&expected, &done.event.to_value())))
        }
        None => None,
    };
    let matched = mismatches.as_ref().is_some_and(|(_, d)| d.is_empty());

    if let Some(log) = &args.trace_log {
        let id = &done.event.incident_id;
        let mut recorded: Vec<&str> = Vec::new();
        for input in &inputs {
            if recorded.contains(&input.shown.as_str()) {
                continue;
            }
            recorded.push(&input.shown);
            record(log, id, "webhook_received", &input.shown, &mut err)?;
        }
        let reference = match (&mismatches, matched) {
            (Some((file, _)), true) => file.clone(),
            _ => incident_id::event_ref(id, &done.reuse_keys),
        };
        record(log, id, "incident_event_normalized", &reference, &mut err)?;
    }

    for w in &done.warnings {
        let _ = writeln!(err, "warning: {w}");
    }
    for n in &done.notes {
        let _ = writeln!(err, "note: {n}");
    }
    let code = match &mismatches {
        Some((file, d)) if d.is_empty() => {
            let _ = writeln!(err, "MATCH the event equals {file}");
            0
        }
        Some((file, d)) => {
            let _ = writeln!(
                err,
                "MISMATCH the event differs from {file} in {} field(s)",
                d.len()
            );
            for l in d {
                let _ = writeln!(err, "- {l}");
            }
            1
        }
        None => 0,
    };
    drop(err);
    let text = match args.common.format {
        Format::Human => done.event.to_pretty(),
        Format::Json => done.event.to_compact(),
        other => return Err(other.report_only("normalize")),
    };
    let mut out = std::io::stdout().lock();
    Ok(super::finish(out.write_all(text.as_bytes()), code))
}

/// Appends one trace record, printing the log's warnings.
fn record(log: &Path, id: &str, step: &str, reference: &str, err: &mut dyn Write) -> Result<()> {
    for w in trace::append(log, id, step, reference)? {
        let _ = writeln!(err, "warning: {w}");
    }
    Ok(())
}

/// A path as the user gave it.
fn shown(p: &Path) -> String {
    p.to_string_lossy().into_owned()
}

/// The log read to derive ids: `--trace-log` (relative to the current directory), else the
/// config's `trace_log` under the repository root.
fn log_path(config: &Config, explicit: Option<&Path>) -> Result<(PathBuf, String)> {
    match explicit {
        Some(p) => Ok((p.to_path_buf(), shown(p))),
        None => {
            let rel = config.trace_log.clone();
            let path = crate::repo::resolve(&config.root, &rel).ok_or_else(|| {
                Error::Usage(format!("trace_log `{rel}` is outside the repository"))
            })?;
            Ok((path, rel))
        }
    }
}

/// A problem in `normalize:` of the config, at its place in the file when there is one.
fn config_error(config: &Config, path: &[String], msg: &str) -> Error {
    let dotted = path.join(".");
    let Some(file) = &config.file else {
        return Error::Usage(format!("{dotted}: {msg}"));
    };
    let shown = crate::config::display_path(&config.root, file);
    let keys: Vec<&str> = path.iter().map(String::as_str).collect();
    let text = crate::repo::read_bounded(file, &shown, config.max_file_size)
        .ok()
        .and_then(|b| String::from_utf8(b).ok());
    match text.and_then(|text| {
        let off = crate::parse::locate::value_offset(&text, &keys)?;
        Some(crate::span::LineIndex::new(&text).position(&text, off))
    }) {
        Some((line, col)) => Error::input(shown, line, col, format!("{dotted}: {msg}")),
        None => Error::Usage(format!("{shown}: {dotted}: {msg}")),
    }
}
