//! The tokenizer of a GGUF language model, built from the file's own metadata (no
//! `tokenizer.json`, no hub): `tokenizer.ggml.model = "gpt2"` is a byte-level BPE over
//! `tokenizer.ggml.tokens` and `tokenizer.ggml.merges`; control tokens (`token_type` 3, such
//! as `<|im_start|>`) are special tokens, matched whole in the text.
//!
//! Pre-tokenization follows `tokenizer.ggml.pre`: `smollm` (SmolLM, SmolLM2) splits every digit
//! on its own before the GPT-2 byte-level split, as its `tokenizer.json` does; `gpt2` and
//! `default` use the byte-level split alone. Other pre-tokenizers are refused rather than
//! approximated: a wrong split gives other token ids, so other outputs than honest miners'.

use anyhow::{bail, ensure, Context, Result};
use candle_core::quantized::gguf_file::{Content, Value};
use tokenizers::{
	decoders::byte_level::ByteLevel as ByteLevelDecoder,
	models::bpe::BPE,
	pre_tokenizers::{
		byte_level::ByteLevel, digits::Digits, sequence::Sequence, PreTokenizerWrapper,
	},
	AddedToken, Tokenizer,
};

/// `tokenizer.ggml.token_type` of a control token.
const CONTROL: i32 = 3;

/// A GGUF model's tokenizer and its special ids.
pub struct GgufTokenizer {
	tokenizer: Tokenizer,
	vocab_size: usize,
	/// `tokenizer.ggml.eos_token_id`: generation stops after it.
	pub eos: u32,
	/// `<|endoftext|>`, if the vocabulary has it: generation stops after it too (as
	/// llama.cpp's end-of-generation set).
	end_of_text: Option<u32>,
	/// Every control token's id.
	controls: Vec<u32>,
}

fn strings(metadata: &Content, key: &str) -> Result<Vec<String>> {
	let values = metadata
		.metadata
		.get(key)
		.with_context(|| format!("the GGUF has no {key}"))?
		.to_vec()
		.with_context(|| format!("{key} is not an array"))?;
	values
		.iter()
		.map(|value| {
			Ok(value.to_string().with_context(|| format!("{key} holds a non-string"))?.clone())
		})
		.collect()
}

fn u32_of(metadata: &Content, key: &str) -> Result<u32> {
	metadata
		.metadata
		.get(key)
		.with_context(|| format!("the GGUF has no {key}"))?
		.to_u32()
		.with_context(|| format!("{key} is not an integer"))
}

impl GgufTokenizer {
	/// Builds the tokenizer from a GGUF file's metadata.
	pub fn from_gguf(content: &Content) -> Result<Self> {
		let model = content
			.metadata
			.get("tokenizer.ggml.model")
			.and_then(|value| value.to_string().ok())
			.context("the GGUF has no tokenizer.ggml.model")?;
		ensure!(model == "gpt2", "tokenizer model {model:?} is not supported (only gpt2 BPE)");
		let pre = content
			.metadata
			.get("tokenizer.ggml.pre")
			.and_then(|value| value.to_string().ok())
			.map(String::as_str)
			.unwrap_or("default");
		let tokens = strings(content, "tokenizer.ggml.tokens")?;
		let merges = strings(content, "tokenizer.ggml.merges")?;
		let types: Vec<i32> = match content.metadata.get("tokenizer.ggml.token_type") {
			Some(Value::Array(values)) => values
				.iter()
				.map(|value| match value {
					Value::I32(t) => Ok(*t),
					Value::U32(t) => Ok(*t as i32),
					_ => bail!("tokenizer.ggml.token_type holds a non-integer"),
				})
				.collect::<Result<_>>()?,
			_ => vec![1; tokens.len()],
		};
		ensure!(types.len() == tokens.len(), "token_type and tokens differ in length");
		let eos = u32_of(content, "tokenizer.ggml.eos_token_id")?;
		ensure!((eos as usize) < tokens.len(), "eos token {eos} out of the vocabulary");

		let vocab: tokenizers::models::bpe::Vocab =
			tokens.iter().enumerate().map(|(id, token)| (token.clone(), id as u32)).collect();
		ensure!(vocab.len() == tokens.len(), "the GGUF vocabulary repeats a token");
		let merges = merges
			.iter()
			.map(|merge| {
				merge
					.split_once(' ')
					.map(|(a, b)| (a.to_owned(), b.to_owned()))
					.with_context(|| format!("merge {merge:?} is not two tokens"))
			})
			.collect::<Result<Vec<_>>>()?;
		let bpe = BPE::builder()
			.vocab_and_merges(vocab, merges)
			.build()
			.map_err(|e| anyhow::anyhow!("building the BPE: {e}"))?;
		let byte_level = ByteLevel::new(false, true, true);
		let pre_tokenizer: PreTokenizerWrapper = match pre {
			"smollm" => Sequence::new(vec![Digits::new(true).into(), byte_level.into()]).into(),
			"gpt2" | "default" => byte_level.into(),
			other => bail!("pre-tokenizer {other:?} is not supported (smollm, gpt2, default)"),
		};
		let mut tokenizer = Tokenizer::new(bpe);
		tokenizer.with_pre_tokenizer(Some(pre_tokenizer));
		tokenizer.with_decoder(Some(ByteLevelDecoder::default()));
		let controls: Vec<u32> = types
			.iter()
			.enumerate()
			.filter(|(_, kind)| **kind == CONTROL)
			.map(|(id, _)| id as u32)
			.collect();
		let specials: Vec<AddedToken> = controls
			.iter()
			.filter_map(|id| tokens.get(*id as usize))
			.map(|token| AddedToken::from(token.clone(), true))
			.collect();
		tokenizer
			.add_special_tokens(specials)
			.map_err(|e| anyhow::anyhow!("adding the control tokens: {e}"))?;
		let end_of_text =
			tokens.iter().position(|token| token == "<|endoftext|>").map(|id| id as u32);
		Ok(Self { tokenizer, vocab_size: tokens.len(), eos, end_of_text, controls })
	}

	/// Token ids of `text`; control tokens written in it (`<|im_start|>`) are matched whole.
	pub fn encode(&self, text: &str) -> Result<Vec<u32>> {
		let encoding =
			self.tokenizer.encode(text, false).map_err(|e| anyhow::anyhow!("tokenizing: {e}"))?;
		Ok(encoding.get_ids().to_vec())
	}

	/// The text of `ids`, control tokens left out.
	pub fn decode(&self, ids: &[u32]) -> Result<String> {
		self.tokenizer.decode(ids, true).map_err(|e| anyhow::anyhow!("decoding: {e}"))
	}

	/// Tokens in the vocabulary.
	pub fn vocab_size(&self) -> usize {
		self.vocab_size
	}

	/// Whether a generation ends after `id`: the end-of-sequence token or `<|endoftext|>`.
	pub fn ends_generation(&self, id: u32) -> bool {
		id == self.eos || Some(id) == self.end_of_text
	}

	/// The id of a control token by its text (`<|im_start|>`).
	pub fn control(&self, text: &str) -> Option<u32> {
		self.tokenizer.token_to_id(text).filter(|id| self.controls.contains(id))
	}
}
