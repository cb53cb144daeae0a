//! Installing what a leg needs: its Debian packages (its Rust targets:
//! `toolchain.rs`).

use std::process::Command;

use crate::legs::Leg;

/// Whether the Debian package `name` is installed.
pub(crate) fn dpkg_installed(name: &str) -> bool {
    Command::new("dpkg-query")
        .args(["-W", "-f=${Status}", name])
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).contains("install ok installed"))
}

/// Makes sure every leg's Debian packages are there (`apt-get update` first).
/// With `allow_install` false it only reports what is missing.
pub(crate) fn ensure(legs: &[Leg], allow_install: bool) -> Result<(), String> {
    let mut packages: Vec<&str> = legs
        .iter()
        .flat_map(|l| l.packages.iter().map(String::as_str))
        .collect();
    packages.sort_unstable();
    packages.dedup();
    packages.retain(|p| !dpkg_installed(p));
    if !packages.is_empty() {
        if !allow_install {
            return Err(format!(
                "missing Debian packages; install them with: apt-get install -y {}",
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
    Ok(())
}

pub(crate) fn run(cmd: &mut Command) -> Result<(), String> {
    let status = cmd
        .status()
        .map_err(|e| format!("{}: {e}", describe(cmd)))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`{}` failed: {status}", describe(cmd)))
    }
}

/// A command as a user would type it: the program's file name and the
/// arguments (quoted when they hold spaces), without the environment.
pub(crate) fn describe(cmd: &Command) -> String {
    let program = std::path::Path::new(cmd.get_program());
    let mut words = vec![
        program
            .file_name()
            .unwrap_or(program.as_os_str())
            .to_string_lossy()
            .into_owned(),
    ];
    for a in cmd.get_args() {
        let a = a.to_string_lossy();
        words.push(if a.contains(' ') {
            format!("'{a}'")
        } else {
            a.into_owned()
        });
    }
    words.join(" ")
}
