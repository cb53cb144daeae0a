//! Every call of the target's table as a typed function (`abi_runtime::linux::calls`,
//! `wasi::calls`, `windows::calls`; feature `all-calls`): one function per
//! call of the spec, and a sample of them against std and libc.
#![allow(clippy::undocumented_unsafe_blocks)] // each unsafe block is one call with valid arguments

#[cfg(target_os = "linux")]
use abi_runtime::linux::calls as sys;
#[cfg(target_os = "wasi")]
use abi_runtime::wasi::calls as sys;
#[cfg(windows)]
use abi_runtime::windows::calls as sys;

// EXPECTED_CALLS and EXPECTED_VIA, from the target's spec (tests/build.rs).
include!(concat!(env!("OUT_DIR"), "/typed_calls.rs"));

// The surface has exactly one function per call of the table: checked when
// this file compiles.
const _: () = assert!(sys::CALL_COUNT == EXPECTED_CALLS.len());
const _: () = assert!(sys::VIA_COUNT == EXPECTED_VIA.len());
const _: () = assert!(sys::NAMES.len() == sys::CALL_COUNT + sys::VIA_COUNT);

#[test]
fn one_function_per_call_of_the_spec() {
    let expected: Vec<&str> = EXPECTED_CALLS
        .iter()
        .chain(&EXPECTED_VIA)
        .copied()
        .collect();
    assert_eq!(sys::NAMES.to_vec(), expected);
    for name in sys::SHADOWED {
        assert!(EXPECTED_CALLS.contains(&name), "{name}");
    }
}

/// Taking every function's address makes the compiler build each stub for
/// this target, and the linker (or the loader, for DLL and wasm imports)
/// resolve each one: a stub that does not assemble or an import that does not
/// exist fails the build or the start of this test.
#[test]
fn every_function_is_built() {
    let addresses = sys::__addresses();
    assert_eq!(addresses.len(), sys::NAMES.len());
    for (name, a) in sys::NAMES.iter().zip(addresses) {
        assert_ne!(a, 0, "{name}");
    }
}

/// A fresh path in the temp directory (on WASI: the preopened one TMPDIR names).
#[cfg(any(target_os = "linux", target_os = "wasi", windows))]
fn temp_path(tag: &str) -> std::path::PathBuf {
    let dir = match std::env::var_os("TMPDIR") {
        Some(d) if cfg!(target_os = "wasi") => std::path::PathBuf::from(d),
        _ => std::env::temp_dir(),
    };
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    // No process ids on WASI: the time tells runs apart.
    dir.join(format!("abi-typed-{tag}-{nanos}"))
}

#[cfg(target_os = "linux")]
mod linux {
    use std::os::fd::AsRawFd;

    use abi_runtime::Errno;

    use super::{sys, temp_path};

    #[test]
    fn process_ids_agree_with_std_and_libc() {
        assert_eq!(unsafe { sys::getpid() }, Ok(std::process::id() as usize));
        assert_eq!(
            unsafe { sys::getppid() },
            Ok(std::os::unix::process::parent_id() as usize)
        );
        // 32-bit ports make these through getuid32/geteuid32 (`[via]`).
        assert_eq!(
            unsafe { sys::getuid() },
            Ok(unsafe { libc::getuid() } as usize)
        );
        assert_eq!(
            unsafe { sys::geteuid() },
            Ok(unsafe { libc::geteuid() } as usize)
        );
    }

    #[test]
    fn uname_agrees_with_libc() {
        let mut ours = [0u8; 65 * 6];
        assert_eq!(unsafe { sys::uname(ours.as_mut_ptr()) }, Ok(0));
        let mut theirs: libc::utsname = unsafe { core::mem::zeroed() };
        assert_eq!(unsafe { libc::uname(&mut theirs) }, 0);
        let fields = [
            &theirs.sysname,
            &theirs.nodename,
            &theirs.release,
            &theirs.version,
            &theirs.machine,
        ];
        for (i, field) in fields.into_iter().enumerate() {
            let field: Vec<u8> = field.iter().map(|&c| c as u8).collect();
            assert_eq!(&ours[i * 65..(i + 1) * 65], &field[..], "field {i}");
        }
    }

