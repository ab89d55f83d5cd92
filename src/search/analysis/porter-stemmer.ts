/**
 * Porter stemmer with the exact behaviour of Lucene's `org.apache.lucene.analysis.en.PorterStemmer`, i.e.
 * Martin Porter's original algorithm as in his reference C/Java implementation, quirks included:
 *  - words of length <= 2 are returned unchanged;
 *  - step 2 maps "bli" → "ble" and "logi" → "log" (the reference code's departures from the paper);
 *  - any char other than a, e, i, o, u (and y after a consonant) counts as a consonant — digits and
 *    non-ASCII letters too; the input is expected lower-cased (Lucene runs LowerCaseFilter first).
 *
 * Steps are named as in the paper (1a/1b, 1c, 2, 3, 4, 5a/5b). The word is processed in a shared UTF-16
 * buffer: `k` is the index of its last char, `j` the end of the stem set by the last successful `ends()`.
 */

let b = new Uint16Array(64);
let k = 0;
let j = 0;

const A = 0x61;
const E = 0x65;
const I = 0x69;
const O = 0x6f;
const U = 0x75;
const Y = 0x79;
const L = 0x6c;
const S = 0x73;
const Z = 0x7a;
const W = 0x77;
const X = 0x78;
const T = 0x74;

/** True when b[i] is a consonant: not a vowel, and 'y' only when first or after a vowel. */
function cons(i: number): boolean {
  const c = b[i] as number;
  if (c === A || c === E || c === I || c === O || c === U) return false;
  if (c === Y) return i === 0 ? true : !cons(i - 1);
  return true;
}

/** The measure m of b[0..j]: the number of VC sequences in [C](VC)^m[V]. */
function measure(): number {
  let n = 0;
  let i = 0;
  for (;;) {
    if (i > j) return n;
    if (!cons(i)) break;
    i++;
  }
  i++;
  for (;;) {
    for (;;) {
      if (i > j) return n;
      if (cons(i)) break;
      i++;
    }
    i++;
    n++;
    for (;;) {
      if (i > j) return n;
      if (!cons(i)) break;
      i++;
    }
    i++;
  }
}

/** True when b[0..j] contains a vowel. */
function vowelInStem(): boolean {
  for (let i = 0; i <= j; i++) if (!cons(i)) return true;
  return false;
}

/** True when b[x-1..x] is a double consonant. */
function doubleC(x: number): boolean {
  if (x < 1) return false;
  if (b[x] !== b[x - 1]) return false;
  return cons(x);
}

/** True when b[x-2..x] is consonant-vowel-consonant and b[x] is not w, x or y. */
function cvc(x: number): boolean {
  if (x < 2 || !cons(x) || cons(x - 1) || !cons(x - 2)) return false;
  const c = b[x];
  return c !== W && c !== X && c !== Y;
}

/** True when b[0..k] ends with `s`; then sets j to the index before the suffix. */
function ends(s: string): boolean {
  const len = s.length;
  const o = k - len + 1;
  if (o < 0) return false;
  for (let i = 0; i < len; i++) if (b[o + i] !== s.charCodeAt(i)) return false;
  j = k - len;
  return true;
}

/** Replaces b[j+1..k] with `s`. */
function setTo(s: string): void {
  const len = s.length;
  const o = j + 1;
  for (let i = 0; i < len; i++) b[o + i] = s.charCodeAt(i);
  k = j + len;
}

/** setTo(s) when the stem's measure is > 0. */
function replaceIfM(s: string): void {
  if (measure() > 0) setTo(s);
}

/** Step 1a/1b: plurals, -ed, -ing. */
function step1ab(): void {
  if (b[k] === S) {
    if (ends("sses")) k -= 2;
    else if (ends("ies")) setTo("i");
    else if (b[k - 1] !== S) k--;
  }
  if (ends("eed")) {
    if (measure() > 0) k--;
  } else if ((ends("ed") || ends("ing")) && vowelInStem()) {
    k = j;
    if (ends("at")) setTo("ate");
    else if (ends("bl")) setTo("ble");
    else if (ends("iz")) setTo("ize");
    else if (doubleC(k)) {
      const c = b[k];
      if (c !== L && c !== S && c !== Z) k--;
    } else if (measure() === 1 && cvc(k)) setTo("e");
  }
}

/** Step 1c: terminal y → i when the stem has a vowel. */
function step1c(): void {
  if (ends("y") && vowelInStem()) b[k] = I;
}

