//! Bridged Linux calls against the truth: std's and libc's view of the same
//! process, files and clocks. Runs natively on x86_64 and under qemu-user on
//! aarch64 and riscv64.
#![cfg(target_os = "linux")]
#![allow(clippy::undocumented_unsafe_blocks)] // every unsafe block here is a bridged call with valid buffers

use std::ffi::CString;
use std::io::Write;
use std::os::unix::fs::MetadataExt;

use abi_runtime::Errno;
use abi_runtime::linux::{self as sys, AT_FDCWD};

fn temp_file(tag: &str, contents: &[u8]) -> std::path::PathBuf {
    let path = std::env::temp_dir().join(format!("abi-bridge-{tag}-{}", std::process::id()));
    let mut f = std::fs::File::create(&path).unwrap();
    f.write_all(contents).unwrap();
    path
}

fn c_path(p: &std::path::Path) -> CString {
    CString::new(p.to_str().unwrap()).unwrap()
}

#[test]
fn getpid_matches_std() {
    assert_eq!(unsafe { sys::getpid() } as u32, std::process::id());
    assert_eq!(unsafe { sys::getppid() }, unsafe { libc::getppid() });
    assert_eq!(unsafe { sys::getuid() }, unsafe { libc::getuid() });
    assert_eq!(unsafe { sys::geteuid() }, unsafe { libc::geteuid() });
    assert_eq!(unsafe { sys::gettid() }, unsafe { libc::gettid() });
}

#[test]
fn write_then_read_through_pipe2() {
    let mut fds = [0i32; 2];
    unsafe { sys::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) }.unwrap();
    let msg = b"through the bridge";
    assert_eq!(
        unsafe { sys::write(fds[1], msg.as_ptr(), msg.len()) },
        Ok(msg.len())
    );
    let mut buf = [0u8; 64];
    let n = unsafe { sys::read(fds[0], buf.as_mut_ptr(), buf.len()) }.unwrap();
    assert_eq!(&buf[..n], msg);
    unsafe { sys::close(fds[1]) }.unwrap();
    // The write end is closed: end of file.
    assert_eq!(
        unsafe { sys::read(fds[0], buf.as_mut_ptr(), buf.len()) },
        Ok(0)
    );
    unsafe { sys::close(fds[0]) }.unwrap();
}

#[test]
fn file_calls_agree_with_std() {
    let contents = b"0123456789abcdefghij";
    let path = temp_file("file", contents);
    let cpath = c_path(&path);
    let fd = unsafe {
        sys::openat(
            AT_FDCWD,
            cpath.as_ptr().cast(),
            libc::O_RDONLY | libc::O_CLOEXEC,
            0,
        )
    }
    .unwrap();
    assert!(fd >= 0);

    // newfstatat with AT_EMPTY_PATH fills the kernel's struct stat of the
    // call the port makes (stat64 on 32-bit ports), at the spec's offsets.
    use abi_runtime::consts as c;
    let mut st = [0u8; 256];
    let empty = b"\0";
    unsafe {
        sys::newfstatat(
            fd,
            empty.as_ptr(),
            st.as_mut_ptr().cast(),
            libc::AT_EMPTY_PATH,
        )
    }
    .unwrap();
    let u64_at = |at: i64| u64::from_ne_bytes(st[at as usize..][..8].try_into().unwrap());
    let u32_at = |at: i64| u32::from_ne_bytes(st[at as usize..][..4].try_into().unwrap());
    let meta = std::fs::metadata(&path).unwrap();
    assert_eq!(u64_at(c::STAT_SIZE), meta.len());
    assert_eq!(u64_at(c::STAT_INO), meta.ino());
    assert_eq!(u32_at(c::STAT_MODE), meta.mode());

    assert_eq!(
        unsafe { sys::lseek(fd, 0, libc::SEEK_END as u32) },
        Ok(contents.len() as u64)
    );
    assert_eq!(unsafe { sys::lseek(fd, 4, libc::SEEK_SET as u32) }, Ok(4));
    let mut buf = [0u8; 6];
    let n = unsafe { sys::pread64(fd, buf.as_mut_ptr(), buf.len(), 10) }.unwrap();
    assert_eq!(&buf[..n], &contents[10..16]);
    // pread64 leaves the offset where lseek put it.
    let n = unsafe { sys::read(fd, buf.as_mut_ptr(), 3) }.unwrap();
    assert_eq!(&buf[..n], &contents[4..7]);
    unsafe { sys::close(fd) }.unwrap();
    assert_eq!(unsafe { sys::close(fd) }, Err(Errno::EBADF));
    std::fs::remove_file(&path).unwrap();
}

