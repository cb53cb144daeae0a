//! `count-stubs GROUP/NAME N`: runs one candidate loop N times, for callgrind
//! or qemu's instruction log. Without arguments, lists the candidates.
fn main() {
    // Keep the out-of-line stubs in the binary for `nm -S` (cargo xtask bench).
    std::hint::black_box([
        abi_bench::sizes::size_getppid_abi_bridge as *const (),
        abi_bench::sizes::size_getppid_hand_asm as *const (),
    ]);
    #[cfg(any(
        target_arch = "x86_64",
        target_arch = "aarch64",
        target_arch = "riscv64"
    ))]
    std::hint::black_box([
        abi_bench::sizes::size_mmap_abi_bridge as *const (),
        abi_bench::sizes::size_mmap_hand_asm as *const (),
    ]);
    let groups = abi_bench::groups();
    let args: Vec<String> = std::env::args().collect();
    let (Some(which), Some(n)) = (args.get(1), args.get(2).and_then(|n| n.parse().ok())) else {
        for (g, loops) in &groups {
            for (name, _) in loops {
                println!("{g}/{name}");
            }
        }
        return;
    };
    let found = groups.iter().find_map(|(g, loops)| {
        let name = which.strip_prefix(g)?.strip_prefix('/')?;
        loops.iter().find(|(k, _)| *k == name).map(|(_, f)| *f)
    });
    match found {
        Some(f) => f(n),
        None => {
            eprintln!("unknown candidate `{which}`; run without arguments for the list");
            std::process::exit(2);
        }
    }
}
