//! Snapshot tests of the loader's diagnostics: one spec folder per error class
//! under `tests/bad_specs/`, each the minimal valid set of `tests/minimal_spec/`
//! with one defect (and one with several).

use std::path::{Path, PathBuf};

use abi_spec::{Diagnostics, SpecKind, Specs};

fn tests_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests")
}

fn load_dir(rel: &str) -> Result<Specs, Diagnostics> {
    let files = abi_spec::read_dir(&tests_dir().join(rel), rel).expect("read spec folder");
    assert!(!files.is_empty(), "no spec files in {rel}");
    abi_spec::load(&files)
}

/// Loads `bad_specs/<case>`, which must fail, and returns the rendered diagnostics.
fn fail(case: &str) -> String {
    match load_dir(&format!("bad_specs/{case}")) {
        Ok(_) => panic!("bad_specs/{case} loaded without errors"),
        Err(d) => {
            assert!(!d.0.is_empty());
            d.to_string()
        }
    }
}

macro_rules! bad_spec {
    ($($case:ident),* $(,)?) => {
        $(
            #[test]
            fn $case() {
                let rendered = fail(stringify!($case));
                insta::assert_snapshot!(rendered);
            }
        )*

        #[test]
        fn every_case_folder_has_a_test() {
            let tested = [$(stringify!($case)),*];
            let mut on_disk: Vec<String> = std::fs::read_dir(tests_dir().join("bad_specs"))
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect();
            on_disk.sort();
            let mut tested: Vec<String> = tested.iter().map(|s| s.to_string()).collect();
            tested.sort();
            assert_eq!(on_disk, tested);
        }
    };
}

bad_spec!(
    toml_syntax,
    float_stack_and_alone_mistakes,
    number_reserved_mistakes,
    unclosed_inline_table,
    duplicate_call_name,
    duplicate_call_number,
    unknown_register_syscall,
    unknown_register_abi,
    too_many_call_args,
    via_mistakes,
    port_key_mistakes,
    aggregate_mistakes,
    call_fact_mistakes,
    unknown_key_did_you_mean,
    missing_key,
    wrong_value_type,
    unknown_abi,
    abi_of_other_arch,
    unknown_arch,
    unknown_errno_table,
    unsupported_format,
    unknown_arg_kind,
    arg_without_kind,
    unknown_asm_option,
    duplicate_target_cfg,
    int_out_of_range,
    broken_arch_file,
    broken_abi_file,
    broken_errno_file,
    several_defects,
    bad_sources,
    untyped_constant,
);

#[test]
fn minimal_spec_is_valid() {
    let specs = load_dir("minimal_spec").unwrap_or_else(|d| panic!("{d}"));
    let t = specs.target("linux-x86_64").unwrap();
    assert_eq!(t.calls.len(), 6);
    assert_eq!(t.call("write").unwrap().nr, 1);
}

#[test]
fn single_defect_cases_report_one_error() {
    for case in [
        "toml_syntax",
        "unclosed_inline_table",
        "duplicate_call_name",
        "duplicate_call_number",
        "unknown_register_syscall",
        "unknown_register_abi",
        "too_many_call_args",
        "missing_key",
        "wrong_value_type",
        "unknown_abi",
        "abi_of_other_arch",
        "unknown_arch",
        "unknown_errno_table",
        "unsupported_format",
        "unknown_arg_kind",
        "arg_without_kind",
        "unknown_asm_option",
        "duplicate_target_cfg",
        "int_out_of_range",
        "untyped_constant",
        // A file that fails to load is not reported again as unknown where it is used.
        "broken_arch_file",
        "broken_abi_file",
        "broken_errno_file",
    ] {
        let d = load_dir(&format!("bad_specs/{case}")).unwrap_err();
        assert_eq!(d.0.len(), 1, "{case}:\n{d}");
    }
    // A misspelt required key is both unknown and missing; both are reported.
    let d = load_dir("bad_specs/unknown_key_did_you_mean").unwrap_err();
    let messages: Vec<&str> = d.0.iter().map(|d| d.message.as_str()).collect();
    assert_eq!(
        messages,
        [
            "missing key `number` in [syscall]",
            "unknown key `nubmer` in [syscall]"
        ]
    );
}

