/** Every algorithm by its config name. */
import { UserInputError } from "../errors.ts";
import { AlgorithmNameSchema, type AlgorithmConfig, type AlgorithmName } from "./config.ts";
import type { Algorithm } from "./types.ts";
import { ppo } from "./ppo.ts";
import { grpo } from "./grpo.ts";
import { rloo } from "./rloo.ts";
import { reinforcePP } from "./reinforce_pp.ts";
import { reinforce } from "./reinforce.ts";
import { reinforceRej } from "./reinforce_rej.ts";
import { raft } from "./raft.ts";
import { raftpp } from "./raftpp.ts";
import { dpo } from "./dpo.ts";

const ALGORITHMS: Record<AlgorithmName, Algorithm<AlgorithmConfig>> = {
  ppo,
  grpo,
  rloo,
  reinforce_pp: reinforcePP,
  reinforce,
  reinforce_rej: reinforceRej,
  raft,
  raftpp,
  dpo,
};

export const ALGORITHM_NAMES: readonly AlgorithmName[] = AlgorithmNameSchema.options;

export function getAlgorithm(name: string): Algorithm<AlgorithmConfig> {
  if (!Object.hasOwn(ALGORITHMS, name)) {
    throw new UserInputError(`unknown algorithm "${name}"; known: ${ALGORITHM_NAMES.join(", ")}`);
  }
  return ALGORITHMS[name as AlgorithmName];
}
