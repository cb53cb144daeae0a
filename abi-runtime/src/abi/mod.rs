//! Calling functions of a calling convention chosen at run time, and being
//! called by them: what libffi does, with trampolines generated from the spec
//! files instead of a call description interpreted on every call.
//!
//! An [`Abi`] describes one convention this target can run (x86_64: `sysv`
//! and `win64`; aarch64: `aapcs64`; riscv64: `lp64d`; armv7: `aapcs32`,
//! hard-float; i686: `i386`, every argument on the stack and floats returned
//! on the x87 stack; s390x: `s390x`; ppc64le: `elfv2`), with the facts of its
//! spec file (`targets/abi/<name>.toml`). On a target whose conventions the
//! trampoline generator cannot handle (a spec file saying `unsupported`), this
//! module has the same entry points and [`support`] says why. [`Abi::prepare`] classifies a
//! signature once — which argument goes in which register or stack slot, how
//! narrow values are widened — and [`Prepared::call`] then fills a register
//! image ([`Frame`]) and runs the convention's generated call trampoline.
//!
//! ```
//! use abi_runtime::abi::{Abi, Type, Value};
//!
//! extern "C" fn mix(a: i64, b: f64, c: *const u8) -> i64 {
//!     a + b as i64 + c as i64
//! }
//!
//! let abi = Abi::native();
//! let sig = abi.prepare(&[Type::I64, Type::F64, Type::Ptr], Type::I64).unwrap();
//! let args = [Value::I64(40), Value::F64(1.5), Value::Ptr(1 as *const ())];
//! // SAFETY: `mix` has exactly this signature in the native convention.
//! let r = unsafe { sig.call(mix as *const (), &args) };
//! assert_eq!(r, Value::I64(42));
//! ```
//!
//! # Callbacks
//!
//! The reverse direction — foreign-convention code calling a Rust handler
//! chosen at run time, like a libffi closure — goes through [`Callback`]s.
//! Each convention has a generated **thunk** that finds a data slot at a
//! fixed distance past itself and jumps to the entry stored there. The
//! runtime maps a code block of copies of it (read-and-execute, from an OS
//! object that is never mapped writable) next to a read-write data block, as
//! many times as needed: binding a handler takes a free slot (mapping one
//! more pair of blocks only when all are taken) and returns the address of
//! that slot's thunk. The entry spills the argument registers into a
//! [`Frame`] and calls the dispatcher with `(frame, slot)`; the dispatcher
//! finds the handler and the prepared signature in the slot and decodes the
//! arguments ([`Args`]). There is no fixed limit on live callbacks
//! ([`Abi::callbacks_per_block`] per mapping), and no page is ever writable
//! and executable.
//!
//! ```
//! use abi_runtime::abi::{Abi, Args, Type, Value};
//!
//! let sig = Abi::native().prepare(&[Type::I32, Type::F64], Type::F64).unwrap();
//! let scale = 0.5;
//! let handler = move |args: &Args<'_>| match (args.get(0), args.get(1)) {
//!     (Value::I32(n), Value::F64(x)) => Value::F64(n as f64 * x * scale),
//!     _ => unreachable!(),
//! };
//! let cb = sig.callback(&handler).unwrap();
//! // SAFETY: the thunk has the prepared signature in the native convention.
//! let f: extern "C" fn(i32, f64) -> f64 = unsafe { core::mem::transmute(cb.code()) };
//! assert_eq!(f(3, 4.0), 6.0);
//! ```
//!
//! A closure with typed arguments ([`Prepared::callback_fn`], any
//! `Fn(A1, .., An) -> R` of scalar [`Param`]s) skips the spill and the
//! dispatcher where the signature allows: the slot then points at the
//! convention's **shifting entry**, generated from the spec, which moves the
//! integer argument registers up one, puts the closure's address in the
//! first and jumps to a monomorphised `extern "C"` function that calls it
//! (see [`Callback::is_direct`]).
//!
//! # Structs by value and variadic calls
//!
//! A [`Type::Struct`] lists its fields (scalars, nested structs, arrays);
//! its size, alignment and padding are C's. How a convention passes one —
//! System V's eightbyte classes, win64's 1/2/4/8-byte rule, AAPCS64's
//! homogeneous float aggregates, RISC-V's flattening of one or two fields,
//! AAPCS32's VFP aggregates and 4-byte words split between r0-r3 and the
//! stack, i386's stack copies, s390x's structs as integers (right-justified)
//! or as their one float field, ELFv2's float aggregates in f1-f13 and
//! memory images by doubleword position; by reference, split or on the stack
//! when larger; results in registers or through the indirect-result address
//! — comes from the `[aggregates]` table of its ABI file ([`Aggregates`]); a
//! convention without one refuses structs with
//! [`PrepareError::NoAggregateRules`], naming the file. A struct argument is
//! a [`Value::Struct`] pointing to its bytes; [`Prepared::call_into`] writes a
//! struct result. Callbacks take and return structs the same way: the
//! handler reads a struct argument through [`Args::get`] (a
//! [`Value::Struct`]), [`Args::struct_bytes`] or [`Args::read_struct`], put
//! together from the registers and stack words the rules placed it in (or the
//! caller's copy, where they pass it by reference), and sets a struct result
//! with [`Args::set_result`] or through [`Args::result_ptr`] (see [`Args`]).
//!
//! ```
//! use abi_runtime::abi::{Abi, Type, Value};
//!
//! #[repr(C)]
//! #[derive(Clone, Copy)]
//! struct P { x: f64, y: i32 }
//! extern "C" fn swap(p: P, k: i32) -> P { P { x: f64::from(p.y + k), y: p.x as i32 } }
//!
//! const T: Type = Type::Struct(&[Type::F64, Type::I32]);
//! if let Ok(sig) = Abi::native().prepare(&[T, Type::I32], T) {
//!     let p = P { x: 2.0, y: 40 };
//!     let mut out = P { x: 0.0, y: 0 };
//!     // SAFETY: `swap` has this signature; `out` has room for a `P`.
//!     unsafe {
//!         sig.call_into(swap as *const (), &[Value::Struct((&raw const p).cast()), Value::I32(2)],
//!             (&raw mut out).cast())
//!     };
//!     assert_eq!((out.x, out.y), (42.0, 2));
//! }
//! ```
//!
//! [`Abi::prepare_variadic`] prepares a call of a C variadic function with
//! the fixed-argument count and the promoted types of this call's variadic
//! arguments; where their floats go is the `variadic` rule of the ABI file
//! ([`VariadicFloats`]).
//!
//! Anything a convention cannot express is an error, never undefined behaviour.

