//! The expansion of one bridged declaration: check it against every target's
//! call table, then render one cfg-gated stub per target. The proc-macro only
//! parses the user's item into a [`Decl`] and turns [`DeclError`]s into
//! compile errors.

use proc_macro2::{Ident, Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};

use crate::diag::closest;
use crate::model::{Call, ConvKind, Shape, Specs, Target};
use crate::plan::{lower_linked, lower_shape};
use crate::render::{RetForm, StubSig, cfg_predicate, linked_stub, stub};

/// A declaration to bridge.
#[derive(Debug, Clone)]
pub struct Decl {
    /// The signature to render.
    pub sig: StubSig,
    /// The call it names (the function's name, or the `name = "..."` alias).
    pub call: String,
    /// Where the call's name is written.
    pub call_span: Span,
    /// Where the parameter list is written.
    pub params_span: Span,
    /// Where the return type is written.
    pub ret_span: Span,
    /// `fallback = path`: probe the call, and switch to `path` for good when it
    /// fails with one of the listed errors.
    pub fallback: Option<Fallback>,
}

/// A probed call's fallback.
#[derive(Debug, Clone)]
pub struct Fallback {
    /// The function to call instead, with the same signature.
    pub path: TokenStream,
    /// The errno names that mean "not available here" (default `ENOSYS`).
    pub on: Vec<String>,
    /// Where the option is written.
    pub span: Span,
}

/// A declaration that disagrees with the specs.
#[derive(Debug, Clone)]
pub struct DeclError {
    /// Where to point.
    pub span: Span,
    /// What is wrong and how to fix it.
    pub message: String,
}

