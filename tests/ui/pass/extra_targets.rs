// A module of bridged declarations, with an extra spec folder next to the
// built-in targets. It is compiled and run on the host (Linux).
//
// `targets` is relative to CARGO_MANIFEST_DIR, which trybuild sets to the
// project it generates at `<target-dir>/tests/trybuild/abi-tests/`; four `..`
// climb back to the workspace root (see tests/ui.rs).
use core::ptr::NonNull;

use abi_runtime::{Errno, RegArg, syscall_bridge};

/// A file descriptor passed as its own type.
#[repr(transparent)]
#[derive(Clone, Copy)]
pub struct Fd(i32);

impl RegArg for Fd {
    fn into_reg(self) -> usize {
        self.0.into_reg()
    }
}

#[syscall_bridge(targets = "../../../../tests/ui/specs/extra")]
mod sys {
    use super::Fd;
    use abi_runtime::Errno;
    use core::ptr::NonNull;

    pub unsafe fn write(fd: Fd, buf: Option<NonNull<u8>>, count: usize) -> Result<usize, Errno>;
    pub unsafe fn getpid() -> usize;
    #[syscall_bridge(name = "newfstatat")]
    pub unsafe fn fstatat(
        dirfd: Fd,
        path: *const u8,
        buf: *mut u8,
        flags: i32,
    ) -> Result<(), Errno>;
    pub unsafe fn exit_group(status: i32) -> !;
}

fn main() {
    // SAFETY: fd -1 is never open; the kernel rejects it before reading `buf`.
    let r = unsafe { sys::write(Fd(-1), None, 1) };
    assert_eq!(r, Err(Errno::EBADF));
    let msg = b"bridged\n";
    // SAFETY: the buffer is valid for `msg.len()` bytes.
    let n = unsafe { sys::write(Fd(1), NonNull::new(msg.as_ptr().cast_mut()), msg.len()) };
    assert_eq!(n, Ok(msg.len()));
    // SAFETY: getpid has no preconditions.
    let pid = unsafe { sys::getpid() };
    assert_eq!(pid, std::process::id() as usize);
    // SAFETY: the path is NUL-terminated; fd -1 with a relative path is EBADF
    // before the kernel writes to `buf`.
    let r = unsafe { sys::fstatat(Fd(-1), c"x".as_ptr().cast(), core::ptr::null_mut(), 0) };
    assert_eq!(r, Err(Errno::EBADF));
    // SAFETY: exiting with status 0 ends the test successfully.
    unsafe { sys::exit_group(0) }
}
