/** Aggregations now live in ./aggs/ (one module per concern); this keeps the old import path working. */
export { type AggregationContext, AggregationError, javaDouble, runAggregations } from "./aggs/index.ts";
