/**
 * The built-in offline answerer: 20 questions about the project's own docs (docs/*.md read at test
 * time, cut into paragraphs: the answering paragraph plus distractors from other files) must be
 * answered by quoting, with every quoted sentence found in the passage it cites; out-of-scope
 * questions and empty prompts get the refusal; maxTokens, streaming, redundancy removal, and the
 * passage formats (numbered, Context/Question, unnumbered) and sentence splitting.
 */
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { ANSWERER_MODEL, ExtractiveAnswerer, NO_PASSAGES } from "../../src/serving/answerer.ts";
import type { ChatMessage, ChatRequest } from "../../src/serving/chat-types.ts";
import { parsePrompt } from "../../src/serving/passages.ts";
import { splitSentences } from "../../src/serving/sentences.ts";

const DOCS = path.join(path.dirname(fileURLToPath(import.meta.url)), "../../docs");
const REFUSAL = "not in the provided passages";

interface DocQuestion {
  question: string;
  /** The doc and heading the question was written from. */
  doc: string;
  heading: string;
  /** A phrase of the paragraph that answers it, to find that paragraph. */
  key: string;
  /** A phrase the answer should quote. */
  expect: string;
}

const QUESTIONS: DocQuestion[] = [
  {
    question: "Which URL do client commands use when neither --url nor LODESTONE_URL is set?",
    doc: "cli.md",
    heading: "The `lodestone` command",
    key: "Commands other than `serve`",
    expect: "http://127.0.0.1:8080",
  },
  {
    question: "What exit code does a command return when it was used wrongly?",
    doc: "cli.md",
    heading: "The `lodestone` command",
    key: "Exit codes:",
    expect: "used wrongly",
  },
  {
    question: "In what order are the configuration sources read?",
    doc: "configuration.md",
    heading: "Configuration",
    key: "One typed configuration",
    expect: "later sources winning",
  },
  {
    question: "What happens to unknown keys in a config file?",
    doc: "configuration.md",
    heading: "Configuration",
    key: "A bad value stops the command",
    expect: "Unknown keys in a file are refused",
  },
  {
    question: "What does the data directory hold?",
    doc: "configuration.md",
    heading: "Configuration",
    key: "The data directory holds",
    expect: "lodestone.db",
  },
  {
    question: "Which metrics does lodestone eval print for each method?",
    doc: "eval.md",
    heading: "Evaluation",
    key: "measures retrieval quality on a dataset",
    expect: "nDCG@10, MRR@10, Recall@100 and MAP",
  },
  {
    question: "How is the hybrid weight w tuned?",
    doc: "eval.md",
    heading: "Methods",
    key: "The hybrid weight `w` is tuned",
    expect: "tuned for nDCG@10",
  },
  {
    question: "How are ties between documents with equal scores broken in a run?",
    doc: "eval.md",
    heading: "Options and output",
    key: "The metrics follow trec_eval's conventions",
    expect: "ties by document id",
  },
  {
    question: "What happens to a running job if the server dies?",
    doc: "jobs.md",
    heading: "States",
    key: "If the server dies while a job runs",
    expect: "ServerRestarted",
  },
  {
    question: "When are a job's outputs copied to the oss:// output?",
    doc: "jobs.md",
    heading: "States",
    key: "Outputs are copied to the `oss://` output",
    expect: "only when the script succeeds",
  },
  {
    question: "How does a script report progress and metrics?",
    doc: "jobs.md",
    heading: "What a script sees",
    key: "A script reports progress and",
    expect: "##lodestone",
  },
  {
    question: "Does the API show the values of environment variables?",
    doc: "jobs.md",
    heading: "HTTP API",
    key: "Environment variable values (`Envs`)",
    expect: "the API masks them",
  },
  {
    question: "Which loss is the reranker trained with?",
    doc: "models.md",
    heading: "Custom models: training embedders and rerankers",
    key: "K-NRM-style interaction model",
    expect: "listwise softmax loss",
  },
  {
    question: "How are the backward passes of the layers checked?",
    doc: "models.md",
    heading: "Custom models: training embedders and rerankers",
    key: "hand-written backward pass",
    expect: "numerical gradients",
  },
  {
    question: "Which file of the model folder holds the weights?",
    doc: "models.md",
    heading: "Artifacts",
    key: "`model.safetensors`",
    expect: "model.safetensors",
  },
  {
    question: "Which characters may a bucket name contain?",
    doc: "object-storage.md",
    heading: "Names",
    key: "**Buckets**",
    expect: "lowercase letters, digits and hyphens",
  },
  {
    question: "How are object writes made atomic?",
    doc: "object-storage.md",
    heading: "Names",
    key: "Writes are atomic",
    expect: "temporary file",
  },
  {
    question: "On which port does the embedded search engine listen by default?",
    doc: "search.md",
    heading: "Search engine (Elasticsearch/OpenSearch-compatible API)",
    key: "runs an embedded search engine on its own port",
    expect: "9200",
  },
  {
    question: "How do I tune the BM25 k1 and b parameters of an index?",
    doc: "search.md",
    heading: "Settings: BM25 and synonyms",
    key: "To tune BM25, close the index",
    expect: "close the index",
  },
  {
    question: "Which analyzers handle Chinese text?",
    doc: "search.md",
    heading: "Analysis",
    key: "Analyzers: `standard`",
    expect: "ik_smart",
  },
];

