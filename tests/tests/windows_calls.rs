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

/// `STATUS_INFO_LENGTH_MISMATCH`, `((NTSTATUS)0xC0000004)` in mingw-w64's
/// ntstatus.h: not in the spec's constants, whose check includes one header
/// and ntstatus.h needs windows.h's types first.
const STATUS_INFO_LENGTH_MISMATCH: i32 = 0xC000_0004_u32 as i32;

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
    // std's clock read outside and inside the two ticks: the ticks lie between
    // (within the tick's 10-16 ms resolution), however the threads are scheduled.
    let outer = std::time::Instant::now();
    let a = unsafe { get_tick_count64() }.unwrap();
    let inner = std::time::Instant::now();
    std::thread::sleep(std::time::Duration::from_millis(120));
    let inner_ms = inner.elapsed().as_millis() as u64;
    let b = unsafe { get_tick_count64() }.unwrap();
    let outer_ms = outer.elapsed().as_millis() as u64;
    assert!(
        b - a + 20 >= inner_ms && b - a <= outer_ms + 20,
        "ticks {} ms, std {inner_ms}..{outer_ms} ms",
        b - a
    );
}

/// `STARTUPINFOW` (processthreadsapi.h).
#[repr(C)]
struct StartupInfo {
    cb: u32,
    reserved: *mut u16,
    desktop: *mut u16,
    title: *mut u16,
    x: u32,
    y: u32,
    x_size: u32,
    y_size: u32,
    x_count_chars: u32,
    y_count_chars: u32,
    fill_attribute: u32,
    flags: u32,
    show_window: u16,
    cb_reserved2: u16,
    reserved2: *mut u8,
    std_input: Handle,
    std_output: Handle,
    std_error: Handle,
}

/// `PROCESS_INFORMATION` (processthreadsapi.h).
#[repr(C)]
struct ProcessInformation {
    process: Handle,
    thread: Handle,
    process_id: u32,
    thread_id: u32,
}

/// `MEMORY_BASIC_INFORMATION` (winnt.h).
#[repr(C)]
#[derive(Debug)]
struct MemoryBasicInformation {
    base_address: *mut c_void,
    allocation_base: *mut c_void,
    allocation_protect: u32,
    region_size: usize,
    state: u32,
    protect: u32,
    kind: u32,
}

/// `IO_STATUS_BLOCK` (winternl.h): a status (or pointer) and a count.
#[repr(C)]
#[derive(Default)]
struct IoStatusBlock {
    status: usize,
    information: usize,
}

/// `FILE_STANDARD_INFORMATION` (ntifs.h), class `FileStandardInformation`.
#[repr(C)]
#[derive(Default)]
struct FileStandardInformation {
    allocation_size: i64,
    end_of_file: i64,
    number_of_links: u32,
    delete_pending: u8,
    directory: u8,
}

