//! The typed constants and `#[repr(C)]` structures generated from each spec's
//! `[constants]` and `[layouts]`, against the C library's view of the same
//! calls: libc's constants (same value and the same Rust type, or
//! `assert_eq!` does not compile), getdents64 records read through
//! `LinuxDirent64` against `std::fs::read_dir`, `Timespec`/`Stat` filled by
//! the kernel against libc's `clock_gettime`/`fstat`, `Iovec` through writev.
//! Runs on every leg whose spec lists it in `[ci] tests`.
#![allow(clippy::undocumented_unsafe_blocks)] // bridged calls with valid buffers

#[cfg(target_os = "linux")]
mod linux {
    use std::collections::BTreeMap;
    use std::ffi::CString;
    use std::io::Read;
    use std::mem::{align_of, offset_of, size_of};
    use std::os::unix::fs::FileTypeExt;

    use abi_runtime::consts as c;
    use abi_runtime::linux as sys;
    use abi_runtime::types::{Iovec, LinuxDirent64, OldTimespec, Stat, Timespec};

    #[test]
    fn constants_have_the_c_librarys_values_and_types() {
        // `assert_eq!` between two types does not compile: each line checks the type too.
        assert_eq!(c::O_RDONLY, libc::O_RDONLY);
        assert_eq!(c::O_CREAT, libc::O_CREAT);
        assert_eq!(c::O_CLOEXEC, libc::O_CLOEXEC);
        assert_eq!(c::O_DIRECTORY, libc::O_DIRECTORY);
        assert_eq!(c::O_NOFOLLOW, libc::O_NOFOLLOW);
        assert_eq!(c::O_NONBLOCK, libc::O_NONBLOCK);
        assert_eq!(c::O_PATH, libc::O_PATH);
        assert_eq!(c::O_TMPFILE, libc::O_TMPFILE);
        assert_eq!(c::AT_FDCWD, libc::AT_FDCWD);
        assert_eq!(c::AT_SYMLINK_NOFOLLOW, libc::AT_SYMLINK_NOFOLLOW);
        assert_eq!(c::AT_SYMLINK_FOLLOW, libc::AT_SYMLINK_FOLLOW);
        assert_eq!(c::AT_REMOVEDIR, libc::AT_REMOVEDIR);
        assert_eq!(c::AT_EMPTY_PATH, libc::AT_EMPTY_PATH);
        assert_eq!(c::AT_EACCESS, libc::AT_EACCESS);
        assert_eq!(c::PROT_READ, libc::PROT_READ);
        assert_eq!(c::MAP_PRIVATE, libc::MAP_PRIVATE);
        assert_eq!(c::MAP_ANONYMOUS, libc::MAP_ANONYMOUS);
        assert_eq!(c::CLOCK_MONOTONIC, libc::CLOCK_MONOTONIC);
        assert_eq!(c::SEEK_END, libc::SEEK_END);
        assert_eq!(c::SIGCHLD, libc::SIGCHLD);
        assert_eq!(c::EPOLL_CLOEXEC, libc::EPOLL_CLOEXEC);
        assert_eq!(c::STATX_SIZE, libc::STATX_SIZE);
        for (ours, theirs) in [
            (c::DT_UNKNOWN, libc::DT_UNKNOWN),
            (c::DT_FIFO, libc::DT_FIFO),
            (c::DT_CHR, libc::DT_CHR),
            (c::DT_DIR, libc::DT_DIR),
            (c::DT_BLK, libc::DT_BLK),
            (c::DT_REG, libc::DT_REG),
            (c::DT_LNK, libc::DT_LNK),
            (c::DT_SOCK, libc::DT_SOCK),
        ] {
            assert_eq!(ours, theirs);
        }
        let _: u8 = c::DT_WHT;
        let _: u32 = c::AUDIT_ARCH;
        let _: u32 = c::EPOLLIN;
        let _: u64 = c::IORING_OFF_SQES;
    }

    fn open_dir(path: &std::path::Path) -> i32 {
        let p = CString::new(path.to_str().unwrap()).unwrap();
        let flags = c::O_RDONLY | c::O_DIRECTORY | c::O_CLOEXEC;
        unsafe { sys::openat(c::AT_FDCWD, p.as_ptr().cast(), flags, 0) }.unwrap()
    }

