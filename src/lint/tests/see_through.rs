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
