//! The `[constants]` of every spec: the value and the C type of each
//! constant, read from the header it names.
//!
//! `cargo xtask import-constants [--target NAME]` measures every constant
//! that names a `header` and rewrites its line's `value` and `type`;
//! `verify-specs` measures them the same way and reports each difference at
//! the constant's line. Where the target has a C compiler (`[ci] linker`, the
//! cross gcc or mingw-w64's; the host's `cc` when empty) a small C file hands
//! `sizeof`, the signedness of `__typeof__` and the value (in two 32-bit
//! halves, which every assembler prints) to `asm` statements as immediates,
//! read back from `cc -S` as `import-layouts` does. Import-kind targets
//! (WASI) have no such compiler: their constants are read through bindgen
//! with the `[provenance] clang_args` the WASI importer uses, as the value
//! and type libclang gives `static const __typeof__(C) x = C;`.

use std::collections::BTreeMap;
use std::path::Path;

use abi_spec::constant::Constant;
use abi_spec::layout::FieldType;
use abi_spec::model::{ConvKind, Target};

use crate::cheaders::{self, CType};

/// What the headers say about one constant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Measured {
    pub(crate) value: i128,
    pub(crate) ty: FieldType,
}

/// The constants of `t` that name a header, grouped by it.
fn by_header(t: &Target) -> BTreeMap<&str, Vec<&Constant>> {
    let mut out: BTreeMap<&str, Vec<&Constant>> = BTreeMap::new();
    for c in &t.constants {
        if let (Some(h), None) = (&c.header, &c.unverified) {
            out.entry(h.as_str()).or_default().push(c);
        }
    }
    out
}

/// The probe of `consts` from `header` for the target's C compiler.
fn c_source(header: &str, consts: &[&Constant]) -> String {
    let mut s = format!(
        "/* Written by `cargo xtask import-constants`: each asm statement prints one number. */\n\
         #include <{header}>\n\
         #define ABI_OUT(key, value) __asm__ volatile(\"\\n#ABI_CONST \" key \" %0\" :: \"i\"(value))\n\
         void abi_constants(void) {{\n"
    );
    for c in consts {
        let (n, x) = (&c.name, c.c());
        s.push_str(&format!(
            "  ABI_OUT(\"{n} bytes\", sizeof({x}));\n\
             \x20 ABI_OUT(\"{n} signed\", (__typeof__({x}))-1 < 0);\n\
             \x20 ABI_OUT(\"{n} lo\", (unsigned)((unsigned long long)({x}) & 0xffffffffu));\n\
             \x20 ABI_OUT(\"{n} hi\", (unsigned)((unsigned long long)({x}) >> 32));\n"
        ));
    }
    s.push_str("}\n");
    s
}

/// Reads one probe's numbers back into a measurement.
fn from_numbers(numbers: &BTreeMap<String, i64>, name: &str) -> Option<Measured> {
    let get = |k: &str| numbers.get(&format!("{name} {k}")).copied();
    let bytes = u32::try_from(get("bytes")?).ok()?;
    let ty = FieldType::of(bytes, get("signed")? != 0)?;
    // The halves may print as negative 32-bit immediates.
    let (lo, hi) = (get("lo")? & 0xffff_ffff, get("hi")? & 0xffff_ffff);
    let raw = (i128::from(hi) << 32) | i128::from(lo);
    Some(Measured {
        value: ty.wrap(raw),
        ty,
    })
}

/// Measures the constants of one header with the target's C compiler; a
/// constant the header lacks (or whose type is no integer) gets an error.
fn measure_c(
    t: &Target,
    header: &str,
    consts: &[&Constant],
) -> Result<Vec<Result<Measured, String>>, String> {
    let cc = crate::layouts::compiler(t);
    let read_one = |c: &Constant, numbers: &BTreeMap<String, i64>| {
        from_numbers(numbers, &c.name).ok_or_else(|| {
            format!(
                "`{}` of <{header}> is no integer constant {cc} can measure",
                c.c()
            )
        })
    };
    match crate::layouts::probe(t, "ABI_CONST", &c_source(header, consts)) {
        Ok(numbers) => Ok(consts.iter().map(|c| read_one(c, &numbers)).collect()),
        // One at a time, to say which the header lacks; a header that fails
        // alone is an error of the spec as a whole.
        Err(whole) => {
            let mut out = Vec::new();
            let mut any = false;
            for c in consts {
                match crate::layouts::probe(t, "ABI_CONST", &c_source(header, &[c])) {
                    Ok(numbers) => {
                        any = true;
                        out.push(read_one(c, &numbers));
                    }
                    Err(_) => out.push(Err(format!("<{header}> defines no `{}` ({cc})", c.c()))),
                }
            }
            if any || consts.len() > 1 {
                Ok(out)
            } else {
                Err(whole)
            }
        }
    }
}

