//! Rendering trampolines: assembly lines from the arch's templates, and the
//! Rust items (naked functions, the frame type, the ABI descriptors) the
//! runtime is built from.

use std::fmt::Write as _;

use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};

use crate::model::{Abi, Arch, Specs, Target};
use crate::render::cfg_predicate;

use super::lower::template_of;
use super::{
    AsmSpec, ByReference, F32InReg, FloatOverflow, FrameLayout, IntWiden, Op, Trampoline,
    lower_call, lower_call_float, lower_entry, lower_entry_popping, lower_entry_shift, lower_tail,
    lower_thunk,
};
use crate::model::SlotModel;

/// Spells float register `reg` through a view pattern (`d{index}`, `{name}`).
fn float_view(arch: &Arch, view: &str, reg: &str) -> String {
    let index = arch.float_regs.iter().position(|r| r == reg).unwrap_or(0);
    view.replace("{name}", reg)
        .replace("{index}", &index.to_string())
}

/// The assembly lines of `t`, from its arch's templates. Symbol roles come
/// out as `{role}`, to be bound by `asm!`'s `sym` operands.
pub fn asm_lines(specs: &Specs, t: &Trampoline) -> Result<Vec<String>, String> {
    let arch = specs
        .arch(&t.arch)
        .ok_or_else(|| format!("unknown arch `{}`", t.arch))?;
    let asm: &AsmSpec = arch
        .asm
        .as_ref()
        .ok_or_else(|| format!("arch {} has no `[asm]` table", arch.name))?;
    let mut out = Vec::new();
    for (at, op) in t.ops.iter().enumerate() {
        let (tpl, lines) = asm.effective(template_of(op));
        if lines.is_empty() {
            return Err(format!(
                "arch {} has no `{}` template, which the {} trampoline for `{}` needs",
                arch.name,
                tpl.key(),
                t.host,
                t.abi
            ));
        }
        let target = |label: super::Label| {
            let defined_before = t.ops[..at].contains(&Op::Label(label));
            format!("{}{}", label.0, if defined_before { 'b' } else { 'f' })
        };
        let f64v = |r: &str| float_view(arch, &asm.float64, r);
        let vecv = |r: &str| float_view(arch, asm.float128.as_deref().unwrap_or("{name}"), r);
        let subs: Vec<(&str, String)> = match op {
            Op::LoadInt { reg, base, off } | Op::StoreInt { reg, base, off } => {
                vec![
                    ("reg", reg.clone()),
                    ("base", base.clone()),
                    ("off", off.to_string()),
                ]
            }
            Op::LoadFloat { reg, base, off } | Op::StoreFloat { reg, base, off } => {
                vec![
                    ("reg", f64v(reg)),
                    ("base", base.clone()),
                    ("off", off.to_string()),
                ]
            }
            Op::PushFloat { base, off } | Op::PopFloat { base, off } => {
                vec![("base", base.clone()), ("off", off.to_string())]
            }
            Op::LoadLink { base, off } | Op::StoreLink { base, off } => {
                vec![
                    ("reg", asm.link_reg.clone().unwrap_or_default()),
                    ("base", base.clone()),
                    ("off", off.to_string()),
                ]
            }
            Op::LoadVec { reg, base, off } | Op::StoreVec { reg, base, off } => {
                vec![
                    ("reg", vecv(reg)),
                    ("base", base.clone()),
                    ("off", off.to_string()),
                ]
            }
            Op::Move { dst, src } => vec![("dst", dst.clone()), ("src", src.clone())],
            Op::LoadImm { reg, imm } => vec![("reg", reg.clone()), ("imm", imm.to_string())],
            Op::AddImm { dst, src, imm } | Op::SubImm { dst, src, imm } => {
                vec![
                    ("dst", dst.clone()),
                    ("src", src.clone()),
                    ("imm", imm.to_string()),
                ]
            }
            Op::SubReg { dst, rhs } => {
                vec![
                    ("dst", dst.clone()),
                    ("lhs", dst.clone()),
                    ("rhs", rhs.clone()),
                ]
            }
            Op::BranchZero { reg, label } | Op::BranchNonZero { reg, label } => {
                vec![("reg", reg.clone()), ("target", target(*label))]
            }
            Op::Label(l) => vec![("label", l.0.to_string())],
            Op::CallReg(r) | Op::JumpReg(r) => vec![("reg", r.clone())],
            Op::CallSym(s) | Op::JumpSym(s) => vec![("sym", format!("{{{s}}}"))],
            Op::Ret => Vec::new(),
            Op::RetPop(n) => vec![("imm", n.to_string())],
            Op::PcRel { reg, off } => vec![("reg", reg.clone()), ("off", off.to_string())],
            Op::JumpMem { reg, off, tmp } => {
                if tmp.is_none() && lines.iter().any(|l| l.contains("{tmp}")) {
                    return Err(format!(
                        "the `jump_mem` template of arch {} uses `{{tmp}}`, but `{}` lists only one `scratch` register: add a second to targets/abi/{}.toml",
                        arch.name, t.abi, t.abi
                    ));
                }
                let mut subs = vec![("reg", reg.clone()), ("off", off.to_string())];
                subs.extend(tmp.clone().map(|r| ("tmp", r)));
                subs
            }
        };
        for line in lines {
            out.push(fill(line, &subs));
        }
    }
    Ok(out)
}

