//! Probed calls: right answers through the bridged call, and the same right
//! answers through the fallback when a seccomp filter (in a forked child) makes
//! statx, clone3, getrandom and pidfd_open fail with ENOSYS or EPERM; the
//! probe report says which way each went.
#![cfg(target_os = "linux")]
#![allow(clippy::undocumented_unsafe_blocks)] // every unsafe block is a bridged call with buffers it owns

use std::ffi::CString;
use std::os::unix::fs::MetadataExt;

use abi_runtime::consts as c;
use abi_runtime::probe::{self, Choice};
use abi_runtime::probed::{self, CloneArgs, Statx};
use abi_runtime::{Errno, linux};

fn temp_file(tag: &str) -> (std::path::PathBuf, CString) {
    let path = std::env::temp_dir().join(format!("abi-bridge-probe-{tag}-{}", std::process::id()));
    std::fs::write(&path, b"seventeen bytes!!").unwrap();
    let c = CString::new(path.to_str().unwrap()).unwrap();
    (path, c)
}

/// Checks every probed call; returns the number of the first failed check, 0 if all pass.
/// Runs in a forked child too, so it allocates nothing.
/// What std says of a file: size, inode, mode, modification time.
fn facts(meta: &std::fs::Metadata) -> (u64, u64, u32, (i64, i64)) {
    (
        meta.len(),
        meta.ino(),
        meta.mode(),
        (meta.mtime(), meta.mtime_nsec()),
    )
}

/// `want` is the file's size, inode, mode and modification time (seconds, nanoseconds).
fn check_calls(path: &CString, want: (u64, u64, u32, (i64, i64))) -> i32 {
    let (want_size, want_ino, want_mode, want_mtime) = want;
    let mut st = Statx::default();
    let r = unsafe {
        probed::statx(
            c::AT_FDCWD,
            path.as_ptr().cast(),
            0,
            c::STATX_BASIC_STATS,
            &mut st,
        )
    };
    if r.is_err()
        || st.size != want_size
        || st.ino != want_ino
        || u32::from(st.mode) != want_mode
        || st.nlink != 1
        || (st.mtime.sec, i64::from(st.mtime.nsec)) != want_mtime
    {
        return 1;
    }
    let mut buf = [0u8; 32];
    let r = unsafe { probed::getrandom(buf.as_mut_ptr(), buf.len(), 0) };
    if r != Ok(32) || buf == [0; 32] {
        return 2;
    }
    // A fork through clone3 (or clone): the grandchild exits 7.
    let args = CloneArgs {
        exit_signal: c::SIGCHLD as u64,
        ..CloneArgs::default()
    };
    match unsafe { probed::clone3(&args, size_of::<CloneArgs>()) } {
        Ok(0) => unsafe { linux::exit_group(7) },
        Ok(pid) => {
            let mut status = 0;
            if unsafe { linux::wait4(pid, &mut status, 0, std::ptr::null_mut()) } != Ok(pid)
                || (status >> 8) & 0xff != 7
            {
                return 3;
            }
        }
        Err(_) => return 4,
    }
    match unsafe { probed::pidfd_open(linux::getpid(), 0) } {
        Ok(fd) => {
            let _ = unsafe { linux::close(fd) };
        }
        Err(Errno::ENOSYS | Errno::EPERM)
            if matches!(probed::PIDFD_OPEN_PROBE.choice(), Choice::Fallback(_)) => {}
        Err(_) => return 5,
    }
    0
}

#[test]
fn probed_calls_answer_right_through_the_bridged_calls() {
    let (path, cpath) = temp_file("primary");
    let meta = std::fs::metadata(&path).unwrap();
    assert_eq!(check_calls(&cpath, facts(&meta)), 0);
    std::fs::remove_file(&path).unwrap();
    // A native kernel of this decade has all four calls.
    if cfg!(abi_native_leg) {
        for line in probe::report() {
            assert_eq!(line.choice, Choice::Primary, "{line:?}");
        }
    }
}

/// A BPF instruction (`struct sock_filter`).
#[repr(C)]
#[derive(Clone, Copy)]
struct Filter {
    code: u16,
    jt: u8,
    jf: u8,
    k: u32,
}

/// `struct sock_fprog`.
#[repr(C)]
struct Program {
    len: u16,
    filter: *const Filter,
}

const LD_W_ABS: u16 = 0x20;
const JEQ_K: u16 = 0x15;
const RET_K: u16 = 0x06;

