//! The language-model engine (Tier B, floating point): a llama-family GGUF (SmolLM2-135M-Instruct
//! is the chain's demo) run by candle's `quantized_llama` on the CPU (or an NVIDIA GPU with the
//! `cuda` feature), its tokenizer built from the file's metadata.
//!
//! # Job format `modelchain-llm/1`
//! Input, UTF-8:
//! - plain text (anything not starting with `{`): a chat prompt, answered in at most
//!   [`DEFAULT_MAX_TOKENS`] tokens;
//! - or a JSON object, unknown fields refused:
//!   `{"prompt": "…", "max_tokens": 32, "chat": true, "system": "…"}` or
//!   `{"tokens": [1, 9690, …], "max_tokens": 32}` (token ids, used as they are).
//!   `chat` (default true) wraps the prompt in the model's ChatML template, with `system` (default:
//!   the template's own system message). `max_tokens` is 1..=the chain's `MaxOutputValues`.
//!
//! Output: the generated token ids, greedy (the highest logit; ties to the lowest id), ending
//! with the end-of-sequence token if the model emitted it within `max_tokens`. An input that
//! breaks these rules (not UTF-8, bad JSON, `max_tokens` out of range, an unknown token id, a
//! prompt over [`MAX_PROMPT_TOKENS`]) gets [`INVALID_INPUT`], as for every engine.
//!
//! # Verification: teacher forcing with a logit tolerance
//! Token ids are compared exactly in the quorum: miners on the same hardware and binary agree
//! bit for bit. Floating-point sums on other hardware can flip a near tie, after which an honest
//! continuation differs. So a verifier does not compare against its own generation; it
//! [`Model::check`]s each revealed output by teacher forcing: it feeds the prompt and the claimed
//! tokens through the model, exactly as generation does, and at every position accepts the
//! claimed token if its logit is within [`LOGIT_TOLERANCE`] of the best logit there. A claim is
//! acceptable if every position passes, at most [`max_near_ties`] positions are not the argmax
//! (so a miner cannot steer a whole answer through near ties), the end-of-sequence token
//! appears only last, and a claim without it is exactly `max_tokens` long (no truncation).

use std::{
	io::Cursor,
	time::{Duration, Instant},
};

use anyhow::{ensure, Context, Result};
use candle_core::{quantized::gguf_file, Device, Tensor};
use candle_transformers::models::quantized_llama::ModelWeights;
use serde::Deserialize;

use super::{tokenizer::GgufTokenizer, INVALID_INPUT};

/// Tokens generated when the input does not say.
pub const DEFAULT_MAX_TOKENS: usize = 32;
/// Longest prompt, in tokens (the inline input is at most 4 KiB anyway).
pub const MAX_PROMPT_TOKENS: usize = 2048;
/// How far below the best logit a claimed token's logit may be, in logit units (nats).
///
/// Measured (`./scripts/bench-llm.sh`, `bench/llm.json`): llama.cpp, another implementation
/// of the same GGUF (its own AVX2 kernels, an f16 key-value cache), answers 40 prompts with
/// tokens the worker accepts at gaps of at most 0.30 (the next largest: 0.18, 0.17, 0.17), and
/// at most 4 positions off our argmax in 28 tokens. 0.5 leaves room above that for an honest
/// miner on other hardware (a GPU); and it is still small: a token within 0.5 of the best has
/// at least e^-0.5 = 61 % of the best token's probability, so a substitute passes only where
/// the model itself hesitated, and [`max_near_ties`] bounds how often.
pub const LOGIT_TOLERANCE: f32 = 0.5;

/// Most positions of an accepted claim whose token is not the verifier's argmax: two, plus one
/// per 8 tokens (6 of 32; llama.cpp's honest answers took at most 4 in 28).
pub fn max_near_ties(tokens: usize) -> usize {
	2 + tokens / 8
}

/// The `modelchain-llm/1` input asking `prompt` as a chat, in at most `max_tokens` tokens.
pub fn prompt_input(prompt: &str, max_tokens: Option<usize>) -> Vec<u8> {
	let mut request = serde_json::json!({ "prompt": prompt });
	if let Some(max_tokens) = max_tokens {
		request["max_tokens"] = max_tokens.into();
	}
	request.to_string().into_bytes()
}

