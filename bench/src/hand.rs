//! The references: system calls written by hand as inline asm, one block per
//! arch (facts from DESIGN.md, "Ports"). Each is what a careful person would
//! write for that arch alone, including the moves a reserved register needs.

use abi_runtime::Errno;

#[cfg(not(target_arch = "powerpc64"))]
use super::hand_decode;

/// A call without arguments; the raw return register.
#[inline(always)]
pub(crate) fn hand0(nr: usize) -> usize {
    let r: usize;
    #[cfg(target_arch = "x86_64")]
    unsafe {
        std::arch::asm!("syscall", inlateout("rax") nr => r, lateout("rcx") _, lateout("r11") _,
            options(nostack, preserves_flags));
    }
    #[cfg(target_arch = "aarch64")]
    unsafe {
        std::arch::asm!("svc 0", in("x8") nr, lateout("x0") r, options(nostack, preserves_flags));
    }
    #[cfg(target_arch = "riscv64")]
    unsafe {
        std::arch::asm!("ecall", in("a7") nr, lateout("a0") r, options(nostack, preserves_flags));
    }
    // ARM state: r7 is free; r11 is the frame pointer.
    #[cfg(all(target_arch = "arm", not(thumb_state)))]
    unsafe {
        std::arch::asm!("svc 0", in("r7") nr, lateout("r0") r, options(nostack, preserves_flags));
    }
    // Thumb state: r7 is the frame pointer, no operand: keep it in a scratch
    // register of the compiler's choice while the number is in it.
    #[cfg(all(target_arch = "arm", thumb_state))]
    unsafe {
        std::arch::asm!("mov {keep}, r7", "mov r7, {nr}", "svc 0", "mov r7, {keep}",
            nr = in(reg) nr, keep = out(reg) _, lateout("r0") r, options(nostack, preserves_flags));
    }
    #[cfg(target_arch = "x86")]
    unsafe {
        std::arch::asm!("int 0x80", inlateout("eax") nr => r, options(nostack, preserves_flags));
    }
    #[cfg(target_arch = "s390x")]
    unsafe {
        std::arch::asm!("svc 0", in("r1") nr, lateout("r2") r, options(nostack, preserves_flags));
    }
    #[cfg(target_arch = "powerpc64")]
    unsafe {
        std::arch::asm!("sc", inlateout("r0") nr => _, lateout("r3") r,
            lateout("r4") _, lateout("r5") _, lateout("r6") _, lateout("r7") _, lateout("r8") _,
            lateout("r9") _, lateout("r10") _, lateout("r11") _, lateout("r12") _,
            lateout("ctr") _, lateout("xer") _, lateout("cr0") _, options(nostack));
    }
    r
}

/// A call without arguments, decoded into a `Result`.
#[cfg(not(target_arch = "powerpc64"))]
#[inline(always)]
pub(crate) fn hand0_result(nr: usize) -> Result<usize, Errno> {
    hand_decode(hand0(nr))
}

/// powerpc: the kernel flags failure in cr0.SO (bit 28 of `mfcr`) and leaves
/// the positive errno in r3.
#[cfg(target_arch = "powerpc64")]
#[inline(always)]
pub(crate) fn hand0_result(nr: usize) -> Result<usize, Errno> {
    let (r, cr): (usize, usize);
    unsafe {
        std::arch::asm!("sc", "mfcr {cr}", cr = lateout(reg) cr, inlateout("r0") nr => _, lateout("r3") r,
            lateout("r4") _, lateout("r5") _, lateout("r6") _, lateout("r7") _, lateout("r8") _,
            lateout("r9") _, lateout("r10") _, lateout("r11") _, lateout("r12") _,
            lateout("ctr") _, lateout("xer") _, lateout("cr0") _, options(nostack));
    }
    flag_decode(r, cr)
}

#[cfg(target_arch = "powerpc64")]
#[inline(always)]
fn flag_decode(r: usize, cr: usize) -> Result<usize, Errno> {
    if cr & (1 << 28) != 0 {
        Err(Errno::from_raw(r as i32))
    } else {
        Ok(r)
    }
}

/// A six-argument call of a 64-bit port; the raw return register.
#[cfg(any(
    target_arch = "x86_64",
    target_arch = "aarch64",
    target_arch = "riscv64"
))]
#[inline(always)]
pub(crate) fn hand6(nr: usize, a: [usize; 6]) -> usize {
    let r: usize;
    #[cfg(target_arch = "x86_64")]
    unsafe {
        std::arch::asm!("syscall", inlateout("rax") nr => r, in("rdi") a[0], in("rsi") a[1], in("rdx") a[2],
            in("r10") a[3], in("r8") a[4], in("r9") a[5], lateout("rcx") _, lateout("r11") _,
            options(nostack, preserves_flags));
    }
    #[cfg(target_arch = "aarch64")]
    unsafe {
        std::arch::asm!("svc 0", in("x8") nr, inlateout("x0") a[0] => r, in("x1") a[1], in("x2") a[2],
            in("x3") a[3], in("x4") a[4], in("x5") a[5], options(nostack, preserves_flags));
    }
    #[cfg(target_arch = "riscv64")]
    unsafe {
        std::arch::asm!("ecall", in("a7") nr, inlateout("a0") a[0] => r, in("a1") a[1], in("a2") a[2],
            in("a3") a[3], in("a4") a[4], in("a5") a[5], options(nostack, preserves_flags));
    }
    r
}

