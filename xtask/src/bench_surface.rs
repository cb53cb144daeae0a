//! What abi-runtime's full surface (feature `all-calls`: every call of the
//! host's table as a typed function) costs its own build: `cargo build -p
//! abi-runtime` with and without the feature, debug and release, cold (after
//! `cargo clean -p abi-runtime`, dependencies built) and incremental (after
//! its `lib.rs` is saved again), the fastest of several rounds.

use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use crate::legs::repo_root;

/// The heading of the section this module writes.
pub(crate) const HEADING: &str = "### The full surface of abi-runtime";

/// One build configuration and its fastest times: (wall, CPU).
struct Row {
    release: bool,
    all_calls: bool,
    cold: (Duration, Duration),
    incremental: (Duration, Duration),
}

/// User and system time of this process's finished children (cargo, and the
/// compilers it waited for), from `/proc/self/stat`: on a machine shared with
/// other work, CPU time varies far less than wall time.
fn children_cpu() -> Result<Duration, String> {
    let stat =
        std::fs::read_to_string("/proc/self/stat").map_err(|e| format!("/proc/self/stat: {e}"))?;
    // Fields after the command name, which is in parentheses and may hold spaces.
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // cutime and cstime are fields 16 and 17 of the line (13 and 14 after the name).
    let ticks = |i: usize| fields.get(i).and_then(|f| f.parse::<u64>().ok());
    match (ticks(13), ticks(14)) {
        // Linux reports them in USER_HZ, 100 per second on every architecture.
        (Some(u), Some(s)) => Ok(Duration::from_millis((u + s) * 10)),
        _ => Err("/proc/self/stat: no cutime/cstime".to_owned()),
    }
}

fn min2(a: (Duration, Duration), b: (Duration, Duration)) -> (Duration, Duration) {
    (a.0.min(b.0), a.1.min(b.1))
}

/// Wall and CPU time of a cargo command.
fn timed(target_dir: &Path, args: &[&str]) -> Result<(Duration, Duration), String> {
    let cpu = children_cpu()?;
    let wall = cargo(target_dir, args)?;
    Ok((wall, children_cpu()?.saturating_sub(cpu)))
}

