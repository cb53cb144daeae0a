//! `count-getppid NAME N`: runs one candidate loop N times, for callgrind.
use abi_bench::GETPPID_LOOPS;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (Some(name), Some(n)) = (args.get(1), args.get(2).and_then(|n| n.parse().ok())) else {
        let names: Vec<&str> = GETPPID_LOOPS.iter().map(|(n, _)| *n).collect();
        eprintln!("usage: count-getppid NAME N   (NAME: {})", names.join(", "));
        std::process::exit(2);
    };
    match GETPPID_LOOPS.iter().find(|(k, _)| k == name) {
        Some((_, f)) => f(n),
        None => {
            eprintln!("unknown candidate `{name}`");
            std::process::exit(2);
        }
    }
}