/// Measures the constants of one header through bindgen (import-kind targets).
fn measure_clang(
    t: &Target,
    header: &str,
    consts: &[&Constant],
) -> Result<Vec<Result<Measured, String>>, String> {
    cheaders::ensure_packages(&[cheaders::LIBCLANG, &t.provenance.package])?;
    let mut text = format!("#include <{header}>\n");
    for c in consts {
        text.push_str(&format!(
            "static const __typeof__({x}) __abi_const_{n} = ({x});\n",
            x = c.c(),
            n = c.name
        ));
    }
    let items = cheaders::read(
        &text,
        &t.provenance.clang_args,
        "^$",
        "^__abi_const_.*",
        false,
    )?;
    Ok(consts
        .iter()
        .map(|c| {
            let key = format!("__abi_const_{}", c.name);
            let value = items.consts.get(&key).copied();
            match (value, items.const_type(&key)) {
                (Some(v), Some(CType::Int { bits, signed, .. })) => {
                    let ty = FieldType::of(bits / 8, signed)
                        .ok_or_else(|| format!("`{}` is {bits} bits wide", c.c()))?;
                    Ok(Measured {
                        value: ty.wrap(v),
                        ty,
                    })
                }
                _ => Err(format!(
                    "<{header}> defines no integer `{}` (libclang, {})",
                    c.c(),
                    t.provenance.clang_args.join(" ")
                )),
            }
        })
        .collect())
}

/// Measures every constant of `t` that names a header, by name.
pub(crate) fn measure(t: &Target) -> Result<BTreeMap<String, Result<Measured, String>>, String> {
    let mut out = BTreeMap::new();
    let groups = by_header(t);
    if groups.is_empty() {
        return Ok(out);
    }
    let clang = t.syscall.kind == ConvKind::Import;
    if !clang {
        cheaders::ensure_packages(&t.ci.packages.iter().map(String::as_str).collect::<Vec<_>>())?;
    }
    for (header, consts) in groups {
        let measured = if clang {
            measure_clang(t, header, &consts)?
        } else {
            measure_c(t, header, &consts)?
        };
        for (c, m) in consts.iter().zip(measured) {
            out.insert(c.name.clone(), m);
        }
    }
    Ok(out)
}

/// A value as the spec writes it, in the radix `like` (a value's text) uses.
fn literal(value: i128, like: &str) -> String {
    let (sign, magnitude) = if value < 0 {
        ("-", -value)
    } else {
        ("", value)
    };
    let digits = like.trim_start_matches(['-', '+']);
    if let Some(hex) = digits.strip_prefix("0x") {
        let upper = hex.chars().any(|c| c.is_ascii_uppercase());
        if upper {
            format!("{sign}0x{magnitude:X}")
        } else {
            format!("{sign}0x{magnitude:x}")
        }
    } else if digits.starts_with("0o") {
        format!("{sign}0o{magnitude:o}")
    } else if digits.starts_with("0b") {
        format!("{sign}0b{magnitude:b}")
    } else {
        format!("{sign}{magnitude}")
    }
}

/// A constant's line with `value` and `type` set to `m`.
fn rewrite_line(line: &str, m: Measured) -> Option<String> {
    let start = line.find("value = ")? + "value = ".len();
    let end = start + line[start..].find([',', ' ', '}'])?;
    let line = format!(
        "{}{}{}",
        &line[..start],
        literal(m.value, &line[start..end]),
        &line[end..]
    );
    let start = line.find("type = \"")? + "type = \"".len();
    let end = start + line[start..].find('"')?;
    Some(format!(
        "{}{}{}",
        &line[..start],
        m.ty.as_str(),
        &line[end..]
    ))
}

/// Imports the constants of target `name` in folder `dir`: every one with a
/// header gets the value and type the header gives it. Returns how many
/// lines changed.
pub(crate) fn import(dir: &Path, name: &str) -> Result<usize, String> {
    let (t, path) = crate::import::load_target(dir, name)?;
    let measured = measure(&t)?;
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut lines: Vec<String> = text.split_inclusive('\n').map(str::to_owned).collect();
    let mut changed = 0;
    let mut errors = Vec::new();
    for c in &t.constants {
        let Some(m) = measured.get(&c.name) else {
            continue;
        };
        let m = match m {
            Ok(m) => *m,
            Err(e) => {
                errors.push(format!("{}: {e}", c.loc));
                continue;
            }
        };
        let Some(line) = lines.get_mut(c.loc.line.saturating_sub(1)) else {
            continue;
        };
        let new = rewrite_line(line, m)
            .ok_or_else(|| format!("{}: cannot rewrite `{}`", c.loc, line.trim()))?;
        if new != *line {
            *line = new;
            changed += 1;
        }
    }
    if !errors.is_empty() {
        return Err(errors.join("\n"));
    }
    let new = lines.concat();
    let mut files = abi_spec::read_dir(dir, &dir.display().to_string())
        .map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
    for f in &mut files {
        if f.kind == abi_spec::SpecKind::Target && f.name == name {
            f.source = abi_spec::SourceFile::new(path.display().to_string(), new.clone());
        }
    }
    abi_spec::load(&files).map_err(|d| format!("the imported constants do not load:\n{d}"))?;
    std::fs::write(&path, new).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(changed)
}

