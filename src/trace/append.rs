//! Appending to the trace log durably.
//!
//! One record is one line, written by a single `write` on a file opened with `O_APPEND`, while
//! holding an exclusive lock on the log, then `fsync`ed. A crash can leave at most one torn
//! record, without its newline, at the very end; readers skip it with a warning and the next
//! appender moves its bytes to `<log>.torn` before writing, so nothing is lost and the log stays
//! parseable.

use super::{STEPS, canonical_step};
use crate::error::{Error, Result};
use serde::Serialize;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::Path;

/// One record as written: keys in this order, `ts` in UTC with second precision.
#[derive(Serialize)]
struct NewRecord<'a> {
    ts: String,
    incident_id: &'a str,
    step: &'a str,
    #[serde(rename = "ref")]
    reference: &'a str,
}

/// Checks the fields of a record before anything is written.
pub fn validate_entry(incident_id: &str, step: &str, reference: &str) -> Result<&'static str> {
    let step = canonical_step(step);
    let Some(known) = STEPS.iter().find(|s| **s == step) else {
        return Err(Error::Usage(format!(
            "unknown trace step `{step}`; expected one of {}",
            STEPS.join(", ")
        )));
    };
    for (what, value) in [("incident id", incident_id), ("ref", reference)] {
        if value.trim().is_empty() {
            return Err(Error::Usage(format!(
                "the {what} of a trace record is empty"
            )));
        }
        if value.chars().any(char::is_control) {
            return Err(Error::Usage(format!(
                "the {what} of a trace record contains a control character"
            )));
        }
    }
    Ok(known)
}

/// What one append wrote.
#[derive(Debug, Clone, PartialEq)]
pub struct Appended {
    /// The record, without its newline.
    pub record: String,
    /// Byte offset of the record in the log.
    pub offset: u64,
    /// E.g. that a torn record left by an earlier crash was moved aside.
    pub warnings: Vec<String>,
}

/// Appends one record to the log at `path` (created with its directory if absent). Returns
/// warnings, e.g. that a torn record left by an earlier crash was moved aside.
pub fn append(path: &Path, incident_id: &str, step: &str, reference: &str) -> Result<Vec<String>> {
    append_record(path, incident_id, step, reference).map(|a| a.warnings)
}

/// [`append`], returning the record written and where.
pub fn append_record(
    path: &Path,
    incident_id: &str,
    step: &str,
    reference: &str,
) -> Result<Appended> {
    let step = validate_entry(incident_id, step, reference)?;
    let record = NewRecord {
        ts: rfc3339_utc(std::time::SystemTime::now()),
        incident_id,
        step,
        reference,
    };
    let mut line = serde_json::to_vec(&record).map_err(|e| Error::Usage(e.to_string()))?;
    line.push(b'\n');

    let io = |e| Error::io(path, e);
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty());
    if let Some(dir) = dir {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    }
    let existed = path.exists();
    let mut file = std::fs::OpenOptions::new()
        .read(true)
        .append(true)
        .create(true)
        .open(path)
        .map_err(io)?;
    // Released when `file` is dropped, also on every error path below.
    file.lock().map_err(io)?;
    if !existed {
        // The new directory entry must survive a crash too.
        if let Some(dir) = dir {
            sync_dir(dir);
        }
    }
    let mut warnings = Vec::new();
    let len = file.metadata().map_err(io)?.len();
    let start = repair_torn_tail(&mut file, path, len, &mut warnings)?;
    if let Err(e) = file.write_all(&line).and_then(|()| file.sync_data()) {
        // Leave no partial record behind: cut back to where this append began.
        let _ = file.set_len(start);
        let _ = file.sync_data();
        return Err(io(e));
    }
    line.pop();
    Ok(Appended {
        record: String::from_utf8_lossy(&line).into_owned(),
        offset: start,
        warnings,
    })
}

