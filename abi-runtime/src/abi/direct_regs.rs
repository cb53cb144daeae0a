//! The shortest prepared calls: per-class callers (see `native_regs`) that
//! read every register image as 8 bytes, straight from the argument values
//! or through a struct argument's pointer, with no decision per image but
//! "through a pointer or not", and that write a struct result's pieces to
//! the caller's buffer themselves.
//!
//! Prepare chooses one only where each 8-byte read is the image the
//! convention wants (see [`Images`]); every other signature keeps the
//! general per-class callers.

use core::mem::MaybeUninit;

use super::aggregate::{self, Class};
use super::native_regs::MAX_PER_CLASS;
use super::{Abi, Type};

/// Calls `f` with the register images [`Images`] say, read from the values
/// at `a`; returns a scalar result's image, or writes a struct result's
/// pieces to `out` (then returns 0).
pub(crate) type Direct = unsafe fn(&Images, *const (), *const u8, *mut u8) -> u64;

/// Register images: integer register `i` is image `i`, float register `k`
/// image [`MAX_PER_CLASS`]` + k`.
pub(crate) const REG_IMAGES: usize = 2 * MAX_PER_CLASS;

/// Where a direct caller reads each image and writes a struct result.
///
/// An image not through a pointer is the 8 bytes of a value's payload, read
/// as `MaybeUninit` (an f32's or a 32-bit integer's upper 4 bytes are
/// padding; prepare chose such a read only where the convention ignores the
/// bits above them). An image through a struct's pointer is the 8 bytes of
/// the struct at `off` shifted right by `shift` bits: a piece shorter than
/// 8 bytes is read as the 8 bytes ending where it ends (never past the
/// struct) and shifted down, zero-extended, on a little-endian target; every
/// byte of such a window is a field's (never padding), so it is read as an
/// initialised integer.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Images {
    /// Byte offset of each image's 8 bytes, or of the struct's pointer, from `a`.
    pub(crate) at: [u16; REG_IMAGES],
    /// Images read through a struct's pointer.
    pub(crate) deref: [bool; REG_IMAGES],
    /// Where the 8 bytes start in the struct.
    pub(crate) off: [u16; REG_IMAGES],
    /// Bits the 8 bytes are shifted right.
    pub(crate) shift: [u8; REG_IMAGES],
    /// A struct result's second piece: where the 8 bytes ending at its end
    /// start in the result, and by how many bits its image is shifted left
    /// into them (written before the first piece, which overwrites what of
    /// it precedes the second piece).
    pub(crate) last_at: u16,
    pub(crate) last_shl: u8,
}

impl Images {
    pub(crate) const EMPTY: Images = Images {
        at: [0; REG_IMAGES],
        deref: [false; REG_IMAGES],
        off: [0; REG_IMAGES],
        shift: [0; REG_IMAGES],
        last_at: 0,
        last_shl: 0,
    };

    /// Image `i`: the 8 bytes at its offset from `a`.
    ///
    /// # Safety
    ///
    /// `a` plus the image's offset is valid for reads of 8 bytes.
    #[inline(always)]
    unsafe fn raw<T>(&self, a: *const u8, i: usize) -> MaybeUninit<T> {
        const { assert!(size_of::<T>() == 8) };
        // SAFETY: the caller's contract.
        unsafe {
            a.add(usize::from(self.at[i]))
                .cast::<MaybeUninit<T>>()
                .read_unaligned()
        }
    }

    /// Image `i`, read straight or through a struct's pointer.
    ///
    /// # Safety
    ///
    /// As for [`Images::raw`]; an image through a pointer: the value at its
    /// offset is a struct's pointer, valid for reads of the 8 bytes at
    /// `off`, all of them initialised.
    #[inline(always)]
    unsafe fn piece<T: Bits>(&self, a: *const u8, i: usize) -> MaybeUninit<T> {
        // SAFETY: the caller's contract.
        unsafe {
            let p = a.add(usize::from(self.at[i]));
            if !self.deref[i] {
                return p.cast::<MaybeUninit<T>>().read_unaligned();
            }
            let q = p
                .cast::<*const u8>()
                .read_unaligned()
                .add(usize::from(self.off[i]));
            let v = q.cast::<u64>().read_unaligned();
            MaybeUninit::new(T::from_bits(v.wrapping_shr(u32::from(self.shift[i]))))
        }
    }
}