const OUT_OF_SCOPE = [
  "What is the capital of Mongolia?",
  "Who won the 1998 World Cup?",
  "How many moons does Jupiter have?",
  "Who wrote Pride and Prejudice?",
  "What is the boiling point of water in Fahrenheit?",
  // Sharing words with the passages ("default", "port", "index") is not enough.
  "What is the default port of PostgreSQL?",
  "How do I create an index in MongoDB?",
];

const norm = (s: string) => s.replace(/\s+/g, " ").trim();

interface Paragraph {
  doc: string;
  text: string;
}

/** The docs the questions come from, cut at blank lines; read now, so the test follows the docs. */
function docParagraphs(): Paragraph[] {
  const out: Paragraph[] = [];
  for (const doc of [...new Set(QUESTIONS.map((q) => q.doc))]) {
    const text = fs.readFileSync(path.join(DOCS, doc), "utf8");
    for (const p of text.split(/\n[ \t]*\n/)) {
      if (p.trim() !== "") out.push({ doc, text: p.trim() });
    }
  }
  return out;
}

/** The answering paragraph at a varying place among three distractors from other docs. */
function passagesFor(q: DocQuestion, index: number, all: Paragraph[]): { texts: string[]; answerAt: number } {
  const answer = all.find((p) => p.doc === q.doc && norm(p.text).includes(norm(q.key)));
  assert.ok(answer, `docs/${q.doc} (${q.heading}) no longer has a paragraph with ${JSON.stringify(q.key)}`);
  const others = all.filter((p) => p.doc !== q.doc && p.text.split(/\s+/).length >= 12);
  const distractors = [0, 1, 2].map((k) => (others[(index * 7 + k * 13) % others.length] as Paragraph).text);
  const answerAt = index % 4;
  const texts = [...distractors];
  texts.splice(answerAt, 0, answer.text);
  return { texts, answerAt };
}

/** Three layouts RAG apps use, taken in turn. */
function prompt(texts: string[], question: string, layout: number): ChatMessage[] {
  const numbered = texts.map((t, i) => `[${i + 1}] ${t}`);
  switch (layout % 3) {
    case 0:
      return [
        { role: "system", content: `Answer from these passages and cite them.\n\n${numbered.join("\n\n")}` },
        { role: "user", content: question },
      ];
    case 1:
      return [{ role: "user", content: `${numbered.join("\n")}\n\nQuestion: ${question}` }];
    default:
      return [
        { role: "system", content: "You answer questions about Lodestone." },
        { role: "user", content: `Context:\n${numbered.join("\n\n")}\n\nQuestion: ${question}\nAnswer:` },
      ];
  }
}

