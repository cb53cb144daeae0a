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
extern "C" fn mixed(a: f64, b: i64, c: f64, d: i32) -> f64 {
    a * b as f64 + c - f64::from(d)
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

#[inline(never)]
extern "C" fn sum2(a: i64, b: i64) -> i64 {
    a.wrapping_sub(b)
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

#[inline(never)]
extern "C" fn plain(a: i64, b: i64) -> i64 {
    a.wrapping_mul(3).wrapping_add(b)
}

fn callbacks(c: &mut Criterion) {
    let mut g = c.benchmark_group("callback (i64, i64) -> i64");
    g.bench_function("direct", |bench| {
        let f: extern "C" fn(i64, i64) -> i64 = plain;
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
    let cif = Cif::new([FfiType::i64(), FfiType::i64()], FfiType::i64());
    let closure = Closure::new(cif, ffi_handler, &k);
    let lf: extern "C" fn(i64, i64) -> i64 = unsafe { *closure.instantiate_code_ptr() };
    assert_eq!(lf(5, 6), 21);
    g.bench_function("libffi closure", |bench| {
        bench.iter(|| black_box(lf)(black_box(5), black_box(6)))
    });
    g.finish();
}

criterion_group!(
    benches,
    two_i64,
    four_i64,
    six_pointers,
    mixed_floats,
    ten_args,
    callbacks
);
criterion_main!(benches);
