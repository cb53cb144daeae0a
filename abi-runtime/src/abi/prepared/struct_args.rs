//! Where a struct argument goes: its pieces into registers, a copy on the
//! stack, its words split between both, or a pointer to a caller's copy, as
//! the `[aggregates]` rules of the convention and its slot model say.

use super::{AggPlan, Fix, Part, PartKind, PrepareError, STACK_BASE, STACK_ROOM, fix_for, round_up};
use crate::abi::aggregate::{self, Aggregates, Class, FloatClass, Piece, Pieces, WhenFull};
use crate::abi::value::Scalar;
use crate::abi::{Abi, FLOAT_BASE, FLOAT_UNITS, SlotModel, Type, WORD};

/// What the arguments before this one have taken.
pub(super) struct Taken<'a> {
    pub(super) next_int: &'a mut usize,
    pub(super) next_float: &'a mut usize,
    pub(super) next_stack: &'a mut usize,
    /// Free single-precision halves of the float registers (AAPCS32 VFP).
    pub(super) free_halves: &'a mut u64,
    /// No later float takes a register (a float went on the stack).
    pub(super) floats_closed: &'a mut bool,
    /// Positions taken beyond one per argument (ELFv2: a struct takes a
    /// doubleword position per 8 bytes).
    pub(super) extra_pos: &'a mut usize,
}

/// One struct argument being placed.
struct Arg<'r> {
    abi: &'static Abi,
    rules: &'r Aggregates,
    i: usize,
    ty: Type,
    /// Its position (positional slot models).
    pos: usize,
}

/// Places struct argument `i` of type `ty` at position `pos`; `halves` says
/// f32 values take single halves of the float registers.
pub(super) fn place(
    abi: &'static Abi,
    rules: &Aggregates,
    agg: &mut AggPlan,
    (i, ty, pos): (usize, Type, usize),
    halves: bool,
    mut t: Taken<'_>,
) -> Result<(), PrepareError> {
    let t = &mut t;
    let a = Arg {
        abi,
        rules,
        i,
        ty,
        pos,
    };
    let size = ty.size();
    let too_large = PrepareError::StructTooLarge {
        index: Some(i),
        size,
        max: super::COPY_BYTES as u32,
    };
    let mut pieces = aggregate::pieces(rules, ty);
    if let Some(p) = pieces
        && abi.slots == SlotModel::Positional
        && p.len != 1
    {
        // A positional convention gives an argument one slot.
        pieces = None;
    }
    let positions = abi.slots == SlotModel::GprPositions;
    if positions && !(pieces.is_none() && rules.larger_by_reference) {
        // Every doubleword of the struct has a position (a pointer to a copy, one).
        *t.extra_pos += (size as usize).div_ceil(WORD).max(1) - 1;
    }
    let placed = match pieces {
        None if rules.larger_by_reference => {
            let at = agg.reserve_copy(size).ok_or(too_large)?;
            by_reference(&a, agg, at, t)
        }
        None if rules.split_larger && positions => image(&a, agg, t),
        None if rules.split_larger => split(&a, agg, t),
        None => stack_copy(&a, agg, t.next_stack),
        Some(p) if abi.slots == SlotModel::Positional => {
            let piece = p.items[0];
            let (n_int, n_float) = (abi.int_args.len(), abi.float_args.len());
            let unit = match piece.class {
                Class::Int => (pos < n_int).then_some(pos),
                Class::Float => (pos < n_float).then(|| FLOAT_BASE + pos * FLOAT_UNITS),
            };
            match unit {
                Some(u) => agg.push(leaf_part(&a, &piece, u)),
                None => stack_copy(&a, agg, t.next_stack),
            }
        }
        Some(p) if positions => by_positions(&a, agg, &p, t),
        Some(p) if halves && p.count(Class::Int) == 0 => in_halves(&a, agg, &p, t),
        Some(p) => per_class(&a, agg, p, t),
    };
    placed.ok_or(PrepareError::TooManyStructs {
        max: super::MAX_AGG_ARGS,
    })?;
    if *t.next_stack > STACK_ROOM * 8 / WORD {
        return Err(too_large);
    }
    Ok(())
}

/// Piece `p` of the struct into `unit`, fixed up as its scalar when it has one.
fn leaf_part(a: &Arg<'_>, p: &Piece, unit: usize) -> Part {
    let mut part = Part::bytes(a.i, p, unit);
    if let Some(leaf) = p.leaf {
        part.fix = fix_for(a.abi, leaf, p.class == Class::Float);
    }
    part
}

