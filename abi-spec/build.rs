//! Embeds every spec file under `targets/` (in this crate's folder: a link to
//! the repository's `targets/` in a checkout, a copy in the published package)
//! so the macro and the CLI need no file system access for the built-in
//! targets. Adding a file is enough: the folder is watched, and `include_str!`
//! tracks each file's contents. A missing or empty folder is a build error:
//! a crate without its built-in targets would generate nothing.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn main() {
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let root = manifest.join("targets");
    let mut files = Vec::new();
    if let Err(e) = collect(&root, &root, &mut files) {
        fail(&root, &format!("cannot read it: {e}"));
    }
    if !files.iter().any(|(rel, _)| !rel.contains('/')) {
        fail(&root, "it holds no target spec (`<os>-<arch>.toml`)");
    }
    files.sort();
    let mut out =
        String::from("/// Built-in spec files: (path relative to `targets/`, contents).\n");
    out.push_str("pub(crate) static BUILTIN_FILES: &[(&str, &str)] = &[\n");
    for (rel, abs) in &files {
        writeln!(out, "    ({rel:?}, include_str!({abs:?})),").expect("write to String");
    }
    out.push_str("];\n");
    let dest = PathBuf::from(std::env::var_os("OUT_DIR").expect("set by cargo")).join("builtin.rs");
    std::fs::write(dest, out).expect("write OUT_DIR/builtin.rs");
}

/// Stops the build with a message saying what is wrong and how to fix it.
fn fail(root: &Path, why: &str) -> ! {
    eprintln!(
        "error: abi-spec's built-in spec folder `{}`: {why}\n\
         help: in a checkout, `abi-spec/targets` is a symbolic link to `../targets` \
         (enable symbolic links in git: `git config core.symlinks true`, then check it out again); \
         a package from a registry carries the files itself",
        root.display()
    );
    std::process::exit(1);
}

fn collect(root: &Path, dir: &Path, files: &mut Vec<(String, String)>) -> std::io::Result<()> {
    println!("cargo::rerun-if-changed={}", dir.display());
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            collect(root, &path, files)?;
        } else if path.extension().is_some_and(|e| e == "toml") {
            let rel = path
                .strip_prefix(root)
                .expect("below root")
                .to_string_lossy()
                .replace('\\', "/");
            let abs = path.to_string_lossy().into_owned();
            files.push((rel, abs));
        }
    }
    Ok(())
}
