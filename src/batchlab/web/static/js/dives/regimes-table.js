// C10 regimes-table: B = 1, 32, 64, 128 and N side by side on the race's dataset
// (/api/dives/regimes): examples per update, updates per epoch, the exact gradient noise
// tr Cov(g_B) = (N−B)/(B(N−1))·tr Σ at the race's start with a sampled estimate beside it,
// the measured time per update, and the role each regime plays in practice.
import { el, getTyped, richText, select, whenVisible } from "../measures.js";
import { fmt, signed } from "../look.js";
import { fmtTime } from "./cost-dial.js";
import { DATASETS, datasetName } from "./common.js";
const GLYPH = { full: "●", mini: "■", stochastic: "▲" }; // the race's markers: shape, not only colour

function regime(b, n) {
  if (b === n) return { key: "full", name: "Full batch",
    role: "Small datasets, analysis and methods that need the exact gradient (line search, L-BFGS, Newton)." };
  if (b === 1) return { key: "stochastic", name: "Stochastic",
    role: "Mostly conceptual: the textbook case and the basis of SGD's theory; one example leaves parallel hardware idle." };
  return { key: "mini", name: "Mini-batch",
    role: b === 32 ? "The default in practice; 32 is a common first try." :
      b === 64 ? "The default; 64 is another usual start, fitted to memory and hardware." :
        "The default; larger sizes like 128 usually want a re-tuned learning rate." };
}

/** A noise value for people: 4 significant digits; zero when it is only rounding. */
function noise(v, scale) {
  return Math.abs(v) <= 1e-12 * scale ? "0" : fmt(v, 4);
}

function td(label, main, sub) {
  const c = el("td", { "data-label": label });
  c.append(el("span", { class: "rt-main" }, main));
  if (sub) c.append(el("span", { class: "rt-sub" }, sub));
  return c;
}

function table(d) {
  const t = el("table", { class: "rt-table" });
  t.append(el("caption", { class: "rt-caption" },
    `${datasetName(d.dataset)}, N = ${fmt(d.n)}; noise at the race's full-batch start, where tr Σ = ${fmt(d.trace_sigma, 4)}`));
  const head = el("tr");
  for (const h of ["Regime", "Examples per update", "Updates per epoch", "Gradient noise tr Cov(g_B)", "Typical role"]) {
    head.append(el("th", { scope: "col" }, richText(h))); // g_B with a real subscript
  }
  const thead = el("thead"); thead.append(head);
  const body = el("tbody");
  const scale = d.trace_sigma;
  d.batch_sizes.forEach((b, i) => {
    const r = regime(b, d.n), tr = el("tr", { class: `rt-row rt-${r.key}`, "data-b": String(b) });
    const th = el("th", { scope: "row" });
    th.append(el("span", { class: `rt-glyph rt-${r.key}`, "aria-hidden": "true" }, GLYPH[r.key]),
      el("span", { class: "rt-name" }, ` ${r.name}`), el("span", { class: "rt-sub" }, `B = ${b === d.n ? "N = " : ""}${fmt(b)}`));
    const last = d.last_batch[i];
    const sampled = d.sampled[i] <= 1e-12 * scale ? "sampled: 0 (every batch is the dataset)"
      : `sampled: ${fmt(d.sampled[i], 4)} ± ${fmt(d.sampled_se[i], 2)}`;
    tr.append(th,
      td("Examples per update", fmt(d.examples_per_update[i]), `measured ${fmtTime(d.seconds_per_update[i])}`),
      td("Updates per epoch", fmt(d.updates_per_epoch[i]), last === b ? "all batches full" : `last batch ${fmt(last)}`),
      td("Gradient noise", noise(d.exact[i], scale), sampled),
      td("Typical role", r.role));
    tr.lastChild.classList.add("rt-role");
    body.append(tr);
  });
  t.append(thead, body);
  return t;
}

function check(d) {
  const i = Array.from(d.batch_sizes).indexOf(32);
  if (i < 0) return "";
  const diff = d.sampled[i] - d.exact[i], z = diff / d.sampled_se[i];
  return `Check at B = 32: the formula gives tr Cov(g_B) = ${fmt(d.exact[i], 4)}; ${fmt(d.draws)} random batches give ` +
    `${fmt(d.sampled[i], 4)} (a difference of ${signed(100 * diff / d.exact[i], 2)}%, ${fmt(Math.abs(z), 2)} standard errors).`;
}

function trend(d) {
  const bs = Array.from(d.batch_sizes), a = bs.indexOf(32), b = bs.indexOf(64);
  if (a < 0 || b < 0) return "";
  return `From B = 32 to 64 the cost per update doubles and the noise falls to ${fmt(d.exact[b] / d.exact[a], 3)}× its value; ` +
    `B = N costs ${fmt(d.n)} examples per update and has no noise at all. Times are measured on this server ` +
    "(the dial above), once per server process; they differ from run to run.";
}

export function mount(root, uid) {
  const title = root.getAttribute("aria-label") || "Three regimes side by side";
  let dataset = root.dataset.dataset || "synthetic";
  root.replaceChildren();
  const inputs = el("div", { class: "widget-inputs" });
  const [dsLabel, ds] = select(`${uid}-ds`, "Dataset", DATASETS, dataset);
  inputs.append(dsLabel);
  const holder = el("div", { class: "rt-holder", "aria-live": "polite" });
  const checkLine = el("p", { class: "rt-check", "data-check": "" });
  const note = el("p", { class: "widget-note", "aria-live": "polite" }, "Computing…");
  root.append(el("p", { class: "widget-title" }, title), inputs, holder, checkLine, note);

  const load = async () => {
    note.textContent = "Computing…"; ds.disabled = true;
    try {
      const d = await getTyped(`/api/dives/regimes?dataset=${encodeURIComponent(dataset)}`);
      holder.replaceChildren(table(d));
      checkLine.replaceChildren(richText(check(d)));
      note.textContent = trend(d);
      root.dataset.drawn = "1";
    } catch (err) {
      note.textContent = `Could not compute: ${err.message}.`;
    } finally {
      ds.disabled = false;
    }
  };
  ds.addEventListener("change", () => { dataset = ds.value; root.dataset.drawn = "0"; load(); });
  whenVisible(root, load);
}
