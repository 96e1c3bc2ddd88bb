//! The Python wheel (pyproject.toml, maturin `bindings = "bin"`), installed from its file into a
//! clean virtualenv by `.ci/wheel.sh`: the `sddgate` it puts on the venv's PATH is this crate at
//! this version and gates like the cargo-built binary, and the wheel's metadata says what
//! Cargo.toml and pyproject.toml say.
//!
//! The venv is found through `SDDGATE_WHEEL_VENV` (CI: `export SDDGATE_WHEEL_VENV="$(bash
//! .ci/wheel.sh)"`) or in `target/wheel-venv`, where the script puts it. Without it these tests
//! fail with the command to run: they never pass vacuously. The wheel's zip is read with the
//! venv's own Python (`zipfile`, `hashlib`): no zip code here.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use serde_json::Value;

const VERSION: &str = env!("CARGO_PKG_VERSION");
/// Cargo.toml's `license` ("" when it declares none): the wheel's comes from it.
const LICENSE: &str = env!("CARGO_PKG_LICENSE");

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The venv `.ci/wheel.sh` made, checked to hold a `sddgate` and the record of its wheel.
fn venv() -> &'static Path {
    static VENV: OnceLock<PathBuf> = OnceLock::new();
    VENV.get_or_init(|| {
        let venv = std::env::var_os("SDDGATE_WHEEL_VENV")
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
            .or_else(|| {
                let dir = root().join("target/wheel-venv");
                dir.is_dir().then_some(dir)
            })
            .unwrap_or_else(|| {
                panic!(
                    "no venv with the sddgate wheel, and these tests need one.\n\
                     Build and install it: `export SDDGATE_WHEEL_VENV=\"$(bash .ci/wheel.sh)\"` \
                     (needs python3 with venv, cargo, and PyPI for maturin)."
                )
            });
        for rel in ["bin/sddgate", "bin/python", "sddgate-wheel.txt"] {
            assert!(
                venv.join(rel).is_file(),
                "{} has no {rel}: rebuild it with `bash .ci/wheel.sh`",
                venv.display()
            );
        }
        venv
    })
}

fn wheel_file() -> PathBuf {
    let record = venv().join("sddgate-wheel.txt");
    let text = fs::read_to_string(&record).unwrap_or_else(|e| panic!("{}: {e}", record.display()));
    let wheel = PathBuf::from(text.trim());
    assert!(
        wheel.is_file(),
        "{} names {}, which is gone: rebuild with `bash .ci/wheel.sh`",
        record.display(),
        wheel.display()
    );
    wheel
}

struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

