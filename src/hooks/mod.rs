//! Git hooks: writing and removing the hook scripts, and what `hook run` judges (the staged
//! changes, the commit message's trailers).

pub mod staged;
pub mod trailers;

use crate::cli::HookKind;
use crate::error::{Error, Result};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The line that marks a hook script as written by sddgate.
pub const MARKER: &str = "# sddgate-managed hook";

impl HookKind {
    pub fn file_name(self) -> &'static str {
        match self {
            HookKind::PreCommit => "pre-commit",
            HookKind::CommitMsg => "commit-msg",
        }
    }

    pub const ALL: [HookKind; 2] = [HookKind::PreCommit, HookKind::CommitMsg];
}

/// Runs git in `dir` and returns its trimmed stdout.
pub fn git_output(dir: &Path, args: &[&str]) -> Result<String> {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .map_err(|e| Error::Usage(format!("git hooks need git: {e}")))?;
    if !out.status.success() {
        return Err(Error::Usage(format!(
            "git {} failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        )));
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim_end().to_string())
}

/// The hooks directory as git resolves it (`core.hooksPath`, worktrees, `GIT_DIR`).
pub fn hooks_dir(cwd: &Path) -> Result<PathBuf> {
    let p = PathBuf::from(git_output(cwd, &["rev-parse", "--git-path", "hooks"])?);
    Ok(if p.is_absolute() { p } else { cwd.join(p) })
}

/// Where a replaced foreign hook is kept (and run first).
fn chained_path(hook: &Path) -> PathBuf {
    let mut name = hook.as_os_str().to_owned();
    name.push(".sddgate-chained");
    PathBuf::from(name)
}

fn is_ours(path: &Path) -> bool {
    std::fs::read_to_string(path).is_ok_and(|t| t.lines().any(|l| l.starts_with(MARKER)))
}

/// The script for one hook. The binary path is the one that installed it; `SDDGATE` overrides
/// it, and `sddgate` on PATH is the fallback when it has moved.
pub fn script(kind: HookKind, exe: &Path) -> String {
    let name = kind.file_name();
    let args = match kind {
        HookKind::PreCommit => "hook run pre-commit",
        HookKind::CommitMsg => "hook run commit-msg \"$1\"",
    };
    let exe = exe.to_string_lossy().replace('\'', "'\\''");
    format!(
        "#!/bin/sh\n{MARKER} ({name}): written by `sddgate hook install`, removed by `sddgate hook uninstall`.\n\
         chained=\"$0.sddgate-chained\"\n\
         if [ -x \"$chained\" ]; then \"$chained\" \"$@\" || exit $?; fi\n\
         installed='{exe}'\n\
         sddgate=\"${{SDDGATE:-$installed}}\"\n\
         [ -x \"$sddgate\" ] || sddgate=sddgate\n\
         exec \"$sddgate\" {args}\n"
    )
}

/// What an install or uninstall did, for the user.
#[derive(Debug, PartialEq)]
pub enum Outcome {
    Installed(PathBuf),
    AlreadyInstalled(PathBuf),
    /// A foreign hook was kept at the second path and is run first.
    Chained(PathBuf, PathBuf),
    Removed(PathBuf),
    /// Our hook was removed and the chained one put back.
    Restored(PathBuf),
    NotInstalled(PathBuf),
}

impl std::fmt::Display for Outcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Outcome::Installed(p) => write!(f, "installed {}", p.display()),
            Outcome::AlreadyInstalled(p) => write!(f, "already installed: {}", p.display()),
            Outcome::Chained(p, old) => write!(
                f,
                "installed {}; the existing hook was kept as {} and runs first",
                p.display(),
                old.display()
            ),
            Outcome::Removed(p) => write!(f, "removed {}", p.display()),
            Outcome::Restored(p) => {
                write!(
                    f,
                    "removed sddgate's hook; restored the previous {}",
                    p.display()
                )
            }
            Outcome::NotInstalled(p) => write!(f, "not installed: {}", p.display()),
        }
    }
}

