//! The portable error classes an errno table may give its codes (`kind =
//! "NotFound"`), which `abi_runtime::ErrorKind` mirrors variant for variant.
//! They are the classes `std::io::ErrorKind` sorts OS error codes into, under
//! std's names, on Unix, WASI and Windows (including the ones std has not
//! stabilised yet, `FilesystemLoop`, `InProgress` and `Uncategorized`).

/// Every class, by name. `Uncategorized` is the class of a code with no `kind`.
pub const NAMES: [&str; 38] = [
    "AddrInUse",
    "AddrNotAvailable",
    "AlreadyExists",
    "ArgumentListTooLong",
    "BrokenPipe",
    "ConnectionAborted",
    "ConnectionRefused",
    "ConnectionReset",
    "CrossesDevices",
    "Deadlock",
    "DirectoryNotEmpty",
    "ExecutableFileBusy",
    "FileTooLarge",
    "FilesystemLoop",
    "HostUnreachable",
    "InProgress",
    "Interrupted",
    "InvalidFilename",
    "InvalidInput",
    "IsADirectory",
    "NetworkDown",
    "NetworkUnreachable",
    "NotADirectory",
    "NotConnected",
    "NotFound",
    "NotSeekable",
    "OutOfMemory",
    "PermissionDenied",
    "QuotaExceeded",
    "ReadOnlyFilesystem",
    "ResourceBusy",
    "StaleNetworkFileHandle",
    "StorageFull",
    "TimedOut",
    "TooManyLinks",
    "Uncategorized",
    "Unsupported",
    "WouldBlock",
];

/// The class of a code whose entry names none.
pub const UNCATEGORIZED: &str = "Uncategorized";
