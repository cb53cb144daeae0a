//! The Win32 functions of `targets/windows-x86_64.toml`, each called under
//! wine through a declaration bridged from the spec (as a user would write
//! it), and checked against what Windows itself or std says: a directory
//! listing against `std::fs::read_dir`, file information against std's
//! metadata, dates against a known calendar day, a thread's and a child
//! process's effects against what they were told to do.
//!
//! Windows only: the file compiles to nothing on the other targets, whose
//! tables have none of these functions.
#![cfg(windows)]
#![allow(clippy::undocumented_unsafe_blocks)] // bridged calls on memory and handles the tests own

use std::collections::BTreeSet;
use std::ffi::{OsStr, OsString, c_void};
use std::os::windows::ffi::{OsStrExt, OsStringExt};
use std::os::windows::fs::MetadataExt;
use std::os::windows::io::AsRawHandle;
use std::path::{Path, PathBuf};

use abi_runtime::{Errno, consts, syscall_bridge};

type Handle = *mut c_void;

/// `FILETIME`: 100 ns intervals since 1601-01-01, in two halves.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct FileTime {
    low: u32,
    high: u32,
}

impl FileTime {
    fn from_u64(v: u64) -> Self {
        FileTime {
            low: v as u32,
            high: (v >> 32) as u32,
        }
    }
    fn to_u64(self) -> u64 {
        u64::from(self.high) << 32 | u64::from(self.low)
    }
}

/// `SYSTEMTIME` (minwinbase.h).
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct SystemTime {
    year: u16,
    month: u16,
    day_of_week: u16,
    day: u16,
    hour: u16,
    minute: u16,
    second: u16,
    milliseconds: u16,
}

/// `WIN32_FIND_DATAW` (minwinbase.h).
#[repr(C)]
struct FindData {
    file_attributes: u32,
    creation_time: FileTime,
    last_access_time: FileTime,
    last_write_time: FileTime,
    file_size_high: u32,
    file_size_low: u32,
    reserved0: u32,
    reserved1: u32,
    file_name: [u16; 260],
    alternate_file_name: [u16; 14],
}

/// `BY_HANDLE_FILE_INFORMATION` (fileapi.h).
#[repr(C)]
#[derive(Default)]
struct ByHandleFileInformation {
    file_attributes: u32,
    creation_time: FileTime,
    last_access_time: FileTime,
    last_write_time: FileTime,
    volume_serial_number: u32,
    file_size_high: u32,
    file_size_low: u32,
    number_of_links: u32,
    file_index_high: u32,
    file_index_low: u32,
}

/// `FILE_STANDARD_INFO` (winbase.h), for `GetFileInformationByHandleEx`.
#[repr(C)]
#[derive(Default)]
struct FileStandardInfo {
    allocation_size: i64,
    end_of_file: i64,
    number_of_links: u32,
    delete_pending: u8,
    directory: u8,
}

/// `WIN32_FILE_ATTRIBUTE_DATA` (fileapi.h), for `GetFileAttributesExW`.
#[repr(C)]
#[derive(Default)]
struct FileAttributeData {
    file_attributes: u32,
    creation_time: FileTime,
    last_access_time: FileTime,
    last_write_time: FileTime,
    file_size_high: u32,
    file_size_low: u32,
}

