//! The platform layer on WASI preview1, over `crate::wasi`'s bridged calls.
//!
//! WASI has no current directory and no absolute paths: a program reaches
//! files through directories the host preopened, each with a name. Paths
//! resolve as wasi-libc (and so std on wasm32-wasip1) resolves them: a
//! relative path is joined to a current directory this layer keeps (`/` at
//! the start), and the absolute result goes to the preopen whose name, without
//! leading `/` and `./`, is its longest prefix of whole components (a preopen
//! named `.` has the empty name: it is `/`), relative to that directory.

use core::cell::UnsafeCell;
use core::ptr::NonNull;
use core::sync::atomic::{AtomicBool, Ordering};
use core::time::Duration;

use super::{
    DirEntry, FileKind, Metadata, OpenMode, Protection, SeekFrom, Timestamp, find_env_value,
};
use crate::Errno;
use crate::consts as c;
use crate::wasi::{self as sys, Dirent, Event, Filestat, Iovec, Prestat, Subscription};

pub(super) type Raw = u32;

pub(super) const WRITE_ZERO: Errno = Errno::EIO;
pub(super) const INVALID: Errno = Errno::EINVAL;
pub(super) const ILLEGAL_SEQUENCE: Errno = Errno::EILSEQ;
pub(super) const NAME_TOO_LONG: Errno = Errno::ENAMETOOLONG;
const TOO_SMALL: Errno = Errno::ERANGE;
const NAME_MAX: usize = 1024;
/// The longest absolute path this layer builds (wasi-libc's `PATH_MAX`).
const PATH_MAX: usize = 4096;

pub(super) fn stdio(n: i32) -> Raw {
    n as u32
}

/// The current directory: an absolute path, `/` at the start, changed only
/// by `set_current_dir` (as wasi-libc keeps `__wasilibc_cwd`).
struct Cwd {
    busy: AtomicBool,
    /// The path is `path[..len]`.
    path: UnsafeCell<([u8; PATH_MAX], usize)>,
}

// SAFETY: `path` is touched only by `with_cwd`, which holds `busy`.
unsafe impl Sync for Cwd {}

static CWD: Cwd = Cwd {
    busy: AtomicBool::new(false),
    path: UnsafeCell::new({
        let mut p = [0u8; PATH_MAX];
        p[0] = b'/';
        (p, 1)
    }),
};

/// Runs `f` on the current directory's buffer and length, alone.
fn with_cwd<T>(f: impl FnOnce(&mut [u8; PATH_MAX], &mut usize) -> T) -> T {
    while CWD
        .busy
        .compare_exchange_weak(false, true, Ordering::Acquire, Ordering::Relaxed)
        .is_err()
    {
        core::hint::spin_loop();
    }
    // SAFETY: `busy` is held: no other reference to the buffer exists.
    let (path, len) = unsafe { &mut *CWD.path.get() };
    let out = f(path, len);
    CWD.busy.store(false, Ordering::Release);
    out
}

/// Writes `path` made absolute against the current directory into `out`;
/// returns its length. `.` and `./` are the current directory itself; a
/// leading `./` is dropped; nothing else is normalised (the host resolves
/// `..` inside the preopen, refusing to leave it).
fn absolute(path: &str, out: &mut [u8; PATH_MAX]) -> Result<usize, Errno> {
    fn push(out: &mut [u8], len: &mut usize, bytes: &[u8]) -> Result<(), Errno> {
        let end = *len + bytes.len();
        out.get_mut(*len..end)
            .ok_or(NAME_TOO_LONG)?
            .copy_from_slice(bytes);
        *len = end;
        Ok(())
    }
    let mut len = 0;
    if path.is_empty() {
        return Err(Errno::ENOENT);
    }
    if path.starts_with('/') {
        push(out, &mut len, path.as_bytes())?;
        return Ok(len);
    }
    with_cwd(|cwd, cwd_len| push(out, &mut len, &cwd[..*cwd_len]))?;
    if path == "." || path == "./" {
        return Ok(len);
    }
    let rest = path.strip_prefix("./").unwrap_or(path);
    if !out[..len].ends_with(b"/") {
        push(out, &mut len, b"/")?;
    }
    push(out, &mut len, rest.as_bytes())?;
    Ok(len)
}