// The Win32 signature, as it is.
#[allow(clippy::too_many_arguments)]
#[syscall_bridge(name = "CreateProcessW")]
unsafe fn create_process(
    application_name: *const u16,
    command_line: *mut u16,
    process_attributes: *mut c_void,
    thread_attributes: *mut c_void,
    inherit_handles: i32,
    creation_flags: u32,
    environment: *mut c_void,
    current_directory: *const u16,
    startup_info: *mut StartupInfo,
    process_information: *mut ProcessInformation,
) -> Result<(), Errno>;
#[syscall_bridge(name = "WaitForSingleObject")]
unsafe fn wait_for_single_object(handle: Handle, milliseconds: u32) -> Result<u32, Errno>;
#[syscall_bridge(name = "GetExitCodeProcess")]
unsafe fn get_exit_code_process(process: Handle, code: *mut u32) -> Result<(), Errno>;
#[syscall_bridge(name = "TerminateProcess")]
unsafe fn terminate_process(process: Handle, exit_code: u32) -> Result<(), Errno>;
#[syscall_bridge(name = "CreateThread")]
unsafe fn create_thread(
    attributes: *mut c_void,
    stack_size: usize,
    start: *const c_void,
    parameter: *mut c_void,
    flags: u32,
    thread_id: *mut u32,
) -> Result<Handle, Errno>;
#[syscall_bridge(name = "GetCurrentProcess")]
unsafe fn get_current_process() -> Result<Handle, Errno>;
#[syscall_bridge(name = "GetCurrentThread")]
unsafe fn get_current_thread() -> Result<Handle, Errno>;
#[syscall_bridge(name = "CloseHandle")]
unsafe fn close_handle(handle: Handle) -> Result<(), Errno>;
#[syscall_bridge(name = "WaitOnAddress")]
unsafe fn wait_on_address(
    address: *mut c_void,
    compare: *mut c_void,
    size: usize,
    milliseconds: u32,
) -> Result<(), Errno>;
#[syscall_bridge(name = "WakeByAddressSingle")]
unsafe fn wake_by_address_single(address: *mut c_void) -> Result<(), Errno>;
#[syscall_bridge(name = "WakeByAddressAll")]
unsafe fn wake_by_address_all(address: *mut c_void) -> Result<(), Errno>;
#[syscall_bridge(name = "InitializeSRWLock")]
unsafe fn initialize_srw_lock(lock: *mut usize) -> Result<(), Errno>;
#[syscall_bridge(name = "AcquireSRWLockExclusive")]
unsafe fn acquire_srw_lock_exclusive(lock: *mut usize) -> Result<(), Errno>;
#[syscall_bridge(name = "ReleaseSRWLockExclusive")]
unsafe fn release_srw_lock_exclusive(lock: *mut usize) -> Result<(), Errno>;
#[syscall_bridge(name = "AcquireSRWLockShared")]
unsafe fn acquire_srw_lock_shared(lock: *mut usize) -> Result<(), Errno>;
#[syscall_bridge(name = "ReleaseSRWLockShared")]
unsafe fn release_srw_lock_shared(lock: *mut usize) -> Result<(), Errno>;
// A BOOLEAN: only the low 8 bits are the answer.
#[syscall_bridge(name = "TryAcquireSRWLockExclusive")]
unsafe fn try_acquire_srw_lock_exclusive(lock: *mut usize) -> Result<u8, Errno>;
#[syscall_bridge(name = "CreateEventW")]
unsafe fn create_event(
    attributes: *mut c_void,
    manual_reset: i32,
    initial_state: i32,
    name: *const u16,
) -> Result<Handle, Errno>;
#[syscall_bridge(name = "SetEvent")]
unsafe fn set_event(event: Handle) -> Result<(), Errno>;
#[syscall_bridge(name = "ResetEvent")]
unsafe fn reset_event(event: Handle) -> Result<(), Errno>;
#[syscall_bridge(name = "VirtualAlloc")]
unsafe fn virtual_alloc(
    address: *mut c_void,
    size: usize,
    allocation_type: u32,
    protect: u32,
) -> Result<*mut c_void, Errno>;
#[syscall_bridge(name = "VirtualProtect")]
unsafe fn virtual_protect(
    address: *mut c_void,
    size: usize,
    new_protect: u32,
    old_protect: *mut u32,
) -> Result<(), Errno>;
#[syscall_bridge(name = "VirtualFree")]
unsafe fn virtual_free(address: *mut c_void, size: usize, free_type: u32) -> Result<(), Errno>;
#[syscall_bridge(name = "VirtualQuery")]
unsafe fn virtual_query(
    address: *const c_void,
    info: *mut MemoryBasicInformation,
    length: usize,
) -> Result<usize, Errno>;
#[syscall_bridge(name = "GetProcessHeap")]
unsafe fn get_process_heap() -> Result<Handle, Errno>;
#[syscall_bridge(name = "HeapAlloc")]
unsafe fn heap_alloc(heap: Handle, flags: u32, bytes: usize) -> Result<*mut u8, Errno>;
#[syscall_bridge(name = "HeapFree")]
unsafe fn heap_free(heap: Handle, flags: u32, mem: *mut u8) -> Result<(), Errno>;
#[syscall_bridge(name = "GetConsoleMode")]
unsafe fn get_console_mode(console: Handle, mode: *mut u32) -> Result<(), Errno>;
#[syscall_bridge(name = "SetConsoleMode")]
unsafe fn set_console_mode(console: Handle, mode: u32) -> Result<(), Errno>;
#[syscall_bridge(name = "WriteConsoleW")]
unsafe fn write_console(
    console: Handle,
    buffer: *const u16,
    chars: u32,
    written: *mut u32,
    reserved: *mut c_void,
) -> Result<(), Errno>;
#[syscall_bridge(name = "CreatePipe")]
unsafe fn create_pipe(
    read: *mut Handle,
    write: *mut Handle,
    attributes: *mut c_void,
    size: u32,
) -> Result<(), Errno>;
#[syscall_bridge(name = "ReadFile")]
unsafe fn read_file(
    file: Handle,
    buffer: *mut u8,
    to_read: u32,
    read: *mut u32,
    overlapped: *mut c_void,
) -> Result<(), Errno>;
#[syscall_bridge(name = "WriteFile")]
unsafe fn write_file(
    file: Handle,
    buffer: *const u8,
    to_write: u32,
    written: *mut u32,
    overlapped: *mut c_void,
) -> Result<(), Errno>;
#[syscall_bridge(name = "NtQueryInformationFile")]
unsafe fn nt_query_information_file(
    file: Handle,
    io: *mut IoStatusBlock,
    info: *mut c_void,
    len: u32,
    class: u32,
) -> Result<u32, Errno>;

