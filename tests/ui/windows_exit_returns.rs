// Windows' ExitProcess never returns: the declaration must say `-> !`.
use abi_runtime::{Errno, syscall_bridge};

#[syscall_bridge(name = "ExitProcess")]
pub unsafe fn exit_process(code: u32) -> Result<(), Errno>;

#[syscall_bridge(name = "WriteFile")]
pub unsafe fn write_file(file: *mut u8, buf: *const u8, len: u32) -> Result<(), Errno>;

fn main() {}
