//! Time per call of each getppid implementation, in one run.
use criterion::{Criterion, criterion_group, criterion_main};

fn getppid(c: &mut Criterion) {
    let mut g = c.benchmark_group("getppid");
    for (name, f) in abi_bench::GETPPID_LOOPS {
        g.bench_function(*name, |b| b.iter(|| f(1)));
    }
    g.finish();
}

criterion_group!(benches, getppid);
criterion_main!(benches);