#![allow(
    clippy::absurd_extreme_comparisons,
    reason = "register counts are generated per target: i386 has no argument registers, so comparisons with them are constant there"
)]

mod aggregate;
mod callback;
mod direct_regs;
mod moves;
mod native_regs;
mod plan_cache;
mod prepared;
mod thunk_blocks;
mod typed_callback;
mod value;

pub use aggregate::{Aggregates, FloatClass, WhenFull};

pub(crate) use callback::dispatch;
pub use callback::{Args, Callback, CallbackError};
pub use typed_callback::{Handler, Param, Ret};
pub use prepared::{MAX_AGG_ARGS, MAX_ARGS, PrepareError, Prepared};
pub use value::{Type, Value};

abi_macros::__trampolines!(crate::abi);

impl Frame {
    /// A frame with every register word zero and no stack arguments.
    pub const fn zeroed() -> Frame {
        // SAFETY: all-zero bytes are a valid Frame: integers and a null pointer.
        unsafe { core::mem::zeroed() }
    }

    fn unit(base: *const u64, unit: usize, bytes: usize) -> u64 {
        // SAFETY: callers pass units inside the array `base` points into.
        unsafe {
            let p = base.cast::<u8>().add(unit * WORD);
            if bytes == 8 {
                p.cast::<u64>().read_unaligned()
            } else {
                u64::from(p.cast::<u32>().read_unaligned())
            }
        }
    }

