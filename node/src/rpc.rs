//! The node's RPC extensions beyond Substrate's built-in `system_*`, `author_*`, `chain_*` and
//! `state_*`: account nonces (`system_accountNextIndex`), transaction fees (`payment_*`), and
//! ModelChain's own `modelchain_quoteFee` and `modelchain_pendingRevenue` (answers of the
//! runtime APIs as plain JSON for clients without a SCALE codec, e.g. `curl`).

use std::sync::Arc;

use jsonrpsee::{types::ErrorObjectOwned, RpcModule};
use modelchain_primitives::{InferenceApi, ModelId, ModelSharesApi};
use modelchain_runtime::{opaque::Block, AccountId, Balance, InferenceJob, InferenceOutput, Nonce};
use sc_transaction_pool_api::TransactionPool;
use serde_json::{json, Value};
use sp_api::ProvideRuntimeApi;
use sp_block_builder::BlockBuilder;
use sp_blockchain::{Error as BlockChainError, HeaderBackend, HeaderMetadata};

/// What the RPC extensions need from the node.
pub struct FullDeps<C, P> {
	/// The client instance to use.
	pub client: Arc<C>,
	/// Transaction pool instance.
	pub pool: Arc<P>,
}

/// Builds the RPC extensions of a full node.
pub fn create_full<C, P>(
	deps: FullDeps<C, P>,
) -> Result<RpcModule<()>, Box<dyn std::error::Error + Send + Sync>>
where
	C: ProvideRuntimeApi<Block>,
	C: HeaderBackend<Block> + HeaderMetadata<Block, Error = BlockChainError> + 'static,
	C: Send + Sync + 'static,
	C::Api: substrate_frame_rpc_system::AccountNonceApi<Block, AccountId, Nonce>,
	C::Api: pallet_transaction_payment_rpc::TransactionPaymentRuntimeApi<Block, Balance>,
	C::Api: BlockBuilder<Block>,
	C::Api: InferenceApi<Block, AccountId, InferenceJob, InferenceOutput>,
	C::Api: ModelSharesApi<Block, AccountId>,
	P: TransactionPool + 'static,
{
	use pallet_transaction_payment_rpc::{TransactionPayment, TransactionPaymentApiServer};
	use substrate_frame_rpc_system::{System, SystemApiServer};

	let mut module = RpcModule::new(());
	let FullDeps { client, pool } = deps;

	module.merge(System::new(client.clone(), pool).into_rpc())?;
	module.merge(TransactionPayment::new(client.clone()).into_rpc())?;
	module.merge(modelchain_methods(client)?)?;

	Ok(module)
}

/// An RPC error for a failed runtime API call.
fn runtime_error(error: impl std::fmt::Display) -> ErrorObjectOwned {
	ErrorObjectOwned::owned(9000, format!("runtime API call failed: {error}"), None::<()>)
}

/// An account given as SS58 (any network prefix) or as its 32-byte public key in hex (`0x…`).
fn parse_account(text: &str) -> Result<AccountId, ErrorObjectOwned> {
	use sp_core::crypto::Ss58Codec;
	const EXPECTED: &str = "give an SS58 address or a 0x-prefixed 32-byte public key";
	let invalid = |why: &str| {
		ErrorObjectOwned::owned(
			jsonrpsee::types::error::INVALID_PARAMS_CODE,
			format!("account {text:?}: {why}; {EXPECTED}"),
			None::<()>,
		)
	};
	if let Some(hex) = text.strip_prefix("0x") {
		let bytes = sp_core::bytes::from_hex(hex).map_err(|_| invalid("not hex"))?;
		let raw = <[u8; 32]>::try_from(bytes.as_slice()).map_err(|_| invalid("not 32 bytes"))?;
		return Ok(AccountId::from(raw));
	}
	AccountId::from_ss58check(text).map_err(|_| invalid("not a valid SS58 address"))
}

/// `modelchain_quoteFee(model, at?)` and `modelchain_pendingRevenue(model, account, at?)`
/// (`account`: SS58 or 0x-hex public key), at the best block unless `at` (a block hash) is given. Balances are decimal strings: they exceed
/// JavaScript's safe integers.
fn modelchain_methods<C>(
	client: Arc<C>,
) -> Result<RpcModule<()>, Box<dyn std::error::Error + Send + Sync>>
where
	C: ProvideRuntimeApi<Block> + HeaderBackend<Block> + Send + Sync + 'static,
	C::Api: InferenceApi<Block, AccountId, InferenceJob, InferenceOutput>,
	C::Api: ModelSharesApi<Block, AccountId>,
{
	let mut module = RpcModule::new(());

	let quote_client = client.clone();
	module.register_method(
		"modelchain_quoteFee",
		move |params, _, _| -> Result<Option<Value>, ErrorObjectOwned> {
			let mut args = params.sequence();
			let model: ModelId = args.next()?;
			let at = args.optional_next()?.unwrap_or_else(|| quote_client.info().best_hash);
			let quote = quote_client.runtime_api().quote_fee(at, model).map_err(runtime_error)?;
			Ok(quote.map(|split| {
				json!({
					"fee": split.fee.to_string(),
					"treasury": split.treasury.to_string(),
					"creator": split.creator.to_string(),
					"perMiner": split.per_miner.to_string(),
					"miners": split.miners.to_string(),
					"holders": split.holders.to_string(),
				})
			}))
		},
	)?;

	module.register_method(
		"modelchain_pendingRevenue",
		move |params, _, _| -> Result<String, ErrorObjectOwned> {
			let mut args = params.sequence();
			let model: ModelId = args.next()?;
			let who = parse_account(&args.next::<String>()?)?;
			let at = args.optional_next()?.unwrap_or_else(|| client.info().best_hash);
			let pending: Balance =
				client.runtime_api().pending_revenue(at, model, who).map_err(runtime_error)?;
			Ok(pending.to_string())
		},
	)?;

	Ok(module)
}
