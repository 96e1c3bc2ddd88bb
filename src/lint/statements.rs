//! Statement detectors: mutating SQL and raw HTTP API calls, found by regex in normalized text.
//!
//! Owns the two command forms that have no command word: `DELETE FROM sessions …` and
//! `DELETE /api/v1/namespaces/…`. SQL keywords must be upper case in prose (and in code unless
//! the block is SQL or the statement ends with `;`), so "delete from the cache" is not a
//! statement. A raw call is flagged when its path is an operations endpoint; an application
//! endpoint quoted in a spec (`POST /v1/appointments`) is not a remediation.

use std::ops::Range;

use regex::Regex;

use super::Context;
use super::builtin::STOPWORDS;

/// A statement found in a unit's normalized text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct StatementHit {
    pub(crate) tool: &'static str,
    /// Normalized range of the match (from the keyword or method).
    pub(crate) range: Range<usize>,
}

#[derive(Debug, Clone)]
pub(crate) struct Statements {
    pub(crate) sql: bool,
    pub(crate) http: bool,
    sql_res: Vec<Lazy>,
    http_re: Lazy,
}

/// A detector compiled on first use, and only used on text that can match it: compiling the
/// twelve Unicode-aware, case-insensitive regexes costs more than linting a whole spec, and
/// most specs never need most of them.
#[derive(Debug, Clone)]
struct Lazy {
    source: String,
    /// Every match contains one of these words (ASCII, any case), or all of them when `all`;
    /// text that is all ASCII and lacks them is skipped. Non-ASCII text always runs the regex:
    /// Unicode case folding can match other letters (`K` U+212A is `k`).
    keywords: &'static [&'static str],
    all: bool,
    re: std::sync::OnceLock<Regex>,
}

impl Lazy {
    fn new(
        keywords: &'static [&'static str],
        all: bool,
        source: String,
    ) -> Result<Self, regex::Error> {
        Ok(Lazy {
            source,
            keywords,
            all,
            re: std::sync::OnceLock::new(),
        })
    }

    /// The regex, when `text` can hold a match.
    fn for_text(&self, text: &str) -> Option<&Regex> {
        let has = |k: &&str| contains_ascii_ci(text, k);
        let present = if self.all {
            self.keywords.iter().all(has)
        } else {
            self.keywords.iter().any(has)
        };
        if !present && text.is_ascii() {
            return None;
        }
        Some(self.re.get_or_init(|| {
            Regex::new(&self.source).unwrap_or_else(|e| unreachable!("built-in regex: {e}"))
        }))
    }
}

fn contains_ascii_ci(hay: &str, needle: &str) -> bool {
    let (hay, needle) = (hay.as_bytes(), needle.as_bytes());
    let Some(&first) = needle.first() else {
        return true;
    };
    let (lower, upper) = (first.to_ascii_lowercase(), first.to_ascii_uppercase());
    memchr::memchr2_iter(lower, upper, hay).any(|p| {
        hay.get(p..p + needle.len())
            .is_some_and(|w| w.eq_ignore_ascii_case(needle))
    })
}

const TARGET: &str = r#"(?P<t>[\w."`\[\]$-]+)"#;

/// Path segments that mark an operations endpoint (Kubernetes, Elasticsearch, brokers, admin
/// APIs). Segments starting with `_` (Elasticsearch) count too.
const OPS_SEGMENTS: &[&str] = &[
    "apis",
    "namespaces",
    "pods",
    "deployments",
    "statefulsets",
    "daemonsets",
    "replicasets",
    "nodes",
    "eviction",
    "evictions",
    "scale",
    "restart",
    "rollout",
    "rollback",
    "drain",
    "cordon",
    "reboot",
    "shutdown",
    "stop",
    "start",
    "kill",
    "terminate",
    "flush",
    "flushall",
    "purge",
    "cache",
    "caches",
    "queues",
    "contents",
    "connections",
    "sessions",
    "reload",
    "failover",
    "maintenance",
    "admin",
    "actions",
    "instances",
    "servers",
    "jobs",
    "cronjobs",
    "exchanges",
    "vhosts",
    "bindings",
    "runtime",
    "config",
    "settings",
    "indices",
    "topics",
    "consumer-groups",
    "offsets",
    "partitions",
    "replicas",
    "restart-pod",
    "redeploy",
];

/// Words that follow a SQL keyword in a sentence about SQL rather than in a statement
/// ("must not issue DELETE FROM statements").
const GENERIC_TARGETS: &[&str] = &[
    "statement",
    "statements",
    "query",
    "queries",
    "command",
    "commands",
    "operation",
    "operations",
    "anything",
    "everything",
    "production",
    "prod",
    "table",
    "tables",
    "rows",
];

