/**
 * `rlzero grade`: grades a JSONL file of responses through the verifier pool, writes each line
 * back with `extracted`, `correct` and `reason` added (to --output, else stdout), and prints
 * accuracy and a count per reason. Malformed lines are reported with their line number and
 * skipped. Simplification: the whole file is read into memory.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { AnswerFormatSchema } from "../rewards/config.ts";
import { VerifierPool } from "../rewards/pool.ts";
import { UserInputError } from "../errors.ts";

export async function gradeCommand(opts: { input: string; responseField: string; answerField: string; format: string; output?: string }): Promise<void> {
  const format = AnswerFormatSchema.safeParse(opts.format);
  if (!format.success) throw new UserInputError(`--format must be one of ${AnswerFormatSchema.options.join(", ")} (got "${opts.format}")`);
  if (!existsSync(opts.input)) throw new UserInputError(`--input: ${opts.input} does not exist`);
  const lines = readFileSync(opts.input, "utf8").split("\n");
  const rows: { lineNo: number; obj: Record<string, unknown> }[] = [];
  let skipped = 0;
  lines.forEach((line, i) => {
    if (!line.trim()) return;
    let obj: unknown;
    try {
      obj = JSON.parse(line);
    } catch (e) {
      console.error(`${opts.input}:${i + 1}: skipped, not valid JSON (${(e as Error).message})`);
      skipped++;
      return;
    }
    if (typeof obj !== "object" || obj === null || Array.isArray(obj)) {
      console.error(`${opts.input}:${i + 1}: skipped, not a JSON object`);
      skipped++;
      return;
    }
    const o = obj as Record<string, unknown>;
    if (typeof o[opts.responseField] !== "string") {
      console.error(`${opts.input}:${i + 1}: skipped, field "${opts.responseField}" missing or not a string`);
      skipped++;
      return;
    }
    if (o[opts.answerField] === undefined || o[opts.answerField] === null) {
      console.error(`${opts.input}:${i + 1}: skipped, field "${opts.answerField}" missing`);
      skipped++;
      return;
    }
    rows.push({ lineNo: i + 1, obj: o });
  });

  const pool = new VerifierPool({ config: { format: format.data } });
  try {
    const verdicts = await pool.gradeAll(
      rows.map(({ obj }) => {
        const ans = obj[opts.answerField];
        const choices = Array.isArray(obj.choices) ? obj.choices.map(String) : undefined;
        const finish = obj.finish_reason === "length" || obj.truncated === true ? "length" : "stop";
        return { response: obj[opts.responseField] as string, answer: typeof ans === "number" ? String(ans) : ans, finishReason: finish, choices };
      }),
    );
    const out = rows.map(({ obj }, i) => JSON.stringify({ ...obj, extracted: verdicts[i]!.extracted, correct: verdicts[i]!.correct, reason: verdicts[i]!.reason }));
    if (opts.output) writeFileSync(opts.output, out.join("\n") + (out.length ? "\n" : ""));
    else for (const l of out) console.log(l);

    const counts = new Map<string, number>();
    for (const v of verdicts) counts.set(v.reason, (counts.get(v.reason) ?? 0) + 1);
    const correct = verdicts.filter((v) => v.correct).length;
    const acc = verdicts.length ? (100 * correct) / verdicts.length : 0;
    const log = opts.output ? console.log : console.error;
    log(`graded ${verdicts.length} responses (${skipped} malformed lines skipped): accuracy ${acc.toFixed(2)}% (${correct}/${verdicts.length})`);
    for (const [reason, n] of [...counts.entries()].sort((a, b) => b[1] - a[1])) log(`  ${reason}: ${n}`);
  } finally {
    await pool.close();
  }
}