/// A loaded GGUF language model.
pub struct Model {
	weights: ModelWeights,
	tokenizer: GgufTokenizer,
	device: Device,
	sha256: [u8; 32],
	architecture: String,
	name: String,
	/// The chain's `MaxOutputValues`: the most tokens a job may ask for.
	max_tokens_limit: usize,
	/// The chat template's default system message, when it has one (ChatML).
	default_system: Option<String>,
	/// Whether the vocabulary has ChatML's `<|im_start|>` and `<|im_end|>`.
	chatml: bool,
}

/// A job input, read: the prompt's token ids and how many tokens may be generated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
	/// The prompt, template applied.
	pub prompt: Vec<u32>,
	/// Most tokens to generate.
	pub max_tokens: usize,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RequestJson {
	prompt: Option<String>,
	tokens: Option<Vec<u32>>,
	max_tokens: Option<usize>,
	chat: Option<bool>,
	system: Option<String>,
}

/// One generation and its timings.
#[derive(Debug, Clone)]
pub struct Generation {
	/// The generated ids.
	pub tokens: Vec<u32>,
	/// Tokens of the prompt.
	pub prompt_tokens: usize,
	/// The prompt's forward pass, to the first token's logits (time to first token).
	pub prefill: Duration,
	/// Every later forward pass.
	pub decode: Duration,
}

/// What teacher forcing found of a claimed output.
#[derive(Debug, Clone, PartialEq)]
pub enum Check {
	/// Every token was within tolerance.
	Accepted {
		/// Positions whose token was not the verifier's argmax.
		near_ties: usize,
		/// The largest gap below the best logit among the claimed tokens.
		widest_gap: f32,
	},
	/// Why the claim is not an acceptable answer.
	Rejected(String),
}

/// A model mid-sequence: its key-value cache and position.
struct Session {
	weights: ModelWeights,
	position: usize,
	device: Device,
}

impl Session {
	/// Feeds `tokens` and returns the logits that follow the last of them.
	fn feed(&mut self, tokens: &[u32]) -> Result<Vec<f32>> {
		let input = Tensor::new(tokens, &self.device)?.unsqueeze(0)?;
		let logits = self.weights.forward(&input, self.position)?;
		self.position += tokens.len();
		let logits = logits.squeeze(0)?.to_dtype(candle_core::DType::F32)?.to_vec1::<f32>()?;
		ensure!(logits.iter().all(|l| l.is_finite()), "the model produced a non-finite logit");
		Ok(logits)
	}
}

/// The index of the largest logit; ties go to the lowest index.
fn argmax(logits: &[f32]) -> u32 {
	let mut best = 0;
	for (index, logit) in logits.iter().enumerate() {
		if *logit > logits[best] {
			best = index;
		}
	}
	best as u32
}

impl Model {
	/// Loads a GGUF file's bytes (already hash-checked by the caller, whose `sha256` this is).
	pub fn from_bytes(
		bytes: &[u8],
		sha256: [u8; 32],
		device: Device,
		max_tokens_limit: usize,
	) -> Result<Self> {
		let mut reader = Cursor::new(bytes);
		let content = gguf_file::Content::read(&mut reader).context("not a GGUF file")?;
		let text =
			|key: &str| content.metadata.get(key).and_then(|value| value.to_string().ok()).cloned();
		let architecture = text("general.architecture").unwrap_or_default();
		ensure!(
			architecture == "llama",
			"GGUF architecture {architecture:?} is not supported (only llama)"
		);
		let name = text("general.name").unwrap_or_else(|| "GGUF model".into());
		let default_system = text("tokenizer.chat_template").and_then(|template| {
			const OPENING: &str = "<|im_start|>system\n";
			let start = template.find(OPENING)? + OPENING.len();
			let length = template.get(start..)?.find("<|im_end|>")?;
			template.get(start..start + length).map(str::to_owned)
		});
		let tokenizer = GgufTokenizer::from_gguf(&content)?;
		let chatml = tokenizer.control("<|im_start|>").is_some()
			&& tokenizer.control("<|im_end|>").is_some();
		let weights = ModelWeights::from_gguf(content, &mut reader, &device)
			.context("loading the GGUF tensors")?;
		ensure!(max_tokens_limit > 0, "the chain allows no output values");
		Ok(Self {
			weights,
			tokenizer,
			device,
			sha256,
			architecture,
			name,
			max_tokens_limit,
			default_system,
			chatml,
		})
	}

