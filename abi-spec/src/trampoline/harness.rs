//! Test scaffolding for the trampolines, generated from the same spec data on
//! every arch: the canary harness (does a call keep the registers a
//! convention preserves?), a callee that destroys every register it may, a
//! stack-pointer probe and a shadow-space writer. `tests/build.rs` renders
//! them as naked functions; they replace asm written per arch by hand.

use crate::model::{Abi, Arch, Specs};

use super::lower::{SaveKind, full_bits, place_saves, round_up, save_ops};
use super::render::asm_lines;
use super::{AsmSpec, Op, Trampoline, TrampolineKind};

/// One register the canary harness fills and reads back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Canary {
    /// Its name in the spec files.
    pub reg: String,
    /// Whether it is a float register (64 bits of it are checked).
    pub float: bool,
}

/// The generated scaffolding of one convention, as assembly lines.
#[derive(Debug, Clone)]
pub struct Harness {
    /// `canary(a0, a1, f, ctx) -> word` with the convention: saves what the
    /// convention preserves, loads `ctx[i]` into canary register `i`, calls
    /// `f(a0, a1)`, stores the canary registers into `ctx[n + i]` (8-byte
    /// slots), restores and returns `f`'s integer result.
    pub canary: Vec<String>,
    /// The registers `canary` fills, in `ctx` order.
    pub canaries: Vec<Canary>,
    /// `clobber() -> word`: writes garbage to every register the convention
    /// lets a callee destroy (and to its shadow space) and returns
    /// [`CLOBBER_RET`].
    pub clobber: Vec<String>,
    /// `sp_probe() -> word`: the stack pointer at its entry.
    pub sp_probe: Vec<String>,
    /// With shadow space: `shadow_writer(..) -> word` writes its register
    /// arguments into the shadow space and returns its first stack argument.
    pub shadow_writer: Option<Vec<String>>,
    /// With a back chain: `chain_probe() -> word`, the first word of its
    /// caller's frame (the caller's caller's stack pointer).
    pub chain_probe: Option<Vec<String>>,
}

/// What the generated `clobber` returns (small enough for every arch's `load_imm`).
pub const CLOBBER_RET: u32 = 0x6A5C;

fn is_preserved(abi: &Abi, reg: &str) -> bool {
    abi.callee_saved.iter().any(|r| r == reg)
        || abi.callee_saved_partial.iter().any(|(r, _)| r == reg)
}

fn untouchable(abi: &Abi, asm: &AsmSpec, reg: &str) -> bool {
    reg == asm.stack_pointer
        || asm.link_reg.as_deref() == Some(reg)
        || abi.facts.reserved.iter().any(|r| r == reg)
}

fn wrap(arch: &Arch, abi: &Abi, ops: Vec<Op>) -> Trampoline {
    Trampoline {
        kind: TrampolineKind::Harness,
        arch: arch.name.clone(),
        host: abi.name.clone(),
        abi: abi.name.clone(),
        frame: super::FrameLayout {
            word: 8,
            int_regs: 0,
            float_regs: 0,
            int_rets: 0,
            float_rets: 0,
        },
        saved: Vec::new(),
        reserve: 0,
        ops,
    }
}

fn render(
    specs: &Specs,
    arch: &Arch,
    abi: &Abi,
    asm: &AsmSpec,
    ops: Vec<Op>,
) -> Result<Vec<String>, String> {
    let mut out = asm.directives.clone();
    out.extend(asm_lines(specs, &wrap(arch, abi, ops))?);
    out.extend(asm.directives_end.iter().cloned());
    Ok(out)
}

