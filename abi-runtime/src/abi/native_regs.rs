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
use core::mem::MaybeUninit;

use super::{Abi, VariadicFloats};
use super::Type;

/// Calls `f` with `ni` integer images, `nf` float images (and, for a
/// stacked caller, stack words), each read as [`Sources`] say from the bytes
/// at `a`; returns the result registers' images (the first one, or the two
/// of a struct result, in the order of the result's pieces).
/// `out` is where a struct result returned through a hidden address goes.
pub(crate) type Caller = unsafe fn(&Sources, *const (), *const u8, *mut u8) -> (u64, u64);

/// Images a caller reads: integer registers, float registers, stack words.
pub(crate) const IMAGES: usize = 3 * MAX_PER_CLASS;

/// How a caller reads one image.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub(crate) enum Read {
    /// 8 bytes.
    Word,
    /// 4 bytes, zero-extended.
    Zext32,
    /// 4 bytes, sign-extended.
    Sext32,
    /// 8 bytes through a struct's pointer.
    DerefWord,
    /// 4 bytes through a struct's pointer, zero-extended.
    DerefZext32,
    /// The address a struct result is written to (the caller's `out`).
    Out,
}

/// Where a caller reads each image: image `i` is integer register `i`,
/// `MAX_PER_CLASS + k` float register `k`, `2 * MAX_PER_CLASS + k` stack
/// word `k`. Integer images are read as [`Read`] says; float registers and
/// stack words as 8 raw bytes, possibly uninitialised past the value (an
/// f32 payload's padding: the convention ignores the bits above an f32, and
/// a float register no argument fills is not read), so they are passed as
/// `MaybeUninit`, whose ABI is its value's. Read straight from the argument
/// values when every image is such a read, else from a buffer of register
/// images the prepared moves filled.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Sources {
    /// Byte offset of each image's bytes (or of the struct pointer) from `a`.
    pub(crate) at: [u16; IMAGES],
    /// Byte offset in the struct, for images read through a pointer.
    pub(crate) off: [u16; IMAGES],
    /// How each image is read.
    pub(crate) read: [Read; IMAGES],
    /// Some float register or stack word is a struct piece read through
    /// its pointer (callers with a struct result and stacked callers only).
    pub(crate) deref: bool,
}

impl Sources {
    pub(crate) const EMPTY: Sources = Sources {
        at: [0; IMAGES],
        off: [0; IMAGES],
        read: [Read::Word; IMAGES],
        deref: false,
    };

    /// The 8 raw bytes of image `i`.
    ///
    /// # Safety
    ///
    /// `a` plus the image's offset is valid for reads of 8 bytes.
    #[inline(always)]
    unsafe fn raw(&self, a: *const u8, i: usize) -> MaybeUninit<f64> {
        // SAFETY: the caller's contract.
        unsafe {
            a.add(usize::from(self.at[i]))
                .cast::<MaybeUninit<f64>>()
                .read_unaligned()
        }
    }

    /// The 8 raw bytes of image `i`, or, a struct piece, its image read
    /// through the struct's pointer.
    ///
    /// # Safety
    ///
    /// As for [`Sources::raw`] and [`Sources::image`].
    #[inline(always)]
    unsafe fn raw_or_deref(&self, a: *const u8, i: usize) -> MaybeUninit<f64> {
        // SAFETY: the caller's contract.
        unsafe {
            let p = || {
                a.add(usize::from(self.at[i]))
                    .cast::<*const u8>()
                    .read_unaligned()
                    .add(usize::from(self.off[i]))
            };
            match self.read[i] {
                Read::DerefWord => p().cast::<MaybeUninit<f64>>().read_unaligned(),
                Read::DerefZext32 => MaybeUninit::new(f64::from_bits(u64::from(
                    p().cast::<u32>().read_unaligned(),
                ))),
                _ => self.raw(a, i),
            }
        }
    }

    /// Image `i`.
    ///
    /// # Safety
    ///
    /// `a` with this image's offsets is valid for the read it says.
    #[inline(always)]
    unsafe fn image(&self, a: *const u8, out: *mut u8, i: usize) -> u64 {
        // SAFETY: the caller's contract.
        unsafe {
            let p = a.add(usize::from(self.at[i]));
            // The common reads inline, each a compare; the rest out of line.
            let read = self.read[i];
            if read == Read::Word {
                p.cast::<u64>().read_unaligned()
            } else if read == Read::Sext32 {
                p.cast::<i32>().read_unaligned() as i64 as u64
            } else {
                self.image_rest(a, out, i)
            }
        }
    }

