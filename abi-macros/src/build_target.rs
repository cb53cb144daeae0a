//! The target triple of the compilation expanding a macro. Thumb-state and
//! ARM-state builds share every cfg on stable Rust, yet one cannot name r7 as
//! an `asm!` operand; a spec says which triples need which template
//! (`number_reserved.triples`), and this says which triple is being built.
//! A proc-macro runs inside rustc, so rustc's own arguments are at hand.

/// The `--target` rustc was given (a target file's stem for a JSON target),
/// else the host, which this proc-macro was built for.
pub(crate) fn triple() -> String {
    from_args(std::env::args()).unwrap_or_else(|| env!("ABI_MACROS_HOST").to_owned())
}

fn from_args(mut args: impl Iterator<Item = String>) -> Option<String> {
    while let Some(a) = args.next() {
        let value = match a.strip_prefix("--target=") {
            Some(v) => v.to_owned(),
            None if a == "--target" => args.next()?,
            None => continue,
        };
        let path = std::path::Path::new(&value);
        return Some(match path.extension() {
            Some(e) if e == "json" => path.file_stem()?.to_string_lossy().into_owned(),
            _ => value,
        });
    }
    None
}

#[cfg(test)]
mod tests {
    use super::from_args;

    fn args(list: &[&str]) -> impl Iterator<Item = String> {
        list.iter()
            .map(|s| (*s).to_owned())
            .collect::<Vec<_>>()
            .into_iter()
    }

    #[test]
    fn finds_the_target_in_either_spelling() {
        let cargo = [
            "rustc",
            "--crate-name",
            "x",
            "--target",
            "thumbv7neon-unknown-linux-gnueabihf",
            "-C",
            "opt-level=3",
        ];
        assert_eq!(
            from_args(args(&cargo)).as_deref(),
            Some("thumbv7neon-unknown-linux-gnueabihf")
        );
        let joined = ["rustc", "--target=armv7-unknown-linux-gnueabihf"];
        assert_eq!(
            from_args(args(&joined)).as_deref(),
            Some("armv7-unknown-linux-gnueabihf")
        );
        let json = ["rustc", "--target", "/specs/thumbv7em-custom.json"];
        assert_eq!(from_args(args(&json)).as_deref(), Some("thumbv7em-custom"));
        assert_eq!(from_args(args(&["rustc", "src/lib.rs"])), None);
    }
}
