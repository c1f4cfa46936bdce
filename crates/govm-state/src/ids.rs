//! The fixed-size identifiers of the store, and how messages show them.

/// A 20-byte address.
pub type AddressBytes = [u8; 20];
/// A 32-byte object ID.
pub type ObjectIdBytes = [u8; 32];
/// A 32-byte hash.
pub type HashBytes = [u8; 32];

/// Lowercase hex without `0x`, for error messages.
pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
