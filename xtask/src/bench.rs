//! `cargo xtask bench [--quick] [--qemu-only [--port NAME]]`: runs the benchmark suite and writes
//! BENCHMARKS.md. Instruction counts come from callgrind (x86_64) and from
//! qemu's per-instruction execution log (other Linux arches): exact and
//! repeatable on a noisy machine. Times come from criterion. Every table gives
//! ratios to the reference measured in the same run.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::install;
use crate::legs::{self, Leg, repo_root};

/// User-space instructions per loop iteration of one candidate.
struct Count {
    group: String,
    name: String,
    per_call: f64,
}

/// Builds `count-stubs` for `leg` (release) and returns its path. A leg's
/// build failure comes back as the compiler's first error, for the report.
fn build_counter(leg: Option<&Leg>) -> Result<PathBuf, String> {
    let mut cmd = Command::new(env!("CARGO"));
    cmd.args([
        "build",
        "--release",
        "-p",
        "abi-bench",
        "--bin",
        "count-stubs",
    ]);
    let mut dir = repo_root().join("target");
    match leg {
        None => install::run(&mut cmd)?,
        Some(l) => {
            cmd.args(["--target", &l.triple]).envs(l.env());
            dir = dir.join(&l.triple);
            let out = cmd.output().map_err(|e| format!("{cmd:?}: {e}"))?;
            if !out.status.success() {
                let err = String::from_utf8_lossy(&out.stderr);
                let first = err
                    .lines()
                    .find(|l| l.starts_with("error"))
                    .unwrap_or("the build failed");
                return Err(format!(
                    "`cargo build --release -p abi-bench --target {}` fails: {first}",
                    l.triple
                ));
            }
        }
    }
    Ok(dir.join("release").join("count-stubs"))
}

fn candidates(bin: &Path, leg: Option<&Leg>) -> Result<Vec<String>, String> {
    let out = runner_command(bin, leg, &[])
        .output()
        .map_err(|e| format!("{}: {e}", bin.display()))?;
    Ok(String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_owned)
        .collect())
}

/// `bin args` directly, or through the leg's runner.
fn runner_command(bin: &Path, leg: Option<&Leg>, args: &[&str]) -> Command {
    let runner = leg.map(Leg::runner_command).unwrap_or_default();
    let mut words = runner.split_whitespace();
    let mut cmd = match words.next() {
        Some(program) => {
            let mut c = Command::new(program);
            c.args(words).arg(bin);
            c
        }
        None => Command::new(bin),
    };
    cmd.args(args);
    cmd
}

/// Instructions of one run of `which` for `n` iterations.
fn instructions(bin: &Path, leg: Option<&Leg>, which: &str, n: u64) -> Result<u64, String> {
    let n = n.to_string();
    // A leg that runs natively is counted like the host, by callgrind.
    match leg.filter(|l| !l.runner.is_empty()) {
        None => {
            let out = Command::new("valgrind")
                .args(["--tool=callgrind", "--callgrind-out-file=/dev/null"])
                .arg(bin)
                .args([which, &n])
                .output()
                .map_err(|e| format!("valgrind (apt-get install valgrind): {e}"))?;
            let err = String::from_utf8_lossy(&out.stderr);
            err.lines()
                .find_map(|l| l.split("Collected : ").nth(1))
                .and_then(|v| v.trim().parse().ok())
                .ok_or_else(|| format!("no callgrind total for {which}:\n{err}"))
        }
        Some(l) => {
            // One instruction per translation block, each execution logged.
            let log = std::env::temp_dir().join(format!(
                "abi-bench-{}-{}.log",
                l.name,
                std::process::id()
            ));
            let mut words = l.runner_command();
            words.push_str(&format!(
                " -singlestep -d nochain,exec -D {}",
                log.display()
            ));
            let leg = Leg {
                runner: words,
                ..l.clone()
            };
            let status = runner_command(bin, Some(&leg), &[which, &n])
                .status()
                .map_err(|e| e.to_string())?;
            if !status.success() {
                return Err(format!("{which} under qemu: {status}"));
            }
            let text = std::fs::read_to_string(&log).map_err(|e| e.to_string())?;
            let _ = std::fs::remove_file(&log);
            Ok(text.lines().filter(|l| l.starts_with("Trace")).count() as u64)
        }
    }
}

