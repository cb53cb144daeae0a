//! `cargo xtask package-check`: the published crates work from a registry.
//!
//! Packages abi-spec, abi-macros, abi-runtime and abi-build the way `cargo
//! publish` would (`cargo package --no-verify`), checks what each package
//! holds (license files, README, the built-in spec files inside abi-spec, no
//! stray files), unpacks the `.crate` files into a scratch folder and builds a
//! user crate against the unpacked packages only (`[patch.crates-io]` points
//! into the scratch folder; nothing else of the workspace is used but
//! `Cargo.lock`, so the third-party versions are the tested ones). The user
//! crate makes a bridged call (`getpid`, through `#[syscall_bridge]` and
//! through abi-build's C stubs) and compares it with `std::process::id`, and
//! counts the built-in targets abi-spec embeds.
//!
//! Linux hosts only: the user crate makes Linux system calls and abi-build
//! stubs for the host.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The crates a user gets from a registry, in dependency order.
const CRATES: [&str; 4] = ["abi-spec", "abi-macros", "abi-runtime", "abi-build"];

/// Files every package must hold.
const REQUIRED: [&str; 3] = ["LICENSE-MIT", "LICENSE-APACHE", "README.md"];

/// Parts of a path no package may hold (editor and tool leftovers).
const STRAY: [&str; 4] = [".snap.new", ".pending-snap", ".orig.rs", "/target/"];

pub(crate) fn run(args: &[String]) -> Result<(), String> {
    if let Some(a) = args.first() {
        return Err(format!("package-check takes no arguments, got `{a}`"));
    }
    let repo = repo();
    // xtask takes its version from the workspace, as the published crates do.
    let version = env!("CARGO_PKG_VERSION");
    let target_dir =
        std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| repo.join("target"), PathBuf::from);

    let mut package = Command::new(cargo());
    package
        .current_dir(&repo)
        .args(["package", "--no-verify", "--allow-dirty", "--offline"]);
    for c in CRATES {
        package.args(["-p", c]);
    }
    run_cmd(&mut package, "cargo package")?;

    let scratch =
        std::env::temp_dir().join(format!("abi-bridge-package-check-{}", std::process::id()));
    let result = check_in(&repo, &target_dir, &scratch, version);
    let _ = std::fs::remove_dir_all(&scratch);
    result
}

