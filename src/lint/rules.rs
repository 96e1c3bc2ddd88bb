//! Invocation rules: whether the words after a tool word make it a command that runs.
//!
//! Owns one decision per rule class of the tool table: a known subcommand after global flags
//! (`kubectl -n prod delete …`), any argument, a flag among the arguments, a signal or PID for
//! `kill`, a mutating method or body for `curl`, `service NAME VERB`, `aws SERVICE OPERATION`.
//! In prose the bar is higher: a subcommand followed by "is", "policy" or "must" is talk about
//! the command, and an English-looking tool needs an argument that reads as an identifier.

use super::Context;
use super::builtin::{FOLLOW_STOPWORDS, STOPWORDS};
use super::patterns::{Rule, Tool};
use super::shell::{Token, is_flag};

const SERVICE_VERBS: &[&str] = &[
    "start",
    "stop",
    "restart",
    "reload",
    "force-reload",
    "try-restart",
    "condrestart",
    "status",
    "graceful",
];
const S3_OPS: &[&str] = &[
    "cp", "mv", "rm", "sync", "ls", "mb", "rb", "presign", "website",
];
const SCRIPT_EXTS: &[&str] = &[
    ".yml", ".yaml", ".sql", ".sh", ".json", ".py", ".conf", ".tf",
];

fn is_follow_stopword(s: &str) -> bool {
    FOLLOW_STOPWORDS.iter().any(|w| w.eq_ignore_ascii_case(s))
}

pub(crate) fn is_stopword(s: &str) -> bool {
    STOPWORDS.iter().any(|w| w.eq_ignore_ascii_case(s))
}

/// Word indices in `from..to`, commas skipped.
pub(crate) fn words(
    tokens: &[Token],
    from: usize,
    to: usize,
) -> impl Iterator<Item = (usize, &Token)> {
    tokens
        .iter()
        .enumerate()
        .take(to)
        .skip(from)
        .filter(|(_, t)| t.is_word())
}

