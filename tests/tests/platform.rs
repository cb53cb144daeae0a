//! The portable platform layer against each target's own truth (std's view of
//! the same files, clocks, process and environment), on all five targets:
//! Linux x86_64 natively, aarch64 and riscv64 under qemu-user, Windows under
//! wine, WASI under Node's `node:wasi`.
#![allow(clippy::undocumented_unsafe_blocks)] // unsafe here is page memory the test itself mapped

use std::path::PathBuf;

use abi_runtime::Errno;
use abi_runtime::platform::{self, File, Protection, SeekFrom};

/// A fresh path in the temp directory (on WASI: inside a preopened directory).
fn temp_path(tag: &str) -> PathBuf {
    let mut r = [0u8; 8];
    platform::random(&mut r).unwrap();
    // std's temp_dir() panics on WASI; the runner sets TMPDIR to a preopened directory.
    let dir = match std::env::var_os("TMPDIR") {
        Some(d) if cfg!(target_os = "wasi") => PathBuf::from(d),
        _ => std::env::temp_dir(),
    };
    dir.join(format!("abi-bridge-{tag}-{:016x}", u64::from_le_bytes(r)))
}

fn s(p: &std::path::Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn standard_streams_take_writes() {
    File::stdout()
        .write_all(b"platform: stdout works\n")
        .unwrap();
    File::stderr()
        .write_all(b"platform: stderr works\n")
        .unwrap();
}

#[test]
fn file_round_trip_agrees_with_std() {
    let path = temp_path("round-trip");
    let f = File::create(s(&path)).unwrap();
    f.write_all(b"hello, platform layer").unwrap();
    assert_eq!(f.size(), Ok(21));
    assert_eq!(f.seek(SeekFrom::Start(7)), Ok(7));
    let mut buf = [0u8; 8];
    assert_eq!(f.read(&mut buf), Ok(8));
    assert_eq!(&buf, b"platform");
    assert_eq!(f.seek(SeekFrom::End(-5)), Ok(16));
    assert_eq!(f.seek(SeekFrom::Current(2)), Ok(18));
    f.close().unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), b"hello, platform layer");

    std::fs::write(&path, b"written by std").unwrap();
    let f = File::open(s(&path)).unwrap();
    assert_eq!(f.size(), Ok(14));
    let mut buf = [0u8; 64];
    let n = f.read(&mut buf).unwrap();
    assert_eq!(&buf[..n], b"written by std");
    assert_eq!(f.read(&mut buf), Ok(0), "end of file");
    drop(f);

    platform::remove_file(s(&path)).unwrap();
    assert!(!path.exists(), "std still sees the removed file");
}

#[test]
fn missing_file_is_the_targets_not_found_error() {
    let path = temp_path("missing");
    let err = File::open(s(&path)).unwrap_err();
    #[cfg(windows)]
    assert_eq!(err, Errno::ERROR_FILE_NOT_FOUND);
    #[cfg(not(windows))]
    assert_eq!(err, Errno::ENOENT);
    // std sees the same OS error code.
    let std_err = std::fs::File::open(&path).unwrap_err();
    #[cfg(not(target_os = "wasi"))]
    assert_eq!(std_err.raw_os_error(), Some(err.raw()));
    assert_eq!(std_err.kind(), std::io::ErrorKind::NotFound);
    assert_eq!(platform::remove_file(s(&path)), Err(err));
}

#[test]
fn closed_handle_is_the_targets_bad_handle_error() {
    let path = temp_path("closed");
    let f = File::create(s(&path)).unwrap();
    let raw = f.raw();
    f.close().unwrap();
    // SAFETY: not owned, so dropping it does not close anything.
    let stale = unsafe { File::from_raw(raw, false) };
    let mut buf = [0u8; 4];
    #[cfg(windows)]
    assert_eq!(stale.read(&mut buf), Err(Errno::ERROR_INVALID_HANDLE));
    #[cfg(not(windows))]
    assert_eq!(stale.read(&mut buf), Err(Errno::EBADF));
    std::fs::remove_file(&path).unwrap();
}

#[test]
fn clocks_agree_with_std() {
    let a = platform::monotonic_nanos().unwrap();
    let std_start = std::time::Instant::now();
    std::thread::sleep(std::time::Duration::from_millis(30));
    let std_elapsed = std_start.elapsed().as_nanos() as u64;
    let b = platform::monotonic_nanos().unwrap();
    assert!(b >= a);
    assert!(
        b - a >= std_elapsed,
        "monotonic {} ns < std's {} ns",
        b - a,
        std_elapsed
    );
    assert!(b - a < std_elapsed + 2_000_000_000);

    let ours = platform::wall_clock_nanos().unwrap();
    let theirs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64;
    assert!(
        ours.abs_diff(theirs) < 2_000_000_000,
        "wall clock {ours} vs std {theirs}"
    );
}

