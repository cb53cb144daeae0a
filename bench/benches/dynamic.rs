//! Dynamic calls, in one run: a direct function-pointer call (the floor), a
//! prepared call through the generated trampoline (`abi_runtime::abi`), and
//! libffi's `ffi_call` (the `libffi` crate on the system library); callbacks:
//! a direct call of the same work, a thunk bound to a Rust handler, and a
//! libffi closure.
//!
//! `cargo bench -p abi-bench --bench dynamic`. Needs Debian's libffi-dev.
#![allow(clippy::undocumented_unsafe_blocks)] // every unsafe block calls a function with the signature it was prepared for
#![allow(missing_docs)] // criterion's macros generate undocumented items

use std::ffi::c_void;
use std::hint::black_box;

use abi_bench::callees::{
    Rec, T_REC, T_VEC3, Vec3, abi_bench_vsum, floats10, mixed, mul_add, rec_bump, sum2, vec3_scale,
};
use abi_runtime::abi::{Abi, Args, Type, Value};
use criterion::{Criterion, criterion_group, criterion_main};
use libffi::low;
use libffi::middle::{Cif, Closure, CodePtr, Type as FfiType, arg};

#[inline(never)]
extern "C" fn sum4(a: i64, b: i64, c: i64, d: i64) -> i64 {
    a.wrapping_add(b).wrapping_add(c).wrapping_add(d)
}

#[inline(never)]
extern "C" fn ptrs6(
    a: *const u8,
    b: *const u8,
    c: *const u8,
    d: *const u8,
    e: *const u8,
    f: *const u8,
) -> usize {
    (a as usize) ^ (b as usize) ^ (c as usize) ^ (d as usize) ^ (e as usize) ^ (f as usize)
}

#[inline(never)]
#[allow(clippy::too_many_arguments)]
extern "C" fn ten(
    a: i64,
    b: i64,
    c: i64,
    d: i64,
    e: i64,
    f: i64,
    g: i64,
    h: i64,
    i: i64,
    j: i64,
) -> i64 {
    a ^ b.rotate_left(1)
        ^ c.rotate_left(2)
        ^ d.rotate_left(3)
        ^ e.rotate_left(4)
        ^ f.rotate_left(5)
        ^ g.rotate_left(6)
        ^ h.rotate_left(7)
        ^ i.rotate_left(8)
        ^ j.rotate_left(9)
}

fn two_i64(c: &mut Criterion) {
    let mut g = c.benchmark_group("2 x i64");
    let (a, b) = (7i64, 5i64);
    g.bench_function("direct", |bench| {
        let f: extern "C" fn(i64, i64) -> i64 = sum2;
        bench.iter(|| black_box(f)(black_box(a), black_box(b)))
    });
    let p = Abi::native().prepare(&[Type::I64; 2], Type::I64).unwrap();
    let args = [Value::I64(a), Value::I64(b)];
    g.bench_function("prepared", |bench| {
        bench.iter(|| unsafe { p.call(black_box(sum2 as *const ()), black_box(&args)) })
    });
    g.bench_function("one-shot", |bench| {
        bench.iter(|| unsafe {
            Abi::native().call(black_box(sum2 as *const ()), black_box(&args), Type::I64)
        })
    });
    let cif = Cif::new([FfiType::i64(), FfiType::i64()], FfiType::i64());
    g.bench_function("libffi", |bench| {
        bench.iter(|| unsafe {
            cif.call::<i64>(
                CodePtr(black_box(sum2 as *mut c_void)),
                &[arg(black_box(&a)), arg(black_box(&b))],
            )
        })
    });
    g.finish();
}

