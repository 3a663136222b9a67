/**
 * The dashboard page: the list of runs, the charts of the selected runs, and the focused run's
 * samples, evaluations and config. The selection, the focused run and the tab live in the URL's
 * hash, so a reload or a shared link shows the same view.
 *
 * Live updates by polling, not server-sent events: every second each selected run's
 * metrics.jsonl is asked for from the byte offset the last answer ended at, so an idle run costs
 * the server one stat, the server keeps no state per page and watches no files (fs.watch misses
 * changes on network file systems, where runs often live), and a restarted server loses nothing.
 * The run list, with its statuses, is reloaded every 5 s.
 */
import { Charts } from "./charts.js";
import { renderConfig, renderEvals } from "./details.js";
import { ago, el, getJson } from "./dom.js";
import { SampleBrowser } from "./samples.js";
import { toColumns } from "./series.js";

const POLL_MS = 1000;
const RUNS_EVERY = 5;
const PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"];

const $ = (id) => document.getElementById(id);

const state = {
  root: "",
  runs: [],
  byId: new Map(),
  /** Run ids drawn on the charts, in the order they were selected. */
  selected: [],
  focus: null,
  tab: "charts",
  /** id → { offset, identity, rows: Map<step, record>, last: highest step, columns: toColumns(rows) or null } */
  metrics: new Map(),
};

const charts = new Charts($("charts"));
const samples = new SampleBrowser($("tab-samples"));

/** A run's name on the page: its path under the runs directory, or its directory's name when it is the runs directory. */
function title(run) {
  return run.id === "." ? run.name : run.id;
}

/** The series a run belongs to when seeds are grouped: its comparison's algorithm, or itself. */
function groupOf(run) {
  return run.compare !== null ? `${run.compare} · ${run.algorithm}` : title(run);
}

/** Reads the lines appended to a run's metrics.jsonl since the last call; true if anything changed. */
async function pullMetrics(id) {
  let m = state.metrics.get(id);
  if (!m) state.metrics.set(id, (m = { offset: 0, identity: undefined, rows: new Map(), last: 0, columns: null }));
  const q = new URLSearchParams({ run: id, offset: String(m.offset), ...(m.identity !== undefined && { identity: m.identity }) });
  const r = await getJson(`/api/metrics?${q}`);
  if (r.reset) {
    m.rows.clear();
    m.last = 0;
  }
  const before = m.last;
  if (r.records.some((rec) => rec.step <= before)) {
    // The steps went back: a resumed run rewrote the file in place. Read it anew.
    state.metrics.delete(id);
    return pullMetrics(id);
  }
  for (const rec of r.records) {
    if (typeof rec.step !== "number") continue;
    m.rows.set(rec.step, rec);
    m.last = Math.max(m.last, rec.step);
  }
  m.offset = r.offset;
  m.identity = r.identity;
  const changed = r.reset || r.records.length > 0 || m.columns === null;
  if (changed) m.columns = null;
  return changed;
}

function chartOptions() {
  return { smoothing: Number($("smoothing").value), log: $("log-scale").checked, groupSeeds: $("group-seeds").checked };
}

function renderCharts() {
  const opts = chartOptions();
  const owners = [];
  const runs = state.selected
    .filter((id) => state.metrics.has(id) && state.byId.has(id))
    .map((id) => {
      const m = state.metrics.get(id);
      m.columns ??= toColumns(m.rows.values());
      const run = state.byId.get(id);
      const group = groupOf(run);
      const owner = opts.groupSeeds ? group : id;
      if (!owners.includes(owner)) owners.push(owner);
      return { label: title(run), group, color: PALETTE[owners.indexOf(owner) % PALETTE.length], steps: m.columns.steps, columns: m.columns.columns };
    });
  charts.render(runs, opts);
  const steps = runs.map((r) => r.steps.length).reduce((a, b) => a + b, 0);
  $("chart-status").textContent = runs.length ? `${runs.length} run${runs.length > 1 ? "s" : ""}, ${steps} steps` : "select a run on the left";
}

function runRow(run, name) {
  return el(
    "div",
    { class: `run${run.id === state.focus ? " focused" : ""}`, dataset: { run: run.id } },
    el("input", { type: "checkbox", title: "draw on the charts", checked: state.selected.includes(run.id), onchange: (e) => select([run.id], e.target.checked) }),
    el("button", { class: "run-name", title: run.id, onclick: () => focus(run.id) }, name),
    el("span", { class: `badge ${run.status ?? "unknown"}` }, run.status ?? "no run.json"),
    el("span", { class: "muted" }, run.step !== undefined ? `${run.step}/${run.total_steps ?? "?"}` : ""),
  );
}

function compareBlock(id, runs) {
  return el(
    "div",
    { class: "compare" },
    el(
      "label",
      { class: "compare-head" },
      el("input", { type: "checkbox", dataset: { compare: id }, checked: runs.every((r) => state.selected.includes(r.id)), onchange: (e) => select(runs.map((r) => r.id), e.target.checked) }),
      ` ${id} `,
      el("span", { class: "muted" }, `rlzero compare · ${runs.length} runs`),
    ),
    ...runs.map((r) => runRow(r, r.name)),
  );
}

