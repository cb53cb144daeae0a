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
    /// With an empty `runner`: the runner used when the host cannot run the
    /// triple's programs itself; empty when there is none.
    pub(crate) fallback_runner: String,
    /// Other Rust targets the leg's tests build for.
    pub(crate) rust_targets: Vec<String>,
    /// GitHub Actions its workflow job uses first (`owner/action@ref key=value`).
    pub(crate) setup_actions: Vec<String>,
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
            fallback_runner: t.ci.fallback_runner.clone(),
            rust_targets: t.ci.rust_targets.clone(),
            setup_actions: t.ci.setup_actions.clone(),
            linker: t.ci.linker.clone(),
            packages: t.ci.packages.clone(),
            tests: t.ci.tests.clone(),
            examples: t.ci.examples.clone(),
        }
    }

    /// The legs of `t`: its own triple, then each of `more_triples`, named
    /// after the target and the triple's arch field (`linux-armv7-thumbv7neon`).
    pub(crate) fn all_of(t: &Target) -> Vec<Self> {
        let first = Leg::from_target(t);
        let more = t.ci.more_triples.iter().map(|triple| Leg {
            name: format!("{}-{}", t.name, triple.split('-').next().unwrap_or(triple)),
            triple: triple.clone(),
            ..first.clone()
        });
        let mut all: Vec<Leg> = more.collect();
        all.insert(0, first);
        all
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

impl Leg {
    /// Whether the host runs the triple's programs itself (a 64-bit kernel
    /// may or may not run 32-bit programs): builds an empty program for the
    /// triple with the leg's linker and starts it. An error when it cannot be
    /// built.
    pub(crate) fn runs_natively(&self) -> Result<bool, String> {
        let dir = repo_root()
            .join("target/tmp")
            .join(format!("xtask-native-{}", self.triple));
        std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        let src = dir.join("main.rs");
        std::fs::write(&src, "fn main() {}\n").map_err(|e| format!("{}: {e}", src.display()))?;
        let exe = dir.join("probe");
        let mut rustc = std::process::Command::new("rustc");
        rustc
            .current_dir(repo_root())
            .args(["--edition", "2024", "--target", &self.triple, "-o"])
            .arg(&exe)
            .arg(&src);
        if !self.linker.is_empty() {
            rustc.arg(format!("-Clinker={}", self.linker));
        }
        let built = rustc.output().map_err(|e| format!("{rustc:?}: {e}"))?;
        if !built.status.success() {
            return Err(format!(
                "cannot build a program for {}: {}",
                self.triple,
                String::from_utf8_lossy(&built.stderr).trim()
            ));
        }
        Ok(std::process::Command::new(&exe)
            .status()
            .is_ok_and(|s| s.success()))
    }

    /// For a leg without a runner: checks that the host runs the triple's
    /// programs, else takes the fallback runner (an error without one); says
    /// which it chose. An error when the runner's
    /// program is missing, before anything is built for nothing.
    pub(crate) fn choose_runner(&mut self) -> Result<(), String> {
        if !self.runner.is_empty() {
            return self.runner_exists();
        }
        if self.runs_natively()? {
            println!(
                "xtask: {}: the host runs {} programs natively",
                self.name, self.triple
            );
        } else if self.fallback_runner.is_empty() {
            return Err(format!(
                "the host cannot run {} programs natively, and [ci] of {} has no fallback_runner",
                self.triple, self.name
            ));
        } else {
            println!(
                "xtask: {}: the host cannot run {} programs; running them under `{}`",
                self.name, self.triple, self.fallback_runner
            );
            self.runner = self.fallback_runner.clone();
        }
        self.runner_exists()
    }

    /// Whether the runner's program is there: a repository path (a runner
    /// script) or a command on `PATH`.
    fn runner_exists(&self) -> Result<(), String> {
        let Some(program) = self.runner.split_whitespace().next() else {
            return Ok(());
        };
        let found = if program.contains('/') {
            repo_root().join(program).is_file()
        } else {
            std::env::var_os("PATH").is_some_and(|path| {
                std::env::split_paths(&path).any(|dir| dir.join(program).is_file())
            })
        };
        if found {
            Ok(())
        } else {
            Err(format!(
                "the runner `{program}` ([ci] runner of {}) is not installed{}",
                self.name,
                if self.packages.is_empty() {
                    String::new()
                } else {
                    format!(" (the leg's Debian packages: {})", self.packages.join(" "))
                }
            ))
        }
    }
}

/// The legs of the spec files in `dir` (the repository's `targets/`).
pub(crate) fn load(dir: &Path) -> Result<Vec<Leg>, String> {
    let files = abi_spec::read_dir(dir, "targets")
        .map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
    let specs = abi_spec::load(&files).map_err(|d| d.to_string())?;
    Ok(specs.targets.iter().flat_map(Leg::all_of).collect())
}

/// The repository's root folder.
pub(crate) fn repo_root() -> std::path::PathBuf {
    let xtask = Path::new(env!("CARGO_MANIFEST_DIR"));
    xtask.parent().unwrap_or(xtask).to_path_buf()
}

pub(crate) fn targets_dir() -> std::path::PathBuf {
    repo_root().join("targets")
}

/// Reads `[--target NAME]... [--targets DIR]` for the importers that write
/// spec files: the folder and the targets named, or, when none is named,
/// every target of the folder that `all` keeps.
pub(crate) fn import_args(
    args: &[String],
    all: impl Fn(&abi_spec::model::Target) -> bool,
) -> Result<(std::path::PathBuf, Vec<String>), String> {
    let mut names = Vec::new();
    let mut dir = targets_dir();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--target" => names.push(it.next().ok_or("--target needs a spec name")?.clone()),
            "--targets" => {
                dir = std::path::PathBuf::from(it.next().ok_or("--targets needs a folder")?)
            }
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    if names.is_empty() {
        let files = abi_spec::read_dir(&dir, &dir.display().to_string())
            .map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
        let specs = abi_spec::load(&files).map_err(|d| d.to_string())?;
        names = specs
            .targets
            .iter()
            .filter(|t| all(t))
            .map(|t| t.name.clone())
            .collect();
    }
    Ok((dir, names))
}

pub(crate) fn print(legs: &[Leg]) {
    println!(
        "{:<16} {:<30} {:<46} {:<26} packages",
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
        let runner = if l.runner.is_empty() && !l.fallback_runner.is_empty() {
            format!("native, else {}", l.fallback_runner)
        } else {
            or_dash(&l.runner)
        };
        println!(
            "{:<16} {:<30} {:<46} {:<26} {}",
            l.name,
            l.triple,
            runner,
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
                "packages = [\"qemu-user\", \"gcc-aarch64-linux-gnu\", \"libc6-dev-arm64-cross\", \"g++\"]",
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

#[cfg(test)]
mod runner_tests {
    use super::*;

    fn leg(triple: &str, fallback: &str) -> Leg {
        Leg {
            name: format!("probe-{triple}"),
            os: "linux".to_owned(),
            triple: triple.to_owned(),
            runner: String::new(),
            fallback_runner: fallback.to_owned(),
            rust_targets: Vec::new(),
            setup_actions: Vec::new(),
            linker: String::new(),
            packages: Vec::new(),
            tests: Vec::new(),
            examples: Vec::new(),
        }
    }

    fn host() -> String {
        let out = std::process::Command::new("rustc")
            .arg("-vV")
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .find_map(|l| l.strip_prefix("host: "))
            .unwrap()
            .to_owned()
    }

    #[test]
    fn the_fallback_runner_is_taken_only_when_the_host_cannot_run_the_triple() {
        // The host runs its own programs: no fallback.
        let mut native = leg(&host(), "never-used");
        native.choose_runner().unwrap();
        assert_eq!(native.runner, "");
        // A .wasm file is no program the kernel can start.
        let mut wasm = leg("wasm32-wasip1", "sh run.sh");
        assert!(!wasm.runs_natively().unwrap());
        wasm.choose_runner().unwrap();
        assert_eq!(wasm.runner, "sh run.sh");
        // A leg with a runner keeps it, without probing.
        let mut given = leg("no-such-triple", "other");
        given.runner = "sh -c".to_owned();
        given.choose_runner().unwrap();
        assert_eq!(given.runner, "sh -c");
        // A runner that is not there is named before anything is built.
        let mut missing = leg("no-such-triple", "");
        missing.runner = "no-such-emulator-xyz -L /x".to_owned();
        let e = missing.choose_runner().unwrap_err();
        assert!(e.contains("the runner `no-such-emulator-xyz`"), "{e}");
        missing.runner = "tests/runners/no-such-run".to_owned();
        assert!(missing.choose_runner().is_err());
        missing.runner = "tests/runners/wine-run".to_owned();
        missing.choose_runner().unwrap();
        // No runner, no fallback, and the host cannot start the program.
        let e = leg("wasm32-wasip1", "").choose_runner().unwrap_err();
        assert!(
            e.contains("cannot run wasm32-wasip1 programs natively"),
            "{e}"
        );
        // A triple rustc does not know is an error that says so, not a fallback.
        let e = leg("no-such-triple", "other").choose_runner().unwrap_err();
        assert!(
            e.contains("cannot build a program for no-such-triple"),
            "{e}"
        );
    }
}