/** The answer's sentences with the passage each cites; fails unless the whole answer is such pairs. */
function citedSentences(content: string): { text: string; cite: number }[] {
  const out: { text: string; cite: number }[] = [];
  const re = /(.+?) \[(\d+)\](?: |$)/gy;
  let consumed = 0;
  for (const m of content.matchAll(re)) {
    out.push({ text: m[1] ?? "", cite: Number(m[2]) });
    consumed = (m.index ?? 0) + m[0].length;
  }
  assert.equal(consumed, content.length, `answer is not all "sentence [n]" pairs: ${content}`);
  return out;
}

const answerer = new ExtractiveAnswerer();
const ask = (messages: ChatMessage[], extra: Partial<ChatRequest> = {}) =>
  answerer.complete({ messages, ...extra });

describe("questions from the docs", () => {
  const paragraphs = docParagraphs();

  test("20 questions, one per doc section", () => {
    assert.equal(QUESTIONS.length, 20);
  });

  QUESTIONS.forEach((q, index) => {
    test(`${q.doc} / ${q.heading}: ${q.question}`, async () => {
      const { texts } = passagesFor(q, index, paragraphs);
      const messages = prompt(texts, q.question, index);
      // The doc paragraphs (tables, code, lists) come through the parser intact.
      assert.deepEqual(parsePrompt(messages), {
        passages: texts.map((text, i) => ({ id: i + 1, text })),
        question: q.question,
      });
      const result = await ask(messages);
      assert.ok(!result.content.includes(REFUSAL), `refused: ${result.content}`);
      assert.equal(result.finishReason, "stop");
      const sentences = citedSentences(result.content);
      assert.ok(sentences.length >= 1);
      for (const s of sentences) {
        const passage = texts[s.cite - 1];
        assert.ok(passage !== undefined, `cites [${s.cite}], which does not exist`);
        assert.ok(norm(passage).includes(norm(s.text)), `"${s.text}" is not in passage [${s.cite}]`);
      }
      assert.ok(
        result.content.includes(q.expect),
        `expected ${JSON.stringify(q.expect)} in: ${result.content}`,
      );
    });
  });

  test("the answering passage is cited for at least 18 of the 20 questions", async () => {
    let cited = 0;
    for (const [index, q] of QUESTIONS.entries()) {
      const { texts, answerAt } = passagesFor(q, index, paragraphs);
      const result = await ask(prompt(texts, q.question, index));
      if (citedSentences(result.content).some((s) => s.cite === answerAt + 1)) cited++;
    }
    assert.ok(cited >= 18, `cited the answering passage for ${cited} questions`);
  });

  test("out-of-scope questions get the refusal with the same passages", async () => {
    for (const [index, q] of QUESTIONS.entries()) {
      const { texts } = passagesFor(q, index, paragraphs);
      for (const question of OUT_OF_SCOPE) {
        const result = await ask(prompt(texts, question, index));
        assert.match(
          result.content,
          /^The answer is not in the provided passages\./,
          `${question}: ${result.content}`,
        );
        assert.equal(result.finishReason, "stop");
      }
    }
  });
});

