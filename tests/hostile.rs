//! Hostile input (issue 7, items 2 and 3): resource limits with clear errors, and paths that try
//! to lead out of the repository. Memory is measured with `/usr/bin/time -f %M` where it exists
//! and asserted generously; time is never asserted.

mod common;
use common::*;
use std::path::Path;
use std::process::Command;

fn bin() -> std::path::PathBuf {
    assert_cmd::cargo::cargo_bin("sddgate")
}

/// Runs sddgate in `dir` under `/usr/bin/time -f %M` (when installed); returns the run and the
/// peak resident set in KiB (`None` without the tool). `timeout 60` guards against a hang.
fn measured(dir: &Path, args: &[&str]) -> (Run, Option<u64>) {
    let time = Path::new("/usr/bin/time").exists();
    let mut c = Command::new("timeout");
    c.current_dir(dir).env("NO_COLOR", "1").arg("60");
    if time {
        c.args(["/usr/bin/time", "-f", "RSS_KIB=%M"]);
    }
    let out = c.arg(bin()).args(args).output().expect("run");
    let mut stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let mut rss = None;
    if let Some(i) = stderr.rfind("RSS_KIB=") {
        rss = stderr[i + 8..].trim().parse().ok();
        stderr.truncate(i);
        if let Some(j) = stderr.rfind("Command exited with non-zero status") {
            stderr.truncate(j);
        }
    }
    let r = Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr,
    };
    assert_ne!(r.code, 124, "timed out (a hang): {args:?}");
    if let Some(k) = rss {
        eprintln!("peak RSS {args:?}: {} KiB", k);
        assert!(k < 200 * 1024, "peak RSS {k} KiB for {args:?}");
    }
    (r, rss)
}

fn all(r: &Run) -> String {
    format!("{}{}", r.stdout, r.stderr)
}

// ---- item 2: resource limits ----

#[test]
fn a_file_over_the_size_cap_is_refused_without_being_read() {
    let repo = clean_repo();
    // A 10 GB sparse spec: costs no disk, would cost 10 GB of memory if read.
    let f = std::fs::File::create(repo.path().join("specs/disk_full/specify.md")).unwrap();
    f.set_len(10 * 1024 * 1024 * 1024).unwrap();
    for args in [&["check"][..], &["lint", "specs/disk_full/specify.md"]] {
        let (r, _) = measured(repo.path(), args);
        assert_eq!(r.code, 2, "{}", all(&r));
        let out = all(&r);
        assert!(out.contains("specs/disk_full/specify.md:1:1: file is 10737418240 bytes, above the limit of 4194304 bytes"), "{out}");
        assert!(out.contains("raise `limits.max_file_size`"), "{out}");
    }
}

#[test]
fn the_size_cap_applies_to_readiness_config_and_trace_log() {
    let big = "#".repeat(5 * 1024 * 1024);
    let repo = clean_repo();
    write(
        repo.path(),
        "specs/disk_full/readiness.md",
        &format!("{READINESS}{big}"),
    );
    let (r, _) = measured(repo.path(), &["check"]);
    assert_eq!(r.code, 2);
    assert!(
        all(&r).contains("specs/disk_full/readiness.md:1:1: file is 5243"),
        "{}",
        all(&r)
    );

    let repo = clean_repo();
    write(repo.path(), ".sddgate.yml", &format!("version: 1\n{big}"));
    let (r, _) = measured(repo.path(), &["check"]);
    assert_eq!(r.code, 2);
    assert!(
        all(&r).contains(".sddgate.yml:1:1: file is 5242891 bytes, above the limit of 4194304 bytes: the config itself"),
        "{}",
        all(&r)
    );

    let repo = clean_repo();
    write(
        repo.path(),
        ".sddgate.yml",
        "limits: {max_file_size: 1000}\n",
    );
    write(repo.path(), ".sddgate/trace.jsonl", &"\n".repeat(2000));
    let (r, _) = measured(repo.path(), &["check"]);
    assert_eq!(r.code, 2);
    assert!(
        all(&r).contains(
            ".sddgate/trace.jsonl:1:1: file is 2000 bytes, above the limit of 1000 bytes"
        ),
        "{}",
        all(&r)
    );
}

