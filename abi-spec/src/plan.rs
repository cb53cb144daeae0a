//! Lowering: which value goes in which register, which registers come back,
//! which instructions run, and how the result is decoded, for one call on one
//! target. Renderers turn a plan into Rust tokens or text; they make no ABI
//! decisions of their own.

use std::fmt;

use crate::model::{Arg, ArgKind, Call, ConvKind, ErrorConv, PairRule, Pass, Shape, Target};

/// The name of the `asm!` operand a `flag` error kind reads the flag into.
pub const FLAG_OPERAND: &str = "__abi_flag";

/// The lowered form of one system call on one target.
#[derive(Debug, Clone)]
pub struct SyscallPlan<'s> {
    /// The target.
    pub target: &'s Target,
    /// The call: the entry of the table that is made.
    pub call: &'s Call,
    /// The arguments of the declaration (the portable ones of a `[via]` entry).
    pub args: &'s [Arg],
    /// The `[via]` entry's name when the call is made through another entry.
    pub via: Option<&'s str>,
    /// Values other than a plain argument that go in registers (`Input::Word`).
    pub words: Vec<Word>,
    /// Values of the reserved registers (`[syscall] reserved`) the call uses,
    /// in block order (`None`: unused, passed as 0); empty when it uses none.
    pub reserved_values: Vec<Option<Input>>,
    /// The kind of the value the kernel writes through the result slot, which
    /// is then the call's value.
    pub result: Option<ArgKind>,
    /// The instruction lines (a never-returning call ends with the trap).
    pub instructions: Vec<String>,
    /// One entry per register the stub touches.
    pub operands: Vec<Operand>,
    /// `asm!` options (a never-returning call adds `noreturn`).
    pub options: Vec<String>,
    /// How the result is decoded; `None` when the call never returns.
    pub decode: Option<ErrorConv>,
    /// Which lines of `instructions` read the error flag (empty unless the
    /// convention flags errors): a declaration returning the raw register
    /// leaves them out, so it costs what the bare trap costs.
    pub flag_read: std::ops::Range<usize>,
    /// The call number: a constant, or (for a call by number at run time) an
    /// argument. Where it travels in the reserved-register block, the block
    /// takes it from here.
    pub number: Input,
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
    /// The plan's word at this position (a half, a scaled value, a constant, an address).
    Word(usize),
    /// The address of the block of reserved-register values and the number.
    ReservedBlock,
}

/// What one argument register holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Word {
    /// The declaration's argument at this position.
    Arg(usize),
    /// The low 32 bits of a 64-bit argument.
    Low(usize),
    /// The high 32 bits of a 64-bit argument.
    High(usize),
    /// An argument divided by a power of two (checked to be a multiple).
    Scaled(usize, u64),
    /// A constant.
    Const(i64),
    /// The address of the result slot.
    ResultSlot,
    /// The address of a block of words.
    Block(Vec<Pass>),
    /// Nothing: a register skipped so that a pair starts at an even one.
    Skip,
}

/// The argument registers `pass` fills, in order, on a target with registers of
/// `width` bits: an argument wider than a register takes a pair, as `pairs` says.
pub fn words(pass: &[Pass], args: &[Arg], width: u32, pairs: Option<PairRule>) -> Vec<Word> {
    let mut out = Vec::new();
    for p in pass {
        match p {
            Pass::Arg(i) if args[*i].kind.bits().is_some_and(|b| b > width) => {
                let rule = pairs.unwrap_or(PairRule {
                    even: false,
                    low_first: true,
                });
                if rule.even && out.len() % 2 == 1 {
                    out.push(Word::Skip);
                }
                let (lo, hi) = (Word::Low(*i), Word::High(*i));
                if rule.low_first {
                    out.extend([lo, hi]);
                } else {
                    out.extend([hi, lo]);
                }
            }
            Pass::Arg(i) => out.push(Word::Arg(*i)),
            Pass::Low(i) => out.push(Word::Low(*i)),
            Pass::High(i) => out.push(Word::High(*i)),
            Pass::Scaled(i, n) => out.push(Word::Scaled(*i, *n)),
            Pass::Const(c) => out.push(Word::Const(*c)),
            Pass::ResultSlot => out.push(Word::ResultSlot),
            Pass::Block(b) => out.push(Word::Block(b.clone())),
        }
    }
    out
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
    lower_shape(
        target,
        Shape {
            name: &call.name,
            args: &call.args,
            call,
            via: None,
        },
    )
}

