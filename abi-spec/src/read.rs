//! Typed, spanned access to a parsed TOML table. Every accessor records the key
//! as known, so `finish` can report the keys nobody asked for, with a "did you
//! mean" among those that were.

use std::ops::Range;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::diag::{Diagnostic, SourceFile, closest};

/// A value with the byte span it was written at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Sp<T> {
    pub(crate) value: T,
    pub(crate) span: Range<usize>,
}

/// Collects the diagnostics of one file.
pub(crate) struct Sink<'f> {
    pub(crate) file: &'f SourceFile,
    pub(crate) diags: Vec<Diagnostic>,
}

impl<'f> Sink<'f> {
    pub(crate) fn new(file: &'f SourceFile) -> Self {
        Self {
            file,
            diags: Vec::new(),
        }
    }

    pub(crate) fn error(
        &mut self,
        span: Range<usize>,
        message: impl Into<String>,
        help: impl Into<String>,
    ) {
        let help = help.into();
        let d = Diagnostic::new(self.file, span, message);
        self.diags
            .push(if help.is_empty() { d } else { d.help(help) });
    }
}

/// A table being read: the section name for messages, its span, and the keys asked for.
pub(crate) struct Fields<'t, 'i> {
    table: &'t DeTable<'i>,
    span: Range<usize>,
    section: String,
    known: Vec<&'static str>,
}

impl<'t, 'i> Fields<'t, 'i> {
    pub(crate) fn new(
        table: &'t DeTable<'i>,
        span: Range<usize>,
        section: impl Into<String>,
    ) -> Self {
        Self {
            table,
            span,
            section: section.into(),
            known: Vec::new(),
        }
    }

    fn where_(&self) -> String {
        if self.section.is_empty() {
            "at the top level".to_owned()
        } else {
            format!("in {}", self.section)
        }
    }

    fn lookup(&mut self, key: &'static str) -> Option<&'t Spanned<DeValue<'i>>> {
        self.known.push(key);
        self.table
            .iter()
            .find(|(k, _)| k.get_ref() == key)
            .map(|(_, v)| v)
    }

    fn missing(&self, sink: &mut Sink<'_>, key: &str, example: &str) {
        sink.error(
            self.span.clone(),
            format!("missing key `{key}` {}", self.where_()),
            format!("add `{key} = {example}`"),
        );
    }

    fn wrong_type(
        &self,
        sink: &mut Sink<'_>,
        key: &str,
        v: &Spanned<DeValue<'_>>,
        want: &str,
        example: &str,
    ) {
        sink.error(
            v.span(),
            format!(
                "`{key}` {} must be {want}, found {}",
                self.where_(),
                v.get_ref().type_str()
            ),
            format!("write it as `{key} = {example}`"),
        );
    }

    /// A required string.
    pub(crate) fn string(
        &mut self,
        sink: &mut Sink<'_>,
        key: &'static str,
        example: &str,
    ) -> Option<Sp<String>> {
        let found = self.opt_string(sink, key, example);
        if found.is_none() && !self.has(key) {
            self.missing(sink, key, example);
        }
        found
    }

    /// An optional string.
    pub(crate) fn opt_string(
        &mut self,
        sink: &mut Sink<'_>,
        key: &'static str,
        example: &str,
    ) -> Option<Sp<String>> {
        let v = self.lookup(key)?;
        match v.get_ref().as_str() {
            Some(s) => Some(Sp {
                value: s.to_owned(),
                span: v.span(),
            }),
            None => {
                self.wrong_type(sink, key, v, "a string", example);
                None
            }
        }
    }

    /// A required integer in `range`.
    pub(crate) fn int(
        &mut self,
        sink: &mut Sink<'_>,
        key: &'static str,
        range: Range<i64>,
        example: &str,
    ) -> Option<Sp<i64>> {
        let found = self.opt_int(sink, key, range, example);
        if found.is_none() && !self.has(key) {
            self.missing(sink, key, example);
        }
        found
    }

    /// An optional integer in `range`.
    pub(crate) fn opt_int(
        &mut self,
        sink: &mut Sink<'_>,
        key: &'static str,
        range: Range<i64>,
        example: &str,
    ) -> Option<Sp<i64>> {
        let v = self.lookup(key)?;
        let Some(i) = v.get_ref().as_integer() else {
            self.wrong_type(sink, key, v, "an integer", example);
            return None;
        };
        // `as_str` is already without radix prefix and `_`s, ready for `from_str_radix`.
        match i64::from_str_radix(i.as_str(), i.radix()) {
            Ok(n) if range.contains(&n) => Some(Sp {
                value: n,
                span: v.span(),
            }),
            _ => {
                sink.error(
                    v.span(),
                    format!("`{key}` = {i} is out of range"),
                    format!("use a value from {} to {}", range.start, range.end - 1),
                );
                None
            }
        }
    }

