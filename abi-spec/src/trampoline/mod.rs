//! Calling-convention trampolines, lowered from the spec files.
//!
//! An ABI file (`targets/abi/<name>.toml`) says where arguments and results
//! go and what a callee preserves; the `[asm]` table of an arch file
//! (`targets/arch/<arch>.toml`) says how that arch spells a handful of
//! primitive instructions (load a register from `[base + off]`, store one,
//! call through a register, ...). [`lower`] combines the two into a
//! [`Trampoline`]: a list of [`Op`]s that make no decision of their own, and
//! [`render`] fills the arch's templates to get assembly text (for `abi-gen`)
//! or the `naked` functions the runtime is built from (for the proc-macro).
//!
//! Three kinds of code are generated per (host ABI, foreign ABI):
//!
//! - a **call trampoline** `call_<abi>(frame, f)`, called with the host's C
//!   convention: it reserves the foreign ABI's stack area (shadow space and
//!   stack arguments, aligned), copies the stack arguments, loads the argument
//!   registers from the [`FrameLayout`], calls `f`, stores the return
//!   registers back and restores what the host expects preserved;
//! - a **callback entry** `entry_<abi>`: foreign-ABI code calls it (through a
//!   thunk); it spills the argument registers into a frame on its own stack,
//!   records where the caller's stack arguments are, calls the runtime's
//!   dispatcher with the host convention, and returns the frame's return
//!   registers the foreign way;
//! - a **tail trampoline** `tail_<abi>(frame, f)` where the foreign ABI
//!   preserves everything the host's does, takes its return values in the
//!   same registers and needs no more shadow space: it loads the argument
//!   registers and jumps to `f`, which returns straight to the host caller
//!   (used for calls without stack arguments: no saves, no copies);
//! - a **thunk** `thunk_<abi>`: a few position-independent instructions that
//!   put the address [`THUNK_BLOCK`] bytes past their own first instruction
//!   (the thunk's data slot) in a scratch register and jump to the word stored
//!   there (the entry). The runtime copies it, once per slot, into a code
//!   block it maps read-and-execute many times, each mapping next to a
//!   read-write data block of the same size: callbacks have no fixed limit,
//!   and no page is ever writable and executable.

mod aggregate;
pub mod harness;
mod lower;
mod render;
mod spec;

pub(crate) use aggregate::check_variadic;
pub use aggregate::{Aggregates, FloatClass, VARIADIC_RULES, WhenFull};
pub use lower::{
    FrameLayout, Label, Op, Trampoline, TrampolineKind, lower_call, lower_call_float, lower_entry,
    lower_entry_popping, lower_entry_shift, lower_tail, lower_thunk, shifted_int_args,
};
pub use render::{
    asm_lines, gate, runtime_items, show, support, trampoline_targets, unsupported_items,
    unsupported_targets,
};
pub(crate) use spec::{read_asm, read_call_facts};

/// The instruction templates of one arch (`[asm]` in `targets/arch/<arch>.toml`).
#[derive(Debug, Clone)]
pub struct AsmSpec {
    /// The stack pointer, as the templates name it.
    pub stack_pointer: String,
    /// Bytes a call instruction pushes (the return address on x86_64; 0 with a link register).
    pub call_pushes: u32,
    /// The register a call instruction writes the return address to, if any.
    pub link_reg: Option<String>,
    /// Bytes in a general-purpose register (and in a frame word).
    pub word: u32,
    /// Bits in a float register.
    pub float_bits: u32,
    /// How a float register is spelled when 64 bits of it move (`{name}`, `{index}`).
    pub float64: String,
    /// How a float register is spelled when 128 bits of it move, if it has that many.
    pub float128: Option<String>,
    /// One template (a list of lines) per [`Tpl`], in [`Tpl::ALL`] order.
    pub templates: Vec<Vec<String>>,
    /// Assembler directives every trampoline starts with (riscv64: enable the
    /// D extension, which the compiler does not hand inline asm at every
    /// optimisation level).
    pub directives: Vec<String>,
    /// Directives every trampoline ends with, undoing `directives`.
    pub directives_end: Vec<String>,
    /// Directives a callback thunk's body starts with. The thunk is copied,
    /// never called through its symbol, so it may be assembled for another
    /// instruction set than the crate's (Arm: `.arm`, so that a Thumb-state
    /// build gets the same thunk as an ARM-state one).
    pub thunk_directives: Vec<String>,
    /// Low bits of a code address that select an instruction set rather
    /// than a byte (Arm: bit 0 set for Thumb code); masked off to find the
    /// bytes of a function from its address. 0 where there are none.
    pub code_address_tag: u32,
    /// Float registers that form a stack (x87's `st(0)`..`st(7)`): no load or
    /// store template names them; only `push_float` and `pop_float` reach the
    /// top. A convention returning floats in one of them leaves it empty
    /// unless the result is a float, so callers pop it only then.
    pub float_stack: Vec<String>,
    /// An upper bound of the bytes of a thunk (`pc_rel` then `jump_mem`);
    /// 0 when the arch has no thunk templates.
    pub thunk_bytes: u32,
    /// The register holding the slot address after `jump_mem`, when the
    /// template moves it out of `{reg}` (s390x: `br` cannot use r0, so the
    /// address moves to r0 and r1 carries the target); `None`: `{reg}`.
    pub jump_mem_slot: Option<String>,
}

