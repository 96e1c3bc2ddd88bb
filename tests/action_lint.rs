//! The GitHub Action (`action.yml`) and the workflows (`.github/workflows/`): linted by
//! `.ci/actions-lint.sh` (check-jsonschema against the SchemaStore schemas, zizmor offline), a
//! proof that the lint fails on a template injection and on a schema error, and the action's
//! contract read straight from the YAML.
//!
//! The tools come from PyPI: the script installs them into `target/ci-venv-actions` (or
//! `SDDGATE_ACTIONS_VENV`) the first time and reuses them after. Without them these tests fail
//! with the command to run: they never pass vacuously.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use serde_yaml::{Mapping, Value};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn script() -> PathBuf {
    root().join(".ci/actions-lint.sh")
}

struct Out {
    ok: bool,
    code: Option<i32>,
    stdout: String,
    /// stdout then stderr.
    text: String,
}

fn run_script(args: &[&Path]) -> Out {
    let out = Command::new("bash")
        .arg(script())
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run bash {}: {e}", script().display()));
    Out::from(out)
}

impl From<std::process::Output> for Out {
    fn from(out: std::process::Output) -> Out {
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        Out {
            ok: out.status.success(),
            code: out.status.code(),
            text: format!("{stdout}{}", String::from_utf8_lossy(&out.stderr)),
            stdout,
        }
    }
}

/// Installs the tools once per test binary (the script is idempotent and locks its venv), and
/// checks they are there. Fails with the command to run when they cannot be had.
fn tools() -> &'static Path {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        let out = run_script(&[Path::new("--install-only")]);
        assert!(
            out.ok,
            "zizmor and check-jsonschema are missing and could not be installed: run \
             `bash .ci/actions-lint.sh` (needs python3 with venv and PyPI)\n{}",
            out.text
        );
        let bin = PathBuf::from(out.stdout.lines().last().unwrap_or_default().trim());
        for tool in ["zizmor", "check-jsonschema"] {
            assert!(
                bin.join(tool).is_file(),
                "{tool} is missing from {}: run `bash .ci/actions-lint.sh`",
                bin.display()
            );
        }
        bin
    })
}

/// A copy of the action and the workflows in a temporary directory, for breaking on purpose.
fn copy_tree() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let workflows = dir.path().join(".github/workflows");
    fs::create_dir_all(&workflows).unwrap();
    fs::copy(root().join("action.yml"), dir.path().join("action.yml")).unwrap();
    for entry in fs::read_dir(root().join(".github/workflows")).unwrap() {
        let path = entry.unwrap().path();
        fs::copy(&path, workflows.join(path.file_name().unwrap())).unwrap();
    }
    dir
}

#[test]
fn action_and_workflows_pass_the_lint() {
    tools();
    let out = run_script(&[]);
    assert!(
        out.ok,
        "bash .ci/actions-lint.sh failed (exit {:?}):\n{}",
        out.code, out.text
    );
    assert!(out.text.contains("No findings to report"), "{}", out.text);
}

#[test]
fn the_lint_reports_a_template_injection() {
    tools();
    let dir = copy_tree();
    let workflow = dir.path().join(".github/workflows/sddgate.yml");
    let mut text = fs::read_to_string(&workflow).unwrap();
    assert!(
        text.trim_end().ends_with("id: sddgate"),
        "the injected step goes after the last step of sddgate.yml:\n{text}"
    );
    text.push_str("      - run: echo ${{ github.event.pull_request.title }}\n");
    fs::write(&workflow, text).unwrap();

    let out = run_script(&[dir.path()]);
    assert_eq!(out.code, Some(1), "{}", out.text);
    assert!(
        out.text.contains("error[template-injection]")
            && out.text.contains("github.event.pull_request.title"),
        "zizmor did not report the injection:\n{}",
        out.text
    );
    // Only zizmor fails: the file is still a valid workflow.
    assert!(
        !out.text.contains("Schema validation errors"),
        "{}",
        out.text
    );
}

