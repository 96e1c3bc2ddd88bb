//! `sddgate init` through the binary: a starting point that validates, blocks honestly until
//! filled in, and never overwrites anything; then `completions` and `man`.

mod common;
use common::*;
use std::collections::BTreeMap;
use std::path::Path;

const TYPE: &str = "example_incident";

/// Every file under `root` (except `.git`) with its bytes.
fn tree(root: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            let rel = p
                .strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            if rel == ".git" {
                continue;
            }
            if p.is_dir() {
                walk(root, &p, out);
            } else {
                out.insert(rel, std::fs::read(&p).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(root, root, &mut out);
    out
}

fn expected_files(t: &str, readiness: &str) -> Vec<String> {
    let mut v = vec![
        ".sddgate.yml".to_string(),
        ".sddgate/schemas/sddgate-config.schema.json".into(),
        ".sddgate/schemas/sddgate-readiness.schema.json".into(),
        format!("specs/{t}/plan.md"),
        format!("specs/{t}/{readiness}"),
        format!("specs/{t}/specify.md"),
        format!("specs/{t}/tasks.md"),
        format!("specs/{t}/validation.md"),
    ];
    v.sort();
    v
}

#[test]
fn init_then_check_in_an_empty_directory_blocks_with_what_to_fill_in() {
    let dir = tempfile::tempdir().unwrap();
    let r = run(sddgate_in(dir.path()), &["init"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let files: Vec<String> = tree(dir.path()).into_keys().collect();
    assert_eq!(files, expected_files(TYPE, "readiness.md"));
    for f in &files {
        assert!(r.stdout.contains(&format!("  wrote {f}\n")), "{}", r.stdout);
    }
    assert!(r.stdout.contains("`sddgate check`"), "{}", r.stdout);

    // The report, exactly: one incident, blocked (never PASS, never an error), every category
    // claimed and verified at 0, and a blocker per thing still to do.
    let r = run(sddgate_in(dir.path()), &["check", "--format", "json"]);
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    let j = json(&r);
    assert_eq!(j["decision"], "block");
    assert_eq!(j["summary"]["incidents"], 1);
    assert_eq!(j["summary"]["errors"], 0);
    assert_eq!(j["errors"], serde_json::json!([]));
    let inc = &j["incidents"][0];
    assert_eq!(inc["incident_id"], "example_incident-draft");
    assert_eq!(inc["spec"], "specs/example_incident/specify.md");
    let text = inc.to_string();
    let mut ids: Vec<&str> = inc["blockers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["id"].as_str().unwrap())
        .collect();
    ids.sort();
    let mut want = vec![
        "audit_trace_incomplete",
        "stateful_without_backup",
        "verification_too_low",
        "rollback_missing",
        "security_zero",
        "blast_radius_undefined",
        "implementation_too_low",
        "spec_too_low",
        "process_too_low",
        "score_below_threshold",
    ];
    want.sort();
    assert_eq!(ids, want, "{text}");
    for b in inc["blockers"].as_array().unwrap() {
        assert!(
            b["fix"].as_str().is_some_and(|f| !f.is_empty()),
            "every blocker says what to do: {b}"
        );
    }
    let gate = &inc["gate"];
    assert_eq!(gate["claimed_total"], 0, "{text}");
    assert_eq!(gate["verified_total"], 0, "{text}");
    assert_eq!(gate["max_total"], 25, "{text}");
    for c in gate["categories"].as_array().unwrap() {
        assert_eq!(
            (&c["claimed"], &c["verified"]),
            (&0.into(), &0.into()),
            "{c}"
        );
        assert_eq!(c["evidence"], serde_json::json!([]), "{c}");
    }
    let human = run(sddgate_in(dir.path()), &["check"]);
    assert_eq!(human.code, 1);
    assert!(
        human.stdout.contains("BLOCK") && human.stdout.contains("0/25"),
        "{}",
        human.stdout
    );
    assert!(!human.stdout.contains("PASS"), "{}", human.stdout);
    assert!(human.stdout.contains("fix: "), "{}", human.stdout);
    assert!(
        human
            .stdout
            .contains("1 incident(s): 0 pass, 0 semi-manual, 1 blocked, 0 error(s)"),
        "{}",
        human.stdout
    );
}

#[test]
fn the_templates_pass_lint_and_parse_as_a_readiness_document() {
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(run(sddgate_in(dir.path()), &["init", "disk_full"]).code, 0);
    let spec = "specs/disk_full/specify.md";
    let r = run(sddgate_in(dir.path()), &["lint", spec, "--format", "json"]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    let j = json(&r);
    let findings = &j["files"][0]["findings"];
    // No concrete command and every required section; the one warning says no action is
    // listed yet, which is the truth.
    let ids: Vec<&str> = findings
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["spec_no_actions"], "{findings}");
    // The readiness document is well-formed: a verdict (exit 1), not an error (exit 2).
    let r = run(
        sddgate_in(dir.path()),
        &["readiness", "specs/disk_full/readiness.md"],
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr
            .starts_with("BLOCK incident=disk_full-draft score=0/25\n"),
        "{}",
        r.stderr
    );
}

#[test]
fn the_yaml_readiness_form_carries_the_modeline_and_blocks_alike() {
    let dir = tempfile::tempdir().unwrap();
    let r = run(
        sddgate_in(dir.path()),
        &["init", "--readiness-format", "yaml"],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let files: Vec<String> = tree(dir.path()).into_keys().collect();
    assert_eq!(files, expected_files(TYPE, "readiness.yaml"));
    let y =
        std::fs::read_to_string(dir.path().join("specs/example_incident/readiness.yaml")).unwrap();
    let modeline = y.lines().next().unwrap();
    let target = modeline
        .strip_prefix("# yaml-language-server: $schema=")
        .expect(modeline);
    // The modeline is relative to the file and leads to the schema init wrote.
    let schema = dir.path().join("specs/example_incident").join(target);
    assert!(schema.is_file(), "{}", schema.display());
    let c = std::fs::read_to_string(dir.path().join(".sddgate.yml")).unwrap();
    let target = c
        .lines()
        .next()
        .unwrap()
        .strip_prefix("# yaml-language-server: $schema=")
        .unwrap();
    assert!(dir.path().join(target).is_file());
    let r = run(sddgate_in(dir.path()), &["check"]);
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("0/25"), "{}", r.stdout);
}

/// What init writes validates against the schemas it writes beside it.
#[test]
fn the_written_config_and_readiness_validate_against_the_written_schemas() {
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(run(sddgate_in(dir.path()), &["init"]).code, 0);
    assert_eq!(
        run(
            sddgate_in(dir.path()),
            &["init", "other", "--readiness-format", "yaml"]
        )
        .code,
        0
    );
    let load = |p: &str| -> serde_json::Value {
        serde_json::from_str(&std::fs::read_to_string(dir.path().join(p)).unwrap()).unwrap()
    };
    let yaml = |text: &str| -> serde_json::Value {
        serde_json::to_value(serde_yaml::from_str::<serde_yaml::Value>(text).unwrap()).unwrap()
    };
    let config =
        jsonschema::validator_for(&load(".sddgate/schemas/sddgate-config.schema.json")).unwrap();
    let readiness =
        jsonschema::validator_for(&load(".sddgate/schemas/sddgate-readiness.schema.json")).unwrap();
    let c = yaml(&std::fs::read_to_string(dir.path().join(".sddgate.yml")).unwrap());
    assert!(
        config.is_valid(&c),
        "{:?}",
        config
            .iter_errors(&c)
            .map(|e| e.to_string())
            .collect::<Vec<_>>()
    );
    let md =
        std::fs::read_to_string(dir.path().join("specs/example_incident/readiness.md")).unwrap();
    let front = md
        .strip_prefix("---\n")
        .unwrap()
        .split("\n---\n")
        .next()
        .unwrap();
    let ya = std::fs::read_to_string(dir.path().join("specs/other/readiness.yaml")).unwrap();
    for (what, doc) in [("readiness.md", yaml(front)), ("readiness.yaml", yaml(&ya))] {
        let errs: Vec<String> = readiness.iter_errors(&doc).map(|e| e.to_string()).collect();
        assert!(errs.is_empty(), "{what}: {errs:?}");
        assert_eq!(doc["scores"]["spec"], 0, "{what}");
        assert_eq!(doc["evidence"], serde_json::json!({}), "{what}");
    }
    // And the schema is not a rubber stamp: the same document with a score of 6 is refused.
    let mut bad = yaml(&ya);
    bad["scores"]["spec"] = 6.into();
    assert!(!readiness.is_valid(&bad));
}

#[test]
fn a_second_run_keeps_everything_and_changes_no_byte() {
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(run(sddgate_in(dir.path()), &["init"]).code, 0);
    let before = tree(dir.path());
    let r = run(sddgate_in(dir.path()), &["init"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(tree(dir.path()), before, "a second run changed the tree");
    assert!(!r.stdout.contains("wrote"), "{}", r.stdout);
    for f in before.keys() {
        assert!(
            r.stdout.contains(&format!("  kept {f} (exists)\n")),
            "{}",
            r.stdout
        );
    }
}

#[test]
fn an_existing_file_is_untouched_and_the_rest_is_written() {
    let dir = temp_repo(&[
        ("specs/example_incident/specify.md", "# mine\n"),
        (".sddgate.yaml", "version: 1\n"),
        ("specs/example_incident/readiness.json", "{}"),
    ]);
    // Run from a subdirectory: inside a git repository the root is where `.git` is.
    std::fs::create_dir_all(dir.path().join("deep/er")).unwrap();
    let r = run(sddgate_in(&dir.path().join("deep/er")), &["init"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let t = tree(dir.path());
    assert_eq!(t["specs/example_incident/specify.md"], b"# mine\n");
    assert_eq!(t[".sddgate.yaml"], b"version: 1\n");
    assert_eq!(t["specs/example_incident/readiness.json"], b"{}");
    // A config under the other accepted name, or a readiness document in another form, keeps
    // init from adding a second one that would silently take over.
    assert!(!t.contains_key(".sddgate.yml"), "{:?}", t.keys());
    assert!(!t.contains_key("specs/example_incident/readiness.md"));
    assert!(
        r.stdout
            .contains("  kept specs/example_incident/specify.md (exists)\n"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains("  kept .sddgate.yml: not written (.sddgate.yaml exists)\n"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains(
            "  kept specs/example_incident/readiness.md: not written (specs/example_incident/readiness.json exists)\n"
        ),
        "{}",
        r.stdout
    );
    for f in ["plan.md", "tasks.md", "validation.md"] {
        assert!(
            t.contains_key(&format!("specs/example_incident/{f}")),
            "{f}"
        );
    }
    assert!(!t.keys().any(|k| k.starts_with("deep/")), "{:?}", t.keys());
    // No temporary file is left behind.
    assert!(!t.keys().any(|k| k.ends_with(".tmp")), "{:?}", t.keys());
}

#[cfg(unix)]
#[test]
fn a_link_in_the_way_is_kept_not_followed() {
    let dir = tempfile::tempdir().unwrap();
    let outside = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("specs/example_incident")).unwrap();
    // A dangling link at a file's name: kept, and nothing is created where it points.
    let target = outside.path().join("victim.md");
    std::os::unix::fs::symlink(&target, dir.path().join("specs/example_incident/plan.md")).unwrap();
    let r = run(sddgate_in(dir.path()), &["init"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(!target.exists(), "init wrote through a link");
    assert!(
        r.stdout
            .contains("  kept specs/example_incident/plan.md (exists)"),
        "{}",
        r.stdout
    );
    // A directory on the way that leads out of the repository is refused.
    let dir = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink(outside.path(), dir.path().join("specs")).unwrap();
    let r = run(sddgate_in(dir.path()), &["init"]);
    assert_eq!(r.code, 2, "{}", r.stdout);
    assert!(
        r.stderr
            .contains("specs/example_incident leads outside the repository"),
        "{}",
        r.stderr
    );
    assert_eq!(
        std::fs::read_dir(outside.path()).unwrap().count(),
        1,
        "only the test's own link target dir"
    );
}

#[test]
fn a_type_that_is_not_a_safe_identifier_is_exit_2_and_writes_nothing() {
    for bad in [
        "../escape",
        "a/b",
        "..",
        "",
        "-rf",
        ".hidden",
        "a b",
        "a\\b",
        "é",
    ] {
        let dir = tempfile::tempdir().unwrap();
        let r = run(sddgate_in(dir.path()), &["init", "--", bad]);
        assert_eq!(r.code, 2, "{bad:?}: {}", r.stdout);
        assert!(
            r.stderr.contains("invalid incident type") && r.stderr.contains("expected"),
            "{bad:?}: {}",
            r.stderr
        );
        assert!(tree(dir.path()).is_empty(), "{bad:?} wrote something");
    }
    // Without `--`, a leading dash is a flag for clap: still exit 2, still nothing written.
    let dir = tempfile::tempdir().unwrap();
    let r = run(sddgate_in(dir.path()), &["init", "-rf"]);
    assert_eq!(r.code, 2);
    assert!(tree(dir.path()).is_empty());
}

/// A directory the user cannot write to: exit 2 naming the file, and no half-written or
/// temporary file. As root, permissions do not bite, so the binary runs as `nobody` (through
/// `setpriv`) when it can.
#[cfg(unix)]
#[test]
fn a_read_only_directory_is_a_clear_error() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let mut perms = std::fs::metadata(dir.path()).unwrap().permissions();
    perms.set_mode(0o555);
    std::fs::set_permissions(dir.path(), perms.clone()).unwrap();
    let bin = std::path::PathBuf::from(env!("CARGO_BIN_EXE_sddgate"));
    let root = unsafe { libc::geteuid() } == 0;
    let mut cmd = if root {
        let mut c = std::process::Command::new("setpriv");
        c.args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(&bin);
        c
    } else {
        std::process::Command::new(&bin)
    };
    if root {
        // The binary must be reachable by `nobody`; where it is not, say so and stop here.
        let probe = std::process::Command::new("setpriv")
            .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(&bin)
            .arg("--version")
            .output();
        if !probe.is_ok_and(|o| o.status.success()) {
            eprintln!(
                "skipped: running as root and `nobody` cannot run {}",
                bin.display()
            );
            return;
        }
    }
    let out = cmd
        .arg("init")
        .current_dir(dir.path())
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    perms.set_mode(0o755);
    std::fs::set_permissions(dir.path(), perms).unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("init: cannot write .sddgate.yml: Permission denied"),
        "{stderr}"
    );
    assert!(tree(dir.path()).is_empty(), "{:?}", tree(dir.path()).keys());
}

mod completions_and_man {
    use super::*;

    #[test]
    fn the_bash_script_parses_and_completes_subcommands() {
        let r = run(sddgate(), &["completions", "bash"]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        let dir = tempfile::tempdir().unwrap();
        let script = dir.path().join("sddgate.bash");
        std::fs::write(&script, &r.stdout).unwrap();
        let syntax = std::process::Command::new("bash")
            .arg("-n")
            .arg(&script)
            .output()
            .expect("bash");
        assert!(
            syntax.status.success(),
            "{}",
            String::from_utf8_lossy(&syntax.stderr)
        );
        // Source it, ask bash what it registered, then run the completion function as bash
        // would for `sddgate in<TAB>` and `sddgate schema <TAB>`.
        let probe = format!(
            r#"source '{}'
complete -p sddgate
COMP_WORDS=(sddgate in); COMP_CWORD=1; COMP_LINE='sddgate in'; COMP_POINT=${{#COMP_LINE}}
_sddgate sddgate in sddgate
echo "first: ${{COMPREPLY[*]}}"
COMP_WORDS=(sddgate schema ''); COMP_CWORD=2; COMP_LINE='sddgate schema '; COMP_POINT=${{#COMP_LINE}}
_sddgate sddgate '' schema
echo "schema: ${{COMPREPLY[*]}}"
"#,
            script.display()
        );
        let out = std::process::Command::new("bash")
            .arg("-c")
            .arg(probe)
            .output()
            .expect("bash");
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{stdout}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(stdout.contains("-F _sddgate sddgate"), "{stdout}");
        let first = stdout.lines().find(|l| l.starts_with("first: ")).unwrap();
        assert!(first.contains("init"), "{first}");
        assert!(!first.contains("check"), "filtered by the prefix: {first}");
        let schema = stdout.lines().find(|l| l.starts_with("schema: ")).unwrap();
        for name in ["readiness", "config", "event", "report", "dry-run", "trace"] {
            assert!(schema.split(' ').any(|w| w == name), "{name} in {schema}");
        }
    }

    #[test]
    fn every_shell_gets_a_script_naming_the_binary() {
        for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
            let r = run(sddgate(), &["completions", shell]);
            assert_eq!(r.code, 0, "{shell}: {}", r.stderr);
            assert!(r.stdout.contains("sddgate"), "{shell}");
            assert!(
                r.stdout.contains("readiness"),
                "{shell}: subcommands listed"
            );
        }
        let r = run(sddgate(), &["completions", "tcsh"]);
        assert_eq!(r.code, 2);
        assert!(r.stderr.contains("invalid value 'tcsh'"), "{}", r.stderr);
    }

    #[test]
    fn the_man_page_names_every_command_and_renders() {
        let r = run(sddgate(), &["man"]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        let page = &r.stdout;
        assert!(
            page.contains(".TH sddgate 1"),
            "{}",
            &page[..page.len().min(400)]
        );
        for section in [
            ".SH NAME",
            ".SH SYNOPSIS",
            ".SH DESCRIPTION",
            ".SH COMMANDS",
            ".SH \"EXIT STATUS\"",
        ] {
            assert!(page.contains(section), "{section}");
        }
        use clap::CommandFactory;
        let cli = sddgate::cli::Cli::command();
        for sub in cli.get_subcommands() {
            let heading = format!(".SS \"sddgate {}\"", sub.get_name());
            let plain = format!(".SS sddgate {}", sub.get_name());
            assert!(
                page.contains(&heading) || page.contains(&plain),
                "no section for {}",
                sub.get_name()
            );
        }
        assert!(page.contains("hook install"), "nested subcommands too");
        assert!(
            page.contains("\\-\\-readiness\\-format"),
            "flags of a subcommand"
        );
        // Rendered by a real formatter when the machine has one (as `man` does: `-k` reads
        // UTF-8): no warning, and the text carries the commands.
        let render = |extra: &[&str]| {
            use std::io::Write;
            let mut child = std::process::Command::new("groff")
                .args(["-k", "-man", "-Tutf8"])
                .args(extra)
                .stdin(std::process::Stdio::piped())
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .ok()?;
            child
                .stdin
                .take()
                .unwrap()
                .write_all(page.as_bytes())
                .unwrap();
            child.wait_with_output().ok()
        };
        let Some(checked) = render(&["-ww", "-z"]) else {
            eprintln!("groff not installed: rendering not checked");
            return;
        };
        let warnings = String::from_utf8_lossy(&checked.stderr);
        assert!(checked.status.success(), "{warnings}");
        assert!(warnings.trim().is_empty(), "groff warns:\n{warnings}");
        let text = render(&["-P-cbou"]).unwrap();
        let text = String::from_utf8_lossy(&text.stdout);
        for want in [
            "sddgate init",
            "sddgate completions",
            "EXIT STATUS",
            "--readiness-format",
        ] {
            assert!(text.contains(want), "{want} not in:\n{text}");
        }
    }
}
