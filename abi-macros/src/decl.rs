//! Parsing the user's item (one declaration, an inline `mod`, or an `extern`
//! block of declarations) into `abi_spec::bridge::Decl`s, and reporting what
//! does not fit on the user's own spans.

use abi_spec::Specs;
use abi_spec::bridge::{self, Decl, Fallback};
use abi_spec::render::{Param, RetForm, StubSig};
use proc_macro2::{Span, TokenStream};
use quote::{ToTokens, format_ident, quote};
use syn::spanned::Spanned;
use syn::{
    Attribute, FnArg, ForeignItem, ForeignItemFn, Item, ItemFn, ItemForeignMod, ItemMod, Pat,
    ReturnType, Signature, Type,
};

use crate::options::Options;
use crate::specs;

/// Entry point of the attribute.
pub(crate) fn expand_item(attr: TokenStream, item: TokenStream) -> TokenStream {
    let opts = match Options::parse(attr) {
        Ok(o) => o,
        Err(e) => return e.to_compile_error(),
    };
    let mut out = TokenStream::new();
    let owned;
    let specs: &Specs = match &opts.targets {
        Some((dir, span)) => match specs::with_user_dir(dir) {
            Ok((s, paths)) => {
                for p in paths {
                    // Makes cargo rebuild this crate when the user's spec file changes.
                    let p = p.display().to_string();
                    out.extend(quote! { const _: &[u8] = ::core::include_bytes!(#p); });
                }
                owned = s;
                &owned
            }
            Err(msg) => return syn::Error::new(*span, msg).to_compile_error(),
        },
        None => match specs::builtin() {
            Ok(s) => s,
            Err(d) => {
                let errs = d
                    .0
                    .iter()
                    .map(|d| syn::Error::new(Span::call_site(), d.one_line()).to_compile_error());
                return quote! { #(#errs)* };
            }
        },
    };
    let cx = Cx {
        specs,
        rt: quote! { ::abi_runtime },
    };
    if let Ok(m) = syn::parse2::<ItemMod>(item.clone()) {
        if let Some((_, span)) = &opts.name {
            return syn::Error::new(
                *span,
                "`name = ...` applies to one function; put it on the function inside the module",
            )
            .to_compile_error();
        }
        out.extend(cx.module(m));
    } else if let Ok(block) = syn::parse2::<ItemForeignMod>(item.clone()) {
        out.extend(cx.foreign_block(block, &opts));
    } else if let Ok(f) = syn::parse2::<ForeignItemFn>(item.clone()) {
        out.extend(cx.function(f, opts));
    } else if let Ok(f) = syn::parse2::<ItemFn>(item.clone()) {
        out.extend(body_given(&f));
    } else {
        return syn::Error::new(
            Span::call_site(),
            "#[syscall_bridge] goes on a bodiless `unsafe fn` declaration, an inline `mod` of them, or an `extern` block",
        )
        .to_compile_error();
    }
    out.extend(bridge::uncovered_target_error(specs));
    out
}

struct Cx<'s> {
    specs: &'s Specs,
    rt: TokenStream,
}

impl Cx<'_> {
    fn module(&self, mut m: ItemMod) -> TokenStream {
        let Some((_, items)) = m.content.take() else {
            return syn::Error::new(
                m.ident.span(),
                "#[syscall_bridge] needs an inline module: `mod name { ... }`",
            )
            .to_compile_error();
        };
        let mut body = TokenStream::new();
        for item in items {
            body.extend(match item {
                Item::Verbatim(ts) => match syn::parse2::<ForeignItemFn>(ts.clone()) {
                    Ok(f) => self.inner_function(f),
                    Err(_) => ts,
                },
                Item::Fn(f) if f.attrs.iter().any(is_bridge_attr) => body_given(&f),
                Item::Mod(inner) if inner.content.is_some() => self.module(inner),
                other => other.into_token_stream(),
            });
        }
        let ItemMod {
            attrs,
            vis,
            unsafety,
            mod_token,
            ident,
            ..
        } = m;
        // `attrs` holds the inner attributes (`//!`, `#![...]`) too: they go inside the braces.
        let (inner, outer): (Vec<_>, Vec<_>) = attrs
            .into_iter()
            .partition(|a| matches!(a.style, syn::AttrStyle::Inner(_)));
        quote! { #(#outer)* #vis #unsafety #mod_token #ident { #(#inner)* #body } }
    }

    fn foreign_block(&self, block: ItemForeignMod, opts: &Options) -> TokenStream {
        if let Some((_, span)) = &opts.name {
            return syn::Error::new(
                *span,
                "`name = ...` applies to one function; put it on the function inside the block",
            )
            .to_compile_error();
        }
        let mut out = TokenStream::new();
        for item in block.items {
            out.extend(match item {
                ForeignItem::Fn(mut f) => {
                    // Functions of an extern block are unsafe to call by nature.
                    f.sig.unsafety = Some(syn::Token![unsafe](f.sig.fn_token.span));
                    self.inner_function(f)
                }
                other => syn::Error::new(other.span(), "only function declarations can be bridged")
                    .to_compile_error(),
            });
        }
        out
    }

    /// A declaration inside a module or block: its own `#[syscall_bridge(...)]`
    /// carries its options.
    fn inner_function(&self, f: ForeignItemFn) -> TokenStream {
        // The compiler has not evaluated an inner item's `#[cfg]` yet: it gates
        // everything the item expands to, its errors included.
        let cfgs: Vec<syn::Attribute> = f
            .attrs
            .iter()
            .filter(|a| a.path().is_ident("cfg"))
            .cloned()
            .collect();
        let out = self.inner_function_ungated(f);
        if cfgs.is_empty() {
            return out;
        }
        match syn::parse2::<syn::File>(out.clone()) {
            Ok(file) => file
                .items
                .into_iter()
                .map(|item| quote! { #(#cfgs)* #item })
                .collect(),
            Err(_) => out,
        }
    }

    fn inner_function_ungated(&self, mut f: ForeignItemFn) -> TokenStream {
        let mut own = Options::default();
        let mut errors = TokenStream::new();
        f.attrs.retain(|a| {
            if !is_bridge_attr(a) {
                return true;
            }
            let args = match &a.meta {
                syn::Meta::List(l) => l.tokens.clone(),
                _ => TokenStream::new(),
            };
            match Options::parse(args) {
                Ok(o) => {
                    if let Some((_, span)) = o.targets {
                        errors.extend(
                            syn::Error::new(span, "set `targets` on the outer #[syscall_bridge]")
                                .to_compile_error(),
                        );
                    }
                    own = o;
                }
                Err(e) => errors.extend(e.to_compile_error()),
            }
            false
        });
        errors.extend(self.function(f, own));
        errors
    }

    fn function(&self, f: ForeignItemFn, opts: Options) -> TokenStream {
        let decl = match to_decl(f.clone(), opts) {
            Ok(d) => d,
            Err(errors) => return with_placeholder(&f, errors),
        };
        match bridge::expand(self.specs, &decl, &self.rt) {
            Ok(ts) => ts,
            Err(errs) => with_placeholder(
                &f,
                errs.into_iter()
                    .map(|e| syn::Error::new(e.span, e.message))
                    .collect(),
            ),
        }
    }
}

fn is_bridge_attr(a: &Attribute) -> bool {
    a.path()
        .segments
        .last()
        .is_some_and(|s| s.ident == "syscall_bridge")
}

fn body_given(f: &ItemFn) -> TokenStream {
    syn::Error::new(
        f.block.span(),
        "a bridged call has no body: the stub is generated from the spec. Replace the body `{ ... }` with `;`",
    )
    .to_compile_error()
}

/// The errors, plus a stand-in function so that uses of it report nothing more.
fn with_placeholder(f: &ForeignItemFn, errors: Vec<syn::Error>) -> TokenStream {
    let errs = errors.iter().map(syn::Error::to_compile_error);
    let ForeignItemFn {
        attrs, vis, sig, ..
    } = f;
    let attrs = attrs.iter().filter(|a| !is_bridge_attr(a));
    let mut sig = sig.clone();
    sig.unsafety = Some(Default::default());
    sig.abi = None;
    sig.asyncness = None;
    sig.constness = None;
    sig.variadic = None;
    quote! {
        #(#errs)*
        #[allow(unused_variables, clippy::all)]
        #(#attrs)* #vis #sig { loop {} }
    }
}

fn to_decl(f: ForeignItemFn, opts: Options) -> Result<Decl, Vec<syn::Error>> {
    let name = opts.name;
    let fallback = match (opts.fallback, opts.fallback_on) {
        (Some((path, span)), on) => {
            let on = match on {
                Some((list, _)) => list
                    .split(',')
                    .map(|e| e.trim().to_owned())
                    .filter(|e| !e.is_empty())
                    .collect(),
                None => vec!["ENOSYS".to_owned()],
            };
            Some(Fallback { path, on, span })
        }
        (None, Some((_, span))) => {
            return Err(vec![syn::Error::new(
                span,
                "`fallback_on` needs `fallback = path` too",
            )]);
        }
        (None, None) => None,
    };
    let ForeignItemFn {
        attrs, vis, sig, ..
    } = f;
    let mut errors = Vec::new();
    check_qualifiers(&sig, &mut errors);
    let mut params = Vec::new();
    for (i, input) in sig.inputs.iter().enumerate() {
        match input {
            FnArg::Receiver(r) => {
                errors.push(syn::Error::new(r.span(), "a bridged call takes no `self`"))
            }
            FnArg::Typed(pt) => {
                let name = match &*pt.pat {
                    Pat::Ident(p) if p.by_ref.is_none() && p.subpat.is_none() => p.ident.clone(),
                    Pat::Wild(_) => format_ident!("__abi_arg{}", i),
                    other => {
                        errors.push(syn::Error::new(
                            other.span(),
                            "use a plain name for each argument",
                        ));
                        continue;
                    }
                };
                if let Err(e) = fits_register(&pt.ty) {
                    errors.push(e);
                }
                params.push(Param {
                    name,
                    ty: pt.ty.to_token_stream(),
                    span: pt.ty.span(),
                });
            }
        }
    }
    let (ret, ret_span) = match &sig.output {
        ReturnType::Default => {
            errors.push(syn::Error::new(
                sig.paren_token.span.close(),
                "say what the call returns: `-> Result<usize, Errno>` (decoded), a raw `-> usize`, or `-> !`",
            ));
            (RetForm::Raw(quote! { () }), sig.ident.span())
        }
        ReturnType::Type(_, ty) => (ret_form(ty), ty.span()),
    };
    if !errors.is_empty() {
        return Err(errors);
    }
    let (call, call_span) = name.unwrap_or_else(|| {
        (
            sig.ident.to_string().trim_start_matches("r#").to_owned(),
            sig.ident.span(),
        )
    });
    Ok(Decl {
        sig: StubSig {
            attrs: attrs
                .iter()
                .filter(|a| !is_bridge_attr(a))
                .map(ToTokens::to_token_stream)
                .collect(),
            vis: vis.to_token_stream(),
            name: sig.ident.clone(),
            params,
            ret,
        },
        call,
        call_span,
        params_span: sig.paren_token.span.join(),
        ret_span,
        fallback,
    })
}

fn check_qualifiers(sig: &Signature, errors: &mut Vec<syn::Error>) {
    if sig.unsafety.is_none() {
        errors.push(syn::Error::new(
            sig.fn_token.span,
            "a bridged call must be `unsafe fn`: the kernel trusts its pointers and flags, so callers must uphold its contract. Write `unsafe fn`",
        ));
    }
    let problems = [
        (
            sig.constness.as_ref().map(Spanned::span),
            "a system call cannot be `const`",
        ),
        (
            sig.asyncness.as_ref().map(Spanned::span),
            "a system call cannot be `async`",
        ),
        (
            sig.abi.as_ref().map(Spanned::span),
            "remove the `extern` ABI: the stub is an inline Rust function",
        ),
        (
            sig.variadic.as_ref().map(Spanned::span),
            "a bridged call cannot be variadic",
        ),
    ];
    for (span, msg) in problems {
        if let Some(span) = span {
            errors.push(syn::Error::new(span, msg));
        }
    }
    if !sig.generics.params.is_empty() || sig.generics.where_clause.is_some() {
        errors.push(syn::Error::new(
            sig.generics.span(),
            "a bridged call cannot be generic: each argument must have one register-sized type",
        ));
    }
}

fn ret_form(ty: &Type) -> RetForm {
    match ty {
        Type::Never(_) => RetForm::Never,
        Type::Path(p)
            if p.qself.is_none() && p.path.segments.last().is_some_and(|s| s.ident == "Result") =>
        {
            RetForm::Decoded(ty.to_token_stream())
        }
        Type::Paren(p) => ret_form(&p.elem),
        Type::Group(g) => ret_form(&g.elem),
        other => RetForm::Raw(other.to_token_stream()),
    }
}

/// Rejects the types that can never travel in one integer register; anything
/// else is left to the `RegArg` trait, whose own error names the type.
fn fits_register(ty: &Type) -> syn::Result<()> {
    let reason = match ty {
        Type::Paren(p) => return fits_register(&p.elem),
        Type::Group(g) => return fits_register(&g.elem),
        Type::Path(p) => match p.path.get_ident().map(ToString::to_string).as_deref() {
            Some("f32" | "f64") => "floats do not travel in syscall argument registers",
            Some("i128" | "u128") => "128-bit integers are wider than a register",
            _ => return Ok(()),
        },
        Type::Reference(_) => {
            "pass a raw pointer (`*const T` / `*mut T`): the kernel does not respect borrows"
        }
        Type::Tuple(_) | Type::Array(_) | Type::Slice(_) => {
            "aggregates do not fit one register; pass a pointer to them"
        }
        Type::ImplTrait(_) | Type::TraitObject(_) => {
            "trait types have no register representation; use a concrete type"
        }
        Type::Never(_) => "`!` cannot be an argument",
        _ => return Ok(()),
    };
    // `new_spanned` underlines the whole type (`&[u8]`, not just `&`) on stable.
    Err(syn::Error::new_spanned(
        ty,
        format!(
            "`{}` does not fit a syscall register: {reason}",
            ty.to_token_stream()
        ),
    ))
}