/// 64-bit offsets travel whole (a register pair on 32-bit ports, `_llseek`'s
/// two halves and its result slot, `ftruncate64`), checked against std.
#[test]
fn offsets_beyond_four_gib() {
    let path = temp_file("large", b"");
    let cpath = c_path(&path);
    // A 32-bit kernel refuses sizes beyond 2 GiB on a file opened without
    // O_LARGEFILE (libc's value: 0 where the kernel forces it, on 64-bit).
    let flags = libc::O_RDWR | libc::O_CLOEXEC | libc::O_LARGEFILE;
    let fd = unsafe { sys::openat(AT_FDCWD, cpath.as_ptr().cast(), flags, 0) }.unwrap();
    let far: i64 = (5 << 30) + 7;
    // A sparse file of `far + 1` bytes.
    unsafe { sys::ftruncate(fd, far + 1) }.unwrap();
    assert_eq!(std::fs::metadata(&path).unwrap().len(), (far + 1) as u64);
    assert_eq!(
        unsafe { sys::lseek(fd, far, libc::SEEK_SET as u32) },
        Ok(far as u64)
    );
    let tag = *b"far!";
    let n = unsafe { sys::pwrite64(fd, tag.as_ptr(), tag.len(), far - 3) }.unwrap();
    assert_eq!(n, tag.len());
    let mut buf = [0u8; 8];
    let n = unsafe { sys::pread64(fd, buf.as_mut_ptr(), buf.len(), far - 5) }.unwrap();
    assert_eq!(&buf[..n], b"\0\0far!");
    // pread64/pwrite64 left the offset where lseek put it.
    assert_eq!(
        unsafe { sys::lseek(fd, 0, libc::SEEK_CUR as u32) },
        Ok(far as u64)
    );
    assert_eq!(
        unsafe { sys::lseek(fd, -1, libc::SEEK_SET as u32) },
        Err(Errno::EINVAL)
    );
    unsafe { sys::close(fd) }.unwrap();
    // std reads the same bytes at the same place.
    let mut tail = [0u8; 4];
    let file = std::fs::File::open(&path).unwrap();
    std::os::unix::fs::FileExt::read_exact_at(&file, &mut tail, (far - 3) as u64).unwrap();
    assert_eq!(&tail, b"far!");
    std::fs::remove_file(&path).unwrap();
}

/// mmap's offset reaches the kernel in the unit its entry wants (pages for
/// mmap2); an offset that is not page-aligned is EINVAL, as on x86_64.
#[test]
fn mmap_of_a_file_at_an_offset() {
    let page = unsafe { libc::sysconf(libc::_SC_PAGESIZE) } as usize;
    let contents: Vec<u8> = (0..3 * page).map(|i| (i / page) as u8 + b'a').collect();
    let path = temp_file("mmap-offset", &contents);
    let cpath = c_path(&path);
    let flags = libc::O_RDONLY | libc::O_CLOEXEC;
    let fd = unsafe { sys::openat(AT_FDCWD, cpath.as_ptr().cast(), flags, 0) }.unwrap();
    let map = |offset: i64| unsafe {
        sys::mmap(
            std::ptr::null_mut(),
            page,
            libc::PROT_READ,
            libc::MAP_PRIVATE,
            fd,
            offset,
        )
    };
    let p = map(2 * page as i64).unwrap();
    let seen = unsafe { std::slice::from_raw_parts(p.cast::<u8>(), page) };
    assert!(seen.iter().all(|&b| b == b'c'));
    unsafe { sys::munmap(p, page) }.unwrap();
    assert_eq!(map(100), Err(Errno::EINVAL));
    unsafe { sys::close(fd) }.unwrap();
    std::fs::remove_file(&path).unwrap();
}

