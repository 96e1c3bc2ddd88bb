//! `sddgate ci`: the GitHub Action. Gates the incidents a pull request touches with the config
//! of its base commit, then reports everywhere GitHub shows results: workflow-command
//! annotations, step outputs and the job summary (these work with any token, fork PRs
//! included), then one check run and one sticky PR comment (these need a token that may write).

use crate::config::{CONFIG_NAMES, Config};
use crate::discover;
use crate::error::{Error, Result};
use crate::github::api::{Api, ApiError};
use crate::github::client::{Client, Policy};
use crate::github::event::{self, Env, PullRequest};
use crate::github::handoff;
use crate::github::render::{self, Approval, Links};
use crate::github::workflow;
use crate::model::Decision;
use crate::report::Report;
use serde_json::json;
use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

/// GitHub accepts at most this many annotations per check-run request.
const ANNOTATIONS_PER_REQUEST: usize = 50;
/// The check run's name: the required status check users configure.
const CHECK_NAME: &str = "sddgate";
/// Whose comment is ours when the token cannot read `/user` (an Actions installation token).
const ACTIONS_BOT: &str = "github-actions[bot]";

mod fork;

pub fn run(explicit_config: Option<&Path>) -> Result<i32> {
    let env = Env::from_process()?;
    if let Some(from) = &env.publish_from {
        return fork::publish(&env, from);
    }
    let cwd = match &env.workspace {
        Some(w) => w.clone(),
        None => std::env::current_dir().map_err(|e| Error::io(".", e))?,
    };
    let root = crate::config::find_root(&cwd);
    let pr = event::pull_request(&env.event_name, &env.event_path)?;
    let client = if env.token.is_empty() {
        None
    } else {
        Some(Client::new(&env.api_url, &env.token, Policy::from_env()).map_err(Error::Usage)?)
    };
    let api = client.as_ref().map(|c| Api {
        client: c,
        base: env.api_url.clone(),
        repo: env.repository.clone(),
    });
    let pr = fork::pull_request(&env, pr, api.as_ref())?;
    let mut notes: Vec<String> = Vec::new();
    let config_arg = explicit_config
        .map(|p| p.to_string_lossy().into_owned())
        .or_else(|| env.config.clone());

    let stopped = |progress: &Progress| interrupted(client.as_ref(), progress);
    let mut progress = Progress::default();

    let (config, changed) = match &pr {
        Some(pr) => {
            let config = base_config(&root, config_arg.as_deref(), pr, api.as_ref(), &mut notes)?;
            let changed = changed_files(&root, pr, api.as_ref(), &mut notes)?;
            (config, Some(changed))
        }
        None => {
            notes.push(format!(
                "`{}` is not a pull request event: every incident is gated, and no check run or comment is posted",
                env.event_name
            ));
            (
                Config::discover(&root, config_arg.as_deref().map(Path::new))?,
                None,
            )
        }
    };
    if let Some(code) = stopped(&progress) {
        return Ok(code);
    }
    let paths: Vec<PathBuf> = env.paths.iter().map(PathBuf::from).collect();
    let found = discover::discover(&config, &paths)?;
    let report = super::check::judge(&config, &found, changed, !paths.is_empty(), "ci");

    // Approval of a semi-manual decision: an approving review at the head SHA by an approver.
    let mut approval = Approval {
        approved_by: Vec::new(),
        approvers_configured: !config.approvers.is_empty(),
    };
    if report.decision == Some(Decision::SemiManual)
        && let (Some(pr), Some(api)) = (&pr, &api)
    {
        match approvals(api, pr, &config.approvers) {
            Ok(who) => approval.approved_by = who,
            Err(e) => notes.push(format!(
                "could not read the reviews or team membership, so no approval counts: {e}"
            )),
        }
    }

    if let Some(code) = stopped(&progress) {
        return Ok(code);
    }
    let sha = pr
        .as_ref()
        .map(|p| p.head_sha.clone())
        .or_else(|| std::env::var("GITHUB_SHA").ok())
        .unwrap_or_default();
    let links = Links {
        server_url: env.server_url.clone(),
        repo: env.repository.clone(),
        sha,
    };
    let annotations = render::annotations(&report);
    let chains = chains(&config, &report);

    // What works with any token: the log, annotations through workflow commands, outputs.
    let _ = super::emit(&report, &config, crate::cli::Format::Human);
    {
        let mut out = std::io::stdout().lock();
        for a in &annotations {
            let _ = writeln!(out, "{}", workflow::annotation_command(a));
        }
    }
    if let Some(path) = &env.output {
        write_outputs(path, &report, &approval).map_err(|e| Error::io(path, e))?;
    }

    // What needs a token that may write.
    let mut post_error = None;
    match (&pr, &api) {
        (Some(pr), _) if env.handoff_to.is_some() => fork::write_handoff(
            &env,
            pr,
            &Judged {
                report: &report,
                links: &links,
                approval: &approval,
                annotations: &annotations,
                chains: &chains,
            },
            &mut notes,
            render::exit_code(&report, &approval),
        )?,
        (Some(pr), Some(_)) if pr.from_fork => {
            notes.push(
                "this pull request comes from a fork: its token is read-only, so no check run or comment was posted; the annotations, this summary and the job's exit code carry the result".into(),
            );
        }
        (Some(pr), Some(api)) => {
            if let Err(e) = post(
                api,
                &env,
                pr,
                &Judged {
                    report: &report,
                    links: &links,
                    approval: &approval,
                    annotations: &annotations,
                    chains: &chains,
                },
                &notes,
                &mut progress,
            ) {
                if let Some(code) = stopped(&progress) {
                    return Ok(code);
                }
                if e.is_read_only() {
                    notes.push(
                        "the token is read-only (Resource not accessible by integration: a fork or Dependabot pull request, or missing `checks: write`/`pull-requests: write`): nothing more was posted; the annotations, this summary and the job's exit code carry the result".into(),
                    );
                } else {
                    post_error = Some(e);
                }
            }
        }
        (Some(_), None) => notes.push(
            "no GitHub token: no check run or comment was posted (the action passes `github-token`, by default the workflow token)".into(),
        ),
        _ => {}
    }
    {
        // Not `println!`: it panics when stdout is a closed pipe.
        let mut out = std::io::stdout().lock();
        for n in &notes {
            let _ = writeln!(out, "::notice title=sddgate::{}", workflow::escape_data(n));
        }
    }
    if let Some(path) = &env.step_summary {
        let summary = render::job_summary(&report, &links, &approval, &notes, &chains);
        workflow::append_summary(path, &summary).map_err(|e| Error::io(path, e))?;
    }
    if let Some(code) = stopped(&progress) {
        return Ok(code);
    }
    if let Some(e) = post_error {
        let _ = writeln!(
            std::io::stderr(),
            "error: posting the result to GitHub failed: {e}"
        );
        return Ok(super::EXIT_ERROR);
    }
    Ok(render::exit_code(&report, &approval))
}

