//! The tests of `dynamic_c.rs` on targets with trampolines.
#![allow(unreachable_pub, clippy::undocumented_unsafe_blocks)]

use std::sync::Mutex;

use abi_runtime::abi::{Abi, Aggregates, Args, FloatClass, PrepareError, Type, Value, WhenFull};

/// One struct of the table, with its C functions and Rust formulas.
pub struct Case {
    name: &'static str,
    ty: Type,
    size: usize,
    c_layout: fn() -> &'static [u32],
    one: *const (),
    many: *const (),
    late: *const (),
    odd: *const (),
    spill: *const (),
    ret: *const (),
    echo: *const (),
    fill: fn(i64, f64) -> Vec<u8>,
    mix: fn(u64, &[u8]) -> u64,
    same: fn(&[u8], &[u8]) -> bool,
    direct_one: fn(i32, &[u8], f64) -> u64,
    direct_echo: fn(i32, &[u8], f64) -> Vec<u8>,
    cb: Callers,
}

/// A C function calling callback `f` with structs filled from `(seed, x)`.
type Caller = unsafe extern "C" fn(f: *const (), seed: i64, x: f64) -> u64;

/// The C functions of one struct that call a callback (`tests/build_dynamic_c.rs`).
pub struct Callers {
    /// `f(-3, S, 2.5) -> u64`, mixed with 11.
    one: Caller,
    /// `f(S × 5, -0.75, 1 << 40) -> u64`, mixed with 12.
    many: Caller,
    /// `f(f64 × 7, i64 × 5, S, -9, 3.25) -> u64`, mixed with 13.
    late: Caller,
    /// `f(i64 × 7, S, -9, 3.25) -> u64`, mixed with 17.
    odd: Caller,
    /// `f(seed, x) -> S`, its fields mixed from 14.
    ret: Caller,
    /// `f(1, S, 8.0) -> S`, its fields mixed from 15.
    echo: Caller,
    /// `f(f64 × 7, i64 × 5, S, -9, 3.25) -> S`, its fields mixed from 16.
    echo_late: Caller,
}

// SAFETY: function addresses, immutable.
unsafe impl Sync for Case {}

fn mix(h: u64, v: u64) -> u64 {
    (h ^ v).wrapping_mul(1_099_511_628_211).wrapping_add(7)
}

fn bytes_of<T: Copy>(v: &T) -> Vec<u8> {
    let mut out = vec![0u8; core::mem::size_of::<T>()];
    unsafe {
        core::ptr::copy_nonoverlapping((v as *const T).cast::<u8>(), out.as_mut_ptr(), out.len())
    };
    out
}

fn from_bytes<T: Copy + Default>(b: &[u8]) -> T {
    assert_eq!(b.len(), core::mem::size_of::<T>());
    let mut v = T::default();
    unsafe { core::ptr::copy_nonoverlapping(b.as_ptr(), (&mut v as *mut T).cast::<u8>(), b.len()) };
    v
}

// tests/build.rs compiles the C into this library; the build script's link
// line reaches only the package's library, so the test names it too.
#[link(name = "abi_dynamic_c", kind = "static")]
unsafe extern "C" {}

include!(concat!(env!("OUT_DIR"), "/dynamic_c.rs"));

fn rules() -> Option<&'static Aggregates> {
    Abi::native().aggregates()
}

/// Our layout of every struct is the C compiler's.
#[test]
fn layouts_are_the_c_compilers() {
    for c in CASES {
        let l = (c.c_layout)();
        assert_eq!(c.ty.size() as usize, c.size, "{}: Rust twin", c.name);
        assert_eq!((c.ty.size(), c.ty.align()), (l[0], l[1]), "{}", c.name);
        for (i, off) in l[2..].iter().enumerate() {
            assert_eq!(c.ty.field_offset(i), Some(*off), "{} field {i}", c.name);
        }
    }
}

fn no_rules(e: PrepareError) {
    let abi = Abi::native().name();
    assert!(
        matches!(e, PrepareError::NoAggregateRules { abi: a, .. } if a == abi),
        "{e}"
    );
    assert!(
        e.to_string().contains(&format!("targets/abi/{abi}.toml")),
        "{e}"
    );
}

