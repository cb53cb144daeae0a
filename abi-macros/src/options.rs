//! The attribute's options: `name = "..."` and `targets = "..."`.

use proc_macro2::{Span, TokenStream};
use syn::LitStr;
use syn::parse::Parser;

/// Parsed `#[syscall_bridge(...)]` arguments.
#[derive(Default)]
pub(crate) struct Options {
    /// `name = "call"`: the call to bridge, with the literal's span.
    pub(crate) name: Option<(String, Span)>,
    /// `targets = "dir"`: extra spec folder.
    pub(crate) targets: Option<(String, Span)>,
}

impl Options {
    pub(crate) fn parse(tokens: TokenStream) -> syn::Result<Self> {
        let mut out = Options::default();
        let parser = syn::meta::parser(|meta| {
            let slot = if meta.path.is_ident("name") {
                &mut out.name
            } else if meta.path.is_ident("targets") {
                &mut out.targets
            } else {
                return Err(
                    meta.error("unknown option; expected `name = \"call\"` or `targets = \"dir\"`")
                );
            };
            if slot.is_some() {
                return Err(meta.error("this option is given twice"));
            }
            let lit: LitStr = meta.value()?.parse()?;
            *slot = Some((lit.value(), lit.span()));
            Ok(())
        });
        parser.parse2(tokens)?;
        Ok(out)
    }
}
