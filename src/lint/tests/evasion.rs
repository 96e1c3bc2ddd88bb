//! Issue 7 evasions: one test per mechanism added for `tests/corpus/adversarial/` (confusables,
//! format characters, right-to-left overrides, HTML, shell expansion, wrappers, versioned
//! binaries), each with text the mechanism must leave alone.

use super::{bash, hits, none, one, tools};
use crate::lint::normalize::normalize_str;

#[test]
fn more_format_characters_are_invisible() {
    for c in [
        '\u{FFF9}',
        '\u{FFFB}',
        '\u{1D173}',
        '\u{1BCA1}',
        '\u{E0101}',
    ] {
        assert_eq!(
            normalize_str(&format!("kube{c}ctl")),
            "kubectl",
            "U+{:X}",
            c as u32
        );
    }
}

#[test]
fn stroke_hook_and_cherokee_letters_fold() {
    assert_eq!(normalize_str("ku\u{180}ectl"), "kubectl");
    assert_eq!(normalize_str("kubect\u{142}"), "kubectl");
    assert_eq!(normalize_str("kube\u{3F2}tl"), "kubectl");
    // Cherokee small letters read as small capitals: lower case.
    assert_eq!(normalize_str("\u{AB8B}\u{AB7C}\u{ABAE}\u{AB87}"), "helm");
    assert_eq!(normalize_str("\u{ABB6}ubectl"), "kubectl");
}

#[test]
fn ordinary_words_of_other_scripts_stay_quiet() {
    // Whole Russian, Greek and Armenian words, some of which fold to Latin letters (`ос`).
    none("Проверьте ос и режим тома; kubectl не используется. Кот и рот.");
    none("Η υπηρεσία επανεκκινείται με helm. Հայերեն տեքստ։");
    none("Сервис перезапускают через kubectl, но поды вручную не удаляют.");
}

#[test]
fn right_to_left_override_reads_in_display_order() {
    let reversed: String = "kubectl delete pod x".chars().rev().collect();
    let src = format!("Do this: \u{202E}{reversed}\u{202C} now.");
    let h = one(&src, "kubectl");
    assert!(h.disguised);
    assert!(
        h.matched.starts_with("kubectl delete pod x"),
        "{}",
        h.matched
    );
    // The same text without the override is not a command, and an override over
    // ordinary text stays ordinary.
    none(&format!("Do this: {reversed} now."));
    none("Label: \u{202E}olleh\u{202C}.");
    let html = format!("<p>&#x202E;{reversed}&#x202C;</p>\n");
    assert_eq!(tools(&html), ["kubectl"]);
}

#[test]
fn entities_for_letters_with_marks_or_styles() {
    assert_eq!(tools("<p>k&uuml;bectl delete pod x</p>\n"), ["kubectl"]);
    assert_eq!(
        tools("<p>&ccedil;ertbot renew --force-renewal</p>\n"),
        ["certbot"]
    );
    assert_eq!(tools("<p>&kopf;ubectl delete pod x</p>\n"), ["kubectl"]);
    none("<p>Caf&eacute; &amp; cr&egrave;me</p>\n");
}

#[test]
fn html_blocks_render_tags() {
    assert_eq!(
        tools("<table><tr><td>ku<span></span>bectl delete pod x</td></tr></table>\n"),
        ["kubectl"]
    );
    assert_eq!(
        tools("<pre>kube<b></b>ctl delete pod x</pre>\n"),
        ["kubectl"]
    );
    assert_eq!(
        tools("<div><img alt=\"helm rollback web 9\" src=\"x.png\"></div>\n"),
        ["helm"]
    );
    // Block tags separate words: `kube</td><td>ctl` is two cells.
    none("<table><tr><td>kube</td><td>ctl delete pod x</td></tr></table>\n");
    // Attributes other than alt/title are not text.
    none("<div><img src=\"kubectl-delete-pod.png\" class=\"kubectl delete\"></div>\n");
}

#[test]
fn inline_html_alt_unknown_tags_and_titles() {
    assert_eq!(
        tools("See <img src=\"f.png\" alt=\"kubectl delete secret tls\"> here."),
        ["kubectl"]
    );
    assert_eq!(
        tools("Hidden: <kubectl delete pod edge-9> here."),
        ["kubectl"]
    );
    assert_eq!(
        tools("[renew](https://wiki.example.com \"certbot renew --force-renewal\")"),
        ["certbot"]
    );
    assert_eq!(
        tools("[x][ops]\n\n[ops]: https://wiki.example.com \"kubectl delete pod x\"\n"),
        ["kubectl"]
    );
    none("Replace <service-name> with the name; see [docs](https://x.example \"reference\").");
}

#[test]
fn front_matter_yaml_escapes() {
    assert_eq!(
        tools("---\nnote: \"\\u0063ertbot renew --force-renewal\"\n---\n# x\n"),
        ["certbot"]
    );
    none("---\nnote: \"path C:\\\\x64\\\\bin and \\u00e9t\\u00e9\"\n---\n# x\n");
}

