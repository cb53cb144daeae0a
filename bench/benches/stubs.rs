//! Time per call of each stub candidate, in one run.
use criterion::{Criterion, criterion_group, criterion_main};

fn stubs(c: &mut Criterion) {
    for (group, loops) in abi_bench::groups() {
        let mut g = c.benchmark_group(group);
        for (name, f) in loops {
            g.bench_function(name, |b| b.iter(|| f(1)));
        }
        g.finish();
    }
}

criterion_group!(benches, stubs);
criterion_main!(benches);
