//! Lowering (host ABI, foreign ABI) to trampoline plans: a list of primitive
//! operations with every register, offset and size decided. Rendering only
//! fills the arch's templates in.

use std::fmt;

use crate::model::{Abi, Arch, Specs};

use super::{AsmSpec, Tpl};

/// Where everything sits in the register image a trampoline reads and
/// writes. One layout per arch, wide enough for every convention the arch can
/// run, so all its trampolines share it. Integer registers take a word of the
/// arch's size, float registers 8 bytes (their low 64 bits), 8-byte aligned:
///
/// ```text
/// regs                 integer argument registers (a word each), then float ones (8 bytes each)
/// stack                address of the stack arguments (call) / of the caller's (entry)
/// stack_words          how many stack argument words to copy (call)
/// stack_bytes          bytes to reserve below the stack pointer: shadow space, frame
///                      header and arguments, rounded to the stack alignment (call)
/// indirect             where a result returned in memory goes, for conventions that
///                      pass that address in a register of its own (aarch64's x8)
/// ret                  return registers: integer ones (a word each), then float ones (8 bytes)
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FrameLayout {
    /// Bytes per word.
    pub word: u32,
    /// Integer argument register words.
    pub int_regs: u32,
    /// Float argument registers.
    pub float_regs: u32,
    /// Integer return register words.
    pub int_rets: u32,
    /// Float return registers.
    pub float_rets: u32,
}

impl FrameLayout {
    /// The layout for `arch`: the most registers of each kind any of its conventions uses.
    pub fn for_arch(specs: &Specs, arch: &Arch) -> Result<Self, String> {
        let asm = arch_asm(arch)?;
        let abis: Vec<&Abi> = arch.abis.iter().filter_map(|a| specs.abi(a)).collect();
        let max = |f: fn(&Abi) -> usize| {
            u32::try_from(abis.iter().map(|a| f(a)).max().unwrap_or(0)).unwrap_or(u32::MAX)
        };
        Ok(Self {
            word: asm.word,
            int_regs: max(|a| a.int_args.len()),
            float_regs: max(|a| a.float_args.len()),
            int_rets: max(|a| a.int_ret.len()),
            float_rets: max(|a| a.float_ret.len()),
        })
    }

    /// Bytes of the integer argument registers, rounded to 8.
    fn int_area(&self) -> u32 {
        round_up(self.word * self.int_regs, 8)
    }

    /// Bytes of argument registers (a multiple of 8).
    pub fn regs_bytes(&self) -> u32 {
        self.int_area() + 8 * self.float_regs
    }

    /// Offset of integer argument register `i`.
    pub fn int_reg(&self, i: usize) -> u32 {
        self.word * i as u32
    }

    /// Offset of float argument register `i`.
    pub fn float_reg(&self, i: usize) -> u32 {
        self.int_area() + 8 * i as u32
    }

    /// Offset of the stack-arguments address.
    pub fn stack(&self) -> u32 {
        self.regs_bytes()
    }

    /// Offset of the number of stack-argument words.
    pub fn stack_words(&self) -> u32 {
        self.stack() + self.word
    }

    /// Offset of the bytes to reserve for shadow space and stack arguments.
    pub fn stack_bytes(&self) -> u32 {
        self.stack() + 2 * self.word
    }

    /// Offset of the indirect-result address.
    pub fn indirect(&self) -> u32 {
        self.stack() + 3 * self.word
    }

    /// Offset of the return registers.
    pub fn ret(&self) -> u32 {
        round_up(self.stack() + 4 * self.word, 8)
    }

    /// Offset of integer return register `i`.
    pub fn int_ret(&self, i: usize) -> u32 {
        self.ret() + self.word * i as u32
    }

    /// Offset of float return register `i`.
    pub fn float_ret(&self, i: usize) -> u32 {
        self.ret() + round_up(self.word * self.int_rets, 8) + 8 * i as u32
    }

    /// Bytes of return registers (a multiple of 8).
    pub fn rets_bytes(&self) -> u32 {
        round_up(self.word * self.int_rets, 8) + 8 * self.float_rets
    }

    /// Size of the whole frame in bytes.
    pub fn size(&self) -> u32 {
        self.ret() + self.rets_bytes()
    }
}

/// A local label, numbered so that no label is made of 0s and 1s only (on
/// x86 `1b` could read as a binary number).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Label(pub u32);

