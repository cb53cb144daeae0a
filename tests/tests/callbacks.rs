//! Callbacks: code of each convention (compiled by rustc as `extern "win64"`,
//! `extern "sysv64"`, `extern "C"` callers) calls a thunk bound to a Rust
//! handler. The handler must receive the arguments the caller passed, the
//! caller must receive the handler's result, and every register the caller's
//! convention calls preserved must survive even when the handler clobbers
//! everything the host convention allows.
#![allow(clippy::undocumented_unsafe_blocks)] // every unsafe block calls a thunk with the signature it was bound with

// On a target whose conventions the trampolines cannot handle, one ignored
// test says why (the reason comes from the spec files).
include!(concat!(env!("OUT_DIR"), "/dynamic_unsupported.rs"));

#[cfg(abi_dynamic)]
mod dynamic;

#[cfg(abi_dynamic)]
mod tests {

    use std::sync::Mutex;

    use crate::dynamic::harness::{chain_probe, clobber_host_registers, harness};
    use crate::dynamic::{Rng, as_used, expected_ret, images, seed, sigs};
    use abi_runtime::abi::{Abi, Args, CallbackError, Handler, Param, Type, Value};

    /// The callback blocks are shared by the whole process: tests that count
    /// blocks or bind many callbacks take this lock.
    static POOL_LOCK: Mutex<()> = Mutex::new(());

    const ROUNDS: usize = 8;

