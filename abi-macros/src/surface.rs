//! `__all_calls!(module)` and `__target_calls!("target")`: every call of the
//! current target's table as a typed bridged function, rendered by
//! `abi_spec::surface`. The first macro emits one cfg-gated module per target
//! around an invocation of the second, so only the current target's
//! functions are ever rendered.

use proc_macro2::TokenStream;
use quote::quote;

use crate::trampolines::with_specs;

/// `__all_calls!(calls)`: a module `calls` per target, each gated on its cfg.
pub(crate) fn dispatch(input: TokenStream) -> TokenStream {
    let module = match syn::parse2::<syn::Ident>(input) {
        Ok(m) => m,
        Err(e) => return e.to_compile_error(),
    };
    with_specs(|s| {
        abi_spec::surface::dispatch(s, &module, &quote! { ::abi_macros::__target_calls })
    })
}

/// `__target_calls!("linux-x86_64")`: the functions of that target.
pub(crate) fn functions(input: TokenStream) -> TokenStream {
    let name = match syn::parse2::<syn::LitStr>(input) {
        Ok(n) => n,
        Err(e) => return e.to_compile_error(),
    };
    with_specs(|s| match s.target(&name.value()) {
        Some(t) => abi_spec::surface::functions(t, &quote! { ::abi_runtime }),
        None => syn::Error::new(name.span(), format!("no target named `{}`", name.value()))
            .to_compile_error(),
    })
}
