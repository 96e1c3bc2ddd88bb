//! Faults produced for real, not simulated: a full disk (a small tmpfs, or `/dev/full`), a
//! read-only file system (a tmpfs remounted `ro`, `chattr +i`, another user), processes
//! SIGKILLed while they append, a kill injected between `write` and `fsync` and during the
//! rollback of a failed write (strace's fault injection: no test hook in the binary), a stdout
//! closed before anything is written or on a full device, and SIGINT/SIGTERM while `ci` waits
//! for GitHub.
//!
//! Mounting needs root (CAP_SYS_ADMIN) and strace needs ptrace: where they are not allowed a
//! test says so on stderr and checks what it still can (the `/dev/full` case always runs).

mod common;
#[cfg(feature = "github")]
#[path = "support/prism.rs"]
mod prism;
#[cfg(feature = "github")]
#[allow(dead_code)]
#[path = "support/recorder.rs"]
mod recorder;

use common::*;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

const LOG: &str = ".sddgate/trace.jsonl";

fn bin() -> PathBuf {
    assert_cmd::cargo::cargo_bin("sddgate")
}

fn cmd(dir: &Path) -> Command {
    let mut c = Command::new(bin());
    c.current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("CLICOLOR_FORCE");
    c
}

fn out(mut c: Command, args: &[&str]) -> Run {
    let o = c.args(args).output().expect("run sddgate");
    Run {
        code: o.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
    }
}

fn append_args<'a>(incident: &'a str, reference: &'a str) -> Vec<&'a str> {
    vec![
        "trace",
        "append",
        "--incident",
        incident,
        "--step",
        "webhook_received",
        "--ref",
        reference,
    ]
}

/// A tmpfs mounted at `at` (unmounted on drop), or `None` where mounting is not allowed.
struct Mount(PathBuf);

impl Mount {
    fn tmpfs(at: &Path, size: &str) -> Option<Mount> {
        std::fs::create_dir_all(at).unwrap();
        let ok = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(at)
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if !ok {
            eprintln!(
                "note: cannot mount a tmpfs at {} here (not root?): that part is skipped",
                at.display()
            );
        }
        ok.then(|| Mount(at.to_path_buf()))
    }

    fn remount_read_only(&self) -> bool {
        Command::new("mount")
            .args(["-o", "remount,ro"])
            .arg(&self.0)
            .status()
            .is_ok_and(|s| s.success())
    }
}

impl Drop for Mount {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.0).status();
    }
}

/// Fills the file system of `dir` with one file (removed to free the space again).
fn fill(dir: &Path) -> PathBuf {
    let path = dir.join("fill");
    let mut f = std::fs::File::create(&path).unwrap();
    let block = vec![0u8; 4096];
    while f.write_all(&block).is_ok() {}
    let _ = f.sync_all();
    path
}

/// One record as sddgate writes it.
fn record(incident: &str, reference: &str) -> String {
    format!(
        "{{\"ts\":\"2026-06-01T10:00:00Z\",\"incident_id\":\"{incident}\",\"step\":\"webhook_received\",\"ref\":\"{reference}\"}}\n"
    )
}

/// A log of whole records that ends `room` bytes before a page boundary: on a full tmpfs the
/// next record is written in part (the page has room for `room` bytes) and then fails with
/// ENOSPC.
fn log_near_page_end(path: &Path, room: usize) -> Vec<u8> {
    let mut text: String = (0..40)
        .map(|i| record(&format!("OLD-{i}"), "a.json"))
        .collect();
    let pad = 8192 - room - text.len() - record("PAD", "").len();
    text.push_str(&record("PAD", &"p".repeat(pad)));
    assert_eq!(text.len() % 4096, 4096 - room);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, &text).unwrap();
    text.into_bytes()
}

/// The refs of a log that must parse with no warning.
fn refs(path: &Path) -> Vec<String> {
    let bytes = std::fs::read(path).unwrap();
    let log = sddgate::trace::parse("log", &bytes).expect("every line is a whole record");
    assert!(log.warnings.is_empty(), "{:?}", log.warnings);
    log.records
        .into_iter()
        .map(|r| r.reference.unwrap_or_default())
        .collect()
}

