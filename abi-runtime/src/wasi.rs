//! WASI preview1 calls, bridged from `targets/wasi-wasm32.toml`. Values WASI
//! hands back through trailing out-pointers come back as the `Ok` value (a
//! tuple when there are several); the errno WASI returns becomes `Err`.
//!
//! With the feature `all-calls`, the module `calls` has every function of
//! `wasi_snapshot_preview1` in the table, typed from the spec, and this module
//! re-exports them beside the hand-written ones (which keep their own types).

use crate::{Errno, syscall_bridge};

/// `iovec` / `ciovec`: a buffer for `fd_read` and `fd_write`.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct Iovec {
    /// Start of the buffer.
    pub buf: *const u8,
    /// Its length in bytes.
    pub len: usize,
}

/// `fdstat`, filled by `fd_fdstat_get`.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default)]
pub struct FdStat {
    /// File type (`filetype`).
    pub filetype: u8,
    /// Descriptor flags (`fdflags`).
    pub flags: u16,
    /// Rights of the descriptor.
    pub rights_base: u64,
    /// Rights descriptors opened from it may get.
    pub rights_inheriting: u64,
}

/// `prestat`, filled by `fd_prestat_get`: a preopened directory and the length of its name.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default)]
pub struct Prestat {
    /// 0: a directory.
    pub tag: u8,
    /// Length of the directory's name.
    pub name_len: usize,
}

/// `filestat`, filled by `fd_filestat_get` and `path_filestat_get`.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default)]
pub struct Filestat {
    /// Device id.
    pub dev: u64,
    /// Inode.
    pub ino: u64,
    /// File type.
    pub filetype: u8,
    /// Number of hard links.
    pub nlink: u64,
    /// Size in bytes.
    pub size: u64,
    /// Last access, ns since the epoch.
    pub atim: u64,
    /// Last modification, ns since the epoch.
    pub mtim: u64,
    /// Last status change, ns since the epoch.
    pub ctim: u64,
}

/// `subscription_clock`: what a clock subscription waits for.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default)]
pub struct SubscriptionClock {
    /// The clock (`clockid`).
    pub id: u32,
    /// When to wake, in ns: relative unless `flags` says absolute.
    pub timeout: u64,
    /// How late the wake-up may be, in ns.
    pub precision: u64,
    /// `subclockflags` (bit 0: `timeout` is absolute).
    pub flags: u16,
}

/// `subscription` for `poll_oneoff`, with the clock member of its union (the
/// largest; `tag` says which one is meant).
#[repr(C)]
#[derive(Debug, Clone, Copy, Default)]
pub struct Subscription {
    /// Copied into the event this subscription produces.
    pub userdata: u64,
    /// `eventtype`: 0 for a clock.
    pub tag: u8,
    /// The clock to wait for.
    pub clock: SubscriptionClock,
}

/// `event`, filled by `poll_oneoff`.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default)]
pub struct Event {
    /// The subscription's `userdata`.
    pub userdata: u64,
    /// The errno of this event (0: none).
    pub error: u16,
    /// `eventtype`.
    pub kind: u8,
    /// Bytes available (fd events).
    pub nbytes: u64,
    /// `eventrwflags` (fd events).
    pub flags: u16,
}

/// `dirent`, the header `fd_readdir` writes before each name.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default)]
pub struct Dirent {
    /// The cookie of the next entry.
    pub next: u64,
    /// Inode.
    pub ino: u64,
    /// Length of the name that follows.
    pub namlen: u32,
    /// `filetype`.
    pub kind: u8,
}

// Sizes and offsets of wasi/api.h (its own _Static_asserts say the same).
const _: () = {
    use core::mem::{offset_of, size_of};
    assert!(size_of::<SubscriptionClock>() == 32 && offset_of!(SubscriptionClock, flags) == 24);
    assert!(size_of::<Subscription>() == 48 && offset_of!(Subscription, clock) == 16);
    assert!(size_of::<Event>() == 32 && offset_of!(Event, kind) == 10);
    assert!(size_of::<Dirent>() == 24 && offset_of!(Dirent, kind) == 20);
    assert!(size_of::<Filestat>() == 64 && offset_of!(Filestat, mtim) == 48);
};

