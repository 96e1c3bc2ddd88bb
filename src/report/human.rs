//! Human output: one line per incident with its decision, then each finding with its source
//! line and a caret (as rustc and ruff print them), then claimed versus verified scores.
//! Styles are written unconditionally; the stream strips them when it is not a terminal or
//! when NO_COLOR is set (anstream).

use super::{Report, Suppressed};
use crate::files::Files;
use crate::gate::IncidentReport;
use crate::model::{Decision, Severity, Violation};
use crate::span::line_text;
use anstyle::{AnsiColor, Style};
use std::io::Write;
use std::path::Path;

const RED: Style = AnsiColor::Red.on_default().bold();
const YELLOW: Style = AnsiColor::Yellow.on_default().bold();
const GREEN: Style = AnsiColor::Green.on_default().bold();
const BLUE: Style = AnsiColor::Blue.on_default().bold();
const BOLD: Style = Style::new().bold();
const DIM: Style = Style::new().dimmed();

/// How many source files [`Sources`] keeps: the findings of one incident quote its own few
/// files one after the other, and a report of 10,000 incidents must not hold every file it
/// quoted until the end.
const KEPT_SOURCES: usize = 8;

/// How many incidents' details are rendered (in parallel) before they are written: enough to
/// keep both cores busy, few enough that the rendered text of a 50,000-incident report is
/// never held at once.
const DETAIL_CHUNK: usize = 256;

/// How many incidents' one-line summaries are rendered (in parallel, in parts of
/// [`LINE_PART`]) before they are written.
const LINE_CHUNK: usize = 4096;
const LINE_PART: usize = 64;

/// Reads source files for the lines under the carets, keeping the last few read.
pub struct Sources<'a> {
    root: &'a Path,
    /// Where the judged documents were read from (the index in the pre-commit hook), so the
    /// quoted line is the one judged.
    files: &'a Files,
    /// Most recently used last.
    cache: Vec<(String, Option<String>)>,
    /// The output drops the styles anyway ([`crate::term::stdout`] strips them): what is
    /// rendered in parallel is stripped there, not on the one thread writing it out.
    plain: bool,
}

impl<'a> Sources<'a> {
    pub fn new(root: &'a Path, files: &'a Files) -> Self {
        Sources {
            root,
            files,
            cache: Vec::with_capacity(KEPT_SOURCES),
            plain: false,
        }
    }

    /// Declares that the output strips styles (see the field).
    pub fn plain(mut self, plain: bool) -> Self {
        self.plain = plain;
        self
    }

    /// A reader of the same files with a cache of its own (one per rendering thread).
    fn fork(&self) -> Sources<'a> {
        Sources::new(self.root, self.files).plain(self.plain)
    }

    /// `buf` as the output will show it.
    fn finish(&self, buf: Vec<u8>) -> Vec<u8> {
        if self.plain {
            crate::term::strip(&buf)
        } else {
            buf
        }
    }

    fn line(&mut self, file: &str, line: u32) -> Option<String> {
        match self.cache.iter().position(|(f, _)| f == file) {
            Some(i) => {
                let hit = self.cache.remove(i);
                self.cache.push(hit);
            }
            None => {
                let text = self
                    .files
                    .read_optional(&self.root.join(file), file)
                    .ok()
                    .flatten()
                    .and_then(|b| String::from_utf8(b).ok());
                if self.cache.len() == KEPT_SOURCES {
                    self.cache.remove(0);
                }
                self.cache.push((file.to_string(), text));
            }
        }
        let (_, text) = self.cache.last()?;
        text.as_deref()
            .and_then(|t| line_text(t, line))
            .map(str::to_string)
    }
}

fn decision_style(d: Decision) -> Style {
    match d {
        Decision::Auto => GREEN,
        Decision::SemiManual => YELLOW,
        Decision::Block => RED,
    }
}

