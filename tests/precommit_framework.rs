//! The hooks through the real pre-commit framework from PyPI, in temporary git repositories.
//!
//! Most tests declare the hooks of `.pre-commit-hooks.yaml` as `repo: local` hooks with
//! `language: system` and the test binary as entry (same ids, stages, filters and
//! `pass_filenames` as the manifest: they are copied from it), so they take seconds. One test
//! uses this repository itself as a local-path repo at a committed revision, so pre-commit
//! `cargo install`s it (`language: rust`) exactly as a team's config would: minutes the first
//! time, then cached in `target/pre-commit-home`.
//!
//! pre-commit is found through `SDDGATE_PRE_COMMIT`, on `PATH`, or in `target/ci-venv` (where
//! `.ci/precommit.sh` installs it). Without it these tests fail: they never pass vacuously.

mod common;
use common::{READINESS, SPEC};

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

const INCIDENT_ID: &str = "DF-2026-06-01-01";
const BAD_LINE: &str = "Run `kubectl delete pod api-7b4` when a pod hangs.";

struct Out {
    code: i32,
    /// stdout and stderr together (git sends a hook's output to stderr).
    text: String,
}

impl Out {
    fn ok(&self) -> bool {
        self.code == 0
    }
}

fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn sddgate_bin() -> PathBuf {
    assert_cmd::cargo::cargo_bin("sddgate")
}

/// The cargo target directory the test binary was built into (honours `CARGO_TARGET_DIR`).
fn target_dir() -> PathBuf {
    let bin = sddgate_bin();
    bin.parent()
        .and_then(Path::parent)
        .map(Path::to_path_buf)
        .unwrap_or_else(|| manifest_dir().join("target"))
}

/// pre-commit's cache: under target/ so CI and later runs reuse installed hook environments.
fn pre_commit_home() -> PathBuf {
    target_dir().join("pre-commit-home")
}

/// A command isolated from the caller's git state and configuration: no `GIT_DIR` or index of
/// an enclosing hook, no global or system config (a global `core.hooksPath` would make
/// `pre-commit install` refuse), no colour.
fn command(program: impl AsRef<std::ffi::OsStr>, dir: &Path) -> Command {
    let mut c = Command::new(program);
    c.current_dir(dir);
    for var in [
        "GIT_DIR",
        "GIT_WORK_TREE",
        "GIT_INDEX_FILE",
        "GIT_OBJECT_DIRECTORY",
        "GIT_ALTERNATE_OBJECT_DIRECTORIES",
        "GIT_COMMON_DIR",
        "GIT_PREFIX",
        "PRE_COMMIT",
        "SKIP",
        "CLICOLOR_FORCE",
    ] {
        c.env_remove(var);
    }
    c.env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_TERMINAL_PROMPT", "0")
        .env("NO_COLOR", "1")
        .env("PRE_COMMIT_COLOR", "never")
        .env("PRE_COMMIT_HOME", pre_commit_home());
    c
}

fn output(mut c: Command) -> Out {
    let out = c
        .output()
        .unwrap_or_else(|e| panic!("cannot run {:?}: {e}", c.get_program()));
    Out {
        code: out.status.code().unwrap_or(-1),
        text: format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    }
}

fn git(dir: &Path, args: &[&str]) -> Out {
    let mut c = command("git", dir);
    c.args(args);
    output(c)
}

/// `git …` that must succeed; its trimmed output.
fn git_ok(dir: &Path, args: &[&str]) -> String {
    let out = git(dir, args);
    assert!(
        out.ok(),
        "git {args:?} in {} failed:\n{}",
        dir.display(),
        out.text
    );
    out.text.trim().to_string()
}

fn on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join(name))
        .find(|p| p.is_file())
}