/// Elasticsearch endpoints that read even when called with POST.
const READ_ONLY_ES: &[&str] = &[
    "_search",
    "_count",
    "_msearch",
    "_mget",
    "_validate",
    "_explain",
    "_analyze",
    "_field_caps",
    "_sql",
];

impl Statements {
    pub(crate) fn new(sql: bool, http: bool) -> Result<Self, regex::Error> {
        let sql_sources = [
            format!(
                r"(?i)\b(?P<kw>DROP)\s+(?:TABLE|DATABASE|INDEX|SCHEMA|VIEW|USER|ROLE|SEQUENCE|MATERIALIZED\s+VIEW)\s+(?:CONCURRENTLY\s+)?(?:IF\s+EXISTS\s+)?{TARGET}"
            ),
            format!(r"(?i)\b(?P<kw>DELETE)\s+FROM\s+{TARGET}"),
            format!(r"(?i)\b(?P<kw>TRUNCATE)\s+(?:TABLE\s+)?{TARGET}"),
            format!(r"(?i)\b(?P<kw>UPDATE)\s+{TARGET}\s+SET\b"),
            format!(
                r"(?i)\b(?P<kw>ALTER)\s+(?:TABLE|DATABASE|SYSTEM|ROLE|USER|INDEX|SCHEMA|SEQUENCE)\s+{TARGET}"
            ),
            format!(r"(?i)\b(?P<kw>INSERT)\s+INTO\s+{TARGET}"),
            format!(r"(?i)\b(?P<kw>REINDEX)\s+(?:TABLE|INDEX|DATABASE|SCHEMA|SYSTEM)\s+{TARGET}"),
            r"(?i)\b(?P<kw>SET)\s+GLOBAL\s+(?P<t>\w+)".to_string(),
            r"(?i)\b(?P<kw>KILL)\s+(?:QUERY\s+|CONNECTION\s+)?(?P<t>\d+)\b".to_string(),
            r"(?i)\b(?P<kw>VACUUM)\s+(?:\(\s*)?FULL\b".to_string(),
            r"\b(?P<fn>pg_(?:terminate|cancel)_backend|pg_reload_conf)\s*\(".to_string(),
        ];
        // The literal words each regex needs, all of them (any case).
        let keywords: [&'static [&'static str]; 11] = [
            &["DROP"],
            &["DELETE", "FROM"],
            &["TRUNCATE"],
            &["UPDATE", "SET"],
            &["ALTER"],
            &["INSERT", "INTO"],
            &["REINDEX"],
            &["SET", "GLOBAL"],
            &["KILL"],
            &["VACUUM", "FULL"],
            &["pg_"],
        ];
        let sql_res = keywords
            .into_iter()
            .zip(sql_sources)
            .map(|(k, s)| Lazy::new(k, true, s))
            .collect::<Result<Vec<_>, _>>()?;
        let http_re = Lazy::new(
            &["POST", "PUT", "PATCH", "DELETE"],
            false,
            r#"\b(?P<m>POST|PUT|PATCH|DELETE)[ \t]+(?P<u>https?://[^\s"'<>`|]+|/[^\s"'<>`|]*|_[A-Za-z][^\s"'<>`|]*)"#
                .to_string(),
        )?;
        Ok(Self {
            sql,
            http,
            sql_res,
            http_re,
        })
    }

    /// Finds statements in `text`. `sql_block` says the code block is declared SQL.
    pub(crate) fn scan(
        &self,
        text: &str,
        ctx: Context,
        sql_block: bool,
        out: &mut Vec<StatementHit>,
    ) {
        if self.sql {
            for re in self.sql_res.iter().filter_map(|l| l.for_text(text)) {
                for caps in re.captures_iter(text) {
                    let Some(whole) = caps.get(0) else { continue };
                    if sql_accepted(text, &caps, ctx, sql_block) {
                        out.push(StatementHit {
                            tool: "sql",
                            range: whole.range(),
                        });
                    }
                }
            }
        }
        if self.http
            && let Some(http_re) = self.http_re.for_text(text)
        {
            for caps in http_re.captures_iter(text) {
                let (Some(whole), Some(m), Some(u)) = (caps.get(0), caps.name("m"), caps.name("u"))
                else {
                    continue;
                };
                if ops_call(m.as_str(), u.as_str()) {
                    out.push(StatementHit {
                        tool: "http",
                        range: whole.range(),
                    });
                }
            }
        }
    }
}