/// A YAML text with `n` nested flow sequences.
fn nested(n: usize) -> String {
    format!("{}{}", "[".repeat(n), "]".repeat(n))
}

fn laughs() -> String {
    let mut s = String::from("a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for i in 1..10 {
        let refs: Vec<String> = (0..9).map(|_| format!("*a{}", i - 1)).collect();
        s.push_str(&format!("a{i}: &a{i} [{}]\n", refs.join(", ")));
    }
    s
}

#[test]
fn yaml_bombs_in_readiness_spec_and_config_are_errors_with_bounded_cost() {
    let deep = nested(10_000);
    let cases: Vec<(&str, String, String, &str)> = vec![
        // (file, content, expected message fragment, file shown)
        (
            ".sddgate.yml",
            format!("profiles: {deep}\n"),
            "nested more than 128 levels".into(),
            ".sddgate.yml:1:",
        ),
        (
            ".sddgate.yml",
            format!("profiles: {{x: {}}}\n", "{a: ".repeat(10_000)),
            "nested more than 128 levels".into(),
            ".sddgate.yml:1:",
        ),
        (
            "specs/disk_full/readiness.md",
            format!("---\nincident_id: X\nscores: {deep}\n---\n"),
            "nested more than 128 levels".into(),
            "specs/disk_full/readiness.md:3:",
        ),
        (
            "specs/disk_full/specify.md",
            format!("---\nincident_type: {deep}\n---\n## Why\n"),
            "nested more than 128 levels".into(),
            "specs/disk_full/specify.md:2:",
        ),
        // `[` hidden behind `]` in strings still counts: more than 1024 openers.
        (
            ".sddgate.yml",
            format!("approvers: {}\n", "[\"]\", ".repeat(2000)),
            "more than 1024".into(),
            ".sddgate.yml:1:",
        ),
        // Billion laughs: serde_yaml stops replaying aliases (repetition limit).
        (
            "specs/disk_full/readiness.md",
            format!("---\nincident_id: X\n{}scores: *a9\n---\n", laughs()),
            "error".into(),
            "specs/disk_full/readiness.md:",
        ),
        (
            ".sddgate.yml",
            format!("{}approvers: *a9\n", laughs()),
            "error".into(),
            ".sddgate.yml:",
        ),
        (
            "specs/disk_full/specify.md",
            format!("---\n{}incident_type: *a9\n---\n## Why\n", laughs()),
            "error".into(),
            "specs/disk_full/specify.md:",
        ),
    ];
    for (file, text, want, shown) in cases {
        let repo = clean_repo();
        write(repo.path(), file, &text);
        let (r, _) = measured(repo.path(), &["check"]);
        let out = all(&r);
        assert_eq!(r.code, 2, "{file}: {out}");
        assert!(out.contains(&want), "{file} should say {want:?}:\n{out}");
        assert!(out.contains(shown), "{file} should name {shown}:\n{out}");
        assert!(!out.contains("panicked"), "{out}");
    }
}

#[test]
fn a_huge_yaml_block_within_the_file_cap_is_refused_before_parsing() {
    let repo = clean_repo();
    // 3 MiB of one-character items: under the 4 MiB file cap, hundreds of MiB as parser events.
    let items = "1,".repeat(1_500_000);
    write(
        repo.path(),
        ".sddgate.yml",
        &format!("approvers: [{items}1]\n"),
    );
    let (r, _) = measured(repo.path(), &["check"]);
    assert_eq!(r.code, 2);
    assert!(
        all(&r).contains(
            ".sddgate.yml:1:1: YAML block is 3000015 bytes, above the limit of 1048576 bytes"
        ),
        "{}",
        all(&r)
    );
}

