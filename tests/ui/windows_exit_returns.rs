// Windows' ExitProcess never returns: the declaration must say `-> !`.
use abi_runtime::{Errno, syscall_bridge};

#[syscall_bridge(name = "ExitProcess")]
pub unsafe fn exit_process(code: u32) -> Result<(), Errno>;

#[syscall_bridge(name = "WriteFile")]
pub unsafe fn write_file(file: *mut u8, buf: *const u8, len: u32) -> Result<(), Errno>;

fn main() {}

// Each table is checked for its own target: the message about the call's
// own table is gated on that target (tests/tests/expansion.rs, expand_errors,
// shows it); on this host the declaration is an error for linux-x86_64.
