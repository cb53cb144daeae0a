//! The argument moves of a prepared call: for every register or stack unit
//! a call fills, which argument it reads, how (width, extension, the
//! convention's fix-up), and where it writes — decided once at prepare time
//! from the signature's slots and struct pieces, so a call only loads and
//! stores. Moves are sorted by how they read: the common plain reads first,
//! each in a loop of its own with no decision per argument.

use super::value::{PAYLOAD, Scalar};
use super::{Value, WORD};

/// How a move reads its argument and turns it into a unit's image.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
#[repr(u8)]
pub(crate) enum Op {
    /// 8 bytes as they are (i64, u64, f64, 8-byte pointers).
    Word,
    /// 4 bytes, sign-extended.
    Sext32,
    /// 4 bytes, zero-extended (u32, f32 in the low bits, 4-byte pointers).
    Zext32,
    /// 2 bytes, sign-extended.
    Sext16,
    /// 2 bytes, zero-extended.
    Zext16,
    /// 1 byte, sign-extended.
    Sext8,
    /// 1 byte, zero-extended.
    Zext8,
    /// An f32 NaN-boxed (upper 32 bits all ones).
    NanBox,
    /// An f32 in the high 32 bits.
    High32,
    /// An f32 converted to double precision.
    AsDouble,
    /// `len` raw bytes, zero-padded to 8 (a struct piece of no one scalar).
    Bytes,
}

/// Moves with a loop of their own, in this order, before the others: the
/// common reads of a value (8 bytes; 4 bytes sign- or zero-extended) and of
/// a struct through its pointer (8 bytes; 4 bytes zero-extended).
pub(crate) const PLAIN: [(Op, bool); 5] = [
    (Op::Word, false),
    (Op::Sext32, false),
    (Op::Zext32, false),
    (Op::Word, true),
    (Op::Zext32, true),
];

/// One unit a call writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Move {
    /// The argument read.
    pub(crate) src: u8,
    pub(crate) op: Op,
    /// Read through the argument's pointer (a struct piece), at this offset.
    pub(crate) deref: bool,
    /// Bytes of an [`Op::Bytes`] read.
    pub(crate) len: u8,
    pub(crate) off: u16,
    /// The unit written (units of [`WORD`] bytes from the buffer's start).
    pub(crate) dst: u16,
    /// Writes 8 bytes where a unit is 4.
    pub(crate) wide: bool,
}

impl Move {
    pub(crate) const EMPTY: Move = Move {
        src: 0,
        op: Op::Word,
        deref: false,
        len: 0,
        off: 0,
        dst: 0,
        wide: false,
    };
}

/// The op that reads a scalar argument `ty` as the register image `Value::bits`
/// then the slot's fix-up would make; `None` for a struct.
pub(crate) fn op_of(ty: Scalar, fix: super::prepared::Fix) -> Option<Op> {
    use super::prepared::Fix;
    Some(match (ty, fix) {
        (Scalar::F32, Fix::NanBox) => Op::NanBox,
        (Scalar::F32, Fix::High32) => Op::High32,
        (Scalar::F32, Fix::AsDouble) => Op::AsDouble,
        (_, Fix::Sext32) => Op::Sext32,
        (Scalar::I8, _) => Op::Sext8,
        (Scalar::U8, _) => Op::Zext8,
        (Scalar::I16, _) => Op::Sext16,
        (Scalar::U16, _) => Op::Zext16,
        (Scalar::I32, _) => Op::Sext32,
        (Scalar::U32 | Scalar::F32, _) => Op::Zext32,
        (Scalar::Ptr, _) if size_of::<usize>() == 4 => Op::Zext32,
        (Scalar::I64 | Scalar::U64 | Scalar::F64 | Scalar::Ptr, _) => Op::Word,
        (Scalar::Struct | Scalar::Void, _) => return None,
    })
}

/// The moves of one signature, sorted by op, with the count of each plain op.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Moves<const N: usize> {
    pub(crate) list: [Move; N],
    pub(crate) len: u16,
    /// Moves of each op of [`PLAIN`], at the start of `list` in that order.
    pub(crate) plain: [u16; PLAIN.len()],
}

impl<const N: usize> Moves<N> {
    pub(crate) const EMPTY: Self = Moves {
        list: [Move::EMPTY; N],
        len: 0,
        plain: [0; PLAIN.len()],
    };

    /// Adds a move; `None` when the list is full.
    pub(crate) fn push(&mut self, m: Move) -> Option<()> {
        *self.list.get_mut(usize::from(self.len))? = m;
        self.len += 1;
        Some(())
    }

    /// Sorts the moves (the plain ones first, in [`PLAIN`]'s order) and
    /// counts the plain ones. Raw struct bytes that are a plain read become
    /// one (8 bytes; 4 bytes in the low half of a little-endian unit).
    pub(crate) fn seal(&mut self) {
        let list = &mut self.list[..usize::from(self.len)];
        for m in list.iter_mut() {
            if m.op == Op::Bytes && m.len == 8 {
                m.op = Op::Word;
            } else if m.op == Op::Bytes && m.len == 4 && WORD == 8 && cfg!(target_endian = "little") {
                m.op = Op::Zext32;
            }
        }
        let rank = |m: &Move| {
            PLAIN
                .iter()
                .position(|&p| p == (m.op, m.deref))
                .unwrap_or(PLAIN.len())
        };
        list.sort_unstable_by_key(|m| (rank(m), m.op, m.deref, m.src, m.dst));
        for (count, p) in self.plain.iter_mut().zip(PLAIN) {
            *count = list.iter().filter(|m| (m.op, m.deref) == p).count() as u16;
        }
    }

