//! The typed surface of a target's call table: one bridged function per call,
//! typed from the spec's argument kinds and documented with the call's number
//! or import, its arguments and where the entry came from. abi-runtime puts it
//! in `linux::calls`, `wasi::calls` and `windows::calls`.
//!
//! It is made in two steps, so that a build pays for one target only:
//! [`dispatch`] renders one cfg-gated module per target whose body is a
//! second macro invocation naming the target; the compiler drops the modules
//! of the other targets before that invocation expands, and [`functions`]
//! renders the one that is left.
//!
//! What gets a function: every entry of `[calls]`, under its own name; where a
//! `[via]` entry of the same name shadows it, the function has the `[via]`
//! shape (the portable one a declaration gets); a `[via]` entry that names no
//! call gets a function of its own. A never-returning call returns `!`.
//! `[excluded]` calls are not in the table and get none: the module's docs list
//! them with their reasons.

use proc_macro2::{Ident, Span, TokenStream};
use quote::{format_ident, quote};

use crate::model::{Arg, ArgKind, ConvKind, ErrorConv, Pass, Shape, Specs, Target};
use crate::plan::{lower_linked, lower_shape};
use crate::render::{Param, RetForm, StubSig, cfg_predicate, kind_type, linked_stub, stub};

/// The functions of `target`'s surface, in order: every call of the table (by
/// its `[via]` shape where one shadows it), then the `[via]` entries that
/// name no call.
pub fn shapes(target: &Target) -> Vec<Shape<'_>> {
    let mut out: Vec<Shape<'_>> = target
        .calls
        .iter()
        .filter_map(|c| target.shape(&c.name))
        .collect();
    out.extend(
        target
            .via
            .iter()
            .filter(|v| target.call(&v.name).is_none())
            .filter_map(|v| target.shape(&v.name)),
    );
    out
}

/// One module per target, gated on the target's cfg, named `module`, holding
/// `inner!("<target>")`: `inner` is the path of the macro that expands to
/// [`functions`] of the named target.
pub fn dispatch(specs: &Specs, module: &Ident, inner: &TokenStream) -> TokenStream {
    let mut out = TokenStream::new();
    for t in &specs.targets {
        let cfg = cfg_predicate(t);
        let name = &t.name;
        let doc = module_doc(t);
        out.extend(quote! {
            #[cfg(#cfg)]
            #(#[doc = #doc])*
            #[allow(non_snake_case, clippy::missing_safety_doc, clippy::too_many_arguments)]
            pub mod #module {
                #inner!(#name);
            }
        });
    }
    out
}

