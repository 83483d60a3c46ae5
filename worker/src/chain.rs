//! The worker's view of the chain, through subxt against the node's own metadata (dynamic
//! calls and storage, decoded into the typed views below): no generated code to keep in step
//! with the runtime, and a clear error naming the field if the runtime changes shape.

use std::time::Duration;

use anyhow::{anyhow, bail, Context, Result};
use scale_decode::DecodeAsType;
use subxt::{
	config::polkadot::PolkadotExtrinsicParamsBuilder,
	dynamic::{self, Value},
	rpcs::{LegacyRpcMethods, RpcClient},
	utils::AccountId32,
	OnlineClient, PolkadotConfig,
};
use subxt_signer::sr25519::Keypair;
use tokio::sync::Mutex;

/// ModelChain's client configuration: Polkadot's account, signature and extension types.
pub type ChainConfig = PolkadotConfig;
/// A job id.
pub type JobId = u64;

/// A model version as the chain names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, DecodeAsType, serde::Serialize)]
pub struct VersionRef {
	/// The model.
	pub model: u32,
	/// Index in the model's version history.
	pub version: u32,
}

/// The fields of `ModelRegistry::Models` the worker reads.
#[derive(Debug, DecodeAsType)]
pub struct ModelView {
	/// The version jobs run on.
	pub active_version: u32,
}

/// The fields of `ModelRegistry::Versions` the worker reads.
#[derive(Debug, DecodeAsType)]
pub struct VersionView {
	/// sha256 of the weights file.
	pub weights_hash: [u8; 32],
	/// Where the weights can be fetched.
	pub weights_uri: Vec<u8>,
	/// The file's format.
	pub format: WeightsFormat,
}

/// `ModelRegistry`'s `WeightsFormat`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, DecodeAsType)]
pub enum WeightsFormat {
	/// ONNX (no engine in this worker).
	Onnx,
	/// safetensors: the digits engine.
	Safetensors,
	/// GGUF: the language-model engine.
	Gguf,
}

impl VersionView {
	/// What the engine checks a weights file against.
	pub fn expected(&self) -> crate::engine::Expected {
		crate::engine::Expected { sha256: self.weights_hash, format: format!("{:?}", self.format) }
	}
}

/// A job's input.
#[derive(Debug, Clone, DecodeAsType)]
pub enum JobInput {
	/// The bytes themselves.
	Inline(Vec<u8>),
	/// Where to fetch them, and their blake2-256 hash.
	Remote {
		/// Where the input is.
		uri: Vec<u8>,
		/// blake2-256 of the input.
		hash: [u8; 32],
	},
}

/// One assigned miner's progress.
#[derive(Debug, Clone, DecodeAsType)]
pub struct AssignmentView {
	/// The miner.
	pub miner: AccountId32,
	/// Its commitment, once posted.
	pub commitment: Option<[u8; 32]>,
	/// Hash of its revealed output, once revealed.
	pub revealed: Option<[u8; 32]>,
}

/// How a job ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, DecodeAsType)]
pub enum JobOutcome {
	/// Paid out.
	Settled,
	/// Refunded: too few commitments or no majority.
	NoQuorum,
	/// Refunded: a verdict contradicted the majority.
	Overturned,
	/// Refunded: too few eligible miners were left when its miners were drawn.
	Unassigned,
}

/// Where a job is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, DecodeAsType)]
pub enum JobPhase {
	/// Miners commit.
	Commit,
	/// Miners reveal.
	Reveal,
	/// A majority agreed; challenge window.
	Challenge {
		/// Hash of the winning output.
		winner: [u8; 32],
	},
	/// No majority; waiting for a verdict.
	Disputed,
	/// Finished.
	Finished(JobOutcome),
	/// Waiting for its miners (drawn in a later block than the request's).
	Assigning,
}

/// The fields of `Inference::Jobs` the worker reads.
#[derive(Debug, Clone, DecodeAsType)]
pub struct JobView {
	/// The version that runs the job.
	pub version: VersionRef,
	/// The input.
	pub input: JobInput,
	/// The assigned miners.
	pub assignments: Vec<AssignmentView>,
	/// Current phase.
	pub phase: JobPhase,
	/// End of the current phase.
	pub deadline: u32,
}