#[test]
fn page_memory_maps_protects_and_frees() {
    let page = platform::page_size();
    assert!(page.is_power_of_two() && page >= 4096, "page size {page}");
    #[cfg(target_os = "wasi")]
    assert_eq!(page, 65536);
    #[cfg(target_os = "linux")]
    assert_eq!(page, unsafe { libc::sysconf(libc::_SC_PAGESIZE) } as usize);

    let p = platform::alloc_pages(3 * page, Protection::ReadWrite).unwrap();
    let bytes = unsafe { std::slice::from_raw_parts_mut(p.as_ptr(), 3 * page) };
    assert!(bytes.iter().all(|&b| b == 0), "fresh pages are zeroed");
    bytes.iter_mut().enumerate().for_each(|(i, b)| *b = i as u8);
    assert!(bytes.iter().enumerate().all(|(i, &b)| b == i as u8));
    let read_only = unsafe { platform::protect_pages(p, page, Protection::Read) };
    #[cfg(target_os = "wasi")]
    assert_eq!(
        read_only,
        Err(Errno::ENOTSUP),
        "wasm memory has no protection"
    );
    #[cfg(not(target_os = "wasi"))]
    {
        read_only.unwrap();
        assert_eq!(unsafe { p.as_ptr().read() }, 0, "still readable");
        unsafe { platform::protect_pages(p, page, Protection::ReadWrite) }.unwrap();
    }
    unsafe { platform::free_pages(p, 3 * page) }.unwrap();
}

#[test]
fn random_bytes_are_random() {
    let (mut a, mut b) = ([0u8; 64], [0u8; 64]);
    platform::random(&mut a).unwrap();
    platform::random(&mut b).unwrap();
    assert_ne!(a, b);
    assert!(a.iter().any(|&x| x != 0));
    platform::random(&mut []).unwrap();
}

#[test]
fn process_id_matches_std() {
    #[cfg(target_os = "wasi")]
    assert_eq!(platform::process_id(), None, "WASI has no process ids");
    #[cfg(not(target_os = "wasi"))]
    assert_eq!(platform::process_id(), Some(std::process::id()));
    platform::yield_now().unwrap();
}

#[test]
fn args_match_std() {
    let mut buf = [0u8; 16 * 1024];
    let ours: Vec<Vec<u8>> = platform::args(&mut buf)
        .unwrap()
        .map(<[u8]>::to_vec)
        .collect();
    let theirs: Vec<Vec<u8>> = std::env::args().map(String::into_bytes).collect();
    assert_eq!(ours, theirs);
    let mut tiny = [0u8; 2];
    assert!(
        platform::args(&mut tiny).is_err(),
        "a too-small buffer is an error"
    );
}

#[test]
fn env_vars_match_std() {
    let mut buf = [0u8; 64 * 1024];
    // A variable every runner passes through (see tests/runners).
    let theirs = std::env::var("PATH").expect("PATH is set in the test environment");
    assert_eq!(
        platform::env_var("PATH", &mut buf),
        Ok(Some(theirs.as_str()))
    );
    assert_eq!(
        platform::env_var("ABI_BRIDGE_SURELY_UNSET_VARIABLE", &mut buf),
        Ok(None)
    );
}

/// Runs in a child process started by `exit_ends_the_process_with_the_code`.
#[test]
fn exit_child() {
    if std::env::var_os("ABI_BRIDGE_EXIT_CHILD").is_some() {
        platform::exit(42);
    }
}

#[test]
#[cfg_attr(
    target_os = "wasi",
    ignore = "WASI cannot start a process, so proc_exit's status cannot be observed from inside"
)]
fn exit_ends_the_process_with_the_code() {
    #[cfg(target_os = "linux")]
    {
        // A fork (clone with SIGCHLD only) whose child calls platform::exit.
        let pid = unsafe {
            abi_runtime::linux::clone(
                abi_runtime::consts::SIGCHLD as usize,
                std::ptr::null_mut(),
                std::ptr::null_mut(),
                0,
                0,
            )
        }
        .unwrap();
        if pid == 0 {
            platform::exit(42);
        }
        let mut status = 0;
        unsafe { abi_runtime::linux::wait4(pid, &mut status, 0, std::ptr::null_mut()) }.unwrap();
        assert_eq!(
            (status & 0x7f, (status >> 8) & 0xff),
            (0, 42),
            "raw wait status {status:#x}"
        );
    }
    #[cfg(windows)]
    {
        let status = std::process::Command::new(std::env::current_exe().unwrap())
            .args(["--exact", "exit_child", "--nocapture"])
            .env("ABI_BRIDGE_EXIT_CHILD", "1")
            .status()
            .unwrap();
        assert_eq!(status.code(), Some(42));
    }
}