fn strace_works() -> bool {
    let ok = Command::new("strace")
        .args(["-f", "-o", "/dev/null", "true"])
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        eprintln!("note: strace is missing or may not trace here: that part is skipped");
    }
    ok
}

// ------------------------------------------------------------------------------ disk full

#[test]
fn a_full_disk_during_trace_append_records_nothing_and_says_what_failed() {
    let dir = clean_repo();
    let log = dir.path().join(LOG);
    if let Some(_m) = Mount::tmpfs(&dir.path().join(".sddgate"), "64k") {
        let before = log_near_page_end(&log, 50);
        let filler = fill(&dir.path().join(".sddgate"));
        let long = "r".repeat(300);
        let r = out(cmd(dir.path()), &append_args("NEW-1", &long));
        assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
        assert!(
            r.stderr
                .starts_with("error: .sddgate/trace.jsonl: appending to the trace log")
                && r.stderr.contains("No space left on device")
                && r.stderr.contains("nothing was recorded"),
            "{}",
            r.stderr
        );
        assert_eq!(r.stdout, "", "no record is printed");
        assert_eq!(std::fs::read(&log).unwrap(), before, "not a byte added");
        assert!(!dir.path().join(".sddgate/trace.jsonl.torn").exists());

        std::fs::remove_file(filler).unwrap();
        let r = out(cmd(dir.path()), &append_args("NEW-1", &long));
        assert_eq!(r.code, 0, "{}", r.stderr);
        let all = refs(&log);
        assert_eq!(all.len(), 42);
        assert_eq!(all.last().unwrap(), &long);
    }

    // ENOSPC from the device itself (always possible).
    let full = dir.path().join("full.jsonl");
    std::os::unix::fs::symlink("/dev/full", &full).unwrap();
    let r = out(
        cmd(dir.path()),
        &[
            "trace",
            "append",
            "--incident",
            "X-1",
            "--step",
            "commit",
            "--ref",
            "abc",
            "--log",
            "full.jsonl",
        ],
    );
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("full.jsonl: appending to the trace log")
            && r.stderr.contains("No space left on device"),
        "{}",
        r.stderr
    );
    assert_eq!(r.stdout, "");
}

#[test]
fn normalize_on_a_full_disk_fails_and_its_rerun_duplicates_nothing() {
    let dir = clean_repo();
    let logs = dir.path().join("logs");
    let Some(_m) = Mount::tmpfs(&logs, "64k") else {
        return;
    };
    let log = logs.join("t.jsonl");
    // Room for the first record of the three, not for the second.
    log_near_page_end(&log, 200);
    let filler = fill(&logs);
    let hooks = repo_root().join("fixtures/webhooks");
    let (g, p) = (
        hooks.join("webhook_grafana.json"),
        hooks.join("webhook_pagerduty.json"),
    );
    let args = [
        "normalize",
        "--grafana",
        g.to_str().unwrap(),
        "--pagerduty",
        p.to_str().unwrap(),
        "--trace-log",
        "logs/t.jsonl",
    ];
    let r = out(cmd(dir.path()), &args);
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stderr
            .contains("logs/t.jsonl: appending to the trace log")
            && r.stderr.contains("No space left on device"),
        "{}",
        r.stderr
    );
    assert_eq!(
        r.stdout, "",
        "no event is printed when it could not be recorded"
    );
    let partial = refs(&log);
    assert!(partial.len() <= 43, "{partial:?}");

    std::fs::remove_file(filler).unwrap();
    let r = out(cmd(dir.path()), &args);
    assert_eq!(r.code, 0, "{}", r.stderr);
    if partial.len() == 43 {
        assert!(r.stderr.contains("not written again"), "{}", r.stderr);
    }
    let bytes = std::fs::read(&log).unwrap();
    let parsed = sddgate::trace::parse("log", &bytes).unwrap();
    let mut keys: Vec<(String, String)> = parsed
        .records
        .iter()
        .filter(|r| !r.incident_id.starts_with("OLD-") && r.incident_id != "PAD")
        .map(|r| (r.step.to_string(), r.reference.clone().unwrap_or_default()))
        .collect();
    assert_eq!(keys.len(), 3, "{keys:?}");
    keys.sort();
    keys.dedup();
    assert_eq!(keys.len(), 3, "no record twice");
}

