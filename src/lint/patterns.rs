//! Command patterns: the `commands:` config section and its compiled, validated form.
//!
//! Owns turning the built-in table plus the user's additions, aliases and removals into one
//! `CommandPatterns` value. Everything that needs compiling (the Aho-Corasick prefilter over
//! tool words, the statement and prompt regexes, user regexes) is compiled here, once, so that
//! scanning a file never compiles anything. Config mistakes are errors naming the entry.

use std::collections::{BTreeMap, HashMap};
use std::ops::Range;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use regex::Regex;

use super::builtin::{self, RuleDef};
use super::statements::Statements;

/// The `commands:` section of `.sddgate.yml`.
#[derive(Debug, Clone, Default, serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct CommandsConfig {
    /// Extra aliases, alias → tool (`kc: kubectl`). `k` → `kubectl` is built in. Aliases count
    /// only in code, in command position.
    pub aliases: BTreeMap<String, String>,
    /// Extra tools: `{tool, subcommands}` or `{regex, name}`.
    pub add: Vec<ToolSpec>,
    /// Built-in tools to drop (`sql` and `http` name the statement detectors).
    pub remove: Vec<String>,
}

/// One extra tool. Either `tool` (with optional `subcommands`; none means any argument counts
/// in code and a flag is needed in prose) or `regex` with the `name` reported for its matches.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ToolSpec {
    /// The command word, e.g. `mycli`.
    #[serde(default)]
    pub tool: Option<String>,
    /// Subcommands that make `tool` an invocation, e.g. `[restart, purge]`.
    #[serde(default)]
    pub subcommands: Vec<String>,
    /// A regular expression matched against normalized text, code and prose alike.
    #[serde(default)]
    pub regex: Option<String>,
    /// The tool name reported for `regex` matches.
    #[serde(default)]
    pub name: Option<String>,
}

/// A `commands:` entry that cannot be used.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PatternError {
    #[error("commands.remove: `{name}` is not a built-in tool (known: {known})")]
    UnknownTool { name: String, known: String },
    #[error("commands.aliases: `{alias}: {target}` points at an unknown tool")]
    UnknownAliasTarget { alias: String, target: String },
    #[error(
        "commands.aliases: `{alias}` must be one word (letters, digits, `-`, `_`, `.`) and not a tool name"
    )]
    BadAlias { alias: String },
    #[error("commands.add[{index}]: {reason}")]
    BadToolSpec { index: usize, reason: String },
    #[error("commands.add[{index}] (`{name}`): invalid regex: {source}")]
    BadRegex {
        index: usize,
        name: String,
        source: regex::Error,
    },
}

/// What makes a tool word an invocation (resolved from `RuleDef` or a `ToolSpec`).
#[derive(Debug, Clone)]
pub(crate) enum Rule {
    Subs {
        code: Vec<Vec<String>>,
        prose: Vec<Vec<String>>,
    },
    Args {
        prose_words: Vec<String>,
    },
    Flags(Vec<String>),
    GroupVerb {
        groups: Vec<String>,
        verbs: Vec<String>,
    },
    Bare,
    Kill,
    Rm,
    Curl,
    Wget,
    Service,
    Aws,
}

#[derive(Debug, Clone)]
pub(crate) struct Tool {
    pub(crate) name: String,
    /// Counts only in lower case or odd mixed case (see `builtin`).
    pub(crate) english: bool,
    pub(crate) rule: Rule,
}

/// Prefilter pattern kinds.
pub(crate) const KIND_WORD: u8 = 1;
pub(crate) const KIND_STATEMENT: u8 = 2;

