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
