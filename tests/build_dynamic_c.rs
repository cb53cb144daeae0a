//! The struct-by-value tests' C side and its Rust mirror (`tests/dynamic_c.rs`),
//! from one table: for every struct, C functions taking it as argument (after a
//! few scalars, five times over, after most registers are used, after seven
//! integers) and returning
//! it, C functions calling a function pointer (a callback) with the same
//! shapes and taking its struct result, its layout as the C compiler has it
//! (`sizeof`, `_Alignof`, `offsetof`), a `#[repr(C)]` twin, its
//! `abi_runtime::abi::Type`, and the same value and mixing formulas in Rust.
//! The C is compiled with the leg's C compiler, so its layout and calling
//! convention are the compiler's.

use std::fmt::Write as _;
use std::path::Path;

/// (name, fields): a field is (name, type) where the type is a scalar
/// (`i8` ... `f64`), `[scalar; n]`, or the name of a struct listed before.
const STRUCTS: &[(&str, &[(&str, &str)])] = &[
    ("I1", &[("a", "u8")]),
    ("I3", &[("a", "i8"), ("b", "u8"), ("c", "i8")]),
    ("I8", &[("a", "i32"), ("b", "i32")]),
    ("I12", &[("a", "i32"), ("b", "u32"), ("c", "i32")]),
    ("I16", &[("a", "i64"), ("b", "i64")]),
    ("Pad", &[("a", "i8"), ("b", "i64"), ("c", "i16")]),
    ("Arr", &[("v", "[i16; 5]")]),
    (
        "B32",
        &[("a", "i64"), ("b", "u64"), ("c", "i64"), ("d", "i64")],
    ),
    ("F1", &[("a", "f32")]),
    ("F2", &[("a", "f32"), ("b", "f32")]),
    ("F3", &[("a", "f32"), ("b", "f32"), ("c", "f32")]),
    (
        "F4",
        &[("a", "f32"), ("b", "f32"), ("c", "f32"), ("d", "f32")],
    ),
    ("D1", &[("a", "f64")]),
    ("D2", &[("a", "f64"), ("b", "f64")]),
    ("D3", &[("a", "f64"), ("b", "f64"), ("c", "f64")]),
    ("D4", &[("v", "[f64; 4]")]),
    ("Fi", &[("a", "f32"), ("b", "i32")]),
    ("Df", &[("a", "f64"), ("b", "f32")]),
    ("Dl", &[("a", "f64"), ("b", "i64")]),
    ("If", &[("a", "i8"), ("b", "f64")]),
    ("Ifd", &[("a", "i32"), ("b", "f32"), ("c", "f64")]),
    ("Nest", &[("p", "F2"), ("z", "f32")]),
    ("NestD", &[("p", "D1"), ("q", "D1")]),
    ("Mix24", &[("a", "f64"), ("b", "i32"), ("c", "f64")]),
];

/// The seven scalar arguments before a struct that comes after most registers.
const LATE_FLOATS: &str = "0.5, 1.5, 2.5, 3.5, 4.5, 5.5, 6.5";
const LATE_INTS: &str = "-1, 999, 1999, 2999, 3999";
/// Seven integers before a struct: an odd number of integer registers left
/// (the struct split between a register and the stack, or put on the stack
/// with the registers closed, or on the stack after them).
const ODD_TYPES: &str = "int64_t, int64_t, int64_t, int64_t, int64_t, int64_t, int64_t";
const ODD_INTS: &str = "-7, 6, -5, 4, -3, 2, -1";

