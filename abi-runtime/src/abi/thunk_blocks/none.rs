//! An OS without a backend: callbacks report [`MapError::Unsupported`].

use super::MapError;

pub(super) fn yield_now() {}

pub(super) fn code_object(_thunk: &[u8], _block: usize) -> Result<usize, MapError> {
    Err(MapError::Unsupported)
}

pub(super) fn map_pair(_code: usize, _block: usize) -> Result<*mut u8, MapError> {
    Err(MapError::Unsupported)
}