/// Runs `command_line` (through `cmd.exe`); `suspended` leaves its first
/// thread stopped.
fn spawn(command_line: &str, suspended: bool) -> ProcessInformation {
    let mut cmd = wide(command_line);
    // SAFETY: all-zero is valid for both (integers and null pointers).
    let mut si: StartupInfo = unsafe { std::mem::zeroed() };
    si.cb = size_of::<StartupInfo>() as u32;
    let mut pi: ProcessInformation = unsafe { std::mem::zeroed() };
    let flags = if suspended {
        consts::CREATE_SUSPENDED
    } else {
        0
    };
    unsafe {
        create_process(
            std::ptr::null(),
            cmd.as_mut_ptr(),
            std::ptr::null_mut(),
            std::ptr::null_mut(),
            0,
            flags,
            std::ptr::null_mut(),
            std::ptr::null(),
            &mut si,
            &mut pi,
        )
    }
    .unwrap();
    assert_ne!(pi.process_id, 0);
    pi
}

#[test]
fn a_child_process_exit_code_comes_back() {
    let pi = spawn("cmd.exe /c exit 3", false);
    assert_eq!(
        unsafe { wait_for_single_object(pi.process, consts::INFINITE) },
        Ok(consts::WAIT_OBJECT_0)
    );
    let mut code = 0;
    unsafe { get_exit_code_process(pi.process, &mut code) }.unwrap();
    assert_eq!(code, 3);
    unsafe { close_handle(pi.thread) }.unwrap();
    unsafe { close_handle(pi.process) }.unwrap();

    // A suspended child is still active until terminated, then has the given code.
    let pi = spawn("cmd.exe /c exit 5", true);
    unsafe { get_exit_code_process(pi.process, &mut code) }.unwrap();
    assert_eq!(code, consts::STILL_ACTIVE);
    assert_eq!(
        unsafe { wait_for_single_object(pi.process, 50) },
        Ok(consts::WAIT_TIMEOUT)
    );
    unsafe { terminate_process(pi.process, 77) }.unwrap();
    assert_eq!(
        unsafe { wait_for_single_object(pi.process, consts::INFINITE) },
        Ok(consts::WAIT_OBJECT_0)
    );
    unsafe { get_exit_code_process(pi.process, &mut code) }.unwrap();
    assert_eq!(code, 77);
    unsafe { close_handle(pi.thread) }.unwrap();
    unsafe { close_handle(pi.process) }.unwrap();

    // A program that does not exist.
    let mut cmd = wide("abi-bridge-no-such-program.exe");
    let mut si: StartupInfo = unsafe { std::mem::zeroed() };
    si.cb = size_of::<StartupInfo>() as u32;
    let mut pi: ProcessInformation = unsafe { std::mem::zeroed() };
    let err = unsafe {
        create_process(
            std::ptr::null(),
            cmd.as_mut_ptr(),
            std::ptr::null_mut(),
            std::ptr::null_mut(),
            0,
            0,
            std::ptr::null_mut(),
            std::ptr::null(),
            &mut si,
            &mut pi,
        )
    };
    assert_eq!(err, Err(Errno::ERROR_FILE_NOT_FOUND));
}

