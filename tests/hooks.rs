//! The git hooks through real `git` in temporary repositories: install, commits that pass and
//! commits that must be blocked, the staged content against a fixed working tree, commit-msg
//! trailers, a chained foreign hook, `core.hooksPath`, uninstall.

mod common;
use common::*;
use std::path::Path;
use std::process::Command;

struct Out {
    ok: bool,
    text: String,
}

fn git(dir: &Path, args: &[&str]) -> Out {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["-c", "user.name=Test", "-c", "user.email=test@example.com"])
        .args(args)
        .env("NO_COLOR", "1")
        .env_remove("GIT_DIR")
        .env_remove("GIT_INDEX_FILE")
        .output()
        .expect("git runs");
    Out {
        ok: out.status.success(),
        text: format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    }
}

fn ok(dir: &Path, args: &[&str]) -> String {
    let o = git(dir, args);
    assert!(o.ok, "git {args:?} failed:\n{}", o.text);
    o.text
}

const TRAILER: &str = "\n\nIncident-Id: DF-2026-06-01-01";

/// An empty git repository with both hooks installed.
fn repo_with_hooks() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    ok(dir.path(), &["init", "-q", "-b", "main"]);
    let r = run(sddgate_in(dir.path()), &["hook", "install"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    dir
}

fn add_clean_incident(root: &Path, dir: &str) {
    let readiness = READINESS.replace("specs/disk_full/", &format!("{dir}/"));
    write(root, &format!("{dir}/specify.md"), SPEC);
    write(root, &format!("{dir}/readiness.md"), &readiness);
    write(
        root,
        &format!("{dir}/tasks.md"),
        "# Tasks\n- T1 idempotent restart\n",
    );
    write(
        root,
        &format!("{dir}/rollback.md"),
        "# Rollback\nRestore the pod.\n",
    );
}

fn commit(dir: &Path, msg: &str) -> Out {
    git(dir, &["commit", "-q", "-m", msg])
}

#[test]
fn install_writes_both_hooks_once_and_a_clean_commit_passes() {
    let dir = repo_with_hooks();
    for h in ["pre-commit", "commit-msg"] {
        let p = dir.path().join(".git/hooks").join(h);
        let text = std::fs::read_to_string(&p).unwrap();
        assert!(text.contains("# sddgate-managed hook"), "{text}");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_ne!(
                std::fs::metadata(&p).unwrap().permissions().mode() & 0o111,
                0
            );
        }
    }
    let again = run(sddgate_in(dir.path()), &["hook", "install"]);
    assert_eq!(again.code, 0);
    assert_eq!(
        again.stdout.matches("already installed").count(),
        2,
        "{}",
        again.stdout
    );

    add_clean_incident(dir.path(), "specs/disk_full");
    ok(dir.path(), &["add", "-A"]);
    let c = commit(dir.path(), &format!("disk_full: spec{TRAILER}"));
    assert!(
        c.ok,
        "the initial commit of a clean incident passes:\n{}",
        c.text
    );
    // An empty commit and a commit touching no incident cost nothing and pass.
    assert!(
        git(
            dir.path(),
            &["commit", "-q", "--allow-empty", "-m", "empty"]
        )
        .ok
    );
    write(dir.path(), "src/main.rs", "fn main() {}\n");
    ok(dir.path(), &["add", "-A"]);
    assert!(commit(dir.path(), "code only").ok);
}

#[test]
fn the_staged_spec_is_judged_not_the_fixed_working_tree() {
    let dir = repo_with_hooks();
    add_clean_incident(dir.path(), "specs/disk_full");
    ok(dir.path(), &["add", "-A"]);
    assert!(commit(dir.path(), &format!("clean{TRAILER}")).ok);

    let bad = SPEC.replace(
        "Never touch a stateful volume; one pod at a time.",
        "Run kubectl delete pod api-7b4 when memory is high.",
    );
    write(dir.path(), "specs/disk_full/specify.md", &bad);
    ok(dir.path(), &["add", "specs/disk_full/specify.md"]);
    // The author fixes the working tree but does not stage the fix.
    let fixed = SPEC.replace("one pod at a time.", "one pod at a time, never two.");
    write(dir.path(), "specs/disk_full/specify.md", &fixed);
    let c = commit(dir.path(), &format!("sneaky{TRAILER}"));
    assert!(!c.ok, "a staged command must block the commit:\n{}", c.text);
    assert!(c.text.contains("concrete_command_in_spec"), "{}", c.text);
    assert!(
        c.text.contains("specs/disk_full/specify.md:17:5"),
        "{}",
        c.text
    );
    // The line quoted is the staged one, not the working tree's.
    assert!(
        c.text
            .contains("17 | Run kubectl delete pod api-7b4 when memory is high."),
        "{}",
        c.text
    );
    // Staging the fix lets it through.
    ok(dir.path(), &["add", "specs/disk_full/specify.md"]);
    let c = commit(dir.path(), &format!("fixed{TRAILER}"));
    assert!(c.ok, "{}", c.text);
}