/// What has been posted so far, for the message of an interrupted run.
#[derive(Default)]
struct Progress {
    check_run: Step,
    comment: Step,
}

#[derive(Default, Clone, Copy, PartialEq)]
enum Step {
    #[default]
    NotStarted,
    /// Sent, answer not seen: it may exist. A re-run finds it (by `external_id`, by marker).
    InFlight,
    /// Created; `annotations` batches of `of` sent.
    Done { batches: usize, of: usize },
}

impl Step {
    fn describe(self, what: &str, made: &str) -> String {
        match self {
            Step::NotStarted => format!("{what} not {made}"),
            Step::InFlight => format!("{what} may have been {made} (its answer never came)"),
            Step::Done { batches, of } if batches < of => {
                format!("{what} {made}, {batches} of {of} annotation batches sent")
            }
            Step::Done { .. } => format!("{what} {made}"),
        }
    }
}

/// SIGINT/SIGTERM after the client was made (before, it ends the process as usual): one line
/// saying what was posted, and exit 130 (SIGINT) or 143 (SIGTERM), as a shell reports them.
fn interrupted(client: Option<&Client>, progress: &Progress) -> Option<i32> {
    let signal = client?.interrupted()?;
    let _ = writeln!(
        std::io::stderr(),
        "error: interrupted by {signal}: {}, {}; a re-run updates what was posted and adds no second comment",
        progress.check_run.describe("check run", "created"),
        progress.comment.describe("comment", "posted"),
    );
    Some(if signal == "SIGTERM" { 143 } else { 130 })
}

