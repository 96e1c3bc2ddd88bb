//! Seeing through wrappers, prompts, paths, aliases and nested shells.

use super::{bash, found, hits, none, one, tools};

#[test]
fn prompts() {
    for prompt in [
        "$ ",
        "# ",
        "% ",
        "> ",
        "PS> ",
        r"PS C:\ops> ",
        "root@node-1:~# ",
        "[root@web-01 ~]# ",
        "(venv) $ ",
        "admin@bastion:/srv$ ",
    ] {
        let src = bash(&format!("{prompt}k get pods"));
        assert_eq!(tools(&src), ["kubectl"], "prompt {prompt:?}");
    }
}

#[test]
fn sudo_doas_and_friends() {
    for cmd in [
        "sudo systemctl restart nginx",
        "sudo -u root -E systemctl restart nginx",
        "sudo -- systemctl restart nginx",
        "doas -u root systemctl restart nginx",
        "env systemctl restart nginx",
        "env -i PATH=/usr/bin systemctl restart nginx",
        "nohup systemctl restart nginx",
        "time systemctl restart nginx",
        "timeout 30 systemctl restart nginx",
        "timeout -s KILL 30s systemctl restart nginx",
        "nice -n 10 systemctl restart nginx",
        "exec systemctl restart nginx",
        "command systemctl restart nginx",
        "watch -n 5 systemctl status nginx",
        "FOO=bar BAZ=\"a b\" systemctl restart nginx",
        "/usr/bin/systemctl restart nginx",
        "./systemctl restart nginx",
    ] {
        assert_eq!(tools(&bash(cmd)), ["systemctl"], "{cmd}");
    }
}

#[test]
fn alias_k_only_in_code_command_position() {
    assert_eq!(tools(&bash("k get pods")), ["kubectl"]);
    assert_eq!(tools(&bash("sudo k delete pod x")), ["kubectl"]);
    assert_eq!(
        tools(&bash("kubectl get pods -o name | xargs -I{} k delete {}")),
        ["kubectl", "kubectl"]
    );
    assert_eq!(tools("Use `k -n prod delete pod x`."), ["kubectl"]);
    none("Press k delete to remove the line (vim).");
    none(&bash("for k in get delete; do echo $k; done"));
    none(&bash("echo k delete"));
}

#[test]
fn bash_c_and_substitutions() {
    assert_eq!(
        tools(&bash("bash -c \"systemctl restart nginx\"")),
        ["systemctl"]
    );
    assert_eq!(tools(&bash("sh -c 'kubectl delete pod x'")), ["kubectl"]);
    assert_eq!(
        tools(&bash("ssh node-3 'sudo systemctl restart kubelet'")),
        ["systemctl"]
    );
    assert_eq!(
        tools(&bash("echo $(kubectl get pods -o name)")),
        ["kubectl"]
    );
    assert_eq!(tools(&bash("X=`kubectl get pods -o name`")), ["kubectl"]);
    assert_eq!(tools(&bash("watch 'kubectl get pods'")), ["kubectl"]);
}

#[test]
fn json_and_yaml_array_forms() {
    assert_eq!(
        found(&bash(r#"["kubectl","delete","pod","x"]"#)),
        [("kubectl".into(), "kubectl delete pod x".into())]
    );
    assert_eq!(
        tools("```yaml\ncommand: [\"kubectl\", \"scale\", \"deploy/x\"]\n```\n"),
        ["kubectl"]
    );
    let seq = "```yaml\ncommand:\n  - kubectl\n  - delete\n  - pod/x\n```\n";
    assert_eq!(
        found(seq),
        [("kubectl".into(), "kubectl delete pod/x".into())]
    );
}

#[test]
fn document_aliases_and_variables() {
    let src = bash(
        "alias kc=kubectl\nkc -n prod delete pod x\nK=kubectl\n$K get pods\n${K} delete pod y",
    );
    assert_eq!(tools(&src), ["kubectl", "kubectl", "kubectl"]);
    // Redefining the name to something else drops it.
    none(&bash("alias kc=echo\nkc delete pod x"));
}

#[test]
fn nested_command_reported_once() {
    let h = hits(&bash("kubectl -n cache exec redis-0 -- redis-cli FLUSHALL"));
    assert_eq!(h.len(), 1);
    assert_eq!(h[0].tool, "kubectl");
    one(&bash("psql -c \"DELETE FROM sessions\""), "psql");
    one(
        &bash("curl -X DELETE https://api.internal/v1/namespaces/x"),
        "curl",
    );
}

/// A redirection written before the command word names a file, and the word after the file is
/// still the command (`>/tmp/log k delete pod x` runs `k`). The redirection's own target is
/// read as before: `> kubectl delete pod x` still names kubectl.
#[test]
fn redirections_before_the_command_word() {
    for cmd in [
        ">/tmp/log k delete pod x",
        "</dev/null k delete pod x",
        ">>/tmp/log k delete pod x",
        "2>/dev/null k delete pod x",
        "2>&1 sudo k delete pod x",
        ">&2 k delete pod x",
        "&>log k delete pod x",
        "echo ok; >/tmp/log k delete pod x",
        ">kubectl delete pod x",
        "> sudo kubectl delete pod x",
        ">-kubectl delete pod x",
        ">1.kubectl delete pod x",
    ] {
        assert_eq!(tools(&bash(cmd)), ["kubectl"], "{cmd}");
    }
    // `> ` at the start of a line is a prompt or a redirection; read both ways, the command
    // after a redirection's target is found (`> out.txt reboot` runs `reboot`).
    for (cmd, tool) in [
        ("> out.txt reboot", "reboot"),
        ("> /tmp/log k delete pod x", "kubectl"),
        ("> out.txt sudo k delete pod x", "kubectl"),
        ("> k delete pod x", "kubectl"),
    ] {
        assert_eq!(tools(&bash(cmd)), [tool], "{cmd}");
    }
    // Read as a prompt, the line is still one command, reported once.
    one(&bash("> kubectl delete pod x"), "kubectl");
    // After the command word, a redirection is an argument like any other: `k` is no alias.
    none(&bash("cat file >/tmp/log k delete pod x"));
    none(&bash("echo 2>/dev/null k"));
}

/// At the start of a command, a Makefile recipe's `-` (run, ignore errors) or a list number
/// written without its space is not part of the command's name; a long flag (`--kubectl`) and
/// a word that only contains a tool name stay other words.
#[test]
fn glued_recipe_dash_and_list_numbers() {
    for cmd in [
        "-kubectl delete pod x",
        "-/usr/local/bin/kubectl delete pod x",
        "1.kubectl delete pod x",
        "12)kubectl -n prod delete pod x",
        "-sudo kubectl delete pod x",
    ] {
        assert_eq!(tools(&bash(cmd)), ["kubectl"], "{cmd}");
        assert_eq!(tools(&format!("{cmd}\n")), ["kubectl"], "prose: {cmd}");
    }
    none(&bash("tool --kubectl delete pod x"));
    none(&bash("--kubectl delete pod x"));
    none(&bash("1.5kubectl delete pod x"));
    none(&bash("x-kubectl delete pod x"));
}
