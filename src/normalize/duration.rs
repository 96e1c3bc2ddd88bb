//! Alert windows: durations such as `10m`, `1h30m`, `600s`, `10 minutes`, turned into the
//! event's `window_minutes`.

use regex::Regex;
use serde_json::Number;
use std::sync::LazyLock;

/// One duration term: a number and a unit (Go/Prometheus style or an English word).
static TERM: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(\d+(?:\.\d+)?)\s*(milliseconds?|ms|seconds?|secs?|s|minutes?|mins?|m|hours?|hrs?|h|days?|d|weeks?|w)").unwrap()
});

/// Compact durations in prose (`10m`, `1h30m`, `600s`); units are lower-case so `10M` (a size)
/// is not a duration.
static COMPACT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b(\d+(?:\.\d+)?[hms](?:\d+(?:\.\d+)?[hms])*)\b").unwrap());

/// Worded durations in prose (`10 minutes`, `10-minute window`, `2 hours`).
static WORDED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(\d+(?:\.\d+)?)[\s\-]*(seconds?|secs?|minutes?|mins?|hours?|hrs?)\b")
        .unwrap()
});

/// Seconds in a whole duration string (`10m`, `1h30m`, `600s`, `1.5h`, `10 minutes`). A bare
/// number has no unit and is refused; so is anything else that is not all duration terms.
pub fn seconds(s: &str) -> Option<f64> {
    let mut rest = s.trim();
    if rest.is_empty() {
        return None;
    }
    let mut total = 0.0;
    while !rest.is_empty() {
        let c = TERM.captures(rest)?;
        let n: f64 = c[1].parse().ok()?;
        total += n * unit_seconds(&c[2])?;
        rest = rest[c[0].len()..].trim_start();
    }
    total.is_finite().then_some(total)
}

fn unit_seconds(unit: &str) -> Option<f64> {
    let u = unit.to_ascii_lowercase();
    Some(match u.as_str() {
        "ms" | "millisecond" | "milliseconds" => 0.001,
        "s" | "sec" | "secs" | "second" | "seconds" => 1.0,
        "m" | "min" | "mins" | "minute" | "minutes" => 60.0,
        "h" | "hr" | "hrs" | "hour" | "hours" => 3600.0,
        "d" | "day" | "days" => 86_400.0,
        "w" | "week" | "weeks" => 604_800.0,
        _ => return None,
    })
}

/// Minutes of a duration string, as a JSON number: an integer when whole.
pub fn minutes(s: &str) -> Option<Number> {
    seconds(s).and_then(|secs| minutes_number(secs / 60.0))
}

/// A number of minutes as JSON: integers stay integers; negative or non-finite is refused.
pub fn minutes_number(m: f64) -> Option<Number> {
    if !m.is_finite() || m < 0.0 {
        return None;
    }
    if m.fract() == 0.0 && m <= u64::MAX as f64 {
        return Some(Number::from(m as u64));
    }
    Number::from_f64((m * 1000.0).round() / 1000.0)
}

/// The window named in free text (an alert summary), only when it is unambiguous: every
/// duration mentioned gives the same number of minutes. `over 10m` → 10; `10m, then 5m` → none.
pub fn minutes_in_text(text: &str) -> Option<Number> {
    let mut found: Vec<f64> = Vec::new();
    for c in COMPACT.captures_iter(text) {
        found.push(seconds(&c[1])?);
    }
    for c in WORDED.captures_iter(text) {
        found.push(seconds(&format!("{}{}", &c[1], &c[2]))?);
    }
    let first = *found.first()?;
    if found.iter().any(|s| (s - first).abs() > f64::EPSILON) {
        return None;
    }
    minutes_number(first / 60.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(s: &str) -> Option<String> {
        minutes(s).map(|n| n.to_string())
    }

    #[test]
    fn go_and_prometheus_durations() {
        assert_eq!(m("10m").as_deref(), Some("10"));
        assert_eq!(m("1h30m").as_deref(), Some("90"));
        assert_eq!(m("600s").as_deref(), Some("10"));
        assert_eq!(m("1.5h").as_deref(), Some("90"));
        assert_eq!(m("90s").as_deref(), Some("1.5"));
        assert_eq!(m("1d").as_deref(), Some("1440"));
        assert_eq!(m(" 10 minutes ").as_deref(), Some("10"));
        assert_eq!(m("1 hour 5 min").as_deref(), Some("65"));
    }

    #[test]
    fn what_is_not_a_duration() {
        for s in ["", "10", "ten minutes", "10 parsecs", "10m of", "-5m", "m"] {
            assert_eq!(m(s), None, "{s:?}");
        }
    }

    #[test]
    fn windows_in_prose_only_when_unambiguous() {
        let t = |s: &str| minutes_in_text(s).map(|n| n.to_string());
        assert_eq!(
            t("appointments-api pod api-7b4 memory at 93% of limit over 10m").as_deref(),
            Some("10")
        );
        assert_eq!(
            t("above 90% of the 1536 MiB limit for the whole 10-minute window").as_deref(),
            Some("10")
        );
        assert_eq!(t("over 10m (600s)").as_deref(), Some("10"));
        assert_eq!(t("rose for 5m, then held for 10m"), None);
        assert_eq!(t("memory at 93% of limit"), None);
        assert_eq!(t("heap 512M, 10ms GC pauses"), None);
        assert_eq!(t("pod api-7b4"), None);
    }
}
