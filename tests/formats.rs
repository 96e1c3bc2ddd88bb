//! The report formats read by other tools (`--format sarif|github|markdown|junit|gitlab`),
//! each checked by its consumer's own schema or parser on a repository whose ids, paths and
//! messages are hostile (quotes, `<`, `&`, `]]>`, `%`, `::`, `,`, `:`, controls, non-ASCII):
//!
//! - SARIF: the official SARIF 2.1.0 JSON schema (npm `@microsoft/jest-sarif`), validated with
//!   check-jsonschema (PyPI);
//! - GitLab Code Quality: `tests/schemas/gitlab-codequality.schema.json` (ours: GitLab
//!   publishes none), same validator;
//! - JUnit: junitparser (PyPI) and Python's expat;
//! - github: the runner's workflow-command syntax, parsed back here;
//! - markdown: pulldown-cmark, links checked.
//!
//! The tools come from `.ci/formats.sh` (into `target/ci-formats`), or from the variables it
//! prints (`SDDGATE_SARIF_SCHEMA`, `SDDGATE_CHECK_JSONSCHEMA`, `SDDGATE_JUNIT_PYTHON`). Without
//! them these tests fail with the command to run: they never pass vacuously.

mod common;

use common::{run, sddgate_in, temp_repo, write};
use proptest::prelude::*;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

struct Tools {
    sarif_schema: PathBuf,
    check_jsonschema: PathBuf,
    junit_python: PathBuf,
}

fn tools() -> &'static Tools {
    static T: OnceLock<Tools> = OnceLock::new();
    T.get_or_init(|| {
        let var = |k: &str| std::env::var_os(k).map(PathBuf::from);
        if let (Some(s), Some(c), Some(p)) = (
            var("SDDGATE_SARIF_SCHEMA"),
            var("SDDGATE_CHECK_JSONSCHEMA"),
            var("SDDGATE_JUNIT_PYTHON"),
        ) {
            return Tools {
                sarif_schema: s,
                check_jsonschema: c,
                junit_python: p,
            };
        }
        let out = Command::new("bash")
            .arg(common::repo_root().join(".ci/formats.sh"))
            .output()
            .expect("bash runs");
        assert!(
            out.status.success(),
            "the format validators are missing and could not be installed: run `bash .ci/formats.sh` \
             (needs python3 with venv, npm, PyPI and npm registry access)\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = String::from_utf8_lossy(&out.stdout);
        let get = |k: &str| {
            text.lines()
                .find_map(|l| l.strip_prefix(&format!("export {k}='")))
                .and_then(|v| v.strip_suffix('\''))
                .map(PathBuf::from)
                .unwrap_or_else(|| panic!("formats.sh printed no {k}:\n{text}"))
        };
        Tools {
            sarif_schema: get("SDDGATE_SARIF_SCHEMA"),
            check_jsonschema: get("SDDGATE_CHECK_JSONSCHEMA"),
            junit_python: get("SDDGATE_JUNIT_PYTHON"),
        }
    })
}