#[test]
fn a_50_mb_line_within_a_raised_cap_is_judged() {
    let repo = clean_repo();
    write(
        repo.path(),
        ".sddgate.yml",
        "limits: {max_file_size: 60000000}\n",
    );
    let long = "word ".repeat(10_000_000);
    write(
        repo.path(),
        "specs/disk_full/specify.md",
        &SPEC.replace("## What\n", &format!("## What\n{long}\n")),
    );
    let (r, rss) = measured(repo.path(), &["check"]);
    assert_eq!(r.code, 0, "{}", all(&r));
    eprintln!("50 MB line: peak RSS {rss:?} KiB");
}

#[test]
fn two_hundred_thousand_tiny_files_are_walked() {
    let repo = clean_repo();
    for d in 0..200 {
        let dir = repo.path().join(format!("noise/d{d:03}"));
        std::fs::create_dir_all(&dir).unwrap();
        for f in 0..1000 {
            std::fs::File::create(dir.join(format!("f{f}.md"))).unwrap();
        }
    }
    let (r, rss) = measured(repo.path(), &["check"]);
    assert_eq!(r.code, 0, "{}", all(&r));
    assert!(r.stdout.contains("1 incident(s)"), "{}", r.stdout);
    eprintln!("200k files: peak RSS {rss:?} KiB");
}

#[test]
fn invalid_utf8_and_nul_bytes_name_the_file_and_the_place() {
    let repo = clean_repo();
    let mut bytes = READINESS.as_bytes().to_vec();
    bytes.splice(4..4, [0xff]);
    std::fs::write(repo.path().join("specs/disk_full/readiness.md"), &bytes).unwrap();
    let r = run(sddgate_in(repo.path()), &["check"]);
    assert_eq!(r.code, 2);
    assert!(
        all(&r).contains("specs/disk_full/readiness.md:2:1: invalid UTF-8 at byte 4"),
        "{}",
        all(&r)
    );

    let repo = clean_repo();
    write(
        repo.path(),
        "specs/disk_full/specify.md",
        &SPEC.replace("## Why\n", "## Why\nkube\0ctl delete pod\n"),
    );
    let r = run(sddgate_in(repo.path()), &["check"]);
    assert_eq!(
        r.code,
        2,
        "a NUL byte is refused, never a verdict: {}",
        all(&r)
    );
    let line = SPEC[..SPEC.find("## Why\n").unwrap()].matches('\n').count() + 2;
    assert!(
        all(&r).contains(&format!("specs/disk_full/specify.md:{line}:5: NUL byte")),
        "{}",
        all(&r)
    );
}

#[test]
fn a_bom_and_crlf_are_accepted_with_true_line_numbers() {
    let repo = clean_repo();
    let crlf = |s: &str| s.replace('\n', "\r\n");
    write(
        repo.path(),
        "specs/disk_full/readiness.md",
        &format!("\u{feff}{}", crlf(READINESS)),
    );
    write(
        repo.path(),
        "specs/disk_full/specify.md",
        &format!("\u{feff}{}", crlf(SPEC)),
    );
    let r = run(sddgate_in(repo.path()), &["check"]);
    assert_eq!(r.code, 0, "{}", all(&r));
    // A command on line 10 of a CRLF spec with a BOM is reported on line 10, column 1.
    write(
        repo.path(),
        "specs/disk_full/specify.md",
        &format!(
            "\u{feff}{}",
            crlf(&SPEC.replace("## Why\n", "## Why\nkubectl delete pod x\n"))
        ),
    );
    let line = SPEC[..SPEC.find("## Why\n").unwrap()].matches('\n').count() + 2;
    let r = run(
        sddgate_in(repo.path()),
        &["lint", "specs/disk_full/specify.md"],
    );
    assert_eq!(r.code, 1, "{}", all(&r));
    assert!(
        all(&r).contains(&format!("specs/disk_full/specify.md:{line}:1")),
        "{}",
        all(&r)
    );
    // A BOM before a JSON readiness document.
    let repo = clean_repo();
    let json = std::fs::read_to_string(repo_root().join("fixtures/readiness/readiness_pass.json"))
        .unwrap();
    write(repo.path(), "r.json", &format!("\u{feff}{json}"));
    let r = run(sddgate_in(repo.path()), &["readiness", "r.json"]);
    assert_ne!(r.code, 2, "{}", all(&r));
}

