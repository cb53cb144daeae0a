//! Structs by value: how a convention splits one into register words, from
//! the rules of its ABI file (`[aggregates]` in `targets/abi/<name>.toml`).
//! Nothing here knows a convention by name; [`pieces`] reads the rules.

use super::Type;

/// How the words of an aggregate that goes in registers pick their class.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FloatClass {
    /// Each 8-byte word is a float word if only floats overlap it, else an
    /// integer word.
    PerWord,
    /// 1 to `homogeneous_max` float fields of one type take a float register
    /// each; other aggregates go in integer words.
    Homogeneous,
    /// One float field, two float fields, or a float and an integer field take
    /// a register each of their class; other aggregates go in integer words.
    TwoFields,
    /// Integer words only.
    Integer,
    /// A struct whose only field is a float (one-field structs looked
    /// through, arrays not) takes a float register as that float would;
    /// other aggregates go in integer words.
    SingleField,
}

/// What happens when the registers left cannot take a whole aggregate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum WhenFull {
    /// It goes on the stack; later arguments may still take registers.
    Stack,
    /// It goes on the stack; no later argument of the exhausted class takes a register.
    StackClose,
    /// Its first words take the registers left, the rest goes on the stack.
    Split,
}

/// A convention's rules for structs by value (generated from its ABI file).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Aggregates {
    /// The largest aggregate that travels in registers, in bytes.
    pub registers_max: u32,
    /// Only sizes that are powers of two travel in registers.
    pub power_of_two_sizes: bool,
    /// How register words pick their class.
    pub float_class: FloatClass,
    /// The most fields of a homogeneous float aggregate.
    pub homogeneous_max: u32,
    /// When registers run out.
    pub when_full: WhenFull,
    /// Larger aggregates go by reference to a caller's copy (else a copy on the stack).
    pub larger_by_reference: bool,
    /// Larger aggregates are split too: their first words in the integer
    /// registers left, the rest on the stack.
    pub split_larger: bool,
    /// The largest result that comes back in registers, unless it is a
    /// homogeneous float aggregate.
    pub results_max: u32,
    /// Every struct result comes back through the indirect-result address.
    pub results_in_memory: bool,
    /// A struct of one word or less travels as an unsigned integer of its
    /// size would (right-justified on a big-endian machine).
    pub as_integer: bool,
    /// An aggregate with 8-byte alignment starts at an even integer register
    /// and an 8-byte-aligned stack address.
    pub doubleword_align: bool,
    /// Bytes of an integer register word (the arch's word size).
    pub word: u32,
}

/// The register class of a piece.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Class {
    Int,
    Float,
}

/// Bytes `off..off + len` of an aggregate, passed in one register of `class`.
/// `leaf` is the field's type when one scalar field is passed on its own
/// (widened and fixed up as that scalar would be), `None` for raw bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Piece {
    pub(crate) off: u32,
    pub(crate) len: u32,
    pub(crate) class: Class,
    pub(crate) leaf: Option<Type>,
}

/// The most pieces an aggregate in registers is split into.
pub(crate) const MAX_PIECES: usize = 8;

/// The pieces of one aggregate.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Pieces {
    pub(crate) items: [Piece; MAX_PIECES],
    pub(crate) len: usize,
}

impl Pieces {
    const EMPTY: Pieces = Pieces {
        items: [Piece {
            off: 0,
            len: 0,
            class: Class::Int,
            leaf: None,
        }; MAX_PIECES],
        len: 0,
    };

    fn push(&mut self, p: Piece) -> bool {
        if self.len == MAX_PIECES {
            return false;
        }
        self.items[self.len] = p;
        self.len += 1;
        true
    }

    pub(crate) fn as_slice(&self) -> &[Piece] {
        &self.items[..self.len]
    }

    /// How many pieces of `class`.
    pub(crate) fn count(&self, class: Class) -> usize {
        self.as_slice().iter().filter(|p| p.class == class).count()
    }
}