    /// Image `i`, any read.
    ///
    /// # Safety
    ///
    /// As for [`Sources::image`].
    #[inline(never)]
    unsafe fn image_rest(&self, a: *const u8, out: *mut u8, i: usize) -> u64 {
        // SAFETY: the caller's contract.
        unsafe {
            let p = a.add(usize::from(self.at[i]));
            let deref = || p.cast::<*const u8>().read_unaligned().add(usize::from(self.off[i]));
            match self.read[i] {
                Read::Word => p.cast::<u64>().read_unaligned(),
                Read::Zext32 => u64::from(p.cast::<u32>().read_unaligned()),
                Read::Sext32 => p.cast::<i32>().read_unaligned() as i64 as u64,
                Read::DerefWord => deref().cast::<u64>().read_unaligned(),
                Read::DerefZext32 => u64::from(deref().cast::<u32>().read_unaligned()),
                Read::Out => out as usize as u64,
            }
        }
    }
}

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
    fn image(self) -> (u64, u64);
}

impl Image for u64 {
    fn image(self) -> (u64, u64) {
        (self, 0)
    }
}

impl Image for f64 {
    fn image(self) -> (u64, u64) {
        (self.to_bits(), 0)
    }
}

impl<A: Image, B: Image> Image for Pair<A, B> {
    fn image(self) -> (u64, u64) {
        (self.0.image().0, self.1.image().0)
    }
}

macro_rules! int_ty {
    ($i:tt) => {
        u64
    };
}
macro_rules! float_ty {
    ($i:tt) => {
        MaybeUninit<f64>
    };
}

/// One caller: integer image indices, float image indices, for each result kind.
macro_rules! caller {
    ([$($i:tt)*] [$($f:tt)*] $($r:ty),*) => {
        caller!(@ plain [$($i)*] [$($f)*] $($r),*)
    };
    (@ $kind:ident [$($i:tt)*] [$($f:tt)*] $($r:ty),*) => {{
        #[allow(unused_variables)]
        unsafe fn c<R: Image>(s: &Sources, f: *const (), a: *const u8, out: *mut u8) -> (u64, u64) {
            // SAFETY: `f` takes these register images (the prepared
            // signature's, in class order) and returns `R` (checked at
            // prepare time to come back in the registers the result has);
            // `s` says where each image is in the bytes at `a`.
            unsafe {
                let f = core::mem::transmute::<*const (), extern "C" fn($(int_ty!($i),)* $(float_ty!($f),)*) -> R>(f);
                caller!(@call $kind f s a out [$($i)*] [$($f)*])
            }
        }
        [$(c::<$r> as Caller),*]
    }};
    (@call plain $fn:ident $s:ident $a:ident $out:ident [$($i:tt)*] [$($f:tt)*]) => {
        $fn($($s.image($a, $out, $i),)* $($s.raw($a, MAX_PER_CLASS + $f),)*).image()
    };
    // Float images possibly through a struct's pointer: two call sites, so
    // calls without struct pieces pay one test.
    (@call deref $fn:ident $s:ident $a:ident $out:ident [$($i:tt)*] [$($f:tt)*]) => {{
        let iv: [u64; 0 $(+ 1 + 0 * $i)*] = [$($s.image($a, $out, $i)),*];
        if $s.deref {
            $fn($(iv[$i],)* $($s.raw_or_deref($a, MAX_PER_CLASS + $f),)*).image()
        } else {
            $fn($(iv[$i],)* $($s.raw($a, MAX_PER_CLASS + $f),)*).image()
        }
    }};
}

macro_rules! row {
    ([$($i:tt)*] $($r:ty),*) => {
        [
            caller!([$($i)*] [] $($r),*),
            caller!([$($i)*] [0] $($r),*),
            caller!([$($i)*] [0 1] $($r),*),
            caller!([$($i)*] [0 1 2] $($r),*),
            caller!([$($i)*] [0 1 2 3] $($r),*),
            caller!([$($i)*] [0 1 2 3 4] $($r),*),
            caller!([$($i)*] [0 1 2 3 4 5] $($r),*),
            caller!([$($i)*] [0 1 2 3 4 5 6] $($r),*),
            caller!([$($i)*] [0 1 2 3 4 5 6 7] $($r),*),
        ]
    };
}