/// Instruction counts of every candidate of `groups` (all groups when empty).
fn counts(leg: Option<&Leg>, n: u64, groups: &[&str]) -> Result<Vec<Count>, String> {
    let bin = build_counter(leg)?;
    let mut out = Vec::new();
    for which in candidates(&bin, leg)? {
        let group = which.split_once('/').map_or("", |(g, _)| g);
        if !groups.is_empty() && !groups.contains(&group) {
            continue;
        }
        let a = instructions(&bin, leg, &which, n)?;
        let b = instructions(&bin, leg, &which, 2 * n)?;
        let (group, name) = which.split_once('/').unwrap_or(("", &which));
        out.push(Count {
            group: group.to_owned(),
            name: name.to_owned(),
            per_call: b.saturating_sub(a) as f64 / n as f64,
        });
    }
    Ok(out)
}

/// Mean times (ns) criterion measured: (group, function) -> ns.
fn criterion_means(bench: &str, quick: bool) -> Result<Vec<(String, String, f64)>, String> {
    let mut cmd = Command::new(env!("CARGO"));
    cmd.args([
        "bench",
        "-p",
        "abi-bench",
        "--bench",
        bench,
        "--",
        "--noplot",
    ]);
    if quick {
        cmd.args([
            "--warm-up-time",
            "0.3",
            "--measurement-time",
            "1",
            "--sample-size",
            "20",
        ]);
    }
    let started = std::time::SystemTime::now();
    install::run(&mut cmd)?;
    let root = repo_root().join("target").join("criterion");
    let mut out = Vec::new();
    for group in std::fs::read_dir(&root)
        .map_err(|e| e.to_string())?
        .flatten()
    {
        for f in std::fs::read_dir(group.path())
            .map_err(|e| e.to_string())?
            .flatten()
        {
            let dir = f.path().join("new");
            // Only what this run measured: older results stay in target/criterion.
            let fresh = std::fs::metadata(dir.join("estimates.json"))
                .and_then(|m| m.modified())
                .is_ok_and(|t| t >= started);
            if !fresh {
                continue;
            }
            let (Ok(meta), Ok(est)) = (
                std::fs::read_to_string(dir.join("benchmark.json")),
                std::fs::read_to_string(dir.join("estimates.json")),
            ) else {
                continue;
            };
            let field = |json: &str, key: &str| -> Option<String> {
                let at = json.find(&format!("\"{key}\":"))? + key.len() + 3;
                let rest = json[at..].trim_start();
                // A string runs to its closing quote; a number to the next `,` or `}`.
                let (rest, end) = match rest.strip_prefix('"') {
                    Some(r) => (r, r.find('"')?),
                    None => (rest, rest.find([',', '}'])?),
                };
                Some(rest[..end].to_owned())
            };
            let mean = est
                .find("\"mean\"")
                .and_then(|i| field(&est[i..], "point_estimate"))
                .and_then(|v| v.parse().ok());
            if let (Some(g), Some(func), Some(mean)) =
                (field(&meta, "group_id"), field(&meta, "function_id"), mean)
            {
                out.push((g, func, mean));
            }
        }
    }
    Ok(out)
}

fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|c| {
            c.lines().find_map(|l| {
                l.strip_prefix("model name")
                    .map(|v| v.trim_start_matches([' ', '\t', ':']).to_owned())
            })
        })
        .unwrap_or_else(|| "unknown CPU".to_owned());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap_or_default();
    let cmd = |p: &str, a: &[&str]| {
        Command::new(p)
            .args(a)
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
            .unwrap_or_default()
    };
    format!(
        "- CPU: {cpu}, {cores} cores\n- kernel: Linux {}\n- date: {}\n- toolchain: {}\n- valgrind: {}, qemu: {}\n",
        kernel.trim(),
        cmd("date", &["-u", "+%Y-%m-%d %H:%M UTC"]),
        cmd("rustc", &["--version"]),
        cmd("valgrind", &["--version"]),
        cmd("qemu-aarch64", &["--version"])
            .lines()
            .next()
            .unwrap_or_default()
    )
}

