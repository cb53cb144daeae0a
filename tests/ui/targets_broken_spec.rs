// `targets = "dir"` with a spec file that does not load: the error names the
// file, line and column of the problem, on the `targets` literal.
//
// `targets` is relative to CARGO_MANIFEST_DIR, and trybuild compiles this file
// inside a project it generates at `<target-dir>/tests/trybuild/abi-tests/`,
// so CARGO_MANIFEST_DIR is that folder, not `tests/`. With the default target
// dir (`<workspace>/target`) four `..` climb back to the workspace root;
// tests/ui.rs checks that layout before running.
use abi_runtime::syscall_bridge;

#[syscall_bridge(targets = "../../../../tests/ui/specs/broken")]
pub unsafe fn close(fd: i32) -> Result<usize, abi_runtime::Errno>;

fn main() {}