/// The audit chain of every incident judged (webhook → … → validate), for the comment.
fn chains(config: &Config, report: &Report) -> Vec<crate::trace::Chain> {
    let Ok(Some(sources)) = crate::gate::load_trace(config) else {
        return Vec::new();
    };
    report
        .incidents
        .iter()
        .filter_map(|i| {
            let id = i.incident_id.as_deref()?;
            let specs: Vec<String> = i.spec.iter().cloned().collect();
            Some(sources.chain(id, &specs, false))
        })
        .collect()
}

fn write_outputs(path: &Path, report: &Report, approval: &Approval) -> std::io::Result<()> {
    workflow::append_output(path, "decision", render::decision_word(report, approval))?;
    let score = report
        .incidents
        .iter()
        .filter_map(|i| i.gate.as_ref())
        .min_by_key(|g| g.verified_total)
        .map(|g| format!("{}/{}", g.verified_total, g.max_total))
        .unwrap_or_default();
    workflow::append_output(path, "score", &score)?;
    let ids: BTreeSet<&str> = report
        .incidents
        .iter()
        .filter_map(|i| i.incident_id.as_deref())
        .collect();
    workflow::append_output(
        path,
        "incident-ids",
        &ids.into_iter().collect::<Vec<_>>().join(","),
    )
}

/// The config of the base commit: from the local clone when it has the commit, else from the
/// API. A pull request cannot lower its own bar: its own config change is not used.
fn base_config(
    root: &Path,
    explicit: Option<&str>,
    pr: &PullRequest,
    api: Option<&Api<'_>>,
    notes: &mut Vec<String>,
) -> Result<Config> {
    let names: Vec<String> = match explicit {
        Some(p) => vec![p.trim_start_matches("./").to_string()],
        None => CONFIG_NAMES.iter().map(|s| s.to_string()).collect(),
    };
    for name in &names {
        let text = match git_show(root, &pr.base_sha, name) {
            GitFile::Found(t) => Some(t),
            GitFile::Absent => None,
            GitFile::Unknown => match api {
                Some(api) => api.file_at(name, &pr.base_sha).map_err(|e| {
                    Error::Usage(format!(
                        "cannot read {name} at the base commit {} (the gate uses the base branch's config): {e}",
                        short(&pr.base_sha)
                    ))
                })?,
                None => {
                    return Err(Error::Usage(format!(
                        "cannot read {name} at the base commit {}: the clone does not have it and there is no token; check out with `fetch-depth: 0` or pass `github-token`",
                        short(&pr.base_sha)
                    )));
                }
            },
        };
        if let Some(text) = text {
            let local = crate::repo::read_bounded(
                &root.join(name),
                name,
                crate::config::DEFAULT_MAX_FILE_SIZE,
            )
            .ok()
            .and_then(|b| String::from_utf8(b).ok());
            if local.as_deref().is_some_and(|l| l != text) {
                notes.push(format!(
                    "this pull request changes {name}: the gate used the base branch's version ({}); the change takes effect once merged",
                    short(&pr.base_sha)
                ));
            }
            return Config::from_text(root.to_path_buf(), Some(root.join(name)), &text);
        }
    }
    if let Some(name) = names.iter().find(|n| root.join(n.as_str()).is_file()) {
        notes.push(format!(
            "this pull request adds {name}: the gate used the defaults, as the base branch has no config; it takes effect once merged"
        ));
    }
    if explicit.is_some() {
        return Err(Error::Usage(format!(
            "the config {} does not exist at the base commit {}",
            names[0],
            short(&pr.base_sha)
        )));
    }
    Config::from_text(root.to_path_buf(), None, "")
}

enum GitFile {
    Found(String),
    Absent,
    /// No git, or the clone lacks the commit.
    Unknown,
}

fn git_show(root: &Path, sha: &str, path: &str) -> GitFile {
    let has_commit = Command::new("git")
        .arg("-C")
        .arg(root)
        .args(["cat-file", "-e", &format!("{sha}^{{commit}}")])
        .output()
        .is_ok_and(|o| o.status.success());
    if !has_commit {
        return GitFile::Unknown;
    }
    match Command::new("git")
        .arg("-C")
        .arg(root)
        .args(["cat-file", "blob", &format!("{sha}:{path}")])
        .output()
    {
        Ok(o) if o.status.success() => match String::from_utf8(o.stdout) {
            Ok(t) => GitFile::Found(t),
            Err(_) => GitFile::Unknown,
        },
        Ok(_) => GitFile::Absent,
        Err(_) => GitFile::Unknown,
    }
}

