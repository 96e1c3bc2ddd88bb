use super::*;

#[test]
fn paths_that_escape_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("a")).unwrap();
    std::fs::write(root.join("a/x.md"), "x").unwrap();
    std::fs::write(root.join("a/empty.md"), "").unwrap();
    assert_eq!(evidence_status(root, "a/x.md"), EvidenceStatus::Present);
    assert_eq!(
        evidence_status(root, "a/../a/x.md"),
        EvidenceStatus::Present
    );
    assert_eq!(evidence_status(root, "a/empty.md"), EvidenceStatus::Empty);
    assert_eq!(evidence_status(root, "a/nope.md"), EvidenceStatus::Missing);
    assert_eq!(
        evidence_status(root, "../etc/passwd"),
        EvidenceStatus::OutsideRepository
    );
    assert_eq!(
        evidence_status(root, "/etc/passwd"),
        EvidenceStatus::OutsideRepository
    );
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink("/etc", root.join("link")).unwrap();
        assert_eq!(
            evidence_status(root, "link/passwd"),
            EvidenceStatus::OutsideRepository
        );
    }
}

#[test]
fn invalid_utf8_and_size_limit_are_input_errors() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("f.md");
    std::fs::write(&p, b"ok\nbad \xff here").unwrap();
    let e = read_text(&p, "f.md", 1000).unwrap_err().to_string();
    assert!(e.starts_with("f.md:2:5: invalid UTF-8"), "{e}");
    let e = read_text(&p, "f.md", 3).unwrap_err().to_string();
    assert!(e.contains("above the limit"), "{e}");
}

#[test]
fn rollback_values() {
    assert!(looks_like_path("specs/a/rollback.md"));
    assert!(looks_like_path("rollback.md"));
    assert!(!looks_like_path(
        "restore the previous ReplicaSet and page on-call"
    ));
}

/// A tree with every kind of place a path can lead to: files (empty or not), directories,
/// links inside, out of the root, dangling, looping, and to the root's parent.
#[cfg(unix)]
fn tree() -> (tempfile::TempDir, PathBuf) {
    use std::os::unix::fs::symlink;
    let dir = tempfile::tempdir().unwrap();
    let base = std::fs::canonicalize(dir.path()).unwrap();
    let root = base.join("root");
    let out = base.join("out");
    for d in ["a/sub", "b", "e"] {
        std::fs::create_dir_all(root.join(d)).unwrap();
    }
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(root.join("a/x.md"), "# t\n\nsome words\n").unwrap();
    std::fs::write(root.join("a/empty.md"), "").unwrap();
    std::fs::write(root.join("a/todo.md"), "TODO\n").unwrap();
    std::fs::write(root.join("a/sub/y.md"), "y").unwrap();
    std::fs::write(root.join("b/z.md"), "z").unwrap();
    std::fs::write(out.join("secret.md"), "secret").unwrap();
    symlink(&out, root.join("out_link")).unwrap();
    symlink("a", root.join("in_link")).unwrap();
    symlink("../a/x.md", root.join("b/file_link")).unwrap();
    symlink(out.join("secret.md"), root.join("b/out_file")).unwrap();
    symlink("nowhere", root.join("dangling")).unwrap();
    symlink("loop2", root.join("loop1")).unwrap();
    symlink("loop1", root.join("loop2")).unwrap();
    symlink("..", root.join("up")).unwrap();
    symlink("../..", root.join("a/up2")).unwrap();
    (dir, root)
}

/// Paths into [`tree`] that lead to every kind of place it holds.
#[cfg(unix)]
const TREE_PATHS: [&str; 22] = [
    "a/x.md",
    "a/empty.md",
    "a/sub",
    "a/sub/y.md",
    "a/nope.md",
    "nope/x.md",
    "out_link/secret.md",
    "out_link",
    "in_link/x.md",
    "b/file_link",
    "b/out_file",
    "dangling",
    "dangling/x",
    "loop1",
    "loop1/x",
    "up",
    "up/root/a/x.md",
    "up/out/secret.md",
    "a/up2/root",
    "a/up2/root/a/x.md",
    "a/x.md/more",
    "x",
];

/// What can be compared of an answer of [`resolve_with_meta`]: the path, and whether a
/// regular file or a directory is there and its size.
#[cfg(unix)]
type Summary = Option<(PathBuf, Option<(bool, bool, u64)>)>;

#[cfg(unix)]
fn summary(answer: Option<(PathBuf, Option<std::fs::Metadata>)>) -> Summary {
    answer.map(|(p, m)| (p, m.map(|m| (m.is_file(), m.is_dir(), m.len()))))
}