fn four_i64(c: &mut Criterion) {
    let mut g = c.benchmark_group("4 x i64");
    let (a, b, cc, d) = (1i64, 2i64, 3i64, 4i64);
    g.bench_function("direct", |bench| {
        let f: extern "C" fn(i64, i64, i64, i64) -> i64 = sum4;
        bench.iter(|| black_box(f)(black_box(a), black_box(b), black_box(cc), black_box(d)))
    });
    let p = Abi::native().prepare(&[Type::I64; 4], Type::I64).unwrap();
    let args = [Value::I64(a), Value::I64(b), Value::I64(cc), Value::I64(d)];
    g.bench_function("prepared", |bench| {
        bench.iter(|| unsafe { p.call(black_box(sum4 as *const ()), black_box(&args)) })
    });
    g.bench_function("one-shot", |bench| {
        bench.iter(|| unsafe {
            Abi::native().call(black_box(sum4 as *const ()), black_box(&args), Type::I64)
        })
    });
    let cif = Cif::new(
        [
            FfiType::i64(),
            FfiType::i64(),
            FfiType::i64(),
            FfiType::i64(),
        ],
        FfiType::i64(),
    );
    g.bench_function("libffi", |bench| {
        bench.iter(|| unsafe {
            cif.call::<i64>(
                CodePtr(black_box(sum4 as *mut c_void)),
                &[
                    arg(black_box(&a)),
                    arg(black_box(&b)),
                    arg(black_box(&cc)),
                    arg(black_box(&d)),
                ],
            )
        })
    });
    g.finish();
}

fn six_pointers(c: &mut Criterion) {
    let mut g = c.benchmark_group("6 x ptr");
    let v: [*const u8; 6] = [8 as _, 16 as _, 24 as _, 32 as _, 40 as _, 48 as _];
    g.bench_function("direct", |bench| {
        let f: extern "C" fn(
            *const u8,
            *const u8,
            *const u8,
            *const u8,
            *const u8,
            *const u8,
        ) -> usize = ptrs6;
        bench.iter(|| {
            let v = black_box(v);
            black_box(f)(v[0], v[1], v[2], v[3], v[4], v[5])
        })
    });
    let p = Abi::native().prepare(&[Type::Ptr; 6], Type::U64).unwrap();
    let args = v.map(|x| Value::Ptr(x.cast()));
    g.bench_function("prepared", |bench| {
        bench.iter(|| unsafe { p.call(black_box(ptrs6 as *const ()), black_box(&args)) })
    });
    g.bench_function("one-shot", |bench| {
        bench.iter(|| unsafe {
            Abi::native().call(black_box(ptrs6 as *const ()), black_box(&args), Type::U64)
        })
    });
    let cif = Cif::new(std::iter::repeat_n(FfiType::pointer(), 6), FfiType::usize());
    g.bench_function("libffi", |bench| {
        bench.iter(|| unsafe {
            let v = black_box(&v);
            cif.call::<usize>(
                CodePtr(black_box(ptrs6 as *mut c_void)),
                &[
                    arg(&v[0]),
                    arg(&v[1]),
                    arg(&v[2]),
                    arg(&v[3]),
                    arg(&v[4]),
                    arg(&v[5]),
                ],
            )
        })
    });
    g.finish();
}

fn mixed_floats(c: &mut Criterion) {
    let mut g = c.benchmark_group("(f64, i64, f64, i32) -> f64");
    let (a, b, cc, d) = (1.5f64, 7i64, 0.25f64, 3i32);
    g.bench_function("direct", |bench| {
        let f: extern "C" fn(f64, i64, f64, i32) -> f64 = mixed;
        bench.iter(|| black_box(f)(black_box(a), black_box(b), black_box(cc), black_box(d)))
    });
    let p = Abi::native()
        .prepare(&[Type::F64, Type::I64, Type::F64, Type::I32], Type::F64)
        .unwrap();
    let args = [Value::F64(a), Value::I64(b), Value::F64(cc), Value::I32(d)];
    g.bench_function("prepared", |bench| {
        bench.iter(|| unsafe { p.call(black_box(mixed as *const ()), black_box(&args)) })
    });
    g.bench_function("one-shot", |bench| {
        bench.iter(|| unsafe {
            Abi::native().call(black_box(mixed as *const ()), black_box(&args), Type::F64)
        })
    });
    let cif = Cif::new(
        [
            FfiType::f64(),
            FfiType::i64(),
            FfiType::f64(),
            FfiType::i32(),
        ],
        FfiType::f64(),
    );
    g.bench_function("libffi", |bench| {
        bench.iter(|| unsafe {
            cif.call::<f64>(
                CodePtr(black_box(mixed as *mut c_void)),
                &[
                    arg(black_box(&a)),
                    arg(black_box(&b)),
                    arg(black_box(&cc)),
                    arg(black_box(&d)),
                ],
            )
        })
    });
    g.finish();
}

