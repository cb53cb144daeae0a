// A declaration that is right for Windows but built for Linux: the stub for
// Windows is fine, and Linux, whose table has no `GetCurrentProcessId`, gets an
// error saying so and how to gate the declaration.
use abi_runtime::syscall_bridge;

#[syscall_bridge(name = "GetCurrentProcessId")]
pub unsafe fn current_process_id() -> Result<u32, abi_runtime::Errno>;

fn main() {}