/// `git commit -a` and `git commit PATH` hand the hook a temporary index through
/// `GIT_INDEX_FILE`; what they will commit is judged, not the repository's own index.
#[test]
fn commit_all_and_commit_path_are_judged_through_their_temporary_index() {
    let dir = repo_with_hooks();
    add_clean_incident(dir.path(), "specs/disk_full");
    ok(dir.path(), &["add", "-A"]);
    assert!(commit(dir.path(), &format!("clean{TRAILER}")).ok);
    let bad = SPEC.replace(
        "Never touch a stateful volume; one pod at a time.",
        "Run kubectl delete pod api-7b4 when memory is high.",
    );
    // Unstaged in the repository's index; `-a` stages it into the temporary one.
    write(dir.path(), "specs/disk_full/specify.md", &bad);
    let c = git(
        dir.path(),
        &["commit", "-q", "-a", "-m", &format!("all{TRAILER}")],
    );
    assert!(!c.ok, "commit -a must be blocked:\n{}", c.text);
    assert!(c.text.contains("concrete_command_in_spec"), "{}", c.text);
    let c = git(
        dir.path(),
        &[
            "commit",
            "-q",
            "-m",
            &format!("path{TRAILER}"),
            "--",
            "specs/disk_full/specify.md",
        ],
    );
    assert!(!c.ok, "commit PATH must be blocked:\n{}", c.text);
    assert!(
        c.text.contains("specs/disk_full/specify.md:17:5"),
        "{}",
        c.text
    );
    // Neither left the bad spec committed.
    let head = ok(dir.path(), &["show", "HEAD:specs/disk_full/specify.md"]);
    assert!(!head.contains("kubectl delete pod"), "{head}");
}

#[test]
fn deleting_evidence_blocks_the_readiness_document_that_names_it() {
    let dir = repo_with_hooks();
    add_clean_incident(dir.path(), "specs/disk_full");
    ok(dir.path(), &["add", "-A"]);
    assert!(commit(dir.path(), &format!("clean{TRAILER}")).ok);
    ok(dir.path(), &["rm", "-q", "specs/disk_full/tasks.md"]);
    let c = commit(dir.path(), &format!("drop tasks{TRAILER}"));
    assert!(!c.ok, "{}", c.text);
    assert!(c.text.contains("evidence_missing"), "{}", c.text);
    // A readiness document elsewhere that names a renamed evidence file is found too.
    ok(dir.path(), &["reset", "-q", "--hard"]);
    ok(
        dir.path(),
        &[
            "mv",
            "specs/disk_full/rollback.md",
            "specs/disk_full/rollback-v2.md",
        ],
    );
    let c = commit(dir.path(), &format!("rename rollback{TRAILER}"));
    assert!(!c.ok, "{}", c.text);
    assert!(c.text.contains("rollback_missing"), "{}", c.text);
}

#[test]
fn evidence_edits_gate_their_incident_and_odd_paths_work() {
    let dir = repo_with_hooks();
    let inc = "specs/disk full é";
    add_clean_incident(dir.path(), inc);
    ok(dir.path(), &["add", "-A"]);
    let c = commit(dir.path(), &format!("odd path{TRAILER}"));
    assert!(c.ok, "{}", c.text);
    // Emptying the evidence (staged) blocks: the incident is found through its directory.
    write(dir.path(), &format!("{inc}/tasks.md"), "");
    ok(dir.path(), &["add", "-A"]);
    let c = commit(dir.path(), &format!("empty tasks{TRAILER}"));
    assert!(!c.ok, "{}", c.text);
    assert!(c.text.contains("empty"), "{}", c.text);
}

#[test]
fn commit_msg_requires_an_incident_id_trailer_naming_a_real_incident() {
    let dir = repo_with_hooks();
    add_clean_incident(dir.path(), "specs/disk_full");
    ok(dir.path(), &["add", "-A"]);
    let c = commit(dir.path(), "no trailer");
    assert!(!c.ok);
    assert!(
        c.text.contains("no `Incident-Id:` trailer")
            && c.text
                .contains("git commit --trailer \"Incident-Id: DF-2026-06-01-01\""),
        "{}",
        c.text
    );
    let c = commit(dir.path(), "typo\n\nIncident-Id: DF-2026-06-01-99");
    assert!(!c.ok);
    assert!(
        c.text
            .contains("`Incident-Id: DF-2026-06-01-99` names no incident"),
        "{}",
        c.text
    );
    // In the subject it is no trailer.
    let c = commit(dir.path(), "Incident-Id: DF-2026-06-01-01");
    assert!(!c.ok, "{}", c.text);
    // git's own trailer option works, and so does a lower-case key.
    let c = git(
        dir.path(),
        &[
            "commit",
            "-q",
            "-m",
            "add",
            "--trailer",
            "incident-id: DF-2026-06-01-01",
        ],
    );
    assert!(c.ok, "{}", c.text);
    // An existing incident named by a commit that does not touch its files is fine too.
    write(dir.path(), "specs/disk_full/plan.md", "# Plan\n");
    ok(dir.path(), &["add", "-A"]);
    assert!(commit(dir.path(), &format!("plan{TRAILER}")).ok);
}

