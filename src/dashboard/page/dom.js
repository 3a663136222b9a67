/** Small helpers the page's modules share: building elements and reading the server's JSON. */

/**
 * Creates an element. Attributes: `class`, `dataset` (an object), boolean properties
 * (`checked`, `open`, `hidden`, `selected`), `on<event>` listeners, anything else as an attribute.
 * Children: nodes or strings (as text, never parsed as HTML); null and false are skipped.
 */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "class") node.className = v;
    else if (k === "dataset") Object.assign(node.dataset, v);
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else if (k in node && typeof node[k] === "boolean") node[k] = Boolean(v);
    else node.setAttribute(k, String(v));
  }
  for (const c of children.flat()) if (c !== null && c !== undefined && c !== false) node.append(c);
  return node;
}

/** GET a JSON API route; throws with the server's message on an error status. */
export async function getJson(url) {
  const res = await fetch(url, { cache: "no-store" });
  const body = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(`${url}: ${body.error ?? res.status}`);
  return body;
}

/** A number for a table, axis or legend: integers as they are, others to 4 significant digits (1e-8, not 0). */
export function fmt(v) {
  if (typeof v !== "number") return v === undefined || v === null ? "" : String(v);
  const rounded = Number(v.toPrecision(4));
  if (Math.abs(v) >= 1e6 || (v !== 0 && Math.abs(v) < 1e-3)) return rounded.toExponential();
  return String(rounded);
}

/** How long ago an ISO time was, in words ("12 s ago", "3 min ago"). */
export function ago(iso) {
  const s = (Date.now() - Date.parse(iso)) / 1000;
  if (!Number.isFinite(s)) return "";
  if (s < 90) return `${Math.max(0, Math.round(s))} s ago`;
  if (s < 5400) return `${Math.round(s / 60)} min ago`;
  if (s < 172800) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86400)} days ago`;
}
