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
