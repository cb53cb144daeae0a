// WASI's `proc_exit` never returns: the declaration must say `-> !`.
use abi_runtime::{Errno, syscall_bridge};

#[syscall_bridge]
pub unsafe fn proc_exit(code: u32) -> Result<(), Errno>;

fn main() {}
