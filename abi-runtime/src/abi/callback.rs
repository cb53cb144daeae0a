//! Callbacks: foreign-convention code calling a Rust handler chosen at run
//! time, through thunks copied into mapped code blocks (see the module docs
//! of [`crate::abi`] and [`super::thunk_blocks`]).

use core::fmt;
use core::marker::PhantomData;
use core::mem::{MaybeUninit, offset_of, size_of};
use core::ptr::{self, NonNull};
use core::sync::atomic::Ordering;

use super::prepared::{
    AggPlan, COPY_BYTES, MAX_AGG_ARGS, Part, PartKind, REG_UNITS, RetMode, STACK_BASE,
    STACK_ROOM, STRUCT_UNITS, Slot, get, put, zero_units,
};
use super::value::Scalar;
use super::thunk_blocks::{self, MapError, SlotRecord};
use super::{Abi, Frame, Prepared, THUNK_BLOCK, Type, Value, WORD};
use crate::Errno;

/// Calls the handler behind `data` (a `&H`).
type Invoke = unsafe fn(*const (), &Args<'_>) -> Value;

/// Why a callback could not be bound.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallbackError {
    /// Every slot was taken and the OS refused to map another block of
    /// thunks (address space, mapping count or memory exhausted).
    Map {
        /// The convention.
        abi: &'static str,
        /// The OS's reason.
        errno: Errno,
    },
    /// This OS has no way to map code blocks in the runtime.
    Unsupported {
        /// The convention.
        abi: &'static str,
    },
    /// The signature is variadic and the convention passes its variadic
    /// floats in two registers at once (`variadic = "float_in_both"`):
    /// callbacks do not decode those.
    DuplicatedFloats {
        /// The convention.
        abi: &'static str,
        /// Its `variadic` rule.
        rule: &'static str,
    },
    /// The struct arguments a callback must put back together from
    /// registers, and its struct result, need more bytes than a callback
    /// keeps for them.
    StructsTooLarge {
        /// The convention.
        abi: &'static str,
        /// The bytes they need.
        bytes: usize,
        /// The bytes a callback keeps for them.
        max: usize,
    },
    /// A typed handler's argument or result types are not the prepared
    /// signature's ([`Prepared::callback_fn`]).
    HandlerTypes {
        /// The convention.
        abi: &'static str,
    },
}

impl fmt::Display for CallbackError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CallbackError::Map { abi, errno } => write!(
                f,
                "cannot map another block of {abi} callback thunks: {errno}; drop a Callback to free a slot"
            ),
            CallbackError::Unsupported { abi } => write!(
                f,
                "{abi} callbacks need executable mappings, which the runtime cannot make on this OS"
            ),
            CallbackError::DuplicatedFloats { abi, rule } => write!(
                f,
                "callbacks of variadic {abi} signatures with float arguments are not supported: \
                 {abi} passes them in two registers at once (`variadic = \"{rule}\"`)"
            ),
            CallbackError::StructsTooLarge { abi, bytes, max } => write!(
                f,
                "the struct arguments and result of this {abi} callback need {bytes} bytes \
                 of copies; a callback keeps {max}"
            ),
            CallbackError::HandlerTypes { abi } => write!(
                f,
                "the handler's argument and result types are not those of the prepared {abi} signature"
            ),
        }
    }
}

impl core::error::Error for CallbackError {}

/// A Rust handler bound to a thunk of a convention: [`Callback::code`] is a
/// function of that convention with the prepared signature. Dropping it
/// frees the thunk's slot for the next callback.
pub struct Callback<'a> {
    slot: NonNull<SlotRecord>,
    abi: &'static Abi,
    _borrows: PhantomData<&'a ()>,
}

impl fmt::Debug for Callback<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Callback")
            .field("abi", &self.abi.name)
            .field("code", &self.code())
            .finish()
    }
}

// SAFETY: the handler is `Sync` and the prepared signature is shared read-only;
// the slot is released exactly once, by `drop`.
unsafe impl Send for Callback<'_> {}
// SAFETY: as above; `&Callback` only hands out the code address.
unsafe impl Sync for Callback<'_> {}

