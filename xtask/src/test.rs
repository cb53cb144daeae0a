//! `cargo xtask test`: the host suite, then each target leg.

use std::process::Command;
use std::time::Instant;

use crate::install;
use crate::legs::{self, Leg};

/// What a cross leg runs: the runtime's unit and doc tests and the
/// integration tests its spec lists. UI, snapshot and spec-loader tests check
/// what the macro and loader do on the host, so the host leg runs them.
fn cross_args(leg: &Leg) -> Vec<String> {
    let mut args: Vec<String> = ["-p", "abi-runtime", "-p", "abi-tests", "--lib"]
        .map(str::to_owned)
        .to_vec();
    for t in &leg.tests {
        args.extend(["--test".to_owned(), t.clone()]);
    }
    args
}

pub(crate) fn run(args: &[String]) -> Result<(), String> {
    let mut only = None;
    let mut allow_install = true;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--target" => only = Some(it.next().ok_or("--target needs a name")?.clone()),
            "--no-install" => allow_install = false,
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    let host = host_triple()?;
    let mut all = legs::load(&legs::targets_dir())?;
    if let Some(name) = &only {
        all.retain(|l| &l.name == name);
        if all.is_empty() {
            return Err(format!("no target named `{name}`; see `cargo xtask legs`"));
        }
    }
    install::ensure(&all, allow_install)?;
    let mut results = Vec::new();
    for leg in &all {
        let start = Instant::now();
        let ok = run_leg(leg, &host);
        results.push((leg, ok, start.elapsed()));
    }
    println!(
        "\n{:<16} {:<30} {:<8} {:>8}",
        "target", "triple", "result", "time"
    );
    for (leg, ok, t) in &results {
        let r = if ok.is_ok() { "pass" } else { "FAIL" };
        println!(
            "{:<16} {:<30} {:<8} {:>7.1}s",
            leg.name,
            leg.triple,
            r,
            t.as_secs_f64()
        );
    }
    let failed: Vec<String> = results
        .iter()
        .filter_map(|(l, ok, _)| ok.as_ref().err().map(|e| format!("{}: {e}", l.name)))
        .collect();
    if failed.is_empty() {
        Ok(())
    } else {
        Err(format!("failed legs:\n  {}", failed.join("\n  ")))
    }
}

fn run_leg(leg: &Leg, host: &str) -> Result<(), String> {
    println!("\n=== {} ({}) ===", leg.name, leg.triple);
    let cargo = || Command::new(env!("CARGO"));
    if leg.triple == host && leg.runner.is_empty() {
        install::run(cargo().args(["fmt", "--all", "--check"]))?;
        install::run(cargo().args([
            "clippy",
            "--workspace",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ]))?;
        // Without the `std` feature the runtime is `#![no_std]`: this proves the
        // generated stubs need nothing but `core`.
        install::run(cargo().args(["build", "-p", "abi-runtime"]))?;
        install::run(cargo().args(["test", "--workspace"]))?;
        return run_examples(leg, None);
    }
    install::run(
        cargo()
            .args(["build", "-p", "abi-runtime", "--target", &leg.triple])
            .envs(leg.env()),
    )?;
    install::run(
        cargo()
            .args(["test", "--target", &leg.triple])
            .args(cross_args(leg))
            .envs(leg.env()),
    )?;
    // Doc tests too: rustdoc runs them through the same runner.
    install::run(
        cargo()
            .args([
                "test",
                "--target",
                &leg.triple,
                "-p",
                "abi-runtime",
                "--doc",
            ])
            .envs(leg.env()),
    )?;
    run_examples(leg, Some(&leg.triple))
}

/// Builds and runs the leg's example programs with two arguments; each checks
/// itself and exits non-zero on a failure. A name is an example of abi-runtime;
/// a path is a crate folder of its own (built into the shared target folder).
fn run_examples(leg: &Leg, triple: Option<&str>) -> Result<(), String> {
    for ex in &leg.examples {
        println!("\n--- {}: example {ex} ---", leg.name);
        let mut cmd = Command::new(env!("CARGO"));
        cmd.arg("run");
        if ex.contains('/') {
            let dir = legs::repo_root().join(ex);
            cmd.arg("--manifest-path").arg(dir.join("Cargo.toml"));
            cmd.env("CARGO_TARGET_DIR", legs::repo_root().join("target"));
        } else {
            cmd.args(["-p", "abi-runtime", "--example", ex]);
        }
        if let Some(t) = triple {
            cmd.args(["--target", t]);
        }
        cmd.args(["--", "one", "two words"]).envs(leg.env());
        install::run(&mut cmd).map_err(|e| format!("example {ex}: {e}"))?;
    }
    Ok(())
}

fn host_triple() -> Result<String, String> {
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
