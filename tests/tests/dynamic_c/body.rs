//! The tests of `dynamic_c.rs` on targets with trampolines.
#![allow(unreachable_pub, clippy::undocumented_unsafe_blocks)]

use abi_runtime::abi::{Abi, Aggregates, FloatClass, PrepareError, Type, Value};

/// One struct of the table, with its C functions and Rust formulas.
pub struct Case {
    name: &'static str,
    ty: Type,
    size: usize,
    c_layout: fn() -> &'static [u32],
    one: *const (),
    many: *const (),
    late: *const (),
    spill: *const (),
    ret: *const (),
    echo: *const (),
    fill: fn(i64, f64) -> Vec<u8>,
    mix: fn(u64, &[u8]) -> u64,
    same: fn(&[u8], &[u8]) -> bool,
    direct_one: fn(i32, &[u8], f64) -> u64,
    direct_echo: fn(i32, &[u8], f64) -> Vec<u8>,
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
/// and `S_spill(f64 × 14, i32, S, i32)`.
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
        if !applies {
            eprintln!(
                "{m:?}: not run, {} has no argument registers of the class it moves values to",
                abi.name()
            );
            continue;
        }
        let mutated: &'static Abi = Box::leak(Box::new(abi.with_aggregates(m)));
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
