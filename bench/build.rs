//! Compiles the C variadic function the dynamic-call benchmark calls
//! (Rust cannot define one on stable), and tells the hand-written references
//! of a Thumb-state build apart.

fn main() {
    println!("cargo::rerun-if-changed=c/variadic.c");
    // The hand-written references differ in Thumb state (r7 is the frame
    // pointer there), which no cfg of stable Rust tells: the triple does.
    println!("cargo::rustc-check-cfg=cfg(thumb_state)");
    if std::env::var("TARGET").is_ok_and(|t| t.starts_with("thumb")) {
        println!("cargo::rustc-cfg=thumb_state");
    }
    cc::Build::new()
        .file("c/variadic.c")
        .opt_level(2)
        .compile("abi_bench_c");
}