#[cfg(unix)]
fn mkfifo(p: &Path) {
    let ok = Command::new("mkfifo").arg(p).status().unwrap().success();
    assert!(ok, "mkfifo");
}

#[cfg(unix)]
#[test]
fn a_fifo_never_hangs_the_gate() {
    let cases: &[(&str, &[&str], i32, &str)] = &[
        (
            "specs/disk_full/readiness.md",
            &["readiness", "specs/disk_full/readiness.md"],
            2,
            "specs/disk_full/readiness.md:1:1: is a FIFO (named pipe), not a regular file",
        ),
        (
            "specs/disk_full/specify.md",
            &["check"],
            1,
            "specs/disk_full/specify.md",
        ),
        (
            "specs/disk_full/specify.md",
            &["lint", "specs/disk_full/specify.md"],
            2,
            "is a FIFO (named pipe), not a regular file",
        ),
        (
            ".sddgate.yml",
            &["check"],
            2,
            ".sddgate.yml:1:1: is a FIFO (named pipe), not a regular file",
        ),
        (
            ".sddgate/trace.jsonl",
            &["check"],
            2,
            ".sddgate/trace.jsonl:1:1: is a FIFO (named pipe), not a regular file",
        ),
        // Evidence that is a FIFO is never opened: it holds nothing, so it is no evidence.
        ("specs/disk_full/tasks.md", &["check"], 1, "is empty"),
    ];
    for (path, args, code, want) in cases {
        let repo = clean_repo();
        let p = repo.path().join(path);
        let _ = std::fs::remove_file(&p);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        mkfifo(&p);
        let (r, _) = measured(repo.path(), args);
        assert_eq!(r.code, *code, "{path} {args:?}: {}", all(&r));
        assert!(all(&r).contains(want), "{path}: want {want:?}\n{}", all(&r));
    }
}

// ---- item 3: paths ----

/// A clean repository inside a parent directory that also holds `outside.md`, a file whose
/// content would make the evidence present if it were ever read.
fn repo_with_outside() -> (tempfile::TempDir, std::path::PathBuf) {
    let parent = tempfile::tempdir().unwrap();
    let root = parent.path().join("repo");
    std::fs::create_dir_all(root.join(".git")).unwrap();
    for (p, t) in [
        ("specs/disk_full/specify.md", SPEC),
        ("specs/disk_full/readiness.md", READINESS),
        (
            "specs/disk_full/rollback.md",
            "# Rollback\nRestore the previous pod.\n",
        ),
    ] {
        write(&root, p, t);
    }
    write(
        parent.path(),
        "outside.md",
        "# Tasks\n- T1 real-looking evidence\n",
    );
    std::fs::create_dir_all(parent.path().join("outdir")).unwrap();
    write(
        parent.path(),
        "outdir/tasks.md",
        "# Tasks\n- T1 real-looking evidence\n",
    );
    (parent, root)
}

fn evidence_verdict(root: &Path, evidence: &str) -> (Run, serde_json::Value) {
    write(
        root,
        "specs/disk_full/readiness.md",
        &READINESS.replace(
            "implementation: specs/disk_full/tasks.md",
            &format!("implementation: {evidence:?}"),
        ),
    );
    let r = run(sddgate_in(root), &["check", "--format", "json"]);
    let v = json(&r);
    (r, v)
}

fn implementation_status(v: &serde_json::Value) -> String {
    v["incidents"][0]["gate"]["categories"][1]["evidence"][0]["status"]
        .as_str()
        .unwrap_or("?")
        .to_string()
}