#[test]
fn mmap_write_read_munmap() {
    let page = unsafe { libc::sysconf(libc::_SC_PAGESIZE) } as usize;
    let p = unsafe {
        sys::mmap(
            std::ptr::null_mut(),
            page,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
            -1,
            0,
        )
    }
    .unwrap();
    let bytes = p.cast::<u8>();
    unsafe {
        for i in 0..page {
            bytes.add(i).write(i as u8);
        }
        assert!((0..page).all(|i| bytes.add(i).read() == i as u8));
        sys::munmap(p, page).unwrap();
    }
    // A length of zero is refused by the kernel.
    assert_eq!(unsafe { sys::munmap(p, 0) }, Err(Errno::EINVAL));
}

#[test]
fn high_mmap_address_is_a_value_not_an_error() {
    let page = unsafe { libc::sysconf(libc::_SC_PAGESIZE) } as usize;
    // Walk down from the top of a 47-bit address space (the upper half of a
    // 32-bit one) until the kernel (or qemu's guest space) accepts the exact
    // address. Computed at run time: `1 << 47` does not fit a 32-bit usize.
    let top = 1usize << (usize::BITS.min(48) - 1);
    let low = top >> 15;
    let mut hint = top - 16 * page;
    let mapped = loop {
        let r = unsafe {
            sys::mmap(
                hint as *mut _,
                page,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_FIXED_NOREPLACE,
                -1,
                0,
            )
        };
        match r {
            Ok(p) => break p as usize,
            Err(e) => {
                assert!(
                    matches!(e, Errno::EEXIST | Errno::ENOMEM | Errno::EPERM),
                    "unexpected {e:?}"
                );
                hint = (hint / 2) & !(page - 1);
                assert!(hint > low, "no high address could be mapped");
            }
        }
    };
    assert_eq!(mapped, hint, "MAP_FIXED_NOREPLACE maps exactly at the hint");
    assert!(mapped >= low);
    unsafe { sys::munmap(mapped as *mut _, page) }.unwrap();
}

/// The portable clock_gettime fills a 64-bit `struct __kernel_timespec` on
/// every port (through clock_gettime64 on 32-bit ones).
#[repr(C)]
#[derive(Clone, Copy)]
struct KernelTimespec {
    tv_sec: i64,
    tv_nsec: i64,
}

#[test]
fn monotonic_clock_never_goes_back() {
    let mut prev = KernelTimespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    for _ in 0..1000 {
        let mut now = prev;
        unsafe { sys::clock_gettime(libc::CLOCK_MONOTONIC, (&raw mut now).cast()) }.unwrap();
        assert!((now.tv_sec, now.tv_nsec) >= (prev.tv_sec, prev.tv_nsec));
        assert!((0..1_000_000_000).contains(&now.tv_nsec));
        prev = now;
    }
    // The bridged clock and libc's read the same clock.
    let mut theirs = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut theirs) };
    assert!(i64::from(theirs.tv_sec) - prev.tv_sec <= 1);
    assert_eq!(
        unsafe { sys::clock_gettime(-12345, (&raw mut prev).cast()) },
        Err(Errno::EINVAL)
    );
}

