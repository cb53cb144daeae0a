//! Lowering: which value goes in which register, which registers come back,
//! which instructions run, and how the result is decoded, for one call on one
//! target. Renderers turn a plan into Rust tokens or text; they make no ABI
//! decisions of their own.

use std::fmt;

use crate::model::{Call, ConvKind, ErrorConv, Target};

/// The lowered form of one system call on one target.
#[derive(Debug, Clone)]
pub struct SyscallPlan<'s> {
    /// The target.
    pub target: &'s Target,
    /// The call.
    pub call: &'s Call,
    /// The instruction lines (a never-returning call ends with the trap).
    pub instructions: Vec<String>,
    /// One entry per register the stub touches.
    pub operands: Vec<Operand>,
    /// `asm!` options (a never-returning call adds `noreturn`).
    pub options: Vec<String>,
    /// How the result is decoded; `None` when the call never returns.
    pub decode: Option<ErrorConv>,
}

/// What the stub does with one register.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Operand {
    /// The register, as `asm!` names it.
    pub reg: String,
    /// The value placed in it before the instruction.
    pub input: Option<Input>,
    /// What the register holds afterwards.
    pub output: Output,
}

/// A value going into a register.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Input {
    /// The call number.
    Number(u32),
    /// The declaration's argument at this position.
    Arg(usize),
}

/// What a register holds after the instruction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Output {
    /// Unchanged (an input the kernel preserves).
    Preserved,
    /// The raw result.
    Result,
    /// Garbage: a clobber.
    Clobbered,
}

/// Lowers `call` on `target`.
pub fn lower<'s>(target: &'s Target, call: &'s Call) -> SyscallPlan<'s> {
    let sc = &target.syscall;
    match sc.kind {
        ConvKind::Trap => {}
    }
    let mut operands: Vec<Operand> = Vec::new();
    let set_input = |reg: &str, input: Input, ops: &mut Vec<Operand>| {
        ops.push(Operand {
            reg: reg.to_owned(),
            input: Some(input),
            output: Output::Preserved,
        });
    };
    set_input(&sc.number, Input::Number(call.nr), &mut operands);
    for (i, reg) in sc.args.iter().take(call.args.len()).enumerate() {
        set_input(reg, Input::Arg(i), &mut operands);
    }
    let mut instructions = sc.instructions.clone();
    let mut options = sc.options.clone();
    let decode = if call.noreturn {
        instructions.push(sc.trap.clone());
        options.push("noreturn".to_owned());
        None
    } else {
        mark_output(&mut operands, &sc.ret, Output::Result);
        for c in &sc.clobbers {
            if *c != sc.ret {
                mark_output(&mut operands, c, Output::Clobbered);
            }
        }
        Some(sc.errors)
    };
    SyscallPlan {
        target,
        call,
        instructions,
        operands,
        options,
        decode,
    }
}

fn mark_output(ops: &mut Vec<Operand>, reg: &str, output: Output) {
    match ops.iter_mut().find(|o| o.reg == reg) {
        Some(o) => o.output = output,
        None => ops.push(Operand {
            reg: reg.to_owned(),
            input: None,
            output,
        }),
    }
}

impl fmt::Display for SyscallPlan<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (t, c) = (self.target, self.call);
        writeln!(f, "{} {} (number {}, {})", t.name, c.name, c.nr, c.loc)?;
        writeln!(f, "  instructions: {}", self.instructions.join("; "))?;
        for op in &self.operands {
            let input = match op.input {
                Some(Input::Number(n)) => format!("<- {n} (call number)"),
                Some(Input::Arg(i)) => {
                    let a = &c.args[i];
                    format!("<- argument {i} `{}: {}`", a.name, a.kind.as_str())
                }
                None => String::new(),
            };
            let output = match op.output {
                Output::Preserved => "",
                Output::Result => "-> raw result",
                Output::Clobbered => "-> clobbered",
            };
            writeln!(
                f,
                "  {:<6} {}",
                op.reg,
                [input.as_str(), output].join(" ").trim()
            )?;
        }
        writeln!(f, "  options: {}", self.options.join(", "))?;
        match self.decode {
            Some(ErrorConv::NegatedErrno { max }) => writeln!(
                f,
                "  result: raw in [-{max}, -1] is Err(errno), anything else Ok(raw)"
            ),
            None => writeln!(
                f,
                "  result: never returns; `{}` traps if the kernel comes back",
                t.syscall.trap
            ),
        }
    }
}
