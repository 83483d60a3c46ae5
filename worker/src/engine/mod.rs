//! The inference engines behind one interface, chosen by the weights file a version
//! registers (its on-chain `format`, checked against the file's own header):
//!
//! - [`digits`]: `Safetensors` files in the `modelchain-int-mlp/1` format, integer arithmetic
//!   (Tier A: bit-exact everywhere, so miners and verifiers compare hashes);
//! - [`llm`]: `Gguf` llama-family language models (Tier B: floating point; the quorum compares
//!   token ids and verifiers accept a claimed output by teacher forcing within a tolerance).
//!
//! Both run on the CPU, or with the `cuda` feature on an NVIDIA GPU, and both answer an input
//! they cannot read with [`INVALID_INPUT`], so honest workers agree on garbage too.

pub mod digits;
pub mod llm;
pub mod tokenizer;

use std::path::Path;

use anyhow::{bail, ensure, Context, Result};
use candle_core::Device;
use sha2::{Digest, Sha256};

/// The runtime's `Inference::MaxOutputValues`, for loading a model without a chain at hand
/// (`infer`, `model publish`); a served model reads the chain's.
pub const DEFAULT_MAX_OUTPUT_VALUES: usize = 128;

/// The output for an input the model cannot read.
pub const INVALID_INPUT: [i64; 1] = [-1];

/// A weights file's format, as the chain's `WeightsFormat` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
	/// safetensors: the digits engine.
	Safetensors,
	/// GGUF: the language-model engine.
	Gguf,
}

impl Format {
	/// The chain's name of the format (`WeightsFormat` variant).
	pub fn chain_name(self) -> &'static str {
		match self {
			Format::Safetensors => "Safetensors",
			Format::Gguf => "Gguf",
		}
	}

	/// The format of a file, from its first bytes.
	pub fn sniff(bytes: &[u8]) -> Format {
		if bytes.starts_with(b"GGUF") {
			Format::Gguf
		} else {
			Format::Safetensors
		}
	}
}

/// What the chain records of a version, for checking the file against it.
#[derive(Debug, Clone)]
pub struct Expected {
	/// `weights_hash`: the file's sha256.
	pub sha256: [u8; 32],
	/// `format`, by its chain name (`Safetensors`, `Gguf`, `Onnx`).
	pub format: String,
}

/// A loaded model of either engine.
pub enum Engine {
	/// The digits classifier (Tier A).
	Digits(digits::Model),
	/// A language model (Tier B).
	Llm(Box<llm::Model>),
}

/// What a verifier found of a job's revealed outputs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Judged {
	/// The output the verifier stands for: the first acceptable revealed output (the chain
	/// lists the majority's first), else its own.
	pub output: Vec<i64>,
	/// Other revealed outputs that are acceptable too (Tier B only: an honest miner on other
	/// hardware). Their miners are not slashed.
	pub accepted: Vec<Vec<i64>>,
}

/// sha256 of a weights file: what `ModelVersion::weights_hash` records on chain.
pub fn file_sha256(bytes: &[u8]) -> [u8; 32] {
	Sha256::digest(bytes).into()
}

/// Refuses weights whose sha256 is not the chain's.
pub fn check_weights_hash(actual: [u8; 32], expected: [u8; 32]) -> Result<()> {
	ensure!(
		actual == expected,
		"weights hash mismatch: the file's sha256 is 0x{}, the chain records 0x{}; refusing to \
		 serve these weights",
		hex::encode(actual),
		hex::encode(expected)
	);
	Ok(())
}

/// The device models run on: the first CUDA GPU when built with `cuda` and one is present,
/// else the CPU.
pub fn default_device() -> Device {
	#[cfg(feature = "cuda")]
	{
		match Device::new_cuda(0) {
			Ok(device) => return device,
			Err(error) => log::warn!("no usable CUDA device ({error}); running on the CPU"),
		}
	}
	Device::Cpu
}

impl Engine {
	/// Loads a weights file, refusing it unless it matches what the chain records (when
	/// given). `max_output_values` is the chain's bound on an output (a language model's most
	/// generated tokens).
	pub fn load(
		path: &Path,
		expected: Option<&Expected>,
		device: Device,
		max_output_values: usize,
	) -> Result<Self> {
		let bytes =
			std::fs::read(path).with_context(|| format!("reading model {}", path.display()))?;
		Self::from_bytes(&bytes, expected, device, max_output_values)
	}