/// Expands `decl` for every target in `specs`. `rt` is the path of the runtime crate.
pub fn expand(specs: &Specs, decl: &Decl, rt: &TokenStream) -> Result<TokenStream, Vec<DeclError>> {
    let found: Vec<(&Target, Shape<'_>)> = specs
        .targets
        .iter()
        .filter_map(|t| Some((t, t.shape(&decl.call)?)))
        .collect();
    if found.is_empty() {
        let all = specs.targets.iter().flat_map(|t| {
            t.calls
                .iter()
                .map(|c| c.name.as_str())
                .chain(t.via.iter().map(|v| v.name.as_str()))
        });
        let hint = match closest(&decl.call, all) {
            Some(s) => format!("did you mean `{s}`?"),
            None => "calls are listed in the [calls] table of targets/<os>-<arch>.toml; \
                     use `#[syscall_bridge(name = \"...\")]` to bridge a call under another name"
                .to_owned(),
        };
        return Err(vec![DeclError {
            span: decl.call_span,
            message: format!("no target has a call named `{}`; {hint}", decl.call),
        }]);
    }
    // A declaration that disagrees with one target's table is an error for
    // that target only: gated on its cfg, at the user's span.
    let mut gated = TokenStream::new();
    let mut agreeing: Vec<(&Target, Shape<'_>)> = Vec::new();
    for (t, shape) in found {
        let problems = disagreements(t, &shape, decl);
        if problems.is_empty() {
            agreeing.push((t, shape));
            continue;
        }
        let cfg = cfg_predicate(t);
        for DeclError { span, message } in problems {
            gated.extend(quote_spanned! {span=> #[cfg(#cfg)] ::core::compile_error!(#message); });
        }
    }
    let found = agreeing;
    if let Some(fb) = &decl.fallback {
        check_fallback(specs, &found, decl, fb)?;
    }
    let mut out = gated;
    // A probed call renders its stubs under a private name, behind the probe.
    let primary_sig = decl.fallback.as_ref().map(|_| StubSig {
        attrs: vec![quote! { #[allow(non_snake_case)] }],
        vis: TokenStream::new(),
        name: format_ident!("__abi_primary_{}", decl.sig.name),
        ..decl.sig.clone()
    });
    let sig = primary_sig.as_ref().unwrap_or(&decl.sig);
    for &(t, shape) in &found {
        out.extend(match t.syscall.kind {
            ConvKind::Trap => stub(&lower_shape(t, shape), sig, rt),
            ConvKind::Import | ConvKind::Call => {
                let managed = decl.sig.params.len() == shape.args.len();
                linked_stub(&lower_linked(t, shape.call, managed), sig, rt)
            }
        });
    }
    if let (Some(fb), Some(primary)) = (&decl.fallback, &primary_sig) {
        let preds = found.iter().map(|(t, _)| cfg_predicate(t));
        out.extend(probe_wrapper(
            decl,
            fb,
            &primary.name,
            quote! { any(#(#preds),*) },
            rt,
        ));
    }
    for t in specs
        .targets
        .iter()
        .filter(|t| t.shape(&decl.call).is_none())
    {
        let cfg = cfg_predicate(t);
        let msg = format!(
            "`{}` is not in the call table of {} ({}); add it there, or gate this declaration with #[cfg]",
            decl.call, t.name, t.loc.path
        );
        out.extend(quote! { #[cfg(#cfg)] ::core::compile_error!(#msg); });
    }
    Ok(out)
}

/// What is wrong with `decl` for target `t`: the argument count, `-> !`.
fn disagreements(t: &Target, shape: &Shape<'_>, decl: &Decl) -> Vec<DeclError> {
    let c = shape.call;
    let mut errors = Vec::new();
    let n = decl.sig.params.len();
    if !accepts_count(shape, n) {
        let args: Vec<String> = shape
            .args
            .iter()
            .map(|a| format!("{}: {}", a.name, a.kind.as_str()))
            .collect();
        let loc = shape.via.map_or(&c.loc, |v| &v.loc);
        errors.push(DeclError {
            span: decl.params_span,
            message: format!(
                "`{}` takes {} argument{} on {} ({}: {}){}, but this declaration has {n}",
                shape.name,
                shape.args.len(),
                if shape.args.len() == 1 { "" } else { "s" },
                t.name,
                loc,
                args.join(", "),
                results_note(c),
            ),
        });
    }
    let never = matches!(decl.sig.ret, RetForm::Never);
    if c.noreturn != never {
        let message = if c.noreturn {
            format!(
                "`{}` never returns ({} on {}): declare it `-> !`",
                c.name, c.loc, t.name
            )
        } else {
            format!(
                "`{}` returns ({} on {}): declare `-> Result<usize, Errno>` or a raw `-> usize`",
                shape.name, c.loc, t.name
            )
        };
        errors.push(DeclError {
            span: decl.ret_span,
            message,
        });
    }
    errors
}

/// A declaration lists a call's arguments; for a call with results (WASI's
/// out-pointers) it may also list the out-pointers itself.
fn accepts_count(shape: &Shape<'_>, n: usize) -> bool {
    let (args, results) = (shape.args.len(), shape.call.results.len());
    n == args || (results > 0 && n == args + results)
}

fn results_note(c: &Call) -> String {
    if c.results.is_empty() {
        return String::new();
    }
    let r: Vec<String> = c
        .results
        .iter()
        .map(|a| format!("{}: {}", a.name, a.kind.as_str()))
        .collect();
    format!(
        " and hands back {} through out-pointers (declare {} arguments and get them as the value, or {} with the out-pointers)",
        r.join(", "),
        c.args.len(),
        c.args.len() + c.results.len()
    )
}

/// `target_os` values rustc knows, so the error for an uncovered target can name it.
const KNOWN_OS: &[&str] = &[
    "aix",
    "android",
    "cuda",
    "cygwin",
    "dragonfly",
    "emscripten",
    "espidf",
    "freebsd",
    "fuchsia",
    "haiku",
    "hermit",
    "horizon",
    "hurd",
    "illumos",
    "ios",
    "l4re",
    "linux",
    "lynxos178",
    "macos",
    "managarm",
    "motor",
    "netbsd",
    "none",
    "nto",
    "nuttx",
    "openbsd",
    "psp",
    "psx",
    "qurt",
    "redox",
    "rtems",
    "solaris",
    "solid_asp3",
    "teeos",
    "trusty",
    "tvos",
    "uefi",
    "unknown",
    "visionos",
    "vita",
    "vxworks",
    "wasi",
    "watchos",
    "windows",
    "xous",
    "zkvm",
];

/// `target_arch` values rustc knows.
const KNOWN_ARCH: &[&str] = &[
    "aarch64",
    "amdgpu",
    "arm",
    "arm64ec",
    "avr",
    "bpf",
    "csky",
    "hexagon",
    "loongarch32",
    "loongarch64",
    "m68k",
    "mips",
    "mips32r6",
    "mips64",
    "mips64r6",
    "msp430",
    "nvptx64",
    "powerpc",
    "powerpc64",
    "riscv32",
    "riscv64",
    "s390x",
    "sparc",
    "sparc64",
    "wasm32",
    "wasm64",
    "x86",
    "x86_64",
    "xtensa",
];

/// A fallback needs a decoded result to look at, and errno names each target knows.
fn check_fallback(
    specs: &Specs,
    found: &[(&Target, Shape<'_>)],
    decl: &Decl,
    fb: &Fallback,
) -> Result<(), Vec<DeclError>> {
    if !matches!(decl.sig.ret, RetForm::Decoded(_)) {
        return Err(vec![DeclError {
            span: decl.ret_span,
            message: "a call with a fallback must return `Result<_, Errno>`: the error decides when to switch".to_owned(),
        }]);
    }
    let mut errors = Vec::new();
    for name in &fb.on {
        let unknown = found.iter().find(|(t, _)| {
            !specs
                .errno_table(&t.errno)
                .is_some_and(|table| table.entries.iter().any(|e| &e.name == name))
        });
        if let Some((t, _)) = unknown {
            errors.push(DeclError {
                span: fb.span,
                message: format!(
                    "`{name}` is not an errno of {} (targets/errno/{}.toml)",
                    t.name, t.errno
                ),
            });
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

/// The public function of a probed call: one load of the probe slot decides
/// between the primary stub and the fallback; the first failure with a listed
/// error switches the slot to the fallback for the life of the process. The
/// slot is a `static` named after the function (`STATX_PROBE` for `statx`).
fn probe_wrapper(
    decl: &Decl,
    fb: &Fallback,
    primary: &Ident,
    cfg: TokenStream,
    rt: &TokenStream,
) -> TokenStream {
    let StubSig {
        attrs,
        vis,
        name,
        params,
        ret,
    } = &decl.sig;
    let RetForm::Decoded(ret_ty) = ret else {
        return TokenStream::new();
    };
    let slot = format_ident!(
        "{}_PROBE",
        name.to_string().trim_start_matches("r#").to_uppercase()
    );
    let args: Vec<&Ident> = params.iter().map(|p| &p.name).collect();
    let param_list = params.iter().map(|p| {
        let (n, t) = (&p.name, &p.ty);
        quote! { #n: #t }
    });
    let fallback = &fb.path;
    let on = fb.on.iter().map(|e| format_ident!("{}", e));
    let call = &decl.call;
    let doc = format!(" Which way `{name}` went: the bridged `{call}`, or its fallback.");
    quote! {
        #[cfg(#cfg)]
        #[doc = #doc]
        #vis static #slot: #rt::probe::Slot = #rt::probe::Slot::new(#call);

        #[cfg(#cfg)]
        #(#attrs)*
        #[inline]
        #vis unsafe fn #name(#(#param_list),*) -> #ret_ty {
            let state = #slot.state();
            if state == #rt::probe::FALLBACK {
                return unsafe { #fallback(#(#args),*) };
            }
            match unsafe { #primary(#(#args),*) } {
                ::core::result::Result::Err(e) if #(e == #rt::Errno::#on)||* => {
                    #slot.switch(e);
                    unsafe { #fallback(#(#args),*) }
                }
                r => {
                    if state == #rt::probe::UNTRIED {
                        #slot.confirm();
                    }
                    r
                }
            }
        }
    }
}

/// A `compile_error!` for any target that no spec covers, naming the target's
/// `target_os` and `target_arch` (a macro runs on the host and cannot ask which
/// target is being built, so one cfg-gated error per known value does it).
/// Emit it once per macro invocation.
pub fn uncovered_target_error(specs: &Specs) -> TokenStream {
    let preds: Vec<TokenStream> = specs.targets.iter().map(cfg_predicate).collect();
    let names: Vec<&str> = specs.targets.iter().map(|t| t.name.as_str()).collect();
    let fix = format!(
        "abi-bridge has specs for {}; add targets/<os>-<arch>.toml (see README, \"Adding a target\") \
         or point `#[syscall_bridge(targets = \"dir\")]` at your own spec files",
        names.join(", ")
    );
    let uncovered = quote! { not(any(#(#preds),*)) };
    let os = KNOWN_OS.iter().map(|os| {
        let msg = format!("abi-bridge has no spec for this target (target_os = \"{os}\"); {fix}");
        quote! { #[cfg(all(#uncovered, target_os = #os))] ::core::compile_error!(#msg); }
    });
    let arch = KNOWN_ARCH.iter().map(|arch| {
        let msg =
            format!("abi-bridge has no spec for this target (target_arch = \"{arch}\"); {fix}");
        quote! { #[cfg(all(#uncovered, target_arch = #arch))] ::core::compile_error!(#msg); }
    });
    let other = format!("abi-bridge has no spec for this target; {fix}");
    let (oses, arches) = (KNOWN_OS, KNOWN_ARCH);
    quote! {
        #(#os)*
        #(#arch)*
        #[cfg(all(#uncovered, not(any(#(target_os = #oses),*)), not(any(#(target_arch = #arches),*))))]
        ::core::compile_error!(#other);
    }
}
