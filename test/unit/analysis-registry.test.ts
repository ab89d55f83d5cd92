/**
 * Characterisation tests for the analysis registry (`index.analysis` settings → analyzers): every
 * tokenizer, char_filter and token filter type, the built-in analyzers and normalizers, and the errors
 * and warnings for invalid or "almost right" definitions. The expected values were captured from the
 * single-file registry.ts (commit a9e07c7) before it was split into modules; a change here is a change
 * of behaviour. Tokens are written `term|start-end|position[/positionLength]|type[|keyword]`.
 */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import {
  type AnalysisOptions,
  type AnalysisRegistry,
  AnalysisSettingsError,
  buildAdHocAnalyzer,
  buildAnalysisRegistry,
  type RegistryAnalyzer,
} from "../../src/search/analysis/registry.ts";
import type { Analyzer, Token } from "../../src/search/analysis/types.ts";

interface Case {
  group: string;
  name: string;
  /** `index.analysis`. */
  settings?: unknown;
  opts?: { maxNgramDiff?: number; maxShingleDiff?: number };
  /** What to analyze with: a registry analyzer, a registry normalizer, or an `_analyze`-style chain. */
  analyzer?: string;
  normalizer?: string;
  adhoc?: { tokenizer?: unknown; filter?: unknown; char_filter?: unknown };
  /** Build the ad-hoc analyzer against a registry that is not one buildAnalysisRegistry made. */
  foreignRegistry?: boolean;
  text?: string;
  /** Also record names(), normalizerNames(), updateableFilters() and orphanSynonymFilters(). */
  info?: boolean;
  expect?: Result;
}

interface Result {
  warnings: string[];
  /** `term|start-end|position[/positionLength]|type[|keyword]`; null when the analyzer does not exist. */
  tokens?: string[] | null;
  gap?: number;
  info?: Record<string, string[]>;
  /** `[settings key] message` for AnalysisSettingsError, `Name: message` otherwise. */
  error?: string;
}

const CONFIG_FILES: Record<string, string> = {
  "synonyms.txt": "# comment\nquick, fast\nnyc => new york city\n",
  "synonyms-bom.txt": "\ufeffhello, hi\n",
  "bad-synonyms.txt": "a => b => c\n",
  "wordnet.txt":
    "s(100000001,1,'woods',n,1,0).\ns(100000001,2,'wood',n,1,0).\ns(100000001,3,'forest',n,1,0).\n" +
    "s(100000002,1,'o''clock',n,1,0).\ns(100000002,2,'hour',n,1,0).\n",
  "stopwords.txt": "# stop words\nquick\n\n  fox  \n",
  "mappings.txt": "ph => f\n# comment\nß => ss\n",
  "keywords.txt": "running\njumps\n",
};

const root = mkdtempSync(join(tmpdir(), "analysis-registry-"));
const configDir = join(root, "config");
mkdirSync(configDir);
for (const [name, text] of Object.entries(CONFIG_FILES)) writeFileSync(join(configDir, name), text);
writeFileSync(join(root, "secret.txt"), "secret\n");
symlinkSync(join(root, "secret.txt"), join(configDir, "link.txt"));

const hide = (s: string) => s.replaceAll(root, "<root>");

function fmt(t: Token): string {
  const len = t.positionLength !== undefined ? `/${t.positionLength}` : "";
  return `${t.term}|${t.start}-${t.end}|${t.position}${len}|${t.type}${t.keyword ? "|keyword" : ""}`;
}

const foreign: AnalysisRegistry = {
  get: () => undefined,
  names: () => [],
  updateableFilters: () => [],
  orphanSynonymFilters: () => [],
};

function run(c: Case): Result {
  const warnings: string[] = [];
  const opts: AnalysisOptions = { configDir, warn: (m) => warnings.push(hide(m)), ...c.opts };
  const result: Result = { warnings };
  try {
    const registry = buildAnalysisRegistry(c.settings, opts);
    let analyzer: Analyzer | undefined;
    if (c.analyzer !== undefined) analyzer = registry.get(c.analyzer);
    else if (c.normalizer !== undefined) analyzer = registry.getNormalizer(c.normalizer);
    else if (c.adhoc !== undefined)
      analyzer = buildAdHocAnalyzer(c.adhoc, c.foreignRegistry ? foreign : registry, opts);
    if (analyzer) {
      result.tokens = analyzer.analyze(c.text ?? "").map(fmt);
      result.gap = (analyzer as RegistryAnalyzer).positionIncrementGap;
    } else if (c.analyzer !== undefined || c.normalizer !== undefined) result.tokens = null;
    if (c.info) {
      result.info = {
        names: registry.names(),
        normalizerNames: registry.normalizerNames(),
        updateableFilters: registry.updateableFilters(),
        orphanSynonymFilters: registry.orphanSynonymFilters(),
      };
    }
  } catch (e) {
    result.error =
      e instanceof AnalysisSettingsError
        ? `[${hide(e.key)}] ${hide(e.message)}`
        : `${(e as Error).name}: ${hide((e as Error).message)}`;
  }
  return result;
}

