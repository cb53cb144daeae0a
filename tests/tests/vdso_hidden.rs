//! The same calls with the vDSO hidden: every slot takes the system-call
//! fallback, and the answers stay right. Its own test binary, since hiding is
//! for the whole process.
#![cfg(target_os = "linux")]
#![allow(clippy::undocumented_unsafe_blocks)] // the unsafe call reads a clock into a local buffer

use abi_runtime::consts::CLOCK_MONOTONIC;
use abi_runtime::vdso::{self, Source};

#[test]
fn hidden_vdso_falls_back_to_the_system_call() {
    vdso::hide();
    assert_eq!(vdso::clock_gettime_source(), Source::Syscall);
    let mut a = [0i64; 2];
    let mut b = abi_runtime::layouts::Timespec::zeroed();
    vdso::clock_gettime(CLOCK_MONOTONIC, &mut a).unwrap();
    unsafe { abi_runtime::linux::clock_gettime(CLOCK_MONOTONIC, b.as_mut_ptr()) }.unwrap();
    assert!((a[0], a[1]) <= (b.tv_sec(), b.tv_nsec()));
    let mut tv = [0i64; 2];
    vdso::gettimeofday(&mut tv).unwrap();
    assert!(tv[0] > 1_600_000_000);
    vdso::getcpu().unwrap();
}
