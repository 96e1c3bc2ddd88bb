//! Command words: which words of a line name a tool, and where the command ends.
//!
//! Owns the difference between a word and a command word. In code a tool word is looked up
//! anywhere on the line (`ssh host kubectl …`, `xargs kubectl …`); wrappers such as `sudo`,
//! `env`, `timeout 30`, `watch -n 5` and `FOO=bar` assignments are seen through so the alias `k`
//! and bare commands like `reboot` are recognized in command position; paths are reduced to
//! their basename and versioned binaries (`kubectl-1.29`, `helm3`) to the tool; names the
//! document defines (`alias kc=kubectl`, `export K=kubectl`, `kc() { kubectl "$@"; }`) are
//! remembered; in command position capitals do not hide a tool (`HELM upgrade`). Whether
//! the words after a tool make it an invocation is decided in [`super::rules`].

use std::collections::HashMap;

use super::Context;
use super::patterns::{CommandPatterns, Tool};
use super::rules::{self, is_stopword};
use super::shell::{Op, Token, is_flag};

/// Where a word stands in its command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pos {
    /// Start of a line or after `;`, `|`, `&&`, `$(`, a backtick: the word is run.
    Strong,
    /// First word of a bracketed list or after a comma: maybe an array-form command.
    Weak,
    /// An argument.
    Arg,
}

/// An invocation found in a token list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Found {
    pub(crate) tool: String,
    /// Index of the command word.
    pub(crate) at: usize,
    /// Indices of the words that made it an invocation, command word first.
    pub(crate) decisive: Vec<usize>,
    /// One past the last token of the command.
    pub(crate) end: usize,
}

/// A command that runs the command after it, with its value-taking flags and the number of
/// positional arguments it takes before that command.
struct Wrapper {
    name: &'static str,
    /// Whitespace-separated flags that take a value.
    value_flags: &'static str,
    positionals: usize,
}

const fn w(name: &'static str, value_flags: &'static str, positionals: usize) -> Wrapper {
    Wrapper {
        name,
        value_flags,
        positionals,
    }
}

const WRAPPERS: &[Wrapper] = &[
    w(
        "sudo",
        "-u -g -h -p -C -D -r -t -U -T --user --group --host --prompt --chdir",
        0,
    ),
    w("doas", "-u -C", 0),
    w("env", "-u -C --unset --chdir", 0),
    w("nohup", "", 0),
    w("time", "", 0),
    w("exec", "-a", 0),
    w("command", "", 0),
    w("builtin", "", 0),
    w("nice", "-n --adjustment", 0),
    w("ionice", "-c -n -p --class --classdata", 0),
    w("timeout", "-s -k --signal --kill-after", 1),
    w("watch", "-n --interval -q --equexit", 0),
    w(
        "xargs",
        "-I -n -P -L -d -E -s -a --max-args --max-procs --replace --delimiter --arg-file",
        0,
    ),
    w("stdbuf", "-i -o -e", 0),
    w("setsid", "", 0),
    w("runuser", "-u -g", 0),
    w("chroot", "", 1),
    w("busybox", "", 0),
    w(
        "nsenter",
        "-t --target -S --setuid -G --setgid -w --wd -r --root -Z",
        0,
    ),
    w(
        "ssh",
        "-i -p -l -o -J -F -L -R -D -b -c -E -e -m -O -Q -S -W -w -B -I",
        1,
    ),
    w("flock", "-w --timeout -E --conflict-exit-code", 1),
    w("strace", "-o -p -e -s -u -a -P -I -b -X -O -S", 0),
    w("ltrace", "-o -p -e -s -u -a -n", 0),
    w(
        "systemd-run",
        "-u --unit -p --property -M --machine --uid --gid -E --setenv --description --slice -H --host",
        0,
    ),
    w("taskset", "", 1),
    w("chrt", "", 1),
    w("unbuffer", "", 0),
    w("proxychains", "-f", 0),
    w("proxychains4", "-f", 0),
    w("torsocks", "-u -p -a -P", 0),
];

/// Builtins that declare variables: their `NAME=value` arguments are assignments.
const DECLARERS: &[&str] = &["export", "declare", "local", "readonly", "typeset"];

