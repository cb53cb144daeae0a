//! Calls through the vDSO: the functions the kernel maps into every process
//! so that reading a clock needs no system call. The image is found through
//! the auxiliary vector (`AT_SYSINFO_EHDR`) and its ELF dynamic symbol table
//! is searched by name and version, both from the target spec's `[vdso]`.
//! Each function has a slot filled on first use: the vDSO's function, or the
//! bridged system call of the same name when the vDSO lacks it (qemu-user,
//! for one, maps none on some arches).
//!
//! ```
//! use abi_runtime::vdso;
//! let mut ts = [0i64; 2];
//! vdso::clock_gettime(abi_runtime::consts::CLOCK_MONOTONIC, &mut ts).unwrap();
//! assert!(ts[1] < 1_000_000_000);
//! ```

use core::ffi::c_void;
use core::sync::atomic::{AtomicUsize, Ordering};

use crate::Errno;
use crate::consts;
use crate::layouts;
use crate::linux as sys;

/// Where a vDSO-backed call goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// The vDSO function at this address.
    Vdso(usize),
    /// The system call: the vDSO lacks the function, or was hidden.
    Syscall,
}

/// A lazily filled slot: 0 unresolved, 1 system call, else a function address.
struct Slot(AtomicUsize);

const UNRESOLVED: usize = 0;
const SYSCALL: usize = 1;

impl Slot {
    const fn new() -> Self {
        Slot(AtomicUsize::new(UNRESOLVED))
    }

    #[inline(always)]
    fn get(&self, call: &str) -> Source {
        match self.0.load(Ordering::Relaxed) {
            UNRESOLVED => self.resolve(call),
            SYSCALL => Source::Syscall,
            f => Source::Vdso(f),
        }
    }

    #[cold]
    fn resolve(&self, call: &str) -> Source {
        let found =
            consts::VDSO
                .iter()
                .find(|(c, _, _)| *c == call)
                .and_then(|&(_, symbol, version)| {
                    // SAFETY: `base` is the image the kernel mapped (AT_SYSINFO_EHDR).
                    image().and_then(|base| unsafe { lookup(base, symbol, version) })
                });
        // Racing threads find the same answer; the first store wins either way.
        let value = found.unwrap_or(SYSCALL);
        let _ = self
            .0
            .compare_exchange(UNRESOLVED, value, Ordering::Relaxed, Ordering::Relaxed);
        self.source()
    }

    fn source(&self) -> Source {
        match self.0.load(Ordering::Relaxed) {
            SYSCALL | UNRESOLVED => Source::Syscall,
            f => Source::Vdso(f),
        }
    }
}

static CLOCK_GETTIME: Slot = Slot::new();
static GETTIMEOFDAY: Slot = Slot::new();
static GETCPU: Slot = Slot::new();
static IMAGE: AtomicUsize = AtomicUsize::new(UNRESOLVED);

/// The address of the vDSO image, if the kernel mapped one.
pub fn image() -> Option<usize> {
    match IMAGE.load(Ordering::Relaxed) {
        UNRESOLVED => {
            let base = sys::auxv(consts::AT_SYSINFO_EHDR as usize).filter(|&b| b > SYSCALL);
            IMAGE.store(base.unwrap_or(SYSCALL), Ordering::Relaxed);
            base
        }
        SYSCALL => None,
        base => Some(base),
    }
}

/// Where `clock_gettime` goes (resolving it if needed).
pub fn clock_gettime_source() -> Source {
    CLOCK_GETTIME.get("clock_gettime")
}

/// Sends every vDSO-backed call to its system call from now on, as if the
/// kernel had mapped no vDSO: the fallback path, for tests.
pub fn hide() {
    for slot in [&CLOCK_GETTIME, &GETTIMEOFDAY, &GETCPU] {
        slot.0.store(SYSCALL, Ordering::Relaxed);
    }
}

/// Decodes what a vDSO function returns, a C `int`: 0, or `-errno` (it makes
/// the system call itself when it cannot answer). Taken as `i32`: the bits
/// above an `int` in the return register are not defined on every ABI.
fn decode(r: i32) -> Result<(), Errno> {
    crate::errno::negated_errno(r as isize as usize, 4095).map(drop)
}

/// Reads clock `clock` into `ts` as `[seconds, nanoseconds]`, through the vDSO
/// when it has the function. The kernel fills its `struct __kernel_timespec`,
/// laid out as the target spec's `[layouts.timespec]` says.
#[inline]
pub fn clock_gettime(clock: i32, ts: &mut [i64; 2]) -> Result<(), Errno> {
    let mut raw = layouts::Timespec::zeroed();
    match CLOCK_GETTIME.get("clock_gettime") {
        Source::Vdso(f) => {
            // SAFETY: the address is the vDSO function the spec's [vdso] names for
            // clock_gettime, with the C signature (clockid_t, struct __kernel_timespec *) -> int.
            let f: extern "C" fn(i32, *mut c_void) -> i32 = unsafe { core::mem::transmute(f) };
            decode(f(clock, raw.as_mut_ptr()))?;
        }
        // SAFETY: `raw` is a valid timespec.
        Source::Syscall => unsafe { sys::clock_gettime(clock, raw.as_mut_ptr())? },
    }
    *ts = [raw.tv_sec(), raw.tv_nsec()];
    Ok(())
}

