//! `sddgate readiness FILE`: one readiness document, in the lesson's output lines.

use crate::cli::Format;
use crate::config::{Config, display_path};
use crate::gate;
use crate::report::human::Shown;
use crate::report::{ErrorReport, Report, lesson};
use std::io::Write;
use std::path::Path;

pub fn readiness(config: &Config, file: &Path, format: Format) -> i32 {
    let shown = display_path(&config.root, file);
    let report = match judge(config, file, &shown) {
        Ok((incident, notes)) => Report::new("readiness", vec![incident], vec![], vec![], notes),
        Err(e) => Report::new(
            "readiness",
            vec![],
            vec![],
            vec![ErrorReport::from_error(&e)],
            vec![],
        ),
    };
    if format != Format::Human {
        return super::emit(&report, config, format);
    }
    let mut out = anstream::stdout().lock();
    let mut err = anstream::stderr().lock();
    let written = (|| -> std::io::Result<()> {
        for e in &report.errors {
            let place = match (&e.file, e.line, e.column) {
                (Some(f), Some(l), Some(c)) => format!("{}:{l}:{c}: ", Shown(f)),
                (Some(f), _, _) => format!("{}: ", Shown(f)),
                _ => String::new(),
            };
            writeln!(err, "error: {place}{}", Shown(&e.message))?;
        }
        for i in &report.incidents {
            lesson::write(i, &mut out, &mut err)?;
            for w in &i.warnings {
                let at = match (&w.file, w.line) {
                    (Some(f), Some(l)) => format!(" ({}:{l})", Shown(f)),
                    _ => String::new(),
                };
                writeln!(err, "warning[{}]: {}{at}", w.id, Shown(&w.message))?;
            }
        }
        for n in &report.notes {
            writeln!(err, "note: {}", Shown(n))?;
        }
        Ok(())
    })();
    super::finish(written, report.exit_code)
}

/// Judges one readiness document (with its spec and the trace log), without printing; also the
/// trace log's notes.
pub fn judge(
    config: &Config,
    file: &Path,
    shown: &str,
) -> crate::error::Result<(gate::IncidentReport, Vec<String>)> {
    let r = gate::read_readiness(config, shown, file)?;
    let trace_log = gate::load_trace(config)?;
    let (spec, problem) = match gate::spec_path_for(config, &r) {
        Ok(Some(p)) => (
            Some(gate::lint_spec(config, &p, &config.root.join(&p))?),
            None,
        ),
        Ok(None) => (None, None),
        Err(fact) => (None, Some(fact)),
    };
    let incident = gate::evaluate(config, &r, spec.as_ref(), problem, trace_log.as_ref())?;
    let notes = trace_log.as_ref().map(|t| t.notes()).unwrap_or_default();
    Ok((incident, notes))
}
