//! What the gate reads from git history: commits that carry an `Incident-Id:` trailer and the
//! files each changed. One `git log` call; git itself parses the trailers (as
//! `git interpret-trailers` does), so a trailer is recognised exactly when git recognises it.

use std::path::Path;
use std::process::Command;

/// A commit that names at least one incident in an `Incident-Id:` trailer.
#[derive(Debug, Clone, PartialEq)]
pub struct Commit {
    pub sha: String,
    /// Committer time, seconds since the epoch.
    pub time: i64,
    pub subject: String,
    pub incident_ids: Vec<String>,
    /// Repository-relative paths the commit changed (none for merges).
    pub files: Vec<String>,
}

impl Commit {
    pub fn short(&self) -> &str {
        &self.sha[..self.sha.len().min(12)]
    }
}

/// The history the trace can use, and what limits it.
#[derive(Debug, Default)]
pub struct History {
    pub commits: Vec<Commit>,
    /// Why the history is missing or partial (no git, not a repository, shallow clone).
    pub note: Option<String>,
}

const RS: u8 = 0x1e;
const US: char = '\u{1f}';

/// Reads every commit reachable from HEAD whose message mentions `Incident-Id`, keeping those
/// whose trailers name an incident.
pub fn incident_commits(root: &Path) -> History {
    if !root.join(".git").exists() {
        return History {
            commits: vec![],
            note: Some(format!(
                "{} is not a git repository: commit links come from the trace log only",
                root.display()
            )),
        };
    }
    let out = Command::new("git")
        .arg("-C")
        .arg(root)
        .args([
            "-c",
            "core.quotepath=off",
            "log",
            "-z",
            "--name-only",
            "--no-renames",
            "-i",
            "--grep=incident-id",
            "--format=%x1e%H%x1f%ct%x1f%s%x1f%(trailers:key=Incident-Id,valueonly,separator=%x1f)",
            "HEAD",
            "--",
        ])
        .env("LC_ALL", "C")
        .output();
    let out = match out {
        Ok(o) => o,
        Err(e) => {
            return History {
                commits: vec![],
                note: Some(format!(
                    "git could not be run ({e}): commit links come from the trace log only"
                )),
            };
        }
    };
    if !out.status.success() {
        let stderr = String::from_utf8_lossy(&out.stderr);
        let note = if stderr.contains("does not have any commits")
            || stderr.contains("unknown revision")
        {
            None
        } else {
            Some(format!(
                "git log failed ({}): commit links come from the trace log only",
                stderr.trim()
            ))
        };
        return History {
            commits: vec![],
            note,
        };
    }
    let shallow = root.join(".git").join("shallow").exists();
    History {
        commits: parse_log(&out.stdout),
        note: shallow.then(|| {
            "the clone is shallow: commits beyond its depth are not seen (fetch with `fetch-depth: 0`)"
                .to_string()
        }),
    }
}

/// Parses the output of the `git log` call above.
pub fn parse_log(bytes: &[u8]) -> Vec<Commit> {
    bytes
        .split(|&b| b == RS)
        .filter(|r| !r.is_empty())
        .filter_map(|record| {
            let mut parts = record.splitn(2, |&b| b == 0);
            let header = String::from_utf8_lossy(parts.next()?);
            let files: Vec<String> = parts
                .next()
                .unwrap_or_default()
                .split(|&b| b == 0)
                .map(|f| f.strip_prefix(b"\n").unwrap_or(f))
                .filter(|f| !f.is_empty())
                .map(|f| String::from_utf8_lossy(f).into_owned())
                .collect();
            let mut fields = header.splitn(4, US);
            let sha = fields.next()?.trim().to_string();
            let time = fields.next()?.trim().parse().unwrap_or(0);
            let subject = fields.next()?.to_string();
            let incident_ids: Vec<String> = fields
                .next()
                .unwrap_or("")
                .split(US)
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect();
            (!incident_ids.is_empty()).then_some(Commit {
                sha,
                time,
                subject,
                incident_ids,
                files,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_records_with_trailers_and_raw_names() {
        let raw = b"\x1eaaaa\x1f100\x1fsecond\x1f\x00\nother\x00\x1ebbbb\x1f90\x1ffirst\x1fHM-1\x1fHM-2\x00\nspecs/a b/specify.md\x00\xc3\xa9.md\x00";
        let commits = parse_log(raw);
        assert_eq!(
            commits.len(),
            1,
            "a commit without a trailer value is dropped"
        );
        let c = &commits[0];
        assert_eq!(c.sha, "bbbb");
        assert_eq!(c.time, 90);
        assert_eq!(c.subject, "first");
        assert_eq!(c.incident_ids, ["HM-1", "HM-2"]);
        assert_eq!(c.files, ["specs/a b/specify.md", "é.md"]);
    }
}
