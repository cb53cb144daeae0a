//! Loading and validating spec files. Files are read in dependency order
//! (arch, errno, abi, then targets) so each check sees what it refers to; every
//! problem of every file is collected before anything is returned.

use std::path::Path;

use toml::de::DeTable;

use crate::diag::{Diagnostic, Diagnostics, SourceFile, closest};
use crate::model::{
    Abi, Arch, Arg, ArgKind, Call, Cfg, Ci, ConvKind, ErrnoEntry, ErrnoTable, ErrorConv,
    Provenance, SlotModel, Specs, SyscallConv, Target,
};
use crate::read::{Fields, Sink, Sp};

/// The spec format version this crate reads.
pub const FORMAT: i64 = 1;

/// `asm!` options a spec may ask for.
const ASM_OPTIONS: [&str; 6] = [
    "nostack",
    "preserves_flags",
    "readonly",
    "nomem",
    "pure",
    "att_syntax",
];

/// What a spec file describes, decided by the folder it sits in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpecKind {
    /// `targets/<os>-<arch>.toml`.
    Target,
    /// `targets/abi/<name>.toml`.
    Abi,
    /// `targets/arch/<name>.toml`.
    Arch,
    /// `targets/errno/<name>.toml`.
    Errno,
}

/// One spec file to load.
#[derive(Debug, Clone)]
pub struct SpecFile {
    /// What it describes.
    pub kind: SpecKind,
    /// Its name: the file stem.
    pub name: String,
    /// Its text and display path.
    pub source: SourceFile,
}

impl SpecFile {
    /// Classifies a file by its path relative to the `targets/` folder
    /// (`abi/sysv.toml`, `linux-x86_64.toml`, ...); `None` for anything that is
    /// not a spec file. `display` is the path diagnostics show.
    pub fn from_relative(rel: &str, display: String, text: String) -> Option<Self> {
        let rel = rel.replace('\\', "/");
        let (dir, file) = rel.rsplit_once('/').unwrap_or(("", &rel));
        let name = file.strip_suffix(".toml")?.to_owned();
        let kind = match dir {
            "" => SpecKind::Target,
            "abi" => SpecKind::Abi,
            "arch" => SpecKind::Arch,
            "errno" => SpecKind::Errno,
            _ => return None,
        };
        Some(Self {
            kind,
            name,
            source: SourceFile::new(display, text),
        })
    }
}

/// The spec files built into this crate (the repository's `targets/` folder).
pub fn builtin_files() -> Vec<SpecFile> {
    crate::builtin::BUILTIN_FILES
        .iter()
        .filter_map(|(rel, text)| {
            SpecFile::from_relative(rel, format!("targets/{rel}"), (*text).to_owned())
        })
        .collect()
}

/// Reads the spec files of a `targets/`-style folder: `*.toml` at the top and
/// in `abi/`, `arch/` and `errno/`. Paths in diagnostics are shown as
/// `display_prefix/<relative path>`.
pub fn read_dir(dir: &Path, display_prefix: &str) -> std::io::Result<Vec<SpecFile>> {
    let mut out = Vec::new();
    for sub in ["", "abi", "arch", "errno"] {
        let d = dir.join(sub);
        if !sub.is_empty() && !d.is_dir() {
            continue;
        }
        let mut entries: Vec<_> = std::fs::read_dir(&d)?.collect::<Result<_, _>>()?;
        entries.sort_by_key(|e| e.file_name());
        for e in entries {
            let path = e.path();
            if !path.is_file() || path.extension().is_none_or(|x| x != "toml") {
                continue;
            }
            let file = e.file_name().to_string_lossy().into_owned();
            let rel = if sub.is_empty() {
                file
            } else {
                format!("{sub}/{file}")
            };
            let text = std::fs::read_to_string(&path)?;
            let display = if display_prefix.is_empty() {
                rel.clone()
            } else {
                format!("{display_prefix}/{rel}")
            };
            out.extend(SpecFile::from_relative(&rel, display, text));
        }
    }
    Ok(out)
}

/// Loads the built-in specs.
pub fn load_builtin() -> Result<Specs, Diagnostics> {
    load(&builtin_files())
}

