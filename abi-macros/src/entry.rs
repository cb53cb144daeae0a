//! `entry_point!(main)`: the `_start` of a freestanding program, from each
//! target's `[entry]` template.

use abi_spec::Specs;
use abi_spec::render::cfg_predicate;
use proc_macro2::TokenStream;
use quote::quote;

pub(crate) fn entry(specs: &Specs, main: TokenStream) -> TokenStream {
    let mut covered = Vec::new();
    let mut out = TokenStream::new();
    for t in specs.targets.iter().filter(|t| !t.entry.is_empty()) {
        let cfg = cfg_predicate(t);
        covered.push(cfg.clone());
        let lines = &t.entry;
        out.extend(quote! {
            #[cfg(#cfg)]
            ::core::arch::global_asm!(#(#lines),*, main = sym #main);
        });
    }
    let names: Vec<&str> = specs
        .targets
        .iter()
        .filter(|t| !t.entry.is_empty())
        .map(|t| t.name.as_str())
        .collect();
    let msg = format!(
        "entry_point! needs an [entry] table in this target's spec; targets that have one: {}",
        names.join(", ")
    );
    out.extend(quote! {
        #[cfg(not(any(#(#covered),*)))]
        ::core::compile_error!(#msg);
        // Checks the signature the entry calls.
        const _: extern "C" fn(*const usize) -> ! = #main;
    });
    out
}