/// `gettimeofday` into `tv` as `[seconds, microseconds]`, through the vDSO when
/// it has it. The kernel fills its `struct __kernel_old_timeval`, laid out as
/// the target spec's `[layouts.timeval]` says.
pub fn gettimeofday(tv: &mut [i64; 2]) -> Result<(), Errno> {
    let mut raw = layouts::Timeval::zeroed();
    match GETTIMEOFDAY.get("gettimeofday") {
        Source::Vdso(f) => {
            // SAFETY: the vDSO's gettimeofday: (struct timeval *, struct timezone *) -> int.
            let f: extern "C" fn(*mut c_void, *mut c_void) -> i32 =
                unsafe { core::mem::transmute(f) };
            decode(f(raw.as_mut_ptr(), core::ptr::null_mut()))?;
        }
        // SAFETY: `raw` is a valid timeval; no timezone.
        Source::Syscall => unsafe { sys::gettimeofday(raw.as_mut_ptr(), core::ptr::null_mut())? },
    }
    *tv = [raw.tv_sec(), raw.tv_usec()];
    Ok(())
}

/// The CPU and NUMA node the calling thread runs on, through the vDSO when it has `getcpu`.
pub fn getcpu() -> Result<(u32, u32), Errno> {
    let (mut cpu, mut node) = (0u32, 0u32);
    match GETCPU.get("getcpu") {
        Source::Vdso(f) => {
            // SAFETY: the vDSO's getcpu: (unsigned *, unsigned *, void *) -> int.
            let f: extern "C" fn(*mut u32, *mut u32, *mut c_void) -> i32 =
                unsafe { core::mem::transmute(f) };
            decode(f(&mut cpu, &mut node, core::ptr::null_mut()))?;
        }
        // SAFETY: both are valid out-pointers; no cache.
        Source::Syscall => unsafe { sys::getcpu(&mut cpu, &mut node, core::ptr::null_mut())? },
    }
    Ok((cpu, node))
}

// ELF values (the vDSO is an ELF shared object in memory, of the class of the
// process: ELF32 where pointers are 4 bytes, ELF64 where they are 8).
const PT_LOAD: u32 = 1;
const PT_DYNAMIC: u32 = 2;
const DT_NULL: isize = 0;
const DT_HASH: isize = 4;
const DT_STRTAB: isize = 5;
const DT_SYMTAB: isize = 6;
const DT_GNU_HASH: isize = 0x6fff_fef5;
const DT_VERSYM: isize = 0x6fff_fff0;
const DT_VERDEF: isize = 0x6fff_fffc;

/// Offsets of the ELF structures the lookup reads, for one ELF class.
struct Class {
    /// `e_phoff`, `e_phentsize`, `e_phnum` in the file header.
    phoff: usize,
    phentsize: usize,
    phnum: usize,
    /// `p_offset` and `p_vaddr` in a program header.
    p_offset: usize,
    p_vaddr: usize,
    /// `st_value`, `st_info`, `st_shndx` in a symbol, and its size.
    st_value: usize,
    st_info: usize,
    st_shndx: usize,
    sym_size: usize,
}

/// The class of this process: words are pointer-sized.
const WORD: usize = core::mem::size_of::<usize>();
const ELF: Class = if WORD == 8 {
    Class {
        phoff: 0x20,
        phentsize: 0x36,
        phnum: 0x38,
        p_offset: 8,
        p_vaddr: 16,
        st_value: 8,
        st_info: 4,
        st_shndx: 6,
        sym_size: 24,
    }
} else {
    Class {
        phoff: 0x1c,
        phentsize: 0x2a,
        phnum: 0x2c,
        p_offset: 4,
        p_vaddr: 8,
        st_value: 4,
        st_info: 12,
        st_shndx: 14,
        sym_size: 16,
    }
};

/// # Safety
/// `addr` lies inside the mapped vDSO image.
unsafe fn read<T: Copy>(addr: usize) -> T {
    // SAFETY: the caller's contract; the image has no alignment guarantees for us.
    unsafe { (addr as *const T).read_unaligned() }
}

/// The NUL-terminated string at `addr` equals `want`.
///
/// # Safety
/// `addr` points at a NUL-terminated string inside the image.
unsafe fn c_str_eq(addr: usize, want: &str) -> bool {
    let b = want.as_bytes();
    // SAFETY: reads stop at the first difference or at the NUL.
    (0..=b.len()).all(|i| unsafe { read::<u8>(addr + i) } == b.get(i).copied().unwrap_or(0))
}

