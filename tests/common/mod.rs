//! Test harness: run the real binary from the repository root or from a temporary
//! repository, with colour off so the output is what a log would show.
#![allow(dead_code)]

use assert_cmd::Command;
use std::path::{Path, PathBuf};

pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `sddgate` run in this repository.
pub fn sddgate() -> Command {
    sddgate_in(&repo_root())
}

pub fn sddgate_in(dir: &Path) -> Command {
    let mut c = Command::cargo_bin("sddgate").expect("binary built");
    c.current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("CLICOLOR_FORCE");
    c
}

/// A temporary repository (a `.git` directory marks the root) with the given files.
pub fn temp_repo(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir(dir.path().join(".git")).expect(".git");
    for (path, text) in files {
        write(dir.path(), path, text);
    }
    dir
}

pub fn write(root: &Path, path: &str, text: &str) {
    let p = root.join(path);
    std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
    std::fs::write(p, text).expect("write");
}

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

pub fn run(mut cmd: Command, args: &[&str]) -> Run {
    let out = cmd.args(args).output().expect("run sddgate");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

pub fn json(r: &Run) -> serde_json::Value {
    serde_json::from_str(&r.stdout)
        .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}", r.stdout))
}

/// A clean spec, a 24/25 readiness document naming it, and its evidence.
pub const SPEC: &str = "---\nincident_type: disk_full\nservice: billing-api\nnamespace: billing\nblast_radius: pod\nstateful: false\n---\n# disk_full — billing-api\n\n## Why\nA full disk stops writes and the service returns 500s.\n\n## What\nFree space on the affected pod without losing data.\n\n## Constraints\nNever touch a stateful volume; one pod at a time.\n\n## Acceptance\nGiven disk usage above 95%, when the action runs, then usage falls below 80% within 10 minutes.\n\n## Pre-approved actions\n- restart_pod\n- rotate_logs (requires: log_volume_mounted)\n";

pub const READINESS: &str = "---\nincident_id: DF-2026-06-01-01\nspec: specs/disk_full/specify.md\nscores: {spec: 5, implementation: 4, verification: 5, process: 5, security: 5}\nevidence:\n  implementation: specs/disk_full/tasks.md\naudit_trace_coverage: 1.0\nstateful: false\nradius_of_impact: pod\ndry_run_verified: true\nrollback: specs/disk_full/rollback.md\n---\n# Readiness\n";

pub fn clean_repo() -> tempfile::TempDir {
    temp_repo(&[
        ("specs/disk_full/specify.md", SPEC),
        ("specs/disk_full/readiness.md", READINESS),
        (
            "specs/disk_full/tasks.md",
            "# Tasks\n- T1 idempotent restart\n",
        ),
        (
            "specs/disk_full/rollback.md",
            "# Rollback\nRestore the previous pod.\n",
        ),
    ])
}

/// `git -C DIR ARGS` with a fixed identity and no signing, outside any outer `GIT_DIR`: fails
/// the test with git's stderr unless it succeeds; returns stdout, trimmed.
pub fn git(dir: &Path, args: &[&str]) -> String {
    let out = std::process::Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["-c", "user.name=T", "-c", "user.email=t@example.com"])
        .args(["-c", "commit.gpgsign=false"])
        .args(args)
        .env_remove("GIT_DIR")
        .env_remove("GIT_INDEX_FILE")
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}