fn short(sha: &str) -> &str {
    &sha[..sha.len().min(12)]
}

/// The files the pull request changes: the API's list, else the local clone's diff.
fn changed_files(
    root: &Path,
    pr: &PullRequest,
    api: Option<&Api<'_>>,
    notes: &mut Vec<String>,
) -> Result<BTreeSet<String>> {
    if let Some(api) = api {
        match api.pr_files(pr.number) {
            Ok(files) if files.len() < 3000 => return Ok(files.into_iter().collect()),
            Ok(_) => notes.push(
                "GitHub lists at most 3,000 files of a pull request: the changed files were read from the local clone".into(),
            ),
            Err(e) => notes.push(format!(
                "could not list the pull request's files ({e}): read from the local clone"
            )),
        }
    }
    for range in [
        format!("{}...{}", pr.base_sha, pr.head_sha),
        format!("{}...HEAD", pr.base_sha),
    ] {
        let out = Command::new("git")
            .arg("-C")
            .arg(root)
            .args(["diff", "--name-only", "-z", "--no-renames", &range])
            .output();
        if let Ok(o) = out
            && o.status.success()
        {
            return Ok(o
                .stdout
                .split(|&b| b == 0)
                .filter(|f| !f.is_empty())
                .map(|f| String::from_utf8_lossy(f).into_owned())
                .collect());
        }
    }
    Err(Error::Usage(format!(
        "cannot tell which files pull request #{} changes: the API did not answer and the clone lacks {} (check out with `fetch-depth: 0`)",
        pr.number,
        short(&pr.base_sha)
    )))
}

/// Approvers (logins, or members of `org/team`) whose latest review approves the head SHA.
fn approvals(
    api: &Api<'_>,
    pr: &PullRequest,
    approvers: &[String],
) -> std::result::Result<Vec<String>, ApiError> {
    if approvers.is_empty() {
        return Ok(Vec::new());
    }
    let reviews = api.reviews(pr.number)?;
    // A reviewer's latest state counts (a later "changes requested" withdraws an approval).
    let mut latest: Vec<(String, String, String)> = Vec::new();
    for r in reviews {
        if r.state == "COMMENTED" || r.state == "PENDING" {
            continue;
        }
        latest.retain(|(u, _, _)| !u.eq_ignore_ascii_case(&r.user));
        latest.push((r.user, r.state, r.commit_id));
    }
    let mut who = Vec::new();
    for (user, state, commit) in latest {
        if state != "APPROVED" || commit != pr.head_sha {
            continue;
        }
        let mut ok = approvers
            .iter()
            .any(|a| !a.contains('/') && a.eq_ignore_ascii_case(&user));
        for team in approvers.iter().filter(|a| a.contains('/')) {
            if ok {
                break;
            }
            let (org, slug) = team.split_once('/').unwrap_or((team, ""));
            ok = api.team_member(org, slug, &user)?;
        }
        if ok {
            who.push(user);
        }
    }
    Ok(who)
}

/// What the run decided, and how it is shown.
struct Judged<'a> {
    report: &'a Report,
    links: &'a Links,
    approval: &'a Approval,
    annotations: &'a [render::Annotation],
    chains: &'a [crate::trace::Chain],
}

/// The check run and the sticky comment.
fn post(
    api: &Api<'_>,
    env: &Env,
    pr: &PullRequest,
    j: &Judged<'_>,
    notes: &[String],
    progress: &mut Progress,
) -> std::result::Result<(), ApiError> {
    let (check, comment) = rendered(env, j, notes);
    post_rendered(api, env, pr, check.as_ref(), comment.as_ref(), progress)
}

