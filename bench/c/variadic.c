/* The variadic function of the dynamic-call benchmark (bench/benches/dynamic.rs):
 * two fixed arguments, then `n` values read as the format says. */
#include <stdarg.h>
#include <stdint.h>

double abi_bench_vsum(const char *fmt, int32_t n, ...) {
    va_list ap;
    va_start(ap, n);
    double s = 0;
    for (int32_t i = 0; i < n; i++) {
        if (fmt[i] == 'd') s += va_arg(ap, double);
        else s += (double)va_arg(ap, long long);
    }
    va_end(ap);
    return s;
}
