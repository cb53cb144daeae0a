//! Calls added to Linux after 6.1 (the tables come from the 6.12 source):
//! `cachestat`, `fchmodat2`, the futex2 `futex_wait`/`futex_wake` and `mseal`,
//! declared here as a user would, checked against the kernel's own answers
//! and std's view of the same files.
//!
//! Natively they run against the machine's kernel. A leg that runs under an
//! emulator (its spec's `[ci] runner`) may not know a call: there the call
//! must fail with `ENOSYS` (any other answer fails the test), and the test
//! says so. Natively `ENOSYS` is a failure.
#![cfg(target_os = "linux")]
#![allow(clippy::undocumented_unsafe_blocks)] // bridged calls on memory the tests own

use std::ffi::CString;
use std::io::Write;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use abi_runtime::{Errno, linux as sys, syscall_bridge};

include!(concat!(env!("OUT_DIR"), "/leg_runner.rs"));

/// `struct cachestat_range` (linux/mman.h).
#[repr(C)]
struct CachestatRange {
    off: u64,
    len: u64,
}

/// `struct cachestat` (linux/mman.h).
#[repr(C)]
#[derive(Debug, Default)]
struct Cachestat {
    nr_cache: u64,
    nr_dirty: u64,
    nr_writeback: u64,
    nr_evicted: u64,
    nr_recently_evicted: u64,
}

#[syscall_bridge]
unsafe fn cachestat(
    fd: i32,
    range: *mut CachestatRange,
    cstat: *mut Cachestat,
    flags: u32,
) -> Result<usize, Errno>;

#[syscall_bridge]
unsafe fn fchmodat2(dfd: i32, path: *const u8, mode: u32, flags: u32) -> Result<(), Errno>;

#[syscall_bridge]
unsafe fn futex_wait(
    uaddr: *mut u32,
    val: usize,
    mask: usize,
    flags: u32,
    timeout: *mut u8,
    clockid: i32,
) -> Result<usize, Errno>;

#[syscall_bridge]
unsafe fn futex_wake(uaddr: *mut u32, mask: usize, nr: i32, flags: u32) -> Result<usize, Errno>;

#[syscall_bridge]
unsafe fn mseal(start: usize, len: usize, flags: usize) -> Result<(), Errno>;

/// futex2 flags (linux/futex.h): a 32-bit futex private to this process.
const FUTEX2_SIZE_U32: u32 = 0x02;
const FUTEX2_PRIVATE: u32 = 128;
/// Any waiter matches this mask (FUTEX_BITSET_MATCH_ANY, a u32 futex's width).
const MATCH_ANY: usize = 0xffff_ffff;

/// `Ok(Some(v))` when the call worked; `Ok(None)` when the leg's emulator
/// does not know it (`ENOSYS` under a runner, said on stderr); `Err` otherwise.
fn known<T>(call: &str, r: Result<T, Errno>) -> Result<Option<T>, Errno> {
    match r {
        Err(Errno::ENOSYS) if !SPEC_RUNNER.is_empty() => {
            eprintln!(
                "{call}: ENOSYS under `{SPEC_RUNNER}`: the emulator does not know this call (added in Linux 6.5-6.10); checked that it fails typed"
            );
            Ok(None)
        }
        other => other.map(Some),
    }
}

fn temp_path(tag: &str) -> std::path::PathBuf {
    std::env::temp_dir().join(format!("abi-bridge-new-{tag}-{}", std::process::id()))
}

fn c_path(p: &std::path::Path) -> CString {
    CString::new(p.to_str().unwrap()).unwrap()
}

fn page_size() -> usize {
    usize::try_from(unsafe { libc::sysconf(libc::_SC_PAGESIZE) }).unwrap()
}

#[test]
fn cachestat_counts_the_pages_std_just_wrote() {
    let page = page_size();
    let len = 3 * page + 100;
    let path = temp_path("cachestat");
    let mut f = std::fs::File::create(&path).unwrap();
    f.write_all(&vec![0x5a; len]).unwrap();
    let fd = std::os::fd::AsRawFd::as_raw_fd(&f);
    // len 0: up to the end of the file.
    let mut range = CachestatRange { off: 0, len: 0 };
    let mut cs = Cachestat::default();
    let r = unsafe { cachestat(fd, &raw mut range, &raw mut cs, 0) };
    if let Some(ret) = known("cachestat", r).unwrap() {
        assert_eq!(ret, 0);
        // Just written, so every page of the file is in the page cache.
        assert_eq!(cs.nr_cache, len.div_ceil(page) as u64, "{cs:?}");
        assert!(cs.nr_dirty + cs.nr_writeback <= cs.nr_cache, "{cs:?}");
        // A flag the kernel does not define is refused.
        assert_eq!(
            unsafe { cachestat(fd, &raw mut range, &raw mut cs, 1) },
            Err(Errno::EINVAL)
        );
    }
    // A closed descriptor is refused either way (EBADF natively, ENOSYS
    // where the emulator does not know the call).
    drop(f);
    let bad = unsafe { cachestat(fd, &raw mut range, &raw mut cs, 0) };
    assert!(
        matches!(known("cachestat", bad), Ok(None) | Err(Errno::EBADF)),
        "{bad:?}"
    );
    std::fs::remove_file(&path).unwrap();
}

