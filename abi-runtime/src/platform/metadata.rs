//! What a file is: [`Metadata`] (size, kind, modification time) of an open
//! [`File`] or of a path, and the [`FileKind`] that directory entries carry too.

use super::{File, sys};
use crate::Errno;

/// What a path or a directory entry is. Symbolic links are not followed
/// where the call says so ([`symlink_metadata`], directory entries).
///
/// ```
/// use abi_runtime::platform::{self, FileKind};
/// # let dir = std::env::var("TMPDIR").unwrap_or_else(|_| std::env::temp_dir().display().to_string());
/// assert_eq!(platform::metadata(&dir).unwrap().kind(), FileKind::Dir);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FileKind {
    /// A regular file.
    File,
    /// A directory.
    Dir,
    /// A symbolic link (on Windows: a reparse point whose tag is a name
    /// surrogate, as std counts them).
    Symlink,
    /// Anything else: a device, a pipe, a socket.
    Other,
}

/// A point in time as seconds and nanoseconds since 1970-01-01 UTC, what
/// `std::time::SystemTime` holds (with the `std` feature, `SystemTime::from`
/// converts it). Earlier times have negative `secs`; `nanos` is always below
/// one second and counts forward.
///
/// ```
/// use abi_runtime::platform::{self, Timestamp};
/// let now = platform::wall_clock_nanos().unwrap();
/// # let dir = std::env::var("TMPDIR").unwrap_or_else(|_| std::env::temp_dir().display().to_string());
/// let t: Timestamp = platform::metadata(&dir).unwrap().modified();
/// assert!(t.secs > 0 && t.nanos < 1_000_000_000 && t.secs as u64 <= now / 1_000_000_000);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp {
    /// Whole seconds since the epoch.
    pub secs: i64,
    /// Nanoseconds after `secs`, below 1 000 000 000.
    pub nanos: u32,
}

impl Timestamp {
    /// A time given in nanoseconds since the epoch (WASI's unit).
    #[cfg_attr(not(target_os = "wasi"), allow(dead_code))]
    pub(super) fn from_nanos(n: u64) -> Timestamp {
        Timestamp {
            secs: (n / 1_000_000_000) as i64,
            nanos: (n % 1_000_000_000) as u32,
        }
    }
}

/// With the `std` feature: the same instant as std's `SystemTime`.
///
/// ```
/// use abi_runtime::platform::Timestamp;
/// let t = Timestamp { secs: 1, nanos: 500 };
/// let st = std::time::SystemTime::from(t);
/// assert_eq!(st.duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos(), 1_000_000_500);
/// let before = std::time::SystemTime::from(Timestamp { secs: -2, nanos: 250 });
/// assert_eq!(std::time::UNIX_EPOCH.duration_since(before).unwrap().as_nanos(), 1_999_999_750);
/// ```
#[cfg(feature = "std")]
impl From<Timestamp> for std::time::SystemTime {
    fn from(t: Timestamp) -> std::time::SystemTime {
        use std::time::{Duration, UNIX_EPOCH};
        if t.secs >= 0 {
            UNIX_EPOCH + Duration::new(t.secs as u64, t.nanos)
        } else {
            UNIX_EPOCH - Duration::from_secs(t.secs.unsigned_abs())
                + Duration::from_nanos(t.nanos.into())
        }
    }
}

/// The size, kind and modification time of a file, from [`metadata`],
/// [`symlink_metadata`] or [`File::metadata`].
///
/// ```
/// use abi_runtime::platform::{self, File};
/// # let dir = std::env::var("TMPDIR").unwrap_or_else(|_| std::env::temp_dir().display().to_string());
/// # let path = format!("{dir}/abi-doc-metadata");
/// File::create(&path).unwrap().write_all(b"12345").unwrap();
/// let ours = platform::metadata(&path).unwrap();
/// let std = std::fs::metadata(&path).unwrap();
/// assert_eq!((ours.len(), ours.is_file(), ours.is_dir()), (5, true, false));
/// let since = std.modified().unwrap().duration_since(std::time::UNIX_EPOCH).unwrap();
/// let t = ours.modified();
/// assert_eq!((t.secs, t.nanos), (since.as_secs() as i64, since.subsec_nanos()));
/// # platform::remove_file(&path).unwrap();
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Metadata {
    pub(super) len: u64,
    pub(super) kind: FileKind,
    pub(super) modified: Timestamp,
}

impl Metadata {
    /// The size in bytes (what the OS reports for directories: 0 on Windows,
    /// the size of the directory's own data elsewhere, as std says).
    ///
    /// ```
    /// # let dir = std::env::var("TMPDIR").unwrap_or_else(|_| std::env::temp_dir().display().to_string());
    /// # let path = format!("{dir}/abi-doc-len");
    /// abi_runtime::platform::File::create(&path).unwrap().write_all(b"1234").unwrap();
    /// assert_eq!(abi_runtime::platform::metadata(&path).unwrap().len(), 4);
    /// # abi_runtime::platform::remove_file(&path).unwrap();
    /// ```
    pub fn len(&self) -> u64 {
        self.len
    }

