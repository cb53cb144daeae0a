//! The `consts` module: each target's `[constants]` table, cfg-gated, each
//! constant with the C type its spec records.

use abi_spec::Specs;
use abi_spec::render::cfg_predicate;
use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;

pub(crate) fn module(specs: &Specs) -> TokenStream {
    let mut out = TokenStream::new();
    for t in &specs.targets {
        let cfg = cfg_predicate(t);
        let items = t.constants.iter().map(|c| {
            let ident = Ident::new(&c.name, Span::call_site());
            let ty = Ident::new(c.ty.as_str(), Span::call_site());
            let magnitude = proc_macro2::Literal::u128_unsuffixed(c.value.unsigned_abs());
            let value = if c.value < 0 {
                quote!(-#magnitude)
            } else {
                quote!(#magnitude)
            };
            let source = match (&c.header, &c.unverified) {
                (Some(h), _) if c.c() != c.name => format!("`{}` of `<{h}>`", c.c()),
                (Some(h), _) => format!("`<{h}>`"),
                (None, Some(why)) => format!("no header ({why})"),
                (None, None) => "no header".to_owned(),
            };
            let doc = format!(
                "`{}` on {}: {:#X}, a `{}` as C types it; from {source} ({}).",
                c.name,
                t.name,
                c.value,
                c.ty.as_str(),
                c.loc
            );
            quote! { #[doc = #doc] pub const #ident: #ty = #value; }
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
