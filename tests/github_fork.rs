//! Fork pull requests, the safe way: the `workflow_run` workflow's two jobs, end to end, with the
//! real binary, the full Actions environment and GitHub's own `workflow_run.completed` webhook
//! example (made a fork's by editing `head_repository`), against the recording fake of GitHub
//! (`support/recorder.rs`) and once against Prism serving GitHub's OpenAPI description.
//!
//! - judge (`SDDGATE_HANDOFF_TO`): finds the pull request by its head, judges, writes the
//!   handoff and sends no write request at all;
//! - publish (`SDDGATE_PUBLISH_FROM`): checks the handoff against the event and the pull request
//!   as it is now, then posts the check run and the one sticky comment; anything that does not
//!   match is exit 2 with nothing posted.
#![cfg(feature = "github")]

mod common;
#[path = "support/prism.rs"]
mod prism;
#[allow(dead_code)]
#[path = "support/recorder.rs"]
mod recorder;

use common::*;
use recorder::Recorder;
use serde_json::{Value, json};
use std::path::{Path, PathBuf};

const TOKEN: &str = "ghs_sddgateTESTtoken0123456789abcdefABCD";
const MARKER: &str = "<!-- sddgate:pr-comment -->";
const REPO: &str = "Codertocat/Hello-World";
const FORK: &str = "outsider/Hello-World";
const BRANCH: &str = "fix/disk-full";

struct Pr {
    dir: tempfile::TempDir,
    base: String,
    head: String,
}

/// Base: a clean incident. Head: the spec runs `kubectl` `findings` times (a blocker each).
fn pr_repo(findings: usize) -> Pr {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    git(root, &["init", "-q", "-b", "main"]);
    write(root, "specs/disk_full/specify.md", SPEC);
    write(root, "specs/disk_full/readiness.md", READINESS);
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
    git(root, &["add", "-A"]);
    git(root, &["commit", "-q", "-m", "base"]);
    let base = git(root, &["rev-parse", "HEAD"]);
    git(root, &["checkout", "-q", "-b", "feature"]);
    let lines: String = (0..findings)
        .map(|i| format!("- Run `kubectl delete pod api-{i}` when full.\n"))
        .collect();
    let spec = SPEC.replace(
        "Never touch a stateful volume; one pod at a time.\n",
        &format!("Never touch a stateful volume; one pod at a time.\n{lines}"),
    );
    write(root, "specs/disk_full/specify.md", &spec);
    git(root, &["add", "-A"]);
    git(root, &["commit", "-q", "-m", "head"]);
    let head = git(root, &["rev-parse", "HEAD"]);
    Pr { dir, base, head }
}

/// GitHub's `workflow_run.completed` example, for the `sddgate` run of a fork's pull request
/// at `head`: `event: pull_request`, no `pull_requests` (GitHub lists none for a fork),
/// `head_repository` the fork.
fn run_event(head: &str) -> Value {
    let mut e = prism::webhook_example("workflow_run", |e| {
        e["action"] == "completed" && e["repository"]["full_name"] == REPO
    });
    let this = e["repository"].clone();
    let mut text = this.to_string();
    for (from, to) in [
        (format!("/{REPO}"), format!("/{FORK}")),
        (
            "/users/Codertocat".to_string(),
            "/users/outsider".to_string(),
        ),
    ] {
        text = text.replace(&from, &to);
    }
    let mut fork: Value = serde_json::from_str(&text).unwrap();
    fork["full_name"] = json!(FORK);
    fork["fork"] = json!(true);
    fork["owner"]["login"] = json!("outsider");
    fork["id"] = json!(this["id"].as_u64().unwrap_or(1) + 1_000_000);
    let w = &mut e["workflow_run"];
    w["name"] = json!("sddgate");
    w["event"] = json!("pull_request");
    w["conclusion"] = json!("failure");
    w["head_sha"] = json!(head);
    w["head_branch"] = json!(BRANCH);
    w["pull_requests"] = json!([]);
    w["repository"] = this;
    w["head_repository"] = fork;
    e
}

struct Ci {
    code: i32,
    stdout: String,
    stderr: String,
    summary: String,
}

