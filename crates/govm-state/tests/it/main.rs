//! The store against a reference model, on both backends; and durability of the redb backend.
#![allow(clippy::unwrap_used)]

mod model;
mod persistence;
