//! The platform layer on Windows, over `crate::windows`'s bridged calls.
//! Paths and environment names go to Windows as UTF-16 in stack buffers.

use core::ptr::{NonNull, null, null_mut};
use core::time::Duration;

use super::{
    DirEntry, FileKind, Metadata, OpenMode, Protection, SeekFrom, Timestamp, pack_nul_separated,
};
use crate::Errno;
use crate::consts as c;
use crate::windows::{self as sys, ByHandleFileInformation, FileTime, FindData, Handle};

pub(super) type Raw = Handle;

pub(super) const WRITE_ZERO: Errno = Errno::ERROR_HANDLE_EOF;
pub(super) const INVALID: Errno = Errno::ERROR_INVALID_PARAMETER;
pub(super) const ILLEGAL_SEQUENCE: Errno = Errno::ERROR_INVALID_DATA;
pub(super) const NAME_TOO_LONG: Errno = Errno::ERROR_FILENAME_EXCED_RANGE;
const TOO_SMALL: Errno = Errno::ERROR_INSUFFICIENT_BUFFER;
/// UTF-16 units for a path or name, with its NUL.
const WIDE_MAX: usize = 1024;

pub(super) fn stdio(n: i32) -> Raw {
    let which = [
        c::STD_INPUT_HANDLE,
        c::STD_OUTPUT_HANDLE,
        c::STD_ERROR_HANDLE,
    ][n as usize];
    // SAFETY: GetStdHandle has no preconditions. A process without the stream
    // gets a null handle, which later calls report as ERROR_INVALID_HANDLE.
    unsafe { sys::get_std_handle(which) }.unwrap_or(null_mut())
}

/// `s` as NUL-terminated UTF-16 in a stack buffer.
fn with_wide<T>(s: &str, f: impl FnOnce(*const u16) -> Result<T, Errno>) -> Result<T, Errno> {
    with_wide_parts(&[s], f)
}

/// `parts` one after another as NUL-terminated UTF-16 in a stack buffer.
fn with_wide_parts<T>(
    parts: &[&str],
    f: impl FnOnce(*const u16) -> Result<T, Errno>,
) -> Result<T, Errno> {
    let mut buf = [0u16; WIDE_MAX];
    for (len, unit) in parts.iter().flat_map(|p| p.encode_utf16()).enumerate() {
        if unit == 0 {
            return Err(Errno::ERROR_INVALID_NAME);
        }
        if len + 1 >= WIDE_MAX {
            return Err(NAME_TOO_LONG);
        }
        buf[len] = unit;
    }
    f(buf.as_ptr())
}

/// `wide` as UTF-8 at the start of `out`; returns the bytes used.
fn utf16_to_utf8(wide: &[u16], out: &mut [u8]) -> Result<usize, Errno> {
    let mut used = 0;
    for ch in char::decode_utf16(wide.iter().copied()) {
        let ch = ch.map_err(|_| ILLEGAL_SEQUENCE)?;
        let dst = out.get_mut(used..used + ch.len_utf8()).ok_or(TOO_SMALL)?;
        ch.encode_utf8(dst);
        used += ch.len_utf8();
    }
    Ok(used)
}

pub(super) fn open(path: &str, mode: OpenMode) -> Result<Raw, Errno> {
    let (access, disposition) = match mode {
        OpenMode::Read => (c::GENERIC_READ, c::OPEN_EXISTING),
        OpenMode::Create => (c::GENERIC_READ | c::GENERIC_WRITE, c::CREATE_ALWAYS),
        OpenMode::ReadWrite => (c::GENERIC_READ | c::GENERIC_WRITE, c::OPEN_EXISTING),
        // Only the right to append: every write goes to the end.
        OpenMode::Append => (c::FILE_APPEND_DATA, c::OPEN_ALWAYS),
        OpenMode::CreateNew => (c::GENERIC_READ | c::GENERIC_WRITE, c::CREATE_NEW),
    };
    let share = c::FILE_SHARE_READ | c::FILE_SHARE_WRITE | c::FILE_SHARE_DELETE;
    with_wide(path, |p| {
        // SAFETY: the name is NUL-terminated UTF-16 and outlives the call.
        unsafe {
            sys::create_file(
                p,
                access,
                share,
                null(),
                disposition,
                c::FILE_ATTRIBUTE_NORMAL,
                null_mut(),
            )
        }
    })
}