// ------------------------------------------------------------------------------ read-only

#[test]
fn a_read_only_log_is_exit_2_naming_the_path_for_erofs_eperm_and_eacces() {
    let dir = clean_repo();
    // EROFS: a tmpfs remounted read-only.
    let ro = dir.path().join("ro");
    if let Some(m) = Mount::tmpfs(&ro, "64k") {
        std::fs::write(ro.join("t.jsonl"), record("OLD-1", "a")).unwrap();
        assert!(m.remount_read_only());
        let mut a = append_args("NEW-1", "b");
        a.extend(["--log", "ro/t.jsonl"]);
        let r = out(cmd(dir.path()), &a);
        assert_eq!(r.code, 2, "{}", r.stderr);
        assert!(
            r.stderr
                .contains("ro/t.jsonl: opening the trace log to append")
                && r.stderr.contains("Read-only file system"),
            "{}",
            r.stderr
        );
        assert_eq!(refs(&ro.join("t.jsonl")), ["a"]);
    }

    // EPERM: an immutable file (root ignores modes, not this).
    let log = dir.path().join("immutable.jsonl");
    std::fs::write(&log, record("OLD-1", "a")).unwrap();
    let chattr = Command::new("chattr")
        .arg("+i")
        .arg(&log)
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if chattr {
        let mut a = append_args("NEW-1", "b");
        a.extend(["--log", "immutable.jsonl"]);
        let r = out(cmd(dir.path()), &a);
        let _ = Command::new("chattr").arg("-i").arg(&log).status();
        assert_eq!(r.code, 2, "{}", r.stderr);
        assert!(
            r.stderr
                .contains("immutable.jsonl: opening the trace log to append")
                && r.stderr.contains("Operation not permitted"),
            "{}",
            r.stderr
        );
        assert_eq!(refs(&log), ["a"]);
    } else {
        eprintln!("note: chattr +i is not supported here: EPERM is not tested");
    }

    // EACCES: another user, on a file only root may write.
    let open = |p: &Path, mode: u32| {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).unwrap();
    };
    let is_root = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.trim_ascii() == b"0");
    if is_root && Command::new("setpriv").arg("--version").output().is_ok() {
        open(dir.path(), 0o755);
        let log = dir.path().join("root-only.jsonl");
        std::fs::write(&log, record("OLD-1", "a")).unwrap();
        open(&log, 0o644);
        let mut c = Command::new("setpriv");
        c.args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(bin())
            .current_dir(dir.path());
        let mut a = append_args("NEW-1", "b");
        a.extend(["--log", "root-only.jsonl"]);
        let r = out(c, &a);
        assert_eq!(r.code, 2, "{}", r.stderr);
        assert!(
            r.stderr
                .contains("root-only.jsonl: opening the trace log to append")
                && r.stderr.contains("Permission denied"),
            "{}",
            r.stderr
        );
        assert_eq!(refs(&log), ["a"]);
    } else {
        eprintln!("note: not root or no setpriv: EACCES is not tested");
    }
}

// ------------------------------------------------------------------------------ kills

/// A small deterministic generator (no dependency): the seed is printed, a failure can be
/// replayed with `SDDGATE_FAULT_SEED`.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }
}

