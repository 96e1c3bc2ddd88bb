//! RFC 3339 times as webhooks send them (`2021-10-12T09:51:03.157076+02:00`,
//! `2026-05-17T09:04:00Z`): ordering and the UTC date used in incident ids.

use serde::{Deserialize, Deserializer};
use std::fmt;

/// An instant, kept as UTC seconds and nanoseconds so that times with different offsets
/// order correctly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Timestamp {
    secs: i64,
    nanos: u32,
}

impl Timestamp {
    /// Parses `YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)`; `t`/`z` and a space separator are
    /// accepted too.
    pub fn parse(s: &str) -> Option<Timestamp> {
        let b = s.trim().as_bytes();
        if b.len() < 20 {
            return None;
        }
        let num = |from: usize, len: usize| -> Option<i64> {
            let part = b.get(from..from + len)?;
            part.iter()
                .all(u8::is_ascii_digit)
                .then(|| std::str::from_utf8(part).ok()?.parse().ok())?
        };
        let (year, month, day) = (num(0, 4)?, num(5, 2)?, num(8, 2)?);
        if b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't' | b' ') {
            return None;
        }
        let (hour, minute, second) = (num(11, 2)?, num(14, 2)?, num(17, 2)?);
        if b[13] != b':' || b[16] != b':' {
            return None;
        }
        if !(1..=12).contains(&month)
            || day < 1
            || day > days_in_month(year, month)
            || hour > 23
            || minute > 59
            || second > 60
        {
            return None;
        }
        let mut i = 19;
        let mut nanos = 0u32;
        if b.get(i) == Some(&b'.') {
            let start = i + 1;
            i = start;
            while b.get(i).is_some_and(u8::is_ascii_digit) {
                i += 1;
            }
            if i == start {
                return None;
            }
            let digits = &b[start..i.min(start + 9)];
            let mut n: u32 = 0;
            for d in digits {
                n = n * 10 + u32::from(d - b'0');
            }
            nanos = n * 10u32.pow(9 - digits.len() as u32);
        }
        let offset = match b.get(i..)? {
            [b'Z' | b'z'] => 0,
            [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
                let digits = [*h1, *h2, *m1, *m2];
                if !digits.iter().all(u8::is_ascii_digit) {
                    return None;
                }
                let h = i64::from((h1 - b'0') * 10 + (h2 - b'0'));
                let m = i64::from((m1 - b'0') * 10 + (m2 - b'0'));
                if h > 23 || m > 59 {
                    return None;
                }
                let off = h * 3600 + m * 60;
                if *sign == b'-' { -off } else { off }
            }
            _ => return None,
        };
        let secs = days_from_civil(year, month as u32, day as u32) * 86_400
            + hour * 3600
            + minute * 60
            + second
            - offset;
        Some(Timestamp { secs, nanos })
    }

    /// Go's zero time (`0001-01-01T00:00:00Z`), which Alertmanager and Grafana send for "none".
    pub fn is_zero(&self) -> bool {
        self.secs <= days_from_civil(1, 1, 1) * 86_400
    }

    /// The UTC date, `YYYY-MM-DD`.
    pub fn utc_date(&self) -> String {
        let (y, m, d) = crate::trace::civil_from_days(self.secs.div_euclid(86_400));
        format!("{y:04}-{m:02}-{d:02}")
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (y, m, d) = crate::trace::civil_from_days(self.secs.div_euclid(86_400));
        let s = self.secs.rem_euclid(86_400);
        write!(
            f,
            "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
            s / 3600,
            s % 3600 / 60,
            s % 60
        )
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Timestamp::parse(&s).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "expected an RFC 3339 time such as 2026-05-17T09:04:00Z, found `{}`",
                super::redact::mask(&s)
            ))
        })
    }
}

fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_are_converted_to_utc() {
        let t = Timestamp::parse("2021-10-12T01:51:03.157076+02:00").unwrap();
        assert_eq!(t.to_string(), "2021-10-11T23:51:03Z");
        assert_eq!(t.utc_date(), "2021-10-11");
        let z = Timestamp::parse("2026-05-17T09:04:00Z").unwrap();
        assert_eq!(z.utc_date(), "2026-05-17");
        assert!(Timestamp::parse("2026-05-17T09:04:00-00:30").unwrap() > z);
        assert!(Timestamp::parse("0001-01-01T00:00:00Z").unwrap().is_zero());
        assert!(!z.is_zero());
    }

    #[test]
    fn malformed_times_are_refused() {
        for s in [
            "",
            "yesterday",
            "2026-05-17",
            "2026-05-17T09:04:00",
            "2026-02-30T00:00:00Z",
            "2026-05-17T25:00:00Z",
            "2026-05-17T09:04:00.Z",
            "2026-05-17T09:04:00+0200",
        ] {
            assert_eq!(Timestamp::parse(s), None, "{s}");
        }
    }
}