    /// Integer argument register `i` of the arch's widest convention.
    ///
    /// # Panics
    ///
    /// If `i` is not an integer argument register.
    pub fn int_reg(&self, i: usize) -> u64 {
        assert!(i < INT_REGS, "no integer argument register {i}");
        Frame::unit(self.regs.as_ptr(), i, WORD)
    }

    /// Float argument register `i` (low 64 bits).
    ///
    /// # Panics
    ///
    /// If `i` is not a float argument register.
    pub fn float_reg(&self, i: usize) -> u64 {
        assert!(i < FLOAT_REGS, "no float argument register {i}");
        Frame::unit(self.regs.as_ptr(), FLOAT_BASE + i * FLOAT_UNITS, 8)
    }

    /// Integer return register `i`.
    ///
    /// # Panics
    ///
    /// If `i` is not an integer return register.
    pub fn int_ret(&self, i: usize) -> u64 {
        assert!(i < INT_RETS, "no integer return register {i}");
        Frame::unit(self.ret.as_ptr(), i, WORD)
    }

    /// Float return register `i` (low 64 bits).
    ///
    /// # Panics
    ///
    /// If `i` is not a float return register.
    pub fn float_ret(&self, i: usize) -> u64 {
        assert!(i < FLOAT_RETS, "no float return register {i}");
        Frame::unit(self.ret.as_ptr(), FLOAT_RET_BASE + i * FLOAT_UNITS, 8)
    }
}

/// How a convention assigns arguments to registers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SlotModel {
    /// Each register class is counted on its own (sysv, aapcs64, lp64d).
    PerClass,
    /// The Nth argument takes the Nth register of its class, or a stack slot (win64).
    Positional,
    /// The Nth argument takes the Nth general register or the Nth doubleword
    /// of the parameter save area; floats take the float registers in order
    /// and still use up their position (ppc64 ELFv2).
    GprPositions,
}

/// How an f32 sits in a 64-bit float register image.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum F32InReg {
    /// In the low 32 bits; the rest is ignored.
    LowBits,
    /// In the low 32 bits, the upper 32 bits all ones (RISC-V).
    NanBoxed,
    /// In the high 32 bits (s390x).
    HighBits,
    /// Converted to double precision (powerpc).
    AsDouble,
    /// Two f32 values per 64-bit register: the low half, then the high half,
    /// allocated in order with back-filling (AAPCS32 VFP: s0 and s1 are d0).
    Halves,
}

/// Where the variadic float arguments of a call go (the `variadic` rule of
/// the convention's ABI file).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum VariadicFloats {
    /// Where a fixed float argument would go.
    AsFixed,
    /// Where an integer of the same size would go.
    InInt,
    /// A variadic function's every float argument, fixed ones too, and its
    /// float result go where integers of the same size would (the base
    /// standard of a convention with a hardware-float variant).
    AllInInt,
    /// In the float register of its position and in the integer register of
    /// that position too.
    AlsoInInt,
    /// The rule is not one dynamic calls know.
    Unsupported,
}

