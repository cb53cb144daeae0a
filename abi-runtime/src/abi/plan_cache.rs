//! Prepared plans of one-shot calls, kept per (convention, argument types,
//! result type, fixed count): a one-shot call of a signature seen before
//! skips classification. A fixed table in static memory, filled once per
//! entry and never overwritten, so a plan read from it stays valid while
//! other threads add theirs: no allocation, no lock on the hot path. When
//! the table is full, calls prepare their plan on the stack as before.

use core::cell::UnsafeCell;
use core::mem::MaybeUninit;
use core::sync::atomic::{AtomicU8, Ordering};

use super::{Abi, PrepareError, Prepared, Type};

/// The most arguments a cached signature has.
pub(crate) const KEY_ARGS: usize = 16;

/// Entries in the table.
const ENTRIES: usize = 32;

/// Entries looked at from a key's home slot.
const PROBES: usize = 8;

const EMPTY: u8 = 0;
const WRITING: u8 = 1;
const READY: u8 = 2;

/// One type of a key: a scalar by its tag, a struct or array by the address
/// and length of its description (the same description always gives the
/// same plan; an equal one at another address just takes another entry).
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) struct Code {
    tag: u32,
    addr: usize,
}

impl Code {
    pub(crate) const VOID: Code = Code { tag: 0, addr: 0 };

    /// The code of a value's type: its tag, which is its type's
    /// [`Scalar`](super::value::Scalar) (`Value` is `repr(C, u8)` with its
    /// variants in `Scalar`'s order, checked in `value.rs`). A struct value
    /// gets a code no struct type has: it cannot be prepared.
    #[inline(always)]
    pub(crate) fn of_value(v: &super::Value) -> Code {
        // SAFETY: a `repr(C, u8)` enum starts with its `u8` tag.
        let tag = unsafe { core::ptr::from_ref(v).cast::<u8>().read() };
        Code {
            tag: u32::from(tag),
            addr: 0,
        }
    }

    pub(crate) fn of(t: Type) -> Code {
        match t {
            Type::Struct(f) => Code {
                tag: 0x8000_0000 | f.len() as u32,
                addr: f.as_ptr() as usize,
            },
            Type::Array(e, n) => Code {
                tag: 0x4000_0000 | n,
                addr: core::ptr::from_ref(e) as usize,
            },
            t => Code {
                tag: super::value::Scalar::of(t) as u32,
                addr: 0,
            },
        }
    }
}

/// The argument types of a key: given, or those of the values of a call.
#[derive(Clone, Copy)]
pub(crate) enum Types<'a> {
    Given(&'a [Type]),
    OfValues(&'a [super::Value]),
}

impl Types<'_> {
    fn len(&self) -> usize {
        match self {
            Types::Given(t) => t.len(),
            Types::OfValues(v) => v.len(),
        }
    }

    #[inline(always)]
    fn code(&self, i: usize) -> Code {
        match self {
            Types::Given(t) => Code::of(t[i]),
            Types::OfValues(v) => Code::of_value(&v[i]),
        }
    }
}

/// What identifies a plan: looked up without being copied anywhere.
#[derive(Clone, Copy)]
pub(crate) struct Key<'a> {
    abi: usize,
    ret: Code,
    fixed: u8,
    types: Types<'a>,
}

