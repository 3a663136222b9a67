/**
 * The order in which a pretraining run visits its examples, epoch after epoch:
 *
 *   shuffle      one seeded permutation of all the examples, every source mixed in (per epoch)
 *   curriculum   the sources one after another, in the order listed, each in its own seeded
 *                permutation: a source's count is the length of its stage
 *   none         as written, source after source
 *
 * Its whole state is two integers ({epoch, index}), saved in checkpoints, so a resumed run
 * visits exactly what an uninterrupted one would.
 */
import type { CursorState } from "../trainer/prompt-order.ts";
import { Rng } from "../util/rng.ts";

export type DataOrderKind = "shuffle" | "curriculum" | "none";

/** Key of the data-order stream: Rng.derive(seed, DATA_ORDER_STREAM, epoch, source). */
const DATA_ORDER_STREAM = 3;

export class DataOrder {
  private order: Int32Array;
  private cursor: CursorState;

  /** `sizes`: the number of examples of each source, in corpus order. */
  constructor(private readonly sizes: readonly number[], private readonly seed: number, private readonly kind: DataOrderKind,
    cursor: CursorState = { epoch: 0, index: 0 }) {
    this.cursor = { ...cursor };
    this.order = this.permutation(cursor.epoch);
  }

  /** The next k example indices (wrapping into the next epoch). */
  next(k: number): number[] {
    const out: number[] = [];
    while (out.length < k) {
      if (this.cursor.index === this.order.length) {
        this.cursor = { epoch: this.cursor.epoch + 1, index: 0 };
        this.order = this.permutation(this.cursor.epoch);
      }
      out.push(this.order[this.cursor.index++]!);
    }
    return out;
  }

  state(): CursorState {
    return { ...this.cursor };
  }

  private permutation(epoch: number): Int32Array {
    const total = this.sizes.reduce((a, b) => a + b, 0);
    const p = Int32Array.from({ length: total }, (_, i) => i);
    if (this.kind === "shuffle") shuffle(p, Rng.derive(this.seed, DATA_ORDER_STREAM, epoch));
    if (this.kind === "curriculum") {
      let start = 0;
      this.sizes.forEach((n, s) => {
        shuffle(p.subarray(start, start + n), Rng.derive(this.seed, DATA_ORDER_STREAM, epoch, s));
        start += n;
      });
    }
    return p;
  }
}

/** Fisher-Yates, in place. */
function shuffle(a: Int32Array, rng: Rng): void {
  for (let i = a.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
}
