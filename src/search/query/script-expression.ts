/**
 * The painless subset script_score scripts use for vector scoring, parsed and compiled to closures
 * (nothing is evaluated as JavaScript): numbers, `+ - * / %`, parentheses, comparisons with
 * `cond ? a : b`, `_score`, `params.x` / `params['x']`, `doc['field']` / `doc[params.field]` with
 * `.value`, `.size()`, `.empty` / `.isEmpty()`, the k-NN plugin's functions `l2Squared`, `l1Norm`,
 * `lInfNorm`, `innerProduct` (and Elasticsearch's `dotProduct`), `cosineSimilarity` (2 or 3
 * arguments) taking the query vector first and the document's knn_vector second (`doc[…]` or, as
 * Elasticsearch writes it, the field name), and `Math.abs/sqrt/log/log10/log1p/exp/pow/min/max`.
 * Anything else is a 400 script_exception saying what is allowed. Arithmetic is in doubles (painless
 * would divide two integer literals as integers; vector functions return floats either way).
 */
import { EngineError } from "../errors.ts";
import type { Segment } from "../index/segment.ts";
import { cosine, dot, l1, l2Squared, lInf } from "../index/vector-space.ts";
import { isObject } from "../mapping.ts";

export type ScoreFn = (seg: Segment, doc: number, score: number) => number;
type BoolFn = (seg: Segment, doc: number, score: number) => boolean;

/** What compiling needs to know about the index. */
export interface ScriptFields {
  /** A knn_vector field's dimension, or undefined when the field is not a knn_vector. */
  vectorDimension(field: string): number | undefined;
  /** Whether the field has numeric doc values (numbers, dates). */
  isNumeric(field: string): boolean;
}

type Node =
  | { kind: "num"; value: number }
  | { kind: "str"; value: string }
  | { kind: "score" }
  | { kind: "param"; name: string }
  | { kind: "doc"; field: Node; access: "vector" | "value" | "size" | "empty" }
  | { kind: "call"; name: string; args: Node[] }
  | { kind: "unary"; op: "-" | "+"; arg: Node }
  | { kind: "binary"; op: string; left: Node; right: Node }
  | { kind: "cond"; test: Node; then: Node; else: Node };

const VECTOR_FUNCTIONS: Record<string, (q: Float32Array, data: Float32Array, offset: number) => number> = {
  l2Squared,
  l1Norm: l1,
  lInfNorm: lInf,
  innerProduct: dot,
  dotProduct: dot,
};
const MATH_FUNCTIONS: Record<string, { arity: number; fn: (...a: number[]) => number }> = {
  "Math.abs": { arity: 1, fn: Math.abs },
  "Math.sqrt": { arity: 1, fn: Math.sqrt },
  "Math.log": { arity: 1, fn: Math.log },
  "Math.log10": { arity: 1, fn: Math.log10 },
  "Math.log1p": { arity: 1, fn: Math.log1p },
  "Math.exp": { arity: 1, fn: Math.exp },
  "Math.pow": { arity: 2, fn: Math.pow },
  "Math.min": { arity: 2, fn: Math.min },
  "Math.max": { arity: 2, fn: Math.max },
};
const ALLOWED = `numbers, + - * / %, ( ), comparisons and ?:, _score, params.*, doc[...] (.value, .size(), .empty), ${[
  ...Object.keys(VECTOR_FUNCTIONS),
  "cosineSimilarity",
  ...Object.keys(MATH_FUNCTIONS),
].join(", ")}`;

/** Compiles a script's source against its params into a per-document score function. */
export function compileScript(
  source: string,
  params: Record<string, unknown>,
  fields: ScriptFields,
): ScoreFn {
  const node = new Parser(source).parseScript();
  return new Compiler(source, params, fields).number(node);
}

function compileError(source: string, message: string): EngineError {
  return new EngineError(400, "script_exception", `compile error: ${message}`, {
    script: source,
    lang: "painless",
  });
}

// ---- parsing -------------------------------------------------------------------------------------

type Token = { type: "num" | "str" | "ident" | "op" | "end"; text: string; pos: number };

