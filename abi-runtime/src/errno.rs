//! Error numbers: the positive code a failed call reports.

use core::fmt;

/// The error number of a failed call, e.g. `Errno::EBADF` (Linux, WASI) or
/// `Errno::ERROR_FILE_NOT_FOUND` (Windows); [`Errno::kind`] classifies it the
/// same way on every target.
///
/// The constants and names come from the target's errno table in the spec
/// files (`targets/errno/<os>.toml`).
///
/// ```
/// # #[cfg(target_os = "linux")] {
/// use abi_runtime::Errno;
/// assert_eq!(Errno::EBADF.raw(), 9);
/// assert_eq!(Errno::EBADF.name(), "EBADF");
/// assert_eq!(Errno::from_raw(2), Errno::ENOENT);
/// assert_eq!(Errno::ENOENT.to_string(), "No such file or directory (ENOENT)");
/// # }
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(transparent)]
pub struct Errno(i32);

abi_macros::__errno_table!(Errno);

impl Errno {
    /// The error with this positive code.
    pub const fn from_raw(code: i32) -> Self {
        Self(code)
    }

    /// The positive code.
    pub const fn raw(self) -> i32 {
        self.0
    }

    /// The portable class of the code, the same on every target (see
    /// [`ErrorKind`](crate::ErrorKind)): what `std::io::Error::from_raw_os_error(code).kind()`
    /// says, from the `kind` of the code's entry in the errno table.
    ///
    /// ```
    /// use abi_runtime::{Errno, ErrorKind};
    /// # #[cfg(any(target_os = "linux", target_os = "wasi"))] {
    /// assert_eq!(Errno::ENOENT.kind(), ErrorKind::NotFound);
    /// assert_eq!(Errno::EAGAIN.kind(), ErrorKind::WouldBlock);
    /// # }
    /// # #[cfg(windows)]
    /// assert_eq!(Errno::ERROR_PATH_NOT_FOUND.kind(), ErrorKind::NotFound);
    /// assert_eq!(Errno::from_raw(99_999).kind(), ErrorKind::Uncategorized);
    /// ```
    pub const fn kind(self) -> crate::ErrorKind {
        Self::classify(self.0)
    }

    /// The symbolic name, e.g. `"EBADF"`, or `"UNKNOWN"` for a code the table lacks.
    pub const fn name(self) -> &'static str {
        match Self::describe(self.0) {
            Some((name, _)) => name,
            None => "UNKNOWN",
        }
    }

    /// The description from the target's errno table, or `"unknown error"`
    /// for a code the table lacks. The texts are the OS's own: Linux's headers
    /// call `EBADF` "Bad file number", WASI's "Bad file descriptor".
    ///
    /// ```
    /// use abi_runtime::Errno;
    /// # #[cfg(target_os = "linux")]
    /// assert_eq!(Errno::EBADF.description(), "Bad file number");
    /// # #[cfg(target_os = "wasi")]
    /// assert_eq!(Errno::EBADF.description(), "Bad file descriptor");
    /// # #[cfg(windows)]
    /// assert_eq!(Errno::ERROR_FILE_NOT_FOUND.description(), "The system cannot find the file specified");
    /// assert_eq!(Errno::from_raw(99_999).description(), "unknown error");
    /// ```
    pub const fn description(self) -> &'static str {
        match Self::describe(self.0) {
            Some((_, text)) => text,
            None => "unknown error",
        }
    }
}

impl fmt::Debug for Errno {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Errno({} {})", self.0, self.name())
    }
}

impl fmt::Display for Errno {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match Self::describe(self.0) {
            Some((name, text)) => write!(f, "{text} ({name})"),
            None => write!(f, "unknown error {}", self.0),
        }
    }
}

impl core::error::Error for Errno {}

/// With the `std` feature: the `std::io::Error` of the same OS code, so `?`
/// turns an `Errno` into an `io::Error`.
#[cfg(feature = "std")]
impl From<Errno> for std::io::Error {
    fn from(e: Errno) -> Self {
        std::io::Error::from_raw_os_error(e.0)
    }
}

/// Decodes a raw result under the "negated errno" convention: a value in
/// `[-max, -1]` is `-errno`, anything else (a high mmap address too) is a value.
#[inline(always)]
pub fn negated_errno(raw: usize, max: usize) -> Result<usize, Errno> {
    if raw >= max.wrapping_neg() {
        // In range, `-raw` is at most `max`, which the spec bounds to 16 bits.
        Err(Errno(raw.wrapping_neg() as i32))
    } else {
        Ok(raw)
    }
}

/// Decodes a returned errno (WASI): 0 is success, anything else the error.
#[inline(always)]
pub fn returned_errno(raw: usize) -> Result<usize, Errno> {
    if raw == 0 {
        Ok(0)
    } else {
        Err(Errno(raw as i32))
    }
}

/// Decodes an `NTSTATUS`: negative is failure and is itself the code.
#[inline(always)]
pub fn ntstatus(raw: usize) -> Result<usize, Errno> {
    let status = raw as u32 as i32;
    if status < 0 {
        Err(Errno(status))
    } else {
        Ok(raw)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decoder_boundary_is_exact() {
        let neg = |v: isize| v as usize;
        assert_eq!(negated_errno(neg(-1), 4095), Err(Errno(1)));
        assert_eq!(negated_errno(neg(-4095), 4095), Err(Errno(4095)));
        assert_eq!(negated_errno(neg(-4096), 4095), Ok(neg(-4096)));
        assert_eq!(negated_errno(neg(-4097), 4095), Ok(neg(-4097)));
        assert_eq!(negated_errno(0, 4095), Ok(0));
        assert_eq!(negated_errno(1, 4095), Ok(1));
        assert_eq!(
            negated_errno(isize::MAX as usize, 4095),
            Ok(isize::MAX as usize)
        );
        assert_eq!(
            negated_errno(isize::MIN as usize, 4095),
            Ok(isize::MIN as usize)
        );
        assert_eq!(returned_errno(0), Ok(0));
        assert_eq!(returned_errno(8), Err(Errno(8)));
        assert_eq!(ntstatus(0), Ok(0));
        assert_eq!(ntstatus(0xC000_0005), Err(Errno(0xC000_0005_u32 as i32)));
        assert_eq!(ntstatus(0x4000_0000), Ok(0x4000_0000));
        for e in 1..=4095 {
            assert_eq!(negated_errno(neg(-e), 4095), Err(Errno(e as i32)));
        }
    }
}
