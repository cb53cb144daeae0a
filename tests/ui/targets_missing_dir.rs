// `targets = "dir"` naming a folder that does not exist: the error shows the
// path it resolved to, on the `targets` literal. (See targets_broken_spec.rs
// for why the path climbs out of trybuild's generated project.)
use abi_runtime::syscall_bridge;

#[syscall_bridge(targets = "../../../../tests/ui/specs/no-such-folder")]
pub unsafe fn close(fd: i32) -> Result<usize, abi_runtime::Errno>;

fn main() {}