/// Raw bytes `off..` of the struct into `unit` and the units after it.
fn bytes(a: &Arg<'_>, off: u32, len: u32, unit: usize) -> Part {
    Part {
        arg: a.i as u8,
        kind: PartKind::Bytes,
        off: off as u16,
        len: len as u16,
        unit: unit as u16,
        leaf: Scalar::Void,
        fix: Fix::None,
        copy_at: 0,
    }
}

/// Whether the struct starts at an even register and an 8-byte-aligned stack address.
fn doubleword(a: &Arg<'_>) -> bool {
    a.rules.doubleword_align && a.ty.align() >= 8
}

/// The whole struct copied onto the stack (at its position where
/// arguments have positions).
fn stack_copy(a: &Arg<'_>, agg: &mut AggPlan, next_stack: &mut usize) -> Option<()> {
    let size = a.ty.size();
    if a.abi.slots == SlotModel::GprPositions {
        *next_stack = (*next_stack).max(a.pos);
    }
    if doubleword(a) {
        *next_stack = round_up(*next_stack, (8 / WORD).max(1));
    }
    let at = *next_stack;
    *next_stack += (size as usize).div_ceil(WORD);
    if a.rules.as_integer
        && size as usize <= WORD
        && let Some(p) = aggregate::int_words(a.rules, a.ty)
    {
        // As an integer of its size: right-justified in its slot on a big-endian machine.
        return agg.push(leaf_part(a, &p.items[0], STACK_BASE + at));
    }
    agg.push(bytes(a, 0, size, STACK_BASE + at))
}

/// A pointer to the caller's copy at `copy_at`, in the next integer register
/// (of its position, for positional models) or stack word.
fn by_reference(a: &Arg<'_>, agg: &mut AggPlan, copy_at: u16, t: &mut Taken<'_>) -> Option<()> {
    let n_int = a.abi.int_args.len();
    let unit = match a.abi.slots {
        SlotModel::Positional | SlotModel::GprPositions => (a.pos < n_int).then_some(a.pos),
        SlotModel::PerClass if *t.next_int < n_int => {
            *t.next_int += 1;
            Some(*t.next_int - 1)
        }
        SlotModel::PerClass => None,
    }
    .unwrap_or_else(|| {
        if a.abi.slots == SlotModel::GprPositions {
            *t.next_stack = (*t.next_stack).max(a.pos);
        }
        *t.next_stack += 1;
        STACK_BASE + *t.next_stack - 1
    });
    agg.push(Part {
        arg: a.i as u8,
        kind: PartKind::Ref,
        off: 0,
        len: a.ty.size() as u16,
        unit: unit as u16,
        leaf: Scalar::Void,
        fix: Fix::None,
        copy_at,
    })
}

/// The struct's words in the integer registers left, per class: all of them
/// when they fit; else, while nothing is on the stack yet, the first ones
/// and the rest on the stack; else all on the stack. Either way no later
/// integer takes a register once one did not fit (AAPCS32 C.3-C.8, RISC-V).
fn split(a: &Arg<'_>, agg: &mut AggPlan, t: &mut Taken<'_>) -> Option<()> {
    let n_int = a.abi.int_args.len();
    let size = a.ty.size();
    let words = (size as usize).div_ceil(WORD);
    if doubleword(a) {
        *t.next_int = round_up(*t.next_int, 2);
    }
    let first = *t.next_int;
    let in_regs = if first + words <= n_int {
        words
    } else if first < n_int && *t.next_stack == 0 {
        n_int - first
    } else {
        *t.next_int = n_int;
        return stack_copy(a, agg, t.next_stack);
    };
    for k in 0..in_regs {
        let off = (k * WORD) as u32;
        agg.push(bytes(a, off, (size - off).min(WORD as u32), first + k))?;
    }
    *t.next_int = first + in_regs;
    if in_regs < words {
        *t.next_int = n_int;
        let off = (in_regs * WORD) as u32;
        let at = *t.next_stack;
        *t.next_stack += words - in_regs;
        agg.push(bytes(a, off, size - off, STACK_BASE + at))?;
    }
    Some(())
}

