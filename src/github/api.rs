//! The GitHub REST operations `sddgate ci` uses, on top of [`Client`]: paginated lists
//! (following `Link: rel="next"`), the sticky comment, the check run, reviews, team
//! membership and a file at the base commit.

use super::client::{Client, Failure, Method, Response};
use serde_json::{Value, json};

/// An API call that did not succeed: the failure, or GitHub's answer.
#[derive(Debug, Clone)]
pub enum ApiError {
    Failed(Failure),
    Status {
        status: u16,
        message: String,
        read_only: bool,
    },
}

impl ApiError {
    pub fn is_read_only(&self) -> bool {
        matches!(
            self,
            ApiError::Status {
                read_only: true,
                ..
            }
        )
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ApiError::Failed(x) => write!(f, "{x}"),
            ApiError::Status {
                status, message, ..
            } => write!(f, "HTTP {status}: {message}"),
        }
    }
}

impl From<Failure> for ApiError {
    fn from(f: Failure) -> Self {
        ApiError::Failed(f)
    }
}

fn expect_ok(r: Response) -> Result<Response, ApiError> {
    if r.ok() {
        Ok(r)
    } else {
        Err(ApiError::Status {
            status: r.status,
            read_only: r.is_read_only(),
            message: r.message(),
        })
    }
}

/// GitHub lists at most 3,000 files of a pull request; 100 per page.
const MAX_PAGES: usize = 100;

/// Lives with the pure rendering code, which builds links with it in the offline build too.
pub use crate::github::render::encode_segment;

/// The `rel="next"` target of a `Link` header, as a path relative to the API base (so that
/// octocrab adds the token, which it sends only to the configured host).
fn next_link(r: &Response, api_base: &str) -> Option<String> {
    let link = r.headers.get("link")?.to_str().ok()?;
    for part in link.split(',') {
        let (url, rel) = part.split_once(';')?;
        if rel.replace(' ', "").contains("rel=\"next\"") {
            let url = url.trim().trim_start_matches('<').trim_end_matches('>');
            // Same host only: a link elsewhere is not followed with our token.
            let rest = url.strip_prefix(api_base.trim_end_matches('/'))?;
            return Some(if rest.starts_with('/') {
                rest.to_string()
            } else {
                format!("/{rest}")
            });
        }
    }
    None
}

pub struct Api<'a> {
    pub client: &'a Client,
    /// `GITHUB_API_URL`, e.g. `https://api.github.com` or `https://ghe.example/api/v3`.
    pub base: String,
    /// `owner/name`.
    pub repo: String,
}

#[derive(Debug, Clone)]
pub struct Comment {
    pub id: u64,
    pub user: String,
    pub body: String,
}

#[derive(Debug, Clone)]
pub struct Review {
    pub user: String,
    pub state: String,
    pub commit_id: String,
}