    /// Whether some move writes unit `u` (or, 8 bytes wide, covers it).
    pub(crate) fn fills(&self, u: usize) -> bool {
        self.list[..usize::from(self.len)].iter().any(|m| {
            let d = usize::from(m.dst);
            d == u || (m.wide && d + 1 == u)
        })
    }

    /// The moves.
    pub(crate) fn as_slice(&self) -> &[Move] {
        &self.list[..usize::from(self.len)]
    }

    /// Writes every image into the units from `base`.
    ///
    /// # Safety
    ///
    /// `args` has the prepared types (struct values point to the prepared
    /// struct's bytes); `base` is 8-byte aligned and valid for writes of
    /// every unit the moves name.
    #[inline(always)]
    pub(crate) unsafe fn run(&self, base: *mut u8, args: &[Value]) {
        let a = args.as_ptr().cast::<u8>();
        let list = self.list.as_ptr();
        let mut at = 0;
        // One loop per plain kind of move: `read` gets the address of the
        // argument's payload (or, through a struct's pointer, of its piece).
        macro_rules! plain {
            ($k:expr, $deref:expr, |$p:ident| $read:expr) => {{
                let n = usize::from(self.plain[$k]);
                for k in at..at + n {
                    // SAFETY: the caller's contract; `plain` counts moves at
                    // the list's start, `src` is an argument index (prepare
                    // checked the count; `call` asserts it) and a piece lies
                    // inside its struct.
                    unsafe {
                        let m = &*list.add(k);
                        let mut $p = a.add(usize::from(m.src) * size_of::<Value>() + PAYLOAD);
                        if $deref {
                            $p = $p.cast::<*const u8>().read_unaligned().add(usize::from(m.off));
                        }
                        store(base, m, $read);
                    }
                }
                at += n;
            }};
        }
        plain!(0, false, |p| p.cast::<u64>().read_unaligned());
        plain!(1, false, |p| p.cast::<i32>().read_unaligned() as i64 as u64);
        plain!(2, false, |p| u64::from(p.cast::<u32>().read_unaligned()));
        plain!(3, true, |p| p.cast::<u64>().read_unaligned());
        plain!(4, true, |p| u64::from(p.cast::<u32>().read_unaligned()));
        if at < usize::from(self.len) {
            // SAFETY: the caller's contract.
            unsafe { self.run_rest(base, args, at) };
        }
    }

    /// The moves from `at` on: any op, read from the value or through it.
    #[inline(never)]
    unsafe fn run_rest(&self, base: *mut u8, args: &[Value], at: usize) {
        for m in &self.list[at..usize::from(self.len)] {
            let v = &args[usize::from(m.src)];
            // SAFETY: the caller's contract: a struct value points to its
            // bytes, and a piece lies inside the struct.
            unsafe {
                let p = if m.deref {
                    (v.bits() as usize as *const u8).add(usize::from(m.off))
                } else {
                    core::ptr::from_ref(v).cast::<u8>().add(PAYLOAD)
                };
                store(base, m, read(p, m));
            }
        }
    }
}

/// The image `m` reads at `p`.
///
/// # Safety
///
/// `p` is valid for reads of the op's width.
#[inline(always)]
unsafe fn read(p: *const u8, m: &Move) -> u64 {
    // SAFETY: the caller's contract; every read is unaligned-tolerant.
    unsafe {
        let u32_at = || p.cast::<u32>().read_unaligned();
        match m.op {
            Op::Word => p.cast::<u64>().read_unaligned(),
            Op::Sext32 => u32_at() as i32 as i64 as u64,
            Op::Zext32 => u64::from(u32_at()),
            Op::Sext16 => p.cast::<i16>().read_unaligned() as i64 as u64,
            Op::Zext16 => u64::from(p.cast::<u16>().read_unaligned()),
            Op::Sext8 => p.cast::<i8>().read() as i64 as u64,
            Op::Zext8 => u64::from(p.read()),
            Op::NanBox => u64::from(u32_at()) | 0xFFFF_FFFF_0000_0000,
            Op::High32 => u64::from(u32_at()) << 32,
            Op::AsDouble => super::prepared::single_to_double(u32_at()),
            Op::Bytes => {
                // Byte by byte: a call of `memcpy` would cost more than the copy.
                let mut b = [0u8; 8];
                for (i, x) in b.iter_mut().enumerate().take(usize::from(m.len)) {
                    *x = p.add(i).read();
                }
                if WORD == 4 {
                    // The unit is the first 4 bytes, whatever the byte order.
                    u64::from(u32::from_ne_bytes([b[0], b[1], b[2], b[3]]))
                } else {
                    u64::from_ne_bytes(b)
                }
            }
        }
    }
}

/// Writes `image` into `m`'s unit.
///
/// # Safety
///
/// The unit is inside the buffer at `base`.
#[inline(always)]
unsafe fn store(base: *mut u8, m: &Move, image: u64) {
    // SAFETY: the caller's contract; 8-byte values where units are 4 bytes
    // may be only 4-byte aligned (i386 stack slots).
    unsafe {
        let p = base.add(usize::from(m.dst) * WORD);
        if WORD == 8 {
            p.cast::<u64>().write(image);
        } else if m.wide {
            p.cast::<u64>().write_unaligned(image);
        } else {
            p.cast::<u32>().write_unaligned(image as u32);
        }
    }
}
