import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { PDFDocument, StandardFonts } from "pdf-lib";
import { formatOf, loadDocument } from "../../src/rag/ingest/loaders/index.ts";
import type { ExtractedDocument } from "../../src/rag/ingest/types.ts";

const utf8 = (s: string) => new TextEncoder().encode(s);
const blockTexts = (doc: ExtractedDocument) => doc.blocks.map((b) => doc.text.slice(b.start, b.end));

/** A two-page PDF with real text (pdf-lib, standard Helvetica). */
async function twoPagePdf(title?: string): Promise<Uint8Array> {
  const pdf = await PDFDocument.create();
  if (title) pdf.setTitle(title);
  const font = await pdf.embedFont(StandardFonts.Helvetica);
  const pages = [
    ["Boundary layers form on a flat plate.", "They grow thicker downstream."],
    ["Heat transfer depends on the Prandtl", "number of the fluid."],
  ];
  for (const lines of pages) {
    const page = pdf.addPage();
    lines.forEach((line, i) => {
      page.drawText(line, { x: 50, y: 700 - 14 * i, font, size: 12 });
    });
    page.drawText("Footnote far below the text.", { x: 50, y: 100, font, size: 12 });
  }
  return pdf.save();
}

describe("loaders", () => {
  test("formats by extension; unknown ones have no loader", () => {
    assert.equal(formatOf("a/B.MD"), "markdown");
    assert.equal(formatOf("x.htm"), "html");
    assert.equal(formatOf("x.jsonl"), "json");
    assert.equal(formatOf("x.pdf"), "pdf");
    assert.equal(formatOf("notes.txt"), "text");
    assert.equal(formatOf("script.py"), undefined);
    assert.equal(formatOf("Makefile"), undefined);
  });

  test("markdown: headings → section paths, inline markup → text, code and tables kept, html as its text", async () => {
    const md = [
      "---",
      "title: From Front Matter",
      "---",
      "# Ignored H1",
      "",
      "Intro with **bold**, a [link](http://example.com) and `code`.",
      "",
      "## Setup",
      "",
      "- first item",
      "- second item",
      "",
      "```bash",
      "npm install",
      "```",
      "",
      "<div>raw <b>html</b><script>hidden()</script></div>",
      "",
      "### Table",
      "",
      "| a | b |",
      "|---|---|",
      "| 1 | 2 |",
      "",
      "> quoted text",
    ].join("\n");
    const doc = await loadDocument(utf8(md), "markdown", { name: "guide.md" });
    assert.equal(doc.title, "From Front Matter");
    assert.deepEqual(blockTexts(doc), [
      "Intro with bold, a link and code.",
      "first item",
      "second item",
      "npm install",
      "raw html",
      "a | b\n1 | 2",
      "quoted text",
    ]);
    assert.deepEqual(
      doc.blocks.map((b) => [b.kind, b.headings.join("/")]),
      [
        ["prose", "Ignored H1"],
        ["prose", "Ignored H1/Setup"],
        ["prose", "Ignored H1/Setup"],
        ["code", "Ignored H1/Setup"],
        ["prose", "Ignored H1/Setup"],
        ["code", "Ignored H1/Setup/Table"],
        ["prose", "Ignored H1/Setup/Table"],
      ],
    );
    // without front matter the first h1 is the title and stays out of the paths
    const plain = await loadDocument(utf8("# Title\n\n## A\n\ntext"), "markdown", { name: "x.md" });
    assert.equal(plain.title, "Title");
    assert.deepEqual(plain.blocks[0]?.headings, ["A"]);
  });

  test("text: paragraphs at blank lines, wrapped lines joined; title from the file name", async () => {
    const doc = await loadDocument(utf8("first line\nwrapped here\n\n\nsecond   para\n"), "text", {
      name: "release-notes_2024.txt",
    });
    assert.equal(doc.title, "release notes 2024");
    assert.deepEqual(blockTexts(doc), ["first line wrapped here", "second para"]);
  });

  test("html: <title>, h1–h6 sections, script/style/nav dropped, entities decoded, <pre> kept", async () => {
    const html = `<!doctype html><html><head><title>The &amp; Guide</title><style>p{color:red}</style></head>
<body><nav><a href="/">Home</a> <a href="/x">Menu</a></nav>
<h1>Guide</h1><p>Welcome to   the
guide.</p><script>var secret = 1;</script>
<h2>Install</h2><p>Run it.</p><ul><li>one</li><li>two</li></ul>
<h3>Details</h3><pre>line 1
  line 2</pre><div>Last <b>words</b></div>
<h2>Other<br>Part</h2><p>Elsewhere<br>on two lines.</p></body></html>`;
    const doc = await loadDocument(utf8(html), "html", { name: "guide.html" });
    assert.equal(doc.title, "The & Guide");
    assert.deepEqual(blockTexts(doc), [
      "Welcome to the guide.",
      "Run it.",
      "one",
      "two",
      "line 1\n  line 2",
      "Last words",
      "Elsewhere on two lines.",
    ]);
    assert.deepEqual(
      doc.blocks.map((b) => b.headings.join("/")),
      [
        "Guide",
        "Guide/Install",
        "Guide/Install",
        "Guide/Install",
        "Guide/Install/Details",
        "Guide/Install/Details",
        "Guide/Other Part",
      ],
    );
    assert.equal(doc.blocks[4]?.kind, "code");
    assert.doesNotMatch(doc.text, /secret|Menu|color/);
    // no <title>: the first h1 is the title and not a section
    const bare = await loadDocument(utf8("<h1>Only H1</h1><p>Body.</p>"), "html", { name: "b.html" });
    assert.equal(bare.title, "Only H1");
    assert.deepEqual(bare.blocks[0]?.headings, []);
  });

  test("pdf: text per page with page numbers, paragraphs by line gaps, title from the PDF info", async () => {
    const doc = await loadDocument(await twoPagePdf("Fluid Notes"), "pdf", { name: "notes.pdf" });
    assert.equal(doc.title, "Fluid Notes");
    assert.deepEqual(
      doc.blocks.map((b) => [b.page, doc.text.slice(b.start, b.end)]),
      [
        [1, "Boundary layers form on a flat plate. They grow thicker downstream."],
        [1, "Footnote far below the text."],
        [2, "Heat transfer depends on the Prandtl number of the fluid."],
        [2, "Footnote far below the text."],
      ],
    );
    const untitled = await loadDocument(await twoPagePdf(), "pdf", { name: "lecture-03.pdf" });
    assert.equal(untitled.title, "lecture 03");
  });

  test("reading a PDF leaves the native JSON.parse and JSON.stringify (pdfjs's polyfills replace them)", async () => {
    await loadDocument(await twoPagePdf(), "pdf", { name: "a.pdf" });
    // core-js makes its functions print as native code: the stack through them tells them apart
    const stackOf = (f: () => unknown) => {
      try {
        f();
      } catch (err) {
        return (err as Error).stack ?? "";
      }
      return "";
    };
    const fail = () => {
      throw new Error("called back");
    };
    assert.doesNotMatch(
      stackOf(() => JSON.stringify({ toJSON: fail })),
      /pdf\.mjs/,
    );
    assert.doesNotMatch(
      stackOf(() => JSON.parse("[1]", fail)),
      /pdf\.mjs/,
    );
  });

  test("json: an array of objects, default and named fields, records never share a block", async () => {
    const rows = [
      { id: "q1", title: "First", text: "Alpha text.\n\nSecond paragraph." },
      { name: "Second", content: "Beta text." },
      { title: "No text here" },
    ];
    const doc = await loadDocument(utf8(JSON.stringify(rows)), "json", { name: "faq.json" });
    assert.deepEqual(
      doc.blocks.map((b) => [b.record, b.title, doc.text.slice(b.start, b.end)]),
      [
        ["q1", "First", "Alpha text."],
        ["q1", "First", "Second paragraph."],
        ["2", "Second", "Beta text."],
      ],
    );
    const single = await loadDocument(utf8(JSON.stringify({ body: "Just one." })), "json", {
      name: "one.json",
    });
    assert.deepEqual(blockTexts(single), ["Just one."]);
    const named = await loadDocument(utf8(JSON.stringify([{ q: "Why?", a: "Because.", key: 7 }])), "json", {
      name: "qa.json",
      textField: "a",
      titleField: "q",
      idField: "key",
    });
    assert.deepEqual(
      named.blocks.map((b) => [b.record, b.title]),
      [["7", "Why?"]],
    );
  });

  test("jsonl: one object per line; bad lines and text-less files are errors naming the line or field", async () => {
    const doc = await loadDocument(utf8('{"text":"one"}\n\n{"text":"two","title":"T"}\n'), "json", {
      name: "c.jsonl",
    });
    assert.deepEqual(blockTexts(doc), ["one", "two"]);
    assert.deepEqual(
      doc.blocks.map((b) => b.record),
      ["1", "2"],
    );
    await assert.rejects(
      loadDocument(utf8('{"text":"ok"}\nnot json\n'), "json", { name: "bad.jsonl" }),
      /bad\.jsonl line 2: not JSON/,
    );
    await assert.rejects(
      loadDocument(utf8("[1,2]"), "json", { name: "nums.json" }),
      /expected a JSON object or an array of objects/,
    );
    await assert.rejects(
      loadDocument(utf8('{"answer":"x"}\n'), "json", { name: "a.jsonl" }),
      /no record has text in "text", "content", "body"; name the text field with --text-field/,
    );
  });
});
