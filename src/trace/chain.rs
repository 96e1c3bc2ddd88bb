//! One incident's chain: for each of the six links, every place it was found (a log record or
//! a commit), so `trace` can show where each link comes from and `check` can count coverage.

use super::{GIT_STEPS, Log, STEPS};
use crate::git::{self, History};
use schemars::JsonSchema;
use serde::Serialize;
use std::path::PathBuf;
use std::sync::OnceLock;

/// Where a link of the chain was found.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Source {
    /// A record of the trace log: its 1-based line and byte offset.
    Log {
        file: String,
        line: u32,
        offset: u64,
        #[serde(rename = "ref")]
        reference: Option<String>,
        ts: Option<String>,
    },
    /// A commit whose `Incident-Id:` trailer names the incident; for `spec_diff_created`, the
    /// spec files it changed.
    Git {
        sha: String,
        subject: String,
        #[serde(skip_serializing_if = "Vec::is_empty")]
        files: Vec<String>,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct Link {
    pub step: &'static str,
    /// Empty when the link is missing.
    pub sources: Vec<Source>,
}

#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct Chain {
    pub incident_id: String,
    pub links: Vec<Link>,
}

impl Chain {
    pub fn present(&self) -> Vec<&'static str> {
        self.links
            .iter()
            .filter(|l| !l.sources.is_empty())
            .map(|l| l.step)
            .collect()
    }

    pub fn missing(&self) -> Vec<&'static str> {
        self.links
            .iter()
            .filter(|l| l.sources.is_empty())
            .map(|l| l.step)
            .collect()
    }

    /// Coverage: links present / 6.
    pub fn value(&self) -> f64 {
        self.present().len() as f64 / STEPS.len() as f64
    }
}

/// Coverage of the links marked present (as [`Chain::value`]).
pub fn coverage(present: &[bool; STEPS.len()]) -> f64 {
    present.iter().filter(|p| **p).count() as f64 / STEPS.len() as f64
}

/// The steps not marked present, in order (as [`Chain::missing`]).
pub fn missing(present: &[bool; STEPS.len()]) -> Vec<&'static str> {
    STEPS
        .iter()
        .zip(present)
        .filter(|(_, p)| !**p)
        .map(|(s, _)| *s)
        .collect()
}

/// The hash of an incident id in the record index: the low 32 bits of std's SipHash with its
/// fixed keys (the same on every run; the index never leaves the process). 32 bits keep the
/// index as small as a list of positions; the rare ids that share one are told apart by
/// comparing the ids.
fn id_hash(id: &str) -> u32 {
    use std::hash::{BuildHasher, BuildHasherDefault};
    BuildHasherDefault::<std::collections::hash_map::DefaultHasher>::default().hash_one(id) as u32
}

/// The bucket of [`Sources::buckets`] that hash `h` falls in: its leading bits.
fn bucket_of(h: u32, shift: u32) -> usize {
    (u64::from(h) >> shift) as usize
}

/// The trace log of a run plus git history, read at most once and only when needed.
pub struct Sources {
    pub log_file: String,
    /// Not `pub`: the index below is built from it once, so it must not change afterwards.
    log: Log,
    root: PathBuf,
    history: OnceLock<History>,
    /// `(hash of the incident id, position)` for every record of the log, sorted: the records
    /// of one incident are in the run of its hash, in log order (a record whose id merely has
    /// the same hash is skipped by comparing the ids). Sorting hashes rather than the ids
    /// themselves keeps the sort and the searches off the records' strings; built with the
    /// sources, which `check` loads beside the readiness documents.
    records_by_incident: Vec<(u32, u32)>,
    /// Where in `records_by_incident` the hashes of each value of their leading
    /// `32 - bucket_shift` bits start (one more entry: the end). A lookup reads two of them and
    /// scans a run of one or two entries, where a binary search over the 60,000 records of
    /// 10,000 incidents took sixteen steps, most of them a cache miss.
    buckets: Vec<u32>,
    bucket_shift: u32,
    /// How ids are hashed for that index (a fixed hash; tests also use a colliding one).
    hash: fn(&str) -> u32,
    /// `(incident id, commit position)` for every trailer of every commit of the history,
    /// ordered the same way (a commit naming an incident twice is listed once).
    commits_by_incident: OnceLock<Vec<(String, usize)>>,
}

impl Sources {
    pub fn new(root: PathBuf, log_file: String, log: Log) -> Self {
        Self::with_hash(root, log_file, log, id_hash)
    }

