//! The `consts` module: each target's `[constants]` table, cfg-gated.

use abi_spec::Specs;
use abi_spec::render::cfg_predicate;
use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;

pub(crate) fn module(specs: &Specs) -> TokenStream {
    let mut out = TokenStream::new();
    for t in &specs.targets {
        let cfg = cfg_predicate(t);
        let items = t.constants.iter().map(|(name, value)| {
            let ident = Ident::new(name, Span::call_site());
            let doc = format!("`{name}` on {} ({}).", t.name, t.loc.path);
            quote! { #[doc = #doc] pub const #ident: i64 = #value; }
        });
        let vdso = t.vdso.iter().map(|v| {
            let (call, symbol, version) = (&v.call, &v.symbol, &v.version);
            quote! { (#call, #symbol, #version) }
        });
        let doc = format!(
            "Values of the OS API on {}, from the `[constants]` table of {}.",
            t.name, t.loc.path
        );
        out.extend(quote! {
            #[cfg(#cfg)]
            #[doc = #doc]
            pub mod consts {
                #(#items)*
                /// The vDSO functions of `[vdso]`: (call, symbol, version).
                pub const VDSO: &[(&str, &str, &str)] = &[#(#vdso),*];
            }
        });
    }
    out
}