impl Callback<'_> {
    /// The thunk's address: a function of the prepared convention and
    /// signature. Cast it to the matching `extern "..." fn` type. It must not
    /// be called after the `Callback` is dropped (a call then aborts the
    /// process with a message; the code stays mapped).
    pub fn code(&self) -> *const () {
        self.slot
            .as_ptr()
            .cast::<u8>()
            .wrapping_sub(THUNK_BLOCK)
            .cast()
    }

    /// Whether calls reach the handler straight from the thunk, through the
    /// convention's shifting entry (a typed handler of a signature that
    /// allows it, see [`Prepared::callback_fn`]), rather than through the
    /// general entry, the dispatcher and [`Args`].
    pub fn is_direct(&self) -> bool {
        // SAFETY: the slot stays mapped for the life of the process.
        let entry = unsafe { self.slot.as_ref() }.entry.load(Ordering::Relaxed);
        self.abi
            .entry_shift
            .is_some_and(|(shift, _)| ptr::eq(entry.cast_const(), shift as *const ()))
    }

    /// An identifier of the slot it occupies (the address of its data slot):
    /// unique among live callbacks, reused after a drop.
    pub fn slot(&self) -> usize {
        self.slot.as_ptr() as usize
    }
}

impl Drop for Callback<'_> {
    fn drop(&mut self) {
        // SAFETY: the slot stays mapped for the life of the process.
        let s = unsafe { self.slot.as_ref() };
        // A call after the drop must reach the dispatcher's check, not a
        // handler the shifting entry would jump to.
        s.entry.store(self.abi.entry as *mut (), Ordering::Relaxed);
        s.invoke.store(ptr::null_mut(), Ordering::Relaxed);
        s.prepared.store(ptr::null_mut(), Ordering::Relaxed);
        thunk_blocks::give_back(self.abi, self.slot);
    }
}

/// Never inlined: `invoke_structs` calls it too, and inlined there, the
/// handler would have two callers and stay out of line in this, the scalar
/// round trip (5 more instructions per call).
#[inline(never)]
unsafe fn invoke<H: Fn(&Args<'_>) -> Value + Sync>(data: *const (), args: &Args<'_>) -> Value {
    // SAFETY: `data` is the `&H` given to `Prepared::callback`, alive while its Callback is.
    let h = unsafe { &*data.cast::<H>() };
    h(args)
}

/// What a callback of a signature with structs keeps on its stack while the
/// handler runs. The frame's `stack` points here then, so [`Args::bits`]
/// reads scalar stack arguments from the copy and finds the address of the
/// `k`-th struct argument in unit `STRUCT_UNITS + k` like any other unit.
#[repr(C)]
struct StructArea {
    /// The caller's stack arguments.
    stack: [MaybeUninit<u64>; STACK_ROOM],
    /// The struct arguments' addresses, then the struct result's.
    addrs: [*mut u8; MAX_AGG_ARGS + 1],
    /// Struct arguments put back together from registers, and a result
    /// to be split into return registers.
    copies: [MaybeUninit<u128>; COPY_BYTES / 16],
}

const _: () = {
    assert!(size_of::<*mut u8>() == WORD);
    assert!(offset_of!(StructArea, addrs) == (STRUCT_UNITS - STACK_BASE) * WORD);
};

/// Offset of the struct result's address in a [`StructArea`].
const RESULT_ADDR: usize = offset_of!(StructArea, addrs) + MAX_AGG_ARGS * WORD;

/// How a callback finds one struct argument.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Found {
    /// The address of the caller's copy is in unit `unit`.
    Pointer,
    /// The caller's copy is the stack at unit `unit`.
    InPlace,
    /// Parts `first..first + count` are put together at `copy_at` (after
    /// zeroing `zero` units there, when they leave bytes out).
    Gathered,
}

/// Where a callback finds one struct argument (see [`Found`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct StructArg {
    found: Found,
    unit: u16,
    first: u8,
    count: u8,
    copy_at: u16,
    zero: u16,
}

