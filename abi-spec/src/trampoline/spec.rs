//! Reading the trampoline data of the spec files: the `[asm]` table of an
//! arch file and the dynamic-call keys of an ABI file. Both are optional, so
//! an arch or convention without trampolines (wasm32, say) needs neither.

use crate::diag::closest;
use crate::model::Arch;
use crate::read::{Fields, Sink, Sp};

use super::{AsmSpec, ByReference, CallFacts, F32InReg, FloatOverflow, IntWiden, Tpl};

fn present(f: &Fields<'_, '_>, key: &str) -> bool {
    f.entries().any(|(k, _)| k.get_ref() == key)
}

type RegList = Sp<Vec<Sp<String>>>;

fn is_reg(list: Option<&RegList>, reg: &str) -> bool {
    list.is_some_and(|l| l.value.iter().any(|r| r.value == reg))
}

/// Reports `reg` if it is not one of `int_regs`.
/// Whether `r` is an integer register of `arch` (unknown arch: yes); when it
/// is not, says so at its span.
fn is_int_reg_of(arch: Option<&Arch>, r: &Sp<String>, sink: &mut Sink<'_>) -> bool {
    let Some(arch) = arch else { return true };
    if arch.int_regs.contains(&r.value) {
        return true;
    }
    sink.error(
        r.span.clone(),
        format!("`{}` is not an integer register of {}", r.value, arch.name),
        format!("name one of targets/arch/{}.toml's `int_regs`", arch.name),
    );
    false
}

fn check_int_reg(int_regs: Option<&RegList>, reg: &Sp<String>, what: &str, sink: &mut Sink<'_>) {
    let Some(list) = int_regs else { return };
    if is_reg(Some(list), &reg.value) {
        return;
    }
    let names = list.value.iter().map(|r| r.value.as_str());
    let help = match closest(&reg.value, names) {
        Some(s) => format!("did you mean `{s}`?"),
        None => "name a register listed in `int_regs`".to_owned(),
    };
    sink.error(
        reg.span.clone(),
        format!("{what} `{}` is not in `int_regs`", reg.value),
        help,
    );
}

