// In the module form, an inner item's #[cfg] gates its whole expansion, errors
// included: a call no target has, under a cfg that is false here, builds.
use abi_runtime::{Errno, syscall_bridge};

#[syscall_bridge]
mod sys {
    /// The process id.
    pub unsafe fn getpid() -> i32;
    /// No spec has this call; only a target that is not being built would see it.
    #[cfg(target_os = "none")]
    pub unsafe fn no_such_call(fd: i32) -> Result<usize, abi_runtime::Errno>;
}

fn main() {
    let _: fn() -> Result<(), Errno> = || Ok(());
    assert_eq!(unsafe { sys::getpid() } as u32, std::process::id());
}