pub fn write(report: &Report, src: &mut Sources, out: &mut dyn Write) -> std::io::Result<()> {
    // 1. One line per incident: rendered in parallel, a chunk at a time, written in order.
    for chunk in report.incidents.chunks(LINE_CHUNK) {
        let shared = &*src;
        let parts: Vec<&[IncidentReport]> = chunk.chunks(LINE_PART).collect();
        let rendered = crate::par::map(&parts, |part| {
            let mut buf = Vec::with_capacity(part.len() * 96);
            for i in *part {
                incident_line(i, &mut buf)?;
            }
            Ok::<_, std::io::Error>(shared.finish(buf))
        });
        for buf in rendered {
            out.write_all(&buf?)?;
        }
    }
    // 2. Lint results of `lint`.
    for f in &report.files {
        for v in &f.findings {
            diagnostic(v, src, out)?;
        }
        for s in &f.suppressed {
            suppressed(s, out)?;
        }
    }
    // 3. Details per incident that is not a clean pass: rendered in parallel (each quotes its
    // own files), a bounded chunk at a time, and written in report order.
    let detailed: Vec<&IncidentReport> = report
        .incidents
        .iter()
        .filter(|i| {
            i.decision != Decision::Auto
                || !i.blockers.is_empty()
                || !i.warnings.is_empty()
                || !i.suppressed.is_empty()
        })
        .collect();
    for chunk in detailed.chunks(DETAIL_CHUNK) {
        let shared = &*src;
        let rendered = crate::par::map(chunk, |i| {
            let mut buf = Vec::with_capacity(2048);
            writeln!(buf)?;
            incident_details(i, &mut shared.fork(), &mut buf)?;
            Ok::<_, std::io::Error>(shared.finish(buf))
        });
        for buf in rendered {
            out.write_all(&buf?)?;
        }
    }
    for e in &report.errors {
        writeln!(out)?;
        let place = match (&e.file, e.line, e.column) {
            (Some(f), Some(l), Some(c)) => format!("{}:{l}:{c}: ", Shown(f)),
            (Some(f), _, _) => format!("{}: ", Shown(f)),
            _ => String::new(),
        };
        writeln!(
            out,
            "{RED}error{RED:#}{BOLD}: {place}{}{BOLD:#}",
            Shown(&e.message)
        )?;
        if let (Some(f), Some(l), Some(c)) = (&e.file, e.line, e.column) {
            snippet(src, f, l, c, 1, "", out)?;
        }
    }
    for n in &report.notes {
        writeln!(out, "{DIM}note: {}{DIM:#}", Shown(n))?;
    }
    summary(report, out)
}

/// The one line of an incident: decision, id, scores, document.
fn incident_line(i: &IncidentReport, out: &mut dyn Write) -> std::io::Result<()> {
    let d = i.decision;
    let score = i
        .gate
        .as_ref()
        .map(|g| format!("{}/{}", g.verified_total, g.max_total))
        .unwrap_or_else(|| "-".into());
    let claimed = i
        .gate
        .as_ref()
        .filter(|g| g.claimed_total != g.verified_total)
        .map(|g| format!(" (claimed {})", g.claimed_total))
        .unwrap_or_default();
    let what = Shown(i.readiness.as_deref().or(i.spec.as_deref()).unwrap_or(""));
    // A pass that rests on silenced findings says so on its own line.
    let silenced = match i.suppressed.len() {
        0 => String::new(),
        n => format!("  {YELLOW}({n} suppressed){YELLOW:#}"),
    };
    writeln!(
        out,
        "{}{:<11}{} {}{}{} {score}{claimed}  {what}{silenced}",
        decision_style(d),
        d.word(),
        decision_style(d).render_reset(),
        BOLD,
        Shown(i.incident_id.as_deref().unwrap_or("(no readiness)")),
        BOLD.render_reset(),
    )
}

