/**
 * Analyzer parity against Lucene 8.7: compiles bench/bm25/LuceneAnalyze.java, feeds it every document
 * (`title + " " + text`) and query of the cranfield and debian-packages datasets plus hand-made multilingual
 * lines and synthetic Porter words, runs our `standardAnalyze` / `englishAnalyze` on the same lines and
 * compares term, start/end offsets, position increments and token types. Prints mismatch counts per
 * analyzer and input set, the first 20 mismatches, and a throughput measurement; exits 1 on any mismatch.
 *
 *   node --import tsx bench/bm25/analyzer-parity.ts
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { englishAnalyze, standardAnalyze } from "../../src/search/analysis/english.ts";
import { standardTokenizer, tokenizeDfa } from "../../src/search/analysis/standard-tokenizer.ts";
import type { Token } from "../../src/search/analysis/types.ts";
import { DATASETS_DIR } from "../lib/paths.ts";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const DATASETS = DATASETS_DIR;
const LUCENE_JARS = ["lucene-core-8.7.0.jar", "lucene-analyzers-common-8.7.0.jar"].map((j) =>
  path.join("/usr/share/java", j),
);

/** Lines must survive the line protocol and a UTF-8 round trip unchanged. */
function sanitize(s: string): string {
  return s
    .replace(/[\r\n]/g, " ")
    .replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, "\ufffd");
}

