//! Classifying a signature once, and the hot path of a prepared call.

use core::fmt;
use core::mem::{MaybeUninit, size_of};

use super::aggregate::{self, Aggregates, Class};
use super::callback::StructPlan;
use super::direct_regs::{self, Images, Plain, Ret, Split};
use super::moves::{self, Move, Moves, Op};
use super::native_regs::{self, Caller, Read, RetKind, Sources};

mod struct_args;
use super::value::{PAYLOAD, Scalar};
use super::{
    Abi, VariadicFloats, F32InReg, FLOAT_BASE, FLOAT_REGS, FLOAT_RET_BASE, FLOAT_UNITS, Frame, INT_REGS,
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

/// The unit of a struct argument's slot (the `k`-th struct argument's is
/// `STRUCT_UNITS + k`): past the room for stack arguments, where a callback
/// stores the addresses of its struct arguments. Calls do not use it.
pub(crate) const STRUCT_UNITS: usize = STACK_BASE + STACK_ROOM * 8 / WORD;

const _: () = assert!(STRUCT_UNITS + MAX_AGG_ARGS <= u16::MAX as usize);

/// Bytes of caller copies (structs passed by reference, a struct result
/// nobody asked for) one call may make.
pub(crate) const COPY_BYTES: usize = 1024;

/// The most struct arguments (and duplicated variadic floats) of one signature.
pub const MAX_AGG_ARGS: usize = 8;

/// The most moves a signature's structs and duplicated floats need.
const MAX_PARTS: usize = MAX_AGG_ARGS * aggregate::MAX_PIECES;

// `Prepared::moved_parts` has a bit per part.
const _: () = assert!(MAX_PARTS <= 64);

/// The most units one call's moves write: every argument, struct piece and
/// duplicate, and the units of small structs copied to the stack.
const MAX_MOVES: usize = MAX_ARGS + MAX_PARTS;

/// Units of the largest struct copied to the stack by moves rather than by
/// a copy of its bytes.
const SPLIT_UNITS: usize = 4;

/// What a [`Part`] does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PartKind {
    /// Bytes `off..off + len` of the struct into unit `unit` (and the units after it).
    Bytes,
    /// The whole struct into the copy area at `copy_at`; its address into unit `unit`.
    Ref,
    /// The argument's register image into unit `unit` too (a variadic float
    /// that also goes in an integer register).
    Dup,
}

/// One move of a struct argument (or of a duplicated float) into the frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Part {
    pub(crate) arg: u8,
    pub(crate) kind: PartKind,
    pub(crate) off: u16,
    pub(crate) len: u16,
    pub(crate) unit: u16,
    /// The scalar the bytes hold when one field travels alone (widened and
    /// fixed up as that scalar), `Void` for raw bytes.
    pub(crate) leaf: Scalar,
    pub(crate) fix: Fix,
    pub(crate) copy_at: u16,
}

impl Part {
    const EMPTY: Part = Part {
        arg: 0,
        kind: PartKind::Bytes,
        off: 0,
        len: 0,
        unit: 0,
        leaf: Scalar::Void,
        fix: Fix::None,
        copy_at: 0,
    };

    fn bytes(arg: usize, p: &aggregate::Piece, unit: usize) -> Part {
        Part {
            arg: arg as u8,
            kind: PartKind::Bytes,
            off: p.off as u16,
            len: p.len as u16,
            unit: unit as u16,
            leaf: p.leaf.map_or(Scalar::Void, Scalar::of),
            fix: Fix::None,
            copy_at: 0,
        }
    }
}

/// How a struct result comes back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RetMode {
    /// Not a struct.
    Scalar,
    /// In return registers: `ret_parts` say which bytes are where.
    Regs,
    /// Written where a hidden first argument (this unit) points.
    Hidden(u16),
    /// Written where the frame's `indirect` word points (a register of its own).
    Frame,
}

/// The struct part of a prepared signature.
#[derive(Debug, Clone, Copy)]
pub(crate) struct AggPlan {
    /// The signature has structs or duplicated floats: calls take the general path.
    pub(crate) active: bool,
    pub(crate) parts: [Part; MAX_PARTS],
    pub(crate) n_parts: u8,
    pub(crate) ret_parts: [Part; aggregate::MAX_PIECES],
    pub(crate) n_ret_parts: u8,
    pub(crate) ret_mode: RetMode,
    pub(crate) ret_ty: Type,
    /// `ret_ty`'s size (a struct's size takes a walk over its fields).
    pub(crate) ret_size: u32,
    pub(crate) ret_scratch: u16,
    pub(crate) copy_bytes: u16,
    /// The struct arguments' types, by position.
    pub(crate) types: [(u8, Type); MAX_AGG_ARGS],
    /// Their sizes.
    pub(crate) sizes: [u32; MAX_AGG_ARGS],
    pub(crate) n_types: u8,
    /// Where a callback finds each struct argument and puts a struct result.
    pub(crate) callback: StructPlan,
}

impl AggPlan {
    const EMPTY: AggPlan = AggPlan {
        active: false,
        parts: [Part::EMPTY; MAX_PARTS],
        n_parts: 0,
        ret_parts: [Part::EMPTY; aggregate::MAX_PIECES],
        n_ret_parts: 0,
        ret_mode: RetMode::Scalar,
        ret_ty: Type::Void,
        ret_size: 0,
        ret_scratch: 0,
        copy_bytes: 0,
        types: [(0, Type::Void); MAX_AGG_ARGS],
        sizes: [0; MAX_AGG_ARGS],
        n_types: 0,
        callback: StructPlan::EMPTY,
    };

    fn push(&mut self, p: Part) -> Option<()> {
        *self.parts.get_mut(usize::from(self.n_parts))? = p;
        self.n_parts += 1;
        Some(())
    }

    fn push_ret(&mut self, p: Part) {
        if let Some(slot) = self.ret_parts.get_mut(usize::from(self.n_ret_parts)) {
            *slot = p;
            self.n_ret_parts += 1;
        }
    }

    fn push_arg_type(&mut self, i: usize, ty: Type) -> Option<()> {
        let k = usize::from(self.n_types);
        *self.types.get_mut(k)? = (i as u8, ty);
        self.sizes[k] = ty.size();
        self.n_types += 1;
        Some(())
    }

    /// Room for `size` bytes in the copy area, 16-byte aligned: its offset.
    fn reserve_copy(&mut self, size: u32) -> Option<u16> {
        let at = round_up(usize::from(self.copy_bytes), 16);
        let end = at + size as usize;
        if end > COPY_BYTES {
            return None;
        }
        self.copy_bytes = end as u16;
        Some(at as u16)
    }

    pub(crate) fn parts(&self) -> &[Part] {
        &self.parts[..usize::from(self.n_parts)]
    }

    /// The struct arguments: (position, type).
    pub(crate) fn arg_types(&self) -> &[(u8, Type)] {
        &self.types[..usize::from(self.n_types)]
    }

    pub(crate) fn ret_parts(&self) -> &[Part] {
        &self.ret_parts[..usize::from(self.n_ret_parts)]
    }
}

/// Why a struct cannot be passed.
enum AggWhy {
    /// The convention's ABI file has no `[aggregates]` table.
    NoRules,
    /// An empty struct, an empty array or a `Void` field.
    BadShape,
}

impl AggWhy {
    fn at(self, index: Option<usize>, ty: Type, abi: &'static Abi) -> PrepareError {
        match self {
            AggWhy::NoRules => PrepareError::NoAggregateRules {
                index,
                ty,
                abi: abi.name,
            },
            AggWhy::BadShape => PrepareError::BadStruct { index },
        }
    }
}

