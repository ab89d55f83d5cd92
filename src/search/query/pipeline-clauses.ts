/**
 * Query clauses the search pipeline handles before anything is compiled: `neural` is embedded and
 * becomes a knn clause, `hybrid` runs its sub-queries itself at the top level. Reaching the
 * compiler means they are where they cannot run; these compilers say why.
 */
import { illegalArgument } from "../errors.ts";

export const NOT_TOP_LEVEL =
  "hybrid query must be a top level query and cannot be wrapped into other queries";

export const NEURAL_NOT_EMBEDDED =
  "[neural] queries are embedded by the search pipeline before they run: send them to the _search endpoint (SearchEngine.searchAsync); _count, _explain and the synchronous search cannot call a model";

export const PIPELINE_CLAUSES: Record<string, () => never> = {
  neural: () => {
    throw illegalArgument(NEURAL_NOT_EMBEDDED);
  },
  hybrid: () => {
    throw illegalArgument(NOT_TOP_LEVEL);
  },
};