/// What a callback does with the structs of a signature, decided when it
/// is prepared so the callback only follows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct StructPlan {
    args: [StructArg; MAX_AGG_ARGS],
    /// Where a result that goes in registers is put together, and its units.
    ret_at: u16,
    ret_units: u16,
    /// Bytes of [`StructArea::copies`] used (may exceed [`COPY_BYTES`]:
    /// then callbacks refuse the signature).
    bytes: usize,
}

impl StructPlan {
    pub(crate) const EMPTY: StructPlan = StructPlan {
        args: [StructArg {
            found: Found::Pointer,
            unit: 0,
            first: 0,
            count: 0,
            copy_at: 0,
            zero: 0,
        }; MAX_AGG_ARGS],
        ret_at: 0,
        ret_units: 0,
        bytes: 0,
    };

    /// The plan of the struct arguments and result `agg` classified.
    pub(crate) fn of(agg: &AggPlan) -> StructPlan {
        let mut plan = StructPlan::EMPTY;
        let mut bytes = 0usize;
        let mut room = |size: u32| {
            let at = bytes;
            bytes += (size as usize).div_ceil(16) * 16;
            at.min(usize::from(u16::MAX)) as u16
        };
        let parts = agg.parts();
        for (k, (&(arg, _), size)) in agg.arg_types().iter().zip(agg.sizes).enumerate() {
            // Every part of an argument is pushed while it is classified: they are adjacent.
            let first = parts.iter().position(|q| q.arg == arg).unwrap_or(0);
            let count = parts[first..].iter().take_while(|q| q.arg == arg).count();
            let mine = &parts[first..first + count];
            let whole_on_stack = |q: &Part| {
                q.kind == PartKind::Bytes
                    && q.leaf == Scalar::Void
                    && q.off == 0
                    && u32::from(q.len) == size
                    && usize::from(q.unit) >= STACK_BASE
            };
            let (found, unit) = match mine {
                [q] if q.kind == PartKind::Ref => (Found::Pointer, q.unit),
                [q] if whole_on_stack(q) => (Found::InPlace, q.unit),
                _ => (Found::Gathered, 0),
            };
            let covered: u32 = mine.iter().map(|q| u32::from(q.len)).sum();
            plan.args[k] = StructArg {
                found,
                unit,
                first: first as u8,
                count: count as u8,
                copy_at: if found == Found::Gathered { room(size) } else { 0 },
                zero: if covered < size { size.div_ceil(WORD as u32) as u16 } else { 0 },
            };
        }
        if agg.ret_mode == RetMode::Regs {
            plan.ret_at = room(agg.ret_size);
            plan.ret_units = agg.ret_size.div_ceil(WORD as u32) as u16;
        }
        plan.bytes = bytes;
        plan
    }
}

/// Whether callbacks can decode the struct parts of `p`.
fn check_structs(p: &Prepared) -> Result<(), CallbackError> {
    let abi = p.abi;
    if p.agg.parts().iter().any(|q| q.kind == PartKind::Dup) {
        return Err(CallbackError::DuplicatedFloats {
            abi: abi.name,
            rule: abi.variadic,
        });
    }
    let bytes = p.agg.callback.bytes;
    if bytes > COPY_BYTES {
        return Err(CallbackError::StructsTooLarge {
            abi: abi.name,
            bytes,
            max: COPY_BYTES,
        });
    }
    Ok(())
}

/// [`invoke`] for a signature with structs: puts each struct argument
/// together (or finds the caller's copy), points the frame's `stack` at a
/// [`StructArea`] for the handler, then moves a struct result where the
/// convention wants it. The scalar path never comes here.
unsafe fn invoke_structs<H: Fn(&Args<'_>) -> Value + Sync>(
    data: *const (),
    args: &Args<'_>,
) -> Value {
    let mut area = MaybeUninit::<StructArea>::uninit();
    // SAFETY: `args` is the dispatcher's, `area` room for `structs_in`; the
    // handler runs between the two halves, as they expect.
    unsafe {
        let caller = structs_in(args, area.as_mut_ptr());
        let v = invoke::<H>(data, args);
        structs_out(args, caller, area.as_ptr());
        v
    }
}

