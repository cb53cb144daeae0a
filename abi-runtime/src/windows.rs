//! Win32 calls, bridged from `targets/windows-x86_64.toml`: imported from
//! their DLLs without import libraries (`raw-dylib`), called with the win64
//! convention, failures decoded as the spec says (FALSE, NULL,
//! INVALID_HANDLE_VALUE, 0) with the code from `GetLastError` in the `Errno`.
//!
//! With the feature `all-calls`, the module `calls` has every function of the
//! table under its Win32 name (`CreateFileW`), typed from the spec, and this
//! module re-exports them beside the hand-written snake-case ones.

use core::ffi::c_void;

use crate::{Errno, syscall_bridge};

/// A kernel object handle.
pub type Handle = *mut c_void;

/// `SYSTEM_INFO`, filled by `GetSystemInfo`.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct SystemInfo {
    /// Processor architecture (low 16 bits) and reserved.
    pub oem_id: u32,
    /// Page size in bytes.
    pub page_size: u32,
    /// Lowest application address.
    pub minimum_application_address: *mut c_void,
    /// Highest application address.
    pub maximum_application_address: *mut c_void,
    /// Processors in the system group.
    pub active_processor_mask: usize,
    /// Number of processors.
    pub number_of_processors: u32,
    /// Obsolete processor type.
    pub processor_type: u32,
    /// Granularity of `VirtualAlloc` addresses.
    pub allocation_granularity: u32,
    /// Processor level.
    pub processor_level: u16,
    /// Processor revision.
    pub processor_revision: u16,
}

/// `FILETIME`: 100 ns intervals since 1601-01-01 UTC, in two halves (4-byte
/// aligned inside the structures that hold it).
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FileTime {
    /// The low 32 bits.
    pub low: u32,
    /// The high 32 bits.
    pub high: u32,
}

impl FileTime {
    /// The intervals as one number.
    pub fn intervals(self) -> u64 {
        u64::from(self.high) << 32 | u64::from(self.low)
    }
}

/// `WIN32_FIND_DATAW` (minwinbase.h), filled by `FindFirstFileW` and `FindNextFileW`.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct FindData {
    /// `FILE_ATTRIBUTE_*` bits.
    pub file_attributes: u32,
    /// Creation time.
    pub creation_time: FileTime,
    /// Last access time.
    pub last_access_time: FileTime,
    /// Last write time.
    pub last_write_time: FileTime,
    /// Size, high 32 bits.
    pub file_size_high: u32,
    /// Size, low 32 bits.
    pub file_size_low: u32,
    /// The reparse tag, when `file_attributes` has `FILE_ATTRIBUTE_REPARSE_POINT`.
    pub reserved0: u32,
    /// Reserved.
    pub reserved1: u32,
    /// The name, NUL-terminated UTF-16.
    pub file_name: [u16; 260],
    /// The 8.3 name.
    pub alternate_file_name: [u16; 14],
}

/// `BY_HANDLE_FILE_INFORMATION` (fileapi.h), filled by `GetFileInformationByHandle`.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default)]
pub struct ByHandleFileInformation {
    /// `FILE_ATTRIBUTE_*` bits.
    pub file_attributes: u32,
    /// Creation time.
    pub creation_time: FileTime,
    /// Last access time.
    pub last_access_time: FileTime,
    /// Last write time.
    pub last_write_time: FileTime,
    /// Serial number of the volume.
    pub volume_serial_number: u32,
    /// Size, high 32 bits.
    pub file_size_high: u32,
    /// Size, low 32 bits.
    pub file_size_low: u32,
    /// Hard links.
    pub number_of_links: u32,
    /// File id, high 32 bits.
    pub file_index_high: u32,
    /// File id, low 32 bits.
    pub file_index_low: u32,
}

/// `FILE_ATTRIBUTE_TAG_INFO` (minwinbase.h), for `GetFileInformationByHandleEx`'s
/// `FileAttributeTagInfo`.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default)]
pub struct FileAttributeTagInfo {
    /// `FILE_ATTRIBUTE_*` bits.
    pub file_attributes: u32,
    /// The reparse tag.
    pub reparse_tag: u32,
}

// The sizes of the mingw-w64 headers' structures.
const _: () = {
    assert!(size_of::<FindData>() == 592 && core::mem::offset_of!(FindData, file_name) == 44);
    assert!(size_of::<ByHandleFileInformation>() == 52);
    assert!(size_of::<FileAttributeTagInfo>() == 8);
};