	/// sha256 of the GGUF file.
	pub fn sha256(&self) -> [u8; 32] {
		self.sha256
	}

	/// `general.architecture` (`llama`).
	pub fn architecture(&self) -> &str {
		&self.architecture
	}

	/// `general.name`.
	pub fn name(&self) -> &str {
		&self.name
	}

	/// The prompt text a chat input becomes (ChatML, as the model's template renders one user
	/// message with the generation prompt).
	pub fn chat_text(&self, prompt: &str, system: Option<&str>) -> String {
		let system = system.or(self.default_system.as_deref());
		let mut text = String::new();
		if let Some(system) = system {
			text.push_str(&format!("<|im_start|>system\n{system}<|im_end|>\n"));
		}
		text.push_str(&format!("<|im_start|>user\n{prompt}<|im_end|>\n<|im_start|>assistant\n"));
		text
	}

	/// Reads a job input (see the module docs), or says why it is not one.
	pub fn request(&self, input: &[u8]) -> Result<Request, String> {
		let text = std::str::from_utf8(input).map_err(|_| "the input is not UTF-8".to_owned())?;
		let parsed = if text.trim_start().starts_with('{') {
			serde_json::from_str::<RequestJson>(text).map_err(|e| format!("bad JSON input: {e}"))?
		} else {
			RequestJson {
				prompt: Some(text.to_owned()),
				tokens: None,
				max_tokens: None,
				chat: None,
				system: None,
			}
		};
		let max_tokens = parsed.max_tokens.unwrap_or(DEFAULT_MAX_TOKENS);
		if max_tokens == 0 || max_tokens > self.max_tokens_limit {
			return Err(format!("max_tokens must be 1..={}", self.max_tokens_limit));
		}
		let prompt = match (parsed.prompt, parsed.tokens) {
			(Some(prompt), None) => {
				let text = if parsed.chat.unwrap_or(true) {
					if !self.chatml {
						return Err("this model has no chat template: send \"chat\": false".into());
					}
					self.chat_text(&prompt, parsed.system.as_deref())
				} else {
					prompt
				};
				self.tokenizer.encode(&text).map_err(|e| e.to_string())?
			}
			(None, Some(tokens)) => {
				if parsed.chat.is_some() || parsed.system.is_some() {
					return Err("\"chat\" and \"system\" apply to a text prompt only".into());
				}
				if let Some(bad) =
					tokens.iter().find(|id| **id as usize >= self.tokenizer.vocab_size())
				{
					return Err(format!("token {bad} is not in the vocabulary"));
				}
				tokens
			}
			_ => return Err("give exactly one of \"prompt\" and \"tokens\"".into()),
		};
		if prompt.is_empty() || prompt.len() > MAX_PROMPT_TOKENS {
			return Err(format!("the prompt must be 1..={MAX_PROMPT_TOKENS} tokens"));
		}
		Ok(Request { prompt, max_tokens })
	}

	fn session(&self) -> Session {
		let mut weights = self.weights.clone();
		weights.clear_kv_cache();
		Session { weights, position: 0, device: self.device.clone() }
	}

	/// Greedy generation: up to `max_tokens` ids, stopping after the end of sequence.
	pub fn generate(&self, request: &Request) -> Result<Generation> {
		let mut session = self.session();
		let started = Instant::now();
		let mut logits = session.feed(&request.prompt)?;
		let prefill = started.elapsed();
		let mut tokens = Vec::with_capacity(request.max_tokens);
		loop {
			let next = argmax(&logits);
			tokens.push(next);
			if self.tokenizer.ends_generation(next) || tokens.len() >= request.max_tokens {
				break;
			}
			logits = session.feed(&[next])?;
		}
		Ok(Generation {
			tokens,
			prompt_tokens: request.prompt.len(),
			prefill,
			decode: started.elapsed().saturating_sub(prefill),
		})
	}

