//! The `[layouts.*]` sections of the Linux specs: the structures abi-runtime
//! reads or writes, measured by the target's own C compiler.
//!
//! `cargo xtask import-layouts --target NAME` writes a small C file that
//! includes each structure's UAPI header and hands `sizeof`, `_Alignof`,
//! `offsetof`, each field's width and its signedness to `asm` statements as
//! immediate operands; `cc -S` prints them into the assembly, where they are read back
//! (nothing runs, so no emulator is needed). The compiler is the `[ci] linker`
//! of the spec (the cross gcc; the host's `cc` when empty). `verify-specs`
//! measures every layout a spec has the same way and reports each difference
//! at the line that states it.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use abi_spec::layout::FieldType;
use abi_spec::model::Target;

use crate::cheaders::{self, Member};

/// A structure abi-runtime reads or writes, and the fields it touches.
struct Wanted {
    name: &'static str,
    c_type: &'static str,
    header: &'static str,
    fields: &'static [&'static str],
}

/// The layouts the runtime needs on Linux (abi-runtime/src/lib.rs lists the
/// same in its `__layouts!` call). `stat` is `struct stat`, or `struct stat64`
/// where the table fills that one (see [`stat_type`]).
const WANTED: [Wanted; 8] = [
    Wanted {
        name: "timespec",
        c_type: "struct __kernel_timespec",
        header: "linux/time_types.h",
        fields: &["tv_sec", "tv_nsec"],
    },
    Wanted {
        name: "timeval",
        c_type: "struct __kernel_old_timeval",
        header: "linux/time_types.h",
        fields: &["tv_sec", "tv_usec"],
    },
    Wanted {
        name: "stat",
        c_type: "struct stat",
        header: "asm/stat.h",
        fields: &[
            "st_ino",
            "st_nlink",
            "st_mode",
            "st_uid",
            "st_gid",
            "st_size",
            "st_blksize",
            "st_blocks",
            "st_atime",
            "st_atime_nsec",
            "st_mtime",
            "st_mtime_nsec",
            "st_ctime",
            "st_ctime_nsec",
        ],
    },
    Wanted {
        name: "epoll_event",
        c_type: "struct epoll_event",
        header: "linux/eventpoll.h",
        fields: &["events", "data"],
    },
    Wanted {
        name: "clone_args",
        c_type: "struct clone_args",
        header: "linux/sched.h",
        fields: &[
            "flags",
            "pidfd",
            "child_tid",
            "parent_tid",
            "exit_signal",
            "stack",
            "stack_size",
            "tls",
        ],
    },
    Wanted {
        name: "old_timespec",
        c_type: "struct __kernel_old_timespec",
        header: "linux/time_types.h",
        fields: &["tv_sec", "tv_nsec"],
    },
    Wanted {
        name: "iovec",
        c_type: "struct iovec",
        header: "linux/uio.h",
        fields: &["iov_base", "iov_len"],
    },
    // getdents64's records: the UAPI headers do not export the structure, so
    // it comes from the kernel source the spec's table comes from.
    Wanted {
        name: "linux_dirent64",
        c_type: "struct linux_dirent64",
        header: "kernel:include/linux/dirent.h",
        fields: &["d_ino", "d_off", "d_reclen", "d_type", "d_name"],
    },
];

/// Which struct the kernel fills for `newfstatat` on this target: `struct
/// stat64` where the table reaches it through `fstatat64` (the 32-bit ports),
/// else `struct stat`.
fn stat_type(t: &Target) -> &'static str {
    if t.call("newfstatat").is_none() && t.call("fstatat64").is_some() {
        "struct stat64"
    } else {
        "struct stat"
    }
}

/// One layout to measure: name, C type, header, members.
#[derive(Debug, Clone)]
struct Request {
    name: String,
    c_type: String,
    header: String,
    fields: Vec<Member>,
}

