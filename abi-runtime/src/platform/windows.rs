//! The platform layer on Windows, over `crate::windows`'s bridged calls.
//! Paths and environment names go to Windows as UTF-16 in stack buffers.

use core::ptr::{NonNull, null, null_mut};

use super::{OpenMode, Protection, SeekFrom, pack_nul_separated};
use crate::Errno;
use crate::consts as c;
use crate::windows::{self as sys, Handle};

pub(super) type Raw = Handle;

pub(super) const WRITE_ZERO: Errno = Errno::ERROR_HANDLE_EOF;
pub(super) const INVALID: Errno = Errno::ERROR_INVALID_PARAMETER;
pub(super) const ILLEGAL_SEQUENCE: Errno = Errno::ERROR_INVALID_DATA;
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
    let mut buf = [0u16; WIDE_MAX];
    for (len, unit) in s.encode_utf16().enumerate() {
        if unit == 0 {
            return Err(Errno::ERROR_INVALID_NAME);
        }
        if len + 1 >= WIDE_MAX {
            return Err(Errno::ERROR_FILENAME_EXCED_RANGE);
        }
        buf[len] = unit;
    }
    f(buf.as_ptr())
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
    let mut used = 0;
    for ch in char::decode_utf16(wide[..len].iter().copied()) {
        let ch = ch.map_err(|_| ILLEGAL_SEQUENCE)?;
        let dst = buf.get_mut(used..used + ch.len_utf8()).ok_or(TOO_SMALL)?;
        ch.encode_utf8(dst);
        used += ch.len_utf8();
    }
    Ok(Some(used))
}
