//! The host convention's fast path for signatures whose arguments all go in
//! registers, for conventions that count each register class on its own:
//! there, which register an argument takes depends only on its rank among
//! the arguments of its class, so a call with `ni` integer and `nf` float
//! register images is exactly an `extern "C" fn(u64 × ni, f64 × nf)` call of
//! those images, whatever the interleaving. The compiler emits that call; one
//! function per (ni, nf), chosen at prepare time.

/// Calls `f` with integer images `r[0..ni]` and float images `r[8..8 + nf]`;
/// returns the first integer or float result register's image.
pub(crate) type Caller = unsafe fn(*const (), *const u64) -> u64;

/// Registers of each class a caller passes at most.
pub(crate) const MAX_PER_CLASS: usize = 8;

macro_rules! int_ty {
    ($i:tt) => {
        u64
    };
}
macro_rules! float_ty {
    ($i:tt) => {
        f64
    };
}

/// One caller: integer image indices, float image indices, float result.
macro_rules! caller {
    ([$($i:tt)*] [$($f:tt)*] $float_ret:literal) => {{
        #[allow(unused_variables)]
        unsafe fn c(f: *const (), r: *const u64) -> u64 {
            // SAFETY: `f` takes these register images (the prepared
            // signature's, in class order) and returns in the first result
            // register of the class the prepared result has; `r` holds 16
            // images, those read written by the caller.
            unsafe {
                if $float_ret {
                    let f = core::mem::transmute::<*const (), extern "C" fn($(int_ty!($i),)* $(float_ty!($f),)*) -> f64>(f);
                    f($(r.add($i).read(),)* $(f64::from_bits(r.add(8 + $f).read()),)*).to_bits()
                } else {
                    let f = core::mem::transmute::<*const (), extern "C" fn($(int_ty!($i),)* $(float_ty!($f),)*) -> u64>(f);
                    f($(r.add($i).read(),)* $(f64::from_bits(r.add(8 + $f).read()),)*)
                }
            }
        }
        c as Caller
    }};
}

macro_rules! row {
    ([$($i:tt)*] $float_ret:literal) => {
        [
            caller!([$($i)*] [] $float_ret),
            caller!([$($i)*] [0] $float_ret),
            caller!([$($i)*] [0 1] $float_ret),
            caller!([$($i)*] [0 1 2] $float_ret),
            caller!([$($i)*] [0 1 2 3] $float_ret),
            caller!([$($i)*] [0 1 2 3 4] $float_ret),
            caller!([$($i)*] [0 1 2 3 4 5] $float_ret),
            caller!([$($i)*] [0 1 2 3 4 5 6] $float_ret),
            caller!([$($i)*] [0 1 2 3 4 5 6 7] $float_ret),
        ]
    };
}

macro_rules! table {
    ($float_ret:literal) => {
        [
            row!([] $float_ret),
            row!([0] $float_ret),
            row!([0 1] $float_ret),
            row!([0 1 2] $float_ret),
            row!([0 1 2 3] $float_ret),
            row!([0 1 2 3 4] $float_ret),
            row!([0 1 2 3 4 5] $float_ret),
            row!([0 1 2 3 4 5 6] $float_ret),
            row!([0 1 2 3 4 5 6 7] $float_ret),
        ]
    };
}

static INT_RET: [[Caller; MAX_PER_CLASS + 1]; MAX_PER_CLASS + 1] = table!(false);
static FLOAT_RET: [[Caller; MAX_PER_CLASS + 1]; MAX_PER_CLASS + 1] = table!(true);

/// The caller for `ni` integer and `nf` float images, if there is one.
pub(crate) fn caller(ni: usize, nf: usize, float_ret: bool) -> Option<Caller> {
    let t = if float_ret { &FLOAT_RET } else { &INT_RET };
    t.get(ni)?.get(nf).copied()
}
