//! The audit trace log (`.sddgate/trace.jsonl`): JSON Lines, one record per step of the causal
//! chain, linked by `incident_id`. Here: reading it and computing an incident's coverage.

use crate::error::{Error, Result};
use serde::Deserialize;

/// The six links of the chain, in causal order.
pub const STEPS: [&str; 6] = [
    "webhook_received",
    "incident_event_normalized",
    "specify",
    "spec_diff_created",
    "commit",
    "validate",
];

#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    pub incident_id: String,
    pub step: String,
    pub reference: Option<String>,
    pub ts: Option<String>,
    /// 1-based line in the log.
    pub line: u32,
    /// Byte offset of the record in the log.
    pub offset: u64,
}

#[derive(Debug, Default)]
pub struct Log {
    pub records: Vec<Record>,
    /// Non-fatal findings, e.g. a torn last record skipped.
    pub warnings: Vec<String>,
}

#[derive(Deserialize)]
struct Raw {
    incident_id: String,
    step: String,
    #[serde(rename = "ref")]
    reference: Option<String>,
    ts: Option<String>,
}

/// The lesson writes `/sdd:specify`; both spellings name the same link.
pub fn canonical_step(step: &str) -> &str {
    match step {
        "/sdd:specify" | "sdd:specify" => "specify",
        s => s,
    }
}

/// Parses a log. A damaged last line without its newline is a torn append: skipped with a
/// warning. Damage anywhere else is an error naming the line.
pub fn parse(file: &str, bytes: &[u8]) -> Result<Log> {
    let mut log = Log::default();
    let mut offset = 0usize;
    let mut line_no = 0u32;
    while offset < bytes.len() {
        line_no += 1;
        let end = bytes[offset..]
            .iter()
            .position(|&b| b == b'\n')
            .map(|i| offset + i);
        let raw = &bytes[offset..end.unwrap_or(bytes.len())];
        let next = end.map(|e| e + 1).unwrap_or(bytes.len());
        let is_last = next >= bytes.len();
        let trimmed = trim_ascii(raw);
        if !trimmed.is_empty() {
            let parsed = std::str::from_utf8(trimmed)
                .map_err(|e| e.to_string())
                .and_then(|s| serde_json::from_str::<Raw>(s).map_err(|e| e.to_string()));
            match parsed {
                Ok(r) => log.records.push(Record {
                    incident_id: r.incident_id,
                    step: canonical_step(&r.step).to_string(),
                    reference: r.reference,
                    ts: r.ts,
                    line: line_no,
                    offset: offset as u64,
                }),
                Err(_) if is_last && end.is_none() => {
                    log.warnings.push(format!(
                        "{file}:{line_no}: skipped an incomplete last record ({} bytes, no newline): an interrupted append",
                        raw.len()
                    ));
                }
                Err(e) => {
                    return Err(Error::input(
                        file,
                        line_no,
                        1,
                        format!(
                            "damaged trace record: {e}; expected one JSON object with incident_id and step per line"
                        ),
                    ));
                }
            }
        }
        offset = next;
    }
    Ok(log)
}

fn trim_ascii(b: &[u8]) -> &[u8] {
    let s = b
        .iter()
        .position(|c| !c.is_ascii_whitespace())
        .unwrap_or(b.len());
    let e = b
        .iter()
        .rposition(|c| !c.is_ascii_whitespace())
        .map(|i| i + 1)
        .unwrap_or(s);
    &b[s..e.max(s)]
}

/// Which links of the chain the log holds for one incident.
#[derive(Debug, Clone, PartialEq)]
pub struct Coverage {
    pub present: Vec<&'static str>,
    pub missing: Vec<&'static str>,
}

impl Coverage {
    pub fn value(&self) -> f64 {
        self.present.len() as f64 / STEPS.len() as f64
    }
}

pub fn coverage(log: &Log, incident_id: &str) -> Coverage {
    let (present, missing) = STEPS.iter().partition(|step| {
        log.records
            .iter()
            .any(|r| r.incident_id == incident_id && r.step == **step)
    });
    Coverage { present, missing }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(step: &str) -> String {
        format!("{{\"incident_id\":\"HM-1\",\"step\":\"{step}\",\"ref\":\"é🎉\"}}\n")
    }

    #[test]
    fn computes_coverage_per_incident() {
        let text: String = ["webhook_received", "/sdd:specify", "commit"]
            .iter()
            .map(|s| rec(s))
            .collect();
        let log = parse("t.jsonl", text.as_bytes()).unwrap();
        let c = coverage(&log, "HM-1");
        assert_eq!(c.present, ["webhook_received", "specify", "commit"]);
        assert_eq!(c.value(), 0.5);
        assert_eq!(coverage(&log, "other").value(), 0.0);
        // Offsets are bytes, not characters: the second record starts after the first's bytes.
        assert_eq!(
            log.records[1].offset as usize,
            rec("webhook_received").len()
        );
    }

    #[test]
    fn torn_tail_is_skipped_interior_damage_is_an_error() {
        let mut text = rec("webhook_received");
        text.push_str("{\"incident_id\":\"HM-1\",\"st");
        let log = parse("t.jsonl", text.as_bytes()).unwrap();
        assert_eq!(log.records.len(), 1);
        assert!(log.warnings[0].contains("t.jsonl:2"), "{:?}", log.warnings);

        let bad = format!("{}garbage\n{}", rec("webhook_received"), rec("commit"));
        let e = parse("t.jsonl", bad.as_bytes()).unwrap_err().to_string();
        assert!(e.starts_with("t.jsonl:2:"), "{e}");
    }
}