impl JobView {
	/// This miner's assignment, if it was picked.
	pub fn assignment(&self, miner: &AccountId32) -> Option<&AssignmentView> {
		self.assignments.iter().find(|assignment| &assignment.miner == miner)
	}
}

/// The fields of `ComputeStaking::Workers` that `status` shows.
#[derive(Debug, DecodeAsType, serde::Serialize)]
pub struct WorkerView {
	/// HTTP endpoint.
	pub endpoint: Vec<u8>,
	/// Bonded stake.
	pub active_bond: u128,
	/// Versions served.
	pub versions: Vec<VersionRef>,
	/// Reputation score.
	pub reputation: u32,
	/// Jailed until this block, if jailed.
	pub jailed_until: Option<u32>,
}

/// `Inference::JobAssigned`: a job's miners were drawn (in a later block than its request).
#[derive(Debug, DecodeAsType)]
pub struct JobAssigned {
	/// The job.
	pub job: JobId,
	/// The miners picked.
	pub miners: Vec<AccountId32>,
}

/// `Inference::RevealPhaseStarted`: a job's commit phase ended with enough commitments.
#[derive(Debug, DecodeAsType)]
pub struct RevealPhaseStarted {
	/// The job.
	pub job: JobId,
}

/// `QueryChannels::AuditDrawn`: a receipt of one of this miner's claims is audited.
#[derive(Debug, Clone, DecodeAsType)]
pub struct AuditDrawn {
	/// The audit.
	pub audit: u64,
	/// The channel claimed.
	pub channel: u64,
	/// The miner that must reveal.
	pub miner: AccountId32,
	/// The receipt drawn (from 0).
	pub index: u64,
	/// How many receipts the claimed root commits to.
	pub count: u64,
	/// Reveal before this block.
	pub deadline: u64,
}

/// A connection to a node, with the worker's signing key.
pub struct Chain {
	/// The subxt client.
	pub api: OnlineClient<ChainConfig>,
	rpc: LegacyRpcMethods<subxt::config::RpcConfigFor<ChainConfig>>,
	signer: Keypair,
	account: AccountId32,
	/// The last nonce used; one submission at a time, so nonces are handed out in order.
	last_nonce: Mutex<Option<u64>>,
}

/// A submitted transaction's outcome, once in a best block.
pub struct Included {
	/// The events it emitted; `None` if the block could not be read back (e.g. it was
	/// replaced by another best block; the chain's state then tells what happened).
	pub raw: Option<subxt::extrinsics::ExtrinsicEvents<ChainConfig>>,
}

impl Included {
	/// The fields of the `pallet.event` the transaction emitted (the last, if several), or an
	/// error saying it is missing.
	pub fn event<E: scale_decode::DecodeAsFields>(&self, pallet: &str, name: &str) -> Result<E> {
		let events = self.raw.as_ref().context("the transaction's block could not be read back")?;
		let mut found = None;
		for event in events.iter() {
			let event = event?;
			if event.pallet_name() == pallet && event.event_name() == name {
				found = Some(event.decode_fields_unchecked_as::<E>()?);
			}
		}
		found.with_context(|| format!("no {pallet}.{name} event"))
	}
}

/// The chain at one block, for consistent reads.
pub type AtBlock =
	subxt::client::ClientAtBlock<ChainConfig, subxt::client::OnlineClientAtBlockImpl<ChainConfig>>;

impl Chain {
	/// Connects to `url`.
	pub async fn connect(url: &str, signer: Keypair) -> Result<Self> {
		let rpc = RpcClient::from_insecure_url(url)
			.await
			.with_context(|| format!("connecting to {url}"))?;
		let api = OnlineClient::<ChainConfig>::from_rpc_client(rpc.clone())
			.await
			.with_context(|| format!("reading the chain's metadata from {url}"))?;
		let account = signer.public_key().to_account_id();
		Ok(Self {
			api,
			rpc: LegacyRpcMethods::new(rpc),
			signer,
			account,
			last_nonce: Mutex::new(None),
		})
	}