/// Compiled command patterns: build once with [`CommandPatterns::new`], share across files.
#[derive(Debug, Clone)]
pub struct CommandPatterns {
    pub(crate) tools: Vec<Tool>,
    pub(crate) by_name: HashMap<String, usize>,
    pub(crate) aliases: HashMap<String, usize>,
    /// Bit `len * 256 + first byte` is set when a tool name or an alias of that length
    /// (under 64) starts with that byte: most words are no tool without hashing them.
    name_shapes: Vec<u64>,
    pub(crate) prefilter: AhoCorasick,
    /// How [`CommandPatterns::each_match`] skips text no word can start in; `None` when the
    /// words do not allow it (then every search runs the whole automaton).
    word_scan: Option<WordScan>,
    pub(crate) kinds: Vec<u8>,
    pub(crate) statements: Statements,
    pub(crate) custom: Vec<(String, Regex)>,
    prompt: std::sync::OnceLock<Regex>,
}

/// A shell prompt at the start of a code line: `$ `, `# `, `% `, `> `, `PS> `, `PS C:\x> `,
/// `user@host:~$ `, `[user@host dir]# `, optionally after a `(venv)` marker.
const PROMPT: &str = r"^[ \t]*(?:\([\w.-]+\)[ \t]*)?(?:\[[^\]\n]{1,80}\][$#%]|[\w.-]+@[\w.-]+(?::[^\s]*)?[$#%>]|PS(?:[ \t][A-Za-z]:\\[^>\n]*)?>|[A-Za-z]:\\[^>\n]*>|[$#%>❯➜λ])[ \t]+";

impl CommandPatterns {
    /// The built-in patterns, no config.
    pub fn builtin() -> Self {
        match Self::new(&CommandsConfig::default()) {
            Ok(p) => p,
            // The built-in table is constant and covered by tests.
            Err(e) => unreachable!("built-in command patterns are valid: {e}"),
        }
    }