#[test]
fn appenders_killed_at_random_moments_leave_whole_records_and_no_duplicate() {
    let dir = clean_repo();
    let log = dir.path().join(LOG);
    let seed = std::env::var("SDDGATE_FAULT_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos() as u64
        });
    eprintln!("seed {seed}");
    let mut rng = Lcg(seed);
    // Records of several KiB: a write that could be cut would show as a damaged line.
    let filler = "x".repeat(6000);
    let (mut ok, mut killed, mut killed_but_landed) = (Vec::new(), 0usize, 0usize);
    let mut refs_killed = Vec::new();
    for round in 0..200 {
        let mut children = Vec::new();
        for k in 0..3 {
            let reference = format!("{round}-{k}-{filler}");
            let mut c = cmd(dir.path());
            c.args(append_args(&format!("K-{round}-{k}"), &reference))
                .stdout(Stdio::null())
                .stderr(Stdio::piped());
            children.push((c.spawn().unwrap(), reference));
        }
        // A reader now and then, while appenders run and die.
        let reader = (round % 20 == 0).then(|| {
            cmd(dir.path())
                .args(["trace", "--format", "json"])
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        });
        std::thread::sleep(Duration::from_micros(rng.next() % 4000));
        let victims = 1 + (rng.next() % 2) as usize;
        for (child, _) in children.iter_mut().take(victims) {
            let _ = child.kill();
        }
        for (child, reference) in children {
            let o = child.wait_with_output().unwrap();
            match o.status.code() {
                Some(0) => ok.push(reference),
                Some(code) => panic!(
                    "an appender failed with {code}: {}",
                    String::from_utf8_lossy(&o.stderr)
                ),
                None => {
                    killed += 1;
                    refs_killed.push(reference);
                }
            }
        }
        if let Some(r) = reader {
            let o = r.wait_with_output().unwrap();
            let err = String::from_utf8_lossy(&o.stderr);
            assert_ne!(o.status.code(), Some(2), "a reader failed: {err}");
            assert!(!err.contains("damaged"), "{err}");
        }
    }
    // A torn tail (none is expected: a kill does not cut a write short) is moved aside here.
    let last = out(cmd(dir.path()), &append_args("LAST", "last"));
    assert_eq!(last.code, 0, "{}", last.stderr);
    let all = refs(&log);
    let mut sorted = all.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted.len(), all.len(), "a record is in the log twice");
    for r in &ok {
        assert!(all.contains(r), "a successful append is missing");
    }
    for r in &refs_killed {
        killed_but_landed += usize::from(all.contains(r));
    }
    assert!(killed > 0, "nothing was killed");
    eprintln!(
        "{} appends succeeded, {killed} were killed ({killed_but_landed} of those had written their record), torn tails: {}",
        ok.len(),
        dir.path().join(".sddgate/trace.jsonl.torn").exists()
    );
    // Retrying every killed append (what a wrapper would do) adds each record once, at most.
    for r in refs_killed.iter().take(20) {
        let idx: Vec<&str> = r.splitn(3, '-').collect();
        let id = format!("K-{}-{}", idx[0], idx[1]);
        let again = out(cmd(dir.path()), &append_args(&id, r));
        assert_eq!(again.code, 0, "{}", again.stderr);
    }
    let all = refs(&log);
    let mut sorted = all.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted.len(), all.len(), "a retry duplicated a record");
}

#[test]
fn a_kill_between_write_and_fsync_then_a_retry_leaves_one_record() {
    if !strace_works() {
        return;
    }
    let dir = clean_repo();
    let mut c = Command::new("strace");
    c.args(["-f", "-o", "/dev/null"])
        .args(["-e", "inject=fdatasync:signal=SIGKILL"])
        .arg(bin())
        .current_dir(dir.path());
    let r = out(c, &append_args("HM-1", "a.json"));
    assert_ne!(r.code, 0, "killed before its fsync: {}", r.stderr);
    // The write itself completed: the record is whole.
    assert_eq!(refs(&dir.path().join(LOG)), ["a.json"]);
    let again = out(cmd(dir.path()), &append_args("HM-1", "a.json"));
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert!(
        again
            .stderr
            .contains("already in the log at byte 0; not written again"),
        "{}",
        again.stderr
    );
    assert_eq!(refs(&dir.path().join(LOG)), ["a.json"], "no duplicate");
}

