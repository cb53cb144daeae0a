//! The foreign functions of the dynamic-call benchmark (`benches/dynamic.rs`)
//! and of its instruction counter (`examples/count_dynamic.rs`): the same
//! callees, so the two measure the same calls.

use abi_runtime::abi::Type;

/// (i64, i64) -> i64.
#[inline(never)]
pub extern "C" fn sum2(a: i64, b: i64) -> i64 {
    a.wrapping_sub(b)
}

/// The callback benchmark's reference: (i64, i64) -> i64, what its
/// handlers compute with `k` = 3.
#[inline(never)]
pub extern "C" fn mul_add(a: i64, b: i64) -> i64 {
    a.wrapping_mul(3).wrapping_add(b)
}

/// (f64, i64, f64, i32) -> f64.
#[inline(never)]
pub extern "C" fn mixed(a: f64, b: i64, c: f64, d: i32) -> f64 {
    a * b as f64 + c - f64::from(d)
}

/// The type of [`floats10`].
pub type Ten = extern "C" fn(f32, f32, f32, f32, f32, f32, f32, f32, f32, f32) -> f32;

/// (f32 x 10) -> f32: two past the eight float registers of sysv and aapcs64.
#[inline(never)]
#[allow(clippy::too_many_arguments)]
pub extern "C" fn floats10(
    a: f32,
    b: f32,
    c: f32,
    d: f32,
    e: f32,
    f: f32,
    g: f32,
    h: f32,
    i: f32,
    j: f32,
) -> f32 {
    a + b * 2.0 + c * 3.0 + d * 4.0 + e * 5.0 + f * 6.0 + g * 7.0 + h * 8.0 + i * 9.0 + j
}

/// 12 bytes: two eightbytes of floats on sysv, an HFA on aapcs64.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Vec3 {
    /// First.
    pub x: f32,
    /// Second.
    pub y: f32,
    /// Third.
    pub z: f32,
}

/// 24 bytes: in memory on sysv, by reference on aapcs64/lp64d/win64.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Rec {
    /// First.
    pub a: f64,
    /// Second.
    pub b: i64,
    /// Third.
    pub c: f64,
}

/// (12-byte struct, f32) -> 12-byte struct.
#[inline(never)]
pub extern "C" fn vec3_scale(v: Vec3, k: f32) -> Vec3 {
    Vec3 {
        x: v.x * k,
        y: v.y * k,
        z: v.z * k,
    }
}

/// (24-byte struct, i64) -> 24-byte struct.
#[inline(never)]
pub extern "C" fn rec_bump(r: Rec, k: i64) -> Rec {
    Rec {
        a: r.a + 1.0,
        b: r.b.wrapping_add(k),
        c: r.c * 2.0,
    }
}

/// [`Vec3`] for dynamic calls.
pub const T_VEC3: Type = Type::Struct(&[Type::F32, Type::F32, Type::F32]);
/// [`Rec`] for dynamic calls.
pub const T_REC: Type = Type::Struct(&[Type::F64, Type::I64, Type::F64]);

// bench/build.rs compiles it into this package's library.
#[link(name = "abi_bench_c", kind = "static")]
unsafe extern "C" {
    /// `fmt` names each variadic argument's type (`l`: long long, `d`:
    /// double); returns their sum as a double.
    pub fn abi_bench_vsum(fmt: *const u8, n: i32, ...) -> f64;
}