pub(super) fn read(h: Raw, buf: &mut [u8]) -> Result<usize, Errno> {
    let mut done = 0u32;
    let len = u32::try_from(buf.len()).unwrap_or(u32::MAX);
    // SAFETY: `buf` is valid for writes of `len` bytes; no overlapped I/O.
    match unsafe { sys::read_file(h, buf.as_mut_ptr(), len, &mut done, null_mut()) } {
        Ok(()) => Ok(done as usize),
        // The write end of a pipe closed: end of file, as on the other targets.
        Err(Errno::ERROR_BROKEN_PIPE) => Ok(0),
        Err(e) => Err(e),
    }
}

pub(super) fn write(h: Raw, buf: &[u8]) -> Result<usize, Errno> {
    let mut done = 0u32;
    let len = u32::try_from(buf.len()).unwrap_or(u32::MAX);
    // SAFETY: `buf` is valid for reads of `len` bytes; no overlapped I/O.
    unsafe { sys::write_file(h, buf.as_ptr(), len, &mut done, null_mut())? };
    Ok(done as usize)
}

pub(super) fn seek(h: Raw, pos: SeekFrom) -> Result<u64, Errno> {
    let (distance, method) = match pos {
        SeekFrom::Start(o) => (i64::try_from(o).map_err(|_| INVALID)?, c::FILE_BEGIN),
        SeekFrom::End(o) => (o, c::FILE_END),
        SeekFrom::Current(o) => (o, c::FILE_CURRENT),
    };
    let mut new = 0i64;
    // SAFETY: `new` is a valid LARGE_INTEGER out-pointer.
    unsafe { sys::set_file_pointer(h, distance, &mut new, method)? };
    Ok(new as u64)
}

pub(super) fn size(h: Raw) -> Result<u64, Errno> {
    let mut size = 0i64;
    // SAFETY: `size` is a valid LARGE_INTEGER out-pointer.
    unsafe { sys::get_file_size(h, &mut size)? };
    Ok(size as u64)
}

pub(super) fn close(h: Raw) -> Result<(), Errno> {
    // SAFETY: the caller owns `h`.
    unsafe { sys::close_handle(h) }
}

pub(super) fn remove(path: &str) -> Result<(), Errno> {
    // SAFETY: the name is NUL-terminated UTF-16 and outlives the call.
    with_wide(path, |p| unsafe { sys::delete_file(p) })
}

pub(super) fn exit(code: i32) -> ! {
    // SAFETY: ending the process is always allowed.
    unsafe { sys::exit_process(code as u32) }
}

pub(super) fn monotonic_nanos() -> Result<u64, Errno> {
    let (mut count, mut freq) = (0i64, 0i64);
    // SAFETY: both are valid LARGE_INTEGER out-pointers.
    unsafe {
        sys::query_performance_counter(&mut count)?;
        sys::query_performance_frequency(&mut freq)?;
    }
    if freq <= 0 {
        return Err(INVALID);
    }
    Ok((count as u128 * 1_000_000_000 / freq as u128) as u64)
}

pub(super) fn wall_clock_nanos() -> Result<u64, Errno> {
    let mut ft = 0u64;
    // SAFETY: `ft` is a valid FILETIME out-pointer (two u32, little-endian).
    unsafe { sys::get_system_time_precise(&mut ft)? };
    Ok(ft.saturating_sub(c::FILETIME_UNIX_EPOCH) * 100)
}

pub(super) fn page_size() -> usize {
    let mut info = core::mem::MaybeUninit::<sys::SystemInfo>::zeroed();
    // SAFETY: GetSystemInfo fills the whole SYSTEM_INFO.
    unsafe { sys::get_system_info(info.as_mut_ptr()).ok() };
    // SAFETY: zeroed, then filled by the call.
    unsafe { info.assume_init() }.page_size as usize
}

fn prot(p: Protection) -> u32 {
    match p {
        Protection::None => c::PAGE_NOACCESS,
        Protection::Read => c::PAGE_READONLY,
        Protection::ReadWrite => c::PAGE_READWRITE,
    }
}

pub(super) fn alloc_pages(len: usize, protection: Protection) -> Result<NonNull<u8>, Errno> {
    // SAFETY: a fresh reservation touches no existing memory.
    let p = unsafe {
        sys::virtual_alloc(
            null_mut(),
            len,
            c::MEM_COMMIT | c::MEM_RESERVE,
            prot(protection),
        )?
    };
    NonNull::new(p.cast()).ok_or(Errno::ERROR_NOT_ENOUGH_MEMORY)
}