impl Api<'_> {
    fn get(&self, path: &str) -> Result<Response, ApiError> {
        expect_ok(self.client.send(Method::Get, path, None)?)
    }

    /// Every item of a paginated list.
    fn list(&self, first: &str) -> Result<Vec<Value>, ApiError> {
        let mut out = Vec::new();
        let mut next = Some(first.to_string());
        let mut pages = 0;
        while let Some(path) = next {
            pages += 1;
            if pages > MAX_PAGES {
                break;
            }
            let r = self.get(&path)?;
            match r.json() {
                Value::Array(items) => out.extend(items),
                other => {
                    return Err(ApiError::Status {
                        status: r.status,
                        message: format!("expected a list from {path}, got {}", kind(&other)),
                        read_only: false,
                    });
                }
            }
            next = next_link(&r, &self.base);
        }
        Ok(out)
    }

    /// The login of the token's owner; `None` for an Actions installation token, which may
    /// not read `/user`.
    pub fn whoami(&self) -> Result<Option<String>, ApiError> {
        let r = self.client.send(Method::Get, "/user", None)?;
        if r.status == 403 || r.status == 401 {
            return Ok(None);
        }
        let r = expect_ok(r)?;
        Ok(r.json()
            .get("login")
            .and_then(Value::as_str)
            .map(str::to_string))
    }

    pub fn pr_files(&self, number: u64) -> Result<Vec<String>, ApiError> {
        let items = self.list(&format!(
            "/repos/{}/pulls/{number}/files?per_page=100",
            self.repo
        ))?;
        let mut files = Vec::new();
        for f in items {
            if let Some(name) = f.get("filename").and_then(Value::as_str) {
                files.push(name.to_string());
            }
            // A rename changes the old path too.
            if let Some(prev) = f.get("previous_filename").and_then(Value::as_str) {
                files.push(prev.to_string());
            }
        }
        Ok(files)
    }

    /// The open pull requests whose head is `head_owner:head_branch` (a fork's branch is
    /// named by its owner), as GitHub returns them.
    pub fn open_pulls_from(
        &self,
        head_owner: &str,
        head_branch: &str,
    ) -> Result<Vec<Value>, ApiError> {
        self.list(&format!(
            "/repos/{}/pulls?state=open&head={}&per_page=100",
            self.repo,
            encode_segment(&format!("{head_owner}:{head_branch}"))
        ))
    }

    /// One pull request, as it is now.
    pub fn pull(&self, number: u64) -> Result<Value, ApiError> {
        let r = self.get(&format!("/repos/{}/pulls/{number}", self.repo))?;
        match r.json() {
            v @ Value::Object(_) => Ok(v),
            other => Err(ApiError::Status {
                status: r.status,
                message: format!("expected pull request #{number}, got {}", kind(&other)),
                read_only: false,
            }),
        }
    }

    pub fn comments(&self, number: u64) -> Result<Vec<Comment>, ApiError> {
        let items = self.list(&format!(
            "/repos/{}/issues/{number}/comments?per_page=100",
            self.repo
        ))?;
        Ok(items
            .iter()
            .filter_map(|c| {
                Some(Comment {
                    id: c.get("id")?.as_u64()?,
                    user: c.get("user")?.get("login")?.as_str()?.to_string(),
                    body: c
                        .get("body")
                        .and_then(Value::as_str)
                        .unwrap_or("")
                        .to_string(),
                })
            })
            .collect())
    }

    /// Creates a comment; `nonce` (hidden in the body) lets a retry find it if the first
    /// attempt was made but its answer lost.
    pub fn create_comment(&self, number: u64, body: &str, nonce: &str) -> Result<u64, ApiError> {
        let path = format!("/repos/{}/issues/{number}/comments", self.repo);
        let probe = |_: &Client| -> Result<Option<Value>, Failure> {
            match self.comments(number) {
                Ok(list) => Ok(list
                    .into_iter()
                    .find(|c| c.body.contains(nonce))
                    .map(|c| json!({ "id": c.id }))),
                Err(ApiError::Failed(f)) => Err(f),
                Err(_) => Ok(None),
            }
        };
        let r = expect_ok(
            self.client
                .create(&path, &json!({ "body": body }), &probe)?,
        )?;
        id_of(&r)
    }

    pub fn update_comment(&self, id: u64, body: &str) -> Result<(), ApiError> {
        // PATCH, as GitHub documents (octocrab's `update_comment` sends POST).
        let path = format!("/repos/{}/issues/comments/{id}", self.repo);
        expect_ok(
            self.client
                .send(Method::Patch, &path, Some(&json!({ "body": body })))?,
        )
        .map(drop)
    }

    pub fn delete_comment(&self, id: u64) -> Result<(), ApiError> {
        let path = format!("/repos/{}/issues/comments/{id}", self.repo);
        let r = self.client.send(Method::Delete, &path, None)?;
        // Already gone is as good as deleted.
        if r.status == 404 {
            return Ok(());
        }
        expect_ok(r).map(drop)
    }

    /// Creates a check run; its `external_id` lets a retry find it.
    pub fn create_check_run(&self, body: &Value, head_sha: &str) -> Result<u64, ApiError> {
        let path = format!("/repos/{}/check-runs", self.repo);
        let external = body
            .get("external_id")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        let name = body.get("name").and_then(Value::as_str).unwrap_or("");
        let probe = |_: &Client| -> Result<Option<Value>, Failure> {
            let list = format!(
                "/repos/{}/commits/{head_sha}/check-runs?check_name={}&per_page=100",
                self.repo,
                encode_segment(name)
            );
            match self.get(&list) {
                Ok(r) => Ok(r
                    .json()
                    .get("check_runs")
                    .and_then(Value::as_array)
                    .and_then(|runs| {
                        runs.iter()
                            .find(|c| {
                                c.get("external_id").and_then(Value::as_str)
                                    == Some(external.as_str())
                            })
                            .cloned()
                    })),
                Err(ApiError::Failed(f)) => Err(f),
                Err(_) => Ok(None),
            }
        };
        let r = expect_ok(self.client.create(&path, body, &probe)?)?;
        id_of(&r)
    }

    /// Updates a check run. GitHub appends the annotations of each update, so an update whose
    /// answer was lost is not sent again when the run already has `annotations_after`.
    pub fn update_check_run(
        &self,
        id: u64,
        body: &Value,
        annotations_after: usize,
    ) -> Result<(), ApiError> {
        let path = format!("/repos/{}/check-runs/{id}", self.repo);
        let probe = |_: &Client| -> Result<Option<Value>, Failure> {
            match self.get(&path) {
                Ok(r) => {
                    let run = r.json();
                    let count = run
                        .pointer("/output/annotations_count")
                        .and_then(Value::as_u64)
                        .unwrap_or(0);
                    Ok((count as usize >= annotations_after).then_some(run))
                }
                Err(ApiError::Failed(f)) => Err(f),
                Err(_) => Ok(None),
            }
        };
        expect_ok(self.client.patch_once(&path, body, &probe)?).map(drop)
    }

    pub fn reviews(&self, number: u64) -> Result<Vec<Review>, ApiError> {
        let items = self.list(&format!(
            "/repos/{}/pulls/{number}/reviews?per_page=100",
            self.repo
        ))?;
        Ok(items
            .iter()
            .filter_map(|r| {
                Some(Review {
                    user: r.get("user")?.get("login")?.as_str()?.to_string(),
                    state: r.get("state")?.as_str()?.to_string(),
                    commit_id: r
                        .get("commit_id")
                        .and_then(Value::as_str)
                        .unwrap_or("")
                        .to_string(),
                })
            })
            .collect())
    }

    /// Whether `user` is an active member of `org/team`.
    pub fn team_member(&self, org: &str, team: &str, user: &str) -> Result<bool, ApiError> {
        let path = format!(
            "/orgs/{}/teams/{}/memberships/{}",
            encode_segment(org),
            encode_segment(team),
            encode_segment(user)
        );
        let r = self.client.send(Method::Get, &path, None)?;
        if r.status == 404 {
            return Ok(false);
        }
        let r = expect_ok(r)?;
        Ok(r.json().get("state").and_then(Value::as_str) == Some("active"))
    }

    /// A file's text at `reference`, `None` when it does not exist there.
    pub fn file_at(&self, path: &str, reference: &str) -> Result<Option<String>, ApiError> {
        let url = format!(
            "/repos/{}/contents/{}?ref={}",
            self.repo,
            encode_segment(path),
            encode_segment(reference)
        );
        let r = self.client.send(Method::Get, &url, None)?;
        if r.status == 404 {
            return Ok(None);
        }
        let r = expect_ok(r)?;
        let v = r.json();
        let content = v.get("content").and_then(Value::as_str).unwrap_or("");
        let bytes = decode_base64(content).ok_or_else(|| ApiError::Status {
            status: r.status,
            message: format!("the contents of {path} at {reference} are not base64"),
            read_only: false,
        })?;
        String::from_utf8(bytes)
            .map(Some)
            .map_err(|_| ApiError::Status {
                status: r.status,
                message: format!("{path} at {reference} is not UTF-8"),
                read_only: false,
            })
    }
}

