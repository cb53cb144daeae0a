//! Integration tests of abi-bridge live in `tests/`.
