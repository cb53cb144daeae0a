//! Test legs, read from the `[ci]` section of each target spec: adding a
//! target file adds a leg, with no code change here.

use std::path::Path;

use abi_spec::model::Target;

/// How one target is built and run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Leg {
    /// The spec's name, e.g. `linux-aarch64`.
    pub(crate) name: String,
    /// Rust target triple.
    pub(crate) triple: String,
    /// `target_os` of the spec, e.g. `linux`.
    pub(crate) os: String,
    /// Runner command line; empty when the leg runs natively.
    pub(crate) runner: String,
    /// Linker; empty for the default.
    pub(crate) linker: String,
    /// Debian packages that provide the runner and linker.
    pub(crate) packages: Vec<String>,
    /// Integration tests the leg runs (files of `tests/tests/`).
    pub(crate) tests: Vec<String>,
    /// Programs the leg runs: abi-runtime examples, or crate folders.
    pub(crate) examples: Vec<String>,
}

impl Leg {
    pub(crate) fn from_target(t: &Target) -> Self {
        Leg {
            name: t.name.clone(),
            triple: t.ci.triple.clone(),
            os: t.cfg.os.clone(),
            runner: t.ci.runner.clone(),
            linker: t.ci.linker.clone(),
            packages: t.ci.packages.clone(),
            tests: t.ci.tests.clone(),
            examples: t.ci.examples.clone(),
        }
    }

    /// Whether the leg runs its programs under a qemu user-mode emulator.
    pub(crate) fn runs_under_qemu(&self) -> bool {
        self.runner
            .split_whitespace()
            .next()
            .is_some_and(|p| p.rsplit('/').next().unwrap_or(p).starts_with("qemu-"))
    }

    /// `CARGO_TARGET_<TRIPLE>_RUNNER` / `_LINKER` for this leg.
    pub(crate) fn env(&self) -> Vec<(String, String)> {
        let key = self.triple.to_uppercase().replace(['-', '.'], "_");
        let mut env = Vec::new();
        if !self.runner.is_empty() {
            env.push((format!("CARGO_TARGET_{key}_RUNNER"), self.runner_command()));
        }
        if !self.linker.is_empty() {
            env.push((format!("CARGO_TARGET_{key}_LINKER"), self.linker.clone()));
        }
        env
    }

    /// The runner with its repository-relative paths (runner scripts kept in
    /// the repo, like `tests/runners/wine-run`) made absolute, since cargo runs
    /// it from each package's folder.
    pub(crate) fn runner_command(&self) -> String {
        let root = repo_root();
        let words: Vec<String> = self
            .runner
            .split_whitespace()
            .map(|w| {
                if w.contains('/') && !w.starts_with('/') {
                    root.join(w).display().to_string()
                } else {
                    w.to_owned()
                }
            })
            .collect();
        words.join(" ")
    }
}

/// The legs of the spec files in `dir` (the repository's `targets/`).
pub(crate) fn load(dir: &Path) -> Result<Vec<Leg>, String> {
    let files = abi_spec::read_dir(dir, "targets")
        .map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
    let specs = abi_spec::load(&files).map_err(|d| d.to_string())?;
    Ok(specs.targets.iter().map(Leg::from_target).collect())
}

/// The repository's root folder.
pub(crate) fn repo_root() -> std::path::PathBuf {
    let xtask = Path::new(env!("CARGO_MANIFEST_DIR"));
    xtask.parent().unwrap_or(xtask).to_path_buf()
}

pub(crate) fn targets_dir() -> std::path::PathBuf {
    repo_root().join("targets")
}

pub(crate) fn print(legs: &[Leg]) {
    println!(
        "{:<16} {:<30} {:<44} {:<24} packages",
        "target", "triple", "runner", "linker"
    );
    for l in legs {
        let or_dash = |s: &str| {
            if s.is_empty() {
                "-".to_owned()
            } else {
                s.to_owned()
            }
        };
        println!(
            "{:<16} {:<30} {:<44} {:<24} {}",
            l.name,
            l.triple,
            or_dash(&l.runner),
            or_dash(&l.linker),
            l.packages.join(" ")
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_spec_dropped_into_a_folder_becomes_a_leg() {
        let dir = std::env::temp_dir().join(format!("xtask-legs-{}", std::process::id()));
        let targets = targets_dir();
        for sub in ["abi", "arch", "errno"] {
            std::fs::create_dir_all(dir.join(sub)).unwrap();
            for e in std::fs::read_dir(targets.join(sub)).unwrap() {
                let e = e.unwrap();
                std::fs::copy(e.path(), dir.join(sub).join(e.file_name())).unwrap();
            }
        }
        let base = std::fs::read_to_string(targets.join("linux-aarch64.toml")).unwrap();
        let spec = base
            .replace("target_endian = \"little\"", "target_endian = \"big\"")
            .replace(
                "triple = \"aarch64-unknown-linux-gnu\"",
                "triple = \"aarch64_be-unknown-linux-gnu\"",
            )
            .replace(
                "runner = \"qemu-aarch64 -L /usr/aarch64-linux-gnu\"",
                "runner = \"qemu-aarch64_be -L /opt/be\"",
            )
            .replace(
                "packages = [\"qemu-user\", \"gcc-aarch64-linux-gnu\", \"libc6-dev-arm64-cross\"]",
                "packages = [\"qemu-user\", \"gcc-be\"]",
            );
        std::fs::write(dir.join("linux-aarch64be.toml"), spec).unwrap();
        let legs = load(&dir).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        let leg = legs
            .iter()
            .find(|l| l.name == "linux-aarch64be")
            .expect("new leg");
        assert_eq!(leg.triple, "aarch64_be-unknown-linux-gnu");
        assert_eq!(leg.packages, ["qemu-user", "gcc-be"]);
        // What the copied [ci] section lists comes along unchanged.
        let base = load(&targets_dir())
            .unwrap()
            .into_iter()
            .find(|l| l.name == "linux-aarch64")
            .unwrap();
        assert!(leg.tests.contains(&"linux".to_owned()), "{:?}", leg.tests);
        assert_eq!((&leg.tests, &leg.examples), (&base.tests, &base.examples));
        assert_eq!(
            leg.env(),
            [
                (
                    "CARGO_TARGET_AARCH64_BE_UNKNOWN_LINUX_GNU_RUNNER".to_owned(),
                    "qemu-aarch64_be -L /opt/be".to_owned()
                ),
                (
                    "CARGO_TARGET_AARCH64_BE_UNKNOWN_LINUX_GNU_LINKER".to_owned(),
                    "aarch64-linux-gnu-gcc".to_owned()
                ),
            ]
        );
    }
}