/// `sddgate ci` on a `workflow_run` event in `workspace`, with `extra` variables.
fn ci(workspace: &Path, api: &str, event: &Value, extra: &[(&str, &str)]) -> Ci {
    let files = tempfile::tempdir().unwrap();
    let event_path = files.path().join("event.json");
    std::fs::write(&event_path, event.to_string()).unwrap();
    let summary = files.path().join("summary.md");
    let output = files.path().join("output.txt");
    let mut cmd = sddgate_in(workspace);
    cmd.env("GITHUB_EVENT_NAME", "workflow_run")
        .env("GITHUB_EVENT_PATH", &event_path)
        .env("GITHUB_REPOSITORY", REPO)
        .env("GITHUB_API_URL", api)
        .env("GITHUB_SERVER_URL", "https://github.com")
        .env("GITHUB_TOKEN", TOKEN)
        .env("GITHUB_STEP_SUMMARY", &summary)
        .env("GITHUB_OUTPUT", &output)
        .env("GITHUB_WORKSPACE", workspace)
        .env("GITHUB_RUN_ID", "5151")
        .env("GITHUB_RUN_ATTEMPT", "1")
        .env("SDDGATE_HTTP_TIMEOUT_MS", "1500")
        .env("SDDGATE_HTTP_DEADLINE_MS", "20000")
        .env("SDDGATE_HTTP_BACKOFF_MS", "20")
        .env_remove("SDDGATE_CONFIG")
        .env_remove("SDDGATE_PATHS")
        .env_remove("SDDGATE_COMMENT")
        .env_remove("SDDGATE_CHECK_RUN")
        .env_remove("SDDGATE_HANDOFF_TO")
        .env_remove("SDDGATE_PUBLISH_FROM");
    for (k, v) in extra {
        cmd.env(k, v);
    }
    let r = run(cmd, &["ci"]);
    let ci = Ci {
        code: r.code,
        stdout: r.stdout,
        stderr: r.stderr,
        summary: std::fs::read_to_string(&summary).unwrap_or_default(),
    };
    for text in [&ci.stdout, &ci.stderr, &ci.summary] {
        assert!(!text.contains("TESTtoken"), "the token leaked:\n{text}");
    }
    ci
}

/// The judge job: the pull request's checkout, `handoff-to` a file under `out`.
fn judge(pr: &Pr, api: &str, event: &Value, out: &Path) -> (Ci, PathBuf) {
    let path = out.join("sddgate-handoff/handoff.json");
    let r = ci(
        pr.dir.path(),
        api,
        event,
        &[("SDDGATE_HANDOFF_TO", path.to_str().unwrap())],
    );
    (r, path)
}

/// The publish job: an empty workspace (no checkout), `publish-from` the handoff.
fn publish(api: &str, event: &Value, handoff: &Path, run_id: &str) -> Ci {
    let empty = tempfile::tempdir().unwrap();
    ci(
        empty.path(),
        api,
        event,
        &[
            ("SDDGATE_PUBLISH_FROM", handoff.to_str().unwrap()),
            ("GITHUB_RUN_ID", run_id),
        ],
    )
}

/// The recorder with this fork's pull request #2 open at `pr.head`.
fn recorder(pr: &Pr) -> Recorder {
    let rec = Recorder::start();
    {
        let mut st = rec.state();
        st.pr_files = vec!["specs/disk_full/specify.md".into()];
        st.add_pull(2, FORK, BRANCH, &pr.head, &pr.base);
    }
    rec
}

fn writes(rec: &Recorder) -> Vec<String> {
    rec.requests()
        .into_iter()
        .filter(|r| r.method != "GET")
        .map(|r| format!("{} {}", r.method, r.path))
        .collect()
}

fn read_json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn edit(handoff: &Path, change: impl FnOnce(&mut Value)) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let mut v = read_json(handoff);
    change(&mut v);
    std::fs::write(
        dir.path().join("handoff.json"),
        serde_json::to_string_pretty(&v).unwrap(),
    )
    .unwrap();
    dir
}

