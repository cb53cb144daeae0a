//! The validated model of the spec files. Everything here has passed the checks
//! in `load`; code that consumes it does not re-validate.

use crate::diag::Loc;

/// Every spec file, loaded and cross-checked.
#[derive(Debug, Clone, Default)]
pub struct Specs {
    /// `targets/<os>-<arch>.toml`, sorted by name.
    pub targets: Vec<Target>,
    /// `targets/abi/<name>.toml`.
    pub abis: Vec<Abi>,
    /// `targets/arch/<name>.toml`.
    pub arches: Vec<Arch>,
    /// `targets/errno/<name>.toml`.
    pub errno_tables: Vec<ErrnoTable>,
}

impl Specs {
    /// Keeps the templates that apply to a build for `triple`: a
    /// `number_reserved` whose `triples` no pattern of matches is dropped.
    /// The proc-macro calls this with the triple of the compilation that
    /// expands it, since no cfg tells such builds apart (thumbv7neon-* from
    /// armv7-*).
    ///
    /// ```
    /// let mut specs = abi_spec::load_builtin().unwrap();
    /// specs.for_triple("armv7-unknown-linux-gnueabihf");
    /// let arm = specs.target("linux-armv7").unwrap();
    /// assert!(arm.syscall.number_reserved.is_none());
    /// ```
    pub fn for_triple(&mut self, triple: &str) {
        for t in &mut self.targets {
            let applies = t
                .syscall
                .number_reserved
                .as_ref()
                .is_some_and(|nr| nr.applies_to(triple));
            if !applies {
                t.syscall.number_reserved = None;
            }
        }
    }

    /// The target called `name` (the file stem, e.g. `linux-x86_64`).
    pub fn target(&self, name: &str) -> Option<&Target> {
        self.targets.iter().find(|t| t.name == name)
    }

    /// The calling convention called `name`.
    pub fn abi(&self, name: &str) -> Option<&Abi> {
        self.abis.iter().find(|a| a.name == name)
    }

    /// The architecture called `name`.
    pub fn arch(&self, name: &str) -> Option<&Arch> {
        self.arches.iter().find(|a| a.name == name)
    }

    /// The errno table called `name`.
    pub fn errno_table(&self, name: &str) -> Option<&ErrnoTable> {
        self.errno_tables.iter().find(|a| a.name == name)
    }
}

/// One OS/arch: how its system calls are made and which calls it has.
#[derive(Debug, Clone)]
pub struct Target {
    /// File stem, e.g. `linux-aarch64`.
    pub name: String,
    /// The file it came from.
    pub loc: Loc,
    /// Architecture name (`targets/arch/<arch>.toml`).
    pub arch: String,
    /// Function-call convention name (`targets/abi/<abi>.toml`).
    pub abi: String,
    /// Errno table name (`targets/errno/<errno>.toml`).
    pub errno: String,
    /// When this target applies.
    pub cfg: Cfg,
    /// How a system call is made.
    pub syscall: SyscallConv,
    /// Where the tables came from.
    pub provenance: Provenance,
    /// How the test matrix builds and runs this target.
    pub ci: Ci,
    /// The call table, sorted by number.
    pub calls: Vec<Call>,
    /// Calls the source headers define that the table leaves out on purpose
    /// (`[excluded]`), each with the reason.
    pub excluded: Vec<Excluded>,
    /// Named values of the OS API on this target (`O_CREAT`, `PROT_READ`, ...),
    /// which differ between arches of one OS: the runtime's platform layer
    /// takes them from here, each with its C type.
    pub constants: Vec<crate::constant::Constant>,
    /// The process entry (`_start`) for freestanding programs: asm lines in
    /// which `{main}` names the Rust function that receives the initial stack
    /// pointer. Empty when the target has none.
    pub entry: Vec<String>,
    /// Functions of the vDSO the kernel maps into each process, each with the
    /// call of the same name as its fallback.
    pub vdso: Vec<VdsoSymbol>,
    /// Layouts of the kernel structures the runtime reads or writes
    /// (`[layouts.*]`), sorted by name.
    pub layouts: Vec<crate::layout::Layout>,
    /// Portable calls made through another entry of the table (`[via]`).
    pub via: Vec<Via>,
}

