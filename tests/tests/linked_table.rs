//! The run-time call table (`abi_runtime::syscalls`) of the targets whose
//! calls are wasm imports (WASI) or DLL functions (Windows): looked up by
//! name and number, called with arguments as words, results compared with
//! what std says.
#![cfg(any(target_os = "wasi", windows))]
#![allow(clippy::undocumented_unsafe_blocks)] // every unsafe block is a call with valid arguments

use abi_runtime::syscalls::{self, Word};

#[test]
fn lookups_agree_with_each_other() {
    let all = syscalls::all();
    assert!(all.len() >= 20, "{} calls", all.len());
    assert!(
        all.windows(2).all(|w| w[0].number() < w[1].number()),
        "sorted by number"
    );
    // Numbered by position, sorted by name.
    assert!(
        all.windows(2).all(|w| w[0].name() < w[1].name()),
        "numbers follow the names"
    );
    for s in all {
        assert_eq!(syscalls::by_name(s.name()), Some(s));
        assert_eq!(syscalls::by_number(s.number()), Some(s));
        assert!(s.arity() <= syscalls::MAX);
    }
    assert_eq!(syscalls::by_name("no_such_call"), None);
    assert_eq!(syscalls::by_number(usize::MAX), None);
}

fn call(name: &str, args: &[Word]) -> Result<Word, abi_runtime::Errno> {
    let row = syscalls::by_name(name).unwrap_or_else(|| panic!("no {name} in the table"));
    unsafe { row.invoke(args) }
}

#[cfg(target_os = "wasi")]
mod wasi {
    use std::io::{Read, Seek, SeekFrom};
    use std::os::fd::AsRawFd;

    use super::{Word, call};
    use abi_runtime::Errno;
    use abi_runtime::syscalls;

    fn scratch_file(name: &str) -> std::fs::File {
        std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(true)
            .open(format!("/tmp/abi-bridge-{name}"))
            .unwrap()
    }

    #[test]
    fn shapes_come_from_the_spec() {
        // Results are out-pointers after the arguments, as in wasi/api.h.
        assert_eq!(syscalls::by_name("fd_write").unwrap().arity(), 4);
        assert_eq!(syscalls::by_name("clock_time_get").unwrap().arity(), 3);
        assert_eq!(syscalls::by_name("random_get").unwrap().arity(), 2);
        let exit = syscalls::by_name("proc_exit").unwrap();
        assert!(exit.noreturn() && exit.arity() == 1);
        // A wrong count is refused before the call.
        assert_eq!(call("random_get", &[0]), Err(Errno::EINVAL));
    }

    #[test]
    fn clock_time_get_agrees_with_std() {
        let mut t = 0u64;
        // Realtime clock, a precision wider than 32 bits.
        let r = call("clock_time_get", &[0, 1 << 40, &raw mut t as usize as Word]);
        assert_eq!(r, Ok(0));
        let std = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos() as i128;
        assert!((std - t as i128).abs() < 5_000_000_000, "{t} vs {std}");
        // An unknown clock is an errno, as std would see it.
        assert_eq!(
            call("clock_time_get", &[99, 0, &raw mut t as usize as Word]),
            Err(Errno::EINVAL)
        );
    }

    #[test]
    fn random_get_fills_the_buffer() {
        let mut a = [0u8; 64];
        let mut b = [0u8; 64];
        for buf in [&mut a, &mut b] {
            let r = call("random_get", &[buf.as_mut_ptr() as usize as Word, 64]);
            assert_eq!(r, Ok(0));
        }
        assert_ne!(a, [0; 64]);
        assert_ne!(a, b);
    }

    #[test]
    fn fd_write_and_a_64_bit_fd_seek_agree_with_std() {
        let mut f = scratch_file("linked-table");
        let fd = f.as_raw_fd() as Word;
        let msg = b"through the table";
        let iov = [msg.as_ptr() as usize as u32, msg.len() as u32];
        let mut written = 0u32;
        let r = call(
            "fd_write",
            &[
                fd,
                iov.as_ptr() as usize as Word,
                1,
                &raw mut written as usize as Word,
            ],
        );
        assert_eq!((r, written as usize), (Ok(0), msg.len()));
        f.seek(SeekFrom::Start(0)).unwrap();
        let mut back = String::new();
        f.read_to_string(&mut back).unwrap();
        assert_eq!(back.as_bytes(), msg);
        // An offset past 4 GiB only survives as a 64-bit word.
        let far = 5u64 << 30;
        let mut at = 0u64;
        let r = call("fd_seek", &[fd, far, 0, &raw mut at as usize as Word]);
        assert_eq!((r, at), (Ok(0), far));
        assert_eq!(f.stream_position().unwrap(), far);
    }
}

#[cfg(windows)]
mod windows {
    use super::{Word, call};
    use abi_runtime::Errno;
    use abi_runtime::syscalls;

    #[test]
    fn identity_calls_agree_with_std() {
        assert_eq!(
            call("GetCurrentProcessId", &[]),
            Ok(std::process::id() as Word)
        );
        assert_eq!(syscalls::by_name("CreateFileW").unwrap().arity(), 7);
        assert!(syscalls::by_name("ExitProcess").unwrap().noreturn());
        assert_eq!(
            call("GetCurrentProcessId", &[1]),
            Err(Errno::ERROR_INVALID_PARAMETER)
        );
    }

    #[test]
    fn out_pointers_and_failures() {
        let (mut f, mut a, mut b) = (0i64, 0i64, 0i64);
        assert!(call("QueryPerformanceFrequency", &[&raw mut f as Word]).is_ok());
        assert!(f > 0);
        assert!(call("QueryPerformanceCounter", &[&raw mut a as Word]).is_ok());
        std::thread::sleep(std::time::Duration::from_millis(20));
        assert!(call("QueryPerformanceCounter", &[&raw mut b as Word]).is_ok());
        // 20 ms by std's sleep, at least 10 ms by the counter.
        assert!((b - a) * 100 >= f, "{a} {b} {f}");
        // A refused call decodes GetLastError, like the inline stubs.
        assert_eq!(
            call("CloseHandle", &[0x1234_5678]),
            Err(Errno::ERROR_INVALID_HANDLE)
        );
    }

    #[test]
    fn virtual_alloc_through_the_table() {
        const MEM_COMMIT_RESERVE: Word = 0x3000;
        const PAGE_READWRITE: Word = 4;
        const MEM_RELEASE: Word = 0x8000;
        let p = call(
            "VirtualAlloc",
            &[0, 65536, MEM_COMMIT_RESERVE, PAGE_READWRITE],
        )
        .unwrap();
        let bytes = unsafe { std::slice::from_raw_parts_mut(p as *mut u8, 65536) };
        assert!(bytes.iter().all(|&b| b == 0));
        bytes[65535] = 7;
        assert_eq!(
            call("VirtualFree", &[p, 0, MEM_RELEASE]).map(|_| ()),
            Ok(())
        );
    }
}
