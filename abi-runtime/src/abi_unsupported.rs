//! Dynamic calls on a target whose conventions the trampoline generator
//! cannot handle yet: the same entry points as on other targets, reporting
//! [`Unsupported`] with the reason the spec files give, so code that uses
//! them compiles everywhere and decides at run time.

pub use crate::abi_support::Unsupported;

abi_macros::__no_trampolines!();

fn unsupported() -> Unsupported {
    let (target, reason) = UNSUPPORTED;
    Unsupported { target, reason }
}

/// Whether dynamic calls work on this target: never, here.
pub fn support() -> Result<(), Unsupported> {
    Err(unsupported())
}

/// A calling convention this target could call into: none exist here.
#[derive(Debug, PartialEq, Eq)]
pub struct Abi {
    _none: core::convert::Infallible,
}

impl Abi {
    /// The target's own C convention: the reason it cannot be called dynamically.
    pub fn try_native() -> Result<&'static Abi, Unsupported> {
        Err(unsupported())
    }

    /// Every convention code on this target can use dynamically: none.
    pub fn all() -> &'static [Abi] {
        &[]
    }

    /// The convention called `name`: none.
    pub fn by_name(name: &str) -> Option<&'static Abi> {
        let _ = name;
        None
    }
}
