//! `abi_spec::load` must not panic on any text: the built-in spec files are
//! mutated (bytes, lines, value tokens, truncation, unicode) and loaded; the
//! result may be `Ok` or `Err`, but every diagnostic must point inside the file
//! it names and render.
//!
//! Per-case work is kept small: the mutated file is loaded with only the files
//! it refers to (and a trimmed errno table) except in `mutated_full_set`.
//! Total: 12,000 cases per run.

use std::sync::OnceLock;

use abi_spec::{SpecFile, SpecKind};
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::select;

/// A position in a collection of any size, as a fraction of its length.
#[derive(Debug, Clone, Copy)]
struct Pos(u32);

impl Pos {
    /// The position in a collection of `size` items; `size` must not be 0.
    fn index(self, size: usize) -> usize {
        ((size as u64 * u64::from(self.0)) >> 32) as usize
    }
}

fn pos() -> impl Strategy<Value = Pos> {
    any::<u32>().prop_map(Pos)
}

/// One edit of a file's bytes.
#[derive(Debug, Clone)]
enum Mutation {
    DeleteBytes(Pos, usize),
    InsertBytes(Pos, Vec<u8>),
    ReplaceByte(Pos, u8),
    DuplicateLine(Pos),
    DeleteLine(Pos),
    SwapLines(Pos, Pos),
    ReplaceToken(Pos, &'static str),
    Truncate(Pos),
    InsertUnicode(Pos, String),
}

/// Values (and a few non-values) a token may be replaced with: every TOML type,
/// edge integers, names the loader looks up, and non-ASCII.
const VALUES: &[&str] = &[
    "0",
    "1",
    "-1",
    "+7",
    "64",
    "4096",
    "0x0b12",
    "0o777",
    "0b101",
    "0xFFFF_FFFF",
    "99999999999999999999",
    "-9223372036854775808",
    "1.5",
    "inf",
    "nan",
    "true",
    "false",
    "\"\"",
    "\"x\"",
    "\"rax\"",
    "\"xmm0\"",
    "\"x8\"",
    "\"sysv\"",
    "\"linux\"",
    "\"fd: fd\"",
    "\"a: i64\"",
    "\"a:\"",
    "\":\"",
    "\"é: ptr\"",
    "\"😀\"",
    "'literal'",
    "\"\"\"multi\nline\"\"\"",
    "[]",
    "[1, \"a\"]",
    "[\"rdi\", \"rdi\"]",
    "[[]]",
    "{}",
    "{ nr = 1 }",
    "{ code = 1 }",
    "{ kind = \"x\", max = 0 }",
    "1979-05-27T07:32:00Z",
    "07:32:00",
    "x86_64",
    "nr",
    "args",
    "[calls]",
    "=",
    "#",
    "\n",
];

/// Bytes that matter to TOML, so random insertions often change the structure.
const TOML_BYTES: &[u8] = b"[]{}=\",.#\n\r\t' _-+:0123456789abxyzE";

fn byte() -> impl Strategy<Value = u8> {
    prop_oneof![select(TOML_BYTES), any::<u8>()]
}

fn unicode() -> impl Strategy<Value = String> {
    let special = select(vec![
        'é', '😀', '\u{301}', '\u{200b}', '\u{feff}', '\u{2028}', '\u{fffd}', '中', '\r', '\t',
        '\0', '\u{7f}',
    ]);
    vec(prop_oneof![special, any::<char>()], 1..6).prop_map(|cs| cs.into_iter().collect())
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        2 => (pos(), 1..16usize).prop_map(|(i, n)| Mutation::DeleteBytes(i, n)),
        2 => (pos(), vec(byte(), 1..6)).prop_map(|(i, b)| Mutation::InsertBytes(i, b)),
        2 => (pos(), byte()).prop_map(|(i, b)| Mutation::ReplaceByte(i, b)),
        1 => pos().prop_map(Mutation::DuplicateLine),
        1 => pos().prop_map(Mutation::DeleteLine),
        1 => (pos(), pos()).prop_map(|(a, b)| Mutation::SwapLines(a, b)),
        4 => (pos(), select(VALUES)).prop_map(|(i, v)| Mutation::ReplaceToken(i, v)),
        1 => pos().prop_map(Mutation::Truncate),
        2 => (pos(), unicode()).prop_map(|(i, s)| Mutation::InsertUnicode(i, s)),
    ]
}

