//! Project automation: `cargo xtask <command>`.
//!
//! ```text
//! cargo xtask matrix [--target NAME] [--no-install] [--list]   every leg of the target specs
//! cargo xtask bench [--quick] [--qemu-only]                    the benchmark report, BENCHMARKS.md
//! cargo xtask import-linux --arch ARCH                          the call table of targets/linux-ARCH.toml from the headers
//! cargo xtask verify-specs                                      every spec entry against its headers
//! ```

use std::process::ExitCode;

mod bench;
mod bench_build;
mod cheaders;
mod import;
mod install;
mod legs;
mod matrix;
mod verify;

const USAGE: &str = "usage:
  cargo xtask matrix [--target NAME] [--no-install] [--list]
      run every leg the target specs' [ci] sections define: the host suite
      natively, the others cross-compiled and run under their runners (qemu-user,
      wine, node); installs missing Debian packages and Rust targets first
      (--no-install: only report them); --list prints the legs; ends with a
      table of passed/failed/ignored tests per leg
  cargo xtask bench [--quick] [--qemu-only]
      run the benchmark suite (stub instruction counts by callgrind and qemu,
      criterion times, dynamic calls against libffi, build cost, code size) and
      write BENCHMARKS.md; --quick finishes in a few minutes; --qemu-only
      recounts only the stubs on every Linux port but the host (qemu, or
      callgrind for a port that runs natively; hand asm against abi-bridge)
      and rewrites that section of BENCHMARKS.md in place
  cargo xtask bench-build
      only the build-cost part
  cargo xtask import-linux --arch ARCH [--targets DIR]
      write the call table of targets/linux-ARCH.toml from the kernel headers
      its [provenance] names (bindgen over the UAPI numbers and the kernel's
      sys_* prototypes), keeping the entries already written
  cargo xtask verify-specs [--targets DIR]
      check every entry of every spec against the headers its [provenance]
      names (Linux numbers and the completeness of the table, WASI imports,
      Windows DLL functions); prints a summary, fails on any mismatch";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("matrix") => matrix::run(&args[1..]),
        Some("bench") => bench::run(&args[1..]),
        Some("import-linux") => import::run(&args[1..]),
        Some("verify-specs") => verify::run(&args[1..]),
        Some("bench-build") => bench_build::run("linux-x86_64", 3).map(|c| {
            println!(
                "{} declarations: bridged cold {:?} incr {:?}; hand-written cold {:?} incr {:?}; expand {:?}",
                c.decls, c.bridged.0, c.bridged.1, c.handwritten.0, c.handwritten.1, c.expand
            )
        }),
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
