//! Prepared calls whose register images are read straight from the values
//! or through a struct's pointer (the direct callers), against rustc's own
//! calls of the same functions: 32-bit integers whose `Value` payload holds
//! garbage above them, struct results of 9 to 16 bytes whose last piece is
//! 1 to 8 bytes (no byte outside the result written), and struct arguments
//! placed at the very end of a readable page (no byte past them read). On
//! conventions without direct callers the same calls take the general
//! paths and must agree all the same.
#![allow(clippy::undocumented_unsafe_blocks)] // every unsafe block calls a callee with the signature it was prepared for

#[cfg(abi_dynamic)]
mod body {
    use abi_runtime::abi::{Abi, Type, Value};

    /// A value of `v`'s type and payload whose other bytes (the padding
    /// after the tag and above a narrow payload) are all `0xA5`: what a
    /// caller reading 8 raw bytes of the payload passes above a 32-bit
    /// integer, which the convention must ignore.
    fn with_garbage(v: Value) -> Value {
        let mut m = core::mem::MaybeUninit::<Value>::uninit();
        let p = m.as_mut_ptr().cast::<u8>();
        // `Value` is `repr(C, u8)`: a one-byte tag, then the payload at the
        // alignment of its widest member (a u64).
        let payload = align_of::<u64>();
        let src = (&raw const v).cast::<u8>();
        unsafe {
            core::ptr::write_bytes(p, 0xA5, size_of::<Value>());
            p.write(src.read());
            let width = match v {
                Value::I32(_) | Value::U32(_) | Value::F32(_) => 4,
                _ => 8,
            };
            core::ptr::copy_nonoverlapping(src.add(payload), p.add(payload), width);
            m.assume_init()
        }
    }

    extern "C" fn ints(a: i32, b: u32, c: f64, d: i32) -> i64 {
        i64::from(a) * 3 + i64::from(b) * 5 + c as i64 - i64::from(d)
    }

    extern "C" fn floats_then_int(a: f64, b: u32, c: i32) -> f64 {
        a + f64::from(b) * 2.0 - f64::from(c)
    }

    extern "C" fn widen(a: i32, b: u32) -> u64 {
        (i64::from(a) as u64) ^ u64::from(b).rotate_left(17)
    }

    /// Negative 32-bit integers and unsigned ones with bit 31 set, with
    /// garbage above them in the values, give the direct calls' results.
    #[test]
    fn thirty_two_bit_integers_with_garbage_above_them() {
        let abi = Abi::native();
        let samples: [(i32, u32); 6] = [
            (-1, 0x8000_0000),
            (i32::MIN, u32::MAX),
            (-7, 0xDEAD_BEEF),
            (i32::MAX, 1),
            (0, 0xFFFF_FFFE),
            (-123_456, 0x8765_4321),
        ];
        let p = abi
            .prepare(&[Type::I32, Type::U32, Type::F64, Type::I32], Type::I64)
            .unwrap();
        let q = abi
            .prepare(&[Type::F64, Type::U32, Type::I32], Type::F64)
            .unwrap();
        let r = abi.prepare(&[Type::I32, Type::U32], Type::U64).unwrap();
        for (a, b) in samples {
            let args = [
                Value::I32(a),
                Value::U32(b),
                Value::F64(2.5),
                Value::I32(a ^ 0x55),
            ]
            .map(with_garbage);
            let got = unsafe { p.call(ints as *const (), &args) };
            assert_eq!(got, Value::I64(ints(a, b, 2.5, a ^ 0x55)), "({a}, {b:#x})");
            let args = [Value::F64(-1.25), Value::U32(b), Value::I32(a)].map(with_garbage);
            let got = unsafe { q.call(floats_then_int as *const (), &args) };
            assert_eq!(
                got,
                Value::F64(floats_then_int(-1.25, b, a)),
                "({a}, {b:#x})"
            );
            let args = [Value::I32(a), Value::U32(b)].map(with_garbage);
            let got = unsafe { r.call(widen as *const (), &args) };
            assert_eq!(got, Value::U64(widen(a, b)), "({a}, {b:#x})");
        }
    }

