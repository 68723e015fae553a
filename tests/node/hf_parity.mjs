// Tokenizes every tweet in ../shared/data with Hugging Face's tokenizer (npm @huggingface/tokenizers) and with
// `flatbert tokenize --vocab`, and requires identical ids on every row. Then the same for the test tweets with the
// tokenizer settings of a cased and of an accent-keeping checkpoint, read by `flatbert tokenize --hf` as `convert`
// reads a checkpoint (tokenizer_config.json's do_lower_case and strip_accents).
//   node tests/node/hf_parity.mjs build/flatbert ../shared/models/bert-base-uncased-tokenizer ../shared/data
import { Tokenizer } from "@huggingface/tokenizers";
import { execFileSync } from "node:child_process";
import { readFileSync, existsSync, mkdtempSync, writeFileSync, copyFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const [flatbert, tokenizerDir, dataDir] = process.argv.slice(2);
if (!flatbert || !tokenizerDir || !dataDir) {
  console.error("usage: node hf_parity.mjs FLATBERT_BIN TOKENIZER_DIR DATA_DIR");
  process.exit(2);
}
const files = ["replab2013/train.tsv", "replab2013/test.tsv", "semeval2017/train.tsv", "semeval2017/test.tsv"];
for (const path of [join(tokenizerDir, "tokenizer.json"), ...files.map((f) => join(dataDir, f))]) {
  if (!existsSync(path)) {
    console.error(`skipped: ${path} is absent (../shared beside the project holds it)`);
    process.exit(77);  // ctest's SKIP_RETURN_CODE
  }
}
const texts = [];
for (const f of files) {
  const path = join(dataDir, f);
  const lines = readFileSync(path, "utf8").split("\n");
  const header = lines[0].split("\t");
  const col = header.indexOf("text");
  for (const line of lines.slice(1)) if (line.length) texts.push(line.split("\t")[col]);
}
const tokenizerJson = JSON.parse(readFileSync(join(tokenizerDir, "tokenizer.json"), "utf8"));
const tokenizerConfig = JSON.parse(readFileSync(join(tokenizerDir, "tokenizer_config.json"), "utf8"));

// Rows of `texts` whose ids differ between HF (tokenizer.json + tokenizer_config.json) and flatbert's `args`.
function mismatches(name, texts, tokJson, tokConfig, args) {
  const tok = new Tokenizer(tokJson, tokConfig);
  const ours = execFileSync(flatbert, ["tokenize", ...args], { input: texts.join("\n") + "\n", maxBuffer: 1 << 30 })
                   .toString().trimEnd().split("\n");
  if (ours.length !== texts.length) {
    console.error(`${name}: flatbert printed ${ours.length} rows for ${texts.length} texts`);
    return texts.length;
  }
  let bad = 0;
  for (let i = 0; i < texts.length; ++i) {
    const expected = tok.encode(texts[i]).ids;
    const got = JSON.parse(ours[i]).ids;
    if (JSON.stringify(expected) !== JSON.stringify(got)) {
      if (++bad <= 5) console.error(`${name} row ${i}: ${JSON.stringify(texts[i])}\n  hf:       ${expected}\n  flatbert: ${got}`);
    }
  }
  console.log(`tokenizer parity (${name}): ${texts.length - bad} of ${texts.length} tweets identical`);
  return bad;
}

let failed = mismatches("bert-base-uncased", texts, tokenizerJson, tokenizerConfig,
                        ["--vocab", join(tokenizerDir, "vocab.txt")]);
const testTexts = texts.filter((_, i) => i % 4 === 0);  // a quarter of the rows for each variant
for (const [name, lowercase, stripAccents] of [["cased", false, false], ["lowercase-keep-accents", true, false]]) {
  const dir = mkdtempSync(join(tmpdir(), "flatbert-parity-"));
  copyFileSync(join(tokenizerDir, "vocab.txt"), join(dir, "vocab.txt"));
  const tokJson = structuredClone(tokenizerJson);
  tokJson.normalizer.lowercase = lowercase;
  tokJson.normalizer.strip_accents = stripAccents;
  const tokConfig = { ...tokenizerConfig, do_lower_case: lowercase, strip_accents: stripAccents };
  writeFileSync(join(dir, "tokenizer.json"), JSON.stringify(tokJson));
  writeFileSync(join(dir, "tokenizer_config.json"), JSON.stringify(tokConfig));
  failed += mismatches(name, testTexts, tokJson, tokConfig, ["--hf", dir]);
  rmSync(dir, { recursive: true });
}
console.log(`${failed ? "some" : "all"} rows identical; ${failed} failed`);
process.exit(failed ? 1 : 0);