/// One primitive operation of a trampoline. Registers are named as the
/// spec files name them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Op {
    /// `reg <- [base + off]`.
    LoadInt {
        /// Destination.
        reg: String,
        /// Address register.
        base: String,
        /// Byte offset.
        off: u32,
    },
    /// `[base + off] <- reg`.
    StoreInt {
        /// Source.
        reg: String,
        /// Address register.
        base: String,
        /// Byte offset.
        off: u32,
    },
    /// Low 64 bits of float `reg` <- `[base + off]`.
    LoadFloat {
        /// Destination.
        reg: String,
        /// Address register.
        base: String,
        /// Byte offset.
        off: u32,
    },
    /// `[base + off]` <- low 64 bits of float `reg`.
    StoreFloat {
        /// Source.
        reg: String,
        /// Address register.
        base: String,
        /// Byte offset.
        off: u32,
    },
    /// The link register <- `[base + off]`.
    LoadLink {
        /// Address register.
        base: String,
        /// Byte offset.
        off: u32,
    },
    /// `[base + off]` <- the link register.
    StoreLink {
        /// Address register.
        base: String,
        /// Byte offset.
        off: u32,
    },
    /// All 128 bits of `reg` <- `[base + off]`.
    LoadVec {
        /// Destination.
        reg: String,
        /// Address register.
        base: String,
        /// Byte offset.
        off: u32,
    },
    /// `[base + off]` <- all 128 bits of `reg`.
    StoreVec {
        /// Source.
        reg: String,
        /// Address register.
        base: String,
        /// Byte offset.
        off: u32,
    },
    /// `dst <- src`.
    Move {
        /// Destination.
        dst: String,
        /// Source.
        src: String,
    },
    /// `reg <-` the address of this op's first instruction + `off`.
    PcRel {
        /// Destination.
        reg: String,
        /// Byte offset from the op's own address.
        off: u32,
    },
    /// Jumps to the word at `[reg + off]`; `tmp` is a free register the
    /// template may use.
    JumpMem {
        /// Address register.
        reg: String,
        /// Byte offset.
        off: u32,
        /// A second free register, if the convention has one.
        tmp: Option<String>,
    },
    /// `reg <- imm`.
    LoadImm {
        /// Destination.
        reg: String,
        /// The value.
        imm: u32,
    },
    /// `dst <- src + imm`.
    AddImm {
        /// Destination.
        dst: String,
        /// Source.
        src: String,
        /// The addend.
        imm: u32,
    },
    /// `dst <- src - imm`.
    SubImm {
        /// Destination.
        dst: String,
        /// Source.
        src: String,
        /// The subtrahend.
        imm: u32,
    },
    /// `dst <- dst - rhs`.
    SubReg {
        /// Destination and minuend.
        dst: String,
        /// Subtrahend.
        rhs: String,
    },
    /// Jump to `label` if `reg` is zero.
    BranchZero {
        /// The register tested.
        reg: String,
        /// Where to go.
        label: Label,
    },
    /// Jump to `label` if `reg` is not zero.
    BranchNonZero {
        /// The register tested.
        reg: String,
        /// Where to go.
        label: Label,
    },
    /// Defines a label here.
    Label(Label),
    /// Calls the address in a register.
    CallReg(String),
    /// Jumps to the address in a register.
    JumpReg(String),
    /// Calls a symbol, by its role (`dispatch`): the renderer binds it.
    CallSym(String),
    /// Jumps to a symbol, by its role (`entry`).
    JumpSym(String),
    /// Returns.
    Ret,
    /// Returns and pops this many bytes of the caller's arguments.
    RetPop(u32),
    /// Pushes the double at `[base + off]` onto the float stack.
    PushFloat {
        /// Address register.
        base: String,
        /// Byte offset.
        off: u32,
    },
    /// Pops the top of the float stack into `[base + off]` as a double.
    PopFloat {
        /// Address register.
        base: String,
        /// Byte offset.
        off: u32,
    },
}

/// What a trampoline is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrampolineKind {
    /// Host code calls `call_<abi>(frame, f)`; it calls `f` with the foreign ABI.
    Call,
    /// `call_<abi>_float(frame, f)`: the call trampoline for a callee that
    /// returns a float, where the convention returns floats on the float
    /// stack (it pops the result; [`TrampolineKind::Call`] leaves the stack alone).
    CallFloat,
    /// Host code calls `tail_<abi>_<ints>_<floats>(frame, f)`; it loads that
    /// many integer and float argument registers and jumps to `f`.
    Tail(u32, u32),
    /// Foreign code enters through a thunk; it calls the host dispatcher.
    Entry,
    /// [`TrampolineKind::Entry`] for a callback returning a struct through a
    /// hidden address its caller expects popped (`indirect_result_popped`).
    EntryPop,
    /// The callback thunk: finds its data slot a code block past itself and
    /// jumps to the entry stored there.
    Thunk,
    /// The host's entry for handlers that take their context first (see
    /// [`lower_entry_shift`]).
    EntryShift,
    /// Test scaffolding (see [`super::harness`]).
    Harness,
}

/// A lowered trampoline.
#[derive(Debug, Clone)]
pub struct Trampoline {
    /// What it is for.
    pub kind: TrampolineKind,
    /// The arch.
    pub arch: String,
    /// The convention of the code that runs it (the target's C convention).
    pub host: String,
    /// The foreign convention it calls or is called with.
    pub abi: String,
    /// The frame layout it reads and writes.
    pub frame: FrameLayout,
    /// Registers it saves on entry and restores before returning.
    pub saved: Vec<String>,
    /// Bytes it reserves on entry (besides the call's stack arguments).
    pub reserve: u32,
    /// The operations, in order.
    pub ops: Vec<Op>,
}

impl Trampoline {
    /// The symbol roles it refers to (`dispatch`, `entry`).
    pub fn symbols(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for op in &self.ops {
            if let Op::CallSym(s) | Op::JumpSym(s) = op
                && !out.contains(&s.as_str())
            {
                out.push(s);
            }
        }
        out
    }
}

fn arch_asm(arch: &Arch) -> Result<&AsmSpec, String> {
    arch.asm.as_ref().ok_or_else(|| {
        format!(
            "arch {} has no `[asm]` table: add the instruction templates to targets/arch/{}.toml",
            arch.name, arch.name
        )
    })
}

/// The arch of `abi` and `host`, which must be the same, with its templates.
fn common_arch<'s>(
    specs: &'s Specs,
    host: &Abi,
    abi: &Abi,
) -> Result<(&'s Arch, &'s AsmSpec), String> {
    if host.arch != abi.arch {
        return Err(format!(
            "`{}` runs on {} but `{}` on {}: a trampoline joins conventions of one arch",
            host.name, host.arch, abi.name, abi.arch
        ));
    }
    let arch = specs
        .arch(&abi.arch)
        .ok_or_else(|| format!("unknown arch `{}`", abi.arch))?;
    let asm = arch_asm(arch)?;
    Ok((arch, asm))
}

/// How a saved register is stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SaveKind {
    Int,
    Float64,
    Vec,
}

/// Bits of `reg` that `abi` preserves across a call: all, some (partial), none.
fn preserved_bits(abi: &Abi, arch: &Arch, asm: &AsmSpec, reg: &str) -> u32 {
    if abi.callee_saved.iter().any(|r| r == reg) {
        return full_bits(arch, asm, reg);
    }
    abi.callee_saved_partial
        .iter()
        .find(|(r, _)| r == reg)
        .map_or(0, |(_, bits)| *bits)
}

pub(crate) fn full_bits(arch: &Arch, asm: &AsmSpec, reg: &str) -> u32 {
    if arch.float_regs.iter().any(|r| r == reg) {
        asm.float_bits
    } else {
        asm.word * 8
    }
}