pub(super) unsafe fn protect_pages(
    ptr: NonNull<u8>,
    len: usize,
    protection: Protection,
) -> Result<(), Errno> {
    let mut old = 0u32;
    // SAFETY: the caller passes pages from `alloc_pages`.
    unsafe { sys::virtual_protect(ptr.as_ptr().cast(), len, prot(protection), &mut old) }
}

pub(super) unsafe fn free_pages(ptr: NonNull<u8>, _len: usize) -> Result<(), Errno> {
    // SAFETY: the caller passes pages from `alloc_pages` and stops using them.
    // MEM_RELEASE frees the whole reservation and requires size 0.
    unsafe { sys::virtual_free(ptr.as_ptr().cast(), 0, c::MEM_RELEASE) }
}

pub(super) fn yield_now() -> Result<(), Errno> {
    // SAFETY: no memory is passed. `false` (no other thread was ready) is not an error.
    unsafe { sys::switch_to_thread() }.map(drop)
}

pub(super) fn random(buf: &mut [u8]) -> Result<(), Errno> {
    // SAFETY: `buf` is valid for writes of its length.
    unsafe { sys::process_prng(buf.as_mut_ptr(), buf.len()) }
}

pub(super) fn process_id() -> Option<u32> {
    // SAFETY: no preconditions.
    unsafe { sys::get_current_process_id() }.ok()
}

/// Splits a command line the way the Microsoft C runtime does: whitespace
/// separates arguments, `"` toggles quoting, `2n` backslashes before a quote
/// give `n` backslashes and a quote that toggles, `2n+1` give `n` and a literal
/// quote; the program name ends at the first whitespace outside quotes.
struct CommandLine<I: Iterator<Item = char>> {
    chars: core::iter::Peekable<I>,
    first: bool,
}

impl<I: Iterator<Item = char>> CommandLine<I> {
    /// Writes the next argument into `out` as UTF-8; `None` when there are no more.
    fn next_into(&mut self, out: &mut [u8]) -> Option<Result<usize, Errno>> {
        while self.chars.next_if(|c| *c == ' ' || *c == '\t').is_some() {}
        self.chars.peek()?;
        let mut len = 0;
        let mut push = |ch: char, len: &mut usize| -> Result<(), Errno> {
            let mut tmp = [0u8; 4];
            let s = ch.encode_utf8(&mut tmp).as_bytes();
            let dst = out.get_mut(*len..*len + s.len()).ok_or(TOO_SMALL)?;
            dst.copy_from_slice(s);
            *len += s.len();
            Ok(())
        };
        let mut quoted = false;
        if core::mem::take(&mut self.first) {
            // The program name: no backslash rules.
            while let Some(ch) = self.chars.next_if(|c| quoted || (*c != ' ' && *c != '\t')) {
                if ch == '"' {
                    quoted = !quoted;
                } else if let Err(e) = push(ch, &mut len) {
                    return Some(Err(e));
                }
            }
            return Some(Ok(len));
        }
        while let Some(&ch) = self.chars.peek() {
            if !quoted && (ch == ' ' || ch == '\t') {
                break;
            }
            self.chars.next();
            let result = match ch {
                '\\' => {
                    let mut n = 1;
                    while self.chars.next_if_eq(&'\\').is_some() {
                        n += 1;
                    }
                    if self.chars.peek() == Some(&'"') {
                        let r = (0..n / 2).try_for_each(|_| push('\\', &mut len));
                        if n % 2 == 1 {
                            self.chars.next();
                            r.and_then(|()| push('"', &mut len))
                        } else {
                            r
                        }
                    } else {
                        (0..n).try_for_each(|_| push('\\', &mut len))
                    }
                }
                '"' if quoted && self.chars.peek() == Some(&'"') => {
                    self.chars.next();
                    push('"', &mut len)
                }
                '"' => {
                    quoted = !quoted;
                    Ok(())
                }
                other => push(other, &mut len),
            };
            if let Err(e) = result {
                return Some(Err(e));
            }
        }
        Some(Ok(len))
    }
}

/// The UTF-16 units of a NUL-terminated wide string.
///
/// # Safety
/// `p` must point at a NUL-terminated UTF-16 string that outlives the iterator.
unsafe fn wide_units(p: *const u16) -> impl Iterator<Item = u16> {
    (0..)
        // SAFETY: reads stop at the NUL (`take_while`), inside the string.
        .map(move |i| unsafe { p.add(i).read() })
        .take_while(|&u| u != 0)
}