#[test]
fn current_process_and_thread_are_pseudo_handles_that_work() {
    let process = unsafe { get_current_process() }.unwrap();
    let thread = unsafe { get_current_thread() }.unwrap();
    // Documented values: (HANDLE)-1 and (HANDLE)-2.
    assert_eq!(process as isize, -1);
    assert_eq!(thread as isize, -2);
    let mut code = 0;
    unsafe { get_exit_code_process(process, &mut code) }.unwrap();
    assert_eq!(code, consts::STILL_ACTIVE);
    // A running thread is not signalled: waiting on oneself times out.
    assert_eq!(
        unsafe { wait_for_single_object(thread, 10) },
        Ok(consts::WAIT_TIMEOUT)
    );
    // WAIT_FAILED, a DWORD with all bits set, decodes to the last error.
    assert_eq!(
        unsafe { wait_for_single_object(std::ptr::null_mut(), 0) },
        Err(Errno::ERROR_INVALID_HANDLE)
    );
}

extern "system" fn thread_main(parameter: *mut c_void) -> u32 {
    // SAFETY: the test passes a pointer to an AtomicU32 that outlives the thread.
    let cell = unsafe { &*parameter.cast::<std::sync::atomic::AtomicU32>() };
    cell.store(0xC0FFEE, std::sync::atomic::Ordering::SeqCst);
    7
}

#[test]
fn a_created_thread_runs_its_function() {
    let cell = std::sync::atomic::AtomicU32::new(0);
    let mut id = 0;
    let h = unsafe {
        create_thread(
            std::ptr::null_mut(),
            0,
            thread_main as *const c_void,
            (&raw const cell).cast_mut().cast(),
            0,
            &mut id,
        )
    }
    .unwrap();
    assert_ne!(id, 0);
    assert_ne!(
        id,
        unsafe { abi_runtime::windows::get_current_thread_id() }.unwrap()
    );
    assert_eq!(
        unsafe { wait_for_single_object(h, consts::INFINITE) },
        Ok(consts::WAIT_OBJECT_0)
    );
    assert_eq!(cell.load(std::sync::atomic::Ordering::SeqCst), 0xC0FFEE);
    unsafe { close_handle(h) }.unwrap();
    // (Not the closed handle again: tests on other threads may reuse its value.)
    assert_eq!(
        unsafe { close_handle(std::ptr::null_mut()) },
        Err(Errno::ERROR_INVALID_HANDLE)
    );
}

