// WASI's `fd_write` takes three arguments and hands `nwritten` back through an
// out-pointer: three (value returned) or four (out-pointer passed) are right.
use abi_runtime::{Errno, syscall_bridge};

#[syscall_bridge]
pub unsafe fn fd_write(fd: u32, iovs: *const u8) -> Result<usize, Errno>;

fn main() {}

// Each table is checked for its own target: the message about the call's
// own table is gated on that target (tests/tests/expansion.rs, expand_errors,
// shows it); on this host the declaration is an error for linux-x86_64.