/// Bytes between a callback thunk and its data slot: the size of a code
/// block and of its data block. 64 KiB is a multiple of every page size the
/// arches use (4, 16 and 64 KiB) and of Windows' allocation granularity, so a
/// block can be mapped on its own on every OS.
pub const THUNK_BLOCK: u32 = 65536;

/// Words in a callback's data slot: the entry address (read by the thunk),
/// the handler's invoker, the handler and the prepared signature.
pub const THUNK_SLOT_WORDS: u32 = 4;

impl AsmSpec {
    /// Bytes from one thunk to the next in a code block (and from one data
    /// slot to the next): a power of two holding a thunk and a data slot.
    pub fn thunk_stride(&self) -> u32 {
        self.thunk_bytes
            .max(THUNK_SLOT_WORDS * self.word)
            .next_power_of_two()
    }
}

impl AsmSpec {
    /// The lines of template `t` (empty when the arch has no such instruction).
    pub fn template(&self, t: Tpl) -> &[String] {
        self.templates.get(t as usize).map_or(&[], Vec::as_slice)
    }

    /// The lines an op of template `t` is rendered with: `load_link` and
    /// `store_link` fall back to `load_int`/`store_int` of the link register
    /// when the arch can load and store that register directly.
    pub fn effective(&self, t: Tpl) -> (Tpl, &[String]) {
        let lines = self.template(t);
        match t {
            Tpl::LoadLink if lines.is_empty() => (Tpl::LoadInt, self.template(Tpl::LoadInt)),
            Tpl::StoreLink if lines.is_empty() => (Tpl::StoreInt, self.template(Tpl::StoreInt)),
            _ => (t, lines),
        }
    }
}

/// The primitive instructions a trampoline is built from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tpl {
    /// `{reg} <- word at [{base} + {off}]`.
    LoadInt,
    /// `word at [{base} + {off}] <- {reg}`.
    StoreInt,
    /// Low 64 bits of float register `{reg}` <- `[{base} + {off}]`.
    LoadFloat,
    /// `[{base} + {off}]` <- low 64 bits of float register `{reg}`.
    StoreFloat,
    /// The link register <- `[{base} + {off}]` (may use a scratch register
    /// the convention leaves free at that point, e.g. `r0` on powerpc).
    LoadLink,
    /// `[{base} + {off}]` <- the link register.
    StoreLink,
    /// All 128 bits of `{reg}` <- `[{base} + {off}]`.
    LoadVec,
    /// `[{base} + {off}]` <- all 128 bits of `{reg}`.
    StoreVec,
    /// `{dst} <- {src}` (either may be the stack pointer).
    Move,
    /// `{reg} <- {imm}`.
    LoadImm,
    /// `{dst} <- {src} + {imm}`.
    AddImm,
    /// `{dst} <- {src} - {imm}`.
    SubImm,
    /// `{dst} <- {lhs} - {rhs}` (the lowering always passes `dst == lhs`).
    SubReg,
    /// Jump to `{target}` if `{reg}` is zero.
    BranchZero,
    /// Jump to `{target}` if `{reg}` is not zero.
    BranchNonZero,
    /// Defines local label `{label}`.
    Label,
    /// Calls the address in `{reg}`.
    CallReg,
    /// Jumps to the address in `{reg}` (a tail call).
    JumpReg,
    /// Calls symbol `{sym}`.
    CallSym,
    /// Jumps to symbol `{sym}` (a tail call).
    JumpSym,
    /// Returns.
    Ret,
    /// Returns and pops `{imm}` bytes of the caller's arguments (i386's
    /// `ret 4` after a struct result written where a hidden stack argument
    /// pointed).
    RetPop,
    /// Pushes the 8 bytes at `[{base} + {off}]` as a double onto the float
    /// stack (x87 `fld`).
    PushFloat,
    /// Pops the top of the float stack into `[{base} + {off}]` as a double
    /// (x87 `fstp`).
    PopFloat,
    /// `{reg} <-` the address of the template's first instruction + `{off}`.
    PcRel,
    /// Jumps to the word at `[{reg} + {off}]` (`{tmp}`: a second scratch
    /// register, when the ABI has one); `{reg}` keeps its value unless the
    /// arch names another `jump_mem_slot`.
    JumpMem,
}

