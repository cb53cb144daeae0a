//! `cargo xtask matrix`: every leg the target specs define — the host suite
//! natively, the others cross-compiled and run through their runners — with a
//! results table of passed / failed / ignored tests per leg.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::legs::{self, Leg};
use crate::{install, toolchain};

/// Tests counted from libtest's output, with the reasons of ignored ones.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct Tally {
    pub(crate) passed: u64,
    pub(crate) failed: u64,
    pub(crate) ignored: u64,
    /// `test name: reason` of each ignored test that gave a reason.
    pub(crate) reasons: Vec<String>,
}

impl Tally {
    /// Reads one line of test output.
    pub(crate) fn feed(&mut self, line: &str) {
        let line = line.trim();
        if let Some(rest) = line.strip_prefix("test result: ") {
            for part in rest.split(';') {
                let mut words = part.split_whitespace().rev();
                let (Some(what), Some(n)) = (words.next(), words.next()) else {
                    continue;
                };
                let n: u64 = n
                    .trim_start_matches("ok.")
                    .trim_start_matches("FAILED.")
                    .trim()
                    .parse()
                    .unwrap_or(0);
                match what {
                    "passed" => self.passed += n,
                    "failed" => self.failed += n,
                    "ignored" => self.ignored += n,
                    _ => {}
                }
            }
        } else if let Some(rest) = line.strip_prefix("test ")
            && let Some((name, reason)) = rest.split_once(" ... ignored, ")
        {
            self.reasons.push(format!("{name}: {reason}"));
        }
    }
}

/// One step of a leg: its name in the report, its outcome and how long it took.
struct Step {
    name: &'static str,
    outcome: Result<(), String>,
    time: Duration,
}

struct LegResult {
    leg: Leg,
    steps: Vec<Step>,
    tally: Tally,
    time: Duration,
}

impl LegResult {
    fn failures(&self) -> Vec<String> {
        let mut out: Vec<String> = self
            .steps
            .iter()
            .filter_map(|s| s.outcome.as_ref().err().map(|e| format!("{}: {e}", s.name)))
            .collect();
        if out.is_empty() && self.tally.passed == 0 {
            out.push("ran no test".to_owned());
        }
        out
    }

    /// The release build's result for the table: `ok`, `FAIL`, or `-` when
    /// the leg did not get that far.
    fn release(&self) -> &'static str {
        match self.steps.iter().find(|s| s.name == RELEASE) {
            Some(Step {
                outcome: Ok(()), ..
            }) => "ok",
            Some(_) => "FAIL",
            None => "-",
        }
    }
}

/// The name of the step that builds abi-runtime and the examples in release mode.
const RELEASE: &str = "release";

/// The steps of one leg, run one after the other; a failing step does not stop
/// the next (a release failure must not hide the tests' results, nor the
/// reverse), except the first build of the runtime, which every later step
/// repeats; the leg fails when any step did.
struct Steps {
    steps: Vec<Step>,
}

impl Steps {
    fn run(&mut self, name: &'static str, f: impl FnOnce() -> Result<(), String>) {
        println!("\n--- {name} ---");
        let start = Instant::now();
        let outcome = f();
        if let Err(e) = &outcome {
            println!("xtask: step {name} failed: {e}");
        }
        self.steps.push(Step {
            name,
            outcome,
            time: start.elapsed(),
        });
    }
}

pub(crate) fn run(args: &[String]) -> Result<(), String> {
    let mut only = None;
    let mut allow_install = true;
    let mut list = false;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--target" => only = Some(it.next().ok_or("--target needs a name")?.clone()),
            "--no-install" => allow_install = false,
            "--list" => list = true,
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    let mut all = legs::load(&legs::targets_dir())?;
    if let Some(name) = &only {
        all.retain(|l| &l.name == name);
        if all.is_empty() {
            return Err(format!(
                "no target named `{name}`; see `cargo xtask matrix --list`"
            ));
        }
    }
    if list {
        legs::print(&all);
        return Ok(());
    }
    install::ensure(&all, allow_install)?;
    toolchain::ensure(&all, allow_install)?;
    let host = host_triple()?;
    let mut results = Vec::new();
    for mut leg in all {
        let start = Instant::now();
        let mut tally = Tally::default();
        let mut steps = Steps { steps: Vec::new() };
        match leg.choose_runner() {
            Ok(()) => run_leg(&leg, &host, &mut tally, &mut steps),
            Err(e) => steps.steps.push(Step {
                name: "runner",
                outcome: Err(e),
                time: start.elapsed(),
            }),
        }
        results.push(LegResult {
            leg,
            steps: steps.steps,
            tally,
            time: start.elapsed(),
        });
    }
    print_table(&results);
    let failed: Vec<String> = results
        .iter()
        .flat_map(|r| {
            r.failures()
                .into_iter()
                .map(move |e| format!("{}: {e}", r.leg.name))
        })
        .collect();
    if failed.is_empty() {
        Ok(())
    } else {
        Err(format!("failed legs:\n  {}", failed.join("\n  ")))
    }
}

