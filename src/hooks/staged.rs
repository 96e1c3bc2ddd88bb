//! What a commit touches: the staged changes (`git diff --cached`), and from them the incidents
//! to gate — staged specs and readiness documents, the incident whose directory holds a staged
//! file (its evidence), and the readiness documents that name a deleted or renamed file.
//!
//! Cost is the point here: one `git diff` for every commit, directory listings of the working
//! tree to find an incident's documents (confirmed in the index), and `git grep --cached` only
//! when a commit deletes a file or stages a spec with no readiness document beside it.

use crate::config::Config;
use crate::discover::Found;
use crate::error::{Error, Result};
use crate::files::Files;
use crate::gitdb::ChangeKind;
use globset::{Glob, GlobSet, GlobSetBuilder};
use std::collections::{BTreeSet, HashMap};
use std::path::Path;
use std::process::Command;

/// The staged changes, repository-relative.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Staged {
    /// Added, modified or type-changed (a rename's new name is here).
    pub changed: Vec<String>,
    /// Deleted (a rename's old name is here).
    pub deleted: Vec<String>,
}

impl Staged {
    pub fn is_empty(&self) -> bool {
        self.changed.is_empty() && self.deleted.is_empty()
    }

    pub fn all(&self) -> impl Iterator<Item = &String> {
        self.changed.iter().chain(self.deleted.iter())
    }
}

/// Reads the staged changes: in process when `files` reads the index and understands the
/// repository, else from `git diff --cached`. Works on the initial commit (against the empty
/// tree) and honours `GIT_INDEX_FILE`, which git sets for `commit -a` and `commit PATH`.
pub fn staged(root: &Path, files: &Files) -> Result<Staged> {
    if let Some(changes) = files.gitdb().and_then(|r| r.staged()) {
        let mut staged = Staged::default();
        for c in changes {
            let path = String::from_utf8_lossy(&c.path).into_owned();
            match c.kind {
                ChangeKind::Deleted => staged.deleted.push(path),
                ChangeKind::Added | ChangeKind::Modified => staged.changed.push(path),
            }
        }
        return Ok(staged);
    }
    git_staged(root)
}

