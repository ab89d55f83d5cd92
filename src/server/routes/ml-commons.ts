/**
 * The OpenSearch ML Commons routes on the search port (`/_plugins/_ml/…`), wired to
 * serving/ml-commons.ts. Installed through buildSearchApp's `plugins` hook, so they share the
 * engine's body parsing, `?pretty` and error bodies; registry and endpoint errors are turned
 * into OpenSearch's error shape before the engine's error handler renders them.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { boolParam, checkParams, jsonBody, send } from "../../search/api/http.ts";
import { type MlCommons, mlError } from "../../serving/ml-commons.ts";

type Req = FastifyRequest<{ Params: Record<string, string> }>;

const MODELS = "/_plugins/_ml/models";
const CONNECTORS = "/_plugins/_ml/connectors";
const GROUPS = "/_plugins/_ml/model_groups";

export function mlCommonsRoutes(app: FastifyInstance, ml: MlCommons): void {
  void app.register(async (scope) => {
    // a handler that throws hands the error on to the engine's handler (Fastify's parent handler)
    scope.setErrorHandler((err) => {
      throw mlError(err);
    });
    const modelId = (req: Req) => req.params.model_id as string;

    scope.post(`${MODELS}/_register`, async (req: Req, reply) => {
      const q = checkParams(req, ["deploy"]);
      return send(reply, req, ml.register(jsonBody(req), boolParam(q.deploy) ?? false));
    });
    /** A `_search` route (POST or GET) over one kind of ML Commons document. */
    const searchRoute = (route: string, run: (body: unknown) => unknown) => {
      const handler = async (req: Req, reply: FastifyReply) => {
        checkParams(req, []);
        return send(reply, req, run(jsonBody(req)));
      };
      scope.post(route, handler);
      scope.get(route, handler);
    };
    searchRoute(`${MODELS}/_search`, (body) => ml.searchModels(body));
    searchRoute(`${CONNECTORS}/_search`, (body) => ml.searchConnectors(body));
    searchRoute(`${GROUPS}/_search`, (body) => ml.searchModelGroups(body));
    scope.get(`${MODELS}/:model_id`, async (req: Req, reply) => {
      checkParams(req, []);
      return send(reply, req, ml.getModel(modelId(req)));
    });
    scope.delete(`${MODELS}/:model_id`, async (req: Req, reply) => {
      checkParams(req, []);
      return send(reply, req, await ml.deleteModel(modelId(req)));
    });
    scope.post(`${MODELS}/:model_id/_deploy`, async (req: Req, reply) => {
      checkParams(req, []);
      return send(reply, req, await ml.deploy(modelId(req)));
    });
    scope.post(`${MODELS}/:model_id/_undeploy`, async (req: Req, reply) => {
      checkParams(req, []);
      return send(reply, req, await ml.undeploy(modelId(req)));
    });
    scope.post(`${MODELS}/:model_id/_predict`, async (req: Req, reply) => {
      checkParams(req, []);
      return send(reply, req, await ml.predict(modelId(req), jsonBody(req)));
    });
    scope.post("/_plugins/_ml/_predict/:algorithm/:model_id", async (req: Req, reply) => {
      checkParams(req, []);
      return send(reply, req, await ml.predict(modelId(req), jsonBody(req), req.params.algorithm));
    });
    scope.post(`${CONNECTORS}/_create`, async (req: Req, reply) => {
      checkParams(req, []);
      return send(reply, req, ml.createConnector(jsonBody(req)));
    });
    scope.get(`${CONNECTORS}/:connector_id`, async (req: Req, reply) => {
      checkParams(req, []);
      return send(reply, req, ml.getConnector(req.params.connector_id as string));
    });
    scope.delete(`${CONNECTORS}/:connector_id`, async (req: Req, reply) => {
      checkParams(req, []);
      return send(reply, req, ml.deleteConnector(req.params.connector_id as string));
    });
    scope.post(`${GROUPS}/_register`, async (req: Req, reply) => {
      checkParams(req, []);
      return send(reply, req, ml.registerModelGroup(jsonBody(req)));
    });
    scope.get("/_plugins/_ml/tasks/:task_id", async (req: Req, reply) => {
      checkParams(req, []);
      return send(reply, req, ml.getTask(req.params.task_id as string));
    });
  });
}
