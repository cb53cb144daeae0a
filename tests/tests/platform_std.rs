//! `platform::File` with std's traits and types, against std itself, on all
//! five targets: `io::Read`/`Write`/`Seek`, `BufRead` over it, conversions
//! to and from `std::fs::File`, the OS handle traits, `fmt::Write`, and
//! `Errno` through `?` into `io::Error` with the same kind, the line reader,
//! and the open modes against `std::fs::OpenOptions`.

use std::io::{BufRead, BufReader, Read, Seek, SeekFrom, Write};
use std::path::PathBuf;

use abi_runtime::platform::{self, File};
use abi_runtime::{Errno, ErrorKind};

/// A fresh path in the temp directory (on WASI: inside a preopened directory).
fn temp_path(tag: &str) -> String {
    let mut r = [0u8; 8];
    platform::random(&mut r).unwrap();
    let dir = match std::env::var_os("TMPDIR") {
        Some(d) if cfg!(target_os = "wasi") => PathBuf::from(d),
        _ => std::env::temp_dir(),
    };
    let p = dir.join(format!(
        "abi-bridge-std-{tag}-{:016x}",
        u64::from_le_bytes(r)
    ));
    p.to_str().unwrap().to_owned()
}

#[test]
fn io_traits_agree_with_std_fs() {
    let path = temp_path("io");
    let mut f = File::create(&path).unwrap();
    f.write_all(b"line one\nline two\n").unwrap();
    writeln!(f, "line {}", 3).unwrap();
    f.flush().unwrap();
    assert_eq!(
        std::fs::read(&path).unwrap(),
        b"line one\nline two\nline 3\n"
    );
    // The inherent `seek` takes the platform's SeekFrom; std's goes through the trait.
    assert_eq!(Seek::seek(&mut f, SeekFrom::Start(5)).unwrap(), 5);
    let mut rest = String::new();
    f.read_to_string(&mut rest).unwrap();
    assert_eq!(rest, "one\nline two\nline 3\n");
    assert_eq!(Seek::seek(&mut f, SeekFrom::End(-2)).unwrap(), 23);
    assert_eq!(f.stream_position().unwrap(), 23);
    f.rewind().unwrap();
    let lines: Vec<String> = BufReader::new(&f).lines().map(Result::unwrap).collect();
    let std_lines: Vec<String> = std::fs::read_to_string(&path)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect();
    assert_eq!(lines, std_lines);
    drop(f);
    std::fs::remove_file(&path).unwrap();
}

#[test]
fn conversions_to_and_from_std_fs_file() {
    let path = temp_path("convert");
    std::fs::write(&path, b"0123456789").unwrap();
    let ours = File::from(std::fs::File::open(&path).unwrap());
    assert_eq!(ours.size().unwrap(), 10);
    let mut buf = [0u8; 4];
    assert_eq!(ours.read(&mut buf).unwrap(), 4);
    // The position travels with the handle.
    let mut back = std::fs::File::try_from(ours).unwrap();
    let mut rest = String::new();
    back.read_to_string(&mut rest).unwrap();
    assert_eq!(rest, "456789");
    drop(back);
    // A standard stream is owned by nobody: it does not become a std::fs::File.
    let err = std::fs::File::try_from(File::stdout()).unwrap_err();
    err.write_all(b"platform_std: stdout stays ours\n").unwrap();
    std::fs::remove_file(&path).unwrap();
}

#[cfg(any(target_os = "linux", target_os = "wasi"))]
#[test]
fn raw_fds_agree_with_std() {
    use std::os::fd::{AsFd, AsRawFd};
    assert_eq!(File::stdin().as_raw_fd(), std::io::stdin().as_raw_fd());
    assert_eq!(File::stderr().as_raw_fd(), std::io::stderr().as_raw_fd());
    let path = temp_path("fd");
    let std_file = std::fs::File::create(&path).unwrap();
    let fd = std_file.as_raw_fd();
    let ours = File::from(std_file);
    assert_eq!(ours.as_raw_fd(), fd);
    assert_eq!(ours.as_fd().as_raw_fd(), fd);
    drop(ours);
    std::fs::remove_file(&path).unwrap();
}

