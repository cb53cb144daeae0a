//! One portable API over every target, built only from bridged calls (and
//! wasm's own `memory.grow`): files and standard streams, file metadata,
//! directories (listing, creating, removing, renaming, the current one),
//! exit, clocks, sleep, page memory, yield, random bytes, the process id,
//! arguments and environment.
//!
//! Like Go's `os_linux.go` / `os_windows.go` / `os_wasip1.go`, each OS has a
//! backend (`linux.rs`, `windows.rs`, `wasi.rs`) over its bridged calls; the
//! values of each OS API (`O_CREAT`, `PAGE_READWRITE`, ...) come from the target
//! spec's `[constants]`. Nothing allocates: paths are converted in stack
//! buffers, and arguments and environment are read into buffers you pass.
//!
//! Errors are the target's own [`Errno`] values: `ENOENT` on Linux,
//! `ERROR_FILE_NOT_FOUND` (from `GetLastError`) on Windows, WASI's `ENOENT`;
//! [`Errno::kind`] classifies them the same way everywhere.
//!
//! [`File`] implements `core::fmt::Write`; with the `std` feature also
//! `std::io::{Read, Write, Seek}` (for `File` and `&File`), `AsFd`/`AsRawFd`
//! (Linux, WASI) or `AsHandle`/`AsRawHandle` (Windows), `From<std::fs::File>`
//! and `TryFrom<File> for std::fs::File`.
//!
//! ```
//! use abi_runtime::platform::{self, File};
//! let now = platform::monotonic_nanos().unwrap();
//! assert!(platform::monotonic_nanos().unwrap() >= now);
//! File::stdout().write_all(b"hello from the platform layer\n").unwrap();
//! ```

use core::ptr::NonNull;
use core::time::Duration;

use crate::{Errno, ErrorKind};

#[cfg(target_os = "linux")]
#[path = "linux.rs"]
mod sys;
#[cfg(target_os = "wasi")]
#[path = "wasi.rs"]
mod sys;
#[cfg(windows)]
#[path = "windows.rs"]
mod sys;

mod dir;
mod interop;
mod metadata;
pub use dir::{
    DirEntry, NAME_MAX, ReadDir, create_dir, current_dir, read_dir, remove_dir, rename,
    set_current_dir,
};
pub use interop::LineReader;
pub use metadata::{FileKind, Metadata, Timestamp, metadata, symlink_metadata};

/// A target's native file handle: an fd on Linux and WASI, a `HANDLE` on Windows.
///
/// ```
/// use abi_runtime::platform::{File, RawHandle};
/// let out: RawHandle = File::stdout().raw();
/// # #[cfg(unix)] assert_eq!(out as i32, 1);
/// # let _ = out;
/// ```
pub type RawHandle = sys::Raw;

/// Where [`File::seek`] moves to.
///
/// ```
/// use abi_runtime::platform::{File, SeekFrom};
/// # let dir = std::env::var("TMPDIR").unwrap_or_else(|_| std::env::temp_dir().display().to_string());
/// # let path = format!("{dir}/abi-doc-seekfrom");
/// let f = File::create(&path).unwrap();
/// f.write_all(b"0123456789").unwrap();
/// assert_eq!(f.seek(SeekFrom::Start(2)).unwrap(), 2);
/// assert_eq!(f.seek(SeekFrom::Current(3)).unwrap(), 5);
/// assert_eq!(f.seek(SeekFrom::End(-1)).unwrap(), 9);
/// # drop(f); abi_runtime::platform::remove_file(&path).unwrap();
/// ```
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
///
/// ```
/// use abi_runtime::platform::{self, Protection};
/// let page = platform::page_size();
/// let p = platform::alloc_pages(page, Protection::ReadWrite).unwrap();
/// // SAFETY: the page is mapped readable and writable.
/// unsafe { p.as_ptr().write(7) };
/// assert_eq!(unsafe { p.as_ptr().read() }, 7);
/// // SAFETY: the page came from alloc_pages with this length and is not used again.
/// unsafe { platform::free_pages(p, page) }.unwrap();
/// ```
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
///
/// ```
/// use abi_runtime::platform::{File, OpenMode};
/// # let dir = std::env::var("TMPDIR").unwrap_or_else(|_| std::env::temp_dir().display().to_string());
/// # let path = format!("{dir}/abi-doc-openmode");
/// File::open_with(&path, OpenMode::Create).unwrap().write_all(b"x").unwrap();
/// assert_eq!(File::open_with(&path, OpenMode::Read).unwrap().size().unwrap(), 1);
/// # abi_runtime::platform::remove_file(&path).unwrap();
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpenMode {
    /// An existing file, for reading.
    Read,
    /// A file created (or truncated) for reading and writing.
    Create,
    /// An existing file for reading and writing, not truncated.
    ReadWrite,
    /// A file created unless it exists, for writing at its end: every write
    /// appends (std's `OpenOptions::new().append(true).create(true)`).
    Append,
    /// A new file for reading and writing: `AlreadyExists` if the path exists
    /// (std's `create_new(true)`), decided by the OS in one step.
    CreateNew,
}

