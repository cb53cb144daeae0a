// Floats never come back in a result register: said on the type.
use abi_runtime::{Errno, syscall_bridge};

#[syscall_bridge]
pub unsafe fn getpid() -> f32;

#[syscall_bridge]
pub unsafe fn getppid() -> Result<f32, Errno>;

fn main() {}
