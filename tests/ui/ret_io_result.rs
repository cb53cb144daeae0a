// `io::Result` is not the decoded form: said on the return type, with the fix.
use abi_runtime::syscall_bridge;
use std::io;

#[syscall_bridge]
pub unsafe fn getpid() -> io::Result<usize>;

fn main() {}