/// The decisive argument indices when `tool` is invoked, `None` otherwise.
pub(crate) fn evaluate(
    tool: &Tool,
    tokens: &[Token],
    at: usize,
    end: usize,
    command_pos: bool,
    ctx: Context,
) -> Option<Vec<usize>> {
    let from = at + 1;
    let code = ctx == Context::Code;
    match &tool.rule {
        Rule::Subs { code: c, prose } => subcommand(
            tokens,
            from,
            end,
            if code { c } else { prose },
            ctx,
            tool.english,
        ),
        Rule::Args { prose_words } => {
            if code {
                let (j, t) = words(tokens, from, end).next()?;
                return (!is_stopword(&t.text)).then(|| vec![j]);
            }
            for (j, t) in words(tokens, from, end).take(3) {
                let lower = t.text.to_ascii_lowercase();
                if t.is_flag()
                    || prose_words.contains(&t.text)
                    || SCRIPT_EXTS.iter().any(|e| lower.ends_with(e))
                {
                    return Some(vec![j]);
                }
                if is_stopword(&t.text) {
                    break;
                }
            }
            None
        }
        Rule::Flags(flags) => words(tokens, from, end)
            .find(|(_, t)| {
                flags.iter().any(|f| {
                    t.text == *f
                        || (f.starts_with("--")
                            && t.text
                                .strip_prefix(f.as_str())
                                .is_some_and(|r| r.starts_with('=')))
                })
            })
            .map(|(j, _)| vec![j]),
        Rule::GroupVerb { groups, verbs } => after_flags(tokens, from, end, |g, group| {
            if !groups.iter().any(|x| x.eq_ignore_ascii_case(&group.text)) {
                return None;
            }
            words(tokens, g + 1, end)
                .take(2)
                .find(|(_, t)| {
                    verbs.iter().any(|v| v.eq_ignore_ascii_case(&t.text))
                        || is_hyphenated_op(&t.text)
                })
                .map(|(v, _)| vec![g, v])
        }),
        Rule::Aws => after_flags(tokens, from, end, |s, svc| {
            let (o, op) = words(tokens, s + 1, end).next()?;
            let svc_ok = svc
                .text
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
            let op_ok = is_hyphenated_op(&op.text)
                || (svc.text == "s3" && S3_OPS.contains(&op.text.as_str()))
                || matches!(op.text.as_str(), "wait" | "tail");
            (svc_ok && op_ok).then(|| vec![s, o])
        }),
        Rule::Bare => {
            let first = words(tokens, from, end).next();
            if code {
                let ok = command_pos
                    && first.is_none_or(|(_, t)| {
                        t.is_flag() || t.text == "now" || t.text.starts_with('+')
                    });
                ok.then(Vec::new)
            } else {
                first.filter(|(_, t)| t.is_flag()).map(|(j, _)| vec![j])
            }
        }
        Rule::Kill => kill(tokens, from, end, ctx),
        Rule::Rm => {
            if code {
                let (j, t) = words(tokens, from, end).next()?;
                return (!is_stopword(&t.text)).then(|| vec![j]);
            }
            for (j, t) in words(tokens, from, end).take(3) {
                let x = t.text.as_str();
                let recursive_or_force = matches!(x, "--recursive" | "--force")
                    || (x.starts_with('-')
                        && !x.starts_with("--")
                        && x.len() > 1
                        && x[1..].chars().all(|c| "rRfvdi".contains(c))
                        && x.contains(['r', 'R', 'f']));
                if recursive_or_force {
                    return Some(vec![j]);
                }
                if is_stopword(x) {
                    break;
                }
            }
            None
        }
        Rule::Curl => curl(tokens, from, end),
        Rule::Wget => words(tokens, from, end)
            .find(|(j, t)| {
                let (name, value) = t.text.split_once('=').unwrap_or((t.text.as_str(), ""));
                match name {
                    "--post-data" | "--post-file" | "--body-data" | "--body-file" => true,
                    "--method" => {
                        let v = if value.is_empty() {
                            tokens.get(j + 1).map_or("", |n| n.text.as_str())
                        } else {
                            value
                        };
                        is_mutating_method(v)
                    }
                    _ => false,
                }
            })
            .map(|(j, _)| vec![j]),
        Rule::Service => {
            let mut it = words(tokens, from, end);
            let (n, name) = it.next()?;
            if name.text == "--status-all" {
                return Some(vec![n]);
            }
            if name.is_flag() || is_stopword(&name.text) {
                return None;
            }
            let (v, verb) = it.next()?;
            // "the service api restart loop" talks about restarts.
            let talk = !code && it.next().is_some_and(|(_, t)| is_follow_stopword(&t.text));
            let verb_ok = SERVICE_VERBS
                .iter()
                .any(|s| s.eq_ignore_ascii_case(&verb.text));
            (verb_ok && !talk).then(|| vec![n, v])
        }
    }
}

/// `tool [flags [values]] SUBCOMMAND`; in prose the subcommand must not be followed by an
/// English word that shows the phrase is about the command ("kubectl delete is forbidden").
fn subcommand(
    tokens: &[Token],
    from: usize,
    end: usize,
    entries: &[Vec<String>],
    ctx: Context,
    english: bool,
) -> Option<Vec<usize>> {
    after_flags(tokens, from, end, |j, _| {
        let n = match_entry(tokens, j, end, entries)?;
        let decisive: Vec<usize> = (j..j + n).collect();
        if ctx == Context::Prose {
            let mut next = words(tokens, j + n, end);
            let first = next.next().map(|(_, t)| t);
            // An English-looking tool ("a helm upgrade that times out", "people ran helm
            // rollback by hand") counts only with an argument: `helm rollback web 41`.
            let ok = match first {
                Some(t)
                    if FOLLOW_STOPWORDS
                        .iter()
                        .any(|w| w.eq_ignore_ascii_case(&t.text)) =>
                {
                    false
                }
                Some(t) => {
                    !english
                        || is_argument_like(&t.text)
                        || next.next().is_some_and(|(_, t)| is_argument_like(&t.text))
                }
                None => !english,
            };
            if !ok {
                return None;
            }
        }
        Some(decisive)
    })
}

/// Tries `decide` on the first positional word after the tool's global flags; a word right
/// after a flag may be that flag's value (`aws --region eu-west-1 ec2 …`), so when it does not
/// decide, the next word is tried too.
fn after_flags(
    tokens: &[Token],
    from: usize,
    end: usize,
    decide: impl Fn(usize, &Token) -> Option<Vec<usize>>,
) -> Option<Vec<usize>> {
    let mut after_flag = false;
    for (j, t) in words(tokens, from, end).take(10) {
        if t.is_flag() {
            after_flag = !t.text.contains('=');
            continue;
        }
        if let Some(d) = decide(j, t) {
            return Some(d);
        }
        if !after_flag {
            return None;
        }
        after_flag = false;
    }
    None
}