/// What [`post`] sends, rendered and fitted to GitHub's limits: also what the judge job of the
/// fork workflow hands off (`handoff-to`).
fn rendered(
    env: &Env,
    j: &Judged<'_>,
    notes: &[String],
) -> (Option<handoff::CheckRun>, Option<handoff::Comment>) {
    let (report, approval) = (j.report, j.approval);
    let check = env.check_run.then(|| {
        let out = render::check_output_with_trace(report, j.links, approval, j.chains);
        handoff::CheckRun {
            conclusion: render::conclusion(report, approval).to_string(),
            title: out.title,
            summary: out.summary,
            text: out.text,
            annotations: j
                .annotations
                .iter()
                .map(handoff::Annotation::from_rendered)
                .collect(),
        }
    });
    let comment = env.comment.then(|| handoff::Comment {
        body: render::comment_body_with_trace(report, j.links, approval, notes, j.chains),
        create: !(report.incidents.is_empty() && report.errors.is_empty()),
    });
    (check, comment)
}

/// Posts a rendered check run and comment: for this run's judgement, or a handoff's.
fn post_rendered(
    api: &Api<'_>,
    env: &Env,
    pr: &PullRequest,
    check: Option<&handoff::CheckRun>,
    comment: Option<&handoff::Comment>,
    progress: &mut Progress,
) -> std::result::Result<(), ApiError> {
    if let Some(c) = check {
        let output = |batch: &[handoff::Annotation]| {
            json!({
                "title": c.title,
                "summary": c.summary,
                "text": c.text,
                "annotations": batch,
            })
        };
        let mut batches = c.annotations.chunks(ANNOTATIONS_PER_REQUEST);
        let first = batches.next().unwrap_or(&[]);
        let body = json!({
            "name": CHECK_NAME,
            "head_sha": pr.head_sha,
            "status": "completed",
            "conclusion": c.conclusion,
            "external_id": env.run_key,
            "output": output(first),
        });
        let of = c.annotations.len().div_ceil(ANNOTATIONS_PER_REQUEST).max(1);
        progress.check_run = Step::InFlight;
        let id = api.create_check_run(&body, &pr.head_sha)?;
        progress.check_run = Step::Done { batches: 1, of };
        let mut sent = first.len();
        for (i, batch) in batches.enumerate() {
            sent += batch.len();
            api.update_check_run(id, &json!({ "output": output(batch) }), sent)?;
            progress.check_run = Step::Done { batches: i + 2, of };
        }
    }
    if let Some(c) = comment {
        sticky_comment(api, env, pr, c, &mut progress.comment)?;
    }
    Ok(())
}

fn sticky_comment(
    api: &Api<'_>,
    env: &Env,
    pr: &PullRequest,
    comment: &handoff::Comment,
    step: &mut Step,
) -> std::result::Result<(), ApiError> {
    let login = api.whoami()?.unwrap_or_else(|| {
        std::env::var("SDDGATE_COMMENT_AUTHOR").unwrap_or_else(|_| ACTIONS_BOT.to_string())
    });
    let ours = |list: Vec<crate::github::api::Comment>| -> Vec<crate::github::api::Comment> {
        let mut v: Vec<_> = list
            .into_iter()
            .filter(|c| c.body.contains(render::MARKER) && c.user.eq_ignore_ascii_case(&login))
            .collect();
        v.sort_by_key(|c| c.id);
        v
    };
    let nonce = format!("<!-- sddgate:run {} -->", env.run_key);
    let body = format!("{}\n{nonce}", comment.body);
    let existing = ours(api.comments(pr.number)?);
    let nothing_in_scope = !comment.create;
    match existing.first() {
        Some(first) => {
            *step = Step::InFlight;
            api.update_comment(first.id, &body)?;
            *step = Step::Done { batches: 1, of: 1 };
            for extra in &existing[1..] {
                api.delete_comment(extra.id)?;
            }
        }
        // Nothing to say and nothing said before: no comment.
        None if nothing_in_scope => {}
        None => {
            *step = Step::InFlight;
            let id = api.create_comment(pr.number, &body, &nonce)?;
            *step = Step::Done { batches: 1, of: 1 };
            // A concurrent run may have created one too: the oldest stays, with this body.
            let now = ours(api.comments(pr.number)?);
            if let Some(keep) = now.first()
                && keep.id != id
            {
                api.update_comment(keep.id, &body)?;
                for c in now.iter().filter(|c| c.id != keep.id) {
                    api.delete_comment(c.id)?;
                }
            }
        }
    }
    Ok(())
}
