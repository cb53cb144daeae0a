//! `cargo xtask import-wasi`: writes every function of wasi-libc's
//! `wasi/api.h` (the WASI preview 1 API) into the call table of an
//! import-kind spec (`targets/wasi-wasm32.toml`), through bindgen.
//!
//! Each `__wasi_<name>` prototype becomes `<name> = { args = [...], results = [...] }`:
//! - a `const char *` parameter is a string: its address and its length
//!   (`path: ptr`, `path_len: usize`), as the import takes them;
//! - a trailing `retptrN` out-pointer to an integer is a result, named after
//!   its type (`__wasi_size_t *` → `size: usize`); one to a struct stays an
//!   argument (`filestat: mut_ptr`) for the caller to point at its buffer;
//! - `_Noreturn` (`proc_exit`) is `noreturn = true`.
//!
//! Entries already in the table keep their line as written (their argument
//! and result names are chosen by hand); new ones are appended, by name.

use std::path::{Path, PathBuf};

use abi_spec::model::{ConvKind, Target};

use crate::cheaders::{CType, Function};
use crate::import;

/// The prefix of the API's functions in `wasi/api.h`.
const PREFIX: &str = "__wasi_";

/// What an import run did.
#[derive(Debug, Default)]
pub(crate) struct Report {
    /// Calls kept as written.
    pub(crate) kept: usize,
    /// Calls added.
    pub(crate) added: Vec<String>,
}

/// The name of a value spelt with type `ty` (`__wasi_filesize_t` → `filesize`).
fn value_name(ty: Option<&str>, fallback: &str) -> String {
    ty.map(|t| {
        t.trim_start_matches(PREFIX)
            .trim_end_matches("_t")
            .to_owned()
    })
    .filter(|n| !n.is_empty() && !n.starts_with("c_"))
    .unwrap_or_else(|| fallback.to_owned())
}

