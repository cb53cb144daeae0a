// A user type without `RegArg`: the trait's own message, on the argument's type.
use abi_runtime::{Errno, syscall_bridge};

pub struct Fd(pub i32);

#[syscall_bridge]
pub unsafe fn close(fd: Fd) -> Result<usize, Errno>;

fn main() {}
