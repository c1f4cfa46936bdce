//! Validation of the contracts under testdata/, and the golden files derived from them.
#![allow(clippy::unwrap_used)]

mod golden;
mod invalid;
mod robust;