fn id_of(r: &Response) -> Result<u64, ApiError> {
    r.json()
        .get("id")
        .and_then(Value::as_u64)
        .ok_or_else(|| ApiError::Status {
            status: r.status,
            message: "the response has no `id`".into(),
            read_only: false,
        })
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "nothing",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

/// Standard base64 with GitHub's line breaks.
pub fn decode_base64(s: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let mut acc = 0u32;
    let mut bits = 0;
    for c in s.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            b'=' | b'\n' | b'\r' | b' ' => continue,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::{HeaderMap, HeaderValue};

    #[test]
    fn base64_and_segments() {
        assert_eq!(decode_base64("aGVs\nbG8=").unwrap(), b"hello");
        assert_eq!(decode_base64("").unwrap(), b"");
        assert!(decode_base64("a*b").is_none());
        assert_eq!(encode_segment("specs/a b.yml"), "specs%2Fa%20b.yml");
    }

    #[test]
    fn next_link_stays_on_the_api_host() {
        let mut h = HeaderMap::new();
        h.insert(
            "link",
            HeaderValue::from_static(
                "<https://ghe.example/api/v3/repos/o/r/issues/1/comments?page=2>; rel=\"next\", <https://ghe.example/api/v3/repos/o/r/issues/1/comments?page=5>; rel=\"last\"",
            ),
        );
        let r = Response {
            status: 200,
            headers: h,
            body: "[]".into(),
        };
        assert_eq!(
            next_link(&r, "https://ghe.example/api/v3").as_deref(),
            Some("/repos/o/r/issues/1/comments?page=2")
        );
        assert_eq!(next_link(&r, "https://elsewhere.example"), None);
    }
}
