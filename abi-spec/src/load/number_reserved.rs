//! `[syscall] number_reserved`: a trap convention whose number register the
//! compiler keeps for itself. In Thumb state LLVM uses r7 as the frame pointer
//! and `asm!` refuses it as an operand, yet the Arm EABI kernel reads the call
//! number from r7. The number then comes in another register (`carrier`) and
//! a template saves r7, moves the number in, and restores r7 after the trap.
//! A call whose number is a constant writes it into the template instead
//! (`immediate`), and may save r7 in a scratch register:
//!
//! ```toml
//! [syscall.number_reserved]
//! carrier = "r12"
//! before = ["str r7, [sp, #-8]!", "mov r7, r12"]
//! after = ["ldr r7, [sp], #8"]
//! options = ["preserves_flags"]
//! immediate = { max = 65535, before = ["mov r12, r7", "movw r7, #{nr}"], after = ["mov r7, r12"], clobbers = ["r12"], options = ["nostack", "preserves_flags"] }
//! triples = ["thumb*"]
//! ```
//!
//! `triples` limits it to builds for those target triples: Thumb state is a
//! build of the same `target_arch` that no cfg of stable Rust tells from ARM
//! state, so the macro reads the triple of the compilation
//! ([`crate::Specs::for_triple`]); ARM-state builds keep `in("r7")`.

use crate::model::{Arch, NumberImmediate, NumberReserved};
use crate::read::{Fields, Sink, Sp};

use super::target::check_asm_options;
use super::{check_regs, values};

const EXAMPLE: &str = r#"`number_reserved = { carrier = "r12", before = ["str r7, [sp, #-8]!", "mov r7, r12"], after = ["ldr r7, [sp], #8"], options = ["preserves_flags"] }`"#;

