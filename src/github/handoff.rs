//! The handoff between the two jobs of the fork pull request workflow (`workflow_run`, see
//! docs/github.md): the `judge` job (read-only token, the pull request checked out as data)
//! writes what `sddgate ci` would have posted; the `publish` job (write token, no checkout)
//! reads it back, checks it against its own event and the API, and posts it.
//!
//! A JSON document, versioned ([`VERSION`]). Everything in it is already rendered and fitted
//! to GitHub's limits by the judge; [`read`] checks those limits again, and that the fields
//! agree with one another (a `success` check run with exit code 1 is refused), so a damaged or
//! hand-edited file is an error naming the file and line, never a post.

use crate::error::{Error, Result};
use crate::github::render::{COMMENT_ROOM, MARKER, MAX_BODY, MAX_TITLE};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::io::Write;
use std::path::Path;

/// The format's version: a reader refuses any other.
pub const VERSION: u64 = 1;
/// A handoff larger than this is refused before it is parsed (a real one: the check run's
/// 2 × 64 KiB, the comment's 64 KiB, and the annotations, a few hundred bytes each).
pub const MAX_SIZE: u64 = 64 * 1024 * 1024;
/// GitHub's limit for an annotation's `message` and `raw_details` (bytes).
const MAX_ANNOTATION_TEXT: usize = 64 * 1024;

/// What the judge would have posted, for the pull request `pull_request` at `head_sha` of
/// `repository`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Handoff {
    pub version: u64,
    /// `owner/name`: the repository the judge ran in (`GITHUB_REPOSITORY`).
    pub repository: String,
    /// The pull request's number.
    pub pull_request: u64,
    /// The commit judged: the check run goes on it.
    pub head_sha: String,
    /// The judge's exit code (0 pass, 1 block, 2 error, 3 semi-manual); the publisher's too.
    pub exit_code: i32,
    /// `null` when the judge ran with `check-run: false`.
    pub check_run: Option<CheckRun>,
    /// `null` when the judge ran with `comment: false`.
    pub comment: Option<Comment>,
}

/// The check run, as `POST …/check-runs` takes it (its name, status and `external_id` are the
/// publisher's).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckRun {
    pub conclusion: String,
    pub title: String,
    pub summary: String,
    pub text: String,
    /// Every annotation, in order; the publisher sends them 50 per request.
    pub annotations: Vec<Annotation>,
}

/// One check-run annotation, GitHub's shape.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Annotation {
    pub path: String,
    pub start_line: u32,
    pub end_line: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_column: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_column: Option<u32>,
    pub annotation_level: String,
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub raw_details: Option<String>,
}

/// The sticky comment's body (the run's nonce is added by the publisher).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Comment {
    pub body: String,
    /// `false` when nothing was in scope: an existing comment is edited, none is created.
    pub create: bool,
}

impl Annotation {
    /// The same annotation as the renderer's, serialized the same way (columns only on a
    /// one-line annotation, as the renderer sends them; a test compares the two).
    pub fn from_rendered(a: &crate::github::render::Annotation) -> Annotation {
        let one_line = a.start_line == a.end_line;
        Annotation {
            path: a.path.clone(),
            start_line: a.start_line,
            end_line: a.end_line,
            start_column: a.start_column.filter(|_| one_line),
            end_column: a.end_column.filter(|_| one_line),
            annotation_level: a.annotation_level.to_string(),
            message: a.message.clone(),
            title: Some(a.title.clone()),
            raw_details: a.raw_details.clone(),
        }
    }
}

/// Writes `handoff` to `path` (its directory is created): a temporary file beside it, then a
/// rename, so a reader never sees half a file.
pub fn write(path: &Path, handoff: &Handoff) -> Result<()> {
    let text = serde_json::to_string_pretty(handoff)
        .map_err(|e| Error::Usage(format!("cannot serialize the handoff: {e}")))?;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    }
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(format!(".tmp{}", std::process::id()));
    let tmp = std::path::PathBuf::from(tmp);
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(text.as_bytes())?;
        f.write_all(b"\n")?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(Error::io(path, e));
    }
    Ok(())
}

