//! Loading and validating spec files. Files are read in dependency order
//! (arch, errno, abi, then targets) so each check sees what it refers to; every
//! problem of every file is collected before anything is returned.

use std::path::Path;

use toml::de::DeTable;

use crate::diag::{Diagnostic, Diagnostics, SourceFile, closest};
use crate::model::{Abi, Arch, ErrnoEntry, ErrnoTable, SlotModel, Specs};
use crate::read::{Fields, Sink, Sp};

mod constants;
mod extend;
mod layouts;
mod number_reserved;
mod target;
mod via;
use target::read_target;

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
/// in `abi/`, `arch/` and `errno/`. A top-level file with `extends =
/// "<target>"` is an extension: its `[calls]` are added to that target. Paths in diagnostics are shown as
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
        // Extension files add calls to targets: they come after every target.
        let (extensions, own): (Vec<&SpecFile>, Vec<&SpecFile>) = files
            .iter()
            .filter(|f| f.kind == kind)
            .partition(|f| extend::is_extension(f));
        for f in own.into_iter().chain(extensions) {
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
            if let Some(base) = top.opt_string(sink, "extends", "\"linux-x86_64\"") {
                extend::read_extension(base, &f.source, &mut top, specs, sink);
            } else if let Some(t) = read_target(name, &f.source, &mut top, specs, files, sink) {
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
    let special = read_special(top, sink);
    let links: Vec<String> = special
        .iter()
        .filter(|(class, _)| class == "link")
        .flat_map(|(_, regs)| regs.iter().cloned())
        .collect();
    let asm = crate::trampoline::read_asm(top, sink, int.as_ref(), float.as_ref(), &links);
    let flags = read_flags(top, sink);
    let (int, float, abis) = (int?, float?, abis?);
    Some(Arch {
        name,
        int_regs: values(Some(int)),
        float_regs: values(Some(float)),
        abis: values(Some(abis)),
        asm,
        special,
        flags,
    })
}

/// The register classes of `[special]` (clobber-only registers).
const SPECIAL_CLASSES: [&str; 4] = ["link", "count", "condition", "fixed_point_exception"];

/// The optional `[special]` table: `class = ["reg", ...]`.
fn read_special(top: &mut Fields<'_, '_>, sink: &mut Sink<'_>) -> Vec<(String, Vec<String>)> {
    let Some(mut t) = top.opt_table(sink, "special", "`[special]` with `link = [\"lr\"]`") else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for class in SPECIAL_CLASSES {
        if let Some(regs) = t.opt_strings(sink, class, r#"["lr"]"#) {
            out.push((class.to_owned(), values(Some(regs))));
        }
    }
    t.finish(sink);
    out
}

/// The optional `[flags]` table: `name = { read = ["mfcr {out}"], mask = 0x10000000 }`.
fn read_flags(top: &mut Fields<'_, '_>, sink: &mut Sink<'_>) -> Vec<crate::model::FlagRead> {
    let example = "`[flags]` with `cr0_so = { read = [\"mfcr {out}\"], mask = 0x10000000 }`";
    let Some(table) = top.opt_table(sink, "flags", example) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (k, v) in table.entries() {
        let name = k.get_ref().to_string();
        let Some(t) = v.get_ref().as_table() else {
            sink.error(
                v.span(),
                format!("flag `{name}` must be an inline table"),
                format!("write `{name} = {{ read = [\"...{{out}}\"], mask = 0x1 }}`"),
            );
            continue;
        };
        let mut f = Fields::new(t, v.span(), format!("flag `{name}`"));
        let read = f.strings(sink, "read", r#"["mfcr {out}"]"#);
        let mask = f.int(sink, "mask", 1..i64::MAX, "0x10000000");
        let negate = f.opt_strings(sink, "negate", r#"["bns 1f", "neg {reg}, {reg}", "1:"]"#);
        f.finish(sink);
        let (Some(read), Some(mask)) = (read, mask) else {
            continue;
        };
        if !read.value.iter().any(|l| l.value.contains("{out}")) {
            sink.error(
                read.span.clone(),
                format!("flag `{name}`: no line writes `{{out}}`"),
                "copy the flag's register into `{out}`, e.g. \"mfcr {out}\"",
            );
            continue;
        }
        if let Some(n) = &negate
            && !n.value.iter().any(|l| l.value.contains("{reg}"))
        {
            sink.error(
                n.span.clone(),
                format!("flag `{name}`: no line of `negate` names `{{reg}}`"),
                "negate the result register `{reg}` when the flag is set, e.g. [\"bns 1f\", \"neg {reg}, {reg}\", \"1:\"]",
            );
            continue;
        }
        out.push(crate::model::FlagRead {
            name,
            negate: values(negate),
            read: values(Some(read)),
            mask: u64::try_from(mask.value).unwrap_or_default(),
        });
    }
    out
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
        let kind = e.opt_string(sink, "kind", "\"NotFound\"");
        let kind = read_error_kind(kind, alias.is_some(), k.get_ref(), sink);
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
                    kind,
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
    // An alias follows its primary (same code, sorted first): it has its kind.
    for i in 1..entries.len() {
        if entries[i].alias_of.is_some() && entries[i - 1].code == entries[i].code {
            entries[i].kind = entries[i - 1].kind.clone();
        }
    }
    Some(ErrnoTable { name, entries })
}

/// An errno entry's `kind`: one of the portable classes; an alias takes its
/// primary's and may not give one.
fn read_error_kind(
    kind: Option<Sp<String>>,
    alias: bool,
    name: &str,
    sink: &mut Sink<'_>,
) -> String {
    use crate::error_kind::{NAMES, UNCATEGORIZED};
    let Some(kind) = kind else {
        return UNCATEGORIZED.to_owned();
    };
    if alias {
        sink.error(
            kind.span,
            format!("`{name}` is an alias: it has the kind of the code it aliases"),
            "remove `kind` here; give it on the primary name",
        );
    } else if !NAMES.contains(&kind.value.as_str()) {
        let help = match closest(&kind.value, NAMES) {
            Some(s) => format!("did you mean `{s}`?"),
            None => format!("the kinds are: {}", NAMES.join(", ")),
        };
        sink.error(
            kind.span,
            format!("unknown error kind `{}`", kind.value),
            help,
        );
    } else {
        return kind.value;
    }
    UNCATEGORIZED.to_owned()
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
        "wasm_values" => Some(SlotModel::WasmValues),
        "gpr_positions" => Some(SlotModel::GprPositions),
        other => {
            sink.error(s.span, format!("unknown slot model `{other}`"), "use `per_class` (each register class counted on its own), `positional` (one slot per argument), `gpr_positions` (ELFv2: each argument at its position, floats in float registers in order) or `wasm_values` (no registers: wasm values)");
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
    // `first_param`: the address travels as a hidden first argument (wasm has no registers).
    if let (Some(arch), Some(r)) = (arch, indirect.as_ref().filter(|r| r.value != "first_param")) {
        unknown_reg(arch, r, sink);
    }
    let variadic = top.string(sink, "variadic", "\"same_as_fixed\"");
    if let Some(v) = &variadic {
        crate::trampoline::check_variadic(v, sink);
    }
    let facts = crate::trampoline::read_call_facts(top, sink, arch, &int_args);
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
        facts,
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

/// How to write a name that must be a Rust identifier.
const IDENT_FIX: &str = "use letters, digits and `_`, not starting with a digit";

/// The key of an entry in a table whose keys are data (calls, `[via]`,
/// layouts, constants): each names a generated Rust item, so a key that is not
/// an identifier is reported at its span. Returns the name, and whether it is
/// one.
fn ident_key(
    key: &toml::Spanned<std::borrow::Cow<'_, str>>,
    what: &str,
    fix: &str,
    sink: &mut Sink<'_>,
) -> (String, bool) {
    let name = key.get_ref().to_string();
    let ok = is_ident(&name);
    if !ok {
        sink.error(
            key.span(),
            format!("{what} `{name}` is not a Rust identifier"),
            fix,
        );
    }
    (name, ok)
}

/// The value of a data-keyed entry that must be a table, or an error at its
/// span saying so (`message`) and how to write it (`fix`).
fn entry_table<'t, 'i>(
    value: &'t toml::Spanned<toml::de::DeValue<'i>>,
    message: impl FnOnce() -> String,
    fix: impl FnOnce() -> String,
    sink: &mut Sink<'_>,
) -> Option<&'t DeTable<'i>> {
    let t = value.get_ref().as_table();
    if t.is_none() {
        sink.error(value.span(), message(), fix());
    }
    t
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

/// What the loader's unit tests share.
#[cfg(test)]
pub(crate) mod tests_support {
    use std::path::Path;

    /// The minimal spec folder with `extra` appended to its target file.
    pub(crate) fn load_with(extra: &str) -> Result<crate::Specs, crate::Diagnostics> {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/minimal_spec");
        let mut files = crate::read_dir(&dir, "targets").unwrap();
        for f in &mut files {
            if f.kind == crate::SpecKind::Target {
                f.source.text.push_str(extra);
            }
        }
        crate::load(&files)
    }
}