#[cfg(unix)]
#[test]
fn paths_that_escape_are_invalid_evidence_never_read() {
    use std::os::unix::fs::symlink;
    let (parent, root) = repo_with_outside();
    let p = parent.path();
    symlink(p.join("outside.md"), root.join("specs/link_out.md")).unwrap();
    symlink(p.join("outdir"), root.join("specs/dir_out")).unwrap();
    symlink(p.join("nowhere/x.md"), root.join("specs/dangling_out.md")).unwrap();
    symlink(root.join("specs/loop_b"), root.join("specs/loop_a")).unwrap();
    symlink(root.join("specs/loop_a"), root.join("specs/loop_b")).unwrap();
    symlink("chain2", root.join("specs/chain1")).unwrap();
    symlink("../../outside.md", root.join("specs/chain2")).unwrap();
    let outside = [
        "../outside.md",
        "specs/../../outside.md",
        &p.join("outside.md").display().to_string(),
        "/dev/null",
        "~/outside.md",
        "..\\outside.md",
        "specs\\..\\..\\outside.md",
        "C:\\outside.md",
        "C:/outside.md",
        "%2e%2e/outside.md",
        "specs/%2E%2E/%2e%2e/outside.md",
        "specs/link_out.md",
        "specs/dir_out/tasks.md",
        "specs/dir_out/absent.md",
        "specs/dir_out",
        "specs/dangling_out.md",
        "specs/loop_a",
        "specs/loop_a/x.md",
        "specs/chain1",
        "specs/tasks\u{0}.md",
    ];
    for e in outside {
        let (r, v) = evidence_verdict(&root, e);
        assert_eq!(r.code, 1, "{e:?} must block: {}", r.stdout);
        assert_eq!(implementation_status(&v), "outside_repository", "{e:?}");
    }
    // Human output says it in words.
    let (r, _) = evidence_verdict(&root, "../outside.md");
    assert_eq!(r.code, 1);
    let human = run(sddgate_in(&root), &["check"]);
    assert!(
        human.stdout.contains("is outside the repository"),
        "{}",
        human.stdout
    );
}

#[cfg(unix)]
#[test]
fn a_link_that_stays_inside_is_followed_and_a_different_case_is_not_the_file() {
    use std::os::unix::fs::symlink;
    let (_parent, root) = repo_with_outside();
    write(
        &root,
        "specs/disk_full/tasks.md",
        "# Tasks\n- T1 idempotent restart\n",
    );
    symlink("disk_full/tasks.md", root.join("specs/inside_link.md")).unwrap();
    // Out through a link to the parent and back in by name: allowed, it ends inside.
    symlink("..", root.join("specs/up")).unwrap();
    for e in ["specs/inside_link.md", "specs/up/specs/disk_full/tasks.md"] {
        let (r, v) = evidence_verdict(&root, e);
        assert_eq!(implementation_status(&v), "present", "{e}: {}", r.stdout);
        assert_eq!(r.code, 0, "{e}");
    }
    // Case-sensitive file system: `Specs/` is not `specs/`.
    let (r, v) = evidence_verdict(&root, "Specs/disk_full/tasks.md");
    assert_eq!(implementation_status(&v), "missing");
    assert_eq!(r.code, 1);
}