#[test]
fn wait_on_address_sleeps_until_woken() {
    use std::sync::atomic::{AtomicU32, Ordering};
    let word = AtomicU32::new(0);
    let addr = || (&raw const word).cast_mut().cast::<c_void>();
    let mut expected: u32 = 1;
    // The value differs from `compare`: returns at once.
    unsafe { wait_on_address(addr(), (&raw mut expected).cast(), 4, consts::INFINITE) }.unwrap();
    // The value equals `compare` and nobody wakes it: a timeout, as an error.
    let mut same: u32 = 0;
    assert_eq!(
        unsafe { wait_on_address(addr(), (&raw mut same).cast(), 4, 20) },
        Err(Errno::ERROR_TIMEOUT)
    );

    let woken = AtomicU32::new(0);
    std::thread::scope(|s| {
        for _ in 0..3 {
            s.spawn(|| {
                let mut zero: u32 = 0;
                while word.load(Ordering::SeqCst) == 0 {
                    // Spurious wakes are allowed: re-check the value.
                    let _ = unsafe {
                        wait_on_address(addr(), (&raw mut zero).cast(), 4, consts::INFINITE)
                    };
                }
                woken.fetch_add(1, Ordering::SeqCst);
            });
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
        assert_eq!(
            woken.load(Ordering::SeqCst),
            0,
            "waiters ran past an unchanged value"
        );
        word.store(1, Ordering::SeqCst);
        unsafe { wake_by_address_single(addr()) }.unwrap();
        let start = std::time::Instant::now();
        while woken.load(Ordering::SeqCst) == 0 {
            assert!(
                start.elapsed().as_secs() < 10,
                "WakeByAddressSingle woke nobody"
            );
            std::thread::yield_now();
        }
        unsafe { wake_by_address_all(addr()) }.unwrap();
    });
    assert_eq!(woken.load(Ordering::SeqCst), 3);
}

#[test]
fn srw_lock_excludes_writers_and_shares_readers() {
    struct Shared {
        lock: std::cell::UnsafeCell<usize>,
        counter: std::cell::UnsafeCell<u64>,
    }
    // SAFETY: `counter` is only touched under `lock`, which the OS makes thread-safe.
    unsafe impl Sync for Shared {}
    let shared = Shared {
        lock: std::cell::UnsafeCell::new(usize::MAX),
        counter: std::cell::UnsafeCell::new(0),
    };
    let lock = shared.lock.get();
    unsafe { initialize_srw_lock(lock) }.unwrap();
    // SRWLOCK_INIT is all zeros.
    assert_eq!(unsafe { *lock }, 0);

    const THREADS: u64 = 4;
    const ROUNDS: u64 = 20_000;
    // The whole struct, not its fields (closures capture fields one by one).
    let shared = &shared;
    std::thread::scope(|s| {
        for _ in 0..THREADS {
            s.spawn(move || {
                for _ in 0..ROUNDS {
                    unsafe { acquire_srw_lock_exclusive(shared.lock.get()) }.unwrap();
                    // A read-modify-write that loses updates without exclusion.
                    let c = shared.counter.get();
                    unsafe { c.write_volatile(c.read_volatile() + 1) };
                    unsafe { release_srw_lock_exclusive(shared.lock.get()) }.unwrap();
                }
            });
        }
    });
    assert_eq!(unsafe { *shared.counter.get() }, THREADS * ROUNDS);

    // Held shared here: another thread gets it shared too, but not exclusive.
    unsafe { acquire_srw_lock_shared(lock) }.unwrap();
    std::thread::scope(|s| {
        s.spawn(move || {
            let l = shared.lock.get();
            assert_eq!(unsafe { try_acquire_srw_lock_exclusive(l) }, Ok(0));
            unsafe { acquire_srw_lock_shared(l) }.unwrap();
            unsafe { release_srw_lock_shared(l) }.unwrap();
        });
    });
    unsafe { release_srw_lock_shared(lock) }.unwrap();
    // Free again: the try succeeds.
    assert_ne!(unsafe { try_acquire_srw_lock_exclusive(lock) }, Ok(0));
    unsafe { release_srw_lock_exclusive(lock) }.unwrap();
}

#[test]
fn events_signal_and_reset() {
    let timeout = Ok(consts::WAIT_TIMEOUT);
    let signalled = Ok(consts::WAIT_OBJECT_0);
    let manual = unsafe { create_event(std::ptr::null_mut(), 1, 0, std::ptr::null()) }.unwrap();
    assert_eq!(unsafe { wait_for_single_object(manual, 0) }, timeout);
    unsafe { set_event(manual) }.unwrap();
    // A manual-reset event stays signalled through waits.
    assert_eq!(unsafe { wait_for_single_object(manual, 0) }, signalled);
    assert_eq!(unsafe { wait_for_single_object(manual, 0) }, signalled);
    unsafe { reset_event(manual) }.unwrap();
    assert_eq!(unsafe { wait_for_single_object(manual, 0) }, timeout);

    // An auto-reset event, set from another thread, releases one wait.
    let auto = unsafe { create_event(std::ptr::null_mut(), 0, 0, std::ptr::null()) }.unwrap();
    let raw = auto as usize;
    let setter = std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_millis(30));
        unsafe { set_event(raw as Handle) }
    });
    assert_eq!(
        unsafe { wait_for_single_object(auto, consts::INFINITE) },
        signalled
    );
    setter.join().unwrap().unwrap();
    assert_eq!(unsafe { wait_for_single_object(auto, 0) }, timeout);

    unsafe { close_handle(manual) }.unwrap();
    unsafe { close_handle(auto) }.unwrap();
    assert_eq!(
        unsafe { set_event(std::ptr::null_mut()) },
        Err(Errno::ERROR_INVALID_HANDLE)
    );
}

