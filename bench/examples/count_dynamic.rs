//! `count_dynamic NAME N`: runs one dynamic-call loop N times, for callgrind
//! (`valgrind --tool=callgrind`): the signatures of `benches/dynamic.rs`,
//! each as a direct call, a prepared call, a one-shot call and libffi's
//! `ffi_call`. Without arguments, lists the loops.
#![allow(clippy::undocumented_unsafe_blocks)] // every unsafe block calls a function with the signature it was prepared for

use std::ffi::c_void;
use std::hint::black_box;

use abi_bench::callees::{
    Rec, T_REC, T_VEC3, Ten, Vec3, abi_bench_vsum, floats10, mixed, mul_add, rec_bump, sum2,
    vec3_scale,
};
use abi_runtime::abi::{Abi, Args, Type, Value};
use libffi::middle::{Cif, CodePtr, Type as FfiType, arg};

const VTYPES: [Type; 6] = [
    Type::Ptr,
    Type::I32,
    Type::I64,
    Type::F64,
    Type::I64,
    Type::F64,
];

fn run(name: &str, n: u64) -> bool {
    let native = Abi::native();
    let fmt = c"ldld".as_ptr().cast::<u8>();
    let vargs = [
        Value::Ptr(fmt.cast()),
        Value::I32(4),
        Value::I64(1),
        Value::F64(2.5),
        Value::I64(3),
        Value::F64(4.5),
    ];
    let margs = [
        Value::F64(1.5),
        Value::I64(3),
        Value::F64(2.0),
        Value::I32(4),
    ];
    let fv: [f32; 10] = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0];
    let fargs = fv.map(Value::F32);
    let v3 = Vec3 {
        x: 1.0,
        y: 2.0,
        z: 3.0,
    };
    let rec = Rec {
        a: 1.5,
        b: 7,
        c: -2.0,
    };
    let mut o3 = v3;
    let mut orec = rec;
    let sargs = [Value::Struct((&raw const v3).cast()), Value::F32(2.0)];
    let rargs = [Value::Struct((&raw const rec).cast()), Value::I64(3)];
    let iargs = [Value::I64(7), Value::I64(5)];
    macro_rules! looped {
        ($e:expr) => {{
            for _ in 0..n {
                // The direct loops call safe function pointers.
                #[allow(unused_unsafe)]
                let _ = black_box(unsafe { $e });
            }
        }};
    }
    match name {
        "2xi64/direct" => looped!(black_box(sum2 as extern "C" fn(i64, i64) -> i64)(
            black_box(7),
            black_box(5)
        )),
        "2xi64/prepared" => {
            let p = native.prepare(&[Type::I64; 2], Type::I64).unwrap();
            looped!(p.call(black_box(sum2 as *const ()), black_box(&iargs)))
        }
        "2xi64/one-shot" => {
            looped!(native.call(black_box(sum2 as *const ()), black_box(&iargs), Type::I64))
        }
        "mixed/direct" => looped!(
            black_box(mixed as extern "C" fn(f64, i64, f64, i32) -> f64)(
                black_box(1.5),
                black_box(3),
                black_box(2.0),
                black_box(4)
            )
        ),
        "mixed/prepared" => {
            let p = native
                .prepare(&[Type::F64, Type::I64, Type::F64, Type::I32], Type::F64)
                .unwrap();
            looped!(p.call(black_box(mixed as *const ()), black_box(&margs)))
        }
        "mixed/one-shot" => {
            looped!(native.call(black_box(mixed as *const ()), black_box(&margs), Type::F64))
        }
        "mixed/libffi" => {
            let cif = Cif::new(
                [
                    FfiType::f64(),
                    FfiType::i64(),
                    FfiType::f64(),
                    FfiType::i32(),
                ],
                FfiType::f64(),
            );
            let (a, b, c, d) = (1.5f64, 3i64, 2.0f64, 4i32);
            looped!(cif.call::<f64>(
                CodePtr(black_box(mixed as *mut c_void)),
                &[
                    arg(black_box(&a)),
                    arg(black_box(&b)),
                    arg(black_box(&c)),
                    arg(black_box(&d))
                ],
            ))
        }
        "f32x10/direct" => looped!({
            let v = black_box(fv);
            black_box(floats10 as Ten)(v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9])
        }),
        "f32x10/prepared" => {
            let p = native.prepare(&[Type::F32; 10], Type::F32).unwrap();
            looped!(p.call(black_box(floats10 as *const ()), black_box(&fargs)))
        }
        "f32x10/one-shot" => {
            looped!(native.call(
                black_box(floats10 as *const ()),
                black_box(&fargs),
                Type::F32
            ))
        }
        "f32x10/libffi" => {
            let cif = Cif::new(std::iter::repeat_n(FfiType::f32(), 10), FfiType::f32());
            looped!({
                let v = black_box(&fv);
                cif.call::<f32>(
                    CodePtr(black_box(floats10 as *mut c_void)),
                    &[
                        arg(&v[0]),
                        arg(&v[1]),
                        arg(&v[2]),
                        arg(&v[3]),
                        arg(&v[4]),
                        arg(&v[5]),
                        arg(&v[6]),
                        arg(&v[7]),
                        arg(&v[8]),
                        arg(&v[9]),
                    ],
                )
            })
        }
        "struct12/direct" => looped!(black_box(vec3_scale as extern "C" fn(Vec3, f32) -> Vec3)(
            black_box(v3),
            black_box(2.0)
        )),
        "struct12/prepared" => {
            let p = native.prepare(&[T_VEC3, Type::F32], T_VEC3).unwrap();
            let op = (&raw mut o3).cast::<u8>();
            looped!(p.call_into(
                black_box(vec3_scale as *const ()),
                black_box(&sargs),
                black_box(op)
            ))
        }
        "struct12/one-shot" => {
            let op = (&raw mut o3).cast::<u8>();
            let types = [T_VEC3, Type::F32];
            looped!(native.call_typed(
                black_box(vec3_scale as *const ()),
                &types,
                black_box(&sargs),
                T_VEC3,
                None,
                black_box(op)
            ))
        }
        "struct12/libffi" => {
            let t = FfiType::structure([FfiType::f32(), FfiType::f32(), FfiType::f32()]);
            let cif = Cif::new([t.clone(), FfiType::f32()], t);
            let k = 2.0f32;
            looped!(cif.call::<Vec3>(
                CodePtr(black_box(vec3_scale as *mut c_void)),
                &[arg(black_box(&v3)), arg(black_box(&k))],
            ))
        }
        "struct24/direct" => looped!(black_box(rec_bump as extern "C" fn(Rec, i64) -> Rec)(
            black_box(rec),
            black_box(3)
        )),
        "struct24/prepared" => {
            let p = native.prepare(&[T_REC, Type::I64], T_REC).unwrap();
            let op = (&raw mut orec).cast::<u8>();
            looped!(p.call_into(
                black_box(rec_bump as *const ()),
                black_box(&rargs),
                black_box(op)
            ))
        }
        "struct24/one-shot" => {
            let op = (&raw mut orec).cast::<u8>();
            let types = [T_REC, Type::I64];
            looped!(native.call_typed(
                black_box(rec_bump as *const ()),
                &types,
                black_box(&rargs),
                T_REC,
                None,
                black_box(op)
            ))
        }
        "struct24/libffi" => {
            let t = FfiType::structure([FfiType::f64(), FfiType::i64(), FfiType::f64()]);
            let cif = Cif::new([t.clone(), FfiType::i64()], t);
            let k = 3i64;
            looped!(cif.call::<Rec>(
                CodePtr(black_box(rec_bump as *mut c_void)),
                &[arg(black_box(&rec)), arg(black_box(&k))],
            ))
        }
        "variadic/direct" => looped!(abi_bench_vsum(
            black_box(fmt),
            black_box(4),
            black_box(1i64),
            black_box(2.5f64),
            black_box(3i64),
            black_box(4.5f64)
        )),
        "variadic/prepared" => {
            let p = native.prepare_variadic(2, &VTYPES, Type::F64).unwrap();
            looped!(p.call(black_box(abi_bench_vsum as *const ()), black_box(&vargs)))
        }
        "variadic/one-shot" => looped!(native.call_typed(
            black_box(abi_bench_vsum as *const ()),
            &VTYPES,
            black_box(&vargs),
            Type::F64,
            Some(2),
            std::ptr::null_mut()
        )),
        "variadic/libffi" => {
            let cif = Cif::new_variadic(
                [
                    FfiType::pointer(),
                    FfiType::i32(),
                    FfiType::i64(),
                    FfiType::f64(),
                    FfiType::i64(),
                    FfiType::f64(),
                ],
                2,
                FfiType::f64(),
            );
            let (k, a, b, c, d) = (4i32, 1i64, 2.5f64, 3i64, 4.5f64);
            looped!(cif.call::<f64>(
                CodePtr(black_box(abi_bench_vsum as *mut c_void)),
                &[
                    arg(black_box(&fmt)),
                    arg(&k),
                    arg(&a),
                    arg(&b),
                    arg(&c),
                    arg(&d)
                ],
            ))
        }
        _ => return false,
    }
    // The struct loops write the callee's result: check it is the right one.
    if name.starts_with("struct12/") && !name.ends_with("libffi") && !name.ends_with("direct") {
        assert_eq!(o3, vec3_scale(v3, 2.0));
    }
    if name.starts_with("struct24/") && !name.ends_with("libffi") && !name.ends_with("direct") {
        assert_eq!(orec, rec_bump(rec, 3));
    }
    true
}

