/**
 * When a step's rollouts are generated, with which weights, and when the servers get new ones:
 * the trainer's side of a fleet. Versions count policy updates: version k is the policy after
 * step k (0: the initial policy).
 *
 * In step (default): step k generates with version k−1, trains, writes version k and loads it on
 * every server before step k+1 generates. Staleness 0.
 *
 * One step off the policy (async), as verl's one_step_off_policy and AReaL do: step k takes the
 * rollouts generated while step k−1 trained (with version k−2; step 1 generates its own), loads
 * the newest weights (k−1) while no generation is in flight, so no batch mixes versions, starts
 * generating step k+1's rollouts with them, and trains meanwhile. Staleness 1 from step 2 on. The
 * trainer's recomputed log-probs (version k−1) anchor the PPO ratio and the truncated importance
 * weight min(π_{k−1}/π_sampler, C) corrects for the samples of version k−2 (docs/SCALING.md).
 *
 * With an engine that has no syncWeights (the local engine, sampling from the trainer's own
 * policy) nothing is written or loaded, and nothing is prefetched.
 */
import type { CausalLM } from "../models/transformer.ts";
import type { RolloutEngine } from "./engine.ts";
import type { WeightDirectory } from "./weight-dir.ts";

type Outcome = { value: unknown } | { error: unknown };

interface Generation {
  /** The weight version it samples with. */
  version: number;
  outcome: Promise<Outcome>;
}

const settled = (p: Promise<unknown>): Promise<Outcome> => p.then((value) => ({ value }), (error: unknown) => ({ error }));

export class RolloutSchedule {
  /** The trainer's newest version (written, when there are servers). */
  private trainerVersion = 0;
  /** The version the servers serve; null before the first load. */
  private servedVersion: number | null = null;
  private written: string | null = null;
  private pending: Generation | null = null;
  private taken = { version: 0, staleness: 0 };
  private seconds = { save: 0, sync: 0 };

  /** `weights` is null for an engine without syncWeights; `async` prefetches (needs servers). */
  constructor(private readonly engine: RolloutEngine, private readonly weights: WeightDirectory | null, private readonly async: boolean) {
    if ((weights !== null) !== (engine.syncWeights !== undefined)) throw new Error("RolloutSchedule: a weight directory goes with an engine that syncs weights");
    if (async && !weights) throw new Error("RolloutSchedule: rollouts one step off the policy need servers that generate while the trainer trains");
  }

  /** Before the first step (or on resume): the trainer's weights are version `version`; the servers load them. */
  async start(policy: CausalLM, version: number): Promise<void> {
    await this.publish(policy, version);
    this.seconds = { save: 0, sync: 0 };
  }

  /** This step's rollouts: prefetched during the last step's update, or generated now. */
  async take<T>(gather: () => Promise<T>): Promise<T> {
    const generation = this.pending ?? this.generate(gather);
    this.pending = null;
    const outcome = await generation.outcome;
    if ("error" in outcome) throw outcome.error;
    this.taken = { version: generation.version, staleness: this.trainerVersion - generation.version };
    await this.loadNewest();
    return outcome.value as T;
  }

  /** One step off the policy: starts generating the next step's rollouts with the served weights. */
  prefetch<T>(gather: () => Promise<T>): void {
    if (this.async) this.pending = this.generate(gather);
  }

  /** After an update: writes version `version` and loads it, at once unless a generation is in flight (then at take or settle). */
  async publish(policy: CausalLM, version: number): Promise<void> {
    this.trainerVersion = version;
    if (!this.weights) {
      this.servedVersion = version;
      return;
    }
    const t = performance.now();
    this.written = this.weights.write(policy, version);
    this.seconds.save += (performance.now() - t) / 1000;
    if (!this.pending) await this.loadNewest();
  }

  /** Waits for the generation in flight, then loads the newest weights: the servers serve the trainer's policy (for an evaluation). */
  async settle(): Promise<void> {
    if (this.pending) await this.pending.outcome;
    await this.loadNewest();
  }

  /** The taken rollouts' weight version and staleness, the engine's counts, the time spent writing and loading weights. */
  async metrics(): Promise<Record<string, number>> {
    const m: Record<string, number> = {
      "rollout/weight_version": this.taken.version,
      "rollout/staleness": this.taken.staleness,
      ...(await this.engine.takeMetrics?.()),
    };
    if (this.weights) Object.assign(m, { "timing_s/save_weights": this.seconds.save, "timing_s/sync_weights": this.seconds.sync });
    this.seconds = { save: 0, sync: 0 };
    return m;
  }

  /** Closes the engine (aborting a generation in flight). */
  async close(): Promise<void> {
    await this.engine.close();
    if (this.pending) await this.pending.outcome;
  }

  private generate(gather: () => Promise<unknown>): Generation {
    return { version: this.servedVersion ?? this.trainerVersion, outcome: settled(gather()) };
  }

  private async loadNewest(): Promise<void> {
    if (!this.written || this.servedVersion === this.trainerVersion) return;
    const t = performance.now();
    await this.engine.syncWeights!(this.written, this.trainerVersion);
    this.servedVersion = this.trainerVersion;
    this.seconds.sync += (performance.now() - t) / 1000;
  }
}
