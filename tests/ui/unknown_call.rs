// A misspelt call name: the error points at the name and suggests the closest call.
use abi_runtime::{Errno, syscall_bridge};

#[syscall_bridge]
pub unsafe fn writte(fd: i32, buf: *const u8, count: usize) -> Result<usize, Errno>;

fn main() {}
