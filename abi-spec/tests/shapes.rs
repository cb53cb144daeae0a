//! Snapshots of how each trap target makes the calls whose shape is not a
//! plain register per argument: a 64-bit argument (`pread64`: a register pair
//! on 32-bit ports), every `[via]` entry (another entry, argument order,
//! argument block, scaled offset, result slot) and a call that can fail
//! (`close`: the target's error convention, a flag on ppc64le). The targets and
//! the calls come from the specs.

use abi_spec::model::ConvKind;
use abi_spec::{plan, render};

#[test]
fn call_shapes_of_every_trap_target() {
    let specs = abi_spec::load_builtin().unwrap_or_else(|d| panic!("{d}"));
    let rt = quote::quote! { ::abi_runtime };
    let traps = specs
        .targets
        .iter()
        .filter(|t| t.syscall.kind == ConvKind::Trap);
    for t in traps {
        let mut names = vec!["pread64", "close"];
        names.extend(t.via.iter().map(|v| v.name.as_str()));
        let mut text = String::new();
        for name in names {
            let shape = t
                .shape(name)
                .unwrap_or_else(|| panic!("{} has no `{name}`", t.name));
            let p = plan::lower_shape(t, shape);
            text += &p.to_string();
            text += &render::pretty(render::stub(&p, &render::spec_signature(&p), &rt));
            text += "\n";
        }
        insta::assert_snapshot!(format!("shapes@{}", t.name), text);
    }
}

/// On a target whose kernel flags errors (ppc64le's cr0.SO), a declaration
/// that decodes the result reads the flag after the trap; one that returns the
/// raw register does not, so it costs what the bare trap costs.
#[test]
fn raw_returns_skip_the_flag_read() {
    let specs = abi_spec::load_builtin().unwrap_or_else(|d| panic!("{d}"));
    let rt = quote::quote! { ::abi_runtime };
    let flagged: Vec<_> = specs
        .targets
        .iter()
        .filter(|t| matches!(t.syscall.errors, abi_spec::model::ErrorConv::Flag { .. }))
        .collect();
    assert!(!flagged.is_empty(), "no built-in target flags errors");
    for t in flagged {
        let p = plan::lower_shape(t, t.shape("getppid").expect("getppid"));
        assert!(
            !p.flag_read.is_empty(),
            "{}: no flag read in the plan",
            t.name
        );
        let decoded = render::spec_signature(&p);
        let raw = render::StubSig {
            ret: render::RetForm::Raw(quote::quote! { usize }),
            ..decoded.clone()
        };
        let read = &p.instructions[p.flag_read.start];
        let has_read = |sig: &render::StubSig| {
            render::stub(&p, sig, &rt)
                .to_string()
                .contains(&format!("{read:?}"))
        };
        assert!(
            has_read(&decoded),
            "{}: the Result form must read the flag",
            t.name
        );
        assert!(
            !has_read(&raw),
            "{}: the raw form must not read the flag",
            t.name
        );
    }
}
