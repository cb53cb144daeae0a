//! Rendering plans as Rust tokens. The output names the runtime crate through
//! the path it is given and otherwise uses only `core`.

use proc_macro2::{Ident, Literal, Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};

use crate::model::{ArgKind, ConvKind, ErrorConv, Pass, Target};
use crate::plan::{Input, LinkedPlan, Output, SyscallPlan, Word};

/// Which parameters a plan reads as one register (`RegArg`) and which as a
/// 64-bit value it splits or scales (`RegArg64`).
fn used_params(plan: &SyscallPlan<'_>) -> (Vec<usize>, Vec<usize>) {
    let (mut narrow, mut wide) = (Vec::new(), Vec::new());
    let mut note = |p: &Pass| match p {
        Pass::Arg(i) => narrow.push(*i),
        Pass::Low(i) | Pass::High(i) | Pass::Scaled(i, _) => wide.push(*i),
        Pass::Const(_) | Pass::ResultSlot | Pass::Block(_) => {}
    };
    let inputs = plan.operands.iter().map(|op| op.input);
    let number = (!plan.reserved_values.is_empty()).then_some(plan.number);
    for input in inputs
        .chain(plan.reserved_values.iter().copied())
        .chain(std::iter::once(number))
    {
        if let Some(Input::Arg(i)) = input {
            note(&Pass::Arg(i));
        }
    }
    for w in &plan.words {
        match w {
            Word::Arg(i) => note(&Pass::Arg(*i)),
            Word::Low(i) => note(&Pass::Low(*i)),
            Word::High(i) => note(&Pass::High(*i)),
            Word::Scaled(i, n) => note(&Pass::Scaled(*i, *n)),
            Word::Block(items) => items.iter().for_each(&mut note),
            Word::Const(_) | Word::ResultSlot | Word::Skip => {}
        }
    }
    (narrow, wide)
}

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

/// `sig` as an `#[inline(always)] unsafe fn` returning `ret_ty` with `body`,
/// gated on `target`.
fn gated_fn(
    target: &Target,
    sig: &StubSig,
    ret_ty: &TokenStream,
    body: TokenStream,
) -> TokenStream {
    let cfg = cfg_predicate(target);
    let StubSig {
        attrs,
        vis,
        name,
        params,
        ..
    } = sig;
    let param_list = params.iter().map(|p| {
        let (n, t) = (&p.name, &p.ty);
        quote! { #n: #t }
    });
    quote! {
        #[cfg(#cfg)]
        #(#attrs)*
        #[inline(always)]
        #vis unsafe fn #name(#(#param_list),*) -> #ret_ty {
            #body
        }
    }
}