#[cfg(unix)]
#[test]
fn spec_rollback_and_trace_log_paths_that_escape() {
    use std::os::unix::fs::symlink;
    let (parent, root) = repo_with_outside();
    write(&root, "specs/disk_full/tasks.md", "# Tasks\n- T1\n");
    write(parent.path(), "outside_spec.md", SPEC);
    // spec: outside → invalid, reported as outside, the incident blocks.
    write(
        &root,
        "specs/disk_full/readiness.md",
        &READINESS.replace(
            "spec: specs/disk_full/specify.md",
            "spec: ../outside_spec.md",
        ),
    );
    let r = run(sddgate_in(&root), &["check"]);
    assert_eq!(r.code, 1, "{}", all(&r));
    assert!(r.stdout.contains("outside the repository"), "{}", r.stdout);
    // A sibling specify.md that is a link out is not read as the spec.
    std::fs::remove_file(root.join("specs/disk_full/specify.md")).unwrap();
    symlink(
        parent.path().join("outside_spec.md"),
        root.join("specs/disk_full/specify.md"),
    )
    .unwrap();
    write(
        &root,
        "specs/disk_full/readiness.md",
        &READINESS.replace("spec: specs/disk_full/specify.md\n", ""),
    );
    let r = run(sddgate_in(&root), &["check", "--format", "json"]);
    assert_eq!(
        json(&r)["incidents"][0]["spec"],
        serde_json::Value::Null,
        "{}",
        r.stdout
    );
    // rollback: outside → the rollback is invalid, the incident blocks.
    let (_parent, root) = repo_with_outside();
    write(&root, "specs/disk_full/tasks.md", "# Tasks\n- T1\n");
    write(
        &root,
        "specs/disk_full/readiness.md",
        &READINESS.replace(
            "rollback: specs/disk_full/rollback.md",
            "rollback: ../outside.md",
        ),
    );
    let r = run(sddgate_in(&root), &["check"]);
    assert_eq!(r.code, 1, "{}", all(&r));
    // trace_log outside → exit 2 naming it.
    for log in ["../outside.md", "/etc/passwd", "..\\outside.md"] {
        write(&root, ".sddgate.yml", &format!("trace_log: {log:?}\n"));
        let r = run(sddgate_in(&root), &["check"]);
        assert_eq!(r.code, 2, "{log}: {}", all(&r));
        assert!(all(&r).contains("is outside the repository"), "{}", all(&r));
    }
}

#[cfg(unix)]
#[test]
fn the_index_reader_refuses_the_same_escapes() {
    use std::os::unix::fs::symlink;
    let parent = tempfile::tempdir().unwrap();
    let root = parent.path().join("repo");
    std::fs::create_dir_all(&root).unwrap();
    git(&root, &["init", "-q"]);
    write(parent.path(), "outside.md", "# Tasks\n- real-looking\n");
    for (p, t) in [
        ("specs/disk_full/specify.md", SPEC),
        ("specs/disk_full/rollback.md", "# Rollback\nRestore.\n"),
    ] {
        write(&root, p, t);
    }
    symlink(
        parent.path().join("outside.md"),
        root.join("specs/link_out.md"),
    )
    .unwrap();
    for (e, want) in [
        ("specs/link_out.md", 1),
        ("../outside.md", 1),
        ("specs/disk_full/rollback.md", 0),
    ] {
        write(
            &root,
            "specs/disk_full/readiness.md",
            &READINESS.replace(
                "implementation: specs/disk_full/tasks.md",
                &format!("implementation: {e}"),
            ),
        );
        git(&root, &["add", "-A"]);
        let r = run(sddgate_in(&root), &["hook", "run", "pre-commit"]);
        assert_eq!(r.code, want, "{e}: {}", all(&r));
    }
    // A staged link whose working-tree copy is gone: the index holds the target's name only.
    std::fs::remove_file(root.join("specs/link_out.md")).unwrap();
    write(
        &root,
        "specs/disk_full/readiness.md",
        &READINESS.replace(
            "implementation: specs/disk_full/tasks.md",
            "implementation: specs/link_out.md",
        ),
    );
    git(&root, &["add", "specs/disk_full/readiness.md"]);
    let r = run(sddgate_in(&root), &["hook", "run", "pre-commit"]);
    assert_eq!(r.code, 1, "{}", all(&r));
}

