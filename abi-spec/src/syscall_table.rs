//! The runtime's system-call dispatch table: per target, one row per call
//! (name, number, arity, whether it returns) and an out-of-line stub that
//! reads exactly its arity of arguments from a pointer (the caller's slice:
//! no copy, no padding to the largest arity). Each stub is the same inline
//! stub `#[syscall_bridge]` renders from [`crate::plan::lower`], wrapped in a
//! function that loads the arguments, so the table and the inline stubs
//! cannot disagree.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use crate::model::{ArgKind, Call, ConvKind, Specs, Target};
use crate::plan::{lower, lower_linked};
use crate::render::{
    Param, RetForm, StubSig, cfg_predicate, linked_stub, register_signature, stub,
};

/// The targets that get a table: every target with calls, whatever its
/// convention kind (kernel traps, wasm imports, DLL functions).
pub fn table_targets(specs: &Specs) -> Vec<&Target> {
    specs
        .targets
        .iter()
        .filter(|t| !t.calls.is_empty())
        .collect()
}

/// The targets whose calls have numbers, where `raw` makes any call by number.
pub fn raw_targets(specs: &Specs) -> Vec<&Target> {
    specs
        .targets
        .iter()
        .filter(|t| t.syscall.kind == ConvKind::Trap)
        .collect()
}

/// The word a table row takes its arguments in and returns its value in:
/// `usize`, or `u64` where an argument is wider than a pointer (wasm32's
/// 64-bit WASI values).
fn word_type(t: &Target) -> TokenStream {
    let wide = t.syscall.kind != ConvKind::Trap
        && t.calls
            .iter()
            .flat_map(|c| &c.args)
            .any(|a| a.kind.bits().is_some_and(|b| b > t.cfg.pointer_width));
    if wide {
        quote! { u64 }
    } else {
        quote! { usize }
    }
}

/// The errno a row returns for a wrong number of arguments: the target's
/// first code of kind `InvalidInput` (`EINVAL`, `ERROR_INVALID_PARAMETER`).
fn arity_errno(specs: &Specs, t: &Target) -> Result<proc_macro2::Ident, String> {
    specs
        .errno_table(&t.errno)
        .and_then(|e| e.entries.iter().find(|e| e.kind == "InvalidInput"))
        .map(|e| format_ident!("{}", e.name))
        .ok_or_else(|| {
            format!(
                "the errno table `{}` of {} has no code of kind `InvalidInput`",
                t.errno, t.name
            )
        })
}