#[test]
fn radix_integers_keep_their_digits() {
    // `0x0b01` once lost its `0b` to the prefix stripping and read as 1.
    let dir = tests_dir().join("minimal_spec");
    let mut files = abi_spec::read_dir(&dir, "minimal_spec").unwrap();
    let target = files
        .iter_mut()
        .find(|f| f.kind == SpecKind::Target)
        .unwrap();
    target.source.text = target
        .source
        .text
        .replace("getpid = { nr = 39,", "getpid = { nr = 0x0b01,")
        .replace("exit = { nr = 60,", "exit = { nr = 0b0011_1100,");
    let specs = abi_spec::load(&files).unwrap_or_else(|d| panic!("{d}"));
    let t = specs.target("linux-x86_64").unwrap();
    assert_eq!(t.call("getpid").unwrap().nr, 0xb01);
    assert_eq!(t.call("exit").unwrap().nr, 60);
}

#[test]
fn several_defects_of_one_file_are_reported_together() {
    let d = load_dir("bad_specs/several_defects").unwrap_err();
    assert!(d.0.len() >= 7, "{d}");
    assert!(
        d.0.iter()
            .all(|d| d.loc.path == "bad_specs/several_defects/linux-x86_64.toml")
    );
    let lines: Vec<usize> = d.0.iter().map(|d| d.loc.line).collect();
    assert!(lines.is_sorted(), "diagnostics in file order: {lines:?}");
}

#[test]
fn builtin_specs_load_without_diagnostics() {
    let specs = abi_spec::load_builtin().unwrap_or_else(|d| panic!("{d}"));
    let names: Vec<&str> = specs.targets.iter().map(|t| t.name.as_str()).collect();
    // Every target file of the folder is built in, in name order.
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../targets");
    let mut on_disk: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| {
            let name = e.unwrap().file_name().to_string_lossy().into_owned();
            name.strip_suffix(".toml").map(str::to_owned)
        })
        .collect();
    on_disk.sort();
    assert_eq!(names, on_disk);
    for t in &specs.targets {
        let n = t.calls.len();
        // The trap tables hold at least the calls the runtime's linux module declares.
        if t.syscall.kind == abi_spec::model::ConvKind::Trap {
            assert!(n >= 60, "{}: {n} calls", t.name);
        }
    }
    let count = |name: &str| specs.target(name).map(|t| t.calls.len());
    // Every function of wasi/api.h (`cargo xtask import-wasi`).
    assert_eq!(count("wasi-wasm32"), Some(45));
    assert_eq!(count("windows-x86_64"), Some(70));
}

#[test]
fn read_dir_of_targets_matches_builtin() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("targets");
    let from_disk = abi_spec::read_dir(&dir, "targets").expect("read targets/");
    let builtin = abi_spec::builtin_files();
    let key = |f: &abi_spec::SpecFile| (f.source.path.clone(), f.name.clone(), f.kind as u8);
    let mut a: Vec<_> = from_disk
        .iter()
        .map(|f| (key(f), f.source.text.clone()))
        .collect();
    let mut b: Vec<_> = builtin
        .iter()
        .map(|f| (key(f), f.source.text.clone()))
        .collect();
    a.sort();
    b.sort();
    assert_eq!(a, b);
    assert!(from_disk.iter().any(|f| f.kind == SpecKind::Errno));

    let disk = abi_spec::load(&from_disk).unwrap_or_else(|d| panic!("{d}"));
    let builtin = abi_spec::load_builtin().unwrap();
    assert_eq!(summary(&disk), summary(&builtin));
}

/// Everything of a `Specs` that can be compared (the model types are not `PartialEq`).
fn summary(s: &Specs) -> String {
    format!(
        "{:#?}\n{:#?}\n{:#?}\n{:#?}",
        s.targets, s.abis, s.arches, s.errno_tables
    )
}