    /// Every record of a directory through getdents64: name → d_type.
    fn getdents(fd: i32) -> BTreeMap<String, u8> {
        let mut out = BTreeMap::new();
        // u64 words: records start 8-aligned in the buffer.
        let mut buf = vec![0u64; 512];
        let bytes = buf.len() * 8;
        loop {
            let n = unsafe { sys::getdents64(fd, buf.as_mut_ptr().cast(), bytes as u32) }.unwrap();
            if n == 0 {
                return out;
            }
            let base: *const u8 = buf.as_ptr().cast();
            let mut at = 0;
            while at < n {
                // SAFETY: the kernel wrote a whole record at `at`.
                let d: LinuxDirent64 =
                    unsafe { base.add(at).cast::<LinuxDirent64>().read_unaligned() };
                let reclen = d.d_reclen as usize;
                assert!(reclen >= offset_of!(LinuxDirent64, d_name) && at + reclen <= n);
                let name_at = at + offset_of!(LinuxDirent64, d_name);
                // SAFETY: the name lies inside the record, NUL-terminated.
                let name = unsafe {
                    std::ffi::CStr::from_ptr(base.add(name_at).cast())
                        .to_str()
                        .unwrap()
                        .to_owned()
                };
                assert!(d.d_ino != 0, "{name}");
                out.insert(name, d.d_type);
                at += reclen;
            }
        }
    }

