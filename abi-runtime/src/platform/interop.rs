//! [`File`] with the standard traits: `core::fmt::Write` always; with the
//! `std` feature, `std::io::{Read, Write, Seek}`, the OS handle traits
//! (`AsFd`/`AsRawFd` on Linux and WASI, `AsHandle`/`AsRawHandle` on Windows)
//! and conversions to and from `std::fs::File`; and [`LineReader`], lines
//! without an allocator.

use core::fmt;

use super::{File, sys};
use crate::Errno;

/// Formatted output to a file without an allocator: `write!(file, ...)`.
///
/// ```
/// use core::fmt::Write as _;
/// let mut out = abi_runtime::platform::File::stdout();
/// writeln!(out, "{} + {} = {}", 2, 3, 2 + 3).unwrap();
/// ```
impl fmt::Write for File {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.write_all(s.as_bytes()).map_err(|_| fmt::Error)
    }
}

/// Reads a file line by line into a buffer the caller gives, without
/// allocating: each line comes back without its `\n` (a `\r` before it is
/// kept), the last one also when the file does not end in `\n`.
///
/// ```
/// use abi_runtime::platform::{File, LineReader};
/// # let dir = std::env::var("TMPDIR").unwrap_or_else(|_| std::env::temp_dir().display().to_string());
/// # let path = format!("{dir}/abi-doc-lines");
/// File::create(&path).unwrap().write_all(b"one\ntwo\n\nlast").unwrap();
/// let file = File::open(&path).unwrap();
/// let mut buf = [0u8; 64];
/// let mut lines = LineReader::new(&file, &mut buf);
/// let mut seen = Vec::new();
/// while let Some(line) = lines.next_line().unwrap() {
///     seen.push(line.to_vec());
/// }
/// assert_eq!(seen, [&b"one"[..], b"two", b"", b"last"]);
/// # drop(file); abi_runtime::platform::remove_file(&path).unwrap();
/// ```
#[derive(Debug)]
pub struct LineReader<'a> {
    file: &'a File,
    buf: &'a mut [u8],
    /// The unread bytes are `buf[start..end]`.
    start: usize,
    end: usize,
    at_end: bool,
}

impl<'a> LineReader<'a> {
    /// A reader of `file` that holds at most `buf.len()` bytes of a line.
    pub fn new(file: &'a File, buf: &'a mut [u8]) -> Self {
        LineReader {
            file,
            buf,
            start: 0,
            end: 0,
            at_end: false,
        }
    }

    /// The next line, `Ok(None)` at the end of the file. A line longer than
    /// the buffer is the target's "invalid argument" error (`EINVAL`,
    /// `ERROR_INVALID_PARAMETER`); read errors are the file's.
    pub fn next_line(&mut self) -> Result<Option<&[u8]>, Errno> {
        let line = loop {
            let unread = &self.buf[self.start..self.end];
            if let Some(i) = unread.iter().position(|&b| b == b'\n') {
                let line = self.start..self.start + i;
                self.start += i + 1;
                break line;
            }
            if self.at_end {
                if self.start == self.end {
                    return Ok(None);
                }
                let line = self.start..self.end;
                self.start = self.end;
                break line;
            }
            self.buf.copy_within(self.start..self.end, 0);
            self.end -= self.start;
            self.start = 0;
            if self.end == self.buf.len() {
                return Err(sys::INVALID);
            }
            match self.file.read(&mut self.buf[self.end..])? {
                0 => self.at_end = true,
                n => self.end += n,
            }
        };
        Ok(Some(&self.buf[line]))
    }
}

#[cfg(feature = "std")]
mod with_std {
    use std::io;

    use crate::platform::{File, SeekFrom};