/// The address of unit `unit` of a callback's arguments: a register of the
/// spilled `frame`, or a word of the `caller`'s stack arguments.
#[inline(always)]
fn unit_at(frame: *mut Frame, caller: *const u8, unit: u16) -> *mut u8 {
    let u = usize::from(unit);
    if u < REG_UNITS {
        frame.cast::<u8>().wrapping_add(u * WORD)
    } else {
        caller.cast_mut().wrapping_add((u - STACK_BASE) * WORD)
    }
}

/// The first half of [`invoke_structs`] (not generic: one copy, with the
/// moves inlined): fills `a` and points the frame's `stack` at it; returns
/// the caller's stack address.
///
/// # Safety
///
/// `args` is the dispatcher's: its frame is the entry's spilled image, its
/// `stack` the caller's stack arguments (`stack_words` units of them, and
/// the units of every part, as the prepared signature says); struct and
/// result addresses in them are the caller's, as the convention passed them.
#[inline(never)]
unsafe fn structs_in(args: &Args<'_>, a: *mut StructArea) -> *const u8 {
    let p = args.prepared;
    let agg = &p.agg;
    let frame = args.frame.cast_mut();
    // SAFETY: the caller's contract; every write into the area is inside it
    // (`check_structs` bounded the copies when binding).
    unsafe {
        let caller = (*frame).stack;
        if p.stack_words != 0 {
            ptr::copy_nonoverlapping(caller, (&raw mut (*a).stack).cast::<u8>(), p.stack_words * WORD);
        }
        let addrs = (&raw mut (*a).addrs).cast::<*mut u8>();
        let copies = (&raw mut (*a).copies).cast::<u8>();
        let plan = &agg.callback;
        let parts = agg.parts();
        for k in 0..usize::from(agg.n_types) {
            let s = plan.args[k];
            let addr = match s.found {
                Found::Pointer => unit_at(frame, caller, s.unit).cast::<*mut u8>().read(),
                Found::InPlace => unit_at(frame, caller, s.unit),
                Found::Gathered => {
                    let c = copies.add(usize::from(s.copy_at));
                    zero_units(c, usize::from(s.zero));
                    let first = usize::from(s.first);
                    for part in &parts[first..first + usize::from(s.count)] {
                        part.gather(unit_at(frame, caller, part.unit), c);
                    }
                    c
                }
            };
            addrs.add(k).write(addr);
        }
        let out = match agg.ret_mode {
            RetMode::Regs => {
                let c = copies.add(usize::from(plan.ret_at));
                // The handler may leave fields unset: no uninitialised bytes then.
                zero_units(c, usize::from(plan.ret_units));
                c
            }
            RetMode::Hidden(unit) => unit_at(frame, caller, unit).cast::<*mut u8>().read(),
            RetMode::Frame => (*frame).indirect,
            RetMode::Scalar => ptr::null_mut(),
        };
        addrs.add(MAX_AGG_ARGS).write(out);
        (*frame).stack = (&raw const (*a).stack).cast();
        caller
    }
}

/// The second half of [`invoke_structs`]: restores the frame's `stack` and
/// moves a struct result where the convention wants it.
///
/// # Safety
///
/// As for [`structs_in`], which filled `a` and returned `caller`.
#[inline(never)]
unsafe fn structs_out(args: &Args<'_>, caller: *const u8, a: *const StructArea) {
    let agg = &args.prepared.agg;
    let frame = args.frame.cast_mut();
    // SAFETY: the caller's contract: the frame is the entry's, `a` the area
    // `structs_in` filled, and the result's room or address is in it.
    unsafe {
        (*frame).stack = caller;
        let out = (&raw const (*a).addrs).cast::<*mut u8>().add(MAX_AGG_ARGS).read();
        let ret = (&raw mut (*frame).ret).cast::<u8>();
        match agg.ret_mode {
            RetMode::Regs => {
                for part in agg.ret_parts() {
                    part.scatter(out, ret.add(usize::from(part.unit) * WORD));
                }
            }
            // The convention hands the address back in the first integer
            // return register (System V and win64 require it; elsewhere
            // that register is free).
            RetMode::Hidden(_) => ret.cast::<*mut u8>().write(out),
            RetMode::Frame | RetMode::Scalar => {}
        }
    }
}