/// Replaces each `{name}` of `line` in one pass (values may contain braces).
fn fill(line: &str, subs: &[(&str, String)]) -> String {
    let mut out = String::new();
    let mut rest = line;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find('}') {
            Some(close) => {
                let name = &after[..close];
                match subs.iter().find(|(k, _)| *k == name) {
                    Some((_, v)) => out.push_str(v),
                    None => {
                        out.push('{');
                        out.push_str(name);
                        out.push('}');
                    }
                }
                rest = &after[close + 1..];
            }
            None => {
                out.push_str(&rest[open..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// `abi-gen trampoline`: the call trampoline, the callback entry and the
/// first thunk for `abi` hosted by `host`, as plans and assembly text.
pub fn show(specs: &Specs, host: &str, abi: &str) -> Result<String, String> {
    let find = |n: &str| {
        specs.abi(n).ok_or_else(|| {
            let names: Vec<&str> = specs.abis.iter().map(|a| a.name.as_str()).collect();
            format!("unknown ABI `{n}`; ABIs: {}", names.join(", "))
        })
    };
    let (host, abi) = (find(host)?, find(abi)?);
    let mut out = String::new();
    let mut plans = vec![lower_call(specs, host, abi)?];
    plans.extend(lower_call_float(specs, host, abi)?);
    plans.extend(lower_tail(
        specs,
        host,
        abi,
        abi.int_args.len(),
        abi.float_args.len(),
    )?);
    plans.push(lower_entry(specs, host, abi)?);
    plans.extend(lower_entry_shift(specs, host, abi)?);
    plans.push(lower_thunk(specs, host, abi)?);
    let f = plans[0].frame;
    let _ = writeln!(
        out,
        "frame ({} bytes): regs[{} int + {} float] @0, stack @{}, stack_words @{}, stack_bytes @{}, ret[{} int + {} float] @{}",
        f.size(),
        f.int_regs,
        f.float_regs,
        f.stack(),
        f.stack_words(),
        f.stack_bytes(),
        f.int_rets,
        f.float_rets,
        f.ret()
    );
    if let Some(asm) = specs.arch(&abi.arch).and_then(|a| a.asm.as_ref())
        && !asm.directives.is_empty()
    {
        let _ = writeln!(
            out,
            "each trampoline starts with [{}] and ends with [{}]",
            asm.directives.join("; "),
            asm.directives_end.join("; ")
        );
    }
    for p in &plans {
        let name = symbol_name(p);
        let _ = writeln!(
            out,
            "\n{name}: {} -> {} on {} (saves [{}], reserves {} bytes)",
            p.host,
            p.abi,
            p.arch,
            p.saved.join(", "),
            p.reserve
        );
        let lines = asm_lines(specs, p)?;
        let width = p.ops.iter().map(|o| o.to_string().len()).max().unwrap_or(0);
        let mut lines = lines.into_iter();
        for op in &p.ops {
            let n = specs
                .arch(&p.arch)
                .and_then(|a| a.asm.as_ref())
                .map_or(1, |a| a.effective(template_of(op)).1.len());
            for (i, line) in lines.by_ref().take(n).enumerate() {
                let plan = if i == 0 {
                    op.to_string()
                } else {
                    String::new()
                };
                let _ = writeln!(out, "  {plan:<width$}   | {line}");
            }
        }
    }
    Ok(out)
}

fn symbol_name(t: &Trampoline) -> String {
    match t.kind {
        super::TrampolineKind::Call => format!("call_{}", t.abi),
        super::TrampolineKind::CallFloat => format!("call_{}_float", t.abi),
        super::TrampolineKind::Tail(i, f) => format!("tail_{}_{i}_{f}", t.abi),
        super::TrampolineKind::Entry => format!("entry_{}", t.abi),
        super::TrampolineKind::EntryPop => format!("entry_pop_{}", t.abi),
        super::TrampolineKind::Thunk => format!("thunk_{}", t.abi),
        super::TrampolineKind::EntryShift => format!("entry_shift_{}", t.abi),
        super::TrampolineKind::Harness => format!("harness_{}", t.abi),
    }
}

fn naked(
    specs: &Specs,
    t: &Trampoline,
    sig: TokenStream,
    syms: &[(&str, TokenStream)],
    doc: &str,
) -> Result<TokenStream, String> {
    naked_with(specs, t, sig, syms, doc, &[], &[])
}

/// [`naked`], with `lead` lines before the body (a thunk's directives) and
/// `trailer` lines after it (a thunk's padding).
fn naked_with(
    specs: &Specs,
    t: &Trampoline,
    sig: TokenStream,
    syms: &[(&str, TokenStream)],
    doc: &str,
    lead: &[String],
    trailer: &[String],
) -> Result<TokenStream, String> {
    let asm = specs.arch(&t.arch).and_then(|a| a.asm.as_ref());
    let (begin, end) = asm.map_or((&[][..], &[][..]), |a| {
        (a.directives.as_slice(), a.directives_end.as_slice())
    });
    let body = asm_lines(specs, t)?;
    let lines = begin
        .iter()
        .chain(lead)
        .chain(&body)
        .chain(trailer)
        .chain(end);
    let name = format_ident!("{}", symbol_name(t));
    let operands = t.symbols().into_iter().map(|role| {
        let path = syms
            .iter()
            .find(|(r, _)| *r == role)
            .map(|(_, p)| p.clone())
            .unwrap_or_default();
        let role = format_ident!("{}", role);
        quote! { #role = sym #path }
    });
    Ok(quote! {
        #[doc = #doc]
        #[unsafe(naked)]
        pub(crate) unsafe extern "C" fn #name #sig {
            ::core::arch::naked_asm!(#(#lines,)* #(#operands),*)
        }
    })
}

/// The targets the runtime gets trampolines for: those [`support`] accepts.
pub fn trampoline_targets(specs: &Specs) -> Vec<&Target> {
    specs
        .targets
        .iter()
        .filter(|t| support(specs, t).is_ok())
        .collect()
}

/// The targets with a spec that get no trampolines, with the reason.
pub fn unsupported_targets(specs: &Specs) -> Vec<(&Target, String)> {
    specs
        .targets
        .iter()
        .filter_map(|t| support(specs, t).err().map(|e| (t, e)))
        .collect()
}

/// For each target without trampolines (cfg-gated): `UNSUPPORTED`, its name
/// and the reason, for `abi_runtime::abi` to report.
pub fn unsupported_items(specs: &Specs) -> TokenStream {
    let mut out = TokenStream::new();
    for (t, reason) in unsupported_targets(specs) {
        let cfg = cfg_predicate(t);
        let name = &t.name;
        out.extend(quote! {
            #[cfg(#cfg)]
            pub(crate) const UNSUPPORTED: (&str, &str) = (#name, #reason);
        });
    }
    out
}

/// Whether dynamic calls work on `t`, or why not (in words that name the
/// spec file to change): its arch needs `[asm]` templates, and every
/// convention the arch lists must lower to trampolines from the target's own.
pub fn support(specs: &Specs, t: &Target) -> Result<(), String> {
    let arch = specs
        .arch(&t.arch)
        .ok_or_else(|| format!("unknown arch `{}`", t.arch))?;
    if arch.asm.is_none() {
        return Err(format!(
            "arch {} has no `[asm]` templates (targets/arch/{}.toml)",
            arch.name, arch.name
        ));
    }
    if arch.abis.is_empty() {
        return Err(format!("arch {} lists no calling convention", arch.name));
    }
    for abi in arch.abis.iter().filter_map(|a| specs.abi(a)) {
        if let Some(why) = &abi.facts.unsupported {
            return Err(format!(
                "`{}` (targets/abi/{}.toml): {why}",
                abi.name, abi.name
            ));
        }
    }
    target_items(specs, t, &quote! { crate::abi }).map(|_| ())
}

/// The runtime's generated items for every target: per target (cfg-gated),
/// the `Frame` type, the trampolines, the thunk pools and the ABI descriptor
/// table. `rt` is the path of the runtime's `abi` module, which defines `Abi`,
/// `SlotModel` and the callback dispatcher `dispatch`.
pub fn runtime_items(specs: &Specs, rt: &TokenStream) -> TokenStream {
    let mut out = TokenStream::new();
    for t in trampoline_targets(specs) {
        match target_items(specs, t, rt) {
            Ok(items) => {
                let cfg = cfg_predicate(t);
                let m = format_ident!(
                    "__gen_{}",
                    t.name.replace(|c: char| !c.is_ascii_alphanumeric(), "_")
                );
                out.extend(quote! {
                    #[cfg(#cfg)]
                    #[doc(hidden)]
                    mod #m { #items }
                    #[cfg(#cfg)]
                    pub use #m::Frame;
                    #[cfg(#cfg)]
                    pub(crate) use #m::{ABIS, ABI_COUNT, NATIVE, THUNK_BLOCK, INT_REGS, FLOAT_REGS, INT_RETS, FLOAT_RETS, WORD, FLOAT_BASE, FLOAT_UNITS, FLOAT_RET_BASE};
                });
            }
            Err(e) => {
                let msg = format!(
                    "abi-bridge: cannot generate the trampolines of {}: {e}",
                    t.name
                );
                out.extend(quote! { ::core::compile_error!(#msg); });
            }
        }
    }
    out
}

fn strs(list: &[String]) -> TokenStream {
    quote! { &[#(#list),*] }
}

fn target_items(specs: &Specs, t: &Target, rt: &TokenStream) -> Result<TokenStream, String> {
    let arch = specs.arch(&t.arch).ok_or("unknown arch")?;
    let asm = arch
        .asm
        .as_ref()
        .ok_or_else(|| format!("arch {} has no `[asm]` table", arch.name))?;
    let host = specs.abi(&t.abi).ok_or("unknown ABI")?;
    let layout = FrameLayout::for_arch(specs, arch)?;
    let abis: Vec<&Abi> = arch.abis.iter().filter_map(|a| specs.abi(a)).collect();
    let native = abis
        .iter()
        .position(|a| a.name == host.name)
        .ok_or_else(|| {
            format!(
                "arch {} does not list the target's ABI `{}`",
                arch.name, host.name
            )
        })?;
    let mut fns = TokenStream::new();
    let mut descs = Vec::new();
    let ptr = quote! { (frame: *mut Frame, f: *const ()) };
    for abi in &abis {
        let call = lower_call(specs, host, abi)?;
        let doc = format!(
            "Calls `f` with the {} convention, registers from `frame`. Generated from targets/abi/{}.toml and targets/arch/{}.toml.",
            abi.name, abi.name, arch.name
        );
        fns.extend(naked(specs, &call, ptr.clone(), &[], &doc)?);
        let call_fn = format_ident!("call_{}", abi.name);
        let call_float_fn = match lower_call_float(specs, host, abi)? {
            Some(t) => {
                let doc = format!(
                    "Calls `f`, which returns a float on the float stack, with the {} convention; pops the result into `frame`.",
                    abi.name
                );
                fns.extend(naked(specs, &t, ptr.clone(), &[], &doc)?);
                format_ident!("{}", symbol_name(&t))
            }
            None => call_fn.clone(),
        };
        // One tail variant per (integer, float) register count, row-major.
        let mut tails = Vec::new();
        for ints in 0..=abi.int_args.len() {
            for floats in 0..=abi.float_args.len() {
                if let Some(t) = lower_tail(specs, host, abi, ints, floats)? {
                    let doc = format!(
                        "Loads the first {ints} integer and {floats} float {} argument registers from `frame` and jumps to `f`, which returns to the caller.",
                        abi.name
                    );
                    fns.extend(naked(specs, &t, ptr.clone(), &[], &doc)?);
                    tails.push(format_ident!("{}", symbol_name(&t)));
                }
            }
        }
        let tail = if tails.is_empty() {
            quote! { &[] }
        } else {
            let table = format_ident!("TAILS_{}", abi.name.to_uppercase());
            let n = tails.len();
            fns.extend(quote! {
                static #table: [unsafe extern "C" fn(*mut Frame, *const ()); #n] = [#(#tails),*];
            });
            quote! { &#table }
        };
        let entry = lower_entry(specs, host, abi)?;
        let doc = format!(
            "Entry of the {} callback thunks: spills the argument registers and calls the dispatcher.",
            abi.name
        );
        let dispatch = quote! { #rt::dispatch };
        fns.extend(naked(
            specs,
            &entry,
            quote! { () },
            &[("dispatch", dispatch.clone())],
            &doc,
        )?);
        let entry_name = format_ident!("entry_{}", abi.name);
        let pop = abi.facts.indirect_result_popped;
        let entry_pop = if pop > 0 {
            let entry = lower_entry_popping(specs, host, abi, pop)?;
            let doc = format!(
                "The entry for {} callbacks that return a struct through the hidden address: returns popping its {pop} bytes, as their callers expect.",
                abi.name
            );
            fns.extend(naked(
                specs,
                &entry,
                quote! { () },
                &[("dispatch", dispatch)],
                &doc,
            )?);
            let name = format_ident!("entry_pop_{}", abi.name);
            quote! { ::core::option::Option::Some(#name) }
        } else {
            quote! { ::core::option::Option::None }
        };
        let entry_shift = match lower_entry_shift(specs, host, abi)? {
            Some(t) => {
                let doc = format!(
                    "Entry of {} callbacks whose handler is a host function taking its context first: shifts the integer argument registers up by one, loads the context into the first and jumps to the handler.",
                    abi.name
                );
                fns.extend(naked(specs, &t, quote! { () }, &[], &doc)?);
                let name = format_ident!("entry_shift_{}", abi.name);
                let n = super::shifted_int_args(abi).len();
                quote! { ::core::option::Option::Some((#name, #n)) }
            }
            None => quote! { ::core::option::Option::None },
        };
        let th = lower_thunk(specs, host, abi)?;
        let stride = asm.thunk_stride();
        let doc = format!(
            "The callback thunk of {}: the runtime copies it into every slot of a code block (it is never run here). Padded to the {stride}-byte slot stride.",
            abi.name
        );
        fns.extend(naked_with(
            specs,
            &th,
            quote! { () },
            &[],
            &doc,
            &asm.thunk_directives,
            &[format!(".space {stride}")],
        )?);
        let thunk_tag = asm.code_address_tag as usize;
        let thunk_fn = format_ident!("thunk_{}", abi.name);
        let stride = stride as usize;
        let name = &abi.name;
        let rust_abi = abi.facts.rust_abi.clone().unwrap_or_default();
        let slots = match abi.slots {
            SlotModel::PerClass => quote! { #rt::SlotModel::PerClass },
            SlotModel::Positional => quote! { #rt::SlotModel::Positional },
            SlotModel::GprPositions => quote! { #rt::SlotModel::GprPositions },
            #[allow(unreachable_patterns)]
            other => {
                return Err(format!(
                    "`{}`: slot model {other:?} has no trampolines",
                    abi.name
                ));
            }
        };
        let partial = abi
            .callee_saved_partial
            .iter()
            .map(|(r, b)| quote! { (#r, #b) });
        let (ia, fa, ir, fr, cs) = (
            strs(&abi.int_args),
            strs(&abi.float_args),
            strs(&abi.int_ret),
            strs(&abi.float_ret),
            strs(&abi.callee_saved),
        );
        let (align, shadow, red) = (
            abi.stack_align as usize,
            abi.shadow_space as usize,
            abi.red_zone as usize,
        );
        let slot_bytes = abi.facts.stack_slot.unwrap_or(8) as usize;
        let overflow = abi.facts.float_overflow == FloatOverflow::IntRegs;
        let sign32 = abi.facts.int_widen == IntWiden::SignFrom32;
        let low32 = abi.facts.int_widen == IntWiden::ByTypeTo32;
        let f32_in_reg = match abi.facts.f32_in_float_reg {
            F32InReg::LowBits => quote! { #rt::F32InReg::LowBits },
            F32InReg::NanBoxed => quote! { #rt::F32InReg::NanBoxed },
            F32InReg::HighBits => quote! { #rt::F32InReg::HighBits },
            F32InReg::AsDouble => quote! { #rt::F32InReg::AsDouble },
            F32InReg::Halves => quote! { #rt::F32InReg::Halves },
        };
        let pairs_even = abi.facts.int_pairs_even;
        let wide_align = abi.facts.wide_stack_align.unwrap_or(layout.word) as usize;
        let linkage = abi.facts.linkage_area as usize;
        let by_ref = abi
            .facts
            .by_reference
            .map_or_else(|| "not stated".to_owned(), ByReference::describe);
        let variadic = &abi.variadic;
        let variadic_floats = match abi.variadic.as_str() {
            "float_in_both" => quote! { #rt::VariadicFloats::AlsoInInt },
            "float_in_int" | "floats_also_in_gprs" => quote! { #rt::VariadicFloats::InInt },
            "base_standard" => quote! { #rt::VariadicFloats::AllInInt },
            "same_as_fixed" | "al_vector_count" => quote! { #rt::VariadicFloats::AsFixed },
            _ => quote! { #rt::VariadicFloats::Unsupported },
        };
        let aggregates = match abi.facts.aggregates {
            None => quote! { None },
            Some(a) => {
                let (max, pow2, hmax) = (a.registers_max, a.power_of_two_sizes, a.homogeneous_max);
                let class = match a.float_class {
                    super::FloatClass::PerWord => quote! { PerWord },
                    super::FloatClass::Homogeneous => quote! { Homogeneous },
                    super::FloatClass::TwoFields => quote! { TwoFields },
                    super::FloatClass::Integer => quote! { Integer },
                    super::FloatClass::SingleField => quote! { SingleField },
                };
                let full = match a.when_full {
                    super::WhenFull::Stack => quote! { Stack },
                    super::WhenFull::StackClose => quote! { StackClose },
                    super::WhenFull::Split => quote! { Split },
                };
                let by_ref = !matches!(abi.facts.by_reference, None | Some(ByReference::Never));
                let (split, rmax, rmem, as_int, dw) = (
                    a.split_larger,
                    a.results_max,
                    a.results_in_memory,
                    a.as_integer,
                    a.doubleword_align,
                );
                // Register words are the arch's words: 4 bytes on 32-bit ports.
                let word = layout.word;
                quote! {
                    Some(#rt::Aggregates {
                        registers_max: #max,
                        power_of_two_sizes: #pow2,
                        float_class: #rt::FloatClass::#class,
                        homogeneous_max: #hmax,
                        when_full: #rt::WhenFull::#full,
                        larger_by_reference: #by_ref,
                        split_larger: #split,
                        results_max: #rmax,
                        results_in_memory: #rmem,
                        as_integer: #as_int,
                        doubleword_align: #dw,
                        word: #word,
                    })
                }
            }
        };
        let indirect_result = &abi.indirect_result;
        descs.push(quote! {
            #rt::Abi {
                name: #name,
                rust_abi: #rust_abi,
                int_args: #ia,
                float_args: #fa,
                int_ret: #ir,
                float_ret: #fr,
                callee_saved: #cs,
                callee_saved_partial: &[#(#partial),*],
                slots: #slots,
                stack_align: #align,
                shadow_space: #shadow,
                red_zone: #red,
                stack_slot: #slot_bytes,
                float_overflow_to_int: #overflow,
                u32_sign_extended: #sign32,
                int32_upper_ignored: #low32,
                f32_in_float_reg: #f32_in_reg,
                linkage_area: #linkage,
                int_pairs_even: #pairs_even,
                wide_stack_align: #wide_align,
                by_reference: #by_ref,
                variadic: #variadic,
                variadic_floats: #variadic_floats,
                aggregates: #aggregates,
                indirect_result: #indirect_result,
                trampoline: #call_fn,
                trampoline_float: #call_float_fn,
                tail: #tail,
                thunk: #thunk_fn,
                thunk_tag: #thunk_tag,
                entry: #entry_name,
                entry_pop: #entry_pop,
                entry_shift: #entry_shift,
                thunk_stride: #stride,
            }
        });
    }
    let (ir, fr, iret, fret) = (
        layout.int_regs as usize,
        layout.float_regs as usize,
        layout.int_rets as usize,
        layout.float_rets as usize,
    );
    let (regs, rets) = (
        layout.regs_bytes() as usize / 8,
        layout.rets_bytes() as usize / 8,
    );
    let nabis = abis.len();
    let (stack, words, bytes, ret, size) = (
        layout.stack() as usize,
        layout.stack_words() as usize,
        layout.stack_bytes() as usize,
        layout.ret() as usize,
        layout.size() as usize,
    );
    let indirect = layout.indirect() as usize;
    let word = layout.word as usize;
    // `ret` is 8-byte aligned in the layout even where a u64 is not (i386).
    let pad_bytes = ret - (indirect + word);
    let pad = (pad_bytes > 0).then(|| {
        quote! {
            /// Padding to the layout's 8-byte aligned `ret`.
            _pad: [u8; #pad_bytes],
        }
    });
    let float_base = (layout.float_reg(0) / layout.word) as usize;
    let float_units = (8 / layout.word) as usize;
    let float_ret_base = ((layout.float_ret(0) - layout.ret()) / layout.word) as usize;
    let block = super::THUNK_BLOCK as usize;
    let frame_doc = format!(
        "The register image a trampoline of {} reads and writes (generated from the specs): \
         `regs` holds the {ir} integer then the {fr} float argument registers, `ret` the {iret} \
         integer then the {fret} float return registers.",
        arch.name
    );
    let native_lit = Literal::usize_unsuffixed(native);
    Ok(quote! {
        use super::*;

        /// Integer argument registers in [`Frame::regs`].
        pub(crate) const INT_REGS: usize = #ir;
        /// Float argument registers in [`Frame::regs`], after the integer ones.
        pub(crate) const FLOAT_REGS: usize = #fr;
        /// Integer return registers in [`Frame::ret`].
        pub(crate) const INT_RETS: usize = #iret;
        /// Float return registers in [`Frame::ret`], after the integer ones.
        pub(crate) const FLOAT_RETS: usize = #fret;
        /// Bytes in a general register: the unit frames and stack arguments are counted in.
        pub(crate) const WORD: usize = #word;
        /// The unit of [`Frame::regs`] where float register 0 starts.
        pub(crate) const FLOAT_BASE: usize = #float_base;
        /// Units per float register (each holds 8 bytes).
        pub(crate) const FLOAT_UNITS: usize = #float_units;
        /// The unit of [`Frame::ret`] where float return register 0 starts.
        pub(crate) const FLOAT_RET_BASE: usize = #float_ret_base;
        /// Bytes from a callback thunk to its data slot: the size of a code block and of a data block.
        pub(crate) const THUNK_BLOCK: usize = #block;
        /// Conventions in [`ABIS`].
        pub(crate) const ABI_COUNT: usize = #nabis;
        /// Index of the target's own convention in [`ABIS`].
        pub(crate) const NATIVE: usize = #native_lit;

        #[doc = #frame_doc]
        #[repr(C)]
        #[derive(Debug, Clone, Copy)]
        pub struct Frame {
            /// Argument registers: integer ones (a word each), then float ones (low 64 bits, 8-byte aligned).
            pub regs: [u64; #regs],
            /// Address of the stack arguments (a call), or of the caller's (a callback).
            pub stack: *const u8,
            /// Stack argument words to copy (a call).
            pub stack_words: usize,
            /// Bytes reserved below the stack pointer for shadow space and stack arguments, aligned (a call).
            pub stack_bytes: usize,
            /// Where a result returned in memory goes, for a convention that takes that address in a register of its own (aarch64's x8).
            pub indirect: *mut u8,
            #pad
            /// Return registers: integer ones (a word each), then float ones (8-byte aligned).
            pub ret: [u64; #rets],
        }

        const _: () = {
            assert!(::core::mem::offset_of!(Frame, stack) == #stack);
            assert!(::core::mem::offset_of!(Frame, stack_words) == #words);
            assert!(::core::mem::offset_of!(Frame, stack_bytes) == #bytes);
            assert!(::core::mem::offset_of!(Frame, indirect) == #indirect);
            assert!(::core::mem::offset_of!(Frame, ret) == #ret);
            assert!(::core::mem::size_of::<Frame>() == #size);
        };

        #fns

        /// The conventions this target can call and be called with.
        pub(crate) static ABIS: [#rt::Abi; #nabis] = [#(#descs),*];
    })
}

/// A `macro_rules!` that keeps items only on targets with trampolines:
/// `if_trampolines! { pub mod abi; }`.
pub fn gate(specs: &Specs, name: &str, targets: &[&Target]) -> TokenStream {
    let _ = specs;
    let preds = targets.iter().map(|t| cfg_predicate(t));
    let name = format_ident!("{}", name);
    quote! {
        macro_rules! #name {
            ($($i:item)*) => { $( #[cfg(any(#(#preds),*))] $i )* };
        }
    }
}