fn stub_table(
    out: &mut String,
    counts: &[Count],
    times: &[(String, String, f64)],
    with_time: bool,
) {
    for group in ["getppid", "mmap_einval", "pread64"] {
        let rows: Vec<&Count> = counts.iter().filter(|c| c.group == group).collect();
        if rows.is_empty() {
            continue;
        }
        let reference = |name: &str| rows.iter().find(|c| c.name == name).map(|c| c.per_call);
        let raw_ref = reference("hand_asm");
        let result_ref = reference("hand_asm_result");
        let _ = writeln!(out, "\n`{group}`:\n");
        if with_time {
            let _ = writeln!(
                out,
                "| candidate | instructions / call | vs hand asm | ns / call | vs hand asm |"
            );
            let _ = writeln!(out, "|---|---:|---:|---:|---:|");
        } else {
            let _ = writeln!(out, "| candidate | instructions / call | vs hand asm |");
            let _ = writeln!(out, "|---|---:|---:|");
        }
        let time_of = |name: &str| {
            times
                .iter()
                .find(|(g, f, _)| g == group && f == name)
                .map(|t| t.2)
        };
        for c in &rows {
            // Raw rows compare with raw hand asm; rows that decode errors with hand asm plus the same decode.
            let decodes = c.name.ends_with("_result")
                || !matches!(
                    c.name.as_str(),
                    "hand_asm" | "abi_bridge" | "rustix" | "libc_wrapper"
                );
            let (r, rname) = if decodes || raw_ref.is_none() {
                (result_ref, "hand_asm_result")
            } else {
                (raw_ref, "hand_asm")
            };
            let ratio = r.map_or("-".to_owned(), |r| format!("{:.2}x", c.per_call / r));
            if with_time {
                let t = time_of(&c.name).map_or("-".to_owned(), |t| format!("{t:.1}"));
                let tr = match (time_of(&c.name), time_of(rname)) {
                    (Some(a), Some(b)) => format!("{:.2}x", a / b),
                    _ => "-".to_owned(),
                };
                let _ = writeln!(
                    out,
                    "| {} | {:.1} | {ratio} | {t} | {tr} |",
                    c.name, c.per_call
                );
            } else if c.per_call < 1.0 {
                // No instruction per iteration: the counter did not see the call
                // (rustix on i686 under callgrind, where valgrind offers no vDSO).
                let _ = writeln!(
                    out,
                    "| {} | {:.1} | - (the call is not made once per iteration under this counter) |",
                    c.name, c.per_call
                );
            } else {
                let _ = writeln!(out, "| {} | {:.1} | {ratio} |", c.name, c.per_call);
            }
        }
    }
}

fn dynamic_table(out: &mut String, times: &[(String, String, f64)]) {
    let mut groups: Vec<&str> = times.iter().map(|t| t.0.as_str()).collect();
    groups.sort_unstable();
    groups.dedup();
    let _ = writeln!(
        out,
        "| call | candidate | ns / call | vs direct | libffi / this |"
    );
    let _ = writeln!(out, "|---|---|---:|---:|---:|");
    for g in groups {
        let of = |f: &str| times.iter().find(|t| t.0 == g && t.1 == f).map(|t| t.2);
        let direct = of("direct");
        let libffi = of("libffi").or_else(|| of("libffi_closure"));
        for (_, f, ns) in times.iter().filter(|t| t.0 == g) {
            let vs_direct = direct.map_or("-".to_owned(), |d| format!("{:.2}x", ns / d));
            let vs_ffi = libffi.map_or("-".to_owned(), |l| format!("{:.1}x", l / ns));
            let _ = writeln!(out, "| {g} | {f} | {ns:.2} | {vs_direct} | {vs_ffi} |");
        }
    }
}

fn code_sizes(out: &mut String) -> Result<(), String> {
    let bin = repo_root().join("target/release/count-stubs");
    let nm = Command::new("nm")
        .args(["-S", "--defined-only"])
        .arg(&bin)
        .output()
        .map_err(|e| format!("nm: {e}"))?;
    let text = String::from_utf8_lossy(&nm.stdout);
    let _ = writeln!(out, "| stub (out of line, `#[inline(never)]`) | bytes |");
    let _ = writeln!(out, "|---|---:|");
    let mut rows: Vec<(String, u64)> = text
        .lines()
        .filter_map(|l| {
            let mut w = l.split_whitespace();
            let (_, size, _, name) = (w.next()?, w.next()?, w.next()?, w.next()?);
            let name = name.strip_prefix("size_")?;
            Some((name.to_owned(), u64::from_str_radix(size, 16).ok()?))
        })
        .collect();
    rows.sort();
    for (name, size) in rows {
        let _ = writeln!(out, "| {name} | {size} |");
    }
    Ok(())
}

