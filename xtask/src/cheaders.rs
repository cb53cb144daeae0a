//! Reading C headers through bindgen (libclang), shared by `import-linux` and
//! `verify-specs`: the macros, enum constants, typedefs and function
//! prototypes of a header, with C types resolved to what they are on the
//! header's target.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use abi_spec::model::ArgKind;

/// What libclang saw in a header, as bindgen renders it.
#[derive(Debug, Default)]
pub(crate) struct Items {
    /// Integer constants: `#define`s and enum constants, by name.
    pub(crate) consts: BTreeMap<String, i128>,
    /// Function prototypes, by name.
    pub(crate) functions: BTreeMap<String, Function>,
    /// Typedefs: name → the type it stands for.
    aliases: BTreeMap<String, syn::Type>,
    /// The types bindgen gives the integer constants, by name.
    const_types: BTreeMap<String, syn::Type>,
    /// Sizes of the structs and unions bindgen laid out, by name.
    sizes: BTreeMap<String, u64>,
    /// `sizeof(long)` and `sizeof(void *)` on the header's target, in bits.
    long_bits: u32,
    ptr_bits: u32,
}

/// One prototype.
#[derive(Debug, Clone)]
pub(crate) struct Function {
    /// Parameters in order.
    pub(crate) params: Vec<Param>,
    /// The return type, `None` for `void`.
    pub(crate) ret: Option<CType>,
    /// Declared `noreturn`.
    pub(crate) noreturn: bool,
}

/// One parameter of a prototype.
#[derive(Debug, Clone)]
pub(crate) struct Param {
    /// Its name; `None` when the prototype leaves it out.
    pub(crate) name: Option<String>,
    /// Its type, resolved through typedefs.
    pub(crate) ty: CType,
    /// A name derived from the type (a struct's or typedef's name), for unnamed parameters.
    pub(crate) type_name: Option<String>,
    /// For a pointer: what it points to, and the typedef or struct name it is
    /// spelt with (`__wasi_size_t`), when it has one.
    pub(crate) pointee: Option<(CType, Option<String>)>,
}

/// A C type, as far as a call boundary cares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum CType {
    /// An integer of `bits` bits; `long` says whether C spells it `long`
    /// (pointer-sized) rather than a fixed width.
    Int {
        /// Width.
        bits: u32,
        /// Signedness.
        signed: bool,
        /// C `long` / `size_t`: as wide as a pointer.
        long: bool,
    },
    /// A data pointer; `konst` when it points to `const` data.
    Ptr {
        /// Points to const data.
        konst: bool,
        /// Points to `char` (a C string, for the WASI API).
        to_char: bool,
    },
    /// A function pointer.
    FnPtr,
    /// A struct or union passed by value, with its size in bytes when known.
    Aggregate {
        /// Its name.
        name: String,
        /// Its size.
        size: Option<u64>,
    },
    /// Anything else (a struct by value, a float), by its Rust spelling.
    Other(String),
}

impl CType {
    /// The spec kind of a value of this type; `None` when none fits.
    pub(crate) fn kind(&self) -> Option<ArgKind> {
        Some(match *self {
            CType::Ptr { konst: true, .. } | CType::FnPtr => ArgKind::Ptr,
            CType::Ptr { konst: false, .. } => ArgKind::MutPtr,
            CType::Int {
                long: true, signed, ..
            } => {
                if signed {
                    ArgKind::Isize
                } else {
                    ArgKind::Usize
                }
            }
            CType::Int {
                bits: 64, signed, ..
            } => {
                if signed {
                    ArgKind::I64
                } else {
                    ArgKind::U64
                }
            }
            // Narrower integers travel promoted to `int` / `unsigned int`.
            CType::Int { bits, signed, .. } if bits <= 32 => {
                if signed {
                    ArgKind::I32
                } else {
                    ArgKind::U32
                }
            }
            CType::Int { .. } | CType::Aggregate { .. } | CType::Other(_) => return None,
        })
    }