impl Abi {
    /// Callbacks of this convention per mapped block: when they are all
    /// taken, binding one more maps another block (there is no fixed limit).
    pub fn callbacks_per_block(&self) -> usize {
        thunk_blocks::per_block(self)
    }

    /// Blocks of callback thunks mapped for this convention so far.
    pub fn callback_blocks(&'static self) -> usize {
        thunk_blocks::mapped(self)
    }
}

impl Prepared {
    /// Binds `handler` to a free thunk of the convention. Foreign code
    /// calling [`Callback::code`] with the prepared signature runs `handler`
    /// with the arguments; its result goes back the convention's way (a value
    /// of another type than the prepared result is returned as its bits).
    ///
    /// Structs by value work both ways, as the convention's `[aggregates]`
    /// rules place them: the handler reads a struct argument through
    /// [`Args::get`] (a [`Value::Struct`] with its address),
    /// [`Args::struct_bytes`] or [`Args::read_struct`], and writes a struct
    /// result through [`Args::set_result`] or [`Args::result_ptr`] (its
    /// return value is then ignored: return [`Value::Void`]).
    ///
    /// Takes a free slot (no system call) or, when every slot is bound, maps
    /// one more block of them; fails only when the OS refuses that mapping.
    ///
    /// A panic in the handler aborts the process: it cannot unwind through
    /// foreign code.
    pub fn callback<'a, H>(&'a self, handler: &'a H) -> Result<Callback<'a>, CallbackError>
    where
        H: Fn(&Args<'_>) -> Value + Sync,
    {
        let abi = self.abi;
        let invoke_fn = if self.agg.active {
            check_structs(self)?;
            invoke_structs::<H> as Invoke
        } else {
            invoke::<H> as Invoke
        };
        // A struct result written through the hidden address: where the
        // convention's callee pops that address (i386), the entry that does.
        let entry = match abi.entry_pop {
            Some(pop) if self.agg.active && self.struct_result_in_memory() => pop,
            _ => abi.entry,
        };
        self.bind(
            entry,
            invoke_fn as *const (),
            ptr::from_ref(handler).cast::<()>(),
        )
    }

    /// Takes a slot and points it at `entry`, with `invoke` and `data` for
    /// it: a free slot (no system call) or, when every slot is bound, one of
    /// a newly mapped block.
    pub(crate) fn bind(
        &self,
        entry: unsafe extern "C" fn(),
        invoke: *const (),
        data: *const (),
    ) -> Result<Callback<'_>, CallbackError> {
        let abi = self.abi;
        let slot = thunk_blocks::take(abi).map_err(|e| match e {
            MapError::Os(errno) => CallbackError::Map {
                abi: abi.name,
                errno,
            },
            MapError::Unsupported => CallbackError::Unsupported { abi: abi.name },
        })?;
        // SAFETY: the slot stays mapped for the life of the process and is ours.
        let s = unsafe { slot.as_ref() };
        // Published with the slot, before its thunk address leaves here.
        s.entry.store(entry as *mut (), Ordering::Relaxed);
        s.prepared
            .store(ptr::from_ref(self).cast_mut(), Ordering::Relaxed);
        s.data.store(data.cast_mut(), Ordering::Relaxed);
        s.invoke.store(invoke.cast_mut(), Ordering::Release);
        Ok(Callback {
            slot,
            abi,
            _borrows: PhantomData,
        })
    }
}