	/// Connects, retrying every `every` until `attempts` are used up.
	pub async fn connect_retrying(
		url: &str,
		signer: &Keypair,
		attempts: u32,
		every: Duration,
	) -> Result<Self> {
		let mut last = anyhow!("no attempt made");
		for attempt in 1..=attempts.max(1) {
			match Self::connect(url, signer.clone()).await {
				Ok(chain) => return Ok(chain),
				Err(error) => {
					log::warn!("connecting to {url} (attempt {attempt}/{attempts}): {error:#}");
					last = error;
					tokio::time::sleep(every).await;
				}
			}
		}
		Err(last)
	}

	/// The worker's account.
	pub fn account(&self) -> &AccountId32 {
		&self.account
	}

	/// Signs and submits `pallet.call(args)`; resolves once it is in a best block, with its
	/// events, or fails with the dispatch error (`Pallet.Error`) if it failed.
	pub async fn submit<Args>(&self, pallet: &str, call: &str, args: Args) -> Result<Included>
	where
		Args: subxt::ext::scale_encode::EncodeAsFields,
	{
		let payload = dynamic::transaction(pallet, call, args);
		let mut progress = {
			let mut last = self.last_nonce.lock().await;
			let from_node = self
				.rpc
				.system_account_next_index(&self.account)
				.await
				.context("reading the account's next nonce")?;
			// The node's answer can lag a transaction handed over a moment ago.
			let nonce = last.map_or(from_node, |last| from_node.max(last.saturating_add(1)));
			let params = PolkadotExtrinsicParamsBuilder::<ChainConfig>::new().nonce(nonce).build();
			let submitted = async {
				self.api
					.tx()
					.await?
					.sign_and_submit_then_watch(&payload, &self.signer, params)
					.await
					.map_err(anyhow::Error::from)
			}
			.await;
			match submitted {
				Ok(progress) => {
					*last = Some(nonce);
					progress
				}
				Err(error) => {
					// Start again from the node's view rather than leave a gap.
					*last = None;
					return Err(error.context(format!("submitting {pallet}.{call}")));
				}
			}
		};
		while let Some(status) = progress.next().await {
			use subxt::tx::TransactionStatus as S;
			match status? {
				S::InBestBlock(in_block) | S::InFinalizedBlock(in_block) => {
					use subxt::error::TransactionEventsError as E;
					return match in_block.wait_for_success().await {
						Ok(raw) => Ok(Included { raw: Some(raw) }),
						Err(
							error @ (E::ExtrinsicFailed(_) | E::CannotDecodeDispatchError { .. }),
						) => {
							bail!("{pallet}.{call} failed: {}", describe(&error))
						}
						Err(error) => {
							log::debug!(
								"{pallet}.{call} is in a block whose events are gone: {error}"
							);
							Ok(Included { raw: None })
						}
					};
				}
				S::Invalid { message } | S::Dropped { message } | S::Error { message } => {
					// Its nonce may be free again: take the node's view next time.
					*self.last_nonce.lock().await = None;
					bail!("{pallet}.{call} was not included: {message}")
				}
				_ => continue,
			}
		}
		bail!("{pallet}.{call}: the node stopped reporting its status")
	}

	/// Reads a storage entry at the best block.
	async fn fetch<K, V>(&self, pallet: &str, entry: &str, keys: K) -> Result<Option<V>>
	where
		V: DecodeAsType,
		subxt::storage::DynamicAddress<K, V>: subxt::storage::Address<KeyParts = K, Value = V>,
	{
		fetch_at(&self.at_best().await?, pallet, entry, keys).await
	}

	/// The chain at its best block.
	pub async fn at_best(&self) -> Result<AtBlock> {
		let best = self.best_hash().await?;
		Ok(self.api.at_block(best).await?)
	}

	/// Hash of the node's best block.
	pub async fn best_hash(&self) -> Result<subxt::utils::H256> {
		self.rpc.chain_get_block_hash(None).await?.context("the node has no best block")
	}

	/// A model's registry record.
	pub async fn model(&self, model: u32) -> Result<Option<ModelView>> {
		self.fetch::<(u32,), ModelView>("ModelRegistry", "Models", (model,)).await
	}

	/// A model version's registry record.
	pub async fn version(&self, version: VersionRef) -> Result<Option<VersionView>> {
		self.fetch::<(u32, u32), VersionView>(
			"ModelRegistry",
			"Versions",
			(version.model, version.version),
		)
		.await
	}

