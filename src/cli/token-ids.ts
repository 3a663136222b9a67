/** Parsing of comma-separated token ids given on the command line. */
import { UserInputError } from "../errors.ts";

export function parseIds(flag: string, value: string): number[] {
  const ids = value.split(",").map((s) => s.trim()).filter((s) => s.length > 0).map(Number);
  const bad = ids.findIndex((n) => !Number.isInteger(n) || n < 0);
  if (ids.length === 0 || bad >= 0) {
    throw new UserInputError(`${flag}: expected comma-separated non-negative integers, got "${value}"`);
  }
  return ids;
}
