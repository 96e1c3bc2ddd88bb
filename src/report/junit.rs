//! `--format junit`: JUnit XML for Jenkins (`junit` step) and GitLab test reports
//! (`artifacts:reports:junit`).
//!
//! One `<testsuite>` per incident and one for the `lint` files, one `<testcase>` per rule
//! checked there (every gate rule for an incident with a readiness document, every spec rule
//! for one with a spec, and any other rule that reported something), so that a passing
//! incident shows its checks as passed tests. A rule with a blocker or an error finding is a
//! `<failure>` listing every finding; one with warnings only passes and lists them in
//! `<system-out>`; one whose findings were all suppressed is `<skipped>` with the reasons.
//! Documents that could not be judged are `<error>` test cases in a suite of their own.
//!
//! Text is escaped for XML 1.0; characters XML 1.0 does not allow at all (most controls) are
//! replaced with U+FFFD.

use super::Report;
use super::findings::{self, Finding, Kind, Level};
use crate::rules::{self, Scope};
use std::fmt::Write as _;

/// XML 1.0 text content: `&`, `<`, `>` escaped, forbidden characters replaced.
pub fn text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c if !allowed(c) => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// XML 1.0 attribute value (between double quotes): as [`text`], plus quotes, and tab, LF
/// and CR as character references (a parser would otherwise turn them into spaces).
pub fn attr(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' => out.push_str("&#9;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            c => out.push_str(&text(&c.to_string())),
        }
    }
    out
}

/// The XML 1.0 `Char` production.
fn allowed(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

struct Case {
    classname: String,
    name: String,
    /// (message, body) of a failure.
    failure: Option<(String, String)>,
    error: Option<(String, String)>,
    skipped: Option<String>,
    out: String,
}

struct Suite {
    name: String,
    file: Option<String>,
    cases: Vec<Case>,
}

fn line_of(f: &Finding<'_>) -> String {
    let mut s = String::new();
    match (f.place(), f.line) {
        (Some(p), Some(l)) if f.file.is_some() => {
            let _ = write!(s, "{p}:{l}");
            if let Some(c) = f.column {
                let _ = write!(s, ":{c}");
            }
            s.push_str(": ");
        }
        (Some(p), _) => {
            let _ = write!(s, "{p}: ");
        }
        _ => {}
    }
    s.push_str(f.message);
    if !f.fix.is_empty() {
        let _ = write!(s, "\n  fix: {}", f.fix);
    }
    if let Some(x) = f.suppression {
        let _ = write!(
            s,
            "\n  suppressed (line {}): {}",
            x.suppression_line, x.reason
        );
    }
    s
}

/// The test cases of one group of findings: one per rule in `checked` or with a finding.
fn cases(classname: &str, checked: &[&'static str], found: &[&Finding<'_>]) -> Vec<Case> {
    let mut ids: Vec<&'static str> = checked.to_vec();
    for f in found {
        if !ids.contains(&f.rule) {
            ids.push(f.rule);
        }
    }
    ids.sort_by_key(|id| rules::order(id));
    ids.into_iter()
        .map(|id| {
            let mine: Vec<&&Finding<'_>> = found.iter().filter(|f| f.rule == id).collect();
            let fails: Vec<&&Finding<'_>> = mine
                .iter()
                .copied()
                .filter(|f| {
                    f.kind != Kind::Suppressed
                        && (f.kind == Kind::Blocker || f.level == Level::Error)
                })
                .collect();
            let warns: Vec<&&Finding<'_>> = mine
                .iter()
                .copied()
                .filter(|f| {
                    f.kind != Kind::Suppressed && !fails.iter().any(|x| std::ptr::eq(*x, *f))
                })
                .collect();
            let silenced: Vec<&&Finding<'_>> = mine
                .iter()
                .copied()
                .filter(|f| f.kind == Kind::Suppressed)
                .collect();
            let mut out = String::new();
            for w in &warns {
                let _ = writeln!(out, "warning: {}", line_of(w));
            }
            for s in &silenced {
                let _ = writeln!(out, "suppressed: {}", line_of(s));
            }
            let failure = (!fails.is_empty()).then(|| {
                let body = fails
                    .iter()
                    .map(|f| line_of(f))
                    .collect::<Vec<_>>()
                    .join("\n");
                (fails[0].message.to_string(), body)
            });
            let skipped =
                (failure.is_none() && warns.is_empty() && !silenced.is_empty()).then(|| {
                    let reasons: Vec<&str> = silenced
                        .iter()
                        .filter_map(|s| s.suppression.map(|x| x.reason.as_str()))
                        .collect();
                    format!("suppressed: {}", reasons.join("; "))
                });
            Case {
                classname: classname.to_string(),
                name: id.to_string(),
                failure,
                error: None,
                skipped,
                out,
            }
        })
        .collect()
}

fn scope_ids(scope: Scope) -> Vec<&'static str> {
    rules::all()
        .filter(|r| r.scope == scope)
        .map(|r| r.id)
        .collect()
}