    #[test]
    fn getcwd_agrees_with_std() {
        let mut buf = [0u8; 4096];
        let n = unsafe { sys::getcwd(buf.as_mut_ptr(), buf.len()) }.unwrap();
        let cwd = std::env::current_dir().unwrap();
        // The kernel counts the terminating NUL.
        assert_eq!(&buf[..n - 1], cwd.as_os_str().as_encoded_bytes());
    }

    #[test]
    fn offsets_and_reads_agree_with_std_fs() {
        let path = temp_path("file");
        let data: Vec<u8> = (0..8192u32).map(|i| (i * 7 % 251) as u8).collect();
        std::fs::write(&path, &data).unwrap();
        let file = std::fs::File::open(&path).unwrap();
        let fd = file.as_raw_fd();
        // lseek is `_llseek` with a result slot on 32-bit ports; pread64's
        // offset is a register pair there.
        let pos = unsafe { sys::lseek(fd, 5000, libc::SEEK_SET as _) };
        assert_eq!(pos.map(|p| p as u64), Ok(5000));
        let mut buf = [0u8; 100];
        let n = unsafe { sys::pread64(fd, buf.as_mut_ptr(), buf.len(), 4096) };
        assert_eq!(n, Ok(100));
        assert_eq!(&buf[..], &data[4096..4196]);
        let n = unsafe { sys::read(fd, buf.as_mut_ptr(), buf.len()) };
        assert_eq!(n, Ok(100));
        assert_eq!(&buf[..], &data[5000..5100]);
        drop(file);
        std::fs::remove_file(&path).unwrap();
    }

    #[test]
    fn the_monotonic_clock_agrees_with_libc() {
        let read_libc = || {
            let mut ts: libc::timespec = unsafe { core::mem::zeroed() };
            assert_eq!(
                unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut ts) },
                0
            );
            (ts.tv_sec as i64, ts.tv_nsec as i64)
        };
        let before = read_libc();
        // A 64-bit time_t everywhere: 32-bit ports call clock_gettime64.
        let mut ours = [0i64; 2];
        let r = unsafe { sys::clock_gettime(libc::CLOCK_MONOTONIC, ours.as_mut_ptr().cast()) };
        assert_eq!(r, Ok(0));
        let after = read_libc();
        let ours = (ours[0], ours[1]);
        assert!(
            before <= ours && ours <= after,
            "{before:?} {ours:?} {after:?}"
        );
    }

    #[test]
    fn refused_calls_are_errors() {
        assert_eq!(unsafe { sys::close(-1) }, Err(Errno::EBADF));
        let mut buf = [0u8; 1];
        assert_eq!(
            unsafe { sys::read(-1, buf.as_mut_ptr(), 1) },
            Err(Errno::EBADF)
        );
        // A call that never returns is typed `-> !`.
        let _: unsafe fn(_) -> ! = sys::exit_group;
    }
}

#[cfg(target_os = "wasi")]
mod wasi {
    use std::io::{Seek, SeekFrom};
    use std::os::fd::AsRawFd;

    use abi_runtime::Errno;

    use super::{sys, temp_path};

    #[test]
    fn argument_and_environment_sizes_agree_with_std() {
        let args: Vec<_> = std::env::args_os().collect();
        let size: usize = args.iter().map(|a| a.len() + 1).sum();
        assert_eq!(unsafe { sys::args_sizes_get() }, Ok((args.len(), size)));
        let vars: Vec<_> = std::env::vars_os().collect();
        let size: usize = vars.iter().map(|(k, v)| k.len() + 1 + v.len() + 1).sum();
        assert_eq!(unsafe { sys::environ_sizes_get() }, Ok((vars.len(), size)));
    }