pub(crate) fn run(args: &[String]) -> Result<(), String> {
    let usage = || "usage: cargo xtask bench [--quick] [--qemu-only [--port NAME]]".to_owned();
    let (mut quick, mut qemu_only, mut port) = (false, false, None);
    let mut args = args.iter();
    while let Some(a) = args.next() {
        match a.as_str() {
            "--quick" => quick = true,
            "--qemu-only" => qemu_only = true,
            "--port" => port = Some(args.next().ok_or_else(usage)?.clone()),
            _ => return Err(usage()),
        }
    }
    match (qemu_only, port) {
        (true, Some(name)) => return run_one_port(quick, &name),
        (true, None) => return run_qemu_only(quick),
        (false, Some(_)) => return Err(usage()),
        (false, None) => {}
    }
    let n = if quick { 2_000 } else { 20_000 };
    let mut md = String::from("# Benchmarks\n\nWritten by `cargo xtask bench");
    md.push_str(if quick { " --quick`" } else { "`" });
    md.push_str(
        ". Every ratio compares with the reference measured in the same run.\n\n## Machine\n\n",
    );
    md.push_str(&machine());

    let host_counts = counts(None, n, &[])?;
    let stub_times = criterion_means("stubs", quick)?;
    md.push_str(
        "\n## System-call stubs (x86_64)\n\nLoop of `black_box(call())`. Instructions are user-space instructions per \
         iteration (callgrind, N vs 2N iterations); time is criterion's mean. Rows that decode errors into a \
         `Result` compare with hand-written asm plus the same hand-written decode (`hand_asm_result`).\n",
    );
    stub_table(&mut md, &host_counts, &stub_times, true);

    md.push_str("\n`clock_gettime(CLOCK_MONOTONIC)`, the vDSO against the system call:\n\n| candidate | instructions / call | ns / call | vs system call |\n|---|---:|---:|---:|\n");
    let clock_ns = |f: &str| {
        stub_times
            .iter()
            .find(|t| t.0 == "clock_gettime" && t.1 == f)
            .map(|t| t.2)
    };
    for c in host_counts.iter().filter(|c| c.group == "clock_gettime") {
        let ns = clock_ns(&c.name);
        let ratio = match (ns, clock_ns("abi_syscall")) {
            (Some(a), Some(b)) => format!("{:.2}x", a / b),
            _ => "-".to_owned(),
        };
        let _ = writeln!(
            md,
            "| {} | {:.1} | {} | {ratio} |",
            c.name,
            c.per_call,
            ns.map_or("-".to_owned(), |n| format!("{n:.1}"))
        );
    }

    md.push_str("\nA probed call (`abi_runtime::probed::getrandom`, settled on the primary) against the plain stub, `getrandom(NULL, 0, 0)`:\n\n| candidate | instructions / call | ns / call |\n|---|---:|---:|\n");
    for c in host_counts.iter().filter(|c| c.group == "probed") {
        let ns = stub_times
            .iter()
            .find(|t| t.0 == "probed" && t.1 == c.name)
            .map_or("-".to_owned(), |t| format!("{:.1}", t.2));
        let _ = writeln!(md, "| {} | {:.1} | {ns} |", c.name, c.per_call);
    }

    md.push_str(&qemu_section(quick)?);

    let dynamic = criterion_means("dynamic", quick)?;

    md.push_str("\n## Dynamic calls (x86_64, sysv)\n\nA call through a function pointer chosen at run time: direct Rust call (the reference); abi-bridge prepared call (classified once; for the host's per-class convention with every argument in a register, a plain `extern \"C\"` call of the register images; integer/pointer signatures as an `extern \"C\"` call of that arity; otherwise the generated trampolines); one-shot call (the plan of a signature seen before from a small lock-free table); libffi `ffi_call` with a prepared `Cif`. Callbacks: a generated thunk bound to a Rust handler against a libffi closure.\n\n");
    dynamic_table(&mut md, &dynamic);

    let build = crate::bench_build::run("linux-x86_64", if quick { 1 } else { 3 })?;
    let ms = |d: std::time::Duration| d.as_secs_f64() * 1000.0;
    let _ = write!(
        md,
        "\n## Build cost ({} declarations: the whole linux-x86_64 table)\n\nA generated crate with every call bridged in one `#[syscall_bridge]` module, against the same functions written as inline asm by hand; dependencies built beforehand. Cold: `cargo clean -p` then `cargo build`; incremental: after an edit. Medians.\n\n\
         | crate | cold (ms) | incremental (ms) |\n|---|---:|---:|\n| hand-written | {:.0} | {:.0} |\n| bridged | {:.0} | {:.0} |\n| added by the macro | {:.0} | {:.0} |\n\n`bridge::expand` alone (in process, debug build as in a proc-macro): {:.1} ms for all {} declarations.\n",
        build.decls,
        ms(build.handwritten.0),
        ms(build.handwritten.1),
        ms(build.bridged.0),
        ms(build.bridged.1),
        ms(build.bridged.0) - ms(build.handwritten.0),
        ms(build.bridged.1) - ms(build.handwritten.1),
        ms(build.expand),
        build.decls
    );

    md.push_str(&crate::bench_surface::run(if quick { 1 } else { 3 })?);

    md.push_str("\n## Code size (x86_64 release)\n\n");
    code_sizes(&mut md)?;

    md.push_str(&format!(
        "\n## Commands\n\n```sh\ncargo xtask bench{}\n# or piecewise:\ncargo bench -p abi-bench --bench stubs\ncargo bench -p abi-bench --bench dynamic\ncargo xtask bench-build\ncargo xtask bench-surface   # abi-runtime with and without all-calls, rewritten in place\ncargo xtask bench --qemu-only   # only the section under qemu, rewritten in place\n```\n",
        if quick { " --quick" } else { "" }
    ));
    let path = repo_root().join("BENCHMARKS.md");
    std::fs::write(&path, md).map_err(|e| format!("{}: {e}", path.display()))?;
    println!("wrote {}", path.display());
    Ok(())
}

