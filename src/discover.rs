//! Finding the incidents under the paths given: a .gitignore-aware walk matching the
//! configured globs, then pairing each readiness document with its spec.

use crate::config::Config;
use crate::error::{Error, Result};
use globset::{Glob, GlobSet, GlobSetBuilder};
use std::path::{Path, PathBuf};

#[derive(Debug, Default, Clone, PartialEq)]
pub struct Found {
    /// Repository-relative paths, sorted.
    pub specs: Vec<String>,
    pub readiness: Vec<String>,
    /// Every regular file the walk listed, whatever its name (evidence among them).
    pub listed: Listed,
}

/// The regular files a walk of the working tree listed, by repository-relative path. The walk
/// follows no link and starts from a canonical directory, so each was reached through real
/// directories below the root. A spec the walk listed is taken without an `lstat` of it and of
/// its directory, and evidence it listed is opened by [`crate::repo::listed_evidence_status`]
/// (the kernel refusing a link anywhere in the path) instead of being resolved first: 20,000
/// path lookups fewer at 10,000 incidents, and an `fstat` of each opened file where an `lstat`
/// of its path was. Only a plain path (see [`crate::repo::is_listed_spelling`]) is ever
/// looked up; anything else, or a path the walk did not list (ignored, outside the paths
/// walked, missing), is resolved as before.
#[derive(Debug, Default, Clone)]
pub struct Listed {
    /// One set per walking thread, each filled as that thread walked: merging them would be a
    /// serial step of one insert per file (50,000 at 10,000 incidents). A path is in one set
    /// per walk (in two when two paths given on the command line overlap).
    sets: Vec<ListedSet>,
}

type ListedSet = std::collections::HashSet<Box<str>, foldhash::fast::RandomState>;

impl Listed {
    /// Whether the walk listed `rel` (repository-relative, as the walk spells paths) as a
    /// regular file.
    pub fn contains(&self, rel: &str) -> bool {
        self.sets.iter().any(|s| s.contains(rel))
    }

    /// How many paths were listed (a path listed by two walks counts twice).
    pub fn len(&self) -> usize {
        self.sets.iter().map(|s| s.len()).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.sets.iter().all(|s| s.is_empty())
    }
}

/// The same files, however the walking threads shared them.
impl PartialEq for Listed {
    fn eq(&self, other: &Listed) -> bool {
        self.sets.iter().flatten().all(|p| other.contains(p))
            && other.sets.iter().flatten().all(|p| self.contains(p))
    }
}

fn globset(globs: &[String]) -> Result<GlobSet> {
    let mut b = GlobSetBuilder::new();
    for g in globs {
        b.add(Glob::new(g).map_err(|e| Error::Usage(format!("invalid glob `{g}`: {e}")))?);
    }
    b.build().map_err(|e| Error::Usage(e.to_string()))
}

/// Walks `paths` (relative to the current directory; none = the repository root).
pub fn discover(config: &Config, paths: &[PathBuf]) -> Result<Found> {
    let specs = globset(&config.spec_globs)?;
    let readiness = globset(&config.readiness_globs)?;
    let exclude = globset(&config.exclude_globs)?;
    let mut found = Found::default();
    let roots: Vec<PathBuf> = if paths.is_empty() {
        vec![config.root.clone()]
    } else {
        paths.to_vec()
    };
    for root in roots {
        let abs = absolute(&root);
        let meta = std::fs::metadata(&abs).map_err(|e| Error::io(&root, e))?;
        let rel_root = rel(&config.root, &abs);
        if meta.is_file() {
            // A file named on the command line is checked whatever the globs and excludes say.
            let name = abs.file_name().and_then(|n| n.to_str()).unwrap_or("");
            if specs.is_match(&rel_root)
                || name == "specify.md"
                || name == config.sibling_spec_name()
            {
                found.specs.push(rel_root);
            } else {
                found.readiness.push(rel_root);
            }
            continue;
        }
        // A directory named on the command line is walked even when an exclude covers it.
        let root_excluded = !rel_root.is_empty()
            && (exclude.is_match(&rel_root) || exclude.is_match(format!("{rel_root}/x")));
        let walked = walk(
            config,
            &abs,
            &specs,
            &readiness,
            (!root_excluded).then_some(&exclude),
        )
        .map_err(|e| Error::Usage(format!("walking {}: {e}", root.display())))?;
        found.specs.extend(walked.specs);
        found.readiness.extend(walked.readiness);
        found.listed.sets.extend(walked.listed.sets);
    }
    for v in [&mut found.specs, &mut found.readiness] {
        v.sort();
        v.dedup();
    }
    Ok(found)
}

