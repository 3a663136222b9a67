/**
 * Stop-string detection during generation. Each step decodes only the last few tokens of a
 * sequence (enough to hold the longest stop string, since every token decodes to at least one
 * character or completes a partial one), so the check costs the same at token 10 as at 8,000.
 * A stop string found in that window ended at the newest token: earlier steps would have seen it.
 */
export class StopStringMatcher {
  private readonly window: number;

  constructor(private readonly stops: readonly string[], private readonly decode?: (ids: number[]) => string) {
    if (stops.length > 0 && !decode) throw new Error("stop strings need a tokenizer to decode with");
    if (stops.some((s) => s.length === 0)) throw new Error("a stop string is empty");
    this.window = Math.max(0, ...stops.map((s) => s.length)) + 4;
  }

  /** True when the generated tokens now contain a stop string. */
  matches(tokenIds: number[]): boolean {
    if (this.stops.length === 0) return false;
    const tail = this.decode!(tokenIds.slice(-this.window));
    return this.stops.some((s) => tail.includes(s));
  }

  /** The text up to and including the first stop string (all of it when there is none). */
  cut(text: string): string {
    let end = text.length;
    for (const s of this.stops) {
      const i = text.indexOf(s);
      if (i >= 0) end = Math.min(end, i + s.length);
    }
    return text.slice(0, end);
  }
}
