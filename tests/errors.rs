//! Malformed input of every kind: exit 2, a message naming file:line:col and what was
//! expected, and never a verdict.

mod common;
use common::*;

fn readiness_error(name: &str, text: &str) -> String {
    let repo = temp_repo(&[(name, text)]);
    let r = run(sddgate_in(repo.path()), &["readiness", name]);
    assert_eq!(r.code, 2, "{name}: stdout {} stderr {}", r.stdout, r.stderr);
    assert_eq!(r.stdout, "", "no verdict on malformed input");
    r.stderr
}

const LESSON: &str = r#"{
  "incident_id": "HM-2026-05-17-01",
  "stateful": false,
  "scores": {"spec": 5, "implementation": 4, "verification": 5, "process": 5, "security": 5},
  "checks": {"audit_trace_coverage": 1.0, "backup_verified": false, "rollback_condition_present": true, "blast_radius_known": true}
}"#;

#[test]
fn malformed_readiness_documents() {
    let cases: &[(&str, String, &str)] = &[
        ("r.json", LESSON.replace("\"security\": 5", "\"security\": 6"), "error: r.json:4:"),
        ("r.json", LESSON.replace("\"security\": 5", "\"security\": -1"), "score -1 is out of range"),
        ("r.json", LESSON.replace("\"spec\": 5", "\"spec\": 4.5"), "not an integer"),
        ("r.json", LESSON.replace("\"spec\": 5", "\"spec\": \"5\""), "expected an integer score from 0 to 5"),
        ("r.json", LESSON.replace("1.0", "1.5"), "coverage 1.5 is out of range"),
        ("r.json", LESSON.replace("\"process\": 5, ", ""), "missing required key `scores.process`"),
        ("r.json", LESSON.replace("\"incident_id\": \"HM-2026-05-17-01\",", ""), "missing required key `incident_id`"),
        ("r.json", LESSON.replace("\"audit_trace_coverage\": 1.0, ", ""), "missing required key `checks.audit_trace_coverage`"),
        ("r.json", LESSON.replace("\"stateful\": false,", ""), "missing required key `stateful`"),
        ("r.json", LESSON.replace("\"stateful\": false,", "\"stateful\": \"no\","), "expected a boolean"),
        ("r.json", LESSON.replace("\"stateful\": false,", "\"stateful\": false, \"radius_of_impact\": \"region\","), "unknown radius `region`, expected one of pod, deployment, namespace, cluster"),
        ("r.json", LESSON.replace("}\n}", "}\n"), "error: r.json:"),
        ("r.json", format!("{LESSON}\n{{}}"), "trailing characters"),
        ("r.json", LESSON.replace("\"spec\": 5", "\"spec\": 5, \"spec\": 4"), "duplicate field `spec`"),
        ("r.yaml", "incident_id: X\nscores: [1, 2\n".into(), "error: r.yaml:"),
        ("r.yaml", "# nothing here\n".into(), "empty readiness document"),
        ("readiness.md", "# Readiness\nno front matter\n".into(), "no YAML front matter"),
        ("readiness.md", "---\nincident_id: X\n".into(), "never closed"),
        ("r.yaml", "incident_id: X\nscores: {spec: 5, implementation: 5, verification: 5, process: 5, securty: 5}\n".into(), "unknown field `securty`"),
    ];
    for (name, text, want) in cases {
        let err = readiness_error(name, text);
        assert!(
            err.contains(want),
            "{name} should say {want:?}, said:\n{err}"
        );
        assert!(
            err.starts_with(&format!("error: {name}:")),
            "{name}: the message names the file and line:\n{err}"
        );
    }
}

#[test]
fn the_position_points_at_the_bad_value() {
    let text = "---\nincident_id: HM-1\nstateful: false\naudit_trace_coverage: 1.0\nscores:\n  spec: 5\n  implementation: 4\n  verification: 9\n  process: 5\n  security: 5\n---\n";
    let err = readiness_error("readiness.md", text);
    assert!(
        err.starts_with("error: readiness.md:8:17: scores.verification: score 9 is out of range"),
        "{err}"
    );
}

