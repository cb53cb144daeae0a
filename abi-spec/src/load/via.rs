//! Reading `[via]`: portable calls a target makes through another entry of its
//! table, with what goes in each argument register of that entry.

use crate::diag::{SourceFile, closest};
use crate::model::{Arg, Call, Cfg, Pass, SyscallConv, Via};
use crate::plan::words;
use crate::read::{Fields, Sink, Sp};

use super::target::{parse_kind, read_args, register_count};
use super::{IDENT_FIX, entry_table, ident_key, is_ident};

const EXAMPLE: &str = "`[via]` with `lseek = { args = [\"fd: fd\", \"offset: i64\", \"whence: u32\"], call = \"_llseek\", pass = [\"fd\", \"offset.hi\", \"offset.lo\", \"&result\", \"whence\"], result = \"i64\" }`";

/// Reads the optional `[via]` table of a trap target.
pub(super) fn read_via(
    top: &mut Fields<'_, '_>,
    file: &SourceFile,
    sc: Option<&SyscallConv>,
    cfg: Option<&Cfg>,
    calls: &[Call],
    sink: &mut Sink<'_>,
) -> Vec<Via> {
    let Some(table) = top.opt_table(sink, "via", EXAMPLE) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (k, v) in table.entries() {
        let (name, _) = ident_key(k, "via name", IDENT_FIX, sink);
        let Some(t) = entry_table(
            v,
            || format!("via `{name}` must be an inline table"),
            || format!("write `{name} = {{ args = [...], call = \"...\", pass = [...] }}`"),
            sink,
        ) else {
            continue;
        };
        let mut f = Fields::new(t, v.span(), format!("via `{name}`"));
        let args = f.strings(sink, "args", r#"["fd: fd", "offset: i64", "whence: u32"]"#);
        let call = f.string(sink, "call", "\"_llseek\"");
        let pass = f.opt_strings(
            sink,
            "pass",
            r#"["fd", "offset.hi", "offset.lo", "&result", "whence"]"#,
        );
        let result = f.opt_string(sink, "result", "\"i64\"");
        f.finish(sink);
        let pairs = sc.and_then(|s| s.pairs);
        let args = args
            .as_ref()
            .map(|a| read_args(a, cfg, true, pairs.is_some(), sink))
            .unwrap_or_default();
        let result_kind = result.as_ref().and_then(|r| parse_kind(r, sink));
        let Some(call) = call else { continue };
        let Some(entry) = calls.iter().find(|c| c.name == call.value) else {
            let help = match closest(&call.value, calls.iter().map(|c| c.name.as_str())) {
                Some(s) => format!("did you mean `{s}`?"),
                None => "name an entry of [calls]".to_owned(),
            };
            sink.error(
                call.span.clone(),
                format!(
                    "via `{name}` calls `{}`, which is not in [calls]",
                    call.value
                ),
                help,
            );
            continue;
        };
        let pass = match &pass {
            Some(p) => {
                let items: Vec<Option<Pass>> =
                    p.value.iter().map(|i| parse_pass(i, &args, sink)).collect();
                if items.iter().any(Option::is_none) {
                    continue;
                }
                let items: Vec<Pass> = items.into_iter().flatten().collect();
                if !check_pass(&name, p, &items, &args, result.as_ref(), cfg, sink) {
                    continue;
                }
                items
            }
            None => (0..args.len()).map(Pass::Arg).collect(),
        };
        let width = cfg.map_or(64, |c| c.pointer_width);
        let filled = words(&pass, &args, width, pairs).len();
        let wanted = register_count(&entry.args, cfg, pairs);
        if filled != wanted {
            let at = v.span();
            sink.error(
                at,
                format!(
                    "via `{name}` fills {filled} argument register{} of `{}`, which takes {wanted} (line {})",
                    if filled == 1 { "" } else { "s" },
                    entry.name,
                    entry.loc.line
                ),
                "give `pass` one item per register of the entry (a 64-bit argument on a 32-bit port fills a pair, `.lo`/`.hi` one each)",
            );
            continue;
        }
        if result.is_some() && !pass.contains(&Pass::ResultSlot) {
            if let Some(r) = &result {
                sink.error(
                    r.span.clone(),
                    format!("via `{name}` has a `result` but no `&result` in `pass`"),
                    "pass `&result` where the entry takes the pointer it writes the value to, or drop `result`",
                );
            }
            continue;
        }
        out.push(Via {
            name,
            args,
            call: entry.name.clone(),
            pass,
            result: result_kind,
            loc: file.loc(k.span().start),
        });
    }
    out
}

/// Checks that need the whole list: every argument passed, one `&result` with a `result`.
fn check_pass(
    name: &str,
    list: &Sp<Vec<Sp<String>>>,
    items: &[Pass],
    args: &[Arg],
    result: Option<&Sp<String>>,
    cfg: Option<&Cfg>,
    sink: &mut Sink<'_>,
) -> bool {
    let mut ok = true;
    let slots = list
        .value
        .iter()
        .zip(items)
        .filter(|(_, p)| **p == Pass::ResultSlot);
    for (n, (item, _)) in slots.enumerate() {
        if result.is_none() || n > 0 {
            ok = false;
            let why = if n > 0 {
                "a second `&result`"
            } else {
                "`&result` without a `result` kind"
            };
            sink.error(
                item.span.clone(),
                format!("via `{name}`: {why}"),
                "pass `&result` once and say what the kernel writes there, e.g. `result = \"i64\"`",
            );
        }
    }
    let used = |i: usize| {
        items.iter().any(|p| match p {
            Pass::Arg(j) | Pass::Low(j) | Pass::High(j) | Pass::Scaled(j, _) => *j == i,
            Pass::Block(b) => b.contains(&Pass::Arg(i)),
            Pass::Const(_) | Pass::ResultSlot => false,
        })
    };
    for (i, a) in args.iter().enumerate() {
        if !used(i) {
            ok = false;
            sink.error(
                list.span.clone(),
                format!("via `{name}` never passes its argument `{}`", a.name),
                format!("add `{}` to `pass` where the entry takes it", a.name),
            );
        }
    }
    let width = cfg.map_or(64, |c| c.pointer_width);
    for (item, p) in list.value.iter().zip(items) {
        let wide_in_block = match p {
            Pass::Block(b) => b.iter().any(
                |p| matches!(p, Pass::Arg(i) if args[*i].kind.bits().is_some_and(|b| b > width)),
            ),
            _ => false,
        };
        if wide_in_block {
            ok = false;
            sink.error(
                item.span.clone(),
                format!(
                    "via `{name}`: a 64-bit argument does not fit a {width}-bit word of the block"
                ),
                "pass its halves, `x.lo` and `x.hi`, as two words",
            );
        }
    }
    ok
}

/// One item of `pass`: `name`, `name.lo`, `name.hi`, `name / 4096`, an
/// integer, `&result` or `&[item, ...]`.
fn parse_pass(item: &Sp<String>, args: &[Arg], sink: &mut Sink<'_>) -> Option<Pass> {
    let text = item.value.trim();
    let err = |sink: &mut Sink<'_>, message: String, help: String| {
        sink.error(item.span.clone(), message, help);
        None
    };
    if text == "&result" {
        return Some(Pass::ResultSlot);
    }
    if let Some(inner) = text.strip_prefix("&[").and_then(|t| t.strip_suffix(']')) {
        let mut block = Vec::new();
        for part in inner.split(',').map(str::trim) {
            match one(part, args) {
                Ok(p @ (Pass::Arg(_) | Pass::Low(_) | Pass::High(_) | Pass::Const(_))) => {
                    block.push(p)
                }
                Ok(_) => {
                    return err(
                        sink,
                        format!("`{part}` cannot be a word of a block"),
                        "a block holds arguments, their `.lo`/`.hi` halves and integers".to_owned(),
                    );
                }
                Err((m, h)) => return err(sink, m, h),
            }
        }
        return Some(Pass::Block(block));
    }
    match one(text, args) {
        Ok(p) => Some(p),
        Err((m, h)) => err(sink, m, h),
    }
}