/// The heading of the section of other ports; `--qemu-only` replaces the section it opens.
const QEMU_HEADING: &str = "## System-call stubs on every other Linux port";

/// Instruction counts for every Linux leg but the host's: under the leg's qemu
/// runner, or by callgrind when the leg runs natively (no runner). A summary
/// of hand-written asm against the bridged stub, then each port's candidates. A port whose bench crate does not build
/// gets a row that says so.
fn qemu_section(quick: bool) -> Result<String, String> {
    let n = if quick { 500 } else { 2_000 };
    let (summary, details) = qemu_ports(quick, None)?;
    Ok(qemu_text(n, &summary, &details))
}

/// The summary rows and the detail subsections of the other ports (of port
/// `only`, when given).
fn qemu_ports(quick: bool, only: Option<&str>) -> Result<(String, String), String> {
    let n = if quick { 500 } else { 2_000 };
    let legs = legs::load(&legs::targets_dir())?;
    let host = crate::matrix::host_triple()?;
    let mut summary = String::new();
    let mut details = String::new();
    let ports: Vec<&Leg> = legs
        .iter()
        .filter(|l| {
            l.os == "linux" && (l.runs_under_qemu() || (l.runner.is_empty() && l.triple != host))
        })
        .collect();
    if let Some(name) = only
        && !ports.iter().any(|l| l.name == name)
    {
        let names: Vec<&str> = ports.iter().map(|l| l.name.as_str()).collect();
        return Err(format!(
            "no other Linux port `{name}`; ports: {}",
            names.join(", ")
        ));
    }
    for leg in ports
        .into_iter()
        .filter(|l| only.is_none_or(|o| l.name == o))
    {
        eprintln!("bench: counting on {} ({})", leg.name, leg.triple);
        let counts = match counts(Some(leg), n, &["getppid", "mmap_einval", "pread64"]) {
            Ok(c) => c,
            Err(e) => {
                let _ = writeln!(
                    summary,
                    "| {} | - | not measured: {} | | | | | |",
                    leg.name,
                    e.replace('|', "\\|")
                );
                continue;
            }
        };
        let of = |group: &str, name: &str| {
            counts
                .iter()
                .find(|c| c.group == group && c.name == name)
                .map(|c| c.per_call)
        };
        let cell = |v: Option<f64>| v.map_or("-".to_owned(), |v| format!("{v:.1}"));
        let ratio = |a: Option<f64>, b: Option<f64>| match (a, b) {
            (Some(a), Some(b)) => format!("{:.2}x", a / b),
            _ => "-".to_owned(),
        };
        for call in ["getppid", "pread64"] {
            let (h, b) = (of(call, "hand_asm"), of(call, "abi_bridge"));
            let (hr, br) = (of(call, "hand_asm_result"), of(call, "abi_bridge_result"));
            let _ = writeln!(
                summary,
                "| {} | {call} | {} | {} | {} | {} | {} | {} |",
                leg.name,
                cell(h),
                cell(b),
                ratio(b, h),
                cell(hr),
                cell(br),
                ratio(br, hr)
            );
        }
        let how = if leg.runner.is_empty() {
            "natively, callgrind".to_owned()
        } else {
            format!("`{}`", leg.runner)
        };
        let _ = write!(details, "\n### {} ({}, {how})\n", leg.name, leg.triple);
        stub_table(&mut details, &counts, &[], false);
    }
    Ok((summary, details))
}

