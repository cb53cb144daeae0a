// A return type without `FromReg`: the trait's own message, on the return type
// (raw and inside `Result`), not on the attribute.
use abi_runtime::{Errno, syscall_bridge};

#[syscall_bridge]
pub unsafe fn getpid() -> String;

#[syscall_bridge]
pub unsafe fn getppid() -> Result<String, Errno>;

fn main() {}