/// `1m05s`, `42.0s`.
fn wall(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s < 60.0 {
        format!("{s:.1}s")
    } else {
        format!("{}m{:02}s", d.as_secs() / 60, d.as_secs() % 60)
    }
}

fn print_table(results: &[LegResult]) {
    println!(
        "\n{:<16} {:<30} {:<46} {:>6} {:>6} {:>7} {:>7} {:>8}  result",
        "target", "triple", "runner", "passed", "failed", "ignored", "release", "time"
    );
    let (mut p, mut f, mut i) = (0, 0, 0);
    for r in results {
        let runner = if r.leg.runner.is_empty() {
            "native"
        } else {
            r.leg.runner.as_str()
        };
        let failures = r.failures();
        let result = if failures.is_empty() { "pass" } else { "FAIL" };
        let t = &r.tally;
        println!(
            "{:<16} {:<30} {:<46} {:>6} {:>6} {:>7} {:>7} {:>8}  {result}",
            r.leg.name,
            r.leg.triple,
            runner,
            t.passed,
            t.failed,
            t.ignored,
            r.release(),
            wall(r.time),
        );
        let steps: Vec<String> = r
            .steps
            .iter()
            .map(|s| format!("{} {}", s.name, wall(s.time)))
            .collect();
        println!("{:<16}   steps: {}", "", steps.join(", "));
        for e in &failures {
            println!("{:<16}   failed: {e}", "");
        }
        for reason in &t.reasons {
            println!("{:<16}   ignored: {reason}", "");
        }
        (p, f, i) = (p + t.passed, f + t.failed, i + t.ignored);
    }
    println!("{p} passed, {f} failed, {i} ignored");
}

/// Runs `cmd`, echoing its standard output while counting the tests in it.
fn run_counted(cmd: &mut Command, tally: &mut Tally) -> Result<(), String> {
    let mut child = cmd
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| format!("{}: {e}", install::describe(cmd)))?;
    if let Some(out) = child.stdout.take() {
        for line in BufReader::new(out).lines().map_while(Result::ok) {
            println!("{line}");
            tally.feed(&line);
        }
    }
    let status = child
        .wait()
        .map_err(|e| format!("{}: {e}", install::describe(cmd)))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`{}` failed: {status}", install::describe(cmd)))
    }
}

/// What a cross leg runs: the runtime's unit tests and the integration tests
/// its spec lists. UI, snapshot and spec-loader tests check what the macro and
/// loader do on the host, so the host leg runs them.
fn cross_args(leg: &Leg) -> Vec<String> {
    let mut args: Vec<String> = ["-p", "abi-runtime", "-p", "abi-tests", "--lib"]
        .map(str::to_owned)
        .to_vec();
    for t in &leg.tests {
        args.extend(["--test".to_owned(), t.clone()]);
    }
    args
}

/// The tracing test, with the runtime built with the `trace` feature.
const TRACE_TEST: [&str; 6] = ["-p", "abi-tests", "--features", "trace", "--test", "trace"];

fn cargo() -> Command {
    Command::new(env!("CARGO"))
}

fn run_leg(leg: &Leg, host: &str, tally: &mut Tally, steps: &mut Steps) {
    println!("\n=== {} ({}) ===", leg.name, leg.triple);
    let native = leg.triple == host && leg.runner.is_empty();
    // The host leg builds for the host without `--target`, sharing its build
    // with `cargo build`/`cargo test` as a developer runs them.
    let target: Vec<&str> = if native {
        Vec::new()
    } else {
        vec!["--target", leg.triple.as_str()]
    };
    if native {
        steps.run("fmt", || {
            install::run(cargo().args(["fmt", "--all", "--check"]))
        });
        steps.run("clippy", || {
            install::run(cargo().args([
                "clippy",
                "--workspace",
                "--all-targets",
                "--",
                "-D",
                "warnings",
            ]))
        });
    }
    // Without the `std` feature the runtime is `#![no_std]`: this proves the
    // generated stubs need nothing but `core`.
    steps.run("build", || {
        install::run(
            cargo()
                .args(["build", "-p", "abi-runtime"])
                .args(&target)
                .envs(leg.env()),
        )
    });
    // Everything after builds the runtime too: its compile errors (above)
    // would only repeat five times.
    if steps.steps.last().is_some_and(|s| s.outcome.is_err()) {
        println!(
            "xtask: {}: abi-runtime does not build; the later steps are skipped",
            leg.name
        );
        return;
    }
    if native {
        steps.run("test", || {
            run_counted(
                cargo().args(["test", "--workspace", "--no-fail-fast"]),
                tally,
            )
        });
    } else {
        steps.run("test", || {
            run_counted(
                cargo()
                    .args(["test", "--no-fail-fast"])
                    .args(&target)
                    .args(cross_args(leg))
                    .envs(leg.env()),
                tally,
            )
        });
    }
    steps.run("trace", || {
        run_counted(
            cargo()
                .arg("test")
                .args(&target)
                .args(TRACE_TEST)
                .envs(leg.env()),
            tally,
        )
    });
    if !native {
        // Doc tests too: rustdoc runs them through the same runner (the host
        // leg's `cargo test --workspace` has run them already).
        steps.run("doc", || {
            run_counted(
                cargo()
                    .arg("test")
                    .args(&target)
                    .args(["-p", "abi-runtime", "--doc"])
                    .envs(leg.env()),
                tally,
            )
        });
    }
    steps.run("examples", || run_examples(leg, &target, Profile::Debug));
    if native {
        // The crates as a registry would serve them: packaged, unpacked and
        // used by a user crate that sees nothing of this workspace.
        steps.run("package", || crate::package_check::run(&[]));
    }
    // Optimised code is where inline assembly meets the register allocator
    // for real (and where LLVM's target features for asm differ): the runtime
    // and the examples are built, and the examples run, in release mode too.
    // Only those, as a full release test build would double the leg's time.
    steps.run(RELEASE, || {
        install::run(
            cargo()
                .args(["build", "--release", "-p", "abi-runtime"])
                .args(&target)
                .envs(leg.env()),
        )?;
        run_examples(leg, &target, Profile::Release)
    });
}