const CASES: Case[] = [
  {
    group: "tokenizer",
    name: "standard",
    adhoc: {
      tokenizer: "standard",
    },
    text: "The Quick-Brown FOX's 2 jumps, über café! C++ e-mail foo@bar.com 3.14 Running ponies",
    expect: {
      warnings: [],
      tokens: [
        "The|0-3|0|<ALPHANUM>",
        "Quick|4-9|1|<ALPHANUM>",
        "Brown|10-15|2|<ALPHANUM>",
        "FOX's|16-21|3|<ALPHANUM>",
        "2|22-23|4|<NUM>",
        "jumps|24-29|5|<ALPHANUM>",
        "über|31-35|6|<ALPHANUM>",
        "café|36-40|7|<ALPHANUM>",
        "C|42-43|8|<ALPHANUM>",
        "e|46-47|9|<ALPHANUM>",
        "mail|48-52|10|<ALPHANUM>",
        "foo|53-56|11|<ALPHANUM>",
        "bar.com|57-64|12|<ALPHANUM>",
        "3.14|65-69|13|<NUM>",
        "Running|70-77|14|<ALPHANUM>",
        "ponies|78-84|15|<ALPHANUM>",
      ],
      gap: 100,
    },
  },
  {
    group: "tokenizer",
    name: "standard max_token_length",
    adhoc: {
      tokenizer: {
        type: "standard",
        max_token_length: 4,
      },
    },
    text: "The Quick-Brown FOX's 2 jumps, über café! C++ e-mail foo@bar.com 3.14 Running ponies",
    expect: {
      warnings: [],
      tokens: [
        "The|0-3|0|<ALPHANUM>",
        "Quic|4-8|1|<ALPHANUM>",
        "k|8-9|2|<ALPHANUM>",
        "Brow|10-14|3|<ALPHANUM>",
        "n|14-15|4|<ALPHANUM>",
        "FOX|16-19|5|<ALPHANUM>",
        "s|20-21|6|<ALPHANUM>",
        "2|22-23|7|<NUM>",
        "jump|24-28|8|<ALPHANUM>",
        "s|28-29|9|<ALPHANUM>",
        "über|31-35|10|<ALPHANUM>",
        "café|36-40|11|<ALPHANUM>",
        "C|42-43|12|<ALPHANUM>",
        "e|46-47|13|<ALPHANUM>",
        "mail|48-52|14|<ALPHANUM>",
        "foo|53-56|15|<ALPHANUM>",
        "bar|57-60|16|<ALPHANUM>",
        "com|61-64|17|<ALPHANUM>",
        "3.14|65-69|18|<NUM>",
        "Runn|70-74|19|<ALPHANUM>",
        "ing|74-77|20|<ALPHANUM>",
        "poni|78-82|21|<ALPHANUM>",
        "es|82-84|22|<ALPHANUM>",
      ],
      gap: 100,
    },
  },
  {
    group: "tokenizer",
    name: "whitespace",
    adhoc: {
      tokenizer: "whitespace",
    },
    text: "  a\tb c d\ne  ",
    expect: {
      warnings: [],
      tokens: ["a|2-3|0|word", "b c|4-7|1|word", "d|8-9|2|word", "e|10-11|3|word"],
      gap: 100,
    },
  },
  {
    group: "tokenizer",
    name: "whitespace max_token_length",
    adhoc: {
      tokenizer: {
        type: "whitespace",
        max_token_length: 3,
      },
    },
    text: "abcdefg hi",
    expect: {
      warnings: [],
      tokens: ["abc|0-3|0|word", "def|3-6|1|word", "g|6-7|2|word", "hi|8-10|3|word"],
      gap: 100,
    },
  },
  {
    group: "tokenizer",
    name: "keyword",
    adhoc: {
      tokenizer: "keyword",
    },
    text: "The Quick-Brown FOX's 2 jumps, über café! C++ e-mail foo@bar.com 3.14 Running ponies",
    expect: {
      warnings: [],
      tokens: [
        "The Quick-Brown FOX's 2 jumps, über café! C++ e-mail foo@bar.com 3.14 Running ponies|0-84|0|word",
      ],
      gap: 100,
    },
  },
  {
    group: "tokenizer",
    name: "keyword buffer_size",
    adhoc: {
      tokenizer: {
        type: "keyword",
        buffer_size: 256,
      },
    },
    text: "The Quick-Brown FOX's 2 jumps, über café! C++ e-mail foo@bar.com 3.14 Running ponies",
    expect: {
      warnings: [],
      tokens: [
        "The Quick-Brown FOX's 2 jumps, über café! C++ e-mail foo@bar.com 3.14 Running ponies|0-84|0|word",
      ],
      gap: 100,
    },
  },
  {
    group: "tokenizer",
    name: "letter",
    adhoc: {
      tokenizer: "letter",
    },
    text: "The Quick-Brown FOX's 2 jumps, über café! C++ e-mail foo@bar.com 3.14 Running ponies",
    expect: {
      warnings: [],
      tokens: [
        "The|0-3|0|word",
        "Quick|4-9|1|word",
        "Brown|10-15|2|word",
        "FOX|16-19|3|word",
        "s|20-21|4|word",
        "jumps|24-29|5|word",
        "über|31-35|6|word",
        "café|36-40|7|word",
        "C|42-43|8|word",
        "e|46-47|9|word",
        "mail|48-52|10|word",
        "foo|53-56|11|word",
        "bar|57-60|12|word",
        "com|61-64|13|word",
        "Running|70-77|14|word",
        "ponies|78-84|15|word",
      ],
      gap: 100,
    },
  },
  {
    group: "tokenizer",
    name: "lowercase",
    adhoc: {
      tokenizer: "lowercase",
    },
    text: "İSTANBUL ΣΟΦΟΣ Über",
    expect: {
      warnings: [],
      tokens: ["istanbul|0-8|0|word", "σοφοσ|9-14|1|word", "über|15-19|2|word"],
      gap: 100,
    },
  },
  {
    group: "tokenizer",
    name: "letter long token",
    adhoc: {
      tokenizer: "letter",
    },
    text: "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
    expect: {
      warnings: [],
      tokens: [
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa|0-255|0|word",
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa|255-300|1|word",
      ],
      gap: 100,
    },
  },
  {
    group: "tokenizer",
    name: "pattern default",
    adhoc: {
      tokenizer: "pattern",
    },
    text: "The Quick-Brown FOX's 2 jumps, über café! C++ e-mail foo@bar.com 3.14 Running ponies",
    expect: {
      warnings: [],
      tokens: [
        "The|0-3|0|word",
        "Quick|4-9|1|word",
        "Brown|10-15|2|word",
        "FOX|16-19|3|word",
        "s|20-21|4|word",
        "2|22-23|5|word",
        "jumps|24-29|6|word",
        "ber|32-35|7|word",
        "caf|36-39|8|word",
        "C|42-43|9|word",
        "e|46-47|10|word",
        "mail|48-52|11|word",
        "foo|53-56|12|word",
        "bar|57-60|13|word",
        "com|61-64|14|word",
        "3|65-66|15|word",
        "14|67-69|16|word",
        "Running|70-77|17|word",
        "ponies|78-84|18|word",
      ],
      gap: 100,
    },
  },
  {
    group: "tokenizer",
    name: "pattern comma",
    adhoc: {
      tokenizer: {
        type: "pattern",
        pattern: ",",
      },
    },
    text: "a,b,,c,",
    expect: {
      warnings: [],
      tokens: ["a|0-1|0|word", "b|2-3|1|word", "c|5-6|2|word"],
      gap: 100,
    },
  },
  {
    group: "tokenizer",
    name: "pattern group",
    adhoc: {
      tokenizer: {
        type: "pattern",
        pattern: "'([^']+)'",
        group: 1,
      },
    },
    text: "'one' and 'two'",
    expect: {
      warnings: [],
      tokens: ["one|1-4|0|word", "two|11-14|1|word"],
      gap: 100,
    },
  },
  {
    group: "tokenizer",
    name: "pattern group 0",
    adhoc: {
      tokenizer: {
        type: "pattern",
        pattern: "\\d+",
        group: 0,
      },
    },
    text: "a12b345c",
    expect: {
      warnings: [],
      tokens: ["12|1-3|0|word", "345|4-7|1|word"],
      gap: 100,
    },
  },
  {
    group: "tokenizer",
    name: "pattern empty matches",
    adhoc: {
      tokenizer: {
        type: "pattern",
        pattern: "x*",
      },
    },
    text: "abxxc",
    expect: {
      warnings: [],
      tokens: ["a|0-1|0|word", "b|1-2|1|word", "c|4-5|2|word"],
      gap: 100,
    },
  },
  {
    group: "tokenizer",
    name: "regex CASE_INSENSITIVE|COMMENTS",
    adhoc: {
      tokenizer: {
        type: "pattern",
        pattern: "a b # comment\n c",
        group: 0,
        flags: "CASE_INSENSITIVE|COMMENTS",
      },
    },
    text: "xABC abc",
    expect: {
      warnings: [],
      tokens: ["ABC|1-4|0|word", "abc|5-8|1|word"],
      gap: 100,
    },
  },
  {
    group: "tokenizer",
    name: "regex LITERAL",
    adhoc: {
      tokenizer: {
        type: "pattern",
        pattern: "a.b",
        group: 0,
        flags: "LITERAL",
      },
    },
    text: "axb a.b",
    expect: {
      warnings: [],
      tokens: ["a.b|4-7|0|word"],
      gap: 100,
    },
  },
  {
    group: "tokenizer",
    name: "regex inline flags",
    adhoc: {
      tokenizer: {
        type: "pattern",
        pattern: "(?i)abc",
        group: 0,
      },
    },
    text: "ABC abc",
    expect: {
      warnings: [],
      tokens: ["ABC|0-3|0|word", "abc|4-7|1|word"],
      gap: 100,
    },
  },
  {
    group: "tokenizer",
    name: "regex inline x and U",
    adhoc: {
      tokenizer: {
        type: "pattern",
        pattern: "(?xU) \\w+",
        group: 0,
      },
    },
    text: "héllo wörld",
    expect: {
      warnings: [],
      tokens: ["héllo|0-5|0|word", "wörld|6-11|1|word"],
      gap: 100,
    },
  },
  {
    group: "tokenizer",
    name: "regex posix Alpha",
    adhoc: {
      tokenizer: {
        type: "pattern",
        pattern: "\\p{Alpha}+",
        group: 0,
      },
    },
    text: "ab1cd é",
    expect: {
      warnings: [],
      tokens: ["ab|0-2|0|word", "cd|3-5|1|word"],
      gap: 100,
    },
  },
  {
    group: "tokenizer",
    name: "regex posix IsPunct in class",
    adhoc: {
      tokenizer: {
        type: "pattern",
        pattern: "[\\p{Punct}]+",
        group: 0,
      },
    },
    text: "a!?b",
    expect: {
      warnings: [],
      tokens: ["!?|1-3|0|word"],
      gap: 100,
    },
  },
  {
    group: "tokenizer",
    name: "regex negated posix",
    adhoc: {
      tokenizer: {
        type: "pattern",
        pattern: "\\P{Digit}+",
        group: 0,
      },
    },
    text: "12ab34",
    expect: {
      warnings: [],
      tokens: ["ab|2-4|0|word"],
      gap: 100,
    },
  },
  {
    group: "tokenizer",
    name: "regex java props",
    adhoc: {
      tokenizer: {
        type: "pattern",
        pattern: "\\p{javaLowerCase}+",
        group: 0,
      },
    },
    text: "abCDef",
    expect: {
      warnings: [],
      tokens: ["ab|0-2|0|word", "ef|4-6|1|word"],
      gap: 100,
    },
  },
  {
    group: "tokenizer",
    name: "regex negated java letter",
    adhoc: {
      tokenizer: {
        type: "pattern",
        pattern: "\\P{javaLetter}+",
        group: 0,
      },
    },
    text: "ab12cd",
    expect: {
      warnings: [],
      tokens: ["12|2-4|0|word"],
      gap: 100,
    },
  },
  {
    group: "tokenizer",
    name: "regex multi-prop java",
    adhoc: {
      tokenizer: {
        type: "pattern",
        pattern: "\\p{javaLetterOrDigit}+",
        group: 0,
      },
    },
    text: "a1-b2",
    expect: {
      warnings: [],
      tokens: ["a1|0-2|0|word", "b2|3-5|1|word"],
      gap: 100,
    },
  },
  {
    group: "tokenizer",
    name: "regex negated multi-prop",
    adhoc: {
      tokenizer: {
        type: "pattern",
        pattern: "\\P{javaLetterOrDigit}+",
        group: 0,
      },
    },
    text: "a1-+b2",
    expect: {
      warnings: [],
      tokens: ["-+|2-4|0|word"],
      gap: 100,
    },
  },
  {
    group: "tokenizer",
    name: "regex script",
    adhoc: {
      tokenizer: {
        type: "pattern",
        pattern: "\\p{IsLatin}+",
        group: 0,
      },
    },
    text: "abc абв",
    expect: {
      warnings: [],
      tokens: ["abc|0-3|0|word"],
      gap: 100,
    },
  },
  {
    group: "tokenizer",
    name: "regex script=",
    adhoc: {
      tokenizer: {
        type: "pattern",
        pattern: "\\p{script=Cyrillic}+",
        group: 0,
      },
    },
    text: "abc абв",
    expect: {
      warnings: [],
      tokens: ["абв|4-7|0|word"],
      gap: 100,
    },
  },
  {
    group: "tokenizer",
    name: "regex gc=",
    adhoc: {
      tokenizer: {
        type: "pattern",
        pattern: "\\p{gc=Lu}+",
        group: 0,
      },
    },
    text: "abCD",
    expect: {
      warnings: [],
      tokens: ["CD|2-4|0|word"],
      gap: 100,
    },
  },
  {
    group: "tokenizer",
    name: "regex one-letter category",
    adhoc: {
      tokenizer: {
        type: "pattern",
        pattern: "\\pL+",
        group: 0,
      },
    },
    text: "ab1",
    expect: {
      warnings: [],
      tokens: ["ab|0-2|0|word"],
      gap: 100,
    },
  },
  {
    group: "tokenizer",
    name: "regex general category Lu",
    adhoc: {
      tokenizer: {
        type: "pattern",
        pattern: "\\p{Lu}+",
        group: 0,
      },
    },
    text: "abCDe",
    expect: {
      warnings: [],
      tokens: ["CD|2-4|0|word"],
      gap: 100,
    },
  },
  {
    group: "tokenizer",
    name: "regex quote",
    adhoc: {
      tokenizer: {
        type: "pattern",
        pattern: "\\QA.B\\E",
        group: 0,
      },
    },
    text: "A.B AxB",
    expect: {
      warnings: [],
      tokens: ["A.B|0-3|0|word"],
      gap: 100,
    },
  },
  {
    group: "tokenizer",
    name: "regex quote in class",
    adhoc: {
      tokenizer: {
        type: "pattern",
        pattern: "[\\Q-.\\E]+",
        group: 0,
      },
    },
    text: "a-.b",
    expect: {
      warnings: [],
      tokens: ["-.|1-3|0|word"],
      gap: 100,
    },
  },
  {
    group: "tokenizer",
    name: "regex horizontal space",
    adhoc: {
      tokenizer: {
        type: "pattern",
        pattern: "\\h+",
        group: 0,
      },
    },
    text: "a  b",
    expect: {
      warnings: [],
      tokens: ["  |1-3|0|word"],
      gap: 100,
    },
  },
  {
    group: "tokenizer",
    name: "regex horizontal in class",
    adhoc: {
      tokenizer: {
        type: "pattern",
        pattern: "[\\h,]+",
        group: 0,
      },
    },
    text: "a ,b",
    expect: {
      warnings: [],
      tokens: [" ,|1-3|0|word"],
      gap: 100,
    },
  },
  {
    group: "tokenizer",
    name: "regex anchors",
    adhoc: {
      tokenizer: {
        type: "pattern",
        pattern: "\\Aab|cd\\z",
        group: 0,
      },
    },
    text: "ababxcdcd",
    expect: {
      warnings: [],
      tokens: ["ab|0-2|0|word", "cd|7-9|1|word"],
      gap: 100,
    },
  },
  {
    group: "tokenizer",
    name: "regex linebreak",
    adhoc: {
      tokenizer: {
        type: "pattern",
        pattern: "\\R",
        group: 0,
      },
    },
    text: "a\r\nb\nc",
    expect: {
      warnings: [],
      tokens: ["\r\n|1-3|0|word", "\n|4-5|1|word"],
      gap: 100,
    },
  },
  {
    group: "tokenizer",
    name: "regex escapes",
    adhoc: {
      tokenizer: {
        type: "pattern",
        pattern: "\\e|\\a",
        group: 0,
      },
    },
    text: "x\u001by\u0007",
    expect: {
      warnings: [],
      tokens: ["\u001b|1-2|0|word", "\u0007|3-4|1|word"],
      gap: 100,
    },
  },
  {
    group: "tokenizer",
    name: "regex hex braces",
    adhoc: {
      tokenizer: {
        type: "pattern",
        pattern: "\\x{41}+",
        group: 0,
      },
    },
    text: "AAb",
    expect: {
      warnings: [],
      tokens: ["AA|0-2|0|word"],
      gap: 100,
    },
  },
  {
    group: "tokenizer",
    name: "regex unicode classes",
    adhoc: {
      tokenizer: {
        type: "pattern",
        pattern: "\\w+",
        group: 0,
        flags: "UNICODE_CHARACTER_CLASS",
      },
    },
    text: "héllo wörld",
    expect: {
      warnings: [],
      tokens: ["héllo|0-5|0|word", "wörld|6-11|1|word"],
      gap: 100,
    },
  },
  {
    group: "tokenizer",
    name: "regex unicode W",
    adhoc: {
      tokenizer: {
        type: "pattern",
        pattern: "\\W+",
        group: 0,
        flags: "UNICODE_CHARACTER_CLASS",
      },
    },
    text: "héllo, wörld",
    expect: {
      warnings: [],
      tokens: [", |5-7|0|word"],
      gap: 100,
    },
  },
  {
    group: "tokenizer",
    name: "regex unicode W in class",
    adhoc: {
      tokenizer: {
        type: "pattern",
        pattern: "[\\W]+",
        group: 0,
        flags: "UNICODE_CHARACTER_CLASS",
      },
    },
    text: "ab, c",
    expect: {
      warnings: [],
      tokens: [", |2-4|0|word"],
      gap: 100,
    },
  },
  {
    group: "tokenizer",
    name: "regex unicode w in class",
    adhoc: {
      tokenizer: {
        type: "pattern",
        pattern: "[\\w]+",
        group: 0,
        flags: "UNICODE_CHARACTER_CLASS",
      },
    },
    text: "héllo, c",
    expect: {
      warnings: [],
      tokens: ["héllo|0-5|0|word", "c|7-8|1|word"],
      gap: 100,
    },
  },
  {
    group: "tokenizer",
    name: "regex unicode digits",
    adhoc: {
      tokenizer: {
        type: "pattern",
        pattern: "\\d+\\D",
        group: 0,
      },
    },
    text: "١٢٣x",
    expect: {
      warnings: [],
      tokens: [],
      gap: 100,
    },
  },
  {
    group: "tokenizer",
    name: "regex unicode digits flag",
    adhoc: {
      tokenizer: {
        type: "pattern",
        pattern: "\\d+\\D",
        group: 0,
        flags: "UNICODE_CHARACTER_CLASS",
      },
    },
    text: "١٢٣x",
    expect: {
      warnings: [],
      tokens: ["١٢٣x|0-4|0|word"],
      gap: 100,
    },
  },
  {
    group: "tokenizer",
    name: "regex escaped dash",
    adhoc: {
      tokenizer: {
        type: "pattern",
        pattern: "a\\-b|[x\\-y]+",
        group: 0,
      },
    },
    text: "a-b x-y",
    expect: {
      warnings: [],
      tokens: ["a-b|0-3|0|word", "x-y|4-7|1|word"],
      gap: 100,
    },
  },
  {
    group: "tokenizer",
    name: "regex escaped symbol",
    adhoc: {
      tokenizer: {
        type: "pattern",
        pattern: "\\#\\@",
        group: 0,
      },
    },
    text: "a#@b",
    expect: {
      warnings: [],
      tokens: ["#@|1-3|0|word"],
      gap: 100,
    },
  },
  {
    group: "tokenizer",
    name: "regex possessive",
    adhoc: {
      tokenizer: {
        type: "pattern",
        pattern: "a++b",
        group: 0,
      },
    },
    text: "aaab",
    expect: {
      warnings: [],
      tokens: ["aaab|0-4|0|word"],
      gap: 100,
    },
  },
  {
    group: "tokenizer",
    name: "regex atomic",
    adhoc: {
      tokenizer: {
        type: "pattern",
        pattern: "(?>ab)c",
        group: 0,
      },
    },
    text: "abc",
    expect: {
      warnings: [],
      tokens: ["abc|0-3|0|word"],
      gap: 100,
    },
  },
  {
    group: "tokenizer",
    name: "regex ignored flags",
    adhoc: {
      tokenizer: {
        type: "pattern",
        pattern: "ab",
        group: 0,
        flags: "UNICODE_CASE|CANON_EQ|UNIX_LINES",
      },
    },
    text: "ab",
    expect: {
      warnings: [],
      tokens: ["ab|0-2|0|word"],
      gap: 100,
    },
  },
  {
    group: "tokenizer",
    name: "regex MULTILINE|DOTALL",
    adhoc: {
      tokenizer: {
        type: "pattern",
        pattern: "^b.c",
        group: 0,
        flags: "MULTILINE|DOTALL",
      },
    },
    text: "a\nb\nc",
    expect: {
      warnings: [],
      tokens: ["b\nc|2-5|0|word"],
      gap: 100,
    },
  },
  {
    group: "tokenizer",
    name: "regex non-unicode fallback",
    adhoc: {
      tokenizer: {
        type: "pattern",
        pattern: "\\c",
        group: 0,
      },
    },
    text: "a\\cb",
    expect: {
      warnings: [],
      tokens: ["\\c|1-3|0|word"],
      gap: 100,
    },
  },
  {
    group: "tokenizer",
    name: "ngram default",
    adhoc: {
      tokenizer: "ngram",
    },
    text: "Quick",
    expect: {
      warnings: [],
      tokens: [
        "Q|0-1|0|word",
        "Qu|0-2|1|word",
        "u|1-2|2|word",
        "ui|1-3|3|word",
        "i|2-3|4|word",
        "ic|2-4|5|word",
        "c|3-4|6|word",
        "ck|3-5|7|word",
        "k|4-5|8|word",
      ],
      gap: 100,
    },
  },
  {
    group: "tokenizer",
    name: "ngram letters digits",
    adhoc: {
      tokenizer: {
        type: "ngram",
        min_gram: 2,
        max_gram: 3,
        token_chars: ["letter", "digit"],
      },
    },
    text: "ab1 c-de",
    opts: {
      maxNgramDiff: 1,
    },
    expect: {
      warnings: [],
      tokens: ["ab|0-2|0|word", "ab1|0-3|1|word", "b1|1-3|2|word", "de|6-8|3|word"],
      gap: 100,
    },
  },
  {
    group: "tokenizer",
    name: "ngram custom chars",
    adhoc: {
      tokenizer: {
        type: "ngram",
        token_chars: ["letter", "custom"],
        custom_token_chars: "+",
      },
    },
    text: "c++ x😀y",
    expect: {
      warnings: [],
      tokens: [
        "c|0-1|0|word",
        "c+|0-2|1|word",
        "+|1-2|2|word",
        "++|1-3|3|word",
        "+|2-3|4|word",
        "x|4-5|5|word",
        "y|7-8|6|word",
      ],
      gap: 100,
    },
  },
  {
    group: "tokenizer",
    name: "ngram punctuation symbol whitespace",
    adhoc: {
      tokenizer: {
        type: "ngram",
        min_gram: 1,
        max_gram: 1,
        token_chars: ["punctuation", "symbol", "whitespace"],
      },
    },
    text: "a+b! c$",
    expect: {
      warnings: [],
      tokens: ["+|1-2|0|word", "!|3-4|1|word", " |4-5|2|word", "$|6-7|3|word"],
      gap: 100,
    },
  },
  {
    group: "tokenizer",
    name: "ngram max_ngram_diff",
    adhoc: {
      tokenizer: {
        type: "ngram",
        min_gram: 1,
        max_gram: 3,
      },
    },
    text: "abcd",
    opts: {
      maxNgramDiff: 2,
    },
    expect: {
      warnings: [],
      tokens: [
        "a|0-1|0|word",
        "ab|0-2|1|word",
        "abc|0-3|2|word",
        "b|1-2|3|word",
        "bc|1-3|4|word",
        "bcd|1-4|5|word",
        "c|2-3|6|word",
        "cd|2-4|7|word",
        "d|3-4|8|word",
      ],
      gap: 100,
    },
  },
  {
    group: "tokenizer",
    name: "edge_ngram default",
    adhoc: {
      tokenizer: "edge_ngram",
    },
    text: "Quick brown",
    expect: {
      warnings: [],
      tokens: ["Q|0-1|0|word", "Qu|0-2|1|word"],
      gap: 100,
    },
  },
  {
    group: "tokenizer",
    name: "edge_ngram letters",
    adhoc: {
      tokenizer: {
        type: "edge_ngram",
        min_gram: 1,
        max_gram: 4,
        token_chars: ["letter"],
      },
    },
    text: "Quick brown",
    expect: {
      warnings: [],
      tokens: [
        "Q|0-1|0|word",
        "Qu|0-2|1|word",
        "Qui|0-3|2|word",
        "Quic|0-4|3|word",
        "b|6-7|4|word",
        "br|6-8|5|word",
        "bro|6-9|6|word",
        "brow|6-10|7|word",
      ],
      gap: 100,
    },
  },
  {
    group: "tokenizer",
    name: "ik_max_word",
    adhoc: {
      tokenizer: "ik_max_word",
    },
    text: "中华人民共和国 hello-world 你好 c++ 3,000",
    expect: {
      warnings: [],
      tokens: [
        "中华人民共和国|0-7|0|CN_WORD",
        "中华人民|0-4|1|CN_WORD",
        "中华|0-2|2|CN_WORD",
        "华人|1-3|3|CN_WORD",
        "人民共和国|2-7|4|CN_WORD",
        "人民|2-4|5|CN_WORD",
        "共和国|4-7|6|CN_WORD",
        "共和|4-6|7|CN_WORD",
        "hello-world|8-19|8|LETTER",
        "hello|8-13|9|ENGLISH",
        "world|14-19|10|ENGLISH",
        "你好|20-22|11|CN_WORD",
        "c++|23-26|12|LETTER",
        "c|23-24|13|ENGLISH",
        "3,000|27-32|14|ARABIC",
      ],
      gap: 100,
    },
  },
  {
    group: "tokenizer",
    name: "ik_smart",
    adhoc: {
      tokenizer: "ik_smart",
    },
    text: "中华人民共和国 hello-world 你好 c++ 3,000",
    expect: {
      warnings: [],
      tokens: [
        "中华人民共和国|0-7|0|CN_WORD",
        "hello-world|8-19|1|LETTER",
        "你好|20-22|2|CN_WORD",
        "c++|23-26|3|LETTER",
        "3,000|27-32|4|ARABIC",
      ],
      gap: 100,
    },
  },
  {
    group: "char_filter",
    name: "html_strip",
    adhoc: {
      tokenizer: "standard",
      char_filter: ["html_strip"],
    },
    text: "<p>Hello&nbsp;<b>World</b> &amp; &#x41;&#66; <!-- c --><script>x</script>caf&eacute;</p><br/>end &bogus; &lt",
    expect: {
      warnings: [],
      tokens: [
        "Hello|3-8|0|<ALPHANUM>",
        "World|17-22|1|<ALPHANUM>",
        "AB|33-44|2|<ALPHANUM>",
        "café|73-84|3|<ALPHANUM>",
        "end|93-96|4|<ALPHANUM>",
        "bogus|98-103|5|<ALPHANUM>",
        "lt|106-108|6|<ALPHANUM>",
      ],
      gap: 100,
    },
  },
  {
    group: "char_filter",
    name: "html_strip escaped_tags",
    adhoc: {
      tokenizer: "whitespace",
      char_filter: [
        {
          type: "html_strip",
          escaped_tags: ["B"],
        },
      ],
    },
    text: "<p>Hello&nbsp;<b>World</b> &amp; &#x41;&#66; <!-- c --><script>x</script>caf&eacute;</p><br/>end &bogus; &lt",
    expect: {
      warnings: [],
      tokens: [
        "Hello <b>World</b>|3-26|0|word",
        "&|27-32|1|word",
        "AB|33-44|2|word",
        "café|73-84|3|word",
        "end|93-96|4|word",
        "&bogus;|97-104|5|word",
        "&lt|105-108|6|word",
      ],
      gap: 100,
    },
  },
  {
    group: "char_filter",
    name: "html_strip cdata and pi",
    adhoc: {
      tokenizer: "whitespace",
      char_filter: ["html_strip"],
    },
    text: "a<![CDATA[b<c]]>d<?xml x?>e<!DOCTYPE html>f<div class='x>y'>g</div>h<br>",
    expect: {
      warnings: [],
      tokens: ["ab<cdef|0-43|0|word", "g|60-61|1|word", "h|67-68|2|word"],
      gap: 100,
    },
  },
  {
    group: "char_filter",
    name: "html_strip block tags",
    adhoc: {
      tokenizer: "keyword",
      char_filter: ["html_strip"],
    },
    text: "<p>a</p><div>b</div><span>c</span><br/>d",
    expect: {
      warnings: [],
      tokens: ["\na\n\nb\nc\nd|0-40|0|word"],
      gap: 100,
    },
  },
  {
    group: "char_filter",
    name: "html_strip unclosed",
    adhoc: {
      tokenizer: "whitespace",
      char_filter: ["html_strip"],
    },
    text: "a <!-- open",
    expect: {
      warnings: [],
      tokens: ["a|0-1|0|word"],
      gap: 100,
    },
  },
  {
    group: "char_filter",
    name: "html_strip style unclosed",
    adhoc: {
      tokenizer: "whitespace",
      char_filter: ["html_strip"],
    },
    text: "a<style>b{c}",
    expect: {
      warnings: [],
      tokens: ["a|0-1|0|word"],
      gap: 100,
    },
  },
  {
    group: "char_filter",
    name: "html_strip numeric entities",
    adhoc: {
      tokenizer: "whitespace",
      char_filter: ["html_strip"],
    },
    text: "&#0;&#1114112;&#x1F600;&#65&Agrave;&Yuml;&yuml;&times;",
    expect: {
      warnings: [],
      tokens: ["&#0;&#1114112;😀AÀŸÿ×|0-54|0|word"],
      gap: 100,
    },
  },
  {
    group: "char_filter",
    name: "mapping inline",
    adhoc: {
      tokenizer: "whitespace",
      char_filter: [
        {
          type: "mapping",
          mappings: ["ph => f", "qu => k", "\\u0041 => a", "& => \\u0020and\\u0020", "x =>", "\\\\ => \\t"],
        },
      ],
    },
    text: "phone QUICK & Ax box a\\b",
    expect: {
      warnings: [],
      tokens: [
        "fone|0-5|0|word",
        "QUICK|6-11|1|word",
        "and|12-13|2|word",
        "a|14-15|3|word",
        "bo|17-19|4|word",
        "a|21-22|5|word",
        "b|23-24|6|word",
      ],
      gap: 100,
    },
  },
  {
    group: "char_filter",
    name: "mapping longest match",
    adhoc: {
      tokenizer: "whitespace",
      char_filter: [
        {
          type: "mapping",
          mappings: ["a => 1", "ab => 2", "abc => 3"],
        },
      ],
    },
    text: "abcd abx ax",
    expect: {
      warnings: [],
      tokens: ["3d|0-4|0|word", "2x|5-8|1|word", "1x|9-11|2|word"],
      gap: 100,
    },
  },
  {
    group: "char_filter",
    name: "mapping_path",
    adhoc: {
      tokenizer: "whitespace",
      char_filter: [
        {
          type: "mapping",
          mappings_path: "mappings.txt",
        },
      ],
    },
    text: "phone straße",
    expect: {
      warnings: [],
      tokens: ["fone|0-5|0|word", "strasse|6-12|1|word"],
      gap: 100,
    },
  },
  {
    group: "char_filter",
    name: "pattern_replace groups",
    adhoc: {
      tokenizer: "standard",
      char_filter: [
        {
          type: "pattern_replace",
          pattern: "(\\d+)-(\\d+)",
          replacement: "$2_$1",
        },
      ],
    },
    text: "tel 123-456 and 7-8",
    expect: {
      warnings: [],
      tokens: ["tel|0-3|0|<ALPHANUM>", "456_123|4-11|1|<NUM>", "and|12-15|2|<ALPHANUM>", "8_7|16-19|3|<NUM>"],
      gap: 100,
    },
  },
  {
    group: "char_filter",
    name: "pattern_replace named group and escapes",
    adhoc: {
      tokenizer: "whitespace",
      char_filter: [
        {
          type: "pattern_replace",
          pattern: "(?<v>[aeiou])",
          // biome-ignore lint/suspicious/noTemplateCurlyInString: Java replacement syntax, not a template
          replacement: "<${v}\\$$9>",
        },
      ],
    },
    text: "bat cot",
    expect: {
      warnings: [],
      tokens: ["b<a$$9>t|0-3|0|word", "c<o$$9>t|4-7|1|word"],
      gap: 100,
    },
  },
  {
    group: "char_filter",
    name: "pattern_replace empty matches",
    adhoc: {
      tokenizer: "keyword",
      char_filter: [
        {
          type: "pattern_replace",
          pattern: "x*",
          replacement: "-",
        },
      ],
    },
    text: "abxc",
    expect: {
      warnings: [],
      tokens: ["-a-b--c-|0-4|0|word"],
      gap: 100,
    },
  },
  {
    group: "char_filter",
    name: "pattern_replace default replacement",
    adhoc: {
      tokenizer: "standard",
      char_filter: [
        {
          type: "pattern_replace",
          pattern: "[aeiou]",
          flags: "CASE_INSENSITIVE",
        },
      ],
    },
    text: "bAnana split",
    expect: {
      warnings: [],
      tokens: ["bnn|0-5|0|<ALPHANUM>", "splt|7-12|1|<ALPHANUM>"],
      gap: 100,
    },
  },
  {
    group: "char_filter",
    name: "pattern_replace multi-digit group",
    adhoc: {
      tokenizer: "keyword",
      char_filter: [
        {
          type: "pattern_replace",
          pattern: "(a)(b)(c)(d)(e)(f)(g)(h)(i)(j)(k)",
          replacement: "$11$10$1",
        },
      ],
    },
    text: "abcdefghijk",
    expect: {
      warnings: [],
      tokens: ["kja|0-11|0|word"],
      gap: 100,
    },
  },
  {
    group: "char_filter",
    name: "chained html_strip then mapping",
    adhoc: {
      tokenizer: "whitespace",
      char_filter: [
        "html_strip",
        {
          type: "mapping",
          mappings: ["é => e"],
        },
      ],
    },
    text: "<b>caf&eacute;</b> ok",
    expect: {
      warnings: [],
      tokens: ["cafe|3-14|0|word", "ok|19-21|1|word"],
      gap: 100,
    },
  },
  {
    group: "char_filter",
    name: "char filter without tokenizer",
    adhoc: {
      tokenizer: "standard",
      char_filter: ["html_strip"],
    },
    text: "<b>Hi</b> There",
    expect: {
      warnings: [],
      tokens: ["Hi|3-5|0|<ALPHANUM>", "There|10-15|1|<ALPHANUM>"],
      gap: 100,
    },
  },
  {
    group: "filter",
    name: "lowercase",
    adhoc: {
      tokenizer: "standard",
      filter: ["lowercase"],
    },
    text: "The Quick-Brown FOX's 2 jumps, über café! C++ e-mail foo@bar.com 3.14 Running ponies",
    expect: {
      warnings: [],
      tokens: [
        "the|0-3|0|<ALPHANUM>",
        "quick|4-9|1|<ALPHANUM>",
        "brown|10-15|2|<ALPHANUM>",
        "fox's|16-21|3|<ALPHANUM>",
        "2|22-23|4|<NUM>",
        "jumps|24-29|5|<ALPHANUM>",
        "über|31-35|6|<ALPHANUM>",
        "café|36-40|7|<ALPHANUM>",
        "c|42-43|8|<ALPHANUM>",
        "e|46-47|9|<ALPHANUM>",
        "mail|48-52|10|<ALPHANUM>",
        "foo|53-56|11|<ALPHANUM>",
        "bar.com|57-64|12|<ALPHANUM>",
        "3.14|65-69|13|<NUM>",
        "running|70-77|14|<ALPHANUM>",
        "ponies|78-84|15|<ALPHANUM>",
      ],
      gap: 100,
    },
  },
  {
    group: "filter",
    name: "lowercase turkish",
    adhoc: {
      tokenizer: "whitespace",
      filter: [
        {
          type: "lowercase",
          language: "turkish",
        },
      ],
    },
    text: "IIıİ DİYARBAKIR",
    expect: {
      warnings: [],
      tokens: ["ıııi|0-4|0|word", "diyarbakır|5-15|1|word"],
      gap: 100,
    },
  },
  {
    group: "filter",
    name: "uppercase",
    adhoc: {
      tokenizer: "whitespace",
      filter: ["uppercase"],
    },
    text: "straße café ǆ",
    expect: {
      warnings: [],
      tokens: ["STRAßE|0-6|0|word", "CAFÉ|7-11|1|word", "Ǆ|12-13|2|word"],
      gap: 100,
    },
  },
  {
    group: "filter",
    name: "stop default",
    adhoc: {
      tokenizer: "standard",
      filter: ["lowercase", "stop"],
    },
    text: "The quick and the dead are not in it",
    expect: {
      warnings: [],
      tokens: ["quick|4-9|1|<ALPHANUM>", "dead|18-22|4|<ALPHANUM>"],
      gap: 100,
    },
  },
  {
    group: "filter",
    name: "stop list with _english_",
    adhoc: {
      tokenizer: "standard",
      filter: [
        {
          type: "stop",
          stopwords: ["quick", "_english_"],
        },
      ],
    },
    text: "the quick and the dead",
    expect: {
      warnings: [],
      tokens: ["dead|18-22|4|<ALPHANUM>"],
      gap: 100,
    },
  },
  {
    group: "filter",
    name: "stop _none_",
    adhoc: {
      tokenizer: "standard",
      filter: [
        {
          type: "stop",
          stopwords: "_none_",
        },
      ],
    },
    text: "the quick and the dead",
    expect: {
      warnings: [],
      tokens: [
        "the|0-3|0|<ALPHANUM>",
        "quick|4-9|1|<ALPHANUM>",
        "and|10-13|2|<ALPHANUM>",
        "the|14-17|3|<ALPHANUM>",
        "dead|18-22|4|<ALPHANUM>",
      ],
      gap: 100,
    },
  },
  {
    group: "filter",
    name: "stop _english_ string",
    adhoc: {
      tokenizer: "standard",
      filter: [
        {
          type: "stop",
          stopwords: "_english_",
          remove_trailing: false,
        },
      ],
    },
    text: "the quick and the dead",
    expect: {
      warnings: [],
      tokens: ["quick|4-9|1|<ALPHANUM>", "dead|18-22|4|<ALPHANUM>"],
      gap: 100,
    },
  },
  {
    group: "filter",
    name: "stop ignore_case",
    adhoc: {
      tokenizer: "standard",
      filter: [
        {
          type: "stop",
          stopwords: ["The"],
          ignore_case: true,
        },
      ],
    },
    text: "the THE quick",
    expect: {
      warnings: [],
      tokens: ["quick|8-13|2|<ALPHANUM>"],
      gap: 100,
    },
  },
  {
    group: "filter",
    name: "stop stopwords_path",
    adhoc: {
      tokenizer: "standard",
      filter: [
        {
          type: "stop",
          stopwords_path: "stopwords.txt",
        },
      ],
    },
    text: "the quick brown fox",
    expect: {
      warnings: [],
      tokens: ["the|0-3|0|<ALPHANUM>", "brown|10-15|2|<ALPHANUM>"],
      gap: 100,
    },
  },
  {
    group: "filter",
    name: "stop list and path",
    adhoc: {
      tokenizer: "standard",
      filter: [
        {
          type: "stop",
          stopwords: ["brown"],
          stopwords_path: "stopwords.txt",
        },
      ],
    },
    text: "the quick brown fox",
    expect: {
      warnings: [],
      tokens: ["the|0-3|0|<ALPHANUM>"],
      gap: 100,
    },
  },
  {
    group: "filter",
    name: "stop flattened list",
    adhoc: {
      tokenizer: "standard",
      filter: [
        {
          type: "stop",
          stopwords: {
            "0": "a",
            "1": "b",
          },
        },
      ],
    },
    text: "a b c",
    expect: {
      warnings: [],
      tokens: ["c|4-5|2|<ALPHANUM>"],
      gap: 100,
    },
  },
  {
    group: "filter",
    name: "stemmer english",
    adhoc: {
      tokenizer: "standard",
      filter: [
        {
          type: "stemmer",
          language: "english",
        },
      ],
    },
    text: "ponies running hopped cats classes boxes studies fished dog's caresses bus glasses agreed",
    expect: {
      warnings: [],
      tokens: [
        "poni|0-6|0|<ALPHANUM>",
        "run|7-14|1|<ALPHANUM>",
        "hop|15-21|2|<ALPHANUM>",
        "cat|22-26|3|<ALPHANUM>",
        "class|27-34|4|<ALPHANUM>",
        "box|35-40|5|<ALPHANUM>",
        "studi|41-48|6|<ALPHANUM>",
        "fish|49-55|7|<ALPHANUM>",
        "dog'|56-61|8|<ALPHANUM>",
        "caress|62-70|9|<ALPHANUM>",
        "bu|71-74|10|<ALPHANUM>",
        "glass|75-82|11|<ALPHANUM>",
        "agre|83-89|12|<ALPHANUM>",
      ],
      gap: 100,
    },
  },
  {
    group: "filter",
    name: "stemmer porter",
    adhoc: {
      tokenizer: "standard",
      filter: [
        {
          type: "stemmer",
          language: "porter",
        },
      ],
    },
    text: "ponies running hopped cats classes boxes studies fished dog's caresses bus glasses agreed",
    expect: {
      warnings: [],
      tokens: [
        "poni|0-6|0|<ALPHANUM>",
        "run|7-14|1|<ALPHANUM>",
        "hop|15-21|2|<ALPHANUM>",
        "cat|22-26|3|<ALPHANUM>",
        "class|27-34|4|<ALPHANUM>",
        "box|35-40|5|<ALPHANUM>",
        "studi|41-48|6|<ALPHANUM>",
        "fish|49-55|7|<ALPHANUM>",
        "dog'|56-61|8|<ALPHANUM>",
        "caress|62-70|9|<ALPHANUM>",
        "bu|71-74|10|<ALPHANUM>",
        "glass|75-82|11|<ALPHANUM>",
        "agre|83-89|12|<ALPHANUM>",
      ],
      gap: 100,
    },
  },
  {
    group: "filter",
    name: "stemmer light_english",
    adhoc: {
      tokenizer: "standard",
      filter: [
        {
          type: "stemmer",
          language: "light_english",
        },
      ],
    },
    text: "ponies running hopped cats classes boxes studies fished dog's caresses bus glasses agreed",
    expect: {
      warnings: [
        "filter[0]: stemmer [light_english] (KStem) is approximated here: plurals, -ed and -ing only",
      ],
      tokens: [
        "pony|0-6|0|<ALPHANUM>",
        "run|7-14|1|<ALPHANUM>",
        "hop|15-21|2|<ALPHANUM>",
        "cat|22-26|3|<ALPHANUM>",
        "class|27-34|4|<ALPHANUM>",
        "box|35-40|5|<ALPHANUM>",
        "study|41-48|6|<ALPHANUM>",
        "fish|49-55|7|<ALPHANUM>",
        "dog's|56-61|8|<ALPHANUM>",
        "caress|62-70|9|<ALPHANUM>",
        "bus|71-74|10|<ALPHANUM>",
        "glass|75-82|11|<ALPHANUM>",
        "agreed|83-89|12|<ALPHANUM>",
      ],
      gap: 100,
    },
  },
  {
    group: "filter",
    name: "stemmer kstem",
    adhoc: {
      tokenizer: "standard",
      filter: [
        {
          type: "stemmer",
          language: "kstem",
        },
      ],
    },
    text: "ponies running hopped cats classes boxes studies fished dog's caresses bus glasses agreed",
    expect: {
      warnings: ["filter[0]: stemmer [kstem] (KStem) is approximated here: plurals, -ed and -ing only"],
      tokens: [
        "pony|0-6|0|<ALPHANUM>",
        "run|7-14|1|<ALPHANUM>",
        "hop|15-21|2|<ALPHANUM>",
        "cat|22-26|3|<ALPHANUM>",
        "class|27-34|4|<ALPHANUM>",
        "box|35-40|5|<ALPHANUM>",
        "study|41-48|6|<ALPHANUM>",
        "fish|49-55|7|<ALPHANUM>",
        "dog's|56-61|8|<ALPHANUM>",
        "caress|62-70|9|<ALPHANUM>",
        "bus|71-74|10|<ALPHANUM>",
        "glass|75-82|11|<ALPHANUM>",
        "agreed|83-89|12|<ALPHANUM>",
      ],
      gap: 100,
    },
  },
  {
    group: "filter",
    name: "stemmer minimal_english",
    adhoc: {
      tokenizer: "standard",
      filter: [
        {
          type: "stemmer",
          language: "minimal_english",
        },
      ],
    },
    text: "ponies running hopped cats classes boxes studies fished dog's caresses bus glasses agreed",
    expect: {
      warnings: [],
      tokens: [
        "pony|0-6|0|<ALPHANUM>",
        "running|7-14|1|<ALPHANUM>",
        "hopped|15-21|2|<ALPHANUM>",
        "cat|22-26|3|<ALPHANUM>",
        "classe|27-34|4|<ALPHANUM>",
        "boxe|35-40|5|<ALPHANUM>",
        "study|41-48|6|<ALPHANUM>",
        "fished|49-55|7|<ALPHANUM>",
        "dog'|56-61|8|<ALPHANUM>",
        "caresse|62-70|9|<ALPHANUM>",
        "bus|71-74|10|<ALPHANUM>",
        "glasse|75-82|11|<ALPHANUM>",
        "agreed|83-89|12|<ALPHANUM>",
      ],
      gap: 100,
    },
  },
  {
    group: "filter",
    name: "stemmer possessive_english",
    adhoc: {
      tokenizer: "standard",
      filter: [
        {
          type: "stemmer",
          language: "possessive_english",
        },
      ],
    },
    text: "ponies running hopped cats classes boxes studies fished dog's caresses bus glasses agreed",
    expect: {
      warnings: [],
      tokens: [
        "ponies|0-6|0|<ALPHANUM>",
        "running|7-14|1|<ALPHANUM>",
        "hopped|15-21|2|<ALPHANUM>",
        "cats|22-26|3|<ALPHANUM>",
        "classes|27-34|4|<ALPHANUM>",
        "boxes|35-40|5|<ALPHANUM>",
        "studies|41-48|6|<ALPHANUM>",
        "fished|49-55|7|<ALPHANUM>",
        "dog|56-61|8|<ALPHANUM>",
        "caresses|62-70|9|<ALPHANUM>",
        "bus|71-74|10|<ALPHANUM>",
        "glasses|75-82|11|<ALPHANUM>",
        "agreed|83-89|12|<ALPHANUM>",
      ],
      gap: 100,
    },
  },
  {
    group: "filter",
    name: "stemmer default",
    adhoc: {
      tokenizer: "standard",
      filter: ["stemmer"],
    },
    text: "ponies running hopped cats classes boxes studies fished dog's caresses bus glasses agreed",
    expect: {
      warnings: [],
      tokens: [
        "poni|0-6|0|<ALPHANUM>",
        "run|7-14|1|<ALPHANUM>",
        "hop|15-21|2|<ALPHANUM>",
        "cat|22-26|3|<ALPHANUM>",
        "class|27-34|4|<ALPHANUM>",
        "box|35-40|5|<ALPHANUM>",
        "studi|41-48|6|<ALPHANUM>",
        "fish|49-55|7|<ALPHANUM>",
        "dog'|56-61|8|<ALPHANUM>",
        "caress|62-70|9|<ALPHANUM>",
        "bu|71-74|10|<ALPHANUM>",
        "glass|75-82|11|<ALPHANUM>",
        "agre|83-89|12|<ALPHANUM>",
      ],
      gap: 100,
    },
  },
  {
    group: "filter",
    name: "stemmer name",
    adhoc: {
      tokenizer: "standard",
      filter: [
        {
          type: "stemmer",
          name: "minimal_english",
        },
      ],
    },
    text: "studies bees toys cars ies dogs",
    expect: {
      warnings: [],
      tokens: [
        "study|0-7|0|<ALPHANUM>",
        "bees|8-12|1|<ALPHANUM>",
        "toy|13-17|2|<ALPHANUM>",
        "car|18-22|3|<ALPHANUM>",
        "ies|23-26|4|<ALPHANUM>",
        "dog|27-31|5|<ALPHANUM>",
      ],
      gap: 100,
    },
  },
  {
    group: "filter",
    name: "porter_stem",
    adhoc: {
      tokenizer: "standard",
      filter: ["porter_stem"],
    },
    text: "ponies running hopped cats classes boxes studies fished dog's caresses bus glasses agreed",
    expect: {
      warnings: [],
      tokens: [
        "poni|0-6|0|<ALPHANUM>",
        "run|7-14|1|<ALPHANUM>",
        "hop|15-21|2|<ALPHANUM>",
        "cat|22-26|3|<ALPHANUM>",
        "class|27-34|4|<ALPHANUM>",
        "box|35-40|5|<ALPHANUM>",
        "studi|41-48|6|<ALPHANUM>",
        "fish|49-55|7|<ALPHANUM>",
        "dog'|56-61|8|<ALPHANUM>",
        "caress|62-70|9|<ALPHANUM>",
        "bu|71-74|10|<ALPHANUM>",
        "glass|75-82|11|<ALPHANUM>",
        "agre|83-89|12|<ALPHANUM>",
      ],
      gap: 100,
    },
  },
  {
    group: "filter",
    name: "kstem",
    adhoc: {
      tokenizer: "standard",
      filter: ["kstem"],
    },
    text: "ponies running hopped cats classes boxes studies fished dog's caresses bus glasses agreed abbess mopped ceasing ring spied",
    expect: {
      warnings: ["filter[0]: kstem is approximated here: plurals, -ed and -ing only"],
      tokens: [
        "pony|0-6|0|<ALPHANUM>",
        "run|7-14|1|<ALPHANUM>",
        "hop|15-21|2|<ALPHANUM>",
        "cat|22-26|3|<ALPHANUM>",
        "class|27-34|4|<ALPHANUM>",
        "box|35-40|5|<ALPHANUM>",
        "study|41-48|6|<ALPHANUM>",
        "fish|49-55|7|<ALPHANUM>",
        "dog's|56-61|8|<ALPHANUM>",
        "caress|62-70|9|<ALPHANUM>",
        "bus|71-74|10|<ALPHANUM>",
        "glass|75-82|11|<ALPHANUM>",
        "agreed|83-89|12|<ALPHANUM>",
        "abbess|90-96|13|<ALPHANUM>",
        "mop|97-103|14|<ALPHANUM>",
        "ceas|104-111|15|<ALPHANUM>",
        "ring|112-116|16|<ALPHANUM>",
        "spy|117-122|17|<ALPHANUM>",
      ],
      gap: 100,
    },
  },
  {
    group: "filter",
    name: "english_possessive",
    adhoc: {
      tokenizer: "standard",
      filter: ["english_possessive"],
    },
    text: "John's JOHN'S dog’s boss's s's",
    expect: {
      warnings: [],
      tokens: [
        "John|0-6|0|<ALPHANUM>",
        "JOHN|7-13|1|<ALPHANUM>",
        "dog|14-19|2|<ALPHANUM>",
        "boss|20-26|3|<ALPHANUM>",
        "s|27-30|4|<ALPHANUM>",
      ],
      gap: 100,
    },
  },
  {
    group: "filter",
    name: "asciifolding",
    adhoc: {
      tokenizer: "standard",
      filter: ["asciifolding"],
    },
    text: "café Ærøskøbing naïve ﬁ plain",
    expect: {
      warnings: [],
      tokens: [
        "cafe|0-4|0|<ALPHANUM>",
        "AEroskobing|5-15|1|<ALPHANUM>",
        "naive|16-21|2|<ALPHANUM>",
        "fi|22-23|3|<ALPHANUM>",
        "plain|24-29|4|<ALPHANUM>",
      ],
      gap: 100,
    },
  },
  {
    group: "filter",
    name: "asciifolding preserve_original",
    adhoc: {
      tokenizer: "standard",
      filter: [
        {
          type: "asciifolding",
          preserve_original: true,
        },
      ],
    },
    text: "café plain",
    expect: {
      warnings: [],
      tokens: ["cafe|0-4|0|<ALPHANUM>", "café|0-4|0|<ALPHANUM>", "plain|5-10|1|<ALPHANUM>"],
      gap: 100,
    },
  },
  {
    group: "filter",
    name: "length",
    adhoc: {
      tokenizer: "standard",
      filter: [
        {
          type: "length",
          min: 2,
          max: 4,
        },
      ],
    },
    text: "a bb ccc dddd eeeee",
    expect: {
      warnings: [],
      tokens: ["bb|2-4|1|<ALPHANUM>", "ccc|5-8|2|<ALPHANUM>", "dddd|9-13|3|<ALPHANUM>"],
      gap: 100,
    },
  },
  {
    group: "filter",
    name: "length default",
    adhoc: {
      tokenizer: "standard",
      filter: ["length"],
    },
    text: "a bb",
    expect: {
      warnings: [],
      tokens: ["a|0-1|0|<ALPHANUM>", "bb|2-4|1|<ALPHANUM>"],
      gap: 100,
    },
  },
  {
    group: "filter",
    name: "trim",
    adhoc: {
      tokenizer: "keyword",
      filter: ["trim"],
    },
    text: "  padded  ",
    expect: {
      warnings: [],
      tokens: ["padded|0-10|0|word"],
      gap: 100,
    },
  },
  {
    group: "filter",
    name: "truncate",
    adhoc: {
      tokenizer: "standard",
      filter: [
        {
          type: "truncate",
          length: 3,
        },
      ],
    },
    text: "abcdef ab",
    expect: {
      warnings: [],
      tokens: ["abc|0-6|0|<ALPHANUM>", "ab|7-9|1|<ALPHANUM>"],
      gap: 100,
    },
  },
  {
    group: "filter",
    name: "truncate default",
    adhoc: {
      tokenizer: "standard",
      filter: ["truncate"],
    },
    text: "abcdefghijklmn ab",
    expect: {
      warnings: [],
      tokens: ["abcdefghij|0-14|0|<ALPHANUM>", "ab|15-17|1|<ALPHANUM>"],
      gap: 100,
    },
  },
  {
    group: "filter",
    name: "reverse",
    adhoc: {
      tokenizer: "whitespace",
      filter: ["reverse"],
    },
    text: "abc 😀x",
    expect: {
      warnings: [],
      tokens: ["cba|0-3|0|word", "x😀|4-7|1|word"],
      gap: 100,
    },
  },
  {
    group: "filter",
    name: "unique",
    adhoc: {
      tokenizer: "whitespace",
      filter: ["unique"],
    },
    text: "a b a c b d",
    expect: {
      warnings: [],
      tokens: ["a|0-1|0|word", "b|2-3|1|word", "c|6-7|2|word", "d|10-11|3|word"],
      gap: 100,
    },
  },
  {
    group: "filter",
    name: "unique only_on_same_position",
    adhoc: {
      tokenizer: "whitespace",
      filter: [
        {
          type: "asciifolding",
          preserve_original: true,
        },
        "lowercase",
        {
          type: "unique",
          only_on_same_position: true,
        },
      ],
    },
    text: "café CAFE cafe",
    expect: {
      warnings: [],
      tokens: ["cafe|0-4|0|word", "café|0-4|0|word", "cafe|5-9|1|word", "cafe|10-14|2|word"],
      gap: 100,
    },
  },
  {
    group: "filter",
    name: "unique after stop",
    adhoc: {
      tokenizer: "whitespace",
      filter: ["stop", "unique"],
    },
    text: "a the a b the c b",
    expect: {
      warnings: [],
      tokens: ["b|8-9|3|word", "c|14-15|5|word"],
      gap: 100,
    },
  },
  {
    group: "filter",
    name: "ngram filter",
    adhoc: {
      tokenizer: "standard",
      filter: ["ngram"],
    },
    text: "abc d",
    expect: {
      warnings: [],
      tokens: [
        "a|0-3|0|<ALPHANUM>",
        "ab|0-3|0|<ALPHANUM>",
        "b|0-3|0|<ALPHANUM>",
        "bc|0-3|0|<ALPHANUM>",
        "c|0-3|0|<ALPHANUM>",
        "d|4-5|1|<ALPHANUM>",
      ],
      gap: 100,
    },
  },
  {
    group: "filter",
    name: "ngram filter preserve_original",
    adhoc: {
      tokenizer: "standard",
      filter: [
        {
          type: "ngram",
          min_gram: 2,
          max_gram: 3,
          preserve_original: true,
        },
      ],
    },
    text: "abcd a xyz",
    opts: {
      maxNgramDiff: 1,
    },
    expect: {
      warnings: [],
      tokens: [
        "ab|0-4|0|<ALPHANUM>",
        "abc|0-4|0|<ALPHANUM>",
        "bc|0-4|0|<ALPHANUM>",
        "bcd|0-4|0|<ALPHANUM>",
        "cd|0-4|0|<ALPHANUM>",
        "abcd|0-4|0|<ALPHANUM>",
        "a|5-6|1|<ALPHANUM>",
        "xy|7-10|2|<ALPHANUM>",
        "xyz|7-10|2|<ALPHANUM>",
        "yz|7-10|2|<ALPHANUM>",
      ],
      gap: 100,
    },
  },
  {
    group: "filter",
    name: "edge_ngram filter",
    adhoc: {
      tokenizer: "standard",
      filter: [
        {
          type: "edge_ngram",
          min_gram: 1,
          max_gram: 3,
          side: "front",
        },
      ],
    },
    text: "abcd a",
    expect: {
      warnings: [],
      tokens: ["a|0-4|0|<ALPHANUM>", "ab|0-4|0|<ALPHANUM>", "abc|0-4|0|<ALPHANUM>", "a|5-6|1|<ALPHANUM>"],
      gap: 100,
    },
  },
  {
    group: "filter",
    name: "edge_ngram filter preserve_original",
    adhoc: {
      tokenizer: "standard",
      filter: [
        {
          type: "edge_ngram",
          min_gram: 2,
          max_gram: 3,
          preserve_original: true,
        },
      ],
    },
    text: "abcd a ab",
    expect: {
      warnings: [],
      tokens: [
        "ab|0-4|0|<ALPHANUM>",
        "abc|0-4|0|<ALPHANUM>",
        "abcd|0-4|0|<ALPHANUM>",
        "a|5-6|1|<ALPHANUM>",
        "ab|7-9|2|<ALPHANUM>",
      ],
      gap: 100,
    },
  },
  {
    group: "filter",
    name: "keyword_marker",
    adhoc: {
      tokenizer: "standard",
      filter: [
        {
          type: "keyword_marker",
          keywords: ["running"],
        },
        "porter_stem",
      ],
    },
    text: "running jumps",
    expect: {
      warnings: [],
      tokens: ["running|0-7|0|<ALPHANUM>|keyword", "jump|8-13|1|<ALPHANUM>"],
      gap: 100,
    },
  },
  {
    group: "filter",
    name: "keyword_marker path",
    adhoc: {
      tokenizer: "standard",
      filter: [
        {
          type: "keyword_marker",
          keywords_path: "keywords.txt",
        },
        "porter_stem",
      ],
    },
    text: "running jumps hopping",
    expect: {
      warnings: [],
      tokens: [
        "running|0-7|0|<ALPHANUM>|keyword",
        "jumps|8-13|1|<ALPHANUM>|keyword",
        "hop|14-21|2|<ALPHANUM>",
      ],
      gap: 100,
    },
  },
  {
    group: "filter",
    name: "keyword_marker pattern",
    adhoc: {
      tokenizer: "standard",
      filter: [
        {
          type: "keyword_marker",
          keywords_pattern: "run.*",
        },
        "porter_stem",
      ],
    },
    text: "running rerunning jumps",
    expect: {
      warnings: [],
      tokens: ["running|0-7|0|<ALPHANUM>|keyword", "rerun|8-17|1|<ALPHANUM>", "jump|18-23|2|<ALPHANUM>"],
      gap: 100,
    },
  },
  {
    group: "filter",
    name: "keyword_marker ignore_case",
    adhoc: {
      tokenizer: "standard",
      filter: [
        {
          type: "keyword_marker",
          keywords: ["Running"],
          ignore_case: true,
        },
        "lowercase",
        "porter_stem",
      ],
    },
    text: "RUNNING Jumps",
    expect: {
      warnings: [],
      tokens: ["running|0-7|0|<ALPHANUM>|keyword", "jump|8-13|1|<ALPHANUM>"],
      gap: 100,
    },
  },
  {
    group: "filter",
    name: "keyword_marker then light stemmer",
    adhoc: {
      tokenizer: "standard",
      filter: [
        {
          type: "keyword_marker",
          keywords: ["cats"],
        },
        {
          type: "stemmer",
          language: "minimal_english",
        },
      ],
    },
    text: "cats dogs",
    expect: {
      warnings: [],
      tokens: ["cats|0-4|0|<ALPHANUM>|keyword", "dog|5-9|1|<ALPHANUM>"],
      gap: 100,
    },
  },
  {
    group: "filter",
    name: "shingle",
    adhoc: {
      tokenizer: "standard",
      filter: ["shingle"],
    },
    text: "please divide this sentence",
    expect: {
      warnings: [],
      tokens: [
        "please|0-6|0|<ALPHANUM>",
        "please divide|0-13|0/2|shingle",
        "divide|7-13|1|<ALPHANUM>",
        "divide this|7-18|1/2|shingle",
        "this|14-18|2|<ALPHANUM>",
        "this sentence|14-27|2/2|shingle",
        "sentence|19-27|3|<ALPHANUM>",
      ],
      gap: 100,
    },
  },
  {
    group: "filter",
    name: "shingle 2-3 no unigrams",
    adhoc: {
      tokenizer: "standard",
      filter: [
        {
          type: "shingle",
          min_shingle_size: 2,
          max_shingle_size: 3,
          output_unigrams: false,
        },
      ],
    },
    text: "please divide this sentence",
    expect: {
      warnings: [],
      tokens: [
        "please divide|0-13|0/2|shingle",
        "please divide this|0-18|0/3|shingle",
        "divide this|7-18|1/2|shingle",
        "divide this sentence|7-27|1/3|shingle",
        "this sentence|14-27|2/2|shingle",
      ],
      gap: 100,
    },
  },
  {
    group: "filter",
    name: "shingle if no shingles",
    adhoc: {
      tokenizer: "standard",
      filter: [
        {
          type: "shingle",
          output_unigrams: false,
          output_unigrams_if_no_shingles: true,
        },
      ],
    },
    text: "alone",
    expect: {
      warnings: [],
      tokens: ["alone|0-5|0|<ALPHANUM>"],
      gap: 100,
    },
  },
  {
    group: "filter",
    name: "shingle no shingles",
    adhoc: {
      tokenizer: "standard",
      filter: [
        {
          type: "shingle",
          output_unigrams: false,
        },
      ],
    },
    text: "alone",
    expect: {
      warnings: [],
      tokens: [],
      gap: 100,
    },
  },
  {
    group: "filter",
    name: "shingle filler",
    adhoc: {
      tokenizer: "standard",
      filter: [
        "stop",
        {
          type: "shingle",
          max_shingle_size: 3,
          token_separator: "_",
          filler_token: "X",
        },
      ],
    },
    text: "quick the fox",
    expect: {
      warnings: [],
      tokens: ["quick|0-5|0|<ALPHANUM>", "quick_X_fox|0-13|0/3|shingle", "fox|10-13|2|<ALPHANUM>"],
      gap: 100,
    },
  },
  {
    group: "filter",
    name: "shingle stacked tokens",
    adhoc: {
      tokenizer: "standard",
      filter: [
        {
          type: "asciifolding",
          preserve_original: true,
        },
        "shingle",
      ],
    },
    text: "café noir",
    expect: {
      warnings: [],
      tokens: [
        "cafe|0-4|0|<ALPHANUM>",
        "cafe noir|0-9|0/2|shingle",
        "café|0-4|0|<ALPHANUM>",
        "noir|5-9|1|<ALPHANUM>",
      ],
      gap: 100,
    },
  },
  {
    group: "filter",
    name: "shingle empty",
    adhoc: {
      tokenizer: "standard",
      filter: ["shingle"],
    },
    text: "",
    expect: {
      warnings: [],
      tokens: [],
      gap: 100,
    },
  },
  {
    group: "filter",
    name: "filters as one name",
    adhoc: {
      tokenizer: "standard",
      filter: "lowercase",
    },
    text: "Hello World",
    expect: {
      warnings: [],
      tokens: ["hello|0-5|0|<ALPHANUM>", "world|6-11|1|<ALPHANUM>"],
      gap: 100,
    },
  },
  {
    group: "filter",
    name: "filters as one inline definition",
    adhoc: {
      tokenizer: "standard",
      filter: {
        type: "truncate",
        length: 2,
      },
    },
    text: "Hello World",
    expect: {
      warnings: [],
      tokens: ["He|0-5|0|<ALPHANUM>", "Wo|6-11|1|<ALPHANUM>"],
      gap: 100,
    },
  },
  {
    group: "filter",
    name: "filters as flattened list",
    adhoc: {
      tokenizer: "standard",
      filter: {
        "0": "lowercase",
        "1": "reverse",
      },
    },
    text: "Hello World",
    expect: {
      warnings: [],
      tokens: ["olleh|0-5|0|<ALPHANUM>", "dlrow|6-11|1|<ALPHANUM>"],
      gap: 100,
    },
  },
  {
    group: "filter",
    name: "filters without tokenizer",
    adhoc: {
      tokenizer: "standard",
      filter: ["lowercase"],
    },
    text: "Hello World",
    expect: {
      warnings: [],
      tokens: ["hello|0-5|0|<ALPHANUM>", "world|6-11|1|<ALPHANUM>"],
      gap: 100,
    },
  },
  {
    group: "filter",
    name: "standard analyzer for empty spec",
    adhoc: {
      tokenizer: "standard",
      filter: [],
    },
    text: "Hello World's",
    expect: {
      warnings: [],
      tokens: ["Hello|0-5|0|<ALPHANUM>", "World's|6-13|1|<ALPHANUM>"],
      gap: 100,
    },
  },
  {
    group: "synonyms",
    name: "synonym",
    settings: {
      filter: {
        s: {
          type: "synonym",
          synonyms: [
            "quick, fast, speedy",
            "big apple => nyc, new york city",
            "tv => television",
            "hot dog, frankfurter",
          ],
        },
      },
      analyzer: {
        a: {
          tokenizer: "standard",
          filter: ["lowercase", "s"],
        },
      },
    },
    analyzer: "a",
    text: "The Quick big apple TV is fast hot dog",
    expect: {
      warnings: [],
      tokens: [
        "the|0-3|0|<ALPHANUM>",
        "quick|4-9|1|<ALPHANUM>",
        "fast|4-9|1|SYNONYM",
        "speedy|4-9|1|SYNONYM",
        "nyc|10-19|2|SYNONYM",
        "new|10-13|2|SYNONYM",
        "york|14-19|3|SYNONYM",
        "city|20-22|4|SYNONYM",
        "television|20-22|4|SYNONYM",
        "is|23-25|5|<ALPHANUM>",
        "fast|26-30|6|<ALPHANUM>",
        "quick|26-30|6|SYNONYM",
        "speedy|26-30|6|SYNONYM",
        "hot|31-34|7|<ALPHANUM>",
        "frankfurter|31-38|7/2|SYNONYM",
        "dog|35-38|8|<ALPHANUM>",
      ],
      gap: 100,
    },
  },
  {
    group: "synonyms",
    name: "synonym_graph",
    settings: {
      filter: {
        s: {
          type: "synonym_graph",
          synonyms: [
            "quick, fast, speedy",
            "big apple => nyc, new york city",
            "tv => television",
            "hot dog, frankfurter",
          ],
        },
      },
      analyzer: {
        a: {
          tokenizer: "standard",
          filter: ["lowercase", "s"],
        },
      },
    },
    analyzer: "a",
    text: "The Quick big apple TV is fast hot dog",
    expect: {
      warnings: [],
      tokens: [
        "the|0-3|0|<ALPHANUM>",
        "fast|4-9|1|SYNONYM",
        "speedy|4-9|1|SYNONYM",
        "quick|4-9|1|<ALPHANUM>",
        "nyc|10-19|2/3|SYNONYM",
        "new|10-19|2|SYNONYM",
        "york|10-19|3|SYNONYM",
        "city|10-19|4|SYNONYM",
        "television|20-22|5|SYNONYM",
        "is|23-25|6|<ALPHANUM>",
        "quick|26-30|7|SYNONYM",
        "speedy|26-30|7|SYNONYM",
        "fast|26-30|7|<ALPHANUM>",
        "frankfurter|31-38|8/2|SYNONYM",
        "hot|31-34|8|<ALPHANUM>",
        "dog|35-38|9|<ALPHANUM>",
      ],
      gap: 100,
    },
  },
  {
    group: "synonyms",
    name: "synonym expand false",
    settings: {
      filter: {
        s: {
          type: "synonym",
          synonyms: [
            "quick, fast, speedy",
            "big apple => nyc, new york city",
            "tv => television",
            "hot dog, frankfurter",
          ],
          expand: false,
        },
      },
      analyzer: {
        a: {
          tokenizer: "standard",
          filter: ["lowercase", "s"],
        },
      },
    },
    analyzer: "a",
    text: "The Quick big apple TV is fast hot dog",
    expect: {
      warnings: [],
      tokens: [
        "the|0-3|0|<ALPHANUM>",
        "quick|4-9|1|SYNONYM",
        "nyc|10-19|2|SYNONYM",
        "new|10-13|2|SYNONYM",
        "york|14-19|3|SYNONYM",
        "city|20-22|4|SYNONYM",
        "television|20-22|4|SYNONYM",
        "is|23-25|5|<ALPHANUM>",
        "quick|26-30|6|SYNONYM",
        "hot|31-34|7|SYNONYM",
        "dog|35-38|8|SYNONYM",
      ],
      gap: 100,
    },
  },
  {
    group: "synonyms",
    name: "synonym_graph expand false",
    settings: {
      filter: {
        s: {
          type: "synonym_graph",
          synonyms: [
            "quick, fast, speedy",
            "big apple => nyc, new york city",
            "tv => television",
            "hot dog, frankfurter",
          ],
          expand: false,
        },
      },
      analyzer: {
        a: {
          tokenizer: "standard",
          filter: ["lowercase", "s"],
        },
      },
    },
    analyzer: "a",
    text: "The Quick big apple TV is fast hot dog",
    expect: {
      warnings: [],
      tokens: [
        "the|0-3|0|<ALPHANUM>",
        "quick|4-9|1|SYNONYM",
        "nyc|10-19|2/3|SYNONYM",
        "new|10-19|2|SYNONYM",
        "york|10-19|3|SYNONYM",
        "city|10-19|4|SYNONYM",
        "television|20-22|5|SYNONYM",
        "is|23-25|6|<ALPHANUM>",
        "quick|26-30|7|SYNONYM",
        "hot|31-38|8|SYNONYM",
        "dog|31-38|9|SYNONYM",
      ],
      gap: 100,
    },
  },
  {
    group: "synonyms",
    name: "synonym ignore_case",
    settings: {
      filter: {
        s: {
          type: "synonym",
          synonyms: ["Quick, fast", "big apple => nyc"],
          ignore_case: true,
        },
      },
      analyzer: {
        a: {
          tokenizer: "standard",
          filter: ["s"],
        },
      },
    },
    analyzer: "a",
    text: "QUICK Big Apple",
    expect: {
      warnings: [],
      tokens: ["QUICK|0-5|0|<ALPHANUM>", "fast|0-5|0|SYNONYM", "nyc|6-15|1|SYNONYM"],
      gap: 100,
    },
  },
  {
    group: "synonyms",
    name: "synonym_graph ignore_case",
    settings: {
      filter: {
        s: {
          type: "synonym_graph",
          synonyms: ["Quick, fast", "big apple => nyc", "QUICK => rapid"],
          ignore_case: true,
        },
      },
      analyzer: {
        a: {
          tokenizer: "standard",
          filter: ["s"],
        },
      },
    },
    analyzer: "a",
    text: "QUICK Big Apple",
    expect: {
      warnings: [],
      tokens: ["fast|0-5|0|SYNONYM", "rapid|0-5|0|SYNONYM", "QUICK|0-5|0|<ALPHANUM>", "nyc|6-15|1|SYNONYM"],
      gap: 100,
    },
  },
  {
    group: "synonyms",
    name: "synonym multi-word output spill",
    settings: {
      filter: {
        s: {
          type: "synonym",
          synonyms: ["a => w x y z"],
        },
      },
      analyzer: {
        a: {
          tokenizer: "standard",
          filter: ["lowercase", "s"],
        },
      },
    },
    analyzer: "a",
    text: "a b end",
    expect: {
      warnings: [],
      tokens: [
        "w|0-1|0|SYNONYM",
        "b|2-3|1|<ALPHANUM>",
        "x|2-3|1|SYNONYM",
        "end|4-7|2|<ALPHANUM>",
        "y|4-7|2|SYNONYM",
        "z|4-7|3|SYNONYM",
      ],
      gap: 100,
    },
  },
  {
    group: "synonyms",
    name: "synonym_graph multi-word both sides",
    settings: {
      filter: {
        s: {
          type: "synonym_graph",
          synonyms: ["a b c, x y"],
        },
      },
      analyzer: {
        a: {
          tokenizer: "standard",
          filter: ["lowercase", "s"],
        },
      },
    },
    analyzer: "a",
    text: "go a b c now",
    expect: {
      warnings: [],
      tokens: [
        "go|0-2|0|<ALPHANUM>",
        "x|3-8|1|SYNONYM",
        "a|3-4|1/2|<ALPHANUM>",
        "y|3-8|2/3|SYNONYM",
        "b|5-6|3|<ALPHANUM>",
        "c|7-8|4|<ALPHANUM>",
        "now|9-12|5|<ALPHANUM>",
      ],
      gap: 100,
    },
  },
  {
    group: "synonyms",
    name: "synonym after stop (position gap)",
    settings: {
      filter: {
        s: {
          type: "synonym",
          synonyms: ["fox, hound"],
        },
      },
      analyzer: {
        a: {
          tokenizer: "standard",
          filter: ["lowercase", "stop", "s"],
        },
      },
    },
    analyzer: "a",
    text: "quick the fox",
    expect: {
      warnings: [],
      tokens: ["quick|0-5|0|<ALPHANUM>", "fox|10-13|2|<ALPHANUM>", "hound|10-13|2|SYNONYM"],
      gap: 100,
    },
  },
  {
    group: "synonyms",
    name: "synonyms_path",
    settings: {
      filter: {
        s: {
          type: "synonym_graph",
          synonyms_path: "synonyms.txt",
        },
      },
      analyzer: {
        a: {
          tokenizer: "standard",
          filter: ["lowercase", "s"],
        },
      },
    },
    analyzer: "a",
    text: "quick NYC",
    expect: {
      warnings: [],
      tokens: [
        "fast|0-5|0|SYNONYM",
        "quick|0-5|0|<ALPHANUM>",
        "new|6-9|1|SYNONYM",
        "york|6-9|2|SYNONYM",
        "city|6-9|3|SYNONYM",
      ],
      gap: 100,
    },
  },
  {
    group: "synonyms",
    name: "synonyms_path with BOM",
    settings: {
      filter: {
        s: {
          type: "synonym",
          synonyms_path: "synonyms-bom.txt",
        },
      },
      analyzer: {
        a: {
          tokenizer: "standard",
          filter: ["lowercase", "s"],
        },
      },
    },
    analyzer: "a",
    text: "hello",
    expect: {
      warnings: [],
      tokens: ["hello|0-5|0|<ALPHANUM>", "hi|0-5|0|SYNONYM"],
      gap: 100,
    },
  },
  {
    group: "synonyms",
    name: "wordnet",
    settings: {
      filter: {
        s: {
          type: "synonym",
          format: "wordnet",
          synonyms_path: "wordnet.txt",
        },
      },
      analyzer: {
        a: {
          tokenizer: "standard",
          filter: ["lowercase", "s"],
        },
      },
    },
    analyzer: "a",
    text: "woods o'clock",
    expect: {
      warnings: [],
      tokens: [
        "woods|0-5|0|SYNONYM",
        "wood|0-5|0|SYNONYM",
        "forest|0-5|0|SYNONYM",
        "o'clock|6-13|1|SYNONYM",
        "hour|6-13|1|SYNONYM",
      ],
      gap: 100,
    },
  },
  {
    group: "synonyms",
    name: "wordnet expand false",
    settings: {
      filter: {
        s: {
          type: "synonym_graph",
          format: "wordnet",
          synonyms_path: "wordnet.txt",
          expand: false,
        },
      },
      analyzer: {
        a: {
          tokenizer: "standard",
          filter: ["lowercase", "s"],
        },
      },
    },
    analyzer: "a",
    text: "forest hour",
    expect: {
      warnings: [],
      tokens: ["woods|0-6|0|SYNONYM", "o'clock|7-11|1|SYNONYM"],
      gap: 100,
    },
  },
  {
    group: "synonyms",
    name: "lenient",
    settings: {
      filter: {
        s: {
          type: "synonym",
          synonyms: ["the => a", "foo, bar", "the, baz"],
          lenient: true,
        },
      },
      analyzer: {
        a: {
          tokenizer: "standard",
          filter: ["lowercase", "stop", "s"],
        },
      },
    },
    analyzer: "a",
    text: "the foo",
    expect: {
      warnings: [
        "index.analysis.filter.s.synonyms: lenient: 3 synonym phrases ignored in analyzer [a], e.g. synonym rule at line 1: [the] was ignored (term: [the] was completely eliminated by analyzer)",
      ],
      tokens: ["foo|4-7|1|<ALPHANUM>", "bar|4-7|1|SYNONYM"],
      gap: 100,
    },
  },
  {
    group: "synonyms",
    name: "not lenient",
    settings: {
      filter: {
        s: {
          type: "synonym",
          synonyms: ["foo, bar", "the => a"],
        },
      },
      analyzer: {
        a: {
          tokenizer: "standard",
          filter: ["lowercase", "stop", "s"],
        },
      },
    },
    analyzer: "a",
    text: "the foo",
    expect: {
      warnings: [],
      error:
        '[index.analysis.filter.s.synonyms] index.analysis.filter.s.synonyms: failed to build synonyms for analyzer [a]: invalid synonym rule at line 2: term: [the] was completely eliminated by analyzer. Rule words are analyzed with the chain before the filter (tokenizer [standard], filter [lowercase, stop]); set "lenient": true to skip such rules',
    },
  },
  {
    group: "synonyms",
    name: "bad rule file",
    settings: {
      filter: {
        s: {
          type: "synonym",
          synonyms_path: "bad-synonyms.txt",
        },
      },
      analyzer: {
        a: {
          tokenizer: "standard",
          filter: ["s"],
        },
      },
    },
    analyzer: "a",
    text: "a",
    expect: {
      warnings: [],
      error:
        '[index.analysis.filter.s.synonyms_path] index.analysis.filter.s.synonyms_path: failed to build synonyms for analyzer [a]: invalid synonym rule at line 1: more than one explicit mapping specified on the same line. Rule words are analyzed with the chain before the filter (tokenizer [standard], filter []); set "lenient": true to skip such rules',
    },
  },
  {
    group: "synonyms",
    name: "rules analyzed with preceding asciifolding preserve_original",
    settings: {
      filter: {
        f: {
          type: "asciifolding",
          preserve_original: true,
        },
        s: {
          type: "synonym",
          synonyms: ["café => coffee"],
        },
      },
      analyzer: {
        a: {
          tokenizer: "standard",
          filter: ["lowercase", "f", "s"],
        },
      },
    },
    analyzer: "a",
    text: "café",
    expect: {
      warnings: [],
      tokens: ["coffee|0-4|0|SYNONYM", "café|0-4|0|<ALPHANUM>"],
      gap: 100,
    },
  },
  {
    group: "synonyms",
    name: "synonym before synonym",
    settings: {
      filter: {
        s1: {
          type: "synonym",
          synonyms: ["fast => quick"],
        },
        s2: {
          type: "synonym",
          synonyms: ["quick => rapid", "fast => speedy"],
        },
      },
      analyzer: {
        a: {
          tokenizer: "standard",
          filter: ["lowercase", "s1", "s2"],
        },
      },
    },
    analyzer: "a",
    text: "fast",
    expect: {
      warnings: [],
      tokens: ["rapid|0-4|0|SYNONYM"],
      gap: 100,
    },
  },
  {
    group: "synonyms",
    name: "synonym after ngram",
    settings: {
      filter: {
        ng: {
          type: "ngram",
        },
        s: {
          type: "synonym",
          synonyms: ["ab => x"],
        },
      },
      analyzer: {
        a: {
          tokenizer: "standard",
          filter: ["ng", "s"],
        },
      },
    },
    analyzer: "a",
    text: "abc",
    expect: {
      warnings: [],
      error:
        "[index.analysis.filter.s.synonyms] index.analysis.filter.s.synonyms: token filter [ng] cannot be used to parse synonyms, which precedes synonym filter [s]",
    },
  },
  {
    group: "synonyms",
    name: "synonym after shingle",
    settings: {
      filter: {
        sh: {
          type: "shingle",
        },
        s: {
          type: "synonym",
          synonyms: ["ab => x"],
        },
      },
      analyzer: {
        a: {
          tokenizer: "standard",
          filter: ["sh", "s"],
        },
      },
    },
    analyzer: "a",
    text: "abc",
    expect: {
      warnings: [],
      error:
        "[index.analysis.filter.s.synonyms] index.analysis.filter.s.synonyms: token filter [sh] cannot be used to parse synonyms, which precedes synonym filter [s]",
    },
  },
  {
    group: "synonyms",
    name: "synonym after edge_ngram",
    settings: {
      filter: {
        eg: {
          type: "edge_ngram",
        },
        s: {
          type: "synonym",
          synonyms: ["ab => x"],
        },
      },
      analyzer: {
        a: {
          tokenizer: "standard",
          filter: ["eg", "s"],
        },
      },
    },
    analyzer: "a",
    text: "abc",
    expect: {
      warnings: [],
      error:
        "[index.analysis.filter.s.synonyms] index.analysis.filter.s.synonyms: token filter [eg] cannot be used to parse synonyms, which precedes synonym filter [s]",
    },
  },
  {
    group: "synonyms",
    name: "synonyms and synonyms_path",
    settings: {
      filter: {
        s: {
          type: "synonym",
          synonyms: ["quick, fast"],
          synonyms_path: "synonyms.txt",
        },
      },
      analyzer: {
        a: {
          tokenizer: "standard",
          filter: ["s"],
        },
      },
    },
    analyzer: "a",
    text: "quick",
    expect: {
      warnings: [
        "index.analysis.filter.s: both synonyms and synonyms_path are set; the inline synonyms are used",
      ],
      tokens: ["quick|0-5|0|<ALPHANUM>", "fast|0-5|0|SYNONYM"],
      gap: 100,
    },
  },
  {
    group: "synonyms",
    name: "synonyms missing",
    settings: {
      filter: {
        s: {
          type: "synonym_graph",
          synonym: ["a, b"],
        },
      },
      analyzer: {
        a: {
          tokenizer: "standard",
          filter: ["s"],
        },
      },
    },
    analyzer: "a",
    text: "x",
    expect: {
      warnings: [],
      error:
        "[index.analysis.filter.s.synonyms] index.analysis.filter.s.synonyms: synonym_graph requires either `synonyms` or `synonyms_path` to be configured; found unknown parameter [synonym] (did you mean [synonyms]?)",
    },
  },
  {
    group: "synonyms",
    name: "synonyms unknown format",
    settings: {
      filter: {
        s: {
          type: "synonym",
          synonyms: ["a, b"],
          format: "csv",
        },
      },
      analyzer: {
        a: {
          tokenizer: "standard",
          filter: ["s"],
        },
      },
    },
    analyzer: "a",
    text: "x",
    expect: {
      warnings: [],
      error:
        "[index.analysis.filter.s.format] index.analysis.filter.s.format: unknown synonyms format [csv]; supported: [solr, wordnet]",
    },
  },
  {
    group: "synonyms",
    name: "synonyms tokenizer parameter ignored",
    settings: {
      filter: {
        s: {
          type: "synonym",
          synonyms: ["a, b"],
          tokenizer: "whitespace",
        },
      },
      analyzer: {
        a: {
          tokenizer: "standard",
          filter: ["s"],
        },
      },
    },
    analyzer: "a",
    text: "a",
    expect: {
      warnings: [],
      tokens: ["a|0-1|0|<ALPHANUM>", "b|0-1|0|SYNONYM"],
      gap: 100,
    },
  },
  {
    group: "synonyms",
    name: "synonyms in html_strip chain",
    settings: {
      filter: {
        s: {
          type: "synonym",
          synonyms: ["tv => television"],
        },
      },
      analyzer: {
        a: {
          tokenizer: "standard",
          char_filter: ["html_strip"],
          filter: ["lowercase", "s"],
        },
      },
    },
    analyzer: "a",
    text: "<b>TV</b> set",
    expect: {
      warnings: [],
      tokens: ["television|3-5|0|SYNONYM", "set|10-13|1|<ALPHANUM>"],
      gap: 100,
    },
  },
  {
    group: "synonyms",
    name: "synonyms with char filter in chain",
    settings: {
      char_filter: {
        m: {
          type: "mapping",
          mappings: ["ph => f"],
        },
      },
      filter: {
        s: {
          type: "synonym",
          synonyms: ["fone, telephone"],
        },
      },
      analyzer: {
        a: {
          tokenizer: "whitespace",
          char_filter: ["m"],
          filter: ["s"],
        },
      },
    },
    analyzer: "a",
    text: "phone",
    expect: {
      warnings: [],
      tokens: ["fone|0-5|0|word", "telefone|0-5|0|SYNONYM"],
      gap: 100,
    },
  },
  {
    group: "synonyms",
    name: "one synonym filter in two analyzers",
    settings: {
      filter: {
        s: {
          type: "synonym",
          synonyms: ["Quick => fast"],
        },
      },
      analyzer: {
        a: {
          tokenizer: "standard",
          filter: ["lowercase", "s"],
        },
        b: {
          tokenizer: "whitespace",
          filter: ["s"],
        },
      },
    },
    analyzer: "b",
    text: "Quick quick",
    expect: {
      warnings: [],
      tokens: ["fast|0-5|0|SYNONYM", "quick|6-11|1|word"],
      gap: 100,
    },
  },
  {
    group: "synonyms",
    name: "synonym filter without type",
    settings: {
      filter: {
        synonyms: {
          synonyms: ["laptop, notebook"],
        },
      },
      analyzer: {
        a: {
          tokenizer: "standard",
          filter: ["lowercase", "synonyms"],
        },
      },
    },
    analyzer: "a",
    text: "Laptop",
    expect: {
      warnings: [
        "index.analysis.filter.synonyms has no type; treated as synonym_graph because it defines synonyms",
      ],
      tokens: ["notebook|0-6|0|SYNONYM", "laptop|0-6|0|<ALPHANUM>"],
      gap: 100,
    },
  },
  {
    group: "synonyms",
    name: "orphan and updateable synonym filters",
    settings: {
      filter: {
        orphan: {
          synonyms: ["laptop, notebook"],
        },
        upd: {
          type: "synonym_graph",
          synonyms: ["tv, television"],
          updateable: true,
        },
        unused: {
          type: "lowercase",
        },
      },
      analyzer: {
        search: {
          tokenizer: "standard",
          filter: ["lowercase", "upd"],
        },
      },
    },
    analyzer: "search",
    text: "tv",
    info: true,
    expect: {
      warnings: [
        "index.analysis.filter.orphan has no type; treated as synonym_graph because it defines synonyms",
        "index.analysis.filter.unused is defined but not used by any analyzer",
      ],
      tokens: ["television|0-2|0|SYNONYM", "tv|0-2|0|<ALPHANUM>"],
      gap: 100,
      info: {
        names: [
          "standard",
          "simple",
          "whitespace",
          "keyword",
          "stop",
          "english",
          "pattern",
          "ik_max_word",
          "ik_smart",
          "search",
        ],
        normalizerNames: ["lowercase"],
        updateableFilters: ["upd"],
        orphanSynonymFilters: ["orphan"],
      },
    },
  },
  {
    group: "synonyms",
    name: "orphan synonym filter with bad rules",
    settings: {
      filter: {
        orphan: {
          type: "synonym",
          synonyms: ["x, y => z => w"],
        },
      },
    },
    expect: {
      warnings: [],
      error:
        '[index.analysis.filter.orphan.synonyms] index.analysis.filter.orphan.synonyms: failed to build synonyms: invalid synonym rule at line 1: more than one explicit mapping specified on the same line. Rule words are analyzed with the chain before the filter (tokenizer [standard], filter [lowercase]); set "lenient": true to skip such rules',
    },
  },
  {
    group: "synonyms",
    name: "orphan synonym filter lenient",
    settings: {
      filter: {
        orphan: {
          type: "synonym",
          synonyms: ["a b c => d", "=> x"],
          lenient: true,
        },
      },
    },
    info: true,
    expect: {
      warnings: [],
      info: {
        names: [
          "standard",
          "simple",
          "whitespace",
          "keyword",
          "stop",
          "english",
          "pattern",
          "ik_max_word",
          "ik_smart",
        ],
        normalizerNames: ["lowercase"],
        updateableFilters: [],
        orphanSynonymFilters: ["orphan"],
      },
    },
  },
  {
    group: "synonyms",
    name: "ad-hoc chain with custom synonym filter",
    settings: {
      filter: {
        s: {
          type: "synonym",
          synonyms: ["quick, fast"],
        },
      },
      analyzer: {
        a: {
          tokenizer: "standard",
          filter: ["s"],
        },
      },
    },
    adhoc: {
      tokenizer: "whitespace",
      filter: ["lowercase", "s"],
    },
    text: "QUICK fox",
    expect: {
      warnings: [],
      tokens: ["quick|0-5|0|word", "fast|0-5|0|SYNONYM", "fox|6-9|1|word"],
      gap: 100,
    },
  },
  {
    group: "synonyms",
    name: "ad-hoc inline synonym filter",
    adhoc: {
      tokenizer: "standard",
      filter: [
        "lowercase",
        {
          type: "synonym_graph",
          synonyms: ["big apple, nyc"],
        },
      ],
    },
    text: "Big Apple",
    expect: {
      warnings: [],
      tokens: ["nyc|0-9|0/2|SYNONYM", "big|0-3|0|<ALPHANUM>", "apple|4-9|1|<ALPHANUM>"],
      gap: 100,
    },
  },
  {
    group: "synonyms",
    name: "ad-hoc inline synonym filter error names no analyzer",
    adhoc: {
      tokenizer: "standard",
      filter: [
        "stop",
        {
          type: "synonym",
          synonyms: ["the, a"],
        },
      ],
    },
    text: "x",
    expect: {
      warnings: [],
      error:
        '[filter[1].synonyms] filter[1].synonyms: failed to build synonyms: invalid synonym rule at line 1: term: [the] was completely eliminated by analyzer. Rule words are analyzed with the chain before the filter (tokenizer [standard], filter [stop]); set "lenient": true to skip such rules',
    },
  },
  {
    group: "analyzer",
    name: "built-in standard",
    analyzer: "standard",
    text: "The Quick-Brown FOX's 2 jumps, über café! C++ e-mail foo@bar.com 3.14 Running ponies",
    expect: {
      warnings: [],
      tokens: [
        "the|0-3|0|<ALPHANUM>",
        "quick|4-9|1|<ALPHANUM>",
        "brown|10-15|2|<ALPHANUM>",
        "fox's|16-21|3|<ALPHANUM>",
        "2|22-23|4|<NUM>",
        "jumps|24-29|5|<ALPHANUM>",
        "über|31-35|6|<ALPHANUM>",
        "café|36-40|7|<ALPHANUM>",
        "c|42-43|8|<ALPHANUM>",
        "e|46-47|9|<ALPHANUM>",
        "mail|48-52|10|<ALPHANUM>",
        "foo|53-56|11|<ALPHANUM>",
        "bar.com|57-64|12|<ALPHANUM>",
        "3.14|65-69|13|<NUM>",
        "running|70-77|14|<ALPHANUM>",
        "ponies|78-84|15|<ALPHANUM>",
      ],
      gap: 100,
    },
  },
  {
    group: "analyzer",
    name: "built-in simple",
    analyzer: "simple",
    text: "The Quick-Brown FOX's 2 jumps, über café! C++ e-mail foo@bar.com 3.14 Running ponies",
    expect: {
      warnings: [],
      tokens: [
        "the|0-3|0|word",
        "quick|4-9|1|word",
        "brown|10-15|2|word",
        "fox|16-19|3|word",
        "s|20-21|4|word",
        "jumps|24-29|5|word",
        "über|31-35|6|word",
        "café|36-40|7|word",
        "c|42-43|8|word",
        "e|46-47|9|word",
        "mail|48-52|10|word",
        "foo|53-56|11|word",
        "bar|57-60|12|word",
        "com|61-64|13|word",
        "running|70-77|14|word",
        "ponies|78-84|15|word",
      ],
      gap: 100,
    },
  },
  {
    group: "analyzer",
    name: "built-in whitespace",
    analyzer: "whitespace",
    text: "The Quick-Brown FOX's 2 jumps, über café! C++ e-mail foo@bar.com 3.14 Running ponies",
    expect: {
      warnings: [],
      tokens: [
        "The|0-3|0|word",
        "Quick-Brown|4-15|1|word",
        "FOX's|16-21|2|word",
        "2|22-23|3|word",
        "jumps,|24-30|4|word",
        "über|31-35|5|word",
        "café!|36-41|6|word",
        "C++|42-45|7|word",
        "e-mail|46-52|8|word",
        "foo@bar.com|53-64|9|word",
        "3.14|65-69|10|word",
        "Running|70-77|11|word",
        "ponies|78-84|12|word",
      ],
      gap: 100,
    },
  },
  {
    group: "analyzer",
    name: "built-in keyword",
    analyzer: "keyword",
    text: "The Quick-Brown FOX's 2 jumps, über café! C++ e-mail foo@bar.com 3.14 Running ponies",
    expect: {
      warnings: [],
      tokens: [
        "The Quick-Brown FOX's 2 jumps, über café! C++ e-mail foo@bar.com 3.14 Running ponies|0-84|0|word",
      ],
      gap: 100,
    },
  },
  {
    group: "analyzer",
    name: "built-in stop",
    analyzer: "stop",
    text: "The Quick-Brown FOX's 2 jumps, über café! C++ e-mail foo@bar.com 3.14 Running ponies",
    expect: {
      warnings: [],
      tokens: [
        "quick|4-9|1|word",
        "brown|10-15|2|word",
        "fox|16-19|3|word",
        "s|20-21|4|word",
        "jumps|24-29|5|word",
        "über|31-35|6|word",
        "café|36-40|7|word",
        "c|42-43|8|word",
        "e|46-47|9|word",
        "mail|48-52|10|word",
        "foo|53-56|11|word",
        "bar|57-60|12|word",
        "com|61-64|13|word",
        "running|70-77|14|word",
        "ponies|78-84|15|word",
      ],
      gap: 100,
    },
  },
  {
    group: "analyzer",
    name: "built-in english",
    analyzer: "english",
    text: "The Quick-Brown FOX's 2 jumps, über café! C++ e-mail foo@bar.com 3.14 Running ponies",
    expect: {
      warnings: [],
      tokens: [
        "quick|4-9|1|<ALPHANUM>",
        "brown|10-15|2|<ALPHANUM>",
        "fox|16-21|3|<ALPHANUM>",
        "2|22-23|4|<NUM>",
        "jump|24-29|5|<ALPHANUM>",
        "über|31-35|6|<ALPHANUM>",
        "café|36-40|7|<ALPHANUM>",
        "c|42-43|8|<ALPHANUM>",
        "e|46-47|9|<ALPHANUM>",
        "mail|48-52|10|<ALPHANUM>",
        "foo|53-56|11|<ALPHANUM>",
        "bar.com|57-64|12|<ALPHANUM>",
        "3.14|65-69|13|<NUM>",
        "run|70-77|14|<ALPHANUM>",
        "poni|78-84|15|<ALPHANUM>",
      ],
      gap: 100,
    },
  },
  {
    group: "analyzer",
    name: "built-in pattern",
    analyzer: "pattern",
    text: "The Quick-Brown FOX's 2 jumps, über café! C++ e-mail foo@bar.com 3.14 Running ponies",
    expect: {
      warnings: [],
      tokens: [
        "the|0-3|0|word",
        "quick|4-9|1|word",
        "brown|10-15|2|word",
        "fox|16-19|3|word",
        "s|20-21|4|word",
        "2|22-23|5|word",
        "jumps|24-29|6|word",
        "ber|32-35|7|word",
        "caf|36-39|8|word",
        "c|42-43|9|word",
        "e|46-47|10|word",
        "mail|48-52|11|word",
        "foo|53-56|12|word",
        "bar|57-60|13|word",
        "com|61-64|14|word",
        "3|65-66|15|word",
        "14|67-69|16|word",
        "running|70-77|17|word",
        "ponies|78-84|18|word",
      ],
      gap: 100,
    },
  },
  {
    group: "analyzer",
    name: "built-in ik_max_word",
    analyzer: "ik_max_word",
    text: "中华人民共和国 hello-world 你好 c++ 3,000",
    expect: {
      warnings: [],
      tokens: [
        "中华人民共和国|0-7|0|CN_WORD",
        "中华人民|0-4|1|CN_WORD",
        "中华|0-2|2|CN_WORD",
        "华人|1-3|3|CN_WORD",
        "人民共和国|2-7|4|CN_WORD",
        "人民|2-4|5|CN_WORD",
        "共和国|4-7|6|CN_WORD",
        "共和|4-6|7|CN_WORD",
        "hello-world|8-19|8|LETTER",
        "hello|8-13|9|ENGLISH",
        "world|14-19|10|ENGLISH",
        "你好|20-22|11|CN_WORD",
        "c++|23-26|12|LETTER",
        "c|23-24|13|ENGLISH",
        "3,000|27-32|14|ARABIC",
      ],
      gap: 100,
    },
  },
  {
    group: "analyzer",
    name: "built-in ik_smart",
    analyzer: "ik_smart",
    text: "中华人民共和国 hello-world 你好 c++ 3,000",
    expect: {
      warnings: [],
      tokens: [
        "中华人民共和国|0-7|0|CN_WORD",
        "hello-world|8-19|1|LETTER",
        "你好|20-22|2|CN_WORD",
        "c++|23-26|3|LETTER",
        "3,000|27-32|4|ARABIC",
      ],
      gap: 100,
    },
  },
  {
    group: "analyzer",
    name: "unknown analyzer",
    analyzer: "nope",
    text: "The Quick-Brown FOX's 2 jumps, über café! C++ e-mail foo@bar.com 3.14 Running ponies",
    expect: {
      warnings: [],
      tokens: null,
    },
  },
  {
    group: "analyzer",
    name: "standard with stopwords",
    analyzer: "a",
    text: "The Quick-Brown FOX's 2 jumps, über café! C++ e-mail foo@bar.com 3.14 Running ponies",
    settings: {
      analyzer: {
        a: {
          type: "standard",
          stopwords: "_english_",
          max_token_length: 5,
        },
      },
    },
    expect: {
      warnings: [],
      tokens: [
        "quick|4-9|1|<ALPHANUM>",
        "brown|10-15|2|<ALPHANUM>",
        "fox's|16-21|3|<ALPHANUM>",
        "2|22-23|4|<NUM>",
        "jumps|24-29|5|<ALPHANUM>",
        "über|31-35|6|<ALPHANUM>",
        "café|36-40|7|<ALPHANUM>",
        "c|42-43|8|<ALPHANUM>",
        "e|46-47|9|<ALPHANUM>",
        "mail|48-52|10|<ALPHANUM>",
        "foo|53-56|11|<ALPHANUM>",
        "bar.c|57-62|12|<ALPHANUM>",
        "om|62-64|13|<ALPHANUM>",
        "3.14|65-69|14|<NUM>",
        "runni|70-75|15|<ALPHANUM>",
        "ng|75-77|16|<ALPHANUM>",
        "ponie|78-83|17|<ALPHANUM>",
        "s|83-84|18|<ALPHANUM>",
      ],
      gap: 100,
    },
  },
  {
    group: "analyzer",
    name: "standard with stopwords_path",
    analyzer: "a",
    text: "The Quick-Brown FOX's 2 jumps, über café! C++ e-mail foo@bar.com 3.14 Running ponies",
    settings: {
      analyzer: {
        a: {
          type: "standard",
          stopwords_path: "stopwords.txt",
        },
      },
    },
    expect: {
      warnings: [],
      tokens: [
        "the|0-3|0|<ALPHANUM>",
        "brown|10-15|2|<ALPHANUM>",
        "fox's|16-21|3|<ALPHANUM>",
        "2|22-23|4|<NUM>",
        "jumps|24-29|5|<ALPHANUM>",
        "über|31-35|6|<ALPHANUM>",
        "café|36-40|7|<ALPHANUM>",
        "c|42-43|8|<ALPHANUM>",
        "e|46-47|9|<ALPHANUM>",
        "mail|48-52|10|<ALPHANUM>",
        "foo|53-56|11|<ALPHANUM>",
        "bar.com|57-64|12|<ALPHANUM>",
        "3.14|65-69|13|<NUM>",
        "running|70-77|14|<ALPHANUM>",
        "ponies|78-84|15|<ALPHANUM>",
      ],
      gap: 100,
    },
  },
  {
    group: "analyzer",
    name: "standard default params",
    analyzer: "a",
    text: "The Quick-Brown FOX's 2 jumps, über café! C++ e-mail foo@bar.com 3.14 Running ponies",
    settings: {
      analyzer: {
        a: {
          type: "standard",
          position_increment_gap: 7,
        },
      },
    },
    expect: {
      warnings: [],
      tokens: [
        "the|0-3|0|<ALPHANUM>",
        "quick|4-9|1|<ALPHANUM>",
        "brown|10-15|2|<ALPHANUM>",
        "fox's|16-21|3|<ALPHANUM>",
        "2|22-23|4|<NUM>",
        "jumps|24-29|5|<ALPHANUM>",
        "über|31-35|6|<ALPHANUM>",
        "café|36-40|7|<ALPHANUM>",
        "c|42-43|8|<ALPHANUM>",
        "e|46-47|9|<ALPHANUM>",
        "mail|48-52|10|<ALPHANUM>",
        "foo|53-56|11|<ALPHANUM>",
        "bar.com|57-64|12|<ALPHANUM>",
        "3.14|65-69|13|<NUM>",
        "running|70-77|14|<ALPHANUM>",
        "ponies|78-84|15|<ALPHANUM>",
      ],
      gap: 7,
    },
  },
  {
    group: "analyzer",
    name: "standard max_token_length only",
    analyzer: "a",
    text: "The Quick-Brown FOX's 2 jumps, über café! C++ e-mail foo@bar.com 3.14 Running ponies",
    settings: {
      analyzer: {
        a: {
          type: "standard",
          max_token_length: 3,
        },
      },
    },
    expect: {
      warnings: [],
      tokens: [
        "the|0-3|0|<ALPHANUM>",
        "qui|4-7|1|<ALPHANUM>",
        "ck|7-9|2|<ALPHANUM>",
        "bro|10-13|3|<ALPHANUM>",
        "wn|13-15|4|<ALPHANUM>",
        "fox|16-19|5|<ALPHANUM>",
        "s|20-21|6|<ALPHANUM>",
        "2|22-23|7|<NUM>",
        "jum|24-27|8|<ALPHANUM>",
        "ps|27-29|9|<ALPHANUM>",
        "übe|31-34|10|<ALPHANUM>",
        "r|34-35|11|<ALPHANUM>",
        "caf|36-39|12|<ALPHANUM>",
        "é|39-40|13|<ALPHANUM>",
        "c|42-43|14|<ALPHANUM>",
        "e|46-47|15|<ALPHANUM>",
        "mai|48-51|16|<ALPHANUM>",
        "l|51-52|17|<ALPHANUM>",
        "foo|53-56|18|<ALPHANUM>",
        "bar|57-60|19|<ALPHANUM>",
        "com|61-64|20|<ALPHANUM>",
        "3.1|65-68|21|<NUM>",
        "4|68-69|22|<NUM>",
        "run|70-73|23|<ALPHANUM>",
        "nin|73-76|24|<ALPHANUM>",
        "g|76-77|25|<ALPHANUM>",
        "pon|78-81|26|<ALPHANUM>",
        "ies|81-84|27|<ALPHANUM>",
      ],
      gap: 100,
    },
  },
  {
    group: "analyzer",
    name: "simple typed",
    analyzer: "a",
    text: "The Quick-Brown FOX's 2 jumps, über café! C++ e-mail foo@bar.com 3.14 Running ponies",
    settings: {
      analyzer: {
        a: {
          type: "simple",
        },
      },
    },
    expect: {
      warnings: [],
      tokens: [
        "the|0-3|0|word",
        "quick|4-9|1|word",
        "brown|10-15|2|word",
        "fox|16-19|3|word",
        "s|20-21|4|word",
        "jumps|24-29|5|word",
        "über|31-35|6|word",
        "café|36-40|7|word",
        "c|42-43|8|word",
        "e|46-47|9|word",
        "mail|48-52|10|word",
        "foo|53-56|11|word",
        "bar|57-60|12|word",
        "com|61-64|13|word",
        "running|70-77|14|word",
        "ponies|78-84|15|word",
      ],
      gap: 100,
    },
  },
  {
    group: "analyzer",
    name: "whitespace max_token_length",
    analyzer: "a",
    text: "The Quick-Brown FOX's 2 jumps, über café! C++ e-mail foo@bar.com 3.14 Running ponies",
    settings: {
      analyzer: {
        a: {
          type: "whitespace",
          max_token_length: 4,
        },
      },
    },
    expect: {
      warnings: [],
      tokens: [
        "The|0-3|0|word",
        "Quic|4-8|1|word",
        "k-Br|8-12|2|word",
        "own|12-15|3|word",
        "FOX'|16-20|4|word",
        "s|20-21|5|word",
        "2|22-23|6|word",
        "jump|24-28|7|word",
        "s,|28-30|8|word",
        "über|31-35|9|word",
        "café|36-40|10|word",
        "!|40-41|11|word",
        "C++|42-45|12|word",
        "e-ma|46-50|13|word",
        "il|50-52|14|word",
        "foo@|53-57|15|word",
        "bar.|57-61|16|word",
        "com|61-64|17|word",
        "3.14|65-69|18|word",
        "Runn|70-74|19|word",
        "ing|74-77|20|word",
        "poni|78-82|21|word",
        "es|82-84|22|word",
      ],
      gap: 100,
    },
  },
  {
    group: "analyzer",
    name: "keyword typed",
    analyzer: "a",
    text: "The Quick-Brown FOX's 2 jumps, über café! C++ e-mail foo@bar.com 3.14 Running ponies",
    settings: {
      analyzer: {
        a: {
          type: "keyword",
        },
      },
    },
    expect: {
      warnings: [],
      tokens: [
        "The Quick-Brown FOX's 2 jumps, über café! C++ e-mail foo@bar.com 3.14 Running ponies|0-84|0|word",
      ],
      gap: 100,
    },
  },
  {
    group: "analyzer",
    name: "stop with stopwords",
    analyzer: "a",
    text: "The Quick-Brown FOX's 2 jumps, über café! C++ e-mail foo@bar.com 3.14 Running ponies",
    settings: {
      analyzer: {
        a: {
          type: "stop",
          stopwords: ["quick", "fox"],
        },
      },
    },
    expect: {
      warnings: [],
      tokens: [
        "the|0-3|0|word",
        "brown|10-15|2|word",
        "s|20-21|4|word",
        "jumps|24-29|5|word",
        "über|31-35|6|word",
        "café|36-40|7|word",
        "c|42-43|8|word",
        "e|46-47|9|word",
        "mail|48-52|10|word",
        "foo|53-56|11|word",
        "bar|57-60|12|word",
        "com|61-64|13|word",
        "running|70-77|14|word",
        "ponies|78-84|15|word",
      ],
      gap: 100,
    },
  },
  {
    group: "analyzer",
    name: "english stem_exclusion",
    analyzer: "a",
    text: "The Quick-Brown FOX's 2 jumps, über café! C++ e-mail foo@bar.com 3.14 Running ponies",
    settings: {
      analyzer: {
        a: {
          type: "english",
          stem_exclusion: ["running", "jumps"],
        },
      },
    },
    expect: {
      warnings: [],
      tokens: [
        "quick|4-9|1|<ALPHANUM>",
        "brown|10-15|2|<ALPHANUM>",
        "fox|16-21|3|<ALPHANUM>",
        "2|22-23|4|<NUM>",
        "jumps|24-29|5|<ALPHANUM>|keyword",
        "über|31-35|6|<ALPHANUM>",
        "café|36-40|7|<ALPHANUM>",
        "c|42-43|8|<ALPHANUM>",
        "e|46-47|9|<ALPHANUM>",
        "mail|48-52|10|<ALPHANUM>",
        "foo|53-56|11|<ALPHANUM>",
        "bar.com|57-64|12|<ALPHANUM>",
        "3.14|65-69|13|<NUM>",
        "running|70-77|14|<ALPHANUM>|keyword",
        "poni|78-84|15|<ALPHANUM>",
      ],
      gap: 100,
    },
  },
  {
    group: "analyzer",
    name: "english stopwords",
    analyzer: "a",
    text: "The Quick-Brown FOX's 2 jumps, über café! C++ e-mail foo@bar.com 3.14 Running ponies",
    settings: {
      analyzer: {
        a: {
          type: "english",
          stopwords: ["fox"],
        },
      },
    },
    expect: {
      warnings: [],
      tokens: [
        "the|0-3|0|<ALPHANUM>",
        "quick|4-9|1|<ALPHANUM>",
        "brown|10-15|2|<ALPHANUM>",
        "2|22-23|4|<NUM>",
        "jump|24-29|5|<ALPHANUM>",
        "über|31-35|6|<ALPHANUM>",
        "café|36-40|7|<ALPHANUM>",
        "c|42-43|8|<ALPHANUM>",
        "e|46-47|9|<ALPHANUM>",
        "mail|48-52|10|<ALPHANUM>",
        "foo|53-56|11|<ALPHANUM>",
        "bar.com|57-64|12|<ALPHANUM>",
        "3.14|65-69|13|<NUM>",
        "run|70-77|14|<ALPHANUM>",
        "poni|78-84|15|<ALPHANUM>",
      ],
      gap: 100,
    },
  },
  {
    group: "analyzer",
    name: "english _none_",
    analyzer: "a",
    text: "The Quick-Brown FOX's 2 jumps, über café! C++ e-mail foo@bar.com 3.14 Running ponies",
    settings: {
      analyzer: {
        a: {
          type: "english",
          stopwords: "_none_",
        },
      },
    },
    expect: {
      warnings: [],
      tokens: [
        "the|0-3|0|<ALPHANUM>",
        "quick|4-9|1|<ALPHANUM>",
        "brown|10-15|2|<ALPHANUM>",
        "fox|16-21|3|<ALPHANUM>",
        "2|22-23|4|<NUM>",
        "jump|24-29|5|<ALPHANUM>",
        "über|31-35|6|<ALPHANUM>",
        "café|36-40|7|<ALPHANUM>",
        "c|42-43|8|<ALPHANUM>",
        "e|46-47|9|<ALPHANUM>",
        "mail|48-52|10|<ALPHANUM>",
        "foo|53-56|11|<ALPHANUM>",
        "bar.com|57-64|12|<ALPHANUM>",
        "3.14|65-69|13|<NUM>",
        "run|70-77|14|<ALPHANUM>",
        "poni|78-84|15|<ALPHANUM>",
      ],
      gap: 100,
    },
  },
  {
    group: "analyzer",
    name: "pattern comma no lowercase",
    analyzer: "a",
    text: "A, b,C",
    settings: {
      analyzer: {
        a: {
          type: "pattern",
          pattern: ",\\s*",
          lowercase: false,
        },
      },
    },
    expect: {
      warnings: [],
      tokens: ["A|0-1|0|word", "b|3-4|1|word", "C|5-6|2|word"],
      gap: 100,
    },
  },
  {
    group: "analyzer",
    name: "pattern with stopwords",
    analyzer: "a",
    text: "The Quick-Brown FOX's 2 jumps, über café! C++ e-mail foo@bar.com 3.14 Running ponies",
    settings: {
      analyzer: {
        a: {
          type: "pattern",
          stopwords: "_english_",
        },
      },
    },
    expect: {
      warnings: [],
      tokens: [
        "quick|4-9|1|word",
        "brown|10-15|2|word",
        "fox|16-19|3|word",
        "s|20-21|4|word",
        "2|22-23|5|word",
        "jumps|24-29|6|word",
        "ber|32-35|7|word",
        "caf|36-39|8|word",
        "c|42-43|9|word",
        "e|46-47|10|word",
        "mail|48-52|11|word",
        "foo|53-56|12|word",
        "bar|57-60|13|word",
        "com|61-64|14|word",
        "3|65-66|15|word",
        "14|67-69|16|word",
        "running|70-77|17|word",
        "ponies|78-84|18|word",
      ],
      gap: 100,
    },
  },
  {
    group: "analyzer",
    name: "pattern flags",
    analyzer: "a",
    text: "aXbxC",
    settings: {
      analyzer: {
        a: {
          type: "pattern",
          pattern: "X",
          flags: "CASE_INSENSITIVE",
        },
      },
    },
    expect: {
      warnings: [],
      tokens: ["a|0-1|0|word", "b|2-3|1|word", "c|4-5|2|word"],
      gap: 100,
    },
  },
  {
    group: "analyzer",
    name: "ik typed",
    analyzer: "a",
    text: "中华人民共和国 hello-world 你好 c++ 3,000",
    settings: {
      analyzer: {
        a: {
          type: "ik_smart",
        },
      },
    },
    expect: {
      warnings: [],
      tokens: [
        "中华人民共和国|0-7|0|CN_WORD",
        "hello-world|8-19|1|LETTER",
        "你好|20-22|2|CN_WORD",
        "c++|23-26|3|LETTER",
        "3,000|27-32|4|ARABIC",
      ],
      gap: 100,
    },
  },
  {
    group: "analyzer",
    name: "custom",
    analyzer: "a",
    text: "<i>Café</i> OK",
    settings: {
      analyzer: {
        a: {
          type: "custom",
          tokenizer: "whitespace",
          char_filter: ["html_strip"],
          filter: ["lowercase", "asciifolding"],
          position_increment_gap: 0,
        },
      },
    },
    expect: {
      warnings: [],
      tokens: ["cafe|3-7|0|word", "ok|12-14|1|word"],
      gap: 0,
    },
  },
  {
    group: "analyzer",
    name: "custom implied by tokenizer",
    analyzer: "a",
    text: "a-b-c",
    settings: {
      analyzer: {
        a: {
          tokenizer: {
            type: "pattern",
            pattern: "-",
          },
          filter: "uppercase",
        },
      },
    },
    expect: {
      warnings: [],
      tokens: ["A|0-1|0|word", "B|2-3|1|word", "C|4-5|2|word"],
      gap: 100,
    },
  },
  {
    group: "analyzer",
    name: "custom unknown parameter",
    analyzer: "a",
    text: "Hi",
    settings: {
      analyzer: {
        a: {
          tokenizer: "standard",
          filtre: ["lowercase"],
        },
      },
    },
    expect: {
      warnings: [
        "index.analysis.analyzer.a: unknown parameter [filtre] (did you mean [filter]?) for a custom analyzer; ignored",
      ],
      tokens: ["Hi|0-2|0|<ALPHANUM>"],
      gap: 100,
    },
  },
  {
    group: "analyzer",
    name: "built-in type unknown parameters",
    analyzer: "a",
    text: "Hi",
    settings: {
      analyzer: {
        a: {
          type: "english",
          stop_words: ["x"],
          stemexclusion: [],
        },
      },
    },
    expect: {
      warnings: [
        "index.analysis.analyzer.a: unknown parameters [stop_words] (did you mean [stopwords]?), [stemexclusion] (did you mean [stem_exclusion]?) for analyzer type [english]; ignored",
      ],
      tokens: ["hi|0-2|0|<ALPHANUM>"],
      gap: 100,
    },
  },
  {
    group: "analyzer",
    name: "custom components",
    settings: {
      char_filter: {
        amp: {
          type: "mapping",
          mappings: ["& => and"],
        },
      },
      tokenizer: {
        tri: {
          type: "ngram",
          min_gram: 3,
          max_gram: 3,
          token_chars: ["letter"],
        },
      },
      filter: {
        short: {
          type: "truncate",
          length: 2,
        },
      },
      analyzer: {
        a: {
          tokenizer: "tri",
          char_filter: ["amp"],
          filter: ["short", "unique"],
        },
      },
    },
    analyzer: "a",
    text: "ab&cd",
    info: true,
    expect: {
      warnings: [],
      tokens: ["ab|0-3|0|word", "ba|1-3|1|word", "an|2-3|2|word", "nd|2-4|3|word", "dc|2-5|4|word"],
      gap: 100,
      info: {
        names: [
          "standard",
          "simple",
          "whitespace",
          "keyword",
          "stop",
          "english",
          "pattern",
          "ik_max_word",
          "ik_smart",
          "a",
        ],
        normalizerNames: ["lowercase"],
        updateableFilters: [],
        orphanSynonymFilters: [],
      },
    },
  },
  {
    group: "analyzer",
    name: "registry info with custom analyzers and normalizers",
    settings: {
      analyzer: {
        standard: {
          type: "standard",
          stopwords: "_english_",
        },
        mine: {
          type: "simple",
        },
      },
      normalizer: {
        n: {
          filter: ["lowercase"],
        },
      },
    },
    analyzer: "standard",
    text: "The Fox",
    info: true,
    expect: {
      warnings: [],
      tokens: ["fox|4-7|1|<ALPHANUM>"],
      gap: 100,
      info: {
        names: [
          "standard",
          "simple",
          "whitespace",
          "keyword",
          "stop",
          "english",
          "pattern",
          "ik_max_word",
          "ik_smart",
          "mine",
        ],
        normalizerNames: ["lowercase", "n"],
        updateableFilters: [],
        orphanSynonymFilters: [],
      },
    },
  },
  {
    group: "normalizer",
    name: "built-in lowercase",
    normalizer: "lowercase",
    text: "Hello World ÉTÉ",
    expect: {
      warnings: [],
      tokens: ["hello world été|0-15|0|word"],
      gap: 100,
    },
  },
  {
    group: "normalizer",
    name: "unknown normalizer",
    normalizer: "nope",
    text: "x",
    expect: {
      warnings: [],
      tokens: null,
    },
  },
  {
    group: "normalizer",
    name: "custom",
    normalizer: "n",
    text: "<Hello> Wörld  ",
    settings: {
      char_filter: {
        m: {
          type: "mapping",
          mappings: ["< => [", "> => ]"],
        },
      },
      normalizer: {
        n: {
          type: "custom",
          char_filter: ["m"],
          filter: ["lowercase", "asciifolding", "trim"],
        },
      },
    },
    expect: {
      warnings: [],
      tokens: ["[hello] world|0-15|0|word"],
      gap: 100,
    },
  },
  {
    group: "normalizer",
    name: "custom uppercase pattern_replace",
    normalizer: "n",
    text: "a-b c",
    settings: {
      char_filter: {
        p: {
          type: "pattern_replace",
          pattern: "-",
          replacement: "_",
        },
      },
      normalizer: {
        n: {
          char_filter: ["p"],
          filter: ["uppercase"],
        },
      },
    },
    expect: {
      warnings: [],
      tokens: ["A_B C|0-5|0|word"],
      gap: 100,
    },
  },
  {
    group: "normalizer",
    name: "custom with custom normalizing filter",
    normalizer: "n",
    text: "DİYARBAKIR",
    settings: {
      filter: {
        tr: {
          type: "lowercase",
          language: "turkish",
        },
      },
      normalizer: {
        n: {
          filter: ["tr"],
        },
      },
    },
    expect: {
      warnings: [],
      tokens: ["diyarbakır|0-10|0|word"],
      gap: 100,
    },
  },
  {
    group: "normalizer",
    name: "normalizer type",
    normalizer: "n",
    text: "x",
    settings: {
      normalizer: {
        n: {
          type: "keyword",
        },
      },
    },
    expect: {
      warnings: [],
      error:
        "[index.analysis.normalizer.n.type] index.analysis.normalizer.n.type: unknown normalizer type [keyword]; known types: [custom]",
    },
  },
  {
    group: "normalizer",
    name: "normalizer with tokenizer",
    normalizer: "n",
    text: "x",
    settings: {
      normalizer: {
        n: {
          tokenizer: "standard",
        },
      },
    },
    expect: {
      warnings: [],
      error:
        "[index.analysis.normalizer.n.tokenizer] index.analysis.normalizer.n.tokenizer: custom normalizer [n] cannot configure a tokenizer",
    },
  },
  {
    group: "normalizer",
    name: "normalizer with stop",
    normalizer: "n",
    text: "x",
    settings: {
      normalizer: {
        n: {
          filter: ["lowercase", "stop"],
        },
      },
    },
    expect: {
      warnings: [],
      error:
        "[index.analysis.normalizer.n.filter[1]] index.analysis.normalizer.n.filter[1]: custom normalizer [n] may not use filter [stop]; normalizers accept: [lowercase, uppercase, asciifolding, trim]",
    },
  },
  {
    group: "normalizer",
    name: "normalizer with custom stop",
    normalizer: "n",
    text: "x",
    settings: {
      filter: {
        s: {
          type: "stop",
        },
      },
      normalizer: {
        n: {
          filter: ["s"],
        },
      },
    },
    expect: {
      warnings: [],
      error:
        "[index.analysis.normalizer.n.filter[0]] index.analysis.normalizer.n.filter[0]: custom normalizer [n] may not use filter [s]; normalizers accept: [lowercase, uppercase, asciifolding, trim]",
    },
  },
  {
    group: "normalizer",
    name: "normalizer with html_strip",
    normalizer: "n",
    text: "x",
    settings: {
      normalizer: {
        n: {
          char_filter: ["html_strip"],
        },
      },
    },
    expect: {
      warnings: [],
      error:
        "[index.analysis.normalizer.n.char_filter[0]] index.analysis.normalizer.n.char_filter[0]: custom normalizer [n] may not use char filter [html_strip]",
    },
  },
  {
    group: "normalizer",
    name: "normalizer unknown parameter",
    normalizer: "n",
    text: "AB",
    settings: {
      normalizer: {
        n: {
          filter: ["lowercase"],
          filters: [],
        },
      },
    },
    expect: {
      warnings: [
        "index.analysis.normalizer.n: unknown parameter [filters] (did you mean [filter]?) for a custom normalizer; ignored",
      ],
      tokens: ["ab|0-2|0|word"],
      gap: 100,
    },
  },
  {
    group: "validation",
    name: "analysis not an object",
    settings: "lowercase",
    analyzer: "a",
    text: "The QUICK brown fox's jumps",
    expect: {
      warnings: [],
      error: "[index.analysis] index.analysis: expected an object but got [lowercase]",
    },
  },
  {
    group: "validation",
    name: "analysis null",
    settings: null,
    analyzer: "a",
    text: "The QUICK brown fox's jumps",
    info: true,
    expect: {
      warnings: [],
      tokens: null,
      info: {
        names: [
          "standard",
          "simple",
          "whitespace",
          "keyword",
          "stop",
          "english",
          "pattern",
          "ik_max_word",
          "ik_smart",
        ],
        normalizerNames: ["lowercase"],
        updateableFilters: [],
        orphanSynonymFilters: [],
      },
    },
  },
  {
    group: "validation",
    name: "unknown section",
    settings: {
      analyser: {},
      filters: {},
    },
    analyzer: "a",
    text: "The QUICK brown fox's jumps",
    expect: {
      warnings: [
        "index.analysis.analyser is not an analysis section (did you mean [analyzer]?); known: [analyzer, tokenizer, filter, char_filter, normalizer]; ignored",
        "index.analysis.filters is not an analysis section (did you mean [filter]?); known: [analyzer, tokenizer, filter, char_filter, normalizer]; ignored",
      ],
      tokens: null,
    },
  },
  {
    group: "validation",
    name: "section not an object",
    settings: {
      filter: ["lowercase"],
    },
    analyzer: "a",
    text: "The QUICK brown fox's jumps",
    expect: {
      warnings: [],
      error:
        '[index.analysis.filter] index.analysis.filter: expected an object of named definitions but got [["lowercase"]]',
    },
  },
  {
    group: "validation",
    name: "definition not an object",
    settings: {
      filter: {
        f: "lowercase",
      },
    },
    analyzer: "a",
    text: "The QUICK brown fox's jumps",
    expect: {
      warnings: [],
      error:
        "[index.analysis.filter.f] index.analysis.filter.f: expected a definition object but got [lowercase]",
    },
  },
  {
    group: "validation",
    name: "unused definitions",
    settings: {
      tokenizer: {
        t: {
          type: "whitespace",
        },
      },
      char_filter: {
        c: {
          type: "html_strip",
        },
      },
      filter: {
        f: {
          type: "lowercase",
        },
      },
    },
    analyzer: "a",
    text: "The QUICK brown fox's jumps",
    expect: {
      warnings: [
        "index.analysis.tokenizer.t is defined but not used by any analyzer",
        "index.analysis.char_filter.c is defined but not used by any analyzer",
        "index.analysis.filter.f is defined but not used by any analyzer",
      ],
      tokens: null,
    },
  },
  {
    group: "validation",
    name: "unknown filter type",
    settings: {
      filter: {
        f: {
          type: "lowercas",
        },
      },
      analyzer: {
        a: {
          tokenizer: "standard",
          filter: ["f"],
        },
      },
    },
    analyzer: "a",
    text: "The QUICK brown fox's jumps",
    expect: {
      warnings: [],
      error:
        "[index.analysis.filter.f.type] index.analysis.filter.f.type: unknown filter type [lowercas] (did you mean [lowercase]?); known types: [lowercase, uppercase, stop, stemmer, porter_stem, kstem, english_possessive, asciifolding, synonym, synonym_graph, length, trim, truncate, reverse, unique, ngram, edge_ngram, keyword_marker, shingle]",
    },
  },
  {
    group: "validation",
    name: "unknown filter type far",
    settings: {
      filter: {
        f: {
          type: "zzzzzzzz",
        },
      },
      analyzer: {
        a: {
          tokenizer: "standard",
          filter: ["f"],
        },
      },
    },
    analyzer: "a",
    text: "The QUICK brown fox's jumps",
    expect: {
      warnings: [],
      error:
        "[index.analysis.filter.f.type] index.analysis.filter.f.type: unknown filter type [zzzzzzzz]; known types: [lowercase, uppercase, stop, stemmer, porter_stem, kstem, english_possessive, asciifolding, synonym, synonym_graph, length, trim, truncate, reverse, unique, ngram, edge_ngram, keyword_marker, shingle]",
    },
  },
  {
    group: "validation",
    name: "filter without type",
    settings: {
      filter: {
        f: {
          min: 1,
        },
      },
      analyzer: {
        a: {
          tokenizer: "standard",
          filter: ["f"],
        },
      },
    },
    analyzer: "a",
    text: "The QUICK brown fox's jumps",
    expect: {
      warnings: [],
      error:
        "[index.analysis.filter.f.type] index.analysis.filter.f.type: filter [f] has no type; known types: [lowercase, uppercase, stop, stemmer, porter_stem, kstem, english_possessive, asciifolding, synonym, synonym_graph, length, trim, truncate, reverse, unique, ngram, edge_ngram, keyword_marker, shingle]",
    },
  },
  {
    group: "validation",
    name: "filter type not a string",
    settings: {
      filter: {
        f: {
          type: 5,
        },
      },
      analyzer: {
        a: {
          tokenizer: "standard",
          filter: ["f"],
        },
      },
    },
    analyzer: "a",
    text: "The QUICK brown fox's jumps",
    expect: {
      warnings: [],
      error: "[index.analysis.filter.f.type] index.analysis.filter.f.type: expected a string but got [5]",
    },
  },
  {
    group: "validation",
    name: "char_filter without type but mappings",
    settings: {
      char_filter: {
        c: {
          mappings: ["a => b"],
        },
      },
      analyzer: {
        a: {
          tokenizer: "standard",
          char_filter: ["c"],
        },
      },
    },
    analyzer: "a",
    text: "The QUICK brown fox's jumps",
    expect: {
      warnings: ["index.analysis.char_filter.c has no type; treated as mapping because it defines mappings"],
      tokens: [
        "The|0-3|0|<ALPHANUM>",
        "QUICK|4-9|1|<ALPHANUM>",
        "brown|10-15|2|<ALPHANUM>",
        "fox's|16-21|3|<ALPHANUM>",
        "jumps|22-27|4|<ALPHANUM>",
      ],
      gap: 100,
    },
  },
  {
    group: "validation",
    name: "char_filter without type",
    settings: {
      char_filter: {
        c: {
          escaped_tags: ["b"],
        },
      },
      analyzer: {
        a: {
          tokenizer: "standard",
          char_filter: ["c"],
        },
      },
    },
    analyzer: "a",
    text: "The QUICK brown fox's jumps",
    expect: {
      warnings: [],
      error:
        "[index.analysis.char_filter.c.type] index.analysis.char_filter.c.type: char_filter [c] has no type; known types: [html_strip, mapping, pattern_replace]",
    },
  },
  {
    group: "validation",
    name: "tokenizer without type",
    settings: {
      tokenizer: {
        t: {
          pattern: ",",
        },
      },
      analyzer: {
        a: {
          tokenizer: "t",
        },
      },
    },
    analyzer: "a",
    text: "The QUICK brown fox's jumps",
    expect: {
      warnings: [],
      error:
        "[index.analysis.tokenizer.t.type] index.analysis.tokenizer.t.type: tokenizer [t] has no type; known types: [standard, whitespace, keyword, letter, lowercase, pattern, ngram, edge_ngram, ik_max_word, ik_smart]",
    },
  },
  {
    group: "validation",
    name: "unknown tokenizer type",
    settings: {
      tokenizer: {
        t: {
          type: "standrd",
        },
      },
      analyzer: {
        a: {
          tokenizer: "t",
        },
      },
    },
    analyzer: "a",
    text: "The QUICK brown fox's jumps",
    expect: {
      warnings: [],
      error:
        "[index.analysis.tokenizer.t.type] index.analysis.tokenizer.t.type: unknown tokenizer type [standrd] (did you mean [standard]?); known types: [standard, whitespace, keyword, letter, lowercase, pattern, ngram, edge_ngram, ik_max_word, ik_smart]",
    },
  },
  {
    group: "validation",
    name: "unknown filter reference",
    settings: {
      filter: {
        my_stop: {
          type: "stop",
        },
      },
      analyzer: {
        a: {
          tokenizer: "standard",
          filter: ["my_stpo"],
        },
      },
    },
    analyzer: "a",
    text: "The QUICK brown fox's jumps",
    expect: {
      warnings: [],
      error:
        "[index.analysis.analyzer.a.filter[0]] index.analysis.analyzer.a.filter[0]: unknown filter [my_stpo] (did you mean [my_stop]?); custom filters: [my_stop], built-in: [lowercase, uppercase, stop, stemmer, porter_stem, kstem, english_possessive, asciifolding, length, trim, truncate, reverse, unique, ngram, edge_ngram, shingle]",
    },
  },
  {
    group: "validation",
    name: "unknown tokenizer reference",
    settings: {
      analyzer: {
        a: {
          tokenizer: "whitespaces",
        },
      },
    },
    analyzer: "a",
    text: "The QUICK brown fox's jumps",
    expect: {
      warnings: [],
      error:
        "[index.analysis.analyzer.a.tokenizer] index.analysis.analyzer.a.tokenizer: unknown tokenizer [whitespaces] (did you mean [whitespace]?); custom tokenizers: [], built-in: [standard, whitespace, keyword, letter, lowercase, pattern, ngram, edge_ngram, ik_max_word, ik_smart]",
    },
  },
  {
    group: "validation",
    name: "unknown char_filter reference",
    settings: {
      analyzer: {
        a: {
          tokenizer: "standard",
          char_filter: ["html"],
        },
      },
    },
    analyzer: "a",
    text: "The QUICK brown fox's jumps",
    expect: {
      warnings: [],
      error:
        "[index.analysis.analyzer.a.char_filter[0]] index.analysis.analyzer.a.char_filter[0]: unknown char_filter [html]; custom char_filters: [], built-in: [html_strip]",
    },
  },
  {
    group: "validation",
    name: "bare synonym reference",
    settings: {
      analyzer: {
        a: {
          tokenizer: "standard",
          filter: ["synonym_graph"],
        },
      },
    },
    analyzer: "a",
    text: "The QUICK brown fox's jumps",
    expect: {
      warnings: [],
      error:
        "[index.analysis.analyzer.a.filter[0]] index.analysis.analyzer.a.filter[0]: filter [synonym_graph] needs settings (synonyms or synonyms_path); define a filter of type [synonym_graph] under index.analysis.filter and reference it by name",
    },
  },
  {
    group: "validation",
    name: "bare keyword_marker reference",
    settings: {
      analyzer: {
        a: {
          tokenizer: "standard",
          filter: ["keyword_marker"],
        },
      },
    },
    analyzer: "a",
    text: "The QUICK brown fox's jumps",
    expect: {
      warnings: [],
      error:
        "[index.analysis.analyzer.a.filter[0]] index.analysis.analyzer.a.filter[0]: filter [keyword_marker] needs settings (keywords, keywords_path or keywords_pattern); define a filter of type [keyword_marker] under index.analysis.filter and reference it by name",
    },
  },
  {
    group: "validation",
    name: "bare mapping reference",
    settings: {
      analyzer: {
        a: {
          tokenizer: "standard",
          char_filter: ["mapping"],
        },
      },
    },
    analyzer: "a",
    text: "The QUICK brown fox's jumps",
    expect: {
      warnings: [],
      error:
        "[index.analysis.analyzer.a.char_filter[0]] index.analysis.analyzer.a.char_filter[0]: char_filter [mapping] needs settings (mappings or mappings_path); define a char_filter of type [mapping] under index.analysis.char_filter and reference it by name",
    },
  },
  {
    group: "validation",
    name: "bare pattern_replace reference",
    settings: {
      analyzer: {
        a: {
          tokenizer: "standard",
          char_filter: ["pattern_replace"],
        },
      },
    },
    analyzer: "a",
    text: "The QUICK brown fox's jumps",
    expect: {
      warnings: [],
      error:
        "[index.analysis.analyzer.a.char_filter[0]] index.analysis.analyzer.a.char_filter[0]: char_filter [pattern_replace] needs settings (pattern); define a char_filter of type [pattern_replace] under index.analysis.char_filter and reference it by name",
    },
  },
  {
    group: "validation",
    name: "filter reference not a string",
    settings: {
      analyzer: {
        a: {
          tokenizer: "standard",
          filter: [5],
        },
      },
    },
    analyzer: "a",
    text: "The QUICK brown fox's jumps",
    expect: {
      warnings: [],
      error:
        "[index.analysis.analyzer.a.filter[0]] index.analysis.analyzer.a.filter[0]: expected a filter name or definition but got [5]",
    },
  },
  {
    group: "validation",
    name: "tokenizer reference not a string",
    settings: {
      analyzer: {
        a: {
          tokenizer: ["standard"],
        },
      },
    },
    analyzer: "a",
    text: "The QUICK brown fox's jumps",
    expect: {
      warnings: [],
      error:
        '[index.analysis.analyzer.a.tokenizer] index.analysis.analyzer.a.tokenizer: expected a tokenizer name or definition but got [["standard"]]',
    },
  },
  {
    group: "validation",
    name: "char_filter reference not a string",
    settings: {
      analyzer: {
        a: {
          tokenizer: "standard",
          char_filter: [true],
        },
      },
    },
    analyzer: "a",
    text: "The QUICK brown fox's jumps",
    expect: {
      warnings: [],
      error:
        "[index.analysis.analyzer.a.char_filter[0]] index.analysis.analyzer.a.char_filter[0]: expected a char_filter name or definition but got [true]",
    },
  },
  {
    group: "validation",
    name: "filter list not a list",
    settings: {
      analyzer: {
        a: {
          tokenizer: "standard",
          filter: {
            x: 1,
          },
        },
      },
    },
    analyzer: "a",
    text: "The QUICK brown fox's jumps",
    expect: {
      warnings: [],
      error:
        '[index.analysis.analyzer.a.filter] index.analysis.analyzer.a.filter: expected a list but got [{"x":1}]',
    },
  },
  {
    group: "validation",
    name: "analyzer without type or tokenizer",
    settings: {
      analyzer: {
        a: {
          filter: ["lowercase"],
        },
      },
    },
    analyzer: "a",
    text: "The QUICK brown fox's jumps",
    expect: {
      warnings: [],
      error:
        "[index.analysis.analyzer.a.tokenizer] index.analysis.analyzer.a.tokenizer: analyzer [a] must specify either an analyzer type, or a tokenizer",
    },
  },
  {
    group: "validation",
    name: "custom analyzer without tokenizer",
    settings: {
      analyzer: {
        a: {
          type: "custom",
          filter: ["lowercase"],
        },
      },
    },
    analyzer: "a",
    text: "The QUICK brown fox's jumps",
    expect: {
      warnings: [],
      error:
        "[index.analysis.analyzer.a.tokenizer] index.analysis.analyzer.a.tokenizer: custom analyzer [a] must specify a tokenizer",
    },
  },
  {
    group: "validation",
    name: "unknown analyzer type",
    settings: {
      analyzer: {
        a: {
          type: "englsh",
        },
      },
    },
    analyzer: "a",
    text: "The QUICK brown fox's jumps",
    expect: {
      warnings: [],
      error:
        "[index.analysis.analyzer.a.type] index.analysis.analyzer.a.type: unknown analyzer type [englsh] (did you mean [english]?); known types: [custom, standard, simple, whitespace, keyword, stop, english, pattern, ik_max_word, ik_smart]",
    },
  },
  {
    group: "validation",
    name: "analyzer type not a string",
    settings: {
      analyzer: {
        a: {
          type: ["custom"],
        },
      },
    },
    analyzer: "a",
    text: "The QUICK brown fox's jumps",
    expect: {
      warnings: [],
      error:
        '[index.analysis.analyzer.a.type] index.analysis.analyzer.a.type: expected a string but got [["custom"]]',
    },
  },
  {
    group: "validation",
    name: "analyzer name with underscore",
    settings: {
      analyzer: {
        _a: {
          tokenizer: "standard",
        },
      },
    },
    analyzer: "a",
    text: "The QUICK brown fox's jumps",
    expect: {
      warnings: [],
      error: "[index.analysis.analyzer._a] index.analysis.analyzer._a: analyzer name must not start with '_'",
    },
  },
  {
    group: "validation",
    name: "position_increment_gap negative",
    settings: {
      analyzer: {
        a: {
          tokenizer: "standard",
          position_increment_gap: -1,
        },
      },
    },
    analyzer: "a",
    text: "The QUICK brown fox's jumps",
    expect: {
      warnings: [],
      error:
        "[index.analysis.analyzer.a.position_increment_gap] index.analysis.analyzer.a.position_increment_gap: must be >= 0 but was [-1]",
    },
  },
  {
    group: "validation",
    name: "integer expected",
    settings: {
      filter: {
        f: {
          type: "truncate",
          length: "abc",
        },
      },
      analyzer: {
        a: {
          tokenizer: "standard",
          filter: ["f"],
        },
      },
    },
    analyzer: "a",
    text: "The QUICK brown fox's jumps",
    expect: {
      warnings: [],
      error:
        "[index.analysis.filter.f.length] index.analysis.filter.f.length: expected an integer but got [abc]",
    },
  },
  {
    group: "validation",
    name: "integer as string",
    settings: {
      filter: {
        f: {
          type: "truncate",
          length: " 4 ",
        },
      },
      analyzer: {
        a: {
          tokenizer: "standard",
          filter: ["f"],
        },
      },
    },
    analyzer: "a",
    text: "The QUICK brown fox's jumps",
    expect: {
      warnings: [],
      tokens: [
        "The|0-3|0|<ALPHANUM>",
        "QUIC|4-9|1|<ALPHANUM>",
        "brow|10-15|2|<ALPHANUM>",
        "fox'|16-21|3|<ALPHANUM>",
        "jump|22-27|4|<ALPHANUM>",
      ],
      gap: 100,
    },
  },
  {
    group: "validation",
    name: "integer fraction",
    settings: {
      filter: {
        f: {
          type: "truncate",
          length: 1.5,
        },
      },
      analyzer: {
        a: {
          tokenizer: "standard",
          filter: ["f"],
        },
      },
    },
    analyzer: "a",
    text: "The QUICK brown fox's jumps",
    expect: {
      warnings: [],
      error:
        "[index.analysis.filter.f.length] index.analysis.filter.f.length: expected an integer but got [1.5]",
    },
  },
  {
    group: "validation",
    name: "integer below minimum",
    settings: {
      filter: {
        f: {
          type: "truncate",
          length: 0,
        },
      },
      analyzer: {
        a: {
          tokenizer: "standard",
          filter: ["f"],
        },
      },
    },
    analyzer: "a",
    text: "The QUICK brown fox's jumps",
    expect: {
      warnings: [],
      error: "[index.analysis.filter.f.length] index.analysis.filter.f.length: must be >= 1 but was [0]",
    },
  },
  {
    group: "validation",
    name: "integer out of range",
    settings: {
      tokenizer: {
        t: {
          type: "standard",
          max_token_length: 2000000,
        },
      },
      analyzer: {
        a: {
          tokenizer: "t",
        },
      },
    },
    analyzer: "a",
    text: "The QUICK brown fox's jumps",
    expect: {
      warnings: [],
      error:
        "[index.analysis.tokenizer.t.max_token_length] index.analysis.tokenizer.t.max_token_length: must be between 1 and 1048576 but was [2000000]",
    },
  },
  {
    group: "validation",
    name: "boolean expected",
    settings: {
      filter: {
        f: {
          type: "stop",
          ignore_case: "yes",
        },
      },
      analyzer: {
        a: {
          tokenizer: "standard",
          filter: ["f"],
        },
      },
    },
    analyzer: "a",
    text: "The QUICK brown fox's jumps",
    expect: {
      warnings: [],
      error:
        "[index.analysis.filter.f.ignore_case] index.analysis.filter.f.ignore_case: expected a boolean (true or false) but got [yes]",
    },
  },
  {
    group: "validation",
    name: "boolean as string",
    settings: {
      filter: {
        f: {
          type: "stop",
          ignore_case: "true",
          stopwords: ["A"],
        },
      },
      analyzer: {
        a: {
          tokenizer: "standard",
          filter: ["f"],
        },
      },
    },
    analyzer: "a",
    text: "The QUICK brown fox's jumps",
    expect: {
      warnings: [],
      tokens: [
        "The|0-3|0|<ALPHANUM>",
        "QUICK|4-9|1|<ALPHANUM>",
        "brown|10-15|2|<ALPHANUM>",
        "fox's|16-21|3|<ALPHANUM>",
        "jumps|22-27|4|<ALPHANUM>",
      ],
      gap: 100,
    },
  },
  {
    group: "validation",
    name: "string expected",
    settings: {
      filter: {
        f: {
          type: "stemmer",
          language: {
            x: 1,
          },
        },
      },
      analyzer: {
        a: {
          tokenizer: "standard",
          filter: ["f"],
        },
      },
    },
    analyzer: "a",
    text: "The QUICK brown fox's jumps",
    expect: {
      warnings: [],
      error:
        '[index.analysis.filter.f.language] index.analysis.filter.f.language: expected a string but got [{"x":1}]',
    },
  },
  {
    group: "validation",
    name: "string from number",
    settings: {
      filter: {
        f: {
          type: "stemmer",
          language: 5,
        },
      },
      analyzer: {
        a: {
          tokenizer: "standard",
          filter: ["f"],
        },
      },
    },
    analyzer: "a",
    text: "The QUICK brown fox's jumps",
    expect: {
      warnings: [],
      error:
        "[index.analysis.filter.f.language] index.analysis.filter.f.language: unsupported stemmer language [5]; supported: [english, porter, light_english, kstem, minimal_english, possessive_english]",
    },
  },
  {
    group: "validation",
    name: "list element not a string",
    settings: {
      filter: {
        f: {
          type: "stop",
          stopwords: [
            "a",
            {
              b: 1,
            },
          ],
        },
      },
      analyzer: {
        a: {
          tokenizer: "standard",
          filter: ["f"],
        },
      },
    },
    analyzer: "a",
    text: "The QUICK brown fox's jumps",
    expect: {
      warnings: [],
      error:
        '[index.analysis.filter.f.stopwords] index.analysis.filter.f.stopwords: expected a list of strings but element [1] is [{"b":1}]',
    },
  },
  {
    group: "validation",
    name: "list as empty object",
    settings: {
      filter: {
        f: {
          type: "stop",
          stopwords: {},
        },
      },
      analyzer: {
        a: {
          tokenizer: "standard",
          filter: ["f"],
        },
      },
    },
    analyzer: "a",
    text: "The QUICK brown fox's jumps",
    expect: {
      warnings: [],
      error:
        "[index.analysis.filter.f.stopwords] index.analysis.filter.f.stopwords: expected a list but got [{}]",
    },
  },
  {
    group: "validation",
    name: "list as object",
    settings: {
      filter: {
        f: {
          type: "stop",
          stopwords: {
            a: "b",
          },
        },
      },
      analyzer: {
        a: {
          tokenizer: "standard",
          filter: ["f"],
        },
      },
    },
    analyzer: "a",
    text: "The QUICK brown fox's jumps",
    expect: {
      warnings: [],
      error:
        '[index.analysis.filter.f.stopwords] index.analysis.filter.f.stopwords: expected a list of strings but element [0] is [{"a":"b"}]',
    },
  },
  {
    group: "validation",
    name: "list element number",
    settings: {
      filter: {
        f: {
          type: "stop",
          stopwords: ["a", 7],
        },
      },
      analyzer: {
        a: {
          tokenizer: "standard",
          filter: ["f"],
        },
      },
    },
    analyzer: "a",
    text: "The QUICK brown fox's jumps",
    expect: {
      warnings: [],
      tokens: [
        "The|0-3|0|<ALPHANUM>",
        "QUICK|4-9|1|<ALPHANUM>",
        "brown|10-15|2|<ALPHANUM>",
        "fox's|16-21|3|<ALPHANUM>",
        "jumps|22-27|4|<ALPHANUM>",
      ],
      gap: 100,
    },
  },
  {
    group: "validation",
    name: "null parameter is absent",
    settings: {
      filter: {
        f: {
          type: "truncate",
          length: null,
        },
      },
      analyzer: {
        a: {
          tokenizer: "standard",
          filter: ["f"],
        },
      },
    },
    analyzer: "a",
    text: "The QUICK brown fox's jumps",
    expect: {
      warnings: [],
      tokens: [
        "The|0-3|0|<ALPHANUM>",
        "QUICK|4-9|1|<ALPHANUM>",
        "brown|10-15|2|<ALPHANUM>",
        "fox's|16-21|3|<ALPHANUM>",
        "jumps|22-27|4|<ALPHANUM>",
      ],
      gap: 100,
    },
  },
  {
    group: "validation",
    name: "unknown parameter",
    settings: {
      filter: {
        f: {
          type: "stop",
          stopword: ["a"],
        },
      },
      analyzer: {
        a: {
          tokenizer: "standard",
          filter: ["f"],
        },
      },
    },
    analyzer: "a",
    text: "The QUICK brown fox's jumps",
    expect: {
      warnings: [
        "index.analysis.filter.f: unknown parameter [stopword] (did you mean [stopwords]?) for filter type [stop]; ignored",
      ],
      tokens: [
        "The|0-3|0|<ALPHANUM>",
        "QUICK|4-9|1|<ALPHANUM>",
        "brown|10-15|2|<ALPHANUM>",
        "fox's|16-21|3|<ALPHANUM>",
        "jumps|22-27|4|<ALPHANUM>",
      ],
      gap: 100,
    },
  },
  {
    group: "validation",
    name: "unknown parameters",
    settings: {
      filter: {
        f: {
          type: "length",
          minimum: 1,
          maximum: 2,
          zzz: 3,
        },
      },
      analyzer: {
        a: {
          tokenizer: "standard",
          filter: ["f"],
        },
      },
    },
    analyzer: "a",
    text: "The QUICK brown fox's jumps",
    expect: {
      warnings: [
        "index.analysis.filter.f: unknown parameters [minimum], [maximum], [zzz] for filter type [length]; ignored",
      ],
      tokens: [
        "The|0-3|0|<ALPHANUM>",
        "QUICK|4-9|1|<ALPHANUM>",
        "brown|10-15|2|<ALPHANUM>",
        "fox's|16-21|3|<ALPHANUM>",
        "jumps|22-27|4|<ALPHANUM>",
      ],
      gap: 100,
    },
  },
  {
    group: "validation",
    name: "ngram difference too large",
    settings: {
      tokenizer: {
        t: {
          type: "ngram",
          min_gram: 1,
          max_gram: 3,
        },
      },
      analyzer: {
        a: {
          tokenizer: "t",
        },
      },
    },
    analyzer: "a",
    text: "The QUICK brown fox's jumps",
    expect: {
      warnings: [],
      error:
        "[index.analysis.tokenizer.t.max_gram] index.analysis.tokenizer.t.max_gram: The difference between max_gram and min_gram in NGram Tokenizer must be less than or equal to: [1] but was [2]. This limit can be set by changing the [index.max_ngram_diff] index level setting.",
    },
  },
  {
    group: "validation",
    name: "ngram max below min",
    settings: {
      tokenizer: {
        t: {
          type: "ngram",
          min_gram: 3,
          max_gram: 2,
        },
      },
      analyzer: {
        a: {
          tokenizer: "t",
        },
      },
    },
    analyzer: "a",
    text: "The QUICK brown fox's jumps",
    expect: {
      warnings: [],
      error:
        "[index.analysis.tokenizer.t.max_gram] index.analysis.tokenizer.t.max_gram: max_gram [2] must not be less than min_gram [3]",
    },
  },
  {
    group: "validation",
    name: "edge_ngram difference allowed",
    settings: {
      tokenizer: {
        t: {
          type: "edge_ngram",
          min_gram: 1,
          max_gram: 10,
        },
      },
      analyzer: {
        a: {
          tokenizer: "t",
        },
      },
    },
    analyzer: "a",
    text: "The QUICK brown fox's jumps",
    expect: {
      warnings: [],
      tokens: [
        "T|0-1|0|word",
        "Th|0-2|1|word",
        "The|0-3|2|word",
        "The |0-4|3|word",
        "The Q|0-5|4|word",
        "The QU|0-6|5|word",
        "The QUI|0-7|6|word",
        "The QUIC|0-8|7|word",
        "The QUICK|0-9|8|word",
        "The QUICK |0-10|9|word",
      ],
      gap: 100,
    },
  },
  {
    group: "validation",
    name: "ngram filter difference too large",
    settings: {
      filter: {
        f: {
          type: "ngram",
          min_gram: 2,
          max_gram: 5,
        },
      },
      analyzer: {
        a: {
          tokenizer: "standard",
          filter: ["f"],
        },
      },
    },
    analyzer: "a",
    text: "The QUICK brown fox's jumps",
    expect: {
      warnings: [],
      error:
        "[index.analysis.filter.f.max_gram] index.analysis.filter.f.max_gram: The difference between max_gram and min_gram in NGram Token Filter must be less than or equal to: [1] but was [3]. This limit can be set by changing the [index.max_ngram_diff] index level setting.",
    },
  },
  {
    group: "validation",
    name: "edge_ngram filter max below min",
    settings: {
      filter: {
        f: {
          type: "edge_ngram",
          min_gram: 4,
          max_gram: 2,
        },
      },
      analyzer: {
        a: {
          tokenizer: "standard",
          filter: ["f"],
        },
      },
    },
    analyzer: "a",
    text: "The QUICK brown fox's jumps",
    expect: {
      warnings: [],
      error:
        "[index.analysis.filter.f.max_gram] index.analysis.filter.f.max_gram: max_gram [2] must not be less than min_gram [4]",
    },
  },
  {
    group: "validation",
    name: "shingle max below min",
    settings: {
      filter: {
        f: {
          type: "shingle",
          min_shingle_size: 4,
          max_shingle_size: 3,
        },
      },
      analyzer: {
        a: {
          tokenizer: "standard",
          filter: ["f"],
        },
      },
    },
    analyzer: "a",
    text: "The QUICK brown fox's jumps",
    expect: {
      warnings: [],
      error:
        "[index.analysis.filter.f.max_shingle_size] index.analysis.filter.f.max_shingle_size: max_shingle_size [3] must not be less than min_shingle_size [4]",
    },
  },
  {
    group: "validation",
    name: "shingle difference too large",
    settings: {
      filter: {
        f: {
          type: "shingle",
          max_shingle_size: 6,
        },
      },
      analyzer: {
        a: {
          tokenizer: "standard",
          filter: ["f"],
        },
      },
    },
    analyzer: "a",
    text: "The QUICK brown fox's jumps",
    expect: {
      warnings: [],
      error:
        "[index.analysis.filter.f.max_shingle_size] index.analysis.filter.f.max_shingle_size: In Shingle TokenFilter the difference between max_shingle_size and min_shingle_size (and +1 if outputting unigrams) must be less than or equal to: [3] but was [4]. This limit can be set by changing the [index.max_shingle_diff] index level setting.",
    },
  },
  {
    group: "validation",
    name: "shingle difference allowed by option",
    settings: {
      filter: {
        f: {
          type: "shingle",
          max_shingle_size: 6,
        },
      },
      analyzer: {
        a: {
          tokenizer: "standard",
          filter: ["f"],
        },
      },
    },
    analyzer: "a",
    text: "The QUICK brown fox's jumps",
    opts: {
      maxShingleDiff: 4,
    },
    expect: {
      warnings: [],
      tokens: [
        "The|0-3|0|<ALPHANUM>",
        "The QUICK|0-9|0/2|shingle",
        "The QUICK brown|0-15|0/3|shingle",
        "The QUICK brown fox's|0-21|0/4|shingle",
        "The QUICK brown fox's jumps|0-27|0/5|shingle",
        "QUICK|4-9|1|<ALPHANUM>",
        "QUICK brown|4-15|1/2|shingle",
        "QUICK brown fox's|4-21|1/3|shingle",
        "QUICK brown fox's jumps|4-27|1/4|shingle",
        "brown|10-15|2|<ALPHANUM>",
        "brown fox's|10-21|2/2|shingle",
        "brown fox's jumps|10-27|2/3|shingle",
        "fox's|16-21|3|<ALPHANUM>",
        "fox's jumps|16-27|3/2|shingle",
        "jumps|22-27|4|<ALPHANUM>",
      ],
      gap: 100,
    },
  },
  {
    group: "validation",
    name: "shingle size below two",
    settings: {
      filter: {
        f: {
          type: "shingle",
          min_shingle_size: 1,
        },
      },
      analyzer: {
        a: {
          tokenizer: "standard",
          filter: ["f"],
        },
      },
    },
    analyzer: "a",
    text: "The QUICK brown fox's jumps",
    expect: {
      warnings: [],
      error:
        "[index.analysis.filter.f.min_shingle_size] index.analysis.filter.f.min_shingle_size: must be >= 2 but was [1]",
    },
  },
  {
    group: "validation",
    name: "length max below min",
    settings: {
      filter: {
        f: {
          type: "length",
          min: 5,
          max: 2,
        },
      },
      analyzer: {
        a: {
          tokenizer: "standard",
          filter: ["f"],
        },
      },
    },
    analyzer: "a",
    text: "The QUICK brown fox's jumps",
    expect: {
      warnings: [],
      error:
        "[index.analysis.filter.f.max] index.analysis.filter.f.max: max [2] must not be less than min [5]",
    },
  },
  {
    group: "validation",
    name: "unsupported stop word set",
    settings: {
      filter: {
        f: {
          type: "stop",
          stopwords: "_french_",
        },
      },
      analyzer: {
        a: {
          tokenizer: "standard",
          filter: ["f"],
        },
      },
    },
    analyzer: "a",
    text: "The QUICK brown fox's jumps",
    expect: {
      warnings: [],
      error:
        "[index.analysis.filter.f.stopwords] index.analysis.filter.f.stopwords: unsupported stop word set [_french_]; supported: [_english_, _none_] or a list of words",
    },
  },
  {
    group: "validation",
    name: "unsupported stop word set in list",
    settings: {
      filter: {
        f: {
          type: "stop",
          stopwords: ["a", "_englsh_"],
        },
      },
      analyzer: {
        a: {
          tokenizer: "standard",
          filter: ["f"],
        },
      },
    },
    analyzer: "a",
    text: "The QUICK brown fox's jumps",
    expect: {
      warnings: [],
      error:
        "[index.analysis.filter.f.stopwords] index.analysis.filter.f.stopwords: unsupported stop word set [_englsh_] (did you mean [_english_]?); supported: [_english_, _none_] or a list of words",
    },
  },
  {
    group: "validation",
    name: "unsupported stemmer",
    settings: {
      filter: {
        f: {
          type: "stemmer",
          language: "englsh",
        },
      },
      analyzer: {
        a: {
          tokenizer: "standard",
          filter: ["f"],
        },
      },
    },
    analyzer: "a",
    text: "The QUICK brown fox's jumps",
    expect: {
      warnings: [],
      error:
        "[index.analysis.filter.f.language] index.analysis.filter.f.language: unsupported stemmer language [englsh] (did you mean [english]?); supported: [english, porter, light_english, kstem, minimal_english, possessive_english]",
    },
  },
  {
    group: "validation",
    name: "unsupported stemmer by name",
    settings: {
      filter: {
        f: {
          type: "stemmer",
          name: "german",
        },
      },
      analyzer: {
        a: {
          tokenizer: "standard",
          filter: ["f"],
        },
      },
    },
    analyzer: "a",
    text: "The QUICK brown fox's jumps",
    expect: {
      warnings: [],
      error:
        "[index.analysis.filter.f.name] index.analysis.filter.f.name: unsupported stemmer language [german]; supported: [english, porter, light_english, kstem, minimal_english, possessive_english]",
    },
  },
  {
    group: "validation",
    name: "light_english warning",
    settings: {
      filter: {
        f: {
          type: "stemmer",
          language: "light_english",
        },
      },
      analyzer: {
        a: {
          tokenizer: "standard",
          filter: ["f"],
        },
      },
    },
    analyzer: "a",
    text: "The QUICK brown fox's jumps",
    expect: {
      warnings: [
        "index.analysis.filter.f: stemmer [light_english] (KStem) is approximated here: plurals, -ed and -ing only",
      ],
      tokens: [
        "The|0-3|0|<ALPHANUM>",
        "QUICK|4-9|1|<ALPHANUM>",
        "brown|10-15|2|<ALPHANUM>",
        "fox's|16-21|3|<ALPHANUM>",
        "jump|22-27|4|<ALPHANUM>",
      ],
      gap: 100,
    },
  },
  {
    group: "validation",
    name: "kstem warning",
    settings: {
      filter: {
        f: {
          type: "kstem",
        },
      },
      analyzer: {
        a: {
          tokenizer: "standard",
          filter: ["f"],
        },
      },
    },
    analyzer: "a",
    text: "The QUICK brown fox's jumps",
    expect: {
      warnings: ["index.analysis.filter.f: kstem is approximated here: plurals, -ed and -ing only"],
      tokens: [
        "The|0-3|0|<ALPHANUM>",
        "QUICK|4-9|1|<ALPHANUM>",
        "brown|10-15|2|<ALPHANUM>",
        "fox's|16-21|3|<ALPHANUM>",
        "jump|22-27|4|<ALPHANUM>",
      ],
      gap: 100,
    },
  },
  {
    group: "validation",
    name: "unsupported lowercase language",
    settings: {
      filter: {
        f: {
          type: "lowercase",
          language: "greek",
        },
      },
      analyzer: {
        a: {
          tokenizer: "standard",
          filter: ["f"],
        },
      },
    },
    analyzer: "a",
    text: "The QUICK brown fox's jumps",
    expect: {
      warnings: [],
      error:
        "[index.analysis.filter.f.language] index.analysis.filter.f.language: unsupported lowercase language [greek]; supported: [turkish] (or none)",
    },
  },
  {
    group: "validation",
    name: "keyword_marker without keywords",
    settings: {
      filter: {
        f: {
          type: "keyword_marker",
          ignore_case: true,
          keyword: ["x"],
        },
      },
      analyzer: {
        a: {
          tokenizer: "standard",
          filter: ["f"],
        },
      },
    },
    analyzer: "a",
    text: "The QUICK brown fox's jumps",
    expect: {
      warnings: [],
      error:
        "[index.analysis.filter.f.keywords] index.analysis.filter.f.keywords: keyword_marker requires either `keywords`, `keywords_path`, or `keywords_pattern` to be configured; found unknown parameter [keyword] (did you mean [keywords]?)",
    },
  },
  {
    group: "validation",
    name: "keyword_marker pattern and keywords",
    settings: {
      filter: {
        f: {
          type: "keyword_marker",
          keywords: ["x"],
          keywords_pattern: "y",
        },
      },
      analyzer: {
        a: {
          tokenizer: "standard",
          filter: ["f"],
        },
      },
    },
    analyzer: "a",
    text: "The QUICK brown fox's jumps",
    expect: {
      warnings: [],
      error:
        "[index.analysis.filter.f.keywords_pattern] index.analysis.filter.f.keywords_pattern: cannot specify both `keywords_pattern` and `keywords` or `keywords_path`",
    },
  },
  {
    group: "validation",
    name: "unknown token_chars",
    settings: {
      tokenizer: {
        t: {
          type: "ngram",
          token_chars: ["leter"],
        },
      },
      analyzer: {
        a: {
          tokenizer: "t",
        },
      },
    },
    analyzer: "a",
    text: "The QUICK brown fox's jumps",
    expect: {
      warnings: [],
      error:
        "[index.analysis.tokenizer.t.token_chars] index.analysis.tokenizer.t.token_chars: unknown token_chars class [leter] (did you mean [letter]?); known: [letter, digit, whitespace, punctuation, symbol, custom]",
    },
  },
  {
    group: "validation",
    name: "custom token_chars missing",
    settings: {
      tokenizer: {
        t: {
          type: "ngram",
          token_chars: ["custom"],
        },
      },
      analyzer: {
        a: {
          tokenizer: "t",
        },
      },
    },
    analyzer: "a",
    text: "The QUICK brown fox's jumps",
    expect: {
      warnings: [],
      error:
        "[index.analysis.tokenizer.t.custom_token_chars] index.analysis.tokenizer.t.custom_token_chars: token_chars [custom] needs custom_token_chars",
    },
  },
  {
    group: "validation",
    name: "unknown regex flag",
    settings: {
      tokenizer: {
        t: {
          type: "pattern",
          pattern: "a",
          flags: "CASE_INSENSITIV",
        },
      },
      analyzer: {
        a: {
          tokenizer: "t",
        },
      },
    },
    analyzer: "a",
    text: "The QUICK brown fox's jumps",
    expect: {
      warnings: [],
      error:
        "[index.analysis.tokenizer.t.flags] index.analysis.tokenizer.t.flags: unknown regex flag [CASE_INSENSITIV]; known: [CANON_EQ, CASE_INSENSITIVE, COMMENTS, DOTALL, LITERAL, MULTILINE, UNICODE_CASE, UNICODE_CHARACTER_CLASS, UNIX_LINES]",
    },
  },
  {
    group: "validation",
    name: "invalid regex",
    settings: {
      tokenizer: {
        t: {
          type: "pattern",
          pattern: "(a",
        },
      },
      analyzer: {
        a: {
          tokenizer: "t",
        },
      },
    },
    analyzer: "a",
    text: "The QUICK brown fox's jumps",
    expect: {
      warnings: [],
      error:
        "[index.analysis.tokenizer.t.pattern] index.analysis.tokenizer.t.pattern: invalid pattern [(a]: Invalid regular expression: /(a/gu: Unterminated group",
    },
  },
  {
    group: "validation",
    name: "regex trailing backslash",
    settings: {
      tokenizer: {
        t: {
          type: "pattern",
          pattern: "a\\",
        },
      },
      analyzer: {
        a: {
          tokenizer: "t",
        },
      },
    },
    analyzer: "a",
    text: "The QUICK brown fox's jumps",
    expect: {
      warnings: [],
      error:
        "[index.analysis.tokenizer.t.pattern] index.analysis.tokenizer.t.pattern: invalid pattern [a\\]: trailing backslash",
    },
  },
  {
    group: "validation",
    name: "regex \\G",
    settings: {
      tokenizer: {
        t: {
          type: "pattern",
          pattern: "\\Ga",
        },
      },
      analyzer: {
        a: {
          tokenizer: "t",
        },
      },
    },
    analyzer: "a",
    text: "The QUICK brown fox's jumps",
    expect: {
      warnings: [],
      error:
        "[index.analysis.tokenizer.t.pattern] index.analysis.tokenizer.t.pattern: invalid pattern [\\Ga]: \\G is not supported",
    },
  },
  {
    group: "validation",
    name: "regex nested class",
    settings: {
      tokenizer: {
        t: {
          type: "pattern",
          pattern: "[a[b]]",
        },
      },
      analyzer: {
        a: {
          tokenizer: "t",
        },
      },
    },
    analyzer: "a",
    text: "The QUICK brown fox's jumps",
    expect: {
      warnings: [],
      error:
        "[index.analysis.tokenizer.t.pattern] index.analysis.tokenizer.t.pattern: invalid pattern [[a[b]]]: nested character classes are not supported",
    },
  },
  {
    group: "validation",
    name: "regex class intersection",
    settings: {
      tokenizer: {
        t: {
          type: "pattern",
          pattern: "[a-z&&[^b]]",
        },
      },
      analyzer: {
        a: {
          tokenizer: "t",
        },
      },
    },
    analyzer: "a",
    text: "The QUICK brown fox's jumps",
    expect: {
      warnings: [],
      error:
        "[index.analysis.tokenizer.t.pattern] index.analysis.tokenizer.t.pattern: invalid pattern [[a-z&&[^b]]]: class intersection (&&) is not supported",
    },
  },
  {
    group: "validation",
    name: "regex unicode block",
    settings: {
      tokenizer: {
        t: {
          type: "pattern",
          pattern: "\\p{InGreek}",
        },
      },
      analyzer: {
        a: {
          tokenizer: "t",
        },
      },
    },
    analyzer: "a",
    text: "The QUICK brown fox's jumps",
    expect: {
      warnings: [],
      error:
        "[index.analysis.tokenizer.t.pattern] index.analysis.tokenizer.t.pattern: invalid pattern [\\p{InGreek}]: Unicode blocks (\\p{InGreek}) are not supported; use scripts (\\p{IsLatin})",
    },
  },
  {
    group: "validation",
    name: "regex unclosed property",
    settings: {
      tokenizer: {
        t: {
          type: "pattern",
          pattern: "\\p{Alpha",
        },
      },
      analyzer: {
        a: {
          tokenizer: "t",
        },
      },
    },
    analyzer: "a",
    text: "The QUICK brown fox's jumps",
    expect: {
      warnings: [],
      error:
        "[index.analysis.tokenizer.t.pattern] index.analysis.tokenizer.t.pattern: invalid pattern [\\p{Alpha]: unclosed \\p{",
    },
  },
  {
    group: "validation",
    name: "regex negated posix in class",
    settings: {
      tokenizer: {
        t: {
          type: "pattern",
          pattern: "[\\P{Alpha}]",
        },
      },
      analyzer: {
        a: {
          tokenizer: "t",
        },
      },
    },
    analyzer: "a",
    text: "The QUICK brown fox's jumps",
    expect: {
      warnings: [],
      error:
        "[index.analysis.tokenizer.t.pattern] index.analysis.tokenizer.t.pattern: invalid pattern [[\\P{Alpha}]]: \\P{Alpha} inside [] is not supported",
    },
  },
  {
    group: "validation",
    name: "regex negated multi-prop in class",
    settings: {
      tokenizer: {
        t: {
          type: "pattern",
          pattern: "[\\P{javaLetterOrDigit}]",
        },
      },
      analyzer: {
        a: {
          tokenizer: "t",
        },
      },
    },
    analyzer: "a",
    text: "The QUICK brown fox's jumps",
    expect: {
      warnings: [],
      error:
        "[index.analysis.tokenizer.t.pattern] index.analysis.tokenizer.t.pattern: invalid pattern [[\\P{javaLetterOrDigit}]]: \\P{javaLetterOrDigit} inside [] is not supported",
    },
  },
  {
    group: "validation",
    name: "regex unknown script",
    settings: {
      tokenizer: {
        t: {
          type: "pattern",
          pattern: "\\p{IsKlingon}",
        },
      },
      analyzer: {
        a: {
          tokenizer: "t",
        },
      },
    },
    analyzer: "a",
    text: "The QUICK brown fox's jumps",
    expect: {
      warnings: [],
      tokens: ["The QUICK brown fox's jumps|0-27|0|word"],
      gap: 100,
    },
  },
  {
    group: "validation",
    name: "mapping rule without arrow",
    settings: {
      char_filter: {
        c: {
          type: "mapping",
          mappings: ["abc"],
        },
      },
      analyzer: {
        a: {
          tokenizer: "standard",
          char_filter: ["c"],
        },
      },
    },
    analyzer: "a",
    text: "The QUICK brown fox's jumps",
    expect: {
      warnings: [],
      error:
        '[index.analysis.char_filter.c.mappings] index.analysis.char_filter.c.mappings: invalid mapping rule [abc]; expected "from => to"',
    },
  },
  {
    group: "validation",
    name: "mapping rule empty source",
    settings: {
      char_filter: {
        c: {
          type: "mapping",
          mappings: [" => x"],
        },
      },
      analyzer: {
        a: {
          tokenizer: "standard",
          char_filter: ["c"],
        },
      },
    },
    analyzer: "a",
    text: "The QUICK brown fox's jumps",
    expect: {
      warnings: [],
      error:
        "[index.analysis.char_filter.c.mappings] index.analysis.char_filter.c.mappings: invalid mapping rule [ => x]: cannot map the empty string",
    },
  },
  {
    group: "validation",
    name: "mapping rule dangling backslash",
    settings: {
      char_filter: {
        c: {
          type: "mapping",
          mappings: ["a => b\\"],
        },
      },
      analyzer: {
        a: {
          tokenizer: "standard",
          char_filter: ["c"],
        },
      },
    },
    analyzer: "a",
    text: "The QUICK brown fox's jumps",
    expect: {
      warnings: [],
      error:
        "[index.analysis.char_filter.c.mappings] index.analysis.char_filter.c.mappings: invalid mapping rule [a => b\\]: dangling backslash",
    },
  },
  {
    group: "validation",
    name: "mapping rule bad unicode escape",
    settings: {
      char_filter: {
        c: {
          type: "mapping",
          mappings: ["\\u12 => b"],
        },
      },
      analyzer: {
        a: {
          tokenizer: "standard",
          char_filter: ["c"],
        },
      },
    },
    analyzer: "a",
    text: "The QUICK brown fox's jumps",
    expect: {
      warnings: [],
      error:
        "[index.analysis.char_filter.c.mappings] index.analysis.char_filter.c.mappings: invalid mapping rule [\\u12 => b]: bad \\u escape",
    },
  },
  {
    group: "validation",
    name: "mapping without mappings",
    settings: {
      char_filter: {
        c: {
          type: "mapping",
          mapping: ["a => b"],
        },
      },
      analyzer: {
        a: {
          tokenizer: "standard",
          char_filter: ["c"],
        },
      },
    },
    analyzer: "a",
    text: "The QUICK brown fox's jumps",
    expect: {
      warnings: [],
      error:
        "[index.analysis.char_filter.c.mappings] index.analysis.char_filter.c.mappings: mapping requires either `mappings` or `mappings_path` to be configured; found unknown parameter [mapping] (did you mean [mappings]?)",
    },
  },
  {
    group: "validation",
    name: "pattern_replace without pattern",
    settings: {
      char_filter: {
        c: {
          type: "pattern_replace",
          replacement: "x",
        },
      },
      analyzer: {
        a: {
          tokenizer: "standard",
          char_filter: ["c"],
        },
      },
    },
    analyzer: "a",
    text: "The QUICK brown fox's jumps",
    expect: {
      warnings: [],
      error:
        "[index.analysis.char_filter.c.pattern] index.analysis.char_filter.c.pattern: pattern_replace requires a `pattern`; found unknown parameter [replacement]",
    },
  },
  {
    group: "validation",
    name: "pattern_replace bad flag",
    settings: {
      char_filter: {
        c: {
          type: "pattern_replace",
          pattern: "a",
          flags: "GLOBAL",
        },
      },
      analyzer: {
        a: {
          tokenizer: "standard",
          char_filter: ["c"],
        },
      },
    },
    analyzer: "a",
    text: "The QUICK brown fox's jumps",
    expect: {
      warnings: [],
      error:
        "[index.analysis.char_filter.c.flags] index.analysis.char_filter.c.flags: unknown regex flag [GLOBAL]; known: [CANON_EQ, CASE_INSENSITIVE, COMMENTS, DOTALL, LITERAL, MULTILINE, UNICODE_CASE, UNICODE_CHARACTER_CLASS, UNIX_LINES]",
    },
  },
  {
    group: "validation",
    name: "path outside config dir",
    settings: {
      filter: {
        f: {
          type: "stop",
          stopwords_path: "../secret.txt",
        },
      },
      analyzer: {
        a: {
          tokenizer: "standard",
          filter: ["f"],
        },
      },
    },
    analyzer: "a",
    text: "The QUICK brown fox's jumps",
    expect: {
      warnings: [],
      error:
        "[index.analysis.filter.f.stopwords_path] index.analysis.filter.f.stopwords_path: path [../secret.txt] resolves to [<root>/secret.txt], outside the config directory [<root>/config]; use a path relative to it",
    },
  },
  {
    group: "validation",
    name: "absolute path outside config dir",
    settings: {
      filter: {
        f: {
          type: "stop",
          stopwords_path: "/etc/hostname",
        },
      },
      analyzer: {
        a: {
          tokenizer: "standard",
          filter: ["f"],
        },
      },
    },
    analyzer: "a",
    text: "The QUICK brown fox's jumps",
    expect: {
      warnings: [],
      error:
        "[index.analysis.filter.f.stopwords_path] index.analysis.filter.f.stopwords_path: path [/etc/hostname] resolves to [/etc/hostname], outside the config directory [<root>/config]; use a path relative to it",
    },
  },
  {
    group: "validation",
    name: "path through link outside config dir",
    settings: {
      filter: {
        f: {
          type: "stop",
          stopwords_path: "link.txt",
        },
      },
      analyzer: {
        a: {
          tokenizer: "standard",
          filter: ["f"],
        },
      },
    },
    analyzer: "a",
    text: "The QUICK brown fox's jumps",
    expect: {
      warnings: [],
      error:
        "[index.analysis.filter.f.stopwords_path] index.analysis.filter.f.stopwords_path: path [link.txt] resolves (through a link) outside the config directory [<root>/config]",
    },
  },
  {
    group: "validation",
    name: "missing file",
    settings: {
      filter: {
        f: {
          type: "stop",
          stopwords_path: "missing.txt",
        },
      },
      analyzer: {
        a: {
          tokenizer: "standard",
          filter: ["f"],
        },
      },
    },
    analyzer: "a",
    text: "The QUICK brown fox's jumps",
    expect: {
      warnings: [],
      error:
        "[index.analysis.filter.f.stopwords_path] index.analysis.filter.f.stopwords_path: cannot read [missing.txt] (resolved to [<root>/config/missing.txt] in the config directory): ENOENT",
    },
  },
  {
    group: "validation",
    name: "directory as file",
    settings: {
      filter: {
        f: {
          type: "stop",
          stopwords_path: ".",
        },
      },
      analyzer: {
        a: {
          tokenizer: "standard",
          filter: ["f"],
        },
      },
    },
    analyzer: "a",
    text: "The QUICK brown fox's jumps",
    expect: {
      warnings: [],
      error:
        "[index.analysis.filter.f.stopwords_path] index.analysis.filter.f.stopwords_path: cannot read [.]: EISDIR",
    },
  },
  {
    group: "validation",
    name: "missing mappings file",
    settings: {
      char_filter: {
        c: {
          type: "mapping",
          mappings_path: "nope.txt",
        },
      },
      analyzer: {
        a: {
          tokenizer: "standard",
          char_filter: ["c"],
        },
      },
    },
    analyzer: "a",
    text: "The QUICK brown fox's jumps",
    expect: {
      warnings: [],
      error:
        "[index.analysis.char_filter.c.mappings_path] index.analysis.char_filter.c.mappings_path: cannot read [nope.txt] (resolved to [<root>/config/nope.txt] in the config directory): ENOENT",
    },
  },
  {
    group: "validation",
    name: "missing synonyms file",
    settings: {
      filter: {
        f: {
          type: "synonym",
          synonyms_path: "nope.txt",
        },
      },
      analyzer: {
        a: {
          tokenizer: "standard",
          filter: ["f"],
        },
      },
    },
    analyzer: "a",
    text: "The QUICK brown fox's jumps",
    expect: {
      warnings: [],
      error:
        "[index.analysis.filter.f.synonyms_path] index.analysis.filter.f.synonyms_path: cannot read [nope.txt] (resolved to [<root>/config/nope.txt] in the config directory): ENOENT",
    },
  },
  {
    group: "validation",
    name: "ad-hoc unknown filter against a foreign registry",
    adhoc: {
      tokenizer: "standard",
      filter: ["my_filter"],
    },
    foreignRegistry: true,
    text: "x",
    expect: {
      warnings: [],
      error:
        "[filter[0]] filter[0]: unknown filter [my_filter]; custom filters: [], built-in: [lowercase, uppercase, stop, stemmer, porter_stem, kstem, english_possessive, asciifolding, length, trim, truncate, reverse, unique, ngram, edge_ngram, shingle]",
    },
  },
  {
    group: "validation",
    name: "ad-hoc foreign registry built-ins",
    adhoc: {
      tokenizer: "whitespace",
      filter: ["uppercase"],
    },
    foreignRegistry: true,
    text: "a b",
    expect: {
      warnings: [],
      tokens: ["A|0-1|0|word", "B|2-3|1|word"],
      gap: 100,
    },
  },
  {
    group: "validation",
    name: "ad-hoc foreign registry empty spec",
    adhoc: {},
    foreignRegistry: true,
    text: "A b",
    expect: {
      warnings: [],
      tokens: ["a|0-1|0|<ALPHANUM>", "b|2-3|1|<ALPHANUM>"],
      gap: 100,
    },
  },
  {
    group: "validation",
    name: "ad-hoc chain error keys",
    adhoc: {
      tokenizer: "standard",
      filter: [
        "lowercase",
        {
          type: "truncate",
          length: -1,
        },
      ],
    },
    text: "x",
    expect: {
      warnings: [],
      error: "[filter[1].length] filter[1].length: must be >= 1 but was [-1]",
    },
  },
  {
    group: "validation",
    name: "ad-hoc unknown parameter warning",
    adhoc: {
      tokenizer: {
        type: "whitespace",
        max_token_len: 3,
      },
      char_filter: [
        {
          type: "html_strip",
          escaped_tag: [],
        },
      ],
    },
    text: "abcdef",
    expect: {
      warnings: [
        "char_filter[0]: unknown parameter [escaped_tag] (did you mean [escaped_tags]?) for char_filter type [html_strip]; ignored",
        "tokenizer: unknown parameter [max_token_len] (did you mean [max_token_length]?) for tokenizer type [whitespace]; ignored",
      ],
      tokens: ["abcdef|0-6|0|word"],
      gap: 100,
    },
  },
  {
    group: "validation",
    name: "ad-hoc does not record usage",
    settings: {
      filter: {
        f: {
          type: "lowercase",
        },
      },
      analyzer: {
        a: {
          tokenizer: "standard",
        },
      },
    },
    adhoc: {
      tokenizer: "standard",
      filter: ["f"],
    },
    text: "AB",
    expect: {
      warnings: ["index.analysis.filter.f is defined but not used by any analyzer"],
      tokens: ["ab|0-2|0|<ALPHANUM>"],
      gap: 100,
    },
  },
  {
    group: "validation",
    name: "ad-hoc filter list not a list",
    adhoc: {
      tokenizer: "standard",
      filter: {
        a: "b",
      },
    },
    text: "x",
    expect: {
      warnings: [],
      error: '[filter] filter: expected a list but got [{"a":"b"}]',
    },
  },
];