/// A portable call this target makes through another entry (`[via]`): the
/// declaration keeps the portable arguments, the stub passes what `pass` says.
#[derive(Debug, Clone)]
pub struct Via {
    /// The portable name, e.g. `lseek`.
    pub name: String,
    /// The portable arguments, in order.
    pub args: Vec<Arg>,
    /// The entry of `[calls]` that is made, e.g. `_llseek`.
    pub call: String,
    /// What goes in each argument register of that entry, in order.
    pub pass: Vec<Pass>,
    /// The kind of the value the kernel writes through `&result`, which the
    /// call then returns; `None` when the call returns the raw result.
    pub result: Option<ArgKind>,
    /// Where the entry is written.
    pub loc: Loc,
}

/// One item of a `[via]` entry's `pass` list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pass {
    /// The portable argument at this position (a register pair if it is wider
    /// than a register).
    Arg(usize),
    /// The low 32 bits of a 64-bit argument (`offset.lo`).
    Low(usize),
    /// The high 32 bits of a 64-bit argument (`offset.hi`).
    High(usize),
    /// The argument divided by a power of two (`offset / 4096`); a value that
    /// is not a multiple fails with EINVAL without entering the kernel.
    Scaled(usize, u64),
    /// A constant (`0`, `-100`).
    Const(i64),
    /// The address of the slot the kernel writes the result to (`&result`).
    ResultSlot,
    /// The address of a block of register-sized words (`&[addr, len, ...]`).
    Block(Vec<Pass>),
}

/// How a declaration of a call looks on a target and how the target makes it.
#[derive(Debug, Clone, Copy)]
pub struct Shape<'s> {
    /// The name declarations use.
    pub name: &'s str,
    /// The arguments declarations list.
    pub args: &'s [Arg],
    /// The entry of `[calls]` that is made.
    pub call: &'s Call,
    /// How, when it is made through another entry.
    pub via: Option<&'s Via>,
}

/// One vDSO function.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VdsoSymbol {
    /// The call it stands in for, e.g. `clock_gettime`.
    pub call: String,
    /// Its symbol in the vDSO, e.g. `__vdso_clock_gettime`.
    pub symbol: String,
    /// The symbol version, e.g. `LINUX_2.6`.
    pub version: String,
}

impl Target {
    /// The call called `name`.
    pub fn call(&self, name: &str) -> Option<&Call> {
        self.calls.iter().find(|c| c.name == name)
    }

    /// The layout called `name`.
    pub fn layout(&self, name: &str) -> Option<&crate::layout::Layout> {
        self.layouts.iter().find(|l| l.name == name)
    }

    /// The call a declaration of `name` makes here: a `[via]` entry of that
    /// name (which shadows a `[calls]` entry of the same name), else the entry.
    pub fn shape(&self, name: &str) -> Option<Shape<'_>> {
        if let Some(v) = self.via.iter().find(|v| v.name == name) {
            let call = self.call(&v.call)?;
            return Some(Shape {
                name: &v.name,
                args: &v.args,
                call,
                via: Some(v),
            });
        }
        self.call(name).map(|call| Shape {
            name: &call.name,
            args: &call.args,
            call,
            via: None,
        })
    }
}

/// The `cfg` values that select a target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cfg {
    /// `target_os`.
    pub os: String,
    /// `target_arch`.
    pub arch: String,
    /// `target_pointer_width`, in bits.
    pub pointer_width: u32,
    /// `target_endian`.
    pub endian: String,
}

