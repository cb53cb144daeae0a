//! Any bytes as one spec file (the first byte picks which built-in file they
//! replace: a target, an ABI, an arch or an errno table), the other built-in
//! files alongside. The loader must not panic, its diagnostics must point
//! inside the file, and a file it accepts must expand.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let text = String::from_utf8_lossy(rest).into_owned();
    common::load_and_check(&common::with_replaced(usize::from(pick), text), data.len());
});