    /// Validates `config` and compiles the patterns.
    pub fn new(config: &CommandsConfig) -> Result<Self, PatternError> {
        let mut tools: Vec<Tool> = builtin::TOOLS.iter().map(from_def).collect();
        let mut sql = true;
        let mut http = true;

        for name in &config.remove {
            let lower = name.trim().to_ascii_lowercase();
            match lower.as_str() {
                "sql" => sql = false,
                "http" => http = false,
                _ => {
                    let before = tools.len();
                    tools.retain(|t| t.name != lower);
                    if tools.len() == before {
                        let known = builtin::TOOLS.iter().map(|t| t.name).collect::<Vec<_>>();
                        return Err(PatternError::UnknownTool {
                            name: name.clone(),
                            known: format!("{}, sql, http", known.join(", ")),
                        });
                    }
                }
            }
        }

        let mut custom = Vec::new();
        for (index, spec) in config.add.iter().enumerate() {
            match (&spec.tool, &spec.regex) {
                (Some(tool), None) => {
                    if spec.name.is_some() {
                        return Err(bad(
                            index,
                            "`name` goes with `regex`; a `tool` is its own name",
                        ));
                    }
                    let name = tool.trim().to_ascii_lowercase();
                    if !is_word(&name) {
                        return Err(bad(
                            index,
                            &format!("`tool: {tool}` must be one command word"),
                        ));
                    }
                    let rule = if spec.subcommands.is_empty() {
                        Rule::Args {
                            prose_words: Vec::new(),
                        }
                    } else {
                        let subs: Vec<Vec<String>> = spec
                            .subcommands
                            .iter()
                            .map(|s| s.split_whitespace().map(str::to_ascii_lowercase).collect())
                            .filter(|words: &Vec<String>| !words.is_empty())
                            .collect();
                        Rule::Subs {
                            code: subs.clone(),
                            prose: subs,
                        }
                    };
                    // A user entry for a built-in name replaces the built-in rule.
                    tools.retain(|t| t.name != name);
                    tools.push(Tool {
                        name,
                        english: true,
                        rule,
                    });
                }
                (None, Some(pattern)) => {
                    let Some(name) = spec.name.as_ref().filter(|n| !n.trim().is_empty()) else {
                        return Err(bad(index, "`regex` needs a `name` to report"));
                    };
                    if !spec.subcommands.is_empty() {
                        return Err(bad(index, "`subcommands` go with `tool`, not `regex`"));
                    }
                    let re = Regex::new(pattern).map_err(|source| PatternError::BadRegex {
                        index,
                        name: name.clone(),
                        source,
                    })?;
                    custom.push((name.trim().to_string(), re));
                }
                (Some(_), Some(_)) => {
                    return Err(bad(index, "give either `tool` or `regex`, not both"));
                }
                (None, None) => return Err(bad(index, "needs `tool` or `regex` (with `name`)")),
            }
        }

        let by_name: HashMap<String, usize> = tools
            .iter()
            .enumerate()
            .map(|(i, t)| (t.name.clone(), i))
            .collect();

        let mut aliases = HashMap::new();
        let builtin_aliases = builtin::ALIASES
            .iter()
            .map(|&(a, t)| (a.to_string(), t.to_string()));
        let user_aliases = config.aliases.iter().map(|(a, t)| (a.clone(), t.clone()));
        for (alias, target) in builtin_aliases.chain(user_aliases) {
            let a = alias.trim().to_ascii_lowercase();
            if !is_word(&a) || by_name.contains_key(&a) {
                return Err(PatternError::BadAlias { alias });
            }
            let target_lower = target.trim().to_ascii_lowercase();
            match by_name.get(&target_lower) {
                Some(&i) => {
                    aliases.insert(a, i);
                }
                // The built-in `k` quietly goes away with `remove: [kubectl]`.
                None if builtin::ALIASES.iter().any(|&(b, _)| b == a) => {}
                None => return Err(PatternError::UnknownAliasTarget { alias, target }),
            }
        }

        let mut name_shapes = vec![0u64; 64 * 256 / 64];
        for name in by_name.keys().chain(aliases.keys()) {
            if let Some(bit) = name_shape(name) {
                name_shapes[bit / 64] |= 1 << (bit % 64);
            }
        }

        let mut words: Vec<(String, u8)> = Vec::new();
        let mut add_word = |w: &str, kind: u8| match words.iter_mut().find(|(x, _)| x == w) {
            Some((_, k)) => *k |= kind,
            None => words.push((w.to_string(), kind)),
        };
        for t in &tools {
            add_word(&t.name, KIND_WORD);
        }
        for a in aliases.keys() {
            add_word(a, KIND_WORD);
        }
        if sql {
            builtin::SQL_WORDS
                .iter()
                .for_each(|w| add_word(w, KIND_STATEMENT));
        }
        if http {
            builtin::HTTP_WORDS
                .iter()
                .for_each(|w| add_word(w, KIND_STATEMENT));
        }
        let prefilter = AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::LeftmostLongest)
            .build(words.iter().map(|(w, _)| w.as_str()))
            .map_err(|e| bad(0, &format!("cannot build the tool-word automaton: {e}")))?;
        let word_scan = WordScan::new(words.iter().map(|(w, _)| w.as_str()));
        let kinds = words.iter().map(|(_, k)| *k).collect();

        let statements = Statements::new(sql, http).map_err(|source| PatternError::BadRegex {
            index: 0,
            name: "built-in".into(),
            source,
        })?;
        // Compiled on the first code line (see `prompt()`).
        let prompt = std::sync::OnceLock::new();

