// `write` takes three arguments; the error names the spec file and line.
use abi_runtime::{Errno, syscall_bridge};

#[syscall_bridge]
pub unsafe fn write(fd: i32, buf: *const u8) -> Result<usize, Errno>;

fn main() {}
