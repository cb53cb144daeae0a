//! Reading a target file: its cfg, its system-call convention (trap, import or
//! call) and its call table, checked against the arch, ABI and errno files.

use crate::diag::{SourceFile, closest};
use crate::model::{
    Arch, Arg, ArgKind, Call, Cfg, Ci, ConvKind, ErrorConv, Excluded, PairRule, Provenance,
    Reserved, Specs, SyscallConv, Target, VdsoSymbol,
};
use crate::read::{Fields, Sink, Sp};

use super::{
    ASM_OPTIONS, IDENT_FIX, SpecFile, SpecKind, check_regs, entry_table, find_arch, given,
    ident_key, is_ident, unknown_reg, values,
};

fn top_span(_file: &SourceFile) -> std::ops::Range<usize> {
    0..0
}

pub(super) fn read_target(
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
    let syscall = read_syscall(top, arch, cfg.as_ref().map(|c| c.endian.as_str()), sink);
    let provenance = top
        .table(
            sink,
            "provenance",
            "`[provenance]` with `source = \"...\"` and `kernel = \"6.1\"`",
        )
        .map(|mut p| {
            let source = p.string(sink, "source", "\"linux-libc-dev: asm/unistd_64.h\"");
            let kernel = p.string(sink, "kernel", "\"6.1\"");
            let provenance = read_provenance_sources(&mut p, sink);
            p.finish(sink);
            Provenance {
                source: source.map(|s| s.value).unwrap_or_default(),
                kernel: kernel.map(|s| s.value).unwrap_or_default(),
                ..provenance
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
            let more_triples = c.opt_strings(
                sink,
                "more_triples",
                r#"["thumbv7neon-unknown-linux-gnueabihf"]"#,
            );
            let linker = c.opt_string(sink, "linker", "\"aarch64-linux-gnu-gcc\"");
            let runner = c.opt_string(sink, "runner", "\"qemu-aarch64 -L /usr/aarch64-linux-gnu\"");
            let fallback_runner = c.opt_string(
                sink,
                "fallback_runner",
                "\"qemu-i386 -L /usr/i686-linux-gnu\"",
            );
            let rust_targets = c.opt_strings(sink, "rust_targets", r#"["x86_64-unknown-none"]"#);
            let setup_actions = c.opt_strings(
                sink,
                "setup_actions",
                r#"["actions/setup-node@v4 node-version=20"]"#,
            );
            let packages = c.strings(sink, "packages", r#"["qemu-user"]"#);
            let tests = c.opt_strings(sink, "tests", r#"["linux", "platform"]"#);
            let examples = c.opt_strings(sink, "examples", r#"["portable"]"#);
            c.finish(sink);
            Ci {
                triple: triple.map(|s| s.value).unwrap_or_default(),
                more_triples: values(more_triples),
                linker: linker.map(|s| s.value).unwrap_or_default(),
                runner: runner.map(|s| s.value).unwrap_or_default(),
                fallback_runner: fallback_runner.map(|s| s.value).unwrap_or_default(),
                rust_targets: values(rust_targets),
                setup_actions: values(setup_actions),
                packages: values(packages),
                tests: values(tests),
                examples: values(examples),
            }
        });
    let calls = read_calls(top, file, syscall.as_ref(), cfg.as_ref(), sink);
    let excluded = read_excluded(top, file, syscall.as_ref(), calls.as_deref(), sink);
    let constants = super::constants::read_constants(top, file, sink);
    let entry = read_entry(top, sink);
    let layouts = super::layouts::read_layouts(
        top,
        file,
        cfg.as_ref().map_or(64, |c| c.pointer_width),
        sink,
    );
    let via = super::via::read_via(
        top,
        file,
        syscall.as_ref(),
        cfg.as_ref(),
        calls.as_deref().unwrap_or_default(),
        sink,
    );
    let vdso = read_vdso(top, calls.as_deref().unwrap_or_default(), &via, sink);
    if let (Some(sc), Some(calls)) = (&syscall, &calls) {
        check_last_error(top_span(file), file, sc, calls, sink);
    }
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
        excluded,
        constants,
        entry,
        vdso,
        layouts,
        via,
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
    endian: Option<&str>,
    sink: &mut Sink<'_>,
) -> Option<SyscallConv> {
    let mut s = top.table(sink, "syscall", "`[syscall]` with `kind = \"trap\"`")?;
    let kind = s.string(sink, "kind", "\"trap\"").and_then(|k| match k.value.as_str() {
        "trap" => Some(ConvKind::Trap),
        "import" => Some(ConvKind::Import),
        "call" => Some(ConvKind::Call),
        other => {
            sink.error(
                k.span,
                format!("unknown syscall convention kind `{other}`"),
                "use `trap` (an instruction, number and arguments in registers), `import` (a wasm import) or `call` (a system library function)",
            );
            None
        }
    });
    match kind? {
        ConvKind::Trap => {}
        other => {
            let conv = read_linked(&mut s, other, sink);
            s.finish(sink);
            return conv;
        }
    }
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
        check_asm_options(o, sink);
    }
    let trap = s.string(sink, "trap", "\"ud2\"");
    let assembler = s.opt_strings(sink, "assembler", r#"[".intel_syntax noprefix"]"#);
    if let Some(a) = &assembler {
        for d in a
            .value
            .iter()
            .filter(|d| !d.value.trim_start().starts_with('.'))
        {
            sink.error(
                d.span.clone(),
                format!("`{}` is not an assembler directive", d.value),
                "list directives only, e.g. \".intel_syntax noprefix\"",
            );
        }
    }
    let (errors, flag) = read_trap_errors(&mut s, arch, sink);
    let pairs = read_pairs(&mut s, endian, sink);
    let reserved = read_reserved(&mut s, arch, number.as_ref(), sink);
    let number_reserved =
        super::number_reserved::read(&mut s, arch, number.as_ref(), args.as_ref(), sink);
    if reserved.is_some() && number_reserved.is_some() {
        sink.error(
            s.span(),
            "`reserved` and `number_reserved` together",
            "a reserved-register block travels in the number register, which `number_reserved` takes away: use one of them",
        );
    }
    s.finish(sink);
    Some(SyscallConv {
        kind: ConvKind::Trap,
        module: String::new(),
        rust_abi: String::new(),
        last_error: String::new(),
        instructions: values(instructions),
        assembler: values(assembler),
        number: number?.value,
        args: values(args),
        ret: ret?.value,
        clobbers: values(clobbers),
        options: values(options),
        trap: trap?.value,
        errors: errors?,
        flag_read: flag.read,
        flag_negate: flag.negate,
        flag_max: flag.max,
        reserved,
        number_reserved,
        pairs,
    })
}

/// `[syscall]` of an import or call convention: no registers, but a module
/// (import) or a Rust ABI and a last-error call (call).
fn read_linked(s: &mut Fields<'_, '_>, kind: ConvKind, sink: &mut Sink<'_>) -> Option<SyscallConv> {
    let (module, last_error) = if kind == ConvKind::Import {
        (s.string(sink, "module", "\"wasi_snapshot_preview1\""), None)
    } else {
        (None, s.string(sink, "last_error", "\"GetLastError\""))
    };
    let rust_abi = s.string(sink, "rust_abi", "\"C\"");
    if let Some(a) = &rust_abi
        && !RUST_ABIS.contains(&a.value.as_str())
    {
        sink.error(
            a.span.clone(),
            format!("unknown Rust ABI `{}`", a.value),
            format!("use one Rust's `extern` accepts: {}", RUST_ABIS.join(", ")),
        );
    }
    let errors = read_errors(s, kind, sink);
    Some(SyscallConv {
        kind,
        module: module.map(|m| m.value).unwrap_or_default(),
        rust_abi: rust_abi?.value,
        last_error: last_error.map(|l| l.value).unwrap_or_default(),
        instructions: Vec::new(),
        assembler: Vec::new(),
        number: String::new(),
        args: Vec::new(),
        ret: String::new(),
        clobbers: Vec::new(),
        options: Vec::new(),
        trap: String::new(),
        errors: errors?,
        flag_read: Vec::new(),
        flag_negate: Vec::new(),
        flag_max: None,
        reserved: None,
        number_reserved: None,
        pairs: None,
    })
}

/// The optional `reserved = { regs = [...], before = [...], after = [...], options = [...] }`
/// of a trap convention.
fn read_reserved(
    s: &mut Fields<'_, '_>,
    arch: Option<&Arch>,
    number: Option<&Sp<String>>,
    sink: &mut Sink<'_>,
) -> Option<Reserved> {
    let example = "`reserved = { regs = [\"esi\", \"ebp\"], before = [...], after = [...], options = [\"preserves_flags\"] }`";
    let mut r = s.opt_table(sink, "reserved", example)?;
    let regs = r.strings(sink, "regs", r#"["esi", "ebp"]"#);
    let before = r.strings(
        sink,
        "before",
        r#"["push esi", "mov esi, [eax + {esi}]", "mov eax, [eax + {number}]"]"#,
    );
    let after = r.strings(sink, "after", r#"["pop esi"]"#);
    let options = r.strings(sink, "options", r#"["preserves_flags"]"#);
    let alone = read_reserved_alone(&mut r, number, sink);
    r.finish(sink);
    let (regs, before, after, options) = (regs?, before?, after?, options?);
    if let Some(arch) = arch {
        for reg in &regs.value {
            unknown_reg(arch, reg, sink);
        }
    }
    let names: Vec<&str> = regs
        .value
        .iter()
        .map(|r| r.value.as_str())
        .chain(["number"])
        .collect();
    for line in before.value.iter().chain(&after.value) {
        for name in placeholders(&line.value) {
            if !names.contains(&name) {
                let help = match closest(name, names.iter().copied()) {
                    Some(s) => format!("did you mean `{{{s}}}`?"),
                    None => format!("placeholders here: {{{}}}", names.join("} {")),
                };
                sink.error(
                    line.span.clone(),
                    format!("unknown placeholder `{{{name}}}`"),
                    help,
                );
            }
        }
    }
    let loads_number = before.value.iter().any(|l| l.value.contains("{number}"));
    if !loads_number {
        sink.error(
            before.span.clone(),
            "`before` never loads the call number",
            format!(
                "the block's address comes in {}: load the number from it, e.g. \"mov {0}, [{0} + {{number}}]\"",
                number.map_or("the number register", |n| n.value.as_str())
            ),
        );
    }
    check_asm_options(&options, sink);
    Some(Reserved {
        regs: values(Some(regs)),
        before: values(Some(before)),
        after: values(Some(after)),
        options: values(Some(options)),
        alone,
    })
}

/// The optional `alone = { before = [...], after = [...] }` of `reserved`.
fn read_reserved_alone(
    r: &mut Fields<'_, '_>,
    number: Option<&Sp<String>>,
    sink: &mut Sink<'_>,
) -> Option<crate::model::ReservedAlone> {
    let example = r#"`alone = { before = ["push {reg}", "mov {reg}, eax", "mov eax, {nr}"], after = ["pop {reg}"] }`"#;
    let mut a = r.opt_table(sink, "alone", example)?;
    let before = a.strings(
        sink,
        "before",
        r#"["push {reg}", "mov {reg}, eax", "mov eax, {nr}"]"#,
    );
    let after = a.strings(sink, "after", r#"["pop {reg}"]"#);
    a.finish(sink);
    let (before, after) = (before?, after?);
    let names = ["reg", "nr"];
    for line in before.value.iter().chain(&after.value) {
        for name in placeholders(&line.value) {
            if !names.contains(&name) {
                let help = match closest(name, names.iter().copied()) {
                    Some(s) => format!("did you mean `{{{s}}}`?"),
                    None => "placeholders here: {reg} (the reserved register) and {nr} (the call number)".to_owned(),
                };
                sink.error(
                    line.span.clone(),
                    format!("unknown placeholder `{{{name}}}`"),
                    help,
                );
            }
        }
    }
    let has = |p: &str| before.value.iter().any(|l| l.value.contains(p));
    if !has("{nr}") || !has("{reg}") {
        sink.error(
            before.span.clone(),
            "`before` must move the value into `{reg}` and load the number `{nr}`",
            format!(
                "the value comes in {}: e.g. [\"push {{reg}}\", \"mov {{reg}}, {0}\", \"mov {0}, {{nr}}\"]",
                number.map_or("the number register", |n| n.value.as_str())
            ),
        );
    }
    Some(crate::model::ReservedAlone {
        before: values(Some(before)),
        after: values(Some(after)),
    })
}

/// Reports every option of `options` that `asm!` does not know.
pub(super) fn check_asm_options(options: &Sp<Vec<Sp<String>>>, sink: &mut Sink<'_>) {
    for opt in &options.value {
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

/// The `{name}`s of a template line.
fn placeholders(line: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = line;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else { break };
        out.push(&after[..close]);
        rest = &after[close + 1..];
    }
    out
}

/// The optional `pairs = { align = "even" | "none", order = "low_first" | "high_first" }`
/// of a trap convention: how a 64-bit argument takes two registers. `order`
/// defaults to the target's byte order.
fn read_pairs(
    s: &mut Fields<'_, '_>,
    endian: Option<&str>,
    sink: &mut Sink<'_>,
) -> Option<PairRule> {
    let mut p = s.opt_table(sink, "pairs", "`pairs = { align = \"even\" }`")?;
    let align = p.string(sink, "align", "\"even\"");
    let order = p.opt_string(sink, "order", "\"low_first\"");
    p.finish(sink);
    let align = align?;
    let even = match align.value.as_str() {
        "even" => true,
        "none" => false,
        other => {
            let help = match closest(other, ["even", "none"]) {
                Some(s) => format!("did you mean `{s}`? "),
                None => String::new(),
            };
            sink.error(
                align.span.clone(),
                format!("unknown pair alignment `{other}`"),
                format!("{help}use `even` (a pair starts at an even argument register, as on Arm EABI) or `none` (the next two registers)"),
            );
            return None;
        }
    };
    let low_first = match order {
        None => endian != Some("big"),
        Some(o) => match o.value.as_str() {
            "low_first" => true,
            "high_first" => false,
            other => {
                sink.error(
                    o.span.clone(),
                    format!("unknown word order `{other}`"),
                    "use `low_first` or `high_first`, or leave `order` out to follow the target's byte order",
                );
                return None;
            }
        },
    };
    Some(PairRule { even, low_first })
}

/// Rust ABI strings an import declaration may use.
const RUST_ABIS: [&str; 5] = ["C", "system", "win64", "sysv64", "efiapi"];

/// `errors` of a trap convention: `negated_errno` (with `max`), or `flag`
/// (with the `flag` of the arch file's `[flags]` that is set on failure).
fn read_trap_errors(
    s: &mut Fields<'_, '_>,
    arch: Option<&Arch>,
    sink: &mut Sink<'_>,
) -> (Option<ErrorConv>, FlagUse) {
    let example = "`errors = { kind = \"negated_errno\", max = 4095 }` or `errors = { kind = \"flag\", flag = \"cr0_so\", max = 4095 }`";
    let Some(mut e) = s.table(sink, "errors", example) else {
        return (None, FlagUse::default());
    };
    let name = e.string(sink, "kind", "\"negated_errno\"");
    let kind = name.as_ref().map(|n| n.value.as_str());
    let max = (kind == Some("negated_errno")).then(|| e.int(sink, "max", 1..65_536, "4095"));
    let flag = (kind == Some("flag")).then(|| e.string(sink, "flag", "\"cr0_so\""));
    let flag_max = if kind == Some("flag") {
        e.opt_int(sink, "max", 1..65_536, "4095")
            .and_then(|m| u32::try_from(m.value).ok())
    } else {
        None
    };
    e.finish(sink);
    match (kind, max, flag) {
        (Some("negated_errno"), Some(max), _) => (
            max.and_then(|m| u32::try_from(m.value).ok())
                .map(|max| ErrorConv::NegatedErrno { max }),
            FlagUse::default(),
        ),
        (Some("flag"), _, Some(flag)) => {
            let (Some(flag), Some(arch)) = (flag, arch) else {
                return (None, FlagUse::default());
            };
            match arch.flags.iter().find(|f| f.name == flag.value) {
                Some(f) => (
                    Some(ErrorConv::Flag { mask: f.mask }),
                    FlagUse {
                        read: f.read.clone(),
                        negate: f.negate.clone(),
                        max: flag_max,
                    },
                ),
                None => {
                    let help = match closest(
                        &flag.value,
                        arch.flags.iter().map(|f| f.name.as_str()),
                    ) {
                        Some(s) => format!("did you mean `{s}`?"),
                        None => format!(
                            "say how to read it in targets/arch/{}.toml: `[flags] {} = {{ read = [\"...{{out}}\"], mask = 0x1 }}`",
                            arch.name, flag.value
                        ),
                    };
                    sink.error(
                        flag.span.clone(),
                        format!("arch {} has no flag `{}`", arch.name, flag.value),
                        help,
                    );
                    (None, FlagUse::default())
                }
            }
        }
        (Some(_), _, _) => (
            name.as_ref().and_then(|n| error_conv(n, sink)),
            FlagUse::default(),
        ),
        (None, _, _) => (None, FlagUse::default()),
    }
}

/// What a `flag` error kind takes from the arch's `[flags]` entry and the
/// target's `errors` table.
#[derive(Debug, Default)]
struct FlagUse {
    read: Vec<String>,
    negate: Vec<String>,
    max: Option<u32>,
}

fn read_errors(s: &mut Fields<'_, '_>, kind: ConvKind, sink: &mut Sink<'_>) -> Option<ErrorConv> {
    let example = match kind {
        ConvKind::Trap => "`errors = { kind = \"negated_errno\", max = 4095 }`",
        ConvKind::Import => "`errors = { kind = \"returned_errno\" }`",
        ConvKind::Call => "`errors = { kind = \"bool_false\" }`",
    };
    let mut e = s.table(sink, "errors", example)?;
    let name = e.string(sink, "kind", "\"negated_errno\"");
    let max = if name.as_ref().is_some_and(|n| n.value == "negated_errno") {
        e.int(sink, "max", 1..65_536, "4095")
    } else {
        None
    };
    e.finish(sink);
    let name = name?;
    if name.value == "negated_errno" {
        return Some(ErrorConv::NegatedErrno {
            max: u32::try_from(max?.value).ok()?,
        });
    }
    error_conv(&name, sink)
}

fn error_conv(name: &Sp<String>, sink: &mut Sink<'_>) -> Option<ErrorConv> {
    if let Some(&(_, conv)) = ErrorConv::NAMED.iter().find(|(n, _)| *n == name.value) {
        return Some(conv);
    }
    let names: Vec<&str> = ErrorConv::NAMED.iter().map(|(n, _)| *n).collect();
    let help = match closest(&name.value, names.iter().copied()) {
        Some(s) => format!("did you mean `{s}`?"),
        None => format!("use negated_errno or one of: {}", names.join(", ")),
    };
    sink.error(
        name.span.clone(),
        format!("unknown error convention `{}`", name.value),
        help,
    );
    None
}

pub(super) fn parse_kind(s: &Sp<String>, sink: &mut Sink<'_>) -> Option<ArgKind> {
    if let Some(&(_, k)) = ArgKind::ALL.iter().find(|(n, _)| *n == s.value) {
        return Some(k);
    }
    let kinds = ArgKind::ALL.map(|(n, _)| n);
    let help = match closest(&s.value, kinds) {
        Some(k) => format!("did you mean `{k}`?"),
        None => format!("kinds are: {}", kinds.join(", ")),
    };
    sink.error(s.span.clone(), format!("unknown kind `{}`", s.value), help);
    None
}

pub(super) fn read_calls(
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
    let kind = syscall.map(|s| s.kind);
    let mut calls: Vec<(std::ops::Range<usize>, Call)> = Vec::new();
    for (k, v) in table.entries() {
        let (name, _) = ident_key(k, "call name", IDENT_FIX, sink);
        let Some(t) = entry_table(
            v,
            || format!("call `{name}` must be an inline table"),
            || format!("write `{name} = {{ nr = 1, args = [\"fd: fd\"] }}`"),
            sink,
        ) else {
            continue;
        };
        let mut f = Fields::new(t, v.span(), format!("call `{name}`"));
        let nr = match kind {
            Some(ConvKind::Trap) | None => f.int(sink, "nr", 0..i64::from(u32::MAX) + 1, "1"),
            _ => Some(Sp {
                value: 0,
                span: k.span(),
            }),
        };
        let args = f.strings(sink, "args", r#"["fd: fd", "buf: ptr"]"#);
        let noreturn = f.opt_bool(sink, "noreturn");
        let unverified = f.opt_string(sink, "unverified", "\"not in the mingw-w64 10 headers\"");
        let mut call = Call {
            name: name.clone(),
            nr: 0,
            args: Vec::new(),
            symbol: String::new(),
            library: String::new(),
            ret: None,
            results: Vec::new(),
            errors: syscall.map_or(ErrorConv::Never, |s| s.errors),
            noreturn: noreturn.is_some_and(|n| n.value),
            unverified: unverified.and_then(|u| non_empty_reason(u, "unverified", sink)),
            loc: file.loc(k.span().start),
        };
        if let (Some(kind @ (ConvKind::Import | ConvKind::Call)), Some(sc)) = (kind, syscall) {
            read_linked_call(&mut f, kind, sc, cfg, &mut call, sink);
        }
        f.finish(sink);
        let pairs = syscall.and_then(|s| s.pairs);
        call.args = args
            .as_ref()
            .map(|a| read_args(a, cfg, kind == Some(ConvKind::Trap), pairs.is_some(), sink))
            .unwrap_or_default();
        if let (Some(args), Some(sc), Some(ConvKind::Trap)) = (&args, syscall, kind) {
            let used = register_count(&call.args, cfg, pairs);
            if used > sc.args.len() {
                let pair_note = if used == args.value.len() {
                    String::new()
                } else {
                    " (64-bit arguments take register pairs)".to_owned()
                };
                sink.error(
                    args.span.clone(),
                    format!(
                        "call `{name}` needs {used} argument registers{pair_note}, but the convention has {}",
                        sc.args.len()
                    ),
                    "drop arguments, add registers to `[syscall] args`, or make the call through another entry ([via])",
                );
            }
        }
        let Some(nr) = nr else { continue };
        call.nr = u32::try_from(nr.value).unwrap_or_default();
        calls.push((nr.span.clone(), call));
    }
    if matches!(kind, Some(ConvKind::Import | ConvKind::Call)) {
        // No numbers: the position in the (name-sorted) table stands in.
        for (i, (_, c)) in calls.iter_mut().enumerate() {
            c.nr = u32::try_from(i).unwrap_or(u32::MAX);
        }
        return Some(calls.into_iter().map(|(_, c)| c).collect());
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

/// The keys of an import or call entry: `import` (the symbol, default: the
/// name), `dll` (call kind), `ret`, `results` (import kind) and `fails`.
fn read_linked_call(
    f: &mut Fields<'_, '_>,
    kind: ConvKind,
    sc: &SyscallConv,
    cfg: Option<&Cfg>,
    call: &mut Call,
    sink: &mut Sink<'_>,
) {
    let symbol = f.opt_string(sink, "import", "\"WriteFile\"");
    call.symbol = symbol.map_or_else(|| call.name.clone(), |s| s.value);
    if kind == ConvKind::Call {
        call.library = f
            .string(sink, "dll", "\"kernel32\"")
            .map(|d| d.value)
            .unwrap_or_default();
        call.ret = f
            .opt_string(sink, "ret", "\"i32\"")
            .and_then(|r| parse_kind(&r, sink));
    } else {
        call.library.clone_from(&sc.module);
        // An import returns its errno as a wasm i32 unless the entry says otherwise.
        call.ret = match f.opt_string(sink, "ret", "\"i32\"") {
            Some(r) => parse_kind(&r, sink),
            None => Some(ArgKind::I32),
        };
        if let Some(results) = f.opt_strings(sink, "results", r#"["nwritten: usize"]"#) {
            call.results = read_args(&results, cfg, false, false, sink);
        }
    }
    if let Some(fails) = f.opt_string(sink, "fails", "\"bool_false\"")
        && let Some(conv) = error_conv(&fails, sink)
    {
        call.errors = conv;
    }
    if call.errors.uses_last_error()
        && call.ret.is_none()
        && kind == ConvKind::Call
        && !call.noreturn
    {
        sink.error(
            f.span(),
            format!(
                "call `{}` reports failure through its return value, but has no `ret`",
                call.name
            ),
            "add the return kind, e.g. `ret = \"i32\"` for a BOOL, or `fails = \"never\"`",
        );
    }
}

/// The last-error call of a call convention must be in the table, take no
/// arguments and return a code.
fn check_last_error(
    _span: std::ops::Range<usize>,
    file: &SourceFile,
    sc: &SyscallConv,
    calls: &[Call],
    sink: &mut Sink<'_>,
) {
    if sc.kind != ConvKind::Call {
        return;
    }
    let at = file.text.find("last_error").unwrap_or(0);
    match calls.iter().find(|c| c.name == sc.last_error) {
        None => sink.error(
            at..at + "last_error".len(),
            format!("`last_error = \"{}\"` names no call of this table", sc.last_error),
            format!("add `{} = {{ dll = \"...\", args = [], ret = \"u32\", fails = \"never\" }}` to [calls]", sc.last_error),
        ),
        Some(c) if !c.args.is_empty() || c.ret.is_none() => sink.error(
            at..at + "last_error".len(),
            format!("the last-error call `{}` must take no arguments and return a code", c.name),
            format!("declare it as `{} = {{ dll = \"...\", args = [], ret = \"u32\", fails = \"never\" }}`", c.name),
        ),
        Some(_) => {}
    }
}

/// How many argument registers `args` take on a target: one each, two for a
/// 64-bit argument on a narrower register (plus any skipped for alignment).
pub(super) fn register_count(args: &[Arg], cfg: Option<&Cfg>, pairs: Option<PairRule>) -> usize {
    let width = cfg.map_or(64, |c| c.pointer_width);
    match pairs {
        Some(rule) => rule.layout(args.iter().map(|a| is_wide(a.kind, width))).1,
        None => args.len(),
    }
}

/// Whether a value of `kind` needs two registers of `width` bits.
fn is_wide(kind: ArgKind, width: u32) -> bool {
    kind.bits().is_some_and(|b| b > width)
}

pub(super) fn read_args(
    args: &Sp<Vec<Sp<String>>>,
    cfg: Option<&Cfg>,
    registers: bool,
    pairs: bool,
    sink: &mut Sink<'_>,
) -> Vec<Arg> {
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
        // Registers limit widths; wasm values and C ABI calls do not.
        if let (true, false, Some(bits), Some(cfg)) = (registers, pairs, k.bits(), cfg)
            && bits > cfg.pointer_width
        {
            sink.error(
                a.span.clone(),
                format!(
                    "a {kind} does not fit one {}-bit register",
                    cfg.pointer_width
                ),
                "say how it takes a register pair in [syscall]: `pairs = { align = \"even\" }` (or \"none\")",
            );
        }
        out.push(Arg {
            name: name.to_owned(),
            kind: k,
        });
    }
    out
}

/// The optional `[entry]` table: `instructions`, the `_start` of a freestanding
/// program, calling `{main}` with the initial stack pointer.
fn read_entry(top: &mut Fields<'_, '_>, sink: &mut Sink<'_>) -> Vec<String> {
    let Some(mut e) = top.opt_table(
        sink,
        "entry",
        "`[entry]` with `instructions = [\"_start:\", \"call {main}\"]`",
    ) else {
        return Vec::new();
    };
    let lines = e.strings(
        sink,
        "instructions",
        r#"["_start:", "mov rdi, rsp", "call {main}"]"#,
    );
    e.finish(sink);
    let Some(lines) = lines else {
        return Vec::new();
    };
    if !lines.value.iter().any(|l| l.value.contains("{main}")) {
        sink.error(
            lines.span.clone(),
            "the entry never calls `{main}`",
            "call the program's main function, e.g. `\"call {main}\"`, passing it the initial stack pointer",
        );
    }
    values(Some(lines))
}

/// The optional `[vdso]` table: `call = { symbol = "...", version = "..." }`,
/// each naming a call of `[calls]` to fall back on.
fn read_vdso(
    top: &mut Fields<'_, '_>,
    calls: &[Call],
    via: &[crate::model::Via],
    sink: &mut Sink<'_>,
) -> Vec<VdsoSymbol> {
    let example = "`[vdso]` with `clock_gettime = { symbol = \"__vdso_clock_gettime\", version = \"LINUX_2.6\" }`";
    let Some(table) = top.opt_table(sink, "vdso", example) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (k, v) in table.entries() {
        let call = k.get_ref().to_string();
        let Some(t) = v.get_ref().as_table() else {
            sink.error(
                v.span(),
                format!("vdso `{call}` must be an inline table"),
                format!("write `{call} = {{ symbol = \"...\", version = \"...\" }}`"),
            );
            continue;
        };
        let mut f = Fields::new(t, v.span(), format!("vdso `{call}`"));
        let symbol = f.string(sink, "symbol", "\"__vdso_clock_gettime\"");
        let version = f.string(sink, "version", "\"LINUX_2.6\"");
        f.finish(sink);
        // The fallback is the portable call: an entry of [calls] or of [via].
        if !calls.iter().any(|c| c.name == call) && !via.iter().any(|v| v.name == call) {
            sink.error(
                k.span(),
                format!(
                    "vdso `{call}` has no call of that name in [calls] or [via] to fall back on"
                ),
                format!("add `{call}` to [calls]"),
            );
        }
        if let (Some(symbol), Some(version)) = (symbol, version) {
            out.push(VdsoSymbol {
                call,
                symbol: symbol.value,
                version: version.value,
            });
        }
    }
    out
}

/// A reason given in a spec must say something.
fn non_empty_reason(reason: Sp<String>, key: &str, sink: &mut Sink<'_>) -> Option<String> {
    if reason.value.trim().is_empty() {
        sink.error(
            reason.span,
            format!("`{key}` gives no reason"),
            "say why, e.g. \"always ENOSYS: the kernel implements it as sys_ni_syscall\"",
        );
        return None;
    }
    Some(reason.value)
}

/// The optional keys of `[provenance]` that name the machine-checked source
/// of the tables (read by `cargo xtask import-linux` and `verify-specs`).
fn read_provenance_sources(p: &mut Fields<'_, '_>, sink: &mut Sink<'_>) -> Provenance {
    let string = |p: &mut Fields<'_, '_>, sink: &mut Sink<'_>, key: &'static str, example| {
        p.opt_string(sink, key, example)
            .map(|s| s.value)
            .unwrap_or_default()
    };
    let package = string(p, sink, "package", "\"linux-libc-dev\"");
    let version = string(p, sink, "version", "\"6.1.4-1cross1\"");
    let headers = p.opt_strings(
        sink,
        "headers",
        r#"["/usr/include/x86_64-linux-gnu/asm/unistd_64.h"]"#,
    );
    let clang_args = p.opt_strings(sink, "clang_args", r#"["--target=x86_64-linux-gnu"]"#);
    let prototypes_package = string(p, sink, "prototypes_package", "\"linux-headers-amd64\"");
    let prototypes = p.opt_strings(
        sink,
        "prototypes",
        r#"["/usr/src/linux-headers-*-common/include/linux/syscalls.h"]"#,
    );
    let entry_points = p.opt_string(
        sink,
        "entry_points",
        "\"/usr/src/linux-headers-*-amd64/arch/x86/include/generated/asm/syscalls_64.h\"",
    );
    let kernel_package = string(p, sink, "kernel_package", "\"linux-source-6.12\"");
    let kernel_archive = p.opt_string(
        sink,
        "kernel_archive",
        "\"/usr/src/linux-source-6.12.tar.xz\"",
    );
    let kernel_version = string(p, sink, "kernel_version", "\"6.12.57-1~deb12u1\"");
    let syscall_table = p.opt_string(
        sink,
        "syscall_table",
        "\"arch/x86/entry/syscalls/syscall_64.tbl\"",
    );
    let syscall_abis = p.opt_strings(sink, "syscall_abis", r#"["common", "64"]"#);
    let kernel_prototypes =
        p.opt_strings(sink, "kernel_prototypes", r#"["include/linux/syscalls.h"]"#);
    let import_libraries = read_import_libraries(p, sink);
    for path in [&syscall_table].into_iter().flatten() {
        if path.value.starts_with('/') {
            sink.error(
                path.span.clone(),
                format!("`{}` is absolute, but names a file inside the kernel source", path.value),
                "write the path inside the source tree, e.g. \"arch/x86/entry/syscalls/syscall_64.tbl\"",
            );
        }
    }
    for path in kernel_prototypes.iter().flat_map(|l| &l.value) {
        if path.value.starts_with('/') {
            sink.error(
                path.span.clone(),
                format!(
                    "`{}` is absolute, but names a file inside the kernel source",
                    path.value
                ),
                "write the path inside the source tree, e.g. \"include/linux/syscalls.h\"",
            );
        }
    }
    if let (Some(a), true) = (&kernel_archive, kernel_package.is_empty()) {
        sink.error(
            a.span.clone(),
            "`kernel_archive` without the `kernel_package` that installs it",
            "add `kernel_package = \"linux-source-6.12\"`, so import-linux can install it",
        );
    }
    if let (Some(t), true) = (&syscall_table, kernel_archive.is_none()) {
        sink.error(
            t.span.clone(),
            "`syscall_table` without the `kernel_archive` it is read from",
            "add `kernel_archive = \"/usr/src/linux-source-6.12.tar.xz\"`",
        );
    }
    for list in [&headers, &prototypes].into_iter().flatten() {
        for path in &list.value {
            if !path.value.starts_with('/') {
                sink.error(
                    path.span.clone(),
                    format!("header path `{}` is not absolute", path.value),
                    "write the full path the Debian package installs, e.g. \"/usr/include/wasm32-wasi/wasi/api.h\"",
                );
            }
        }
    }
    let needs_package = headers.as_ref().is_some_and(|h| !h.value.is_empty()) && package.is_empty();
    if let (true, Some(h)) = (needs_package, &headers) {
        sink.error(
            h.span.clone(),
            "`headers` without the `package` that installs them",
            "add `package = \"...\"` naming the Debian package, so verify-specs can install it",
        );
    }
    Provenance {
        source: String::new(),
        kernel: String::new(),
        package,
        version,
        headers: values(headers),
        clang_args: values(clang_args),
        prototypes_package,
        prototypes: values(prototypes),
        entry_points: entry_points.map(|e| e.value).unwrap_or_default(),
        kernel_package,
        kernel_archive: kernel_archive.map(|a| a.value).unwrap_or_default(),
        kernel_version,
        syscall_table: syscall_table.map(|t| t.value).unwrap_or_default(),
        syscall_abis: values(syscall_abis),
        kernel_prototypes: values(kernel_prototypes),
        import_libraries,
    }
}

/// `import_libraries = { "api-ms-win-core-synch-l1-2-0" = "synchronization" }`:
/// the import library of a DLL whose library is not named after it, for the
/// `{dll}` of `headers`.
fn read_import_libraries(p: &mut Fields<'_, '_>, sink: &mut Sink<'_>) -> Vec<(String, String)> {
    const EXAMPLE: &str = r#"{ "api-ms-win-core-synch-l1-2-0" = "synchronization" }"#;
    let Some(table) = p.opt_table(sink, "import_libraries", EXAMPLE) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (dll, lib) in table.entries() {
        match lib.get_ref().as_str() {
            Some(l) if !l.trim().is_empty() => out.push((dll.get_ref().to_string(), l.to_owned())),
            _ => sink.error(
                lib.span(),
                format!("the import library of `{}` is not a name", dll.get_ref()),
                format!(
                    "write the library's name without `lib` and `.a`, e.g. `\"{}\" = \"synchronization\"`",
                    dll.get_ref()
                ),
            ),
        }
    }
    out
}

/// The optional `[excluded]` table: calls the headers define that the table
/// leaves out on purpose, `name = { nr = N, reason = "..." }` (no `nr` for
/// import and call conventions).
fn read_excluded(
    top: &mut Fields<'_, '_>,
    file: &SourceFile,
    syscall: Option<&SyscallConv>,
    calls: Option<&[Call]>,
    sink: &mut Sink<'_>,
) -> Vec<Excluded> {
    let example = "`[excluded]` with `vfork = { nr = 58, reason = \"...\" }`";
    let Some(table) = top.opt_table(sink, "excluded", example) else {
        return Vec::new();
    };
    let trap = syscall.is_none_or(|s| s.kind == ConvKind::Trap);
    let mut out: Vec<Excluded> = Vec::new();
    for (k, v) in table.entries() {
        let name = k.get_ref().to_string();
        let Some(t) = v.get_ref().as_table() else {
            sink.error(
                v.span(),
                format!("excluded `{name}` must be an inline table"),
                format!("write `{name} = {{ nr = 1, reason = \"...\" }}`"),
            );
            continue;
        };
        let mut f = Fields::new(t, v.span(), format!("excluded `{name}`"));
        let nr = if trap {
            f.int(sink, "nr", 0..i64::from(u32::MAX) + 1, "58")
        } else {
            None
        };
        let reason = f
            .string(sink, "reason", "\"returns twice on the caller's stack\"")
            .and_then(|r| non_empty_reason(r, "reason", sink));
        f.finish(sink);
        if !is_ident(&name) {
            sink.error(
                k.span(),
                format!("excluded name `{name}` is not a Rust identifier"),
                IDENT_FIX,
            );
        }
        let nr = nr.map(|n| u32::try_from(n.value).unwrap_or_default());
        if let Some(c) = calls.and_then(|cs| cs.iter().find(|c| c.name == name)) {
            sink.error(
                k.span(),
                format!("`{name}` is both a call (line {}) and excluded", c.loc.line),
                "remove one: a call is either in the table or left out with a reason",
            );
        } else if let (Some(nr), Some(c)) = (
            nr,
            calls.and_then(|cs| cs.iter().find(|c| Some(c.nr) == nr)),
        ) {
            sink.error(
                k.span(),
                format!(
                    "excluded `{name}` has number {nr}, which is `{}` (line {})",
                    c.name, c.loc.line
                ),
                "check the number against the kernel header",
            );
        }
        if let Some(reason) = reason {
            out.push(Excluded {
                name,
                nr,
                reason,
                loc: file.loc(k.span().start),
            });
        }
    }
    out
}