/// If the log does not end with a newline, its last line is a torn append: its bytes go to
/// `<log>.torn` (appended, fsynced) and the log is cut back to the last newline. Returns the
/// length of the log after the repair.
fn repair_torn_tail(
    file: &mut std::fs::File,
    path: &Path,
    len: u64,
    warnings: &mut Vec<String>,
) -> Result<u64> {
    let io = |e| Error::io(path, e);
    if len == 0 {
        return Ok(0);
    }
    let mut last = [0u8; 1];
    file.seek(SeekFrom::Start(len - 1)).map_err(io)?;
    file.read_exact(&mut last).map_err(io)?;
    if last[0] == b'\n' {
        return Ok(len);
    }
    // Scan backwards for the last newline, a block at a time.
    let mut end = len;
    let mut cut = 0u64;
    let mut buf = vec![0u8; 64 * 1024];
    'scan: while end > 0 {
        let begin = end.saturating_sub(buf.len() as u64);
        let chunk = &mut buf[..(end - begin) as usize];
        file.seek(SeekFrom::Start(begin)).map_err(io)?;
        file.read_exact(chunk).map_err(io)?;
        if let Some(i) = chunk.iter().rposition(|&b| b == b'\n') {
            cut = begin + i as u64 + 1;
            break 'scan;
        }
        end = begin;
    }
    let mut torn = vec![0u8; (len - cut) as usize];
    file.seek(SeekFrom::Start(cut)).map_err(io)?;
    file.read_exact(&mut torn).map_err(io)?;
    let mut aside_name = path.as_os_str().to_owned();
    aside_name.push(".torn");
    let aside = std::path::PathBuf::from(aside_name);
    let mut kept = std::fs::OpenOptions::new()
        .append(true)
        .create(true)
        .open(&aside)
        .map_err(|e| Error::io(&aside, e))?;
    torn.push(b'\n');
    kept.write_all(&torn)
        .and_then(|()| kept.sync_data())
        .map_err(|e| Error::io(&aside, e))?;
    file.set_len(cut).map_err(io)?;
    file.sync_data().map_err(io)?;
    warnings.push(format!(
        "{}: an earlier append was interrupted; its incomplete record ({} bytes at byte {cut}) was moved to {}",
        path.display(),
        torn.len() - 1,
        aside.display()
    ));
    Ok(cut)
}

fn sync_dir(dir: &Path) {
    // Directories cannot be opened for syncing on every platform; failing here loses nothing
    // that the file's own fsync has not already secured.
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
}

/// `YYYY-MM-DDTHH:MM:SSZ` for a point in time (UTC; before 1970 is clamped to the epoch).
pub fn rfc3339_utc(t: std::time::SystemTime) -> String {
    let secs = t
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let (days, rem) = (secs / 86_400, secs % 86_400);
    let (y, m, d) = civil_from_days(days as i64);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// Days since 1970-01-01 → (year, month, day) in the proleptic Gregorian calendar.
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trace::parse;

    #[test]
    fn civil_dates() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
        assert_eq!(civil_from_days(20_590), (2026, 5, 17));
        let t = std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_779_009_243);
        assert_eq!(rfc3339_utc(t), "2026-05-17T09:14:03Z");
    }

    #[test]
    fn append_writes_whole_lines_and_moves_a_torn_tail_aside() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/trace.jsonl");
        assert!(
            append(&path, "HM-1", "webhook_received", "a.json")
                .unwrap()
                .is_empty()
        );
        assert!(
            append(&path, "HM-1", "/sdd:specify", "spec/é.md")
                .unwrap()
                .is_empty()
        );
        let mut bytes = std::fs::read(&path).unwrap();
        bytes.extend_from_slice(b"{\"incident_id\":\"HM-1\",\"st");
        std::fs::write(&path, &bytes).unwrap();
        let w = append(&path, "HM-1", "commit", "abc").unwrap();
        assert!(w[0].contains("moved to"), "{w:?}");
        let log = parse("t", &std::fs::read(&path).unwrap()).unwrap();
        let steps: Vec<_> = log.records.iter().map(|r| r.step.as_str()).collect();
        assert_eq!(steps, ["webhook_received", "specify", "commit"]);
        assert!(log.warnings.is_empty());
        let aside = std::fs::read_to_string(dir.path().join("sub/trace.jsonl.torn")).unwrap();
        assert_eq!(aside, "{\"incident_id\":\"HM-1\",\"st\n");
        assert!(append(&path, "HM-1", "deploy", "x").is_err());
        assert!(append(&path, "", "commit", "x").is_err());
        assert!(append(&path, "HM-1", "commit", "a\nb").is_err());
    }
}