fn incident_details(
    i: &IncidentReport,
    src: &mut Sources,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    let d = i.decision;
    let score = i
        .gate
        .as_ref()
        .map(|g| format!(" {}/{}", g.verified_total, g.max_total))
        .unwrap_or_default();
    writeln!(
        out,
        "{}{}{} {BOLD}{}{BOLD:#}{score} {DIM}({}){DIM:#}",
        decision_style(d),
        d.word(),
        decision_style(d).render_reset(),
        Shown(i.incident_id.as_deref().unwrap_or("(no readiness)")),
        Shown(i.readiness.as_deref().or(i.spec.as_deref()).unwrap_or("")),
    )?;
    for v in i.blockers.iter().chain(&i.warnings) {
        diagnostic(v, src, out)?;
    }
    for s in &i.suppressed {
        suppressed(s, out)?;
    }
    if let Some(g) = &i.gate {
        writeln!(out, "   {DIM}category          claimed  verified{DIM:#}")?;
        for c in &g.categories {
            let mark = if c.verified < c.claimed {
                RED
            } else {
                Style::new()
            };
            let why = c
                .caps
                .iter()
                .map(|k| k.reason.as_str())
                .collect::<Vec<_>>()
                .join("; ");
            let why = if why.is_empty() {
                String::new()
            } else {
                format!("  {DIM}{}{DIM:#}", Shown(&why))
            };
            writeln!(
                out,
                "   {:<18}{:>7}  {mark}{:>8}{mark:#}{why}",
                c.category.as_str(),
                c.claimed,
                c.verified
            )?;
        }
        let t = &g.thresholds;
        let auto = t
            .auto_min
            .map_or("never automatic".to_string(), |a| format!("auto >= {a}"));
        writeln!(
            out,
            "   {BOLD}{:<18}{:>7}  {:>8}{BOLD:#}  {DIM}profile {}: {auto}, semi-manual >= {}, floor {}{DIM:#}",
            "total",
            g.claimed_total,
            g.verified_total,
            g.profile,
            t.semi_manual_min,
            t.category_floor
        )?;
    }
    Ok(())
}

pub fn diagnostic(v: &Violation, src: &mut Sources, out: &mut dyn Write) -> std::io::Result<()> {
    let (style, word) = match v.severity {
        Severity::Error => (RED, "error"),
        Severity::Warning => (YELLOW, "warning"),
    };
    writeln!(
        out,
        "{style}{word}[{}]{style:#}{BOLD}: {}{BOLD:#}",
        v.id,
        Shown(&v.message)
    )?;
    match (&v.file, v.line, v.column) {
        (Some(f), Some(l), Some(c)) => {
            let w = l.to_string().len();
            writeln!(out, "{:w$}{BLUE}-->{BLUE:#} {}:{l}:{c}", "", Shown(f))?;
            let label = match (&v.observed, &v.threshold) {
                (Some(o), Some(t)) if o.is_number() => {
                    format!(" observed {}, expected {}", plain(o), plain(t))
                }
                _ => String::new(),
            };
            snippet(src, f, l, c, v.length.unwrap_or(1) as usize, &label, out)?;
        }
        (Some(f), _, _) => writeln!(out, " {BLUE}-->{BLUE:#} {}", Shown(f))?,
        _ => {}
    }
    if !v.fix.is_empty() {
        let w = v.line.map_or(1, |l| l.to_string().len());
        writeln!(
            out,
            "{:w$} {BLUE}={BLUE:#} {BOLD}fix{BOLD:#}: {}",
            "",
            Shown(&v.fix)
        )?;
    }
    Ok(())
}

/// One line per silenced finding: the rule, where, what it saw, and the suppression's line and
/// reason. Text from the spec is shown on one line without control characters.
pub fn suppressed(s: &Suppressed, out: &mut dyn Write) -> std::io::Result<()> {
    let seen = s.observed.as_deref().unwrap_or(&s.message);
    writeln!(
        out,
        "  {DIM}suppressed{DIM:#} {BOLD}{}{BOLD:#}  {}:{}:{}  `{}`  {DIM}(sddgate-allow on line {}: \"{}\"){DIM:#}",
        s.id,
        one_line(&s.file, 200),
        s.line,
        s.column,
        one_line(seen, 60),
        s.suppression_line,
        one_line(&s.reason, 200),
    )
}

/// Text from a document, as a terminal may show it: every control character but a tab (an
/// escape sequence would restyle the terminal, retitle the window or hide what follows) and
/// every bidi control becomes U+FFFD. Colour is ours alone: a spec cannot paint the report.
pub(crate) struct Shown<'a>(pub(crate) &'a str);

impl std::fmt::Display for Shown<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let unsafe_char = |c: char| (c.is_control() && c != '\t') || is_bidi(c);
        // Printable ASCII (the common case) has neither; bytes are checked faster than chars.
        let printable = |b: &u8| (b' '..=b'~').contains(b) || *b == b'\t';
        if self.0.as_bytes().iter().all(printable) || !self.0.chars().any(unsafe_char) {
            return f.write_str(self.0);
        }
        self.0.chars().try_for_each(|c| {
            std::fmt::Write::write_char(f, if unsafe_char(c) { '\u{FFFD}' } else { c })
        })
    }
}

