//! Structure-aware mutations of the real spec files: the first byte picks a
//! built-in file, the rest is a script of edits on its lines and tokens
//! (delete, duplicate, swap, replace a value or a token inside an array or
//! inline table, rename a key, insert a line of another file, a table header
//! or a `key = value` line, cut a line, splice in a few raw characters). Keys,
//! tables and values come from all the built-in files plus edge values, so most
//! inputs are valid TOML and reach the loader's semantic checks.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::arbitrary::{Result, Unstructured};
use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

/// Values no built-in file has: edge integers, every TOML type, bad names.
const EDGE_VALUES: &[&str] = &[
    "0",
    "-1",
    "4096",
    "4294967296",
    "-9223372036854775808",
    "9223372036854775807",
    "18446744073709551616",
    "0x7fffffff",
    "0o777",
    "0b1",
    "true",
    "1.5",
    "nan",
    "1979-05-27",
    "\"\"",
    "\" \"",
    "\"x99\"",
    "\"é\"",
    "\"fn\"",
    "\"self\"",
    "\"_\"",
    "\"a: b\"",
    "\":\"",
    "\"{}\"",
    "\"{main\"",
    "[]",
    "[[]]",
    "[\"rdi\", \"rdi\"]",
    "[1, \"a\"]",
    "{}",
    "{ nr = 1 }",
    "{ nr = 1, args = [] }",
    "{ kind = \"\" }",
];

/// What edits draw from: every key, table header, value and token of the
/// built-in files, plus [`EDGE_VALUES`].
struct Pools {
    keys: Vec<String>,
    tables: Vec<String>,
    values: Vec<String>,
    tokens: Vec<String>,
}

fn pools() -> &'static Pools {
    static POOLS: OnceLock<Pools> = OnceLock::new();
    POOLS.get_or_init(|| {
        let mut p = Pools {
            keys: Vec::new(),
            tables: Vec::new(),
            values: EDGE_VALUES.iter().map(|v| (*v).to_owned()).collect(),
            tokens: EDGE_VALUES.iter().map(|v| (*v).to_owned()).collect(),
        };
        for f in common::builtin() {
            for line in f.source.text.lines().map(str::trim) {
                if line.starts_with('[') {
                    p.tables.push(line.to_owned());
                } else if let Some((k, v)) = line.split_once('=')
                    && !line.starts_with('#')
                {
                    p.keys.push(k.trim().to_owned());
                    if v.len() < 200 {
                        p.values.push(v.trim().to_owned());
                    }
                    for t in tokens(v) {
                        p.tokens.push(v[t.clone()].to_owned());
                    }
                    // Keys of inline tables: `{ nr = 1, args = [...] }`.
                    for part in v.split(['{', ',']) {
                        if let Some((k, _)) = part.split_once('=') {
                            p.keys.push(k.trim().to_owned());
                        }
                    }
                }
            }
        }
        for v in [&mut p.keys, &mut p.tables, &mut p.values, &mut p.tokens] {
            v.sort();
            v.dedup();
            v.retain(|s| !s.is_empty());
        }
        p
    })
}

/// Byte ranges of the value tokens of `s`: quoted strings and bare words
/// (numbers, booleans, dates).
fn tokens(s: &str) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::new();
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'"' {
            let end = s[i + 1..].find('"').map_or(b.len(), |e| i + 1 + e + 1);
            out.push(i..end);
            i = end;
        } else if b[i].is_ascii_alphanumeric() || b"+-_.".contains(&b[i]) {
            let start = i;
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b"+-_.:".contains(&b[i])) {
                i += 1;
            }
            out.push(start..i);
        } else {
            i += 1;
        }
    }
    out
}

fn pick<'a>(u: &mut Unstructured<'_>, v: &'a [String]) -> Result<&'a str> {
    Ok(&v[u.choose_index(v.len())?])
}

/// Applies one edit to `lines`.
fn edit(u: &mut Unstructured<'_>, lines: &mut Vec<String>) -> Result<()> {
    let p = pools();
    if lines.is_empty() {
        lines.push(String::new());
    }
    let i = u.choose_index(lines.len())?;
    match u.choose_index(11)? {
        0 => {
            lines.remove(i);
        }
        1 => {
            let j = u.choose_index(lines.len() + 1)?;
            let l = lines[i].clone();
            lines.insert(j, l);
        }
        2 => {
            let j = u.choose_index(lines.len())?;
            lines.swap(i, j);
        }
        3 => {
            // Replace the value after the first `=`.
            if let Some(eq) = lines[i].find('=') {
                lines[i] = format!("{} {}", &lines[i][..=eq], pick(u, &p.values)?);
            }
        }
        4 => {
            // Rename the key before the first `=`.
            if let Some(eq) = lines[i].find('=') {
                lines[i] = format!("{} {}", pick(u, &p.keys)?, &lines[i][eq..]);
            }
        }
        5 => {
            // A line of any built-in file.
            let files = common::builtin();
            let text = &files[u.choose_index(files.len())?].source.text;
            let other: Vec<&str> = text.lines().collect();
            if !other.is_empty() {
                lines.insert(i, other[u.choose_index(other.len())?].to_owned());
            }
        }
        6 => lines.insert(i, pick(u, &p.tables)?.to_owned()),
        7 => {
            // Cut the line at a character boundary.
            let l = &lines[i];
            let mut at = u.choose_index(l.len() + 1)?;
            while !l.is_char_boundary(at) {
                at -= 1;
            }
            lines[i] = l[..at].to_owned();
        }
        8 => {
            // Replace one token of the value, inside an array or inline table too.
            if let Some(eq) = lines[i].find('=') {
                let toks = tokens(&lines[i][eq + 1..]);
                if !toks.is_empty() {
                    let t = &toks[u.choose_index(toks.len())?];
                    let (a, b) = (eq + 1 + t.start, eq + 1 + t.end);
                    lines[i] = format!(
                        "{}{}{}",
                        &lines[i][..a],
                        pick(u, &p.tokens)?,
                        &lines[i][b..]
                    );
                }
            }
        }
        9 => {
            let line = format!("{} = {}", pick(u, &p.keys)?, pick(u, &p.values)?);
            lines.insert(i, line);
        }
        _ => {
            // A few raw characters at a character boundary.
            let l = &lines[i];
            let mut at = u.choose_index(l.len() + 1)?;
            while !l.is_char_boundary(at) {
                at -= 1;
            }
            let len = u.int_in_range(1..=4)?;
            let mut s = String::new();
            for _ in 0..len {
                s.push(u.arbitrary::<char>()?);
            }
            lines[i] = format!("{}{s}{}", &l[..at], &l[at..]);
        }
    }
    Ok(())
}

fuzz_target!(|data: &[u8]| {
    let Some((&pick, script)) = data.split_first() else {
        return;
    };
    let files = common::builtin();
    let index = usize::from(pick) % files.len();
    let mut lines: Vec<String> = files[index]
        .source
        .text
        .lines()
        .map(str::to_owned)
        .collect();
    let mut u = Unstructured::new(script);
    while !u.is_empty() {
        if edit(&mut u, &mut lines).is_err() {
            break;
        }
    }
    let text = lines.join("\n");
    common::load_and_check(&common::with_replaced(index, text), data.len());
});
