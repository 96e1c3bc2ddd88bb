//! Suppressed findings leave a visible trace (issue 7 follow-up): a command waved through by a
//! reasoned `sddgate-allow` is gone from the blockers but shows, with where and why, in the
//! JSON report, the terminal, the lesson lines and `lint`.

mod common;
use common::*;
use serde_json::Value;

const ALLOW: &str =
    "<!-- sddgate-allow concrete_command_in_spec: quotes the 2026-05 postmortem verbatim -->";
const QUOTE: &str = "The on-call ran `kubectl rollout restart deployment/billing-api` by hand.";
const COMMAND: &str = "kubectl rollout restart deployment/billing-api";

/// The clean spec with `extra` as the first lines under `## Why`.
fn spec_with(extra: &str) -> String {
    SPEC.replace("## Why\n", &format!("## Why\n{extra}\n"))
}

/// The 1-based line of `text` that holds `needle` (first match).
fn line_of(text: &str, needle: &str) -> u64 {
    1 + text
        .lines()
        .position(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("{needle:?} not in the text")) as u64
}

/// The clean incident whose spec quotes a command under a reasoned suppression.
fn suppressed_repo() -> (tempfile::TempDir, String) {
    let repo = clean_repo();
    let spec = spec_with(&format!("{ALLOW}\n{QUOTE}"));
    write(repo.path(), "specs/disk_full/specify.md", &spec);
    (repo, spec)
}

fn all(r: &Run) -> String {
    format!("{}{}", r.stdout, r.stderr)
}

#[test]
fn check_json_keeps_the_suppressed_command_with_both_lines_and_the_reason() {
    let (repo, spec) = suppressed_repo();
    let r = run(sddgate_in(repo.path()), &["check", "--format", "json"]);
    // The suppression is allowed (SPEC): the incident passes ...
    assert_eq!(r.code, 0, "{}", all(&r));
    let v = json(&r);
    let i = &v["incidents"][0];
    assert_eq!(i["decision"], "auto");
    // ... and the report says what was waved through, where, by which line and why.
    let line = line_of(&spec, QUOTE);
    assert_eq!(v["summary"]["suppressed"], 1);
    assert_eq!(i["suppressed"].as_array().map(Vec::len), Some(1), "{i}");
    let s = &i["suppressed"][0];
    assert_eq!(s["id"], "concrete_command_in_spec");
    assert_eq!(s["severity"], "error");
    assert_eq!(s["observed"], COMMAND);
    assert_eq!(s["file"], "specs/disk_full/specify.md");
    assert_eq!(s["line"], line);
    assert_eq!(s["column"], 18);
    assert_eq!(s["length"], COMMAND.chars().count() as u64);
    assert_eq!(s["suppression_line"], line_of(&spec, ALLOW));
    assert_eq!(s["suppression_line"], line - 1);
    assert_eq!(s["suppression_column"], 1);
    assert_eq!(s["reason"], "quotes the 2026-05 postmortem verbatim");
    assert!(i["blockers"].as_array().is_some_and(Vec::is_empty), "{i}");
}

#[test]
fn the_suppressed_key_is_always_there() {
    let repo = clean_repo();
    let r = run(sddgate_in(repo.path()), &["check", "--format", "json"]);
    assert_eq!(r.code, 0, "{}", all(&r));
    let v = json(&r);
    assert_eq!(v["summary"]["suppressed"], 0);
    assert_eq!(v["incidents"][0]["suppressed"], Value::Array(vec![]));
}