        Ok(Self {
            tools,
            by_name,
            aliases,
            name_shapes,
            prefilter,
            word_scan,
            kinds,
            statements,
            custom,
            prompt,
        })
    }

    /// Calls `f(range, pattern)` for every match of the prefilter's leftmost-longest,
    /// non-overlapping search over `text` that can start a word: every match that
    /// [`super::bounded`] could accept is passed on, in order, and the ones it rejects may be
    /// left out.
    ///
    /// A match lies inside one run of word bytes (letters, digits and the other bytes the
    /// words contain, such as `-` and `_`), so runs are searched on their own. In a run of
    /// letters and digits only the match at its start can follow a non-word byte: it is the
    /// longest word there, found by its first two bytes ([`WordScan::longest_at`]). A run that
    /// holds a `-`, `_` or the like is searched whole by the automaton.
    ///
    /// On the way, the offset of every byte of [`super::TRICK_BYTES`] (quotes, escapes, `$`) is
    /// pushed on `marks`, in no particular order: no word holds one, so they are among the
    /// bytes skipped between runs.
    pub(crate) fn each_match(
        &self,
        text: &str,
        marks: &mut Vec<usize>,
        mut f: impl FnMut(Range<usize>, usize),
    ) {
        let b = text.as_bytes();
        let Some(ws) = &self.word_scan else {
            for m in self.prefilter.find_iter(text) {
                f(m.range(), m.pattern().as_usize());
            }
            let [q, d, bs, bt, caret, dollar] = super::TRICK_BYTES;
            marks.extend(
                memchr::memchr3_iter(q, d, bs, b).chain(memchr::memchr3_iter(bt, caret, dollar, b)),
            );
            return;
        };
        let n = b.len();
        let class = &ws.class;
        let mut i = 0;
        while i < n {
            // Up to the next letter, digit, joiner or marked byte.
            match b[i..].iter().position(|&c| class[usize::from(c)] != OTHER) {
                Some(p) => i += p,
                None => break,
            }
            if class[usize::from(b[i])] == MARK {
                marks.push(i);
                i += 1;
                continue;
            }
            let start = i;
            // Letters and digits, then (when a joiner follows) the rest of the run.
            i += b[i..]
                .iter()
                .position(|&c| class[usize::from(c)] != ALNUM)
                .unwrap_or(n - i);
            if i < n && class[usize::from(b[i])] == JOINER {
                i += b[i..]
                    .iter()
                    .position(|&c| !matches!(class[usize::from(c)], ALNUM | JOINER))
                    .unwrap_or(n - i);
                // A run with joiners: the automaton's matches in it.
                for m in self.prefilter.find_iter(&text[start..i]) {
                    f(start + m.start()..start + m.end(), m.pattern().as_usize());
                }
            } else if let Some((len, pattern)) = ws.longest_at(&b[..i], start) {
                f(start..start + len, pattern);
            }
        }
    }

    /// Whether [`Self::each_match`] skips through the text (false: it runs the automaton).
    #[cfg(test)]
    pub(crate) fn each_match_is_fast(&self) -> bool {
        self.word_scan.is_some()
    }

    /// These patterns with the automaton run over every text (what the fast path stands for).
    #[cfg(test)]
    pub(crate) fn without_word_scan(&self) -> Self {
        Self {
            word_scan: None,
            ..self.clone()
        }
    }

    /// Every match of the prefilter, the plain way (what [`Self::each_match`] must agree with).
    #[cfg(test)]
    pub(crate) fn each_match_slow(&self, text: &str, mut f: impl FnMut(Range<usize>, usize)) {
        for m in self.prefilter.find_iter(text) {
            f(m.range(), m.pattern().as_usize());
        }
    }

    /// The shell-prompt regex, compiled on first use.
    pub(crate) fn prompt(&self) -> &Regex {
        self.prompt.get_or_init(|| {
            Regex::new(PROMPT).unwrap_or_else(|e| unreachable!("built-in prompt regex: {e}"))
        })
    }

    /// Every tool name that can be reported, for documentation: command words, then the
    /// statement detectors (`sql`, `http`), then user regex names.
    pub fn tool_names(&self) -> Vec<&str> {
        let mut names: Vec<&str> = self.tools.iter().map(|t| t.name.as_str()).collect();
        if self.statements.sql {
            names.push("sql");
        }
        if self.statements.http {
            names.push("http");
        }
        names.extend(self.custom.iter().map(|(n, _)| n.as_str()));
        names
    }

    /// The tool named by `word` (already lowercased), through an alias when `alias_ok`.
    pub(crate) fn lookup(&self, lower: &str, alias_ok: bool) -> Option<&Tool> {
        if let Some(bit) = name_shape(lower)
            && self.name_shapes[bit / 64] & (1 << (bit % 64)) == 0
        {
            // No name or alias has this length and first byte.
            return None;
        }
        self.lookup_slow(lower, alias_ok)
    }

    /// Whether [`Self::lookup`] of `word` lowercased (ASCII) is `None` whatever `alias_ok`,
    /// told from `word` as written: no name or alias has its length and lowercased first
    /// byte (the check `lookup` starts with; lowercasing keeps both). `false` when unsure.
    pub(crate) fn surely_no_name(&self, word: &str) -> bool {
        let Some(&first) = word.as_bytes().first() else {
            return false;
        };
        let len = word.len();
        len < 64 && {
            let bit = len * 256 + usize::from(first.to_ascii_lowercase());
            self.name_shapes[bit / 64] & (1 << (bit % 64)) == 0
        }
    }

    /// [`Self::lookup`] in the maps alone (the reference the tests compare it with).
    fn lookup_slow(&self, lower: &str, alias_ok: bool) -> Option<&Tool> {
        let idx = match self.by_name.get(lower) {
            Some(&i) => Some(i),
            None if alias_ok => self.aliases.get(lower).copied(),
            None => None,
        }?;
        self.tools.get(idx)
    }
}