pub(super) fn args(buf: &mut [u8]) -> Result<usize, Errno> {
    // SAFETY: GetCommandLineW returns the process's NUL-terminated command line.
    let line = unsafe { sys::get_command_line()? };
    // SAFETY: the command line lives as long as the process.
    let chars = char::decode_utf16(unsafe { wide_units(line) })
        .map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER));
    let mut parser = CommandLine {
        chars: chars.peekable(),
        first: true,
    };
    let mut used = 0;
    let mut arg = [0u8; 1024];
    while let Some(len) = parser.next_into(&mut arg) {
        used += pack_nul_separated(core::iter::once(&arg[..len?]), &mut buf[used..], TOO_SMALL)?;
    }
    Ok(used)
}

pub(super) fn env_var(name: &str, buf: &mut [u8]) -> Result<Option<usize>, Errno> {
    let mut wide = [0u16; WIDE_MAX];
    let found = with_wide(name, |n| {
        // SAFETY: `n` is NUL-terminated; `wide` is valid for WIDE_MAX units.
        unsafe { sys::get_environment_variable(n, wide.as_mut_ptr(), WIDE_MAX as u32) }
    });
    let len = match found {
        Ok(len) if len as usize >= WIDE_MAX => return Err(TOO_SMALL),
        Ok(len) => len as usize,
        Err(Errno::ERROR_ENVVAR_NOT_FOUND) => return Ok(None),
        Err(e) => return Err(e),
    };
    utf16_to_utf8(&wide[..len], buf).map(Some)
}

/// What attributes and a reparse tag make a file, as std counts them: a
/// reparse point whose tag names another file is a symbolic link; otherwise
/// a directory or a file.
fn kind_of(attributes: u32, reparse_tag: u32) -> FileKind {
    let reparse = attributes & c::FILE_ATTRIBUTE_REPARSE_POINT != 0;
    if reparse && reparse_tag & c::REPARSE_TAG_NAME_SURROGATE != 0 {
        FileKind::Symlink
    } else if attributes & c::FILE_ATTRIBUTE_DIRECTORY != 0 {
        FileKind::Dir
    } else {
        FileKind::File
    }
}

/// A `FILETIME` as time since the Unix epoch (earlier times negative).
fn timestamp(t: FileTime) -> Timestamp {
    let since = t.intervals() as i64 - c::FILETIME_UNIX_EPOCH as i64;
    Timestamp {
        secs: since.div_euclid(10_000_000),
        nanos: (since.rem_euclid(10_000_000) * 100) as u32,
    }
}

pub(super) fn file_metadata(h: Raw) -> Result<Metadata, Errno> {
    let mut info = ByHandleFileInformation::default();
    // SAFETY: `info` is a writable BY_HANDLE_FILE_INFORMATION.
    unsafe { sys::get_file_information_by_handle(h, &mut info)? };
    let mut tag = 0;
    if info.file_attributes & c::FILE_ATTRIBUTE_REPARSE_POINT != 0 {
        let mut t = sys::FileAttributeTagInfo::default();
        // SAFETY: `t` is a writable FILE_ATTRIBUTE_TAG_INFO of the size given.
        unsafe {
            sys::get_file_information_by_handle_ex(
                h,
                c::FileAttributeTagInfo,
                (&raw mut t).cast(),
                size_of::<sys::FileAttributeTagInfo>() as u32,
            )?
        };
        tag = t.reparse_tag;
    }
    Ok(Metadata {
        len: u64::from(info.file_size_high) << 32 | u64::from(info.file_size_low),
        kind: kind_of(info.file_attributes, tag),
        modified: timestamp(info.last_write_time),
    })
}

pub(super) fn metadata(path: &str, follow: bool) -> Result<Metadata, Errno> {
    // As std does: open the file itself (a directory too, with backup
    // semantics), asking for no access, and read its information.
    let mut flags = c::FILE_FLAG_BACKUP_SEMANTICS;
    if !follow {
        flags |= c::FILE_FLAG_OPEN_REPARSE_POINT;
    }
    let share = c::FILE_SHARE_READ | c::FILE_SHARE_WRITE | c::FILE_SHARE_DELETE;
    let h = with_wide(path, |p| {
        // SAFETY: the name is NUL-terminated UTF-16 and outlives the call.
        unsafe { sys::create_file(p, 0, share, null(), c::OPEN_EXISTING, flags, null_mut()) }
    })?;
    let result = file_metadata(h);
    let _ = close(h);
    result
}

/// A directory search: its handle (none for an empty search) and the match
/// `FindFirstFileW` gave, not read yet.
pub(super) struct ReadDir {
    find: Option<Handle>,
    data: FindData,
    pending: bool,
}