#[test]
fn human_check_shows_the_suppressed_command_its_line_and_reason() {
    let (repo, spec) = suppressed_repo();
    let r = run(sddgate_in(repo.path()), &["check"]);
    assert_eq!(r.code, 0, "{}", all(&r));
    let line = line_of(&spec, QUOTE);
    let shown = format!(
        "  suppressed concrete_command_in_spec  specs/disk_full/specify.md:{line}:18  `{COMMAND}`  (sddgate-allow on line {}: \"quotes the 2026-05 postmortem verbatim\")",
        line - 1
    );
    assert!(r.stdout.contains(&shown), "{shown}\n----\n{}", r.stdout);
    // Not a bare clean PASS line: the first line counts it, the details are printed, and the
    // summary counts it.
    let first = r.stdout.lines().next().unwrap_or("");
    assert!(
        first.starts_with("PASS") && first.ends_with("(1 suppressed)"),
        "{first}"
    );
    assert!(
        r.stdout
            .contains("1 incident(s): 1 pass, 0 semi-manual, 0 blocked, 1 suppressed, 0 error(s)"),
        "{}",
        r.stdout
    );
    // A clean incident prints neither.
    let clean = run(sddgate_in(clean_repo().path()), &["check"]);
    assert!(!clean.stdout.contains("suppressed"), "{}", clean.stdout);
}

#[test]
fn a_suppression_without_a_reason_still_blocks_and_records_nothing() {
    for allow in [
        "<!-- sddgate-allow concrete_command_in_spec -->",
        "<!-- sddgate-allow concrete_command_in_spec:   -->",
    ] {
        let repo = clean_repo();
        write(
            repo.path(),
            "specs/disk_full/specify.md",
            &spec_with(&format!("{allow}\n{QUOTE}")),
        );
        let r = run(sddgate_in(repo.path()), &["check", "--format", "json"]);
        assert_eq!(r.code, 1, "{allow}: {}", all(&r));
        let v = json(&r);
        let i = &v["incidents"][0];
        assert_eq!(v["summary"]["suppressed"], 0, "{allow}");
        assert_eq!(i["suppressed"], Value::Array(vec![]), "{allow}");
        let ids = |k: &str| -> Vec<String> {
            i[k].as_array()
                .into_iter()
                .flatten()
                .filter_map(|b| b["id"].as_str().map(str::to_string))
                .collect()
        };
        assert!(
            ids("blockers").contains(&"concrete_command_in_spec".to_string()),
            "{allow}: {i}"
        );
        assert!(
            ids("warnings").contains(&"suppression_without_reason".to_string()),
            "{allow}: {i}"
        );
    }
}

#[test]
fn lint_carries_the_suppressed_findings_in_json_and_on_the_terminal() {
    let (repo, spec) = suppressed_repo();
    let line = line_of(&spec, QUOTE);
    let r = run(
        sddgate_in(repo.path()),
        &["lint", "--format", "json", "specs/disk_full/specify.md"],
    );
    assert_eq!(r.code, 0, "{}", all(&r));
    let v = json(&r);
    assert_eq!(v["summary"]["suppressed"], 1);
    let f = &v["files"][0];
    assert_eq!(f["findings"], Value::Array(vec![]), "{f}");
    let s = &f["suppressed"][0];
    assert_eq!(s["observed"], COMMAND);
    assert_eq!(s["line"], line);
    assert_eq!(s["suppression_line"], line - 1);
    assert_eq!(s["reason"], "quotes the 2026-05 postmortem verbatim");

    let r = run(
        sddgate_in(repo.path()),
        &["lint", "specs/disk_full/specify.md"],
    );
    assert_eq!(r.code, 0, "{}", all(&r));
    assert!(
        r.stdout.contains(&format!(
            "  suppressed concrete_command_in_spec  specs/disk_full/specify.md:{line}:18  `{COMMAND}`"
        )),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains("1 file(s) linted: 0 error(s), 0 warning(s), 1 suppressed, 0 unreadable"),
        "{}",
        r.stdout
    );
}

#[test]
fn readiness_keeps_its_one_stdout_line_and_names_the_suppression_on_stderr() {
    let (repo, spec) = suppressed_repo();
    let r = run(
        sddgate_in(repo.path()),
        &["readiness", "specs/disk_full/readiness.md"],
    );
    assert_eq!(r.code, 0, "{}", all(&r));
    assert_eq!(r.stdout, "PASS incident=DF-2026-06-01-01 score=24/25\n");
    let line = line_of(&spec, QUOTE);
    let want = format!(
        "suppressed[concrete_command_in_spec]: `{COMMAND}` (specs/disk_full/specify.md:{line}; sddgate-allow on line {}: \"quotes the 2026-05 postmortem verbatim\")",
        line - 1
    );
    assert!(r.stderr.contains(&want), "{want}\n----\n{}", r.stderr);
}

