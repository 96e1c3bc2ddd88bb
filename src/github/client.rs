//! The HTTP side of `sddgate ci`: octocrab on a current-thread tokio runtime (created only by
//! this command), with our own retry policy instead of octocrab's (which repeats a POST at
//! once, and would create a second comment or check run).
//!
//! Retried: transport failures, 500/502/503/504, 429 and 403 rate limits (primary, with
//! `x-ratelimit-remaining: 0`, and secondary). The wait honours `Retry-After` and
//! `x-ratelimit-reset`, else backs off exponentially; all retries share one deadline. A create
//! (POST) whose outcome is unknown — the connection broke or the server failed after the
//! request was sent — is never sent again blindly: the caller's probe first looks for what
//! the first attempt may have made.
//!
//! The token goes only into octocrab's authorization header (marked sensitive); nothing here
//! prints it, and request logs show method, path and status only.

use http::{HeaderMap, HeaderName};
use octocrab::Octocrab;
use serde_json::Value;
use std::cell::RefCell;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
    Patch,
    Delete,
}

impl Method {
    fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Response {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: String,
}

impl Response {
    pub fn ok(&self) -> bool {
        (200..300).contains(&self.status)
    }

    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or(Value::Null)
    }

    /// GitHub's `message` field, for error reports.
    pub fn message(&self) -> String {
        self.json()
            .get("message")
            .and_then(Value::as_str)
            .map(str::to_string)
            .unwrap_or_else(|| self.body.chars().take(200).collect())
    }

    /// A 403 saying the token may not do this (fork PRs, Dependabot: a read-only token).
    pub fn is_read_only(&self) -> bool {
        self.status == 403
            && self
                .message()
                .contains("Resource not accessible by integration")
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// Why a request did not produce a response worth interpreting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// Retries exhausted or deadline reached: the last status (0 = no response) and why.
    GaveUp { status: u16, reason: String },
    /// SIGINT or SIGTERM (what Actions sends on cancel) arrived: the request in flight was
    /// dropped (its outcome is unknown) and no other is sent.
    Interrupted(&'static str),
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failure::GaveUp { status: 0, reason } => write!(f, "{reason}"),
            Failure::GaveUp { status, reason } => write!(f, "HTTP {status}: {reason}"),
            Failure::Interrupted(signal) => write!(f, "interrupted by {signal}"),
        }
    }
}

/// Timing knobs; the defaults suit GitHub, tests shorten them.
#[derive(Debug, Clone)]
pub struct Policy {
    /// All retries of one request must end within this.
    pub deadline: Duration,
    /// Per-request read timeout.
    pub timeout: Duration,
    /// First backoff step (doubles each retry, capped at `max_backoff`).
    pub backoff: Duration,
    pub max_backoff: Duration,
    /// The longest `Retry-After`/`x-ratelimit-reset` wait honoured; longer waits give up.
    pub max_wait: Duration,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            deadline: Duration::from_secs(120),
            timeout: Duration::from_secs(30),
            backoff: Duration::from_secs(1),
            max_backoff: Duration::from_secs(30),
            max_wait: Duration::from_secs(90),
        }
    }
}

impl Policy {
    /// The defaults, adjusted by `SDDGATE_HTTP_TIMEOUT_MS`, `SDDGATE_HTTP_DEADLINE_MS` and
    /// `SDDGATE_HTTP_BACKOFF_MS` (documented tunables; the tests use them).
    pub fn from_env() -> Policy {
        let ms = |name: &str| {
            std::env::var(name)
                .ok()
                .and_then(|v| v.trim().parse::<u64>().ok())
                .map(Duration::from_millis)
        };
        let mut p = Policy::default();
        if let Some(d) = ms("SDDGATE_HTTP_TIMEOUT_MS") {
            p.timeout = d;
        }
        if let Some(d) = ms("SDDGATE_HTTP_DEADLINE_MS") {
            p.deadline = d;
            p.max_wait = p.max_wait.min(d);
        }
        if let Some(d) = ms("SDDGATE_HTTP_BACKOFF_MS") {
            p.backoff = d;
        }
        p
    }
}

/// What a probe found after a create of unknown outcome.
pub type Probe<'a> = &'a dyn Fn(&Client) -> Result<Option<Value>, Failure>;