#[test]
fn the_judge_finds_the_pull_request_by_its_head_writes_the_handoff_and_posts_nothing() {
    let pr = pr_repo(1);
    let rec = recorder(&pr);
    // Another open pull request of the same fork, from another branch.
    rec.state()
        .add_pull(3, FORK, "other-branch", &"e".repeat(40), &pr.base);
    let out = tempfile::tempdir().unwrap();
    let (r, path) = judge(&pr, &rec.url(), &run_event(&pr.head), out.path());
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    assert_eq!(
        writes(&rec),
        Vec::<String>::new(),
        "a write request was sent"
    );
    let lookup = rec
        .requests()
        .into_iter()
        .find(|q| q.path == format!("/repos/{REPO}/pulls"))
        .expect("the pull request was looked up by its head");
    assert_eq!(
        lookup.query_value("head"),
        Some(format!("outsider:{BRANCH}").as_str())
    );
    assert_eq!(lookup.query_value("state"), Some("open"));
    assert!(
        rec.count("GET", &format!("/repos/{REPO}/pulls/2/files")) >= 1,
        "{}",
        rec.request_log()
    );

    let h = read_json(&path);
    assert_eq!(h["version"], 1);
    assert_eq!(h["repository"], REPO);
    assert_eq!(h["pull_request"], 2);
    assert_eq!(h["head_sha"], pr.head.as_str());
    assert_eq!(h["exit_code"], 1);
    let run = &h["check_run"];
    assert_eq!(run["conclusion"], "failure");
    assert!(
        run["annotations"]
            .as_array()
            .unwrap()
            .iter()
            .any(
                |a| a["path"] == "specs/disk_full/specify.md" && a["annotation_level"] == "failure"
            ),
        "{run}"
    );
    let body = h["comment"]["body"].as_str().unwrap();
    assert!(body.starts_with(MARKER), "{body}");
    assert!(body.contains("concrete_command_in_spec"), "{body}");
    assert_eq!(h["comment"]["create"], true);
    // Annotations still go to the log, and the summary says where the result went.
    assert!(
        r.stdout.contains("::error file=specs/disk_full/specify.md"),
        "{}",
        r.stdout
    );
    assert!(r.summary.contains("publish job"), "{}", r.summary);
    assert!(
        !r.summary.contains("fork: its token is read-only"),
        "{}",
        r.summary
    );
}

#[test]
fn publish_posts_one_check_run_and_one_comment_and_a_republish_edits_it() {
    let pr = pr_repo(60);
    let rec = recorder(&pr);
    let event = run_event(&pr.head);
    let out = tempfile::tempdir().unwrap();
    let (j, path) = judge(&pr, &rec.url(), &event, out.path());
    assert_eq!(j.code, 1, "{}\n{}", j.stdout, j.stderr);
    let handoff = read_json(&path);
    eprintln!(
        "handoff with {} annotations: {} bytes",
        handoff["check_run"]["annotations"]
            .as_array()
            .map_or(0, Vec::len),
        std::fs::metadata(&path).unwrap().len()
    );
    let sent = handoff["check_run"]["annotations"]
        .as_array()
        .unwrap()
        .clone();
    assert!(sent.len() > 50, "{} annotations", sent.len());

    let p = publish(&rec.url(), &event, &path, "6001");
    assert_eq!(
        p.code, 1,
        "the handoff's exit code\n{}\n{}",
        p.stdout, p.stderr
    );
    {
        let st = rec.state();
        assert_eq!(st.check_runs.len(), 1, "{}", rec.request_log());
        let run = &st.check_runs[0];
        assert_eq!(run.name, "sddgate");
        assert_eq!(run.head_sha, pr.head);
        assert_eq!(run.conclusion.as_deref(), Some("failure"));
        assert_eq!(run.title.as_deref(), handoff["check_run"]["title"].as_str());
        assert_eq!(run.annotations, sent, "every annotation, as handed off");
        assert_eq!(run.annotation_batches, vec![50, sent.len() - 50]);
        assert_eq!(st.comments.len(), 1);
        let body = &st.comments[0].body;
        assert!(
            body.starts_with(handoff["comment"]["body"].as_str().unwrap()),
            "{body}"
        );
        assert!(body.contains("<!-- sddgate:run 6001-"), "{body}");
    }
    // The pull request was checked as it is now before anything was posted.
    let reqs = rec.requests();
    let current = reqs
        .iter()
        .position(|q| q.method == "GET" && q.path == format!("/repos/{REPO}/pulls/2"))
        .expect("GET the pull request");
    let first_write = reqs.iter().position(|q| q.method != "GET").unwrap();
    assert!(current < first_write, "{}", rec.request_log());

    let again = publish(&rec.url(), &event, &path, "6002");
    assert_eq!(again.code, 1, "{}", again.stderr);
    let st = rec.state();
    assert_eq!(st.comments.len(), 1, "a re-publish edits the comment");
    assert_eq!(st.comments[0].updates, 1);
    assert_eq!(
        rec.count("POST", &format!("/repos/{REPO}/issues/2/comments")),
        1
    );
    assert_eq!(
        rec.count("PATCH", &format!("/repos/{REPO}/issues/comments/")),
        1
    );
}

