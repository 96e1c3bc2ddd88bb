//! What users see, as reviewed snapshots (insta): human output with carets and the score
//! table, the lesson's lines, and the JSON report. A change here is a reviewed diff.

mod common;
use common::*;

fn both(r: &Run) -> String {
    format!(
        "exit: {}\n--- stdout\n{}--- stderr\n{}",
        r.code, r.stdout, r.stderr
    )
}

#[test]
fn human_check_of_a_blocked_fixture() {
    let r = run(
        sddgate(),
        &[
            "check",
            "fixtures/readiness/readiness_block_implementation.json",
        ],
    );
    insta::assert_snapshot!(both(&r));
}

#[test]
fn human_check_of_the_example_repository() {
    let r = run(sddgate(), &["check"]);
    insta::assert_snapshot!(both(&r));
}

#[test]
fn human_lint_of_the_anti_pattern_spec() {
    let r = run(
        sddgate(),
        &[
            "lint",
            "fixtures/specs/kubectl_in_spec/specify.md",
            "fixtures/specs/missing_sections/specify.md",
        ],
    );
    insta::assert_snapshot!(both(&r));
}

#[test]
fn lesson_lines_of_every_readiness_fixture() {
    let mut all = String::new();
    let mut files: Vec<_> = std::fs::read_dir(repo_root().join("fixtures/readiness"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    for f in files {
        let r = run(
            sddgate(),
            &["readiness", &format!("fixtures/readiness/{f}")],
        );
        all.push_str(&format!("$ sddgate readiness {f}\n{}\n", both(&r)));
    }
    insta::assert_snapshot!(all);
}

#[test]
fn json_report_of_the_audit_fixture() {
    let r = run(
        sddgate(),
        &[
            "readiness",
            "fixtures/readiness/readiness_block_audit.json",
            "--format",
            "json",
        ],
    );
    let mut v = json(&r);
    v["tool_version"] = "<version>".into();
    insta::assert_snapshot!(serde_json::to_string_pretty(&v).unwrap());
}