#[test]
fn a_spec_without_readiness_reports_its_suppressions_too() {
    let spec = spec_with(&format!("{ALLOW}\n{QUOTE}"));
    let repo = temp_repo(&[("specs/disk_full/specify.md", &spec)]);
    let r = run(sddgate_in(repo.path()), &["check", "--format", "json"]);
    assert_eq!(r.code, 1, "{}", all(&r));
    let v = json(&r);
    let i = &v["incidents"][0];
    assert_eq!(i["incident_id"], Value::Null);
    assert_eq!(i["suppressed"][0]["observed"], COMMAND, "{i}");
    assert_eq!(v["summary"]["suppressed"], 1);
}

#[test]
fn a_spec_two_readiness_documents_name_is_counted_once_per_incident() {
    let (repo, _) = suppressed_repo();
    write(
        repo.path(),
        "specs/disk_full_again/readiness.md",
        &READINESS.replace("DF-2026-06-01-01", "DF-2026-06-01-02"),
    );
    let r = run(sddgate_in(repo.path()), &["check", "--format", "json"]);
    assert_eq!(r.code, 0, "{}", all(&r));
    let v = json(&r);
    assert_eq!(v["summary"]["incidents"], 2, "{v}");
    assert_eq!(v["summary"]["suppressed"], 2);
    for i in v["incidents"].as_array().unwrap() {
        assert_eq!(i["suppressed"].as_array().map(Vec::len), Some(1), "{i}");
    }
}

#[test]
fn escape_sequences_in_a_reason_never_reach_the_terminal() {
    let repo = clean_repo();
    let allow = "<!-- sddgate-allow concrete_command_in_spec: ok\u{1b}[2J\u{1b}]0;pwned\u{7} \u{202e}desrever -->";
    write(
        repo.path(),
        "specs/disk_full/specify.md",
        &spec_with(&format!("{allow}\n{QUOTE}")),
    );
    let r = run(sddgate_in(repo.path()), &["check"]);
    assert_eq!(r.code, 0, "{}", all(&r));
    let line = r
        .stdout
        .lines()
        .find(|l| l.contains("suppressed concrete_command_in_spec"))
        .unwrap_or_else(|| panic!("{}", r.stdout));
    assert!(!line.contains(['\u{1b}', '\u{7}', '\u{202e}']), "{line:?}");
    assert!(
        line.contains("ok\u{FFFD}[2J\u{FFFD}]0;pwned\u{FFFD} \u{FFFD}desrever"),
        "{line:?}"
    );
    let r = run(
        sddgate_in(repo.path()),
        &["readiness", "specs/disk_full/readiness.md"],
    );
    assert!(
        !r.stderr.contains(['\u{1b}', '\u{7}', '\u{202e}']),
        "{:?}",
        r.stderr
    );
}

#[test]
fn the_report_schema_names_the_suppressed_findings() {
    let r = run(sddgate(), &["schema", "report"]);
    assert_eq!(r.code, 0, "{}", all(&r));
    let v = json(&r);
    let defs = &v["$defs"];
    let required = |def: &str| -> Vec<String> {
        defs[def]["required"]
            .as_array()
            .unwrap_or_else(|| panic!("{def} has no required list: {}", defs[def]))
            .iter()
            .filter_map(|x| x.as_str().map(str::to_string))
            .collect()
    };
    for def in ["IncidentReport", "FileReport", "Summary"] {
        assert!(
            required(def).contains(&"suppressed".to_string()),
            "{def}: {}",
            defs[def]
        );
    }
    let s = required("Suppressed");
    for field in [
        "id",
        "severity",
        "file",
        "line",
        "column",
        "length",
        "suppression_line",
        "reason",
    ] {
        assert!(s.contains(&field.to_string()), "{field}: {s:?}");
    }
}
