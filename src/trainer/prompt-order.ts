/**
 * The order in which training prompts are visited: epoch after epoch, each a permutation of the
 * dataset keyed by (seed, epoch) (or the file order when not shuffling). A request that would run
 * past the end of an epoch starts the next one instead (verl's drop_last), so one batch never
 * holds a prompt twice. Its whole state is two integers, saved in checkpoints.
 */
import { Rng } from "../util/rng.ts";

export interface CursorState {
  epoch: number;
  index: number;
}

/** Key of the data-order stream in Rng.derive(seed, DATA_ORDER_STREAM, epoch). */
const DATA_ORDER_STREAM = 3;

export class PromptCursor {
  private order: Int32Array;

  constructor(private readonly count: number, private readonly seed: number, private readonly shuffle: boolean,
    private cursor: CursorState = { epoch: 0, index: 0 }) {
    if (count === 0) throw new Error("PromptCursor: the dataset is empty");
    this.order = this.permutation(cursor.epoch);
  }

  /** The next k dataset indices, all different (k at most the dataset's size). */
  next(k: number): number[] {
    if (k > this.count) throw new Error(`PromptCursor: ${k} prompts asked of a dataset of ${this.count}`);
    if (this.cursor.index + k > this.count) {
      this.cursor = { epoch: this.cursor.epoch + 1, index: 0 };
      this.order = this.permutation(this.cursor.epoch);
    }
    const out = Array.from(this.order.subarray(this.cursor.index, this.cursor.index + k));
    this.cursor.index += k;
    return out;
  }

  state(): CursorState {
    return { ...this.cursor };
  }

  private permutation(epoch: number): Int32Array {
    const p = Int32Array.from({ length: this.count }, (_, i) => i);
    if (!this.shuffle) return p;
    const rng = Rng.derive(this.seed, DATA_ORDER_STREAM, epoch);
    for (let i = p.length - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      [p[i], p[j]] = [p[j], p[i]];
    }
    return p;
  }
}