/// A register's 8 bytes as a value of its class.
trait Bits: Copy {
    fn from_bits(v: u64) -> Self;
}

impl Bits for u64 {
    fn from_bits(v: u64) -> Self {
        v
    }
}

impl Bits for f64 {
    fn from_bits(v: u64) -> Self {
        f64::from_bits(v)
    }
}

/// What a callee returns, and where a direct caller puts it.
trait Finish: Copy {
    /// # Safety
    ///
    /// For a struct result, `out` is valid for writes of the result.
    unsafe fn finish(self, s: &Images, out: *mut u8) -> u64;
}

impl Finish for u64 {
    #[inline(always)]
    unsafe fn finish(self, _: &Images, _: *mut u8) -> u64 {
        self
    }
}

impl Finish for f64 {
    #[inline(always)]
    unsafe fn finish(self, _: &Images, _: *mut u8) -> u64 {
        self.to_bits()
    }
}

/// A struct result of one 8-byte piece, in one register of its class.
#[repr(transparent)]
#[derive(Clone, Copy)]
struct One<A>(A);

/// A struct result of two pieces: the first 8 bytes, then 1 to 8 bytes
/// from offset 8 on, returned as the host returns this struct (checked at
/// prepare time).
#[repr(C)]
#[derive(Clone, Copy)]
struct Pair<A, B>(A, B);

impl<A: Finish> Finish for One<A> {
    #[inline(always)]
    unsafe fn finish(self, s: &Images, out: *mut u8) -> u64 {
        // SAFETY: the caller's contract: the result is 8 bytes or more.
        unsafe { out.cast::<u64>().write_unaligned(self.0.finish(s, out)) };
        0
    }
}

impl<A: Finish, B: Finish> Finish for Pair<A, B> {
    #[inline(always)]
    unsafe fn finish(self, s: &Images, out: *mut u8) -> u64 {
        // SAFETY: the caller's contract; `last_at + 8` is the second
        // piece's end, inside the result; the first piece covers the
        // result's first 8 bytes, so what the second write put there
        // before the second piece is overwritten.
        unsafe {
            let (a, b) = (self.0.finish(s, out), self.1.finish(s, out));
            out.add(usize::from(s.last_at))
                .cast::<u64>()
                .write_unaligned(b << s.last_shl);
            out.cast::<u64>().write_unaligned(a);
        }
        0
    }
}

macro_rules! int_ty {
    ($i:tt) => {
        MaybeUninit<u64>
    };
}
macro_rules! float_ty {
    ($i:tt) => {
        MaybeUninit<f64>
    };
}

/// One direct caller with `$read` images: integer image indices, float
/// image indices, for each result type.
macro_rules! direct {
    ($read:ident [$($i:tt)*] [$($f:tt)*] $($r:ty),*) => {{
        #[allow(unused_variables)]
        unsafe fn c<R: Finish>(s: &Images, f: *const (), a: *const u8, out: *mut u8) -> u64 {
            // SAFETY: `f` takes these register images (the prepared
            // signature's, in class order) and returns `R` in the registers
            // the result has (checked at prepare time); `s` says where each
            // image is.
            unsafe {
                let f = core::mem::transmute::<
                    *const (),
                    extern "C" fn($(int_ty!($i),)* $(float_ty!($f),)*) -> R,
                >(f);
                f($(s.$read::<u64>(a, $i),)* $(s.$read::<f64>(a, MAX_PER_CLASS + $f),)*)
                    .finish(s, out)
            }
        }
        [$(c::<$r> as Direct),*]
    }};
}

macro_rules! raw_row {
    ([$($i:tt)*]) => {
        [
            direct!(raw [$($i)*] [] u64, f64),
            direct!(raw [$($i)*] [0] u64, f64),
            direct!(raw [$($i)*] [0 1] u64, f64),
            direct!(raw [$($i)*] [0 1 2] u64, f64),
            direct!(raw [$($i)*] [0 1 2 3] u64, f64),
            direct!(raw [$($i)*] [0 1 2 3 4] u64, f64),
            direct!(raw [$($i)*] [0 1 2 3 4 5] u64, f64),
            direct!(raw [$($i)*] [0 1 2 3 4 5 6] u64, f64),
            direct!(raw [$($i)*] [0 1 2 3 4 5 6 7] u64, f64),
        ]
    };
}

