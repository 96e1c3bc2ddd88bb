//! Pull requests from forks, the safe way (docs/github.md, "Fork pull requests"): a
//! `workflow_run` workflow from the default branch, in two jobs.
//!
//! - `judge` (read-only token, the pull request checked out as data): `sddgate ci` with
//!   `handoff-to` finds the pull request of the `workflow_run` event ([`pull_request`]), judges it
//!   exactly as for a `pull_request` event, posts nothing and writes the handoff
//!   ([`write_handoff`], format in [`crate::github::handoff`]).
//! - `publish` (write token, no checkout): `sddgate ci` with `publish-from` ([`publish`]) checks
//!   the handoff against its own event and the pull request as it is now, then posts it with the
//!   same code as a `pull_request` run.
//!
//! A child module of `ci`: it uses `ci`'s posting code and its interruption report as they are.

use super::{Judged, Progress, interrupted, post_rendered};
use crate::error::{Error, Result};
use crate::github::api::Api;
use crate::github::client::{Client, Policy};
use crate::github::event::{self, Env, PullRequest, WorkflowRun};
use crate::github::handoff::{self, Handoff};
use serde_json::Value;
use std::io::Write;
use std::path::Path;

fn short(sha: &str) -> &str {
    &sha[..sha.len().min(12)]
}

/// The pull request `sddgate ci` judges: the event's own (`pr`, from a pull request event),
/// else the one a `workflow_run` event's run was for. With `handoff-to` there must be one.
pub(super) fn pull_request(
    env: &Env,
    pr: Option<PullRequest>,
    api: Option<&Api<'_>>,
) -> Result<Option<PullRequest>> {
    let pr = match pr {
        Some(pr) => Some(pr),
        None => match event::workflow_run(&env.event_name, &env.event_path)? {
            Some(run) if is_pull_request_run(&run) => Some(resolve(env, &run, api)?),
            _ => None,
        },
    };
    if pr.is_none()
        && let Some(to) = &env.handoff_to
    {
        return Err(Error::Usage(format!(
            "handoff-to ({}) is for a pull request, and this `{}` event is not one (the judge job runs on `workflow_run` for a pull request run): nothing was judged",
            to.display(),
            env.event_name
        )));
    }
    Ok(pr)
}

/// The finished run was for a pull request (its head is the pull request's head).
fn is_pull_request_run(run: &WorkflowRun) -> bool {
    matches!(run.event.as_str(), "pull_request" | "pull_request_review")
}