/// Runs check-jsonschema; panics with its output unless the document validates.
fn validate_json(schema: &Path, doc: &str, what: &str) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("doc.json");
    std::fs::write(&file, doc).unwrap();
    let out = Command::new(&tools().check_jsonschema)
        // The SARIF schema's `language` pattern has a stray `]`, valid in ECMAScript regexes
        // without the unicode flag only.
        .args(["--regex-variant", "nonunicode", "--schemafile"])
        .arg(schema)
        .arg(&file)
        .output()
        .expect("check-jsonschema runs");
    assert!(
        out.status.success(),
        "{what} does not validate against {}:\n{}{}\n--- document:\n{doc}",
        schema.display(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

const JUNIT_READER: &str = r#"
import sys, xml.parsers.expat
from junitparser import JUnitXml, Failure, Error, Skipped
data = open(sys.argv[1], 'rb').read()
p = xml.parsers.expat.ParserCreate()
p.Parse(data, True)
x = JUnitXml.fromfile(sys.argv[1])
t = f = e = s = 0
for suite in x:
    for case in suite:
        t += 1
        for r in case.result:
            if isinstance(r, Failure): f += 1
            elif isinstance(r, Error): e += 1
            elif isinstance(r, Skipped): s += 1
        for r in case.result:
            if isinstance(r, Failure) and not r.message:
                raise SystemExit("failure without message in " + case.name)
print(f"{t} {f} {e} {s}")
"#;

/// (tests, failures, errors, skipped) as junitparser counts them.
fn junit_counts(xml: &str) -> (usize, usize, usize, usize) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("junit.xml");
    std::fs::write(&file, xml).unwrap();
    let out = Command::new(&tools().junit_python)
        .args(["-c", JUNIT_READER])
        .arg(&file)
        .output()
        .expect("python runs");
    assert!(
        out.status.success(),
        "junitparser rejects the report:\n{}\n--- document:\n{xml}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    let n: Vec<usize> = text
        .split_whitespace()
        .map(|x| x.parse().unwrap())
        .collect();
    (n[0], n[1], n[2], n[3])
}

// ---------------------------------------------------------------------------------------------
// The hostile repository

const HOSTILE_DIR: &str = "specs/x<y>&'q\",a:b %0A ж]]>";
const HOSTILE_ID: &str = "HM-<&>\"]]>%0A::warning::x,y:z";

const HOSTILE_SPEC: &str = "---\nincident_type: weird\nservice: api\nnamespace: prod\nblast_radius: pod\nstateful: false\n---\n# weird\n\n## Why\nBecause \"quotes\" & <tags> ]]> matter.\n\n## What\nRestart the pod.\n\n## Constraints\nOne pod. Run `kubectl delete pod \"a<b>&]]>%0A::error::x,y:z\"` when stuck.\n\n<!-- sddgate-allow concrete_command_in_spec: the runbook quotes it <b>&\"'</b> ]]> -->\nThen `kubectl rollout restart deploy/api`.\n\n## Acceptance\nGiven x when y then z.\n\n## Pre-approved actions\n- restart_pod\n";

/// A blocked incident (a concrete command; an incomplete audit trace) with a suppressed
/// finding, everything named with hostile text; and a second document that cannot be judged
/// (its id holds a control character), so the run exits 2.
fn hostile_repo(with_error: bool) -> tempfile::TempDir {
    let dir = temp_repo(&[]);
    write(
        dir.path(),
        &format!("{HOSTILE_DIR}/specify.md"),
        HOSTILE_SPEC,
    );
    write(
        dir.path(),
        &format!("{HOSTILE_DIR}/readiness.md"),
        &format!(
            "---\nincident_id: '{}'\nscores: {{spec: 5, implementation: 5, verification: 5, process: 5, security: 5}}\naudit_trace_coverage: 0.5\nstateful: false\nradius_of_impact: pod\ndry_run_verified: true\nrollback: one pod back\n---\n",
            HOSTILE_ID.replace('\'', "''")
        ),
    );
    if with_error {
        write(
            dir.path(),
            "specs/broken/readiness.md",
            "---\nincident_id: \"BAD\\u0007 ]]> <x>\"\nscores: {spec: 5}\n---\n",
        );
    }
    dir
}

/// sddgate in `dir` with no CI host in its environment (links come from these variables).
fn sddgate_offline(dir: &Path) -> assert_cmd::Command {
    let mut c = sddgate_in(dir);
    for k in [
        "GITHUB_SERVER_URL",
        "GITHUB_REPOSITORY",
        "GITHUB_SHA",
        "CI_PROJECT_URL",
        "CI_COMMIT_SHA",
    ] {
        c.env_remove(k);
    }
    c
}

fn check(dir: &Path, format: &str) -> common::Run {
    run(sddgate_offline(dir), &["check", ".", "--format", format])
}

fn json_report(dir: &Path) -> serde_json::Value {
    let r = check(dir, "json");
    common::json(&r)
}

// ---------------------------------------------------------------------------------------------
// SARIF

#[test]
fn sarif_validates_against_the_official_schema_and_carries_every_finding() {
    let repo = hostile_repo(true);
    let r = check(repo.path(), "sarif");
    assert_eq!(
        r.code, 2,
        "an error is exit 2 in every format\n{}",
        r.stderr
    );
    validate_json(&tools().sarif_schema, &r.stdout, "the SARIF report");
    let doc: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(doc["version"], "2.1.0");
    let run0 = &doc["runs"][0];
    let rules = run0["tool"]["driver"]["rules"].as_array().unwrap();
    let ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert!(ids.contains(&"concrete_command_in_spec"));
    for rule in rules {
        assert!(!rule["help"]["markdown"].as_str().unwrap().is_empty());
        assert!(rule["defaultConfiguration"]["level"].is_string());
    }
    let results = run0["results"].as_array().unwrap();
    let report = json_report(repo.path());
    let blockers: usize = report["incidents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["blockers"].as_array().unwrap().len() + i["warnings"].as_array().unwrap().len())
        .sum();
    let silenced = report["summary"]["suppressed"].as_u64().unwrap() as usize;
    assert_eq!(results.len(), blockers + silenced);
    let mut fingerprints = std::collections::HashSet::new();
    for res in results {
        let i = res["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(
            rules[i]["id"], res["ruleId"],
            "ruleIndex points at its rule"
        );
        let loc = &res["locations"][0]["physicalLocation"];
        assert_eq!(loc["artifactLocation"]["uriBaseId"], "%SRCROOT%");
        let uri = loc["artifactLocation"]["uri"].as_str().unwrap();
        assert!(
            uri.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-._~%/".contains(&b)),
            "uri is percent-encoded: {uri}"
        );
        assert!(loc["region"]["startLine"].as_u64().unwrap() >= 1);
        assert!(fingerprints.insert(res["partialFingerprints"].to_string()));
    }
    // The hostile incident id survives as data.
    assert!(
        results
            .iter()
            .any(|r| r["properties"]["incident_id"] == HOSTILE_ID),
        "{}",
        r.stdout
    );
    let suppressed: Vec<_> = results
        .iter()
        .filter(|r| r.get("suppressions").is_some())
        .collect();
    assert_eq!(suppressed.len(), silenced);
    assert_eq!(suppressed[0]["suppressions"][0]["kind"], "inSource");
    assert_eq!(
        suppressed[0]["suppressions"][0]["justification"],
        "the runbook quotes it <b>&\"'</b> ]]>"
    );
    let inv = &run0["invocations"][0];
    assert_eq!(inv["executionSuccessful"], false);
    assert_eq!(inv["exitCode"], 2);
    let notes = inv["toolExecutionNotifications"].as_array().unwrap();
    assert!(notes.iter().any(|n| {
        n["level"] == "error"
            && n["message"]["text"]
                .as_str()
                .unwrap()
                .contains("BAD\u{7} ]]> <x>")
    }));
}

#[test]
fn sarif_of_a_passing_run_is_successful_with_no_error_results() {
    let repo = common::clean_repo();
    let r = check(repo.path(), "sarif");
    assert_eq!(r.code, 0, "{}", r.stderr);
    validate_json(&tools().sarif_schema, &r.stdout, "the SARIF report");
    let doc: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let results = doc["runs"][0]["results"].as_array().unwrap();
    // The one warning: the claimed coverage has no trace log to check it against.
    assert_eq!(results.len(), 1, "{}", r.stdout);
    assert_eq!(results[0]["level"], "warning");
    assert_eq!(results[0]["ruleId"], "audit_trace_unverified");
    assert_eq!(
        doc["runs"][0]["invocations"][0]["executionSuccessful"],
        true
    );
}

// ---------------------------------------------------------------------------------------------
// GitLab

#[test]
fn gitlab_code_quality_validates_and_fingerprints_are_unique_and_stable() {
    let repo = hostile_repo(true);
    let r = check(repo.path(), "gitlab");
    assert_eq!(r.code, 2);
    let schema = common::repo_root().join("tests/schemas/gitlab-codequality.schema.json");
    validate_json(&schema, &r.stdout, "the Code Quality report");
    let issues: Vec<serde_json::Value> = serde_json::from_str(&r.stdout).unwrap();
    let fps: std::collections::HashSet<&str> = issues
        .iter()
        .map(|i| i["fingerprint"].as_str().unwrap())
        .collect();
    assert_eq!(fps.len(), issues.len(), "fingerprints are unique");
    assert!(
        issues
            .iter()
            .any(|i| i["severity"] == "blocker" && i["check_name"] == "concrete_command_in_spec")
    );
    assert!(
        issues
            .iter()
            .any(|i| i["check_name"] == "could_not_be_judged")
    );
    assert!(issues.iter().any(|i| {
        i["severity"] == "info"
            && i["description"]
                .as_str()
                .unwrap()
                .starts_with("suppressed (the runbook quotes it")
    }));
    // Stable: the same repository gives the same fingerprints; a line moved keeps them.
    let again: Vec<serde_json::Value> =
        serde_json::from_str(&check(repo.path(), "gitlab").stdout).unwrap();
    assert_eq!(issues, again);
    let spec = repo.path().join(HOSTILE_DIR).join("specify.md");
    let moved = std::fs::read_to_string(&spec)
        .unwrap()
        .replace("## Why\n", "## Why\n\nAn extra line.\n");
    std::fs::write(&spec, moved).unwrap();
    let after: Vec<serde_json::Value> =
        serde_json::from_str(&check(repo.path(), "gitlab").stdout).unwrap();
    let fp = |list: &[serde_json::Value]| -> Vec<String> {
        let mut v: Vec<String> = list
            .iter()
            .map(|i| i["fingerprint"].as_str().unwrap().to_string())
            .collect();
        v.sort();
        v
    };
    assert_eq!(fp(&issues), fp(&after));
    assert_ne!(issues, after, "the lines did move");
}

// ---------------------------------------------------------------------------------------------
// JUnit

#[test]
fn junit_is_read_by_junitparser_with_the_counts_it_declares() {
    let repo = hostile_repo(true);
    let r = check(repo.path(), "junit");
    assert_eq!(r.code, 2);
    let (tests, failures, errors, skipped) = junit_counts(&r.stdout);
    let head = r.stdout.lines().nth(1).unwrap();
    assert_eq!(
        head,
        format!(
            "<testsuites name=\"sddgate check\" tests=\"{tests}\" failures=\"{failures}\" errors=\"{errors}\" skipped=\"{skipped}\">"
        )
    );
    assert!(
        failures >= 2,
        "the command and the audit blockers fail: {failures}"
    );
    assert_eq!(errors, 1, "the broken document is an <error>");
    assert!(
        !r.stdout.contains('\u{7}'),
        "no control character reaches the XML"
    );
    assert!(r.stdout.contains("BAD\u{FFFD} ]]&gt; &lt;x&gt;"));
    let clean = common::clean_repo();
    let r = check(clean.path(), "junit");
    assert_eq!(r.code, 0);
    let (tests, failures, errors, _) = junit_counts(&r.stdout);
    assert!(tests > 10, "every rule checked is a test case: {tests}");
    assert_eq!((failures, errors), (0, 0));
}

// ---------------------------------------------------------------------------------------------
// github (workflow commands)

/// `::name k=v,k=v::message` as the runner splits and unescapes it.
fn parse_command(line: &str) -> sddgate::github::workflow::ParsedCommand {
    sddgate::github::workflow::parse_command(line)
        .unwrap_or_else(|| panic!("not a workflow command the runner reads: {line:?}"))
}

#[test]
fn github_commands_stay_one_per_line_and_read_back_exactly() {
    let repo = hostile_repo(true);
    let r = check(repo.path(), "github");
    assert_eq!(r.code, 2);
    let lines: Vec<&str> = r.stdout.lines().collect();
    let (summary, commands) = lines.split_last().unwrap();
    assert!(summary.starts_with("sddgate: ERROR"), "{summary}");
    let parsed: Vec<_> = commands.iter().map(|l| parse_command(l)).collect();
    for (name, _, _) in &parsed {
        assert!(
            ["error", "warning", "notice"].contains(&name.as_str()),
            "{name}"
        );
    }
    let file = format!("{HOSTILE_DIR}/specify.md");
    let command = parsed
        .iter()
        .find(|(_, p, _)| {
            p.iter()
                .any(|(k, v)| k == "title" && v == "concrete_command_in_spec")
        })
        .expect("the concrete command is annotated");
    assert_eq!(command.0, "error");
    assert!(
        command.1.contains(&("file".into(), file.clone())),
        "{:?}",
        command.1
    );
    assert!(command.1.contains(&("line".into(), "17".into())));
    assert!(
        command
            .2
            .contains("`kubectl delete pod a<b>&]]>%0A::error::x,y:z`\nFix: "),
        "{}",
        command.2
    );
    assert!(command.2.contains(HOSTILE_ID), "{}", command.2);
    assert!(
        parsed
            .iter()
            .any(|(n, p, m)| n == "error" && m.contains("BAD\u{7} ]]> <x>") && !p.is_empty()),
        "the document that could not be judged is an error on its file"
    );
    // The suppressed finding is not annotated: it fails nothing.
    assert!(!parsed.iter().any(|(_, _, m)| m.contains("rollout restart")));
}

// ---------------------------------------------------------------------------------------------
// markdown

fn links_in(md: &str) -> Vec<String> {
    use pulldown_cmark::{Event, Parser, Tag};
    Parser::new(md)
        .filter_map(|e| match e {
            Event::Start(Tag::Link { dest_url, .. }) => Some(dest_url.to_string()),
            Event::Start(Tag::Image { dest_url, .. }) => Some(format!("IMAGE {dest_url}")),
            _ => None,
        })
        .collect()
}

fn markdown(dir: &Path, env: &[(&str, &str)]) -> common::Run {
    let mut c = sddgate_offline(dir);
    for (k, v) in env {
        c.env(k, v);
    }
    run(c, &["check", ".", "--format", "markdown"])
}

#[test]
fn markdown_links_only_where_the_environment_names_a_host() {
    let repo = hostile_repo(false);
    let sha = "0123456789abcdef0123456789abcdef01234567";

    let plain = markdown(repo.path(), &[]);
    assert_eq!(plain.code, 1, "{}", plain.stderr);
    assert!(
        links_in(&plain.stdout).is_empty(),
        "no host, no link:\n{}",
        plain.stdout
    );
    assert!(
        plain.stdout.starts_with("**sddgate: BLOCK**"),
        "{}",
        plain.stdout
    );
    assert!(!plain.stdout.contains("<!-- sddgate:pr-comment -->"));

    let gitlab = markdown(
        repo.path(),
        &[
            ("CI_PROJECT_URL", "https://gitlab.example.com/g/p"),
            ("CI_COMMIT_SHA", sha),
        ],
    );
    let links = links_in(&gitlab.stdout);
    assert!(!links.is_empty());
    for l in &links {
        assert!(
            l.starts_with(&format!("https://gitlab.example.com/g/p/-/blob/{sha}/"))
                || l.starts_with("https://gitlab.example.com/g/p/-/commit/"),
            "{l}"
        );
    }
    assert!(
        links.iter().any(|l| l.ends_with("specify.md?plain=1#L17")),
        "{links:?}"
    );

    let github = markdown(
        repo.path(),
        &[
            ("GITHUB_SERVER_URL", "https://github.com"),
            ("GITHUB_REPOSITORY", "o/r"),
            ("GITHUB_SHA", sha),
        ],
    );
    for l in links_in(&github.stdout) {
        assert!(l.starts_with("https://github.com/o/r/"), "{l}");
    }
    // A half-set or malformed environment gives no link rather than a broken one.
    let half = markdown(
        repo.path(),
        &[
            ("CI_PROJECT_URL", "javascript:x//y"),
            ("CI_COMMIT_SHA", sha),
        ],
    );
    assert!(links_in(&half.stdout).is_empty(), "{}", half.stdout);
    let half = markdown(
        repo.path(),
        &[
            ("GITHUB_SERVER_URL", "https://github.com"),
            ("GITHUB_SHA", sha),
        ],
    );
    assert!(links_in(&half.stdout).is_empty(), "{}", half.stdout);
    // Hostile text stays text: no raw HTML beyond the details blocks the renderer writes.
    use pulldown_cmark::{Event, Parser};
    for e in Parser::new(&plain.stdout) {
        if let Event::Html(h) | Event::InlineHtml(h) = e {
            let h = h.trim();
            assert!(
                [
                    "<details>",
                    "</details>",
                    "<summary>",
                    "</summary>",
                    "<sub>",
                    "</sub>",
                    "<br>"
                ]
                .iter()
                .any(|t| h.starts_with(t)),
                "raw HTML from a document: {h:?}"
            );
        }
    }
}

#[test]
fn markdown_claims_nothing_about_approvers() {
    let repo = common::clean_repo();
    // 21/25: semi-manual under the standard profile.
    let text = common::READINESS.replace("implementation: 4", "implementation: 2");
    write(repo.path(), "specs/disk_full/readiness.md", &text);
    let r = markdown(repo.path(), &[]);
    assert!(
        r.stdout.contains("SEMI-MANUAL") || r.code == 1,
        "{}",
        r.stdout
    );
    assert!(!r.stdout.contains("approvers"), "{}", r.stdout);
    assert!(!r.stdout.contains("configured approver"), "{}", r.stdout);
}

// ---------------------------------------------------------------------------------------------
// Every command, every format

#[test]
fn readiness_and_lint_write_every_format_with_the_decisions_exit_code() {
    let repo = hostile_repo(false);
    let readiness = format!("{HOSTILE_DIR}/readiness.md");
    let spec = format!("{HOSTILE_DIR}/specify.md");
    for format in ["sarif", "github", "markdown", "junit", "gitlab", "json"] {
        let r = run(
            sddgate_in(repo.path()),
            &["readiness", &readiness, "--format", format],
        );
        assert_eq!(r.code, 1, "readiness --format {format}: {}", r.stderr);
        assert!(!r.stdout.is_empty());
        let l = run(
            sddgate_in(repo.path()),
            &["lint", &spec, "--format", format],
        );
        assert_eq!(l.code, 1, "lint --format {format}: {}", l.stderr);
        match format {
            "sarif" => validate_json(&tools().sarif_schema, &l.stdout, "lint SARIF"),
            "gitlab" => validate_json(
                &common::repo_root().join("tests/schemas/gitlab-codequality.schema.json"),
                &l.stdout,
                "lint Code Quality",
            ),
            "junit" => {
                let (_, failures, _, skipped) = junit_counts(&l.stdout);
                assert_eq!((failures, skipped), (1, 0), "{}", l.stdout);
            }
            _ => {}
        }
    }
}

#[test]
fn report_formats_are_refused_where_no_report_is_written() {
    let repo = common::clean_repo();
    let r = run(sddgate_in(repo.path()), &["rules", "--format", "sarif"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("--format sarif is a report format"),
        "{}",
        r.stderr
    );
    let r = run(sddgate_in(repo.path()), &["trace", "--format", "junit"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
}

// ---------------------------------------------------------------------------------------------
// Any text

fn report_with(text: &str, path: &str) -> sddgate::report::Report {
    use sddgate::model::{Severity, Violation};
    use sddgate::report::{ErrorReport, FileReport, Report, Suppressed};
    let v = Violation::new("concrete_command_in_spec", Severity::Error, text)
        .fix(text)
        .at(path, 3, 2)
        .length(4);
    let s = Suppressed {
        id: "concrete_command_in_spec",
        severity: Severity::Error,
        message: text.into(),
        observed: Some(text.into()),
        file: path.into(),
        line: 5,
        column: 1,
        length: 3,
        suppression_line: 4,
        suppression_column: 1,
        reason: text.into(),
    };
    let files = vec![FileReport {
        file: path.into(),
        findings: vec![v],
        suppressed: vec![s],
    }];
    let errors = vec![ErrorReport {
        file: Some(path.into()),
        line: Some(1),
        column: None,
        message: text.into(),
    }];
    Report::new("lint", vec![], files, errors, vec![text.into()])
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn any_text_keeps_every_format_well_formed(
        text in "\\PC{0,40}|[\\x00-\\x1f\"'<>&%:,\\]\\[\\\\]{0,20}",
        path in "[a-z]{1,4}(/[^/\\x00]{1,8}){0,2}",
    ) {
        let report = report_with(&text, &path);
        // SARIF and GitLab: JSON that gives the text back.
        let sarif: serde_json::Value =
            serde_json::from_str(&sddgate::report::sarif::render(&report)).unwrap();
        let msg = sarif["runs"][0]["results"][0]["message"]["text"].as_str().unwrap();
        prop_assert!(msg.starts_with(&text));
        let gl: serde_json::Value =
            serde_json::from_str(&sddgate::report::gitlab::render(&report)).unwrap();
        prop_assert!(gl.as_array().unwrap().len() >= 2);
        // JUnit: well-formed XML 1.0 (roxmltree is strict).
        let xml = sddgate::report::junit::render(&report);
        let doc = roxmltree::Document::parse(&xml);
        prop_assert!(doc.is_ok(), "{:?}\n{xml}", doc.err());
        // Workflow commands: one command per line and the summary last.
        let gh = sddgate::report::workflow_commands::render(&report);
        let lines: Vec<&str> = gh.lines().collect();
        prop_assert!(lines.len() >= 2);
        for l in &lines[..lines.len() - 1] {
            let (name, _, message) = parse_command(l);
            prop_assert!(["error", "warning", "notice"].contains(&name.as_str()));
            prop_assert!(message.contains(&text), "{message:?} lacks {text:?}");
        }
        prop_assert!(lines[lines.len() - 1].starts_with("sddgate: "));
    }
}
