// ONNX Runtime peer for bench/compare.sh: runs a model on pre-tokenized tweets (the ids flatbert's tokenizer gives,
// so all engines see identical inputs), batch 1, and prints one JSON object.
//   node bench/node/ort_bench.mjs MODEL.onnx IDS.jsonl THREADS WARMUP [BATCH]
// With BATCH > 1 it also times batch mode: BATCH tweets per run, padded to the longest with attention_mask 0.
import * as ort from "onnxruntime-node";
import { readFileSync } from "node:fs";

const [modelPath, idsPath, threadsArg, warmupArg] = process.argv.slice(2);
const threads = Number(threadsArg ?? 1), warmup = Number(warmupArg ?? 50), batch = Number(process.argv[6] ?? 1);
const rows = readFileSync(idsPath, "utf8").trimEnd().split("\n").map((l) => JSON.parse(l).ids);

const t0 = performance.now();
const session = await ort.InferenceSession.create(modelPath, {
  intraOpNumThreads: threads, interOpNumThreads: 1, graphOptimizationLevel: "all", executionMode: "sequential",
});
const loadMs = performance.now() - t0;

async function run(ids) {
  const n = ids.length;
  const feeds = {
    input_ids: new ort.Tensor("int64", BigInt64Array.from(ids, BigInt), [1, n]),
    attention_mask: new ort.Tensor("int64", new BigInt64Array(n).fill(1n), [1, n]),
  };
  const out = await session.run(feeds);
  const logits = out.logits.data;
  let best = 0;
  for (let i = 1; i < logits.length; ++i) if (logits[i] > logits[best]) best = i;
  return best;
}

async function runBatch(group) {
  const width = Math.max(...group.map((ids) => ids.length));
  const ids = new BigInt64Array(group.length * width), mask = new BigInt64Array(group.length * width);
  group.forEach((row, b) => row.forEach((id, t) => { ids[b * width + t] = BigInt(id); mask[b * width + t] = 1n; }));
  await session.run({
    input_ids: new ort.Tensor("int64", ids, [group.length, width]),
    attention_mask: new ort.Tensor("int64", mask, [group.length, width]),
  });
}

for (let i = 0; i < warmup; ++i) await run(rows[i % rows.length]);
const latency = [], predictions = [];
const start = performance.now();
for (const ids of rows) {
  const a = performance.now();
  predictions.push(await run(ids));
  latency.push(performance.now() - a);
}
const seconds = (performance.now() - start) / 1000;
let batchRate = null;
if (batch > 1) {
  const b0 = performance.now();
  for (let i = 0; i < rows.length; i += batch) await runBatch(rows.slice(i, i + batch));
  batchRate = rows.length / ((performance.now() - b0) / 1000);
}
latency.sort((a, b) => a - b);
const pct = (q) => latency[Math.floor(q * (latency.length - 1))];
console.log(JSON.stringify({
  engine: "onnxruntime", version: ort.env.versions?.common ?? "1.30.0", threads, load_ms: loadMs,
  latency_ms: { p50: pct(0.5), p95: pct(0.95) }, tweets_per_second: rows.length / seconds,
  batch, batch_tweets_per_second: batchRate, peak_rss_mb: process.resourceUsage().maxRSS / 1024, predictions,
}));
