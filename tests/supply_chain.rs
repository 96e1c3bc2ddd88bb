//! Supply chain (issue 7): `deny.toml` passes `cargo deny check bans licenses sources`, and each
//! of the three checks fails when its rule is broken, so a pass is never vacuous.
//!
//! cargo-deny comes from crates.io through `.ci/cargo-deny.sh --install-only` (pinned version,
//! installed once into target/ci-tools and reused). Without it these tests fail with the command
//! to run.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn cargo_deny() -> &'static Path {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        if let Some(p) = std::env::var_os("SDDGATE_CARGO_DENY") {
            return PathBuf::from(p);
        }
        let out = Command::new("bash")
            .arg(root().join(".ci/cargo-deny.sh"))
            .arg("--install-only")
            .output()
            .expect("bash .ci/cargo-deny.sh");
        assert!(
            out.status.success(),
            "cargo-deny is missing and could not be installed: run `bash .ci/cargo-deny.sh`\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let bin = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
        assert!(bin.is_file(), "{} is not a file", bin.display());
        bin
    })
}

struct Run {
    ok: bool,
    text: String,
}

/// `cargo deny check CHECK` on this repository with the given config text.
fn deny(config: &str, check: &str) -> Run {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("deny.toml");
    std::fs::write(&cfg, config).unwrap();
    let out = Command::new(cargo_deny())
        .current_dir(root())
        .args(["--locked", "--manifest-path"])
        .arg(root().join("Cargo.toml"))
        .arg("--config")
        .arg(&cfg)
        .args(["check", "--hide-inclusion-graph", check])
        .output()
        .expect("run cargo-deny");
    Run {
        ok: out.status.success(),
        text: format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    }
}

fn config() -> String {
    std::fs::read_to_string(root().join("deny.toml")).unwrap()
}

/// `config` with `from` replaced by `to` (which must occur exactly once).
fn edited(from: &str, to: &str) -> String {
    let c = config();
    assert_eq!(c.matches(from).count(), 1, "deny.toml changed: `{from}`");
    c.replacen(from, to, 1)
}

#[test]
fn the_dependency_tree_passes_bans_licenses_and_sources() {
    for check in ["bans", "licenses", "sources"] {
        let run = deny(&config(), check);
        assert!(run.ok, "cargo deny check {check} failed:\n{}", run.text);
    }
}

#[test]
fn a_license_outside_the_allow_list_fails() {
    // Every crate licensed only under MIT (and there are dozens) is refused without it.
    let run = deny(&edited("    \"MIT\",\n", ""), "licenses");
    assert!(!run.ok, "passed without MIT allowed:\n{}", run.text);
    assert!(run.text.contains("rejected"), "{}", run.text);
}

#[test]
fn a_banned_crate_in_the_tree_fails() {
    let run = deny(
        &edited(
            "deny = [\n",
            "deny = [\n    { crate = \"serde_yaml\", reason = \"test: a crate that is in the tree\" },\n",
        ),
        "bans",
    );
    assert!(!run.ok, "a banned crate passed:\n{}", run.text);
    assert!(run.text.contains("error[banned]"), "{}", run.text);
    assert!(run.text.contains("serde_yaml"), "{}", run.text);
}

#[test]
fn a_crate_from_an_unlisted_registry_fails() {
    let run = deny(
        &edited(
            "allow-registry = [\"https://github.com/rust-lang/crates.io-index\"]",
            "allow-registry = [\"https://example.invalid/index\"]",
        ),
        "sources",
    );
    assert!(!run.ok, "crates.io passed while not allowed:\n{}", run.text);
    assert!(run.text.contains("source-not-allowed"), "{}", run.text);
}