    /// Whether the size is 0.
    ///
    /// ```
    /// # let dir = std::env::var("TMPDIR").unwrap_or_else(|_| std::env::temp_dir().display().to_string());
    /// # let path = format!("{dir}/abi-doc-is-empty");
    /// abi_runtime::platform::File::create(&path).unwrap();
    /// assert!(abi_runtime::platform::metadata(&path).unwrap().is_empty());
    /// # abi_runtime::platform::remove_file(&path).unwrap();
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// What the file is.
    ///
    /// ```
    /// # let dir = std::env::var("TMPDIR").unwrap_or_else(|_| std::env::temp_dir().display().to_string());
    /// use abi_runtime::platform::{metadata, FileKind};
    /// assert_eq!(metadata(&dir).unwrap().kind(), FileKind::Dir);
    /// ```
    pub fn kind(&self) -> FileKind {
        self.kind
    }

    /// Whether it is a directory.
    ///
    /// ```
    /// # let dir = std::env::var("TMPDIR").unwrap_or_else(|_| std::env::temp_dir().display().to_string());
    /// assert!(abi_runtime::platform::metadata(&dir).unwrap().is_dir());
    /// ```
    pub fn is_dir(&self) -> bool {
        self.kind == FileKind::Dir
    }

    /// Whether it is a regular file.
    ///
    /// ```
    /// # let dir = std::env::var("TMPDIR").unwrap_or_else(|_| std::env::temp_dir().display().to_string());
    /// assert!(!abi_runtime::platform::metadata(&dir).unwrap().is_file());
    /// ```
    pub fn is_file(&self) -> bool {
        self.kind == FileKind::File
    }

    /// Whether it is a symbolic link (only from [`symlink_metadata`]).
    ///
    /// ```
    /// # let dir = std::env::var("TMPDIR").unwrap_or_else(|_| std::env::temp_dir().display().to_string());
    /// assert!(!abi_runtime::platform::symlink_metadata(&dir).unwrap().is_symlink());
    /// ```
    pub fn is_symlink(&self) -> bool {
        self.kind == FileKind::Symlink
    }

    /// The last modification time, to the OS's precision (1 ns on Linux and
    /// WASI, 100 ns on Windows): what std's `Metadata::modified` gives.
    ///
    /// ```
    /// # let dir = std::env::var("TMPDIR").unwrap_or_else(|_| std::env::temp_dir().display().to_string());
    /// // A file of its own: other tests change the folder while this one runs.
    /// let path = format!("{dir}/abi-doc-modified");
    /// std::fs::write(&path, b"x").unwrap();
    /// let t = abi_runtime::platform::metadata(&path).unwrap().modified();
    /// let std = std::fs::metadata(&path).unwrap().modified().unwrap();
    /// let since = std.duration_since(std::time::UNIX_EPOCH).unwrap();
    /// assert_eq!((t.secs, t.nanos), (since.as_secs() as i64, since.subsec_nanos()));
    /// # std::fs::remove_file(&path).unwrap();
    /// ```
    pub fn modified(&self) -> Timestamp {
        self.modified
    }
}

/// The metadata of `path`, following symbolic links.
///
/// ```
/// use abi_runtime::{ErrorKind, platform};
/// # let dir = std::env::var("TMPDIR").unwrap_or_else(|_| std::env::temp_dir().display().to_string());
/// assert!(platform::metadata(&dir).unwrap().is_dir());
/// let missing = format!("{dir}/abi-doc-no-such-file");
/// assert_eq!(platform::metadata(&missing).unwrap_err().kind(), ErrorKind::NotFound);
/// ```
pub fn metadata(path: &str) -> Result<Metadata, Errno> {
    sys::metadata(path, true)
}

/// The metadata of `path` itself: a symbolic link is described, not followed.
///
/// ```
/// use abi_runtime::platform;
/// # let dir = std::env::var("TMPDIR").unwrap_or_else(|_| std::env::temp_dir().display().to_string());
/// # let path = format!("{dir}/abi-doc-symlink-metadata");
/// platform::File::create(&path).unwrap();
/// assert!(platform::symlink_metadata(&path).unwrap().is_file()); // not a link
/// # #[cfg(unix)] {
/// let link = format!("{path}-link");
/// std::os::unix::fs::symlink(&path, &link).unwrap();
/// assert!(platform::symlink_metadata(&link).unwrap().is_symlink());
/// assert!(platform::metadata(&link).unwrap().is_file());
/// # platform::remove_file(&link).unwrap();
/// # }
/// # platform::remove_file(&path).unwrap();
/// ```
pub fn symlink_metadata(path: &str) -> Result<Metadata, Errno> {
    sys::metadata(path, false)
}

impl File {
    /// The metadata of the open file.
    ///
    /// ```
    /// use abi_runtime::platform::File;
    /// # let dir = std::env::var("TMPDIR").unwrap_or_else(|_| std::env::temp_dir().display().to_string());
    /// # let path = format!("{dir}/abi-doc-file-metadata");
    /// let f = File::create(&path).unwrap();
    /// f.write_all(b"abc").unwrap();
    /// let m = f.metadata().unwrap();
    /// assert!(m.is_file() && m.len() == 3);
    /// assert_eq!(m, abi_runtime::platform::metadata(&path).unwrap());
    /// # drop(f); abi_runtime::platform::remove_file(&path).unwrap();
    /// ```
    pub fn metadata(&self) -> Result<Metadata, Errno> {
        sys::file_metadata(self.raw)
    }
}
