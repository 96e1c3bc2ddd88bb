//! The event's `incident_id`: `--incident-id`, else a readable incident key, else derived
//! deterministically as `<PREFIX>-<YYYY-MM-DD>-<NN>` from the incident type, the UTC date the
//! first alert started and the trace log.

use crate::trace::Log;
use regex::Regex;
use std::collections::BTreeSet;
use std::sync::LazyLock;

/// Where the id came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// `--incident-id`.
    Override,
    /// The PagerDuty (or lesson) `incident_key`, which is readable.
    IncidentKey,
    /// An id the trace log already gave to one of these alerts or incidents.
    Reused,
    /// Prefix, date and the next free sequence number.
    Derived,
}

/// A readable id: an upper-case word, then one or more `-`-separated parts
/// (`HM-2026-05-17-01`, `INC-4711`, `OPS-db-failover`). Hashes such as Grafana's fingerprint
/// `c5b8e0f2a91d4e37` or PagerDuty's `baf7cf21b1da41b4b0221008339ff357` are not.
static READABLE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[A-Z][A-Z0-9]*(-[A-Za-z0-9]+)+$").unwrap());

pub fn readable(s: &str) -> bool {
    s.len() <= 64 && READABLE.is_match(s)
}

/// Checks an id given with `--incident-id`.
pub fn check_override(id: &str) -> Result<(), String> {
    if id.trim().is_empty() {
        return Err("--incident-id is empty; expected an id such as HM-2026-05-17-01".into());
    }
    if id.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(
            "--incident-id contains whitespace or a control character; expected an id such as HM-2026-05-17-01"
                .into(),
        );
    }
    if id.len() > 128 {
        return Err("--incident-id is longer than 128 bytes".into());
    }
    if super::redact::looks_secret(id) {
        return Err("--incident-id looks like an email address or a secret".into());
    }
    Ok(())
}

/// The ref of an `incident_event_normalized` record written without `--expected`:
/// `event:<id> sources=<key>,<key>` (keys such as `grafana:<fingerprint>`,
/// `pagerduty:<incident id>`).
pub fn event_ref(id: &str, keys: &[String]) -> String {
    if keys.is_empty() {
        format!("event:{id}")
    } else {
        format!("event:{id} sources={}", keys.join(","))
    }
}

/// The source keys recorded in a ref written by [`event_ref`].
fn keys_in_ref(reference: &str) -> Vec<&str> {
    reference
        .strip_prefix("event:")
        .and_then(|r| r.split_once(" sources="))
        .map(|(_, keys)| keys.split(',').filter(|k| !k.is_empty()).collect())
        .unwrap_or_default()
}

/// The id the log already gave to one of these alerts or incidents: the first
/// `incident_event_normalized` record (in log order) whose ref lists one of `keys`.
pub fn reused(log: &Log, keys: &[String]) -> Option<String> {
    if keys.is_empty() {
        return None;
    }
    log.records
        .iter()
        .filter(|r| r.step == "incident_event_normalized")
        .find(|r| {
            r.reference
                .as_deref()
                .is_some_and(|re| keys_in_ref(re).iter().any(|k| keys.iter().any(|m| m == k)))
        })
        .map(|r| r.incident_id.clone())
}

/// `<prefix>-<date>-<NN>`: NN is one more than the highest sequence number the log already
/// uses for this prefix and date (01 when none), at least two digits.
pub fn derive(prefix: &str, date: &str, log: &Log) -> String {
    let head = format!("{prefix}-{date}-");
    let used: BTreeSet<u64> = log
        .records
        .iter()
        .filter_map(|r| r.incident_id.strip_prefix(&head))
        .filter(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
        .filter_map(|n| n.parse().ok())
        .collect();
    let next = used.last().map_or(1, |m| m + 1);
    format!("{head}{next:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn log(lines: &[(&str, &str, &str)]) -> Log {
        let text: String = lines
            .iter()
            .map(|(id, step, r)| {
                format!(
                    "{}\n",
                    serde_json::json!({"incident_id": id, "step": step, "ref": r})
                )
            })
            .collect();
        crate::trace::parse("t.jsonl", text.as_bytes()).unwrap()
    }

    #[test]
    fn readable_ids() {
        for ok in ["HM-2026-05-17-01", "INC-4711", "OPS-db-failover"] {
            assert!(readable(ok), "{ok}");
        }
        for no in [
            "c5b8e0f2a91d4e37",
            "baf7cf21b1da41b4b0221008339ff357",
            "HM",
            "hm-2026",
            "HM-",
            "HM 2026",
        ] {
            assert!(!readable(no), "{no}");
        }
    }

    #[test]
    fn sequence_is_the_next_free_number() {
        let empty = Log::default();
        assert_eq!(derive("HM", "2026-06-01", &empty), "HM-2026-06-01-01");
        let l = log(&[
            ("HM-2026-06-01-01", "webhook_received", "a.json"),
            ("HM-2026-06-01-01", "validate", "v.md"),
            ("HM-2026-06-01-02", "webhook_received", "b.json"),
            ("HM-2026-06-02-07", "webhook_received", "c.json"),
            ("DF-2026-06-01-05", "webhook_received", "d.json"),
        ]);
        assert_eq!(derive("HM", "2026-06-01", &l), "HM-2026-06-01-03");
        assert_eq!(derive("HM", "2026-06-03", &l), "HM-2026-06-03-01");
        let gap = log(&[("HM-2026-06-01-04", "webhook_received", "x.json")]);
        assert_eq!(derive("HM", "2026-06-01", &gap), "HM-2026-06-01-05");
    }

    #[test]
    fn logged_sources_reuse_their_id() {
        let l = log(&[
            (
                "HM-2026-06-01-01",
                "incident_event_normalized",
                "event:HM-2026-06-01-01 sources=grafana:aaa,pagerduty:P1",
            ),
            (
                "HM-2026-06-01-02",
                "incident_event_normalized",
                "event:HM-2026-06-01-02 sources=grafana:bbb",
            ),
        ]);
        assert_eq!(
            reused(&l, &["grafana:bbb".into()]).as_deref(),
            Some("HM-2026-06-01-02")
        );
        assert_eq!(
            reused(&l, &["pagerduty:P1".into()]).as_deref(),
            Some("HM-2026-06-01-01")
        );
        assert_eq!(reused(&l, &["grafana:ccc".into()]), None);
        assert_eq!(reused(&l, &[]), None);
        assert_eq!(
            event_ref("HM-1", &["grafana:a".into(), "pagerduty:P".into()]),
            "event:HM-1 sources=grafana:a,pagerduty:P"
        );
        assert_eq!(event_ref("HM-1", &[]), "event:HM-1");
    }

    #[test]
    fn overrides_are_checked() {
        assert!(check_override("HM-2026-05-17-01").is_ok());
        assert!(check_override("").is_err());
        assert!(check_override("HM 1").is_err());
        assert!(check_override("HM\u{1}").is_err());
    }
}