impl Tpl {
    /// Every template, in the order of [`AsmSpec::templates`].
    pub const ALL: [Tpl; 26] = [
        Tpl::LoadInt,
        Tpl::StoreInt,
        Tpl::LoadFloat,
        Tpl::StoreFloat,
        Tpl::LoadLink,
        Tpl::StoreLink,
        Tpl::LoadVec,
        Tpl::StoreVec,
        Tpl::Move,
        Tpl::LoadImm,
        Tpl::AddImm,
        Tpl::SubImm,
        Tpl::SubReg,
        Tpl::BranchZero,
        Tpl::BranchNonZero,
        Tpl::Label,
        Tpl::CallReg,
        Tpl::JumpReg,
        Tpl::CallSym,
        Tpl::JumpSym,
        Tpl::Ret,
        Tpl::RetPop,
        Tpl::PushFloat,
        Tpl::PopFloat,
        Tpl::PcRel,
        Tpl::JumpMem,
    ];

    /// The key in `[asm]`.
    pub fn key(self) -> &'static str {
        match self {
            Tpl::LoadInt => "load_int",
            Tpl::StoreInt => "store_int",
            Tpl::LoadFloat => "load_float",
            Tpl::StoreFloat => "store_float",
            Tpl::LoadLink => "load_link",
            Tpl::StoreLink => "store_link",
            Tpl::LoadVec => "load_vec",
            Tpl::StoreVec => "store_vec",
            Tpl::Move => "move",
            Tpl::LoadImm => "load_imm",
            Tpl::AddImm => "add_imm",
            Tpl::SubImm => "sub_imm",
            Tpl::SubReg => "sub_reg",
            Tpl::BranchZero => "branch_zero",
            Tpl::BranchNonZero => "branch_nonzero",
            Tpl::Label => "label",
            Tpl::CallReg => "call_reg",
            Tpl::JumpReg => "jump_reg",
            Tpl::CallSym => "call_sym",
            Tpl::JumpSym => "jump_sym",
            Tpl::Ret => "ret",
            Tpl::RetPop => "ret_pop",
            Tpl::PushFloat => "push_float",
            Tpl::PopFloat => "pop_float",
            Tpl::PcRel => "pc_rel",
            Tpl::JumpMem => "jump_mem",
        }
    }

    /// Placeholders the template must use, and those it may use.
    pub fn placeholders(self) -> (&'static [&'static str], &'static [&'static str]) {
        match self {
            Tpl::LoadInt
            | Tpl::StoreInt
            | Tpl::LoadFloat
            | Tpl::StoreFloat
            | Tpl::LoadVec
            | Tpl::StoreVec => (&["reg", "base", "off"], &[]),
            Tpl::LoadLink | Tpl::StoreLink | Tpl::PushFloat | Tpl::PopFloat => {
                (&["base", "off"], &[])
            }
            Tpl::Move => (&["dst", "src"], &[]),
            Tpl::LoadImm => (&["reg", "imm"], &[]),
            Tpl::AddImm | Tpl::SubImm => (&["dst", "src", "imm"], &[]),
            Tpl::SubReg => (&["dst", "rhs"], &["lhs"]),
            Tpl::BranchZero | Tpl::BranchNonZero => (&["reg", "target"], &[]),
            Tpl::Label => (&["label"], &[]),
            Tpl::CallReg | Tpl::JumpReg => (&["reg"], &[]),
            Tpl::CallSym | Tpl::JumpSym => (&["sym"], &[]),
            Tpl::Ret => (&[], &[]),
            Tpl::RetPop => (&["imm"], &[]),
            Tpl::PcRel => (&["reg", "off"], &[]),
            Tpl::JumpMem => (&["reg", "off"], &["tmp"]),
        }
    }

    /// Whether an arch may leave the template empty (it has no such instruction).
    pub fn may_be_empty(self) -> bool {
        matches!(
            self,
            Tpl::LoadVec
                | Tpl::StoreVec
                | Tpl::LoadLink
                | Tpl::StoreLink
                | Tpl::RetPop
                | Tpl::PushFloat
                | Tpl::PopFloat
                | Tpl::PcRel
                | Tpl::JumpMem
        )
    }
}