fn check_in(repo: &Path, target_dir: &Path, scratch: &Path, version: &str) -> Result<(), String> {
    let unpacked = scratch.join("crates");
    std::fs::create_dir_all(&unpacked).map_err(|e| format!("{}: {e}", unpacked.display()))?;
    let mut problems = Vec::new();
    for c in CRATES {
        let file = target_dir
            .join("package")
            .join(format!("{c}-{version}.crate"));
        run_cmd(
            Command::new("tar")
                .arg("-xzf")
                .arg(&file)
                .arg("-C")
                .arg(&unpacked),
            &format!("unpacking {}", file.display()),
        )?;
        let root = unpacked.join(format!("{c}-{version}"));
        let files = list(&root, &root);
        for r in REQUIRED {
            if !files.iter().any(|f| f == r) {
                problems.push(format!("{c}: the package lacks {r}"));
            }
        }
        for f in &files {
            if STRAY.iter().any(|s| format!("/{f}").contains(s)) {
                problems.push(format!("{c}: the package holds the stray file {f}"));
            }
        }
        println!(
            "package-check: {c}-{version}.crate holds {} files",
            files.len()
        );
    }
    // The spec files abi-spec embeds are exactly those of targets/.
    let root = unpacked.join(format!("abi-spec-{version}"));
    let mut shipped: Vec<String> = list(&root, &root)
        .into_iter()
        .filter_map(|f| f.strip_prefix("targets/").map(str::to_owned))
        .collect();
    let mut written = list(&repo.join("targets"), &repo.join("targets"));
    shipped.sort();
    written.sort();
    if shipped != written {
        problems.push(format!(
            "abi-spec: the package's targets/ ({} files) differs from the repository's ({} files)",
            shipped.len(),
            written.len()
        ));
    }
    if !problems.is_empty() {
        return Err(problems.join("\n"));
    }
    let targets = written.iter().filter(|f| !f.contains('/')).count();

    let user = scratch.join("user");
    write_user_crate(&user, &unpacked, version)?;
    std::fs::copy(repo.join("Cargo.lock"), user.join("Cargo.lock"))
        .map_err(|e| format!("copying Cargo.lock: {e}"))?;
    let out = Command::new(cargo())
        .current_dir(&user)
        .args(["run", "--offline", "--quiet"])
        .env("CARGO_TARGET_DIR", target_dir.join("package-check"))
        .env_remove("ABI_BRIDGE_TARGETS")
        .env_remove("RUSTFLAGS")
        .output()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() {
        return Err(format!(
            "the user crate built against the packages failed:\n{}{stdout}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let want = format!("targets {targets}");
    if !stdout.lines().any(|l| l == want) {
        return Err(format!(
            "the packaged abi-spec does not embed the {targets} targets of targets/: the user crate printed\n{stdout}"
        ));
    }
    print!("{stdout}");
    println!(
        "package-check: {} packages unpacked, a user crate built against them alone ran its bridged calls",
        CRATES.len()
    );
    Ok(())
}

/// A binary crate depending on the packaged crates by version, with every one
/// of them patched to its unpacked folder.
fn write_user_crate(dir: &Path, unpacked: &Path, version: &str) -> Result<(), String> {
    let patch: String = CRATES
        .iter()
        .map(|c| {
            let path = unpacked.join(format!("{c}-{version}"));
            format!("{c} = {{ path = {:?} }}\n", path.display().to_string())
        })
        .collect();
    let manifest = format!(
        "[package]\nname = \"package-user\"\nversion = \"0.0.0\"\nedition = \"2024\"\npublish = false\n\n\
         [dependencies]\nabi-runtime = \"={version}\"\nabi-spec = \"={version}\"\n\n\
         [build-dependencies]\nabi-build = \"={version}\"\n\n\
         [patch.crates-io]\n{patch}\n[workspace]\n"
    );
    let build = "fn main() {\n    abi_build::Build::new().compile().unwrap_or_else(|e| panic!(\"abi-build: {e}\"));\n}\n";
    let main = r##"//! Uses the packaged crates as a registry user would.
use abi_runtime::{Errno, syscall_bridge};

#[syscall_bridge]
unsafe fn getpid() -> Result<i32, Errno>;

unsafe extern "C" {
    /// abi-build's C stub: the raw result.
    fn abi_getpid() -> isize;
}

fn main() {
    let specs = abi_spec::load_builtin().expect("the embedded specs load");
    println!("targets {}", specs.targets.len());
    // SAFETY: getpid takes no arguments and cannot fail.
    let bridged = unsafe { getpid() }.expect("getpid");
    // SAFETY: as above, through the C stub.
    let stub = unsafe { abi_getpid() };
    let std_pid = std::process::id();
    assert_eq!(u32::try_from(bridged).ok(), Some(std_pid), "#[syscall_bridge] getpid");
    assert_eq!(u32::try_from(stub).ok(), Some(std_pid), "abi-build's abi_getpid");
    assert_eq!(abi_runtime::platform::process_id(), Some(std_pid), "platform::process_id");
    let e = abi_runtime::Errno::from_raw(2);
    println!("getpid {bridged} = std {std_pid}; errno 2 is {e:?}");
}
"##;
    for (name, text) in [
        ("Cargo.toml", manifest.as_str()),
        ("build.rs", build),
        ("src/main.rs", main),
    ] {
        let path = dir.join(name);
        std::fs::create_dir_all(path.parent().expect("has a parent"))
            .and_then(|()| std::fs::write(&path, text))
            .map_err(|e| format!("{}: {e}", path.display()))?;
    }
    Ok(())
}

/// Every file below `dir`, as paths relative to `root` with `/`.
fn list(root: &Path, dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for e in entries.flatten() {
        let path = e.path();
        if path.is_dir() {
            out.extend(list(root, &path));
        } else if let Ok(rel) = path.strip_prefix(root) {
            out.push(rel.to_string_lossy().replace('\\', "/"));
        }
    }
    out
}

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask sits in the repository")
        .to_path_buf()
}

fn cargo() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned())
}

fn run_cmd(cmd: &mut Command, what: &str) -> Result<(), String> {
    let status = cmd.status().map_err(|e| format!("{what}: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{what} failed ({status})"))
    }
}
