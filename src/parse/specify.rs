//! `specify.md`: front matter, sections found by heading (through the config's aliases),
//! the pre-approved actions (bullet list or fenced yaml) and `sddgate-allow` suppressions.

use crate::config::{Config, SectionKind};
use crate::error::{Error, Result};
use crate::model::Radius;
use crate::parse::{frontmatter, locate, yaml};
use crate::span::{LineIndex, Located};
use pulldown_cmark::{CodeBlockKind, Event, Options, Parser, Tag, TagEnd};
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
static REQUIRES: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)requires\s*:\s*\[?([^)\]\n]*)").expect("static regex"));
static IDENT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[A-Za-z][A-Za-z0-9_.:-]*$").expect("static regex"));

pub fn parse(file: &str, text: &str, config: &Config) -> Result<Spec> {
    let idx = LineIndex::new(text);
    let fm = frontmatter::split(text).map_err(|m| Error::input(file, 1, 1, m))?;
    let front = match &fm {
        Some(fm) if !yaml::is_blank_yaml(fm.yaml) => {
            Some(parse_front(file, fm.yaml, fm.line_offset)?)
        }
        Some(_) => Some(SpecFront::default()),
        None => None,
    };
    let body_start = fm.as_ref().map(|f| f.body_start).unwrap_or(0);
    let body = &text[body_start..];

    let mut sections: Vec<Section> = Vec::new();
    let mut code_ranges = Vec::new();
    let mut item_ranges: Vec<(Range<usize>, usize)> = Vec::new(); // (range, section index)
    let mut yaml_blocks: Vec<(Range<usize>, usize)> = Vec::new();
    let mut heading: Option<(u8, usize, String)> = None;
    let mut list_depth = 0usize;
    let mut in_yaml_block: Option<usize> = None;

    let opts = Options::ENABLE_TABLES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_TASKLISTS;
    for (ev, r) in Parser::new_ext(body, opts).into_offset_iter() {
        let r = r.start + body_start..r.end + body_start;
        match ev {
            Event::Start(Tag::Heading { level, .. }) => {
                heading = Some((level as u8, r.start, String::new()))
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some((level, start, title)) = heading.take() {
                    let (line, col) = idx.position(text, start);
                    sections.push(Section {
                        kind: config.section_of(&title),
                        title: title.trim().to_string(),
                        level,
                        line,
                        col,
                        has_content: false,
                    });
                }
            }
            Event::Text(t) | Event::Code(t) if heading.is_some() => {
                if let Some((_, _, title)) = heading.as_mut() {
                    title.push_str(&t);
                }
            }
            Event::Code(_) => code_ranges.push(r.clone()),
            Event::Start(Tag::CodeBlock(kind)) => {
                code_ranges.push(r.clone());
                let is_yaml = matches!(&kind, CodeBlockKind::Fenced(lang) if matches!(lang.split_whitespace().next(), Some("yaml" | "yml")));
                if is_yaml && current_kind(&sections) == Some(SectionKind::Actions) {
                    in_yaml_block = Some(r.start);
                }
            }
            Event::Text(_) if in_yaml_block.is_some() => {
                yaml_blocks.push((r.clone(), sections.len() - 1));
            }
            Event::End(TagEnd::CodeBlock) => in_yaml_block = None,
            Event::Start(Tag::List(_)) => list_depth += 1,
            Event::End(TagEnd::List(_)) => list_depth = list_depth.saturating_sub(1),
            Event::Start(Tag::Item)
                if list_depth == 1 && current_kind(&sections) == Some(SectionKind::Actions) =>
            {
                item_ranges.push((r.clone(), sections.len() - 1));
            }
            _ => {}
        }
        if heading.is_none()
            && let Some(s) = sections.last_mut()
            && !s.has_content
            && idx.position(text, r.start).0 > s.line
        {
            s.has_content = true;
        }
    }

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

fn current_kind(sections: &[Section]) -> Option<SectionKind> {
    sections.last().and_then(|s| s.kind)
}

fn parse_front(file: &str, yaml_text: &str, line_offset: u32) -> Result<SpecFront> {
    let raw: RawFront = yaml::from_yaml(file, yaml_text, line_offset)?;
    let idx = LineIndex::new(yaml_text);
    let loc = |key: &str| {
        let off = locate::value_offset(yaml_text, &[key]).unwrap_or(0);
        let (l, c) = idx.position(yaml_text, off);
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

fn parse_item(
    text: &str,
    r: Range<usize>,
    idx: &LineIndex,
    actions: &mut Vec<Action>,
    unnamed: &mut Vec<Located<String>>,
) {
    let item = &text[r.clone()];
    let first = item.lines().next().unwrap_or("");
    let (line, _) = idx.position(text, r.start);
    let requires = REQUIRES
        .captures(item)
        .map(|c| split_list(&c[1]))
        .unwrap_or_default();
    if let Some(c) = ITEM.captures(first) {
        let Some(m) = c.name("code").or_else(|| c.name("bare")) else {
            return;
        };
        let name = m.as_str().trim().to_string();
        let rest = c
            .name("rest")
            .map(|m| m.as_str().trim_start())
            .unwrap_or("");
        let bare_ok = c.name("code").is_some()
            || rest.is_empty()
            || rest.starts_with('(')
            || ["—", "–", "- ", ":", "-- "]
                .iter()
                .any(|sep| rest.starts_with(sep));
        if IDENT.is_match(&name) && bare_ok {
            let col = first[..m.start()].chars().count() as u32 + 1;
            actions.push(Action {
                name,
                requires,
                line,
                col,
            });
            return;
        }
    }
    let (l, c) = idx.position(text, r.start);
    unnamed.push(Located::new(first.trim().to_string(), l, c));
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

#[derive(Deserialize)]
#[serde(untagged)]
enum YamlActions {
    Wrapped { actions: Vec<YamlAction> },
    List(Vec<YamlAction>),
}

#[derive(Deserialize)]
#[serde(untagged)]
enum YamlAction {
    Name(String),
    Full {
        name: String,
        #[serde(default)]
        requires: Requires,
    },
}

#[derive(Deserialize, Default)]
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
    idx: &LineIndex,
    actions: &mut Vec<Action>,
) -> Result<()> {
    let block = &text[r.clone()];
    let (line0, _) = idx.position(text, r.start);
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

fn find_suppressions(text: &str, idx: &LineIndex, code: &[Range<usize>]) -> Vec<Suppression> {
    let mut out = Vec::new();
    let lines: Vec<&str> = text.split('\n').collect();
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
        let (line, col) = idx.position(text, whole.start);
        let (end_line, _) = idx.position(text, whole.end);
        let line_before = &text[idx.line_start(line)..whole.start];
        let covers = if !line_before.trim().is_empty() {
            (line, line)
        } else {
            // The next non-blank line after the comment; a whole code block when it opens one.
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
                .find(|c| idx.position(text, c.start).0 == target && c.end > start)
            {
                Some(c) => (target, idx.position(text, c.end.saturating_sub(1)).0),
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
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn cfg() -> Config {
        Config::from_text(PathBuf::from("/r"), None, "").unwrap()
    }

    const SPEC: &str = "---\nincident_type: high_memory_usage\nservice: appointments-api\nblast_radius: pod\nstateful: false\n---\n# high_memory_usage\n\n## Why\nMemory pressure.\n\n## What\nRestore.\n\n## Constraints\nNo stateful restarts.\n\n## Acceptance\nGiven ...\n\n## Pre-approved actions\n- restart_pod\n- scale_up_replicas_one (requires: stateless, hpa_enabled)\n- `drain_node` — only with approval\n- Restart the pod by hand\n";

    #[test]
    fn sections_front_matter_and_actions() {
        let s = parse("specify.md", SPEC, &cfg()).unwrap();
        let f = s.front.as_ref().unwrap();
        assert_eq!(f.blast_radius.as_ref().unwrap().value, Radius::Pod);
        assert_eq!(f.service.as_ref().unwrap().line, 3);
        for k in SectionKind::ALL {
            assert!(s.section(k).is_some(), "{k:?}");
        }
        let names: Vec<_> = s.actions.iter().map(|a| a.name.as_str()).collect();
        assert_eq!(
            names,
            ["restart_pod", "scale_up_replicas_one", "drain_node"]
        );
        assert_eq!(s.actions[1].requires, ["stateless", "hpa_enabled"]);
        assert_eq!((s.actions[0].line, s.actions[0].col), (22, 3));
        assert_eq!(s.unnamed_action_items.len(), 1);
        assert_eq!(s.unnamed_action_items[0].line, 25);
    }

    #[test]
    fn fenced_yaml_actions() {
        let t = "## Pre-approved actions\n\n```yaml\nactions:\n  - name: restart_pod\n  - {name: scale_up_replicas_one, requires: [stateless, hpa_enabled]}\n```\n";
        let s = parse("s.md", t, &cfg()).unwrap();
        assert_eq!(s.actions.len(), 2);
        assert_eq!(s.actions[1].requires, ["stateless", "hpa_enabled"]);
        assert_eq!(s.actions[1].line, 6);
        let bad = t.replace("name: restart_pod", "name: [x");
        let e = parse("s.md", &bad, &cfg()).unwrap_err().to_string();
        assert!(e.starts_with("s.md:"), "{e}");
        assert!(e.contains("pre-approved actions block"), "{e}");
    }

    #[test]
    fn suppressions_cover_the_next_line_or_block() {
        let t = "## Why\n<!-- sddgate-allow concrete_command_in_spec: quoting the incident report -->\n\nsome line\n<!-- sddgate-allow concrete_command_in_spec -->\n```\na\nb\n```\ntext <!-- sddgate-allow x, y: same line -->\n";
        let s = parse("s.md", t, &cfg()).unwrap();
        assert_eq!(s.suppressions.len(), 3);
        assert_eq!(s.suppressions[0].covers, (4, 4));
        assert_eq!(
            s.suppressions[0].reason.as_deref(),
            Some("quoting the incident report")
        );
        assert_eq!(s.suppressions[1].reason, None);
        assert_eq!(s.suppressions[1].covers, (6, 9));
        assert_eq!(s.suppressions[2].rules, ["x", "y"]);
        assert_eq!(s.suppressions[2].covers, (10, 10));
    }

    #[test]
    fn bad_front_matter_is_an_input_error() {
        let e = parse("s.md", "---\nblast_radius: galaxy\n---\n", &cfg())
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("s.md:2:"), "{e}");
        let e = parse("s.md", "---\nstateful: [\n---\n", &cfg())
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("s.md:"), "{e}");
        assert!(parse("s.md", "---\nservice: a\n", &cfg()).is_err());
    }

    #[test]
    fn headings_in_other_languages() {
        let t = "# Инцидент\n## Зачем\nx\n## Что\ny\n## Ограничения\nz\n";
        let s = parse("s.md", t, &cfg()).unwrap();
        for k in SectionKind::REQUIRED {
            assert!(s.section(k).is_some(), "{k:?}");
        }
    }
}