/// `S_one(i32, S, f64)`, `S_many(S × 5, f64, i64)`, `S_late(f64 × 7, i64 × 5, S, i32, f64)`
/// `S_odd(i64 × 7, S, i32, f64)` and `S_spill(f64 × 14, i32, S, i32)`.
#[test]
fn structs_as_arguments() {
    let abi = Abi::native();
    for c in CASES {
        let s = (c.fill)(7, 1.5);
        let one = abi.prepare(&[Type::I32, c.ty, Type::F64], Type::U64);
        let Some(_) = rules() else {
            no_rules(one.unwrap_err());
            continue;
        };
        let one = one.unwrap_or_else(|e| panic!("{}: {e}", c.name));
        let want = mix((c.mix)(mix(1, (-3i64) as u64), &s), 2.5f64.to_bits());
        let got = unsafe {
            one.call(
                c.one,
                &[Value::I32(-3), Value::Struct(s.as_ptr()), Value::F64(2.5)],
            )
        };
        assert_eq!((c.direct_one)(-3, &s, 2.5), want, "{}: direct call", c.name);
        assert_eq!(got, Value::U64(want), "{}: one {one:?}", c.name);
        // One-shot, twice: the second call takes the plan from the cache.
        for _ in 0..2 {
            let r = unsafe {
                abi.call_typed(
                    c.one,
                    &[Type::I32, c.ty, Type::F64],
                    &[Value::I32(-3), Value::Struct(s.as_ptr()), Value::F64(2.5)],
                    Type::U64,
                    None,
                    core::ptr::null_mut(),
                )
            };
            assert_eq!(r, Ok(Value::U64(want)), "{}: one-shot", c.name);
        }

        let many: Vec<Vec<u8>> = (0..5)
            .map(|k| (c.fill)(k * 11 - 20, 0.5 + k as f64))
            .collect();
        let mut types = vec![c.ty; 5];
        types.extend([Type::F64, Type::I64]);
        let p = abi.prepare(&types, Type::U64).unwrap();
        let mut args: Vec<Value> = many.iter().map(|b| Value::Struct(b.as_ptr())).collect();
        args.extend([Value::F64(-0.75), Value::I64(1 << 40)]);
        let want = mix(
            mix(
                many.iter().fold(2, |h, b| (c.mix)(h, b)),
                (-0.75f64).to_bits(),
            ),
            1 << 40,
        );
        assert_eq!(
            unsafe { p.call(c.many, &args) },
            Value::U64(want),
            "{}: many",
            c.name
        );

        let mut types = vec![Type::F64; 7];
        types.extend([Type::I64; 5]);
        types.extend([c.ty, Type::I32, Type::F64]);
        let p = abi.prepare(&types, Type::U64).unwrap();
        let mut args: Vec<Value> = (0..7).map(|k| Value::F64(k as f64 + 0.5)).collect();
        args.extend((0..5).map(|k| Value::I64(k * 1000 - 1)));
        args.extend([Value::Struct(s.as_ptr()), Value::I32(-9), Value::F64(3.25)]);
        let mut h = (0..7).fold(5, |h, k| mix(h, (k as f64 + 0.5).to_bits()));
        h = (0..5).fold(h, |h, k| mix(h, (k * 1000 - 1i64) as u64));
        let want = mix(mix((c.mix)(h, &s), (-9i64) as u64), 3.25f64.to_bits());
        assert_eq!(
            unsafe { p.call(c.late, &args) },
            Value::U64(want),
            "{}: late",
            c.name
        );

        // After seven integers: split between the last register and the
        // stack, or on the stack (closing the integer registers, or not).
        let (_, _, first, types, meant, _) = arg_shapes(c, 7, 1.5).swap_remove(3);
        let p = abi.prepare(&types, Type::U64).unwrap();
        let args: Vec<Value> = meant
            .iter()
            .map(|a| match a {
                Arg::V(v) => *v,
                Arg::S(b) => Value::Struct(b.as_ptr()),
            })
            .collect();
        assert_eq!(
            unsafe { p.call(c.odd, &args) },
            Value::U64(hash(c, first, &meant)),
            "{}: odd",
            c.name
        );

        // Fourteen doubles (more than any convention's float argument
        // registers), then an i32, the struct and another i32.
        let mut types = vec![Type::F64; 14];
        types.extend([Type::I32, c.ty, Type::I32]);
        let p = abi.prepare(&types, Type::U64).unwrap();
        let mut args: Vec<Value> = (0..14).map(|k| Value::F64(f64::from(k) - 6.5)).collect();
        args.extend([Value::I32(77), Value::Struct(s.as_ptr()), Value::I32(-1234)]);
        let h = (0..14).fold(6, |h, k| mix(h, (f64::from(k) - 6.5).to_bits()));
        let want = mix((c.mix)(mix(h, 77), &s), (-1234i64) as u64);
        assert_eq!(
            unsafe { p.call(c.spill, &args) },
            Value::U64(want),
            "{}: spill {p:?}",
            c.name
        );
    }
}

