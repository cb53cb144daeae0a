//! The platform layer on Linux, over `crate::linux`'s bridged calls.

use core::ffi::c_void;
use core::ptr::NonNull;
use core::sync::atomic::{AtomicUsize, Ordering};

use super::{OpenMode, Protection, SeekFrom, find_env_value};
use crate::Errno;
use crate::consts as c;
use crate::linux as sys;

pub(super) type Raw = i32;

pub(super) const WRITE_ZERO: Errno = Errno::EIO;
pub(super) const INVALID: Errno = Errno::EINVAL;
pub(super) const ILLEGAL_SEQUENCE: Errno = Errno::EILSEQ;
const TOO_SMALL: Errno = Errno::ERANGE;
const PATH_MAX: usize = 4096;

pub(super) fn stdio(n: i32) -> Raw {
    n
}

/// `path` with a NUL, in a stack buffer.
fn with_c_path<T>(path: &str, f: impl FnOnce(*const u8) -> Result<T, Errno>) -> Result<T, Errno> {
    let mut buf = [0u8; PATH_MAX];
    if path.len() >= PATH_MAX {
        return Err(Errno::ENAMETOOLONG);
    }
    if path.as_bytes().contains(&0) {
        return Err(Errno::EINVAL);
    }
    buf[..path.len()].copy_from_slice(path.as_bytes());
    f(buf.as_ptr())
}

pub(super) fn open(path: &str, mode: OpenMode) -> Result<Raw, Errno> {
    let flags = match mode {
        OpenMode::Read => c::O_RDONLY | c::O_CLOEXEC,
        OpenMode::Create => c::O_RDWR | c::O_CREAT | c::O_TRUNC | c::O_CLOEXEC,
        OpenMode::ReadWrite => c::O_RDWR | c::O_CLOEXEC,
        OpenMode::Append => c::O_WRONLY | c::O_CREAT | c::O_APPEND | c::O_CLOEXEC,
        OpenMode::CreateNew => c::O_RDWR | c::O_CREAT | c::O_EXCL | c::O_CLOEXEC,
    };
    // SAFETY: the path is NUL-terminated and outlives the call.
    with_c_path(path, |p| unsafe {
        sys::openat(c::AT_FDCWD, p, flags, 0o644)
    })
}

pub(super) fn read(fd: Raw, buf: &mut [u8]) -> Result<usize, Errno> {
    // SAFETY: `buf` is valid for writes of its length.
    unsafe { sys::read(fd, buf.as_mut_ptr(), buf.len()) }
}

pub(super) fn write(fd: Raw, buf: &[u8]) -> Result<usize, Errno> {
    // SAFETY: `buf` is valid for reads of its length.
    unsafe { sys::write(fd, buf.as_ptr(), buf.len()) }
}

pub(super) fn seek(fd: Raw, pos: SeekFrom) -> Result<u64, Errno> {
    let (offset, whence) = match pos {
        SeekFrom::Start(o) => (i64::try_from(o).map_err(|_| Errno::EINVAL)?, c::SEEK_SET),
        SeekFrom::End(o) => (o, c::SEEK_END),
        SeekFrom::Current(o) => (o, c::SEEK_CUR),
    };
    // SAFETY: no memory is passed.
    unsafe { sys::lseek(fd, offset, whence as u32) }
}

/// Through the probed `statx`, which falls back to `newfstatat` where the
/// kernel or a seccomp filter refuses `statx`.
pub(super) fn size(fd: Raw) -> Result<u64, Errno> {
    let mut st = crate::probed::Statx::default();
    // SAFETY: the empty path is NUL-terminated; `st` is a writable struct statx.
    unsafe {
        crate::probed::statx(
            fd,
            c"".as_ptr().cast(),
            c::AT_EMPTY_PATH,
            c::STATX_SIZE,
            &mut st,
        )?;
    }
    Ok(st.size)
}

pub(super) fn close(fd: Raw) -> Result<(), Errno> {
    // SAFETY: the caller owns `fd`.
    unsafe { sys::close(fd) }
}

pub(super) fn remove(path: &str) -> Result<(), Errno> {
    // SAFETY: the path is NUL-terminated and outlives the call.
    with_c_path(path, |p| unsafe { sys::unlinkat(c::AT_FDCWD, p, 0) })
}

pub(super) fn exit(code: i32) -> ! {
    // SAFETY: ending the process is always allowed.
    unsafe { sys::exit_group(code) }
}

