//! abi-spec: the spec files of abi-bridge, from text to plans to code.
//!
//! Data flows one way: [`load()`] reads `targets/*.toml` into a validated
//! [`Specs`] model (every error with file:line:col, the line and a fix),
//! [`plan::lower`] turns one (target, call) into a [`plan::SyscallPlan`], and
//! [`render`] / [`bridge`] turn plans into Rust tokens for the proc-macro and
//! text for the CLI. This crate does not depend on `proc_macro`, so the macro,
//! the CLI, xtask, tests and fuzzers share it.
//!
//! ```
//! let specs = abi_spec::load_builtin().expect("built-in specs are valid");
//! let x86 = specs.target("linux-x86_64").unwrap();
//! assert_eq!(x86.call("write").unwrap().nr, 1);
//! let plan = abi_spec::plan::lower(x86, x86.call("write").unwrap());
//! assert_eq!(plan.operands[0].reg, "rax");
//! ```

pub mod bridge;
pub mod constant;
mod builtin {
    include!(concat!(env!("OUT_DIR"), "/builtin.rs"));
}
pub mod diag;
pub mod emit_c;
pub mod error_kind;
pub mod layout;
pub mod load;
pub mod model;
pub mod plan;
pub mod raw_call;
mod read;
pub mod render;
pub mod surface;
pub mod syscall_table;
pub mod trampoline;

pub use diag::{Diagnostic, Diagnostics, Loc, SourceFile};
pub use load::{SpecFile, SpecKind, builtin_files, load, load_builtin, read_dir};
pub use model::Specs;