/// The struct rules of `abi`, when it has some and `ty` is a struct they can pass.
fn aggregate_rules(abi: &'static Abi, ty: Type) -> Result<&'static Aggregates, AggWhy> {
    if !aggregate::well_formed(ty) {
        return Err(AggWhy::BadShape);
    }
    abi.aggregates.as_ref().ok_or(AggWhy::NoRules)
}

/// `rules`, or (`in_ints`: where the call's variadic rule sends floats to
/// integer registers) the same rules with integer words only: a struct's
/// floats then travel as integers too.
fn int_class(rules: &Aggregates, in_ints: bool) -> Aggregates {
    if in_ints {
        Aggregates {
            float_class: aggregate::FloatClass::Integer,
            ..*rules
        }
    } else {
        *rules
    }
}

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
pub(crate) fn single_to_double(b: u32) -> u64 {
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
    /// A caller reading every register image straight from the values (see
    /// `direct_regs`) whose result is a scalar the convention does not fix
    /// up: after `native_words`, [`Prepared::call`] tests only this.
    pub(crate) plain: Option<Plain>,
    /// Such a caller writing a struct result to [`Prepared::call_into`]'s `out`.
    pub(crate) into: Option<Split>,
    /// Where `plain` or `into` reads its images.
    pub(crate) images: Images,
    pub(crate) len: usize,
    pub(crate) ret: Slot,
    pub(crate) stack_words: usize,
    pub(crate) stack_bytes: usize,
    pub(crate) args: [Slot; MAX_ARGS],
    /// Struct arguments and results, duplicated variadic floats.
    pub(crate) agg: AggPlan,
    /// The host convention with every argument in a register of a
    /// per-class convention: a plain call of the register images the
    /// moves write (see `native_regs`).
    pub(crate) caller: Option<Caller>,
    /// Where the caller reads its images: in the argument values, or (when
    /// `via_images`) in the buffer the moves fill.
    pub(crate) sources: Sources,
    pub(crate) via_images: bool,
    /// `via_images`, or a struct result through a hidden address: where a
    /// call with no place for the result goes through the buffer.
    pub(crate) buffered_without_out: bool,
    /// (offset, length) of the one or two pieces of a struct result the
    /// caller returns in registers (length 0: no second piece).
    pub(crate) ret_pieces: [(u16, u8); 2],
    /// Every register and stack unit a call fills, and from what: scalars,
    /// struct pieces of one unit, duplicated variadic floats.
    pub(crate) moves: Moves<MAX_MOVES>,
    /// Struct arguments or results need the general path's copies
    /// (stack copies, copies by reference, results through memory).
    pub(crate) copies: bool,
    /// Some struct part is a copy no move makes (to the stack, by reference).
    pub(crate) copy_parts: bool,
    /// The parts of `agg` the moves make (bit `k` for part `k`): the general
    /// path skips them. The parts stay, for callbacks.
    pub(crate) moved_parts: u64,
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
    /// A struct by value with a convention whose ABI file gives no rules for structs.
    NoAggregateRules {
        /// The argument's position, `None` for the result.
        index: Option<usize>,
        /// The type.
        ty: Type,
        /// The convention.
        abi: &'static str,
    },
    /// An empty struct, an empty array, a `Void` field, or an array that is
    /// not inside a struct.
    BadStruct {
        /// The argument's position, `None` for the result.
        index: Option<usize>,
    },
    /// A struct larger than one call's room for copies.
    StructTooLarge {
        /// The argument's position, `None` for the result.
        index: Option<usize>,
        /// Its size in bytes.
        size: u32,
        /// The most bytes of copies a call makes.
        max: u32,
    },
    /// More struct arguments than [`MAX_AGG_ARGS`].
    TooManyStructs {
        /// The limit.
        max: usize,
    },
    /// A variadic argument of a type C promotes (`f32` to `f64`, narrow
    /// integers to `i32`): pass the promoted type.
    NotPromoted {
        /// Its position.
        index: usize,
        /// The type.
        ty: Type,
    },
    /// More fixed arguments than arguments.
    FixedCount {
        /// The fixed count given.
        fixed: usize,
        /// The number of arguments.
        count: usize,
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
            PrepareError::NoAggregateRules { index, ty, abi } => {
                match index {
                    Some(i) => write!(f, "argument {i}")?,
                    None => f.write_str("the result")?,
                }
                write!(
                    f,
                    " is a struct by value ({ty}), which dynamic calls with {abi} cannot pass: \
                     targets/abi/{abi}.toml has no `[aggregates]` rules"
                )
            }
            PrepareError::BadStruct { index } => {
                match index {
                    Some(i) => write!(f, "argument {i}")?,
                    None => f.write_str("the result")?,
                }
                f.write_str(
                    " is an empty struct, has an empty array or a void field, or is an array outside a struct",
                )
            }
            PrepareError::StructTooLarge { index, size, max } => {
                match index {
                    Some(i) => write!(f, "argument {i}")?,
                    None => f.write_str("the result")?,
                }
                write!(f, " is a struct of {size} bytes; a call copies at most {max}")
            }
            PrepareError::TooManyStructs { max } => {
                write!(f, "more than {max} struct arguments or variadic floats")
            }
            PrepareError::NotPromoted { index, ty } => write!(
                f,
                "variadic argument {index} has type {ty}, which C promotes: pass f64 or i32/u32"
            ),
            PrepareError::FixedCount { fixed, count } => {
                write!(f, "{fixed} fixed arguments but only {count} arguments")
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

/// Where each argument of `args` goes under `abi`; the arguments from
/// `fixed` on are variadic; `None` for a function that is not variadic.
pub(crate) fn classify(
    abi: &'static Abi,
    args: &[Type],
    ret: Type,
    fixed: Option<usize>,
) -> Result<Prepared, PrepareError> {
    // A convention whose variadic functions use its base standard passes
    // every float of such a call, fixed ones and the result too, in integer
    // registers and on the stack (AAPCS32's VFP variant).
    let all_floats_in_int =
        fixed.is_some() && abi.variadic_floats == VariadicFloats::AllInInt;
    let variadic_call = fixed.is_some();
    let fixed = fixed.unwrap_or(args.len());
    if args.len() > MAX_ARGS {
        return Err(PrepareError::TooManyArguments {
            count: args.len(),
            max: MAX_ARGS,
        });
    }
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
        plain: None,
        into: None,
        images: Images::EMPTY,
        len: args.len(),
        ret: Slot::EMPTY,
        stack_words: 0,
        stack_bytes: 0,
        args: [Slot::EMPTY; MAX_ARGS],
        agg: AggPlan::EMPTY,
        caller: None,
        sources: Sources::EMPTY,
        via_images: false,
        buffered_without_out: false,
        ret_pieces: [(0, 0); 2],
        moves: Moves::EMPTY,
        copies: false,
        copy_parts: false,
        moved_parts: 0,
    };
    // AAPCS32-VFP: f32 values take single halves of the d registers, back-filling.
    let halves = abi.f32_in_float_reg == F32InReg::Halves && FLOAT_UNITS == 2;
    // Where the result goes decides whether a hidden address takes the first argument register.
    let mut shift = 0;
    out.ret = match ret {
        Type::Struct(_) => {
            let rules = aggregate_rules(abi, ret).map_err(|r| r.at(None, ret, abi))?;
            let rules = &int_class(rules, all_floats_in_int);
            out.agg.ret_ty = ret;
            out.agg.ret_size = ret.size();
            out.agg.active = true;
            match aggregate::result_pieces(rules, ret) {
                Some(p) if p.count(Class::Int) <= abi.int_ret.len()
                    && p.count(Class::Float) <= abi.float_ret.len() =>
                {
                    // Float pieces take a return register each, or (single
                    // halves) the next halves in order.
                    let (mut i, mut fl) = (0, 0);
                    for piece in p.as_slice() {
                        let unit = match piece.class {
                            Class::Int => {
                                i += 1;
                                i - 1
                            }
                            Class::Float if halves => {
                                fl += piece.len as usize / WORD;
                                FLOAT_RET_BASE + fl - piece.len as usize / WORD
                            }
                            Class::Float => {
                                fl += 1;
                                FLOAT_RET_BASE + (fl - 1) * FLOAT_UNITS
                            }
                        };
                        let mut part = Part::bytes(0, piece, unit);
                        if let Some(leaf) = piece.leaf {
                            part.fix = fix_for(abi, leaf, piece.class == Class::Float);
                        }
                        out.agg.push_ret(part);
                    }
                    out.agg.ret_mode = RetMode::Regs;
                }
                _ => {
                    if abi.int_args.first() == Some(&abi.indirect_result) {
                        out.agg.ret_mode = RetMode::Hidden(0);
                        shift = 1;
                        next_int = 1;
                    } else if abi.indirect_result == "first_param" {
                        // The address is the first stack argument (i386).
                        out.agg.ret_mode = RetMode::Hidden(STACK_BASE as u16);
                        next_stack = 1;
                    } else {
                        out.agg.ret_mode = RetMode::Frame;
                    }
                }
            }
            out.agg.ret_scratch = out.agg.reserve_copy(ret.size()).ok_or(
                PrepareError::StructTooLarge {
                    index: None,
                    size: ret.size(),
                    max: COPY_BYTES as u32,
                },
            )?;
            Slot::EMPTY
        }
        Type::Array(..) => return Err(PrepareError::BadStruct { index: None }),
        Type::Void => Slot::EMPTY,
        t => {
            let in_float = t.is_float() && !all_floats_in_int;
            Slot {
                word: if in_float { FLOAT_RET_BASE as u16 } else { 0 },
                ty: Scalar::of(t),
                fix: fix_for(abi, t, in_float),
                wide: false,
            }
        }
    };
    let wide_of = |ty: Type| WORD == 4 && matches!(ty, Type::I64 | Type::U64 | Type::F64);
    // An f32 in double format takes 8 bytes (i386 returns it through the frame as a double).
    out.ret.wide = wide_of(ret) || (WORD == 4 && out.ret.fix == Fix::AsDouble);
    let float_unit = |r: usize| FLOAT_BASE + r * FLOAT_UNITS;
    let mut free_halves: u64 = if 2 * n_float >= 64 {
        u64::MAX
    } else {
        (1u64 << (2 * n_float)) - 1
    };
    let mut floats_closed = false;
    // Positions structs take beyond one each (ELFv2 doublewords).
    let mut extra_pos = 0;
    for (i, &ty) in args.iter().enumerate() {
        let pos = i + shift + extra_pos;
        let variadic = i >= fixed;
        if variadic
            && matches!(
                ty,
                Type::F32 | Type::I8 | Type::I16 | Type::U8 | Type::U16
            )
        {
            return Err(PrepareError::NotPromoted { index: i, ty });
        }
        let mut float = match ty {
            Type::Void => return Err(PrepareError::VoidArgument { index: i }),
            Type::Array(..) => return Err(PrepareError::BadStruct { index: Some(i) }),
            Type::Struct(_) => {
                let rules = aggregate_rules(abi, ty).map_err(|r| r.at(Some(i), ty, abi))?;
                let in_ints = all_floats_in_int
                    || (variadic
                        && matches!(
                            abi.variadic_floats,
                            VariadicFloats::InInt | VariadicFloats::AllInInt
                        ));
                let rules = &int_class(rules, in_ints);
                out.agg.active = true;
                out.agg.push_arg_type(i, ty).ok_or(PrepareError::TooManyStructs {
                    max: MAX_AGG_ARGS,
                })?;
                // A callback finds the struct's address in this unit (see
                // `callback::StructArea`); calls take the struct from its parts.
                out.args[i] = Slot {
                    word: (STRUCT_UNITS + usize::from(out.agg.n_types) - 1) as u16,
                    ty: Scalar::Struct,
                    fix: Fix::None,
                    wide: false,
                };
                let taken = struct_args::Taken {
                    next_int: &mut next_int,
                    next_float: &mut next_float,
                    next_stack: &mut next_stack,
                    free_halves: &mut free_halves,
                    floats_closed: &mut floats_closed,
                    extra_pos: &mut extra_pos,
                };
                struct_args::place(abi, rules, &mut out.agg, (i, ty, pos), halves, taken)?;
                continue;
            }
            t => t.is_float(),
        };
        let mut dup = false;
        if all_floats_in_int {
            float = false;
        } else if variadic && float {
            match abi.variadic_floats {
                VariadicFloats::AsFixed => {}
                VariadicFloats::InInt | VariadicFloats::AllInInt => float = false,
                VariadicFloats::AlsoInInt => dup = true,
                VariadicFloats::Unsupported => {
                    return Err(PrepareError::Unsupported {
                        index: Some(i),
                        ty,
                        abi: abi.name,
                        rule: abi.variadic,
                    });
                }
            }
        }
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
            SlotModel::Positional if float => (pos < n_float).then(|| float_unit(pos)),
            SlotModel::Positional => (pos < n_int).then_some(pos),
            SlotModel::GprPositions if float && next_float < n_float => {
                next_float += 1;
                Some(float_unit(next_float - 1))
            }
            SlotModel::GprPositions => (pos < n_int).then_some(pos),
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
                next_stack = pos;
            }
            if wide {
                next_stack = round_up(next_stack, (abi.wide_stack_align / WORD).max(1));
            }
            let at = next_stack;
            next_stack += if wide { 2 } else { 1 };
            STACK_BASE + at
        });
        let in_float_reg = (FLOAT_BASE..REG_UNITS).contains(&word);
        if dup && in_float_reg && pos < n_int {
            out.agg.active = true;
            out.agg
                .push(Part {
                    arg: i as u8,
                    kind: PartKind::Dup,
                    off: 0,
                    len: 8,
                    unit: pos as u16,
                    leaf: Scalar::Void,
                    fix: Fix::None,
                    copy_at: 0,
                })
                .ok_or(PrepareError::TooManyStructs { max: MAX_AGG_ARGS })?;
        }
        out.args[i] = Slot {
            word: word as u16,
            ty: Scalar::of(ty),
            fix: fix_for(abi, ty, in_float_reg),
            wide,
        };
    }
    if variadic_call && abi.slots == SlotModel::GprPositions {
        // A variadic callee stores its parameter registers in the parameter
        // save area, a doubleword per position (ELFv2 2.2.3.3): it must exist.
        next_stack = next_stack.max(n_int);
    }
    out.stack_words = next_stack;
    out.stack_bytes = round_up(
        next_stack * abi.stack_slot + abi.shadow_space + abi.linkage_area,
        abi.stack_align,
    );
    if out.agg.active {
        // Where a callback finds each struct argument and puts a struct result.
        out.agg.callback = StructPlan::of(&out.agg);
    }
    plan_moves(&mut out)?;
    let moves = out.moves;
    // Structs copied to the stack or by reference, results in registers or
    // through memory: the general path, or a per-class caller below.
    let general = out.copies || out.agg.ret_mode != RetMode::Scalar;
    if !general && next_stack == 0 && !abi.tail.is_empty() {
        // The registers to load: up to the highest one used, per class.
        let ints = moves
            .as_slice()
            .iter()
            .map(|m| usize::from(m.dst) + 1 + usize::from(m.wide))
            .filter(|&end| end <= INT_REGS)
            .max()
            .unwrap_or(0);
        let floats = moves
            .as_slice()
            .iter()
            .map(|m| usize::from(m.dst))
            .filter(|w| (FLOAT_BASE..REG_UNITS).contains(w))
            .map(|w| (w - FLOAT_BASE) / FLOAT_UNITS + 1)
            .max()
            .unwrap_or(0);
        out.tail = abi.tail.get(ints * (n_float + 1) + floats).copied();
        for w in (0..ints).chain(FLOAT_BASE..FLOAT_BASE + floats * FLOAT_UNITS) {
            if !moves.fills(w) {
                out.gaps[usize::from(out.n_gaps)] = w as u16;
                out.n_gaps += 1;
            }
        }
    }
    // The in-order and whole-word paths write arguments only: no duplicates.
    out.in_order = !out.agg.active
        && out.args[..out.len]
            .iter()
            .enumerate()
            .all(|(i, s)| WORD == 8 && usize::from(s.word) == i && s.fix == Fix::None);
    out.fast = out.tail.filter(|_| out.in_order && out.n_gaps == 0);
    out.whole_words = out.fast.is_some()
        && cfg!(all(target_pointer_width = "64", target_endian = "little"))
        && out.args[..out.len]
            .iter()
            .all(|s| matches!(s.ty, Scalar::I64 | Scalar::U64 | Scalar::Ptr | Scalar::F64));
    out.native_words = !out.agg.active
        && cfg!(all(target_pointer_width = "64", target_endian = "little"))
        && core::ptr::eq(abi, Abi::native())
        && out.len <= 16
        && out.args[..out.len]
            .iter()
            .all(|s| matches!(s.ty, Scalar::I64 | Scalar::U64 | Scalar::Ptr));
    // A variadic callee may read what a plain call does not set (sysv's
    // vector-register count): a variadic call gets a variadic caller.
    if !out.native_words
        && !all_floats_in_int
        && WORD == 8
        && !out.copies_besides_hidden()
        && abi.slots == SlotModel::PerClass
        && !halves
        && core::ptr::eq(abi, Abi::native())
    {
        choose_caller(&mut out, fixed != args.len());
        if !variadic_call {
            choose_direct(&mut out);
        }
    }
    out.buffered_without_out =
        out.via_images || matches!(out.agg.ret_mode, RetMode::Hidden(_));
    Ok(out)
}

