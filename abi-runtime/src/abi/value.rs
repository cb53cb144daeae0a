//! The types and values a dynamic call passes.

use core::fmt;

/// The type of an argument or result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Type {
    /// No value (results only).
    Void,
    /// `i8`.
    I8,
    /// `i16`.
    I16,
    /// `i32`.
    I32,
    /// `i64`.
    I64,
    /// `u8`.
    U8,
    /// `u16`.
    U16,
    /// `u32`.
    U32,
    /// `u64`.
    U64,
    /// A pointer.
    Ptr,
    /// `f32`.
    F32,
    /// `f64`.
    F64,
    /// A struct by value: its fields in order, laid out as C lays them out
    /// (each at the next multiple of its alignment; the size a multiple of
    /// the largest alignment). Fields may be structs or arrays themselves.
    Struct(&'static [Type]),
    /// An array of `.1` elements: a field of a struct only (C passes no
    /// array by value).
    Array(&'static Type, u32),
}

impl Type {
    /// Size in bytes, as C has it (0 for `Void`).
    pub const fn size(self) -> u32 {
        match self {
            Type::Void => 0,
            Type::I8 | Type::U8 => 1,
            Type::I16 | Type::U16 => 2,
            Type::I32 | Type::U32 | Type::F32 => 4,
            Type::I64 | Type::U64 | Type::F64 => 8,
            Type::Ptr => core::mem::size_of::<usize>() as u32,
            Type::Array(t, n) => t.size() * n,
            Type::Struct(fields) => {
                let mut off: u32 = 0;
                let mut i = 0;
                while i < fields.len() {
                    let a = fields[i].align();
                    off = off.div_ceil(a) * a + fields[i].size();
                    i += 1;
                }
                let a = self.align();
                off.div_ceil(a) * a
            }
        }
    }

    /// Alignment in bytes, as C has it (a struct: its largest field's).
    pub const fn align(self) -> u32 {
        match self {
            Type::Void => 1,
            Type::I64 | Type::U64 | Type::F64 => {
                // Rust's alignment of u64 is the target C ABI's for 8-byte scalars.
                core::mem::align_of::<u64>() as u32
            }
            Type::Ptr => core::mem::align_of::<usize>() as u32,
            Type::Array(t, _) => t.align(),
            Type::Struct(fields) => {
                let mut a = 1;
                let mut i = 0;
                while i < fields.len() {
                    let f = fields[i].align();
                    if f > a {
                        a = f;
                    }
                    i += 1;
                }
                a
            }
            t => t.size(),
        }
    }

    /// Byte offset of field `i` of a struct (`None` for another type or index).
    pub const fn field_offset(self, i: usize) -> Option<u32> {
        let Type::Struct(fields) = self else {
            return None;
        };
        if i >= fields.len() {
            return None;
        }
        let mut off: u32 = 0;
        let mut k = 0;
        while k <= i {
            let a = fields[k].align();
            off = off.div_ceil(a) * a;
            if k == i {
                return Some(off);
            }
            off += fields[k].size();
            k += 1;
        }
        None
    }

    /// Whether it is a struct or an array.
    pub fn is_aggregate(self) -> bool {
        matches!(self, Type::Struct(_) | Type::Array(..))
    }

    /// Whether it travels in float registers.
    pub fn is_float(self) -> bool {
        matches!(self, Type::F32 | Type::F64)
    }

    /// Whether it travels in integer registers.
    pub fn is_int(self) -> bool {
        matches!(
            self,
            Type::I8
                | Type::I16
                | Type::I32
                | Type::I64
                | Type::U8
                | Type::U16
                | Type::U32
                | Type::U64
                | Type::Ptr
        )
    }
}

impl fmt::Display for Type {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = match self {
            Type::Void => "void",
            Type::I8 => "i8",
            Type::I16 => "i16",
            Type::I32 => "i32",
            Type::I64 => "i64",
            Type::U8 => "u8",
            Type::U16 => "u16",
            Type::U32 => "u32",
            Type::U64 => "u64",
            Type::Ptr => "ptr",
            Type::F32 => "f32",
            Type::F64 => "f64",
            Type::Struct(fields) => {
                f.write_str("struct {")?;
                for (i, t) in fields.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{t}")?;
                }
                return write!(f, "}} ({} bytes, align {})", self.size(), self.align());
            }
            Type::Array(t, n) => return write!(f, "[{t}; {n}]"),
        };
        f.write_str(s)
    }
}