/// An open file or standard stream. Files close when dropped; [`File::close`]
/// closes and reports the error. Standard streams are never closed.
///
/// ```
/// use abi_runtime::platform::File;
/// # let dir = std::env::var("TMPDIR").unwrap_or_else(|_| std::env::temp_dir().display().to_string());
/// # let path = format!("{dir}/abi-doc-file");
/// let f = File::create(&path).unwrap();
/// f.write_all(b"hello").unwrap();
/// f.close().unwrap();
/// let mut buf = [0u8; 8];
/// let n = File::open(&path).unwrap().read(&mut buf).unwrap();
/// assert_eq!(&buf[..n], b"hello");
/// # abi_runtime::platform::remove_file(&path).unwrap();
/// ```
#[derive(Debug)]
pub struct File {
    raw: RawHandle,
    owned: bool,
}

impl File {
    /// Standard input.
    ///
    /// ```
    /// let stdin = abi_runtime::platform::File::stdin();
    /// # #[cfg(unix)] assert_eq!(stdin.raw() as i32, 0);
    /// # let _ = stdin;
    /// ```
    pub fn stdin() -> File {
        File {
            raw: sys::stdio(0),
            owned: false,
        }
    }

    /// Standard output.
    ///
    /// ```
    /// abi_runtime::platform::File::stdout().write_all(b"to stdout\n").unwrap();
    /// ```
    pub fn stdout() -> File {
        File {
            raw: sys::stdio(1),
            owned: false,
        }
    }

    /// Standard error.
    ///
    /// ```
    /// abi_runtime::platform::File::stderr().write_all(b"to stderr\n").unwrap();
    /// ```
    pub fn stderr() -> File {
        File {
            raw: sys::stdio(2),
            owned: false,
        }
    }

    /// Opens an existing file for reading.
    ///
    /// ```
    /// use abi_runtime::{ErrorKind, platform::File};
    /// # let dir = std::env::var("TMPDIR").unwrap_or_else(|_| std::env::temp_dir().display().to_string());
    /// # let path = format!("{dir}/abi-doc-open");
    /// let err = File::open(&path).unwrap_err();
    /// assert_eq!(err.kind(), ErrorKind::NotFound);
    /// File::create(&path).unwrap();
    /// assert_eq!(File::open(&path).unwrap().size().unwrap(), 0);
    /// # abi_runtime::platform::remove_file(&path).unwrap();
    /// ```
    pub fn open(path: &str) -> Result<File, Errno> {
        Self::open_with(path, OpenMode::Read)
    }

    /// Creates a file (truncating an existing one) for reading and writing.
    ///
    /// ```
    /// use abi_runtime::platform::File;
    /// # let dir = std::env::var("TMPDIR").unwrap_or_else(|_| std::env::temp_dir().display().to_string());
    /// # let path = format!("{dir}/abi-doc-create");
    /// File::create(&path).unwrap().write_all(b"long text").unwrap();
    /// assert_eq!(File::create(&path).unwrap().size().unwrap(), 0); // truncated
    /// # abi_runtime::platform::remove_file(&path).unwrap();
    /// ```
    pub fn create(path: &str) -> Result<File, Errno> {
        Self::open_with(path, OpenMode::Create)
    }

