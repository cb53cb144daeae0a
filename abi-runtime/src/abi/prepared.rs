//! Classifying a signature once, and the hot path of a prepared call.

use core::fmt;
use core::mem::{MaybeUninit, size_of};

use super::value::{PAYLOAD, Scalar};
use super::{
    Abi, F32InReg, FLOAT_BASE, FLOAT_REGS, FLOAT_RET_BASE, FLOAT_UNITS, Frame, INT_REGS,
    SlotModel, Type, Value, WORD,
};

/// The most arguments a prepared signature may have (C's translation limit
/// for parameters is 127).
pub const MAX_ARGS: usize = 127;

/// Units (of [`WORD`] bytes) of argument registers in [`Frame::regs`].
pub(crate) const REG_UNITS: usize = FLOAT_BASE + FLOAT_REGS * FLOAT_UNITS;

/// Room for gap units: every register unit.
const GAPS: usize = REG_UNITS;

/// Units of [`Frame`]: stack unit `k` is unit `STACK_BASE + k` of a
/// [`CallBuf`], right after the frame.
pub(crate) const STACK_BASE: usize = size_of::<Frame>() / WORD;

/// Where one argument goes and how its image is fixed up for the convention.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Slot {
    /// Unit index (units of [`WORD`] bytes): `< REG_UNITS` is in
    /// `Frame::regs`, `>= STACK_BASE` a stack slot. For the result: the unit
    /// of `Frame::ret`.
    pub(crate) word: u16,
    /// The declared type.
    pub(crate) ty: Scalar,
    /// How the image is adjusted for the convention.
    pub(crate) fix: Fix,
    /// Takes two units (an 8-byte value where a word is 4 bytes).
    pub(crate) wide: bool,
}

/// Writes a slot's image at `base + unit * WORD`.
///
/// # Safety
///
/// `base` must be valid for writes of the slot's bytes there.
#[inline(always)]
pub(crate) unsafe fn put(base: *mut u8, s: Slot, image: u64) {
    // SAFETY: the caller's contract; units are WORD-aligned, 8-byte values
    // on 32-bit targets may be only 4-byte aligned (i386 stack slots).
    unsafe {
        let p = base.add(usize::from(s.word) * WORD);
        if WORD == 8 {
            p.cast::<u64>().write(image);
        } else if s.wide {
            p.cast::<u64>().write_unaligned(image);
        } else {
            p.cast::<u32>().write_unaligned(image as u32);
        }
    }
}

/// Reads a slot's image at `base + unit * WORD` (a 4-byte one zero-extended).
///
/// # Safety
///
/// `base` must be valid for reads of the slot's bytes there.
#[inline(always)]
pub(crate) unsafe fn get(base: *const u8, s: Slot) -> u64 {
    // SAFETY: as in `put`.
    unsafe {
        let p = base.add(usize::from(s.word) * WORD);
        if WORD == 8 {
            p.cast::<u64>().read()
        } else if s.wide {
            p.cast::<u64>().read_unaligned()
        } else {
            u64::from(p.cast::<u32>().read_unaligned())
        }
    }
}

/// What a convention does to a value's image beyond [`Value::bits`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fix {
    /// Nothing.
    None,
    /// Sign-extend from bit 31 (`u32` where 32-bit values are sign-extended).
    Sext32,
    /// NaN-box an f32 in a float register (upper 32 bits all ones).
    NanBox,
    /// An f32 in the high half of a float register.
    High32,
    /// An f32 converted to double precision in a float register.
    AsDouble,
}

impl Slot {
    const EMPTY: Slot = Slot {
        word: 0,
        ty: Scalar::Void,
        fix: Fix::None,
        wide: false,
    };

    /// The register image of `bits` (a [`Value::bits`]) for this slot.
    #[inline(always)]
    pub(crate) fn fix(self, bits: u64) -> u64 {
        if self.fix == Fix::None {
            return bits;
        }
        match self.fix {
            Fix::Sext32 => bits as u32 as i32 as i64 as u64,
            Fix::High32 => bits << 32,
            Fix::AsDouble => single_to_double(bits as u32),
            _ => bits | 0xFFFF_FFFF_0000_0000,
        }
    }

    /// The [`Value::bits`] of a register image of this slot (undoes [`Slot::fix`]).
    #[inline(always)]
    pub(crate) fn unfix(self, image: u64) -> u64 {
        match self.fix {
            Fix::High32 => image >> 32,
            Fix::AsDouble => u64::from(double_to_single(image)),
            _ => image,
        }
    }
}