/// [`resolve_with_meta`] as first written: every spelling by components.
#[cfg(unix)]
fn resolve_with_meta_by_components(
    root: &Path,
    rel: &str,
) -> Option<(PathBuf, Option<std::fs::Metadata>)> {
    if refused_spelling_by_lowercase(rel) {
        return None;
    }
    resolve_any(root, rel)
}

#[cfg(unix)]
#[test]
fn plain_paths_resolve_as_any_spelling_does() {
    let (_dir, root) = tree();
    for rel in TREE_PATHS {
        assert_eq!(
            summary(resolve_with_meta(&root, rel)),
            summary(resolve_with_meta_by_components(&root, rel)),
            "{rel}"
        );
        // A root spelled `root/.` is not plain: judged by components.
        assert_eq!(
            evidence_status(&root, rel),
            evidence_status(&root.join("."), rel),
            "{rel}"
        );
    }
    assert_eq!(evidence_status(&root, "a/x.md"), EvidenceStatus::Present);
    assert_eq!(evidence_status(&root, "a/todo.md"), EvidenceStatus::Empty);
    assert_eq!(
        evidence_status(&root, "up/root/a/x.md"),
        EvidenceStatus::Present
    );
    assert_eq!(
        evidence_status(&root, "up/out/secret.md"),
        EvidenceStatus::OutsideRepository
    );
    assert_eq!(
        evidence_status(&root, "out_link/secret.md"),
        EvidenceStatus::OutsideRepository
    );
}

/// Every kind of place a listed path may hold by the time its evidence is judged (a walk
/// listed each as a regular file; any may have changed since): judged as any path is.
#[cfg(unix)]
#[test]
fn listed_evidence_is_judged_as_any_path_is() {
    let (_dir, root) = tree();
    let fifo = root.join("a/fifo.md");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    assert!(made.is_ok_and(|s| s.success()), "mkfifo");
    for rel in TREE_PATHS.iter().chain(&["a/todo.md", "a/fifo.md"]) {
        assert_eq!(
            listed_evidence_status(&root, rel),
            evidence_status(&root, rel),
            "{rel}"
        );
    }
    assert_eq!(
        listed_evidence_status(&root, "b/out_file"),
        EvidenceStatus::OutsideRepository
    );
    assert_eq!(
        listed_evidence_status(&root, "a/fifo.md"),
        EvidenceStatus::Empty
    );
    assert_eq!(
        listed_evidence_status(&root, "b/file_link"),
        EvidenceStatus::Present
    );
}

/// A listed spec is read as it was listed; a link put in its place is followed only while it
/// stays inside the repository.
#[cfg(unix)]
#[test]
fn listed_text_is_never_read_through_a_link_leading_out() {
    let (_dir, root) = tree();
    let read = |rel: &str| read_listed_text(&root, rel, rel, 1 << 20);
    assert_eq!(read("a/x.md").unwrap(), "# t\n\nsome words\n");
    assert_eq!(read("b/file_link").unwrap(), "# t\n\nsome words\n");
    let e = read("b/out_file").unwrap_err().to_string();
    assert!(
        e.contains("b/out_file") && e.contains("outside the repository"),
        "{e}"
    );
    let e = read("a/sub").unwrap_err().to_string();
    assert!(e.contains("a directory, not a regular file"), "{e}");
    assert!(read("a/nope.md").is_err());
    assert!(read("dangling").is_err());
    assert_eq!(
        read("a/x.md").unwrap(),
        read_text(&root.join("a/x.md"), "a/x.md", 1 << 20).unwrap()
    );
}

/// Where `openat2` exists (Linux 5.6, as on every machine the CI runs on), it is what the
/// listed paths are opened with.
#[cfg(target_os = "linux")]
#[test]
fn links_are_refused_in_every_component_by_the_kernel() {
    let (_dir, root) = tree();
    assert!(opens_without_links());
    assert!(open_without_links(&root.join("a/x.md")).is_ok());
    for rel in [
        "b/file_link",
        "in_link/x.md",
        "out_link/secret.md",
        "up/root/a/x.md",
    ] {
        let e = open_without_links(&root.join(rel)).unwrap_err();
        assert_eq!(e.raw_os_error(), Some(libc::ELOOP), "{rel}");
    }
}

#[test]
fn listed_spellings_are_plain_and_never_refused() {
    for (rel, ok) in [
        ("specs/x/plan.md", true),
        ("plan.md", true),
        ("./plan.md", false),
        ("specs//plan.md", false),
        ("specs/../plan.md", false),
        ("specs/%2e%2e/plan.md", false),
        ("specs/%2E%2e/plan.md", false),
        ("~/plan.md", false),
        ("C:/plan.md", false),
        ("specs\\plan.md", false),
        ("/etc/passwd", false),
        ("", false),
    ] {
        assert_eq!(
            is_listed_spelling(rel),
            ok && opens_without_links(),
            "{rel}"
        );
    }
}