fn one(text: &str, args: &[Arg]) -> Result<Pass, (String, String)> {
    if let Ok(n) = text.parse::<i64>() {
        return Ok(Pass::Const(n));
    }
    let arg = |name: &str| -> Result<usize, (String, String)> {
        args.iter().position(|a| a.name == name).ok_or_else(|| {
            let help = match closest(name, args.iter().map(|a| a.name.as_str())) {
                Some(s) => format!("did you mean `{s}`?"),
                None => format!(
                    "name one of the via's `args`: {}",
                    args.iter()
                        .map(|a| a.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            };
            (
                format!("`pass` names `{name}`, which is not an argument"),
                help,
            )
        })
    };
    if let Some((name, by)) = text.split_once('/') {
        let i = arg(name.trim())?;
        let by = by.trim();
        return match by.parse::<u64>() {
            Ok(n) if n > 1 && n.is_power_of_two() => Ok(Pass::Scaled(i, n)),
            _ => Err((
                format!("`{text}` divides by `{by}`"),
                "divide by a power of two greater than 1, e.g. `offset / 4096`".to_owned(),
            )),
        };
    }
    if let Some((name, half)) = text.split_once('.') {
        let i = arg(name.trim())?;
        if args[i].kind.bits() != Some(64) {
            return Err((
                format!(
                    "`{text}`: `{name}` is a {}, not a 64-bit argument",
                    args[i].kind.as_str()
                ),
                "`.lo` and `.hi` split an i64 or u64".to_owned(),
            ));
        }
        return match half.trim() {
            "lo" => Ok(Pass::Low(i)),
            "hi" => Ok(Pass::High(i)),
            other => Err((
                format!("unknown half `.{other}`"),
                "write `.lo` (low 32 bits) or `.hi` (high 32 bits)".to_owned(),
            )),
        };
    }
    if !is_ident(text) {
        return Err((
            format!("cannot read `pass` item `{text}`"),
            "write an argument name, `name.lo`, `name.hi`, `name / 4096`, an integer, `&result` or `&[a, b, ...]`".to_owned(),
        ));
    }
    arg(text).map(Pass::Arg)
}
