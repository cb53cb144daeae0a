//! One program for every target: an ordinary `main`, but everything it does
//! goes through `abi_runtime::platform`, which is built from bridged calls,
//! with std's I/O traits on its files (the `std` feature). It prints the same
//! report on every Linux port, Windows and WASI, and exits non-zero if any
//! step disagrees with itself.

use std::io::{Read, Seek, SeekFrom, Write};
use std::time::Duration;

use abi_runtime::ErrorKind;
use abi_runtime::platform::{self, File, FileKind};

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
    // A folder of our own with two files and a subfolder, written and read
    // back through std::io's traits, then listed.
    let dir = path;
    check(platform::create_dir(&dir).is_ok(), "create a folder");
    let text = b"a round trip through the platform layer";
    let file_path = format!("{dir}{sep}notes.txt");
    let mut file = File::create(&file_path).unwrap_or_else(|e| {
        say(&format!("portable: FAILED: create {file_path}: {e}"));
        platform::exit(1)
    });
    check(file.write_all(text).is_ok(), "write (io::Write)");
    check(writeln!(file, " and {} more lines", 2).is_ok(), "writeln!");
    check(file.rewind().is_ok(), "rewind (io::Seek)");
    let mut back = String::new();
    check(
        file.read_to_string(&mut back).is_ok(),
        "read_to_string (io::Read)",
    );
    check(
        back.as_bytes().starts_with(text),
        "read back what was written",
    );
    check(
        Seek::seek(&mut file, SeekFrom::End(0)).ok() == Some(back.len() as u64),
        "seek to end",
    );
    let meta = file.metadata();
    check(
        meta.is_ok_and(|m| m.is_file() && m.len() == back.len() as u64),
        "metadata",
    );
    check(file.close().is_ok(), "close");
    check(
        File::create(&format!("{dir}{sep}empty")).is_ok(),
        "create a second file",
    );
    check(
        platform::create_dir(&format!("{dir}{sep}sub")).is_ok(),
        "create a subfolder",
    );
    let mut listing: Vec<(String, FileKind)> = Vec::new();
    match platform::read_dir(&dir) {
        Ok(entries) => {
            for entry in entries {
                match entry {
                    Ok(e) => listing.push((e.name().unwrap_or("?").to_owned(), e.kind())),
                    Err(e) => check(false, &format!("read_dir entry: {e}")),
                }
            }
        }
        Err(e) => check(false, &format!("read_dir: {e}")),
    }
    listing.sort();
    say(&format!("portable: {dir} holds {listing:?}"));
    check(
        listing
            == [
                ("empty".to_owned(), FileKind::File),
                ("notes.txt".to_owned(), FileKind::File),
                ("sub".to_owned(), FileKind::Dir),
            ],
        "the listing is what was made",
    );
    check(platform::remove_file(&file_path).is_ok(), "remove a file");
    check(
        platform::remove_file(&format!("{dir}{sep}empty")).is_ok(),
        "remove a file",
    );
    check(
        platform::remove_dir(&format!("{dir}{sep}sub")).is_ok(),
        "remove the subfolder",
    );
    check(platform::remove_dir(&dir).is_ok(), "remove the folder");
    check(
        platform::metadata(&dir).is_err_and(|e| e.kind() == ErrorKind::NotFound),
        "the removed folder is gone (NotFound on every target)",
    );
    say(&format!(
        "portable: file round trip of {} bytes and a listing of {} entries ok",
        back.len(),
        listing.len()
    ));

    let mut cwd = [0u8; 4096];
    match platform::current_dir(&mut cwd) {
        Ok(here) => say(&format!("portable: current directory {here}")),
        Err(e) => check(false, &format!("current_dir: {e}")),
    }
    let before = platform::monotonic_nanos().unwrap_or(0);
    check(platform::sleep(Duration::from_millis(5)).is_ok(), "sleep");
    let slept = platform::monotonic_nanos()
        .unwrap_or(0)
        .saturating_sub(before);
    check(slept >= 5_000_000, "slept at least 5 ms");

    let t1 = platform::monotonic_nanos().unwrap_or(0);
    check(t1 >= t0, "monotonic clock");
    say("portable: done");
}
