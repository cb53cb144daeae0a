//! `cargo xtask verify-specs`: every entry of every target spec against the
//! source its `[provenance]` names, read through bindgen:
//!
//! - trap convention (Linux): each call's name and number against the UAPI
//!   header, its argument count against the kernel's prototype where there is
//!   one; every header call in `[calls]` or `[excluded]`; excluded numbers too;
//! - import convention (WASI): module and name against the import list of the
//!   same package (`libc.imports`: `__imported_<module>_<name>`); the wasm
//!   types of the parameters, the results (trailing out-pointers `retptrN`),
//!   the errno return and `noreturn` against the `__wasi_<name>` prototype of
//!   `wasi/api.h`, where a `const char *` string is a pointer and a length;
//! - call convention (Windows): the DLL exports the symbol (its import library
//!   `lib<dll>.a` has `__imp_<symbol>`); parameter count and types, the
//!   return type and `noreturn` against the prototype in the mingw-w64 headers.
//!
//! Prints what it checked per spec and a summary; fails on any mismatch.

use std::collections::BTreeSet;
use std::path::Path;

use abi_spec::model::{ArgKind, Call, ConvKind, Target};

use crate::cheaders::{self, CType, Function, Items};
use crate::import;
use crate::ksource;

/// What verifying one spec found.
#[derive(Debug, Default)]
pub(crate) struct Outcome {
    /// Entries compared with their source (calls and excluded ones).
    pub(crate) checked: usize,
    /// What disagrees, each with the entry's location.
    pub(crate) mismatches: Vec<String>,
    /// Entries that say why they cannot be checked.
    pub(crate) unverified: Vec<String>,
    /// The sources read.
    pub(crate) sources: String,
    /// Worth knowing, not wrong.
    pub(crate) notes: Vec<String>,
}

impl Outcome {
    fn mismatch(&mut self, at: impl std::fmt::Display, what: String) {
        self.mismatches.push(format!("{at}: {what}"));
    }
}

/// Verifies one target; `choice` may name another Linux kernel source than
/// the specs' own.
pub(crate) fn verify(t: &Target, choice: &ksource::SourceChoice) -> Result<Outcome, String> {
    if t.provenance.headers.is_empty() && t.provenance.syscall_table.is_empty() {
        return Err(format!(
            "{}: [provenance] names no `headers` (nor a `syscall_table`) to verify against",
            t.loc.path
        ));
    }
    if t.syscall.kind == ConvKind::Trap {
        let mut out = verify_trap(t, choice)?;
        crate::layouts::verify(t, &mut out)?;
        crate::constants::verify(t, &mut out)?;
        return Ok(out);
    }
    let mut out = match t.syscall.kind {
        ConvKind::Import => verify_import(t)?,
        _ => verify_call(t)?,
    };
    crate::layouts::verify(t, &mut out)?;
    crate::constants::verify(t, &mut out)?;
    let version = cheaders::package_version(&t.provenance.package).unwrap_or_default();
    out.sources = format!(
        "{} ({} {version})",
        t.provenance.headers.join(", "),
        t.provenance.package
    );
    // Another version of the package is no mismatch by itself (Debian's
    // security updates bump it often); what changed in it is checked above.
    if !t.provenance.version.is_empty() && t.provenance.version != version {
        out.notes.push(format!(
            "the table was imported from {} {}; {version} is installed",
            t.provenance.package, t.provenance.version
        ));
    }
    Ok(out)
}

