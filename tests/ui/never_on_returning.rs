// `write` returns: it cannot be declared `-> !`.
use abi_runtime::syscall_bridge;

#[syscall_bridge]
pub unsafe fn write(fd: i32, buf: *const u8, count: usize) -> !;

fn main() {}