fn ten_args(c: &mut Criterion) {
    let mut g = c.benchmark_group("10 x i64 (stack spill)");
    let v: [i64; 10] = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    g.bench_function("direct", |bench| {
        type Ten = extern "C" fn(i64, i64, i64, i64, i64, i64, i64, i64, i64, i64) -> i64;
        let f: Ten = ten;
        bench.iter(|| {
            let v = black_box(v);
            black_box(f)(v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9])
        })
    });
    let p = Abi::native().prepare(&[Type::I64; 10], Type::I64).unwrap();
    let args = v.map(Value::I64);
    g.bench_function("prepared", |bench| {
        bench.iter(|| unsafe { p.call(black_box(ten as *const ()), black_box(&args)) })
    });
    g.bench_function("one-shot", |bench| {
        bench.iter(|| unsafe {
            Abi::native().call(black_box(ten as *const ()), black_box(&args), Type::I64)
        })
    });
    let cif = Cif::new(std::iter::repeat_n(FfiType::i64(), 10), FfiType::i64());
    g.bench_function("libffi", |bench| {
        bench.iter(|| unsafe {
            let v = black_box(&v);
            let a: Vec<_> = v.iter().map(arg).collect();
            cif.call::<i64>(CodePtr(black_box(ten as *mut c_void)), &a)
        })
    });
    g.finish();
}