/// Reads the optional `number_reserved` of a trap convention whose number
/// register is `number` and argument registers `args`.
pub(super) fn read(
    s: &mut Fields<'_, '_>,
    arch: Option<&Arch>,
    number: Option<&Sp<String>>,
    args: Option<&Sp<Vec<Sp<String>>>>,
    sink: &mut Sink<'_>,
) -> Option<NumberReserved> {
    let mut r = s.opt_table(sink, "number_reserved", EXAMPLE)?;
    let carrier = r.string(sink, "carrier", "\"r12\"");
    let before = r.strings(sink, "before", r#"["str r7, [sp, #-8]!", "mov r7, r12"]"#);
    let after = r.strings(sink, "after", r#"["ldr r7, [sp], #8"]"#);
    let options = r.strings(sink, "options", r#"["preserves_flags"]"#);
    let immediate = read_immediate(&mut r, arch, number, args, sink);
    let triples = r.opt_strings(sink, "triples", r#"["thumb*"]"#);
    if let Some(list) = &triples {
        for p in &list.value {
            let star = p.value.find('*');
            if p.value.is_empty() || star.is_some_and(|i| i + 1 != p.value.len()) {
                sink.error(
                    p.span.clone(),
                    format!("`{}` is not a triple pattern", p.value),
                    "write a target triple, or its start followed by `*` (e.g. \"thumb*\")",
                );
            }
        }
    }
    r.finish(sink);
    let (carrier, before, after, options) = (carrier?, before?, after?, options?);
    let as_list = Sp {
        value: vec![carrier.clone()],
        span: carrier.span.clone(),
    };
    check_regs(arch, Some(&as_list), false, sink);
    let taken = args
        .iter()
        .flat_map(|a| &a.value)
        .map(|a| a.value.as_str())
        .chain(number.map(|n| n.value.as_str()));
    if let Some(clash) = taken.clone().find(|t| *t == carrier.value) {
        let free: Vec<&str> = arch
            .map(|a| a.int_regs.iter().map(String::as_str).collect())
            .unwrap_or_default();
        let sp = arch
            .and_then(|a| a.asm.as_ref())
            .map(|a| a.stack_pointer.as_str());
        let free: Vec<&str> = free
            .into_iter()
            .filter(|f| !taken.clone().any(|t| t == *f) && Some(*f) != sp)
            .collect();
        sink.error(
            carrier.span.clone(),
            format!("carrier `{clash}` is the number register or an argument register"),
            format!(
                "the number needs a register of its own while the arguments are in theirs; one of: {}",
                free.join(", ")
            ),
        );
    }
    no_braces(before.value.iter().chain(&after.value), sink);
    if let Some(n) = number
        && !(mentions(&before, &n.value) && mentions(&before, &carrier.value))
    {
        sink.error(
            before.span.clone(),
            format!(
                "`before` never moves the number from {} into {}",
                carrier.value, n.value
            ),
            format!(
                "save {0} (on the stack or in a scratch register), then move the number in, e.g. \"mov {0}, {1}\"",
                n.value, carrier.value
            ),
        );
    }
    check_asm_options(&options, sink);
    Some(NumberReserved {
        carrier: carrier.value,
        before: values(Some(before)),
        after: values(Some(after)),
        options: values(Some(options)),
        immediate,
        triples: values(triples),
    })
}

/// The optional `immediate = { max, before, after, clobbers, options }`.
fn read_immediate(
    r: &mut Fields<'_, '_>,
    arch: Option<&Arch>,
    number: Option<&Sp<String>>,
    args: Option<&Sp<Vec<Sp<String>>>>,
    sink: &mut Sink<'_>,
) -> Option<NumberImmediate> {
    let example = r#"`immediate = { max = 65535, before = ["mov r12, r7", "movw r7, #{nr}"], after = ["mov r7, r12"], clobbers = ["r12"], options = ["nostack"] }`"#;
    let mut i = r.opt_table(sink, "immediate", example)?;
    let max = i.int(sink, "max", 0..i64::from(u32::MAX) + 1, "65535");
    let before = i.strings(sink, "before", r#"["mov r12, r7", "movw r7, #{nr}"]"#);
    let after = i.strings(sink, "after", r#"["mov r7, r12"]"#);
    let clobbers = i.strings(sink, "clobbers", r#"["r12"]"#);
    let options = i.strings(sink, "options", r#"["nostack", "preserves_flags"]"#);
    i.finish(sink);
    let (max, before, after, clobbers, options) = (max?, before?, after?, clobbers?, options?);
    check_regs(arch, Some(&clobbers), false, sink);
    for c in &clobbers.value {
        let taken = args
            .iter()
            .flat_map(|a| &a.value)
            .any(|a| a.value == c.value)
            || number.is_some_and(|n| n.value == c.value);
        if taken {
            sink.error(
                c.span.clone(),
                format!("`{}` carries the number or an argument", c.value),
                "a template may destroy only registers no value comes in",
            );
        }
    }
    for line in before.value.iter().chain(&after.value) {
        if line.value.replace("{nr}", "").contains(['{', '}']) {
            sink.error(
                line.span.clone(),
                "braces other than `{nr}` in an `immediate` line",
                "asm! reads `{...}` as an operand: write `{nr}` for the call number and name registers plainly",
            );
        }
    }
    if !before.value.iter().any(|l| l.value.contains("{nr}")) {
        sink.error(
            before.span.clone(),
            "`before` never loads the call number `{nr}`",
            format!(
                "write `{{nr}}` where an instruction takes it as an immediate, moving it into {} (Arm: \"movw r7, #{{nr}}\")",
                number.map_or("the number register", |n| n.value.as_str())
            ),
        );
    }
    check_asm_options(&options, sink);
    Some(NumberImmediate {
        max: u32::try_from(max.value).unwrap_or(u32::MAX),
        before: values(Some(before)),
        after: values(Some(after)),
        clobbers: values(Some(clobbers)),
        options: values(Some(options)),
    })
}

/// Whether a line of `lines` names `reg` as a word.
fn mentions(lines: &Sp<Vec<Sp<String>>>, reg: &str) -> bool {
    lines.value.iter().any(|l| {
        l.value
            .split(|c: char| !c.is_ascii_alphanumeric() && c != '_')
            .any(|w| w == reg)
    })
}

/// Reports lines with braces, which asm! would read as operands.
fn no_braces<'a>(lines: impl Iterator<Item = &'a Sp<String>>, sink: &mut Sink<'_>) {
    for line in lines {
        if line.value.contains(['{', '}']) {
            sink.error(
                line.span.clone(),
                "braces in a `number_reserved` line",
                "asm! reads `{...}` as an operand: name registers plainly, e.g. \"str r7, [sp, #-8]!\" rather than \"push {r7}\"",
            );
        }
    }
}