    fn with_hash(root: PathBuf, log_file: String, log: Log, hash: fn(&str) -> u32) -> Self {
        // A log of more than 4 G records is far beyond any size limit the reader accepts.
        let mut index: Vec<(u32, u32)> = log
            .records
            .iter()
            .zip(0u32..)
            .map(|(r, k)| (hash(&r.incident_id), k))
            .collect();
        index.sort_unstable();
        // About one bucket per record (a power of two, at most 2^24).
        let bits = (usize::BITS - index.len().leading_zeros()).min(24);
        let bucket_shift = 32 - bits;
        let mut buckets = vec![0u32; (1 << bits) + 1];
        for &(h, _) in &index {
            buckets[bucket_of(h, bucket_shift) + 1] += 1;
        }
        for b in 1..buckets.len() {
            buckets[b] += buckets[b - 1];
        }
        Sources {
            log_file,
            log,
            root,
            history: OnceLock::new(),
            records_by_incident: index,
            buckets,
            bucket_shift,
            hash,
            commits_by_incident: OnceLock::new(),
        }
    }

    /// The trace log as read.
    pub fn log(&self) -> &Log {
        &self.log
    }

    /// The records of `incident_id`, in log order. A chain per incident over a log of every
    /// incident's records must not read the whole log each time: with 10,000 incidents that
    /// was 60,000 records read 60,000 times.
    fn records_of(&self, incident_id: &str) -> impl Iterator<Item = &super::log::Record> {
        let records = &self.log.records;
        let index = &self.records_by_incident;
        let h = (self.hash)(incident_id);
        let b = bucket_of(h, self.bucket_shift);
        let run = &index[self.buckets[b] as usize..self.buckets[b + 1] as usize];
        run.iter()
            .skip_while(move |&&(x, _)| x < h)
            .take_while(move |&&(x, _)| x == h)
            .filter_map(move |&(_, k)| records.get(k as usize))
            .filter(move |r| r.incident_id == incident_id)
    }

    /// The commits of the history whose trailers name `incident_id`, in history order.
    fn commits_of(&self, incident_id: &str) -> impl Iterator<Item = &git::Commit> {
        let commits = &self.history().commits;
        let index = self.commits_by_incident.get_or_init(|| {
            let mut index: Vec<(String, usize)> = commits
                .iter()
                .enumerate()
                .flat_map(|(k, c)| c.incident_ids.iter().map(move |id| (id.clone(), k)))
                .collect();
            index.sort();
            index.dedup();
            index
        });
        let from = index.partition_point(|(id, _)| id.as_str() < incident_id);
        let to = index.partition_point(|(id, _)| id.as_str() <= incident_id);
        index[from..to].iter().map(|&(_, k)| &commits[k])
    }

    /// Git history, read on first use.
    pub fn history(&self) -> &History {
        self.history
            .get_or_init(|| git::incident_commits(&self.root))
    }

    /// Notes for the user: torn records skipped, and what limited the git history if it was read.
    pub fn notes(&self) -> Vec<String> {
        let mut notes = self.log.warnings.clone();
        if let Some(h) = self.history.get()
            && let Some(n) = &h.note
        {
            notes.push(n.clone());
        }
        notes
    }

    /// Which links of `incident_id`'s chain are present, in the order of [`STEPS`]: what
    /// [`Self::chain`] finds without `all_sources`, without building its sources (`check`
    /// needs only the coverage and the missing links, for every incident).
    pub fn present(&self, incident_id: &str, spec_files: &[String]) -> [bool; STEPS.len()] {
        let mut present = [false; STEPS.len()];
        for r in self.records_of(incident_id) {
            if let Some(k) = STEPS.iter().position(|s| *s == r.step) {
                present[k] = true;
            }
        }
        let needs_git = STEPS
            .iter()
            .zip(present)
            .any(|(step, p)| GIT_STEPS.contains(step) && !p);
        if needs_git {
            let spec_dirs: Vec<String> = spec_files
                .iter()
                .filter_map(|f| f.rsplit_once('/').map(|(d, _)| format!("{d}/")))
                .collect();
            for c in self.commits_of(incident_id) {
                present[4] = true;
                present[3] |= c
                    .files
                    .iter()
                    .any(|f| spec_files.contains(f) || spec_dirs.iter().any(|d| f.starts_with(d)));
            }
        }
        present
    }

