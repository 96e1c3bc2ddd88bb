//! `specify.md`: front matter, sections found by heading (through the config's aliases),
//! the pre-approved actions (bullet list or fenced yaml) and `sddgate-allow` suppressions.

use crate::config::{Config, SectionKind};
use crate::error::{Error, Result};
use crate::lint::Markdown;
use crate::model::Radius;
use crate::parse::{frontmatter, locate, yaml};
use crate::span::{LineCursor, LineIndex, Located};
use pulldown_cmark::{CodeBlockKind, Event, MetadataBlockKind, Options, Parser, Tag, TagEnd};
use regex::Regex;
use serde::Deserialize;
use std::ops::Range;
use std::sync::LazyLock;

#[derive(Debug, Clone)]
pub struct Spec {
    pub file: String,
    pub front: Option<SpecFront>,
    pub sections: Vec<Section>,
    pub actions: Vec<Action>,
    /// Bullet items under the actions heading that name no action identifier.
    pub unnamed_action_items: Vec<Located<String>>,
    pub suppressions: Vec<Suppression>,
    /// Byte ranges of code blocks and inline code.
    pub code_ranges: Vec<Range<usize>>,
}

#[derive(Debug, Clone, Default)]
pub struct SpecFront {
    pub incident_type: Option<Located<String>>,
    pub service: Option<Located<String>>,
    pub namespace: Option<Located<String>>,
    pub blast_radius: Option<Located<Radius>>,
    pub stateful: Option<Located<bool>>,
}

