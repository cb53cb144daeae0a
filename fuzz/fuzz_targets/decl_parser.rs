//! The macro's declaration parser and checks, on any input: the text before
//! the first line `---` is the attribute's arguments, the rest the item. The
//! parser lives in the proc-macro crate, which cannot be linked, so its
//! modules are included as they are. Any input must give items (stubs or
//! compile errors) that parse, never a panic.
#![no_main]

use std::str::FromStr;

use libfuzzer_sys::fuzz_target;
use proc_macro2::TokenStream;

#[path = "../../abi-macros/src/decl.rs"]
mod decl;
#[path = "../../abi-macros/src/options.rs"]
mod options;
#[path = "../../abi-macros/src/specs.rs"]
mod specs;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (attr, item) = text.split_once("\n---\n").unwrap_or(("", text));
    // `targets = "..."` would read folders of this machine: not the parser's job.
    if attr.contains("targets") {
        return;
    }
    let (Ok(attr), Ok(item)) = (TokenStream::from_str(attr), TokenStream::from_str(item)) else {
        return;
    };
    let out = decl::expand_item(attr, item);
    // Stubs, or `compile_error!`s with a placeholder: either way items rustc can
    // parse where the attribute was (no inner attribute outside braces).
    if let Err(e) = syn::parse::Parser::parse2(items, out.clone()) {
        panic!("the expansion does not parse as items: {e}\n{out}");
    }
});

/// A sequence of items, as in a module body after its inner attributes.
fn items(input: syn::parse::ParseStream<'_>) -> syn::Result<Vec<syn::Item>> {
    let mut out = Vec::new();
    while !input.is_empty() {
        out.push(input.parse()?);
    }
    Ok(out)
}
