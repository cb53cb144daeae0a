// A 128-bit integer is wider than a register.
use abi_runtime::{Errno, syscall_bridge};

#[syscall_bridge]
pub unsafe fn lseek(fd: i32, offset: i128, whence: u32) -> Result<usize, Errno>;

fn main() {}