    /// Structs of `N` bytes as rustc passes them (align 1: the last piece
    /// of a register pair is `N - 8` bytes), their types, and callees that
    /// mix every byte with the scalar argument.
    macro_rules! byte_structs {
        ($($name:ident $n:literal $ty:ident $callee:ident $sum:ident;)*) => {$(
            #[repr(C)]
            #[derive(Clone, Copy, Debug, PartialEq)]
            struct $name([u8; $n]);
            const $ty: Type = Type::Struct(&[Type::Array(&Type::U8, $n)]);
            extern "C" fn $callee(s: $name, k: i32) -> $name {
                let mut o = s.0;
                for (i, b) in o.iter_mut().enumerate() {
                    *b = b.wrapping_mul(7).wrapping_add(k as u8).wrapping_add((i as u8).wrapping_mul(31));
                }
                $name(o)
            }
            extern "C" fn $sum(k: i32, s: $name) -> u64 {
                s.0.iter()
                    .enumerate()
                    .fold(k as u64, |acc, (i, &b)| acc.rotate_left(5) ^ (u64::from(b) << (i % 8)))
            }
        )*};
    }

    /// Expands `$m!` with every byte struct: name, size, type, callees.
    macro_rules! for_each_byte_struct {
        ($m:ident) => {
            $m! {
                B8 8 T8 f8 s8;
                B9 9 T9 f9 s9;
                B10 10 T10 f10 s10;
                B11 11 T11 f11 s11;
                B12 12 T12 f12 s12;
                B13 13 T13 f13 s13;
                B14 14 T14 f14 s14;
                B15 15 T15 f15 s15;
                B16 16 T16 f16 s16;
            }
        };
    }

    for_each_byte_struct!(byte_structs);

    #[repr(C)]
    #[derive(Clone, Copy, Debug, PartialEq)]
    struct Vec3 {
        x: f32,
        y: f32,
        z: f32,
    }
    const T_VEC3: Type = Type::Struct(&[Type::F32, Type::F32, Type::F32]);

    extern "C" fn vec3_scale(v: Vec3, k: f32) -> Vec3 {
        Vec3 {
            x: v.x * k,
            y: v.y * k + 1.0,
            z: v.z * k - 2.0,
        }
    }

    extern "C" fn vec3_scale_first(k: f32, v: Vec3) -> Vec3 {
        vec3_scale(v, k + 0.5)
    }

    extern "C" fn vec3_dot(a: Vec3, b: Vec3) -> f32 {
        a.x * b.x + a.y * b.y + a.z * b.z
    }

    #[repr(C)]
    #[derive(Clone, Copy, Debug, PartialEq)]
    struct Mixed {
        a: f32,
        b: f32,
        c: i32,
    }
    const T_MIXED: Type = Type::Struct(&[Type::F32, Type::F32, Type::I32]);

    extern "C" fn mixed_bump(m: Mixed, k: i64) -> Mixed {
        Mixed {
            a: m.a + k as f32,
            b: m.b * 2.0,
            c: m.c.wrapping_sub(k as i32),
        }
    }

    #[repr(C)]
    #[derive(Clone, Copy, Debug, PartialEq)]
    struct Shorts([u16; 5]);
    const T_SHORTS: Type = Type::Struct(&[Type::Array(&Type::U16, 5)]);

    extern "C" fn shorts_mix(s: Shorts, k: u32) -> Shorts {
        let mut o = s.0;
        for (i, x) in o.iter_mut().enumerate() {
            *x = x
                .wrapping_mul(3)
                .wrapping_add(k as u16)
                .wrapping_add(i as u16 * 1000);
        }
        Shorts(o)
    }

