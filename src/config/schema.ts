import { type Static, Type } from "@sinclair/typebox";

/**
 * The whole configuration of Lodestone, as one JSON schema. Defaults live here, so the schema is
 * the single place that says which keys exist, their types, bounds and default values; the loader
 * derives the `LODESTONE_*` environment variable of every key from its path.
 */
const Port = (def: number, description: string) =>
  Type.Integer({ minimum: 0, maximum: 65535, default: def, description });

export const ConfigSchema = Type.Object(
  {
    dataDir: Type.String({ minLength: 1, default: ".lodestone", description: "data directory" }),
    host: Type.String({ minLength: 1, default: "127.0.0.1", description: "address the servers bind to" }),
    port: Port(8080, "platform API port (jobs, oss, models, console)"),
    searchPort: Port(9200, "Elasticsearch/OpenSearch-compatible API port"),
    url: Type.String({
      default: "",
      description: "URL of a running server for client commands (default http://host:port)",
    }),
    logLevel: Type.Union(
      ["fatal", "error", "warn", "info", "debug", "trace", "silent"].map((l) => Type.Literal(l)),
      { default: "info", description: "server log level" },
    ),
    limits: Type.Object(
      {
        bodyBytes: Type.Integer({ minimum: 1024, default: 10 * 1024 * 1024, description: "JSON body limit" }),
        searchBodyBytes: Type.Integer({
          minimum: 1024,
          default: 100 * 1024 * 1024,
          description: "body limit of the search API (_bulk), like Elasticsearch's http.max_content_length",
        }),
        objectBytes: Type.Integer({
          minimum: 1024,
          default: 5 * 1024 * 1024 * 1024,
          description: "largest object accepted by the object store",
        }),
        ratePerKey: Type.Number({
          minimum: 0,
          default: 100,
          description:
            "requests per second each API key may send to either server (token bucket; 0 = no limit); requests without a key are not limited",
        }),
        rateBurst: Type.Integer({
          minimum: 1,
          default: 200,
          description: "requests an API key may send at once before limits.ratePerKey applies",
        }),
      },
      { default: {}, additionalProperties: false },
    ),
    jobs: Type.Object(
      {
        concurrency: Type.Integer({ minimum: 1, maximum: 64, default: 1, description: "jobs run at once" }),
        stopGraceMs: Type.Integer({
          minimum: 0,
          maximum: 60000,
          default: 1000,
          description: "time a stopped job gets between SIGTERM and SIGKILL",
        }),
      },
      { default: {}, additionalProperties: false },
    ),
    search: Type.Object(
      {
        backend: Type.Union([Type.Literal("embedded"), Type.Literal("opensearch")], {
          default: "embedded",
          description:
            "where the workflow and other features index and search: the embedded engine, or an OpenSearch 2.x cluster at search.url",
        }),
        url: Type.String({
          default: "",
          description:
            "the search API: an OpenSearch cluster's URL (opensearch), or another Lodestone search port (embedded; default this platform's)",
        }),
        username: Type.String({ default: "", description: "OpenSearch basic-auth user name" }),
        passwordEnv: Type.String({
          default: "",
          description:
            "name of the environment variable holding the basic-auth password (never the password)",
        }),
        apiKeyEnv: Type.String({
          default: "",
          description:
            "name of the environment variable holding an API key sent as Authorization: ApiKey <key>",
        }),
        tlsRejectUnauthorized: Type.Boolean({
          default: true,
          description: "refuse a cluster whose TLS certificate does not verify (false for self-signed demos)",
        }),
        requestTimeoutMs: Type.Integer({
          minimum: 100,
          default: 60000,
          description: "timeout of one request to the cluster",
        }),
        platformUrl: Type.String({
          default: "",
          description:
            "this platform's URL as the cluster sees it, for ML Commons connectors to /v1/embeddings and /v1/rerank (default the platform's own URL)",
        }),
      },
      { default: {}, additionalProperties: false },
    ),
    recommend: Type.Object(
      {
        allowedEndpoints: Type.Array(Type.String({ minLength: 1 }), {
          default: [],
          description:
            "search clusters a recommendation datasource may name (URL prefixes such as https://es.internal:9200); the embedded engine is always allowed",
        }),
        fileRoots: Type.Array(Type.String({ minLength: 1 }), {
          default: [],
          description:
            "folders a `type: file` datasource may read catalogs from (besides the data directory)",
        }),
        retrainIntervalMs: Type.Integer({
          minimum: 0,
          default: 60000,
          description: "how often instances with new behaviours are retrained (a job); 0 turns it off",
        }),
        syncIntervalMs: Type.Integer({
          minimum: 0,
          default: 300000,
          description: "how often datasources are synced incrementally; 0 turns it off",
        }),
        intakeIntervalMs: Type.Integer({
          minimum: 50,
          default: 1000,
          description: "how often the RAG apps' interaction log is read into the behaviour store",
        }),
        exposureRetentionDays: Type.Number({
          exclusiveMinimum: 0,
          default: 30,
          description: "exposures logged by /v2/recommend older than this are pruned",
        }),
        maxExposures: Type.Integer({
          minimum: 1000,
          default: 5_000_000,
          description: "at most this many logged exposures are kept (the oldest are pruned first)",
        }),
      },
      { default: {}, additionalProperties: false },
    ),
    cors: Type.Object(
      {
        allowedOrigins: Type.Array(Type.String({ minLength: 1, pattern: "^https?://[^/*]+$" }), {
          default: [],
          description:
            "browser origins (e.g. https://app.example.com) that may call either API across origins; exact matches, no wildcard (default: none, the console is same-origin)",
        }),
      },
      { default: {}, additionalProperties: false },
    ),
    outbound: Type.Object(
      {
        allowedHosts: Type.Array(Type.String({ minLength: 1 }), {
          default: [],
          description:
            "hosts, IP addresses or CIDR ranges (e.g. 10.0.0.0/8) that connectors and LLM upstreams may call although they are loopback, private or link-local (refused otherwise: SSRF policy)",
        }),
      },
      { default: {}, additionalProperties: false },
    ),
    auth: Type.Object(
      {
        required: Type.Optional(
          Type.Boolean({
            description:
              "require an API key on the platform API (default: only when host is not a loopback address)",
          }),
        ),
      },
      { default: {}, additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);

export type LodestoneConfig = Static<typeof ConfigSchema>;
