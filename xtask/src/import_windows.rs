//! `cargo xtask import-windows --dll DLL [--fails CONV] NAME...`: writes the
//! named functions of a DLL into the call table of a call-kind spec
//! (`targets/windows-x86_64.toml`), their parameters, return type and
//! `noreturn` from the mingw-w64 headers its `[provenance]` names, through
//! bindgen (`__attribute__((noreturn))` is seen without attribute detection,
//! which is slow on windows.h). What the headers cannot say is written by
//! hand: how a function reports failure (`--fails`, else the spec's
//! default), checked by the loader before anything is written.
//!
//! Parameter names lose their Hungarian prefix and become snake case
//! (`lpFileName` → `file_name`). Functions already in the table keep their
//! line as written; verify-specs checks them against the same headers.

use std::path::{Path, PathBuf};

use abi_spec::model::{ConvKind, Target};

use crate::cheaders::{CType, Function};
use crate::import;

/// What an import run did.
#[derive(Debug, Default)]
pub(crate) struct Report {
    /// Functions already in the table, kept as written.
    pub(crate) kept: Vec<String>,
    /// Functions added.
    pub(crate) added: Vec<String>,
}

/// `lpFileName` → `file_name`, `hObject` → `object`, `dwFlags` → `flags`.
pub(crate) fn param_name(name: &str) -> String {
    let prefix = name.bytes().take_while(u8::is_ascii_lowercase).count();
    let rest = if prefix < name.len() && prefix <= 4 {
        &name[prefix..]
    } else {
        name
    };
    let mut out = String::new();
    let chars: Vec<char> = rest.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if c.is_ascii_uppercase() {
            let prev_lower = i > 0 && !chars[i - 1].is_ascii_uppercase();
            let next_lower = chars.get(i + 1).is_some_and(char::is_ascii_lowercase);
            if i > 0 && (prev_lower || next_lower) && !out.ends_with('_') {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    if out.is_empty() {
        name.to_ascii_lowercase()
    } else {
        out
    }
}

/// The table line of `name` exported by `dll`.
pub(crate) fn entry(
    name: &str,
    dll: &str,
    f: &Function,
    fails: Option<&str>,
) -> Result<String, String> {
    let mut args = Vec::new();
    for (i, p) in f.params.iter().enumerate() {
        let kind = p.ty.kind().ok_or_else(|| {
            format!(
                "`{name}`: parameter {i} has type {}, which fits no kind: write its entry by hand",
                p.ty
            )
        })?;
        let pname = p
            .name
            .as_deref()
            .map_or_else(|| format!("arg{i}"), param_name);
        args.push(format!("\"{pname}: {}\"", kind.as_str()));
    }
    let mut line = format!("{name} = {{ dll = \"{dll}\", args = [{}]", args.join(", "));
    match (&f.ret, f.noreturn) {
        (_, true) => line += ", noreturn = true",
        (None, false) => {}
        // Handles and other pointers, as the hand-written entries spell them.
        (Some(CType::Ptr { .. } | CType::FnPtr), false) => line += ", ret = \"ptr\"",
        (Some(ty), false) => {
            let kind = ty
                .kind()
                .ok_or_else(|| format!("`{name}` returns {ty}, which fits no kind"))?;
            line += &format!(", ret = \"{}\"", kind.as_str());
        }
    }
    if let Some(fails) = fails {
        line += &format!(", fails = \"{fails}\"");
    }
    Ok(line + " }")
}

/// Imports `names` of `dll` into the call-kind spec `target` in `dir`.
pub(crate) fn import(
    dir: &Path,
    target: &str,
    dll: &str,
    names: &[String],
    fails: Option<&str>,
) -> Result<Report, String> {
    let (t, path): (Target, PathBuf) = import::load_target(dir, target)?;
    if t.syscall.kind != ConvKind::Call {
        return Err(format!(
            "{}: `{target}` is no call-kind target (`[syscall] kind = \"call\"`)",
            path.display()
        ));
    }
    if names.is_empty() {
        return Err("name the functions to import".to_owned());
    }
    let pattern = format!("^({})$", names.join("|"));
    let items = crate::verify::read_headers(&t, &pattern, false)?;
    let missing: Vec<&String> = names
        .iter()
        .filter(|n| !items.functions.contains_key(*n))
        .collect();
    if !missing.is_empty() {
        return Err(format!(
            "the headers ({}) declare no {}: check the names (the W or A suffix too)",
            t.provenance.headers.join(", "),
            missing
                .iter()
                .map(|n| format!("`{n}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    let mut report = Report::default();
    let mut lines = Vec::new();
    for n in names {
        if t.calls.iter().any(|c| &c.symbol == n) {
            report.kept.push(n.clone());
            continue;
        }
        lines.push(entry(n, dll, &items.functions[n], fails)?);
        report.added.push(n.clone());
    }
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let new = import::append_to_section(&text, "calls", &lines)?;
    import::check_loads(dir, target, &path, &new)?;
    std::fs::write(&path, new).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(report)
}

pub(crate) fn run(args: &[String]) -> Result<(), String> {
    let mut dir = crate::legs::targets_dir();
    let mut target = "windows-x86_64".to_owned();
    let mut dll = None;
    let mut fails = None;
    let mut names = Vec::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--targets" => dir = PathBuf::from(it.next().ok_or("--targets needs a folder")?),
            "--target" => target = it.next().ok_or("--target needs a spec name")?.clone(),
            "--dll" => dll = Some(it.next().ok_or("--dll needs a name")?.clone()),
            "--fails" => fails = Some(it.next().ok_or("--fails needs a convention")?.clone()),
            other if other.starts_with("--") => return Err(format!("unknown argument `{other}`")),
            name => names.push(name.to_owned()),
        }
    }
    let dll = dll.ok_or(
        "usage: cargo xtask import-windows --dll DLL [--fails CONV] [--target NAME] NAME...",
    )?;
    let r = import(&dir, &target, &dll, &names, fails.as_deref())?;
    println!(
        "{target}: added {}{}; kept as written: {}",
        r.added.len(),
        if r.added.is_empty() {
            String::new()
        } else {
            format!(" ({})", r.added.join(", "))
        },
        if r.kept.is_empty() {
            "none".to_owned()
        } else {
            r.kept.join(", ")
        }
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hungarian_names_become_snake_case() {
        assert_eq!(param_name("lpFileName"), "file_name");
        assert_eq!(param_name("hObject"), "object");
        assert_eq!(param_name("dwMilliseconds"), "milliseconds");
        assert_eq!(
            param_name("nNumberOfBytesToRead"),
            "number_of_bytes_to_read"
        );
        assert_eq!(param_name("lpSRWLock"), "srw_lock");
        assert_eq!(param_name("size"), "size");
    }

    #[test]
    fn functions_come_from_the_mingw_headers() {
        let spec = std::fs::read_to_string(crate::legs::targets_dir().join("windows-x86_64.toml"))
            .unwrap();
        let dir = crate::import::tests::spec_folder("import-windows", &[("windows-x86_64", spec)]);
        let names = |n: &[&str]| n.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        // A void function needs its failure convention by hand: without it the
        // loader refuses the entry, and nothing is written.
        let before = std::fs::read_to_string(dir.join("windows-x86_64.toml")).unwrap();
        let err = import(
            &dir,
            "windows-x86_64",
            "kernel32",
            &names(&["InitializeCriticalSection"]),
            None,
        )
        .unwrap_err();
        assert!(err.contains("does not load"), "{err}");
        assert_eq!(
            std::fs::read_to_string(dir.join("windows-x86_64.toml")).unwrap(),
            before
        );
        let r = import(
            &dir,
            "windows-x86_64",
            "kernel32",
            &names(&["InitializeCriticalSection", "GetTickCount", "CloseHandle"]),
            Some("never"),
        )
        .unwrap();
        assert_eq!(r.added, ["InitializeCriticalSection", "GetTickCount"]);
        assert_eq!(r.kept, ["CloseHandle"]);
        let text = std::fs::read_to_string(dir.join("windows-x86_64.toml")).unwrap();
        for line in [
            "InitializeCriticalSection = { dll = \"kernel32\", args = [\"critical_section: mut_ptr\"], fails = \"never\" }\n",
            "GetTickCount = { dll = \"kernel32\", args = [], ret = \"u32\", fails = \"never\" }\n",
        ] {
            assert!(text.contains(line), "{line} in {text}");
        }
        let err = import(
            &dir,
            "windows-x86_64",
            "kernel32",
            &["NoSuchFunction".to_owned()],
            None,
        )
        .unwrap_err();
        assert!(err.contains("declare no `NoSuchFunction`"), "{err}");
        // What it wrote verifies.
        let files = abi_spec::read_dir(&dir, "targets").unwrap();
        let specs = abi_spec::load(&files).unwrap();
        let o = crate::verify::verify(
            specs.target("windows-x86_64").unwrap(),
            &crate::ksource::SourceChoice::default(),
        )
        .unwrap();
        assert!(o.mismatches.is_empty(), "{:?}", o.mismatches);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