/// A member asked for by name alone: no array, no pointer.
fn plain(name: &str) -> Member {
    Member {
        name: name.to_owned(),
        count: None,
        pointer: false,
    }
}

/// What the compiler said about one layout.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Measured {
    pub(crate) name: String,
    pub(crate) c_type: String,
    pub(crate) header: String,
    pub(crate) size: u32,
    pub(crate) align: u32,
    /// Each member: its offset and type (of an element, for an array).
    pub(crate) fields: Vec<(Member, u32, FieldType)>,
}

/// The requests for a target: what its spec says, then what the runtime
/// needs and the spec lacks. With `headers`, each has every member its header
/// declares (through bindgen), in the header's order.
fn requests(t: &Target, headers: bool) -> Result<Vec<Request>, String> {
    let mut out: Vec<Request> = t
        .layouts
        .iter()
        .map(|l| Request {
            name: l.name.clone(),
            c_type: l.c_type.clone(),
            header: l.header.clone(),
            fields: l
                .fields
                .iter()
                .map(|f| Member {
                    name: f.name.clone(),
                    count: f.count,
                    pointer: f.pointer,
                })
                .collect(),
        })
        .collect();
    for w in &WANTED {
        match out.iter_mut().find(|r| r.name == w.name) {
            Some(r) => {
                for f in w.fields {
                    if !r.fields.iter().any(|x| x.name == *f) {
                        r.fields.push(plain(f));
                    }
                }
            }
            None => out.push(Request {
                name: w.name.to_owned(),
                c_type: if w.name == "stat" {
                    stat_type(t).to_owned()
                } else {
                    w.c_type.to_owned()
                },
                header: w.header.to_owned(),
                fields: w.fields.iter().map(|f| plain(f)).collect(),
            }),
        }
    }
    if headers {
        for r in &mut out {
            let mut members = members(t, r)?;
            for f in &r.fields {
                if !members.iter().any(|m| m.name == f.name) {
                    return Err(format!(
                        "{}: `{}` has no member `{}`",
                        t.loc.path, r.c_type, f.name
                    ));
                }
            }
            std::mem::swap(&mut r.fields, &mut members);
        }
    }
    Ok(out)
}

/// The C text that declares a request's structure: its header, or a file
/// of the kernel source (`kernel:PATH`) over the UAPI types it uses.
fn header_text(t: &Target, header: &str) -> Result<String, String> {
    let Some(member) = header.strip_prefix("kernel:") else {
        return Ok(format!("#include <{header}>\n"));
    };
    let root = crate::ksource::unpack_files(&t.provenance, &[member.to_owned()])?;
    Ok(format!(
        "#include <linux/types.h>\n\
         typedef __u8 u8; typedef __u16 u16; typedef __u32 u32; typedef __u64 u64;\n\
         typedef __s8 s8; typedef __s16 s16; typedef __s32 s32; typedef __s64 s64;\n\
         #include \"{}\"\n",
        root.join(member).display()
    ))
}

/// The clang arguments that find a Linux target's own headers: the spec's
/// target and include folders (not its kernel-config defines).
fn clang_args(t: &Target) -> Vec<String> {
    t.provenance
        .clang_args
        .iter()
        .filter(|a| a.starts_with("--target=") || a.starts_with("-I") || *a == "-nostdinc")
        .cloned()
        .collect()
}

/// Every member of a request's structure, as its header declares it.
fn members(t: &Target, r: &Request) -> Result<Vec<Member>, String> {
    cheaders::ensure_packages(&[cheaders::LIBCLANG])?;
    let name = r.c_type.trim_start_matches("struct ").trim();
    cheaders::struct_members(&header_text(t, &r.header)?, &clang_args(t), name)
        .map_err(|e| format!("{}: [layouts.{}] ({}): {e}", t.loc.path, r.name, r.c_type))
}

