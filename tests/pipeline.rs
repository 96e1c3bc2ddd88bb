//! `dry-run`, `trace` and `trace append` through the binary: readiness discovery, context
//! facts, chains from the log and from real git history, and the trace log's faults produced
//! exactly (torn tail, interior damage, concurrent appenders, non-ASCII offsets).

mod common;
use common::*;

const LOG: &str = ".sddgate/trace.jsonl";

/// A real git repository with the clean incident committed.
fn git_repo() -> tempfile::TempDir {
    let dir = clean_repo();
    std::fs::remove_dir(dir.path().join(".git")).unwrap();
    git(dir.path(), &["init", "-q", "-b", "main"]);
    git(dir.path(), &["add", "-A"]);
    git(dir.path(), &["commit", "-q", "-m", "initial"]);
    dir
}

fn log_lines(steps: &[&str]) -> String {
    steps
        .iter()
        .enumerate()
        .map(|(i, s)| {
            format!(
                "{{\"ts\":\"2026-06-01T10:0{i}:00Z\",\"incident_id\":\"DF-2026-06-01-01\",\"step\":\"{s}\",\"ref\":\"r{i}\"}}\n"
            )
        })
        .collect()
}

const SPEC_PATH: &str = "specs/disk_full/specify.md";

// ---------------------------------------------------------------- dry-run

#[test]
fn dry_run_finds_the_readiness_document_beside_the_spec() {
    let dir = clean_repo();
    let r = run(
        sddgate_in(dir.path()),
        &["dry-run", "--spec", SPEC_PATH, "--action", "restart_pod"],
    );
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout
            .starts_with("PASS action=restart_pod incident=DF-2026-06-01-01 score=24/25"),
        "{}",
        r.stdout
    );
}

#[test]
fn dry_run_finds_a_readiness_document_naming_the_spec_elsewhere() {
    let dir = clean_repo();
    std::fs::rename(
        dir.path().join("specs/disk_full/readiness.md"),
        dir.path().join("capstone.readiness.md"),
    )
    .unwrap();
    write(dir.path(), "capstone/readiness.md", READINESS);
    std::fs::remove_file(dir.path().join("capstone.readiness.md")).unwrap();
    let r = run(
        sddgate_in(dir.path()),
        &[
            "dry-run",
            "--spec",
            SPEC_PATH,
            "--action",
            "restart_pod",
            "--format",
            "json",
        ],
    );
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let v = json(&r);
    assert_eq!(v["readiness"], "capstone/readiness.md");
    assert_eq!(v["executed"], false);
    assert_eq!(v["readiness_checked"], true);
}

#[test]
fn dry_run_without_any_readiness_document_blocks() {
    let dir = clean_repo();
    std::fs::remove_file(dir.path().join("specs/disk_full/readiness.md")).unwrap();
    let r = run(
        sddgate_in(dir.path()),
        &["dry-run", "--spec", SPEC_PATH, "--action", "restart_pod"],
    );
    assert_eq!(r.code, 1);
    assert!(r.stdout.is_empty(), "{}", r.stdout);
    assert!(
        r.stderr.contains(
            "- readiness_not_passed: no readiness document found for specs/disk_full/specify.md"
        ),
        "{}",
        r.stderr
    );
    // --no-readiness still answers, and says what it is not.
    let r = run(
        sddgate_in(dir.path()),
        &[
            "dry-run",
            "--spec",
            SPEC_PATH,
            "--action",
            "restart_pod",
            "--no-readiness",
        ],
    );
    assert_eq!(r.code, 0);
    assert!(r.stdout.contains("this is no admission"), "{}", r.stdout);
}

#[test]
fn two_readiness_documents_for_one_spec_is_an_error_not_a_guess() {
    let dir = clean_repo();
    write(dir.path(), "capstone/readiness.md", READINESS);
    let r = run(
        sddgate_in(dir.path()),
        &["dry-run", "--spec", SPEC_PATH, "--action", "restart_pod"],
    );
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stderr.contains("several readiness documents judge")
            && r.stderr.contains("capstone/readiness.md")
            && r.stderr.contains("specs/disk_full/readiness.md"),
        "{}",
        r.stderr
    );
}

