//! Helpers shared by the runtime's integration tests.
#![allow(dead_code)]

use frame_support::genesis_builder_helper::build_state;
use modelchain_runtime::{genesis_config_presets::get_preset, RuntimeGenesisConfig};
use serde_json::Value;
use sp_genesis_builder::PresetId;

/// Overlays `patch` on `base` the way chain specs do: objects merge key by key, anything else
/// replaces.
pub fn merge(base: &mut Value, patch: Value) {
	match (base, patch) {
		(Value::Object(base), Value::Object(patch)) => {
			for (key, value) in patch {
				merge(base.entry(key).or_insert(Value::Null), value);
			}
		}
		(base, patch) => *base = patch,
	}
}

/// Builds the genesis state of `preset` and runs `check` in it.
pub fn with_genesis(preset: &str, check: impl FnOnce()) {
	let patch: Value =
		serde_json::from_slice(&get_preset(&PresetId::from(preset)).expect("preset exists"))
			.expect("preset is JSON");
	let mut config = serde_json::to_value(RuntimeGenesisConfig::default()).expect("serializes");
	merge(&mut config, patch);
	let mut ext = sp_io::TestExternalities::default();
	ext.execute_with(|| {
		build_state::<RuntimeGenesisConfig>(serde_json::to_vec(&config).expect("serializes"))
			.expect("genesis builds");
		check();
	});
}