pub struct Client {
    crab: Octocrab,
    rt: tokio::runtime::Runtime,
    policy: Policy,
    /// `METHOD /path -> status` per attempt, for `--verbose` and the tests.
    log: RefCell<Vec<String>>,
    /// SIGINT and SIGTERM, caught from the client's creation on; `None` where signals cannot
    /// be caught (then they end the process as usual).
    signals: RefCell<Option<Signals>>,
    /// The signal that arrived, once one has: every later request fails at once.
    interrupted: std::cell::Cell<Option<&'static str>>,
}

/// The signals that stop a run: SIGINT and SIGTERM on Unix (Actions cancels with SIGINT,
/// then SIGTERM), Ctrl-C and Ctrl-Break on Windows. Made inside the runtime.
#[cfg(unix)]
struct Signals {
    int: tokio::signal::unix::Signal,
    term: tokio::signal::unix::Signal,
}

#[cfg(unix)]
impl Signals {
    fn new() -> Option<Signals> {
        use tokio::signal::unix::{SignalKind, signal};
        Some(Signals {
            int: signal(SignalKind::interrupt()).ok()?,
            term: signal(SignalKind::terminate()).ok()?,
        })
    }

    async fn recv(&mut self) -> &'static str {
        tokio::select! {
            _ = self.int.recv() => "SIGINT",
            _ = self.term.recv() => "SIGTERM",
        }
    }
}

#[cfg(windows)]
struct Signals {
    c: tokio::signal::windows::CtrlC,
    brk: tokio::signal::windows::CtrlBreak,
}

#[cfg(windows)]
impl Signals {
    fn new() -> Option<Signals> {
        Some(Signals {
            c: tokio::signal::windows::ctrl_c().ok()?,
            brk: tokio::signal::windows::ctrl_break().ok()?,
        })
    }

    // Reported as SIGINT: the exit code (130) is the same a shell gives for Ctrl-C.
    async fn recv(&mut self) -> &'static str {
        tokio::select! {
            _ = self.c.recv() => "SIGINT",
            _ = self.brk.recv() => "SIGINT",
        }
    }
}

#[cfg(not(any(unix, windows)))]
struct Signals;

#[cfg(not(any(unix, windows)))]
impl Signals {
    fn new() -> Option<Signals> {
        None
    }

    async fn recv(&mut self) -> &'static str {
        std::future::pending().await
    }
}

enum Attempt {
    Answered(Response),
    Interrupted(&'static str),
    /// No response: `sent` says whether the request may have reached the server.
    Broken {
        reason: String,
        sent: bool,
    },
}

impl Client {
    pub fn new(api_url: &str, token: &str, policy: Policy) -> Result<Client, String> {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| format!("cannot start the HTTP runtime: {e}"))?;
        let crab = {
            let _guard = rt.enter();
            Octocrab::builder()
                .base_uri(api_url)
                .map_err(|e| format!("GITHUB_API_URL `{api_url}` is not a URL: {e}"))?
                .personal_token(token.to_string())
                .add_header(
                    HeaderName::from_static("accept"),
                    "application/vnd.github+json".to_string(),
                )
                // octocrab sends its own `User-Agent` (GitHub requires one); adding ours
                // would send the header twice.
                .set_connect_timeout(Some(policy.timeout))
                .set_read_timeout(Some(policy.timeout))
                .set_write_timeout(Some(policy.timeout))
                .build()
                .map_err(|e| format!("cannot build the GitHub client: {e}"))?
        };
        let signals = {
            let _guard = rt.enter();
            Signals::new()
        };
        Ok(Client {
            crab,
            rt,
            policy,
            log: RefCell::new(Vec::new()),
            signals: RefCell::new(signals),
            interrupted: std::cell::Cell::new(None),
        })
    }

    pub fn log(&self) -> Vec<String> {
        self.log.borrow().clone()
    }

