//! The README's pipeline section is executable: every `$ sddgate …` line of its console blocks
//! runs here. A trailing `# exit N` is the exit code it must give; lines after a command are
//! its exact output (stdout then stderr).

mod common;
use common::*;

struct Example {
    args: Vec<String>,
    exit: Option<i32>,
    output: Vec<String>,
}

/// The `$ sddgate …` examples of the README section headed `heading`.
fn examples(heading: &str) -> Vec<Example> {
    let text = std::fs::read_to_string(repo_root().join("README.md")).expect("README.md");
    let section = text
        .split(heading)
        .nth(1)
        .and_then(|s| s.split("\n## ").next())
        .unwrap_or_else(|| panic!("no section {heading:?} in README.md"));
    let mut out: Vec<Example> = Vec::new();
    let mut in_block = false;
    for line in section.lines() {
        if line.starts_with("```") {
            in_block = line == "```console";
            continue;
        }
        if !in_block {
            continue;
        }
        if let Some(cmd) = line.strip_prefix("$ sddgate ") {
            let (cmd, exit) = match cmd.split_once("   # exit ") {
                Some((c, e)) => (c, Some(e.trim().parse().expect("exit code"))),
                None => (cmd, None),
            };
            out.push(Example {
                args: split_args(cmd),
                exit,
                output: vec![],
            });
        } else if let Some(last) = out.last_mut() {
            last.output.push(line.to_string());
        }
    }
    out
}

/// Splits on spaces; the README's commands quote nothing.
fn split_args(cmd: &str) -> Vec<String> {
    cmd.split_whitespace().map(str::to_string).collect()
}

#[test]
fn every_pipeline_example_in_the_readme_runs_as_documented() {
    let examples = examples("## The incident pipeline, end to end");
    assert!(examples.len() >= 12, "found {}", examples.len());
    let failures = run_examples(&examples, sddgate, None);
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// "Five minutes to adopt" as a new user lives it: in an empty git repository, `init` and the
/// commands after it give exactly the README's output (`<repo>` stands for the repository's
/// path) and exit codes.
#[test]
fn the_five_minutes_to_adopt_run_as_documented_in_an_empty_repository() {
    let examples = examples("## Five minutes to adopt");
    assert!(examples.len() >= 3, "found {}", examples.len());
    assert_eq!(examples[0].args[0], "init", "the section starts with init");
    let dir = tempfile::tempdir().unwrap();
    git(dir.path(), &["init", "-q"]);
    let shown = dir.path().canonicalize().unwrap().display().to_string();
    let failures = run_examples(&examples, || sddgate_in(dir.path()), Some(&shown));
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// Runs each example; a mismatch of exit code or output is a failure. `repo`, when given, is
/// written `<repo>` in the README.
fn run_examples(
    examples: &[Example],
    command: impl Fn() -> assert_cmd::Command,
    repo: Option<&str>,
) -> Vec<String> {
    let mut failures = Vec::new();
    for ex in examples {
        let args: Vec<&str> = ex.args.iter().map(String::as_str).collect();
        let mut r = run(command(), &args);
        if let Some(repo) = repo {
            r.stdout = r.stdout.replace(repo, "<repo>");
            r.stderr = r.stderr.replace(repo, "<repo>");
        }
        let shown = format!("sddgate {}", ex.args.join(" "));
        if let Some(code) = ex.exit
            && r.code != code
        {
            failures.push(format!(
                "{shown}: exit {} (README says {code})\n{}{}",
                r.code, r.stdout, r.stderr
            ));
        }
        if !ex.output.is_empty() {
            let got: Vec<&str> = r.stdout.lines().chain(r.stderr.lines()).collect();
            if got != ex.output {
                failures.push(format!(
                    "{shown}: output differs from the README\n--- README\n{}\n--- got\n{}",
                    ex.output.join("\n"),
                    got.join("\n")
                ));
            }
        }
    }
    failures
}

/// The workflow shown in the README is the one `tests/action_lint.rs` lints (docs/github.md's).
#[test]
fn readme_workflow_is_the_linted_one() {
    let block = |text: &str, after: &str| -> String {
        let from = text
            .find(after)
            .unwrap_or_else(|| panic!("`{after}` not found"));
        let start = text[from..].find("```yaml\n").expect("a yaml block") + from + 8;
        let len = text[start..].find("```").expect("end of the block");
        text[start..start + len].to_string()
    };
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let docs = std::fs::read_to_string(root.join("docs/github.md")).unwrap();
    let ours = block(&readme, "## GitHub Action");
    assert!(ours.contains("pull-requests: write") && ours.contains("concurrency:"));
    assert_eq!(ours, block(&docs, "## The workflow"));
}
