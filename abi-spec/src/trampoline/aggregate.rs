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
    /// A struct whose only field is a float (nested one-field structs
    /// looked through, arrays not) takes a float register as that float would;
    /// any other aggregate goes in integer words (s390x).
    SingleField,
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
    /// Aggregates larger than `registers_max` are split too: their first
    /// words take the integer registers left, the rest goes on the stack
    /// (AAPCS32 and ELFv2 pass no composite by reference).
    pub split_larger: bool,
    /// The largest result, in bytes, that comes back in registers unless it
    /// is a homogeneous float aggregate (those come back in float registers
    /// whatever their size); defaults to `registers_max`.
    pub results_max: u32,
    /// Every struct result comes back through `indirect_result`, whatever its
    /// size and fields (i386 on Linux, s390x).
    pub results_in_memory: bool,
    /// A struct in one register word (or stack word) travels as an unsigned
    /// integer of its size would: in the low-order bytes, right-justified on a
    /// big-endian machine (s390x). Needs `power_of_two_sizes`.
    pub as_integer: bool,
    /// An aggregate with 8-byte alignment starts at an even integer register
    /// and at an 8-byte-aligned stack address (AAPCS32's rules C.3 and C.7).
    pub doubleword_align: bool,
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
            ("single_field", FloatClass::SingleField),
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
    let split_larger = t.opt_bool(sink, "split_larger");
    let results_max = t.opt_int(sink, "results_max", 0..65, "16");
    let results_in_memory = t.opt_bool(sink, "results_in_memory");
    let as_integer = t.opt_bool(sink, "as_integer");
    let doubleword_align = t.opt_bool(sink, "doubleword_align");
    if let Some(s) = split_larger.as_ref().filter(|s| s.value)
        && when_full.is_some_and(|w| w != WhenFull::Split)
    {
        sink.error(
            s.span.clone(),
            "`split_larger` is only read with `when_full = \"split\"`",
            "set `when_full = \"split\"`, or remove `split_larger`",
        );
    }
    if let Some(a) = as_integer.as_ref().filter(|a| a.value)
        && !pow2.as_ref().is_some_and(|p| p.value)
    {
        sink.error(
            a.span.clone(),
            "`as_integer` needs `power_of_two_sizes = true`",
            "add `power_of_two_sizes = true` (a struct of 3 bytes has no integer type to travel as)",
        );
    }
    if let (Some(r), Some(m)) = (&results_max, &results_in_memory)
        && m.value
    {
        sink.error(
            r.span.clone(),
            "`results_max` is not read with `results_in_memory = true`",
            "remove `results_max`",
        );
    }
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
    let registers_max = u32::try_from(max?.value).ok()?;
    Some(Aggregates {
        registers_max,
        power_of_two_sizes: pow2.is_some_and(|b| b.value),
        float_class: float_class?,
        homogeneous_max: hmax.map_or(0, |h| u32::try_from(h.value).unwrap_or_default()),
        when_full: when_full?,
        split_larger: split_larger.is_some_and(|b| b.value),
        results_max: match results_max {
            Some(r) => u32::try_from(r.value).ok()?,
            None => registers_max,
        },
        results_in_memory: results_in_memory.is_some_and(|b| b.value),
        as_integer: as_integer.is_some_and(|b| b.value),
        doubleword_align: doubleword_align.is_some_and(|b| b.value),
    })
}