/// Reads and checks a handoff: JSON, this [`VERSION`], no unknown or missing field, each value
/// in GitHub's limits, the conclusion agreeing with the exit code. Errors name the file and the
/// line of the offending field.
pub fn read(path: &Path) -> Result<Handoff> {
    let shown = path.display().to_string();
    let meta = std::fs::metadata(path).map_err(|e| Error::io(path, e))?;
    if meta.len() > MAX_SIZE {
        return Err(Error::input(
            &shown,
            1,
            1,
            format!(
                "the handoff is {} bytes, more than the {MAX_SIZE} a judge writes",
                meta.len()
            ),
        ));
    }
    let bytes = crate::repo::read_bounded(path, &shown, MAX_SIZE)?;
    let text = String::from_utf8(bytes)
        .map_err(|e| Error::input(&shown, 1, 1, format!("the handoff is not UTF-8: {e}")))?;
    let bad = |e: serde_json::Error, what: &str| {
        Error::input(
            &shown,
            e.line() as u32,
            e.column() as u32,
            format!("{what}: {e}"),
        )
    };
    // The version first: a newer format is "another version", not "unknown field".
    let v: Value = serde_json::from_str(&text).map_err(|e| bad(e, "the handoff is not JSON"))?;
    match v.get("version").and_then(Value::as_u64) {
        Some(VERSION) => {}
        Some(other) => {
            return Err(Error::input(
                &shown,
                line_of(&text, "version"),
                1,
                format!(
                    "handoff version {other}: this sddgate reads version {VERSION} (the judge and publish jobs must run the same sddgate)"
                ),
            ));
        }
        None => {
            return Err(Error::input(
                &shown,
                line_of(&text, "version"),
                1,
                format!("not an sddgate handoff: expected an object with `\"version\": {VERSION}`"),
            ));
        }
    }
    let h: Handoff = serde_json::from_str(&text).map_err(|e| bad(e, "the handoff is not valid"))?;
    h.check()
        .map_err(|(key, message)| Error::input(&shown, line_of(&text, key), 1, message))?;
    Ok(h)
}

/// The line of the first `"key":` in `text` (1 when absent), for messages about a field.
fn line_of(text: &str, key: &str) -> u32 {
    let needle = format!("\"{key}\"");
    match text.find(&needle) {
        Some(at) => 1 + text[..at].matches('\n').count() as u32,
        None => 1,
    }
}

