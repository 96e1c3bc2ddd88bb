//! Concrete-command lint: finds ops commands written anywhere in a Markdown file.
//!
//! A `specify.md` states why, what and the constraints and lists abstract pre-approved actions
//! (`restart_pod`); a concrete remediation command (`kubectl delete pod api-7b4`) in it is a
//! decision taken before planning and review. This module owns finding such commands, with
//! byte offsets into the original file, whatever their form: code blocks, inline code or
//! prose; behind `sudo`, paths, aliases and continuations; disguised with look-alike letters,
//! zero-width characters, entities or quotes.
//!
//! The pipeline, one pass per file: [`regions`] splits the Markdown into code and prose units
//! and normalizes them ([`normalize`]) keeping an offset map; an Aho-Corasick prefilter over the
//! normalized text picks the lines worth reading; [`shell`] tokenizes those lines;
//! [`invocation`] finds the command words and [`rules`] decides whether they are run, using the
//! table in [`builtin`] as compiled by [`patterns`]; [`statements`] finds SQL and raw HTTP calls.
//! [`directive`] says where the `<!-- sddgate-allow … -->` suppression directives are, for
//! [`regions`] (which skips their text and nothing else) and for the spec parser alike.

mod builtin;
mod directive;
mod invocation;
mod normalize;
mod patterns;
mod regions;
mod rules;
mod shell;
mod statements;
#[cfg(test)]
mod tests;

use std::ops::Range;

pub use directive::{Directive, directives};
pub use patterns::{CommandPatterns, CommandsConfig, PatternError, ToolSpec};
pub use regions::Markdown;

use invocation::{Found, Locals};
use patterns::{KIND_STATEMENT, KIND_WORD};
use regions::{Unit, UnitKind};
use shell::Token;

/// Where a command was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Context {
    /// A fenced, tilde or indented code block, or an inline code span.
    Code,
    /// Everything else: headings, paragraphs, list items, table cells, link text, HTML,
    /// comments, front matter.
    Prose,
}

/// One concrete command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommandHit {
    /// Byte offset in `source` of the command word (of `kubectl`, of `DELETE` for a raw call).
    pub start: usize,
    /// Byte offset just past the command text on the command word's source line.
    pub end: usize,
    /// Canonical tool, aliases resolved: `kubectl`, `sql`, `http` for raw API calls, …
    pub tool: String,
    /// Normalized one-line rendering of what was matched, e.g. `kubectl delete pod api-7b4`.
    pub matched: String,
    pub context: Context,
    /// The raw text differs from the normalized text that matched (look-alike letters,
    /// zero-width characters, entities, quotes inside words, line continuations).
    pub disguised: bool,
}

/// Longest `matched` rendering, in characters, before it is cut with `…`.
const MAX_MATCHED: usize = 120;
/// How deep quoted strings (`bash -c "…"`) are scanned for commands inside commands.
const MAX_NESTING: usize = 3;

/// Scans a whole Markdown file (YAML front matter included, scanned as prose). Hits sorted by
/// `start`, at most one per command.
pub fn find_commands(source: &str, pats: &CommandPatterns) -> Vec<CommandHit> {
    find_commands_in(source, &Markdown::parse(source), pats)
}

/// [`find_commands`] over the events of `source` parsed already ([`Markdown::parse`]).
pub fn find_commands_in(
    source: &str,
    md: &Markdown<'_>,
    pats: &CommandPatterns,
) -> Vec<CommandHit> {
    let mut hits = Vec::new();
    let mut locals = Locals::default();
    let mut scratch = Scratch::default();
    regions::each_unit(source, md, &mut |unit| {
        Scanner {
            source,
            unit,
            pats,
            hits: &mut hits,
            locals: &mut locals,
            scratch: &mut scratch,
        }
        .scan();
    });
    hits.sort_by(|a, b| a.start.cmp(&b.start).then(b.end.cmp(&a.end)));
    // A command inside another one (`psql -c "DELETE …"`, `curl -X DELETE https://…`,
    // `kubectl exec … -- redis-cli FLUSHALL`) is reported once, as the outer command.
    let mut kept: Vec<CommandHit> = Vec::with_capacity(hits.len());
    for hit in hits {
        if kept
            .last()
            .is_some_and(|last| hit.start >= last.start && hit.start < last.end)
        {
            continue;
        }
        kept.push(hit);
    }
    kept
}