/// The C functions that call a callback of struct `name` (leaves `lv`) and
/// mix what it returns: `_cb_one`, `_cb_many`, `_cb_late` (the struct as
/// argument, the callback returns a hash of what it got; `_cb_odd` after
/// seven integers), `_cb_ret`,
/// `_cb_echo`, `_cb_echo_late` (the struct as result). Each takes the
/// callback, a seed and a float for `_ret` to fill the structs with. A struct
/// result is mixed through float arithmetic, so a float the callback left
/// malformed in its register (RISC-V's NaN-boxing) changes the hash; these
/// functions are built with optimisation, so they use the result registers
/// as the convention leaves them.
fn callers(c: &mut String, name: &str, lv: &[(String, String)]) {
    writeln!(
        c,
        "static uint64_t mixa_{name}(uint64_t h, struct {name} s) {{"
    )
    .unwrap();
    for (path, t) in lv {
        let cv = match t.as_str() {
            "f32" => format!("bf({path} + 0.0f)"),
            "f64" => format!("bd({path} + 0.0)"),
            t if t.starts_with('i') => format!("(uint64_t)(int64_t){path}"),
            _ => format!("(uint64_t){path}"),
        };
        writeln!(c, "    h = abi_test_mix(h, {cv});").unwrap();
    }
    writeln!(c, "    return h;\n}}").unwrap();
    let s = format!("struct {name}");
    let late = format!(
        "double, double, double, double, double, double, double, int64_t, int64_t, int64_t, int64_t, int64_t, {s}, int32_t, double"
    );
    writeln!(
        c,
        "uint64_t {name}_cb_one(uint64_t (*f)(int32_t, {s}, double), int64_t seed, double x) {{\n    \
         return abi_test_mix(f(-3, {name}_ret(seed, x), 2.5), 11);\n}}"
    )
    .unwrap();
    writeln!(
        c,
        "uint64_t {name}_cb_many(uint64_t (*f)({s}, {s}, {s}, {s}, {s}, double, int64_t), int64_t seed, double x) {{\n    \
         return abi_test_mix(f({name}_ret(seed, x), {name}_ret(seed + 11, x + 1), {name}_ret(seed + 22, x + 2), \
         {name}_ret(seed + 33, x + 3), {name}_ret(seed + 44, x + 4), -0.75, (int64_t)1 << 40), 12);\n}}"
    )
    .unwrap();
    writeln!(
        c,
        "uint64_t {name}_cb_late(uint64_t (*f)({late}), int64_t seed, double x) {{\n    \
         return abi_test_mix(f({LATE_FLOATS}, {LATE_INTS}, {name}_ret(seed, x), -9, 3.25), 13);\n}}"
    )
    .unwrap();
    writeln!(
        c,
        "uint64_t {name}_cb_odd(uint64_t (*f)({ODD_TYPES}, {s}, int32_t, double), int64_t seed, double x) {{\n    \
         return abi_test_mix(f({ODD_INTS}, {name}_ret(seed, x), -9, 3.25), 17);\n}}"
    )
    .unwrap();
    writeln!(
        c,
        "uint64_t {name}_cb_ret({s} (*f)(int64_t, double), int64_t seed, double x) {{\n    \
         return mixa_{name}(14, f(seed, x));\n}}"
    )
    .unwrap();
    writeln!(
        c,
        "uint64_t {name}_cb_echo({s} (*f)(int32_t, {s}, double), int64_t seed, double x) {{\n    \
         return mixa_{name}(15, f(1, {name}_ret(seed, x), 8.0));\n}}"
    )
    .unwrap();
    writeln!(
        c,
        "uint64_t {name}_cb_echo_late({s} (*f)({late}), int64_t seed, double x) {{\n    \
         return mixa_{name}(16, f({LATE_FLOATS}, {LATE_INTS}, {name}_ret(seed, x), -9, 3.25));\n}}\n"
    )
    .unwrap();
}

fn c_scalar(t: &str) -> &'static str {
    match t {
        "i8" => "int8_t",
        "u8" => "uint8_t",
        "i16" => "int16_t",
        "u16" => "uint16_t",
        "i32" => "int32_t",
        "u32" => "uint32_t",
        "i64" => "int64_t",
        "u64" => "uint64_t",
        "f32" => "float",
        "f64" => "double",
        _ => "",
    }
}

fn type_variant(t: &str) -> String {
    t.to_uppercase()
}

/// The scalar leaves of a struct, in order: (access path, scalar type).
fn leaves(name: &str, prefix: &str, out: &mut Vec<(String, String)>) {
    let fields = STRUCTS
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, f)| *f)
        .unwrap_or(&[]);
    for (f, t) in fields {
        let path = format!("{prefix}.{f}");
        if let Some(inner) = t.strip_prefix('[') {
            let (elem, n) = inner
                .trim_end_matches(']')
                .split_once("; ")
                .expect("[t; n]");
            for k in 0..n.parse::<usize>().expect("array length") {
                out.push((format!("{path}[{k}]"), elem.to_owned()));
            }
        } else if c_scalar(t).is_empty() {
            leaves(t, &path, out);
        } else {
            out.push((path, (*t).to_owned()));
        }
    }
}