/// An f32 in double format, as powerpc's `lfs` loads it: exact, and NaNs
/// keep their payload and stay signalling (a Rust `as` conversion would quiet
/// them).
fn single_to_double(b: u32) -> u64 {
    let x = f32::from_bits(b);
    if x.is_nan() {
        let sign = u64::from(b >> 31) << 63;
        return sign | 0x7FF0_0000_0000_0000 | (u64::from(b & 0x007F_FFFF) << 29);
    }
    f64::from(x).to_bits()
}

/// The f32 a double-format image holds, as powerpc's `stfs` stores it.
fn double_to_single(d: u64) -> u32 {
    let x = f64::from_bits(d);
    if x.is_nan() {
        let sign = ((d >> 63) as u32) << 31;
        return sign | 0x7F80_0000 | ((d >> 29) as u32 & 0x007F_FFFF);
    }
    (x as f32).to_bits()
}

/// A signature classified for one convention: call it with [`Prepared::call`]
/// or bind a handler to it with [`Prepared::callback`].
#[derive(Clone)]
pub struct Prepared {
    pub(crate) abi: &'static Abi,
    /// The tail trampoline when the call can use it (no stack arguments).
    pub(crate) tail: Option<unsafe extern "C" fn(*mut Frame, *const ())>,
    /// Register words the tail trampoline loads that no argument fills
    /// (positional conventions skip registers): zeroed before each call.
    pub(crate) gaps: [u16; GAPS],
    pub(crate) n_gaps: u8,
    /// Argument `i` goes to word `i` and needs no fix-up, for every `i`: the
    /// frame is filled in order, at addresses known without the slots.
    pub(crate) in_order: bool,
    /// The tail trampoline, when the call also has no gaps and fills in
    /// order: the hot path tests only this.
    pub(crate) fast: Option<Tail>,
    /// Every argument is an 8-byte value (i64, u64, pointer, f64) on a 64-bit
    /// little-endian host: its register word is the `Value`'s payload as is.
    pub(crate) whole_words: bool,
    /// The host's own convention with up to 16 arguments, all i64, u64 or
    /// pointers: the call is an ordinary `extern "C"` call of that arity.
    pub(crate) native_words: bool,
    pub(crate) len: usize,
    pub(crate) ret: Slot,
    pub(crate) stack_words: usize,
    pub(crate) stack_bytes: usize,
    pub(crate) args: [Slot; MAX_ARGS],
}

impl fmt::Debug for Prepared {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut l = f.debug_struct("Prepared");
        l.field("abi", &self.abi.name);
        l.field("args", &ArgTypes(self));
        l.field("ret", &self.ret.ty.ty());
        l.field("stack_words", &self.stack_words);
        l.field("stack_bytes", &self.stack_bytes);
        l.finish()
    }
}

struct ArgTypes<'a>(&'a Prepared);

impl fmt::Debug for ArgTypes<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.0.arg_types()).finish()
    }
}

/// Why a signature cannot be prepared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrepareError {
    /// `Void` as an argument type.
    VoidArgument {
        /// Its position.
        index: usize,
    },
    /// A type this implementation cannot pass with this convention yet.
    Unsupported {
        /// The argument's position, `None` for the result.
        index: Option<usize>,
        /// The type.
        ty: Type,
        /// The convention.
        abi: &'static str,
        /// What the convention would do with it.
        rule: &'static str,
    },
    /// More arguments than [`MAX_ARGS`].
    TooManyArguments {
        /// How many were given.
        count: usize,
        /// The limit.
        max: usize,
    },
}

impl fmt::Display for PrepareError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PrepareError::VoidArgument { index } => write!(f, "argument {index} has type void"),
            PrepareError::Unsupported {
                index,
                ty,
                abi,
                rule,
            } => {
                match index {
                    Some(i) => write!(f, "argument {i}")?,
                    None => f.write_str("the result")?,
                }
                write!(
                    f,
                    " has type {ty}, which dynamic calls with {abi} do not support yet ({abi} passes {rule})"
                )
            }
            PrepareError::TooManyArguments { count, max } => {
                write!(f, "{count} arguments; a prepared call takes at most {max}")
            }
        }
    }
}

impl core::error::Error for PrepareError {}

