//! The in-process git reader (`sddgate::gitdb`) against real git: after every operation the
//! staged changes it computes must equal `git diff --cached --name-status --no-renames
//! --ignore-submodules`, and every staged file must read as `git cat-file blob :path` gives
//! it — or the reader must decline (`None`), never answer wrongly.

use sddgate::gitdb::{ChangeKind, Repo};
use std::path::Path;
use std::process::Command;

fn git(dir: &Path, args: &[&str]) -> Vec<u8> {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["-c", "user.name=T", "-c", "user.email=t@example.com"])
        .args(["-c", "commit.gpgsign=false", "-c", "gc.auto=0"])
        .args(args)
        .env_remove("GIT_DIR")
        .env_remove("GIT_INDEX_FILE")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

fn init() -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    git(d.path(), &["init", "-q", "-b", "main"]);
    d
}

fn write(root: &Path, rel: &str, text: &str) {
    let p = root.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

fn by_git(dir: &Path) -> Vec<(char, String)> {
    let out = git(
        dir,
        &[
            "diff",
            "--cached",
            "--name-status",
            "-z",
            "--no-renames",
            "--ignore-submodules",
        ],
    );
    let fields: Vec<&[u8]> = out.split(|&b| b == 0).filter(|f| !f.is_empty()).collect();
    let mut v: Vec<(char, String)> = fields
        .chunks(2)
        .map(|c| {
            let s = match c[0][0] {
                b'T' => 'M', // a type change is a modification to the hook
                s => s as char,
            };
            (s, String::from_utf8_lossy(c[1]).into_owned())
        })
        .collect();
    v.sort_by(|a, b| a.1.cmp(&b.1).then(a.0.cmp(&b.0)));
    v
}

fn by_reader(dir: &Path) -> Option<Vec<(char, String)>> {
    let repo = Repo::open(dir)?;
    let mut v: Vec<(char, String)> = repo
        .staged()?
        .into_iter()
        .map(|c| {
            let s = match c.kind {
                ChangeKind::Added => 'A',
                ChangeKind::Modified => 'M',
                ChangeKind::Deleted => 'D',
            };
            (s, String::from_utf8_lossy(&c.path).into_owned())
        })
        .collect();
    v.sort_by(|a, b| a.1.cmp(&b.1).then(a.0.cmp(&b.0)));
    Some(v)
}

/// Compares the reader with git; `must_answer` asserts the reader did not decline.
fn agree(dir: &Path, must_answer: bool, what: &str) {
    let expected = by_git(dir);
    match by_reader(dir) {
        Some(got) => assert_eq!(got, expected, "{what}: staged changes differ from git's"),
        None => assert!(!must_answer, "{what}: the reader declined"),
    }
    let Some(repo) = Repo::open(dir) else {
        assert!(!must_answer, "{what}: the reader declined to open");
        return;
    };
    let files = git(dir, &["ls-files", "-z", "-s"]);
    for rec in files.split(|&b| b == 0).filter(|f| !f.is_empty()) {
        let rec = String::from_utf8_lossy(rec);
        let (meta, path) = rec.split_once('\t').unwrap();
        if meta.starts_with("160000") {
            continue;
        }
        let want = git(dir, &["cat-file", "blob", &format!(":{path}")]);
        match repo.blob(path) {
            Some(got) => assert_eq!(got.as_deref(), Some(&want[..]), "{what}: content of {path}"),
            None => assert!(!must_answer, "{what}: could not read {path}"),
        }
        assert_eq!(
            repo.file_is_empty(path),
            Some(want.is_empty()),
            "{what}: {path}"
        );
    }
    assert_eq!(repo.blob("no/such/file").map(|b| b.is_none()), Some(true));
}

#[test]
fn initial_commit_odd_names_and_nothing_staged() {
    let d = init();
    let r = d.path();
    write(r, "specs/a b/specify.md", "# spec\n");
    write(r, "specs/é/readiness.md", "x: 1\n");
    write(r, "README.md", "");
    git(r, &["add", "-A"]);
    agree(r, true, "unborn branch");
    git(r, &["commit", "-q", "-m", "one"]);
    agree(r, true, "just committed");
    assert_eq!(by_reader(r), Some(vec![]));
    let repo = Repo::open(r).unwrap();
    assert!(repo.has_dir("specs/a b") && repo.has_dir("specs") && !repo.has_dir("spec"));
}

#[test]
fn modify_add_delete_mode_symlink_and_type_swaps() {
    let d = init();
    let r = d.path();
    for f in ["a/x.md", "a/y.md", "b/c/d.md", "e.md", "f/g.md", "h.md"] {
        write(r, f, &format!("{f}\n"));
    }
    git(r, &["add", "-A"]);
    git(r, &["commit", "-q", "-m", "one"]);
    write(r, "a/x.md", "changed\n");
    write(r, "new/dir/n.md", "n\n");
    std::fs::remove_file(r.join("b/c/d.md")).unwrap();
    git(r, &["add", "-A"]);
    agree(r, true, "modify/add/delete");
    git(r, &["update-index", "--chmod=+x", "e.md"]);
    agree(r, true, "mode change");
    #[cfg(unix)]
    {
        std::fs::remove_file(r.join("h.md")).unwrap();
        std::os::unix::fs::symlink("e.md", r.join("h.md")).unwrap();
        git(r, &["add", "-A"]);
        agree(r, true, "file became a symlink");
    }
    // A file replaced by a directory and a directory by a file.
    std::fs::remove_file(r.join("e.md")).unwrap();
    write(r, "e.md/inner.md", "i\n");
    std::fs::remove_dir_all(r.join("f")).unwrap();
    write(r, "f", "now a file\n");
    git(r, &["add", "-A"]);
    agree(r, true, "type swaps");
    git(r, &["commit", "-q", "-m", "two"]);
    agree(r, true, "after second commit");
}

#[test]
fn reset_soft_keeps_a_valid_cache_tree_that_is_not_head() {
    let d = init();
    let r = d.path();
    write(r, "specs/one/specify.md", "v1\n");
    write(r, "src/main.rs", "fn main() {}\n");
    git(r, &["add", "-A"]);
    git(r, &["commit", "-q", "-m", "one"]);
    write(r, "specs/one/specify.md", "v2 with kubectl delete pod\n");
    git(r, &["add", "-A"]);
    git(r, &["commit", "-q", "-m", "two"]);
    git(r, &["reset", "-q", "--soft", "HEAD~1"]);
    agree(r, true, "after reset --soft");
    assert!(
        by_reader(r)
            .unwrap()
            .contains(&('M', "specs/one/specify.md".into()))
    );
    write(r, "src/main.rs", "fn main() { }\n");
    git(r, &["add", "src/main.rs"]);
    agree(r, true, "reset --soft, then staging elsewhere");
    assert!(
        by_reader(r)
            .unwrap()
            .contains(&('M', "specs/one/specify.md".into()))
    );
}

#[test]
fn packed_objects_with_delta_chains_and_index_v4() {
    let d = init();
    let r = d.path();
    let mut body = String::new();
    for i in 0..200 {
        body.push_str(&format!(
            "line {i} of a long runbook that compresses and deltifies well\n"
        ));
    }
    for v in 0..12 {
        write(r, "specs/inc/specify.md", &format!("{body}version {v}\n"));
        write(
            r,
            &format!("specs/inc/evidence_{v}.md"),
            &format!("{body}{v}\n"),
        );
        git(r, &["add", "-A"]);
        git(r, &["commit", "-q", "-m", &format!("v{v}")]);
    }
    git(r, &["gc", "-q", "--aggressive", "--prune=now"]);
    // The test means something only if the pack holds deltas.
    let idx = std::fs::read_dir(r.join(".git/objects/pack"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|x| x == "idx"))
        .unwrap();
    let verify = String::from_utf8(git(r, &["verify-pack", "-v", idx.to_str().unwrap()])).unwrap();
    assert!(
        verify.contains("chain length = 2"),
        "no delta chains:\n{verify}"
    );
    agree(r, true, "everything packed");
    write(r, "specs/inc/specify.md", "short now\n");
    std::fs::remove_file(r.join("specs/inc/evidence_3.md")).unwrap();
    git(r, &["add", "-A"]);
    agree(r, true, "staged over a packed HEAD");
    git(r, &["update-index", "--index-version", "4"]);
    agree(r, true, "index version 4");
    git(r, &["update-index", "--index-version", "3"]);
    agree(r, true, "index version 3");
}

#[test]
fn declines_intent_to_add_and_merge_conflicts() {
    let d = init();
    let r = d.path();
    write(r, "a.md", "base\n");
    git(r, &["add", "-A"]);
    git(r, &["commit", "-q", "-m", "one"]);
    write(r, "later.md", "x\n");
    git(r, &["add", "-N", "later.md"]);
    assert!(by_reader(r).is_none(), "intent-to-add must be declined");
    git(r, &["rm", "-q", "--cached", "later.md"]);
    git(r, &["checkout", "-q", "-b", "other"]);
    write(r, "a.md", "other\n");
    git(r, &["commit", "-q", "-am", "other"]);
    git(r, &["checkout", "-q", "main"]);
    write(r, "a.md", "main\n");
    git(r, &["commit", "-q", "-am", "main"]);
    let merge = Command::new("git")
        .arg("-C")
        .arg(r)
        .args([
            "-c",
            "user.name=T",
            "-c",
            "user.email=t@example.com",
            "merge",
            "other",
        ])
        .output()
        .unwrap();
    assert!(!merge.status.success(), "the merge must conflict");
    assert!(by_reader(r).is_none(), "unmerged entries must be declined");
}

#[test]
fn linked_worktree() {
    let d = init();
    let r = d.path();
    write(r, "specs/a/specify.md", "a\n");
    git(r, &["add", "-A"]);
    git(r, &["commit", "-q", "-m", "one"]);
    git(r, &["pack-refs", "--all"]);
    let wt = r.join("wt");
    git(
        r,
        &[
            "worktree",
            "add",
            "-q",
            "-b",
            "feature",
            wt.to_str().unwrap(),
        ],
    );
    write(&wt, "specs/a/specify.md", "changed in the worktree\n");
    git(&wt, &["add", "-A"]);
    agree(&wt, true, "linked worktree");
    assert_eq!(
        by_reader(&wt),
        Some(vec![('M', "specs/a/specify.md".to_string())])
    );
    agree(r, true, "main worktree untouched");
}

/// A deterministic random walk of edits, commits, soft resets and repacks.
#[test]
fn random_operations_agree_with_git() {
    let d = init();
    let r = d.path();
    let paths = [
        "a.md",
        "a/b.md",
        "a/c/d.md",
        "specs/x/specify.md",
        "specs/x/readiness.md",
        "specs/y/specify.md",
        "z.md",
        "specs/x/ev/log.txt",
    ];
    let mut seed: u64 = 0x5dd9a7e;
    let mut next = |n: u64| {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (seed >> 33) % n
    };
    let mut commits = 0;
    for step in 0..60 {
        let p = paths[next(paths.len() as u64) as usize];
        match next(10) {
            0..=3 => {
                // A path may be blocked by a file where a directory is needed, or the reverse.
                let full = r.join(p);
                let blocked = full
                    .ancestors()
                    .skip(1)
                    .take_while(|a| *a != r)
                    .any(|a| a.is_file())
                    || full.is_dir();
                if !blocked {
                    write(r, p, &format!("{step}\n"));
                }
            }
            4 => {
                let _ = std::fs::remove_file(r.join(p));
            }
            5 => {
                let _ = std::fs::remove_dir_all(r.join("a"));
                if next(2) == 0 {
                    write(r, "a", "a file now\n");
                }
            }
            6 | 7 => {
                git(r, &["add", "-A"]);
                git(
                    r,
                    &["commit", "-q", "--allow-empty", "-m", &format!("s{step}")],
                );
                commits += 1;
            }
            8 if commits > 1 => {
                git(r, &["reset", "-q", "--soft", "HEAD~1"]);
                commits -= 1;
            }
            _ => {
                git(r, &["repack", "-q", "-a", "-d"]);
            }
        }
        git(r, &["add", "-A"]);
        agree(r, true, &format!("step {step}"));
    }
}

/// Paths of 4,095 bytes or more do not fit the index's 12-bit length field; git writes 0xFFF
/// and ends the path with NUL. Such entries can only be made with `update-index --cacheinfo`.
#[test]
fn paths_longer_than_the_length_field() {
    let d = init();
    let r = d.path();
    write(r, "a.md", "short\n");
    git(r, &["add", "-A"]);
    git(r, &["commit", "-q", "-m", "one"]);
    let blob = String::from_utf8(git(r, &["hash-object", "-w", "a.md"])).unwrap();
    let long: String = (0..22).map(|i| format!("{i:0>199}/")).collect::<String>() + "leaf.md";
    assert!(long.len() > 4095);
    let info = format!("100644,{},{long}", blob.trim());
    git(r, &["update-index", "--add", "--cacheinfo", &info]);
    let got = by_reader(r).expect("answers");
    assert_eq!(got, vec![('A', long.clone())]);
    assert_eq!(got, by_git(r));
    let repo = Repo::open(r).unwrap();
    assert_eq!(repo.blob(&long), Some(Some(b"short\n".to_vec())));
}