/// The pull request of this repository whose head is the run's head commit: the one GitHub
/// lists in the event (it does for a branch of this repository), else the one open pull
/// request from `head_owner:head_branch` whose head is still that commit. None or several is
/// an error: judging or posting for a guess is worse than stopping.
fn resolve(env: &Env, run: &WorkflowRun, api: Option<&Api<'_>>) -> Result<PullRequest> {
    let this = &env.repository;
    let from_fork = run
        .head_repository
        .as_deref()
        .is_none_or(|h| !h.eq_ignore_ascii_case(this));
    let suffix = format!("/repos/{this}").to_ascii_lowercase();
    let listed: Vec<_> = run
        .pull_requests
        .iter()
        .filter(|p| {
            p.head_sha.eq_ignore_ascii_case(&run.head_sha)
                && p.base_repo_url.to_ascii_lowercase().ends_with(&suffix)
        })
        .collect();
    let numbers = |n: &mut dyn Iterator<Item = u64>| {
        n.map(|n| format!("#{n}")).collect::<Vec<_>>().join(", ")
    };
    match listed.as_slice() {
        [one] => {
            return Ok(PullRequest {
                number: one.number,
                head_sha: run.head_sha.clone(),
                base_sha: one.base_sha.clone(),
                base_ref: one.base_ref.clone(),
                from_fork,
            });
        }
        [] => {}
        several => {
            return Err(Error::Usage(format!(
                "{}: the run at {} lists several pull requests of {this} ({}): sddgate judges one at a time; nothing was judged or posted",
                env.event_path.display(),
                short(&run.head_sha),
                numbers(&mut several.iter().map(|p| p.number))
            )));
        }
    }
    let Some(api) = api else {
        return Err(Error::Usage(
            "the `workflow_run` event lists no pull request (GitHub lists none for a fork's): finding it needs a token that may read pull requests (`github-token`, with `pull-requests: read`)".into(),
        ));
    };
    let Some(head_repo) = run.head_repository.as_deref() else {
        return Err(Error::Usage(format!(
            "{}: the run's head repository is gone (a deleted fork): its pull request cannot be found; nothing was judged or posted",
            env.event_path.display()
        )));
    };
    let owner = head_repo.split('/').next().unwrap_or(head_repo);
    let head = format!("{owner}:{}", run.head_branch);
    let pulls = api.open_pulls_from(owner, &run.head_branch).map_err(|e| {
        Error::Usage(format!(
            "cannot list the open pull requests of {this} from {head}: {e}"
        ))
    })?;
    let str_at = |p: &Value, ptr: &str| p.pointer(ptr).and_then(Value::as_str).map(str::to_string);
    let mut found: Vec<PullRequest> = pulls
        .iter()
        .filter(|p| {
            str_at(p, "/head/sha").is_some_and(|s| s.eq_ignore_ascii_case(&run.head_sha))
                && str_at(p, "/base/repo/full_name").is_some_and(|r| r.eq_ignore_ascii_case(this))
        })
        .filter_map(|p| {
            let base_sha = str_at(p, "/base/sha").filter(|s| event::is_commit(s))?;
            Some(PullRequest {
                number: p.get("number")?.as_u64()?,
                head_sha: run.head_sha.clone(),
                base_sha,
                base_ref: str_at(p, "/base/ref")?,
                from_fork,
            })
        })
        .collect();
    match found.len() {
        1 => Ok(found.remove(0)),
        0 => Err(Error::Usage(format!(
            "no open pull request of {this} has the head {head} at {} ({} open from {head}): it was closed, or the branch moved on after the run (the new commit gets its own run); nothing was judged or posted",
            short(&run.head_sha),
            pulls.len()
        ))),
        _ => Err(Error::Usage(format!(
            "several open pull requests of {this} have the head {head} at {} ({}): sddgate cannot tell which one the run was for; nothing was judged or posted",
            short(&run.head_sha),
            numbers(&mut found.iter().map(|p| p.number))
        ))),
    }
}

/// The judge: writes what would have been posted to `env.handoff_to`, checked as the
/// publisher will check it, and says so in `notes`.
pub(super) fn write_handoff(
    env: &Env,
    pr: &PullRequest,
    j: &Judged<'_>,
    notes: &mut Vec<String>,
    exit_code: i32,
) -> Result<()> {
    let Some(path) = &env.handoff_to else {
        return Ok(());
    };
    let (check_run, comment) = super::rendered(env, j, notes);
    let h = Handoff {
        version: handoff::VERSION,
        repository: env.repository.clone(),
        pull_request: pr.number,
        head_sha: pr.head_sha.to_ascii_lowercase(),
        exit_code,
        check_run,
        comment,
    };
    // A handoff the publisher would refuse is refused here, where the cause can be seen.
    h.check().map_err(|(key, message)| {
        Error::Usage(format!(
            "cannot hand off the result of pull request #{} ({key}): {message}",
            pr.number
        ))
    })?;
    handoff::write(path, &h)?;
    notes.push(format!(
        "judged with a read-only token: nothing was posted here; the result of pull request #{} at {} was written to {} for the publish job",
        pr.number,
        short(&pr.head_sha),
        path.display()
    ));
    Ok(())
}

fn refuse(from: &Path, why: String) -> Error {
    Error::Usage(format!("{}: {why}; nothing was posted", from.display()))
}