const TOKEN =
  /(\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)[fFdD]?|('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")|([A-Za-z_][A-Za-z0-9_]*)|(==|!=|<=|>=|[-+*/%()[\],.?:<>;])/y;

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let pos = 0;
  for (;;) {
    while (pos < source.length && /\s/.test(source[pos] as string)) pos++;
    if (pos === source.length) break;
    TOKEN.lastIndex = pos;
    const m = TOKEN.exec(source);
    if (!m) throw compileError(source, `unexpected character [${source[pos]}] at offset ${pos}`);
    if (m[1] !== undefined) tokens.push({ type: "num", text: m[1], pos });
    else if (m[2] !== undefined)
      tokens.push({ type: "str", text: m[2].slice(1, -1).replace(/\\(.)/g, "$1"), pos });
    else if (m[3] !== undefined) tokens.push({ type: "ident", text: m[3], pos });
    else tokens.push({ type: "op", text: m[4] as string, pos });
    pos = TOKEN.lastIndex;
  }
  tokens.push({ type: "end", text: "end of script", pos: source.length });
  return tokens;
}

class Parser {
  private readonly tokens: Token[];
  private i = 0;

  constructor(private readonly source: string) {
    this.tokens = tokenize(source);
  }

  /** `[return] expression [;]` */
  parseScript(): Node {
    if (this.peek().type === "ident" && this.peek().text === "return") this.i++;
    const node = this.conditional();
    if (this.isOp(";")) this.i++;
    if (this.peek().type !== "end") this.fail(`unexpected [${this.peek().text}]`);
    return node;
  }

  private conditional(): Node {
    const test = this.comparison();
    if (!this.isOp("?")) return test;
    this.i++;
    const then = this.conditional();
    this.expect(":");
    return { kind: "cond", test, then, else: this.conditional() };
  }

  private comparison(): Node {
    const left = this.additive();
    const op = this.peek().text;
    if (this.peek().type === "op" && ["==", "!=", "<", "<=", ">", ">="].includes(op)) {
      this.i++;
      return { kind: "binary", op, left, right: this.additive() };
    }
    return left;
  }

  private additive(): Node {
    let node = this.multiplicative();
    while (this.isOp("+") || this.isOp("-")) {
      const op = this.next().text;
      node = { kind: "binary", op, left: node, right: this.multiplicative() };
    }
    return node;
  }

  private multiplicative(): Node {
    let node = this.unary();
    while (this.isOp("*") || this.isOp("/") || this.isOp("%")) {
      const op = this.next().text;
      node = { kind: "binary", op, left: node, right: this.unary() };
    }
    return node;
  }

  private unary(): Node {
    if (this.isOp("-") || this.isOp("+")) {
      const op = this.next().text as "-" | "+";
      return { kind: "unary", op, arg: this.unary() };
    }
    return this.primary();
  }

  private primary(): Node {
    const t = this.next();
    if (t.type === "num") return { kind: "num", value: Number(t.text) };
    if (t.type === "str") return { kind: "str", value: t.text };
    if (t.type === "op" && t.text === "(") {
      const node = this.conditional();
      this.expect(")");
      return node;
    }
    if (t.type !== "ident") return this.fail(`unexpected [${t.text}] at offset ${t.pos}`);
    if (t.text === "_score") return { kind: "score" };
    if (t.text === "params") return { kind: "param", name: this.memberName("params") };
    if (t.text === "doc") return this.docAccess();
    let name = t.text;
    if (name === "Math") name = `Math.${this.memberName("Math")}`;
    if (!this.isOp("(")) return this.fail(`unknown variable [${name}]; allowed: ${ALLOWED}`);
    this.i++;
    const args: Node[] = [];
    while (!this.isOp(")")) {
      if (args.length) this.expect(",");
      args.push(this.conditional());
    }
    this.i++;
    return { kind: "call", name, args };
  }

  /** `.name` or `['name']` after `params` / `Math`. */
  private memberName(owner: string): string {
    if (this.isOp(".")) {
      this.i++;
      const t = this.next();
      if (t.type !== "ident") this.fail(`expected a name after [${owner}.]`);
      return t.text;
    }
    if (owner === "params" && this.isOp("[")) {
      this.i++;
      const t = this.next();
      if (t.type !== "str") this.fail("expected a quoted name in params[...]");
      this.expect("]");
      return t.text;
    }
    return this.fail(`expected [${owner}.name]`);
  }

  private docAccess(): Node {
    this.expect("[");
    const field = this.conditional();
    this.expect("]");
    if (!this.isOp(".")) return { kind: "doc", field, access: "vector" };
    this.i++;
    const member = this.next().text;
    if (member === "value" || member === "empty") return { kind: "doc", field, access: member };
    if (member === "size" || member === "isEmpty") {
      this.expect("(");
      this.expect(")");
      return { kind: "doc", field, access: member === "size" ? "size" : "empty" };
    }
    return this.fail(`unknown member [doc[...].${member}]; allowed: .value, .size(), .empty, .isEmpty()`);
  }