/// A preopen's name as wasi-libc compares it: without leading `/`, `./`, or
/// a lone `.`, and without trailing `/`.
fn stripped(mut name: &str) -> &str {
    loop {
        if let Some(rest) = name.strip_prefix('/') {
            name = rest;
        } else if let Some(rest) = name.strip_prefix("./") {
            name = rest;
        } else if name == "." {
            name = "";
        } else {
            return name.trim_end_matches('/');
        }
    }
}

/// Where `path` is: the preopened directory, the preopen's (stripped) name
/// and the path relative to it (`.` for the directory itself), the last two
/// in `buf`.
fn resolve<'b>(path: &str, buf: &'b mut [u8; PATH_MAX]) -> Result<(u32, &'b str, &'b str), Errno> {
    let len = absolute(path, buf)?;
    // Built from `&str` pieces: still UTF-8.
    let abs = core::str::from_utf8(&buf[..len]).map_err(|_| ILLEGAL_SEQUENCE)?;
    let abs = abs.trim_start_matches('/');
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
        let Ok(dir) = core::str::from_utf8(&name[..pre.name_len]) else {
            continue;
        };
        let dir = stripped(dir);
        let whole = abs
            .strip_prefix(dir)
            .is_some_and(|rest| dir.is_empty() || rest.is_empty() || rest.starts_with('/'));
        // The longest name wins; of equal ones, the later preopen (as in wasi-libc).
        if whole && best.is_none_or(|(_, l)| dir.len() >= l) {
            best = Some((fd, dir.len()));
        }
    }
    let (fd, prefix_len) = best.ok_or(Errno::ENOENT)?;
    let (prefix, rest) = abs.split_at(prefix_len);
    let rest = rest.trim_start_matches('/');
    Ok((fd, prefix, if rest.is_empty() { "." } else { rest }))
}

pub(super) fn open(path: &str, mode: OpenMode) -> Result<Raw, Errno> {
    let (oflags, fdflags) = match mode {
        OpenMode::Read | OpenMode::ReadWrite => (0, 0),
        OpenMode::Create => (c::OFLAGS_CREAT | c::OFLAGS_TRUNC, 0),
        OpenMode::Append => (c::OFLAGS_CREAT, c::FDFLAGS_APPEND),
        OpenMode::CreateNew => (c::OFLAGS_CREAT | c::OFLAGS_EXCL, 0),
    };
    open_flags(path, oflags as u32, fdflags as u32, 0)
}