    /// Whether a value of spec kind `kind` (on a target with `ptr_bits`-bit
    /// pointers) is passed as a value of this type: a pointer for a pointer,
    /// an integer of the same width (narrower C integers travel as 32 bits),
    /// a struct or union of the kind's size for an integer.
    pub(crate) fn accepts(&self, kind: ArgKind, ptr_bits: u32) -> bool {
        let kind_bits = kind.bits().unwrap_or(ptr_bits);
        let pointer = matches!(kind, ArgKind::Ptr | ArgKind::MutPtr);
        match self {
            CType::Ptr { .. } | CType::FnPtr => pointer,
            CType::Int { bits, .. } => !pointer && (*bits).max(32) == kind_bits,
            CType::Aggregate { size: Some(s), .. } => !pointer && s * 8 == u64::from(kind_bits),
            _ => false,
        }
    }

    /// The wasm value type a value of this type is passed as (`i32`/`i64`);
    /// `None` for types that are no single wasm value.
    pub(crate) fn wasm_type(&self) -> Option<&'static str> {
        match *self {
            CType::Ptr { .. } | CType::FnPtr => Some("i32"),
            CType::Int { bits, .. } if bits <= 32 => Some("i32"),
            CType::Int { bits: 64, .. } => Some("i64"),
            _ => None,
        }
    }
}

impl std::fmt::Display for CType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CType::Int { bits, signed, long } => write!(
                f,
                "{}{bits}{}",
                if *signed { "i" } else { "u" },
                if *long { " (long)" } else { "" }
            ),
            CType::Ptr { konst: true, .. } => f.write_str("const pointer"),
            CType::Ptr { konst: false, .. } => f.write_str("pointer"),
            CType::FnPtr => f.write_str("function pointer"),
            CType::Aggregate { name, size } => match size {
                Some(n) => write!(f, "{name} ({n} bytes by value)"),
                None => write!(f, "{name} (by value)"),
            },
            CType::Other(s) => f.write_str(s),
        }
    }
}

/// Runs bindgen over `contents` (a header of its own, which may `#include`
/// others) with `clang_args`. `functions` and `vars` pick what to render by
/// regex, as bindgen's allowlists do; `attributes` detects `_Noreturn` too.
pub(crate) fn read(
    contents: &str,
    clang_args: &[String],
    functions: &str,
    vars: &str,
    attributes: bool,
) -> Result<Items, String> {
    // The widths of `long` and pointers on the header's target, for the
    // integer types bindgen names after C's (`c_ulong` is 32 bits on Windows).
    let contents = format!(
        "{contents}\nenum {{ __abi_bits_long = 8 * sizeof(long), __abi_bits_ptr = 8 * sizeof(void *) }};\n"
    );
    let vars = format!("{vars}|__abi_bits_.*");
    // Without the `clang` program bindgen cannot ask for clang's own headers
    // (stddef.h, stdint.h of freestanding targets): name Debian's folder of them.
    let builtin = resolve_path(BUILTIN_HEADERS)
        .map(|p| vec![format!("-isystem{}", p.display())])
        .unwrap_or_default();
    let mut builder = bindgen::Builder::default();
    if attributes {
        // Also finds `_Noreturn` (as `-> !`), not only `__attribute__((noreturn))`;
        // slow on large headers.
        builder = builder.enable_function_attribute_detection();
    }
    let bindings = builder
        .header_contents("abi_bridge_import.h", &contents)
        .clang_args(clang_args)
        .clang_args(&builtin)
        // Warnings (prototypes naming structs they never define) are no concern here.
        .clang_arg("-w")
        .allowlist_function(functions)
        .allowlist_var(&vars)
        // The layout assertions carry each struct's size.
        .layout_tests(true)
        .generate_comments(false)
        .derive_debug(false)
        .derive_copy(false)
        .generate()
        .map_err(|e| format!("bindgen: {e}"))?;
    let rust = bindings.to_string();
    // XTASK_BINDGEN_DUMP=file keeps what bindgen rendered, for debugging.
    if let Some(path) = std::env::var_os("XTASK_BINDGEN_DUMP") {
        let _ = std::fs::write(path, &rust);
    }
    parse(&rust)
}