/// Lowers a declaration of `shape` (a call of the table, or a portable call
/// made through another entry) on a trap target.
pub fn lower_shape<'s>(target: &'s Target, shape: Shape<'s>) -> SyscallPlan<'s> {
    lower_with(target, shape, true)
}

/// [`lower_shape`]; `fixed_number` says whether the call number is the
/// constant of the table (a call by number takes it at run time, so it never
/// becomes an immediate of the template).
pub(crate) fn lower_with<'s>(
    target: &'s Target,
    shape: Shape<'s>,
    fixed_number: bool,
) -> SyscallPlan<'s> {
    let sc = &target.syscall;
    let call = shape.call;
    let pass: Vec<Pass> = match shape.via {
        Some(v) => v.pass.clone(),
        None => (0..shape.args.len()).map(Pass::Arg).collect(),
    };
    let mut words_out = Vec::new();
    let mut operands: Vec<Operand> = Vec::new();
    let set_input = |reg: &str, input: Input, ops: &mut Vec<Operand>| {
        ops.push(Operand {
            reg: reg.to_owned(),
            input: Some(input),
            output: Output::Preserved,
        });
    };
    set_input(&sc.number, Input::Number(call.nr), &mut operands);
    let filled = words(&pass, shape.args, target.cfg.pointer_width, sc.pairs);
    for (reg, w) in sc.args.iter().zip(filled) {
        match w {
            Word::Skip => {}
            Word::Arg(i) => set_input(reg, Input::Arg(i), &mut operands),
            w => {
                set_input(reg, Input::Word(words_out.len()), &mut operands);
                words_out.push(w);
            }
        }
    }
    let mut instructions = sc.instructions.clone();
    let mut options = sc.options.clone();
    let mut after = Vec::new();
    let mut reserved_values = Vec::new();
    let used: Vec<&String> = sc
        .reserved
        .iter()
        .flat_map(|r| &r.regs)
        .filter(|reg| operands.iter().any(|o| o.input.is_some() && o.reg == **reg))
        .collect();
    let alone = sc
        .reserved
        .as_ref()
        .and_then(|r| r.alone.as_ref().map(|a| (r, a)))
        .filter(|_| used.len() == 1 && fixed_number);
    if let (Some((r, alone)), [reg]) = (alone, used.as_slice()) {
        // One reserved register: its value travels in the number register,
        // which the template loads with the number as an immediate.
        let reg = (*reg).clone();
        let value = operands.iter().find(|o| o.reg == reg).and_then(|o| o.input);
        operands.retain(|o| o.reg != reg);
        if let Some(n) = operands.iter_mut().find(|o| o.reg == sc.number) {
            n.input = value;
        }
        let fill = |line: &String| {
            line.replace("{reg}", &reg)
                .replace("{nr}", &call.nr.to_string())
        };
        instructions = alone.before.iter().map(fill).chain(instructions).collect();
        after = alone.after.iter().map(fill).collect();
        options.clone_from(&r.options);
    } else if let Some(r) = &sc.reserved
        && !used.is_empty()
    {
        // The reserved registers' values, then the number, go in a block whose
        // address replaces the number; the template moves them in.
        reserved_values = r
            .regs
            .iter()
            .map(|reg| {
                operands
                    .iter()
                    .find(|o| &o.reg == reg)
                    .and_then(|o| o.input)
            })
            .collect();
        operands.retain(|o| !r.regs.contains(&o.reg));
        if let Some(n) = operands.iter_mut().find(|o| o.reg == sc.number) {
            n.input = Some(Input::ReservedBlock);
        }
        let word = target.cfg.pointer_width as usize / 8;
        let fill = |line: &String| {
            let mut line = line.replace("{number}", &(r.regs.len() * word).to_string());
            for (i, reg) in r.regs.iter().enumerate() {
                line = line.replace(&format!("{{{reg}}}"), &(i * word).to_string());
            }
            line
        };
        instructions = r.before.iter().map(fill).chain(instructions).collect();
        after = r.after.iter().map(fill).collect();
        options.clone_from(&r.options);
    }
    if let Some(nr) = &sc.number_reserved {
        // The compiler keeps the number register: the template saves it and
        // moves the number in around the trap.
        match nr
            .immediate
            .as_ref()
            .filter(|i| fixed_number && call.nr <= i.max)
        {
            Some(imm) => {
                operands.retain(|o| o.reg != sc.number);
                let fill = |l: &String| l.replace("{nr}", &call.nr.to_string());
                instructions = imm.before.iter().map(fill).chain(instructions).collect();
                after = imm.after.iter().map(fill).collect();
                options.clone_from(&imm.options);
                // asm! takes no outputs from a call that never returns.
                for c in imm.clobbers.iter().filter(|_| !call.noreturn) {
                    mark_output(&mut operands, c, Output::Clobbered);
                }
            }
            None => {
                if let Some(n) = operands.iter_mut().find(|o| o.reg == sc.number) {
                    n.reg.clone_from(&nr.carrier);
                }
                instructions = nr.before.iter().cloned().chain(instructions).collect();
                after = nr.after.clone();
                options.clone_from(&nr.options);
            }
        }
    }
    let mut flag_read = 0..0;
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
        if matches!(sc.errors, ErrorConv::Flag { .. }) {
            let start = instructions.len();
            flag_read = start..start + sc.flag_read.len();
            instructions.extend(
                sc.flag_read
                    .iter()
                    .map(|l| l.replace("{out}", &format!("{{{FLAG_OPERAND}}}"))),
            );
        }
        instructions.extend(after);
        Some(sc.errors)
    };
    SyscallPlan {
        target,
        call,
        args: shape.args,
        via: shape.via.map(|v| v.name.as_str()),
        words: words_out,
        reserved_values,
        result: shape.via.and_then(|v| v.result),
        instructions,
        operands,
        options,
        decode,
        flag_read,
        number: Input::Number(call.nr),
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
        match self.via {
            Some(v) => writeln!(
                f,
                "{} {v} through {} (number {}, {})",
                t.name, c.name, c.nr, c.loc
            )?,
            None => writeln!(f, "{} {} (number {}, {})", t.name, c.name, c.nr, c.loc)?,
        }
        let name = |i: usize| {
            let a = &self.args[i];
            format!("`{}: {}`", a.name, a.kind.as_str())
        };
        writeln!(f, "  instructions: {}", self.instructions.join("; "))?;
        for op in &self.operands {
            let input = match op.input {
                Some(Input::Number(n)) => format!("<- {n} (call number)"),
                Some(Input::Arg(i)) => format!("<- argument {i} {}", name(i)),
                Some(Input::ReservedBlock) => {
                    let vals: Vec<String> = self
                        .reserved_values
                        .iter()
                        .zip(self.target.syscall.reserved.iter().flat_map(|r| &r.regs))
                        .map(|(v, reg)| match v {
                            Some(Input::Arg(i)) => format!("{reg} = {}", name(*i)),
                            Some(Input::Word(w)) => format!("{reg} = word {w}"),
                            _ => format!("{reg} unused"),
                        })
                        .collect();
                    format!(
                        "<- address of a block: {}, then the number {}",
                        vals.join(", "),
                        c.nr
                    )
                }
                Some(Input::Word(w)) => match &self.words[w] {
                    Word::Low(i) => format!("<- low word of {}", name(*i)),
                    Word::High(i) => format!("<- high word of {}", name(*i)),
                    Word::Scaled(i, n) => {
                        format!("<- {} / {n} (EINVAL unless a multiple)", name(*i))
                    }
                    Word::Const(c) => format!("<- {c}"),
                    Word::ResultSlot => format!(
                        "<- address of the result ({})",
                        self.result.map_or("?", ArgKind::as_str)
                    ),
                    Word::Block(b) => format!("<- address of a block of {} words", b.len()),
                    Word::Arg(i) => format!("<- argument {i} {}", name(*i)),
                    Word::Skip => String::new(),
                },
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
            format!(
                "all bits set (INVALID_HANDLE_VALUE, WAIT_FAILED) is Err({last}()), anything else Ok"
            )
        }
        ErrorConv::Null => format!("NULL is Err({last}()), anything else Ok"),
        ErrorConv::Zero => format!("0 is Err({last}()), anything else Ok"),
        ErrorConv::NtStatus => "a negative NTSTATUS is Err(status), anything else Ok".to_owned(),
        ErrorConv::Never => "cannot fail: always Ok(raw)".to_owned(),
        ErrorConv::Flag { mask } => format!(
            "flag read by `{}` & {mask:#x} set is Err(raw as errno), clear is Ok(raw)",
            target.syscall.flag_read.join("; ")
        ),
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
