//! Tests of the recording GitHub fake (`tests/support/recorder.rs`) with a hand-written blocking
//! HTTP/1.1 client.

#[allow(dead_code)]
#[path = "support/recorder.rs"]
mod recorder;

use recorder::{Fault, FaultKind, Recorder};
use serde_json::{Value, json};
use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

struct Resp {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Resp {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.body))
    }
}

/// One request on a new connection; `headers` replace the defaults (auth + user agent) when given.
fn send(
    rec: &Recorder,
    method: &str,
    path: &str,
    body: Option<&Value>,
    headers: Option<&[(&str, &str)]>,
    read_timeout: Duration,
) -> io::Result<Resp> {
    let mut s = TcpStream::connect(rec.addr())?;
    s.set_read_timeout(Some(read_timeout))?;
    let body = body.map(Value::to_string).unwrap_or_default();
    let default = [
        ("Authorization", "Bearer ghs_test"),
        ("User-Agent", "selftest"),
        ("Accept", "application/vnd.github+json"),
    ];
    let mut req = format!("{method} {path} HTTP/1.1\r\nHost: {}\r\n", rec.addr());
    for (k, v) in headers.unwrap_or(&default) {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str(&format!("Content-Length: {}\r\n\r\n{body}", body.len()));
    s.write_all(req.as_bytes())?;
    let mut raw = vec![];
    s.read_to_end(&mut raw)?;
    let raw = String::from_utf8(raw).expect("utf-8 response");
    let (head, body) = raw.split_once("\r\n\r\n").expect("header end");
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers: Vec<(String, String)> = lines
        .map(|l| {
            let (k, v) = l.split_once(':').unwrap();
            (k.trim().to_string(), v.trim().to_string())
        })
        .collect();
    let resp = Resp {
        status,
        headers,
        body: body.to_string(),
    };
    let len: usize = resp.header("content-length").unwrap().parse().unwrap();
    assert_eq!(len, resp.body.len(), "Content-Length");
    assert_eq!(resp.header("connection"), Some("close"));
    Ok(resp)
}

fn call(rec: &Recorder, method: &str, path: &str, body: Option<Value>) -> Resp {
    send(
        rec,
        method,
        path,
        body.as_ref(),
        None,
        Duration::from_secs(10),
    )
    .unwrap()
}

const REPO: &str = "/repos/Codertocat/Hello-World";

#[test]
fn comments_paginate_over_three_pages_with_github_link_headers() {
    let rec = Recorder::start();
    for i in 0..250 {
        rec.state().add_comment("someone", &format!("c{i}"));
    }
    let first = format!("{REPO}/issues/7/comments?per_page=100");
    let mut path = first.clone();
    let mut bodies = vec![];
    let mut links = vec![];
    loop {
        let r = call(&rec, "GET", &path, None);
        assert_eq!(r.status, 200);
        let page = r.json();
        bodies.extend(page.as_array().unwrap().iter().map(|c| c["body"].clone()));
        let link = r.header("link").expect("Link on every page").to_string();
        links.push(link.clone());
        let next = link
            .split(", ")
            .find(|l| l.ends_with("rel=\"next\""))
            .map(|l| l[1..l.find('>').unwrap()].to_string());
        match next {
            Some(url) => path = url.strip_prefix(&rec.url()).unwrap().to_string(),
            None => break,
        }
    }
    let expected: Vec<Value> = (0..250).map(|i| json!(format!("c{i}"))).collect();
    assert_eq!(bodies, expected, "all comments, oldest first");
    let u = |p: u32| {
        format!(
            "<{}{REPO}/issues/7/comments?per_page=100&page={p}>",
            rec.url()
        )
    };
    assert_eq!(
        links,
        [
            format!("{}; rel=\"next\", {}; rel=\"last\"", u(2), u(3)),
            format!(
                "{}; rel=\"prev\", {}; rel=\"next\", {}; rel=\"last\", {}; rel=\"first\"",
                u(1),
                u(3),
                u(3),
                u(1)
            ),
            format!("{}; rel=\"prev\", {}; rel=\"first\"", u(2), u(1)),
        ]
    );
    // per_page is capped at max_per_page; the default is 30.
    let r = call(
        &rec,
        "GET",
        &format!("{REPO}/issues/7/comments?per_page=500"),
        None,
    );
    assert_eq!(r.json().as_array().unwrap().len(), 100);
    let r = call(&rec, "GET", &format!("{REPO}/issues/7/comments"), None);
    assert_eq!(r.json().as_array().unwrap().len(), 30);
}

#[test]
fn comment_create_list_patch_and_the_refusals() {
    let rec = Recorder::start();
    let other = rec.state().add_comment("octocat", "a human's comment");
    let r = call(
        &rec,
        "POST",
        &format!("{REPO}/issues/7/comments"),
        Some(json!({"body": "v1"})),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    let created = r.json();
    let id = created["id"].as_u64().unwrap();
    assert_eq!(id, other + 1);
    assert_eq!(created["user"]["login"], "github-actions[bot]");
    assert_eq!(created["user"]["type"], "Bot");

    let list = call(&rec, "GET", &format!("{REPO}/issues/7/comments"), None).json();
    let ids: Vec<u64> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_u64().unwrap())
        .collect();
    assert_eq!(ids, [other, id]);
    assert!(
        call(&rec, "GET", &format!("{REPO}/issues/7/comments"), None)
            .header("link")
            .is_none()
    );

    let r = call(
        &rec,
        "PATCH",
        &format!("{REPO}/issues/comments/{id}"),
        Some(json!({"body": "v2"})),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["body"], "v2");

    let r = call(
        &rec,
        "PATCH",
        &format!("{REPO}/issues/comments/{other}"),
        Some(json!({"body": "x"})),
    );
    assert_eq!(r.status, 403);
    assert_eq!(
        r.json()["message"],
        "Resource not accessible by integration"
    );
    let r = call(
        &rec,
        "PATCH",
        &format!("{REPO}/issues/comments/999999"),
        Some(json!({"body": "x"})),
    );
    assert_eq!(r.status, 404);
    let r = call(
        &rec,
        "POST",
        &format!("{REPO}/issues/comments/{id}"),
        Some(json!({"body": "v3"})),
    );
    assert_eq!(r.status, 404);

    let s = rec.state();
    assert_eq!(s.comments.len(), 2);
    assert_eq!(
        (s.comments[0].body.as_str(), s.comments[0].updates),
        ("a human's comment", 0)
    );
    assert_eq!(
        (s.comments[1].body.as_str(), s.comments[1].updates),
        ("v2", 1)
    );
    drop(s);
    let reqs = rec.requests();
    let last = reqs.last().unwrap();
    assert_eq!((last.method.as_str(), last.status), ("POST", 404));
    assert_eq!(last.path, format!("{REPO}/issues/comments/{id}"));
    assert_eq!(last.body, Some(json!({"body": "v3"})));
    let r = call(
        &rec,
        "DELETE",
        &format!("{REPO}/issues/comments/{other}"),
        None,
    );
    assert_eq!(r.status, 403, "someone else's comment");
    let r = call(
        &rec,
        "DELETE",
        &format!("{REPO}/issues/comments/{id}"),
        None,
    );
    assert_eq!((r.status, r.body.as_str()), (204, ""));
    let s = rec.state();
    assert_eq!(s.comments.len(), 1);
    assert_eq!(s.deleted_comments[0].id, id);
    drop(s);
    assert!(
        rec.request_log()
            .contains(&format!("POST {REPO}/issues/comments/{id} -> 404\n"))
    );
}

fn annotation(i: usize) -> Value {
    json!({"path": "specs/a.md", "start_line": i + 1, "end_line": i + 1, "annotation_level": "failure", "message": format!("m{i}")})
}

#[test]
fn check_runs_are_validated_and_annotations_appended() {
    let rec = Recorder::start();
    let url = format!("{REPO}/check-runs");
    let many: Vec<Value> = (0..51).map(annotation).collect();
    let r = call(
        &rec,
        "POST",
        &url,
        Some(
            json!({"name": "sddgate", "head_sha": "abc", "output": {"title": "t", "summary": "s", "annotations": many}}),
        ),
    );
    assert_eq!(r.status, 422, "{}", r.body);
    assert_eq!(r.json()["message"], "Validation Failed");
    let r = call(
        &rec,
        "POST",
        &url,
        Some(json!({"name": "sddgate", "head_sha": "abc", "status": "completed"})),
    );
    assert_eq!(r.status, 422, "{}", r.body);
    let r = call(&rec, "POST", &url, Some(json!({"head_sha": "abc"})));
    assert_eq!(r.status, 422, "name is required");
    let r = call(
        &rec,
        "POST",
        &url,
        Some(json!({"name": "sddgate", "head_sha": "abc", "conclusion": "passed"})),
    );
    assert_eq!(r.status, 422, "unknown conclusion");
    let r = call(
        &rec,
        "POST",
        &url,
        Some(json!({"name": "sddgate", "head_sha": "abc", "output": {"title": "t"}})),
    );
    assert_eq!(r.status, 422, "output without summary");
    let long = "x".repeat(65536);
    let r = call(
        &rec,
        "POST",
        &url,
        Some(
            json!({"name": "sddgate", "head_sha": "abc", "output": {"title": "t", "summary": long}}),
        ),
    );
    assert_eq!(r.status, 422, "summary too long");
    let r = call(
        &rec,
        "POST",
        &url,
        Some(
            json!({"name": "sddgate", "head_sha": "abc", "output": {"title": "t", "summary": "s", "annotations": [{"path": "a", "start_line": 1, "end_line": 1, "annotation_level": "error", "message": "m"}]}}),
        ),
    );
    assert_eq!(r.status, 422, "annotation_level");
    assert!(rec.state().check_runs.is_empty());

    let fifty: Vec<Value> = (0..50).map(annotation).collect();
    let r = call(
        &rec,
        "POST",
        &url,
        Some(
            json!({"name": "sddgate", "head_sha": "abc", "status": "in_progress", "external_id": "run-1", "output": {"title": "t1", "summary": "s1", "text": "x1", "annotations": fifty}}),
        ),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    let id = r.json()["id"].as_u64().unwrap();
    let r = call(
        &rec,
        "PATCH",
        &format!("{url}/{id}"),
        Some(
            json!({"conclusion": "failure", "output": {"summary": "s2", "annotations": [annotation(50)]}}),
        ),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["output"]["annotations_count"], 51);
    assert_eq!(r.json()["status"], "completed");
    {
        let s = rec.state();
        let c = &s.check_runs[0];
        assert_eq!(c.annotation_batches, [50, 1]);
        assert_eq!(c.annotations.len(), 51);
        assert_eq!(c.annotations[50]["message"], "m50");
        assert_eq!(
            (c.title.as_deref(), c.summary.as_deref(), c.text.as_deref()),
            (Some("t1"), Some("s2"), Some("x1"))
        );
        assert_eq!(c.conclusion.as_deref(), Some("failure"));
    }
    let r = call(
        &rec,
        "GET",
        &format!("{REPO}/commits/abc/check-runs?check_name=sddgate"),
        None,
    );
    assert_eq!(r.json()["total_count"], 1);
    assert_eq!(r.json()["check_runs"][0]["id"], id);
    assert_eq!(r.json()["check_runs"][0]["external_id"], "run-1");
    let r = call(
        &rec,
        "GET",
        &format!("{REPO}/commits/def/check-runs?check_name=sddgate"),
        None,
    );
    assert_eq!(r.json()["total_count"], 0);
}

#[test]
fn read_only_token_is_refused_and_nothing_is_stored() {
    let rec = Recorder::start();
    rec.state().read_only = true;
    for (method, path, body) in [
        (
            "POST",
            format!("{REPO}/issues/7/comments"),
            json!({"body": "x"}),
        ),
        (
            "POST",
            format!("{REPO}/check-runs"),
            json!({"name": "sddgate", "head_sha": "abc"}),
        ),
    ] {
        let r = call(&rec, method, &path, Some(body));
        assert_eq!(r.status, 403, "{path}");
        let j = r.json();
        assert_eq!(j["message"], "Resource not accessible by integration");
        assert!(
            j["documentation_url"]
                .as_str()
                .unwrap()
                .starts_with("https://docs.github.com/")
        );
    }
    let s = rec.state();
    assert!(s.comments.is_empty() && s.check_runs.is_empty());
    drop(s);
    assert_eq!(
        call(&rec, "GET", "/user", None).status,
        403,
        "installation tokens cannot read /user"
    );
}

#[test]
fn respond_fault_once_then_normal() {
    let rec = Recorder::start();
    rec.fault(Fault::status("POST", &format!("{REPO}/issues/"), 502, 1));
    let path = format!("{REPO}/issues/7/comments");
    assert_eq!(
        call(&rec, "POST", &path, Some(json!({"body": "x"}))).status,
        502
    );
    assert!(
        rec.state().comments.is_empty(),
        "a faulted request changes nothing"
    );
    assert_eq!(
        call(&rec, "POST", &path, Some(json!({"body": "x"}))).status,
        201
    );
    assert_eq!(rec.state().comments.len(), 1);
    let statuses: Vec<(u16, bool)> = rec
        .requests()
        .iter()
        .map(|r| (r.status, r.faulted))
        .collect();
    assert_eq!(statuses, [(502, true), (201, false)]);
    assert_eq!(rec.pending_faults(), 0);
}

#[test]
fn delay_after_handling_stores_the_comment_but_answers_too_late() {
    let rec = Recorder::start();
    rec.fault(Fault {
        method: "POST",
        path_prefix: format!("{REPO}/issues/7/comments"),
        kind: FaultKind::DelayAfterHandling(Duration::from_secs(3)),
        times: 1,
    });
    let t = Instant::now();
    let r = send(
        &rec,
        "POST",
        &format!("{REPO}/issues/7/comments"),
        Some(&json!({"body": "late"})),
        None,
        Duration::from_millis(300),
    );
    let e = r.err().expect("the client times out");
    assert!(
        matches!(
            e.kind(),
            io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
        ),
        "{e}"
    );
    assert!(t.elapsed() < Duration::from_secs(3));
    let s = rec.state();
    assert_eq!(s.comments.len(), 1);
    assert_eq!(s.comments[0].body, "late");
}

/// Independent decoder for the round trip (ignores the newlines GitHub inserts).
fn decode_base64(s: &str) -> Vec<u8> {
    const T: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let vals: Vec<u32> = s
        .bytes()
        .filter(|b| !b"\n=".contains(b))
        .map(|b| T.find(b as char).expect("base64 alphabet") as u32)
        .collect();
    let mut out = vec![];
    for c in vals.chunks(4) {
        let n = c
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, v)| n | v << (18 - 6 * i));
        out.extend_from_slice(&n.to_be_bytes()[1..c.len()]);
    }
    out
}

