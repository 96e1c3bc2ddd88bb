//! The command line as users meet it: every command, every exit code, the lesson's lines.

mod common;
use common::*;

#[test]
fn lesson_pass_line_on_stdout() {
    let r = run(
        sddgate(),
        &["readiness", "fixtures/readiness/readiness_pass.json"],
    );
    assert_eq!(r.code, 0);
    assert_eq!(r.stdout, "PASS incident=HM-2026-05-17-01 score=24/25\n");
}

#[test]
fn lesson_audit_fixture_names_both_reasons_on_stderr() {
    let r = run(
        sddgate(),
        &["readiness", "fixtures/readiness/readiness_block_audit.json"],
    );
    assert_eq!(r.code, 1);
    assert_eq!(r.stdout, "");
    assert!(
        r.stderr.starts_with(
            "BLOCK incident=HM-2026-05-17-01 score=22/25\n- audit_trace_incomplete: audit_trace_coverage=0.7 < 1.0\n- score_below_threshold: score=22/25 below threshold 23\n"
        ),
        "{}",
        r.stderr
    );
}

#[test]
fn stateful_fixture_blocks_although_it_totals_24() {
    let r = run(
        sddgate(),
        &[
            "readiness",
            "fixtures/readiness/readiness_block_stateful.json",
        ],
    );
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.starts_with(
            "BLOCK incident=HM-2026-05-17-01 score=24/25\n- stateful_without_backup: "
        ),
        "{}",
        r.stderr
    );
}

#[test]
fn semi_manual_exits_3() {
    let r = run(
        sddgate(),
        &["readiness", "fixtures/readiness/readiness_semi_manual.json"],
    );
    assert_eq!(r.code, 3);
    assert!(
        r.stderr.starts_with(
            "SEMI-MANUAL incident=HM-2026-05-17-01 score=21/25\n- score_below_threshold: "
        ),
        "{}",
        r.stderr
    );
}

