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