#[syscall_bridge(name = "FindFirstFileW")]
unsafe fn find_first_file(pattern: *const u16, data: *mut FindData) -> Result<Handle, Errno>;
#[syscall_bridge(name = "FindNextFileW")]
unsafe fn find_next_file(find: Handle, data: *mut FindData) -> Result<(), Errno>;
#[syscall_bridge(name = "FindClose")]
unsafe fn find_close(find: Handle) -> Result<(), Errno>;
#[syscall_bridge(name = "GetFileInformationByHandle")]
unsafe fn get_file_information_by_handle(
    file: Handle,
    info: *mut ByHandleFileInformation,
) -> Result<(), Errno>;
#[syscall_bridge(name = "GetFileInformationByHandleEx")]
unsafe fn get_file_information_by_handle_ex(
    file: Handle,
    class: u32,
    info: *mut c_void,
    size: u32,
) -> Result<(), Errno>;
#[syscall_bridge(name = "GetFileAttributesExW")]
unsafe fn get_file_attributes_ex(
    name: *const u16,
    level: u32,
    info: *mut FileAttributeData,
) -> Result<(), Errno>;
#[syscall_bridge(name = "CreateDirectoryW")]
unsafe fn create_directory(path: *const u16, security: *const c_void) -> Result<(), Errno>;
#[syscall_bridge(name = "RemoveDirectoryW")]
unsafe fn remove_directory(path: *const u16) -> Result<(), Errno>;
#[syscall_bridge(name = "MoveFileExW")]
unsafe fn move_file_ex(from: *const u16, to: *const u16, flags: u32) -> Result<(), Errno>;
#[syscall_bridge(name = "GetCurrentDirectoryW")]
unsafe fn get_current_directory(len: u32, buffer: *mut u16) -> Result<u32, Errno>;
#[syscall_bridge(name = "SetCurrentDirectoryW")]
unsafe fn set_current_directory(path: *const u16) -> Result<(), Errno>;
#[syscall_bridge(name = "GetFullPathNameW")]
unsafe fn get_full_path_name(
    name: *const u16,
    len: u32,
    buffer: *mut u16,
    file_part: *mut *mut u16,
) -> Result<u32, Errno>;
#[syscall_bridge(name = "GetTickCount64")]
unsafe fn get_tick_count64() -> Result<u64, Errno>;
#[syscall_bridge(name = "FileTimeToSystemTime")]
unsafe fn file_time_to_system_time(ft: *const FileTime, st: *mut SystemTime) -> Result<(), Errno>;
#[syscall_bridge(name = "SystemTimeToFileTime")]
unsafe fn system_time_to_file_time(st: *const SystemTime, ft: *mut FileTime) -> Result<(), Errno>;

/// NUL-terminated UTF-16.
fn wide(s: impl AsRef<OsStr>) -> Vec<u16> {
    s.as_ref().encode_wide().chain([0]).collect()
}

/// The UTF-16 up to the first NUL.
fn from_wide(w: &[u16]) -> OsString {
    let end = w.iter().position(|&c| c == 0).unwrap_or(w.len());
    OsString::from_wide(&w[..end])
}

/// A fresh folder in the temp directory, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> Self {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos();
        let p = std::env::temp_dir().join(format!(
            "abi-bridge-win-{tag}-{}-{nanos}",
            std::process::id()
        ));
        std::fs::create_dir(&p).unwrap();
        TempDir(p)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn find_data() -> Box<FindData> {
    // SAFETY: all-zero is a valid FindData (integers and arrays of them).
    Box::new(unsafe { std::mem::zeroed() })
}

#[test]
fn find_first_file_lists_what_std_lists() {
    let dir = TempDir::new("find");
    std::fs::write(dir.0.join("alpha.txt"), b"12345").unwrap();
    std::fs::write(dir.0.join("beta.bin"), vec![7u8; 70_000]).unwrap();
    std::fs::create_dir(dir.0.join("sub")).unwrap();
    std::fs::write(dir.0.join("\u{e9}t\u{e9}"), b"").unwrap();

    let mut data = find_data();
    let pattern = wide(dir.0.join("*"));
    let find = unsafe { find_first_file(pattern.as_ptr(), &mut *data) }.unwrap();
    let mut seen = BTreeSet::new();
    loop {
        let name = from_wide(&data.file_name);
        if name != "." && name != ".." {
            let meta = std::fs::symlink_metadata(dir.0.join(&name)).unwrap();
            assert_eq!(data.file_attributes, meta.file_attributes(), "{name:?}");
            let is_dir = data.file_attributes & consts::FILE_ATTRIBUTE_DIRECTORY != 0;
            assert_eq!(is_dir, meta.is_dir(), "{name:?}");
            if !is_dir {
                let size = u64::from(data.file_size_high) << 32 | u64::from(data.file_size_low);
                assert_eq!(size, meta.len(), "{name:?}");
            }
            assert_eq!(
                data.last_write_time.to_u64(),
                meta.last_write_time(),
                "{name:?}"
            );
            seen.insert(name);
        }
        match unsafe { find_next_file(find, &mut *data) } {
            Ok(()) => {}
            // The end of the listing is reported as a failure with this code.
            Err(e) => {
                assert_eq!(e, Errno::ERROR_NO_MORE_FILES);
                break;
            }
        }
    }
    unsafe { find_close(find) }.unwrap();
    let std: BTreeSet<OsString> = std::fs::read_dir(&dir.0)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(seen, std);
    assert_eq!(seen.len(), 4);

    // A pattern that matches nothing fails as INVALID_HANDLE_VALUE with the code.
    let none = wide(dir.0.join("no-such-*.x"));
    assert_eq!(
        unsafe { find_first_file(none.as_ptr(), &mut *data) },
        Err(Errno::ERROR_FILE_NOT_FOUND)
    );
}