#[test]
fn a_kill_while_undoing_a_half_written_record_leaves_a_torn_tail_that_is_recovered() {
    if !strace_works() {
        return;
    }
    let dir = clean_repo();
    let log = dir.path().join(LOG);
    let Some(_m) = Mount::tmpfs(&dir.path().join(".sddgate"), "64k") else {
        return;
    };
    let before = log_near_page_end(&log, 50);
    let baseline = out(cmd(dir.path()), &["check", "--format", "json"]).code;
    assert_ne!(baseline, 2);
    let filler = fill(&dir.path().join(".sddgate"));
    // The write stops after 50 bytes (ENOSPC); the kill lands before the rollback's truncate.
    let long = "t".repeat(300);
    let mut c = Command::new("strace");
    c.args(["-f", "-o", "/dev/null"])
        .args(["-e", "inject=ftruncate:signal=SIGKILL"])
        .arg(bin())
        .current_dir(dir.path());
    let r = out(c, &append_args("TORN-1", &long));
    assert_ne!(r.code, 0, "{}", r.stderr);
    let now = std::fs::read(&log).unwrap();
    assert_eq!(now.len(), before.len() + 50, "a real torn record");
    assert!(now.starts_with(&before));

    // Readers warn and count only whole records.
    let t = out(cmd(dir.path()), &["trace", "--format", "json"]);
    assert_ne!(t.code, 2, "{}{}", t.stdout, t.stderr);
    assert!(
        t.stdout
            .contains(".sddgate/trace.jsonl:42: skipped an incomplete last record (50 bytes"),
        "{}",
        t.stdout
    );
    let c = out(cmd(dir.path()), &["check", "--format", "json"]);
    assert_eq!(
        c.code, baseline,
        "the torn record changes no verdict: {}{}",
        c.stdout, c.stderr
    );
    assert!(
        c.stdout.contains("skipped an incomplete last record"),
        "{}",
        c.stdout
    );

    // The next appender, once there is room, moves it aside and says so.
    std::fs::remove_file(filler).unwrap();
    let r = out(cmd(dir.path()), &append_args("NEW-1", "n"));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.contains("an earlier append was interrupted; its incomplete record (50 bytes at byte 8142) was moved to"),
        "{}",
        r.stderr
    );
    let aside = std::fs::read(dir.path().join(".sddgate/trace.jsonl.torn")).unwrap();
    assert_eq!(&aside[..50], &now[before.len()..], "nothing lost");
    assert_eq!(refs(&log).len(), 42);
}

// ------------------------------------------------------------------------------ stdout

/// Every command (the last one is an error).
fn commands(dir: &Path) -> Vec<(Vec<String>, i32)> {
    let hooks = repo_root().join("fixtures/webhooks");
    let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    let _ = dir;
    vec![
        (s(&["check"]), 0),
        (s(&["check", "--format", "json"]), 0),
        (s(&["readiness", "specs/disk_full/readiness.md"]), 0),
        (
            s(&[
                "readiness",
                "specs/disk_full/readiness.md",
                "--format",
                "json",
            ]),
            0,
        ),
        (s(&["lint", "specs/disk_full/specify.md"]), 0),
        (s(&["rules"]), 0),
        (s(&["rules", "--format", "json"]), 0),
        (s(&["explain", "concrete_command_in_spec"]), 0),
        (s(&["schema", "readiness"]), 0),
        (s(&["trace"]), 1),
        (s(&["trace", "--format", "json"]), 1),
        (
            s(&[
                "normalize",
                "--grafana",
                hooks.join("webhook_grafana.json").to_str().unwrap(),
                "--pagerduty",
                hooks.join("webhook_pagerduty.json").to_str().unwrap(),
            ]),
            0,
        ),
        (
            s(&[
                "dry-run",
                "--spec",
                "specs/disk_full/specify.md",
                "--action",
                "restart_pod",
            ]),
            0,
        ),
        (
            s(&[
                "dry-run",
                "--spec",
                "specs/disk_full/specify.md",
                "--action",
                "delete_namespace",
                "--format",
                "json",
            ]),
            1,
        ),
        (s(&["--help"]), 0),
        (s(&["--version"]), 0),
        (s(&["explain", "no_such_rule"]), 2),
    ]
}

#[test]
fn a_stdout_closed_before_anything_is_written_keeps_every_exit_code_and_is_quiet() {
    let dir = clean_repo();
    std::fs::create_dir_all(dir.path().join(".sddgate")).unwrap();
    std::fs::write(dir.path().join(LOG), record("DF-2026-06-01-01", "a.json")).unwrap();
    for (args, expected) in commands(dir.path()) {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let normal = out(cmd(dir.path()), &args);
        assert_eq!(
            normal.code == 2,
            expected == 2,
            "{args:?}: {}",
            normal.stderr
        );
        let expected = normal.code;
        for stderr_too in [false, true] {
            // The reader is gone before sddgate starts: every write gets EPIPE (Rust ignores
            // SIGPIPE, so no signal ends the process).
            let (reader, writer) = std::io::pipe().unwrap();
            drop(reader);
            let mut c = cmd(dir.path());
            c.args(&args).stdin(Stdio::null());
            let o = if stderr_too {
                c.stdout(writer.try_clone().unwrap())
                    .stderr(writer)
                    .output()
                    .unwrap()
            } else {
                c.stdout(writer).output().unwrap()
            };
            let err = String::from_utf8_lossy(&o.stderr);
            assert_eq!(
                o.status.code(),
                Some(expected),
                "{args:?} (stderr closed too: {stderr_too}): {err}"
            );
            assert!(
                !err.contains("panicked")
                    && !err.contains("Broken pipe")
                    && !err.contains("internal error"),
                "{args:?}: {err}"
            );
        }
    }
    // trace append: the record lands, the closed stdout changes nothing.
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let o = cmd(dir.path())
        .args(append_args("P-1", "p"))
        .stdout(writer)
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert_eq!(refs(&dir.path().join(LOG)), ["a.json", "p"]);
}

