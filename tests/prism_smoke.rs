//! The GitHub contract harness itself (tests/support/prism.rs): Prism serves GitHub's
//! description of every operation sddgate calls, accepts what GitHub accepts, rejects what
//! GitHub rejects, and reports it. Needs `bash .ci/github-contract.sh` (fails without it).

#[path = "support/prism.rs"]
mod prism;

use prism::{GITHUB_HEADERS, Prism, github_example, webhook_example, webhook_examples};
use serde_json::json;

const SHA: &str = "ec26c3e57ca3a959ca5aad62de7213c562f8c821";

fn with_auth_only() -> Vec<(&'static str, &'static str)> {
    GITHUB_HEADERS
        .iter()
        .copied()
        .filter(|(n, _)| *n != "Accept")
        .collect()
}

#[test]
fn valid_check_run_create_is_accepted() {
    let prism = Prism::start();
    let body = json!({
        "name": "sddgate",
        "head_sha": SHA,
        "status": "completed",
        "conclusion": "action_required",
        "details_url": "https://example.com/runs/1",
        "output": {
            "title": "SEMI-MANUAL: 1 incident needs approval",
            "summary": "HM-2026-05-17-01 score=21/25",
            "annotations": [{
                "path": "specs/high_memory_usage/specify.md",
                "start_line": 3, "end_line": 3, "start_column": 1, "end_column": 9,
                "annotation_level": "failure",
                "message": "concrete command",
                "title": "spec.concrete_command"
            }]
        },
        "actions": [{ "label": "Approve", "description": "Approve the run", "identifier": "approve" }]
    });
    let r = prism.request(
        "POST",
        "/repos/octo-org/gate/check-runs",
        &GITHUB_HEADERS,
        Some(&body.to_string()),
    );
    assert_eq!(r.status, 201, "{r:?}");
    assert!(r.json()["id"].is_u64(), "{}", r.body);
    assert_eq!(r.header("sl-violations"), None);
    prism.assert_no_violations();
    let requests = prism.requests();
    assert_eq!(requests.len(), 1, "{requests:?}");
    assert_eq!(
        (requests[0].method.as_str(), requests[0].path.as_str()),
        ("POST", "/repos/octo-org/gate/check-runs")
    );
    assert_eq!(requests[0].status, Some(201));
}

