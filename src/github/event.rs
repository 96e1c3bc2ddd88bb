//! The GitHub Actions environment `sddgate ci` runs in: the variables the runner sets, the
//! action's inputs (passed as `SDDGATE_*` variables, never interpolated into scripts), and the
//! pull request of the event payload.

use crate::error::{Error, Result};
use serde_json::Value;
use std::path::PathBuf;

/// What the runner and the action's inputs provide.
#[derive(Debug, Clone)]
pub struct Env {
    pub event_name: String,
    pub event_path: PathBuf,
    /// `owner/name`.
    pub repository: String,
    pub api_url: String,
    pub server_url: String,
    /// Empty when no token was given (then nothing is posted).
    pub token: String,
    pub step_summary: Option<PathBuf>,
    pub output: Option<PathBuf>,
    pub workspace: Option<PathBuf>,
    /// Unique per run attempt, for idempotent creates.
    pub run_key: String,
    pub config: Option<String>,
    pub paths: Vec<String>,
    pub comment: bool,
    pub check_run: bool,
}

fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

fn required(name: &str) -> Result<String> {
    var(name).ok_or_else(|| {
        Error::Usage(format!(
            "`sddgate ci` runs in GitHub Actions: the environment variable {name} is not set \
             (run `sddgate check` outside Actions)"
        ))
    })
}

fn flag(name: &str, default: bool) -> Result<bool> {
    match var(name) {
        None => Ok(default),
        Some(v) => match v.trim().to_ascii_lowercase().as_str() {
            "true" | "1" | "yes" => Ok(true),
            "false" | "0" | "no" => Ok(false),
            other => Err(Error::Usage(format!(
                "{name}=`{other}`: expected `true` or `false` (the action input `{}`)",
                name.trim_start_matches("SDDGATE_")
                    .to_ascii_lowercase()
                    .replace('_', "-")
            ))),
        },
    }
}

impl Env {
    pub fn from_process() -> Result<Env> {
        let repository = required("GITHUB_REPOSITORY")?;
        if repository.split('/').count() != 2 || repository.contains(char::is_whitespace) {
            return Err(Error::Usage(format!(
                "GITHUB_REPOSITORY=`{repository}`: expected `owner/name`"
            )));
        }
        let run_key = format!(
            "{}-{}-{}",
            var("GITHUB_RUN_ID").unwrap_or_else(|| "local".into()),
            var("GITHUB_RUN_ATTEMPT").unwrap_or_else(|| "1".into()),
            std::process::id()
        );
        Ok(Env {
            event_name: required("GITHUB_EVENT_NAME")?,
            event_path: PathBuf::from(required("GITHUB_EVENT_PATH")?),
            repository,
            api_url: var("GITHUB_API_URL").unwrap_or_else(|| "https://api.github.com".into()),
            server_url: var("GITHUB_SERVER_URL").unwrap_or_else(|| "https://github.com".into()),
            token: var("GITHUB_TOKEN").unwrap_or_default(),
            step_summary: var("GITHUB_STEP_SUMMARY").map(PathBuf::from),
            output: var("GITHUB_OUTPUT").map(PathBuf::from),
            workspace: var("GITHUB_WORKSPACE").map(PathBuf::from),
            run_key,
            config: var("SDDGATE_CONFIG"),
            paths: var("SDDGATE_PATHS")
                .map(|p| p.split_whitespace().map(str::to_string).collect())
                .unwrap_or_default(),
            comment: flag("SDDGATE_COMMENT", true)?,
            check_run: flag("SDDGATE_CHECK_RUN", true)?,
        })
    }
}

/// The pull request an event is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PullRequest {
    pub number: u64,
    pub head_sha: String,
    pub base_sha: String,
    pub base_ref: String,
    /// The head branch lives in another repository (a fork): the token is read-only.
    pub from_fork: bool,
}

/// The pull request of a `pull_request`, `pull_request_target` or `pull_request_review`
/// event; `None` for other events. A payload that is not JSON, or a pull request event
/// without the fields GitHub always sends, is an error naming the file and field.
pub fn pull_request(event_name: &str, path: &std::path::Path) -> Result<Option<PullRequest>> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    let shown = path.display().to_string();
    let v: Value = serde_json::from_str(&text).map_err(|e| {
        Error::input(
            &shown,
            e.line() as u32,
            e.column() as u32,
            format!("the event payload is not JSON: {e}"),
        )
    })?;
    if !matches!(
        event_name,
        "pull_request" | "pull_request_target" | "pull_request_review"
    ) {
        return Ok(None);
    }
    let field = |ptr: &str| -> Result<&Value> {
        v.pointer(ptr).ok_or_else(|| {
            Error::input(
                &shown,
                1,
                1,
                format!(
                    "a `{event_name}` event must have `{}`",
                    ptr.trim_start_matches('/').replace('/', ".")
                ),
            )
        })
    };
    let string = |ptr: &str| -> Result<String> {
        field(ptr)?
            .as_str()
            .map(str::to_string)
            .ok_or_else(|| Error::input(&shown, 1, 1, format!("`{ptr}` must be a string")))
    };
    let number = field("/pull_request/number")?
        .as_u64()
        .ok_or_else(|| Error::input(&shown, 1, 1, "`pull_request.number` must be a number"))?;
    let head_sha = string("/pull_request/head/sha")?;
    let base_sha = string("/pull_request/base/sha")?;
    for (name, sha) in [("head", &head_sha), ("base", &base_sha)] {
        if sha.len() < 7 || !sha.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(Error::input(
                &shown,
                1,
                1,
                format!("`pull_request.{name}.sha` is not a commit id: `{sha}`"),
            ));
        }
    }
    let repo_of = |side: &str| {
        v.pointer(&format!("/pull_request/{side}/repo/full_name"))
            .and_then(Value::as_str)
            .map(str::to_string)
    };
    let from_fork = match (repo_of("head"), repo_of("base")) {
        (Some(h), Some(b)) => h != b,
        // A deleted fork leaves `head.repo` null: still not this repository.
        (None, Some(_)) => true,
        _ => false,
    };
    Ok(Some(PullRequest {
        number,
        head_sha,
        base_sha,
        base_ref: string("/pull_request/base/ref")?,
        from_fork,
    }))
}
