//! `cargo xtask import-linux --arch ARCH`: writes the call table of
//! `targets/linux-ARCH.toml` from the kernel source its `[provenance]` names
//! (see [`ksource`]), or, for a spec without one, from UAPI headers.
//!
//! From the kernel source (`syscall_table`, `syscall_abis`, `kernel_prototypes`):
//! - Names, numbers and entry points: the lines of the arch's `syscall.tbl`
//!   whose ABI the port's kernel is built with. A number without an entry
//!   point, or with `sys_ni_syscall`, is one the kernel does not implement:
//!   such calls go to `[excluded]`.
//! - Arguments: the entry points' prototypes (`asmlinkage long sys_*(...)`
//!   declarations, `SYSCALL_DEFINEn` definitions of C files), their
//!   conditionals evaluated and their types resolved by libclang for the
//!   target (over its UAPI typedefs). Two 32-bit halves of one value become
//!   one `i64` argument, with a comment saying so.
//!
//! From UAPI headers (`headers`, `entry_points`, `prototypes`; the fallback of
//! verify-specs): every `__NR_*` macro, evaluated by libclang (macros of
//! macros such as `__NR3264_fstatat` included); entry points from
//! `__SYSCALL(nr, sym)` lines where the header has them, else the numbers
//! stand on their own.
//!
//! Entries already in the table keep their line as written (their arguments
//! may be hand-tuned: `fd` kinds, `i64` offsets), except a call the kernel no
//! longer implements, which moves to `[excluded]`; new ones are appended, by
//! number. `[excluded]` entries stay as written. A new call whose entry point
//! has no prototype in the files named is written with `args = []` and an
//! `unverified` reason: its number is right, its arguments are for a person.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use abi_spec::model::{ArgKind, Target};

use crate::cheaders::{self, CType, Function, Items};
use crate::ksource;

/// Kernel types the prototypes use that the UAPI headers do not define
/// (mirroring the kernel's include/linux/types.h, key.h, quota.h, fs.h and
/// signal.h), over the target's UAPI types. Written by hand: these headers
/// are kernel-internal and cannot be included outside a kernel build.
const PRELUDE: &str = r#"
#include <linux/types.h>
#include <linux/posix_types.h>
#define asmlinkage
#define __user
#define __force
typedef __u8 u8; typedef __s8 s8; typedef __u16 u16; typedef __s16 s16;
typedef __u32 u32; typedef __s32 s32; typedef __u64 u64; typedef __s64 s64;
typedef __kernel_fd_set fd_set;
typedef unsigned short umode_t;
typedef unsigned char unchar; typedef unsigned short ushort; typedef unsigned int uint; typedef unsigned long ulong;
typedef __kernel_off_t off_t;
typedef __kernel_loff_t loff_t;
typedef __kernel_pid_t pid_t;
typedef __kernel_key_t key_t;
typedef __kernel_timer_t timer_t;
typedef __kernel_clockid_t clockid_t;
typedef __kernel_mqd_t mqd_t;
typedef __kernel_uid32_t uid_t;
typedef __kernel_gid32_t gid_t;
typedef __kernel_old_uid_t old_uid_t;
typedef __kernel_old_gid_t old_gid_t;
typedef __kernel_size_t size_t;
typedef __kernel_ssize_t ssize_t;
typedef unsigned long uintptr_t;
typedef u8 uint8_t; typedef u16 uint16_t; typedef u32 uint32_t; typedef u64 uint64_t;
typedef s8 int8_t; typedef s16 int16_t; typedef s32 int32_t; typedef s64 int64_t;
typedef s32 old_time32_t;
typedef __kernel_uid32_t qid_t;
typedef s32 key_serial_t;
typedef int rwf_t;
typedef __kernel_ulong_t aio_context_t;
typedef struct __user_cap_header_struct *cap_user_header_t;
typedef struct __user_cap_data_struct *cap_user_data_t;
typedef struct kernel_siginfo siginfo_t;
typedef struct { unsigned long sig[1]; } sigset_t;
typedef unsigned long old_sigset_t;
typedef void __signalfn_t(int);
typedef __signalfn_t *__sighandler_t;
"#;

/// What the headers say about one target's system calls.
#[derive(Debug, Default)]
pub(crate) struct LinuxHeaders {
    /// Call name → number, from the `__NR_*` macros that name a call.
    pub(crate) numbers: BTreeMap<String, u32>,
    /// Number → kernel entry point (`sys_newfstatat`).
    pub(crate) entries: BTreeMap<u32, String>,
    /// Entry point → its prototype.
    pub(crate) prototypes: BTreeMap<String, Function>,
    /// `MAJOR.MINOR.SUBLEVEL` of the UAPI headers.
    pub(crate) kernel: String,
    /// `__NR_*` macros left out because no entry point has their number
    /// (`__NR_syscalls`, `__NR_arch_specific_syscall`).
    pub(crate) markers: Vec<String>,
    /// Entry point → how its prototype's parameters were turned into the
    /// table's arguments, when not one for one (halves of a 64-bit value).
    pub(crate) derivations: BTreeMap<String, String>,
    /// What was read, for messages (`linux-source-6.12 6.12.117: ...`).
    pub(crate) source: String,
    /// Read from the kernel source (`[provenance] syscall_table`) rather than
    /// from the UAPI headers.
    pub(crate) from_kernel_source: bool,
    /// Why the kernel source was not used, when the spec names one.
    pub(crate) fallback_reason: Option<String>,
    /// The prototype files read, for messages.
    pub(crate) prototype_files: Vec<String>,
}

