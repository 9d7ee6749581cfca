// Lesson widgets: the content's <div class="widget" data-widget="NAME"> placeholders, mounted by name.
import { fmt } from "./look.js";
import { el, numberInput, outCells } from "./measures.js";

/** Updates per epoch: the same formula as core.batching.iterations_per_epoch. */
export function updatesPerEpoch(n, b, dropLast) {
  return dropLast ? Math.floor(n / b) : Math.ceil(n / b);
}

function mountUpdatesPerEpoch(root, uid) {
  const n0 = Number(root.dataset.n) || 1000, b0 = Number(root.dataset.b || root.dataset.batch) || 32;
  root.replaceChildren();
  root.append(el("p", { class: "widget-title" }, "Try it: updates per epoch"));
  const inputs = el("div", { class: "widget-inputs" });
  const [ln, inN] = numberInput(`${uid}-n`, "Examples N", n0, 1, 1000000);
  const [lb, inB] = numberInput(`${uid}-b`, "Batch size B", b0, 1, 1000000);
  inputs.append(ln, lb);
  const out = el("dl", { class: "widget-out", "aria-live": "polite" });
  const cells = outCells(out, [["keep", "mini-batch, keep last: ⌈N/B⌉"], ["drop", "drop last: ⌊N/B⌋"],
    ["stochastic", "stochastic (B = 1)"], ["full", "full batch (B = N)"]]);
  const note = el("p", { class: "widget-note", "aria-live": "polite" });
  root.append(inputs, out, note);
  const render = () => {
    const n = Math.floor(Number(inN.value)), b = Math.floor(Number(inB.value));
    const valid = n >= 1 && b >= 1 && b <= n;
    inN.setAttribute("aria-invalid", String(!(n >= 1)));
    inB.setAttribute("aria-invalid", String(!(b >= 1 && b <= n)));
    if (!valid) {
      for (const c of Object.values(cells)) c.textContent = "—";
      note.textContent = n >= 1 ? `B must be between 1 and N = ${fmt(n)}.` : "N must be at least 1.";
      return;
    }
    const keep = updatesPerEpoch(n, b, false), drop = updatesPerEpoch(n, b, true);
    cells.keep.textContent = fmt(keep); cells.drop.textContent = fmt(drop);
    cells.stochastic.textContent = fmt(n); cells.full.textContent = "1";
    const last = n - (keep - 1) * b;
    note.textContent = last === b
      ? `B divides N: every batch holds ${fmt(b)} examples, so keeping or dropping the last changes nothing.`
      : `The last batch holds only ${fmt(last)} example${last === 1 ? "" : "s"}; drop-last skips it, giving ${fmt(drop)} updates.`;
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
