//! Byte offsets of hits, through multi-byte text and disguises; the `disguised` flag.

use super::{bash, hits, one};

#[test]
fn start_points_at_the_command_word() {
    let src = "Run kubectl delete pod x.";
    let h = one(src, "kubectl");
    assert_eq!(&src[h.start..h.end], "kubectl delete pod x");
    assert!(!h.disguised);
}

#[test]
fn start_after_multibyte_text() {
    let src = "Зачем — перезапуск: kubectl delete pod api-7b4 ✓";
    let h = one(src, "kubectl");
    assert_eq!(&src[h.start..h.start + 7], "kubectl");
    assert_eq!(&src[h.start..h.end], "kubectl delete pod api-7b4");
}

#[test]
fn start_at_a_homoglyph() {
    let src = "Nota bene: кubеctl delete pod x";
    let h = one(src, "kubectl");
    assert_eq!(h.start, src.find('к').unwrap_or(usize::MAX));
    assert_eq!(&src[h.start..h.end], "кubеctl delete pod x");
    assert!(h.disguised);
    assert_eq!(h.matched, "kubectl delete pod x");
}

#[test]
fn offsets_through_entities_and_invisible_characters() {
    let src = "Then k&#117;bectl delete pod x";
    let h = one(src, "kubectl");
    assert_eq!(&src[h.start..h.end], "k&#117;bectl delete pod x");
    assert!(h.disguised);

    let src = "Then kube\u{200B}ctl delete pod x";
    let h = one(src, "kubectl");
    assert_eq!(&src[h.start..h.end], "kube\u{200B}ctl delete pod x");
    assert!(h.disguised);
}

#[test]
fn end_stays_on_the_command_line() {
    let src = bash("sudo kubectl -n prod \\\n  delete pod x");
    let h = one(&src, "kubectl");
    assert_eq!(&src[h.start..h.end], "kubectl -n prod");
    assert!(h.disguised, "a continuation splits the command");
    let src = bash("kubectl -n prod delete pod x | grep y");
    let h = one(&src, "kubectl");
    assert_eq!(&src[h.start..h.end], "kubectl -n prod delete pod x");
}

#[test]
fn quoting_is_not_a_disguise_but_splitting_is() {
    let src = bash(r#"["kubectl", "delete", "pod", "x"]"#);
    let h = one(&src, "kubectl");
    assert!(!h.disguised);
    assert_eq!(&src[h.start..h.start + 7], "kubectl");
    let src = bash("k''ubectl delete pod x");
    assert!(one(&src, "kubectl").disguised);
    let src = "kubectl\u{00A0}delete pod x";
    assert!(one(src, "kubectl").disguised);
    assert!(!one("Run **kubectl** delete pod x.", "kubectl").disguised);
    assert!(one("Run kube**ctl** delete pod x.", "kubectl").disguised);
}

#[test]
fn sorted_and_one_per_command() {
    let src = bash(
        "kubectl get pods | xargs kubectl delete pod\nsystemctl restart x && curl -X POST https://a/restart",
    );
    let h = hits(&src);
    let starts: Vec<usize> = h.iter().map(|h| h.start).collect();
    let mut sorted = starts.clone();
    sorted.sort_unstable();
    assert_eq!(starts, sorted);
    let tools: Vec<&str> = h.iter().map(|h| h.tool.as_str()).collect();
    assert_eq!(tools, ["kubectl", "kubectl", "systemctl", "curl"]);
}

#[test]
fn front_matter_is_prose() {
    let src = "---\nnotes: restart with kubectl rollout restart deploy/api\n---\n# x\n";
    let h = one(src, "kubectl");
    assert_eq!(h.context, crate::lint::Context::Prose);
    assert_eq!(&src[h.start..h.end], "kubectl rollout restart deploy/api");
}
