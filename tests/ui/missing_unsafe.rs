// The declaration must be `unsafe fn`.
use abi_runtime::{Errno, syscall_bridge};

#[syscall_bridge]
pub fn close(fd: i32) -> Result<usize, Errno>;

fn main() {}