#[test]
fn fchmodat2_changes_modes_as_std_sees_them() {
    let file = temp_path("chmod-file");
    let link = temp_path("chmod-link");
    std::fs::write(&file, b"mode").unwrap();
    let _ = std::fs::remove_file(&link);
    std::os::unix::fs::symlink(&file, &link).unwrap();
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
    let (cfile, clink) = (c_path(&file), c_path(&link));
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().mode() & 0o7777;
    let link_mode = || std::fs::symlink_metadata(&link).unwrap().mode() & 0o7777;

    // A regular file, flags 0.
    let r = unsafe { fchmodat2(sys::AT_FDCWD, cfile.as_ptr().cast(), 0o640, 0) };
    if known("fchmodat2", r).unwrap().is_none() {
        std::fs::remove_file(&link).unwrap();
        std::fs::remove_file(&file).unwrap();
        return;
    }
    assert_eq!(mode(&file), 0o640);

    // Through the symlink without AT_SYMLINK_NOFOLLOW: the target changes.
    unsafe { fchmodat2(sys::AT_FDCWD, clink.as_ptr().cast(), 0o600, 0) }.unwrap();
    assert_eq!(mode(&file), 0o600);

    // The symlink itself: the kernel that has fchmodat2 (6.6 on) refuses to
    // change a symlink's mode (notify_change: EOPNOTSUPP), so the link keeps
    // the mode std reports for it and the target is untouched.
    let before = link_mode();
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    let nofollow = libc::AT_SYMLINK_NOFOLLOW as u32;
    assert_eq!(
        unsafe { fchmodat2(sys::AT_FDCWD, clink.as_ptr().cast(), 0o700, nofollow) },
        Err(Errno::EOPNOTSUPP)
    );
    assert_eq!(link_mode(), before);
    assert_eq!(
        mode(&file),
        0o600,
        "the target was changed through the link"
    );

    // With AT_SYMLINK_NOFOLLOW on a regular file the mode changes as usual,
    // and an undefined flag is refused.
    unsafe { fchmodat2(sys::AT_FDCWD, cfile.as_ptr().cast(), 0o604, nofollow) }.unwrap();
    assert_eq!(mode(&file), 0o604);
    assert_eq!(
        unsafe { fchmodat2(sys::AT_FDCWD, cfile.as_ptr().cast(), 0o600, 0x8000_0000) },
        Err(Errno::EINVAL)
    );
    std::fs::remove_file(&link).unwrap();
    std::fs::remove_file(&file).unwrap();
}

#[test]
fn futex_wake_wakes_a_thread_blocked_in_futex_wait() {
    static WORD: AtomicU32 = AtomicU32::new(7);
    let flags = FUTEX2_SIZE_U32 | FUTEX2_PRIVATE;
    let word = WORD.as_ptr();
    // A value that is not the word's: the kernel does not sleep.
    let r = unsafe { futex_wait(word, 8, MATCH_ANY, flags, std::ptr::null_mut(), 1) };
    match known("futex_wait", r) {
        Err(Errno::EAGAIN) => {}
        Ok(None) => {
            let w = unsafe { futex_wake(word, MATCH_ANY, 1, flags) };
            assert_eq!(known("futex_wake", w), Ok(None));
            return;
        }
        other => panic!("futex_wait on a word that differs: {other:?}, not EAGAIN"),
    }
    // Nobody waits yet: nobody is woken.
    assert_eq!(unsafe { futex_wake(word, MATCH_ANY, 1, flags) }, Ok(0));

    let waiter = std::thread::spawn(move || {
        let word = WORD.as_ptr();
        loop {
            match unsafe { futex_wait(word, 7, MATCH_ANY, flags, std::ptr::null_mut(), 1) } {
                Err(Errno::EINTR) => continue,
                other => return other,
            }
        }
    });
    // Wakes until the kernel says it woke a waiter: only a thread blocked
    // in futex_wait on this word counts.
    let start = Instant::now();
    let woken = loop {
        let n = unsafe { futex_wake(word, MATCH_ANY, 1, flags) }.unwrap();
        if n > 0 || start.elapsed() > Duration::from_secs(10) {
            break n;
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    assert_eq!(woken, 1, "no waiter was ever blocked in futex_wait");
    assert_eq!(waiter.join().unwrap(), Ok(0));
    assert_eq!(WORD.load(Ordering::SeqCst), 7);
}

#[test]
fn mseal_makes_munmap_fail_with_eperm() {
    let len = page_size();
    let prot = libc::PROT_READ | libc::PROT_WRITE;
    let flags = libc::MAP_PRIVATE | libc::MAP_ANONYMOUS;
    let addr = unsafe { sys::mmap(std::ptr::null_mut(), len, prot, flags, -1, 0) }.unwrap();
    let start = addr as usize;
    match known("mseal", unsafe { mseal(start, len, 0) }).unwrap() {
        Some(()) => {
            // Sealed: neither unmapped nor reprotected; still usable.
            assert_eq!(unsafe { sys::munmap(addr.cast(), len) }, Err(Errno::EPERM));
            assert_eq!(
                unsafe { sys::mprotect(addr.cast(), len, libc::PROT_READ) },
                Err(Errno::EPERM)
            );
            unsafe { addr.cast::<u8>().write(42) };
            assert_eq!(unsafe { addr.cast::<u8>().read() }, 42);
            // Undefined flags are refused.
            assert_eq!(unsafe { mseal(start, len, 1) }, Err(Errno::EINVAL));
        }
        None => {
            // Not sealed under the emulator: the mapping goes as usual.
            unsafe { sys::munmap(addr.cast(), len) }.unwrap();
        }
    }
}