#[test]
fn a_push_after_judging_is_refused_and_nothing_is_posted() {
    let pr = pr_repo(1);
    let rec = recorder(&pr);
    let event = run_event(&pr.head);
    let out = tempfile::tempdir().unwrap();
    let (j, path) = judge(&pr, &rec.url(), &event, out.path());
    assert_eq!(j.code, 1, "{}", j.stderr);
    let pushed = "f".repeat(40);
    rec.state().pull_mut(2).head_sha = pushed.clone();

    // The fork's event lists no pull request: the lookup by head finds none at that commit.
    let r = publish(&rec.url(), &event, &path, "6101");
    assert_eq!(r.code, 2, "{}\n{}", r.stdout, r.stderr);
    assert!(
        r.stderr.contains("moved on") && r.stderr.contains("nothing was judged or posted"),
        "{}",
        r.stderr
    );
    assert_eq!(writes(&rec), Vec::<String>::new());

    // An event that lists the pull request (GitHub does for a branch of this repository):
    // the pull request's current head, read through the API, decides.
    let mut listed = event.clone();
    listed["workflow_run"]["pull_requests"] = json!([{
        "url": format!("https://api.github.com/repos/{REPO}/pulls/2"),
        "id": 279147437, "number": 2,
        "head": {"ref": BRANCH, "sha": pr.head, "repo": {"id": 1, "url": format!("https://api.github.com/repos/{FORK}"), "name": "Hello-World"}},
        "base": {"ref": "main", "sha": pr.base, "repo": {"id": 2, "url": format!("https://api.github.com/repos/{REPO}"), "name": "Hello-World"}}
    }]);
    let r = publish(&rec.url(), &listed, &path, "6102");
    assert_eq!(r.code, 2, "{}\n{}", r.stdout, r.stderr);
    assert!(
        r.stderr.contains("is now at ffffffffffff")
            && r.stderr.contains(&pr.head[..12])
            && r.stderr.contains("nothing was posted"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains(path.to_str().unwrap()),
        "names the handoff: {}",
        r.stderr
    );
    assert_eq!(writes(&rec), Vec::<String>::new());
    assert!(rec.state().check_runs.is_empty() && rec.state().comments.is_empty());
}

#[test]
fn a_handoff_for_another_repository_or_commit_or_altered_is_refused() {
    let pr = pr_repo(1);
    let rec = recorder(&pr);
    let event = run_event(&pr.head);
    let out = tempfile::tempdir().unwrap();
    let (j, path) = judge(&pr, &rec.url(), &event, out.path());
    assert_eq!(j.code, 1, "{}", j.stderr);

    // Another repository's handoff: refused before any request.
    let before = rec.requests().len();
    let other = edit(&path, |h| h["repository"] = json!("someone/else"));
    let r = publish(
        &rec.url(),
        &event,
        &other.path().join("handoff.json"),
        "6201",
    );
    assert_eq!(r.code, 2, "{}\n{}", r.stdout, r.stderr);
    assert!(
        r.stderr.contains("someone/else") && r.stderr.contains(REPO),
        "{}",
        r.stderr
    );
    assert_eq!(rec.requests().len(), before, "{}", rec.request_log());

    // A passing verdict for another commit (e.g. an older run's), against this event.
    let forged = edit(&path, |h| {
        h["head_sha"] = json!("a".repeat(40));
        h["exit_code"] = json!(0);
        h["check_run"]["conclusion"] = json!("success");
    });
    let r = publish(
        &rec.url(),
        &event,
        &forged.path().join("handoff.json"),
        "6202",
    );
    assert_eq!(r.code, 2, "{}\n{}", r.stdout, r.stderr);
    assert!(
        r.stderr.contains("the handoff judged commit aaaaaaaaaaaa")
            && r.stderr.contains(&format!(
                "this `workflow_run` event is for {}",
                &pr.head[..12]
            )),
        "{}",
        r.stderr
    );

    // A passing verdict for this very commit, hand-edited: the conclusion contradicts the
    // exit code; and with both edited, it is for a pull request this event is not about.
    let edited = edit(&path, |h| h["check_run"]["conclusion"] = json!("success"));
    let r = publish(
        &rec.url(),
        &event,
        &edited.path().join("handoff.json"),
        "6203",
    );
    assert_eq!(r.code, 2, "{}\n{}", r.stdout, r.stderr);
    assert!(
        r.stderr.contains("contradicts the exit code 1"),
        "{}",
        r.stderr
    );
    let renumbered = edit(&path, |h| {
        h["pull_request"] = json!(7);
        h["exit_code"] = json!(0);
        h["check_run"]["conclusion"] = json!("success");
    });
    let r = publish(
        &rec.url(),
        &event,
        &renumbered.path().join("handoff.json"),
        "6204",
    );
    assert_eq!(r.code, 2, "{}\n{}", r.stdout, r.stderr);
    assert!(
        r.stderr.contains("#7") && r.stderr.contains("#2"),
        "{}",
        r.stderr
    );
    assert_eq!(writes(&rec), Vec::<String>::new());
}

#[test]
fn a_malformed_handoff_is_refused_naming_the_file_and_line() {
    let rec = Recorder::start();
    let pr = pr_repo(1);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("handoff.json");
    std::fs::write(
        &path,
        "{\n  \"version\": 1,\n  \"repository\": \"Codertocat/Hello-World\",\n  \"pull_request\": 2,,\n}\n",
    )
    .unwrap();
    let r = publish(&rec.url(), &run_event(&pr.head), &path, "6301");
    assert_eq!(r.code, 2, "{}\n{}", r.stdout, r.stderr);
    assert!(
        r.stderr.contains(&format!("{}:4:", path.display())),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("not JSON"), "{}", r.stderr);
    assert!(rec.requests().is_empty(), "{}", rec.request_log());

    std::fs::write(&path, "").unwrap();
    let r = publish(&rec.url(), &run_event(&pr.head), &path, "6302");
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains(&path.display().to_string()),
        "{}",
        r.stderr
    );

    let missing = dir.path().join("nowhere.json");
    let r = publish(&rec.url(), &run_event(&pr.head), &missing, "6303");
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("nowhere.json"), "{}", r.stderr);
    assert!(rec.requests().is_empty());
}

