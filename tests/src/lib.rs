//! Integration, UI and snapshot tests of abi-bridge live in `tests/`.

/// The README's Rust examples, compiled and run as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;