/// `pread64(fd, buf, count, offset)`; the raw return register. On 32-bit
/// ports the offset is split into (low, high) words the way the kernel wants.
///
/// # Safety
/// As `pread64(2)`: `buf` must be valid for `count` bytes.
#[inline(always)]
pub(crate) unsafe fn hand_pread64(fd: i32, buf: *mut u8, count: usize, offset: i64) -> usize {
    let nr = libc::SYS_pread64 as usize;
    let r: usize;
    #[cfg(target_arch = "x86_64")]
    unsafe {
        std::arch::asm!("syscall", inlateout("rax") nr => r, in("rdi") fd as isize, in("rsi") buf,
            in("rdx") count, in("r10") offset, lateout("rcx") _, lateout("r11") _,
            options(nostack, preserves_flags));
    }
    #[cfg(target_arch = "aarch64")]
    unsafe {
        std::arch::asm!("svc 0", in("x8") nr, inlateout("x0") fd as isize => r, in("x1") buf,
            in("x2") count, in("x3") offset, options(nostack, preserves_flags));
    }
    #[cfg(target_arch = "riscv64")]
    unsafe {
        std::arch::asm!("ecall", in("a7") nr, inlateout("a0") fd as isize => r, in("a1") buf,
            in("a2") count, in("a3") offset, options(nostack, preserves_flags));
    }
    // EABI: the 64-bit offset takes the even pair r4:r5 (r3 is skipped), low word first.
    #[cfg(all(target_arch = "arm", not(thumb_state)))]
    unsafe {
        std::arch::asm!("svc 0", in("r7") nr, inlateout("r0") fd => r, in("r1") buf, in("r2") count,
            in("r4") offset as u32, in("r5") (offset >> 32) as u32, options(nostack, preserves_flags));
    }
    #[cfg(all(target_arch = "arm", thumb_state))]
    unsafe {
        std::arch::asm!("mov {keep}, r7", "mov r7, {nr}", "svc 0", "mov r7, {keep}",
            nr = in(reg) nr, keep = out(reg) _, inlateout("r0") fd => r, in("r1") buf, in("r2") count,
            in("r4") offset as u32, in("r5") (offset >> 32) as u32, options(nostack, preserves_flags));
    }
    // i386: ebx ecx edx esi edi. esi cannot be an operand (LLVM's base
    // pointer) and no other register is left, so the low word comes in eax,
    // esi is saved on the stack and the number is an immediate.
    #[cfg(target_arch = "x86")]
    unsafe {
        let _ = nr;
        std::arch::asm!("push esi", "mov esi, eax", "mov eax, {nr}", "int 0x80", "pop esi",
            nr = const libc::SYS_pread64, inlateout("eax") offset as u32 => r, in("ebx") fd,
            in("ecx") buf, in("edx") count, in("edi") (offset >> 32) as u32, options(preserves_flags));
    }
    #[cfg(target_arch = "s390x")]
    unsafe {
        std::arch::asm!("svc 0", in("r1") nr, inlateout("r2") fd as isize => r, in("r3") buf,
            in("r4") count, in("r5") offset, options(nostack, preserves_flags));
    }
    #[cfg(target_arch = "powerpc64")]
    unsafe {
        std::arch::asm!("sc", inlateout("r0") nr => _, inlateout("r3") fd as isize => r,
            inlateout("r4") buf => _, inlateout("r5") count => _, inlateout("r6") offset => _,
            lateout("r7") _, lateout("r8") _, lateout("r9") _, lateout("r10") _, lateout("r11") _,
            lateout("r12") _, lateout("ctr") _, lateout("xer") _, lateout("cr0") _, options(nostack));
    }
    r
}

/// `pread64`, decoded into a `Result`.
///
/// # Safety
/// As `pread64(2)`: `buf` must be valid for `count` bytes.
#[cfg(not(target_arch = "powerpc64"))]
#[inline(always)]
pub(crate) unsafe fn hand_pread64_result(
    fd: i32,
    buf: *mut u8,
    count: usize,
    offset: i64,
) -> Result<usize, Errno> {
    hand_decode(unsafe { hand_pread64(fd, buf, count, offset) })
}

/// `pread64`, decoded from cr0.SO and the positive errno.
///
/// # Safety
/// As `pread64(2)`: `buf` must be valid for `count` bytes.
#[cfg(target_arch = "powerpc64")]
#[inline(always)]
pub(crate) unsafe fn hand_pread64_result(
    fd: i32,
    buf: *mut u8,
    count: usize,
    offset: i64,
) -> Result<usize, Errno> {
    let (r, cr): (usize, usize);
    unsafe {
        std::arch::asm!("sc", "mfcr {cr}", cr = lateout(reg) cr,
            inlateout("r0") libc::SYS_pread64 as usize => _, inlateout("r3") fd as isize => r,
            inlateout("r4") buf => _, inlateout("r5") count => _, inlateout("r6") offset => _,
            lateout("r7") _, lateout("r8") _, lateout("r9") _, lateout("r10") _, lateout("r11") _,
            lateout("r12") _, lateout("ctr") _, lateout("xer") _, lateout("cr0") _, options(nostack));
    }
    flag_decode(r, cr)
}