/// The registers `outer` expects preserved that `inner` does not preserve
/// (enough of), with how to save each.
fn save_set(outer: &Abi, inner: &Abi, arch: &Arch, asm: &AsmSpec) -> Vec<(String, SaveKind)> {
    let mut out = Vec::new();
    let wanted = outer
        .callee_saved
        .iter()
        .map(|r| (r.as_str(), full_bits(arch, asm, r)))
        .chain(
            outer
                .callee_saved_partial
                .iter()
                .map(|(r, b)| (r.as_str(), *b)),
        );
    for (reg, bits) in wanted {
        if reg == asm.stack_pointer || Some(reg) == asm.link_reg.as_deref() {
            continue;
        }
        if preserved_bits(inner, arch, asm, reg) >= bits {
            continue;
        }
        let kind = if !arch.float_regs.iter().any(|r| r == reg) {
            SaveKind::Int
        } else if bits <= 64 {
            SaveKind::Float64
        } else {
            SaveKind::Vec
        };
        out.push((reg.to_owned(), kind));
    }
    out
}

pub(crate) fn round_up(n: u32, align: u32) -> u32 {
    n.div_ceil(align) * align
}

/// The save area: byte offsets (from `base`) for each register, 16-byte
/// aligned slots for full vector registers first, then 8-byte slots for
/// float registers, then `word`-byte slots for integer ones, in the order
/// given within each kind. Returns the area's end.
pub(crate) fn place_saves(
    saves: &[(String, SaveKind)],
    base: u32,
    word: u32,
) -> (Vec<(String, SaveKind, u32)>, u32) {
    let mut off = base;
    if saves.iter().any(|(_, k)| *k == SaveKind::Vec) {
        off = round_up(base, 16);
    }
    let mut out = Vec::new();
    for (kind, size) in [
        (SaveKind::Vec, 16),
        (SaveKind::Float64, 8),
        (SaveKind::Int, word),
    ] {
        if kind != SaveKind::Int && saves.iter().any(|(_, k)| *k == kind) {
            off = round_up(off, size);
        }
        for (r, _) in saves.iter().filter(|(_, k)| *k == kind) {
            out.push((r.clone(), kind, off));
            off += size;
        }
    }
    // Keep the order the caller gave (the harness finds `ctx` last).
    out.sort_by_key(|(r, _, _)| saves.iter().position(|(s, _)| s == r));
    (out, off)
}

pub(crate) fn save_ops(
    placed: &[(String, SaveKind, u32)],
    sp: &str,
    store: bool,
    asm: &AsmSpec,
) -> Vec<Op> {
    placed
        .iter()
        .map(|(reg, kind, off)| {
            let (reg, base, off) = (reg.clone(), sp.to_owned(), *off);
            let link = asm.link_reg.as_deref() == Some(reg.as_str());
            match (kind, store) {
                (SaveKind::Int, true) if link => Op::StoreLink { base, off },
                (SaveKind::Int, false) if link => Op::LoadLink { base, off },
                (SaveKind::Int, true) => Op::StoreInt { reg, base, off },
                (SaveKind::Int, false) => Op::LoadInt { reg, base, off },
                (SaveKind::Float64, true) => Op::StoreFloat { reg, base, off },
                (SaveKind::Float64, false) => Op::LoadFloat { reg, base, off },
                (SaveKind::Vec, true) => Op::StoreVec { reg, base, off },
                (SaveKind::Vec, false) => Op::LoadVec { reg, base, off },
            }
        })
        .collect()
}

/// Integer registers both conventions preserve, for state kept across the call.
fn shared_preserved<'a>(a: &'a Abi, b: &Abi, arch: &Arch, asm: &AsmSpec) -> Vec<&'a str> {
    a.callee_saved
        .iter()
        .map(String::as_str)
        .filter(|r| b.callee_saved.iter().any(|x| x == r))
        .filter(|r| arch.int_regs.iter().any(|x| x == r))
        .filter(|r| *r != asm.stack_pointer && Some(*r) != asm.link_reg.as_deref())
        .collect()
}

fn stack_align(host: &Abi, abi: &Abi) -> Result<u32, String> {
    if abi.stack_align > host.stack_align {
        return Err(format!(
            "`{}` wants the stack aligned to {} bytes but `{}` only guarantees {}",
            abi.name, abi.stack_align, host.name, host.stack_align
        ));
    }
    Ok(host.stack_align.max(abi.stack_align))
}

fn check_slot(abi: &Abi, asm: &AsmSpec) -> Result<(), String> {
    match abi.facts.stack_slot {
        Some(s) if s == asm.word => Ok(()),
        Some(s) => Err(format!(
            "`{}` has {s}-byte stack slots; trampolines copy {}-byte words",
            abi.name, asm.word
        )),
        None => Err(format!(
            "`{}` does not say `stack_slot`: add `stack_slot = {}` to targets/abi/{}.toml",
            abi.name, asm.word, abi.name
        )),
    }
}

/// Where the host's first two arguments (`frame`, `f` or `frame`, `slot`)
/// travel: in its first two integer argument registers, or, for a
/// convention that passes every argument on the stack (i386 cdecl), in the
/// first two stack words.
#[derive(Debug, Clone, PartialEq, Eq)]
enum HostArgs {
    /// In these registers.
    Regs(String, String),
    /// On the stack: argument `i` at `sp + at + i * word` at the call.
    Stack {
        /// Bytes from the stack pointer at the call to the first argument
        /// (shadow space and frame header).
        at: u32,
    },
}

impl HostArgs {
    fn of(host: &Abi) -> Result<Self, String> {
        match host.int_args.as_slice() {
            [a, b, ..] => Ok(HostArgs::Regs(a.clone(), b.clone())),
            [] => Ok(HostArgs::Stack {
                at: host.shadow_space + host.facts.linkage_area,
            }),
            [_] => Err(format!(
                "`{}` has one integer argument register: trampolines take two arguments in registers or all on the stack",
                host.name
            )),
        }
    }

    fn is_reg(&self, r: &str) -> bool {
        matches!(self, HostArgs::Regs(a, b) if a == r || b == r)
    }
}

/// Whether `abi` returns floats on the arch's float stack (x87 `st(0)`):
/// the register is empty unless the callee returns a float.
fn float_ret_on_stack(abi: &Abi, asm: &AsmSpec) -> bool {
    abi.float_ret.iter().any(|r| asm.float_stack.contains(r))
}

