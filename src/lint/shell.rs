//! Tokenizers: shell-like words for code, plain words for prose, and logical lines.
//!
//! Owns how a line becomes words. In code, quotes and backslashes are removed the way a shell
//! removes them (`k''ubectl` and `"kube""ctl"` are `kubectl`), backslash-newline joins lines, and
//! shell operators, brackets and commas separate words so `$(…)`, backticks and JSON arrays such
//! as `["kubectl","delete"]` yield their words. `$'…'` escapes are decoded, `${T:-kubectl}`
//! is its default, an expansion inside a word (`kube${X}ctl`) is empty, `$(echo kubectl)` is
//! the word it prints and `{kubectl,delete,pod}` its items; PowerShell and cmd blocks honour
//! their escape characters. In prose only whitespace and punctuation split
//! words; quotes, backslashes and leftover emphasis markers are dropped from inside words.

use std::ops::Range;

mod prose;
pub(crate) use prose::tokenize_prose;
#[cfg(test)]
pub(crate) use prose::{alnum_ends, non_alnum_lanes_of, tokenize_prose_slow};

/// Punctuation that separates words and says what may follow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Op {
    /// Ends a command; the next word is in command position (`;`, `|`, `&&`, `$(`, backtick).
    Sep,
    /// Opens a bracket (`[`, `{`): ends a command; the next word may be an array element.
    Open,
    /// Closes a bracket or redirects (`)`, `]`, `}`, `<`, `>`): ends a command.
    Close,
    /// A comma: separates array elements.
    Comma,
}

/// A word or an operator of one logical line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Token {
    /// The word after quote and escape removal, or the operator text.
    pub(crate) text: String,
    /// Normalized offset of the token's first byte (an opening quote included).
    pub(crate) start: usize,
    /// Normalized offset of the first byte that contributes to `text`.
    pub(crate) lead: usize,
    /// Normalized offset just past the token.
    pub(crate) end: usize,
    /// `Some` for operators.
    pub(crate) op: Option<Op>,
    /// Quotes, escapes or line continuations were removed from the word.
    pub(crate) altered: bool,
    /// The word is exactly one quoted string: the range of its content (scanned recursively,
    /// for `bash -c "…"`, `ssh host '…'` and JSON strings).
    pub(crate) inner: Option<Range<usize>>,
    /// A line break separates this token from the previous one (prose renders one line).
    pub(crate) nl_before: bool,
}

impl Token {
    pub(crate) fn is_word(&self) -> bool {
        self.op.is_none()
    }

    /// `-x`, `-9`, `--flag`, `--flag=value` (a lone `-` or `--` is not a flag).
    pub(crate) fn is_flag(&self) -> bool {
        self.is_word() && is_flag(&self.text)
    }
}

pub(crate) fn is_flag(s: &str) -> bool {
    let b = s.as_bytes();
    match b {
        [b'-', b'-', c, ..] => c.is_ascii_alphanumeric(),
        [b'-', c, ..] => c.is_ascii_alphanumeric(),
        _ => false,
    }
}

/// A word being assembled.
#[derive(Default)]
struct Word {
    text: String,
    start: Option<usize>,
    lead: Option<usize>,
    altered: bool,
    quoted_parts: u32,
    bare: bool,
    inner: Option<Range<usize>>,
    /// A Windows path (`C:\tools\helm.exe`): backslashes are separators, not escapes.
    win_path: bool,
}

impl Word {
    fn begin(&mut self, at: usize) {
        self.start.get_or_insert(at);
    }

    fn push(&mut self, c: char, at: usize) {
        self.begin(at);
        self.lead.get_or_insert(at);
        self.text.push(c);
    }

    /// [`Self::push`] of every character of `piece`, which starts at `at`.
    fn push_str(&mut self, piece: &str, at: usize) {
        self.begin(at);
        self.lead.get_or_insert(at);
        self.text.push_str(piece);
    }

    fn finish(&mut self, end: usize, out: &mut Vec<Token>) {
        let w = std::mem::take(self);
        let Some(start) = w.start else { return };
        if w.text.is_empty() && w.quoted_parts == 0 {
            return;
        }
        let inner = if w.quoted_parts == 1 && !w.bare {
            w.inner
        } else {
            None
        };
        out.push(Token {
            text: w.text,
            start,
            lead: w.lead.unwrap_or(start),
            end,
            op: None,
            altered: w.altered,
            inner,
            nl_before: false,
        });
    }
}

fn push_op(out: &mut Vec<Token>, text: &str, at: usize, op: Op) {
    out.push(Token {
        text: text.to_string(),
        start: at,
        lead: at,
        end: at + text.len(),
        op: Some(op),
        altered: false,
        inner: None,
        nl_before: false,
    });
}

