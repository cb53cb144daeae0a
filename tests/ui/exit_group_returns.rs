// `exit_group` never returns: it must be declared `-> !`.
use abi_runtime::{Errno, syscall_bridge};

#[syscall_bridge]
pub unsafe fn exit_group(status: i32) -> Result<usize, Errno>;

fn main() {}