    /// Opens `path` as `mode` says.
    ///
    /// ```
    /// use abi_runtime::platform::{File, OpenMode, SeekFrom};
    /// # let dir = std::env::var("TMPDIR").unwrap_or_else(|_| std::env::temp_dir().display().to_string());
    /// # let path = format!("{dir}/abi-doc-open-with");
    /// let f = File::open_with(&path, OpenMode::Create).unwrap();
    /// f.write_all(b"abc").unwrap();
    /// f.seek(SeekFrom::Start(0)).unwrap();
    /// let mut buf = [0u8; 3];
    /// assert_eq!(f.read(&mut buf).unwrap(), 3); // created files are read-write
    /// # drop(f); abi_runtime::platform::remove_file(&path).unwrap();
    /// ```
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
    ///
    /// ```
    /// use abi_runtime::platform::File;
    /// let err = File::stderr();
    /// // SAFETY: standard error stays open; the new File does not own it.
    /// let again = unsafe { File::from_raw(err.raw(), false) };
    /// again.write_all(b"through the same handle\n").unwrap();
    /// ```
    pub fn raw(&self) -> RawHandle {
        self.raw
    }

    /// Reads into `buf`; `Ok(0)` at the end of the file.
    ///
    /// ```
    /// use abi_runtime::platform::File;
    /// # let dir = std::env::var("TMPDIR").unwrap_or_else(|_| std::env::temp_dir().display().to_string());
    /// # let path = format!("{dir}/abi-doc-read");
    /// File::create(&path).unwrap().write_all(b"abc").unwrap();
    /// let f = File::open(&path).unwrap();
    /// let mut buf = [0u8; 2];
    /// assert_eq!(f.read(&mut buf).unwrap(), 2);
    /// assert_eq!(f.read(&mut buf).unwrap(), 1);
    /// assert_eq!(f.read(&mut buf).unwrap(), 0);
    /// # drop(f); abi_runtime::platform::remove_file(&path).unwrap();
    /// ```
    pub fn read(&self, buf: &mut [u8]) -> Result<usize, Errno> {
        sys::read(self.raw, buf)
    }

    /// Writes some of `buf`; returns how much.
    ///
    /// ```
    /// let n = abi_runtime::platform::File::stdout().write(b"some\n").unwrap();
    /// assert!(n <= 5);
    /// ```
    pub fn write(&self, buf: &[u8]) -> Result<usize, Errno> {
        sys::write(self.raw, buf)
    }

    /// Writes all of `buf`.
    ///
    /// ```
    /// abi_runtime::platform::File::stdout().write_all(b"all of it\n").unwrap();
    /// ```
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
    ///
    /// ```
    /// use abi_runtime::platform::{File, SeekFrom};
    /// # let dir = std::env::var("TMPDIR").unwrap_or_else(|_| std::env::temp_dir().display().to_string());
    /// # let path = format!("{dir}/abi-doc-seek");
    /// let f = File::create(&path).unwrap();
    /// f.write_all(b"hello").unwrap();
    /// assert_eq!(f.seek(SeekFrom::End(0)).unwrap(), 5);
    /// # drop(f); abi_runtime::platform::remove_file(&path).unwrap();
    /// ```
    pub fn seek(&self, pos: SeekFrom) -> Result<u64, Errno> {
        sys::seek(self.raw, pos)
    }

    /// The file's size in bytes.
    ///
    /// ```
    /// use abi_runtime::platform::File;
    /// # let dir = std::env::var("TMPDIR").unwrap_or_else(|_| std::env::temp_dir().display().to_string());
    /// # let path = format!("{dir}/abi-doc-size");
    /// let f = File::create(&path).unwrap();
    /// f.write_all(&[0; 100]).unwrap();
    /// assert_eq!(f.size().unwrap(), 100);
    /// # drop(f); abi_runtime::platform::remove_file(&path).unwrap();
    /// ```
    pub fn size(&self) -> Result<u64, Errno> {
        sys::size(self.raw)
    }

