//! vDSO calls against the system calls they stand in for, on every Linux leg.
//! Natively the kernel maps a vDSO and the slot must find it; under qemu-user
//! there may be none, and the slot must fall back to the system call.
#![cfg(target_os = "linux")]
#![allow(clippy::undocumented_unsafe_blocks)] // the unsafe calls read clocks into local buffers

use abi_runtime::consts::{CLOCK_MONOTONIC, CLOCK_REALTIME};
use abi_runtime::vdso::{self, Source};
use abi_runtime::{Errno, linux};

/// The bridged system call into the kernel's timespec, as the spec lays it out.
fn syscall_clock(clock: i32) -> [i64; 2] {
    let mut ts = abi_runtime::layouts::Timespec::zeroed();
    unsafe { linux::clock_gettime(clock, ts.as_mut_ptr()) }.unwrap();
    [ts.tv_sec(), ts.tv_nsec()]
}

fn nanos(ts: [i64; 2]) -> i128 {
    i128::from(ts[0]) * 1_000_000_000 + i128::from(ts[1])
}

#[test]
fn the_vdso_is_found_where_the_kernel_maps_one() {
    let source = vdso::clock_gettime_source();
    match vdso::image() {
        // A leg that runs natively (its spec has no [ci] runner) has a real
        // kernel, which always maps a vDSO.
        None if cfg!(abi_native_leg) => panic!("no vDSO on a native kernel"),
        None => {}
        Some(base) => match source {
            Source::Vdso(f) => assert!(
                f > base && f < base + (1 << 20),
                "{f:#x} outside the image at {base:#x}"
            ),
            Source::Syscall => panic!("a vDSO at {base:#x} without clock_gettime"),
        },
    }
}

#[test]
fn clock_gettime_agrees_with_the_system_call() {
    for clock in [CLOCK_MONOTONIC, CLOCK_REALTIME] {
        let before = syscall_clock(clock);
        let mut ts = [0i64; 2];
        vdso::clock_gettime(clock, &mut ts).unwrap();
        let after = syscall_clock(clock);
        assert!(
            nanos(before) <= nanos(ts) && nanos(ts) <= nanos(after),
            "{before:?} {ts:?} {after:?}"
        );
    }
    let mut ts = [0i64; 2];
    assert_eq!(vdso::clock_gettime(-12345, &mut ts), Err(Errno::EINVAL));
}

#[test]
fn gettimeofday_and_getcpu_agree_with_the_system_calls() {
    let mut tv = [0i64; 2];
    vdso::gettimeofday(&mut tv).unwrap();
    let real = syscall_clock(CLOCK_REALTIME);
    assert!((real[0] - tv[0]).abs() <= 1, "{tv:?} vs {real:?}");
    assert!((0..1_000_000).contains(&tv[1]));

    let (cpu, node) = vdso::getcpu().unwrap();
    let (mut cpu2, mut node2) = (0u32, 0u32);
    unsafe { linux::getcpu(&mut cpu2, &mut node2, std::ptr::null_mut()) }.unwrap();
    let cpus = std::thread::available_parallelism().map_or(1, |n| n.get()) as u32;
    assert!(cpu < cpus.max(cpu2 + 1) + 64, "cpu {cpu}");
    assert_eq!(node, node2);
}
