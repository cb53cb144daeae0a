//! Call tracing (`--features trace`): the hook sees every bridged call with
//! its name, arguments and raw result, on every target. Without the feature
//! this file is empty; `cargo xtask matrix` runs it with the feature on each leg.
#![cfg(feature = "trace")]

use std::sync::Mutex;

use abi_runtime::platform;
use abi_runtime::trace::{self, Event, Hook};

#[derive(Debug, Clone, PartialEq, Eq)]
struct Seen {
    name: &'static str,
    args: Vec<usize>,
    result: Option<usize>,
}

static SEEN: Mutex<Vec<Seen>> = Mutex::new(Vec::new());

fn now() -> u64 {
    use std::sync::OnceLock;
    static START: OnceLock<std::time::Instant> = OnceLock::new();
    START
        .get_or_init(std::time::Instant::now)
        .elapsed()
        .as_nanos() as u64
}

fn record(e: &Event<'_>) {
    SEEN.lock().unwrap().push(Seen {
        name: e.name,
        args: e.args.to_vec(),
        result: e.result,
    });
}

static HOOK: Hook = Hook { now, record };

#[test]
fn hook_sees_bridged_calls() {
    trace::set_hook(Some(&HOOK));
    let mut buf = [0u8; 24];
    platform::random(&mut buf).unwrap();
    let missing = platform::File::open("abi-bridge-surely-missing-file");
    trace::set_hook(None);
    platform::random(&mut buf).unwrap();

    let seen = SEEN.lock().unwrap().clone();
    // The random call names the buffer's address and length, whatever the OS calls it.
    let random = seen
        .iter()
        .find(|s| ["getrandom", "ProcessPrng", "random_get"].contains(&s.name))
        .unwrap_or_else(|| panic!("no random call in {seen:?}"));
    assert_eq!(random.args[0], buf.as_ptr() as usize, "{random:?}");
    assert_eq!(random.args[1], buf.len(), "{random:?}");
    assert!(random.result.is_some());
    // The failed open shows up with its raw failure.
    assert!(missing.is_err());
    let open = seen
        .iter()
        .find(|s| ["openat", "CreateFileW", "path_open"].contains(&s.name))
        .unwrap_or_else(|| panic!("no open call in {seen:?}"));
    assert!(open.result.is_some());
    // Nothing is recorded once the hook is removed: exactly one random call seen.
    let randoms = seen.iter().filter(|s| s.name == random.name).count();
    assert_eq!(randoms, 1, "{seen:?}");
}