/// The parallel, .gitignore-aware walk of one directory: every thread keeps its own lists,
/// merged when it ends (the caller sorts). The first walking error stops the walk.
fn walk(
    config: &Config,
    dir: &Path,
    specs: &GlobSet,
    readiness: &GlobSet,
    exclude: Option<&GlobSet>,
) -> std::result::Result<Found, ignore::Error> {
    use ignore::WalkState;
    use std::sync::Mutex;

    /// One thread's findings, handed over when the walker drops its visitor.
    struct Visitor<'a> {
        found: Found,
        listed: ListedSet,
        into: &'a Mutex<(Found, Option<ignore::Error>)>,
        config: &'a Config,
        specs: &'a GlobSet,
        readiness: &'a GlobSet,
        exclude: Option<&'a GlobSet>,
    }
    impl ignore::ParallelVisitor for Visitor<'_> {
        fn visit(
            &mut self,
            entry: std::result::Result<ignore::DirEntry, ignore::Error>,
        ) -> WalkState {
            let entry = match entry {
                Ok(e) => e,
                Err(e) => {
                    let mut shared = self.into.lock().unwrap_or_else(|p| p.into_inner());
                    shared.1.get_or_insert(e);
                    return WalkState::Quit;
                }
            };
            if !entry.file_type().is_some_and(|t| t.is_file()) {
                return WalkState::Continue;
            }
            let (r, plain) = match plain_rel(&self.config.root, entry.path()) {
                Some(r) => (r.to_string(), true),
                None => (rel_by_components(&self.config.root, entry.path()), false),
            };
            // Prepared once for the two or three sets (as each `is_match` would prepare it).
            let candidate = globset::Candidate::new(&r);
            // Excluded or not, a file below the root is listed: evidence may be anywhere.
            // Only a path below the root spelled plainly is: it is what evidence is looked up
            // by (a root that is not a prefix of the canonical walk lists nothing).
            let excluded = self
                .exclude
                .is_some_and(|x| x.is_match_candidate(&candidate));
            let list = if excluded {
                None
            } else if self.specs.is_match_candidate(&candidate) {
                Some(&mut self.found.specs)
            } else if self.readiness.is_match_candidate(&candidate) {
                Some(&mut self.found.readiness)
            } else {
                None
            };
            match (list, plain) {
                (Some(list), true) => {
                    self.listed.insert(r.as_str().into());
                    list.push(r);
                }
                (Some(list), false) => list.push(r),
                (None, true) => {
                    self.listed.insert(r.into_boxed_str());
                }
                (None, false) => {}
            }
            WalkState::Continue
        }
    }
    impl Drop for Visitor<'_> {
        fn drop(&mut self) {
            let mut shared = self.into.lock().unwrap_or_else(|p| p.into_inner());
            shared.0.specs.append(&mut self.found.specs);
            shared.0.readiness.append(&mut self.found.readiness);
            if !self.listed.is_empty() {
                shared.0.listed.sets.push(std::mem::take(&mut self.listed));
            }
        }
    }
    struct Builder<'a> {
        into: &'a Mutex<(Found, Option<ignore::Error>)>,
        config: &'a Config,
        specs: &'a GlobSet,
        readiness: &'a GlobSet,
        exclude: Option<&'a GlobSet>,
    }
    impl<'s> ignore::ParallelVisitorBuilder<'s> for Builder<'s> {
        fn build(&mut self) -> Box<dyn ignore::ParallelVisitor + 's> {
            Box::new(Visitor {
                found: Found::default(),
                listed: ListedSet::default(),
                into: self.into,
                config: self.config,
                specs: self.specs,
                readiness: self.readiness,
                exclude: self.exclude,
            })
        }
    }

    let into = Mutex::new((Found::default(), None));
    ignore::WalkBuilder::new(dir)
        .hidden(false)
        .filter_entry(|e| e.file_name() != ".git")
        .require_git(false)
        .build_parallel()
        .visit(&mut Builder {
            into: &into,
            config,
            specs,
            readiness,
            exclude,
        });
    let (found, error) = into.into_inner().unwrap_or_else(|p| p.into_inner());
    match error {
        Some(e) => Err(e),
        None => Ok(found),
    }
}

fn absolute(p: &Path) -> PathBuf {
    let abs = if p.is_absolute() {
        p.to_path_buf()
    } else {
        std::env::current_dir()
            .map(|c| c.join(p))
            .unwrap_or_else(|_| p.to_path_buf())
    };
    std::fs::canonicalize(&abs).unwrap_or(abs)
}

/// Repository-relative, `/`-separated.
fn rel(root: &Path, p: &Path) -> String {
    match plain_rel(root, p) {
        Some(r) => r.to_string(),
        None => rel_by_components(root, p),
    }
}

