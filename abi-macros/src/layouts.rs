//! The `layouts` module: one type per `[layouts.*]` of each target spec,
//! cfg-gated, whose accessors read and write the fields at the spec's offsets,
//! widths and byte order. The caller names the layouts (and fields) it uses
//! on one OS; a spec of that OS that lacks one is a compile error naming the
//! file and the command that writes it.

use abi_spec::Specs;
use abi_spec::layout::{FieldType, Layout};
use abi_spec::model::Target;
use abi_spec::render::cfg_predicate;
use proc_macro2::{Ident, Span, TokenStream};
use quote::{format_ident, quote};
use syn::parse::{Parse, ParseStream};
use syn::punctuated::Punctuated;
use syn::{Token, braced, parenthesized};

/// `os { layout(field, ...), ... }`.
pub(crate) struct Wanted {
    os: Ident,
    layouts: Vec<(Ident, Vec<Ident>)>,
}

impl Parse for Wanted {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let os: Ident = input.parse()?;
        let body;
        braced!(body in input);
        let mut layouts = Vec::new();
        while !body.is_empty() {
            let name: Ident = body.parse()?;
            let fields;
            parenthesized!(fields in body);
            let fields = Punctuated::<Ident, Token![,]>::parse_terminated(&fields)?;
            layouts.push((name, fields.into_iter().collect()));
            if !body.is_empty() {
                body.parse::<Token![,]>()?;
            }
        }
        Ok(Wanted { os, layouts })
    }
}