fn round_up(n: usize, align: usize) -> usize {
    n.div_ceil(align) * align
}

/// Where each argument of `args` goes under `abi`.
pub(crate) fn classify(
    abi: &'static Abi,
    args: &[Type],
    ret: Type,
) -> Result<Prepared, PrepareError> {
    if args.len() > MAX_ARGS {
        return Err(PrepareError::TooManyArguments {
            count: args.len(),
            max: MAX_ARGS,
        });
    }
    let unsupported = |index, ty| PrepareError::Unsupported {
        index,
        ty,
        abi: abi.name,
        rule: abi.by_reference,
    };
    let (n_int, n_float) = (abi.int_args.len(), abi.float_args.len());
    let (mut next_int, mut next_float, mut next_stack) = (0usize, 0usize, 0usize);
    let mut out = Prepared {
        abi,
        tail: None,
        gaps: [0; GAPS],
        n_gaps: 0,
        in_order: false,
        fast: None,
        whole_words: false,
        native_words: false,
        len: args.len(),
        ret: Slot::EMPTY,
        stack_words: 0,
        stack_bytes: 0,
        args: [Slot::EMPTY; MAX_ARGS],
    };
    let wide_of = |ty: Type| WORD == 4 && matches!(ty, Type::I64 | Type::U64 | Type::F64);
    let float_unit = |r: usize| FLOAT_BASE + r * FLOAT_UNITS;
    // AAPCS32-VFP: f32 values take single halves of the d registers, back-filling.
    let halves = abi.f32_in_float_reg == F32InReg::Halves && FLOAT_UNITS == 2;
    let mut free_halves: u64 = if 2 * n_float >= 64 {
        u64::MAX
    } else {
        (1u64 << (2 * n_float)) - 1
    };
    let mut floats_closed = false;
    for (i, &ty) in args.iter().enumerate() {
        let float = match ty {
            Type::Void => return Err(PrepareError::VoidArgument { index: i }),
            Type::Struct { .. } => return Err(unsupported(Some(i), ty)),
            t => t.is_float(),
        };
        let wide = wide_of(ty);
        let take_int = |next_int: &mut usize| -> Option<usize> {
            let need = if wide { 2 } else { 1 };
            let at = if wide && abi.int_pairs_even {
                round_up(*next_int, 2)
            } else {
                *next_int
            };
            if at + need <= n_int {
                *next_int = at + need;
                Some(at)
            } else {
                // A pair that does not fit closes the integer registers.
                *next_int = n_int;
                None
            }
        };
        let reg = match abi.slots {
            SlotModel::Positional if float => (i < n_float).then(|| float_unit(i)),
            SlotModel::Positional => (i < n_int).then_some(i),
            SlotModel::GprPositions if float && next_float < n_float => {
                next_float += 1;
                Some(float_unit(next_float - 1))
            }
            SlotModel::GprPositions => (i < n_int).then_some(i),
            SlotModel::PerClass if float && halves => {
                let (mask, h) = if wide {
                    (3u64, (0..n_float).map(|d| 2 * d).find(|&h| free_halves >> h & 3 == 3))
                } else {
                    (1u64, (0..2 * n_float).find(|&h| free_halves >> h & 1 == 1))
                };
                match h.filter(|_| !floats_closed) {
                    Some(h) => {
                        free_halves &= !(mask << h);
                        Some(FLOAT_BASE + h)
                    }
                    None => {
                        // Once a float goes on the stack, no later one back-fills.
                        floats_closed = true;
                        None
                    }
                }
            }
            SlotModel::PerClass if float && next_float < n_float => {
                next_float += 1;
                Some(float_unit(next_float - 1))
            }
            SlotModel::PerClass if !float || abi.float_overflow_to_int => {
                take_int(&mut next_int)
            }
            SlotModel::PerClass => None,
        };
        let word = reg.unwrap_or_else(|| {
            // ELFv2: the parameter save area has a doubleword for every position.
            if abi.slots == SlotModel::GprPositions {
                next_stack = i;
            }
            if wide {
                next_stack = round_up(next_stack, (abi.wide_stack_align / WORD).max(1));
            }
            let at = next_stack;
            next_stack += if wide { 2 } else { 1 };
            STACK_BASE + at
        });
        let in_float_reg = (FLOAT_BASE..REG_UNITS).contains(&word);
        out.args[i] = Slot {
            word: word as u16,
            ty: Scalar::of(ty),
            fix: fix_for(abi, ty, in_float_reg),
            wide,
        };
    }
    out.stack_words = next_stack;
    out.stack_bytes = round_up(
        next_stack * abi.stack_slot + abi.shadow_space + abi.linkage_area,
        abi.stack_align,
    );
    out.ret = match ret {
        Type::Struct { .. } => return Err(unsupported(None, ret)),
        Type::Void => Slot::EMPTY,
        t => {
            let fix = fix_for(abi, t, t.is_float());
            Slot {
                word: if t.is_float() { FLOAT_RET_BASE as u16 } else { 0 },
                ty: Scalar::of(t),
                fix,
                // An f32 in double format takes 8 bytes (i386 returns it
                // through the frame as a double).
                wide: wide_of(t) || (WORD == 4 && fix == Fix::AsDouble),
            }
        }
    };
    if next_stack == 0 && !abi.tail.is_empty() {
        // The registers to load: up to the highest one used, per class.
        let units = |s: &Slot| usize::from(s.word)..usize::from(s.word) + 1 + usize::from(s.wide);
        let ints = out.args[..out.len]
            .iter()
            .map(units)
            .filter(|u| u.start < INT_REGS)
            .map(|u| u.end)
            .max()
            .unwrap_or(0);
        let floats = out.args[..out.len]
            .iter()
            .map(|s| usize::from(s.word))
            .filter(|w| (FLOAT_BASE..REG_UNITS).contains(w))
            .map(|w| (w - FLOAT_BASE) / FLOAT_UNITS + 1)
            .max()
            .unwrap_or(0);
        out.tail = abi.tail.get(ints * (n_float + 1) + floats).copied();
        for w in (0..ints).chain(FLOAT_BASE..FLOAT_BASE + floats * FLOAT_UNITS) {
            if !out.args[..out.len].iter().any(|s| units(s).contains(&w)) {
                out.gaps[usize::from(out.n_gaps)] = w as u16;
                out.n_gaps += 1;
            }
        }
    }
    out.in_order = out.args[..out.len]
        .iter()
        .enumerate()
        .all(|(i, s)| WORD == 8 && usize::from(s.word) == i && s.fix == Fix::None);
    out.fast = out.tail.filter(|_| out.in_order && out.n_gaps == 0);
    out.whole_words = out.fast.is_some()
        && cfg!(all(target_pointer_width = "64", target_endian = "little"))
        && out.args[..out.len]
            .iter()
            .all(|s| matches!(s.ty, Scalar::I64 | Scalar::U64 | Scalar::Ptr | Scalar::F64));
    out.native_words = cfg!(all(target_pointer_width = "64", target_endian = "little"))
        && core::ptr::eq(abi, Abi::native())
        && out.len <= 16
        && out.args[..out.len]
            .iter()
            .all(|s| matches!(s.ty, Scalar::I64 | Scalar::U64 | Scalar::Ptr));
    Ok(out)
}