/// [`rel`] when `p` is plain names after `root/` (what the components would give, taken from
/// the bytes), valid UTF-8 without a backslash.
fn plain_rel<'p>(root: &Path, p: &'p Path) -> Option<&'p str> {
    let rest = crate::repo::plain_below(root, p)?;
    std::str::from_utf8(rest).ok().filter(|r| !r.contains('\\'))
}

/// [`rel`] by `strip_prefix`, for any path.
fn rel_by_components(root: &Path, p: &Path) -> String {
    p.strip_prefix(root)
        .unwrap_or(p)
        .to_string_lossy()
        .replace('\\', "/")
}

/// Files changed since `base` (committed, staged, unstaged, untracked), repository-relative.
pub fn changed_since(config: &Config, base: &str) -> Result<Vec<String>> {
    let run = |args: &[&str]| -> Result<Vec<String>> {
        let out = std::process::Command::new("git")
            .arg("-C")
            .arg(&config.root)
            .args(args)
            .output()
            .map_err(|e| Error::Usage(format!("--base needs git: {e}")))?;
        if !out.status.success() {
            return Err(Error::Usage(format!(
                "git {} failed: {}",
                args.join(" "),
                String::from_utf8_lossy(&out.stderr).trim()
            )));
        }
        Ok(out
            .stdout
            .split(|&b| b == 0)
            .filter(|s| !s.is_empty())
            .map(|s| String::from_utf8_lossy(s).into_owned())
            .collect())
    };
    let mut files = run(&["diff", "--name-only", "-z", "--no-renames", base, "--"])?;
    files.extend(run(&["ls-files", "-z", "--others", "--exclude-standard"])?);
    files.sort();
    files.dedup();
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_parallel_walk_finds_every_document_once_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let root = std::fs::canonicalize(dir.path()).unwrap();
        for i in 0..300 {
            let d = root.join(format!("specs/t{i:03}"));
            std::fs::create_dir_all(&d).unwrap();
            std::fs::write(d.join("specify.md"), "x").unwrap();
            std::fs::write(d.join("readiness.md"), "x").unwrap();
            std::fs::write(d.join("plan.md"), "x").unwrap();
        }
        std::fs::create_dir_all(root.join("vendor/t")).unwrap();
        std::fs::write(root.join("vendor/t/specify.md"), "x").unwrap();
        let config = Config::from_text(
            root.clone(),
            None,
            "discovery:\n  exclude: [\"vendor/**\"]\n",
        )
        .unwrap();
        let found = discover(&config, &[]).unwrap();
        let want: Vec<String> = (0..300)
            .map(|i| format!("specs/t{i:03}/specify.md"))
            .collect();
        assert_eq!(found.specs, want);
        assert_eq!(found.readiness.len(), 300);
        assert!(found.readiness.windows(2).all(|w| w[0] < w[1]));
        // Every regular file is listed, excluded ones too (evidence may be anywhere); links
        // and directories are not.
        #[cfg(unix)]
        std::os::unix::fs::symlink("t000/plan.md", root.join("specs/link.md")).unwrap();
        let found = discover(&config, &[]).unwrap();
        assert_eq!(found.listed.len(), 901);
        for p in [
            "specs/t000/plan.md",
            "specs/t299/specify.md",
            "vendor/t/specify.md",
        ] {
            assert!(found.listed.contains(p), "{p}");
        }
        for p in [
            "specs/link.md",
            "specs/t000",
            "specs",
            "t000/plan.md",
            "./specs/t000/plan.md",
        ] {
            assert!(!found.listed.contains(p), "{p}");
        }
        // The same answer however the threads were scheduled.
        for _ in 0..5 {
            assert_eq!(discover(&config, &[]).unwrap(), found);
        }
    }

    #[test]
    fn relative_paths_are_those_of_the_components() {
        use proptest::prelude::*;
        for root in ["/w/repo", "/w/repo/", "/w//repo", "/"] {
            let root = Path::new(root);
            proptest!(|(tail in "[a./\\\\]{0,10}")| {
                let p = PathBuf::from(format!("/w/repo{tail}"));
                prop_assert_eq!(rel(root, &p), rel_by_components(root, &p));
            });
        }
    }

    #[test]
    fn a_walking_error_is_returned_not_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let config = Config::from_text(dir.path().to_path_buf(), None, "").unwrap();
        let none = GlobSet::empty();
        let err = walk(&config, &dir.path().join("gone"), &none, &none, None).unwrap_err();
        assert!(err.to_string().contains("gone"), "{err}");
    }
}
