//! The platform layer on WASI preview1, over `crate::wasi`'s bridged calls.
//! Paths resolve against the preopened directories, as wasi-libc does:
//! an absolute path against the preopen whose name is its longest prefix, a
//! relative one against the preopen named `.` (or the first one).

use core::ptr::NonNull;

use super::{OpenMode, Protection, SeekFrom, find_env_value};
use crate::Errno;
use crate::consts as c;
use crate::wasi::{self as sys, Iovec, Prestat};

pub(super) type Raw = u32;

pub(super) const WRITE_ZERO: Errno = Errno::EIO;
pub(super) const INVALID: Errno = Errno::EINVAL;
pub(super) const ILLEGAL_SEQUENCE: Errno = Errno::EILSEQ;
const TOO_SMALL: Errno = Errno::ERANGE;
const NAME_MAX: usize = 1024;

pub(super) fn stdio(n: i32) -> Raw {
    n as u32
}

/// The preopened directory to resolve `path` in, and the path relative to it.
fn resolve(path: &str) -> Result<(u32, &str), Errno> {
    let mut best: Option<(u32, usize)> = None;
    let mut name = [0u8; NAME_MAX];
    // Preopens are numbered from 3 until fd_prestat_get says EBADF.
    for fd in 3u32.. {
        let mut pre = Prestat::default();
        // SAFETY: `pre` is a valid prestat out-pointer.
        match unsafe { sys::fd_prestat_get(fd, &mut pre) } {
            Ok(()) => {}
            Err(Errno::EBADF) => break,
            // An open file, not a preopen (Node's WASI says EINVAL): files
            // opened earlier sit among the descriptors after the preopens.
            Err(_) => continue,
        }
        if pre.tag != c::PREOPENTYPE_DIR || pre.name_len > NAME_MAX {
            continue;
        }
        // SAFETY: `name` is valid for writes of `name_len` bytes.
        unsafe { sys::fd_prestat_dir_name(fd, name.as_mut_ptr(), pre.name_len)? };
        let dir = core::str::from_utf8(&name[..pre.name_len])
            .unwrap_or("")
            .trim_end_matches('/');
        let matches = if path.starts_with('/') {
            path.strip_prefix(dir)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
        } else {
            dir == "." || best.is_none()
        };
        let len = if dir == "." { usize::MAX } else { dir.len() };
        if matches && best.is_none_or(|(_, l)| len > l) {
            best = Some((fd, len));
        }
    }
    let (fd, len) = best.ok_or(Errno::ENOTCAPABLE)?;
    let rest = if path.starts_with('/') && len != usize::MAX {
        &path[len..]
    } else {
        path
    };
    let rest = rest.trim_start_matches('/');
    Ok((fd, if rest.is_empty() { "." } else { rest }))
}

pub(super) fn open(path: &str, mode: OpenMode) -> Result<Raw, Errno> {
    let (dir, rel) = resolve(path)?;
    let (oflags, fdflags) = match mode {
        OpenMode::Read | OpenMode::ReadWrite => (0, 0),
        OpenMode::Create => (c::OFLAGS_CREAT | c::OFLAGS_TRUNC, 0),
        OpenMode::Append => (c::OFLAGS_CREAT, c::FDFLAGS_APPEND),
        OpenMode::CreateNew => (c::OFLAGS_CREAT | c::OFLAGS_EXCL, 0),
    };
    // Ask for what the directory may hand on: more is ENOTCAPABLE.
    let mut stat = sys::FdStat::default();
    // SAFETY: `stat` is a valid fdstat out-pointer.
    unsafe { sys::fd_fdstat_get(dir, &mut stat)? };
    let rights = stat.rights_inheriting & c::RIGHTS_ALL;
    // SAFETY: `rel` is valid for reads of its length.
    unsafe {
        sys::path_open(
            dir,
            c::LOOKUPFLAGS_SYMLINK_FOLLOW,
            rel.as_ptr(),
            rel.len(),
            oflags as u32,
            rights,
            rights,
            fdflags as u32,
        )
    }
}

pub(super) fn read(fd: Raw, buf: &mut [u8]) -> Result<usize, Errno> {
    let iov = Iovec {
        buf: buf.as_mut_ptr(),
        len: buf.len(),
    };
    // SAFETY: the iovec describes `buf`, valid for writes.
    unsafe { sys::fd_read(fd, &iov, 1) }
}

pub(super) fn write(fd: Raw, buf: &[u8]) -> Result<usize, Errno> {
    let iov = Iovec {
        buf: buf.as_ptr(),
        len: buf.len(),
    };
    // SAFETY: the iovec describes `buf`, valid for reads.
    unsafe { sys::fd_write(fd, &iov, 1) }
}

