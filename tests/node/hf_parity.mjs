// Tokenizes every tweet in ../shared/data with Hugging Face's tokenizer (npm @huggingface/tokenizers) and with
// `flatbert tokenize --vocab`, and requires identical ids on every row.
//   node tests/node/hf_parity.mjs build/flatbert ../shared/models/bert-base-uncased-tokenizer ../shared/data
import { Tokenizer } from "@huggingface/tokenizers";
import { execFileSync } from "node:child_process";
import { readFileSync, existsSync } from "node:fs";
import { join } from "node:path";

const [flatbert, tokenizerDir, dataDir] = process.argv.slice(2);
if (!flatbert || !tokenizerDir || !dataDir) {
  console.error("usage: node hf_parity.mjs FLATBERT_BIN TOKENIZER_DIR DATA_DIR");
  process.exit(2);
}
const files = ["replab2013/train.tsv", "replab2013/test.tsv", "semeval2017/train.tsv", "semeval2017/test.tsv"];
const texts = [];
for (const f of files) {
  const path = join(dataDir, f);
  if (!existsSync(path)) {
    console.error(`missing data file ${path}`);
    process.exit(1);
  }
  const lines = readFileSync(path, "utf8").split("\n");
  const header = lines[0].split("\t");
  const col = header.indexOf("text");
  for (const line of lines.slice(1)) if (line.length) texts.push(line.split("\t")[col]);
}
const tok = new Tokenizer(JSON.parse(readFileSync(join(tokenizerDir, "tokenizer.json"), "utf8")),
                          JSON.parse(readFileSync(join(tokenizerDir, "tokenizer_config.json"), "utf8")));
const ours = execFileSync(flatbert, ["tokenize", "--vocab", join(tokenizerDir, "vocab.txt")],
                          { input: texts.join("\n") + "\n", maxBuffer: 1 << 30 }).toString().trimEnd().split("\n");
if (ours.length !== texts.length) {
  console.error(`flatbert printed ${ours.length} rows for ${texts.length} texts`);
  process.exit(1);
}
let mismatches = 0;
for (let i = 0; i < texts.length; ++i) {
  const expected = tok.encode(texts[i]).ids;
  const got = JSON.parse(ours[i]).ids;
  if (JSON.stringify(expected) !== JSON.stringify(got)) {
    if (++mismatches <= 5) console.error(`row ${i}: ${JSON.stringify(texts[i])}\n  hf:       ${expected}\n  flatbert: ${got}`);
  }
}
console.log(`tokenizer parity: ${texts.length - mismatches} of ${texts.length} tweets identical`);
console.log(`${texts.length - mismatches} passed, ${mismatches} failed`);
process.exit(mismatches ? 1 : 0);