/// Which shell's escape character a code block uses besides the POSIX backslash.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Dialect {
    Posix,
    /// PowerShell: a backtick escapes the next character (``ku`bectl``).
    PowerShell,
    /// cmd.exe: a caret escapes the next character (`ku^bectl`).
    Cmd,
}

impl Dialect {
    /// The dialect of a fenced block's language.
    pub(crate) fn of_lang(lang: &str) -> Self {
        match lang {
            "powershell" | "pwsh" | "ps1" | "ps" | "posh" => Dialect::PowerShell,
            "bat" | "batch" | "cmd" | "dos" | "batchfile" => Dialect::Cmd,
            _ => Dialect::Posix,
        }
    }

    fn escape(self) -> Option<u8> {
        match self {
            Dialect::Posix => None,
            Dialect::PowerShell => Some(b'`'),
            Dialect::Cmd => Some(b'^'),
        }
    }
}

/// Splits `text[range]` into shell words and operators. Offsets are offsets in `text`.
pub(crate) fn tokenize_code(text: &str, range: Range<usize>) -> Vec<Token> {
    tokenize_code_in(text, range, Dialect::Posix)
}

/// [`tokenize_code`] for a shell dialect; substitutions that only print a word
/// (`$(echo kubectl)`) become that word and a brace list (`{kubectl,delete,pod}`) its words.
pub(crate) fn tokenize_code_in(text: &str, range: Range<usize>, dialect: Dialect) -> Vec<Token> {
    let mut out = split_code(text, range, dialect);
    if out
        .iter()
        .any(|t| t.op.is_some() || t.text.starts_with('$'))
    {
        fold_echo(&mut out);
        expand_braces(&mut out);
    }
    out
}

fn split_code(text: &str, range: Range<usize>, dialect: Dialect) -> Vec<Token> {
    let mut out = Vec::new();
    let Some(s) = text.get(range.clone()) else {
        return out;
    };
    let base = range.start;
    let b = s.as_bytes();
    let mut w = Word::default();
    let mut i = 0;
    while i < b.len() {
        let at = base + i;
        let next = b.get(i + 1).copied();
        match b[i] {
            b' ' | b'\t' | b'\r' | b'\n' => {
                w.finish(at, &mut out);
                i += 1;
            }
            c if Some(c) == dialect.escape() && next.is_some_and(|n| !n.is_ascii_whitespace()) => {
                let Some(n) = s.get(i + 1..).and_then(|r| r.chars().next()) else {
                    break;
                };
                w.begin(at);
                w.altered = true;
                w.bare = true;
                w.push(n, at + 1);
                i += 1 + n.len_utf8();
            }
            b'\\' if w.win_path || is_drive_or_dot(&w.text) => {
                w.win_path = true;
                w.push('\\', at);
                w.bare = true;
                i += 1;
            }
            b'\\' => {
                let after = &b[i + 1..];
                if after.starts_with(b"\n") || after.starts_with(b"\r\n") {
                    // A continuation: inside a word it joins the halves (`kube\⏎ctl`).
                    if w.start.is_some() {
                        w.altered = true;
                    }
                    i += if after.starts_with(b"\n") { 2 } else { 3 };
                } else if let Some(c) = s.get(i + 1..).and_then(|r| r.chars().next()) {
                    w.begin(at);
                    w.altered = true;
                    w.bare = true;
                    w.push(c, at + 1);
                    i += 1 + c.len_utf8();
                } else {
                    w.push('\\', at);
                    w.bare = true;
                    i += 1;
                }
            }
            b'\'' => i = quoted(s, i, base, b'\'', &mut w),
            b'"' => i = quoted(s, i, base, b'"', &mut w),
            b'$' if next == Some(b'(') => {
                w.finish(at, &mut out);
                push_op(&mut out, "$(", at, Op::Sep);
                i += 2;
            }
            b'$' if next == Some(b'\'') => {
                w.begin(at);
                i = ansi_quoted(s, i + 1, base, &mut w);
            }
            b'$' if next == Some(b'{') => {
                let close = s[i..].find('}').map_or(s.len(), |p| i + p + 1);
                let body = s.get(i + 2..close.saturating_sub(1)).unwrap_or("");
                let name_len = body
                    .bytes()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == b'_')
                    .count();
                let default = body[name_len..]
                    .strip_prefix(":-")
                    .or_else(|| body[name_len..].strip_prefix(":="))
                    .or_else(|| body[name_len..].strip_prefix('-'))
                    .or_else(|| body[name_len..].strip_prefix('='))
                    .filter(|_| name_len > 0);
                let mid_word =
                    !w.text.is_empty() && b.get(close).is_some_and(|c| c.is_ascii_alphanumeric());
                if let Some(d) = default {
                    // `${TOOL:-kubectl}`: the default is what runs when TOOL is unset.
                    let d_at = at + 2 + name_len + (body.len() - name_len - d.len());
                    w.begin(at);
                    w.altered = true;
                    for (k, c) in d.char_indices() {
                        w.push(c, d_at + k);
                    }
                } else if body == "IFS" {
                    // `${IFS}` expands to a space.
                    w.finish(at, &mut out);
                } else if mid_word {
                    // `kube${EMPTY}ctl`: an expansion inside a word, read as empty.
                    w.altered = true;
                } else {
                    // `${VAR}` stays part of the word.
                    for (k, c) in s[i..close].char_indices() {
                        w.push(c, at + k);
                    }
                }
                w.bare = true;
                i = close;
            }
            b'$' if matches!(next, Some(b'@' | b'*'))
                && !w.text.is_empty()
                && b.get(i + 2).is_some_and(u8::is_ascii_alphanumeric) =>
            {
                // `kube$@ctl`: no positional parameters, nothing inserted.
                w.altered = true;
                i += 2;
            }
            b'`' | b';' | b'|' | b'&' | b'(' => {
                w.finish(at, &mut out);
                let double = matches!(
                    (b[i], next),
                    (b'&', Some(b'&'))
                        | (b'|', Some(b'|'))
                        | (b';', Some(b';'))
                        | (b'|', Some(b'&'))
                );
                let len = if double { 2 } else { 1 };
                push_op(&mut out, &s[i..i + len], at, Op::Sep);
                i += len;
            }
            b'{' if next == Some(b'}') => {
                w.push('{', at);
                w.push('}', at + 1);
                w.bare = true;
                i += 2;
            }
            b'[' | b'{' => {
                w.finish(at, &mut out);
                push_op(&mut out, &s[i..i + 1], at, Op::Open);
                i += 1;
            }
            b')' | b']' | b'}' | b'<' | b'>' => {
                w.finish(at, &mut out);
                push_op(&mut out, &s[i..i + 1], at, Op::Close);
                i += 1;
            }
            b',' => {
                w.finish(at, &mut out);
                push_op(&mut out, ",", at, Op::Comma);
                i += 1;
            }
            _ => {
                let Some(c) = s[i..].chars().next() else {
                    break;
                };
                w.push(c, at);
                w.bare = true;
                i += c.len_utf8();
            }
        }
    }
    w.finish(base + b.len(), &mut out);
    out
}

