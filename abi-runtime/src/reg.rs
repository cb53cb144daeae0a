//! Conversions between Rust values and the integer registers a call uses.

use core::ptr::NonNull;

/// A value that travels in one integer argument register.
///
/// Implemented for integers up to pointer width, `bool`, raw pointers,
/// `NonNull<T>` and `Option<NonNull<T>>`. Implement it for your own
/// `#[repr(transparent)]` newtypes to pass them to bridged calls:
///
/// ```
/// use abi_runtime::RegArg;
///
/// #[repr(transparent)]
/// pub struct Fd(i32);
///
/// impl RegArg for Fd {
///     fn into_reg(self) -> usize {
///         self.0.into_reg()
///     }
/// }
/// assert_eq!(Fd(-1).into_reg(), usize::MAX);
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` does not fit a syscall argument register",
    label = "not a register value",
    note = "integers up to pointer width, bool, raw pointers, NonNull and Option<NonNull> fit; implement `abi_runtime::RegArg` for your own newtypes"
)]
pub trait RegArg {
    /// The register image. Signed integers are sign-extended, as C does for `int` arguments.
    fn into_reg(self) -> usize;
}

/// A value decoded from a call's result register.
///
/// ```
/// use abi_runtime::FromReg;
/// assert_eq!(<i32 as FromReg>::from_reg(7), 7);
/// assert_eq!(<() as FromReg>::from_reg(0), ());
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be decoded from a syscall result register",
    note = "use an integer up to pointer width, bool, (), or a raw pointer; implement `abi_runtime::FromReg` for your own newtypes"
)]
pub trait FromReg {
    /// Builds the value from the raw register (after error decoding).
    fn from_reg(raw: usize) -> Self;
}

/// A value passed as a 64-bit argument whatever the pointer width (a wasm
/// `i64`, a `u64` of a WASI call on wasm32). Implement it for newtypes passed
/// where the spec says `i64`/`u64`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` does not fit a 64-bit call argument",
    label = "not a 64-bit integer value",
    note = "integers and bool fit; implement `abi_runtime::RegArg64` for your own newtypes"
)]
pub trait RegArg64 {
    /// The 64-bit image. Signed integers are sign-extended.
    fn into_reg64(self) -> u64;
}

/// A value decoded from a 64-bit result whatever the pointer width: on a
/// 32-bit port a 64-bit result comes back in a register pair or through an
/// out-pointer (`_llseek`'s `loff_t`), which the generated stub assembles into
/// a `u64` before handing it here. Implement it for newtypes returned where
/// the declaration says `i64`/`u64`.
///
/// ```
/// use abi_runtime::FromReg64;
/// assert_eq!(<i64 as FromReg64>::from_reg64(u64::MAX), -1);
/// assert_eq!(<u64 as FromReg64>::from_reg64(1 << 40), 1 << 40);
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be decoded from a 64-bit call result",
    note = "use an integer; implement `abi_runtime::FromReg64` for your own newtypes"
)]
pub trait FromReg64 {
    /// Builds the value from the 64-bit result (after error decoding).
    fn from_reg64(raw: u64) -> Self;
}

macro_rules! wide {
    ($($t:ty => $via:ty),*) => {$(
        impl RegArg64 for $t {
            #[inline(always)]
            fn into_reg64(self) -> u64 { self as $via as u64 }
        }
        impl FromReg64 for $t {
            #[inline(always)]
            fn from_reg64(raw: u64) -> Self { raw as $t }
        }
    )*};
}

wide!(i8 => i64, i16 => i64, i32 => i64, i64 => i64, isize => i64, u8 => u64, u16 => u64, u32 => u64, u64 => u64, usize => u64);

impl RegArg64 for bool {
    #[inline(always)]
    fn into_reg64(self) -> u64 {
        u64::from(self)
    }
}

macro_rules! signed {
    ($($t:ty),*) => {$(
        impl RegArg for $t {
            #[inline(always)]
            fn into_reg(self) -> usize { self as isize as usize }
        }
        impl FromReg for $t {
            #[inline(always)]
            fn from_reg(raw: usize) -> Self { raw as $t }
        }
    )*};
}
macro_rules! unsigned {
    ($($t:ty),*) => {$(
        impl RegArg for $t {
            #[inline(always)]
            fn into_reg(self) -> usize { self as usize }
        }
        impl FromReg for $t {
            #[inline(always)]
            fn from_reg(raw: usize) -> Self { raw as $t }
        }
    )*};
}

signed!(i8, i16, i32, isize);
unsigned!(u8, u16, u32, usize);
#[cfg(target_pointer_width = "64")]
signed!(i64);
#[cfg(target_pointer_width = "64")]
unsigned!(u64);

impl RegArg for bool {
    #[inline(always)]
    fn into_reg(self) -> usize {
        usize::from(self)
    }
}

impl FromReg for bool {
    #[inline(always)]
    fn from_reg(raw: usize) -> Self {
        raw != 0
    }
}

impl FromReg for () {
    #[inline(always)]
    fn from_reg(_: usize) -> Self {}
}

impl<T: ?Sized> RegArg for *const T {
    #[inline(always)]
    fn into_reg(self) -> usize {
        self.cast::<u8>() as usize
    }
}

impl<T: ?Sized> RegArg for *mut T {
    #[inline(always)]
    fn into_reg(self) -> usize {
        self.cast::<u8>() as usize
    }
}

impl<T> FromReg for *const T {
    #[inline(always)]
    fn from_reg(raw: usize) -> Self {
        raw as *const T
    }
}

impl<T> FromReg for *mut T {
    #[inline(always)]
    fn from_reg(raw: usize) -> Self {
        raw as *mut T
    }
}

impl<T: ?Sized> RegArg for NonNull<T> {
    #[inline(always)]
    fn into_reg(self) -> usize {
        self.as_ptr().into_reg()
    }
}

impl<T: ?Sized> RegArg for Option<NonNull<T>> {
    #[inline(always)]
    fn into_reg(self) -> usize {
        self.map_or(0, RegArg::into_reg)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signed_values_are_sign_extended() {
        assert_eq!((-1i32).into_reg(), usize::MAX);
        assert_eq!((-2i8).into_reg(), usize::MAX - 1);
        assert_eq!(5u32.into_reg(), 5);
        assert_eq!(u32::MAX.into_reg(), 0xffff_ffff);
    }

    #[test]
    fn wide_values_are_sign_extended_to_64_bits() {
        assert_eq!((-1i32).into_reg64(), u64::MAX);
        assert_eq!(u64::MAX.into_reg64(), u64::MAX);
        assert_eq!(7u8.into_reg64(), 7);
    }

    #[test]
    fn pointers_keep_their_address() {
        let x = 5u64;
        let p: *const u64 = &x;
        assert_eq!(p.into_reg(), p as usize);
        assert_eq!(None::<NonNull<u8>>.into_reg(), 0);
        assert_eq!(NonNull::new(p.cast_mut()).into_reg(), p as usize);
        assert_eq!(<*mut u8 as FromReg>::from_reg(p as usize), p as *mut u8);
    }
}
