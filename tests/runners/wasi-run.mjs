#!/usr/bin/env -S node --no-warnings
// Cargo runner for wasm32-wasip1: runs a WASI preview1 module under Node's
// `node:wasi` (Node 20 or later).
//
//   CARGO_TARGET_WASM32_WASIP1_RUNNER=<repo>/tests/runners/wasi-run.mjs
//   usage: wasi-run.mjs <file.wasm> [args...]   (cargo and rustdoc call it so)
//
// What the module sees:
//  - args: the .wasm path as given (argv[0]), then the rest, unchanged.
//  - environment: all of the runner's environment, with TMPDIR=/tmp, and
//    RUST_TEST_NOCAPTURE=1 unless it is set (=0 restores capturing). A failing
//    test aborts the whole test binary (panic=abort), so libtest never prints
//    the output it captured: the panic message would be lost.
//  - files, three preopened directories:
//      /tmp          a fresh, empty host directory (os.tmpdir()/wasi-run-XXXXXX),
//                    deleted when the module ends (kept if WASI_RUN_KEEP_TMP is
//                    set). Tests find it through TMPDIR: std::env::temp_dir()
//                    panics on wasm32-wasip1 ("no filesystem on wasm", Rust 1.95)
//      .             the current directory (cargo runs tests in the package root),
//                    for relative paths
//      <cwd>         the current directory again under its absolute host path, so
//                    that paths built from env!("CARGO_MANIFEST_DIR") resolve
//    Nothing else of the host is visible.
//  - stdin/stdout/stderr: the runner's own fds 0, 1, 2.
// Exit status: the module's proc_exit code (0 when _start returns), or 1 when
// that code is non-zero but a multiple of 256 (as Wine does). A trap (a panic
// with panic=abort, which is what wasm32-wasip1 uses, ends in `unreachable`;
// or a call stack too deep for V8) prints the error and exits 134, like
// SIGABRT; setup errors (unreadable file, missing imports) exit 127.
//
// Node's "WASI is an experimental feature" warning is kept out of the test's
// stderr: the shebang passes --no-warnings, and when started as
// `node wasi-run.mjs` the runner drops ExperimentalWarnings itself before it
// loads node:wasi.

import { mkdtempSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
// `process` is the global one: importing node:process would read every
// property of it, process.stdout too, which makes a piped stdout non-blocking,
// and the module's writes then fail with EAGAIN when the reader is slow. Do not
// touch process.stdout/stdin/stderr here: messages go out with writeSync(2).

process.removeAllListeners('warning');
process.on('warning', (w) => {
  if (w.name !== 'ExperimentalWarning') writeSync(2, `${w.name}: ${w.message}\n`);
});

const me = 'wasi-run';
const die = (msg) => {
  writeSync(2, `${me}: ${msg}\n`);
  process.exit(127);
};

const [wasmPath, ...rest] = process.argv.slice(2);
if (!wasmPath) die('usage: wasi-run.mjs <file.wasm> [args...]');

let bytes;
try {
  bytes = readFileSync(wasmPath);
} catch (e) {
  die(`cannot read ${wasmPath}: ${e.message}`);
}

const { WASI } = await import('node:wasi');

const scratch = mkdtempSync(join(tmpdir(), 'wasi-run-'));
const cleanup = () => {
  if (!process.env.WASI_RUN_KEEP_TMP) rmSync(scratch, { recursive: true, force: true });
};
process.on('exit', cleanup);

const cwd = process.cwd();
const preopens = { '/tmp': scratch, '.': cwd };
if (cwd !== '/tmp' && cwd !== '/') preopens[cwd] = cwd;

const wasi = new WASI({
  version: 'preview1',
  args: [wasmPath, ...rest],
  env: { RUST_TEST_NOCAPTURE: '1', ...process.env, TMPDIR: '/tmp' },
  preopens,
  returnOnExit: true,
});

let code;
let started = false;
try {
  const module = await WebAssembly.compile(bytes);
  const instance = await WebAssembly.instantiate(module, wasi.getImportObject());
  started = true;
  code = wasi.start(instance);
} catch (e) {
  // Once running, anything thrown is the module dying: a trap
  // (WebAssembly.RuntimeError) or V8's own stack overflow (RangeError).
  if (started) {
    writeSync(2, `${me}: ${basename(wasmPath)} crashed: ${e.stack ?? e}\n`);
    process.exit(134);
  }
  die(`${resolve(wasmPath)}: ${e.stack ?? e}`);
}
process.exitCode = code === 0 ? 0 : code % 256 || 1;
