//! Call tracing: with the `trace` feature, every bridged call reports its
//! name, number, arguments, raw result and duration to a hook the program
//! installs. Without the feature the stubs compile to exactly what they would
//! without this module (`__trace_call!` is then the call itself).
//!
//! ```
//! # #[cfg(feature = "trace")] {
//! use abi_runtime::trace::{self, Event, Hook};
//! fn now() -> u64 { 0 }
//! fn record(e: &Event<'_>) { let _ = (e.name, e.number, e.args, e.result, e.nanos); }
//! static HOOK: Hook = Hook { now, record };
//! trace::set_hook(Some(&HOOK));
//! # }
//! ```

use core::sync::atomic::{AtomicPtr, Ordering};

/// One bridged call, as the hook sees it.
#[derive(Debug, Clone, Copy)]
pub struct Event<'a> {
    /// The call's name in the spec (`write`, `fd_write`, `WriteFile`).
    pub name: &'static str,
    /// Its number (for import and call conventions: its position in the table).
    pub number: usize,
    /// The argument values as they went into the call.
    pub args: &'a [usize],
    /// The raw result before decoding; `None` for a call that does not return.
    pub result: Option<usize>,
    /// Time between the hook's clock readings around the call.
    pub nanos: u64,
}

/// What a program installs: its clock (any monotonic count, e.g. from
/// `std::time::Instant`; it must not itself use a traced call) and its recorder.
#[derive(Debug)]
pub struct Hook {
    /// Reads the clock.
    pub now: fn() -> u64,
    /// Receives every event.
    pub record: fn(&Event<'_>),
}

static HOOK: AtomicPtr<Hook> = AtomicPtr::new(core::ptr::null_mut());

/// Installs (or with `None` removes) the hook.
pub fn set_hook(hook: Option<&'static Hook>) {
    let p = hook.map_or(core::ptr::null_mut(), |h| (h as *const Hook).cast_mut());
    HOOK.store(p, Ordering::Release);
}

/// The installed hook. Used by the generated code.
#[doc(hidden)]
#[inline(always)]
pub fn __hook() -> Option<&'static Hook> {
    // SAFETY: only `set_hook` stores here, and only `&'static Hook`s.
    unsafe { HOOK.load(Ordering::Acquire).as_ref() }
}

/// Wraps a call in the trace hook (the `trace` feature is on).
#[cfg(feature = "trace")]
#[doc(hidden)]
#[macro_export]
macro_rules! __trace_call {
    ($name:literal, $nr:expr, [$($a:expr),*] => $call:expr) => {{
        match $crate::trace::__hook() {
            ::core::option::Option::None => $call,
            ::core::option::Option::Some(h) => {
                let t0 = (h.now)();
                let r: usize = $call;
                let t1 = (h.now)();
                (h.record)(&$crate::trace::Event {
                    name: $name,
                    number: $nr,
                    args: &[$($a),*],
                    result: ::core::option::Option::Some(r),
                    nanos: t1.wrapping_sub(t0),
                });
                r
            }
        }
    }};
    (exit $name:literal, $nr:expr, [$($a:expr),*]) => {{
        if let ::core::option::Option::Some(h) = $crate::trace::__hook() {
            (h.record)(&$crate::trace::Event {
                name: $name,
                number: $nr,
                args: &[$($a),*],
                result: ::core::option::Option::None,
                nanos: 0,
            });
        }
    }};
}

/// The call itself (the `trace` feature is off).
#[cfg(not(feature = "trace"))]
#[doc(hidden)]
#[macro_export]
macro_rules! __trace_call {
    ($name:literal, $nr:expr, [$($a:expr),*] => $call:expr) => {
        $call
    };
    (exit $name:literal, $nr:expr, [$($a:expr),*]) => {
        ()
    };
}
