/** Seeded PRNG (mulberry32): a failing fuzz case or kill point can be replayed from its seed. */
export { mulberry32 as seededRandom } from "../../src/models/nn/params.ts";
