//! Prepared dynamic calls through the generated trampolines, against rustc's
//! own calls: random signatures called both directly (rustc's `extern` ABI)
//! and through `Prepared::call`, with random values; callee-saved registers
//! with a canary harness; the stack alignment and shadow space a callee sees.
//! Runs natively on x86_64 (sysv and win64) and under qemu on aarch64 and riscv64.
#![allow(clippy::undocumented_unsafe_blocks)] // every unsafe block calls a callee with the signature it was prepared for

// On a target whose conventions the trampolines cannot handle, one ignored
// test says why (the reason comes from the spec files).
include!(concat!(env!("OUT_DIR"), "/dynamic_unsupported.rs"));

#[cfg(abi_dynamic)]
mod dynamic;

#[cfg(abi_dynamic)]
mod tests {

    use crate::dynamic::harness::{
        CLOBBER_RET, chain_probe, clobber, direct_sp, harness, shadow_writer, sp_probe,
    };
    use crate::dynamic::{Rng, as_used, expected_record, expected_ret, seed, sigs, take_record};
    use abi_runtime::abi::{Abi, Frame, MAX_ARGS, PrepareError, Type, Value};

    /// Rounds of random values per signature.
    const ROUNDS: usize = 24;

    #[test]
    fn abi_table_matches_the_specs() {
        let names: Vec<&str> = Abi::all().iter().map(|a| a.name()).collect();
        let spec_names: Vec<&str> = crate::dynamic::SPEC_ABIS.iter().map(|a| a.name).collect();
        assert_eq!(names, spec_names);
        assert_eq!(Abi::native().name(), crate::dynamic::SPEC_NATIVE);
        for (abi, spec) in Abi::all().iter().zip(crate::dynamic::SPEC_ABIS) {
            assert_eq!(abi.int_arg_regs(), spec.int_args);
            assert_eq!(abi.float_arg_regs(), spec.float_args);
            assert_eq!(abi.shadow_space(), spec.shadow_space);
            assert_eq!(abi.stack_align(), spec.stack_align);
            assert_eq!(Abi::by_name(abi.name()), Some(abi));
        }
        assert_eq!(Abi::by_name("no-such-abi"), None);
    }

    #[test]
    fn random_signatures_agree_with_direct_calls() {
        for abi in Abi::all() {
            let sigs = sigs(abi.name()).expect("generated signatures for every ABI of this arch");
            let mut rng = Rng(seed(abi.name().len() as u64));
            let mut calls = 0;
            for (n, sig) in sigs.iter().enumerate() {
                let p = abi.prepare(sig.args, sig.ret).unwrap();
                for round in 0..ROUNDS {
                    let args = rng.values(sig.args);
                    let want = (sig.direct)(&args);
                    assert_eq!(
                        take_record(),
                        expected_record(&args),
                        "direct call of {} #{n}",
                        abi.name()
                    );
                    assert!(want.same_bits(&as_used(expected_ret(sig.ret, &args))));
                    let got = unsafe { p.call(sig.callee, &args) };
                    let seen = take_record();
                    let ctx = || {
                        format!(
                            "{} signature #{n} {:?} -> {:?}, round {round} (seeds: signatures {}, values {}), args {args:?}",
                            abi.name(),
                            sig.args,
                            sig.ret,
                            crate::dynamic::SEED,
                            seed(0)
                        )
                    };
                    assert_eq!(
                        seen,
                        expected_record(&args),
                        "arguments the callee received: {}",
                        ctx()
                    );
                    assert!(
                        as_used(got).same_bits(&want),
                        "result {got:?}, direct call gave {want:?}: {}",
                        ctx()
                    );
                    calls += 1;
                }
            }
            assert!(calls >= 1000, "{calls} calls");
        }
    }

    #[test]
    fn one_shot_call() {
        extern "C" fn add3(a: i64, b: u8, c: f64) -> f64 {
            a as f64 + f64::from(b) + c
        }
        let args = [Value::I64(-5), Value::U8(200), Value::F64(0.25)];
        let r = unsafe { Abi::native().call(add3 as *const (), &args, Type::F64) };
        assert_eq!(r, Ok(Value::F64(195.25)));
    }