fn ten_f32(c: &mut Criterion) {
    let mut g = c.benchmark_group("(f32 x 10) -> f32");
    let v: [f32; 10] = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0];
    g.bench_function("direct", |bench| {
        type Ten = extern "C" fn(f32, f32, f32, f32, f32, f32, f32, f32, f32, f32) -> f32;
        let f: Ten = floats10;
        bench.iter(|| {
            let v = black_box(v);
            black_box(f)(v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9])
        })
    });
    let p = Abi::native().prepare(&[Type::F32; 10], Type::F32).unwrap();
    let args = v.map(Value::F32);
    g.bench_function("prepared", |bench| {
        bench.iter(|| unsafe { p.call(black_box(floats10 as *const ()), black_box(&args)) })
    });
    g.bench_function("one-shot", |bench| {
        bench.iter(|| unsafe {
            Abi::native().call(
                black_box(floats10 as *const ()),
                black_box(&args),
                Type::F32,
            )
        })
    });
    let cif = Cif::new(std::iter::repeat_n(FfiType::f32(), 10), FfiType::f32());
    g.bench_function("libffi", |bench| {
        bench.iter(|| unsafe {
            let v = black_box(&v);
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
    });
    g.finish();
}

/// A struct argument and result beside one scalar: the group of `name`, each
/// candidate calling `f(s, k)`; `ty`/`k_ty` describe them for abi-bridge,
/// `ffi_s`/`ffi_k` for libffi.
fn struct_group<S: Copy + PartialEq + core::fmt::Debug, K: Copy>(
    c: &mut Criterion,
    name: &str,
    f: extern "C" fn(S, K) -> S,
    (s, k): (S, K),
    (ty, k_ty, k_value): (Type, Type, Value),
    (ffi_s, ffi_k): (FfiType, FfiType),
    zero: S,
) {
    let mut g = c.benchmark_group(name);
    g.bench_function("direct", |bench| {
        bench.iter(|| black_box(f)(black_box(s), black_box(k)))
    });
    let p = Abi::native().prepare(&[ty, k_ty], ty).unwrap();
    let args = [Value::Struct((&raw const s).cast()), k_value];
    let mut out = zero;
    let op = (&raw mut out).cast::<u8>();
    g.bench_function("prepared", |bench| {
        bench.iter(|| unsafe {
            p.call_into(black_box(f as *const ()), black_box(&args), black_box(op))
        })
    });
    let types = [ty, k_ty];
    g.bench_function("one-shot", |bench| {
        bench.iter(|| unsafe {
            Abi::native().call_typed(
                black_box(f as *const ()),
                &types,
                black_box(&args),
                ty,
                None,
                black_box(op),
            )
        })
    });
    // One call of its own: a name filter (`-- callback`) may skip the benchmarks above.
    unsafe { p.call_into(f as *const (), &args, op) };
    assert_eq!(out, f(s, k));
    let cif = Cif::new([ffi_s.clone(), ffi_k], ffi_s);
    g.bench_function("libffi", |bench| {
        bench.iter(|| unsafe {
            cif.call::<S>(
                CodePtr(black_box(f as *mut c_void)),
                &[arg(black_box(&s)), arg(black_box(&k))],
            )
        })
    });
    g.finish();
}

fn structs(c: &mut Criterion) {
    let v = Vec3 {
        x: 1.0,
        y: 2.0,
        z: 3.0,
    };
    let zero = Vec3 {
        x: 0.0,
        y: 0.0,
        z: 0.0,
    };
    struct_group(
        c,
        "(12-byte struct, f32) -> 12-byte struct",
        vec3_scale,
        (v, 2.0f32),
        (T_VEC3, Type::F32, Value::F32(2.0)),
        (
            FfiType::structure([FfiType::f32(), FfiType::f32(), FfiType::f32()]),
            FfiType::f32(),
        ),
        zero,
    );
    let r = Rec {
        a: 1.5,
        b: 7,
        c: -2.0,
    };
    let zero = Rec {
        a: 0.0,
        b: 0,
        c: 0.0,
    };
    struct_group(
        c,
        "(24-byte struct, i64) -> 24-byte struct",
        rec_bump,
        (r, 3i64),
        (T_REC, Type::I64, Value::I64(3)),
        (
            FfiType::structure([FfiType::f64(), FfiType::i64(), FfiType::f64()]),
            FfiType::i64(),
        ),
        zero,
    );
}

fn variadic(c: &mut Criterion) {
    let mut g = c.benchmark_group("variadic (ptr, i32, ...i64, f64, i64, f64) -> f64");
    let fmt = c"ldld".as_ptr().cast::<u8>();
    g.bench_function("direct", |bench| {
        bench.iter(|| unsafe {
            abi_bench_vsum(
                black_box(fmt),
                black_box(4),
                black_box(1i64),
                black_box(2.5f64),
                black_box(3i64),
                black_box(4.5f64),
            )
        })
    });
    let types = [
        Type::Ptr,
        Type::I32,
        Type::I64,
        Type::F64,
        Type::I64,
        Type::F64,
    ];
    let p = Abi::native()
        .prepare_variadic(2, &types, Type::F64)
        .unwrap();
    let args = [
        Value::Ptr(fmt.cast()),
        Value::I32(4),
        Value::I64(1),
        Value::F64(2.5),
        Value::I64(3),
        Value::F64(4.5),
    ];
    let f = abi_bench_vsum as *const ();
    assert_eq!(unsafe { p.call(f, &args) }, Value::F64(11.0));
    g.bench_function("prepared", |bench| {
        bench.iter(|| unsafe { p.call(black_box(f), black_box(&args)) })
    });
    g.bench_function("one-shot", |bench| {
        bench.iter(|| unsafe {
            Abi::native().call_typed(
                black_box(f),
                &types,
                black_box(&args),
                Type::F64,
                Some(2),
                std::ptr::null_mut(),
            )
        })
    });
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
    let (n, a, b, cc, d) = (4i32, 1i64, 2.5f64, 3i64, 4.5f64);
    g.bench_function("libffi", |bench| {
        bench.iter(|| unsafe {
            cif.call::<f64>(
                CodePtr(black_box(f as *mut c_void)),
                &[
                    arg(black_box(&fmt)),
                    arg(&n),
                    arg(&a),
                    arg(&b),
                    arg(&cc),
                    arg(&d),
                ],
            )
        })
    });
    g.finish();
}

unsafe extern "C" fn ffi_handler(
    _cif: &low::ffi_cif,
    result: &mut i64,
    args: *const *const c_void,
    k: &i64,
) {
    let a = unsafe { *(*args).cast::<i64>() };
    let b = unsafe { *(*args.add(1)).cast::<i64>() };
    *result = a.wrapping_mul(*k).wrapping_add(b);
}

fn callbacks(c: &mut Criterion) {
    let mut g = c.benchmark_group("callback (i64, i64) -> i64");
    g.bench_function("direct", |bench| {
        let f: extern "C" fn(i64, i64) -> i64 = mul_add;
        bench.iter(|| black_box(f)(black_box(5), black_box(6)))
    });
    let k = 3i64;
    let p = Abi::native()
        .prepare(&[Type::I64, Type::I64], Type::I64)
        .unwrap();
    let handler = move |args: &Args<'_>| match (args.get(0), args.get(1)) {
        (Value::I64(a), Value::I64(b)) => Value::I64(a.wrapping_mul(k).wrapping_add(b)),
        _ => Value::I64(0),
    };
    let cb = p.callback(&handler).unwrap();
    let f = unsafe { std::mem::transmute::<*const (), extern "C" fn(i64, i64) -> i64>(cb.code()) };
    assert_eq!(f(5, 6), 21);
    g.bench_function("thunk", |bench| {
        bench.iter(|| black_box(f)(black_box(5), black_box(6)))
    });
    let typed = move |a: i64, b: i64| a.wrapping_mul(k).wrapping_add(b);
    let tcb = p.callback_fn(&typed).unwrap();
    assert!(tcb.is_direct());
    let tf =
        unsafe { std::mem::transmute::<*const (), extern "C" fn(i64, i64) -> i64>(tcb.code()) };
    assert_eq!(tf(5, 6), 21);
    g.bench_function("typed thunk", |bench| {
        bench.iter(|| black_box(tf)(black_box(5), black_box(6)))
    });
    let cif = Cif::new([FfiType::i64(), FfiType::i64()], FfiType::i64());
    let closure = Closure::new(cif, ffi_handler, &k);
    let lf: extern "C" fn(i64, i64) -> i64 = unsafe { *closure.instantiate_code_ptr() };
    assert_eq!(lf(5, 6), 21);
    g.bench_function("libffi closure", |bench| {
        bench.iter(|| black_box(lf)(black_box(5), black_box(6)))
    });
    g.finish();
}

