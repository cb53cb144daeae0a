//! The host convention's fast path for signatures whose arguments all go in
//! registers, for conventions that count each register class on its own:
//! there, which register an argument takes depends only on its rank among
//! the arguments of its class, so a call with `ni` integer and `nf` float
//! register images is exactly an `extern "C" fn(u64 × ni, f64 × nf)` call of
//! those images, whatever the interleaving. The compiler emits that call; one
//! function per (ni, nf, result kind), chosen at prepare time.
//!
//! A struct result in one or two registers comes back as a two-field
//! `repr(C)` struct whose fields have the classes of the result's pieces:
//! prepare checks with the host's own `[aggregates]` rules that the host
//! returns that helper in exactly those registers before choosing it.

use super::aggregate::{self, Class};
use super::prepared::STACK_BASE;
use super::{Abi, FLOAT_BASE, FLOAT_UNITS, Type};

/// Calls `f` with integer images `r[0..ni]` and float images
/// `r[FLOAT_BASE..FLOAT_BASE + nf]` (the units of a [`super::Frame`]'s
/// registers); returns the result registers' images (the first one, or
/// the two of a struct result, in the order of the result's pieces).
pub(crate) type Caller = unsafe fn(*const (), *const u64) -> [u64; 2];

/// Registers of each class a caller passes at most.
pub(crate) const MAX_PER_CLASS: usize = 8;

/// What the callee returns, and so which registers the caller reads back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RetKind {
    /// An integer register (or nothing).
    Int,
    /// A float register.
    Float,
    /// Two registers of these classes (a struct result).
    Pair(Class, Class),
}

/// Two result registers, as the host returns a struct of these fields.
#[repr(C)]
#[derive(Clone, Copy)]
struct Pair<A, B>(A, B);

/// The image of a returned value.
trait Image: Copy {
    fn image(self) -> [u64; 2];
}

impl Image for u64 {
    fn image(self) -> [u64; 2] {
        [self, 0]
    }
}

impl Image for f64 {
    fn image(self) -> [u64; 2] {
        [self.to_bits(), 0]
    }
}

impl<A: Image, B: Image> Image for Pair<A, B> {
    fn image(self) -> [u64; 2] {
        [self.0.image()[0], self.1.image()[0]]
    }
}

macro_rules! int_ty {
    ($i:tt) => {
        u64
    };
}
macro_rules! float_ty {
    ($i:tt) => {
        f64
    };
}

/// One caller: integer image indices, float image indices, for each result kind.
macro_rules! caller {
    ([$($i:tt)*] [$($f:tt)*]) => {{
        #[allow(unused_variables)]
        unsafe fn c<R: Image>(f: *const (), r: *const u64) -> [u64; 2] {
            // SAFETY: `f` takes these register images (the prepared
            // signature's, in class order) and returns `R` (checked at
            // prepare time to come back in the registers the result has);
            // `r` holds the images, those read written by the caller.
            unsafe {
                let f = core::mem::transmute::<*const (), extern "C" fn($(int_ty!($i),)* $(float_ty!($f),)*) -> R>(f);
                f($(r.add($i).read(),)* $(f64::from_bits(r.add(FLOAT_BASE + $f * FLOAT_UNITS).read()),)*).image()
            }
        }
        [
            c::<u64> as Caller,
            c::<f64> as Caller,
            c::<Pair<u64, u64>> as Caller,
            c::<Pair<u64, f64>> as Caller,
            c::<Pair<f64, u64>> as Caller,
            c::<Pair<f64, f64>> as Caller,
        ]
    }};
}

/// Callers of one row: `nf` from 0 to [`MAX_PER_CLASS`].
type Row = [[Caller; 6]; MAX_PER_CLASS + 1];

macro_rules! row {
    ([$($i:tt)*]) => {
        [
            caller!([$($i)*] []),
            caller!([$($i)*] [0]),
            caller!([$($i)*] [0 1]),
            caller!([$($i)*] [0 1 2]),
            caller!([$($i)*] [0 1 2 3]),
            caller!([$($i)*] [0 1 2 3 4]),
            caller!([$($i)*] [0 1 2 3 4 5]),
            caller!([$($i)*] [0 1 2 3 4 5 6]),
            caller!([$($i)*] [0 1 2 3 4 5 6 7]),
        ]
    };
}

static CALLERS: [Row; MAX_PER_CLASS + 1] = [
    row!([]),
    row!([0]),
    row!([0 1]),
    row!([0 1 2]),
    row!([0 1 2 3]),
    row!([0 1 2 3 4]),
    row!([0 1 2 3 4 5]),
    row!([0 1 2 3 4 5 6]),
    row!([0 1 2 3 4 5 6 7]),
];

/// Float registers a stacked caller passes: with a convention of exactly
/// that many (and no float spilling into integer registers), the float
/// parameters declared after them go on the stack, one 8-byte slot each,
/// in order.
pub(crate) const STACKED_FLOATS: usize = 8;

/// Stack words a stacked caller passes at most.
pub(crate) const MAX_STACKED: usize = 8;

