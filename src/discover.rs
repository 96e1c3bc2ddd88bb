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
        let rel_root = rel(config, &abs);
        if meta.is_file() {
            // A file named on the command line is checked whatever the globs and excludes say.
            let name = abs.file_name().and_then(|n| n.to_str()).unwrap_or("");
            if specs.is_match(&rel_root) || name == "specify.md" {
                found.specs.push(rel_root);
            } else {
                found.readiness.push(rel_root);
            }
            continue;
        }
        // A directory named on the command line is walked even when an exclude covers it.
        let root_excluded = !rel_root.is_empty()
            && (exclude.is_match(&rel_root) || exclude.is_match(format!("{rel_root}/x")));
        let walker = ignore::WalkBuilder::new(&abs)
            .hidden(false)
            .filter_entry(|e| e.file_name() != ".git")
            .require_git(false)
            .build();
        for entry in walker {
            let entry =
                entry.map_err(|e| Error::Usage(format!("walking {}: {e}", root.display())))?;
            if !entry.file_type().is_some_and(|t| t.is_file()) {
                continue;
            }
            let r = rel(config, entry.path());
            if !root_excluded && exclude.is_match(&r) {
                continue;
            }
            if specs.is_match(&r) {
                found.specs.push(r);
            } else if readiness.is_match(&r) {
                found.readiness.push(r);
            }
        }
    }
    for v in [&mut found.specs, &mut found.readiness] {
        v.sort();
        v.dedup();
    }
    Ok(found)
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
fn rel(config: &Config, p: &Path) -> String {
    p.strip_prefix(&config.root)
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
