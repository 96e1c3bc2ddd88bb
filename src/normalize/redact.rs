//! Keeping secrets and personal data out of everything `normalize` prints.
//!
//! The event is built from an allow-list of fields; on top of that every string that goes out
//! passes through here: URLs lose their userinfo and every query parameter that carries a
//! credential or a signature, and a value that looks like an email address, a token or a
//! password is dropped. Messages on stderr that quote payload text are masked the same way.

use regex::Regex;
use std::sync::LazyLock;

/// What replaces a secret in messages.
pub const MASK: &str = "<redacted>";

const EMAIL_PATTERN: &str = r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}";

static EMAIL: LazyLock<Regex> = LazyLock::new(|| Regex::new(EMAIL_PATTERN).expect("static regex"));

/// Credentials written into text: bearer/basic tokens, JWTs, well-known key formats,
/// `password=…`-style pairs, private keys and userinfo in URLs. One pattern each, so that
/// [`mask`] can mask where they overlap.
const SECRET_PATTERNS: [&str; 6] = [
    r"(?i:\b(?:bearer|basic|token|apikey)\s+[A-Za-z0-9._~+/=\-]{8,})",
    r"eyJ[A-Za-z0-9_\-]{5,}\.[A-Za-z0-9_\-]{5,}\.[A-Za-z0-9_\-]*",
    r"\b(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,}|glpat-[A-Za-z0-9_\-]{16,}|xox[abeprs]-[A-Za-z0-9\-]{10,}|sk_(?:live|test)_[A-Za-z0-9]{10,}|sk-[A-Za-z0-9_\-]{20,}|AKIA[0-9A-Z]{16}|AIza[0-9A-Za-z_\-]{30,})",
    r"(?i:\b(?:password|passwd|pwd|secret|client_secret|token|access_token|api[_\-]?key|access[_\-]?key|private[_\-]?key|authorization)\b\s*[=:]\s*\S+)",
    r"-----BEGIN [A-Z ]*PRIVATE KEY-----",
    r"[a-zA-Z][a-zA-Z0-9+.\-]*://[^/\s@]+@",
];

/// Any of [`SECRET_PATTERNS`], for a yes/no answer.
static SECRET: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(&SECRET_PATTERNS.join("|")).expect("static regex"));

/// Each of [`SECRET_PATTERNS`] on its own, and the email pattern, for [`mask`].
static MASKED: LazyLock<Vec<Regex>> = LazyLock::new(|| {
    SECRET_PATTERNS
        .iter()
        .chain([&EMAIL_PATTERN])
        .map(|p| Regex::new(p).expect("static regex"))
        .collect()
});

/// True when a string carries something that must never be printed: an email address, a
/// token, a password, a private key or a URL with credentials in it.
pub fn looks_secret(s: &str) -> bool {
    EMAIL.is_match(s) || SECRET.is_match(s)
}

/// A value allowed into the event: trimmed, single-line, no control characters, nothing
/// secret. `None` means it must be dropped.
pub fn value(s: &str) -> Option<String> {
    let t = s.trim();
    if t.is_empty() || t.chars().any(char::is_control) || looks_secret(t) {
        return None;
    }
    Some(t.to_string())
}

/// Text for stderr: every secret-looking part masked. Each pattern is matched on the original
/// text, overlapping matches included, and the union of what they match is masked, so that one
/// match cannot swallow the start of another secret and leave its rest in clear
/// (`?token=x/Bearer abcdefgh…`, `Bearer 1Z/Bearer abcdefgh…`).
pub fn mask(s: &str) -> String {
    // Overlapping matches are found by searching again from just after each match's start; an
    // input with more than this many matches of one pattern is masked from there to its end
    // (fail closed, and bounded work).
    const MAX_MATCHES: usize = 64;
    let mut spans: Vec<(usize, usize)> = Vec::new();
    for re in MASKED.iter() {
        let mut pos = 0;
        let mut found = 0;
        while let Some(m) = re.find_at(s, pos) {
            found += 1;
            if found > MAX_MATCHES {
                spans.push((m.start(), s.len()));
                break;
            }
            spans.push((m.start(), m.end()));
            pos = m.start() + s[m.start()..].chars().next().map_or(1, char::len_utf8);
            if pos > s.len() {
                break;
            }
        }
    }
    if spans.is_empty() {
        return s.to_string();
    }
    spans.sort_unstable();
    let mut out = String::with_capacity(s.len());
    let mut done = 0;
    let mut i = 0;
    while i < spans.len() {
        let (start, mut end) = spans[i];
        i += 1;
        while i < spans.len() && spans[i].0 <= end {
            end = end.max(spans[i].1);
            i += 1;
        }
        out.push_str(&s[done..start]);
        out.push_str(MASK);
        done = end;
    }
    out.push_str(&s[done..]);
    out
}