#[test]
fn a_pipe_to_head_gets_the_first_line_and_the_decision_stands() {
    let dir = clean_repo();
    let check = out(cmd(dir.path()), &["check", "--format", "json"]).code;
    let b = bin().display().to_string();
    let script = format!(
        "set -o pipefail; '{b}' rules | head -1; echo rules=$?; '{b}' check --format json | head -c 1 >/dev/null; echo check=$?; '{b}' schema readiness | head -1 >/dev/null; echo schema=$?"
    );
    let mut c = Command::new("bash");
    c.current_dir(dir.path()).env("NO_COLOR", "1");
    let r = out(c, &["-c", &script]);
    assert!(
        r.stdout.starts_with("concrete_command_in_spec") || r.stdout.lines().count() == 4,
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("rules=0"), "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains(&format!("check={check}")),
        "{}{}",
        r.stdout,
        r.stderr
    );
    assert!(r.stdout.contains("schema=0"), "{}{}", r.stdout, r.stderr);
    assert_eq!(r.stderr, "", "no noise");
}

#[test]
fn a_full_stdout_is_exit_2_with_a_message_for_every_command() {
    let dir = clean_repo();
    std::fs::create_dir_all(dir.path().join(".sddgate")).unwrap();
    std::fs::write(dir.path().join(LOG), record("DF-2026-06-01-01", "a.json")).unwrap();
    for (args, expected) in commands(dir.path()) {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let full = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap();
        let o = cmd(dir.path()).args(&args).stdout(full).output().unwrap();
        let err = String::from_utf8_lossy(&o.stderr);
        let normal = out(cmd(dir.path()), &args);
        if normal.stdout.is_empty() {
            // Nothing goes to stdout (a BLOCK of `readiness` is on stderr): nothing fails.
            assert_eq!(o.status.code(), Some(normal.code), "{args:?}: {err}");
            continue;
        }
        assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
        if expected != 2 {
            assert!(
                err.contains("writing output") && err.contains("No space left on device"),
                "{args:?}: {err}"
            );
        }
        assert!(!err.contains("panicked"), "{args:?}: {err}");
    }
    // trace append: the record is in the log, and the message says so (a retry adds nothing).
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    let o = cmd(dir.path())
        .args(append_args("F-1", "f"))
        .stdout(full)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("the record was appended to .sddgate/trace.jsonl at byte"),
        "{err}"
    );
    let again = out(cmd(dir.path()), &append_args("F-1", "f"));
    assert_eq!(again.code, 0);
    assert_eq!(refs(&dir.path().join(LOG)), ["a.json", "f"]);
}

// ------------------------------------------------------------------------------ panics

#[test]
fn no_release_profile_aborts_on_panic() {
    // `panic = "abort"` would skip the hook's exit code 2 mapping (catch_unwind needs unwinding).
    let manifest = std::fs::read_to_string(repo_root().join("Cargo.toml")).unwrap();
    let squeezed: String = manifest.chars().filter(|c| !c.is_whitespace()).collect();
    assert!(
        !squeezed.contains("panic=\"abort\""),
        "Cargo.toml sets panic = \"abort\""
    );
}

// ------------------------------------------------------------------------------ ci signals

#[cfg(feature = "github")]
mod ci {
    use super::*;
    use recorder::{Fault, Recorder};