#[test]
fn the_lint_reports_an_unknown_key_in_action_yml() {
    tools();
    let dir = copy_tree();
    let action = dir.path().join("action.yml");
    let text = fs::read_to_string(&action).unwrap();
    assert!(text.contains("\n  config:\n"), "{text}");
    fs::write(
        &action,
        text.replacen("\n  config:\n", "\n  config:\n    typo-key: oops\n", 1),
    )
    .unwrap();

    let out = run_script(&[dir.path()]);
    assert_eq!(out.code, Some(1), "{}", out.text);
    assert!(
        out.text.contains("Schema validation errors")
            && out.text.contains("$.inputs.config")
            && out.text.contains("'typo-key' was unexpected"),
        "check-jsonschema did not report the unknown key:\n{}",
        out.text
    );
    assert!(out.text.contains("No findings to report"), "{}", out.text);
}

#[test]
fn the_workflow_in_docs_github_md_passes_the_lint() {
    tools();
    let doc = fs::read_to_string(root().join("docs/github.md")).unwrap();
    let start = doc
        .find("```yaml\n")
        .expect("a ```yaml block in docs/github.md")
        + 8;
    let len = doc[start..].find("```").expect("the end of the block");
    let placeholder = "OWNER/sddgate@FULL_COMMIT_SHA # v1.2.3";
    let workflow = &doc[start..start + len];
    assert!(workflow.contains(placeholder), "{workflow}");
    // What a user writes in place of the placeholders.
    let workflow = workflow.replace(
        placeholder,
        "example/sddgate@0123456789abcdef0123456789abcdef01234567 # v1.2.3",
    );

    let dir = tempfile::tempdir().unwrap();
    fs::create_dir_all(dir.path().join(".github/workflows")).unwrap();
    fs::copy(root().join("action.yml"), dir.path().join("action.yml")).unwrap();
    fs::write(dir.path().join(".github/workflows/sddgate.yml"), &workflow).unwrap();
    let out = run_script(&[dir.path()]);
    assert!(
        out.ok,
        "the workflow in docs/github.md fails the lint (exit {:?}):\n{}",
        out.code, out.text
    );

    // The same permissions and settings as this repository's own workflow.
    let doc: Value = serde_yaml::from_str(&workflow).unwrap();
    let own = yaml(".github/workflows/sddgate.yml");
    for key in ["on", "permissions", "concurrency"] {
        assert_eq!(
            get(&doc, key),
            get(&own, key),
            "`{key}` differs from sddgate.yml"
        );
    }
    let job = |w: &Value| get(get(w, "jobs"), "sddgate").clone();
    for key in ["name", "permissions"] {
        assert_eq!(
            get(&job(&doc), key),
            get(&job(&own), key),
            "job `{key}` differs"
        );
    }
    let checkout = |w: &Value| get(&job(w), "steps")[0].clone();
    assert_eq!(checkout(&doc), checkout(&own), "the checkout step differs");
}

// ---- the contract, read from the YAML ----

fn yaml(path: &str) -> Value {
    let text = fs::read_to_string(root().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_yaml::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn map<'a>(v: &'a Value, what: &str) -> &'a Mapping {
    v.as_mapping()
        .unwrap_or_else(|| panic!("{what} is not a mapping: {v:?}"))
}

fn get<'a>(v: &'a Value, key: &str) -> &'a Value {
    v.get(key).unwrap_or_else(|| panic!("no `{key}` in {v:?}"))
}

fn keys(m: &Mapping) -> BTreeSet<String> {
    m.keys()
        .map(|k| k.as_str().expect("string key").to_owned())
        .collect()
}

fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

