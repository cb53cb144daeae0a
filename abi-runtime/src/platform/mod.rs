//! One portable API over every target, built only from bridged calls (and
//! wasm's own `memory.grow`): files and standard streams, exit, clocks, page
//! memory, yield, random bytes, the process id, arguments and environment.
//!
//! Like Go's `os_linux.go` / `os_windows.go` / `os_wasip1.go`, each OS has a
//! backend (`linux.rs`, `windows.rs`, `wasi.rs`) over its bridged calls; the
//! values of each OS API (`O_CREAT`, `PAGE_READWRITE`, ...) come from the target
//! spec's `[constants]`. Nothing allocates: paths are converted in stack
//! buffers, and arguments and environment are read into buffers you pass.
//!
//! Errors are the target's own [`Errno`] values: `ENOENT` on Linux,
//! `ERROR_FILE_NOT_FOUND` (from `GetLastError`) on Windows, WASI's `ENOENT`.
//!
//! ```
//! use abi_runtime::platform::{self, File};
//! let now = platform::monotonic_nanos().unwrap();
//! assert!(platform::monotonic_nanos().unwrap() >= now);
//! File::stdout().write_all(b"hello from the platform layer\n").unwrap();
//! ```

use core::ptr::NonNull;

use crate::Errno;

#[cfg(target_os = "linux")]
#[path = "linux.rs"]
mod sys;
#[cfg(target_os = "wasi")]
#[path = "wasi.rs"]
mod sys;
#[cfg(windows)]
#[path = "windows.rs"]
mod sys;

/// A target's native file handle: an fd on Linux and WASI, a `HANDLE` on Windows.
pub type RawHandle = sys::Raw;

/// Where [`File::seek`] moves to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SeekFrom {
    /// From the start of the file.
    Start(u64),
    /// From the end of the file.
    End(i64),
    /// From the current position.
    Current(i64),
}

/// What page memory may be used for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protection {
    /// No access.
    None,
    /// Read only.
    Read,
    /// Read and write.
    ReadWrite,
}

/// How [`File::open_with`] opens a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpenMode {
    /// An existing file, for reading.
    Read,
    /// A file created (or truncated) for reading and writing.
    Create,
}

/// An open file or standard stream. Files close when dropped; [`File::close`]
/// closes and reports the error. Standard streams are never closed.
#[derive(Debug)]
pub struct File {
    raw: RawHandle,
    owned: bool,
}

impl File {
    /// Standard input.
    pub fn stdin() -> File {
        File {
            raw: sys::stdio(0),
            owned: false,
        }
    }

    /// Standard output.
    pub fn stdout() -> File {
        File {
            raw: sys::stdio(1),
            owned: false,
        }
    }

    /// Standard error.
    pub fn stderr() -> File {
        File {
            raw: sys::stdio(2),
            owned: false,
        }
    }

    /// Opens an existing file for reading.
    pub fn open(path: &str) -> Result<File, Errno> {
        Self::open_with(path, OpenMode::Read)
    }

    /// Creates a file (truncating an existing one) for reading and writing.
    pub fn create(path: &str) -> Result<File, Errno> {
        Self::open_with(path, OpenMode::Create)
    }

    /// Opens `path` as `mode` says.
    pub fn open_with(path: &str, mode: OpenMode) -> Result<File, Errno> {
        Ok(File {
            raw: sys::open(path, mode)?,
            owned: true,
        })
    }

    /// Wraps a native handle; `owned` says whether dropping the `File` closes it.
    ///
    /// # Safety
    /// `raw` must be an open handle that nothing else closes while `owned` is true.
    pub unsafe fn from_raw(raw: RawHandle, owned: bool) -> File {
        File { raw, owned }
    }

    /// The native handle.
    pub fn raw(&self) -> RawHandle {
        self.raw
    }

    /// Reads into `buf`; `Ok(0)` at the end of the file.
    pub fn read(&self, buf: &mut [u8]) -> Result<usize, Errno> {
        sys::read(self.raw, buf)
    }

    /// Writes some of `buf`; returns how much.
    pub fn write(&self, buf: &[u8]) -> Result<usize, Errno> {
        sys::write(self.raw, buf)
    }

    /// Writes all of `buf`.
    pub fn write_all(&self, mut buf: &[u8]) -> Result<(), Errno> {
        while !buf.is_empty() {
            let n = self.write(buf)?;
            if n == 0 {
                return Err(sys::WRITE_ZERO);
            }
            buf = &buf[n..];
        }
        Ok(())
    }

    /// Moves the position; returns the new position from the start.
    pub fn seek(&self, pos: SeekFrom) -> Result<u64, Errno> {
        sys::seek(self.raw, pos)
    }

    /// The file's size in bytes.
    pub fn size(&self) -> Result<u64, Errno> {
        sys::size(self.raw)
    }

    /// Closes the file, reporting what the OS says.
    pub fn close(self) -> Result<(), Errno> {
        let me = core::mem::ManuallyDrop::new(self);
        if me.owned { sys::close(me.raw) } else { Ok(()) }
    }
}

impl Drop for File {
    fn drop(&mut self) {
        if self.owned {
            // An error here has nowhere to go; `close` reports it.
            let _ = sys::close(self.raw);
        }
    }
}

/// Deletes a file.
pub fn remove_file(path: &str) -> Result<(), Errno> {
    sys::remove(path)
}

/// Ends the process with `code`.
pub fn exit(code: i32) -> ! {
    sys::exit(code)
}