/// Callers with a scalar result (integer, float) by integer, then float images.
static CALLERS: [[[Caller; 2]; MAX_PER_CLASS + 1]; MAX_PER_CLASS + 1] = [
    row!([] u64, f64),
    row!([0] u64, f64),
    row!([0 1] u64, f64),
    row!([0 1 2] u64, f64),
    row!([0 1 2 3] u64, f64),
    row!([0 1 2 3 4] u64, f64),
    row!([0 1 2 3 4 5] u64, f64),
    row!([0 1 2 3 4 5 6] u64, f64),
    row!([0 1 2 3 4 5 6 7] u64, f64),
];

/// Registers of each class a caller with a struct result passes at most.
pub(crate) const MAX_WITH_PAIR: usize = 4;

macro_rules! pair_row {
    ([$($i:tt)*]) => {
        [
            caller!(@ deref [$($i)*] [] Pair<u64, u64>, Pair<u64, f64>, Pair<f64, u64>, Pair<f64, f64>),
            caller!(@ deref [$($i)*] [0] Pair<u64, u64>, Pair<u64, f64>, Pair<f64, u64>, Pair<f64, f64>),
            caller!(@ deref [$($i)*] [0 1] Pair<u64, u64>, Pair<u64, f64>, Pair<f64, u64>, Pair<f64, f64>),
            caller!(@ deref [$($i)*] [0 1 2] Pair<u64, u64>, Pair<u64, f64>, Pair<f64, u64>, Pair<f64, f64>),
            caller!(@ deref [$($i)*] [0 1 2 3] Pair<u64, u64>, Pair<u64, f64>, Pair<f64, u64>, Pair<f64, f64>),
        ]
    };
}

/// Callers with a struct result in two registers (classes: int-int,
/// int-float, float-int, float-float) by integer, then float images.
static WITH_PAIR: [[[Caller; 4]; MAX_WITH_PAIR + 1]; MAX_WITH_PAIR + 1] = [
    pair_row!([]),
    pair_row!([0]),
    pair_row!([0 1]),
    pair_row!([0 1 2]),
    pair_row!([0 1 2 3]),
];

/// Float registers a stacked caller passes: with a convention of exactly
/// that many (and no float spilling into integer registers), the float
/// parameters declared after them go on the stack, one 8-byte slot each,
/// in order.
pub(crate) const STACKED_FLOATS: usize = 8;

/// Stack words a stacked caller passes at most.
pub(crate) const MAX_STACKED: usize = 4;

