//! Windows: the code block lives in a pagefile-backed section, written
//! through a read-write view that is unmapped before any executable view
//! exists; each block is a `FILE_MAP_READ | FILE_MAP_EXECUTE` view of it at
//! an address found free, followed by read-write pages committed right after
//! it. 64 KiB blocks match the allocation granularity views are placed at.

use core::ffi::c_void;
use core::ptr::null_mut;

use super::MapError;
use crate::Errno;
use crate::consts as c;
use crate::syscall_bridge;
use crate::windows as sys;

#[syscall_bridge]
mod calls {
    use crate::Errno;
    use core::ffi::c_void;

    /// Creates a file-mapping (section) object.
    #[syscall_bridge(name = "CreateFileMappingW")]
    pub unsafe fn create_file_mapping(
        file: *mut c_void,
        attributes: *mut c_void,
        protect: u32,
        maximum_size_high: u32,
        maximum_size_low: u32,
        name: *const u16,
    ) -> Result<*mut c_void, Errno>;
    /// Maps a view of a section, at `base_address` unless it is null.
    #[syscall_bridge(name = "MapViewOfFileEx")]
    pub unsafe fn map_view_of_file_ex(
        section: *mut c_void,
        desired_access: u32,
        offset_high: u32,
        offset_low: u32,
        bytes: usize,
        base_address: *mut c_void,
    ) -> Result<*mut c_void, Errno>;
    /// Unmaps a view.
    #[syscall_bridge(name = "UnmapViewOfFile")]
    pub unsafe fn unmap_view_of_file(base_address: *const c_void) -> Result<(), Errno>;
}

pub(super) fn yield_now() {
    // SAFETY: no memory is passed.
    let _ = unsafe { sys::switch_to_thread() };
}

/// `INVALID_HANDLE_VALUE`: a section backed by the paging file.
const PAGING_FILE: *mut c_void = usize::MAX as *mut c_void;

/// A section of `block` bytes holding copies of `thunk`, one per `thunk.len()`.
pub(super) fn code_object(thunk: &[u8], block: usize) -> Result<usize, MapError> {
    // SAFETY: an unnamed section with default security; the size fits u32.
    let section = unsafe {
        calls::create_file_mapping(
            PAGING_FILE,
            null_mut(),
            c::PAGE_EXECUTE_READWRITE,
            0,
            block as u32,
            core::ptr::null(),
        )
    }
    .map_err(MapError::Os)?;
    // SAFETY: a read-write view of the whole section, placed by the system.
    let view = unsafe {
        calls::map_view_of_file_ex(section, c::FILE_MAP_WRITE, 0, 0, block, null_mut())
    };
    let view = match view {
        Ok(v) => v.cast::<u8>(),
        Err(e) => {
            // SAFETY: the section is ours and not used again.
            let _ = unsafe { sys::close_handle(section) };
            return Err(MapError::Os(e));
        }
    };
    for k in 0..block {
        // SAFETY: the view is `block` writable bytes.
        unsafe { view.add(k).write(thunk[k % thunk.len()]) };
    }
    // SAFETY: the view is ours; nothing refers to it after this.
    unsafe { calls::unmap_view_of_file(view.cast()) }.map_err(MapError::Os)?;
    Ok(section as usize)
}

/// Attempts at finding a free pair of blocks before giving up (another
/// thread may take the address between the probe and the mapping).
const TRIES: usize = 16;

/// Maps the section read-and-execute at a new address with `block` zeroed
/// read-write bytes right after it; returns the code's address.
pub(super) fn map_pair(code: usize, block: usize) -> Result<*mut u8, MapError> {
    let mut last = Errno::ERROR_NOT_ENOUGH_MEMORY;
    for _ in 0..TRIES {
        // SAFETY: a fresh reservation, released at once: only its address is used.
        let at = unsafe {
            let at = sys::virtual_alloc(
                null_mut(),
                2 * block,
                c::MEM_RESERVE,
                c::PAGE_NOACCESS,
            )
            .map_err(MapError::Os)?;
            sys::virtual_free(at, 0, c::MEM_RELEASE).map_err(MapError::Os)?;
            at
        };
        // SAFETY: the view and the pages go to the address just released;
        // the system refuses if anything took it since.
        let view = unsafe {
            calls::map_view_of_file_ex(
                code as *mut c_void,
                c::FILE_MAP_READ | c::FILE_MAP_EXECUTE,
                0,
                0,
                block,
                at,
            )
        };
        let view = match view {
            Ok(v) => v,
            Err(e) => {
                last = e;
                continue;
            }
        };
        // SAFETY: as above, right after the view.
        let data = unsafe {
            sys::virtual_alloc(
                view.cast::<u8>().add(block).cast(),
                block,
                c::MEM_RESERVE | c::MEM_COMMIT,
                c::PAGE_READWRITE,
            )
        };
        match data {
            Ok(_) => return Ok(view.cast()),
            Err(e) => {
                last = e;
                // SAFETY: the view is ours and nothing refers to it.
                let _ = unsafe { calls::unmap_view_of_file(view) };
            }
        }
    }
    Err(MapError::Os(last))
}