/// A monotonic clock in nanoseconds, from an unspecified start.
pub fn monotonic_nanos() -> Result<u64, Errno> {
    sys::monotonic_nanos()
}

/// Wall-clock time in nanoseconds since 1970-01-01 UTC.
pub fn wall_clock_nanos() -> Result<u64, Errno> {
    sys::wall_clock_nanos()
}

/// The size of a memory page: the unit of [`alloc_pages`]. On wasm it is
/// wasm's own 64 KiB page.
pub fn page_size() -> usize {
    sys::page_size()
}

/// Maps `len` bytes (rounded up to whole pages) of zeroed memory.
///
/// On wasm the memory comes from `memory.grow`: it is always readable and
/// writable (wasm has no protection), and [`free_pages`] cannot give it back.
pub fn alloc_pages(len: usize, protection: Protection) -> Result<NonNull<u8>, Errno> {
    sys::alloc_pages(round_to_pages(len)?, protection)
}

/// Changes the protection of pages from [`alloc_pages`]. On wasm only
/// [`Protection::ReadWrite`] is possible; anything else is `ENOTSUP`.
///
/// # Safety
/// `ptr` and `len` must describe pages [`alloc_pages`] returned, and no
/// reference may be used against the new protection.
pub unsafe fn protect_pages(
    ptr: NonNull<u8>,
    len: usize,
    protection: Protection,
) -> Result<(), Errno> {
    // SAFETY: the caller's contract.
    unsafe { sys::protect_pages(ptr, round_to_pages(len)?, protection) }
}

/// Returns pages from [`alloc_pages`] to the OS (a no-op on wasm, whose memory
/// cannot shrink).
///
/// # Safety
/// `ptr` and `len` must be what [`alloc_pages`] was given and returned, and
/// the memory must not be used afterwards.
pub unsafe fn free_pages(ptr: NonNull<u8>, len: usize) -> Result<(), Errno> {
    // SAFETY: the caller's contract.
    unsafe { sys::free_pages(ptr, round_to_pages(len)?) }
}

fn round_to_pages(len: usize) -> Result<usize, Errno> {
    let page = page_size();
    len.max(1)
        .checked_next_multiple_of(page)
        .ok_or(sys::INVALID)
}

/// Lets another thread run.
pub fn yield_now() -> Result<(), Errno> {
    sys::yield_now()
}

/// Fills `buf` with random bytes from the OS.
pub fn random(buf: &mut [u8]) -> Result<(), Errno> {
    sys::random(buf)
}

/// The process id, where the target has one (not on WASI).
pub fn process_id() -> Option<u32> {
    sys::process_id()
}

/// The command-line arguments, read into `buf` (program name first).
/// `Err` with the target's "buffer too small" errno (`ERANGE`,
/// `ERROR_INSUFFICIENT_BUFFER`) when `buf` cannot hold them.
pub fn args(buf: &mut [u8]) -> Result<Strings<'_>, Errno> {
    let len = sys::args(buf)?;
    Ok(Strings { rest: &buf[..len] })
}

/// The value of environment variable `name`, read into `buf`; `Ok(None)` when
/// it is not set. Values that are not UTF-8 are `Err(EILSEQ)`-like errors of
/// the target.
pub fn env_var<'b>(name: &str, buf: &'b mut [u8]) -> Result<Option<&'b str>, Errno> {
    match sys::env_var(name, buf)? {
        Some(len) => core::str::from_utf8(&buf[..len])
            .map(Some)
            .map_err(|_| sys::ILLEGAL_SEQUENCE),
        None => Ok(None),
    }
}

/// NUL-separated strings in a buffer: what [`args`] returns.
#[derive(Debug, Clone)]
pub struct Strings<'a> {
    rest: &'a [u8],
}

impl<'a> Iterator for Strings<'a> {
    type Item = &'a [u8];

    fn next(&mut self) -> Option<&'a [u8]> {
        if self.rest.is_empty() {
            return None;
        }
        let end = self
            .rest
            .iter()
            .position(|&b| b == 0)
            .unwrap_or(self.rest.len());
        let item = &self.rest[..end];
        self.rest = self.rest.get(end + 1..).unwrap_or_default();
        Some(item)
    }
}

/// Finds `NAME=value` among the first `len` bytes of `buf` (NUL-separated
/// entries), moves the value to the start of `buf` and returns its length.
#[cfg(any(target_os = "linux", target_os = "wasi"))]
fn find_env_value(buf: &mut [u8], len: usize, name: &str) -> Option<usize> {
    let mut at = 0;
    while at < len {
        let end = buf[at..len]
            .iter()
            .position(|&b| b == 0)
            .map_or(len, |i| at + i);
        let entry = &buf[at..end];
        if entry.len() > name.len()
            && entry.starts_with(name.as_bytes())
            && entry[name.len()] == b'='
        {
            let start = at + name.len() + 1;
            buf.copy_within(start..end, 0);
            return Some(end - start);
        }
        at = end + 1;
    }
    None
}

/// Copies `parts` into `buf` one after another, each followed by a NUL;
/// returns the bytes used, or `too_small`.
#[cfg(windows)]
fn pack_nul_separated<'p>(
    parts: impl Iterator<Item = &'p [u8]>,
    buf: &mut [u8],
    too_small: Errno,
) -> Result<usize, Errno> {
    let mut at = 0;
    for p in parts {
        let end = at + p.len();
        if end >= buf.len() {
            return Err(too_small);
        }
        buf[at..end].copy_from_slice(p);
        buf[end] = 0;
        at = end + 1;
    }
    Ok(at)
}