/// Finds `symbol` with `version` in the image at `base`.
///
/// # Safety
/// `base` is the address of the vDSO image the kernel mapped.
unsafe fn lookup(base: usize, symbol: &str, version: &str) -> Option<usize> {
    // SAFETY: every read below stays inside the headers and tables the image describes.
    unsafe {
        let (phoff, phentsize, phnum) = (
            read::<usize>(base + ELF.phoff),
            read::<u16>(base + ELF.phentsize) as usize,
            read::<u16>(base + ELF.phnum) as usize,
        );
        let (mut bias, mut dynamic) = (None, None);
        for i in 0..phnum {
            let ph = base + phoff + i * phentsize;
            let (kind, offset, vaddr) = (
                read::<u32>(ph),
                read::<usize>(ph + ELF.p_offset),
                read::<usize>(ph + ELF.p_vaddr),
            );
            if kind == PT_LOAD && bias.is_none() {
                bias = Some(base + offset - vaddr);
            } else if kind == PT_DYNAMIC {
                dynamic = Some(vaddr);
            }
        }
        let (bias, dynamic) = (bias?, bias? + dynamic?);
        let (mut hash, mut gnu_hash, mut strtab, mut symtab, mut versym, mut verdef) =
            (None, None, None, None, None, None);
        // Each dynamic entry is a tag and a value, one word each.
        for i in 0.. {
            let (tag, val) = (
                read::<isize>(dynamic + 2 * WORD * i),
                read::<usize>(dynamic + 2 * WORD * i + WORD) + bias,
            );
            match tag {
                DT_NULL => break,
                DT_HASH => hash = Some(val),
                DT_GNU_HASH => gnu_hash = Some(val),
                DT_STRTAB => strtab = Some(val),
                DT_SYMTAB => symtab = Some(val),
                DT_VERSYM => versym = Some(val),
                DT_VERDEF => verdef = Some(val),
                _ => {}
            }
        }
        let (strtab, symtab) = (strtab?, symtab?);
        let count = match (hash, gnu_hash) {
            (Some(h), _) => read::<u32>(h + 4) as usize,
            (None, Some(g)) => gnu_hash_count(g),
            (None, None) => return None,
        };
        for i in 0..count {
            let sym = symtab + i * ELF.sym_size;
            let (name, info, shndx, value) = (
                read::<u32>(sym),
                read::<u8>(sym + ELF.st_info),
                read::<u16>(sym + ELF.st_shndx),
                read::<usize>(sym + ELF.st_value),
            );
            // A defined function (or untyped symbol), global or weak.
            let defined = shndx != 0 && matches!(info & 0xf, 0 | 2) && matches!(info >> 4, 1 | 2);
            if !defined || !c_str_eq(strtab + name as usize, symbol) {
                continue;
            }
            if let (Some(versym), Some(verdef)) = (versym, verdef)
                && !has_version(
                    verdef,
                    strtab,
                    read::<u16>(versym + 2 * i) & 0x7fff,
                    version,
                )
            {
                continue;
            }
            return Some(bias + value);
        }
        None
    }
}

/// Whether version index `index` of the verdef chain at `verdef` is named `version`.
///
/// # Safety
/// As for `lookup`.
unsafe fn has_version(verdef: usize, strtab: usize, index: u16, version: &str) -> bool {
    let mut def = verdef;
    // SAFETY: the chain's links stay inside the image.
    unsafe {
        loop {
            let (ndx, aux, next) = (
                read::<u16>(def + 4),
                read::<u32>(def + 12) as usize,
                read::<u32>(def + 16) as usize,
            );
            if ndx == index {
                return c_str_eq(strtab + read::<u32>(def + aux) as usize, version);
            }
            if next == 0 {
                return false;
            }
            def += next;
        }
    }
}

/// The number of symbols a GNU hash table covers: one past the last symbol
/// its chains reach.
///
/// # Safety
/// `table` is the image's DT_GNU_HASH.
unsafe fn gnu_hash_count(table: usize) -> usize {
    // SAFETY: header, bloom filter, buckets and chains lie inside the image.
    unsafe {
        let (nbuckets, symoffset, bloom) = (
            read::<u32>(table) as usize,
            read::<u32>(table + 4) as usize,
            read::<u32>(table + 8) as usize,
        );
        // The bloom filter's words are ELF-class words.
        let buckets = table + 16 + bloom * WORD;
        let chains = buckets + nbuckets * 4;
        let last = (0..nbuckets)
            .map(|b| read::<u32>(buckets + b * 4) as usize)
            .max()
            .unwrap_or(0);
        if last < symoffset {
            return symoffset;
        }
        let mut i = last;
        while read::<u32>(chains + (i - symoffset) * 4) & 1 == 0 {
            i += 1;
        }
        i + 1
    }
}