fn fix_for(abi: &Abi, ty: Type, in_float_reg: bool) -> Fix {
    if ty == Type::U32 && abi.u32_sign_extended {
        Fix::Sext32
    } else if ty == Type::F32 && in_float_reg {
        match abi.f32_in_float_reg {
            F32InReg::LowBits | F32InReg::Halves => Fix::None,
            F32InReg::NanBoxed => Fix::NanBox,
            F32InReg::HighBits => Fix::High32,
            F32InReg::AsDouble => Fix::AsDouble,
        }
    } else {
        Fix::None
    }
}

/// A tail trampoline: `(frame, f)`, returns what `f` returns.
type Tail = unsafe extern "C" fn(*mut Frame, *const ());

/// Room for the stack arguments of any signature, in u64s: a unit each, or
/// (4-byte words) up to three units for an aligned 8-byte value.
const STACK_ROOM: usize = if WORD == 8 {
    MAX_ARGS
} else {
    (MAX_ARGS * 3 * WORD).div_ceil(8)
};

/// A frame followed by room for every stack argument.
#[repr(C)]
struct CallBuf {
    frame: Frame,
    stack: [MaybeUninit<u64>; STACK_ROOM],
}

impl Prepared {
    /// The convention.
    pub fn abi(&self) -> &'static Abi {
        self.abi
    }

    /// The argument types.
    pub fn arg_types(&self) -> impl ExactSizeIterator<Item = Type> + '_ {
        self.args().map(|s| s.ty.ty())
    }

    /// The result type.
    pub fn ret_type(&self) -> Type {
        self.ret.ty.ty()
    }

    /// Words of stack arguments a call passes.
    pub fn stack_words(&self) -> usize {
        self.stack_words
    }

    /// Bytes a call reserves below the stack pointer (shadow space and stack arguments, aligned).
    pub fn stack_bytes(&self) -> usize {
        self.stack_bytes
    }

    pub(crate) fn args(&self) -> impl ExactSizeIterator<Item = Slot> + '_ {
        self.args[..self.len].iter().copied()
    }

    /// Where argument `i` sits: `Some(register name)` or `None` for the stack.
    pub fn arg_register(&self, i: usize) -> Option<&'static str> {
        let w = usize::from(self.args[..self.len].get(i)?.word);
        if w < INT_REGS {
            self.abi.int_args.get(w).copied()
        } else if (FLOAT_BASE..REG_UNITS).contains(&w) {
            self.abi
                .float_args
                .get((w - FLOAT_BASE) / FLOAT_UNITS)
                .copied()
        } else {
            None
        }
    }

    /// Calls `f` with `args`; returns its result as a value of the prepared result type.
    ///
    /// # Safety
    ///
    /// `f` must be a function of the prepared convention whose signature is
    /// the prepared one, `args` must have the prepared types (a value of
    /// another type is passed as garbage in its slot), and calling `f` with
    /// them must be safe.
    ///
    /// # Panics
    ///
    /// If `args` has not as many values as the signature has arguments.
    #[inline(always)]
    pub unsafe fn call(&self, f: *const (), args: &[Value]) -> Value {
        assert!(
            args.len() == self.len,
            "prepared for {} arguments, called with {}",
            self.len,
            args.len()
        );
        if self.native_words {
            // SAFETY: the caller's contract; `native_words` was decided at prepare time.
            return unsafe { self.call_native(f, args) };
        }
        match self.fast {
            // SAFETY: the caller's contract.
            Some(tail) => unsafe { self.call_fast(tail, f, args) },
            // SAFETY: the caller's contract.
            None => unsafe { self.call_other(f, args) },
        }
    }

    /// Calls through the tail trampoline with the frame filled in order.
    #[inline(always)]
    unsafe fn call_fast(&self, tail: Tail, f: *const (), args: &[Value]) -> Value {
        let mut frame = MaybeUninit::<Frame>::uninit();
        let p = frame.as_mut_ptr();
        let words = p.cast::<u64>();
        if self.whole_words {
            for (i, v) in args.iter().enumerate() {
                // SAFETY: `Value` is `repr(C, u8)` with its payload at offset PAYLOAD
                // (see `value.rs`); the caller passes values of the prepared
                // types, all 8 bytes wide, so the payload is the register image.
                // Word `i` is a register word of the frame (`fast`).
                unsafe {
                    words
                        .add(i)
                        .write((v as *const Value).cast::<u8>().add(PAYLOAD).cast::<u64>().read())
                };
            }
            // SAFETY: the trampoline reads the words just written and jumps to `f`.
            return unsafe { self.finish_tail(tail, p, f) };
        }
        macro_rules! by_len {
            ($($n:literal)*) => {
                match args.len() {
                    $($n => {
                        if let Ok(args) = <&[Value; $n]>::try_from(args) {
                            for (i, v) in args.iter().enumerate() {
                                // SAFETY: word `i` is a register word of the frame.
                                unsafe { words.add(i).write(v.bits()) };
                            }
                        }
                    })*
                    _ => {
                        for (i, v) in args.iter().enumerate() {
                            // SAFETY: as above: `fast` implies no stack words.
                            unsafe { words.add(i).write(v.bits()) };
                        }
                    }
                }
            };
        }
        by_len!(0 1 2 3 4 5 6 7 8);
        // SAFETY: the trampoline reads the words just written and jumps to `f`.
        unsafe { self.finish_tail(tail, p, f) }
    }

    #[inline(always)]
    unsafe fn call_native(&self, f: *const (), args: &[Value]) -> Value {
        // SAFETY: the caller's contract; `native_words` was decided at prepare time.
        unsafe { native_words(f, args, self.ret.ty) }
    }

    /// Runs the tail trampoline and decodes the result register.
    #[inline(always)]
    unsafe fn finish_tail(&self, tail: Tail, p: *mut Frame, f: *const ()) -> Value {
        // SAFETY: the tail trampoline jumps to `f`, whose result is in the
        // host's first integer or float result register.
        unsafe {
            let bits = if self.ret.ty.is_float() {
                core::mem::transmute::<Tail, unsafe extern "C" fn(*mut Frame, *const ()) -> f64>(
                    tail,
                )(p, f)
                .to_bits()
            } else {
                core::mem::transmute::<Tail, unsafe extern "C" fn(*mut Frame, *const ()) -> u64>(
                    tail,
                )(p, f)
            };
            self.ret.ty.value(self.ret.unfix(bits))
        }
    }

    /// Every call the fast path does not take.
    #[inline(never)]
    unsafe fn call_other(&self, f: *const (), args: &[Value]) -> Value {
        match self.tail {
            // SAFETY: the caller's contract.
            Some(tail) => unsafe { self.call_tail(tail, f, args) },
            // SAFETY: the caller's contract.
            None => unsafe { self.call_full(f, args) },
        }
    }

    /// Writes the argument images into the units after `base`.
    ///
    /// # Safety
    ///
    /// `base` must be 8-byte aligned and valid for writes of every slot's bytes.
    #[inline(always)]
    unsafe fn fill(&self, base: *mut u8, args: &[Value]) {
        // Unrolled per count: a loop of unknown length costs more than the
        // work in it on some cores.
        macro_rules! by_len {
            ($($n:literal)*) => {
                match args.len() {
                    // SAFETY: the caller's contract.
                    $($n => unsafe { self.fill_n::<$n>(base, args) },)*
                    // SAFETY: the caller's contract.
                    _ => unsafe { self.fill_any(base, args) },
                }
            };
        }
        by_len!(0 1 2 3 4 5 6 7 8)
    }

    /// [`Prepared::fill`] for `N` arguments.
    #[inline(always)]
    unsafe fn fill_n<const N: usize>(&self, base: *mut u8, args: &[Value]) {
        let Ok(args) = <&[Value; N]>::try_from(args) else {
            return;
        };
        if self.in_order {
            let words = base.cast::<u64>();
            for (i, v) in args.iter().enumerate() {
                // SAFETY: the caller's contract; `in_order` means 8-byte units
                // and unit `i` is argument `i`'s slot.
                unsafe { words.add(i).write(v.bits()) };
            }
        } else {
            for (v, s) in args.iter().zip(&self.args[..N]) {
                // SAFETY: the caller's contract.
                unsafe { put(base, *s, s.fix(v.bits())) };
            }
        }
    }

    /// [`Prepared::fill`] for any number of arguments.
    unsafe fn fill_any(&self, base: *mut u8, args: &[Value]) {
        for (v, s) in args.iter().zip(&self.args[..self.len]) {
            debug_assert!(
                v.ty() == s.ty.ty(),
                "argument of type {} where {} was prepared",
                v.ty(),
                s.ty.ty()
            );
            // SAFETY: the caller's contract.
            unsafe { put(base, *s, s.fix(v.bits())) };
        }
    }

    /// No stack arguments, and a convention the host can jump into: fill the
    /// registers and let the tail trampoline jump to `f`, which returns here.
    #[inline(always)]
    unsafe fn call_tail(
        &self,
        tail: unsafe extern "C" fn(*mut Frame, *const ()),
        f: *const (),
        args: &[Value],
    ) -> Value {
        let mut frame = MaybeUninit::<Frame>::uninit();
        let p = frame.as_mut_ptr();
        // SAFETY: register words are inside the frame; the trampoline reads
        // only the words the arguments and gaps fill, and `f`'s result comes
        // back in the host's first result register.
        unsafe {
            let bytes = p.cast::<u8>();
            if self.n_gaps != 0 {
                self.zero_gaps(bytes);
            }
            self.fill(bytes, args);
            self.finish_tail(tail, p, f)
        }
    }

    /// Zeroes the gap units.
    ///
    /// # Safety
    ///
    /// `base` must be valid for writes of every register unit.
    #[cold]
    #[inline(never)]
    unsafe fn zero_gaps(&self, base: *mut u8) {
        for &g in &self.gaps[..usize::from(self.n_gaps)] {
            let unit = Slot {
                word: g,
                ..Slot::EMPTY
            };
            // SAFETY: gap units are register units.
            unsafe { put(base, unit, 0) };
        }
    }

    /// The general path: stack arguments, or a convention that needs the
    /// full trampoline (saves, shadow space).
    #[inline(never)]
    unsafe fn call_full(&self, f: *const (), args: &[Value]) -> Value {
        let mut buf = MaybeUninit::<CallBuf>::uninit();
        let p = buf.as_mut_ptr();
        // SAFETY: every write is inside `buf`: register words by construction
        // of the slots, stack words below STACK_BASE + MAX_ARGS; the
        // trampoline reads the frame and the first `stack_words` stack words
        // (all written) and writes the return words before they are read.
        unsafe {
            let frame = &raw mut (*p).frame;
            core::ptr::write_bytes(&raw mut (*frame).regs, 0, 1);
            (&raw mut (*frame).stack).write((&raw const (*p).stack).cast());
            (&raw mut (*frame).stack_words).write(self.stack_words);
            (&raw mut (*frame).stack_bytes).write(self.stack_bytes);
            self.fill(p.cast::<u8>(), args);
            let trampoline = if self.ret.ty.is_float() {
                self.abi.trampoline_float
            } else {
                self.abi.trampoline
            };
            trampoline(frame, f);
            let image = get((&raw const (*frame).ret).cast::<u8>(), self.ret);
            self.ret.ty.value(self.ret.unfix(image))
        }
    }
}

