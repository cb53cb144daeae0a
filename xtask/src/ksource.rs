//! The kernel source a Linux table is imported from (Debian's
//! `linux-source-6.12`): finding or installing its archive, unpacking the few
//! files a table needs under `target/`, and reading the arch's `syscall.tbl`.
//!
//! Which table and which of its ABI columns a port's kernel is built with are
//! data of the spec (`[provenance] syscall_table`, `syscall_abis`): the x86
//! tables name their ABIs (`common`, `64`, `i386`); the generic
//! `scripts/syscall.tbl` (arm64, riscv since 6.11) selects optional calls by
//! ABI too (`renameat`, `rlimit`, `memfd_secret`), which each arch lists in its
//! `arch/*/kernel/Makefile.syscalls`.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use abi_spec::model::Provenance;

use crate::cheaders;

/// Environment variable naming another kernel source archive (or an unpacked
/// tree) than the one `[provenance] kernel_archive` names.
pub(crate) const OVERRIDE_ENV: &str = "XTASK_LINUX_SOURCE";

/// Where the kernel source comes from.
#[derive(Debug, Clone, Default)]
pub(crate) struct SourceChoice {
    /// An archive or unpacked tree that replaces the spec's `kernel_archive`
    /// (`--kernel-source PATH` or `XTASK_LINUX_SOURCE`).
    pub(crate) path: Option<PathBuf>,
}

impl SourceChoice {
    /// The choice of the command line (`--kernel-source`), else of the environment.
    pub(crate) fn new(flag: Option<PathBuf>) -> Self {
        SourceChoice {
            path: flag.or_else(|| std::env::var_os(OVERRIDE_ENV).map(PathBuf::from)),
        }
    }
}

/// One line of a `syscall.tbl` that the port's ABIs select.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TableEntry {
    /// The call's name.
    pub(crate) name: String,
    /// Its number.
    pub(crate) nr: u32,
    /// The native entry point; `None` when the line has none (`-` or nothing),
    /// which the kernel's generator turns into `sys_ni_syscall`.
    pub(crate) entry: Option<String>,
}

/// The lines of `text` (a `syscall.tbl`, `file` for messages) whose ABI is one
/// of `abis`. Every ABI of the list must occur in the table: a misspelt one
/// would silently drop calls.
pub(crate) fn parse_table(
    text: &str,
    file: &str,
    abis: &[String],
) -> Result<Vec<TableEntry>, String> {
    if abis.is_empty() {
        return Err(format!(
            "[provenance] `syscall_abis` is empty: name the ABIs of {file} this port uses (e.g. [\"common\", \"64\"])"
        ));
    }
    let mut seen_abis = BTreeSet::new();
    let mut out: Vec<TableEntry> = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.split('#').next().unwrap_or_default();
        let fields: Vec<&str> = line.split_whitespace().collect();
        if fields.is_empty() {
            continue;
        }
        let [nr, abi, name, rest @ ..] = fields.as_slice() else {
            return Err(format!(
                "{file}:{}: `{}` has fewer than three fields (number, abi, name)",
                i + 1,
                line.trim()
            ));
        };
        let nr: u32 = nr
            .parse()
            .map_err(|_| format!("{file}:{}: `{nr}` is not a system call number", i + 1))?;
        seen_abis.insert((*abi).to_owned());
        if !abis.iter().any(|a| a == abi) {
            continue;
        }
        if let Some(prev) = out.iter().find(|e| e.name == *name || e.nr == nr) {
            return Err(format!(
                "{file}:{}: `{name}` ({nr}) clashes with `{}` ({}) under the ABIs {}: one of them should not be in [provenance] syscall_abis",
                i + 1,
                prev.name,
                prev.nr,
                abis.join(", ")
            ));
        }
        let entry = rest.first().filter(|e| **e != "-").map(|e| (*e).to_owned());
        out.push(TableEntry {
            name: (*name).to_owned(),
            nr,
            entry,
        });
    }
    // An ABI the kernel's build passes may have no lines (yet): arm's `eabi`
    // is named in the table's header comment only. One the file never names
    // is a mistake of the spec.
    let named = |a: &str| {
        text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .any(|w| w == a)
    };
    let unknown: Vec<&String> = abis
        .iter()
        .filter(|a| !seen_abis.contains(*a) && !named(a))
        .collect();
    if !unknown.is_empty() {
        return Err(format!(
            "{file}: the table never names the ABI {} ([provenance] syscall_abis); its lines' ABIs are: {}",
            unknown
                .iter()
                .map(|a| format!("`{a}`"))
                .collect::<Vec<_>>()
                .join(", "),
            seen_abis.into_iter().collect::<Vec<_>>().join(", ")
        ));
    }
    Ok(out)
}

