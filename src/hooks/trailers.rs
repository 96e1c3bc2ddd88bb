//! Commit-message trailers, parsed by git itself (`git interpret-trailers --parse`), so that a
//! trailer counts exactly when git would treat it as one (comments and the `-v` scissors part
//! excluded, the last paragraph only).

use crate::error::{Error, Result};
use std::path::Path;
use std::process::Command;

/// Values of the trailers with `key` (case-insensitive), in order.
pub fn values(root: &Path, message_file: &Path, key: &str) -> Result<Vec<String>> {
    let out = Command::new("git")
        .arg("-C")
        .arg(root)
        .args(["interpret-trailers", "--parse", "--"])
        .arg(message_file)
        .output()
        .map_err(|e| Error::Usage(format!("the commit-msg hook needs git: {e}")))?;
    if !out.status.success() {
        return Err(Error::Usage(format!(
            "git interpret-trailers failed on {}: {}",
            message_file.display(),
            String::from_utf8_lossy(&out.stderr).trim()
        )));
    }
    Ok(parse(&String::from_utf8_lossy(&out.stdout), key))
}

/// `Key: value` lines of `git interpret-trailers --parse` output.
pub fn parse(text: &str, key: &str) -> Vec<String> {
    text.lines()
        .filter_map(|l| l.split_once(':'))
        .filter(|(k, _)| k.trim().eq_ignore_ascii_case(key))
        .map(|(_, v)| v.trim().to_string())
        .filter(|v| !v.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_case_insensitive_and_empty_values_dropped() {
        let t = "Incident-Id: HM-1\nsigned-off-by: a <b>\nincident-id:  DF-2 \nIncident-Id:\n";
        assert_eq!(parse(t, "Incident-Id"), ["HM-1", "DF-2"]);
    }
}