#[test]
fn file_information_agrees_with_std_metadata() {
    let dir = TempDir::new("info");
    let path = dir.0.join("data");
    std::fs::write(&path, vec![1u8; 12_345]).unwrap();
    let file = std::fs::File::open(&path).unwrap();
    let meta = file.metadata().unwrap();
    let h = file.as_raw_handle();

    let mut info = ByHandleFileInformation::default();
    unsafe { get_file_information_by_handle(h, &mut info) }.unwrap();
    assert_eq!(
        u64::from(info.file_size_high) << 32 | u64::from(info.file_size_low),
        meta.len()
    );
    assert_eq!(info.file_attributes, meta.file_attributes());
    assert_eq!(info.last_write_time.to_u64(), meta.last_write_time());
    assert_eq!(info.creation_time.to_u64(), meta.creation_time());
    assert_eq!(info.number_of_links, 1);

    let mut standard = FileStandardInfo::default();
    unsafe {
        get_file_information_by_handle_ex(
            h,
            consts::FileStandardInfo,
            (&raw mut standard).cast(),
            size_of::<FileStandardInfo>() as u32,
        )
    }
    .unwrap();
    assert_eq!(standard.end_of_file, 12_345);
    assert!(standard.allocation_size >= standard.end_of_file);
    assert_eq!(standard.number_of_links, 1);
    assert_eq!((standard.directory, standard.delete_pending), (0, 0));
    // A buffer too small for the class is refused with a code, not overrun.
    assert_eq!(
        unsafe {
            get_file_information_by_handle_ex(
                h,
                consts::FileStandardInfo,
                (&raw mut standard).cast(),
                4,
            )
        },
        Err(Errno::ERROR_BAD_LENGTH)
    );

    let mut attrs = FileAttributeData::default();
    let name = wide(&path);
    unsafe { get_file_attributes_ex(name.as_ptr(), consts::GetFileExInfoStandard, &mut attrs) }
        .unwrap();
    assert_eq!(attrs.file_attributes, meta.file_attributes());
    assert_eq!(
        u64::from(attrs.file_size_high) << 32 | u64::from(attrs.file_size_low),
        meta.len()
    );
    assert_eq!(attrs.last_write_time.to_u64(), meta.last_write_time());
    let missing = wide(dir.0.join("missing"));
    assert_eq!(
        unsafe {
            get_file_attributes_ex(missing.as_ptr(), consts::GetFileExInfoStandard, &mut attrs)
        },
        Err(Errno::ERROR_FILE_NOT_FOUND)
    );
}

#[test]
fn directories_are_made_moved_and_removed() {
    let dir = TempDir::new("dirs");
    let sub = dir.0.join("made");
    let wsub = wide(&sub);
    unsafe { create_directory(wsub.as_ptr(), std::ptr::null()) }.unwrap();
    assert!(std::fs::metadata(&sub).unwrap().is_dir());
    assert_eq!(
        unsafe { create_directory(wsub.as_ptr(), std::ptr::null()) },
        Err(Errno::ERROR_ALREADY_EXISTS)
    );

    // Move a file into it, replacing one that is there.
    let (from, to) = (dir.0.join("from.txt"), sub.join("to.txt"));
    std::fs::write(&from, b"new").unwrap();
    std::fs::write(&to, b"old").unwrap();
    let (wfrom, wto) = (wide(&from), wide(&to));
    assert_eq!(
        unsafe { move_file_ex(wfrom.as_ptr(), wto.as_ptr(), 0) },
        Err(Errno::ERROR_ALREADY_EXISTS),
        "without MOVEFILE_REPLACE_EXISTING an existing target stays"
    );
    unsafe {
        move_file_ex(
            wfrom.as_ptr(),
            wto.as_ptr(),
            consts::MOVEFILE_REPLACE_EXISTING,
        )
    }
    .unwrap();
    assert!(!from.exists());
    assert_eq!(std::fs::read(&to).unwrap(), b"new");

    assert_eq!(
        unsafe { remove_directory(wsub.as_ptr()) },
        Err(Errno::ERROR_DIR_NOT_EMPTY)
    );
    std::fs::remove_file(&to).unwrap();
    unsafe { remove_directory(wsub.as_ptr()) }.unwrap();
    assert!(!sub.exists());
}