describe("refusals", () => {
  test("no passages at all", async () => {
    const result = await ask([
      { role: "system", content: "You are a helpful assistant." },
      { role: "assistant", content: "[1] Passages in assistant messages are not read." },
      { role: "user", content: "What are passages in assistant messages?" },
    ]);
    assert.equal(result.content, NO_PASSAGES);
    assert.ok(result.content.includes(REFUSAL));
  });

  test("a question naming something no passage mentions", async () => {
    const passages = "[1] The search engine listens on port 9200 by default.\n\n";
    const known = await ask([
      { role: "user", content: `${passages}Which port does the search engine use by default?` },
    ]);
    assert.equal(known.content, "The search engine listens on port 9200 by default. [1]");
    for (const question of [
      "Which port does Redis use by default?",
      "Does the search engine listen on port 9300?",
    ]) {
      const result = await ask([{ role: "user", content: passages + question }]);
      assert.ok(result.content.startsWith("The answer is not in the provided passages."), result.content);
    }
  });

  test("a question of stop words only", async () => {
    const result = await ask([
      { role: "user", content: "[1] Lodestone is a search platform.\n\nWhat is it?" },
    ]);
    assert.ok(result.content.includes(REFUSAL), result.content);
  });

  test("one shared word is not enough, and the closest passage is named", async () => {
    const result = await ask([
      {
        role: "user",
        content:
          "[1] The capital letters of a bucket name are refused.\n[2] Keys are UTF-8.\n\nWhat is the capital of Mongolia?",
      },
    ]);
    assert.equal(result.content, "The answer is not in the provided passages. The closest passage was [1].");
  });
});

const LONG: ChatMessage[] = [
  {
    role: "user",
    content: [
      "[1] The search engine listens on port 9200 by default. The platform API listens on port 8080 by default.",
      "[2] Both ports can be changed with flags: --search-port sets the search engine port.",
      "",
      "Question: Which port does the search engine listen on by default, and how is the port changed?",
    ].join("\n"),
  },
];

describe("limits, streaming, usage", () => {
  test("maxTokens cuts whole sentences and reports length", async () => {
    const full = await ask(LONG);
    assert.equal(full.finishReason, "stop");
    const sentences = citedSentences(full.content);
    assert.ok(sentences.length >= 2, full.content);
    const cut = await ask(LONG, { maxTokens: full.usage.completion_tokens - 1 });
    assert.equal(cut.finishReason, "length");
    assert.ok(cut.usage.completion_tokens <= full.usage.completion_tokens - 1);
    assert.ok(citedSentences(cut.content).length >= 1);
  });

  test("maxTokens below one sentence stops mid-sentence, within the limit", async () => {
    const result = await ask(LONG, { maxTokens: 4 });
    assert.equal(result.finishReason, "length");
    assert.equal(result.usage.completion_tokens, 4);
    const [s] = citedSentences(result.content);
    assert.ok(s && LONG[0]?.content.includes(s.text), result.content);
  });

  test("usage counts whitespace-separated words", async () => {
    const result = await ask(LONG);
    const prompt = LONG[0]?.content.trim().split(/\s+/).length ?? 0;
    assert.deepEqual(result.usage, {
      prompt_tokens: prompt,
      completion_tokens: result.content.split(" ").length,
      total_tokens: prompt + result.content.split(" ").length,
    });
  });

  test("stream chunks concatenate to complete()'s content; the last carries finishReason and usage", async () => {
    for (const extra of [{}, { maxTokens: 12 }, { temperature: 1.5 }]) {
      const full = await ask(LONG, extra);
      const chunks = [];
      for await (const chunk of answerer.stream({ messages: LONG, ...extra })) chunks.push(chunk);
      const last = chunks.at(-1);
      assert.equal(chunks.map((c) => c.delta).join(""), full.content);
      assert.ok(chunks.length > 2);
      assert.deepEqual(
        { finishReason: last?.finishReason, usage: last?.usage },
        { finishReason: full.finishReason, usage: full.usage },
      );
      assert.equal(last?.delta, "");
      assert.ok(chunks.slice(0, -1).every((c) => c.finishReason === undefined && /^\S+\s*$/.test(c.delta)));
    }
  });

  test("deterministic, temperature ignored", async () => {
    const a = await ask(LONG, { temperature: 0 });
    const b = await ask(LONG, { temperature: 2 });
    assert.deepEqual(a, b);
  });

  test("an aborted request rejects", async () => {
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(ask(LONG, { signal: controller.signal }), { name: "AbortError" });
  });

  test("name", () => {
    assert.equal(answerer.name, ANSWERER_MODEL);
    assert.equal(ANSWERER_MODEL, "lodestone-answerer");
  });
});

