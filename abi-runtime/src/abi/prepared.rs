//! Classifying a signature once, and the hot path of a prepared call.

use core::fmt;
use core::mem::{MaybeUninit, size_of};

use super::{Abi, FLOAT_REGS, Frame, INT_REGS, INT_RETS, SlotModel, Type, Value};

/// The most arguments a prepared signature may have (C's translation limit
/// for parameters is 127).
pub const MAX_ARGS: usize = 127;

/// Words of [`Frame`]: stack argument `k` is word `STACK_BASE + k` of a
/// [`CallBuf`], right after the frame.
pub(crate) const STACK_BASE: usize = size_of::<Frame>() / 8;

/// Where one argument goes and how its image is fixed up for the convention.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Slot {
    /// Word index: `< INT_REGS + FLOAT_REGS` is a register of `Frame::regs`,
    /// `>= STACK_BASE` a stack slot.
    pub(crate) word: u16,
    /// The declared type.
    pub(crate) ty: Type,
    /// Sign-extend from bit 31 (`u32` where 32-bit values are sign-extended).
    pub(crate) sext32: bool,
    /// NaN-box an f32 in a float register (upper 32 bits all ones).
    pub(crate) nan_box: bool,
}

impl Slot {
    const EMPTY: Slot = Slot {
        word: 0,
        ty: Type::Void,
        sext32: false,
        nan_box: false,
    };

    /// The register image of `bits` (a [`Value::bits`]) for this slot.
    #[inline(always)]
    pub(crate) fn fix(self, bits: u64) -> u64 {
        let shift = u32::from(self.sext32) * 32;
        let boxed = u64::from(self.nan_box).wrapping_neg() << 32;
        (((bits << shift) as i64 >> shift) as u64) | boxed
    }
}

/// A signature classified for one convention: call it with [`Prepared::call`]
/// or bind a handler to it with [`Prepared::callback`].
#[derive(Clone)]
pub struct Prepared {
    pub(crate) abi: &'static Abi,
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
        l.field("ret", &self.ret.ty);
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
        len: args.len(),
        ret: Slot::EMPTY,
        stack_words: 0,
        stack_bytes: 0,
        args: [Slot::EMPTY; MAX_ARGS],
    };
    for (i, &ty) in args.iter().enumerate() {
        let float = match ty {
            Type::Void => return Err(PrepareError::VoidArgument { index: i }),
            Type::Struct { .. } => return Err(unsupported(Some(i), ty)),
            t => t.is_float(),
        };
        let reg = match abi.slots {
            SlotModel::Positional if float => (i < n_float).then(|| INT_REGS + i),
            SlotModel::Positional => (i < n_int).then_some(i),
            SlotModel::PerClass if float && next_float < n_float => {
                next_float += 1;
                Some(INT_REGS + next_float - 1)
            }
            SlotModel::PerClass if (!float || abi.float_overflow_to_int) && next_int < n_int => {
                next_int += 1;
                Some(next_int - 1)
            }
            SlotModel::PerClass => None,
        };
        let word = reg.unwrap_or_else(|| {
            next_stack += 1;
            STACK_BASE + next_stack - 1
        });
        let in_float_reg = (INT_REGS..INT_REGS + FLOAT_REGS).contains(&word);
        out.args[i] = Slot {
            word: word as u16,
            ty,
            sext32: ty == Type::U32 && abi.u32_sign_extended,
            nan_box: ty == Type::F32 && abi.f32_nan_boxed && in_float_reg,
        };
    }
    out.stack_words = next_stack;
    out.stack_bytes = round_up(
        next_stack * abi.stack_slot + abi.shadow_space,
        abi.stack_align,
    );
    out.ret = match ret {
        Type::Struct { .. } => return Err(unsupported(None, ret)),
        Type::Void => Slot::EMPTY,
        t => Slot {
            word: if t.is_float() { INT_RETS as u16 } else { 0 },
            ty: t,
            sext32: t == Type::U32 && abi.u32_sign_extended,
            nan_box: t == Type::F32 && abi.f32_nan_boxed,
        },
    };
    Ok(out)
}

/// A frame followed by room for every stack argument.
#[repr(C)]
struct CallBuf {
    frame: Frame,
    stack: [MaybeUninit<u64>; MAX_ARGS],
}

impl Prepared {
    /// The convention.
    pub fn abi(&self) -> &'static Abi {
        self.abi
    }

    /// The argument types.
    pub fn arg_types(&self) -> impl ExactSizeIterator<Item = Type> + '_ {
        self.args().map(|s| s.ty)
    }

    /// The result type.
    pub fn ret_type(&self) -> Type {
        self.ret.ty
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
        } else if w < INT_REGS + FLOAT_REGS {
            self.abi.float_args.get(w - INT_REGS).copied()
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
    #[inline]
    pub unsafe fn call(&self, f: *const (), args: &[Value]) -> Value {
        assert!(
            args.len() == self.len,
            "prepared for {} arguments, called with {}",
            self.len,
            args.len()
        );
        let mut buf = MaybeUninit::<CallBuf>::uninit();
        let p = buf.as_mut_ptr();
        // SAFETY: every write is inside `buf`: register words by construction
        // of the slots, stack words below STACK_BASE + MAX_ARGS; the
        // trampoline reads the frame and the first `stack_words` stack words
        // (all written) and writes the return words before they are read.
        unsafe {
            let frame = &raw mut (*p).frame;
            (&raw mut (*frame).regs).write([0; INT_REGS + FLOAT_REGS]);
            (&raw mut (*frame).stack).write((&raw const (*p).stack).cast());
            (&raw mut (*frame).stack_words).write(self.stack_words);
            (&raw mut (*frame).stack_bytes).write(self.stack_bytes);
            let words = p.cast::<u64>();
            for (v, s) in args.iter().zip(&self.args[..self.len]) {
                debug_assert!(
                    v.ty() == s.ty,
                    "argument of type {} where {} was prepared",
                    v.ty(),
                    s.ty
                );
                words.add(usize::from(s.word)).write(s.fix(v.bits()));
            }
            (self.abi.trampoline)(frame, f);
            Value::from_bits(self.ret.ty, (*frame).ret[usize::from(self.ret.word)])
        }
    }
}
