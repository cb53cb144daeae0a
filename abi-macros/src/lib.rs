//! The `#[syscall_bridge]` attribute of abi-bridge. Use it through
//! `abi_runtime::syscall_bridge`; see that crate for examples.
//!
//! This crate is thin on purpose: it parses the user's item, asks `abi-spec`
//! to check and expand it, and turns problems into compile errors on the
//! user's spans. It holds no ABI knowledge.

use proc_macro::TokenStream;
use quote::quote;

mod build_target;
mod constants;
mod decl;
mod entry;
mod errno;
mod layouts;
mod options;
mod specs;
mod structs;
mod surface;
mod syscall_table;
mod trampolines;

/// Bridges bodiless `unsafe fn` declarations to system calls, on every target
/// that has a spec file.
///
/// ```text
/// use abi_runtime::{syscall_bridge, Errno};
///
/// #[syscall_bridge]
/// pub unsafe fn write(fd: i32, buf: *const u8, count: usize) -> Result<usize, Errno>;
///
/// #[syscall_bridge]
/// mod sys {
///     use abi_runtime::Errno;
///     pub unsafe fn getpid() -> Result<i32, Errno>;
///     #[syscall_bridge(name = "newfstatat")]
///     pub unsafe fn fstatat(dirfd: i32, path: *const u8, buf: *mut u8, flags: i32) -> Result<(), Errno>;
///     pub unsafe fn exit_group(status: i32) -> !;
/// }
/// ```
///
/// Options: `name = "call"` picks the call when the function is named
/// otherwise; `targets = "dir"` adds the spec files of `dir` (relative to the
/// crate's `Cargo.toml`) to the built-in ones; `fallback = path` with
/// `fallback_on = "ENOSYS, EPERM"` makes a probed call. abi-runtime's docs of
/// the re-exported attribute have tested examples of each.
#[proc_macro_attribute]
pub fn syscall_bridge(attr: TokenStream, item: TokenStream) -> TokenStream {
    decl::expand_item(attr.into(), item.into()).into()
}

/// Generates `Errno`'s constants and name table from `targets/errno/*.toml`.
/// Internal to abi-runtime.
#[doc(hidden)]
#[proc_macro]
pub fn __errno_table(input: TokenStream) -> TokenStream {
    let ty = proc_macro2::TokenStream::from(input);
    with_builtin(|specs| errno::table(specs, &ty))
}

/// Generates the `consts` module: the `[constants]` of each target spec,
/// cfg-gated. Internal to abi-runtime.
#[doc(hidden)]
#[proc_macro]
pub fn __constants(_input: TokenStream) -> TokenStream {
    with_builtin(constants::module)
}

/// Generates the `layouts` module: a type per `[layouts.*]` of each target
/// spec, cfg-gated, with accessors that read and write its fields at the
/// spec's offsets, widths and byte order. `__layouts!(linux { timespec(tv_sec,
/// tv_nsec), ... })` also names what the caller reads on that OS, so a spec
/// that lacks it is a compile error. Internal to abi-runtime.
#[doc(hidden)]
#[proc_macro]
pub fn __layouts(input: TokenStream) -> TokenStream {
    let wanted = syn::parse_macro_input!(input as layouts::Wanted);
    with_builtin(|specs| layouts::module(specs, &wanted))
}

/// The `_start` of a freestanding (`#![no_main]`) program, generated from the
/// target spec's `[entry]` template: it calls `main` with the initial stack
/// pointer, where the kernel left `argc`, `argv` and `envp`.
///
/// ```text
/// abi_runtime::entry_point!(start);
/// extern "C" fn start(stack: *const usize) -> ! {
///     let argc = unsafe { *stack };
///     # loop {}
/// }
/// ```
#[proc_macro]
pub fn entry_point(input: TokenStream) -> TokenStream {
    let main = proc_macro2::TokenStream::from(input);
    with_builtin(|specs| entry::entry(specs, main))
}

/// Runs `f` on the built-in specs, or turns their diagnostics into compile errors.
fn with_builtin(f: impl FnOnce(&abi_spec::Specs) -> proc_macro2::TokenStream) -> TokenStream {
    match specs::builtin() {
        Ok(specs) => {
            let mut out = specs::tracking();
            out.extend(f(specs));
            out.into()
        }
        Err(e) => {
            let errs = e.0.iter().map(|d| {
                let m = d.one_line();
                quote! { ::core::compile_error!(#m); }
            });
            quote! { #(#errs)* }.into()
        }
    }
}

/// Generates the dynamic-call items of `abi_runtime::abi` (the `Frame` type,
/// trampolines, callback thunks and ABI descriptors) from the ABI and arch
/// spec files: `__trampolines!(crate::abi, POOL)`. Internal to abi-runtime.
#[doc(hidden)]
#[proc_macro]
pub fn __trampolines(input: TokenStream) -> TokenStream {
    trampolines::expand(input.into()).into()
}

/// On targets whose conventions get no trampolines, the target's name and
/// the reason, from the spec files: `__no_trampolines!()`. Internal to
/// abi-runtime.
#[doc(hidden)]
#[proc_macro]
pub fn __no_trampolines(_input: TokenStream) -> TokenStream {
    trampolines::unsupported().into()
}

/// Generates the system-call table of `abi_runtime::syscalls` from the target
/// spec files: `__syscall_table!(RowType)`. Internal to abi-runtime.
#[doc(hidden)]
#[proc_macro]
pub fn __syscall_table(input: TokenStream) -> TokenStream {
    syscall_table::expand(input.into()).into()
}

/// Every call of the current target's table as a typed bridged function:
/// `__all_calls!(calls)` makes a module `calls` per target, gated on the
/// target's cfg, whose body invokes [`__target_calls!`] with the target's
/// name; the compiler keeps one module, so one target is rendered. Internal to
/// abi-runtime.
#[doc(hidden)]
#[proc_macro]
pub fn __all_calls(input: TokenStream) -> TokenStream {
    surface::dispatch(input.into()).into()
}

/// The functions of one target's surface: `__target_calls!("linux-x86_64")`.
/// Internal to abi-runtime (invoked by [`__all_calls!`]).
#[doc(hidden)]
#[proc_macro]
pub fn __target_calls(input: TokenStream) -> TokenStream {
    surface::functions(input.into()).into()
}

/// Defines `__if_trampolines!`, `__if_no_trampolines!` and
/// `__if_syscall_table!`, which keep items only on targets the specs give
/// trampolines, give none, or give a system-call table. Internal to
/// abi-runtime.
#[doc(hidden)]
#[proc_macro]
pub fn __dynamic_gates(_input: TokenStream) -> TokenStream {
    trampolines::gates().into()
}
