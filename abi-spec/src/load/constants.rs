//! Reading a target's optional `[constants]` table, one line per constant:
//!
//! ```toml
//! [constants]
//! O_CREAT = { value = 0o100, type = "i32", header = "linux/fcntl.h" }
//! AUDIT_ARCH = { value = 0xC000003E, type = "u32", header = "linux/audit.h", c = "AUDIT_ARCH_X86_64" }
//! WASM_PAGE_SIZE = { value = 65536, type = "u32", unverified = "the wasm spec's page size; no header has it" }
//! ```
//!
//! `type` is the integer type C gives the constant in `header` (what
//! `__typeof__` says of `c`, the C expression, by default the name; a cast
//! there gives a constant the type its API takes, e.g. `(unsigned char)DT_DIR`);
//! the value must fit it. A constant without a type, or
//! with neither a header to check it against nor the reason none can, is an
//! error.

use crate::constant::Constant;
use crate::diag::{SourceFile, closest};
use crate::layout::FieldType;
use crate::read::{Fields, Sink};

use super::ident_key;

/// How `importer` writes the table, for the fixes.
const IMPORT: &str = "`cargo xtask import-constants` writes value and type from the headers";

pub(super) fn read_constants(
    top: &mut Fields<'_, '_>,
    file: &SourceFile,
    sink: &mut Sink<'_>,
) -> Vec<Constant> {
    let Some(table) = top.opt_table(
        sink,
        "constants",
        "`[constants]` with `O_CREAT = { value = 0o100, type = \"i32\", header = \"linux/fcntl.h\" }`",
    ) else {
        return Vec::new();
    };
    // The fix for an untyped constant names the header its neighbours use.
    let neighbour = table
        .entries()
        .filter_map(|(_, v)| v.get_ref().as_table())
        .flat_map(|t| t.iter())
        .find(|(k, _)| k.get_ref() == "header")
        .and_then(|(_, v)| v.get_ref().as_str())
        .unwrap_or("linux/fcntl.h");
    let mut out = Vec::new();
    for (k, v) in table.entries() {
        let (name, true) = ident_key(k, "constant name", "use letters, digits and `_`", sink)
        else {
            continue;
        };
        let Some(t) = v.get_ref().as_table() else {
            // The old untyped form (`O_CREAT = 0o100`): say how to add the type.
            let written = file.text.get(v.span()).unwrap_or("0").trim();
            let (message, value) = if v.get_ref().as_integer().is_some() {
                (format!("constant `{name}` has no type"), written)
            } else {
                (
                    format!(
                        "constant `{name}` must be an inline table, found {}",
                        v.get_ref().type_str()
                    ),
                    "0x40",
                )
            };
            sink.error(
                v.span(),
                message,
                format!(
                    "write `{name} = {{ value = {value}, type = \"i32\", header = \"{neighbour}\" }}` with the header that defines it and the type C gives it there ({IMPORT})"
                ),
            );
            continue;
        };
        let mut e = Fields::new(t, v.span(), format!("constant `{name}`"));
        let value = e.wide_int(sink, "value", "0o100");
        let ty = e.string(sink, "type", "\"i32\"");
        let header = e.opt_string(sink, "header", "\"linux/fcntl.h\"");
        let c_name = e.opt_string(sink, "c", "\"AUDIT_ARCH_X86_64\"");
        let unverified = e.opt_string(sink, "unverified", "\"no header defines it\"");
        e.finish(sink);
        let ty = ty.and_then(|ty| match FieldType::parse(&ty.value) {
            Some(t) => Some(t),
            None => {
                let help = match closest(&ty.value, FieldType::ALL) {
                    Some(s) => format!("did you mean `{s}`?"),
                    None => format!("types are: {}", FieldType::ALL.join(", ")),
                };
                sink.error(
                    ty.span,
                    format!("unknown constant type `{}`", ty.value),
                    help,
                );
                None
            }
        });
        if header.is_none() && unverified.is_none() {
            sink.error(
                v.span(),
                format!("constant `{name}` names no header to check it against"),
                "add `header = \"...\"` (where C defines it), or `unverified = \"...\"` saying why no header has it",
            );
        }
        if let Some(u) = &unverified
            && u.value.trim().is_empty()
        {
            sink.error(
                u.span.clone(),
                "`unverified` gives no reason",
                "say why no header can check it, e.g. \"the wasm spec's page size; no header has it\"",
            );
        }
        let (Some(value), Some(ty)) = (value, ty) else {
            continue;
        };
        if !(ty.min()..=ty.max()).contains(&value.value) {
            sink.error(
                value.span,
                format!(
                    "{} does not fit the constant's type {} ({}..={})",
                    value.value,
                    ty.as_str(),
                    ty.min(),
                    ty.max()
                ),
                format!(
                    "write the value as C's {} holds it: {:#X} ({IMPORT})",
                    ty.as_str(),
                    ty.wrap(value.value)
                ),
            );
            continue;
        }
        out.push(Constant {
            name,
            value: value.value,
            ty,
            header: header.map(|h| h.value),
            c_expr: c_name.map(|c| c.value),
            unverified: unverified.map(|u| u.value),
            loc: file.loc(k.span().start),
        });
    }
    out
}

#[cfg(test)]
mod tests {

    use crate::load::tests_support::load_with;

    #[test]
    fn typed_constants_load_with_their_type() {
        let specs = load_with(
            "\n[constants]\nO_CREAT = { value = 0o100, type = \"i32\", header = \"linux/fcntl.h\" }\nGENERIC_READ = { value = 0x80000000, type = \"u32\", header = \"windows.h\" }\nBIG = { value = 0xFFFFFFFFFFFFFFFF, type = \"u64\", unverified = \"a test\" }\n",
        )
        .unwrap_or_else(|d| panic!("{d}"));
        let t = specs.target("linux-x86_64").unwrap();
        let c = |n: &str| t.constants.iter().find(|c| c.name == n).unwrap();
        let creat = c("O_CREAT");
        assert_eq!((creat.value, creat.ty.as_str()), (0o100, "i32"));
        assert_eq!(creat.header.as_deref(), Some("linux/fcntl.h"));
        assert_eq!(
            (c("GENERIC_READ").value, c("GENERIC_READ").ty.as_str()),
            (0x8000_0000, "u32")
        );
        assert_eq!(c("BIG").value, u64::MAX as i128);
        assert_eq!(c("BIG").unverified.as_deref(), Some("a test"));
    }

    #[test]
    fn untyped_or_out_of_range_constants_say_the_fix() {
        let d = load_with(
            "\n[constants]\nO_CREAT = 0o100\nSTD = { value = -11, type = \"u32\", header = \"windows.h\" }\nX = { value = 1, type = \"int\", header = \"a.h\" }\nY = { value = 1, type = \"i32\" }\n",
        )
        .unwrap_err();
        let text = d.to_string();
        assert_eq!(d.0.len(), 4, "{text}");
        assert!(text.contains("constant `O_CREAT` has no type"), "{text}");
        assert!(
            text.contains("write `O_CREAT = { value = 0o100, type = \"i32\""),
            "{text}"
        );
        assert!(
            text.contains("-11 does not fit the constant's type u32"),
            "{text}"
        );
        assert!(text.contains("0xFFFFFFF5"), "{text}");
        assert!(text.contains("unknown constant type `int`"), "{text}");
        assert!(text.contains("constant `Y` names no header"), "{text}");
    }
}
