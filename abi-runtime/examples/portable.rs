//! One program for every target: an ordinary `main`, but everything it does
//! goes through `abi_runtime::platform`, which is built from bridged calls.
//! It prints the same report on Linux (x86_64, aarch64, riscv64), Windows and
//! WASI, and exits non-zero if any step disagrees with itself.

use abi_runtime::platform::{self, File, SeekFrom};

fn main() {
    let out = File::stdout();
    let say = |line: &str| {
        out.write_all(line.as_bytes())
            .and_then(|()| out.write_all(b"\n"))
            .unwrap_or_else(|_| platform::exit(3));
    };
    let check = |ok: bool, what: &str| {
        if !ok {
            say(&format!("portable: FAILED: {what}"));
            platform::exit(1);
        }
    };

    let mut buf = [0u8; 8192];
    let args: Vec<String> = match platform::args(&mut buf) {
        Ok(args) => args
            .map(|a| String::from_utf8_lossy(a).into_owned())
            .collect(),
        Err(e) => {
            say(&format!("portable: FAILED: args: {e}"));
            platform::exit(1);
        }
    };
    say(&format!(
        "portable: {} argument(s) after the program name: {:?}",
        args.len() - 1,
        &args[1..]
    ));

    let t0 = platform::monotonic_nanos().unwrap_or(0);
    let wall = platform::wall_clock_nanos().unwrap_or(0);
    check(
        wall > 1_600_000_000 * 1_000_000_000,
        "wall clock is after 2020",
    );
    say(&format!(
        "portable: wall clock {} s since 1970, page size {} bytes",
        wall / 1_000_000_000,
        platform::page_size()
    ));

    let mut random = [0u8; 32];
    check(
        platform::random(&mut random).is_ok() && random.iter().any(|&b| b != 0),
        "random bytes",
    );
    say(&format!("portable: {} random bytes", random.len()));

    match platform::process_id() {
        Some(pid) => say(&format!("portable: process id {pid}")),
        None => say("portable: no process ids on this target"),
    }

    // A temporary folder from the environment (TMPDIR on Unix and the WASI
    // runner, TEMP on Windows), else the current directory.
    let mut env = [0u8; 4096];
    let dir = ["TMPDIR", "TEMP"]
        .iter()
        .find_map(|name| {
            platform::env_var(name, &mut env)
                .ok()
                .flatten()
                .map(str::to_owned)
        })
        .unwrap_or_else(|| ".".to_owned());
    let sep = if dir.contains('\\') { '\\' } else { '/' };
    let path = format!(
        "{}{sep}abi-bridge-portable-{:02x}{:02x}{:02x}{:02x}",
        dir.trim_end_matches(['/', '\\']),
        random[0],
        random[1],
        random[2],
        random[3]
    );
    let text = b"a round trip through the platform layer";
    let file = File::create(&path).unwrap_or_else(|e| {
        say(&format!("portable: FAILED: create {path}: {e}"));
        platform::exit(1)
    });
    check(file.write_all(text).is_ok(), "write");
    check(file.size() == Ok(text.len() as u64), "size after write");
    check(file.seek(SeekFrom::Start(0)) == Ok(0), "seek to start");
    let mut back = [0u8; 64];
    let n = file.read(&mut back).unwrap_or(0);
    check(&back[..n] == text, "read back what was written");
    check(file.close().is_ok(), "close");
    check(platform::remove_file(&path).is_ok(), "remove");
    check(File::open(&path).is_err(), "removed file is gone");
    say(&format!(
        "portable: file round trip of {} bytes ok",
        text.len()
    ));

    let t1 = platform::monotonic_nanos().unwrap_or(0);
    check(t1 >= t0, "monotonic clock");
    say("portable: done");
}