impl LinuxHeaders {
    /// The prototype of call `name`'s entry point.
    pub(crate) fn prototype(&self, name: &str) -> Option<&Function> {
        let nr = self.numbers.get(name)?;
        self.prototypes.get(self.entries.get(nr)?)
    }

    /// Call `name`'s entry point.
    pub(crate) fn entry(&self, name: &str) -> Option<&str> {
        self.entries
            .get(self.numbers.get(name)?)
            .map(String::as_str)
    }

    /// Whether the kernel implements call `name` as `sys_ni_syscall`.
    pub(crate) fn not_implemented(&self, name: &str) -> bool {
        self.numbers
            .get(name)
            .and_then(|nr| self.entries.get(nr))
            .is_some_and(|e| e == "sys_ni_syscall")
    }
}

/// Reads the headers named by `t`'s `[provenance]`, installing their Debian
/// packages (and libclang) when missing. `root` prefixes relative paths (tests).
pub(crate) fn read_linux(t: &Target, prototypes: bool) -> Result<LinuxHeaders, String> {
    let p = &t.provenance;
    if p.headers.is_empty() {
        return Err(format!(
            "{}: [provenance] names no `headers` to read",
            t.loc.path
        ));
    }
    let mut packages = vec![cheaders::LIBCLANG, p.package.as_str()];
    if prototypes {
        packages.push(p.prototypes_package.as_str());
    }
    cheaders::ensure_packages(&packages)?;
    let mut text = String::from(
        "#define __SYSCALL(nr, sym) enum { __abi_entry__##sym##__at__##nr = (nr) };\n",
    );
    for h in &p.headers {
        text += &format!("#include \"{}\"\n", cheaders::resolve_path(h)?.display());
    }
    if !p.entry_points.is_empty() {
        let e = cheaders::resolve_path(&p.entry_points)?;
        text += &format!("#include \"{}\"\n", e.display());
    }
    text += "#include <linux/version.h>\n";
    let items = cheaders::read(
        &text,
        &p.clang_args,
        "^$",
        "__NR_.*|__abi_entry__.*|LINUX_VERSION_.*",
        false,
    )?;
    let with_entries = items.consts.keys().any(|k| k.starts_with("__abi_entry__"));
    let mut out = LinuxHeaders {
        from_kernel_source: false,
        ..LinuxHeaders::default()
    };
    for (name, v) in &items.consts {
        if let Some(rest) = name.strip_prefix("__abi_entry__")
            && let Some((sym, _)) = rest.split_once("__at__")
            && let Ok(nr) = u32::try_from(*v)
        {
            out.entries.insert(nr, sym.to_owned());
        }
    }
    for (name, v) in &items.consts {
        let Some(call) = name.strip_prefix("__NR_") else {
            continue;
        };
        let Ok(nr) = u32::try_from(*v) else {
            continue;
        };
        if out.entries.contains_key(&nr) {
            out.numbers.insert(call.to_owned(), nr);
        } else if !with_entries && is_call_name(call) {
            // Headers without `__SYSCALL` lines (every arch with its own
            // syscall.tbl): the numbers stand on their own, entry points unknown.
            out.numbers.insert(call.to_owned(), nr);
        } else {
            out.markers.push(call.to_owned());
        }
    }
    let level = |k: &str| items.consts.get(k).copied().unwrap_or_default();
    out.kernel = format!(
        "{}.{}.{}",
        level("LINUX_VERSION_MAJOR"),
        level("LINUX_VERSION_PATCHLEVEL"),
        level("LINUX_VERSION_SUBLEVEL")
    );
    if out.numbers.is_empty() {
        return Err(format!(
            "no system call numbers in {}: no `__NR_<call>` macro there has a number{}",
            p.headers.join(", "),
            if out.markers.is_empty() {
                String::new()
            } else {
                format!(" (left out as no calls: {})", out.markers.join(", "))
            }
        ));
    }
    out.source = format!(
        "{} ({} {}, kernel {})",
        p.headers.join(", "),
        p.package,
        cheaders::package_version(&p.package).unwrap_or_default(),
        out.kernel
    );
    if prototypes && with_entries {
        let mut files = Vec::new();
        for pattern in &p.prototypes {
            let path = cheaders::resolve_path(pattern)?;
            let text = std::fs::read_to_string(&path)
                .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            files.push((path.display().to_string(), text));
        }
        out.prototype_files = files.iter().map(|(n, _)| n.clone()).collect();
        (out.prototypes, out.derivations) =
            read_prototypes(&files, &p.clang_args, t.cfg.endian == "big")?;
    }
    Ok(out)
}

/// Whether `__NR_<name>` names a call rather than a marker of the header
/// (`__NR_SYSCALL_BASE`, `__NR_syscalls`).
fn is_call_name(name: &str) -> bool {
    name != "syscalls" && !name.bytes().any(|b| b.is_ascii_uppercase())
}