/// `MAJOR.MINOR.SUBLEVEL` from the source's top `Makefile`.
pub(crate) fn kernel_version(makefile: &str) -> Option<String> {
    let get = |key: &str| {
        makefile.lines().find_map(|l| {
            let (k, v) = l.split_once('=')?;
            (k.trim() == key).then(|| v.trim().to_owned())
        })
    };
    Some(format!(
        "{}.{}.{}",
        get("VERSION")?,
        get("PATCHLEVEL")?,
        get("SUBLEVEL")?
    ))
}

/// The files of the source a spec's import reads (paths inside the tree).
fn members(p: &Provenance) -> Vec<String> {
    let mut m = vec!["Makefile".to_owned(), p.syscall_table.clone()];
    m.extend(p.kernel_prototypes.iter().cloned());
    m
}

/// The folder archives are unpacked in: the workspace's `target/`.
fn unpack_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| crate::legs::repo_root().join("target"))
}

/// The archive's name without its `.tar.*` ending: its top folder.
fn top_folder(archive: &Path) -> String {
    let name = archive
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    match name.find(".tar") {
        Some(i) => name[..i].to_owned(),
        None => name,
    }
}

/// Why the kernel source cannot be used.
#[derive(Debug)]
pub(crate) enum Missing {
    /// The archive is not there (and was not installed).
    Absent(String),
    /// It is there but unusable (a file missing in it, tar failed): an error
    /// of the spec or the machine, never a reason to fall back.
    Broken(String),
}

/// The root of an unpacked tree with the files spec `p` needs. With
/// `install`, a missing archive at the spec's own path is installed from its
/// Debian package first; an overriding path is never installed.
pub(crate) fn locate(
    p: &Provenance,
    choice: &SourceChoice,
    install: bool,
) -> Result<PathBuf, Missing> {
    let (archive, overridden) = match &choice.path {
        Some(path) => (path.clone(), true),
        None => (PathBuf::from(&p.kernel_archive), false),
    };
    let members = members(p);
    if archive.is_dir() {
        // An unpacked tree: used as it is.
        for m in &members {
            if !archive.join(m).is_file() {
                return Err(Missing::Broken(format!(
                    "the kernel source {} has no {m}",
                    archive.display()
                )));
            }
        }
        return Ok(archive);
    }
    if !archive.is_file() {
        if overridden {
            return Err(Missing::Absent(format!(
                "no kernel source at {} (named by --kernel-source or {OVERRIDE_ENV})",
                archive.display()
            )));
        }
        if !install {
            return Err(Missing::Absent(format!(
                "{} is not installed ({} is missing)",
                p.kernel_package,
                archive.display()
            )));
        }
        if let Err(e) = cheaders::ensure_packages(&[p.kernel_package.as_str()]) {
            return Err(Missing::Absent(format!(
                "{} is missing and installing {} failed: {e}",
                archive.display(),
                p.kernel_package
            )));
        }
        if !archive.is_file() {
            return Err(Missing::Broken(format!(
                "{} is installed but has no {} ([provenance] kernel_archive)",
                p.kernel_package,
                archive.display()
            )));
        }
    }
    unpack(&archive, &members, &unpack_dir()).map_err(Missing::Broken)
}

/// The root of an unpacked tree of the spec's kernel source holding
/// `files` (paths inside the tree), for readers other than the table import
/// (layouts of structures only the kernel declares). Installs the source
/// package when the archive is missing.
pub(crate) fn unpack_files(p: &Provenance, files: &[String]) -> Result<PathBuf, String> {
    if p.kernel_archive.is_empty() {
        return Err("[provenance] names no kernel_archive to read kernel headers from".to_owned());
    }
    let archive = PathBuf::from(&p.kernel_archive);
    if !archive.exists() {
        cheaders::ensure_packages(&[p.kernel_package.as_str()])?;
    }
    if archive.is_dir() {
        return Ok(archive);
    }
    unpack(&archive, files, &unpack_dir())
}

/// Unpacks `members` of `archive` into `dest/<top folder>/` unless they are
/// there already and newer than the archive; returns that folder.
fn unpack(archive: &Path, members: &[String], dest: &Path) -> Result<PathBuf, String> {
    let top = top_folder(archive);
    let root = dest.join(&top);
    let stamp = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    let archive_time = stamp(archive);
    let wanted: Vec<&String> = members
        .iter()
        .filter(|m| {
            let have = stamp(&root.join(m));
            have.is_none() || have < archive_time
        })
        .collect();
    if wanted.is_empty() {
        return Ok(root);
    }
    std::fs::create_dir_all(dest).map_err(|e| format!("{}: {e}", dest.display()))?;
    println!(
        "xtask: unpacking {} file(s) of {} into {}",
        wanted.len(),
        archive.display(),
        root.display()
    );
    let out = Command::new("tar")
        .arg("-xf")
        .arg(archive)
        .arg("-C")
        .arg(dest)
        // The unpacked files get the time of unpacking, so they count as newer.
        .arg("--touch")
        .args(wanted.iter().map(|m| format!("{top}/{m}")))
        .output()
        .map_err(|e| format!("tar: {e}"))?;
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        let absent: Vec<&str> = err
            .lines()
            .filter(|l| l.contains("Not found in archive"))
            .collect();
        return Err(if absent.is_empty() {
            format!("tar could not unpack {}: {}", archive.display(), err.trim())
        } else {
            format!(
                "{} lacks files the spec's [provenance] names (syscall_table, kernel_prototypes): {}",
                archive.display(),
                absent.join("; ")
            )
        });
    }
    Ok(root)
}