/// The staged changes as `git diff --cached` reports them.
pub fn git_staged(root: &Path) -> Result<Staged> {
    let out = Command::new("git")
        .arg("-C")
        .arg(root)
        .args([
            "diff",
            "--cached",
            "--name-status",
            "-z",
            "--no-renames",
            "--no-ext-diff",
            "--ignore-submodules",
        ])
        .output()
        .map_err(|e| Error::Usage(format!("the pre-commit hook needs git: {e}")))?;
    if !out.status.success() {
        return Err(Error::Usage(format!(
            "git diff --cached failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        )));
    }
    Ok(parse_name_status(&out.stdout))
}

pub fn parse_name_status(bytes: &[u8]) -> Staged {
    let mut staged = Staged::default();
    let mut fields = bytes.split(|&b| b == 0).filter(|f| !f.is_empty());
    while let Some(status) = fields.next() {
        let Some(path) = fields.next() else { break };
        let path = String::from_utf8_lossy(path).into_owned();
        match status.first() {
            Some(b'D') => staged.deleted.push(path),
            // Unmerged entries (a merge in progress) count as changed: their staged result is
            // what gets committed.
            Some(_) => staged.changed.push(path),
            None => {}
        }
    }
    staged
}

fn globset(globs: &[String]) -> Result<GlobSet> {
    let mut b = GlobSetBuilder::new();
    for g in globs {
        b.add(Glob::new(g).map_err(|e| Error::Usage(format!("invalid glob `{g}`: {e}")))?);
    }
    b.build().map_err(|e| Error::Usage(e.to_string()))
}

/// The config's globs, compiled only when a path could match one: a glob's literal runs must
/// all occur in any path it matches, so a commit whose paths contain none of them (the common
/// commit touching no incident) never pays for compiling the globs into regexes.
struct Matchers<'a> {
    config: &'a Config,
    specs: Vec<Vec<String>>,
    readiness: Vec<Vec<String>>,
    exclude: Vec<Vec<String>>,
    compiled: std::cell::OnceCell<Compiled>,
}

struct Compiled {
    specs: GlobSet,
    readiness: GlobSet,
    exclude: GlobSet,
}

/// The literal runs of a glob (text between metacharacters), or `None` when the glob uses
/// alternatives or classes, whose literals are not all required.
fn literal_runs(glob: &str) -> Option<Vec<String>> {
    if glob.contains(['{', '[', '\\']) {
        return None;
    }
    Some(
        glob.split(['*', '?'])
            .filter(|r| !r.is_empty() && *r != "/")
            .map(|r| r.trim_matches('/').to_string())
            .filter(|r| !r.is_empty())
            .collect(),
    )
}

/// Whether `path` may match one of the globs whose runs are `runs` (an empty run list, from a
/// glob without literals or one using `{…}`/`[…]`, may match anything).
fn may_match(runs: &[Vec<String>], path: &str) -> bool {
    runs.iter().any(|r| {
        r.iter()
            .all(|lit| lit.split('/').all(|part| path.contains(part)))
    })
}

impl<'a> Matchers<'a> {
    fn new(config: &'a Config) -> Self {
        let runs = |globs: &[String]| {
            globs
                .iter()
                .map(|g| literal_runs(g).unwrap_or_default())
                .collect::<Vec<_>>()
        };
        Matchers {
            config,
            specs: runs(&config.spec_globs),
            readiness: runs(&config.readiness_globs),
            exclude: runs(&config.exclude_globs),
            compiled: std::cell::OnceCell::new(),
        }
    }

    fn compiled(&self) -> Result<&Compiled> {
        if let Some(c) = self.compiled.get() {
            return Ok(c);
        }
        let c = Compiled {
            specs: globset(&self.config.spec_globs)?,
            readiness: globset(&self.config.readiness_globs)?,
            exclude: globset(&self.config.exclude_globs)?,
        };
        Ok(self.compiled.get_or_init(|| c))
    }

    fn is_spec(&self, p: &str) -> Result<bool> {
        Ok(may_match(&self.specs, p) && self.compiled()?.specs.is_match(p))
    }

    fn is_readiness(&self, p: &str) -> Result<bool> {
        Ok(may_match(&self.readiness, p) && self.compiled()?.readiness.is_match(p))
    }

    fn is_excluded(&self, p: &str) -> Result<bool> {
        Ok(may_match(&self.exclude, p) && self.compiled()?.exclude.is_match(p))
    }

    fn is_document(&self, p: &str) -> Result<bool> {
        Ok((self.is_spec(p)? || self.is_readiness(p)?) && !self.is_excluded(p)?)
    }
}

/// The incidents a commit touches, as the documents to gate (read from the index by the
/// caller's `config.files`).
pub fn touched(config: &Config, staged: &Staged) -> Result<Found> {
    let m = Matchers::new(config);
    let mut specs = BTreeSet::new();
    let mut readiness = BTreeSet::new();
    let mut listings: HashMap<String, Vec<String>> = HashMap::new();
    for p in &staged.changed {
        let (spec, ready) = (m.is_spec(p)?, m.is_readiness(p)?);
        if (spec || ready) && m.is_excluded(p)? {
            continue;
        }
        if spec {
            specs.insert(p.clone());
        } else if ready {
            readiness.insert(p.clone());
        } else {
            // Evidence or a phase document: the nearest directory holding an incident's
            // documents owns it.
            for doc in incident_documents(config, &m, p, &mut listings)? {
                if m.is_spec(&doc)? {
                    specs.insert(doc);
                } else {
                    readiness.insert(doc);
                }
            }
        }
    }
    // A staged spec is judged by the readiness documents beside it, else by those naming it.
    let mut lonely = Vec::new();
    for s in &specs {
        let dir = parent(s);
        let mut beside: Vec<String> = Vec::new();
        for f in listing(config, dir, &mut listings) {
            if m.is_readiness(f)? && !m.is_excluded(f)? && config.files.is_file(&config.root, f) {
                beside.push(f.clone());
            }
        }
        if beside.is_empty() {
            lonely.push(s.clone());
        }
        readiness.extend(beside);
    }
    // Deleted files (evidence, a renamed spec) and lonely specs: readiness documents naming them.
    let mut wanted: Vec<String> = Vec::new();
    for p in &staged.deleted {
        if !m.is_readiness(p)? {
            wanted.push(p.clone());
        }
    }
    wanted.extend(lonely);
    if !wanted.is_empty() {
        for doc in grep_readiness(config, &wanted)? {
            if !m.is_excluded(&doc)? {
                readiness.insert(doc);
            }
        }
    }
    Ok(Found {
        specs: specs.into_iter().collect(),
        readiness: readiness.into_iter().collect(),
        // The index is judged, not the working tree: nothing is taken from a walk of it.
        listed: Default::default(),
    })
}

fn parent(p: &str) -> &str {
    p.rsplit_once('/').map_or("", |(d, _)| d)
}

/// The files of a directory in the working tree (repository-relative), listed once.
fn listing<'a>(
    config: &Config,
    dir: &str,
    cache: &'a mut HashMap<String, Vec<String>>,
) -> &'a Vec<String> {
    cache.entry(dir.to_string()).or_insert_with(|| {
        let abs = config.root.join(dir);
        std::fs::read_dir(abs)
            .map(|rd| {
                rd.filter_map(|e| e.ok())
                    .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
                    .map(|e| {
                        let name = e.file_name().to_string_lossy().into_owned();
                        if dir.is_empty() {
                            name
                        } else {
                            format!("{dir}/{name}")
                        }
                    })
                    .collect()
            })
            .unwrap_or_default()
    })
}

