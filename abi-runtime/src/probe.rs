//! Probed calls: a declaration can name a fallback
//! (`#[syscall_bridge(fallback = path, fallback_on = "ENOSYS, EPERM")]`). The
//! first call tries the bridged call; if it fails with a listed error (old
//! kernels, seccomp filters, containers), its slot switches to the fallback for
//! the life of the process. Later calls cost one load of the slot. Each slot is
//! a `static` named after the function (`STATX_PROBE` for `statx`), and
//! `report` (Linux) lists the runtime's own.

use core::sync::atomic::{AtomicI32, AtomicU8, Ordering};

use crate::Errno;

/// Slot state: not called yet.
pub const UNTRIED: u8 = 0;
/// Slot state: the bridged call works.
pub const PRIMARY: u8 = 1;
/// Slot state: the bridged call failed with a listed error; the fallback runs.
pub const FALLBACK: u8 = 2;

/// What a probed call chose.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Choice {
    /// Not called yet.
    Untried,
    /// The bridged call.
    Primary,
    /// The fallback, since the bridged call failed with this error.
    Fallback(Errno),
}

/// The dispatch slot of one probed call.
#[derive(Debug)]
pub struct Slot {
    call: &'static str,
    state: AtomicU8,
    errno: AtomicI32,
}

impl Slot {
    /// A slot for `call`, untried.
    pub const fn new(call: &'static str) -> Self {
        Slot {
            call,
            state: AtomicU8::new(UNTRIED),
            errno: AtomicI32::new(0),
        }
    }

    /// The call's name.
    pub fn call(&self) -> &'static str {
        self.call
    }

    /// The state ([`UNTRIED`], [`PRIMARY`] or [`FALLBACK`]); used by the generated code.
    #[inline(always)]
    pub fn state(&self) -> u8 {
        self.state.load(Ordering::Relaxed)
    }

    /// Records that the bridged call works.
    #[cold]
    pub fn confirm(&self) {
        let _ = self
            .state
            .compare_exchange(UNTRIED, PRIMARY, Ordering::Relaxed, Ordering::Relaxed);
    }

    /// Switches to the fallback for good, remembering why.
    #[cold]
    pub fn switch(&self, why: Errno) {
        self.errno.store(why.raw(), Ordering::Relaxed);
        self.state.store(FALLBACK, Ordering::Release);
    }

    /// What the call chose.
    pub fn choice(&self) -> Choice {
        match self.state.load(Ordering::Acquire) {
            UNTRIED => Choice::Untried,
            PRIMARY => Choice::Primary,
            _ => Choice::Fallback(Errno::from_raw(self.errno.load(Ordering::Relaxed))),
        }
    }
}

/// One line of `report` (Linux).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Probed {
    /// The call.
    pub call: &'static str,
    /// What it chose so far.
    pub choice: Choice,
    /// What the fallback does.
    pub fallback: &'static str,
}

/// The runtime's probed calls (`abi_runtime::probed`) and what each chose.
#[cfg(target_os = "linux")]
pub fn report() -> [Probed; 4] {
    use crate::probed::{CLONE3_PROBE, GETRANDOM_PROBE, PIDFD_OPEN_PROBE, STATX_PROBE};
    [
        Probed {
            call: "statx",
            choice: STATX_PROBE.choice(),
            fallback: "newfstatat, translated into struct statx",
        },
        Probed {
            call: "clone3",
            choice: CLONE3_PROBE.choice(),
            fallback: "clone, with the arguments of struct clone_args",
        },
        Probed {
            call: "getrandom",
            choice: GETRANDOM_PROBE.choice(),
            fallback: "reading /dev/urandom",
        },
        Probed {
            call: "pidfd_open",
            choice: PIDFD_OPEN_PROBE.choice(),
            fallback: "none: pidfd_open needs Linux 5.3 and no seccomp filter against it; the error is returned",
        },
    ]
}