/// The text of `member` in the unpacked tree.
pub(crate) fn read(root: &Path, member: &str) -> Result<String, String> {
    let path = root.join(member);
    std::fs::read_to_string(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const TABLE: &str = "# comment\n\
        0\tcommon\tread\tsys_read\n\
        1\t64\twrite\tsys_write\tcompat_sys_write\n\
        1\tx32\twrite\tcompat_sys_write\n\
        2\tcommon\tgone\n\
        3\tcommon\tremoved\t-\t-\n\
        4\trlimit\tgetrlimit\tsys_getrlimit\n";

    fn abis(a: &[&str]) -> Vec<String> {
        a.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn tables_are_read_by_abi() {
        let e = parse_table(TABLE, "t.tbl", &abis(&["common", "64"])).unwrap();
        let names: Vec<_> = e
            .iter()
            .map(|e| (e.nr, e.name.as_str(), e.entry.as_deref()))
            .collect();
        assert_eq!(
            names,
            [
                (0, "read", Some("sys_read")),
                (1, "write", Some("sys_write")),
                (2, "gone", None),
                (3, "removed", None)
            ]
        );
        let e = parse_table(TABLE, "t.tbl", &abis(&["common", "64", "rlimit"])).unwrap();
        assert_eq!(e.len(), 5);
    }

    #[test]
    fn bad_abi_lists_say_what_is_wrong() {
        let err = parse_table(TABLE, "t.tbl", &abis(&["common", "46"])).unwrap_err();
        assert!(err.contains("never names the ABI `46`"), "{err}");
        // Named in a comment only: no lines, no error.
        let t = format!("# abis: common, eabi\n{TABLE}");
        assert_eq!(
            parse_table(&t, "t.tbl", &abis(&["common", "eabi"]))
                .unwrap()
                .len(),
            3
        );
        assert!(err.contains("64, common, rlimit, x32"), "{err}");
        let err = parse_table(TABLE, "t.tbl", &abis(&["64", "x32"])).unwrap_err();
        assert!(
            err.contains("t.tbl:4: `write` (1) clashes with `write` (1)"),
            "{err}"
        );
        let err = parse_table(TABLE, "t.tbl", &[]).unwrap_err();
        assert!(err.contains("`syscall_abis` is empty"), "{err}");
        let err = parse_table("1 common\n", "t.tbl", &abis(&["common"])).unwrap_err();
        assert!(
            err.contains("t.tbl:1: `1 common` has fewer than three fields"),
            "{err}"
        );
    }

    #[test]
    fn the_version_comes_from_the_makefile() {
        let mk = "# SPDX\nVERSION = 6\nPATCHLEVEL = 12\nSUBLEVEL = 117\nEXTRAVERSION =\n";
        assert_eq!(kernel_version(mk).as_deref(), Some("6.12.117"));
        assert_eq!(kernel_version("VERSION = 6\n"), None);
    }

    #[test]
    fn archives_unpack_into_their_top_folder() {
        assert_eq!(
            top_folder(Path::new("/usr/src/linux-source-6.12.tar.xz")),
            "linux-source-6.12"
        );
        let dir = std::env::temp_dir().join(format!("xtask-unpack-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let src = dir.join("src/linux-x");
        std::fs::create_dir_all(src.join("scripts")).unwrap();
        std::fs::write(src.join("Makefile"), "VERSION = 1\n").unwrap();
        std::fs::write(src.join("scripts/syscall.tbl"), TABLE).unwrap();
        let archive = dir.join("linux-x.tar.gz");
        let ok = Command::new("tar")
            .arg("-czf")
            .arg(&archive)
            .arg("-C")
            .arg(dir.join("src"))
            .arg("linux-x")
            .status()
            .unwrap();
        assert!(ok.success());
        let members = abis(&["Makefile", "scripts/syscall.tbl"]);
        let root = unpack(&archive, &members, &dir.join("out")).unwrap();
        assert_eq!(read(&root, "scripts/syscall.tbl").unwrap(), TABLE);
        let err = unpack(&archive, &abis(&["nope.h"]), &dir.join("out")).unwrap_err();
        assert!(
            err.contains("lacks files") && err.contains("nope.h"),
            "{err}"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
