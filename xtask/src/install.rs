//! Installing what a leg needs: its rustup target and its Debian packages.

use std::process::Command;

use crate::legs::Leg;

/// Whether `program` can be run: a repository path that exists, or a name on PATH.
fn on_path(program: &str) -> bool {
    if program.contains('/') {
        return crate::legs::repo_root().join(program).is_file();
    }
    std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|d| d.join(program).is_file()))
}

/// Makes sure every leg's programs and Rust target are there. With
/// `allow_install` false it only reports what is missing.
pub(crate) fn ensure(legs: &[Leg], allow_install: bool) -> Result<(), String> {
    let missing: Vec<&Leg> = legs
        .iter()
        .filter(|l| l.programs().iter().any(|p| !on_path(p)))
        .collect();
    let mut packages: Vec<&str> = missing
        .iter()
        .flat_map(|l| l.packages.iter().map(String::as_str))
        .collect();
    packages.sort_unstable();
    packages.dedup();
    if !packages.is_empty() {
        if !allow_install {
            return Err(format!(
                "missing runners/linkers; install them with: apt-get install -y {}",
                packages.join(" ")
            ));
        }
        println!("xtask: installing Debian packages: {}", packages.join(" "));
        run(Command::new("apt-get").arg("update").arg("-q"))?;
        run(Command::new("apt-get")
            .args(["install", "-y", "-q", "--no-install-recommends"])
            .args(&packages)
            .env("DEBIAN_FRONTEND", "noninteractive"))?;
    }
    let installed = Command::new("rustup")
        .args(["target", "list", "--installed"])
        .output()
        .map_err(|e| format!("rustup: {e}"))?;
    let installed = String::from_utf8_lossy(&installed.stdout).into_owned();
    for l in legs {
        if !installed.lines().any(|t| t.trim() == l.triple) {
            if !allow_install {
                return Err(format!(
                    "missing Rust target; install it with: rustup target add {}",
                    l.triple
                ));
            }
            println!("xtask: installing Rust target {}", l.triple);
            run(Command::new("rustup").args(["target", "add", &l.triple]))?;
        }
    }
    Ok(())
}

pub(crate) fn run(cmd: &mut Command) -> Result<(), String> {
    let status = cmd.status().map_err(|e| format!("{cmd:?}: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{cmd:?} failed: {status}"))
    }
}
