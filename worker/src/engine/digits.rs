//! The digits engine (Tier A, exact): runs a `modelchain-int-mlp/1` model (the demo digits classifier in
//! `models/digits`) with [candle](https://github.com/huggingface/candle), on the CPU or, with the
//! `cuda` feature, on an NVIDIA GPU.
//!
//! The weights are integers stored as F32 tensors. Every intermediate value stays far below
//! 2^24, where f32 arithmetic is exact whatever the summation order, so the CPU, any GPU and the
//! reference implementations (Python, JavaScript) produce the same output bit for bit. That is
//! what lets three miners and a verifier agree on a hash of the output.
//!
//! Input: 64 bytes, an 8x8 image with pixel values 0..=16, row-major.
//! Output: `[class, logit_0, …, logit_9]`; an input that is not 64 values in 0..=16 gets
//! [`INVALID_INPUT`], so honest workers agree on garbage too (and the requester pays for it).

use anyhow::{anyhow, bail, ensure, Context, Result};
use candle_core::{DType, Device, Tensor};

use super::{check_weights_hash, file_sha256, INVALID_INPUT};

/// The format tag a model file must carry in its safetensors metadata.
pub const FORMAT: &str = "modelchain-int-mlp/1";
/// Pixels per input image.
pub const INPUT_LEN: usize = 64;
/// Largest pixel value.
pub const MAX_PIXEL: u8 = 16;
/// The largest hidden activation after requantization.
const HIDDEN_MAX: f64 = 127.0;

/// A loaded model, ready to run.
pub struct Model {
	w1: Tensor,
	b1: Tensor,
	w2: Tensor,
	b2: Tensor,
	shift_divisor: f64,
	device: Device,
	sha256: [u8; 32],
	architecture: String,
}

impl Model {
	#[cfg(test)]
	/// Loads a model file. With `expected_sha256`, refuses a file whose hash differs (the
	/// worker passes the on-chain version's `weights_hash`).
	pub fn load(
		path: &std::path::Path,
		expected_sha256: Option<[u8; 32]>,
		device: Device,
	) -> Result<Self> {
		let bytes =
			std::fs::read(path).with_context(|| format!("reading model {}", path.display()))?;
		Self::from_bytes(&bytes, expected_sha256, device)
	}

	/// Loads a model from the bytes of its safetensors file.
	pub fn from_bytes(
		bytes: &[u8],
		expected_sha256: Option<[u8; 32]>,
		device: Device,
	) -> Result<Self> {
		let sha256 = file_sha256(bytes);
		if let Some(expected) = expected_sha256 {
			check_weights_hash(sha256, expected)?;
		}
		let (_, header) = safetensors::SafeTensors::read_metadata(bytes)
			.map_err(|e| anyhow!("not a safetensors file: {e}"))?;
		let metadata = header.metadata().clone().unwrap_or_default();
		let format = metadata.get("format").map(String::as_str).unwrap_or("");
		ensure!(format == FORMAT, "unsupported model format {format:?} (expected {FORMAT:?})");
		let shift: u32 = metadata
			.get("shift1")
			.context("model metadata lacks shift1")?
			.parse()
			.context("shift1 is not an integer")?;
		ensure!(shift < 31, "shift1 {shift} out of range");
		let architecture = metadata.get("architecture").cloned().unwrap_or_default();

		let tensors = candle_core::safetensors::load_buffer(bytes, &device)?;
		let take = |name: &str, shape: &[usize]| -> Result<Tensor> {
			let tensor = tensors.get(name).with_context(|| format!("model lacks tensor {name}"))?;
			ensure!(
				tensor.dims() == shape && tensor.dtype() == DType::F32,
				"tensor {name} is {:?} {:?}, expected F32 {shape:?}",
				tensor.dtype(),
				tensor.dims()
			);
			Ok(tensor.clone())
		};
		let hidden = tensors
			.get("w1")
			.and_then(|tensor| tensor.dims().get(1).copied())
			.context("model lacks a 2-d tensor w1")?;
		let w1 = take("w1", &[INPUT_LEN, hidden])?;
		ensure!((1..=1024).contains(&hidden), "hidden width {hidden} out of range");
		let b1 = take("b1", &[hidden])?;
		let w2 = take("w2", &[hidden, 10])?;
		let b2 = take("b2", &[10])?;
		// Integer weights within int8, so f32 stays exact (checked, not trusted).
		for (name, tensor, limit) in
			[("w1", &w1, 127.0), ("w2", &w2, 127.0), ("b1", &b1, 1e6), ("b2", &b2, 1e6)]
		{
			let values = tensor.flatten_all()?.to_vec1::<f32>()?;
			ensure!(
				values.iter().all(|v| v.fract() == 0.0 && v.abs() <= limit),
				"tensor {name} holds values that are not integers within ±{limit}"
			);
		}
		Ok(Self {
			w1,
			b1,
			w2,
			b2,
			shift_divisor: f64::from(1u32 << shift),
			device,
			sha256,
			architecture,
		})
	}