/// A URL allowed into `source_refs`: userinfo removed, credential-bearing query (and fragment)
/// parameters removed. `None` when it cannot be made safe (whitespace, control characters, a
/// token or email in the path) — such a link is dropped, never printed.
pub fn url(raw: &str) -> Option<String> {
    let raw = raw.trim();
    if raw.is_empty() || raw.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return None;
    }
    let (scheme, rest) = match raw.find("://") {
        Some(i)
            if i > 0
                && raw[..i]
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '.' | '-')) =>
        {
            (&raw[..i + 3], &raw[i + 3..])
        }
        _ => ("", raw),
    };
    let auth_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(auth_end);
    let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    if host.is_empty() && !scheme.is_empty() {
        return None;
    }
    let (before_fragment, fragment) = match tail.split_once('#') {
        Some((b, f)) => (b, Some(f)),
        None => (tail, None),
    };
    let (path, query) = match before_fragment.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (before_fragment, None),
    };
    let mut out = format!("{scheme}{host}{path}");
    if let Some(q) = query.map(clean_params).filter(|q| !q.is_empty()) {
        out.push('?');
        out.push_str(&q);
    }
    if let Some(f) = fragment {
        let f = if f.contains('=') {
            clean_params(f)
        } else {
            f.to_string()
        };
        if !f.is_empty() {
            out.push('#');
            out.push_str(&f);
        }
    }
    if looks_secret(&out) || looks_secret(&percent_decode(&out)) {
        return None;
    }
    Some(out)
}