    /// A required integer of any width C has (up to `u64`), for values whose
    /// range the caller checks against a type.
    pub(crate) fn wide_int(
        &mut self,
        sink: &mut Sink<'_>,
        key: &'static str,
        example: &str,
    ) -> Option<Sp<i128>> {
        let Some(v) = self.lookup(key) else {
            self.missing(sink, key, example);
            return None;
        };
        let Some(i) = v.get_ref().as_integer() else {
            self.wrong_type(sink, key, v, "an integer", example);
            return None;
        };
        match i128::from_str_radix(i.as_str(), i.radix()) {
            Ok(n) => Some(Sp {
                value: n,
                span: v.span(),
            }),
            Err(_) => {
                sink.error(
                    v.span(),
                    format!("`{key}` = {i} is not an integer C has"),
                    format!("use a value from {} to {}", i64::MIN, u64::MAX),
                );
                None
            }
        }
    }

    /// An optional boolean.
    pub(crate) fn opt_bool(&mut self, sink: &mut Sink<'_>, key: &'static str) -> Option<Sp<bool>> {
        let v = self.lookup(key)?;
        match v.get_ref().as_bool() {
            Some(b) => Some(Sp {
                value: b,
                span: v.span(),
            }),
            None => {
                self.wrong_type(sink, key, v, "a boolean", "true");
                None
            }
        }
    }

    /// The table's span.
    pub(crate) fn span(&self) -> Range<usize> {
        self.span.clone()
    }

    /// An optional array of strings.
    pub(crate) fn opt_strings(
        &mut self,
        sink: &mut Sink<'_>,
        key: &'static str,
        example: &str,
    ) -> Option<Sp<Vec<Sp<String>>>> {
        if self.absent(key) {
            return None;
        }
        self.strings(sink, key, example)
    }

    /// A required array of strings. Wrong elements are reported and skipped.
    pub(crate) fn strings(
        &mut self,
        sink: &mut Sink<'_>,
        key: &'static str,
        example: &str,
    ) -> Option<Sp<Vec<Sp<String>>>> {
        let Some(v) = self.lookup(key) else {
            self.missing(sink, key, example);
            return None;
        };
        let Some(items) = v.get_ref().as_array() else {
            self.wrong_type(sink, key, v, "an array of strings", example);
            return None;
        };
        let mut out = Vec::new();
        for item in items.iter() {
            match item.get_ref().as_str() {
                Some(s) => out.push(Sp {
                    value: s.to_owned(),
                    span: item.span(),
                }),
                None => sink.error(
                    item.span(),
                    format!(
                        "`{key}` must hold strings, found {}",
                        item.get_ref().type_str()
                    ),
                    format!("quote it, e.g. `{key} = {example}`"),
                ),
            }
        }
        Some(Sp {
            value: out,
            span: v.span(),
        })
    }

    /// A required sub-table.
    pub(crate) fn table(
        &mut self,
        sink: &mut Sink<'_>,
        key: &'static str,
        example: &str,
    ) -> Option<Fields<'t, 'i>> {
        let Some(v) = self.lookup(key) else {
            sink.error(
                self.span.clone(),
                format!("missing table `[{key}]` {}", self.where_()),
                format!("add a `[{key}]` section, e.g. {example}"),
            );
            return None;
        };
        let section = if self.section.is_empty() {
            format!("[{key}]")
        } else {
            format!("{}.{key}", self.section)
        };
        match v.get_ref().as_table() {
            Some(t) => Some(Fields::new(t, v.span(), section)),
            None => {
                self.wrong_type(sink, key, v, "a table", example);
                None
            }
        }
    }

    /// An optional sub-table.
    pub(crate) fn opt_table(
        &mut self,
        sink: &mut Sink<'_>,
        key: &'static str,
        example: &str,
    ) -> Option<Fields<'t, 'i>> {
        if self.absent(key) {
            return None;
        }
        self.table(sink, key, example)
    }

    /// Records `key` as known; true when the table does not have it.
    fn absent(&mut self, key: &'static str) -> bool {
        self.known.push(key);
        !self.has(key)
    }

    /// A required array of tables, or of whatever the caller checks itself.
    pub(crate) fn array(
        &mut self,
        sink: &mut Sink<'_>,
        key: &'static str,
        example: &str,
    ) -> Option<&'t [Spanned<DeValue<'i>>]> {
        let Some(v) = self.lookup(key) else {
            self.missing(sink, key, example);
            return None;
        };
        match v.get_ref().as_array() {
            Some(a) => Some(a),
            None => {
                self.wrong_type(sink, key, v, "an array", example);
                None
            }
        }
    }

    /// The raw entries, for tables whose keys are data (call names).
    pub(crate) fn entries(
        &self,
    ) -> impl Iterator<
        Item = (
            &'t Spanned<std::borrow::Cow<'i, str>>,
            &'t Spanned<DeValue<'i>>,
        ),
    > {
        self.table.iter()
    }

    fn has(&self, key: &str) -> bool {
        self.table.iter().any(|(k, _)| k.get_ref() == key)
    }

    /// Reports every key that no accessor asked for.
    pub(crate) fn finish(self, sink: &mut Sink<'_>) {
        for (k, _) in self.table.iter() {
            let key = k.get_ref().as_ref();
            if self.known.contains(&key) {
                continue;
            }
            let help = match closest(key, self.known.iter().copied()) {
                Some(s) => format!("did you mean `{s}`?"),
                None => format!("known keys {}: {}", self.where_(), self.known.join(", ")),
            };
            sink.error(
                k.span(),
                format!("unknown key `{key}` {}", self.where_()),
                help,
            );
        }
    }
}