/// Writes `dynamic_structs.c` and `dynamic_c.rs` into `dest`. `no_rules`
/// says why the native convention passes no structs (its ABI file has no
/// `[aggregates]` table): the callback tests are then marked ignored with it.
pub(crate) fn write(dest: &Path, no_rules: Option<&str>) {
    let mut c = String::from(
        "/* Generated by tests/build_dynamic_c.rs. */\n#include <stddef.h>\n#include <stdint.h>\n#include <string.h>\n\n\
         uint64_t abi_test_mix(uint64_t h, uint64_t v);\n\
         static uint64_t bf(float f) { uint32_t u; memcpy(&u, &f, 4); return u; }\n\
         static uint64_t bd(double d) { uint64_t u; memcpy(&u, &d, 8); return u; }\n\n",
    );
    let mut rs = String::from(
        "// Generated by tests/build_dynamic_c.rs.\n#[allow(non_snake_case, non_upper_case_globals, unused_variables, clippy::all)]\nmod structs {\nuse super::*;\n",
    );
    let mut cases = String::new();
    for (name, fields) in STRUCTS {
        // C: the struct, its layout, mixing and filling.
        writeln!(c, "struct {name} {{").unwrap();
        writeln!(
            rs,
            "#[repr(C)]\n#[derive(Debug, Clone, Copy, PartialEq, Default)]\npub struct {name} {{"
        )
        .unwrap();
        let mut tys = Vec::new();
        for (f, t) in *fields {
            if let Some(inner) = t.strip_prefix('[') {
                let (elem, n) = inner.trim_end_matches(']').split_once("; ").unwrap();
                writeln!(c, "    {} {f}[{n}];", c_scalar(elem)).unwrap();
                writeln!(rs, "    pub {f}: [{elem}; {n}],").unwrap();
                tys.push(format!("Type::Array(&Type::{}, {n})", type_variant(elem)));
            } else if c_scalar(t).is_empty() {
                writeln!(c, "    struct {t} {f};").unwrap();
                writeln!(rs, "    pub {f}: {t},").unwrap();
                tys.push(format!("T_{}", t.to_uppercase()));
            } else {
                writeln!(c, "    {} {f};", c_scalar(t)).unwrap();
                writeln!(rs, "    pub {f}: {t},").unwrap();
                tys.push(format!("Type::{}", type_variant(t)));
            }
        }
        writeln!(c, "}};").unwrap();
        writeln!(rs, "}}").unwrap();
        writeln!(
            rs,
            "/// `struct {name}` for dynamic calls.\npub const T_{}: Type = Type::Struct(&[{}]);",
            name.to_uppercase(),
            tys.join(", ")
        )
        .unwrap();
        let offs: Vec<String> = fields
            .iter()
            .map(|(f, _)| format!("offsetof(struct {name}, {f})"))
            .collect();
        writeln!(
            c,
            "const uint32_t {name}_layout[] = {{sizeof(struct {name}), _Alignof(struct {name}), {}}};",
            offs.join(", ")
        )
        .unwrap();
        let mut lv = Vec::new();
        leaves(name, "s", &mut lv);
        // Mixing: every leaf's bits, in order.
        writeln!(
            c,
            "static uint64_t mix_{name}(uint64_t h, struct {name} s) {{"
        )
        .unwrap();
        writeln!(rs, "pub fn mix_{name}(mut h: u64, s: &{name}) -> u64 {{").unwrap();
        for (path, t) in &lv {
            let cv = match t.as_str() {
                "f32" => format!("bf({path})"),
                "f64" => format!("bd({path})"),
                t if t.starts_with('i') => format!("(uint64_t)(int64_t){path}"),
                _ => format!("(uint64_t){path}"),
            };
            let rv = match t.as_str() {
                "f32" => format!("u64::from({path}.to_bits())"),
                "f64" => format!("{path}.to_bits()"),
                t if t.starts_with('i') => format!("i64::from({path}) as u64"),
                _ => format!("u64::from({path})"),
            };
            writeln!(c, "    h = abi_test_mix(h, {cv});").unwrap();
            writeln!(rs, "    h = mix(h, {rv});").unwrap();
        }
        writeln!(c, "    return h;\n}}").unwrap();
        writeln!(rs, "    h\n}}").unwrap();
        // Filling: leaf k from the seed (integers) or x (floats).
        writeln!(c, "struct {name} {name}_ret(int64_t seed, double x) {{\n    struct {name} s;\n    (void)seed; (void)x;\n    memset(&s, 0, sizeof s);").unwrap();
        writeln!(
            rs,
            "pub fn fill_{name}(seed: i64, x: f64) -> {name} {{\n    let mut s = {name}::default();"
        )
        .unwrap();
        for (k, (path, t)) in lv.iter().enumerate() {
            let (cv, rv) = match t.as_str() {
                "f32" => (
                    format!("(float)(x * {})", k + 1),
                    format!("(x * {}.0) as f32", k + 1),
                ),
                "f64" => (
                    format!("x * {} + {k}", k + 1),
                    format!("x * {}.0 + {k}.0", k + 1),
                ),
                _ => (
                    format!("({})(seed * {} - {})", c_scalar(t), k + 3, k * 977),
                    format!(
                        "seed.wrapping_mul({}).wrapping_sub({}) as {t}",
                        k + 3,
                        k * 977
                    ),
                ),
            };
            writeln!(c, "    {path} = {cv};").unwrap();
            writeln!(rs, "    {path} = {rv};").unwrap();
        }
        writeln!(c, "    return s;\n}}").unwrap();
        writeln!(rs, "    s\n}}").unwrap();
        // The argument shapes.
        writeln!(
            c,
            "uint64_t {name}_one(int32_t a, struct {name} s, double b) {{\n    return abi_test_mix(mix_{name}(abi_test_mix(1, (uint64_t)(int64_t)a), s), bd(b));\n}}"
        )
        .unwrap();
        writeln!(
            c,
            "uint64_t {name}_many(struct {name} s0, struct {name} s1, struct {name} s2, struct {name} s3, struct {name} s4, double d, int64_t i) {{\n    \
             uint64_t h = mix_{name}(mix_{name}(mix_{name}(mix_{name}(mix_{name}(2, s0), s1), s2), s3), s4);\n    \
             return abi_test_mix(abi_test_mix(h, bd(d)), (uint64_t)i);\n}}"
        )
        .unwrap();
        writeln!(
            c,
            "uint64_t {name}_late(double f0, double f1, double f2, double f3, double f4, double f5, double f6, \
             int64_t i0, int64_t i1, int64_t i2, int64_t i3, int64_t i4, struct {name} s, int32_t t, double g) {{\n    \
             uint64_t h = 5;\n    double f[] = {{f0, f1, f2, f3, f4, f5, f6}};\n    int64_t i[] = {{i0, i1, i2, i3, i4}};\n    \
             for (int k = 0; k < 7; k++) h = abi_test_mix(h, bd(f[k]));\n    for (int k = 0; k < 5; k++) h = abi_test_mix(h, (uint64_t)i[k]);\n    \
             return abi_test_mix(abi_test_mix(mix_{name}(h, s), (uint64_t)(int64_t)t), bd(g));\n}}"
        )
        .unwrap();
        // After one float too many for the float registers: on the stack
        // before the struct, which then may not be split (AAPCS32 C.5).
        writeln!(
            c,
            "uint64_t {name}_spill(double f0, double f1, double f2, double f3, double f4, double f5, double f6, \
             double f7, double f8, double f9, double f10, double f11, double f12, double f13, \
             int32_t a, struct {name} s, int32_t t) {{\n    \
             uint64_t h = 6;\n    double f[] = {{f0, f1, f2, f3, f4, f5, f6, f7, f8, f9, f10, f11, f12, f13}};\n    \
             for (int k = 0; k < 14; k++) h = abi_test_mix(h, bd(f[k]));\n    \
             return abi_test_mix(mix_{name}(abi_test_mix(h, (uint64_t)(int64_t)a), s), (uint64_t)(int64_t)t);\n}}"
        )
        .unwrap();
        writeln!(
            c,
            "uint64_t {name}_odd(int64_t i0, int64_t i1, int64_t i2, int64_t i3, int64_t i4, int64_t i5, int64_t i6, \
             struct {name} s, int32_t t, double g) {{\n    \
             uint64_t h = 17;\n    int64_t i[] = {{i0, i1, i2, i3, i4, i5, i6}};\n    \
             for (int k = 0; k < 7; k++) h = abi_test_mix(h, (uint64_t)i[k]);\n    \
             return abi_test_mix(abi_test_mix(mix_{name}(h, s), (uint64_t)(int64_t)t), bd(g));\n}}"
        )
        .unwrap();
        writeln!(
            c,
            "struct {name} {name}_echo(int32_t a, struct {name} s, double b) {{\n    (void)a; (void)b;\n    return s;\n}}\n"
        )
        .unwrap();
        callers(&mut c, name, &lv);
        writeln!(
            rs,
            "unsafe extern \"C\" {{\n    \
             static {name}_layout: [u32; {}];\n    \
             fn {name}_one(a: i32, s: {name}, b: f64) -> u64;\n    \
             fn {name}_many(s0: {name}, s1: {name}, s2: {name}, s3: {name}, s4: {name}, d: f64, i: i64) -> u64;\n    \
             fn {name}_late(f0: f64, f1: f64, f2: f64, f3: f64, f4: f64, f5: f64, f6: f64, i0: i64, i1: i64, i2: i64, i3: i64, i4: i64, s: {name}, t: i32, g: f64) -> u64;\n    \
             fn {name}_odd(i0: i64, i1: i64, i2: i64, i3: i64, i4: i64, i5: i64, i6: i64, s: {name}, t: i32, g: f64) -> u64;\n    \
             fn {name}_spill(f0: f64, f1: f64, f2: f64, f3: f64, f4: f64, f5: f64, f6: f64, f7: f64, f8: f64, f9: f64, f10: f64, f11: f64, f12: f64, f13: f64, a: i32, s: {name}, t: i32) -> u64;\n    \
             fn {name}_ret(seed: i64, x: f64) -> {name};\n    \
             fn {name}_echo(a: i32, s: {name}, b: f64) -> {name};\n    \
             fn {name}_cb_one(f: *const (), seed: i64, x: f64) -> u64;\n    \
             fn {name}_cb_many(f: *const (), seed: i64, x: f64) -> u64;\n    \
             fn {name}_cb_late(f: *const (), seed: i64, x: f64) -> u64;\n    \
             fn {name}_cb_odd(f: *const (), seed: i64, x: f64) -> u64;\n    \
             fn {name}_cb_ret(f: *const (), seed: i64, x: f64) -> u64;\n    \
             fn {name}_cb_echo(f: *const (), seed: i64, x: f64) -> u64;\n    \
             fn {name}_cb_echo_late(f: *const (), seed: i64, x: f64) -> u64;\n}}\n",
            fields.len() + 2
        )
        .unwrap();
        writeln!(
            cases,
            "    Case {{\n        name: {name:?},\n        ty: T_{up},\n        size: core::mem::size_of::<{name}>(),\n        \
             c_layout: || unsafe {{ &{name}_layout }},\n        \
             one: {name}_one as *const (),\n        many: {name}_many as *const (),\n        late: {name}_late as *const (),\n        odd: {name}_odd as *const (),\n        spill: {name}_spill as *const (),\n        \
             ret: {name}_ret as *const (),\n        echo: {name}_echo as *const (),\n        \
             fill: |seed, x| bytes_of(&fill_{name}(seed, x)),\n        \
             mix: |h, b| mix_{name}(h, &from_bytes::<{name}>(b)),\n        \
             same: |a, b| from_bytes::<{name}>(a) == from_bytes::<{name}>(b),\n        \
             direct_one: |a, b, x| unsafe {{ {name}_one(a, from_bytes(b), x) }},\n        \
             direct_echo: |a, b, x| bytes_of(&unsafe {{ {name}_echo(a, from_bytes(b), x) }}),\n        \
             cb: Callers {{ one: {name}_cb_one, many: {name}_cb_many, late: {name}_cb_late, odd: {name}_cb_odd, ret: {name}_cb_ret, echo: {name}_cb_echo, echo_late: {name}_cb_echo_late }},\n    }},",
            up = name.to_uppercase()
        )
        .unwrap();
    }
    writeln!(rs, "/// Every struct of the table.\npub static CASES: &[Case] = &[\n{cases}];\n}}\npub use structs::CASES;").unwrap();
    // The callback tests, marked ignored with the reason where the
    // convention has no struct rules.
    let ignore = no_rules.map_or(String::new(), |r| format!("#[ignore = {r:?}] "));
    writeln!(
        rs,
        "/// Tests that need the native convention's struct rules.\nmacro_rules! struct_rule_tests {{\n    \
         ($($(#[$m:meta])* fn $name:ident() $body:block)*) => {{ $( $(#[$m])* #[test] {ignore}fn $name() $body )* }};\n}}"
    )
    .unwrap();
    std::fs::write(dest.join("dynamic_structs.c"), c).expect("write OUT_DIR/dynamic_structs.c");
    std::fs::write(dest.join("dynamic_c.rs"), rs).expect("write OUT_DIR/dynamic_c.rs");
}
