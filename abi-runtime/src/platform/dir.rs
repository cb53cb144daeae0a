//! Directories: listing ([`read_dir`]), creating, removing and renaming, and
//! the current directory. Nothing allocates: a [`ReadDir`] reads entries into
//! a buffer it holds, and each [`DirEntry`] holds its name.

use core::fmt;

use super::{FileKind, sys};
use crate::Errno;

/// The longest name a [`DirEntry`] holds, in bytes of UTF-8 (a Windows name
/// of 259 UTF-16 units takes up to 777); a longer one is the target's "name
/// too long" error for that entry.
///
/// ```
/// let entry_size = size_of::<abi_runtime::platform::DirEntry>();
/// assert!(entry_size >= abi_runtime::platform::NAME_MAX);
/// ```
pub const NAME_MAX: usize = 1024;

/// One entry of a directory: its name and what it is (symbolic links are not
/// followed, as in std's `DirEntry::file_type`). `.` and `..` are never listed.
///
/// ```
/// use abi_runtime::platform::{self, File, FileKind};
/// # let tmp = std::env::var("TMPDIR").unwrap_or_else(|_| std::env::temp_dir().display().to_string());
/// # let dir = format!("{tmp}/abi-doc-dir-entry");
/// platform::create_dir(&dir).unwrap();
/// File::create(&format!("{dir}/a.txt")).unwrap();
/// let entry = platform::read_dir(&dir).unwrap().next().unwrap().unwrap();
/// assert_eq!((entry.name(), entry.kind()), (Some("a.txt"), FileKind::File));
/// # platform::remove_file(&format!("{dir}/a.txt")).unwrap(); platform::remove_dir(&dir).unwrap();
/// ```
#[derive(Clone)]
pub struct DirEntry {
    name: [u8; NAME_MAX],
    len: usize,
    kind: FileKind,
}

impl DirEntry {
    /// An entry named `name` (bytes as the OS gave them).
    pub(super) fn new(name: &[u8], kind: FileKind) -> Result<DirEntry, Errno> {
        let mut e = DirEntry {
            name: [0; NAME_MAX],
            len: 0,
            kind,
        };
        e.push(name)?;
        Ok(e)
    }

    /// Appends bytes to the name.
    pub(super) fn push(&mut self, bytes: &[u8]) -> Result<(), Errno> {
        let end = self.len + bytes.len();
        self.name
            .get_mut(self.len..end)
            .ok_or(sys::NAME_TOO_LONG)?
            .copy_from_slice(bytes);
        self.len = end;
        Ok(())
    }

    /// The name, `None` if it is not UTF-8 (Linux allows any bytes but `/`
    /// and NUL; [`name_bytes`](Self::name_bytes) has them).
    ///
    /// ```
    /// # let tmp = std::env::var("TMPDIR").unwrap_or_else(|_| std::env::temp_dir().display().to_string());
    /// # let dir = format!("{tmp}/abi-doc-entry-name");
    /// abi_runtime::platform::create_dir(&dir).unwrap();
    /// abi_runtime::platform::create_dir(&format!("{dir}/x")).unwrap();
    /// let e = abi_runtime::platform::read_dir(&dir).unwrap().next().unwrap().unwrap();
    /// assert_eq!(e.name(), Some("x"));
    /// # abi_runtime::platform::remove_dir(&format!("{dir}/x")).unwrap();
    /// # abi_runtime::platform::remove_dir(&dir).unwrap();
    /// ```
    pub fn name(&self) -> Option<&str> {
        core::str::from_utf8(self.name_bytes()).ok()
    }

    /// The name as the OS gave it (UTF-8 from Windows' UTF-16).
    ///
    /// ```
    /// # let tmp = std::env::var("TMPDIR").unwrap_or_else(|_| std::env::temp_dir().display().to_string());
    /// # let dir = format!("{tmp}/abi-doc-entry-bytes");
    /// abi_runtime::platform::create_dir(&dir).unwrap();
    /// abi_runtime::platform::create_dir(&format!("{dir}/x")).unwrap();
    /// let e = abi_runtime::platform::read_dir(&dir).unwrap().next().unwrap().unwrap();
    /// assert_eq!(e.name_bytes(), b"x");
    /// # abi_runtime::platform::remove_dir(&format!("{dir}/x")).unwrap();
    /// # abi_runtime::platform::remove_dir(&dir).unwrap();
    /// ```
    pub fn name_bytes(&self) -> &[u8] {
        &self.name[..self.len]
    }