#[cfg(windows)]
#[test]
fn raw_handles_agree_with_std() {
    use std::os::windows::io::{AsHandle, AsRawHandle};
    assert_eq!(
        File::stdout().as_raw_handle(),
        std::io::stdout().as_raw_handle()
    );
    let path = temp_path("handle");
    let std_file = std::fs::File::create(&path).unwrap();
    let h = std_file.as_raw_handle();
    let ours = File::from(std_file);
    assert_eq!(ours.as_raw_handle(), h);
    assert_eq!(ours.as_handle().as_raw_handle(), h);
    drop(ours);
    std::fs::remove_file(&path).unwrap();
}

#[test]
fn fmt_write_formats_into_the_file() {
    let path = temp_path("fmt");
    let mut f = File::create(&path).unwrap();
    std::fmt::Write::write_fmt(&mut f, format_args!("{}-{:03}", "x", 7)).unwrap();
    drop(f);
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "x-007");
    std::fs::remove_file(&path).unwrap();
}

#[test]
fn errno_through_question_mark_keeps_std_kind() {
    fn open(path: &str) -> std::io::Result<File> {
        Ok(File::open(path)?)
    }
    let path = temp_path("missing");
    let ours: Errno = File::open(&path).unwrap_err();
    let io = open(&path).unwrap_err();
    let std = std::fs::File::open(&path).unwrap_err();
    assert_eq!(ours.kind(), ErrorKind::NotFound);
    assert_eq!(io.kind(), std.kind());
    assert_eq!(io.raw_os_error(), std.raw_os_error());
}

#[test]
fn line_reader_agrees_with_std_lines() {
    use abi_runtime::platform::LineReader;
    let path = temp_path("lines");
    // Lines of many lengths, an empty one, CRLF, and no final newline; a
    // 64-byte buffer refills many times.
    let mut text = String::new();
    for i in 0..200 {
        text.push_str(&"x".repeat(i % 50));
        text.push_str(if i % 7 == 0 { "\r\n" } else { "\n" });
    }
    text.push_str("\nlast line without a newline");
    std::fs::write(&path, &text).unwrap();
    let file = File::open(&path).unwrap();
    let mut buf = [0u8; 64];
    let mut reader = LineReader::new(&file, &mut buf);
    let mut ours = Vec::new();
    while let Some(line) = reader.next_line().unwrap() {
        ours.push(String::from_utf8(line.strip_suffix(b"\r").unwrap_or(line).to_vec()).unwrap());
    }
    let std: Vec<String> = BufReader::new(std::fs::File::open(&path).unwrap())
        .lines()
        .map(Result::unwrap)
        .collect();
    assert_eq!(ours, std);
    // A line longer than the buffer is an error, not a silent split.
    let file = File::open(&path).unwrap();
    let mut small = [0u8; 16];
    let mut reader = LineReader::new(&file, &mut small);
    let err = loop {
        match reader.next_line() {
            Ok(Some(_)) => {}
            Ok(None) => panic!("no line was too long"),
            Err(e) => break e,
        }
    };
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    drop(file);
    std::fs::remove_file(&path).unwrap();
}

#[test]
fn files_open_side_by_side() {
    // On WASI every open looks for the preopened directory among the
    // descriptors, past the files already open.
    let (a, b) = (temp_path("side-a"), temp_path("side-b"));
    let fa = File::create(&a).unwrap();
    let fb = File::create(&b).unwrap();
    let fa2 = File::open(&a).unwrap();
    fa.write_all(b"a").unwrap();
    fb.write_all(b"bb").unwrap();
    assert_eq!(fa2.size().unwrap(), 1);
    assert_eq!(std::fs::read(&b).unwrap(), b"bb");
    drop((fa, fb, fa2));
    std::fs::remove_file(&a).unwrap();
    std::fs::remove_file(&b).unwrap();
}

