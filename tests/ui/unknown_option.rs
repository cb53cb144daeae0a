// Only `name` and `targets` are options.
use abi_runtime::syscall_bridge;

#[syscall_bridge(call = "close")]
pub unsafe fn close(fd: i32) -> Result<usize, abi_runtime::Errno>;

fn main() {}