/// `S_ret(i64, f64)` and `S_echo(i32, S, f64)`: results in registers or through the hidden address.
#[test]
fn structs_as_results() {
    let abi = Abi::native();
    for c in CASES {
        let p = abi.prepare(&[Type::I64, Type::F64], c.ty);
        let Some(_) = rules() else {
            no_rules(p.unwrap_err());
            continue;
        };
        let p = p.unwrap();
        assert_eq!(p.ret_type(), c.ty);
        let mut out = vec![0xA5u8; c.size];
        let r = unsafe {
            p.call_into(
                c.ret,
                &[Value::I64(-12345), Value::F64(2.25)],
                out.as_mut_ptr(),
            )
        };
        assert_eq!(r, Value::Void);
        assert!(
            (c.same)(&out, &(c.fill)(-12345, 2.25)),
            "{}: ret {p:?}",
            c.name
        );

        let s = (c.fill)(99, -4.5);
        let p = abi.prepare(&[Type::I32, c.ty, Type::F64], c.ty).unwrap();
        let mut out = vec![0x5Au8; c.size];
        unsafe {
            p.call_into(
                c.echo,
                &[Value::I32(1), Value::Struct(s.as_ptr()), Value::F64(8.0)],
                out.as_mut_ptr(),
            )
        };
        assert!((c.same)(&out, &s), "{}: echo {p:?}", c.name);
        assert!(
            (c.same)(&(c.direct_echo)(1, &s, 8.0), &s),
            "{}: direct echo",
            c.name
        );
        // A struct result nobody asks for is dropped, not written through null.
        let r = unsafe {
            p.call(
                c.echo,
                &[Value::I32(1), Value::Struct(s.as_ptr()), Value::F64(8.0)],
            )
        };
        assert_eq!(r, Value::Void);
    }
}