/// Specs and readiness documents of the nearest ancestor directory of `path` that has any
/// (below the repository root, which is no incident's directory).
fn incident_documents(
    config: &Config,
    m: &Matchers,
    path: &str,
    cache: &mut HashMap<String, Vec<String>>,
) -> Result<Vec<String>> {
    let mut dir = parent(path);
    while !dir.is_empty() {
        let mut docs: Vec<String> = Vec::new();
        for f in listing(config, dir, cache) {
            if m.is_document(f)? && config.files.is_file(&config.root, f) {
                docs.push(f.clone());
            }
        }
        if !docs.is_empty() {
            return Ok(docs);
        }
        dir = parent(dir);
    }
    Ok(Vec::new())
}

/// Readiness documents in the index whose text contains one of `needles` (then parsed and
/// judged by the gate, which decides whether they really name it).
pub fn grep_readiness(config: &Config, needles: &[String]) -> Result<Vec<String>> {
    let mut cmd = Command::new("git");
    cmd.arg("-C")
        .arg(&config.root)
        .args(["grep", "--cached", "-l", "-z", "-F", "--no-color"]);
    for n in needles {
        cmd.arg("-e").arg(n);
    }
    cmd.arg("--");
    for g in &config.readiness_globs {
        cmd.arg(format!(":(glob){g}"));
    }
    let out = cmd
        .output()
        .map_err(|e| Error::Usage(format!("the pre-commit hook needs git: {e}")))?;
    match out.status.code() {
        Some(0) | Some(1) => Ok(out
            .stdout
            .split(|&b| b == 0)
            .filter(|f| !f.is_empty())
            .map(|f| String::from_utf8_lossy(f).into_owned())
            .collect()),
        _ => Err(Error::Usage(format!(
            "git grep --cached failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ))),
    }
}

/// Whether the commit needs an `Incident-Id:` trailer: it touches `hooks.incident_paths`, or
/// (by default) any incident.
pub fn needs_incident_id(config: &Config, staged: &Staged, touched: &Found) -> Result<bool> {
    if config.hooks.incident_paths.is_empty() {
        return Ok(!touched.specs.is_empty() || !touched.readiness.is_empty());
    }
    let set = globset(&config.hooks.incident_paths)?;
    Ok(staged.all().any(|p| set.is_match(p)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn glob_literals_are_a_sound_prefilter() {
        assert_eq!(
            literal_runs("**/readiness*.yaml"),
            Some(vec!["readiness".to_string(), ".yaml".to_string()])
        );
        assert_eq!(literal_runs("**/{a,b}.md"), None);
        let runs = |g: &[&str]| {
            g.iter()
                .map(|g| literal_runs(g).unwrap_or_default())
                .collect::<Vec<_>>()
        };
        // Whatever globset matches, the prefilter lets through.
        let globs = [
            "**/specify.md",
            "**/readiness*.yaml",
            "specs/**/readiness.md",
            "**/{x,y}.md",
            "*",
        ];
        let paths = [
            "specs/a/specify.md",
            "specs/readiness/notes.yaml",
            "docs/readiness-v2.yaml",
            "specs/deep/er/readiness.md",
            "x.md",
            "src/main.rs",
        ];
        for g in globs {
            let set = globset(&[g.to_string()]).unwrap();
            for p in paths {
                if set.is_match(p) {
                    assert!(may_match(&runs(&[g]), p), "{g} matches {p}");
                }
            }
        }
        assert!(!may_match(&runs(&["**/specify.md"]), "src/main.rs"));
        assert!(!may_match(
            &runs(&["**/readiness*.yaml"]),
            "src/readiness.md"
        ));
    }

    #[test]
    fn parses_name_status_with_odd_names() {
        let s = parse_name_status(b"M\0specs/a b/specify.md\0D\0specs/\xc3\xa9/old.md\0A\0new\0");
        assert_eq!(s.changed, ["specs/a b/specify.md", "new"]);
        assert_eq!(s.deleted, ["specs/é/old.md"]);
        assert!(parse_name_status(b"").is_empty());
    }
}