/// How a target's system interface is entered. Which fields are used depends
/// on the kind: a trap fills the register fields, an import the module, a call
/// the Rust ABI and the last-error call; the others are empty.
#[derive(Debug, Clone)]
pub struct SyscallConv {
    /// The kind of convention; code branches on this, never on an arch name.
    pub kind: ConvKind,
    /// Import kind: the wasm import module, e.g. `wasi_snapshot_preview1`.
    pub module: String,
    /// Import and call kinds: the ABI string of the Rust `extern` block (`"C"`, `"system"`).
    pub rust_abi: String,
    /// Call kind: the call (of this table) that reports the error code of the
    /// last failed call, e.g. `GetLastError`.
    pub last_error: String,
    /// The instruction lines of the stub, in order.
    pub instructions: Vec<String>,
    /// Trap kind: directives a standalone assembler needs before the
    /// instruction templates (which are written for `asm!`, e.g.
    /// `.intel_syntax noprefix` on x86_64); used for `.S` files.
    pub assembler: Vec<String>,
    /// Register that carries the call number.
    pub number: String,
    /// Argument registers, in order.
    pub args: Vec<String>,
    /// Register the raw result comes back in.
    pub ret: String,
    /// Registers the instruction destroys besides `ret`.
    pub clobbers: Vec<String>,
    /// `asm!` options for calls that return.
    pub options: Vec<String>,
    /// Instruction executed if a never-returning call comes back.
    pub trap: String,
    /// How the raw result tells an error from a value, unless a call says otherwise.
    pub errors: ErrorConv,
    /// `flag` errors: the lines that copy the flag into `{out}`.
    pub flag_read: Vec<String>,
    /// `flag` errors: lines that turn a flagged raw result in `{reg}` (a
    /// positive errno) into -errno and leave a result alone (the `negate` of
    /// the arch's `[flags]` entry); C stubs return that form.
    pub flag_negate: Vec<String>,
    /// `flag` errors: the largest errno (`max`), which bounds the
    /// negated-errno range C stubs return; `None` when the spec does not say.
    pub flag_max: Option<u32>,
    /// Registers `asm!` refuses as operands, and the template that moves values
    /// into them (`reserved`); `None` when every argument register is usable.
    pub reserved: Option<Reserved>,
    /// When the compiler reserves the number register itself (Thumb state's
    /// r7, the frame pointer): the register the number comes in instead and
    /// the template that saves the number register, moves the number into it
    /// and restores it (`number_reserved`).
    pub number_reserved: Option<NumberReserved>,
    /// How a 64-bit argument travels when registers are narrower (`pairs`);
    /// `None` where every argument fits one register.
    pub pairs: Option<PairRule>,
}

/// Argument registers the compiler reserves (i686's esi and ebp): a call that
/// needs one passes their values, and the call number, in a block of words
/// whose address goes in the number register; `before` loads them (saving the
/// registers first), `after` restores them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reserved {
    /// The reserved registers, in block order; the call number follows them.
    pub regs: Vec<String>,
    /// Lines before the instructions: `{<reg>}` is the byte offset of that
    /// register's value in the block, `{number}` the call number's.
    pub before: Vec<String>,
    /// Lines after the instructions (not run by a call that never returns).
    pub after: Vec<String>,
    /// `asm!` options of such a call (a template that pushes drops `nostack`).
    pub options: Vec<String>,
    /// A cheaper form for a call that uses only one of the reserved registers
    /// (`alone`): its value comes in the number register and the number is an
    /// immediate. `None`: such calls use the block too.
    pub alone: Option<ReservedAlone>,
}

/// The number register reserved by the compiler (`number_reserved`): the
/// number comes in `carrier`; `before` saves the number register and moves
/// the number into it, `after` restores it. A call whose number is a constant
/// may use the cheaper `immediate` template instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NumberReserved {
    /// The register that brings a number known only at run time.
    pub carrier: String,
    /// Lines before the instructions.
    pub before: Vec<String>,
    /// Lines after the instructions (not run by a call that never returns).
    pub after: Vec<String>,
    /// `asm!` options of such a call (a template that pushes drops `nostack`).
    pub options: Vec<String>,
    /// The template of a call whose number is a constant of the table.
    pub immediate: Option<NumberImmediate>,
    /// Target triples whose builds need it (`*` at the end matches any
    /// rest); empty: every build of the target.
    pub triples: Vec<String>,
}

impl NumberReserved {
    /// Whether a build for `triple` needs the number register reserved.
    pub fn applies_to(&self, triple: &str) -> bool {
        self.triples.is_empty()
            || self.triples.iter().any(|p| match p.strip_suffix('*') {
                Some(prefix) => triple.starts_with(prefix),
                None => triple == p,
            })
    }
}

