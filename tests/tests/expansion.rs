//! Snapshots of what the macro generates: one stub per built-in target for a
//! returning call (`write`) and a never-returning one (`exit_group`), each with
//! the plan it was rendered from, and the full `bridge::expand` output for a
//! user-like declaration.
//!
//! Update with `INSTA_UPDATE=always cargo test -p abi-tests --test expansion`
//! (or `cargo insta review`), then read the diff.
// Host only: these check what the macro emits, which does not depend on the target.
#![cfg(all(target_os = "linux", target_arch = "x86_64"))]

use abi_spec::bridge::{self, Decl};
use abi_spec::model::ConvKind;
use abi_spec::render::{self, Param, RetForm, StubSig};
use abi_spec::{SpecFile, Specs, plan};
use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote};

/// The built-in specs as a build for an ARM-state (not Thumb) triple
/// expands them: the snapshots show each target's own form.
fn builtin() -> Specs {
    let mut specs = abi_spec::load_builtin().expect("built-in specs are valid");
    specs.for_triple("armv7-unknown-linux-gnueabihf");
    specs
}

/// The plan's text and the pretty-printed stub, on every target, of the first
/// of `calls` that the target has (each OS names its calls its own way).
fn assert_stubs(label: &str, calls: &[&str]) {
    let specs = builtin();
    assert!(!specs.targets.is_empty());
    let rt = quote!(::abi_runtime);
    for target in &specs.targets {
        let c = calls
            .iter()
            .find_map(|name| target.call(name))
            .unwrap_or_else(|| panic!("{} has none of {calls:?}", target.name));
        let text = if target.syscall.kind == ConvKind::Trap {
            let plan = plan::lower(target, c);
            let code = render::pretty(render::stub(&plan, &render::spec_signature(&plan), &rt));
            format!("{plan}\n{code}")
        } else {
            let plan = plan::lower_linked(target, c, true);
            let code = render::pretty(render::linked_stub(
                &plan,
                &render::linked_signature(&plan),
                &rt,
            ));
            format!("{plan}\n{code}")
        };
        insta::assert_snapshot!(format!("{label}@{}", target.name), text);
    }
}

#[test]
fn write_on_every_target() {
    assert_stubs("write", &["write", "fd_write", "WriteFile"]);
}

#[test]
fn exit_group_on_every_target() {
    assert_stubs("exit_group", &["exit_group", "proc_exit", "ExitProcess"]);
}

/// `invalid_handle` means all bits of the return value set: a pointer-wide
/// `INVALID_HANDLE_VALUE`, but a `DWORD`'s `WAIT_FAILED` at 32 bits (the
/// stub widens a `u32` return with zeros, so `usize::MAX` would never match).
#[test]
fn all_bits_set_is_read_at_the_return_width() {
    let specs = builtin();
    let rt = quote!(::abi_runtime);
    let windows = specs
        .targets
        .iter()
        .find(|t| t.call("WaitForSingleObject").is_some())
        .expect("a target with WaitForSingleObject");
    let code = |name: &str| {
        let plan = plan::lower_linked(windows, windows.call(name).unwrap(), true);
        render::linked_stub(&plan, &render::linked_signature(&plan), &rt).to_string()
    };
    let wait = code("WaitForSingleObject");
    assert!(wait.contains("__abi_raw as u32 == u32 :: MAX"), "{wait}");
    let create = code("CreateFileW");
    assert!(create.contains("__abi_raw == usize :: MAX"), "{create}");
}

fn param(name: &str, ty: TokenStream) -> Param {
    Param {
        name: format_ident!("{}", name),
        ty,
        span: Span::call_site(),
    }
}

/// What the macro builds from
///
/// ```text
/// /// Status of `path` relative to `dirfd`.
/// #[syscall_bridge(name = "newfstatat")]
/// pub unsafe fn fstatat(dirfd: Fd, path: *const u8, buf: *mut u8, flags: i32) -> Result<(), Errno>;
/// ```
fn fstatat_decl() -> Decl {
    Decl {
        sig: StubSig {
            attrs: vec![quote!(#[doc = " Status of `path` relative to `dirfd`."])],
            vis: quote!(pub),
            name: format_ident!("fstatat"),
            params: vec![
                param("dirfd", quote!(Fd)),
                param("path", quote!(*const u8)),
                param("buf", quote!(*mut u8)),
                param("flags", quote!(i32)),
            ],
            ret: RetForm::Decoded(quote!(Result<(), Errno>)),
        },
        call: "newfstatat".to_owned(),
        call_span: Span::call_site(),
        params_span: Span::call_site(),
        ret_span: Span::call_site(),
        fallback: None,
    }
}

#[test]
fn expand_user_declaration() {
    let out = bridge::expand(&builtin(), &fstatat_decl(), &quote!(::abi_runtime))
        .unwrap_or_else(|e| panic!("{e:?}"));
    insta::assert_snapshot!(render::pretty(out));
}

/// With a user target that lacks the call, its stub is replaced by a
/// `compile_error!` gated on that target.
#[test]
fn expand_with_a_target_missing_the_call() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/ui/specs/extra/none-x86_64.toml"
    );
    let text: String = std::fs::read_to_string(path)
        .expect("fixture spec")
        .lines()
        .filter(|l| !l.starts_with("newfstatat "))
        .map(|l| format!("{l}\n"))
        .collect();
    let mut files = abi_spec::builtin_files();
    files.extend(SpecFile::from_relative(
        "none-x86_64.toml",
        "extra/none-x86_64.toml".to_owned(),
        text,
    ));
    let mut specs = abi_spec::load(&files).unwrap_or_else(|d| panic!("{d:?}"));
    specs.for_triple("armv7-unknown-linux-gnueabihf");
    assert_eq!(specs.targets.len(), builtin().targets.len() + 1);
    let out = bridge::expand(&specs, &fstatat_decl(), &quote!(::abi_runtime))
        .unwrap_or_else(|e| panic!("{e:?}"));
    insta::assert_snapshot!(render::pretty(out));
}

/// The `compile_error!`s of an expansion, each with the `target_arch` of the
/// cfg that gates it.
fn gated_errors(tokens: &str) -> Vec<String> {
    let parts: Vec<&str> = tokens.split("compile_error !").collect();
    parts
        .windows(2)
        .map(|w| {
            let arch = w[0]
                .rsplit("target_arch = \"")
                .next()
                .and_then(|a| a.split('"').next())
                .unwrap_or("?");
            let msg = w[1].split('"').nth(1).unwrap_or("?");
            format!("[{arch}] {msg}")
        })
        .collect()
}

/// The messages of declarations that disagree with the specs: one that names
/// no call fails everywhere; one that disagrees with a table is an error for
/// that table's target only, gated on its cfg.
#[test]
fn expand_errors() {
    let specs = builtin();
    let rt = quote!(::abi_runtime);
    let mut unknown = fstatat_decl();
    unknown.call = "newfstatta".to_owned();
    let mut short = fstatat_decl();
    short.sig.params.pop();
    let mut never = fstatat_decl();
    never.sig.ret = RetForm::Never;
    let mut exit = fstatat_decl();
    exit.call = "exit_group".to_owned();
    exit.sig.params.truncate(1);
    let text: String = [unknown, short, never, exit]
        .iter()
        .flat_map(|d| match bridge::expand(&specs, d, &rt) {
            Ok(ts) => gated_errors(&ts.to_string()),
            Err(errs) => errs.into_iter().map(|e| e.message).collect(),
        })
        .map(|m| format!("{m}\n"))
        .collect();
    insta::assert_snapshot!(text);
}
