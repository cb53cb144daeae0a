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

pub mod callees;
mod hand;
#[cfg(any(
    target_arch = "x86_64",
    target_arch = "aarch64",
    target_arch = "riscv64"
))]
use hand::hand6;
use hand::{hand0, hand0_result};

/// The negated-errno decode, written by hand: the reference for `Result` rows.
#[cfg(not(target_arch = "powerpc64"))]
#[inline(always)]
pub(crate) fn hand_decode(r: usize) -> Result<usize, Errno> {
    if r > -4096isize as usize {
        Err(Errno::from_raw(r.wrapping_neg() as i32))
    } else {
        Ok(r)
    }
}

#[cfg(any(
    target_arch = "x86_64",
    target_arch = "aarch64",
    target_arch = "riscv64"
))]
const MMAP_FLAGS: i32 = libc::MAP_PRIVATE | libc::MAP_ANONYMOUS;

/// mmap(NULL, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0): EINVAL at once.
#[cfg(any(
    target_arch = "x86_64",
    target_arch = "aarch64",
    target_arch = "riscv64"
))]
const MMAP_ARGS: [usize; 6] = [
    0,
    0,
    libc::PROT_READ as usize,
    MMAP_FLAGS as usize,
    usize::MAX,
    0,
];

macro_rules! loops {
    ($table:ident: $($(#[doc = $d:literal])* $(#[cfg($c:meta)])? $name:ident => $call:expr;)*) => {
        $(
            $(#[doc = $d])*
            $(#[cfg($c)])?
            #[inline(never)]
            pub fn $name(n: u64) {
                for _ in 0..n {
                    let _ = black_box($call);
                }
            }
        )*
        /// Every candidate of this target: (row label, loop function).
        #[allow(clippy::vec_init_then_push)] // one push per row, so each can carry its row's cfg
        pub fn $table() -> Vec<Candidate> {
            let mut v: Vec<Candidate> = Vec::new();
            $(
                $(#[cfg($c)])?
                v.push((stringify!($name), $name));
            )*
            v
        }
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

    loops! { loops:
        /// Hand-written inline asm (the reference).
        hand_asm => hand0(libc::SYS_getppid as usize);
        /// Hand-written inline asm and errno decode (the reference for `Result` rows).
        hand_asm_result => hand0_result(libc::SYS_getppid as usize);
        /// `abi_runtime::linux::getppid`: bridged, raw return.
        abi_bridge => unsafe { abi_runtime::linux::getppid() };
        /// A bridged declaration returning `Result<usize, Errno>`.
        abi_bridge_result => unsafe { getppid_checked() };
        /// The syscalls crate's `syscall!` (returns a Result).
        #[cfg(not(any(target_arch = "s390x", target_arch = "powerpc64")))]
        syscalls_crate => unsafe { syscalls::syscall!(syscalls::Sysno::getppid) };
        /// rustix.
        rustix => rustix::process::getppid();
        /// glibc's `syscall(SYS_getppid)`.
        libc_syscall => unsafe { libc::syscall(libc::SYS_getppid) };
        /// glibc's `getppid` wrapper.
        libc_wrapper => unsafe { libc::getppid() };
    }
}

// The 6-argument `mmap` of the first three ports: 32-bit ports have `mmap2`,
// s390x the old argument-block `mmap`.
#[cfg(any(
    target_arch = "x86_64",
    target_arch = "aarch64",
    target_arch = "riscv64"
))]
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

    loops! { loops:
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

pub mod pread64 {
    //! `black_box(pread64(-1, buf, 0, offset))` with an offset above 4 GiB:
    //! four arguments, one of them 64-bit (a register pair on 32-bit ports),
    //! failing with EBADF at once.
    use super::*;

    /// An offset whose high word is not zero, so both halves of a pair matter.
    pub const OFFSET: i64 = 0x1_0000_1000;

    #[syscall_bridge(name = "pread64")]
    unsafe fn pread64_raw(fd: i32, buf: *mut u8, count: usize, offset: i64) -> usize;

    fn buf() -> *mut u8 {
        static mut BUF: [u8; 8] = [0; 8];
        // Never read or written: the kernel refuses the fd first.
        core::ptr::addr_of_mut!(BUF).cast()
    }

    loops! { loops:
        /// Hand-written inline asm (the reference).
        hand_asm => unsafe { hand::hand_pread64(black_box(-1), buf(), 0, black_box(OFFSET)) };
        /// Hand-written inline asm and errno decode (the reference for `Result` rows).
        hand_asm_result => unsafe { hand::hand_pread64_result(black_box(-1), buf(), 0, black_box(OFFSET)) };
        /// A bridged declaration returning the raw register.
        abi_bridge => unsafe { pread64_raw(black_box(-1), buf(), 0, black_box(OFFSET)) };
        /// `abi_runtime::linux::pread64`: bridged, `Result<usize, Errno>`.
        abi_bridge_result => unsafe { abi_runtime::linux::pread64(black_box(-1), buf(), 0, black_box(OFFSET)) };
        /// glibc's `pread64` wrapper.
        libc_wrapper => unsafe { libc::pread64(black_box(-1), buf().cast(), 0, black_box(OFFSET)) };
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

    loops! { loops:
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

    loops! { loops:
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
    let with_table = |mut loops: Vec<Candidate>, table: fn(u64)| {
        loops.push(("abi_table", table));
        loops
    };
    let mut groups = vec![("getppid", with_table(getppid::loops(), getppid::abi_table))];
    #[cfg(any(
        target_arch = "x86_64",
        target_arch = "aarch64",
        target_arch = "riscv64"
    ))]
    groups.push((
        "mmap_einval",
        with_table(mmap_einval::loops(), mmap_einval::abi_table),
    ));
    groups.extend([
        ("pread64", pread64::loops()),
        ("clock_gettime", clock_gettime::loops()),
        ("probed", probed::loops()),
    ]);
    groups
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
    #[cfg(any(
        target_arch = "x86_64",
        target_arch = "aarch64",
        target_arch = "riscv64"
    ))]
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
    #[cfg(any(
        target_arch = "x86_64",
        target_arch = "aarch64",
        target_arch = "riscv64"
    ))]
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