pub(super) fn seek(fd: Raw, pos: SeekFrom) -> Result<u64, Errno> {
    let (offset, whence) = match pos {
        SeekFrom::Start(o) => (i64::try_from(o).map_err(|_| INVALID)?, c::WHENCE_SET),
        SeekFrom::End(o) => (o, c::WHENCE_END),
        SeekFrom::Current(o) => (o, c::WHENCE_CUR),
    };
    // SAFETY: no memory is passed.
    unsafe { sys::fd_seek(fd, offset, whence as u32) }
}

pub(super) fn size(fd: Raw) -> Result<u64, Errno> {
    // WASI has fd_filestat_get, but this layer keeps to the calls the spec
    // lists: the end offset is the size. The position is put back.
    let here = seek(fd, SeekFrom::Current(0))?;
    let end = seek(fd, SeekFrom::End(0))?;
    seek(fd, SeekFrom::Start(here))?;
    Ok(end)
}

pub(super) fn close(fd: Raw) -> Result<(), Errno> {
    // SAFETY: the caller owns `fd`.
    unsafe { sys::fd_close(fd) }
}

pub(super) fn remove(path: &str) -> Result<(), Errno> {
    let (dir, rel) = resolve(path)?;
    // SAFETY: `rel` is valid for reads of its length.
    unsafe { sys::path_unlink_file(dir, rel.as_ptr(), rel.len()) }
}

pub(super) fn exit(code: i32) -> ! {
    // SAFETY: ending the process is always allowed.
    unsafe { sys::proc_exit(code as u32) }
}

pub(super) fn monotonic_nanos() -> Result<u64, Errno> {
    // SAFETY: no memory is passed.
    unsafe { sys::clock_time_get(c::CLOCKID_MONOTONIC, 1) }
}

pub(super) fn wall_clock_nanos() -> Result<u64, Errno> {
    // SAFETY: no memory is passed.
    unsafe { sys::clock_time_get(c::CLOCKID_REALTIME, 1) }
}

pub(super) fn page_size() -> usize {
    c::WASM_PAGE_SIZE as usize
}

pub(super) fn alloc_pages(len: usize, protection: Protection) -> Result<NonNull<u8>, Errno> {
    if protection != Protection::ReadWrite {
        return Err(Errno::ENOTSUP);
    }
    let pages = len / page_size();
    // memory.grow returns the old size in pages, or usize::MAX when it cannot grow.
    let old = core::arch::wasm32::memory_grow(0, pages);
    if old == usize::MAX {
        return Err(Errno::ENOMEM);
    }
    NonNull::new((old * page_size()) as *mut u8).ok_or(Errno::ENOMEM)
}

pub(super) unsafe fn protect_pages(
    _ptr: NonNull<u8>,
    _len: usize,
    protection: Protection,
) -> Result<(), Errno> {
    // wasm memory is always readable and writable.
    if protection == Protection::ReadWrite {
        Ok(())
    } else {
        Err(Errno::ENOTSUP)
    }
}

pub(super) unsafe fn free_pages(_ptr: NonNull<u8>, _len: usize) -> Result<(), Errno> {
    // wasm memory cannot shrink.
    Ok(())
}

pub(super) fn yield_now() -> Result<(), Errno> {
    // SAFETY: no memory is passed.
    unsafe { sys::sched_yield() }
}

pub(super) fn random(buf: &mut [u8]) -> Result<(), Errno> {
    // SAFETY: `buf` is valid for writes of its length.
    unsafe { sys::random_get(buf.as_mut_ptr(), buf.len()) }
}

pub(super) fn process_id() -> Option<u32> {
    None
}

/// Runs a `*_sizes_get` / `*_get` pair: the strings land at the start of
/// `buf`, the pointer table after them (aligned). Returns the strings' size.
fn read_strings(
    sizes: unsafe fn() -> Result<(usize, usize), Errno>,
    get: unsafe fn(*mut *mut u8, *mut u8) -> Result<(), Errno>,
    buf: &mut [u8],
) -> Result<usize, Errno> {
    // SAFETY: no memory is passed.
    let (count, size) = unsafe { sizes()? };
    let align = align_of::<*mut u8>();
    let table = size.next_multiple_of(align);
    let need = table + count * size_of::<*mut u8>() + align;
    if need > buf.len() {
        return Err(TOO_SMALL);
    }
    let base = buf.as_mut_ptr();
    let table_at = base.wrapping_add(table).align_offset(align) + table;
    // SAFETY: both regions lie inside `buf` (checked above); the table is aligned.
    unsafe { get(base.add(table_at).cast(), base)? };
    Ok(size)
}

pub(super) fn args(buf: &mut [u8]) -> Result<usize, Errno> {
    read_strings(sys::args_sizes_get, sys::args_get, buf)
}

pub(super) fn env_var(name: &str, buf: &mut [u8]) -> Result<Option<usize>, Errno> {
    let size = read_strings(sys::environ_sizes_get, sys::environ_get, buf)?;
    Ok(find_env_value(buf, size, name))
}