    #[test]
    fn what_cannot_be_expressed_is_an_error() {
        let abi = Abi::native();
        // Malformed structs: empty, an empty array, an array outside a struct.
        let empty = Type::Struct(&[]);
        assert_eq!(
            abi.prepare(&[Type::I32, empty], Type::Void).unwrap_err(),
            PrepareError::BadStruct { index: Some(1) }
        );
        let empty_array = Type::Struct(&[Type::Array(&Type::I32, 0)]);
        assert_eq!(
            abi.prepare(&[], empty_array).unwrap_err(),
            PrepareError::BadStruct { index: None }
        );
        assert_eq!(
            abi.prepare(&[Type::Array(&Type::I32, 2)], Type::Void)
                .unwrap_err(),
            PrepareError::BadStruct { index: Some(0) }
        );
        // Larger than a call's room for copies.
        let huge = Type::Struct(&[Type::Array(&Type::U64, 1000)]);
        assert!(matches!(
            abi.prepare(&[], huge),
            Err(PrepareError::StructTooLarge {
                index: None,
                size: 8000,
                ..
            } | PrepareError::NoAggregateRules { .. })
        ));
        assert_eq!(
            abi.prepare(&[Type::Void], Type::Void).unwrap_err(),
            PrepareError::VoidArgument { index: 0 }
        );
        let many = vec![Type::I64; MAX_ARGS + 1];
        assert_eq!(
            abi.prepare(&many, Type::Void).unwrap_err(),
            PrepareError::TooManyArguments {
                count: MAX_ARGS + 1,
                max: MAX_ARGS
            }
        );
        // The most arguments a signature may have work, all but a few on the stack.
        let max = vec![Type::U16; MAX_ARGS];
        let p = abi.prepare(&max, Type::U64).unwrap();
        assert!(p.stack_words() >= MAX_ARGS - abi.int_arg_regs().len());
    }

    #[test]
    fn callee_saved_registers_survive_a_clobbering_callee() {
        let host = harness(Abi::native().name()).expect("a canary harness for the native ABI");
        for abi in Abi::all() {
            let callee = clobber(abi.name()).expect("a clobbering callee for every ABI");
            let p = abi.prepare(&[], Type::U32).unwrap();
            let mut frame = Frame::zeroed();
            frame.stack_bytes = p.stack_bytes();
            let mut out = [0u64; 64];
            let tramp = abi.trampoline();
            unsafe {
                (host.run)(
                    &raw mut frame as usize,
                    callee as usize,
                    tramp as *const (),
                    &mut out,
                )
            };
            for (i, (reg, want)) in host.expect.iter().enumerate() {
                assert_eq!(
                    out[i],
                    *want,
                    "{reg} after calling {} code through the trampoline",
                    abi.name()
                );
            }
            assert_eq!(
                frame.int_ret(0) as u32,
                CLOBBER_RET as u32,
                "{} result",
                abi.name()
            );
            // The prepared path returns the same.
            assert_eq!(
                unsafe { p.call(callee, &[]) },
                Value::U32(CLOBBER_RET as u32)
            );
        }
    }

    #[test]
    fn callee_sees_the_promised_stack_alignment() {
        for abi in Abi::all() {
            let align = abi.stack_align();
            // A call rustc compiles for this convention leaves the residue the ABI promises.
            let direct = direct_sp(abi.name()).expect("a direct probe call for every ABI") % align;
            for n in 0..=20 {
                let types = vec![Type::I64; n];
                let p = abi.prepare(&types, Type::U64).unwrap();
                let args = vec![Value::I64(7); n];
                let Value::U64(sp) = (unsafe { p.call(sp_probe(abi.name()).unwrap(), &args) })
                else {
                    unreachable!()
                };
                assert_eq!(
                    sp as usize % align,
                    direct,
                    "{}: sp at entry with {n} arguments",
                    abi.name()
                );
            }
        }
    }

    /// Where frames keep a back chain (ELFv2), the frame a call trampoline
    /// makes for the callee starts with its caller's stack pointer: the
    /// callee's view of it lies exactly the trampoline's own frame (a constant)
    /// plus the call's stack area above its own stack pointer, and it leads on
    /// to the next frame up.
    #[test]
    fn callee_frames_start_with_the_back_chain() {
        for abi in Abi::all() {
            let Some(probe) = chain_probe(abi.name()) else {
                continue;
            };
            let mut own = Vec::new();
            // More than the 16 words a native call takes directly, and more
            // than the argument registers: the full call trampoline.
            for n in [17usize, 20, 26, 40] {
                let p = abi.prepare(&vec![Type::I64; n], Type::U64).unwrap();
                let args = vec![Value::I64(7); n];
                let (Value::U64(sp), Value::U64(link)) = (unsafe {
                    (
                        p.call(sp_probe(abi.name()).unwrap(), &args),
                        p.call(probe, &args),
                    )
                }) else {
                    unreachable!()
                };
                let (sp, link) = (sp as usize, link as usize);
                assert!(
                    link > sp && link % 16 == 0,
                    "{}: back chain {link:#x} at sp {sp:#x}",
                    abi.name()
                );
                own.push(link - sp - p.stack_bytes());
                // The trampoline's caller is Rust code, which keeps the chain too.
                let next = unsafe { (link as *const usize).read() };
                assert!(
                    next > link && next - link < 1 << 20,
                    "{}: {next:#x} above {link:#x}",
                    abi.name()
                );
            }
            assert!(
                own.iter().all(|o| *o == own[0] && *o < 1024),
                "{}: trampoline frames {own:?}",
                abi.name()
            );
        }
    }

