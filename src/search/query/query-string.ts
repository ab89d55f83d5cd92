// PLACEHOLDER — being replaced by the real implementation.
export class QueryStringError extends Error {}
export interface QueryStringParams { query: string; fields?: string[]; default_field?: string; [k: string]: unknown }
export function parseQueryString(_p: QueryStringParams): object { throw new QueryStringError("query_string not implemented yet"); }
export function parseSimpleQueryString(_p: QueryStringParams): object { throw new QueryStringError("simple_query_string not implemented yet"); }