impl ReadDir {
    pub(super) fn open(path: &str) -> Result<ReadDir, Errno> {
        // The pattern `path\*`, with no second separator after one already there.
        let sep = if path.ends_with(['\\', '/']) {
            ""
        } else {
            "\\"
        };
        // SAFETY: FindData is integers only; zero is valid.
        let mut data: FindData = unsafe { core::mem::zeroed() };
        let found = with_wide_parts(&[path, sep, "*"], |p| {
            // SAFETY: the pattern is NUL-terminated UTF-16; `data` is writable.
            unsafe { sys::find_first_file(p, &mut data) }
        });
        match found {
            Ok(h) => Ok(ReadDir {
                find: Some(h),
                data,
                pending: true,
            }),
            // No match, not even `.`: the directory may exist and be empty (a
            // drive's root), as std says; it is listed as empty if it exists.
            Err(Errno::ERROR_FILE_NOT_FOUND) if metadata(path, true).is_ok() => Ok(ReadDir {
                find: None,
                data,
                pending: false,
            }),
            Err(e) => Err(e),
        }
    }

    pub(super) fn next(&mut self) -> Option<Result<DirEntry, Errno>> {
        let find = self.find?;
        if !core::mem::take(&mut self.pending) {
            // SAFETY: `find` is an open search; `data` is writable.
            match unsafe { sys::find_next_file(find, &mut self.data) } {
                Ok(()) => {}
                Err(Errno::ERROR_NO_MORE_FILES) => return None,
                Err(e) => return Some(Err(e)),
            }
        }
        let d = &self.data;
        let tag = if d.file_attributes & c::FILE_ATTRIBUTE_REPARSE_POINT != 0 {
            d.reserved0
        } else {
            0
        };
        let len = d
            .file_name
            .iter()
            .position(|&u| u == 0)
            .unwrap_or(d.file_name.len());
        let mut name = [0u8; super::NAME_MAX];
        Some(
            utf16_to_utf8(&d.file_name[..len], &mut name)
                .map_err(|e| if e == TOO_SMALL { NAME_TOO_LONG } else { e })
                .and_then(|n| DirEntry::new(&name[..n], kind_of(d.file_attributes, tag))),
        )
    }
}

impl Drop for ReadDir {
    fn drop(&mut self) {
        if let Some(h) = self.find {
            // SAFETY: an open search, closed once. Nothing to report an error to.
            let _ = unsafe { sys::find_close(h) };
        }
    }
}

pub(super) fn create_dir(path: &str) -> Result<(), Errno> {
    // SAFETY: the name is NUL-terminated UTF-16 and outlives the call.
    with_wide(path, |p| unsafe { sys::create_directory(p, null()) })
}

pub(super) fn remove_dir(path: &str) -> Result<(), Errno> {
    // SAFETY: the name is NUL-terminated UTF-16 and outlives the call.
    with_wide(path, |p| unsafe { sys::remove_directory(p) })
}

pub(super) fn rename(from: &str, to: &str) -> Result<(), Errno> {
    with_wide(from, |f| {
        // SAFETY: both names are NUL-terminated UTF-16 and outlive the call.
        with_wide(to, |t| unsafe {
            sys::move_file_ex(f, t, c::MOVEFILE_REPLACE_EXISTING)
        })
    })
}

pub(super) fn current_dir(buf: &mut [u8]) -> Result<usize, Errno> {
    let mut wide = [0u16; WIDE_MAX];
    // SAFETY: `wide` is valid for writes of WIDE_MAX units.
    let len = unsafe { sys::get_current_directory(WIDE_MAX as u32, wide.as_mut_ptr())? };
    // A count at least the buffer's is the size it would need.
    if len as usize >= WIDE_MAX {
        return Err(TOO_SMALL);
    }
    utf16_to_utf8(&wide[..len as usize], buf)
}

pub(super) fn set_current_dir(path: &str) -> Result<(), Errno> {
    // SAFETY: the name is NUL-terminated UTF-16 and outlives the call.
    with_wide(path, |p| unsafe { sys::set_current_directory(p) })
}

pub(super) fn sleep(d: Duration) -> Result<(), Errno> {
    // Whole milliseconds, rounded up; INFINITE (u32::MAX) would never wake.
    let ms = d.as_nanos().div_ceil(1_000_000);
    let ms = u32::try_from(ms).unwrap_or(u32::MAX - 1).min(u32::MAX - 1);
    // SAFETY: no memory is passed.
    unsafe { sys::sleep(ms) }
}
