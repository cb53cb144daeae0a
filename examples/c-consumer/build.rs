//! Emits the system-call stubs of the target being built and compiles them
//! with the C test program into one library (abi-build's `cc::Build`).
fn main() {
    let (mut build, _stubs) = abi_build::Build::new()
        .cc()
        .unwrap_or_else(|e| panic!("abi-build: {e}"));
    build
        .file("c/test.c")
        .warnings_into_errors(true)
        .compile("c_consumer");
    println!("cargo::rerun-if-changed=c/test.c");
}
