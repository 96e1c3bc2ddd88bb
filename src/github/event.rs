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
    /// `handoff-to`: judge only, and write what would be posted to this file (the fork
    /// workflow's `judge` job).
    pub handoff_to: Option<PathBuf>,
    /// `publish-from`: judge nothing, post the handoff in this file (the `publish` job).
    pub publish_from: Option<PathBuf>,
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
        let handoff_to = var("SDDGATE_HANDOFF_TO").map(PathBuf::from);
        let publish_from = var("SDDGATE_PUBLISH_FROM").map(PathBuf::from);
        if handoff_to.is_some() && publish_from.is_some() {
            return Err(Error::Usage(
                "SDDGATE_HANDOFF_TO and SDDGATE_PUBLISH_FROM are both set: the action inputs `handoff-to` (the judge job) and `publish-from` (the publish job) belong to different jobs".into(),
            ));
        }
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
            handoff_to,
            publish_from,
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

/// GitHub caps webhook payloads at 25 MB: a larger event file is not one GitHub wrote.
const MAX_EVENT_SIZE: u64 = 25 * 1024 * 1024;

/// The event payload, within [`MAX_EVENT_SIZE`], as UTF-8.
fn read_payload(path: &std::path::Path) -> Result<String> {
    let shown = path.display().to_string();
    let bytes = crate::repo::read_bounded(path, &shown, MAX_EVENT_SIZE)?;
    String::from_utf8(bytes).map_err(|e| {
        Error::input(
            &shown,
            1,
            1,
            format!(
                "the event payload is not UTF-8 (byte {})",
                e.utf8_error().valid_up_to()
            ),
        )
    })
}

/// The pull request of a `pull_request`, `pull_request_target` or `pull_request_review`
/// event; `None` for other events. A payload that is not JSON, or a pull request event
/// without the fields GitHub always sends, is an error naming the file and field.
pub fn pull_request(event_name: &str, path: &std::path::Path) -> Result<Option<PullRequest>> {
    let text = read_payload(path)?;
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

/// The `workflow_run` event: the run that finished and the pull request it was for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkflowRun {
    /// The event that triggered the finished run (`pull_request`, `push`, …).
    pub event: String,
    pub head_sha: String,
    pub head_branch: String,
    /// `owner/name` of the head repository (the fork); `None` when it was deleted.
    pub head_repository: Option<String>,
    /// The pull requests GitHub attached to the run (none for a fork's).
    pub pull_requests: Vec<RunPull>,
}

/// One entry of `workflow_run.pull_requests`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunPull {
    pub number: u64,
    pub head_sha: String,
    pub base_sha: String,
    pub base_ref: String,
    /// `base.repo.url`: the API URL of the repository the pull request is in.
    pub base_repo_url: String,
}

/// A full commit id, or a short one of at least 7 hex digits.
pub fn is_commit(s: &str) -> bool {
    s.len() >= 7 && s.len() <= 64 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// The run of a `workflow_run` event; `None` for other events. Fields GitHub always sends are
/// required, with an error naming the file and the field.
pub fn workflow_run(event_name: &str, path: &std::path::Path) -> Result<Option<WorkflowRun>> {
    if event_name != "workflow_run" {
        return Ok(None);
    }
    let text = read_payload(path)?;
    let shown = path.display().to_string();
    let v: Value = serde_json::from_str(&text).map_err(|e| {
        Error::input(
            &shown,
            e.line() as u32,
            e.column() as u32,
            format!("the event payload is not JSON: {e}"),
        )
    })?;
    let bad = |what: String| Error::input(&shown, 1, 1, what);
    let string = |v: &Value, ptr: &str| -> Result<String> {
        v.pointer(ptr)
            .and_then(Value::as_str)
            .map(str::to_string)
            .ok_or_else(|| {
                bad(format!(
                    "a `workflow_run` event must have the string `{}`",
                    ptr.trim_start_matches('/').replace('/', ".")
                ))
            })
    };
    let head_sha = string(&v, "/workflow_run/head_sha")?;
    if !is_commit(&head_sha) {
        return Err(bad(format!(
            "`workflow_run.head_sha` is not a commit id: `{head_sha}`"
        )));
    }
    let mut pull_requests = Vec::new();
    if let Some(list) = v.pointer("/workflow_run/pull_requests") {
        let list = list
            .as_array()
            .ok_or_else(|| bad("`workflow_run.pull_requests` must be a list".into()))?;
        for (i, p) in list.iter().enumerate() {
            let at = |f: &str| format!("/workflow_run/pull_requests/{i}/{f}");
            let number = p.get("number").and_then(Value::as_u64).ok_or_else(|| {
                bad(format!(
                    "`workflow_run.pull_requests.{i}.number` must be a number"
                ))
            })?;
            let run = RunPull {
                number,
                head_sha: string(&v, &at("head/sha"))?,
                base_sha: string(&v, &at("base/sha"))?,
                base_ref: string(&v, &at("base/ref"))?,
                base_repo_url: string(&v, &at("base/repo/url"))?,
            };
            if !is_commit(&run.head_sha) || !is_commit(&run.base_sha) {
                return Err(bad(format!(
                    "`workflow_run.pull_requests.{i}`: head.sha and base.sha must be commit ids"
                )));
            }
            pull_requests.push(run);
        }
    }
    Ok(Some(WorkflowRun {
        event: string(&v, "/workflow_run/event")?,
        head_sha,
        head_branch: string(&v, "/workflow_run/head_branch")?,
        head_repository: v
            .pointer("/workflow_run/head_repository/full_name")
            .and_then(Value::as_str)
            .map(str::to_string),
        pull_requests,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Option<WorkflowRun>> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("event.json");
        std::fs::write(&path, text).unwrap();
        workflow_run("workflow_run", &path)
    }

    #[test]
    fn a_workflow_run_event_needs_its_head_and_well_formed_pull_requests() {
        let sha = "ec26c3e57ca3a959ca5aad62de7213c562f8c821";
        let ok = format!(
            r#"{{"workflow_run": {{"event": "pull_request", "head_sha": "{sha}", "head_branch": "b",
               "head_repository": {{"full_name": "o/r"}}, "pull_requests": []}}}}"#
        );
        let run = parse(&ok).unwrap().unwrap();
        assert_eq!(run.head_repository.as_deref(), Some("o/r"));
        assert!(run.pull_requests.is_empty());

        let e = parse(&ok.replace(sha, "HEAD; rm -rf /"))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("event.json:1:1") && e.contains("head_sha"),
            "{e}"
        );
        let e = parse(r#"{"workflow_run": {"event": "pull_request"}}"#)
            .unwrap_err()
            .to_string();
        assert!(e.contains("workflow_run.head_sha"), "{e}");
        let e = parse(&ok.replace("[]", r#"[{"number": "2"}]"#))
            .unwrap_err()
            .to_string();
        assert!(e.contains("pull_requests.0.number"), "{e}");
        let e = parse("{\n\"workflow_run\": ").unwrap_err().to_string();
        assert!(e.contains("event.json:2:") && e.contains("not JSON"), "{e}");

        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("push.json");
        std::fs::write(&path, "not even json").unwrap();
        assert_eq!(workflow_run("push", &path).unwrap(), None);
    }
}