    #[repr(C)]
    #[derive(Clone, Copy, Debug, PartialEq)]
    struct Vec2 {
        x: f32,
        y: f32,
    }
    const T_VEC2: Type = Type::Struct(&[Type::F32, Type::F32]);

    extern "C" fn vec2_turn(v: Vec2, k: f32) -> Vec2 {
        Vec2 {
            x: -v.y * k,
            y: v.x + k,
        }
    }

    #[repr(C)]
    #[derive(Clone, Copy, Debug, PartialEq)]
    struct Pair64 {
        a: i64,
        b: f64,
    }
    const T_PAIR64: Type = Type::Struct(&[Type::I64, Type::F64]);

    extern "C" fn pair64_swap(p: Pair64, k: f64) -> Pair64 {
        Pair64 {
            a: p.b as i64 - 3,
            b: p.a as f64 * k,
        }
    }

    #[repr(C)]
    #[derive(Clone, Copy, Debug, PartialEq)]
    struct Doubles {
        a: f64,
        b: f64,
    }
    const T_DOUBLES: Type = Type::Struct(&[Type::F64, Type::F64]);

    extern "C" fn doubles_mix(k: f64, d: Doubles) -> Doubles {
        Doubles {
            a: d.b - k,
            b: d.a * k,
        }
    }

    /// Bytes around a result that no call may touch.
    const GUARD: usize = 24;

    /// Calls `p` with `args` into a buffer with guard bytes on both sides;
    /// returns the result's bytes after checking the guards are intact.
    fn call_into_guarded<S: Copy>(
        p: &abi_runtime::abi::Prepared,
        f: *const (),
        args: &[Value],
    ) -> S {
        let size = size_of::<S>();
        let mut buf = vec![0x5Au8; GUARD + size + GUARD];
        let out = unsafe { buf.as_mut_ptr().add(GUARD) };
        let r = unsafe { p.call_into(f, args, out) };
        assert_eq!(r, Value::Void);
        assert!(
            buf[..GUARD].iter().all(|&b| b == 0x5A),
            "a byte before the result was written"
        );
        assert!(
            buf[GUARD + size..].iter().all(|&b| b == 0x5A),
            "a byte past the result ({size} bytes) was written: {:x?}",
            &buf[GUARD + size..]
        );
        unsafe { out.cast::<S>().read_unaligned() }
    }

    fn struct_value<S>(s: &S) -> Value {
        Value::Struct((s as *const S).cast())
    }

    /// One struct-in, struct-out signature with a scalar beside it, checked
    /// against the direct call with guarded results, and as a struct
    /// argument with a scalar result; the struct is read where `at` points.
    fn check_byte_struct<S: Copy + PartialEq + core::fmt::Debug>(
        ty: Type,
        at: *const S,
        k: i32,
        callee: extern "C" fn(S, i32) -> S,
        sum: extern "C" fn(i32, S) -> u64,
    ) {
        let abi = Abi::native();
        let s = unsafe { at.read_unaligned() };
        let p = abi.prepare(&[ty, Type::I32], ty).unwrap();
        let args = [Value::Struct(at.cast()), Value::I32(k)];
        let got: S = call_into_guarded(&p, callee as *const (), &args);
        assert_eq!(got, callee(s, k), "{} bytes, k {k}", size_of::<S>());
        let q = abi.prepare(&[Type::I32, ty], Type::U64).unwrap();
        let args = [Value::I32(k), Value::Struct(at.cast())];
        let got = unsafe { q.call(sum as *const (), &args) };
        assert_eq!(
            got,
            Value::U64(sum(k, s)),
            "{} bytes, k {k}",
            size_of::<S>()
        );
    }