function renderSidebar() {
  const needle = $("run-filter").value.trim().toLowerCase();
  const blocks = new Map(); // a comparison's runs shown together, in the place of its first run
  for (const r of state.runs) {
    if (needle && !r.id.toLowerCase().includes(needle)) continue;
    const key = r.compare !== null ? `compare:${r.compare}` : `run:${r.id}`;
    if (!blocks.has(key)) blocks.set(key, []);
    blocks.get(key).push(r);
  }
  $("root").textContent = state.root;
  $("run-list").replaceChildren(
    ...[...blocks].map(([key, runs]) => (key.startsWith("compare:") ? compareBlock(runs[0].compare, runs) : runRow(runs[0], title(runs[0])))),
    ...(state.runs.length ? [] : [el("p", { class: "muted" }, "no runs here yet (a run is a directory with run.json or metrics.jsonl)")]),
  );
}

function renderHeader() {
  const run = state.byId.get(state.focus);
  if (!run) return $("run-header").replaceChildren(el("h2", {}, "no run selected"));
  const facts = [
    run.step !== undefined && `step ${run.step} of ${run.total_steps ?? "?"}`,
    run.kind,
    run.started && `started ${new Date(run.started).toLocaleString()}`,
    run.updated && `updated ${ago(run.updated)}`,
  ].filter(Boolean);
  $("run-header").replaceChildren(
    el("h2", {}, title(run), " ", el("span", { class: `badge ${run.status ?? "unknown"}` }, run.status ?? "no run.json")),
    el("div", { class: "muted" }, facts.join(" · ")),
    ...run.problems.map((p) => el("div", { class: "problem" }, p)),
  );
}

async function renderTab() {
  for (const b of document.querySelectorAll("#tabs button")) b.classList.toggle("active", b.dataset.tab === state.tab);
  for (const t of ["charts", "samples", "evals", "config"]) $(`tab-${t}`).hidden = t !== state.tab;
  if (state.tab === "charts") charts.resize();
  if (!state.focus) return;
  if (state.tab === "samples") await samples.open(state.focus);
  if (state.tab === "evals") renderEvals($("tab-evals"), await getJson(`/api/run?${new URLSearchParams({ run: state.focus })}`));
  if (state.tab === "config") {
    const ids = [state.focus, ...state.selected.filter((id) => id !== state.focus)];
    const details = await Promise.all(ids.map((id) => getJson(`/api/run?${new URLSearchParams({ run: id })}`)));
    renderConfig($("tab-config"), details[0], details.filter((d) => state.selected.includes(d.id)));
  }
}

function saveHash() {
  const h = new URLSearchParams();
  if (state.focus) h.set("focus", state.focus);
  for (const id of state.selected) h.append("run", id);
  h.set("tab", state.tab);
  history.replaceState(null, "", `#${h}`);
}

function select(ids, on) {
  state.selected = on ? [...state.selected, ...ids.filter((id) => !state.selected.includes(id))] : state.selected.filter((id) => !ids.includes(id));
  saveHash();
  renderSidebar();
  renderCharts();
  poll();
}

function focus(id) {
  state.focus = id;
  if (!state.selected.includes(id)) state.selected.push(id);
  saveHash();
  renderSidebar();
  renderHeader();
  renderTab().catch(showError);
  poll();
}

async function loadRuns() {
  const r = await getJson("/api/runs");
  state.root = r.root;
  state.runs = r.runs;
  state.byId = new Map(r.runs.map((run) => [run.id, run]));
  state.selected = state.selected.filter((id) => state.byId.has(id));
  if (!state.byId.has(state.focus)) state.focus = null;
  renderSidebar();
  renderHeader();
}

function showError(err) {
  $("error").textContent = err ? String(err.message ?? err) : "";
  $("error").hidden = !err;
}

let ticks = 0;
let polling = null;
/** One poll of the selected runs (and every RUNS_EVERY-th, of the run list); never two at once. */
function poll() {
  polling ??= (async () => {
    try {
      if (ticks++ % RUNS_EVERY === 0) await loadRuns();
      const changed = await Promise.all(state.selected.map(pullMetrics));
      if (changed.some(Boolean)) renderCharts();
      showError(null);
    } catch (err) {
      showError(err);
    } finally {
      polling = null;
    }
  })();
  return polling;
}

async function start() {
  const h = new URLSearchParams(location.hash.slice(1));
  state.tab = h.get("tab") ?? "charts";
  await loadRuns();
  state.selected = h.getAll("run").filter((id) => state.byId.has(id));
  const newest = [...state.runs].sort((a, b) => String(b.updated ?? "").localeCompare(String(a.updated ?? "")))[0];
  const focusId = h.get("focus") ?? state.selected[0] ?? newest?.id;
  $("tabs").addEventListener("click", (e) => {
    if (!e.target.dataset.tab) return;
    state.tab = e.target.dataset.tab;
    saveHash();
    renderTab().catch(showError);
  });
  $("run-filter").addEventListener("input", renderSidebar);
  $("smoothing").addEventListener("input", () => {
    $("smoothing-value").textContent = $("smoothing").value;
    renderCharts();
  });
  $("log-scale").addEventListener("change", renderCharts);
  $("group-seeds").addEventListener("change", renderCharts);
  if (focusId && state.byId.has(focusId)) focus(focusId);
  else renderCharts();
  setInterval(poll, POLL_MS);
}

start().catch(showError);