describe("redundancy", () => {
  test("near-duplicate passages do not yield the same sentence twice", async () => {
    const result = await ask([
      {
        role: "system",
        content: [
          "[1] Writes are atomic: the data goes to a temporary file that is flushed and then renamed.",
          "[2] Writes are atomic: the data goes to a temporary file that is flushed to disk and then renamed.",
          "[3] Writes are atomic: the data goes to a temporary file that is flushed and then renamed.",
        ].join("\n"),
      },
      { role: "user", content: "Why are writes atomic?" },
    ]);
    const sentences = citedSentences(result.content);
    assert.equal(sentences.length, 1, result.content);
    assert.equal(sentences[0]?.cite, 1);
  });

  test("different relevant sentences are all kept, in passage order", async () => {
    const result = await ask(LONG);
    const cites = citedSentences(result.content).map((s) => s.cite);
    assert.deepEqual(
      cites,
      [...cites].sort((a, b) => a - b),
    );
    assert.ok(cites.includes(1) && cites.includes(2), result.content);
  });
});

describe("passage formats", () => {
  test("numbered passages in the system message, question in the user message", () => {
    const parsed = parsePrompt([
      { role: "system", content: "Use the passages.\n[1] First passage\ncontinues here.\n[2] Second." },
      { role: "user", content: "What is first?" },
    ]);
    assert.deepEqual(parsed, {
      passages: [
        { id: 1, text: "First passage\ncontinues here." },
        { id: 2, text: "Second." },
      ],
      question: "What is first?",
    });
  });

  test("numbered passages then the question after a blank line, in one user message", () => {
    const parsed = parsePrompt([
      {
        role: "user",
        content: "[3] Third.\n\nA second paragraph of three.\n\n[7]: Seventh.\n\nWhat is seventh?",
      },
    ]);
    assert.deepEqual(parsed, {
      passages: [
        { id: 3, text: "Third.\n\nA second paragraph of three." },
        { id: 7, text: "Seventh." },
      ],
      question: "What is seventh?",
    });
  });

  test("Context:/Question: with numbered passages; the introduction and Answer: are dropped", () => {
    const parsed = parsePrompt([
      {
        role: "user",
        content: "Context:\nHere are the sources.\n[1] One.\n[2] Two.\nQuestion: Which is two?\nAnswer:",
      },
    ]);
    assert.deepEqual(parsed, {
      passages: [
        { id: 1, text: "One." },
        { id: 2, text: "Two." },
      ],
      question: "Which is two?",
    });
  });

  test("Context:/Question: with unnumbered paragraphs, numbered in order", () => {
    const parsed = parsePrompt([
      {
        role: "user",
        content: "Context: Alpha is first.\nStill alpha.\n\nBeta is second.\n\nQuestion: What is beta?",
      },
    ]);
    assert.deepEqual(parsed, {
      passages: [
        { id: 1, text: "Alpha is first.\nStill alpha." },
        { id: 2, text: "Beta is second." },
      ],
      question: "What is beta?",
    });
  });

  test("an unlabelled question ending a context block; Markdown headings as labels", () => {
    const parsed = parsePrompt([
      { role: "user", content: "## Sources\n\nAlpha.\n\nBeta.\n\nWhich is beta?" },
    ]);
    assert.deepEqual(parsed, {
      passages: [
        { id: 1, text: "Alpha." },
        { id: 2, text: "Beta." },
      ],
      question: "Which is beta?",
    });
  });

  test("question first, passages after; tool messages; unnumbered continue after the highest number", () => {
    const parsed = parsePrompt([
      { role: "system", content: "Use the following documents:\nFrom a search." },
      { role: "tool", content: "[4] From a tool." },
      { role: "user", content: "Question: Where from?\n\nPassages:\n[2] From the user." },
    ]);
    assert.deepEqual(parsed, {
      passages: [
        { id: 5, text: "From a search." },
        { id: 4, text: "From a tool." },
        { id: 2, text: "From the user." },
      ],
      question: "Where from?",
    });
  });

  test("Source n: markers, and a trailing Helpful Answer: label", () => {
    const parsed = parsePrompt([
      {
        role: "user",
        content:
          "Source 1:\nThe sky is red.\nSource 2:\nGrass is green.\n\nQuery: What colour is grass?\nHelpful Answer:",
      },
    ]);
    assert.deepEqual(parsed, {
      passages: [
        { id: 1, text: "The sky is red." },
        { id: 2, text: "Grass is green." },
      ],
      question: "What colour is grass?",
    });
  });

  test("only the last Question: label counts; earlier Q: lines are passage text", () => {
    const parsed = parsePrompt([
      {
        role: "user",
        content: "[1] FAQ\nQ: How do I start?\nA: Run serve.\n\nQuestion: How do I start the server?",
      },
    ]);
    assert.deepEqual(parsed.passages, [{ id: 1, text: "FAQ\nQ: How do I start?\nA: Run serve." }]);
    assert.equal(parsed.question, "How do I start the server?");
  });

  test("the answer cites each layout's numbers", async () => {
    const layouts: ChatMessage[][] = [
      [{ role: "user", content: "[1] Cats sleep a lot.\n[2] Dogs bark at night.\n\nWhen do dogs bark?" }],
      [
        {
          role: "user",
          content: "Context:\n[1] Cats sleep a lot.\n[2] Dogs bark at night.\n\nQuestion: When do dogs bark?",
        },
      ],
      [
        {
          role: "user",
          content: "Context:\nCats sleep a lot.\n\nDogs bark at night.\n\nQuestion: When do dogs bark?",
        },
      ],
    ];
    for (const messages of layouts) {
      assert.equal((await ask(messages)).content, "Dogs bark at night. [2]");
    }
  });
});

