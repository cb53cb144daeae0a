//! Linux system calls, bridged from the spec files (`targets/linux-*.toml`) by
//! the same `#[syscall_bridge]` users write. Every function is a thin inline
//! stub: the arguments go to the registers the spec names, and the result is
//! decoded into `Result<_, Errno>` (or returned raw where the kernel never
//! fails).
//!
//! Arguments that point at kernel structures are `*const c_void` /
//! `*mut c_void`: this layer does not define those structures.
//!
//! With the feature `all-calls`, the module `calls` has every call of this
//! target's table, typed from the spec and documented with its number, and
//! this module re-exports them: a call without a hand-written function here is
//! reached as `abi_runtime::linux::<name>` all the same, in the spec's types.
//! The hand-written functions keep their own types.
//!
//! `clone` takes its arguments in the portable order (flags, stack,
//! parent_tid, child_tid, tls) on every target: a spec whose kernel wants
//! another order says so in its `[via]` table.

use core::ffi::c_void;

use crate::{Errno, syscall_bridge};

// The calls the runtime itself makes, typed by hand. An `extern` block puts
// the bridged functions straight into this module, where they shadow the
// functions of the same name `calls::*` brings in.
#[syscall_bridge]
unsafe extern "C" {
    /// Reads up to `count` bytes from `fd` into `buf`.
    pub unsafe fn read(fd: i32, buf: *mut u8, count: usize) -> Result<usize, Errno>;
    /// Writes up to `count` bytes of `buf` to `fd`.
    pub unsafe fn write(fd: i32, buf: *const u8, count: usize) -> Result<usize, Errno>;
    /// Opens `path` (NUL-terminated) relative to `dirfd`.
    pub unsafe fn openat(dirfd: i32, path: *const u8, flags: i32, mode: u32) -> Result<i32, Errno>;
    /// Closes `fd`.
    pub unsafe fn close(fd: i32) -> Result<(), Errno>;
    /// Moves the file offset of `fd`.
    pub unsafe fn lseek(fd: i32, offset: i64, whence: u32) -> Result<u64, Errno>;
    /// Reads at an offset without moving the file offset.
    pub unsafe fn pread64(fd: i32, buf: *mut u8, count: usize, offset: i64)
    -> Result<usize, Errno>;
    /// Writes at an offset without moving the file offset.
    pub unsafe fn pwrite64(
        fd: i32,
        buf: *const u8,
        count: usize,
        offset: i64,
    ) -> Result<usize, Errno>;
    /// Scatter read into `iovcnt` `struct iovec`s.
    pub unsafe fn readv(fd: i32, iov: *const c_void, iovcnt: i32) -> Result<usize, Errno>;
    /// Gather write from `iovcnt` `struct iovec`s.
    pub unsafe fn writev(fd: i32, iov: *const c_void, iovcnt: i32) -> Result<usize, Errno>;
    /// Maps memory; a high address is a value, never an error.
    pub unsafe fn mmap(
        addr: *mut c_void,
        len: usize,
        prot: i32,
        flags: i32,
        fd: i32,
        offset: i64,
    ) -> Result<*mut c_void, Errno>;
    /// Unmaps memory.
    pub unsafe fn munmap(addr: *mut c_void, len: usize) -> Result<(), Errno>;
    /// Changes the protection of mapped memory.
    pub unsafe fn mprotect(addr: *mut c_void, len: usize, prot: i32) -> Result<(), Errno>;
    /// Advises the kernel about memory use.
    pub unsafe fn madvise(addr: *mut c_void, len: usize, advice: i32) -> Result<(), Errno>;
    /// Sets the program break; returns the new (or current) break, never an errno.
    pub unsafe fn brk(addr: *mut c_void) -> usize;
    /// The process id; cannot fail.
    pub unsafe fn getpid() -> i32;
    /// The parent's process id; cannot fail.
    pub unsafe fn getppid() -> i32;
    /// The thread id; cannot fail.
    pub unsafe fn gettid() -> i32;
    /// The real user id; cannot fail.
    pub unsafe fn getuid() -> u32;
    /// The effective user id; cannot fail.
    pub unsafe fn geteuid() -> u32;
    /// Sends a signal to a process.
    pub unsafe fn kill(pid: i32, sig: i32) -> Result<(), Errno>;
    /// Sends a signal to one thread.
    pub unsafe fn tgkill(tgid: i32, tid: i32, sig: i32) -> Result<(), Errno>;
    /// Ends the calling thread.
    pub unsafe fn exit(status: i32) -> !;
    /// Ends the process.
    pub unsafe fn exit_group(status: i32) -> !;
    /// Reads a clock into a `struct timespec`.
    pub unsafe fn clock_gettime(clockid: i32, tp: *mut c_void) -> Result<(), Errno>;
    /// Sleeps on a clock.
    pub unsafe fn clock_nanosleep(
        clockid: i32,
        flags: i32,
        request: *const c_void,
        remain: *mut c_void,
    ) -> Result<(), Errno>;
    /// Sleeps.
    pub unsafe fn nanosleep(request: *const c_void, remain: *mut c_void) -> Result<(), Errno>;
    /// Yields the processor.
    pub unsafe fn sched_yield() -> Result<(), Errno>;
    /// Creates a pipe; `fds` points at two `i32`s.
    pub unsafe fn pipe2(fds: *mut i32, flags: i32) -> Result<(), Errno>;
    /// Duplicates a descriptor.
    pub unsafe fn dup(fd: i32) -> Result<i32, Errno>;
    /// Duplicates a descriptor onto `newfd`.
    pub unsafe fn dup3(oldfd: i32, newfd: i32, flags: i32) -> Result<i32, Errno>;
    /// Descriptor control.
    pub unsafe fn fcntl(fd: i32, cmd: u32, arg: usize) -> Result<usize, Errno>;
    /// Device control.
    pub unsafe fn ioctl(fd: i32, request: u32, arg: usize) -> Result<usize, Errno>;
    /// Reads file status into a `struct stat`.
    pub unsafe fn newfstatat(
        dirfd: i32,
        path: *const u8,
        statbuf: *mut c_void,
        flags: i32,
    ) -> Result<(), Errno>;
    /// Reads extended file status into a `struct statx`.
    pub unsafe fn statx(
        dirfd: i32,
        path: *const u8,
        flags: i32,
        mask: u32,
        statxbuf: *mut c_void,
    ) -> Result<(), Errno>;
    /// Writes the current directory (NUL-terminated) into `buf`; returns its
    /// length with the NUL.
    pub unsafe fn getcwd(buf: *mut u8, size: usize) -> Result<usize, Errno>;
    /// Changes the current directory to `path` (NUL-terminated).
    pub unsafe fn chdir(path: *const u8) -> Result<(), Errno>;
    /// Reads directory entries.
    pub unsafe fn getdents64(fd: i32, dirent: *mut c_void, count: u32) -> Result<usize, Errno>;
    /// Creates a directory.
    pub unsafe fn mkdirat(dirfd: i32, path: *const u8, mode: u32) -> Result<(), Errno>;
    /// Removes a file or (with `AT_REMOVEDIR`) a directory.
    pub unsafe fn unlinkat(dirfd: i32, path: *const u8, flags: i32) -> Result<(), Errno>;
    /// Renames a file.
    pub unsafe fn renameat2(
        olddirfd: i32,
        oldpath: *const u8,
        newdirfd: i32,
        newpath: *const u8,
        flags: u32,
    ) -> Result<(), Errno>;
    /// Flushes a file to storage.
    pub unsafe fn fsync(fd: i32) -> Result<(), Errno>;
    /// Sets a file's length.
    pub unsafe fn ftruncate(fd: i32, length: i64) -> Result<(), Errno>;
    /// Fills `buf` with random bytes.
    pub unsafe fn getrandom(buf: *mut u8, buflen: usize, flags: u32) -> Result<usize, Errno>;
    /// Reads system names into a `struct utsname`.
    pub unsafe fn uname(buf: *mut c_void) -> Result<(), Errno>;
    /// Creates a socket.
    pub unsafe fn socket(domain: i32, sock_type: i32, protocol: i32) -> Result<i32, Errno>;
    /// Creates a connected socket pair; `sv` points at two `i32`s.
    pub unsafe fn socketpair(
        domain: i32,
        sock_type: i32,
        protocol: i32,
        sv: *mut i32,
    ) -> Result<(), Errno>;
    /// Sends on a socket.
    pub unsafe fn sendto(
        fd: i32,
        buf: *const u8,
        len: usize,
        flags: u32,
        dest_addr: *const c_void,
        addrlen: u32,
    ) -> Result<usize, Errno>;
    /// Receives from a socket.
    pub unsafe fn recvfrom(
        fd: i32,
        buf: *mut u8,
        len: usize,
        flags: u32,
        src_addr: *mut c_void,
        addrlen: *mut u32,
    ) -> Result<usize, Errno>;
    /// Fast user-space locking.
    pub unsafe fn futex(
        uaddr: *mut u32,
        op: i32,
        val: u32,
        timeout: *const c_void,
        uaddr2: *mut u32,
        val3: u32,
    ) -> Result<usize, Errno>;
    /// Examines or changes a signal action.
    pub unsafe fn rt_sigaction(
        sig: i32,
        act: *const c_void,
        oact: *mut c_void,
        sigsetsize: usize,
    ) -> Result<(), Errno>;
    /// Examines or changes the blocked signals.
    pub unsafe fn rt_sigprocmask(
        how: i32,
        set: *const c_void,
        oset: *mut c_void,
        sigsetsize: usize,
    ) -> Result<(), Errno>;
    /// Gets or sets a resource limit.
    pub unsafe fn prlimit64(
        pid: i32,
        resource: u32,
        new_limit: *const c_void,
        old_limit: *mut c_void,
    ) -> Result<(), Errno>;
    /// Waits for a child.
    pub unsafe fn wait4(
        pid: i32,
        status: *mut i32,
        options: i32,
        rusage: *mut c_void,
    ) -> Result<i32, Errno>;
    /// Replaces the process image; returns only on failure.
    pub unsafe fn execve(
        path: *const u8,
        argv: *const *const u8,
        envp: *const *const u8,
    ) -> Result<(), Errno>;
    /// Reads the wall clock into a `struct timeval` (see also `crate::vdso`).
    pub unsafe fn gettimeofday(tv: *mut c_void, tz: *mut c_void) -> Result<(), Errno>;
    /// The CPU and NUMA node of the calling thread (see also `crate::vdso`).
    pub unsafe fn getcpu(cpu: *mut u32, node: *mut u32, cache: *mut c_void) -> Result<(), Errno>;
    /// Creates a process or thread from a `struct clone_args` (Linux 5.3+; see also `crate::probe`).
    pub unsafe fn clone3(cl_args: *const c_void, size: usize) -> Result<i32, Errno>;
    /// A file descriptor referring to process `pid` (Linux 5.3+).
    pub unsafe fn pidfd_open(pid: i32, flags: u32) -> Result<i32, Errno>;
    /// Process control.
    pub unsafe fn prctl(
        option: i32,
        arg2: usize,
        arg3: usize,
        arg4: usize,
        arg5: usize,
    ) -> Result<usize, Errno>;
    /// Installs a seccomp filter or mode.
    pub unsafe fn seccomp(operation: u32, flags: u32, args: *const c_void) -> Result<usize, Errno>;
    /// Sets up an io_uring instance; fills `struct io_uring_params`.
    pub unsafe fn io_uring_setup(entries: u32, params: *mut c_void) -> Result<i32, Errno>;
    /// Submits and waits for io_uring entries.
    pub unsafe fn io_uring_enter(
        fd: i32,
        to_submit: u32,
        min_complete: u32,
        flags: u32,
        sig: *const c_void,
        sigsz: usize,
    ) -> Result<usize, Errno>;
    /// Creates an epoll instance.
    pub unsafe fn epoll_create1(flags: i32) -> Result<i32, Errno>;
    /// Adds, changes or removes a descriptor of an epoll instance.
    pub unsafe fn epoll_ctl(epfd: i32, op: i32, fd: i32, event: *const c_void)
    -> Result<(), Errno>;
    /// Waits for events of an epoll instance.
    pub unsafe fn epoll_pwait(
        epfd: i32,
        events: *mut c_void,
        maxevents: i32,
        timeout: i32,
        sigmask: *const c_void,
        sigsetsize: usize,
    ) -> Result<usize, Errno>;
    /// Creates an eventfd.
    pub unsafe fn eventfd2(initval: u32, flags: i32) -> Result<i32, Errno>;
    /// Creates a process or thread (the portable argument order on every target).
    pub unsafe fn clone(
        flags: usize,
        stack: *mut c_void,
        parent_tid: *mut i32,
        child_tid: usize,
        tls: usize,
    ) -> Result<i32, Errno>;
}

