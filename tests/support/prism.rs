//! GitHub's REST API contract on loopback: [Prism](https://github.com/stoplightio/prism) mocking
//! GitHub's published OpenAPI description, for tests that run `sddgate ci` against it.
//!
//! Include with `#[path = "support/prism.rs"] mod prism;`. Install the tooling first with
//! `bash .ci/github-contract.sh` (npm; exact versions in `tests/github-contract/package-lock.json`).
//! Without it [`Prism::start`] panics with that instruction: these tests never skip.
//!
//! What a test gets:
//! - [`Prism::start`]: a Prism of its own on a free 127.0.0.1 port serving
//!   `tests/github-contract/generated/sddgate.prism.json`, i.e. exactly GitHub's description of
//!   the operations sddgate calls (list and the two changes made for Prism:
//!   `tests/github-contract/prepare.mjs`). Killed on drop.
//! - Request validation: Prism checks every request (path and query parameters, body, media
//!   types) against the description. An invalid request is answered 422 (or 400/401/415, or the
//!   operation's own documented 422 with an `sl-violations` header); a path or method GitHub
//!   does not describe for sddgate is 404/405; an `Accept` nothing matches is 406. Prism logs
//!   each of these; [`Prism::violations`] reads them back ("every request sddgate sent was
//!   accepted"), together with responses that do not match GitHub's schema (scripted ones).
//! - [`PrismBuilder::respond`]: script what an operation answers (status, body, headers), still
//!   checked against GitHub's schema for that status when GitHub describes it.
//! - [`webhook_example`]: GitHub's example webhook payloads (`@octokit/webhooks-examples`).
//!
//! Prism behaviours a client must live with (all checked in `tests/prism_smoke.rs`):
//! - Responses are GitHub's documented examples, always the same (ids 1 or 4, login `octocat`,
//!   URLs on `https://api.github.com`): never follow a URL from a response body; build it from
//!   the base URL and the ids.
//! - Prism is stateless: a created comment is not listed afterwards; script the list instead.
//! - No `Link` header: every list is a single page (prepare.mjs removes GitHub's example header,
//!   which points at api.github.com and always says `rel="next"`).
//! - `contents/{path}` matches one path segment: `contents/a/b` is 404, `contents/a%2Fb` matches.
//! - Response `Content-Type` is the negotiated `Accept` type (`application/vnd.github+json`).
//! - GitHub's description declares no security scheme: Prism does not check `Authorization`.
//!
//! `--errors` is not used: in mock mode Prism validates requests with or without it; the flag
//! only turns a response that violates the schema into a 500 (which sddgate would retry) and
//! drops the details from the log, where without it they are logged and reported here.
//!
//! Environment: `SDDGATE_PRISM` (the `prism` executable; default
//! `tests/github-contract/node_modules/.bin/prism`, needs `node` on `PATH`),
//! `SDDGATE_PRISM_DESCRIPTION` (another description, e.g. the whole
//! `generated/api.github.com.prism.json`: 14 s and 600 MB per Prism instead of 1.5 s and 165 MB),
//! `SDDGATE_PRISM_TIMEOUT` (startup deadline in seconds, default 90).
#![allow(dead_code)]

use serde_json::{Value, json};
use std::ffi::OsString;
use std::fmt::Write as _;
use std::fs;
use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

/// `tests/github-contract`: package.json, node_modules, generated descriptions.
pub fn contract_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/github-contract")
}

const INSTALL_HINT: &str = "run `bash .ci/github-contract.sh` at the repository root (installs Prism \
     and GitHub's OpenAPI description with npm into tests/github-contract/node_modules), or set \
     SDDGATE_PRISM to a `prism` executable";

/// The headers a GitHub client sends (fake token: Prism does not check it).
pub const GITHUB_HEADERS: [(&str, &str); 4] = [
    ("Accept", "application/vnd.github+json"),
    ("Authorization", "Bearer ghs_prism0mock0token"),
    ("X-GitHub-Api-Version", "2022-11-28"),
    ("User-Agent", "sddgate-tests"),
];

/// Path prefix of the requests [`Prism::violations`] sends to know the log is complete.
const SYNC_PREFIX: &str = "/__sddgate_prism_sync/";