fn clock(id: i32) -> Result<u64, Errno> {
    let mut ts = crate::layouts::Timespec::zeroed();
    // SAFETY: `ts` is the kernel's `struct __kernel_timespec` of this target.
    unsafe { sys::clock_gettime(id, ts.as_mut_ptr())? };
    Ok(ts.tv_sec() as u64 * 1_000_000_000 + ts.tv_nsec() as u64)
}

pub(super) fn monotonic_nanos() -> Result<u64, Errno> {
    clock(c::CLOCK_MONOTONIC)
}

pub(super) fn wall_clock_nanos() -> Result<u64, Errno> {
    clock(c::CLOCK_REALTIME)
}

/// The page size from the auxiliary vector, read once from /proc/self/auxv.
pub(super) fn page_size() -> usize {
    static PAGE: AtomicUsize = AtomicUsize::new(0);
    match PAGE.load(Ordering::Relaxed) {
        0 => {
            // 4096 is the smallest page any of these arches has; it is used
            // only if /proc is not mounted.
            let size = sys::auxv(c::AT_PAGESZ as usize).unwrap_or(4096);
            PAGE.store(size, Ordering::Relaxed);
            size
        }
        size => size,
    }
}

fn prot(p: Protection) -> i32 {
    match p {
        Protection::None => c::PROT_NONE,
        Protection::Read => c::PROT_READ,
        Protection::ReadWrite => c::PROT_READ | c::PROT_WRITE,
    }
}

pub(super) fn alloc_pages(len: usize, protection: Protection) -> Result<NonNull<u8>, Errno> {
    let flags = c::MAP_PRIVATE | c::MAP_ANONYMOUS;
    // SAFETY: an anonymous mapping at an address the kernel picks touches no existing memory.
    let p = unsafe { sys::mmap(core::ptr::null_mut(), len, prot(protection), flags, -1, 0)? };
    NonNull::new(p.cast()).ok_or(Errno::ENOMEM)
}

pub(super) unsafe fn protect_pages(
    ptr: NonNull<u8>,
    len: usize,
    protection: Protection,
) -> Result<(), Errno> {
    // SAFETY: the caller passes pages from `alloc_pages`.
    unsafe { sys::mprotect(ptr.as_ptr().cast::<c_void>(), len, prot(protection)) }
}

pub(super) unsafe fn free_pages(ptr: NonNull<u8>, len: usize) -> Result<(), Errno> {
    // SAFETY: the caller passes pages from `alloc_pages` and stops using them.
    unsafe { sys::munmap(ptr.as_ptr().cast::<c_void>(), len) }
}

pub(super) fn yield_now() -> Result<(), Errno> {
    // SAFETY: no memory is passed.
    unsafe { sys::sched_yield() }
}

pub(super) fn random(mut buf: &mut [u8]) -> Result<(), Errno> {
    while !buf.is_empty() {
        // SAFETY: `buf` is valid for writes of its length.
        // The probed getrandom reads /dev/urandom where getrandom is refused.
        match unsafe { crate::probed::getrandom(buf.as_mut_ptr(), buf.len(), 0) } {
            Ok(n) => buf = &mut buf[n..],
            Err(Errno::EINTR) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

pub(super) fn process_id() -> Option<u32> {
    // SAFETY: getpid has no preconditions.
    Some(unsafe { sys::getpid() } as u32)
}

/// Reads a whole /proc file into `buf`; `TOO_SMALL` if it does not fit.
fn read_proc(path: &str, buf: &mut [u8]) -> Result<usize, Errno> {
    let fd = open(path, OpenMode::Read)?;
    let mut len = 0;
    let result = loop {
        if len == buf.len() {
            break Err(TOO_SMALL);
        }
        match read(fd, &mut buf[len..]) {
            Ok(0) => break Ok(len),
            Ok(n) => len += n,
            Err(Errno::EINTR) => {}
            Err(e) => break Err(e),
        }
    };
    let _ = close(fd);
    result
}

pub(super) fn args(buf: &mut [u8]) -> Result<usize, Errno> {
    // The kernel's copy of argv: NUL-separated already.
    read_proc("/proc/self/cmdline", buf)
}

pub(super) fn env_var(name: &str, buf: &mut [u8]) -> Result<Option<usize>, Errno> {
    let len = read_proc("/proc/self/environ", buf)?;
    Ok(find_env_value(buf, len, name))
}