	/// Runs one job input to its canonical output (see the module docs).
	pub fn infer(&self, input: &[u8]) -> Result<Vec<i64>> {
		match self.request(input) {
			Ok(request) => Ok(self.generate(&request)?.tokens.into_iter().map(i64::from).collect()),
			Err(why) => {
				log::debug!("invalid language-model input: {why}");
				Ok(INVALID_INPUT.to_vec())
			}
		}
	}

	/// Whether `claimed` is an acceptable output for `input`, by teacher forcing (see the
	/// module docs).
	pub fn check(&self, input: &[u8], claimed: &[i64]) -> Result<Check> {
		let request = match self.request(input) {
			Ok(request) => request,
			Err(why) if claimed == INVALID_INPUT => {
				log::debug!("the input is invalid ({why}), as claimed");
				return Ok(Check::Accepted { near_ties: 0, widest_gap: 0.0 });
			}
			Err(why) => return Ok(Check::Rejected(format!("the input is invalid: {why}"))),
		};
		let tokens: Option<Vec<u32>> = claimed
			.iter()
			.map(|id| {
				u32::try_from(*id).ok().filter(|id| (*id as usize) < self.tokenizer.vocab_size())
			})
			.collect();
		let Some(tokens) = tokens else {
			return Ok(Check::Rejected("a claimed id is not a token of the vocabulary".into()));
		};
		let Some((last, before_last)) = tokens.split_last() else {
			return Ok(Check::Rejected("no tokens".into()));
		};
		if tokens.len() > request.max_tokens {
			return Ok(Check::Rejected(format!("more than max_tokens ({})", request.max_tokens)));
		}
		if before_last.iter().any(|id| self.tokenizer.ends_generation(*id)) {
			return Ok(Check::Rejected("tokens after the end of sequence".into()));
		}
		if !self.tokenizer.ends_generation(*last) && tokens.len() < request.max_tokens {
			return Ok(Check::Rejected(format!(
				"stopped after {} of {} tokens without the end of sequence",
				tokens.len(),
				request.max_tokens
			)));
		}
		let mut session = self.session();
		let mut logits = session.feed(&request.prompt)?;
		let (mut near_ties, mut widest_gap) = (0, 0.0f32);
		for (position, token) in tokens.iter().enumerate() {
			let best = logits[argmax(&logits) as usize];
			let gap = best - logits[*token as usize];
			if gap > LOGIT_TOLERANCE {
				return Ok(Check::Rejected(format!(
					"token {position} ({token}) is {gap:.3} below the best logit (tolerance \
					 {LOGIT_TOLERANCE})"
				)));
			}
			if *token != argmax(&logits) {
				near_ties += 1;
				if near_ties > max_near_ties(tokens.len()) {
					return Ok(Check::Rejected(format!(
						"more than {} near ties taken",
						max_near_ties(tokens.len())
					)));
				}
			}
			widest_gap = widest_gap.max(gap);
			if position + 1 < tokens.len() {
				logits = session.feed(&[*token])?;
			}
		}
		Ok(Check::Accepted { near_ties, widest_gap })
	}

	/// The text of an output (control tokens left out), or what it says otherwise.
	pub fn render(&self, output: &[i64]) -> String {
		if output == INVALID_INPUT {
			return "(invalid input)".into();
		}
		let ids: Vec<u32> = output.iter().filter_map(|id| u32::try_from(*id).ok()).collect();
		self.tokenizer.decode(&ids).unwrap_or_else(|e| format!("(undecodable: {e})"))
	}

