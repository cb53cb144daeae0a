//! Shared by the dynamic-call tests (`trampoline.rs`, `callbacks.rs`): the
//! generated random signatures, argument recording, a seeded value generator,
//! and the test scaffolding generated from the specs (canary harnesses,
//! callees that clobber every register their convention lets them,
//! stack-pointer probes).
#![allow(dead_code, unreachable_pub, clippy::undocumented_unsafe_blocks)]

use std::cell::RefCell;

pub use abi_runtime::abi::{Type, Value};

pub mod harness;

use harness::{Harness, Scaffold};

/// One generated signature of one convention.
pub struct Sig {
    /// Argument types.
    pub args: &'static [Type],
    /// Result type.
    pub ret: Type,
    /// A Rust function of the convention with this signature.
    pub callee: *const (),
    /// Calls `callee` directly (compiled by rustc: the reference).
    pub direct: fn(&[Value]) -> Value,
    /// Calls code of the convention with this signature.
    pub via: fn(*const (), &[Value]) -> Value,
}

// SAFETY: `callee` is a function address, immutable and valid everywhere.
unsafe impl Sync for Sig {}

include!(concat!(env!("OUT_DIR"), "/dynamic_sigs.rs"));

/// The generated signatures of convention `abi`, if this arch runs it.
pub fn sigs(abi: &str) -> Option<&'static [Sig]> {
    scaffold(abi).map(|s| s.sigs)
}

pub use std::hint::black_box;

thread_local! {
    static RECORD: RefCell<Vec<(Type, u64)>> = const { RefCell::new(Vec::new()) };
}

/// Mixes the values' types and bits, position by position.
pub fn checksum(values: &[Value]) -> u64 {
    values
        .iter()
        .enumerate()
        .fold(0x243F_6A88_85A3_08D3, |c, (i, v)| {
            (c ^ v.bits() ^ ((i as u64) << 56) ^ tag(v.ty()).rotate_left(17))
                .rotate_left(23)
                .wrapping_mul(0x9E37_79B9_7F4A_7C15)
        })
}

fn tag(t: Type) -> u64 {
    match t {
        Type::Void => 0,
        Type::I8 => 1,
        Type::I16 => 2,
        Type::I32 => 3,
        Type::I64 => 4,
        Type::U8 => 5,
        Type::U16 => 6,
        Type::U32 => 7,
        Type::U64 => 8,
        Type::Ptr => 9,
        Type::F32 => 10,
        Type::F64 => 11,
        t @ (Type::Struct(_) | Type::Array(..)) => {
            12 ^ (u64::from(t.size()) << 8) ^ (u64::from(t.align()) << 40)
        }
    }
}

/// Called by the generated callees: remembers what they received, and what
/// arithmetic on it gave (see [`checks`]).
pub fn record(values: &[Value], checks: &[Value]) -> u64 {
    RECORD.with(|r| *r.borrow_mut() = images(values).into_iter().chain(images(checks)).collect());
    checksum(values)
}

/// What the generated callees compute from their arguments besides
/// recording them: float arguments times 1.0 (RISC-V reads an f32 that is not
/// NaN-boxed as NaN here), integers widened by Rust (which may rely on how the
/// caller widened them).
pub fn checks(values: &[Value]) -> Vec<Value> {
    values
        .iter()
        .filter_map(|v| match *v {
            Value::F32(x) => Some(Value::F32(x * black_box(1.0f32))),
            Value::F64(x) => Some(Value::F64(x * black_box(1.0f64))),
            Value::I8(x) => Some(Value::I64(x.into())),
            Value::I16(x) => Some(Value::I64(x.into())),
            Value::I32(x) => Some(Value::I64(x.into())),
            Value::U8(x) => Some(Value::U64(x.into())),
            Value::U16(x) => Some(Value::U64(x.into())),
            Value::U32(x) => Some(Value::I64(i64::from(x as i32))),
            _ => None,
        })
        .collect()
}

/// The record a callee must leave for these arguments.
pub fn expected_record(values: &[Value]) -> Vec<(Type, u64)> {
    images(values)
        .into_iter()
        .chain(images(&checks(values)))
        .collect()
}

/// A result as a Rust caller sees it after arithmetic (float results times 1.0).
pub fn as_used(v: Value) -> Value {
    match v {
        Value::F32(x) => Value::F32(black_box(1.0f32) * x),
        Value::F64(x) => Value::F64(black_box(1.0f64) * x),
        other => other,
    }
}

/// What the last callee on this thread received (and forgets it).
pub fn take_record() -> Vec<(Type, u64)> {
    RECORD.with(|r| std::mem::take(&mut *r.borrow_mut()))
}

/// Types and bits of values, for comparing with a record.
pub fn images(values: &[Value]) -> Vec<(Type, u64)> {
    values.iter().map(|v| (v.ty(), v.bits())).collect()
}

/// The result a generated callee returns for these arguments.
pub fn expected_ret(ret: Type, args: &[Value]) -> Value {
    Value::from_bits(ret, checksum(args))
}

/// SplitMix64 with a printed seed.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A value of `ty`: random bits, or one of the edge values now and then.
    pub fn value(&mut self, ty: Type) -> Value {
        let bits = match self.next() % 8 {
            0 => [
                0,
                u64::MAX,
                1 << 63,
                (1 << 63) - 1,
                1 << 31,
                (1 << 31) - 1,
                0x8000,
                0x80,
            ][(self.next() % 8) as usize],
            _ => self.next(),
        };
        Value::from_bits(ty, bits)
    }

    pub fn values(&mut self, types: &[Type]) -> Vec<Value> {
        types.iter().map(|&t| self.value(t)).collect()
    }
}

/// The seed of a test's value generator: fixed, or `ABI_BRIDGE_SEED`.
pub fn seed(salt: u64) -> u64 {
    let base = std::env::var("ABI_BRIDGE_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x5EED_0001);
    base ^ salt.wrapping_mul(0x100_0000_01B3)
}

/// What the spec files say about one convention (written by tests/build.rs).
pub struct SpecAbi {
    /// Its name.
    pub name: &'static str,
    /// Integer argument registers.
    pub int_args: &'static [&'static str],
    /// Float argument registers.
    pub float_args: &'static [&'static str],
    /// Stack alignment.
    pub stack_align: usize,
    /// Shadow space.
    pub shadow_space: usize,
}
