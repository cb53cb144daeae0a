// A fallback needs a decoded result, and errno names every target knows.
use abi_runtime::{Errno, syscall_bridge};

unsafe fn instead() -> usize {
    0
}

#[syscall_bridge(name = "getppid", fallback = instead)]
pub unsafe fn parent() -> usize;

unsafe fn write_instead(_fd: i32, _buf: *const u8, _len: usize) -> Result<usize, Errno> {
    Ok(0)
}

#[syscall_bridge(fallback = write_instead, fallback_on = "ENOSYS, ENOTATHING")]
pub unsafe fn write(fd: i32, buf: *const u8, len: usize) -> Result<usize, Errno>;

fn main() {}