pub fn install(dir: &Path, kind: HookKind, force: bool, exe: &Path) -> Result<Outcome> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let path = dir.join(kind.file_name());
    let text = script(kind, exe);
    let existing = std::fs::read(&path).ok();
    let mut outcome = Outcome::Installed(path.clone());
    match &existing {
        Some(old) if is_ours(&path) && *old == text.as_bytes() => {
            return Ok(Outcome::AlreadyInstalled(path));
        }
        Some(_) if is_ours(&path) => {} // an older sddgate hook: rewritten
        Some(_) if !force => {
            return Err(Error::Usage(format!(
                "{} exists and was not written by sddgate; it was left alone. Re-run with --force to keep it as {} and run it before sddgate's hook",
                path.display(),
                chained_path(&path).display()
            )));
        }
        Some(_) => {
            let kept = chained_path(&path);
            if kept.exists() {
                return Err(Error::Usage(format!(
                    "{} already exists; move it away before installing with --force",
                    kept.display()
                )));
            }
            std::fs::rename(&path, &kept).map_err(|e| Error::io(&path, e))?;
            outcome = Outcome::Chained(path.clone(), kept);
        }
        None => {}
    }
    // Write beside and rename, so a crash never leaves half a hook.
    let tmp = dir.join(format!(".{}.sddgate-tmp", kind.file_name()));
    std::fs::write(&tmp, &text).map_err(|e| Error::io(&tmp, e))?;
    make_executable(&tmp)?;
    std::fs::rename(&tmp, &path).map_err(|e| Error::io(&path, e))?;
    Ok(outcome)
}

pub fn uninstall(dir: &Path, kind: HookKind) -> Result<Outcome> {
    let path = dir.join(kind.file_name());
    if !path.exists() {
        return Ok(Outcome::NotInstalled(path));
    }
    if !is_ours(&path) {
        return Err(Error::Usage(format!(
            "{} was not written by sddgate; it was left alone",
            path.display()
        )));
    }
    let kept = chained_path(&path);
    if kept.exists() {
        std::fs::rename(&kept, &path).map_err(|e| Error::io(&kept, e))?;
        return Ok(Outcome::Restored(path));
    }
    std::fs::remove_file(&path).map_err(|e| Error::io(&path, e))?;
    Ok(Outcome::Removed(path))
}

#[cfg(unix)]
fn make_executable(p: &Path) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(p, std::fs::Permissions::from_mode(0o755)).map_err(|e| Error::io(p, e))
}

#[cfg(not(unix))]
fn make_executable(_p: &Path) -> Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn install_is_idempotent_refuses_foreign_hooks_and_chains_with_force() {
        let dir = tempfile::tempdir().unwrap();
        let exe = Path::new("/opt/it's/sddgate");
        let d = dir.path();
        let first = install(d, HookKind::PreCommit, false, exe).unwrap();
        assert!(matches!(first, Outcome::Installed(_)));
        let text = std::fs::read_to_string(d.join("pre-commit")).unwrap();
        assert!(text.contains("'/opt/it'\\''s/sddgate'"), "{text}");
        assert!(matches!(
            install(d, HookKind::PreCommit, false, exe).unwrap(),
            Outcome::AlreadyInstalled(_)
        ));
        std::fs::write(d.join("commit-msg"), "#!/bin/sh\nexit 0\n").unwrap();
        let e = install(d, HookKind::CommitMsg, false, exe).unwrap_err();
        assert!(e.to_string().contains("--force"), "{e}");
        assert!(matches!(
            install(d, HookKind::CommitMsg, true, exe).unwrap(),
            Outcome::Chained(..)
        ));
        assert!(matches!(
            uninstall(d, HookKind::CommitMsg).unwrap(),
            Outcome::Restored(_)
        ));
        assert_eq!(
            std::fs::read_to_string(d.join("commit-msg")).unwrap(),
            "#!/bin/sh\nexit 0\n"
        );
        assert!(uninstall(d, HookKind::CommitMsg).is_err());
        assert!(matches!(
            uninstall(d, HookKind::PreCommit).unwrap(),
            Outcome::Removed(_)
        ));
        assert!(matches!(
            uninstall(d, HookKind::PreCommit).unwrap(),
            Outcome::NotInstalled(_)
        ));
    }
}
