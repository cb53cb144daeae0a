//! Linux calls that old kernels, seccomp filters or containers may refuse,
//! bridged with a fallback (see [`crate::probe`]): `statx` falls back to
//! `newfstatat`, `clone3` to `clone`, `getrandom` to `/dev/urandom`, and
//! `pidfd_open`, which has no substitute, returns the error and says so in
//! [`crate::probe::report`].

use core::ffi::c_void;

use crate::consts as c;
use crate::linux as sys;
use crate::{Errno, syscall_bridge};

/// `struct statx_timestamp`.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StatxTimestamp {
    /// Seconds since the epoch.
    pub sec: i64,
    /// Nanoseconds.
    pub nsec: u32,
    reserved: i32,
}

/// `struct statx` (the same on every Linux arch).
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Statx {
    /// Which fields are filled (`STATX_*`).
    pub mask: u32,
    /// Preferred I/O block size.
    pub blksize: u32,
    /// File attributes.
    pub attributes: u64,
    /// Hard links.
    pub nlink: u32,
    /// Owner.
    pub uid: u32,
    /// Group.
    pub gid: u32,
    /// Type and permissions.
    pub mode: u16,
    spare0: u16,
    /// Inode.
    pub ino: u64,
    /// Size in bytes.
    pub size: u64,
    /// 512-byte blocks allocated.
    pub blocks: u64,
    /// Which attributes are supported.
    pub attributes_mask: u64,
    /// Last access.
    pub atime: StatxTimestamp,
    /// Creation.
    pub btime: StatxTimestamp,
    /// Last status change.
    pub ctime: StatxTimestamp,
    /// Last modification.
    pub mtime: StatxTimestamp,
    /// Device (if a device file): major.
    pub rdev_major: u32,
    /// Device (if a device file): minor.
    pub rdev_minor: u32,
    /// Containing device: major.
    pub dev_major: u32,
    /// Containing device: minor.
    pub dev_minor: u32,
    spare: [u64; 14],
}

impl Default for Statx {
    fn default() -> Self {
        // SAFETY: all fields are integers, for which zero is valid.
        unsafe { core::mem::zeroed() }
    }
}

/// `struct clone_args` (the fields clone3 reads, Linux 5.3+). Its fields are
/// `__aligned_u64` on every arch; the assertions below hold it to the
/// target spec's `[layouts.clone_args]`.
#[repr(C, align(8))]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CloneArgs {
    /// `CLONE_*` flags.
    pub flags: u64,
    /// Where to store a pidfd (`CLONE_PIDFD`).
    pub pidfd: u64,
    /// Where to store the child's tid in the child (`CLONE_CHILD_SETTID`).
    pub child_tid: u64,
    /// Where to store the child's tid in the parent (`CLONE_PARENT_SETTID`).
    pub parent_tid: u64,
    /// Signal sent to the parent when the child ends.
    pub exit_signal: u64,
    /// Lowest address of the child's stack.
    pub stack: u64,
    /// Size of the child's stack.
    pub stack_size: u64,
    /// Thread-local storage (`CLONE_SETTLS`).
    pub tls: u64,
}

// The Rust struct is the kernel's first version of the C one (`CLONE_ARGS_SIZE_VER0`).
const _: () = {
    use crate::layouts::CloneArgs as C;
    use core::mem::offset_of;
    assert!(core::mem::size_of::<CloneArgs>() <= C::SIZE);
    assert!(core::mem::align_of::<CloneArgs>() == C::ALIGN);
    assert!(offset_of!(CloneArgs, flags) == C::FLAGS_OFFSET);
    assert!(offset_of!(CloneArgs, pidfd) == C::PIDFD_OFFSET);
    assert!(offset_of!(CloneArgs, child_tid) == C::CHILD_TID_OFFSET);
    assert!(offset_of!(CloneArgs, parent_tid) == C::PARENT_TID_OFFSET);
    assert!(offset_of!(CloneArgs, exit_signal) == C::EXIT_SIGNAL_OFFSET);
    assert!(offset_of!(CloneArgs, stack) == C::STACK_OFFSET);
    assert!(offset_of!(CloneArgs, stack_size) == C::STACK_SIZE_OFFSET);
    assert!(offset_of!(CloneArgs, tls) == C::TLS_OFFSET);
};

#[syscall_bridge(name = "statx", fallback = statx_via_newfstatat, fallback_on = "ENOSYS, EPERM")]
/// `statx`, or `newfstatat` translated into a `Statx` where the kernel refuses it.
pub unsafe fn statx(
    dirfd: i32,
    path: *const u8,
    flags: i32,
    mask: u32,
    buf: *mut Statx,
) -> Result<(), Errno>;

