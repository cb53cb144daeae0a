//! The system calls of the current target as a table: look a call up by name
//! or number and make it with its arguments as an array, the way Go's
//! `syscall.Syscall6` does. Every kind of target has one: Linux system calls
//! (by their numbers), WASI imports and Windows DLL functions (numbered by
//! their position in the table, sorted by name).
//!
//! The table is generated from the target's spec file; each row's stub is the
//! same inline stub `#[syscall_bridge]` renders for the call, out of line.
//! Arguments and results are [`Word`]s: `usize`, or `u64` where a call takes
//! values wider than a pointer (WASI's 64-bit values on wasm32). A WASI call's
//! results are out-pointers after its arguments, as in `wasi/api.h`; a
//! Windows function returns its value and fails as the spec says (with the
//! code from `GetLastError`).
//! A row says the port's kernel defines the call, not that the running kernel
//! (or emulator) has it: one it lacks fails with [`Errno::ENOSYS`], as any
//! refused call fails with its errno. Calls the runtime needs itself but that
//! some kernels refuse go through [`crate::probe`]'s fallbacks.
//!
//! ```
//! # #[cfg(target_os = "linux")] {
//! use abi_runtime::syscalls;
//!
//! let getpid = syscalls::by_name("getpid").unwrap();
//! assert_eq!(getpid.arity(), 0);
//! // SAFETY: getpid has no preconditions.
//! let pid = unsafe { getpid.invoke(&[]) }.unwrap();
//! assert_eq!(pid as u32, std::process::id());
//! assert_eq!(syscalls::by_number(getpid.number()).map(|s| s.name()), Some("getpid"));
//! # }
//! ```

use core::fmt;

use crate::Errno;

/// A call's out-of-line stub: reads exactly its arity of arguments from the
/// pointer (the caller's slice, not copied), result decoded.
pub type Stub = unsafe fn(*const Word) -> Result<Word, Errno>;

/// One call of the table.
#[derive(Clone, Copy)]
pub struct Syscall {
    pub(crate) name: &'static str,
    pub(crate) number: usize,
    pub(crate) arity: usize,
    pub(crate) noreturn: bool,
    pub(crate) stub: Stub,
}

abi_macros::__syscall_table!(Syscall);

impl fmt::Debug for Syscall {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Syscall")
            .field("name", &self.name)
            .field("number", &self.number)
            .field("arity", &self.arity)
            .field("noreturn", &self.noreturn)
            .finish()
    }
}

impl PartialEq for Syscall {
    fn eq(&self, other: &Self) -> bool {
        self.number == other.number && self.name == other.name
    }
}

impl Eq for Syscall {}

/// Most arguments any call of this target takes.
pub const MAX: usize = MAX_ARGS;

/// Every call, sorted by number.
pub fn all() -> &'static [Syscall] {
    &TABLE
}

/// The call called `name`.
pub fn by_name(name: &str) -> Option<&'static Syscall> {
    BY_NAME
        .binary_search_by(|&i| TABLE[usize::from(i)].name.cmp(name))
        .ok()
        .map(|k| &TABLE[usize::from(BY_NAME[k])])
}

/// The call with number `number`.
pub fn by_number(number: usize) -> Option<&'static Syscall> {
    TABLE
        .binary_search_by_key(&number, |s| s.number)
        .ok()
        .map(|k| &TABLE[k])
}

impl Syscall {
    /// Its name, e.g. `"getpid"`.
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// Its number on this target (WASI and Windows: its position in the
    /// table, sorted by name).
    pub fn number(&self) -> usize {
        self.number
    }

    /// How many arguments it takes.
    pub fn arity(&self) -> usize {
        self.arity
    }

    /// Whether it never returns (`exit`).
    pub fn noreturn(&self) -> bool {
        self.noreturn
    }

    /// Makes the call with `args` (as many as [`Syscall::arity`]) and decodes
    /// the result with the target's error convention. The row's stub reads
    /// the arguments straight from `args`.
    ///
    /// Returns the target's invalid-argument code (`EINVAL`,
    /// `ERROR_INVALID_PARAMETER`) without making the call when `args` has
    /// the wrong length.
    ///
    /// # Safety
    ///
    /// The arguments must satisfy the call's contract (pointers valid for
    /// what the kernel reads or writes through them, and so on).
    #[inline]
    pub unsafe fn invoke(&self, args: &[Word]) -> Result<Word, Errno> {
        if args.len() != self.arity {
            return Err(ARITY_ERROR);
        }
        // SAFETY: the stub reads `arity` words, which `args` has; the caller
        // upholds the call's contract.
        unsafe { (self.stub)(args.as_ptr()) }
    }
}

__if_raw_syscalls! {
/// Makes the system call numbered `number` with `args`, whether or not the
/// table lists it (a call newer than the spec files, or one a table leaves
/// out), and decodes the result with the target's error convention. The stub
/// is generated from the target's `[syscall]` convention like every other;
/// unused argument registers are passed as 0.
///
/// Returns `Err(Errno::EINVAL)` without making the call when `args` has more
/// than [`MAX`] entries. The numbers differ between targets: take them from
/// the kernel's headers for the target (or from [`by_name`]).
///
/// ```
/// use abi_runtime::syscalls;
///
/// let getppid = syscalls::by_name("getppid").unwrap().number();
/// // SAFETY: getppid has no preconditions.
/// let parent = unsafe { syscalls::raw(getppid, &[]) }.unwrap();
/// assert_eq!(parent as u32, std::os::unix::process::parent_id());
/// ```
///
/// # Safety
///
/// The arguments must satisfy the call's contract (pointers valid for what the
/// kernel reads or writes through them, and so on); a number the kernel does
/// not know fails with `ENOSYS`.
pub unsafe fn raw(number: usize, args: &[usize]) -> Result<usize, Errno> {
    if args.len() > MAX_ARGS {
        return Err(Errno::EINVAL);
    }
    let mut a = [0usize; MAX_ARGS];
    a[..args.len()].copy_from_slice(args);
    // SAFETY: the caller upholds the call's contract.
    unsafe { raw_call(&a, number) }
}
}

/// Makes the system call numbered `$number` with arguments of any type that
/// converts to a register ([`RegArg`](crate::RegArg): integers, pointers,
/// `bool`, ...): [`raw`] with each argument converted as a bridged stub
/// converts it. Must be used inside `unsafe`.
///
/// ```
/// # #[cfg(target_os = "linux")] {
/// let msg = b"by number\n";
/// let write = abi_runtime::syscalls::by_name("write").unwrap().number();
/// // SAFETY: the buffer is valid for its length.
/// let n = unsafe { abi_runtime::syscall!(write, 1i32, msg.as_ptr(), msg.len()) };
/// assert_eq!(n, Ok(msg.len()));
/// # }
/// ```
#[macro_export]
macro_rules! syscall {
    ($number:expr $(, $arg:expr)* $(,)?) => {
        $crate::syscalls::raw($number, &[$($crate::RegArg::into_reg($arg)),*])
    };
}