#[test]
fn open_modes_agree_with_std_open_options() {
    use abi_runtime::platform::OpenMode;
    use std::fs::OpenOptions;
    let path = temp_path("modes");
    // ReadWrite: an existing file, not truncated; a missing one is NotFound, as in std.
    let ours = File::open_with(&path, OpenMode::ReadWrite).unwrap_err();
    let std = OpenOptions::new()
        .read(true)
        .write(true)
        .open(&path)
        .unwrap_err();
    assert_eq!(
        (ours.kind(), Some(ours.raw())),
        (ErrorKind::NotFound, std.raw_os_error())
    );
    std::fs::write(&path, b"hello").unwrap();
    let f = File::open_with(&path, OpenMode::ReadWrite).unwrap();
    f.write_all(b"J").unwrap();
    let mut buf = [0u8; 8];
    assert_eq!(f.read(&mut buf).unwrap(), 4);
    assert_eq!(&buf[..4], b"ello");
    drop(f);
    assert_eq!(std::fs::read(&path).unwrap(), b"Jello");
    // Append: every write goes to the end, wherever the position was.
    let f = File::open_with(&path, OpenMode::Append).unwrap();
    f.write_all(b", world").unwrap();
    f.write_all(b"!").unwrap();
    drop(f);
    assert_eq!(std::fs::read(&path).unwrap(), b"Jello, world!");
    // CreateNew: an existing path fails as std's create_new does.
    let ours = File::open_with(&path, OpenMode::CreateNew).unwrap_err();
    let std = OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path)
        .unwrap_err();
    assert_eq!(ours.kind(), ErrorKind::AlreadyExists);
    assert_eq!(Some(ours.raw()), std.raw_os_error());
    std::fs::remove_file(&path).unwrap();
    // ...and a missing one is created, empty, for reading and writing.
    let f = File::open_with(&path, OpenMode::CreateNew).unwrap();
    f.write_all(b"new").unwrap();
    assert_eq!(f.size().unwrap(), 3);
    drop(f);
    // Append creates a missing file too.
    std::fs::remove_file(&path).unwrap();
    File::open_with(&path, OpenMode::Append)
        .unwrap()
        .write_all(b"a")
        .unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), b"a");
    std::fs::remove_file(&path).unwrap();
}

/// The same OS error as std's, of the same kind (compared by name: std's
/// `Uncategorized`, which WASI gives `ENOTEMPTY`, is not public).
fn assert_same_error(ours: Errno, std: &std::io::Error) {
    assert_eq!(
        (format!("{:?}", ours.kind()), Some(ours.raw())),
        (format!("{:?}", std.kind()), std.raw_os_error())
    );
}

/// std's answer in the platform layer's terms.
fn kind_of(t: std::fs::FileType) -> platform::FileKind {
    use platform::FileKind;
    if t.is_symlink() {
        FileKind::Symlink
    } else if t.is_dir() {
        FileKind::Dir
    } else if t.is_file() {
        FileKind::File
    } else {
        FileKind::Other
    }
}

/// A symbolic link at `link` to `target`, where the target can make one.
#[cfg(unix)]
fn symlink(target: &str, link: &str) -> bool {
    std::os::unix::fs::symlink(target, link).unwrap();
    true
}
/// No symbolic links here: std on WASI makes them only through the unstable
/// `std::os::wasi::fs::symlink_path`; on Windows they need a privilege (or
/// developer mode), and wine has none of its own. Listings and metadata of
/// files and directories are checked there all the same.
#[cfg(not(unix))]
fn symlink(_target: &str, _link: &str) -> bool {
    false
}

fn sorted_listing(dir: &str) -> Vec<(String, platform::FileKind)> {
    let mut v: Vec<_> = platform::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (e.name().unwrap().to_owned(), e.kind())
        })
        .collect();
    v.sort();
    v
}

fn sorted_std_listing(dir: &str) -> Vec<(String, platform::FileKind)> {
    let mut v: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (
                e.file_name().into_string().unwrap(),
                kind_of(e.file_type().unwrap()),
            )
        })
        .collect();
    v.sort();
    v
}