    #[test]
    fn getdents64_through_linux_dirent64_lists_what_read_dir_lists() {
        let dir = std::env::temp_dir().join(format!("abi-bridge-dirents-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir(&dir).unwrap();
        for i in 0..40 {
            std::fs::write(dir.join(format!("file-{i}-{}", "x".repeat(i))), b"x").unwrap();
        }
        std::fs::create_dir(dir.join("sub")).unwrap();
        std::os::unix::fs::symlink("sub", dir.join("link")).unwrap();
        let fd = open_dir(&dir);
        let listed = getdents(fd);
        unsafe { sys::close(fd) }.unwrap();
        assert_eq!(listed.get("."), Some(&c::DT_DIR));
        assert!(listed.contains_key(".."));
        let ours: Vec<&String> = listed.keys().filter(|n| *n != "." && *n != "..").collect();
        let mut theirs: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        theirs.sort();
        assert_eq!(ours, theirs.iter().collect::<Vec<_>>());
        for e in std::fs::read_dir(&dir).unwrap() {
            let e = e.unwrap();
            let t = e.file_type().unwrap();
            let want = if t.is_dir() {
                c::DT_DIR
            } else if t.is_symlink() {
                c::DT_LNK
            } else if t.is_file() {
                c::DT_REG
            } else if t.is_fifo() {
                c::DT_FIFO
            } else {
                continue;
            };
            let got = listed[&e.file_name().into_string().unwrap()];
            // A file system may leave the type out (DT_UNKNOWN); none here lies.
            assert!(
                got == want || got == c::DT_UNKNOWN,
                "{:?}: {got} != {want}",
                e.path()
            );
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn timespec_filled_by_the_kernel_matches_libcs_clock() {
        let mut ours = Timespec::zeroed();
        let mut theirs = libc::timespec {
            tv_sec: 0,
            tv_nsec: 0,
        };
        unsafe { libc::clock_gettime(libc::CLOCK_REALTIME, &mut theirs) };
        unsafe { sys::clock_gettime(c::CLOCK_REALTIME, (&raw mut ours).cast()) }.unwrap();
        let (sec, nsec) = (ours.tv_sec, ours.tv_nsec);
        assert!((0..1_000_000_000).contains(&nsec), "{nsec}");
        let diff = (sec as i128 * 1_000_000_000 + nsec as i128)
            - (theirs.tv_sec as i128 * 1_000_000_000 + theirs.tv_nsec as i128);
        assert!((0..5_000_000_000).contains(&diff), "{diff} ns");
        // The target's own timespec (time_t, long) is the kernel's old one.
        assert_eq!(size_of::<OldTimespec>(), size_of::<libc::timespec>());
        assert_eq!(align_of::<OldTimespec>(), align_of::<libc::timespec>());
        assert_eq!(
            offset_of!(OldTimespec, tv_nsec),
            offset_of!(libc::timespec, tv_nsec)
        );
    }

    #[test]
    // The casts widen fields whose types differ per port (the 32-bit ports'
    // struct stat64); on x86_64 some are already the type cast to.
    #[allow(clippy::unnecessary_cast)]
    fn stat_filled_by_the_kernel_matches_libcs_fstat() {
        let path = std::env::temp_dir().join(format!("abi-bridge-stat-{}", std::process::id()));
        std::fs::write(&path, vec![7u8; 12345]).unwrap();
        let p = CString::new(path.to_str().unwrap()).unwrap();
        let mut ours = Stat::zeroed();
        unsafe { sys::newfstatat(c::AT_FDCWD, p.as_ptr().cast(), (&raw mut ours).cast(), 0) }
            .unwrap();
        let f = std::fs::File::open(&path).unwrap();
        let mut theirs: libc::stat64 = unsafe { std::mem::zeroed() };
        assert_eq!(
            unsafe { libc::fstat64(std::os::fd::AsRawFd::as_raw_fd(&f), &mut theirs) },
            0
        );
        // The members' widths differ between the two structures and the
        // targets: compare the numbers.
        fn n(x: impl Into<i128>) -> i128 {
            x.into()
        }
        assert_eq!(n(ours.st_size), 12345);
        assert_eq!(n(ours.st_size), n(theirs.st_size));
        assert_eq!(n(ours.st_ino), n(theirs.st_ino));
        assert_eq!(n(ours.st_mode), n(theirs.st_mode));
        assert_eq!(n(ours.st_nlink), n(theirs.st_nlink));
        assert_eq!(n(ours.st_uid), n(theirs.st_uid));
        assert_eq!(n(ours.st_gid), n(theirs.st_gid));
        assert_eq!(n(ours.st_blocks), n(theirs.st_blocks));
        assert_eq!(n(ours.st_mtime), n(theirs.st_mtime));
        assert_eq!(n(ours.st_mtime_nsec), n(theirs.st_mtime_nsec));
        std::fs::remove_file(&path).unwrap();
    }

    #[test]
    fn iovec_gathers_what_writev_writes() {
        let path = std::env::temp_dir().join(format!("abi-bridge-iovec-{}", std::process::id()));
        let p = CString::new(path.to_str().unwrap()).unwrap();
        let flags = c::O_WRONLY | c::O_CREAT | c::O_TRUNC | c::O_CLOEXEC;
        let fd = unsafe { sys::openat(c::AT_FDCWD, p.as_ptr().cast(), flags, 0o600) }.unwrap();
        let parts: [&[u8]; 3] = [b"typed ", b"structs ", b"from the headers"];
        let iov = parts.map(|part| {
            let mut v = Iovec::zeroed();
            v.iov_base = part.as_ptr().cast_mut().cast();
            v.iov_len = part.len() as _;
            v
        });
        let n = unsafe { sys::writev(fd, iov.as_ptr().cast(), 3) }.unwrap();
        unsafe { sys::close(fd) }.unwrap();
        assert_eq!(n, 30);
        let mut text = String::new();
        std::fs::File::open(&path)
            .unwrap()
            .read_to_string(&mut text)
            .unwrap();
        assert_eq!(text, "typed structs from the headers");
        std::fs::remove_file(&path).unwrap();
    }
}

/// The constants' types on the other OSes (their values are checked by
/// verify-specs against mingw-w64's and wasi-libc's headers).
#[cfg(windows)]
#[test]
fn windows_constants_are_dwords() {
    use abi_runtime::consts as c;
    let access: u32 = c::GENERIC_READ | c::GENERIC_WRITE;
    assert_eq!(access, 0xC000_0000);
    let std_output: u32 = c::STD_OUTPUT_HANDLE;
    // ((DWORD)-11)
    assert_eq!(std_output, (-11i32) as u32);
    let _: u64 = c::FILETIME_UNIX_EPOCH;
}

#[cfg(target_os = "wasi")]
#[test]
fn wasi_constants_have_the_api_types() {
    use abi_runtime::consts as c;
    let _: u8 = c::WHENCE_END;
    let oflags: u16 = c::OFLAGS_CREAT | c::OFLAGS_EXCL | c::OFLAGS_TRUNC;
    assert_eq!(oflags, 1 | 4 | 8);
    let _: u32 = c::CLOCKID_MONOTONIC;
    let _: u64 = c::RIGHTS_ALL;
}