#[test]
fn contents_round_trip_through_github_base64() {
    let rec = Recorder::start();
    let text =
        "version: 1\nthreshold: 20\n# ünïcode and 100 more bytes: ".to_string() + &"x".repeat(100);
    rec.state().add_content(".sddgate.yml", "main", &text);
    rec.state()
        .add_content("specs/a/specify.md", "abc", "Hello, World!\n");
    let r = call(
        &rec,
        "GET",
        &format!("{REPO}/contents/.sddgate.yml?ref=main"),
        None,
    );
    assert_eq!(r.status, 200);
    let j = r.json();
    assert_eq!(
        (j["type"].as_str(), j["encoding"].as_str()),
        (Some("file"), Some("base64"))
    );
    let content = j["content"].as_str().unwrap();
    assert!(
        content.lines().all(|l| l.len() <= 60)
            && content.lines().count() > 2
            && content.ends_with('\n')
    );
    assert_eq!(decode_base64(content), text.as_bytes());
    for path in ["specs/a/specify.md", "specs%2Fa%2Fspecify.md"] {
        let r = call(
            &rec,
            "GET",
            &format!("{REPO}/contents/{path}?ref=abc"),
            None,
        );
        assert_eq!(r.json()["content"], "SGVsbG8sIFdvcmxkIQo=\n", "{path}");
    }
    assert_eq!(
        call(
            &rec,
            "GET",
            &format!("{REPO}/contents/specs/a/specify.md?ref=main"),
            None
        )
        .status,
        404
    );
    let r = call(&rec, "GET", &format!("{REPO}/contents/nope.yml"), None);
    assert_eq!(
        (r.status, r.json()["message"].as_str()),
        (404, Some("Not Found"))
    );
}

#[test]
fn missing_authorization_is_401_and_recorded() {
    let rec = Recorder::start();
    let r = send(
        &rec,
        "GET",
        "/user",
        None,
        Some(&[("User-Agent", "selftest")]),
        Duration::from_secs(10),
    )
    .unwrap();
    assert_eq!(r.status, 401);
    assert_eq!(r.json()["message"], "Requires authentication");
    let r = send(
        &rec,
        "GET",
        "/user",
        None,
        Some(&[("Authorization", "token x")]),
        Duration::from_secs(10),
    )
    .unwrap();
    assert_eq!(r.status, 403, "no User-Agent");
    let reqs = rec.requests();
    assert_eq!(
        reqs.iter().map(|r| r.status).collect::<Vec<_>>(),
        [401, 403]
    );
    assert_eq!(reqs[1].header("authorization"), Some("token x"));
}
