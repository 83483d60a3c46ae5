//! What the pallets' mock runtimes share (a dev-dependency only; nothing here reaches a
//! runtime): externalities that check a pallet's invariants after every test, and the model
//! registry stand-in ([`registry::StubRegistry`]).

pub mod registry;

/// A pallet's invariants: its `do_try_state`.
pub type Invariants = fn() -> Result<(), sp_runtime::TryRuntimeError>;

/// Test externalities that check a pallet's invariants after every `execute_with`, so that
/// every test also checks them at its end (and a benchmark test after each run).
pub struct CheckedExt {
	ext: sp_io::TestExternalities,
	invariants: Invariants,
}

impl CheckedExt {
	/// `ext`, checked with `invariants`.
	pub fn new(ext: sp_io::TestExternalities, invariants: Invariants) -> Self {
		Self { ext, invariants }
	}

	/// Runs `test`, then checks the invariants; panics, naming the broken one, if one fails.
	pub fn execute_with<R>(&mut self, test: impl FnOnce() -> R) -> R {
		let invariants = self.invariants;
		self.ext.execute_with(|| {
			let result = test();
			if let Err(broken) = invariants() {
				panic!("an invariant is broken after the test: {broken:?}");
			}
			result
		})
	}
}

impl core::ops::Deref for CheckedExt {
	type Target = sp_io::TestExternalities;
	fn deref(&self) -> &Self::Target {
		&self.ext
	}
}

impl core::ops::DerefMut for CheckedExt {
	fn deref_mut(&mut self) -> &mut Self::Target {
		&mut self.ext
	}
}