    /// The chain of `incident_id`. `spec_files` are the incident's spec files (repository-
    /// relative); a trailer commit that changed one of them, or a file beside it, is a spec diff.
    /// Git is consulted when `all_sources` is set or when the log lacks a link git can supply.
    pub fn chain(&self, incident_id: &str, spec_files: &[String], all_sources: bool) -> Chain {
        let mut links: Vec<Link> = STEPS
            .iter()
            .map(|step| Link {
                step,
                sources: self
                    .records_of(incident_id)
                    .filter(|r| r.step == *step)
                    .map(|r| Source::Log {
                        file: self.log_file.clone(),
                        line: r.line,
                        offset: r.offset,
                        reference: r.reference.clone(),
                        ts: r.ts.clone(),
                    })
                    .collect(),
            })
            .collect();
        let needs_git = links
            .iter()
            .any(|l| GIT_STEPS.contains(&l.step) && l.sources.is_empty());
        if all_sources || needs_git {
            let spec_dirs: Vec<String> = spec_files
                .iter()
                .filter_map(|f| f.rsplit_once('/').map(|(d, _)| format!("{d}/")))
                .collect();
            for c in self.commits_of(incident_id) {
                links[4].sources.push(Source::Git {
                    sha: c.sha.clone(),
                    subject: c.subject.clone(),
                    files: vec![],
                });
                let touched: Vec<String> = c
                    .files
                    .iter()
                    .filter(|f| {
                        spec_files.contains(f) || spec_dirs.iter().any(|d| f.starts_with(d))
                    })
                    .cloned()
                    .collect();
                if !touched.is_empty() {
                    links[3].sources.push(Source::Git {
                        sha: c.sha.clone(),
                        subject: c.subject.clone(),
                        files: touched,
                    });
                }
            }
        }
        Chain {
            incident_id: incident_id.to_string(),
            links,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::git::Commit;

    fn sources(log: &str, commits: Vec<Commit>) -> Sources {
        sources_hashed(log, commits, id_hash)
    }

    /// Ids hashed by their length only: every id of the same length collides.
    /// Ids of one length share a hash near `u32::MAX`.
    fn top_hash(id: &str) -> u32 {
        u32::MAX - id.len() as u32
    }

    fn length_hash(id: &str) -> u32 {
        id.len() as u32
    }

    fn sources_hashed(log: &str, commits: Vec<Commit>, hash: fn(&str) -> u32) -> Sources {
        let s = Sources::with_hash(
            PathBuf::from("/nonexistent"),
            "t.jsonl".into(),
            super::super::parse("t.jsonl", log.as_bytes()).unwrap(),
            hash,
        );
        s.history
            .set(History {
                commits,
                note: None,
            })
            .unwrap();
        s
    }

    fn commit(sha: &str, ids: &[&str], files: &[&str]) -> Commit {
        Commit {
            sha: sha.into(),
            time: 0,
            subject: "s".into(),
            incident_ids: ids.iter().map(|s| s.to_string()).collect(),
            files: files.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn git_supplies_commit_and_spec_diff_links() {
        let log = "{\"incident_id\":\"HM-1\",\"step\":\"webhook_received\"}\n{\"incident_id\":\"HM-2\",\"step\":\"validate\"}\n";
        let s = sources(
            log,
            vec![
                commit("a1", &["HM-1"], &["specs/hm/plan.md"]),
                commit("b2", &["HM-1"], &["README.md"]),
                commit("c3", &["HM-9"], &["specs/hm/specify.md"]),
            ],
        );
        let c = s.chain("HM-1", &["specs/hm/specify.md".into()], false);
        assert_eq!(
            c.present(),
            ["webhook_received", "spec_diff_created", "commit"]
        );
        assert_eq!(c.links[4].sources.len(), 2);
        assert_eq!(
            c.links[3].sources,
            [Source::Git {
                sha: "a1".into(),
                subject: "s".into(),
                files: vec!["specs/hm/plan.md".into()]
            }]
        );
        assert_eq!(c.value(), 0.5);
        // Another incident's records and commits never count.
        let other = s.chain("HM-2", &[], false);
        assert_eq!(other.present(), ["validate"]);
        // Without a spec, a trailer commit is a commit link but no spec diff.
        assert_eq!(s.chain("HM-1", &[], false).present().len(), 2);
    }

    /// The chain as it was computed before the index: every record and every commit read for
    /// every incident (the reference the indexed lookup must agree with).
    fn chain_by_scan(s: &Sources, incident_id: &str, spec_files: &[String]) -> Chain {
        let mut links: Vec<Link> = STEPS
            .iter()
            .map(|step| Link {
                step,
                sources: s
                    .log
                    .records
                    .iter()
                    .filter(|r| r.incident_id == incident_id && r.step == *step)
                    .map(|r| Source::Log {
                        file: s.log_file.clone(),
                        line: r.line,
                        offset: r.offset,
                        reference: r.reference.clone(),
                        ts: r.ts.clone(),
                    })
                    .collect(),
            })
            .collect();
        let spec_dirs: Vec<String> = spec_files
            .iter()
            .filter_map(|f| f.rsplit_once('/').map(|(d, _)| format!("{d}/")))
            .collect();
        for c in &s.history().commits {
            if !c.incident_ids.iter().any(|i| i == incident_id) {
                continue;
            }
            links[4].sources.push(Source::Git {
                sha: c.sha.clone(),
                subject: c.subject.clone(),
                files: vec![],
            });
            let touched: Vec<String> = c
                .files
                .iter()
                .filter(|f| spec_files.contains(f) || spec_dirs.iter().any(|d| f.starts_with(d)))
                .cloned()
                .collect();
            if !touched.is_empty() {
                links[3].sources.push(Source::Git {
                    sha: c.sha.clone(),
                    subject: c.subject.clone(),
                    files: touched,
                });
            }
        }
        Chain {
            incident_id: incident_id.to_string(),
            links,
        }
    }

    proptest::proptest! {
        /// Looking an incident's records and commits up in the index finds exactly what
        /// reading the whole log and history finds, in the same order: ids that share a
        /// prefix, repeated records, a commit naming the same incident twice, unknown ids.
        #[test]
        fn indexed_chains_match_a_full_scan(
            records in proptest::collection::vec((0usize..6, 0usize..8), 0..40),
            commits in proptest::collection::vec(
                (proptest::collection::vec(0usize..6, 0..4), proptest::bool::ANY),
                0..12,
            ),
        ) {
            const IDS: [&str; 6] = ["HM-1", "HM-10", "HM-1 ", "hm-1", "HM-2", ""];
            let steps: Vec<&str> = STEPS.iter().copied().chain(["/sdd:specify", "other"]).collect();
            let log: String = records
                .iter()
                .enumerate()
                .map(|(n, &(id, step))| {
                    format!(
                        "{{\"incident_id\":{:?},\"step\":{:?},\"ref\":\"r{n}\"}}\n",
                        IDS[id], steps[step]
                    )
                })
                .collect();
            let history: Vec<Commit> = commits
                .iter()
                .enumerate()
                .map(|(n, (ids, spec))| Commit {
                    sha: format!("c{n}"),
                    time: 0,
                    subject: format!("s{n}"),
                    incident_ids: ids.iter().map(|&i| IDS[i].to_string()).collect(),
                    files: if *spec { vec!["specs/hm/plan.md".into()] } else { vec![] },
                })
                .collect();
            let spec = ["specs/hm/specify.md".to_string()];
            // With the real hash, and with one under which "HM-1", "HM-2", "hm-1" and "HM-3"
            // all collide: the index must tell them apart by the ids themselves.
            // And with hashes at the top of the range (the last buckets of the index).
            for s in [
                sources(&log, history.clone()),
                sources_hashed(&log, history.clone(), length_hash),
                sources_hashed(&log, history.clone(), top_hash),
            ] {
            for id in IDS.iter().chain(&["HM-3", "HM"]) {
                let want = chain_by_scan(&s, id, &spec);
                proptest::prop_assert_eq!(s.chain(id, &spec, true), want);
                // The presence alone is what the chain without `all_sources` shows.
                let chain = s.chain(id, &spec, false);
                let shown: Vec<bool> = chain.links.iter().map(|l| !l.sources.is_empty()).collect();
                let present = s.present(id, &spec);
                proptest::prop_assert_eq!(present.to_vec(), shown);
                proptest::prop_assert_eq!(coverage(&present), chain.value());
                proptest::prop_assert_eq!(missing(&present), chain.missing());
            }
            }
        }
    }

    #[test]
    fn git_is_not_read_when_the_log_is_complete() {
        let log: String = STEPS
            .iter()
            .map(|st| format!("{{\"incident_id\":\"HM-1\",\"step\":\"{st}\"}}\n"))
            .collect();
        let s = Sources::new(
            PathBuf::from("/nonexistent"),
            "t.jsonl".into(),
            super::super::parse("t.jsonl", log.as_bytes()).unwrap(),
        );
        assert_eq!(s.chain("HM-1", &[], false).value(), 1.0);
        assert!(s.history.get().is_none());
    }
}
