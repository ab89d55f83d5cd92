/**
 * What the engine reports itself as to clients: the OpenSearch release whose REST API it speaks
 * (`GET /`, the bundled plugins' versions in `_cat/plugins`) and its one node's name.
 */
export const OPENSEARCH_VERSION = "2.11.0";

export const NODE_NAME = "lodestone";