/// Parses bindgen's output.
fn parse(rust: &str) -> Result<Items, String> {
    let file: syn::File =
        syn::parse_str(rust).map_err(|e| format!("cannot parse bindgen's output: {e}"))?;
    let mut items = Items {
        sizes: layout_sizes(rust),
        ..Items::default()
    };
    let mut protos = Vec::new();
    for item in file.items {
        match item {
            syn::Item::Const(c) => {
                if let Some(v) = int_literal(&c.expr) {
                    items.consts.insert(c.ident.to_string(), v);
                    items.const_types.insert(c.ident.to_string(), *c.ty);
                }
            }
            syn::Item::Type(t) => {
                items.aliases.insert(t.ident.to_string(), *t.ty);
            }
            // bindgen renders the typedef of a named enum
            // (`typedef enum _X {..} X;`) as `pub use self::_X as X;`.
            syn::Item::Use(u) => {
                if let Some((alias, target)) = renamed_use(&u.tree) {
                    items.aliases.insert(alias, target);
                }
            }
            syn::Item::ForeignMod(m) => {
                for it in m.items {
                    if let syn::ForeignItem::Fn(f) = it {
                        protos.push(f.sig);
                    }
                }
            }
            _ => {}
        }
    }
    let bits = |k: &str| {
        items
            .consts
            .get(k)
            .and_then(|v| u32::try_from(*v).ok())
            .unwrap_or(64)
    };
    (items.long_bits, items.ptr_bits) = (bits("__abi_bits_long"), bits("__abi_bits_ptr"));
    for sig in protos {
        let mut params = Vec::new();
        for input in &sig.inputs {
            let syn::FnArg::Typed(pt) = input else {
                continue;
            };
            let name = match &*pt.pat {
                syn::Pat::Ident(i) => i.ident.to_string(),
                _ => String::new(),
            };
            // bindgen names unnamed parameters `argN`, and appends `_` to keywords.
            let unnamed = name
                .strip_prefix("arg")
                .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
            let name =
                (!unnamed && !name.is_empty()).then(|| name.trim_end_matches('_').to_owned());
            let pointee = match &*pt.ty {
                syn::Type::Ptr(p) => Some((items.resolve(&p.elem, 0), last_segment(&p.elem))),
                _ => None,
            };
            params.push(Param {
                name,
                ty: items.resolve(&pt.ty, 0),
                type_name: type_name(&pt.ty),
                pointee,
            });
        }
        let (ret, noreturn) = match &sig.output {
            syn::ReturnType::Default => (None, false),
            syn::ReturnType::Type(_, t) if matches!(**t, syn::Type::Never(_)) => (None, true),
            syn::ReturnType::Type(_, t) => (Some(items.resolve(t, 0)), false),
        };
        items.functions.insert(
            sig.ident.to_string(),
            Function {
                params,
                ret,
                noreturn,
            },
        );
    }
    Ok(items)
}

/// Struct and union sizes from bindgen's layout assertions
/// (`["Size of stat"][::std::mem::size_of::<stat>() - 144usize];`).
fn layout_sizes(rust: &str) -> BTreeMap<String, u64> {
    let mut out = BTreeMap::new();
    for piece in rust.split("[\"Size of ").skip(1) {
        let Some((name, rest)) = piece.split_once('"') else {
            continue;
        };
        let size = rest
            .split_once("() - ")
            .and_then(|(_, r)| r.split_once("usize"))
            .and_then(|(n, _)| n.trim().parse().ok());
        if let Some(size) = size {
            out.insert(name.to_owned(), size);
        }
    }
    out
}

fn int_literal(e: &syn::Expr) -> Option<i128> {
    match e {
        syn::Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Int(i),
            ..
        }) => i.base10_parse().ok(),
        syn::Expr::Unary(syn::ExprUnary {
            op: syn::UnOp::Neg(_),
            expr,
            ..
        }) => int_literal(expr).map(|v| -v),
        syn::Expr::Cast(c) => int_literal(&c.expr),
        syn::Expr::Paren(p) => int_literal(&p.expr),
        _ => None,
    }
}

