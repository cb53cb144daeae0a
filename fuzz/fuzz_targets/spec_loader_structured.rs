//! Structure-aware mutations of the real spec files: the input picks a
//! built-in file and a list of edits on its lines and tokens (delete,
//! duplicate, swap, replace a value with another value or type, rename a key,
//! insert a line of another file, insert a table), so the fuzzer spends its
//! time past the TOML syntax, in the loader's checks.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

const VALUES: &[&str] = &[
    "0",
    "-1",
    "4096",
    "18446744073709551616",
    "0x7fffffff",
    "true",
    "\"\"",
    "\"rax\"",
    "\"x99\"",
    "[]",
    "[\"rdi\", \"rdi\"]",
    "{}",
    "{ nr = 1 }",
    "{ nr = 1, args = [\"a: b\"] }",
    "\"fd: fd\"",
    "\"ptr\"",
    "1.5",
    "1979-05-27",
    "\"é\"",
    "[1, \"a\"]",
];
const KEYS: &[&str] = &[
    "format",
    "arch",
    "abi",
    "errno",
    "kind",
    "number",
    "args",
    "ret",
    "clobbers",
    "options",
    "trap",
    "errors",
    "nr",
    "noreturn",
    "triple",
    "module",
    "dll",
    "fails",
    "results",
    "import",
    "symbol",
    "version",
    "instructions",
    "slots",
];

fuzz_target!(|data: &[u8]| {
    let Some((&pick, mut ops)) = data.split_first() else {
        return;
    };
    let files = abi_spec::builtin_files();
    let base = &files[usize::from(pick) % files.len()].source.text;
    let mut lines: Vec<String> = base.lines().map(str::to_owned).collect();
    while let [op, a, b, rest @ ..] = ops {
        ops = rest;
        if lines.is_empty() {
            lines.push(String::new());
        }
        let (i, j) = (usize::from(*a) % lines.len(), usize::from(*b) % lines.len());
        match op % 8 {
            0 => {
                lines.remove(i);
            }
            1 => {
                let l = lines[i].clone();
                lines.insert(j, l);
            }
            2 => lines.swap(i, j),
            3 => {
                // Replace the value after the first `=` on the line.
                if let Some(eq) = lines[i].find('=') {
                    lines[i] = format!(
                        "{} {}",
                        &lines[i][..=eq],
                        VALUES[usize::from(*b) % VALUES.len()]
                    );
                }
            }
            4 => {
                // Rename the key before the first `=`.
                if let Some(eq) = lines[i].find('=') {
                    lines[i] =
                        format!("{} {}", KEYS[usize::from(*b) % KEYS.len()], &lines[i][eq..]);
                }
            }
            5 => {
                let other = &files[usize::from(*a) % files.len()].source.text;
                let other: Vec<&str> = other.lines().collect();
                if !other.is_empty() {
                    lines.insert(j, other[usize::from(*b) % other.len()].to_owned());
                }
            }
            6 => lines.insert(j, format!("[{}]", KEYS[usize::from(*a) % KEYS.len()])),
            _ => {
                // Cut the line at a byte position (on a character boundary).
                let l = &lines[i];
                let mut at = usize::from(*b) % (l.len() + 1);
                while !l.is_char_boundary(at) {
                    at -= 1;
                }
                lines[i] = l[..at].to_owned();
            }
        }
    }
    common::load_and_check(&common::with_replaced(usize::from(pick), lines.join("\n")));
});
