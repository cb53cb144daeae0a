//! Waiting until a descriptor is readable, through io_uring where the kernel
//! offers it and epoll otherwise (io_uring is often disabled: old kernels,
//! `kernel.io_uring_disabled`, seccomp profiles of container runtimes, qemu-user).
//! [`io_uring`] probes support once; [`wait_readable`] picks the backend.
//!
//! ```
//! use abi_runtime::readiness;
//! let mut fds = [0i32; 2];
//! // SAFETY: `fds` has room for the two descriptors.
//! unsafe { abi_runtime::linux::pipe2(fds.as_mut_ptr(), 0) }.unwrap();
//! // SAFETY: the buffer is valid.
//! unsafe { abi_runtime::linux::write(fds[1], b"x".as_ptr(), 1) }.unwrap();
//! readiness::wait_readable(fds[0]).unwrap();
//! ```

use core::ffi::c_void;
use core::sync::atomic::{AtomicI32, AtomicU32, Ordering};

use crate::consts as c;
use crate::linux as sys;
use crate::{Errno, probe};

/// How [`wait_readable`] waits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// An `IORING_OP_POLL_ADD` on a one-entry ring.
    IoUring,
    /// `epoll_pwait` on a one-descriptor epoll instance.
    Epoll,
}

/// What the kernel said to `io_uring_setup`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IoUring {
    /// Supported, with these `IORING_FEAT_*` bits.
    Supported {
        /// `io_uring_params.features`.
        features: u32,
    },
    /// Refused with this error.
    Unsupported(Errno),
}

/// `struct io_uring_params`; the offsets after `features` locate the rings.
#[repr(C)]
#[derive(Clone, Copy, Default)]
struct Params {
    sq_entries: u32,
    cq_entries: u32,
    flags: u32,
    sq_thread_cpu: u32,
    sq_thread_idle: u32,
    features: u32,
    wq_fd: u32,
    resv: [u32; 3],
    sq_off: [u32; 10],
    cq_off: [u32; 10],
}

// Positions within io_sqring_offsets / io_cqring_offsets (as u32 indices).
const HEAD: usize = 0;
const TAIL: usize = 1;
const RING_MASK: usize = 2;
const SQ_ARRAY: usize = 6;
const CQ_CQES: usize = 5;
const SQE_SIZE: usize = 64;
const CQE_SIZE: usize = 16;

static PROBED: AtomicI32 = AtomicI32::new(0);
static FEATURES: AtomicU32 = AtomicU32::new(0);

/// Whether this kernel offers io_uring: sets up a one-entry ring, reads its
/// features and closes it. Probed once; later calls return the same answer.
pub fn io_uring() -> IoUring {
    match PROBED.load(Ordering::Relaxed) {
        0 => {
            let mut p = Params::default();
            // SAFETY: `p` is a writable io_uring_params.
            let answer = match unsafe { sys::io_uring_setup(1, (&raw mut p).cast()) } {
                Ok(fd) => {
                    // SAFETY: `fd` was just opened.
                    let _ = unsafe { sys::close(fd) };
                    IoUring::Supported {
                        features: p.features,
                    }
                }
                Err(e) => IoUring::Unsupported(e),
            };
            let code = match answer {
                IoUring::Supported { features } => {
                    FEATURES.store(features, Ordering::Relaxed);
                    -1
                }
                IoUring::Unsupported(e) => e.raw(),
            };
            PROBED.store(code, Ordering::Relaxed);
            answer
        }
        -1 => IoUring::Supported {
            features: FEATURES.load(Ordering::Relaxed),
        },
        e => IoUring::Unsupported(Errno::from_raw(e)),
    }
}

/// Blocks until `fd` is readable; returns the backend that waited.
pub fn wait_readable(fd: i32) -> Result<Backend, Errno> {
    let backend = match io_uring() {
        IoUring::Supported { .. } => Backend::IoUring,
        IoUring::Unsupported(_) => Backend::Epoll,
    };
    wait_readable_with(backend, fd)?;
    Ok(backend)
}

/// Blocks until `fd` is readable, with the given backend.
pub fn wait_readable_with(backend: Backend, fd: i32) -> Result<(), Errno> {
    match backend {
        Backend::IoUring => poll_io_uring(fd),
        Backend::Epoll => poll_epoll(fd),
    }
}

/// A mapping that is unmapped when dropped.
struct Mapping {
    addr: *mut u8,
    len: usize,
}

impl Mapping {
    /// Maps `len` bytes of the ring at `offset` (an `IORING_OFF_*`, all below 2^63).
    fn new(ring: i32, len: usize, offset: u64) -> Result<Mapping, Errno> {
        let offset = i64::try_from(offset).map_err(|_| Errno::EINVAL)?;
        let prot = c::PROT_READ | c::PROT_WRITE;
        let flags = c::MAP_SHARED | c::MAP_POPULATE;
        // SAFETY: a shared mapping of the ring's own memory, where the kernel chooses.
        let addr = unsafe { sys::mmap(core::ptr::null_mut(), len, prot, flags, ring, offset)? };
        Ok(Mapping {
            addr: addr.cast(),
            len,
        })
    }

    /// The `u32` at byte `offset`, as an atomic shared with the kernel.
    fn u32_at(&self, offset: u32) -> &AtomicU32 {
        // SAFETY: the offsets come from the kernel's io_uring_params for this
        // mapping, and ring fields are aligned u32s that the kernel updates.
        unsafe { &*self.addr.add(offset as usize).cast::<AtomicU32>() }
    }
}

