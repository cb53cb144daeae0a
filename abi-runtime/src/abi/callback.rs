//! Callbacks: foreign-convention code calling a Rust handler chosen at run
//! time, through thunks copied into mapped code blocks (see the module docs
//! of [`crate::abi`] and [`super::thunk_blocks`]).

use core::fmt;
use core::marker::PhantomData;
use core::ptr::{self, NonNull};
use core::sync::atomic::Ordering;

use super::prepared::{REG_UNITS, STACK_BASE, Slot, get, put};
use super::thunk_blocks::{self, MapError, SlotRecord};
use super::{Abi, Frame, Prepared, THUNK_BLOCK, Type, Value};
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
    /// The signature passes structs by value (or duplicates variadic
    /// floats): callbacks do not decode those yet.
    Aggregates {
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
            CallbackError::Aggregates { abi } => write!(
                f,
                "callbacks of {abi} with structs by value or variadic arguments are not supported yet"
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
        s.invoke.store(ptr::null_mut(), Ordering::Relaxed);
        s.prepared.store(ptr::null_mut(), Ordering::Relaxed);
        thunk_blocks::give_back(self.abi, self.slot);
    }
}

unsafe fn invoke<H: Fn(&Args<'_>) -> Value + Sync>(data: *const (), args: &Args<'_>) -> Value {
    // SAFETY: `data` is the `&H` given to `Prepared::callback`, alive while its Callback is.
    let h = unsafe { &*data.cast::<H>() };
    h(args)
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
        if self.has_aggregates() {
            return Err(CallbackError::Aggregates { abi: abi.name });
        }
        let slot = thunk_blocks::take(abi).map_err(|e| match e {
            MapError::Os(errno) => CallbackError::Map {
                abi: abi.name,
                errno,
            },
            MapError::Unsupported => CallbackError::Unsupported { abi: abi.name },
        })?;
        // SAFETY: the slot stays mapped for the life of the process and is ours.
        let s = unsafe { slot.as_ref() };
        s.prepared
            .store(ptr::from_ref(self).cast_mut(), Ordering::Relaxed);
        s.data.store(
            ptr::from_ref(handler).cast::<()>().cast_mut(),
            Ordering::Relaxed,
        );
        s.invoke.store(invoke::<H> as *mut (), Ordering::Release);
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

    /// The raw 64-bit image of argument `i` (upper bits as the caller left them).
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

    /// The spilled register image the entry passed.
    pub fn frame(&self) -> &Frame {
        // SAFETY: the frame lives on the entry's stack for the whole call.
        unsafe { &*self.frame }
    }

    /// The signature.
    pub fn prepared(&self) -> &Prepared {
        self.prepared
    }
}
