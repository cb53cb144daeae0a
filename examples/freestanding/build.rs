//! Links without the C runtime: no crt startup files (the program brings its
//! own `_start`) and no libc at all (`-nostdlib`: glibc's static memcpy is an
//! IFUNC that only its own startup code would resolve), statically.
fn main() {
    for arg in ["-nostartfiles", "-nostdlib", "-static"] {
        println!("cargo::rustc-link-arg-bins={arg}");
    }
}