/// Calls `f(scalar, offset)` for every scalar field of `ty` (nested structs
/// and arrays flattened), in order; stops early when `f` returns false.
pub(crate) fn leaves(ty: Type, base: u32, f: &mut impl FnMut(Type, u32) -> bool) -> bool {
    match ty {
        Type::Struct(fields) => {
            for (i, t) in fields.iter().enumerate() {
                let off = ty.field_offset(i).unwrap_or(0);
                if !leaves(*t, base + off, f) {
                    return false;
                }
            }
            true
        }
        Type::Array(t, n) => {
            for k in 0..n {
                if !leaves(*t, base + k * t.size(), f) {
                    return false;
                }
            }
            true
        }
        Type::Void => true,
        t => f(t, base),
    }
}

/// Whether `ty` is a well-formed aggregate: not empty, only scalars, structs
/// and arrays inside, no zero-length array.
pub(crate) fn well_formed(ty: Type) -> bool {
    fn inner(t: Type) -> bool {
        match t {
            Type::Void => false,
            Type::Struct(fields) => !fields.is_empty() && fields.iter().all(|f| inner(*f)),
            Type::Array(e, n) => n > 0 && inner(*e),
            _ => true,
        }
    }
    matches!(ty, Type::Struct(_)) && inner(ty)
}

/// The unsigned integer type of `len` bytes, if there is one.
fn uint_of(len: u32) -> Option<Type> {
    match len {
        1 => Some(Type::U8),
        2 => Some(Type::U16),
        4 => Some(Type::U32),
        8 => Some(Type::U64),
        _ => None,
    }
}

/// `ty` in integer words of `rules.word` bytes (the last one shorter), or
/// `None` when that takes more than [`MAX_PIECES`] words. With `as_integer`,
/// a word travels as the unsigned integer of its length.
pub(crate) fn int_words(rules: &Aggregates, ty: Type) -> Option<Pieces> {
    let (size, word) = (ty.size(), rules.word.max(1));
    if size.div_ceil(word) as usize > MAX_PIECES {
        return None;
    }
    let mut out = Pieces::EMPTY;
    let mut off = 0;
    while off < size {
        let len = (size - off).min(word);
        out.push(Piece {
            off,
            len,
            class: Class::Int,
            leaf: if rules.as_integer { uint_of(len) } else { None },
        });
        off += word;
    }
    Some(out)
}

/// The one float field of `ty`, looking through structs of one field (not
/// through arrays), and its offset.
fn single_float(ty: Type, base: u32) -> Option<(Type, u32)> {
    match ty {
        Type::Struct([only]) => single_float(*only, base),
        t if t.is_float() => Some((t, base)),
        _ => None,
    }
}

/// The float pieces of `ty` when it is a homogeneous float aggregate: 1 to
/// `homogeneous_max` float fields of one type.
fn homogeneous(rules: &Aggregates, ty: Type) -> Option<Pieces> {
    let mut out = Pieces::EMPTY;
    let mut kind = None;
    let max = rules.homogeneous_max as usize;
    let all = leaves(ty, 0, &mut |t, at| {
        if !t.is_float() || kind.is_some_and(|k| k != t) || out.len == max {
            return false;
        }
        kind = Some(t);
        out.push(Piece {
            off: at,
            len: t.size(),
            class: Class::Float,
            leaf: Some(t),
        })
    });
    (all && out.len > 0).then_some(out)
}

/// How `rules` pass `ty` in registers, or `None` when it is too large (or of
/// a size) for registers: then it goes by reference, split, or on the stack.
pub(crate) fn pieces(rules: &Aggregates, ty: Type) -> Option<Pieces> {
    classify(rules, ty, rules.registers_max)
}

