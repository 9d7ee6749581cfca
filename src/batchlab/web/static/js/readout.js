// Numbers at the playhead (or at a hovered update): update, epoch, examples, loss, step, batch.
import { fmt, fmtSci } from "./look.js";
import { batchOf } from "./model.js";

function batchText(m, k, n) {
  if (k < 1) return "— (start)";
  const idx = batchOf(m, k);
  if (idx.length === n && m.key === "full") return `all ${fmt(n)} examples`;
  const shown = idx.slice(0, 10).join(", ");
  return idx.length > 10 ? `[${shown}, …] (${idx.length})` : `[${shown}]`;
}

/** The readout table: one row per method. */
export class Readout {
  constructor(root) {
    this.rows = Object.fromEntries([...root.querySelectorAll("tr[data-method]")].map((tr) => [
      tr.dataset.method,
      { tr, cells: Object.fromEntries([...tr.querySelectorAll("[data-r]")].map((td) => [td.dataset.r, td])) },
    ]));
  }

  /** Show update ks[i] for each method; `hovered` marks the row a pointer is on. */
  update(model, ks, hovered) {
    model.methods.forEach((m, i) => {
      const k = ks[i], row = this.rows[m.key];
      const c = row.cells;
      c.update.textContent = `${fmt(k)}`;
      c.epoch.textContent = k < 1 ? "—" : `${m.epoch[k] + 1}`;
      c.examples.textContent = fmt(m.examples[k]);
      c.loss.textContent = fmtSci(m.loss[k]);
      c.eta.textContent = k < 1 ? "—" : fmtSci(m.step_lr[k - 1]);
      c.batch.textContent = batchText(m, k, model.n);
      row.tr.classList.toggle("hovered", hovered === m.key);
    });
  }
}
