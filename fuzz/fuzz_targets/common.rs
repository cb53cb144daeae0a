//! Shared by the spec-loader targets: load a set of files, check that every
//! diagnostic points inside the file it names, and when the load succeeds,
//! expand a call the way `#[syscall_bridge(targets = "dir")]` does with a
//! user's spec folder and render the trampolines the runtime is built from (a
//! spec the loader accepts must not make the macro panic).

use std::sync::OnceLock;

use abi_spec::bridge::{self, Decl};
use abi_spec::render::{Param, RetForm, StubSig};
use abi_spec::{SpecFile, SpecKind, Specs, load};
use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote};

/// The built-in spec files, read once.
pub fn builtin() -> &'static [SpecFile] {
    static BUILTIN: OnceLock<Vec<SpecFile>> = OnceLock::new();
    BUILTIN.get_or_init(abi_spec::builtin_files)
}

/// Loads `files`; panics (a finding) if a diagnostic's line or column lies
/// outside its file or does not render, or if a successful load cannot be
/// expanded. `seed` picks the call to expand. The loader itself must never panic.
pub fn load_and_check(files: &[SpecFile], seed: usize) {
    match load(files) {
        Err(diags) => {
            assert!(!diags.0.is_empty(), "Err without diagnostics");
            for d in &diags.0 {
                let file = files
                    .iter()
                    .find(|f| f.source.path == d.loc.path)
                    .expect("diagnostic names a loaded file");
                let lines: Vec<&str> = file.source.text.split('\n').collect();
                assert!(
                    d.loc.line >= 1 && d.loc.line <= lines.len(),
                    "line {} of {} lines: {d}",
                    d.loc.line,
                    lines.len()
                );
                let width = lines[d.loc.line - 1].chars().count();
                assert!(
                    d.loc.col >= 1 && d.loc.col <= width + 1,
                    "col {} of {width}: {d}",
                    d.loc.col
                );
                let _ = d.to_string();
                let _ = d.one_line();
            }
            let _ = diags.to_string();
        }
        Ok(specs) => expand_some(&specs, seed),
    }
}

/// Expands one call of each target (picked by `seed`) as the macro would for
/// `pub unsafe fn <call>(a0: usize, ...) -> Result<usize, Errno>;` (or `-> !`).
fn expand_some(specs: &Specs, seed: usize) {
    let rt = quote! { ::abi_runtime };
    for t in &specs.targets {
        if t.calls.is_empty() {
            continue;
        }
        let c = &t.calls[seed % t.calls.len()];
        let ret = if c.noreturn {
            RetForm::Never
        } else {
            RetForm::Decoded(quote! { ::core::result::Result<usize, ::abi_runtime::Errno> })
        };
        let params = (0..c.args.len())
            .map(|i| Param {
                name: format_ident!("a{}", i),
                ty: quote! { usize },
                span: Span::call_site(),
            })
            .collect();
        let decl = Decl {
            sig: StubSig {
                attrs: Vec::new(),
                vis: quote! { pub },
                name: format_ident!("f"),
                params,
                ret,
            },
            call: c.name.clone(),
            call_span: Span::call_site(),
            params_span: Span::call_site(),
            ret_span: Span::call_site(),
            fallback: None,
        };
        let out: TokenStream = bridge::expand(specs, &decl, &rt)
            .unwrap_or_else(|e| panic!("a call of a loaded spec does not expand: {e:?}"));
        if let Err(e) = syn::parse::Parser::parse2(items, out.clone()) {
            panic!("the expansion of `{}` does not parse: {e}\n{out}", c.name);
        }
    }
    // The trampolines (the runtime's items, and `abi-gen trampoline` for each
    // pair of the target's ABI and an ABI its arch lists): errors are fine, panics not.
    let out = abi_spec::trampoline::runtime_items(specs, &quote! { crate::abi });
    if let Err(e) = syn::parse::Parser::parse2(items, out.clone()) {
        panic!("the trampoline items do not parse: {e}\n{out}");
    }
    for t in &specs.targets {
        for a in specs.arch(&t.arch).map_or(&[][..], |a| &a.abis[..]) {
            let _ = abi_spec::trampoline::show(specs, &t.abi, a);
        }
    }
    let out = bridge::uncovered_target_error(specs);
    if let Err(e) = syn::parse::Parser::parse2(items, out.clone()) {
        panic!("the uncovered-target error does not parse: {e}\n{out}");
    }
}

/// The built-in file at `index` replaced by `text`, with the arch, ABI and
/// errno files it may refer to and (when it is not a target itself) the
/// target that refers to it: every check runs, at a fraction of loading all.
pub fn with_replaced(index: usize, text: String) -> Vec<SpecFile> {
    let all = builtin();
    let i = index % all.len();
    let mut files: Vec<SpecFile> = all
        .iter()
        .enumerate()
        .filter(|(j, f)| *j == i || f.kind != SpecKind::Target)
        .map(|(_, f)| f.clone())
        .collect();
    if all[i].kind != SpecKind::Target {
        files.push(user_of(&all[i]).clone());
    }
    if let Some(f) = files
        .iter_mut()
        .find(|f| f.source.path == all[i].source.path)
    {
        f.source.text = text;
    }
    files
}

/// The first built-in target naming `file` (`abi = "win64"`, ...), else linux-x86_64.
fn user_of(file: &SpecFile) -> &'static SpecFile {
    let key = match file.kind {
        SpecKind::Abi => "abi",
        SpecKind::Arch => "arch",
        SpecKind::Errno => "errno",
        SpecKind::Target => "",
    };
    let line = format!("{key} = \"{}\"", file.name);
    let targets = builtin().iter().filter(|f| f.kind == SpecKind::Target);
    targets
        .clone()
        .find(|t| t.source.text.lines().any(|l| l.trim() == line))
        .or_else(|| targets.clone().find(|t| t.name == "linux-x86_64"))
        .or_else(|| targets.clone().next())
        .expect("a built-in target")
}

/// A sequence of items, as in a module body after its inner attributes.
fn items(input: syn::parse::ParseStream<'_>) -> syn::Result<Vec<syn::Item>> {
    let mut out = Vec::new();
    while !input.is_empty() {
        out.push(input.parse()?);
    }
    Ok(out)
}
