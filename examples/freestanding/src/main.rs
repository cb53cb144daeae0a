//! Prints its arguments through bridged `write`, maps a page with bridged
//! `mmap`, and leaves through bridged `exit_group` — no libc involved.
#![no_std]
#![no_main]

use core::fmt::Write;

use abi_runtime::linux as sys;

mod mem;

abi_runtime::entry_point!(start);

/// Formats into a stack buffer and writes it to stdout.
struct Out {
    buf: [u8; 512],
    len: usize,
}

impl Write for Out {
    fn write_str(&mut self, s: &str) -> core::fmt::Result {
        let end = self.len + s.len();
        let dst = self.buf.get_mut(self.len..end).ok_or(core::fmt::Error)?;
        dst.copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

impl Out {
    fn flush(&mut self) {
        let mut at = 0;
        while at < self.len {
            // SAFETY: the range is inside `buf`.
            match unsafe { sys::write(1, self.buf[at..].as_ptr(), self.len - at) } {
                Ok(n) => at += n,
                Err(_) => fail(3),
            }
        }
        self.len = 0;
    }
}

fn fail(code: i32) -> ! {
    // SAFETY: ending the process is always allowed.
    unsafe { sys::exit_group(code) }
}

/// `stack` is where the kernel left `argc`, then `argc` pointers to the
/// arguments, then a null pointer, then the environment.
extern "C" fn start(stack: *const usize) -> ! {
    let mut out = Out {
        buf: [0; 512],
        len: 0,
    };
    // SAFETY: the kernel's initial stack layout.
    let argc = unsafe { *stack };
    let argv = unsafe { stack.add(1) }.cast::<*const u8>();
    let _ = writeln!(out, "freestanding: argc = {argc}");
    out.flush();
    for i in 0..argc {
        // SAFETY: argv has argc NUL-terminated strings.
        let arg = unsafe { c_string(argv.add(i).read()) };
        let _ = writeln!(
            out,
            "freestanding: argv[{i}] = {}",
            core::str::from_utf8(arg).unwrap_or("<not UTF-8>")
        );
        out.flush();
    }

    let page = 4096;
    let prot = abi_runtime::consts::PROT_READ | abi_runtime::consts::PROT_WRITE;
    let flags = abi_runtime::consts::MAP_PRIVATE | abi_runtime::consts::MAP_ANONYMOUS;
    // SAFETY: an anonymous mapping where the kernel chooses.
    let mem = match unsafe { sys::mmap(core::ptr::null_mut(), page, prot, flags, -1, 0) } {
        Ok(p) => p.cast::<u8>(),
        Err(_) => fail(4),
    };
    let mut sum = 0u32;
    for i in 0..page {
        // SAFETY: inside the mapped page.
        unsafe { mem.add(i).write_volatile(i as u8) };
    }
    for i in 0..page {
        // SAFETY: inside the mapped page.
        sum += u32::from(unsafe { mem.add(i).read_volatile() });
    }
    // SAFETY: the page is not used after this.
    if unsafe { sys::munmap(mem.cast(), page) }.is_err() || sum != 16 * (0..=255u32).sum::<u32>() {
        fail(5);
    }
    let _ = writeln!(
        out,
        "freestanding: mmap'd a page, wrote and read {page} bytes (sum {sum})"
    );
    // SAFETY: getpid has no preconditions.
    let _ = writeln!(out, "freestanding: pid {}, bye", unsafe { sys::getpid() });
    out.flush();
    fail(0)
}

/// The bytes of a NUL-terminated string (no libc `strlen` here).
///
/// # Safety
/// `p` points at a NUL-terminated string that lives for `'static`.
unsafe fn c_string(p: *const u8) -> &'static [u8] {
    let mut len = 0;
    // SAFETY: reads stop at the NUL. Volatile: an optimised build would
    // otherwise turn the loop into a call to `strlen`, which nothing provides.
    while unsafe { p.add(len).read_volatile() } != 0 {
        len += 1;
    }
    // SAFETY: `len` bytes before the NUL are part of the string.
    unsafe { core::slice::from_raw_parts(p, len) }
}

#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    fail(101)
}