/// The C file that makes the compiler print the numbers.
fn c_source(t: &Target, reqs: &[Request]) -> Result<String, String> {
    let mut headers: Vec<&str> = reqs.iter().map(|r| r.header.as_str()).collect();
    headers.sort_unstable();
    headers.dedup();
    let mut s = String::from(
        "/* Written by `cargo xtask import-layouts`: each asm statement prints one number. */\n",
    );
    for h in headers {
        s.push_str(&header_text(t, h)?);
    }
    s.push_str(
        "#define ABI_OUT(key, value) __asm__ volatile(\"\\n#ABI_LAYOUT \" key \" %0\" :: \"i\"(value))\n\
         #define ABI_MEMBER(T, f) (((T *)0)->f)\n\
         void abi_layouts(void) {\n",
    );
    for r in reqs {
        let (n, t) = (&r.name, &r.c_type);
        s.push_str(&format!("  ABI_OUT(\"{n} size\", sizeof({t}));\n"));
        s.push_str(&format!("  ABI_OUT(\"{n} align\", _Alignof({t}));\n"));
        for m in &r.fields {
            let f = &m.name;
            // An array's element; a flexible array has no size of its own.
            let one = if m.count.is_some() {
                format!("ABI_MEMBER({t}, {f})[0]")
            } else {
                format!("ABI_MEMBER({t}, {f})")
            };
            s.push_str(&format!(
                "  ABI_OUT(\"{n} {f} offset\", __builtin_offsetof({t}, {f}));\n\
                 \x20 ABI_OUT(\"{n} {f} bytes\", sizeof({one}));\n\
                 \x20 ABI_OUT(\"{n} {f} signed\", (__typeof__({one}))-1 < (__typeof__({one}))0);\n"
            ));
            if m.count.is_some_and(|c| c > 0) {
                s.push_str(&format!(
                    "  ABI_OUT(\"{n} {f} count\", sizeof(ABI_MEMBER({t}, {f})) / sizeof({one}));\n"
                ));
            }
        }
    }
    s.push_str("}\n");
    Ok(s)
}

/// The C compiler of a target: its `[ci] linker` (a cross gcc), else the host's `cc`.
pub(crate) fn compiler(t: &Target) -> String {
    if t.ci.linker.is_empty() {
        "cc".to_owned()
    } else {
        t.ci.linker.clone()
    }
}