/// Where `prism` is: `SDDGATE_PRISM` when set and non-empty, else the npm install.
pub fn prism_executable() -> PathBuf {
    locate_prism(
        std::env::var_os("SDDGATE_PRISM"),
        contract_dir().join("node_modules/.bin/prism"),
    )
    .unwrap_or_else(|message| panic!("{message}"))
}

/// [`prism_executable`] without the environment and the panic (tested on its own).
pub fn locate_prism(env: Option<OsString>, default: PathBuf) -> Result<PathBuf, String> {
    match env.filter(|v| !v.is_empty()) {
        Some(path) => {
            let path = PathBuf::from(path);
            if path.is_file() {
                Ok(path)
            } else {
                Err(format!(
                    "SDDGATE_PRISM={} is not a file; {INSTALL_HINT}",
                    path.display()
                ))
            }
        }
        None if default.is_file() => Ok(default),
        None => Err(format!(
            "Prism is not installed ({} is missing); {INSTALL_HINT}",
            default.display()
        )),
    }
}

/// The description Prism serves: `SDDGATE_PRISM_DESCRIPTION`, else the trimmed one.
pub fn description_path() -> PathBuf {
    let path = match std::env::var_os("SDDGATE_PRISM_DESCRIPTION").filter(|v| !v.is_empty()) {
        Some(path) => PathBuf::from(path),
        None => contract_dir().join("generated/sddgate.prism.json"),
    };
    assert!(
        path.is_file(),
        "the OpenAPI description {} is missing; {INSTALL_HINT}",
        path.display()
    );
    path
}

fn startup_timeout() -> Duration {
    let secs = std::env::var("SDDGATE_PRISM_TIMEOUT")
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
        .unwrap_or(90);
    Duration::from_secs(secs)
}

/// One response an operation is scripted to give (see [`PrismBuilder::respond`]).
#[derive(Clone, Debug)]
pub struct Scripted {
    method: String,
    path: String,
    status: u16,
    body: Option<Value>,
    headers: Vec<(String, String)>,
}

/// A Prism to start, possibly with scripted responses.
#[derive(Default)]
pub struct PrismBuilder {
    scripted: Vec<Scripted>,
}

impl PrismBuilder {
    /// From now on `METHOD path` (GitHub's path template, e.g.
    /// `/repos/{owner}/{repo}/issues/{issue_number}/comments`) answers `status` to every valid
    /// request: GitHub's response for that status, with `body` (when given) as its only example.
    /// The body is validated against GitHub's schema for that status (a mismatch is a
    /// [`Prism::violations`] entry); a status GitHub does not describe for the operation (403 on
    /// check runs, 5xx, 429) is served as given, unchecked. Request validation is unchanged.
    pub fn respond(mut self, method: &str, path: &str, status: u16, body: Option<Value>) -> Self {
        self.scripted.push(Scripted {
            method: method.to_ascii_lowercase(),
            path: path.to_string(),
            status,
            body,
            headers: Vec::new(),
        });
        self
    }

    /// Adds a response header to the last [`respond`](Self::respond) (e.g. `Retry-After`).
    pub fn with_header(mut self, name: &str, value: &str) -> Self {
        self.scripted
            .last_mut()
            .expect("with_header follows respond")
            .headers
            .push((name.to_string(), value.to_string()));
        self
    }

    pub fn start(self) -> Prism {
        Prism::launch(&self.scripted)
    }
}

/// A running Prism, killed on drop. Its log (stdout, stderr) and any scripted description live
/// in a temporary directory that goes with it.
pub struct Prism {
    child: Child,
    port: u16,
    dir: tempfile::TempDir,
    description: PathBuf,
    syncs: AtomicU32,
}

impl Drop for Prism {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Prism {
    /// Prism serving GitHub's description as it is. Panics when Prism is not installed, does
    /// not start, or is not ready within `SDDGATE_PRISM_TIMEOUT` seconds (default 90).
    pub fn start() -> Prism {
        PrismBuilder::default().start()
    }

    pub fn builder() -> PrismBuilder {
        PrismBuilder::default()
    }

