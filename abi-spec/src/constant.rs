//! Named values of an OS API (`[constants]` of a target spec), each with the
//! C type its header gives it, so the generated `consts` have the type the
//! calls take (`O_CREAT: i32`, `GENERIC_READ: u32`) instead of one wide
//! integer that every use must narrow. `cargo xtask import-constants` writes
//! value and type from the headers; `cargo xtask verify-specs` checks both.

use crate::diag::Loc;
use crate::layout::FieldType;

/// One constant of a target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Constant {
    /// The Rust name, e.g. `O_CREAT` (a key of `[constants]`).
    pub name: String,
    /// The value, inside the range of `ty`.
    pub value: i128,
    /// The integer type C gives the constant in its header (`__typeof__`).
    pub ty: FieldType,
    /// The header that defines it (`linux/fcntl.h`, `windows.h`, `wasi/api.h`).
    pub header: Option<String>,
    /// The C expression when it is not `name` itself (`c = "..."`): another
    /// name (`AUDIT_ARCH_X86_64` for `AUDIT_ARCH`), or a cast to the type the
    /// API takes where the header's macro has a promoted one
    /// (`(unsigned char)DT_DIR` for `d_type`, `(__wasi_whence_t)__WASI_WHENCE_SET`).
    pub c_expr: Option<String>,
    /// Why no header can check it (`unverified = "..."`), reported by verify-specs.
    pub unverified: Option<String>,
    /// Where the constant is written.
    pub loc: Loc,
}

impl Constant {
    /// The C expression of the constant.
    pub fn c(&self) -> &str {
        self.c_expr.as_deref().unwrap_or(&self.name)
    }
}

impl FieldType {
    /// The smallest value of the type.
    pub fn min(self) -> i128 {
        if self.signed {
            -(1i128 << (self.bytes * 8 - 1))
        } else {
            0
        }
    }

    /// The largest value of the type.
    pub fn max(self) -> i128 {
        if self.signed {
            (1i128 << (self.bytes * 8 - 1)) - 1
        } else {
            (1i128 << (self.bytes * 8)) - 1
        }
    }

    /// `value` as this type holds its low bits (what a C cast does).
    pub fn wrap(self, value: i128) -> i128 {
        let bits = self.bytes * 8;
        let low = value & ((1i128 << bits) - 1);
        if self.signed && low > self.max() {
            low - (1i128 << bits)
        } else {
            low
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_and_wrapping_follow_the_width() {
        let u32 = FieldType::parse("u32").unwrap();
        let i32 = FieldType::parse("i32").unwrap();
        let u64 = FieldType::parse("u64").unwrap();
        assert_eq!((u32.min(), u32.max()), (0, 0xFFFF_FFFF));
        assert_eq!((i32.min(), i32.max()), (-0x8000_0000, 0x7FFF_FFFF));
        assert_eq!(u64.max(), u64::MAX as i128);
        assert_eq!(u32.wrap(-11), 0xFFFF_FFF5);
        assert_eq!(i32.wrap(0xFFFF_FF9C), -100);
        assert_eq!(u64.wrap(-1), u64::MAX as i128);
    }
}