    #[test]
    fn file_status_and_offset_agree_with_std_fs() {
        let path = temp_path("file");
        std::fs::write(&path, vec![7u8; 1234]).unwrap();
        let mut file = std::fs::File::open(&path).unwrap();
        let fd = file.as_raw_fd();
        // `filestat`: dev, ino, filetype (u8, padded), nlink, size, atim, mtim, ctim.
        let mut st = [0u64; 8];
        let r = unsafe { sys::fd_filestat_get(fd as _, st.as_mut_ptr().cast()) };
        assert_eq!(r, Ok(()));
        assert_eq!(st[4], 1234, "size");
        assert_eq!(st[2] as u8, 4, "filetype: regular file");
        // `fdstat`: filetype (u8), flags (u16), rights_base, rights_inheriting.
        let mut fdstat = [0u64; 3];
        let r = unsafe { sys::fd_fdstat_get(fd as _, fdstat.as_mut_ptr().cast()) };
        assert_eq!(r, Ok(()));
        assert_eq!(fdstat[0] as u8, 4, "filetype: regular file");
        file.seek(SeekFrom::Start(100)).unwrap();
        assert_eq!(unsafe { sys::fd_tell(fd as _) }, Ok(100));
        drop(file);
        std::fs::remove_file(&path).unwrap();
    }

    #[test]
    fn the_clock_agrees_with_std() {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos() as u64;
        // Clock 0 is the realtime clock; precision 1 ns.
        let ours = unsafe { sys::clock_time_get(0, 1) }.unwrap();
        assert!(ours.abs_diff(now) < 5_000_000_000, "{ours} {now}");
    }

    #[test]
    fn refused_calls_are_errors() {
        assert_eq!(unsafe { sys::fd_close(9999 as _) }, Err(Errno::EBADF));
        let mut buf = [0u8; 32];
        assert_eq!(
            unsafe { sys::random_get(buf.as_mut_ptr(), buf.len()) },
            Ok(())
        );
        assert_ne!(buf, [0u8; 32]);
        let _: unsafe fn(_) -> ! = sys::proc_exit;
    }
}

#[cfg(windows)]
mod windows {
    use std::os::windows::io::AsRawHandle;

    use abi_runtime::Errno;

    use super::{sys, temp_path};

    #[test]
    fn ids_and_handles_agree_with_std() {
        assert_eq!(
            unsafe { sys::GetCurrentProcessId() },
            Ok(std::process::id())
        );
        // STD_OUTPUT_HANDLE is (DWORD)-11.
        let ours = unsafe { sys::GetStdHandle(-11i32 as u32) }.unwrap();
        assert_eq!(ours as usize, std::io::stdout().as_raw_handle() as usize);
    }

    #[test]
    fn file_size_agrees_with_std_fs() {
        let path = temp_path("file");
        std::fs::write(&path, vec![1u8; 4321]).unwrap();
        let file = std::fs::File::open(&path).unwrap();
        let mut size = 0i64;
        let r = unsafe {
            sys::GetFileSizeEx(
                file.as_raw_handle().cast_const().cast(),
                (&raw mut size).cast(),
            )
        };
        assert!(r.is_ok(), "{r:?}");
        assert_eq!(size, 4321);
        drop(file);
        std::fs::remove_file(&path).unwrap();
    }

    #[test]
    fn an_environment_variable_agrees_with_std() {
        let (name, value) = std::env::vars_os()
            .find(|(k, v)| !k.is_empty() && !v.is_empty())
            .expect("some variable is set");
        let name: Vec<u16> = std::os::windows::ffi::OsStrExt::encode_wide(name.as_os_str())
            .chain([0])
            .collect();
        let mut buf = [0u16; 32768];
        let n = unsafe {
            sys::GetEnvironmentVariableW(name.as_ptr().cast(), buf.as_mut_ptr().cast(), 32768)
        }
        .unwrap();
        let want: Vec<u16> =
            std::os::windows::ffi::OsStrExt::encode_wide(value.as_os_str()).collect();
        assert_eq!(&buf[..n as usize], &want[..]);
    }

    #[test]
    fn the_clock_agrees_with_std() {
        let mut ft = 0u64;
        assert_eq!(
            unsafe { sys::GetSystemTimePreciseAsFileTime((&raw mut ft).cast()) },
            Ok(())
        );
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos() as u64;
        // 100 ns units since 1601-01-01.
        let ours = (ft - 116_444_736_000_000_000) * 100;
        assert!(ours.abs_diff(now) < 5_000_000_000, "{ours} {now}");
    }

    #[test]
    fn refused_calls_are_errors() {
        // ERROR_INVALID_HANDLE, from GetLastError.
        assert_eq!(
            unsafe { sys::CloseHandle(core::ptr::null()) },
            Err(Errno::from_raw(6))
        );
        let _: unsafe fn(_) -> ! = sys::ExitProcess;
    }
}
