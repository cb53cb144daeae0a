// Tuples and arrays do not fit one register.
use abi_runtime::{Errno, syscall_bridge};

#[syscall_bridge]
pub unsafe fn pipe2(fds: (i32, i32), flags: i32) -> Result<usize, Errno>;

#[syscall_bridge]
pub unsafe fn kill(pid: [i32; 1], sig: i32) -> Result<usize, Errno>;

fn main() {}