/// The moves of `out`'s arguments: every scalar into its slot, every
/// struct piece of one unit, every small struct copied to the stack and
/// every duplicated float into its unit. The parts that stay copies (larger
/// stack copies, copies by reference) set `out.copies`; the others are
/// marked in `out.moved_parts`.
fn plan_moves(out: &mut Prepared) -> Result<(), PrepareError> {
    let full = PrepareError::TooManyStructs { max: MAX_AGG_ARGS };
    for (i, s) in out.args[..out.len].iter().enumerate() {
        if let Some(op) = moves::op_of(s.ty, s.fix) {
            out.moves
                .push(Move {
                    src: i as u8,
                    op,
                    deref: false,
                    len: 0,
                    off: 0,
                    dst: s.word,
                    wide: s.wide,
                })
                .ok_or(full)?;
        }
    }
    let mut kept = 0;
    for k in 0..usize::from(out.agg.n_parts) {
        let part = out.agg.parts[k];
        let m = match part.kind {
            PartKind::Dup => {
                let s = out.args[usize::from(part.arg)];
                moves::op_of(s.ty, s.fix).map(|op| Move {
                    src: part.arg,
                    op,
                    deref: false,
                    len: 0,
                    off: 0,
                    dst: part.unit,
                    // The duplicate fills the integer unit with the float's whole image.
                    wide: WORD == 4,
                })
            }
            PartKind::Bytes if usize::from(part.len) <= WORD => Some(Move {
                src: part.arg,
                op: if part.leaf == Scalar::Void {
                    Op::Bytes
                } else {
                    moves::op_of(part.leaf, part.fix).unwrap_or(Op::Bytes)
                },
                deref: true,
                len: part.len as u8,
                off: part.off,
                dst: part.unit,
                wide: false,
            }),
            _ => None,
        };
        // A small struct copied to the stack: a move per unit (the last one
        // zero-padded), when the list has room.
        let units = usize::from(part.len).div_ceil(WORD);
        let split = part.kind == PartKind::Bytes
            && part.leaf == Scalar::Void
            && WORD == 8
            && m.is_none()
            && units <= SPLIT_UNITS
            && usize::from(out.moves.len) + units <= MAX_MOVES;
        match m {
            Some(m) => out.moves.push(m).ok_or(full)?,
            None if split => {
                for c in 0..units {
                    let len = (usize::from(part.len) - c * WORD).min(WORD);
                    out.moves
                        .push(Move {
                            src: part.arg,
                            op: Op::Bytes,
                            deref: true,
                            len: len as u8,
                            off: part.off + (c * WORD) as u16,
                            dst: part.unit + c as u16,
                            wide: false,
                        })
                        .ok_or(full)?;
                }
            }
            None => {
                kept += 1;
                continue;
            }
        }
        out.moved_parts |= 1 << k;
    }
    out.copy_parts = kept != 0;
    out.copies = kept != 0 || matches!(out.agg.ret_mode, RetMode::Hidden(_) | RetMode::Frame);
    out.moves.seal();
    Ok(())
}