function readJsonl(file: string): Record<string, unknown>[] {
  return fs
    .readFileSync(file, "utf8")
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

const str = (v: unknown): string => (typeof v === "string" ? v : "");

const HAND_MADE = [
  "Crème brûlée à la française — naïve café, façade, Ærøskøbing, São Paulo, Łódź, Dvořák",
  "中文分词测试：北京大学生前来应聘。日本語のテキスト、カタカナとひらがな。한국어 텍스트입니다",
  "Привет, мир! Съешь же ещё этих мягких французских булок. Ελληνικά: ΣΟΦΟΣ σοφός ΟΔΥΣΣΕΥΣ",
  "emoji 😀 👍🏽 🇺🇸🇫🇷 👨‍👩‍👧‍👦 ❤️ ☺ 1️⃣ #️⃣ ©️ 🏳️‍🌈 text😀text",
  "URLs http://example.com/path?q=1&r=2 https://www.debian.org/doc/ ftp://ftp.x.org/pub/X11R6.tar.gz",
  "emails john.doe@example.com first_last@sub.domain.co.uk <user+tag@host.org>",
  "numbers 1,000.5 3.14 -2.5e10 1.2.3.4 192.168.0.1 v2.0 2nd 10x 0x1F 1_000 12:30 3/4 50% $5.99 1;2",
  "apostrophes don't can't O'Reilly rock'n'roll ’twas John’s JOHN'S dogs' l'homme qu’il ＇s x＇S",
  "underscores __init__ foo_bar _private trailing_ ___ snake_case_42 a__b _ __",
  "dots U.S.A. e.g. i.e. etc. ... a.b.c x..y node.js .NET C++ C# F# A* wi-fi e-mail",
  "colons a:b std::vector http: 10:30:45 ratio 1:2 a:1",
  "Turkish İstanbul İZMİR ıi Iİ; German Straße STRASSE; ligature ﬁﬂ; Kelvin K Ohm Ω; ǅ ǈ",
  "Thai ภาษาไทยง่ายนิดเดียว Lao ພາສາລາວ Khmer ភាសាខ្មែរ Myanmar မြန်မာဘာသာ",
  'Hebrew עברית ש"ח צה"ל מ\'ה Arabic العربية ١٢٣ Devanagari हिन्दी ०१२ Tamil தமிழ்',
  "combining e\u0301 cafe\u0301s a\u0308b n\u0303o\u0303 zero\u200bwidth soft\u00adhyphen word\u200dzwj",
  "fullwidth ＡＢＣ１２３ ｈｅｌｌｏ halfwidth ｶﾀｶﾅ ｱｲｳ mixed Ｈello",
  "math 𝐀𝐁𝐂 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 Deseret 𐐀𐐨 CJK ext B 𠀀𠀁 gothic 𐌰𐌱",
  `long ${"a".repeat(300)} ${"1".repeat(260)} ${"_".repeat(270)}x ${"ab.".repeat(100)}z ${"é".repeat(256)}`,
  `surrogate window ${"a".repeat(254)}😀 ${"b".repeat(253)}𐐀𐐀 ${"中".repeat(3)}`,
  "possessives Bob's BOB'S James' it’s Mary＇s s's 's x's",
  "stop words The AND of to Be OR not TO be, that is the question; it was into such their there",
  "Porter: caresses ponies ties caress cats feed agreed plastered bled motoring sing conflated troubled sized hopping tanned falling hissing fizzed failing filing happy sky relational conditional rational valenci hesitanci digitizer conformabli radicalli differentli vileli analogousli vietnamization predication operator feudalism decisiveness hopefulness callousness formaliti sensitiviti sensibiliti triplicate formative formalize electriciti electrical hopeful goodness revival allowance inference airliner gyroscopic adjustable defensible irritant replacement adjustment dependent adoption homologou communism activate angulariti homologous effective bowdlerize probate rate cease controll roll generalization archaeology possibly",
  "Mixed 3D 4K 1080p x86_64 i386 amd64 IPv6 UTF-8 ISO-8859-1 GTK+ Qt5 libc6-dev python3.11",
];

/** Synthetic words exercising the Porter rules: stems × suffixes. */
function porterWords(): string[] {
  const stems = [
    "rel",
    "condit",
    "valen",
    "hesit",
    "digit",
    "conform",
    "radic",
    "differ",
    "vil",
    "analog",
    "vietnam",
    "predic",
    "oper",
    "feud",
    "decis",
    "hope",
    "call",
    "form",
    "sensit",
    "sensib",
    "tripl",
    "electr",
    "good",
    "reviv",
    "allow",
    "infer",
    "airlin",
    "gyroscop",
    "adjust",
    "defens",
    "irrit",
    "replac",
    "depend",
    "adopt",
    "homolog",
    "commun",
    "activ",
    "angul",
    "effect",
    "bowdler",
    "prob",
    "ceas",
    "controll",
    "gener",
    "archaeo",
    "poss",
    "sky",
    "by",
    "y",
    "bey",
    "happ",
    "agr",
    "fe",
    "pl",
    "bl",
    "mot",
    "hiss",
    "fizz",
    "fil",
    "tann",
    "fall",
    "siz",
    "troubl",
    "conflat",
    "toy",
    "say",
    "pay",
    "boy",
    "ion",
    "sion",
    "tion",
    "rational",
    "national",
    "lucen",
    "stem",
    "search",
    "index",
    "organ",
    "central",
    "real",
    "univers",
  ];
  const suffixes = [
    "",
    "s",
    "es",
    "ies",
    "sses",
    "ss",
    "ed",
    "eed",
    "ing",
    "ly",
    "y",
    "ational",
    "tional",
    "enci",
    "anci",
    "izer",
    "bli",
    "alli",
    "entli",
    "eli",
    "ousli",
    "ization",
    "ation",
    "ator",
    "alism",
    "iveness",
    "fulness",
    "ousness",
    "aliti",
    "iviti",
    "biliti",
    "logi",
    "icate",
    "ative",
    "alize",
    "iciti",
    "ical",
    "ful",
    "ness",
    "al",
    "ance",
    "ence",
    "er",
    "ic",
    "able",
    "ible",
    "ant",
    "ement",
    "ment",
    "ent",
    "ion",
    "ou",
    "ism",
    "ate",
    "iti",
    "ous",
    "ive",
    "ize",
    "e",
    "ll",
    "ings",
    "ations",
    "izations",
    "ers",
    "ements",
  ];
  const lines: string[] = [];
  for (const stem of stems) lines.push(suffixes.map((s) => stem + s).join(" "));
  return lines;
}

interface InputSet {
  name: string;
  lines: string[];
}

function loadInputs(): InputSet[] {
  const sets: InputSet[] = [];
  for (const ds of ["cranfield", "debian-packages"]) {
    const dir = path.join(DATASETS, ds);
    const docs = readJsonl(path.join(dir, "corpus.jsonl")).map((d) =>
      sanitize(`${str(d.title)} ${str(d.text)}`),
    );
    const queries = readJsonl(path.join(dir, "queries.jsonl")).map((q) => sanitize(str(q.text)));
    sets.push({ name: `${ds}/corpus`, lines: docs }, { name: `${ds}/queries`, lines: queries });
  }
  sets.push({ name: "hand-made", lines: HAND_MADE.map(sanitize) });
  sets.push({ name: "porter-synthetic", lines: porterWords() });
  return sets;
}

function compileJava(): string {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), "lucene-analyze-"));
  const r = spawnSync(
    "javac",
    ["-cp", LUCENE_JARS.join(":"), "-d", out, path.join(HERE, "LuceneAnalyze.java")],
    { encoding: "utf8" },
  );
  if (r.status !== 0) throw new Error(`javac failed: ${r.stderr || r.error}`);
  return out;
}

