/**
 * The dashboard end to end, in Debian's headless Chromium driven by playwright-core (no browser
 * is downloaded): the charts of a fixture run have one point per metrics.jsonl line, grow when a
 * line is appended, take a partial last line once it is complete, overlay and group the seeds of
 * a comparison; the sample browser shows a step, filters it, searches it and follows a prompt.
 * Screenshots are saved under test-artifacts/dashboard/.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, truncateSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type Page } from "playwright-core";
import { startDashboard } from "../../src/dashboard/server.ts";
import { readJsonl, scratchRuns } from "./helpers.ts";

const CHROMIUM = "/usr/bin/chromium";
const FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];
const ARTIFACTS = fileURLToPath(new URL("../../test-artifacts/dashboard/", import.meta.url));
const WAIT = { timeout: 8000 };

/** Per metric key, the number of lines of a metrics.jsonl holding a number for it. */
function pointsPerKey(file: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const line of readJsonl(file)) {
    for (const [k, v] of Object.entries(line)) if (k !== "step" && k !== "time" && typeof v === "number") counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  return counts;
}

/** data-key → data-points of every chart on the page. */
async function chartPoints(page: Page): Promise<Map<string, number>> {
  const pairs = await page.$$eval(".chart", (els) => els.map((e) => [e.getAttribute("data-key")!, Number(e.getAttribute("data-points"))] as [string, number]));
  return new Map(pairs);
}

function chart(page: Page, key: string, attrs: string): Promise<unknown> {
  return page.waitForSelector(`.chart[data-key="${key}"]${attrs}`, WAIT);
}