/// The call trampoline: host code calls it with `(frame, f)` in its first two
/// integer argument registers (or its first two stack words); it calls `f`
/// with `abi`'s convention. Where `abi` returns floats on the float stack
/// this trampoline leaves that stack alone: see [`lower_call_float`].
pub fn lower_call(specs: &Specs, host: &Abi, abi: &Abi) -> Result<Trampoline, String> {
    call_trampoline(specs, host, abi, false)
}

/// The call trampoline for callees returning a float, where `abi` returns
/// floats on the float stack (it pops the result into the frame); `None`
/// where [`lower_call`] already stores float results.
pub fn lower_call_float(
    specs: &Specs,
    host: &Abi,
    abi: &Abi,
) -> Result<Option<Trampoline>, String> {
    let (_, asm) = common_arch(specs, host, abi)?;
    if !float_ret_on_stack(abi, asm) {
        return Ok(None);
    }
    call_trampoline(specs, host, abi, true).map(Some)
}

fn call_trampoline(
    specs: &Specs,
    host: &Abi,
    abi: &Abi,
    pop_float: bool,
) -> Result<Trampoline, String> {
    let (arch, asm) = common_arch(specs, host, abi)?;
    check_slot(abi, asm)?;
    let frame = FrameLayout::for_arch(specs, arch)?;
    let sp = asm.stack_pointer.as_str();
    let hargs = HostArgs::of(host)?;
    // The frame and the caller's stack pointer stay in registers both sides
    // preserve and no argument of either side uses (s390x passes an argument
    // in callee-saved r6).
    let state: Vec<&str> = shared_preserved(abi, host, arch, asm)
        .into_iter()
        .filter(|r| {
            !abi.int_args.iter().chain(&host.int_args).any(|a| a == r)
                && abi.facts.call_target.as_deref() != Some(*r)
        })
        .collect();
    let [frame_reg, sp_save, ..] = state.as_slice() else {
        return Err(format!(
            "`{}` and `{}` share fewer than two preserved integer registers to keep the frame and stack pointer in",
            abi.name, host.name
        ));
    };
    let fn_reg = abi
        .facts
        .call_target
        .iter()
        .chain(
            abi.facts
                .scratch
                .iter()
                .filter(|r| host.facts.scratch.contains(r)),
        )
        .find(|r| !hargs.is_reg(r))
        .ok_or_else(|| {
            format!(
                "no register is scratch in both `{}` and `{}`: list one in `scratch` of both ABI files",
                abi.name, host.name
            )
        })?;
    // `f` arrives on the stack: it is loaded just before the call, so the
    // copy below may use its register.
    let late_fn = matches!(hargs, HostArgs::Stack { .. });
    // Four registers copy the stack arguments: the callee's first integer
    // argument registers (loaded only afterwards), else registers free at a
    // call, then preserved ones the trampoline saves.
    let copy: Vec<String> = if abi.int_args.len() >= 4 {
        abi.int_args[..4].to_vec()
    } else {
        abi.facts
            .scratch
            .iter()
            .filter(|r| host.facts.scratch.contains(r) && !hargs.is_reg(r))
            .filter(|r| late_fn || *r != fn_reg)
            .map(String::as_str)
            .chain(state[2..].iter().copied())
            .filter(|r| !abi.int_args.iter().any(|a| a == r))
            .take(4)
            .map(str::to_owned)
            .collect()
    };
    let [count, src, dst, tmp, ..] = copy.as_slice() else {
        return Err(format!(
            "`{}` has fewer than four registers to copy stack arguments with: list free ones in `scratch`",
            abi.name
        ));
    };
    if abi.variadic_count_reg() == Some(fn_reg.as_str()) {
        return Err(format!(
            "`{}`: the variadic count register is the first scratch register",
            abi.name
        ));
    }
    let align = stack_align(host, abi)?;

    let mut saves = vec![
        ((*frame_reg).to_owned(), SaveKind::Int),
        ((*sp_save).to_owned(), SaveKind::Int),
    ];
    if let Some(link) = &asm.link_reg {
        saves.push((link.clone(), SaveKind::Int));
    }
    for s in save_set(host, abi, arch, asm) {
        if !saves.iter().any(|(r, _)| *r == s.0) {
            saves.push(s);
        }
    }
    // Loading the arguments overwrites registers the host may expect kept
    // (s390x passes the fifth integer argument in callee-saved r6), and so
    // may the copy.
    for r in abi.int_args.iter().chain(&abi.float_args).chain(&copy) {
        if preserved_bits(host, arch, asm, r) > 0 && !saves.iter().any(|(s, _)| s == r) {
            let kind = if !arch.float_regs.contains(r) {
                SaveKind::Int
            } else if full_bits(arch, asm, r) <= 64 {
                SaveKind::Float64
            } else {
                SaveKind::Vec
            };
            saves.push((r.clone(), kind));
        }
    }
    let (placed, end) = place_saves(&saves, 0, asm.word);
    let reserve = round_up(end + asm.call_pushes, align) - asm.call_pushes;
    // The host's stack arguments, from the stack pointer after the reserve.
    let incoming = |i: u32, at: u32| reserve + asm.call_pushes + at + i * asm.word;

    let (fr, s) = (frame_reg.to_string(), sp.to_owned());
    let mut ops = vec![Op::SubImm {
        dst: s.clone(),
        src: s.clone(),
        imm: reserve,
    }];
    ops.extend(save_ops(&placed, sp, true, asm));
    match &hargs {
        HostArgs::Regs(h0, h1) => {
            ops.push(Op::Move {
                dst: fr.clone(),
                src: h0.clone(),
            });
            ops.push(Op::Move {
                dst: fn_reg.clone(),
                src: h1.clone(),
            });
        }
        HostArgs::Stack { at } => ops.push(Op::LoadInt {
            reg: fr.clone(),
            base: s.clone(),
            off: incoming(0, *at),
        }),
    }
    ops.push(Op::Move {
        dst: sp_save.to_string(),
        src: s.clone(),
    });
    // The stack area: shadow space and arguments, sized and aligned by the caller.
    let (done, again) = (Label(2), Label(3));
    ops.push(Op::LoadInt {
        reg: tmp.clone(),
        base: fr.clone(),
        off: frame.stack_bytes(),
    });
    ops.push(Op::SubReg {
        dst: s.clone(),
        rhs: tmp.clone(),
    });
    ops.push(Op::LoadInt {
        reg: count.clone(),
        base: fr.clone(),
        off: frame.stack_words(),
    });
    ops.push(Op::BranchZero {
        reg: count.clone(),
        label: done,
    });
    ops.push(Op::LoadInt {
        reg: src.clone(),
        base: fr.clone(),
        off: frame.stack(),
    });
    ops.push(Op::AddImm {
        dst: dst.clone(),
        src: s.clone(),
        imm: abi.shadow_space + abi.facts.linkage_area,
    });
    ops.push(Op::Label(again));
    ops.push(Op::LoadInt {
        reg: tmp.clone(),
        base: src.clone(),
        off: 0,
    });
    ops.push(Op::StoreInt {
        reg: tmp.clone(),
        base: dst.clone(),
        off: 0,
    });
    ops.push(Op::AddImm {
        dst: src.clone(),
        src: src.clone(),
        imm: asm.word,
    });
    ops.push(Op::AddImm {
        dst: dst.clone(),
        src: dst.clone(),
        imm: asm.word,
    });
    ops.push(Op::SubImm {
        dst: count.clone(),
        src: count.clone(),
        imm: 1,
    });
    ops.push(Op::BranchNonZero {
        reg: count.clone(),
        label: again,
    });
    ops.push(Op::Label(done));
    if abi.facts.back_chain {
        // The frame the callee sees starts with the caller's stack pointer.
        push_back_chain(&mut ops, tmp, sp_save, reserve, &s);
    }
    for (i, r) in abi.int_args.iter().enumerate() {
        ops.push(Op::LoadInt {
            reg: r.clone(),
            base: fr.clone(),
            off: frame.int_reg(i),
        });
    }
    for (i, r) in abi.float_args.iter().enumerate() {
        ops.push(Op::LoadFloat {
            reg: r.clone(),
            base: fr.clone(),
            off: frame.float_reg(i),
        });
    }
    if let Some(reg) = separate_indirect(arch, abi) {
        ops.push(Op::LoadInt {
            reg: reg.to_owned(),
            base: fr.clone(),
            off: frame.indirect(),
        });
    }
    if let Some(reg) = abi.variadic_count_reg() {
        // An upper bound on the vector registers used: right for variadic callees, ignored by others.
        ops.push(Op::LoadImm {
            reg: reg.to_owned(),
            imm: abi.float_args.len() as u32,
        });
    }
    if let HostArgs::Stack { at } = &hargs {
        ops.push(Op::LoadInt {
            reg: fn_reg.clone(),
            base: sp_save.to_string(),
            off: incoming(1, *at),
        });
    }
    ops.push(Op::CallReg(fn_reg.clone()));
    for (i, r) in abi.int_ret.iter().enumerate() {
        ops.push(Op::StoreInt {
            reg: r.clone(),
            base: fr.clone(),
            off: frame.int_ret(i),
        });
    }
    for (i, r) in abi.float_ret.iter().enumerate() {
        let off = frame.float_ret(i);
        if !asm.float_stack.contains(r) {
            ops.push(Op::StoreFloat {
                reg: r.clone(),
                base: fr.clone(),
                off,
            });
        } else if pop_float && i == 0 {
            // Only the top: a float result is one value.
            ops.push(Op::PopFloat {
                base: fr.clone(),
                off,
            });
        }
    }
    ops.push(Op::Move {
        dst: s.clone(),
        src: sp_save.to_string(),
    });
    ops.extend(save_ops(&placed, sp, false, asm));
    ops.push(Op::AddImm {
        dst: s.clone(),
        src: s,
        imm: reserve,
    });
    ops.push(Op::Ret);
    Ok(Trampoline {
        kind: if pop_float {
            TrampolineKind::CallFloat
        } else {
            TrampolineKind::Call
        },
        arch: arch.name.clone(),
        host: host.name.clone(),
        abi: abi.name.clone(),
        frame,
        saved: saves.into_iter().map(|(r, _)| r).collect(),
        reserve,
        ops,
    })
}