/// Loads and validates a set of spec files; all problems are reported at once.
pub fn load(files: &[SpecFile]) -> Result<Specs, Diagnostics> {
    let mut specs = Specs::default();
    let mut diags = Vec::new();
    let order = [
        SpecKind::Arch,
        SpecKind::Errno,
        SpecKind::Abi,
        SpecKind::Target,
    ];
    for kind in order {
        for f in files.iter().filter(|f| f.kind == kind) {
            let mut sink = Sink::new(&f.source);
            load_one(f, files, &mut specs, &mut sink);
            sink.diags.sort_by_key(|d| (d.loc.line, d.loc.col));
            diags.extend(sink.diags);
        }
    }
    check_targets_distinct(&specs, files, &mut diags);
    specs.targets.sort_by(|a, b| a.name.cmp(&b.name));
    if diags.is_empty() {
        Ok(specs)
    } else {
        Err(Diagnostics(diags))
    }
}

fn load_one(f: &SpecFile, files: &[SpecFile], specs: &mut Specs, sink: &mut Sink<'_>) {
    let (doc, mut errors) = DeTable::parse_recoverable(&f.source.text);
    let text = &f.source.text;
    let start = |e: &toml::de::Error| e.span().map_or(0, |s| s.start);
    errors.sort_by_key(start);
    // The parser reads on after a syntax error, but what it reports next is
    // mostly a consequence of the first (an unclosed `{` or `[` swallows the
    // lines after it): report only the first, unless all are duplicate keys.
    let all_duplicates = errors.iter().all(|e| e.message().trim() == "duplicate key");
    let shown = if all_duplicates { errors.len() } else { 1 };
    for e in errors.iter().take(shown) {
        let mut span = e.span().unwrap_or(0..0);
        let mut message = e.message().trim().to_owned();
        let key = text.get(span.clone()).unwrap_or_default().trim();
        if message == "duplicate key" && !key.is_empty() {
            message = format!("duplicate key `{key}`");
        }
        // An error at the start of a line when a `{` or `[` is unclosed: the
        // bracket of the line above was not closed and the parser read on.
        // Point at the end of that line.
        let above = text
            .get(..span.start)
            .and_then(|before| before.trim_end_matches([' ', '\t']).strip_suffix('\n'));
        let unclosed = errors.iter().find(|e| unclosed_bracket(e.message()));
        if let (Some(above), Some(unclosed), false) = (above, unclosed, all_duplicates) {
            let end = above.trim_end().len();
            span = end..end;
            message = unclosed.message().trim().to_owned();
        }
        let help = if message.contains("duplicate key") {
            "each key may appear once in a table; a call name appears once per target: remove or rename one"
        } else if unclosed_bracket(&message) {
            "close it on this line: an inline table or array that is not closed continues on the next line"
        } else {
            "fix the TOML syntax (see https://toml.io)"
        };
        sink.error(span, format!("invalid TOML: {message}"), help);
    }
    if !errors.is_empty() {
        return;
    }
    let mut top = Fields::new(doc.get_ref(), 0..0, "");
    let Some(format) = top.int(sink, "format", 0..i64::from(u32::MAX), "1") else {
        return;
    };
    if format.value != FORMAT {
        sink.error(
            format.span,
            format!("unsupported format version {}", format.value),
            format!("this abi-bridge reads format {FORMAT}; write `format = {FORMAT}` and update the file to it"),
        );
        return;
    }
    let name = f.name.clone();
    match f.kind {
        SpecKind::Arch => {
            if let Some(a) = read_arch(name, &mut top, sink) {
                specs.arches.push(a);
            }
        }
        SpecKind::Errno => {
            if let Some(t) = read_errno(name, &mut top, sink) {
                specs.errno_tables.push(t);
            }
        }
        SpecKind::Abi => {
            if let Some(a) = read_abi(name, &mut top, specs, files, sink) {
                specs.abis.push(a);
            }
        }
        SpecKind::Target => {
            if let Some(t) = read_target(name, &f.source, &mut top, specs, files, sink) {
                specs.targets.push(t);
            }
        }
    }
    top.finish(sink);
}

/// Whether a TOML error is about an inline table or array that is not closed.
fn unclosed_bracket(message: &str) -> bool {
    message.starts_with("unclosed inline table") || message.starts_with("unclosed array")
}

