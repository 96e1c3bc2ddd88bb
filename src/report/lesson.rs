//! The lesson's gateway lines: `PASS incident=… score=24/25` on stdout, or `BLOCK …` /
//! `SEMI-MANUAL …` on stderr followed by one `- <id>: <message>` line per reason; then, on
//! stderr, one `suppressed[<id>]: …` line per finding a reasoned `sddgate-allow` silenced.

use super::human::{Shown, one_line};
use crate::gate::IncidentReport;
use crate::model::{Decision, MAX_TOTAL};
use std::io::Write;

pub fn headline(i: &IncidentReport) -> String {
    let score = i.gate.as_ref().map(|g| g.verified_total).unwrap_or(0);
    format!(
        "{} incident={} score={score}/{MAX_TOTAL}",
        i.decision.word(),
        Shown(i.incident_id.as_deref().unwrap_or("-"))
    )
}

pub fn write(i: &IncidentReport, out: &mut dyn Write, err: &mut dyn Write) -> std::io::Result<()> {
    if i.decision == Decision::Auto {
        writeln!(out, "{}", headline(i))?;
    } else {
        writeln!(err, "{}", headline(i))?;
        for b in &i.blockers {
            writeln!(err, "- {}: {}", b.id, Shown(&b.message))?;
        }
    }
    // What a suppression waved through, on stderr beside the warnings: stdout keeps the one
    // gateway line.
    for s in &i.suppressed {
        writeln!(
            err,
            "suppressed[{}]: `{}` ({}:{}; sddgate-allow on line {}: \"{}\")",
            s.id,
            one_line(s.observed.as_deref().unwrap_or(&s.message), 60),
            one_line(&s.file, 200),
            s.line,
            s.suppression_line,
            one_line(&s.reason, 200)
        )?;
    }
    Ok(())
}