#[test]
fn a_foreign_hook_is_never_overwritten_without_force_and_is_chained_with_it() {
    let dir = tempfile::tempdir().unwrap();
    ok(dir.path(), &["init", "-q", "-b", "main"]);
    let foreign =
        "#!/bin/sh\necho foreign-ran >> \"$(git rev-parse --show-toplevel)/foreign.log\"\n";
    let hook = dir.path().join(".git/hooks/pre-commit");
    std::fs::write(&hook, foreign).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&hook, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let r = run(
        sddgate_in(dir.path()),
        &["hook", "install", "--type", "pre-commit"],
    );
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("was not written by sddgate") && r.stderr.contains("--force"));
    assert_eq!(
        std::fs::read_to_string(&hook).unwrap(),
        foreign,
        "left alone"
    );

    let r = run(
        sddgate_in(dir.path()),
        &["hook", "install", "--type", "pre-commit", "--force"],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("runs first"), "{}", r.stdout);
    add_clean_incident(dir.path(), "specs/disk_full");
    ok(dir.path(), &["add", "specs"]);
    assert!(commit(dir.path(), "first").ok);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("foreign.log")).unwrap(),
        "foreign-ran\n"
    );
    // A failing foreign hook still fails the commit.
    std::fs::write(
        dir.path().join(".git/hooks/pre-commit.sddgate-chained"),
        "#!/bin/sh\nexit 7\n",
    )
    .unwrap();
    write(dir.path(), "x.txt", "x");
    ok(dir.path(), &["add", "x.txt"]);
    assert!(!commit(dir.path(), "blocked by the foreign hook").ok);

    let r = run(
        sddgate_in(dir.path()),
        &["hook", "uninstall", "--type", "pre-commit"],
    );
    assert_eq!(r.code, 0);
    assert!(r.stdout.contains("restored"), "{}", r.stdout);
    assert_eq!(
        std::fs::read_to_string(&hook).unwrap(),
        "#!/bin/sh\nexit 7\n"
    );
}

#[test]
fn core_hooks_path_is_honoured_and_uninstall_removes_what_it_wrote() {
    let dir = tempfile::tempdir().unwrap();
    ok(dir.path(), &["init", "-q", "-b", "main"]);
    ok(dir.path(), &["config", "core.hooksPath", ".githooks"]);
    let r = run(sddgate_in(dir.path()), &["hook", "install"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(dir.path().join(".githooks/pre-commit").is_file());
    assert!(!dir.path().join(".git/hooks/pre-commit").exists());
    // From a subdirectory too.
    std::fs::create_dir_all(dir.path().join("sub")).unwrap();
    let r = run(sddgate_in(&dir.path().join("sub")), &["hook", "install"]);
    assert!(r.stdout.contains("already installed"), "{}", r.stdout);
    let bad = SPEC.replace("one pod at a time.", "run `kubectl delete pod x`.");
    write(dir.path(), "specs/disk_full/specify.md", &bad);
    ok(dir.path(), &["add", "-A"]);
    let c = commit(dir.path(), "bad");
    assert!(!c.ok, "{}", c.text);
    let r = run(sddgate_in(dir.path()), &["hook", "uninstall"]);
    assert_eq!(r.code, 0);
    assert!(!dir.path().join(".githooks/pre-commit").exists());
    assert!(!dir.path().join(".githooks/commit-msg").exists());
    assert!(commit(dir.path(), "no hooks any more").ok);
}

#[test]
fn hooks_in_a_linked_worktree_are_the_repository_hooks() {
    let dir = repo_with_hooks();
    add_clean_incident(dir.path(), "specs/disk_full");
    ok(dir.path(), &["add", "-A"]);
    assert!(commit(dir.path(), &format!("clean{TRAILER}")).ok);
    let wt = dir.path().join("wt");
    ok(
        dir.path(),
        &[
            "worktree",
            "add",
            "-q",
            wt.to_str().unwrap(),
            "-b",
            "feature",
        ],
    );
    let r = run(sddgate_in(&wt), &["hook", "install"]);
    assert!(
        r.stdout.contains("already installed"),
        "{}{}",
        r.stdout,
        r.stderr
    );
    let bad = SPEC.replace("one pod at a time.", "kubectl delete pod api-7b4.");
    write(&wt, "specs/disk_full/specify.md", &bad);
    ok(&wt, &["add", "-A"]);
    let c = commit(&wt, &format!("bad in a worktree{TRAILER}"));
    assert!(!c.ok, "{}", c.text);
    assert!(c.text.contains("concrete_command_in_spec"), "{}", c.text);
}