/// Byte classes of [`WordScan`].
const OTHER: u8 = 0;
const ALNUM: u8 = 1;
const JOINER: u8 = 2;
/// A byte of [`super::TRICK_BYTES`], which no word holds.
const MARK: u8 = 3;

/// What [`CommandPatterns::each_match`] needs to skip text quickly.
#[derive(Debug, Clone)]
struct WordScan {
    /// `ALNUM` for ASCII letters and digits, `JOINER` for the other bytes of the words,
    /// `MARK` for [`super::TRICK_BYTES`], `OTHER` for the rest (no word holds one).
    class: [u8; 256],
    /// A small number for each byte the words hold, the same for both cases of a letter; 0
    /// for the bytes no word holds.
    code: [u8; 256],
    /// How many codes there are (0 included): the row length of `buckets`.
    codes: usize,
    /// At `code(a) * codes + code(b)`: the range in `entries` of the words that start with
    /// the bytes `a b` (any case) or are the one byte `a`, longest first.
    buckets: Vec<(u32, u32)>,
    /// The words, lower case, with their prefilter pattern index, bucket after bucket.
    entries: Vec<(Box<[u8]>, usize)>,
}

impl WordScan {
    /// `None` when a word is empty, not ASCII, starts with something other than a letter or
    /// a digit, holds a byte of [`super::TRICK_BYTES`] or equals another ignoring case: the
    /// logic of `each_match` assumes none does.
    fn new<'w>(words: impl Iterator<Item = &'w str>) -> Option<WordScan> {
        let mut class = [OTHER; 256];
        for c in 0..=255u8 {
            if c.is_ascii_alphanumeric() {
                class[usize::from(c)] = ALNUM;
            }
        }
        let mut lower: Vec<Vec<u8>> = Vec::new();
        let mut code = [0u8; 256];
        let mut codes = 1;
        for w in words {
            let wb = w.as_bytes().to_ascii_lowercase();
            let first = *wb.first()?;
            if !w.is_ascii() || !first.is_ascii_alphanumeric() || lower.contains(&wb) {
                return None;
            }
            for &c in &wb {
                if !c.is_ascii_alphanumeric() {
                    class[usize::from(c)] = JOINER;
                }
                if code[usize::from(c)] == 0 {
                    // ASCII only: at most 128 codes.
                    code[usize::from(c)] = u8::try_from(codes).ok()?;
                    code[usize::from(c.to_ascii_uppercase())] = code[usize::from(c)];
                    codes += 1;
                }
            }
            lower.push(wb);
        }
        for &c in &super::TRICK_BYTES {
            if class[usize::from(c)] != OTHER {
                return None;
            }
            class[usize::from(c)] = MARK;
        }
        let mut by_bucket: Vec<Vec<usize>> = vec![Vec::new(); codes * codes];
        for (index, wb) in lower.iter().enumerate() {
            let row = usize::from(code[usize::from(wb[0])]) * codes;
            match wb.get(1) {
                Some(&second) => {
                    by_bucket[row + usize::from(code[usize::from(second)])].push(index)
                }
                None => (0..codes).for_each(|c| by_bucket[row + c].push(index)),
            }
        }
        let mut buckets = Vec::with_capacity(by_bucket.len());
        let mut entries = Vec::new();
        for mut bucket in by_bucket {
            bucket.sort_by_key(|&i| std::cmp::Reverse(lower[i].len()));
            let start = u32::try_from(entries.len()).ok()?;
            entries.extend(
                bucket
                    .iter()
                    .map(|&i| (lower[i].clone().into_boxed_slice(), i)),
            );
            buckets.push((start, u32::try_from(entries.len()).ok()?));
        }
        Some(WordScan {
            class,
            code,
            codes,
            buckets,
            entries,
        })
    }

    /// The longest word (any case) that starts at `b[at]` and ends within `b`: its length
    /// and pattern index.
    #[inline(always)]
    fn longest_at(&self, b: &[u8], at: usize) -> Option<(usize, usize)> {
        let first = usize::from(self.code[usize::from(b[at])]);
        let second = b
            .get(at + 1)
            .map_or(0, |&c| usize::from(self.code[usize::from(c)]));
        let (start, end) = self.buckets[first * self.codes + second];
        if start == end {
            return None;
        }
        self.longest_in(&b[at..], start as usize..end as usize)
    }

    /// The first (longest) of the words `entries[bucket]` that `rest` starts with.
    fn longest_in(&self, rest: &[u8], bucket: Range<usize>) -> Option<(usize, usize)> {
        self.entries[bucket]
            .iter()
            .find(|(w, _)| {
                rest.len() >= w.len()
                    && w.iter()
                        .zip(rest)
                        .all(|(&a, &c)| a == c.to_ascii_lowercase())
            })
            .map(|(w, i)| (w.len(), *i))
    }
}

