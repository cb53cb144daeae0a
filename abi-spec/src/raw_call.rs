//! The stub of a call by number: a trap target's convention with the number
//! taken at run time, for calls no table lists (`abi_runtime::syscalls::raw`).
//!
//! It is the plan of an ordinary call with as many register-word arguments
//! as the convention has, in which the number register takes one more
//! argument instead of a constant: the instruction lines, clobbers, options
//! and error decoding are the target's own, as in every other stub.

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote};

use crate::model::{Arg, ArgKind, Shape, Target};
use crate::plan::{Input, lower_with};
use crate::render::{Param, RetForm, StubSig, stub};

/// `unsafe fn raw_call(a: &[usize; MAX], nr: usize) -> Result<usize, Errno>`
/// for `target` (a trap target with at least one call), gated on its cfg;
/// `None` when the target has no call to take the shape of a call from.
pub fn raw_call_items(target: &Target, rt: &TokenStream) -> Option<TokenStream> {
    let max = target.syscall.args.len();
    // A call of the table, made into one that takes every argument register
    // as a plain word and returns.
    let mut call = target.calls.first()?.clone();
    "raw".clone_into(&mut call.name);
    call.nr = 0;
    call.noreturn = false;
    call.errors = target.syscall.errors;
    call.args = (0..max)
        .map(|i| Arg {
            name: format!("a{i}"),
            kind: ArgKind::Usize,
        })
        .collect();
    // The number comes at run time: never an immediate of the template.
    let mut plan = lower_with(
        target,
        Shape {
            name: &call.name,
            args: &call.args,
            call: &call,
            via: None,
        },
        false,
    );
    plan.number = Input::Arg(max);
    for op in &mut plan.operands {
        if let Some(Input::Number(_)) = op.input {
            op.input = Some(Input::Arg(max));
        }
    }
    let params = (0..=max)
        .map(|i| Param {
            name: format_ident!("a{}", i),
            ty: quote! { usize },
            span: Span::call_site(),
        })
        .collect();
    let sig = StubSig {
        attrs: Vec::new(),
        vis: TokenStream::new(),
        name: format_ident!("inline_raw"),
        params,
        ret: RetForm::Decoded(quote! { ::core::result::Result<usize, #rt::Errno> }),
    };
    let inline = stub(&plan, &sig, rt);
    let args = (0..max).map(|i| quote! { a[#i] });
    Some(quote! {
        #inline
        /// Makes the call numbered `nr` with the arguments `a` (unused ones
        /// are passed as 0, which the kernel ignores).
        #[inline(never)]
        pub(crate) unsafe fn raw_call(a: &[usize; #max], nr: usize) -> ::core::result::Result<usize, #rt::Errno> {
            // SAFETY: the caller upholds the call's contract.
            unsafe { inline_raw(#(#args,)* nr) }
        }
    })
}