/// Called by every convention's callback entry, with the host convention:
/// `slot` is the data slot the thunk found beside itself. Returns 1 when the
/// handler's result is a float, else 0: an entry whose convention returns
/// floats on a register stack (x87) pushes it only then.
pub(crate) unsafe extern "C" fn dispatch(frame: *mut Frame, slot: *const SlotRecord) -> usize {
    // SAFETY: thunks pass the address of their own data slot, mapped for good.
    let s = unsafe { &*slot };
    let invoke = s.invoke.load(Ordering::Acquire);
    let (prepared, data) = (
        s.prepared.load(Ordering::Relaxed),
        s.data.load(Ordering::Relaxed),
    );
    if invoke.is_null() || prepared.is_null() {
        panic!("abi-bridge: a callback thunk was called after its Callback was dropped");
    }
    // SAFETY: the slot holds what `Prepared::callback` stored, alive while the
    // Callback is; `frame` is the entry's spilled register image.
    unsafe {
        let invoke: Invoke = core::mem::transmute::<*mut (), Invoke>(invoke);
        let prepared = &*prepared;
        let args = Args { frame, prepared };
        let v = invoke(data, &args);
        let ret = prepared.ret;
        if ret.ty.ty() != Type::Void {
            put((&raw mut (*frame).ret).cast::<u8>(), ret, ret.fix(v.bits()));
        }
        usize::from(ret.ty.is_float())
    }
}

/// The arguments a callback received: typed by the prepared signature, read
/// from the spilled registers and the caller's stack.
///
/// A struct argument is the address of its bytes, laid out as its
/// [`Type::Struct`] says: the caller's copy where the convention passes it by
/// reference or copies it onto the stack, else a copy put together from the
/// registers (and stack words) its pieces came in. Either stays valid until
/// the handler returns. A struct result is written to [`Args::result_ptr`]:
/// the address the caller passed for it, or room whose bytes go into the
/// return registers when the handler returns.
///
/// ```
/// use abi_runtime::abi::{Abi, Args, Type, Value};
///
/// #[repr(C)]
/// #[derive(Clone, Copy, Debug, PartialEq)]
/// struct Pair { x: f64, n: i32 }
/// const PAIR: Type = Type::Struct(&[Type::F64, Type::I32]);
///
/// // Pair scale(Pair p, int32_t k): a handler behind a C function pointer.
/// if let Ok(sig) = Abi::native().prepare(&[PAIR, Type::I32], PAIR) {
///     let handler = |args: &Args<'_>| {
///         // SAFETY: `Pair` is the `repr(C)` twin of `PAIR`.
///         let p: Pair = unsafe { args.read_struct(0) };
///         let Value::I32(k) = args.get(1) else { unreachable!() };
///         args.set_result(Pair { x: p.x * f64::from(k), n: p.n + k });
///         Value::Void
///     };
///     let cb = sig.callback(&handler).unwrap();
///     // SAFETY: the thunk has the prepared signature in the native convention.
///     let scale: extern "C" fn(Pair, i32) -> Pair = unsafe { core::mem::transmute(cb.code()) };
///     assert_eq!(scale(Pair { x: 1.5, n: 40 }, 2), Pair { x: 3.0, n: 42 });
/// }
/// ```
pub struct Args<'a> {
    frame: *const Frame,
    prepared: &'a Prepared,
}