#[test]
fn the_example_repository_passes_its_own_gate() {
    let r = run(sddgate(), &["check"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout
            .starts_with("PASS        HM-2026-05-17-01 24/25  capstone/readiness.md\n"),
        "{}",
        r.stdout
    );
    let r = run(sddgate(), &["readiness", "capstone/readiness.md"]);
    assert_eq!(r.stdout, "PASS incident=HM-2026-05-17-01 score=24/25\n");
    assert_eq!(
        r.stderr, "",
        "the capstone has a spec and evidence: no warning expected"
    );
}

#[test]
fn a_spec_with_a_command_is_rejected_with_file_line_col() {
    let r = run(
        sddgate(),
        &["lint", "fixtures/specs/kubectl_in_spec/specify.md"],
    );
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(
        r.stdout.contains("error[concrete_command_in_spec]"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains("--> fixtures/specs/kubectl_in_spec/specify.md:30:48"),
        "{}",
        r.stdout
    );
    let r = run(
        sddgate(),
        &[
            "lint",
            "specs/high_memory_usage/specify.md",
            "fixtures/specs/russian/specify.md",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stdout);
}

#[test]
fn a_command_anywhere_in_a_spec_blocks_the_incident() {
    let repo = clean_repo();
    for (what, line) in [
        (
            "fenced code",
            "```bash\nkubectl delete pod billing-0\n```\n",
        ),
        (
            "inline code",
            "Run `kubectl delete pod billing-0` when full.\n",
        ),
        ("prose", "Then kubectl delete pod billing-0 by hand.\n"),
    ] {
        let spec = SPEC.replace("## Acceptance", &format!("{line}\n## Acceptance"));
        write(repo.path(), "specs/disk_full/specify.md", &spec);
        let r = run(sddgate_in(repo.path()), &["check", "--format", "json"]);
        assert_eq!(r.code, 1, "{what}: {}", r.stdout);
        let v = json(&r);
        let ids: Vec<&str> = v["incidents"][0]["blockers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| b["id"].as_str().unwrap())
            .collect();
        assert!(ids.contains(&"concrete_command_in_spec"), "{what}: {ids:?}");
        assert!(ids.contains(&"spec_too_low"), "{what}: {ids:?}");
    }
}

#[test]
fn suppression_with_reason_silences_and_without_reason_does_not() {
    let repo = clean_repo();
    let quoted = "<!-- sddgate-allow concrete_command_in_spec: quotes the 2026-05 postmortem verbatim -->\nThe postmortem says: kubectl delete pod billing-0.\n";
    write(
        repo.path(),
        "specs/disk_full/specify.md",
        &SPEC.replace("## Acceptance", &format!("{quoted}\n## Acceptance")),
    );
    let r = run(sddgate_in(repo.path()), &["check"]);
    assert_eq!(r.code, 0, "{}", r.stdout);

    let unreasoned = quoted.replace(": quotes the 2026-05 postmortem verbatim", "");
    write(
        repo.path(),
        "specs/disk_full/specify.md",
        &SPEC.replace("## Acceptance", &format!("{unreasoned}\n## Acceptance")),
    );
    let r = run(sddgate_in(repo.path()), &["check"]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(
        r.stdout.contains("warning[suppression_without_reason]"),
        "{}",
        r.stdout
    );

    let other_rule = quoted.replace("concrete_command_in_spec", "spec_missing_acceptance");
    write(
        repo.path(),
        "specs/disk_full/specify.md",
        &SPEC.replace("## Acceptance", &format!("{other_rule}\n## Acceptance")),
    );
    let r = run(sddgate_in(repo.path()), &["check"]);
    assert_eq!(
        r.code, 1,
        "a suppression for another rule must not hide the command:\n{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("warning[unused_suppression]"),
        "{}",
        r.stdout
    );
}

#[test]
fn evidence_outside_the_repository_or_empty_is_invalid_evidence() {
    let repo = clean_repo();
    for (path, words) in [
        ("../../etc/passwd", "outside the repository"),
        ("/etc/passwd", "outside the repository"),
        ("specs/disk_full/empty.md", "is empty"),
        ("specs/disk_full/nope.md", "does not exist"),
    ] {
        write(repo.path(), "specs/disk_full/empty.md", "");
        let doc = READINESS.replace(
            "implementation: specs/disk_full/tasks.md",
            &format!("implementation: {path}"),
        );
        write(repo.path(), "specs/disk_full/readiness.md", &doc);
        let r = run(
            sddgate_in(repo.path()),
            &["readiness", "specs/disk_full/readiness.md"],
        );
        assert_eq!(r.code, 1, "{path}: {}", r.stderr);
        assert!(
            r.stderr
                .contains("- evidence_missing: implementation evidence"),
            "{path}: {}",
            r.stderr
        );
        assert!(r.stderr.contains(words), "{path}: {}", r.stderr);
    }
}

#[test]
fn a_trace_log_that_says_less_than_the_claim_wins() {
    let repo = clean_repo();
    write(
        repo.path(),
        ".sddgate/trace.jsonl",
        "{\"incident_id\":\"DF-2026-06-01-01\",\"step\":\"webhook_received\"}\n{\"incident_id\":\"DF-2026-06-01-01\",\"step\":\"incident_event_normalized\"}\n{\"incident_id\":\"DF-2026-06-01-01\",\"step\":\"specify\"}\n",
    );
    let r = run(
        sddgate_in(repo.path()),
        &["readiness", "specs/disk_full/readiness.md"],
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("- audit_trace_incomplete: audit_trace_coverage=0.5 < 1.0: .sddgate/trace.jsonl computes 0.5 (missing: spec_diff_created, commit, validate), the document claims 1.0"), "{}", r.stderr);
}

#[test]
fn the_spec_can_make_an_incident_stateful_but_never_stateless() {
    let repo = clean_repo();
    write(
        repo.path(),
        "specs/disk_full/specify.md",
        &SPEC.replace("stateful: false", "stateful: true"),
    );
    let r = run(
        sddgate_in(repo.path()),
        &["readiness", "specs/disk_full/readiness.md"],
    );
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("- stateful_without_backup: stateful workload without verified backup (the spec says stateful: true"), "{}", r.stderr);
}

#[test]
fn a_profile_below_the_minimum_is_judged_by_the_minimum() {
    let repo = clean_repo();
    write(
        repo.path(),
        ".sddgate.yml",
        "minimum_profile: high_risk\nprofiles:\n  lax: {rank: -1, auto_min: 10, semi_manual_min: 5}\n",
    );
    write(
        repo.path(),
        "specs/disk_full/readiness.md",
        &READINESS.replace("spec: specs", "profile: lax\nspec: specs"),
    );
    let r = run(
        sddgate_in(repo.path()),
        &[
            "readiness",
            "specs/disk_full/readiness.md",
            "--format",
            "json",
        ],
    );
    let v = json(&r);
    let i = &v["incidents"][0];
    assert_eq!(i["gate"]["profile"], "high_risk");
    assert_eq!(i["gate"]["profile_requested"], "lax");
    assert_eq!(i["warnings"][0]["id"], "profile_below_minimum");
    // high_risk requires evidence for every category above 2: only implementation has some.
    assert_eq!(r.code, 1);
}

#[test]
fn semi_manual_band_follows_the_profile() {
    let repo = clean_repo();
    let doc = READINESS.replace(
        "{spec: 5, implementation: 4, verification: 5, process: 5, security: 5}",
        "{spec: 4, implementation: 4, verification: 4, process: 4, security: 4}",
    );
    write(repo.path(), "specs/disk_full/readiness.md", &doc);
    assert_eq!(
        run(
            sddgate_in(repo.path()),
            &["readiness", "specs/disk_full/readiness.md"]
        )
        .code,
        3
    );
    write(repo.path(), ".sddgate.yml", "default_profile: low_risk\n");
    let r = run(
        sddgate_in(repo.path()),
        &["readiness", "specs/disk_full/readiness.md"],
    );
    assert_eq!(
        r.code, 1,
        "low_risk: semi-manual only from 21, 20 blocks: {}",
        r.stderr
    );
    assert!(
        r.stderr
            .contains("score=20/25 profile low_risk never admits automatically"),
        "{}",
        r.stderr
    );
}

#[test]
fn a_spec_without_readiness_is_blocked_by_check() {
    let repo = temp_repo(&[("specs/disk_full/specify.md", SPEC)]);
    let r = run(sddgate_in(repo.path()), &["check"]);
    assert_eq!(r.code, 1);
    assert!(
        r.stdout.contains("error[readiness_missing]"),
        "{}",
        r.stdout
    );
}

#[test]
fn an_empty_repository_has_nothing_to_gate() {
    let repo = temp_repo(&[]);
    let r = run(sddgate_in(repo.path()), &["check"]);
    assert_eq!(r.code, 0);
    assert!(r.stdout.contains("no incident found"), "{}", r.stdout);
}

#[test]
fn check_base_limits_to_changed_incidents() {
    let repo = clean_repo();
    std::fs::remove_dir_all(repo.path().join(".git")).unwrap();
    let git = |args: &[&str]| {
        let ok = std::process::Command::new("git")
            .args(args)
            .current_dir(repo.path())
            .env("GIT_AUTHOR_NAME", "t")
            .env("GIT_AUTHOR_EMAIL", "t@example.invalid")
            .env("GIT_COMMITTER_NAME", "t")
            .env("GIT_COMMITTER_EMAIL", "t@example.invalid")
            .status()
            .unwrap()
            .success();
        assert!(ok, "git {args:?}");
    };
    git(&["init", "-q"]);
    git(&["add", "."]);
    git(&["commit", "-qm", "base"]);
    let r = run(
        sddgate_in(repo.path()),
        &["check", "--base", "HEAD", "--format", "json"],
    );
    assert_eq!(json(&r)["summary"]["incidents"], 0, "{}", r.stdout);
    write(
        repo.path(),
        "specs/disk_full/tasks.md",
        "# Tasks\n- T1 changed\n",
    );
    let r = run(
        sddgate_in(repo.path()),
        &["check", "--base", "HEAD", "--format", "json"],
    );
    assert_eq!(json(&r)["summary"]["incidents"], 1, "{}", r.stdout);
    let r = run(sddgate_in(repo.path()), &["check", "--base", "no-such-ref"]);
    assert_eq!(r.code, 2);
}

#[test]
fn rules_explain_and_schema() {
    let r = run(sddgate(), &["rules"]);
    assert_eq!(r.code, 0);
    for id in [
        "audit_trace_incomplete",
        "concrete_command_in_spec",
        "score_below_threshold",
        "unused_suppression",
    ] {
        assert!(r.stdout.contains(id), "{id}");
    }
    let r = run(sddgate(), &["explain", "stateful_without_backup"]);
    assert_eq!(r.code, 0);
    for part in [
        "What it checks",
        "Why",
        "Fails",
        "Passes",
        "Fix",
        "backup_verified: false",
    ] {
        assert!(r.stdout.contains(part), "{part}: {}", r.stdout);
    }
    let r = run(sddgate(), &["explain", "stateful"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("did you mean stateful_without_backup"),
        "{}",
        r.stderr
    );
    for name in ["report", "readiness", "config"] {
        let r = run(sddgate(), &["schema", name]);
        assert_eq!(r.code, 0);
        let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
        assert!(v["$schema"].is_string(), "{name}");
    }
    assert_eq!(run(sddgate(), &["schema", "nope"]).code, 2);
}

#[test]
fn json_report_is_versioned() {
    let r = run(sddgate(), &["check", "--format", "json"]);
    let v = json(&r);
    assert_eq!(v["schema"], "sddgate.report/v1");
    assert_eq!(v["exit_code"], 0);
    let cats = v["incidents"][0]["gate"]["categories"].as_array().unwrap();
    assert_eq!(cats.len(), 5);
    assert_eq!(cats[0]["category"], "spec");
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(run(sddgate(), &["frobnicate"]).code, 2);
    assert_eq!(run(sddgate(), &["lint"]).code, 2);
    assert_eq!(run(sddgate(), &["check", "--format", "xml"]).code, 2);
    assert_eq!(run(sddgate(), &["readiness", "no/such/file.json"]).code, 2);
    assert_eq!(run(sddgate(), &["check", "no/such/dir"]).code, 2);
    assert_eq!(run(sddgate(), &["--version"]).code, 0);
}

#[test]
fn colour_only_when_forced_or_on_a_terminal_and_never_with_no_color() {
    let piped = run(
        sddgate(),
        &["check", "fixtures/readiness/readiness_block_audit.json"],
    );
    assert!(!piped.stdout.contains('\u{1b}'), "no escapes into a pipe");
    let mut forced = sddgate();
    forced.env_remove("NO_COLOR").env("CLICOLOR_FORCE", "1");
    let r = run(
        forced,
        &["check", "fixtures/readiness/readiness_block_audit.json"],
    );
    assert!(
        r.stdout.contains("\u{1b}["),
        "CLICOLOR_FORCE=1 colours: {}",
        r.stdout
    );
    assert_eq!(r.code, piped.code);
}

#[test]
fn discovery_honours_gitignore_and_excludes_but_not_for_named_paths() {
    let repo = clean_repo();
    write(repo.path(), ".gitignore", "build/\n");
    write(repo.path(), "build/readiness.json", "{ broken");
    write(repo.path(), "drafts/readiness.json", "{ broken");
    write(
        repo.path(),
        ".sddgate.yml",
        "discovery:\n  exclude: [\"drafts/**\"]\n",
    );
    let r = run(sddgate_in(repo.path()), &["check", "--format", "json"]);
    assert_eq!(
        r.code, 0,
        "ignored and excluded documents are not read: {}",
        r.stdout
    );
    let r = run(sddgate_in(repo.path()), &["check", "drafts"]);
    assert_eq!(
        r.code, 2,
        "a named path is checked although excluded: {}",
        r.stdout
    );
}

/// `check PATH` judges PATH's repository against its own root, whatever the current
/// directory: evidence is resolved there, not under the caller's repository.
#[test]
fn paths_are_judged_in_their_own_repository() {
    let repo = clean_repo();
    let inside = run(sddgate_in(repo.path()), &["check", "--format", "json"]);
    assert_eq!(inside.code, 0, "{}{}", inside.stdout, inside.stderr);
    let elsewhere = tempfile::tempdir().unwrap();
    std::fs::create_dir(elsewhere.path().join(".git")).unwrap();
    let outside = run(
        sddgate_in(elsewhere.path()),
        &["check", repo.path().to_str().unwrap(), "--format", "json"],
    );
    assert_eq!(outside.code, 0, "{}{}", outside.stdout, outside.stderr);
    assert_eq!(json(&outside)["summary"], json(&inside)["summary"]);
    let one = run(
        sddgate_in(elsewhere.path()),
        &[
            "readiness",
            repo.path()
                .join("specs/disk_full/readiness.md")
                .to_str()
                .unwrap(),
        ],
    );
    assert_eq!(one.code, 0, "{}{}", one.stdout, one.stderr);
    // Two repositories at once: an error, not a verdict on one of them.
    let other = clean_repo();
    let both = run(
        sddgate_in(elsewhere.path()),
        &[
            "check",
            repo.path().to_str().unwrap(),
            other.path().to_str().unwrap(),
        ],
    );
    assert_eq!(both.code, 2, "{}{}", both.stdout, both.stderr);
    assert!(
        both.stderr.contains("one repository at a time"),
        "{}",
        both.stderr
    );
}
