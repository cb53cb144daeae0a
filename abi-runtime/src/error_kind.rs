//! The portable class of an error code, for checks that read the same on
//! every target.

/// What kind of failure an [`Errno`](crate::Errno) is, the same on Linux, WASI
/// and Windows: `e.kind() == ErrorKind::NotFound` holds for Linux's `ENOENT`,
/// WASI's `ENOENT` and Windows' `ERROR_FILE_NOT_FOUND` and
/// `ERROR_PATH_NOT_FOUND` alike.
///
/// The classes and the class of each code are those of
/// [`std::io::ErrorKind`](https://doc.rust-lang.org/std/io/enum.ErrorKind.html):
/// [`Errno::kind`](crate::Errno::kind) gives, for every code of the target's
/// errno table, the variant of the same name as
/// `std::io::Error::from_raw_os_error(code).kind()` (a test checks every code
/// of every table on every target). The mapping is data: the `kind` of each
/// entry of `targets/errno/<os>.toml`. `FilesystemLoop`, `InProgress` and
/// `Uncategorized` are classes std has not stabilised; with the `std`
/// feature, `std::io::ErrorKind::from` turns them into `Other`.
///
/// ```
/// # #[cfg(any(target_os = "linux", target_os = "wasi", windows))] {
/// use abi_runtime::{ErrorKind, platform};
/// let err = platform::File::open("abi-bridge-no-such-file").unwrap_err();
/// assert_eq!(err.kind(), ErrorKind::NotFound); // no #[cfg] for the OS's own code
/// # }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The address is already in use.
    AddrInUse,
    /// The address is not available on this host.
    AddrNotAvailable,
    /// The file or object already exists.
    AlreadyExists,
    /// The argument list (with the environment) is too long.
    ArgumentListTooLong,
    /// The other end of a pipe or socket is closed.
    BrokenPipe,
    /// The connection was aborted by this host.
    ConnectionAborted,
    /// The other end refused the connection.
    ConnectionRefused,
    /// The other end reset the connection.
    ConnectionReset,
    /// A link or rename across file systems.
    CrossesDevices,
    /// Waiting would deadlock.
    Deadlock,
    /// The directory is not empty.
    DirectoryNotEmpty,
    /// The executable is busy (open for writing).
    ExecutableFileBusy,
    /// The file would grow beyond the largest size allowed.
    FileTooLarge,
    /// Too many symbolic links, or a loop of them (not stable in std).
    FilesystemLoop,
    /// The remote host cannot be reached.
    HostUnreachable,
    /// The operation was started and goes on in the background (not stable in std).
    InProgress,
    /// A signal interrupted the call; retrying it usually works.
    Interrupted,
    /// The file name is invalid or too long.
    InvalidFilename,
    /// An argument is invalid.
    InvalidInput,
    /// The path is a directory where a file is expected.
    IsADirectory,
    /// The network is down.
    NetworkDown,
    /// The network cannot be reached.
    NetworkUnreachable,
    /// A path component is not a directory.
    NotADirectory,
    /// The socket is not connected.
    NotConnected,
    /// The file or object does not exist.
    NotFound,
    /// The file cannot seek (a pipe or socket).
    NotSeekable,
    /// Memory ran out.
    OutOfMemory,
    /// The caller lacks the permission.
    PermissionDenied,
    /// A disk quota is exceeded.
    QuotaExceeded,
    /// The file system is read-only.
    ReadOnlyFilesystem,
    /// The resource is busy.
    ResourceBusy,
    /// A network file handle is stale.
    StaleNetworkFileHandle,
    /// No space is left on the device.
    StorageFull,
    /// The operation timed out.
    TimedOut,
    /// Too many links to one file.
    TooManyLinks,
    /// A code with no portable class (std's name for it; not stable in std).
    Uncategorized,
    /// The operation is not supported here.
    Unsupported,
    /// The call would block on a non-blocking object; retry when it is ready.
    WouldBlock,
}

#[cfg(feature = "std")]
impl From<ErrorKind> for std::io::ErrorKind {
    /// The std class of the same name; `Other` for the classes std has not
    /// stabilised (`FilesystemLoop`, `InProgress`, `Uncategorized`).
    fn from(kind: ErrorKind) -> Self {
        use std::io::ErrorKind as Io;
        match kind {
            ErrorKind::AddrInUse => Io::AddrInUse,
            ErrorKind::AddrNotAvailable => Io::AddrNotAvailable,
            ErrorKind::AlreadyExists => Io::AlreadyExists,
            ErrorKind::ArgumentListTooLong => Io::ArgumentListTooLong,
            ErrorKind::BrokenPipe => Io::BrokenPipe,
            ErrorKind::ConnectionAborted => Io::ConnectionAborted,
            ErrorKind::ConnectionRefused => Io::ConnectionRefused,
            ErrorKind::ConnectionReset => Io::ConnectionReset,
            ErrorKind::CrossesDevices => Io::CrossesDevices,
            ErrorKind::Deadlock => Io::Deadlock,
            ErrorKind::DirectoryNotEmpty => Io::DirectoryNotEmpty,
            ErrorKind::ExecutableFileBusy => Io::ExecutableFileBusy,
            ErrorKind::FileTooLarge => Io::FileTooLarge,
            ErrorKind::HostUnreachable => Io::HostUnreachable,
            ErrorKind::Interrupted => Io::Interrupted,
            ErrorKind::InvalidFilename => Io::InvalidFilename,
            ErrorKind::InvalidInput => Io::InvalidInput,
            ErrorKind::IsADirectory => Io::IsADirectory,
            ErrorKind::NetworkDown => Io::NetworkDown,
            ErrorKind::NetworkUnreachable => Io::NetworkUnreachable,
            ErrorKind::NotADirectory => Io::NotADirectory,
            ErrorKind::NotConnected => Io::NotConnected,
            ErrorKind::NotFound => Io::NotFound,
            ErrorKind::NotSeekable => Io::NotSeekable,
            ErrorKind::OutOfMemory => Io::OutOfMemory,
            ErrorKind::PermissionDenied => Io::PermissionDenied,
            ErrorKind::QuotaExceeded => Io::QuotaExceeded,
            ErrorKind::ReadOnlyFilesystem => Io::ReadOnlyFilesystem,
            ErrorKind::ResourceBusy => Io::ResourceBusy,
            ErrorKind::StaleNetworkFileHandle => Io::StaleNetworkFileHandle,
            ErrorKind::StorageFull => Io::StorageFull,
            ErrorKind::TimedOut => Io::TimedOut,
            ErrorKind::TooManyLinks => Io::TooManyLinks,
            ErrorKind::Unsupported => Io::Unsupported,
            ErrorKind::WouldBlock => Io::WouldBlock,
            ErrorKind::FilesystemLoop | ErrorKind::InProgress | ErrorKind::Uncategorized => {
                Io::Other
            }
        }
    }
}
