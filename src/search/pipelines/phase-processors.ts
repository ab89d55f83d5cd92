/**
 * Search phase results processors of the neural-search plugin, which turn a hybrid query's
 * sub-query results into one ranking: `normalization-processor` (min_max | l2 | z_score, then
 * arithmetic | geometric | harmonic mean with optional weights) and `score-ranker-processor` (RRF).
 */
import type { ProcessorConfig } from "./processor-config.ts";
import type { PhaseProcessor, ProcessorFactory } from "./processor-types.ts";
import {
  arithmeticMean,
  type Combiner,
  geometricMean,
  harmonicMean,
  l2,
  minMax,
  type Normalizer,
  rrf,
  rrfSum,
  validateWeights,
  zScore,
} from "./score-combination.ts";

const NORMALIZATIONS: Record<string, Normalizer> = { min_max: minMax, l2, z_score: zScore };
const COMBINATIONS: Record<string, (weights: number[]) => Combiner> = {
  arithmetic_mean: arithmeticMean,
  geometric_mean: geometricMean,
  harmonic_mean: harmonicMean,
};

/**
 * `combination.parameters.weights`, validated as the plugin does (each in [0, 1], summing to 1);
 * `also` names the other parameters a processor reads itself.
 */
function readWeights(parameters: ProcessorConfig | undefined, type: string, also: string[] = []): number[] {
  if (!parameters) return [];
  const weights = parameters.numbers("weights");
  for (const key of parameters.keys())
    if (key !== "weights" && !also.includes(key))
      throw parameters.error(
        key,
        `provided parameter for combination technique is not supported. supported parameters are [${["weights", ...also].join(", ")}]`,
      );
  if (weights) validateWeights(weights, `processor [${type}]: [combination.parameters.weights]`);
  return weights ?? [];
}

function technique<T>(
  config: ProcessorConfig,
  choices: Record<string, T>,
  fallback: string,
  what: string,
): [string, T] {
  const name = config.optionalString("technique") ?? fallback;
  const chosen = choices[name];
  if (chosen === undefined)
    throw config.error(
      "technique",
      `provided ${what} technique [${name}] is not supported; supported: ${Object.keys(choices).join(", ")}`,
    );
  return [name, chosen];
}

const normalizationProcessor: ProcessorFactory<PhaseProcessor> = (config) => {
  const type = config.type;
  const normalization = config.optionalMap("normalization");
  const [normName, normalize] = normalization
    ? technique(normalization, NORMALIZATIONS, "min_max", "normalization")
    : ["min_max", minMax];
  normalization?.done();
  const combination = config.optionalMap("combination");
  const [combName, makeCombiner] = combination
    ? technique(combination, COMBINATIONS, "arithmetic_mean", "combination")
    : ["arithmetic_mean", arithmeticMean];
  const weights = readWeights(combination?.optionalMap("parameters"), type);
  combination?.done();
  // z-scores can be negative, which only an arithmetic mean combines meaningfully
  if (normName === "z_score" && combName !== "arithmetic_mean")
    throw config.error(
      "combination.technique",
      `z_score normalization technique only supports arithmetic_mean combination, got [${combName}]`,
    );
  return {
    hybridizer: {
      processor: `processor [${type}]`,
      normalization: normName,
      combination: combName,
      normalize,
      combine: makeCombiner(weights),
      weights,
    },
  };
};

const scoreRankerProcessor: ProcessorFactory<PhaseProcessor> = (config) => {
  const type = config.type;
  const combination = config.optionalMap("combination");
  if (combination) technique(combination, { rrf: true }, "rrf", "combination");
  // rank_constant sits in `combination` (documented) or `combination.parameters` (2.19's reader)
  const parameters = combination?.optionalMap("parameters");
  const rankConstant = parameters?.has("rank_constant")
    ? parameters.int("rank_constant", 60, 1, 10_000)
    : (combination?.int("rank_constant", 60, 1, 10_000) ?? 60);
  const weights = readWeights(parameters, type, ["rank_constant"]);
  combination?.done();
  return {
    hybridizer: {
      processor: `processor [${type}]`,
      normalization: `rrf (rank_constant ${rankConstant})`,
      combination: "rrf",
      normalize: rrf(rankConstant),
      combine: rrfSum(weights),
      weights,
    },
  };
};

export const PHASE_PROCESSORS: Record<string, ProcessorFactory<PhaseProcessor>> = {
  "normalization-processor": normalizationProcessor,
  "score-ranker-processor": scoreRankerProcessor,
};
