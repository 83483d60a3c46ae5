//! Runtime configuration, split by concern: one file per area, so each concern's parameters can
//! be read in one place.

pub mod access;
pub mod assets;
pub mod channels;
pub mod compute;
pub mod consensus;
pub mod currency;
pub mod governance;
pub mod inference;
pub mod models;
pub mod system;

pub use system::{RuntimeBlockLength, RuntimeBlockWeights};