#[test]
fn virtual_query_describes_an_allocation() {
    let page = 4096;
    let base = unsafe {
        virtual_alloc(
            std::ptr::null_mut(),
            3 * page,
            consts::MEM_COMMIT | consts::MEM_RESERVE,
            consts::PAGE_READWRITE,
        )
    }
    .unwrap();
    let mut old = 0;
    unsafe {
        virtual_protect(
            base.cast::<u8>().add(page).cast(),
            page,
            consts::PAGE_READONLY,
            &mut old,
        )
    }
    .unwrap();
    assert_eq!(old, consts::PAGE_READWRITE);

    // SAFETY: all-zero is valid (null pointers and integers).
    let mut info: MemoryBasicInformation = unsafe { std::mem::zeroed() };
    let query = |addr: *const c_void, info: &mut MemoryBasicInformation| unsafe {
        virtual_query(addr, info, size_of::<MemoryBasicInformation>())
    };
    assert_eq!(
        query(base, &mut info),
        Ok(size_of::<MemoryBasicInformation>())
    );
    assert_eq!(info.base_address, base);
    assert_eq!(info.allocation_base, base);
    assert_eq!(
        info.region_size, page,
        "the protection change splits the region"
    );
    assert_eq!(info.protect, consts::PAGE_READWRITE);
    assert_eq!(info.allocation_protect, consts::PAGE_READWRITE);
    assert_eq!(info.state, consts::MEM_COMMIT);
    assert_eq!(info.kind, consts::MEM_PRIVATE);
    let middle = unsafe { base.cast::<u8>().add(page + 100) }.cast::<c_void>();
    query(middle, &mut info).unwrap();
    assert_eq!(
        info.base_address,
        unsafe { base.cast::<u8>().add(page) }.cast()
    );
    assert_eq!(info.region_size, page);
    assert_eq!(info.protect, consts::PAGE_READONLY);
    let last = unsafe { base.cast::<u8>().add(2 * page) }.cast::<c_void>();
    query(last, &mut info).unwrap();
    assert_eq!(info.protect, consts::PAGE_READWRITE);

    // Too small a buffer, and an address past the user space, fail with codes.
    assert_eq!(
        unsafe { virtual_query(base, &mut info, 4) },
        Err(Errno::ERROR_BAD_LENGTH)
    );
    assert_eq!(
        query(usize::MAX as *const c_void, &mut info),
        Err(Errno::ERROR_INVALID_PARAMETER)
    );

    unsafe { virtual_free(base, 0, consts::MEM_RELEASE) }.unwrap();
    query(base, &mut info).unwrap();
    assert_ne!(
        info.state,
        consts::MEM_COMMIT,
        "released pages still committed"
    );
}

