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
        let classes = table
            .entries
            .iter()
            .filter(|e| e.alias_of.is_none() && e.kind != abi_spec::error_kind::UNCATEGORIZED)
            .map(|e| {
                let (code, kind) = (e.code, Ident::new(&e.kind, Span::call_site()));
                quote! { #code => ::abi_runtime::ErrorKind::#kind, }
            });
        let known = table
            .entries
            .iter()
            .filter(|e| e.alias_of.is_none())
            .map(|e| e.code);
        let src = format!("Generated from targets/errno/{}.toml.", table.name);
        out.extend(quote! {
            #[cfg(any(#(#users),*))]
            #[doc = #src]
            impl #ty {
                #(#consts)*

                /// Every code of this target's errno table (one per code, aliases
                /// left out), in ascending order.
                pub const KNOWN: &'static [Self] = &[#(Self(#known)),*];

                /// The name and description of a code, if the table has it.
                pub(crate) const fn describe(code: i32) -> ::core::option::Option<(&'static str, &'static str)> {
                    match code {
                        #(#arms)*
                        _ => ::core::option::Option::None,
                    }
                }

                /// The portable class of a code (`kind` in the errno table).
                pub(crate) const fn classify(code: i32) -> ::abi_runtime::ErrorKind {
                    match code {
                        #(#classes)*
                        _ => ::abi_runtime::ErrorKind::Uncategorized,
                    }
                }
            }
        });
    }
    out.extend(quote! {
        #[cfg(not(any(#(#covered),*)))]
        impl #ty {
            /// Every code of this target's errno table: it has none.
            pub const KNOWN: &'static [Self] = &[];

            /// This target has no errno table: codes have no names.
            pub(crate) const fn describe(_code: i32) -> ::core::option::Option<(&'static str, &'static str)> {
                ::core::option::Option::None
            }

            /// This target has no errno table: codes have no class.
            pub(crate) const fn classify(_code: i32) -> ::abi_runtime::ErrorKind {
                ::abi_runtime::ErrorKind::Uncategorized
            }
        }
    });
    out
}