#[test]
fn plain_spellings() {
    for (rel, plain) in [
        ("a", true),
        ("a/b.md", true),
        ("a/..b/.c", true),
        ("", false),
        (".", false),
        ("..", false),
        ("a/", false),
        ("/a", false),
        ("a//b", false),
        ("a/./b", false),
        ("a/../b", false),
        ("a/.", false),
    ] {
        assert_eq!(is_plain_rel(rel.as_bytes()), plain, "{rel:?}");
    }
    assert!(is_plain_abs(b"/a/b"));
    assert!(!is_plain_abs(b"/"));
    assert!(!is_plain_abs(b"/a/"));
    assert!(!is_plain_abs(b"a/b"));
}

#[test]
fn prefixes_are_those_of_the_components() {
    let names = [
        "/", "/a", "/a/b", "/a/bc", "/ab", "/a/b/", "/a//b", "/a/./b", "a/b", "",
    ];
    for p in names {
        for b in names {
            let (p, b) = (Path::new(p), Path::new(b));
            assert_eq!(starts_with(p, b), p.starts_with(b), "{p:?} {b:?}");
        }
    }
}

#[test]
fn short_paths_are_those_of_strip_prefix() {
    let cwd = Path::new("/w/repo");
    for p in [
        "/w/repo/a/b.md",
        "/w/repo/a",
        "/w/repo",
        "/w/repo/",
        "/w/repo/./a",
        "/w/repo//a",
        "/w/repo/a/",
        "/w/repo/a/.",
        "/w/repo/a/../b",
        "/w/repos/a",
        "/w/rep",
        "/x/a",
        "a/b",
        "/",
    ] {
        let p = Path::new(p);
        assert_eq!(
            short_from(p, cwd, true).as_os_str(),
            short_by_components(p, cwd).as_os_str(),
            "{p:?}"
        );
    }
}

#[test]
fn substance_of_lines() {
    for (head, says) in [
        ("", false),
        ("# Title\n\n", false),
        ("# Title\n\nwords", true),
        ("TODO", false),
        ("- [ ] tbd", true),
        ("**N/A**", false),
        ("\u{212a}", true),
        ("nul\u{212a}", true),
        ("\u{feff}None", false),
        ("---\n***\n  \n", false),
        ("PlaceHolder", false),
        ("placeholders", true),
        (
            "\u{212a}\u{212a}\u{212a}\u{212a}\u{212a}\u{212a}xxxxxx",
            true,
        ),
        ("PLACEHOLDE\u{212a}", true),
        ("placeholder\u{e9}", true),
        ("n/\u{c5}", true),
        ("<!-- -->", false),
        ("<!---->\n \t<!--  \t -->\r\n", false),
        ("# Tasks\n<!-- -->\n", false),
        ("<!-- done -->", true),
        ("<!-- -->x", true),
        ("<!-->", true),
    ] {
        assert_eq!(has_substance(head.as_bytes()), says, "{head:?}");
        assert_eq!(
            has_substance_by_lossy_lines(head.as_bytes()),
            says,
            "{head:?}"
        );
    }
    // The shortcut past 11 characters holds while no placeholder is longer.
    assert!(PLACEHOLDERS.iter().all(|p| p.chars().count() <= 11));
    // A byte that is not UTF-8 reads as a replacement character: something.
    assert!(has_substance(b"\xff"));
    assert!(has_substance_by_lossy_lines(b"\xff"));
}

#[cfg(unix)]
mod differential {
    use super::*;
    use proptest::prelude::*;