/// `x` (a word) as an argument of `kind`.
fn from_word(kind: ArgKind, x: TokenStream) -> TokenStream {
    let ty: TokenStream = kind.rust_type().parse().unwrap_or_default();
    match kind {
        ArgKind::Ptr | ArgKind::MutPtr => quote! { #x as usize as #ty },
        _ => quote! { #x as #ty },
    }
}

/// The inline stub of a wasm import or DLL function, in the table's shape:
/// the spec's arguments, then one out-pointer per result, returning the
/// decoded return value.
fn linked_inner(
    t: &Target,
    c: &Call,
    name: proc_macro2::Ident,
    rt: &TokenStream,
) -> (TokenStream, Vec<ArgKind>) {
    let plan = lower_linked(t, c, false);
    let kinds: Vec<ArgKind> = c
        .args
        .iter()
        .map(|a| a.kind)
        .chain(c.results.iter().map(|_| ArgKind::MutPtr))
        .collect();
    let params = kinds
        .iter()
        .enumerate()
        .map(|(i, k)| Param {
            name: format_ident!("a{}", i),
            ty: k.rust_type().parse().unwrap_or_default(),
            span: proc_macro2::Span::call_site(),
        })
        .collect();
    let ret = if c.noreturn {
        RetForm::Never
    } else {
        RetForm::Decoded(quote! { ::core::result::Result<usize, #rt::Errno> })
    };
    let sig = StubSig {
        attrs: Vec::new(),
        vis: TokenStream::new(),
        name,
        params,
        ret,
    };
    (linked_stub(&plan, &sig, rt), kinds)
}

/// The table items for every target, each gated on its cfg. `rt` is the
/// runtime crate's path; `row` the path of the row type, whose fields are
/// `name`, `number`, `arity`, `noreturn` and `stub`
/// (`unsafe fn(*const usize) -> Result<usize, Errno>`, reading `arity` words).
pub fn table_items(specs: &Specs, rt: &TokenStream, row: &TokenStream) -> TokenStream {
    let mut out = TokenStream::new();
    for t in table_targets(specs) {
        let cfg = cfg_predicate(t);
        let m = format_ident!(
            "__table_{}",
            t.name.replace(|c: char| !c.is_ascii_alphanumeric(), "_")
        );
        let arity_errno = match arity_errno(specs, t) {
            Ok(e) => e,
            Err(msg) => {
                let msg = format!("abi-bridge: {msg}");
                out.extend(quote! { #[cfg(#cfg)] ::core::compile_error!(#msg); });
                continue;
            }
        };
        let word = word_type(t);
        let trap = t.syscall.kind == ConvKind::Trap;
        // Rows sorted by number (import and call kinds: the position by name).
        let mut calls: Vec<&Call> = t.calls.iter().collect();
        calls.sort_by_key(|c| c.nr);
        let mut max = if trap { t.syscall.args.len() } else { 0 };
        let mut stubs = TokenStream::new();
        let mut rows = Vec::new();
        for c in &calls {
            let inner = format_ident!("inline_{}", c.name);
            let outer = format_ident!("stub_{}", c.name);
            let kinds: Vec<ArgKind> = if trap {
                let plan = lower(t, c);
                let sig = register_signature(inner.clone(), c, rt);
                // `stub` adds the target's cfg; the module is gated on it already.
                stubs.extend(stub(&plan, &sig, rt));
                vec![ArgKind::Usize; c.args.len()]
            } else {
                let (tokens, kinds) = linked_inner(t, c, inner.clone(), rt);
                stubs.extend(tokens);
                kinds
            };
            max = max.max(kinds.len());
            let args = kinds
                .iter()
                .enumerate()
                .map(|(i, k)| from_word(*k, quote! { a.add(#i).read() }));
            let doc = format!(
                "`{}` (number {}) with its {} arguments read from `a`.",
                c.name,
                c.nr,
                kinds.len()
            );
            let call = if c.noreturn {
                quote! { unsafe { #inner(#(#args),*) } }
            } else {
                quote! { unsafe { #inner(#(#args),*) }.map(|v| v as #word) }
            };
            stubs.extend(quote! {
                #[doc = #doc]
                #[inline(never)]
                pub(super) unsafe fn #outer(a: *const #word) -> ::core::result::Result<#word, #rt::Errno> {
                    let _ = a;
                    // SAFETY: the caller passes `arity` readable words and
                    // upholds the call's contract.
                    #call
                }
            });
            let (name, nr, arity, noreturn) = (&c.name, c.nr as usize, kinds.len(), c.noreturn);
            rows.push(quote! {
                #row { name: #name, number: #nr, arity: #arity, noreturn: #noreturn, stub: stubs::#outer }
            });
        }
        let n = rows.len();
        let by_name = {
            let mut idx: Vec<u16> = (0..calls.len())
                .filter_map(|i| u16::try_from(i).ok())
                .collect();
            idx.sort_by(|&a, &b| calls[usize::from(a)].name.cmp(&calls[usize::from(b)].name));
            idx
        };
        let raw = trap
            .then(|| crate::raw_call::raw_call_items(t, rt))
            .flatten();
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
                // Rows take as many arguments as the spec declares (Windows: more than 7).
                #[allow(clippy::missing_safety_doc, clippy::too_many_arguments)]
                mod stubs {
                    use super::*;
                    #stubs
                    #raw
                }
                #raw_use
                /// Most arguments a call of this target takes.
                pub(crate) const MAX_ARGS: usize = #max;
                /// The word a row takes its arguments in and returns its value in.
                pub type Word = #word;
                /// What a row returns for a wrong number of arguments.
                pub(crate) const ARITY_ERROR: #rt::Errno = #rt::Errno::#arity_errno;
                #[doc = #doc]
                pub(crate) static TABLE: [#row; #n] = [#(#rows),*];
                /// Indices into [`TABLE`], sorted by name.
                pub(crate) static BY_NAME: [u16; #n] = [#(#by_name),*];
            }
            #[cfg(#cfg)]
            pub(crate) use #m::{MAX_ARGS, TABLE, BY_NAME, ARITY_ERROR};
            #[cfg(#cfg)]
            pub use #m::Word;
            #raw_export
        });
    }
    out
}
