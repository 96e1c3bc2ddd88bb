//! `preset: spec-kit`: github/spec-kit feature specs (`specs/NNN-feature/spec.md`) linted out
//! of the box. The fixtures in `tests/corpus/spec-kit/` are written in the shapes of spec-kit's
//! templates (the current one, and the older one with an execution flow and a review
//! checklist), filled in with our own features; `unfilled/` is the shape left untouched.

mod common;

use common::{json, run, sddgate_in, temp_repo, write};
use std::path::Path;

const PRESET: &str = "version: 1\npreset: spec-kit\n";
const EXPORT: &str = "specs/001-incident-timeline-export/spec.md";
const HANDOVER: &str = "specs/002-on-call-handover-notes/spec.md";

fn corpus(path: &str) -> String {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/corpus/spec-kit")
        .join(path);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// A repository holding the spec-kit corpus (specs, plans, tasks) and the given config.
fn spec_kit_repo(config: Option<&str>) -> tempfile::TempDir {
    let mut files: Vec<(String, String)> = [
        EXPORT,
        "specs/001-incident-timeline-export/plan.md",
        "specs/001-incident-timeline-export/tasks.md",
        HANDOVER,
    ]
    .iter()
    .map(|p| (p.to_string(), corpus(p)))
    .collect();
    if let Some(c) = config {
        files.push((".sddgate.yml".into(), c.into()));
    }
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    temp_repo(&refs)
}

/// `(id, line, column)` of every finding of the one file linted.
fn findings(v: &serde_json::Value) -> Vec<(String, u64, u64)> {
    v["files"][0]["findings"]
        .as_array()
        .unwrap_or_else(|| panic!("no findings array: {v}"))
        .iter()
        .map(|f| {
            (
                f["id"].as_str().unwrap_or("").to_string(),
                f["line"].as_u64().unwrap_or(0),
                f["column"].as_u64().unwrap_or(0),
            )
        })
        .collect()
}

fn lint(repo: &Path, file: &str) -> (i32, serde_json::Value) {
    let r = run(sddgate_in(repo), &["lint", file, "--format", "json"]);
    let v = json(&r);
    (r.code, v)
}

#[test]
fn filled_specs_in_both_template_shapes_lint_clean() {
    let repo = spec_kit_repo(Some(PRESET));
    for spec in [EXPORT, HANDOVER] {
        let (code, v) = lint(repo.path(), spec);
        assert_eq!(findings(&v), [], "{spec}: {v}");
        assert_eq!(code, 0, "{spec}: {v}");
    }
}

/// The export spec with `line` inserted after the line holding `after`; returns the text and
/// the 1-based number of the inserted line's first line.
fn with_line_after(after: &str, line: &str) -> (String, u64) {
    let text = corpus(EXPORT);
    let lines: Vec<&str> = text.lines().collect();
    let i = lines
        .iter()
        .position(|l| l.contains(after))
        .unwrap_or_else(|| panic!("no line holds {after:?}"));
    let mut out: Vec<&str> = lines[..=i].to_vec();
    out.push(line);
    out.extend(&lines[i + 1..]);
    (out.join("\n") + "\n", i as u64 + 2)
}

#[test]
fn a_command_in_a_requirement_or_a_code_block_fails_at_its_line() {
    let requirement = "- **FR-007**: A stuck export MUST be recovered with `kubectl rollout restart deployment/timeline-export`.";
    let (text, at) = with_line_after("**FR-006**", requirement);
    let repo = spec_kit_repo(Some(PRESET));
    write(repo.path(), EXPORT, &text);
    let (code, v) = lint(repo.path(), EXPORT);
    assert_eq!(code, 1, "{v}");
    let col = requirement.find("kubectl").unwrap() as u64 + 1;
    assert_eq!(
        findings(&v),
        [("concrete_command_in_spec".to_string(), at, col)],
        "{v}"
    );

    // The same command in a fenced block under an edge case: reported on the command's line.
    let (text, at) = with_line_after(
        "never truncated silently",
        "  ```\n  kubectl rollout restart deployment/timeline-export -n incidents\n  ```",
    );
    write(repo.path(), EXPORT, &text);
    let (code, v) = lint(repo.path(), EXPORT);
    assert_eq!(code, 1, "{v}");
    assert_eq!(
        findings(&v),
        [("concrete_command_in_spec".to_string(), at + 1, 3)],
        "{v}"
    );
}

#[test]
fn the_unfilled_template_is_reported_slot_by_slot() {
    let repo = temp_repo(&[
        (".sddgate.yml", PRESET),
        ("specs/003-x/spec.md", &corpus("unfilled/spec.md")),
    ]);
    let (code, v) = lint(repo.path(), "specs/003-x/spec.md");
    assert_eq!(code, 1, "{v}");
    let got: Vec<(u64, String)> = v["files"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["line"].as_u64().unwrap(),
                format!("{} {}", f["id"].as_str().unwrap(), f["observed"]),
            )
        })
        .collect();
    let want: Vec<(u64, String)> = [
        (1, "[FEATURE NAME]"),
        (3, "[###-feature-name]"),
        (4, "[DATE]"),
        (6, "$ARGUMENTS"),
        (36, "[NEEDS CLARIFICATION: which identity provider?]"),
        (37, "[NEEDS CLARIFICATION: how long?]"),
    ]
    .iter()
    .map(|(l, o)| (*l, format!("spec_unresolved_placeholder \"{o}\"")))
    .collect();
    // The structure is spec-kit's, so no section is missing; the guidance comment mentioning
    // [FEATURE NAME] is not the spec's text; lower-case hints such as [Short title] are not
    // slots the rule knows (see docs/rules/spec_unresolved_placeholder.md).
    assert_eq!(got, want, "{v}");
}