struct Scanner<'a> {
    source: &'a str,
    unit: &'a Unit,
    pats: &'a CommandPatterns,
    hits: &'a mut Vec<CommandHit>,
    locals: &'a mut Locals,
    scratch: &'a mut Scratch,
}

/// Buffers of [`Scanner::scan`], kept from one unit to the next.
#[derive(Default)]
struct Scratch {
    /// The prefilter's candidates ([`prefilter`]).
    candidates: Vec<usize>,
    /// Offsets of the bytes of [`TRICK_BYTES`].
    marks: Vec<usize>,
}

/// The prefilter over a unit's `text`: into `scratch.candidates`, sorted, the offsets where a
/// tool word starts as a whole word ([`bounded`]) and where a word split by quotes or escapes
/// starts ([`trick_at`]); returns whether a statement word (SQL, an HTTP method) occurs.
// Kept out of line, so that how the hot word scan it inlines is compiled does not depend on
// the code of the scanner around it (which, inlined, was measured to cost it millions of
// instructions per thousand specs after unrelated changes).
#[inline(never)]
fn prefilter(text: &str, pats: &CommandPatterns, scratch: &mut Scratch) -> bool {
    let Scratch { candidates, marks } = scratch;
    candidates.clear();
    marks.clear();
    let mut statement = false;
    let kinds = &pats.kinds;
    pats.each_match(text, marks, |range, pattern| {
        if !bounded(text, range.clone()) {
            return;
        }
        let kind = kinds.get(pattern).copied().unwrap_or(0);
        if kind & KIND_WORD != 0 {
            candidates.push(range.start);
        }
        statement |= kind & KIND_STATEMENT != 0;
    });
    let b = text.as_bytes();
    candidates.extend(marks.iter().filter_map(|&i| trick_at(b, i)));
    candidates.sort_unstable();
    statement
}

/// [`prefilter`] the plain way: every match of the automaton, and the byte-by-byte search for
/// split words (the reference the tests compare it with).
#[cfg(test)]
fn prefilter_slow(text: &str, pats: &CommandPatterns) -> (Vec<usize>, bool) {
    let mut candidates = Vec::new();
    let mut statement = false;
    pats.each_match_slow(text, |range, pattern| {
        if !bounded(text, range.clone()) {
            return;
        }
        let kind = pats.kinds.get(pattern).copied().unwrap_or(0);
        if kind & KIND_WORD != 0 {
            candidates.push(range.start);
        }
        statement |= kind & KIND_STATEMENT != 0;
    });
    candidates.extend(split_tricks_slow(text));
    candidates.sort_unstable();
    (candidates, statement)
}