	/// A wrong answer for `--lie-for-tests`: the second half of the tokens substituted (a final
	/// end of sequence kept, so only teacher forcing tells).
	pub fn lie(&self, mut output: Vec<i64>) -> Vec<i64> {
		let vocab = self.tokenizer.vocab_size() as i64;
		let keep = output.len() / 2;
		let ends = output.last().is_some_and(|id| {
			u32::try_from(*id).is_ok_and(|id| self.tokenizer.ends_generation(id))
		});
		let substituted = output.len().saturating_sub(usize::from(ends));
		for id in output.iter_mut().take(substituted).skip(keep) {
			*id = (id.rem_euclid(vocab) + 7_919) % vocab;
		}
		if output.len() == usize::from(ends) {
			// Nothing but the end (or nothing): answer one arbitrary token instead.
			output = vec![7_919 % vocab];
		}
		output
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use std::sync::OnceLock;

	/// The demo model, fetched by `scripts/fetch-models.sh` (which `scripts/test.sh` runs).
	fn model() -> &'static Model {
		static MODEL: OnceLock<Model> = OnceLock::new();
		MODEL.get_or_init(|| {
			let dir = std::env::var("MODELCHAIN_MODELS").unwrap_or_else(|_| {
				format!("{}/.cache/modelchain/models", std::env::var("HOME").unwrap_or_default())
			});
			let path = std::path::Path::new(&dir).join("smollm2.gguf");
			let bytes = std::fs::read(&path).unwrap_or_else(|e| {
				panic!("{}: {e}; run scripts/fetch-models.sh first", path.display())
			});
			let sha256 = super::super::file_sha256(&bytes);
			assert_eq!(hex::encode(sha256), SMOLLM2_SHA256, "the fetched GGUF is not SmolLM2");
			Model::from_bytes(&bytes, sha256, Device::Cpu, 128).expect("the GGUF loads")
		})
	}

	const SMOLLM2_SHA256: &str = "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53";
	const QUESTION: &str = "What is the capital of France?";

	/// llama.cpp's ids (node-llama-cpp 3.21.1, `model.tokenize(text, true)`) for [`QUESTION`]
	/// in SmolLM2's chat template: an independent tokenizer of the same GGUF.
	const LLAMA_CPP_PROMPT: [u32; 37] = [
		1, 9690, 198, 2683, 359, 253, 5356, 5646, 11173, 3365, 3511, 308, 34519, 28, 7018, 411,
		407, 19712, 8182, 2, 198, 1, 4093, 198, 1780, 314, 260, 3575, 282, 4649, 47, 2, 198, 1,
		520, 9531, 198,
	];
	/// llama.cpp's greedy continuation of [`LLAMA_CPP_PROMPT`] (32 tokens, temperature 0, the
	/// same Q4_1 file; `bench/llama-cpp/reference.mjs`). A 135M model at 4 bits answers in
	/// French; what matters here is that two implementations agree on every id.
	const LLAMA_CPP_GREEDY: [u32; 32] = [
		60, 23, 39614, 1141, 552, 28, 2618, 2828, 313, 7712, 769, 28, 2618, 2849, 1558, 28, 2618,
		2849, 1558, 26261, 11708, 46767, 28, 2618, 2849, 1558, 26261, 11708, 46767, 28, 2618, 2849,
	];

	fn input(json: serde_json::Value) -> Vec<u8> {
		json.to_string().into_bytes()
	}

	fn ids(output: &[i64]) -> Vec<i64> {
		output.to_vec()
	}

	/// Logits after each prefix of `tokens` following the prompt: `result[i]` is what the model
	/// predicts for position `i`.
	fn logits_along(model: &Model, prompt: &[u32], tokens: &[u32]) -> Vec<Vec<f32>> {
		let mut session = model.session();
		let mut all = vec![session.feed(prompt).expect("prefill")];
		for token in tokens.iter().take(tokens.len().saturating_sub(1)) {
			all.push(session.feed(&[*token]).expect("decode"));
		}
		all
	}

	/// Greedy generation after the prompt and a forced `prefix`: what an honest miner whose
	/// hardware broke a near tie the other way would answer.
	fn continue_greedy(model: &Model, request: &Request, prefix: &[u32]) -> Vec<u32> {
		let mut prompt = request.prompt.clone();
		prompt.extend_from_slice(prefix);
		let rest = Request { prompt, max_tokens: request.max_tokens - prefix.len() };
		let mut tokens = prefix.to_vec();
		tokens.extend(model.generate(&rest).expect("generates").tokens);
		tokens
	}

	fn as_output(tokens: &[u32]) -> Vec<i64> {
		tokens.iter().map(|id| i64::from(*id)).collect()
	}

	#[test]
	fn the_gguf_loads_with_its_metadata_and_chat_template() {
		let model = model();
		assert_eq!(model.architecture(), "llama");
		assert_eq!(model.tokenizer.vocab_size(), 49_152);
		assert_eq!(model.tokenizer.eos, 2);
		assert!(model.chatml);
		assert_eq!(
			model.default_system.as_deref(),
			Some("You are a helpful AI assistant named SmolLM, trained by Hugging Face")
		);
	}