#[test]
fn a_readiness_document_of_another_spec_admits_nothing_here() {
    let dir = clean_repo();
    write(dir.path(), "specs/other/specify.md", SPEC);
    let r = run(
        sddgate_in(dir.path()),
        &[
            "dry-run",
            "--spec",
            "specs/other/specify.md",
            "--action",
            "restart_pod",
            "--readiness",
            "specs/disk_full/readiness.md",
        ],
    );
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stderr.contains(
            "readiness_not_passed: specs/disk_full/readiness.md judges specs/disk_full/specify.md, not specs/other/specify.md"
        ),
        "{}",
        r.stderr
    );
}

#[test]
fn a_readiness_scored_for_named_actions_admits_only_those() {
    let dir = clean_repo();
    let scoped = READINESS.replace(
        "stateful: false\n",
        "stateful: false\npre_approved_actions: [restart_pod]\n",
    );
    write(dir.path(), "specs/disk_full/readiness.md", &scoped);
    let dry = |action: &str| {
        run(
            sddgate_in(dir.path()),
            &[
                "dry-run",
                "--spec",
                SPEC_PATH,
                "--action",
                action,
                "--context",
                "log_volume_mounted=true",
            ],
        )
    };
    assert_eq!(dry("restart_pod").code, 0);
    let r = dry("rotate_logs");
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr.contains(
            "- readiness_not_passed: specs/disk_full/readiness.md was scored for restart_pod (pre_approved_action), not for `rotate_logs`"
        ),
        "{}",
        r.stderr
    );
    write(
        dir.path(),
        "specs/disk_full/readiness.md",
        &scoped.replace("[restart_pod]", "[restart_pod, rotate_logs]"),
    );
    assert_eq!(dry("rotate_logs").code, 0);
}

#[test]
fn a_spec_with_a_command_blocks_at_readiness_even_under_a_readiness_naming_no_spec() {
    // The lesson's readiness fixtures name no spec: the --spec given is the one judged.
    let r = run(
        sddgate(),
        &[
            "dry-run",
            "--spec",
            "fixtures/specs/kubectl_in_spec/specify.md",
            "--action",
            "restart_pod",
            "--readiness",
            "fixtures/readiness/readiness_pass.json",
        ],
    );
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("stopped-at=readiness"), "{}", r.stderr);
    assert!(
        r.stderr.contains("- concrete_command_in_spec:"),
        "{}",
        r.stderr
    );
}