#[test]
fn errno_mapping() {
    assert_eq!(unsafe { sys::close(-1) }, Err(Errno::EBADF));
    let missing = c"/nonexistent/abi-bridge/missing";
    let r = unsafe { sys::openat(AT_FDCWD, missing.as_ptr().cast(), libc::O_RDONLY, 0) };
    assert_eq!(r, Err(Errno::ENOENT));
    let e = r.unwrap_err();
    assert_eq!((e.raw(), e.name()), (libc::ENOENT, "ENOENT"));
    let io: std::io::Error = e.into();
    assert_eq!(io.kind(), std::io::ErrorKind::NotFound);
    assert_eq!(io.raw_os_error(), Some(libc::ENOENT));
}

#[test]
fn errno_constants_and_names_match_libc() {
    macro_rules! check {
        ($($name:ident)*) => {$(
            assert_eq!(Errno::$name.raw(), libc::$name, stringify!($name));
            // An alias reports its primary name; whether EDEADLOCK is one
            // depends on the arch (58 on powerpc): libc says.
            let primary = match stringify!($name) {
                "EWOULDBLOCK" if libc::EWOULDBLOCK == libc::EAGAIN => "EAGAIN",
                "EDEADLOCK" if libc::EDEADLOCK == libc::EDEADLK => "EDEADLK",
                other => other,
            };
            assert_eq!(Errno::from_raw(libc::$name).name(), primary);
        )*};
    }
    check!(EPERM ENOENT ESRCH EINTR EIO ENXIO E2BIG ENOEXEC EBADF ECHILD EAGAIN EWOULDBLOCK ENOMEM EACCES EFAULT
        EBUSY EEXIST EXDEV ENODEV ENOTDIR EISDIR EINVAL ENFILE EMFILE ENOTTY EFBIG ENOSPC ESPIPE EROFS EMLINK EPIPE
        EDOM ERANGE EDEADLK EDEADLOCK ENAMETOOLONG ENOSYS ENOTEMPTY ELOOP ENODATA ETIME EOVERFLOW EILSEQ ENOTSOCK
        EADDRINUSE ECONNREFUSED ETIMEDOUT EALREADY EINPROGRESS ESTALE ECANCELED EOWNERDEAD ENOTRECOVERABLE ERFKILL EHWPOISON);
    assert_eq!(Errno::from_raw(4000).name(), "UNKNOWN");
    assert_eq!(Errno::EBADF.to_string(), "Bad file number (EBADF)");
}

#[test]
fn exit_group_in_forked_child_ends_it_with_the_status() {
    // clone with only SIGCHLD and no stack is fork().
    let pid = unsafe {
        sys::clone(
            libc::SIGCHLD as usize,
            std::ptr::null_mut(),
            std::ptr::null_mut(),
            0,
            0,
        )
    }
    .unwrap();
    if pid == 0 {
        unsafe { sys::exit_group(42) }
    }
    let mut status = 0;
    assert_eq!(
        unsafe { sys::wait4(pid, &mut status, 0, std::ptr::null_mut()) },
        Ok(pid)
    );
    assert!(libc::WIFEXITED(status));
    assert_eq!(libc::WEXITSTATUS(status), 42);
}

#[test]
fn getrandom_fills_the_buffer() {
    let mut a = [0u8; 64];
    let mut b = [0u8; 64];
    assert_eq!(
        unsafe { sys::getrandom(a.as_mut_ptr(), a.len(), 0) },
        Ok(64)
    );
    assert_eq!(
        unsafe { sys::getrandom(b.as_mut_ptr(), b.len(), 0) },
        Ok(64)
    );
    assert_ne!(a, b);
    assert_eq!(
        unsafe { sys::getrandom(a.as_mut_ptr(), 1, 0xdead_0000) },
        Err(Errno::EINVAL)
    );
}

#[test]
fn uname_matches_libc() {
    let mut ours: libc::utsname = unsafe { std::mem::zeroed() };
    let mut theirs: libc::utsname = unsafe { std::mem::zeroed() };
    unsafe { sys::uname((&raw mut ours).cast()) }.unwrap();
    assert_eq!(unsafe { libc::uname(&mut theirs) }, 0);
    assert_eq!(ours.sysname, theirs.sysname);
    assert_eq!(ours.machine, theirs.machine);
}