/// Reads the table of a spec with a `[provenance] syscall_table` from the
/// kernel source at `root` (unpacked by [`ksource::locate`]): numbers and entry
/// points from the table lines of the port's ABIs, arguments from the
/// prototypes of `kernel_prototypes`.
pub(crate) fn read_kernel_source(t: &Target, root: &Path) -> Result<LinuxHeaders, String> {
    let p = &t.provenance;
    // The UAPI headers of `package` give the prototypes' types (linux/types.h).
    cheaders::ensure_packages(&[cheaders::LIBCLANG, p.package.as_str()])?;
    let table_text = ksource::read(root, &p.syscall_table)?;
    let table = ksource::parse_table(
        &table_text,
        &root.join(&p.syscall_table).display().to_string(),
        &p.syscall_abis,
    )?;
    let mut out = LinuxHeaders {
        from_kernel_source: true,
        ..LinuxHeaders::default()
    };
    for e in &table {
        out.numbers.insert(e.name.clone(), e.nr);
        // The kernel's generator (scripts/syscalltbl.sh) fills numbers
        // without an entry point with sys_ni_syscall.
        out.entries.insert(
            e.nr,
            e.entry
                .clone()
                .unwrap_or_else(|| "sys_ni_syscall".to_owned()),
        );
    }
    let makefile = ksource::read(root, "Makefile")?;
    out.kernel = ksource::kernel_version(&makefile).ok_or_else(|| {
        format!(
            "{}: no VERSION, PATCHLEVEL, SUBLEVEL",
            root.join("Makefile").display()
        )
    })?;
    let mut files = Vec::new();
    for member in &p.kernel_prototypes {
        files.push((member.clone(), ksource::read(root, member)?));
    }
    out.prototype_files = p.kernel_prototypes.clone();
    (out.prototypes, out.derivations) =
        read_prototypes(&files, &p.clang_args, t.cfg.endian == "big")?;
    // `sys_statfs64_wrapper` (arm): a few instructions of the arch's entry
    // code in front of the C function, taking its arguments.
    for entry in out.entries.values() {
        if let Some(inner) = entry.strip_suffix("_wrapper")
            && !out.prototypes.contains_key(entry)
            && let Some(f) = out.prototypes.get(inner).cloned()
        {
            out.derivations.insert(
                entry.clone(),
                format!("{entry}: the arch's assembly wrapper of {inner}, with its arguments"),
            );
            out.prototypes.insert(entry.clone(), f);
        }
    }
    out.source = format!(
        "{} {} ({}): {} (ABIs {}), prototypes from {}",
        p.kernel_package,
        cheaders::package_version(&p.kernel_package).unwrap_or_else(|| "unpacked".to_owned()),
        out.kernel,
        p.syscall_table,
        p.syscall_abis.join(", "),
        p.kernel_prototypes.join(", ")
    );
    Ok(out)
}

/// The table of spec `t` from the source its `[provenance]` names: the kernel
/// source when it names one (installed with `install` when missing), else
/// its UAPI headers. With `fallback`, a kernel source that is absent (not
/// installed, or `choice` names a missing path) gives way to the UAPI headers,
/// and the result says why.
pub(crate) fn read_tables(
    t: &Target,
    choice: &ksource::SourceChoice,
    install: bool,
    fallback: bool,
) -> Result<LinuxHeaders, String> {
    let p = &t.provenance;
    if p.syscall_table.is_empty() {
        return read_linux(t, !p.prototypes.is_empty());
    }
    match ksource::locate(p, choice, install) {
        Ok(root) => read_kernel_source(t, &root),
        Err(ksource::Missing::Broken(e)) => Err(format!("{}: {e}", t.loc.path)),
        Err(ksource::Missing::Absent(why)) if fallback && !p.headers.is_empty() => {
            let mut h = read_linux(t, !p.prototypes.is_empty())?;
            h.fallback_reason = Some(why);
            Ok(h)
        }
        Err(ksource::Missing::Absent(why)) => Err(format!("{}: {why}", t.loc.path)),
    }
}

/// Prototypes by entry point, and how some were turned into arguments.
type Prototypes = (BTreeMap<String, Function>, BTreeMap<String, String>);

/// The kernel's `sys_*` prototypes from `files` (name, text), with their
/// preprocessor conditionals (evaluated with `clang_args`); halves of 64-bit
/// values joined into one argument (see [`join_halves`]).
fn read_prototypes(
    files: &[(String, String)],
    clang_args: &[String],
    big_endian: bool,
) -> Result<Prototypes, String> {
    let mut text = String::from(PRELUDE);
    for (name, src) in files {
        text += &format!("/* {name} */\n");
        text += &prototype_lines(src);
    }
    let items: Items = cheaders::read(&text, clang_args, "sys_.*", "^$", false)?;
    let mut derivations = BTreeMap::new();
    let mut functions = BTreeMap::new();
    for (name, f) in items.functions {
        let (f, how) = join_halves(&f, big_endian);
        if let Some(how) = how {
            derivations.insert(name.clone(), format!("{name}: {how}"));
        }
        functions.insert(name, f);
    }
    Ok((functions, derivations))
}

/// The low or high half named by a parameter's suffix, and its stem
/// (`poslo` → (`pos`, low), `offset_high` → (`offset`, high)).
fn half(name: &str) -> Option<(&str, bool)> {
    for (suffix, low) in [
        ("_low", true),
        ("_lo", true),
        ("_high", false),
        ("_hi", false),
        ("low", true),
        ("lo", true),
        ("high", false),
        ("hi", false),
    ] {
        if let Some(stem) = name.strip_suffix(suffix)
            && !stem.is_empty()
        {
            return Some((stem.trim_end_matches('_'), low));
        }
    }
    None
}