/** Step 2: double suffixes to single ones, keyed on the penultimate letter. */
function step2(): void {
  if (k === 0) return;
  switch (b[k - 1]) {
    case 0x61: // a
      if (ends("ational")) replaceIfM("ate");
      else if (ends("tional")) replaceIfM("tion");
      break;
    case 0x63: // c
      if (ends("enci")) replaceIfM("ence");
      else if (ends("anci")) replaceIfM("ance");
      break;
    case 0x65: // e
      if (ends("izer")) replaceIfM("ize");
      break;
    case 0x6c: // l
      if (ends("bli")) replaceIfM("ble");
      else if (ends("alli")) replaceIfM("al");
      else if (ends("entli")) replaceIfM("ent");
      else if (ends("eli")) replaceIfM("e");
      else if (ends("ousli")) replaceIfM("ous");
      break;
    case 0x6f: // o
      if (ends("ization")) replaceIfM("ize");
      else if (ends("ation")) replaceIfM("ate");
      else if (ends("ator")) replaceIfM("ate");
      break;
    case 0x73: // s
      if (ends("alism")) replaceIfM("al");
      else if (ends("iveness")) replaceIfM("ive");
      else if (ends("fulness")) replaceIfM("ful");
      else if (ends("ousness")) replaceIfM("ous");
      break;
    case 0x74: // t
      if (ends("aliti")) replaceIfM("al");
      else if (ends("iviti")) replaceIfM("ive");
      else if (ends("biliti")) replaceIfM("ble");
      break;
    case 0x67: // g
      if (ends("logi")) replaceIfM("log");
      break;
  }
}

/** Step 3: -ic-, -full, -ness etc., keyed on the last letter. */
function step3(): void {
  switch (b[k]) {
    case 0x65: // e
      if (ends("icate")) replaceIfM("ic");
      else if (ends("ative")) replaceIfM("");
      else if (ends("alize")) replaceIfM("al");
      break;
    case 0x69: // i
      if (ends("iciti")) replaceIfM("ic");
      break;
    case 0x6c: // l
      if (ends("ical")) replaceIfM("ic");
      else if (ends("ful")) replaceIfM("");
      break;
    case 0x73: // s
      if (ends("ness")) replaceIfM("");
      break;
  }
}

/** Step 4: strips -ant, -ence etc. when the remaining stem has m > 1. */
function step4(): void {
  if (k === 0) return;
  let found = false;
  switch (b[k - 1]) {
    case 0x61: // a
      found = ends("al");
      break;
    case 0x63: // c
      found = ends("ance") || ends("ence");
      break;
    case 0x65: // e
      found = ends("er");
      break;
    case 0x69: // i
      found = ends("ic");
      break;
    case 0x6c: // l
      found = ends("able") || ends("ible");
      break;
    case 0x6e: // n
      found = ends("ant") || ends("ement") || ends("ment") || ends("ent");
      break;
    case 0x6f: // o
      found = (ends("ion") && j >= 0 && (b[j] === S || b[j] === T)) || ends("ou");
      break;
    case 0x73: // s
      found = ends("ism");
      break;
    case 0x74: // t
      found = ends("ate") || ends("iti");
      break;
    case 0x75: // u
      found = ends("ous");
      break;
    case 0x76: // v
      found = ends("ive");
      break;
    case 0x7a: // z
      found = ends("ize");
      break;
  }
  if (found && measure() > 1) k = j;
}

/** Step 5: removes a final -e when m > 1 (or m = 1 and not *o), and -ll → -l when m > 1. */
function step5(): void {
  j = k;
  if (b[k] === E) {
    const a = measure();
    if (a > 1 || (a === 1 && !cvc(k - 1))) k--;
  }
  if (b[k] === L && doubleC(k) && measure() > 1) k--;
}

function stemUncached(word: string): string {
  const len = word.length;
  if (len <= 2) return word;
  if (b.length < len) b = new Uint16Array(len * 2);
  for (let i = 0; i < len; i++) b[i] = word.charCodeAt(i);
  k = len - 1;
  j = 0;
  step1ab();
  step1c();
  step2();
  step3();
  step4();
  step5();
  // The result is usually a prefix of the word; otherwise only its tail was rewritten.
  const end = k + 1;
  let d = 0;
  const common = Math.min(end, len);
  while (d < common && b[d] === word.charCodeAt(d)) d++;
  if (d === end) return end === len ? word : word.slice(0, end);
  let tail = "";
  for (let i = d; i < end; i++) tail += String.fromCharCode(b[i] as number);
  return word.slice(0, d) + tail;
}

const CACHE_GENERATION = 100_000;
// Two generations: a full young map becomes the old one, so frequent words survive a turnover
// instead of the whole cache being dropped (large vocabularies made a single map thrash).
let young = new Map<string, string>();
let old = new Map<string, string>();

/** Stems one (lower-cased) word like Lucene's PorterStemFilter. Results are memoised (bounded). */
export function porterStem(word: string): string {
  let stem = young.get(word);
  if (stem !== undefined) return stem;
  stem = old.get(word) ?? stemUncached(word);
  if (young.size >= CACHE_GENERATION) {
    old = young;
    young = new Map();
  }
  young.set(word, stem);
  return stem;
}
