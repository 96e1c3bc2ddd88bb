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
    /// The record, without its newline (the one already in the log when it was not written
    /// again).
    pub record: String,
    /// Byte offset of the record in the log.
    pub offset: u64,
    /// E.g. that a torn record left by an earlier crash was moved aside, or that the record
    /// was already there.
    pub warnings: Vec<String>,
}

/// One record to append: incident id, step, ref.
pub type Entry<'a> = (&'a str, &'a str, &'a str);

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
    let mut done = append_all(path, &[(incident_id, step, reference)])?;
    Ok(done.pop().unwrap_or_else(|| Appended {
        record: String::new(),
        offset: 0,
        warnings: Vec::new(),
    }))
}

/// Appends several records as one write: all of them land, or none (a command that records
/// two links of a chain leaves neither behind when it fails, so running it again duplicates
/// nothing). A record already in the log, with the same incident, step and ref, is not written
/// again: a retry after a failure or a kill whose record did land adds no duplicate. Warnings
/// are on the first result.
pub fn append_all(path: &Path, entries: &[Entry<'_>]) -> Result<Vec<Appended>> {
    let mut lines = Vec::with_capacity(entries.len());
    for &(incident_id, step, reference) in entries {
        let step = validate_entry(incident_id, step, reference)?;
        let key = serde_json::to_vec(&Key {
            incident_id,
            step,
            reference,
        })
        .map_err(|e| Error::Usage(e.to_string()))?;
        let record = NewRecord {
            ts: rfc3339_utc(std::time::SystemTime::now()),
            incident_id,
            step,
            reference,
        };
        let line = serde_json::to_vec(&record).map_err(|e| Error::Usage(e.to_string()))?;
        lines.push((line, key));
    }

    let dir = path.parent().filter(|d| !d.as_os_str().is_empty());
    if let Some(dir) = dir {
        std::fs::create_dir_all(dir)
            .map_err(|e| failed(dir, "creating the trace log's directory", e))?;
    }
    let existed = path.exists();
    let mut file = std::fs::OpenOptions::new()
        .read(true)
        .append(true)
        .create(true)
        .open(path)
        .map_err(|e| failed(path, "opening the trace log to append", e))?;
    // Released when `file` is dropped, also on every error path below.
    file.lock()
        .map_err(|e| failed(path, "locking the trace log", e))?;
    if !existed {
        // The new directory entry must survive a crash too.
        if let Some(dir) = dir {
            sync_dir(dir);
        }
    }
    let mut warnings = Vec::new();
    let len = file
        .metadata()
        .map_err(|e| failed(path, "reading the trace log's size", e))?
        .len();
    let start = repair_torn_tail(&mut file, path, len, &mut warnings)?;
    let existing = read_prefix(&mut file, path, start)?;

    let mut out = Vec::new();
    let mut batch = Vec::new();
    for (line, key) in lines {
        let found = find_record(&existing, &key).or_else(|| {
            // Twice in one batch is once.
            find_record(&batch, &key).map(|at| start + at)
        });
        if let Some(at) = found {
            let shown = record_at(if at >= start { &batch } else { &existing }, at, start);
            warnings.push(format!(
                "{}: the same record is already in the log at byte {at}; not written again",
                path.display()
            ));
            out.push(Appended {
                record: shown,
                offset: at,
                warnings: Vec::new(),
            });
            continue;
        }
        let offset = start + batch.len() as u64;
        out.push(Appended {
            record: String::from_utf8_lossy(&line).into_owned(),
            offset,
            warnings: Vec::new(),
        });
        batch.extend_from_slice(&line);
        batch.push(b'\n');
    }
    if !batch.is_empty() {
        if let Err(e) = file.write_all(&batch) {
            return Err(roll_back(
                &file,
                path,
                start,
                "appending to the trace log",
                e,
            ));
        }
        if let Err(e) = file.sync_data() {
            return Err(roll_back(
                &file,
                path,
                start,
                "syncing the trace log to disk",
                e,
            ));
        }
    }
    if let Some(first) = out.first_mut() {
        first.warnings = warnings;
    }
    Ok(out)
}

/// The identity of a record for spotting a repeat: its fields after `ts`, as written.
#[derive(Serialize)]
struct Key<'a> {
    incident_id: &'a str,
    step: &'a str,
    #[serde(rename = "ref")]
    reference: &'a str,
}