/// `number_reserved.immediate`: the number is written into the template
/// (`{nr}`), so no register carries it; the number register is saved in one
/// of `clobbers` instead of memory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NumberImmediate {
    /// The largest number the template's instruction encodes; larger numbers
    /// take the carrier template.
    pub max: u32,
    /// Lines before the instructions; `{nr}` is the call number.
    pub before: Vec<String>,
    /// Lines after the instructions (not run by a call that never returns).
    pub after: Vec<String>,
    /// Registers the template destroys.
    pub clobbers: Vec<String>,
    /// `asm!` options of such a call.
    pub options: Vec<String>,
}

/// The template of a call using one reserved register (`reserved.alone`):
/// `{reg}` is that register, `{nr}` the call number as an immediate; the
/// register's value arrives in the number register.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReservedAlone {
    /// Lines before the instructions (save `{reg}`, move the value, load `{nr}`).
    pub before: Vec<String>,
    /// Lines after the instructions (restore `{reg}`).
    pub after: Vec<String>,
}

/// How a 64-bit argument is split over two registers of a 32-bit convention.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PairRule {
    /// Whether the pair starts at an even argument register (Arm EABI), a
    /// register being skipped when needed.
    pub even: bool,
    /// Whether the low word goes first (the target's byte order unless the
    /// spec says otherwise).
    pub low_first: bool,
}

impl PairRule {
    /// The argument-register index each argument starts at and the number
    /// of registers used in all, for arguments of these widths (`true`: 64-bit).
    pub fn layout(self, wide: impl IntoIterator<Item = bool>) -> (Vec<usize>, usize) {
        let mut next = 0;
        let mut starts = Vec::new();
        for w in wide {
            if w && self.even && next % 2 == 1 {
                next += 1;
            }
            starts.push(next);
            next += if w { 2 } else { 1 };
        }
        (starts, next)
    }
}

/// The kinds of system-call convention.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConvKind {
    /// A trap instruction with the number and arguments in registers (Linux).
    Trap,
    /// A function imported from the host by module and name (WASI).
    Import,
    /// A function of a system library, called with the platform's C ABI (Windows DLLs).
    Call,
}

/// How a raw result is decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorConv {
    /// A raw value in `[-max, -1]` is `-errno`; anything else is a value.
    NegatedErrno {
        /// The largest errno the kernel returns this way (4095 on Linux).
        max: u32,
    },
    /// The return value is the errno; 0 is success (WASI).
    ReturnedErrno,
    /// Zero (`FALSE`) is failure; the code comes from the last-error call.
    BoolFalse,
    /// All bits of the return value set (`INVALID_HANDLE_VALUE`, a `DWORD`'s
    /// `WAIT_FAILED`) is failure; code from the last-error call.
    InvalidHandle,
    /// A null pointer is failure; code from the last-error call.
    Null,
    /// Zero is failure (a count of 0); code from the last-error call.
    Zero,
    /// A negative status (`NTSTATUS`) is failure, and is itself the code.
    NtStatus,
    /// The call cannot fail.
    Never,
    /// A flag the kernel sets on failure (powerpc's cr0.SO), read after the
    /// trap with the arch's `[flags]` lines; the raw result is then the
    /// positive errno.
    Flag {
        /// The bits of the read value that are set when the flag is.
        mask: u64,
    },
}

impl ErrorConv {
    /// Spellings in spec files, for the conventions a call may name with `fails`.
    pub const NAMED: [(&'static str, ErrorConv); 7] = [
        ("returned_errno", ErrorConv::ReturnedErrno),
        ("bool_false", ErrorConv::BoolFalse),
        ("invalid_handle", ErrorConv::InvalidHandle),
        ("null", ErrorConv::Null),
        ("zero", ErrorConv::Zero),
        ("ntstatus", ErrorConv::NtStatus),
        ("never", ErrorConv::Never),
    ];

    /// Whether the error code comes from the last-error call.
    pub fn uses_last_error(self) -> bool {
        matches!(
            self,
            ErrorConv::BoolFalse | ErrorConv::InvalidHandle | ErrorConv::Null | ErrorConv::Zero
        )
    }
}

/// A call the source headers define that a table leaves out on purpose.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Excluded {
    /// The call's name, e.g. `vfork`.
    pub name: String,
    /// Its number in the headers, for trap conventions.
    pub nr: Option<u32>,
    /// Why it is left out.
    pub reason: String,
    /// Where the entry is written.
    pub loc: Loc,
}

