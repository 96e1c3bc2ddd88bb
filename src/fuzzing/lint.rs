//! The `specify` target: the specify.md parser and the concrete-command lint, and the placements
//! of a command the lint must find wherever it is written.

use super::*;

/// The spec parser and lint.
///
/// `data[0]` picks a placement ([`PLACEMENTS`]) and a spelling ([`COMMANDS`]), `data[1]` the
/// line of the body where it goes, the rest is the spec body. Checks:
/// 1. the body alone, as `sddgate` reads it (UTF-8 check, parse, lint): no panic, errors of the
///    exit-2 class, findings on existing lines, the same result twice;
/// 2. the body with the command inserted: unless the command is not rendered as text or is
///    suppressed (see [`exemption`]), the lint reports `concrete_command_in_spec` on the
///    command's lines, and the decision for [`FULL_MARKS`] with every fact present is BLOCK.
pub fn specify(data: &[u8]) {
    if data.len() < 2 || data.len() > MAX_INPUT {
        return;
    }
    let (choice, at, body) = (data[0], data[1], &data[2..]);

    // 1. The body as it is.
    if let Some((spec, text)) = parse_spec(body) {
        let lint = speclint::lint(&spec, &text, &CONFIG);
        let lines = line_count(text.as_bytes()) as u32;
        for f in &lint.findings {
            let l = f.line.unwrap_or(1);
            assert!(
                (1..=lines).contains(&l),
                "finding {} on line {l} of a {lines}-line spec",
                f.id
            );
        }
        let again = speclint::lint(&spec, &text, &CONFIG);
        assert_eq!(
            format!("{:?}", lint.findings),
            format!("{:?}", again.findings),
            "the lint is not deterministic"
        );
    }

    // 2. The body with a command in it.
    let body = String::from_utf8_lossy(body);
    let placement = choice as usize % PLACEMENTS.len();
    let command = COMMANDS[(choice as usize / PLACEMENTS.len()) % COMMANDS.len()];
    check_command_placement(&body, placement, command, at as usize);
}

/// Inserts `command` into `body` at `placement`, at the line picked by `at`, and checks the
/// lint and the decision. Public so that tests can name a case directly.
pub fn check_command_placement(body: &str, placement: usize, command: &str, at: usize) {
    let (name, template) = PLACEMENTS[placement];
    let block = template.replace("{c}", command);
    let front_matter = name == "front matter value";
    // Line starts of the body; the insertion goes at one of them (or at the end).
    let mut starts: Vec<usize> = vec![0];
    starts.extend(body.match_indices('\n').map(|(i, _)| i + 1));
    let off = if front_matter {
        0
    } else {
        let s = starts[at % starts.len()];
        if body[..s].is_empty() || body[..s].ends_with('\n') {
            s
        } else {
            body.len()
        }
    };
    let (before, after) = body.split_at(off);
    let mut doc = String::with_capacity(body.len() + block.len() + 4);
    doc.push_str(before);
    if !before.is_empty() {
        if !before.ends_with('\n') {
            doc.push('\n');
        }
        doc.push('\n');
    }
    let block_start = doc.len();
    doc.push_str(&block);
    let cmd_at = block_start + block.find(command).expect("the block holds the command");
    doc.push_str("\n\n");
    doc.push_str(after);

    let idx = crate::span::LineIndex::new(&doc);
    let first_line = idx.position(&doc, block_start).0;
    let last_line = idx.position(&doc, block_start + block.len()).0;
    let cmd_line = idx.position(&doc, cmd_at).0;

    let spec = match specify::parse(SPEC_FILE, &doc, &CONFIG) {
        Ok(s) => s,
        Err(e) => {
            // No verdict on a spec that does not parse (exit 2).
            check_error(&e, SPEC_FILE, doc.as_bytes());
            return;
        }
    };
    let lint = speclint::lint(&spec, &doc, &CONFIG);
    let reported = lint
        .commands
        .iter()
        .any(|(l, _, _, m)| (first_line..=last_line).contains(l) && m.contains("kubectl"));
    let decision = judge(&spec, &lint).decision;
    if reported {
        assert_eq!(
            decision,
            Decision::Block,
            "a spec with a reported command was admitted ({name})"
        );
        return;
    }
    let word = cmd_at + command.find("kubectl").unwrap_or(0);
    if exemption(&doc, &spec, word, cmd_line).is_some() {
        return;
    }
    panic!(
        "`{command}` placed as {name} on line {cmd_line} is not reported (decision {decision:?}); document:\n{doc}"
    );
}