	#[test]
	fn the_tokenizer_matches_llama_cpp_and_round_trips() {
		let model = model();
		let request = model.request(QUESTION.as_bytes()).expect("a valid input");
		assert_eq!(request.prompt, LLAMA_CPP_PROMPT);
		assert_eq!(request.max_tokens, DEFAULT_MAX_TOKENS);
		for text in ["Hello, world!", "Prices rose 12.5% in 2024 — ça va?", "  two  spaces\n\ttab"]
		{
			let ids = model.tokenizer.encode(text).expect("encodes");
			assert_eq!(model.tokenizer.decode(&ids).expect("decodes"), text);
		}
		// SmolLM's pre-tokenizer: every digit is a token of its own.
		assert_eq!(model.tokenizer.encode("2024").expect("encodes").len(), 4);
	}

	#[test]
	fn greedy_generation_is_deterministic_and_equals_llama_cpp() {
		let model = model();
		let request = Request { prompt: LLAMA_CPP_PROMPT.to_vec(), max_tokens: 32 };
		let first = model.generate(&request).expect("generates").tokens;
		let second = model.generate(&request).expect("generates").tokens;
		assert_eq!(first, second, "two runs differ");
		assert_eq!(first, LLAMA_CPP_GREEDY, "candle and llama.cpp differ");
		// The job path gives the same ids, as i64.
		let output = model.infer(QUESTION.as_bytes()).expect("runs");
		assert_eq!(output, as_output(&LLAMA_CPP_GREEDY));
	}

	#[test]
	fn inputs_are_read_as_documented_and_bad_ones_get_the_invalid_output() {
		let model = model();
		let chat = model.request(QUESTION.as_bytes()).expect("text");
		let same = model
			.request(&input(serde_json::json!({ "prompt": QUESTION, "max_tokens": 32 })))
			.expect("json");
		assert_eq!(chat, same);
		let raw = model
			.request(&input(serde_json::json!({ "prompt": "Once upon", "chat": false })))
			.expect("raw");
		assert_eq!(raw.prompt, model.tokenizer.encode("Once upon").expect("encodes"));
		let by_ids = model
			.request(&input(serde_json::json!({ "tokens": [1, 2, 3], "max_tokens": 128 })))
			.expect("ids");
		assert_eq!(by_ids, Request { prompt: vec![1, 2, 3], max_tokens: 128 });
		for bad in [
			input(serde_json::json!({ "prompt": "x", "max_tokens": 129 })),
			input(serde_json::json!({ "prompt": "x", "max_tokens": 0 })),
			input(serde_json::json!({ "tokens": [49_152] })),
			input(serde_json::json!({ "tokens": [] })),
			input(serde_json::json!({ "tokens": [1], "chat": true })),
			input(serde_json::json!({ "prompt": "x", "tokens": [1] })),
			input(serde_json::json!({ "prompt": "x", "temperature": 0.7 })),
			b"{not json".to_vec(),
			vec![0xff, 0xfe],
		] {
			assert!(model.request(&bad).is_err(), "{}", String::from_utf8_lossy(&bad));
			assert_eq!(model.infer(&bad).expect("runs"), INVALID_INPUT.to_vec());
		}
	}

