//! The `kind` of errno entries: names checked, aliases inherit.

use abi_spec::{SpecFile, builtin_files, load};

/// The built-in files with the Linux errno table replaced by `text`.
fn with_linux_errno(text: &str) -> Vec<SpecFile> {
    let mut files = builtin_files();
    let f = files
        .iter_mut()
        .find(|f| f.source.path == "targets/errno/linux.toml")
        .expect("built-in Linux errno table");
    f.source.text = text.to_owned();
    files
}

#[test]
fn builtin_kinds_load_and_aliases_take_their_primary_kind() {
    let specs = abi_spec::load_builtin().unwrap();
    let linux = specs.errno_table("linux").unwrap();
    let kind = |n: &str| &linux.entries.iter().find(|e| e.name == n).unwrap().kind;
    assert_eq!(kind("ENOENT"), "NotFound");
    assert_eq!(kind("EAGAIN"), "WouldBlock");
    assert_eq!(kind("EWOULDBLOCK"), "WouldBlock");
    assert_eq!(kind("EIO"), "Uncategorized");
    for t in &specs.errno_tables {
        for e in &t.entries {
            assert!(
                abi_spec::error_kind::NAMES.contains(&e.kind.as_str()),
                "{}",
                e.name
            );
        }
    }
}

#[test]
fn unknown_kind_is_an_error_with_a_suggestion() {
    let text = builtin_files()
        .into_iter()
        .find(|f| f.source.path == "targets/errno/linux.toml")
        .unwrap()
        .source
        .text
        .replace("kind = \"NotFound\"", "kind = \"NotFund\"");
    let err = load(&with_linux_errno(&text)).unwrap_err().to_string();
    assert!(err.contains("unknown error kind `NotFund`"), "{err}");
    assert!(err.contains("did you mean `NotFound`?"), "{err}");
    assert!(err.contains("targets/errno/linux.toml:"), "{err}");
}

#[test]
fn an_alias_may_not_give_a_kind() {
    let text = "format = 1\n[errno]\nEAGAIN = { code = 11, text = \"Try again\", kind = \"WouldBlock\" }\nEWOULDBLOCK = { code = 11, alias_of = \"EAGAIN\", kind = \"WouldBlock\" }\n";
    let err = load(&with_linux_errno(text)).unwrap_err().to_string();
    assert!(err.contains("`EWOULDBLOCK` is an alias"), "{err}");
    assert!(err.contains("targets/errno/linux.toml:4:"), "{err}");
}