test("the dashboard in headless Chromium: charts, live updates, comparisons and samples", async (t) => {
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: run bash scripts/setup.sh (it installs Debian's chromium, which this test drives)`);
  const scratch = scratchRuns();
  const dashboard = await startDashboard({ runsDir: scratch.runs, host: "127.0.0.1", port: 0 });
  const profile = mkdtempSync(path.join(os.tmpdir(), "rlzero-chromium-"));
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: FLAGS, viewport: { width: 1440, height: 1000 } });
  const pageErrors: string[] = [];
  mkdirSync(ARTIFACTS, { recursive: true });
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    page.on("pageerror", (e) => pageErrors.push(e.message));
    page.on("console", (m) => m.type() === "error" && pageErrors.push(m.text()));
    const ppoMetrics = path.join(scratch.runs, "ppo-critic", "metrics.jsonl");

    await t.test("every chart of a PPO run has one point per line holding its key", async () => {
      await page.goto(`${dashboard.url}#focus=ppo-critic&run=ppo-critic`);
      await chart(page, "critic/score/mean", '[data-points="12"]');
      const expected = pointsPerKey(ppoMetrics);
      assert.deepEqual(await chartPoints(page), expected);
      assert.equal(expected.get("val-core/arith-eval/acc/mean@4"), 2, "evaluation at steps 5 and 10 only");
      assert.ok(expected.has("critic/vf_explained_var"), "the PPO fixture has its critic's keys");
      const sections = await page.$$eval(".section > summary", (els) => els.map((e) => e.firstChild!.textContent));
      assert.deepEqual(sections.slice(0, 3), ["Reward and accuracy", "Evaluation accuracy", "Response length"]);
      assert.ok(sections.includes("critic/") && sections.includes("timing_s/"), `other keys grouped by prefix: ${sections}`);
      await page.screenshot({ path: path.join(ARTIFACTS, "charts-ppo.png"), fullPage: false });
    });

    await t.test("a line appended to metrics.jsonl shows up on the charts", async () => {
      const last = readJsonl(ppoMetrics).at(-1)!;
      appendFileSync(ppoMetrics, JSON.stringify({ ...last, step: 13, "critic/score/mean": 0.9 }) + "\n");
      await chart(page, "critic/score/mean", '[data-points="13"]');
      await chart(page, "actor/entropy", '[data-points="13"]');
    });

    await t.test("a run being written: its partial last line is left out until the line is whole", async () => {
      const liveMetrics = path.join(scratch.runs, "live", "metrics.jsonl");
      const text = readFileSync(liveMetrics, "utf8");
      const wholeBytes = text.lastIndexOf("\n") + 1;
      assert.ok(wholeBytes < text.length, "the fixture ends in a partial line");
      await page.click('.run[data-run="live"] .run-name');
      await chart(page, "critic/score/mean", '[data-series-points="13,6"]');
      // The writer finishes its line: the partial bytes become a whole line 7.
      const line6 = readJsonl(liveMetrics).at(-1)!;
      truncateSync(liveMetrics, wholeBytes);
      appendFileSync(liveMetrics, JSON.stringify({ ...line6, step: 7 }) + "\n");
      await chart(page, "critic/score/mean", '[data-series-points="13,7"]');
    });

    await t.test("a comparison's runs overlaid, its seeds grouped into a mean line or drawn one by one", async () => {
      await page.click('.run[data-run="ppo-critic"] input');
      await page.click('.run[data-run="live"] input');
      await page.click('input[data-compare="compare"]');
      await chart(page, "critic/score/mean", '[data-series-points="8,8"]'); // grpo, ppo: each the mean of 2 seeds
      await chart(page, "val-core/arith-eval/acc/mean@4", '[data-series-points="2,2"]');
      await page.screenshot({ path: path.join(ARTIFACTS, "charts-compare.png") });
      await page.click("#group-seeds");
      await chart(page, "critic/score/mean", '[data-series-points="8,8,8,8"]');
      await page.click("#log-scale");
      await chart(page, "critic/score/mean", '[data-log="1"][data-series-points="8,8,8,8"]');
      await chart(page, "critic/advantages/min", '[data-log="1"][data-points="0"]'); // all negative: nothing on a log axis
      await page.click("#log-scale");
      await page.click("#group-seeds");
    });

    await t.test("the sample browser shows a step's samples, filters and searches them, and follows a prompt", async () => {
      const samples = readJsonl(path.join(scratch.runs, "ppo-critic", "samples.jsonl"));
      const step3 = samples.filter((s) => s.step === 3);
      const count = (attrs: string) => page.waitForSelector(`#sample-list${attrs}`, WAIT);
      await page.click('.run[data-run="ppo-critic"] .run-name');
      await page.click('#tabs button[data-tab="samples"]');
      await count(`[data-count="${samples.filter((s) => s.step === 12).length}"]`);
      await page.selectOption("#sample-step", "3");
      await count(`[data-count="${step3.length}"]:not(:has(.sample:not([data-step="3"])))`); // step 3's cards only

      const correct = step3.filter((s) => s.correct === true).length;
      assert.ok(correct > 0 && correct < step3.length, "step 3 of the fixture has both kinds");
      await page.selectOption("#sample-filter", "correct");
      await count(`[data-count="${correct}"]`);
      assert.deepEqual(await page.$$eval(".sample", (els) => els.map((e) => e.getAttribute("data-correct"))), Array(correct).fill("true"));
      await page.selectOption("#sample-filter", "incorrect");
      await count(`[data-count="${step3.length - correct}"]`);
      assert.deepEqual(await page.$$eval(".sample", (els) => els.map((e) => e.getAttribute("data-correct"))), Array(step3.length - correct).fill("false"));

      await page.selectOption("#sample-filter", "all");
      const needle = "91 + 9";
      const matching = step3.filter((s) => ["prompt", "response", "answer", "extracted", "reason"].some((f) => String(s[f] ?? "").includes(needle)));
      assert.ok(matching.length > 0 && matching.length < step3.length);
      await page.fill("#sample-search", needle);
      await count(`[data-count="${matching.length}"]`);
      assert.ok((await page.$$("#sample-list mark")).length >= matching.length, "matches are highlighted");

      const key = matching[0].prompt_key;
      const followed = samples.filter((s) => s.prompt_key === key);
      assert.ok(new Set(followed.map((s) => s.step)).size > 1, "the prompt recurs across steps");
      await page.fill("#sample-search", "");
      await page.click(`.sample[data-prompt-key="${key}"] .follow`);
      await count(`[data-count="${followed.length}"]`);
      const steps = await page.$$eval(".sample", (els) => els.map((e) => Number(e.getAttribute("data-step"))));
      assert.deepEqual(steps, followed.map((s) => s.step));
      await page.screenshot({ path: path.join(ARTIFACTS, "samples.png") });
    });

    await t.test("the evaluation and config tabs show the reports and config.yaml", async () => {
      await page.click('#tabs button[data-tab="evals"]');
      await page.waitForSelector('.eval[data-step="10"] table', WAIT);
      assert.deepEqual(await page.$$eval(".eval", (els) => els.map((e) => e.getAttribute("data-step"))), ["5", "10"]);
      await page.click('#tabs button[data-tab="config"]');
      const config = await (await page.waitForSelector("#config-text", WAIT)).textContent();
      assert.equal(config, readFileSync(path.join(scratch.runs, "ppo-critic", "config.yaml"), "utf8"));
    });

  } finally {
    await context.close();
    await dashboard.close();
    scratch.remove();
    rmSync(profile, { recursive: true, force: true });
  }
  assert.deepEqual(pageErrors, [], "no errors in the page");
  t.diagnostic(`screenshots in ${ARTIFACTS}`);
});