after(() => rmSync(root, { recursive: true, force: true }));

// Names of Object.prototype members are not types, sets or entities. (Before the split they were looked
// up with `in` / plain indexing and crashed at analysis time or leaked function source text.)
describe("analysis registry: Object.prototype names", () => {
  const outcome = (settings: unknown, analyzer = "a", text = "a&constructor;b") =>
    run({ group: "", name: "", settings, analyzer, text });
  const withFilter = (f: unknown) => ({
    filter: { f },
    analyzer: { a: { tokenizer: "standard", filter: ["f"] } },
  });
  it("are not component types", () => {
    assert.match(
      outcome(withFilter({ type: "constructor" })).error ?? "",
      /unknown filter type \[constructor\]/,
    );
    assert.match(
      outcome({ analyzer: { a: { tokenizer: "toString" } } }).error ?? "",
      /unknown tokenizer \[toString\]/,
    );
    assert.match(
      outcome({ analyzer: { a: { tokenizer: "standard", filter: ["constructor"] } } }).error ?? "",
      /unknown filter \[constructor\]/,
    );
    assert.match(
      outcome({ analyzer: { a: { type: "constructor" } } }).error ?? "",
      /unknown analyzer type \[constructor\]/,
    );
    assert.equal(outcome({}, "toString").tokens, null);
  });
  it("are not stemmer languages or stop word sets", () => {
    assert.match(
      outcome(withFilter({ type: "stemmer", language: "constructor" })).error ?? "",
      /unsupported stemmer language \[constructor\]/,
    );
    assert.match(
      outcome(withFilter({ type: "stop", stopwords: "__proto__" })).error ?? "",
      /unsupported stop word set \[__proto__\]/,
    );
  });
  it("are not HTML entities", () => {
    const settings = { analyzer: { a: { tokenizer: "keyword", char_filter: ["html_strip"] } } };
    assert.deepEqual(outcome(settings).tokens, ["a&constructor;b|0-15|0|word"]);
  });
});

for (const group of [...new Set(CASES.map((c) => c.group))]) {
  describe(`analysis registry: ${group}`, () => {
    for (const c of CASES.filter((k) => k.group === group)) {
      it(c.name, () => assert.deepEqual(run(c), c.expect));
    }
  });
}