fn sql_accepted(text: &str, caps: &regex::Captures<'_>, ctx: Context, sql_block: bool) -> bool {
    if caps.name("fn").is_some() {
        return true;
    }
    let Some(kw) = caps.name("kw") else {
        return false;
    };
    if let Some(t) = caps.name("t") {
        let target = t.as_str().trim_matches(|c: char| !c.is_alphanumeric());
        let not_a_name = |s: &&str| s.eq_ignore_ascii_case(target);
        if target.is_empty()
            || STOPWORDS.iter().any(not_a_name)
            || GENERIC_TARGETS.iter().any(not_a_name)
        {
            return false;
        }
    }
    let upper = kw.as_str().bytes().all(|b| !b.is_ascii_lowercase());
    match ctx {
        Context::Prose => upper,
        Context::Code => {
            let line_end = text[kw.start()..]
                .find('\n')
                .map_or(text.len(), |p| kw.start() + p);
            upper || sql_block || text[kw.start()..line_end].contains(';')
        }
    }
}

/// `true` when `url` (a path or full URL) called with `method` is an operations call.
fn ops_call(method: &str, url: &str) -> bool {
    let path = match url.find("://") {
        Some(p) => url[p + 3..].find('/').map_or("", |s| &url[p + 3 + s..]),
        None => url,
    };
    let lower = path.to_ascii_lowercase();
    let mut segments = lower
        .split(['/', '?', '&', '=', '.'])
        .filter(|s| !s.is_empty());
    if segments
        .any(|s| (s.starts_with('_') && !READ_ONLY_ES.contains(&s)) || OPS_SEGMENTS.contains(&s))
    {
        return true;
    }
    // A concrete DELETE (no `{id}` or `:id` placeholders) destroys something real.
    method == "DELETE" && !path.contains(['{', '<']) && !path.contains("/:")
}

#[cfg(test)]
mod lazy_tests {
    use super::*;

    #[test]
    fn every_built_in_detector_compiles_and_is_skipped_only_without_its_keyword() {
        let st = Statements::new(true, true).unwrap();
        for l in st.sql_res.iter().chain([&st.http_re]) {
            Regex::new(&l.source).unwrap();
        }
        let drop = &st.sql_res[0];
        assert!(drop.for_text("nothing to see here").is_none());
        assert!(drop.for_text("then DrOp table users").is_some());
        // Non-ASCII text always runs the regex (Unicode case folding).
        assert!(drop.for_text("ᴅʀᴏᴘ").is_some());
        // A regex that needs two words is skipped on ASCII text that lacks one of them.
        let delete = &st.sql_res[1];
        assert!(delete.for_text("delete the stale rows").is_none());
        assert!(delete.for_text("then delete from sessions").is_some());
        let kill = &st.sql_res[8];
        assert!(kill.for_text("\u{212A}ILL 42").is_some());
        assert!(
            kill.for_text("\u{212A}ILL 42")
                .unwrap()
                .is_match("\u{212A}ILL 42")
        );
    }

    /// Text made of SQL and HTTP words and phrases, spacing and punctuation.
    fn sqlish() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        let word = prop_oneof![
            Just("DROP TABLE"),
            Just("drop"),
            Just("Delete from"),
            Just("DELETE"),
            Just("FROM"),
            Just("TRUNCATE"),
            Just("update"),
            Just("SET"),
            Just("ALTER SYSTEM"),
            Just("INSERT INTO"),
            Just("REINDEX INDEX"),
            Just("set global"),
            Just("KILL QUERY"),
            Just("42"),
            Just("VACUUM FULL"),
            Just("VACUUM (FULL"),
            Just("pg_terminate_backend("),
            Just("pg_reload_conf ("),
            Just("POST"),
            Just("/api/v1/pods/x"),
            Just("https://h/x"),
            Just("users"),
            Just("\u{212A}"),
            Just("a=1"),
        ];
        let sep = prop_oneof![Just(" "), Just("\n"), Just(";"), Just("")];
        proptest::collection::vec((word, sep), 0..10)
            .prop_map(|w| w.into_iter().flat_map(|(a, b)| [a, b]).collect())
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig { cases: 1024, ..Default::default() })]

        /// The keyword check only skips text the regex cannot match.
        #[test]
        fn a_detector_is_never_skipped_on_text_it_matches(text in sqlish()) {
            static COMPILED: std::sync::OnceLock<(Statements, Vec<Regex>)> =
                std::sync::OnceLock::new();
            let (st, res) = COMPILED.get_or_init(|| {
                let st = Statements::new(true, true).unwrap();
                let res = st
                    .sql_res
                    .iter()
                    .chain([&st.http_re])
                    .map(|l| Regex::new(&l.source).unwrap())
                    .collect();
                (st, res)
            });
            for (l, re) in st.sql_res.iter().chain([&st.http_re]).zip(res) {
                if re.is_match(&text) {
                    proptest::prop_assert!(l.for_text(&text).is_some(), "{} on {text:?}", l.source);
                }
            }
        }
    }
}
