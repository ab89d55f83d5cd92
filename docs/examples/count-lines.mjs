// A job script: counts the lines of every file in the job's input and writes counts.json.
// Run it with: lodestone dlc create-job --name count --script docs/examples/count-lines.mjs --oss-input oss://docs-demo/data/ --wait
import fs from "node:fs";
import path from "node:path";

const input = process.env.LODESTONE_INPUT_DIR;
const files = fs
  .readdirSync(input, { recursive: true })
  .filter((f) => fs.statSync(path.join(input, f)).isFile());
const counts = {};
files.forEach((file, i) => {
  counts[file] = fs.readFileSync(path.join(input, file), "utf8").split("\n").length;
  console.log(`##lodestone ${JSON.stringify({ progress: (i + 1) / files.length, message: file })}`);
});
const total = Object.values(counts).reduce((a, b) => a + b, 0);
console.log(`##lodestone ${JSON.stringify({ metrics: { files: files.length, lines: total } })}`);
fs.writeFileSync(path.join(process.env.LODESTONE_OUTPUT_DIR, "counts.json"), JSON.stringify(counts, null, 2));
