//! The platform layer on Linux, over `crate::linux`'s bridged calls.

use core::ffi::c_void;
use core::ptr::NonNull;
use core::sync::atomic::{AtomicUsize, Ordering};
use core::time::Duration;

use super::{
    DirEntry, FileKind, Metadata, OpenMode, Protection, SeekFrom, Timestamp, find_env_value,
};
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

pub(super) const NAME_TOO_LONG: Errno = Errno::ENAMETOOLONG;

fn kind_of_mode(mode: u16) -> FileKind {
    match i32::from(mode) & c::S_IFMT {
        c::S_IFREG => FileKind::File,
        c::S_IFDIR => FileKind::Dir,
        c::S_IFLNK => FileKind::Symlink,
        _ => FileKind::Other,
    }
}

/// `statx` of `path` relative to `dirfd` (the probed one: `newfstatat` where
/// the kernel or a seccomp filter refuses `statx`).
///
/// # Safety
/// `path` must be NUL-terminated.
unsafe fn statx(dirfd: Raw, path: *const u8, flags: i32) -> Result<Metadata, Errno> {
    let mut st = crate::probed::Statx::default();
    // SAFETY: the caller's path; `st` is a writable struct statx.
    unsafe {
        crate::probed::statx(dirfd, path, flags, c::STATX_BASIC_STATS, &mut st)?;
    }
    Ok(Metadata {
        len: st.size,
        kind: kind_of_mode(st.mode),
        modified: Timestamp {
            secs: st.mtime.sec,
            nanos: st.mtime.nsec,
        },
    })
}

pub(super) fn file_metadata(fd: Raw) -> Result<Metadata, Errno> {
    // SAFETY: the empty path is NUL-terminated.
    unsafe { statx(fd, c"".as_ptr().cast(), c::AT_EMPTY_PATH) }
}

pub(super) fn metadata(path: &str, follow: bool) -> Result<Metadata, Errno> {
    let flags = if follow { 0 } else { c::AT_SYMLINK_NOFOLLOW };
    // SAFETY: the path is NUL-terminated and outlives the call.
    with_c_path(path, |p| unsafe { statx(c::AT_FDCWD, p, flags) })
}

/// Where the fields of `struct linux_dirent64` are, as the spec's
/// `[layouts.linux_dirent64]` says (`d_name`, a flexible array, ends with a
/// NUL); the kernel writes `d_reclen` in the target's byte order.
const D_RECLEN: usize = crate::layouts::LinuxDirent64::D_RECLEN_OFFSET;
const D_TYPE: usize = crate::layouts::LinuxDirent64::D_TYPE_OFFSET;
const D_NAME: usize = core::mem::offset_of!(crate::types::LinuxDirent64, d_name);

/// A buffer for `getdents64`, aligned as its records are.
#[repr(C, align(8))]
struct DirBuf([u8; 4096]);

/// An open directory and the records `getdents64` gave that are not read yet.
pub(super) struct ReadDir {
    fd: Raw,
    buf: DirBuf,
    at: usize,
    len: usize,
}

impl ReadDir {
    pub(super) fn open(path: &str) -> Result<ReadDir, Errno> {
        let flags = c::O_RDONLY | c::O_DIRECTORY | c::O_CLOEXEC;
        // SAFETY: the path is NUL-terminated and outlives the call.
        let fd = with_c_path(path, |p| unsafe { sys::openat(c::AT_FDCWD, p, flags, 0) })?;
        Ok(ReadDir {
            fd,
            buf: DirBuf([0; 4096]),
            at: 0,
            len: 0,
        })
    }

    pub(super) fn next(&mut self) -> Option<Result<DirEntry, Errno>> {
        if self.at >= self.len {
            let buf = &mut self.buf.0;
            // SAFETY: `buf` is valid for writes of its length.
            match unsafe { sys::getdents64(self.fd, buf.as_mut_ptr().cast(), buf.len() as u32) } {
                Ok(0) => return None,
                Ok(n) => (self.at, self.len) = (0, n),
                Err(e) => return Some(Err(e)),
            }
        }
        let rec = &self.buf.0[self.at..self.len];
        let reclen = usize::from(u16::from_ne_bytes([rec[D_RECLEN], rec[D_RECLEN + 1]]));
        let name_len = rec[D_NAME..reclen].iter().position(|&b| b == 0)?;
        let name_at = self.at + D_NAME;
        self.at += reclen;
        let kind = match rec[D_TYPE] {
            c::DT_REG => FileKind::File,
            c::DT_DIR => FileKind::Dir,
            c::DT_LNK => FileKind::Symlink,
            // Some file systems do not say: ask about the name itself, as std does.
            c::DT_UNKNOWN => {
                let name = self.buf.0[name_at..].as_ptr();
                // SAFETY: the name is NUL-terminated inside the buffer.
                match unsafe { statx(self.fd, name, c::AT_SYMLINK_NOFOLLOW) } {
                    Ok(m) => m.kind,
                    Err(e) => return Some(Err(e)),
                }
            }
            _ => FileKind::Other,
        };
        Some(DirEntry::new(
            &self.buf.0[name_at..name_at + name_len],
            kind,
        ))
    }
}

impl Drop for ReadDir {
    fn drop(&mut self) {
        // Nothing to report a close error to.
        let _ = close(self.fd);
    }
}

pub(super) fn create_dir(path: &str) -> Result<(), Errno> {
    // SAFETY: the path is NUL-terminated and outlives the call.
    with_c_path(path, |p| unsafe { sys::mkdirat(c::AT_FDCWD, p, 0o777) })
}

pub(super) fn remove_dir(path: &str) -> Result<(), Errno> {
    // SAFETY: the path is NUL-terminated and outlives the call.
    with_c_path(path, |p| unsafe {
        sys::unlinkat(c::AT_FDCWD, p, c::AT_REMOVEDIR)
    })
}

pub(super) fn rename(from: &str, to: &str) -> Result<(), Errno> {
    let at = c::AT_FDCWD;
    with_c_path(from, |f| {
        // SAFETY: both paths are NUL-terminated and outlive the call.
        with_c_path(to, |t| unsafe { sys::renameat2(at, f, at, t, 0) })
    })
}

pub(super) fn current_dir(buf: &mut [u8]) -> Result<usize, Errno> {
    // SAFETY: `buf` is valid for writes of its length.
    let with_nul = unsafe { sys::getcwd(buf.as_mut_ptr(), buf.len())? };
    Ok(with_nul.saturating_sub(1))
}

pub(super) fn set_current_dir(path: &str) -> Result<(), Errno> {
    // SAFETY: the path is NUL-terminated and outlives the call.
    with_c_path(path, |p| unsafe { sys::chdir(p) })
}

pub(super) fn sleep(d: Duration) -> Result<(), Errno> {
    let mut ts = crate::layouts::Timespec::zeroed();
    ts.set_tv_sec(i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
    ts.set_tv_nsec(d.subsec_nanos().into());
    // SAFETY: `ts` is the kernel's `struct __kernel_timespec` of this target
    // (the time64 entry on 32-bit ports, as the spec's [via] says).
    unsafe { sys::clock_nanosleep(c::CLOCK_MONOTONIC, 0, ts.as_ptr(), core::ptr::null_mut()) }
}
