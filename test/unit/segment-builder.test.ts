/**
 * The segment builder's document path: tokens grouped per term in typed scratch arrays, and a
 * rollback (a write batch whose commit failed) that leaves the builder as if the batch never came.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type AnalyzedDoc, SegmentBuilder } from "../../src/search/index/segment-builder.ts";

function textDoc(id: string, seqNo: number, words: string, extra: Partial<AnalyzedDoc> = {}): AnalyzedDoc {
  const terms = words.split(" ");
  return {
    id,
    seqNo,
    version: 1,
    inverted: [
      { field: "body", terms, positions: terms.map((_, i) => i * 2), length: terms.length, norms: true },
    ],
    ordinals: [],
    numerics: [],
    vectors: [],
    ...extra,
  };
}

type Space = { size: number; epoch: number };

/** A text document whose tokens carry memo keys of `space` (from `epoch`, default the current one). */
function keyedDoc(
  space: Space,
  id: string,
  seqNo: number,
  words: string,
  keys: number[],
  epoch = space.epoch,
) {
  const doc = textDoc(id, seqNo, words);
  const f = doc.inverted[0];
  if (f) f.keys = { space, epoch, of: keys };
  return doc;
}

/** The builder holds exactly these text documents, as if they had been added in one go without keys. */
function assertHolds(builder: SegmentBuilder, docs: (readonly [string, number, string])[]) {
  const fresh = new SegmentBuilder();
  for (const [id, seqNo, words] of docs) fresh.add(textDoc(id, seqNo, words));
  assert.deepEqual(dump(builder), dump(fresh));
}

/** A segment's content as plain data, for comparing two builds. */
function dump(builder: SegmentBuilder) {
  const seg = builder.build();
  const inverted = [...seg.inverted].map(([field, inv]) => ({
    field,
    terms: inv.terms,
    postStart: [...inv.postStart],
    postDocs: [...inv.postDocs],
    postFreqs: [...inv.postFreqs],
    posStart: inv.posStart && [...inv.posStart],
    positions: inv.positions && [...inv.positions],
    norms: inv.norms && [...inv.norms],
    lengths: [...inv.lengths],
  }));
  const docValues = [...seg.docValues].map(([field, dv]) => ({ field, kind: dv.kind, start: [...dv.start] }));
  return { ids: seg.ids, seqNos: [...seg.seqNos], live: [...seg.live], inverted, docValues };
}

describe("SegmentBuilder", () => {
  it("groups a document's tokens per term with their positions in order", () => {
    const b = new SegmentBuilder();
    b.add(textDoc("a", 0, "x y x z x"));
    b.add(textDoc("b", 1, "y y"));
    const inv = b.build().inverted.get("body");
    assert.ok(inv);
    assert.deepEqual(inv.terms, ["x", "y", "z"]);
    assert.deepEqual([...inv.postDocs], [0, 0, 1, 0]);
    assert.deepEqual([...inv.postFreqs], [3, 1, 2, 1]);
    const positionsOf = (p: number) => [
      ...(inv.positions as Int32Array).subarray(
        (inv.posStart as Int32Array)[p] as number,
        (inv.posStart as Int32Array)[p + 1] as number,
      ),
    ];
    assert.deepEqual([0, 1, 2, 3].map(positionsOf), [[0, 4, 8], [2], [0, 2], [6]]);
    assert.deepEqual([...inv.lengths], [5, 2]);
  });

  it("maps memo keys to term ids only within one memo epoch", () => {
    const space = { size: 4, epoch: 0 };
    const keyed = keyedDoc.bind(null, space);
    const b = new SegmentBuilder();
    b.add(keyed("a", 0, "x y x", [0, 1, 0]));
    space.epoch = 1; // the memo started over: key 0 now names another term
    b.add(keyed("b", 1, "z y", [0, 1]));
    b.add(keyed("c", 2, "w", [0], 0)); // keys from the old epoch: looked up by term
    b.add(keyed("d", 3, "z", [0]));
    assertHolds(b, [
      ["a", 0, "x y x"],
      ["b", 1, "z y"],
      ["c", 2, "w"],
      ["d", 3, "z"],
    ]);
  });

  it("rollback forgets documents, new terms and new fields added since the mark", () => {
    const rolled = new SegmentBuilder();
    rolled.add(textDoc("a", 0, "alpha beta alpha"));
    const mark = rolled.mark();
    rolled.add(textDoc("b", 1, "gamma beta delta"));
    rolled.add(
      textDoc("c", 2, "epsilon", {
        ordinals: [{ field: "tag", values: ["t1"] }],
        numerics: [{ field: "n", values: [3] }],
      }),
    );
    rolled.rollback(mark);
    rolled.add(textDoc("d", 3, "beta zeta"));
    assertHolds(rolled, [
      ["a", 0, "alpha beta alpha"],
      ["d", 3, "beta zeta"],
    ]);
  });

  it("rollback also forgets memo keys of forgotten terms", () => {
    const keyed = keyedDoc.bind(null, { size: 8, epoch: 0 });
    const b = new SegmentBuilder();
    b.add(keyed("a", 0, "alpha", [1]));
    const mark = b.mark();
    b.add(keyed("b", 1, "gamma", [2]));
    b.rollback(mark);
    b.add(keyed("c", 2, "delta", [3]));
    b.add(keyed("d", 3, "gamma", [2]));
    assertHolds(b, [
      ["a", 0, "alpha"],
      ["c", 2, "delta"],
      ["d", 3, "gamma"],
    ]);
  });

  it("a merge of built segments equals building their documents afresh", () => {
    const one = new SegmentBuilder();
    one.add(textDoc("a", 0, "red green red"));
    one.add(textDoc("b", 1, "blue"));
    const two = new SegmentBuilder();
    two.add(textDoc("c", 2, "green blue blue"));
    const merged = new SegmentBuilder();
    merged.addSegments([one.build(), two.build()]);
    assertHolds(merged, [
      ["a", 0, "red green red"],
      ["b", 1, "blue"],
      ["c", 2, "green blue blue"],
    ]);
  });
});