/// A calling convention this target can call into and be called from,
/// generated from its spec file.
pub struct Abi {
    pub(crate) name: &'static str,
    pub(crate) rust_abi: &'static str,
    pub(crate) int_args: &'static [&'static str],
    pub(crate) float_args: &'static [&'static str],
    pub(crate) int_ret: &'static [&'static str],
    pub(crate) float_ret: &'static [&'static str],
    pub(crate) callee_saved: &'static [&'static str],
    pub(crate) callee_saved_partial: &'static [(&'static str, u32)],
    pub(crate) slots: SlotModel,
    pub(crate) stack_align: usize,
    pub(crate) shadow_space: usize,
    pub(crate) red_zone: usize,
    pub(crate) stack_slot: usize,
    pub(crate) float_overflow_to_int: bool,
    pub(crate) u32_sign_extended: bool,
    /// A callee reads a 32-bit integer argument from its register's low 32
    /// bits (`int_widen = "by_type_to_32"`): the 8 bytes of an i32 or u32
    /// value's payload are a valid register image.
    pub(crate) int32_upper_ignored: bool,
    pub(crate) f32_in_float_reg: F32InReg,
    pub(crate) linkage_area: usize,
    pub(crate) int_pairs_even: bool,
    pub(crate) wide_stack_align: usize,
    pub(crate) by_reference: &'static str,
    pub(crate) variadic: &'static str,
    pub(crate) variadic_floats: VariadicFloats,
    pub(crate) aggregates: Option<Aggregates>,
    pub(crate) indirect_result: &'static str,
    pub(crate) trampoline: unsafe extern "C" fn(*mut Frame, *const ()),
    /// The call trampoline for callees returning a float: `trampoline`
    /// itself, but where the convention returns floats on the x87 stack,
    /// one that pops the result (the other leaves that stack alone).
    pub(crate) trampoline_float: unsafe extern "C" fn(*mut Frame, *const ()),
    /// Tail trampolines by (integer, float) registers loaded, row-major
    /// (`ints * (float_args.len() + 1) + floats`); empty when the host cannot
    /// jump into this convention.
    pub(crate) tail: &'static [unsafe extern "C" fn(*mut Frame, *const ())],
    /// The callback thunk, copied into every slot of a code block.
    pub(crate) thunk: unsafe extern "C" fn(),
    /// Low bits of `thunk`'s address that select an instruction set, not a
    /// byte (the arch's `code_address_tag`).
    pub(crate) thunk_tag: usize,
    /// The callback entry the thunks jump to.
    pub(crate) entry: unsafe extern "C" fn(),
    /// The entry for callbacks returning a struct through a hidden address
    /// the callee pops (`indirect_result_popped`), where the ABI has one.
    pub(crate) entry_pop: Option<unsafe extern "C" fn()>,
    /// The entry for handlers that are host functions taking their context
    /// first (`entry_shift_<abi>`), with the number of integer argument
    /// registers it moves up (a signature may use one fewer): the host
    /// convention's own, where it has such registers.
    pub(crate) entry_shift: Option<(unsafe extern "C" fn(), usize)>,
    /// Bytes from one thunk (and data slot) to the next.
    pub(crate) thunk_stride: usize,
}

impl core::fmt::Debug for Abi {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Abi")
            .field("name", &self.name)
            .field("int_args", &self.int_args)
            .field("float_args", &self.float_args)
            .field("slots", &self.slots)
            .field("stack_align", &self.stack_align)
            .field("shadow_space", &self.shadow_space)
            .finish_non_exhaustive()
    }
}

impl PartialEq for Abi {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
    }
}

impl Eq for Abi {}

pub use crate::abi_support::Unsupported;

/// Whether dynamic calls work on this target (they do here; on targets whose
/// spec files give the trampolines no way, this module reports
/// [`Unsupported`] with the reason instead).
pub fn support() -> Result<(), Unsupported> {
    Ok(())
}