fn run(program: &Path, dir: &Path, args: &[&str]) -> Run {
    let out = Command::new(program)
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("CLICOLOR_FORCE")
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", program.display()));
    Run {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

#[test]
fn the_wheel_binary_is_this_version() {
    let out = run(&venv().join("bin/sddgate"), &root(), &["--version"]);
    assert_eq!(out.code, Some(0), "sddgate --version:\n{}", out.stderr);
    assert_eq!(
        out.stdout.trim(),
        format!("sddgate {VERSION}"),
        "the wheel's sddgate is not Cargo.toml's version: rebuild with `bash .ci/wheel.sh`"
    );
}

/// The example repository (config, specs, readiness documents, trace log, fixtures), copied so
/// that neither binary can see anything else of this checkout.
fn example_copy() -> tempfile::TempDir {
    fn copy(from: &Path, to: &Path) {
        let meta = fs::symlink_metadata(from).unwrap_or_else(|e| panic!("{}: {e}", from.display()));
        if meta.is_dir() {
            fs::create_dir_all(to).unwrap();
            for entry in fs::read_dir(from).unwrap() {
                let entry = entry.unwrap();
                copy(&entry.path(), &to.join(entry.file_name()));
            }
        } else if meta.is_file() {
            fs::copy(from, to).unwrap_or_else(|e| panic!("copy {}: {e}", from.display()));
        }
    }
    let dir = tempfile::tempdir().expect("temp dir");
    for rel in [".sddgate.yml", ".sddgate", "specs", "capstone", "fixtures"] {
        copy(&root().join(rel), &dir.path().join(rel));
    }
    dir
}

/// `sddgate check --format json ARGS` by the wheel's binary and by cargo's, in the same copy:
/// same exit code, same report. Returns the exit code.
fn same_as_cargo(dir: &Path, args: &[&str]) -> i32 {
    let mut full = vec!["check", "--format", "json"];
    full.extend_from_slice(args);
    let wheel = run(&venv().join("bin/sddgate"), dir, &full);
    let cargo = run(&assert_cmd::cargo::cargo_bin("sddgate"), dir, &full);
    assert_eq!(
        wheel.code, cargo.code,
        "`sddgate {full:?}`: exit code of the wheel's binary vs cargo's\nwheel stderr:\n{}\ncargo stderr:\n{}",
        wheel.stderr, cargo.stderr
    );
    let parse = |who: &str, r: &Run| -> Value {
        serde_json::from_str(&r.stdout).unwrap_or_else(|e| {
            panic!(
                "{who}'s `sddgate {full:?}` printed no JSON report ({e}):\n{}\n{}",
                r.stdout, r.stderr
            )
        })
    };
    assert_eq!(
        parse("the wheel", &wheel),
        parse("cargo", &cargo),
        "`sddgate {full:?}`: the wheel's report differs from cargo's"
    );
    assert_eq!(
        wheel.stderr, cargo.stderr,
        "`sddgate {full:?}`: stderr differs"
    );
    wheel.code.expect("exit code")
}

#[test]
fn the_wheel_binary_gates_the_example_repository_like_cargos() {
    let dir = example_copy();
    // The repository's own gate: its one incident passes.
    assert_eq!(
        same_as_cargo(dir.path(), &[]),
        0,
        "the example repository passes"
    );
    // With the fixtures named, which block on purpose: a wrong PASS would show here.
    assert_eq!(
        same_as_cargo(dir.path(), &["specs", "capstone", "fixtures"]),
        1,
        "the fixtures block"
    );
}

/// What the venv's Python reads out of the wheel: its file list with modes, METADATA, WHEEL,
/// RECORD, and the sha256 (RECORD's encoding) and size of every file.
const READ_WHEEL: &str = r#"
import base64, hashlib, json, sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
files = {}
for info in z.infolist():
    data = z.read(info)
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    files[info.filename] = {"mode": (info.external_attr >> 16) & 0o777, "sha256": digest, "size": len(data)}
def text(suffix):
    names = [n for n in z.namelist() if n.endswith(suffix) and n.count("/") == 1]
    return z.read(names[0]).decode() if len(names) == 1 else None
json.dump({"files": files, "metadata": text(".dist-info/METADATA"),
           "wheel": text(".dist-info/WHEEL"), "record": text(".dist-info/RECORD")}, sys.stdout)
"#;

/// `Key: value` lines of an email-style header block (METADATA, WHEEL), up to the first blank line.
fn headers(text: &str) -> Vec<(String, String)> {
    text.lines()
        .take_while(|l| !l.is_empty())
        .filter_map(|l| l.split_once(": "))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn values<'a>(headers: &'a [(String, String)], key: &str) -> Vec<&'a str> {
    headers
        .iter()
        .filter(|(k, _)| k.eq_ignore_ascii_case(key))
        .map(|(_, v)| v.as_str())
        .collect()
}

/// pyproject.toml's `requires-python` (a one-line string value).
fn pyproject_requires_python() -> String {
    let path = root().join("pyproject.toml");
    let text = fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.lines()
        .find_map(|l| {
            let v = l.trim().strip_prefix("requires-python")?.trim_start();
            Some(v.strip_prefix('=')?.trim().trim_matches('"').to_string())
        })
        .expect("pyproject.toml has a requires-python line")
}

#[test]
fn the_wheel_metadata_is_cargos_and_pyprojects() {
    let wheel = wheel_file();
    let name = wheel.file_name().unwrap().to_str().unwrap().to_string();
    let python = venv().join("bin/python");
    let out = Command::new(&python)
        .args(["-c", READ_WHEEL])
        .arg(&wheel)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", python.display()));
    assert!(
        out.status.success(),
        "reading {}:\n{}",
        wheel.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    let read: Value = serde_json::from_slice(&out.stdout).expect("JSON from the wheel reader");

    // The file name: distribution, version, then a binary wheel's tags (any Python 3, no ABI).
    let prefix = format!("sddgate-{VERSION}-py3-none-");
    assert!(
        name.starts_with(&prefix) && name.ends_with(".whl"),
        "wheel file name `{name}`, expected `{prefix}<platform>.whl`"
    );
    let platform = &name[prefix.len()..name.len() - ".whl".len()];
    assert!(
        !platform.is_empty() && platform != "any",
        "a wheel holding a native binary must carry a platform tag, not `{platform}`"
    );

    let metadata = headers(read["metadata"].as_str().expect("one .dist-info/METADATA"));
    assert_eq!(values(&metadata, "Name"), ["sddgate"], "Name");
    assert_eq!(
        values(&metadata, "Version"),
        [VERSION],
        "Version (Cargo.toml's)"
    );
    assert_eq!(
        values(&metadata, "Requires-Python"),
        [pyproject_requires_python().as_str()],
        "Requires-Python (pyproject.toml's)"
    );
    // The license is Cargo.toml's; while that declares none the wheel claims none either.
    let mut license = values(&metadata, "License-Expression");
    license.extend(values(&metadata, "License"));
    if LICENSE.is_empty() {
        assert!(
            license.is_empty(),
            "Cargo.toml declares no license, yet the wheel claims {license:?}"
        );
    } else {
        assert_eq!(
            license,
            [LICENSE],
            "the wheel's license is not Cargo.toml's"
        );
    }

    let wheel_headers = headers(read["wheel"].as_str().expect("one .dist-info/WHEEL"));
    assert_eq!(values(&wheel_headers, "Root-Is-Purelib"), ["false"]);
    // A compressed tag set in the name (`manylinux2014_x86_64.manylinux_2_17_x86_64`) is one
    // `Tag:` line per platform in WHEEL.
    let tags: Vec<String> = platform
        .split('.')
        .map(|p| format!("py3-none-{p}"))
        .collect();
    assert_eq!(
        values(&wheel_headers, "Tag"),
        tags,
        "WHEEL's tags against the file name"
    );

    // The binary: an executable under .data/scripts (pip installs it into the venv's bin/),
    // listed in RECORD with its real hash and size.
    let script = format!("sddgate-{VERSION}.data/scripts/sddgate");
    let file = &read["files"][&script];
    assert!(
        file.is_object(),
        "no {script} in the wheel: {}",
        read["files"]
    );
    assert_eq!(
        file["mode"].as_u64().unwrap() & 0o111,
        0o111,
        "{script} is not executable"
    );
    let expected = format!(
        "{script},sha256={},{}",
        file["sha256"].as_str().unwrap(),
        file["size"]
    );
    let record = read["record"].as_str().expect("one .dist-info/RECORD");
    assert!(
        record.lines().any(|l| l == expected),
        "RECORD has no `{expected}`:\n{record}"
    );
    // Every file of the wheel is in RECORD, and RECORD names nothing else.
    let listed: Vec<&str> = record
        .lines()
        .filter(|l| !l.is_empty())
        .map(|l| l.split(',').next().unwrap())
        .collect();
    let mut in_zip: Vec<&str> = read["files"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    let mut in_record = listed.clone();
    in_zip.sort_unstable();
    in_record.sort_unstable();
    assert_eq!(in_zip, in_record, "the wheel's files against RECORD");

    // The binary pip installed is the wheel's, byte for byte (same size), and the venv is clean.
    let installed = fs::metadata(venv().join("bin/sddgate")).unwrap().len();
    assert_eq!(
        Some(installed),
        file["size"].as_u64(),
        "installed binary size"
    );
    let cfg = fs::read_to_string(venv().join("pyvenv.cfg")).expect("pyvenv.cfg");
    assert!(
        cfg.lines()
            .any(|l| l.replace(' ', "") == "include-system-site-packages=false"),
        "the venv must not see the system's site packages:\n{cfg}"
    );
}

// The release workflow (.github/workflows/release.yml) against the action that downloads its
// assets and the rules every workflow here keeps. Needs no venv. zizmor and check-jsonschema
// lint it with the other workflows (tests/action_lint.rs).

fn yaml_file(rel: &str) -> serde_yaml::Value {
    let path = root().join(rel);
    let text = fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_yaml::from_str(&text).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

fn matrix_targets(job: &serde_yaml::Value) -> Vec<String> {
    job["strategy"]["matrix"]["include"]
        .as_sequence()
        .expect("a matrix include list")
        .iter()
        .map(|e| e["target"].as_str().expect("a target").to_string())
        .collect()
}

#[test]
fn the_release_builds_what_the_action_downloads() {
    let release = yaml_file(".github/workflows/release.yml");
    let text = fs::read_to_string(root().join(".github/workflows/release.yml")).unwrap();
    let action = fs::read_to_string(root().join("action.yml")).unwrap();
    let jobs = &release["jobs"];

    // A version tag only.
    let on = release["on"].as_mapping().expect("on: a mapping");
    assert_eq!(on.len(), 1, "release.yml runs on tag pushes only: {on:?}");
    assert!(release["on"]["push"]["branches"].is_null());
    assert!(release["on"]["push"]["tags"].is_sequence());

    // Every binary target is one the action maps a runner to, and the archive and checksum
    // names are the action's.
    let binaries = matrix_targets(&jobs["binaries"]);
    for platform in [
        "x86_64-unknown-linux",
        "aarch64-unknown-linux",
        "aarch64-apple-darwin",
        "x86_64-apple-darwin",
        "x86_64-pc-windows",
    ] {
        assert!(
            binaries.iter().any(|t| t.starts_with(platform)),
            "no release binary for {platform}: {binaries:?}"
        );
    }
    for target in &binaries {
        assert!(
            action.contains(&format!("target={target} ;;")),
            "release.yml builds {target}, which action.yml never downloads"
        );
    }
    assert!(action.contains(r#"asset="sddgate-$target.tar.gz""#));
    assert!(action.contains(r#"fetch "$url.sha256""#));
    assert!(text.contains(r#"asset="sddgate-$TARGET.tar.gz""#));
    assert!(text.contains(r#"> "$asset.sha256""#));

    // A wheel for every binary's platform (glibc wheels where the binaries are static musl).
    let wheels = matrix_targets(&jobs["wheels"]);
    let as_wheel: Vec<String> = binaries
        .iter()
        .map(|t| t.replace("-linux-musl", "-linux-gnu"))
        .collect();
    assert_eq!(wheels, as_wheel, "wheel targets against binary targets");

    // Least privilege: nothing at the top, read for the builds, write only to publish.
    assert_eq!(
        release["permissions"].as_mapping().map(|m| m.len()),
        Some(0),
        "top-level permissions must be {{}}"
    );
    for (name, job) in jobs.as_mapping().unwrap() {
        let name = name.as_str().unwrap();
        let perms = job["permissions"].as_mapping().expect("job permissions");
        let expected = if name == "release" { "write" } else { "read" };
        assert_eq!(perms.len(), 1, "{name}: {perms:?}");
        assert_eq!(
            job["permissions"]["contents"].as_str(),
            Some(expected),
            "{name}: contents permission"
        );
        for step in job["steps"].as_sequence().expect("steps") {
            if let Some(run) = step["run"].as_str() {
                assert!(
                    !run.contains("${{"),
                    "{name}: an expression inside run:\n{run}"
                );
            }
            if let Some(uses) = step["uses"].as_str() {
                let (_, rev) = uses.split_once('@').expect("uses with @");
                assert!(
                    rev.len() == 40 && rev.chars().all(|c| c.is_ascii_hexdigit()),
                    "{name}: {uses} is not pinned by commit SHA"
                );
                let line = text.lines().find(|l| l.contains(uses)).unwrap();
                assert!(
                    line.contains("# v"),
                    "{name}: {uses} has no version comment"
                );
            }
            if step["uses"]
                .as_str()
                .is_some_and(|u| u.starts_with("actions/checkout@"))
            {
                assert_eq!(
                    step["with"]["persist-credentials"].as_bool(),
                    Some(false),
                    "{name}: checkout leaves the token in .git/config"
                );
            }
        }
    }
}
