//! The shortest prepared calls: per-class callers (see `native_regs`) that
//! read every register image as 8 bytes, straight from the argument values
//! or through a struct argument's pointer, and end in a jump to the callee
//! (a struct result's two registers come back to `Prepared::call_into`,
//! which writes them with two stores). Which images are struct pieces is
//! known statically where only float images are passed (a function per
//! pattern); elsewhere each image costs one test, "through a pointer or not".
//!
//! Prepare chooses one only where each 8-byte read is the image the
//! convention wants (see [`Images`]); every other signature keeps the
//! general per-class callers.

use core::mem::MaybeUninit;

use super::aggregate::{self, Class};
use super::native_regs::MAX_PER_CLASS;
use super::{Abi, Type};

/// Calls `f` with the register images [`Images`] say, read from the values
/// at `a`, and returns what `f` returns: the call of `f` is the caller's
/// last act, a jump where the compiler can make one, so `f` returns
/// straight to the caller's caller.
pub(crate) type Direct<R> = unsafe extern "C" fn(&Images, *const (), *const u8) -> R;

/// A direct caller with a scalar result, by the class of the result register.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Plain {
    /// An integer result (or none).
    Int(Direct<u64>),
    /// A float result.
    Float(Direct<f64>),
}

/// A direct caller with a struct result in registers (one register: the
/// result is 8 bytes; two: the first 8 bytes, then 1 to 8 bytes from offset
/// 8 on): returns the images of the result's first 8 bytes and of the rest
/// (the first again when there is no rest: [`Images::store`] then writes it
/// twice, at the same place) as a pair of doubles, which the host returns in
/// two float registers (checked at prepare time): a result in two float
/// registers is then returned by a jump to `f`.
pub(crate) type Split = Direct<Pair<f64, f64>>;

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
            if self.deref[i] {
                self.through(a, i)
            } else {
                self.raw(a, i)
            }
        }
    }

    /// Image `i` through a struct's pointer, for callers that know it is one.
    ///
    /// # Safety
    ///
    /// The value at the image's offset from `a` is a struct's pointer,
    /// valid for reads of the 8 bytes at `off`, all of them initialised.
    #[inline(always)]
    unsafe fn through<T: Bits>(&self, a: *const u8, i: usize) -> MaybeUninit<T> {
        // SAFETY: the caller's contract.
        unsafe {
            let q = a
                .add(usize::from(self.at[i]))
                .cast::<*const u8>()
                .read_unaligned()
                .add(usize::from(self.off[i]));
            let v = q.cast::<u64>().read_unaligned();
            MaybeUninit::new(T::from_bits(v.wrapping_shr(u32::from(self.shift[i]))))
        }
    }

    /// Which images are read through a struct's pointer: bit `i` for image `i`.
    fn deref_mask(&self) -> u32 {
        self.deref
            .iter()
            .enumerate()
            .fold(0, |m, (i, &d)| m | u32::from(d) << i)
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

/// What a callee returns: a register's image, or two registers' (the
/// struct the host returns in them; checked at prepare time).
trait Returned: Copy {
    /// The images of a struct result's first 8 bytes and of the rest (see [`Split`]).
    fn pieces(self) -> Pair<f64, f64>;

    /// Itself: what a caller with a scalar result returns.
    #[inline(always)]
    fn itself(self) -> Self {
        self
    }
}

impl Returned for u64 {
    #[inline(always)]
    fn pieces(self) -> Pair<f64, f64> {
        Pair(f64::from_bits(self), f64::from_bits(self))
    }
}

impl Returned for f64 {
    #[inline(always)]
    fn pieces(self) -> Pair<f64, f64> {
        Pair(self, self)
    }
}

impl<A: Returned, B: Returned> Returned for Pair<A, B> {
    #[inline(always)]
    fn pieces(self) -> Pair<f64, f64> {
        Pair(self.0.pieces().0, self.1.pieces().0)
    }
}

/// A struct result of two pieces: the first 8 bytes, then 1 to 8 bytes
/// from offset 8 on, returned as the host returns this struct.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub(crate) struct Pair<A, B>(pub(crate) A, pub(crate) B);

impl Images {
    /// Writes a struct result's pieces (see [`Split`]) to `out`: the
    /// second as the 8 bytes ending where it ends, then the first 8 bytes,
    /// which overwrite what of that window precedes the second piece.
    ///
    /// # Safety
    ///
    /// `out` is valid for writes of the result, which has its first piece
    /// at offset 0 and ends at or after `last_at + 8`.
    #[inline(always)]
    pub(crate) unsafe fn store(&self, out: *mut u8, Pair(first, rest): Pair<f64, f64>) {
        // SAFETY: the caller's contract.
        unsafe {
            out.add(usize::from(self.last_at))
                .cast::<u64>()
                .write_unaligned(rest.to_bits() << self.last_shl);
            out.cast::<f64>().write_unaligned(first);
        }
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

/// A generic direct caller `c` with `$read` images: integer image
/// indices, float image indices.
macro_rules! caller_fn {
    ($read:ident $out:ident -> $o:ty, [$($i:tt)*] [$($f:tt)*]) => {
        #[allow(unused_variables)]
        unsafe extern "C" fn c<R: Returned>(s: &Images, f: *const (), a: *const u8) -> $o {
            // SAFETY: `f` takes these register images (the prepared
            // signature's, in class order) and returns `R` in the registers
            // the result has (checked at prepare time); `s` says where each
            // image is.
            unsafe {
                let f = core::mem::transmute::<
                    *const (),
                    extern "C" fn($(int_ty!($i),)* $(float_ty!($f),)*) -> R,
                >(f);
                f($(s.$read::<u64>(a, $i),)* $(s.$read::<f64>(a, MAX_PER_CLASS + $f),)*).$out()
            }
        }
    };
}

/// The callers with a scalar result (integer, float) of these images.
macro_rules! plain {
    ($read:ident [$($i:tt)*] [$($f:tt)*]) => {{
        caller_fn!($read itself -> R, [$($i)*] [$($f)*]);
        (c::<u64> as Direct<u64>, c::<f64> as Direct<f64>)
    }};
}

/// The callers with a struct result in registers (in [`Ret::index`] order)
/// of these images.
macro_rules! split {
    ([$($i:tt)*] [$($f:tt)*]) => {{
        caller_fn!(piece pieces -> Pair<f64, f64>, [$($i)*] [$($f)*]);
        [
            c::<u64> as Split,
            c::<f64>,
            c::<Pair<u64, u64>>,
            c::<Pair<u64, f64>>,
            c::<Pair<f64, u64>>,
            c::<Pair<f64, f64>>,
        ]
    }};
}

macro_rules! raw_row {
    ([$($i:tt)*]) => {
        [
            plain!(raw [$($i)*] []),
            plain!(raw [$($i)*] [0]),
            plain!(raw [$($i)*] [0 1]),
            plain!(raw [$($i)*] [0 1 2]),
            plain!(raw [$($i)*] [0 1 2 3]),
            plain!(raw [$($i)*] [0 1 2 3 4]),
            plain!(raw [$($i)*] [0 1 2 3 4 5]),
            plain!(raw [$($i)*] [0 1 2 3 4 5 6]),
            plain!(raw [$($i)*] [0 1 2 3 4 5 6 7]),
        ]
    };
}

/// The integer and float result callers of one count of images.
type Plains = (Direct<u64>, Direct<f64>);

/// Callers of values only, with a scalar result, by integer, then float images.
static RAW: [[Plains; MAX_PER_CLASS + 1]; MAX_PER_CLASS + 1] = [
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

macro_rules! scalar_row {
    ([$($i:tt)*]) => {
        [
            plain!(piece [$($i)*] []),
            plain!(piece [$($i)*] [0]),
            plain!(piece [$($i)*] [0 1]),
            plain!(piece [$($i)*] [0 1 2]),
            plain!(piece [$($i)*] [0 1 2 3]),
        ]
    };
}

macro_rules! struct_row {
    ([$($i:tt)*]) => {
        [
            split!([$($i)*] []),
            split!([$($i)*] [0]),
            split!([$($i)*] [0 1]),
            split!([$($i)*] [0 1 2]),
            split!([$($i)*] [0 1 2 3]),
        ]
    };
}

/// Callers whose images may be struct pieces, with a scalar result, by
/// integer, then float images.
static PIECES_SCALAR: [[Plains; MAX_WITH_PIECES + 1]; MAX_WITH_PIECES + 1] = [
    scalar_row!([]),
    scalar_row!([0]),
    scalar_row!([0 1]),
    scalar_row!([0 1 2]),
    scalar_row!([0 1 2 3]),
];

/// Callers whose images may be struct pieces, with a struct result in
/// registers, by integer, then float images, then [`Ret::index`].
static PIECES_STRUCT: [[[Split; 6]; MAX_WITH_PIECES + 1]; MAX_WITH_PIECES + 1] = [
    struct_row!([]),
    struct_row!([0]),
    struct_row!([0 1]),
    struct_row!([0 1 2]),
    struct_row!([0 1 2 3]),
];

/// Float images a caller of float images only, each read as its pattern
/// says, passes at most.
pub(crate) const MAX_FLOATS_ONLY: usize = 4;

/// Reads float image `$k` (pattern letter `$l`: `r` straight, `d` through a
/// struct's pointer) of `$s` from `$a`.
macro_rules! float_image {
    ($s:ident $a:ident $k:expr, r) => {
        $s.raw::<f64>($a, MAX_PER_CLASS + $k)
    };
    ($s:ident $a:ident $k:expr, d) => {
        $s.through::<f64>($a, MAX_PER_CLASS + $k)
    };
}

/// The callers of float images only whose pattern is `$l` (`r`: read
/// straight, `d`: through a struct's pointer, known statically, so a call
/// decides nothing per image), for each result.
macro_rules! floats_only {
    ($($l:ident)*) => {{
        #[allow(unused_variables, unused_mut, unused_assignments)]
        unsafe extern "C" fn c<R: Gives<O>, O: Copy>(s: &Images, f: *const (), a: *const u8) -> O {
            // SAFETY: `f` takes the signature's float register images, read
            // as prepare chose this pattern for, and returns `R` in the
            // registers the result has (checked at prepare time).
            unsafe {
                let f = core::mem::transmute::<*const (), extern "C" fn($(float_ty!($l),)*) -> R>(f);
                let mut k = 0;
                f($({
                    let x = float_image!(s a k, $l);
                    k += 1;
                    x
                },)*)
                .give()
            }
        }
        Callers {
            int: c::<u64, u64>,
            float: c::<f64, f64>,
            split: [
                c::<u64, Pair<f64, f64>>,
                c::<f64, Pair<f64, f64>>,
                c::<Pair<u64, u64>, Pair<f64, f64>>,
                c::<Pair<u64, f64>, Pair<f64, f64>>,
                c::<Pair<f64, u64>, Pair<f64, f64>>,
                c::<Pair<f64, f64>, Pair<f64, f64>>,
            ],
        }
    }};
}

/// What a caller makes of its callee's result `Self`: the result itself
/// for a scalar, the pieces of a struct (see [`Split`]).
trait Gives<O>: Copy {
    fn give(self) -> O;
}

impl Gives<u64> for u64 {
    #[inline(always)]
    fn give(self) -> u64 {
        self
    }
}

impl Gives<f64> for f64 {
    #[inline(always)]
    fn give(self) -> f64 {
        self
    }
}

impl<R: Returned> Gives<Pair<f64, f64>> for R {
    #[inline(always)]
    fn give(self) -> Pair<f64, f64> {
        self.pieces()
    }
}

/// The callers of one pattern of images, by result.
#[derive(Clone, Copy)]
struct Callers {
    int: Direct<u64>,
    float: Direct<f64>,
    /// In [`Ret::index`] order.
    split: [Split; 6],
}

/// Every pattern of up to [`MAX_FLOATS_ONLY`] images, in pattern order
/// (`n` images with bit `k` of `mask` set when image `k` is read through a
/// pointer: `2^n - 1 + mask`), as `$m!` arguments.
macro_rules! patterns {
    ($m:ident) => {
        [
            $m!(),
            $m!(r), $m!(d),
            $m!(r r), $m!(d r), $m!(r d), $m!(d d),
            $m!(r r r), $m!(d r r), $m!(r d r), $m!(d d r),
            $m!(r r d), $m!(d r d), $m!(r d d), $m!(d d d),
            $m!(r r r r), $m!(d r r r), $m!(r d r r), $m!(d d r r),
            $m!(r r d r), $m!(d r d r), $m!(r d d r), $m!(d d d r),
            $m!(r r r d), $m!(d r r d), $m!(r d r d), $m!(d d r d),
            $m!(r r d d), $m!(d r d d), $m!(r d d d), $m!(d d d d),
        ]
    };
}

/// Callers of float images only (struct pieces among them), by pattern.
static FLOATS_ONLY: [Callers; (1 << (MAX_FLOATS_ONLY + 1)) - 1] = patterns!(floats_only);

/// The callers of float images only for `nf` images whose bit `k` of
/// `deref` is set when image `k` is read through a struct's pointer.
fn floats_only(nf: usize, deref: u32) -> Option<&'static Callers> {
    let mask = deref as usize & ((1 << nf.min(MAX_FLOATS_ONLY)) - 1);
    (nf <= MAX_FLOATS_ONLY).then(|| &FLOATS_ONLY[(1 << nf) - 1 + mask])
}

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
            Ret::Int | Ret::Float | Ret::One(Class::Int) => 0,
            Ret::One(Class::Float) => 1,
            Ret::Pair(a, b) => 2 + 2 * f(a) + f(b),
        }
    }
}

