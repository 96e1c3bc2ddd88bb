//! `sddgate ci` end to end: the real binary in a real git repository with a pull request event
//! from `@octokit/webhooks-examples`, the full Actions environment (event file, summary and
//! output files), against
//! - `tests/support/recorder.rs`, a stateful fake of GitHub's REST API on loopback (sticky
//!   comment, pagination, retries, a create answered too late, a read-only token), and
//! - Prism serving GitHub's own OpenAPI description with request validation: every request
//!   sddgate sends must be one GitHub describes.
#![cfg(feature = "github")]

mod common;
#[path = "support/prism.rs"]
mod prism;
#[allow(dead_code)]
#[path = "support/recorder.rs"]
mod recorder;

use common::*;
use recorder::{Fault, Recorder};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

const TOKEN: &str = "ghs_sddgateTESTtoken0123456789abcdefABCD";
const MARKER: &str = "<!-- sddgate:pr-comment -->";

/// A repository with a base commit and a pull request head commit.
struct Pr {
    dir: tempfile::TempDir,
    base: String,
    head: String,
}

fn incident(root: &Path, spec: &str, readiness: &str) {
    write(root, "specs/disk_full/specify.md", spec);
    write(root, "specs/disk_full/readiness.md", readiness);
    write(
        root,
        "specs/disk_full/tasks.md",
        "# Tasks\n- T1 idempotent restart\n",
    );
    write(
        root,
        "specs/disk_full/rollback.md",
        "# Rollback\nRestore the previous pod.\n",
    );
}

/// Base: a clean incident (and `base_config` when given). Head: `change` applied.
fn pr_repo(base_config: Option<&str>, change: impl FnOnce(&Path)) -> Pr {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    git(root, &["init", "-q", "-b", "main"]);
    incident(root, SPEC, READINESS);
    if let Some(c) = base_config {
        write(root, ".sddgate.yml", c);
    }
    git(root, &["add", "-A"]);
    git(root, &["commit", "-q", "-m", "base"]);
    let base = git(root, &["rev-parse", "HEAD"]);
    git(root, &["checkout", "-q", "-b", "feature"]);
    change(root);
    git(root, &["add", "-A"]);
    git(root, &["commit", "-q", "--allow-empty", "-m", "head"]);
    let head = git(root, &["rev-parse", "HEAD"]);
    Pr { dir, base, head }
}

fn bad_spec() -> String {
    SPEC.replace(
        "Never touch a stateful volume; one pod at a time.",
        "Run kubectl delete pod api-7b4 when the disk is full.",
    )
}

/// A real `pull_request` `synchronize` payload, pointed at this repository's commits.
fn event(pr: &Pr, fork: bool) -> Value {
    let mut e = prism::webhook_example("pull_request", |e| e["action"] == "synchronize");
    e["pull_request"]["head"]["sha"] = Value::from(pr.head.clone());
    e["after"] = Value::from(pr.head.clone());
    e["pull_request"]["base"]["sha"] = Value::from(pr.base.clone());
    e["pull_request"]["base"]["ref"] = Value::from("main");
    if fork {
        prism::pull_request_from_fork(&mut e, "outsider");
    }
    e
}

struct Ci {
    code: i32,
    stdout: String,
    stderr: String,
    summary: String,
    outputs: BTreeMap<String, String>,
}

/// Parses `name<<DELIM\nvalue\nDELIM` records of a GITHUB_OUTPUT file.
fn parse_outputs(text: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut lines = text.lines();
    while let Some(l) = lines.next() {
        if let Some((name, delim)) = l.split_once("<<") {
            let mut value = Vec::new();
            for v in lines.by_ref() {
                if v == delim {
                    break;
                }
                value.push(v);
            }
            out.insert(name.to_string(), value.join("\n"));
        } else if let Some((k, v)) = l.split_once('=') {
            out.insert(k.to_string(), v.to_string());
        }
    }
    out
}

