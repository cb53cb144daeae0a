//! Project automation: `cargo xtask <command>`.
//!
//! ```text
//! cargo xtask matrix [--target NAME] [--no-install] [--list]   every leg of the target specs
//! cargo xtask bench [--quick] [--qemu-only [--port NAME]]        the benchmark report, BENCHMARKS.md
//! cargo xtask bench-surface [--rounds N]                         abi-runtime's build with and without all-calls
//! cargo xtask import-linux --arch ARCH                          the call table of targets/linux-ARCH.toml from the kernel source
//! cargo xtask import-wasi                                       every WASI preview 1 function into targets/wasi-wasm32.toml
//! cargo xtask import-windows --dll DLL NAME...                  functions of a DLL into targets/windows-x86_64.toml
//! cargo xtask import-layouts [--target NAME]                    the [layouts.*] of the Linux specs from their C compilers
//! cargo xtask import-constants [--target NAME]                  value and C type of each [constants] entry from its header
//! cargo xtask verify-specs                                      every spec entry against its headers
//! cargo xtask ci-workflow [--check]                             .github/workflows/matrix.yml from the specs
//! cargo xtask package-check                                     a user crate built from the packaged crates alone
//! ```

use std::process::ExitCode;

mod bench;
mod bench_build;
mod bench_surface;
mod cheaders;
mod constants;
mod import;
mod import_wasi;
mod import_windows;
mod install;
mod ksource;
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
  cargo xtask bench [--quick] [--qemu-only]
      run the benchmark suite (stub instruction counts by callgrind and qemu,
      criterion times, dynamic calls against libffi, build cost, code size) and
      write BENCHMARKS.md; --quick finishes in a few minutes; --qemu-only
      recounts only the stubs on every Linux port but the host (qemu, or
      callgrind for a port that runs natively; hand asm against abi-bridge)
      and rewrites that section of BENCHMARKS.md in place
  cargo xtask bench-build
      only the build-cost part
  cargo xtask bench-surface [--rounds N]
      what abi-runtime's full surface (feature all-calls) adds to its own
      build, debug and release, cold and incremental (fastest of N rounds,
      default 3); rewrites that part of BENCHMARKS.md in place
  cargo xtask import-linux --arch ARCH [--targets DIR] [--kernel-source PATH]
      write the call table of targets/linux-ARCH.toml from the kernel source its
      [provenance] names (installed when missing; the arch's syscall.tbl for
      numbers and entry points, the sys_* prototypes through bindgen for
      arguments), keeping the entries already written; PATH (or
      XTASK_LINUX_SOURCE) names another source archive or unpacked tree
  cargo xtask import-wasi [--target NAME] [--targets DIR]
      write every function of wasi-libc's wasi/api.h into the call table of
      targets/NAME.toml (default wasi-wasm32) through bindgen: strings as
      address and length, integer out-pointers as results, noreturn; keeps
      the entries already written
  cargo xtask import-windows --dll DLL [--fails CONV] [--target NAME] NAME...
      write the named functions of DLL into targets/NAME.toml (default
      windows-x86_64): parameters, return type and noreturn from the mingw-w64
      headers through bindgen; --fails gives the failure convention, which
      the headers cannot say; keeps functions already written
  cargo xtask import-layouts [--target NAME]... [--targets DIR]
      write the [layouts.*] sections of the Linux specs (every one without
      --target): sizes, alignments, offsets and field types of the kernel
      structures abi-runtime reads, measured by each spec's C compiler
      ([ci] linker, or cc) from the UAPI headers
  cargo xtask import-constants [--target NAME]... [--targets DIR]
      rewrite the value and type of every [constants] entry that names a
      header with what that header gives it: through the spec's C compiler
      (Linux, Windows), or libclang with [provenance] clang_args (WASI)
  cargo xtask verify-specs [--targets DIR] [--kernel-source PATH]
      check every entry of every spec against the source its [provenance]
      names (Linux numbers, arguments and the completeness of the table, WASI
      imports, Windows DLL functions); without the kernel source, Linux tables
      are checked against the older UAPI headers, and it says so; prints a
      summary, fails on any mismatch
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
        Some("import-wasi") => import_wasi::run(&args[1..]),
        Some("import-windows") => import_windows::run(&args[1..]),
        Some("import-layouts") => layouts::run(&args[1..]),
        Some("import-constants") => constants::run(&args[1..]),
        Some("ci-workflow") => workflow::run(&args[1..]),
        Some("package-check") => package_check::run(&args[1..]),
        Some("bench-surface") => bench_surface::run_in_place(&args[1..]),
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