    /// What the entry is.
    ///
    /// ```
    /// # let tmp = std::env::var("TMPDIR").unwrap_or_else(|_| std::env::temp_dir().display().to_string());
    /// # let dir = format!("{tmp}/abi-doc-entry-kind");
    /// abi_runtime::platform::create_dir(&dir).unwrap();
    /// abi_runtime::platform::create_dir(&format!("{dir}/x")).unwrap();
    /// let e = abi_runtime::platform::read_dir(&dir).unwrap().next().unwrap().unwrap();
    /// assert_eq!(e.kind(), abi_runtime::platform::FileKind::Dir);
    /// # abi_runtime::platform::remove_dir(&format!("{dir}/x")).unwrap();
    /// # abi_runtime::platform::remove_dir(&dir).unwrap();
    /// ```
    pub fn kind(&self) -> FileKind {
        self.kind
    }
}

impl fmt::Debug for DirEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DirEntry")
            .field("name", &self.name().unwrap_or("<not UTF-8>"))
            .field("kind", &self.kind)
            .finish()
    }
}

/// The entries of a directory, from [`read_dir`], in the order the OS gives
/// them. The directory stays open until this is dropped; an error while
/// reading ends the listing after it is returned.
///
/// ```
/// use abi_runtime::platform::{self, File};
/// # let tmp = std::env::var("TMPDIR").unwrap_or_else(|_| std::env::temp_dir().display().to_string());
/// # let dir = format!("{tmp}/abi-doc-readdir-iter");
/// platform::create_dir(&dir).unwrap();
/// for name in ["b", "a", "c"] {
///     File::create(&format!("{dir}/{name}")).unwrap();
/// }
/// let mut ours: Vec<String> = platform::read_dir(&dir).unwrap()
///     .map(|e| e.unwrap().name().unwrap().to_owned()).collect();
/// let mut std: Vec<String> = std::fs::read_dir(&dir).unwrap()
///     .map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
/// ours.sort();
/// std.sort();
/// assert_eq!((ours.len(), &ours), (3, &std));
/// # for name in ["a", "b", "c"] { platform::remove_file(&format!("{dir}/{name}")).unwrap(); }
/// # platform::remove_dir(&dir).unwrap();
/// ```
pub struct ReadDir {
    inner: sys::ReadDir,
    failed: bool,
}

impl fmt::Debug for ReadDir {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReadDir").finish_non_exhaustive()
    }
}

impl Iterator for ReadDir {
    type Item = Result<DirEntry, Errno>;

    fn next(&mut self) -> Option<Result<DirEntry, Errno>> {
        if self.failed {
            return None;
        }
        loop {
            match self.inner.next()? {
                Ok(e) if e.name_bytes() == b"." || e.name_bytes() == b".." => {}
                Ok(e) => return Some(Ok(e)),
                Err(e) => {
                    self.failed = true;
                    return Some(Err(e));
                }
            }
        }
    }
}

/// Lists the directory at `path`.
///
/// ```
/// use abi_runtime::{ErrorKind, platform::{self, File, FileKind}};
/// # let tmp = std::env::var("TMPDIR").unwrap_or_else(|_| std::env::temp_dir().display().to_string());
/// # let dir = format!("{tmp}/abi-doc-read-dir");
/// platform::create_dir(&dir).unwrap();
/// platform::create_dir(&format!("{dir}/sub")).unwrap();
/// File::create(&format!("{dir}/file")).unwrap();
/// let mut seen: Vec<(String, FileKind)> = platform::read_dir(&dir).unwrap()
///     .map(|e| e.map(|e| (e.name().unwrap().to_owned(), e.kind())))
///     .collect::<Result<_, _>>().unwrap();
/// seen.sort_by(|a, b| a.0.cmp(&b.0));
/// assert_eq!(seen, [("file".to_owned(), FileKind::File), ("sub".to_owned(), FileKind::Dir)]);
/// let missing = format!("{dir}/missing");
/// assert_eq!(platform::read_dir(&missing).unwrap_err().kind(), ErrorKind::NotFound);
/// # platform::remove_file(&format!("{dir}/file")).unwrap();
/// # platform::remove_dir(&format!("{dir}/sub")).unwrap();
/// # platform::remove_dir(&dir).unwrap();
/// ```
pub fn read_dir(path: &str) -> Result<ReadDir, Errno> {
    Ok(ReadDir {
        inner: sys::ReadDir::open(path)?,
        failed: false,
    })
}