/// The pre-commit executable, checked once to be a pre-commit >= 3.2 (stage names
/// `pre-commit`/`commit-msg`). Panics with how to install it when there is none.
fn pre_commit_exe() -> &'static Path {
    static EXE: OnceLock<PathBuf> = OnceLock::new();
    EXE.get_or_init(|| {
        let exe = std::env::var_os("SDDGATE_PRE_COMMIT")
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
            .or_else(|| on_path("pre-commit"))
            .or_else(|| {
                let venv = target_dir().join("ci-venv/bin/pre-commit");
                venv.is_file().then_some(venv)
            })
            .unwrap_or_else(|| {
                panic!(
                    "the pre-commit framework is not installed, and these tests need it.\n\
                     Install it: `pip install 'pre-commit>=3.2'` (or `bash .ci/precommit.sh`, which \
                     installs it into target/ci-venv and prints its path), then put it on PATH or \
                     set SDDGATE_PRE_COMMIT=/path/to/pre-commit."
                )
            });
        let v = output({
            let mut c = command(&exe, &manifest_dir());
            c.arg("--version");
            c
        });
        assert!(v.ok(), "`{} --version` failed:\n{}", exe.display(), v.text);
        let version: Vec<u32> = v
            .text
            .trim()
            .trim_start_matches("pre-commit")
            .trim()
            .split('.')
            .map_while(|p| p.parse().ok())
            .collect();
        assert!(
            version.as_slice() >= [3, 2].as_slice(),
            "{} is `{}`; the hooks need pre-commit >= 3.2: pip install -U 'pre-commit>=3.2'",
            exe.display(),
            v.text.trim()
        );
        exe
    })
}

/// A temporary git repository with a local identity and no signing.
struct Repo {
    dir: tempfile::TempDir,
    /// Set on every git and pre-commit command run in it, after `command`'s own (so it wins).
    env: Vec<(String, std::ffi::OsString)>,
}

