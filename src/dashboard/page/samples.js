/**
 * The sample browser: one step's logged rollouts (prompt, response, answer, extracted answer,
 * reward, the verifier's reason), searched by text and filtered correct / incorrect, or one
 * prompt (its prompt_key) followed across every step. The server returns only the lines asked
 * for; search and filter run here over those. The list carries data-count (samples shown) and
 * each card data-correct, data-step and data-prompt-key, which the browser test reads.
 */
import { el, fmt, getJson } from "./dom.js";

/** The fields searched by text. */
const SEARCHED = ["prompt", "response", "answer", "extracted", "reason"];

export class SampleBrowser {
  constructor(root) {
    this.run = null;
    this.steps = [];
    this.samples = [];
    this.step = null;
    this.promptKey = null;
    this.stepSelect = el("select", { id: "sample-step", onchange: () => this.showStep(Number(this.stepSelect.value)) });
    this.search = el("input", { id: "sample-search", type: "search", placeholder: "search prompts and responses", oninput: () => this.renderList() });
    this.filter = el(
      "select",
      { id: "sample-filter", onchange: () => this.renderList() },
      el("option", { value: "all" }, "all"),
      el("option", { value: "correct" }, "correct"),
      el("option", { value: "incorrect" }, "incorrect"),
    );
    this.title = el("div", { id: "sample-title" });
    this.list = el("div", { id: "sample-list" });
    root.replaceChildren(
      el(
        "div",
        { class: "controls" },
        el("button", { id: "sample-prev", onclick: () => this.move(-1) }, "◀"),
        el("label", {}, "step ", this.stepSelect),
        el("button", { id: "sample-next", onclick: () => this.move(1) }, "▶"),
        this.search,
        el("label", {}, "show ", this.filter),
      ),
      this.title,
      this.list,
    );
  }

  /** Shows `run`: its last step with samples the first time, else the same view, reloaded. */
  open(run) {
    if (run !== this.run) {
      this.run = run;
      this.step = null;
      this.promptKey = null;
    }
    if (this.promptKey !== null) return this.follow(this.promptKey);
    return this.step === null ? this.load({}) : this.showStep(this.step);
  }

  showStep(step) {
    return this.load({ step: String(step) });
  }

  follow(promptKey) {
    return this.load({ prompt_key: String(promptKey) });
  }

  move(delta) {
    const i = this.steps.findIndex((s) => s.step === this.step);
    const next = this.steps[i + delta];
    if (next) return this.showStep(next.step);
  }

  async load(params) {
    const r = await getJson(`/api/samples?${new URLSearchParams({ run: this.run, ...params })}`);
    this.steps = r.steps;
    this.samples = r.samples;
    this.promptKey = r.prompt_key ?? null;
    if (this.promptKey === null) this.step = r.step;
    this.stepSelect.replaceChildren(
      ...this.steps.map((s) => el("option", { value: s.step, selected: s.step === this.step }, `${s.step} (${s.count})`)),
    );
    this.renderList();
  }

  /** The samples passing the text search and the correct / incorrect filter. */
  visible() {
    const needle = this.search.value.trim().toLowerCase();
    const want = this.filter.value;
    return this.samples.filter(
      (s) =>
        (want === "all" || (want === "correct") === (s.correct === true)) &&
        (!needle || SEARCHED.some((f) => String(s[f] ?? "").toLowerCase().includes(needle))),
    );
  }

  renderList() {
    const shown = this.visible();
    const needle = this.search.value.trim();
    const correct = shown.filter((s) => s.correct === true).length;
    const summary = `${shown.length} of ${this.samples.length} samples, ${correct} correct`;
    if (this.promptKey !== null) {
      this.title.replaceChildren(
        el("strong", {}, `prompt ${this.promptKey} across steps`),
        ` · ${summary} · `,
        el("button", { id: "sample-unfollow", onclick: () => this.showStep(this.step) }, `back to step ${this.step}`),
        el("pre", { class: "prompt" }, highlight(String(this.samples[0]?.prompt ?? ""), needle)),
        progress(this.samples),
      );
    } else {
      this.title.replaceChildren(this.samples.length ? summary : "no samples logged for this run");
    }
    this.list.dataset.count = String(shown.length);
    this.list.replaceChildren(...shown.map((s) => this.card(s, needle)));
  }

  card(s, needle) {
    const following = this.promptKey !== null;
    return el(
      "article",
      { class: `sample ${s.correct ? "correct" : "incorrect"}`, dataset: { correct: String(s.correct === true), step: s.step, promptKey: s.prompt_key } },
      el(
        "header",
        {},
        el("span", { class: `mark ${s.correct ? "ok" : "bad"}` }, s.correct ? "✓" : "✗"),
        ` step ${s.step} · prompt `,
        following ? String(s.prompt_key) : el("button", { class: "follow", title: "follow this prompt across steps", onclick: () => this.follow(s.prompt_key) }, String(s.prompt_key)),
        ` · sample ${s.sample} · reward ${fmt(s.reward)} · ${s.reason ?? ""} · ${s.finish_reason ?? ""} · ${s.length ?? "?"} tokens`,
      ),
      following ? null : el("details", {}, el("summary", {}, "prompt"), el("pre", { class: "prompt" }, highlight(String(s.prompt ?? ""), needle))),
      el("pre", { class: "response" }, highlight(String(s.response ?? ""), needle)),
      el("div", { class: "answers" }, "answer ", el("code", {}, highlight(String(s.answer ?? ""), needle)), " · extracted ", el("code", {}, highlight(String(s.extracted ?? "—"), needle))),
    );
  }
}

/** Text with each case-insensitive occurrence of `needle` wrapped in <mark>. */
function highlight(text, needle) {
  if (!needle) return text;
  const parts = [];
  const lower = text.toLowerCase();
  const n = needle.toLowerCase();
  let from = 0;
  for (let i = lower.indexOf(n); i !== -1; i = lower.indexOf(n, from)) {
    parts.push(text.slice(from, i), el("mark", {}, text.slice(i, i + n.length)));
    from = i + n.length;
  }
  parts.push(text.slice(from));
  return el("span", {}, ...parts);
}

/** A followed prompt's share of correct samples at each step. */
function progress(samples) {
  const byStep = new Map();
  for (const s of samples) {
    const t = byStep.get(s.step) ?? { n: 0, ok: 0 };
    t.n++;
    t.ok += s.correct === true ? 1 : 0;
    byStep.set(s.step, t);
  }
  return el("div", { class: "progress" }, ...[...byStep].map(([step, t]) => el("span", { class: "pill" }, `step ${step}: ${t.ok}/${t.n}`)));
}
