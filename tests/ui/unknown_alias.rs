// `name = "..."` naming a call that no target has: the error points at the literal.
use abi_runtime::{Errno, syscall_bridge};

#[syscall_bridge(name = "frobnicate")]
pub unsafe fn frob(fd: i32) -> Result<usize, Errno>;

fn main() {}
