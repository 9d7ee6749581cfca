// Lesson widgets: the content's <div class="widget" data-widget="NAME"> placeholders, mounted by name.
import { fmt } from "./look.js";
import { el, numberInput, outCells } from "./measures.js";

/** Updates per epoch: the same formula as core.batching.iterations_per_epoch. */
export function updatesPerEpoch(n, b, dropLast) {
  return dropLast ? Math.floor(n / b) : Math.ceil(n / b);
}

const N_MAX = 1000000;

function mountUpdatesPerEpoch(root, uid) {
  const n0 = Number(root.dataset.n) || 1000, b0 = Number(root.dataset.b || root.dataset.batch) || 32;
  root.replaceChildren();
  root.append(el("p", { class: "widget-title" }, "Try it: updates per epoch"));
  const inputs = el("div", { class: "widget-inputs" });
  const [ln, inN] = numberInput(`${uid}-n`, "Examples N", n0, 1, N_MAX);
  const [lb, inB] = numberInput(`${uid}-b`, "Batch size B", b0, 1, N_MAX);
  inputs.append(ln, lb);
  const out = el("dl", { class: "widget-out", "aria-live": "polite" });
  const cells = outCells(out, [["keep", "mini-batch, keep last: ⌈N/B⌉"], ["drop", "drop last: ⌊N/B⌋"],
    ["stochastic", "stochastic (B = 1)"], ["full", "full batch (B = N)"]]);
  const err = el("p", { class: "field-error", role: "alert", id: `${uid}-err` });
  inN.setAttribute("aria-describedby", err.id); inB.setAttribute("aria-describedby", err.id);
  const note = el("p", { class: "widget-note", "aria-live": "polite" });
  root.append(inputs, err, out, note);
  const whole = (input, lo, hi) => {
    const v = Number(input.value);
    return input.value.trim() !== "" && Number.isInteger(v) && v >= lo && v <= hi ? v : null;
  };
  const render = () => {
    // whole numbers only: a fractional B (2.5) is no batch size, and rounding it would hide that
    const n = whole(inN, 1, N_MAX), b = n === null ? null : whole(inB, 1, n);
    inN.setAttribute("aria-invalid", String(n === null));
    inB.setAttribute("aria-invalid", String(n !== null && b === null));
    const why = n === null ? `N must be a whole number from 1 to ${fmt(N_MAX)}.`
      : b === null ? `B must be a whole number from 1 to N = ${fmt(n)}.` : "";
    err.textContent = why;
    if (why) {
      for (const c of Object.values(cells)) c.textContent = "—";
      note.textContent = "";
      return;
    }
    const keep = updatesPerEpoch(n, b, false), drop = updatesPerEpoch(n, b, true);
    cells.keep.textContent = fmt(keep); cells.drop.textContent = fmt(drop);
    cells.stochastic.textContent = fmt(n); cells.full.textContent = "1";
    const last = n - (keep - 1) * b;
    note.textContent = last === b
      ? `B divides N: every batch holds ${fmt(b)} examples, so keeping or dropping the last changes nothing.`
      : `The last batch holds only ${fmt(last)} example${last === 1 ? "" : "s"}; drop-last skips it, giving ${fmt(drop)} updates.`;
    root.dataset.drawn = "1";  // like every widget: its numbers are on screen
  };
  inN.addEventListener("input", render); inB.addEventListener("input", render);
  render();
}

const WIDGETS = { "updates-per-epoch": mountUpdatesPerEpoch };

/** Deep-dive widgets (part C), each in static/js/dives/NAME.js exporting mount(root, uid). */
const DIVES = new Set(["cost-dial", "regimes-table", "batch-rows", "coordinate-step", "epoch-builder",
  "sorted-data", "batch-arrows", "sum-vs-mean", "lr-scaling"]);

/** Mount every known widget under `root` (deep dives loaded on demand); others are left alone. */
export function mountWidgets(root, extra = {}) {
  const all = { ...WIDGETS, ...extra };
  root.querySelectorAll(".widget[data-widget]").forEach((w, i) => {
    const name = w.dataset.widget, mount = all[name];
    if (mount) { mount(w, `w${i}`); w.dataset.mounted = "1"; return; }
    if (!DIVES.has(name)) return;
    import(`./dives/${name}.js`).then((m) => { m.mount(w, `w${i}`); w.dataset.mounted = "1"; })
      .catch((err) => { w.textContent = `This widget could not load: ${err.message}`; });
  });
}