/// Keeps the `a=b` pairs of a query whose name and value carry no credential.
fn clean_params(q: &str) -> String {
    q.split('&')
        .filter(|p| !p.is_empty())
        .filter(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            let k = percent_decode(k);
            let v = percent_decode(v);
            !credential_param(&k) && !looks_secret(&v) && !looks_secret(&format!("{k}={v}"))
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// Query parameter names that carry credentials or signatures (case-insensitive): AWS and
/// Google signed URLs, Azure SAS signatures, CloudFront policies, OAuth tokens and codes,
/// API keys, passwords, sessions.
pub fn credential_param(name: &str) -> bool {
    let k = name.trim().to_ascii_lowercase();
    const EXACT: [&str; 12] = [
        "key",
        "sig",
        "code",
        "policy",
        "key-pair-id",
        "pwd",
        "pass",
        "jwt",
        "sas",
        "hmac",
        "nonce",
        "ticket",
    ];
    const PARTS: [&str; 10] = [
        "token",
        "secret",
        "passw",
        "signature",
        "credential",
        "apikey",
        "api_key",
        "api-key",
        "auth",
        "session",
    ];
    EXACT.contains(&k.as_str())
        || k.starts_with("x-amz-")
        || k.starts_with("x-goog-")
        || PARTS.iter().any(|p| k.contains(p))
}

/// `%XX` decoding for checks only (invalid escapes are kept as written).
fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && i + 2 < b.len()
            && let (Some(h), Some(l)) = (hex(b[i + 1]), hex(b[i + 2]))
        {
            out.push(h * 16 + l);
            i += 3;
            continue;
        }
        out.push(if b[i] == b'+' { b' ' } else { b[i] });
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex(c: u8) -> Option<u8> {
    (c as char).to_digit(16).map(|d| d as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn userinfo_is_removed() {
        assert_eq!(
            url("https://admin:hunter2@grafana.example.com/d/api-mem").as_deref(),
            Some("https://grafana.example.com/d/api-mem")
        );
        assert_eq!(
            url("https://robot@grafana.example.com/d/x?orgId=1").as_deref(),
            Some("https://grafana.example.com/d/x?orgId=1")
        );
    }

    #[test]
    fn credential_parameters_are_removed_and_the_rest_kept() {
        assert_eq!(
            url("https://grafana.example.com/d/api-mem?orgId=1&token=abc123&from=now-1h")
                .as_deref(),
            Some("https://grafana.example.com/d/api-mem?orgId=1&from=now-1h")
        );
        let s3 = "https://bucket.s3.amazonaws.com/snap.png?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20260517%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20260517T091400Z&X-Amz-Expires=3600&X-Amz-SignedHeaders=host&X-Amz-Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7";
        assert_eq!(
            url(s3).as_deref(),
            Some("https://bucket.s3.amazonaws.com/snap.png")
        );
        for p in [
            "access_token",
            "api_key",
            "apiKey",
            "sig",
            "signature",
            "auth",
            "password",
            "client_secret",
            "jwt",
            "Key-Pair-Id",
            "X-Goog-Signature",
        ] {
            let u = format!("https://h.example/p?{p}=v4lue&orgId=2");
            assert_eq!(
                url(&u).as_deref(),
                Some("https://h.example/p?orgId=2"),
                "{p}"
            );
        }
        assert_eq!(
            url("https://h.example/p?token=x").as_deref(),
            Some("https://h.example/p")
        );
    }

    #[test]
    fn fragments_with_tokens_and_secret_paths() {
        assert_eq!(
            url("https://app.example/cb#access_token=eyJabc&state=1").as_deref(),
            Some("https://app.example/cb#state=1")
        );
        assert_eq!(
            url("https://grafana.example/d/x#panel-2").as_deref(),
            Some("https://grafana.example/d/x#panel-2")
        );
        assert_eq!(url("https://pd.example.com/users/dana@example.com"), None);
        assert_eq!(url("https://pd.example.com/users/dana%40example.com"), None);
        assert_eq!(url("https://h.example/a b"), None);
        assert_eq!(url(""), None);
        assert_eq!(
            url("https://h.example/x?next=ghp_0123456789abcdefghij0123").as_deref(),
            Some("https://h.example/x")
        );
    }

    #[test]
    fn schemeless_references_are_kept() {
        assert_eq!(
            url("grafana.internal/d/api-mem").as_deref(),
            Some("grafana.internal/d/api-mem")
        );
    }

    #[test]
    fn secrets_in_values_and_messages() {
        assert!(looks_secret("dana.whitfield@example.com"));
        assert!(looks_secret("Bearer abcdefghijklmnop"));
        assert!(looks_secret(
            "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.sig-part_x"
        ));
        assert!(looks_secret("password=hunter2"));
        assert!(looks_secret("https://u:p@h.example/"));
        assert!(!looks_secret("appointments-api"));
        assert!(!looks_secret("api-7b4"));
        assert!(!looks_secret("grafana.internal/d/api-mem"));
        assert_eq!(value("  api-7b4 "), Some("api-7b4".into()));
        assert_eq!(value("ops@example.com"), None);
        assert_eq!(value("a\u{7}b"), None);
        assert_eq!(
            mask("found `dana@example.com` and Bearer abcdefghijkl"),
            "found `<redacted>` and <redacted>"
        );
    }

    /// Found by fuzzing (grafana target): a `key=value` match ran on to the next blank and
    /// swallowed the keyword of the following token, whose rest was printed in clear.
    #[test]
    fn overlapping_secrets_are_all_masked() {
        assert_eq!(
            mask("unknown `x?token=vek/Bearer zq7tokABCDEFGH12345` here"),
            "unknown `x?<redacted>` here"
        );
        assert_eq!(
            mask("view?api_key=glsa_x/Bearer zq7tokABCDEFGH12345 and a@b.example.com"),
            "view?<redacted> and <redacted>"
        );
        // Found by fuzzing (pagerduty target): one pattern's match swallowed the keyword of
        // the next match of the same pattern.
        assert_eq!(
            mask("found `04.Bearer 113Z/Bearer zq7tokABCDEFGH12345` x"),
            "found `04.<redacted>` x"
        );
        assert_eq!(mask("nothing to hide"), "nothing to hide");
        let many = "token=".repeat(100);
        assert_eq!(mask(&format!("a {many}")), "a <redacted>");
    }
}