/// Byte ranges of the lines of `b`, each with its `\n`.
fn lines(b: &[u8]) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, &c) in b.iter().enumerate() {
        if c == b'\n' {
            out.push(start..i + 1);
            start = i + 1;
        }
    }
    if start < b.len() {
        out.push(start..b.len());
    }
    out
}

/// Byte ranges of the value-like tokens of `b`: quoted strings and runs of
/// bare-key / number characters.
fn tokens(b: &[u8]) -> Vec<std::ops::Range<usize>> {
    let bare = |c: u8| c.is_ascii_alphanumeric() || b"_-+.:".contains(&c);
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'"' {
            let end = b[i + 1..]
                .iter()
                .position(|&c| c == b'"' || c == b'\n')
                .map_or(b.len(), |p| i + 1 + p + 1);
            out.push(i..end.min(b.len()));
            i = end;
        } else if bare(b[i]) {
            let start = i;
            while i < b.len() && bare(b[i]) {
                i += 1;
            }
            out.push(start..i);
        } else {
            i += 1;
        }
    }
    out
}

/// Moves a byte offset back to the start of the UTF-8 sequence it is in.
fn char_start(b: &[u8], mut i: usize) -> usize {
    while i > 0 && i < b.len() && b[i] & 0xC0 == 0x80 {
        i -= 1;
    }
    i
}

fn apply(b: &mut Vec<u8>, m: &Mutation) {
    match m {
        Mutation::DeleteBytes(i, n) => {
            if !b.is_empty() {
                let at = i.index(b.len());
                let end = (at + n).min(b.len());
                b.drain(at..end);
            }
        }
        Mutation::InsertBytes(i, bytes) => {
            let at = i.index(b.len() + 1);
            b.splice(at..at, bytes.iter().copied());
        }
        Mutation::ReplaceByte(i, byte) => {
            if !b.is_empty() {
                let at = i.index(b.len());
                b[at] = *byte;
            }
        }
        Mutation::DuplicateLine(i) => {
            let ls = lines(b);
            if !ls.is_empty() {
                let l = ls[i.index(ls.len())].clone();
                let mut copy = b[l.clone()].to_vec();
                if copy.last() != Some(&b'\n') {
                    copy.insert(0, b'\n');
                }
                b.splice(l.end..l.end, copy);
            }
        }
        Mutation::DeleteLine(i) => {
            let ls = lines(b);
            if !ls.is_empty() {
                b.drain(ls[i.index(ls.len())].clone());
            }
        }
        Mutation::SwapLines(x, y) => {
            let ls = lines(b);
            if !ls.is_empty() {
                let (mut p, mut q) = (ls[x.index(ls.len())].clone(), ls[y.index(ls.len())].clone());
                if p.start > q.start {
                    std::mem::swap(&mut p, &mut q);
                }
                if p != q {
                    let mut out = b[..p.start].to_vec();
                    out.extend_from_slice(&b[q.clone()]);
                    out.extend_from_slice(&b[p.end..q.start]);
                    out.extend_from_slice(&b[p]);
                    out.extend_from_slice(&b[q.end..]);
                    *b = out;
                }
            }
        }
        Mutation::ReplaceToken(i, v) => {
            let ts = tokens(b);
            if !ts.is_empty() {
                b.splice(ts[i.index(ts.len())].clone(), v.bytes());
            }
        }
        Mutation::Truncate(i) => {
            let at = i.index(b.len() + 1);
            b.truncate(at);
        }
        Mutation::InsertUnicode(i, s) => {
            let at = char_start(b, i.index(b.len() + 1));
            b.splice(at..at, s.bytes());
        }
    }
}