#[derive(Debug, Clone)]
pub struct Section {
    pub kind: Option<SectionKind>,
    pub title: String,
    pub level: u8,
    pub line: u32,
    pub col: u32,
    /// Whether anything but blank lines follows the heading before the next heading.
    pub has_content: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Action {
    pub name: String,
    pub requires: Vec<String>,
    pub line: u32,
    pub col: u32,
}

/// `<!-- sddgate-allow RULE[, RULE]: reason -->`
#[derive(Debug, Clone, PartialEq)]
pub struct Suppression {
    pub rules: Vec<String>,
    pub reason: Option<String>,
    pub line: u32,
    pub col: u32,
    /// The lines it silences (inclusive).
    pub covers: (u32, u32),
}

#[derive(Debug, Deserialize)]
struct RawFront {
    incident_type: Option<serde_yaml::Value>,
    service: Option<serde_yaml::Value>,
    namespace: Option<serde_yaml::Value>,
    blast_radius: Option<String>,
    stateful: Option<bool>,
}

static ITEM: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s*(?:[-*+]|\d+[.)])\s+(?:\[[ xX]\]\s+)?(?:`(?P<code>[^`]+)`|(?P<bare>[A-Za-z][A-Za-z0-9_.:-]*))(?P<rest>.*)$")
        .expect("static regex")
});
/// The definition [`requires_list`] implements (kept as the tests' reference).
#[cfg(test)]
static REQUIRES: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)requires\s*:\s*\[?([^)\]\n]*)").expect("static regex"));
static IDENT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[A-Za-z][A-Za-z0-9_.:-]*$").expect("static regex"));

pub fn parse(file: &str, text: &str, config: &Config) -> Result<Spec> {
    parse_from(file, text, None, config)
}

/// [`parse`] reading the events of the lint's parse of the same text (`md`, from
/// [`Markdown::parse`]) instead of a pass of its own, wherever they are the events that pass
/// would give (see [`shared_body`]); elsewhere it makes its own pass, as [`parse`] does.
pub fn parse_with(file: &str, text: &str, md: &Markdown<'_>, config: &Config) -> Result<Spec> {
    parse_from(file, text, Some(md), config)
}

fn parse_from(file: &str, text: &str, md: Option<&Markdown<'_>>, config: &Config) -> Result<Spec> {
    // Positions are asked at growing offsets (headings, then items): no index of every line.
    let idx = LineCursor::new(text);
    let fm = frontmatter::split(text).map_err(|m| Error::input(file, 1, 1, m))?;
    let front = match &fm {
        Some(fm) if !yaml::is_blank_yaml(fm.yaml) => {
            Some(parse_front(file, fm.yaml, fm.line_offset)?)
        }
        Some(_) => Some(SpecFront::default()),
        None => None,
    };
    let body_start = fm.as_ref().map(|f| f.body_start).unwrap_or(0);

    let mut b = Body {
        idx: &idx,
        config,
        sections: Vec::new(),
        code_ranges: Vec::new(),
        item_ranges: Vec::new(),
        yaml_blocks: Vec::new(),
        heading: None,
        content_from: None,
        list_depth: 0,
        in_yaml_block: None,
    };
    match md.and_then(|md| shared_body(text, fm.is_some(), body_start, md.events())) {
        Some(events) => {
            for (ev, r) in events {
                b.event(ev, r.clone());
            }
        }
        None => {
            let body = &text[body_start..];
            for (ev, r) in Parser::new_ext(body, body_options()).into_offset_iter() {
                b.event(&ev, r.start + body_start..r.end + body_start);
            }
        }
    }
    let Body {
        sections,
        code_ranges,
        item_ranges,
        yaml_blocks,
        ..
    } = b;

    let mut actions = Vec::new();
    let mut unnamed = Vec::new();
    for (r, _) in &item_ranges {
        parse_item(text, r.clone(), &idx, &mut actions, &mut unnamed);
    }
    for (r, _) in &yaml_blocks {
        parse_yaml_actions(file, text, r.clone(), &idx, &mut actions)?;
    }

    let suppressions = find_suppressions(text, &idx, &code_ranges);
    Ok(Spec {
        file: file.to_string(),
        front,
        sections,
        actions,
        unnamed_action_items: unnamed,
        suppressions,
        code_ranges,
    })
}

/// The Markdown extensions the body is read with when it gets a pass of its own.
fn body_options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_TASKLISTS
}

/// The events of the lint's parse of `text` that stand for the body (from `body_start`), when
/// they are exactly the events a pass of its own over the body would give, or `None`.
///
/// The lint's parse differs from the body's own in three ways, each ruled out here:
/// - it spans the front matter, which it reads as a metadata block: taken only when that block
///   is where [`frontmatter::split`] found the front matter (it starts the file and the parser
///   resumes exactly at `body_start`, its state as fresh as at the start of a file);
/// - it reads a `---` block anywhere as a metadata block (the body's options read a thematic
///   break or a setext heading there): refused when any other one is seen;
/// - it has no task lists: a list item opening with `[ ]`, `[x]` or `[X]` is read as a
///   paragraph `[ ] …` rather than a marker and a paragraph (or, with nothing after it, an
///   empty item that a next line may not continue), which can change a heading's text or an
///   item's extent: refused when the body has anything that could be such a marker.
fn shared_body<'m, 'a>(
    text: &str,
    has_front: bool,
    body_start: usize,
    events: &'m [(Event<'a>, Range<usize>)],
) -> Option<&'m [(Event<'a>, Range<usize>)]> {
    if may_have_task_marker(text.get(body_start..)?) {
        return None;
    }
    let body = if has_front {
        let (Event::Start(Tag::MetadataBlock(MetadataBlockKind::YamlStyle)), r) = events.first()?
        else {
            return None;
        };
        if r.start != 0 {
            return None;
        }
        let end = events
            .iter()
            .position(|(e, _)| matches!(e, Event::End(TagEnd::MetadataBlock(_))))?;
        let close = events[end].1.end;
        if close.checked_add(line_end(text.get(close..)?)?) != Some(body_start) {
            return None;
        }
        &events[end + 1..]
    } else {
        events
    };
    let another = body
        .iter()
        .any(|(e, _)| matches!(e, Event::Start(Tag::MetadataBlock(_))));
    (!another).then_some(body)
}

/// The length of the line ending that `rest` starts with, after blanks (as the Markdown parser
/// skips it after a closing metadata fence), or `None` when something else is on the line.
fn line_end(rest: &str) -> Option<usize> {
    let b = rest.as_bytes();
    let blanks = b
        .iter()
        .take_while(|c| matches!(c, b' ' | b'\t' | b'\x0b' | b'\x0c'))
        .count();
    let eol = match &b[blanks..] {
        [] => 0,
        [b'\r', b'\n', ..] => 2,
        [b'\n' | b'\r', ..] => 1,
        _ => return None,
    };
    Some(blanks + eol)
}

/// Whether `body` has a `[ ]`, `[x]` or `[X]` (any blank inside) with nothing but blanks
/// between it and a list marker character before it on its line: a superset of the task list
/// markers the parser recognises.
fn may_have_task_marker(body: &str) -> bool {
    let b = body.as_bytes();
    memchr::memchr_iter(b'[', b).any(|i| {
        let marker = matches!(
            b.get(i + 1),
            Some(b' ' | b'\t' | b'\x0b' | b'\x0c' | b'x' | b'X')
        ) && b.get(i + 2) == Some(&b']');
        marker
            && b[..i]
                .iter()
                .rev()
                .find(|c| !matches!(c, b' ' | b'\t' | b'\x0b' | b'\x0c'))
                .is_some_and(|c| matches!(c, b'-' | b'*' | b'+' | b'.' | b')'))
    })
}

/// The state of the pass over the body's events.
struct Body<'t> {
    idx: &'t LineCursor<'t>,
    config: &'t Config,
    sections: Vec<Section>,
    /// Byte ranges of code blocks and inline code.
    code_ranges: Vec<Range<usize>>,
    /// List items under the actions heading: (range, section index).
    item_ranges: Vec<(Range<usize>, usize)>,
    /// Fenced yaml blocks under the actions heading: (range, section index).
    yaml_blocks: Vec<(Range<usize>, usize)>,
    heading: Option<(u8, usize, String)>,
    /// Where the lines after the last section's heading start ([`content_from`]).
    content_from: Option<usize>,
    list_depth: usize,
    in_yaml_block: Option<usize>,
}

impl Body<'_> {
    /// One event, its range absolute. Inlined into the loops over the events: most events
    /// change nothing, and a call per event cost more than its work.
    #[inline(always)]
    fn event(&mut self, ev: &Event<'_>, r: Range<usize>) {
        let idx = self.idx;
        match ev {
            Event::Start(Tag::Heading { level, .. }) => {
                self.heading = Some((*level as u8, r.start, String::new()))
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some((level, start, title)) = self.heading.take() {
                    let (line, col) = idx.position(start);
                    self.content_from = content_from(idx, line);
                    self.sections.push(Section {
                        kind: self.config.section_of(&title),
                        title: title.trim().to_string(),
                        level,
                        line,
                        col,
                        has_content: false,
                    });
                }
            }
            Event::Text(t) | Event::Code(t) if self.heading.is_some() => {
                if let Some((_, _, title)) = self.heading.as_mut() {
                    title.push_str(t);
                }
            }
            Event::Code(_) => self.code_ranges.push(r.clone()),
            Event::Start(Tag::CodeBlock(kind)) => {
                self.code_ranges.push(r.clone());
                let is_yaml = matches!(kind, CodeBlockKind::Fenced(lang) if matches!(lang.split_whitespace().next(), Some("yaml" | "yml")));
                if is_yaml && current_kind(&self.sections) == Some(SectionKind::Actions) {
                    self.in_yaml_block = Some(r.start);
                }
            }
            Event::Text(_) if self.in_yaml_block.is_some() => {
                self.yaml_blocks.push((r.clone(), self.sections.len() - 1));
            }
            Event::End(TagEnd::CodeBlock) => self.in_yaml_block = None,
            Event::Start(Tag::List(_)) => self.list_depth += 1,
            Event::End(TagEnd::List(_)) => self.list_depth = self.list_depth.saturating_sub(1),
            Event::Start(Tag::Item)
                if self.list_depth == 1
                    && current_kind(&self.sections) == Some(SectionKind::Actions) =>
            {
                self.item_ranges.push((r.clone(), self.sections.len() - 1));
            }
            _ => {}
        }
        if self.heading.is_none()
            && let Some(s) = self.sections.last_mut()
            && !s.has_content
            && self.content_from.is_some_and(|next| r.start >= next)
        {
            s.has_content = true;
        }
    }
}

/// Where the lines after the 1-based `line` start, when it has any: an offset lies on a later
/// line exactly when it is at or past that (as [`past_line`] tells).
fn content_from(idx: &LineCursor<'_>, line: u32) -> Option<usize> {
    let this = idx.line_start(line);
    let next = idx.line_start(line + 1);
    (next > this).then_some(next)
}

/// Whether `offset` lies on a later line than the 1-based `line` (as
/// `idx.position(text, offset).0 > line`, without counting the column's characters): the
/// reference of [`content_from`].
#[cfg(test)]
fn past_line(idx: &LineIndex, offset: usize, line: u32) -> bool {
    let next = idx.line_start(line + 1);
    // `line_start` clamps past the last line: a next line exists only when it starts later.
    next > idx.line_start(line) && offset >= next
}

fn current_kind(sections: &[Section]) -> Option<SectionKind> {
    sections.last().and_then(|s| s.kind)
}

fn parse_front(file: &str, yaml_text: &str, line_offset: u32) -> Result<SpecFront> {
    let raw: RawFront = yaml::from_yaml(file, yaml_text, line_offset)?;
    let places = FrontPlaces::new(yaml_text);
    let loc = |key: &str| {
        let (l, c) = places.at(key);
        (l + line_offset, c)
    };
    let text_of = |v: Option<serde_yaml::Value>, key: &str| {
        v.and_then(|v| match v {
            serde_yaml::Value::String(s) => Some(s),
            serde_yaml::Value::Number(n) => Some(n.to_string()),
            _ => None,
        })
        .map(|s| {
            let (l, c) = loc(key);
            Located::new(s, l, c)
        })
    };
    let blast_radius = match raw.blast_radius {
        None => None,
        Some(s) => {
            let (l, c) = loc("blast_radius");
            let r = Radius::parse(s.trim()).ok_or_else(|| {
                Error::input(
                    file,
                    l,
                    c,
                    format!(
                        "unknown blast_radius `{s}`, expected {}",
                        Radius::expected()
                    ),
                )
            })?;
            Some(Located::new(r, l, c))
        }
    };
    Ok(SpecFront {
        incident_type: text_of(raw.incident_type, "incident_type"),
        service: text_of(raw.service, "service"),
        namespace: text_of(raw.namespace, "namespace"),
        blast_radius,
        stateful: raw.stateful.map(|b| {
            let (l, c) = loc("stateful");
            Located::new(b, l, c)
        }),
    })
}

/// The front matter keys whose values are placed.
const FRONT_KEYS: [&str; 5] = [
    "incident_type",
    "service",
    "namespace",
    "blast_radius",
    "stateful",
];

/// Where the front matter keys are: found in one pass over the keys, placed by the lines
/// the key scan counted (no line index of the front matter).
struct FrontPlaces<'a> {
    keys: locate::Keys<'a>,
    found: [Option<usize>; FRONT_KEYS.len()],
}

impl<'a> FrontPlaces<'a> {
    fn new(yaml_text: &'a str) -> Self {
        let keys = locate::Keys::new(yaml_text);
        let found = keys.find_all(None, &FRONT_KEYS);
        FrontPlaces { keys, found }
    }

    /// Line and column (in the front matter) of the value of the top-level `key`, or 1:1
    /// when it is not written; as [`front_position_by_search`] finds it.
    fn at(&self, key: &str) -> (u32, u32) {
        match FRONT_KEYS.iter().position(|k| *k == key) {
            Some(i) => self.found[i]
                .and_then(|k| self.keys.value_position(k))
                .map_or((1, 1), |(_, l, c)| (l, c)),
            None => {
                let text = self.keys.text();
                let off = self.keys.value_offset(&[key]).unwrap_or(0);
                LineIndex::new(text).position(text, off)
            }
        }
    }
}

/// [`FrontPlaces::at`] as it was: a search of the keys, placed by a line index.
#[cfg(test)]
fn front_position_by_search(yaml_text: &str, key: &str) -> (u32, u32) {
    let off = locate::Keys::new(yaml_text)
        .value_offset(&[key])
        .unwrap_or(0);
    LineIndex::new(yaml_text).position(yaml_text, off)
}

fn parse_item(
    text: &str,
    r: Range<usize>,
    idx: &LineCursor<'_>,
    actions: &mut Vec<Action>,
    unnamed: &mut Vec<Located<String>>,
) {
    let item = &text[r.clone()];
    let first = item.lines().next().unwrap_or("");
    let (line, _) = idx.position(r.start);
    let requires = requires_list(item).map(split_list).unwrap_or_default();
    if let Some(m) = item_name(first) {
        let name = first[m.name.clone()].trim().to_string();
        let rest = first[m.rest..].trim_start();
        let bare_ok = m.code
            || rest.is_empty()
            || rest.starts_with('(')
            || ["—", "–", "- ", ":", "-- "]
                .iter()
                .any(|sep| rest.starts_with(sep));
        if IDENT.is_match(&name) && bare_ok {
            let col = first[..m.name.start].chars().count() as u32 + 1;
            actions.push(Action {
                name,
                requires,
                line,
                col,
            });
            return;
        }
    }
    let (l, c) = idx.position(r.start);
    unnamed.push(Located::new(first.trim().to_string(), l, c));
}

/// What [`ITEM`] captures of a list item's first line: the name (`code` or `bare`) and where
/// `rest` starts.
#[derive(Debug, PartialEq)]
struct ItemName {
    name: Range<usize>,
    code: bool,
    rest: usize,
}

/// [`ITEM`] matched by hand (it ran for every item of every actions list). A marker of
/// non-ASCII digits (`\d` is Unicode there) is left to the regex; tests compare both.
fn item_name(first: &str) -> Option<ItemName> {
    let b = first.as_bytes();
    let skip_ws = |mut i: usize| {
        while let Some(c) = first[i..].chars().next().filter(|c| c.is_whitespace()) {
            i += c.len_utf8();
        }
        i
    };
    let mut i = skip_ws(0);
    match b.get(i)? {
        b'-' | b'*' | b'+' => i += 1,
        b'0'..=b'9' => {
            while b.get(i).is_some_and(u8::is_ascii_digit) {
                i += 1;
            }
            match b.get(i)? {
                b'.' | b')' => i += 1,
                c if !c.is_ascii() => return item_name_by_regex(first),
                _ => return None,
            }
        }
        c if !c.is_ascii() => return item_name_by_regex(first),
        _ => return None,
    }
    let after_marker = skip_ws(i);
    if after_marker == i {
        return None;
    }
    i = after_marker;
    // `[ ] `, `[x] `: taken when blanks follow (the name cannot start with `[` anyway).
    if b.get(i) == Some(&b'[')
        && matches!(b.get(i + 1), Some(b' ' | b'x' | b'X'))
        && b.get(i + 2) == Some(&b']')
    {
        let after = skip_ws(i + 3);
        if after > i + 3 {
            i = after;
        }
    }
    match b.get(i)? {
        b'`' => {
            let close = i + 1 + memchr::memchr(b'`', &b[i + 1..])?;
            (close > i + 1).then_some(ItemName {
                name: i + 1..close,
                code: true,
                rest: close + 1,
            })
        }
        c if c.is_ascii_alphabetic() => {
            let mut end = i + 1;
            while b.get(end).is_some_and(|c| {
                c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.' | b':' | b'-')
            }) {
                end += 1;
            }
            Some(ItemName {
                name: i..end,
                code: false,
                rest: end,
            })
        }
        _ => None,
    }
}

