//! Layouts of the kernel structures a runtime reads or writes (`[layouts.*]`
//! of a target spec): size, alignment and the fields it touches, each with an
//! offset and an integer type. Byte order is the target's `target_endian`.
//! The numbers come from the C compiler of the target (`cargo xtask
//! import-layouts`, checked by `cargo xtask verify-specs`), so code that reads
//! them never assumes a width, an offset or a byte order.

use crate::diag::Loc;

/// One structure's layout on one target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    /// The layout's name, e.g. `timespec` (a key of `[layouts]`).
    pub name: String,
    /// The C type the numbers describe, e.g. `struct __kernel_timespec`.
    pub c_type: String,
    /// The UAPI header that defines it, e.g. `linux/time_types.h`.
    pub header: String,
    /// `sizeof`.
    pub size: u32,
    /// `_Alignof`.
    pub align: u32,
    /// The fields described, sorted by offset.
    pub fields: Vec<LayoutField>,
    /// Where the layout is written.
    pub loc: Loc,
}

impl Layout {
    /// The field called `name`.
    pub fn field(&self, name: &str) -> Option<&LayoutField> {
        self.fields.iter().find(|f| f.name == name)
    }
}

/// One field of a layout.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LayoutField {
    /// The C member name, e.g. `tv_sec` (also the accessor's name).
    pub name: String,
    /// `offsetof`.
    pub offset: u32,
    /// Its integer type: of each element for an array, the pointer-sized
    /// unsigned integer for a pointer.
    pub ty: FieldType,
    /// For an array, its number of elements (`count = N`); 0 for a flexible
    /// array member (`char d_name[]`), which takes no bytes of the structure.
    pub count: Option<u32>,
    /// A data pointer (`type = "ptr"`, e.g. `iov_base`).
    pub pointer: bool,
    /// Where the field is written.
    pub loc: Loc,
}

impl LayoutField {
    /// The bytes it takes: one element, or every element of an array.
    pub fn bytes(&self) -> u32 {
        self.ty.bytes * self.count.unwrap_or(1)
    }

    /// The type as a spec writes it: `"ptr"` or an integer's spelling.
    pub fn type_str(&self) -> &'static str {
        if self.pointer {
            "ptr"
        } else {
            self.ty.as_str()
        }
    }
}

/// The integer type of a layout field: a width and a signedness.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldType {
    /// Width in bytes: 1, 2, 4 or 8.
    pub bytes: u32,
    /// Whether it is a signed integer.
    pub signed: bool,
}

impl FieldType {
    /// Every spelling in spec files.
    pub const ALL: [&'static str; 8] = ["i8", "u8", "i16", "u16", "i32", "u32", "i64", "u64"];

    /// The type of a spelling, e.g. `"u32"`.
    pub fn parse(s: &str) -> Option<FieldType> {
        let signed = match s.as_bytes().first()? {
            b'i' => true,
            b'u' => false,
            _ => return None,
        };
        let bytes = match &s[1..] {
            "8" => 1,
            "16" => 2,
            "32" => 4,
            "64" => 8,
            _ => return None,
        };
        Some(FieldType { bytes, signed })
    }

    /// The type of a C integer of `bytes` bytes and that signedness, if one exists.
    pub fn of(bytes: u32, signed: bool) -> Option<FieldType> {
        matches!(bytes, 1 | 2 | 4 | 8).then_some(FieldType { bytes, signed })
    }

    /// The spelling, e.g. `"i64"`.
    pub fn as_str(self) -> &'static str {
        let i = match self.bytes {
            1 => 0,
            2 => 2,
            4 => 4,
            _ => 6,
        };
        Self::ALL[i + usize::from(!self.signed)]
    }
}

/// Names a field may not have: the generated type's own items use them.
pub const RESERVED_FIELDS: [&str; 5] = ["zeroed", "as_ptr", "as_mut_ptr", "bytes", "from_bytes"];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_round_trip() {
        for s in FieldType::ALL {
            assert_eq!(FieldType::parse(s).unwrap().as_str(), s);
        }
        assert_eq!(FieldType::parse("i128"), None);
        assert_eq!(FieldType::parse("f32"), None);
        assert_eq!(FieldType::of(3, true), None);
        assert_eq!(FieldType::of(8, false).unwrap().as_str(), "u64");
    }
}