struct Fixture {
    builtin: Vec<SpecFile>,
    /// For each built-in file, the other files it is loaded with.
    context: Vec<Vec<SpecFile>>,
}

fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let builtin = abi_spec::builtin_files();
        let specs = abi_spec::load(&builtin).expect("built-in specs are valid");
        let find = |kind: SpecKind, name: &str| {
            builtin
                .iter()
                .find(|f| f.kind == kind && f.name == name)
                .unwrap_or_else(|| panic!("no {kind:?} {name}"))
                .clone()
        };
        // The errno table is the biggest file; targets only need it to exist.
        let mut errno = find(SpecKind::Errno, "linux");
        errno.source.text = errno
            .source
            .text
            .lines()
            .take(12)
            .collect::<Vec<_>>()
            .join("\n");
        let context = builtin
            .iter()
            .map(|f| match f.kind {
                SpecKind::Target => {
                    let t = specs.target(&f.name).unwrap();
                    vec![
                        find(SpecKind::Arch, &t.arch),
                        find(SpecKind::Abi, &t.abi),
                        errno.clone(),
                    ]
                }
                SpecKind::Abi => vec![find(SpecKind::Arch, &specs.abi(&f.name).unwrap().arch)],
                SpecKind::Arch => {
                    let mut c: Vec<SpecFile> = specs
                        .abis
                        .iter()
                        .filter(|a| a.arch == f.name)
                        .map(|a| find(SpecKind::Abi, &a.name))
                        .collect();
                    c.extend(
                        specs
                            .targets
                            .iter()
                            .filter(|t| t.arch == f.name)
                            .map(|t| find(SpecKind::Target, &t.name)),
                    );
                    c.push(errno.clone());
                    c
                }
                SpecKind::Errno => Vec::new(),
            })
            .collect();
        Fixture { builtin, context }
    })
}

/// Mutates built-in file `index`, loads it with its context (or with every
/// other built-in file), and checks the diagnostics.
fn run(index: usize, mutations: &[Mutation], full_set: bool) {
    let fx = fixture();
    let original = &fx.builtin[index];
    let mut bytes = original.source.text.clone().into_bytes();
    for m in mutations {
        apply(&mut bytes, m);
    }
    let mut mutated = original.clone();
    mutated.source.text = String::from_utf8_lossy(&bytes).into_owned();
    let files: Vec<SpecFile> = if full_set {
        let mut all = fx.builtin.clone();
        all[index] = mutated;
        all
    } else {
        let mut c = fx.context[index].clone();
        c.push(mutated);
        c
    };
    check(&files);
}

/// Mutates built-in file `index` and puts a diagnostic at an arbitrary span of
/// it, which may start or end inside a character or past the end.
fn probe(index: usize, mutations: &[Mutation], start: Pos, len: usize, in_char: bool) {
    let mut bytes = fixture().builtin[index].source.text.clone().into_bytes();
    for m in mutations {
        apply(&mut bytes, m);
    }
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let file = abi_spec::SourceFile::new("probe.toml", text);
    // Often inside a multi-byte character, when there is one.
    let non_ascii: Vec<usize> = (0..file.text.len())
        .filter(|&i| !file.text.is_char_boundary(i))
        .collect();
    let at = if in_char && !non_ascii.is_empty() {
        non_ascii[start.index(non_ascii.len())]
    } else {
        start.index(file.text.len() + 8)
    };
    let d = abi_spec::Diagnostic::new(&file, at..at + len, "probe");
    check_diagnostic(&d, &file);
}

fn check(files: &[SpecFile]) {
    let Err(diags) = abi_spec::load(files) else {
        return;
    };
    assert!(!diags.0.is_empty(), "Err without diagnostics");
    for d in &diags.0 {
        let file = files
            .iter()
            .find(|f| f.source.path == d.loc.path)
            .unwrap_or_else(|| panic!("diagnostic names an unknown file: {}", d.one_line()));
        check_diagnostic(d, &file.source);
    }
    let _ = diags.to_string();
}