/// The whole section, from the rows and subsections of every port.
fn qemu_text(n: u64, summary: &str, details: &str) -> String {
    format!(
        "\n{QEMU_HEADING}\n\nEvery Linux port of `targets/` other than the host, from the specs' `[ci]` sections: \
         under its qemu runner, instructions come from qemu's per-instruction execution log \
         (`-singlestep -d nochain,exec`); a port that runs natively (no runner: i686) is counted by callgrind. Only \
         instruction counts mean anything under emulation. {n} vs {} iterations of the loop. `pread64(-1, buf, 0, 0x1_0000_1000)` fails with EBADF at once; its 64-bit \
         offset is a register pair on 32-bit ports (armv7: r4:r5 after skipping r3; i686: esi:edi, esi saved and moved \
         by hand since it cannot be an asm operand). The references are hand-written inline asm per arch \
         (`bench/src/hand.rs`); `Result` columns add the port's own decode (negated errno, or cr0.SO and a positive \
         errno on powerpc).\n\n\
         | port | call | hand asm | abi-bridge (raw) | bridged / hand | hand asm + decode | abi-bridge `Result` | bridged / hand |\n\
         |---|---|---:|---:|---:|---:|---:|---:|\n{summary}{details}",
        2 * n
    )
}

/// `cargo xtask bench --qemu-only --port NAME`: recounts one port and puts its
/// summary rows and subsection in place of the old ones.
fn run_one_port(quick: bool, name: &str) -> Result<(), String> {
    let path = repo_root().join("BENCHMARKS.md");
    let old = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let (summary, details) = qemu_ports(quick, Some(name))?;
    let row = format!("| {name} |");
    let Some(first) = old.lines().position(|l| l.starts_with(&row)) else {
        return Err(format!(
            "BENCHMARKS.md has no row of {name}: run `cargo xtask bench --qemu-only`"
        ));
    };
    let mut lines: Vec<String> = old
        .lines()
        .filter(|l| !l.starts_with(&row))
        .map(str::to_owned)
        .collect();
    lines.splice(first..first, summary.lines().map(str::to_owned));
    let mut md = lines.join("\n") + "\n";
    let heading = format!("\n### {name} (");
    let at = md
        .find(&heading)
        .ok_or_else(|| format!("BENCHMARKS.md has no subsection of {name}"))?;
    let end = md[at + 1..]
        .find("\n### ")
        .into_iter()
        .chain(md[at + 1..].find("\n## "))
        .min()
        .map_or(md.len(), |e| at + 1 + e);
    md.replace_range(at..end, &format!("{}\n", details.trim_end_matches('\n')));
    std::fs::write(&path, md).map_err(|e| format!("{}: {e}", path.display()))?;
    println!("wrote the {name} rows of {}", path.display());
    Ok(())
}

/// `cargo xtask bench --qemu-only`: recounts the qemu section alone and puts
/// it in place of the one in BENCHMARKS.md (appended when there is none).
fn run_qemu_only(quick: bool) -> Result<(), String> {
    let path = repo_root().join("BENCHMARKS.md");
    let old = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let section = qemu_section(quick)?;
    // The section before this one was aarch64 alone; either heading is replaced.
    let start = [QEMU_HEADING, "## System-call stubs (aarch64, under qemu)"]
        .iter()
        .find_map(|h| old.find(h));
    let md = match start {
        Some(at) => {
            let end = old[at + 3..]
                .find("\n## ")
                .map_or(old.len(), |e| at + 3 + e);
            format!(
                "{}\n{}{}",
                old[..at].trim_end_matches('\n'),
                section,
                &old[end..]
            )
        }
        None => format!("{}\n{section}", old.trim_end_matches('\n')),
    };
    std::fs::write(&path, md).map_err(|e| format!("{}: {e}", path.display()))?;
    println!("wrote the qemu section of {}", path.display());
    Ok(())
}