  private peek(): Token {
    return this.tokens[this.i] as Token;
  }

  private next(): Token {
    return this.tokens[this.i++] as Token;
  }

  private isOp(text: string): boolean {
    const t = this.peek();
    return t.type === "op" && t.text === text;
  }

  private expect(text: string): void {
    if (!this.isOp(text))
      this.fail(`expected [${text}] but found [${this.peek().text}] at offset ${this.peek().pos}`);
    this.i++;
  }

  private fail(message: string): never {
    throw compileError(this.source, message);
  }
}

// ---- compiling to closures -----------------------------------------------------------------------

class Compiler {
  constructor(
    private readonly source: string,
    private readonly params: Record<string, unknown>,
    private readonly fields: ScriptFields,
  ) {}

  number(node: Node): ScoreFn {
    switch (node.kind) {
      case "num": {
        const v = node.value;
        return () => v;
      }
      case "score":
        return (_s, _d, score) => score;
      case "param": {
        const v = this.param(node.name);
        if (typeof v !== "number") return this.fail(`params.${node.name} is not a number`);
        return () => v;
      }
      case "unary": {
        const arg = this.number(node.arg);
        return node.op === "-" ? (s, d, x) => -arg(s, d, x) : arg;
      }
      case "binary":
        return this.arithmetic(node.op, node.left, node.right);
      case "cond": {
        const test = this.bool(node.test);
        const a = this.number(node.then);
        const b = this.number(node.else);
        return (s, d, x) => (test(s, d, x) ? a(s, d, x) : b(s, d, x));
      }
      case "doc":
        return this.docNumber(node);
      case "call":
        return this.call(node.name, node.args);
      default:
        return this.fail("a string is not a number");
    }
  }

  private bool(node: Node): BoolFn {
    if (node.kind === "doc" && node.access === "empty") {
      const size = this.docNumber({ ...node, access: "size" });
      return (s, d, x) => size(s, d, x) === 0;
    }
    if (node.kind !== "binary" || !["==", "!=", "<", "<=", ">", ">="].includes(node.op))
      return this.fail("a condition must be a comparison or doc[...].empty");
    const a = this.number(node.left);
    const b = this.number(node.right);
    switch (node.op) {
      case "==":
        return (s, d, x) => a(s, d, x) === b(s, d, x);
      case "!=":
        return (s, d, x) => a(s, d, x) !== b(s, d, x);
      case "<":
        return (s, d, x) => a(s, d, x) < b(s, d, x);
      case "<=":
        return (s, d, x) => a(s, d, x) <= b(s, d, x);
      case ">":
        return (s, d, x) => a(s, d, x) > b(s, d, x);
      default:
        return (s, d, x) => a(s, d, x) >= b(s, d, x);
    }
  }

  private arithmetic(op: string, left: Node, right: Node): ScoreFn {
    const a = this.number(left);
    const b = this.number(right);
    switch (op) {
      case "+":
        return (s, d, x) => a(s, d, x) + b(s, d, x);
      case "-":
        return (s, d, x) => a(s, d, x) - b(s, d, x);
      case "*":
        return (s, d, x) => a(s, d, x) * b(s, d, x);
      case "/":
        return (s, d, x) => a(s, d, x) / b(s, d, x);
      case "%":
        return (s, d, x) => a(s, d, x) % b(s, d, x);
      default:
        return this.fail(`a comparison ([${op}]) is not a number; use it as the condition of ?:`);
    }
  }

  private call(name: string, args: Node[]): ScoreFn {
    const math = MATH_FUNCTIONS[name];
    if (math) {
      if (args.length !== math.arity) return this.fail(`${name} takes ${math.arity} argument(s)`);
      const fns = args.map((a) => this.number(a));
      const f = math.fn;
      return math.arity === 1
        ? (s, d, x) => f((fns[0] as ScoreFn)(s, d, x))
        : (s, d, x) => f((fns[0] as ScoreFn)(s, d, x), (fns[1] as ScoreFn)(s, d, x));
    }
    const kernel = VECTOR_FUNCTIONS[name];
    if (!kernel && name !== "cosineSimilarity")
      return this.fail(`unknown function [${name}]; allowed: ${ALLOWED}`);
    const arity = name === "cosineSimilarity" ? [2, 3] : [2];
    if (!arity.includes(args.length))
      return this.fail(
        `${name} takes (query vector, doc[field]${name === "cosineSimilarity" ? "[, query magnitude]" : ""})`,
      );
    const field = this.vectorFieldArg(name, args[1] as Node);
    const dimension = this.fields.vectorDimension(field) as number;
    const query = this.vectorArg(name, args[0] as Node, field, dimension);
    const row = rowReader(field);
    if (kernel)
      return (seg, doc) => {
        const vf = row(seg, doc);
        return kernel(query, vf.data, doc * vf.dimension);
      };
    const magnitude = args[2] ? this.number(args[2]) : undefined;
    const queryNorm = Math.sqrt(dot(query, query, 0));
    return (seg, doc, score) => {
      const vf = row(seg, doc);
      return cosine(query, magnitude ? magnitude(seg, doc, score) : queryNorm, vf.data, doc * vf.dimension);
    };
  }