/// Installs a filter failing statx, clone3, getrandom and pidfd_open with `errno`.
fn deny_with(errno: Errno) -> Result<(), Errno> {
    let nr = |name: &str| {
        abi_runtime::syscalls::by_name(name)
            .expect("in the table")
            .number() as u32
    };
    let deny = c::SECCOMP_RET_ERRNO | errno.raw() as u32;
    let allow = c::SECCOMP_RET_ALLOW;
    let f = |code, jt, jf, k| Filter { code, jt, jf, k };
    let program = [
        f(LD_W_ABS, 0, 0, 4), // seccomp_data.arch
        f(JEQ_K, 1, 0, c::AUDIT_ARCH),
        f(RET_K, 0, 0, allow),
        f(LD_W_ABS, 0, 0, 0), // seccomp_data.nr
        f(JEQ_K, 4, 0, nr("statx")),
        f(JEQ_K, 3, 0, nr("clone3")),
        f(JEQ_K, 2, 0, nr("getrandom")),
        f(JEQ_K, 1, 0, nr("pidfd_open")),
        f(RET_K, 0, 0, allow),
        f(RET_K, 0, 0, deny),
    ];
    let prog = Program {
        len: program.len() as u16,
        filter: program.as_ptr(),
    };
    unsafe { linux::prctl(c::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)? };
    unsafe {
        linux::seccomp(
            c::SECCOMP_SET_MODE_FILTER as u32,
            0,
            (&raw const prog).cast(),
        )?
    };
    Ok(())
}

/// Forks; the child installs the filter, checks every probed call and that the
/// report shows the fallback, and exits with the failed check's number.
fn run_denied(errno: Errno) {
    run_fallbacks(errno, errno.name(), || {
        if deny_with(errno).is_err() {
            return Err(10);
        }
        // The filter really refuses the primary call.
        let mut buf = [0u8; 4];
        if unsafe { linux::getrandom(buf.as_mut_ptr(), 4, 0) } != Err(errno) {
            return Err(11);
        }
        Ok(())
    });
}

/// In a forked child: `setup` (which makes the probed calls fall back), then
/// every check; the report must show the fallback with `errno`.
fn run_fallbacks(errno: Errno, tag: &str, setup: impl Fn() -> Result<(), i32>) {
    let (path, cpath) = temp_file(tag);
    let meta = std::fs::metadata(&path).unwrap();
    let want = facts(&meta);
    let pid = unsafe {
        linux::clone(
            c::SIGCHLD as usize,
            std::ptr::null_mut(),
            std::ptr::null_mut(),
            0,
            0,
        )
    }
    .unwrap();
    if pid == 0 {
        if let Err(code) = setup() {
            unsafe { linux::exit_group(code) }
        }
        let code = check_calls(&cpath, want);
        let all_fell_back = probe::report()
            .iter()
            .all(|l| l.choice == Choice::Fallback(errno));
        unsafe {
            linux::exit_group(if code != 0 {
                code
            } else if all_fell_back {
                0
            } else {
                12
            })
        }
    }
    let mut status = 0;
    assert_eq!(
        unsafe { linux::wait4(pid, &mut status, 0, std::ptr::null_mut()) },
        Ok(pid)
    );
    std::fs::remove_file(&path).unwrap();
    assert_eq!(
        (status & 0x7f, (status >> 8) & 0xff),
        (0, 0),
        "child failed check {}",
        (status >> 8) & 0xff
    );
}

#[test]
#[cfg_attr(
    not(abi_native_leg),
    ignore = "qemu-user does not emulate seccomp filters; runs on the legs whose spec runs natively"
)]
fn fallbacks_answer_right_when_seccomp_says_enosys() {
    run_denied(Errno::ENOSYS);
}

#[test]
#[cfg_attr(
    not(abi_native_leg),
    ignore = "qemu-user does not emulate seccomp filters; runs on the legs whose spec runs natively"
)]
fn fallbacks_answer_right_when_seccomp_says_eperm() {
    run_denied(Errno::EPERM);
}

/// The fallbacks on every leg, qemu-user included: the slots are switched by
/// hand, as a refusal would switch them, so the fallbacks (newfstatat read
/// through the spec's stat layout, clone with the spec's argument order,
/// /dev/urandom) give the answers the primary calls give.
#[test]
fn fallbacks_answer_right_when_switched_to() {
    run_fallbacks(Errno::ENOSYS, "switched", || {
        for slot in [
            &probed::STATX_PROBE,
            &probed::CLONE3_PROBE,
            &probed::GETRANDOM_PROBE,
            &probed::PIDFD_OPEN_PROBE,
        ] {
            slot.switch(Errno::ENOSYS);
        }
        Ok(())
    });
}