#[test]
fn read_dir_lists_what_std_lists() {
    use platform::FileKind;
    let dir = temp_path("listing");
    platform::create_dir(&dir).unwrap();
    assert_eq!(sorted_listing(&dir), [], "a new directory is empty");
    // Enough long names that the listing takes several reads of the
    // directory (a 4 KiB buffer holds about 30 of them).
    for i in 0..150 {
        std::fs::write(format!("{dir}/file-{i:03}-{}", "n".repeat(100)), b"x").unwrap();
    }
    std::fs::create_dir(format!("{dir}/sub dir")).unwrap();
    std::fs::write(format!("{dir}/ünïcödé.txt"), b"").unwrap();
    let linked = symlink("sub dir", &format!("{dir}/link"));
    let ours = sorted_listing(&dir);
    assert_eq!(ours, sorted_std_listing(&dir));
    assert_eq!(ours.len(), 152 + usize::from(linked));
    assert!(ours.contains(&("sub dir".to_owned(), FileKind::Dir)));
    assert!(ours.contains(&("ünïcödé.txt".to_owned(), FileKind::File)));
    if linked {
        assert!(ours.contains(&("link".to_owned(), FileKind::Symlink)));
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn read_dir_errors_are_stds() {
    let missing = temp_path("no-such-dir");
    let ours = platform::read_dir(&missing).unwrap_err();
    let std = std::fs::read_dir(&missing).unwrap_err();
    assert_eq!(ours.kind(), ErrorKind::NotFound);
    assert_eq!(Some(ours.raw()), std.raw_os_error());
    let file = temp_path("not-a-dir");
    std::fs::write(&file, b"").unwrap();
    let ours = platform::read_dir(&file).unwrap_err();
    let std = std::fs::read_dir(&file).unwrap_err();
    assert_same_error(ours, &std);
    std::fs::remove_file(&file).unwrap();
}

/// Compares our metadata of `path` with std's.
fn assert_metadata_is_stds(ours: platform::Metadata, std: std::fs::Metadata, what: &str) {
    assert_eq!(ours.len(), std.len(), "{what}: len");
    assert_eq!(ours.kind(), kind_of(std.file_type()), "{what}: kind");
    assert_eq!(
        (ours.is_dir(), ours.is_file(), ours.is_symlink()),
        (std.is_dir(), std.is_file(), std.is_symlink()),
        "{what}: is_*"
    );
    assert_eq!(
        std::time::SystemTime::from(ours.modified()),
        std.modified().unwrap(),
        "{what}: modified, to the nanosecond"
    );
}

#[test]
fn metadata_agrees_with_std() {
    let dir = temp_path("meta");
    platform::create_dir(&dir).unwrap();
    let file = format!("{dir}/data");
    let f = File::create(&file).unwrap();
    f.write_all(&[7; 12345]).unwrap();
    assert_metadata_is_stds(
        f.metadata().unwrap(),
        std::fs::metadata(&file).unwrap(),
        "open file",
    );
    drop(f);
    assert_metadata_is_stds(
        platform::metadata(&file).unwrap(),
        std::fs::metadata(&file).unwrap(),
        "file",
    );
    assert_metadata_is_stds(
        platform::metadata(&dir).unwrap(),
        std::fs::metadata(&dir).unwrap(),
        "directory",
    );
    assert!(platform::metadata(&dir).unwrap().is_dir());
    let link = format!("{dir}/link");
    if symlink("data", &link) {
        assert_metadata_is_stds(
            platform::symlink_metadata(&link).unwrap(),
            std::fs::symlink_metadata(&link).unwrap(),
            "symbolic link",
        );
        assert!(platform::symlink_metadata(&link).unwrap().is_symlink());
        assert_metadata_is_stds(
            platform::metadata(&link).unwrap(),
            std::fs::metadata(&link).unwrap(),
            "through a symbolic link",
        );
    }
    // A time set through std comes back as std reads it back, to the
    // nanosecond (Linux keeps all of them, Windows 100 ns steps; Node's WASI
    // sets whole seconds only, so only those are checked against `when`).
    let when = std::time::UNIX_EPOCH + std::time::Duration::new(1_234_567_890, 123_456_700);
    std::fs::File::options()
        .write(true)
        .open(&file)
        .unwrap()
        .set_modified(when)
        .unwrap();
    let m = platform::metadata(&file).unwrap();
    assert_metadata_is_stds(m, std::fs::metadata(&file).unwrap(), "after set_modified");
    assert_eq!(m.modified().secs, 1_234_567_890);
    #[cfg(not(target_os = "wasi"))]
    assert_eq!(
        m.modified(),
        platform::Timestamp {
            secs: 1_234_567_890,
            nanos: 123_456_700
        }
    );
    let missing = format!("{dir}/missing");
    let ours = platform::metadata(&missing).unwrap_err();
    let std = std::fs::metadata(&missing).unwrap_err();
    assert_eq!(ours.kind(), ErrorKind::NotFound);
    assert_eq!(Some(ours.raw()), std.raw_os_error());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn directories_are_created_renamed_and_removed_as_std_sees() {
    let dir = temp_path("mkdir");
    platform::create_dir(&dir).unwrap();
    assert!(std::fs::metadata(&dir).unwrap().is_dir());
    let ours = platform::create_dir(&dir).unwrap_err();
    let std = std::fs::create_dir(&dir).unwrap_err();
    assert_eq!(ours.kind(), ErrorKind::AlreadyExists);
    assert_eq!(Some(ours.raw()), std.raw_os_error());

    let (a, b) = (format!("{dir}/a"), format!("{dir}/b"));
    std::fs::write(&a, b"first").unwrap();
    std::fs::write(&b, b"second").unwrap();
    platform::rename(&a, &b).unwrap();
    assert_eq!(
        std::fs::read(&b).unwrap(),
        b"first",
        "rename replaces a file"
    );
    assert!(!std::path::Path::new(&a).exists());
    let ours = platform::rename(&a, &b).unwrap_err();
    let std = std::fs::rename(&a, &b).unwrap_err();
    assert_eq!(ours.kind(), ErrorKind::NotFound);
    assert_eq!(Some(ours.raw()), std.raw_os_error());

    // Not empty: the same refusal as std's.
    let ours = platform::remove_dir(&dir).unwrap_err();
    let std = std::fs::remove_dir(&dir).unwrap_err();
    assert_same_error(ours, &std);
    std::fs::remove_file(&b).unwrap();
    let moved = format!("{dir}-moved");
    platform::rename(&dir, &moved).unwrap();
    assert!(std::fs::metadata(&moved).unwrap().is_dir());
    platform::remove_dir(&moved).unwrap();
    assert!(!std::path::Path::new(&moved).exists());
    assert_eq!(
        platform::remove_dir(&moved).unwrap_err().kind(),
        ErrorKind::NotFound
    );
}

/// The only test that changes the current directory (the others use
/// absolute paths), so the tests running beside it are not disturbed.
#[test]
fn current_dir_agrees_with_std() {
    let mut buf = [0u8; 4096];
    let start = platform::current_dir(&mut buf).unwrap().to_owned();
    let std_start = std::env::current_dir().unwrap();
    assert_eq!(std::path::Path::new(&start), std_start);
    // Too small a buffer is an error, not a cut path.
    assert!(platform::current_dir(&mut []).is_err());

    let dir = temp_path("cwd");
    std::fs::create_dir(&dir).unwrap();
    platform::set_current_dir(&dir).unwrap();
    // WASI has no current directory: std's (wasi-libc's) and this layer's
    // are each kept by the program, so std is moved the same way to compare.
    #[cfg(target_os = "wasi")]
    std::env::set_current_dir(&dir).unwrap();
    let here = platform::current_dir(&mut buf).unwrap().to_owned();
    assert_eq!(
        std::path::Path::new(&here),
        std::env::current_dir().unwrap()
    );
    // Relative paths now resolve in `dir`, for std and for us.
    File::create("relative").unwrap().write_all(b"rel").unwrap();
    assert_eq!(std::fs::read(format!("{dir}/relative")).unwrap(), b"rel");
    assert_eq!(platform::metadata("relative").unwrap().len(), 3);
    assert_eq!(
        sorted_listing("."),
        [("relative".to_owned(), platform::FileKind::File)]
    );
    platform::remove_file("relative").unwrap();

    let missing = format!("{dir}/missing");
    let ours = platform::set_current_dir(&missing).unwrap_err();
    let std = std::env::set_current_dir(&missing).unwrap_err();
    assert_eq!(ours.kind(), ErrorKind::NotFound);
    assert_eq!(Some(ours.raw()), std.raw_os_error());

    platform::set_current_dir(&start).unwrap();
    #[cfg(target_os = "wasi")]
    std::env::set_current_dir(&std_start).unwrap();
    assert_eq!(std::env::current_dir().unwrap(), std_start);
    assert_eq!(platform::current_dir(&mut buf).unwrap(), start);
    std::fs::remove_dir(&dir).unwrap();
}

#[test]
fn sleep_lasts_at_least_as_asked_by_stds_clock() {
    use std::time::{Duration, Instant};
    for asked in [
        Duration::ZERO,
        Duration::from_micros(300),
        Duration::from_millis(1),
        Duration::from_millis(25),
    ] {
        let start = Instant::now();
        platform::sleep(asked).unwrap();
        let took = start.elapsed();
        assert!(took >= asked, "asked {asked:?}, slept {took:?}");
        assert!(
            took < asked + Duration::from_secs(2),
            "asked {asked:?}, slept {took:?}"
        );
    }
}