    const TOKEN: &str = "ghs_sddgateTESTtoken0123456789abcdefABCD";

    /// A pull request whose spec has a concrete command: blocked, with a comment to post.
    fn blocked_pr() -> (tempfile::TempDir, serde_json::Value) {
        let dir = clean_repo();
        std::fs::remove_dir_all(dir.path().join(".git")).unwrap();
        let root = dir.path();
        git(root, &["init", "-q", "-b", "main"]);
        git(root, &["add", "-A"]);
        git(root, &["commit", "-q", "-m", "base"]);
        let base = git(root, &["rev-parse", "HEAD"]);
        git(root, &["checkout", "-q", "-b", "feature"]);
        let bad = SPEC.replace(
            "Never touch a stateful volume; one pod at a time.",
            "Run kubectl delete pod api-7b4 when the disk is full.",
        );
        write(root, "specs/disk_full/specify.md", &bad);
        git(root, &["commit", "-q", "-am", "head"]);
        let head = git(root, &["rev-parse", "HEAD"]);
        let mut e = prism::webhook_example("pull_request", |e| e["action"] == "synchronize");
        e["pull_request"]["head"]["sha"] = head.clone().into();
        e["after"] = head.into();
        e["pull_request"]["base"]["sha"] = base.into();
        e["pull_request"]["base"]["ref"] = "main".into();
        (dir, e)
    }

    fn ci_cmd(dir: &Path, api: &str, event: &serde_json::Value, files: &Path) -> Command {
        let event_path = files.join("event.json");
        std::fs::write(&event_path, event.to_string()).unwrap();
        let mut c = cmd(dir);
        c.arg("ci")
            .env("GITHUB_EVENT_NAME", "pull_request")
            .env("GITHUB_EVENT_PATH", &event_path)
            .env("GITHUB_REPOSITORY", "Codertocat/Hello-World")
            .env("GITHUB_API_URL", api)
            .env("GITHUB_SERVER_URL", "https://github.com")
            .env("GITHUB_TOKEN", TOKEN)
            .env("GITHUB_STEP_SUMMARY", files.join("summary.md"))
            .env("GITHUB_OUTPUT", files.join("output.txt"))
            .env("GITHUB_WORKSPACE", dir)
            .env("GITHUB_RUN_ID", "4242")
            .env("GITHUB_RUN_ATTEMPT", "1")
            .env("SDDGATE_HTTP_TIMEOUT_MS", "30000")
            .env("SDDGATE_HTTP_DEADLINE_MS", "60000")
            .env("SDDGATE_HTTP_BACKOFF_MS", "20")
            .env_remove("SDDGATE_CONFIG")
            .env_remove("SDDGATE_PATHS")
            .env_remove("SDDGATE_COMMENT")
            .env_remove("SDDGATE_CHECK_RUN")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        c
    }

    /// The recorder holds `held` (handled, answered 20 s later); the signal arrives while
    /// sddgate waits for it.
    fn interrupt_while_waiting_for(held: &str, signal: &str) -> (Run, Recorder, Duration) {
        let (dir, event) = blocked_pr();
        let files = tempfile::tempdir().unwrap();
        let rec = Recorder::start();
        rec.state().pr_files = vec!["specs/disk_full/specify.md".into()];
        rec.fault(Fault::delay("POST", held, Duration::from_secs(20)));
        let child = ci_cmd(dir.path(), &rec.url(), &event, files.path())
            .spawn()
            .unwrap();
        assert!(
            wait_until(Duration::from_secs(60), || rec.count("POST", held) == 1),
            "{}",
            rec.request_log()
        );
        std::thread::sleep(Duration::from_millis(200));
        let sent = std::time::Instant::now();
        let killed = Command::new("kill")
            .args([&format!("-{signal}"), &child.id().to_string()])
            .status()
            .unwrap();
        assert!(killed.success());
        let o = child.wait_with_output().unwrap();
        let took = sent.elapsed();
        let r = Run {
            code: o.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        };
        assert!(!r.stderr.contains(TOKEN) && !r.stdout.contains(TOKEN));
        // A re-run: finds the comment the interrupted run made, edits it, adds none.
        let again = ci_cmd(dir.path(), &rec.url(), &event, files.path())
            .output()
            .unwrap();
        assert_eq!(
            again.status.code(),
            Some(1),
            "{}",
            String::from_utf8_lossy(&again.stderr)
        );
        (r, rec, took)
    }

