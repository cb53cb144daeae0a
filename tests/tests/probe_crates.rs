//! What a user crate sees, checked by building scratch crates with cargo:
//! editing a spec file that `#[syscall_bridge(targets = "...")]` read rebuilds
//! the crate (and nothing else does); a target no spec covers is a compile
//! error naming it; a `#![no_std]` crate for a bare-metal target builds once a
//! spec covers it.
//!
//! Host only: these drive cargo on the host. They check what the macro emits,
//! which does not depend on the target the suite runs on.
#![cfg(all(target_os = "linux", target_arch = "x86_64"))]

use std::path::{Path, PathBuf};
use std::process::Command;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// Runs `cargo <args>` in `dir`; returns (success, stderr).
fn cargo(dir: &Path, args: &[&str]) -> (bool, String) {
    // `--offline` goes right after the subcommand, before any `--` for rustc.
    let out = Command::new(env!("CARGO"))
        .args(&args[..1])
        .arg("--offline")
        .args(&args[1..])
        .current_dir(dir)
        .env(
            "CARGO_TARGET_DIR",
            repo().join("target").join("probe-crates"),
        )
        .env_remove("RUSTFLAGS")
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn build(dir: &Path) -> String {
    let (ok, err) = cargo(dir, &["build", "-v"]);
    assert!(ok, "probe build failed:\n{err}");
    err
}

/// A scratch crate depending on abi-runtime, with `lib` as its src/lib.rs and
/// `specs` as files of its specs/ folder.
fn probe_crate(tag: &str, lib: &str, specs: &[(&str, String)]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("abi-bridge-{tag}-{}", std::process::id()));
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
    std::fs::copy(
        repo().join("rust-toolchain.toml"),
        dir.join("rust-toolchain.toml"),
    )
    .unwrap();
    std::fs::write(dir.join("src/lib.rs"), lib).unwrap();
    for (name, text) in specs {
        std::fs::write(dir.join("specs").join(name), text).unwrap();
    }
    dir
}

/// The x86_64 Linux spec with another `target_os`.
fn x86_64_spec_for_os(os: &str) -> String {
    std::fs::read_to_string(repo().join("targets/linux-x86_64.toml"))
        .unwrap()
        .replace("target_os = \"linux\"", &format!("target_os = \"{os}\""))
}

fn compiled_probe(log: &str) -> bool {
    log.lines()
        .any(|l| l.contains("Running") && l.contains("--crate-name rebuild_probe"))
}

