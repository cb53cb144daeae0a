// WASI's `proc_exit` never returns: the declaration must say `-> !`.
use abi_runtime::{Errno, syscall_bridge};

#[syscall_bridge]
pub unsafe fn proc_exit(code: u32) -> Result<(), Errno>;

fn main() {}

// Each table is checked for its own target: the message about the call's
// own table is gated on that target (tests/tests/expansion.rs, expand_errors,
// shows it); on this host the declaration is an error for linux-x86_64.