    /// [`check_byte_struct`] for every byte struct, over a few fillings.
    macro_rules! check_bytes {
        ($($name:ident $n:literal $ty:ident $callee:ident $sum:ident;)*) => {$({
            for seed in [0u8, 1, 0x80, 0xFF] {
                let mut s = $name([0; $n]);
                for (i, b) in s.0.iter_mut().enumerate() {
                    *b = seed.wrapping_add((i as u8).wrapping_mul(29)) ^ 0xC3;
                }
                for k in [-3i32, 0, 77] {
                    check_byte_struct($ty, &s, k, $callee, $sum);
                }
            }
        })*};
    }

    /// Struct results of 8 to 16 bytes (the last piece 1 to 8 bytes; integer,
    /// float and mixed registers) are written where the result goes and
    /// nowhere else, and equal rustc's.
    #[test]
    fn struct_results_of_9_to_16_bytes_touch_only_their_bytes() {
        for_each_byte_struct!(check_bytes);
        let abi = Abi::native();
        let v = Vec3 {
            x: 1.5,
            y: -2.25,
            z: 1e-3,
        };
        let p = abi.prepare(&[T_VEC3, Type::F32], T_VEC3).unwrap();
        let got: Vec3 = call_into_guarded(
            &p,
            vec3_scale as *const (),
            &[struct_value(&v), Value::F32(3.0)],
        );
        assert_eq!(got, vec3_scale(v, 3.0));
        let p = abi.prepare(&[Type::F32, T_VEC3], T_VEC3).unwrap();
        let got: Vec3 = call_into_guarded(
            &p,
            vec3_scale_first as *const (),
            &[Value::F32(-0.75), struct_value(&v)],
        );
        assert_eq!(got, vec3_scale_first(-0.75, v));
        let w = Vec3 {
            x: 4.0,
            y: 0.5,
            z: -8.0,
        };
        let p = abi.prepare(&[T_VEC3, T_VEC3], Type::F32).unwrap();
        let got = unsafe { p.call(vec3_dot as *const (), &[struct_value(&v), struct_value(&w)]) };
        assert_eq!(got, Value::F32(vec3_dot(v, w)));
        let m = Mixed {
            a: 0.5,
            b: -3.0,
            c: -40,
        };
        let p = abi.prepare(&[T_MIXED, Type::I64], T_MIXED).unwrap();
        let got: Mixed = call_into_guarded(
            &p,
            mixed_bump as *const (),
            &[struct_value(&m), Value::I64(9)],
        );
        assert_eq!(got, mixed_bump(m, 9));
        let v2 = Vec2 { x: 0.5, y: -7.0 };
        let p = abi.prepare(&[T_VEC2, Type::F32], T_VEC2).unwrap();
        let got: Vec2 = call_into_guarded(
            &p,
            vec2_turn as *const (),
            &[struct_value(&v2), Value::F32(2.0)],
        );
        assert_eq!(got, vec2_turn(v2, 2.0));
        let q = Pair64 { a: -12, b: 2.75 };
        let p = abi.prepare(&[T_PAIR64, Type::F64], T_PAIR64).unwrap();
        let got: Pair64 = call_into_guarded(
            &p,
            pair64_swap as *const (),
            &[struct_value(&q), Value::F64(1.5)],
        );
        assert_eq!(got, pair64_swap(q, 1.5));
        let d = Doubles { a: 3.0, b: -0.125 };
        let p = abi.prepare(&[Type::F64, T_DOUBLES], T_DOUBLES).unwrap();
        let got: Doubles = call_into_guarded(
            &p,
            doubles_mix as *const (),
            &[Value::F64(4.0), struct_value(&d)],
        );
        assert_eq!(got, doubles_mix(4.0, d));
        let s = Shorts([1, 0xFFFF, 0x8000, 7, 0x1234]);
        let p = abi.prepare(&[T_SHORTS, Type::U32], T_SHORTS).unwrap();
        let got: Shorts = call_into_guarded(
            &p,
            shorts_mix as *const (),
            &[struct_value(&s), Value::U32(0x8000_0001)],
        );
        assert_eq!(got, shorts_mix(s, 0x8000_0001));
    }

