//! Compile-fail UI tests of `#[syscall_bridge]`: one case per compile error the
//! macro promises (`tests/ui/*.rs`, each with its expected `.stderr`), and
//! programs that must build and run (`tests/ui/pass/*.rs`).
//!
//! Regenerate the `.stderr` files with `TRYBUILD=overwrite cargo test -p
//! abi-tests --test ui`, then read the diff: each message must say what is
//! wrong on the span the user wrote.
// Host only: these check what the macro emits, which does not depend on the target.
#![cfg(all(target_os = "linux", target_arch = "x86_64"))]

use std::path::{Path, PathBuf};

#[test]
#[cfg_attr(
    not(target_os = "linux"),
    ignore = "the cases use the built-in Linux specs and run Linux calls"
)]
fn ui() {
    check_spec_fixture_paths();
    let t = trybuild::TestCases::new();
    t.compile_fail("ui/*.rs");
    t.pass("ui/pass/*.rs");
}

/// The `targets = "..."` cases name their fixture folders relative to
/// CARGO_MANIFEST_DIR, as the macro resolves them. trybuild builds each case
/// inside a project it generates at `<target-dir>/tests/trybuild/abi-tests/`,
/// so that folder is CARGO_MANIFEST_DIR there, not `tests/`: the cases climb
/// out of it with `../../../../tests/ui/specs/<name>`, which lands in this
/// crate when the target dir is `<workspace>/target` (cargo's default). Fail
/// with an explanation, rather than with confusing diffs, if it is elsewhere.
fn check_spec_fixture_paths() {
    // CARGO_TARGET_TMPDIR is `<target-dir>/tmp`, the same target dir that
    // trybuild takes from `cargo metadata`.
    let target_dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .expect("CARGO_TARGET_TMPDIR has a parent");
    let project = target_dir.join("tests/trybuild/abi-tests");
    let climbed = lexical_parent(&project, 4);
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ is inside the workspace");
    let same = |a: &Path, b: &Path| match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    };
    assert!(
        same(&climbed, workspace),
        "the UI cases with `targets = \"../../../../tests/ui/specs/...\"` expect the target dir \
         at {}, but it is {}; run the UI tests without CARGO_TARGET_DIR / build.target-dir",
        workspace.join("target").display(),
        target_dir.display(),
    );
}

/// `path` with `n` trailing components removed, without touching the file system.
fn lexical_parent(path: &Path, n: usize) -> PathBuf {
    let mut p = path.to_path_buf();
    for _ in 0..n {
        p.pop();
    }
    p
}