unsafe extern "C" fn ffi_vec3_handler(
    _cif: &low::ffi_cif,
    result: &mut Vec3,
    args: *const *const c_void,
    _data: &(),
) {
    let v = unsafe { *(*args).cast::<Vec3>() };
    let k = unsafe { *(*args.add(1)).cast::<f32>() };
    *result = Vec3 {
        x: v.x * k,
        y: v.y * k,
        z: v.z * k,
    };
}

fn struct_callbacks(c: &mut Criterion) {
    let mut g = c.benchmark_group("callback (12-byte struct, f32) -> 12-byte struct");
    let v = Vec3 {
        x: 1.0,
        y: 2.0,
        z: 3.0,
    };
    let want = vec3_scale(v, 2.0);
    g.bench_function("direct", |bench| {
        let f: extern "C" fn(Vec3, f32) -> Vec3 = vec3_scale;
        bench.iter(|| black_box(f)(black_box(v), black_box(2.0)))
    });
    let p = Abi::native().prepare(&[T_VEC3, Type::F32], T_VEC3).unwrap();
    let handler = |args: &Args<'_>| {
        // SAFETY: `Vec3` is the `repr(C)` twin of `T_VEC3`.
        let v: Vec3 = unsafe { args.read_struct(0) };
        if let Value::F32(k) = args.get(1) {
            args.set_result(Vec3 {
                x: v.x * k,
                y: v.y * k,
                z: v.z * k,
            });
        }
        Value::Void
    };
    let cb = p.callback(&handler).unwrap();
    let f =
        unsafe { std::mem::transmute::<*const (), extern "C" fn(Vec3, f32) -> Vec3>(cb.code()) };
    assert_eq!(f(v, 2.0), want);
    g.bench_function("thunk", |bench| {
        bench.iter(|| black_box(f)(black_box(v), black_box(2.0)))
    });
    let t = FfiType::structure([FfiType::f32(), FfiType::f32(), FfiType::f32()]);
    let cif = Cif::new([t.clone(), FfiType::f32()], t);
    let closure = Closure::new(cif, ffi_vec3_handler, &());
    let lf: extern "C" fn(Vec3, f32) -> Vec3 = unsafe { *closure.instantiate_code_ptr() };
    assert_eq!(lf(v, 2.0), want);
    g.bench_function("libffi closure", |bench| {
        bench.iter(|| black_box(lf)(black_box(v), black_box(2.0)))
    });
    g.finish();
}

criterion_group!(
    benches,
    two_i64,
    four_i64,
    six_pointers,
    mixed_floats,
    ten_f32,
    structs,
    variadic,
    ten_args,
    callbacks,
    struct_callbacks
);
criterion_main!(benches);