// The calls the runtime itself makes, typed by hand and named in snake case.
// An `extern` block puts the bridged functions straight into this module;
// `calls::*` adds every call of the table under its Win32 name.
#[syscall_bridge]
unsafe extern "C" {
    /// Closes a handle.
    #[syscall_bridge(name = "CloseHandle")]
    pub unsafe fn close_handle(handle: Handle) -> Result<(), Errno>;
    /// Creates a directory (`path` is NUL-terminated UTF-16).
    #[syscall_bridge(name = "CreateDirectoryW")]
    pub unsafe fn create_directory(path: *const u16, security: *const c_void) -> Result<(), Errno>;
    /// Opens or creates a file (`name` is NUL-terminated UTF-16).
    #[syscall_bridge(name = "CreateFileW")]
    pub unsafe fn create_file(
        name: *const u16,
        desired_access: u32,
        share_mode: u32,
        security: *const c_void,
        creation_disposition: u32,
        flags_and_attributes: u32,
        template_file: Handle,
    ) -> Result<Handle, Errno>;
    /// Starts a directory search (`name` is a NUL-terminated UTF-16 pattern);
    /// the first match goes to `data`.
    #[syscall_bridge(name = "FindFirstFileW")]
    pub unsafe fn find_first_file(name: *const u16, data: *mut FindData) -> Result<Handle, Errno>;
    /// The next match of a directory search; `ERROR_NO_MORE_FILES` at the end.
    #[syscall_bridge(name = "FindNextFileW")]
    pub unsafe fn find_next_file(find: Handle, data: *mut FindData) -> Result<(), Errno>;
    /// Ends a directory search.
    #[syscall_bridge(name = "FindClose")]
    pub unsafe fn find_close(find: Handle) -> Result<(), Errno>;
    /// Attributes, times and size of an open file.
    #[syscall_bridge(name = "GetFileInformationByHandle")]
    pub unsafe fn get_file_information_by_handle(
        file: Handle,
        info: *mut ByHandleFileInformation,
    ) -> Result<(), Errno>;
    /// One class of information about an open file (`FileAttributeTagInfo`, ...).
    #[syscall_bridge(name = "GetFileInformationByHandleEx")]
    pub unsafe fn get_file_information_by_handle_ex(
        file: Handle,
        class: u32,
        info: *mut c_void,
        size: u32,
    ) -> Result<(), Errno>;
    /// Removes an empty directory (`path` is NUL-terminated UTF-16).
    #[syscall_bridge(name = "RemoveDirectoryW")]
    pub unsafe fn remove_directory(path: *const u16) -> Result<(), Errno>;
    /// Renames a file or directory (`flags`: `MOVEFILE_*`).
    #[syscall_bridge(name = "MoveFileExW")]
    pub unsafe fn move_file_ex(from: *const u16, to: *const u16, flags: u32) -> Result<(), Errno>;
    /// Writes the current directory (UTF-16) into `buffer`; returns its length
    /// without the NUL, or the size needed (with it) when `buffer` is too small.
    #[syscall_bridge(name = "GetCurrentDirectoryW")]
    pub unsafe fn get_current_directory(length: u32, buffer: *mut u16) -> Result<u32, Errno>;
    /// Changes the current directory (`path` is NUL-terminated UTF-16).
    #[syscall_bridge(name = "SetCurrentDirectoryW")]
    pub unsafe fn set_current_directory(path: *const u16) -> Result<(), Errno>;
    /// Deletes a file (`name` is NUL-terminated UTF-16).
    #[syscall_bridge(name = "DeleteFileW")]
    pub unsafe fn delete_file(name: *const u16) -> Result<(), Errno>;
    /// Ends the process.
    #[syscall_bridge(name = "ExitProcess")]
    pub unsafe fn exit_process(exit_code: u32) -> !;
    /// The process's command line (NUL-terminated UTF-16); cannot fail.
    #[syscall_bridge(name = "GetCommandLineW")]
    pub unsafe fn get_command_line() -> Result<*const u16, Errno>;
    /// The process id; cannot fail.
    #[syscall_bridge(name = "GetCurrentProcessId")]
    pub unsafe fn get_current_process_id() -> Result<u32, Errno>;
    /// The thread id; cannot fail.
    #[syscall_bridge(name = "GetCurrentThreadId")]
    pub unsafe fn get_current_thread_id() -> Result<u32, Errno>;
    /// Reads an environment variable into `buffer` (UTF-16); returns its length,
    /// or the size needed when `buffer` is too small.
    #[syscall_bridge(name = "GetEnvironmentVariableW")]
    pub unsafe fn get_environment_variable(
        name: *const u16,
        buffer: *mut u16,
        size: u32,
    ) -> Result<u32, Errno>;
    /// The size of a file, into an `i64`.
    #[syscall_bridge(name = "GetFileSizeEx")]
    pub unsafe fn get_file_size(file: Handle, size: *mut i64) -> Result<(), Errno>;
    /// The error code of the calling thread's last failed call.
    #[syscall_bridge(name = "GetLastError")]
    pub unsafe fn get_last_error() -> Result<u32, Errno>;
    /// A standard handle.
    #[syscall_bridge(name = "GetStdHandle")]
    pub unsafe fn get_std_handle(which: u32) -> Result<Handle, Errno>;
    /// Fills a `SYSTEM_INFO`.
    #[syscall_bridge(name = "GetSystemInfo")]
    pub unsafe fn get_system_info(info: *mut SystemInfo) -> Result<(), Errno>;
    /// The time as a `FILETIME` (100 ns since 1601-01-01).
    #[syscall_bridge(name = "GetSystemTimePreciseAsFileTime")]
    pub unsafe fn get_system_time_precise(file_time: *mut u64) -> Result<(), Errno>;
    /// Fills a buffer with random bytes.
    #[syscall_bridge(name = "ProcessPrng")]
    pub unsafe fn process_prng(data: *mut u8, len: usize) -> Result<(), Errno>;
    /// The performance counter.
    #[syscall_bridge(name = "QueryPerformanceCounter")]
    pub unsafe fn query_performance_counter(count: *mut i64) -> Result<(), Errno>;
    /// The performance counter's frequency, in counts per second.
    #[syscall_bridge(name = "QueryPerformanceFrequency")]
    pub unsafe fn query_performance_frequency(frequency: *mut i64) -> Result<(), Errno>;
    /// Reads from a file.
    #[syscall_bridge(name = "ReadFile")]
    pub unsafe fn read_file(
        file: Handle,
        buffer: *mut u8,
        to_read: u32,
        read: *mut u32,
        overlapped: *mut c_void,
    ) -> Result<(), Errno>;
    /// Moves a file pointer; the new position goes to `new_position`.
    #[syscall_bridge(name = "SetFilePointerEx")]
    pub unsafe fn set_file_pointer(
        file: Handle,
        distance: i64,
        new_position: *mut i64,
        move_method: u32,
    ) -> Result<(), Errno>;
    /// Sleeps.
    #[syscall_bridge(name = "Sleep")]
    pub unsafe fn sleep(milliseconds: u32) -> Result<(), Errno>;
    /// Yields to another ready thread; `false` if there was none.
    #[syscall_bridge(name = "SwitchToThread")]
    pub unsafe fn switch_to_thread() -> Result<bool, Errno>;
    /// Reserves and commits pages.
    #[syscall_bridge(name = "VirtualAlloc")]
    pub unsafe fn virtual_alloc(
        address: *mut c_void,
        size: usize,
        allocation_type: u32,
        protect: u32,
    ) -> Result<*mut c_void, Errno>;
    /// Releases pages.
    #[syscall_bridge(name = "VirtualFree")]
    pub unsafe fn virtual_free(
        address: *mut c_void,
        size: usize,
        free_type: u32,
    ) -> Result<(), Errno>;
    /// Changes page protection; the old one goes to `old_protect`.
    #[syscall_bridge(name = "VirtualProtect")]
    pub unsafe fn virtual_protect(
        address: *mut c_void,
        size: usize,
        new_protect: u32,
        old_protect: *mut u32,
    ) -> Result<(), Errno>;
    /// Writes to a file.
    #[syscall_bridge(name = "WriteFile")]
    pub unsafe fn write_file(
        file: Handle,
        buffer: *const u8,
        to_write: u32,
        written: *mut u32,
        overlapped: *mut c_void,
    ) -> Result<(), Errno>;
}

// Every call of this target's table, typed from the spec (feature `all-calls`).
#[cfg(feature = "all-calls")]
abi_macros::__all_calls!(calls);
#[cfg(feature = "all-calls")]
pub use calls::*;