/// Where a target's tables came from, so drift can be checked.
#[derive(Debug, Clone, Default)]
pub struct Provenance {
    /// Header and package.
    pub source: String,
    /// Kernel version of the headers.
    pub kernel: String,
    /// The Debian package that installs `headers` (`cargo xtask verify-specs`
    /// installs it when missing); empty when the table has no machine-checked source.
    pub package: String,
    /// That package's version when the table was imported.
    pub version: String,
    /// The headers the table is checked against (absolute paths; `*` matches
    /// one path component, the highest version wins).
    pub headers: Vec<String>,
    /// Arguments for libclang when it reads `headers` (target, include folders, defines).
    pub clang_args: Vec<String>,
    /// Trap kind: the Debian package of the kernel's own headers.
    pub prototypes_package: String,
    /// Trap kind: headers with the kernel's `sys_*` prototypes, the source of
    /// argument descriptions (same path rules as `headers`).
    pub prototypes: Vec<String>,
    /// Trap kind: a header of `__SYSCALL(nr, entry)` lines naming each
    /// number's kernel entry point, when `headers` do not have them (empty: they do).
    pub entry_points: String,
    /// Trap kind: the Debian package of the kernel source the table is
    /// imported from (`linux-source-6.12`); `headers` are then the fallback
    /// for machines without it.
    pub kernel_package: String,
    /// The source archive that package installs (absolute path).
    pub kernel_archive: String,
    /// That package's version when the table was imported.
    pub kernel_version: String,
    /// The system call table inside the source
    /// (`arch/x86/entry/syscalls/syscall_64.tbl`).
    pub syscall_table: String,
    /// The ABIs of `syscall_table` this port's kernel is built with (`common`, `64`).
    pub syscall_abis: Vec<String>,
    /// Files inside the source with the entry points' prototypes
    /// (`asmlinkage long sys_*(...)` declarations or `SYSCALL_DEFINEn` definitions).
    pub kernel_prototypes: Vec<String>,
    /// Call kind: DLLs whose import library has another name (an API set such
    /// as `api-ms-win-core-synch-l1-2-0`, whose library is `synchronization`),
    /// as (DLL, library) pairs; `{dll}` in `headers` becomes the library's name.
    pub import_libraries: Vec<(String, String)>,
}

impl Provenance {
    /// The name of `dll`'s import library (`import_libraries`, else the DLL's own name).
    pub fn import_library<'a>(&'a self, dll: &'a str) -> &'a str {
        self.import_libraries
            .iter()
            .find(|(d, _)| d.eq_ignore_ascii_case(dll))
            .map_or(dll, |(_, lib)| lib)
    }
}

/// How the cross-compile matrix handles a target.
#[derive(Debug, Clone, Default)]
pub struct Ci {
    /// Rust target triple.
    pub triple: String,
    /// Other triples this spec serves (no cfg tells their builds apart, e.g.
    /// thumbv7neon-* from armv7-*): each is a leg of its own, built and run
    /// like `triple`.
    pub more_triples: Vec<String>,
    /// Linker command, empty for the default.
    pub linker: String,
    /// Runner command line, empty to run natively.
    pub runner: String,
    /// With an empty `runner`: the runner to use when the host cannot run the
    /// triple's programs natively (e.g. a kernel without 32-bit support);
    /// empty when there is none.
    pub fallback_runner: String,
    /// Other Rust targets the leg's tests build for, installed with the leg's own.
    pub rust_targets: Vec<String>,
    /// GitHub Actions the leg's job in the generated workflow uses before its
    /// command, for tools no Debian package provides in the needed version:
    /// `"owner/action@ref key=value ..."`.
    pub setup_actions: Vec<String>,
    /// Debian packages the leg needs.
    pub packages: Vec<String>,
    /// Integration tests (files of `tests/tests/`) the leg runs besides the
    /// runtime's own unit and doc tests; a native host leg runs everything.
    pub tests: Vec<String>,
    /// Programs the leg builds and runs: a name is an example of abi-runtime,
    /// a path (with `/`) a crate folder of its own.
    pub examples: Vec<String>,
}