/// Why a command at byte `at` (line `line`) of `doc` need not be reported, if it need not:
/// - it is not part of any text a Markdown renderer shows nor of any raw HTML (a link
///   destination, a reference definition, …);
/// - it is inside an `<!-- sddgate-allow … -->` comment (the directive itself is not scanned)
///   that is raw HTML, starts a comment (is not inside another one) and closes in the same
///   HTML block or inline comment: an unclosed directive silences nothing;
/// - a suppression with a reason naming `concrete_command_in_spec` covers its line: the
///   documented suppression (the rule is suppressible; `sddgate explain
///   concrete_command_in_spec`).
///
/// Everything else a renderer shows (text, code, headings, tables, link and image text, front
/// matter) and raw HTML and ordinary comments (scanned by the lint by design) must be reported.
pub fn exemption(doc: &str, spec: &Spec, at: usize, line: u32) -> Option<&'static str> {
    let suppressed = spec.suppressions.iter().any(|s| {
        s.reason.is_some()
            && s.rules.iter().any(|r| r == "concrete_command_in_spec")
            && (s.covers.0..=s.covers.1).contains(&line)
    });
    if suppressed {
        return Some("covered by a suppression with a reason");
    }
    let mut seen = false;
    for (ev, r) in Parser::new_ext(doc, render_options()).into_offset_iter() {
        match ev {
            // A whole HTML block: its comments, in order, each from `<!--` to the first `-->`
            // after it, if that is in the block. A directive is one whose first word is
            // `sddgate-allow` and that closes; one that does not close is no directive, and
            // a `<!--` inside a comment or inside a tag's quoted value opens nothing.
            Event::Start(pulldown_cmark::Tag::HtmlBlock) => {
                let block = doc.get(r.clone()).unwrap_or("").as_bytes();
                let mut i = 0;
                while i < block.len() {
                    if block[i..].starts_with(b"<!--") {
                        // `<!-->` and `<!--->` are whole (empty) comments.
                        let close = if block[i + 4..].starts_with(b">") {
                            Some(i + 5)
                        } else if block[i + 4..].starts_with(b"->") {
                            Some(i + 6)
                        } else {
                            find(&block[i + 4..], b"-->").map(|p| i + 4 + p + 3)
                        };
                        let Some(close) = close else {
                            break;
                        };
                        if close < i + 7 {
                            i = close;
                            continue;
                        }
                        let content = String::from_utf8_lossy(&block[i + 4..close - 3]);
                        if is_directive(&content) && (r.start + i..r.start + close).contains(&at) {
                            return Some("inside an sddgate-allow directive");
                        }
                        i = close;
                    } else if block[i] == b'<'
                        && block
                            .get(i + 1)
                            .is_some_and(|c| c.is_ascii_alphabetic() || *c == b'/')
                    {
                        // A tag, to its `>` outside quotes (or a lone `<`).
                        let mut j = i + 1;
                        let mut quote = None;
                        while j < block.len() {
                            match (quote, block[j]) {
                                (None, b'>') => break,
                                (None, q @ (b'"' | b'\'')) => quote = Some(q),
                                (Some(q), c) if c == q => quote = None,
                                _ => {}
                            }
                            j += 1;
                        }
                        i = if j < block.len() { j + 1 } else { i + 1 };
                    } else {
                        i += 1;
                    }
                }
            }
            // An inline comment is one event, from `<!--` to its `-->`.
            Event::InlineHtml(h)
                if h.starts_with("<!--")
                    && h.len() >= 7
                    && h.ends_with("-->")
                    && is_directive(&h[4..h.len() - 3])
                    && r.contains(&at) =>
            {
                return Some("inside an sddgate-allow directive");
            }
            Event::Html(_) | Event::InlineHtml(_) | Event::Text(_) | Event::Code(_) => {
                seen |= r.contains(&at)
            }
            _ => {}
        }
    }
    (!seen).then_some("not rendered as text")
}

/// Where `needle` first occurs in `hay`.
fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Whether a comment's content (between `<!--` and `-->`) starts with the word
/// `sddgate-allow` (and is one comment for a browser too).
fn is_directive(content: &str) -> bool {
    // `--!>` ends a comment for a browser: what follows is shown.
    !content.contains("--!>")
        && content
            .trim_start()
            .strip_prefix("sddgate-allow")
            .is_some_and(|rest| {
                !rest
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '-')
            })
}

/// Markdown as GitHub renders a spec: tables, strikethrough, footnotes, task lists and front
/// matter (shown as a table).
fn render_options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_YAML_STYLE_METADATA_BLOCKS
}

/// Reads a spec body as `sddgate` does: UTF-8 check, then parse. `None` when it does not parse
/// (after checking the error).
fn parse_spec(bytes: &[u8]) -> Option<(Spec, String)> {
    let text = match crate::repo::decode_text(bytes.to_vec(), SPEC_FILE, CONFIG.max_file_size) {
        Ok(t) => t,
        Err(e) => {
            check_error(&e, SPEC_FILE, bytes);
            return None;
        }
    };
    match specify::parse(SPEC_FILE, &text, &CONFIG) {
        Ok(s) => Some((s, text)),
        Err(e) => {
            check_error(&e, SPEC_FILE, text.as_bytes());
            None
        }
    }
}

/// The decision for [`FULL_MARKS`] judged with this spec and every other fact present.
pub fn judge(spec: &Spec, lint: &SpecLint) -> decide::Evaluation {
    let r = readiness::parse("readiness.md", FULL_MARKS).expect("FULL_MARKS parses");
    let mut facts = all_present(&r);
    facts.spec = Some(crate::gate::spec_facts(spec, lint));
    // Judge the command alone: the structure of a fuzzed body is not the question here.
    if let Some(s) = facts.spec.as_mut() {
        s.missing_sections.clear();
    }
    let (profile, raised) = CONFIG.profile_for(None).expect("default profile");
    decide::evaluate(&r, &facts, profile, raised)
}
