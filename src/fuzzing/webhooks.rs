//! The `grafana`, `alertmanager` and `pagerduty` targets: the webhook normalizers, with
//! planted secrets that must never reach the output.

use super::*;

/// Secrets planted into payloads, each with a part that must never be printed.
pub const PLANTED: [(&str, &str); 8] = [
    ("zq7dana.whitfield@example.com", "zq7dana"),
    ("Bearer zq7tokABCDEFGH12345", "zq7tokABCDEFGH12345"),
    ("ghp_zq7AAAAAAAAAAAAAAAAAAAAAAAA", "ghp_zq7AAAA"),
    ("https://admin:zq7pw@grafana.example.com/d/x", "zq7pw"),
    ("https://h.example/x?token=zq7qs&orgId=1", "zq7qs"),
    ("password=zq7hunter", "zq7hunter"),
    ("eyJzq7aaaaa.eyJbbbbbbb.cccc", "eyJzq7aaaaa"),
    ("AKIAZQ7AAAAAAAAAAAAA", "AKIAZQ7AAAA"),
];

/// A Grafana webhook through `sddgate normalize --grafana`.
pub fn grafana(data: &[u8]) {
    normalizer(Tool::Grafana, data)
}

/// An Alertmanager webhook through `sddgate normalize --alertmanager`.
pub fn alertmanager(data: &[u8]) {
    normalizer(Tool::Alertmanager, data)
}

/// A PagerDuty webhook through `sddgate normalize --pagerduty`.
pub fn pagerduty(data: &[u8]) {
    normalizer(Tool::PagerDuty, data)
}

/// The normalizer for one flag. The payload as given, then (when it is JSON) with one string
/// of it replaced by or extended with a [`PLANTED`] secret chosen from a hash of the input.
/// Checks: errors of the exit-2 class naming the payload; the same output twice; no string of
/// the event looks secret (email, token, password, URL credentials); no planted secret appears
/// in anything printed (event, warnings, notes, error message).
fn normalizer(tool: Tool, data: &[u8]) {
    if data.len() > MAX_INPUT {
        return;
    }
    let out = run_normalize(tool, data);
    assert_eq!(
        out,
        run_normalize(tool, data),
        "normalize is not deterministic"
    );
    if let Ok(text) = std::str::from_utf8(data)
        && let Ok(mut value) = serde_json::from_str::<serde_json::Value>(text)
    {
        let h = fnv(data);
        let (secret, marker) = PLANTED[(h % PLANTED.len() as u64) as usize];
        let mut strings = 0usize;
        count_strings(&value, &mut strings);
        if strings == 0 {
            return;
        }
        let target = ((h >> 8) % strings as u64) as usize;
        let style = (h >> 24) % 4;
        let mut n = 0usize;
        plant(&mut value, target, &mut n, &|s: &str| match style {
            0 => secret.to_string(),
            1 => format!("{s} {secret}"),
            2 => format!("{s}/{secret}"),
            _ => format!("{secret}{s}"),
        });
        let planted = serde_json::to_vec(&value).expect("a value serializes");
        let out = run_normalize(tool, &planted);
        assert!(
            !out.contains(marker),
            "planted secret `{secret}` printed:\n{out}"
        );
    }
}

/// Everything `normalize` would print for a payload, as one string.
fn run_normalize(tool: Tool, data: &[u8]) -> String {
    static N: AtomicU64 = AtomicU64::new(0);
    let path = std::env::temp_dir().join(format!(
        "sddgate-fuzz-{}-{}.json",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::write(&path, data).expect("write the payload to a temporary file");
    let input = Input {
        flag: tool,
        path: path.clone(),
        shown: PAYLOAD_FILE.into(),
    };
    let settings = Settings::default();
    let result = normalize::normalize(
        &[input],
        &settings,
        crate::config::DEFAULT_MAX_FILE_SIZE,
        None,
        &mut || Ok(trace::Log::default()),
    );
    let _ = std::fs::remove_file(&path);
    match result {
        Ok(Outcome::Event(n)) => {
            let value = n.event.to_value();
            check_no_secret(&value);
            let mut out = n.event.to_compact();
            for line in n.warnings.iter().chain(&n.notes) {
                out.push_str(line);
                out.push('\n');
            }
            out.push_str(&format!("{:?} {:?}\n", n.origin, n.reuse_keys));
            out
        }
        Ok(Outcome::NoFiring(lines)) => format!("no-firing\n{}", lines.join("\n")),
        Ok(Outcome::Conflict(lines)) => format!("conflict\n{}", lines.join("\n")),
        Err(e) => {
            check_error(&e, PAYLOAD_FILE, data);
            format!("error {e}")
        }
    }
}

/// No string in an event (keys included) looks like a secret.
fn check_no_secret(v: &serde_json::Value) {
    match v {
        serde_json::Value::String(s) => {
            assert!(
                !redact::looks_secret(s),
                "secret-looking value in the event: {s}"
            )
        }
        serde_json::Value::Array(a) => a.iter().for_each(check_no_secret),
        serde_json::Value::Object(o) => {
            for (k, v) in o {
                assert!(
                    !redact::looks_secret(k),
                    "secret-looking key in the event: {k}"
                );
                check_no_secret(v);
            }
        }
        _ => {}
    }
}

fn count_strings(v: &serde_json::Value, n: &mut usize) {
    match v {
        serde_json::Value::String(_) => *n += 1,
        serde_json::Value::Array(a) => a.iter().for_each(|x| count_strings(x, n)),
        serde_json::Value::Object(o) => o.values().for_each(|x| count_strings(x, n)),
        _ => {}
    }
}

fn plant(v: &mut serde_json::Value, target: usize, n: &mut usize, f: &dyn Fn(&str) -> String) {
    match v {
        serde_json::Value::String(s) => {
            if *n == target {
                *s = f(s);
            }
            *n += 1;
        }
        serde_json::Value::Array(a) => a.iter_mut().for_each(|x| plant(x, target, n, f)),
        serde_json::Value::Object(o) => o.values_mut().for_each(|x| plant(x, target, n, f)),
        _ => {}
    }
}

/// FNV-1a: a fixed choice per input, so a finding replays.
fn fnv(data: &[u8]) -> u64 {
    data.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ b as u64).wrapping_mul(0x0100_0000_01b3)
    })
}