/// `abi` with the struct rules `m`, when the mutation `applies` (the
/// convention has argument registers of the class it moves values into);
/// otherwise says why it is not run.
fn mutated_abi(abi: &'static Abi, applies: bool, m: Aggregates) -> Option<&'static Abi> {
    if !applies {
        eprintln!(
            "{m:?}: not run, {} has no argument registers of the class it moves values to",
            abi.name()
        );
        return None;
    }
    Some(Box::leak(Box::new(abi.with_aggregates(m))))
}

/// Changing one classification rule of the native convention changes the
/// plan of some struct and makes calls to C give wrong values: the tests
/// above depend on the rules in the ABI file. Only mutations that keep the
/// calls safe are run (they move values between register classes, or from
/// registers to memory the callee does not dereference). A mutation that
/// moves values between registers runs where the convention has argument
/// registers of that class (i386 has none: there only the by-reference rule
/// changes anything).
#[test]
fn a_changed_rule_gives_wrong_values() {
    let Some(real) = rules() else { return };
    let abi = Abi::native();
    let other = if real.float_class == FloatClass::Integer {
        FloatClass::PerWord
    } else {
        FloatClass::Integer
    };
    let no_registers = Aggregates {
        registers_max: 0,
        power_of_two_sizes: false,
        split_larger: false,
        ..*real
    };
    let mutations = [
        (
            !abi.float_arg_regs().is_empty(),
            Aggregates {
                float_class: other,
                ..*real
            },
        ),
        (!abi.int_arg_regs().is_empty(), no_registers),
        (
            true,
            Aggregates {
                larger_by_reference: !real.larger_by_reference,
                ..no_registers
            },
        ),
    ];
    for (applies, m) in mutations {
        let Some(mutated) = mutated_abi(abi, applies, m) else {
            continue;
        };
        let mut wrong = Vec::new();
        for c in CASES
            .iter()
            .filter(|c| ["F2", "D1", "I8", "Fi"].contains(&c.name))
        {
            let s = (c.fill)(7, 1.5);
            let args = [Value::I32(-3), Value::Struct(s.as_ptr()), Value::F64(2.5)];
            let types = [Type::I32, c.ty, Type::F64];
            let want = unsafe { abi.prepare(&types, Type::U64).unwrap().call(c.one, &args) };
            let p = mutated.prepare(&types, Type::U64).unwrap();
            if unsafe { p.call(c.one, &args) } != want {
                wrong.push(c.name);
            }
        }
        assert!(!wrong.is_empty(), "{m:?}: no call changed");
    }
}

/// `vmix(fmt, n, ...)` over ints, longs, pointers and doubles, and `vsum(n, ...)`.
#[test]
fn variadic_calls() {
    unsafe extern "C" {
        fn abi_test_vmix(fmt: *const u8, n: i32, ...) -> u64;
        fn abi_test_vsum(n: i32, ...) -> f64;
    }
    let abi = Abi::native();
    let shapes: [&[Value]; 4] = [
        &[
            Value::I32(-7),
            Value::F64(1.25),
            Value::I64(-1 << 50),
            Value::F64(-2.5),
        ],
        &[Value::F64(0.5); 12],
        &[
            Value::I32(1),
            Value::F64(2.0),
            Value::U32(u32::MAX),
            Value::F64(4.0),
            Value::I64(5),
            Value::Ptr(6 as *const ()),
            Value::F64(7.0),
            Value::I32(-8),
            Value::F64(9.0),
            Value::I64(-10),
            Value::F64(11.0),
            Value::I32(12),
        ],
        &[],
    ];
    for vals in shapes {
        let fmt: String = vals
            .iter()
            .map(|v| match v {
                Value::I32(_) => 'i',
                Value::U32(_) => 'u',
                Value::I64(_) => 'l',
                Value::Ptr(_) => 'p',
                _ => 'd',
            })
            .chain(['\0'])
            .collect();
        let mut types = vec![Type::Ptr, Type::I32];
        types.extend(vals.iter().map(Value::ty));
        let p = abi.prepare_variadic(2, &types, Type::U64).unwrap();
        let mut args = vec![
            Value::Ptr(fmt.as_ptr().cast()),
            Value::I32(vals.len() as i32),
        ];
        args.extend_from_slice(vals);
        let want = vals.iter().fold(mix(3, vals.len() as u64), |h, v| {
            mix(
                h,
                match *v {
                    Value::I32(x) => i64::from(x) as u64,
                    Value::U32(x) => u64::from(x),
                    v => v.bits(),
                },
            )
        });
        assert_eq!(
            unsafe { p.call(abi_test_vmix as *const (), &args) },
            Value::U64(want),
            "{fmt}"
        );
    }
    let direct = unsafe { abi_test_vmix(c"ld".as_ptr().cast(), 2, 5i64, 0.5f64) };
    assert_eq!(direct, mix(mix(mix(3, 2), 5), 0.5f64.to_bits()));

    let xs: Vec<f64> = (0..11).map(|k| f64::from(k) * 0.5 + 0.25).collect();
    let mut types = vec![Type::I32];
    types.extend(xs.iter().map(|_| Type::F64));
    let p = abi.prepare_variadic(1, &types, Type::F64).unwrap();
    let mut args = vec![Value::I32(xs.len() as i32)];
    args.extend(xs.iter().map(|&x| Value::F64(x)));
    assert_eq!(
        unsafe { p.call(abi_test_vsum as *const (), &args) },
        Value::F64(xs.iter().sum())
    );
    // C promotes f32 and narrow integers: a variadic one is an error.
    assert!(matches!(
        abi.prepare_variadic(1, &[Type::I32, Type::F32], Type::F64),
        Err(PrepareError::NotPromoted {
            index: 1,
            ty: Type::F32
        })
    ));
    assert!(matches!(
        abi.prepare_variadic(3, &[Type::I32], Type::F64),
        Err(PrepareError::FixedCount { fixed: 3, count: 1 })
    ));
}

const LATE_F: [f64; 7] = [0.5, 1.5, 2.5, 3.5, 4.5, 5.5, 6.5];
const LATE_I: [i64; 5] = [-1, 999, 1999, 2999, 3999];
const ODD_I: [i64; 7] = [-7, 6, -5, 4, -3, 2, -1];

/// An argument a C caller passes a callback.
enum Arg {
    V(Value),
    S(Vec<u8>),
}

// SAFETY: a pointer value is only compared, never dereferenced.
unsafe impl Send for Arg {}

/// The hash a callback returns for the arguments it got, and the test for
/// the arguments meant: each scalar's bits, each struct's fields, from `h`.
fn hash(c: &Case, h: u64, args: &[Arg]) -> u64 {
    args.iter().fold(h, |h, a| match a {
        Arg::V(v) => mix(h, v.bits()),
        Arg::S(b) => (c.mix)(h, b),
    })
}

/// What a handler received: scalars as values, structs as their bytes.
fn received(args: &Args<'_>) -> Vec<Arg> {
    (0..args.len())
        .map(|i| match args.struct_bytes(i) {
            Some(b) => Arg::S(b.to_vec()),
            None => Arg::V(args.get(i)),
        })
        .collect()
}

/// `(seed, x)` pairs the C callers fill their structs from.
const FILLS: [(i64, f64); 2] = [(7, 1.5), (-12345, -4.25)];

/// The shapes of `Callers` that take the struct as argument: (name, caller,
/// first hash, argument types, arguments meant for `(seed, x)`, mixed with).
type ArgShape = (&'static str, Caller, u64, Vec<Type>, Vec<Arg>, u64);

fn arg_shapes(c: &Case, seed: i64, x: f64) -> Vec<ArgShape> {
    let s = |k: i64| Arg::S((c.fill)(seed + 11 * k, x + k as f64));
    let mut late_t = vec![Type::F64; 7];
    late_t.extend([Type::I64; 5]);
    late_t.extend([c.ty, Type::I32, Type::F64]);
    let mut late_a: Vec<Arg> = LATE_F.iter().map(|&f| Arg::V(Value::F64(f))).collect();
    late_a.extend(LATE_I.iter().map(|&i| Arg::V(Value::I64(i))));
    late_a.extend([s(0), Arg::V(Value::I32(-9)), Arg::V(Value::F64(3.25))]);
    let mut odd_t = vec![Type::I64; 7];
    odd_t.extend([c.ty, Type::I32, Type::F64]);
    let mut odd_a: Vec<Arg> = ODD_I.iter().map(|&i| Arg::V(Value::I64(i))).collect();
    odd_a.extend([s(0), Arg::V(Value::I32(-9)), Arg::V(Value::F64(3.25))]);
    let mut many_t = vec![c.ty; 5];
    many_t.extend([Type::F64, Type::I64]);
    let mut many_a: Vec<Arg> = (0..5).map(s).collect();
    many_a.extend([Arg::V(Value::F64(-0.75)), Arg::V(Value::I64(1 << 40))]);
    vec![
        (
            "one",
            c.cb.one,
            1,
            vec![Type::I32, c.ty, Type::F64],
            vec![Arg::V(Value::I32(-3)), s(0), Arg::V(Value::F64(2.5))],
            11,
        ),
        ("many", c.cb.many, 2, many_t, many_a, 12),
        ("late", c.cb.late, 5, late_t, late_a, 13),
        ("odd", c.cb.odd, 17, odd_t, odd_a, 17),
    ]
}

/// Whether two argument lists are the same (structs compared field by field).
fn same_args(c: &Case, a: &[Arg], b: &[Arg]) -> bool {
    a.len() == b.len()
        && a.iter().zip(b).all(|p| match p {
            (Arg::V(x), Arg::V(y)) => x.same_bits(y),
            (Arg::S(x), Arg::S(y)) => x.len() == y.len() && (c.same)(x, y),
            _ => false,
        })
}

/// Runs C caller `call` against a callback of `abi` for `(types) -> U64`
/// whose handler returns the hash of what it got from `first`; returns
/// (what C returned, what the handler received).
fn run_arg_shape(
    abi: &'static Abi,
    c: &Case,
    (call, first, types): (Caller, u64, &[Type]),
    (seed, x): (i64, f64),
) -> (u64, Vec<Arg>) {
    let p = abi
        .prepare(types, Type::U64)
        .unwrap_or_else(|e| panic!("{}: {e}", c.name));
    let seen = Mutex::new(Vec::new());
    let handler = |args: &Args<'_>| {
        let got = received(args);
        let h = hash(c, first, &got);
        *seen.lock().unwrap() = got;
        Value::U64(h)
    };
    let cb = p
        .callback(&handler)
        .unwrap_or_else(|e| panic!("{}: {e}", c.name));
    let r = unsafe { call(cb.code(), seed, x) };
    drop(cb);
    (r, seen.into_inner().unwrap())
}

struct_rule_tests! {
    /// C calls a callback with each struct among scalars, five at a time,
    /// after most registers are taken and after an odd number of integers;
    /// the handler must get the fields C filled, and C the handler's hash.
    fn structs_as_callback_arguments() {
        let abi = Abi::native();
        for c in CASES {
            for fill in FILLS {
                for (shape, call, first, types, meant, last) in arg_shapes(c, fill.0, fill.1) {
                    let (r, got) = run_arg_shape(abi, c, (call, first, &types), fill);
                    assert!(
                        same_args(c, &got, &meant),
                        "{} {shape} {fill:?}: the handler received other arguments",
                        c.name
                    );
                    assert_eq!(r, mix(hash(c, first, &meant), last), "{} {shape} {fill:?}", c.name);
                }
            }
        }
    }

    /// C calls a callback returning each struct (after scalars, after a
    /// struct argument, after most registers are taken) and mixes its fields
    /// through float arithmetic: the handler's result must arrive intact.
    fn structs_as_callback_results() {
        let abi = Abi::native();
        for c in CASES {
            for (seed, x) in FILLS {
                let want = (c.fill)(seed, x);
                let p = abi.prepare(&[Type::I64, Type::F64], c.ty).unwrap();
                let handler = |args: &Args<'_>| {
                    let (Value::I64(seed), Value::F64(x)) = (args.get(0), args.get(1)) else {
                        return Value::Void;
                    };
                    let b = (c.fill)(seed, x);
                    unsafe { core::ptr::copy_nonoverlapping(b.as_ptr(), args.result_ptr(), b.len()) };
                    Value::Void
                };
                let cb = p.callback(&handler).unwrap();
                let r = unsafe { (c.cb.ret)(cb.code(), seed, x) };
                assert_eq!(r, (c.mix)(14, &want), "{} ret {:?}", c.name, (seed, x));
                drop(cb);

                let echo = |types: &[Type], at: usize, call: Caller, first: u64| {
                    let p = abi.prepare(types, c.ty).unwrap();
                    let seen = Mutex::new(Vec::new());
                    let handler = |args: &Args<'_>| {
                        let got = received(args);
                        let s = args.struct_bytes(at).expect("a struct argument");
                        unsafe { core::ptr::copy_nonoverlapping(s.as_ptr(), args.result_ptr(), s.len()) };
                        *seen.lock().unwrap() = got;
                        Value::Void
                    };
                    let cb = p.callback(&handler).unwrap();
                    let r = unsafe { call(cb.code(), seed, x) };
                    drop(cb);
                    assert_eq!(r, (c.mix)(first, &want), "{} echo {types:?} {:?}", c.name, (seed, x));
                    seen.into_inner().unwrap()
                };
                let got = echo(&[Type::I32, c.ty, Type::F64], 1, c.cb.echo, 15);
                let meant = [Arg::V(Value::I32(1)), Arg::S(want.clone()), Arg::V(Value::F64(8.0))];
                assert!(same_args(c, &got, &meant), "{} echo: the handler received other arguments", c.name);
                let (_, _, _, late_t, late_a, _) = arg_shapes(c, seed, x).swap_remove(2);
                let got = echo(&late_t, 12, c.cb.echo_late, 16);
                assert!(same_args(c, &got, &late_a), "{} echo_late: the handler received other arguments", c.name);
            }
        }
    }

    /// The typed accessors: `read_struct` and `set_result` with the Rust
    /// twins, `get` giving the struct's address, a scalar giving no bytes.
    fn typed_struct_accessors() {
        #[repr(C)]
        #[derive(Clone, Copy, Debug, PartialEq)]
        struct Mix24 {
            a: f64,
            b: i32,
            c: f64,
        }
        let c = CASES.iter().find(|c| c.name == "Mix24").unwrap();
        let p = Abi::native().prepare(&[Type::I32, c.ty, Type::F64], c.ty).unwrap();
        let handler = |args: &Args<'_>| {
            assert!(args.struct_bytes(0).is_none());
            let m: Mix24 = unsafe { args.read_struct(1) };
            let Value::Struct(at) = args.get(1) else { panic!("not a struct") };
            assert_eq!(at, args.struct_bytes(1).unwrap().as_ptr());
            args.set_result(Mix24 { a: m.c, b: -m.b, c: m.a });
            Value::Void
        };
        let cb = p.callback(&handler).unwrap();
        let want = (c.fill)(3, 0.25);
        let m: Mix24 = from_bytes_raw(&want);
        let flipped = Mix24 { a: m.c, b: -m.b, c: m.a };
        let r = unsafe { (c.cb.echo)(cb.code(), 3, 0.25) };
        let mut fb = vec![0u8; want.len()];
        unsafe { core::ptr::copy_nonoverlapping((&raw const flipped).cast::<u8>(), fb.as_mut_ptr(), fb.len()) };
        assert_eq!(r, (c.mix)(15, &fb));
    }

    /// Changing a classification rule of the native convention makes the
    /// callback tests above fail: C's arguments are read from the wrong
    /// places, or the result left in the wrong registers. Only mutations
    /// that keep the callback safe are run (values move between register
    /// classes, or are read from the caller's stack; nothing the mutated
    /// rules would take for an address is dereferenced or written through).
    fn a_changed_rule_breaks_callbacks() {
        let real = *rules().expect("struct rules");
        let abi = Abi::native();
        let other = if real.float_class == FloatClass::Integer {
            FloatClass::PerWord
        } else {
            FloatClass::Integer
        };
        let classes = Aggregates { float_class: other, ..real };
        let on_stack = Aggregates {
            registers_max: 0,
            power_of_two_sizes: false,
            when_full: WhenFull::Stack,
            larger_by_reference: false,
            split_larger: false,
            ..real
        };
        let picked = || {
            CASES
                .iter()
                .filter(|c| ["F1", "F2", "D1", "I8", "Fi"].contains(&c.name))
        };
        // A mutation moves values into registers of a class; a convention
        // without argument registers of that class cannot tell.
        let mutations = [
            (!abi.float_arg_regs().is_empty(), classes),
            (!abi.int_arg_regs().is_empty(), on_stack),
        ];
        for (applies, m) in mutations {
            let Some(mutated) = mutated_abi(abi, applies, m) else {
                continue;
            };
            let mut wrong = Vec::new();
            for c in picked() {
                // `one`, then `many`: a caller may build `one`'s struct where
                // its stack arguments would go (GCC for armv7 does), so rules
                // that read it from the stack find it intact there; `many`
                // passes structs in registers and on the stack, which the
                // mutated rules read from other places.
                let broken = arg_shapes(c, 7, 1.5).into_iter().take(2).any(
                    |(_, call, first, types, meant, last)| {
                        let (r, _) = run_arg_shape(mutated, c, (call, first, &types), (7, 1.5));
                        r != mix(hash(c, first, &meant), last)
                    },
                );
                if broken {
                    wrong.push(c.name);
                }
            }
            assert!(!wrong.is_empty(), "{m:?}: every callback argument still arrived intact");
        }
        // Results: the mutated classes leave them in the other register class.
        if abi.float_arg_regs().is_empty() {
            eprintln!(
                "{classes:?}: results not run, {} has no float registers to move them from",
                abi.name()
            );
            return;
        }
        if real.results_in_memory {
            eprintln!(
                "{classes:?}: results not run, {} returns every struct through the \
                 indirect-result address (`results_in_memory`): no class rule applies to them",
                abi.name()
            );
            return;
        }
        let mutated: &'static Abi = Box::leak(Box::new(abi.with_aggregates(classes)));
        let mut wrong = Vec::new();
        let mut run = 0;
        for c in picked() {
            let p = mutated.prepare(&[Type::I64, Type::F64], c.ty).unwrap();
            if !p.struct_result_in_registers() {
                // The callback would write the result where C passed no address.
                eprintln!(
                    "{}: result not run, the mutated rules return it through an address",
                    c.name
                );
                continue;
            }
            run += 1;
            let handler = |args: &Args<'_>| {
                let b = (c.fill)(7, 1.5);
                unsafe { core::ptr::copy_nonoverlapping(b.as_ptr(), args.result_ptr(), b.len()) };
                Value::Void
            };
            let cb = p.callback(&handler).unwrap();
            if unsafe { (c.cb.ret)(cb.code(), 7, 1.5) } != (c.mix)(14, &(c.fill)(7, 1.5)) {
                wrong.push(c.name);
            }
        }
        assert!(run > 0, "{classes:?}: no struct result stays in registers");
        assert!(!wrong.is_empty(), "{classes:?}: every callback result still arrived intact");
    }
}