impl Abi {
    /// The target's own C convention (`extern "C"`).
    pub fn native() -> &'static Abi {
        &ABIS[NATIVE]
    }

    /// The target's own C convention, or why dynamic calls do not work on
    /// this target (here they do: see [`support`]).
    pub fn try_native() -> Result<&'static Abi, Unsupported> {
        Ok(Abi::native())
    }

    /// Every convention code on this target can use.
    pub fn all() -> &'static [Abi] {
        &ABIS
    }

    /// The convention called `name` (`"sysv"`, `"win64"`, `"aapcs64"`, `"elfv2"`, ...), if this target can run it.
    pub fn by_name(name: &str) -> Option<&'static Abi> {
        ABIS.iter().find(|a| a.name == name)
    }

    /// The spec file's name for it.
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// What Rust calls it in `extern "..."` (`"sysv64"`, `"win64"`, `"C"`).
    pub fn rust_abi(&self) -> &'static str {
        self.rust_abi
    }

    /// Integer argument registers, in order.
    pub fn int_arg_regs(&self) -> &'static [&'static str] {
        self.int_args
    }

    /// Float argument registers, in order.
    pub fn float_arg_regs(&self) -> &'static [&'static str] {
        self.float_args
    }

    /// Integer return registers.
    pub fn int_ret_regs(&self) -> &'static [&'static str] {
        self.int_ret
    }

    /// Float return registers.
    pub fn float_ret_regs(&self) -> &'static [&'static str] {
        self.float_ret
    }

    /// Registers a callee preserves in full.
    pub fn callee_saved(&self) -> &'static [&'static str] {
        self.callee_saved
    }

    /// Registers a callee preserves in part: (register, low bits preserved).
    pub fn callee_saved_partial(&self) -> &'static [(&'static str, u32)] {
        self.callee_saved_partial
    }

    /// How arguments are assigned to registers.
    pub fn slots(&self) -> SlotModel {
        self.slots
    }

    /// Stack alignment at a call, in bytes.
    pub fn stack_align(&self) -> usize {
        self.stack_align
    }

    /// Bytes the caller reserves above the return address for the callee.
    pub fn shadow_space(&self) -> usize {
        self.shadow_space
    }

    /// Bytes below the stack pointer a leaf function may use.
    pub fn red_zone(&self) -> usize {
        self.red_zone
    }

    /// Bytes at the stack pointer of a call that the callee's frame header
    /// may use (ELFv2, s390x): stack arguments start above them.
    pub fn linkage_area(&self) -> usize {
        self.linkage_area
    }

    /// How an f32 sits in a float register.
    pub fn f32_in_float_reg(&self) -> F32InReg {
        self.f32_in_float_reg
    }

    /// Bytes each stack argument occupies.
    pub fn stack_slot(&self) -> usize {
        self.stack_slot
    }

    /// Whether float arguments spill into free integer registers before the stack.
    pub fn float_overflow_to_int(&self) -> bool {
        self.float_overflow_to_int
    }

    /// Which aggregates go by reference, in words.
    pub fn by_reference(&self) -> &'static str {
        self.by_reference
    }

    /// The variadic rule, by its name in the spec file.
    pub fn variadic(&self) -> &'static str {
        self.variadic
    }

    /// Where variadic float arguments go.
    pub fn variadic_floats(&self) -> VariadicFloats {
        self.variadic_floats
    }

    /// The rules for structs by value, if dynamic calls pass them with this
    /// convention (its ABI file has an `[aggregates]` table).
    pub fn aggregates(&self) -> Option<&Aggregates> {
        self.aggregates.as_ref()
    }

    /// A copy of this convention with other struct rules: for tests showing
    /// that the rules of the ABI file decide what calls do.
    #[doc(hidden)]
    pub fn with_aggregates(&self, rules: Aggregates) -> Abi {
        Abi {
            aggregates: Some(rules),
            ..*self
        }
    }

    /// The register (or `first_param`) carrying the address of a result returned in memory.
    pub fn indirect_result(&self) -> &'static str {
        self.indirect_result
    }

    /// The generated call trampoline: `trampoline(frame, f)` loads the
    /// argument registers from `frame`, reserves `frame.stack_bytes` below the
    /// stack pointer, copies `frame.stack_words` words from `frame.stack`
    /// above the shadow space, calls `f` with this convention and stores the
    /// return registers in `frame.ret`. It is itself called with the host's C
    /// convention. [`Prepared::call`] fills the frame for you. Where the
    /// convention returns floats on a register stack (i386's x87 `st(0)`),
    /// this one leaves that stack alone: call a float-returning `f` through
    /// [`Abi::trampoline_float`].
    pub fn trampoline(&self) -> unsafe extern "C" fn(*mut Frame, *const ()) {
        self.trampoline
    }

    /// The call trampoline for an `f` that returns a float: the same as
    /// [`Abi::trampoline`] except where the convention returns floats on a
    /// register stack, whose top this one pops into `frame.ret`.
    pub fn trampoline_float(&self) -> unsafe extern "C" fn(*mut Frame, *const ()) {
        self.trampoline_float
    }

    /// Classifies a signature once, for any number of calls or callbacks.
    pub fn prepare(&'static self, args: &[Type], ret: Type) -> Result<Prepared, PrepareError> {
        prepared::classify(self, args, ret, None)
    }

    /// Classifies a call of a variadic function: `args[..fixed]` are its
    /// fixed parameters, the rest the variadic arguments of this call, of
    /// their promoted types (`f64`, not `f32`; `i32`/`u32`, not narrower
    /// integers). Where a variadic float goes is the convention's `variadic`
    /// rule ([`Abi::variadic_floats`]).
    pub fn prepare_variadic(
        &'static self,
        fixed: usize,
        args: &[Type],
        ret: Type,
    ) -> Result<Prepared, PrepareError> {
        if fixed > args.len() {
            return Err(PrepareError::FixedCount {
                fixed,
                count: args.len(),
            });
        }
        prepared::classify(self, args, ret, Some(fixed))
    }

    /// Prepares the signature the values and `ret` spell and calls `f` once.
    ///
    /// # Safety
    ///
    /// `f` must be a function of this convention whose parameters have the
    /// types of `args` (in order) and whose result has type `ret`; calling it
    /// with these values must be safe.
    pub unsafe fn call(
        &'static self,
        f: *const (),
        args: &[Value],
        ret: Type,
    ) -> Result<Value, PrepareError> {
        if prepared::native_words_fit(self, args, ret) {
            // SAFETY: the caller's contract; the values are integer or pointer words.
            return Ok(unsafe { prepared::native_words(f, args, value::Scalar::of(ret)) });
        }
        if let Some(key) = plan_cache::Key::new(self, plan_cache::Types::OfValues(args), ret, None) {
            let prepare = || {
                let mut types = [Type::Void; plan_cache::KEY_ARGS];
                for (t, v) in types.iter_mut().zip(args) {
                    *t = v.ty();
                }
                self.prepare(&types[..args.len()], ret)
            };
            // SAFETY: the caller's contract.
            return plan_cache::with_plan(&key, prepare, |p| unsafe { p.call(f, args) });
        }
        if args.len() > MAX_ARGS {
            return Err(PrepareError::TooManyArguments {
                count: args.len(),
                max: MAX_ARGS,
            });
        }
        let mut types = [Type::Void; MAX_ARGS];
        for (t, v) in types.iter_mut().zip(args) {
            *t = v.ty();
        }
        let p = self.prepare(&types[..args.len()], ret)?;
        // SAFETY: the caller's contract is this call's.
        Ok(unsafe { p.call(f, args) })
    }

    /// A one-shot call of a signature given by its types: structs by value
    /// (`out` receives a struct result, or is null), and variadic functions
    /// when `fixed` says how many arguments are fixed. The plan of a
    /// signature seen before comes from a small table shared by all threads.
    ///
    /// # Safety
    ///
    /// As for [`Prepared::call_into`] with the plan of `types`, `ret` and `fixed`.
    pub unsafe fn call_typed(
        &'static self,
        f: *const (),
        types: &[Type],
        args: &[Value],
        ret: Type,
        fixed: Option<usize>,
        out: *mut u8,
    ) -> Result<Value, PrepareError> {
        if types.len() != args.len() {
            return Err(PrepareError::FixedCount {
                fixed: types.len(),
                count: args.len(),
            });
        }
        let prepare = || match fixed {
            Some(n) => self.prepare_variadic(n, types, ret),
            None => self.prepare(types, ret),
        };
        let key = match plan_cache::Key::new(self, plan_cache::Types::Given(types), ret, fixed) {
            Some(k) if fixed.is_none_or(|n| n <= types.len()) => k,
            _ => {
                let p = prepare()?;
                // SAFETY: the caller's contract.
                return Ok(unsafe { p.call_into(f, args, out) });
            }
        };
        // SAFETY: the caller's contract.
        plan_cache::with_plan(&key, prepare, |p| unsafe { p.call_into(f, args, out) })
    }
}
