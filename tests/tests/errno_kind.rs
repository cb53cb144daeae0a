//! `Errno::kind()` against std: for every code of the errno table of the
//! target the suite runs on (Linux, WASI, Windows), the portable class is the
//! one `std::io::Error::from_raw_os_error(code).kind()` gives.

use abi_runtime::{Errno, ErrorKind};

/// std's name for the class of a raw OS code (its `Debug`, which names the
/// unstable classes too).
fn std_kind(code: i32) -> String {
    format!("{:?}", std::io::Error::from_raw_os_error(code).kind())
}

#[test]
fn every_code_of_the_table_has_std_kind() {
    assert!(
        Errno::KNOWN.len() >= 40,
        "the errno table of this target has {} codes",
        Errno::KNOWN.len()
    );
    let mut wrong = Vec::new();
    for &e in Errno::KNOWN {
        let ours = format!("{:?}", e.kind());
        let std = std_kind(e.raw());
        if ours != std {
            wrong.push(format!(
                "{} ({}): kind {ours}, std says {std}",
                e.name(),
                e.raw()
            ));
        }
    }
    assert!(
        wrong.is_empty(),
        "{} codes differ:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}

#[test]
fn codes_outside_the_table_are_uncategorized_like_std() {
    for code in [99_999, 0x7ff0_0000] {
        assert!(!Errno::KNOWN.contains(&Errno::from_raw(code)));
        assert_eq!(Errno::from_raw(code).kind(), ErrorKind::Uncategorized);
        assert_eq!(std_kind(code), "Uncategorized");
    }
}

#[test]
fn the_std_conversion_keeps_the_class() {
    for &e in Errno::KNOWN {
        let io: std::io::Error = e.into();
        let converted = std::io::ErrorKind::from(e.kind());
        match e.kind() {
            ErrorKind::FilesystemLoop | ErrorKind::InProgress | ErrorKind::Uncategorized => {
                assert_eq!(converted, std::io::ErrorKind::Other, "{e:?}");
            }
            _ => assert_eq!(converted, io.kind(), "{e:?}"),
        }
    }
}

#[test]
fn known_is_sorted_and_names_every_code() {
    assert!(Errno::KNOWN.windows(2).all(|w| w[0].raw() < w[1].raw()));
    for &e in Errno::KNOWN {
        assert_ne!(e.name(), "UNKNOWN", "{}", e.raw());
        assert_eq!(Errno::from_raw(e.raw()), e);
    }
}