    fn spelling() -> impl Strategy<Value = String> {
        let name = prop::sample::select(vec![
            "a",
            "x.md",
            "empty.md",
            "sub",
            "y.md",
            "b",
            "z.md",
            "file_link",
            "out_file",
            "out_link",
            "secret.md",
            "in_link",
            "dangling",
            "loop1",
            "up",
            "up2",
            "root",
            "out",
            "..",
            ".",
            "",
            "nope",
            "e",
        ]);
        (
            prop::collection::vec(name, 1..6),
            any::<bool>(),
            any::<bool>(),
        )
            .prop_map(|(names, lead, trail)| {
                let mut s = names.join("/");
                if lead {
                    s.insert(0, '/');
                }
                if trail {
                    s.push('/');
                }
                s
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn any_spelling_resolves_as_by_components(rel in spelling()) {
            let (_dir, root) = tree();
            prop_assert_eq!(
                summary(resolve_with_meta(&root, &rel)),
                summary(resolve_with_meta_by_components(&root, &rel))
            );
        }

        #[test]
        fn every_segment_is_split_all(bytes in "[a./]{0,12}", which in 0usize..3) {
            let oks: [fn(&[u8]) -> bool; 3] = [
                |n| !n.is_empty() && n != b"." && n != b"..",
                |n| !n.is_empty() && n != b".",
                |n| n.len() < 2,
            ];
            let ok = oks[which];
            let b = bytes.as_bytes();
            prop_assert_eq!(every_segment(b, ok), b.split(|&c| c == b'/').all(ok));
        }

        #[test]
        fn refused_spellings_agree(rel in "[a%25eEfFcC0\\\\~:/.\\x00]{0,8}") {
            prop_assert_eq!(refused_spelling(&rel), refused_spelling_by_lowercase(&rel));
        }

        #[test]
        fn substance_agrees(head in prop::collection::vec(prop::sample::select(vec![
            &b"\n"[..], b" ", b"#", b"-", b"*", b"todo", b"TBD", b"n/a", b"None", b"null",
            b"{}", b"word", b"\xef\xbb\xbf", b"\xe2\x84\xaa", b"\xc4\xb0", b"\xff", b"<!-- -->",
            b"<!--", b"-->",
            b"`", b"\t", b"\r", b"x", b"\xc2\xa0",
        ]), 0..12)) {
            let head: Vec<u8> = head.concat();
            prop_assert_eq!(has_substance(&head), has_substance_by_lossy_lines(&head));
        }

        #[test]
        fn short_agrees(tail in "[a./]{0,8}") {
            let cwd = Path::new("/w/repo");
            let p = PathBuf::from(format!("/w/repo{tail}"));
            prop_assert_eq!(
                short_from(&p, cwd, true).as_os_str(),
                short_by_components(&p, cwd).as_os_str()
            );
        }
    }
}

#[test]
fn a_file_is_read_in_full_whatever_size_its_stat_announces() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("f.md");
    // Bigger than any single read buffer the system might hand back at once.
    let text: String = (0..40_000).map(|i| format!("line {i}\n")).collect();
    std::fs::write(&p, &text).unwrap();
    assert_eq!(read_bounded(&p, "f.md", 1 << 22).unwrap(), text.as_bytes());
    std::fs::write(&p, "").unwrap();
    assert_eq!(read_bounded(&p, "f.md", 10).unwrap(), b"");
    // procfs announces a size of 0 for files that hold text: read to the end all the same,
    // and still bounded by the limit.
    #[cfg(target_os = "linux")]
    {
        let status = Path::new("/proc/self/status");
        let bytes = read_bounded(status, "status", 1 << 20).unwrap();
        assert!(
            bytes.starts_with(b"Name:"),
            "{:?}",
            String::from_utf8_lossy(&bytes)
        );
        let e = read_bounded(status, "status", 8).unwrap_err().to_string();
        assert!(e.contains("above the limit of 8 bytes"), "{e}");
    }
}

/// [`refused_spelling`] as first written: the reference of its tests.
fn refused_spelling_by_lowercase(rel: &str) -> bool {
    let lower = rel.to_ascii_lowercase();
    rel.contains('\0')
        || rel.contains('\\')
        || rel.starts_with('~')
        || rel.as_bytes().get(1) == Some(&b':') && rel.as_bytes()[0].is_ascii_alphabetic()
        || ["%2e", "%2f", "%5c", "%00"]
            .iter()
            .any(|e| lower.contains(e))
}

/// [`has_substance`] as first written (every line decoded lossily, every candidate lowercased
/// into a new string): the reference of its tests.
fn has_substance_by_lossy_lines(head: &[u8]) -> bool {
    // Line by line, each decoded on its own: the answer is usually on the first lines.
    head.split(|&b| b == b'\n').any(|line| {
        let line = String::from_utf8_lossy(line);
        let t = line.trim().trim_start_matches('\u{feff}');
        if t.starts_with('#') {
            return false; // a heading alone is a title, not content
        }
        let empty_comment = t.len() >= 7
            && t.starts_with("<!--")
            && t.ends_with("-->")
            && t[4..t.len() - 3].chars().all(char::is_whitespace);
        if empty_comment {
            return false;
        }
        let t = t.trim_matches(|c: char| {
            c.is_whitespace() || matches!(c, '-' | '*' | '_' | '=' | '.' | ':' | '`' | '>' | '|')
        });
        if t.is_empty() {
            return false;
        }
        !PLACEHOLDERS.contains(&t.to_lowercase().as_str())
    })
}