/// Shell keywords after which a command follows.
const KEYWORDS: &[&str] = &[
    "if", "then", "do", "else", "elif", "while", "until", "!", "{",
];

/// Names a document gives to a tool in its code: `alias kc=kubectl` makes `kc` a command,
/// `K=kubectl` makes `$K` one. They hold for the rest of the document, like a shell session.
#[derive(Debug, Default)]
pub(crate) struct Locals {
    names: HashMap<String, usize>,
}

impl Locals {
    pub(crate) fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// Whether `line` mentions a defined name as a word (the prefilter for local names).
    pub(crate) fn occur_in(&self, line: &str) -> bool {
        self.names
            .keys()
            .map(|k| k.trim_start_matches('$'))
            .any(|name| {
                line.match_indices(name).any(|(p, _)| {
                    let before = line[..p]
                        .chars()
                        .next_back()
                        .is_none_or(|c| !c.is_alphanumeric() && c != '_');
                    let after = line[p + name.len()..]
                        .chars()
                        .next()
                        .is_none_or(|c| !c.is_alphanumeric() && c != '_' && c != '-');
                    before && after
                })
            })
    }

    /// Records `name=value` when `value` is a tool; `var` marks a shell variable.
    fn define(&mut self, definition: &str, var: bool, pats: &CommandPatterns) {
        let Some((name, value)) = definition.split_once('=') else {
            return;
        };
        let value = command_word(value.split_whitespace().next().unwrap_or(""));
        if name.is_empty() || value.is_empty() {
            return;
        }
        match pats.by_name.get(&value.to_ascii_lowercase()) {
            Some(&idx) => {
                let key = if var {
                    format!("${name}")
                } else {
                    name.to_ascii_lowercase()
                };
                self.names.insert(key, idx);
            }
            None => {
                // Redefined to something else: the old meaning is gone.
                self.names.remove(&if var {
                    format!("${name}")
                } else {
                    name.to_ascii_lowercase()
                });
            }
        }
    }

    fn resolve<'p>(
        &self,
        word: &str,
        command_pos: bool,
        pats: &'p CommandPatterns,
    ) -> Option<&'p Tool> {
        let idx = if let Some(var) = word.strip_prefix('$') {
            let name = var.trim_start_matches('{').trim_end_matches('}');
            self.names.get(&format!("${name}"))
        } else if command_pos {
            self.names.get(&word.to_ascii_lowercase())
        } else {
            None
        }?;
        pats.tools.get(*idx)
    }
}