/// What a dynamic caller needs to know about a convention beyond its register
/// lists (the optional keys of `targets/abi/<name>.toml`).
#[derive(Debug, Clone, Default)]
pub struct CallFacts {
    /// Registers free at a call boundary: no argument, not preserved, not reserved.
    pub scratch: Vec<String>,
    /// Bytes each stack argument occupies; `None` when the file does not say.
    pub stack_slot: Option<u32>,
    /// Where a float argument goes when the float registers are used up.
    pub float_overflow: FloatOverflow,
    /// How integers narrower than a register are widened.
    pub int_widen: IntWiden,
    /// How an f32 sits in a 64-bit float register image.
    pub f32_in_float_reg: F32InReg,
    /// Which aggregates are passed by reference.
    pub by_reference: Option<ByReference>,
    /// The register that carries a variadic call's vector-register count, if any.
    pub variadic_count_reg: Option<String>,
    /// The name Rust gives the convention in `extern "..."`.
    pub rust_abi: Option<String>,
    /// Registers no generated code may write (platform, thread or TOC
    /// pointers, the zero register).
    pub reserved: Vec<String>,
    /// Bytes at the stack pointer of a call that belong to the caller's frame
    /// header but that the callee may write (ELFv2's 32-byte header, s390x's
    /// 160-byte register save area): stack arguments start above them.
    pub linkage_area: u32,
    /// The register the callee's address must be in when it is called (ELFv2:
    /// r12, from which its global entry point computes the TOC).
    pub call_target: Option<String>,
    /// Where a word is 4 bytes: an 8-byte integer takes an even-aligned
    /// register pair (AAPCS32), and one that does not fit closes the integer
    /// registers.
    pub int_pairs_even: bool,
    /// Alignment of an 8-byte argument on the stack, in bytes (AAPCS32: 8,
    /// i386: 4); `None` means the word size.
    pub wide_stack_align: Option<u32>,
    /// Every frame's first word points to the caller's frame (ELFv2's back
    /// chain): the trampolines write it in the frames they make.
    pub back_chain: bool,
    /// Bytes of the caller's arguments a callee pops when it returns a struct
    /// through the hidden address (`indirect_result_popped`; i386: 4, the
    /// address itself). 0: the caller pops everything.
    pub indirect_result_popped: u32,
    /// Why dynamic calls cannot use this convention yet, when the spec says so
    /// (`unsupported = "..."`): targets whose arch lists it report this.
    pub unsupported: Option<String>,
    /// How structs by value are passed (`[aggregates]`); `None`: dynamic
    /// calls refuse them for this convention.
    pub aggregates: Option<Aggregates>,
}

/// Where a float argument goes when the float registers are used up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FloatOverflow {
    /// On the stack.
    #[default]
    Stack,
    /// In the next free integer register, then on the stack (lp64d).
    IntRegs,
}

/// How integers narrower than a register are widened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum IntWiden {
    /// By the value's own signedness, to the full register.
    #[default]
    ByType,
    /// By signedness to 32 bits, then every 32-bit value sign-extended (lp64d).
    SignFrom32,
    /// By signedness to 32 bits; the callee reads a 32-bit integer from the
    /// register's low 32 bits, so the bits above are the caller's to leave
    /// undefined (sysv, win64, aapcs64). Widening to the full register by
    /// type is a valid image too.
    ByTypeTo32,
}

/// How an f32 sits in a 64-bit float register image.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum F32InReg {
    /// In the low 32 bits; the rest is ignored.
    #[default]
    LowBits,
    /// In the low 32 bits, with the upper 32 bits all ones (RISC-V NaN-boxing).
    NanBoxed,
    /// In the high 32 bits (s390x: an f32 is the left half of a 64-bit FPR).
    HighBits,
    /// Converted to double precision (powerpc: FPRs hold f32 values in double format).
    AsDouble,
    /// Two per 64-bit register, low half first, allocated in order with
    /// back-filling (AAPCS32 VFP: s<2n> and s<2n+1> are the halves of d<n>).
    Halves,
}

/// Which aggregates (structs by value) go by reference to a caller's copy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ByReference {
    /// None: large aggregates are copied onto the stack instead.
    Never,
    /// Those larger than this many bytes.
    LargerThan(u32),
    /// All but those of 1, 2, 4 or 8 bytes.
    UnlessSize1248,
}