    /// The signal that interrupted this run, if one arrived (also one that arrived between
    /// requests: it is noticed here without sending anything).
    pub fn interrupted(&self) -> Option<&'static str> {
        if self.interrupted.get().is_none() {
            let now = self.rt.block_on(async {
                tokio::select! {
                    biased;
                    s = self.wait_signal() => Some(s),
                    _ = std::future::ready(()) => None,
                }
            });
            if now.is_some() {
                self.interrupted.set(now);
            }
        }
        self.interrupted.get()
    }

    // The borrow lasts while the future is polled: one `block_on` at a time on this thread,
    // each polling one `wait_signal`, so it is never borrowed twice.
    #[allow(clippy::await_holding_refcell_ref)]
    async fn wait_signal(&self) -> &'static str {
        let mut guard = self.signals.borrow_mut();
        match guard.as_mut() {
            Some(s) => s.recv().await,
            None => std::future::pending().await,
        }
    }

    /// Runs `fut` unless SIGINT/SIGTERM arrives first (or already did).
    fn until_signal<T>(
        &self,
        fut: impl std::future::Future<Output = T>,
    ) -> Result<T, &'static str> {
        if let Some(s) = self.interrupted() {
            return Err(s);
        }
        let out = self.rt.block_on(async {
            tokio::select! {
                biased;
                s = self.wait_signal() => Err(s),
                t = fut => Ok(t),
            }
        });
        if let Err(s) = out {
            self.interrupted.set(Some(s));
        }
        out
    }

    fn attempt(&self, method: Method, path: &str, body: Option<&Value>) -> Attempt {
        let fut = async {
            let resp = match method {
                Method::Get => self.crab._get(path).await,
                Method::Post => self.crab._post(path, body).await,
                Method::Patch => self.crab._patch(path, body).await,
                Method::Delete => self.crab._delete(path, body).await,
            };
            match resp {
                Ok(r) => {
                    let status = r.status().as_u16();
                    let headers = r.headers().clone();
                    match self.crab.body_to_string(r).await {
                        Ok(body) => Attempt::Answered(Response {
                            status,
                            headers,
                            body,
                        }),
                        Err(e) => Attempt::Broken {
                            reason: format!("reading the response failed: {}", short(&e)),
                            sent: true,
                        },
                    }
                }
                Err(e) => {
                    let reason = short(&e);
                    // A connection that was never made cannot have created anything; anything
                    // else (a timeout waiting for the answer, a connection reset) may have.
                    let sent = ![
                        "client error (Connect)",
                        "tcp connect error",
                        "Connection refused",
                        "dns error",
                    ]
                    .iter()
                    .any(|m| reason.contains(m));
                    Attempt::Broken { reason, sent }
                }
            }
        };
        let out = self.until_signal(fut).unwrap_or_else(Attempt::Interrupted);
        let status = match &out {
            Attempt::Answered(r) => r.status.to_string(),
            Attempt::Interrupted(s) => format!("interrupted by {s}"),
            Attempt::Broken { reason, .. } => format!("no response ({reason})"),
        };
        self.log.borrow_mut().push(format!(
            "{} {} -> {status}",
            method.as_str(),
            path_only(path)
        ));
        out
    }

    /// Sends a request that is safe to repeat (GET, PATCH, DELETE), retrying as the policy
    /// allows. Returns the first response that is not retryable (which may be a 4xx).
    pub fn send(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
    ) -> Result<Response, Failure> {
        self.send_inner(method, path, body, None)
    }

    /// Sends a create. When its outcome is unknown, `probe` is asked whether the server made
    /// it before it is sent again; a found object is returned as a 201 response.
    pub fn create(&self, path: &str, body: &Value, probe: Probe<'_>) -> Result<Response, Failure> {
        self.send_inner(Method::Post, path, Some(body), Some(probe))
    }

    /// A PATCH that adds something (annotations of a check run are appended, not replaced):
    /// like [`Client::create`], it is not repeated before `probe` says it did not land.
    pub fn patch_once(
        &self,
        path: &str,
        body: &Value,
        probe: Probe<'_>,
    ) -> Result<Response, Failure> {
        self.send_inner(Method::Patch, path, Some(body), Some(probe))
    }

    fn send_inner(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
        probe: Option<Probe<'_>>,
    ) -> Result<Response, Failure> {
        let start = Instant::now();
        let mut step = self.policy.backoff;
        let mut retries = 0u32;
        loop {
            let outcome = self.attempt(method, path, body);
            let (wait, last_status, reason, ambiguous) = match outcome {
                Attempt::Answered(r) => match retry_wait(&r) {
                    None => return Ok(r),
                    Some(w) => {
                        // A 5xx on a create may have created it; a rate limit rejects first.
                        let ambiguous = r.status >= 500;
                        (w, r.status, r.message(), ambiguous)
                    }
                },
                Attempt::Broken { reason, sent } => (None, 0, reason, sent),
                Attempt::Interrupted(s) => return Err(Failure::Interrupted(s)),
            };
            if ambiguous
                && let Some(probe) = probe
                && let Some(found) = probe(self)?
            {
                return Ok(Response {
                    status: 201,
                    headers: HeaderMap::new(),
                    body: found.to_string(),
                });
            }
            let wait = match wait {
                Some(w) if w > self.policy.max_wait => {
                    return Err(Failure::GaveUp {
                        status: last_status,
                        reason: format!(
                            "{reason} (GitHub asks to wait {}s, longer than sddgate waits)",
                            w.as_secs()
                        ),
                    });
                }
                Some(w) => w,
                None => {
                    let w = step;
                    step = (step * 2).min(self.policy.max_backoff);
                    w
                }
            };
            retries += 1;
            if start.elapsed() + wait > self.policy.deadline {
                return Err(Failure::GaveUp {
                    status: last_status,
                    reason: format!(
                        "{reason} (gave up after {retries} attempt(s) in {:.1}s)",
                        start.elapsed().as_secs_f64()
                    ),
                });
            }
            self.until_signal(async move { tokio::time::sleep(wait).await })
                .map_err(Failure::Interrupted)?;
        }
    }
}