function runLucene(classDir: string, analyzer: string, lines: string[]): string[] {
  const r = spawnSync(
    "java",
    ["-cp", [classDir, ...LUCENE_JARS].join(":"), "LuceneAnalyze", analyzer, "--types"],
    {
      input: `${lines.join("\n")}\n`,
      encoding: "utf8",
      maxBuffer: 1 << 30,
    },
  );
  if (r.status !== 0) throw new Error(`java failed: ${r.stderr || r.error}`);
  const out = r.stdout.split("\n");
  out.pop();
  if (out.length !== lines.length) throw new Error(`java returned ${out.length} lines for ${lines.length}`);
  return out;
}

function format(tokens: Token[]): string {
  let prev = -1;
  const parts: string[] = [];
  for (const t of tokens) {
    parts.push(`${t.term}/${t.start}/${t.end}/${t.position - prev}/${t.type}`);
    prev = t.position;
  }
  return parts.join(" ");
}

/** Shows where two formatted token lines start to differ. */
function firstDiff(expected: string, actual: string): string {
  const e = expected.split(" ");
  const a = actual.split(" ");
  let i = 0;
  while (i < e.length && i < a.length && e[i] === a[i]) i++;
  const ctx = (xs: string[]) => xs.slice(Math.max(0, i - 2), i + 3).join(" ");
  return `token #${i}\n    lucene: ${ctx(e)}\n    ours:   ${ctx(a)}`;
}

function main(): void {
  const inputs = loadInputs();
  const classDir = compileJava();
  const analyzers: [string, (text: string) => Token[]][] = [
    ["standard", standardAnalyze],
    ["english", englishAnalyze],
  ];
  let total = 0;
  const shown: string[] = [];
  for (const [name, analyze] of analyzers) {
    const all = inputs.flatMap((s) => s.lines);
    const expected = runLucene(classDir, name, all);
    let offset = 0;
    for (const set of inputs) {
      let mismatches = 0;
      let tokens = 0;
      for (let i = 0; i < set.lines.length; i++) {
        const line = set.lines[i] as string;
        const exp = expected[offset + i] as string;
        const got = format(analyze(line));
        if (exp !== "") tokens += exp.split(" ").length;
        if (exp !== got) {
          mismatches++;
          if (shown.length < 20) {
            shown.push(
              `[${name} ${set.name} line ${i}] ${JSON.stringify(line.slice(0, 120))}\n  ${firstDiff(exp, got)}`,
            );
          }
        }
      }
      offset += set.lines.length;
      total += mismatches;
      console.log(
        `${name.padEnd(8)} ${set.name.padEnd(26)} lines=${String(set.lines.length).padStart(6)} ` +
          `tokens=${String(tokens).padStart(8)} mismatched lines=${mismatches}`,
      );
    }
  }

  // The ASCII fast path and the table-driven scanner must agree on everything (they do on Lucene's output
  // above for their respective inputs; this also runs the DFA over the ASCII lines).
  const tokenizer = standardTokenizer();
  let pathMismatches = 0;
  for (const set of inputs) {
    for (const line of set.lines) {
      if (format(tokenizer(line)) !== format(tokenizeDfa(line))) pathMismatches++;
    }
  }
  console.log(`ascii fast path vs DFA: mismatched lines=${pathMismatches}`);
  total += pathMismatches;

  if (shown.length > 0) console.log(`\nfirst ${shown.length} mismatches:\n${shown.join("\n")}`);

  // Throughput on the debian corpus (warm-up pass, then the best of three timed passes).
  const debian = inputs.find((s) => s.name === "debian-packages/corpus")?.lines ?? [];
  const chars = debian.reduce((n, l) => n + l.length, 0);
  for (const [name, fn] of [
    ["standardTokenizer", tokenizer],
    ["standardAnalyze", standardAnalyze],
    ["englishAnalyze", englishAnalyze],
  ] as [string, (t: string) => Token[]][]) {
    let tokens = 0;
    for (const l of debian) tokens += fn(l).length;
    let best = Number.POSITIVE_INFINITY;
    for (let rep = 0; rep < 3; rep++) {
      const t0 = process.hrtime.bigint();
      for (const l of debian) fn(l);
      best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1e9);
    }
    console.log(
      `${name.padEnd(18)} debian corpus: ${tokens} tokens, ${(chars / 1e6).toFixed(1)}M chars in ` +
        `${(best * 1000).toFixed(0)} ms → ${(tokens / best / 1e6).toFixed(2)}M tokens/s`,
    );
  }

  fs.rmSync(classDir, { recursive: true, force: true });
  console.log(total === 0 ? "\nPARITY OK: 0 mismatches" : `\nPARITY FAILED: ${total} mismatched lines`);
  process.exitCode = total === 0 ? 0 : 1;
}

main();
