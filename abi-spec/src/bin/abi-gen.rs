//! `abi-gen`: inspect and check abi-bridge spec files.
//!
//! ```text
//! abi-gen list                 targets and their call counts
//! abi-gen check [DIR]          validate DIR beside the built-in specs (default: those alone)
//! abi-gen show TARGET CALL     the plan and the Rust expansion of one call
//! abi-gen trampoline HOST ABI  the trampolines for calling ABI from HOST code
//! abi-gen emit --target T --lang c --out DIR   C stubs (.S) and their header (.h)
//! ```

use std::path::Path;
use std::process::ExitCode;

use abi_spec::model::ConvKind;
use abi_spec::{Diagnostics, SpecFile, Specs, plan, render};

const USAGE: &str = "usage:
  abi-gen list                 list the built-in targets and their call counts
  abi-gen check [DIR]          validate the spec files in DIR beside the built-in ones,
                               as #[syscall_bridge(targets = \"DIR\")] reads them
                               (default: the built-in specs alone)
  abi-gen show TARGET CALL     print the plan and the Rust expansion of one call
  abi-gen trampoline HOST ABI  print the call trampoline, callback entry and a thunk
                               for calling ABI from HOST code (e.g. sysv win64)
  abi-gen emit --target T --lang c --out DIR
                               write DIR/abi_T.S (one out-of-line stub per call)
                               and DIR/abi_T.h (prototypes, errno decoding)";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    match args.as_slice() {
        ["list"] => with_builtin(list),
        ["check"] => report(abi_spec::load_builtin().map(|_| ())),
        ["check", dir] => check_dir(Path::new(dir)),
        ["show", target, call] => with_builtin(|s| show(s, target, call)),
        ["trampoline", host, abi] => with_builtin(|s| trampoline(s, host, abi)),
        ["emit", rest @ ..] => with_builtin(|s| emit(s, rest)),
        ["-h" | "--help" | "help"] => {
            println!("{USAGE}");
            ExitCode::SUCCESS
        }
        _ => {
            eprintln!("{USAGE}");
            ExitCode::from(2)
        }
    }
}

fn with_builtin(f: impl FnOnce(&Specs) -> ExitCode) -> ExitCode {
    match abi_spec::load_builtin() {
        Ok(specs) => f(&specs),
        Err(d) => report(Err(d)),
    }
}

fn report(result: Result<(), Diagnostics>) -> ExitCode {
    match result {
        Ok(()) => {
            println!("ok: all spec files are valid");
            ExitCode::SUCCESS
        }
        Err(d) => {
            eprintln!("{d}");
            ExitCode::FAILURE
        }
    }
}

fn check_dir(dir: &Path) -> ExitCode {
    let files = match abi_spec::read_dir(dir, &dir.display().to_string()) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("error: cannot read {}: {e}", dir.display());
            return ExitCode::FAILURE;
        }
    };
    if files.is_empty() {
        eprintln!("error: no spec files in {}", dir.display());
        return ExitCode::FAILURE;
    }
    let n = files.len();
    // DIR is checked as the macro would see it: beside the built-in files. A
    // file of DIR that is a built-in one (same path below the folder, same
    // text: `abi-gen check targets`) stands for it rather than clashing.
    let same = |b: &SpecFile| {
        files
            .iter()
            .any(|f| f.kind == b.kind && f.name == b.name && f.source.text == b.source.text)
    };
    let mut all: Vec<SpecFile> = abi_spec::builtin_files()
        .into_iter()
        .filter(|b| !same(b))
        .collect();
    all.extend(files);
    let r = abi_spec::load(&all).map(|_| ());
    if r.is_ok() {
        println!("checked {n} files in {}", dir.display());
    }
    report(r)
}

fn list(specs: &Specs) -> ExitCode {
    println!(
        "{:<16} {:<30} {:<8} {:>5}",
        "target", "triple", "abi", "calls"
    );
    for t in &specs.targets {
        println!(
            "{:<16} {:<30} {:<8} {:>5}",
            t.name,
            t.ci.triple,
            t.abi,
            t.calls.len()
        );
    }
    ExitCode::SUCCESS
}

fn show(specs: &Specs, target: &str, call: &str) -> ExitCode {
    // As a build for the target's own triple expands it (its `[ci] triple`).
    let mut specs = specs.clone();
    if let Some(triple) = specs.target(target).map(|t| t.ci.triple.clone()) {
        specs.for_triple(&triple);
    }
    let Some(t) = specs.target(target) else {
        let names: Vec<&str> = specs.targets.iter().map(|t| t.name.as_str()).collect();
        eprintln!(
            "error: unknown target `{target}`; targets: {}",
            names.join(", ")
        );
        return ExitCode::FAILURE;
    };
    let Some(shape) = t.shape(call) else {
        let names = t
            .calls
            .iter()
            .map(|c| c.name.as_str())
            .chain(t.via.iter().map(|v| v.name.as_str()));
        let hint = abi_spec::diag::closest(call, names)
            .map(|s| format!("; did you mean `{s}`?"))
            .unwrap_or_default();
        eprintln!("error: {target} has no call `{call}`{hint}");
        return ExitCode::FAILURE;
    };
    let rt = quote::quote! { ::abi_runtime };
    let tokens = if t.syscall.kind == ConvKind::Trap {
        let p = plan::lower_shape(t, shape);
        print!("{p}");
        render::stub(&p, &render::spec_signature(&p), &rt)
    } else {
        let p = plan::lower_linked(t, shape.call, true);
        print!("{p}");
        render::linked_stub(&p, &render::linked_signature(&p), &rt)
    };
    println!("\n// expansion of #[syscall_bridge] for {target}:");
    print!("{}", render::pretty(tokens));
    ExitCode::SUCCESS
}

fn trampoline(specs: &Specs, host: &str, abi: &str) -> ExitCode {
    match abi_spec::trampoline::show(specs, host, abi) {
        Ok(text) => {
            print!("{text}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn emit(specs: &Specs, args: &[&str]) -> ExitCode {
    let (mut target, mut lang, mut out) = (None, None, None);
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let slot = match *a {
            "--target" => &mut target,
            "--lang" => &mut lang,
            "--out" => &mut out,
            other => {
                eprintln!("error: unknown argument `{other}`\n{USAGE}");
                return ExitCode::from(2);
            }
        };
        *slot = it.next().copied();
    }
    let (Some(target), Some(lang), Some(out)) = (target, lang, out) else {
        eprintln!("error: emit needs --target, --lang and --out\n{USAGE}");
        return ExitCode::from(2);
    };
    if lang != "c" {
        eprintln!("error: unknown language `{lang}`; abi-gen emits `c`");
        return ExitCode::from(2);
    }
    let Some(t) = specs.target(target) else {
        eprintln!("error: unknown target `{target}`");
        return ExitCode::FAILURE;
    };
    let files = match abi_spec::emit_c::emit(specs, t) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    let dir = Path::new(out);
    let written = std::fs::create_dir_all(dir)
        .and_then(|()| std::fs::write(dir.join(&files.asm_name), &files.asm))
        .and_then(|()| std::fs::write(dir.join(&files.header_name), &files.header));
    match written {
        Ok(()) => {
            println!(
                "wrote {} and {} ({} calls)",
                dir.join(&files.asm_name).display(),
                dir.join(&files.header_name).display(),
                t.calls.len()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: cannot write to {}: {e}", dir.display());
            ExitCode::FAILURE
        }
    }
}