impl<'a> Key<'a> {
    /// The key of a signature (`fixed`: `None` for a function that is not
    /// variadic); `None` when it has too many arguments to be cached.
    pub(crate) fn new(abi: &Abi, types: Types<'a>, ret: Type, fixed: Option<usize>) -> Option<Key<'a>> {
        if types.len() > KEY_ARGS {
            return None;
        }
        Some(Key {
            abi: core::ptr::from_ref(abi) as usize,
            ret: Code::of(ret),
            fixed: fixed.map_or(0xFF, |n| n as u8),
            types,
        })
    }

    #[inline(always)]
    fn hash(&self) -> usize {
        let len = self.types.len();
        let mut h = (self.abi as u64) ^ ((len as u64) << 56) ^ u64::from(self.fixed);
        let mut mix = |c: Code| {
            h = (h ^ u64::from(c.tag) ^ (c.addr as u64)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        };
        for i in 0..len {
            mix(self.types.code(i));
        }
        mix(self.ret);
        (h >> 32) as usize
    }

    /// Whether a stored key is this one.
    #[inline(always)]
    fn matches(&self, k: &Stored) -> bool {
        let len = self.types.len();
        usize::from(k.len) == len
            && k.abi == self.abi
            && k.ret == self.ret
            && k.fixed == self.fixed
            && (0..len).all(|i| k.args[i] == self.types.code(i))
    }

    fn stored(&self) -> Stored {
        let mut args = [Code::VOID; KEY_ARGS];
        for (i, c) in args.iter_mut().enumerate().take(self.types.len()) {
            *c = self.types.code(i);
        }
        Stored {
            abi: self.abi,
            ret: self.ret,
            fixed: self.fixed,
            len: self.types.len() as u8,
            args,
        }
    }
}

/// A key as an entry keeps it.
#[derive(Clone, Copy)]
struct Stored {
    abi: usize,
    ret: Code,
    fixed: u8,
    len: u8,
    args: [Code; KEY_ARGS],
}

struct Entry {
    state: AtomicU8,
    key: UnsafeCell<MaybeUninit<Stored>>,
    plan: UnsafeCell<MaybeUninit<Prepared>>,
}

// SAFETY: `key` and `plan` are written once, by the thread that moved
// `state` from EMPTY to WRITING, and read only after `state` is READY
// (release/acquire); they are never written again.
unsafe impl Sync for Entry {}

#[allow(clippy::declare_interior_mutable_const)] // each array element is its own entry
const NEW: Entry = Entry {
    state: AtomicU8::new(EMPTY),
    key: UnsafeCell::new(MaybeUninit::uninit()),
    plan: UnsafeCell::new(MaybeUninit::uninit()),
};

static TABLE: [Entry; ENTRIES] = [NEW; ENTRIES];

/// Runs `run` with the plan of `key`: the cached one, or one prepared now
/// (and cached if there is room). The hit path moves no plan: a plan is
/// kilobytes, and copying one would cost more than the call.
#[inline(always)]
pub(crate) fn with_plan<R>(
    key: &Key<'_>,
    prepare: impl FnOnce() -> Result<Prepared, PrepareError>,
    run: impl FnOnce(&Prepared) -> R,
) -> Result<R, PrepareError> {
    let home = key.hash();
    for k in 0..PROBES {
        let e = &TABLE[(home + k) % ENTRIES];
        if e.state.load(Ordering::Acquire) == READY {
            // SAFETY: READY entries are written and immutable.
            let (ek, plan) = unsafe { ((*e.key.get()).assume_init_ref(), &*e.plan.get()) };
            if key.matches(ek) {
                // SAFETY: as above.
                return Ok(run(unsafe { plan.assume_init_ref() }));
            }
        }
    }
    miss(key, home, prepare, run)
}

/// Prepares the plan of `key`, caches it in a free entry if there is one, runs `run`.
#[cold]
#[inline(never)]
fn miss<R>(
    key: &Key<'_>,
    home: usize,
    prepare: impl FnOnce() -> Result<Prepared, PrepareError>,
    run: impl FnOnce(&Prepared) -> R,
) -> Result<R, PrepareError> {
    let plan = prepare()?;
    for k in 0..PROBES {
        let e = &TABLE[(home + k) % ENTRIES];
        if e
            .state
            .compare_exchange(EMPTY, WRITING, Ordering::Acquire, Ordering::Relaxed)
            .is_ok()
        {
            // SAFETY: this thread owns the entry (WRITING) until it publishes it.
            unsafe {
                (*e.key.get()).write(key.stored());
                (*e.plan.get()).write(plan);
            }
            e.state.store(READY, Ordering::Release);
            // SAFETY: just written, and immutable from now on.
            return Ok(run(unsafe { (*e.plan.get()).assume_init_ref() }));
        }
    }
    // No free entry near the key's home: this plan serves this call only.
    Ok(run(&plan))
}