#[test]
fn context_files_then_arguments_and_bad_facts_are_errors() {
    let dir = clean_repo();
    write(dir.path(), "ctx.yaml", "log_volume_mounted: false\n");
    write(dir.path(), "ctx2.json", "{\"log_volume_mounted\": \"yes\"}");
    let base = [
        "dry-run",
        "--spec",
        SPEC_PATH,
        "--action",
        "rotate_logs",
        "--format",
        "json",
    ];
    let with = |extra: &[&str]| {
        let mut a: Vec<&str> = base.to_vec();
        a.extend(extra);
        run(sddgate_in(dir.path()), &a)
    };
    let r = with(&["--context-file", "ctx.yaml"]);
    assert_eq!(r.code, 1);
    let v = json(&r);
    assert_eq!(v["stopped_at"], "preconditions");
    assert_eq!(v["preconditions"][0]["fact"]["origin"], "ctx.yaml:1");
    assert_eq!(v["reasons"][0]["id"], "precondition_not_met");
    // A later file overrides an earlier one; --context overrides files.
    assert_eq!(
        with(&["--context-file", "ctx.yaml", "--context-file", "ctx2.json"]).code,
        0
    );
    assert_eq!(
        with(&[
            "--context-file",
            "ctx2.json",
            "--context",
            "log_volume_mounted=false"
        ])
        .code,
        1
    );
    // Bad input is exit 2 with the reason, never a verdict.
    for (extra, needle) in [
        (
            &["--context", "log_volume_mounted"][..],
            "expected KEY=VALUE",
        ),
        (
            &["--context", "log_volume_mounted=perhaps"][..],
            "not a truth value",
        ),
        (
            &["--context", "a=1", "--context", "a=2"][..],
            "gives `a` twice",
        ),
    ] {
        let r = with(extra);
        assert_eq!(r.code, 2, "{extra:?}: {}", r.stdout);
        assert!(r.stderr.contains(needle), "{extra:?}: {}", r.stderr);
    }
    write(dir.path(), "bad.json", "{\n  \"x\": [1]\n}");
    let r = with(&["--context-file", "bad.json"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("bad.json:2:"), "{}", r.stderr);
}

#[test]
fn semi_manual_readiness_still_checks_the_action_and_exits_3_only_when_it_passes() {
    let dir = clean_repo();
    let semi = READINESS.replace(
        "{spec: 5, implementation: 4, verification: 5, process: 5, security: 5}",
        "{spec: 4, implementation: 4, verification: 4, process: 4, security: 5}",
    );
    write(dir.path(), "specs/disk_full/readiness.md", &semi);
    let dry = |action: &str| {
        run(
            sddgate_in(dir.path()),
            &["dry-run", "--spec", SPEC_PATH, "--action", action],
        )
    };
    let r = dry("restart_pod");
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert!(
        r.stderr
            .starts_with("SEMI-MANUAL action=restart_pod incident=DF-2026-06-01-01 score=21/25"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("- score_below_threshold:"),
        "{}",
        r.stderr
    );
    let r = dry("delete_namespace");
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("stopped-at=membership"), "{}", r.stderr);
    assert!(
        r.stderr.contains("- action_not_pre_approved:"),
        "{}",
        r.stderr
    );
    let r = dry("rotate_logs");
    assert_eq!(r.code, 1, "missing fact: {}", r.stderr);
    assert!(r.stderr.contains("- precondition_not_met:"), "{}", r.stderr);
}

#[test]
fn dry_run_rules_are_documented() {
    for id in [
        "readiness_not_passed",
        "action_not_pre_approved",
        "precondition_not_met",
    ] {
        let r = run(sddgate(), &["explain", id]);
        assert_eq!(r.code, 0, "{id}");
        assert!(r.stdout.contains(id), "{}", r.stdout);
    }
}

// ---------------------------------------------------------------- trace

#[test]
fn the_example_chain_is_complete() {
    let r = run(
        sddgate(),
        &[
            "trace",
            "--incident",
            "HM-2026-05-17-01",
            "--format",
            "json",
        ],
    );
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let v = json(&r);
    let c = &v["chains"][0];
    assert_eq!(c["coverage"], 1.0);
    assert_eq!(c["missing"].as_array().unwrap().len(), 0);
    let steps: Vec<&str> = c["links"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["step"].as_str().unwrap())
        .collect();
    assert_eq!(steps, sddgate::trace::STEPS);
    assert_eq!(c["links"][0]["sources"][0]["line"], 1);
    assert!(v["notes"].as_array().unwrap().is_empty(), "{}", v["notes"]);
    let human = run(sddgate(), &["trace", "--incident", "HM-2026-05-17-01"]);
    assert!(
        human
            .stdout
            .starts_with("HM-2026-05-17-01 complete: 6/6 links, coverage 1.00"),
        "{}",
        human.stdout
    );
}

#[test]
fn an_incomplete_chain_names_each_missing_link_and_exits_1() {
    let dir = clean_repo();
    write(
        dir.path(),
        LOG,
        &log_lines(&["webhook_received", "incident_event_normalized", "validate"]),
    );
    let r = run(sddgate_in(dir.path()), &["trace"]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(r.stdout.contains("DF-2026-06-01-01 incomplete: 3/6 links"));
    for step in ["specify", "spec_diff_created", "commit"] {
        assert!(
            r.stdout
                .lines()
                .any(|l| l.contains(step) && l.contains("missing")),
            "{step}: {}",
            r.stdout
        );
    }
    assert!(r.stdout.contains("help: record a missing link"));
}

#[test]
fn git_trailers_supply_the_commit_and_spec_diff_links_and_check_counts_them() {
    let dir = git_repo();
    write(
        dir.path(),
        LOG,
        &log_lines(&[
            "webhook_received",
            "incident_event_normalized",
            "specify",
            "validate",
        ]),
    );
    // Without the trailer commit, check blocks on the trace (4/6).
    let r = run(sddgate_in(dir.path()), &["check", "--format", "json"]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    let v = json(&r);
    let blockers = &v["incidents"][0]["blockers"];
    assert_eq!(blockers[0]["id"], "audit_trace_incomplete", "{blockers}");
    assert!(
        blockers[0]["message"]
            .as_str()
            .unwrap()
            .contains("spec_diff_created, commit")
    );

    write(
        dir.path(),
        "specs/disk_full/plan.md",
        "# Plan\nRotate logs before restarting.\n",
    );
    git(dir.path(), &["add", "-A"]);
    git(
        dir.path(),
        &[
            "commit",
            "-q",
            "-m",
            "disk_full: plan\n\nWhy the plan changed.\n\nIncident-Id: DF-2026-06-01-01\nSigned-off-by: Test <test@example.com>",
        ],
    );
    let r = run(sddgate_in(dir.path()), &["check"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);

    let r = run(sddgate_in(dir.path()), &["trace", "--format", "json"]);
    assert_eq!(r.code, 0, "{}", r.stdout);
    let v = json(&r);
    let links = &v["chains"][0]["links"];
    assert_eq!(links[3]["step"], "spec_diff_created");
    assert_eq!(links[3]["sources"][0]["kind"], "git");
    assert_eq!(
        links[3]["sources"][0]["files"][0],
        "specs/disk_full/plan.md"
    );
    assert_eq!(links[4]["sources"][0]["subject"], "disk_full: plan");

    // "Incident-Id" in the body but not as a trailer does not count.
    let dir = git_repo();
    write(
        dir.path(),
        LOG,
        &log_lines(&[
            "webhook_received",
            "incident_event_normalized",
            "specify",
            "validate",
        ]),
    );
    write(dir.path(), "specs/disk_full/plan.md", "# Plan\n");
    git(dir.path(), &["add", "-A"]);
    git(
        dir.path(),
        &[
            "commit",
            "-q",
            "-m",
            "mentions Incident-Id: DF-2026-06-01-01 in the subject only",
        ],
    );
    assert_eq!(run(sddgate_in(dir.path()), &["check"]).code, 1);
}

#[test]
fn trace_notes_refs_that_point_nowhere_and_links_out_of_order() {
    let dir = clean_repo();
    let text = "{\"ts\":\"2026-06-01T10:05:00Z\",\"incident_id\":\"X-1\",\"step\":\"webhook_received\",\"ref\":\"payloads/gone.json\"}\n{\"ts\":\"2026-06-01T10:00:00Z\",\"incident_id\":\"X-1\",\"step\":\"incident_event_normalized\",\"ref\":\"specs/disk_full/specify.md\"}\n";
    write(dir.path(), LOG, text);
    let r = run(sddgate_in(dir.path()), &["trace", "--incident", "X-1"]);
    assert_eq!(r.code, 1);
    assert!(
        r.stdout.contains(
            "note: .sddgate/trace.jsonl:1: X-1 webhook_received: ref `payloads/gone.json` is not a file in the repository"
        ),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains(
            "incident_event_normalized (2026-06-01T10:00:00Z) is recorded before webhook_received"
        ),
        "{}",
        r.stdout
    );
}

// ---------------------------------------------------------------- the trace log

#[test]
fn trace_append_writes_one_record_and_refuses_unknown_steps() {
    let dir = clean_repo();
    let r = run(
        sddgate_in(dir.path()),
        &[
            "trace",
            "append",
            "--incident",
            "DF-2026-06-01-01",
            "--step",
            "/sdd:specify",
            "--ref",
            SPEC_PATH,
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let rec: serde_json::Value = serde_json::from_str(r.stdout.trim()).unwrap();
    assert_eq!(rec["step"], "specify");
    assert_eq!(rec["ref"], SPEC_PATH);
    let ts = rec["ts"].as_str().unwrap();
    assert!(
        ts.len() == 20 && ts.ends_with('Z') && ts.as_bytes()[10] == b'T',
        "{ts}"
    );
    let text = std::fs::read_to_string(dir.path().join(LOG)).unwrap();
    assert_eq!(text, format!("{}\n", r.stdout.trim()));

    let before = text.clone();
    for (args, needle) in [
        (
            &["--step", "deploy", "--ref", "x"][..],
            "unknown trace step `deploy`",
        ),
        (
            &["--step", "commit", "--ref", " "][..],
            "ref of a trace record is empty",
        ),
    ] {
        let mut a = vec!["trace", "append", "--incident", "DF-2026-06-01-01"];
        a.extend(args);
        let r = run(sddgate_in(dir.path()), &a);
        assert_eq!(r.code, 2, "{args:?}");
        assert!(r.stderr.contains(needle), "{}", r.stderr);
    }
    assert_eq!(
        std::fs::read_to_string(dir.path().join(LOG)).unwrap(),
        before,
        "a refused record writes nothing"
    );
}

#[test]
fn a_torn_last_record_is_skipped_with_a_warning_and_moved_aside_by_the_next_append() {
    let dir = clean_repo();
    let full = log_lines(&sddgate::trace::STEPS);
    // The exact state a crash mid-append leaves: a prefix of a record, no newline.
    let torn = "{\"ts\":\"2026-06-01T11:00:00Z\",\"incident_id\":\"DF-2026-06-01-01\",\"st";
    write(dir.path(), LOG, &format!("{full}{torn}"));
    let r = run(sddgate_in(dir.path()), &["trace"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout
            .contains(".sddgate/trace.jsonl:7: skipped an incomplete last record"),
        "{}",
        r.stdout
    );
    let r = run(
        sddgate_in(dir.path()),
        &[
            "trace",
            "append",
            "--incident",
            "DF-2",
            "--step",
            "commit",
            "--ref",
            "abc",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("was moved to"), "{}", r.stderr);
    let text = std::fs::read_to_string(dir.path().join(LOG)).unwrap();
    assert!(
        text.starts_with(&full) && text.ends_with("\"ref\":\"abc\"}\n"),
        "{text}"
    );
    assert_eq!(text.lines().count(), 7);
    let aside = std::fs::read_to_string(dir.path().join(".sddgate/trace.jsonl.torn")).unwrap();
    assert_eq!(aside, format!("{torn}\n"), "nothing is lost");
    let r = run(sddgate_in(dir.path()), &["trace", "--incident", "DF-2"]);
    assert!(!r.stdout.contains("skipped"), "{}", r.stdout);
}

#[test]
fn a_damaged_interior_record_is_an_error_naming_its_line_in_every_reader() {
    let dir = clean_repo();
    // Non-ASCII refs before the damage: the line number is still right.
    let mut text = String::new();
    text.push_str("{\"incident_id\":\"DF-2026-06-01-01\",\"step\":\"webhook_received\",\"ref\":\"Инцидент 🚨 нагрузка\"}\n");
    text.push_str("{\"incident_id\":\"DF-2026-06-01-01\",\"step\":\"specify\",\"ref\":\"ü\"}\n");
    text.push_str("{\"incident_id\":\"DF-2026-06-01-01\",\"step\":\"comm\n");
    text.push_str("{\"incident_id\":\"DF-2026-06-01-01\",\"step\":\"validate\"}\n");
    write(dir.path(), LOG, &text);
    for args in [
        &["trace"][..],
        &["check"][..],
        &["readiness", "specs/disk_full/readiness.md"][..],
    ] {
        let r = run(sddgate_in(dir.path()), args);
        assert_eq!(r.code, 2, "{args:?}: {}{}", r.stdout, r.stderr);
        assert!(
            format!("{}{}", r.stdout, r.stderr)
                .contains(".sddgate/trace.jsonl:3:1: damaged trace record"),
            "{args:?}: {}{}",
            r.stdout,
            r.stderr
        );
    }
}

#[test]
fn offsets_are_byte_offsets_into_the_log() {
    let dir = clean_repo();
    for (step, reference) in [
        ("webhook_received", "Вебхук «Grafana» 🚨"),
        ("incident_event_normalized", "événement"),
        ("specify", SPEC_PATH),
    ] {
        let r = run(
            sddgate_in(dir.path()),
            &[
                "trace",
                "append",
                "--incident",
                "DF-2026-06-01-01",
                "--step",
                step,
                "--ref",
                reference,
            ],
        );
        assert_eq!(r.code, 0, "{}", r.stderr);
    }
    let bytes = std::fs::read(dir.path().join(LOG)).unwrap();
    let r = run(sddgate_in(dir.path()), &["trace", "--format", "json"]);
    let v = json(&r);
    let links = v["chains"][0]["links"].as_array().unwrap();
    for (i, link) in links.iter().take(3).enumerate() {
        let src = &link["sources"][0];
        let off = src["offset"].as_u64().unwrap() as usize;
        assert_eq!(src["line"], i + 1);
        let rest = std::str::from_utf8(&bytes[off..]).expect("offset on a char boundary");
        let line = rest.lines().next().unwrap();
        let rec: serde_json::Value = serde_json::from_str(line).unwrap();
        assert_eq!(rec["ref"], src["ref"], "record at byte {off}");
    }
    let second = links[1]["sources"][0]["offset"].as_u64().unwrap() as usize;
    let first_line = std::str::from_utf8(&bytes).unwrap().lines().next().unwrap();
    assert_eq!(second, first_line.len() + 1);
    assert!(
        second > first_line.chars().count() + 1,
        "bytes, not characters"
    );
}

#[test]
fn concurrent_appenders_in_separate_processes_lose_nothing_and_never_interleave() {
    let dir = clean_repo();
    let bin = assert_cmd::cargo::cargo_bin("sddgate");
    let writers = 8;
    let per_writer = 25;
    // A long ref makes each record span several KiB, so unlocked writes could interleave.
    let filler = "x".repeat(3000);
    let handles: Vec<_> = (0..writers)
        .map(|w| {
            let bin = bin.clone();
            let root = dir.path().to_path_buf();
            let filler = filler.clone();
            std::thread::spawn(move || {
                for i in 0..per_writer {
                    let out = std::process::Command::new(&bin)
                        .current_dir(&root)
                        .args([
                            "trace",
                            "append",
                            "--incident",
                            &format!("W{w}-{i}"),
                            "--step",
                            "webhook_received",
                            "--ref",
                            &format!("{w}:{i}:{filler}"),
                        ])
                        .output()
                        .unwrap();
                    assert!(
                        out.status.success(),
                        "{}",
                        String::from_utf8_lossy(&out.stderr)
                    );
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    let bytes = std::fs::read(dir.path().join(LOG)).unwrap();
    let log = sddgate::trace::parse(LOG, &bytes).expect("every line parses");
    assert!(log.warnings.is_empty());
    assert_eq!(log.records.len(), writers * per_writer);
    let mut ids: Vec<&str> = log.records.iter().map(|r| r.incident_id.as_str()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(
        ids.len(),
        writers * per_writer,
        "no record lost or duplicated"
    );
    for r in &log.records {
        let reference = r.reference.as_deref().unwrap();
        assert!(
            reference.ends_with(&filler),
            "interleaved record at line {}",
            r.line
        );
    }
}