impl<'a> Scanner<'a> {
    fn text(&self) -> &'a str {
        &self.unit.text.text
    }

    fn scan(&mut self) {
        let text = self.text();
        let statement = prefilter(text, self.pats, self.scratch);
        // Taken for the scan (the scanner is borrowed again below), put back for the next unit.
        let candidates = std::mem::take(&mut self.scratch.candidates);
        let code = self.unit.context() == Context::Code;

        if !candidates.is_empty() || (code && !self.locals.is_empty()) {
            let has = |r: &Range<usize>| {
                let i = candidates.partition_point(|&c| c < r.start);
                candidates.get(i).is_some_and(|&c| c < r.end)
            };
            match self.unit.kind {
                UnitKind::CodeBlock { .. } => {
                    let lines = shell::logical_lines(text, true);
                    for (i, line) in lines.iter().enumerate() {
                        // Names the document defined (`alias kc=kubectl`) on earlier lines
                        // are not in the prefilter; look for them too.
                        if !has(line) && !self.locals.occur_in(&text[line.clone()]) {
                            continue;
                        }
                        match yaml_sequence(text, &lines[i..]) {
                            Some(items) => self.yaml_command(&items),
                            None => self.code_line(line.clone(), 0),
                        }
                    }
                }
                UnitKind::CodeSpan if !candidates.is_empty() || self.locals.occur_in(text) => {
                    self.code_line(0..text.len(), 0);
                }
                UnitKind::CodeSpan => {}
                UnitKind::Prose if !candidates.is_empty() => self.prose(0..text.len()),
                UnitKind::Prose => {}
                UnitKind::ProseLines => {
                    for line in shell::logical_lines(text, false).into_iter().filter(has) {
                        self.prose(line);
                    }
                }
            }
        }
        self.scratch.candidates = candidates;
        if statement {
            self.statements();
        }
        self.custom();
    }

    fn code_line(&mut self, range: Range<usize>, depth: usize) {
        let text = &self.unit.text.text;
        let prompt = match depth {
            0 => text
                .get(range.clone())
                .and_then(|l| self.pats.prompt().find(l)),
            _ => None,
        };
        let skip = prompt.map_or(0, |m| m.end());
        let dialect = match &self.unit.kind {
            UnitKind::CodeBlock { lang } => shell::Dialect::of_lang(lang),
            _ => shell::Dialect::Posix,
        };
        let tokens = shell::tokenize_code_in(text, range.start + skip..range.end, dialect);
        for found in invocation::scan(&tokens, Context::Code, self.pats, self.locals) {
            self.push_found(&tokens, &found, Context::Code);
        }
        // A prompt that ends in `>` may as well be a redirection (`> out.txt reboot` runs
        // `reboot`): the line is read both ways and a command found either way is reported.
        if prompt.is_some_and(|m| m.as_str().trim_end().ends_with('>')) {
            let whole = shell::tokenize_code_in(text, range.clone(), dialect);
            for found in invocation::scan(&whole, Context::Code, self.pats, self.locals) {
                self.push_found(&whole, &found, Context::Code);
            }
        }
        if depth < MAX_NESTING {
            for t in &tokens {
                if let Some(inner) = t.inner.clone()
                    && text
                        .get(inner.clone())
                        .is_some_and(|s| s.contains(char::is_whitespace))
                {
                    self.code_line(inner, depth + 1);
                } else if t.is_word() && t.altered && t.text.contains(char::is_whitespace) {
                    self.requoted(t);
                }
            }
        }
    }

    /// A word of several quoted parts that holds a command once its quotes are removed
    /// (`eval "kube""ctl delete pod x"`): its text is scanned, every word of it standing for
    /// the whole source word.
    fn requoted(&mut self, word: &Token) {
        let mut tokens = shell::tokenize_code(&word.text, 0..word.text.len());
        for t in &mut tokens {
            t.start = word.start;
            t.lead = word.lead;
            t.end = word.end;
            t.inner = None;
        }
        for found in invocation::scan(&tokens, Context::Code, self.pats, self.locals) {
            self.push_found(&tokens, &found, Context::Code);
        }
    }

    /// A command written as a YAML block sequence, one word per item (`command:` of a Job).
    fn yaml_command(&mut self, items: &[Range<usize>]) {
        let text = &self.unit.text.text;
        let tokens: Vec<Token> = items
            .iter()
            .flat_map(|r| shell::tokenize_code(text, r.clone()))
            .collect();
        for found in invocation::scan(&tokens, Context::Code, self.pats, self.locals) {
            self.push_found(&tokens, &found, Context::Code);
        }
    }

    fn prose(&mut self, range: Range<usize>) {
        let tokens = shell::tokenize_prose(self.text(), range);
        for found in invocation::scan(&tokens, Context::Prose, self.pats, self.locals) {
            self.push_found(&tokens, &found, Context::Prose);
        }
    }

    fn push_found(&mut self, tokens: &[Token], found: &Found, context: Context) {
        let norm = &self.unit.text;
        let Some(word) = tokens.get(found.at) else {
            return;
        };
        let start = norm.map.src_start(word.lead);
        let line_end = line_end(self.source, start);
        let mut end = norm.map.src_end(word.end).min(line_end);
        for &k in &found.decisive {
            if let Some(t) = tokens
                .get(k)
                .filter(|t| norm.map.src_start(t.start) < line_end)
            {
                end = end.max(norm.map.src_end(t.end).min(line_end));
            }
        }
        let raw = |r: Range<usize>| self.source.get(norm.src_range(r)).unwrap_or("");
        let mut disguised = false;
        let mut prev: Option<(usize, usize)> = None;
        for &k in &found.decisive {
            let Some(t) = tokens.get(k) else { continue };
            // A word that is one quoted string (`"kubectl"` in JSON) is plain quoting.
            let body = t.inner.clone().unwrap_or(t.lead..t.end);
            disguised |= raw(body) != t.text;
            if let Some((pk, pend)) = prev {
                let (gap_start, gap_end) = (norm.map.src_end(pend), norm.map.src_start(t.start));
                let gap = self
                    .source
                    .get(gap_start..gap_end.max(gap_start))
                    .unwrap_or("");
                disguised |= gap.contains("\\\n") || gap.contains("\\\r\n");
                // Between adjacent words only plain spacing (and, in prose, emphasis markers
                // around a whole word) is expected: not `&nbsp;`, a no-break space, a bidi
                // control.
                let plain = |b: u8| {
                    matches!(b, b' ' | b'\t' | b'\r')
                        || (context == Context::Prose && matches!(b, b'*' | b'_' | b'~'))
                };
                disguised |= pk + 1 == k && !gap.contains('\n') && !gap.bytes().all(plain);
            }
            prev = Some((k, t.end));
        }
        // In prose the rendering stops at the first word after the decisive ones that is
        // written in another script ("… delete pod вручную").
        let last_decisive = found.decisive.iter().copied().max().unwrap_or(found.at);
        let mut words: Vec<&str> = Vec::new();
        for (k, t) in tokens.iter().enumerate().take(found.end).skip(found.at) {
            if !t.is_word() {
                continue;
            }
            if context == Context::Prose && k > last_decisive && !t.text.is_ascii() {
                break;
            }
            if norm.map.src_start(t.start) < line_end {
                end = end.max(norm.map.src_end(t.end).min(line_end));
            }
            words.push(t.text.as_str());
        }
        let matched = one_line(&words.join(" "));
        self.push(start, end, found.tool.clone(), matched, context, disguised);
    }

    fn statements(&mut self) {
        let mut found = Vec::new();
        let sql_block =
            matches!(&self.unit.kind, UnitKind::CodeBlock { lang } if is_sql_lang(lang));
        let ctx = self.unit.context();
        self.pats
            .statements
            .scan(self.text(), ctx, sql_block, &mut found);
        for s in found {
            self.push_match(s.range, s.tool.to_string());
        }
    }

    fn custom(&mut self) {
        let pats = self.pats;
        for (name, re) in &pats.custom {
            let ranges: Vec<Range<usize>> = re
                .find_iter(self.text())
                .map(|m| m.range())
                .filter(|r| !r.is_empty())
                .collect();
            for r in ranges {
                self.push_match(r, name.clone());
            }
        }
    }

    /// A regex match: rendered up to the end of its line or statement.
    fn push_match(&mut self, range: Range<usize>, tool: String) {
        let text = &self.unit.text.text;
        let norm = &self.unit.text;
        let rest = &text[range.start..];
        let stop = rest
            .find(['\n', ';'])
            .map_or(text.len(), |p| range.start + p)
            .max(range.end);
        let start = norm.map.src_start(range.start);
        let line_end = line_end(self.source, start);
        let end = norm.map.src_end(stop).min(line_end);
        let raw = self.source.get(norm.src_range(range.clone())).unwrap_or("");
        let disguised = one_line(raw) != one_line(&text[range.clone()]);
        let matched = one_line(&text[range.start..stop]);
        let ctx = self.unit.context();
        self.push(start, end, tool, matched, ctx, disguised);
    }

    fn push(
        &mut self,
        start: usize,
        end: usize,
        tool: String,
        matched: String,
        context: Context,
        disguised: bool,
    ) {
        let src = self.source;
        if start >= src.len() || !src.is_char_boundary(start) {
            return;
        }
        let mut end = end.clamp(start, src.len());
        while !src.is_char_boundary(end) {
            end -= 1;
        }
        // Prose words keep the quotes and emphasis markers removed from them; they are not
        // part of the command.
        let residue: &[char] = match context {
            Context::Code => &['\\'],
            Context::Prose => &['\\', '"', '\'', '*', '_', '`', '”', '’', '»'],
        };
        let trimmed =
            src[start..end].trim_end_matches(|c: char| c.is_whitespace() || residue.contains(&c));
        end = start + trimmed.len();
        if end == start {
            end = start + src[start..].chars().next().map_or(0, char::len_utf8);
        }
        self.hits.push(CommandHit {
            start,
            end,
            tool,
            matched,
            context,
            disguised,
        });
    }
}

