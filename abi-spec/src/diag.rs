//! Diagnostics that point into spec files: file:line:col, the line itself, and a fix.

use std::fmt;
use std::ops::Range;

/// A spec file's text with the name it is reported under.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// The path shown in diagnostics, e.g. `targets/linux-x86_64.toml`.
    pub path: String,
    /// The file's contents.
    pub text: String,
}

impl SourceFile {
    /// Wraps a file's path and contents.
    pub fn new(path: impl Into<String>, text: impl Into<String>) -> Self {
        Self {
            path: path.into(),
            text: text.into(),
        }
    }

    /// The 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = floor_char_boundary(&self.text, offset.min(self.text.len()));
        let before = &self.text[..offset];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let col = before[line_start..].chars().count() + 1;
        (line, col)
    }

    /// A location for a byte offset, for model items that outlive the file's text.
    pub fn loc(&self, offset: usize) -> Loc {
        let (line, col) = self.line_col(offset);
        Loc {
            path: self.path.clone(),
            line,
            col,
        }
    }
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Where a model item was written: file, line and column (1-based).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Loc {
    /// The file's display path.
    pub path: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub col: usize,
}

impl fmt::Display for Loc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.path, self.line, self.col)
    }
}

/// One problem found in a spec file, rendered the way rustc renders its errors.
///
/// ```
/// use abi_spec::{Diagnostic, SourceFile};
/// let file = SourceFile::new("t.toml", "format = 2\n");
/// let d = Diagnostic::new(&file, 9..10, "unsupported format version 2").help("write `format = 1`");
/// assert!(d.to_string().starts_with("error: unsupported format version 2\n --> t.toml:1:10\n"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Where the problem is.
    pub loc: Loc,
    /// What is wrong.
    pub message: String,
    /// How to fix it, when there is something to say.
    pub help: Option<String>,
    line_text: String,
    underline: usize,
}

impl Diagnostic {
    /// A diagnostic for the bytes `span` of `file`.
    pub fn new(file: &SourceFile, span: Range<usize>, message: impl Into<String>) -> Self {
        let start = floor_char_boundary(&file.text, span.start.min(file.text.len()));
        let loc = file.loc(start);
        let line_start = file.text[..start].rfind('\n').map_or(0, |i| i + 1);
        let line_end = file.text[start..]
            .find('\n')
            .map_or(file.text.len(), |i| start + i);
        let line_text = file.text[line_start..line_end]
            .trim_end_matches('\r')
            .to_owned();
        let end = floor_char_boundary(&file.text, span.end.clamp(start, line_end));
        let underline = file.text[start..end].chars().count().max(1);
        Self {
            loc,
            message: message.into(),
            help: None,
            line_text,
            underline,
        }
    }

    /// Adds the fix.
    #[must_use]
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// The message with its location on one line, for places that cannot show
    /// several lines (a `compile_error!`).
    pub fn one_line(&self) -> String {
        let mut s = format!("{}: {}", self.loc, self.message);
        if let Some(help) = &self.help {
            s.push_str("; help: ");
            s.push_str(help);
        }
        s
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let line_no = self.loc.line.to_string();
        let pad = " ".repeat(line_no.len());
        writeln!(f, "error: {}", self.message)?;
        writeln!(f, "{pad}--> {}", self.loc)?;
        writeln!(f, "{pad} |")?;
        writeln!(f, "{line_no} | {}", self.line_text)?;
        let lead: String = self
            .line_text
            .chars()
            .take(self.loc.col - 1)
            .map(|c| if c == '\t' { '\t' } else { ' ' })
            .collect();
        writeln!(f, "{pad} | {lead}{}", "^".repeat(self.underline))?;
        if let Some(help) = &self.help {
            writeln!(f, "{pad} = help: {help}")?;
        }
        Ok(())
    }
}

/// Every diagnostic of a load, in file order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for d in &self.0 {
            writeln!(f, "{d}")?;
        }
        let n = self.0.len();
        write!(
            f,
            "{n} error{} in spec files",
            if n == 1 { "" } else { "s" }
        )
    }
}

impl std::error::Error for Diagnostics {}

/// The closest candidate to `wrong` within a small edit distance, for "did you mean".
pub fn closest<'a>(wrong: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let limit = (wrong.chars().count() / 3).max(1);
    candidates
        .into_iter()
        .map(|c| (edit_distance(wrong, c), c))
        .filter(|&(d, _)| d <= limit)
        .min_by_key(|&(d, _)| d)
        .map(|(_, c)| c)
}

/// Edit distance where swapping two adjacent characters counts as one edit
/// (optimal string alignment), so `wirte` is one edit from `write`.
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut before_prev: Vec<usize> = Vec::new();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for i in 0..a.len() {
        let mut cur = vec![i + 1; b.len() + 1];
        for j in 0..b.len() {
            let cost = usize::from(a[i] != b[j]);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
            if i > 0 && j > 0 && a[i] == b[j - 1] && a[i - 1] == b[j] {
                cur[j + 1] = cur[j + 1].min(before_prev[j - 1] + 1);
            }
        }
        before_prev = std::mem::replace(&mut prev, cur);
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_characters() {
        let f = SourceFile::new("x", "ab\ncdé f\n");
        assert_eq!(f.line_col(0), (1, 1));
        assert_eq!(f.line_col(3), (2, 1));
        assert_eq!(f.line_col(8), (2, 5));
    }

    #[test]
    fn closest_finds_typos_only() {
        assert_eq!(closest("wirte", ["write", "read"]), Some("write"));
        assert_eq!(closest("zzzz", ["write", "read"]), None);
    }

    #[test]
    fn spans_past_the_end_do_not_panic() {
        let f = SourceFile::new("x", "a = 1");
        let d = Diagnostic::new(&f, 40..90, "m");
        assert_eq!(d.loc.line, 1);
    }
}