/// The tail trampoline, if `abi` allows one from `host`: host code calls it
/// with `(frame, f)`; it loads the argument registers and jumps to `f`, which
/// returns to the host caller directly. That needs `abi` to preserve every
/// register the host expects preserved, to return in the host's first return
/// registers, and to want no more shadow space than the host's caller
/// reserved; the call must pass nothing on the stack. `Ok(None)` when `abi`
/// does not qualify.
///
/// `ints` and `floats` say how many of `abi`'s integer and float argument
/// registers (the first ones) it loads: one variant per pair, so a call loads
/// only the registers its signature uses.
pub fn lower_tail(
    specs: &Specs,
    host: &Abi,
    abi: &Abi,
    ints: usize,
    floats: usize,
) -> Result<Option<Trampoline>, String> {
    let (arch, asm) = common_arch(specs, host, abi)?;
    let frame = FrameLayout::for_arch(specs, arch)?;
    let same_ret = host.int_ret.first() == abi.int_ret.first()
        && host.float_ret.first() == abi.float_ret.first();
    if !save_set(host, abi, arch, asm).is_empty()
        || abi.shadow_space > host.shadow_space
        || abi.facts.linkage_area > host.facts.linkage_area
        || abi.stack_align > host.stack_align
        || !same_ret
    {
        return Ok(None);
    }
    // Where the host passes `(frame, f)` on the stack, they would stay there
    // for `f` as its own arguments: no tail call.
    let (h0, h1) = match HostArgs::of(host)? {
        HostArgs::Regs(a, b) => (a, b),
        HostArgs::Stack { .. } => return Ok(None),
    };
    let (h0, h1) = (h0.as_str(), h1.as_str());
    let mut common: Vec<&String> = abi
        .facts
        .scratch
        .iter()
        .filter(|r| host.facts.scratch.contains(r) && *r != h0 && *r != h1)
        .collect();
    if let Some(t) = &abi.facts.call_target {
        // The callee's address goes where the convention wants it.
        common.retain(|r| *r != t);
        common.insert(0, t);
    }
    let [fn_reg, base, ..] = common.as_slice() else {
        return Ok(None);
    };
    // The callee keeps what it is given in registers the host expects kept;
    // a tail call would hand the host's caller argument values there.
    if abi
        .int_args
        .iter()
        .take(ints)
        .chain(abi.float_args.iter().take(floats))
        .any(|r| preserved_bits(host, arch, asm, r) > 0)
    {
        return Ok(None);
    }
    let mut ops = vec![
        Op::Move {
            dst: (*base).clone(),
            src: h0.to_owned(),
        },
        Op::Move {
            dst: (*fn_reg).clone(),
            src: h1.to_owned(),
        },
    ];
    for (i, r) in abi.int_args.iter().enumerate().take(ints) {
        ops.push(Op::LoadInt {
            reg: r.clone(),
            base: (*base).clone(),
            off: frame.int_reg(i),
        });
    }
    for (i, r) in abi.float_args.iter().enumerate().take(floats) {
        ops.push(Op::LoadFloat {
            reg: r.clone(),
            base: (*base).clone(),
            off: frame.float_reg(i),
        });
    }
    if let Some(reg) = abi.variadic_count_reg() {
        ops.push(Op::LoadImm {
            reg: reg.to_owned(),
            imm: floats.min(abi.float_args.len()) as u32,
        });
    }
    ops.push(Op::JumpReg((*fn_reg).clone()));
    Ok(Some(frameless(
        TrampolineKind::Tail(ints as u32, floats as u32),
        arch,
        host,
        abi,
        frame,
        ops,
    )))
}

