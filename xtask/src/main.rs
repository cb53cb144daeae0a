//! Project automation: `cargo xtask <command>`.
//!
//! ```text
//! cargo xtask matrix [--target NAME] [--no-install] [--list]   every leg of the target specs
//! cargo xtask bench [--quick]                                  the benchmark report, BENCHMARKS.md
//! cargo xtask import-linux --arch ARCH                          the call table of targets/linux-ARCH.toml from the headers
//! cargo xtask import-layouts [--target NAME]                    the [layouts.*] of the Linux specs from their C compilers
//! cargo xtask verify-specs                                      every spec entry against its headers
//! cargo xtask ci-workflow [--check]                             .github/workflows/matrix.yml from the specs
//! cargo xtask package-check                                     a user crate built from the packaged crates alone
//! ```

use std::process::ExitCode;

mod bench;
mod bench_build;
mod cheaders;
mod import;
mod install;
mod layouts;
mod legs;
mod matrix;
mod package_check;
mod toolchain;
mod verify;
mod workflow;

const USAGE: &str = "usage:
  cargo xtask matrix [--target NAME] [--no-install] [--list]
      run every leg the target specs' [ci] sections define: the host suite
      natively, the others cross-compiled and run under their runners (qemu-user,
      wine, node); installs missing Debian packages and Rust targets first
      (--no-install: only report them); --list prints the legs; every leg also
      builds abi-runtime and runs the examples in release mode; ends with a
      table of passed/failed/ignored tests, the release build and the wall
      time per leg
  cargo xtask ci-workflow [--check]
      write .github/workflows/matrix.yml from the specs' [ci] sections (one
      job per leg); --check fails when the committed file differs
  cargo xtask bench [--quick]
      run the benchmark suite (stub instruction counts by callgrind and qemu,
      criterion times, dynamic calls against libffi, build cost, code size) and
      write BENCHMARKS.md; --quick finishes in a few minutes
  cargo xtask bench-build
      only the build-cost part
  cargo xtask import-linux --arch ARCH [--targets DIR]
      write the call table of targets/linux-ARCH.toml from the kernel headers
      its [provenance] names (bindgen over the UAPI numbers and the kernel's
      sys_* prototypes), keeping the entries already written
  cargo xtask import-layouts [--target NAME]... [--targets DIR]
      write the [layouts.*] sections of the Linux specs (every one without
      --target): sizes, alignments, offsets and field types of the kernel
      structures abi-runtime reads, measured by each spec's C compiler
      ([ci] linker, or cc) from the UAPI headers
  cargo xtask verify-specs [--targets DIR]
      check every entry of every spec against the headers its [provenance]
      names (Linux numbers and the completeness of the table, WASI imports,
      Windows DLL functions); prints a summary, fails on any mismatch
  cargo xtask package-check
      package abi-spec, abi-macros, abi-runtime and abi-build as cargo publish
      would, check what each package holds, and build and run a user crate
      against the unpacked packages alone (Linux hosts)";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("matrix") => matrix::run(&args[1..]),
        Some("bench") => bench::run(&args[1..]),
        Some("import-linux") => import::run(&args[1..]),
        Some("verify-specs") => verify::run(&args[1..]),
        Some("import-layouts") => layouts::run(&args[1..]),
        Some("ci-workflow") => workflow::run(&args[1..]),
        Some("package-check") => package_check::run(&args[1..]),
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
