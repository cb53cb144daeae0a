//! `cargo xtask bench-stubs`: user-space instructions per getppid call, counted
//! by callgrind, for every candidate in `abi_bench::GETPPID_LOOPS`.
//!
//! Each candidate runs its loop twice (N and 2N iterations); the difference
//! divided by N is the cost of one iteration with process start-up cancelled
//! out. Counts are exact and repeatable, unlike timings on a shared machine.

use std::process::Command;

use crate::install;

const N: u64 = 20_000;

pub(crate) fn stubs(args: &[String]) -> Result<(), String> {
    let target = match args {
        [] => None,
        [flag, t] if flag == "--target" => Some(t.as_str()),
        _ => return Err("usage: cargo xtask bench-stubs [--target TRIPLE]".to_owned()),
    };
    let mut build = Command::new(env!("CARGO"));
    build.args([
        "build",
        "--release",
        "-p",
        "abi-bench",
        "--bin",
        "count-getppid",
    ]);
    if let Some(t) = target {
        build.args(["--target", t]);
    }
    install::run(&mut build)?;
    let dir = match target {
        Some(t) => format!("target/{t}/release"),
        None => "target/release".to_owned(),
    };
    let bin = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(dir)
        .join("count-getppid");
    let names = candidates(&bin)?;
    let mut rows = Vec::new();
    for name in &names {
        let a = instructions(&bin, name, N)?;
        let b = instructions(&bin, name, 2 * N)?;
        rows.push((name.clone(), b.saturating_sub(a) as f64 / N as f64));
    }
    let reference = rows
        .iter()
        .find(|(n, _)| n == "hand_asm")
        .map_or(1.0, |r| r.1);
    let reference_result = rows
        .iter()
        .find(|(n, _)| n == "hand_asm_result")
        .map_or(reference, |r| r.1);
    println!(
        "\ngetppid, user-space instructions per loop iteration (callgrind, N={N} vs {}):",
        2 * N
    );
    println!(
        "{:<20} {:>8} {:>14} {:>18}",
        "candidate", "instr", "vs hand_asm", "vs hand_asm_result"
    );
    for (name, per) in rows {
        println!(
            "{name:<20} {per:>8.2} {:>13.2}x {:>17.2}x",
            per / reference,
            per / reference_result
        );
    }
    Ok(())
}

fn candidates(bin: &std::path::Path) -> Result<Vec<String>, String> {
    let out = Command::new(bin)
        .output()
        .map_err(|e| format!("{}: {e}", bin.display()))?;
    let usage = String::from_utf8_lossy(&out.stderr);
    let list = usage
        .split("NAME: ")
        .nth(1)
        .and_then(|s| s.split(')').next())
        .ok_or("count-getppid printed no candidate list")?;
    Ok(list.split(", ").map(str::to_owned).collect())
}

fn instructions(bin: &std::path::Path, name: &str, n: u64) -> Result<u64, String> {
    let out = Command::new("valgrind")
        .args(["--tool=callgrind", "--callgrind-out-file=/dev/null"])
        .arg(bin)
        .args([name, &n.to_string()])
        .output()
        .map_err(|e| format!("valgrind (apt-get install valgrind): {e}"))?;
    let err = String::from_utf8_lossy(&out.stderr);
    err.lines()
        .find_map(|l| l.split("Collected : ").nth(1))
        .and_then(|v| v.trim().parse().ok())
        .ok_or_else(|| format!("no callgrind total for {name}:\n{err}"))
}