/// The callback entry: `abi` code calls a thunk, which jumps here with the
/// address of its data slot in `abi`'s first scratch register (or the arch's
/// `jump_mem_slot`); the entry calls the host dispatcher `dispatch(frame, slot)`.
pub fn lower_entry(specs: &Specs, host: &Abi, abi: &Abi) -> Result<Trampoline, String> {
    lower_entry_popping(specs, host, abi, 0)
}

/// [`lower_entry`], returning with `pop` bytes of the caller's arguments
/// popped (0: a plain return).
pub fn lower_entry_popping(
    specs: &Specs,
    host: &Abi,
    abi: &Abi,
    pop: u32,
) -> Result<Trampoline, String> {
    let (arch, asm) = common_arch(specs, host, abi)?;
    check_slot(abi, asm)?;
    let frame = FrameLayout::for_arch(specs, arch)?;
    let sp = asm.stack_pointer.clone();
    let idx = match &asm.jump_mem_slot {
        Some(r) => r.clone(),
        None => slot_reg(abi)?,
    };
    let hargs = HostArgs::of(host)?;
    // A register free once the argument registers are spilled: the first
    // argument register, or (every argument on the stack) a scratch one.
    let tmp = abi
        .int_args
        .first()
        .or_else(|| abi.facts.scratch.iter().find(|r| **r != idx))
        .ok_or_else(|| {
            format!(
                "`{}` has no integer argument register and no second `scratch` register",
                abi.name
            )
        })?;
    let align = stack_align(host, abi)?;

    let mut saves = Vec::new();
    if let Some(link) = &asm.link_reg {
        saves.push((link.clone(), SaveKind::Int));
    }
    saves.extend(save_set(abi, host, arch, asm));
    // The dispatcher's shadow space and frame header lie below the frame, and
    // its two arguments where the host passes them on the stack.
    let below = match &hargs {
        HostArgs::Regs(..) => host.shadow_space + host.facts.linkage_area,
        HostArgs::Stack { at } => at + 2 * asm.word,
    };
    let frame_at = round_up(below, 16);
    let (placed, end) = place_saves(&saves, frame_at + frame.size(), asm.word);
    let reserve = round_up(end + asm.call_pushes, align) - asm.call_pushes;

    let mut ops = vec![Op::SubImm {
        dst: sp.clone(),
        src: sp.clone(),
        imm: reserve,
    }];
    ops.extend(save_ops(&placed, &sp, true, asm));
    for (i, r) in abi.int_args.iter().enumerate() {
        ops.push(Op::StoreInt {
            reg: r.clone(),
            base: sp.clone(),
            off: frame_at + frame.int_reg(i),
        });
    }
    for (i, r) in abi.float_args.iter().enumerate() {
        ops.push(Op::StoreFloat {
            reg: r.clone(),
            base: sp.clone(),
            off: frame_at + frame.float_reg(i),
        });
    }
    if let Some(reg) = separate_indirect(arch, abi) {
        ops.push(Op::StoreInt {
            reg: reg.to_owned(),
            base: sp.clone(),
            off: frame_at + frame.indirect(),
        });
    }
    // The caller's stack arguments start above the return address and its shadow space.
    let args_at = reserve + asm.call_pushes + abi.shadow_space + abi.facts.linkage_area;
    ops.push(Op::AddImm {
        dst: tmp.clone(),
        src: sp.clone(),
        imm: args_at,
    });
    ops.push(Op::StoreInt {
        reg: tmp.clone(),
        base: sp.clone(),
        off: frame_at + frame.stack(),
    });
    if abi.facts.back_chain {
        // The dispatcher's caller's frame starts with the foreign caller's stack pointer.
        push_back_chain(&mut ops, tmp, &sp, reserve, &sp);
    }
    match &hargs {
        HostArgs::Regs(h0, h1) => {
            if idx != *h1 {
                ops.push(Op::Move {
                    dst: h1.clone(),
                    src: idx.clone(),
                });
            }
            ops.push(Op::AddImm {
                dst: h0.clone(),
                src: sp.clone(),
                imm: frame_at,
            });
        }
        HostArgs::Stack { at } => {
            ops.push(Op::StoreInt {
                reg: idx.clone(),
                base: sp.clone(),
                off: at + asm.word,
            });
            ops.push(Op::AddImm {
                dst: tmp.clone(),
                src: sp.clone(),
                imm: frame_at,
            });
            ops.push(Op::StoreInt {
                reg: tmp.clone(),
                base: sp.clone(),
                off: *at,
            });
        }
    }
    ops.push(Op::CallSym("dispatch".to_owned()));
    if float_ret_on_stack(abi, asm) {
        // The dispatcher returns non-zero when the handler's result is a
        // float: only then does the caller expect it on the float stack.
        let ret = host
            .int_ret
            .first()
            .ok_or_else(|| format!("`{}` has no integer return register", host.name))?;
        let skip = Label(4);
        ops.push(Op::BranchZero {
            reg: ret.clone(),
            label: skip,
        });
        ops.push(Op::PushFloat {
            base: sp.clone(),
            off: frame_at + frame.float_ret(0),
        });
        ops.push(Op::Label(skip));
    }
    for (i, r) in abi.int_ret.iter().enumerate() {
        ops.push(Op::LoadInt {
            reg: r.clone(),
            base: sp.clone(),
            off: frame_at + frame.int_ret(i),
        });
    }
    for (i, r) in abi.float_ret.iter().enumerate() {
        if asm.float_stack.contains(r) {
            continue;
        }
        ops.push(Op::LoadFloat {
            reg: r.clone(),
            base: sp.clone(),
            off: frame_at + frame.float_ret(i),
        });
    }
    ops.extend(save_ops(&placed, &sp, false, asm));
    ops.push(Op::AddImm {
        dst: sp.clone(),
        src: sp,
        imm: reserve,
    });
    ops.push(if pop > 0 { Op::RetPop(pop) } else { Op::Ret });
    Ok(Trampoline {
        kind: if pop > 0 {
            TrampolineKind::EntryPop
        } else {
            TrampolineKind::Entry
        },
        arch: arch.name.clone(),
        host: host.name.clone(),
        abi: abi.name.clone(),
        frame,
        saved: saves.into_iter().map(|(r, _)| r).collect(),
        reserve,
        ops,
    })
}

