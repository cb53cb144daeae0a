//! `__syscall_table!(Row)`: the runtime's system-call dispatch table, rendered
//! by `abi_spec::syscall_table` from the same plans as the inline stubs.

use proc_macro2::TokenStream;
use quote::quote;

use crate::trampolines::with_specs;

pub(crate) fn expand(input: TokenStream) -> TokenStream {
    let row = match syn::parse2::<syn::Path>(input) {
        Ok(p) => quote! { #p },
        Err(e) => return e.to_compile_error(),
    };
    with_specs(|s| abi_spec::syscall_table::table_items(s, &quote! { ::abi_runtime }, &row))
}