/// The publisher: reads the handoff in `from`, checks that it is for this repository, this
/// `workflow_run` event's pull request and head commit, and that commit is still the pull
/// request's head (through the API), then posts the check run and the sticky comment.
/// Exit code: the handoff's.
pub(super) fn publish(env: &Env, from: &Path) -> Result<i32> {
    let h = handoff::read(from)?;
    if h.repository != env.repository {
        return Err(refuse(
            from,
            format!(
                "the handoff is for {}, this run is in {}",
                h.repository, env.repository
            ),
        ));
    }
    let run = match event::workflow_run(&env.event_name, &env.event_path)? {
        Some(run) if is_pull_request_run(&run) => run,
        Some(run) => {
            return Err(refuse(
                from,
                format!(
                    "this `workflow_run` event is for a `{}` run, not a pull request's",
                    run.event
                ),
            ));
        }
        None => {
            return Err(refuse(
                from,
                format!(
                    "publish-from runs on the `workflow_run` event of the judged run, not on `{}`",
                    env.event_name
                ),
            ));
        }
    };
    if !run.head_sha.eq_ignore_ascii_case(&h.head_sha) {
        return Err(refuse(
            from,
            format!(
                "the handoff judged commit {}, this `workflow_run` event is for {}",
                short(&h.head_sha),
                short(&run.head_sha)
            ),
        ));
    }
    if env.token.is_empty() {
        return Err(refuse(
            from,
            "publish-from needs a token with `checks: write` and `pull-requests: write` (`github-token`)".into(),
        ));
    }
    let client = Client::new(&env.api_url, &env.token, Policy::from_env()).map_err(Error::Usage)?;
    let api = Api {
        client: &client,
        base: env.api_url.clone(),
        repo: env.repository.clone(),
    };
    let pr = resolve(env, &run, Some(&api))?;
    if pr.number != h.pull_request {
        return Err(refuse(
            from,
            format!(
                "the handoff is for pull request #{}, this `workflow_run` event for #{}",
                h.pull_request, pr.number
            ),
        ));
    }
    let now = api.pull(pr.number).map_err(|e| {
        refuse(
            from,
            format!("cannot read pull request #{} as it is now: {e}", pr.number),
        )
    })?;
    let at = |ptr: &str| now.pointer(ptr).and_then(Value::as_str).unwrap_or("");
    if !at("/base/repo/full_name").eq_ignore_ascii_case(&env.repository) {
        return Err(refuse(
            from,
            format!(
                "pull request #{} is not one of {} (its base is `{}`)",
                pr.number,
                env.repository,
                at("/base/repo/full_name")
            ),
        ));
    }
    if !at("/head/sha").eq_ignore_ascii_case(&h.head_sha) {
        return Err(refuse(
            from,
            format!(
                "pull request #{} is now at {}, the handoff judged {} (a push after the judge ran: the new commit gets its own run)",
                pr.number,
                short(at("/head/sha")),
                short(&h.head_sha)
            ),
        ));
    }

    let mut progress = Progress::default();
    let check = h.check_run.as_ref().filter(|_| env.check_run);
    let comment = h.comment.as_ref().filter(|_| env.comment);
    if let Err(e) = post_rendered(&api, env, &pr, check, comment, &mut progress) {
        if let Some(code) = interrupted(Some(&client), &progress) {
            return Ok(code);
        }
        let hint = if e.is_read_only() {
            " (the token is read-only: the publish job needs `checks: write` and `pull-requests: write`)"
        } else {
            ""
        };
        let _ = writeln!(
            std::io::stderr(),
            "error: posting the handoff {} to GitHub failed: {e}{hint}",
            from.display()
        );
        return Ok(super::super::EXIT_ERROR);
    }
    if let Some(code) = interrupted(Some(&client), &progress) {
        return Ok(code);
    }
    let _ = writeln!(
        std::io::stdout(),
        "::notice title=sddgate::posted the judgement of pull request #{} at {}: {} (exit code {})",
        pr.number,
        short(&h.head_sha),
        h.check_run
            .as_ref()
            .map(|c| c.conclusion.as_str())
            .unwrap_or("no check run"),
        h.exit_code
    );
    Ok(h.exit_code)
}
