//! Structs by value and variadic calls against C written for the test
//! (`tests/c/`, and the struct functions `tests/build_dynamic_c.rs` writes from
//! its table), compiled with the leg's C compiler: every struct's layout
//! against the compiler's `sizeof`/`_Alignof`/`offsetof`, each passed after
//! scalars, five at a time, after most registers are taken, and returned;
//! variadic functions walking `va_arg`. The expected values are computed in
//! Rust from the fields (and a direct call compiled by rustc agrees).
//!
//! Every convention with trampolines has `[aggregates]` rules; where one had
//! none, preparing a struct signature would be the typed error naming the
//! convention's file (checked here too).

#[cfg(abi_dynamic)]
#[path = "dynamic_c/body.rs"]
mod body;

// Without trampolines: the tests report themselves ignored, with the reason.
#[cfg(not(abi_dynamic))]
include!(concat!(env!("OUT_DIR"), "/dynamic_unsupported.rs"));
