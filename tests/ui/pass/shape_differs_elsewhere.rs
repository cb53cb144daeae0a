// Declarations that disagree with another target's table only (see
// tests/ui/specs/other_shape): the errors are gated on that target's cfg, so
// the host builds and the calls work. Paths as in extra_targets.rs.
use abi_runtime::syscall_bridge;

#[syscall_bridge(targets = "../../../../tests/ui/specs/other_shape")]
mod sys {
    /// One argument fewer than the other target's table says.
    pub unsafe fn getppid() -> i32;
    /// Returns on the other target.
    pub unsafe fn exit_group(status: i32) -> !;
}

fn main() {
    // SAFETY: getppid has no preconditions.
    assert_eq!(unsafe { sys::getppid() } as u32, std::os::unix::process::parent_id());
    // SAFETY: exiting with status 0 ends the test successfully.
    unsafe { sys::exit_group(0) }
}