/// A Linux table against the kernel source its `[provenance]` names, or,
/// when that source is absent, against the UAPI headers it names (an older
/// kernel: calls newer than those headers are noted, not checked).
fn verify_trap(t: &Target, choice: &ksource::SourceChoice) -> Result<Outcome, String> {
    let h = import::read_tables(t, choice, true, true)?;
    let mut out = Outcome {
        sources: h.source.clone(),
        ..Outcome::default()
    };
    let p = &t.provenance;
    if let Some(why) = &h.fallback_reason {
        out.notes.push(format!(
            "checked against the UAPI headers, not the kernel source the table was imported from: {why}"
        ));
    } else if h.from_kernel_source {
        let installed = cheaders::package_version(&p.kernel_package).unwrap_or_default();
        if !p.kernel_version.is_empty() && !installed.is_empty() && installed != p.kernel_version {
            out.notes.push(format!(
                "the table was imported from {} {}; {installed} is installed",
                p.kernel_package, p.kernel_version
            ));
        }
    }
    // Against older headers, calls newer than them cannot be checked.
    let mut newer = Vec::new();
    for c in &t.calls {
        out.checked += 1;
        if let Some(why) = &c.unverified {
            // The number is still checked; the arguments are what is unknown.
            out.unverified.push(format!("{}: {why}", c.name));
        }
        match h.numbers.get(&c.name) {
            None if h.fallback_reason.is_some() => {
                newer.push(format!("{} ({})", c.name, c.nr));
                out.checked -= 1;
                continue;
            }
            None => out.mismatch(
                &c.loc,
                format!("`{}` is not a system call of {}", c.name, h.source),
            ),
            Some(_) if h.not_implemented(&c.name) => out.mismatch(
                &c.loc,
                format!(
                    "`{}` is not implemented by this kernel (its entry point is sys_ni_syscall): move it to [excluded] (`cargo xtask import-linux` does)",
                    c.name
                ),
            ),
            Some(&nr) if nr != c.nr => out.mismatch(
                &c.loc,
                format!("`{}` has number {}, the header says {nr}", c.name, c.nr),
            ),
            Some(_) => {}
        }
        if let Some(p) = h.prototype(&c.name)
            && c.unverified.is_none()
            && p.params.len() != c.args.len()
        {
            out.mismatch(
                &c.loc,
                format!(
                    "`{}` takes {} arguments, the kernel's prototype {}",
                    c.name,
                    c.args.len(),
                    p.params.len()
                ),
            );
        }
    }
    for e in &t.excluded {
        out.checked += 1;
        match h.numbers.get(&e.name) {
            None if h.fallback_reason.is_some() => {
                newer.push(format!("{} ({})", e.name, e.nr.unwrap_or_default()));
                out.checked -= 1;
            }
            None => out.mismatch(
                &e.loc,
                format!("excluded `{}` is not a system call of the headers", e.name),
            ),
            Some(&nr) if Some(nr) != e.nr => out.mismatch(
                &e.loc,
                format!(
                    "excluded `{}` has number {}, the header says {nr}",
                    e.name,
                    e.nr.map_or("none".to_owned(), |n| n.to_string())
                ),
            ),
            Some(_) => {}
        }
    }
    let listed: BTreeSet<&str> = t
        .calls
        .iter()
        .map(|c| c.name.as_str())
        .chain(t.excluded.iter().map(|e| e.name.as_str()))
        .collect();
    // UAPI headers may name a number twice (arm's `__NR_sync_file_range2` is
    // `__NR_arm_sync_file_range`): an alias of a listed call is no gap.
    let listed_nrs: BTreeSet<u32> = t
        .calls
        .iter()
        .map(|c| c.nr)
        .chain(t.excluded.iter().filter_map(|e| e.nr))
        .collect();
    for (name, nr) in &h.numbers {
        let alias = !h.from_kernel_source
            && listed_nrs.contains(nr)
            && h.numbers
                .iter()
                .any(|(other, n)| n == nr && listed.contains(other.as_str()));
        if !listed.contains(name.as_str()) && !alias {
            out.mismatch(
                &t.loc.path,
                format!(
                    "the header's `{name}` (number {nr}) is neither in [calls] nor in [excluded] (`cargo xtask import-linux` adds it)"
                ),
            );
        }
    }
    if !newer.is_empty() {
        out.notes.push(format!(
            "{} entries newer than kernel {} not checked: {}",
            newer.len(),
            h.kernel,
            newer.join(", ")
        ));
    }
    Ok(out)
}

/// Reads the `.h` files among a spec's headers with bindgen; `functions`
/// picks the prototypes.
pub(crate) fn read_headers(t: &Target, functions: &str, attributes: bool) -> Result<Items, String> {
    cheaders::ensure_packages(&[cheaders::LIBCLANG, &t.provenance.package])?;
    let mut text = String::new();
    for h in t.provenance.headers.iter().filter(|h| h.ends_with(".h")) {
        text += &format!("#include \"{}\"\n", cheaders::resolve_path(h)?.display());
    }
    cheaders::read(&text, &t.provenance.clang_args, functions, "^$", attributes)
}

/// `^(a|b|c)$` over names.
fn alternatives(names: &[String]) -> String {
    format!("^({})$", names.join("|"))
}

