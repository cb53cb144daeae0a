//! Reading a target's optional `[layouts]` section: one table per structure,
//!
//! ```toml
//! [layouts.timespec]
//! c_type = "struct __kernel_timespec"
//! header = "linux/time_types.h"
//! size = 16
//! align = 8
//! fields = { tv_sec = { offset = 0, type = "i64" }, tv_nsec = { offset = 8, type = "i64" } }
//! ```
//!
//! checked so that every field lies inside the structure and no two overlap.

use crate::diag::{SourceFile, closest};
use crate::layout::{FieldType, Layout, LayoutField, RESERVED_FIELDS};
use crate::read::{Fields, Sink};

use super::{entry_table, ident_key, is_ident};

const EXAMPLE: &str = "`[layouts.timespec]` with `c_type = \"struct __kernel_timespec\"`, `header = \"linux/time_types.h\"`, `size = 16`, `align = 8`, `fields = { tv_sec = { offset = 0, type = \"i64\" } }`";

pub(super) fn read_layouts(
    top: &mut Fields<'_, '_>,
    file: &SourceFile,
    pointer_width: u32,
    sink: &mut Sink<'_>,
) -> Vec<Layout> {
    let Some(table) = top.opt_table(sink, "layouts", EXAMPLE) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (k, v) in table.entries() {
        let (name, true) = ident_key(
            k,
            "layout name",
            "use letters, digits and `_`, e.g. `timespec`",
            sink,
        ) else {
            continue;
        };
        let Some(t) = entry_table(
            v,
            || format!("layout `{name}` must be a table"),
            || format!("write it as `[layouts.{name}]` with size, align and fields"),
            sink,
        ) else {
            continue;
        };
        let mut l = Fields::new(t, v.span(), format!("[layouts.{name}]"));
        let c_type = l.string(sink, "c_type", "\"struct __kernel_timespec\"");
        let header = l.string(sink, "header", "\"linux/time_types.h\"");
        let size = l.int(sink, "size", 1..65_537, "16");
        let align = l.int(sink, "align", 1..4097, "8");
        if let Some(a) = &align
            && !(a.value as u64).is_power_of_two()
        {
            sink.error(
                a.span.clone(),
                format!("alignment {} is not a power of two", a.value),
                "write what `_Alignof` gives, e.g. 8",
            );
        }
        if let (Some(s), Some(a)) = (&size, &align)
            && (a.value as u64).is_power_of_two()
            && s.value % a.value != 0
        {
            sink.error(
                s.span.clone(),
                format!(
                    "size {} is not a multiple of the alignment {}",
                    s.value, a.value
                ),
                "write what `sizeof` gives: a C structure's size is a multiple of its alignment",
            );
        }
        let size_value = size.as_ref().map(|s| s.value as u32);
        let fields = l.table(
            sink,
            "fields",
            "{ tv_sec = { offset = 0, type = \"i64\" } }",
        );
        let fields = fields.map(|f| read_fields(&f, &name, size_value, pointer_width, file, sink));
        l.finish(sink);
        if let Some(fields) = &fields
            && fields.is_empty()
        {
            sink.error(
                v.span(),
                format!("layout `{name}` describes no field"),
                "list the fields code reads or writes, e.g. `fields = { tv_sec = { offset = 0, type = \"i64\" } }`",
            );
        }
        if let (Some(c_type), Some(header), Some(size), Some(align), Some(fields)) =
            (c_type, header, size, align, fields)
        {
            out.push(Layout {
                name,
                c_type: c_type.value,
                header: header.value,
                size: size.value as u32,
                align: align.value as u32,
                fields,
                loc: file.loc(k.span().start),
            });
        }
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}

fn read_fields(
    f: &Fields<'_, '_>,
    layout: &str,
    size: Option<u32>,
    pointer_width: u32,
    file: &SourceFile,
    sink: &mut Sink<'_>,
) -> Vec<LayoutField> {
    let mut out: Vec<(std::ops::Range<usize>, LayoutField)> = Vec::new();
    for (k, v) in f.entries() {
        let name = k.get_ref().to_string();
        if !is_ident(&name) || RESERVED_FIELDS.contains(&name.as_str()) {
            sink.error(
                k.span(),
                format!("field name `{name}` cannot name an accessor"),
                format!(
                    "use the C member's name, a Rust identifier other than {}",
                    RESERVED_FIELDS.join(", ")
                ),
            );
            continue;
        }
        let Some(t) = v.get_ref().as_table() else {
            sink.error(
                v.span(),
                format!("field `{name}` of layout `{layout}` must be an inline table"),
                format!("write `{name} = {{ offset = 0, type = \"i64\" }}`"),
            );
            continue;
        };
        let mut e = Fields::new(t, v.span(), format!("field `{name}` of layout `{layout}`"));
        let offset = e.int(sink, "offset", 0..65_536, "0");
        let ty = e.string(sink, "type", "\"i64\"");
        let count = e.opt_int(sink, "count", 0..65_536, "3");
        e.finish(sink);
        let pointer = ty.as_ref().is_some_and(|t| t.value == "ptr");
        let ty = ty.and_then(|ty| match FieldType::parse(&ty.value) {
            Some(t) => Some(t),
            None if pointer => FieldType::of(pointer_width / 8, false),
            None => {
                let help = match closest(&ty.value, FieldType::ALL) {
                    Some(s) => format!("did you mean `{s}`?"),
                    None => format!("types are: ptr, {}", FieldType::ALL.join(", ")),
                };
                sink.error(ty.span, format!("unknown field type `{}`", ty.value), help);
                None
            }
        });
        let (Some(offset), Some(ty)) = (offset, ty) else {
            continue;
        };
        let count = count.map(|c| c.value as u32);
        let end = offset.value as u32 + ty.bytes * count.unwrap_or(1);
        if let Some(size) = size
            && end > size
        {
            sink.error(
                offset.span.clone(),
                format!(
                    "field `{name}` ({}{} at offset {}) ends at byte {end}, past the layout's size {size}",
                    ty.as_str(),
                    count.map(|c| format!(" x {c}")).unwrap_or_default(),
                    offset.value
                ),
                "write the offset and type the C compiler gives (`cargo xtask import-layouts`)",
            );
            continue;
        }
        out.push((
            offset.span,
            LayoutField {
                name,
                offset: offset.value as u32,
                ty,
                count,
                pointer,
                loc: file.loc(k.span().start),
            },
        ));
    }
    out.sort_by_key(|(_, f)| f.offset);
    for pair in out.windows(2) {
        let ((_, a), (span, b)) = (&pair[0], &pair[1]);
        if a.offset + a.bytes() > b.offset {
            sink.error(
                span.clone(),
                format!(
                    "field `{}` at offset {} overlaps `{}` (bytes {}..{})",
                    b.name,
                    b.offset,
                    a.name,
                    a.offset,
                    a.offset + a.bytes()
                ),
                "check both offsets against the C compiler's (`cargo xtask import-layouts`)",
            );
        }
    }
    out.into_iter().map(|(_, f)| f).collect()
}

#[cfg(test)]
mod tests {

    use std::path::Path;

    use crate::load::tests_support::load_with;

    #[test]
    fn a_layout_is_read_with_its_fields_sorted_by_offset() {
        let specs = load_with(
            "\n[layouts.epoll_event]\nc_type = \"struct epoll_event\"\nheader = \"linux/eventpoll.h\"\nsize = 12\nalign = 1\nfields = { data = { offset = 4, type = \"u64\" }, events = { offset = 0, type = \"u32\" } }\n",
        )
        .unwrap();
        let l = specs.targets[0].layout("epoll_event").unwrap();
        assert_eq!((l.size, l.align), (12, 1));
        let fields: Vec<_> = l
            .fields
            .iter()
            .map(|f| (f.name.as_str(), f.offset, f.ty.as_str()))
            .collect();
        assert_eq!(fields, [("events", 0, "u32"), ("data", 4, "u64")]);
        assert_eq!(l.loc.line, l.fields[0].loc.line - 5);
    }

    #[test]
    fn bad_layouts_point_at_the_line_and_say_the_fix() {
        let base = std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/minimal_spec/linux-x86_64.toml"),
        )
        .unwrap();
        let first = base.lines().count() + 2;
        let e = load_with(concat!(
            "\n[layouts.timespec]\n",
            "c_type = \"struct __kernel_timespec\"\n",
            "header = \"linux/time_types.h\"\n",
            "size = 12\n",
            "align = 8\n",
            "fields = { tv_sec = { offset = 0, type = \"i64\" }, tv_nsec = { offset = 6, type = \"i46\" }, tv_x = { offset = 4, type = \"u32\" }, tv_y = { offset = 10, type = \"u32\" } }\n",
            "[layouts.empty]\n",
            "c_type = \"struct x\"\n",
            "header = \"x.h\"\n",
            "size = 8\n",
            "align = 3\n",
            "fields = {}\n",
        ))
        .unwrap_err()
        .to_string();
        let at = |line: usize| format!("targets/linux-x86_64.toml:{}:", first + line);
        for (line, message) in [
            (3, "error: size 12 is not a multiple of the alignment 8"),
            (5, "error: unknown field type `i46`"),
            (
                5,
                "error: field `tv_x` at offset 4 overlaps `tv_sec` (bytes 0..8)",
            ),
            (
                5,
                "error: field `tv_y` (u32 at offset 10) ends at byte 14, past the layout's size 12",
            ),
            (10, "error: alignment 3 is not a power of two"),
            (6, "error: layout `empty` describes no field"),
        ] {
            let found = e
                .split("\n\n")
                .any(|d| d.starts_with(message) && d.contains(&at(line)));
            assert!(found, "{message} at {}:\n{e}", at(line));
        }
        assert!(e.contains("did you mean `i16`?"), "{e}");
    }
}
