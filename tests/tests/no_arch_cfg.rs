//! Per-arch knowledge lives in the spec files: the own code of abi-runtime,
//! abi-macros and abi-spec (sources and build scripts) never selects code by
//! an arch's name. Generated code may carry `target_arch` cfgs, but only with
//! the value taken from a spec (`target_arch = #arch` in a `quote!`), never a
//! literal one. Banned, outside comments:
//!
//! - `target_arch = "..."` with a literal value: `#[cfg]`, `cfg!`,
//!   `cfg_attr` or a `quote!` that writes one;
//! - `CARGO_CFG_TARGET_ARCH`: a build script reading the arch being built;
//! - `consts::ARCH`: code branching on the arch it runs on.

use std::path::{Path, PathBuf};

/// The code of a line without its `//` comment (strings are kept: a `//`
/// inside a string literal does not start a comment).
fn code_of(line: &str) -> &str {
    let bytes = line.as_bytes();
    let (mut in_str, mut escaped) = (false, false);
    for i in 0..bytes.len() {
        let b = bytes[i];
        if in_str {
            match (escaped, b) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_str = false,
                _ => {}
            }
        } else if b == b'"' {
            in_str = true;
        } else if b == b'/' && bytes.get(i + 1) == Some(&b'/') {
            return &line[..i];
        }
    }
    line
}

/// Whether `code` writes `target_arch = "` with an unescaped quote.
fn literal_arch_cfg(code: &str) -> bool {
    code.match_indices("target_arch").any(|(i, m)| {
        let rest = code[i + m.len()..].trim_start();
        rest.strip_prefix('=')
            .is_some_and(|r| r.trim_start().starts_with('"'))
    })
}

/// The banned uses in `text`: (1-based line, what).
fn violations(text: &str) -> Vec<(usize, &'static str)> {
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let code = code_of(line);
        if literal_arch_cfg(code) {
            out.push((n + 1, "a literal `target_arch = \"...\"` cfg"));
        }
        if code.contains("CARGO_CFG_TARGET_ARCH") {
            out.push((n + 1, "reads CARGO_CFG_TARGET_ARCH"));
        }
        if code.contains("consts::ARCH") {
            out.push((n + 1, "branches on std::env::consts::ARCH"));
        }
    }
    out
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = e.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|x| x == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn the_three_crates_select_no_code_by_arch_name() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut files = Vec::new();
    for krate in ["abi-runtime", "abi-macros", "abi-spec"] {
        rust_files(&root.join(krate).join("src"), &mut files);
        let build = root.join(krate).join("build.rs");
        if build.exists() {
            files.push(build);
        }
    }
    assert!(files.len() > 20, "found only {} files", files.len());
    let mut found = Vec::new();
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        for (line, what) in violations(&text) {
            found.push(format!("{}:{line}: {what}", f.display()));
        }
    }
    assert!(
        found.is_empty(),
        "per-arch code in the crates' own sources; say it in a spec file instead:\n{}",
        found.join("\n")
    );
}

#[test]
fn the_rule_catches_real_arch_cfgs_and_spares_generated_ones() {
    let banned = [
        "#[cfg(target_arch = \"arm\")]",
        "    if cfg!(target_arch=\"x86\") { return; }",
        "#[cfg(all(target_os = \"linux\", not(target_arch = \"s390x\")))]",
        "#[cfg_attr(target_arch = \"powerpc64\", inline(never))]",
        "quote! { #[cfg(target_arch = \"x86_64\")] fn f() {} }",
        "let a = std::env::var(\"CARGO_CFG_TARGET_ARCH\").unwrap();",
        "if std::env::consts::ARCH == \"x86_64\" {}",
        "let url = \"http://x\"; #[cfg(target_arch = \"arm\")] // not a comment before",
    ];
    for b in banned {
        assert!(!violations(b).is_empty(), "not caught: {b}");
    }
    let allowed = [
        "quote! { #[cfg(all(target_os = #os, target_arch = #arch))] }",
        "/// Selects code with `target_arch = \"x86_64\"` in generated code.",
        "let x = 1; // was #[cfg(target_arch = \"arm\")]",
        "format!(\"`arch = \\\"{}\\\"` but `[cfg] target_arch = \\\"{}\\\"`\", a, b)",
        "let arch = c.string(sink, \"target_arch\", \"\\\"x86_64\\\"\");",
        "#[cfg(target_pointer_width = \"32\")]",
    ];
    for a in allowed {
        assert_eq!(violations(a), [], "wrongly caught: {a}");
    }
}
