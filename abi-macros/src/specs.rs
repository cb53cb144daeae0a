//! Finding the specs a macro invocation uses: the built-in ones (parsed once
//! per compiler process) plus, with `targets = "dir"`, the user's own.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use abi_spec::{Diagnostics, Specs};

/// The built-in specs, loaded once per compiler process.
pub(crate) fn builtin() -> Result<&'static Specs, &'static Diagnostics> {
    static SPECS: OnceLock<Result<Specs, Diagnostics>> = OnceLock::new();
    SPECS.get_or_init(abi_spec::load_builtin).as_ref()
}

/// Specs for an invocation with `targets = "dir"`, and the absolute paths of
/// the user's files (so the expansion can make cargo watch them).
pub(crate) fn with_user_dir(dir: &str) -> Result<(Specs, Vec<PathBuf>), String> {
    let root = std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .unwrap_or_default();
    let abs = root.join(dir);
    let user = abi_spec::read_dir(&abs, dir.trim_end_matches('/'))
        .map_err(|e| format!("cannot read spec folder `{}`: {e}", abs.display()))?;
    if user.is_empty() {
        return Err(format!(
            "no spec files in `{}`; put <os>-<arch>.toml files there",
            abs.display()
        ));
    }
    let paths = user
        .iter()
        .map(|f| spec_path(&abs, dir, &f.source.path))
        .collect();
    let mut files = abi_spec::builtin_files();
    files.extend(user);
    match abi_spec::load(&files) {
        Ok(s) => Ok((s, paths)),
        Err(d) => Err(d
            .0
            .iter()
            .map(abi_spec::Diagnostic::one_line)
            .collect::<Vec<_>>()
            .join("\n")),
    }
}

fn spec_path(abs: &Path, dir: &str, display: &str) -> PathBuf {
    let rel = display
        .strip_prefix(dir.trim_end_matches('/'))
        .unwrap_or(display)
        .trim_start_matches('/');
    abs.join(rel)
}
