//! The candidates of the stub benchmarks: the same loop of `black_box(call())`
//! through each implementation, for the cheapest call (`getppid`) and for a
//! six-argument call that fails fast (`mmap` of length 0: `EINVAL`). Each loop
//! is its own non-inlined function, so instruction counts and timings measure
//! the loop and the stub inside it.
#![allow(clippy::undocumented_unsafe_blocks)] // getppid has no preconditions; the mmap calls map nothing (length 0)

use std::hint::black_box;

use abi_runtime::{Errno, syscall_bridge};

#[syscall_bridge(name = "getppid")]
unsafe fn getppid_checked() -> Result<usize, Errno>;

/// Hand-written inline asm for a call without arguments: the reference.
#[inline(always)]
fn hand0(nr: usize) -> usize {
    let r: usize;
    #[cfg(target_arch = "x86_64")]
    unsafe {
        std::arch::asm!("syscall", inlateout("rax") nr => r, lateout("rcx") _, lateout("r11") _,
            options(nostack, preserves_flags));
    }
    #[cfg(target_arch = "aarch64")]
    unsafe {
        std::arch::asm!("svc 0", in("x8") nr, lateout("x0") r, options(nostack, preserves_flags));
    }
    #[cfg(target_arch = "riscv64")]
    unsafe {
        std::arch::asm!("ecall", in("a7") nr, lateout("a0") r, options(nostack, preserves_flags));
    }
    r
}

/// Hand-written inline asm for a six-argument call.
#[inline(always)]
fn hand6(nr: usize, a: [usize; 6]) -> usize {
    let r: usize;
    #[cfg(target_arch = "x86_64")]
    unsafe {
        std::arch::asm!("syscall", inlateout("rax") nr => r, in("rdi") a[0], in("rsi") a[1], in("rdx") a[2],
            in("r10") a[3], in("r8") a[4], in("r9") a[5], lateout("rcx") _, lateout("r11") _,
            options(nostack, preserves_flags));
    }
    #[cfg(target_arch = "aarch64")]
    unsafe {
        std::arch::asm!("svc 0", in("x8") nr, inlateout("x0") a[0] => r, in("x1") a[1], in("x2") a[2],
            in("x3") a[3], in("x4") a[4], in("x5") a[5], options(nostack, preserves_flags));
    }
    #[cfg(target_arch = "riscv64")]
    unsafe {
        std::arch::asm!("ecall", in("a7") nr, inlateout("a0") a[0] => r, in("a1") a[1], in("a2") a[2],
            in("a3") a[3], in("a4") a[4], in("a5") a[5], options(nostack, preserves_flags));
    }
    r
}

/// The negated-errno decode, written by hand: the reference for `Result` rows.
#[inline(always)]
fn hand_decode(r: usize) -> Result<usize, Errno> {
    if r > -4096isize as usize {
        Err(Errno::from_raw(r.wrapping_neg() as i32))
    } else {
        Ok(r)
    }
}

const MMAP_FLAGS: i32 = libc::MAP_PRIVATE | libc::MAP_ANONYMOUS;

/// mmap(NULL, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0): EINVAL at once.
const MMAP_ARGS: [usize; 6] = [
    0,
    0,
    libc::PROT_READ as usize,
    MMAP_FLAGS as usize,
    usize::MAX,
    0,
];

macro_rules! loops {
    ($table:ident: $($(#[$m:meta])* $name:ident => $call:expr;)*) => {
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
        pub const $table: &[Candidate] = &[$((stringify!($name), $name)),*];
    };
}

/// The dispatch-table entry for `name`, looked up once.
fn table_entry(name: &str) -> &'static abi_runtime::syscalls::Syscall {
    abi_runtime::syscalls::by_name(name).expect("the table has the call")
}

pub mod getppid {
    //! `black_box(getppid())` through each implementation.
    use super::*;

    /// `abi_runtime::syscalls` entry, resolved once, then invoked.
    #[inline(never)]
    pub fn abi_table(n: u64) {
        let e = table_entry("getppid");
        for _ in 0..n {
            let _ = black_box(unsafe { e.invoke(&[]) });
        }
    }

    loops! { LOOPS:
        /// Hand-written inline asm (the reference).
        hand_asm => hand0(libc::SYS_getppid as usize);
        /// Hand-written inline asm and errno decode (the reference for `Result` rows).
        hand_asm_result => hand_decode(hand0(libc::SYS_getppid as usize));
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
        libc_wrapper => unsafe { libc::getppid() };
    }
}

pub mod mmap_einval {
    //! `black_box(mmap(NULL, 0, ...))`, six arguments, failing with EINVAL.
    use super::*;

    /// `abi_runtime::syscalls` entry, resolved once, then invoked.
    #[inline(never)]
    pub fn abi_table(n: u64) {
        let e = table_entry("mmap");
        for _ in 0..n {
            let _ = black_box(unsafe { e.invoke(&MMAP_ARGS) });
        }
    }

    loops! { LOOPS:
        /// Hand-written inline asm and errno decode (the reference).
        hand_asm_result => {
            let [a0, _, a2, a3, a4, a5] = MMAP_ARGS;
            hand_decode(hand6(libc::SYS_mmap as usize, [a0, black_box(0), a2, a3, a4, a5]))
        };
        /// `abi_runtime::linux::mmap`, bridged.
        abi_bridge_result => unsafe {
            abi_runtime::linux::mmap(core::ptr::null_mut(), black_box(0), libc::PROT_READ, MMAP_FLAGS, -1, 0)
        };
        /// The syscalls crate's `syscall!`.
        syscalls_crate => unsafe {
            syscalls::syscall!(syscalls::Sysno::mmap, 0, black_box(0), libc::PROT_READ, MMAP_FLAGS, -1isize, 0)
        };
        /// rustix.
        rustix => unsafe {
            rustix::mm::mmap_anonymous(core::ptr::null_mut(), black_box(0), rustix::mm::ProtFlags::READ, rustix::mm::MapFlags::PRIVATE)
        };
        /// glibc's `syscall(SYS_mmap, ...)`.
        libc_syscall => unsafe {
            libc::syscall(libc::SYS_mmap, 0usize, black_box(0usize), libc::PROT_READ, MMAP_FLAGS, -1, 0)
        };
        /// glibc's `mmap` wrapper.
        libc_wrapper => unsafe {
            libc::mmap(core::ptr::null_mut(), black_box(0), libc::PROT_READ, MMAP_FLAGS, -1, 0)
        };
    }
}

pub mod clock_gettime {
    //! `clock_gettime(CLOCK_MONOTONIC)`: the bridged system call against the vDSO.
    use super::*;

    fn syscall() -> Result<(), Errno> {
        let mut ts = [0i64; 2];
        unsafe {
            abi_runtime::linux::clock_gettime(libc::CLOCK_MONOTONIC, ts.as_mut_ptr().cast())
        }?;
        black_box(ts);
        Ok(())
    }

    fn vdso() -> Result<(), Errno> {
        let mut ts = [0i64; 2];
        abi_runtime::vdso::clock_gettime(libc::CLOCK_MONOTONIC, &mut ts)?;
        black_box(ts);
        Ok(())
    }

    fn via_libc() -> i32 {
        let mut ts = libc::timespec {
            tv_sec: 0,
            tv_nsec: 0,
        };
        let r = unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut ts) };
        black_box(ts);
        r
    }

    loops! { LOOPS:
        /// The bridged system call (the reference).
        abi_syscall => syscall();
        /// `abi_runtime::vdso::clock_gettime`.
        abi_vdso => vdso();
        /// glibc, which uses the vDSO itself.
        libc_wrapper => via_libc();
    }
}

