/**
 * Seeded pseudo-random numbers (sfc32 seeded through splitmix32).
 *
 * Our own rather than a library's because a run must checkpoint and restore the generator
 * exactly: the whole state is four 32-bit integers (`state()` / `Rng.fromState`).
 */
export class Rng {
  private constructor(private a: number, private b: number, private c: number, private d: number) {}

  static fromSeed(seed: number): Rng {
    let s = seed >>> 0;
    const next = (): number => {
      s = (s + 0x9e3779b9) >>> 0;
      return mix32(s);
    };
    const rng = new Rng(next(), next(), next(), next());
    for (let i = 0; i < 12; i++) rng.nextUint32();
    return rng;
  }

  /**
   * A generator for one stream of a family, keyed by integers (e.g. seed, step, prompt, sample):
   * the same keys always give the same stream, whatever else was drawn before or beside it.
   */
  static derive(...keys: number[]): Rng {
    let h = 0x243f6a88;
    for (const k of keys) {
      if (!Number.isSafeInteger(k)) throw new Error(`Rng.derive: key ${k} is not a safe integer`);
      h = mix32(h ^ mix32((k % 4294967296) >>> 0));
      h = mix32(h ^ mix32(Math.floor(k / 4294967296) >>> 0) ^ 0x9e3779b9);
    }
    const rng = new Rng(mix32(h ^ 0x1), mix32(h ^ 0x2), mix32(h ^ 0x3), mix32(h ^ 0x4));
    for (let i = 0; i < 12; i++) rng.nextUint32();
    return rng;
  }

  static fromState(state: readonly number[]): Rng {
    if (state.length !== 4) throw new Error(`Rng state needs 4 integers, got ${state.length}`);
    return new Rng(state[0] >>> 0, state[1] >>> 0, state[2] >>> 0, state[3] >>> 0);
  }

  state(): number[] {
    return [this.a, this.b, this.c, this.d];
  }

  nextUint32(): number {
    const t = (((this.a + this.b) >>> 0) + this.d) >>> 0;
    this.d = (this.d + 1) >>> 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) >>> 0;
    this.c = ((this.c << 21) | (this.c >>> 11)) >>> 0;
    this.c = (this.c + t) >>> 0;
    return t;
  }

  /** Uniform in [0, 1) with 32 random bits. */
  uniform(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Standard normal (Box-Muller). */
  normal(): number {
    const u = 1 - this.uniform();
    const v = this.uniform();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.uniform() * n);
  }
}

/** The 32-bit finaliser of MurmurHash3 (a bijection with good avalanche). */
function mix32(z: number): number {
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
  return (z ^ (z >>> 16)) >>> 0;
}
