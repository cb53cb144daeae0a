// A bridged call has no body: the stub comes from the spec.
use abi_runtime::syscall_bridge;

#[syscall_bridge]
pub unsafe fn getpid() -> Result<i32, abi_runtime::Errno> {
    Ok(1)
}

fn main() {}