    /// Struct arguments whose last byte is the last readable byte of the
    /// process's memory there: a call reading past one faults.
    #[test]
    #[cfg_attr(
        not(target_os = "linux"),
        ignore = "places structs at the end of a page with mmap and mprotect (Linux only)"
    )]
    fn struct_arguments_at_the_end_of_a_page_are_read_only_inside() {
        #[cfg(target_os = "linux")]
        {
            let page = unsafe { libc::sysconf(libc::_SC_PAGESIZE) } as usize;
            let base = unsafe {
                libc::mmap(
                    core::ptr::null_mut(),
                    2 * page,
                    libc::PROT_READ | libc::PROT_WRITE,
                    libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
                    -1,
                    0,
                )
            };
            assert_ne!(base, libc::MAP_FAILED);
            let base = base.cast::<u8>();
            let end = unsafe { base.add(page) };
            assert_eq!(
                unsafe { libc::mprotect(end.cast(), page, libc::PROT_NONE) },
                0
            );
            /// Copies `s` so it ends at `end`; returns the copy's address.
            fn place<S: Copy>(end: *mut u8, s: S) -> *const S {
                let at = unsafe { end.sub(size_of::<S>()) }.cast::<S>();
                unsafe { at.write_unaligned(s) };
                at
            }
            macro_rules! at_end {
                ($($name:ident $n:literal $ty:ident $callee:ident $sum:ident;)*) => {$({
                    let mut s = $name([0; $n]);
                    for (i, b) in s.0.iter_mut().enumerate() {
                        *b = (i as u8).wrapping_mul(41) ^ 0x96;
                    }
                    check_byte_struct($ty, place(end, s), 5, $callee, $sum);
                })*};
            }
            for_each_byte_struct!(at_end);
            let abi = Abi::native();
            let v = Vec3 {
                x: 2.0,
                y: 3.0,
                z: -4.5,
            };
            let at = place(end, v);
            let p = abi.prepare(&[T_VEC3, Type::F32], T_VEC3).unwrap();
            let got: Vec3 = call_into_guarded(
                &p,
                vec3_scale as *const (),
                &[Value::Struct(at.cast()), Value::F32(0.5)],
            );
            assert_eq!(got, vec3_scale(v, 0.5));
            let p = abi.prepare(&[T_VEC3, T_VEC3], Type::F32).unwrap();
            let got = unsafe {
                p.call(
                    vec3_dot as *const (),
                    &[Value::Struct(at.cast()), Value::Struct(at.cast())],
                )
            };
            assert_eq!(got, Value::F32(vec3_dot(v, v)));
            let m = Mixed {
                a: 1.0,
                b: 2.0,
                c: 3,
            };
            let at = place(end, m);
            let p = abi.prepare(&[T_MIXED, Type::I64], T_MIXED).unwrap();
            let got: Mixed = call_into_guarded(
                &p,
                mixed_bump as *const (),
                &[Value::Struct(at.cast()), Value::I64(-2)],
            );
            assert_eq!(got, mixed_bump(m, -2));
            let s = Shorts([9, 8, 0xFFFF, 6, 5]);
            let at = place(end, s);
            let p = abi.prepare(&[T_SHORTS, Type::U32], T_SHORTS).unwrap();
            let got: Shorts = call_into_guarded(
                &p,
                shorts_mix as *const (),
                &[Value::Struct(at.cast()), Value::U32(3)],
            );
            assert_eq!(got, shorts_mix(s, 3));
            assert_eq!(unsafe { libc::munmap(base.cast(), 2 * page) }, 0);
        }
    }
}

// Without trampolines: the tests report themselves ignored, with the reason.
#[cfg(not(abi_dynamic))]
include!(concat!(env!("OUT_DIR"), "/dynamic_unsupported.rs"));
