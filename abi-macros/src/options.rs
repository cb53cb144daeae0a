//! The attribute's options: `name = "..."`, `targets = "..."`,
//! `fallback = path` and `fallback_on = "ENOSYS, EPERM"`.

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
    /// `fallback = path`: the function to call when the call is missing.
    pub(crate) fallback: Option<(TokenStream, Span)>,
    /// `fallback_on = "ENOSYS, EPERM"`: the errors that switch to the fallback.
    pub(crate) fallback_on: Option<(String, Span)>,
}

impl Options {
    pub(crate) fn parse(tokens: TokenStream) -> syn::Result<Self> {
        let mut out = Options::default();
        let parser = syn::meta::parser(|meta| {
            if meta.path.is_ident("fallback") {
                if out.fallback.is_some() {
                    return Err(meta.error("this option is given twice"));
                }
                let path: syn::Path = meta.value()?.parse()?;
                out.fallback = Some((
                    quote::ToTokens::to_token_stream(&path),
                    syn::spanned::Spanned::span(&path),
                ));
                return Ok(());
            }
            let slot = if meta.path.is_ident("name") {
                &mut out.name
            } else if meta.path.is_ident("targets") {
                &mut out.targets
            } else if meta.path.is_ident("fallback_on") {
                &mut out.fallback_on
            } else {
                return Err(meta.error(
                    "unknown option; expected `name = \"call\"`, `targets = \"dir\"`, `fallback = path` or `fallback_on = \"ENOSYS\"`",
                ));
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