    #[test]
    fn foreign_callers_reach_the_handler_intact() {
        let _pool = POOL_LOCK.lock().unwrap_or_else(|e| e.into_inner());
        for abi in Abi::all() {
            let sigs = sigs(abi.name()).expect("generated signatures for every ABI of this arch");
            let mut rng = Rng(seed(0xCA11 + abi.name().len() as u64));
            for (n, sig) in sigs.iter().enumerate() {
                let p = abi.prepare(sig.args, sig.ret).unwrap();
                let seen: Mutex<Vec<(Type, u64)>> = Mutex::new(Vec::new());
                let handler = |args: &Args<'_>| {
                    let values: Vec<Value> = args.iter().collect();
                    *seen.lock().unwrap() = images(&values);
                    expected_ret(sig.ret, &values)
                };
                let cb = p.callback(&handler).unwrap();
                for round in 0..ROUNDS {
                    let args = rng.values(sig.args);
                    let got = (sig.via)(cb.code(), &args);
                    let ctx = || {
                        format!(
                            "{} signature #{n} {:?} -> {:?}, round {round} (seeds: signatures {}, values {})",
                            abi.name(),
                            sig.args,
                            sig.ret,
                            crate::dynamic::SEED,
                            seed(0)
                        )
                    };
                    assert_eq!(
                        *seen.lock().unwrap(),
                        images(&args),
                        "arguments the handler received: {}",
                        ctx()
                    );
                    let want = as_used(expected_ret(sig.ret, &args));
                    assert!(
                        got.same_bits(&want),
                        "the caller got {got:?}, the handler returned {want:?}: {}",
                        ctx()
                    );
                }
            }
        }
    }

    #[test]
    fn callee_saved_registers_survive_a_callback() {
        let _pool = POOL_LOCK.lock().unwrap_or_else(|e| e.into_inner());
        for abi in Abi::all() {
            let h = harness(abi.name()).expect("a canary harness for every ABI");
            // The harness passes two words and returns one: pointer-sized values.
            let p = abi.prepare(&[Type::Ptr, Type::Ptr], Type::Ptr).unwrap();
            let handler = |args: &Args<'_>| {
                clobber_host_registers();
                match (args.get(0), args.get(1)) {
                    (Value::Ptr(a), Value::Ptr(b)) => {
                        Value::Ptr(((a as usize).wrapping_mul(3) ^ b as usize) as *const ())
                    }
                    other => panic!("{other:?}"),
                }
            };
            let cb = p.callback(&handler).unwrap();
            let mut out = [0u64; 64];
            let r = unsafe { (h.run)(0x1234_5678, 0x9ABC, cb.code(), &mut out) };
            assert_eq!(r, (0x1234_5678u64 * 3) ^ 0x9ABC, "{} result", abi.name());
            assert_eq!(r as usize as u64, r, "a word");
            for (i, (reg, want)) in h.expect.iter().enumerate() {
                assert_eq!(
                    out[i],
                    *want,
                    "{reg} after a {} caller called a callback",
                    abi.name()
                );
            }
        }
    }

    /// Where frames keep a back chain (ELFv2), the callback entry's frame
    /// links to its caller's: walking the chain from inside the handler goes
    /// up through the entry to the test's own frame, one frame at a time.
    #[test]
    fn the_back_chain_leads_through_the_callback_entry() {
        let _pool = POOL_LOCK.lock().unwrap_or_else(|e| e.into_inner());
        for abi in Abi::all() {
            let Some(probe) = chain_probe(abi.name()) else {
                continue;
            };
            let p = abi.prepare(&[Type::U32], Type::U32).unwrap();
            let marker = 0u8;
            let top = std::hint::black_box(&marker) as *const u8 as usize;
            // The probe is called with the convention, through a prepared call.
            let (read, probe) = (abi.prepare(&[], Type::U64).unwrap(), probe as usize);
            let handler = |_: &Args<'_>| {
                let Value::U64(link) = (unsafe { read.call(probe as *const (), &[]) }) else {
                    unreachable!()
                };
                let mut link = link as usize;
                let mut frames = 0;
                while link <= top {
                    let next = unsafe { (link as *const usize).read() };
                    assert!(
                        next > link && next - link < 1 << 20 && next % 16 == 0,
                        "{}: frame {frames} at {link:#x} links to {next:#x}",
                        abi.name()
                    );
                    link = next;
                    frames += 1;
                    assert!(frames < 64, "{}: no end below {top:#x}", abi.name());
                }
                Value::U32(frames)
            };
            let cb = p.callback(&handler).unwrap();
            let Value::U32(frames) = (unsafe { p.call(cb.code(), &[Value::U32(1)]) }) else {
                unreachable!()
            };
            assert!(frames > 2, "{}: {frames} frames", abi.name());
        }
    }

    #[test]
    fn handlers_see_the_register_image_and_capture_state() {
        let _pool = POOL_LOCK.lock().unwrap_or_else(|e| e.into_inner());
        let abi = Abi::native();
        let p = abi
            .prepare(&[Type::I32, Type::F64, Type::U8], Type::F64)
            .unwrap();
        let calls = Mutex::new(0u32);
        let handler = |args: &Args<'_>| {
            *calls.lock().unwrap() += 1;
            assert_eq!(args.len(), 3);
            assert_eq!(args.prepared().ret_type(), Type::F64);
            // The raw image and the spilled registers hold what the caller passed.
            assert_eq!(args.bits(1), 2.5f64.to_bits());
            // (Where the convention passes floats in registers: i386 passes
            // every argument on the stack.)
            let float_regs = Abi::native().float_arg_regs().len();
            assert!(float_regs == 0 || args.frame().regs.contains(&2.5f64.to_bits()));
            match (args.get(0), args.get(1), args.get(2)) {
                (Value::I32(a), Value::F64(b), Value::U8(c)) => {
                    Value::F64(f64::from(a) * b + f64::from(c))
                }
                other => panic!("{other:?}"),
            }
        };
        let cb = p.callback(&handler).unwrap();
        let f = unsafe {
            std::mem::transmute::<*const (), extern "C" fn(i32, f64, u8) -> f64>(cb.code())
        };
        assert_eq!(f(-4, 2.5, 255), 245.0);
        assert_eq!(f(2, 2.5, 0), 5.0);
        assert_eq!(*calls.lock().unwrap(), 2);
    }

    /// Live callbacks per convention in the unbounded tests.
    const LIVE: usize = 100_000;

    fn adder(k: u32) -> impl Fn(&Args<'_>) -> Value + Sync {
        move |a: &Args<'_>| match a.get(0) {
            Value::U32(x) => Value::U32(x.wrapping_add(k)),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_hundred_thousand_live_callbacks_each_run_their_own_handler() {
        let _pool = POOL_LOCK.lock().unwrap_or_else(|e| e.into_inner());
        for abi in Abi::all() {
            let p = abi.prepare(&[Type::U32], Type::U32).unwrap();
            let run = |code: *const ()| unsafe { call_u32(abi, code, 7) };
            let before = abi.callback_blocks();
            let first: Vec<_> = (0..LIVE as u32).map(|k| adder(k * 3)).collect();
            let mut live: Vec<_> = first.iter().map(|h| p.callback(h).unwrap()).collect();
            // Many blocks (the old fixed pool had 32 thunks).
            let blocks = abi.callback_blocks() - before;
            assert!(
                abi.callback_blocks() * abi.callbacks_per_block() >= LIVE && blocks > 1,
                "{}: {blocks} new blocks",
                abi.name()
            );
            let codes: std::collections::HashSet<_> = live.iter().map(|c| c.code()).collect();
            assert_eq!(codes.len(), LIVE, "{}: thunk addresses repeat", abi.name());
            for (k, cb) in live.iter().enumerate() {
                assert_eq!(
                    run(cb.code()),
                    7 + 3 * k as u32,
                    "{} callback {k}",
                    abi.name()
                );
            }
            // Drop every other one, bind as many new ones: they reuse the
            // freed slots, and every live callback still runs its own handler.
            let kept: Vec<(u32, _)> = live
                .drain(..)
                .enumerate()
                .filter_map(|(k, cb)| (k % 2 == 1).then_some((3 * k as u32, cb)))
                .collect();
            let second: Vec<_> = (0..(LIVE / 2) as u32)
                .map(|k| adder(1_000_000 + k))
                .collect();
            let fresh: Vec<_> = second.iter().map(|h| p.callback(h).unwrap()).collect();
            assert_eq!(
                abi.callback_blocks() - before,
                blocks,
                "{}: freed slots were not reused",
                abi.name()
            );
            for (want, cb) in &kept {
                assert_eq!(run(cb.code()), 7 + want, "{}", abi.name());
            }
            for (k, cb) in fresh.iter().enumerate() {
                assert_eq!(run(cb.code()), 7 + 1_000_000 + k as u32, "{}", abi.name());
            }
        }
    }

    #[test]
    fn threads_bind_call_and_drop_callbacks_at_once() {
        let _pool = POOL_LOCK.lock().unwrap_or_else(|e| e.into_inner());
        let abi = Abi::native();
        let p = abi.prepare(&[Type::U32], Type::U32).unwrap();
        std::thread::scope(|s| {
            for t in 0..4u32 {
                let p = &p;
                s.spawn(move || {
                    let call = abi.prepare(&[Type::U32], Type::U32).unwrap();
                    for round in 0..50u32 {
                        let hs: Vec<_> = (0..200u32)
                            .map(|k| adder(t << 24 | round << 12 | k))
                            .collect();
                        let cbs: Vec<_> = hs.iter().map(|h| p.callback(h).unwrap()).collect();
                        for (k, cb) in cbs.iter().enumerate() {
                            let r = unsafe { call.call(cb.code(), &[Value::U32(1)]) };
                            assert_eq!(r, Value::U32(1 + (t << 24 | round << 12 | k as u32)));
                        }
                    }
                });
            }
        });
    }

    /// The thunks run from pages that are not writable, their data slots
    /// sit in pages that are not executable, and no page of the process is
    /// both (the kernel's own account, /proc/self/maps).
    #[cfg(target_os = "linux")]
    #[test]
    fn no_page_is_writable_and_executable() {
        let _pool = POOL_LOCK.lock().unwrap_or_else(|e| e.into_inner());
        let p = Abi::native().prepare(&[Type::U32], Type::U32).unwrap();
        let hs: Vec<_> = (0..3 * Abi::native().callbacks_per_block() as u32)
            .map(adder)
            .collect();
        let cbs: Vec<_> = hs.iter().map(|h| p.callback(h).unwrap()).collect();
        let maps = std::fs::read_to_string("/proc/self/maps").unwrap();
        let perms_of = |addr: usize| {
            maps.lines()
                .find_map(|l| {
                    let (range, rest) = l.split_once(' ')?;
                    let (lo, hi) = range.split_once('-')?;
                    let (lo, hi) = (
                        usize::from_str_radix(lo, 16).ok()?,
                        usize::from_str_radix(hi, 16).ok()?,
                    );
                    (lo <= addr && addr < hi).then(|| rest[..4].to_owned())
                })
                .unwrap_or_else(|| panic!("{addr:#x} is not mapped:\n{maps}"))
        };
        for cb in [&cbs[0], &cbs[cbs.len() / 2], &cbs[cbs.len() - 1]] {
            let code = perms_of(cb.code() as usize);
            assert!(code.starts_with("r-x"), "thunk page {code}");
            let data = perms_of(cb.slot());
            assert!(data.starts_with("rw-"), "data page {data}");
        }
        for l in maps.lines() {
            let perms = l.split(' ').nth(1).unwrap_or("");
            assert!(
                !(perms.contains('w') && perms.contains('x')),
                "writable and executable: {l}"
            );
        }
    }

    /// Windows' own account (VirtualQuery): thunk pages are execute-read,
    /// data pages read-write, none execute-read-write.
    #[cfg(windows)]
    #[test]
    fn no_thunk_page_is_writable_and_executable() {
        let _pool = POOL_LOCK.lock().unwrap_or_else(|e| e.into_inner());
        #[repr(C)]
        #[derive(Default)]
        struct MemoryBasicInformation {
            base_address: usize,
            allocation_base: usize,
            allocation_protect: u32,
            partition_id: u16,
            region_size: usize,
            state: u32,
            protect: u32,
            kind: u32,
        }
        #[link(name = "kernel32")]
        unsafe extern "system" {
            fn VirtualQuery(address: usize, info: *mut MemoryBasicInformation, len: usize)
            -> usize;
        }
        const PAGE_EXECUTE_READ: u32 = 0x20;
        const PAGE_READWRITE: u32 = 0x04;
        const PAGE_EXECUTE_READWRITE: u32 = 0x40;
        let query = |addr: usize| {
            let mut m = MemoryBasicInformation::default();
            let n = unsafe { VirtualQuery(addr, &mut m, std::mem::size_of_val(&m)) };
            assert_eq!(n, std::mem::size_of_val(&m), "VirtualQuery({addr:#x})");
            m
        };
        for abi in Abi::all() {
            let p = abi.prepare(&[Type::U32], Type::U32).unwrap();
            let hs: Vec<_> = (0..LIVE as u32).map(adder).collect();
            let cbs: Vec<_> = hs.iter().map(|h| p.callback(h).unwrap()).collect();
            for (k, cb) in cbs.iter().enumerate().step_by(997) {
                let code = query(cb.code() as usize);
                assert_eq!(code.protect, PAGE_EXECUTE_READ, "{} thunk page", abi.name());
                assert_ne!(
                    code.allocation_protect,
                    PAGE_EXECUTE_READWRITE,
                    "{}",
                    abi.name()
                );
                let data = query(cb.slot());
                assert_eq!(data.protect, PAGE_READWRITE, "{} data page", abi.name());
                assert_eq!(unsafe { call_u32(abi, cb.code(), 5) }, 5 + k as u32);
            }
        }
    }

    /// Calls `code` as `fn(u32) -> u32` of `abi` through a prepared call.
    unsafe fn call_u32(abi: &'static Abi, code: *const (), x: u32) -> u32 {
        let p = abi.prepare(&[Type::U32], Type::U32).unwrap();
        match unsafe { p.call(code, &[Value::U32(x)]) } {
            Value::U32(r) => r,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn prepared_calls_into_callbacks_round_trip() {
        let _pool = POOL_LOCK.lock().unwrap_or_else(|e| e.into_inner());
        // Both directions generated: a prepared call of each ABI into a callback of the same ABI.
        for abi in Abi::all() {
            let types = [
                Type::F32,
                Type::I16,
                Type::F64,
                Type::U64,
                Type::Ptr,
                Type::F32,
                Type::I8,
                Type::F64,
                Type::U32,
                Type::F64,
                Type::I64,
                Type::F32,
            ];
            let p = abi.prepare(&types, Type::F32).unwrap();
            let handler = |args: &Args<'_>| Value::F32(args.iter().map(|v| v.bits() as f32).sum());
            let cb = p.callback(&handler).unwrap();
            let mut rng = Rng(seed(0xB0B));
            for _ in 0..50 {
                let args = rng.values(&types);
                let want: f32 = args.iter().map(|v| v.bits() as f32).sum();
                let got = unsafe { p.call(cb.code(), &args) };
                assert!(
                    got.same_bits(&Value::F32(want)),
                    "{}: {got:?} != {want}",
                    abi.name()
                );
            }
        }
    }

    /// A typed handler's argument from a random value of its type.
    fn typed<T: Param>(rng: &mut Rng) -> T {
        T::from_bits(rng.value(T::TYPE).bits())
    }

    /// Binds `h` as a typed callback of the native convention, calls it
    /// `ROUNDS` times through `call` (rustc compiles the caller) with random
    /// arguments and compares what the caller got with the closure's own
    /// answer; returns whether the thunk reached the closure directly.
    fn typed_round_trips<A, H: Handler<A>, R: PartialEq + core::fmt::Debug>(
        h: &H,
        mut call: impl FnMut(*const (), &H, &mut Rng) -> (R, R),
    ) -> bool {
        let sig = Abi::native().prepare(H::PARAMS, H::RESULT).unwrap();
        let cb = sig.callback_fn(h).unwrap();
        let mut rng = Rng(seed(0x7E9E + H::PARAMS.len() as u64));
        for round in 0..ROUNDS {
            let (got, want) = call(cb.code(), h, &mut rng);
            assert_eq!(
                got,
                want,
                "{:?} -> {:?}, round {round}, direct: {}",
                H::PARAMS,
                H::RESULT,
                cb.is_direct()
            );
        }
        cb.is_direct()
    }

    /// Calls a typed callback as `extern "C" fn($t..) -> $r` with random
    /// arguments; gives (the caller's result, the closure's own result).
    macro_rules! typed_call {
        (($($t:ty),*) -> $r:ty, $key:expr) => {
            #[allow(unused_variables)]
            |code: *const (), h: &_, rng: &mut Rng| {
                let f = unsafe { std::mem::transmute::<*const (), extern "C" fn($($t),*) -> $r>(code) };
                let args: ($($t,)*) = ($(typed::<$t>(rng),)*);
                typed_call!(@apply f h args ($($t),*) $key)
            }
        };
        (@apply $f:ident $h:ident $args:ident ($($t:ty),*) $key:expr) => {{
            let key = $key;
            typed_call!(@spread $f $h $args key [] [0 1 2 3 4 5 6 7] ($($t),*))
        }};
        (@spread $f:ident $h:ident $args:ident $key:ident [$($i:tt)*] [$n:tt $($rest:tt)*] ($t:ty $(, $ts:ty)*)) => {
            typed_call!(@spread $f $h $args $key [$($i)* $n] [$($rest)*] ($($ts),*))
        };
        (@spread $f:ident $h:ident $args:ident $key:ident [$($i:tt)*] [$($rest:tt)*] ()) => {
            ($key($f($($args.$i),*)), $key($h($($args.$i),*)))
        };
    }

    /// Typed handlers of signatures that take the shifting entry on some
    /// conventions and the general one on others (every integer register
    /// used, stack arguments, narrow integers, floats among integers, no
    /// argument, no result): the caller always gets the closure's answer,
    /// whichever way the thunk reaches it.
    #[test]
    fn typed_handlers_agree_with_the_closure() {
        let _pool = POOL_LOCK.lock().unwrap_or_else(|e| e.into_inner());
        let k = seed(5) | 1;
        let h = move |a: i64, b: i64| a.wrapping_mul(k as i64).wrapping_add(b);
        typed_round_trips(&h, typed_call!((i64, i64) -> i64, |x| x));
        let h = move |a: i8, b: u8, c: i16, d: u16, e: i32| {
            (i64::from(a) ^ (i64::from(b) << 8) ^ (i64::from(c) << 16))
                .wrapping_mul(k as i64)
                .wrapping_add(i64::from(d) << 32)
                .wrapping_sub(i64::from(e))
        };
        typed_round_trips(&h, typed_call!((i8, u8, i16, u16, i32) -> i64, |x| x));
        let h = move |a: i8, b: u8, c: i16, d: u16, e: i32, f: u32, g: i64| {
            (i32::from(a) ^ i32::from(b) ^ i32::from(c) ^ i32::from(d))
                .wrapping_add(e)
                .wrapping_mul(f as i32)
                .wrapping_sub(g as i32)
        };
        typed_round_trips(
            &h,
            typed_call!((i8, u8, i16, u16, i32, u32, i64) -> i32, |x| x),
        );
        let h = move |a: u32, b: i16, c: u8| a.wrapping_mul(k as u32) ^ (b as u32) ^ u32::from(c);
        typed_round_trips(&h, typed_call!((u32, i16, u8) -> u32, |x| x));
        let h = move |a: f64, b: i32, c: f32, d: *const u8, e: u64, f: f64| {
            a * f64::from(b) + f64::from(c) - (d as usize as f64) + e as f64 / f
        };
        typed_round_trips(
            &h,
            typed_call!((f64, i32, f32, *const u8, u64, f64) -> f64, |x: f64| x.to_bits()),
        );
        let h = |a: f32, b: f32, c: f32, d: f32, e: f32, f: f32, g: f32, i: f32| {
            a + 2.0 * b - c * d + e / f - g + i
        };
        typed_round_trips(
            &h,
            typed_call!((f32, f32, f32, f32, f32, f32, f32, f32) -> f32, |x: f32| x.to_bits()),
        );
        let h = |a: u64, b: u64, c: u64, d: u64, e: u64, f: u64, g: u64, i: u64| {
            [a, b, c, d, e, f, g, i]
                .iter()
                .fold(0u64, |s, x| s.rotate_left(7) ^ x)
        };
        typed_round_trips(
            &h,
            typed_call!((u64, u64, u64, u64, u64, u64, u64, u64) -> u64, |x| x),
        );
        let h = move || k as u32;
        typed_round_trips(&h, typed_call!(() -> u32, |x| x));
        let seen = std::sync::atomic::AtomicU64::new(0);
        let h = |a: u32, b: *mut u8| {
            seen.store(
                u64::from(a) ^ (b as usize as u64),
                std::sync::atomic::Ordering::Relaxed,
            );
        };
        typed_round_trips(&h, |code, h, rng| {
            let f = unsafe { std::mem::transmute::<*const (), extern "C" fn(u32, *mut u8)>(code) };
            let (a, b) = (typed::<u32>(rng), typed::<*mut u8>(rng));
            f(a, b);
            let got = seen.load(std::sync::atomic::Ordering::Relaxed);
            h(a, b);
            (got, seen.load(std::sync::atomic::Ordering::Relaxed))
        });
    }

    /// The shifting entry is taken where the spec data says it applies: a
    /// signature of pointers only, on a host with at least three integer
    /// argument registers it can move up before a callee-saved one (one for
    /// the context, two for the arguments), whatever its slot model. A test
    /// of the fast path itself, which the agreement test above would not
    /// notice missing.
    #[test]
    fn typed_handlers_take_the_shifting_entry_where_the_spec_allows() {
        let _pool = POOL_LOCK.lock().unwrap_or_else(|e| e.into_inner());
        let abi = Abi::native();
        let movable = abi
            .int_arg_regs()
            .iter()
            .take_while(|r| !abi.callee_saved().contains(r))
            .count();
        let expect = movable >= 3;
        let h = |a: *const u8, b: *const u8| a.wrapping_add(b as usize);
        let direct = typed_round_trips(
            &h,
            typed_call!((*const u8, *const u8) -> *const u8, |x| x as usize),
        );
        assert_eq!(
            direct,
            expect,
            "{}: {movable} integer argument registers before a callee-saved one",
            abi.name(),
        );
        // Eight pointers and the context need nine registers.
        type P = *const u8;
        let h = |a: P, b: P, c: P, d: P, e: P, f: P, g: P, i: P| {
            [b, c, d, e, f, g, i]
                .iter()
                .fold(a, |s, x| s.wrapping_add(*x as usize))
        };
        let direct = typed_round_trips(
            &h,
            typed_call!((P, P, P, P, P, P, P, P) -> P, |x| x as usize),
        );
        assert_eq!(direct, movable >= 9, "{}: {movable} registers", abi.name());
        // A handler of `Value`s never is.
        let sig = abi.prepare(&[Type::Ptr; 2], Type::Ptr).unwrap();
        let handler = |_: &Args<'_>| Value::Void;
        assert!(!sig.callback(&handler).unwrap().is_direct());
    }

    /// A typed handler's types must be the prepared signature's.
    #[test]
    fn typed_handlers_of_other_types_are_refused() {
        let sig = Abi::native()
            .prepare(&[Type::I64, Type::I32], Type::I64)
            .unwrap();
        let h = |a: i64, b: i64| a + b;
        let e = sig.callback_fn(&h).unwrap_err();
        assert!(matches!(e, CallbackError::HandlerTypes { .. }), "{e:?}");
        let h = |a: i64, b: i32| (a + i64::from(b)) as u64;
        let e = sig.callback_fn(&h).unwrap_err();
        assert!(matches!(e, CallbackError::HandlerTypes { .. }), "{e:?}");
    }

    unsafe extern "C" {
        /// The C library's sort, calling back a comparison of the C convention.
        fn qsort(
            base: *mut core::ffi::c_void,
            n: usize,
            size: usize,
            cmp: extern "C" fn(*const u8, *const u8) -> i32,
        );
    }

    /// The C library calls a typed handler that captures state: `qsort`
    /// sorts as the standard library does, and the comparisons counted are
    /// the ones C made.
    #[test]
    fn qsort_sorts_with_a_typed_comparison() {
        let _pool = POOL_LOCK.lock().unwrap_or_else(|e| e.into_inner());
        let mut rng = Rng(seed(0x5027));
        let mut v: Vec<i32> = (0..500).map(|_| rng.next() as i32).collect();
        let mut want = v.clone();
        want.sort();
        let calls = std::sync::atomic::AtomicUsize::new(0);
        let cmp = |a: *const u8, b: *const u8| {
            calls.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let (a, b) = unsafe { (a.cast::<i32>().read(), b.cast::<i32>().read()) };
            a.cmp(&b) as i32
        };
        let sig = Abi::native()
            .prepare(&[Type::Ptr, Type::Ptr], Type::I32)
            .unwrap();
        let cb = sig.callback_fn(&cmp).unwrap();
        let f = unsafe {
            std::mem::transmute::<*const (), extern "C" fn(*const u8, *const u8) -> i32>(cb.code())
        };
        unsafe { qsort(v.as_mut_ptr().cast(), v.len(), 4, f) };
        let first_wrong = v.iter().zip(&want).position(|(a, b)| a != b);
        assert_eq!(first_wrong, None, "qsort's order differs from sort's there");
        drop(cb);
        assert!(calls.into_inner() >= v.len() - 1);
    }

    /// Structs by value both ways between a prepared call and a callback of
    /// every convention of the arch (the other one too: win64 on Linux,
    /// System V on Windows): arguments in registers, after the registers and
    /// by reference, a result in registers and one in memory. Both sides use
    /// the convention's rules; the C suite (`dynamic_c`) checks the rules
    /// against the C compiler for the native one.
    #[test]
    fn prepared_struct_calls_into_struct_callbacks() {
        #[repr(C)]
        #[derive(Clone, Copy, Debug, PartialEq)]
        struct Three(f32, f32, f32);
        #[repr(C)]
        #[derive(Clone, Copy, Debug, PartialEq)]
        struct Rec(f64, i64, f64);
        #[repr(C)]
        #[derive(Clone, Copy, Debug, PartialEq)]
        struct Odd(i8, f64);
        #[repr(C)]
        #[derive(Clone, Copy, Debug, PartialEq)]
        struct Small(u8, i16);
        const THREE: Type = Type::Struct(&[Type::F32, Type::F32, Type::F32]);
        const REC: Type = Type::Struct(&[Type::F64, Type::I64, Type::F64]);
        const ODD: Type = Type::Struct(&[Type::I8, Type::F64]);
        const SMALL: Type = Type::Struct(&[Type::U8, Type::I16]);
        fn bytes<T: Copy>(v: &T) -> &[u8] {
            unsafe { core::slice::from_raw_parts((v as *const T).cast(), size_of::<T>()) }
        }
        fn mix(h: u64, b: &[u8]) -> u64 {
            b.iter()
                .fold(h, |h, &x| (h ^ u64::from(x)).wrapping_mul(0x100_0000_01B3))
        }
        let _pool = POOL_LOCK.lock().unwrap_or_else(|e| e.into_inner());
        let mut types = vec![Type::I32, THREE, Type::F64, REC, SMALL];
        types.extend([Type::I64; 7]);
        types.extend([ODD, Type::F32, THREE]);
        for abi in Abi::all() {
            for ret in [REC, THREE, SMALL] {
                let p = match abi.prepare(&types, ret) {
                    Ok(p) => p,
                    Err(e) => {
                        assert!(abi.aggregates().is_none(), "{}: {e}", abi.name());
                        assert!(
                            matches!(e, abi_runtime::abi::PrepareError::NoAggregateRules { .. }),
                            "{}: {e}",
                            abi.name()
                        );
                        continue;
                    }
                };
                // The handler hashes every argument's bytes and returns a struct holding the hash.
                let handler = |args: &Args<'_>| {
                    let h = (0..args.len()).fold(0xCBF2_9CE4_8422_2325, |h, i| {
                        match args.struct_bytes(i) {
                            Some(b) => mix(h, b),
                            None => mix(h, &args.get(i).bits().to_le_bytes()),
                        }
                    });
                    match args.prepared().ret_type() {
                        REC => args.set_result(Rec(1.5, h as i64, -2.0)),
                        THREE => args.set_result(Three(h as u16 as f32, 0.25, -8.0)),
                        _ => args.set_result(Small(h as u8, h as i16)),
                    }
                    Value::Void
                };
                let cb = p.callback(&handler).unwrap();
                let mut rng = Rng(seed(0x57C7));
                for round in 0..20 {
                    let r = |rng: &mut Rng| rng.values(&[Type::F64])[0].bits();
                    let three = Three(round as f32, -1.5, r(&mut rng) as u32 as f32);
                    let rec = Rec(f64::from_bits(r(&mut rng) >> 2), r(&mut rng) as i64, -0.5);
                    let small = Small(r(&mut rng) as u8, r(&mut rng) as i16);
                    let odd = Odd(r(&mut rng) as i8, 3.75);
                    let tail = Three(7.0, r(&mut rng) as u16 as f32, 9.5);
                    let mut args = vec![
                        Value::I32(r(&mut rng) as i32),
                        Value::Struct(bytes(&three).as_ptr()),
                        Value::F64(-6.25),
                        Value::Struct(bytes(&rec).as_ptr()),
                        Value::Struct(bytes(&small).as_ptr()),
                    ];
                    args.extend(
                        (0..7).map(|k| {
                            Value::I64((k * 1_000_003i64).wrapping_sub(r(&mut rng) as i64))
                        }),
                    );
                    args.extend([
                        Value::Struct(bytes(&odd).as_ptr()),
                        Value::F32(0.125),
                        Value::Struct(bytes(&tail).as_ptr()),
                    ]);
                    let structs: [&[u8]; 5] = [
                        bytes(&three),
                        bytes(&rec),
                        bytes(&small),
                        bytes(&odd),
                        bytes(&tail),
                    ];
                    let mut next = structs.iter();
                    let h = args.iter().fold(0xCBF2_9CE4_8422_2325, |h, v| match v {
                        Value::Struct(_) => mix(h, next.next().unwrap()),
                        v => mix(h, &v.bits().to_le_bytes()),
                    });
                    let ctx = format!("{} -> {ret}, round {round}", abi.name());
                    match ret {
                        REC => {
                            let mut out = Rec(0.0, 0, 0.0);
                            unsafe { p.call_into(cb.code(), &args, (&raw mut out).cast()) };
                            assert_eq!(out, Rec(1.5, h as i64, -2.0), "{ctx}");
                        }
                        THREE => {
                            let mut out = Three(0.0, 0.0, 0.0);
                            unsafe { p.call_into(cb.code(), &args, (&raw mut out).cast()) };
                            assert_eq!(out, Three(h as u16 as f32, 0.25, -8.0), "{ctx}");
                        }
                        _ => {
                            let mut out = Small(0, 0);
                            unsafe { p.call_into(cb.code(), &args, (&raw mut out).cast()) };
                            assert_eq!(out, Small(h as u8, h as i16), "{ctx}");
                        }
                    }
                }
            }
        }
    }

    /// A variadic signature whose floats the convention passes in two
    /// registers at once (its `variadic` rule) is refused with a typed error
    /// naming the rule; which conventions do is read from their ABI data.
    #[test]
    fn duplicated_variadic_floats_are_refused_with_the_rule() {
        use abi_runtime::abi::{CallbackError, VariadicFloats};
        for abi in Abi::all() {
            let p = abi.prepare_variadic(1, &[Type::I32, Type::F64], Type::I64);
            let Ok(p) = p else { continue };
            let handler = |_: &Args<'_>| Value::I64(0);
            let r = p.callback(&handler);
            if abi.variadic_floats() == VariadicFloats::AlsoInInt {
                let e = r.unwrap_err();
                assert_eq!(
                    e,
                    CallbackError::DuplicatedFloats {
                        abi: abi.name(),
                        rule: abi.variadic()
                    }
                );
                assert!(e.to_string().contains(abi.variadic()), "{e}");
            } else {
                assert!(r.is_ok(), "{}: {:?}", abi.name(), r.err());
            }
        }
    }
}