#[test]
fn invalid_utf8_is_an_input_error() {
    let repo = temp_repo(&[]);
    std::fs::write(repo.path().join("r.json"), b"{\"incident_id\": \"\xff\"}").unwrap();
    let r = run(sddgate_in(repo.path()), &["readiness", "r.json"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("r.json:1:18: invalid UTF-8"),
        "{}",
        r.stderr
    );
}

#[test]
fn config_errors() {
    let cases = [
        (
            "version: 1\nprofiels: {}\n",
            ".sddgate.yml:2:",
            "unknown field `profiels`",
        ),
        (
            "minimum_profile: strict\n",
            ".sddgate.yml:1:",
            "unknown profile `strict`",
        ),
        (
            "profiles:\n  x: {semi_manual_min: 24, auto_min: 23}\n",
            ".sddgate.yml:",
            "semi_manual_min 24 is above auto_min 23",
        ),
        (
            "profiles:\n  x: {max_radius_without_dry_run: region}\n",
            ".sddgate.yml:",
            "unknown variant `region`",
        ),
        (
            "discovery:\n  specs: [\"a/[\"]\n",
            ".sddgate.yml:",
            "invalid glob",
        ),
        (
            "version: 2\n",
            ".sddgate.yml:1:",
            "unsupported config version 2",
        ),
        ("profiles: [\n", ".sddgate.yml:", ""),
    ];
    for (config, place, want) in cases {
        let repo = clean_repo();
        write(repo.path(), ".sddgate.yml", config);
        let r = run(sddgate_in(repo.path()), &["check"]);
        assert_eq!(r.code, 2, "{config}: {}{}", r.stdout, r.stderr);
        assert!(
            r.stderr.starts_with(&format!("error: {place}")),
            "{config}: {}",
            r.stderr
        );
        assert!(r.stderr.contains(want), "{config}: {}", r.stderr);
    }
}

#[test]
fn an_unknown_profile_in_a_readiness_document_is_an_error() {
    let repo = clean_repo();
    write(
        repo.path(),
        "specs/disk_full/readiness.md",
        &READINESS.replace("spec: specs", "profile: yolo\nspec: specs"),
    );
    let r = run(
        sddgate_in(repo.path()),
        &["readiness", "specs/disk_full/readiness.md"],
    );
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .contains("readiness.md:3:10: unknown profile `yolo`"),
        "{}",
        r.stderr
    );
}

#[test]
fn malformed_spec_front_matter_and_actions_block() {
    let repo = clean_repo();
    write(
        repo.path(),
        "specs/disk_full/specify.md",
        &SPEC.replace("blast_radius: pod", "blast_radius: galaxy"),
    );
    let r = run(sddgate_in(repo.path()), &["check"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stdout
            .contains("error: specs/disk_full/specify.md:5:15: unknown blast_radius `galaxy`"),
        "{}",
        r.stdout
    );

    let actions = "## Pre-approved actions\n```yaml\nactions: [{name: restart_pod\n```\n";
    write(
        repo.path(),
        "specs/disk_full/specify.md",
        &SPEC.replace("## Pre-approved actions\n", actions),
    );
    let r = run(
        sddgate_in(repo.path()),
        &["lint", "specs/disk_full/specify.md"],
    );
    assert_eq!(r.code, 2, "{}", r.stdout);
    assert!(
        r.stdout.contains("pre-approved actions block"),
        "{}",
        r.stdout
    );
}

#[test]
fn an_error_in_one_document_does_not_hide_the_others_and_wins_the_exit_code() {
    let repo = clean_repo();
    write(
        repo.path(),
        "specs/other/readiness.json",
        "{\"incident_id\": 1",
    );
    let r = run(sddgate_in(repo.path()), &["check", "--format", "json"]);
    assert_eq!(r.code, 2);
    let v = json(&r);
    assert_eq!(v["summary"]["incidents"], 1);
    assert_eq!(v["summary"]["pass"], 1);
    assert_eq!(v["errors"][0]["file"], "specs/other/readiness.json");
}

#[test]
fn a_damaged_trace_log_is_an_error_a_torn_tail_a_note() {
    let repo = clean_repo();
    let full: String = sddgate::trace::STEPS
        .iter()
        .map(|s| format!("{{\"incident_id\":\"DF-2026-06-01-01\",\"step\":\"{s}\"}}\n"))
        .collect();
    write(
        repo.path(),
        ".sddgate/trace.jsonl",
        &format!("{full}{{\"incident_id\":\"DF-2026-06-01-01\",\"st"),
    );
    let r = run(
        sddgate_in(repo.path()),
        &["readiness", "specs/disk_full/readiness.md"],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("note: .sddgate/trace.jsonl:7: skipped an incomplete last record"),
        "{}",
        r.stderr
    );
    write(
        repo.path(),
        ".sddgate/trace.jsonl",
        &format!("not json\n{full}"),
    );
    let r = run(
        sddgate_in(repo.path()),
        &["readiness", "specs/disk_full/readiness.md"],
    );
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .contains(".sddgate/trace.jsonl:1:1: damaged trace record"),
        "{}",
        r.stderr
    );
}