impl fmt::Debug for Args<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl Args<'_> {
    /// How many there are.
    #[inline]
    pub fn len(&self) -> usize {
        self.prepared.len
    }

    /// Whether there are none.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.prepared.len == 0
    }

    /// The raw 64-bit image of argument `i` (upper bits as the caller left
    /// them); for a struct, the address of its bytes.
    ///
    /// # Panics
    ///
    /// If `i >= self.len()`.
    #[inline]
    pub fn bits(&self, i: usize) -> u64 {
        let s: Slot = self.prepared.args[..self.prepared.len][i];
        let w = usize::from(s.word);
        // SAFETY: register units are inside the frame; stack unit `k` is the
        // caller's k-th stack unit, which it passed for this signature.
        unsafe {
            if w < REG_UNITS {
                get((&raw const (*self.frame).regs).cast::<u8>(), s)
            } else {
                let unit = Slot {
                    word: (w - STACK_BASE) as u16,
                    ..s
                };
                get((*self.frame).stack, unit)
            }
        }
    }

    /// Argument `i`, as a value of its prepared type.
    ///
    /// # Panics
    ///
    /// If `i >= self.len()`.
    #[inline]
    pub fn get(&self, i: usize) -> Value {
        let s = self.prepared.args[..self.prepared.len][i];
        s.ty.value(s.unfix(self.bits(i)))
    }

    /// Every argument, in order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = Value> + '_ {
        (0..self.len()).map(|i| self.get(i))
    }

    /// The bytes of argument `i` when it is a struct (`None` for a scalar).
    ///
    /// # Panics
    ///
    /// If `i >= self.len()`.
    pub fn struct_bytes(&self, i: usize) -> Option<&[u8]> {
        let size = self.struct_size(i)?;
        // SAFETY: the struct's address (see `invoke_structs`) is valid for
        // its size until the handler returns, which `&self` cannot outlive.
        Some(unsafe { core::slice::from_raw_parts(self.bits(i) as usize as *const u8, size) })
    }

    /// Argument `i`, a struct, read as `T`, its Rust twin.
    ///
    /// # Safety
    ///
    /// `T` must be a `#[repr(C)]` type with the struct's fields (so that the
    /// bytes the caller passed are a valid `T`).
    ///
    /// # Panics
    ///
    /// If argument `i` is not a struct of `T`'s size.
    pub unsafe fn read_struct<T: Copy>(&self, i: usize) -> T {
        let bytes = self
            .struct_bytes(i)
            .unwrap_or_else(|| panic!("argument {i} is not a struct"));
        assert_eq!(
            bytes.len(),
            size_of::<T>(),
            "argument {i} is a struct of {} bytes, read as {} bytes",
            bytes.len(),
            size_of::<T>()
        );
        // SAFETY: as many bytes as a `T`; the caller's contract makes them a valid `T`.
        unsafe { bytes.as_ptr().cast::<T>().read_unaligned() }
    }

    /// Where the handler writes a struct result: the address the caller
    /// passed for it, or room whose bytes the callback moves into the return
    /// registers after the handler returns. Null when the result is not a
    /// struct.
    pub fn result_ptr(&self) -> *mut u8 {
        if self.prepared.agg.ret_mode == RetMode::Scalar {
            return ptr::null_mut();
        }
        // SAFETY: a signature with a struct result is bound through
        // `invoke_structs`, which points the frame's `stack` at its
        // `StructArea` while the handler runs.
        unsafe {
            (*self.frame)
                .stack
                .add(RESULT_ADDR)
                .cast::<*mut u8>()
                .read()
        }
    }

    /// Sets the struct result to `value`, its Rust twin.
    ///
    /// # Panics
    ///
    /// If the result is not a struct of `T`'s size.
    pub fn set_result<T: Copy>(&self, value: T) {
        let out = self.result_ptr();
        assert!(
            !out.is_null(),
            "the result is not a struct but {}",
            self.prepared.ret_type()
        );
        let size = self.prepared.agg.ret_size as usize;
        assert_eq!(
            size,
            size_of::<T>(),
            "the result is a struct of {size} bytes, set from {} bytes",
            size_of::<T>()
        );
        // SAFETY: `out` has room for the result, of `T`'s size.
        unsafe { out.cast::<T>().write_unaligned(value) };
    }

    /// The size of argument `i` when it is a struct.
    fn struct_size(&self, i: usize) -> Option<usize> {
        let s = self.prepared.args[..self.prepared.len][i];
        if s.ty != Scalar::Struct {
            return None;
        }
        // The slot's unit says which struct argument it is.
        let k = usize::from(s.word) - STRUCT_UNITS;
        Some(self.prepared.agg.sizes[k] as usize)
    }

    /// The spilled register image the entry passed (for a signature with
    /// structs, its `stack` points to a copy of the caller's stack
    /// arguments while the handler runs).
    pub fn frame(&self) -> &Frame {
        // SAFETY: the frame lives on the entry's stack for the whole call.
        unsafe { &*self.frame }
    }

    /// The signature.
    pub fn prepared(&self) -> &Prepared {
        self.prepared
    }
}