/// `C:` or `.`: the start of a Windows path when a backslash follows.
fn is_drive_or_dot(word: &str) -> bool {
    let b = word.as_bytes();
    matches!(b, [d, b':'] if d.is_ascii_alphabetic()) || word == "." || word == ".."
}

/// Reads a quoted part starting at `s[i]` (the quote); returns the index after it.
fn quoted(s: &str, i: usize, base: usize, quote: u8, w: &mut Word) -> usize {
    let b = s.as_bytes();
    w.begin(base + i);
    w.altered = true;
    w.quoted_parts += 1;
    let content_start = i + 1;
    let mut j = content_start;
    while j < b.len() && b[j] != quote {
        if quote == b'"'
            && b[j] == b'\\'
            && let Some(&n) = b.get(j + 1)
        {
            if matches!(n, b'"' | b'\\' | b'$' | b'`') {
                w.push(n as char, base + j + 1);
                j += 2;
                continue;
            }
            if n == b'\n' {
                j += 2;
                continue;
            }
        }
        let Some(c) = s[j..].chars().next() else {
            break;
        };
        w.push(c, base + j);
        j += c.len_utf8();
    }
    w.inner = Some(base + content_start..base + j);
    (j + 1).min(b.len())
}

/// Reads an ANSI-C quoted part (`$'\x6bubectl'`, `$'\153'`, `$'\u006b'`) starting at the
/// quote `s[i]`, decoding its escapes; returns the index after it.
fn ansi_quoted(s: &str, i: usize, base: usize, w: &mut Word) -> usize {
    let b = s.as_bytes();
    w.begin(base + i);
    w.altered = true;
    w.quoted_parts += 1;
    let mut j = i + 1;
    while j < b.len() && b[j] != b'\'' {
        if b[j] == b'\\'
            && let Some(&n) = b.get(j + 1)
        {
            let (radix, from, max) = match n {
                b'x' => (16, j + 2, 2),
                b'u' => (16, j + 2, 4),
                b'U' => (16, j + 2, 8),
                b'0'..=b'7' => (8, j + 1, 3),
                _ => (0, j + 1, 0),
            };
            let digits = s[from..]
                .bytes()
                .take(max)
                .take_while(|c| (*c as char).is_digit(radix.max(2)))
                .count();
            let code = (radix > 0 && digits > 0)
                .then(|| u32::from_str_radix(&s[from..from + digits], radix).ok())
                .flatten()
                .and_then(char::from_u32);
            match code {
                Some(c) => {
                    w.push(c, base + j);
                    j = from + digits;
                }
                None => {
                    let Some(c) = s[j + 1..].chars().next() else {
                        break;
                    };
                    let shown = match c {
                        'n' => '\n',
                        't' => '\t',
                        other => other,
                    };
                    w.push(shown, base + j);
                    j += 1 + c.len_utf8();
                }
            }
            continue;
        }
        let Some(c) = s[j..].chars().next() else {
            break;
        };
        w.push(c, base + j);
        j += c.len_utf8();
    }
    w.inner = None;
    (j + 1).min(b.len())
}