/// `path_open` of `path` with these flags and every right its directory may
/// hand on but `without`.
fn open_flags(path: &str, oflags: u32, fdflags: u32, without: u64) -> Result<Raw, Errno> {
    let mut buf = [0u8; PATH_MAX];
    let (dir, _, rel) = resolve(path, &mut buf)?;
    // Ask for what the directory may hand on: more is ENOTCAPABLE.
    let mut stat = sys::FdStat::default();
    // SAFETY: `stat` is a valid fdstat out-pointer.
    unsafe { sys::fd_fdstat_get(dir, &mut stat)? };
    let rights = stat.rights_inheriting & c::RIGHTS_ALL & !without;
    // SAFETY: `rel` is valid for reads of its length.
    unsafe {
        sys::path_open(
            dir,
            c::LOOKUPFLAGS_SYMLINK_FOLLOW,
            rel.as_ptr(),
            rel.len(),
            oflags,
            rights,
            rights,
            fdflags,
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

fn filestat(fd: Raw) -> Result<Filestat, Errno> {
    let mut st = Filestat::default();
    // SAFETY: `st` is a valid filestat out-pointer.
    unsafe { sys::fd_filestat_get(fd as i32, &mut st)? };
    Ok(st)
}

pub(super) fn size(fd: Raw) -> Result<u64, Errno> {
    Ok(filestat(fd)?.size)
}

pub(super) fn close(fd: Raw) -> Result<(), Errno> {
    // SAFETY: the caller owns `fd`.
    unsafe { sys::fd_close(fd) }
}

pub(super) fn remove(path: &str) -> Result<(), Errno> {
    let mut buf = [0u8; PATH_MAX];
    let (dir, _, rel) = resolve(path, &mut buf)?;
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

fn kind_of(filetype: u8) -> FileKind {
    match filetype {
        c::FILETYPE_REGULAR_FILE => FileKind::File,
        c::FILETYPE_DIRECTORY => FileKind::Dir,
        c::FILETYPE_SYMBOLIC_LINK => FileKind::Symlink,
        _ => FileKind::Other,
    }
}

fn to_metadata(st: &Filestat) -> Metadata {
    Metadata {
        len: st.size,
        kind: kind_of(st.filetype),
        modified: Timestamp::from_nanos(st.mtim),
    }
}

pub(super) fn file_metadata(fd: Raw) -> Result<Metadata, Errno> {
    Ok(to_metadata(&filestat(fd)?))
}

/// `path_filestat_get` of `rel` in `dir`.
fn path_filestat(dir: u32, rel: &str, follow: bool) -> Result<Filestat, Errno> {
    let flags = if follow {
        c::LOOKUPFLAGS_SYMLINK_FOLLOW
    } else {
        0
    };
    let mut st = Filestat::default();
    // SAFETY: `rel` is valid for reads of its length; `st` is a valid out-pointer.
    unsafe { sys::path_filestat_get(dir, flags, rel.as_ptr(), rel.len(), &mut st)? };
    Ok(st)
}

pub(super) fn metadata(path: &str, follow: bool) -> Result<Metadata, Errno> {
    let mut buf = [0u8; PATH_MAX];
    let (dir, _, rel) = resolve(path, &mut buf)?;
    Ok(to_metadata(&path_filestat(dir, rel, follow)?))
}

const DIRENT: usize = size_of::<Dirent>();
const DIR_BUF: usize = 4096;

/// An open directory and the part of `fd_readdir`'s answer not read yet.
pub(super) struct ReadDir {
    fd: Raw,
    buf: [u8; DIR_BUF],
    at: usize,
    len: usize,
    /// Where the next `fd_readdir` starts: the `next` of the last entry read.
    cookie: u64,
    /// Whether the last `fd_readdir` filled the buffer (more may follow).
    full: bool,
}

impl ReadDir {
    pub(super) fn open(path: &str) -> Result<ReadDir, Errno> {
        Ok(ReadDir {
            fd: open_flags(path, c::OFLAGS_DIRECTORY as u32, 0, c::RIGHTS_WRITING)?,
            buf: [0; DIR_BUF],
            at: 0,
            len: 0,
            cookie: 0,
            full: true,
        })
    }

    /// The header and name at `at`, if the buffer holds all of them.
    fn entry_at(&self) -> Option<(Dirent, usize)> {
        let head = self.buf.get(self.at..self.at + DIRENT)?;
        let word = |at: usize| u64::from_le_bytes(head[at..at + 8].try_into().unwrap_or_default());
        let d = Dirent {
            next: word(0),
            ino: word(8),
            namlen: u32::from_le_bytes(head[16..20].try_into().unwrap_or_default()),
            kind: head[20],
        };
        let end = self.at + DIRENT + d.namlen as usize;
        (end <= self.len).then_some((d, end))
    }

    pub(super) fn next(&mut self) -> Option<Result<DirEntry, Errno>> {
        let (d, end) = loop {
            if self.at + DIRENT <= self.len
                && let Some(found) = self.entry_at()
            {
                break found;
            }
            // What is left is a cut entry (refetched whole from the cookie)
            // or nothing.
            if !self.full {
                return None;
            }
            if self.at == 0 && self.len == DIR_BUF {
                // One entry larger than the whole buffer.
                self.full = false;
                return Some(Err(NAME_TOO_LONG));
            }
            let buf = &mut self.buf;
            // SAFETY: `buf` is valid for writes of its length.
            match unsafe {
                sys::fd_readdir(
                    self.fd as i32,
                    buf.as_mut_ptr(),
                    DIR_BUF as u32,
                    self.cookie,
                )
            } {
                Ok(n) => {
                    (self.at, self.len) = (0, n as usize);
                    self.full = n as usize == DIR_BUF;
                }
                Err(e) => return Some(Err(e)),
            }
        };
        let name = &self.buf[self.at + DIRENT..end];
        self.at = end;
        self.cookie = d.next;
        let kind = match kind_of(d.kind) {
            // Unknown to the host's listing: ask about the name itself.
            FileKind::Other if d.kind == 0 => match core::str::from_utf8(name)
                .map_err(|_| ILLEGAL_SEQUENCE)
                .and_then(|n| path_filestat(self.fd, n, false))
            {
                Ok(st) => kind_of(st.filetype),
                Err(e) => return Some(Err(e)),
            },
            k => k,
        };
        Some(DirEntry::new(name, kind))
    }
}

impl Drop for ReadDir {
    fn drop(&mut self) {
        // Nothing to report a close error to.
        let _ = close(self.fd);
    }
}

pub(super) fn create_dir(path: &str) -> Result<(), Errno> {
    let mut buf = [0u8; PATH_MAX];
    let (dir, _, rel) = resolve(path, &mut buf)?;
    // SAFETY: `rel` is valid for reads of its length.
    unsafe { sys::path_create_directory(dir, rel.as_ptr(), rel.len()) }
}

pub(super) fn remove_dir(path: &str) -> Result<(), Errno> {
    let mut buf = [0u8; PATH_MAX];
    let (dir, _, rel) = resolve(path, &mut buf)?;
    // SAFETY: `rel` is valid for reads of its length.
    unsafe { sys::path_remove_directory(dir as i32, rel.as_ptr(), rel.len()) }
}

pub(super) fn rename(from: &str, to: &str) -> Result<(), Errno> {
    let (mut a, mut b) = ([0u8; PATH_MAX], [0u8; PATH_MAX]);
    let (from_dir, _, from) = resolve(from, &mut a)?;
    let (to_dir, _, to) = resolve(to, &mut b)?;
    // SAFETY: both paths are valid for reads of their lengths.
    unsafe {
        sys::path_rename(
            from_dir as i32,
            from.as_ptr(),
            from.len(),
            to_dir as i32,
            to.as_ptr(),
            to.len(),
        )
    }
}

pub(super) fn current_dir(buf: &mut [u8]) -> Result<usize, Errno> {
    with_cwd(|cwd, len| {
        let dst = buf.get_mut(..*len).ok_or(TOO_SMALL)?;
        dst.copy_from_slice(&cwd[..*len]);
        Ok(*len)
    })
}

pub(super) fn set_current_dir(path: &str) -> Result<(), Errno> {
    let mut buf = [0u8; PATH_MAX];
    let (dir, prefix, rel) = resolve(path, &mut buf)?;
    if path_filestat(dir, rel, true)?.filetype != c::FILETYPE_DIRECTORY {
        return Err(Errno::ENOTDIR);
    }
    // As wasi-libc writes it: "/" + the preopen's name + "/" + the rest, the
    // middle "/" only between two non-empty parts, no rest when it is ".".
    let rest = if rel == "." { "" } else { rel };
    let mid = if prefix.is_empty() || rest.is_empty() {
        ""
    } else {
        "/"
    };
    let parts = ["/", prefix, mid, rest];
    let total: usize = parts.iter().map(|p| p.len()).sum();
    if total > PATH_MAX {
        return Err(NAME_TOO_LONG);
    }
    with_cwd(|cwd, len| {
        *len = 0;
        for p in parts {
            cwd[*len..*len + p.len()].copy_from_slice(p.as_bytes());
            *len += p.len();
        }
    });
    Ok(())
}

pub(super) fn sleep(d: Duration) -> Result<(), Errno> {
    let sub = Subscription {
        userdata: 0,
        tag: c::EVENTTYPE_CLOCK,
        clock: sys::SubscriptionClock {
            id: c::CLOCKID_MONOTONIC,
            timeout: u64::try_from(d.as_nanos()).unwrap_or(u64::MAX),
            precision: 0,
            flags: 0,
        },
    };
    let mut event = Event::default();
    // SAFETY: one subscription in, room for one event out.
    unsafe { sys::poll_oneoff((&raw const sub).cast(), (&raw mut event).cast(), 1)? };
    match event.error {
        0 => Ok(()),
        code => Err(Errno::from_raw(code.into())),
    }
}
