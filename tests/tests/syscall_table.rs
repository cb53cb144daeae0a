//! The system-call table (`abi_runtime::syscalls`) against the spec and the
//! inline stubs of `abi_runtime::linux`: same calls, same numbers, same results.
#![cfg(target_os = "linux")]
#![allow(clippy::undocumented_unsafe_blocks)] // every unsafe block is a system call with valid arguments

use abi_runtime::linux as sys;
use abi_runtime::{Errno, syscalls};

// `entry(name)`: the table entry a portable call is made through on this port
// (from its spec's `[via]`: `getuid` is `getuid32` on 32-bit ports).
include!(concat!(env!("OUT_DIR"), "/entries.rs"));

#[test]
fn lookups_agree_with_each_other() {
    let all = syscalls::all();
    assert!(all.len() >= 45, "{} calls", all.len());
    assert!(
        all.windows(2).all(|w| w[0].number() < w[1].number()),
        "sorted by number"
    );
    for s in all {
        assert_eq!(syscalls::by_name(s.name()), Some(s));
        assert_eq!(syscalls::by_number(s.number()), Some(s));
        assert!(s.arity() <= syscalls::MAX);
    }
    assert_eq!(syscalls::by_name("no_such_call"), None);
    assert_eq!(syscalls::by_number(usize::MAX), None);
    let exit = syscalls::by_name("exit_group").unwrap();
    assert!(exit.noreturn() && exit.arity() == 1);
    assert_eq!(syscalls::by_name("write").unwrap().arity(), 3);
}

#[test]
fn identity_calls_agree_with_the_inline_stubs() {
    let call0 = |name: &str| {
        let row = syscalls::by_name(entry(name)).unwrap_or_else(|| panic!("no entry for {name}"));
        unsafe { row.invoke(&[]) }.unwrap()
    };
    assert_eq!(call0("getpid") as u32, std::process::id());
    assert_eq!(call0("getpid") as i32, unsafe { sys::getpid() });
    assert_eq!(call0("getppid") as i32, unsafe { sys::getppid() });
    assert_eq!(call0("getuid") as u32, unsafe { sys::getuid() });
    assert_eq!(call0("geteuid") as u32, unsafe { sys::geteuid() });
    assert_eq!(call0("gettid") as i32, unsafe { sys::gettid() });
}

#[test]
fn write_and_read_through_the_table() {
    let mut fds = [0i32; 2];
    unsafe { sys::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) }.unwrap();
    let msg = b"table and stub agree";
    let write = syscalls::by_name("write").unwrap();
    let n = unsafe { write.invoke(&[fds[1] as usize, msg.as_ptr() as usize, msg.len()]) };
    assert_eq!(n, Ok(msg.len()));
    // The inline stub writes the same way.
    assert_eq!(
        unsafe { sys::write(fds[1], msg.as_ptr(), msg.len()) },
        Ok(msg.len())
    );
    let mut buf = [0u8; 64];
    let read = syscalls::by_number(write.number()).map(|w| w.number());
    assert_eq!(read, Some(write.number()));
    let read = syscalls::by_name("read").unwrap();
    let got =
        unsafe { read.invoke(&[fds[0] as usize, buf.as_mut_ptr() as usize, buf.len()]) }.unwrap();
    assert_eq!(&buf[..got], [&msg[..], &msg[..]].concat());
    let close = syscalls::by_name("close").unwrap();
    for fd in fds {
        assert_eq!(unsafe { close.invoke(&[fd as usize]) }, Ok(0));
    }
}

#[test]
fn errors_decode_like_the_inline_stubs() {
    let close = syscalls::by_name("close").unwrap();
    let table = unsafe { close.invoke(&[-1i32 as usize]) };
    assert_eq!(table, Err(Errno::EBADF));
    assert_eq!(unsafe { sys::close(-1) }, Err(Errno::EBADF));
    let write = syscalls::by_name("write").unwrap();
    let byte = [0u8; 1];
    let table = unsafe { write.invoke(&[-1i32 as usize, byte.as_ptr() as usize, 1]) };
    assert_eq!(table, Err(Errno::EBADF));
    assert_eq!(unsafe { sys::write(-1, byte.as_ptr(), 1) }, table);
    // The wrong number of arguments is refused without making the call.
    assert_eq!(unsafe { close.invoke(&[]) }, Err(Errno::EINVAL));
    assert_eq!(unsafe { close.invoke(&[1, 2]) }, Err(Errno::EINVAL));
}

#[test]
fn exit_group_through_the_table_ends_a_child() {
    let pid = unsafe { libc::fork() };
    assert!(pid >= 0);
    if pid == 0 {
        let exit = syscalls::by_name("exit_group").unwrap();
        let _ = unsafe { exit.invoke(&[42]) };
        // Not reached; if it were, the status would say so.
        unsafe { libc::_exit(1) };
    }
    let mut status = 0;
    assert_eq!(unsafe { libc::waitpid(pid, &mut status, 0) }, pid);
    assert!(libc::WIFEXITED(status));
    assert_eq!(libc::WEXITSTATUS(status), 42);
}