	#[test]
	fn an_honest_output_and_an_honest_near_tie_are_accepted() {
		let model = model();
		let prompts = [
			"Write a haiku about blockchains.",
			"List three uses of a GPU.",
			"Explain photosynthesis to a child.",
			QUESTION,
		];
		let mut found = None;
		for prompt in prompts {
			let request = model
				.request(&input(serde_json::json!({ "prompt": prompt, "max_tokens": 24 })))
				.expect("valid");
			let greedy = model.generate(&request).expect("generates").tokens;
			// The verifier's own greedy output is accepted with no near tie.
			assert_eq!(
				model
					.check(
						&input(serde_json::json!({ "prompt": prompt, "max_tokens": 24 })),
						&as_output(&greedy)
					)
					.expect("checks"),
				Check::Accepted { near_ties: 0, widest_gap: 0.0 }
			);
			let logits = logits_along(model, &request.prompt, &greedy);
			// The position whose runner-up is closest to the best.
			let closest = logits
				.iter()
				.enumerate()
				.filter(|(position, _)| *position + 1 < greedy.len())
				.map(|(position, row)| {
					let best = row[argmax(row) as usize];
					let (runner_up, logit) = row
						.iter()
						.enumerate()
						.filter(|(id, _)| *id as u32 != argmax(row))
						.max_by(|a, b| a.1.total_cmp(b.1))
						.expect("a runner-up");
					(position, runner_up as u32, best - logit)
				})
				.min_by(|a, b| a.2.total_cmp(&b.2))
				.expect("positions");
			if closest.2 <= LOGIT_TOLERANCE {
				found = Some((prompt, request, greedy, closest));
				break;
			}
		}
		let (prompt, request, greedy, (position, runner_up, gap)) =
			found.expect("no near tie within the tolerance in the sample prompts");
		let mut prefix = greedy[..position].to_vec();
		prefix.push(runner_up);
		let other_hardware = continue_greedy(model, &request, &prefix);
		assert_ne!(other_hardware, greedy);
		let checked = model
			.check(
				&input(serde_json::json!({ "prompt": prompt, "max_tokens": 24 })),
				&as_output(&other_hardware),
			)
			.expect("checks");
		// The continuation was computed with the forced prefix in the prompt's batched pass, and
		// is checked one token at a time: another summation order, as on other hardware, which
		// may flip a later near tie too. Each is within the tolerance.
		match checked {
			Check::Accepted { near_ties, widest_gap } => {
				assert!((1..=max_near_ties(other_hardware.len())).contains(&near_ties));
				assert!(widest_gap >= gap - 1e-6 && widest_gap <= LOGIT_TOLERANCE);
			}
			other => panic!("an honest near tie (gap {gap}) was not accepted: {other:?}"),
		}
	}

	#[test]
	fn forged_truncated_and_foreign_outputs_are_rejected() {
		let model = model();
		let job =
			input(serde_json::json!({ "prompt": "List three uses of a GPU.", "max_tokens": 24 }));
		let honest = model.infer(&job).expect("runs");
		assert!(honest.len() >= 8, "{honest:?}");
		let rejected = |claimed: &[i64]| match model.check(&job, claimed).expect("checks") {
			Check::Rejected(why) => why,
			accepted => panic!("{claimed:?} accepted: {accepted:?}"),
		};
		// A substituted token in the middle.
		let mut forged = ids(&honest);
		forged[4] = (forged[4] + 1_000) % 49_152;
		assert!(rejected(&forged).contains("below the best logit"));
		// The lie flag's substitution.
		assert!(rejected(&model.lie(honest.clone())).contains("below the best logit"));
		// Stopped early without the end of sequence (cheaper to compute).
		let cut = &honest[..honest.len() / 2];
		if model.tokenizer.ends_generation(*honest.last().expect("tokens") as u32)
			|| honest.len() == 24
		{
			assert!(rejected(cut).contains("without the end of sequence"));
		}
		// Tokens after the end of sequence, ids outside the vocabulary, nothing at all.
		let mut trailing = ids(&honest[..3]);
		trailing.extend([2, 100]);
		assert!(rejected(&trailing).contains("after the end of sequence"));
		assert!(rejected(&[49_152]).contains("not a token"));
		assert!(rejected(&[]).contains("no tokens"));
		// Another prompt's answer (another model's would fail the same way).
		let other = model.infer(b"Explain photosynthesis to a child.").expect("runs");
		rejected(&other);
		// The invalid-input output only for an invalid input, and then only it.
		rejected(&INVALID_INPUT);
		let invalid = b"{\"tokens\": []}";
		assert!(matches!(
			model.check(invalid, &INVALID_INPUT).expect("checks"),
			Check::Accepted { .. }
		));
		assert!(matches!(model.check(invalid, &honest).expect("checks"), Check::Rejected(_)));
	}

	#[test]
	fn near_ties_are_capped_so_an_answer_cannot_be_steered() {
		assert_eq!(max_near_ties(1), 2);
		assert_eq!(max_near_ties(32), 6);
		assert_eq!(max_near_ties(128), 18);
	}
}