/// Finds every invocation in `tokens`.
pub(crate) fn scan(
    tokens: &[Token],
    ctx: Context,
    pats: &CommandPatterns,
    locals: &mut Locals,
) -> Vec<Found> {
    let mut out = Vec::new();
    let mut pos = Pos::Strong;
    // A redirection written before the command word (`> log k delete pod x`, `2>&1 sudo
    // reboot`): its target is a file name, and the word after the target is still the command.
    let mut redirect = false;
    let mut i = 0;
    while i < tokens.len() {
        let t = &tokens[i];
        if let Some(op) = t.op {
            if ctx == Context::Code && is_redirect(t) && (pos == Pos::Strong || redirect) {
                // `>`, `<`, and the second `>` of `>>`: the target comes next.
                redirect = true;
                i += 1;
                continue;
            }
            if redirect && t.text == "&" {
                // `>&2`, `2>&1`: a descriptor, not a background `&`.
                i += 1;
                continue;
            }
            redirect = false;
            pos = match op {
                Op::Sep => Pos::Strong,
                Op::Open | Op::Comma => Pos::Weak,
                Op::Close => Pos::Arg,
            };
            i += 1;
            continue;
        }
        if ctx == Context::Code
            && pos == Pos::Strong
            && !redirect
            && t.text.bytes().all(|b| b.is_ascii_digit())
            && tokens
                .get(i + 1)
                .is_some_and(|r| is_redirect(r) && r.start == t.end)
        {
            // The descriptor of `2>`, `0<`.
            i += 1;
            continue;
        }
        if std::mem::take(&mut redirect) {
            // The target: read as an argument (`> kubectl delete pod x` still names kubectl),
            // glued prefixes seen through as at a command's start (`>-kubectl …`), and the
            // command comes after it.
            if let Some(found) = check_tool(tokens, i, Pos::Weak, ctx, pats, locals) {
                out.push(found);
            }
            pos = Pos::Strong;
            i += 1;
            continue;
        }
        if ctx == Context::Code && pos == Pos::Strong {
            if t.text == "alias" {
                if let Some(def) = tokens.get(i + 1).filter(|d| d.is_word()) {
                    locals.define(&def.text, false, pats);
                }
                i += 2;
                pos = Pos::Arg;
                continue;
            }
            if is_assignment(&t.text) {
                locals.define(&t.text, true, pats);
            }
            if DECLARERS.contains(&t.text.as_str()) {
                for d in tokens[i + 1..].iter().take_while(|d| d.is_word()) {
                    if is_assignment(&d.text) {
                        locals.define(&d.text, true, pats);
                    }
                }
            }
            // A function that runs a tool is a name for it: `kc() { kubectl "$@"; }`,
            // `function kc { kubectl "$@"; }`.
            if let Some((name, body)) = function_def(tokens, i) {
                locals.define(&format!("{name}={}", tokens[body].text), false, pats);
            }
        }
        if ctx == Context::Code
            && pos != Pos::Arg
            && let Some(next) = see_through(tokens, i)
        {
            i = next;
            continue;
        }
        if let Some(found) = check_tool(tokens, i, pos, ctx, pats, locals) {
            out.push(found);
        }
        pos = Pos::Arg;
        i += 1;
    }
    out
}

/// Whether a token is a redirection operator (`<`, `>`).
fn is_redirect(t: &Token) -> bool {
    t.op == Some(Op::Close) && matches!(t.text.as_str(), "<" | ">")
}

/// If `tokens[i]` is a wrapper, keyword or assignment, the index of the word it runs.
fn see_through(tokens: &[Token], i: usize) -> Option<usize> {
    let text = tokens[i].text.as_str();
    if is_assignment(text) || KEYWORDS.contains(&text) {
        return Some(i + 1);
    }
    let wrapper = WRAPPERS.iter().find(|w| w.name == command_word(text))?;
    let mut j = i + 1;
    while let Some(t) = tokens.get(j).filter(|t| t.is_word()) {
        if t.text == "--" {
            j += 1;
            break;
        }
        if !is_flag(&t.text) {
            break;
        }
        // `-u deploy`, and a cluster ending in a value flag: `-iu deploy`.
        let last = (!t.text.starts_with("--") && t.text.len() > 2)
            .then(|| t.text.chars().last())
            .flatten()
            .map(|c| format!("-{c}"));
        let takes_value = wrapper
            .value_flags
            .split_whitespace()
            .any(|f| f == t.text || last.as_deref() == Some(f));
        j += if takes_value { 2 } else { 1 };
    }
    for _ in 0..wrapper.positionals {
        if tokens.get(j).is_some_and(Token::is_word) {
            j += 1;
        }
    }
    Some(j.min(tokens.len()))
}

/// `NAME() {`, `function NAME {` or `function NAME() {` at `i`: the name and the index of the
/// first word of the body.
fn function_def(tokens: &[Token], i: usize) -> Option<(&str, usize)> {
    let op = |k: usize, s: &str| tokens.get(k).is_some_and(|t| t.op.is_some() && t.text == s);
    let (name, mut k) = if tokens[i].text == "function" {
        (tokens.get(i + 1).filter(|t| t.is_word())?, i + 2)
    } else {
        (&tokens[i], i + 1)
    };
    if op(k, "(") && op(k + 1, ")") {
        k += 2;
    } else if tokens[i].text != "function" {
        return None;
    }
    if !op(k, "{") && !op(k, "(") {
        return None;
    }
    let body = tokens.get(k + 1).filter(|t| t.is_word())?;
    let ok = !name.text.is_empty()
        && name
            .text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
    (ok && !body.text.is_empty()).then_some((name.text.as_str(), k + 1))
}