/// An argument or result of a dynamic call.
///
/// Laid out as a `u8` tag followed by an 8-byte payload (`repr(C, u8)`), so a
/// result is built from its register image with two stores. The payload
/// starts at `PAYLOAD`: 8, or 4 where `u64` is 4-byte aligned (i386).
#[derive(Debug, Clone, Copy, PartialEq)]
#[repr(C, u8)]
pub enum Value {
    /// No value.
    Void,
    /// An `i8`.
    I8(i8),
    /// An `i16`.
    I16(i16),
    /// An `i32`.
    I32(i32),
    /// An `i64`.
    I64(i64),
    /// A `u8`.
    U8(u8),
    /// A `u16`.
    U16(u16),
    /// A `u32`.
    U32(u32),
    /// A `u64`.
    U64(u64),
    /// A pointer.
    Ptr(*const ()),
    /// An `f32`.
    F32(f32),
    /// An `f64`.
    F64(f64),
    /// A struct by value: the address of its bytes, laid out as
    /// [`Type::Struct`] says (read during the call only).
    Struct(*const u8),
}

impl Value {
    /// Its type.
    pub fn ty(&self) -> Type {
        match self {
            Value::Void => Type::Void,
            Value::I8(_) => Type::I8,
            Value::I16(_) => Type::I16,
            Value::I32(_) => Type::I32,
            Value::I64(_) => Type::I64,
            Value::U8(_) => Type::U8,
            Value::U16(_) => Type::U16,
            Value::U32(_) => Type::U32,
            Value::U64(_) => Type::U64,
            Value::Ptr(_) => Type::Ptr,
            Value::F32(_) => Type::F32,
            Value::F64(_) => Type::F64,
            // The value does not know its fields: only a prepared signature does.
            Value::Struct(_) => Type::Struct(&[]),
        }
    }

    /// The 64-bit image: integers extended by their own signedness, floats'
    /// bits in the low end (upper bits zero).
    #[inline(always)]
    pub fn bits(&self) -> u64 {
        match *self {
            Value::Void => 0,
            Value::I8(v) => v as i64 as u64,
            Value::I16(v) => v as i64 as u64,
            Value::I32(v) => v as i64 as u64,
            Value::I64(v) => v as u64,
            Value::U8(v) => u64::from(v),
            Value::U16(v) => u64::from(v),
            Value::U32(v) => u64::from(v),
            Value::U64(v) => v,
            Value::Ptr(v) => v as usize as u64,
            Value::F32(v) => u64::from(v.to_bits()),
            Value::F64(v) => v.to_bits(),
            Value::Struct(p) => p as usize as u64,
        }
    }

    /// The value of type `ty` whose image is `bits` (truncated to the type).
    /// A struct or array gives `Void`.
    #[inline(always)]
    pub fn from_bits(ty: Type, bits: u64) -> Value {
        match ty {
            Type::Void | Type::Struct(_) | Type::Array(..) => Value::Void,
            Type::I8 => Value::I8(bits as i8),
            Type::I16 => Value::I16(bits as i16),
            Type::I32 => Value::I32(bits as i32),
            Type::I64 => Value::I64(bits as i64),
            Type::U8 => Value::U8(bits as u8),
            Type::U16 => Value::U16(bits as u16),
            Type::U32 => Value::U32(bits as u32),
            Type::U64 => Value::U64(bits),
            Type::Ptr => Value::Ptr(bits as usize as *const ()),
            Type::F32 => Value::F32(f32::from_bits(bits as u32)),
            Type::F64 => Value::F64(f64::from_bits(bits)),
        }
    }

    /// Whether the two have the same type and the same bits (NaNs included).
    pub fn same_bits(&self, other: &Value) -> bool {
        self.ty() == other.ty() && self.bits() == other.bits()
    }
}

/// A scalar [`Type`] in one byte, for the prepared slots.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub(crate) enum Scalar {
    Void,
    I8,
    I16,
    I32,
    I64,
    U8,
    U16,
    U32,
    U64,
    Ptr,
    F32,
    F64,
    /// A struct argument: its address in [`Value::Struct`].
    Struct,
}

impl Scalar {
    /// The scalar of `ty`; a struct maps to `Struct`, an array to `Void`.
    pub(crate) fn of(ty: Type) -> Scalar {
        match ty {
            Type::Void | Type::Array(..) => Scalar::Void,
            Type::Struct(_) => Scalar::Struct,
            Type::I8 => Scalar::I8,
            Type::I16 => Scalar::I16,
            Type::I32 => Scalar::I32,
            Type::I64 => Scalar::I64,
            Type::U8 => Scalar::U8,
            Type::U16 => Scalar::U16,
            Type::U32 => Scalar::U32,
            Type::U64 => Scalar::U64,
            Type::Ptr => Scalar::Ptr,
            Type::F32 => Scalar::F32,
            Type::F64 => Scalar::F64,
        }
    }

