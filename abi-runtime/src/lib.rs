//! The `#![no_std]` runtime of abi-bridge.
//!
//! It holds what bridged code needs at run time: [`Errno`] and its portable
//! [`ErrorKind`], the register conversion traits [`RegArg`] and [`FromReg`],
//! and the bridged calls of the target's OS (the modules `linux`, `wasi` or
//! `windows`, present on their OS), which the `#[syscall_bridge]` macro
//! generates from the spec files like any user's declarations, and the
//! portable `platform` layer over them.
//!
//! ```
//! # #[cfg(target_os = "linux")] {
//! use abi_runtime::{syscall_bridge, Errno};
//!
//! #[syscall_bridge]
//! pub unsafe fn write(fd: i32, buf: *const u8, count: usize) -> Result<usize, Errno>;
//!
//! let msg = b"hello from a bridged write\n";
//! // SAFETY: the buffer is valid for `msg.len()` bytes.
//! let n = unsafe { write(1, msg.as_ptr(), msg.len()) };
//! assert_eq!(n, Ok(msg.len()));
//! // SAFETY: fd -1 is never open; nothing is read from the pointer.
//! assert_eq!(unsafe { write(-1, msg.as_ptr(), 1) }, Err(Errno::EBADF));
//! # }
//! ```
//!
//! # Features
//!
//! - `std`: `From<Errno> for std::io::Error` (the OS error of the same code, so
//!   `?` works in functions returning `std::io::Result`) and
//!   `From<ErrorKind> for std::io::ErrorKind`, std's I/O and handle traits
//!   for `platform::File` and `SystemTime::from(platform::Timestamp)`. Without it the crate is
//!   `#![no_std]` and allocates nothing.
//! - `trace`: every bridged call reports its name, number, arguments, raw
//!   result and duration to the hook of [`trace`]; without it the stubs
//!   compile to the same code as hand-written asm.
//! - `all-calls`: every call of the target's table as a typed function,
//!   generated from its spec: the module `calls` of `linux`, `wasi` or
//!   `windows`, whose functions the OS module also re-exports beside its
//!   hand-written ones (which win where both have a name). Off by default: it
//!   adds over a second to this crate's build (BENCHMARKS.md, "Build cost").
//!
//! # Spec files of your own
//!
//! `#[syscall_bridge(targets = "dir")]` adds a folder of spec files to one
//! declaration; the environment variable `ABI_BRIDGE_TARGETS` (an absolute
//! path, e.g. from `.cargo/config.toml`: `[env] ABI_BRIDGE_TARGETS = { value =
//! "specs", relative = true }`) adds one to every expansion of the build, this
//! crate's own modules included. Either folder may hold whole ports or
//! extension files that add calls to a target (`extends = "linux-x86_64"` and
//! a `[calls]` table).
#![no_std]

#[cfg(feature = "std")]
extern crate std;

// Generated code names this crate `::abi_runtime`, also inside it.
extern crate self as abi_runtime;

pub use abi_macros::entry_point;