	/// `Inference::MaxOutputValues`: the most values of an output (a language model's most
	/// generated tokens).
	pub async fn max_output_values(&self) -> Result<usize> {
		let at = self.at_best().await?;
		Ok(constant_u32(&at, "Inference", "MaxOutputValues")? as usize)
	}

	/// A worker's staking record.
	pub async fn worker(&self, who: &AccountId32) -> Result<Option<WorkerView>> {
		self.fetch::<([u8; 32],), WorkerView>("ComputeStaking", "Workers", (who.0,)).await
	}

	/// A query channel's record, with what the requester's licence of its model allows.
	pub async fn channel(&self, channel: u64) -> Result<Option<crate::channels::ChannelView>> {
		let at = self.at_best().await?;
		let view = fetch_at::<(u64,), crate::channels::ChannelView>(
			&at,
			"QueryChannels",
			"Channels",
			(channel,),
		)
		.await?;
		let Some(mut view) = view else { return Ok(None) };
		view.licence = licence_allowance(&at, view.version.model, &view.requester).await?;
		Ok(Some(view))
	}

	/// The most new queries one claim may settle (`MaxAuditsPerClaim / AuditRate`, as the
	/// pallet's `max_queries_per_claim`); `None` when audits are off.
	pub async fn max_queries_per_claim(&self) -> Result<Option<u64>> {
		let at = self.at_best().await?;
		let constant = |name: &str| constant_u32(&at, "QueryChannels", name);
		#[derive(DecodeAsType)]
		struct Rate(u32);
		let rate = match fetch_at::<(), Rate>(&at, "QueryChannels", "AuditRate", ()).await? {
			Some(Rate(parts)) => parts,
			None => constant("DefaultAuditRate")?,
		};
		if rate == 0 {
			return Ok(None);
		}
		let audits = u64::from(constant("MaxAuditsPerClaim")?);
		Ok(Some(audits.saturating_mul(1_000_000_000) / u64::from(rate)))
	}

	/// Free balance of an account.
	pub async fn free_balance(&self, who: &AccountId32) -> Result<u128> {
		#[derive(DecodeAsType)]
		struct Data {
			free: u128,
		}
		#[derive(DecodeAsType)]
		struct Info {
			data: Data,
		}
		Ok(self
			.fetch::<([u8; 32],), Info>("System", "Account", (who.0,))
			.await?
			.map(|info| info.data.free)
			.unwrap_or(0))
	}
}

/// What `holder`'s licence of `model` allows at `at` (see
/// [`crate::channels::LicenceAllowance`]).
async fn licence_allowance(
	at: &AtBlock,
	model: u32,
	holder: &AccountId32,
) -> Result<crate::channels::LicenceAllowance> {
	use crate::channels::LicenceAllowance;
	#[derive(DecodeAsType)]
	enum Policy {
		Open,
		HoldersOnly {
			#[allow(dead_code)]
			min_shares: u128,
		},
		Licensed,
	}
	#[derive(DecodeAsType)]
	struct Owner {
		owner: AccountId32,
	}
	#[derive(DecodeAsType)]
	struct LicenceView {
		queries_left: Option<u32>,
		expires_at: Option<u64>,
	}
	let policy = fetch_at::<(u32,), Policy>(at, "ModelAccess", "Policies", (model,)).await?;
	if !matches!(policy, Some(Policy::Licensed)) {
		return Ok(LicenceAllowance::NotNeeded);
	}
	let owner = fetch_at::<(u32,), Owner>(at, "ModelRegistry", "Models", (model,)).await?;
	if owner.is_some_and(|model| &model.owner == holder) {
		return Ok(LicenceAllowance::NotNeeded);
	}
	let id =
		fetch_at::<(u32, [u8; 32]), u64>(at, "ModelAccess", "LicenceByHolder", (model, holder.0))
			.await?;
	let Some(id) = id else { return Ok(LicenceAllowance::Missing) };
	Ok(match fetch_at::<(u64,), LicenceView>(at, "ModelAccess", "Licences", (id,)).await? {
		Some(licence) => LicenceAllowance::Held {
			queries_left: licence.queries_left,
			expires_at: licence.expires_at,
		},
		None => LicenceAllowance::Missing,
	})
}

