//! Check-run annotations: one per finding with a file, GitHub's shape, deduplicated.

use super::*;

// ---------------------------------------------------------------------------------------------
// Annotations

/// One check-run annotation, serialized exactly as GitHub's API takes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Annotation {
    pub path: String,
    pub start_line: u32,
    pub end_line: u32,
    pub start_column: Option<u32>,
    pub end_column: Option<u32>,
    /// `failure`, `warning` or `notice`.
    pub annotation_level: &'static str,
    pub message: String,
    pub title: String,
    pub raw_details: Option<String>,
}

impl Serialize for Annotation {
    fn serialize<S: Serializer>(&self, ser: S) -> Result<S::Ok, S::Error> {
        // Columns only on a one-line annotation: GitHub rejects them otherwise.
        let one_line = self.start_line == self.end_line;
        let cols = |c: Option<u32>| c.filter(|_| one_line);
        let (sc, ec) = (cols(self.start_column), cols(self.end_column));
        let n = 6
            + usize::from(sc.is_some())
            + usize::from(ec.is_some())
            + usize::from(self.raw_details.is_some());
        let mut st = ser.serialize_struct("Annotation", n)?;
        st.serialize_field("path", &self.path)?;
        st.serialize_field("start_line", &self.start_line)?;
        st.serialize_field("end_line", &self.end_line)?;
        if let Some(c) = sc {
            st.serialize_field("start_column", &c)?;
        }
        if let Some(c) = ec {
            st.serialize_field("end_column", &c)?;
        }
        st.serialize_field("annotation_level", self.annotation_level)?;
        st.serialize_field("message", &self.message)?;
        st.serialize_field("title", &self.title)?;
        if let Some(r) = &self.raw_details {
            st.serialize_field("raw_details", r)?;
        }
        st.end()
    }
}

pub(super) fn level_rank(level: &str) -> u8 {
    match level {
        "failure" => 2,
        "warning" => 1,
        _ => 0,
    }
}

pub(super) fn plain(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

pub(super) fn clip(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}

/// One annotation under construction: the incidents it concerns are gathered, so that the
/// same finding in a spec shared by several readiness documents is annotated once.
pub(super) struct Pending {
    pub(super) level: &'static str,
    pub(super) violation: Option<Violation>,
    pub(super) incidents: Vec<String>,
}

/// Every blocker, warning, lint finding and error that names a file inside the repository:
/// a blocker of a blocked incident, a lint error and an error are `failure`; a reason of a
/// semi-manual incident and a warning are `warning`. A finding without a line is placed on
/// line 1 and says "(no line)". Duplicates are merged (the most severe level wins), ordered by
/// path, line and rule. Files outside the repository are left out (GitHub cannot place them).
pub fn annotations(report: &Report) -> Vec<Annotation> {
    type Key = (String, u32, String, Option<u32>, String);
    let mut acc: BTreeMap<Key, Pending> = BTreeMap::new();
    let mut add = |level: &'static str,
                   file: &str,
                   line: Option<u32>,
                   col: Option<u32>,
                   title: &str,
                   msg: &str,
                   violation: Option<&Violation>,
                   incident: Option<String>| {
        if !linkable(file) {
            return;
        }
        let key = (
            clean_path(file),
            line.unwrap_or(0),
            title.to_string(),
            col,
            msg.to_string(),
        );
        let p = acc.entry(key).or_insert_with(|| Pending {
            level,
            violation: violation.cloned(),
            incidents: Vec::new(),
        });
        if level_rank(level) > level_rank(p.level) {
            p.level = level;
        }
        if let Some(i) = incident
            && !p.incidents.contains(&i)
        {
            p.incidents.push(i);
        }
    };
    for i in &report.incidents {
        let who = format!(
            "{} ({}): {}",
            i.incident_id.as_deref().unwrap_or("no readiness document"),
            i.readiness.as_deref().or(i.spec.as_deref()).unwrap_or("-"),
            i.decision.word()
        );
        let blocker_level = match i.decision {
            Decision::Block => "failure",
            Decision::SemiManual => "warning",
            Decision::Auto => "notice",
        };
        for (v, level) in
            i.blockers
                .iter()
                .map(|v| (v, blocker_level))
                .chain(i.warnings.iter().map(|v| {
                    let l = match v.severity {
                        Severity::Error => blocker_level,
                        Severity::Warning => "warning",
                    };
                    (v, l)
                }))
        {
            if let Some(f) = &v.file {
                add(
                    level,
                    f,
                    v.line,
                    v.column,
                    v.id,
                    &v.message,
                    Some(v),
                    Some(who.clone()),
                );
            }
        }
    }
    for f in &report.files {
        for v in &f.findings {
            let level = match v.severity {
                Severity::Error => "failure",
                Severity::Warning => "warning",
            };
            let file = v.file.as_deref().unwrap_or(&f.file);
            add(
                level,
                file,
                v.line,
                v.column,
                v.id,
                &v.message,
                Some(v),
                None,
            );
        }
    }
    for e in &report.errors {
        if let Some(f) = &e.file {
            add(
                "failure",
                f,
                e.line,
                e.column,
                "could_not_be_judged",
                &e.message,
                None,
                None,
            );
        }
    }
    acc.into_iter()
        .map(|((path, line, title, col, msg), p)| {
            let mut message = msg.clone();
            if line == 0 {
                message.push_str(" (no line)");
            }
            if let Some(v) = &p.violation
                && !v.fix.is_empty()
            {
                let _ = write!(message, "\nFix: {}", v.fix);
            }
            if p.violation.is_none() {
                message.push_str("\nThis document could not be judged: the run exits 2.");
            }
            match p.incidents.len() {
                0 => {}
                1 => {
                    let _ = write!(message, "\nIncident {}", p.incidents[0]);
                }
                n => {
                    let _ = write!(message, "\nIncidents ({n}): ");
                    let shown: Vec<&str> =
                        p.incidents.iter().take(10).map(String::as_str).collect();
                    message.push_str(&shown.join("; "));
                    if n > 10 {
                        let _ = write!(message, "; and {} more", n - 10);
                    }
                }
            }
            let raw_details = p.violation.as_ref().and_then(|v| {
                let mut r = Vec::new();
                if let Some(o) = &v.observed {
                    r.push(format!("observed: {}", plain(o)));
                }
                if let Some(t) = &v.threshold {
                    r.push(format!("expected: {}", plain(t)));
                }
                (!r.is_empty()).then(|| clip(&r.join("\n"), MAX_ANNOTATION_TEXT))
            });
            let (start_column, end_column) = match col.filter(|_| line > 0) {
                Some(c) => {
                    let len = p
                        .violation
                        .as_ref()
                        .and_then(|v| v.length)
                        .unwrap_or(1)
                        .max(1);
                    (Some(c), Some(c.saturating_add(len - 1)))
                }
                None => (None, None),
            };
            Annotation {
                path,
                start_line: line.max(1),
                end_line: line.max(1),
                start_column,
                end_column,
                annotation_level: p.level,
                message: clip(&message, MAX_ANNOTATION_TEXT),
                title: clip(&title, MAX_TITLE - 1),
                raw_details,
            }
        })
        .collect()
}
