//! Project automation: `cargo xtask <command>`.
//!
//! ```text
//! cargo xtask test [--target NAME] [--no-install]   every test, host and cross legs
//! cargo xtask legs                                  the legs the spec files define
//! cargo xtask bench-stubs [--target TRIPLE]         instructions per getppid call
//! ```

use std::process::ExitCode;

mod bench;
mod install;
mod legs;
mod test;

const USAGE: &str = "usage:
  cargo xtask test [--target NAME] [--no-install]
      run the host test suite, then the runtime and integration tests on every
      target leg the spec files define (qemu-user for other arches); installs
      missing runners/linkers with apt-get unless --no-install
  cargo xtask legs
      list the legs: target, triple, runner, linker, packages
  cargo xtask bench-stubs [--target TRIPLE]
      callgrind instruction counts per getppid call for every stub candidate";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("test") => test::run(&args[1..]),
        Some("legs") => legs::print(),
        Some("bench-stubs") => bench::stubs(&args[1..]),
        _ => Err(USAGE.to_owned()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e}");
            ExitCode::FAILURE
        }
    }
}