/// Joins two neighbouring 32-bit parameters that are the low and high halves
/// of one value (`u32 poslo, u32 poshi` of i386's `sys_ia32_pread64`) into one
/// `i64` parameter: the table states a call's portable shape, and the
/// generator splits 64-bit arguments into register pairs as the port's
/// convention says. Only halves in the target's word order (low first on a
/// little-endian target) are such a pair; others are two arguments of their
/// own (`sys_llseek(fd, offset_high, offset_low, ...)`, whose entry the port's
/// `[via]` fills half by half). Returns the function and what was joined.
fn join_halves(f: &Function, big_endian: bool) -> (Function, Option<String>) {
    let mut params = Vec::new();
    let mut joined = Vec::new();
    let mut i = 0;
    while i < f.params.len() {
        let p = &f.params[i];
        let pair = f.params.get(i + 1).and_then(|q| {
            let is32 = |t: &CType| matches!(t, CType::Int { bits: 32, .. });
            let (a, b) = (half(p.name.as_deref()?)?, half(q.name.as_deref()?)?);
            let in_order = a.1 != big_endian;
            (is32(&p.ty) && is32(&q.ty) && a.0 == b.0 && a.1 != b.1 && in_order).then_some((a, q))
        });
        if let Some(((stem, low_first), q)) = pair {
            joined.push(format!(
                "`{stem}: i64` joins the 32-bit halves ({}, {}), {} half first",
                p.name.as_deref().unwrap_or_default(),
                q.name.as_deref().unwrap_or_default(),
                if low_first { "low" } else { "high" }
            ));
            params.push(crate::cheaders::Param {
                name: Some(stem.to_owned()),
                ty: CType::Int {
                    bits: 64,
                    signed: true,
                    long: false,
                },
                type_name: None,
                pointee: None,
            });
            i += 2;
        } else {
            params.push(p.clone());
            i += 1;
        }
    }
    let how = (!joined.is_empty()).then(|| joined.join("; "));
    (
        Function {
            params,
            ..f.clone()
        },
        how,
    )
}

/// The `sys_*` declarations of a kernel header with the conditionals around
/// them; everything else (includes of kernel-internal headers, macros,
/// inline functions) is left out.
fn prototype_lines(src: &str) -> String {
    let mut out = String::new();
    let mut lines = src.lines();
    let mut decl: Option<String> = None;
    while let Some(line) = lines.next() {
        if let Some(d) = &mut decl {
            d.push(' ');
            d.push_str(line.trim());
            if line.contains(';') {
                out += &enums_as_int(d);
                out.push('\n');
                decl = None;
            }
            continue;
        }
        let trimmed = line.trim_start();
        if is_syscall_define(trimmed) {
            let mut full = trimmed.to_owned();
            while full.matches('(').count() > full.matches(')').count() {
                let Some(next) = lines.next() else { break };
                full.push(' ');
                full.push_str(next.trim());
            }
            if let Some(decl) = syscall_define(&full) {
                out += &enums_as_int(&decl);
                out.push('\n');
            }
            continue;
        }
        if let Some(directive) = trimmed.strip_prefix('#') {
            let word = directive.trim_start();
            let keep = ["if", "ifdef", "ifndef", "elif", "else", "endif"]
                .iter()
                .any(|k| word.split(|c: char| !c.is_ascii_alphanumeric()).next() == Some(k));
            let mut full = line.to_owned();
            let mut cur = line;
            while cur.trim_end().ends_with('\\') {
                let Some(next) = lines.next() else { break };
                full.push('\n');
                full.push_str(next);
                cur = next;
            }
            if keep {
                out += &full;
                out.push('\n');
            }
            continue;
        }
        if let Some(at) = trimmed.find("sys_")
            && trimmed[..at].trim_end().ends_with("long")
            && trimmed[at..]
                .split('(')
                .next()
                .is_some_and(|n| n.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'))
            && trimmed[at..].contains('(')
        {
            if line.contains(';') {
                out += &enums_as_int(line);
                out.push('\n');
            } else {
                decl = Some(line.to_owned());
            }
        }
    }
    out
}

/// Whether a line opens a `SYSCALL_DEFINEn(` definition (a C file's entry point).
fn is_syscall_define(line: &str) -> bool {
    line.strip_prefix("SYSCALL_DEFINE").is_some_and(|rest| {
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        digits > 0 && rest[digits..].starts_with('(')
    })
}

/// The prototype a `SYSCALL_DEFINEn(name, type, arg, ...)` defines:
/// `asmlinkage long sys_name(type arg, ...);`. `None` when it is malformed.
fn syscall_define(text: &str) -> Option<String> {
    let open = text.find('(')?;
    let mut depth = 0;
    let mut close = None;
    for (i, c) in text[open..].char_indices() {
        match c {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth == 0 {
                    close = Some(open + i);
                    break;
                }
            }
            _ => {}
        }
    }
    let inner = &text[open + 1..close?];
    let mut parts = inner.split(',').map(str::trim);
    let name = parts.next()?;
    let rest: Vec<&str> = parts.collect();
    if !rest.len().is_multiple_of(2) || name.is_empty() {
        return None;
    }
    let params: Vec<String> = rest
        .chunks(2)
        .map(|pair| format!("{} {}", pair[0], pair[1]))
        .collect();
    let params = if params.is_empty() {
        "void".to_owned()
    } else {
        params.join(", ")
    };
    Some(format!("asmlinkage long sys_{name}({params});"))
}

/// `enum x` parameters as `int`: the enums (defined in headers the
/// prototypes do not include) are passed as C `int`s.
fn enums_as_int(decl: &str) -> String {
    let mut out = String::new();
    let mut rest = decl;
    while let Some(at) = rest.find("enum ") {
        let boundary = at == 0 || !rest.as_bytes()[at - 1].is_ascii_alphanumeric();
        out += &rest[..at];
        let after = &rest[at + 5..];
        let len = after
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(after.len());
        if boundary && len > 0 {
            out += "int";
            rest = &after[len..];
        } else {
            out += "enum ";
            rest = after;
        }
    }
    out + rest
}