/// The register a call trampoline calls the callee through: the ABI's
/// `call_target` (ELFv2 wants the callee's address in r12), else its first
/// scratch register.
pub(crate) fn call_target(abi: &Abi) -> Result<String, String> {
    if let Some(r) = &abi.facts.call_target {
        return Ok(r.clone());
    }
    slot_reg(abi)
}

fn slot_reg(abi: &Abi) -> Result<String, String> {
    abi.facts.scratch.first().cloned().ok_or_else(|| {
        format!(
            "`{}` lists no `scratch` register to carry a callback's slot number: add `scratch = [...]` to targets/abi/{}.toml",
            abi.name, abi.name
        )
    })
}

/// The callback thunk of `abi`: puts the address of its data slot
/// ([`super::THUNK_BLOCK`] bytes past itself) in the slot register and jumps
/// to the entry address stored at the start of the slot. Every copy of it in
/// a code block is the same bytes: it uses only its own address.
pub fn lower_thunk(specs: &Specs, host: &Abi, abi: &Abi) -> Result<Trampoline, String> {
    let (arch, asm) = common_arch(specs, host, abi)?;
    let frame = FrameLayout::for_arch(specs, arch)?;
    if asm.template(Tpl::PcRel).is_empty() || asm.template(Tpl::JumpMem).is_empty() {
        return Err(format!(
            "arch {} has no `pc_rel` and `jump_mem` templates for callback thunks: add them (and `thunk_bytes`) to `[asm]` of targets/arch/{}.toml",
            arch.name, arch.name
        ));
    }
    let reg = slot_reg(abi)?;
    let ops = vec![
        Op::PcRel {
            reg: reg.clone(),
            off: super::THUNK_BLOCK,
        },
        Op::JumpMem {
            reg,
            off: 0,
            tmp: abi.facts.scratch.get(1).cloned(),
        },
    ];
    Ok(frameless(
        TrampolineKind::Thunk,
        arch,
        host,
        abi,
        frame,
        ops,
    ))
}

/// The shifting entry of `host`'s own callbacks, for handlers that are
/// host functions taking their context first: a thunk jumps here with its
/// data slot's address; the entry moves each integer argument register up
/// to the next (the last one's content is lost: the runtime binds a slot to
/// this entry only for signatures that leave it free), puts the slot's
/// third word (the handler's context) in the first, and jumps to the
/// function in the slot's second word. That function then sees exactly the
/// call the thunk's caller made, with one pointer argument in front. Only
/// the argument registers before the first one the callee must preserve
/// move ([`shifted_int_args`]): the caller still expects that one back as it
/// was, and the handler would save and restore the shifted value. `None`
/// where `abi` is not `host` (the function is a host one) or has no integer
/// argument registers.
pub fn lower_entry_shift(
    specs: &Specs,
    host: &Abi,
    abi: &Abi,
) -> Result<Option<Trampoline>, String> {
    if host.name != abi.name || shifted_int_args(abi).is_empty() {
        return Ok(None);
    }
    let (arch, asm) = common_arch(specs, host, abi)?;
    let frame = FrameLayout::for_arch(specs, arch)?;
    let slot = slot_reg(abi)?;
    let mut ops = Vec::new();
    // Where the thunk's jump left the slot address (s390x: r0, which cannot
    // be a base register), back in the slot register.
    if let Some(r) = &asm.jump_mem_slot {
        ops.push(Op::Move {
            dst: slot.clone(),
            src: r.clone(),
        });
    }
    for pair in shifted_int_args(abi).windows(2).rev() {
        ops.push(Op::Move {
            dst: pair[1].clone(),
            src: pair[0].clone(),
        });
    }
    ops.push(Op::LoadInt {
        reg: abi.int_args[0].clone(),
        base: slot.clone(),
        off: 2 * asm.word,
    });
    ops.push(Op::JumpMem {
        reg: slot,
        off: asm.word,
        tmp: abi.facts.scratch.get(1).cloned(),
    });
    Ok(Some(frameless(
        TrampolineKind::EntryShift,
        arch,
        host,
        abi,
        frame,
        ops,
    )))
}

/// A trampoline that saves nothing and reserves no stack.
fn frameless(
    kind: TrampolineKind,
    arch: &Arch,
    host: &Abi,
    abi: &Abi,
    frame: FrameLayout,
    ops: Vec<Op>,
) -> Trampoline {
    Trampoline {
        kind,
        arch: arch.name.clone(),
        host: host.name.clone(),
        abi: abi.name.clone(),
        frame,
        saved: Vec::new(),
        reserve: 0,
        ops,
    }
}

