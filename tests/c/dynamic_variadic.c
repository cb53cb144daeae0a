/* Variadic functions for tests/tests/dynamic_c.rs: written for the test, compiled by
 * tests/build.rs with the leg's C compiler. Each walks its arguments with va_arg as the
 * format says and mixes what it read; the Rust side computes the same mix. */
#include <stdarg.h>
#include <stdint.h>
#include <string.h>

uint64_t abi_test_mix(uint64_t h, uint64_t v) { return (h ^ v) * 1099511628211ull + 7; }

static uint64_t bits_d(double d) {
    uint64_t u;
    memcpy(&u, &d, sizeof u);
    return u;
}

/* 'i' int, 'u' unsigned, 'l' long long, 'p' pointer, 'd' double. */
uint64_t abi_test_vmix(const char *fmt, int32_t n, ...) {
    va_list ap;
    va_start(ap, n);
    uint64_t h = abi_test_mix(3, (uint64_t)(int64_t)n);
    for (const char *p = fmt; *p; p++) {
        switch (*p) {
        case 'i': h = abi_test_mix(h, (uint64_t)(int64_t)va_arg(ap, int)); break;
        case 'u': h = abi_test_mix(h, (uint64_t)va_arg(ap, unsigned)); break;
        case 'l': h = abi_test_mix(h, (uint64_t)va_arg(ap, long long)); break;
        case 'p': h = abi_test_mix(h, (uint64_t)(uintptr_t)va_arg(ap, void *)); break;
        case 'd': h = abi_test_mix(h, bits_d(va_arg(ap, double))); break;
        default: return 0;
        }
    }
    va_end(ap);
    return h;
}

/* The sum of n doubles. */
double abi_test_vsum(int32_t n, ...) {
    va_list ap;
    va_start(ap, n);
    double s = 0;
    for (int32_t i = 0; i < n; i++) s += va_arg(ap, double);
    va_end(ap);
    return s;
}

/* A struct of two doubles: a float aggregate where conventions have them. */
struct abi_test_dd {
    double a, b;
};

/* A fixed struct, then n variadic ones of the same type. */
uint64_t abi_test_vstructs(struct abi_test_dd first, int32_t n, ...) {
    va_list ap;
    va_start(ap, n);
    uint64_t h = abi_test_mix(abi_test_mix(11, bits_d(first.a)), bits_d(first.b));
    h = abi_test_mix(h, (uint64_t)(int64_t)n);
    for (int32_t i = 0; i < n; i++) {
        struct abi_test_dd s = va_arg(ap, struct abi_test_dd);
        h = abi_test_mix(abi_test_mix(h, bits_d(s.a)), bits_d(s.b));
    }
    va_end(ap);
    return h;
}
