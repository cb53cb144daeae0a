//! Runs the C test program (`c/test.c`), which exits non-zero unless every
//! check of the generated stubs passed.

use std::ffi::{CString, c_char, c_int};

unsafe extern "C" {
    fn c_consumer_main(argc: c_int, argv: *const *const c_char) -> c_int;
}

fn main() {
    let args: Vec<CString> = std::env::args()
        .map(|a| CString::new(a).expect("no NUL in arguments"))
        .collect();
    let argv: Vec<*const c_char> = args.iter().map(|a| a.as_ptr()).collect();
    let argc = c_int::try_from(argv.len()).expect("few arguments");
    // SAFETY: argv holds argc valid C strings that outlive the call.
    let code = unsafe { c_consumer_main(argc, argv.as_ptr()) };
    std::process::exit(code);
}
