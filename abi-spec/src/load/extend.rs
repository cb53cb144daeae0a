//! Extension files: a file of a user's spec folder that adds calls to a target
//! loaded before it (a built-in one or a user's port) instead of defining a
//! target:
//!
//! ```toml
//! format = 1
//! extends = "linux-x86_64"
//! [calls]
//! cachestat = { nr = 451, args = ["fd: fd", "range: ptr", "cstat: mut_ptr", "flags: u32"] }
//! ```
//!
//! The calls are read and checked like the target's own (same convention,
//! same argument rules); a name or number the target has already is an error
//! naming both places.

use toml::de::DeTable;

use crate::diag::{SourceFile, closest};
use crate::model::{ConvKind, Specs};
use crate::read::{Fields, Sink, Sp};

use super::target::read_calls;
use super::{SpecFile, SpecKind};

/// Whether a top-level file is an extension (it has a top-level `extends`):
/// extensions are read after every target, whatever their names.
pub(super) fn is_extension(f: &SpecFile) -> bool {
    // The text test spares the second parse of every ordinary target file.
    f.kind == SpecKind::Target
        && f.source.text.contains("extends")
        && DeTable::parse(&f.source.text)
            .is_ok_and(|t| t.get_ref().iter().any(|(k, _)| k.get_ref() == "extends"))
}

/// Adds the `[calls]` of an extension file to the target it names.
pub(super) fn read_extension(
    base: Sp<String>,
    file: &SourceFile,
    top: &mut Fields<'_, '_>,
    specs: &mut Specs,
    sink: &mut Sink<'_>,
) {
    let Some(index) = specs.targets.iter().position(|t| t.name == base.value) else {
        let names = specs.targets.iter().map(|t| t.name.as_str());
        let help = match closest(&base.value, names.clone()) {
            Some(s) => format!("did you mean `{s}`?"),
            None => format!(
                "name one of the targets: {}",
                names.collect::<Vec<_>>().join(", ")
            ),
        };
        sink.error(
            base.span,
            format!("`extends` names no target: `{}`", base.value),
            help,
        );
        return;
    };
    let target = &specs.targets[index];
    let Some(calls) = read_calls(top, file, Some(&target.syscall), Some(&target.cfg), sink) else {
        return;
    };
    let trap = target.syscall.kind == ConvKind::Trap;
    let mut clash = false;
    for c in &calls {
        let at = offset(file, c.loc.line, c.loc.col);
        let span = at..at + c.name.len();
        if let Some(b) = target.calls.iter().find(|b| b.name == c.name) {
            clash = true;
            sink.error(
                span,
                format!(
                    "call `{}` is already in {} at {}",
                    c.name, target.name, b.loc
                ),
                "an extension adds calls the target lacks: remove this entry (the target's own is used), or bridge it under another Rust name with `#[syscall_bridge(name = \"...\")]`",
            );
        } else if let Some(b) = target.calls.iter().find(|b| trap && b.nr == c.nr) {
            clash = true;
            sink.error(
                span,
                format!(
                    "call number {} of `{}` is `{}` in {} at {}",
                    c.nr, c.name, b.name, target.name, b.loc
                ),
                "check the number against the kernel's header: one number is one call",
            );
        }
    }
    if clash {
        return;
    }
    let target = &mut specs.targets[index];
    target.calls.extend(calls);
    if trap {
        target.calls.sort_by_key(|c| c.nr);
    } else {
        // No numbers: the position in the name-sorted table stands in.
        target.calls.sort_by(|a, b| a.name.cmp(&b.name));
        for (i, c) in target.calls.iter_mut().enumerate() {
            c.nr = u32::try_from(i).unwrap_or(u32::MAX);
        }
    }
}

/// The byte offset of a 1-based line and column (in characters).
fn offset(file: &SourceFile, line: usize, col: usize) -> usize {
    let start: usize = file
        .text
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum();
    let rest = file.text.get(start..).unwrap_or_default();
    start
        + rest
            .char_indices()
            .nth(col.saturating_sub(1))
            .map_or(rest.len(), |(i, _)| i)
}