/// The whole log before `end` (the records a repeat is looked for in).
fn read_prefix(file: &mut std::fs::File, path: &Path, end: u64) -> Result<Vec<u8>> {
    let mut bytes = vec![0u8; end as usize];
    file.seek(SeekFrom::Start(0))
        .and_then(|_| file.read_exact(&mut bytes))
        .map_err(|e| failed(path, "reading the trace log", e))?;
    Ok(bytes)
}

/// Byte offset of a line written by sddgate with these fields: `{"ts":…,` then the key's
/// fields, then the end of the line. JSON escapes quotes inside strings, so the key cannot
/// match inside another record's ref.
fn find_record(log: &[u8], key: &[u8]) -> Option<u64> {
    let body = key.strip_prefix(b"{")?;
    let mut needle = Vec::with_capacity(body.len() + 2);
    needle.push(b',');
    needle.extend_from_slice(body);
    needle.push(b'\n');
    let finder = aho_corasick::AhoCorasick::new([&needle]).ok()?;
    let m = finder.find(log)?;
    let line_start = log[..m.start()]
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    Some(line_start as u64)
}

fn record_at(bytes: &[u8], at: u64, start: u64) -> String {
    let from = if at >= start { at - start } else { at } as usize;
    let rest = &bytes[from.min(bytes.len())..];
    let end = rest.iter().position(|&b| b == b'\n').unwrap_or(rest.len());
    String::from_utf8_lossy(&rest[..end]).into_owned()
}

/// After a failed write or sync: cut the log back to where this append began, so no partial
/// record stays. When even that fails, the partial record has no newline and the next append
/// moves it aside; the message says so.
fn roll_back(
    file: &std::fs::File,
    path: &Path,
    start: u64,
    doing: &str,
    e: std::io::Error,
) -> Error {
    // A device or pipe named as the log (`/dev/full`) keeps nothing to cut.
    let regular = file.metadata().is_ok_and(|m| m.is_file());
    match file.set_len(start).and_then(|()| file.sync_data()) {
        Err(_) if !regular => failed(path, doing, e),
        Ok(()) => failed(path, &format!("{doing} (nothing was recorded)"), e),
        Err(cut) => failed(
            path,
            &format!(
                "{doing} (the partial record could not be cut off: {cut}; the next append moves it to {}.torn)",
                path.display()
            ),
            e,
        ),
    }
}

/// An I/O error naming the operation as well as the file.
fn failed(path: &Path, doing: &str, e: std::io::Error) -> Error {
    Error::io(path, std::io::Error::new(e.kind(), format!("{doing}: {e}")))
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
    let io = |e| failed(path, "reading the end of the trace log", e);
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
    let saving = "saving an interrupted record of the trace log";
    let mut kept = std::fs::OpenOptions::new()
        .append(true)
        .create(true)
        .open(&aside)
        .map_err(|e| failed(&aside, saving, e))?;
    let kept_len = kept
        .metadata()
        .map_err(|e| failed(&aside, saving, e))?
        .len();
    torn.push(b'\n');
    if let Err(e) = kept.write_all(&torn).and_then(|()| kept.sync_data()) {
        // A half-saved copy would be saved again, whole, by the next append.
        let _ = kept.set_len(kept_len);
        return Err(failed(&aside, saving, e));
    }
    file.set_len(cut)
        .and_then(|()| file.sync_data())
        .map_err(|e| failed(path, "cutting an interrupted record from the trace log", e))?;
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
        let steps: Vec<_> = log.records.iter().map(|r| r.step.as_ref()).collect();
        assert_eq!(steps, ["webhook_received", "specify", "commit"]);
        assert!(log.warnings.is_empty());
        let aside = std::fs::read_to_string(dir.path().join("sub/trace.jsonl.torn")).unwrap();
        assert_eq!(aside, "{\"incident_id\":\"HM-1\",\"st\n");
        assert!(append(&path, "HM-1", "deploy", "x").is_err());
        assert!(append(&path, "", "commit", "x").is_err());
        assert!(append(&path, "HM-1", "commit", "a\nb").is_err());
    }
}