/// `self::_X as X` → (`X`, the type `_X`).
fn renamed_use(tree: &syn::UseTree) -> Option<(String, syn::Type)> {
    match tree {
        syn::UseTree::Path(p) if p.ident == "self" => renamed_use(&p.tree),
        syn::UseTree::Rename(r) => {
            let ident = &r.ident;
            Some((r.rename.to_string(), syn::parse_quote!(#ident)))
        }
        _ => None,
    }
}

/// The last segment of a type path (`c_int` of `::std::os::raw::c_int`).
fn last_segment(t: &syn::Type) -> Option<String> {
    match t {
        syn::Type::Path(p) => p.path.segments.last().map(|s| s.ident.to_string()),
        _ => None,
    }
}

/// A name for an unnamed parameter from its type: the struct or typedef it
/// points to or is (`iocb` for `struct iocb *`, `aio_context` for `aio_context_t`).
fn type_name(t: &syn::Type) -> Option<String> {
    let mut t = t;
    while let syn::Type::Ptr(p) = t {
        t = &p.elem;
    }
    let name = last_segment(t)?;
    if name.starts_with("c_")
        || name.starts_with("__")
        || matches!(
            name.as_str(),
            "usize" | "isize" | "u8" | "u16" | "u32" | "u64" | "i8" | "i16" | "i32" | "i64"
        )
    {
        return None;
    }
    let name = name.strip_suffix("_t").unwrap_or(&name);
    Some(name.trim_start_matches('_').to_owned()).filter(|n| !n.is_empty())
}

impl Items {
    /// The type of integer constant `name`, resolved through the typedefs.
    pub(crate) fn const_type(&self, name: &str) -> Option<CType> {
        self.const_types.get(name).map(|t| self.resolve(t, 0))
    }

    /// Resolves a type through the typedefs to a [`CType`].
    fn resolve(&self, t: &syn::Type, depth: u32) -> CType {
        if depth > 32 {
            return CType::Other("a typedef cycle".to_owned());
        }
        match t {
            syn::Type::Ptr(p) => {
                let to_char = last_segment(&p.elem).is_some_and(|s| {
                    matches!(s.as_str(), "c_char" | "c_schar" | "c_uchar" | "u8" | "i8")
                });
                CType::Ptr {
                    konst: p.const_token.is_some(),
                    to_char,
                }
            }
            syn::Type::BareFn(_) => CType::FnPtr,
            syn::Type::Path(p) => {
                let Some(seg) = p.path.segments.last() else {
                    return CType::Other(quote::quote!(#t).to_string());
                };
                let name = seg.ident.to_string();
                // `Option<unsafe extern "C" fn(..)>` is a nullable function pointer.
                if name == "Option" {
                    return CType::FnPtr;
                }
                if let Some(int) = self.primitive(&name) {
                    return int;
                }
                match self.aliases.get(&name) {
                    Some(target) => self.resolve(target, depth + 1),
                    None => match self.sizes.get(&name) {
                        Some(&size) => CType::Aggregate {
                            name,
                            size: Some(size),
                        },
                        None => CType::Other(name),
                    },
                }
            }
            _ => CType::Other(quote::quote!(#t).to_string()),
        }
    }

    /// The integer types bindgen renders C's integers as.
    fn primitive(&self, name: &str) -> Option<CType> {
        let int = |bits, signed, long| Some(CType::Int { bits, signed, long });
        let (lb, pb) = (self.long_bits, self.ptr_bits);
        match name {
            "c_char" | "c_schar" | "i8" => int(8, true, false),
            "c_uchar" | "u8" | "bool" => int(8, false, false),
            "c_short" | "i16" => int(16, true, false),
            "c_ushort" | "u16" => int(16, false, false),
            "c_int" | "i32" => int(32, true, false),
            "c_uint" | "u32" => int(32, false, false),
            "c_longlong" | "i64" => int(64, true, false),
            "c_ulonglong" | "u64" => int(64, false, false),
            // `long` is as wide as a pointer except on Windows (LLP64).
            "c_long" => int(lb, true, lb == pb),
            "c_ulong" => int(lb, false, lb == pb),
            "isize" => int(pb, true, true),
            "usize" => int(pb, false, true),
            _ => None,
        }
    }
}

/// Resolves a path that may hold `*` in its components: among several
/// matches the highest version wins (`linux-headers-6.1.0-56-common` over `-9-`).
pub(crate) fn resolve_path(pattern: &str) -> Result<PathBuf, String> {
    let mut found = vec![PathBuf::from("/")];
    for comp in Path::new(pattern).components().skip(1) {
        let comp = comp.as_os_str().to_string_lossy().into_owned();
        let mut next = Vec::new();
        for dir in &found {
            if !comp.contains('*') {
                let p = dir.join(&comp);
                if p.exists() {
                    next.push(p);
                }
                continue;
            }
            let Ok(entries) = std::fs::read_dir(dir) else {
                continue;
            };
            for e in entries.flatten() {
                let name = e.file_name().to_string_lossy().into_owned();
                if glob_match(&comp, &name) {
                    next.push(e.path());
                }
            }
        }
        found = next;
    }
    found.sort_by(|a, b| version_cmp(&a.to_string_lossy(), &b.to_string_lossy()));
    found
        .pop()
        .ok_or_else(|| format!("no file matches `{pattern}`"))
}

/// `*` matches any run of characters.
fn glob_match(pattern: &str, name: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !name.starts_with(first) || name.len() < first.len() + last.len() || !name.ends_with(last) {
        return false;
    }
    let mut rest = &name[first.len()..name.len() - last.len()];
    for mid in &parts[1..parts.len() - 1] {
        match rest.find(mid) {
            Some(i) => rest = &rest[i + mid.len()..],
            None => return false,
        }
    }
    true
}

/// Compares strings with their runs of digits as numbers.
fn version_cmp(a: &str, b: &str) -> std::cmp::Ordering {
    fn chunks(s: &str) -> Vec<(bool, String)> {
        let mut out: Vec<(bool, String)> = Vec::new();
        for c in s.chars() {
            let d = c.is_ascii_digit();
            match out.last_mut() {
                Some((kind, run)) if *kind == d => run.push(c),
                _ => out.push((d, c.to_string())),
            }
        }
        out
    }
    let (a, b) = (chunks(a), chunks(b));
    for (x, y) in a.iter().zip(&b) {
        let o = match (x, y) {
            ((true, x), (true, y)) => x
                .trim_start_matches('0')
                .len()
                .cmp(&y.trim_start_matches('0').len())
                .then_with(|| x.trim_start_matches('0').cmp(y.trim_start_matches('0'))),
            ((_, x), (_, y)) => x.cmp(y),
        };
        if o.is_ne() {
            return o;
        }
    }
    a.len().cmp(&b.len())
}

/// The installed version of a Debian package.
pub(crate) fn package_version(package: &str) -> Option<String> {
    let out = Command::new("dpkg-query")
        .args(["-W", "-f=${Version}", package])
        .output()
        .ok()?;
    let v = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    (out.status.success() && !v.is_empty()).then_some(v)
}

/// Installs the Debian packages that are missing (libclang itself among
/// them: bindgen loads it at run time).
pub(crate) fn ensure_packages(packages: &[&str]) -> Result<(), String> {
    let mut missing: Vec<&str> = packages
        .iter()
        .copied()
        .filter(|p| !p.is_empty() && !crate::install::dpkg_installed(p))
        .collect();
    missing.sort_unstable();
    missing.dedup();
    if missing.is_empty() {
        return Ok(());
    }
    println!("xtask: installing Debian packages: {}", missing.join(" "));
    crate::install::run(Command::new("apt-get").arg("update").arg("-q"))?;
    crate::install::run(
        Command::new("apt-get")
            .args(["install", "-y", "-q", "--no-install-recommends"])
            .args(&missing)
            .env("DEBIAN_FRONTEND", "noninteractive"),
    )
}

/// Where Debian's libclang-common-N-dev puts clang's own headers.
const BUILTIN_HEADERS: &str = "/usr/lib/llvm-*/lib/clang/*/include";

/// The Debian package that provides libclang for bindgen.
pub(crate) const LIBCLANG: &str = "libclang-dev";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_compare_numerically() {
        assert!(
            version_cmp(
                "linux-headers-6.1.0-56-common",
                "linux-headers-6.1.0-9-common"
            )
            .is_gt()
        );
        assert!(version_cmp("a-10", "a-9").is_gt());
        assert!(glob_match(
            "linux-headers-*-common",
            "linux-headers-6.1.0-56-common"
        ));
        assert!(!glob_match(
            "linux-headers-*-common",
            "linux-headers-6.1.0-56-amd64"
        ));
    }

    #[test]
    fn bindgen_output_is_read_with_types_resolved() {
        let rust = r#"
            pub const __NR_read: u32 = 63;
            pub const NEG: i32 = -5;
            pub type __kernel_size_t = ::std::os::raw::c_ulong;
            pub type size_t = __kernel_size_t;
            pub type aio_context_t = ::std::os::raw::c_ulong;
            unsafe extern "C" {
                pub fn sys_read(fd: ::std::os::raw::c_uint, buf: *mut ::std::os::raw::c_char, count: size_t) -> ::std::os::raw::c_long;
                pub fn sys_io_submit(arg1: aio_context_t, arg2: ::std::os::raw::c_long, arg3: *mut *mut iocb) -> ::std::os::raw::c_long;
                pub fn proc_exit(type_: u32) -> !;
            }
        "#;
        let items = parse(rust).unwrap();
        assert_eq!(items.consts["__NR_read"], 63);
        assert_eq!(items.consts["NEG"], -5);
        let read = &items.functions["sys_read"];
        let kinds: Vec<_> = read.params.iter().map(|p| p.ty.kind()).collect();
        assert_eq!(
            kinds,
            [
                Some(ArgKind::U32),
                Some(ArgKind::MutPtr),
                Some(ArgKind::Usize)
            ]
        );
        let submit = &items.functions["sys_io_submit"];
        assert_eq!(submit.params[0].name, None);
        assert_eq!(submit.params[0].type_name.as_deref(), Some("aio_context"));
        assert_eq!(submit.params[2].type_name.as_deref(), Some("iocb"));
        let exit = &items.functions["proc_exit"];
        assert!(exit.noreturn);
        assert_eq!(exit.params[0].name.as_deref(), Some("type"));
    }

    #[test]
    fn a_named_enum_typedef_is_its_integer() {
        let rust = r#"
            pub const _CLASS_First: _CLASS = 0;
            pub type _CLASS = ::std::os::raw::c_int;
            pub use self::_CLASS as CLASS;
            unsafe extern "C" {
                pub fn query(class: CLASS) -> ::std::os::raw::c_int;
            }
        "#;
        let items = parse(rust).unwrap();
        assert_eq!(
            items.functions["query"].params[0].ty.kind(),
            Some(ArgKind::I32)
        );
    }
}

/// One member of a C structure, as bindgen lays it out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Member {
    /// The C member name.
    pub(crate) name: String,
    /// For an array, its length; 0 for a flexible array member.
    pub(crate) count: Option<u32>,
    /// A data pointer.
    pub(crate) pointer: bool,
}

/// The members of `struct name` declared by `contents`, in order, through
/// bindgen with `clang_args`.
pub(crate) fn struct_members(
    contents: &str,
    clang_args: &[String],
    name: &str,
) -> Result<Vec<Member>, String> {
    let builtin = resolve_path(BUILTIN_HEADERS)
        .map(|p| vec![format!("-isystem{}", p.display())])
        .unwrap_or_default();
    let bindings = bindgen::Builder::default()
        .header_contents("abi_bridge_struct.h", contents)
        .clang_args(clang_args)
        .clang_args(&builtin)
        .clang_arg("-w")
        .allowlist_type(format!("^{name}$"))
        .layout_tests(false)
        .generate_comments(false)
        .derive_debug(false)
        .derive_copy(false)
        .generate()
        .map_err(|e| format!("bindgen: {e}"))?;
    let file: syn::File = syn::parse_str(&bindings.to_string())
        .map_err(|e| format!("cannot parse bindgen's output: {e}"))?;
    let fields = file
        .items
        .into_iter()
        .find_map(|item| match item {
            syn::Item::Struct(s) if s.ident == name => Some(s.fields),
            _ => None,
        })
        .ok_or_else(|| format!("the headers declare no `struct {name}`"))?;
    fields
        .iter()
        .map(|f| {
            let member = f
                .ident
                .as_ref()
                .map(ToString::to_string)
                .ok_or_else(|| format!("`struct {name}` has an unnamed member"))?;
            if member.starts_with("_bitfield") || member.starts_with("__bindgen") {
                return Err(format!(
                    "`struct {name}` has bit-fields or anonymous members, which a layout cannot describe"
                ));
            }
            let (count, pointer) = match &f.ty {
                syn::Type::Array(a) => {
                    let n = int_literal(&a.len)
                        .and_then(|n| u32::try_from(n).ok())
                        .ok_or_else(|| format!("`{member}` of `struct {name}`: unreadable length"))?;
                    (Some(n), false)
                }
                syn::Type::Ptr(_) => (None, true),
                t if last_segment(t).as_deref() == Some("__IncompleteArrayField") => {
                    (Some(0), false)
                }
                _ => (None, false),
            };
            Ok(Member {
                name: member,
                count,
                pointer,
            })
        })
        .collect()
}