/// Reads the optional `[asm]` table of an arch file.
pub(crate) fn read_asm(
    top: &mut Fields<'_, '_>,
    sink: &mut Sink<'_>,
    int_regs: Option<&RegList>,
    float_regs: Option<&RegList>,
    link_class: &[String],
) -> Option<AsmSpec> {
    if !present(top, "asm") {
        return None;
    }
    let mut t = top.table(
        sink,
        "asm",
        "`[asm]` with `load_int = [\"mov {reg}, qword ptr [{base} + {off}]\"]`",
    )?;
    let sp = t.string(sink, "stack_pointer", "\"rsp\"");
    if let Some(sp) = &sp {
        check_int_reg(int_regs, sp, "stack pointer", sink);
    }
    let pushes = t.int(sink, "call_pushes", 0..65, "8");
    let link = t.opt_string(sink, "link_reg", "\"x30\"");
    let word = t.int(sink, "word", 4..9, "8");
    if let Some(w) = &word
        && w.value != 4
        && w.value != 8
    {
        sink.error(
            w.span.clone(),
            format!("word size {} is not 4 or 8", w.value),
            "write the size of a general-purpose register in bytes: 4 or 8",
        );
    }
    let float_bits = t.int(sink, "float_bits", 32..513, "128");
    let float64 = t.string(sink, "float64", "\"{name}\"");
    let float128 = t.opt_string(sink, "float128", "\"q{index}\"");
    for view in [&float64, &float128].into_iter().flatten() {
        check_placeholders(view, &[], &["name", "index"], sink);
    }
    if let (Some(bits), None) = (&float_bits, &float128)
        && bits.value > 64
    {
        sink.error(
            bits.span.clone(),
            format!("float registers of {} bits need `float128`", bits.value),
            "say how a full register is spelled, e.g. `float128 = \"q{index}\"`",
        );
    }
    let mut templates: Vec<Vec<String>> = Vec::new();
    for tpl in Tpl::ALL {
        // The link templates are optional: most arches load and store the link
        // register like any other.
        let lines = if matches!(tpl, Tpl::LoadLink | Tpl::StoreLink) {
            t.opt_strings(sink, tpl.key(), "[\"mflr r0\", \"std r0, {off}({base})\"]")
        } else if tpl == Tpl::RetPop {
            // Only arches with a convention whose callee pops arguments need it.
            t.opt_strings(sink, tpl.key(), "[\"ret {imm}\"]")
        } else if matches!(tpl, Tpl::PushFloat | Tpl::PopFloat) {
            t.opt_strings(sink, tpl.key(), "[\"fld qword ptr [{base} + {off}]\"]")
        } else if matches!(tpl, Tpl::PcRel | Tpl::JumpMem) {
            // Only arches with callbacks need the thunk templates.
            t.opt_strings(sink, tpl.key(), "[\"adr {reg}, . + {off}\"]")
        } else {
            t.strings(sink, tpl.key(), "[\"ret\"]")
        };
        if let Some(lines) = &lines {
            if lines.value.is_empty() && !tpl.may_be_empty() {
                sink.error(
                    lines.span.clone(),
                    format!("`{}` is empty", tpl.key()),
                    "every arch needs this instruction: write its line(s)",
                );
            }
            let (required, optional) = tpl.placeholders();
            let mut seen = Vec::new();
            for line in &lines.value {
                seen.extend(check_placeholders(line, required, optional, sink));
            }
            if !lines.value.is_empty() {
                for r in required {
                    if !seen.iter().any(|s| s == r) {
                        sink.error(
                            lines.span.clone(),
                            format!("`{}` does not use `{{{r}}}`", tpl.key()),
                            format!(
                                "the template must place {{{r}}}; placeholders: {}",
                                list(required, optional)
                            ),
                        );
                    }
                }
            }
        }
        templates.push(
            lines
                .map(|l| l.value.into_iter().map(|s| s.value).collect())
                .unwrap_or_default(),
        );
    }
    // A link register of the arch's `[special] link` class (powerpc's `lr`)
    // is no general register: only the link templates can move it.
    let link_moves = [Tpl::LoadLink, Tpl::StoreLink]
        .iter()
        .all(|t| templates.get(*t as usize).is_some_and(|l| !l.is_empty()));
    if let Some(l) = &link {
        if !link_class.contains(&l.value) {
            check_int_reg(int_regs, l, "link register", sink);
        } else if !link_moves {
            sink.error(
                l.span.clone(),
                format!("link register `{}` is a special register", l.value),
                "say how to save and restore it: `store_link = [\"mflr r0\", \"std r0, {off}({base})\"]` and `load_link`",
            );
        }
    }
    let mut read_directives = |key: &'static str, example: &str| -> Vec<String> {
        let Some(list) = t.opt_strings(sink, key, example) else {
            return Vec::new();
        };
        for d in list
            .value
            .iter()
            .filter(|d| !d.value.trim_start().starts_with('.'))
        {
            sink.error(
                d.span.clone(),
                format!("`{}` is not an assembler directive", d.value),
                format!("list directives only, e.g. {example}"),
            );
        }
        list.value.into_iter().map(|d| d.value).collect()
    };
    let directives = read_directives("directives", r#"[".option push", ".option arch, +d"]"#);
    let directives_end = read_directives("directives_end", r#"[".option pop"]"#);
    let thunk_directives = read_directives("thunk_directives", r#"[".arm"]"#);
    let code_address_tag = t.opt_int(sink, "code_address_tag", 0..256, "1");
    let float_stack = t.opt_strings(sink, "float_stack", r#"["st(0)", "st(1)"]"#);
    if let Some(list) = &float_stack {
        for r in &list.value {
            if !is_reg(float_regs, &r.value) {
                sink.error(
                    r.span.clone(),
                    format!("float stack register `{}` is not in `float_regs`", r.value),
                    "list registers of `float_regs` that form a stack (x87: st(0)..st(7))",
                );
            }
        }
        let moves = [Tpl::PushFloat, Tpl::PopFloat]
            .iter()
            .all(|t| templates.get(*t as usize).is_some_and(|l| !l.is_empty()));
        if !list.value.is_empty() && !moves {
            sink.error(
                list.span.clone(),
                "a float stack needs `push_float` and `pop_float`",
                "say how to push and pop its top: `push_float = [\"fld qword ptr [{base} + {off}]\"]`, `pop_float = [\"fstp qword ptr [{base} + {off}]\"]`",
            );
        }
    }
    let thunk_bytes = t.opt_int(sink, "thunk_bytes", 1..4097, "16");
    let has_thunk = [Tpl::PcRel, Tpl::JumpMem]
        .iter()
        .all(|t| templates.get(*t as usize).is_some_and(|l| !l.is_empty()));
    if has_thunk && thunk_bytes.is_none() {
        sink.error(
            t.span(),
            "`pc_rel` and `jump_mem` are given but not `thunk_bytes`",
            "say how many bytes the two templates assemble to at most, e.g. `thunk_bytes = 16`",
        );
    }
    let jump_mem_slot = t.opt_string(sink, "jump_mem_slot", "\"r0\"");
    if let Some(r) = &jump_mem_slot {
        check_int_reg(int_regs, r, "jump_mem_slot", sink);
    }
    t.finish(sink);
    let u = |v: Sp<i64>| u32::try_from(v.value).unwrap_or_default();
    Some(AsmSpec {
        stack_pointer: sp?.value,
        call_pushes: u(pushes?),
        link_reg: link.map(|l| l.value),
        word: u(word?),
        float_bits: u(float_bits?),
        float64: float64?.value,
        float128: float128.map(|f| f.value),
        templates,
        directives,
        directives_end,
        thunk_directives,
        code_address_tag: code_address_tag.map_or(0, u),
        float_stack: float_stack
            .map(|l| l.value.into_iter().map(|r| r.value).collect())
            .unwrap_or_default(),
        thunk_bytes: thunk_bytes.map_or(0, u),
        jump_mem_slot: jump_mem_slot.map(|r| r.value),
    })
}

fn list(required: &[&str], optional: &[&str]) -> String {
    let all: Vec<String> = required
        .iter()
        .chain(optional)
        .map(|p| format!("{{{p}}}"))
        .collect();
    if all.is_empty() {
        "none".to_owned()
    } else {
        all.join(" ")
    }
}

/// Reports unknown or unclosed `{placeholders}` in `line`; returns those found.
fn check_placeholders(
    line: &Sp<String>,
    required: &[&str],
    optional: &[&str],
    sink: &mut Sink<'_>,
) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = line.value.as_str();
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else {
            sink.error(
                line.span.clone(),
                format!("unclosed `{{` in `{}`", line.value),
                "close the placeholder, e.g. `{reg}`",
            );
            break;
        };
        let name = &after[..close];
        if required.contains(&name) || optional.contains(&name) {
            found.push(name.to_owned());
        } else {
            let known = required.iter().chain(optional).copied();
            let help = match closest(name, known) {
                Some(s) => format!("did you mean `{{{s}}}`?"),
                None => format!("placeholders here: {}", list(required, optional)),
            };
            sink.error(
                line.span.clone(),
                format!("unknown placeholder `{{{name}}}`"),
                help,
            );
        }
        rest = &after[close + 1..];
    }
    if rest.contains('}') {
        sink.error(
            line.span.clone(),
            format!("stray `}}` in `{}`", line.value),
            "placeholders are written `{name}`",
        );
    }
    found
}

/// Reads the optional dynamic-call keys of an ABI file.
pub(crate) fn read_call_facts(
    top: &mut Fields<'_, '_>,
    sink: &mut Sink<'_>,
    arch: Option<&Arch>,
    int_args: &[String],
) -> CallFacts {
    let mut facts = CallFacts::default();
    if present(top, "scratch")
        && let Some(list) = top.strings(sink, "scratch", r#"["r11", "r10"]"#)
    {
        for (i, r) in list.value.iter().enumerate() {
            if let Some(arch) = arch
                && !arch.int_regs.contains(&r.value)
            {
                sink.error(
                    r.span.clone(),
                    format!(
                        "scratch register `{}` is not an integer register of {}",
                        r.value, arch.name
                    ),
                    format!("name one of targets/arch/{}.toml's `int_regs`", arch.name),
                );
            } else if int_args.contains(&r.value) {
                sink.error(
                    r.span.clone(),
                    format!("scratch register `{}` carries an argument", r.value),
                    "a scratch register must be free at a call: not in `int_args`",
                );
            } else if list.value[..i].iter().any(|o| o.value == r.value) {
                sink.error(
                    r.span.clone(),
                    format!("scratch register `{}` is listed twice", r.value),
                    "remove one",
                );
            }
        }
        facts.scratch = list.value.into_iter().map(|s| s.value).collect();
    }
    facts.stack_slot = top.opt_int(sink, "stack_slot", 1..65, "8").and_then(|s| {
        if s.value.count_ones() != 1 {
            sink.error(
                s.span,
                format!("stack slot of {} bytes is not a power of two", s.value),
                "write 4 or 8",
            );
            return None;
        }
        u32::try_from(s.value).ok()
    });
    let mut choice =
        |key: &'static str, options: &[&str], help: &str, sink: &mut Sink<'_>| -> Option<usize> {
            let v = top.opt_string(sink, key, &format!("\"{}\"", options[0]))?;
            let found = options.iter().position(|o| *o == v.value);
            if found.is_none() {
                let hint = match closest(&v.value, options.iter().copied()) {
                    Some(s) => format!("did you mean `{s}`? {help}"),
                    None => help.to_owned(),
                };
                sink.error(v.span, format!("unknown `{key}` rule `{}`", v.value), hint);
            }
            found
        };
    facts.float_overflow = match choice(
        "float_overflow",
        &["stack", "int_regs"],
        "use `stack` or `int_regs`",
        sink,
    ) {
        Some(1) => FloatOverflow::IntRegs,
        _ => FloatOverflow::Stack,
    };
    facts.int_widen = match choice(
        "int_widen",
        &["by_type", "sign_from_32", "by_type_to_32"],
        "use `by_type`, `sign_from_32` or `by_type_to_32`",
        sink,
    ) {
        Some(1) => IntWiden::SignFrom32,
        Some(2) => IntWiden::ByTypeTo32,
        _ => IntWiden::ByType,
    };
    facts.f32_in_float_reg = match choice(
        "f32_in_float_reg",
        &["low_bits", "nan_boxed", "high_bits", "as_double", "halves"],
        "use `low_bits`, `nan_boxed`, `high_bits`, `as_double` or `halves`",
        sink,
    ) {
        Some(1) => F32InReg::NanBoxed,
        Some(2) => F32InReg::HighBits,
        Some(3) => F32InReg::AsDouble,
        Some(4) => F32InReg::Halves,
        _ => F32InReg::LowBits,
    };
    if present(top, "by_reference")
        && let Some(mut t) = top.table(
            sink,
            "by_reference",
            "{ rule = \"larger_than\", bytes = 16 }",
        )
    {
        let rule = t.string(sink, "rule", "\"larger_than\"");
        let bytes = t.opt_int(sink, "bytes", 1..4097, "16");
        t.finish(sink);
        facts.by_reference = match (rule, bytes) {
            (Some(r), None) if r.value == "never" => Some(ByReference::Never),
            (Some(r), None) if r.value == "unless_size_1_2_4_8" => {
                Some(ByReference::UnlessSize1248)
            }
            (Some(r), Some(b)) if r.value == "larger_than" => Some(ByReference::LargerThan(
                u32::try_from(b.value).unwrap_or_default(),
            )),
            (Some(r), _) if r.value == "larger_than" => {
                sink.error(
                    r.span,
                    "rule `larger_than` needs `bytes`",
                    "write `{ rule = \"larger_than\", bytes = 16 }`",
                );
                None
            }
            (Some(r), Some(b)) if r.value == "never" || r.value == "unless_size_1_2_4_8" => {
                sink.error(
                    b.span,
                    format!("rule `{}` takes no `bytes`", r.value),
                    "remove `bytes`",
                );
                None
            }
            (Some(r), _) => {
                sink.error(
                    r.span,
                    format!("unknown by-reference rule `{}`", r.value),
                    "use `never`, `larger_than` (with `bytes`) or `unless_size_1_2_4_8`",
                );
                None
            }
            (None, _) => None,
        };
    }
    if let Some(r) = top.opt_string(sink, "variadic_count_reg", "\"rax\"") {
        is_int_reg_of(arch, &r, sink);
        facts.variadic_count_reg = Some(r.value);
    }
    facts.rust_abi = top.opt_string(sink, "rust_abi", "\"C\"").map(|s| s.value);
    if let Some(list) = top.opt_strings(sink, "reserved", r#"["x18"]"#) {
        for r in &list.value {
            if let Some(arch) = arch
                && !arch.has_reg(&r.value)
            {
                sink.error(
                    r.span.clone(),
                    format!(
                        "reserved register `{}` is not a register of {}",
                        r.value, arch.name
                    ),
                    format!("name one of targets/arch/{}.toml's registers", arch.name),
                );
            }
        }
        facts.reserved = list.value.into_iter().map(|s| s.value).collect();
    }
    if let Some(p) = top.opt_string(sink, "int_pairs", "\"even\"") {
        match p.value.as_str() {
            "even" => facts.int_pairs_even = true,
            "any" => {}
            other => sink.error(
                p.span,
                format!("unknown `int_pairs` rule `{other}`"),
                "use `even` (an 8-byte integer takes an even/odd register pair) or `any`",
            ),
        }
    }
    if let Some(a) = top.opt_int(sink, "wide_stack_align", 1..17, "8") {
        if a.value.count_ones() == 1 {
            facts.wide_stack_align = u32::try_from(a.value).ok();
        } else {
            sink.error(
                a.span,
                format!("alignment {} is not a power of two", a.value),
                "write 4 or 8",
            );
        }
    }
    facts.unsupported = top
        .opt_string(sink, "unsupported", "\"floats return on the x87 stack\"")
        .map(|s| s.value);
    if let Some(b) = top.opt_bool(sink, "back_chain") {
        facts.back_chain = b.value;
    }
    if let Some(n) = top.opt_int(sink, "indirect_result_popped", 0..257, "4") {
        facts.indirect_result_popped = u32::try_from(n.value).unwrap_or_default();
        if let Some(arch) = arch
            && n.value > 0
            && arch
                .asm
                .as_ref()
                .is_some_and(|a| a.template(Tpl::RetPop).is_empty())
        {
            sink.error(
                n.span.clone(),
                format!("the callee pops {} bytes, but arch {} has no `ret_pop` template", n.value, arch.name),
                format!("say how a return pops bytes in targets/arch/{}.toml's [asm], e.g. `ret_pop = [\"ret {{imm}}\"]`", arch.name),
            );
        }
    }
    if let Some(n) = top.opt_int(sink, "linkage_area", 0..4097, "32") {
        facts.linkage_area = u32::try_from(n.value).unwrap_or_default();
    }
    if let Some(r) = top.opt_string(sink, "call_target", "\"r12\"") {
        if is_int_reg_of(arch, &r, sink) && int_args.contains(&r.value) {
            sink.error(
                r.span.clone(),
                format!("call target register `{}` carries an argument", r.value),
                "name a register that is free at a call",
            );
        }
        facts.call_target = Some(r.value);
    }
    facts.aggregates = super::aggregate::read_aggregates(top, sink);
    facts
}