/// The `name: kind` descriptions of a prototype's parameters.
pub(crate) fn describe_args(f: &Function) -> Result<Vec<String>, String> {
    let mut names: Vec<String> = Vec::new();
    let mut out = Vec::new();
    for (i, p) in f.params.iter().enumerate() {
        let Some(kind) = p.ty.kind() else {
            return Err(format!(
                "parameter {i} has type {}, which fits no kind",
                p.ty
            ));
        };
        let mut name = p
            .name
            .clone()
            .or_else(|| p.type_name.clone())
            .unwrap_or_else(|| format!("arg{i}"));
        if names.contains(&name) {
            name = format!("{name}{i}");
        }
        names.push(name.clone());
        out.push(format!("{name}: {}", fd_kind(&name, kind).as_str()));
    }
    Ok(out)
}

/// An `int` named like a file descriptor (`fd`, `dfd`, `epfd`, `fd_in`) is one.
fn fd_kind(name: &str, kind: ArgKind) -> ArgKind {
    let fdish = name.ends_with("fd") || name.starts_with("fd_");
    if fdish && matches!(kind, ArgKind::I32 | ArgKind::U32) {
        ArgKind::Fd
    } else {
        kind
    }
}

/// What an import run did.
#[derive(Debug, Default)]
pub(crate) struct Report {
    /// Calls kept as written.
    pub(crate) kept: usize,
    /// Calls added, with arguments from the kernel's prototypes.
    pub(crate) added: Vec<String>,
    /// Calls added to `[excluded]` (not implemented by the kernel).
    pub(crate) excluded: Vec<String>,
    /// Calls of `[calls]` the kernel no longer implements, moved to `[excluded]`.
    pub(crate) moved: Vec<String>,
    /// Calls added without arguments, because their entry point's prototype
    /// was not found: each is marked `unverified` with the reason.
    pub(crate) unverified: Vec<String>,
}

/// Rewrites the call table of the spec file `path` (target `t`) from `headers`.
pub(crate) fn rewrite(
    text: &str,
    t: &Target,
    headers: &LinuxHeaders,
    package_version: &str,
) -> Result<(String, Report), String> {
    let mut report = Report::default();
    let mut unknown = Vec::new();
    let mut text = text.to_owned();
    let mut new_excluded = Vec::new();
    for c in &t.calls {
        match headers.numbers.get(&c.name) {
            Some(&nr) if headers.not_implemented(&c.name) => {
                // The kernel dropped it (lookup_dcookie, gone by 6.12): a table
                // entry would promise a call that always fails with ENOSYS.
                text = remove_entry(&text, "calls", &c.name)?;
                new_excluded.push(format!(
                    "{} = {{ nr = {nr}, reason = \"{NOT_IMPLEMENTED}\" }}",
                    c.name
                ));
                report.moved.push(c.name.clone());
            }
            Some(_) => report.kept += 1,
            None => unknown.push(c.name.clone()),
        }
    }
    if !unknown.is_empty() {
        return Err(format!(
            "{}: calls the headers do not define: {} (check the names; `cargo xtask verify-specs` says more)",
            t.loc.path,
            unknown.join(", ")
        ));
    }
    let mut by_nr: Vec<(&String, &u32)> = headers.numbers.iter().collect();
    by_nr.sort_by_key(|(n, nr)| (**nr, n.as_str()));
    let mut new_calls = Vec::new();
    for (name, nr) in by_nr {
        if t.call(name).is_some() || t.excluded.iter().any(|e| &e.name == name) {
            continue;
        }
        if headers.not_implemented(name) {
            new_excluded.push(format!(
                "{name} = {{ nr = {nr}, reason = \"{NOT_IMPLEMENTED}\" }}"
            ));
            report.excluded.push(name.clone());
            continue;
        }
        let entry = headers.entry(name).unwrap_or_default();
        let Some(proto) = headers.prototype(name) else {
            // Recorded, not dropped: the number is right, the arguments
            // are for a person to write (and remove the mark).
            let why = if entry.is_empty() {
                "the headers name no entry point for it, so its arguments are unknown: write them and remove this mark".to_owned()
            } else {
                format!(
                    "no prototype of its entry point {entry} in {}: write its arguments and remove this mark",
                    headers.prototype_files.join(", ")
                )
            };
            new_calls.push(format!(
                "{name} = {{ nr = {nr}, args = [], unverified = \"{why}\" }}"
            ));
            report.unverified.push(name.clone());
            continue;
        };
        let args = describe_args(proto).map_err(|e| format!("{name}: {e}"))?;
        let args: Vec<String> = args.iter().map(|a| format!("\"{a}\"")).collect();
        let how = headers
            .derivations
            .get(entry)
            .map_or(String::new(), |d| format!("  # {d}"));
        new_calls.push(format!(
            "{name} = {{ nr = {nr}, args = [{}] }}{how}",
            args.join(", ")
        ));
        report.added.push(name.clone());
    }
    let mut text = append_to_section(&text, "calls", &new_calls)?;
    if !new_excluded.is_empty() {
        if section_range(&text, "excluded").is_none() {
            let (_, end) = section_range(&text, "calls").ok_or("no [calls] section")?;
            let header = "# Calls the headers define that the table leaves out, each with the reason.\n[excluded]\n";
            text.insert_str(end, &format!("\n{header}"));
        }
        text = append_to_section(&text, "excluded", &new_excluded)?;
    }
    text = set_key(
        &text,
        "provenance",
        "kernel",
        &format!("\"{}\"", headers.kernel),
    )?;
    if headers.from_kernel_source {
        let p = &t.provenance;
        text = set_key(
            &text,
            "provenance",
            "source",
            &format!(
                "\"{} {}: {} (ABIs {}), arguments from {}\"",
                p.kernel_package,
                headers.kernel,
                p.syscall_table,
                p.syscall_abis.join(", "),
                p.kernel_prototypes.join(", ")
            ),
        )?;
    }
    if !package_version.is_empty() {
        let key = if headers.from_kernel_source {
            "kernel_version"
        } else {
            "version"
        };
        text = set_key(&text, "provenance", key, &format!("\"{package_version}\""))?;
    }
    Ok((text, report))
}