pub mod probed {
    //! `getrandom(buf, 0, 0)` through the plain stub and through the probed
    //! wrapper (`abi_runtime::probed`), whose slot has settled on the primary.
    use super::*;

    loops! { LOOPS:
        /// The plain bridged stub (the reference).
        abi_bridge_result => unsafe { abi_runtime::linux::getrandom(core::ptr::null_mut(), black_box(0), 0) };
        /// The probed call: one load of its slot, then the same stub.
        abi_probed => unsafe { abi_runtime::probed::getrandom(core::ptr::null_mut(), black_box(0), 0) };
    }
}

/// One benchmark candidate: its row label and its loop.
pub type Candidate = (&'static str, fn(u64));

/// Every benchmark: (group, candidates). The table rows are added at the end of each group.
pub fn groups() -> Vec<(&'static str, Vec<Candidate>)> {
    let with_table = |loops: &[Candidate], table: fn(u64)| {
        let mut v = loops.to_vec();
        v.push(("abi_table", table));
        v
    };
    vec![
        ("getppid", with_table(getppid::LOOPS, getppid::abi_table)),
        (
            "mmap_einval",
            with_table(mmap_einval::LOOPS, mmap_einval::abi_table),
        ),
        ("clock_gettime", clock_gettime::LOOPS.to_vec()),
        ("probed", probed::LOOPS.to_vec()),
    ]
}

pub mod sizes {
    //! Out-of-line copies of a few stubs, so their code size can be read from
    //! the binary's symbol table (`nm -S`): bridged against hand-written.
    use super::*;

    /// Bridged `getppid` (raw).
    #[unsafe(no_mangle)]
    #[inline(never)]
    pub extern "C" fn size_getppid_abi_bridge() -> i32 {
        unsafe { abi_runtime::linux::getppid() }
    }

    /// Hand-written `getppid` (raw).
    #[unsafe(no_mangle)]
    #[inline(never)]
    pub extern "C" fn size_getppid_hand_asm() -> usize {
        hand0(libc::SYS_getppid as usize)
    }

    /// Bridged `mmap`, decoded.
    ///
    /// # Safety
    /// As `mmap(2)`: the arguments must not replace mappings still in use.
    #[unsafe(no_mangle)]
    #[inline(never)]
    pub unsafe extern "C" fn size_mmap_abi_bridge(
        a: *mut core::ffi::c_void,
        len: usize,
        prot: i32,
        flags: i32,
        fd: i32,
        off: i64,
    ) -> isize {
        match unsafe { abi_runtime::linux::mmap(a, len, prot, flags, fd, off) } {
            Ok(p) => p as isize,
            Err(e) => -(e.raw() as isize),
        }
    }

    /// Hand-written `mmap`, decoded.
    ///
    /// # Safety
    /// As `mmap(2)`: the arguments must not replace mappings still in use.
    #[unsafe(no_mangle)]
    #[inline(never)]
    pub unsafe extern "C" fn size_mmap_hand_asm(
        a: *mut core::ffi::c_void,
        len: usize,
        prot: i32,
        flags: i32,
        fd: i32,
        off: i64,
    ) -> isize {
        let args = [
            a as usize,
            len,
            prot as isize as usize,
            flags as isize as usize,
            fd as isize as usize,
            off as usize,
        ];
        match hand_decode(hand6(libc::SYS_mmap as usize, args)) {
            Ok(p) => p as isize,
            Err(e) => -(e.raw() as isize),
        }
    }
}
