//! Callback slots without a fixed limit, and without a page that is ever
//! writable and executable.
//!
//! A convention's generated thunk (`thunk_<abi>`) is a few instructions that
//! put the address [`THUNK_BLOCK`] bytes past their own first instruction in
//! a scratch register and jump to the word stored there. The runtime writes
//! copies of it, one per `thunk_stride` bytes, into a **code block** of
//! `THUNK_BLOCK` bytes held by an OS object that is never mapped writable
//! (a `memfd` on Linux, written with `pwrite`; a pagefile-backed section on
//! Windows, written through a view that is unmapped before any executable
//! view exists). Each time the free slots run out, that object is mapped
//! once more, read-and-execute, with a fresh read-write **data block** right
//! after it: thunk `k` of the mapping finds data slot `k` of its data block
//! at its own address + `THUNK_BLOCK`. A data slot is a [`SlotRecord`]: the
//! entry the thunk jumps to, then what the dispatcher needs.
//!
//! Binding and dropping a callback takes and returns a slot on a per-ABI free
//! list under a short spin lock: no mapping on that path unless the list is
//! empty. Blocks are never unmapped (a foreign caller may still hold a thunk
//! address after its callback is dropped; calling it then reaches the
//! dispatcher's "called after drop" check, not unmapped memory).

use core::ptr::{self, NonNull};
use core::sync::atomic::{AtomicBool, AtomicPtr, AtomicUsize, Ordering};

use super::{ABI_COUNT, ABIS, Abi, Prepared, THUNK_BLOCK};
use crate::Errno;

#[cfg(target_os = "linux")]
#[path = "thunk_blocks/linux.rs"]
mod os;
#[cfg(windows)]
#[path = "thunk_blocks/windows.rs"]
mod os;
#[cfg(not(any(target_os = "linux", windows)))]
#[path = "thunk_blocks/none.rs"]
mod os;

/// One data slot: what a thunk and the dispatcher read. The thunk reads
/// `entry` (at offset 0) with a plain, word-sized load: it is set when the
/// block is mapped and again when the slot is bound, before the thunk's
/// address is handed out (to the popping entry for a struct result the
/// callee pops the address of, on i386).
#[repr(C)]
pub(crate) struct SlotRecord {
    /// The convention's callback entry (`entry_<abi>`, or `entry_pop_<abi>`).
    pub(crate) entry: AtomicPtr<()>,
    /// The handler's invoker; null while the slot is free.
    pub(crate) invoke: AtomicPtr<()>,
    /// The handler; the next free slot while the slot is free.
    pub(crate) data: AtomicPtr<()>,
    /// The prepared signature; null while the slot is free.
    pub(crate) prepared: AtomicPtr<Prepared>,
}

/// A convention's free slots and its code object.
struct Blocks {
    lock: AtomicBool,
    /// Head of the free list (linked through `SlotRecord::data`); only
    /// touched under `lock`.
    free: AtomicPtr<SlotRecord>,
    /// The OS object holding the code block (0: not created yet).
    code: AtomicUsize,
    /// Blocks mapped so far.
    mapped: AtomicUsize,
}

static BLOCKS: [Blocks; ABI_COUNT] = [const {
    Blocks {
        lock: AtomicBool::new(false),
        free: AtomicPtr::new(ptr::null_mut()),
        code: AtomicUsize::new(0),
        mapped: AtomicUsize::new(0),
    }
}; ABI_COUNT];

struct Locked<'a>(&'a Blocks);

impl Drop for Locked<'_> {
    fn drop(&mut self) {
        self.0.lock.store(false, Ordering::Release);
    }
}

impl Blocks {
    fn lock(&self) -> Locked<'_> {
        let mut spins = 0u32;
        while self
            .lock
            .compare_exchange_weak(false, true, Ordering::Acquire, Ordering::Relaxed)
            .is_err()
        {
            spins += 1;
            if spins < 64 {
                core::hint::spin_loop();
            } else {
                // Mapping a block takes a few system calls: let its thread run.
                os::yield_now();
            }
        }
        Locked(self)
    }
}

