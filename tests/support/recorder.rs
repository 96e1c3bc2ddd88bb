//! A stateful, recording fake of the GitHub REST API on loopback, for the behaviour a stateless
//! OpenAPI mock (`support/prism.rs`) cannot show: find-and-update of the one comment, pagination
//! with `Link` headers, retries after 502/429/403, a create that timed out after the server made
//! it, a read-only token.
//!
//! Include with `#[allow(dead_code)] #[path = "support/recorder.rs"] mod recorder;` (a test uses
//! only part of it). Std only (+ serde_json).
//!
//! - [`Recorder::start`] serves on `127.0.0.1:<random port>`; [`Recorder::url`] is the base URL
//!   (no trailing slash) to give the client as its API base. Stopped on drop.
//! - [`Recorder::state`] seeds before a run and inspects after it. Do not hold the guard while
//!   the client runs: every request takes the lock, so the client would stall and time out.
//! - [`Recorder::requests`] / [`Recorder::request_log`]: every request received, in the order it
//!   was handled (also the unauthenticated, unknown and faulted ones).
//! - [`Recorder::fault`]: queue a scripted answer ([`FaultKind::Respond`]) or a late answer after
//!   the change was made ([`FaultKind::DelayAfterHandling`]).
//!
//! Connection handling: exactly one request per connection, answered with `Connection: close`,
//! then the socket is closed. A client never has an idle pooled connection to this server, so a
//! request (POST included) is never written into a connection the server already closed, and
//! nothing is lost or silently replayed because of connection reuse. Every request is a new TCP
//! connection (cheap on loopback). `Expect: 100-continue` and `Transfer-Encoding: chunked` request
//! bodies are accepted.
//!
//! GitHub behaviours modelled (what a client must know):
//! - `User-Agent` missing → 403; `Authorization` not `Bearer …`/`token …` → 401; both checked
//!   after the fault queue and before routing; recorded anyway.
//! - Lists: `per_page` default 30, capped at [`State::max_per_page`] (GitHub: 100), `page` from 1;
//!   `Link` only when there is more than one page, in GitHub's order and format
//!   (`<url>; rel="prev", <url>; rel="next", <url>; rel="last", <url>; rel="first"`): `next`/`last`
//!   when a later page exists, `prev`/`first` when not on page 1. URLs are absolute to this server
//!   and keep the request's other query parameters. A page past the end is `[]`.
//! - Response bodies carry GitHub's fields (full `user` objects, `node_id`, `html_url`, …); API
//!   URLs in bodies point at this server, `html_url`s at `https://github.com`. Timestamps are
//!   derived from ids (`2026-01-01T00:00:00Z` + id seconds), so "oldest first" = increasing id.
//! - Only [`State::owner`]/[`State::repo`] exists (case-insensitive); any other repo is 404. Any
//!   PR number is accepted unless [`State::pr_number`] is `Some`.
//! - Check runs: validated like GitHub's description (`validate_check_run`; 422 on violation); a
//!   `conclusion` makes the status `completed`; PATCH appends annotations and replaces the output
//!   fields it carries (absent ones are kept). `GET …/commits/{ref}/check-runs` answers
//!   `filter=latest` by default (the newest run per name) and `filter=all`; newest first.
//! - `read_only`: every POST/PATCH/PUT/DELETE on a known route → 403 "Resource not accessible by
//!   integration"; unknown routes stay 404.
//! - Pull requests ([`State::pulls`], seeded with [`State::add_pull`]): `GET …/pulls` filters by
//!   `state` (default `open`; `closed`, `all`), `head` (`owner:branch`, as GitHub documents it:
//!   the head repository's owner and the branch, case-insensitive owner) and `base` (branch),
//!   oldest first; `GET …/pulls/{n}` answers one, 404 when not seeded.

use serde_json::{Map, Value, json};
use std::collections::VecDeque;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::{self, JoinHandle};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// What GitHub answers an installation token for something it may not do.
pub const NOT_ACCESSIBLE: &str = "Resource not accessible by integration";
/// Timestamps in bodies: this + id seconds.
const EPOCH_2026: u64 = 1_767_225_600;

pub struct Recorder {
    shared: Arc<Shared>,
    addr: SocketAddr,
    accept: Option<JoinHandle<()>>,
}

struct Shared {
    base: String,
    stop: AtomicBool,
    state: Mutex<State>,
    requests: Mutex<Vec<Recorded>>,
    faults: Mutex<VecDeque<Fault>>,
}

#[derive(Clone, Debug)]
pub struct Recorded {
    pub method: String,
    /// The path as sent, without the query (not percent-decoded).
    pub path: String,
    /// Percent-decoded query pairs in order.
    pub query: Vec<(String, String)>,
    /// Names lower-case, in the order sent.
    pub headers: Vec<(String, String)>,
    /// The body parsed as JSON; `None` when empty or not JSON (see `raw_body`).
    pub body: Option<Value>,
    pub raw_body: String,
    /// The status answered (for `DelayAfterHandling`: the one answered late).
    pub status: u16,
    /// Answered by a [`FaultKind::Respond`] (nothing handled).
    pub faulted: bool,
}

