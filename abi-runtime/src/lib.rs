//! The `#![no_std]` runtime of abi-bridge.
//!
//! It holds what bridged code needs at run time: [`Errno`], the register
//! conversion traits [`RegArg`] and [`FromReg`], and the bridged Linux calls in
//! [`linux`], which the `#[syscall_bridge]` macro generates from the spec files
//! like any user's declarations.
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
//!   `From<ErrorKind> for std::io::ErrorKind`. Without it the crate is
//!   `#![no_std]` and allocates nothing.
//! - `trace`: every bridged call reports its name, number, arguments, raw
//!   result and duration to the hook of [`trace`]; without it the stubs
//!   compile to the same code as hand-written asm.
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

pub use abi_macros::{entry_point, syscall_bridge};

mod errno;
mod error_kind;
mod reg;
pub mod trace;

pub use errno::Errno;
pub use error_kind::ErrorKind;
pub use reg::{FromReg, RegArg, RegArg64};

abi_macros::__constants!();

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
__if_trampolines! {
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