/// One entry of a call table.
#[derive(Debug, Clone)]
pub struct Call {
    /// The call's name, e.g. `write`.
    pub name: String,
    /// The call number. Import and call conventions have no numbers: there it
    /// is the entry's position in the table, sorted by name.
    pub nr: u32,
    /// The arguments, in order.
    pub args: Vec<Arg>,
    /// Import and call kinds: the symbol, e.g. `fd_write` or `WriteFile`.
    pub symbol: String,
    /// Call kind: the library (DLL) that exports it; import kind: the module.
    pub library: String,
    /// Import and call kinds: the return value's kind; `None` for `void`.
    pub ret: Option<ArgKind>,
    /// Import kind: values handed back through trailing out-pointers, in order.
    pub results: Vec<Arg>,
    /// How this call reports failure.
    pub errors: ErrorConv,
    /// Whether the call never returns (`exit`).
    pub noreturn: bool,
    /// Why the entry cannot be checked against the target's headers, when it
    /// cannot (`unverified = "..."`); `cargo xtask verify-specs` reports it.
    pub unverified: Option<String>,
    /// Where the entry is written.
    pub loc: Loc,
}

/// One argument of a call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Arg {
    /// The argument's name, as in the kernel's prototype.
    pub name: String,
    /// What kind of value it is.
    pub kind: ArgKind,
}

/// The kinds of value a call argument can be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArgKind {
    /// A file descriptor (C `int`).
    Fd,
    /// C `int`.
    I32,
    /// C `unsigned int`.
    U32,
    /// A 64-bit signed value (`off_t`, `loff_t`).
    I64,
    /// A 64-bit unsigned value.
    U64,
    /// C `long`.
    Isize,
    /// C `unsigned long`, `size_t`.
    Usize,
    /// A pointer the kernel reads.
    Ptr,
    /// A pointer the kernel writes.
    MutPtr,
}

impl ArgKind {
    /// Every kind with its spelling in spec files.
    pub const ALL: [(&'static str, ArgKind); 9] = [
        ("fd", ArgKind::Fd),
        ("i32", ArgKind::I32),
        ("u32", ArgKind::U32),
        ("i64", ArgKind::I64),
        ("u64", ArgKind::U64),
        ("isize", ArgKind::Isize),
        ("usize", ArgKind::Usize),
        ("ptr", ArgKind::Ptr),
        ("mut_ptr", ArgKind::MutPtr),
    ];

    /// The spelling in spec files.
    pub fn as_str(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(_, k)| *k == self)
            .map_or("?", |(s, _)| s)
    }

    /// Width in bits, `None` for pointer-sized kinds.
    pub fn bits(self) -> Option<u32> {
        match self {
            ArgKind::Fd | ArgKind::I32 | ArgKind::U32 => Some(32),
            ArgKind::I64 | ArgKind::U64 => Some(64),
            ArgKind::Isize | ArgKind::Usize | ArgKind::Ptr | ArgKind::MutPtr => None,
        }
    }

    /// The Rust type that represents this kind in generated signatures.
    pub fn rust_type(self) -> &'static str {
        match self {
            ArgKind::Fd | ArgKind::I32 => "i32",
            ArgKind::U32 => "u32",
            ArgKind::I64 => "i64",
            ArgKind::U64 => "u64",
            ArgKind::Isize => "isize",
            ArgKind::Usize => "usize",
            ArgKind::Ptr => "*const u8",
            ArgKind::MutPtr => "*mut u8",
        }
    }

    /// Whether values of this kind are signed integers (sign-extended to a register).
    pub fn is_signed(self) -> bool {
        matches!(
            self,
            ArgKind::Fd | ArgKind::I32 | ArgKind::I64 | ArgKind::Isize
        )
    }
}