/// The cargo profile of a build.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Profile {
    Debug,
    Release,
}

/// Builds and runs the leg's example programs with two arguments; each checks
/// itself and exits non-zero on a failure. A name is an example of abi-runtime
/// (built with its `std` feature, which `portable` requires for std's I/O
/// traits); a path is a crate folder of its own (built into the shared target
/// folder).
fn run_examples(leg: &Leg, target: &[&str], profile: Profile) -> Result<(), String> {
    for ex in &leg.examples {
        println!("\n--- {}: example {ex} ({profile:?}) ---", leg.name);
        let mut cmd = cargo();
        cmd.arg("run");
        if profile == Profile::Release {
            cmd.arg("--release");
        }
        if ex.contains('/') {
            let dir = legs::repo_root().join(ex);
            cmd.arg("--manifest-path").arg(dir.join("Cargo.toml"));
            cmd.env("CARGO_TARGET_DIR", legs::repo_root().join("target"));
        } else {
            cmd.args(["-p", "abi-runtime", "--features", "std", "--example", ex]);
        }
        cmd.args(target);
        cmd.args(["--", "one", "two words"]).envs(leg.env());
        install::run(&mut cmd).map_err(|e| format!("example {ex}: {e}"))?;
    }
    Ok(())
}

/// The triple rustc builds for by default: the host leg's.
pub(crate) fn host_triple() -> Result<String, String> {
    let out = Command::new("rustc")
        .arg("-vV")
        .output()
        .map_err(|e| format!("rustc -vV: {e}"))?;
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("host: "))
        .map(str::to_owned)
        .ok_or_else(|| "rustc -vV printed no host".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn result(steps: &[(&'static str, bool)], passed: u64) -> LegResult {
        let leg = legs::load(&legs::targets_dir()).unwrap().remove(0);
        LegResult {
            leg,
            steps: steps
                .iter()
                .map(|&(name, ok)| Step {
                    name,
                    outcome: if ok {
                        Ok(())
                    } else {
                        Err("exit status: 101".to_owned())
                    },
                    time: Duration::from_secs(1),
                })
                .collect(),
            tally: Tally {
                passed,
                ..Tally::default()
            },
            time: Duration::from_secs(3),
        }
    }

    #[test]
    fn a_leg_reports_its_release_build_and_every_failed_step() {
        let green = result(&[("build", true), ("test", true), (RELEASE, true)], 5);
        assert_eq!((green.release(), green.failures()), ("ok", vec![]));
        // Tests pass, the release build does not: the leg fails.
        let release = result(&[("build", true), ("test", true), (RELEASE, false)], 5);
        assert_eq!(release.release(), "FAIL");
        assert_eq!(release.failures(), ["release: exit status: 101"]);
        // The runtime does not build: no release result, and no test ran.
        let broken = result(&[("build", false)], 0);
        assert_eq!(broken.release(), "-");
        assert_eq!(broken.failures(), ["build: exit status: 101"]);
        // Every step passed but no test ran at all.
        let empty = result(&[("build", true), ("test", true)], 0);
        assert_eq!(empty.failures(), ["ran no test"]);
    }

    #[test]
    fn wall_times_read_as_seconds_or_minutes() {
        assert_eq!(wall(Duration::from_millis(42_040)), "42.0s");
        assert_eq!(wall(Duration::from_secs(65)), "1m05s");
        assert_eq!(wall(Duration::from_secs(3600)), "60m00s");
    }

    #[test]
    fn tally_reads_libtest_output() {
        let mut t = Tally::default();
        for line in [
            "running 3 tests",
            "test a ... ok",
            "test exit_ends_the_process_with_the_code ... ignored, WASI cannot start a process",
            "test c ... ignored",
            "test result: ok. 12 passed; 0 failed; 2 ignored; 0 measured; 0 filtered out; finished in 0.05s",
            "test result: FAILED. 1 passed; 3 failed; 0 ignored; 0 measured; 0 filtered out",
        ] {
            t.feed(line);
        }
        assert_eq!((t.passed, t.failed, t.ignored), (13, 3, 2));
        assert_eq!(
            t.reasons,
            ["exit_ends_the_process_with_the_code: WASI cannot start a process"]
        );
    }
}
