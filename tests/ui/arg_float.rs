// Floats never travel in syscall argument registers.
use abi_runtime::{Errno, syscall_bridge};

#[syscall_bridge]
pub unsafe fn nanosleep(request: f64, remain: *mut u8) -> Result<usize, Errno>;

fn main() {}