#[test]
fn no_or_several_candidate_pull_requests_stop_the_judge() {
    let pr = pr_repo(1);
    let out = tempfile::tempdir().unwrap();

    // None: the pull request was closed (or never opened from that branch).
    let rec = recorder(&pr);
    rec.state().pull_mut(2).state = "closed".into();
    let (r, path) = judge(&pr, &rec.url(), &run_event(&pr.head), out.path());
    assert_eq!(r.code, 2, "{}\n{}", r.stdout, r.stderr);
    assert!(
        r.stderr
            .contains(&format!("no open pull request of {REPO}"))
            && r.stderr.contains(&format!("outsider:{BRANCH}")),
        "{}",
        r.stderr
    );
    assert!(!path.exists());
    assert_eq!(writes(&rec), Vec::<String>::new());

    // Two: the same head branch proposed to two base branches.
    let rec = recorder(&pr);
    rec.state().add_pull(5, FORK, BRANCH, &pr.head, &pr.base);
    let (r, path) = judge(&pr, &rec.url(), &run_event(&pr.head), out.path());
    assert_eq!(r.code, 2, "{}\n{}", r.stdout, r.stderr);
    assert!(
        r.stderr.contains("several open pull requests") && r.stderr.contains("#2, #5"),
        "{}",
        r.stderr
    );
    assert!(!path.exists());
    assert_eq!(writes(&rec), Vec::<String>::new());

    // Two listed in the event itself.
    let rec = recorder(&pr);
    let mut event = run_event(&pr.head);
    let entry = |n: u64| {
        json!({
            "url": format!("https://api.github.com/repos/{REPO}/pulls/{n}"), "id": n, "number": n,
            "head": {"ref": BRANCH, "sha": pr.head, "repo": {"id": 2, "url": format!("https://api.github.com/repos/{REPO}"), "name": "Hello-World"}},
            "base": {"ref": "main", "sha": pr.base, "repo": {"id": 2, "url": format!("https://api.github.com/repos/{REPO}"), "name": "Hello-World"}}
        })
    };
    event["workflow_run"]["pull_requests"] = json!([entry(2), entry(9)]);
    let (r, path) = judge(&pr, &rec.url(), &event, out.path());
    assert_eq!(r.code, 2, "{}\n{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("#2, #9"), "{}", r.stderr);
    assert!(!path.exists());
    assert!(rec.requests().is_empty(), "{}", rec.request_log());

    // Not a pull request's run: handoff-to has nothing to hand off.
    let mut push = run_event(&pr.head);
    push["workflow_run"]["event"] = json!("push");
    let (r, path) = judge(&pr, &rec.url(), &push, out.path());
    assert_eq!(r.code, 2, "{}\n{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("handoff-to"), "{}", r.stderr);
    assert!(!path.exists());
}

/// Both jobs against Prism serving GitHub's OpenAPI description with request validation:
/// every request of the judge (the lookup by head, the files) and of the publisher (the pull
/// request now, the check run and its second batch, the comment) is one GitHub describes.
#[test]
fn judge_and_publish_send_only_requests_githubs_description_accepts() {
    let pr = pr_repo(60);
    let mut pull = prism::github_example("get", "/repos/{owner}/{repo}/pulls/{pull_number}", 200);
    pull["number"] = json!(2);
    pull["state"] = json!("open");
    pull["head"]["sha"] = json!(pr.head);
    pull["head"]["ref"] = json!(BRANCH);
    pull["head"]["repo"]["full_name"] = json!(FORK);
    pull["head"]["repo"]["owner"]["login"] = json!("outsider");
    pull["base"]["sha"] = json!(pr.base);
    pull["base"]["ref"] = json!("main");
    pull["base"]["repo"]["full_name"] = json!(REPO);
    // GitHub's own example team lacks `type`, which its schema requires: no team here.
    pull["requested_teams"] = json!([]);
    let mut listed = prism::github_example("get", "/repos/{owner}/{repo}/pulls", 200)[0].clone();
    for key in ["number", "state", "head", "base", "requested_teams"] {
        listed[key] = pull[key].clone();
    }
    let file = prism::github_example(
        "get",
        "/repos/{owner}/{repo}/pulls/{pull_number}/files",
        200,
    )[0]
    .clone();
    let mut file = file;
    file["filename"] = json!("specs/disk_full/specify.md");
    let p = prism::Prism::builder()
        .respond(
            "get",
            "/repos/{owner}/{repo}/pulls",
            200,
            Some(json!([listed])),
        )
        .respond(
            "get",
            "/repos/{owner}/{repo}/pulls/{pull_number}",
            200,
            Some(pull),
        )
        .respond(
            "get",
            "/repos/{owner}/{repo}/pulls/{pull_number}/files",
            200,
            Some(json!([file])),
        )
        .start();
    let event = run_event(&pr.head);
    let out = tempfile::tempdir().unwrap();
    let (j, path) = judge(&pr, &p.base_url(), &event, out.path());
    assert_eq!(j.code, 1, "{}\n{}", j.stdout, j.stderr);
    let judged: Vec<String> = p.requests().iter().map(|q| q.to_string()).collect();
    eprintln!("judge, requests:\n{}", judged.join("\n"));
    assert!(judged.iter().all(|l| l.starts_with("GET ")), "{judged:?}");
    let publ = publish(&p.base_url(), &event, &path, "6401");
    assert_eq!(publ.code, 1, "{}\n{}", publ.stdout, publ.stderr);
    let log: Vec<String> = p.requests().iter().map(|q| q.to_string()).collect();
    eprintln!("judge + publish, requests:\n{}", log.join("\n"));
    p.assert_no_violations();
    for want in [
        format!("GET /repos/{REPO}/pulls -> 200"),
        format!("GET /repos/{REPO}/pulls/2/files"),
        format!("GET /repos/{REPO}/pulls/2 -> 200"),
        format!("POST /repos/{REPO}/check-runs"),
        format!("PATCH /repos/{REPO}/check-runs/"),
        format!("POST /repos/{REPO}/issues/2/comments"),
    ] {
        assert!(
            log.iter().any(|l| l.starts_with(want.as_str())),
            "{want} missing: {log:?}"
        );
    }
}