fn blocks_of(abi: &'static Abi) -> &'static Blocks {
    // A copy of a convention with other struct rules (`Abi::with_aggregates`)
    // has the same thunk and entry: it shares the blocks of the original.
    let k = ABIS
        .iter()
        .position(|a| ptr::eq(a, abi))
        .or_else(|| ABIS.iter().position(|a| a.name == abi.name))
        .unwrap_or_default();
    &BLOCKS[k]
}

/// Why a block of thunks could not be mapped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum MapError {
    /// The OS refused (address space or mapping limits, or no such call).
    Os(Errno),
    /// This OS has no way to map code here.
    Unsupported,
}

/// Takes a free slot of `abi`, mapping a new block when there is none.
/// Returns the slot; its thunk is at `slot - THUNK_BLOCK`.
pub(crate) fn take(abi: &'static Abi) -> Result<NonNull<SlotRecord>, MapError> {
    let b = blocks_of(abi);
    let _held = b.lock();
    if b.free.load(Ordering::Relaxed).is_null() {
        map_block(abi, b)?;
    }
    let head = b.free.load(Ordering::Relaxed);
    let slot = NonNull::new(head).ok_or(MapError::Unsupported)?;
    // SAFETY: free slots are records of a mapped data block.
    let next = unsafe { slot.as_ref() }.data.load(Ordering::Relaxed);
    b.free.store(next.cast(), Ordering::Relaxed);
    Ok(slot)
}

/// Returns a slot of `abi` (its handler fields already cleared) to the free list.
pub(crate) fn give_back(abi: &'static Abi, slot: NonNull<SlotRecord>) {
    let b = blocks_of(abi);
    let _held = b.lock();
    // SAFETY: the slot is a record of a mapped data block, no longer bound.
    unsafe { slot.as_ref() }
        .data
        .store(b.free.load(Ordering::Relaxed).cast(), Ordering::Relaxed);
    b.free.store(slot.as_ptr(), Ordering::Relaxed);
}

/// Slots per block of `abi`.
pub(crate) fn per_block(abi: &Abi) -> usize {
    THUNK_BLOCK / abi.thunk_stride
}

/// Blocks mapped so far for `abi`.
pub(crate) fn mapped(abi: &'static Abi) -> usize {
    blocks_of(abi).mapped.load(Ordering::Relaxed)
}

fn map_block(abi: &'static Abi, b: &Blocks) -> Result<(), MapError> {
    let stride = abi.thunk_stride;
    debug_assert!(size_of::<SlotRecord>() <= stride && THUNK_BLOCK.is_multiple_of(stride));
    let mut code = b.code.load(Ordering::Relaxed);
    if code == 0 {
        // The thunk's first byte: its address without the instruction-set
        // bits (a Thumb-state build tags its functions, this one included,
        // though the thunk itself is assembled for the state the arch says).
        let at = (abi.thunk as *const ()).cast::<u8>();
        let start = at.wrapping_sub(at as usize & abi.thunk_tag);
        // SAFETY: the generated thunk is padded to `stride` bytes of text.
        let thunk = unsafe { core::slice::from_raw_parts(start, stride) };
        code = os::code_object(thunk, THUNK_BLOCK)?;
        b.code.store(code, Ordering::Relaxed);
    }
    let base = os::map_pair(code, THUNK_BLOCK)?;
    // SAFETY: `map_pair` mapped THUNK_BLOCK zeroed read-write bytes after the code.
    let data = unsafe { base.add(THUNK_BLOCK) };
    let entry = abi.entry as *mut ();
    let mut head = b.free.load(Ordering::Relaxed);
    for k in (0..THUNK_BLOCK / stride).rev() {
        // SAFETY: slot `k` lies inside the data block, aligned to `stride`.
        let rec = unsafe { &*data.add(k * stride).cast::<SlotRecord>() };
        rec.entry.store(entry, Ordering::Relaxed);
        rec.data.store(head.cast(), Ordering::Relaxed);
        head = ptr::from_ref(rec).cast_mut();
    }
    // The release store of the lock publishes `entry` before any thunk
    // address leaves `take`.
    b.free.store(head, Ordering::Relaxed);
    b.mapped.fetch_add(1, Ordering::Relaxed);
    Ok(())
}
