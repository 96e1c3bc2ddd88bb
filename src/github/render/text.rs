//! Text from documents made safe to show: Markdown and HTML escaping, neutralised mentions and
//! references, code spans, and links to files at the head SHA.

use super::*;

// ---------------------------------------------------------------------------------------------
// Escaping

/// Word joiner: invisible, and breaks `@login`, `#123`, `https://` and `www.` so that GitHub
/// neither mentions, cross-references nor autolinks them.
pub(super) const WJ: char = '\u{2060}';

/// Characters that reorder text on screen (Trojan Source): shown as U+FFFD instead.
pub(super) fn is_bidi(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
}

/// One line of plain characters: newlines and tabs become spaces, controls and bidi
/// overrides U+FFFD, clipped to `max` characters with `…`.
pub(super) fn flat(s: &str, max: usize) -> String {
    let mut out = String::with_capacity(s.len().min(max * 4));
    for (n, c) in s.trim().chars().enumerate() {
        if n == max {
            out.push('…');
            break;
        }
        match c {
            '\n' | '\r' | '\t' => out.push(' '),
            c if c.is_control() || is_bidi(c) => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// Inserts [`WJ`] where GitHub would otherwise mention, reference or autolink.
pub(super) fn defuse(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len() + 8);
    for (i, &c) in chars.iter().enumerate() {
        out.push(c);
        let next = chars.get(i + 1).copied();
        let defuse_here = match c {
            '@' => next.is_some_and(|n| n.is_alphanumeric() || n == '-' || n == '_'),
            '#' => next.is_some_and(|n| n.is_ascii_digit()),
            ':' => next == Some('/') && chars.get(i + 2) == Some(&'/'),
            'w' | 'W' => {
                i >= 2
                    && chars[i - 2..=i]
                        .iter()
                        .all(|x| x.eq_ignore_ascii_case(&'w'))
                    && next == Some('.')
            }
            _ => false,
        };
        if defuse_here {
            out.push(WJ);
        }
    }
    out
}

/// Document text as inline Markdown that renders exactly as written: every character that
/// can start markup is backslash-escaped, and a leading list, heading or quote marker too.
pub(super) fn md(s: &str) -> String {
    let text = defuse(&flat(s, MAX_TEXT));
    let mut out = String::with_capacity(text.len() + 16);
    let chars: Vec<char> = text.chars().collect();
    // `1. x` or `1) x` at the start would open an ordered list.
    let digits = chars.iter().take_while(|c| c.is_ascii_digit()).count();
    for (i, &c) in chars.iter().enumerate() {
        let escape = match c {
            '\\' | '`' | '*' | '_' | '{' | '}' | '[' | ']' | '<' | '>' | '&' | '|' | '~' | '$'
            | '!' | '^' => true,
            '#' | '-' | '+' | '=' => i == 0,
            '.' | ')' => i == digits && digits > 0,
            _ => false,
        };
        if escape {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Document text as a Markdown code span (nothing inside is markup, mention or link).
/// `table`: inside a table cell, where `|` must be written `\|` even in code.
pub(super) fn code(s: &str, table: bool) -> String {
    let text = flat(s, MAX_TEXT);
    if text.is_empty() {
        return "*(empty)*".into();
    }
    let text = if table {
        text.replace('|', "\\|")
    } else {
        text
    };
    let mut longest = 0;
    let mut run = 0;
    for c in text.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    let fence = "`".repeat(longest + 1);
    let pad = text.starts_with('`')
        || text.ends_with('`')
        || (text.starts_with(' ') && text.ends_with(' '));
    if pad {
        format!("{fence} {text} {fence}")
    } else {
        format!("{fence}{text}{fence}")
    }
}

/// A message from the gate, which quotes document text between backticks: the quoted parts
/// become code spans, the rest escaped text. An unmatched backtick stays a literal backtick.
pub(super) fn message(s: &str, table: bool) -> String {
    let s = flat(s, MAX_TEXT);
    let mut parts: Vec<&str> = s.split('`').collect();
    let mut unmatched = None;
    if parts.len().is_multiple_of(2) {
        // An odd number of backticks: the last one opens nothing.
        let last = parts.pop().unwrap_or("");
        let before = parts.pop().unwrap_or("");
        unmatched = Some(format!("{before}`{last}"));
    }
    let mut out = String::with_capacity(s.len() + 16);
    for (i, p) in parts.iter().enumerate() {
        if i % 2 == 1 && !p.trim().is_empty() {
            out.push_str(&code(p, table));
        } else if i % 2 == 1 {
            out.push_str(&md(&format!("`{p}`")));
        } else {
            out.push_str(&md_inner(p));
        }
    }
    if let Some(rest) = unmatched {
        out.push_str(&md_inner(&rest));
    }
    out
}

/// Like [`md`] but for text in the middle of a line: spaces kept at both ends, and block
/// markers escaped only at the very start of the whole message (handled by the caller).
pub(super) fn md_inner(s: &str) -> String {
    if s.is_empty() {
        return String::new();
    }
    let lead = s.len() - s.trim_start().len();
    let trail = s.len() - s.trim_end().len();
    if lead == s.len() {
        return " ".into();
    }
    format!("{}{}{}", &s[..lead], md(s), &s[s.len() - trail..])
}

/// Text inside an HTML element (the `<summary>` of a details block).
pub(super) fn html(s: &str) -> String {
    let text = defuse(&flat(s, MAX_TEXT));
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// `[`label`](url)` for a repository file, or the path as code when it cannot be linked
/// (absolute, `..`, empty).
pub(super) fn file_link(
    links: &Forge,
    path: &str,
    line: Option<u32>,
    col: Option<u32>,
    table: bool,
) -> String {
    let label = match (line, col) {
        (Some(l), Some(c)) => format!("{}:{l}:{c}", clean_path(path)),
        (Some(l), None) => format!("{}:{l}", clean_path(path)),
        _ => clean_path(path),
    };
    match links.blob(path, line).filter(|_| linkable(path)) {
        Some(url) => format!("[{}]({url})", code(&label, table)),
        None => code(&label, table),
    }
}

// ---------------------------------------------------------------------------------------------
// Paths and URLs

/// `./a//b\c` → `a/b/c`.
pub(super) fn clean_path(p: &str) -> String {
    p.replace('\\', "/")
        .split('/')
        .filter(|s| !s.is_empty() && *s != ".")
        .collect::<Vec<_>>()
        .join("/")
}

/// A path inside the repository: relative, without `..`, not a Windows drive.
pub fn linkable(p: &str) -> bool {
    let c = clean_path(p);
    !c.is_empty()
        && !p.starts_with('/')
        && !p.starts_with('\\')
        && !c.split('/').any(|s| s == "..")
        && !matches!(c.as_bytes(), [d, b':', ..] if d.is_ascii_alphabetic())
        && !c.chars().any(char::is_control)
}

/// Percent-encodes one path segment: RFC 3986 unreserved characters stay, every other byte is
/// `%XX` (a file path keeps its `/` as `%2F`, which GitHub accepts
/// for the contents API).
pub fn encode_segment(s: &str) -> String {
    use std::fmt::Write;
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

pub(super) fn encode_path(p: &str) -> String {
    p.split('/')
        .map(encode_segment)
        .collect::<Vec<_>>()
        .join("/")
}

/// Files GitHub shows rendered, where `#L12` needs `?plain=1` to reach a line.
pub(super) fn rendered_by_github(path: &str) -> bool {
    let ext = path
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    matches!(
        ext.as_str(),
        "md" | "markdown"
            | "mdown"
            | "mkdn"
            | "mkd"
            | "mdwn"
            | "rst"
            | "adoc"
            | "asciidoc"
            | "org"
            | "textile"
            | "rdoc"
            | "creole"
            | "mediawiki"
            | "wiki"
            | "pod"
            | "csv"
            | "tsv"
            | "ipynb"
            | "svg"
            | "geojson"
            | "topojson"
    )
}
