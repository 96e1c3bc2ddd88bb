//! The prose tokenizer of [`super`]: only whitespace and punctuation split words; quotes,
//! backslashes and leftover emphasis markers are dropped from inside words, and `$(echo WORD)`
//! is the word it prints.

use super::{Op, Token, Word, push_op};
use std::ops::Range;

/// Splits `text[range]` into prose words and clause separators.
pub(crate) fn tokenize_prose(text: &str, range: Range<usize>) -> Vec<Token> {
    let Some(s) = text.get(range.clone()) else {
        return Vec::new();
    };
    finish_prose(split_prose(s, range.start), text, range.start)
}

/// [`tokenize_prose`] reading every character on its own (the reference the tests compare
/// it with).
#[cfg(test)]
pub(crate) fn tokenize_prose_slow(text: &str, range: Range<usize>) -> Vec<Token> {
    let Some(s) = text.get(range.clone()) else {
        return Vec::new();
    };
    finish_prose(split_prose_slow(s, range.start), text, range.start)
}

/// The words and separators of `s` (at `base` in the text), before the clean-up of
/// [`finish_prose`]. A run of ASCII letters and digits goes to the word in one piece: each of
/// its characters would take the last arm of the match, which appends it to the word and
/// looks at no other character, so one append of the run does what the appends one by one
/// do (the word's start and lead are set by the run's first character if not already).
fn split_prose(s: &str, base: usize) -> Vec<Token> {
    let mut out = Vec::new();
    let b = s.as_bytes();
    let mut w = Word::default();
    let mut i = 0;
    while i < b.len() {
        let run_end = alnum_end(b, i);
        if run_end > i {
            w.push_str(&s[i..run_end], base + i);
            i = run_end;
            continue;
        }
        let Some(c) = s[i..].chars().next() else {
            break;
        };
        let at = base + i;
        let next = s[i + c.len_utf8()..].chars().next();
        prose_char(s, i, c, next, at, &mut w, &mut out);
        i += c.len_utf8();
    }
    w.finish(base + s.len(), &mut out);
    out
}

/// [`split_prose`] character by character.
#[cfg(test)]
fn split_prose_slow(s: &str, base: usize) -> Vec<Token> {
    let mut out = Vec::new();
    let mut w = Word::default();
    let mut chars = s.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let at = base + i;
        let next = chars.peek().map(|&(_, n)| n);
        prose_char(s, i, c, next, at, &mut w, &mut out);
    }
    w.finish(base + s.len(), &mut out);
    out
}

/// One character `c` of prose, at `s[i]` (`at` in the text), followed by `next`.
#[inline(always)]
fn prose_char(
    s: &str,
    i: usize,
    c: char,
    next: Option<char>,
    at: usize,
    w: &mut Word,
    out: &mut Vec<Token>,
) {
    let ends_clause = || next.is_none_or(|n| n.is_whitespace() || "\"')]}".contains(n));
    match c {
        c if c.is_whitespace() => w.finish(at, out),
        '$' if next == Some('\'') => {
            w.begin(at);
            w.altered = true;
        }
        '\'' | '"' | '\\' | '`' | '*' => {
            // Removed from inside words: `k'ubectl`, leftover `**` in raw HTML.
            w.begin(at);
            w.altered = true;
        }
        ',' | ';' | '(' | ')' | '[' | ']' | '{' | '}' | '<' | '>' | '|' | '&' | '—' | '…' => {
            w.finish(at, out);
            let mut buf = [0u8; 4];
            push_op(out, c.encode_utf8(&mut buf), at, Op::Sep);
        }
        '.' | ':' | '!' | '?' if ends_clause() => {
            w.finish(at, out);
            push_op(out, &s[i..i + 1], at, Op::Sep);
        }
        _ => w.push(c, at),
    }
}

/// Emphasis residue, empty words and `$(echo …)` of the split prose `out`, and the line breaks
/// before each token.
fn finish_prose(mut out: Vec<Token>, text: &str, base: usize) -> Vec<Token> {
    for t in &mut out {
        // Emphasis residue around a word in raw HTML or front matter: `_kubectl_`.
        if t.is_word() && (t.text.starts_with('_') || t.text.ends_with('_')) {
            let trimmed = t.text.trim_matches('_');
            if !trimmed.is_empty() {
                t.text = trimmed.to_string();
                t.altered = true;
            }
        }
    }
    out.retain(|t| !(t.is_word() && t.text.is_empty()));
    fold_prose_echo(&mut out);
    let mut prev_end = base;
    for t in &mut out {
        t.nl_before = text
            .get(prev_end..t.start)
            .is_some_and(|gap| gap.contains('\n'));
        prev_end = t.end;
    }
    out
}

/// In prose, `$(echo kubectl)` is the words `$`, `(`, `echo`, `kubectl`, `)`: the word it
/// prints.
fn fold_prose_echo(tokens: &mut Vec<Token>) {
    let mut k = 0;
    while k + 4 < tokens.len() {
        let fits = tokens[k].is_word()
            && tokens[k].text == "$"
            && tokens[k + 1].text == "("
            && tokens[k + 1].op.is_some()
            && tokens[k + 2].is_word()
            && matches!(tokens[k + 2].text.as_str(), "echo" | "printf")
            && tokens[k + 3].is_word()
            && !tokens[k + 3].is_flag()
            && tokens[k + 4].text == ")"
            && tokens[k + 4].op.is_some();
        if fits {
            let mut word = tokens[k + 3].clone();
            word.start = tokens[k].start;
            word.end = tokens[k + 4].end;
            word.altered = true;
            tokens.splice(k..=k + 4, std::iter::once(word));
        }
        k += 1;
    }
}

/// The offset of the first byte at or after `i` that is no ASCII letter or digit (`b.len()`
/// when there is none): what `b[i..].iter().position(|c| !c.is_ascii_alphanumeric())` gives,
/// read eight bytes at a time ([`non_alnum_lanes`]). (The word scan of the prefilter,
/// `CommandPatterns::each_match`, measured slower with it in place of its byte loop.)
#[inline(always)]
fn alnum_end(b: &[u8], mut i: usize) -> usize {
    while let Some(chunk) = b.get(i..i + 8) {
        if let Some(k) = crate::swar::first(non_alnum_lanes(crate::swar::word(chunk))) {
            return i + k;
        }
        i += 8;
    }
    b[i..]
        .iter()
        .position(|c| !c.is_ascii_alphanumeric())
        .map_or(b.len(), |p| i + p)
}

/// The lanes of `x` that hold no ASCII letter or digit (see [`crate::swar`]). A letter is a
/// lane whose byte `| 0x20` lies in `'a'..='z'` (`0x20` maps `A..=Z` onto `a..=z` and nothing
/// else into it; a non-ASCII byte keeps its high bit and is never in).
#[inline(always)]
fn non_alnum_lanes(x: u64) -> u64 {
    use crate::swar::{HIGH, in_range, splat};
    let alnum = in_range(x, b'0', b'9') | in_range(x | splat(0x20), b'a', b'z');
    !alnum & HIGH
}

/// [`alnum_end`] byte by byte, and [`non_alnum_lanes`], for the tests.
#[cfg(test)]
pub(crate) fn alnum_ends(b: &[u8], i: usize) -> (usize, usize) {
    let slow = b[i..]
        .iter()
        .position(|c| !c.is_ascii_alphanumeric())
        .map_or(b.len(), |p| i + p);
    (alnum_end(b, i), slow)
}

#[cfg(test)]
pub(crate) fn non_alnum_lanes_of(x: u64) -> u64 {
    non_alnum_lanes(x)
}