/// How a result of type `ty` comes back in registers, or `None` when it
/// comes back through the indirect-result address.
pub(crate) fn result_pieces(rules: &Aggregates, ty: Type) -> Option<Pieces> {
    if rules.results_in_memory {
        return None;
    }
    classify(rules, ty, rules.results_max)
}

fn classify(rules: &Aggregates, ty: Type, max: u32) -> Option<Pieces> {
    let size = ty.size();
    if rules.float_class == FloatClass::Homogeneous
        && let Some(p) = homogeneous(rules, ty)
    {
        // A homogeneous float aggregate goes in float registers whatever its size.
        return Some(p);
    }
    if size > max || (rules.power_of_two_sizes && !size.is_power_of_two()) {
        return None;
    }
    match rules.float_class {
        FloatClass::Integer | FloatClass::Homogeneous => int_words(rules, ty),
        FloatClass::SingleField => match single_float(ty, 0) {
            Some((t, off)) => {
                let mut out = Pieces::EMPTY;
                out.push(Piece {
                    off,
                    len: t.size(),
                    class: Class::Float,
                    leaf: Some(t),
                });
                Some(out)
            }
            None => int_words(rules, ty),
        },
        FloatClass::PerWord => {
            let word = rules.word.max(1);
            let mut out = Pieces::EMPTY;
            let mut off = 0;
            while off < size {
                let end = off + word;
                let mut any_int = false;
                leaves(ty, 0, &mut |t, at| {
                    if at < end && at + t.size() > off && !t.is_float() {
                        any_int = true;
                    }
                    true
                });
                if !out.push(Piece {
                    off,
                    len: (size - off).min(word),
                    class: if any_int { Class::Int } else { Class::Float },
                    leaf: None,
                }) {
                    return None;
                }
                off = end;
            }
            Some(out)
        }
        FloatClass::TwoFields => {
            let mut out = Pieces::EMPTY;
            let fits = leaves(ty, 0, &mut |t, at| {
                out.len < 2
                    && out.push(Piece {
                        off: at,
                        len: t.size(),
                        class: if t.is_float() {
                            Class::Float
                        } else {
                            Class::Int
                        },
                        leaf: Some(t),
                    })
            });
            if fits && out.count(Class::Float) > 0 {
                Some(out)
            } else {
                int_words(rules, ty)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIXED: Type = Type::Struct(&[Type::I8, Type::F64, Type::I16]);
    const NESTED: Type = Type::Struct(&[Type::Struct(&[Type::F32, Type::F32]), Type::F32]);
    const ARR: Type = Type::Struct(&[Type::Array(&Type::F64, 3)]);

    /// Sizes, alignments and offsets as C computes them.
    #[test]
    fn layout_like_c() {
        use core::mem::{align_of, offset_of, size_of};
        // rustc lays out `repr(C)` structs as the target's C compiler does
        // (f64 is 4-byte aligned in i386 structs, 8 elsewhere).
        #[repr(C)]
        struct Mixed(i8, f64, i16);
        #[repr(C)]
        struct Nested([f32; 2], f32);
        #[repr(C)]
        struct Tail(i32, i8);
        let u = |n: usize| u32::try_from(n).unwrap();
        assert_eq!(
            (MIXED.size(), MIXED.align()),
            (u(size_of::<Mixed>()), u(align_of::<Mixed>()))
        );
        assert_eq!(MIXED.field_offset(1), Some(u(offset_of!(Mixed, 1))));
        assert_eq!(MIXED.field_offset(2), Some(u(offset_of!(Mixed, 2))));
        assert_eq!(
            (NESTED.size(), NESTED.align()),
            (u(size_of::<Nested>()), u(align_of::<Nested>()))
        );
        assert_eq!(ARR.size(), u(size_of::<[f64; 3]>()));
        let s = Type::Struct(&[Type::I32, Type::I8]);
        assert_eq!(
            (s.size(), s.field_offset(1)),
            (u(size_of::<Tail>()), Some(u(offset_of!(Tail, 1))))
        );
    }

    fn rules(float_class: FloatClass) -> Aggregates {
        Aggregates {
            registers_max: 16,
            power_of_two_sizes: false,
            float_class,
            homogeneous_max: 4,
            when_full: WhenFull::Stack,
            larger_by_reference: true,
            split_larger: false,
            results_max: 16,
            results_in_memory: false,
            as_integer: false,
            doubleword_align: false,
            word: 8,
        }
    }

    /// Whether `rules` split `t` into pieces at these offsets of these classes.
    fn split(r: &Aggregates, t: Type, want: Option<&[(u32, Class)]>) -> bool {
        match (pieces(r, t), want) {
            (None, None) => true,
            (Some(p), Some(w)) => p.as_slice().iter().map(|p| (p.off, p.class)).eq(w.iter().copied()),
            _ => false,
        }
    }

    /// The expected pieces follow the host's layout (an i64 or f64 field is
    /// 4-byte aligned in an i386 struct): offsets come from `field_offset`.
    #[test]
    fn classes_follow_the_rules() {
        use Class::{Float as F, Int as I};
        let per_word = rules(FloatClass::PerWord);
        assert!(split(&per_word, NESTED, Some(&[(0, F), (8, F)])));
        // Over 16 bytes with every layout.
        let big = Type::Struct(&[Type::F64, Type::F64, Type::I8]);
        assert!(split(&per_word, big, None));
        let s = Type::Struct(&[Type::F32, Type::I32, Type::F64]);
        assert!(split(&per_word, s, Some(&[(0, I), (8, F)])));
        let hfa = rules(FloatClass::Homogeneous);
        assert!(split(&hfa, NESTED, Some(&[(0, F), (4, F), (8, F)])));
        assert!(split(&hfa, s, Some(&[(0, I), (8, I)])));
        let two = rules(FloatClass::TwoFields);
        let fi = Type::Struct(&[Type::F32, Type::I64]);
        let at = fi.field_offset(1).unwrap();
        assert!(split(&two, fi, Some(&[(0, F), (at, I)])));
        assert!(split(&two, NESTED, Some(&[(0, I), (8, I)])));
        let mut win = rules(FloatClass::Integer);
        win.registers_max = 8;
        win.power_of_two_sizes = true;
        assert!(split(&win, Type::Struct(&[Type::F32, Type::F32]), Some(&[(0, I)])));
        assert!(split(&win, Type::Struct(&[Type::I8; 3]), None));
        // 4-byte words, and results bounded on their own.
        let mut arm = rules(FloatClass::Homogeneous);
        arm.word = 4;
        arm.results_max = 4;
        let i12 = Type::Struct(&[Type::I32; 3]);
        assert!(split(&arm, i12, Some(&[(0, I), (4, I), (8, I)])));
        assert!(result_pieces(&arm, i12).is_none());
        assert!(result_pieces(&arm, NESTED).is_some_and(|p| p.count(F) == 3));
        arm.results_in_memory = true;
        assert!(result_pieces(&arm, NESTED).is_none());
        // One float field, looked for through structs but not arrays.
        let one = rules(FloatClass::SingleField);
        const ND: Type = Type::Struct(&[Type::Struct(&[Type::F64])]);
        assert!(split(&one, ND, Some(&[(0, F)])));
        assert!(split(&one, Type::Struct(&[Type::Array(&Type::F64, 1)]), Some(&[(0, I)])));
        assert!(split(&one, Type::Struct(&[Type::F32, Type::F32]), Some(&[(0, I)])));
    }

    /// `as_integer`: a word travels as the unsigned integer of its length.
    #[test]
    fn as_integer_words_are_integer_leaves() {
        let mut r = rules(FloatClass::Integer);
        r.as_integer = true;
        let p = pieces(&r, Type::Struct(&[Type::I8, Type::I8])).unwrap();
        assert_eq!(p.as_slice()[0].leaf, Some(Type::U16));
    }
}