    #[test]
    fn shadow_space_belongs_to_the_callee() {
        for abi in Abi::all().iter().filter(|a| a.shadow_space() > 0) {
            let writer = shadow_writer(abi.name()).expect("a shadow-space writer");
            let words = abi.shadow_space() / 8;
            let n = abi.int_arg_regs().len() + 3;
            let p = abi.prepare(&vec![Type::I64; n], Type::I64).unwrap();
            let args: Vec<Value> = (0..n as i64).map(|i| Value::I64(1000 + i)).collect();
            // The writer stores its register arguments into the shadow space, then
            // returns its first stack argument, read above it.
            let want = 1000 + abi.int_arg_regs().len() as i64;
            for _ in 0..3 {
                assert_eq!(
                    unsafe { p.call(writer, &args) },
                    Value::I64(want),
                    "{} ({words} shadow words)",
                    abi.name()
                );
            }
            assert_eq!(p.stack_bytes() % abi.stack_align(), 0);
            assert!(p.stack_bytes() >= abi.shadow_space() + 3 * 8);
        }
    }

    #[test]
    fn float_and_integer_slots_follow_the_slot_model() {
        // Rust's own win64/sysv/... callees checked the values; here the
        // assignment is spot-checked against the register lists.
        for abi in Abi::all() {
            let p = abi
                .prepare(&[Type::I32, Type::F64, Type::Ptr, Type::F32], Type::Void)
                .unwrap();
            let (ints, floats) = (abi.int_arg_regs(), abi.float_arg_regs());
            let regs: Vec<Option<&str>> = (0..4).map(|i| p.arg_register(i)).collect();
            if ints.is_empty() && floats.is_empty() {
                // Every argument on the stack (i386), each in slots of its own size.
                assert_eq!(regs, [None; 4]);
                let bytes: usize = [4usize, 8, size_of::<*const ()>(), 4]
                    .iter()
                    .map(|b| b.div_ceil(abi.stack_slot()))
                    .sum();
                assert_eq!(p.stack_words(), bytes);
                continue;
            }
            if abi.f32_in_float_reg() == abi_runtime::abi::F32InReg::Halves {
                // Back-filling: s0 (half of d0), d1, then s1, the other half of d0;
                // once a float goes on the stack, none back-fills.
                let mut types = vec![Type::F32, Type::F64, Type::F32];
                let p = abi.prepare(&types, Type::Void).unwrap();
                let regs: Vec<Option<&str>> = (0..3).map(|i| p.arg_register(i)).collect();
                assert_eq!(regs, [Some(floats[0]), Some(floats[1]), Some(floats[0])]);
                types = vec![Type::F32];
                types.extend(vec![Type::F64; floats.len()]);
                types.push(Type::F32);
                let p = abi.prepare(&types, Type::Void).unwrap();
                assert_eq!(p.arg_register(types.len() - 2), None);
                assert_eq!(p.arg_register(types.len() - 1), None);
            }
            match abi.slots() {
                abi_runtime::abi::SlotModel::PerClass => {
                    assert_eq!(
                        regs,
                        [
                            Some(ints[0]),
                            Some(floats[0]),
                            Some(ints[1]),
                            Some(floats[1])
                        ]
                    );
                }
                abi_runtime::abi::SlotModel::GprPositions => {
                    assert_eq!(
                        regs,
                        [
                            Some(ints[0]),
                            Some(floats[0]),
                            Some(ints[2]),
                            Some(floats[1])
                        ]
                    );
                }
                abi_runtime::abi::SlotModel::Positional => {
                    assert_eq!(
                        regs,
                        [
                            Some(ints[0]),
                            Some(floats[1]),
                            Some(ints[2]),
                            Some(floats[3])
                        ]
                    );
                }
            }
        }
    }

    extern "C" fn weighted7(a: i64, b: u64, c: i64, d: i64, e: i64, f: i64, g: *const u8) -> i64 {
        a - 2 * b as i64 + 3 * c - 4 * d + 5 * e - 6 * f + g as i64
    }

    extern "C" fn scale(a: f64, b: i32) -> f64 {
        a * f64::from(b)
    }

    #[test]
    fn one_shot_calls_agree_with_direct_calls() {
        use abi_runtime::abi::{Abi, Type, Value};
        let args = [
            Value::I64(-7),
            Value::U64(3),
            Value::I64(11),
            Value::I64(-2),
            Value::I64(5),
            Value::I64(9),
            Value::Ptr(1234 as *const ()),
        ];
        let direct = weighted7(-7, 3, 11, -2, 5, 9, 1234 as *const u8);
        // SAFETY: `weighted7` has exactly these parameter types.
        let got = unsafe { Abi::native().call(weighted7 as *const (), &args, Type::I64) }.unwrap();
        assert_eq!(got, Value::I64(direct));
        // A float signature takes the trampoline path.
        // SAFETY: `scale` takes (f64, i32) and returns f64.
        let got = unsafe {
            Abi::native().call(
                scale as *const (),
                &[Value::F64(1.5), Value::I32(-4)],
                Type::F64,
            )
        }
        .unwrap();
        assert_eq!(got, Value::F64(-6.0));
    }
}