fn wasm_of_kind(k: ArgKind) -> &'static str {
    if k.bits() == Some(64) { "i64" } else { "i32" }
}

fn verify_import(t: &Target) -> Result<Outcome, String> {
    // Every function of the API, for the completeness check; api.h declares
    // proc_exit `_Noreturn`, which only attribute detection sees.
    let items = read_headers(t, "^__wasi_.*", true)?;
    let mut imports = BTreeSet::new();
    for list in t
        .provenance
        .headers
        .iter()
        .filter(|h| h.ends_with(".imports"))
    {
        let path = cheaders::resolve_path(list)?;
        let text = std::fs::read_to_string(&path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        imports.extend(text.lines().map(|l| l.trim().to_owned()));
    }
    let mut out = Outcome::default();
    for c in &t.calls {
        out.checked += 1;
        if let Some(why) = &c.unverified {
            out.unverified.push(format!("{}: {why}", c.name));
            continue;
        }
        let import = format!("__imported_{}_{}", c.library, c.symbol);
        if !imports.is_empty() && !imports.contains(&import) {
            out.mismatch(
                &c.loc,
                format!(
                    "wasi-libc imports no `{}` from module `{}`",
                    c.symbol, c.library
                ),
            );
        }
        let Some(f) = items.functions.get(&format!("__wasi_{}", c.symbol)) else {
            out.mismatch(
                &c.loc,
                format!("wasi/api.h declares no `__wasi_{}`", c.symbol),
            );
            continue;
        };
        compare_wasm(c, f, &mut out);
    }
    for name in items.functions.keys() {
        let Some(call) = name.strip_prefix("__wasi_") else {
            continue;
        };
        let listed =
            t.calls.iter().any(|c| c.symbol == call) || t.excluded.iter().any(|e| e.name == call);
        if !listed {
            out.mismatch(
                &t.loc.path,
                format!(
                    "wasi/api.h's `{call}` is neither in [calls] nor in [excluded] (`cargo xtask import-wasi` adds it)"
                ),
            );
        }
    }
    Ok(out)
}

/// The wasm signature of a WASI call against its prototype.
fn compare_wasm(c: &Call, f: &Function, out: &mut Outcome) {
    let (params, retptrs): (Vec<_>, Vec<_>) = f
        .params
        .iter()
        .partition(|p| !p.name.as_deref().is_some_and(|n| n.starts_with("retptr")));
    let mut header: Vec<&str> = Vec::new();
    for p in &params {
        match (&p.ty, p.ty.wasm_type()) {
            // A string: its address and its length.
            (
                CType::Ptr {
                    konst: true,
                    to_char: true,
                },
                _,
            ) => header.extend(["i32", "i32"]),
            (_, Some(w)) => header.push(w),
            (ty, None) => {
                out.mismatch(
                    &c.loc,
                    format!("`{}`: parameter of type {ty} is no wasm value", c.name),
                );
                return;
            }
        }
    }
    // Out-pointers are i32 addresses, whether the spec hands the value back as a
    // result or leaves the pointer (to a struct) to the caller as an argument.
    header.extend(retptrs.iter().map(|_| "i32"));
    let mut spec: Vec<&str> = c.args.iter().map(|a| wasm_of_kind(a.kind)).collect();
    spec.extend(c.results.iter().map(|_| "i32"));
    if spec != header {
        out.mismatch(
            &c.loc,
            format!(
                "`{}` takes ({}) here, the import ({})",
                c.name,
                spec.join(", "),
                header.join(", ")
            ),
        );
    }
    if c.results.len() > retptrs.len() {
        out.mismatch(
            &c.loc,
            format!(
                "`{}` hands back {} results here, but has {} out-pointers in wasi/api.h",
                c.name,
                c.results.len(),
                retptrs.len()
            ),
        );
    }
    compare_return(c, f, 32, out);
}

/// The return kind and `noreturn` of an entry against its prototype.
fn compare_return(c: &Call, f: &Function, ptr_bits: u32, out: &mut Outcome) {
    if f.noreturn != c.noreturn {
        out.mismatch(
            &c.loc,
            format!(
                "`{}` is {}declared noreturn in the header",
                c.name,
                if f.noreturn { "" } else { "not " }
            ),
        );
    }
    if c.noreturn {
        return;
    }
    let agrees = match (&f.ret, c.ret) {
        (None, None) => true,
        (Some(ty), Some(k)) => ty.accepts(k, ptr_bits),
        _ => false,
    };
    if !agrees {
        out.mismatch(
            &c.loc,
            format!(
                "`{}` returns {} here, {} in the header",
                c.name,
                c.ret.map_or("nothing", ArgKind::as_str),
                f.ret
                    .as_ref()
                    .map_or("void".to_owned(), ToString::to_string)
            ),
        );
    }
}

fn verify_call(t: &Target) -> Result<Outcome, String> {
    let names: Vec<String> = t.calls.iter().map(|c| c.symbol.clone()).collect();
    let items = read_headers(t, &alternatives(&names), false)?;
    let libraries: Vec<&String> = t
        .provenance
        .headers
        .iter()
        .filter(|h| h.contains("{dll}"))
        .collect();
    let mut out = Outcome::default();
    let ptr_bits = t.cfg.pointer_width;
    for c in &t.calls {
        out.checked += 1;
        if let Some(why) = &c.unverified {
            out.unverified.push(format!("{}: {why}", c.name));
            continue;
        }
        for pattern in &libraries {
            let path = pattern.replace("{dll}", t.provenance.import_library(&c.library));
            match cheaders::resolve_path(&path).map(|p| archive_symbols(&p)) {
                Ok(Ok(symbols)) if symbols.contains(&format!("__imp_{}", c.symbol)) => {}
                Ok(Ok(_)) => out.mismatch(
                    &c.loc,
                    format!("{} does not export `{}` ({path})", c.library, c.symbol),
                ),
                Ok(Err(e)) | Err(e) => out.mismatch(
                    &c.loc,
                    format!(
                        "no import library for {} (`{}`): {e}; if its library has another name, \
                         add it to [provenance] import_libraries",
                        c.library, c.symbol
                    ),
                ),
            }
        }
        let Some(f) = items.functions.get(&c.symbol) else {
            out.mismatch(&c.loc, format!("the headers declare no `{}`", c.symbol));
            continue;
        };
        if f.params.len() != c.args.len() {
            out.mismatch(
                &c.loc,
                format!(
                    "`{}` takes {} arguments here, {} in the header",
                    c.name,
                    c.args.len(),
                    f.params.len()
                ),
            );
        } else {
            for (i, (a, p)) in c.args.iter().zip(&f.params).enumerate() {
                if !p.ty.accepts(a.kind, ptr_bits) {
                    out.mismatch(
                        &c.loc,
                        format!(
                            "`{}` argument {i} `{}: {}` is {} in the header",
                            c.name,
                            a.name,
                            a.kind.as_str(),
                            p.ty
                        ),
                    );
                }
            }
        }
        compare_return(c, f, ptr_bits, &mut out);
    }
    Ok(out)
}

/// The symbols of an `ar` archive's index (the System V / GNU `/` member).
fn archive_symbols(path: &Path) -> Result<BTreeSet<String>, String> {
    let data = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let bad = || {
        format!(
            "{} is not an ar archive with a symbol index",
            path.display()
        )
    };
    let body = data.strip_prefix(b"!<arch>\n".as_slice()).ok_or_else(bad)?;
    let header = body.get(..60).ok_or_else(bad)?;
    if !header.starts_with(b"/ ") {
        return Err(bad());
    }
    let size: usize = std::str::from_utf8(&header[48..58])
        .ok()
        .and_then(|s| s.trim().parse().ok())
        .ok_or_else(bad)?;
    let index = body.get(60..60 + size).ok_or_else(bad)?;
    let count = u32::from_be_bytes(
        index
            .get(..4)
            .ok_or_else(bad)?
            .try_into()
            .map_err(|_| bad())?,
    );
    let names = index.get(4 + 4 * count as usize..).ok_or_else(bad)?;
    Ok(names
        .split(|&b| b == 0)
        .filter(|n| !n.is_empty())
        .map(|n| String::from_utf8_lossy(n).into_owned())
        .collect())
}

/// Verifies every target in `dir`; returns the total of mismatches.
pub(crate) fn verify_dir(dir: &Path, choice: &ksource::SourceChoice) -> Result<usize, String> {
    let files = abi_spec::read_dir(dir, &dir.display().to_string())
        .map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
    let specs = abi_spec::load(&files).map_err(|d| d.to_string())?;
    let (mut checked, mut mismatches, mut unverified) = (0, 0, 0);
    for t in &specs.targets {
        let o = verify(t, choice)?;
        println!(
            "{:<16} {:>4} entries checked ({} calls, {} excluded), {} mismatches, {} unverified; against {}",
            t.name,
            o.checked,
            t.calls.len(),
            t.excluded.len(),
            o.mismatches.len(),
            o.unverified.len(),
            o.sources
        );
        for m in &o.mismatches {
            println!("    mismatch: {m}");
        }
        for u in &o.unverified {
            println!("    unverified: {u}");
        }
        for n in &o.notes {
            println!("    note: {n}");
        }
        checked += o.checked;
        mismatches += o.mismatches.len();
        unverified += o.unverified.len();
    }
    println!(
        "verify-specs: {} specs, {checked} entries checked, {mismatches} mismatches, {unverified} unverified",
        specs.targets.len()
    );
    Ok(mismatches)
}

pub(crate) fn run(args: &[String]) -> Result<(), String> {
    let mut dir = crate::legs::targets_dir();
    let mut source = None;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--targets" => dir = it.next().ok_or("--targets needs a folder")?.into(),
            "--kernel-source" => {
                source = Some(
                    it.next()
                        .ok_or("--kernel-source needs an archive or folder")?
                        .into(),
                );
            }
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    match verify_dir(&dir, &ksource::SourceChoice::new(source))? {
        0 => Ok(()),
        n => Err(format!(
            "{n} mismatches between the specs and their headers"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A copy of the repository's specs with some lines changed.
    fn changed_copy(tag: &str, edits: &[(&str, &str, &str)]) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("xtask-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let src = crate::legs::targets_dir();
        for sub in ["", "abi", "arch", "errno"] {
            std::fs::create_dir_all(dir.join(sub)).unwrap();
            for e in std::fs::read_dir(src.join(sub)).unwrap() {
                let e = e.unwrap();
                if e.path().is_file() {
                    std::fs::copy(e.path(), dir.join(sub).join(e.file_name())).unwrap();
                }
            }
        }
        for (file, from, to) in edits {
            let path = dir.join(file);
            let text = std::fs::read_to_string(&path).unwrap();
            assert_eq!(text.matches(from).count(), 1, "{from} in {file}");
            std::fs::write(&path, text.replace(from, to)).unwrap();
        }
        dir
    }

    fn outcome(dir: &Path, name: &str) -> Outcome {
        let files = abi_spec::read_dir(dir, "targets").unwrap();
        let specs = abi_spec::load(&files).unwrap();
        verify(
            specs.target(name).unwrap(),
            &ksource::SourceChoice::default(),
        )
        .unwrap()
    }

    #[test]
    fn the_specs_agree_with_their_headers() {
        let total = verify_dir(
            &crate::legs::targets_dir(),
            &ksource::SourceChoice::default(),
        )
        .unwrap();
        assert_eq!(total, 0);
    }

    #[test]
    fn wrong_entries_are_caught() {
        let dir = changed_copy(
            "verify",
            &[
                (
                    "linux-x86_64.toml",
                    "write = { nr = 1,",
                    "write = { nr = 7777,",
                ),
                (
                    "linux-aarch64.toml",
                    "getpid = { nr = 172, args = [] }\n",
                    "",
                ),
                ("wasi-wasm32.toml", "sched_yield = { args = [] }\n", ""),
                (
                    "wasi-wasm32.toml",
                    "\"fd: u32\", \"offset: i64\"",
                    "\"fd: u32\", \"offset: u32\"",
                ),
                (
                    "windows-x86_64.toml",
                    "CloseHandle = { dll = \"kernel32\"",
                    "CloseHandle = { dll = \"user32\"",
                ),
                (
                    "windows-x86_64.toml",
                    "\"to_write: u32\", \"written: mut_ptr\", \"overlapped: mut_ptr\"",
                    "\"to_write: u32\", \"written: mut_ptr\"",
                ),
                // Without its import library's name, an API set DLL has none.
                (
                    "windows-x86_64.toml",
                    "import_libraries = { \"api-ms-win-core-synch-l1-2-0\" = \"synchronization\" }",
                    "",
                ),
            ],
        );
        let x86 = outcome(&dir, "linux-x86_64");
        assert_eq!(x86.mismatches.len(), 1, "{:?}", x86.mismatches);
        assert!(
            x86.mismatches[0].contains("`write` has number 7777, the header says 1"),
            "{:?}",
            x86.mismatches
        );
        let arm = outcome(&dir, "linux-aarch64");
        assert!(
            arm.mismatches.len() == 1
                && arm.mismatches[0].contains("`getpid` (number 172) is neither"),
            "{:?}",
            arm.mismatches
        );
        let wasi = outcome(&dir, "wasi-wasm32");
        assert!(
            wasi.mismatches.len() == 2
                && wasi.mismatches[0].contains(
                    "`fd_seek` takes (i32, i32, i32, i32) here, the import (i32, i64, i32, i32)"
                )
                && wasi.mismatches[1].contains("`sched_yield` is neither in [calls]"),
            "{:?}",
            wasi.mismatches
        );
        let win = outcome(&dir, "windows-x86_64");
        let text = win.mismatches.join("\n");
        assert_eq!(win.mismatches.len(), 5, "{text}");
        for f in ["WaitOnAddress", "WakeByAddressSingle", "WakeByAddressAll"] {
            assert!(
                text.contains(&format!(
                    "no import library for api-ms-win-core-synch-l1-2-0 (`{f}`)"
                )),
                "{text}"
            );
        }
        assert!(
            text.contains("user32 does not export `CloseHandle`"),
            "{text}"
        );
        assert!(
            text.contains("`WriteFile` takes 4 arguments here, 5 in the header"),
            "{text}"
        );
        // ProcessPrng and FILETIME_UNIX_EPOCH (a constant no header defines).
        assert_eq!(win.unverified.len(), 2, "{:?}", win.unverified);
        // The untouched spec passes.
        assert!(outcome(&dir, "linux-riscv64").mismatches.is_empty());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn linux_tables_are_checked_against_the_source_or_the_older_headers() {
        let dir = crate::import::tests::source_fixture("verify-source");
        crate::import::import(&dir, "linux-srcfixture", &ksource::SourceChoice::default()).unwrap();
        let files = abi_spec::read_dir(&dir, "targets").unwrap();
        let specs = abi_spec::load(&files).unwrap();
        let t = specs.target("linux-srcfixture").unwrap();

        // The fixture's made-up arch has no C compiler to measure layouts
        // with: verify names each layout abi-runtime reads and nothing else.
        let without_layouts = |m: &[String]| -> Vec<String> {
            let (layouts, rest): (Vec<_>, Vec<_>) = m
                .iter()
                .cloned()
                .partition(|m| m.contains(": no [layouts."));
            assert_eq!(layouts.len(), 8, "{layouts:?}");
            rest
        };
        // Against the kernel source it was imported from: everything agrees.
        let o = verify(t, &ksource::SourceChoice::default()).unwrap();
        let mismatches = without_layouts(&o.mismatches);
        assert!(mismatches.is_empty(), "{mismatches:?}");
        assert_eq!(o.checked, 9);
        assert_eq!(o.unverified.len(), 1, "{:?}", o.unverified);
        assert!(
            o.unverified[0].starts_with("mystery: no prototype"),
            "{:?}",
            o.unverified
        );
        assert!(
            o.sources
                .contains("arch/fix/syscall.tbl (ABIs common, 64, extra)"),
            "{}",
            o.sources
        );

        // Without it: against the older UAPI header, which has no __SYSCALL
        // lines (numbers only); calls newer than it are noted, a call of the
        // header the table lacks is still a mismatch.
        let missing = ksource::SourceChoice {
            path: Some(dir.join("no-such-source.tar.xz")),
        };
        let o = verify(t, &missing).unwrap();
        assert!(o.sources.contains("uapi/asm/unistd.h"), "{}", o.sources);
        let notes = o.notes.join("\n");
        assert!(
            notes.contains("checked against the UAPI headers")
                && notes.contains("no-such-source.tar.xz"),
            "{notes}"
        );
        assert!(
            notes.contains("5 entries newer than kernel 6.1.4 not checked: extra_call (5), mystery (6), llseek_fix (10), gone (3), nfsservctl (4)"),
            "{notes}"
        );
        let mismatches = without_layouts(&o.mismatches);
        assert_eq!(mismatches.len(), 1, "{mismatches:?}");
        assert!(
            mismatches[0].contains("`oldcall` (number 9) is neither"),
            "{mismatches:?}"
        );
        assert_eq!(o.checked, 4);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