/// The reason of an `[excluded]` entry the kernel does not implement.
const NOT_IMPLEMENTED: &str =
    "not implemented: the kernel's table has sys_ni_syscall here (always ENOSYS)";

/// Removes the line `name = ...` from a section.
fn remove_entry(text: &str, section: &str, name: &str) -> Result<String, String> {
    let (start, end) =
        section_range(text, section).ok_or_else(|| format!("no [{section}] section"))?;
    let mut pos = start;
    for line in text[start..end].split_inclusive('\n') {
        if line.split('=').next().unwrap_or_default().trim() == name {
            return Ok(format!("{}{}", &text[..pos], &text[pos + line.len()..]));
        }
        pos += line.len();
    }
    Err(format!("no `{name}` line in [{section}]"))
}

/// The byte range of a section's body: from after its `[name]` line to the
/// end of its last non-blank line.
pub(crate) fn section_range(text: &str, name: &str) -> Option<(usize, usize)> {
    let header = format!("[{name}]");
    let mut pos = 0;
    let mut start = None;
    let mut end = 0;
    for line in text.split_inclusive('\n') {
        let t = line.trim();
        if start.is_some() {
            if t.starts_with('[') {
                break;
            }
            if !t.is_empty() && !t.starts_with('#') {
                end = pos + line.len();
            }
        } else if t == header {
            start = Some(pos + line.len());
            end = pos + line.len();
        }
        pos += line.len();
    }
    start.map(|s| (s, end))
}

/// Appends lines at the end of a section's entries.
pub(crate) fn append_to_section(
    text: &str,
    name: &str,
    lines: &[String],
) -> Result<String, String> {
    if lines.is_empty() {
        return Ok(text.to_owned());
    }
    let (_, end) = section_range(text, name).ok_or_else(|| format!("no [{name}] section"))?;
    let mut out = text[..end].to_owned();
    if !out.ends_with('\n') {
        out.push('\n');
    }
    for l in lines {
        out += l;
        out.push('\n');
    }
    out += &text[end..];
    Ok(out)
}

/// Sets `key = value` in a section: replaces the line, or adds it after the
/// section's last entry.
fn set_key(text: &str, section: &str, key: &str, value: &str) -> Result<String, String> {
    let (start, end) =
        section_range(text, section).ok_or_else(|| format!("no [{section}] section"))?;
    let body = &text[start..end];
    let mut pos = start;
    for line in body.split_inclusive('\n') {
        let k = line.split('=').next().unwrap_or_default().trim();
        if k == key {
            let nl = if line.ends_with('\n') { "\n" } else { "" };
            return Ok(format!(
                "{}{key} = {value}{nl}{}",
                &text[..pos],
                &text[pos + line.len()..]
            ));
        }
        pos += line.len();
    }
    append_to_section(text, section, &[format!("{key} = {value}")])
}

/// Loads the target `name` from the spec folder `dir`.
pub(crate) fn load_target(dir: &Path, name: &str) -> Result<(Target, PathBuf), String> {
    let files = abi_spec::read_dir(dir, &dir.display().to_string())
        .map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
    let specs = abi_spec::load(&files).map_err(|d| d.to_string())?;
    let t = specs
        .target(name)
        .ok_or_else(|| format!("no spec {name} in {}", dir.display()))?
        .clone();
    Ok((t, dir.join(format!("{name}.toml"))))
}

/// Imports one target's table in the folder `dir`; returns what it did.
pub(crate) fn import(
    dir: &Path,
    name: &str,
    choice: &ksource::SourceChoice,
) -> Result<Report, String> {
    let (t, path) = load_target(dir, name)?;
    let headers = read_tables(&t, choice, true, false)?;
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let package = if headers.from_kernel_source {
        &t.provenance.kernel_package
    } else {
        &t.provenance.package
    };
    let version = cheaders::package_version(package).unwrap_or_default();
    let (new, report) = rewrite(&text, &t, &headers, &version)?;
    check_loads(dir, name, &path, &new)?;
    std::fs::write(&path, new).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(report)
}

/// The result must load: an import never writes a spec the loader rejects.
pub(crate) fn check_loads(dir: &Path, name: &str, path: &Path, new: &str) -> Result<(), String> {
    let mut files = abi_spec::read_dir(dir, &dir.display().to_string())
        .map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
    for f in &mut files {
        if f.kind == abi_spec::SpecKind::Target && f.name == name {
            f.source = abi_spec::SourceFile::new(path.display().to_string(), new.to_owned());
        }
    }
    abi_spec::load(&files).map_err(|d| format!("the imported table does not load:\n{d}"))?;
    Ok(())
}

