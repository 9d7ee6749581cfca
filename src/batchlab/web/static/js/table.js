// The race as a table: the text alternative to the figure (one row per epoch).
import { divergedText, signed } from "./look.js";

function cell(tag, text, attrs = {}) {
  const el = document.createElement(tag);
  el.textContent = text;
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  return el;
}

/** Fill `root` with a summary table and an end-of-epoch table. */
export function renderTable(root, model) {
  root.replaceChildren();
  const sum = document.createElement("table");
  sum.append(cell("caption", "Summary per method (roughness: the path's length divided by the straight distance from its start to its end; 1 is a straight line)"));
  const head = ["method", "B", "updates per epoch", "updates", "final w", "final b", "final J", "roughness", "status"];
  sum.append(Object.assign(document.createElement("thead"), {}));
  const tr = document.createElement("tr");
  head.forEach((h) => tr.append(cell("th", h, { scope: "col" })));
  sum.tHead.append(tr);
  const body = sum.createTBody();
  for (const m of model.methods) {
    const r = body.insertRow(), k = m.updates;
    r.append(cell("th", m.label, { scope: "row" }));
    for (const v of [m.batch_size, m.updates_per_epoch, k, m.w[k], m.b[k], m.loss[k], m.roughness]) r.append(cell("td", signed(v)));
    r.append(cell("td", m.diverged ? divergedText(m) : "finished"));
  }
  const ep = document.createElement("table");
  ep.append(cell("caption", `Position and loss at the end of each epoch (minimum: w = ${signed(model.raw.minimum.w)}, b = ${signed(model.raw.minimum.b)}, J = ${signed(model.raw.minimum.loss)})`));
  const h2 = ep.createTHead().insertRow();
  h2.append(cell("th", "epoch", { scope: "col" }));
  for (const m of model.methods) for (const s of ["w", "b", "J"]) h2.append(cell("th", `${m.label} ${s}`, { scope: "col" }));
  const b2 = ep.createTBody();
  for (let e = 0; e <= model.spec.epochs; e++) {
    const r = b2.insertRow();
    r.append(cell("th", String(e), { scope: "row" }));
    for (const m of model.methods) {
      const k = e * m.updates_per_epoch;
      const ok = k <= m.updates;
      for (const arr of [m.w, m.b, m.loss]) r.append(cell("td", ok ? signed(arr[k]) : "—"));
    }
  }
  root.append(sum, ep);
}
