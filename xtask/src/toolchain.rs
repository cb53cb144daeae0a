//! The Rust toolchain the project pins (`rust-toolchain.toml`), and installing
//! the rustup targets and components a leg needs when they are missing: a
//! machine that has the pinned toolchain but not every target (rustup adds a
//! file's targets only when it installs the toolchain itself) still runs the
//! matrix.

use std::path::Path;
use std::process::Command;

use toml::de::{DeTable, DeValue};

use crate::install;
use crate::legs::{self, Leg};

/// What `rust-toolchain.toml` says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Toolchain {
    /// `channel`, e.g. `1.95.0`.
    pub(crate) channel: String,
    /// `components`, e.g. `rustfmt`.
    pub(crate) components: Vec<String>,
    /// `targets`: every leg's triple and the other targets the legs build for.
    pub(crate) targets: Vec<String>,
}

/// Reads the `[toolchain]` table of a `rust-toolchain.toml` text.
pub(crate) fn parse(text: &str, path: &Path) -> Result<Toolchain, String> {
    let doc = DeTable::parse(text).map_err(|e| format!("{}: {e}", path.display()))?;
    let doc = doc.into_inner();
    let table = doc
        .get("toolchain")
        .and_then(|t| t.get_ref().as_table())
        .ok_or_else(|| format!("{}: no [toolchain] table", path.display()))?;
    let string = |key: &str| -> Result<String, String> {
        table
            .get(key)
            .and_then(|v| v.get_ref().as_str())
            .map(str::to_owned)
            .ok_or_else(|| format!("{}: [toolchain] has no `{key}` string", path.display()))
    };
    let strings = |key: &str| -> Result<Vec<String>, String> {
        let Some(v) = table.get(key) else {
            return Ok(Vec::new());
        };
        let bad = || format!("{}: `{key}` is not a list of strings", path.display());
        let DeValue::Array(items) = v.get_ref() else {
            return Err(bad());
        };
        items
            .iter()
            .map(|i| i.get_ref().as_str().map(str::to_owned).ok_or_else(bad))
            .collect()
    };
    Ok(Toolchain {
        channel: string("channel")?,
        components: strings("components")?,
        targets: strings("targets")?,
    })
}

/// The repository's `rust-toolchain.toml`.
pub(crate) fn pinned() -> Result<Toolchain, String> {
    let path = legs::repo_root().join("rust-toolchain.toml");
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    parse(&text, &path)
}

/// The Rust targets `legs` build for: each triple, then the other targets
/// their tests need, without repeats, in that order.
pub(crate) fn targets_of(legs: &[Leg]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for t in legs
        .iter()
        .map(|l| &l.triple)
        .chain(legs.iter().flat_map(|l| &l.rust_targets))
    {
        if !out.contains(t) {
            out.push(t.clone());
        }
    }
    out
}

/// Lines of `rustup <what> list --installed`.
fn installed(what: &str) -> Result<Vec<String>, String> {
    let out = Command::new("rustup")
        .args([what, "list", "--installed"])
        .current_dir(legs::repo_root())
        .output()
        .map_err(|e| format!("rustup {what} list: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "rustup {what} list --installed failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| l.trim().to_owned())
        .collect())
}

/// Components are listed with the host triple (`clippy-x86_64-unknown-linux-gnu`).
fn has_component(installed: &[String], name: &str) -> bool {
    installed.iter().any(|c| {
        c.strip_prefix(name)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('-'))
    })
}

/// Adds the pinned components and the Rust targets of `legs` that rustup
/// lacks. With `allow_install` false it only reports them.
pub(crate) fn ensure(legs: &[Leg], allow_install: bool) -> Result<(), String> {
    let pinned = pinned()?;
    if Command::new("rustup").arg("--version").output().is_err() {
        // A toolchain without rustup (a distribution's rustc) has what it has;
        // a missing target shows as a build error naming it.
        println!(
            "xtask: no rustup; not checking the Rust targets {}",
            targets_of(legs).join(" ")
        );
        return Ok(());
    }
    let have = installed("component")?;
    let components: Vec<&str> = pinned
        .components
        .iter()
        .map(String::as_str)
        .filter(|c| !has_component(&have, c))
        .collect();
    let have = installed("target")?;
    let targets: Vec<String> = targets_of(legs)
        .into_iter()
        .filter(|t| !have.contains(t))
        .collect();
    for (what, missing) in [
        (
            "component",
            components.iter().map(|c| c.to_string()).collect(),
        ),
        ("target", targets),
    ] {
        let missing: Vec<String> = missing;
        if missing.is_empty() {
            continue;
        }
        if !allow_install {
            return Err(format!(
                "missing Rust {what}s; install them with: rustup {what} add {}",
                missing.join(" ")
            ));
        }
        println!("xtask: installing Rust {what}s: {}", missing.join(" "));
        install::run(
            Command::new("rustup")
                .args([what, "add"])
                .args(&missing)
                .current_dir(legs::repo_root()),
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pinned_toolchain_lists_every_target_the_legs_need() {
        let pinned = pinned().unwrap();
        let legs = legs::load(&legs::targets_dir()).unwrap();
        let mut want = targets_of(&legs);
        let mut have = pinned.targets.clone();
        want.sort();
        have.sort();
        assert_eq!(
            have, want,
            "rust-toolchain.toml's targets differ from the legs' triples and [ci] rust_targets"
        );
        // The freestanding example is its own workspace with a copy of the file.
        let copy = legs::repo_root().join("examples/freestanding/rust-toolchain.toml");
        let copy = parse(&std::fs::read_to_string(&copy).unwrap(), &copy).unwrap();
        assert_eq!(copy, pinned);
    }

    #[test]
    fn reads_a_toolchain_file_and_refuses_a_broken_one() {
        let p = Path::new("rust-toolchain.toml");
        let t = parse(
            "[toolchain]\nchannel = \"1.95.0\"\ncomponents = [\"clippy\"]\ntargets = [\"a\", \"b\"]\n",
            p,
        )
        .unwrap();
        assert_eq!(t.channel, "1.95.0");
        assert_eq!(
            (t.components, t.targets),
            (
                vec!["clippy".to_owned()],
                vec!["a".to_owned(), "b".to_owned()]
            )
        );
        let e = parse("[toolchain]\ntargets = [1]\nchannel = \"x\"\n", p).unwrap_err();
        assert!(e.contains("`targets` is not a list of strings"), "{e}");
        let e = parse("channel = \"x\"\n", p).unwrap_err();
        assert!(e.contains("no [toolchain] table"), "{e}");
    }

    #[test]
    fn components_match_with_or_without_the_host_suffix() {
        let have = [
            "clippy-x86_64-unknown-linux-gnu".to_owned(),
            "rustfmt".to_owned(),
        ];
        assert!(has_component(&have, "clippy"));
        assert!(has_component(&have, "rustfmt"));
        assert!(!has_component(&have, "rust-src"));
        assert!(!has_component(&have, "clip"));
    }
}
