//! Hand-written test scaffolding, per arch (the code under test is generated
//! from the specs; these are written from the ABI documents independently):
//!
//! - `canary_<abi>(a0, a1, f, out) -> u64`: a function of convention `<abi>`
//!   that saves what its caller expects preserved, puts known values
//!   (canaries) in every register `<abi>` says a callee preserves, calls
//!   `f(a0, a1)` with `<abi>`, writes those registers as they are after the
//!   call into `out`, restores, and returns `f`'s integer result;
//! - `clobber_<abi>`: a function of convention `<abi>` that writes garbage to
//!   every register `<abi>` lets a callee destroy (and, for win64, to its
//!   shadow space) and returns [`CLOBBER_RET`];
//! - `sp_probe`: returns the stack pointer at its entry.

use std::arch::naked_asm;

/// What every `clobber_*` returns.
pub const CLOBBER_RET: u64 = 0x0123_4567_89AB_CDEF;

/// A canary harness: `(a0, a1, f, out) -> f(a0, a1)`.
pub struct Harness {
    /// Calls the harness (its own convention is hidden behind this Rust function).
    pub run: unsafe fn(usize, usize, *const (), &mut [u64]) -> u64,
    /// What `out` must hold afterwards: (register, value).
    pub expect: &'static [(&'static str, u64)],
}

/// The canary harness of convention `abi` on this arch.
pub fn harness(abi: &str) -> Option<Harness> {
    #[cfg(target_arch = "x86_64")]
    {
        match abi {
            "sysv" => Some(Harness {
                run: x86::run_sysv,
                expect: x86::SYSV_EXPECT,
            }),
            "win64" => Some(Harness {
                run: x86::run_win64,
                expect: x86::WIN64_EXPECT,
            }),
            _ => None,
        }
    }
    #[cfg(target_arch = "aarch64")]
    {
        (abi == "aapcs64").then_some(Harness {
            run: a64::run,
            expect: a64::EXPECT,
        })
    }
    #[cfg(target_arch = "riscv64")]
    {
        (abi == "lp64d").then_some(Harness {
            run: rv::run,
            expect: rv::EXPECT,
        })
    }
}

/// The clobbering callee of convention `abi` on this arch.
pub fn clobber(abi: &str) -> Option<*const ()> {
    #[cfg(target_arch = "x86_64")]
    {
        match abi {
            "sysv" => Some(x86::clobber_sysv as *const ()),
            "win64" => Some(x86::clobber_win64 as *const ()),
            _ => None,
        }
    }
    #[cfg(target_arch = "aarch64")]
    {
        (abi == "aapcs64").then_some(a64::clobber as *const ())
    }
    #[cfg(target_arch = "riscv64")]
    {
        (abi == "lp64d").then_some(rv::clobber as *const ())
    }
}

/// The stack-pointer probe, callable with any convention of this arch that
/// passes nothing it reads (it reads no argument).
pub fn sp_probe() -> *const () {
    #[cfg(target_arch = "x86_64")]
    {
        x86::sp_probe as *const ()
    }
    #[cfg(target_arch = "aarch64")]
    {
        a64::sp_probe as *const ()
    }
    #[cfg(target_arch = "riscv64")]
    {
        rv::sp_probe as *const ()
    }
}

