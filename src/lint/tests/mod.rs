//! Unit tests of the command lint, one file per mechanism.

mod config;
mod evasion;
mod fast_paths;
mod fuzz_findings;
mod normalize;
mod not_flagged;
mod offsets;
mod props;
mod see_through;
mod shell;
mod tools;

use super::{CommandHit, CommandPatterns, Context, find_commands};

/// The built-in patterns, compiled once for all tests.
pub(super) fn builtin() -> &'static CommandPatterns {
    static PATS: std::sync::OnceLock<CommandPatterns> = std::sync::OnceLock::new();
    PATS.get_or_init(CommandPatterns::builtin)
}

/// All hits of `src` with the built-in patterns.
pub(super) fn hits(src: &str) -> Vec<CommandHit> {
    find_commands(src, builtin())
}

/// `(tool, matched)` of every hit.
pub(super) fn found(src: &str) -> Vec<(String, String)> {
    hits(src).into_iter().map(|h| (h.tool, h.matched)).collect()
}

/// Tool names of every hit.
pub(super) fn tools(src: &str) -> Vec<String> {
    hits(src).into_iter().map(|h| h.tool).collect()
}

/// Asserts exactly one hit, of `tool`, and returns it.
#[track_caller]
pub(super) fn one(src: &str, tool: &str) -> CommandHit {
    let h = hits(src);
    assert_eq!(h.len(), 1, "expected one {tool} hit in {src:?}, got {h:#?}");
    assert_eq!(h[0].tool, tool, "in {src:?}");
    h.into_iter().next().unwrap_or_else(|| unreachable!())
}

/// Asserts no hit.
#[track_caller]
pub(super) fn none(src: &str) {
    let h = hits(src);
    assert!(h.is_empty(), "expected no hit in {src:?}, got {h:#?}");
}

/// Wraps `body` in a fenced bash block.
pub(super) fn bash(body: &str) -> String {
    format!("```bash\n{body}\n```\n")
}

#[test]
fn context_is_reported() {
    assert_eq!(
        one("Run kubectl delete pod x now.", "kubectl").context,
        Context::Prose
    );
    assert_eq!(
        one("Run `kubectl delete pod x` now.", "kubectl").context,
        Context::Code
    );
    assert_eq!(
        one(&bash("kubectl delete pod x"), "kubectl").context,
        Context::Code
    );
    assert_eq!(
        one("~~~\nkubectl delete pod x\n~~~\n", "kubectl").context,
        Context::Code
    );
    assert_eq!(
        one("Text:\n\n    kubectl delete pod x\n", "kubectl").context,
        Context::Code
    );
}