fn suites(report: &Report) -> Vec<Suite> {
    let list = findings::collect(report);
    let mut out = Vec::new();
    for (n, i) in report.incidents.iter().enumerate() {
        let label = i
            .incident_id
            .clone()
            .or_else(|| i.spec.clone())
            .unwrap_or_else(|| format!("incident {}", n + 1));
        let mut checked = Vec::new();
        if i.gate.is_some() {
            checked.extend(scope_ids(Scope::Gate));
        }
        if i.spec.is_some() {
            checked.extend(scope_ids(Scope::Spec));
        }
        // Findings of this incident: collect() keeps the report's order, so match by address.
        let mine: Vec<&Finding<'_>> = list
            .iter()
            .filter(|f| {
                f.violation.is_some_and(|v| {
                    i.blockers
                        .iter()
                        .chain(&i.warnings)
                        .any(|x| std::ptr::eq(x, v))
                }) || f
                    .suppression
                    .is_some_and(|s| i.suppressed.iter().any(|x| std::ptr::eq(x, s)))
            })
            .collect();
        out.push(Suite {
            name: format!("{} {label}", i.decision.word()),
            file: i.readiness.clone().or_else(|| i.spec.clone()),
            cases: cases(&format!("sddgate.{label}"), &checked, &mine),
        });
    }
    if !report.files.is_empty() {
        let mut cs = Vec::new();
        let spec_rules = scope_ids(Scope::Spec);
        for f in &report.files {
            let mine: Vec<&Finding<'_>> = list
                .iter()
                .filter(|x| {
                    x.violation
                        .is_some_and(|v| f.findings.iter().any(|y| std::ptr::eq(y, v)))
                        || x.suppression
                            .is_some_and(|s| f.suppressed.iter().any(|y| std::ptr::eq(y, s)))
                })
                .collect();
            cs.extend(cases(&f.file, &spec_rules, &mine));
        }
        out.push(Suite {
            name: "lint".into(),
            file: None,
            cases: cs,
        });
    }
    if !report.errors.is_empty() {
        let cases = report
            .errors
            .iter()
            .map(|e| {
                let place = match (&e.file, e.line) {
                    (Some(f), Some(l)) => format!("{f}:{l}"),
                    (Some(f), None) => f.clone(),
                    _ => "(no file)".into(),
                };
                Case {
                    classname: "sddgate.could_not_be_judged".into(),
                    name: place.clone(),
                    failure: None,
                    error: Some((e.message.clone(), format!("{place}: {}", e.message))),
                    skipped: None,
                    out: String::new(),
                }
            })
            .collect();
        out.push(Suite {
            name: "could not be judged".into(),
            file: None,
            cases,
        });
    }
    out
}

/// Characters of a `message` attribute (the first line of the first finding); the body has all.
const MAX_MESSAGE: usize = 500;

fn short(s: &str) -> String {
    let first = s.lines().next().unwrap_or("");
    match first.char_indices().nth(MAX_MESSAGE) {
        Some((i, _)) => format!("{}…", &first[..i]),
        None => first.to_string(),
    }
}

pub fn render(report: &Report) -> String {
    let suites = suites(report);
    let count = |s: &Suite, f: fn(&Case) -> bool| s.cases.iter().filter(|c| f(c)).count();
    let totals = suites.iter().fold((0, 0, 0, 0), |(t, f, e, s), x| {
        (
            t + x.cases.len(),
            f + count(x, |c| c.failure.is_some()),
            e + count(x, |c| c.error.is_some()),
            s + count(x, |c| c.skipped.is_some()),
        )
    });
    let mut xml = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        xml,
        "<testsuites name=\"sddgate {}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\">",
        attr(report.command),
        totals.0,
        totals.1,
        totals.2,
        totals.3
    );
    for s in &suites {
        let _ = write!(
            xml,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\"",
            attr(&s.name),
            s.cases.len(),
            count(s, |c| c.failure.is_some()),
            count(s, |c| c.error.is_some()),
            count(s, |c| c.skipped.is_some())
        );
        if let Some(f) = &s.file {
            let _ = write!(xml, " file=\"{}\"", attr(f));
        }
        xml.push_str(">\n");
        for c in &s.cases {
            let _ = write!(
                xml,
                "    <testcase classname=\"{}\" name=\"{}\"",
                attr(&c.classname),
                attr(&c.name)
            );
            if c.failure.is_none() && c.error.is_none() && c.skipped.is_none() && c.out.is_empty() {
                xml.push_str("/>\n");
                continue;
            }
            xml.push_str(">\n");
            if let Some((m, body)) = &c.failure {
                let _ = writeln!(
                    xml,
                    "      <failure message=\"{}\" type=\"{}\">{}</failure>",
                    attr(&short(m)),
                    attr(&c.name),
                    text(body)
                );
            }
            if let Some((m, body)) = &c.error {
                let _ = writeln!(
                    xml,
                    "      <error message=\"{}\" type=\"could_not_be_judged\">{}</error>",
                    attr(&short(m)),
                    text(body)
                );
            }
            if let Some(m) = &c.skipped {
                let _ = writeln!(xml, "      <skipped message=\"{}\"/>", attr(&short(m)));
            }
            if !c.out.is_empty() {
                let _ = writeln!(xml, "      <system-out>{}</system-out>", text(&c.out));
            }
            xml.push_str("    </testcase>\n");
        }
        xml.push_str("  </testsuite>\n");
    }
    xml.push_str("</testsuites>\n");
    xml
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forbidden_characters_are_replaced_and_markup_escaped() {
        assert_eq!(text("a\u{0}b\u{1b}c"), "a\u{FFFD}b\u{FFFD}c");
        assert_eq!(text("]]><&"), "]]&gt;&lt;&amp;");
        assert_eq!(attr("\"x'\n\t\r"), "&quot;x&apos;&#10;&#9;&#13;");
        assert_eq!(text("\u{FFFE}\u{FFFF}ok"), "\u{FFFD}\u{FFFD}ok");
    }
}