fn ci(pr: &Pr, api: &str, event: &Value, extra: &[(&str, &str)]) -> Ci {
    let files = tempfile::tempdir().unwrap();
    let event_path = files.path().join("event.json");
    std::fs::write(&event_path, event.to_string()).unwrap();
    let summary = files.path().join("summary.md");
    let output = files.path().join("output.txt");
    let mut cmd = sddgate_in(pr.dir.path());
    cmd.env("GITHUB_EVENT_NAME", "pull_request")
        .env("GITHUB_EVENT_PATH", &event_path)
        .env("GITHUB_REPOSITORY", "Codertocat/Hello-World")
        .env("GITHUB_API_URL", api)
        .env("GITHUB_SERVER_URL", "https://github.com")
        .env("GITHUB_TOKEN", TOKEN)
        .env("GITHUB_STEP_SUMMARY", &summary)
        .env("GITHUB_OUTPUT", &output)
        .env("GITHUB_WORKSPACE", pr.dir.path())
        .env("GITHUB_RUN_ID", "4242")
        .env("GITHUB_RUN_ATTEMPT", "1")
        .env("SDDGATE_HTTP_TIMEOUT_MS", "1500")
        .env("SDDGATE_HTTP_DEADLINE_MS", "20000")
        .env("SDDGATE_HTTP_BACKOFF_MS", "20")
        .env_remove("SDDGATE_CONFIG")
        .env_remove("SDDGATE_PATHS")
        .env_remove("SDDGATE_COMMENT")
        .env_remove("SDDGATE_CHECK_RUN");
    for (k, v) in extra {
        cmd.env(k, v);
    }
    let r = run(cmd, &["ci"]);
    let ci = Ci {
        code: r.code,
        stdout: r.stdout,
        stderr: r.stderr,
        summary: std::fs::read_to_string(&summary).unwrap_or_default(),
        outputs: parse_outputs(&std::fs::read_to_string(&output).unwrap_or_default()),
    };
    for text in [&ci.stdout, &ci.stderr, &ci.summary] {
        assert!(!text.contains(TOKEN), "the token leaked:\n{text}");
        assert!(
            !text.contains("TESTtoken"),
            "part of the token leaked:\n{text}"
        );
    }
    ci
}

fn writes(rec: &Recorder) -> Vec<String> {
    rec.requests()
        .into_iter()
        .filter(|r| r.method != "GET")
        .map(|r| format!("{} {}", r.method, r.path))
        .collect()
}

#[test]
fn a_blocked_pr_gets_a_failing_check_run_and_one_comment_that_a_rerun_edits() {
    let pr = pr_repo(None, |root| {
        write(root, "specs/disk_full/specify.md", &bad_spec())
    });
    let rec = Recorder::start();
    rec.state().pr_files = vec!["specs/disk_full/specify.md".into()];
    let ev = event(&pr, false);
    let first = ci(&pr, &rec.url(), &ev, &[]);
    assert_eq!(first.code, 1, "{}\n{}", first.stdout, first.stderr);
    assert_eq!(
        first.outputs.get("decision").map(String::as_str),
        Some("block")
    );
    assert_eq!(
        first.outputs.get("incident-ids").map(String::as_str),
        Some("DF-2026-06-01-01")
    );
    // Annotations through workflow commands, at the exact line.
    assert!(
        first
            .stdout
            .contains("::error file=specs/disk_full/specify.md,line=17"),
        "{}",
        first.stdout
    );
    assert!(
        first.summary.contains("DF-2026-06-01-01"),
        "{}",
        first.summary
    );
    {
        let st = rec.state();
        assert_eq!(st.check_runs.len(), 1);
        let run = &st.check_runs[0];
        assert_eq!(run.name, "sddgate");
        assert_eq!(run.head_sha, pr.head, "on the PR head, not a merge commit");
        assert_eq!(run.conclusion.as_deref(), Some("failure"));
        assert!(
            run.annotations
                .iter()
                .any(|a| a["path"] == "specs/disk_full/specify.md"
                    && a["start_line"] == 17
                    && a["annotation_level"] == "failure")
        );
        assert_eq!(st.comments.len(), 1);
        assert!(st.comments[0].body.starts_with(MARKER));
        assert!(st.comments[0].body.contains("concrete_command_in_spec"));
        assert!(
            st.comments[0].body.contains(&format!(
                "/blob/{}/specs/disk_full/specify.md?plain=1#L17",
                pr.head
            )),
            "{}",
            st.comments[0].body
        );
    }
    // Every request authenticated and identified; the token never in a URL.
    for r in rec.requests() {
        assert_eq!(
            r.header("authorization"),
            Some(format!("Bearer {TOKEN}").as_str())
        );
        assert!(
            r.header("user-agent").is_some(),
            "GitHub requires a User-Agent"
        );
        assert_eq!(r.header("accept"), Some("application/vnd.github+json"));
        assert!(!r.path.contains(TOKEN) && !r.query.iter().any(|(_, v)| v.contains(TOKEN)));
    }

    let second = ci(&pr, &rec.url(), &ev, &[]);
    assert_eq!(second.code, 1);
    let st = rec.state();
    assert_eq!(st.comments.len(), 1, "a re-run edits the comment");
    assert_eq!(st.comments[0].updates, 1);
    let patches = rec
        .requests()
        .iter()
        .filter(|r| r.method == "PATCH" && r.path.contains("/issues/comments/"))
        .count();
    assert_eq!(patches, 1);
    eprintln!("request log:\n{}", rec.request_log());
}

