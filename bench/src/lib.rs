//! The candidates of the stub benchmarks: the same loop of `black_box(getppid())`
//! through each implementation. Each loop is its own non-inlined function so
//! instruction counts and timings measure the loop and the stub inside it.
#![allow(clippy::undocumented_unsafe_blocks)] // every unsafe block is getppid, which has no preconditions

use std::hint::black_box;

use abi_runtime::{Errno, syscall_bridge};

#[syscall_bridge(name = "getppid")]
unsafe fn getppid_checked() -> Result<usize, Errno>;

/// Hand-written inline asm: the reference every row is compared with.
#[inline(always)]
fn hand_getppid() -> usize {
    let r: usize;
    #[cfg(target_arch = "x86_64")]
    unsafe {
        std::arch::asm!("syscall", inlateout("rax") 110usize => r, lateout("rcx") _, lateout("r11") _,
            options(nostack, preserves_flags));
    }
    #[cfg(target_arch = "aarch64")]
    unsafe {
        std::arch::asm!("svc 0", in("x8") 173usize, lateout("x0") r, options(nostack, preserves_flags));
    }
    #[cfg(target_arch = "riscv64")]
    unsafe {
        std::arch::asm!("ecall", in("a7") 173usize, lateout("a0") r, options(nostack, preserves_flags));
    }
    r
}

/// Hand-written asm with a hand-written negated-errno decode: the reference
/// for stubs that return `Result`.
#[inline(always)]
fn hand_getppid_result() -> Result<usize, Errno> {
    let r = hand_getppid();
    if r > -4096isize as usize {
        Err(Errno::from_raw(r.wrapping_neg() as i32))
    } else {
        Ok(r)
    }
}

macro_rules! loops {
    ($($(#[$m:meta])* $name:ident => $call:expr;)*) => {
        $(
            $(#[$m])*
            #[inline(never)]
            pub fn $name(n: u64) {
                for _ in 0..n {
                    let _ = black_box($call);
                }
            }
        )*
        /// Every candidate: (row label, loop function).
        pub const GETPPID_LOOPS: &[(&str, fn(u64))] = &[$((stringify!($name), $name)),*];
    };
}

loops! {
    /// Hand-written inline asm (the reference).
    hand_asm => hand_getppid();
    /// Hand-written inline asm and errno decode (the reference for `Result` rows).
    hand_asm_result => hand_getppid_result();
    /// `abi_runtime::linux::getppid`: bridged, raw return.
    abi_bridge => unsafe { abi_runtime::linux::getppid() };
    /// A bridged declaration returning `Result<usize, Errno>`.
    abi_bridge_result => unsafe { getppid_checked() };
    /// The syscalls crate's `syscall!` (returns a Result).
    syscalls_crate => unsafe { syscalls::syscall!(syscalls::Sysno::getppid) };
    /// rustix.
    rustix => rustix::process::getppid();
    /// glibc's `syscall(SYS_getppid)`.
    libc_syscall => unsafe { libc::syscall(libc::SYS_getppid) };
    /// glibc's `getppid` wrapper.
    libc_getppid => unsafe { libc::getppid() };
}