// The calls the runtime itself makes, typed by hand. An `extern` block puts
// the bridged functions straight into this module, where they shadow the
// functions of the same name `calls::*` brings in.
#[syscall_bridge]
unsafe extern "C" {
    /// Number of arguments and the size of their strings.
    pub unsafe fn args_sizes_get() -> Result<(usize, usize), Errno>;
    /// Fills `argv` with pointers into `argv_buf`, which receives the NUL-terminated arguments.
    pub unsafe fn args_get(argv: *mut *mut u8, argv_buf: *mut u8) -> Result<(), Errno>;
    /// Number of environment variables and the size of their strings.
    pub unsafe fn environ_sizes_get() -> Result<(usize, usize), Errno>;
    /// Fills `environ` with pointers into `environ_buf` (`NAME=value\0` strings).
    pub unsafe fn environ_get(environ: *mut *mut u8, environ_buf: *mut u8) -> Result<(), Errno>;
    /// Resolution of a clock, in ns.
    pub unsafe fn clock_res_get(id: u32) -> Result<u64, Errno>;
    /// Time of a clock, in ns.
    pub unsafe fn clock_time_get(id: u32, precision: u64) -> Result<u64, Errno>;
    /// Closes a descriptor.
    pub unsafe fn fd_close(fd: u32) -> Result<(), Errno>;
    /// Attributes of a descriptor.
    pub unsafe fn fd_fdstat_get(fd: u32, stat: *mut FdStat) -> Result<(), Errno>;
    /// Describes a preopened descriptor; `EBADF` past the last one.
    pub unsafe fn fd_prestat_get(fd: u32, prestat: *mut Prestat) -> Result<(), Errno>;
    /// The name of a preopened directory.
    pub unsafe fn fd_prestat_dir_name(fd: u32, path: *mut u8, path_len: usize)
    -> Result<(), Errno>;
    /// Scatter read; returns the bytes read.
    pub unsafe fn fd_read(fd: u32, iovs: *const Iovec, iovs_len: usize) -> Result<usize, Errno>;
    /// Attributes of an open file.
    pub unsafe fn fd_filestat_get(fd: i32, filestat: *mut Filestat) -> Result<(), Errno>;
    /// Reads directory entries (`dirent` headers, each followed by its name)
    /// from `cookie` on; returns the bytes used, `buf_len` when more may follow.
    pub unsafe fn fd_readdir(
        fd: i32,
        buf: *mut u8,
        buf_len: u32,
        cookie: u64,
    ) -> Result<u32, Errno>;
    /// Moves the offset; returns the new offset.
    pub unsafe fn fd_seek(fd: u32, offset: i64, whence: u32) -> Result<u64, Errno>;
    /// Gather write; returns the bytes written.
    pub unsafe fn fd_write(fd: u32, iovs: *const Iovec, iovs_len: usize) -> Result<usize, Errno>;
    /// Creates a directory.
    pub unsafe fn path_create_directory(
        fd: u32,
        path: *const u8,
        path_len: usize,
    ) -> Result<(), Errno>;
    /// Attributes of a file.
    pub unsafe fn path_filestat_get(
        fd: u32,
        flags: u32,
        path: *const u8,
        path_len: usize,
        filestat: *mut Filestat,
    ) -> Result<(), Errno>;
    /// Opens a file relative to a directory descriptor; returns the new descriptor.
    #[allow(clippy::too_many_arguments)] // WASI's own signature
    pub unsafe fn path_open(
        fd: u32,
        dirflags: u32,
        path: *const u8,
        path_len: usize,
        oflags: u32,
        fs_rights_base: u64,
        fs_rights_inheriting: u64,
        fdflags: u32,
    ) -> Result<u32, Errno>;
    /// Removes an empty directory.
    pub unsafe fn path_remove_directory(
        fd: i32,
        path: *const u8,
        path_len: usize,
    ) -> Result<(), Errno>;
    /// Renames a file or directory.
    pub unsafe fn path_rename(
        fd: i32,
        old_path: *const u8,
        old_path_len: usize,
        new_fd: i32,
        new_path: *const u8,
        new_path_len: usize,
    ) -> Result<(), Errno>;
    /// Removes a file.
    pub unsafe fn path_unlink_file(fd: u32, path: *const u8, path_len: usize) -> Result<(), Errno>;
    /// Waits for events; returns how many were stored.
    pub unsafe fn poll_oneoff(
        subscriptions: *const u8,
        events: *mut u8,
        nsubscriptions: usize,
    ) -> Result<usize, Errno>;
    /// Ends the process.
    pub unsafe fn proc_exit(rval: u32) -> !;
    /// Fills a buffer with random bytes.
    pub unsafe fn random_get(buf: *mut u8, buf_len: usize) -> Result<(), Errno>;
    /// Yields the processor.
    pub unsafe fn sched_yield() -> Result<(), Errno>;
}

// Every call of this target's table, typed from the spec (feature `all-calls`).
#[cfg(feature = "all-calls")]
abi_macros::__all_calls!(calls);
#[cfg(feature = "all-calls")]
pub use calls::*;