/// A `u32` constant of the runtime at `at` (a bound such as `Inference::MaxAnswersPerCall`).
pub fn constant_u32(at: &AtBlock, pallet: &str, name: &str) -> Result<u32> {
	let metadata = at.metadata();
	let bytes = metadata
		.pallet_by_name(pallet)
		.and_then(|found| found.constant_by_name(name))
		.map(|constant| constant.value().to_vec())
		.with_context(|| format!("the runtime has no {pallet}::{name}"))?;
	<u32 as codec::Decode>::decode(&mut &bytes[..])
		.with_context(|| format!("decoding {pallet}::{name}"))
}

/// Reads a storage entry at `at`.
async fn fetch_at<K, V>(at: &AtBlock, pallet: &str, entry: &str, keys: K) -> Result<Option<V>>
where
	V: DecodeAsType,
	subxt::storage::DynamicAddress<K, V>: subxt::storage::Address<KeyParts = K, Value = V>,
{
	let address: subxt::storage::DynamicAddress<K, V> =
		subxt::storage::DynamicAddress::new(pallet.to_owned(), entry.to_owned());
	match at.storage().try_fetch(address, keys).await? {
		Some(value) => {
			Ok(Some(value.decode_as::<V>().with_context(|| format!("decoding {pallet}.{entry}"))?))
		}
		None => Ok(None),
	}
}

/// A job at block `at`, while the chain still holds it.
pub async fn job_at(at: &AtBlock, job: JobId) -> Result<Option<JobView>> {
	fetch_at::<(JobId,), JobView>(at, "Inference", "Jobs", (job,)).await
}

/// A job's agreed output at block `at` (kept with the job until it is pruned).
pub async fn results_at(at: &AtBlock, job: JobId) -> Result<Option<Vec<i64>>> {
	fetch_at::<(JobId,), Vec<i64>>(at, "Inference", "Results", (job,)).await
}

/// The id the next job gets, at block `at`.
pub async fn next_job_id_at(at: &AtBlock) -> Result<JobId> {
	Ok(fetch_at::<(), JobId>(at, "Inference", "NextJobId", ()).await?.unwrap_or(0))
}

/// A dispatch error as `Pallet.Error` where the chain says so.
pub fn describe(error: &subxt::error::TransactionEventsError) -> String {
	use subxt::error::{DispatchError, TransactionEventsError};
	match error {
		TransactionEventsError::ExtrinsicFailed(DispatchError::Module(module)) => {
			match module.details() {
				Ok(details) => format!("{}.{}", details.pallet.name(), details.variant.name),
				Err(_) => module.to_string(),
			}
		}
		other => other.to_string(),
	}
}

/// Builds a `ModelVersionRef` value for a call argument.
pub fn version_value(version: VersionRef) -> Value {
	Value::named_composite([
		("model", Value::u128(u128::from(version.model))),
		("version", Value::u128(u128::from(version.version))),
	])
}

/// A unit enum variant as a call argument (`Miner`, `Open`, …).
pub fn variant(name: &str) -> Value {
	Value::unnamed_variant(name, [])
}

/// The commitment a miner posts: `blake2_256(SCALE(job, miner, output, salt))`, the same
/// bytes as the pallet's `commitment_of`.
pub fn commitment(job: JobId, miner: &AccountId32, output: &[i64], salt: &[u8; 32]) -> [u8; 32] {
	use codec::Encode;
	sp_crypto_hashing::blake2_256(&(job, miner.0, output, salt).encode())
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn commitment_encodes_like_the_pallet() {
		// SCALE(u64, [u8; 32], Vec<i64>, [u8; 32]) — the account id encodes as its 32 bytes,
		// the output with a compact length prefix.
		let miner = AccountId32([7u8; 32]);
		let output = [3i64, -1];
		let salt = [9u8; 32];
		let mut bytes = 5u64.to_le_bytes().to_vec();
		bytes.extend([7u8; 32]);
		bytes.push(2 << 2);
		bytes.extend(3i64.to_le_bytes());
		bytes.extend((-1i64).to_le_bytes());
		bytes.extend([9u8; 32]);
		assert_eq!(commitment(5, &miner, &output, &salt), sp_crypto_hashing::blake2_256(&bytes));
		assert_ne!(commitment(6, &miner, &output, &salt), commitment(5, &miner, &output, &salt));
	}
}