	/// Loads a weights file's bytes (see [`Engine::load`]).
	pub fn from_bytes(
		bytes: &[u8],
		expected: Option<&Expected>,
		device: Device,
		max_output_values: usize,
	) -> Result<Self> {
		let sha256 = file_sha256(bytes);
		let format = Format::sniff(bytes);
		if let Some(expected) = expected {
			check_weights_hash(sha256, expected.sha256)?;
			if expected.format != format.chain_name() {
				bail!(
					"the chain registers this version as {}, but the file is {}",
					expected.format,
					format.chain_name()
				);
			}
		}
		Ok(match format {
			Format::Safetensors => Engine::Digits(digits::Model::from_bytes(bytes, None, device)?),
			Format::Gguf => Engine::Llm(Box::new(llm::Model::from_bytes(
				bytes,
				sha256,
				device,
				max_output_values,
			)?)),
		})
	}

	/// sha256 of the weights file.
	pub fn sha256(&self) -> [u8; 32] {
		match self {
			Engine::Digits(model) => model.sha256(),
			Engine::Llm(model) => model.sha256(),
		}
	}

	/// The file's format.
	pub fn format(&self) -> Format {
		match self {
			Engine::Digits(_) => Format::Safetensors,
			Engine::Llm(_) => Format::Gguf,
		}
	}

	/// The architecture tag a version registers.
	pub fn architecture(&self) -> &str {
		match self {
			Engine::Digits(model) => model.architecture(),
			Engine::Llm(model) => model.architecture(),
		}
	}

	/// What is served, for logs: the model's name and engine.
	pub fn describe(&self) -> String {
		match self {
			Engine::Digits(model) => format!("{} ({})", model.architecture(), digits::FORMAT),
			Engine::Llm(model) => {
				format!("{} (GGUF {}, modelchain-llm/1)", model.name(), model.architecture())
			}
		}
	}

	/// Runs one input to its canonical output.
	pub fn infer(&self, input: &[u8]) -> Result<Vec<i64>> {
		match self {
			Engine::Digits(model) => model.infer(input),
			Engine::Llm(model) => model.infer(input),
		}
	}

	/// Why `input` is not one this model reads (`None`: it is).
	pub fn input_error(&self, input: &[u8]) -> Option<String> {
		match self {
			Engine::Digits(_) if digits::is_valid(input) => None,
			Engine::Digits(_) => Some(format!(
				"the input is not {} pixels of 0..={}",
				digits::INPUT_LEN,
				digits::MAX_PIXEL
			)),
			Engine::Llm(model) => model.request(input).err(),
		}
	}

	/// A verifier's judgement of a job: `revealed` lists the distinct outputs its miners
	/// revealed, the majority's first. Tier A recomputes the output (exact). Tier B accepts
	/// revealed outputs by teacher forcing and recomputes only if none is acceptable.
	pub fn judge(&self, input: &[u8], revealed: &[Vec<i64>]) -> Result<Judged> {
		let Engine::Llm(model) = self else {
			return Ok(Judged { output: self.infer(input)?, accepted: Vec::new() });
		};
		let mut acceptable = Vec::new();
		for claimed in revealed {
			match model.check(input, claimed)? {
				llm::Check::Accepted { near_ties, widest_gap } => {
					log::info!(
						"revealed output of {} tokens accepted ({near_ties} near ties, widest gap \
						 {widest_gap:.3})",
						claimed.len()
					);
					acceptable.push(claimed.clone());
				}
				llm::Check::Rejected(why) => log::info!("revealed output rejected: {why}"),
			}
		}
		if acceptable.is_empty() {
			return Ok(Judged { output: model.infer(input)?, accepted: Vec::new() });
		}
		let output = acceptable.remove(0);
		Ok(Judged { output, accepted: acceptable })
	}

	/// What an output says, for people: the class, or the generated text.
	pub fn render(&self, output: &[i64]) -> String {
		match self {
			Engine::Digits(_) => match output.first() {
				Some(class) if output != INVALID_INPUT => format!("class {class}"),
				_ => "(invalid input)".into(),
			},
			Engine::Llm(model) => model.render(output),
		}
	}

	/// A wrong answer for `--lie-for-tests`.
	pub fn lie(&self, output: Vec<i64>) -> Vec<i64> {
		match self {
			Engine::Digits(_) => digits::lie(output),
			Engine::Llm(model) => model.lie(output),
		}
	}
}
