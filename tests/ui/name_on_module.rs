// `name = ...` names one function; on a module it is an error.
use abi_runtime::syscall_bridge;

#[syscall_bridge(name = "close")]
mod sys {
    use abi_runtime::Errno;
    pub unsafe fn close(fd: i32) -> Result<usize, Errno>;
}

fn main() {}
