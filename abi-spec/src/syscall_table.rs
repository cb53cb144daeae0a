//! The runtime's system-call dispatch table: per target, one row per call
//! (name, number, arity, whether it returns) and an out-of-line stub that
//! reads exactly its arity of arguments from a pointer (the caller's slice:
//! no copy, no padding to the largest arity). Each stub is the same inline
//! stub `#[syscall_bridge]` renders from [`crate::plan::lower`], wrapped in a
//! function that loads the arguments, so the table and the inline stubs
//! cannot disagree.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use crate::model::{ConvKind, Specs, Target};
use crate::plan::lower;
use crate::render::{cfg_predicate, register_signature, stub};

/// The targets that get a table: those whose kernel is entered by a trap.
pub fn table_targets(specs: &Specs) -> Vec<&Target> {
    specs
        .targets
        .iter()
        .filter(|t| t.syscall.kind == ConvKind::Trap)
        .collect()
}

/// The table items for every target, each gated on its cfg. `rt` is the
/// runtime crate's path; `row` the path of the row type, whose fields are
/// `name`, `number`, `arity`, `noreturn` and `stub`
/// (`unsafe fn(*const usize) -> Result<usize, Errno>`, reading `arity` words).
pub fn table_items(specs: &Specs, rt: &TokenStream, row: &TokenStream) -> TokenStream {
    let mut out = TokenStream::new();
    for t in table_targets(specs) {
        let cfg = cfg_predicate(t);
        let max = t.syscall.args.len();
        let m = format_ident!(
            "__table_{}",
            t.name.replace(|c: char| !c.is_ascii_alphanumeric(), "_")
        );
        let mut stubs = TokenStream::new();
        let mut rows = Vec::new();
        for c in &t.calls {
            let plan = lower(t, c);
            let inner = format_ident!("inline_{}", c.name);
            let outer = format_ident!("stub_{}", c.name);
            let sig = register_signature(inner.clone(), c, rt);
            // `stub` adds the target's cfg; the module is gated on it already.
            stubs.extend(stub(&plan, &sig, rt));
            let args = (0..c.args.len()).map(|i| quote! { a.add(#i).read() });
            let doc = format!(
                "`{}` (number {}) with its {} arguments read from `a`.",
                c.name,
                c.nr,
                c.args.len()
            );
            stubs.extend(quote! {
                #[doc = #doc]
                #[inline(never)]
                pub(super) unsafe fn #outer(a: *const usize) -> ::core::result::Result<usize, #rt::Errno> {
                    let _ = a;
                    // SAFETY: the caller passes `arity` readable words and
                    // upholds the call's contract.
                    unsafe { #inner(#(#args),*) }
                }
            });
            let (name, nr, arity, noreturn) = (&c.name, c.nr as usize, c.args.len(), c.noreturn);
            rows.push(quote! {
                #row { name: #name, number: #nr, arity: #arity, noreturn: #noreturn, stub: stubs::#outer }
            });
        }
        let n = rows.len();
        let by_name = {
            let mut idx: Vec<u16> = (0..t.calls.len())
                .filter_map(|i| u16::try_from(i).ok())
                .collect();
            idx.sort_by(|&a, &b| {
                t.calls[usize::from(a)]
                    .name
                    .cmp(&t.calls[usize::from(b)].name)
            });
            idx
        };
        let raw = crate::raw_call::raw_call_items(t, rt);
        let raw_use = raw.as_ref().map(|_| {
            quote! {
                pub(crate) use stubs::raw_call;
            }
        });
        let raw_export = raw.as_ref().map(|_| {
            quote! {
                #[cfg(#cfg)]
                pub(crate) use #m::raw_call;
            }
        });
        let doc = format!(
            "The calls of {} ({}), sorted by number.",
            t.name, t.loc.path
        );
        out.extend(quote! {
            #[cfg(#cfg)]
            #[doc(hidden)]
            mod #m {
                use super::*;
                #[allow(clippy::missing_safety_doc)]
                mod stubs {
                    use super::*;
                    #stubs
                    #raw
                }
                #raw_use
                /// Most arguments a call of this target takes.
                pub(crate) const MAX_ARGS: usize = #max;
                #[doc = #doc]
                pub(crate) static TABLE: [#row; #n] = [#(#rows),*];
                /// Indices into [`TABLE`], sorted by name.
                pub(crate) static BY_NAME: [u16; #n] = [#(#by_name),*];
            }
            #[cfg(#cfg)]
            pub(crate) use #m::{MAX_ARGS, TABLE, BY_NAME};
            #raw_export
        });
    }
    out
}