fn cargo(target_dir: &Path, args: &[&str]) -> Result<Duration, String> {
    let start = Instant::now();
    let out = Command::new(env!("CARGO"))
        .args(args)
        .current_dir(repo_root())
        .env("CARGO_TARGET_DIR", target_dir)
        .output()
        .map_err(|e| format!("cargo: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "cargo {args:?} failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(start.elapsed())
}

/// Measures every configuration `rounds` times (interleaved, so that a burst
/// of load on the machine does not fall on one configuration) and returns the
/// section's Markdown.
pub(crate) fn run(rounds: usize) -> Result<String, String> {
    let specs = abi_spec::load_builtin().map_err(|d| d.to_string())?;
    let host = crate::matrix::host_triple()?;
    let target = specs
        .targets
        .iter()
        .find(|t| t.ci.triple == host)
        .ok_or_else(|| format!("no spec for the host {host}"))?;
    let functions = abi_spec::surface::shapes(target).len();
    // A target folder of its own: the developer's builds stay as they are.
    let target_dir = repo_root().join("target").join("bench-surface");
    let lib = repo_root().join("abi-runtime/src/lib.rs");
    let source = std::fs::read(&lib).map_err(|e| format!("{}: {e}", lib.display()))?;
    let configs = [(false, false), (false, true), (true, false), (true, true)];
    let args = |release: bool, all_calls: bool| {
        let mut a = vec!["build", "--offline", "-p", "abi-runtime"];
        if release {
            a.push("--release");
        }
        if all_calls {
            a.extend(["--features", "all-calls"]);
        }
        a
    };
    for &(release, all_calls) in &configs {
        cargo(&target_dir, &args(release, all_calls))?;
    }
    let mut rows: Vec<Row> = configs
        .iter()
        .map(|&(release, all_calls)| Row {
            release,
            all_calls,
            cold: (Duration::MAX, Duration::MAX),
            incremental: (Duration::MAX, Duration::MAX),
        })
        .collect();
    for round in 0..rounds {
        eprintln!("bench: abi-runtime's build with and without all-calls, round {round}");
        for row in &mut rows {
            let mut clean = vec!["clean", "--offline", "-p", "abi-runtime"];
            if row.release {
                clean.push("--release");
            }
            cargo(&target_dir, &clean)?;
            let build = args(row.release, row.all_calls);
            row.cold = min2(row.cold, timed(&target_dir, &build)?);
            // Saving the file unchanged is the smallest edit: cargo sees a new
            // modification time and rebuilds the crate, macros included.
            std::fs::write(&lib, &source).map_err(|e| format!("{}: {e}", lib.display()))?;
            row.incremental = min2(row.incremental, timed(&target_dir, &build)?);
        }
    }
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let mut md = format!(
        "\n{HEADING} (feature `all-calls`)\n\n`cargo build -p abi-runtime` on {host} ({} functions in `linux::calls`), \
         without and with the feature: cold after `cargo clean -p abi-runtime` (dependencies built), \
         incremental after `abi-runtime/src/lib.rs` is saved again. The fastest of {rounds} rounds \
         (`cargo xtask bench-surface`), in wall time and in CPU time (user and system, of cargo \
         and the compilers: on a machine shared with other work it varies far less).\n\n\
         | profile | build | without: wall / CPU (ms) | with `all-calls`: wall / CPU (ms) | added: wall / CPU (ms) |\n|---|---|---:|---:|---:|\n",
        functions
    );
    for release in [false, true] {
        let of = |all: bool| {
            rows.iter()
                .find(|r| r.release == release && r.all_calls == all)
                .map(|r| (r.cold, r.incremental))
        };
        let (Some(without), Some(with)) = (of(false), of(true)) else {
            continue;
        };
        let profile = if release { "release" } else { "debug" };
        for (kind, a, b) in [
            ("cold", without.0, with.0),
            ("incremental", without.1, with.1),
        ] {
            let _ = writeln!(
                md,
                "| {profile} | {kind} | {:.0} / {:.0} | {:.0} / {:.0} | {:.0} / {:.0} |",
                ms(a.0),
                ms(a.1),
                ms(b.0),
                ms(b.1),
                ms(b.0) - ms(a.0),
                ms(b.1) - ms(a.1)
            );
        }
    }
    let most = rows
        .iter()
        .filter(|r| r.all_calls)
        .filter_map(|with| {
            let without = rows
                .iter()
                .find(|r| r.release == with.release && !r.all_calls)?;
            // CPU time: what the feature costs, whatever else the machine runs.
            Some(
                with.cold
                    .1
                    .saturating_sub(without.cold.1)
                    .max(with.incremental.1.saturating_sub(without.incremental.1)),
            )
        })
        .max()
        .unwrap_or_default();
    let verdict = if most > Duration::from_secs(1) {
        format!(
            "It adds up to {:.1} s of CPU time, more than a second: the surface is behind the feature, and \
             without it abi-runtime builds as before.",
            most.as_secs_f64()
        )
    } else {
        format!(
            "It adds at most {:.1} s of CPU time; the surface is behind the feature all the same.",
            most.as_secs_f64()
        )
    };
    let _ = writeln!(
        md,
        "\nThe functions are `#[inline(always)]`: a build of abi-runtime parses and checks them \
         but generates code only for those a crate calls. Only the current target's functions \
         are rendered (`__all_calls!` emits one cfg-gated module per target, and the compiler \
         drops the others before their contents expand). {verdict}"
    );
    Ok(md)
}

/// `cargo xtask bench-surface [--rounds N]`: measures and puts the section in
/// place of the one in BENCHMARKS.md (at the end of the build-cost section
/// when there is none).
pub(crate) fn run_in_place(args: &[String]) -> Result<(), String> {
    let rounds = match args {
        [] => 3,
        [flag, n] if flag == "--rounds" => n
            .parse()
            .map_err(|_| format!("--rounds takes a number, not `{n}`"))?,
        _ => return Err("usage: cargo xtask bench-surface [--rounds N]".to_owned()),
    };
    let section = run(rounds)?;
    let path = repo_root().join("BENCHMARKS.md");
    let old = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let md = match old.find(HEADING) {
        Some(at) => {
            let end = old[at..].find("\n## ").map_or(old.len(), |e| at + e);
            format!(
                "{}\n{section}{}",
                old[..at].trim_end_matches('\n'),
                &old[end..]
            )
        }
        None => match old.find("## Build cost") {
            Some(at) => {
                let end = old[at + 3..]
                    .find("\n## ")
                    .map_or(old.len(), |e| at + 3 + e);
                format!(
                    "{}\n{section}{}",
                    old[..end].trim_end_matches('\n'),
                    &old[end..]
                )
            }
            None => format!("{}\n{section}", old.trim_end_matches('\n')),
        },
    };
    std::fs::write(&path, md).map_err(|e| format!("{}: {e}", path.display()))?;
    println!("wrote the full-surface part of {}", path.display());
    Ok(())
}