/// One stacked caller: integer image indices, stack word indices, for an
/// integer and a float result; it passes every float register.
macro_rules! stacked {
    ([$($i:tt)*] [$($s:tt)*]) => {{
        #[allow(unused_variables)]
        unsafe fn c<R: Image>(s: &Sources, f: *const (), a: *const u8, out: *mut u8) -> (u64, u64) {
            // SAFETY: as for the register callers; the declared float
            // registers are all the convention has (checked at prepare
            // time), so each stack word is the stack slot of its rank.
            unsafe {
                let f = core::mem::transmute::<
                    *const (),
                    extern "C" fn(
                        $(int_ty!($i),)*
                        float_ty!(0), float_ty!(1), float_ty!(2), float_ty!(3),
                        float_ty!(4), float_ty!(5), float_ty!(6), float_ty!(7),
                        $(float_ty!($s),)*
                    ) -> R,
                >(f);
                let iv: [u64; 0 $(+ 1 + 0 * $i)*] = [$(s.image(a, out, $i)),*];
                // Two call sites, so calls without struct pieces pay one test.
                if s.deref {
                    let raw = |k: usize| s.raw_or_deref(a, k);
                    let fl = |k: usize| raw(MAX_PER_CLASS + k);
                    f(
                        $(iv[$i],)*
                        fl(0), fl(1), fl(2), fl(3), fl(4), fl(5), fl(6), fl(7),
                        $(raw(2 * MAX_PER_CLASS + $s),)*
                    )
                    .image()
                } else {
                    let raw = |k: usize| s.raw(a, k);
                    let fl = |k: usize| raw(MAX_PER_CLASS + k);
                    f(
                        $(iv[$i],)*
                        fl(0), fl(1), fl(2), fl(3), fl(4), fl(5), fl(6), fl(7),
                        $(raw(2 * MAX_PER_CLASS + $s),)*
                    )
                    .image()
                }
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

/// One variadic caller: the first image fixed (integer image 0, or float
/// image 0 when there is no integer one), the rest passed as the variadic
/// arguments of a C-variadic call, for an integer and a float result. With
/// a convention that passes variadic arguments where fixed ones go, that is
/// the call a variadic callee expects, and the compiler sets what such a
/// call needs besides (sysv: the count of vector registers in `al`).
macro_rules! variadic {
    (int [$($i:tt)*] [$($f:tt)*]) => {{
        #[allow(unused_variables)]
        unsafe fn c<R: Image>(s: &Sources, f: *const (), a: *const u8, out: *mut u8) -> (u64, u64) {
            // SAFETY: as for the register callers, with `f` variadic.
            unsafe {
                let f = core::mem::transmute::<*const (), unsafe extern "C" fn(u64, ...) -> R>(f);
                f(s.image(a, out, 0), $(s.image(a, out, $i),)* $(s.raw(a, MAX_PER_CLASS + $f),)*).image()
            }
        }
        [c::<u64> as Caller, c::<f64> as Caller]
    }};
    (float [$($f:tt)*]) => {{
        #[allow(unused_variables)]
        unsafe fn c<R: Image>(s: &Sources, f: *const (), a: *const u8, out: *mut u8) -> (u64, u64) {
            // SAFETY: as for the register callers, with `f` variadic.
            unsafe {
                let f = core::mem::transmute::<*const (), unsafe extern "C" fn(MaybeUninit<f64>, ...) -> R>(f);
                f(s.raw(a, MAX_PER_CLASS), $(s.raw(a, MAX_PER_CLASS + $f),)*).image()
            }
        }
        [c::<u64> as Caller, c::<f64> as Caller]
    }};
}

macro_rules! variadic_row {
    ([$($i:tt)*]) => {
        [
            variadic!(int [$($i)*] []),
            variadic!(int [$($i)*] [0]),
            variadic!(int [$($i)*] [0 1]),
            variadic!(int [$($i)*] [0 1 2]),
            variadic!(int [$($i)*] [0 1 2 3]),
            variadic!(int [$($i)*] [0 1 2 3 4]),
            variadic!(int [$($i)*] [0 1 2 3 4 5]),
            variadic!(int [$($i)*] [0 1 2 3 4 5 6]),
            variadic!(int [$($i)*] [0 1 2 3 4 5 6 7]),
        ]
    };
}

/// Variadic callers by integer images (the first row: none, so the first
/// float image is the fixed one), then float images.
static VARIADIC: [[[Caller; 2]; MAX_PER_CLASS + 1]; MAX_PER_CLASS + 1] = [
    [
        variadic!(float []),
        variadic!(float []),
        variadic!(float [1]),
        variadic!(float [1 2]),
        variadic!(float [1 2 3]),
        variadic!(float [1 2 3 4]),
        variadic!(float [1 2 3 4 5]),
        variadic!(float [1 2 3 4 5 6]),
        variadic!(float [1 2 3 4 5 6 7]),
    ],
    variadic_row!([]),
    variadic_row!([1]),
    variadic_row!([1 2]),
    variadic_row!([1 2 3]),
    variadic_row!([1 2 3 4]),
    variadic_row!([1 2 3 4 5]),
    variadic_row!([1 2 3 4 5 6]),
    variadic_row!([1 2 3 4 5 6 7]),
];

/// The variadic caller for `ni` integer and `nf` float images with the
/// host convention `abi`, if its variadic arguments go where fixed ones do.
pub(crate) fn variadic(abi: &Abi, ni: usize, nf: usize, ret: RetKind) -> Option<Caller> {
    let k = match ret {
        RetKind::Int => 0,
        RetKind::Float => 1,
        RetKind::Pair(..) => return None,
    };
    if abi.variadic_floats != VariadicFloats::AsFixed || ni + nf == 0 {
        return None;
    }
    VARIADIC.get(ni)?.get(nf).map(|c| c[k])
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
pub(crate) fn pair_returned_as(abi: &Abi, a: Class, b: Class) -> bool {
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
    match ret {
        RetKind::Int => CALLERS.get(ni)?.get(nf).map(|c| c[0]),
        RetKind::Float => CALLERS.get(ni)?.get(nf).map(|c| c[1]),
        RetKind::Pair(a, b) if pair_returned_as(abi, a, b) => {
            let k = 2 * usize::from(a == Class::Float) + usize::from(b == Class::Float);
            WITH_PAIR.get(ni)?.get(nf).map(|c| c[k])
        }
        RetKind::Pair(..) => None,
    }
}