	/// sha256 of the weights file.
	pub fn sha256(&self) -> [u8; 32] {
		self.sha256
	}

	/// The architecture tag from the file's metadata.
	pub fn architecture(&self) -> &str {
		&self.architecture
	}

	/// Runs one input; see the module docs for the input and output formats.
	pub fn infer(&self, input: &[u8]) -> Result<Vec<i64>> {
		Ok(self.infer_batch(&[input])?.pop().unwrap_or_else(|| INVALID_INPUT.to_vec()))
	}

	/// Runs a batch of inputs at once (one matrix product per layer).
	pub fn infer_batch(&self, inputs: &[&[u8]]) -> Result<Vec<Vec<i64>>> {
		let valid: Vec<&[u8]> = inputs.iter().copied().filter(|input| is_valid(input)).collect();
		let mut outputs = if valid.is_empty() { Vec::new() } else { self.run(&valid)? }.into_iter();
		inputs
			.iter()
			.map(|input| {
				if is_valid(input) {
					outputs.next().ok_or_else(|| anyhow!("engine returned too few rows"))
				} else {
					Ok(INVALID_INPUT.to_vec())
				}
			})
			.collect()
	}

	fn run(&self, inputs: &[&[u8]]) -> Result<Vec<Vec<i64>>> {
		let pixels: Vec<f32> =
			inputs.iter().flat_map(|row| row.iter().map(|&p| f32::from(p))).collect();
		let x = Tensor::from_vec(pixels, (inputs.len(), INPUT_LEN), &self.device)?;
		let acc1 = x.matmul(&self.w1)?.broadcast_add(&self.b1)?;
		// floor(acc1 / 2^shift), exact in f32, then clamp to the int8 range's positive half.
		let hidden = (acc1 / self.shift_divisor)?.floor()?.clamp(0.0, HIDDEN_MAX)?;
		let logits = hidden.matmul(&self.w2)?.broadcast_add(&self.b2)?;
		let logits = logits.to_dtype(DType::I64)?.to_vec2::<i64>()?;
		Ok(logits
			.into_iter()
			.map(|row| {
				let class = argmax(&row);
				let mut output = Vec::with_capacity(row.len() + 1);
				output.push(class as i64);
				output.extend(row);
				output
			})
			.collect())
	}
}

/// Whether `input` is 64 pixels in 0..=16.
pub fn is_valid(input: &[u8]) -> bool {
	input.len() == INPUT_LEN && input.iter().all(|&p| p <= MAX_PIXEL)
}

/// Index of the largest value; ties go to the lowest index.
fn argmax(values: &[i64]) -> usize {
	let mut best = 0;
	for (index, value) in values.iter().enumerate() {
		if *value > values[best] {
			best = index;
		}
	}
	best
}

/// A wrong answer for `--lie-for-tests`: the next class.
pub fn lie(mut output: Vec<i64>) -> Vec<i64> {
	if let Some(class) = output.first_mut() {
		*class = (*class + 1).rem_euclid(10);
	}
	output
}

/// Parses a comma-separated list of 64 pixel values (`0,0,5,13,…`) into input bytes.
pub fn parse_pixels(text: &str) -> Result<Vec<u8>> {
	let pixels = text
		.split(',')
		.map(|value| value.trim().parse::<u8>().with_context(|| format!("bad pixel {value:?}")))
		.collect::<Result<Vec<u8>>>()?;
	if !is_valid(&pixels) {
		bail!(
			"an input is {INPUT_LEN} pixels with values 0..={MAX_PIXEL}, got {} values",
			pixels.len()
		);
	}
	Ok(pixels)
}

#[cfg(test)]
mod tests {
	use super::*;
	use std::path::PathBuf;

	fn model_dir() -> PathBuf {
		// Read at run time (cargo test sets it): a test binary reused from a checkout at another
		// path (one shared target directory) must still find this checkout's files.
		let manifest_dir = std::env::var("CARGO_MANIFEST_DIR")
			.unwrap_or_else(|_| env!("CARGO_MANIFEST_DIR").to_string());
		PathBuf::from(manifest_dir).join("../models/digits")
	}

