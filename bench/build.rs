//! Compiles the C variadic function the dynamic-call benchmark calls
//! (Rust cannot define one on stable).

fn main() {
    println!("cargo::rerun-if-changed=c/variadic.c");
    cc::Build::new()
        .file("c/variadic.c")
        .opt_level(2)
        .compile("abi_bench_c");
}