/// A function-call convention (`targets/abi/<name>.toml`).
#[derive(Debug, Clone)]
pub struct Abi {
    /// File stem, e.g. `sysv`.
    pub name: String,
    /// The architecture it runs on.
    pub arch: String,
    /// Integer argument registers, in order.
    pub int_args: Vec<String>,
    /// Float argument registers, in order.
    pub float_args: Vec<String>,
    /// How arguments are assigned to registers.
    pub slots: SlotModel,
    /// Integer return registers.
    pub int_ret: Vec<String>,
    /// Float return registers.
    pub float_ret: Vec<String>,
    /// Registers a callee must preserve in full.
    pub callee_saved: Vec<String>,
    /// Registers a callee must preserve in part: (register, low bits preserved).
    pub callee_saved_partial: Vec<(String, u32)>,
    /// Stack alignment at a call, in bytes.
    pub stack_align: u32,
    /// Space the caller reserves above the return address for the callee, in bytes.
    pub shadow_space: u32,
    /// Bytes below the stack pointer a leaf function may use.
    pub red_zone: u32,
    /// Register carrying the address of a result returned in memory.
    pub indirect_result: String,
    /// The variadic rule, by name.
    pub variadic: String,
    /// What a dynamic caller needs beyond the register lists (optional keys).
    pub facts: crate::trampoline::CallFacts,
}

/// How a convention assigns arguments to registers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SlotModel {
    /// Each register class is counted on its own (sysv, aapcs64, lp64d).
    PerClass,
    /// The Nth argument takes the Nth register of its class (win64).
    Positional,
    /// No registers: each argument is one wasm value on the operand stack.
    WasmValues,
    /// Every argument takes the general register of its position (one
    /// doubleword each); floats take the float registers in order and still
    /// use up the general register of their position; arguments past the
    /// general registers go to the parameter save area at their position
    /// (ppc64 ELFv2).
    GprPositions,
}

/// An architecture's register file (`targets/arch/<name>.toml`).
#[derive(Debug, Clone)]
pub struct Arch {
    /// File stem, e.g. `x86_64`; equals `target_arch`.
    pub name: String,
    /// General-purpose registers as `asm!` names them.
    pub int_regs: Vec<String>,
    /// Float/vector registers as `asm!` names them.
    pub float_regs: Vec<String>,
    /// Conventions code on this arch can use.
    pub abis: Vec<String>,
    /// Instruction templates for the trampoline generator (`[asm]`), if given.
    pub asm: Option<crate::trampoline::AsmSpec>,
    /// Registers `asm!` names only as clobbers, by class (`[special]`: link,
    /// count, condition, fixed-point exception registers).
    pub special: Vec<(String, Vec<String>)>,
    /// Flags a stub can read after the trap (`[flags]`), for the `flag` error kind.
    pub flags: Vec<FlagRead>,
}

/// How a stub reads one flag (`[flags]` of an arch file).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlagRead {
    /// Its name, e.g. `cr0_so`.
    pub name: String,
    /// Instruction lines that copy the flag's register into `{out}`.
    pub read: Vec<String>,
    /// The bits of `{out}` that are set when the flag is.
    pub mask: u64,
    /// Lines that negate `{reg}` when the flag is set (optional): how a C
    /// stub turns a flagged positive errno into -errno.
    pub negate: Vec<String>,
}

impl Arch {
    /// Whether `reg` is a register of this arch.
    pub fn has_reg(&self, reg: &str) -> bool {
        self.int_regs
            .iter()
            .chain(&self.float_regs)
            .chain(self.special.iter().flat_map(|(_, regs)| regs))
            .any(|r| r == reg)
    }
}

/// An OS's error numbers (`targets/errno/<name>.toml`).
#[derive(Debug, Clone)]
pub struct ErrnoTable {
    /// File stem, e.g. `linux`.
    pub name: String,
    /// Entries sorted by code; aliases follow the name they alias.
    pub entries: Vec<ErrnoEntry>,
}

/// One errno name.
#[derive(Debug, Clone)]
pub struct ErrnoEntry {
    /// e.g. `EBADF`.
    pub name: String,
    /// The positive code.
    pub code: i32,
    /// The description, for primary names.
    pub text: Option<String>,
    /// The primary name this one aliases.
    pub alias_of: Option<String>,
    /// The portable class of the code (`kind = "NotFound"`), one of
    /// [`crate::error_kind::NAMES`]; an alias has its primary's.
    pub kind: String,
}