/// The names X of every `${{ inputs.X }}` (and `inputs.X` inside a longer expression).
fn inputs_used(text: &str) -> BTreeSet<String> {
    let mut used = BTreeSet::new();
    let mut rest = text;
    while let Some(open) = rest.find("${{") {
        let after = &rest[open + 3..];
        let close = after.find("}}").expect("unclosed ${{ in action.yml");
        let expr = &after[..close];
        let mut e = expr;
        while let Some(at) = e.find("inputs.") {
            let name: String = e[at + 7..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
                .collect();
            used.insert(name);
            e = &e[at + 7..];
        }
        rest = &after[close + 2..];
    }
    used
}

#[test]
fn action_yml_declares_what_it_uses_and_keeps_expressions_out_of_scripts() {
    let text = fs::read_to_string(root().join("action.yml")).unwrap();
    let action = yaml("action.yml");

    let inputs = map(get(&action, "inputs"), "inputs");
    assert_eq!(
        keys(inputs),
        set(&[
            "config",
            "paths",
            "github-token",
            "comment",
            "check-run",
            "handoff-to",
            "publish-from"
        ])
    );
    let default = |name: &str| {
        get(get(&action, "inputs"), name)
            .get("default")
            .and_then(Value::as_str)
            .unwrap_or_else(|| panic!("input {name} has no string default"))
            .to_owned()
    };
    assert_eq!(default("config"), "");
    assert_eq!(default("paths"), "");
    assert_eq!(default("github-token"), "${{ github.token }}");
    assert_eq!(default("comment"), "true");
    assert_eq!(default("check-run"), "true");
    assert_eq!(default("handoff-to"), "");
    assert_eq!(default("publish-from"), "");

    let used = inputs_used(&text);
    assert!(!used.is_empty(), "action.yml reads no input");
    let declared = keys(inputs);
    let undeclared: Vec<_> = used.difference(&declared).collect();
    assert!(
        undeclared.is_empty(),
        "inputs used but not declared: {undeclared:?}"
    );
    let unused: Vec<_> = declared.difference(&used).collect();
    assert!(
        unused.is_empty(),
        "inputs declared but never used: {unused:?}"
    );

    let outputs = map(get(&action, "outputs"), "outputs");
    assert_eq!(keys(outputs), set(&["decision", "score", "incident-ids"]));
    for name in ["decision", "score", "incident-ids"] {
        assert_eq!(
            get(get(get(&action, "outputs"), name), "value").as_str(),
            Some(format!("${{{{ steps.gate.outputs.{name} }}}}").as_str()),
            "output {name}"
        );
    }

    let runs = get(&action, "runs");
    assert_eq!(get(runs, "using").as_str(), Some("composite"));
    let steps = get(runs, "steps").as_sequence().expect("steps");
    for step in steps {
        if let Some(run) = step.get("run") {
            let run = run.as_str().expect("run is a string");
            assert!(
                !run.contains("${{"),
                "a run: script interpolates an expression (pass it through env:):\n{run}"
            );
            assert_eq!(
                step.get("shell").and_then(Value::as_str),
                Some("bash"),
                "{run}"
            );
        }
        if let Some(uses) = step.get("uses").and_then(Value::as_str) {
            assert_pinned(uses, &text);
        }
    }

    // The gate step: sddgate ci with the env contract, every input through env:.
    let gate = steps
        .iter()
        .find(|s| s.get("id").and_then(Value::as_str) == Some("gate"))
        .expect("a step with id: gate");
    let script = get(gate, "run").as_str().unwrap();
    assert!(script.trim().ends_with(" ci"));
    // The token is masked before sddgate runs, whoever minted it.
    let first = script.lines().next().unwrap_or("");
    assert!(
        first.contains(r#"echo "::add-mask::$GITHUB_TOKEN""#),
        "the gate step must mask the token first:\n{script}"
    );
    let env = get(gate, "env");
    for (var, input) in [
        ("GITHUB_TOKEN", "github-token"),
        ("SDDGATE_CONFIG", "config"),
        ("SDDGATE_PATHS", "paths"),
        ("SDDGATE_COMMENT", "comment"),
        ("SDDGATE_CHECK_RUN", "check-run"),
        ("SDDGATE_HANDOFF_TO", "handoff-to"),
        ("SDDGATE_PUBLISH_FROM", "publish-from"),
    ] {
        assert_eq!(
            get(env, var).as_str(),
            Some(format!("${{{{ inputs.{input} }}}}").as_str()),
            "env {var}"
        );
    }
}

/// `owner/repo[/path]@<40 hex>` with a `# vX…` comment on the same line.
fn assert_pinned(uses: &str, text: &str) {
    if uses.starts_with("./") || uses.starts_with("$/") {
        return;
    }
    let (_, rev) = uses
        .split_once('@')
        .unwrap_or_else(|| panic!("{uses} has no @ref"));
    assert!(
        rev.len() == 40 && rev.chars().all(|c| c.is_ascii_hexdigit()),
        "{uses} is not pinned by full commit SHA"
    );
    let line = text
        .lines()
        .find(|l| l.contains(uses))
        .unwrap_or_else(|| panic!("{uses} not found as written"));
    assert!(
        line.contains("# v"),
        "{uses} has no version comment: {line}"
    );
}

#[test]
fn the_workflows_ask_for_exactly_their_permissions() {
    let gate = yaml(".github/workflows/sddgate.yml");
    let on = get(&gate, "on");
    assert!(
        get(on, "pull_request").is_null(),
        "pull_request on every path, no filter: {on:?}"
    );
    assert_eq!(map(get(&gate, "permissions"), "permissions").len(), 0);
    let concurrency = get(&gate, "concurrency");
    assert_eq!(
        get(concurrency, "group").as_str(),
        Some("sddgate-${{ github.event.pull_request.number }}")
    );
    assert_eq!(get(concurrency, "cancel-in-progress").as_bool(), Some(true));
    let jobs = map(get(&gate, "jobs"), "jobs");
    assert_eq!(jobs.len(), 1);
    let job = jobs.values().next().unwrap();
    let perms = map(get(job, "permissions"), "job permissions");
    assert_eq!(keys(perms), set(&["checks", "pull-requests", "contents"]));
    assert_eq!(
        get(job, "permissions")
            .get("checks")
            .and_then(Value::as_str),
        Some("write")
    );
    assert_eq!(
        get(job, "permissions")
            .get("pull-requests")
            .and_then(Value::as_str),
        Some("write")
    );
    assert_eq!(
        get(job, "permissions")
            .get("contents")
            .and_then(Value::as_str),
        Some("read")
    );
    let steps = get(job, "steps").as_sequence().unwrap();
    let text = fs::read_to_string(root().join(".github/workflows/sddgate.yml")).unwrap();
    let checkout = &steps[0];
    assert_pinned(get(checkout, "uses").as_str().unwrap(), &text);
    assert!(
        get(checkout, "uses")
            .as_str()
            .unwrap()
            .starts_with("actions/checkout@")
    );
    let with = get(checkout, "with");
    assert_eq!(get(with, "persist-credentials").as_bool(), Some(false));
    assert_eq!(get(with, "fetch-depth").as_i64(), Some(0));
    assert!(
        steps
            .iter()
            .any(|s| matches!(s.get("uses").and_then(Value::as_str), Some("$/" | "./"))),
        "the workflow uses this repository's own action"
    );

    let ci = yaml(".github/workflows/ci.yml");
    let perms = map(get(&ci, "permissions"), "ci permissions");
    assert_eq!(keys(perms), set(&["contents"]));
    assert_eq!(
        get(&ci, "permissions")
            .get("contents")
            .and_then(Value::as_str),
        Some("read")
    );
    let on = map(get(&ci, "on"), "ci on");
    assert_eq!(keys(on), set(&["push", "pull_request"]));
    let text = fs::read_to_string(root().join(".github/workflows/ci.yml")).unwrap();
    assert!(text.contains("run: bash .ci/run"), "{text}");
    for job in map(get(&ci, "jobs"), "ci jobs").values() {
        for step in get(job, "steps").as_sequence().unwrap() {
            if let Some(uses) = step.get("uses").and_then(Value::as_str) {
                assert_pinned(uses, &text);
            }
        }
    }
}

/// The source build runs outside the checkout: cargo and rustup read `.cargo/config.toml` and
/// `rust-toolchain.toml` from the working directory upwards, and the working directory of a
/// step is the pull request's checkout. The `build` step's script is run for real here, from a
/// "checkout" holding such files, with a `cargo` on PATH that records where it was started.
#[test]
fn the_source_build_runs_outside_the_checkout() {
    let action = yaml("action.yml");
    let steps = get(get(&action, "runs"), "steps").as_sequence().unwrap();
    let build = steps
        .iter()
        .find(|s| s.get("id").and_then(Value::as_str) == Some("build"))
        .expect("a step with id: build");
    let script = get(build, "run").as_str().unwrap();

    let dir = tempfile::tempdir().unwrap();
    let checkout = dir.path().join("work/repo");
    let temp = dir.path().join("work/_temp");
    let bin = dir.path().join("fakebin");
    let install = temp.join("sddgate-root");
    for d in [&checkout.join(".cargo"), &temp, &bin] {
        fs::create_dir_all(d).unwrap();
    }
    fs::write(
        checkout.join(".cargo/config.toml"),
        "[build]\nrustc-wrapper = \"./evil.sh\"\n",
    )
    .unwrap();
    fs::write(
        checkout.join("rust-toolchain.toml"),
        "[toolchain]\npath = \"./evil\"\n",
    )
    .unwrap();
    let cwd_log = dir.path().join("cargo-cwd");
    // `cargo --version` then `cargo install … --root R`: record the directory, install a binary.
    let fake = format!(
        "#!/bin/sh\npwd >> '{}'\nif [ \"$1\" = install ]; then\n  while [ $# -gt 0 ]; do [ \"$1\" = --root ] && r=$2; shift; done\n  mkdir -p \"$r/bin\"\n  printf '#!/bin/sh\\necho sddgate 0\\n' > \"$r/bin/sddgate\"\n  chmod +x \"$r/bin/sddgate\"\nfi\n",
        cwd_log.display()
    );
    let cargo = bin.join("cargo");
    fs::write(&cargo, fake).unwrap();
    Command::new("chmod")
        .arg("+x")
        .arg(&cargo)
        .status()
        .unwrap();
    let output = dir.path().join("github-output");
    let out = Command::new("bash")
        .arg("-e")
        .arg("-c")
        .arg(script)
        .current_dir(&checkout)
        .env(
            "PATH",
            format!("{}:{}", bin.display(), std::env::var("PATH").unwrap()),
        )
        .env("RUNNER_TEMP", &temp)
        .env("GITHUB_ACTION_PATH", root().as_os_str())
        .env("GITHUB_OUTPUT", &output)
        .env("ROOT", &install)
        .env("EXE", "sddgate")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let cwds = fs::read_to_string(&cwd_log).unwrap();
    let lines: Vec<&str> = cwds.lines().collect();
    assert_eq!(lines.len(), 2, "cargo --version and cargo install: {cwds}");
    let temp = fs::canonicalize(&temp).unwrap();
    for l in &lines {
        assert_eq!(Path::new(l), temp, "cargo ran in {l}, not in RUNNER_TEMP");
    }
    assert!(fs::read_to_string(&output).unwrap().contains("built=true"));
}

// ---- fork pull requests: the `workflow_run` workflow ----

const FORK_WORKFLOW: &str = ".github/workflows/sddgate-fork.yml";

/// The `yaml` block of docs/github.md that holds `needle`.
fn doc_block(needle: &str) -> String {
    yaml_block("docs/github.md", needle)
}

/// The `yaml` block of a document of this repository that holds `needle`.
fn yaml_block(doc: &str, needle: &str) -> String {
    let text = fs::read_to_string(root().join(doc)).unwrap();
    text.split("```yaml\n")
        .skip(1)
        .map(|b| &b[..b.find("```").expect("the end of the block")])
        .find(|b| b.contains(needle))
        .unwrap_or_else(|| panic!("no ```yaml block with {needle:?} in {doc}"))
        .to_string()
}

/// The example in the docs is the workflow this repository runs, placeholders aside, and it
/// passes the lint as a user would write it.
#[test]
fn the_fork_workflow_in_docs_github_md_is_sddgate_fork_yml() {
    tools();
    let block = doc_block("workflow_run:");
    let placeholder = "OWNER/sddgate@FULL_COMMIT_SHA # v1.2.3";
    assert_eq!(block.matches(placeholder).count(), 2, "{block}");
    let own = fs::read_to_string(root().join(FORK_WORKFLOW)).unwrap();
    assert_eq!(
        block.replace(placeholder, "$/"),
        own,
        "docs/github.md and {FORK_WORKFLOW} differ"
    );

    let dir = tempfile::tempdir().unwrap();
    fs::create_dir_all(dir.path().join(".github/workflows")).unwrap();
    fs::copy(root().join("action.yml"), dir.path().join("action.yml")).unwrap();
    fs::write(
        dir.path().join(".github/workflows/sddgate-fork.yml"),
        block.replace(
            placeholder,
            "example/sddgate@0123456789abcdef0123456789abcdef01234567 # v1.2.3",
        ),
    )
    .unwrap();
    let out = run_script(&[dir.path()]);
    assert!(
        out.ok,
        "the fork workflow in docs/github.md fails the lint (exit {:?}):\n{}",
        out.code, out.text
    );
}

/// Without its inline ignore, zizmor flags the `workflow_run` trigger: the ignore is needed,
/// and it is the only finding.
#[test]
fn the_fork_workflows_trigger_is_ignored_with_its_reason() {
    tools();
    let text = fs::read_to_string(root().join(FORK_WORKFLOW)).unwrap();
    let line = text
        .lines()
        .find(|l| l.contains("# zizmor: ignore[dangerous-triggers]"))
        .expect("the inline ignore");
    assert!(line.trim_start().starts_with("workflow_run:"), "{line}");
    let reason = line.split("ignore[dangerous-triggers]").nth(1).unwrap();
    assert!(
        reason.trim().len() > 40,
        "the ignore states its reason: {line}"
    );

    let dir = copy_tree();
    let bare: String = text
        .lines()
        .map(|l| match l.find(" # zizmor: ignore[dangerous-triggers]") {
            Some(at) => format!("{}\n", &l[..at]),
            None => format!("{l}\n"),
        })
        .collect();
    fs::write(dir.path().join(FORK_WORKFLOW), bare).unwrap();
    let out = run_script(&[dir.path()]);
    assert_eq!(out.code, Some(1), "{}", out.text);
    assert!(
        out.text.contains("error[dangerous-triggers]") && out.text.contains("sddgate-fork.yml"),
        "{}",
        out.text
    );
    assert_eq!(out.text.matches("error[").count(), 1, "{}", out.text);
}

fn perms(job: &Value) -> Vec<(String, String)> {
    map(get(job, "permissions"), "job permissions")
        .iter()
        .map(|(k, v)| {
            (
                k.as_str().unwrap().to_owned(),
                v.as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

/// The write token and the pull request's code never meet: `judge` (checkout) may only read,
/// `publish` (write) checks out nothing, no step runs a script, every action is pinned, and the
/// handoff goes from one job to the other through this run's artifact.
#[test]
fn the_fork_workflow_keeps_the_write_token_away_from_the_pull_requests_code() {
    let w = yaml(FORK_WORKFLOW);
    let text = fs::read_to_string(root().join(FORK_WORKFLOW)).unwrap();
    let gate = yaml(".github/workflows/sddgate.yml");
    let run = get(get(&w, "on"), "workflow_run");
    assert_eq!(
        get(run, "workflows").as_sequence().unwrap(),
        &vec![get(&gate, "name").clone()],
        "triggered by the gate workflow, by its name"
    );
    assert_eq!(
        get(run, "types").as_sequence().unwrap(),
        &vec![Value::from("completed")]
    );
    assert_eq!(map(get(&w, "permissions"), "permissions").len(), 0);
    let jobs = map(get(&w, "jobs"), "jobs");
    assert_eq!(keys(jobs), set(&["judge", "publish"]));
    let (judge, publish) = (
        get(get(&w, "jobs"), "judge"),
        get(get(&w, "jobs"), "publish"),
    );

    let cond = get(judge, "if").as_str().unwrap();
    for part in [
        "github.event.workflow_run.event == 'pull_request'",
        "github.event.workflow_run.head_repository.full_name != github.repository",
    ] {
        assert!(cond.contains(part), "judge if: {cond}");
    }
    assert_eq!(
        perms(judge),
        vec![
            ("contents".into(), "read".into()),
            ("pull-requests".into(), "read".into())
        ]
    );
    assert_eq!(
        perms(publish),
        vec![
            ("checks".into(), "write".into()),
            ("pull-requests".into(), "write".into())
        ]
    );
    assert_eq!(get(publish, "needs").as_str(), Some("judge"));
    let pcond = get(publish, "if").as_str().unwrap();
    assert!(
        pcond.contains("!cancelled()") && pcond.contains("needs.judge.result != 'skipped'"),
        "publish runs after a failing judge (a block), not after a skipped one: {pcond}"
    );

    let steps = |job: &Value| get(job, "steps").as_sequence().unwrap().clone();
    let uses = |s: &Value| {
        s.get("uses")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned()
    };
    for step in steps(judge).iter().chain(steps(publish).iter()) {
        assert!(step.get("run").is_none(), "no script runs: {step:?}");
        let u = uses(step);
        assert!(!u.starts_with("./"), "nothing from the checkout: {u}");
        assert_pinned(&u, &text);
    }
    let judge_steps = steps(judge);
    let checkout = &judge_steps[0];
    assert!(uses(checkout).starts_with("actions/checkout@"));
    let with = get(checkout, "with");
    assert_eq!(get(with, "persist-credentials").as_bool(), Some(false));
    assert_eq!(
        get(with, "ref").as_str(),
        Some("${{ github.event.workflow_run.head_sha }}")
    );
    let gate_step = &judge_steps[1];
    assert_eq!(uses(gate_step), "$/");
    let handoff_to = get(get(gate_step, "with"), "handoff-to")
        .as_str()
        .unwrap()
        .to_owned();
    let upload = &judge_steps[2];
    assert!(uses(upload).starts_with("actions/upload-artifact@"));
    assert_eq!(get(upload, "if").as_str(), Some("${{ !cancelled() }}"));
    let up = get(upload, "with");
    assert_eq!(get(up, "path").as_str(), Some(handoff_to.as_str()));
    assert_eq!(get(up, "if-no-files-found").as_str(), Some("error"));

    let publish_steps = steps(publish);
    assert!(
        publish_steps
            .iter()
            .all(|s| !uses(s).starts_with("actions/checkout")),
        "publish checks out nothing"
    );
    assert_eq!(publish_steps.len(), 2);
    let download = &publish_steps[0];
    assert!(uses(download).starts_with("actions/download-artifact@"));
    let down = get(download, "with");
    assert_eq!(get(down, "name"), get(up, "name"));
    assert!(
        down.get("run-id").is_none() && down.get("github-token").is_none(),
        "the artifact of this run only"
    );
    let dir = get(down, "path").as_str().unwrap();
    assert_eq!(uses(&publish_steps[1]), "$/");
    let from = get(get(&publish_steps[1], "with"), "publish-from")
        .as_str()
        .unwrap();
    assert_eq!(from, format!("{dir}/handoff.json"));
    assert!(handoff_to.ends_with("/handoff.json"), "{handoff_to}");
}

/// The job of docs/gitlab.md, as a user copies it.
fn gitlab_job() -> String {
    yaml_block("docs/gitlab.md", "# .gitlab-ci.yml\n")
}

fn check_gitlab_ci(text: &str) -> Out {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join(".gitlab-ci.yml");
    fs::write(&file, text).unwrap();
    let out = Command::new(tools().join("check-jsonschema"))
        .args(["--builtin-schema", "vendor.gitlab-ci"])
        .arg(&file)
        .output()
        .expect("check-jsonschema runs");
    Out::from(out)
}

/// docs/gitlab.md's job validates against GitLab's CI schema (SchemaStore's, vendored by
/// check-jsonschema), a typo in it does not, and every sddgate command it runs parses.
#[test]
fn the_gitlab_job_in_docs_gitlab_md_is_valid_gitlab_ci() {
    tools();
    let job = gitlab_job();
    let out = check_gitlab_ci(&job);
    assert!(
        out.ok,
        "docs/gitlab.md's job is not valid GitLab CI:\n{}",
        out.text
    );
    assert!(out.stdout.contains("ok -- validation done"), "{}", out.text);

    let broken = job.replacen("  artifacts:\n", "  artifact:\n", 1);
    assert_ne!(broken, job);
    let out = check_gitlab_ci(&broken);
    assert_eq!(out.code, Some(1), "a misspelt key passed:\n{}", out.text);

    // The reports it names are the formats sddgate writes, and every `sddgate` line is a
    // command line the binary accepts (`--help` appended: parsed, nothing run).
    let doc: Value = serde_yaml::from_str(&job).unwrap();
    let reports = get(get(get(&doc, "sddgate"), "artifacts"), "reports");
    assert_eq!(
        get(reports, "codequality").as_str(),
        Some("gl-code-quality-report.json")
    );
    assert_eq!(get(reports, "junit").as_str(), Some("sddgate-junit.xml"));
    let script = get(get(&doc, "sddgate"), "script").as_sequence().unwrap();
    let mut runs = 0;
    for line in script.iter().filter_map(Value::as_str) {
        let Some(rest) = line.strip_prefix("sddgate ") else {
            continue;
        };
        let args: Vec<&str> = rest
            .split(" > ")
            .next()
            .unwrap()
            .split(" || ")
            .next()
            .unwrap()
            .split_whitespace()
            .collect();
        let out = Command::new(env!("CARGO_BIN_EXE_sddgate"))
            .args(&args)
            .arg("--help")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "`sddgate {}` is no valid command line:\n{}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr)
        );
        runs += 1;
    }
    assert_eq!(runs, 3, "{job}");
}