/// The callback loops: foreign code (a Rust `extern "C"` caller) calling
/// a thunk bound to a handler computing `mul_add`, against `mul_add` itself.
fn callbacks(name: &str, n: u64) -> bool {
    let call = |f: extern "C" fn(i64, i64) -> i64| {
        for _ in 0..n {
            black_box(black_box(f)(black_box(5), black_box(6)));
        }
    };
    let k = 3i64;
    let p = Abi::native()
        .prepare(&[Type::I64, Type::I64], Type::I64)
        .unwrap();
    let as_fn = |code: *const ()| unsafe {
        std::mem::transmute::<*const (), extern "C" fn(i64, i64) -> i64>(code)
    };
    match name {
        "callback/direct" => call(mul_add),
        "callback/value" => {
            let handler = move |args: &Args<'_>| match (args.get(0), args.get(1)) {
                (Value::I64(a), Value::I64(b)) => Value::I64(a.wrapping_mul(k).wrapping_add(b)),
                _ => Value::I64(0),
            };
            let cb = p.callback(&handler).unwrap();
            call(as_fn(cb.code()));
        }
        "callback/typed" => {
            let handler = move |a: i64, b: i64| a.wrapping_mul(k).wrapping_add(b);
            let cb = p.callback_fn(&handler).unwrap();
            call(as_fn(cb.code()));
        }
        _ => return false,
    }
    true
}

const NAMES: [&str; 6] = [
    "2xi64", "mixed", "f32x10", "struct12", "struct24", "variadic",
];

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (Some(which), Some(n)) = (args.get(1), args.get(2).and_then(|n| n.parse().ok())) else {
        for s in NAMES {
            for k in ["direct", "prepared", "one-shot", "libffi"] {
                println!("{s}/{k}");
            }
        }
        for k in ["direct", "value", "typed"] {
            println!("callback/{k}");
        }
        return;
    };
    if !run(which, n) && !callbacks(which, n) {
        eprintln!("unknown loop `{which}`; run without arguments for the list");
        std::process::exit(2);
    }
}
