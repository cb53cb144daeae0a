//! `__trampolines!` and `__dynamic_gates!`: the runtime's ABI dispatch table,
//! trampolines and callback thunks, rendered by `abi_spec::trampoline`.

use abi_spec::Specs;
use proc_macro2::TokenStream;
use quote::quote;

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

/// `__trampolines!(path::to::abi_module)`.
pub(crate) fn expand(input: TokenStream) -> TokenStream {
    let rt = match syn::parse2::<syn::Path>(input) {
        Ok(p) => quote! { #p },
        Err(e) => return e.to_compile_error(),
    };
    with_specs(|s| abi_spec::trampoline::runtime_items(s, &rt))
}

/// `macro_rules!` gates for the modules that exist only on some targets:
/// `__if_trampolines! { ... }`, `__if_syscall_table! { ... }` and
/// `__if_raw_syscalls! { ... }` (targets whose calls have numbers).
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
        let raw = abi_spec::syscall_table::raw_targets(s);
        out.extend(abi_spec::trampoline::gate(s, "__if_raw_syscalls", &raw));
        out
    })
}

/// `__no_trampolines!()`: on each target without trampolines, `UNSUPPORTED`
/// (target name, reason).
pub(crate) fn unsupported() -> TokenStream {
    with_specs(abi_spec::trampoline::unsupported_items)
}