/// Bridges bodiless `unsafe fn` declarations to system calls, on every target
/// that has a spec file: one `#[inline(always)]` stub per target, gated by
/// `cfg`. The function's name picks the call; arguments must fit registers
/// ([`RegArg`]); the return type is `Result<T, Errno>` (decoded), a raw
/// integer, or `!`. It goes on one declaration, an inline `mod` of them, or
/// an `extern` block.
///
/// ```
/// # #[cfg(target_os = "linux")] {
/// use abi_runtime::{Errno, syscall_bridge};
///
/// #[syscall_bridge]
/// mod sys {
///     use abi_runtime::Errno;
///     pub unsafe fn getpid() -> Result<i32, Errno>;
///     pub unsafe fn getppid() -> i32; // raw: the call cannot fail
///     pub unsafe fn close(fd: i32) -> Result<(), Errno>;
///     pub unsafe fn exit_group(status: i32) -> !;
/// }
/// // SAFETY: getpid has no preconditions.
/// assert_eq!(unsafe { sys::getpid() }, Ok(std::process::id() as i32));
/// // SAFETY: as above.
/// assert_eq!(unsafe { sys::getppid() } as u32, std::os::unix::process::parent_id());
/// // SAFETY: fd -1 is never open.
/// assert_eq!(unsafe { sys::close(-1) }, Err(Errno::EBADF));
/// # }
/// ```
///
/// # Options
///
/// - `name = "call"`: bridge a call under another Rust name.
/// - `targets = "dir"`: add the spec files of `dir` (relative to the crate's
///   `Cargo.toml`) to the built-in ones, for this declaration: whole ports, or
///   extension files that add calls to a target (`extends = "linux-x86_64"`).
///   The environment variable `ABI_BRIDGE_TARGETS` does the same for every
///   expansion of the build (see the crate docs).
/// - `fallback = path` with `fallback_on = "ENOSYS, EPERM"`: a probed call. The
///   first call tries the bridged one; a listed error switches the call's slot
///   to `path` (a function of the same signature) for the life of the process.
///
/// ```
/// # #[cfg(target_os = "linux")] {
/// use abi_runtime::{Errno, syscall_bridge};
///
/// #[syscall_bridge(name = "newfstatat")]
/// unsafe fn fstatat(dirfd: i32, path: *const u8, buf: *mut u8, flags: i32) -> Result<(), Errno>;
/// let mut st = [0u8; 256];
/// // SAFETY: a NUL-terminated path and a buffer larger than `struct stat`.
/// assert_eq!(unsafe { fstatat(-100, c"/".as_ptr().cast(), st.as_mut_ptr(), 0) }, Ok(()));
///
/// /// Stands in for `dup` where the kernel refuses it.
/// unsafe fn dup_refused(_fd: i32) -> Result<i32, Errno> {
///     Err(Errno::EMFILE)
/// }
/// #[syscall_bridge(name = "dup", fallback = dup_refused, fallback_on = "EBADF")]
/// unsafe fn dup_or_not(fd: i32) -> Result<i32, Errno>;
/// // dup(-1) fails with EBADF, a listed error: from now on the fallback answers.
/// // SAFETY: dup of any number is safe.
/// assert_eq!(unsafe { dup_or_not(-1) }, Err(Errno::EMFILE));
/// // SAFETY: as above.
/// assert_eq!(unsafe { dup_or_not(1) }, Err(Errno::EMFILE));
/// # }
/// ```
///
/// ```
/// # #[cfg(all(target_os = "linux", target_arch = "x86_64"))] {
/// use abi_runtime::{Errno, syscall_bridge};
///
/// // examples/specs/x86_64-newer-calls.toml: `extends = "linux-x86_64"` and
/// // `listxattrat = { nr = 465, args = [...] }` (Linux 6.13).
/// #[syscall_bridge(targets = "examples/specs")]
/// unsafe fn listxattrat(dfd: i32, path: *const u8, at_flags: u32, list: *mut u8, size: usize) -> Result<usize, Errno>;
/// // SAFETY: a NUL-terminated path and no buffer (size 0).
/// let r = unsafe { listxattrat(-100, c"/".as_ptr().cast(), 0, core::ptr::null_mut(), 0) };
/// // The size of "/"'s attribute names; a kernel older than 6.13 says ENOSYS.
/// assert!(matches!(r, Ok(_) | Err(Errno::ENOSYS)), "{r:?}");
/// # }
/// ```
pub use abi_macros::syscall_bridge;

mod errno;
mod error_kind;
mod reg;
pub mod trace;

pub use errno::Errno;
pub use error_kind::ErrorKind;
pub use reg::{FromReg, FromReg64, RegArg, RegArg64};

abi_macros::__constants!();

// The kernel structures the Linux code and its users read or write, laid out
// as each spec's `[layouts]` say (every member, measured by the target's C
// compiler): byte-level accessors in `layouts`, `#[repr(C)]` structs in
// `types`. A Linux spec without one of these is a compile error that says how
// to import it.
abi_macros::__layouts!(linux {
    timespec(tv_sec, tv_nsec),
    timeval(tv_sec, tv_usec),
    stat(st_ino, st_nlink, st_mode, st_uid, st_gid, st_size, st_blksize, st_blocks,
        st_atime, st_atime_nsec, st_mtime, st_mtime_nsec, st_ctime, st_ctime_nsec),
    epoll_event(events, data),
    clone_args(flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls),
    old_timespec(tv_sec, tv_nsec),
    iovec(iov_base, iov_len),
    linux_dirent64(d_ino, d_off, d_reclen, d_type, d_name),
});

#[cfg(target_os = "linux")]
pub mod linux;
pub mod probe;
#[cfg(target_os = "linux")]
pub mod probed;
#[cfg(target_os = "linux")]
pub mod readiness;
#[cfg(target_os = "linux")]
pub mod vdso;

abi_macros::__dynamic_gates!();
mod abi_support;
__if_trampolines! {
    pub mod abi;
}
__if_no_trampolines! {
    #[path = "abi_unsupported.rs"]
    pub mod abi;
}
__if_syscall_table! {
    pub mod syscalls;
}
#[cfg(target_os = "wasi")]
pub mod wasi;
#[cfg(windows)]
pub mod windows;

#[cfg(any(target_os = "linux", target_os = "wasi", windows))]
pub mod platform;

/// Items the generated code uses; not a stable API.
#[doc(hidden)]
pub mod __private {
    pub use crate::errno::{negated_errno, ntstatus, returned_errno};
}
