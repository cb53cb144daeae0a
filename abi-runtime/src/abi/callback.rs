//! Callbacks: foreign-convention code calling a Rust handler chosen at run
//! time, through a pool of pre-generated thunks (see the module docs of
//! [`crate::abi`]).

use core::fmt;
use core::marker::PhantomData;
use core::ptr;
use core::sync::atomic::{AtomicBool, AtomicPtr, Ordering};

use super::prepared::{REG_UNITS, STACK_BASE, Slot, get, put};
use super::{ABI_COUNT, Frame, POOL_PER_ABI, Prepared, Type, Value};

/// Calls the handler behind `data` (a `&H`).
type Invoke = unsafe fn(*const (), &Args<'_>) -> Value;

/// One slot of the pool: which signature and handler its thunk runs.
struct PoolSlot {
    taken: AtomicBool,
    prepared: AtomicPtr<Prepared>,
    data: AtomicPtr<()>,
    invoke: AtomicPtr<()>,
}

impl PoolSlot {
    const fn free() -> PoolSlot {
        PoolSlot {
            taken: AtomicBool::new(false),
            prepared: AtomicPtr::new(ptr::null_mut()),
            data: AtomicPtr::new(ptr::null_mut()),
            invoke: AtomicPtr::new(ptr::null_mut()),
        }
    }
}

static POOL: [PoolSlot; ABI_COUNT * POOL_PER_ABI] =
    [const { PoolSlot::free() }; ABI_COUNT * POOL_PER_ABI];

/// Why a callback could not be bound.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallbackError {
    /// Every thunk of the convention is bound to a live [`Callback`].
    PoolExhausted {
        /// The convention.
        abi: &'static str,
        /// Its number of thunks.
        capacity: usize,
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
            CallbackError::PoolExhausted { abi, capacity } => write!(
                f,
                "all {capacity} callback thunks of {abi} are in use; drop a Callback to free one"
            ),
            CallbackError::Aggregates { abi } => write!(
                f,
                "callbacks of {abi} with structs by value or variadic arguments are not supported yet"
            ),
        }
    }
}

impl core::error::Error for CallbackError {}

/// A Rust handler bound to a thunk of a convention's pool: [`Callback::code`]
/// is a function of that convention with the prepared signature. Dropping it
/// frees the thunk.
pub struct Callback<'a> {
    slot: usize,
    code: *const (),
    _borrows: PhantomData<&'a ()>,
}

impl fmt::Debug for Callback<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Callback")
            .field("slot", &self.slot)
            .field("code", &self.code)
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
    /// be called after the `Callback` is dropped.
    pub fn code(&self) -> *const () {
        self.code
    }

    /// The pool slot it occupies.
    pub fn slot(&self) -> usize {
        self.slot
    }
}

impl Drop for Callback<'_> {
    fn drop(&mut self) {
        let s = &POOL[self.slot];
        s.prepared.store(ptr::null_mut(), Ordering::Relaxed);
        s.data.store(ptr::null_mut(), Ordering::Relaxed);
        s.invoke.store(ptr::null_mut(), Ordering::Relaxed);
        s.taken.store(false, Ordering::Release);
    }
}

unsafe fn invoke<H: Fn(&Args<'_>) -> Value + Sync>(data: *const (), args: &Args<'_>) -> Value {
    // SAFETY: `data` is the `&H` given to `Prepared::callback`, alive while its Callback is.
    let h = unsafe { &*data.cast::<H>() };
    h(args)
}

impl Prepared {
    /// Binds `handler` to a free thunk of the convention's pool. Foreign code
    /// calling [`Callback::code`] with the prepared signature runs `handler`
    /// with the arguments; its result goes back the convention's way (a value
    /// of another type than the prepared result is returned as its bits).
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
        for (k, thunk) in abi.thunks.iter().enumerate() {
            let slot = abi.pool_base + k;
            let s = &POOL[slot];
            if s.taken
                .compare_exchange(false, true, Ordering::Acquire, Ordering::Relaxed)
                .is_err()
            {
                continue;
            }
            s.prepared
                .store(ptr::from_ref(self).cast_mut(), Ordering::Relaxed);
            s.data.store(
                ptr::from_ref(handler).cast::<()>().cast_mut(),
                Ordering::Relaxed,
            );
            s.invoke.store(invoke::<H> as *mut (), Ordering::Release);
            return Ok(Callback {
                slot,
                code: *thunk as *const (),
                _borrows: PhantomData,
            });
        }
        Err(CallbackError::PoolExhausted {
            abi: abi.name,
            capacity: abi.thunks.len(),
        })
    }
}

/// Called by every convention's callback entry, with the host convention.
/// Returns 1 when the handler's result is a float, else 0: an entry whose
/// convention returns floats on a register stack (x87) pushes it only then.
pub(crate) unsafe extern "C" fn dispatch(frame: *mut Frame, slot: usize) -> usize {
    let Some(s) = POOL.get(slot) else {
        panic!("abi-bridge: callback slot {slot} does not exist");
    };
    let invoke = s.invoke.load(Ordering::Acquire);
    let (prepared, data) = (
        s.prepared.load(Ordering::Relaxed),
        s.data.load(Ordering::Relaxed),
    );
    if invoke.is_null() || prepared.is_null() {
        panic!(
            "abi-bridge: the thunk of callback slot {slot} was called after its Callback was dropped"
        );
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
    pub fn len(&self) -> usize {
        self.prepared.len
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.prepared.len == 0
    }

    /// The raw 64-bit image of argument `i` (upper bits as the caller left them).
    ///
    /// # Panics
    ///
    /// If `i >= self.len()`.
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