pub(crate) fn run(args: &[String]) -> Result<(), String> {
    let mut arch = None;
    let mut dir = crate::legs::targets_dir();
    let mut source = None;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--arch" => arch = Some(it.next().ok_or("--arch needs a name")?.clone()),
            "--targets" => dir = PathBuf::from(it.next().ok_or("--targets needs a folder")?),
            "--kernel-source" => {
                source = Some(PathBuf::from(
                    it.next()
                        .ok_or("--kernel-source needs an archive or folder")?,
                ));
            }
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    let arch = arch.ok_or(
        "usage: cargo xtask import-linux --arch ARCH [--targets DIR] [--kernel-source PATH]",
    )?;
    let name = format!("linux-{arch}");
    let r = import(&dir, &name, &ksource::SourceChoice::new(source))?;
    let list = |v: &[String]| {
        if v.is_empty() {
            String::new()
        } else {
            format!(" ({})", v.join(", "))
        }
    };
    println!(
        "{name}: kept {} calls, added {}{}, excluded {} more{}, moved {} to [excluded]{}, {} without a prototype (marked unverified){}",
        r.kept,
        r.added.len(),
        list(&r.added),
        r.excluded.len(),
        list(&r.excluded),
        r.moved.len(),
        list(&r.moved),
        r.unverified.len(),
        list(&r.unverified)
    );
    Ok(())
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    #[test]
    fn prototype_lines_keep_declarations_and_conditionals_only() {
        let src = "#ifndef X\n#define X\n#include <linux/a.h>\n#define M(a) \\\n  asmlinkage long sys_##a(void);\nasmlinkage long sys_read(unsigned int fd,\n\t\tchar __user *buf, size_t count);\n#ifdef CONFIG_Y\nasmlinkage long sys_y(void);\n#endif\nstatic inline long ksys_z(void) { return 0; }\nlong sys_arch(unsigned long a);\n#endif\n";
        assert_eq!(
            enums_as_int("long sys_l(int fd, enum landlock_rule_type rule_type);"),
            "long sys_l(int fd, int rule_type);"
        );
        let out = prototype_lines(src);
        assert_eq!(
            out,
            "#ifndef X\nasmlinkage long sys_read(unsigned int fd, char __user *buf, size_t count);\n#ifdef CONFIG_Y\nasmlinkage long sys_y(void);\n#endif\nlong sys_arch(unsigned long a);\n#endif\n"
        );
    }

    #[test]
    fn keys_and_sections_are_edited_in_place() {
        let text = "[calls]\na = 1\n\n# c\n[provenance]\nkernel = \"6.1\"\n\n[ci]\nx = 1\n";
        let t = append_to_section(text, "calls", &["b = 2".to_owned()]).unwrap();
        assert_eq!(
            t,
            "[calls]\na = 1\nb = 2\n\n# c\n[provenance]\nkernel = \"6.1\"\n\n[ci]\nx = 1\n"
        );
        let t = set_key(&t, "provenance", "kernel", "\"6.1.4\"").unwrap();
        let t = set_key(&t, "provenance", "version", "\"1\"").unwrap();
        assert!(
            t.contains("[provenance]\nkernel = \"6.1.4\"\nversion = \"1\"\n\n[ci]"),
            "{t}"
        );
    }

    /// A copy of the repository's arch, ABI and errno files with `spec` as
    /// the one target, in a fresh temporary folder.
    pub(crate) fn spec_folder(tag: &str, specs: &[(&str, String)]) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("xtask-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let targets = crate::legs::targets_dir();
        for sub in ["abi", "arch", "errno"] {
            std::fs::create_dir_all(dir.join(sub)).unwrap();
            for e in std::fs::read_dir(targets.join(sub)).unwrap() {
                let e = e.unwrap();
                std::fs::copy(e.path(), dir.join(sub).join(e.file_name())).unwrap();
            }
        }
        for (name, text) in specs {
            std::fs::write(dir.join(format!("{name}.toml")), text).unwrap();
        }
        dir
    }

    #[test]
    fn import_writes_the_table_of_a_fixture_header() {
        let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/linux");
        let spec = std::fs::read_to_string(fixtures.join("linux-fixture.toml"))
            .unwrap()
            .replace("{FIXTURES}", &fixtures.display().to_string());
        let dir = spec_folder("import", &[("linux-fixture", spec)]);
        let report = import(&dir, "linux-fixture", &ksource::SourceChoice::default()).unwrap();
        let text = std::fs::read_to_string(dir.join("linux-fixture.toml")).unwrap();
        assert_eq!(report.kept, 1);
        assert_eq!(report.added, ["io_submit", "read", "newfstatat", "fancy"]);
        assert_eq!(report.excluded, ["nfsservctl"]);
        let calls = "[calls]\n# Written by hand: kept as it is.\n\
            write = { nr = 64, args = [\"fd: fd\", \"buf: ptr\", \"len: usize\"] }\n\
            io_submit = { nr = 2, args = [\"aio_context: usize\", \"arg1: isize\", \"arg2: mut_ptr\"] }\n\
            read = { nr = 63, args = [\"fd: fd\", \"buf: mut_ptr\", \"count: usize\"] }\n\
            newfstatat = { nr = 79, args = [\"dfd: fd\", \"filename: ptr\", \"statbuf: mut_ptr\", \"flag: i32\"] }\n\
            fancy = { nr = 259, args = [\"tid: mut_ptr\", \"flags: usize\", \"offset: i64\"] }\n\n";
        assert!(text.contains(calls), "{text}");
        assert!(
            text.contains("[excluded]\nnfsservctl = { nr = 42, reason = \"not implemented"),
            "{text}"
        );
        assert!(text.contains("kernel = \"6.1.4\"\n"), "{text}");
        assert!(text.contains("\nversion = \""), "{text}");
        // `__NR_syscalls` and `__NR_arch_specific_syscall` have no entry point: no calls.
        assert!(
            !text.contains("syscalls =") && !text.contains("arch_specific"),
            "{text}"
        );
        // Importing again changes nothing.
        let again = import(&dir, "linux-fixture", &ksource::SourceChoice::default()).unwrap();
        assert_eq!((again.kept, again.added.len()), (5, 0));
        assert_eq!(
            std::fs::read_to_string(dir.join("linux-fixture.toml")).unwrap(),
            text
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// A spec folder with the kernel-source fixture as `linux-srcfixture`.
    pub(crate) fn source_fixture(tag: &str) -> PathBuf {
        let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/linux-source");
        let spec = std::fs::read_to_string(fixtures.join("linux-srcfixture.toml"))
            .unwrap()
            .replace("{FIXTURES}", &fixtures.display().to_string());
        spec_folder(tag, &[("linux-srcfixture", spec)])
    }

    #[test]
    fn import_reads_a_kernel_source_tree() {
        let dir = source_fixture("import-source");
        let report = import(&dir, "linux-srcfixture", &ksource::SourceChoice::default()).unwrap();
        let text = std::fs::read_to_string(dir.join("linux-srcfixture.toml")).unwrap();
        assert_eq!(report.kept, 1);
        assert_eq!(
            report.added,
            ["read", "pread64", "extra_call", "llseek_fix"]
        );
        assert_eq!(report.unverified, ["mystery"]);
        assert_eq!(report.excluded, ["gone", "nfsservctl"]);
        assert_eq!(report.moved, ["lookup_dcookie"]);
        let calls = "[calls]\n# Written by hand: kept as it is.\n\
            write = { nr = 1, args = [\"fd: fd\", \"buf: ptr\", \"len: usize\"] }\n\
            read = { nr = 0, args = [\"fd: fd\", \"buf: mut_ptr\", \"count: usize\"] }\n\
            pread64 = { nr = 2, args = [\"fd: fd\", \"ubuf: mut_ptr\", \"count: u32\", \"pos: i64\"] }  \
            # sys_fix_pread64: `pos: i64` joins the 32-bit halves (poslo, poshi), low half first\n\
            extra_call = { nr = 5, args = [\"flags: usize\", \"where: mut_ptr\"] }\n\
            mystery = { nr = 6, args = [], unverified = \"no prototype of its entry point sys_mystery in \
            include/linux/syscalls.h, arch/fix/kernel/sys_fix.c: write its arguments and remove this mark\" }\n\
            llseek_fix = { nr = 10, args = [\"fd: fd\", \"off_hi: u32\", \"off_lo: u32\"] }\n\n";
        assert!(text.contains(calls), "{text}");
        assert!(
            text.contains(&format!(
                "[excluded]\nlookup_dcookie = {{ nr = 7, reason = \"{NOT_IMPLEMENTED}\" }}\n\
                 gone = {{ nr = 3, reason = \"{NOT_IMPLEMENTED}\" }}\n\
                 nfsservctl = {{ nr = 4, reason = \"{NOT_IMPLEMENTED}\" }}\n"
            )),
            "{text}"
        );
        // Lines of other ABIs (`32`, `x32`) are no calls of this port.
        assert!(
            !text.contains("pread =") && !text.contains("other_abi"),
            "{text}"
        );
        assert!(text.contains("\nkernel = \"6.12.99\"\n"), "{text}");
        assert!(
            text.contains("\nsource = \"libclang-dev 6.12.99: arch/fix/syscall.tbl (ABIs common, 64, extra), arguments from include/linux/syscalls.h, arch/fix/kernel/sys_fix.c\"\n"),
            "{text}"
        );
        assert!(text.contains("\nkernel_version = \""), "{text}");
        // Importing again changes nothing.
        let again = import(&dir, "linux-srcfixture", &ksource::SourceChoice::default()).unwrap();
        assert_eq!(
            (again.kept, again.added.len(), again.moved.len()),
            (6, 0, 0)
        );
        assert_eq!(
            std::fs::read_to_string(dir.join("linux-srcfixture.toml")).unwrap(),
            text
        );
        // Import never falls back: a missing source is an error that says where.
        let missing = ksource::SourceChoice {
            path: Some(dir.join("no-such-source.tar.xz")),
        };
        let err = import(&dir, "linux-srcfixture", &missing).unwrap_err();
        assert!(
            err.contains("no kernel source at") && err.contains("no-such-source.tar.xz"),
            "{err}"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn syscall_define_becomes_a_prototype() {
        assert_eq!(
            syscall_define("SYSCALL_DEFINE3(ia32_truncate64, const char __user *, filename, unsigned long, offset_low, unsigned long, offset_high)").as_deref(),
            Some("asmlinkage long sys_ia32_truncate64(const char __user * filename, unsigned long offset_low, unsigned long offset_high);")
        );
        assert_eq!(
            syscall_define("SYSCALL_DEFINE0(fork)").as_deref(),
            Some("asmlinkage long sys_fork(void);")
        );
        assert_eq!(syscall_define("SYSCALL_DEFINE1(odd, int)"), None);
        assert!(is_syscall_define("SYSCALL_DEFINE6(mmap, ..."));
        assert!(!is_syscall_define("SYSCALL_DEFINEx(mmap"));
        assert_eq!(half("poslo"), Some(("pos", true)));
        assert_eq!(half("offset_high"), Some(("offset", false)));
        assert_eq!(half("pos_l"), None);
        assert_eq!(half("lo"), None);
    }
}