    /// Closes the file, reporting what the OS says.
    ///
    /// ```
    /// use abi_runtime::platform::File;
    /// # let dir = std::env::var("TMPDIR").unwrap_or_else(|_| std::env::temp_dir().display().to_string());
    /// # let path = format!("{dir}/abi-doc-close");
    /// File::create(&path).unwrap().close().unwrap();
    /// File::stdout().close().unwrap(); // standard streams stay open
    /// # abi_runtime::platform::remove_file(&path).unwrap();
    /// ```
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
///
/// ```
/// use abi_runtime::{ErrorKind, platform::{self, File}};
/// # let dir = std::env::var("TMPDIR").unwrap_or_else(|_| std::env::temp_dir().display().to_string());
/// # let path = format!("{dir}/abi-doc-remove");
/// File::create(&path).unwrap();
/// platform::remove_file(&path).unwrap();
/// assert_eq!(platform::remove_file(&path).unwrap_err().kind(), ErrorKind::NotFound);
/// ```
pub fn remove_file(path: &str) -> Result<(), Errno> {
    sys::remove(path)
}

/// Ends the process with `code`.
///
/// ```no_run
/// // Not run: it would end the doc test.
/// abi_runtime::platform::exit(3);
/// ```
pub fn exit(code: i32) -> ! {
    sys::exit(code)
}

/// A monotonic clock in nanoseconds, from an unspecified start.
///
/// ```
/// let a = abi_runtime::platform::monotonic_nanos().unwrap();
/// let b = abi_runtime::platform::monotonic_nanos().unwrap();
/// assert!(b >= a);
/// ```
pub fn monotonic_nanos() -> Result<u64, Errno> {
    sys::monotonic_nanos()
}

/// Wall-clock time in nanoseconds since 1970-01-01 UTC.
///
/// ```
/// let ours = abi_runtime::platform::wall_clock_nanos().unwrap();
/// let std = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap();
/// assert!((std.as_nanos() as i128 - ours as i128).abs() < 5_000_000_000);
/// ```
pub fn wall_clock_nanos() -> Result<u64, Errno> {
    sys::wall_clock_nanos()
}

/// Sleeps for at least `duration` by the [`monotonic_nanos`] clock (the one
/// std's `Instant` reads): the OS's sleep (`clock_nanosleep` on Linux,
/// `poll_oneoff` with a clock subscription on WASI, `Sleep` on Windows),
/// again for what is left when it wakes early or is interrupted.
///
/// ```
/// use std::time::{Duration, Instant};
/// let start = Instant::now();
/// abi_runtime::platform::sleep(Duration::from_millis(20)).unwrap();
/// assert!(start.elapsed() >= Duration::from_millis(20));
/// abi_runtime::platform::sleep(Duration::ZERO).unwrap();
/// ```
pub fn sleep(duration: Duration) -> Result<(), Errno> {
    let want = duration.as_nanos();
    let start = monotonic_nanos()?;
    loop {
        let done = u128::from(monotonic_nanos()?.saturating_sub(start));
        let Some(left) = want.checked_sub(done).filter(|&l| l > 0) else {
            return Ok(());
        };
        let left = Duration::from_nanos(u64::try_from(left).unwrap_or(u64::MAX));
        match sys::sleep(left) {
            Ok(()) => {}
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
}

/// The size of a memory page: the unit of [`alloc_pages`]. On wasm it is
/// wasm's own 64 KiB page.
///
/// ```
/// let page = abi_runtime::platform::page_size();
/// assert!(page.is_power_of_two() && page >= 4096);
/// ```
pub fn page_size() -> usize {
    sys::page_size()
}

/// Maps `len` bytes (rounded up to whole pages) of zeroed memory.
///
/// On wasm the memory comes from `memory.grow`: it is always readable and
/// writable (wasm has no protection), and [`free_pages`] cannot give it back.
///
/// ```
/// use abi_runtime::platform::{self, Protection};
/// let p = platform::alloc_pages(100, Protection::ReadWrite).unwrap();
/// // SAFETY: a whole page (at least 100 bytes) is mapped, zeroed.
/// let bytes = unsafe { core::slice::from_raw_parts(p.as_ptr(), 100) };
/// assert!(bytes.iter().all(|&b| b == 0));
/// // SAFETY: what alloc_pages returned, not used again.
/// unsafe { platform::free_pages(p, 100) }.unwrap();
/// ```
pub fn alloc_pages(len: usize, protection: Protection) -> Result<NonNull<u8>, Errno> {
    sys::alloc_pages(round_to_pages(len)?, protection)
}

/// Changes the protection of pages from [`alloc_pages`]. On wasm only
/// [`Protection::ReadWrite`] is possible; anything else is `ENOTSUP`.
///
/// ```
/// use abi_runtime::platform::{self, Protection};
/// let page = platform::page_size();
/// let p = platform::alloc_pages(page, Protection::ReadWrite).unwrap();
/// // SAFETY: the page came from alloc_pages; nothing refers to it.
/// let r = unsafe { platform::protect_pages(p, page, Protection::Read) };
/// # #[cfg(not(target_os = "wasi"))]
/// r.unwrap();
/// # #[cfg(target_os = "wasi")]
/// assert!(r.is_err());
/// // SAFETY: what alloc_pages returned, not used again.
/// unsafe { platform::free_pages(p, page) }.unwrap();
/// ```
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
/// ```
/// use abi_runtime::platform::{self, Protection};
/// let p = platform::alloc_pages(1, Protection::ReadWrite).unwrap();
/// // SAFETY: what alloc_pages was given and returned, not used again.
/// unsafe { platform::free_pages(p, 1) }.unwrap();
/// ```
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
///
/// ```
/// abi_runtime::platform::yield_now().unwrap();
/// ```
pub fn yield_now() -> Result<(), Errno> {
    sys::yield_now()
}

/// Fills `buf` with random bytes from the OS.
///
/// ```
/// let (mut a, mut b) = ([0u8; 16], [0u8; 16]);
/// abi_runtime::platform::random(&mut a).unwrap();
/// abi_runtime::platform::random(&mut b).unwrap();
/// assert_ne!(a, b);
/// ```
pub fn random(buf: &mut [u8]) -> Result<(), Errno> {
    sys::random(buf)
}

/// The process id, where the target has one (not on WASI).
///
/// ```
/// let pid = abi_runtime::platform::process_id();
/// # #[cfg(not(target_os = "wasi"))]
/// assert_eq!(pid, Some(std::process::id()));
/// # #[cfg(target_os = "wasi")]
/// assert_eq!(pid, None);
/// ```
pub fn process_id() -> Option<u32> {
    sys::process_id()
}

/// The command-line arguments, read into `buf` (program name first).
/// `Err` with the target's "buffer too small" errno (`ERANGE`,
/// `ERROR_INSUFFICIENT_BUFFER`) when `buf` cannot hold them.
///
/// ```
/// let mut buf = [0u8; 4096];
/// let ours: Vec<Vec<u8>> = abi_runtime::platform::args(&mut buf).unwrap().map(<[u8]>::to_vec).collect();
/// let std: Vec<Vec<u8>> = std::env::args().map(String::into_bytes).collect();
/// assert_eq!(ours, std);
/// assert!(abi_runtime::platform::args(&mut [0u8; 1]).is_err());
/// ```
pub fn args(buf: &mut [u8]) -> Result<Strings<'_>, Errno> {
    let len = sys::args(buf)?;
    Ok(Strings { rest: &buf[..len] })
}

/// The value of environment variable `name`, read into `buf`; `Ok(None)` when
/// it is not set. Values that are not UTF-8 are `Err(EILSEQ)`-like errors of
/// the target.
///
/// ```
/// let mut buf = [0u8; 4096];
/// let path = abi_runtime::platform::env_var("PATH", &mut buf).unwrap();
/// assert_eq!(path.map(str::to_owned), std::env::var("PATH").ok());
/// assert_eq!(abi_runtime::platform::env_var("ABI_BRIDGE_SURELY_UNSET", &mut buf), Ok(None));
/// ```
pub fn env_var<'b>(name: &str, buf: &'b mut [u8]) -> Result<Option<&'b str>, Errno> {
    match sys::env_var(name, buf)? {
        Some(len) => core::str::from_utf8(&buf[..len])
            .map(Some)
            .map_err(|_| sys::ILLEGAL_SEQUENCE),
        None => Ok(None),
    }
}

/// NUL-separated strings in a buffer: what [`args`] returns.
///
/// ```
/// let mut buf = [0u8; 4096];
/// let args: Vec<&[u8]> = abi_runtime::platform::args(&mut buf).unwrap().collect();
/// assert_eq!(args.len(), std::env::args_os().count());
/// ```
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
