// The declaration must say what the call returns.
use abi_runtime::syscall_bridge;

#[syscall_bridge]
pub unsafe fn close(fd: i32);

fn main() {}