/// The integer argument registers the shifting entry moves up: those before
/// the first one the convention also lists as callee-saved (s390x's r6).
/// A signature can use one fewer than there are.
pub fn shifted_int_args(abi: &Abi) -> &[String] {
    let n = abi
        .int_args
        .iter()
        .take_while(|r| !abi.callee_saved.contains(r))
        .count();
    &abi.int_args[..n]
}

/// The register that carries the address of a result returned in memory,
/// when it is not an argument register (aarch64's x8): trampolines load it
/// from, and entries store it to, the frame's `indirect` word.
pub(crate) fn separate_indirect<'a>(arch: &Arch, abi: &'a Abi) -> Option<&'a str> {
    let r = abi.indirect_result.as_str();
    (arch.int_regs.iter().any(|x| x == r) && !abi.int_args.iter().any(|x| x == r)).then_some(r)
}

impl Abi {
    /// The register carrying a variadic call's vector-register count, if the convention has one.
    pub fn variadic_count_reg(&self) -> Option<&str> {
        self.facts.variadic_count_reg.as_deref()
    }
}

impl fmt::Display for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Op::LoadInt { reg, base, off } => write!(f, "load_int    {reg} <- [{base} + {off}]"),
            Op::StoreInt { reg, base, off } => write!(f, "store_int   [{base} + {off}] <- {reg}"),
            Op::LoadFloat { reg, base, off } => write!(f, "load_float  {reg} <- [{base} + {off}]"),
            Op::StoreFloat { reg, base, off } => write!(f, "store_float [{base} + {off}] <- {reg}"),
            Op::LoadVec { reg, base, off } => write!(f, "load_vec    {reg} <- [{base} + {off}]"),
            Op::LoadLink { base, off } => write!(f, "load_link   <- [{base} + {off}]"),
            Op::StoreLink { base, off } => write!(f, "store_link  [{base} + {off}] <-"),
            Op::StoreVec { reg, base, off } => write!(f, "store_vec   [{base} + {off}] <- {reg}"),
            Op::Move { dst, src } => write!(f, "move        {dst} <- {src}"),
            Op::LoadImm { reg, imm } => write!(f, "load_imm    {reg} <- {imm}"),
            Op::AddImm { dst, src, imm } => write!(f, "add_imm     {dst} <- {src} + {imm}"),
            Op::SubImm { dst, src, imm } => write!(f, "sub_imm     {dst} <- {src} - {imm}"),
            Op::SubReg { dst, rhs } => write!(f, "sub_reg     {dst} <- {dst} - {rhs}"),
            Op::BranchZero { reg, label } => write!(f, "branch_zero {reg} -> {}", label.0),
            Op::BranchNonZero { reg, label } => write!(f, "branch_nz   {reg} -> {}", label.0),
            Op::Label(l) => write!(f, "{}:", l.0),
            Op::CallReg(r) => write!(f, "call_reg    {r}"),
            Op::JumpReg(r) => write!(f, "jump_reg    {r}"),
            Op::CallSym(s) => write!(f, "call_sym    <{s}>"),
            Op::JumpSym(s) => write!(f, "jump_sym    <{s}>"),
            Op::PcRel { reg, off } => write!(f, "pc_rel      {reg} <- here + {off}"),
            Op::JumpMem { reg, off, .. } => write!(f, "jump_mem    [{reg} + {off}]"),
            Op::Ret => write!(f, "ret"),
            Op::RetPop(n) => write!(f, "ret_pop     {n}"),
            Op::PushFloat { base, off } => write!(f, "push_float  <- [{base} + {off}]"),
            Op::PopFloat { base, off } => write!(f, "pop_float   [{base} + {off}] <-"),
        }
    }
}

/// The template an op is rendered with.
pub(crate) fn template_of(op: &Op) -> Tpl {
    match op {
        Op::LoadInt { .. } => Tpl::LoadInt,
        Op::StoreInt { .. } => Tpl::StoreInt,
        Op::LoadFloat { .. } => Tpl::LoadFloat,
        Op::StoreFloat { .. } => Tpl::StoreFloat,
        Op::LoadVec { .. } => Tpl::LoadVec,
        Op::LoadLink { .. } => Tpl::LoadLink,
        Op::StoreLink { .. } => Tpl::StoreLink,
        Op::StoreVec { .. } => Tpl::StoreVec,
        Op::Move { .. } => Tpl::Move,
        Op::LoadImm { .. } => Tpl::LoadImm,
        Op::AddImm { .. } => Tpl::AddImm,
        Op::SubImm { .. } => Tpl::SubImm,
        Op::SubReg { .. } => Tpl::SubReg,
        Op::BranchZero { .. } => Tpl::BranchZero,
        Op::BranchNonZero { .. } => Tpl::BranchNonZero,
        Op::Label(_) => Tpl::Label,
        Op::CallReg(_) => Tpl::CallReg,
        Op::JumpReg(_) => Tpl::JumpReg,
        Op::CallSym(_) => Tpl::CallSym,
        Op::JumpSym(_) => Tpl::JumpSym,
        Op::Ret => Tpl::Ret,
        Op::RetPop(_) => Tpl::RetPop,
        Op::PushFloat { .. } => Tpl::PushFloat,
        Op::PopFloat { .. } => Tpl::PopFloat,
        Op::PcRel { .. } => Tpl::PcRel,
        Op::JumpMem { .. } => Tpl::JumpMem,
    }
}

/// ELFv2's back chain: the word at `[base]` gets `sp_before + reserve`, the
/// stack pointer the frame's caller had.
fn push_back_chain(ops: &mut Vec<Op>, tmp: &str, sp_before: &str, reserve: u32, base: &str) {
    ops.push(Op::AddImm {
        dst: tmp.to_owned(),
        src: sp_before.to_owned(),
        imm: reserve,
    });
    ops.push(Op::StoreInt {
        reg: tmp.to_owned(),
        base: base.to_owned(),
        off: 0,
    });
}