/// `$(echo WORD)`, `` `echo WORD` ``, `$(printf WORD)`, as separate tokens or as one quoted
/// word (`"$(echo kubectl)"`), become the word they print.
fn fold_echo(tokens: &mut Vec<Token>) {
    let printer = |t: &Token| t.is_word() && matches!(t.text.as_str(), "echo" | "printf");
    let mut k = 0;
    while k < tokens.len() {
        if tokens[k].is_word() {
            if let Some(word) = echoed(&tokens[k].text) {
                let t = &mut tokens[k];
                t.text = word;
                t.altered = true;
                t.inner = None;
            }
            k += 1;
            continue;
        }
        let opener = tokens[k].text.as_str();
        let closer = match opener {
            "$(" => ")",
            "`" => "`",
            _ => {
                k += 1;
                continue;
            }
        };
        let fits = tokens.get(k + 1).is_some_and(printer)
            && tokens
                .get(k + 2)
                .is_some_and(|t| t.is_word() && !t.is_flag())
            && tokens
                .get(k + 3)
                .is_some_and(|t| t.op.is_some() && t.text == closer);
        if fits {
            let mut word = tokens[k + 2].clone();
            word.start = tokens[k].start;
            word.end = tokens[k + 3].end;
            word.altered = true;
            word.inner = None;
            tokens.splice(k..=k + 3, std::iter::once(word));
        }
        k += 1;
    }
}

/// The word a quoted `$(echo WORD)` or `` `echo WORD` `` prints.
fn echoed(text: &str) -> Option<String> {
    let body = text
        .strip_prefix("$(")
        .and_then(|r| r.strip_suffix(')'))
        .or_else(|| text.strip_prefix('`').and_then(|r| r.strip_suffix('`')))?;
    let mut words = body.split_whitespace();
    if !matches!(words.next(), Some("echo" | "printf")) {
        return None;
    }
    let word = words.next()?.trim_matches(|c| c == '\'' || c == '"');
    (words.next().is_none() && !word.is_empty() && !word.starts_with('-')).then(|| word.into())
}

/// `{kubectl,delete,pod,x}` written as one word expands to its items.
fn expand_braces(tokens: &mut Vec<Token>) {
    let mut k = 0;
    while k < tokens.len() {
        let open = &tokens[k];
        let starts_word = k == 0 || tokens[k - 1].end < open.start || tokens[k - 1].op.is_some();
        if open.op != Some(Op::Open) || open.text != "{" || !starts_word {
            k += 1;
            continue;
        }
        // word , word , … } with nothing in between.
        let mut j = k + 1;
        let mut items = 0;
        let mut closed = None;
        while let Some(t) = tokens.get(j) {
            if t.start != tokens[j - 1].end {
                break;
            }
            let want_word = (j - k) % 2 == 1;
            match (&t.op, want_word) {
                (None, true) => items += 1,
                (Some(Op::Comma), false) => {}
                (Some(Op::Close), false) if t.text == "}" => {
                    closed = Some(j);
                    break;
                }
                _ => break,
            }
            j += 1;
        }
        match closed {
            Some(close) if items >= 2 => {
                let words: Vec<Token> = tokens[k + 1..close]
                    .iter()
                    .filter(|t| t.is_word())
                    .cloned()
                    .map(|mut t| {
                        t.altered = true;
                        t
                    })
                    .collect();
                let n = words.len();
                tokens.splice(k..=close, words);
                k += n;
            }
            _ => k += 1,
        }
    }
}

/// Line ranges of `text`; with `continuation`, a line ending in an unescaped backslash is
/// joined with the next one.
pub(crate) fn logical_lines(text: &str, continuation: bool) -> Vec<Range<usize>> {
    let mut lines = Vec::new();
    let mut start = 0;
    let mut pos = 0;
    while pos <= text.len() {
        let line_end = text[pos..].find('\n').map_or(text.len(), |p| pos + p);
        let body = text[pos..line_end].trim_end_matches('\r');
        let backslashes = body.len() - body.trim_end_matches('\\').len();
        let joins = continuation && backslashes % 2 == 1 && line_end < text.len();
        if !joins {
            if line_end > start {
                lines.push(start..line_end);
            }
            start = line_end + 1;
        }
        pos = line_end + 1;
    }
    lines
}
