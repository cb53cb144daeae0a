//! The `types` module: each `[layouts.*]` of a target spec as a `#[repr(C)]`
//! struct with one field per C member (padding the spec's fields leave out as
//! `_padN` byte arrays), and compile-time assertions that its size, alignment
//! and every offset are the ones the target's C compiler measured.

use abi_spec::layout::{Layout, LayoutField};
use abi_spec::model::Target;
use proc_macro2::{Ident, Literal, Span, TokenStream};
use quote::{format_ident, quote};

/// The Rust type of one member.
fn field_type(f: &LayoutField) -> TokenStream {
    let int = Ident::new(f.ty.as_str(), Span::call_site());
    let one = if f.pointer {
        quote!(*mut ::core::ffi::c_void)
    } else {
        quote!(#int)
    };
    match f.count {
        Some(n) => {
            let n = Literal::usize_unsuffixed(n as usize);
            quote!([#one; #n])
        }
        None => one,
    }
}

pub(crate) fn struct_type(t: &Target, l: &Layout) -> TokenStream {
    let name = crate::layouts::type_name(&l.name);
    let mut fields = Vec::new();
    let mut asserts = Vec::new();
    let mut at = 0u32;
    let mut pads = 0u32;
    let mut pad = |fields: &mut Vec<TokenStream>, from: u32, to: u32| {
        if to > from {
            let ident = format_ident!("_pad{}", pads);
            pads += 1;
            let n = Literal::usize_unsuffixed((to - from) as usize);
            let doc = format!("Bytes {from}..{to}: padding, or members the spec leaves out.");
            fields.push(quote! { #[doc = #doc] pub #ident: [u8; #n] });
        }
    };
    for f in &l.fields {
        pad(&mut fields, at, f.offset);
        let ident = Ident::new(&f.name, Span::call_site());
        let ty = field_type(f);
        let doc = format!(
            "`{}`: {}{} at offset {}.",
            f.name,
            if f.pointer {
                "a pointer"
            } else {
                f.ty.as_str()
            },
            f.count
                .map(|n| if n == 0 {
                    " x flexible (the bytes that follow)".to_owned()
                } else {
                    format!(" x {n}")
                })
                .unwrap_or_default(),
            f.offset
        );
        fields.push(quote! { #[doc = #doc] pub #ident: #ty });
        let off = f.offset as usize;
        asserts.push(quote! { assert!(::core::mem::offset_of!(#name, #ident) == #off); });
        at = f.offset + f.bytes();
    }
    pad(&mut fields, at, l.size);
    // C's alignment against the members' widths: a structure aligned less
    // than its widest member, or with a member off its width (epoll_event on
    // x86_64, 8-byte integers at 4 on i386), is packed to C's alignment; the
    // explicit padding keeps every offset, and the assertions check both.
    let widest = l.fields.iter().map(|f| f.ty.bytes).max().unwrap_or(1);
    let off_width = l.fields.iter().any(|f| f.offset % f.ty.bytes != 0);
    let align = Literal::usize_unsuffixed(l.align as usize);
    // Otherwise `align` raises Rust's alignment to C's where the target
    // aligns a type less than the header asks (`__aligned_u64` on i386).
    let repr = if l.align < widest || off_width {
        quote!(#[repr(C, packed(#align))])
    } else {
        quote!(#[repr(C, align(#align))])
    };
    let (size, align_v) = (l.size as usize, l.align as usize);
    let doc = format!(
        "`{}` (`<{}>`) on {}: {size} bytes, aligned to {align_v} ({}).",
        l.c_type,
        l.header.trim_start_matches("kernel:"),
        t.name,
        l.loc
    );
    quote! {
        #[doc = #doc]
        #repr
        #[derive(Clone, Copy, Debug)]
        pub struct #name {
            #(#fields,)*
        }

        const _: () = {
            assert!(::core::mem::size_of::<#name>() == #size);
            assert!(::core::mem::align_of::<#name>() == #align_v);
            #(#asserts)*
        };

        impl #name {
            /// All bytes zero.
            #[inline(always)]
            pub const fn zeroed() -> Self {
                // SAFETY: every field is an integer, an array of them or a raw
                // pointer, for which all-zero bytes are a valid value.
                unsafe { ::core::mem::zeroed() }
            }
        }

        impl ::core::default::Default for #name {
            fn default() -> Self {
                Self::zeroed()
            }
        }
    }
}
