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
            let r = rel(&self.config.root, entry.path());
            // Prepared once for the two or three sets (as each `is_match` would prepare it).
            let candidate = globset::Candidate::new(&r);
            if self
                .exclude
                .is_some_and(|x| x.is_match_candidate(&candidate))
            {
                return WalkState::Continue;
            }
            if self.specs.is_match_candidate(&candidate) {
                self.found.specs.push(r);
            } else if self.readiness.is_match_candidate(&candidate) {
                self.found.readiness.push(r);
            }
            WalkState::Continue
        }
    }
    impl Drop for Visitor<'_> {
        fn drop(&mut self) {
            let mut shared = self.into.lock().unwrap_or_else(|p| p.into_inner());
            shared.0.specs.append(&mut self.found.specs);
            shared.0.readiness.append(&mut self.found.readiness);
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
    // Plain names after `root/`: what the components would give, taken from the bytes.
    if let Some(rest) = crate::repo::plain_below(root, p)
        && let Ok(rest) = std::str::from_utf8(rest)
        && !rest.contains('\\')
    {
        return rest.to_string();
    }
    rel_by_components(root, p)
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
