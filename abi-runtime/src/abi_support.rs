//! Why dynamic calls ([`crate::abi`]) do not work on a target.

use core::fmt;

/// Dynamic calls are not supported on this target: its spec files give the
/// trampolines no way to call or be called with its conventions yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unsupported {
    pub(crate) target: &'static str,
    pub(crate) reason: &'static str,
}

impl Unsupported {
    /// The target's spec name (`linux-armv7`).
    pub fn target(&self) -> &'static str {
        self.target
    }

    /// What the spec files lack, naming the file to change.
    pub fn reason(&self) -> &'static str {
        self.reason
    }
}

impl fmt::Display for Unsupported {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "dynamic calls are not supported on {}: {}",
            self.target, self.reason
        )
    }
}

impl core::error::Error for Unsupported {}