impl Drop for Mapping {
    fn drop(&mut self) {
        // SAFETY: this mapping is not used after the drop.
        let _ = unsafe { sys::munmap(self.addr.cast::<c_void>(), self.len) };
    }
}

/// A descriptor closed when dropped.
struct Fd(i32);

impl Drop for Fd {
    fn drop(&mut self) {
        // SAFETY: the descriptor is owned here.
        let _ = unsafe { sys::close(self.0) };
    }
}

fn poll_io_uring(fd: i32) -> Result<(), Errno> {
    let mut p = Params::default();
    // SAFETY: `p` is a writable io_uring_params.
    let ring = Fd(unsafe { sys::io_uring_setup(1, (&raw mut p).cast())? });
    let sq_len = p.sq_off[SQ_ARRAY] as usize + p.sq_entries as usize * 4;
    let cq_len = p.cq_off[CQ_CQES] as usize + p.cq_entries as usize * CQE_SIZE;
    let sq = Mapping::new(ring.0, sq_len.max(cq_len), c::IORING_OFF_SQ_RING)?;
    let cq = Mapping::new(ring.0, cq_len, c::IORING_OFF_CQ_RING)?;
    let sqes = Mapping::new(ring.0, p.sq_entries as usize * SQE_SIZE, c::IORING_OFF_SQES)?;

    let tail = sq.u32_at(p.sq_off[TAIL]).load(Ordering::Acquire);
    let index = tail & sq.u32_at(p.sq_off[RING_MASK]).load(Ordering::Relaxed);
    let mut sqe = [0u8; SQE_SIZE];
    sqe[0] = c::IORING_OP_POLL_ADD;
    sqe[4..8].copy_from_slice(&fd.to_ne_bytes());
    // `poll32_events`: the kernel swaps its 16-bit halves on big-endian
    // targets (io_uring's poll ABI keeps the 16-bit `poll_events` position).
    let mask = c::POLLIN as u32;
    let mask = if cfg!(target_endian = "big") {
        mask.rotate_left(16)
    } else {
        mask
    };
    sqe[28..32].copy_from_slice(&mask.to_ne_bytes());
    // SAFETY: entry `index` of the SQE array lies inside `sqes`.
    unsafe {
        core::ptr::copy_nonoverlapping(
            sqe.as_ptr(),
            sqes.addr.add(index as usize * SQE_SIZE),
            SQE_SIZE,
        )
    };
    sq.u32_at(p.sq_off[SQ_ARRAY] + 4 * index)
        .store(index, Ordering::Relaxed);
    sq.u32_at(p.sq_off[TAIL])
        .store(tail.wrapping_add(1), Ordering::Release);
    loop {
        let getevents = c::IORING_ENTER_GETEVENTS;
        // SAFETY: no signal mask is passed.
        match unsafe { sys::io_uring_enter(ring.0, 1, 1, getevents, core::ptr::null(), 0) } {
            Err(Errno::EINTR) => continue,
            Err(e) => return Err(e),
            Ok(_) => break,
        }
    }
    let head = cq.u32_at(p.cq_off[HEAD]).load(Ordering::Acquire);
    if cq.u32_at(p.cq_off[TAIL]).load(Ordering::Acquire) == head {
        return Err(Errno::EIO);
    }
    let slot = head & cq.u32_at(p.cq_off[RING_MASK]).load(Ordering::Relaxed);
    // `res` of the CQE: the poll mask, or -errno.
    let res = cq
        .u32_at(p.cq_off[CQ_CQES] + slot * CQE_SIZE as u32 + 8)
        .load(Ordering::Relaxed) as i32;
    cq.u32_at(p.cq_off[HEAD])
        .store(head.wrapping_add(1), Ordering::Release);
    drop((sqes, cq, sq, ring));
    if res < 0 {
        Err(Errno::from_raw(-res))
    } else {
        Ok(())
    }
}

fn poll_epoll(fd: i32) -> Result<(), Errno> {
    // SAFETY: no memory is passed.
    let ep = Fd(unsafe { sys::epoll_create1(c::EPOLL_CLOEXEC)? });
    // struct epoll_event differs between arches (packed on some): its layout is the spec's.
    let mut event = crate::layouts::EpollEvent::zeroed();
    event.set_events(i64::from(c::EPOLLIN));
    event.set_data(i64::from(fd));
    // SAFETY: `event` is an epoll_event.
    unsafe { sys::epoll_ctl(ep.0, c::EPOLL_CTL_ADD, fd, event.as_ptr())? };
    let mut out = crate::layouts::EpollEvent::zeroed();
    loop {
        // SAFETY: `out` has room for one epoll_event; no signal mask.
        match unsafe { sys::epoll_pwait(ep.0, out.as_mut_ptr(), 1, -1, core::ptr::null(), 0) } {
            Err(Errno::EINTR) => continue,
            Err(e) => return Err(e),
            Ok(_) => return Ok(()),
        }
    }
}

/// The probe line for io_uring, for reports next to [`probe::report`].
pub fn report() -> probe::Probed {
    let choice = match io_uring() {
        IoUring::Supported { .. } => probe::Choice::Primary,
        IoUring::Unsupported(e) => probe::Choice::Fallback(e),
    };
    probe::Probed {
        call: "io_uring_setup",
        choice,
        fallback: "epoll for readiness waits",
    }
}