/// The functions of `target`'s surface, `NAMES`, `CALL_COUNT`, `VIA_COUNT`
/// and `SHADOWED`. `rt` is the runtime crate's path.
pub fn functions(target: &Target, rt: &TokenStream) -> TokenStream {
    let mut out = TokenStream::new();
    let mut names = Vec::new();
    let mut idents = Vec::new();
    let mut shadowed = Vec::new();
    let mut calls = 0usize;
    for shape in shapes(target) {
        let ident = rust_ident(shape.name);
        let sig = signature(target, shape, ident.clone());
        out.extend(match target.syscall.kind {
            ConvKind::Trap => stub(&lower_shape(target, shape), &sig, rt),
            ConvKind::Import | ConvKind::Call => {
                linked_stub(&lower_linked(target, shape.call, true), &sig, rt)
            }
        });
        if target.call(shape.name).is_some() {
            calls += 1;
            if shape.via.is_some() {
                shadowed.push(shape.name);
            }
        }
        names.push(shape.name);
        idents.push(ident);
    }
    let (n, vias, s) = (names.len(), names.len() - calls, shadowed.len());
    let calls_doc = format!(
        " Functions for entries of the call table: one per entry of `[calls]` in `{}` ({calls}).",
        target.loc.path
    );
    quote! {
        #out
        #[doc = #calls_doc]
        pub const CALL_COUNT: usize = #calls;
        /// Functions for `[via]` entries that name no call of the table: portable
        /// calls this target makes through another entry.
        pub const VIA_COUNT: usize = #vias;
        /// The name of every function of this module: the calls in table order,
        /// then the `[via]` entries that name no call.
        pub const NAMES: [&str; #n] = [#(#names),*];
        /// Calls of the table whose function has the shape of the `[via]` entry
        /// of the same name (the portable one), not the entry's own.
        pub const SHADOWED: [&str; #s] = [#(#shadowed),*];
        /// The address of every function of this module, in the order of
        /// `NAMES`: taking them makes the compiler build each one (and link
        /// each import). For tests; not a stable API.
        #[doc(hidden)]
        pub fn __addresses() -> [usize; #n] {
            [#(#idents as usize),*]
        }
    }
}

/// A Rust identifier for a spec name: a raw identifier for a keyword, and a
/// trailing `_` for the few words that cannot be raw (`self`, `crate`, ...).
fn rust_ident(name: &str) -> Ident {
    match name {
        "self" | "Self" | "super" | "crate" | "_" => format_ident!("{}_", name),
        _ => syn::parse_str::<Ident>(name)
            .ok()
            .filter(|_| name != "gen")
            .unwrap_or_else(|| Ident::new_raw(name, Span::call_site())),
    }
}

/// The function's signature: the spec's arguments as their kinds' Rust types;
/// `Result<T, Errno>` with `T` the value the call hands back, or `!`.
fn signature(target: &Target, shape: Shape<'_>, name: Ident) -> StubSig {
    let call = shape.call;
    let params = shape
        .args
        .iter()
        .map(|a| Param {
            name: rust_ident(&a.name),
            ty: kind_type(a.kind),
            span: Span::call_site(),
        })
        .collect();
    let value = match target.syscall.kind {
        ConvKind::Trap => shape
            .via
            .and_then(|v| v.result)
            .map_or_else(|| quote! { usize }, kind_type),
        ConvKind::Import | ConvKind::Call => match call.results.as_slice() {
            // A returned errno is the error and nothing else: 0 says only "no error".
            [] if call.errors == ErrorConv::ReturnedErrno => quote! { () },
            [] => call.ret.map_or_else(|| quote! { () }, kind_type),
            [one] => kind_type(one.kind),
            many => {
                let tys = many.iter().map(|r| kind_type(r.kind));
                quote! { (#(#tys),*) }
            }
        },
    };
    let ret = if call.noreturn {
        RetForm::Never
    } else {
        RetForm::Decoded(quote! { ::core::result::Result<#value, ::abi_runtime::Errno> })
    };
    StubSig {
        attrs: function_doc(target, shape)
            .into_iter()
            .map(|line| quote! { #[doc = #line] })
            .collect(),
        vis: quote! { pub },
        name,
        params,
        ret,
    }
}

/// `fd: fd, buf: mut_ptr, count: usize`.
fn arg_list(args: &[Arg]) -> String {
    args.iter()
        .map(|a| format!("{}: {}", a.name, a.kind.as_str()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// One item of a `[via]` entry's `pass` list, as the spec writes it.
fn pass_text(p: &Pass, args: &[Arg]) -> String {
    match p {
        Pass::Arg(i) => args[*i].name.clone(),
        Pass::Low(i) => format!("{}.lo", args[*i].name),
        Pass::High(i) => format!("{}.hi", args[*i].name),
        Pass::Scaled(i, n) => format!("{} / {n}", args[*i].name),
        Pass::Const(c) => c.to_string(),
        Pass::ResultSlot => "&result".to_owned(),
        Pass::Block(items) => {
            let items: Vec<String> = items.iter().map(|p| pass_text(p, args)).collect();
            format!("&[{}]", items.join(", "))
        }
    }
}

/// How a call's result is decoded, for the docs (in backticks where it has
/// brackets, which rustdoc would read as links).
fn errors_text(conv: ErrorConv, target: &Target) -> String {
    let last = &target.syscall.last_error;
    match conv {
        ErrorConv::NegatedErrno { max } => {
            format!("a raw result in `-{max}..=-1` is `Err(errno)`, any other is the value")
        }
        ErrorConv::ReturnedErrno => "a non-zero return is `Err(errno)`".to_owned(),
        ErrorConv::BoolFalse => format!("`FALSE` (0) is `Err`, with the code of `{last}`"),
        ErrorConv::InvalidHandle => {
            format!("`INVALID_HANDLE_VALUE` (-1) is `Err`, with the code of `{last}`")
        }
        ErrorConv::Null => format!("`NULL` is `Err`, with the code of `{last}`"),
        ErrorConv::Zero => format!("0 is `Err`, with the code of `{last}`"),
        ErrorConv::NtStatus => "a negative `NTSTATUS` is `Err(status)`".to_owned(),
        ErrorConv::Never => "it cannot fail: always `Ok`".to_owned(),
        ErrorConv::Flag { .. } => format!(
            "a set error flag (`{}`) makes the raw result `Err(errno)`",
            target.syscall.flag_read.join("; ")
        ),
    }
}

/// Where a target's table came from, in one line.
fn source_text(target: &Target) -> String {
    let p = &target.provenance;
    if !p.syscall_table.is_empty() {
        let pkg = if p.kernel_package.is_empty() {
            "the kernel source"
        } else {
            &p.kernel_package
        };
        format!("{pkg} {}, `{}`", p.kernel, p.syscall_table)
    } else if !p.package.is_empty() {
        match p.headers.first() {
            Some(h) => format!("{} (`{h}`)", p.package),
            None => p.package.clone(),
        }
    } else {
        p.source.clone()
    }
}

/// The doc lines of one function.
fn function_doc(target: &Target, shape: Shape<'_>) -> Vec<String> {
    let c = shape.call;
    let what = match (target.syscall.kind, shape.via) {
        (ConvKind::Trap, None) => format!("system call {} of {}", c.nr, target.name),
        (ConvKind::Trap, Some(v)) if v.pass.is_empty() => format!(
            "made through `{}` (system call {} of {})",
            c.name, c.nr, target.name
        ),
        (ConvKind::Trap, Some(v)) => format!(
            "made through `{}` (system call {} of {}), which gets `{}`",
            c.name,
            c.nr,
            target.name,
            v.pass
                .iter()
                .map(|p| pass_text(p, shape.args))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        (ConvKind::Import, _) => format!(
            "import `{}` of the wasm module `{}` ({})",
            c.symbol, c.library, target.name
        ),
        (ConvKind::Call, _) => format!(
            "`{}` of `{}.dll`, called as `extern \"{}\"` ({})",
            c.symbol, c.library, target.syscall.rust_abi, target.name
        ),
    };
    let mut lines = vec![format!(" `{}`: {what}.", shape.name), String::new()];
    let mut args = format!(" Arguments: `{}`", arg_list(shape.args));
    if shape.args.is_empty() {
        args = " No arguments".to_owned();
    }
    let value = if c.noreturn {
        "; it never returns.".to_owned()
    } else if !c.results.is_empty() {
        format!(
            "; hands back `{}` through out-pointers, the value of `Ok`; {}.",
            arg_list(&c.results),
            errors_text(c.errors, target)
        )
    } else if let Some(r) = shape.via.and_then(|v| v.result) {
        format!(
            "; the value is the `{}` the kernel writes through `&result`; {}.",
            r.as_str(),
            errors_text(c.errors, target)
        )
    } else {
        let ret = match target.syscall.kind {
            _ if c.errors == ErrorConv::ReturnedErrno => String::new(),
            ConvKind::Trap => String::new(),
            _ => format!(
                "; returns {}",
                c.ret
                    .map_or("nothing".to_owned(), |k| format!("`{}`", k.as_str()))
            ),
        };
        format!("{ret}; {}.", errors_text(c.errors, target))
    };
    lines.push(format!("{args}{value}"));
    lines.push(String::new());
    let entry = shape.via.map_or(&c.loc, |v| &v.loc);
    if entry.path == target.loc.path {
        lines.push(format!(
            " Entry `{}:{}`; table from {}.",
            entry.path,
            entry.line,
            source_text(target)
        ));
    } else {
        lines.push(format!(" Entry `{}:{}`.", entry.path, entry.line));
    }
    if let Some(why) = &c.unverified {
        lines.push(String::new());
        lines.push(format!(
            " Not checked against the headers: {}.",
            why.trim_end_matches('.')
        ));
    }
    lines
}

/// `fd`: `i32`, `u32`: `u32`, ...: each kind with the Rust type it becomes.
fn kinds_text() -> String {
    ArgKind::ALL
        .iter()
        .map(|(name, k)| format!("`{name}`: `{}`", k.rust_type()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The doc lines of a target's module.
fn module_doc(target: &Target) -> Vec<String> {
    let how = match target.syscall.kind {
        ConvKind::Trap => "a system call by number, through an inline stub of the target's trap",
        ConvKind::Import => "an import of the host, through an inline stub",
        ConvKind::Call => "a function of a system DLL, imported without an import library",
    };
    let via_only = target
        .via
        .iter()
        .filter(|v| target.call(&v.name).is_none())
        .count();
    let mut lines = vec![
        format!(
            " Every call of the {} table (`{}`), typed from the spec: {} functions, each {how}.",
            target.name,
            target.loc.path,
            target.calls.len() + via_only
        ),
        String::new(),
        format!(" Table: {}.", target.provenance.source),
        String::new(),
        format!(
            " Arguments have the Rust type of their kind in the spec ({}). A call returns \
             `Result<T, Errno>`, where `T` is `usize` for a raw result, the type of the value a \
             call hands back (through out-pointers or a result slot), or `()` for none; a call \
             that never returns returns `!`.",
            kinds_text()
        ),
        String::new(),
        " # Safety".to_owned(),
        String::new(),
        " Every function is `unsafe`: the callee trusts its pointers, lengths and flags, and \
         some calls change the process in ways Rust cannot see (memory maps, signal handlers, \
         threads). Uphold the call's own contract (its manual page or documentation)."
            .to_owned(),
    ];
    if !target.via.is_empty() {
        let vias: Vec<String> = target
            .via
            .iter()
            .map(|v| {
                let shadows = if target.call(&v.name).is_some() {
                    " (shadows the entry of that name)"
                } else {
                    ""
                };
                format!("`{}` through `{}`{shadows}", v.name, v.call)
            })
            .collect();
        lines.push(String::new());
        lines.push(format!(
            " Portable calls made through another entry (`[via]`), with the portable arguments: {}. \
             The entries they go through have functions of their own.",
            vias.join(", ")
        ));
    }
    if !target.excluded.is_empty() {
        lines.push(String::new());
        lines.push(" Left out of the table (`[excluded]`), so without a function here:".to_owned());
        lines.push(String::new());
        for e in &target.excluded {
            let nr = e.nr.map(|n| format!(" ({n})")).unwrap_or_default();
            lines.push(format!(" - `{}`{nr}: {}", e.name, e.reason));
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_call_has_one_function() {
        let specs = crate::load_builtin().expect("built-in specs");
        for t in &specs.targets {
            let shapes = shapes(t);
            let mut names: Vec<&str> = shapes.iter().map(|s| s.name).collect();
            names.sort_unstable();
            names.dedup();
            assert_eq!(names.len(), shapes.len(), "{}: a name twice", t.name);
            for c in &t.calls {
                assert!(names.contains(&c.name.as_str()), "{}: {}", t.name, c.name);
            }
            let rendered = functions(t, &quote! { ::abi_runtime }).to_string();
            assert!(rendered.contains("CALL_COUNT"), "{}", t.name);
        }
    }

    #[test]
    fn keywords_become_raw_identifiers() {
        assert_eq!(rust_ident("break").to_string(), "r#break");
        assert_eq!(rust_ident("type").to_string(), "r#type");
        assert_eq!(rust_ident("gen").to_string(), "r#gen");
        assert_eq!(rust_ident("self").to_string(), "self_");
        assert_eq!(rust_ident("read").to_string(), "read");
    }
}