fn is_bidi(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}')
}

/// `s` on one line: line breaks and tabs become spaces, other control characters (an escape
/// sequence would restyle the terminal) and bidi overrides U+FFFD; clipped to `max` with `…`.
pub(super) fn one_line(s: &str, max: usize) -> String {
    let mut out = String::new();
    for (n, c) in s.trim().chars().enumerate() {
        if n == max {
            out.push('…');
            break;
        }
        out.push(match c {
            '\n' | '\r' | '\t' => ' ',
            c if c.is_control() || is_bidi(c) => '\u{FFFD}',
            c => c,
        });
    }
    out
}

fn plain(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn snippet(
    src: &mut Sources,
    file: &str,
    line: u32,
    col: u32,
    len: usize,
    label: &str,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    let Some(text) = src.line(file, line) else {
        return Ok(());
    };
    let gutter = line.to_string().len();
    // Tabs would shift the caret; show them as four spaces on both lines.
    let shown = text.replace('\t', "    ");
    let before: String = text.chars().take(col.saturating_sub(1) as usize).collect();
    let pad = before.replace('\t', "    ").chars().count();
    let avail = shown.chars().count().saturating_sub(pad).max(1);
    let carets = "^".repeat(len.clamp(1, avail));
    writeln!(out, "{BLUE}{:gutter$} |{BLUE:#}", "")?;
    writeln!(out, "{BLUE}{line} |{BLUE:#} {}", Shown(&shown))?;
    writeln!(
        out,
        "{BLUE}{:gutter$} |{BLUE:#} {:pad$}{RED}{carets}{label}{RED:#}",
        "", ""
    )
}

fn summary(r: &Report, out: &mut dyn Write) -> std::io::Result<()> {
    let s = &r.summary;
    writeln!(out)?;
    if r.command == "lint" {
        let (e, w) = r.lint_counts();
        return writeln!(
            out,
            "{BOLD}{} file(s) linted: {e} error(s), {w} warning(s), {}{} unreadable{BOLD:#}",
            r.files.len() + s.errors,
            suppressed_count(s.suppressed),
            s.errors
        );
    }
    if s.incidents == 0 && s.errors == 0 {
        return writeln!(
            out,
            "{BOLD}no incident found{BOLD:#} (no readiness document or spec matched the discovery globs)"
        );
    }
    writeln!(
        out,
        "{BOLD}{} incident(s):{BOLD:#} {GREEN}{} pass{GREEN:#}, {YELLOW}{} semi-manual{YELLOW:#}, {RED}{} blocked{RED:#}, {}{} error(s)",
        s.incidents,
        s.pass,
        s.semi_manual,
        s.block,
        suppressed_count(s.suppressed),
        s.errors
    )
}

/// `3 suppressed, ` when any finding was silenced, else nothing.
fn suppressed_count(n: usize) -> String {
    if n == 0 {
        String::new()
    } else {
        format!("{n} suppressed, ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Severity;

    #[test]
    fn shown_text_keeps_printable_text_and_tabs_and_replaces_controls_and_bidi() {
        let shown = |s: &str| Shown(s).to_string();
        assert_eq!(shown("kubectl\tget ~ok~"), "kubectl\tget ~ok~");
        assert_eq!(
            shown("a\u{7f}b\u{1b}[2Jc\r"),
            "a\u{FFFD}b\u{FFFD}[2Jc\u{FFFD}"
        );
        assert_eq!(shown("é\u{202E}x\u{85}"), "é\u{FFFD}x\u{FFFD}");
        assert_eq!(shown("café — ok"), "café — ok");
    }

    fn silenced() -> Suppressed {
        Suppressed {
            id: "concrete_command_in_spec",
            severity: Severity::Error,
            message: "concrete command `kubectl delete pod x` in code".into(),
            observed: Some("kubectl delete pod x".into()),
            file: "specs/x/specify.md".into(),
            line: 14,
            column: 5,
            length: 20,
            suppression_line: 13,
            suppression_column: 1,
            reason: "quotes the postmortem".into(),
        }
    }

    /// A pass with no blocker and no warning, only a suppressed command.
    fn quiet_pass() -> Report {
        let i = IncidentReport {
            incident_id: Some("X-1".into()),
            decision: Decision::Auto,
            readiness: Some("specs/x/readiness.md".into()),
            spec: Some("specs/x/specify.md".into()),
            blockers: vec![],
            warnings: vec![],
            suppressed: vec![silenced()],
            gate: None,
        };
        Report::new("check", vec![i], vec![], vec![], vec![])
    }

    fn render(r: &Report) -> String {
        let files = Files::default();
        let mut src = Sources::new(Path::new("/nonexistent"), &files);
        let mut out = Vec::new();
        write(r, &mut src, &mut out).unwrap();
        // Styles are written unconditionally; the terminal stream strips them, so do we.
        let text = String::from_utf8(out).unwrap();
        regex::Regex::new("\u{1b}\\[[0-9;]*m")
            .unwrap()
            .replace_all(&text, "")
            .into_owned()
    }

    #[test]
    fn a_pass_resting_on_a_suppression_is_not_a_bare_pass_line() {
        let text = render(&quiet_pass());
        let mut lines = text.lines();
        assert_eq!(
            lines.next(),
            Some("PASS        X-1 -  specs/x/readiness.md  (1 suppressed)")
        );
        assert!(
            text.contains("\nPASS X-1 (specs/x/readiness.md)\n  suppressed concrete_command_in_spec  specs/x/specify.md:14:5  `kubectl delete pod x`  (sddgate-allow on line 13: \"quotes the postmortem\")\n"),
            "{text}"
        );
        assert!(
            text.ends_with(
                "1 incident(s): 1 pass, 0 semi-manual, 0 blocked, 1 suppressed, 0 error(s)\n"
            ),
            "{text}"
        );
    }

    /// Rendered in parallel chunks, stripped where rendered: the same text as the styled
    /// rendering stripped on the way out, every incident once and in report order, for reports
    /// below, at and above the chunk sizes.
    #[test]
    fn plain_rendering_is_the_styled_one_stripped_in_order() {
        let files = Files::default();
        for n in [
            1,
            LINE_PART,
            LINE_PART + 1,
            LINE_CHUNK + 3,
            2 * DETAIL_CHUNK + 5,
        ] {
            let incidents: Vec<IncidentReport> = (0..n)
                .map(|k| {
                    let mut i = quiet_pass().incidents.remove(0);
                    i.incident_id = Some(format!("X-{k}"));
                    i.readiness = Some(format!("specs/x{k}/readiness.md"));
                    i
                })
                .collect();
            let r = Report::new("check", incidents, vec![], vec![], vec![]);
            let mut styled = Vec::new();
            write(
                &r,
                &mut Sources::new(Path::new("/nonexistent"), &files),
                &mut styled,
            )
            .unwrap();
            assert!(styled.contains(&0x1b), "the styled rendering has styles");
            let mut plain = Vec::new();
            let mut src = Sources::new(Path::new("/nonexistent"), &files).plain(true);
            write(&r, &mut src, &mut crate::term::Strip::new(&mut plain)).unwrap();
            assert_eq!(plain, crate::term::strip(&styled), "{n} incidents");
            let text = String::from_utf8(plain).unwrap();
            let lines: Vec<&str> = text
                .lines()
                .filter(|l| l.starts_with("PASS        X-"))
                .collect();
            assert_eq!(lines.len(), n);
            for (k, line) in lines.iter().enumerate() {
                assert!(line.contains(&format!(" X-{k} ")), "{k}: {line}");
            }
            let details = text.matches("\nPASS X-").count();
            assert_eq!(details, n, "every incident's details once");
        }
    }

    #[test]
    fn one_line_flattens_and_clips_document_text() {
        assert_eq!(
            one_line("a\nb\tc\u{1b}[2J\u{202e}d", 80),
            "a b c\u{FFFD}[2J\u{FFFD}d"
        );
        assert_eq!(one_line("abcdef", 3), "abc…");
        assert_eq!(one_line("  x  ", 3), "x");
    }
}