    pub(crate) fn ty(self) -> Type {
        match self {
            Scalar::Void => Type::Void,
            Scalar::I8 => Type::I8,
            Scalar::I16 => Type::I16,
            Scalar::I32 => Type::I32,
            Scalar::I64 => Type::I64,
            Scalar::U8 => Type::U8,
            Scalar::U16 => Type::U16,
            Scalar::U32 => Type::U32,
            Scalar::U64 => Type::U64,
            Scalar::Ptr => Type::Ptr,
            Scalar::F32 => Type::F32,
            Scalar::F64 => Type::F64,
            Scalar::Struct => Type::Struct(&[]),
        }
    }

    pub(crate) fn is_float(self) -> bool {
        matches!(self, Scalar::F32 | Scalar::F64)
    }

    /// The value of this type whose image is `bits`.
    #[inline(always)]
    pub(crate) fn value(self, bits: u64) -> Value {
        #[cfg(target_endian = "little")]
        {
            let mut v = core::mem::MaybeUninit::<Value>::uninit();
            let p = v.as_mut_ptr().cast::<u8>();
            // SAFETY: `Value` is `repr(C, u8)`: its tag is a `u8` at offset 0 whose
            // values follow the variants in order, as `Scalar`'s do (checked
            // below), and its payload union starts at offset PAYLOAD, the
            // alignment of its widest fields (checked below).
            // On a little-endian target the low bytes of `bits` are the
            // variant's field, whatever its width; the rest lands in padding.
            // The tag is written with its padding as one word (zeros in the
            // padding): a copy of the value is then two word moves, not a
            // move per run of uninitialised bytes.
            unsafe {
                if PAYLOAD == 8 {
                    p.cast::<u64>().write(u64::from(self as u8));
                } else if PAYLOAD == 4 {
                    p.cast::<u32>().write(u32::from(self as u8));
                } else {
                    p.write(self as u8);
                }
                p.add(PAYLOAD).cast::<u64>().write_unaligned(bits);
                v.assume_init()
            }
        }
        #[cfg(not(target_endian = "little"))]
        self.value_by_match(bits)
    }

    /// [`Scalar::value`] by matching on the type.
    #[cfg_attr(target_endian = "little", allow(dead_code))]
    pub(crate) fn value_by_match(self, bits: u64) -> Value {
        match self {
            Scalar::Void => Value::Void,
            Scalar::I8 => Value::I8(bits as i8),
            Scalar::I16 => Value::I16(bits as i16),
            Scalar::I32 => Value::I32(bits as i32),
            Scalar::I64 => Value::I64(bits as i64),
            Scalar::U8 => Value::U8(bits as u8),
            Scalar::U16 => Value::U16(bits as u16),
            Scalar::U32 => Value::U32(bits as u32),
            Scalar::U64 => Value::U64(bits),
            Scalar::Ptr => Value::Ptr(bits as usize as *const ()),
            Scalar::F32 => Value::F32(f32::from_bits(bits as u32)),
            Scalar::F64 => Value::F64(f64::from_bits(bits)),
            Scalar::Struct => Value::Struct(bits as usize as *const u8),
        }
    }
}

/// Offset of a [`Value`]'s payload: the tag, padded to the alignment of the
/// payload union, whose widest members are `u64` and `f64`.
pub(crate) const PAYLOAD: usize = core::mem::align_of::<u64>();

const _: () = {
    assert!(core::mem::align_of::<f64>() == PAYLOAD);
    assert!(core::mem::align_of::<*const ()>() <= PAYLOAD);
    assert!(core::mem::size_of::<Value>() == PAYLOAD + 8);
    assert!(core::mem::align_of::<Value>() == PAYLOAD);
};

#[cfg(test)]
mod tests {
    use super::*;

    /// The raw construction agrees with the match, for every type and edge image.
    #[test]
    fn value_from_image_matches_the_variants() {
        let all = [
            Scalar::Void,
            Scalar::I8,
            Scalar::I16,
            Scalar::I32,
            Scalar::I64,
            Scalar::U8,
            Scalar::U16,
            Scalar::U32,
            Scalar::U64,
            Scalar::Ptr,
            Scalar::F32,
            Scalar::F64,
            Scalar::Struct,
        ];
        for s in all {
            for bits in [
                0,
                1,
                u64::MAX,
                0x8000_0000,
                0x0123_4567_89AB_CDEF,
                0x7FF8_0000_0000_0001,
            ] {
                let (a, b) = (s.value(bits), s.value_by_match(bits));
                assert!(
                    a.same_bits(&b) && a.ty() == s.ty(),
                    "{s:?} {bits:#x}: {a:?} vs {b:?}"
                );
                assert_eq!(Scalar::of(s.ty()), s);
            }
        }
    }
}