    fn launch(scripted: &[Scripted]) -> Prism {
        let exe = prism_executable();
        let dir = tempfile::Builder::new()
            .prefix("sddgate-prism-")
            .tempdir()
            .expect("temporary directory for Prism");
        let description = if scripted.is_empty() {
            description_path()
        } else {
            let mut doc = load_json(&description_path());
            for s in scripted {
                apply_script(&mut doc, s);
            }
            let path = dir.path().join("description.json");
            fs::write(&path, serde_json::to_vec(&doc).expect("serialize")).expect("write");
            path
        };

        // The port is free when chosen but not reserved: another process may take it before
        // Prism listens. Prism then exits (with an empty message): try another port.
        let mut attempts = 0;
        loop {
            attempts += 1;
            let port = free_port();
            let mut child = spawn_prism(&exe, &description, port, dir.path());
            match wait_ready(&mut child, port, dir.path()) {
                Ok(()) => {
                    return Prism {
                        child,
                        port,
                        dir,
                        description,
                        syncs: AtomicU32::new(0),
                    };
                }
                Err(Startup::PortTaken) if attempts < 5 => continue,
                Err(startup) => {
                    let _ = child.kill();
                    let _ = child.wait();
                    let what = match startup {
                        Startup::PortTaken => format!("lost port {port} {attempts} times"),
                        Startup::Exited(status) => format!("exited ({status})"),
                        Startup::TimedOut => format!(
                            "was not ready within {:?} (SDDGATE_PRISM_TIMEOUT)",
                            startup_timeout()
                        ),
                    };
                    let stderr =
                        fs::read_to_string(dir.path().join("stderr.log")).unwrap_or_default();
                    panic!(
                        "Prism {what} on 127.0.0.1:{port}, serving {description}\n--- Prism \
                         stdout (last 30 lines):\n{stdout}\n--- Prism stderr (last 30 lines):\n\
                         {stderr}\n(Is it installed? {INSTALL_HINT})",
                        description = description.display(),
                        stdout = tail(&read_log(dir.path()), 30),
                        stderr = tail(&stderr, 30),
                    );
                }
            }
        }
    }

    /// `http://127.0.0.1:PORT`, no trailing slash: what sddgate gets as its GitHub API URL.
    pub fn base_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    fn addr(&self) -> SocketAddr {
        SocketAddr::from((Ipv4Addr::LOCALHOST, self.port))
    }

    /// The description this Prism serves (a scripted copy when [`PrismBuilder::respond`] was used).
    pub fn description(&self) -> &Path {
        &self.description
    }

    /// Prism's log so far (its stdout), as is. Prefer [`requests`](Self::requests) and
    /// [`violations`](Self::violations), which first wait for the log to catch up.
    pub fn log(&self) -> String {
        read_log(self.dir.path())
    }

    /// Every request Prism received, in order, with what it found wrong. Waits until the log
    /// holds every request answered so far. Assumes requests are sequential (sddgate's are): the
    /// log does not say which concurrent request a validation line belongs to.
    pub fn requests(&self) -> Vec<LoggedRequest> {
        self.sync();
        parse_log(&self.log())
            .into_iter()
            .filter(|r| !r.path.starts_with(SYNC_PREFIX))
            .collect()
    }

    /// Every error Prism logged, one line each, `METHOD /path: message`: request validation
    /// failures (`Request body must have required property 'name'`), routes GitHub does not
    /// describe (`...NO_PATH_MATCHED_ERROR` / `NO_METHOD_MATCHED_ERROR`), unacceptable media types
    /// (`...NOT_ACCEPTABLE`) and responses violating GitHub's schema (`Violation: response.body
    /// ...`, scripted ones). Empty: every request was accepted by GitHub's OpenAPI description.
    pub fn violations(&self) -> Vec<String> {
        self.requests()
            .iter()
            .flat_map(|r| {
                r.errors
                    .iter()
                    .map(move |e| format!("{} {}: {e}", r.method, r.path))
            })
            .collect()
    }

    /// Panics listing every violation (and the requests) when there is one.
    pub fn assert_no_violations(&self) {
        let violations = self.violations();
        if violations.is_empty() {
            return;
        }
        let mut message = format!(
            "{} violation(s) of GitHub's OpenAPI description ({}):\n",
            violations.len(),
            self.description.display()
        );
        for v in &violations {
            let _ = writeln!(message, "  - {v}");
        }
        message.push_str("requests received:\n");
        for r in self.requests() {
            let _ = writeln!(message, "  {r}");
        }
        panic!("{message}");
    }