/// The caller image (see `native_regs::Sources`) of unit `w`, if a caller reads it.
fn image_of(w: usize) -> Option<usize> {
    let per = native_regs::MAX_PER_CLASS;
    if w < INT_REGS {
        Some(w).filter(|&i| i < per)
    } else if (FLOAT_BASE..REG_UNITS).contains(&w) {
        Some((w - FLOAT_BASE) / FLOAT_UNITS).filter(|&k| k < per).map(|k| per + k)
    } else if w >= STACK_BASE {
        Some(w - STACK_BASE).filter(|&k| k < native_regs::MAX_STACKED).map(|k| 2 * per + k)
    } else {
        None
    }
}

/// The per-class caller of `out` (see `native_regs`; a C-variadic one for
/// a `variadic` call), when its result comes back in registers a caller can
/// return (or through a hidden address it passes) and its stack words, if
/// any, fit a stacked caller;
/// and where it reads its images: straight from the values when every move
/// is a plain read into a unit of its own, else from the moves' buffer (the
/// units no move writes then become `out`'s gaps, zeroed before the call).
fn choose_caller(out: &mut Prepared, variadic: bool) {
    let (mut ni, mut nf, mut ns) = (0, 0, 0);
    for m in out.moves.as_slice() {
        let w = usize::from(m.dst);
        if w < INT_REGS {
            ni = ni.max(w + 1);
        } else if (FLOAT_BASE..REG_UNITS).contains(&w) {
            nf = nf.max((w - FLOAT_BASE) / FLOAT_UNITS + 1);
        } else if w >= STACK_BASE {
            ns = ns.max(w - STACK_BASE + 1);
        }
    }
    if let RetMode::Hidden(u) = out.agg.ret_mode {
        ni = ni.max(usize::from(u) + 1);
    }
    let class = |p: &Part| {
        if usize::from(p.unit) < FLOAT_RET_BASE {
            Class::Int
        } else {
            Class::Float
        }
    };
    // A caller's struct result is copied out as raw bytes: pieces whose
    // image a convention fixes up (NaN-boxed, double format) take the
    // general path, which undoes that.
    if out.agg.ret_parts().iter().any(|p| p.fix != Fix::None) {
        return;
    }
    let ret = match (out.agg.ret_mode, out.agg.ret_parts()) {
        (RetMode::Scalar, _) if out.ret.ty.is_float() => RetKind::Float,
        (RetMode::Scalar | RetMode::Hidden(_), _) => RetKind::Int,
        (RetMode::Regs, [p]) if class(p) == Class::Int => RetKind::Int,
        (RetMode::Regs, [_]) => RetKind::Float,
        (RetMode::Regs, [a, b]) => RetKind::Pair(class(a), class(b)),
        _ => return,
    };
    if ni > native_regs::MAX_PER_CLASS || nf > native_regs::MAX_PER_CLASS {
        return;
    }
    let stacked = ns != 0;
    let caller = if variadic {
        (!stacked && out.agg.ret_mode == RetMode::Scalar)
            .then(|| native_regs::variadic(out.abi, ni, nf, ret))
            .flatten()
    } else if !stacked {
        native_regs::caller(out.abi, ni, nf, ret)
    } else if ns <= native_regs::MAX_STACKED {
        native_regs::stacked(out.abi, ni, ns, ret)
    } else {
        None
    };
    let Some(caller) = caller else {
        return;
    };
    let per = native_regs::MAX_PER_CLASS;
    // The units the caller reads; a stacked caller passes every float register.
    let floats = if stacked { native_regs::STACKED_FLOATS } else { nf };
    let reads = (0..ni)
        .chain((0..floats).map(|k| FLOAT_BASE + k * FLOAT_UNITS))
        .chain(STACK_BASE..STACK_BASE + ns);
    // Straight from the values: one plain read per image (8 raw bytes
    // for a float register or stack word), nothing to write but float
    // registers a stacked caller passes empty.
    let mut direct = Sources::EMPTY;
    let mut seen = 0u32;
    let mut ok = true;
    if let RetMode::Hidden(u) = out.agg.ret_mode
        && let Some(i) = image_of(usize::from(u))
    {
        seen |= 1 << i;
        direct.read[i] = Read::Out;
    }
    // An f32's 8 raw bytes are its image where the bits above it are ignored.
    let f32_raw = out.abi.f32_in_float_reg == F32InReg::LowBits;
    for m in out.moves.as_slice() {
        let read = match (m.op, m.deref) {
            (Op::Word, false) => Some(Read::Word),
            (Op::Zext32, false) => Some(Read::Zext32),
            (Op::Sext32, false) => Some(Read::Sext32),
            (Op::Word, true) => Some(Read::DerefWord),
            (Op::Zext32, true) => Some(Read::DerefZext32),
            _ => None,
        };
        let f32_value = out.args[usize::from(m.src)].ty == Scalar::F32;
        match (image_of(usize::from(m.dst)), read) {
            (Some(i), Some(read)) if seen & (1 << i) == 0 => {
                seen |= 1 << i;
                direct.at[i] = (usize::from(m.src) * size_of::<Value>() + PAYLOAD) as u16;
                direct.off[i] = m.off;
                direct.read[i] = read;
                let stack = i >= 2 * per;
                // Struct pieces through their pointer where the caller can
                // (a struct result, stack words), else into the buffer.
                let deref = matches!(read, Read::DerefWord | Read::DerefZext32)
                    && (stacked || matches!(ret, RetKind::Pair(..)));
                if i >= per && deref {
                    direct.deref = true;
                }
                let raw = read == Read::Word
                    || deref
                    || (read == Read::Zext32
                        && f32_value
                        && f32_raw
                        && (!stack || cfg!(target_endian = "little")));
                if i >= per && !raw {
                    ok = false;
                }
            }
            _ => ok = false,
        }
    }
    let mut buffered = Sources::EMPTY;
    let mut gaps = [0; GAPS];
    let mut n_gaps = 0;
    for w in reads {
        let Some(i) = image_of(w) else {
            return;
        };
        buffered.at[i] = (w * WORD) as u16;
        let hidden = out.agg.ret_mode == RetMode::Hidden(w as u16);
        if out.moves.fills(w) || hidden {
            continue;
        }
        if stacked && (per..2 * per).contains(&i) && out.len != 0 {
            // Not the callee's argument: any 8 readable bytes (the first
            // value's payload; in the buffer, its own unwritten unit, read
            // raw as the callee ignores it).
            direct.at[i] = PAYLOAD as u16;
            continue;
        }
        ok = false;
        let Some(g) = gaps.get_mut(n_gaps) else {
            return;
        };
        *g = w as u16;
        n_gaps += 1;
    }
    for (slot, p) in out.ret_pieces.iter_mut().zip(out.agg.ret_parts()) {
        *slot = (p.off, p.len.min(8) as u8);
    }
    if ok {
        out.sources = direct;
    } else {
        out.sources = buffered;
        out.via_images = true;
        out.gaps = gaps;
        out.n_gaps = n_gaps as u8;
    }
    out.caller = Some(caller);
}

