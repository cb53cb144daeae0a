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
    let all = abi_spec::load_builtin().unwrap_or_else(|d| panic!("{d}"));
    let rt = quote::quote! { ::abi_runtime };
    // Every triple a spec serves, as a build for it expands the stubs: the
    // spec's own (`shapes@<target>`), then each of `more_triples`
    // (`shapes@<target>-<arch field>`).
    let builds = all
        .targets
        .iter()
        .filter(|t| t.syscall.kind == ConvKind::Trap)
        .flat_map(|t| {
            let more = t.ci.more_triples.iter().map(|triple| {
                let field = triple.split('-').next().unwrap_or(triple);
                (
                    format!("{}-{field}", t.name),
                    t.name.clone(),
                    triple.clone(),
                )
            });
            std::iter::once((t.name.clone(), t.name.clone(), t.ci.triple.clone())).chain(more)
        });
    for (snapshot, name, triple) in builds {
        let mut specs = all.clone();
        specs.for_triple(&triple);
        let t = specs.target(&name).unwrap();
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
        insta::assert_snapshot!(format!("shapes@{snapshot}"), text);
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