#[test]
fn a_quoted_marker_can_be_suppressed_with_a_reason() {
    let (text, _) = with_line_after(
        "**FR-006**",
        "<!-- sddgate-allow spec_unresolved_placeholder: the form prints this literal -->\n- **FR-007**: An unanswered field MUST read `[NEEDS CLARIFICATION: pending]` on the form.",
    );
    let repo = spec_kit_repo(Some(PRESET));
    write(repo.path(), EXPORT, &text);
    let (code, v) = lint(repo.path(), EXPORT);
    assert_eq!((code, findings(&v)), (0, vec![]), "{v}");
    assert_eq!(
        v["files"][0]["suppressed"][0]["id"],
        "spec_unresolved_placeholder"
    );
}

#[test]
fn without_the_preset_spec_kit_headings_are_not_recognised() {
    // Documented: sddgate's own section names are expected, Success Criteria aside.
    let repo = spec_kit_repo(None);
    let (code, v) = lint(repo.path(), EXPORT);
    assert_eq!(code, 1, "{v}");
    let ids: Vec<String> = findings(&v).into_iter().map(|f| f.0).collect();
    assert_eq!(
        ids,
        [
            "spec_missing_section",
            "spec_missing_section",
            "spec_missing_section",
            "spec_no_actions"
        ],
        "{v}"
    );
    // And `check` looks for specify.md, so it finds nothing to gate.
    let r = run(sddgate_in(repo.path()), &["check", "--format", "json"]);
    assert_eq!(json(&r)["summary"]["incidents"], 0, "{}", r.stdout);
}