impl ByReference {
    /// A sentence for messages and docs.
    pub fn describe(self) -> String {
        match self {
            ByReference::Never => {
                "never by reference (large aggregates are copied onto the stack)".to_owned()
            }
            ByReference::LargerThan(n) => format!("aggregates larger than {n} bytes by reference"),
            ByReference::UnlessSize1248 => {
                "aggregates by reference unless they are 1, 2, 4 or 8 bytes".to_owned()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::load_builtin;

    use super::{F32InReg, harness, support};

    /// Every built-in target either gets trampolines for every convention its
    /// arch lists, or a reason that names the spec file to change.
    #[test]
    fn every_target_lowers_or_says_why() {
        let specs = load_builtin().unwrap();
        for t in &specs.targets {
            match support(&specs, t) {
                Ok(()) => {
                    let arch = specs.arch(&t.arch).unwrap();
                    for abi in arch.abis.iter().filter_map(|a| specs.abi(a)) {
                        assert!(abi.facts.unsupported.is_none(), "{}", abi.name);
                        let h = harness::harness(&specs, abi).unwrap();
                        // The canary harness checks every register the convention
                        // preserves, but the stack pointer and the link register.
                        let asm = arch.asm.as_ref().unwrap();
                        let want: Vec<&String> = abi
                            .callee_saved
                            .iter()
                            .chain(abi.callee_saved_partial.iter().map(|(r, _)| r))
                            .filter(|r| {
                                **r != asm.stack_pointer
                                    && Some(r.as_str()) != asm.link_reg.as_deref()
                                    && !abi.facts.reserved.contains(r)
                            })
                            .collect();
                        let got: Vec<&String> = h.canaries.iter().map(|c| &c.reg).collect();
                        assert_eq!(got, want, "{}", abi.name);
                        assert!(!h.clobber.is_empty() && !h.sp_probe.is_empty());
                        assert_eq!(h.shadow_writer.is_some(), abi.shadow_space > 0);
                    }
                }
                Err(why) => assert!(
                    why.contains("targets/"),
                    "{}: the reason names no spec file: {why}",
                    t.name
                ),
            }
        }
    }

    /// i386 returns floats on the x87 stack: the plain call trampoline leaves
    /// it alone, the float one pops it, and the callback entry pushes the
    /// result only when the dispatcher says it is a float.
    #[test]
    fn float_stack_results_move_only_for_float_signatures() {
        use super::{Op, lower_call, lower_call_float, lower_entry};
        let specs = load_builtin().unwrap();
        let i386 = specs.abi("i386").unwrap();
        let pops = |ops: &[Op]| ops.iter().any(|o| matches!(o, Op::PopFloat { .. }));
        let call = lower_call(&specs, i386, i386).unwrap();
        assert!(!pops(&call.ops));
        let float = lower_call_float(&specs, i386, i386).unwrap().unwrap();
        assert!(pops(&float.ops));
        let entry = lower_entry(&specs, i386, i386).unwrap();
        let push = entry
            .ops
            .iter()
            .position(|o| matches!(o, Op::PushFloat { .. }))
            .unwrap();
        assert!(matches!(entry.ops[push - 1], Op::BranchZero { .. }));
        // Arguments come from the stack: no argument register is read.
        assert!(i386.int_args.is_empty() && i386.float_args.is_empty());
        let sysv = specs.abi("sysv").unwrap();
        assert!(lower_call_float(&specs, sysv, sysv).unwrap().is_none());
    }

    /// The f32 rules of the new ports are read from their ABI files.
    #[test]
    fn f32_rules_come_from_the_abi_files() {
        let specs = load_builtin().unwrap();
        let rule = |n: &str| specs.abi(n).map(|a| a.facts.f32_in_float_reg);
        assert_eq!(rule("elfv2"), Some(F32InReg::AsDouble));
        assert_eq!(rule("s390x"), Some(F32InReg::HighBits));
        assert_eq!(rule("aapcs32"), Some(F32InReg::Halves));
        assert_eq!(rule("lp64d"), Some(F32InReg::NanBoxed));
        let elfv2 = specs.abi("elfv2").unwrap();
        assert_eq!(elfv2.facts.call_target.as_deref(), Some("r12"));
        assert_eq!(elfv2.facts.linkage_area, 32);
        assert!(specs.abi("aapcs32").unwrap().facts.int_pairs_even);
    }
}