/// The current directory is process-wide: one test reads and changes it,
/// and resolves relative paths against it.
#[test]
fn current_directory_and_full_paths_agree_with_std() {
    let before = std::env::current_dir().unwrap();
    let mut buf = [0u16; 1024];
    // Too small a buffer: the size needed, NUL included, and nothing written.
    let needed = unsafe { get_current_directory(1, buf.as_mut_ptr()) }.unwrap();
    assert_eq!(
        needed as usize,
        before.as_os_str().encode_wide().count() + 1
    );
    let len = unsafe { get_current_directory(buf.len() as u32, buf.as_mut_ptr()) }.unwrap();
    assert_eq!(len as usize, needed as usize - 1);
    assert_eq!(PathBuf::from(from_wide(&buf)), before);

    let dir = TempDir::new("cwd");
    let wdir = wide(&dir.0);
    unsafe { set_current_directory(wdir.as_ptr()) }.unwrap();
    let now = std::env::current_dir();
    let missing = wide(dir.0.join("missing"));
    let refused = unsafe { set_current_directory(missing.as_ptr()) };
    let relative = wide(r"a\..\b\file.txt");
    let mut part: *mut u16 = std::ptr::null_mut();
    let full = unsafe {
        get_full_path_name(
            relative.as_ptr(),
            buf.len() as u32,
            buf.as_mut_ptr(),
            &mut part,
        )
    };
    let full_text = from_wide(&buf);
    let std_abs = std::path::absolute(r"a\..\b\file.txt");
    // Back before asserting, so a failure leaves the process where it was.
    std::env::set_current_dir(&before).unwrap();

    assert_eq!(now.unwrap(), dir.0);
    assert_eq!(refused, Err(Errno::ERROR_FILE_NOT_FOUND));
    let full = full.unwrap();
    assert_eq!(full_text.len(), full as usize);
    assert_eq!(Path::new(&full_text), dir.0.join(r"b\file.txt"));
    assert_eq!(Path::new(&full_text), std_abs.unwrap());
    // `file_part` points at the last component, inside the buffer.
    let offset = unsafe { part.offset_from(buf.as_ptr()) };
    assert_eq!(from_wide(&buf[offset as usize..]), "file.txt");
}

#[test]
fn file_times_convert_to_calendar_dates_and_back() {
    let epoch = consts::FILETIME_UNIX_EPOCH;
    // 2000-02-29 13:14:15.678 UTC, a Tuesday: 951_830_055 s after 1970.
    let ft = FileTime::from_u64(epoch + 951_830_055 * 10_000_000 + 6_780_000);
    let mut st = SystemTime::default();
    unsafe { file_time_to_system_time(&ft, &mut st) }.unwrap();
    assert_eq!(
        st,
        SystemTime {
            year: 2000,
            month: 2,
            day_of_week: 2,
            day: 29,
            hour: 13,
            minute: 14,
            second: 15,
            milliseconds: 678,
        }
    );
    let mut back = FileTime::default();
    unsafe { system_time_to_file_time(&st, &mut back) }.unwrap();
    assert_eq!(back, ft);

    // std's clock, through both conversions, lands on the same second.
    let unix = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let now = FileTime::from_u64(epoch + unix * 10_000_000);
    unsafe { file_time_to_system_time(&now, &mut st) }.unwrap();
    unsafe { system_time_to_file_time(&st, &mut back) }.unwrap();
    assert_eq!((back.to_u64() - epoch) / 10_000_000, unix);

    // No 30 February: refused with the documented code.
    let bad = SystemTime {
        month: 2,
        day: 30,
        ..st
    };
    assert_eq!(
        unsafe { system_time_to_file_time(&bad, &mut back) },
        Err(Errno::ERROR_INVALID_PARAMETER)
    );
    // A FILETIME past 0x7fff_ffff_ffff_ffff is refused too.
    let huge = FileTime::from_u64(u64::MAX);
    assert_eq!(
        unsafe { file_time_to_system_time(&huge, &mut st) },
        Err(Errno::ERROR_INVALID_PARAMETER)
    );
}

#[test]
fn tick_count_follows_std_clock() {
    let a = unsafe { get_tick_count64() }.unwrap();
    let start = std::time::Instant::now();
    std::thread::sleep(std::time::Duration::from_millis(120));
    let b = unsafe { get_tick_count64() }.unwrap();
    let elapsed = start.elapsed().as_millis() as u64;
    // The tick has a resolution of 10-16 ms.
    assert!(
        b - a + 20 >= elapsed && b - a <= elapsed + 20,
        "ticks {} ms, std {elapsed} ms",
        b - a
    );
}