fn line_end(source: &str, from: usize) -> usize {
    source
        .get(from..)
        .and_then(|s| s.find('\n'))
        .map_or(source.len(), |p| from + p)
}

/// A prefilter match counts only as a whole word (`kubectl`, not `kubectl-commands`).
fn bounded(text: &str, r: Range<usize>) -> bool {
    let b = text.as_bytes();
    // Underscores glued in front are emphasis (`__kubectl …__` in code shows as is), unless a
    // letter or digit comes before them (`my_kubectl` is another word).
    let lead = b[..r.start]
        .iter()
        .rev()
        .take_while(|&&c| c == b'_')
        .count();
    let before_ok = r.start == lead || !b[r.start - lead - 1].is_ascii_alphanumeric();
    let after_ok = match b.get(r.end) {
        None => true,
        Some(&c) if !is_word_byte(c) && c != b'-' => true,
        // A versioned binary: `helm3`, `kubectl-1.29`, `kubectl_v1.28` (checked again, in
        // full, by the command-word lookup).
        Some(&c) => {
            let rest = &b[r.end + usize::from(!c.is_ascii_digit())..];
            let rest = rest.strip_prefix(b"v").unwrap_or(rest);
            matches!(c, b'-' | b'_' | b'.' | b'0'..=b'9')
                && rest.first().is_some_and(u8::is_ascii_digit)
        }
    };
    before_ok && after_ok
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// The items of a YAML block sequence of single words starting at `lines[0]`
/// (`- kubectl`, `- scale`, `- --replicas=0`), when there are at least two.
fn yaml_sequence(text: &str, lines: &[Range<usize>]) -> Option<Vec<Range<usize>>> {
    let item = |r: &Range<usize>| -> Option<(usize, Range<usize>)> {
        let line = text.get(r.clone())?;
        let indent = line.len() - line.trim_start_matches(' ').len();
        let rest = line[indent..].strip_prefix("- ")?;
        let value = rest.trim();
        let single = !value.is_empty()
            && (!value.contains(char::is_whitespace) || value.starts_with(['"', '\'']));
        if !single || value.ends_with(':') || value.contains(": ") {
            return None;
        }
        let start = r.start + (line.len() - rest.trim_start().len());
        Some((indent, start..start + value.len()))
    };
    let (indent, first) = item(lines.first()?)?;
    let mut items = vec![first];
    for r in lines.iter().skip(1).take(64) {
        match item(r) {
            Some((i, range)) if i == indent => items.push(range),
            _ => break,
        }
    }
    (items.len() >= 2).then_some(items)
}

/// The bytes that can split a word (quotes, a backslash, a PowerShell or cmd escape, an
/// expansion: `k''ubectl`, `"kube""ctl"`, `kube\ctl`, ``ku`bectl``, `kube$@ctl`): the word may
/// be a tool word once they are removed. [`CommandPatterns::each_match`] gives their offsets,
/// and each is read on its own ([`trick_at`]).
pub(crate) const TRICK_BYTES: [u8; 6] = *b"'\"\\`^$";

/// The candidate the byte at `i` (a quote, a backslash, a backtick, `^` or `$`) gives: the start of the word around
/// it when it splits a word (an expansion, or quotes and escapes with a letter or digit on
/// both sides). Only the first byte of a run of quotes and escapes can give one (the others
/// follow no letter or digit), which is why a byte needs no reading of those before it.
fn trick_at(b: &[u8], i: usize) -> Option<usize> {
    let word_start = || {
        b[..i]
            .iter()
            .rposition(|c| !c.is_ascii_alphanumeric())
            .map_or(0, |p| p + 1)
    };
    let quote = |c: u8| matches!(c, b'\'' | b'"' | b'\\' | b'`' | b'^');
    let c = *b.get(i)?;
    if c == b'$' {
        // `kube$@ctl`, `kube${X}ctl`, `$'\x6bubectl'`, `${T:-kubectl}`.
        return matches!(b.get(i + 1), Some(b'@' | b'*' | b'{' | b'\'')).then(word_start);
    }
    if !quote(c) || i == 0 || !b[i - 1].is_ascii_alphanumeric() {
        return None;
    }
    // Quotes, backslashes, and a line break right after a backslash (`kube\⏎ctl`).
    let mut j = i;
    while j < b.len() && (quote(b[j]) || (matches!(b[j], b'\n' | b'\r') && b[j - 1] == b'\\')) {
        j += 1;
    }
    // Pointing at the word's start, the candidate falls on the right line.
    b.get(j)
        .is_some_and(u8::is_ascii_alphanumeric)
        .then(word_start)
}

/// The bytes [`split_tricks_slow`] stops at.
#[cfg(test)]
static TRICK_TABLE: [bool; 256] = {
    let mut t = [false; 256];
    t[b'\'' as usize] = true;
    t[b'"' as usize] = true;
    t[b'\\' as usize] = true;
    t[b'`' as usize] = true;
    t[b'^' as usize] = true;
    t[b'$' as usize] = true;
    t
};

/// The candidates of [`trick_at`] byte by byte, in order (the reference the tests compare
/// [`prefilter`] with).
#[cfg(test)]
fn split_tricks_slow(text: &str) -> Vec<usize> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if !TRICK_TABLE[usize::from(b[i])] {
            i += 1;
            continue;
        }
        let expansion = b[i] == b'$' && matches!(b.get(i + 1), Some(b'@' | b'*' | b'{' | b'\''));
        if expansion {
            // `kube$@ctl`, `kube${X}ctl`, `$'\x6bubectl'`, `${T:-kubectl}`.
            let word_start = b[..i]
                .iter()
                .rposition(|c| !c.is_ascii_alphanumeric())
                .map_or(0, |p| p + 1);
            out.push(word_start);
            i += 2;
            continue;
        }
        if i > 0
            && matches!(b[i], b'\'' | b'"' | b'\\' | b'`' | b'^')
            && b[i - 1].is_ascii_alphanumeric()
        {
            let mut j = i;
            // Quotes, backslashes, and a line break right after a backslash (`kube\⏎ctl`).
            while j < b.len()
                && (matches!(b[j], b'\'' | b'"' | b'\\' | b'`' | b'^')
                    || (matches!(b[j], b'\n' | b'\r') && b[j - 1] == b'\\'))
            {
                j += 1;
            }
            if b.get(j).is_some_and(u8::is_ascii_alphanumeric) {
                // Point at the word's start so the candidate falls on the right line.
                let word_start = b[..i]
                    .iter()
                    .rposition(|c| !c.is_ascii_alphanumeric())
                    .map_or(0, |p| p + 1);
                out.push(word_start);
            }
            i = j;
        } else {
            i += 1;
        }
    }
    out
}

fn is_sql_lang(lang: &str) -> bool {
    matches!(
        lang,
        "sql"
            | "psql"
            | "pgsql"
            | "postgres"
            | "postgresql"
            | "plpgsql"
            | "mysql"
            | "tsql"
            | "sqlite"
            | "plsql"
            | "mssql"
            | "mariadb"
    )
}

/// Trims, collapses whitespace and caps the length.
fn one_line(s: &str) -> String {
    let joined = s.split_whitespace().collect::<Vec<_>>().join(" ");
    match joined.char_indices().nth(MAX_MATCHED - 1) {
        Some((cut, _)) => format!("{}…", &joined[..cut]),
        None => joined,
    }
}