/// The host's own convention with up to 16 integer or pointer words: what a
/// trampoline would do (load the argument registers, copy the rest to the
/// stack, call) is exactly an `extern "C"` call of that arity, so the
/// compiler emits it.
///
/// # Safety
/// `f` has the host convention, takes `args.len()` words (every `args[i]` an
/// i64, u64 or pointer `Value`) and returns a value of type `ret`.
#[inline(always)]
pub(crate) unsafe fn native_words(f: *const (), args: &[Value], ret: Scalar) -> Value {
    // SAFETY: as in `call_fast`: every argument is an 8-byte value whose
    // payload sits at offset PAYLOAD of `Value`.
    let w = |i: usize| unsafe {
        args.as_ptr()
            .add(i)
            .cast::<u8>()
            .add(PAYLOAD)
            .cast::<u64>()
            .read()
    };
    macro_rules! word {
        ($i:tt) => {
            u64
        };
    }
    macro_rules! call {
        ($($i:tt)*) => {{
            if ret.is_float() {
                // SAFETY: `f` has the prepared signature: integer words in, a float out.
                unsafe { core::mem::transmute::<*const (), extern "C" fn($(word!($i)),*) -> f64>(f)($(w($i)),*) }.to_bits()
            } else {
                // SAFETY: `f` has the prepared signature: integer words in and out.
                unsafe { core::mem::transmute::<*const (), extern "C" fn($(word!($i)),*) -> u64>(f)($(w($i)),*) }
            }
        }};
    }
    let bits = match args.len() {
        0 => call!(),
        1 => call!(0),
        2 => call!(0 1),
        3 => call!(0 1 2),
        4 => call!(0 1 2 3),
        5 => call!(0 1 2 3 4),
        6 => call!(0 1 2 3 4 5),
        7 => call!(0 1 2 3 4 5 6),
        8 => call!(0 1 2 3 4 5 6 7),
        9 => call!(0 1 2 3 4 5 6 7 8),
        10 => call!(0 1 2 3 4 5 6 7 8 9),
        11 => call!(0 1 2 3 4 5 6 7 8 9 10),
        12 => call!(0 1 2 3 4 5 6 7 8 9 10 11),
        13 => call!(0 1 2 3 4 5 6 7 8 9 10 11 12),
        14 => call!(0 1 2 3 4 5 6 7 8 9 10 11 12 13),
        15 => call!(0 1 2 3 4 5 6 7 8 9 10 11 12 13 14),
        _ => call!(0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15),
    };
    ret.value(bits)
}

/// Whether a call of these values can be a plain `extern "C"` call of the
/// host convention (see [`native_words`]).
pub(crate) fn native_words_fit(abi: &Abi, args: &[Value], ret: Type) -> bool {
    cfg!(all(target_pointer_width = "64", target_endian = "little"))
        && core::ptr::eq(abi, Abi::native())
        && args.len() <= 16
        && !matches!(ret, Type::Struct { .. })
        && args
            .iter()
            .all(|v| matches!(v, Value::I64(_) | Value::U64(_) | Value::Ptr(_)))
}