#[syscall_bridge(name = "clone3", fallback = clone3_via_clone, fallback_on = "ENOSYS, EPERM")]
/// `clone3`, or `clone` with the same flags, signal, stack and tid pointers.
pub unsafe fn clone3(args: *const CloneArgs, size: usize) -> Result<i32, Errno>;

#[syscall_bridge(name = "getrandom", fallback = getrandom_via_urandom, fallback_on = "ENOSYS, EPERM")]
/// `getrandom`, or a read of `/dev/urandom`.
pub unsafe fn getrandom(buf: *mut u8, len: usize, flags: u32) -> Result<usize, Errno>;

#[syscall_bridge(name = "pidfd_open", fallback = pidfd_open_unavailable, fallback_on = "ENOSYS, EPERM")]
/// `pidfd_open`; where the kernel refuses it there is no substitute: the error comes back.
pub unsafe fn pidfd_open(pid: i32, flags: u32) -> Result<i32, Errno>;

fn timestamp(sec: i64, nsec: i64) -> StatxTimestamp {
    StatxTimestamp {
        sec,
        nsec: nsec as u32,
        reserved: 0,
    }
}

unsafe fn statx_via_newfstatat(
    dirfd: i32,
    path: *const u8,
    flags: i32,
    _mask: u32,
    buf: *mut Statx,
) -> Result<(), Errno> {
    // The struct this target's newfstatat fills (`struct stat`, or `struct
    // stat64` where the call goes through fstatat64), as its spec lays it out.
    let mut st = crate::layouts::Stat::zeroed();
    // SAFETY: the caller passes a NUL-terminated path; `st` is that struct.
    unsafe { sys::newfstatat(dirfd, path, st.as_mut_ptr(), flags)? };
    let out = Statx {
        mask: c::STATX_BASIC_STATS,
        blksize: st.st_blksize() as u32,
        nlink: st.st_nlink() as u32,
        uid: st.st_uid() as u32,
        gid: st.st_gid() as u32,
        mode: st.st_mode() as u16,
        ino: st.st_ino() as u64,
        size: st.st_size() as u64,
        blocks: st.st_blocks() as u64,
        atime: timestamp(st.st_atime(), st.st_atime_nsec()),
        mtime: timestamp(st.st_mtime(), st.st_mtime_nsec()),
        ctime: timestamp(st.st_ctime(), st.st_ctime_nsec()),
        ..Statx::default()
    };
    // SAFETY: the caller passes a writable Statx.
    unsafe { buf.write(out) };
    Ok(())
}

unsafe fn clone3_via_clone(args: *const CloneArgs, size: usize) -> Result<i32, Errno> {
    if size < core::mem::size_of::<CloneArgs>() {
        return Err(Errno::EINVAL);
    }
    // SAFETY: the caller passes a readable CloneArgs of `size` bytes.
    let a = unsafe { args.read() };
    // clone has no room for a pidfd out-pointer (it shares parent_tid's).
    if a.pidfd != 0 {
        return Err(Errno::EINVAL);
    }
    let stack = if a.stack == 0 {
        0
    } else {
        a.stack + a.stack_size
    };
    // The portable order (the spec's [via] puts them where each kernel wants them).
    let (child, tls) = (a.child_tid as usize, a.tls as usize);
    let flags = (a.flags | (a.exit_signal & 0xff)) as usize;
    // SAFETY: the caller's clone_args describe a valid clone.
    unsafe {
        sys::clone(
            flags,
            stack as *mut c_void,
            a.parent_tid as *mut i32,
            child,
            tls,
        )
    }
}

unsafe fn getrandom_via_urandom(buf: *mut u8, len: usize, _flags: u32) -> Result<usize, Errno> {
    let path = b"/dev/urandom\0";
    let flags = c::O_RDONLY | c::O_CLOEXEC;
    // SAFETY: the path is NUL-terminated.
    let fd = unsafe { sys::openat(c::AT_FDCWD, path.as_ptr(), flags, 0)? };
    let mut done = 0;
    let result = loop {
        if done == len {
            break Ok(len);
        }
        // SAFETY: the caller's buffer is valid for `len` bytes.
        match unsafe { sys::read(fd, buf.add(done), len - done) } {
            Ok(0) => break Err(Errno::EIO),
            Ok(n) => done += n,
            Err(Errno::EINTR) => {}
            Err(e) => break Err(e),
        }
    };
    // SAFETY: `fd` was opened above.
    let _ = unsafe { sys::close(fd) };
    result
}

unsafe fn pidfd_open_unavailable(_pid: i32, _flags: u32) -> Result<i32, Errno> {
    let why = PIDFD_OPEN_PROBE.choice();
    match why {
        crate::probe::Choice::Fallback(e) => Err(e),
        _ => Err(Errno::ENOSYS),
    }
}
