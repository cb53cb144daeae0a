//! The readiness helper: io_uring and epoll wait the same way for a pipe that
//! becomes readable later, on every Linux leg. Where the kernel (or qemu-user)
//! refuses io_uring, the io_uring backend must fail with the probed error and
//! `wait_readable` must use epoll.
#![cfg(target_os = "linux")]
#![allow(clippy::undocumented_unsafe_blocks)] // pipe calls on buffers the test owns

use std::time::{Duration, Instant};

use abi_runtime::readiness::{self, Backend, IoUring};
use abi_runtime::{Errno, linux};

fn pipe() -> [i32; 2] {
    let mut fds = [0i32; 2];
    unsafe { linux::pipe2(fds.as_mut_ptr(), 0) }.unwrap();
    fds
}

/// Waits with `backend` for a pipe written 50 ms later; checks it waited and the data is there.
fn waits_for_a_late_write(backend: Backend) -> Result<(), Errno> {
    let [r, w] = pipe();
    let start = Instant::now();
    let writer = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(50));
        unsafe { linux::write(w, b"ready".as_ptr(), 5) }.unwrap();
    });
    let waited = readiness::wait_readable_with(backend, r);
    let elapsed = start.elapsed();
    writer.join().unwrap();
    if waited.is_ok() {
        assert!(
            elapsed >= Duration::from_millis(45),
            "{backend:?} returned before the write"
        );
        let mut buf = [0u8; 8];
        assert_eq!(unsafe { linux::read(r, buf.as_mut_ptr(), 8) }, Ok(5));
    }
    unsafe {
        linux::close(r).unwrap();
        linux::close(w).unwrap();
    }
    waited
}

#[test]
fn epoll_waits_for_readability() {
    waits_for_a_late_write(Backend::Epoll).unwrap();
}

#[test]
fn io_uring_waits_the_same_way_or_is_refused_as_probed() {
    match readiness::io_uring() {
        IoUring::Supported { features } => {
            assert_ne!(features, 0, "a kernel with io_uring reports features");
            waits_for_a_late_write(Backend::IoUring).unwrap();
        }
        IoUring::Unsupported(e) => {
            eprintln!("io_uring unsupported here ({e}); checking the refusal and the epoll choice");
            assert_eq!(waits_for_a_late_write(Backend::IoUring), Err(e));
        }
    }
}

#[test]
fn wait_readable_picks_the_probed_backend() {
    let [r, w] = pipe();
    unsafe { linux::write(w, b"x".as_ptr(), 1) }.unwrap();
    let backend = readiness::wait_readable(r).unwrap();
    let expected = match readiness::io_uring() {
        IoUring::Supported { .. } => Backend::IoUring,
        IoUring::Unsupported(_) => Backend::Epoll,
    };
    assert_eq!(backend, expected);
    assert_eq!(readiness::report().call, "io_uring_setup");
    unsafe {
        linux::close(r).unwrap();
        linux::close(w).unwrap();
    }
}
