//! Shared by the spec-loader targets: load a set of files and check that
//! every diagnostic points inside the file it names.

use abi_spec::{SpecFile, load};

/// Loads `files`; panics (a finding) if a diagnostic's line or column lies
/// outside its file. The loader itself must never panic.
pub fn load_and_check(files: &[SpecFile]) {
    if let Err(diags) = load(files) {
        for d in &diags.0 {
            let file = files
                .iter()
                .find(|f| f.source.path == d.loc.path)
                .expect("diagnostic names a loaded file");
            let lines: Vec<&str> = file.source.text.split('\n').collect();
            assert!(
                d.loc.line >= 1 && d.loc.line <= lines.len(),
                "line {} of {} lines: {d}",
                d.loc.line,
                lines.len()
            );
            let width = lines[d.loc.line - 1].chars().count();
            assert!(
                d.loc.col >= 1 && d.loc.col <= width + 1,
                "col {} of {width}: {d}",
                d.loc.col
            );
            let _ = d.to_string();
        }
    }
}

/// The built-in file at `index` replaced by `text`, with the arch, ABI and
/// errno files it may refer to and (when it is not a target itself) one
/// target that refers to them: every check runs, at a fraction of loading all.
pub fn with_replaced(index: usize, text: String) -> Vec<SpecFile> {
    use std::sync::OnceLock;
    static BUILTIN: OnceLock<Vec<SpecFile>> = OnceLock::new();
    let all = BUILTIN.get_or_init(abi_spec::builtin_files);
    let i = index % all.len();
    let mut files: Vec<SpecFile> = all
        .iter()
        .enumerate()
        .filter(|(j, f)| *j == i || f.kind != abi_spec::SpecKind::Target)
        .map(|(_, f)| f.clone())
        .collect();
    if all[i].kind != abi_spec::SpecKind::Target
        && let Some(t) = all.iter().find(|f| f.name == "linux-x86_64")
    {
        files.push(t.clone());
    }
    if let Some(f) = files
        .iter_mut()
        .find(|f| f.source.path == all[i].source.path)
    {
        f.source.text = text;
    }
    files
}