#[test]
fn many_findings_arrive_in_batches_of_at_most_fifty() {
    let pr = pr_repo(None, |root| {
        let mut lines = String::new();
        for i in 0..120 {
            lines.push_str(&format!("- Run `kubectl delete pod api-{i}` when full.\n"));
        }
        let spec = SPEC.replace(
            "Never touch a stateful volume; one pod at a time.\n",
            &format!("Never touch a stateful volume; one pod at a time.\n{lines}"),
        );
        write(root, "specs/disk_full/specify.md", &spec);
    });
    let rec = Recorder::start();
    rec.state().pr_files = vec!["specs/disk_full/specify.md".into()];
    let r = ci(&pr, &rec.url(), &event(&pr, false), &[]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let st = rec.state();
    let run = &st.check_runs[0];
    let total = run.annotations.len();
    assert!((120..=150).contains(&total), "{total} annotations");
    assert_eq!(
        run.annotation_batches.len(),
        3,
        "{:?}",
        run.annotation_batches
    );
    assert!(run.annotation_batches.iter().all(|&n| n <= 50));
    assert_eq!(run.annotation_batches.iter().sum::<usize>(), total);
}

#[test]
fn a_fork_pr_posts_nothing_and_still_fails_on_a_blocker() {
    let pr = pr_repo(None, |root| {
        write(root, "specs/disk_full/specify.md", &bad_spec())
    });
    let rec = Recorder::start();
    rec.state().pr_files = vec!["specs/disk_full/specify.md".into()];
    let r = ci(&pr, &rec.url(), &event(&pr, true), &[]);
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    assert_eq!(writes(&rec), Vec::<String>::new(), "nothing posted");
    assert!(r.stdout.contains("::error file=specs/disk_full/specify.md"));
    assert_eq!(r.summary.matches("fork").count(), 1, "{}", r.summary);
    assert!(r.summary.contains("concrete_command_in_spec"));
}

#[test]
fn a_read_only_token_is_detected_once_and_nothing_more_is_posted() {
    let pr = pr_repo(None, |root| {
        write(root, "specs/disk_full/specify.md", &bad_spec())
    });
    let rec = Recorder::start();
    {
        let mut st = rec.state();
        st.pr_files = vec!["specs/disk_full/specify.md".into()];
        st.read_only = true;
    }
    let r = ci(&pr, &rec.url(), &event(&pr, false), &[]);
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    assert_eq!(
        writes(&rec),
        vec!["POST /repos/Codertocat/Hello-World/check-runs"]
    );
    assert_eq!(r.summary.matches("read-only").count(), 1, "{}", r.summary);
    assert_eq!(r.stdout.matches("read-only").count(), 1, "{}", r.stdout);
}

#[test]
fn a_502_then_success_leaves_exactly_one_comment_and_one_check_run() {
    let pr = pr_repo(None, |root| {
        write(root, "specs/disk_full/specify.md", &bad_spec())
    });
    let rec = Recorder::start();
    rec.state().pr_files = vec!["specs/disk_full/specify.md".into()];
    rec.fault(Fault::status(
        "POST",
        "/repos/Codertocat/Hello-World/issues/",
        502,
        1,
    ));
    rec.fault(Fault::status(
        "POST",
        "/repos/Codertocat/Hello-World/check-runs",
        502,
        1,
    ));
    let r = ci(&pr, &rec.url(), &event(&pr, false), &[]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let st = rec.state();
    assert_eq!(st.comments.len(), 1);
    assert_eq!(st.check_runs.len(), 1);
    assert_eq!(rec.pending_faults(), 0);
}

#[test]
fn a_create_answered_too_late_is_found_not_repeated() {
    let pr = pr_repo(None, |root| {
        write(root, "specs/disk_full/specify.md", &bad_spec())
    });
    let rec = Recorder::start();
    rec.state().pr_files = vec!["specs/disk_full/specify.md".into()];
    // Made by the server, answered after the client (1.5 s timeout) gave up.
    rec.fault(Fault::delay(
        "POST",
        "/repos/Codertocat/Hello-World/issues/",
        Duration::from_secs(4),
    ));
    rec.fault(Fault::delay(
        "POST",
        "/repos/Codertocat/Hello-World/check-runs",
        Duration::from_secs(4),
    ));
    let r = ci(&pr, &rec.url(), &event(&pr, false), &[]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let st = rec.state();
    assert_eq!(st.comments.len(), 1, "{}\n{}", rec.request_log(), r.stderr);
    assert_eq!(
        st.check_runs.len(),
        1,
        "{}\n{}",
        rec.request_log(),
        r.stderr
    );
    assert_eq!(
        rec.count("POST", "/repos/Codertocat/Hello-World/issues/"),
        1
    );
    assert_eq!(
        rec.count("POST", "/repos/Codertocat/Hello-World/check-runs"),
        1
    );
}

#[test]
fn rate_limits_are_waited_out() {
    let pr = pr_repo(None, |root| {
        write(root, "specs/disk_full/specify.md", &bad_spec())
    });
    let rec = Recorder::start();
    rec.state().pr_files = vec!["specs/disk_full/specify.md".into()];
    rec.fault(Fault::secondary_rate_limit(
        "POST",
        "/repos/Codertocat/Hello-World/check-runs",
        1,
    ));
    rec.fault(Fault::status(
        "GET",
        "/repos/Codertocat/Hello-World/pulls/",
        429,
        1,
    ));
    let started = std::time::Instant::now();
    let r = ci(&pr, &rec.url(), &event(&pr, false), &[]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "Retry-After honoured"
    );
    let st = rec.state();
    assert_eq!(st.check_runs.len(), 1);
    assert_eq!(rec.pending_faults(), 0);
}

const SEMI: &str = "---\nincident_id: DF-2026-06-01-01\nspec: specs/disk_full/specify.md\nscores: {spec: 5, implementation: 4, verification: 4, process: 4, security: 4}\nevidence:\n  implementation: specs/disk_full/tasks.md\naudit_trace_coverage: 1.0\nstateful: false\nradius_of_impact: pod\ndry_run_verified: true\nrollback: specs/disk_full/rollback.md\n---\n# Readiness\n";

#[test]
fn semi_manual_passes_only_with_an_approval_at_the_head_sha_from_an_approver() {
    let pr = pr_repo(Some("approvers: [alice, acme/sre]\n"), |root| {
        write(root, "specs/disk_full/readiness.md", SEMI)
    });
    let rec = Recorder::start();
    rec.state().pr_files = vec!["specs/disk_full/readiness.md".into()];
    let ev = event(&pr, false);
    // No approval yet (one from a non-approver, one on an older commit).
    {
        let mut st = rec.state();
        st.add_review("mallory", "APPROVED", &pr.head);
        st.add_review("alice", "APPROVED", &pr.base);
    }
    let r = ci(&pr, &rec.url(), &ev, &[]);
    assert_eq!(r.code, 3, "{}\n{}", r.stdout, r.stderr);
    assert_eq!(
        rec.state().check_runs[0].conclusion.as_deref(),
        Some("action_required")
    );
    // A member of the approving team approves the head SHA.
    {
        let mut st = rec.state();
        st.add_team_member("acme", "sre", "bob");
        st.add_review("bob", "APPROVED", &pr.head);
    }
    let r = ci(&pr, &rec.url(), &ev, &[]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert_eq!(r.outputs.get("decision").map(String::as_str), Some("pass"));
    let st = rec.state();
    assert_eq!(st.check_runs[1].conclusion.as_deref(), Some("success"));
    assert_eq!(st.comments.len(), 1);
}

#[test]
fn the_base_branch_config_is_used_not_the_prs() {
    // The PR removes kubectl from the command lint and adds a command.
    let pr = pr_repo(Some("version: 1\n"), |root| {
        write(
            root,
            ".sddgate.yml",
            "version: 1\ncommands:\n  remove: [kubectl]\n",
        );
        write(root, "specs/disk_full/specify.md", &bad_spec());
    });
    let rec = Recorder::start();
    rec.state().pr_files = vec![".sddgate.yml".into(), "specs/disk_full/specify.md".into()];
    let r = ci(&pr, &rec.url(), &event(&pr, false), &[]);
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    assert!(r.summary.contains("base branch"), "{}", r.summary);
}

#[test]
fn nothing_in_scope_is_neutral_and_posts_no_comment() {
    let pr = pr_repo(None, |root| write(root, "src/main.rs", "fn main() {}\n"));
    let rec = Recorder::start();
    rec.state().pr_files = vec!["src/main.rs".into()];
    let r = ci(&pr, &rec.url(), &event(&pr, false), &[]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    let st = rec.state();
    assert_eq!(st.check_runs[0].conclusion.as_deref(), Some("neutral"));
    assert!(st.comments.is_empty());
}

#[test]
fn bad_environment_is_an_error_naming_what_is_missing() {
    let pr = pr_repo(None, |_| {});
    let mut cmd = sddgate_in(pr.dir.path());
    cmd.env_remove("GITHUB_EVENT_PATH")
        .env("GITHUB_REPOSITORY", "Codertocat/Hello-World")
        .env("GITHUB_EVENT_NAME", "pull_request");
    let r = run(cmd, &["ci"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("GITHUB_EVENT_PATH"), "{}", r.stderr);
    let rec = Recorder::start();
    let r = ci(
        &pr,
        &rec.url(),
        &event(&pr, false),
        &[("SDDGATE_COMMENT", "maybe")],
    );
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("SDDGATE_COMMENT"), "{}", r.stderr);
    assert!(rec.requests().is_empty());
}

/// Prism answering `GET …/pulls/{n}/files` with this PR's files (GitHub's own example
/// object, renamed), and `…/reviews` with `reviews`; every other answer is GitHub's example.
fn prism_for(files: &[&str], reviews: Option<Value>) -> prism::Prism {
    prism_with(files, reviews, None)
}

fn prism_with(files: &[&str], reviews: Option<Value>, comments: Option<Value>) -> prism::Prism {
    let example = prism::github_example(
        "get",
        "/repos/{owner}/{repo}/pulls/{pull_number}/files",
        200,
    );
    let one = example[0].clone();
    let listed: Vec<Value> = files
        .iter()
        .map(|f| {
            let mut o = one.clone();
            o["filename"] = Value::from(*f);
            o
        })
        .collect();
    let mut b = prism::Prism::builder().respond(
        "get",
        "/repos/{owner}/{repo}/pulls/{pull_number}/files",
        200,
        Some(Value::from(listed)),
    );
    if let Some(r) = reviews {
        b = b.respond(
            "get",
            "/repos/{owner}/{repo}/pulls/{pull_number}/reviews",
            200,
            Some(r),
        );
    }
    if let Some(c) = comments {
        b = b.respond(
            "get",
            "/repos/{owner}/{repo}/issues/{issue_number}/comments",
            200,
            Some(c),
        );
    }
    b.start()
}

fn prism_log(p: &prism::Prism) -> Vec<String> {
    p.requests().iter().map(|q| q.to_string()).collect()
}

/// Every request of full runs — a blocked PR (check run with annotations, the sticky comment)
/// and a semi-manual one approved by a team member (reviews, team membership) — is one
/// GitHub's OpenAPI description accepts.
#[test]
fn every_request_is_valid_against_githubs_openapi_description() {
    let blocked = pr_repo(None, |root| {
        write(root, "specs/disk_full/specify.md", &bad_spec())
    });
    let p = prism_for(&["specs/disk_full/specify.md"], None);
    let r = ci(&blocked, &p.base_url(), &event(&blocked, false), &[]);
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    let log = prism_log(&p);
    eprintln!("blocked PR, requests:\n{}", log.join("\n"));
    p.assert_no_violations();
    for want in [
        "GET /repos/Codertocat/Hello-World/pulls/2/files",
        "POST /repos/Codertocat/Hello-World/check-runs",
        "GET /user",
        "GET /repos/Codertocat/Hello-World/issues/2/comments",
        "POST /repos/Codertocat/Hello-World/issues/2/comments",
    ] {
        assert!(
            log.iter().any(|l| l.starts_with(want)),
            "{want} missing: {log:?}"
        );
    }

    let semi = pr_repo(Some("approvers: [acme/sre]\n"), |root| {
        write(root, "specs/disk_full/readiness.md", SEMI)
    });
    let mut review = prism::github_example(
        "get",
        "/repos/{owner}/{repo}/pulls/{pull_number}/reviews",
        200,
    )[0]
    .clone();
    review["state"] = Value::from("APPROVED");
    review["commit_id"] = Value::from(semi.head.clone());
    review["user"]["login"] = Value::from("bob");
    let p = prism_for(
        &["specs/disk_full/readiness.md"],
        Some(Value::from(vec![review])),
    );
    let r = ci(&semi, &p.base_url(), &event(&semi, false), &[]);
    let log = prism_log(&p);
    eprintln!("semi-manual PR, requests:\n{}", log.join("\n"));
    p.assert_no_violations();
    // GitHub's example membership is active: bob's approval counts.
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert!(
        log.iter()
            .any(|l| l.starts_with("GET /orgs/acme/teams/sre/memberships/bob")),
        "{log:?}"
    );

    // A re-run (the sticky comment exists, written by the token's login `octocat`, GitHub's
    // example user) with more findings than one request may carry.
    let many = pr_repo(None, |root| {
        let lines: String = (0..60)
            .map(|i| format!("- Run `kubectl delete pod api-{i}` when full.\n"))
            .collect();
        let spec = SPEC.replace(
            "Never touch a stateful volume; one pod at a time.\n",
            &format!("Never touch a stateful volume; one pod at a time.\n{lines}"),
        );
        write(root, "specs/disk_full/specify.md", &spec);
    });
    let mut mine = prism::github_example(
        "get",
        "/repos/{owner}/{repo}/issues/{issue_number}/comments",
        200,
    )[0]
    .clone();
    mine["body"] = Value::from(format!("{MARKER}\nold result"));
    mine["user"]["login"] = Value::from("octocat");
    let p = prism_with(
        &["specs/disk_full/specify.md"],
        None,
        Some(Value::from(vec![mine])),
    );
    let r = ci(&many, &p.base_url(), &event(&many, false), &[]);
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    let log = prism_log(&p);
    eprintln!("re-run with 60+ findings, requests:\n{}", log.join("\n"));
    p.assert_no_violations();
    for want in [
        "PATCH /repos/Codertocat/Hello-World/check-runs/",
        "PATCH /repos/Codertocat/Hello-World/issues/comments/",
    ] {
        assert!(
            log.iter().any(|l| l.starts_with(want)),
            "{want} missing: {log:?}"
        );
    }
    assert!(
        !log.iter()
            .any(|l| l.starts_with("POST /repos/Codertocat/Hello-World/issues/2/comments"))
    );
}

/// Two runs at once (a push while the previous run still posts): both list no comment, both
/// create one; the later creator sees both and keeps the older, so one remains.
#[test]
fn concurrent_runs_leave_one_comment() {
    let pr = pr_repo(None, |root| {
        write(root, "specs/disk_full/specify.md", &bad_spec())
    });
    let rec = Recorder::start();
    rec.state().pr_files = vec!["specs/disk_full/specify.md".into()];
    // Each run's first listing is answered late, after both have listed.
    for _ in 0..2 {
        rec.fault(Fault::delay(
            "GET",
            "/repos/Codertocat/Hello-World/issues/2/comments",
            Duration::from_millis(700),
        ));
    }
    let ev = event(&pr, false);
    std::thread::scope(|s| {
        let a = s.spawn(|| ci(&pr, &rec.url(), &ev, &[("GITHUB_RUN_ID", "1")]));
        let b = s.spawn(|| ci(&pr, &rec.url(), &ev, &[("GITHUB_RUN_ID", "2")]));
        assert_eq!(a.join().unwrap().code, 1);
        assert_eq!(b.join().unwrap().code, 1);
    });
    let st = rec.state();
    assert_eq!(
        rec.count("POST", "/repos/Codertocat/Hello-World/issues/2/comments"),
        2,
        "{}",
        rec.request_log()
    );
    assert_eq!(st.comments.len(), 1, "{}", rec.request_log());
}

/// The sticky comment is found on any page: 250 comments of others come first.
#[test]
fn the_sticky_comment_is_found_past_the_first_page() {
    let pr = pr_repo(None, |root| {
        write(root, "specs/disk_full/specify.md", &bad_spec())
    });
    let rec = Recorder::start();
    let ours = {
        let mut st = rec.state();
        st.pr_files = vec!["specs/disk_full/specify.md".into()];
        for i in 0..250 {
            st.add_comment("someone", &format!("review note {i}"));
        }
        // Someone quoting the marker is not us.
        st.add_comment("mallory", &format!("{MARKER}\nfake result"));
        st.add_comment("github-actions[bot]", &format!("{MARKER}\nold result"))
    };
    let r = ci(&pr, &rec.url(), &event(&pr, false), &[]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let st = rec.state();
    assert_eq!(st.comments.len(), 252, "no new comment");
    let c = st.comments.iter().find(|c| c.id == ours).unwrap();
    assert_eq!(c.updates, 1);
    assert!(c.body.contains("concrete_command_in_spec"));
    let mallory = st.comments.iter().find(|c| c.user == "mallory").unwrap();
    assert_eq!(mallory.updates, 0);
    let pages = rec
        .requests()
        .iter()
        .filter(|q| q.method == "GET" && q.path.ends_with("/issues/2/comments"))
        .count();
    assert_eq!(pages, 3, "{}", rec.request_log());
}

/// GitHub Enterprise: the API lives under a path (`https://ghe.example/api/v3`); every request
/// goes below it, pagination links included.
#[test]
fn an_enterprise_api_url_keeps_its_path() {
    let pr = pr_repo(None, |root| {
        write(root, "specs/disk_full/specify.md", &bad_spec())
    });
    let rec = Recorder::start();
    let r = ci(
        &pr,
        &format!("{}/api/v3", rec.url()),
        &event(&pr, false),
        &[],
    );
    // The recorder serves GitHub.com paths: under /api/v3 everything is 404, which must be an
    // error (exit 2), not a pass; the gate itself still ran from the local clone.
    assert_eq!(r.code, 2, "{}\n{}", r.stdout, r.stderr);
    let reqs = rec.requests();
    assert!(!reqs.is_empty());
    assert!(
        reqs.iter().all(|q| q.path.starts_with("/api/v3/")),
        "{}",
        rec.request_log()
    );
}

/// The action passes its inputs as they are: an empty `config` means "the default names".
#[test]
fn the_config_input_empty_or_missing_at_base() {
    let pr = pr_repo(None, |root| {
        write(root, "specs/disk_full/specify.md", &bad_spec())
    });
    let rec = Recorder::start();
    rec.state().pr_files = vec!["specs/disk_full/specify.md".into()];
    let r = ci(
        &pr,
        &rec.url(),
        &event(&pr, false),
        &[("SDDGATE_CONFIG", "")],
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    let r = ci(
        &pr,
        &rec.url(),
        &event(&pr, false),
        &[("SDDGATE_CONFIG", "ci/sddgate.yml")],
    );
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("ci/sddgate.yml") && r.stderr.contains("base commit"),
        "{}",
        r.stderr
    );
}
