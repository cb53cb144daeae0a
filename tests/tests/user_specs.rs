//! A user's own spec files, seen from a user crate built by cargo: an
//! extension file adds a call to a built-in target (`targets = "specs"`), and
//! `ABI_BRIDGE_TARGETS` in `.cargo/config.toml` adds calls or a whole port to
//! the whole build, abi-runtime's own tables included.
//!
//! Host only: these drive cargo on the host (one of them builds for
//! `x86_64-unknown-none`); the extension files extend `linux-x86_64`.
#![cfg(all(target_os = "linux", target_arch = "x86_64"))]

use std::path::{Path, PathBuf};
use std::process::Command;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// `listxattrat` (Linux 6.13), newer than the built-in tables: the call the
/// extensions add. A kernel without it answers ENOSYS, through libc alike.
const LISTXATTRAT: &str = "format = 1\nextends = \"linux-x86_64\"\n[calls]\n\
    listxattrat = { nr = 465, args = [\"dfd: fd\", \"pathname: ptr\", \"at_flags: u32\", \"list: mut_ptr\", \"size: usize\"] }\n";

/// A scratch crate depending on abi-runtime by path: `files` are (path, text).
fn user_crate(tag: &str, files: &[(&str, String)]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("abi-bridge-user-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let runtime = repo().join("abi-runtime");
    let manifest = format!(
        "[package]\nname = \"user-specs\"\nversion = \"0.0.0\"\nedition = \"2024\"\n\n[dependencies]\nabi-runtime = {{ path = {:?} }}\n\n[workspace]\n",
        runtime.display().to_string()
    );
    let mut all = vec![("Cargo.toml", manifest)];
    all.extend(files.iter().cloned());
    for (name, text) in all {
        let path = dir.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    std::fs::copy(repo().join("Cargo.lock"), dir.join("Cargo.lock")).unwrap();
    std::fs::copy(
        repo().join("rust-toolchain.toml"),
        dir.join("rust-toolchain.toml"),
    )
    .unwrap();
    dir
}

/// Runs `cargo <args> --offline` in `dir`; returns (success, stdout, stderr).
fn cargo(dir: &Path, args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO"))
        .args(args)
        .arg("--offline")
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", repo().join("target").join("user-specs"))
        .env_remove("RUSTFLAGS")
        .env_remove("ABI_BRIDGE_TARGETS")
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// libc's answer for `listxattrat(AT_FDCWD, "/", 0, NULL, 0)`.
fn listxattrat_by_libc() -> String {
    // SAFETY: a NUL-terminated path, no buffer (size 0).
    let r = unsafe { libc::syscall(465, libc::AT_FDCWD, c"/".as_ptr(), 0, 0usize, 0usize) };
    if r < 0 {
        format!(
            "err {}",
            std::io::Error::last_os_error().raw_os_error().unwrap()
        )
    } else {
        format!("ok {r}")
    }
}

/// A main that prints `ok N` or `err CODE` for a call of `listxattrat`.
const MAIN_CALLING_LISTXATTRAT: &str = r#"
fn main() {
    // SAFETY: a NUL-terminated path, no buffer (size 0).
    let r = unsafe { sys::listxattrat(-100, c"/".as_ptr().cast(), 0, core::ptr::null_mut(), 0) };
    match r {
        Ok(n) => println!("ok {n}"),
        Err(e) => println!("err {}", e.raw()),
    }
}
"#;

#[test]
fn an_extension_file_adds_a_call_to_a_builtin_target() {
    let main = format!(
        "#[abi_runtime::syscall_bridge(targets = \"specs\")]\nmod sys {{\n    use abi_runtime::Errno;\n    \
         pub unsafe fn listxattrat(dfd: i32, path: *const u8, at_flags: u32, list: *mut u8, size: usize) -> Result<usize, Errno>;\n}}\n{MAIN_CALLING_LISTXATTRAT}"
    );
    let dir = user_crate(
        "extension",
        &[
            ("src/main.rs", main),
            ("specs/newer-calls.toml", LISTXATTRAT.to_owned()),
        ],
    );
    let (ok, out, err) = cargo(&dir, &["run", "--quiet"]);
    assert!(ok, "{err}");
    assert_eq!(out.trim(), listxattrat_by_libc());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn an_extension_clashing_with_a_builtin_call_names_both_lines() {
    let main = "#[abi_runtime::syscall_bridge(targets = \"specs\")]\nunsafe fn getpid() -> i32;\nfn main() {}\n";
    let clash =
        "format = 1\nextends = \"linux-x86_64\"\n[calls]\ngetpid = { nr = 1039, args = [] }\n";
    let dir = user_crate(
        "clash",
        &[
            ("src/main.rs", main.to_owned()),
            ("specs/clash.toml", clash.to_owned()),
        ],
    );
    let (ok, _, err) = cargo(&dir, &["build"]);
    assert!(!ok, "a clashing extension compiled");
    assert!(err.contains("specs/clash.toml:4:1: call `getpid` is already in linux-x86_64 at targets/linux-x86_64.toml:"), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// `.cargo/config.toml` setting ABI_BRIDGE_TARGETS to the crate's `specs/`.
fn env_config() -> (&'static str, String) {
    (
        ".cargo/config.toml",
        "[env]\nABI_BRIDGE_TARGETS = { value = \"specs\", relative = true }\n".to_owned(),
    )
}

#[test]
fn abi_bridge_targets_extends_the_runtimes_own_table() {
    // No `targets = ...` anywhere: the variable reaches abi-runtime's table
    // and the user's declarations alike.
    let main = format!(
        "#[abi_runtime::syscall_bridge]\nmod sys {{\n    use abi_runtime::Errno;\n    \
         pub unsafe fn listxattrat(dfd: i32, path: *const u8, at_flags: u32, list: *mut u8, size: usize) -> Result<usize, Errno>;\n}}\n\
         #[allow(dead_code)]\nfn table() {{ let s = abi_runtime::syscalls::by_name(\"listxattrat\").unwrap(); println!(\"table {{}} {{}}\", s.number(), s.arity()); }}\n{}",
        MAIN_CALLING_LISTXATTRAT.replace("fn main() {", "fn main() {\n    table();")
    );
    let dir = user_crate(
        "env-extension",
        &[
            ("src/main.rs", main),
            ("specs/newer-calls.toml", LISTXATTRAT.to_owned()),
            env_config(),
        ],
    );
    let (ok, out, err) = cargo(&dir, &["run", "--quiet"]);
    assert!(ok, "{err}");
    let mut lines = out.lines();
    assert_eq!(lines.next(), Some("table 465 5"));
    assert_eq!(lines.next().unwrap_or_default(), listxattrat_by_libc());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn abi_bridge_targets_ports_abi_runtime_and_changes_rebuild_it() {
    // A port for a target no built-in spec covers (bare-metal x86_64, with
    // Linux's convention): abi-runtime itself builds for it, with a table.
    let port = std::fs::read_to_string(repo().join("targets/linux-x86_64.toml"))
        .unwrap()
        .replace("target_os = \"linux\"", "target_os = \"none\"");
    let lib = "#![no_std]\n\
        #[abi_runtime::syscall_bridge]\n\
        pub unsafe fn getpid() -> Result<i32, abi_runtime::Errno>;\n\
        pub fn number_of_write() -> usize { abi_runtime::syscalls::by_name(\"write\").unwrap().number() }\n";
    let dir = user_crate(
        "env-port",
        &[
            ("src/lib.rs", lib.to_owned()),
            ("specs/none-x86_64.toml", port.clone()),
            env_config(),
        ],
    );
    let build = |dir: &Path| cargo(dir, &["build", "-v", "--target", "x86_64-unknown-none"]);
    let (ok, _, err) = build(&dir);
    assert!(ok, "the port did not build:\n{err}");
    // Unchanged: nothing is rebuilt.
    let (ok, _, err) = build(&dir);
    assert!(
        ok && !err.contains("Running `"),
        "a build without changes recompiled:\n{err}"
    );
    // An edited port file rebuilds abi-runtime (and sees the edit).
    std::fs::write(
        dir.join("specs/none-x86_64.toml"),
        port.replace("write = { nr = 1,", "write = { nr = 1001,"),
    )
    .unwrap();
    let (ok, _, err) = build(&dir);
    assert!(ok, "{err}");
    assert!(
        err.contains("--crate-name abi_runtime"),
        "editing the port did not rebuild abi-runtime:\n{err}"
    );
    // Without the variable the same crate is not covered: the [env] change
    // alone rebuilds abi-runtime, which now refuses the target.
    std::fs::remove_file(dir.join(".cargo/config.toml")).unwrap();
    let (ok, _, err) = build(&dir);
    assert!(!ok, "built without the port");
    assert!(
        err.contains("--crate-name abi_runtime"),
        "removing the variable did not rebuild abi-runtime:\n{err}"
    );
    assert!(
        err.contains("no spec for this target (target_os = \"none\")"),
        "{err}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