/// A spec cannot drive the terminal of whoever reads the report: on a colour terminal (forced
/// here) an escape sequence or a bidi override in document text is shown as U+FFFD, in the
/// quoted source line, the message and the lesson's lines alike, while sddgate's own colours
/// stay.
#[test]
fn document_text_cannot_send_escape_sequences_to_a_terminal() {
    let line = "kubectl delete pod x \u{1b}]0;pwned\u{7} \u{1b}[2J \u{202E}gnp.exe";
    let spec = common::SPEC.replace(
        "## Pre-approved actions",
        &format!("```sh\n{line}\n```\n\n## Pre-approved actions"),
    );
    let repo = temp_repo(&[
        ("specs/disk_full/specify.md", &spec),
        ("specs/disk_full/readiness.md", common::READINESS),
        ("specs/disk_full/tasks.md", "# Tasks\n- T1\n"),
        ("specs/disk_full/rollback.md", "# Rollback\nRevert.\n"),
    ]);
    for args in [
        &["lint", "specs/disk_full/specify.md"][..],
        &["check"][..],
        &["readiness", "specs/disk_full/readiness.md"][..],
    ] {
        let mut cmd = sddgate_in(repo.path());
        cmd.env_remove("NO_COLOR").env("CLICOLOR_FORCE", "1");
        let r = run(cmd, args);
        assert_eq!(r.code, 1, "{args:?}: {}{}", r.stdout, r.stderr);
        let all = format!("{}{}", r.stdout, r.stderr);
        for raw in ["\u{1b}]0;", "\u{1b}[2J", "\u{202E}", "\u{7}"] {
            assert!(
                !all.contains(raw),
                "{args:?} passed {raw:?} through:\n{all}"
            );
        }
        assert!(all.contains('\u{FFFD}'), "{args:?}:\n{all}");
        if args[0] != "readiness" {
            // The quoted source line (`readiness` prints no source).
            assert!(all.contains("\u{FFFD}]0;pwned"), "{args:?}:\n{all}");
        }
    }
    // The colours are still there: the check forced a terminal.
    let mut cmd = sddgate_in(repo.path());
    cmd.env_remove("NO_COLOR").env("CLICOLOR_FORCE", "1");
    assert!(run(cmd, &["check"]).stdout.contains("\u{1b}[1m"));
}

/// The same for `trace` and `dry-run`: a trace log's incident ids and refs, an action name
/// from the command line, shown on a colour terminal without their escape sequences.
#[test]
fn trace_and_dry_run_output_cannot_send_escape_sequences() {
    let log = concat!(
        r#"{"ts":"2026-05-17T09:14:03Z","incident_id":"HM-1\u001b[2J","step":"webhook_received","ref":"a\u001b]0;pwned\u0007.json"}"#,
        "\n"
    );
    let repo = temp_repo(&[
        (".sddgate/trace.jsonl", log),
        ("specs/disk_full/specify.md", common::SPEC),
        ("specs/disk_full/readiness.md", common::READINESS),
    ]);
    let forced = || {
        let mut cmd = sddgate_in(repo.path());
        cmd.env_remove("NO_COLOR").env("CLICOLOR_FORCE", "1");
        cmd
    };
    let r = run(forced(), &["trace"]);
    let all = format!("{}{}", r.stdout, r.stderr);
    assert!(all.contains("HM-1\u{FFFD}[2J"), "{all}");
    for raw in ["\u{1b}[2J", "\u{1b}]0;", "\u{7}"] {
        assert!(!all.contains(raw), "trace passed {raw:?} through:\n{all}");
    }
    let r = run(
        forced(),
        &[
            "dry-run",
            "--spec",
            "specs/disk_full/specify.md",
            "--action",
            "x\u{1b}]0;pwned\u{7}",
        ],
    );
    let all = format!("{}{}", r.stdout, r.stderr);
    assert_eq!(r.code, 1, "{all}");
    assert!(all.contains("action=x\u{FFFD}]0;pwned"), "{all}");
    assert!(
        !all.contains("\u{1b}]0;"),
        "dry-run passed an OSC through:\n{all}"
    );
}
