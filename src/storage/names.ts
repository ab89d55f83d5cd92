import { badRequest } from "../common/errors.ts";

/**
 * Bucket names and object keys, checked before any path is built from them. The rules follow
 * Alibaba OSS (bucket: 3–63 lowercase letters, digits and hyphens; key: 1–1023 bytes of UTF-8),
 * tightened where a key becomes a file path: no "." or ".." segments, no empty segments,
 * no leading "/", no backslashes and no control characters, so no key can leave its bucket.
 */
const BUCKET_NAME = /^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point.
const CONTROL_CHARS = /[\u0000-\u001f\u007f]/;

export function hasControlCharacters(text: string): boolean {
  return CONTROL_CHARS.test(text);
}
export const MAX_KEY_BYTES = 1023;

export function validateBucketName(bucket: string, param = "bucket"): void {
  if (!BUCKET_NAME.test(bucket)) {
    throw badRequest(
      "InvalidBucketName",
      `${param}: bucket name ${JSON.stringify(bucket)} is invalid; use 3-63 lowercase letters, digits and hyphens, starting and ending with a letter or digit`,
      param,
    );
  }
}

export function validateKey(key: string, param = "key"): void {
  const problem = keyProblem(key);
  if (problem)
    throw badRequest("InvalidObjectName", `${param}: object key ${JSON.stringify(key)} ${problem}`, param);
}

function keyProblem(key: string): string | undefined {
  if (key.length === 0) return "is empty";
  if (Buffer.byteLength(key, "utf8") > MAX_KEY_BYTES) return `is longer than ${MAX_KEY_BYTES} bytes`;
  if (hasControlCharacters(key)) return "contains a control character (NUL, newline, ...)";
  if (key.includes("\\")) return 'contains a backslash; use "/" to separate folders';
  if (key.startsWith("/")) return 'starts with "/"; keys are relative to the bucket';
  if (key.endsWith("/")) return 'ends with "/", which names a folder, not an object';
  for (const segment of key.split("/")) {
    if (segment === "") return 'has an empty path segment ("//")';
    if (segment === "." || segment === "..") return 'has a "." or ".." path segment';
  }
  if (key.normalize("NFC") !== key) return "is not in Unicode normal form C";
  return undefined;
}