/// The direct caller of `out` (see `direct_regs`), when every register
/// image is 8 bytes read from a value or through a struct's pointer that
/// the convention takes as they are, nothing goes on the stack, and the
/// result is a scalar with no fix-up or a struct whose pieces a direct
/// caller writes (the first 8 bytes, then up to 8 from offset 8 on).
fn choose_direct(out: &mut Prepared) {
    let abi = out.abi;
    let per = native_regs::MAX_PER_CLASS;
    let le = cfg!(target_endian = "little");
    if WORD != 8 || out.stack_words != 0 || out.copies {
        return;
    }
    let class = |p: &Part| {
        if usize::from(p.unit) < FLOAT_RET_BASE {
            Class::Int
        } else {
            Class::Float
        }
    };
    let ret = match (out.agg.ret_mode, out.agg.ret_parts()) {
        (RetMode::Scalar, _) if out.ret.fix != Fix::None => return,
        (RetMode::Scalar, _) if out.ret.ty.is_float() => Ret::Float,
        (RetMode::Scalar, _) => Ret::Int,
        (RetMode::Regs, ps) if ps.iter().any(|p| p.fix != Fix::None) => return,
        (RetMode::Regs, [p]) if (p.off, p.len) == (0, 8) => Ret::One(class(p)),
        (RetMode::Regs, [p, q])
            if (p.off, p.len) == (0, 8)
                && q.off >= 8
                && (1..=8).contains(&q.len)
                && (q.len == 8 || le) =>
        {
            Ret::Pair(class(p), class(q))
        }
        _ => return,
    };
    let mut images = Images::EMPTY;
    if let [_, q] = out.agg.ret_parts() {
        images.last_at = q.off + q.len - 8;
        images.last_shl = (8 * (8 - q.len)) as u8;
    }
    let (mut ni, mut nf, mut filled) = (0, 0, 0u32);
    for m in out.moves.as_slice() {
        let w = usize::from(m.dst);
        let (i, float) = if w < INT_REGS && w < per {
            (w, false)
        } else if (FLOAT_BASE..REG_UNITS).contains(&w) && (w - FLOAT_BASE) / FLOAT_UNITS < per {
            (per + (w - FLOAT_BASE) / FLOAT_UNITS, true)
        } else {
            return;
        };
        if m.wide || filled & (1 << i) != 0 {
            return;
        }
        filled |= 1 << i;
        if float {
            nf = nf.max(i - per + 1);
        } else {
            ni = ni.max(i + 1);
        }
        images.at[i] = (usize::from(m.src) * size_of::<Value>() + PAYLOAD) as u16;
        // A 4-byte image whose register's upper bits the convention ignores.
        let low32 = if float {
            abi.f32_in_float_reg == F32InReg::LowBits
        } else {
            abi.int32_upper_ignored
        };
        if !m.deref {
            let ty = out.args[usize::from(m.src)].ty;
            let whole = match m.op {
                Op::Word => true,
                Op::Sext32 | Op::Zext32 => {
                    let four = if float {
                        ty == Scalar::F32
                    } else {
                        matches!(ty, Scalar::I32 | Scalar::U32)
                    };
                    four && low32 && le
                }
                _ => false,
            };
            if !whole {
                return;
            }
            continue;
        }
        // A struct piece: the 8 bytes ending where it ends (its image
        // zero-extended, as the moves make it), or, where the register's
        // bits above a 4-byte piece are ignored and the struct goes on, the
        // 8 bytes from its start.
        let len: u32 = match m.op {
            Op::Word => 8,
            Op::Zext32 => 4,
            Op::Zext16 => 2,
            Op::Zext8 => 1,
            Op::Bytes => u32::from(m.len),
            Op::Sext32 if !float && abi.int32_upper_ignored => 4,
            _ => return,
        };
        let Some(&(_, ty)) = out.agg.arg_types().iter().find(|(k, _)| *k == m.src) else {
            return;
        };
        let (off, size) = (u32::from(m.off), ty.size());
        let (start, shift) = if len == 8 {
            (off, 0)
        } else if !le || size < 8 {
            return;
        } else if off + len >= 8 {
            (off + len - 8, 8 * (8 - len))
        } else if len == 4 && low32 && off + 8 <= size {
            (off, 0)
        } else {
            return;
        };
        if !direct_regs::window_is_data(ty, start) {
            return;
        }
        images.deref[i] = true;
        images.off[i] = start as u16;
        images.shift[i] = shift as u8;
    }
    // Every register up to the last one of each class is an argument's.
    if filled != ((1 << ni) - 1) | (((1 << nf) - 1) << per) {
        return;
    }
    if matches!(ret, Ret::Int | Ret::Float) {
        out.plain = direct_regs::scalar(ni, nf, ret, &images);
    } else {
        out.into = direct_regs::split(abi, ni, nf, ret, &images);
    }
    if out.plain.is_some() || out.into.is_some() {
        out.images = images;
    }
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
pub(crate) const STACK_ROOM: usize = if WORD == 8 {
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
    /// Struct copies the per-class callers cannot make: stack or reference
    /// copies left as parts, a result through the frame's indirect register.
    fn copies_besides_hidden(&self) -> bool {
        self.copy_parts || self.agg.ret_mode == RetMode::Frame
    }

    /// The convention.
    pub fn abi(&self) -> &'static Abi {
        self.abi
    }

    /// The argument types.
    pub fn arg_types(&self) -> impl ExactSizeIterator<Item = Type> + '_ {
        self.args().enumerate().map(|(i, s)| {
            if s.ty == Scalar::Struct {
                let types = &self.agg.types[..usize::from(self.agg.n_types)];
                types
                    .iter()
                    .find(|(k, _)| usize::from(*k) == i)
                    .map_or(Type::Void, |(_, t)| *t)
            } else {
                s.ty.ty()
            }
        })
    }

    /// The result type.
    pub fn ret_type(&self) -> Type {
        if self.agg.ret_mode == RetMode::Scalar {
            self.ret.ty.ty()
        } else {
            self.agg.ret_ty
        }
    }

    /// Whether calls take the general path for structs (or duplicated
    /// variadic floats, which callbacks refuse).
    pub fn has_aggregates(&self) -> bool {
        self.agg.active
    }

    /// Whether the result is a struct that comes back in return registers
    /// (not through an address the caller passes).
    pub fn struct_result_in_registers(&self) -> bool {
        self.agg.ret_mode == RetMode::Regs
    }

    /// Whether the result is a struct written where an address the caller
    /// passes points.
    pub(crate) fn struct_result_in_memory(&self) -> bool {
        matches!(self.agg.ret_mode, RetMode::Hidden(_) | RetMode::Frame)
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

    /// Where argument `i` sits: `Some(register name)`, or `None` for the
    /// stack or a struct (whose pieces may take several registers).
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
        if let Some(plain) = self.plain {
            let a = args.as_ptr().cast::<u8>();
            // SAFETY: the caller's contract; `plain` and its images (offsets
            // into `args`) were chosen at prepare time; the result is a
            // scalar the convention does not fix up.
            let bits = unsafe {
                match plain {
                    Plain::Int(direct) => direct(&self.images, f, a),
                    Plain::Float(direct) => direct(&self.images, f, a).to_bits(),
                }
            };
            return self.ret.ty.value(bits);
        }
        if let Some(caller) = self.caller {
            if !self.via_images && self.agg.ret_mode == RetMode::Scalar {
                // SAFETY: the caller's contract; `caller` and its sources
                // (offsets into `args`) were chosen at prepare time.
                let r = unsafe {
                    caller(&self.sources, f, args.as_ptr().cast::<u8>(), core::ptr::null_mut())
                };
                return self.ret.ty.value(self.ret.unfix(r.0));
            }
            // SAFETY: as above.
            return unsafe { self.call_regs(caller, f, args, core::ptr::null_mut()) };
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

    /// Register images in a local frame, then the plain call of them; a
    /// struct result is written to `out` (dropped when it is null). Out of
    /// line: inlined into [`Prepared::call`], the filling made every
    /// prepared call, the integer-word ones included, 2.5 times slower
    /// (2 x i64: 7.6 ns against 3.0 ns).
    #[inline(never)]
    unsafe fn call_regs(&self, caller: Caller, f: *const (), args: &[Value], out: *mut u8) -> Value {
        // One test either way: a result through a hidden address with no
        // place for it takes the buffered path, which makes room.
        let buffered = if out.is_null() {
            self.buffered_without_out
        } else {
            self.via_images
        };
        if buffered {
            // SAFETY: the caller's contract.
            return unsafe { self.call_buffered(caller, f, args, out) };
        }
        // SAFETY: the caller's contract; the sources are offsets into `args`.
        let r = unsafe { caller(&self.sources, f, args.as_ptr().cast::<u8>(), out) };
        // SAFETY: the caller's contract.
        unsafe { self.finish_regs(r, out) }
    }

    /// [`Prepared::call_regs`] through a buffer of register images the
    /// moves fill, or without a place for a struct result returned in memory.
    #[inline(never)]
    unsafe fn call_buffered(&self, caller: Caller, f: *const (), args: &[Value], out: *mut u8) -> Value {
        if matches!(self.agg.ret_mode, RetMode::Hidden(_)) && out.is_null() {
            // Nowhere to write the result: the general path has scratch room.
            // SAFETY: the caller's contract.
            return unsafe { self.call_aggregate(f, args, out) };
        }
        if !self.via_images {
            // SAFETY: the caller's contract; the sources are offsets into `args`.
            let r = unsafe { caller(&self.sources, f, args.as_ptr().cast::<u8>(), out) };
            // SAFETY: the caller's contract.
            return unsafe { self.finish_regs(r, out) };
        }
        let mut buf = MaybeUninit::<[u64; STACK_BASE + native_regs::MAX_STACKED]>::uninit();
        let base = buf.as_mut_ptr().cast::<u8>();
        // SAFETY: the moves write the frame's register units and the first
        // stack units, inside `buf` (the caller was chosen so); with the
        // gaps and the hidden result address, every unit the caller reads.
        let r = unsafe {
            if let RetMode::Hidden(unit) = self.agg.ret_mode {
                base.add(usize::from(unit) * WORD).cast::<usize>().write(out as usize);
            }
            if self.n_gaps != 0 {
                self.zero_gaps(base);
            }
            self.moves.run(base, args);
            caller(&self.sources, f, base, out)
        };
        // SAFETY: the caller's contract.
        unsafe { self.finish_regs(r, out) }
    }

    /// The result of a per-class caller's call: a scalar, or a struct
    /// result's pieces written to `out` (dropped when it is null).
    ///
    /// # Safety
    ///
    /// `out` is null or valid for writes of the result's size.
    #[inline(always)]
    unsafe fn finish_regs(&self, r: (u64, u64), out: *mut u8) -> Value {
        match self.agg.ret_mode {
            RetMode::Scalar => self.ret.ty.value(self.ret.unfix(r.0)),
            RetMode::Regs if !out.is_null() => {
                // The result's pieces, in order, are the caller's result images.
                let [p0, p1] = self.ret_pieces;
                // SAFETY: `out` has room for the result (the caller's
                // contract); a piece lies inside it.
                unsafe {
                    store_piece(out, p0, r.0);
                    if p1.1 != 0 {
                        store_piece(out, p1, r.1);
                    }
                }
                Value::Void
            }
            _ => Value::Void,
        }
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
        if self.copies || self.agg.ret_mode != RetMode::Scalar {
            // SAFETY: the caller's contract; a struct result is dropped.
            return unsafe { self.call_aggregate(f, args, core::ptr::null_mut()) };
        }
        match self.tail {
            // SAFETY: the caller's contract.
            Some(tail) => unsafe { self.call_tail(tail, f, args) },
            // SAFETY: the caller's contract.
            None => unsafe { self.call_full(f, args) },
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
            self.moves.run(bytes, args);
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
            self.moves.run(p.cast::<u8>(), args);
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

/// Writes the first `len` bytes of a register image at `out + off`: byte by
/// byte but for whole words and halves (a call of `memcpy` would cost more
/// than the copy).
///
/// # Safety
///
/// `out + off` is valid for writes of `len` (at most 8) bytes.
#[inline(always)]
unsafe fn store_piece(out: *mut u8, (off, len): (u16, u8), image: u64) {
    let bytes = image.to_ne_bytes();
    // SAFETY: the caller's contract.
    unsafe {
        let at = out.add(usize::from(off));
        match len {
            8 => at.cast::<u64>().write_unaligned(image),
            4 => at
                .cast::<[u8; 4]>()
                .write_unaligned([bytes[0], bytes[1], bytes[2], bytes[3]]),
            _ => {
                for (i, b) in bytes.iter().enumerate().take(usize::from(len)) {
                    at.add(i).write(*b);
                }
            }
        }
    }
}

/// A frame, room for every stack argument, and the copies of a call with structs.
#[repr(C)]
struct AggBuf {
    frame: Frame,
    stack: [MaybeUninit<u64>; STACK_ROOM],
    copies: [MaybeUninit<u128>; COPY_BYTES / 16],
}

/// The [`Value::bits`] of the scalar `leaf` stored at `p`.
///
/// # Safety
///
/// `p` must be valid for reads of the scalar's size.
unsafe fn read_leaf(p: *const u8, leaf: Scalar) -> u64 {
    // SAFETY: the caller's contract; reads are unaligned-tolerant.
    let raw = unsafe {
        match leaf.ty().size() {
            1 => u64::from(p.read()),
            2 => u64::from(p.cast::<u16>().read_unaligned()),
            4 => u64::from(p.cast::<u32>().read_unaligned()),
            _ => p.cast::<u64>().read_unaligned(),
        }
    };
    leaf.value_by_match(raw).bits()
}

/// Writes the low `len` bytes of `bits` (a scalar's value) to `p`, in memory order.
///
/// # Safety
///
/// `p` must be valid for writes of `len` bytes.
unsafe fn write_leaf(p: *mut u8, len: usize, bits: u64) {
    // SAFETY: the caller's contract; writes are unaligned-tolerant.
    unsafe {
        match len {
            1 => p.write(bits as u8),
            2 => p.cast::<u16>().write_unaligned(bits as u16),
            4 => p.cast::<u32>().write_unaligned(bits as u32),
            _ => p.cast::<u64>().write_unaligned(bits),
        }
    }
}

impl Part {
    /// The unit image of a scalar field that travels alone.
    fn leaf_slot(&self) -> Slot {
        Slot {
            word: 0,
            ty: self.leaf,
            fix: self.fix,
            wide: WORD == 4 && self.leaf.ty().size() == 8,
        }
    }

    /// Moves the part's bytes of the struct at `src` into the unit(s) at `at`.
    ///
    /// # Safety
    ///
    /// `src` must be valid for reads of the struct, `at` for writes of the
    /// part's units.
    pub(crate) unsafe fn scatter(&self, src: *const u8, at: *mut u8) {
        // SAFETY: the caller's contract.
        unsafe {
            let src = src.add(usize::from(self.off));
            if self.leaf != Scalar::Void {
                let unit = self.leaf_slot();
                put(at, unit, unit.fix(read_leaf(src, self.leaf)));
            } else {
                let len = usize::from(self.len);
                zero_units(at, len.div_ceil(WORD));
                copy_small(src, at, len);
            }
        }
    }

    /// The reverse of [`Part::scatter`]: the part's bytes from the unit(s) at
    /// `at` into the struct at `dst`.
    ///
    /// # Safety
    ///
    /// `at` must be valid for reads of the part's units, `dst` for writes of the struct.
    pub(crate) unsafe fn gather(&self, at: *const u8, dst: *mut u8) {
        // SAFETY: the caller's contract.
        unsafe {
            let dst = dst.add(usize::from(self.off));
            if self.leaf != Scalar::Void {
                let unit = self.leaf_slot();
                write_leaf(dst, usize::from(self.len), unit.unfix(get(at, unit)));
            } else {
                copy_small(at, dst, usize::from(self.len));
            }
        }
    }
}

/// Zeroes `units` units at `at`: a store or two for a piece (a call of
/// `memset`, which a loop of stores becomes, costs more).
///
/// # Safety
///
/// `at` must be WORD-aligned and valid for writes of `units` units.
#[inline(always)]
pub(crate) unsafe fn zero_units(at: *mut u8, units: usize) {
    let w = at.cast::<usize>();
    // SAFETY: the caller's contract.
    unsafe {
        match units {
            0 => {}
            1 => w.write(0),
            2 => {
                w.write(0);
                w.add(1).write(0);
            }
            n => core::ptr::write_bytes(w, 0, n),
        }
    }
}

/// Copies `len` bytes: a piece of a register (one load and one store for
/// the usual sizes), or a whole struct.
///
/// # Safety
///
/// As for [`core::ptr::copy_nonoverlapping`].
#[inline(always)]
unsafe fn copy_small(src: *const u8, dst: *mut u8, len: usize) {
    // SAFETY: the caller's contract; the accesses are unaligned-tolerant.
    unsafe {
        match len {
            // As `MaybeUninit`: a struct's padding may be uninitialised.
            8 => dst
                .cast::<MaybeUninit<u64>>()
                .write_unaligned(src.cast::<MaybeUninit<u64>>().read_unaligned()),
            4 => dst
                .cast::<MaybeUninit<u32>>()
                .write_unaligned(src.cast::<MaybeUninit<u32>>().read_unaligned()),
            _ => core::ptr::copy_nonoverlapping(src, dst, len),
        }
    }
}

impl Prepared {
    /// The general path of a signature with structs (or duplicated variadic
    /// floats): scalars as [`Prepared::call_full`] places them, then each
    /// struct's pieces; a struct result is written to `out` (or to scratch
    /// room when `out` is null).
    #[inline(never)]
    unsafe fn call_aggregate(&self, f: *const (), args: &[Value], out: *mut u8) -> Value {
        let mut buf = MaybeUninit::<AggBuf>::uninit();
        let p = buf.as_mut_ptr();
        let agg = &self.agg;
        // SAFETY: every write is inside `buf`: register and stack units by
        // construction of the slots and parts (prepare checked the stack
        // room), copies inside the copy area (prepare reserved them); struct
        // values point to the prepared struct's bytes (the caller's contract).
        unsafe {
            let frame = &raw mut (*p).frame;
            let base = p.cast::<u8>();
            let copies = (&raw mut (*p).copies).cast::<u8>();
            core::ptr::write_bytes(&raw mut (*frame).regs, 0, 1);
            (&raw mut (*frame).stack).write((&raw const (*p).stack).cast());
            (&raw mut (*frame).stack_words).write(self.stack_words);
            (&raw mut (*frame).stack_bytes).write(self.stack_bytes);
            self.moves.run(base, args);
            for (k, part) in agg.parts().iter().enumerate() {
                if self.moved_parts >> k & 1 != 0 {
                    continue;
                }
                let v = &args[usize::from(part.arg)];
                let src = v.bits() as usize as *const u8;
                let at = base.add(usize::from(part.unit) * WORD);
                match part.kind {
                    PartKind::Bytes => part.scatter(src, at),
                    PartKind::Ref => {
                        let copy = copies.add(usize::from(part.copy_at));
                        core::ptr::copy_nonoverlapping(src, copy, usize::from(part.len));
                        at.cast::<usize>().write(copy as usize);
                    }
                    PartKind::Dup => {
                        let s = self.args[usize::from(part.arg)];
                        at.cast::<u64>().write(s.fix(v.bits()));
                    }
                }
            }
            let dest = if out.is_null() {
                copies.add(usize::from(agg.ret_scratch))
            } else {
                out
            };
            let mut indirect = core::ptr::null_mut();
            match agg.ret_mode {
                RetMode::Hidden(unit) => base
                    .add(usize::from(unit) * WORD)
                    .cast::<usize>()
                    .write(dest as usize),
                RetMode::Frame => indirect = dest,
                RetMode::Scalar | RetMode::Regs => {}
            }
            (&raw mut (*frame).indirect).write(indirect);
            // A float result where the convention returns floats on the x87
            // stack needs the trampoline that pops it (as in `call_full`).
            let trampoline = if agg.ret_mode == RetMode::Scalar && self.ret.ty.is_float() {
                self.abi.trampoline_float
            } else {
                self.abi.trampoline
            };
            trampoline(frame, f);
            let ret = (&raw const (*frame).ret).cast::<u8>();
            match agg.ret_mode {
                RetMode::Scalar => {
                    let image = get(ret, self.ret);
                    self.ret.ty.value(self.ret.unfix(image))
                }
                RetMode::Regs => {
                    for part in agg.ret_parts() {
                        part.gather(ret.add(usize::from(part.unit) * WORD), dest);
                    }
                    Value::Void
                }
                RetMode::Hidden(_) | RetMode::Frame => Value::Void,
            }
        }
    }

    /// Calls `f` with `args` and writes a struct result to `out`; returns a
    /// scalar result as [`Prepared::call`] does (`Void` for a struct).
    ///
    /// # Safety
    ///
    /// As for [`Prepared::call`]; each [`Value::Struct`] must point to a
    /// struct of the prepared type, and `out` must be valid for writes of the
    /// result's size (or null, to drop a struct result).
    #[inline]
    pub unsafe fn call_into(&self, f: *const (), args: &[Value], out: *mut u8) -> Value {
        assert!(
            args.len() == self.len,
            "prepared for {} arguments, called with {}",
            self.len,
            args.len()
        );
        if let Some(split) = self.into {
            if out.is_null() {
                // Nowhere to write the result: a path that drops it.
                // SAFETY: the caller's contract.
                return unsafe { self.call_into_other(f, args, out) };
            }
            // SAFETY: the caller's contract (`out` has room for the
            // result); `into` and its images were chosen at prepare time
            // for this result's pieces.
            unsafe {
                let pieces = split(&self.images, f, args.as_ptr().cast::<u8>());
                self.images.store(out, pieces);
            }
            // The tag written with its padding: a copy is two word moves.
            return Scalar::Void.value(0);
        }
        if let Some(caller) = self.caller {
            // SAFETY: the caller's contract; `caller` was chosen at prepare time.
            unsafe { self.call_regs(caller, f, args, out) }
        } else {
            // SAFETY: the caller's contract.
            unsafe { self.call_into_other(f, args, out) }
        }
    }

    /// [`Prepared::call_into`] without a direct caller (or with one and no
    /// place for the result).
    #[inline(never)]
    unsafe fn call_into_other(&self, f: *const (), args: &[Value], out: *mut u8) -> Value {
        if let Some(caller) = self.caller {
            // SAFETY: the caller's contract; `caller` was chosen at prepare time.
            return unsafe { self.call_regs(caller, f, args, out) };
        }
        if self.agg.active {
            // SAFETY: the caller's contract.
            unsafe { self.call_aggregate(f, args, out) }
        } else {
            // SAFETY: the caller's contract.
            unsafe { self.call(f, args) }
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
        && !ret.is_aggregate()
        && args
            .iter()
            .all(|v| matches!(v, Value::I64(_) | Value::U64(_) | Value::Ptr(_)))
}

#[cfg(test)]
mod tests {
    use super::*;

    extern "C" fn mixed(a: f64, b: i64, c: f64, d: i32) -> f64 {
        a * b as f64 + c - f64::from(d)
    }

    #[allow(clippy::too_many_arguments)]
    extern "C" fn floats10(
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

    /// Whether the host's own convention lets a per-class caller pass its
    /// register images (what `classify` checks, from the ABI data).
    fn per_class_host() -> bool {
        let abi = Abi::native();
        WORD == 8 && abi.slots == SlotModel::PerClass && abi.f32_in_float_reg != F32InReg::Halves
    }

    /// The fast paths are chosen from the ABI data: on a host whose own
    /// convention counts register classes apart, a mixed signature is a
    /// plain call of a per-class caller reading the values in place, and so
    /// are ten f32 values (those past the float registers on the stack,
    /// where the convention has 8 of them and 8-byte stack slots); the calls
    /// give the direct calls' results either way.
    #[test]
    fn host_signatures_take_a_per_class_caller_when_the_abi_allows() {
        let abi = Abi::native();
        let p = abi
            .prepare(&[Type::F64, Type::I64, Type::F64, Type::I32], Type::F64)
            .unwrap();
        assert_eq!(p.caller.is_some(), per_class_host());
        assert!(!p.via_images);
        let args = [Value::F64(1.5), Value::I64(-3), Value::F64(2.25), Value::I32(-7)];
        // SAFETY: `mixed` has the prepared signature in the host's convention.
        let r = unsafe { p.call(mixed as *const (), &args) };
        assert_eq!(r, Value::F64(mixed(1.5, -3, 2.25, -7)));

        let p = abi.prepare(&[Type::F32; 10], Type::F32).unwrap();
        // Where floats spill into integer registers, no argument is on the stack.
        let stacked = abi.float_args.len() == native_regs::STACKED_FLOATS && abi.stack_slot == 8;
        assert_eq!(
            p.caller.is_some(),
            per_class_host() && (p.stack_words() == 0 || stacked)
        );
        let v: [f32; 10] = core::array::from_fn(|i| i as f32 * 1.25 - 3.0);
        // SAFETY: `floats10` has the prepared signature in the host's convention.
        let r = unsafe { p.call(floats10 as *const (), &v.map(Value::F32)) };
        let want = floats10(v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9]);
        assert_eq!(r, Value::F32(want));
    }

    /// The direct callers are chosen from the ABI data: a mixed signature
    /// with an i32 reads its 8 raw payload bytes only where the convention
    /// ignores the bits above a 32-bit integer (and an f32's); a 12-byte
    /// struct of floats and an f32 in, the same struct out, is a direct call
    /// writing the result where the host returns such a struct in two float
    /// registers, its first 8 bytes then its last 4.
    #[test]
    fn direct_callers_follow_the_abi_data() {
        let abi = Abi::native();
        let p = abi
            .prepare(&[Type::F64, Type::I64, Type::F64, Type::I32], Type::F64)
            .unwrap();
        let raw = per_class_host() && abi.int32_upper_ignored && cfg!(target_endian = "little");
        assert_eq!(p.plain.is_some(), raw);
        let narrow = abi
            .prepare(&[Type::F64, Type::I8, Type::F64, Type::I32], Type::F64)
            .unwrap();
        // An i8 is widened by its type: no raw read.
        assert!(narrow.plain.is_none());

        const VEC3: Type = Type::Struct(&[Type::F32, Type::F32, Type::F32]);
        let p = abi.prepare(&[VEC3, Type::F32], VEC3).unwrap();
        let two_floats = matches!(
            p.agg.ret_parts(),
            [a, b] if (a.off, a.len, b.off, b.len) == (0, 8, 8, 4)
                && usize::from(a.unit) >= FLOAT_RET_BASE
                && usize::from(b.unit) >= FLOAT_RET_BASE
        );
        let split = per_class_host()
            && abi.f32_in_float_reg == F32InReg::LowBits
            && two_floats
            && native_regs::pair_returned_as(abi, Class::Float, Class::Float)
            && cfg!(target_endian = "little");
        assert_eq!(p.into.is_some(), split);
        #[repr(C)]
        #[derive(Clone, Copy, Debug, PartialEq)]
        struct V(f32, f32, f32);
        extern "C" fn scale(v: V, k: f32) -> V {
            V(v.0 * k, v.1 + k, v.2 - k)
        }
        let v = V(1.5, -2.0, 0.25);
        let mut out = V(0.0, 0.0, 0.0);
        // SAFETY: `scale` has the prepared signature; `out` has room for a `V`.
        unsafe {
            p.call_into(
                scale as *const (),
                &[Value::Struct((&raw const v).cast()), Value::F32(4.0)],
                (&raw mut out).cast(),
            )
        };
        assert_eq!(out, scale(v, 4.0));
    }

    /// A variadic call takes a per-class caller only where variadic
    /// arguments go where fixed ones do (the compiler then sets what a
    /// variadic call needs besides, such as sysv's `al`).
    #[test]
    fn variadic_caller_only_where_variadic_arguments_are_fixed_ones() {
        let abi = Abi::native();
        let types = [Type::Ptr, Type::I32, Type::I64, Type::F64];
        let p = abi.prepare_variadic(2, &types, Type::F64).unwrap();
        assert_eq!(
            p.caller.is_some(),
            per_class_host() && abi.variadic_floats == VariadicFloats::AsFixed
        );
    }
}