fn item_name_by_regex(first: &str) -> Option<ItemName> {
    let c = ITEM.captures(first)?;
    let (m, code) = match c.name("code") {
        Some(m) => (m, true),
        None => (c.name("bare")?, false),
    };
    Some(ItemName {
        name: m.range(),
        code,
        rest: c.name("rest").map_or(first.len(), |r| r.start()),
    })
}

/// The capture of `(?i)requires\s*:\s*\[?([^)\]\n]*)`, matched by hand: the first `requires` (any case; `ſ` folds to `s`)
/// followed by blanks, `:`, blanks and an optional `[`, and what follows up to `)`, `]` or the
/// end of the line. Tests compare it with the regex.
fn requires_list(item: &str) -> Option<&str> {
    let b = item.as_bytes();
    let skip_ws = |mut i: usize| {
        while let Some(c) = item[i..].chars().next().filter(|c| c.is_whitespace()) {
            i += c.len_utf8();
        }
        i
    };
    'start: for p in memchr::memchr2_iter(b'r', b'R', b) {
        let mut i = p;
        for want in "requires".chars() {
            let Some(c) = item[i..].chars().next() else {
                continue 'start;
            };
            let same = c.to_ascii_lowercase() == want || want == 's' && c == '\u{17f}';
            if !same {
                continue 'start;
            }
            i += c.len_utf8();
        }
        i = skip_ws(i);
        if b.get(i) != Some(&b':') {
            continue;
        }
        i = skip_ws(i + 1);
        if b.get(i) == Some(&b'[') {
            i += 1;
        }
        let end = b[i..]
            .iter()
            .position(|c| matches!(c, b')' | b']' | b'\n'))
            .map_or(b.len(), |e| i + e);
        return Some(&item[i..end]);
    }
    None
}