/// The stack pointer `sp_probe` sees when rustc calls it with convention `abi`.
pub fn direct_sp(abi: &str) -> Option<usize> {
    #[cfg(target_arch = "x86_64")]
    {
        // SAFETY: the probe takes nothing and returns rsp in rax under both conventions.
        unsafe {
            match abi {
                "sysv" => Some(std::mem::transmute::<
                    *const (),
                    extern "sysv64" fn() -> usize,
                >(sp_probe())()),
                "win64" => Some(
                    std::mem::transmute::<*const (), extern "win64" fn() -> usize>(sp_probe())(),
                ),
                _ => None,
            }
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        let _ = abi;
        // SAFETY: the probe takes nothing and returns sp in the first result register.
        Some(unsafe {
            std::mem::transmute::<*const (), extern "C" fn() -> usize>(sp_probe())
        }())
    }
}

/// A callee of convention `abi` that writes its register arguments into its
/// shadow space, then returns the sum of its three stack arguments (i64), if
/// `abi` has shadow space.
pub fn shadow_writer(abi: &str) -> Option<*const ()> {
    #[cfg(target_arch = "x86_64")]
    {
        (abi == "win64").then_some(x86::shadow_writer as *const ())
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        let _ = abi;
        None
    }
}

/// Clobbers every register the host convention lets a function destroy, so
/// a callback handler running between a foreign caller and the entry's
/// restore really destroys them.
#[inline(never)]
pub fn clobber_host_registers() {
    // SAFETY: only writes registers declared as outputs.
    #[cfg(target_arch = "x86_64")]
    unsafe {
        std::arch::asm!(
            "mov rdi, -1", "mov rsi, -2", "mov rax, -3", "mov rcx, -4", "mov rdx, -5",
            "mov r8, -6", "mov r9, -7", "mov r10, -8", "mov r11, -9",
            "pcmpeqd xmm0, xmm0", "pcmpeqd xmm1, xmm1", "pcmpeqd xmm2, xmm2", "pcmpeqd xmm3, xmm3",
            "pcmpeqd xmm4, xmm4", "pcmpeqd xmm5, xmm5", "pcmpeqd xmm6, xmm6", "pcmpeqd xmm7, xmm7",
            "pcmpeqd xmm8, xmm8", "pcmpeqd xmm9, xmm9", "pcmpeqd xmm10, xmm10", "pcmpeqd xmm11, xmm11",
            "pcmpeqd xmm12, xmm12", "pcmpeqd xmm13, xmm13", "pcmpeqd xmm14, xmm14", "pcmpeqd xmm15, xmm15",
            out("rdi") _, out("rsi") _, out("rax") _, out("rcx") _, out("rdx") _,
            out("r8") _, out("r9") _, out("r10") _, out("r11") _,
            out("xmm0") _, out("xmm1") _, out("xmm2") _, out("xmm3") _, out("xmm4") _, out("xmm5") _,
            out("xmm6") _, out("xmm7") _, out("xmm8") _, out("xmm9") _, out("xmm10") _, out("xmm11") _,
            out("xmm12") _, out("xmm13") _, out("xmm14") _, out("xmm15") _,
        );
    }
    // SAFETY: only writes registers declared as outputs.
    #[cfg(target_arch = "aarch64")]
    unsafe {
        std::arch::asm!(
            "mov x9, #-1", "mov x10, #-2", "mov x11, #-3", "mov x12, #-4", "mov x13, #-5",
            "mov x14, #-6", "mov x15, #-7", "mov x16, #-8", "mov x17, #-9",
            "movi v0.2d, #0xffffffffffffffff", "movi v1.2d, #0xffffffffffffffff",
            "movi v2.2d, #0xffffffffffffffff", "movi v3.2d, #0xffffffffffffffff",
            "movi v16.2d, #0xffffffffffffffff", "movi v17.2d, #0xffffffffffffffff",
            "movi v30.2d, #0xffffffffffffffff", "movi v31.2d, #0xffffffffffffffff",
            out("x9") _, out("x10") _, out("x11") _, out("x12") _, out("x13") _,
            out("x14") _, out("x15") _, out("x16") _, out("x17") _,
            out("v0") _, out("v1") _, out("v2") _, out("v3") _, out("v16") _, out("v17") _,
            out("v30") _, out("v31") _,
        );
    }
    // SAFETY: only writes registers declared as outputs.
    #[cfg(target_arch = "riscv64")]
    unsafe {
        std::arch::asm!(
            "li t0, -1", "li t1, -2", "li t2, -3", "li t3, -4", "li t4, -5", "li t5, -6", "li t6, -7",
            "li a5, -8", "li a6, -9", "li a7, -10",
            "fmv.d.x ft0, t0", "fmv.d.x ft1, t0", "fmv.d.x ft7, t0", "fmv.d.x ft11, t0",
            "fmv.d.x fa0, t0", "fmv.d.x fa7, t0",
            out("t0") _, out("t1") _, out("t2") _, out("t3") _, out("t4") _, out("t5") _, out("t6") _,
            out("a5") _, out("a6") _, out("a7") _,
            out("ft0") _, out("ft1") _, out("ft7") _, out("ft11") _, out("fa0") _, out("fa7") _,
        );
    }
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    use super::*;

    pub(super) const SYSV_EXPECT: &[(&str, u64)] = &[
        ("rbx", 0xB0B0_0000_0000_0001),
        ("rbp", 0xB0B0_0000_0000_0002),
        ("r12", 0xB0B0_0000_0000_0003),
        ("r13", 0xB0B0_0000_0000_0004),
        ("r14", 0xB0B0_0000_0000_0005),
        ("r15", 0xB0B0_0000_0000_0006),
    ];

    #[unsafe(naked)]
    unsafe extern "sysv64" fn canary_sysv(
        a0: usize,
        a1: usize,
        f: *const (),
        out: *mut u64,
    ) -> u64 {
        naked_asm!(
            "push rbx",
            "push rbp",
            "push r12",
            "push r13",
            "push r14",
            "push r15",
            "push rcx",
            "mov rax, rdx",
            "mov rbx, 0xB0B0000000000001",
            "mov rbp, 0xB0B0000000000002",
            "mov r12, 0xB0B0000000000003",
            "mov r13, 0xB0B0000000000004",
            "mov r14, 0xB0B0000000000005",
            "mov r15, 0xB0B0000000000006",
            "call rax",
            "pop rcx",
            "mov [rcx], rbx",
            "mov [rcx + 8], rbp",
            "mov [rcx + 16], r12",
            "mov [rcx + 24], r13",
            "mov [rcx + 32], r14",
            "mov [rcx + 40], r15",
            "pop r15",
            "pop r14",
            "pop r13",
            "pop r12",
            "pop rbp",
            "pop rbx",
            "ret",
        )
    }

    pub(super) unsafe fn run_sysv(a0: usize, a1: usize, f: *const (), out: &mut [u64]) -> u64 {
        assert!(out.len() >= SYSV_EXPECT.len());
        unsafe { canary_sysv(a0, a1, f, out.as_mut_ptr()) }
    }

    pub(super) const WIN64_EXPECT: &[(&str, u64)] = &[
        ("rbx", 0xC0C0_0000_0000_0001),
        ("rbp", 0xC0C0_0000_0000_0002),
        ("rdi", 0xC0C0_0000_0000_0003),
        ("rsi", 0xC0C0_0000_0000_0004),
        ("r12", 0xC0C0_0000_0000_0005),
        ("r13", 0xC0C0_0000_0000_0006),
        ("r14", 0xC0C0_0000_0000_0007),
        ("r15", 0xC0C0_0000_0000_0008),
        ("xmm6.lo", 0xD6D6_0000_0000_0006),
        ("xmm6.hi", 0xE6E6_0000_0000_0006),
        ("xmm7.lo", 0xD6D6_0000_0000_0007),
        ("xmm7.hi", 0xE6E6_0000_0000_0007),
        ("xmm8.lo", 0xD6D6_0000_0000_0008),
        ("xmm8.hi", 0xE6E6_0000_0000_0008),
        ("xmm9.lo", 0xD6D6_0000_0000_0009),
        ("xmm9.hi", 0xE6E6_0000_0000_0009),
        ("xmm10.lo", 0xD6D6_0000_0000_000A),
        ("xmm10.hi", 0xE6E6_0000_0000_000A),
        ("xmm11.lo", 0xD6D6_0000_0000_000B),
        ("xmm11.hi", 0xE6E6_0000_0000_000B),
        ("xmm12.lo", 0xD6D6_0000_0000_000C),
        ("xmm12.hi", 0xE6E6_0000_0000_000C),
        ("xmm13.lo", 0xD6D6_0000_0000_000D),
        ("xmm13.hi", 0xE6E6_0000_0000_000D),
        ("xmm14.lo", 0xD6D6_0000_0000_000E),
        ("xmm14.hi", 0xE6E6_0000_0000_000E),
        ("xmm15.lo", 0xD6D6_0000_0000_000F),
        ("xmm15.hi", 0xE6E6_0000_0000_000F),
    ];

    macro_rules! set_xmm {
        ($n:literal) => {
            concat!(
                "mov r10, 0xD6D600000000000",
                $n,
                "\n",
                "movq xmm",
                $n,
                ", r10\n",
                "mov r10, 0xE6E600000000000",
                $n,
                "\n",
                "movq xmm5, r10\n",
                "punpcklqdq xmm",
                $n,
                ", xmm5\n",
            )
        };
        ($n:literal, $hex:literal) => {
            concat!(
                "mov r10, 0xD6D600000000000",
                $hex,
                "\n",
                "movq xmm",
                $n,
                ", r10\n",
                "mov r10, 0xE6E600000000000",
                $hex,
                "\n",
                "movq xmm5, r10\n",
                "punpcklqdq xmm",
                $n,
                ", xmm5\n",
            )
        };
    }

    // Frame below the 8 pushed registers: [rsp+0, 32) shadow space for f,
    // [rsp+32] out, [rsp+48, 208) the caller's xmm6-15.
    #[unsafe(naked)]
    unsafe extern "win64" fn canary_win64(
        a0: usize,
        a1: usize,
        f: *const (),
        out: *mut u64,
    ) -> u64 {
        naked_asm!(
            "push rbx",
            "push rbp",
            "push rdi",
            "push rsi",
            "push r12",
            "push r13",
            "push r14",
            "push r15",
            "sub rsp, 216",
            "mov [rsp + 32], r9",
            "movups [rsp + 48], xmm6",
            "movups [rsp + 64], xmm7",
            "movups [rsp + 80], xmm8",
            "movups [rsp + 96], xmm9",
            "movups [rsp + 112], xmm10",
            "movups [rsp + 128], xmm11",
            "movups [rsp + 144], xmm12",
            "movups [rsp + 160], xmm13",
            "movups [rsp + 176], xmm14",
            "movups [rsp + 192], xmm15",
            "mov rax, r8",
            "mov rbx, 0xC0C0000000000001",
            "mov rbp, 0xC0C0000000000002",
            "mov rdi, 0xC0C0000000000003",
            "mov rsi, 0xC0C0000000000004",
            "mov r12, 0xC0C0000000000005",
            "mov r13, 0xC0C0000000000006",
            "mov r14, 0xC0C0000000000007",
            "mov r15, 0xC0C0000000000008",
            set_xmm!("6"),
            set_xmm!("7"),
            set_xmm!("8"),
            set_xmm!("9"),
            set_xmm!("10", "A"),
            set_xmm!("11", "B"),
            set_xmm!("12", "C"),
            set_xmm!("13", "D"),
            set_xmm!("14", "E"),
            set_xmm!("15", "F"),
            "call rax",
            "mov r10, [rsp + 32]",
            "mov [r10], rbx",
            "mov [r10 + 8], rbp",
            "mov [r10 + 16], rdi",
            "mov [r10 + 24], rsi",
            "mov [r10 + 32], r12",
            "mov [r10 + 40], r13",
            "mov [r10 + 48], r14",
            "mov [r10 + 56], r15",
            "movups [r10 + 64], xmm6",
            "movups [r10 + 80], xmm7",
            "movups [r10 + 96], xmm8",
            "movups [r10 + 112], xmm9",
            "movups [r10 + 128], xmm10",
            "movups [r10 + 144], xmm11",
            "movups [r10 + 160], xmm12",
            "movups [r10 + 176], xmm13",
            "movups [r10 + 192], xmm14",
            "movups [r10 + 208], xmm15",
            "movups xmm6, [rsp + 48]",
            "movups xmm7, [rsp + 64]",
            "movups xmm8, [rsp + 80]",
            "movups xmm9, [rsp + 96]",
            "movups xmm10, [rsp + 112]",
            "movups xmm11, [rsp + 128]",
            "movups xmm12, [rsp + 144]",
            "movups xmm13, [rsp + 160]",
            "movups xmm14, [rsp + 176]",
            "movups xmm15, [rsp + 192]",
            "add rsp, 216",
            "pop r15",
            "pop r14",
            "pop r13",
            "pop r12",
            "pop rsi",
            "pop rdi",
            "pop rbp",
            "pop rbx",
            "ret",
        )
    }

    pub(super) unsafe fn run_win64(a0: usize, a1: usize, f: *const (), out: &mut [u64]) -> u64 {
        assert!(out.len() >= WIN64_EXPECT.len());
        unsafe { canary_win64(a0, a1, f, out.as_mut_ptr()) }
    }

    /// Destroys everything sysv lets a callee destroy.
    #[unsafe(naked)]
    pub(super) unsafe extern "sysv64" fn clobber_sysv() -> u64 {
        naked_asm!(
            "mov rcx, -1",
            "mov rdx, -2",
            "mov rsi, -3",
            "mov rdi, -4",
            "mov r8, -5",
            "mov r9, -6",
            "mov r10, -7",
            "mov r11, -8",
            "pcmpeqd xmm0, xmm0",
            "pcmpeqd xmm1, xmm1",
            "pcmpeqd xmm2, xmm2",
            "pcmpeqd xmm3, xmm3",
            "pcmpeqd xmm4, xmm4",
            "pcmpeqd xmm5, xmm5",
            "pcmpeqd xmm6, xmm6",
            "pcmpeqd xmm7, xmm7",
            "pcmpeqd xmm8, xmm8",
            "pcmpeqd xmm9, xmm9",
            "pcmpeqd xmm10, xmm10",
            "pcmpeqd xmm11, xmm11",
            "pcmpeqd xmm12, xmm12",
            "pcmpeqd xmm13, xmm13",
            "pcmpeqd xmm14, xmm14",
            "pcmpeqd xmm15, xmm15",
            "mov rax, 0x0123456789ABCDEF",
            "ret",
        )
    }

    /// Destroys everything win64 lets a callee destroy, its shadow space included.
    #[unsafe(naked)]
    pub(super) unsafe extern "win64" fn clobber_win64() -> u64 {
        naked_asm!(
            "mov rcx, -1",
            "mov rdx, -2",
            "mov r8, -5",
            "mov r9, -6",
            "mov r10, -7",
            "mov r11, -8",
            "mov [rsp + 8], rcx",
            "mov [rsp + 16], rdx",
            "mov [rsp + 24], r8",
            "mov [rsp + 32], r9",
            "pcmpeqd xmm0, xmm0",
            "pcmpeqd xmm1, xmm1",
            "pcmpeqd xmm2, xmm2",
            "pcmpeqd xmm3, xmm3",
            "pcmpeqd xmm4, xmm4",
            "pcmpeqd xmm5, xmm5",
            "mov rax, 0x0123456789ABCDEF",
            "ret",
        )
    }

    #[unsafe(naked)]
    pub(super) unsafe extern "win64" fn shadow_writer() -> i64 {
        naked_asm!(
            "mov [rsp + 8], rcx",
            "mov [rsp + 16], rdx",
            "mov [rsp + 24], r8",
            "mov [rsp + 32], r9",
            "mov rax, [rsp + 40]",
            "add rax, [rsp + 48]",
            "add rax, [rsp + 56]",
            "ret",
        )
    }

    #[unsafe(naked)]
    pub(super) unsafe extern "sysv64" fn sp_probe() -> usize {
        naked_asm!("mov rax, rsp", "ret")
    }
}

#[cfg(target_arch = "aarch64")]
mod a64 {
    use super::*;

    pub(super) const EXPECT: &[(&str, u64)] = &[
        ("x19", 0xCAFE_0000_0000_0019),
        ("x20", 0xCAFE_0000_0000_0020),
        ("x21", 0xCAFE_0000_0000_0021),
        ("x22", 0xCAFE_0000_0000_0022),
        ("x23", 0xCAFE_0000_0000_0023),
        ("x24", 0xCAFE_0000_0000_0024),
        ("x25", 0xCAFE_0000_0000_0025),
        ("x26", 0xCAFE_0000_0000_0026),
        ("x27", 0xCAFE_0000_0000_0027),
        ("x28", 0xCAFE_0000_0000_0028),
        ("x29", 0xCAFE_0000_0000_0029),
        ("d8", 0xF00D_0000_0000_0008),
        ("d9", 0xF00D_0000_0000_0009),
        ("d10", 0xF00D_0000_0000_0010),
        ("d11", 0xF00D_0000_0000_0011),
        ("d12", 0xF00D_0000_0000_0012),
        ("d13", 0xF00D_0000_0000_0013),
        ("d14", 0xF00D_0000_0000_0014),
        ("d15", 0xF00D_0000_0000_0015),
    ];

    macro_rules! set_x {
        ($r:literal, $lo:literal) => {
            concat!(
                "movz ",
                $r,
                ", #",
                $lo,
                "\n",
                "movk ",
                $r,
                ", #0xCAFE, lsl #48\n"
            )
        };
    }
    macro_rules! set_d {
        ($r:literal, $lo:literal) => {
            concat!(
                "movz x10, #",
                $lo,
                "\n",
                "movk x10, #0xF00D, lsl #48\n",
                "fmov ",
                $r,
                ", x10\n"
            )
        };
    }

    #[unsafe(naked)]
    unsafe extern "C" fn canary(a0: usize, a1: usize, f: *const (), out: *mut u64) -> u64 {
        naked_asm!(
            "sub sp, sp, #176",
            "stp x19, x20, [sp, #0]",
            "stp x21, x22, [sp, #16]",
            "stp x23, x24, [sp, #32]",
            "stp x25, x26, [sp, #48]",
            "stp x27, x28, [sp, #64]",
            "stp x29, x30, [sp, #80]",
            "stp d8, d9, [sp, #96]",
            "stp d10, d11, [sp, #112]",
            "stp d12, d13, [sp, #128]",
            "stp d14, d15, [sp, #144]",
            "str x3, [sp, #160]",
            "mov x9, x2",
            set_x!("x19", "0x19"),
            set_x!("x20", "0x20"),
            set_x!("x21", "0x21"),
            set_x!("x22", "0x22"),
            set_x!("x23", "0x23"),
            set_x!("x24", "0x24"),
            set_x!("x25", "0x25"),
            set_x!("x26", "0x26"),
            set_x!("x27", "0x27"),
            set_x!("x28", "0x28"),
            set_x!("x29", "0x29"),
            set_d!("d8", "0x08"),
            set_d!("d9", "0x09"),
            set_d!("d10", "0x10"),
            set_d!("d11", "0x11"),
            set_d!("d12", "0x12"),
            set_d!("d13", "0x13"),
            set_d!("d14", "0x14"),
            set_d!("d15", "0x15"),
            "blr x9",
            "ldr x10, [sp, #160]",
            "stp x19, x20, [x10, #0]",
            "stp x21, x22, [x10, #16]",
            "stp x23, x24, [x10, #32]",
            "stp x25, x26, [x10, #48]",
            "stp x27, x28, [x10, #64]",
            "str x29, [x10, #80]",
            "stp d8, d9, [x10, #88]",
            "stp d10, d11, [x10, #104]",
            "stp d12, d13, [x10, #120]",
            "stp d14, d15, [x10, #136]",
            "ldp x19, x20, [sp, #0]",
            "ldp x21, x22, [sp, #16]",
            "ldp x23, x24, [sp, #32]",
            "ldp x25, x26, [sp, #48]",
            "ldp x27, x28, [sp, #64]",
            "ldp x29, x30, [sp, #80]",
            "ldp d8, d9, [sp, #96]",
            "ldp d10, d11, [sp, #112]",
            "ldp d12, d13, [sp, #128]",
            "ldp d14, d15, [sp, #144]",
            "add sp, sp, #176",
            "ret",
        )
    }

    pub(super) unsafe fn run(a0: usize, a1: usize, f: *const (), out: &mut [u64]) -> u64 {
        assert!(out.len() >= EXPECT.len());
        unsafe { canary(a0, a1, f, out.as_mut_ptr()) }
    }

    /// Destroys everything aapcs64 lets a callee destroy: x0-x17, v0-v7,
    /// v16-v31, and the upper halves of v8-v15 (only d8-d15 are preserved).
    #[unsafe(naked)]
    pub(super) unsafe extern "C" fn clobber() -> u64 {
        naked_asm!(
            "mov x1, #-1",
            "mov x2, #-2",
            "mov x3, #-3",
            "mov x4, #-4",
            "mov x5, #-5",
            "mov x6, #-6",
            "mov x7, #-7",
            "mov x8, #-8",
            "mov x9, #-9",
            "mov x10, #-10",
            "mov x11, #-11",
            "mov x12, #-12",
            "mov x13, #-13",
            "mov x14, #-14",
            "mov x15, #-15",
            "mov x16, #-16",
            "mov x17, #-17",
            "movi v0.2d, #0xffffffffffffffff",
            "movi v1.2d, #0xffffffffffffffff",
            "movi v2.2d, #0xffffffffffffffff",
            "movi v3.2d, #0xffffffffffffffff",
            "movi v4.2d, #0xffffffffffffffff",
            "movi v5.2d, #0xffffffffffffffff",
            "movi v6.2d, #0xffffffffffffffff",
            "movi v7.2d, #0xffffffffffffffff",
            "mov v8.d[1], x9",
            "mov v9.d[1], x9",
            "mov v10.d[1], x9",
            "mov v11.d[1], x9",
            "mov v12.d[1], x9",
            "mov v13.d[1], x9",
            "mov v14.d[1], x9",
            "mov v15.d[1], x9",
            "movi v16.2d, #0xffffffffffffffff",
            "movi v17.2d, #0xffffffffffffffff",
            "movi v18.2d, #0xffffffffffffffff",
            "movi v19.2d, #0xffffffffffffffff",
            "movi v20.2d, #0xffffffffffffffff",
            "movi v21.2d, #0xffffffffffffffff",
            "movi v22.2d, #0xffffffffffffffff",
            "movi v23.2d, #0xffffffffffffffff",
            "movi v24.2d, #0xffffffffffffffff",
            "movi v25.2d, #0xffffffffffffffff",
            "movi v26.2d, #0xffffffffffffffff",
            "movi v27.2d, #0xffffffffffffffff",
            "movi v28.2d, #0xffffffffffffffff",
            "movi v29.2d, #0xffffffffffffffff",
            "movi v30.2d, #0xffffffffffffffff",
            "movi v31.2d, #0xffffffffffffffff",
            "movz x0, #0xCDEF",
            "movk x0, #0x89AB, lsl #16",
            "movk x0, #0x4567, lsl #32",
            "movk x0, #0x0123, lsl #48",
            "ret",
        )
    }

    #[unsafe(naked)]
    pub(super) unsafe extern "C" fn sp_probe() -> usize {
        naked_asm!("mov x0, sp", "ret")
    }
}

#[cfg(target_arch = "riscv64")]
mod rv {
    use super::*;

    pub(super) const EXPECT: &[(&str, u64)] = &[
        ("s0", 0xCAFE_0000_0000_0100),
        ("s1", 0xCAFE_0000_0000_0101),
        ("s2", 0xCAFE_0000_0000_0102),
        ("s3", 0xCAFE_0000_0000_0103),
        ("s4", 0xCAFE_0000_0000_0104),
        ("s5", 0xCAFE_0000_0000_0105),
        ("s6", 0xCAFE_0000_0000_0106),
        ("s7", 0xCAFE_0000_0000_0107),
        ("s8", 0xCAFE_0000_0000_0108),
        ("s9", 0xCAFE_0000_0000_0109),
        ("s10", 0xCAFE_0000_0000_0110),
        ("s11", 0xCAFE_0000_0000_0111),
        ("fs0", 0xF00D_0000_0000_0200),
        ("fs1", 0xF00D_0000_0000_0201),
        ("fs2", 0xF00D_0000_0000_0202),
        ("fs3", 0xF00D_0000_0000_0203),
        ("fs4", 0xF00D_0000_0000_0204),
        ("fs5", 0xF00D_0000_0000_0205),
        ("fs6", 0xF00D_0000_0000_0206),
        ("fs7", 0xF00D_0000_0000_0207),
        ("fs8", 0xF00D_0000_0000_0208),
        ("fs9", 0xF00D_0000_0000_0209),
        ("fs10", 0xF00D_0000_0000_0210),
        ("fs11", 0xF00D_0000_0000_0211),
    ];

    macro_rules! set_s {
        ($r:literal, $v:literal) => {
            concat!("li ", $r, ", 0xCAFE000000000", $v, "\n")
        };
    }
    macro_rules! set_fs {
        ($r:literal, $v:literal) => {
            concat!("li t0, 0xF00D000000000", $v, "\n", "fmv.d.x ", $r, ", t0\n")
        };
    }

    #[unsafe(naked)]
    unsafe extern "C" fn canary(a0: usize, a1: usize, f: *const (), out: *mut u64) -> u64 {
        naked_asm!(
            // At opt-level >= 1 naked asm does not get the target's D extension.
            ".option push",
            ".option arch, +d",
            "addi sp, sp, -224",
            "sd ra, 0(sp)",
            "sd s0, 8(sp)",
            "sd s1, 16(sp)",
            "sd s2, 24(sp)",
            "sd s3, 32(sp)",
            "sd s4, 40(sp)",
            "sd s5, 48(sp)",
            "sd s6, 56(sp)",
            "sd s7, 64(sp)",
            "sd s8, 72(sp)",
            "sd s9, 80(sp)",
            "sd s10, 88(sp)",
            "sd s11, 96(sp)",
            "fsd fs0, 104(sp)",
            "fsd fs1, 112(sp)",
            "fsd fs2, 120(sp)",
            "fsd fs3, 128(sp)",
            "fsd fs4, 136(sp)",
            "fsd fs5, 144(sp)",
            "fsd fs6, 152(sp)",
            "fsd fs7, 160(sp)",
            "fsd fs8, 168(sp)",
            "fsd fs9, 176(sp)",
            "fsd fs10, 184(sp)",
            "fsd fs11, 192(sp)",
            "sd a3, 200(sp)",
            "mv t1, a2",
            set_s!("s0", "100"),
            set_s!("s1", "101"),
            set_s!("s2", "102"),
            set_s!("s3", "103"),
            set_s!("s4", "104"),
            set_s!("s5", "105"),
            set_s!("s6", "106"),
            set_s!("s7", "107"),
            set_s!("s8", "108"),
            set_s!("s9", "109"),
            set_s!("s10", "110"),
            set_s!("s11", "111"),
            set_fs!("fs0", "200"),
            set_fs!("fs1", "201"),
            set_fs!("fs2", "202"),
            set_fs!("fs3", "203"),
            set_fs!("fs4", "204"),
            set_fs!("fs5", "205"),
            set_fs!("fs6", "206"),
            set_fs!("fs7", "207"),
            set_fs!("fs8", "208"),
            set_fs!("fs9", "209"),
            set_fs!("fs10", "210"),
            set_fs!("fs11", "211"),
            "jalr t1",
            "ld t2, 200(sp)",
            "sd s0, 0(t2)",
            "sd s1, 8(t2)",
            "sd s2, 16(t2)",
            "sd s3, 24(t2)",
            "sd s4, 32(t2)",
            "sd s5, 40(t2)",
            "sd s6, 48(t2)",
            "sd s7, 56(t2)",
            "sd s8, 64(t2)",
            "sd s9, 72(t2)",
            "sd s10, 80(t2)",
            "sd s11, 88(t2)",
            "fsd fs0, 96(t2)",
            "fsd fs1, 104(t2)",
            "fsd fs2, 112(t2)",
            "fsd fs3, 120(t2)",
            "fsd fs4, 128(t2)",
            "fsd fs5, 136(t2)",
            "fsd fs6, 144(t2)",
            "fsd fs7, 152(t2)",
            "fsd fs8, 160(t2)",
            "fsd fs9, 168(t2)",
            "fsd fs10, 176(t2)",
            "fsd fs11, 184(t2)",
            "ld ra, 0(sp)",
            "ld s0, 8(sp)",
            "ld s1, 16(sp)",
            "ld s2, 24(sp)",
            "ld s3, 32(sp)",
            "ld s4, 40(sp)",
            "ld s5, 48(sp)",
            "ld s6, 56(sp)",
            "ld s7, 64(sp)",
            "ld s8, 72(sp)",
            "ld s9, 80(sp)",
            "ld s10, 88(sp)",
            "ld s11, 96(sp)",
            "fld fs0, 104(sp)",
            "fld fs1, 112(sp)",
            "fld fs2, 120(sp)",
            "fld fs3, 128(sp)",
            "fld fs4, 136(sp)",
            "fld fs5, 144(sp)",
            "fld fs6, 152(sp)",
            "fld fs7, 160(sp)",
            "fld fs8, 168(sp)",
            "fld fs9, 176(sp)",
            "fld fs10, 184(sp)",
            "fld fs11, 192(sp)",
            "addi sp, sp, 224",
            "ret",
            ".option pop",
        )
    }

    pub(super) unsafe fn run(a0: usize, a1: usize, f: *const (), out: &mut [u64]) -> u64 {
        assert!(out.len() >= EXPECT.len());
        unsafe { canary(a0, a1, f, out.as_mut_ptr()) }
    }

    /// Destroys everything lp64d lets a callee destroy: t0-t6, a1-a7,
    /// ft0-ft11, fa0-fa7.
    #[unsafe(naked)]
    pub(super) unsafe extern "C" fn clobber() -> u64 {
        naked_asm!(
            ".option push",
            ".option arch, +d",
            "li t0, -1",
            "li t1, -2",
            "li t2, -3",
            "li t3, -4",
            "li t4, -5",
            "li t5, -6",
            "li t6, -7",
            "li a1, -8",
            "li a2, -9",
            "li a3, -10",
            "li a4, -11",
            "li a5, -12",
            "li a6, -13",
            "li a7, -14",
            "fmv.d.x ft0, t0",
            "fmv.d.x ft1, t0",
            "fmv.d.x ft2, t0",
            "fmv.d.x ft3, t0",
            "fmv.d.x ft4, t0",
            "fmv.d.x ft5, t0",
            "fmv.d.x ft6, t0",
            "fmv.d.x ft7, t0",
            "fmv.d.x ft8, t0",
            "fmv.d.x ft9, t0",
            "fmv.d.x ft10, t0",
            "fmv.d.x ft11, t0",
            "fmv.d.x fa0, t0",
            "fmv.d.x fa1, t0",
            "fmv.d.x fa2, t0",
            "fmv.d.x fa3, t0",
            "fmv.d.x fa4, t0",
            "fmv.d.x fa5, t0",
            "fmv.d.x fa6, t0",
            "fmv.d.x fa7, t0",
            "li a0, 0x0123456789ABCDEF",
            "ret",
            ".option pop",
        )
    }

    #[unsafe(naked)]
    pub(super) unsafe extern "C" fn sp_probe() -> usize {
        naked_asm!("mv a0, sp", "ret")
    }
}