#[test]
fn editing_a_user_spec_rebuilds_the_crate() {
    // An extra target that never matches this host, so only the probe's own
    // file changes between builds.
    let spec = x86_64_spec_for_os("abi-probe");
    let lib =
        "#[abi_runtime::syscall_bridge(targets = \"specs\")]\npub unsafe fn getpid() -> usize;\n";
    let dir = probe_crate("rebuild", lib, &[("probe-x86_64.toml", spec.clone())]);
    build(&dir);
    assert!(
        !compiled_probe(&build(&dir)),
        "a build without edits recompiled the crate"
    );
    let spec_path = dir.join("specs/probe-x86_64.toml");
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

#[test]
fn uncovered_target_is_a_compile_error_naming_it() {
    let lib = "#![no_std]\n#[abi_runtime::syscall_bridge]\npub unsafe fn getpid() -> usize;\n";
    let dir = probe_crate("uncovered", lib, &[]);
    let (ok, err) = cargo(&dir, &["check", "--target", "x86_64-unknown-none"]);
    assert!(!ok, "an uncovered target compiled");
    assert!(
        err.contains("no spec for this target (target_os = \"none\")"),
        "{err}"
    );
    assert!(
        err.contains("no spec for this target (target_arch = \"x86_64\")"),
        "{err}"
    );
    assert!(err.contains("add targets/<os>-<arch>.toml"), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn no_std_crate_builds_for_a_bare_metal_target_with_its_own_spec() {
    let lib = "#![no_std]\n\
        use abi_runtime::{syscall_bridge, Errno};\n\
        #[syscall_bridge(targets = \"specs\")]\n\
        mod sys {\n\
            use abi_runtime::Errno;\n\
            pub unsafe fn write(fd: i32, buf: *const u8, len: usize) -> Result<usize, Errno>;\n\
            pub unsafe fn exit_group(status: i32) -> !;\n\
        }\n\
        pub fn hello() -> Result<usize, Errno> { unsafe { sys::write(1, b\"hi\".as_ptr(), 2) } }\n\
        pub fn bye() -> ! { unsafe { sys::exit_group(0) } }\n";
    let dir = probe_crate(
        "nostd",
        lib,
        &[("none-x86_64.toml", x86_64_spec_for_os("none"))],
    );
    let (ok, err) = cargo(&dir, &["build", "--target", "x86_64-unknown-none"]);
    assert!(ok, "no_std build failed:\n{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The body of function `name` in rustc's assembly output: its lines up to the
/// end-of-function label, without labels, which carry the name.
fn asm_body(asm: &str, name: &str) -> Vec<String> {
    let start = asm
        .lines()
        .position(|l| l == format!("{name}:"))
        .unwrap_or_else(|| panic!("no {name} in:\n{asm}"));
    asm.lines()
        .skip(start + 1)
        .take_while(|l| !l.starts_with(".Lfunc_end"))
        .filter(|l| !l.ends_with(':') && !l.trim_start().starts_with(".cfi"))
        .map(str::to_owned)
        .collect()
}

#[test]
fn stubs_compile_to_the_same_code_as_hand_written_asm() {
    // Without the `trace` feature the bridged stub is byte for byte the
    // hand-written one, decoding included.
    let lib = r#"
#[abi_runtime::syscall_bridge]
unsafe fn mmap(a: *mut u8, len: usize, prot: i32, flags: i32, fd: i32, off: i64) -> Result<usize, abi_runtime::Errno>;

#[unsafe(no_mangle)]
pub unsafe extern "C" fn bridged(a: *mut u8, len: usize, prot: i32, flags: i32, fd: i32, off: i64) -> isize {
    match unsafe { mmap(a, len, prot, flags, fd, off) } {
        Ok(p) => p as isize,
        Err(e) => -(e.raw() as isize),
    }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn by_hand(a: *mut u8, len: usize, prot: i32, flags: i32, fd: i32, off: i64) -> isize {
    let r: usize;
    unsafe {
        core::arch::asm!("syscall", inlateout("rax") 9usize => r, in("rdi") a, in("rsi") len,
            in("rdx") prot as isize as usize, in("r10") flags as isize as usize, in("r8") fd as isize as usize,
            in("r9") off as usize, lateout("rcx") _, lateout("r11") _, options(nostack, preserves_flags));
    }
    if r > -4096isize as usize { -(r.wrapping_neg() as i32 as isize) } else { r as isize }
}
"#;
    let dir = probe_crate("same-code", lib, &[]);
    let (ok, err) = cargo(
        &dir,
        &[
            "rustc",
            "--release",
            "--lib",
            "--",
            "--emit",
            "asm",
            "-C",
            "codegen-units=1",
        ],
    );
    assert!(ok, "{err}");
    let asm_dir = repo().join("target/probe-crates/release/deps");
    let asm_file = std::fs::read_dir(&asm_dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.extension().is_some_and(|x| x == "s") && p.to_string_lossy().contains("rebuild_probe")
        })
        .max_by_key(|p| p.metadata().and_then(|m| m.modified()).ok())
        .expect("an .s file");
    let asm = std::fs::read_to_string(asm_file).unwrap();
    let (bridged, by_hand) = (asm_body(&asm, "bridged"), asm_body(&asm, "by_hand"));
    assert!(!bridged.is_empty());
    assert_eq!(bridged, by_hand, "bridged and hand-written code differ");
    std::fs::remove_dir_all(&dir).unwrap();
}