/// The stub function for `plan`, gated on its target.
///
/// Arguments are converted to register values first and handed, with the
/// instruction, to the runtime's `__trace_call!`: without the runtime's
/// `trace` feature that macro is the instruction itself, so the stub compiles
/// to what it would without tracing.
pub fn stub(plan: &SyscallPlan<'_>, sig: &StubSig, rt: &TokenStream) -> TokenStream {
    let StubSig { params, ret, .. } = sig;
    let result = format_ident!("__abi_raw");
    let arg = |i: usize| format_ident!("__abi_a{}", i);
    let wide = |i: usize| format_ident!("__abi_v{}", i);
    let word = |w: usize| format_ident!("__abi_r{}", w);
    let (narrow_used, wide_used) = used_params(plan);
    let mut bindings: Vec<TokenStream> = Vec::new();
    for (i, Param { name, ty, span }) in params.iter().enumerate() {
        if narrow_used.contains(&i) {
            let a = arg(i);
            bindings.push(
                quote_spanned! {*span=> let #a: usize = <#ty as #rt::RegArg>::into_reg(#name); },
            );
        }
        if wide_used.contains(&i) {
            let v = wide(i);
            bindings.push(
                quote_spanned! {*span=> let #v: u64 = <#ty as #rt::RegArg64>::into_reg64(#name); },
            );
        }
    }
    let einval = match ret {
        RetForm::Decoded(_) => Some(quote! { ::core::result::Result::Err(#rt::Errno::EINVAL) }),
        RetForm::Raw(_) => Some(quote! {
            #rt::FromReg::from_reg(0usize.wrapping_sub(#rt::Errno::EINVAL.raw() as usize))
        }),
        RetForm::Never => None,
    };
    let slot = format_ident!("__abi_out");
    let one_word = |p: &Pass| -> TokenStream {
        match p {
            Pass::Arg(i) => {
                let a = arg(*i);
                quote! { #a }
            }
            Pass::Low(i) => {
                let v = wide(*i);
                quote! { #v as u32 as usize }
            }
            Pass::High(i) => {
                let v = wide(*i);
                quote! { (#v >> 32) as u32 as usize }
            }
            Pass::Const(c) => {
                let c = Literal::i64_suffixed(*c);
                quote! { #c as isize as usize }
            }
            Pass::Scaled(..) | Pass::ResultSlot | Pass::Block(_) => quote! { 0usize },
        }
    };
    for (w, value) in plan.words.iter().enumerate() {
        let r = word(w);
        bindings.push(match value {
            Word::Arg(_) | Word::Low(_) | Word::High(_) | Word::Const(_) => {
                let v = one_word(&match value {
                    Word::Arg(i) => Pass::Arg(*i),
                    Word::Low(i) => Pass::Low(*i),
                    Word::High(i) => Pass::High(*i),
                    Word::Const(c) => Pass::Const(*c),
                    _ => Pass::ResultSlot,
                });
                quote! { let #r: usize = #v; }
            }
            Word::Scaled(i, n) => {
                let v = wide(*i);
                let n = Literal::u64_suffixed(*n);
                let check = einval
                    .as_ref()
                    .map(|e| quote! { if #v % #n != 0 { return #e; } });
                quote! { #check let #r: usize = (#v / #n) as usize; }
            }
            Word::ResultSlot => {
                let ty = match plan.result.and_then(ArgKind::bits) {
                    Some(64) => quote! { u64 },
                    _ => quote! { usize },
                };
                quote! {
                    let mut #slot: #ty = 0;
                    let #r: usize = (&raw mut #slot) as usize;
                }
            }
            Word::Block(items) => {
                let block = format_ident!("__abi_block{}", w);
                let n = items.len();
                let items = items.iter().map(one_word);
                quote! {
                    let #block: [usize; #n] = [#(#items),*];
                    let #r: usize = #block.as_ptr() as usize;
                }
            }
            Word::Skip => quote! {},
        });
    }
    let input_value = |i: Input| match i {
        Input::Number(n) => {
            let n = Literal::usize_suffixed(n as usize);
            quote! { #n }
        }
        Input::Arg(i) => {
            let a = arg(i);
            quote! { #a }
        }
        Input::Word(w) => {
            let r = word(w);
            quote! { #r }
        }
        Input::ReservedBlock => quote! { __abi_reserved.as_ptr() as usize },
    };
    if !plan.reserved_values.is_empty() {
        let values = plan.reserved_values.iter().map(|v| match v {
            Some(Input::Arg(i)) => {
                let a = arg(*i);
                quote! { #a }
            }
            Some(Input::Word(w)) => {
                let r = word(*w);
                quote! { #r }
            }
            _ => quote! { 0usize },
        });
        let nr = input_value(plan.number);
        let n = plan.reserved_values.len() + 1;
        bindings.push(quote! { let __abi_reserved: [usize; #n] = [#(#values,)* #nr]; });
    }
    let operands = plan.operands.iter().map(|op| {
        let reg = &op.reg;
        let input = op.input.map(input_value);
        match (input, op.output) {
            (Some(v), Output::Preserved) => quote! { in(#reg) #v },
            (Some(v), Output::Result) => quote! { inlateout(#reg) #v => #result },
            (Some(v), Output::Clobbered) => quote! { inlateout(#reg) #v => _ },
            (None, Output::Result) => quote! { lateout(#reg) #result },
            (None, _) => quote! { lateout(#reg) _ },
        }
    });
    // A flag error kind reads the flag into a named operand the decoding
    // tests; a raw return has nothing to decode, so it skips the read.
    let flagged =
        matches!(plan.decode, Some(ErrorConv::Flag { .. })) && !matches!(ret, RetForm::Raw(_));
    let template: Vec<&String> = plan
        .instructions
        .iter()
        .enumerate()
        .filter(|(i, _)| flagged || !plan.flag_read.contains(i))
        .map(|(_, line)| line)
        .collect();
    let options = plan.options.iter().map(|o| format_ident!("{}", o));
    let flag = format_ident!("{}", crate::plan::FLAG_OPERAND);
    let (flag_decl, flag_operand) = if flagged {
        (
            quote! { let #flag: usize; },
            quote! { #flag = lateout(reg) #flag, },
        )
    } else {
        (quote! {}, quote! {})
    };
    let asm = quote! {
        ::core::arch::asm!(#(#template,)* #flag_operand #(#operands,)* options(#(#options),*))
    };
    let (name, nr) = (
        &plan.call.name,
        Literal::usize_suffixed(plan.call.nr as usize),
    );
    // The values of the argument registers for the trace: those in operands,
    // then a reserved register's that travels in the number register, then
    // those that travel in the reserved-register block.
    let number_reg = &plan.target.syscall.number;
    let args: Vec<TokenStream> = plan
        .operands
        .iter()
        .filter(|op| op.reg != *number_reg)
        .chain(plan.operands.iter().filter(|op| op.reg == *number_reg))
        .map(|op| op.input)
        .chain(plan.reserved_values.iter().copied())
        .filter_map(|input| match input {
            Some(i @ (Input::Arg(_) | Input::Word(_))) => Some(input_value(i)),
            _ => None,
        })
        .collect();
    let traced = quote! {
        #(#bindings)*
        #flag_decl
        let #result: usize = #rt::__trace_call!(#name, #nr, [#(#args),*] => {
            let #result: usize;
            unsafe { #asm; }
            #result
        });
    };
    let from_reg = from_reg_path(ret, rt);
    let (ret_ty, body) = match ret {
        RetForm::Never => (
            quote! { ! },
            quote! {
                #(#bindings)*
                #rt::__trace_call!(exit #name, #nr, [#(#args),*]);
                unsafe { #asm }
            },
        ),
        RetForm::Raw(ty) => (
            ty.clone(),
            quote! {
                #traced
                #from_reg(#result)
            },
        ),
        RetForm::Decoded(ty) => {
            let decode = match plan.decode {
                Some(conv) => decode_expr(conv, &result, rt, None, None),
                None => quote! { ::core::unreachable!() },
            };
            let value = if plan.result.is_some() {
                // The value is what the kernel wrote to the slot.
                quote! {{ let _ = v; #slot as _ }}
            } else {
                quote! { #from_reg(v) }
            };
            (
                ty.clone(),
                quote! {
                    #traced
                    match #decode {
                        ::core::result::Result::Ok(v) => ::core::result::Result::Ok(#value),
                        ::core::result::Result::Err(e) => ::core::result::Result::Err(e),
                    }
                },
            )
        }
    };
    gated_fn(plan.target, sig, &ret_ty, body)
}

/// `FromReg::from_reg` on the span of the type it makes (`T` of
/// `Result<T, Errno>`, or the raw return type), so that a type without
/// `FromReg` is reported on the user's return type, not on the attribute.
fn from_reg_path(ret: &RetForm, rt: &TokenStream) -> TokenStream {
    let ty = match ret {
        RetForm::Raw(ty) => ty,
        RetForm::Decoded(ty) => ty,
        RetForm::Never => return quote! { #rt::FromReg::from_reg },
    };
    let value_ty: Option<syn::Type> = match syn::parse2::<syn::Type>(ty.clone()) {
        Ok(syn::Type::Path(p)) if matches!(ret, RetForm::Decoded(_)) => p
            .path
            .segments
            .last()
            .and_then(|s| match &s.arguments {
                syn::PathArguments::AngleBracketed(a) => a.args.first().cloned(),
                _ => None,
            })
            .and_then(|g| match g {
                syn::GenericArgument::Type(t) => Some(t),
                _ => None,
            }),
        Ok(t) => Some(t),
        Err(_) => None,
    };
    match value_ty {
        Some(t) => {
            let span = syn::spanned::Spanned::span(&t);
            quote_spanned! {span=> <#t as #rt::FromReg>::from_reg }
        }
        None => quote! { #rt::FromReg::from_reg },
    }
}

/// A signature built from the spec's own argument kinds, for `abi-gen show`
/// and snapshots: `Result<usize, Errno>` (or `!`).
pub fn spec_signature(plan: &SyscallPlan<'_>) -> StubSig {
    let value = plan.result.map_or_else(|| quote! { usize }, kind_type);
    let ret = if plan.call.noreturn {
        RetForm::Never
    } else {
        RetForm::Decoded(quote! { ::core::result::Result<#value, ::abi_runtime::Errno> })
    };
    StubSig {
        attrs: Vec::new(),
        vis: quote! { pub },
        name: format_ident!("{}", plan.via.unwrap_or(&plan.call.name)),
        params: spec_params(plan.args),
        ret,
    }
}

/// Parameters named and typed as the spec's arguments (raw identifiers for
/// names that are Rust keywords).
fn spec_params(args: &[crate::model::Arg]) -> Vec<Param> {
    args.iter()
        .map(|a| Param {
            name: syn::parse_str::<Ident>(&a.name)
                .unwrap_or_else(|_| Ident::new_raw(&a.name, Span::call_site())),
            ty: kind_type(a.kind),
            span: Span::call_site(),
        })
        .collect()
}

/// A signature of `call` in register words: `a0: usize, ...` returning
/// `Result<usize, Errno>` (or `!`), for out-of-line stubs and generated crates.
pub fn register_signature(name: Ident, call: &crate::model::Call, rt: &TokenStream) -> StubSig {
    let params = (0..call.args.len())
        .map(|i| Param {
            name: format_ident!("a{}", i),
            ty: quote! { usize },
            span: Span::call_site(),
        })
        .collect();
    let ret = if call.noreturn {
        RetForm::Never
    } else {
        RetForm::Decoded(quote! { ::core::result::Result<usize, #rt::Errno> })
    };
    StubSig {
        attrs: Vec::new(),
        vis: TokenStream::new(),
        name,
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

/// An expression of type `Result<usize, Errno>` decoding `raw` (a `usize`).
/// `last_error` is an expression giving the last-error code, for the
/// conventions that need it. `narrow_ret` is the width of a return kind
/// narrower than the register (a `DWORD`), whose all-bits-set value
/// (`WAIT_FAILED`, `INVALID_FILE_ATTRIBUTES`) is its own `MAX`, not `usize::MAX`.
fn decode_expr(
    conv: ErrorConv,
    raw: &Ident,
    rt: &TokenStream,
    last_error: Option<&TokenStream>,
    narrow_ret: Option<u32>,
) -> TokenStream {
    let fail_if = |cond: TokenStream| {
        let code = last_error.cloned().unwrap_or_else(|| quote! { 0 });
        quote! {
            if #cond {
                ::core::result::Result::Err(#rt::Errno::from_raw((#code) as i32))
            } else {
                ::core::result::Result::Ok(#raw)
            }
        }
    };
    match conv {
        ErrorConv::NegatedErrno { max } => {
            let max = Literal::usize_suffixed(max as usize);
            quote! { #rt::__private::negated_errno(#raw, #max) }
        }
        ErrorConv::ReturnedErrno => quote! { #rt::__private::returned_errno(#raw) },
        ErrorConv::NtStatus => quote! { #rt::__private::ntstatus(#raw) },
        ErrorConv::Never => quote! { ::core::result::Result::<usize, #rt::Errno>::Ok(#raw) },
        ErrorConv::BoolFalse | ErrorConv::Null | ErrorConv::Zero => fail_if(quote! { #raw == 0 }),
        ErrorConv::InvalidHandle => match narrow_ret {
            Some(bits) => {
                let ty = int_type(bits);
                fail_if(quote! { #raw as #ty == #ty::MAX })
            }
            None => fail_if(quote! { #raw == usize::MAX }),
        },
        ErrorConv::Flag { mask } => {
            let flag = format_ident!("{}", crate::plan::FLAG_OPERAND);
            let mask = Literal::u64_suffixed(mask);
            quote! {
                if (#flag as u64) & #mask != 0 {
                    ::core::result::Result::Err(#rt::Errno::from_raw(#raw as i32))
                } else {
                    ::core::result::Result::<usize, #rt::Errno>::Ok(#raw)
                }
            }
        }
    }
}

/// An unsigned integer type of `bits` bits.
fn int_type(bits: u32) -> TokenStream {
    match bits {
        8 => quote! { u8 },
        16 => quote! { u16 },
        32 => quote! { u32 },
        _ => quote! { u64 },
    }
}

/// The Rust type of a value of `kind`, exactly as wide as the kind.
pub(crate) fn kind_type(kind: ArgKind) -> TokenStream {
    kind.rust_type().parse().unwrap_or_default()
}

/// The stub for a call through an import or a system library, gated on its target.
pub fn linked_stub(plan: &LinkedPlan<'_>, sig: &StubSig, rt: &TokenStream) -> TokenStream {
    let t = plan.target;
    let StubSig { params, ret, .. } = sig;
    let link = |library: &str| match t.syscall.kind {
        ConvKind::Import => quote! { #[link(wasm_import_module = #library)] },
        _ => quote! { #[link(name = #library, kind = "raw-dylib")] },
    };
    let abi = &t.syscall.rust_abi;
    let decl_params = plan.params.iter().enumerate().map(|(i, p)| {
        let (n, ty) = (format_ident!("p{}", i), int_type(p.bits));
        quote! { #n: #ty }
    });
    let import_ret = match (plan.call.noreturn, plan.ret) {
        (true, _) => quote! { -> ! },
        (false, Some(k)) => {
            let ty = kind_type(k);
            quote! { -> #ty }
        }
        (false, None) => quote! {},
    };
    let (symbol, lib) = (&plan.call.symbol, link(&plan.call.library));
    let mut items = quote! {
        #lib
        unsafe extern #abi {
            #[link_name = #symbol]
            fn __abi_import(#(#decl_params),*) #import_ret;
        }
    };
    let last_error = plan.last_error.map(|le| {
        let (sym, lib) = (&le.symbol, link(&le.library));
        let ty = le.ret.map(kind_type).unwrap_or_else(|| quote! { u32 });
        items.extend(quote! {
            #lib
            unsafe extern #abi {
                #[link_name = #sym]
                fn __abi_last_error() -> #ty;
            }
        });
        quote! { unsafe { __abi_last_error() } }
    });
    // Arguments from the declaration; out-pointers to locals when the stub manages results.
    let mut outs = Vec::new();
    let mut user = params.iter();
    let values: Vec<TokenStream> = plan
        .params
        .iter()
        .map(|p| {
            let ty = int_type(p.bits);
            if p.out && plan.managed_results {
                let local = format_ident!("__abi_out{}", outs.len());
                outs.push((local.clone(), kind_type(plan.call.results[outs.len()].kind)));
                return quote! { #local.as_mut_ptr() as usize as #ty };
            }
            let Some(Param {
                name,
                ty: user_ty,
                span,
            }) = user.next()
            else {
                return quote! { 0 };
            };
            if p.bits > 32 && p.kind.bits() == Some(64) {
                quote_spanned! {*span=> <#user_ty as #rt::RegArg64>::into_reg64(#name) as #ty }
            } else {
                quote_spanned! {*span=> <#user_ty as #rt::RegArg>::into_reg(#name) as #ty }
            }
        })
        .collect();
    let out_locals = outs.iter().map(|(local, ty)| {
        quote! { let mut #local = ::core::mem::MaybeUninit::<#ty>::uninit(); }
    });
    let locals: Vec<Ident> = (0..values.len())
        .map(|i| format_ident!("__abi_p{}", i))
        .collect();
    let bindings = quote! { #(let #locals = #values;)* };
    let call = quote! { unsafe { __abi_import(#(#locals),*) } };
    let raw = format_ident!("__abi_raw");
    let (name, nr) = (
        &plan.call.name,
        Literal::usize_suffixed(plan.call.nr as usize),
    );
    let traced = if plan.ret.is_some() {
        quote! { #rt::RegArg::into_reg(#call) }
    } else {
        quote! {{ #call; 0 }}
    };
    let raw_usize = quote! {
        #bindings
        let #raw: usize = #rt::__trace_call!(#name, #nr, [#(#locals as usize),*] => #traced);
    };
    let from_reg = from_reg_path(ret, rt);
    let narrow_ret = plan
        .ret
        .and_then(ArgKind::bits)
        .filter(|&b| b < t.cfg.pointer_width);
    let (ret_ty, body) = match ret {
        RetForm::Never => (
            quote! { ! },
            quote! {
                #bindings
                #rt::__trace_call!(exit #name, #nr, [#(#locals as usize),*]);
                #call
            },
        ),
        RetForm::Raw(ty) => (ty.clone(), quote! { #raw_usize #from_reg(#raw) }),
        RetForm::Decoded(ty) => {
            let decode = plan.decode.map_or_else(
                || quote! { ::core::unreachable!() },
                |conv| decode_expr(conv, &raw, rt, last_error.as_ref(), narrow_ret),
            );
            let ok_arm = if plan.managed_results {
                let reads = outs
                    .iter()
                    .map(|(local, _)| quote! { unsafe { #local.assume_init() } });
                let value = if outs.len() == 1 {
                    quote! { #(#reads)* }
                } else {
                    quote! { (#(#reads),*) }
                };
                quote! { ::core::result::Result::Ok(_) => ::core::result::Result::Ok(#value), }
            } else {
                quote! { ::core::result::Result::Ok(v) => ::core::result::Result::Ok(#from_reg(v)), }
            };
            (
                ty.clone(),
                quote! {
                    #(#out_locals)*
                    #raw_usize
                    match #decode {
                        #ok_arm
                        ::core::result::Result::Err(e) => ::core::result::Result::Err(e),
                    }
                },
            )
        }
    };
    gated_fn(t, sig, &ret_ty, quote! { #items #body })
}

/// The signature `abi-gen show` and snapshots use for a linked call: the spec's
/// arguments, with results handed back as the value.
pub fn linked_signature(plan: &LinkedPlan<'_>) -> StubSig {
    let params = spec_params(&plan.call.args);
    let value = match plan.call.results.as_slice() {
        [] => quote! { usize },
        [one] => kind_type(one.kind),
        many => {
            let tys = many.iter().map(|r| kind_type(r.kind));
            quote! { (#(#tys),*) }
        }
    };
    let ret = if plan.call.noreturn {
        RetForm::Never
    } else {
        RetForm::Decoded(quote! { ::core::result::Result<#value, ::abi_runtime::Errno> })
    };
    StubSig {
        attrs: Vec::new(),
        vis: quote! { pub },
        name: format_ident!("{}", plan.call.name),
        params,
        ret,
    }
}
