//! Callbacks whose handler is a Rust closure with typed arguments
//! ([`Prepared::callback_fn`]).
//!
//! Where the prepared convention is the host's and its integer registers
//! are counted apart from the others (the spec's `slots`), putting one
//! pointer in front of a signature only moves its integer arguments up one
//! register. The thunk then jumps to the convention's shifting entry
//! (`entry_shift_<abi>`, generated from the spec: a few register moves), which
//! puts the closure's address in the first integer register and jumps to a
//! monomorphised `extern "C" fn(&F, A1, .., An) -> R`: the compiler's own
//! code reads the arguments and returns the result, with no frame spilled,
//! no dispatcher and no `Value`. Whether a signature qualifies is decided
//! when binding, by preparing the shifted signature with the host's rules and
//! comparing where every argument goes; other signatures and conventions run
//! the same closure through the general entry and [`Args`].

use core::ptr;

use super::callback::{Args, Callback, CallbackError};
use super::{Abi, MAX_ARGS, Prepared, Type, Value};

mod sealed {
    pub trait Sealed {}
}

/// A type a typed callback handler takes as an argument: the integer types,
/// `f32`, `f64` and raw pointers (each the [`Type`] of the same name).
pub trait Param: Copy + sealed::Sealed {
    /// Its type in a prepared signature.
    const TYPE: Type;
    /// The value whose 64-bit image ([`Value::bits`]) is `bits`.
    fn from_bits(bits: u64) -> Self;
}

/// A type a typed callback handler returns: a [`Param`] type or `()`.
pub trait Ret: Copy + sealed::Sealed {
    /// Its type in a prepared signature ([`Type::Void`] for `()`).
    const TYPE: Type;
    /// It as a [`Value`].
    fn into_value(self) -> Value;
}

macro_rules! int_param {
    ($($t:ty => $v:ident),*) => {$(
        impl sealed::Sealed for $t {}
        impl Param for $t {
            const TYPE: Type = Type::$v;
            #[inline(always)]
            fn from_bits(bits: u64) -> Self {
                // Truncation to the type is the point.
                bits as $t
            }
        }
        impl Ret for $t {
            const TYPE: Type = Type::$v;
            #[inline(always)]
            fn into_value(self) -> Value {
                Value::$v(self)
            }
        }
    )*};
}

int_param!(i8 => I8, i16 => I16, i32 => I32, i64 => I64, u8 => U8, u16 => U16, u32 => U32, u64 => U64);

impl sealed::Sealed for f32 {}
impl Param for f32 {
    const TYPE: Type = Type::F32;
    #[inline(always)]
    fn from_bits(bits: u64) -> Self {
        f32::from_bits(bits as u32)
    }
}
impl Ret for f32 {
    const TYPE: Type = Type::F32;
    #[inline(always)]
    fn into_value(self) -> Value {
        Value::F32(self)
    }
}

impl sealed::Sealed for f64 {}
impl Param for f64 {
    const TYPE: Type = Type::F64;
    #[inline(always)]
    fn from_bits(bits: u64) -> Self {
        f64::from_bits(bits)
    }
}
impl Ret for f64 {
    const TYPE: Type = Type::F64;
    #[inline(always)]
    fn into_value(self) -> Value {
        Value::F64(self)
    }
}

impl<T> sealed::Sealed for *const T {}
impl<T> Param for *const T {
    const TYPE: Type = Type::Ptr;
    #[inline(always)]
    fn from_bits(bits: u64) -> Self {
        bits as usize as *const T
    }
}
impl<T> Ret for *const T {
    const TYPE: Type = Type::Ptr;
    #[inline(always)]
    fn into_value(self) -> Value {
        Value::Ptr(self.cast())
    }
}

impl<T> sealed::Sealed for *mut T {}
impl<T> Param for *mut T {
    const TYPE: Type = Type::Ptr;
    #[inline(always)]
    fn from_bits(bits: u64) -> Self {
        bits as usize as *mut T
    }
}
impl<T> Ret for *mut T {
    const TYPE: Type = Type::Ptr;
    #[inline(always)]
    fn into_value(self) -> Value {
        Value::Ptr(self.cast_const().cast())
    }
}

impl sealed::Sealed for () {}
impl Ret for () {
    const TYPE: Type = Type::Void;
    #[inline(always)]
    fn into_value(self) -> Value {
        Value::Void
    }
}

