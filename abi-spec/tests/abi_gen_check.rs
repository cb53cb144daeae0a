//! `abi-gen check DIR` reads DIR beside the built-in files, as the macro does:
//! a user's folder may lean on the built-in arch, ABI and errno files.

use std::path::{Path, PathBuf};
use std::process::Command;

fn check(dir: &Path) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_abi-gen"))
        .arg("check")
        .arg(dir)
        .output()
        .unwrap();
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    (out.status.success(), text)
}

fn folder(tag: &str, files: &[(&str, String)]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("abi-gen-check-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    for (name, text) in files {
        let p = dir.join(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    dir
}

fn builtin_text(rel: &str) -> String {
    std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("targets")
            .join(rel),
    )
    .unwrap()
}

#[test]
fn a_port_using_builtin_arch_abi_and_errno_checks() {
    // A target of its own on the built-in x86_64/sysv/linux files.
    let port =
        builtin_text("linux-x86_64.toml").replace("target_os = \"linux\"", "target_os = \"none\"");
    let dir = folder("port", &[("none-x86_64.toml", port)]);
    let (ok, out) = check(&dir);
    assert!(ok, "{out}");
    assert!(out.contains("checked 1 files"), "{out}");
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn an_extension_file_checks_and_a_clash_is_reported() {
    let ext = "format = 1\nextends = \"linux-x86_64\"\n[calls]\nnewer = { nr = 1001, args = [\"fd: fd\"] }\n";
    let dir = folder("ext", &[("newer.toml", ext.to_owned())]);
    let (ok, out) = check(&dir);
    assert!(ok, "{out}");
    std::fs::write(dir.join("newer.toml"), ext.replace("newer", "write")).unwrap();
    let (ok, out) = check(&dir);
    assert!(!ok);
    assert!(
        out.contains("call `write` is already in linux-x86_64 at targets/linux-x86_64.toml:"),
        "{out}"
    );
    assert!(out.contains("newer.toml:4:1"), "{out}");
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn the_builtin_folder_itself_checks() {
    let (ok, out) = check(&Path::new(env!("CARGO_MANIFEST_DIR")).join("targets"));
    assert!(ok, "{out}");
}

#[test]
fn a_copy_of_a_builtin_target_is_reported_as_defined_twice() {
    // Not the same text: a second definition, as the macro would see it.
    let copy = builtin_text("linux-x86_64.toml") + "\n# edited\n";
    let dir = folder("twice", &[("linux-x86_64.toml", copy)]);
    let (ok, out) = check(&dir);
    assert!(!ok);
    assert!(
        out.contains("target `linux-x86_64` is defined twice"),
        "{out}"
    );
    std::fs::remove_dir_all(dir).unwrap();
}
