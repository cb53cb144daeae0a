//! Linux: the code block lives in a `memfd` written with `pwrite64` (never
//! mapped writable); each block is a `PROT_READ | PROT_EXEC` shared mapping
//! of it at a fixed address inside a fresh reservation, followed by an
//! anonymous read-write data block.

use core::ffi::c_void;

use super::MapError;
use crate::Errno;
use crate::consts as c;
use crate::linux as sys;
use crate::syscall_bridge;

#[syscall_bridge]
mod calls {
    use crate::Errno;

    /// Creates an anonymous file (`name` is NUL-terminated).
    pub unsafe fn memfd_create(name: *const u8, flags: u32) -> Result<i32, Errno>;
}

pub(super) fn yield_now() {
    // SAFETY: no memory is passed; a refusal only means no yield.
    let _ = unsafe { sys::sched_yield() };
}

/// Bytes written per `pwrite64`: a multiple of every thunk stride.
const CHUNK: usize = 4096;

/// A memfd of `block` bytes holding copies of `thunk`, one per `thunk.len()`.
pub(super) fn code_object(thunk: &[u8], block: usize) -> Result<usize, MapError> {
    // SAFETY: the name is NUL-terminated.
    let fd = unsafe { calls::memfd_create(c"abi-bridge-thunks".as_ptr().cast(), c::MFD_CLOEXEC) }
        .map_err(MapError::Os)?;
    let mut chunk = [0u8; CHUNK];
    for (k, b) in chunk.iter_mut().enumerate() {
        *b = thunk[k % thunk.len()];
    }
    let mut at = 0;
    while at < block {
        let n = CHUNK.min(block - at);
        // SAFETY: `chunk` is valid for reads of `n` bytes.
        match unsafe { sys::pwrite64(fd, chunk.as_ptr(), n, at as i64) } {
            Ok(0) => return Err(fail(fd, Errno::EIO)),
            Ok(w) => at += w,
            Err(Errno::EINTR) => {}
            Err(e) => return Err(fail(fd, e)),
        }
    }
    Ok(fd as usize)
}

fn fail(fd: i32, e: Errno) -> MapError {
    // SAFETY: `fd` is ours and not used again.
    let _ = unsafe { sys::close(fd) };
    MapError::Os(e)
}

/// Maps the code object read-and-execute at a new address with `block`
/// zeroed read-write bytes right after it; returns the code's address.
pub(super) fn map_pair(code: usize, block: usize) -> Result<*mut u8, MapError> {
    let private = c::MAP_PRIVATE | c::MAP_ANONYMOUS;
    // SAFETY: a fresh reservation the kernel places; nothing else uses it.
    let base = unsafe {
        sys::mmap(core::ptr::null_mut(), 2 * block, c::PROT_NONE, private, -1, 0)
    }
    .map_err(MapError::Os)?;
    let at = |off: usize| base.cast::<u8>().wrapping_add(off).cast::<c_void>();
    // SAFETY: both fixed mappings replace parts of the reservation just made.
    let mapped = unsafe {
        sys::mmap(
            at(0),
            block,
            c::PROT_READ | c::PROT_EXEC,
            c::MAP_SHARED | c::MAP_FIXED,
            code as i32,
            0,
        )
        .and_then(|_| {
            sys::mmap(
                at(block),
                block,
                c::PROT_READ | c::PROT_WRITE,
                private | c::MAP_FIXED,
                -1,
                0,
            )
        })
    };
    match mapped {
        Ok(_) => Ok(base.cast()),
        Err(e) => {
            // SAFETY: the reservation is ours and nothing refers to it.
            let _ = unsafe { sys::munmap(base, 2 * block) };
            Err(MapError::Os(e))
        }
    }
}