/// The table line of function `name` (without the prefix).
pub(crate) fn entry(name: &str, f: &Function) -> Result<String, String> {
    let mut args = Vec::new();
    let mut results = Vec::new();
    for (i, p) in f.params.iter().enumerate() {
        let pname = p.name.clone().unwrap_or_else(|| format!("arg{i}"));
        if pname.starts_with("retptr") {
            match &p.pointee {
                Some((ty @ CType::Int { .. }, spelt)) => {
                    let kind = ty.kind().ok_or_else(|| {
                        format!("`{name}`: result {pname} points to {ty}, which fits no kind")
                    })?;
                    let rname = value_name(spelt.as_deref(), &pname);
                    results.push(format!("{rname}: {}", kind.as_str()));
                }
                Some((_, spelt)) => {
                    args.push(format!("{}: mut_ptr", value_name(spelt.as_deref(), &pname)));
                }
                None => return Err(format!("`{name}`: {pname} is no pointer")),
            }
            continue;
        }
        if let CType::Ptr {
            konst: true,
            to_char: true,
        } = p.ty
        {
            args.push(format!("{pname}: ptr"));
            args.push(format!("{pname}_len: usize"));
            continue;
        }
        let kind = p.ty.kind().ok_or_else(|| {
            format!(
                "`{name}`: parameter {pname} has type {}, which fits no kind",
                p.ty
            )
        })?;
        args.push(format!("{pname}: {}", kind.as_str()));
    }
    let quote = |v: &[String]| {
        v.iter()
            .map(|a| format!("\"{a}\""))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut line = format!("{name} = {{ args = [{}]", quote(&args));
    if !results.is_empty() {
        line += &format!(", results = [{}]", quote(&results));
    }
    if f.noreturn {
        line += ", noreturn = true";
    }
    Ok(line + " }")
}

/// Rewrites the call table of `text` (spec `t`) with every function of `items`.
fn rewrite(
    text: &str,
    t: &Target,
    functions: &std::collections::BTreeMap<String, Function>,
) -> Result<(String, Report), String> {
    let mut report = Report::default();
    let mut lines = Vec::new();
    for (full, f) in functions {
        let Some(name) = full.strip_prefix(PREFIX) else {
            continue;
        };
        if t.calls.iter().any(|c| c.symbol == name) || t.excluded.iter().any(|e| e.name == name) {
            report.kept += usize::from(t.calls.iter().any(|c| c.symbol == name));
            continue;
        }
        lines.push(entry(name, f)?);
        report.added.push(name.to_owned());
    }
    Ok((import::append_to_section(text, "calls", &lines)?, report))
}

/// Imports the table of import-kind spec `name` in folder `dir`.
pub(crate) fn import(dir: &Path, name: &str) -> Result<Report, String> {
    let (t, path) = import::load_target(dir, name)?;
    if t.syscall.kind != ConvKind::Import {
        return Err(format!(
            "{}: `{name}` is no import-kind target (`[syscall] kind = \"import\"`)",
            path.display()
        ));
    }
    let items = crate::verify::read_headers(&t, &format!("^{PREFIX}.*"), true)?;
    if items.functions.is_empty() {
        return Err(format!(
            "no `{PREFIX}*` functions in {}",
            t.provenance.headers.join(", ")
        ));
    }
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let (new, report) = rewrite(&text, &t, &items.functions)?;
    import::check_loads(dir, name, &path, &new)?;
    std::fs::write(&path, new).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(report)
}

pub(crate) fn run(args: &[String]) -> Result<(), String> {
    let mut dir = crate::legs::targets_dir();
    let mut target = "wasi-wasm32".to_owned();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--targets" => dir = PathBuf::from(it.next().ok_or("--targets needs a folder")?),
            "--target" => target = it.next().ok_or("--target needs a spec name")?.clone(),
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    let r = import(&dir, &target)?;
    println!(
        "{target}: kept {} calls, added {}{}",
        r.kept,
        r.added.len(),
        if r.added.is_empty() {
            String::new()
        } else {
            format!(" ({})", r.added.join(", "))
        }
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn import_restores_what_a_table_lacks() {
        let spec =
            std::fs::read_to_string(crate::legs::targets_dir().join("wasi-wasm32.toml")).unwrap();
        let full = spec.lines().filter(|l| l.contains("= { args")).count();
        // Without fd_readdir (a result through an integer out-pointer),
        // path_symlink (two strings), fd_filestat_get (a struct out-pointer)
        // and proc_exit (noreturn).
        let drop = [
            "fd_readdir = ",
            "path_symlink = ",
            "fd_filestat_get = ",
            "proc_exit = ",
        ];
        let cut: String = spec
            .lines()
            .filter(|l| !drop.iter().any(|d| l.starts_with(d)))
            .map(|l| format!("{l}\n"))
            .collect();
        let dir = crate::import::tests::spec_folder("import-wasi", &[("wasi-wasm32", cut)]);
        let r = import(&dir, "wasi-wasm32").unwrap();
        assert_eq!(r.kept, full - drop.len());
        assert_eq!(
            r.added,
            ["fd_filestat_get", "fd_readdir", "path_symlink", "proc_exit"]
        );
        let text = std::fs::read_to_string(dir.join("wasi-wasm32.toml")).unwrap();
        for line in [
            "fd_filestat_get = { args = [\"fd: i32\", \"filestat: mut_ptr\"] }\n",
            "fd_readdir = { args = [\"fd: i32\", \"buf: mut_ptr\", \"buf_len: u32\", \"cookie: u64\"], results = [\"size: u32\"] }\n",
            "path_symlink = { args = [\"old_path: ptr\", \"old_path_len: usize\", \"fd: i32\", \"new_path: ptr\", \"new_path_len: usize\"] }\n",
            "proc_exit = { args = [\"rval: u32\"], noreturn = true }\n",
        ] {
            assert!(text.contains(line), "{line} in {text}");
        }
        // What it wrote verifies, and importing again changes nothing.
        let files = abi_spec::read_dir(&dir, "targets").unwrap();
        let specs = abi_spec::load(&files).unwrap();
        let o = crate::verify::verify(
            specs.target("wasi-wasm32").unwrap(),
            &crate::ksource::SourceChoice::default(),
        )
        .unwrap();
        assert!(o.mismatches.is_empty(), "{:?}", o.mismatches);
        let constants = specs.target("wasi-wasm32").unwrap().constants.len();
        assert_eq!(o.checked, full + constants);
        let again = import(&dir, "wasi-wasm32").unwrap();
        assert!(again.added.is_empty());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn only_import_targets_are_imported() {
        let err = import(&crate::legs::targets_dir(), "linux-x86_64").unwrap_err();
        assert!(err.contains("is no import-kind target"), "{err}");
    }
}