impl Recorded {
    pub fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }
    /// Every value of a header sent several times (`header` gives the first).
    pub fn header_all(&self, name: &str) -> Vec<&str> {
        let name = name.to_ascii_lowercase();
        self.headers
            .iter()
            .filter(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }
    pub fn query_value(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

#[derive(Clone, Debug)]
pub struct Fault {
    /// `"POST"`, `"GET"`, … (case-insensitive) or `"*"` for any method.
    pub method: &'static str,
    /// Matches requests whose path (without query) starts with it.
    pub path_prefix: String,
    pub kind: FaultKind,
    /// Applies to the next `times` matching requests.
    pub times: usize,
}

impl Fault {
    /// `status` with GitHub's error body, `times` times.
    pub fn status(method: &'static str, path_prefix: &str, status: u16, times: usize) -> Fault {
        let message = match status {
            502 => "Server Error",
            503 => "Service Unavailable",
            500 => "Internal Server Error",
            429 => "Too Many Requests",
            _ => "Error",
        };
        Fault {
            method,
            path_prefix: path_prefix.to_string(),
            kind: FaultKind::Respond {
                status,
                headers: vec![],
                body: json!({"message": message}).to_string(),
            },
            times,
        }
    }
    /// GitHub's secondary rate limit: 403 with `retry-after` (seconds), once.
    pub fn secondary_rate_limit(
        method: &'static str,
        path_prefix: &str,
        retry_after: u64,
    ) -> Fault {
        Fault {
            method,
            path_prefix: path_prefix.to_string(),
            kind: FaultKind::Respond {
                status: 403,
                headers: vec![("retry-after".into(), retry_after.to_string())],
                body: json!({
                    "message": "You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID.",
                    "documentation_url": "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits",
                    "status": "403"
                })
                .to_string(),
            },
            times: 1,
        }
    }
    /// GitHub's primary rate limit: `status` (403 or 429) with `x-ratelimit-remaining: 0` and
    /// `x-ratelimit-reset` (epoch seconds), once.
    pub fn primary_rate_limit(
        method: &'static str,
        path_prefix: &str,
        status: u16,
        reset_epoch: u64,
    ) -> Fault {
        Fault {
            method,
            path_prefix: path_prefix.to_string(),
            kind: FaultKind::Respond {
                status,
                headers: vec![
                    ("x-ratelimit-limit".into(), "5000".into()),
                    ("x-ratelimit-remaining".into(), "0".into()),
                    ("x-ratelimit-used".into(), "5000".into()),
                    ("x-ratelimit-reset".into(), reset_epoch.to_string()),
                    ("x-ratelimit-resource".into(), "core".into()),
                ],
                body: json!({
                    "message": "API rate limit exceeded for installation. If you reach out to GitHub Support for help, please include the request ID.",
                    "documentation_url": "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api",
                    "status": status.to_string()
                })
                .to_string(),
            },
            times: 1,
        }
    }
    /// Handle normally, answer after `delay`, once.
    pub fn delay(method: &'static str, path_prefix: &str, delay: Duration) -> Fault {
        Fault {
            method,
            path_prefix: path_prefix.to_string(),
            kind: FaultKind::DelayAfterHandling(delay),
            times: 1,
        }
    }
}

#[derive(Clone, Debug)]
pub enum FaultKind {
    /// Answer this instead of handling the request (nothing changes in State). `Content-Type:
    /// application/json`, `Content-Length` and `Connection: close` are added unless given.
    Respond {
        status: u16,
        headers: Vec<(String, String)>,
        body: String,
    },
    /// Handle the request normally (State changes, e.g. the comment is created), then sleep
    /// this long before answering — the client should time out first.
    DelayAfterHandling(Duration),
}

#[derive(Clone, Debug)]
pub struct State {
    /// Default "Codertocat", "Hello-World".
    pub owner: String,
    pub repo: String,
    /// `None` (default): any PR number is this PR; `Some(n)`: other numbers are 404.
    pub pr_number: Option<u64>,
    /// The token's login, default "github-actions[bot]".
    pub login: String,
    /// `GET /user` → 403 "Resource not accessible by integration"; default true.
    pub user_endpoint_forbidden: bool,
    /// Every POST/PATCH/PUT/DELETE → 403 "Resource not accessible by integration".
    pub read_only: bool,
    /// Filenames of the PR (served with status "modified").
    pub pr_files: Vec<String>,
    /// Issue comments of the PR, oldest first (ids from 1000).
    pub comments: Vec<Comment>,
    /// Comments removed by `DELETE …/issues/comments/{id}`, in the order deleted.
    pub deleted_comments: Vec<Comment>,
    pub check_runs: Vec<CheckRun>,
    pub reviews: Vec<Review>,
    /// (org, team slug, login): active members.
    pub team_members: Vec<(String, String, String)>,
    /// (path, ref, text). A request without `ref` reads `default_branch`; `refs/heads/` is
    /// ignored on both sides.
    pub contents: Vec<(String, String, String)>,
    /// Default "main".
    pub default_branch: String,
    /// GitHub caps per_page at 100; default 100.
    pub max_per_page: usize,
    /// Pull requests of the repository (for `GET …/pulls` and `GET …/pulls/{n}`).
    pub pulls: Vec<Pull>,
}

impl Default for State {
    fn default() -> State {
        State {
            owner: "Codertocat".into(),
            repo: "Hello-World".into(),
            pr_number: None,
            login: "github-actions[bot]".into(),
            user_endpoint_forbidden: true,
            read_only: false,
            pr_files: vec![],
            comments: vec![],
            deleted_comments: vec![],
            check_runs: vec![],
            reviews: vec![],
            team_members: vec![],
            contents: vec![],
            default_branch: "main".into(),
            max_per_page: 100,
            pulls: vec![],
        }
    }
}

impl State {
    /// Seed a comment by `user`; returns its id.
    pub fn add_comment(&mut self, user: &str, body: &str) -> u64 {
        let id = next_id(self.comments.iter().map(|c| c.id), 1000);
        self.comments.push(Comment {
            id,
            user: user.into(),
            body: body.into(),
            updates: 0,
        });
        id
    }
    /// Seed a review; returns its id.
    pub fn add_review(&mut self, user: &str, state: &str, commit_id: &str) -> u64 {
        let id = next_id(self.reviews.iter().map(|r| r.id), 80);
        self.reviews.push(Review {
            id,
            user: user.into(),
            state: state.into(),
            commit_id: commit_id.into(),
        });
        id
    }
    pub fn add_content(&mut self, path: &str, git_ref: &str, text: &str) {
        self.contents
            .push((path.into(), git_ref.into(), text.into()));
    }
    /// Seed an open pull request `number` from `head_repo` (`owner/name`; a fork when not this
    /// repository) branch `head_ref` at `head_sha`, into `main` at `base_sha`.
    pub fn add_pull(
        &mut self,
        number: u64,
        head_repo: &str,
        head_ref: &str,
        head_sha: &str,
        base_sha: &str,
    ) {
        self.pulls.push(Pull {
            number,
            state: "open".into(),
            head_repo: head_repo.into(),
            head_ref: head_ref.into(),
            head_sha: head_sha.into(),
            base_ref: self.default_branch.clone(),
            base_sha: base_sha.into(),
        });
    }
    /// The pull request `number` (panics when not seeded), to change it (a push, a close).
    pub fn pull_mut(&mut self, number: u64) -> &mut Pull {
        self.pulls
            .iter_mut()
            .find(|p| p.number == number)
            .unwrap_or_else(|| panic!("pull request #{number} is not seeded"))
    }
    pub fn add_team_member(&mut self, org: &str, team: &str, login: &str) {
        self.team_members
            .push((org.into(), team.into(), login.into()));
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Comment {
    pub id: u64,
    pub user: String,
    pub body: String,
    /// PATCHes applied.
    pub updates: usize,
}

#[derive(Clone, Debug, PartialEq)]
pub struct CheckRun {
    pub id: u64,
    pub name: String,
    pub head_sha: String,
    pub status: String,
    pub conclusion: Option<String>,
    pub title: Option<String>,
    pub summary: Option<String>,
    pub text: Option<String>,
    /// Every annotation received, in order, as sent.
    pub annotations: Vec<Value>,
    /// Size of each request's `output.annotations` array (requests without one: nothing).
    pub annotation_batches: Vec<usize>,
    /// As last sent (echoed in responses, so a client can find its run after a lost answer).
    pub external_id: Option<String>,
    pub details_url: Option<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Pull {
    pub number: u64,
    /// `open` or `closed`.
    pub state: String,
    /// `owner/name` of the head repository.
    pub head_repo: String,
    pub head_ref: String,
    pub head_sha: String,
    pub base_ref: String,
    pub base_sha: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Review {
    pub id: u64,
    pub user: String,
    /// APPROVED, CHANGES_REQUESTED, COMMENTED, DISMISSED, PENDING
    pub state: String,
    pub commit_id: String,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Recorder {
    pub fn start() -> Recorder {
        let listener = TcpListener::bind("127.0.0.1:0").expect("recorder: bind 127.0.0.1:0");
        let addr = listener.local_addr().expect("recorder: local_addr");
        let shared = Arc::new(Shared {
            base: format!("http://{addr}"),
            stop: AtomicBool::new(false),
            state: Mutex::new(State::default()),
            requests: Mutex::new(vec![]),
            faults: Mutex::new(VecDeque::new()),
        });
        let s = Arc::clone(&shared);
        let accept = thread::Builder::new()
            .name("recorder-accept".into())
            .spawn(move || {
                for stream in listener.incoming() {
                    if s.stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(stream) = stream else { continue };
                    let s = Arc::clone(&s);
                    let _ = thread::Builder::new()
                        .name("recorder-conn".into())
                        .spawn(move || serve_connection(&s, stream));
                }
            })
            .expect("recorder: spawn");
        Recorder {
            shared,
            addr,
            accept: Some(accept),
        }
    }

    /// `http://127.0.0.1:PORT`, no trailing slash.
    pub fn url(&self) -> String {
        self.shared.base.clone()
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Seed before a run, inspect after. Don't hold it while the client runs.
    pub fn state(&self) -> MutexGuard<'_, State> {
        lock(&self.shared.state)
    }

    /// Every request received, in the order handled.
    pub fn requests(&self) -> Vec<Recorded> {
        lock(&self.shared.requests).clone()
    }

    /// Requests with this method (case-insensitive, `"*"` any) whose path starts with `prefix`.
    pub fn count(&self, method: &str, path_prefix: &str) -> usize {
        lock(&self.shared.requests)
            .iter()
            .filter(|r| method_matches(method, &r.method) && r.path.starts_with(path_prefix))
            .count()
    }

    /// Queue a fault; faults are checked in queue order, first match wins.
    pub fn fault(&self, f: Fault) {
        if f.times > 0 {
            lock(&self.shared.faults).push_back(f);
        }
    }

    /// Faults not used up yet.
    pub fn pending_faults(&self) -> usize {
        lock(&self.shared.faults).len()
    }

    /// One line per request: `POST /repos/o/r/check-runs -> 201` (query kept, `(fault)` marked).
    pub fn request_log(&self) -> String {
        let mut out = String::new();
        for r in lock(&self.shared.requests).iter() {
            out.push_str(&r.method);
            out.push(' ');
            out.push_str(&r.path);
            if !r.query.is_empty() {
                out.push('?');
                let q: Vec<String> = r.query.iter().map(|(k, v)| format!("{k}={v}")).collect();
                out.push_str(&q.join("&"));
            }
            out.push_str(&format!(" -> {}", r.status));
            if r.faulted {
                out.push_str(" (fault)");
            }
            out.push('\n');
        }
        out
    }
}

impl Drop for Recorder {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop; it sees `stop` and ends.
        let _ = TcpStream::connect_timeout(&self.addr, Duration::from_secs(1));
        if let Some(h) = self.accept.take() {
            let _ = h.join();
        }
    }
}

fn method_matches(pattern: &str, method: &str) -> bool {
    pattern == "*" || pattern.eq_ignore_ascii_case(method)
}

// ---------------------------------------------------------------------------------------------
// HTTP

struct Request {
    method: String,
    path: String,
    raw_query: String,
    query: Vec<(String, String)>,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Request {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
    fn query_value(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

struct Response {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Response {
    fn json(status: u16, v: &Value) -> Response {
        Response {
            status,
            headers: vec![],
            body: v.to_string().into_bytes(),
        }
    }
    fn header(mut self, name: &str, value: String) -> Response {
        self.headers.push((name.to_string(), value));
        self
    }
}

fn serve_connection(shared: &Shared, mut stream: TcpStream) {
    if shared.stop.load(Ordering::SeqCst) {
        return;
    }
    let _ = stream.set_read_timeout(Some(Duration::from_secs(30)));
    let _ = stream.set_nodelay(true);
    let (response, delay) = match read_request(&mut stream) {
        Ok(Some(req)) => shared.handle(&req),
        Ok(None) => return, // closed before sending anything (e.g. the wake-up in Drop)
        Err(e) => {
            let resp = Response::json(400, &json!({"message": format!("Bad request: {e}")}));
            lock(&shared.requests).push(Recorded {
                method: String::new(),
                path: String::new(),
                query: vec![],
                headers: vec![],
                body: None,
                raw_body: String::new(),
                status: 400,
                faulted: false,
            });
            (resp, None)
        }
    };
    if let Some(d) = delay {
        thread::sleep(d);
    }
    // The client may have given up (timeout): a failed write is expected then.
    let _ = write_response(&mut stream, &response, shared);
    let _ = stream.flush();
    let _ = stream.shutdown(Shutdown::Write);
    // Drain until the client closes, so closing never resets the connection under unread data.
    let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
    let mut sink = [0u8; 1024];
    while let Ok(n) = stream.read(&mut sink) {
        if n == 0 {
            break;
        }
    }
}

fn read_request(stream: &mut TcpStream) -> io::Result<Option<Request>> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut line = String::new();
    // Request line (skip empty lines before it, as RFC 9112 allows).
    loop {
        line.clear();
        if reader.read_line(&mut line)? == 0 {
            return Ok(None);
        }
        if !line.trim().is_empty() {
            break;
        }
    }
    let mut parts = line.split_whitespace();
    let (Some(method), Some(target), Some(version)) = (parts.next(), parts.next(), parts.next())
    else {
        return Err(io::Error::other(format!("request line {line:?}")));
    };
    if !version.starts_with("HTTP/1.") {
        return Err(io::Error::other(format!("version {version:?}")));
    }
    let method = method.to_string();
    // Absolute form (`http://host/path`) → origin form.
    let target = match target.find("://") {
        Some(i) => match target[i + 3..].find('/') {
            Some(j) => target[i + 3 + j..].to_string(),
            None => "/".to_string(),
        },
        None => target.to_string(),
    };
    let (path, raw_query) = match target.split_once('?') {
        Some((p, q)) => (p.to_string(), q.to_string()),
        None => (target, String::new()),
    };
    let mut headers = vec![];
    let mut header_bytes = 0usize;
    loop {
        line.clear();
        let n = reader.read_line(&mut line)?;
        if n == 0 {
            return Err(io::Error::other("eof in headers"));
        }
        header_bytes += n;
        if header_bytes > 256 * 1024 {
            return Err(io::Error::other("headers too large"));
        }
        let l = line.trim_end_matches(['\r', '\n']);
        if l.is_empty() {
            break;
        }
        let Some((name, value)) = l.split_once(':') else {
            return Err(io::Error::other(format!("header line {l:?}")));
        };
        headers.push((name.trim().to_ascii_lowercase(), value.trim().to_string()));
    }
    let get = |n: &str| headers.iter().find(|(k, _)| k == n).map(|(_, v)| v.clone());
    if get("expect").is_some_and(|v| v.eq_ignore_ascii_case("100-continue")) {
        stream.write_all(b"HTTP/1.1 100 Continue\r\n\r\n")?;
    }
    let mut body = vec![];
    if get("transfer-encoding").is_some_and(|v| v.to_ascii_lowercase().contains("chunked")) {
        loop {
            line.clear();
            reader.read_line(&mut line)?;
            let size = line.trim().split(';').next().unwrap_or("").trim();
            let size = usize::from_str_radix(size, 16)
                .map_err(|_| io::Error::other(format!("chunk size {size:?}")))?;
            if size == 0 {
                // Trailers until the empty line.
                loop {
                    line.clear();
                    if reader.read_line(&mut line)? == 0 || line.trim().is_empty() {
                        break;
                    }
                }
                break;
            }
            let start = body.len();
            body.resize(start + size, 0);
            reader.read_exact(&mut body[start..])?;
            line.clear();
            reader.read_line(&mut line)?; // CRLF after the chunk
        }
    } else if let Some(len) = get("content-length") {
        let len: usize = len
            .parse()
            .map_err(|_| io::Error::other(format!("content-length {len:?}")))?;
        body.resize(len, 0);
        reader.read_exact(&mut body)?;
    }
    let query = parse_query(&raw_query);
    Ok(Some(Request {
        method,
        path,
        raw_query,
        query,
        headers,
        body,
    }))
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        201 => "Created",
        204 => "No Content",
        301 => "Moved Permanently",
        302 => "Found",
        304 => "Not Modified",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        409 => "Conflict",
        410 => "Gone",
        422 => "Unprocessable Entity",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Status",
    }
}

fn write_response(stream: &mut TcpStream, r: &Response, shared: &Shared) -> io::Result<()> {
    let has = |n: &str| r.headers.iter().any(|(k, _)| k.eq_ignore_ascii_case(n));
    let mut head = format!("HTTP/1.1 {} {}\r\n", r.status, reason(r.status));
    let now = now_secs();
    let mut add = |k: &str, v: &str| {
        head.push_str(k);
        head.push_str(": ");
        head.push_str(v);
        head.push_str("\r\n");
    };
    for (k, v) in &r.headers {
        if !k.eq_ignore_ascii_case("content-length") && !k.eq_ignore_ascii_case("connection") {
            add(k, v);
        }
    }
    if !has("content-type") && r.status != 204 && r.status != 304 {
        add("Content-Type", "application/json; charset=utf-8");
    }
    if !has("date") {
        add("Date", &http_date(now));
    }
    add("Server", "github.com (sddgate recorder)");
    add("X-GitHub-Media-Type", "github.v3; format=json");
    add("X-GitHub-Api-Version-Selected", "2022-11-28");
    let n = lock(&shared.requests).len();
    add(
        "X-GitHub-Request-Id",
        &format!("0000:{:04X}:{:06X}", shared.base.len(), n),
    );
    if !has("x-ratelimit-remaining") {
        add("X-RateLimit-Limit", "5000");
        add(
            "X-RateLimit-Remaining",
            &5000usize.saturating_sub(n).to_string(),
        );
        add("X-RateLimit-Used", &n.to_string());
        add("X-RateLimit-Reset", &(now + 3600).to_string());
        add("X-RateLimit-Resource", "core");
    }
    add("Content-Length", &r.body.len().to_string());
    add("Connection", "close");
    head.push_str("\r\n");
    let mut out = head.into_bytes();
    out.extend_from_slice(&r.body);
    stream.write_all(&out)
}

// ---------------------------------------------------------------------------------------------
// Handling

impl Shared {
    fn handle(&self, req: &Request) -> (Response, Option<Duration>) {
        let fault = {
            let mut faults = lock(&self.faults);
            let i = faults.iter().position(|f| {
                f.times > 0
                    && method_matches(f.method, &req.method)
                    && req.path.starts_with(&f.path_prefix)
            });
            i.map(|i| {
                let kind = faults[i].kind.clone();
                faults[i].times -= 1;
                if faults[i].times == 0 {
                    faults.remove(i);
                }
                kind
            })
        };
        let mut delay = None;
        match fault {
            Some(FaultKind::Respond {
                status,
                headers,
                body,
            }) => {
                let resp = Response {
                    status,
                    headers,
                    body: body.into_bytes(),
                };
                self.record(req, status, true);
                return (resp, None);
            }
            Some(FaultKind::DelayAfterHandling(d)) => delay = Some(d),
            None => {}
        }
        let mut state = lock(&self.state);
        let resp = route(&mut state, req, &self.base);
        // Recorded under the state lock: the log's order is the order of the changes.
        self.record(req, resp.status, false);
        drop(state);
        (resp, delay)
    }

    fn record(&self, req: &Request, status: u16, faulted: bool) {
        let raw_body = String::from_utf8_lossy(&req.body).into_owned();
        let body = if req.body.is_empty() {
            None
        } else {
            serde_json::from_slice(&req.body).ok()
        };
        lock(&self.requests).push(Recorded {
            method: req.method.clone(),
            path: req.path.clone(),
            query: req.query.clone(),
            headers: req.headers.clone(),
            body,
            raw_body,
            status,
            faulted,
        });
    }
}

const DOC_404: &str = "https://docs.github.com/rest";

fn not_found() -> Response {
    Response::json(
        404,
        &json!({"message": "Not Found", "documentation_url": DOC_404, "status": "404"}),
    )
}

fn forbidden(doc: &str) -> Response {
    Response::json(
        403,
        &json!({"message": NOT_ACCESSIBLE, "documentation_url": doc, "status": "403"}),
    )
}

fn validation_failed(doc: &str, errors: Vec<Value>) -> Response {
    Response::json(
        422,
        &json!({"message": "Validation Failed", "errors": errors, "documentation_url": doc, "status": "422"}),
    )
}

fn route(state: &mut State, req: &Request, base: &str) -> Response {
    // GitHub's edge refuses a request without User-Agent before anything else.
    if req.header("user-agent").is_none_or(|v| v.trim().is_empty()) {
        return Response::json(
            403,
            &json!({"message": "Request forbidden by administrative rules. Please make sure your request has a User-Agent header (https://docs.github.com/en/rest/overview/resources-in-the-rest-api#user-agent-required). Check https://developer.github.com for other possible causes."}),
        );
    }
    let authorized = req.header("authorization").is_some_and(|v| {
        let mut it = v.splitn(2, ' ');
        let scheme = it.next().unwrap_or("");
        let token = it.next().unwrap_or("").trim();
        (scheme.eq_ignore_ascii_case("bearer") || scheme.eq_ignore_ascii_case("token"))
            && !token.is_empty()
    });
    if !authorized {
        return Response::json(
            401,
            &json!({"message": "Requires authentication", "documentation_url": "https://docs.github.com/rest", "status": "401"}),
        );
    }
    let segs: Vec<&str> = req.path.split('/').skip(1).collect();
    let m = req.method.as_str();
    let body = || -> Result<Map<String, Value>, Response> {
        match serde_json::from_slice::<Value>(&req.body) {
            Ok(Value::Object(o)) => Ok(o),
            Ok(_) => Err(Response::json(
                422,
                &json!({"message": "Invalid request.\n\nThe body must be a JSON object.", "status": "422"}),
            )),
            Err(_) => Err(Response::json(
                400,
                &json!({"message": "Problems parsing JSON", "documentation_url": DOC_404, "status": "400"}),
            )),
        }
    };

    if segs == ["user"] {
        if m != "GET" {
            return not_found();
        }
        if state.user_endpoint_forbidden {
            return forbidden(
                "https://docs.github.com/rest/users/users#get-the-authenticated-user",
            );
        }
        let mut u = user_json(base, &state.login);
        let extra = json!({
            "name": null, "company": null, "blog": "", "location": null, "email": null,
            "hireable": null, "bio": null, "twitter_username": null, "public_repos": 0,
            "public_gists": 0, "followers": 0, "following": 0,
            "created_at": iso(EPOCH_2026), "updated_at": iso(EPOCH_2026)
        });
        if let (Value::Object(u), Value::Object(e)) = (&mut u, extra) {
            u.extend(e);
        }
        return Response::json(200, &u);
    }

    if segs.len() == 6
        && segs[0] == "orgs"
        && segs[2] == "teams"
        && segs[4] == "memberships"
        && m == "GET"
    {
        let (org, team, user) = (
            percent_decode(segs[1], false),
            percent_decode(segs[3], false),
            percent_decode(segs[5], false),
        );
        let member = state.team_members.iter().any(|(o, t, u)| {
            o.eq_ignore_ascii_case(&org)
                && t.eq_ignore_ascii_case(&team)
                && u.eq_ignore_ascii_case(&user)
        });
        if !member {
            return not_found();
        }
        return Response::json(
            200,
            &json!({
                "url": format!("{base}/orgs/{org}/teams/{team}/memberships/{user}"),
                "role": "member",
                "state": "active"
            }),
        );
    }

    if segs.len() < 4
        || segs[0] != "repos"
        || !segs[1].eq_ignore_ascii_case(&state.owner)
        || !segs[2].eq_ignore_ascii_case(&state.repo)
    {
        return not_found();
    }
    let repo_api = format!("{base}/repos/{}/{}", state.owner, state.repo);
    let repo_html = format!("https://github.com/{}/{}", state.owner, state.repo);
    let rest = &segs[3..];
    let pr = |n: &str| -> Option<u64> {
        let n: u64 = n.parse().ok()?;
        match state.pr_number {
            Some(p) if p != n => None,
            _ => Some(n),
        }
    };

    // Contents: the path may contain `/` or `%2F`.
    if rest[0] == "contents" && rest.len() >= 2 {
        if m != "GET" {
            return not_found();
        }
        let path = percent_decode(&rest[1..].join("/"), false);
        let path = path.trim_matches('/').to_string();
        let want = strip_heads(req.query_value("ref").unwrap_or(&state.default_branch));
        let Some((_, _, text)) = state
            .contents
            .iter()
            .find(|(p, r, _)| p.trim_matches('/') == path && strip_heads(r) == want)
        else {
            return not_found();
        };
        let accept = req.header("accept").unwrap_or("");
        if accept.contains("vnd.github.raw") {
            return Response {
                status: 200,
                headers: vec![(
                    "Content-Type".into(),
                    "application/vnd.github.raw; charset=utf-8".into(),
                )],
                body: text.clone().into_bytes(),
            };
        }
        let sha = fake_sha(&format!("blob {path} {text}"));
        let name = path.rsplit('/').next().unwrap_or(&path).to_string();
        let self_url = format!("{repo_api}/contents/{path}?ref={want}");
        let git_url = format!("{repo_api}/git/blobs/{sha}");
        let html_url = format!("{repo_html}/blob/{want}/{path}");
        return Response::json(
            200,
            &json!({
                "type": "file", "encoding": "base64", "size": text.len(), "name": name,
                "path": path, "content": github_base64(text.as_bytes()), "sha": sha,
                "url": self_url, "git_url": git_url, "html_url": html_url,
                "download_url": format!("https://raw.githubusercontent.com/{}/{}/{want}/{path}", state.owner, state.repo),
                "_links": {"self": self_url, "git": git_url, "html": html_url}
            }),
        );
    }

    // GET …/commits/{ref}/check-runs (ref may contain `/`).
    if rest[0] == "commits" && rest.len() >= 3 && rest[rest.len() - 1] == "check-runs" {
        if m != "GET" {
            return not_found();
        }
        let git_ref = percent_decode(&rest[1..rest.len() - 1].join("/"), false);
        let name = req.query_value("check_name");
        let status = req.query_value("status");
        let all = req.query_value("filter") == Some("all");
        let mut runs: Vec<&CheckRun> = state
            .check_runs
            .iter()
            .filter(|c| c.head_sha == git_ref)
            .filter(|c| name.is_none_or(|n| c.name == n))
            .filter(|c| status.is_none_or(|s| c.status == s))
            .collect();
        runs.sort_by_key(|c| std::cmp::Reverse(c.id));
        if !all {
            let mut seen: Vec<&str> = vec![];
            runs.retain(|c| {
                if seen.contains(&c.name.as_str()) {
                    false
                } else {
                    seen.push(&c.name);
                    true
                }
            });
        }
        let items: Vec<Value> = runs
            .iter()
            .map(|c| check_run_json(&repo_api, &repo_html, c))
            .collect();
        let total = items.len();
        let (page, link) = paginate(req, base, items, state.max_per_page);
        let resp = Response::json(200, &json!({"total_count": total, "check_runs": page}));
        return with_link(resp, link);
    }

    match (m, rest) {
        ("GET", ["pulls"]) => {
            let want_state = req.query_value("state").unwrap_or("open");
            if !["open", "closed", "all"].contains(&want_state) {
                return validation_failed(
                    "https://docs.github.com/rest/pulls/pulls#list-pull-requests",
                    vec![err("state", "invalid", "state must be open, closed or all")],
                );
            }
            let head = req.query_value("head");
            let base_filter = req.query_value("base");
            let items: Vec<Value> = state
                .pulls
                .iter()
                .filter(|p| want_state == "all" || p.state == want_state)
                .filter(|p| {
                    head.is_none_or(|h| {
                        let (owner, branch) = h.split_once(':').unwrap_or((h, ""));
                        let head_owner = p.head_repo.split('/').next().unwrap_or("");
                        head_owner.eq_ignore_ascii_case(owner) && p.head_ref == branch
                    })
                })
                .filter(|p| base_filter.is_none_or(|b| p.base_ref == b))
                .map(|p| pull_json(base, state, p))
                .collect();
            list(req, base, items, state.max_per_page)
        }
        ("GET", ["pulls", n]) => {
            let Ok(n) = n.parse::<u64>() else {
                return not_found();
            };
            match state.pulls.iter().find(|p| p.number == n) {
                Some(p) => Response::json(200, &pull_json(base, state, p)),
                None => not_found(),
            }
        }
        ("GET", ["pulls", n, "files"]) => {
            let Some(_) = pr(n) else { return not_found() };
            let items: Vec<Value> = state
                .pr_files
                .iter()
                .map(|f| {
                    let sha = fake_sha(&format!("file {f}"));
                    json!({
                        "sha": sha, "filename": f, "status": "modified",
                        "additions": 1, "deletions": 1, "changes": 2,
                        "blob_url": format!("{repo_html}/blob/{sha}/{f}"),
                        "raw_url": format!("{repo_html}/raw/{sha}/{f}"),
                        "contents_url": format!("{repo_api}/contents/{f}?ref={sha}"),
                        "patch": "@@ -1 +1 @@\n-a\n+b"
                    })
                })
                .collect();
            list(req, base, items, state.max_per_page)
        }
        ("GET", ["pulls", n, "reviews"]) => {
            let Some(n) = pr(n) else { return not_found() };
            let items: Vec<Value> = state
                .reviews
                .iter()
                .map(|r| {
                    let html = format!("{repo_html}/pull/{n}#pullrequestreview-{}", r.id);
                    let pr_url = format!("{repo_api}/pulls/{n}");
                    json!({
                        "id": r.id, "node_id": node_id("PRR", r.id),
                        "user": user_json(base, &r.user), "body": "", "state": r.state,
                        "html_url": html, "pull_request_url": pr_url,
                        "author_association": "MEMBER",
                        "_links": {"html": {"href": html}, "pull_request": {"href": pr_url}},
                        "submitted_at": if r.state == "PENDING" { Value::Null } else { iso(EPOCH_2026 + r.id).into() },
                        "commit_id": r.commit_id
                    })
                })
                .collect();
            list(req, base, items, state.max_per_page)
        }
        ("GET", ["issues", n, "comments"]) => {
            let Some(n) = pr(n) else { return not_found() };
            let items: Vec<Value> = state
                .comments
                .iter()
                .map(|c| comment_json(base, &repo_api, &repo_html, n, c))
                .collect();
            list(req, base, items, state.max_per_page)
        }
        ("POST", ["issues", n, "comments"]) => {
            let doc = "https://docs.github.com/rest/issues/comments#create-an-issue-comment";
            let Some(n) = pr(n) else { return not_found() };
            if state.read_only {
                return forbidden(doc);
            }
            let o = match body() {
                Ok(o) => o,
                Err(r) => return r,
            };
            let text = match comment_body(&o, doc) {
                Ok(t) => t,
                Err(r) => return r,
            };
            let login = state.login.clone();
            let id = state.add_comment(&login, &text);
            let c = state.comments.last().expect("just added");
            let resp = Response::json(201, &comment_json(base, &repo_api, &repo_html, n, c));
            resp.header("Location", format!("{repo_api}/issues/comments/{id}"))
        }
        ("GET" | "PATCH" | "DELETE", ["issues", "comments", id]) => {
            let doc = if m == "DELETE" {
                "https://docs.github.com/rest/issues/comments#delete-an-issue-comment"
            } else {
                "https://docs.github.com/rest/issues/comments#update-an-issue-comment"
            };
            if m != "GET" && state.read_only {
                return forbidden(doc);
            }
            let n = state.pr_number.unwrap_or(1);
            let Some(i) = id
                .parse::<u64>()
                .ok()
                .and_then(|id| state.comments.iter().position(|c| c.id == id))
            else {
                return not_found();
            };
            if m != "GET" && state.comments[i].user != state.login {
                return forbidden(doc);
            }
            if m == "DELETE" {
                let c = state.comments.remove(i);
                state.deleted_comments.push(c);
                return Response {
                    status: 204,
                    headers: vec![],
                    body: vec![],
                };
            }
            if m == "PATCH" {
                let o = match body() {
                    Ok(o) => o,
                    Err(r) => return r,
                };
                let text = match comment_body(&o, doc) {
                    Ok(t) => t,
                    Err(r) => return r,
                };
                state.comments[i].body = text;
                state.comments[i].updates += 1;
            }
            Response::json(
                200,
                &comment_json(base, &repo_api, &repo_html, n, &state.comments[i]),
            )
        }
        ("POST", ["check-runs"]) => {
            let doc = "https://docs.github.com/rest/checks/runs#create-a-check-run";
            if state.read_only {
                return forbidden(doc);
            }
            let o = match body() {
                Ok(o) => o,
                Err(r) => return r,
            };
            let errors = validate_check_run(&o, true);
            if !errors.is_empty() {
                return validation_failed(doc, errors);
            }
            let id = next_id(state.check_runs.iter().map(|c| c.id), 5000);
            let mut c = CheckRun {
                id,
                name: String::new(),
                head_sha: String::new(),
                status: "queued".into(),
                conclusion: None,
                title: None,
                summary: None,
                text: None,
                annotations: vec![],
                annotation_batches: vec![],
                external_id: None,
                details_url: None,
            };
            apply_check_run(&mut c, &o);
            state.check_runs.push(c);
            let c = state.check_runs.last().expect("just added");
            Response::json(201, &check_run_json(&repo_api, &repo_html, c))
        }
        ("GET" | "PATCH", ["check-runs", id]) => {
            let doc = "https://docs.github.com/rest/checks/runs#update-a-check-run";
            if m == "PATCH" && state.read_only {
                return forbidden(doc);
            }
            let Some(i) = id
                .parse::<u64>()
                .ok()
                .and_then(|id| state.check_runs.iter().position(|c| c.id == id))
            else {
                return not_found();
            };
            if m == "PATCH" {
                let o = match body() {
                    Ok(o) => o,
                    Err(r) => return r,
                };
                let errors = validate_check_run(&o, false);
                if !errors.is_empty() {
                    return validation_failed(doc, errors);
                }
                apply_check_run(&mut state.check_runs[i], &o);
            }
            Response::json(
                200,
                &check_run_json(&repo_api, &repo_html, &state.check_runs[i]),
            )
        }
        ("GET", ["check-runs", id, "annotations"]) => {
            let Some(c) = id
                .parse::<u64>()
                .ok()
                .and_then(|id| state.check_runs.iter().find(|c| c.id == id))
            else {
                return not_found();
            };
            let items: Vec<Value> = c
                .annotations
                .iter()
                .map(|a| {
                    let mut a = a.clone();
                    if let Value::Object(o) = &mut a {
                        o.insert(
                            "blob_href".into(),
                            format!(
                                "{repo_html}/blob/{}/{}",
                                c.head_sha,
                                o.get("path").and_then(Value::as_str).unwrap_or("")
                            )
                            .into(),
                        );
                    }
                    a
                })
                .collect();
            list(req, base, items, state.max_per_page)
        }
        _ => not_found(),
    }
}

fn strip_heads(r: &str) -> &str {
    r.strip_prefix("refs/heads/").unwrap_or(r)
}

fn comment_body(o: &Map<String, Value>, doc: &str) -> Result<String, Response> {
    match o.get("body") {
        Some(Value::String(s)) if s.chars().count() > 65536 => Err(validation_failed(
            doc,
            vec![
                json!({"resource": "IssueComment", "code": "custom", "field": "body", "message": "body is too long (maximum is 65536 characters)"}),
            ],
        )),
        Some(Value::String(s)) => Ok(s.clone()),
        _ => Err(validation_failed(
            doc,
            vec![json!({"resource": "IssueComment", "code": "missing_field", "field": "body"})],
        )),
    }
}

const CONCLUSIONS: [&str; 8] = [
    "action_required",
    "cancelled",
    "failure",
    "neutral",
    "success",
    "skipped",
    "stale",
    "timed_out",
];

fn err(field: &str, code: &str, message: &str) -> Value {
    json!({"resource": "CheckRun", "field": field, "code": code, "message": message})
}

/// GitHub's rules for create (`create`) and update bodies of a check run.
fn validate_check_run(o: &Map<String, Value>, create: bool) -> Vec<Value> {
    let mut e = vec![];
    let s = |k: &str| o.get(k).filter(|v| !v.is_null());
    for k in ["name", "head_sha"] {
        match s(k) {
            Some(Value::String(v)) if !v.is_empty() => {}
            None if !create => {}
            Some(_) => e.push(err(
                k,
                "invalid",
                &format!("{k} must be a non-empty string"),
            )),
            None => e.push(err(k, "missing_field", &format!("{k} is required"))),
        }
    }
    let status = s("status");
    match status {
        None => {}
        Some(Value::String(v)) if ["queued", "in_progress", "completed"].contains(&v.as_str()) => {}
        Some(v) => e.push(err(
            "status",
            "invalid",
            &format!("status {v} is not one of queued, in_progress, completed"),
        )),
    }
    let conclusion = s("conclusion");
    match conclusion {
        None => {}
        Some(Value::String(v)) if CONCLUSIONS.contains(&v.as_str()) => {}
        Some(v) => e.push(err(
            "conclusion",
            "invalid",
            &format!("conclusion {v} is not one of {}", CONCLUSIONS.join(", ")),
        )),
    }
    if conclusion.is_none() && status.and_then(Value::as_str) == Some("completed") {
        e.push(err(
            "conclusion",
            "missing_field",
            "conclusion is required when status is completed",
        ));
    }
    if conclusion.is_none() && s("completed_at").is_some() {
        e.push(err(
            "conclusion",
            "missing_field",
            "conclusion is required when completed_at is given",
        ));
    }
    let Some(output) = s("output") else { return e };
    let Value::Object(output) = output else {
        e.push(err("output", "invalid", "output must be an object"));
        return e;
    };
    let required: &[&str] = if create {
        &["title", "summary"]
    } else {
        &["summary"]
    };
    for k in ["title", "summary", "text"] {
        match output.get(k) {
            None | Some(Value::Null) if required.contains(&k) => e.push(err(
                &format!("output.{k}"),
                "missing_field",
                &format!("output.{k} is required"),
            )),
            None | Some(Value::Null) => {}
            Some(Value::String(v)) => {
                if k != "title" && v.chars().count() > 65535 {
                    e.push(err(
                        &format!("output.{k}"),
                        "too_long",
                        &format!("output.{k} is longer than 65535 characters"),
                    ));
                }
            }
            Some(_) => e.push(err(
                &format!("output.{k}"),
                "invalid",
                &format!("output.{k} must be a string"),
            )),
        }
    }
    match output.get("annotations") {
        None | Some(Value::Null) => {}
        Some(Value::Array(list)) => {
            if list.len() > 50 {
                e.push(err(
                    "output.annotations",
                    "too_long",
                    &format!(
                        "{} annotations in one request: at most 50 are allowed",
                        list.len()
                    ),
                ));
            }
            for (i, a) in list.iter().enumerate() {
                let f = |k: &str| format!("output.annotations[{i}].{k}");
                let Value::Object(a) = a else {
                    e.push(err(&f(""), "invalid", "annotation must be an object"));
                    continue;
                };
                for k in ["path", "message"] {
                    if !a.get(k).is_some_and(Value::is_string) {
                        e.push(err(&f(k), "missing_field", &format!("{k} is required")));
                    }
                }
                for k in ["start_line", "end_line"] {
                    if a.get(k).and_then(Value::as_u64).unwrap_or(0) == 0 {
                        e.push(err(
                            &f(k),
                            "missing_field",
                            &format!("{k} is required (a positive integer)"),
                        ));
                    }
                }
                match a.get("annotation_level").and_then(Value::as_str) {
                    Some("notice" | "warning" | "failure") => {}
                    _ => e.push(err(
                        &f("annotation_level"),
                        "invalid",
                        "annotation_level must be one of notice, warning, failure",
                    )),
                }
                let has_columns = ["start_column", "end_column"]
                    .iter()
                    .any(|k| a.get(*k).is_some_and(|v| !v.is_null()));
                if has_columns && a.get("start_line") != a.get("end_line") {
                    e.push(err(
                        &f("start_column"),
                        "invalid",
                        "start_column and end_column are only allowed when start_line equals end_line",
                    ));
                }
            }
        }
        Some(_) => e.push(err(
            "output.annotations",
            "invalid",
            "output.annotations must be an array",
        )),
    }
    e
}

/// Apply a validated create/update body.
fn apply_check_run(c: &mut CheckRun, o: &Map<String, Value>) {
    let s = |k: &str| o.get(k).and_then(Value::as_str).map(str::to_string);
    if let Some(v) = s("name") {
        c.name = v;
    }
    if let Some(v) = s("head_sha") {
        c.head_sha = v;
    }
    if let Some(v) = s("status") {
        c.status = v;
    }
    if let Some(v) = s("external_id") {
        c.external_id = Some(v);
    }
    if let Some(v) = s("details_url") {
        c.details_url = Some(v);
    }
    if let Some(v) = s("conclusion") {
        c.conclusion = Some(v);
        c.status = "completed".into();
    }
    if let Some(Value::Object(out)) = o.get("output") {
        let s = |k: &str| out.get(k).and_then(Value::as_str).map(str::to_string);
        if let Some(v) = s("title") {
            c.title = Some(v);
        }
        if let Some(v) = s("summary") {
            c.summary = Some(v);
        }
        if let Some(v) = s("text") {
            c.text = Some(v);
        }
        if let Some(Value::Array(a)) = out.get("annotations") {
            c.annotation_batches.push(a.len());
            c.annotations.extend(a.iter().cloned());
        }
    }
}

fn check_run_json(repo_api: &str, repo_html: &str, c: &CheckRun) -> Value {
    let started = EPOCH_2026 + c.id;
    json!({
        "id": c.id,
        "node_id": node_id("CR", c.id),
        "name": c.name,
        "head_sha": c.head_sha,
        "external_id": c.external_id.as_deref().unwrap_or(""),
        "url": format!("{repo_api}/check-runs/{}", c.id),
        "html_url": format!("{repo_html}/runs/{}", c.id),
        "details_url": c.details_url.clone().unwrap_or_else(|| format!("{repo_html}/runs/{}", c.id)),
        "status": c.status,
        "conclusion": c.conclusion,
        "started_at": iso(started),
        "completed_at": if c.status == "completed" { Value::from(iso(started + 1)) } else { Value::Null },
        "output": {
            "title": c.title,
            "summary": c.summary,
            "text": c.text,
            "annotations_count": c.annotations.len(),
            "annotations_url": format!("{repo_api}/check-runs/{}/annotations", c.id)
        },
        "check_suite": {"id": 7000 + c.id},
        "app": {"id": 15368, "slug": "github-actions", "node_id": "MDM6QXBwMTUzNjg=", "name": "GitHub Actions"},
        "pull_requests": []
    })
}

fn comment_json(base: &str, repo_api: &str, repo_html: &str, issue: u64, c: &Comment) -> Value {
    let created = EPOCH_2026 + c.id;
    json!({
        "id": c.id,
        "node_id": node_id("IC", c.id),
        "url": format!("{repo_api}/issues/comments/{}", c.id),
        "html_url": format!("{repo_html}/pull/{issue}#issuecomment-{}", c.id),
        "issue_url": format!("{repo_api}/issues/{issue}"),
        "body": c.body,
        "user": user_json(base, &c.user),
        "author_association": if c.user.ends_with("[bot]") { "NONE" } else { "MEMBER" },
        "created_at": iso(created),
        "updated_at": iso(created + c.updates as u64),
        "performed_via_github_app": null,
        "reactions": {"url": format!("{repo_api}/issues/comments/{}/reactions", c.id), "total_count": 0}
    })
}

/// A full `simple-user` object (octocrab's `Author` needs every URL).
fn user_json(base: &str, login: &str) -> Value {
    let id = if login == "github-actions[bot]" {
        41_898_282
    } else {
        fnv(login) % 90_000_000 + 1_000_000
    };
    let u = format!(
        "{base}/users/{}",
        login.replace('[', "%5B").replace(']', "%5D")
    );
    json!({
        "login": login,
        "id": id,
        "node_id": node_id("U", id),
        "avatar_url": format!("https://avatars.githubusercontent.com/u/{id}?v=4"),
        "gravatar_id": "",
        "url": u,
        "html_url": format!("https://github.com/{}", login.replace("[bot]", "")),
        "followers_url": format!("{u}/followers"),
        "following_url": format!("{u}/following{{/other_user}}"),
        "gists_url": format!("{u}/gists{{/gist_id}}"),
        "starred_url": format!("{u}/starred{{/owner}}{{/repo}}"),
        "subscriptions_url": format!("{u}/subscriptions"),
        "organizations_url": format!("{u}/orgs"),
        "repos_url": format!("{u}/repos"),
        "events_url": format!("{u}/events{{/privacy}}"),
        "received_events_url": format!("{u}/received_events"),
        "type": if login.ends_with("[bot]") { "Bot" } else { "User" },
        "user_view_type": "public",
        "site_admin": false
    })
}

/// A repository object as GitHub nests it in a pull request (`head.repo`, `base.repo`).
fn repo_json(base: &str, full_name: &str, fork: bool) -> Value {
    let (owner, name) = full_name.split_once('/').unwrap_or((full_name, full_name));
    let id = fnv(full_name) % 900_000_000 + 100_000_000;
    json!({
        "id": id, "node_id": node_id("R", id), "name": name, "full_name": full_name,
        "private": false, "owner": user_json(base, owner),
        "html_url": format!("https://github.com/{full_name}"), "description": null,
        "fork": fork, "url": format!("{base}/repos/{full_name}"),
        "default_branch": "main", "visibility": "public"
    })
}

fn pull_json(base: &str, state: &State, p: &Pull) -> Value {
    let this = format!("{}/{}", state.owner, state.repo);
    let repo_api = format!("{base}/repos/{this}");
    let html = format!("https://github.com/{this}/pull/{}", p.number);
    let head_owner = p.head_repo.split('/').next().unwrap_or("");
    let id = 279_147_000 + p.number;
    json!({
        "url": format!("{repo_api}/pulls/{}", p.number), "id": id,
        "node_id": node_id("PR", id), "html_url": html,
        "diff_url": format!("{html}.diff"), "patch_url": format!("{html}.patch"),
        "issue_url": format!("{repo_api}/issues/{}", p.number),
        "commits_url": format!("{repo_api}/pulls/{}/commits", p.number),
        "review_comments_url": format!("{repo_api}/pulls/{}/comments", p.number),
        "comments_url": format!("{repo_api}/issues/{}/comments", p.number),
        "statuses_url": format!("{repo_api}/statuses/{}", p.head_sha),
        "number": p.number, "state": p.state, "locked": false,
        "title": format!("Pull request {}", p.number), "user": user_json(base, head_owner),
        "body": null, "labels": [], "milestone": null, "active_lock_reason": null,
        "created_at": iso(EPOCH_2026 + p.number), "updated_at": iso(EPOCH_2026 + p.number),
        "closed_at": null, "merged_at": null, "merge_commit_sha": null,
        "assignee": null, "assignees": [], "requested_reviewers": [], "requested_teams": [],
        "head": {
            "label": format!("{head_owner}:{}", p.head_ref), "ref": p.head_ref,
            "sha": p.head_sha, "user": user_json(base, head_owner),
            "repo": repo_json(base, &p.head_repo, !p.head_repo.eq_ignore_ascii_case(&this))
        },
        "base": {
            "label": format!("{}:{}", state.owner, p.base_ref), "ref": p.base_ref,
            "sha": p.base_sha, "user": user_json(base, &state.owner),
            "repo": repo_json(base, &this, false)
        },
        "_links": {
            "self": {"href": format!("{repo_api}/pulls/{}", p.number)},
            "html": {"href": html}
        },
        "author_association": "CONTRIBUTOR", "auto_merge": null, "draft": false
    })
}

fn node_id(prefix: &str, id: u64) -> String {
    format!(
        "{prefix}_kwDO{}",
        github_base64(id.to_string().as_bytes()).trim()
    )
}

fn next_id(ids: impl Iterator<Item = u64>, first: u64) -> u64 {
    ids.max().map_or(first, |m| (m + 1).max(first))
}

fn fnv(s: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in s.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

fn fake_sha(s: &str) -> String {
    let a = fnv(s);
    let b = fnv(&format!("{s}#"));
    let c = fnv(&format!("{s}##"));
    format!("{a:016x}{b:016x}{:08x}", c >> 32)
}

// ---------------------------------------------------------------------------------------------
// Pagination

fn list(req: &Request, base: &str, items: Vec<Value>, max_per_page: usize) -> Response {
    let (page, link) = paginate(req, base, items, max_per_page);
    with_link(Response::json(200, &Value::Array(page)), link)
}

fn with_link(r: Response, link: Option<String>) -> Response {
    match link {
        Some(l) => r.header("Link", l),
        None => r,
    }
}

/// The requested page and GitHub's `Link` header (none when everything fits on one page).
fn paginate(
    req: &Request,
    base: &str,
    items: Vec<Value>,
    max_per_page: usize,
) -> (Vec<Value>, Option<String>) {
    let per_page = req
        .query_value("per_page")
        .and_then(|v| v.parse::<usize>().ok())
        .filter(|&n| n > 0)
        .unwrap_or(30)
        .min(max_per_page.max(1));
    let page = req
        .query_value("page")
        .and_then(|v| v.parse::<usize>().ok())
        .filter(|&n| n > 0)
        .unwrap_or(1);
    let last = items.len().div_ceil(per_page).max(1);
    let slice: Vec<Value> = items
        .into_iter()
        .skip((page - 1).saturating_mul(per_page))
        .take(per_page)
        .collect();
    if last == 1 {
        return (slice, None);
    }
    let url = |p: usize| {
        let mut pairs: Vec<String> = req
            .raw_query
            .split('&')
            .filter(|kv| !kv.is_empty() && kv.split('=').next() != Some("page"))
            .map(str::to_string)
            .collect();
        pairs.push(format!("page={p}"));
        format!("<{base}{}?{}>", req.path, pairs.join("&"))
    };
    let mut links = vec![];
    if page > 1 {
        links.push(format!("{}; rel=\"prev\"", url((page - 1).min(last))));
    }
    if page < last {
        links.push(format!("{}; rel=\"next\"", url(page + 1)));
        links.push(format!("{}; rel=\"last\"", url(last)));
    }
    if page > 1 {
        links.push(format!("{}; rel=\"first\"", url(1)));
    }
    (slice, Some(links.join(", ")))
}

// ---------------------------------------------------------------------------------------------
// Encoding

fn parse_query(q: &str) -> Vec<(String, String)> {
    q.split('&')
        .filter(|kv| !kv.is_empty())
        .map(|kv| {
            let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
            (percent_decode(k, true), percent_decode(v, true))
        })
        .collect()
}

fn percent_decode(s: &str, plus_is_space: bool) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'%' if i + 2 < b.len() => {
                let hex = std::str::from_utf8(&b[i + 1..i + 3]).ok();
                match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                    Some(v) => {
                        out.push(v);
                        i += 3;
                    }
                    None => {
                        out.push(b'%');
                        i += 1;
                    }
                }
            }
            b'+' if plus_is_space => {
                out.push(b' ');
                i += 1;
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Standard base64 with padding.
pub fn base64(data: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        out.push(T[(n >> 18) as usize & 63] as char);
        out.push(T[(n >> 12) as usize & 63] as char);
        out.push(if chunk.len() > 1 {
            T[(n >> 6) as usize & 63] as char
        } else {
            '='
        });
        out.push(if chunk.len() > 2 {
            T[n as usize & 63] as char
        } else {
            '='
        });
    }
    out
}

/// GitHub's `content` field: base64 in lines of 60 characters, each ending in `\n`.
pub fn github_base64(data: &[u8]) -> String {
    let b = base64(data);
    let mut out = String::with_capacity(b.len() + b.len() / 60 + 1);
    for line in b.as_bytes().chunks(60) {
        out.push_str(std::str::from_utf8(line).expect("ascii"));
        out.push('\n');
    }
    out
}

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// `2026-01-01T00:00:00Z`
fn iso(secs: u64) -> String {
    sddgate::trace::rfc3339_utc(std::time::UNIX_EPOCH + Duration::from_secs(secs))
}

/// `Thu, 01 Jan 2026 00:00:00 GMT`
fn http_date(secs: u64) -> String {
    const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let days = secs / 86_400;
    let (y, mo, d) = sddgate::trace::civil_from_days(days as i64);
    let s = secs % 86_400;
    format!(
        "{}, {d:02} {} {y:04} {:02}:{:02}:{:02} GMT",
        DAYS[(days % 7) as usize],
        MONTHS[(mo - 1) as usize],
        s / 3600,
        s / 60 % 60,
        s % 60
    )
}