/// The bit of `name` in `CommandPatterns::name_shapes`: its length (under 64) and first byte.
fn name_shape(name: &str) -> Option<usize> {
    let first = *name.as_bytes().first()?;
    (name.len() < 64).then(|| name.len() * 256 + usize::from(first))
}

/// [`CommandPatterns::lookup`] and the plain lookup in the maps, for the tests.
#[cfg(test)]
pub(crate) fn lookups<'p>(
    pats: &'p CommandPatterns,
    lower: &str,
    alias_ok: bool,
) -> (Option<&'p Tool>, Option<&'p Tool>) {
    (
        pats.lookup(lower, alias_ok),
        pats.lookup_slow(lower, alias_ok),
    )
}

fn bad(index: usize, reason: &str) -> PatternError {
    PatternError::BadToolSpec {
        index,
        reason: reason.to_string(),
    }
}

fn is_word(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        && s.chars().next().is_some_and(|c| c.is_ascii_alphanumeric())
}

/// A whitespace-separated word list.
fn strings(words: &str) -> Vec<String> {
    words.split_whitespace().map(str::to_string).collect()
}

/// A whitespace-separated list of entries whose words are joined by `+`.
fn entries(words: &str) -> Vec<Vec<String>> {
    words
        .split_whitespace()
        .map(|e| e.split('+').map(str::to_string).collect())
        .collect()
}

fn from_def(def: &builtin::ToolDef) -> Tool {
    let rule = match def.rule {
        RuleDef::Subs { code, prose } => Rule::Subs {
            code: entries(code),
            prose: entries(prose),
        },
        RuleDef::Args { prose_words } => Rule::Args {
            prose_words: strings(prose_words),
        },
        RuleDef::Flags(flags) => Rule::Flags(strings(flags)),
        RuleDef::GroupVerb { groups, verbs } => Rule::GroupVerb {
            groups: strings(groups),
            verbs: strings(verbs),
        },
        RuleDef::Bare => Rule::Bare,
        RuleDef::Kill => Rule::Kill,
        RuleDef::Rm => Rule::Rm,
        RuleDef::Curl => Rule::Curl,
        RuleDef::Wget => Rule::Wget,
        RuleDef::Service => Rule::Service,
        RuleDef::Aws => Rule::Aws,
    };
    Tool {
        name: def.name.to_string(),
        english: def.english,
        rule,
    }
}