fn is_sha(s: &str) -> bool {
    s.len() == 40 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

impl Handoff {
    /// The field (its key, for the line) and what is wrong with it.
    pub fn check(&self) -> std::result::Result<(), (&'static str, String)> {
        let parts: Vec<&str> = self.repository.split('/').collect();
        if parts.len() != 2
            || parts.iter().any(|p| {
                p.is_empty()
                    || !p
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
            })
        {
            return Err((
                "repository",
                format!(
                    "`repository` must be `owner/name`, not `{}`",
                    self.repository
                ),
            ));
        }
        if self.pull_request == 0 {
            return Err(("pull_request", "`pull_request` must be a PR number".into()));
        }
        if !is_sha(&self.head_sha) {
            return Err((
                "head_sha",
                format!(
                    "`head_sha` must be a full commit id (40 hex digits), not `{}`",
                    self.head_sha
                ),
            ));
        }
        if !matches!(self.exit_code, 0..=3) {
            return Err((
                "exit_code",
                format!("`exit_code` must be 0, 1, 2 or 3, not {}", self.exit_code),
            ));
        }
        if let Some(run) = &self.check_run {
            run.check(self.exit_code)?;
        }
        if let Some(c) = &self.comment {
            if !c.body.starts_with(MARKER) {
                return Err((
                    "body",
                    format!("the comment body must start with sddgate's marker {MARKER}"),
                ));
            }
            let n = c.body.chars().count();
            if n > MAX_BODY - COMMENT_ROOM {
                return Err((
                    "body",
                    format!(
                        "the comment body has {n} characters, more than the {} sddgate renders",
                        MAX_BODY - COMMENT_ROOM
                    ),
                ));
            }
        }
        Ok(())
    }
}

impl CheckRun {
    fn check(&self, exit_code: i32) -> std::result::Result<(), (&'static str, String)> {
        // What each exit code is posted as (render::conclusion and render::exit_code agree).
        let agrees = match self.conclusion.as_str() {
            "success" | "neutral" => exit_code == 0,
            "failure" => exit_code == 1 || exit_code == 2,
            "action_required" => exit_code == 3,
            other => {
                return Err((
                    "conclusion",
                    format!(
                        "`conclusion` must be success, neutral, failure or action_required, not `{other}`"
                    ),
                ));
            }
        };
        if !agrees {
            return Err((
                "conclusion",
                format!(
                    "the conclusion `{}` contradicts the exit code {exit_code}: the handoff was altered",
                    self.conclusion
                ),
            ));
        }
        if self.title.is_empty() || self.title.chars().count() > MAX_TITLE {
            return Err((
                "title",
                format!("`title` must have 1 to {MAX_TITLE} characters"),
            ));
        }
        for (key, text) in [("summary", &self.summary), ("text", &self.text)] {
            if text.len() > MAX_BODY {
                return Err((
                    key,
                    format!(
                        "`{key}` has {} bytes, more than GitHub's {MAX_BODY}",
                        text.len()
                    ),
                ));
            }
        }
        for (i, a) in self.annotations.iter().enumerate() {
            a.check()
                .map_err(|m| ("annotations", format!("annotation {}: {m}", i + 1)))?;
        }
        Ok(())
    }
}

impl Annotation {
    fn check(&self) -> std::result::Result<(), String> {
        if self.path.is_empty() {
            return Err("`path` is empty".into());
        }
        if self.start_line == 0 || self.end_line < self.start_line {
            return Err(format!(
                "lines {}..{} are not a range of lines from 1",
                self.start_line, self.end_line
            ));
        }
        if (self.start_column.is_some() || self.end_column.is_some())
            && self.start_line != self.end_line
        {
            return Err("columns on an annotation of several lines (GitHub refuses them)".into());
        }
        if !matches!(
            self.annotation_level.as_str(),
            "notice" | "warning" | "failure"
        ) {
            return Err(format!(
                "`annotation_level` must be notice, warning or failure, not `{}`",
                self.annotation_level
            ));
        }
        if self.message.is_empty() || self.message.len() > MAX_ANNOTATION_TEXT {
            return Err(format!(
                "`message` must have 1 to {MAX_ANNOTATION_TEXT} bytes"
            ));
        }
        if self
            .title
            .as_ref()
            .is_some_and(|t| t.chars().count() > MAX_TITLE)
        {
            return Err(format!("`title` has more than {MAX_TITLE} characters"));
        }
        if self
            .raw_details
            .as_ref()
            .is_some_and(|t| t.len() > MAX_ANNOTATION_TEXT)
        {
            return Err(format!(
                "`raw_details` has more than {MAX_ANNOTATION_TEXT} bytes"
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Handoff {
        Handoff {
            version: VERSION,
            repository: "Codertocat/Hello-World".into(),
            pull_request: 2,
            head_sha: "ec26c3e57ca3a959ca5aad62de7213c562f8c821".into(),
            exit_code: 1,
            check_run: Some(CheckRun {
                conclusion: "failure".into(),
                title: "sddgate: blocked".into(),
                summary: "s".into(),
                text: "t".into(),
                annotations: vec![Annotation {
                    path: "specs/a.md".into(),
                    start_line: 3,
                    end_line: 3,
                    start_column: Some(1),
                    end_column: Some(4),
                    annotation_level: "failure".into(),
                    message: "m".into(),
                    title: Some("x".into()),
                    raw_details: None,
                }],
            }),
            comment: Some(Comment {
                body: format!("{MARKER}\nbody"),
                create: true,
            }),
        }
    }

    fn round_trip(h: &Handoff) -> Result<Handoff> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/handoff.json");
        write(&path, h)?;
        read(&path)
    }

    fn text_of(h: &Handoff) -> String {
        serde_json::to_string_pretty(h).unwrap()
    }

    fn read_text(text: &str) -> String {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("h.json");
        std::fs::write(&path, text).unwrap();
        read(&path).unwrap_err().to_string()
    }

    #[test]
    fn a_written_handoff_reads_back_equal() {
        let h = sample();
        assert_eq!(round_trip(&h).unwrap(), h);
    }

    #[test]
    fn the_renderers_annotation_keeps_its_shape() {
        for (end_line, raw) in [(2, Some("r".to_string())), (1, None)] {
            let a = crate::github::render::Annotation {
                path: "p".into(),
                start_line: 1,
                end_line,
                start_column: Some(3),
                end_column: Some(5),
                annotation_level: "warning",
                message: "m".into(),
                title: "t".into(),
                raw_details: raw,
            };
            let ours = Annotation::from_rendered(&a);
            assert_eq!(
                serde_json::to_value(&ours).unwrap(),
                serde_json::to_value(&a).unwrap()
            );
            assert!(ours.check().is_ok());
        }
    }

    #[test]
    fn a_conclusion_that_contradicts_the_exit_code_is_refused_at_its_line() {
        let mut h = sample();
        h.check_run.as_mut().unwrap().conclusion = "success".into();
        let text = text_of(&h);
        let line = 1 + text[..text.find("\"conclusion\"").unwrap()]
            .matches('\n')
            .count();
        let e = read_text(&text);
        assert!(e.contains(&format!("h.json:{line}:")), "{e}");
        assert!(e.contains("contradicts the exit code 1"), "{e}");
    }

    #[test]
    fn malformed_unknown_and_versioned_handoffs_are_refused() {
        let e = read_text("{\n  \"version\": 1,\n  \"repository\": \n}");
        assert!(e.contains("h.json:4:") && e.contains("not JSON"), "{e}");
        let e = read_text(&text_of(&sample()).replace("\"version\": 1", "\"version\": 2"));
        assert!(e.contains("h.json:2:") && e.contains("version 2"), "{e}");
        let e = read_text(
            &text_of(&sample()).replace("\"exit_code\": 1", "\"exit_code\": 1, \"extra\": 0"),
        );
        assert!(e.contains("unknown field `extra`"), "{e}");
        let e = read_text("[]");
        assert!(e.contains("not an sddgate handoff"), "{e}");
    }

    #[test]
    fn values_outside_githubs_limits_are_refused() {
        let mut h = sample();
        h.head_sha = "main".into();
        assert_eq!(h.check().unwrap_err().0, "head_sha");
        let mut h = sample();
        h.repository = "a/b/c".into();
        assert_eq!(h.check().unwrap_err().0, "repository");
        let mut h = sample();
        h.check_run.as_mut().unwrap().summary = "x".repeat(MAX_BODY + 1);
        assert_eq!(h.check().unwrap_err().0, "summary");
        let mut h = sample();
        h.check_run.as_mut().unwrap().annotations[0].annotation_level = "error".into();
        assert_eq!(h.check().unwrap_err().0, "annotations");
        let mut h = sample();
        h.check_run.as_mut().unwrap().annotations[0].end_line = 9;
        assert_eq!(h.check().unwrap_err().0, "annotations");
        let mut h = sample();
        h.comment.as_mut().unwrap().body = "no marker".into();
        assert_eq!(h.check().unwrap_err().0, "body");
        let mut h = sample();
        h.exit_code = 0;
        h.check_run.as_mut().unwrap().conclusion = "action_required".into();
        assert_eq!(h.check().unwrap_err().0, "conclusion");
        assert!(sample().check().is_ok());
    }
}