/// Creates a directory (its parent must exist).
///
/// ```
/// use abi_runtime::{ErrorKind, platform};
/// # let tmp = std::env::var("TMPDIR").unwrap_or_else(|_| std::env::temp_dir().display().to_string());
/// # let dir = format!("{tmp}/abi-doc-create-dir");
/// platform::create_dir(&dir).unwrap();
/// assert!(std::fs::metadata(&dir).unwrap().is_dir());
/// assert_eq!(platform::create_dir(&dir).unwrap_err().kind(), ErrorKind::AlreadyExists);
/// # platform::remove_dir(&dir).unwrap();
/// ```
pub fn create_dir(path: &str) -> Result<(), Errno> {
    sys::create_dir(path)
}

/// Removes an empty directory.
///
/// ```
/// use abi_runtime::{ErrorKind, platform};
/// # let tmp = std::env::var("TMPDIR").unwrap_or_else(|_| std::env::temp_dir().display().to_string());
/// # let dir = format!("{tmp}/abi-doc-remove-dir");
/// platform::create_dir(&dir).unwrap();
/// platform::remove_dir(&dir).unwrap();
/// assert_eq!(platform::remove_dir(&dir).unwrap_err().kind(), ErrorKind::NotFound);
/// ```
pub fn remove_dir(path: &str) -> Result<(), Errno> {
    sys::remove_dir(path)
}

/// Renames a file or directory, replacing a file at `to` (std's `rename`).
///
/// ```
/// use abi_runtime::platform::{self, File};
/// # let tmp = std::env::var("TMPDIR").unwrap_or_else(|_| std::env::temp_dir().display().to_string());
/// # let (a, b) = (format!("{tmp}/abi-doc-rename-a"), format!("{tmp}/abi-doc-rename-b"));
/// File::create(&a).unwrap().write_all(b"moved").unwrap();
/// platform::rename(&a, &b).unwrap();
/// assert_eq!(std::fs::read(&b).unwrap(), b"moved");
/// assert!(platform::metadata(&a).is_err());
/// # platform::remove_file(&b).unwrap();
/// ```
pub fn rename(from: &str, to: &str) -> Result<(), Errno> {
    sys::rename(from, to)
}

/// The current directory, written into `buf`: the target's "buffer too
/// small" error (`ERANGE`, `ERROR_INSUFFICIENT_BUFFER`) when it does not fit.
///
/// On WASI, which has no current directory of its own, it is the one this
/// layer keeps as wasi-libc (and so std) does: `/` at the start, where the
/// preopened directory named `.` is; relative paths resolve against it.
///
/// ```
/// let mut buf = [0u8; 4096];
/// let ours = abi_runtime::platform::current_dir(&mut buf).unwrap();
/// assert_eq!(std::path::Path::new(ours), std::env::current_dir().unwrap());
/// assert!(abi_runtime::platform::current_dir(&mut []).is_err());
/// ```
pub fn current_dir(buf: &mut [u8]) -> Result<&str, Errno> {
    let len = sys::current_dir(buf)?;
    core::str::from_utf8(&buf[..len]).map_err(|_| sys::ILLEGAL_SEQUENCE)
}

/// Changes the current directory (for the whole process).
///
/// ```
/// use abi_runtime::{ErrorKind, platform};
/// let mut buf = [0u8; 4096];
/// let here = platform::current_dir(&mut buf).unwrap().to_owned();
/// # let tmp = std::env::var("TMPDIR").unwrap_or_else(|_| std::env::temp_dir().display().to_string());
/// platform::set_current_dir(&tmp).unwrap();
/// let now = platform::current_dir(&mut buf).unwrap();
/// // std sees the change (on WASI, where each keeps its own, it does not).
/// # #[cfg(not(target_os = "wasi"))]
/// assert_eq!(std::path::Path::new(now), std::env::current_dir().unwrap());
/// # let _ = now;
/// let missing = format!("{tmp}/abi-doc-no-such-dir");
/// assert_eq!(platform::set_current_dir(&missing).unwrap_err().kind(), ErrorKind::NotFound);
/// platform::set_current_dir(&here).unwrap();
/// ```
pub fn set_current_dir(path: &str) -> Result<(), Errno> {
    sys::set_current_dir(path)
}