fn is_assignment(s: &str) -> bool {
    let Some((name, _)) = s.split_once('=') else {
        return false;
    };
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Marks glued to a word that a reader looks through: Markdown emphasis, strikethrough and
/// heading marks (literal inside code, where a renderer shows `**kubectl …**` as is) and the
/// recipe prefixes of a Makefile (`@kubectl …` runs `kubectl` silently, `+kubectl …` always).
const DECORATION: [char; 6] = ['*', '_', '~', '#', '@', '+'];

/// The command a word names: the basename of a path, without `.exe` and without the
/// [`DECORATION`] around it (`**kubectl**`, `~~kubectl`, `@kubectl` → `kubectl`).
pub(crate) fn command_word(text: &str) -> &str {
    let text = undecorated(text);
    let pathlike = ["/", "./", "../", "~/", "$HOME/", "${"]
        .iter()
        .any(|p| text.starts_with(p));
    let base = if pathlike {
        text.rsplit('/').next().unwrap_or(text)
    } else {
        text
    };
    let windows = base.as_bytes().get(1) == Some(&b':') || base.starts_with(".\\");
    let base = if windows && base.contains('\\') {
        base.rsplit('\\').next().unwrap_or(base)
    } else {
        base
    };
    match base.len().checked_sub(4) {
        Some(cut) if base.is_char_boundary(cut) && base[cut..].eq_ignore_ascii_case(".exe") => {
            &base[..cut]
        }
        _ => base,
    }
}

/// `text` without the [`DECORATION`] before it and the emphasis marks after it; a path
/// keeps its leading `~` (`~/bin/kubectl`), and a word made only of marks stays as it is.
fn undecorated(text: &str) -> &str {
    if text.starts_with("~/") {
        return text;
    }
    let core = text
        .trim_start_matches(DECORATION)
        .trim_end_matches(['*', '~']);
    if core.is_empty() { text } else { core }
}

/// `kubectl-1.29` → `kubectl`, `helm3` → `helm`, `kubectl_v1.28.3` → `kubectl`; anything else
/// unchanged.
fn strip_version(word: &str) -> &str {
    let trimmed = word.trim_end_matches(|c: char| c.is_ascii_digit() || c == '.');
    if trimmed.len() == word.len()
        || !word[trimmed.len()..].starts_with(|c: char| c.is_ascii_digit())
    {
        return word;
    }
    let trimmed = trimmed.strip_suffix('v').unwrap_or(trimmed);
    let trimmed = trimmed.strip_suffix(['-', '_', '.']).unwrap_or(trimmed);
    if trimmed.is_empty() { word } else { trimmed }
}

/// Whether an English-looking tool word is written the way a command is: lower case, or a
/// deliberately odd mix (`hElm`, `DoCkEr`). Title case and capitals are the product name.
fn case_ok(word: &str) -> bool {
    if !word.chars().any(|c| c.is_ascii_uppercase()) {
        return true;
    }
    if word.chars().next().is_some_and(|c| c.is_ascii_lowercase()) {
        return true;
    }
    let b = word.as_bytes();
    let rises = b
        .windows(2)
        .filter(|p| p[0].is_ascii_lowercase() && p[1].is_ascii_uppercase())
        .count();
    rises >= 2
}

fn check_tool(
    tokens: &[Token],
    i: usize,
    pos: Pos,
    ctx: Context,
    pats: &CommandPatterns,
    locals: &Locals,
) -> Option<Found> {
    let command_pos = ctx == Context::Code && pos == Pos::Strong;
    let mut word = command_word(&tokens[i].text);
    // Where a command starts, a prefix glued to its word is not part of its name: a Makefile
    // recipe's `-` (run, ignore errors: `-kubectl delete pod x`) or a list number written
    // without its space (`1.kubectl …`, `2)kubectl …`). Only when the word is no tool as
    // written, and the rest is one.
    // (`glued_step` first: it is cheaper than the lookup and mostly `None`.)
    if pos != Pos::Arg
        && let Some(rest) = glued_step(&tokens[i].text)
        && pats
            .lookup(&word.to_ascii_lowercase(), command_pos)
            .is_none()
    {
        let rest = command_word(rest);
        if pats
            .lookup(&rest.to_ascii_lowercase(), command_pos)
            .is_some()
        {
            word = rest;
        }
    }
    if word.is_empty() || word.len() > 40 {
        return None;
    }
    // Lowercased only when a name or an alias has the word's length and first letter
    // (`CommandPatterns::surely_no_name`): most words are no tool.
    let mut lower = String::new();
    let mut found = None;
    if !pats.surely_no_name(word) {
        lower = word.to_ascii_lowercase();
        found = pats.lookup(&lower, command_pos);
    }
    if found.is_none() && word.bytes().any(|b| b.is_ascii_digit() || b == b'/') {
        if lower.is_empty() {
            lower = word.to_ascii_lowercase();
        }
        // `helm3`, `kubectl-1.29`; in command position a relative path: `bin/kubectl`.
        let base = match lower.rsplit_once('/') {
            Some((_, base)) if command_pos => base,
            _ => lower.as_str(),
        };
        let unversioned = strip_version(base);
        if pats.by_name.contains_key(unversioned) {
            lower = unversioned.to_string();
            found = pats.lookup(&lower, command_pos);
        }
    }
    let tool = match found {
        Some(tool) => {
            let direct = pats.by_name.contains_key(&lower);
            // Capitals are the product name ("Helm"), except where a shell runs the word: a
            // case-insensitive file system runs `HELM upgrade …` all the same.
            if (tool.english || !direct) && !case_ok(word) && !command_pos {
                return None;
            }
            tool
        }
        None if ctx == Context::Code => locals.resolve(word, command_pos, pats)?,
        None => return None,
    };
    let end = command_end(tokens, i + 1, ctx);
    let mut decisive = vec![i];
    decisive.extend(rules::evaluate(
        tool,
        tokens,
        i,
        end,
        pos == Pos::Strong,
        ctx,
    )?);
    let end = match ctx {
        Context::Code => end,
        Context::Prose => prose_end(tokens, decisive.iter().copied().max().unwrap_or(i) + 1, end),
    };
    Some(Found {
        tool: tool.name.clone(),
        at: i,
        decisive,
        end,
    })
}

/// `text` without a glued Makefile `-` (one, not a long flag's `--`) or list number (`1.`,
/// `12)`) in front, when there is one and something follows it.
fn glued_step(text: &str) -> Option<&str> {
    let rest = match text.strip_prefix('-') {
        Some(rest) if !rest.starts_with('-') => rest,
        Some(_) => return None,
        None => {
            let digits = text.len() - text.trim_start_matches(|c: char| c.is_ascii_digit()).len();
            if digits == 0 || digits > 3 {
                return None;
            }
            text[digits..].strip_prefix(['.', ')'])?
        }
    };
    (!rest.is_empty()).then_some(rest)
}

/// One past the last token of the command whose arguments start at `from`.
fn command_end(tokens: &[Token], from: usize, ctx: Context) -> usize {
    let limit = if ctx == Context::Prose {
        from + 24
    } else {
        usize::MAX
    };
    let mut j = from;
    while j < tokens.len() && j < limit {
        match tokens[j].op {
            None => {}
            // In a JSON array (`"kubectl","delete"`) the comma separates arguments; in
            // `tools: [kubectl, helm]` it separates names.
            Some(Op::Comma)
                if ctx == Context::Code
                    && tokens
                        .get(j.wrapping_sub(1))
                        .is_some_and(|t| t.inner.is_some()) => {}
            Some(_) => break,
        }
        j += 1;
    }
    j
}

/// In prose, the rendered command stops at the first English word after what decided it.
fn prose_end(tokens: &[Token], from: usize, end: usize) -> usize {
    let mut j = from;
    while j < end
        && j < from + 8
        && tokens[j].is_word()
        && !tokens[j].nl_before
        && !tokens[j].text.bytes().all(|b| b == b'-')
        && !is_stopword(&tokens[j].text)
    {
        j += 1;
    }
    j
}
