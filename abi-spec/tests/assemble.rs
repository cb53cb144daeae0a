//! Every system-call stub of every trap target, compiled to an object file for
//! that target's triple at opt-level 3 (rustc --emit=obj): an instruction
//! template the target's LLVM assembler refuses (`%r1` where it wants `r1`, a
//! register asm! refuses, a flag read, a reserved-register template) fails
//! here, not in a user's build. Triples come from each spec's `[ci]`.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::Command;

use abi_spec::model::{ConvKind, Target};
use abi_spec::{plan, render};

/// The runtime items the stubs name, reduced to what compiles them.
const RUNTIME_SHIM: &str = r#"
// The spec signatures name `::abi_runtime::Errno`.
extern crate self as abi_runtime;
pub use rt::Errno;
pub mod rt {
    pub trait RegArg { fn into_reg(self) -> usize; }
    pub trait RegArg64 { fn into_reg64(self) -> u64; }
    pub trait FromReg { fn from_reg(raw: usize) -> Self; }
    macro_rules! ints { ($($t:ty),*) => {$(
        impl RegArg for $t { #[inline(always)] fn into_reg(self) -> usize { self as isize as usize } }
        impl RegArg64 for $t { #[inline(always)] fn into_reg64(self) -> u64 { self as i64 as u64 } }
        impl FromReg for $t { #[inline(always)] fn from_reg(raw: usize) -> Self { raw as $t } }
    )*}; }
    ints!(i32, u32, i64, u64, isize, usize);
    impl RegArg for *const u8 { fn into_reg(self) -> usize { self as usize } }
    impl RegArg for *mut u8 { fn into_reg(self) -> usize { self as usize } }
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub struct Errno(i32);
    impl Errno {
        pub const EINVAL: Errno = Errno(22);
        pub const fn from_raw(code: i32) -> Self { Errno(code) }
        pub const fn raw(self) -> i32 { self.0 }
    }
    pub mod __private {
        pub fn negated_errno(raw: usize, max: usize) -> Result<usize, super::Errno> {
            if raw > usize::MAX - max { Err(super::Errno(raw.wrapping_neg() as i32)) } else { Ok(raw) }
        }
    }
    macro_rules! __trace_call {
        ($name:literal, $nr:expr, [$($a:expr),*] => $call:expr) => { $call };
        (exit $name:literal, $nr:expr, [$($a:expr),*]) => { () };
    }
    pub(crate) use __trace_call;
}
"#;

/// The source of a crate with every stub of `t`: its calls, then its `[via]` calls.
fn stubs_crate(t: &Target) -> String {
    let rt = quote::quote! { crate::rt };
    let mut src = String::from("#![no_std]\n#![allow(unused, clippy::all)]\n");
    src += RUNTIME_SHIM;
    let mut module = |name: &str, shapes: Vec<abi_spec::model::Shape<'_>>| {
        let mut body = String::new();
        let mut names = Vec::new();
        for shape in shapes {
            let p = plan::lower_shape(t, shape);
            let mut sig = render::spec_signature(&p);
            sig.name = quote::format_ident!("stub_{}", sig.name);
            names.push(sig.name.to_string());
            let _ = writeln!(body, "{}", render::stub(&p, &sig, &rt));
        }
        // Taking each stub's address makes the compiler emit (and assemble) it.
        let addrs: Vec<String> = names.iter().map(|n| format!("{n} as *const ()")).collect();
        let _ = writeln!(
            body,
            "#[unsafe(no_mangle)]\npub fn keep_{name}() -> [*const (); {}] {{ [{}] }}",
            names.len(),
            addrs.join(", ")
        );
        let _ = writeln!(src, "pub mod {name} {{\n{body}\n}}");
    };
    module(
        "calls",
        t.calls
            .iter()
            .filter_map(|c| t.call(&c.name))
            .map(|call| abi_spec::model::Shape {
                name: &call.name,
                args: &call.args,
                call,
                via: None,
            })
            .collect(),
    );
    module(
        "via",
        t.via.iter().filter_map(|v| t.shape(&v.name)).collect(),
    );
    src
}

#[test]
fn every_stub_assembles_for_its_target() {
    let specs = abi_spec::load_builtin().unwrap_or_else(|d| panic!("{d}"));
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("assemble");
    std::fs::create_dir_all(&dir).unwrap();
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".to_owned());
    let mut failures = Vec::new();
    let traps = specs
        .targets
        .iter()
        .filter(|t| t.syscall.kind == ConvKind::Trap);
    // Every triple a spec serves: Thumb state refuses what ARM state takes.
    let builds = traps.flat_map(|t| {
        std::iter::once(&t.ci.triple)
            .chain(&t.ci.more_triples)
            .map(move |triple| (t, triple))
    });
    for (t, triple) in builds {
        // The stubs as a build for `triple` expands them.
        let mut specs = specs.clone();
        specs.for_triple(triple);
        let t = specs.target(&t.name).unwrap();
        let src = dir.join(format!("{}-{triple}.rs", t.name));
        std::fs::write(&src, stubs_crate(t)).unwrap();
        let obj = dir.join(format!("{}-{triple}.o", t.name));
        let out = Command::new(&rustc)
            .args([
                "--edition",
                "2024",
                "--crate-type",
                "lib",
                "--emit=obj",
                "-C",
                "opt-level=3",
            ])
            .args(["--target", triple, "-o"])
            .arg(&obj)
            .arg(&src)
            .output()
            .expect("run rustc");
        if !out.status.success() {
            failures.push(format!(
                "{} ({}): {}",
                t.name,
                triple,
                String::from_utf8_lossy(&out.stderr)
            ));
            continue;
        }
        // The stubs are in the object: it holds code for each of them.
        let size = std::fs::metadata(&obj).unwrap().len();
        let stubs = (t.calls.len() + t.via.len()) as u64;
        assert!(
            size > 16 * stubs,
            "{}: object of {size} bytes for {stubs} stubs",
            t.name
        );
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
