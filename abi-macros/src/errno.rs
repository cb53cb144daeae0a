//! `Errno`'s constants and names, one cfg-gated impl block per errno table.

use abi_spec::Specs;
use abi_spec::render::cfg_predicate;
use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;

pub(crate) fn table(specs: &Specs, ty: &TokenStream) -> TokenStream {
    let mut out = TokenStream::new();
    let mut covered = Vec::new();
    for table in &specs.errno_tables {
        let users: Vec<TokenStream> = specs
            .targets
            .iter()
            .filter(|t| t.errno == table.name)
            .map(cfg_predicate)
            .collect();
        if users.is_empty() {
            continue;
        }
        covered.extend(users.iter().cloned());
        let consts = table.entries.iter().map(|e| {
            let ident = Ident::new(&e.name, Span::call_site());
            let code = e.code;
            let doc = match (&e.text, &e.alias_of) {
                (Some(t), _) => format!("{t} ({}).", e.name),
                (None, Some(a)) => format!("Same code as [`Self::{a}`]."),
                (None, None) => String::new(),
            };
            quote! { #[doc = #doc] pub const #ident: Self = Self(#code); }
        });
        let arms = table
            .entries
            .iter()
            .filter(|e| e.alias_of.is_none())
            .map(|e| {
                let (code, name, text) = (e.code, &e.name, e.text.as_deref().unwrap_or_default());
                quote! { #code => ::core::option::Option::Some((#name, #text)), }
            });
        let src = format!("Generated from targets/errno/{}.toml.", table.name);
        out.extend(quote! {
            #[cfg(any(#(#users),*))]
            #[doc = #src]
            impl #ty {
                #(#consts)*

                /// The name and description of a code, if the table has it.
                pub(crate) const fn describe(code: i32) -> ::core::option::Option<(&'static str, &'static str)> {
                    match code {
                        #(#arms)*
                        _ => ::core::option::Option::None,
                    }
                }
            }
        });
    }
    out.extend(quote! {
        #[cfg(not(any(#(#covered),*)))]
        impl #ty {
            /// This target has no errno table: codes have no names.
            pub(crate) const fn describe(_code: i32) -> ::core::option::Option<(&'static str, &'static str)> {
                ::core::option::Option::None
            }
        }
    });
    out
}