fn values(v: Option<Sp<Vec<Sp<String>>>>) -> Vec<String> {
    v.map(|v| v.value.into_iter().map(|s| s.value).collect())
        .unwrap_or_default()
}

fn read_arch(name: String, top: &mut Fields<'_, '_>, sink: &mut Sink<'_>) -> Option<Arch> {
    let int = top.strings(sink, "int_regs", r#"["rax", "rbx"]"#);
    let float = top.strings(sink, "float_regs", r#"["xmm0", "xmm1"]"#);
    let abis = top.strings(sink, "abis", r#"["sysv"]"#);
    let (int, float, abis) = (int?, float?, abis?);
    Some(Arch {
        name,
        int_regs: values(Some(int)),
        float_regs: values(Some(float)),
        abis: values(Some(abis)),
    })
}

fn read_errno(name: String, top: &mut Fields<'_, '_>, sink: &mut Sink<'_>) -> Option<ErrnoTable> {
    let table = top.table(
        sink,
        "errno",
        "`[errno]` with `EPERM = { code = 1, text = \"Operation not permitted\" }`",
    )?;
    let mut entries = Vec::new();
    for (k, v) in table.entries() {
        let Some(t) = v.get_ref().as_table() else {
            sink.error(
                v.span(),
                format!("errno `{}` must be an inline table", k.get_ref()),
                "write `{ code = 1, text = \"...\" }`",
            );
            continue;
        };
        let mut e = Fields::new(t, v.span(), format!("errno `{}`", k.get_ref()));
        let code = e.int(sink, "code", 1..65_536, "1");
        let text = e.opt_string(sink, "text", "\"Operation not permitted\"");
        let alias = e.opt_string(sink, "alias_of", "\"EAGAIN\"");
        if text.is_none() == alias.is_none() {
            sink.error(
                v.span(),
                format!(
                    "errno `{}` needs exactly one of `text` or `alias_of`",
                    k.get_ref()
                ),
                "give the description, or name the errno it aliases",
            );
        }
        e.finish(sink);
        if let Some(code) = code {
            entries.push((
                k.span(),
                ErrnoEntry {
                    name: k.get_ref().to_string(),
                    code: i32::try_from(code.value).unwrap_or_default(),
                    text: text.map(|t| t.value),
                    alias_of: alias.map(|a| a.value),
                },
            ));
        }
    }
    for (span, e) in &entries {
        if let Some(target) = &e.alias_of {
            match entries.iter().find(|(_, p)| &p.name == target) {
                Some((_, p)) if p.code == e.code && p.alias_of.is_none() => {}
                Some(_) => sink.error(span.clone(), format!("`{}` aliases `{target}` but their codes differ or `{target}` is an alias itself", e.name), "alias a primary name with the same code"),
                None => sink.error(span.clone(), format!("`{}` aliases unknown errno `{target}`", e.name), "name an errno of this table"),
            }
        }
    }
    let mut entries: Vec<ErrnoEntry> = entries.into_iter().map(|(_, e)| e).collect();
    entries.sort_by_key(|e| (e.code, e.alias_of.is_some()));
    Some(ErrnoTable { name, entries })
}

fn read_abi(
    name: String,
    top: &mut Fields<'_, '_>,
    specs: &Specs,
    files: &[SpecFile],
    sink: &mut Sink<'_>,
) -> Option<Abi> {
    let arch_name = top.string(sink, "arch", "\"x86_64\"");
    let arch = arch_name
        .as_ref()
        .and_then(|a| find_arch(specs, files, a, sink));
    let mut regs = |key: &'static str, float: bool, sink: &mut Sink<'_>| -> Vec<String> {
        let list = top.strings(sink, key, if float { r#"["xmm0"]"# } else { r#"["rdi"]"# });
        check_regs(arch, list.as_ref(), float, sink);
        values(list)
    };
    let int_args = regs("int_args", false, sink);
    let float_args = regs("float_args", true, sink);
    let int_ret = regs("int_ret", false, sink);
    let float_ret = regs("float_ret", true, sink);
    let callee_saved = top.strings(sink, "callee_saved", r#"["rbx", "rbp"]"#);
    if let (Some(arch), Some(list)) = (arch, &callee_saved) {
        for r in &list.value {
            unknown_reg(arch, r, sink);
        }
    }
    let slots = top.string(sink, "slots", "\"per_class\"").and_then(|s| match s.value.as_str() {
        "per_class" => Some(SlotModel::PerClass),
        "positional" => Some(SlotModel::Positional),
        other => {
            sink.error(s.span, format!("unknown slot model `{other}`"), "use `per_class` (each register class counted on its own) or `positional` (one slot per argument)");
            None
        }
    });
    let mut partial = Vec::new();
    if let Some(items) = top.array(
        sink,
        "callee_saved_partial",
        "[{ reg = \"v8\", bits = 64 }]",
    ) {
        for item in items {
            let Some(t) = item.get_ref().as_table() else {
                sink.error(
                    item.span(),
                    "`callee_saved_partial` entries must be tables",
                    "write `{ reg = \"v8\", bits = 64 }`",
                );
                continue;
            };
            let mut e = Fields::new(t, item.span(), "callee_saved_partial");
            let reg = e.string(sink, "reg", "\"v8\"");
            let bits = e.int(sink, "bits", 1..513, "64");
            e.finish(sink);
            if let (Some(reg), Some(bits)) = (reg, bits) {
                if let Some(arch) = arch {
                    unknown_reg(arch, &reg, sink);
                }
                partial.push((reg.value, u32::try_from(bits.value).unwrap_or_default()));
            }
        }
    }
    let stack_align = top.int(sink, "stack_align", 1..4097, "16");
    if let Some(a) = &stack_align
        && a.value.count_ones() != 1
    {
        sink.error(
            a.span.clone(),
            format!("stack alignment {} is not a power of two", a.value),
            "use 8, 16 or another power of two",
        );
    }
    let shadow_space = top.int(sink, "shadow_space", 0..4097, "0");
    let red_zone = top.int(sink, "red_zone", 0..4097, "128");
    let indirect = top.string(sink, "indirect_result", "\"rdi\"");
    if let (Some(arch), Some(r)) = (arch, &indirect) {
        unknown_reg(arch, r, sink);
    }
    let variadic = top.string(sink, "variadic", "\"same_as_fixed\"");
    if let (Some(arch), Some(an)) = (arch, &arch_name)
        && !arch.abis.contains(&name)
    {
        sink.error(
            an.span.clone(),
            format!("arch `{}` does not list the convention `{name}`", arch.name),
            format!(
                "add \"{name}\" to `abis` in targets/arch/{}.toml",
                arch.name
            ),
        );
    }
    let u = |v: Option<Sp<i64>>| v.map(|v| u32::try_from(v.value).unwrap_or_default());
    Some(Abi {
        name,
        arch: arch_name?.value,
        int_args,
        float_args,
        slots: slots?,
        int_ret,
        float_ret,
        callee_saved: values(callee_saved),
        callee_saved_partial: partial,
        stack_align: u(stack_align)?,
        shadow_space: u(shadow_space)?,
        red_zone: u(red_zone)?,
        indirect_result: indirect?.value,
        variadic: variadic?.value,
    })
}

/// Whether a file of `kind` called `name` is among those loaded. If it is but
/// the model lacks it, it failed to load and its own errors say why: references
/// to it are not reported again as unknown.
fn given(files: &[SpecFile], kind: SpecKind, name: &str) -> bool {
    files.iter().any(|f| f.kind == kind && f.name == name)
}

fn find_arch<'s>(
    specs: &'s Specs,
    files: &[SpecFile],
    name: &Sp<String>,
    sink: &mut Sink<'_>,
) -> Option<&'s Arch> {
    let found = specs.arch(&name.value);
    if found.is_none() && !given(files, SpecKind::Arch, &name.value) {
        let help = match closest(&name.value, specs.arches.iter().map(|a| a.name.as_str())) {
            Some(s) => format!("did you mean `{s}`?"),
            None => format!("describe its registers in targets/arch/{}.toml", name.value),
        };
        sink.error(
            name.span.clone(),
            format!("unknown arch `{}`", name.value),
            help,
        );
    }
    found
}

fn unknown_reg(arch: &Arch, reg: &Sp<String>, sink: &mut Sink<'_>) -> bool {
    if arch.has_reg(&reg.value) {
        return false;
    }
    let all = arch
        .int_regs
        .iter()
        .chain(&arch.float_regs)
        .map(String::as_str);
    let help = match closest(&reg.value, all) {
        Some(s) => format!(
            "did you mean `{s}`? registers of {} are listed in targets/arch/{}.toml",
            arch.name, arch.name
        ),
        None => format!(
            "use a register listed in targets/arch/{}.toml: {}",
            arch.name,
            arch.int_regs.join(", ")
        ),
    };
    sink.error(
        reg.span.clone(),
        format!("unknown register `{}` for arch {}", reg.value, arch.name),
        help,
    );
    true
}

fn check_regs(
    arch: Option<&Arch>,
    list: Option<&Sp<Vec<Sp<String>>>>,
    float: bool,
    sink: &mut Sink<'_>,
) {
    let (Some(arch), Some(list)) = (arch, list) else {
        return;
    };
    for r in &list.value {
        if unknown_reg(arch, r, sink) {
            continue;
        }
        let class = if float {
            &arch.float_regs
        } else {
            &arch.int_regs
        };
        if !class.contains(&r.value) {
            let want = if float { "a float" } else { "an integer" };
            sink.error(
                r.span.clone(),
                format!("`{}` is not {want} register of {}", r.value, arch.name),
                format!("list {want} register here"),
            );
        }
    }
}

fn read_target(
    name: String,
    file: &SourceFile,
    top: &mut Fields<'_, '_>,
    specs: &Specs,
    files: &[SpecFile],
    sink: &mut Sink<'_>,
) -> Option<Target> {
    let arch_name = top.string(sink, "arch", "\"x86_64\"");
    let arch = arch_name
        .as_ref()
        .and_then(|a| find_arch(specs, files, a, sink));
    let abi = top.string(sink, "abi", "\"sysv\"");
    if let Some(abi) = &abi {
        match specs.abi(&abi.value) {
            None if given(files, SpecKind::Abi, &abi.value) => {}
            None => {
                let help = match closest(&abi.value, specs.abis.iter().map(|a| a.name.as_str())) {
                    Some(s) => format!("did you mean `{s}`?"),
                    None => format!("describe it in targets/abi/{}.toml", abi.value),
                };
                sink.error(
                    abi.span.clone(),
                    format!("unknown ABI `{}`", abi.value),
                    help,
                );
            }
            Some(a) if arch.is_some_and(|arch| arch.name != a.arch) => {
                sink.error(
                    abi.span.clone(),
                    format!(
                        "ABI `{}` is for arch {}, not {}",
                        a.name,
                        a.arch,
                        arch.map_or("", |x| &x.name)
                    ),
                    format!(
                        "name a convention of arch {}: {}",
                        arch.map_or("", |x| &x.name),
                        arch.map_or(String::new(), |x| x.abis.join(", "))
                    ),
                );
            }
            Some(_) => {}
        }
    }
    let errno = top.string(sink, "errno", "\"linux\"");
    if let Some(e) = &errno
        && specs.errno_table(&e.value).is_none()
        && !given(files, SpecKind::Errno, &e.value)
    {
        let help = match closest(&e.value, specs.errno_tables.iter().map(|a| a.name.as_str())) {
            Some(s) => format!("did you mean `{s}`?"),
            None => format!("list the error numbers in targets/errno/{}.toml", e.value),
        };
        sink.error(
            e.span.clone(),
            format!("unknown errno table `{}`", e.value),
            help,
        );
    }
    let cfg = read_cfg(top, arch, sink);
    let syscall = read_syscall(top, arch, sink);
    let provenance = top
        .table(
            sink,
            "provenance",
            "`[provenance]` with `source = \"...\"` and `kernel = \"6.1\"`",
        )
        .map(|mut p| {
            let source = p.string(sink, "source", "\"linux-libc-dev: asm/unistd_64.h\"");
            let kernel = p.string(sink, "kernel", "\"6.1\"");
            p.finish(sink);
            Provenance {
                source: source.map(|s| s.value).unwrap_or_default(),
                kernel: kernel.map(|s| s.value).unwrap_or_default(),
            }
        });
    let ci = top
        .table(
            sink,
            "ci",
            "`[ci]` with `triple = \"x86_64-unknown-linux-gnu\"`",
        )
        .map(|mut c| {
            let triple = c.string(sink, "triple", "\"x86_64-unknown-linux-gnu\"");
            let linker = c.opt_string(sink, "linker", "\"aarch64-linux-gnu-gcc\"");
            let runner = c.opt_string(sink, "runner", "\"qemu-aarch64 -L /usr/aarch64-linux-gnu\"");
            let packages = c.strings(sink, "packages", r#"["qemu-user"]"#);
            c.finish(sink);
            Ci {
                triple: triple.map(|s| s.value).unwrap_or_default(),
                linker: linker.map(|s| s.value).unwrap_or_default(),
                runner: runner.map(|s| s.value).unwrap_or_default(),
                packages: values(packages),
            }
        });
    let calls = read_calls(top, file, syscall.as_ref(), cfg.as_ref(), sink);
    // Only for a known arch: an unknown one has been reported above, at the same place.
    if let (Some(cfg), Some(an), Some(_)) = (&cfg, &arch_name, arch)
        && cfg.arch != an.value
    {
        sink.error(
            an.span.clone(),
            format!(
                "`arch = \"{}\"` but `[cfg] target_arch = \"{}\"`",
                an.value, cfg.arch
            ),
            "the arch file is named after target_arch: make them equal",
        );
    }
    Some(Target {
        name,
        loc: file.loc(0),
        arch: arch_name?.value,
        abi: abi?.value,
        errno: errno?.value,
        cfg: cfg?,
        syscall: syscall?,
        provenance: provenance?,
        ci: ci?,
        calls: calls?,
    })
}

fn read_cfg(top: &mut Fields<'_, '_>, _arch: Option<&Arch>, sink: &mut Sink<'_>) -> Option<Cfg> {
    let mut c = top.table(sink, "cfg", "`[cfg]` with `target_os = \"linux\"`")?;
    let os = c.string(sink, "target_os", "\"linux\"");
    let arch = c.string(sink, "target_arch", "\"x86_64\"");
    let width = c.int(sink, "target_pointer_width", 16..65, "64");
    if let Some(w) = &width
        && ![16, 32, 64].contains(&w.value)
    {
        sink.error(
            w.span.clone(),
            format!("pointer width {} does not exist", w.value),
            "use 16, 32 or 64",
        );
    }
    let endian = c.string(sink, "target_endian", "\"little\"");
    if let Some(e) = &endian
        && e.value != "little"
        && e.value != "big"
    {
        sink.error(
            e.span.clone(),
            format!("unknown endianness `{}`", e.value),
            "use \"little\" or \"big\"",
        );
    }
    c.finish(sink);
    Some(Cfg {
        os: os?.value,
        arch: arch?.value,
        pointer_width: u32::try_from(width?.value).ok()?,
        endian: endian?.value,
    })
}

fn read_syscall(
    top: &mut Fields<'_, '_>,
    arch: Option<&Arch>,
    sink: &mut Sink<'_>,
) -> Option<SyscallConv> {
    let mut s = top.table(sink, "syscall", "`[syscall]` with `kind = \"trap\"`")?;
    let kind = s.string(sink, "kind", "\"trap\"").and_then(|k| match k.value.as_str() {
        "trap" => Some(ConvKind::Trap),
        other => {
            sink.error(k.span, format!("unknown syscall convention kind `{other}`"), "this version supports `trap` (an instruction with number and arguments in registers)");
            None
        }
    });
    let instructions = s.strings(sink, "instructions", r#"["syscall"]"#);
    if let Some(i) = &instructions
        && i.value.is_empty()
    {
        sink.error(
            i.span.clone(),
            "`instructions` is empty",
            "list the instruction(s) that enter the kernel, e.g. [\"syscall\"]",
        );
    }
    let one_reg = |key: &'static str, s: &mut Fields<'_, '_>, sink: &mut Sink<'_>| {
        let r = s.string(sink, key, "\"rax\"");
        if let (Some(r), Some(arch)) = (&r, arch) {
            check_regs(
                Some(arch),
                Some(&Sp {
                    value: vec![r.clone()],
                    span: r.span.clone(),
                }),
                false,
                sink,
            );
        }
        r
    };
    let number = one_reg("number", &mut s, sink);
    let args = s.strings(sink, "args", r#"["rdi", "rsi", "rdx", "r10", "r8", "r9"]"#);
    check_regs(arch, args.as_ref(), false, sink);
    let ret = one_reg("ret", &mut s, sink);
    let clobbers = s.strings(sink, "clobbers", r#"["rcx", "r11"]"#);
    if let (Some(arch), Some(c)) = (arch, &clobbers) {
        for r in &c.value {
            unknown_reg(arch, r, sink);
        }
    }
    if let Some(args) = &args {
        for (i, a) in args.value.iter().enumerate() {
            let dup = args.value[..i].iter().any(|b| b.value == a.value)
                || number.as_ref().is_some_and(|n| n.value == a.value);
            if dup {
                sink.error(
                    a.span.clone(),
                    format!("register `{}` is used twice", a.value),
                    "each argument needs its own register, distinct from the number register",
                );
            }
        }
    }
    let options = s.strings(sink, "options", r#"["nostack", "preserves_flags"]"#);
    if let Some(o) = &options {
        for opt in &o.value {
            if !ASM_OPTIONS.contains(&opt.value.as_str()) {
                let help = match closest(&opt.value, ASM_OPTIONS) {
                    Some(s) => format!("did you mean `{s}`?"),
                    None => format!("allowed: {}", ASM_OPTIONS.join(", ")),
                };
                sink.error(
                    opt.span.clone(),
                    format!("unknown asm option `{}`", opt.value),
                    help,
                );
            }
        }
    }
    let trap = s.string(sink, "trap", "\"ud2\"");
    let errors = read_errors(&mut s, sink);
    s.finish(sink);
    Some(SyscallConv {
        kind: kind?,
        instructions: values(instructions),
        number: number?.value,
        args: values(args),
        ret: ret?.value,
        clobbers: values(clobbers),
        options: values(options),
        trap: trap?.value,
        errors: errors?,
    })
}

fn read_errors(s: &mut Fields<'_, '_>, sink: &mut Sink<'_>) -> Option<ErrorConv> {
    let mut e = s.table(
        sink,
        "errors",
        "`errors = { kind = \"negated_errno\", max = 4095 }`",
    )?;
    let kind = e.string(sink, "kind", "\"negated_errno\"");
    let max = e.int(sink, "max", 1..65_536, "4095");
    e.finish(sink);
    let kind = kind?;
    match kind.value.as_str() {
        "negated_errno" => Some(ErrorConv::NegatedErrno {
            max: u32::try_from(max?.value).ok()?,
        }),
        other => {
            sink.error(
                kind.span,
                format!("unknown error convention `{other}`"),
                "this version supports `negated_errno` (a raw result in [-max, -1] is -errno)",
            );
            None
        }
    }
}

fn read_calls(
    top: &mut Fields<'_, '_>,
    file: &SourceFile,
    syscall: Option<&SyscallConv>,
    cfg: Option<&Cfg>,
    sink: &mut Sink<'_>,
) -> Option<Vec<Call>> {
    let table = top.table(
        sink,
        "calls",
        "`[calls]` with `write = { nr = 1, args = [\"fd: fd\", \"buf: ptr\", \"count: usize\"] }`",
    )?;
    let mut calls: Vec<(std::ops::Range<usize>, Call)> = Vec::new();
    for (k, v) in table.entries() {
        let name = k.get_ref().to_string();
        if !is_ident(&name) {
            sink.error(
                k.span(),
                format!("call name `{name}` is not a Rust identifier"),
                "use letters, digits and `_`, not starting with a digit",
            );
        }
        let Some(t) = v.get_ref().as_table() else {
            sink.error(
                v.span(),
                format!("call `{name}` must be an inline table"),
                format!("write `{name} = {{ nr = 1, args = [\"fd: fd\"] }}`"),
            );
            continue;
        };
        let mut f = Fields::new(t, v.span(), format!("call `{name}`"));
        let nr = f.int(sink, "nr", 0..i64::from(u32::MAX) + 1, "1");
        let args = f.strings(sink, "args", r#"["fd: fd", "buf: ptr"]"#);
        let noreturn = f.opt_bool(sink, "noreturn");
        f.finish(sink);
        let parsed = args
            .as_ref()
            .map(|a| read_args(a, cfg, sink))
            .unwrap_or_default();
        if let (Some(args), Some(sc)) = (&args, syscall)
            && args.value.len() > sc.args.len()
        {
            sink.error(
                args.span.clone(),
                format!("call `{name}` takes {} arguments, but the convention has {} argument registers", args.value.len(), sc.args.len()),
                "drop arguments or add registers to `[syscall] args`",
            );
        }
        let Some(nr) = nr else { continue };
        calls.push((
            nr.span.clone(),
            Call {
                name,
                nr: u32::try_from(nr.value).unwrap_or_default(),
                args: parsed,
                noreturn: noreturn.is_some_and(|n| n.value),
                loc: file.loc(k.span().start),
            },
        ));
    }
    calls.sort_by_key(|(span, c)| (c.nr, span.start));
    for pair in calls.windows(2) {
        let (_, first) = &pair[0];
        let (span, second) = &pair[1];
        if first.nr == second.nr {
            sink.error(
                span.clone(),
                format!(
                    "call number {} is used by both `{}` and `{}`",
                    second.nr, first.name, second.name
                ),
                format!(
                    "`{}` has it at line {}; check the number against the kernel header",
                    first.name, first.loc.line
                ),
            );
        }
    }
    Some(calls.into_iter().map(|(_, c)| c).collect())
}

fn read_args(args: &Sp<Vec<Sp<String>>>, cfg: Option<&Cfg>, sink: &mut Sink<'_>) -> Vec<Arg> {
    let mut out = Vec::new();
    for a in &args.value {
        let Some((name, kind)) = a.value.split_once(':') else {
            sink.error(
                a.span.clone(),
                format!("argument `{}` has no kind", a.value),
                format!("write it as \"{}: usize\" (name: kind)", a.value.trim()),
            );
            continue;
        };
        let (name, kind) = (name.trim(), kind.trim());
        if !is_ident(name) {
            sink.error(
                a.span.clone(),
                format!("argument name `{name}` is not an identifier"),
                "use letters, digits and `_`",
            );
        }
        let Some(&(_, k)) = ArgKind::ALL.iter().find(|(s, _)| *s == kind) else {
            let kinds = ArgKind::ALL.map(|(s, _)| s);
            let help = match closest(kind, kinds) {
                Some(s) => format!("did you mean `{s}`?"),
                None => format!("kinds are: {}", kinds.join(", ")),
            };
            sink.error(
                a.span.clone(),
                format!("unknown argument kind `{kind}`"),
                help,
            );
            continue;
        };
        if let (Some(bits), Some(cfg)) = (k.bits(), cfg)
            && bits > cfg.pointer_width
        {
            sink.error(
                a.span.clone(),
                format!(
                    "a {kind} does not fit one {}-bit register",
                    cfg.pointer_width
                ),
                "split it into two register-sized arguments",
            );
        }
        out.push(Arg {
            name: name.to_owned(),
            kind: k,
        });
    }
    out
}

fn is_ident(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Two targets with the same cfg would both be compiled in.
fn check_targets_distinct(specs: &Specs, files: &[SpecFile], diags: &mut Vec<Diagnostic>) {
    for (i, t) in specs.targets.iter().enumerate() {
        if let Some(other) = specs.targets[..i]
            .iter()
            .find(|o| o.cfg == t.cfg || o.name == t.name)
        {
            let Some(f) = files
                .iter()
                .find(|f| f.kind == SpecKind::Target && f.source.path == t.loc.path)
            else {
                continue;
            };
            let at = f.source.text.find("[cfg]").unwrap_or(0);
            let (message, help) = if other.name == t.name {
                (
                    format!("target `{}` is defined twice", t.name),
                    format!("remove one of {} and {}", t.loc.path, other.loc.path),
                )
            } else {
                let c = &t.cfg;
                (
                    format!(
                        "targets `{}` and `{}` have the same cfg",
                        other.name, t.name
                    ),
                    format!(
                        "both would be compiled for target_os = \"{}\", target_arch = \"{}\", target_pointer_width = {}, target_endian = \"{}\"; change the cfg of one or remove one of {} and {}",
                        c.os, c.arch, c.pointer_width, c.endian, other.loc.path, t.loc.path
                    ),
                )
            };
            diags.push(Diagnostic::new(&f.source, at..at + 5, message).help(help));
        }
    }
}
