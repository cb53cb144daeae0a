//! Lowering: which value goes in which register, which registers come back,
//! which instructions run, and how the result is decoded, for one call on one
//! target. Renderers turn a plan into Rust tokens or text; they make no ABI
//! decisions of their own.

use std::fmt;

use crate::model::{ArgKind, Call, ConvKind, ErrorConv, Target};

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

/// Lowers `call` on a target whose convention is a trap (see [`lower_linked`]
/// for the others; on them this plan has no operands).
pub fn lower<'s>(target: &'s Target, call: &'s Call) -> SyscallPlan<'s> {
    let sc = &target.syscall;
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
            Some(conv) => writeln!(f, "  result: {}", describe_errors(conv, t)),
            None => writeln!(
                f,
                "  result: never returns; `{}` traps if the kernel comes back",
                t.syscall.trap
            ),
        }
    }
}

/// How an error convention reads, for plans shown to people.
pub fn describe_errors(conv: ErrorConv, target: &Target) -> String {
    let last = &target.syscall.last_error;
    match conv {
        ErrorConv::NegatedErrno { max } => {
            format!("raw in [-{max}, -1] is Err(errno), anything else Ok(raw)")
        }
        ErrorConv::ReturnedErrno => {
            "the return value is the errno: 0 is Ok, anything else Err(errno)".to_owned()
        }
        ErrorConv::BoolFalse => format!("FALSE (0) is Err({last}()), anything else Ok"),
        ErrorConv::InvalidHandle => {
            format!("INVALID_HANDLE_VALUE (-1) is Err({last}()), anything else Ok")
        }
        ErrorConv::Null => format!("NULL is Err({last}()), anything else Ok"),
        ErrorConv::Zero => format!("0 is Err({last}()), anything else Ok"),
        ErrorConv::NtStatus => "a negative NTSTATUS is Err(status), anything else Ok".to_owned(),
        ErrorConv::Never => "cannot fail: always Ok(raw)".to_owned(),
    }
}

/// The lowered form of a call through an import (wasm) or a system library
/// (Windows DLL): an `extern` declaration and the decoding around it.
#[derive(Debug, Clone)]
pub struct LinkedPlan<'s> {
    /// The target.
    pub target: &'s Target,
    /// The call.
    pub call: &'s Call,
    /// Parameters of the `extern` declaration, in order: the arguments, then
    /// one out-pointer per result. Each is an integer of `bits` bits.
    pub params: Vec<LinkedParam>,
    /// The return value's kind; `None` for `void` or a call that never returns.
    pub ret: Option<ArgKind>,
    /// Whether the stub hands results back as its value (true) or the
    /// declaration passes the out-pointers itself (false).
    pub managed_results: bool,
    /// How the result is decoded; `None` when the call never returns.
    pub decode: Option<ErrorConv>,
    /// The call that reports the last error, when `decode` needs it.
    pub last_error: Option<&'s Call>,
}

/// One parameter of an `extern` declaration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkedParam {
    /// The argument (or result) it carries.
    pub name: String,
    /// Its kind.
    pub kind: ArgKind,
    /// Width of the integer it is passed as: the kind's width, at least the
    /// pointer width (a wasm `i32`/`i64`, a full 64-bit register on win64).
    pub bits: u32,
    /// Whether it is an out-pointer for a result.
    pub out: bool,
}

/// Lowers `call` on a target whose convention is an import or a call.
/// `managed_results` says whether the declaration leaves the out-pointers to the stub.
pub fn lower_linked<'s>(
    target: &'s Target,
    call: &'s Call,
    managed_results: bool,
) -> LinkedPlan<'s> {
    let width = target.cfg.pointer_width;
    let param = |a: &crate::model::Arg, out: bool| {
        let kind = if out { ArgKind::MutPtr } else { a.kind };
        LinkedParam {
            name: a.name.clone(),
            kind,
            bits: kind.bits().map_or(width, |b| b.max(width)),
            out,
        }
    };
    let mut params: Vec<LinkedParam> = call.args.iter().map(|a| param(a, false)).collect();
    params.extend(call.results.iter().map(|a| param(a, true)));
    let decode = (!call.noreturn).then_some(call.errors);
    let last_error = if decode.is_some_and(ErrorConv::uses_last_error) {
        target.call(&target.syscall.last_error)
    } else {
        None
    };
    LinkedPlan {
        target,
        call,
        params,
        ret: if call.noreturn { None } else { call.ret },
        managed_results: managed_results && !call.results.is_empty(),
        decode,
        last_error,
    }
}

impl fmt::Display for LinkedPlan<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (t, c) = (self.target, self.call);
        let how = match t.syscall.kind {
            ConvKind::Import => format!("import `{}` from wasm module `{}`", c.symbol, c.library),
            _ => format!(
                "call `{}` in `{}` with extern \"{}\"",
                c.symbol, c.library, t.syscall.rust_abi
            ),
        };
        writeln!(f, "{} {} ({how}, {})", t.name, c.name, c.loc)?;
        for (i, p) in self.params.iter().enumerate() {
            let role = if p.out {
                "out-pointer for result"
            } else {
                "argument"
            };
            writeln!(
                f,
                "  param {i}: {role} `{}: {}` as i{}",
                p.name,
                p.kind.as_str(),
                p.bits
            )?;
        }
        match self.ret {
            Some(k) => writeln!(f, "  returns: {}", k.as_str())?,
            None => writeln!(f, "  returns: nothing")?,
        }
        match self.decode {
            Some(conv) => writeln!(f, "  result: {}", describe_errors(conv, t)),
            None => writeln!(f, "  result: never returns"),
        }
    }
}