/// A closure a typed callback runs: any `Fn(A1, .., An) -> R + Sync` with up
/// to 8 [`Param`] arguments and a [`Ret`] result. `A` is the tuple of its
/// argument types (inferred).
pub trait Handler<A>: Sync + sealed_handler::Sealed<A> {
    /// Its argument types, in order.
    const PARAMS: &'static [Type];
    /// Its result type.
    const RESULT: Type;
    /// `extern "C" fn(&Self, A1, .., An) -> R`, calling the closure.
    #[doc(hidden)]
    fn shim() -> *const ();
    /// Calls the closure with the arguments a general callback entry spilled.
    #[doc(hidden)]
    fn call_args(&self, args: &Args<'_>) -> Value;
}

mod sealed_handler {
    pub trait Sealed<A> {}
}

macro_rules! handler {
    ($($t:ident $v:ident $i:tt),*) => {
        impl<F, R: Ret, $($t: Param),*> sealed_handler::Sealed<($($t,)*)> for F
        where
            F: Fn($($t),*) -> R + Sync,
        {
        }

        impl<F, R: Ret, $($t: Param),*> Handler<($($t,)*)> for F
        where
            F: Fn($($t),*) -> R + Sync,
        {
            const PARAMS: &'static [Type] = &[$($t::TYPE),*];
            const RESULT: Type = R::TYPE;

            fn shim() -> *const () {
                // A panic cannot unwind out of an `extern "C"` function: it
                // aborts, as the general path's handlers do.
                extern "C" fn shim<F: Fn($($t),*) -> R, R, $($t),*>(f: &F, $($v: $t),*) -> R {
                    f($($v),*)
                }
                shim::<F, R, $($t),*> as *const ()
            }

            #[allow(unused_variables)]
            fn call_args(&self, args: &Args<'_>) -> Value {
                self($($t::from_bits(args.get($i).bits())),*).into_value()
            }
        }
    };
}

handler!();
handler!(A0 a0 0);
handler!(A0 a0 0, A1 a1 1);
handler!(A0 a0 0, A1 a1 1, A2 a2 2);
handler!(A0 a0 0, A1 a1 1, A2 a2 2, A3 a3 3);
handler!(A0 a0 0, A1 a1 1, A2 a2 2, A3 a3 3, A4 a4 4);
handler!(A0 a0 0, A1 a1 1, A2 a2 2, A3 a3 3, A4 a4 4, A5 a5 5);
handler!(A0 a0 0, A1 a1 1, A2 a2 2, A3 a3 3, A4 a4 4, A5 a5 5, A6 a6 6);
handler!(A0 a0 0, A1 a1 1, A2 a2 2, A3 a3 3, A4 a4 4, A5 a5 5, A6 a6 6, A7 a7 7);

/// Runs a typed handler through the general entry.
unsafe fn invoke_typed<A, H: Handler<A>>(data: *const (), args: &Args<'_>) -> Value {
    // SAFETY: `data` is the `&H` given to `Prepared::callback_fn`, alive while its Callback is.
    let h = unsafe { &*data.cast::<H>() };
    h.call_args(args)
}

impl Prepared {
    /// Binds `handler`, a closure whose argument and result types are the
    /// prepared signature's, to a free thunk of the convention, as
    /// [`Prepared::callback`] binds a [`Value`] handler.
    ///
    /// Where the signature allows it (see [`Callback::is_direct`]: the host's
    /// own convention, scalars in registers), the thunk reaches the closure
    /// through a few register moves, with no dispatcher in between.
    ///
    /// ```
    /// use abi_runtime::abi::{Abi, Type};
    ///
    /// let k = 3i64;
    /// let sig = Abi::native().prepare(&[Type::I64, Type::I64], Type::I64).unwrap();
    /// let handler = move |a: i64, b: i64| a * k + b;
    /// let cb = sig.callback_fn(&handler).unwrap();
    /// // SAFETY: the thunk has the prepared signature in the native convention.
    /// let f: extern "C" fn(i64, i64) -> i64 = unsafe { core::mem::transmute(cb.code()) };
    /// assert_eq!(f(5, 6), 21);
    /// ```
    ///
    /// # Errors
    ///
    /// [`CallbackError::HandlerTypes`] when the closure's types are not the
    /// prepared ones; otherwise as [`Prepared::callback`].
    pub fn callback_fn<'a, A, H>(&'a self, handler: &'a H) -> Result<Callback<'a>, CallbackError>
    where
        H: Handler<A>,
    {
        if !self.arg_types().eq(H::PARAMS.iter().copied()) || self.ret_type() != H::RESULT {
            return Err(CallbackError::HandlerTypes {
                abi: self.abi.name,
            });
        }
        let data = ptr::from_ref(handler).cast::<()>();
        match self.shift_entry() {
            Some(entry) => self.bind(entry, H::shim(), data),
            None => {
                let invoke = invoke_typed::<A, H> as unsafe fn(*const (), &Args<'_>) -> Value;
                self.bind(self.abi.entry, invoke as *const (), data)
            }
        }
    }

    /// The convention's shifting entry, if a host function taking a pointer
    /// first and then this signature's arguments receives each of them where
    /// a caller of this signature puts it, integer arguments one register
    /// up, and all in registers the entry moves.
    fn shift_entry(&self) -> Option<unsafe extern "C" fn()> {
        let abi = self.abi;
        let (entry, regs) = abi.entry_shift?;
        // The shim is an `extern "C"` function: the host's convention.
        if !ptr::eq(abi, Abi::native())
            || self.agg.active
            || self.stack_words != 0
            || self.len >= MAX_ARGS
        {
            return None;
        }
        let mut types = [Type::Void; MAX_ARGS];
        types[0] = Type::Ptr;
        for (t, a) in types[1..].iter_mut().zip(self.arg_types()) {
            *t = a;
        }
        let shifted = abi.prepare(&types[..=self.len], self.ret_type()).ok()?;
        if shifted.agg.active || shifted.stack_words != 0 {
            return None;
        }
        let moved = &abi.int_args[..regs];
        if shifted.arg_register(0) != moved.first().copied() {
            return None;
        }
        for i in 0..self.len {
            let (was, now) = (self.arg_register(i)?, shifted.arg_register(i + 1)?);
            let same = match moved.iter().position(|r| *r == was) {
                Some(k) => moved.get(k + 1) == Some(&now),
                None => !abi.int_args.contains(&was) && was == now,
            };
            if !same {
                return None;
            }
        }
        Some(entry)
    }
}
