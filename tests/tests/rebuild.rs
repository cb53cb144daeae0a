//! Editing a spec file that `#[syscall_bridge(targets = "...")]` read makes
//! cargo rebuild the user's crate; building again without an edit does not.
//!
//! Host only: it drives cargo itself on a scratch crate. It checks what the
//! macro tells cargo, which does not depend on the target being tested.
#![cfg(all(target_os = "linux", target_arch = "x86_64"))]

use std::path::{Path, PathBuf};
use std::process::Command;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

fn build(dir: &Path) -> String {
    let out = Command::new(env!("CARGO"))
        .args(["build", "--offline", "-v"])
        .current_dir(dir)
        .env(
            "CARGO_TARGET_DIR",
            repo().join("target").join("rebuild-probe"),
        )
        .env_remove("RUSTFLAGS")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "probe build failed:\n{err}");
    err
}

fn compiled_probe(log: &str) -> bool {
    log.lines()
        .any(|l| l.contains("Running") && l.contains("--crate-name rebuild_probe"))
}

#[test]
fn editing_a_user_spec_rebuilds_the_crate() {
    let dir = std::env::temp_dir().join(format!("abi-bridge-rebuild-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("src")).unwrap();
    std::fs::create_dir_all(dir.join("specs")).unwrap();
    let runtime = repo().join("abi-runtime");
    std::fs::write(
        dir.join("Cargo.toml"),
        format!(
            "[package]\nname = \"rebuild-probe\"\nversion = \"0.0.0\"\nedition = \"2024\"\n\n[dependencies]\nabi-runtime = {{ path = {:?} }}\n\n[workspace]\n",
            runtime.display().to_string()
        ),
    )
    .unwrap();
    std::fs::copy(repo().join("Cargo.lock"), dir.join("Cargo.lock")).unwrap();
    std::fs::write(
        dir.join("src/lib.rs"),
        "#[abi_runtime::syscall_bridge(targets = \"specs\")]\npub unsafe fn getpid() -> usize;\n",
    )
    .unwrap();
    // An extra target that never matches this host, so only the probe's own
    // file changes between builds.
    let spec = std::fs::read_to_string(repo().join("targets/linux-x86_64.toml"))
        .unwrap()
        .replace("target_os = \"linux\"", "target_os = \"abi-probe\"");
    let spec_path = dir.join("specs/probe-x86_64.toml");
    std::fs::write(&spec_path, &spec).unwrap();

    build(&dir);
    assert!(
        !compiled_probe(&build(&dir)),
        "a build without edits recompiled the crate"
    );
    std::fs::write(
        &spec_path,
        spec.replace("getpid = { nr = 39", "getpid = { nr = 1039"),
    )
    .unwrap();
    assert!(
        compiled_probe(&build(&dir)),
        "editing the spec file did not recompile the crate"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
