//! Emits the system-call stubs of the target being built and compiles them
//! with the C test program into one library (abi-build's `cc::Build`).
fn main() {
    let (mut build, stubs) = abi_build::Build::new()
        .cc()
        .unwrap_or_else(|e| panic!("abi-build: {e}"));
    check_header_as_cpp(&stubs.include_dir);
    build
        .file("c/test.c")
        .warnings_into_errors(true)
        .compile("c_consumer");
    println!("cargo::rerun-if-changed=c/test.c");
}

/// The header is C and C++: test.c includes it as C; here the host's C++
/// compiler checks it (`-fsyntax-only`: the header's syntax is the same for
/// every target, and a cross C++ compiler is not needed for that).
fn check_header_as_cpp(include_dir: &std::path::Path) {
    let host = std::env::var("HOST").expect("set by cargo");
    let cpp = cc::Build::new()
        .cpp(true)
        .target(&host)
        .host(&host)
        .cargo_metadata(false)
        .get_compiler();
    let status = cpp
        .to_command()
        .args(["-std=c++11", "-fsyntax-only", "-Wall", "-Werror", "-I"])
        .arg(include_dir)
        .arg("c/header_check.cpp")
        .status()
        .unwrap_or_else(|e| panic!("cannot run the C++ compiler {:?}: {e}", cpp.path()));
    assert!(status.success(), "the generated header is not valid C++ ({status})");
    println!("cargo::rerun-if-changed=c/header_check.cpp");
}