/// Length in words of the longest entry matching at `j`.
fn match_entry(tokens: &[Token], j: usize, end: usize, entries: &[Vec<String>]) -> Option<usize> {
    entries
        .iter()
        .filter(|e| {
            !e.is_empty()
                && j + e.len() <= end
                && e.iter().enumerate().all(|(k, w)| {
                    tokens[j + k].is_word() && tokens[j + k].text.eq_ignore_ascii_case(w)
                })
        })
        .map(Vec::len)
        .max()
}

/// A flag or a word that reads as an identifier rather than English: `checkout-web`,
/// `deploy/api`, `41`, `app.yaml`, `--wait`.
fn is_argument_like(s: &str) -> bool {
    is_flag(s)
        || s.chars()
            .any(|c| c.is_ascii_digit() || "-_/.:=@*$".contains(c))
}

fn is_hyphenated_op(s: &str) -> bool {
    s.contains('-')
        && !s.starts_with('-')
        && !s.ends_with('-')
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

fn is_mutating_method(s: &str) -> bool {
    ["POST", "PUT", "PATCH", "DELETE"]
        .iter()
        .any(|m| m.eq_ignore_ascii_case(s))
}

/// `kill` with a signal, a PID, a job or a substitution (`kill $(pgrep -f worker)`).
fn kill(tokens: &[Token], from: usize, end: usize, ctx: Context) -> Option<Vec<usize>> {
    let code = ctx == Context::Code;
    if code && from == end {
        let next = tokens
            .get(end)
            .filter(|t| matches!(t.text.as_str(), "$(" | "`"));
        return next.map(|_| vec![end]);
    }
    for (j, t) in words(tokens, from, end).take(3) {
        let x = t.text.as_str();
        let signal = x.strip_prefix('-').is_some_and(|r| {
            !r.is_empty()
                && (r.bytes().all(|b| b.is_ascii_digit())
                    || r.bytes().all(|b| b.is_ascii_uppercase())
                    || r == "s")
        }) || x == "--signal";
        // In prose a number followed by a noun is a count ("may kill 30 pods").
        let counted = !code
            && tokens.get(j + 1).is_some_and(|n| {
                n.is_word() && n.text.chars().all(char::is_alphabetic) && !is_stopword(&n.text)
            });
        let pid = x.bytes().all(|b| b.is_ascii_digit())
            && x.len() >= if code { 1 } else { 2 }
            && !counted;
        let job_or_var = code && (x.starts_with('%') || x.starts_with('$'));
        if signal || pid || job_or_var {
            return Some(vec![j]);
        }
        if !code || !t.is_flag() {
            break;
        }
    }
    None
}

/// `curl` with a mutating method or a request body.
fn curl(tokens: &[Token], from: usize, end: usize) -> Option<Vec<usize>> {
    for (j, t) in words(tokens, from, end) {
        let x = t.text.as_str();
        let next_text = || tokens.get(j + 1).map_or("", |n| n.text.as_str());
        if let Some(long) = x.strip_prefix("--") {
            let (name, value) = long.split_once('=').unwrap_or((long, ""));
            match name {
                "request" => {
                    let method = if value.is_empty() { next_text() } else { value };
                    if is_mutating_method(method) {
                        return Some(vec![j]);
                    }
                }
                "data" | "data-raw" | "data-binary" | "data-urlencode" | "data-ascii" | "form"
                | "form-string" | "upload-file" | "json" => {
                    return Some(vec![j]);
                }
                _ => {}
            }
        } else if let Some(cluster) = x.strip_prefix('-').filter(|c| !c.is_empty()) {
            for (k, c) in cluster.char_indices() {
                match c {
                    'X' => {
                        let rest = &cluster[k + 1..];
                        let method = if rest.is_empty() { next_text() } else { rest };
                        if is_mutating_method(method) {
                            return Some(vec![j]);
                        }
                        break;
                    }
                    'd' | 'F' | 'T' => return Some(vec![j]),
                    c if c.is_ascii_alphabetic() => {}
                    _ => break,
                }
            }
        }
    }
    None
}
