import { badRequest } from "../common/errors.ts";
import { validateBucketName, validateKey } from "./names.ts";

/** A parsed `oss://bucket/key` URL. `key` is "" for the bucket itself; a trailing "/" marks a prefix. */
export interface OssUrl {
  bucket: string;
  key: string;
}

export function isOssUrl(value: string): boolean {
  return value.startsWith("oss://");
}

/** Parses and validates an oss:// URL; `param` names the field it came from, for the error. */
export function parseOssUrl(value: string, param = "url"): OssUrl {
  if (!isOssUrl(value)) {
    throw badRequest(
      "InvalidOssUrl",
      `${param} must be an oss://bucket/key URL, got ${JSON.stringify(value)}`,
      param,
    );
  }
  const rest = value.slice("oss://".length);
  const slash = rest.indexOf("/");
  const bucket = slash === -1 ? rest : rest.slice(0, slash);
  const key = slash === -1 ? "" : rest.slice(slash + 1);
  validateBucketName(bucket, param);
  if (key !== "") validateKey(key.endsWith("/") ? key.slice(0, -1) : key, param);
  return { bucket, key };
}

export function formatOssUrl(bucket: string, key = ""): string {
  return `oss://${bucket}/${key}`;
}

/** The prefix form of a URL's key: "" or ending in "/", so `data` and `data/` both mean the folder. */
export function asPrefix(key: string): string {
  return key === "" || key.endsWith("/") ? key : `${key}/`;
}