/// The direct caller for `ni` integer and `nf` float images read as
/// `images` say with a scalar result (`Ret::Float`: a float).
pub(crate) fn scalar(ni: usize, nf: usize, ret: Ret, images: &Images) -> Option<Plain> {
    let deref = images.deref_mask();
    let (int, float) = if deref == 0 {
        *RAW.get(ni)?.get(nf)?
    } else if ni == 0 {
        let c = floats_only(nf, deref >> MAX_PER_CLASS)?;
        (c.int, c.float)
    } else {
        *PIECES_SCALAR.get(ni)?.get(nf)?
    };
    Some(if ret == Ret::Float {
        Plain::Float(float)
    } else {
        Plain::Int(int)
    })
}

/// The direct caller for `ni` integer and `nf` float images with a struct
/// result in registers (`Ret::One` or `Ret::Pair`) with the host convention
/// `abi`; `None` for a pair the host does not return in those registers.
pub(crate) fn split(abi: &Abi, ni: usize, nf: usize, ret: Ret, images: &Images) -> Option<Split> {
    let returned = |a, b| super::native_regs::pair_returned_as(abi, a, b);
    if !returned(Class::Float, Class::Float) {
        return None;
    }
    if let Ret::Pair(a, b) = ret
        && !returned(a, b)
    {
        return None;
    }
    if ni == 0 {
        let deref = images.deref_mask() >> MAX_PER_CLASS;
        return floats_only(nf, deref).map(|c| c.split[ret.index()]);
    }
    PIECES_STRUCT.get(ni)?.get(nf).map(|c| c[ret.index()])
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