/// Compiles `source` (C whose `asm` statements print `#<marker> key value`
/// lines) with the target's compiler to assembly and reads the numbers back.
pub(crate) fn probe(
    t: &Target,
    marker: &str,
    source: &str,
) -> Result<BTreeMap<String, i64>, String> {
    let dir =
        std::env::temp_dir().join(format!("xtask-{marker}-{}-{}", t.name, std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let src = dir.join("probe.c");
    std::fs::write(&src, source).map_err(|e| format!("{}: {e}", src.display()))?;
    let cc = compiler(t);
    let out = Command::new(&cc)
        .args(["-S", "-O0", "-o", "-"])
        .arg(&src)
        .output()
        .map_err(|e| {
            format!(
                "{}: cannot run the C compiler `{cc}` ([ci] linker): {e}; install [ci] packages ({})",
                t.loc.path,
                t.ci.packages.join(", ")
            )
        })?;
    let _ = std::fs::remove_dir_all(&dir);
    if !out.status.success() {
        return Err(format!(
            "{}: `{cc} -S` of the {marker} probe failed (a name or header the headers lack?):\n{}",
            t.loc.path,
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let asm = String::from_utf8_lossy(&out.stdout);
    let mut numbers = BTreeMap::new();
    let tag = format!("{marker} ");
    for line in asm.lines() {
        let Some(rest) = line.split_once(tag.as_str()).map(|(_, r)| r) else {
            continue;
        };
        let Some((key, value)) = rest.trim().rsplit_once(' ') else {
            continue;
        };
        // An immediate as the arch's assembler writes it: `$144`, `#144` or `144`.
        let value = value
            .trim_start_matches(['$', '#'])
            .parse()
            .map_err(|_| format!("{cc}: unreadable number in `{line}`"))?;
        numbers.insert(key.to_owned(), value);
    }
    Ok(numbers)
}

/// Compiles the requests with the target's compiler and reads the numbers back.
fn measure(t: &Target, reqs: &[Request]) -> Result<Vec<Measured>, String> {
    let cc = compiler(t);
    let numbers = probe(t, "ABI_LAYOUT", &c_source(t, reqs)?)?;
    let get = |key: String| {
        numbers
            .get(&key)
            .and_then(|&v| u32::try_from(v).ok())
            .ok_or_else(|| format!("{cc}: the assembly lacks `{key}`"))
    };
    reqs.iter()
        .map(|r| {
            let n = &r.name;
            let fields = r
                .fields
                .iter()
                .map(|m| {
                    let f = &m.name;
                    let bytes = get(format!("{n} {f} bytes"))?;
                    let signed = get(format!("{n} {f} signed"))? != 0;
                    let ty = FieldType::of(bytes, signed).ok_or_else(|| {
                        format!("{}: `{f}` of {} is {bytes} bytes wide, not an integer a layout can describe", t.loc.path, r.c_type)
                    })?;
                    let mut m = m.clone();
                    if m.count.is_some_and(|c| c > 0) {
                        m.count = Some(get(format!("{n} {f} count"))?);
                    }
                    Ok((m, get(format!("{n} {f} offset"))?, ty))
                })
                .collect::<Result<_, String>>()?;
            Ok(Measured {
                name: n.clone(),
                c_type: r.c_type.clone(),
                header: r.header.clone(),
                size: get(format!("{n} size"))?,
                align: get(format!("{n} align"))?,
                fields,
            })
        })
        .collect()
}

/// The `[layouts.*]` sections for `measured`, as spec text.
fn render(t: &Target, measured: &[Measured]) -> String {
    let mut s = format!(
        "# Kernel structures abi-runtime reads or writes, as {} lays them out\n\
         # (`cargo xtask import-layouts`; verify-specs checks them). Byte order: target_endian.\n",
        compiler(t)
    );
    let mut sorted = measured.to_vec();
    sorted.sort_by(|a, b| a.name.cmp(&b.name));
    for m in &sorted {
        s.push_str(&format!(
            "[layouts.{}]\nc_type = \"{}\"\nheader = \"{}\"\nsize = {}\nalign = {}\n",
            m.name, m.c_type, m.header, m.size, m.align
        ));
        let mut fields = m.fields.clone();
        // Members in offset order; a flexible array after what shares its offset.
        fields.sort_by_key(|(m, offset, _)| (*offset, m.count == Some(0)));
        let inline: Vec<String> = fields
            .iter()
            .map(|(m, o, ty)| {
                let ty = if m.pointer { "ptr" } else { ty.as_str() };
                let count = m
                    .count
                    .map(|c| format!(", count = {c}"))
                    .unwrap_or_default();
                format!("{} = {{ offset = {o}, type = \"{ty}\"{count} }}", m.name)
            })
            .collect();
        let one_line = format!("fields = {{ {} }}\n", inline.join(", "));
        if one_line.len() <= 100 {
            s.push_str(&one_line);
        } else {
            s.push_str(&format!("[layouts.{}.fields]\n", m.name));
            for f in &inline {
                s.push_str(f);
                s.push('\n');
            }
        }
        s.push('\n');
    }
    s
}

/// `text` with its `[layouts.*]` sections (and the comment lines just above
/// them) replaced by `block`; without any, `block` goes before `[provenance]`.
fn replace_sections(text: &str, block: &str) -> String {
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let is_header = |l: &str| l.trim_start().starts_with('[');
    let is_layout = |l: &str| l.trim_start().starts_with("[layouts");
    let Some(first) = lines.iter().position(|l| is_layout(l)) else {
        let at = lines
            .iter()
            .position(|l| l.trim() == "[provenance]")
            .unwrap_or(lines.len());
        // Keep the comment block that introduces [provenance] with it.
        let mut at = at;
        while at > 0 && lines[at - 1].trim_start().starts_with('#') {
            at -= 1;
        }
        return [lines[..at].concat(), block.to_owned(), lines[at..].concat()].concat();
    };
    let mut start = first;
    while start > 0 && lines[start - 1].trim_start().starts_with('#') {
        start -= 1;
    }
    let mut end = first;
    while end < lines.len() && (!is_header(lines[end]) || is_layout(lines[end])) {
        end += 1;
    }
    // Comments above the next section belong to it.
    while end > first && lines[end - 1].trim_start().starts_with('#') {
        end -= 1;
    }
    [
        lines[..start].concat(),
        block.to_owned(),
        lines[end..].concat(),
    ]
    .concat()
}

/// Imports the layouts of target `name` in folder `dir`; returns what was measured.
pub(crate) fn import(dir: &Path, name: &str) -> Result<Vec<Measured>, String> {
    let (t, path) = crate::import::load_target(dir, name)?;
    let measured = measure(&t, &requests(&t, true)?)?;
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let new = replace_sections(&text, &render(&t, &measured));
    let mut files = abi_spec::read_dir(dir, &dir.display().to_string())
        .map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
    for f in &mut files {
        if f.kind == abi_spec::SpecKind::Target && f.name == name {
            f.source = abi_spec::SourceFile::new(path.display().to_string(), new.clone());
        }
    }
    abi_spec::load(&files).map_err(|d| format!("the imported layouts do not load:\n{d}"))?;
    std::fs::write(&path, new).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(measured)
}

/// Checks a target's layouts against its compiler; appends to `out`.
pub(crate) fn verify(t: &Target, out: &mut crate::verify::Outcome) -> Result<(), String> {
    if t.cfg.os != "linux" {
        return Ok(());
    }
    for w in &WANTED {
        match t.layout(w.name) {
            None => out.mismatches.push(format!(
                "{}: no [layouts.{}], which abi-runtime reads; run `cargo xtask import-layouts --target {}`",
                t.loc.path, w.name, t.name
            )),
            Some(l) => {
                for f in w.fields.iter().filter(|f| l.field(f).is_none()) {
                    out.mismatches.push(format!(
                        "{}: [layouts.{}] lacks field `{f}`, which abi-runtime reads",
                        l.loc, w.name
                    ));
                }
            }
        }
    }
    if t.layouts.is_empty() {
        return Ok(());
    }
    cheaders::ensure_packages(&t.ci.packages.iter().map(String::as_str).collect::<Vec<_>>())?;
    // The spec's fields, measured in the shape the header gives them (an
    // array's length is the compiler's to say); a field the header lacks is
    // reported below, not measured.
    let mut reqs: Vec<(Request, Vec<Member>)> = Vec::new();
    for mut r in requests(t, false)?
        .into_iter()
        .filter(|r| t.layout(&r.name).is_some())
    {
        let header = members(t, &r)?;
        r.fields = r
            .fields
            .iter()
            .filter_map(|f| header.iter().find(|h| h.name == f.name).cloned())
            .collect();
        reqs.push((r, header));
    }
    let measured = measure(t, &reqs.iter().map(|(r, _)| r.clone()).collect::<Vec<_>>())?;
    for (l, m) in t
        .layouts
        .iter()
        .map(|l| (l, measured.iter().find(|m| m.name == l.name)))
    {
        let Some(m) = m else { continue };
        out.checked += 1;
        let mut wrong =
            |what: String, at: &abi_spec::Loc| out.mismatches.push(format!("{at}: {what}"));
        if (l.size, l.align) != (m.size, m.align) {
            wrong(
                format!(
                    "[layouts.{}] says size {} align {}, {} has {} and {} ({})",
                    l.name,
                    l.size,
                    l.align,
                    l.c_type,
                    m.size,
                    m.align,
                    compiler(t)
                ),
                &l.loc,
            );
        }
        for f in &l.fields {
            let Some((mm, offset, ty)) = m.fields.iter().find(|(x, _, _)| x.name == f.name) else {
                continue;
            };
            if (f.offset, f.ty, f.count) != (*offset, *ty, mm.count) {
                let count = |c: Option<u32>| c.map(|c| format!(" x {c}")).unwrap_or_default();
                wrong(
                    format!(
                        "`{}` of [layouts.{}] is {}{} at offset {}, the compiler says {}{} at {}",
                        f.name,
                        l.name,
                        f.ty.as_str(),
                        count(f.count),
                        f.offset,
                        ty.as_str(),
                        count(mm.count),
                        offset
                    ),
                    &f.loc,
                );
            }
        }
        // Every member of the header, so the generated struct is the C one.
        let Some((_, header)) = reqs.iter().find(|(r, _)| r.name == l.name) else {
            continue;
        };
        for h in header {
            match l.field(&h.name) {
                None => wrong(
                    format!(
                        "[layouts.{}] lacks member `{}` of {} (`cargo xtask import-layouts --target {}` adds it)",
                        l.name, h.name, l.c_type, t.name
                    ),
                    &l.loc,
                ),
                Some(f) if f.pointer != h.pointer || f.count.is_some() != h.count.is_some() => {
                    wrong(
                        format!(
                            "`{}` of [layouts.{}] is {}, the header declares {}",
                            f.name,
                            l.name,
                            if f.count.is_some() {
                                "an array"
                            } else {
                                f.type_str()
                            },
                            if h.pointer {
                                "a pointer"
                            } else if h.count.is_some() {
                                "an array"
                            } else {
                                "an integer"
                            }
                        ),
                        &f.loc,
                    )
                }
                Some(_) => {}
            }
        }
        for f in &l.fields {
            if !header.iter().any(|h| h.name == f.name) {
                wrong(
                    format!("{} declares no member `{}`", l.c_type, f.name),
                    &f.loc,
                );
            }
        }
    }
    out.notes.push(format!(
        "{} layouts measured by {}",
        t.layouts.len(),
        compiler(t)
    ));
    Ok(())
}

pub(crate) fn run(args: &[String]) -> Result<(), String> {
    let (dir, names) = crate::legs::import_args(args, |t| t.cfg.os == "linux")?;
    for name in names {
        let m = import(&dir, &name)?;
        let list: Vec<String> = m
            .iter()
            .map(|m| format!("{} ({} bytes)", m.name, m.size))
            .collect();
        println!("{name}: {}", list.join(", "));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections_are_replaced_in_place() {
        let text = "[constants]\nA = 1\n\n# old\n[layouts.a]\nsize = 1\n[layouts.a.fields]\nx = 1\n\n# about provenance\n[provenance]\nk = 1\n";
        let t = replace_sections(text, "# new\n[layouts.b]\nsize = 2\n\n");
        assert_eq!(
            t,
            "[constants]\nA = 1\n\n# new\n[layouts.b]\nsize = 2\n\n# about provenance\n[provenance]\nk = 1\n"
        );
        let none = "[constants]\nA = 1\n\n# about provenance\n[provenance]\nk = 1\n";
        assert_eq!(
            replace_sections(none, "[layouts.b]\n\n"),
            "[constants]\nA = 1\n\n[layouts.b]\n\n# about provenance\n[provenance]\nk = 1\n"
        );
    }

    /// The layout check of verify-specs on every Linux spec of the repository
    /// (verify-specs also needs each spec's header tables; this needs only
    /// the compilers).
    #[test]
    fn every_linux_spec_has_the_layouts_its_compiler_gives() {
        let dir = crate::legs::targets_dir();
        let files = abi_spec::read_dir(&dir, "targets").unwrap();
        let specs = abi_spec::load(&files).unwrap();
        let mut seen = 0;
        for t in specs.targets.iter().filter(|t| t.cfg.os == "linux") {
            let mut out = crate::verify::Outcome::default();
            verify(t, &mut out).unwrap();
            assert!(
                out.mismatches.is_empty(),
                "{}: {:?}",
                t.name,
                out.mismatches
            );
            assert_eq!(out.checked, WANTED.len(), "{}", t.name);
            seen += 1;
        }
        assert!(seen >= 3, "{seen} Linux specs");
    }

    #[test]
    fn wrong_and_missing_layouts_are_caught() {
        let text =
            std::fs::read_to_string(crate::legs::targets_dir().join("linux-x86_64.toml")).unwrap();
        let wrong = text
            .replace("st_size = { offset = 48, type = \"i64\" }", "st_size = { offset = 48, type = \"u64\" }")
            .replace("st_rdev = { offset = 40, type = \"u64\" }\n", "")
            .replace("d_name = { offset = 19, type = \"i8\", count = 0 }", "d_name = { offset = 19, type = \"i8\", count = 4 }")
            .replace("[layouts.timeval]\nc_type = \"struct __kernel_old_timeval\"\nheader = \"linux/time_types.h\"\nsize = 16", "[layouts.timeval]\nc_type = \"struct __kernel_old_timeval\"\nheader = \"linux/time_types.h\"\nsize = 32");
        let start = wrong.find("[layouts.epoll_event]").unwrap();
        let end = start + wrong[start..].find("\n\n").unwrap() + 2;
        let wrong = [&wrong[..start], &wrong[end..]].concat();
        let dir = std::env::temp_dir().join(format!("xtask-layouts-test-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let targets = crate::legs::targets_dir();
        for sub in ["abi", "arch", "errno"] {
            std::fs::create_dir_all(dir.join(sub)).unwrap();
            for e in std::fs::read_dir(targets.join(sub)).unwrap() {
                let e = e.unwrap();
                std::fs::copy(e.path(), dir.join(sub).join(e.file_name())).unwrap();
            }
        }
        std::fs::write(dir.join("linux-x86_64.toml"), wrong).unwrap();
        let (t, _) = crate::import::load_target(&dir, "linux-x86_64").unwrap();
        let mut out = crate::verify::Outcome::default();
        verify(&t, &mut out).unwrap();
        let text = out.mismatches.join("\n");
        assert_eq!(out.mismatches.len(), 5, "{text}");
        assert!(text.contains("no [layouts.epoll_event]"), "{text}");
        assert!(
            text.contains(
                "`st_size` of [layouts.stat] is u64 at offset 48, the compiler says i64 at 48"
            ),
            "{text}"
        );
        assert!(
            text.contains(
                "[layouts.timeval] says size 32 align 8, struct __kernel_old_timeval has 16 and 8"
            ),
            "{text}"
        );
        assert!(
            text.contains("[layouts.stat] lacks member `st_rdev` of struct stat"),
            "{text}"
        );
        assert!(
            text.contains(
                "`d_name` of [layouts.linux_dirent64] is i8 x 4 at offset 19, the compiler says i8 x 0 at 19"
            ),
            "{text}"
        );
        // Importing puts back what the compiler says.
        import(&dir, "linux-x86_64").unwrap();
        let (t, _) = crate::import::load_target(&dir, "linux-x86_64").unwrap();
        let mut out = crate::verify::Outcome::default();
        verify(&t, &mut out).unwrap();
        assert!(out.mismatches.is_empty(), "{:?}", out.mismatches);
        assert_eq!(t.layout("epoll_event").unwrap().size, 12);
        assert!(t.layout("stat").unwrap().field("st_rdev").is_some());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