impl Repo {
    fn new() -> Repo {
        let dir = tempfile::tempdir().expect("tempdir");
        let repo = Repo {
            dir,
            env: Vec::new(),
        };
        git_ok(repo.path(), &["init", "-q", "-b", "main"]);
        for (k, v) in [
            ("user.name", "sddgate test"),
            ("user.email", "sddgate-test@example.invalid"),
            ("commit.gpgsign", "false"),
            ("core.autocrlf", "false"),
        ] {
            git_ok(repo.path(), &["config", k, v]);
        }
        repo
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn write(&self, rel: &str, text: &str) {
        common::write(self.path(), rel, text);
    }

    fn git(&self, args: &[&str]) -> Out {
        let mut c = command("git", self.path());
        c.args(args).envs(self.env.iter().map(|(k, v)| (k, v)));
        output(c)
    }

    fn git_ok(&self, args: &[&str]) -> String {
        let out = self.git(args);
        assert!(
            out.ok(),
            "git {args:?} in {} failed:\n{}",
            self.path().display(),
            out.text
        );
        out.text.trim().to_string()
    }

    fn pre_commit(&self, args: &[&str]) -> Out {
        let mut c = command(pre_commit_exe(), self.path());
        c.args(args).envs(self.env.iter().map(|(k, v)| (k, v)));
        output(c)
    }

    /// Writes and commits `.pre-commit-config.yaml` (pre-commit refuses to run with an
    /// unstaged config), then installs both hook types into `.git/hooks`.
    fn install(&self, config: &str) {
        self.write(".pre-commit-config.yaml", config);
        self.git_ok(&["add", ".pre-commit-config.yaml"]);
        self.git_ok(&["commit", "-q", "-m", "pre-commit config"]);
        let out = self.pre_commit(&[
            "install",
            "--hook-type",
            "pre-commit",
            "--hook-type",
            "commit-msg",
        ]);
        assert!(out.ok(), "pre-commit install failed:\n{}", out.text);
        for hook in ["pre-commit", "commit-msg"] {
            assert!(
                self.path().join(".git/hooks").join(hook).is_file(),
                "pre-commit install wrote no {hook} hook:\n{}",
                out.text
            );
        }
    }

    fn commit(&self, message: &str) -> Out {
        self.git(&["commit", "-q", "-m", message])
    }

    fn head(&self) -> Option<String> {
        let out = self.git(&["rev-parse", "-q", "--verify", "HEAD"]);
        out.ok().then(|| out.text.trim().to_string())
    }

    /// The clean incident of tests/common: a spec, a 24/25 readiness document and its evidence.
    fn add_clean_incident(&self) {
        self.write("specs/disk_full/specify.md", SPEC);
        self.write("specs/disk_full/readiness.md", READINESS);
        self.write(
            "specs/disk_full/tasks.md",
            "# Tasks\n- T1 idempotent restart\n",
        );
        self.write(
            "specs/disk_full/rollback.md",
            "# Rollback\nRestore the previous pod.\n",
        );
    }
}

/// SPEC with a concrete command in its Constraints section, and the 1-based line it is on.
fn bad_spec() -> (String, usize) {
    let anchor = "Never touch a stateful volume; one pod at a time.\n";
    assert!(
        SPEC.contains(anchor),
        "tests/common SPEC changed: update bad_spec()"
    );
    let text = SPEC.replacen(anchor, &format!("{anchor}{BAD_LINE}\n"), 1);
    let line = text
        .lines()
        .position(|l| l == BAD_LINE)
        .expect("the bad line")
        + 1;
    (text, line)
}

fn assert_blocked_by_command(out: &Out, line: usize) {
    assert!(
        !out.ok(),
        "a spec naming `kubectl delete pod` must be blocked:\n{}",
        out.text
    );
    assert!(
        out.text.contains("concrete_command_in_spec"),
        "no rule id in:\n{}",
        out.text
    );
    let at = format!("specs/disk_full/specify.md:{line}");
    assert!(out.text.contains(&at), "no `{at}` in:\n{}", out.text);
    assert!(
        out.text.contains("kubectl delete pod api-7b4"),
        "no matched text in:\n{}",
        out.text
    );
}

fn with_trailer(subject: &str) -> String {
    format!("{subject}\n\nIncident-Id: {INCIDENT_ID}")
}

/// Quotes a word for pre-commit's `entry` (split with shlex, POSIX rules).
fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// The hooks of `.pre-commit-hooks.yaml` as `repo: local` hooks running the test binary:
/// `language: system`, the entry's leading `sddgate` replaced by the binary's path; every other
/// key (stages, filters, pass_filenames, always_run, …) as the manifest has it.
fn local_config() -> String {
    let manifest_path = manifest_dir().join(".pre-commit-hooks.yaml");
    let text = std::fs::read_to_string(&manifest_path)
        .unwrap_or_else(|e| panic!("{}: {e}", manifest_path.display()));
    let hooks: Vec<serde_yaml::Mapping> =
        serde_yaml::from_str(&text).unwrap_or_else(|e| panic!(".pre-commit-hooks.yaml: {e}"));
    let bin = shell_quote(sddgate_bin().to_str().expect("UTF-8 binary path"));
    let mut ids = Vec::new();
    let hooks: Vec<serde_yaml::Value> = hooks
        .into_iter()
        .map(|mut h| {
            let entry = h
                .get("entry")
                .and_then(|e| e.as_str())
                .expect("every hook has an entry")
                .to_string();
            let rest = entry
                .strip_prefix("sddgate ")
                .unwrap_or_else(|| panic!("entry `{entry}` does not start with `sddgate `"));
            h.insert("entry".into(), format!("{bin} {rest}").into());
            h.insert("language".into(), "system".into());
            ids.push(
                h.get("id")
                    .and_then(|i| i.as_str())
                    .unwrap_or("")
                    .to_string(),
            );
            serde_yaml::Value::Mapping(h)
        })
        .collect();
    assert_eq!(
        ids,
        ["sddgate", "sddgate-commit-msg"],
        "hook ids of .pre-commit-hooks.yaml"
    );
    let mut repo = serde_yaml::Mapping::new();
    repo.insert("repo".into(), "local".into());
    repo.insert("hooks".into(), hooks.into());
    let mut config = serde_yaml::Mapping::new();
    config.insert(
        "repos".into(),
        vec![serde_yaml::Value::Mapping(repo)].into(),
    );
    serde_yaml::to_string(&config).expect("config YAML")
}

#[test]
fn the_manifest_is_valid_for_pre_commit() {
    let out = output({
        let mut c = command(pre_commit_exe(), &manifest_dir());
        c.args(["validate-manifest", ".pre-commit-hooks.yaml"]);
        c
    });
    assert!(out.ok(), "pre-commit validate-manifest:\n{}", out.text);
    let repo = Repo::new();
    repo.write(".pre-commit-config.yaml", &local_config());
    let out = repo.pre_commit(&["validate-config", ".pre-commit-config.yaml"]);
    assert!(
        out.ok(),
        "pre-commit validate-config:\n{}\n{}",
        out.text,
        local_config()
    );
}

#[test]
fn run_all_files_passes_on_a_clean_spec_and_fails_on_a_concrete_command() {
    let repo = Repo::new();
    repo.install(&local_config());
    repo.add_clean_incident();
    repo.git_ok(&["add", "-A"]);
    let out = repo.pre_commit(&["run", "--all-files"]);
    assert!(
        out.ok(),
        "a clean spec must pass `pre-commit run --all-files`:\n{}",
        out.text
    );
    assert!(out.text.contains("Passed"), "{}", out.text);

    let (bad, line) = bad_spec();
    repo.write("specs/disk_full/specify.md", &bad);
    repo.git_ok(&["add", "-A"]);
    let out = repo.pre_commit(&["run", "--all-files"]);
    assert_blocked_by_command(&out, line);
    assert!(out.text.contains("Failed"), "{}", out.text);
    // And `pre-commit run` on the staged files only, the way the installed hook runs.
    let out = repo.pre_commit(&["run"]);
    assert_blocked_by_command(&out, line);
}

#[test]
fn git_commit_through_installed_hooks_passes_clean_and_blocks_a_staged_command() {
    let repo = Repo::new();
    repo.install(&local_config());
    repo.add_clean_incident();
    repo.git_ok(&["add", "-A"]);
    let c = repo.commit(&with_trailer("disk_full: spec and readiness"));
    assert!(
        c.ok(),
        "a clean incident with its trailer must commit:\n{}",
        c.text
    );
    let head = repo.head();

    // The staged spec names a command; the working tree already has the fix. The commit
    // judges the staged content and is blocked; the unstaged fix survives the hook run.
    let (bad, line) = bad_spec();
    repo.write("specs/disk_full/specify.md", &bad);
    repo.git_ok(&["add", "specs/disk_full/specify.md"]);
    repo.write("specs/disk_full/specify.md", SPEC);
    let c = repo.commit(&with_trailer("disk_full: tighten constraints"));
    assert_blocked_by_command(&c, line);
    assert_eq!(repo.head(), head, "a blocked commit must not be created");
    let worktree = std::fs::read_to_string(repo.path().join("specs/disk_full/specify.md")).unwrap();
    assert_eq!(
        worktree, SPEC,
        "the unstaged fix must be restored after the hook"
    );

    // Staging the fix clears it.
    repo.git_ok(&["add", "specs/disk_full/specify.md"]);
    repo.write(
        "specs/disk_full/tasks.md",
        "# Tasks\n- T1 idempotent restart\n- T2 verify\n",
    );
    repo.git_ok(&["add", "-A"]);
    let c = repo.commit(&with_trailer("disk_full: tasks"));
    assert!(c.ok(), "{}", c.text);
    assert_ne!(repo.head(), head);
}

#[test]
fn commit_msg_hook_requires_an_incident_id_trailer_on_spec_commits() {
    let repo = Repo::new();
    repo.install(&local_config());
    repo.add_clean_incident();
    repo.git_ok(&["add", "-A"]);

    let before = repo.head();
    let c = repo.commit("disk_full: spec and readiness");
    assert!(
        !c.ok(),
        "a commit touching specs/ without a trailer must be rejected:\n{}",
        c.text
    );
    assert!(
        c.text.contains("Incident-Id"),
        "the message must say what is missing:\n{}",
        c.text
    );
    assert_eq!(repo.head(), before);

    let c = repo.commit(&with_trailer("disk_full: spec and readiness"));
    assert!(
        c.ok(),
        "the same commit with `Incident-Id: {INCIDENT_ID}` must pass:\n{}",
        c.text
    );
    let message = repo.git_ok(&["log", "-1", "--format=%B"]);
    assert!(
        message.contains(&format!("Incident-Id: {INCIDENT_ID}")),
        "{message}"
    );

    // A commit touching no spec needs no trailer.
    repo.write("README.md", "# service\n");
    repo.git_ok(&["add", "README.md"]);
    let c = repo.commit("docs: readme");
    assert!(
        c.ok(),
        "a commit touching no spec needs no trailer:\n{}",
        c.text
    );
}

/// The repository to give pre-commit as `repo:` and its `rev`. This repository at HEAD when
/// HEAD holds `.pre-commit-hooks.yaml` and the work tree is clean (CI, or after a commit);
/// otherwise a clone under target/ with the work tree (tracked and untracked, not ignored)
/// committed on top, so the test judges the code under test, not the last commit. The
/// snapshot commit has fixed dates, so an unchanged work tree gives the same rev and
/// pre-commit's cached install is reused. Nothing is written to this repository.
fn hook_repo() -> (PathBuf, String) {
    let main = manifest_dir();
    let head = git_ok(&main, &["rev-parse", "HEAD"]);
    let committed = git(&main, &["cat-file", "-e", "HEAD:.pre-commit-hooks.yaml"]).ok();
    let status = git_ok(
        &main,
        &[
            "--no-optional-locks",
            "status",
            "--porcelain",
            "--untracked-files=all",
        ],
    );
    if committed && status.is_empty() {
        return (main, head);
    }
    let snap = target_dir().join("pre-commit-snapshot");
    if snap.exists() {
        std::fs::remove_dir_all(&snap).expect("remove the old snapshot");
    }
    std::fs::create_dir_all(target_dir()).expect("target dir");
    git_ok(
        &target_dir(),
        &[
            "clone",
            "-q",
            "--no-checkout",
            main.to_str().expect("UTF-8 path"),
            "pre-commit-snapshot",
        ],
    );
    git_ok(&snap, &["checkout", "-q", "HEAD"]);
    for rel in git_ok(&snap, &["ls-files", "-z"])
        .split('\0')
        .filter(|s| !s.is_empty())
    {
        let _ = std::fs::remove_file(snap.join(rel));
    }
    let files = git_ok(
        &main,
        &[
            "ls-files",
            "-z",
            "--cached",
            "--others",
            "--exclude-standard",
        ],
    );
    for rel in files.split('\0').filter(|s| !s.is_empty()) {
        let from = main.join(rel);
        let Ok(meta) = std::fs::symlink_metadata(&from) else {
            continue; // deleted in the work tree
        };
        let to = snap.join(rel);
        std::fs::create_dir_all(to.parent().expect("parent")).expect("mkdir");
        if meta.file_type().is_symlink() {
            let target = std::fs::read_link(&from).expect("readlink");
            std::os::unix::fs::symlink(target, &to).expect("symlink");
        } else if meta.is_file() {
            std::fs::copy(&from, &to).unwrap_or_else(|e| panic!("copy {rel}: {e}"));
        }
    }
    git_ok(&snap, &["add", "-A"]);
    if !git(&snap, &["diff", "--cached", "--quiet"]).ok() {
        let mut c = command("git", &snap);
        c.args([
            "-c",
            "user.name=sddgate test",
            "-c",
            "user.email=sddgate-test@example.invalid",
            "-c",
            "commit.gpgsign=false",
            "commit",
            "-q",
            "--no-verify",
            "-m",
            "snapshot of the work tree for tests/precommit_framework.rs",
        ])
        .env("GIT_AUTHOR_DATE", "2000-01-01T00:00:00Z")
        .env("GIT_COMMITTER_DATE", "2000-01-01T00:00:00Z");
        let out = output(c);
        assert!(out.ok(), "snapshot commit:\n{}", out.text);
    }
    let rev = git_ok(&snap, &["rev-parse", "HEAD"]);
    (snap, rev)
}

/// `.pre-commit-hooks.yaml` itself: this repository as a local-path repo, `language: rust`, so
/// pre-commit `cargo install`s sddgate into its cache (slow the first time).
#[test]
fn this_repository_as_a_pre_commit_repo_gates_commits() {
    let exe = pre_commit_exe(); // fail fast, before the snapshot
    let (hook_repo, rev) = hook_repo();
    let config = format!(
        "default_install_hook_types: [pre-commit, commit-msg]\n\
         repos:\n\
         - repo: {}\n  rev: {rev}\n  hooks:\n  - id: sddgate\n  - id: sddgate-commit-msg\n",
        hook_repo.display()
    );
    let repo = Repo::new();
    repo.write(".pre-commit-config.yaml", &config);
    repo.git_ok(&["add", ".pre-commit-config.yaml"]);
    repo.git_ok(&["commit", "-q", "-m", "pre-commit config"]);
    // `default_install_hook_types` installs both without --hook-type.
    let out = repo.pre_commit(&["install"]);
    assert!(out.ok(), "pre-commit install:\n{}", out.text);
    assert!(
        repo.path().join(".git/hooks/commit-msg").is_file(),
        "{}",
        out.text
    );

    // Builds the hook environment (`cargo install` of `hook_repo` at `rev`) with a target
    // directory of its own: the one running this test is locked by cargo.
    let mut c = command(exe, repo.path());
    c.args(["install-hooks"]).env(
        "CARGO_TARGET_DIR",
        target_dir().join("pre-commit-cargo-target"),
    );
    let out = output(c);
    assert!(
        out.ok(),
        "pre-commit could not install the hooks of {} at {rev} (language: rust):\n{}",
        hook_repo.display(),
        out.text
    );

    gates_commits(&repo);

    // Drop the environments of earlier snapshot revisions from the cache (their configs lived
    // in temporary repositories that are gone); this config still exists, so its stays.
    let out = repo.pre_commit(&["gc"]);
    assert!(out.ok(), "pre-commit gc:\n{}", out.text);
}

/// The `repo: local` + `language: python` configuration documented in the comments of
/// `.pre-commit-hooks.yaml` (for teams without Rust): the one indented comment block there that
/// holds `repo: local`, uncommented.
fn python_variant_config() -> String {
    let manifest_path = manifest_dir().join(".pre-commit-hooks.yaml");
    let text = std::fs::read_to_string(&manifest_path)
        .unwrap_or_else(|e| panic!("{}: {e}", manifest_path.display()));
    let mut blocks: Vec<Vec<&str>> = vec![Vec::new()];
    for line in text.lines() {
        match line.strip_prefix("#   ") {
            Some(code) => blocks.last_mut().unwrap().push(code),
            None if !blocks.last().unwrap().is_empty() => blocks.push(Vec::new()),
            None => {}
        }
    }
    let found: Vec<String> = blocks
        .iter()
        .filter(|b| b.iter().any(|l| l.trim() == "- repo: local"))
        .map(|b| b.join("\n") + "\n")
        .collect();
    assert_eq!(
        found.len(),
        1,
        ".pre-commit-hooks.yaml must document exactly one `repo: local` configuration \
         (a comment block indented `#   `), found {found:?}"
    );
    found.into_iter().next().unwrap()
}

/// The documented python variant declares the manifest's hooks: same ids, entries, stages,
/// filters and settings, `language: python`, and the wheel pinned at this crate's version.
#[test]
fn the_python_variant_declares_the_manifest_hooks_with_the_wheel() {
    let config = python_variant_config();
    let parsed: serde_yaml::Value = serde_yaml::from_str(&config)
        .unwrap_or_else(|e| panic!("the documented python variant is not YAML ({e}):\n{config}"));
    let repos = parsed["repos"].as_sequence().expect("repos: a list");
    assert_eq!(repos.len(), 1, "{config}");
    assert_eq!(repos[0]["repo"].as_str(), Some("local"));
    let documented = repos[0]["hooks"].as_sequence().expect("hooks: a list");

    let manifest_path = manifest_dir().join(".pre-commit-hooks.yaml");
    let manifest: Vec<serde_yaml::Mapping> =
        serde_yaml::from_str(&std::fs::read_to_string(&manifest_path).unwrap())
            .expect(".pre-commit-hooks.yaml");
    assert_eq!(
        documented.len(),
        manifest.len(),
        "one documented hook per manifest hook"
    );
    let pin = format!("sddgate=={}", env!("CARGO_PKG_VERSION"));
    // Keys that describe the manifest entry rather than the hook's behaviour.
    let not_copied = ["description", "language", "minimum_pre_commit_version"];
    for (doc, hook) in documented.iter().zip(&manifest) {
        let doc = doc.as_mapping().expect("a hook is a mapping");
        let id = hook.get("id").and_then(|v| v.as_str()).unwrap_or("?");
        assert_eq!(
            doc.get("language").and_then(|v| v.as_str()),
            Some("python"),
            "{id}"
        );
        let deps: Vec<&str> = doc
            .get("additional_dependencies")
            .and_then(|v| v.as_sequence())
            .map(|s| s.iter().filter_map(|v| v.as_str()).collect())
            .unwrap_or_default();
        assert_eq!(
            deps,
            [pin.as_str()],
            "{id}: the documented pin must be this version (Cargo.toml)"
        );
        let mut expected = hook.clone();
        for key in not_copied {
            expected.remove(key);
        }
        let mut actual = doc.clone();
        actual.remove("language");
        actual.remove("additional_dependencies");
        assert_eq!(
            actual, expected,
            "the documented python hook `{id}` differs from the manifest's"
        );
    }
    // And pre-commit itself accepts it.
    let repo = Repo::new();
    repo.write(".pre-commit-config.yaml", &config);
    let out = repo.pre_commit(&["validate-config", ".pre-commit-config.yaml"]);
    assert!(
        out.ok(),
        "pre-commit validate-config:\n{}\n{config}",
        out.text
    );
}

/// The directory holding the wheel `.ci/wheel.sh` built and installed (`SDDGATE_WHEEL_VENV`, or
/// target/wheel-venv): the script leaves that one wheel alone in it.
fn wheel_dir() -> PathBuf {
    let venv = std::env::var_os("SDDGATE_WHEEL_VENV")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| manifest_dir().join("target/wheel-venv"));
    let record = venv.join("sddgate-wheel.txt");
    let wheel = std::fs::read_to_string(&record).unwrap_or_else(|e| {
        panic!(
            "no sddgate wheel ({}: {e}), and this test needs one. Build it: \
             `export SDDGATE_WHEEL_VENV=\"$(bash .ci/wheel.sh)\"`",
            record.display()
        )
    });
    let wheel = PathBuf::from(wheel.trim());
    assert!(
        wheel.is_file(),
        "{} is gone: run `bash .ci/wheel.sh`",
        wheel.display()
    );
    wheel.parent().expect("the wheel's directory").to_path_buf()
}