    /// `Read` for `&File` as for `File`: reads take `&self`.
    ///
    /// ```
    /// use std::io::{Read, Seek, Write};
    /// # let dir = std::env::var("TMPDIR").unwrap_or_else(|_| std::env::temp_dir().display().to_string());
    /// # let path = format!("{dir}/abi-doc-io-traits");
    /// let mut f = abi_runtime::platform::File::create(&path).unwrap();
    /// f.write_all(b"through std::io").unwrap();
    /// f.rewind().unwrap();
    /// let mut text = String::new();
    /// f.read_to_string(&mut text).unwrap();
    /// assert_eq!(text, "through std::io");
    /// # drop(f); abi_runtime::platform::remove_file(&path).unwrap();
    /// ```
    impl io::Read for &File {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            Ok(File::read(self, buf)?)
        }
    }

    impl io::Read for File {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            Ok(File::read(self, buf)?)
        }
    }

    impl io::Write for &File {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            Ok(File::write(self, buf)?)
        }

        /// Writes are not buffered: nothing to flush.
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    impl io::Write for File {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            Ok(File::write(self, buf)?)
        }

        /// Writes are not buffered: nothing to flush.
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    impl io::Seek for &File {
        fn seek(&mut self, pos: io::SeekFrom) -> io::Result<u64> {
            Ok(File::seek(self, to_ours(pos))?)
        }
    }

    impl io::Seek for File {
        fn seek(&mut self, pos: io::SeekFrom) -> io::Result<u64> {
            Ok(File::seek(self, to_ours(pos))?)
        }
    }

    fn to_ours(pos: io::SeekFrom) -> SeekFrom {
        match pos {
            io::SeekFrom::Start(n) => SeekFrom::Start(n),
            io::SeekFrom::End(n) => SeekFrom::End(n),
            io::SeekFrom::Current(n) => SeekFrom::Current(n),
        }
    }

    /// A `std::fs::File` becomes a `File` that owns its handle.
    ///
    /// ```
    /// use abi_runtime::platform::File;
    /// # let dir = std::env::var("TMPDIR").unwrap_or_else(|_| std::env::temp_dir().display().to_string());
    /// # let path = format!("{dir}/abi-doc-from-std");
    /// std::fs::write(&path, b"12345").unwrap();
    /// let ours = File::from(std::fs::File::open(&path).unwrap());
    /// assert_eq!(ours.size().unwrap(), 5);
    /// let back = std::fs::File::try_from(ours).unwrap();
    /// assert_eq!(back.metadata().unwrap().len(), 5);
    /// # drop(back); std::fs::remove_file(&path).unwrap();
    /// ```
    impl From<std::fs::File> for File {
        fn from(f: std::fs::File) -> File {
            let raw = os::into_raw(f);
            // SAFETY: the handle was just released by its only owner.
            unsafe { File::from_raw(raw, true) }
        }
    }

    /// A `File` that owns its handle becomes a `std::fs::File`; a standard
    /// stream (which no `File` owns or closes) comes back as the error.
    impl TryFrom<File> for std::fs::File {
        type Error = File;

        fn try_from(f: File) -> Result<std::fs::File, File> {
            if !f.owned {
                return Err(f);
            }
            let f = core::mem::ManuallyDrop::new(f);
            // SAFETY: `f` owned the handle and is forgotten: the new owner is the only one.
            Ok(unsafe { os::from_raw(f.raw) })
        }
    }

    #[cfg(any(target_os = "linux", target_os = "wasi"))]
    mod os {
        use std::os::fd::{AsFd, AsRawFd, BorrowedFd, FromRawFd, IntoRawFd, RawFd};

        use crate::platform::{File, RawHandle};

        pub(super) fn into_raw(f: std::fs::File) -> RawHandle {
            f.into_raw_fd() as RawHandle
        }

        /// # Safety
        /// `raw` must be an open descriptor with no other owner.
        pub(super) unsafe fn from_raw(raw: RawHandle) -> std::fs::File {
            // SAFETY: the caller's contract.
            unsafe { std::fs::File::from_raw_fd(raw as RawFd) }
        }

        /// ```
        /// use std::os::fd::AsRawFd;
        /// assert_eq!(abi_runtime::platform::File::stderr().as_raw_fd(), 2);
        /// ```
        impl AsRawFd for File {
            fn as_raw_fd(&self) -> RawFd {
                self.raw as RawFd
            }
        }

        impl AsFd for File {
            fn as_fd(&self) -> BorrowedFd<'_> {
                // SAFETY: the descriptor is open for as long as `self` lives.
                unsafe { BorrowedFd::borrow_raw(self.raw as RawFd) }
            }
        }
    }

    #[cfg(windows)]
    mod os {
        use std::os::windows::io::{
            AsHandle, AsRawHandle, BorrowedHandle, FromRawHandle, IntoRawHandle,
        };

        use crate::platform::{File, RawHandle};

        pub(super) fn into_raw(f: std::fs::File) -> RawHandle {
            f.into_raw_handle().cast()
        }

        /// # Safety
        /// `raw` must be an open handle with no other owner.
        pub(super) unsafe fn from_raw(raw: RawHandle) -> std::fs::File {
            // SAFETY: the caller's contract.
            unsafe { std::fs::File::from_raw_handle(raw.cast()) }
        }

        /// ```
        /// use std::os::windows::io::AsRawHandle;
        /// let ours = abi_runtime::platform::File::stdout();
        /// assert_eq!(ours.as_raw_handle(), std::io::stdout().as_raw_handle());
        /// ```
        impl AsRawHandle for File {
            fn as_raw_handle(&self) -> std::os::windows::io::RawHandle {
                self.raw.cast()
            }
        }

        impl AsHandle for File {
            fn as_handle(&self) -> BorrowedHandle<'_> {
                // SAFETY: the handle is open for as long as `self` lives.
                unsafe { BorrowedHandle::borrow_raw(self.raw.cast()) }
            }
        }
    }
}
