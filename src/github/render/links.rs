//! Where a rendered report's links point: GitHub ([`Links`]) or another forge ([`Forge`]).

use super::*;

/// Where links point: files at the pull request's head commit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Links {
    /// `https://github.com`, or the GHES host (`GITHUB_SERVER_URL`).
    pub server_url: String,
    /// `owner/name`.
    pub repo: String,
    /// The PR's head SHA (not the merge SHA).
    pub sha: String,
}

impl Links {
    /// `{server}/{repo}/blob/{sha}/{path}#L{line}`, each path segment percent-encoded. Files
    /// GitHub renders (Markdown, reStructuredText, CSV, notebooks …) get `?plain=1` before the
    /// line anchor, or the anchor would point into the rendered page and go nowhere.
    pub fn blob(&self, path: &str, line: Option<u32>) -> String {
        let path = clean_path(path);
        let mut url = format!(
            "{}/blob/{}/{}",
            self.repo_url(),
            encode_segment(&self.sha),
            encode_path(&path)
        );
        if let Some(l) = line.filter(|l| *l > 0) {
            if rendered_by_github(&path) {
                url.push_str("?plain=1");
            }
            let _ = write!(url, "#L{l}");
        }
        url
    }

    /// `{server}/{repo}/commit/{sha}`.
    pub fn commit(&self, sha: &str) -> String {
        format!("{}/commit/{}", self.repo_url(), encode_segment(sha))
    }

    pub(super) fn repo_url(&self) -> String {
        format!(
            "{}/{}",
            self.server_url.trim_end_matches('/'),
            encode_path(&self.repo)
        )
    }
}

/// Where links in the Markdown point, if anywhere: outside `sddgate ci` the host comes from the
/// environment, and with none known paths are code spans (never a link that goes nowhere).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Forge {
    /// GitHub or GitHub Enterprise Server: `{server}/{repo}/blob/{sha}/{path}`.
    GitHub(Links),
    /// GitLab: `{project_url}/-/blob/{sha}/{path}#L{n}`.
    GitLab { project_url: String, sha: String },
    /// No host known.
    None,
}

impl Forge {
    /// The host a CI job runs on, from its variables: GitHub Actions (`GITHUB_SERVER_URL`,
    /// `GITHUB_REPOSITORY`, `GITHUB_SHA`), else GitLab CI (`CI_PROJECT_URL`, `CI_COMMIT_SHA`),
    /// else none. A variable that is empty or not a plain `http(s)` URL / hex SHA counts as
    /// absent: no half-made link.
    pub fn from_env(var: impl Fn(&str) -> Option<String>) -> Forge {
        let get = |k: &str| {
            var(k)
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        let sha_ok = |s: &str| s.len() >= 7 && s.bytes().all(|b| b.is_ascii_hexdigit());
        let url_ok = |u: &str| {
            (u.starts_with("https://") || u.starts_with("http://"))
                && !u
                    .chars()
                    .any(|c| c.is_whitespace() || c.is_control() || "()<>[]\"'`".contains(c))
        };
        if let (Some(server), Some(repo), Some(sha)) = (
            get("GITHUB_SERVER_URL"),
            get("GITHUB_REPOSITORY"),
            get("GITHUB_SHA"),
        ) && url_ok(&server)
            && sha_ok(&sha)
            && repo.split('/').count() == 2
        {
            return Forge::GitHub(Links {
                server_url: server,
                repo,
                sha,
            });
        }
        if let (Some(project_url), Some(sha)) = (get("CI_PROJECT_URL"), get("CI_COMMIT_SHA"))
            && url_ok(&project_url)
            && sha_ok(&sha)
        {
            return Forge::GitLab { project_url, sha };
        }
        Forge::None
    }

    /// A file at the head commit, or `None` when no host is known.
    pub fn blob(&self, path: &str, line: Option<u32>) -> Option<String> {
        match self {
            Forge::GitHub(l) => Some(l.blob(path, line)),
            Forge::GitLab { project_url, sha } => {
                let path = clean_path(path);
                let mut url = format!(
                    "{}/-/blob/{}/{}",
                    project_url.trim_end_matches('/'),
                    encode_segment(sha),
                    encode_path(&path)
                );
                if let Some(l) = line.filter(|l| *l > 0) {
                    if rendered_by_github(&path) {
                        url.push_str("?plain=1");
                    }
                    let _ = write!(url, "#L{l}");
                }
                Some(url)
            }
            Forge::None => None,
        }
    }

    pub fn commit(&self, sha: &str) -> Option<String> {
        match self {
            Forge::GitHub(l) => Some(l.commit(sha)),
            Forge::GitLab { project_url, .. } => Some(format!(
                "{}/-/commit/{}",
                project_url.trim_end_matches('/'),
                encode_segment(sha)
            )),
            Forge::None => None,
        }
    }

    pub(super) fn sha(&self) -> Option<&str> {
        match self {
            Forge::GitHub(l) => Some(&l.sha),
            Forge::GitLab { sha, .. } => Some(sha),
            Forge::None => None,
        }
    }

    pub(super) fn short_sha(&self) -> Option<&str> {
        let sha = self.sha()?;
        let end = sha.char_indices().nth(7).map_or(sha.len(), |(i, _)| i);
        Some(&sha[..end])
    }
}