/// The wheels virtualenv seeds new environments from (setuptools among them), from the Python
/// that runs pre-commit (pre-commit depends on virtualenv). pre-commit's placeholder package for
/// `repo: local` is a setup.py that pip builds with setuptools; with `--no-index` this is where
/// pip finds it, as a team's package index would serve it.
fn seed_wheels_dir() -> PathBuf {
    let exe = pre_commit_exe();
    let script = std::fs::read_to_string(exe).unwrap_or_default();
    let python = script
        .lines()
        .next()
        .and_then(|l| l.strip_prefix("#!"))
        .map(|l| l.trim().to_string())
        .unwrap_or_else(|| panic!("{} is not a Python script with a #! line", exe.display()));
    let mut c = command(&python, &manifest_dir());
    c.args([
        "-c",
        "import os, virtualenv.seed.wheels.embed as e; print(os.path.dirname(e.__file__))",
    ]);
    let out = output(c);
    assert!(
        out.ok(),
        "virtualenv's seed wheels from {python}:\n{}",
        out.text
    );
    let dir = PathBuf::from(out.text.trim());
    let has_setuptools = std::fs::read_dir(&dir)
        .map(|d| {
            d.flatten().any(|e| {
                let name = e.file_name();
                let name = name.to_string_lossy();
                name.starts_with("setuptools-") && name.ends_with(".whl")
            })
        })
        .unwrap_or(false);
    assert!(has_setuptools, "no setuptools wheel in {}", dir.display());
    dir
}

