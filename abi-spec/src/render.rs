//! Rendering plans as Rust tokens. The output names the runtime crate through
//! the path it is given and otherwise uses only `core`.

use proc_macro2::{Ident, Literal, Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};

use crate::model::{ErrorConv, Target};
use crate::plan::{Input, Output, SyscallPlan};

/// The Rust signature a stub is rendered with.
#[derive(Debug, Clone)]
pub struct StubSig {
    /// Outer attributes to keep (docs, `#[cfg]`, lints), as tokens.
    pub attrs: Vec<TokenStream>,
    /// Visibility.
    pub vis: TokenStream,
    /// The function's name.
    pub name: Ident,
    /// The parameters, in order.
    pub params: Vec<Param>,
    /// What the function returns.
    pub ret: RetForm,
}

/// One parameter of a stub.
#[derive(Debug, Clone)]
pub struct Param {
    /// Its name.
    pub name: Ident,
    /// Its type, with the user's spans.
    pub ty: TokenStream,
    /// Where the type is written, for type errors.
    pub span: Span,
}

/// The return forms a stub supports.
#[derive(Debug, Clone)]
pub enum RetForm {
    /// `Result<T, Errno>`: decoded with the target's error convention.
    Decoded(TokenStream),
    /// A raw register value (`usize`, `isize`, ...), not decoded.
    Raw(TokenStream),
    /// `!`: the call never returns.
    Never,
}

/// `all(target_os = ..., target_arch = ..., ...)`, the predicate selecting `target`.
pub fn cfg_predicate(target: &Target) -> TokenStream {
    let c = &target.cfg;
    let (os, arch, endian) = (&c.os, &c.arch, &c.endian);
    let width = c.pointer_width.to_string();
    quote! {
        all(target_os = #os, target_arch = #arch, target_pointer_width = #width, target_endian = #endian)
    }
}

/// The stub function for `plan`, gated on its target.
pub fn stub(plan: &SyscallPlan<'_>, sig: &StubSig, rt: &TokenStream) -> TokenStream {
    let cfg = cfg_predicate(plan.target);
    let StubSig {
        attrs,
        vis,
        name,
        params,
        ret,
    } = sig;
    let param_list = params.iter().map(|p| {
        let (n, t) = (&p.name, &p.ty);
        quote! { #n: #t }
    });
    let result = format_ident!("__abi_raw");
    let operands = plan.operands.iter().map(|op| {
        let reg = &op.reg;
        let input = op.input.map(|i| match i {
            Input::Number(n) => {
                let n = Literal::usize_suffixed(n as usize);
                quote! { #n }
            }
            Input::Arg(i) => {
                let Param { name, ty, span } = &params[i];
                quote_spanned! {*span=> <#ty as #rt::RegArg>::into_reg(#name) }
            }
        });
        match (input, op.output) {
            (Some(v), Output::Preserved) => quote! { in(#reg) #v },
            (Some(v), Output::Result) => quote! { inlateout(#reg) #v => #result },
            (Some(v), Output::Clobbered) => quote! { inlateout(#reg) #v => _ },
            (None, Output::Result) => quote! { lateout(#reg) #result },
            (None, _) => quote! { lateout(#reg) _ },
        }
    });
    let template = &plan.instructions;
    let options = plan.options.iter().map(|o| format_ident!("{}", o));
    let asm = quote! {
        ::core::arch::asm!(#(#template,)* #(#operands,)* options(#(#options),*))
    };
    let (ret_ty, body) = match ret {
        RetForm::Never => (
            quote! { ! },
            quote! {
                unsafe { #asm }
            },
        ),
        RetForm::Raw(ty) => (
            ty.clone(),
            quote! {
                let #result: usize;
                unsafe { #asm; }
                #rt::FromReg::from_reg(#result)
            },
        ),
        RetForm::Decoded(ty) => {
            let decode = match plan.decode {
                Some(ErrorConv::NegatedErrno { max }) => {
                    let max = Literal::usize_suffixed(max as usize);
                    quote! { #rt::__private::negated_errno(#result, #max) }
                }
                None => quote! { ::core::unreachable!() },
            };
            (
                ty.clone(),
                quote! {
                    let #result: usize;
                        unsafe { #asm; }
                    ::core::result::Result::map(#decode, #rt::FromReg::from_reg)
                },
            )
        }
    };
    quote! {
        #[cfg(#cfg)]
        #(#attrs)*
        #[inline(always)]
        #vis unsafe fn #name(#(#param_list),*) -> #ret_ty {
            #body
        }
    }
}

/// A signature built from the spec's own argument kinds, for `abi-gen show`
/// and snapshots: `Result<usize, Errno>` (or `!`).
pub fn spec_signature(plan: &SyscallPlan<'_>) -> StubSig {
    let params = plan
        .call
        .args
        .iter()
        .map(|a| {
            let name = syn::parse_str::<Ident>(&a.name)
                .unwrap_or_else(|_| Ident::new_raw(&a.name, Span::call_site()));
            let ty: TokenStream = a.kind.rust_type().parse().unwrap_or_default();
            Param {
                name,
                ty,
                span: Span::call_site(),
            }
        })
        .collect();
    let ret = if plan.call.noreturn {
        RetForm::Never
    } else {
        RetForm::Decoded(quote! { ::core::result::Result<usize, ::abi_runtime::Errno> })
    };
    StubSig {
        attrs: Vec::new(),
        vis: quote! { pub },
        name: format_ident!("{}", plan.call.name),
        params,
        ret,
    }
}

/// Pretty-prints tokens that form a file's items.
pub fn pretty(tokens: TokenStream) -> String {
    match syn::parse2::<syn::File>(tokens.clone()) {
        Ok(file) => prettyplease::unparse(&file),
        Err(_) => tokens.to_string(),
    }
}
