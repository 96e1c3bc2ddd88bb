//! One flat list of everything a [`Report`] found, for the emitters that list findings (SARIF,
//! GitLab Code Quality, JUnit): each blocker, warning, lint finding and suppressed finding with
//! its level, place, incident and a stable fingerprint. The formats differ only in how they
//! write this list.

use super::{Report, Suppressed};
use crate::model::{Decision, Severity, Violation};
use std::collections::HashMap;

/// How much a finding weighs in this run (not the rule's default: a blocker of a semi-manual
/// incident asks for a human, it does not fail).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    /// Changes nothing (a reason listed for an incident that still passed).
    Note,
    /// Needs a look: a warning, or a reason of a semi-manual incident.
    Warning,
    /// Fails the gate: a blocker of a blocked incident, a lint error.
    Error,
}

/// Where a finding comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Blocker,
    Warning,
    /// A finding of `sddgate lint`.
    Lint,
    /// Silenced by a reasoned `sddgate-allow`.
    Suppressed,
}

#[derive(Debug, Clone)]
pub struct Finding<'a> {
    pub rule: &'static str,
    pub kind: Kind,
    pub level: Level,
    pub message: &'a str,
    pub fix: &'a str,
    /// Repository-relative path, as the report gives it.
    pub file: Option<&'a str>,
    pub line: Option<u32>,
    pub column: Option<u32>,
    /// Characters marked from `column` on.
    pub length: Option<u32>,
    /// The incident it was reported for (none for `lint` findings).
    pub incident_id: Option<&'a str>,
    /// The incident's readiness document, else its spec: where a finding without a file of
    /// its own is placed.
    pub document: Option<&'a str>,
    pub decision: Option<Decision>,
    pub violation: Option<&'a Violation>,
    pub suppression: Option<&'a Suppressed>,
    /// Stable across runs and line moves, unique within the report (see [`fingerprints`]).
    pub fingerprint: String,
}

impl Finding<'_> {
    /// The file to show it on: its own, else its incident's document.
    pub fn place(&self) -> Option<&str> {
        self.file.or(self.document)
    }

    /// Whether it has no place of its own and is shown on its incident's document, line 1.
    pub fn placed_on_document(&self) -> bool {
        self.file.is_none() && self.document.is_some()
    }
}

fn blocker_level(d: Decision) -> Level {
    match d {
        Decision::Block => Level::Error,
        Decision::SemiManual => Level::Warning,
        Decision::Auto => Level::Note,
    }
}

/// Every finding of the report, in the report's order: incidents (blockers, warnings,
/// suppressed), then lint files (findings, suppressed).
pub fn collect(report: &Report) -> Vec<Finding<'_>> {
    let mut out = Vec::new();
    for i in &report.incidents {
        let document = i.readiness.as_deref().or(i.spec.as_deref());
        for v in &i.blockers {
            out.push(of_violation(
                v,
                Kind::Blocker,
                blocker_level(i.decision),
                i.incident_id.as_deref(),
                document,
                Some(i.decision),
            ));
        }
        for v in &i.warnings {
            let level = match v.severity {
                Severity::Error => blocker_level(i.decision),
                Severity::Warning => Level::Warning,
            };
            out.push(of_violation(
                v,
                Kind::Warning,
                level,
                i.incident_id.as_deref(),
                document,
                Some(i.decision),
            ));
        }
        for s in &i.suppressed {
            out.push(of_suppressed(s, i.incident_id.as_deref(), document));
        }
    }
    for f in &report.files {
        for v in &f.findings {
            let level = match v.severity {
                Severity::Error => Level::Error,
                Severity::Warning => Level::Warning,
            };
            let mut x = of_violation(v, Kind::Lint, level, None, Some(&f.file), None);
            x.file = Some(v.file.as_deref().unwrap_or(&f.file));
            out.push(x);
        }
        for s in &f.suppressed {
            out.push(of_suppressed(s, None, Some(&f.file)));
        }
    }
    fingerprints(&mut out);
    out
}

fn of_violation<'a>(
    v: &'a Violation,
    kind: Kind,
    level: Level,
    incident_id: Option<&'a str>,
    document: Option<&'a str>,
    decision: Option<Decision>,
) -> Finding<'a> {
    Finding {
        rule: v.id,
        kind,
        level,
        message: &v.message,
        fix: &v.fix,
        file: v.file.as_deref(),
        line: v.line,
        column: v.column,
        length: v.length,
        incident_id,
        document,
        decision,
        violation: Some(v),
        suppression: None,
        fingerprint: String::new(),
    }
}

fn of_suppressed<'a>(
    s: &'a Suppressed,
    incident_id: Option<&'a str>,
    document: Option<&'a str>,
) -> Finding<'a> {
    Finding {
        rule: s.id,
        kind: Kind::Suppressed,
        level: match s.severity {
            Severity::Error => Level::Error,
            Severity::Warning => Level::Warning,
        },
        message: &s.message,
        fix: "",
        file: Some(&s.file),
        line: (s.line > 0).then_some(s.line),
        column: (s.column > 0).then_some(s.column),
        length: (s.length > 0).then_some(s.length),
        incident_id,
        document,
        decision: None,
        violation: None,
        suppression: Some(s),
        fingerprint: String::new(),
    }
}

/// Fingerprints from what a finding is, not where it is: rule, file, what it saw (the
/// observed text, else the message) and incident, plus the occurrence number among findings
/// alike. Moving a line keeps the fingerprint (code scanning and GitLab keep tracking the same
/// finding); two identical commands in one spec still get two.
pub fn fingerprints(findings: &mut [Finding<'_>]) {
    let mut seen: HashMap<u128, u32> = HashMap::new();
    for f in findings.iter_mut() {
        let observed = f
            .violation
            .and_then(|v| v.observed.as_ref())
            .map(|o| o.to_string())
            .or_else(|| f.suppression.and_then(|s| s.observed.clone()))
            .unwrap_or_else(|| f.message.to_string());
        let key = fnv128(&[
            f.rule,
            f.place().unwrap_or(""),
            &observed,
            f.incident_id.unwrap_or(""),
            if f.kind == Kind::Suppressed {
                "suppressed"
            } else {
                ""
            },
        ]);
        let n = seen.entry(key).or_insert(0);
        *n += 1;
        f.fingerprint = format!("{:032x}", fnv128(&[&format!("{key:032x}"), &n.to_string()]));
    }
}

/// FNV-1a, 128 bits, over the parts with a separator that text cannot forge (a NUL byte is
/// followed by the part's length). Stable across Rust releases, unlike `DefaultHasher`.
pub fn fnv128(parts: &[&str]) -> u128 {
    const OFFSET: u128 = 0x6c62272e07bb014262b821756295c58d;
    const PRIME: u128 = 0x0000000001000000000000000000013B;
    let mut h = OFFSET;
    let mut eat = |bytes: &[u8]| {
        for b in bytes {
            h ^= u128::from(*b);
            h = h.wrapping_mul(PRIME);
        }
    };
    for p in parts {
        eat(p.as_bytes());
        eat(&[0]);
        eat(&(p.len() as u64).to_le_bytes());
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv128_matches_the_published_vectors() {
        // FNV-1a 128 of "" is the offset basis; of "a" from the reference implementation.
        let mut h: u128 = 0x6c62272e07bb014262b821756295c58d;
        h ^= u128::from(b'a');
        h = h.wrapping_mul(0x0000000001000000000000000000013B);
        assert_eq!(h, 0xd228cb696f1a8caf78912b704e4a8964);
        assert_ne!(fnv128(&["ab", "c"]), fnv128(&["a", "bc"]));
    }
}
