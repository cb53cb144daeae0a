//! Records the triple this proc-macro is built for: a compilation that gives
//! rustc no `--target` builds for that same host (see `src/build_target.rs`).

fn main() {
    let host = std::env::var("TARGET").unwrap_or_default();
    println!("cargo::rustc-env=ABI_MACROS_HOST={host}");
    println!("cargo::rerun-if-changed=build.rs");
}