fn from_bytes_raw<T: Copy>(b: &[u8]) -> T {
    assert_eq!(b.len(), core::mem::size_of::<T>());
    unsafe { b.as_ptr().cast::<T>().read_unaligned() }
}
/// `vstructs(DD, n, ...)`: a struct of two doubles fixed and variadic, where
/// the variadic rule sends floats to integer registers (a struct's too:
/// RISC-V, ELFv2, and AAPCS32, whose variadic functions take every argument
/// by the base standard) and where it does not.
#[test]
fn variadic_structs() {
    unsafe extern "C" {
        fn abi_test_vstructs(first: Dd, n: i32, ...) -> u64;
    }
    #[repr(C)]
    #[derive(Clone, Copy)]
    struct Dd {
        a: f64,
        b: f64,
    }
    const DD: Type = Type::Struct(&[Type::F64, Type::F64]);
    let abi = Abi::native();
    let structs: Vec<Dd> = (0..6)
        .map(|k| Dd {
            a: f64::from(k) + 0.25,
            b: -f64::from(k) * 1.5,
        })
        .collect();
    let want = |n: usize| {
        let h = mix(mix(11, structs[0].a.to_bits()), structs[0].b.to_bits());
        structs[1..=n].iter().fold(mix(h, n as u64), |h, s| {
            mix(mix(h, s.a.to_bits()), s.b.to_bits())
        })
    };
    let direct = unsafe { abi_test_vstructs(structs[0], 2, structs[1], structs[2]) };
    assert_eq!(direct, want(2), "direct call");
    for n in [0, 1, 5] {
        let mut types = vec![DD, Type::I32];
        types.extend(core::iter::repeat_n(DD, n));
        let p = abi.prepare_variadic(2, &types, Type::U64).unwrap();
        let mut args = vec![
            Value::Struct((&raw const structs[0]).cast()),
            Value::I32(n as i32),
        ];
        args.extend(
            structs[1..=n]
                .iter()
                .map(|s| Value::Struct((s as *const Dd).cast())),
        );
        assert_eq!(
            unsafe { p.call(abi_test_vstructs as *const (), &args) },
            Value::U64(want(n)),
            "{n} variadic structs: {p:?}"
        );
    }
}
