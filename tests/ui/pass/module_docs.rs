// Inner attributes of a bridged module (`//!` docs, `#![allow]`), on the
// module and on a module nested in it, stay inside the module's braces (found
// by fuzz/decl_parser: they were emitted before `mod`, where rustc rejects them).
use abi_runtime::syscall_bridge;

#[syscall_bridge]
mod sys {
    //! Raw calls.
    #![allow(dead_code)]

    pub unsafe fn getpid() -> i32;

    pub mod nested {
        //! More raw calls.
        pub unsafe fn getppid() -> i32;
    }
}

fn main() {
    // SAFETY: getpid and getppid have no preconditions.
    let (pid, ppid) = unsafe { (sys::getpid(), sys::nested::getppid()) };
    assert_eq!(pid as u32, std::process::id());
    assert!(ppid > 0);
}