/// The struct's memory image by doubleword positions (ELFv2): position `p`
/// in general register `p` while there is one, the rest in the parameter
/// save area's doubleword `p`.
fn image(a: &Arg<'_>, agg: &mut AggPlan, t: &mut Taken<'_>) -> Option<()> {
    let n_int = a.abi.int_args.len();
    let size = a.ty.size();
    let words = (size as usize).div_ceil(WORD);
    for k in 0..words {
        let (p, off) = (a.pos + k, (k * WORD) as u32);
        if p < n_int {
            agg.push(bytes(a, off, (size - off).min(WORD as u32), p))?;
        } else {
            *t.next_stack = (*t.next_stack).max(a.pos + words);
            return agg.push(bytes(a, off, size - off, STACK_BASE + p));
        }
    }
    Some(())
}

/// ELFv2: a homogeneous float aggregate takes a float register per member
/// while there are free ones; members left over are read from the memory
/// image at their positions, which is written in full then. Other structs
/// are their memory image.
///
/// The image's parts come first: a callback gathers the parts in order, so
/// the members in float registers overwrite what the image holds at their
/// offsets (a caller need not store those in the image).
fn by_positions(a: &Arg<'_>, agg: &mut AggPlan, p: &Pieces, t: &mut Taken<'_>) -> Option<()> {
    if p.count(Class::Int) != 0 {
        return image(a, agg, t);
    }
    let n_float = a.abi.float_args.len();
    let in_regs = p.len.min(n_float.saturating_sub(*t.next_float));
    if in_regs < p.len {
        image(a, agg, t)?;
    }
    for piece in &p.as_slice()[..in_regs] {
        let unit = FLOAT_BASE + *t.next_float * FLOAT_UNITS;
        *t.next_float += 1;
        agg.push(leaf_part(a, piece, unit))?;
    }
    Some(())
}

/// AAPCS32 VFP: a homogeneous float aggregate takes the lowest run of
/// consecutive free single (or, for doubles, aligned double) registers, or
/// goes on the stack, and then no later float takes a register.
fn in_halves(a: &Arg<'_>, agg: &mut AggPlan, p: &Pieces, t: &mut Taken<'_>) -> Option<()> {
    let n_halves = 2 * a.abi.float_args.len();
    let per = p.items[0].len as usize / 4;
    let need = p.len * per;
    let mask = if need >= 64 { u64::MAX } else { (1u64 << need) - 1 };
    let start = (0..n_halves.saturating_sub(need) + 1)
        .step_by(per.max(1))
        .find(|&h| *t.free_halves >> h & mask == mask)
        .filter(|_| !*t.floats_closed);
    let Some(h) = start else {
        *t.floats_closed = true;
        return stack_copy(a, agg, t.next_stack);
    };
    *t.free_halves &= !(mask << h);
    for (k, piece) in p.as_slice().iter().enumerate() {
        agg.push(leaf_part(a, piece, FLOAT_BASE + h + k * per))?;
    }
    Some(())
}

/// Per-class conventions (System V, AAPCS64, RISC-V, s390x, i386): the
/// pieces in the registers of their class when enough are free, else what
/// `when_full` says.
fn per_class(a: &Arg<'_>, agg: &mut AggPlan, mut p: Pieces, t: &mut Taken<'_>) -> Option<()> {
    let (n_int, n_float) = (a.abi.int_args.len(), a.abi.float_args.len());
    let (free_i, free_f) = (
        n_int.saturating_sub(*t.next_int),
        n_float.saturating_sub(*t.next_float),
    );
    if (p.count(Class::Int) > free_i || p.count(Class::Float) > free_f)
        && a.rules.float_class == FloatClass::TwoFields
    {
        // Not enough registers for the flattened fields: the integer convention.
        p = aggregate::int_words(a.rules, a.ty)?;
    }
    let (ni, nf) = (p.count(Class::Int), p.count(Class::Float));
    if nf == 0 && a.rules.when_full == WhenFull::Split {
        return split(a, agg, t);
    }
    if ni <= free_i && nf <= free_f {
        for piece in p.as_slice() {
            let unit = match piece.class {
                Class::Int => {
                    *t.next_int += 1;
                    *t.next_int - 1
                }
                Class::Float => {
                    *t.next_float += 1;
                    FLOAT_BASE + (*t.next_float - 1) * FLOAT_UNITS
                }
            };
            agg.push(leaf_part(a, piece, unit))?;
        }
        return Some(());
    }
    if a.rules.when_full == WhenFull::StackClose {
        if ni > free_i {
            *t.next_int = n_int;
        }
        if nf > free_f {
            *t.next_float = n_float;
        }
    }
    stack_copy(a, agg, t.next_stack)
}
