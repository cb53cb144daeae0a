//! Extension files: a user's file that adds calls to a built-in target.

use abi_spec::{SpecFile, builtin_files, load};

/// The built-in files plus one user file `specs/<name>` with `text`.
fn with_user_file(name: &str, text: &str) -> Vec<SpecFile> {
    let mut files = builtin_files();
    files.push(
        SpecFile::from_relative(name, format!("specs/{name}"), text.to_owned())
            .expect("a top-level .toml file"),
    );
    files
}

/// The line of `key = ` in a built-in file, 1-based.
fn builtin_line(path: &str, key: &str) -> usize {
    let f = builtin_files()
        .into_iter()
        .find(|f| f.source.path == path)
        .unwrap();
    1 + f
        .source
        .text
        .lines()
        .position(|l| l.starts_with(&format!("{key} = ")))
        .unwrap()
}

#[test]
fn a_four_line_file_adds_a_call_to_a_builtin_target() {
    let text = "format = 1\nextends = \"linux-x86_64\"\n[calls]\nmy_new_call = { nr = 1001, args = [\"fd: fd\", \"buf: mut_ptr\", \"flags: u32\"] }\n";
    let specs = load(&with_user_file("newer.toml", text)).unwrap();
    let x86 = specs.target("linux-x86_64").unwrap();
    let c = x86.call("my_new_call").expect("the extension's call");
    assert_eq!(c.nr, 1001);
    assert_eq!(c.args.len(), 3);
    assert_eq!(c.loc.to_string(), "specs/newer.toml:4:1");
    assert!(
        x86.calls.windows(2).all(|w| w[0].nr < w[1].nr),
        "still sorted by number"
    );
    // Only the named target changes, and no target is added.
    assert!(
        specs
            .target("linux-aarch64")
            .unwrap()
            .call("my_new_call")
            .is_none()
    );
    assert_eq!(
        specs.targets.len(),
        abi_spec::load_builtin().unwrap().targets.len()
    );
}

#[test]
fn a_clash_by_name_names_both_places() {
    let text = "format = 1\nextends = \"linux-x86_64\"\n[calls]\nwrite = { nr = 1001, args = [\"fd: fd\"] }\n";
    let err = load(&with_user_file("clash.toml", text))
        .unwrap_err()
        .to_string();
    let builtin = format!(
        "targets/linux-x86_64.toml:{}:1",
        builtin_line("targets/linux-x86_64.toml", "write")
    );
    assert!(
        err.contains("call `write` is already in linux-x86_64 at"),
        "{err}"
    );
    assert!(err.contains(&builtin), "{err}");
    assert!(err.contains("specs/clash.toml:4:1"), "{err}");
}

#[test]
fn a_clash_by_number_names_both_places() {
    let text = "format = 1\nextends = \"linux-x86_64\"\n[calls]\nmy_write = { nr = 1, args = [\"fd: fd\"] }\n";
    let err = load(&with_user_file("clash.toml", text))
        .unwrap_err()
        .to_string();
    let builtin = format!(
        "targets/linux-x86_64.toml:{}:1",
        builtin_line("targets/linux-x86_64.toml", "write")
    );
    assert!(
        err.contains("call number 1 of `my_write` is `write` in linux-x86_64"),
        "{err}"
    );
    assert!(err.contains(&builtin), "{err}");
    assert!(err.contains("specs/clash.toml:4:1"), "{err}");
}

#[test]
fn an_unknown_target_is_an_error_with_a_suggestion() {
    let text = "format = 1\nextends = \"linux-x86-64\"\n[calls]\nx = { nr = 1001, args = [] }\n";
    let err = load(&with_user_file("typo.toml", text))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("`extends` names no target: `linux-x86-64`"),
        "{err}"
    );
    assert!(err.contains("specs/typo.toml:2:11"), "{err}");
    assert!(err.contains("did you mean `linux-x86_64`?"), "{err}");
}

#[test]
fn extension_calls_are_checked_like_the_targets_own() {
    let text = "format = 1\nextends = \"linux-x86_64\"\n[calls]\nx = { nr = 1001, args = [\"fd: fdd\"] }\n[provenance]\nsource = \"\"\n";
    let err = load(&with_user_file("bad.toml", text))
        .unwrap_err()
        .to_string();
    assert!(err.contains("unknown argument kind `fdd`"), "{err}");
    assert!(err.contains("unknown key `provenance`"), "{err}");
}

#[test]
fn an_import_target_takes_new_imports_in_name_order() {
    // A made-up import (the built-in WASI table is complete).
    let text = "format = 1\nextends = \"wasi-wasm32\"\n[calls]\nsock_future = { args = [\"fd: fd\", \"flags: u32\"], results = [\"conn: fd\"] }\n";
    let specs = load(&with_user_file("sockets.toml", text)).unwrap();
    let wasi = specs.target("wasi-wasm32").unwrap();
    assert!(wasi.call("sock_future").is_some());
    assert!(wasi.calls.windows(2).all(|w| w[0].name < w[1].name));
    assert!(
        wasi.calls
            .iter()
            .enumerate()
            .all(|(i, c)| c.nr as usize == i)
    );
}
