/** The fields of an index mapping, flattened: object and nested properties and multi-fields. */
import { isObject } from "../search/mapping.ts";

export interface MappedField {
  /** Dotted path (`meta.embedding`, `title.raw` for a multi-field). */
  path: string;
  type: string;
  /** The field's mapping parameters (`dimension`, `analyzer`, `similarity`, …). */
  params: Record<string, unknown>;
}

export function mappedFields(mappings: Record<string, unknown>): MappedField[] {
  const fields: MappedField[] = [];
  const walk = (properties: unknown, prefix: string) => {
    if (!isObject(properties)) return;
    for (const [name, params] of Object.entries(properties)) {
      if (!isObject(params)) continue;
      const path = `${prefix}${name}`;
      fields.push({ path, type: typeof params.type === "string" ? params.type : "object", params });
      walk(params.properties, `${path}.`);
      walk(params.fields, `${path}.`);
    }
  };
  walk(mappings.properties, "");
  return fields;
}

/** The dimension of a `knn_vector` field, when `path` is one. */
export function vectorDimension(fields: MappedField[], path: string): number | undefined {
  const field = fields.find((f) => f.path === path && f.type === "knn_vector");
  const dimension = Number(field?.params.dimension);
  return field && Number.isFinite(dimension) ? dimension : undefined;
}