  /** The document side of a vector function: doc['f'], doc[params.f], or 'f' (Elasticsearch style). */
  private vectorFieldArg(fn: string, node: Node): string {
    const fieldNode = node.kind === "doc" && node.access === "vector" ? node.field : node;
    const field = this.constantString(fieldNode);
    if (field === undefined)
      return this.fail(`the second argument of ${fn} must be doc[<field>] of a knn_vector field`);
    if (this.fields.vectorDimension(field) === undefined)
      return this.fail(`${fn}: field [${field}] is not a knn_vector field`);
    return field;
  }

  private vectorArg(fn: string, node: Node, field: string, dimension: number): Float32Array {
    const value = node.kind === "param" ? this.param(node.name) : undefined;
    if (!Array.isArray(value) || value.some((x) => typeof x !== "number" || !Number.isFinite(x)))
      return this.fail(`the first argument of ${fn} must be a params array of numbers (the query vector)`);
    if (value.length !== dimension)
      throw new EngineError(
        400,
        "illegal_argument_exception",
        `${fn}: query vector has invalid dimension: ${value.length}. Dimension should be: ${dimension} (field [${field}])`,
      );
    return Float32Array.from(value as number[]);
  }

  private docNumber(node: Extract<Node, { kind: "doc" }>): ScoreFn {
    const field = this.constantString(node.field);
    if (field === undefined)
      return this.fail("doc[...] needs a field name: doc['field'] or doc[params.field]");
    if (node.access === "vector")
      return this.fail(`doc['${field}'] is a vector; pass it to a vector function`);
    if (node.access === "empty") return this.fail(`doc['${field}'].empty is a condition, not a number`);
    if (this.fields.vectorDimension(field) !== undefined) {
      if (node.access === "value")
        return this.fail(`doc['${field}'] is a vector; pass it to a vector function`);
      return (seg, doc) => (seg.vectors.get(field)?.present[doc] ? 1 : 0);
    }
    if (!this.fields.isNumeric(field)) return this.fail(`field [${field}] has no numeric doc values`);
    const size = node.access === "size";
    return (seg, doc) => {
      const dv = seg.docValues.get(field);
      if (dv?.kind !== "numeric") {
        if (size) return 0;
        throw missingValue(field, seg, doc);
      }
      const start = dv.start[doc] as number;
      const end = dv.start[doc + 1] as number;
      if (size) return end - start;
      if (end === start) throw missingValue(field, seg, doc);
      return dv.values[start] as number;
    };
  }

  private constantString(node: Node): string | undefined {
    if (node.kind === "str") return node.value;
    if (node.kind === "param") {
      const v = this.param(node.name);
      return typeof v === "string" ? v : undefined;
    }
    return undefined;
  }

  private param(name: string): unknown {
    if (!isObject(this.params) || !Object.hasOwn(this.params, name))
      return this.fail(`params.${name} is not defined`);
    return this.params[name];
  }

  private fail(message: string): never {
    throw compileError(this.source, message);
  }
}

/** A document's vector row reader for one field; a document without a vector is a script error. */
function rowReader(field: string) {
  let lastSeg: Segment | undefined;
  let lastField: ReturnType<Segment["vectors"]["get"]>;
  return (seg: Segment, doc: number) => {
    if (seg !== lastSeg) {
      lastSeg = seg;
      lastField = seg.vectors.get(field);
    }
    if (!lastField?.present[doc]) throw missingValue(field, seg, doc);
    return lastField;
  };
}

function missingValue(field: string, seg: Segment, doc: number): EngineError {
  return new EngineError(
    400,
    "script_exception",
    `runtime error: document [${seg.ids[doc]}] has no value for field [${field}]; guard with doc['${field}'].size() == 0 ? 0 : ...`,
  );
}