/// The diagnostic's line and column are inside `file`, and it renders that line.
fn check_diagnostic(d: &abi_spec::Diagnostic, file: &abi_spec::SourceFile) {
    let lines: Vec<&str> = file.text.split('\n').collect();
    assert!(
        (1..=lines.len()).contains(&d.loc.line),
        "line outside the file ({} lines): {}",
        lines.len(),
        d.one_line()
    );
    let line = lines[d.loc.line - 1];
    assert!(
        (1..=line.chars().count() + 1).contains(&d.loc.col),
        "column outside line {:?}: {}",
        line,
        d.one_line()
    );
    let rendered = d.to_string();
    assert!(rendered.contains(&d.loc.to_string()), "{rendered}");
    assert!(
        rendered.contains(line.trim_end_matches('\r')),
        "rendered diagnostic does not show line {:?}:\n{rendered}",
        line
    );
}

/// Indices of the built-in files of `kinds`.
fn of_kind(kinds: &'static [SpecKind]) -> Vec<usize> {
    fixture()
        .builtin
        .iter()
        .enumerate()
        .filter(|(_, f)| kinds.contains(&f.kind))
        .map(|(i, _)| i)
        .collect()
}

fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config(4_000))]
    #[test]
    fn mutated_targets(index in select(of_kind(&[SpecKind::Target])), ms in vec(mutation(), 1..5)) {
        run(index, &ms, false);
    }
}

proptest! {
    #![proptest_config(config(3_000))]
    #[test]
    fn mutated_abi_and_arch(index in select(of_kind(&[SpecKind::Abi, SpecKind::Arch])), ms in vec(mutation(), 1..5)) {
        run(index, &ms, false);
    }
}

proptest! {
    #![proptest_config(config(1_000))]
    #[test]
    fn mutated_errno(ms in vec(mutation(), 1..5)) {
        run(of_kind(&[SpecKind::Errno])[0], &ms, false);
    }
}

proptest! {
    #![proptest_config(config(2_000))]
    #[test]
    fn mutated_full_set(index in 0..fixture().builtin.len(), ms in vec(mutation(), 1..5)) {
        run(index, &ms, true);
    }
}

proptest! {
    #![proptest_config(config(2_000))]
    #[test]
    fn diagnostic_at_any_span(
        index in 0..fixture().builtin.len(),
        ms in vec(mutation(), 1..5),
        start in pos(),
        len in 0..12usize,
        in_char in any::<bool>(),
    ) {
        probe(index, &ms, start, len, in_char);
    }
}

/// Offsets inside a multi-byte character are floored to its start.
#[test]
fn offsets_inside_a_char_are_floored() {
    let file = abi_spec::SourceFile::new("u.toml", "a = \"é😀\"\nb = 1\n");
    // 'é' is bytes 5..7, '😀' 7..11.
    assert_eq!(file.line_col(6), (1, 6));
    assert_eq!(file.line_col(9), (1, 7));
    assert_eq!(file.line_col(1000), (3, 1));
    let d = abi_spec::Diagnostic::new(&file, 8..10, "m");
    assert_eq!((d.loc.line, d.loc.col), (1, 7));
    let d = abi_spec::Diagnostic::new(&file, 6..9, "m");
    assert_eq!((d.loc.line, d.loc.col), (1, 6));
    assert!(d.to_string().contains("  |      ^\n"), "{d}");
}

#[test]
fn mutations_apply() {
    let mut b = b"a = 1\nb = \"x\"\nc = 2\n".to_vec();
    apply(&mut b, &Mutation::SwapLines(Pos(0), Pos(u32::MAX)));
    assert_eq!(b, b"c = 2\nb = \"x\"\na = 1\n");
    apply(&mut b, &Mutation::ReplaceToken(Pos(u32::MAX), "\"é\""));
    assert_eq!(String::from_utf8_lossy(&b), "c = 2\nb = \"x\"\na = \"é\"\n");
    apply(
        &mut b,
        &Mutation::InsertUnicode(Pos(u32::MAX / 10 * 9), "😀".into()),
    );
    assert!(String::from_utf8(b.clone()).is_ok(), "{b:?}");
}