#[test]
fn ansi_c_quoting_and_parameter_defaults() {
    for cmd in [
        "$'\\x6bubectl' delete pod x",
        "$'\\153ubectl' delete pod x",
        "$'\\u006bubectl' delete pod x",
        "${TOOL:-kubectl} delete pod x",
        "${TOOL:=kubectl} delete pod x",
        "kube${EMPTY}ctl delete pod x",
        "kube$@ctl delete pod x",
        "kubectl${IFS}delete${IFS}pod${IFS}x",
    ] {
        assert_eq!(tools(&bash(cmd)), ["kubectl"], "{cmd}");
    }
    // `${VAR}` alone is still a variable, and a default that is no tool is nothing.
    none(&bash("${EDITOR:-vi} delete pod x"));
    none(&bash("echo ${HOME}/kubectl-delete.log"));
}

#[test]
fn substitutions_that_print_a_tool_name() {
    for cmd in [
        "\"$(echo kubectl)\" delete pod x",
        "$(printf kubectl) delete pod x",
        "`echo kubectl` delete pod x",
        "$(echo 'kubectl') delete pod x",
    ] {
        assert_eq!(tools(&bash(cmd)), ["kubectl"], "{cmd}");
    }
    // Printing the name is not running it.
    none(&bash("echo \"$(echo kubectl) is installed\""));
    none(&bash("NAME=$(echo kubectl)"));
}

#[test]
fn brace_lists_expand() {
    assert_eq!(tools(&bash("{kubectl,delete,pod,x}")), ["kubectl"]);
    none(&bash("echo {kubectl,helm}"));
    none(&bash("cp app.{yaml,bak}"));
}

#[test]
fn eval_of_a_multi_part_quoted_word() {
    let h = hits(&bash("eval \"kube\"\"ctl delete pod x\""));
    assert_eq!(h.len(), 1, "{h:#?}");
    assert_eq!(h[0].matched, "kubectl delete pod x");
}

#[test]
fn functions_and_exports_name_tools() {
    assert_eq!(
        tools(&bash("kc() { kubectl \"$@\"; }\nkc delete pod x")),
        ["kubectl"]
    );
    assert_eq!(
        tools(&bash("function kd { kubectl \"$@\"; }\nkd delete pod x")),
        ["kubectl"]
    );
    assert_eq!(
        tools(&bash("export H=helm\n\"${H}\" uninstall web")),
        ["helm"]
    );
    none(&bash("kc() { echo \"$@\"; }\nkc delete pod x"));
}

#[test]
fn powershell_and_cmd_escapes_by_block_language() {
    assert_eq!(
        tools("```powershell\nku`bectl delete pod x\n```\n"),
        ["kubectl"]
    );
    assert_eq!(tools("```bat\nku^bectl delete pod x\n```\n"), ["kubectl"]);
    // In a POSIX shell block a backtick is a substitution and a caret is a character.
    none("```bash\nku^bectl delete pod x\n```\n");
}

#[test]
fn wrappers_ssh_and_clusters() {
    for cmd in [
        "ssh -i key node-5 reboot",
        "ssh node-5 sudo reboot",
        "busybox reboot",
        "nsenter -t 1 -m -u -i -n -p -- reboot",
    ] {
        assert_eq!(tools(&bash(cmd)), ["reboot"], "{cmd}");
    }
    for cmd in [
        "sudo -iu deploy k delete pod x",
        "flock /run/l k drain node-5",
        "strace -f -o /tmp/t k delete pod x",
        "systemd-run --unit=x --wait k drain node-5",
    ] {
        assert_eq!(tools(&bash(cmd)), ["kubectl"], "{cmd}");
    }
    none(&bash("ssh node-5 uptime"));
}

#[test]
fn versioned_binaries_and_relative_paths() {
    for cmd in [
        "kubectl-1.29 delete pod x",
        "kubectl-v1.29.3 delete pod x",
        "kubectl_1.28 drain node-5",
        "bin/kubectl delete pod x",
    ] {
        assert_eq!(tools(&bash(cmd)), ["kubectl"], "{cmd}");
    }
    assert_eq!(tools(&bash("helm3 uninstall web")), ["helm"]);
    assert_eq!(tools("Use `helm3 rollback web 3`."), ["helm"]);
    // Names that only start like a tool.
    none(&bash("kubectl-neat delete pod x"));
    none(&bash("helmfile delete web"));
    none("See docs/kubectl delete pod x.");
}

#[test]
fn capitals_count_where_a_shell_runs_the_word() {
    assert_eq!(tools(&bash("HELM upgrade web charts/web")), ["helm"]);
    assert_eq!(tools(&bash("Docker restart web")), ["docker"]);
    assert_eq!(tools("`HeLm rollback web 4`"), ["helm"]);
    // In prose capitals are still the product name.
    none("Helm upgrade web failed twice; Docker restart policy is always.");
    // Not in command position.
    none(&bash("echo Helm upgrade web"));
}

#[test]
fn prose_substitution_and_lunate_sigma() {
    assert_eq!(
        tools("Run \"$(echo kubectl)\" delete pod checkout-web-0 now."),
        ["kubectl"]
    );
    assert_eq!(
        tools("Then kube\u{3F2}tl drain node-7 --force."),
        ["kubectl"]
    );
    // A Greek word ending in a final sigma is not folded to a `c`.
    none("Η ρύθμιση της υπηρεσίας.");
}