#[test]
fn invalid_check_run_bodies_are_rejected_and_reported() {
    let prism = Prism::start();
    let path = "/repos/octo-org/gate/check-runs";

    // Neither `name` nor `head_sha`.
    let r = prism.request(
        "POST",
        path,
        &GITHUB_HEADERS,
        Some(r#"{"status":"in_progress"}"#),
    );
    assert_eq!(r.status, 422, "{r:?}");
    let v = prism.violations();
    assert!(
        v.iter().any(|v| v.contains("required property 'name'")),
        "{v:#?}"
    );
    assert!(
        v.iter().any(|v| v.contains("required property 'head_sha'")),
        "{v:#?}"
    );

    // A conclusion GitHub does not know.
    let body = json!({ "name": "sddgate", "head_sha": SHA, "status": "completed", "conclusion": "blocked" });
    let r = prism.request("POST", path, &GITHUB_HEADERS, Some(&body.to_string()));
    assert_eq!(r.status, 422, "{r:?}");
    assert!(r.body.contains("conclusion"), "{}", r.body);
    let v = prism.violations();
    assert!(
        v.iter().any(|v| v
            .starts_with("POST /repos/octo-org/gate/check-runs: Request body property conclusion")),
        "{v:#?}"
    );

    // An annotation level GitHub does not know, on the update.
    let body = json!({ "output": { "title": "t", "summary": "s", "annotations": [{
        "path": "a.md", "start_line": 1, "end_line": 1, "annotation_level": "error", "message": "m" }] } });
    let r = prism.request(
        "PATCH",
        "/repos/octo-org/gate/check-runs/4",
        &GITHUB_HEADERS,
        Some(&body.to_string()),
    );
    assert_eq!(r.status, 422, "{r:?}");
    assert!(
        prism
            .violations()
            .iter()
            .any(|v| v.contains("annotation_level")),
        "{:#?}",
        prism.violations()
    );
}

#[test]
fn comment_update_is_patch_and_post_is_rejected() {
    let prism = Prism::start();
    let path = "/repos/octo-org/gate/issues/comments/42";
    let body = r#"{"body":"<!-- sddgate -->\nupdated"}"#;

    let r = prism.request("PATCH", path, &GITHUB_HEADERS, Some(body));
    assert_eq!(r.status, 200, "{r:?}");
    prism.assert_no_violations();

    // octocrab's update_comment bug: POST to the comment URL. GitHub describes GET, PATCH and
    // DELETE there; Prism answers 405 and logs it.
    let r = prism.request("POST", path, &GITHUB_HEADERS, Some(body));
    assert_eq!(r.status, 405, "{r:?}");
    assert!(r.body.contains("NO_METHOD_MATCHED_ERROR"), "{}", r.body);
    let v = prism.violations();
    assert_eq!(v.len(), 1, "{v:#?}");
    assert!(
        v[0].starts_with("POST /repos/octo-org/gate/issues/comments/42: ")
            && v[0].contains("NO_METHOD_MATCHED_ERROR"),
        "{v:#?}"
    );
}

#[test]
fn second_page_of_comments_is_one_page_without_link() {
    let prism = Prism::start();
    let r = prism.request(
        "GET",
        "/repos/octo-org/gate/issues/7/comments?per_page=100&page=2",
        &GITHUB_HEADERS,
        None,
    );
    assert_eq!(r.status, 200, "{r:?}");
    assert!(
        r.json().as_array().is_some_and(|a| !a.is_empty()),
        "{}",
        r.body
    );
    // prepare.mjs removed GitHub's example Link header (api.github.com, always rel="next").
    assert_eq!(r.header("link"), None, "{r:?}");
    assert_eq!(
        r.header("content-type"),
        Some("application/vnd.github+json")
    );
    prism.assert_no_violations();

    // A query parameter of the wrong type is a violation too. GitHub documents no 422 for this
    // operation: Prism answers its own problem+json (no `sl-violations` header)...
    let r = prism.request(
        "GET",
        "/repos/octo-org/gate/issues/7/comments?per_page=all",
        &GITHUB_HEADERS,
        None,
    );
    assert_eq!(r.status, 422, "{r:?}");
    assert_eq!(r.header("content-type"), Some("application/problem+json"));
    assert!(r.body.contains("per_page"), "{r:?}");
    // ...where it does (pull request files), Prism serves GitHub's 422 with `sl-violations`.
    let r = prism.request(
        "GET",
        "/repos/octo-org/gate/pulls/7/files?per_page=all",
        &GITHUB_HEADERS,
        None,
    );
    assert_eq!(r.status, 422, "{r:?}");
    assert!(
        r.header("sl-violations")
            .is_some_and(|v| v.contains("per_page")),
        "{r:?}"
    );
    let requests = prism.requests();
    assert_eq!(requests.len(), 3, "{requests:#?}");
    assert!(requests[0].errors.is_empty(), "{requests:#?}");
    for r in &requests[1..] {
        assert!(
            r.errors
                .iter()
                .any(|e| e == "Request query parameter per_page must be integer"),
            "{requests:#?}"
        );
    }
}

/// Every operation sddgate calls (prepare.mjs SDDGATE_OPERATIONS), once, as GitHub expects it.
#[test]
fn every_sddgate_operation_is_served() {
    let prism = Prism::start();
    let calls: [(&str, &str, Option<&str>, u16); 11] = [
        ("GET", "/user", None, 200),
        (
            "GET",
            "/repos/o/r/pulls/7/files?per_page=100&page=1",
            None,
            200,
        ),
        ("GET", "/repos/o/r/pulls/7/reviews?per_page=100", None, 200),
        (
            "GET",
            "/repos/o/r/issues/7/comments?per_page=100",
            None,
            200,
        ),
        (
            "POST",
            "/repos/o/r/issues/7/comments",
            Some(r#"{"body":"x"}"#),
            201,
        ),
        (
            "PATCH",
            "/repos/o/r/issues/comments/1",
            Some(r#"{"body":"x"}"#),
            200,
        ),
        (
            "POST",
            "/repos/o/r/check-runs",
            Some(r#"{"name":"sddgate","head_sha":"abc","status":"in_progress"}"#),
            201,
        ),
        (
            "PATCH",
            "/repos/o/r/check-runs/4",
            Some(
                r#"{"status":"completed","conclusion":"success","output":{"title":"t","summary":"s"}}"#,
            ),
            200,
        ),
        (
            "GET",
            "/repos/o/r/commits/abc/check-runs?check_name=sddgate&filter=latest&per_page=100",
            None,
            200,
        ),
        (
            "GET",
            "/repos/o/r/contents/.sddgate.yml?ref=main",
            None,
            200,
        ),
        (
            "GET",
            "/orgs/o/teams/approvers/memberships/octocat",
            None,
            200,
        ),
    ];
    for (method, path, body, status) in calls {
        let r = prism.request(method, path, &GITHUB_HEADERS, body);
        assert_eq!(r.status, status, "{method} {path}: {r:?}");
        assert_eq!(r.header("sl-violations"), None, "{method} {path}: {r:?}");
        assert_eq!(r.header("link"), None, "{method} {path}: {r:?}");
        r.json();
    }
    prism.assert_no_violations();
    assert_eq!(prism.requests().len(), calls.len());

    // Without Accept, or with application/json, GitHub's own media type is served.
    for accept in [None, Some("application/json"), Some("*/*")] {
        let mut headers = with_auth_only();
        if let Some(accept) = accept {
            headers.push(("Accept", accept));
        }
        let r = prism.request("GET", "/user", &headers, None);
        assert_eq!(r.status, 200, "Accept {accept:?}: {r:?}");
    }
    // A media type nothing in the description offers is 406 and a violation.
    let mut headers = with_auth_only();
    headers.push(("Accept", "application/vnd.github.raw"));
    let r = prism.request("GET", "/user", &headers, None);
    assert_eq!(r.status, 406, "{r:?}");
    assert!(
        prism
            .violations()
            .iter()
            .any(|v| v.starts_with("GET /user: ") && v.contains("NOT_ACCEPTABLE")),
        "{:#?}",
        prism.violations()
    );
}

#[test]
fn operations_sddgate_does_not_use_and_nested_contents_paths_are_not_served() {
    let prism = Prism::start();
    // Not in SDDGATE_OPERATIONS (GitHub has it): add it to prepare.mjs when sddgate needs it.
    let r = prism.request("GET", "/repos/o/r/pulls/7/commits", &GITHUB_HEADERS, None);
    assert_eq!(r.status, 404, "{r:?}");
    // Prism matches {path} as one segment (GitHub's x-multi-segment is not supported).
    let r = prism.request(
        "GET",
        "/repos/o/r/contents/config/sddgate.yml",
        &GITHUB_HEADERS,
        None,
    );
    assert_eq!(r.status, 404, "{r:?}");
    let r = prism.request(
        "GET",
        "/repos/o/r/contents/config%2Fsddgate.yml",
        &GITHUB_HEADERS,
        None,
    );
    assert_eq!(r.status, 200, "{r:?}");
    let v = prism.violations();
    assert_eq!(v.len(), 2, "{v:#?}");
    assert!(
        v.iter().all(|v| v.contains("NO_PATH_MATCHED_ERROR")),
        "{v:#?}"
    );
}

#[test]
fn scripted_responses_are_served_and_checked_against_github_schema() {
    let comments = "/repos/{owner}/{repo}/issues/{issue_number}/comments";
    let mut existing = github_example("GET", comments, 200);
    existing[0]["id"] = json!(99);
    existing[0]["body"] = json!("<!-- sddgate:report -->\nold report");
    let prism = Prism::builder()
        .respond("GET", comments, 200, Some(existing))
        // A read-only token (fork pull request): GitHub describes 403 for this operation.
        .respond(
            "POST",
            comments,
            403,
            Some(json!({ "message": "Resource not accessible by integration",
                         "documentation_url": "https://docs.github.com/rest" })),
        )
        // Not described by GitHub for check runs: served unchecked, with the header.
        .respond(
            "POST",
            "/repos/{owner}/{repo}/check-runs",
            429,
            Some(json!({ "message": "API rate limit exceeded" })),
        )
        .with_header("Retry-After", "7")
        // A body that contradicts GitHub's schema.
        .respond("GET", "/user", 200, Some(json!({ "login": 5 })))
        .start();

    let r = prism.request("GET", "/repos/o/r/issues/7/comments", &GITHUB_HEADERS, None);
    assert_eq!(r.status, 200, "{r:?}");
    assert_eq!(r.json()[0]["id"], 99);
    assert!(
        r.json()[0]["body"]
            .as_str()
            .unwrap()
            .contains("sddgate:report")
    );

    let r = prism.request(
        "POST",
        "/repos/o/r/issues/7/comments",
        &GITHUB_HEADERS,
        Some(r#"{"body":"x"}"#),
    );
    assert_eq!(r.status, 403, "{r:?}");

    let body = r#"{"name":"sddgate","head_sha":"abc"}"#;
    let r = prism.request("POST", "/repos/o/r/check-runs", &GITHUB_HEADERS, Some(body));
    assert_eq!(r.status, 429, "{r:?}");
    assert_eq!(r.header("retry-after"), Some("7"), "{r:?}");
    // Request validation still applies to a scripted operation.
    let r = prism.request("POST", "/repos/o/r/check-runs", &GITHUB_HEADERS, Some("{}"));
    assert_eq!(r.status, 422, "{r:?}");

    let before = prism.violations().len();
    let r = prism.request("GET", "/user", &GITHUB_HEADERS, None);
    assert_eq!(r.status, 200, "{r:?}");
    let v = prism.violations();
    assert!(v.len() > before, "{v:#?}");
    assert!(
        v.iter()
            .any(|v| v.starts_with("GET /user: Violation: response.body")),
        "{v:#?}"
    );
}

#[test]
fn webhook_examples_have_the_pull_request_events_sddgate_reads() {
    let opened = webhook_example("pull_request", |p| p["action"] == "opened");
    let sync = webhook_example("pull_request", |p| p["action"] == "synchronize");
    for p in [&opened, &sync] {
        let pr = &p["pull_request"];
        assert_eq!(p["number"], pr["number"]);
        assert_eq!(pr["head"]["sha"].as_str().map(str::len), Some(40));
        assert!(pr["base"]["sha"].is_string());
        assert_eq!(p["repository"]["full_name"], "Codertocat/Hello-World");
        assert_eq!(
            pr["head"]["repo"]["full_name"],
            pr["base"]["repo"]["full_name"]
        );
    }
    assert_eq!(sync["after"], sync["pull_request"]["head"]["sha"]);
    assert!(sync["installation"]["id"].is_u64());

    // No fork pull request in the examples; pull_request_from_fork derives one.
    assert!(
        webhook_examples("pull_request")
            .iter()
            .all(|p| p["pull_request"]["head"]["repo"]["full_name"]
                == p["pull_request"]["base"]["repo"]["full_name"])
    );
    let mut fork = opened.clone();
    prism::pull_request_from_fork(&mut fork, "outsider");
    let head = &fork["pull_request"]["head"];
    assert_eq!(head["repo"]["fork"], true);
    assert_eq!(head["repo"]["full_name"], "outsider/Hello-World");
    assert_eq!(head["repo"]["owner"]["login"], "outsider");
    assert_eq!(head["label"], "outsider:changes");
    assert_eq!(
        head["repo"]["url"],
        "https://api.github.com/repos/outsider/Hello-World"
    );
    assert_eq!(head["sha"], opened["pull_request"]["head"]["sha"]);
    assert_eq!(fork["repository"], opened["repository"]);
    assert_eq!(fork["pull_request"]["base"], opened["pull_request"]["base"]);
}

#[test]
fn missing_prism_says_how_to_install_it() {
    let missing = std::env::temp_dir().join("sddgate-no-such-prism");
    let err = prism::locate_prism(None, missing.clone()).unwrap_err();
    assert!(err.contains(".ci/github-contract.sh"), "{err}");
    assert!(err.contains(&missing.display().to_string()), "{err}");
    let err = prism::locate_prism(Some(missing.clone().into_os_string()), missing).unwrap_err();
    assert!(
        err.contains("SDDGATE_PRISM=") && err.contains(".ci/github-contract.sh"),
        "{err}"
    );
}

#[test]
fn log_parser_groups_lines_by_request() {
    let log = "\
[10:45:15 AM] › [HTTP SERVER] get /user ℹ  info      Request received
[10:45:15 AM] ›     [NEGOTIATOR] ℹ  info      > Responding with \"200\"
[10:45:15 AM] › [HTTP SERVER] get /repos/o/r/pulls/abc/files ℹ  info      Request received
[10:45:15 AM] ›     [VALIDATOR] ⚠  warning   Request did not pass the validation rules
[10:45:15 AM] ›     [VALIDATOR] ✖  error     Request path parameter pull_number must be integer
[10:45:15 AM] ›     [NEGOTIATOR] ℹ  info      > Responding with \"422\"
[10:45:15 AM] ›     [VALIDATOR] ✖  error     Violation: request.path.pull_number Request path parameter pull_number must be integer
[10:45:15 AM] › [HTTP SERVER] post /x ℹ  info      Request received
[10:45:15 AM] › [HTTP SERVER] post /x ✖  error     Request terminated with error: https://stoplight.io/prism/errors#NO_PATH_MATCHED_ERROR: Route not resolved, no path matched
";
    let requests = prism::parse_log(log);
    assert_eq!(requests.len(), 3, "{requests:#?}");
    assert_eq!(requests[0].to_string(), "GET /user -> 200");
    assert_eq!(requests[1].status, Some(422));
    assert_eq!(
        requests[1].errors,
        ["Request path parameter pull_number must be integer"]
    );
    assert_eq!(requests[2].method, "POST");
    assert_eq!(requests[2].status, None);
    assert!(requests[2].errors[0].contains("NO_PATH_MATCHED_ERROR"));
}
