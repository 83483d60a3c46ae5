// llama.cpp (through node-llama-cpp 3.21.1's prebuilt CPU binary) on a GGUF: greedy generation
// from a text (special tokens parsed, as the worker's tokenizer does) or from token ids, with
// timings. The independent implementation the worker's language-model engine is compared with.
//
//   node reference.mjs --model smollm2.gguf --text "<|im_start|>user\nHi<|im_end|>\n…" \
//        [--tokens 1,2,3] [--max-tokens 16] [--threads 2] [--repeat 3]
//
// Prints one JSON object: prompt and generated token ids, the decoded text, whether generation
// stopped at an end-of-generation token (node-llama-cpp ends the stream there without yielding
// that token), and the medians of time to first token, prefill and decode tokens/s.
import { getLlama } from "node-llama-cpp";
import { parseArgs } from "node:util";

const { values } = parseArgs({
	options: {
		model: { type: "string" },
		text: { type: "string" },
		tokens: { type: "string" },
		"max-tokens": { type: "string", default: "16" },
		threads: { type: "string", default: "2" },
		repeat: { type: "string", default: "1" },
		"tokenize-only": { type: "boolean", default: false },
	},
});
const maxTokens = Number(values["max-tokens"]);
const threads = Number(values.threads);
const llama = await getLlama({ gpu: false, build: "never", maxThreads: threads, logLevel: "error" });
const model = await llama.loadModel({ modelPath: values.model, gpuLayers: 0 });
const prompt = values.tokens
	? values.tokens.split(",").map(Number)
	: model.tokenize(values.text, true);
if (values["tokenize-only"]) {
	console.log(JSON.stringify({ prompt }));
	process.exit(0);
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const runs = [];
for (let run = 0; run < Number(values.repeat); run++) {
	const context = await model.createContext({ contextSize: 1024, threads, batchSize: 512 });
	const sequence = context.getSequence();
	const generated = [];
	const started = performance.now();
	let firstAt = 0;
	for await (const token of sequence.evaluate(prompt, { temperature: 0 })) {
		if (generated.length === 0) firstAt = performance.now();
		generated.push(token);
		if (generated.length >= maxTokens || model.isEogToken(token)) break;
	}
	const ended = performance.now();
	runs.push({ generated, stopped: generated.length < maxTokens, ttft: firstAt - started, decode: ended - firstAt });
	await context.dispose();
}
const generated = runs[0].generated;
console.log(
	JSON.stringify({
		prompt,
		output: generated,
		stopped: runs[0].stopped,
		eos: model.tokens.eos,
		text: model.detokenize(generated.filter((t) => !model.isEogToken(t))),
		deterministic: runs.every((r) => JSON.stringify(r.generated) === JSON.stringify(generated)),
		time_to_first_token_ms: median(runs.map((r) => r.ttft)),
		prefill_tokens_per_s: median(runs.map((r) => prompt.length / (r.ttft / 1e3))),
		decode_tokens_per_s: median(runs.map((r) => (r.generated.length - 1) / (r.decode / 1e3))),
	}),
);
process.exit(0);