    /// GitHub appends the annotations of each PATCH: a PATCH answered after the client gave up
    /// must not be sent again, or every annotation of that batch would show twice.
    #[test]
    fn an_annotation_batch_answered_too_late_is_not_sent_twice() {
        let (dir, event) = blocked_pr();
        let mut lines = String::new();
        for i in 0..120 {
            lines.push_str(&format!("- Run `kubectl delete pod api-{i}` when full.\n"));
        }
        let spec = std::fs::read_to_string(dir.path().join("specs/disk_full/specify.md")).unwrap();
        write(
            dir.path(),
            "specs/disk_full/specify.md",
            &spec.replace(
                "when the disk is full.\n",
                &format!("when the disk is full.\n{lines}"),
            ),
        );
        git(dir.path(), &["commit", "-q", "-am", "more"]);
        let head = git(dir.path(), &["rev-parse", "HEAD"]);
        let mut event = event;
        event["pull_request"]["head"]["sha"] = head.into();
        let files = tempfile::tempdir().unwrap();
        let rec = Recorder::start();
        rec.state().pr_files = vec!["specs/disk_full/specify.md".into()];
        rec.fault(Fault::delay(
            "PATCH",
            "/repos/Codertocat/Hello-World/check-runs/",
            Duration::from_secs(4),
        ));
        let o = ci_cmd(dir.path(), &rec.url(), &event, files.path())
            .env("SDDGATE_HTTP_TIMEOUT_MS", "1500")
            .output()
            .unwrap();
        assert_eq!(
            o.status.code(),
            Some(1),
            "{}",
            String::from_utf8_lossy(&o.stderr)
        );
        let st = rec.state();
        assert_eq!(st.check_runs.len(), 1);
        let run = &st.check_runs[0];
        let mut keys: Vec<String> = run.annotations.iter().map(|a| a.to_string()).collect();
        let total = keys.len();
        keys.sort();
        keys.dedup();
        assert_eq!(
            keys.len(),
            total,
            "an annotation shows twice: {}",
            rec.request_log()
        );
        assert!(total >= 121, "{total}");
    }

    #[test]
    fn sigint_while_the_comment_is_being_posted_stops_at_once_and_a_rerun_adds_no_second() {
        let (r, rec, took) =
            interrupt_while_waiting_for("/repos/Codertocat/Hello-World/issues/", "INT");
        assert_eq!(r.code, 130, "{}", r.stderr);
        let lines: Vec<&str> = r
            .stderr
            .lines()
            .filter(|l| l.contains("interrupted"))
            .collect();
        assert_eq!(
            lines,
            [
                "error: interrupted by SIGINT: check run created, comment may have been posted (its answer never came); a re-run updates what was posted and adds no second comment"
            ],
            "{}",
            r.stderr
        );
        eprintln!("stopped {took:?} after SIGINT");
        let st = rec.state();
        assert_eq!(st.comments.len(), 1, "{}", rec.request_log());
        assert_eq!(
            rec.count("POST", "/repos/Codertocat/Hello-World/issues/"),
            1,
            "the re-run found the comment by its marker: {}",
            rec.request_log()
        );
    }

    #[test]
    fn sigterm_while_the_check_run_is_being_created_stops_at_once() {
        let (r, rec, took) =
            interrupt_while_waiting_for("/repos/Codertocat/Hello-World/check-runs", "TERM");
        assert_eq!(r.code, 143, "{}", r.stderr);
        assert!(
            r.stderr.contains("error: interrupted by SIGTERM: check run may have been created (its answer never came), comment not posted"),
            "{}",
            r.stderr
        );
        eprintln!("stopped {took:?} after SIGTERM");
        // Nothing was posted after the signal: the interrupted run's requests end with the held
        // one.
        let st = rec.state();
        assert_eq!(st.comments.len(), 1, "{}", rec.request_log());
    }
}

#[cfg(feature = "github")]
fn wait_until(deadline: Duration, mut f: impl FnMut() -> bool) -> bool {
    let start = std::time::Instant::now();
    while start.elapsed() < deadline {
        if f() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    false
}