/// `Some(wait)` when the response should be retried: `Some(Some(d))` with GitHub's own wait,
/// `Some(None)` for exponential backoff.
fn retry_wait(r: &Response) -> Option<Option<Duration>> {
    let retry_after = r
        .header("retry-after")
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map(Duration::from_secs);
    let reset = || {
        let at = r.header("x-ratelimit-reset")?.trim().parse::<u64>().ok()?;
        let now = SystemTime::now().duration_since(UNIX_EPOCH).ok()?.as_secs();
        Some(Duration::from_secs(at.saturating_sub(now) + 1))
    };
    let exhausted = r.header("x-ratelimit-remaining") == Some("0");
    match r.status {
        500 | 502 | 503 | 504 => Some(retry_after),
        429 => Some(retry_after.or_else(|| exhausted.then(reset).flatten())),
        403 if retry_after.is_some() => Some(retry_after),
        403 if exhausted => Some(reset()),
        403 if r
            .message()
            .to_ascii_lowercase()
            .contains("secondary rate limit") =>
        {
            Some(None)
        }
        _ => None,
    }
}

fn short(e: &octocrab::Error) -> String {
    use std::error::Error as _;
    let mut s = e.to_string();
    let mut src = e.source();
    while let Some(inner) = src {
        s = format!("{s}: {inner}");
        src = inner.source();
    }
    s.chars().take(300).collect()
}

fn path_only(p: &str) -> &str {
    p.split('?').next().unwrap_or(p)
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    fn resp(status: u16, headers: &[(&'static str, &str)], body: &str) -> Response {
        let mut h = HeaderMap::new();
        for (k, v) in headers {
            h.insert(
                HeaderName::from_static(k),
                HeaderValue::from_str(v).unwrap(),
            );
        }
        Response {
            status,
            headers: h,
            body: body.to_string(),
        }
    }

    #[test]
    fn retry_policy_follows_github() {
        assert_eq!(retry_wait(&resp(502, &[], "")), Some(None));
        assert_eq!(
            retry_wait(&resp(503, &[("retry-after", "7")], "")),
            Some(Some(Duration::from_secs(7)))
        );
        assert_eq!(
            retry_wait(&resp(403, &[("retry-after", "3")], "{\"message\":\"x\"}")),
            Some(Some(Duration::from_secs(3)))
        );
        let sec = resp(
            403,
            &[],
            "{\"message\":\"You have exceeded a secondary rate limit.\"}",
        );
        assert_eq!(retry_wait(&sec), Some(None));
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs();
        let primary = resp(
            403,
            &[
                ("x-ratelimit-remaining", "0"),
                ("x-ratelimit-reset", &(now + 10).to_string()),
            ],
            "{\"message\":\"API rate limit exceeded\"}",
        );
        let w = retry_wait(&primary).unwrap().unwrap();
        assert!(
            w >= Duration::from_secs(9) && w <= Duration::from_secs(12),
            "{w:?}"
        );
        // Not retried: a read-only token, a validation error, not found, success.
        let ro = resp(
            403,
            &[],
            "{\"message\":\"Resource not accessible by integration\"}",
        );
        assert!(ro.is_read_only());
        assert_eq!(retry_wait(&ro), None);
        assert_eq!(retry_wait(&resp(422, &[], "{}")), None);
        assert_eq!(retry_wait(&resp(404, &[], "{}")), None);
        assert_eq!(retry_wait(&resp(201, &[], "{}")), None);
    }
}