#[test]
fn check_with_the_preset_admits_nothing_it_cannot_judge() {
    let repo = spec_kit_repo(Some(PRESET));
    write(
        repo.path(),
        "specs/003-draft/spec.md",
        &corpus("unfilled/spec.md"),
    );
    let r = run(sddgate_in(repo.path()), &["check", "--format", "json"]);
    let v = json(&r);
    assert_eq!(r.code, 1, "{}", r.stdout);
    let incidents = v["incidents"].as_array().unwrap();
    let specs: Vec<&str> = incidents
        .iter()
        .map(|i| i["spec"].as_str().unwrap())
        .collect();
    // Only spec.md files: plan.md and tasks.md (which may name commands) are never read.
    assert_eq!(specs, [EXPORT, HANDOVER, "specs/003-draft/spec.md"], "{v}");
    for i in incidents {
        assert_eq!(i["decision"], "block", "{i}");
        let blockers: Vec<&str> = i["blockers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| b["id"].as_str().unwrap())
            .collect();
        assert!(blockers.contains(&"readiness_missing"), "{i}");
        let draft = i["spec"] == "specs/003-draft/spec.md";
        assert_eq!(
            blockers.contains(&"spec_unresolved_placeholder"),
            draft,
            "{i}"
        );
    }
    assert_eq!(v["summary"]["pass"], 0);
}

#[test]
fn an_unknown_preset_is_a_config_error_naming_the_known_ones() {
    let repo = temp_repo(&[(".sddgate.yml", "version: 1\n\npreset: speckit\n")]);
    let r = run(sddgate_in(repo.path()), &["check"]);
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    for part in [".sddgate.yml:3:", "unknown preset `speckit`", "`spec-kit`"] {
        assert!(r.stderr.contains(part), "{part}: {}", r.stderr);
    }
    let r = run(sddgate_in(repo.path()), &["lint", "x.md"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    // Not a string at all: still the file and line.
    write(repo.path(), ".sddgate.yml", "preset: [spec-kit]\n");
    let r = run(sddgate_in(repo.path()), &["check"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains(".sddgate.yml:1:"), "{}", r.stderr);
}

#[test]
fn explicit_discovery_globs_win_over_the_preset() {
    let repo = spec_kit_repo(Some(
        "preset: spec-kit\ndiscovery:\n  specs: [\"specs/002-*/spec.md\"]\n",
    ));
    let r = run(sddgate_in(repo.path()), &["check", "--format", "json"]);
    let v = json(&r);
    let specs: Vec<&str> = v["incidents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["spec"].as_str().unwrap())
        .collect();
    assert_eq!(specs, [HANDOVER], "{v}");
}

/// A readiness document beside a spec-kit `spec.md` pairs with it (no `spec:` needed), and an
/// error of the spec lint that has no field of its own in the decision (an unresolved
/// placeholder) still blocks: the same document passes beside a finished spec.
#[test]
fn a_readiness_document_beside_a_draft_spec_kit_spec_does_not_pass() {
    let repo = spec_kit_repo(Some(PRESET));
    let readiness = |dir: &str| {
        common::READINESS
            .replace("spec: specs/disk_full/specify.md\n", "")
            .replace("specs/disk_full/", &format!("specs/{dir}/"))
    };
    for dir in ["003-draft", "001-incident-timeline-export"] {
        write(
            repo.path(),
            &format!("specs/{dir}/readiness.md"),
            &readiness(dir),
        );
        write(
            repo.path(),
            &format!("specs/{dir}/tasks.md"),
            "# Tasks\n- T001 build it\n",
        );
        write(
            repo.path(),
            &format!("specs/{dir}/rollback.md"),
            "# Rollback\nRevert the release.\n",
        );
    }
    write(
        repo.path(),
        "specs/003-draft/spec.md",
        &corpus("unfilled/spec.md"),
    );
    let r = run(
        sddgate_in(repo.path()),
        &[
            "check",
            "--format",
            "json",
            "specs/003-draft",
            "specs/001-incident-timeline-export",
        ],
    );
    let v = json(&r);
    let by_spec = |spec: &str| {
        v["incidents"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["spec"] == spec)
            .unwrap_or_else(|| panic!("no incident with spec {spec}: {v}"))
            .clone()
    };
    let draft = by_spec("specs/003-draft/spec.md");
    assert_eq!(
        draft["readiness"], "specs/003-draft/readiness.md",
        "{draft}"
    );
    assert_eq!(draft["decision"], "block", "{draft}");
    let blockers: Vec<&str> = draft["blockers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["id"].as_str().unwrap())
        .collect();
    assert!(blockers.contains(&"spec_unresolved_placeholder"), "{draft}");
    assert!(!blockers.contains(&"readiness_missing"), "{draft}");

    let done = by_spec(EXPORT);
    assert_eq!(
        done["readiness"], "specs/001-incident-timeline-export/readiness.md",
        "{done}"
    );
    assert_eq!(done["decision"], "auto", "{done}");
    assert_eq!(r.code, 1, "{}", r.stdout);
}

/// `sddgate lint specs/` lints the specs the globs find under a directory (with the preset:
/// every `spec.md`, never a plan or a task list); a directory holding none is a note, not a
/// silent success.
#[test]
fn lint_takes_a_directory_of_specs() {
    let repo = spec_kit_repo(Some(PRESET));
    write(
        repo.path(),
        "specs/001-incident-timeline-export/plan.md",
        "# Plan\n\n```sh\nkubectl rollout restart deploy/x\n```\n",
    );
    let (code, v) = lint(repo.path(), "specs");
    assert_eq!(code, 0, "{v}");
    let files: Vec<&str> = v["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["file"].as_str().unwrap())
        .collect();
    assert_eq!(files, [EXPORT, HANDOVER], "{v}");

    write(
        repo.path(),
        "specs/003-draft/spec.md",
        &corpus("unfilled/spec.md"),
    );
    let (code, v) = lint(repo.path(), "specs");
    assert_eq!(code, 1, "{v}");
    assert_eq!(v["files"].as_array().unwrap().len(), 3, "{v}");

    std::fs::create_dir_all(repo.path().join("docs")).unwrap();
    let (code, v) = lint(repo.path(), "docs");
    assert_eq!(code, 0, "{v}");
    assert!(
        v["files"].is_null() || v["files"].as_array().unwrap().is_empty(),
        "{v}"
    );
    assert!(
        v["notes"][0]
            .as_str()
            .unwrap()
            .starts_with("no spec under docs"),
        "{v}"
    );
}

/// Adopting the preset adds spec-kit's specs to sddgate's own: a `specify.md` in the same
/// repository is still found (and blocked without its readiness document), and a readiness
/// document beside it still pairs with it.
#[test]
fn the_preset_keeps_sddgates_own_specs_in_the_gate() {
    let repo = spec_kit_repo(Some(PRESET));
    write(repo.path(), "ops/disk_full/specify.md", common::SPEC);
    let r = run(sddgate_in(repo.path()), &["check", "--format", "json"]);
    let v = json(&r);
    let own = v["incidents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["spec"] == "ops/disk_full/specify.md")
        .unwrap_or_else(|| panic!("specify.md left out of the gate: {v}"))
        .clone();
    assert_eq!(own["decision"], "block", "{own}");
    assert_eq!(own["blockers"][0]["id"], "readiness_missing", "{own}");

    write(
        repo.path(),
        "ops/disk_full/readiness.md",
        &common::READINESS
            .replace("spec: specs/disk_full/specify.md\n", "")
            .replace("specs/disk_full/", "ops/disk_full/"),
    );
    let r = run(
        sddgate_in(repo.path()),
        &["check", "--format", "json", "ops"],
    );
    let v = json(&r);
    assert_eq!(v["incidents"][0]["spec"], "ops/disk_full/specify.md", "{v}");
    assert_eq!(
        v["incidents"][0]["readiness"], "ops/disk_full/readiness.md",
        "{v}"
    );
}