/// How a spec writes a value, for messages.
fn shown(value: i128, ty: FieldType) -> String {
    if value < 0 {
        format!("{} {value}", ty.as_str())
    } else {
        format!("{} {value:#x}", ty.as_str())
    }
}

/// Checks a target's constants against their headers; appends to `out`.
pub(crate) fn verify(t: &Target, out: &mut crate::verify::Outcome) -> Result<(), String> {
    let measured = measure(t)?;
    for c in &t.constants {
        out.checked += 1;
        if let Some(why) = &c.unverified {
            out.unverified.push(format!("constant {}: {why}", c.name));
            continue;
        }
        match measured.get(&c.name) {
            None => {}
            Some(Err(e)) => out.mismatches.push(format!("{}: {e}", c.loc)),
            Some(Ok(m)) if (m.value, m.ty) != (c.value, c.ty) => out.mismatches.push(format!(
                "{}: `{}` is {} here, <{}> gives {} (`cargo xtask import-constants --target {}` writes it)",
                c.loc,
                c.name,
                shown(c.value, c.ty),
                c.header.as_deref().unwrap_or_default(),
                shown(m.value, m.ty),
                t.name
            )),
            Some(Ok(_)) => {}
        }
    }
    if !measured.is_empty() {
        out.notes.push(format!(
            "{} constants read from their headers",
            measured.len()
        ));
    }
    Ok(())
}

pub(crate) fn run(args: &[String]) -> Result<(), String> {
    let (dir, names) = crate::legs::import_args(args, |_| true)?;
    for name in names {
        let n = import(&dir, &name)?;
        println!("{name}: {n} constant lines changed");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_keep_their_radix_and_other_keys() {
        let m = |value, ty| Measured {
            value,
            ty: FieldType::parse(ty).unwrap(),
        };
        assert_eq!(
            rewrite_line(
                "O_CREAT = { value = 0o1, type = \"i64\", header = \"linux/fcntl.h\" }\n",
                m(0o100, "i32")
            )
            .unwrap(),
            "O_CREAT = { value = 0o100, type = \"i32\", header = \"linux/fcntl.h\" }\n"
        );
        assert_eq!(
            rewrite_line(
                "STD = { value = -11, type = \"i32\", header = \"windows.h\" }",
                m(0xFFFF_FFF5, "u32")
            )
            .unwrap(),
            "STD = { value = 4294967285, type = \"u32\", header = \"windows.h\" }"
        );
        assert_eq!(literal(0xC000_003E, "0xC0"), "0xC000003E");
        assert_eq!(literal(-100, "-1"), "-100");
    }
    /// A scratch copy of the specs with one constant's type and another's
    /// value changed: verify-specs names both lines, import puts them back.
    #[test]
    fn wrong_values_and_types_are_caught_and_reimported() {
        let targets = crate::legs::targets_dir();
        let text = std::fs::read_to_string(targets.join("linux-aarch64.toml")).unwrap();
        let wrong = text
            .replace(
                "O_CREAT = { value = 0o100, type = \"i32\"",
                "O_CREAT = { value = 0o100, type = \"i64\"",
            )
            .replace(
                "O_DIRECTORY = { value = 0o40000,",
                "O_DIRECTORY = { value = 0o200000,",
            );
        assert_ne!(wrong, text);
        let dir = std::env::temp_dir().join(format!("xtask-consts-test-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        for sub in ["abi", "arch", "errno"] {
            std::fs::create_dir_all(dir.join(sub)).unwrap();
            for e in std::fs::read_dir(targets.join(sub)).unwrap() {
                let e = e.unwrap();
                std::fs::copy(e.path(), dir.join(sub).join(e.file_name())).unwrap();
            }
        }
        std::fs::write(dir.join("linux-aarch64.toml"), wrong).unwrap();
        let (t, _) = crate::import::load_target(&dir, "linux-aarch64").unwrap();
        let mut out = crate::verify::Outcome::default();
        verify(&t, &mut out).unwrap();
        let text = out.mismatches.join("\n");
        assert_eq!(out.mismatches.len(), 2, "{text}");
        assert!(
            text.contains("`O_CREAT` is i64 0x40 here, <linux/fcntl.h> gives i32 0x40"),
            "{text}"
        );
        assert!(
            text.contains("`O_DIRECTORY` is i32 0x10000 here, <linux/fcntl.h> gives i32 0x4000"),
            "{text}"
        );
        assert_eq!(import(&dir, "linux-aarch64").unwrap(), 2);
        let (t, _) = crate::import::load_target(&dir, "linux-aarch64").unwrap();
        let mut out = crate::verify::Outcome::default();
        verify(&t, &mut out).unwrap();
        assert!(out.mismatches.is_empty(), "{:?}", out.mismatches);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
