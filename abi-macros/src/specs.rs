//! Finding the specs a macro invocation uses: the built-in ones plus the
//! folder `ABI_BRIDGE_TARGETS` names (parsed once per compiler process), plus,
//! with `targets = "dir"`, the user's own.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use abi_spec::{Diagnostic, Diagnostics, SourceFile, SpecFile, Specs};
use proc_macro2::TokenStream;
use quote::quote;

/// The environment variable naming a folder of spec files that every
/// expansion of the build sees, abi-runtime's own included (set it in
/// `.cargo/config.toml`'s `[env]` with `relative = true`).
pub(crate) const ENV: &str = "ABI_BRIDGE_TARGETS";

/// The specs every invocation starts from, and the files that went into them
/// from `ABI_BRIDGE_TARGETS`.
struct Base {
    specs: Result<Specs, Diagnostics>,
    env_files: Vec<PathBuf>,
}

fn base() -> &'static Base {
    static BASE: OnceLock<Base> = OnceLock::new();
    BASE.get_or_init(|| {
        let mut files = abi_spec::builtin_files();
        let env_files = match env_files() {
            Ok(Some((dir, extra))) => {
                let shown = dir.display().to_string();
                let paths = extra
                    .iter()
                    .map(|f| spec_path(&dir, &shown, &f.source.path))
                    .collect();
                files.extend(extra);
                paths
            }
            Ok(None) => Vec::new(),
            Err(d) => {
                return Base {
                    specs: Err(Diagnostics(vec![d])),
                    env_files: Vec::new(),
                };
            }
        };
        Base {
            specs: abi_spec::load(&files).map(for_this_build),
            env_files,
        }
    })
}

/// `specs` with the templates the triple being built needs.
fn for_this_build(mut specs: Specs) -> Specs {
    specs.for_triple(&crate::build_target::triple());
    specs
}

/// The spec files of the folder `ABI_BRIDGE_TARGETS` names, if it is set.
fn env_files() -> Result<Option<(PathBuf, Vec<SpecFile>)>, Diagnostic> {
    let Some(value) = std::env::var_os(ENV).filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    let shown = value.to_string_lossy().into_owned();
    let error = |message: String, help: &str| {
        let file = SourceFile::new(ENV, shown.clone());
        Diagnostic::new(&file, 0..shown.len(), message).help(help)
    };
    let dir = PathBuf::from(&value);
    if !dir.is_absolute() {
        return Err(error(
            format!("{ENV} must be an absolute path, not `{shown}`"),
            "in .cargo/config.toml write `[env] ABI_BRIDGE_TARGETS = { value = \"specs\", relative = true }`",
        ));
    }
    let files = abi_spec::read_dir(&dir, &shown).map_err(|e| {
        error(
            format!("cannot read spec folder `{shown}`: {e}"),
            "point it at a folder of <os>-<arch>.toml files",
        )
    })?;
    if files.is_empty() {
        return Err(error(
            format!("no spec files in `{shown}`"),
            "put <os>-<arch>.toml files (or extension files) there, or unset the variable",
        ));
    }
    Ok(Some((dir, files)))
}

/// The built-in specs with those of `ABI_BRIDGE_TARGETS`, loaded once per
/// compiler process.
pub(crate) fn builtin() -> Result<&'static Specs, &'static Diagnostics> {
    base().specs.as_ref()
}

/// Items that make cargo rebuild the expanding crate when `ABI_BRIDGE_TARGETS`
/// changes (rustc records the variable `option_env!` reads) or one of its
/// files does (`include_bytes!` records the file).
pub(crate) fn tracking() -> TokenStream {
    let files = base().env_files.iter().map(|p| {
        let p = p.display().to_string();
        quote! { const _: &[u8] = ::core::include_bytes!(#p); }
    });
    quote! {
        const _: ::core::option::Option<&str> = ::core::option_env!(#ENV);
        #(#files)*
    }
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
    match env_files() {
        Ok(Some((_, env))) => files.extend(env),
        Ok(None) => {}
        Err(d) => return Err(d.one_line()),
    }
    files.extend(user);
    match abi_spec::load(&files) {
        Ok(s) => Ok((for_this_build(s), paths)),
        Err(d) => Err(d
            .0
            .iter()
            .map(abi_spec::Diagnostic::one_line)
            .collect::<Vec<_>>()
            .join("\n")),
    }
}

/// The file behind a display path `prefix/<relative path>` of folder `abs`.
fn spec_path(abs: &Path, prefix: &str, display: &str) -> PathBuf {
    let rel = display
        .strip_prefix(prefix.trim_end_matches('/'))
        .unwrap_or(display)
        .trim_start_matches('/');
    abs.join(rel)
}