fn split_list(s: &str) -> Vec<String> {
    s.split(',')
        .map(|p| {
            p.trim()
                .trim_matches(['`', '"', '\'', '[', ']', ' '])
                .to_string()
        })
        .filter(|p| !p.is_empty())
        .collect()
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum YamlActions {
    Wrapped { actions: Vec<YamlAction> },
    List(Vec<YamlAction>),
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum YamlAction {
    Name(String),
    Full {
        name: String,
        #[serde(default)]
        requires: Requires,
    },
}

#[derive(Debug, Deserialize, Default)]
#[serde(untagged)]
enum Requires {
    #[default]
    None,
    List(Vec<String>),
    Text(String),
}

fn parse_yaml_actions(
    file: &str,
    text: &str,
    r: Range<usize>,
    idx: &LineCursor<'_>,
    actions: &mut Vec<Action>,
) -> Result<()> {
    let block = &text[r.clone()];
    let (line0, _) = idx.position(r.start);
    // Through the shared entry point: its size, nesting and duplicate-key guards apply here too.
    let parsed: YamlActions = yaml::from_yaml(file, block, line0 - 1).map_err(|inner| {
        match inner {
            Error::Input { file, line, col, message } => Error::input(
                file,
                line,
                col,
                format!("pre-approved actions block: {message}; expected `actions: [{{name: restart_pod, requires: [stateless]}}]`"),
            ),
            other => other,
        }
    })?;
    let list = match parsed {
        YamlActions::Wrapped { actions } | YamlActions::List(actions) => actions,
    };
    let bidx = LineIndex::new(block);
    let mut from = 0;
    for a in list {
        let (name, requires) = match a {
            YamlAction::Name(n) => (n, Vec::new()),
            YamlAction::Full { name, requires } => (
                name,
                match requires {
                    Requires::None => Vec::new(),
                    Requires::List(v) => v,
                    Requires::Text(t) => split_list(&t),
                },
            ),
        };
        if !IDENT.is_match(&name) {
            return Err(Error::input(
                file,
                line0,
                1,
                format!("pre-approved action `{name}` is not an identifier such as restart_pod"),
            ));
        }
        let off = block[from..]
            .find(name.as_str())
            .map(|i| i + from)
            .unwrap_or(0);
        from = off + name.len();
        let (l, c) = bidx.position(block, off);
        actions.push(Action {
            name,
            requires,
            line: line0 + l - 1,
            col: c,
        });
    }
    Ok(())
}

fn find_suppressions(text: &str, idx: &LineCursor<'_>, code: &[Range<usize>]) -> Vec<Suppression> {
    let mut out = Vec::new();
    // The lines are split only for a file that has a directive (few do).
    let mut lines: Option<Vec<&str>> = None;
    // Where directives are is decided once, for this parser and the command lint alike: closed
    // HTML comments whose first word is `sddgate-allow` (never in code, never one that runs
    // to the end of the file).
    for d in crate::lint::directives(text) {
        let whole = d.range;
        let body = text.get(d.body).unwrap_or("");
        let (rules_part, reason) = match body.split_once(':') {
            Some((r, reason)) => (r, Some(reason.trim().to_string()).filter(|s| !s.is_empty())),
            None => (body, None),
        };
        let rules = split_list(rules_part)
            .into_iter()
            .flat_map(|r| r.split_whitespace().map(str::to_string).collect::<Vec<_>>())
            .collect();
        let (line, col) = idx.position(whole.start);
        let (end_line, _) = idx.position(whole.end);
        let line_before = &text[idx.line_start(line)..whole.start];
        let covers = if !line_before.trim().is_empty() {
            (line, line)
        } else {
            // The next non-blank line after the comment; a whole code block when it opens one.
            let lines = lines.get_or_insert_with(|| text.split('\n').collect());
            let mut target = end_line + 1;
            while (target as usize) <= lines.len()
                && lines
                    .get(target as usize - 1)
                    .is_some_and(|l| l.trim().is_empty())
            {
                target += 1;
            }
            let start = idx.line_start(target);
            match code
                .iter()
                .find(|c| idx.position(c.start).0 == target && c.end > start)
            {
                Some(c) => (target, idx.position(c.end.saturating_sub(1)).0),
                None => (target, target),
            }
        };
        out.push(Suppression {
            rules,
            reason,
            line,
            col,
            covers,
        });
    }
    out
}

impl Spec {
    pub fn section(&self, kind: SectionKind) -> Option<&Section> {
        self.sections.iter().find(|s| s.kind == Some(kind))
    }

    pub fn action(&self, name: &str) -> Option<&Action> {
        self.actions.iter().find(|a| a.name == name)
    }
}

#[cfg(test)]
mod matcher_tests;

#[cfg(test)]
mod fast_yaml_tests;

#[cfg(test)]
mod tests;

#[cfg(test)]
mod shared_pass_tests;

#[cfg(test)]
mod front_places_tests;