    /// Sends a request that matches nothing and waits until its lines are in the log: every
    /// request answered before it is then logged in full.
    fn sync(&self) {
        let n = self.syncs.fetch_add(1, Ordering::SeqCst);
        let path = format!("{SYNC_PREFIX}{n}");
        let response = self.request("GET", &path, &[], None);
        assert_eq!(response.status, 404, "sync request: {response:?}");
        let marker = format!("get {path} ✖");
        let deadline = Instant::now() + Duration::from_secs(30);
        while !self.log().contains(&marker) {
            assert!(
                Instant::now() < deadline,
                "Prism never logged {path}; log:\n{}",
                tail(&self.log(), 40)
            );
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// One HTTP/1.1 request to Prism (`Connection: close`), e.g.
    /// `prism.request("GET", "/user", &GITHUB_HEADERS, None)`. A body is sent as
    /// `application/json` unless `headers` has a `Content-Type`.
    pub fn request(
        &self,
        method: &str,
        path_and_query: &str,
        headers: &[(&str, &str)],
        body: Option<&str>,
    ) -> HttpResponse {
        http_request(self.addr(), method, path_and_query, headers, body)
    }
}

enum Startup {
    PortTaken,
    Exited(std::process::ExitStatus),
    TimedOut,
}

fn spawn_prism(exe: &Path, description: &Path, port: u16, dir: &Path) -> Child {
    let stdout = fs::File::create(dir.join("stdout.log")).expect("log file");
    let stderr = fs::File::create(dir.join("stderr.log")).expect("log file");
    Command::new(exe)
        .arg("mock")
        .args(["--host", "127.0.0.1", "--port", &port.to_string()])
        // One process: a cluster worker (the default under NODE_ENV=production) would survive
        // the kill on drop.
        .arg("--multiprocess=false")
        .arg(description)
        // Plain log lines, whatever the CI's colour settings.
        .env("FORCE_COLOR", "0")
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(stdout)
        .stderr(stderr)
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {} (needs node on PATH): {e}", exe.display()))
}

/// Ready: Prism logged that it listens on `port` and the port accepts a connection.
fn wait_ready(child: &mut Child, port: u16, dir: &Path) -> Result<(), Startup> {
    let deadline = Instant::now() + startup_timeout();
    let listening = format!("Prism is listening on http://127.0.0.1:{port}");
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    loop {
        if let Some(status) = child.try_wait().expect("try_wait") {
            return Err(if TcpListener::bind(addr).is_err() {
                Startup::PortTaken
            } else {
                Startup::Exited(status)
            });
        }
        if read_log(dir).contains(&listening)
            && TcpStream::connect_timeout(&addr, Duration::from_secs(1)).is_ok()
        {
            return Ok(());
        }
        if Instant::now() > deadline {
            return Err(Startup::TimedOut);
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn read_log(dir: &Path) -> String {
    String::from_utf8_lossy(&fs::read(dir.join("stdout.log")).unwrap_or_default()).into_owned()
}

/// A port nobody listens on now (the kernel's choice, so concurrent test binaries differ).
fn free_port() -> u16 {
    TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .and_then(|l| l.local_addr())
        .expect("bind 127.0.0.1:0")
        .port()
}

fn tail(text: &str, lines: usize) -> String {
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

fn load_json(path: &Path) -> Value {
    let text = fs::read(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    serde_json::from_slice(&text).unwrap_or_else(|e| panic!("parse {}: {e}", path.display()))
}

// ---------------------------------------------------------------------------------------------
// Prism's log

/// One request as Prism logged it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoggedRequest {
    /// Upper case: `POST`.
    pub method: String,
    /// Without the query string (Prism does not log it).
    pub path: String,
    /// The status Prism chose from the description; `None` when Prism answered with its own
    /// error (404/405/406/422... see `errors`).
    pub status: Option<u16>,
    /// Error lines Prism logged for it, without duplicates.
    pub errors: Vec<String>,
}

impl std::fmt::Display for LoggedRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.method, self.path)?;
        if let Some(status) = self.status {
            write!(f, " -> {status}")?;
        }
        for e in &self.errors {
            write!(f, "\n      ✖ {e}")?;
        }
        Ok(())
    }
}

/// Parses Prism 5's human log (its only format). Lines look like
/// `[10:45:15 AM] › [HTTP SERVER] post /repos/o/r/check-runs ℹ  info      Request received`,
/// `[10:45:15 AM] ›     [VALIDATOR] ✖  error     Request body must have required property 'name'`,
/// `[10:45:15 AM] ›     [NEGOTIATOR] ℹ  info      > Responding with "201"`.
pub fn parse_log(log: &str) -> Vec<LoggedRequest> {
    let mut requests: Vec<LoggedRequest> = Vec::new();
    let mut orphans: Vec<String> = Vec::new();
    for raw in log.lines() {
        let line = strip_ansi(raw);
        let Some(start) = line.find("› ") else {
            continue;
        };
        let rest = &line[start + "› ".len()..];
        if let Some(server) = rest.strip_prefix("[HTTP SERVER] ")
            && let Some(at) = server.find(" ℹ  info      Request received")
            && let Some((method, path)) = server[..at].split_once(' ')
        {
            requests.push(LoggedRequest {
                method: method.to_ascii_uppercase(),
                path: path.to_string(),
                status: None,
                errors: Vec::new(),
            });
            continue;
        }
        if let Some(at) = rest.find("> Responding with \"") {
            let code = &rest[at + "> Responding with \"".len()..];
            if let (Some(r), Ok(code)) = (
                requests.last_mut(),
                code.trim_end_matches('"').parse::<u16>(),
            ) {
                r.status = Some(code);
            }
            continue;
        }
        let message = ["✖  error", "✖  fatal"]
            .iter()
            .find_map(|level| rest.find(level).map(|at| rest[at + level.len()..].trim()));
        let Some(message) = message.filter(|m| !m.is_empty()) else {
            continue;
        };
        match requests.last_mut() {
            Some(r) => {
                // The server repeats the validator's lines as `Violation: <location> <message>`.
                let repeated = message
                    .strip_prefix("Violation: ")
                    .and_then(|v| v.split_once(' '))
                    .is_some_and(|(_, m)| r.errors.iter().any(|e| e == m));
                if !repeated && !r.errors.iter().any(|e| e == message) {
                    r.errors.push(message.to_string());
                }
            }
            None => orphans.push(message.to_string()),
        }
    }
    if !orphans.is_empty() {
        requests.insert(
            0,
            LoggedRequest {
                method: "PRISM".into(),
                path: "(startup)".into(),
                status: None,
                errors: orphans,
            },
        );
    }
    requests
}

fn strip_ansi(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            // CSI: ESC [ params final-byte
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Scripted responses and GitHub's documented examples

const JSON_TYPES: [&str; 3] = [
    "application/json",
    "application/vnd.github+json",
    "application/vnd.github.v3+json",
];

fn resolve<'a>(doc: &'a Value, node: &'a Value) -> &'a Value {
    match node.get("$ref").and_then(Value::as_str) {
        Some(pointer) => {
            let target = doc
                .pointer(pointer.trim_start_matches('#'))
                .unwrap_or_else(|| panic!("dangling $ref {pointer}"));
            resolve(doc, target)
        }
        None => node,
    }
}

fn operation<'a>(doc: &'a mut Value, method: &str, path: &str) -> &'a mut Value {
    let found = doc
        .get_mut("paths")
        .and_then(|p| p.get_mut(path))
        .and_then(|item| item.get_mut(method));
    match found {
        Some(op) => op,
        None => panic!(
            "{} {path} is not in the description: sddgate's operations are listed in \
             tests/github-contract/prepare.mjs (SDDGATE_OPERATIONS)",
            method.to_ascii_uppercase()
        ),
    }
}

fn apply_script(doc: &mut Value, s: &Scripted) {
    let documented = {
        let op = operation(doc, &s.method, &s.path).clone();
        op["responses"]
            .get(s.status.to_string())
            .map(|r| resolve(doc, r).clone())
    };
    let mut response = documented.unwrap_or_else(|| {
        json!({ "description": format!("Scripted by the test: GitHub describes no {} here", s.status) })
    });
    if let Some(body) = &s.body {
        let example = json!({ "scripted": { "value": body } });
        match response.get_mut("content").and_then(Value::as_object_mut) {
            Some(content) => {
                for media in content.values_mut() {
                    if let Some(media) = media.as_object_mut() {
                        media.remove("example");
                        media.insert("examples".into(), example.clone());
                    }
                }
            }
            None => {
                let content: serde_json::Map<String, Value> = JSON_TYPES
                    .iter()
                    .map(|t| (t.to_string(), json!({ "examples": example })))
                    .collect();
                response["content"] = Value::Object(content);
            }
        }
    }
    for (name, value) in &s.headers {
        if !response.get("headers").is_some_and(Value::is_object) {
            response["headers"] = json!({});
        }
        response["headers"][name] = json!({ "schema": { "type": "string" }, "example": value });
    }
    let op = operation(doc, &s.method, &s.path);
    op["responses"] = json!({ s.status.to_string(): response });
}

/// GitHub's documented example for `METHOD path` answering `status` (its first example, as
/// Prism serves it): a starting point for [`PrismBuilder::respond`] bodies.
pub fn github_example(method: &str, path: &str, status: u16) -> Value {
    let mut doc = load_json(&description_path());
    let op = operation(&mut doc, &method.to_ascii_lowercase(), path).clone();
    let response = resolve(
        &doc,
        op["responses"]
            .get(status.to_string())
            .unwrap_or_else(|| panic!("GitHub describes no {status} for {method} {path}")),
    );
    let media = &response["content"]["application/json"];
    if let Some(example) = media.get("example") {
        return example.clone();
    }
    let first = media
        .get("examples")
        .and_then(Value::as_object)
        .and_then(|e| e.values().next())
        .unwrap_or_else(|| panic!("no example for {method} {path} {status}"));
    resolve(&doc, first)["value"].clone()
}

// ---------------------------------------------------------------------------------------------
// Webhook payloads

fn webhook_index() -> &'static Value {
    static INDEX: OnceLock<Value> = OnceLock::new();
    INDEX.get_or_init(|| {
        let path = contract_dir()
            .join("node_modules/@octokit/webhooks-examples/api.github.com/index.json");
        assert!(
            path.is_file(),
            "{} is missing; {INSTALL_HINT}",
            path.display()
        );
        load_json(&path)
    })
}

/// Every example payload GitHub's webhook documentation gives for `event` (e.g.
/// `pull_request`), as delivered in `GITHUB_EVENT_PATH`.
pub fn webhook_examples(event: &str) -> Vec<Value> {
    let index = webhook_index().as_array().expect("index.json is an array");
    let entry = index
        .iter()
        .find(|e| e["name"] == event)
        .unwrap_or_else(|| {
            let names: Vec<&str> = index.iter().filter_map(|e| e["name"].as_str()).collect();
            panic!("no webhook event {event:?}; events: {}", names.join(" "))
        });
    entry["examples"]
        .as_array()
        .expect("examples is an array")
        .clone()
}

/// The first example payload of `event` that `pred` accepts, e.g.
/// `webhook_example("pull_request", |p| p["action"] == "synchronize")`.
pub fn webhook_example(event: &str, pred: impl Fn(&Value) -> bool) -> Value {
    let examples = webhook_examples(event);
    match examples.iter().find(|e| pred(e)) {
        Some(example) => example.clone(),
        None => {
            let actions: Vec<String> = examples
                .iter()
                .map(|e| e["action"].as_str().unwrap_or("-").to_string())
                .collect();
            panic!(
                "no {event} example matches; actions available: {}",
                actions.join(" ")
            )
        }
    }
}

/// Turns a `pull_request` payload into one from a fork owned by `fork_owner`:
/// `pull_request.head.repo` becomes a fork (`fork: true`, owner, names and URLs rewritten),
/// `head.user`, `head.label` and `sender` follow; the base and `repository` stay. The webhook
/// examples have no fork pull request (every head repo is the base repo), hence this.
pub fn pull_request_from_fork(payload: &mut Value, fork_owner: &str) {
    let base_repo = payload["pull_request"]["base"]["repo"].clone();
    let base_full = base_repo["full_name"]
        .as_str()
        .expect("pull_request.base.repo.full_name")
        .to_string();
    let (base_owner, name) = base_full.split_once('/').expect("owner/name");
    let fork_full = format!("{fork_owner}/{name}");
    let replacements = [
        (format!("/{base_full}"), format!("/{fork_full}")),
        (
            format!("/users/{base_owner}"),
            format!("/users/{fork_owner}"),
        ),
        (format!("/{base_owner}\""), format!("/{fork_owner}\"")),
    ];
    let mut text = serde_json::to_string(&base_repo).expect("serialize");
    for (from, to) in &replacements {
        text = text.replace(from.as_str(), to.as_str());
    }
    let mut repo: Value = serde_json::from_str(&text).expect("reparse");
    let id = base_repo["id"].as_u64().unwrap_or(1) + 1_000_000;
    let owner_id = base_repo["owner"]["id"].as_u64().unwrap_or(1) + 1_000_000;
    repo["id"] = json!(id);
    repo["node_id"] = json!(format!("R_fork{id}"));
    repo["name"] = json!(name);
    repo["full_name"] = json!(fork_full);
    repo["fork"] = json!(true);
    repo["owner"]["login"] = json!(fork_owner);
    repo["owner"]["id"] = json!(owner_id);
    repo["owner"]["node_id"] = json!(format!("U_fork{owner_id}"));
    let head_ref = payload["pull_request"]["head"]["ref"]
        .as_str()
        .unwrap_or("main")
        .to_string();
    let owner = repo["owner"].clone();
    let head = &mut payload["pull_request"]["head"];
    head["repo"] = repo;
    head["user"] = owner.clone();
    head["label"] = json!(format!("{fork_owner}:{head_ref}"));
    payload["sender"] = owner;
}

// ---------------------------------------------------------------------------------------------
// A small HTTP/1.1 client (no HTTP crate among the dev-dependencies)

/// A response as received.
#[derive(Clone, Debug)]
pub struct HttpResponse {
    pub status: u16,
    /// In order, names as sent.
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl HttpResponse {
    /// The first header named `name` (any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|e| panic!("response body is not JSON ({e}): {}", self.body))
    }
}

pub fn http_request(
    addr: SocketAddr,
    method: &str,
    path_and_query: &str,
    headers: &[(&str, &str)],
    body: Option<&str>,
) -> HttpResponse {
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(10))
        .unwrap_or_else(|e| panic!("connect to {addr}: {e}"));
    stream
        .set_read_timeout(Some(Duration::from_secs(60)))
        .expect("read timeout");
    let mut head =
        format!("{method} {path_and_query} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for (name, value) in headers {
        let _ = write!(head, "{name}: {value}\r\n");
    }
    if let Some(body) = body {
        if !headers
            .iter()
            .any(|(n, _)| n.eq_ignore_ascii_case("content-type"))
        {
            head.push_str("Content-Type: application/json\r\n");
        }
        let _ = write!(head, "Content-Length: {}\r\n", body.len());
    }
    head.push_str("\r\n");
    stream
        .write_all(head.as_bytes())
        .and_then(|()| stream.write_all(body.unwrap_or("").as_bytes()))
        .unwrap_or_else(|e| panic!("send {method} {path_and_query}: {e}"));
    let mut raw = Vec::new();
    stream
        .read_to_end(&mut raw)
        .unwrap_or_else(|e| panic!("read the answer to {method} {path_and_query}: {e}"));
    parse_response(&raw).unwrap_or_else(|| {
        panic!(
            "malformed HTTP response to {method} {path_and_query}: {:?}",
            String::from_utf8_lossy(&raw)
        )
    })
}

fn parse_response(raw: &[u8]) -> Option<HttpResponse> {
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = std::str::from_utf8(&raw[..split]).ok()?;
    let mut body = raw[split + 4..].to_vec();
    let mut lines = head.split("\r\n");
    let status = lines.next()?.split(' ').nth(1)?.parse().ok()?;
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_string(), v.trim().to_string()))
        .collect();
    let header = |name: &str| {
        headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    };
    if header("transfer-encoding").is_some_and(|v| v.eq_ignore_ascii_case("chunked")) {
        body = dechunk(&body)?;
    } else if let Some(len) = header("content-length").and_then(|v| v.parse::<usize>().ok()) {
        body.truncate(len);
    }
    Some(HttpResponse {
        status,
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
    })
}

fn dechunk(mut data: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    loop {
        let eol = data.windows(2).position(|w| w == b"\r\n")?;
        let size_text = std::str::from_utf8(&data[..eol]).ok()?;
        let size = usize::from_str_radix(size_text.split(';').next()?.trim(), 16).ok()?;
        data = &data[eol + 2..];
        if size == 0 {
            return Some(out);
        }
        out.extend_from_slice(data.get(..size)?);
        data = data.get(size + 2..)?;
    }
}