// Every call of this target's table, typed from the spec (feature `all-calls`).
#[cfg(feature = "all-calls")]
abi_macros::__all_calls!(calls);
#[cfg(feature = "all-calls")]
pub use calls::*;

/// `AT_FDCWD`: paths relative to the working directory (the spec's constant).
pub use crate::consts::AT_FDCWD;

/// The value of `key` in the auxiliary vector the kernel gave this process
/// (`AT_PAGESZ`, `AT_SYSINFO_EHDR`, ...), read from `/proc/self/auxv`; `None`
/// when the key is absent or /proc is not mounted.
pub fn auxv(key: usize) -> Option<usize> {
    let path = b"/proc/self/auxv\0";
    let flags = crate::consts::O_RDONLY | crate::consts::O_CLOEXEC;
    // SAFETY: the path is NUL-terminated.
    let fd = unsafe { openat(crate::consts::AT_FDCWD, path.as_ptr(), flags, 0) }.ok()?;
    let mut pair = [0usize; 2];
    let bytes = core::mem::size_of_val(&pair);
    let found = loop {
        // SAFETY: `pair` is valid for writes of `bytes`.
        match unsafe { read(fd, pair.as_mut_ptr().cast(), bytes) } {
            Ok(n) if n == bytes && pair[0] != 0 => {
                if pair[0] == key {
                    break Some(pair[1]);
                }
            }
            _ => break None,
        }
    };
    // SAFETY: `fd` was opened above.
    let _ = unsafe { close(fd) };
    found
}