#[test]
fn process_heap_allocates_zeroed_memory() {
    let heap = unsafe { get_process_heap() }.unwrap();
    assert!(!heap.is_null());
    let n = 10_000;
    let p = unsafe { heap_alloc(heap, consts::HEAP_ZERO_MEMORY, n) }.unwrap();
    assert!(!p.is_null());
    // SAFETY: HeapAlloc returned n bytes.
    let bytes = unsafe { std::slice::from_raw_parts_mut(p, n) };
    assert!(bytes.iter().all(|&b| b == 0));
    for (i, b) in bytes.iter_mut().enumerate() {
        *b = i as u8;
    }
    assert!(bytes.iter().enumerate().all(|(i, &b)| b == i as u8));
    unsafe { heap_free(heap, 0, p) }.unwrap();
    // More than the address space: NULL, handed back as it is (no error code is set).
    let huge = unsafe { heap_alloc(heap, 0, usize::MAX - 4096) }.unwrap();
    assert!(huge.is_null());
}

#[test]
fn a_pipe_carries_bytes_and_is_no_console() {
    let (mut r, mut w): (Handle, Handle) = (std::ptr::null_mut(), std::ptr::null_mut());
    unsafe { create_pipe(&mut r, &mut w, std::ptr::null_mut(), 0) }.unwrap();
    let msg = b"through the pipe";
    let mut n = 0;
    unsafe {
        write_file(
            w,
            msg.as_ptr(),
            msg.len() as u32,
            &mut n,
            std::ptr::null_mut(),
        )
    }
    .unwrap();
    assert_eq!(n as usize, msg.len());
    let mut buf = [0u8; 64];
    unsafe { read_file(r, buf.as_mut_ptr(), 64, &mut n, std::ptr::null_mut()) }.unwrap();
    assert_eq!(&buf[..n as usize], msg);

    // Console calls on a pipe handle fail with the documented code.
    let mut mode = 0;
    assert_eq!(
        unsafe { get_console_mode(w, &mut mode) },
        Err(Errno::ERROR_INVALID_HANDLE)
    );
    assert_eq!(
        unsafe { set_console_mode(w, 1) },
        Err(Errno::ERROR_INVALID_HANDLE)
    );
    let text = wide("no console");
    assert_eq!(
        unsafe { write_console(w, text.as_ptr(), 10, &mut n, std::ptr::null_mut()) },
        Err(Errno::ERROR_INVALID_HANDLE)
    );

    // With the write end closed, reading reports a broken pipe.
    unsafe { close_handle(w) }.unwrap();
    assert_eq!(
        unsafe { read_file(r, buf.as_mut_ptr(), 64, &mut n, std::ptr::null_mut()) },
        Err(Errno::ERROR_BROKEN_PIPE)
    );
    unsafe { close_handle(r) }.unwrap();
}

#[test]
fn nt_query_information_file_gives_std_size() {
    let dir = TempDir::new("ntquery");
    let path = dir.0.join("data");
    std::fs::write(&path, vec![9u8; 54_321]).unwrap();
    let file = std::fs::File::open(&path).unwrap();
    let h = file.as_raw_handle();
    let mut io = IoStatusBlock::default();
    let mut info = FileStandardInformation::default();
    let status = unsafe {
        nt_query_information_file(
            h,
            &mut io,
            (&raw mut info).cast(),
            size_of::<FileStandardInformation>() as u32,
            consts::FileStandardInformation,
        )
    };
    assert_eq!(status, Ok(0), "STATUS_SUCCESS");
    assert_eq!(info.end_of_file as u64, file.metadata().unwrap().len());
    assert_eq!(info.number_of_links, 1);
    assert_eq!(info.directory, 0);
    assert_eq!(io.information, size_of::<FileStandardInformation>());

    // The error is the NTSTATUS itself, not GetLastError's code.
    let status = unsafe {
        nt_query_information_file(
            h,
            &mut io,
            (&raw mut info).cast(),
            4,
            consts::FileStandardInformation,
        )
    };
    assert_eq!(status, Err(Errno::from_raw(STATUS_INFO_LENGTH_MISMATCH)));
}