describe("sentence splitting", () => {
  const texts = (s: string) => splitSentences(s).map((x) => x.text);

  test("abbreviations, decimals, initials, code spans", () => {
    assert.deepEqual(
      texts(
        "Scripts, e.g. `corpus-stats`, run. Pi is 3.14 here, i.e. Roughly. J. Smith wrote `a. B` too! Done?",
      ),
      [
        "Scripts, e.g. `corpus-stats`, run.",
        "Pi is 3.14 here, i.e. Roughly.",
        "J. Smith wrote `a. B` too!",
        "Done?",
      ],
    );
  });

  test("Markdown: list items, headings, tables and code lines are units; wrapped lines are joined", () => {
    const units = splitSentences(
      "## Names\n\nSome prose that\nwraps. Second one.\n\n- First item. Its second sentence.\n- Second item\n  continues.\n\n| a | b |\n| --- | --- |\n| 1 | 2 |\n\n```sh\nlodestone serve\n```",
    );
    assert.deepEqual(
      units.map((u) => [u.kind, u.text]),
      [
        ["heading", "Names"],
        ["prose", "Some prose that wraps."],
        ["prose", "Second one."],
        ["list", "First item."],
        ["list", "Its second sentence."],
        ["list", "Second item continues."],
        ["table", "| a | b |"],
        ["table", "| 1 | 2 |"],
        ["code", "lodestone serve"],
      ],
    );
  });

  test("Chinese full stops", () => {
    assert.deepEqual(texts("人工智能正在改变搜索引擎。搜索很快！"), [
      "人工智能正在改变搜索引擎。",
      "搜索很快！",
    ]);
  });
});