/// One stacked caller: integer image indices, stack word indices, for an
/// integer and a float result. The float images are
/// `r[FLOAT_BASE..FLOAT_BASE + STACKED_FLOATS]`, the stack words
/// `r[STACK_BASE..]`.
macro_rules! stacked {
    ([$($i:tt)*] [$($s:tt)*]) => {{
        #[allow(unused_variables)]
        unsafe fn c<R: Image>(f: *const (), r: *const u64) -> [u64; 2] {
            // SAFETY: as for the register callers; the declared float
            // registers are all the convention has (checked at prepare
            // time), so each stack word is the stack slot of its rank; `r`
            // holds every image read, those of unused registers zeroed.
            unsafe {
                let img = |k: usize| r.add(k).read();
                let fl = |k: usize| f64::from_bits(img(FLOAT_BASE + k * FLOAT_UNITS));
                let f = core::mem::transmute::<
                    *const (),
                    extern "C" fn($(int_ty!($i),)* f64, f64, f64, f64, f64, f64, f64, f64, $(float_ty!($s),)*) -> R,
                >(f);
                f(
                    $(img($i),)*
                    fl(0), fl(1), fl(2), fl(3), fl(4), fl(5), fl(6), fl(7),
                    $(f64::from_bits(img(STACK_BASE + $s)),)*
                )
                .image()
            }
        }
        [c::<u64> as Caller, c::<f64> as Caller]
    }};
}

macro_rules! stacked_row {
    ([$($i:tt)*]) => {
        [
            stacked!([$($i)*] [0]),
            stacked!([$($i)*] [0 1]),
            stacked!([$($i)*] [0 1 2]),
            stacked!([$($i)*] [0 1 2 3]),
            stacked!([$($i)*] [0 1 2 3 4]),
            stacked!([$($i)*] [0 1 2 3 4 5]),
            stacked!([$($i)*] [0 1 2 3 4 5 6]),
            stacked!([$($i)*] [0 1 2 3 4 5 6 7]),
        ]
    };
}

/// Stacked callers by integer images, then stack words less one.
static STACKED: [[[Caller; 2]; MAX_STACKED]; MAX_PER_CLASS + 1] = [
    stacked_row!([]),
    stacked_row!([0]),
    stacked_row!([0 1]),
    stacked_row!([0 1 2]),
    stacked_row!([0 1 2 3]),
    stacked_row!([0 1 2 3 4]),
    stacked_row!([0 1 2 3 4 5]),
    stacked_row!([0 1 2 3 4 5 6]),
    stacked_row!([0 1 2 3 4 5 6 7]),
];

/// The stacked caller for `ni` integer images and `ns` stack words with
/// the host convention `abi`, if the convention lets one pass them: exactly
/// [`STACKED_FLOATS`] float registers, floats past them on the stack (not
/// in integer registers), 8-byte stack slots.
pub(crate) fn stacked(abi: &Abi, ni: usize, ns: usize, ret: RetKind) -> Option<Caller> {
    let k = match ret {
        RetKind::Int => 0,
        RetKind::Float => 1,
        RetKind::Pair(..) => return None,
    };
    if abi.float_args.len() != STACKED_FLOATS
        || abi.float_overflow_to_int
        || abi.stack_slot != 8
        || ns == 0
    {
        return None;
    }
    STACKED.get(ni)?.get(ns - 1).map(|c| c[k])
}

/// The type of the helper struct of a pair of classes.
fn pair_type(a: Class, b: Class) -> Type {
    const I: Type = Type::U64;
    const F: Type = Type::F64;
    match (a, b) {
        (Class::Int, Class::Int) => Type::Struct(&[I, I]),
        (Class::Int, Class::Float) => Type::Struct(&[I, F]),
        (Class::Float, Class::Int) => Type::Struct(&[F, I]),
        (Class::Float, Class::Float) => Type::Struct(&[F, F]),
    }
}

/// Whether the host returns the helper of `(a, b)` in one register of
/// class `a` then one of class `b`, by its own struct rules.
fn pair_returned_as(abi: &Abi, a: Class, b: Class) -> bool {
    let Some(rules) = abi.aggregates.as_ref() else {
        return false;
    };
    let Some(p) = aggregate::pieces(rules, pair_type(a, b)) else {
        return false;
    };
    let s = p.as_slice();
    s.len() == 2
        && s[0].class == a
        && s[1].class == b
        && s.iter().all(|x| x.len == 8)
        && (s[0].off, s[1].off) == (0, 8)
        && p.count(Class::Int) <= abi.int_ret.len()
        && p.count(Class::Float) <= abi.float_ret.len()
}

/// The caller for `ni` integer and `nf` float images returning `ret` with
/// the host convention `abi`, if there is one.
pub(crate) fn caller(abi: &Abi, ni: usize, nf: usize, ret: RetKind) -> Option<Caller> {
    let k = match ret {
        RetKind::Int => 0,
        RetKind::Float => 1,
        RetKind::Pair(a, b) if pair_returned_as(abi, a, b) => {
            2 + 2 * usize::from(a == Class::Float) + usize::from(b == Class::Float)
        }
        RetKind::Pair(..) => return None,
    };
    CALLERS.get(ni)?.get(nf).map(|c| c[k])
}