pub(crate) fn module(specs: &Specs, wanted: &Wanted) -> TokenStream {
    let mut out = TokenStream::new();
    for t in &specs.targets {
        let cfg = cfg_predicate(t);
        if wanted.os == t.cfg.os {
            for m in missing(t, wanted) {
                out.extend(quote! { #[cfg(#cfg)] ::core::compile_error!(#m); });
            }
        }
        if t.layouts.is_empty() {
            continue;
        }
        let types = t.layouts.iter().map(|l| layout_type(t, l));
        let structs = t.layouts.iter().map(|l| crate::structs::struct_type(t, l));
        let struct_doc = format!(
            "Kernel structures on {} as `#[repr(C)]` types, one field per C member, from the `[layouts]` of {} (measured from the headers; the size, alignment and offsets are asserted at compile time).",
            t.name, t.loc.path
        );
        let doc = format!(
            "Kernel structures on {}, laid out as the `[layouts]` of {} say.",
            t.name, t.loc.path
        );
        out.extend(quote! {
            #[cfg(#cfg)]
            #[doc = #doc]
            pub mod layouts {
                #(#types)*
            }

            #[cfg(#cfg)]
            #[doc = #struct_doc]
            pub mod types {
                #(#structs)*
            }
        });
    }
    out
}

/// What `t` lacks of `wanted`, as messages.
fn missing(t: &Target, wanted: &Wanted) -> Vec<String> {
    let fix = format!("run `cargo xtask import-layouts --target {}`", t.name);
    let mut out = Vec::new();
    for (name, fields) in &wanted.layouts {
        let name = name.to_string();
        let Some(l) = t.layout(&name) else {
            out.push(format!(
                "{} has no [layouts.{name}], which abi-runtime reads: {fix}",
                t.loc.path
            ));
            continue;
        };
        for f in fields.iter().map(ToString::to_string) {
            if l.field(&f).is_none() {
                out.push(format!(
                    "{}: [layouts.{name}] has no field `{f}`, which abi-runtime reads: {fix}",
                    l.loc
                ));
            }
        }
    }
    out
}

/// `epoll_event` -> `EpollEvent`.
pub(crate) fn type_name(layout: &str) -> Ident {
    let camel: String = layout
        .split('_')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let mut c = p.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect();
    Ident::new(&camel, Span::call_site())
}

fn int_type(ty: FieldType) -> Ident {
    Ident::new(ty.as_str(), Span::call_site())
}

fn layout_type(t: &Target, l: &Layout) -> TokenStream {
    let name = type_name(&l.name);
    let (size, align) = (l.size as usize, l.align as usize);
    let align_lit = proc_macro2::Literal::usize_unsuffixed(align);
    let big = t.cfg.endian == "big";
    let (from, to) = if big {
        (quote!(from_be_bytes), quote!(to_be_bytes))
    } else {
        (quote!(from_le_bytes), quote!(to_le_bytes))
    };
    let doc = format!(
        "`{}` ({}) on {}: {size} bytes, aligned to {align}, {} byte order ({}).",
        l.c_type, l.header, t.name, t.cfg.endian, l.loc
    );
    // Arrays have no integer to read; their offset is what code needs.
    let fields = l.fields.iter().filter(|f| f.count.is_none()).map(|f| {
        let get = Ident::new(&f.name, Span::call_site());
        let set = format_ident!("set_{}", f.name);
        let off_name = format_ident!("{}_OFFSET", f.name.to_ascii_uppercase());
        let (off, width) = (f.offset as usize, f.ty.bytes as usize);
        let end = off + width;
        let ty = int_type(f.ty);
        let get_doc = format!(
            "`{}`: the {} at offset {off}, {}.",
            f.name,
            f.ty.as_str(),
            if f.ty.signed {
                "sign-extended"
            } else if f.ty.bytes == 8 {
                "its 64 bits as an `i64`"
            } else {
                "zero-extended"
            }
        );
        let set_doc = format!(
            "Stores `value` in `{}` (the {} at offset {off}), truncated to its width.",
            f.name,
            f.ty.as_str()
        );
        let off_doc = format!("The offset of `{}`.", f.name);
        quote! {
            #[doc = #off_doc]
            pub const #off_name: usize = #off;
            #[doc = #get_doc]
            #[inline(always)]
            pub fn #get(&self) -> i64 {
                let mut b = [0u8; #width];
                b.copy_from_slice(&self.0[#off..#end]);
                #ty::#from(b) as i64
            }
            #[doc = #set_doc]
            #[inline(always)]
            pub fn #set(&mut self, value: i64) {
                self.0[#off..#end].copy_from_slice(&(value as #ty).#to());
            }
        }
    });
    quote! {
        #[doc = #doc]
        #[repr(C, align(#align_lit))]
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub struct #name([u8; #size]);

        impl #name {
            /// `sizeof`.
            pub const SIZE: usize = #size;
            /// `_Alignof`.
            pub const ALIGN: usize = #align;

            /// All bytes zero.
            #[inline(always)]
            pub const fn zeroed() -> Self {
                Self([0; #size])
            }

            /// The structure as the kernel reads it.
            #[inline(always)]
            pub fn as_ptr(&self) -> *const ::core::ffi::c_void {
                self.0.as_ptr().cast()
            }

            /// The structure for the kernel to fill.
            #[inline(always)]
            pub fn as_mut_ptr(&mut self) -> *mut ::core::ffi::c_void {
                self.0.as_mut_ptr().cast()
            }

            /// The raw bytes.
            #[inline(always)]
            pub fn bytes(&self) -> &[u8; #size] {
                &self.0
            }

            #(#fields)*
        }

        impl ::core::default::Default for #name {
            fn default() -> Self {
                Self::zeroed()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wanted(text: &str) -> Wanted {
        syn::parse_str(text).unwrap()
    }

    #[test]
    fn a_spec_without_a_wanted_layout_or_field_is_named_with_the_fix() {
        let specs = abi_spec::load_builtin().unwrap();
        let mut t = specs.target("linux-x86_64").unwrap().clone();
        t.layouts.retain(|l| l.name != "epoll_event");
        let m = missing(
            &t,
            &wanted("linux { epoll_event(events), stat(st_size, st_flux) }"),
        );
        assert_eq!(m.len(), 2, "{m:?}");
        assert!(m[0].starts_with("targets/linux-x86_64.toml has no [layouts.epoll_event]"));
        assert!(m[0].ends_with("run `cargo xtask import-layouts --target linux-x86_64`"));
        assert!(
            m[1].contains("[layouts.stat] has no field `st_flux`"),
            "{m:?}"
        );
        let ok = wanted("linux { epoll_event(events) }");
        let full = specs.target("linux-x86_64").unwrap();
        assert!(missing(full, &ok).is_empty());
    }

    #[test]
    fn accessors_follow_the_targets_byte_order_and_offsets() {
        let specs = abi_spec::load_builtin().unwrap();
        let render = |name: &str| {
            let t = specs.target(name).unwrap();
            layout_type(t, t.layout("epoll_event").unwrap()).to_string()
        };
        let little = render("linux-x86_64");
        assert!(little.contains("from_le_bytes") && !little.contains("from_be_bytes"));
        // Packed on x86_64: data at offset 4 of 12 bytes.
        assert!(
            little.contains("pub struct EpollEvent ([u8 ; 12usize])"),
            "{little}"
        );
        assert!(little.contains("self . 0 [4usize .. 12usize]"), "{little}");
        let big = specs
            .targets
            .iter()
            .find(|t| t.cfg.endian == "big" && t.layout("epoll_event").is_some())
            .map(|t| layout_type(t, t.layout("epoll_event").unwrap()).to_string())
            .expect("a big-endian spec with layouts (linux-s390x)");
        assert!(big.contains("from_be_bytes") && !big.contains("from_le_bytes"));
    }
}
