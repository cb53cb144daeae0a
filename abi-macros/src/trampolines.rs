//! `__trampolines!` and `__dynamic_gates!`: the runtime's ABI dispatch table,
//! trampolines and callback thunks, rendered by `abi_spec::trampoline`.

use abi_spec::Specs;
use proc_macro2::TokenStream;
use quote::quote;
use syn::parse::Parser;
use syn::punctuated::Punctuated;
use syn::{Expr, Token};

use crate::specs;

/// The built-in specs, or their diagnostics as compile errors.
pub(crate) fn with_specs(f: impl FnOnce(&Specs) -> TokenStream) -> TokenStream {
    match specs::builtin() {
        Ok(s) => {
            let mut out = specs::tracking();
            out.extend(f(s));
            out
        }
        Err(d) => {
            let errs = d.0.iter().map(|d| {
                let m = d.one_line();
                quote! { ::core::compile_error!(#m); }
            });
            quote! { #(#errs)* }
        }
    }
}

/// `__trampolines!(path::to::abi_module, POOL)`.
pub(crate) fn expand(input: TokenStream) -> TokenStream {
    let parsed = Punctuated::<Expr, Token![,]>::parse_terminated.parse2(input);
    let args: Vec<Expr> = match parsed {
        Ok(p) => p.into_iter().collect(),
        Err(e) => return e.to_compile_error(),
    };
    let (rt, pool) = match args.as_slice() {
        [rt, Expr::Lit(l)] => match &l.lit {
            syn::Lit::Int(n) => match n.base10_parse::<u32>() {
                Ok(n) if n > 0 => (quote! { #rt }, n),
                _ => {
                    return syn::Error::new_spanned(n, "the pool size must be a positive integer")
                        .to_compile_error();
                }
            },
            other => {
                return syn::Error::new_spanned(other, "expected the pool size").to_compile_error();
            }
        },
        _ => {
            return syn::Error::new(
                proc_macro2::Span::call_site(),
                "expected `__trampolines!(path::to::abi, POOL)`",
            )
            .to_compile_error();
        }
    };
    with_specs(|s| abi_spec::trampoline::runtime_items(s, &rt, pool))
}

/// `macro_rules!` gates for the modules that exist only on some targets:
/// `__if_trampolines! { ... }` and `__if_syscall_table! { ... }`.
pub(crate) fn gates() -> TokenStream {
    with_specs(|s| {
        let tramp = abi_spec::trampoline::trampoline_targets(s);
        let table = abi_spec::syscall_table::table_targets(s);
        let none: Vec<_> = abi_spec::trampoline::unsupported_targets(s)
            .into_iter()
            .map(|(t, _)| t)
            .collect();
        let mut out = abi_spec::trampoline::gate(s, "__if_trampolines", &tramp);
        out.extend(abi_spec::trampoline::gate(s, "__if_no_trampolines", &none));
        out.extend(abi_spec::trampoline::gate(s, "__if_syscall_table", &table));
        out
    })
}

/// `__no_trampolines!()`: on each target without trampolines, `UNSUPPORTED`
/// (target name, reason).
pub(crate) fn unsupported() -> TokenStream {
    with_specs(abi_spec::trampoline::unsupported_items)
}