/// The scaffolding of convention `abi`.
pub fn harness(specs: &Specs, abi: &Abi) -> Result<Harness, String> {
    let arch = specs
        .arch(&abi.arch)
        .ok_or_else(|| format!("unknown arch `{}`", abi.arch))?;
    let asm = arch
        .asm
        .as_ref()
        .ok_or_else(|| format!("arch {} has no `[asm]` table", arch.name))?;
    let sp = asm.stack_pointer.clone();
    let ret = abi
        .int_ret
        .first()
        .ok_or_else(|| format!("`{}` has no integer return register", abi.name))?;
    let call_reg = super::lower::call_target(abi)?;
    let word = asm.word;
    // `(a0, a1, f, ctx)` arrive in the first four integer argument registers
    // (`a0` and `a1` stay there, for `f`), or all on the stack, where `a0`
    // and `a1` are copied down as `f`'s stack arguments and `f` and `ctx`
    // are loaded into registers no canary uses.
    let on_stack = abi.int_args.is_empty();
    let free: Vec<&String> = abi
        .facts
        .scratch
        .iter()
        .filter(|r| **r != call_reg && *r != ret && !is_preserved(abi, r))
        .collect();
    let (f, ctx) = match abi.int_args.as_slice() {
        [_, _, f, ctx, ..] => (f.clone(), ctx.clone()),
        [] => match free.as_slice() {
            [c, ..] => (call_reg.clone(), (*c).clone()),
            [] => {
                return Err(format!(
                    "`{}` needs a `scratch` register besides the call register and the result for the canary harness",
                    abi.name
                ));
            }
        },
        _ => {
            return Err(format!(
                "`{}` has fewer than four integer argument registers for the canary harness",
                abi.name
            ));
        }
    };

    // --- canary ---
    let canaries: Vec<Canary> = abi
        .callee_saved
        .iter()
        .chain(abi.callee_saved_partial.iter().map(|(r, _)| r))
        .filter(|r| !untouchable(abi, asm, r))
        .map(|r| Canary {
            reg: r.clone(),
            float: arch.float_regs.contains(r),
        })
        .collect();
    let mut saves: Vec<(String, SaveKind)> = Vec::new();
    if let Some(link) = &asm.link_reg {
        saves.push((link.clone(), SaveKind::Int));
    }
    for r in abi
        .callee_saved
        .iter()
        .filter(|r| !untouchable(abi, asm, r))
    {
        let kind = if !arch.float_regs.contains(r) {
            SaveKind::Int
        } else if full_bits(arch, asm, r) <= 64 {
            SaveKind::Float64
        } else {
            SaveKind::Vec
        };
        saves.push((r.clone(), kind));
    }
    for (r, _) in &abi.callee_saved_partial {
        saves.push((r.clone(), SaveKind::Float64));
    }
    // `ctx` survives the call in the save area.
    saves.push((ctx.clone(), SaveKind::Int));
    // Below the save area: the shadow space and frame header, and `f`'s two
    // stack arguments where every argument goes on the stack.
    let args_at = abi.shadow_space + abi.facts.linkage_area;
    let below = args_at + if on_stack { 2 * word } else { 0 };
    let (placed, end) = place_saves(&saves, below, word);
    let ctx_at = placed.last().map_or(0, |p| p.2);
    let reserve = round_up(end + asm.call_pushes, abi.stack_align) - asm.call_pushes;
    // Argument `i` of the harness, from the stack pointer after the reserve.
    let incoming = |i: u32| reserve + asm.call_pushes + args_at + i * word;
    let mut ops = vec![Op::SubImm {
        dst: sp.clone(),
        src: sp.clone(),
        imm: reserve,
    }];
    if on_stack {
        // The save area's `ctx` slot is written once `ctx` is loaded.
        ops.extend(save_ops(&placed[..placed.len() - 1], &sp, true, asm));
        for i in 0..2 {
            ops.push(Op::LoadInt {
                reg: ctx.clone(),
                base: sp.clone(),
                off: incoming(i),
            });
            ops.push(Op::StoreInt {
                reg: ctx.clone(),
                base: sp.clone(),
                off: args_at + i * word,
            });
        }
        ops.push(Op::LoadInt {
            reg: f.clone(),
            base: sp.clone(),
            off: incoming(2),
        });
        ops.push(Op::LoadInt {
            reg: ctx.clone(),
            base: sp.clone(),
            off: incoming(3),
        });
        ops.extend(save_ops(&placed[placed.len() - 1..], &sp, true, asm));
    } else {
        ops.extend(save_ops(&placed, &sp, true, asm));
    }
    if call_reg != f {
        ops.push(Op::Move {
            dst: call_reg.clone(),
            src: f.clone(),
        });
    }
    for (i, c) in canaries.iter().enumerate() {
        let (reg, base, off) = (c.reg.clone(), ctx.clone(), 8 * i as u32);
        ops.push(if c.float {
            Op::LoadFloat { reg, base, off }
        } else {
            Op::LoadInt { reg, base, off }
        });
    }
    ops.push(Op::CallReg(call_reg.clone()));
    // A register the canaries and the result leave free.
    let out_base = abi
        .int_args
        .iter()
        .chain(&abi.facts.scratch)
        .find(|r| *r != ret && !is_preserved(abi, r) && !untouchable(abi, asm, r))
        .ok_or_else(|| {
            format!(
                "`{}`: no free register to store the canaries with",
                abi.name
            )
        })?
        .clone();
    ops.push(Op::LoadInt {
        reg: out_base.clone(),
        base: sp.clone(),
        off: ctx_at,
    });
    let n = canaries.len() as u32;
    for (i, c) in canaries.iter().enumerate() {
        let (reg, base, off) = (c.reg.clone(), out_base.clone(), 8 * (n + i as u32));
        ops.push(if c.float {
            Op::StoreFloat { reg, base, off }
        } else {
            Op::StoreInt { reg, base, off }
        });
    }
    ops.extend(save_ops(&placed, &sp, false, asm));
    ops.push(Op::AddImm {
        dst: sp.clone(),
        src: sp.clone(),
        imm: reserve,
    });
    ops.push(Op::Ret);
    let canary = render(specs, arch, abi, asm, ops)?;

    // --- clobber ---
    let ints: Vec<&String> = arch
        .int_regs
        .iter()
        .filter(|r| !is_preserved(abi, r) && !untouchable(abi, asm, r) && *r != ret)
        .collect();
    let mut ops = Vec::new();
    for (i, r) in ints.iter().enumerate() {
        ops.push(Op::LoadImm {
            reg: (*r).clone(),
            imm: 0x7F00 + i as u32,
        });
    }
    // Not the float stack: a callee returning an integer leaves it empty.
    let floats: Vec<&String> = arch
        .float_regs
        .iter()
        .filter(|r| !is_preserved(abi, r) && !untouchable(abi, asm, r))
        .filter(|r| !asm.float_stack.contains(r))
        .collect();
    if let (Some(g), false) = (ints.first(), floats.is_empty()) {
        // Float garbage goes through memory: no template moves an integer register into a float one.
        let area = round_up(16 + asm.call_pushes, abi.stack_align.max(16)) - asm.call_pushes;
        ops.push(Op::SubImm {
            dst: sp.clone(),
            src: sp.clone(),
            imm: area,
        });
        for off in (0..8).step_by(word as usize) {
            ops.push(Op::StoreInt {
                reg: (*g).clone(),
                base: sp.clone(),
                off,
            });
        }
        for r in &floats {
            ops.push(Op::LoadFloat {
                reg: (*r).clone(),
                base: sp.clone(),
                off: 0,
            });
        }
        ops.push(Op::AddImm {
            dst: sp.clone(),
            src: sp.clone(),
            imm: area,
        });
    }
    if let Some(g) = ints.first() {
        for k in 0..abi.shadow_space / word {
            ops.push(Op::StoreInt {
                reg: (*g).clone(),
                base: sp.clone(),
                off: asm.call_pushes + k * word,
            });
        }
    }
    ops.push(Op::LoadImm {
        reg: ret.clone(),
        imm: CLOBBER_RET,
    });
    ops.push(Op::Ret);
    let clobber = render(specs, arch, abi, asm, ops)?;

    // --- sp_probe ---
    let sp_probe = render(
        specs,
        arch,
        abi,
        asm,
        vec![
            Op::Move {
                dst: ret.clone(),
                src: sp.clone(),
            },
            Op::Ret,
        ],
    )?;

    // --- shadow_writer ---
    let shadow_writer = if abi.shadow_space > 0 {
        let mut ops = Vec::new();
        for (k, r) in abi
            .int_args
            .iter()
            .enumerate()
            .take((abi.shadow_space / word) as usize)
        {
            ops.push(Op::StoreInt {
                reg: r.clone(),
                base: sp.clone(),
                off: asm.call_pushes + word * k as u32,
            });
        }
        ops.push(Op::LoadInt {
            reg: ret.clone(),
            base: sp.clone(),
            off: asm.call_pushes + abi.shadow_space + abi.facts.linkage_area,
        });
        ops.push(Op::Ret);
        Some(render(specs, arch, abi, asm, ops)?)
    } else {
        None
    };
    let chain_probe = if abi.facts.back_chain {
        Some(render(
            specs,
            arch,
            abi,
            asm,
            vec![
                Op::LoadInt {
                    reg: ret.clone(),
                    base: sp.clone(),
                    off: 0,
                },
                Op::Ret,
            ],
        )?)
    } else {
        None
    };
    Ok(Harness {
        chain_probe,
        canary,
        canaries,
        clobber,
        sp_probe,
        shadow_writer,
    })
}