	fn card() -> serde_json::Value {
		let text = std::fs::read_to_string(model_dir().join("model.json")).expect("model.json");
		serde_json::from_str(&text).expect("model.json is JSON")
	}

	fn load() -> Model {
		Model::load(&model_dir().join("model.safetensors"), None, Device::Cpu).expect("model loads")
	}

	/// The held-out split: (pixels, label).
	fn test_set() -> Vec<(Vec<u8>, i64)> {
		std::fs::read_to_string(model_dir().join("test.csv"))
			.expect("test.csv")
			.lines()
			.filter(|line| !line.starts_with('#') && !line.is_empty())
			.map(|line| {
				let values: Vec<i64> =
					line.split(',').map(|v| v.parse().expect("integer")).collect();
				let pixels = values[..64].iter().map(|&v| v as u8).collect();
				(pixels, values[64])
			})
			.collect()
	}

	#[test]
	fn committed_weights_match_the_card_hash() {
		let model = load();
		assert_eq!(hex::encode(model.sha256()), card()["weights_sha256"].as_str().expect("hash"));
		assert_eq!(model.architecture(), "mlp-64-32-10");
	}

	#[test]
	fn held_out_accuracy_is_what_the_card_states() {
		let model = load();
		let rows = test_set();
		assert_eq!(rows.len() as u64, card()["split"]["test"].as_u64().expect("test size"));
		let inputs: Vec<&[u8]> = rows.iter().map(|(pixels, _)| pixels.as_slice()).collect();
		let outputs = model.infer_batch(&inputs).expect("inference");
		let correct =
			outputs.iter().zip(&rows).filter(|(output, (_, label))| output[0] == *label).count();
		assert_eq!(correct as u64, card()["int_test_correct"].as_u64().expect("correct"));
		assert!(correct * 100 >= rows.len() * 90, "accuracy below 90%: {correct}/{}", rows.len());
	}

	#[test]
	fn outputs_are_bit_exact_with_the_python_reference() {
		let model = load();
		let rows = test_set();
		let expected: serde_json::Value = serde_json::from_str(
			&std::fs::read_to_string(model_dir().join("expected.json")).expect("expected.json"),
		)
		.expect("JSON");
		for case in expected.as_array().expect("array") {
			let row = case["row"].as_u64().expect("row") as usize;
			let want: Vec<i64> = serde_json::from_value(case["output"].clone()).expect("output");
			// one at a time and in a batch: the same integers
			assert_eq!(model.infer(&rows[row].0).expect("infer"), want, "row {row}");
		}
	}

	#[test]
	fn a_wrong_hash_is_refused() {
		let path = model_dir().join("model.safetensors");
		let mut wrong = load().sha256();
		wrong[0] ^= 1;
		let error = Model::load(&path, Some(wrong), Device::Cpu).err().expect("refused");
		assert!(error.to_string().contains("weights hash mismatch"), "{error}");
		assert!(Model::load(&path, Some(load().sha256()), Device::Cpu).is_ok());
	}

	#[test]
	fn tampered_or_foreign_files_are_refused() {
		let bytes = std::fs::read(model_dir().join("model.safetensors")).expect("file");
		assert!(Model::from_bytes(b"not a model", None, Device::Cpu).is_err());
		let mut tampered = bytes.clone();
		let end = tampered.len();
		// the last weight of w2 becomes 0.5: not an integer
		tampered[end - 4..].copy_from_slice(&0.5f32.to_le_bytes());
		assert!(Model::from_bytes(&tampered, None, Device::Cpu).is_err());
	}

	#[test]
	fn a_lie_changes_the_class_only() {
		assert_eq!(lie(vec![9, 1, 2]), vec![0, 1, 2]);
		assert_eq!(lie(vec![3]), vec![4]);
		assert_eq!(lie(vec![]), Vec::<i64>::new());
	}

	#[test]
	fn invalid_inputs_get_the_invalid_output() {
		let model = load();
		assert_eq!(model.infer(&[0u8; 63]).expect("runs"), INVALID_INPUT.to_vec());
		assert_eq!(model.infer(&[17u8; 64]).expect("runs"), INVALID_INPUT.to_vec());
		let good = test_set().remove(0).0;
		let outputs = model.infer_batch(&[&[1u8; 3], &good]).expect("runs");
		assert_eq!(outputs[0], INVALID_INPUT.to_vec());
		assert_eq!(outputs[1], model.infer(&good).expect("runs"));
		assert_eq!(outputs[1].len(), 11);
		assert!(parse_pixels("1,2,3").is_err());
		assert_eq!(parse_pixels(&vec!["16"; 64].join(",")).expect("parses"), vec![16u8; 64]);
	}
}
