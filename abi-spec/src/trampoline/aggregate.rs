//! The aggregate (struct by value) and variadic rules of an ABI file: the
//! `[aggregates]` table and the `variadic` key, read with diagnostics. The
//! runtime classifies a struct from these facts alone
//! (`abi_runtime::abi::Aggregates`); no code looks at a convention's name.

use crate::diag::closest;
use crate::read::{Fields, Sink, Sp};

/// How the words of an aggregate that goes in registers pick their class.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FloatClass {
    /// Each 8-byte word is a float word if every field overlapping it is a
    /// float, else an integer word (System V's eightbyte classes).
    PerWord,
    /// One to `homogeneous_max` float fields of one type (after flattening
    /// nested structs and arrays) take one float register each; any other
    /// aggregate goes in integer words (AAPCS64's HFA).
    Homogeneous,
    /// One float field, two float fields, or one float and one integer field
    /// (after flattening) take a float and/or an integer register each; any
    /// other aggregate goes in integer words (RISC-V's hardware floating-point
    /// calling convention).
    TwoFields,
    /// Integer words only (win64).
    Integer,
}

/// What happens when the registers left cannot hold all of an aggregate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WhenFull {
    /// The whole aggregate goes on the stack; later arguments may still take
    /// registers (System V).
    Stack,
    /// The whole aggregate goes on the stack and no later argument of the
    /// class that ran out takes a register (AAPCS64's NGRN/NSRN = 8).
    StackClose,
    /// The words that fit go in registers, the rest on the stack (RISC-V).
    Split,
}

/// The `[aggregates]` table of an ABI file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Aggregates {
    /// The largest aggregate, in bytes, that travels in registers; larger
    /// ones follow `by_reference` (a copy on the stack, or a pointer to a
    /// caller's copy) and come back through `indirect_result`.
    pub registers_max: u32,
    /// Only aggregates whose size is a power of two travel in registers
    /// (win64: 1, 2, 4 and 8 bytes).
    pub power_of_two_sizes: bool,
    /// How register words pick their class.
    pub float_class: FloatClass,
    /// The most fields a homogeneous float aggregate has.
    pub homogeneous_max: u32,
    /// When the registers run out.
    pub when_full: WhenFull,
}

/// The variadic rules a dynamic caller knows, by their `variadic` value.
pub const VARIADIC_RULES: [&str; 7] = [
    "same_as_fixed",
    "al_vector_count",
    "float_in_both",
    "float_in_int",
    "base_standard",
    "floats_also_in_gprs",
    "pointer_to_buffer",
];

/// Reports a `variadic` value that names no known rule.
pub(crate) fn check_variadic(v: &Sp<String>, sink: &mut Sink<'_>) {
    if VARIADIC_RULES.contains(&v.value.as_str()) {
        return;
    }
    let help = match closest(&v.value, VARIADIC_RULES.iter().copied()) {
        Some(s) => format!("did you mean `{s}`?"),
        None => format!("use one of: {}", VARIADIC_RULES.join(", ")),
    };
    sink.error(
        v.span.clone(),
        format!("unknown variadic rule `{}`", v.value),
        help,
    );
}

fn choice<T: Copy>(
    t: &mut Fields<'_, '_>,
    sink: &mut Sink<'_>,
    key: &'static str,
    options: &[(&str, T)],
) -> Option<T> {
    let v = t.string(sink, key, &format!("\"{}\"", options[0].0))?;
    if let Some((_, x)) = options.iter().find(|(n, _)| *n == v.value) {
        return Some(*x);
    }
    let names: Vec<&str> = options.iter().map(|(n, _)| *n).collect();
    let help = match closest(&v.value, names.iter().copied()) {
        Some(s) => format!("did you mean `{s}`?"),
        None => format!("use one of: {}", names.join(", ")),
    };
    sink.error(v.span, format!("unknown `{key}` rule `{}`", v.value), help);
    None
}

/// Reads the optional `[aggregates]` table; `None` when absent (dynamic calls
/// then refuse structs by value for this convention) or wrong.
pub(crate) fn read_aggregates(top: &mut Fields<'_, '_>, sink: &mut Sink<'_>) -> Option<Aggregates> {
    let mut t = top.opt_table(
        sink,
        "aggregates",
        "`[aggregates]` with `registers_max = 16`",
    )?;
    let max = t.int(sink, "registers_max", 0..65, "16");
    let pow2 = t.opt_bool(sink, "power_of_two_sizes");
    let float_class = choice(
        &mut t,
        sink,
        "float_class",
        &[
            ("per_word", FloatClass::PerWord),
            ("homogeneous", FloatClass::Homogeneous),
            ("two_fields", FloatClass::TwoFields),
            ("integer", FloatClass::Integer),
        ],
    );
    let hmax = t.opt_int(sink, "homogeneous_max", 1..9, "4");
    let when_full = choice(
        &mut t,
        sink,
        "when_full",
        &[
            ("stack", WhenFull::Stack),
            ("stack_close", WhenFull::StackClose),
            ("split", WhenFull::Split),
        ],
    );
    if float_class == Some(FloatClass::Homogeneous) && hmax.is_none() {
        sink.error(
            t.span(),
            "`float_class = \"homogeneous\"` needs `homogeneous_max`",
            "add `homogeneous_max = 4` (the most fields of a homogeneous aggregate)",
        );
    }
    if let (Some(h), Some(c)) = (&hmax, float_class)
        && c != FloatClass::Homogeneous
    {
        sink.error(
            h.span.clone(),
            "`homogeneous_max` is only read with `float_class = \"homogeneous\"`",
            "remove it",
        );
    }
    t.finish(sink);
    Some(Aggregates {
        registers_max: u32::try_from(max?.value).ok()?,
        power_of_two_sizes: pow2.is_some_and(|b| b.value),
        float_class: float_class?,
        homogeneous_max: hmax.map_or(0, |h| u32::try_from(h.value).unwrap_or_default()),
        when_full: when_full?,
    })
}