/// The documented python variant through the real framework: pre-commit pip-installs the wheel
/// (from a local directory, no index: nothing else named sddgate can come in) into a hook
/// environment, with no cargo involved, and that environment's `sddgate` gates the commits.
#[test]
fn the_python_variant_installs_the_wheel_and_gates_commits() {
    let _ = pre_commit_exe(); // fail fast
    let wheels = wheel_dir();
    let seeds = seed_wheels_dir();
    let home = tempfile::tempdir().expect("pre-commit home");
    let mut repo = Repo::new();
    // A fresh pre-commit cache: a cached environment would hold an older wheel of this version.
    // PIP_FIND_LINKS is split on whitespace.
    let find_links = format!("{} {}", wheels.display(), seeds.display());
    for (k, v) in [
        ("PRE_COMMIT_HOME", home.path().as_os_str().to_owned()),
        ("PIP_NO_INDEX", "1".into()),
        ("PIP_FIND_LINKS", find_links.into()),
        ("PIP_CONFIG_FILE", "/dev/null".into()),
        ("PIP_DISABLE_PIP_VERSION_CHECK", "1".into()),
        // sddgate from a wheel only: pip must never build it from source (with cargo).
        ("PIP_ONLY_BINARY", "sddgate".into()),
    ] {
        repo.env.push((k.to_string(), v));
    }
    repo.write(".pre-commit-config.yaml", &python_variant_config());
    repo.git_ok(&["add", ".pre-commit-config.yaml"]);
    repo.git_ok(&["commit", "-q", "-m", "pre-commit config"]);
    let out = repo.pre_commit(&["install"]);
    assert!(out.ok(), "pre-commit install:\n{}", out.text);
    assert!(
        repo.path().join(".git/hooks/commit-msg").is_file(),
        "{}",
        out.text
    );
    let out = repo.pre_commit(&["install-hooks"]);
    assert!(
        out.ok(),
        "pre-commit could not pip-install the wheel from {}:\n{}",
        wheels.display(),
        out.text
    );
    // The hook environment holds the wheel's binary, at this version.
    let installed: Vec<PathBuf> = std::fs::read_dir(home.path())
        .unwrap()
        .flatten()
        .flat_map(|repo_dir| {
            std::fs::read_dir(repo_dir.path())
                .into_iter()
                .flatten()
                .flatten()
        })
        .map(|env| env.path().join("bin/sddgate"))
        .filter(|p| p.is_file())
        .collect();
    assert_eq!(
        installed.len(),
        1,
        "one sddgate in the hook environments: {installed:?}"
    );
    let v = output({
        let mut c = command(&installed[0], repo.path());
        c.arg("--version");
        c
    });
    assert_eq!(
        v.text.trim(),
        format!("sddgate {}", env!("CARGO_PKG_VERSION")),
        "{}",
        installed[0].display()
    );

    gates_commits(&repo);
}

