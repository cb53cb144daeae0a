// References are refused: the kernel does not respect borrows.
use abi_runtime::{Errno, syscall_bridge};

#[syscall_bridge]
pub unsafe fn write(fd: i32, buf: &[u8], count: usize) -> Result<usize, Errno>;

fn main() {}