/// Callers of values only, with a scalar result (integer, float), by
/// integer, then float images.
static RAW: [[[Direct; 2]; MAX_PER_CLASS + 1]; MAX_PER_CLASS + 1] = [
    raw_row!([]),
    raw_row!([0]),
    raw_row!([0 1]),
    raw_row!([0 1 2]),
    raw_row!([0 1 2 3]),
    raw_row!([0 1 2 3 4]),
    raw_row!([0 1 2 3 4 5]),
    raw_row!([0 1 2 3 4 5 6]),
    raw_row!([0 1 2 3 4 5 6 7]),
];

/// Registers of each class a caller with struct pieces passes at most.
pub(crate) const MAX_WITH_PIECES: usize = 4;

/// Result types of the callers with struct pieces, in [`Ret::index`] order.
macro_rules! piece_row {
    ([$($i:tt)*]) => {
        [
            direct!(piece [$($i)*] [] u64, f64, One<u64>, One<f64>, Pair<u64, u64>, Pair<u64, f64>, Pair<f64, u64>, Pair<f64, f64>),
            direct!(piece [$($i)*] [0] u64, f64, One<u64>, One<f64>, Pair<u64, u64>, Pair<u64, f64>, Pair<f64, u64>, Pair<f64, f64>),
            direct!(piece [$($i)*] [0 1] u64, f64, One<u64>, One<f64>, Pair<u64, u64>, Pair<u64, f64>, Pair<f64, u64>, Pair<f64, f64>),
            direct!(piece [$($i)*] [0 1 2] u64, f64, One<u64>, One<f64>, Pair<u64, u64>, Pair<u64, f64>, Pair<f64, u64>, Pair<f64, f64>),
            direct!(piece [$($i)*] [0 1 2 3] u64, f64, One<u64>, One<f64>, Pair<u64, u64>, Pair<u64, f64>, Pair<f64, u64>, Pair<f64, f64>),
        ]
    };
}

/// Callers whose images may be struct pieces, by integer, then float
/// images, then result.
static WITH_PIECES: [[[Direct; 8]; MAX_WITH_PIECES + 1]; MAX_WITH_PIECES + 1] = [
    piece_row!([]),
    piece_row!([0]),
    piece_row!([0 1]),
    piece_row!([0 1 2]),
    piece_row!([0 1 2 3]),
];

/// How a direct caller's callee returns its result.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Ret {
    /// A scalar (or nothing) in an integer register.
    Int,
    /// A scalar in a float register.
    Float,
    /// A struct of one 8-byte piece in a register of this class.
    One(Class),
    /// A struct of two pieces (the first 8 bytes, then 1 to 8 bytes from
    /// offset 8 on) in one register of each class.
    Pair(Class, Class),
}

impl Ret {
    fn index(self) -> usize {
        let f = |c: Class| usize::from(c == Class::Float);
        match self {
            Ret::Int => 0,
            Ret::Float => 1,
            Ret::One(c) => 2 + f(c),
            Ret::Pair(a, b) => 4 + 2 * f(a) + f(b),
        }
    }
}

/// The direct caller for `ni` integer and `nf` float images returning
/// `ret` with the host convention `abi`, reading struct pieces if
/// `pieces`; `None` when there is none (too many images, or a pair the
/// host does not return in those registers).
pub(crate) fn direct(abi: &Abi, ni: usize, nf: usize, ret: Ret, pieces: bool) -> Option<Direct> {
    if let Ret::Pair(a, b) = ret
        && !super::native_regs::pair_returned_as(abi, a, b)
    {
        return None;
    }
    if !pieces && matches!(ret, Ret::Int | Ret::Float) {
        return RAW.get(ni)?.get(nf).map(|c| c[ret.index()]);
    }
    WITH_PIECES.get(ni)?.get(nf).map(|c| c[ret.index()])
}

/// Whether every byte of the 8 of `ty` from `start` on belongs to a scalar
/// field (none is padding).
pub(crate) fn window_is_data(ty: Type, start: u32) -> bool {
    let mut covered = 0u8;
    aggregate::leaves(ty, 0, &mut |t, at| {
        for b in at.max(start)..(at + t.size()).min(start + 8) {
            covered |= 1 << (b - start);
        }
        true
    });
    covered == u8::MAX
}
