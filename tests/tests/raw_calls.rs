//! Calls by number at run time (`abi_runtime::syscalls::raw` and `syscall!`)
//! against libc's `syscall(2)` and std: the same numbers give the same
//! answers, errors included, for calls the table has and calls it lacks.
#![cfg(target_os = "linux")]
#![allow(clippy::undocumented_unsafe_blocks)] // every unsafe block is a system call with valid arguments

use abi_runtime::{Errno, syscall, syscalls};

fn number(name: &str) -> usize {
    syscalls::by_name(name).unwrap().number()
}

/// libc's answer for a call by number: the value, or the errno.
fn libc_call(nr: usize, args: [usize; 3]) -> Result<usize, i32> {
    let r = unsafe { libc::syscall(nr as libc::c_long, args[0], args[1], args[2]) };
    if r == -1 {
        Err(std::io::Error::last_os_error().raw_os_error().unwrap())
    } else {
        Ok(r as usize)
    }
}

#[test]
fn raw_identity_calls_agree_with_std_and_libc() {
    let pid = unsafe { syscalls::raw(number("getpid"), &[]) }.unwrap();
    assert_eq!(pid as u32, std::process::id());
    let ppid = unsafe { syscalls::raw(number("getppid"), &[]) }.unwrap();
    assert_eq!(ppid as u32, std::os::unix::process::parent_id());
    // gettid by number: the same on every Linux port's table (getuid is
    // getuid32 on armv7, so its number is not the portable call's).
    let gettid = number("gettid");
    let tid = unsafe { syscalls::raw(gettid, &[]) };
    assert_eq!(tid, libc_call(gettid, [0; 3]).map_err(Errno::from_raw));
}

#[test]
fn raw_errors_are_decoded_like_the_table() {
    let close = number("close");
    let bad = (-1isize) as usize;
    assert_eq!(unsafe { syscalls::raw(close, &[bad]) }, Err(Errno::EBADF));
    assert_eq!(
        unsafe { syscalls::raw(close, &[bad]) },
        libc_call(close, [bad, 0, 0]).map_err(Errno::from_raw)
    );
}

#[test]
fn a_number_no_table_lists_gets_the_kernels_answer() {
    // Above every call number any Linux port has: the kernel says ENOSYS,
    // through libc as through the raw stub.
    let nr = 4000;
    assert!(syscalls::by_number(nr).is_none());
    let ours = unsafe { syscalls::raw(nr, &[1, 2, 3]) };
    assert_eq!(ours, Err(Errno::ENOSYS));
    assert_eq!(ours, libc_call(nr, [1, 2, 3]).map_err(Errno::from_raw));
}

#[test]
fn too_many_arguments_is_einval_without_a_call() {
    let args = vec![0usize; syscalls::MAX + 1];
    assert_eq!(
        unsafe { syscalls::raw(number("getpid"), &args) },
        Err(Errno::EINVAL)
    );
}

#[test]
fn the_macro_converts_typed_arguments_and_moves_data() {
    let mut fds = [0i32; 2];
    assert_eq!(unsafe { libc::pipe(fds.as_mut_ptr()) }, 0);
    let msg = b"raw pipe";
    let n = unsafe { syscall!(number("write"), fds[1], msg.as_ptr(), msg.len()) };
    assert_eq!(n, Ok(msg.len()));
    let mut back = [0u8; 16];
    let n = unsafe { syscall!(number("read"), fds[0], back.as_mut_ptr(), back.len()) };
    assert_eq!(n, Ok(msg.len()));
    assert_eq!(&back[..msg.len()], msg);
    // A negative i32 reaches the kernel sign-extended, as in the inline stubs.
    assert_eq!(
        unsafe { syscall!(number("close"), -1i32) },
        Err(Errno::EBADF)
    );
    for fd in fds {
        assert_eq!(unsafe { syscall!(number("close"), fd) }, Ok(0));
    }
}
