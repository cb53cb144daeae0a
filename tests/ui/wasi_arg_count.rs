// WASI's `fd_write` takes three arguments and hands `nwritten` back through an
// out-pointer: three (value returned) or four (out-pointer passed) are right.
use abi_runtime::{Errno, syscall_bridge};

#[syscall_bridge]
pub unsafe fn fd_write(fd: u32, iovs: *const u8) -> Result<usize, Errno>;

fn main() {}
