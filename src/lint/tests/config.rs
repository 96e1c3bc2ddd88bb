//! The `commands:` config section: parsing, aliases, additions, removals, errors.

use crate::lint::{CommandPatterns, CommandsConfig, PatternError, ToolSpec, find_commands};

fn config(yaml: &str) -> CommandsConfig {
    match serde_yaml::from_str(yaml) {
        Ok(c) => c,
        Err(e) => panic!("bad test config: {e}"),
    }
}

fn pats(yaml: &str) -> CommandPatterns {
    match CommandPatterns::new(&config(yaml)) {
        Ok(p) => p,
        Err(e) => panic!("bad test config: {e}"),
    }
}

fn tools(p: &CommandPatterns, src: &str) -> Vec<String> {
    find_commands(src, p).into_iter().map(|h| h.tool).collect()
}

#[test]
fn builtin_is_valid_and_documented() {
    let p = CommandPatterns::builtin();
    let names = p.tool_names();
    for t in [
        "kubectl",
        "helm",
        "systemctl",
        "curl",
        "kill",
        "rm",
        "sql",
        "http",
    ] {
        assert!(names.contains(&t), "{t} missing from {names:?}");
    }
    assert!(!names.contains(&"journalctl-read-only"));
}

#[test]
fn user_aliases() {
    let p = pats("aliases: {kc: kubectl}");
    assert_eq!(
        tools(&p, "```\nkc -n prod delete pod x\n```\n"),
        ["kubectl"]
    );
    assert!(tools(&p, "Run kc delete pod x in prose.").is_empty());
}

#[test]
fn added_tools() {
    let p = pats(
        "add:\n  - {tool: mycli, subcommands: [purge, 'queue drop']}\n  - {tool: opsctl}\n  - {regex: 'RESTART-[0-9]+', name: ticket-restart}\n",
    );
    assert_eq!(tools(&p, "```\nmycli purge all\n```\n"), ["mycli"]);
    assert_eq!(tools(&p, "```\nmycli queue drop orders\n```\n"), ["mycli"]);
    assert!(tools(&p, "```\nmycli status\n```\n").is_empty());
    assert_eq!(tools(&p, "```\nopsctl anything\n```\n"), ["opsctl"]);
    assert!(tools(&p, "We use opsctl daily.").is_empty());
    assert_eq!(tools(&p, "Run opsctl --restart now."), ["opsctl"]);
    assert_eq!(tools(&p, "File RESTART-42 first."), ["ticket-restart"]);
    let names = p.tool_names();
    assert!(names.contains(&"mycli") && names.contains(&"ticket-restart"));
}

#[test]
fn removed_tools() {
    let p = pats("remove: [kill, sql, kubectl]");
    assert!(
        tools(
            &p,
            "```\nkill -9 1\nDROP TABLE x;\nkubectl delete pod x\nk get pods\n```\n"
        )
        .is_empty()
    );
    assert_eq!(tools(&p, "```\nhelm uninstall web\n```\n"), ["helm"]);
    assert!(!p.tool_names().contains(&"sql"));
}

#[test]
fn errors_name_the_entry() {
    let err = |yaml: &str| {
        CommandPatterns::new(&config(yaml))
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default()
    };
    assert!(err("remove: [kubctl]").contains("`kubctl`"));
    assert!(err("aliases: {kc: kubeclt}").contains("kc: kubeclt"));
    assert!(err("aliases: {'k c': kubectl}").contains("`k c`"));
    assert!(err("aliases: {helm: kubectl}").contains("`helm`"));
    assert!(err("add: [{regex: '(', name: broken}]").contains("commands.add[0] (`broken`)"));
    assert!(err("add: [{regex: 'x'}]").contains("commands.add[0]"));
    assert!(err("add: [{}, {tool: 'two words'}]").contains("commands.add[0]"));
    assert!(err("add: [{tool: ok}, {tool: 'two words'}]").contains("commands.add[1]"));
    assert!(err("add: [{tool: a, regex: b}]").contains("not both"));
    assert!(serde_yaml::from_str::<CommandsConfig>("unknown: 1").is_err());
    assert!(serde_yaml::from_str::<CommandsConfig>("add: [{tool: a, extra: 1}]").is_err());
}

#[test]
fn error_type_is_matchable() {
    let r = CommandPatterns::new(&CommandsConfig {
        remove: vec!["nope".into()],
        ..CommandsConfig::default()
    });
    assert!(matches!(r, Err(PatternError::UnknownTool { ref name, .. }) if name == "nope"));
    let spec = ToolSpec {
        tool: Some("x".into()),
        ..ToolSpec::default()
    };
    assert!(
        CommandPatterns::new(&CommandsConfig {
            add: vec![spec],
            ..CommandsConfig::default()
        })
        .is_ok()
    );
}

#[test]
fn schema_is_generated() {
    let schema = schemars::schema_for!(CommandsConfig);
    let json = format!("{schema:?}");
    assert!(json.contains("aliases") && json.contains("remove"));
}
