//! The model registry stand-in of the mocks: models with an owner, serving terms, versions, a
//! status and whether their shares were issued, kept per test thread. The real registry is
//! `pallet-model-registry`; this one lets a pallet's tests set any state directly.

use modelchain_primitives::{
	Balance, ModelId, ModelRegistryInterface, ModelVersionRef, ServingInfo,
};
use sp_runtime::{DispatchError, DispatchResult, Perbill};
use std::{any::Any, cell::RefCell, collections::BTreeMap, marker::PhantomData};

/// A model of the stand-in registry.
#[derive(Clone, Debug)]
pub struct StubModel<AccountId> {
	/// Its owner (`serving.creator`), active version and terms.
	pub serving: ServingInfo<AccountId, Balance>,
	/// Versions registered: `0..versions`.
	pub versions: u32,
	/// Serving (not paused or retired).
	pub active: bool,
	/// Its shares were issued.
	pub shares_issued: bool,
}

impl<AccountId> StubModel<AccountId> {
	/// An active model of `owner` with one version, free to use, no royalty, redundancy 3.
	pub fn new(model: ModelId, owner: AccountId) -> Self {
		Self {
			serving: ServingInfo {
				creator: owner,
				version: ModelVersionRef { model, version: 0 },
				price: 0,
				output_precision: 0,
				creator_royalty: Perbill::zero(),
				miners_share: Perbill::zero(),
				redundancy: 3,
			},
			versions: 1,
			active: true,
			shares_issued: false,
		}
	}
}

thread_local! {
	/// The models of the test running on this thread (`StubModel<AccountId>` of its mock).
	static MODELS: RefCell<BTreeMap<ModelId, Box<dyn Any>>> = RefCell::new(BTreeMap::new());
}

/// The registry stand-in for a mock whose accounts are `AccountId`.
pub struct StubRegistry<AccountId>(PhantomData<AccountId>);

impl<AccountId: Clone + 'static> StubRegistry<AccountId> {
	/// Forgets every model (call it when building a test's externalities).
	pub fn clear() {
		MODELS.with(|models| models.borrow_mut().clear());
	}

	/// Sets `model` as it is given.
	pub fn insert(model: ModelId, stub: StubModel<AccountId>) {
		MODELS.with(|models| models.borrow_mut().insert(model, Box::new(stub)));
	}

	/// Registers an active model of `owner` with the next free id and `versions` versions
	/// (version 0 active); returns its id.
	pub fn register(owner: AccountId, versions: u32) -> ModelId {
		let model = MODELS.with(|models| {
			models.borrow().last_key_value().map_or(0, |(last, _)| last.saturating_add(1))
		});
		let mut stub = StubModel::new(model, owner);
		stub.versions = versions;
		Self::insert(model, stub);
		model
	}

	/// `model`, if it exists.
	pub fn get(model: ModelId) -> Option<StubModel<AccountId>> {
		MODELS.with(|models| {
			models.borrow().get(&model).and_then(|stub| stub.downcast_ref().cloned())
		})
	}

	/// Changes `model` with `change`; panics if it does not exist.
	pub fn modify(model: ModelId, change: impl FnOnce(&mut StubModel<AccountId>)) {
		MODELS.with(|models| {
			let mut models = models.borrow_mut();
			let stub = models
				.get_mut(&model)
				.and_then(|stub| stub.downcast_mut())
				.unwrap_or_else(|| panic!("no model {model} in the stand-in registry"));
			change(stub)
		})
	}

	/// Serves `model` on `serving` (its owner is `serving.creator`), registering it, active,
	/// if it does not exist.
	pub fn set_serving(model: ModelId, serving: ServingInfo<AccountId, Balance>) {
		match Self::get(model) {
			Some(_) => Self::modify(model, |stub| stub.serving = serving),
			None => {
				let mut stub = StubModel::new(model, serving.creator.clone());
				stub.versions = serving.version.version.saturating_add(1);
				stub.serving = serving;
				Self::insert(model, stub);
			}
		}
	}

	/// Marks `model`'s shares issued or not.
	pub fn set_shares_issued(model: ModelId, issued: bool) {
		Self::modify(model, |stub| stub.shares_issued = issued);
	}

	/// Pauses or resumes `model`.
	pub fn set_active(model: ModelId, active: bool) {
		Self::modify(model, |stub| stub.active = active);
	}

	/// Makes `version` of `model` its active version, registering versions up to it.
	pub fn force_activate(model: ModelId, version: u32) {
		Self::modify(model, |stub| {
			stub.versions = stub.versions.max(version.saturating_add(1));
			stub.serving.version.version = version;
		});
	}
}

impl<AccountId: Clone + 'static> ModelRegistryInterface<AccountId, Balance>
	for StubRegistry<AccountId>
{
	fn owner(model: ModelId) -> Option<AccountId> {
		Self::get(model).map(|stub| stub.serving.creator)
	}
	fn name_and_symbol(model: ModelId) -> Option<(Vec<u8>, Vec<u8>)> {
		Self::get(model)
			.map(|_| (format!("Model {model}").into_bytes(), format!("M{model}").into_bytes()))
	}
	fn is_active(model: ModelId) -> bool {
		Self::get(model).is_some_and(|stub| stub.active)
	}
	fn serving_info(model: ModelId) -> Option<ServingInfo<AccountId, Balance>> {
		Self::get(model).filter(|stub| stub.active).map(|stub| stub.serving)
	}
	fn is_inactive_version(version: &ModelVersionRef) -> bool {
		Self::get(version.model).is_some_and(|stub| {
			stub.active
				&& version.version < stub.versions
				&& version.version != stub.serving.version.version
		})
	}
	fn note_shares_issued(model: ModelId) -> DispatchResult {
		Self::modify(model, |stub| stub.shares_issued = true);
		Ok(())
	}
	fn shares_issued(model: ModelId) -> bool {
		Self::get(model).is_some_and(|stub| stub.shares_issued)
	}
	fn activate_version(version: &ModelVersionRef) -> DispatchResult {
		if !Self::is_inactive_version(version) {
			return Err(DispatchError::Other("not a candidate version"));
		}
		Self::force_activate(version.model, version.version);
		Ok(())
	}
}