/// With the hooks installed: a clean incident passes `run --all-files` and commits with its
/// trailer (not without); a concrete command in the spec is then blocked by `run` and by the
/// commit, which is not created.
fn gates_commits(repo: &Repo) {
    repo.add_clean_incident();
    repo.git_ok(&["add", "-A"]);
    let out = repo.pre_commit(&["run", "--all-files"]);
    assert!(out.ok(), "a clean spec must pass:\n{}", out.text);
    let c = repo.commit("disk_full: no trailer");
    assert!(
        !c.ok(),
        "a spec commit without a trailer must be rejected:\n{}",
        c.text
    );
    assert!(c.text.contains("Incident-Id"), "{}", c.text);
    let c = repo.commit(&with_trailer("disk_full: spec and readiness"));
    assert!(
        c.ok(),
        "a clean incident with its trailer must commit:\n{}",
        c.text
    );
    let head = repo.head();

    let (bad, line) = bad_spec();
    repo.write("specs/disk_full/specify.md", &bad);
    repo.git_ok(&["add", "-A"]);
    let out = repo.pre_commit(&["run", "--all-files"]);
    assert_blocked_by_command(&out, line);
    let c = repo.commit(&with_trailer("disk_full: a command in the constraints"));
    assert_blocked_by_command(&c, line);
    assert_eq!(repo.head(), head, "a blocked commit must not be created");
}
