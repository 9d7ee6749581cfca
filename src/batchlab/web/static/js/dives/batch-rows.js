// C2 batch-rows: pick the rows of a batch (click them in the table or the plot, type their
// indices, or draw a random batch); see them stacked into X_B and y_B, one forward pass
// X_B θ, the residuals, the per-example gradients and their mean g_B, next to the engine's
// own batch gradient (/api/dives/batch). The helpers exported here are shared with C3.
import { LOOK, fmt, superscript } from "../look.js";
import { CONFIG, el, getTyped, layout, plotlyReady, select, whenVisible } from "../measures.js";

const DATASETS = [
  ["synthetic", "Synthetic (regression)"],
  ["diabetes", "Diabetes (regression)"],
  ["synthetic-classification", "Synthetic (classification)"],
  ["breast-cancer", "Breast cancer (classification)"],
];
const MINUS = "\u2212";
const MML = "http://www.w3.org/1998/Math/MathML";
/** The batch ℬ_t = {3, 17, 42} of the lesson's text (c02-batch-rows.md): the widget opens on
 *  it, so its matrices are the ones the prose writes out. Every dataset has these rows. */
export const PROSE_ROWS = [3, 17, 42];
export const INK_SOFT = "#9aa3af";
export const RESIDUAL = "#b45309";

/** A number for a matrix cell: 3 decimals (with a real minus sign), tiny ones in e-notation. */
export function num(v, decimals = 3) {
  if (Number.isInteger(v)) return v < 0 ? MINUS + String(-v) : String(v); // labels 0/1, the ones column
  const a = Math.abs(v);
  const s = a >= 1e-3 && a < 1e5 ? a.toFixed(decimals) : a.toExponential(2).replace("e-", "e\u2212").replace("e+", "e");
  return v < 0 ? MINUS + s : s;
}

/** The same number wrapped in parentheses when negative, for products written out. */
export function factor(v, decimals = 3) {
  return v < 0 ? `(${num(v, decimals)})` : num(v, decimals);
}

/** A gap between two computations, e.g. "1.1 × 10⁻¹⁶" (or "0, bit for bit"). */
export function gap(v) {
  if (v === 0) return "0 (bit for bit)";
  const e = Math.floor(Math.log10(v)), m = v / 10 ** e;
  return `${m.toFixed(1)} × 10${superscript(e)}`;
}

/** A small MathML node: mml("msub", [mml("mi", "J"), mml("mi", "ℬ")]). */
export function mml(tag, content = [], attrs = {}) {
  const e = document.createElementNS(MML, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (typeof content === "string") e.textContent = content;
  else for (const c of content) e.append(c);
  return e;
}

/** An inline formula from MathML children. */
export function math(children, label) {
  return mml("math", children, label ? { "aria-label": label } : {});
}

/** ∂J_B/∂p as an inline MathML fraction. */
export function partial(p) {
  return math([mml("mfrac", [
    mml("mrow", [mml("mo", "∂"), mml("msub", [mml("mi", "J"), mml("mi", "ℬ")])]),
    mml("mrow", [mml("mo", "∂"), mml("mi", p)]),
  ])], `partial J_B over partial ${p}`);
}

/** Symbol with a subscript ℬ, e.g. X_ℬ, as MathML. */
export function sub(base, s = "ℬ", bold = false) {
  return math([mml("msub", [mml("mi", base, bold ? { mathvariant: "bold" } : {}), mml("mi", s)])]);
}

/** One cell; corner cells carry the short horizontal ticks of the square brackets. */
function bracketCell(v, i, j, nRows, nCols) {
  const td = el("td", { title: String(v) }, num(v));
  const at = [];
  if (j === 0 && i === 0) at.push("left top");
  if (j === 0 && i === nRows - 1) at.push("left bottom");
  if (j === nCols - 1 && i === 0) at.push("right top");
  if (j === nCols - 1 && i === nRows - 1) at.push("right bottom");
  if (at.length) {
    td.style.backgroundImage = at.map(() => "linear-gradient(#1b2330, #1b2330)").join(", ");
    td.style.backgroundPosition = at.join(", ");
    td.style.backgroundSize = at.map(() => "6px 1.5px").join(", ");
  }
  return td;
}

/** A bracketed matrix: values (rows × cols, or a 1-D column), column heads, optional row
 *  labels (left of the bracket), caption underneath. Each cell's title is the full value. */
export function matrix(values, { caption, heads = null, rowHeads = null, cls = "" } = {}) {
  const rows = Array.from(values, (r) => (typeof r === "number" ? [r] : Array.from(r)));
  const fig = el("figure", { class: `br-mat ${cls}`.trim() });
  const table = el("table", { class: "br-bracket" });
  if (heads) {
    const tr = el("tr");
    if (rowHeads) tr.append(el("td", { class: "br-rh" }));
    for (const h of heads) tr.append(el("th", { scope: "col" }, h));
    const thead = el("thead"); thead.append(tr); table.append(thead);
  }
  const tb = el("tbody");
  rows.forEach((r, i) => {
    const tr = el("tr");
    if (rowHeads) tr.append(el("th", { scope: "row", class: "br-rh" }, rowHeads[i]));
    r.forEach((v, j) => tr.append(bracketCell(v, i, j, rows.length, r.length)));
    tb.append(tr);
  });
  table.append(tb);
  fig.append(table);
  if (caption) {
    const cap = el("figcaption");
    cap.append(...caption);
    fig.append(cap);
  }
  return fig;
}

/** An operator between matrices (=, ·, −, σ(·) →). */
export function op(text, label) {
  return el("span", { class: "br-op", ...(label ? { "aria-label": label } : {}) }, text);
}

/** The "Dataset" select of C2 and C3, on `wanted` if it is one of theirs, else the synthetic one. */
export function datasetSelect(id, wanted) {
  return select(id, "Dataset", DATASETS, DATASETS.some(([v]) => v === wanted) ? wanted : "synthetic");
}

/** Controls shared by C2 and C3: type the rows, or draw a random batch of B; setError(msg)
 *  shows a message (or "") under the typed rows. */
export function rowControls(uid, maxRows) {
  const box = el("div", { class: "widget-inputs br-controls" });
  const typed = el("div", { class: "br-field" });
  const lab = el("label", { for: `${uid}-rows` }, "Rows of the batch (indices)");
  const row = el("div", { class: "br-inline" });
  const input = el("input", { id: `${uid}-rows`, type: "text", inputmode: "numeric", autocomplete: "off", spellcheck: "false",
    "aria-describedby": `${uid}-rows-err`, class: "br-rows-input" });
  const show = el("button", { type: "button", class: "btn" }, "Use these rows");
  row.append(input, show);
  const err = el("p", { id: `${uid}-rows-err`, class: "field-error", "aria-live": "polite" });
  typed.append(lab, row, err);
  const rand = el("div", { class: "br-field" });
  const labB = el("label", { for: `${uid}-b` }, "Random batch of B");
  const rowB = el("div", { class: "br-inline" });
  const b = el("input", { id: `${uid}-b`, type: "number", min: "1", max: String(maxRows), step: "1", value: "3", inputmode: "numeric", class: "br-b-input" });
  const draw = el("button", { type: "button", class: "btn" }, "Draw");
  rowB.append(b, draw);
  rand.append(labB, rowB);
  box.append(typed, rand);
  const setError = (msg) => { err.textContent = msg; input.setAttribute("aria-invalid", msg ? "true" : "false"); };
  // A batch that arrives while the learner is typing must not replace what they typed.
  let edited = false;
  input.addEventListener("input", () => { edited = true; });
  const submitted = () => { edited = false; };
  const fill = (rows) => {
    if (edited && document.activeElement === input) return;
    input.value = rows.join(", "); edited = false;
  };
  return { box, input, show, err, b, draw, setError, submitted, fill };
}

/** Wire the row controls to a C2/C3 state s ({rows, b, seed, max, data}): rows typed in (the
 *  button or Enter) or a random batch of B drawn become s's batch, then `show()` runs. */
export function bindRows(ctl, s, show) {
  const typedRows = () => {
    const p = parseRows(ctl.input.value, s.data.n, s.max);
    if (p.error) { ctl.setError(p.error); return; }
    ctl.submitted(); s.rows = p.rows; show();
  };
  ctl.show.addEventListener("click", typedRows);
  ctl.input.addEventListener("keydown", (e) => { if (e.key === "Enter") { e.preventDefault(); typedRows(); } });
  ctl.draw.addEventListener("click", () => {
    const b = Math.floor(Number(ctl.b.value));
    if (!(b >= 1 && b <= s.max)) { ctl.b.setAttribute("aria-invalid", "true"); ctl.setError(`B must be between 1 and ${s.max}.`); return; }
    ctl.b.setAttribute("aria-invalid", "false");
    s.b = b; s.seed += 1; s.rows = null; show();
  });
}

/** Parse typed indices and check them as the server does ({rows} or {error}), so a typo
 *  is answered in place instead of by a failed request. */
export function parseRows(text, n, max) {
  const words = text.split(/[\s,;]+/).filter(Boolean);
  if (!words.every((w) => /^\d{1,9}$/.test(w))) return { error: "Type whole numbers separated by commas, e.g. 3, 17, 42." };
  const rows = words.map(Number);
  if (rows.length < 1) return { error: `Type at least one row number, from 0 to ${n - 1}.` };
  if (rows.length > Math.min(max, n)) return { error: `A batch here holds between 1 and ${Math.min(max, n)} rows; you typed ${rows.length}.` };
  const bad = rows.find((i) => i >= n);
  if (bad !== undefined) return { error: `Row ${bad} does not exist: the indices run from 0 to ${n - 1} (N = ${n}).` };
  if (new Set(rows).size !== rows.length) return { error: "Each row can be in the batch only once: a batch is a set of examples." };
  return { rows };
}

/** The query string of /api/dives/batch for a state {dataset, rows | (b, seed), lr, theta}. */
export function batchURL(s) {
  const q = new URLSearchParams({ dataset: s.dataset });
  if (s.rows) q.set("rows", s.rows.join(","));
  else { q.set("b", String(s.b)); q.set("seed", String(s.seed)); }
  if (s.lr !== undefined && s.lr !== null) q.set("lr", String(s.lr));
  if (s.theta) { q.set("w0", String(s.theta[0])); q.set("b0", String(s.theta[1])); }
  return `/api/dives/batch?${q}`;
}

/** The dataset as a scrollable table of rows with a checkbox each. Only one checkbox is in
 *  the tab order (roving focus): arrow keys, Page Up/Down, Home and End move between rows,
 *  Space ticks, so a keyboard user is not made to tab through N boxes. */
function dataTable(uid, data, onToggle) {
  const wrap = el("div", { class: "br-table", role: "region", "aria-label": `All ${data.n} rows of the dataset` });
  const table = el("table");
  table.append(el("caption", { class: "visually-hidden" }, "Dataset rows; tick a row to put it in the batch. Arrow keys move between rows."));
  const head = el("tr");
  for (const h of ["in", "i", "x", "y"]) head.append(el("th", { scope: "col" }, h));
  const thead = el("thead"); thead.append(head); table.append(thead);
  const tb = el("tbody");
  const boxes = [];
  const cls = data.task === "classification";
  for (let i = 0; i < data.n; i++) {
    const tr = el("tr", { "data-row": String(i) });
    const cb = el("input", { type: "checkbox", id: `${uid}-r${i}`, "aria-label": `row ${i} in the batch`, tabindex: i === 0 ? "0" : "-1" });
    cb.dataset.row = String(i);
    const td = el("td"); td.append(cb);
    tr.append(td, el("td", {}, String(i)), el("td", {}, num(data.x[i], 2)), el("td", {}, cls ? String(data.y[i]) : num(data.y[i], 2)));
    tb.append(tr); boxes.push(cb);
  }
  let focus = 0;
  const moveTo = (i) => {
    i = Math.max(0, Math.min(data.n - 1, i));
    boxes[focus].tabIndex = -1; boxes[i].tabIndex = 0; focus = i; boxes[i].focus();
  };
  tb.addEventListener("keydown", (e) => {
    const step = { ArrowDown: 1, ArrowUp: -1, PageDown: 10, PageUp: -10 }[e.key];
    if (step) { e.preventDefault(); moveTo(focus + step); } else if (e.key === "Home") { e.preventDefault(); moveTo(0); } else if (e.key === "End") { e.preventDefault(); moveTo(data.n - 1); }
  });
  tb.addEventListener("focusin", (e) => { if (e.target.dataset.row) { boxes[focus].tabIndex = -1; focus = Number(e.target.dataset.row); e.target.tabIndex = 0; } });
  tb.addEventListener("change", (e) => { if (e.target.dataset.row) onToggle(Number(e.target.dataset.row), e.target); });
  tb.addEventListener("click", (e) => {
    if (e.target.tagName === "INPUT") return;
    const tr = e.target.closest("tr"); if (!tr) return;
    const cb = boxes[Number(tr.dataset.row)]; cb.checked = !cb.checked; onToggle(Number(tr.dataset.row), cb);
  });
  table.append(tb); wrap.append(table);
  const mark = (rows) => {
    const on = new Set(rows);
    boxes.forEach((cb, i) => { const v = on.has(i); if (cb.checked !== v) cb.checked = v; cb.closest("tr").classList.toggle("br-on", v); });
  };
  const scrollTo = (i) => { const tr = boxes[i].closest("tr"); wrap.scrollTop = tr.offsetTop - wrap.clientHeight / 2; };
  return { wrap, mark, scrollTo };
}

async function drawScatter(chart, data, d) {
  await plotlyReady();
  const rows = Array.from(d.rows);
  const resX = [], resY = [];
  rows.forEach((i, k) => { resX.push(data.x[i], data.x[i], null); resY.push(data.y[i], d.yhat[k], null); });
  const cls = data.task === "classification";
  const traces = [
    { x: Array.from(data.x), y: Array.from(data.y), mode: "markers", name: `all ${fmt(data.n)} rows`, hoverinfo: "text",
      text: Array.from(data.x, (_, i) => `row ${i}`), marker: { color: INK_SOFT, size: 5, opacity: cls ? 0.35 : 0.55 } },
    { x: Array.from(d.curve.x), y: Array.from(d.curve.now), mode: "lines", name: cls ? "model at θ: ŷ = σ(w·x + b)" : "model at θ: ŷ = w·x + b",
      hoverinfo: "skip", line: { color: "#1b2330", width: 2 } },
    { x: resX, y: resY, mode: "lines", name: "residual r = ŷ − y", hoverinfo: "skip", line: { color: RESIDUAL, width: 2, dash: "dot" } },
    { x: rows.map((i) => data.x[i]), y: rows.map((i) => data.y[i]), mode: "markers+text", name: "rows in the batch",
      text: rows.map(String), textposition: "top center", textfont: { size: 11, color: LOOK.mini.color }, hoverinfo: "text",
      hovertext: rows.map((i) => `row ${i}`), marker: { color: "#fff", size: 11, symbol: "square", line: { color: LOOK.mini.color, width: 2.5 } } },
  ];
  const lay = layout(data.x_label, data.y_label, { yaxis: cls ? { range: [-0.25, 1.3], tickvals: [0, 0.5, 1] } : {} });
  lay.height = 280; lay.margin = { l: 50, r: 10, t: 30, b: 42 }; lay.hovermode = "closest";
  lay.legend = { orientation: "h", y: 1.0, yanchor: "bottom", x: 0, font: { size: 11 } };
  await window.Plotly.react(chart, traces, lay, CONFIG);
}

/** The forward pass, residuals and gradient as typeset matrices. */
function matrices(d, task) {
  const B = d.size, rows = Array.from(d.rows);
  const heads = rows.map((i) => `i = ${i}`);
  const cls = task === "classification";
  const out = el("div", { class: "br-math" });

  const h1 = el("p", { class: "br-step" });
  h1.append(el("strong", {}, "1 · Forward pass. "), B === 1 ? "One matrix product handles the single row:" : `One matrix product handles all ${B} rows at once:`);
  const eq1 = el("div", { class: "br-eq" });
  eq1.append(
    matrix(d.X, { heads: ["x", "1"], rowHeads: heads, caption: [sub("X"), ` (${B} × 2)`] }), op("·", "times"),
    matrix(d.theta, { heads: ["θ"], caption: [math([mml("mi", "θ")]), " = (w, b)"] }), op("="),
    matrix(d.z, { heads: ["z"], caption: [math([mml("mi", "z")]), cls ? " scores" : ""] }),
  );
  if (cls) eq1.append(op("σ ⟶", "sigmoid"), matrix(d.yhat, { heads: ["ŷ"], caption: [math([mml("mover", [mml("mi", "y"), mml("mo", "^")])]), " = σ(z)"] }));
  const h2 = el("p", { class: "br-step" });
  h2.append(el("strong", {}, "2 · Residuals. "), "Prediction minus target, row by row:");
  const eq2 = el("div", { class: "br-eq" });
  eq2.append(
    matrix(d.yhat, { heads: ["ŷ"], rowHeads: heads, caption: [math([mml("mover", [mml("mi", "y"), mml("mo", "^")])])] }), op(MINUS, "minus"),
    matrix(d.y, { heads: ["y"], caption: [sub("y"), " targets"] }), op("="),
    matrix(d.residual, { heads: ["r"], caption: [math([mml("mi", "r")])] }),
  );
  const h3 = el("p", { class: "br-step" });
  h3.append(el("strong", {}, "3 · Gradient. "), "Each row's gradient is its residual times its row of ", sub("X"),
    "; the batch gradient is their mean:");
  const eq3 = el("div", { class: "br-eq" });
  eq3.append(
    matrix(d.per_example, { heads: ["r·x", "r·1"], rowHeads: heads, caption: [math([mml("mo", "∇"), mml("msub", [mml("mi", "ℓ"), mml("mi", "i")])]), " per row"] }),
    op(`mean of ${B} row${B === 1 ? "" : "s"} ⟶`, "averaged over the rows gives"),
    matrix([d.grad], { heads: ["∂w", "∂b"], caption: [sub("g"), " = ", math([mml("mfrac", [mml("mn", "1"), mml("mi", "B")]), mml("msubsup", [mml("mi", "X"), mml("mi", "ℬ"), mml("mo", "⊤")]), mml("mi", "r")])], cls: "br-result" }),
  );
  out.append(h1, eq1, h2, eq2, h3, eq3, el("p", { class: "widget-note br-rounding" },
    "Every entry is rounded to 3 decimals from the engine's exact values, so a product or mean redone from the rounded " +
    "entries can differ in the last digit; the deep dive below writes one step out with enough digits to redo it exactly."));
  return out;
}

export function mount(root, uid) {
  root.replaceChildren();
  root.append(el("p", { class: "widget-title" }, root.getAttribute("aria-label") || "Pick the rows of a batch"));
  const top = el("div", { class: "widget-inputs br-controls" });
  const [dsWrap, dsSel] = datasetSelect(`${uid}-ds`, root.dataset.dataset);
  top.append(dsWrap);
  const ctl = rowControls(uid, 16);
  const pickers = el("div", { class: "br-pick" });
  const chart = el("div", { class: "measure-chart br-chart", role: "img", "aria-label": "The dataset with the batch's rows marked, the model's line at θ and the residuals" });
  const tableSlot = el("div", { class: "br-table-slot" });
  pickers.append(chart, tableSlot);
  const hint = el("p", { class: "widget-note" });
  const mats = el("div", { class: "br-mats", "aria-live": "polite" });
  const check = el("p", { class: "br-check", "aria-live": "polite" });
  const note = el("p", { class: "widget-note" }, "Loading the dataset…");
  root.append(top, ctl.box, pickers, hint, mats, check, note);

  const s = { dataset: dsSel.value, rows: PROSE_ROWS.slice(), b: 3, seed: 0, data: null, table: null, ticket: 0, max: 16 };
  const { setError } = ctl;

  // data-drawn is "0" from a new batch's request until that batch (the latest) is all drawn
  const show = async () => {
    const ticket = ++s.ticket;
    root.dataset.drawn = "0";
    try {
      const d = await getTyped(batchURL({ dataset: s.dataset, rows: s.rows, b: s.b, seed: s.seed }));
      if (ticket !== s.ticket) return;
      s.rows = Array.from(d.rows);
      ctl.fill(s.rows);
      setError("");
      s.table.mark(s.rows);
      await drawScatter(chart, s.data, d);
      if (ticket !== s.ticket) return; // a newer batch draws its own matrices
      mats.replaceChildren(matrices(d, s.data.task));
      const ok = d.grad_gap <= 1e-12;
      check.replaceChildren(el("strong", {}, ok ? "✓ Check passed: " : "✗ Check failed: "),
        `the engine's own batch gradient (its compiled per-example loop) is (${num(d.engine_grad[0], 6)}, ${num(d.engine_grad[1], 6)}); ` +
        `the matrix formula above gives (${num(d.grad[0], 6)}, ${num(d.grad[1], 6)}). Largest difference: ${gap(d.grad_gap)} (tolerance 10⁻¹²).`);
      check.dataset.ok = String(ok);
      note.textContent = `θ is where the race's mini-batch run starts on this dataset (N = ${fmt(d.n)}), far from the minimum, so residuals are large. ` +
        `The batch loss there is ${num(d.batch_loss, 4)}. Add a row that lies far from the model's ${s.data.task === "classification" ? "curve" : "line"}: its residual is large, and it pulls the batch gradient hardest.`;
      root.dataset.drawn = "1";
    } catch (err) {
      if (ticket !== s.ticket) return;
      if (err.field === "rows") setError(err.message);
      else note.textContent = `Could not compute: ${err.message}.`;
    }
  };

  const toggle = (i, cb) => {
    const cur = s.rows ? s.rows.slice() : [];
    const k = cur.indexOf(i);
    if (k >= 0) cur.splice(k, 1); else cur.push(i);
    if (cur.length === 0) { if (cb) cb.checked = true; setError("A batch needs at least one row."); return; }
    if (cur.length > s.max) { if (cb) cb.checked = false; setError(`At most ${s.max} rows here; untick one first.`); return; }
    s.rows = cur; show();
  };

  const loadData = async () => {
    note.textContent = "Loading the dataset…"; root.dataset.drawn = "0";
    try {
      s.data = await getTyped(`/api/dives/batch/data?dataset=${s.dataset}`);
      s.max = s.data.max_rows;
      hint.textContent = `Tick rows in the table (arrow keys move between rows) or click points in the plot to add or remove them, at most ${s.max}.`;
      s.table = dataTable(uid, s.data, toggle);
      tableSlot.replaceChildren(s.table.wrap);
      ctl.input.placeholder = `e.g. 3, 17, 42 (0 to ${s.data.n - 1})`;
      await show();
      if (!chart.dataset.clicks) {
        chart.dataset.clicks = "1";
        chart.on("plotly_click", (ev) => {
          const p = ev.points && ev.points[0];
          if (!p) return;
          if (p.curveNumber === 0) { toggle(p.pointIndex, null); s.table.scrollTo(p.pointIndex); }
          if (p.curveNumber === 3) toggle(s.rows[p.pointIndex], null);
        });
      }
    } catch (err) { note.textContent = `Could not load the dataset: ${err.message}.`; }
  };

  bindRows(ctl, s, show);
  dsSel.addEventListener("change", () => { s.dataset = dsSel.value; s.rows = PROSE_ROWS.slice(); s.seed = 0; loadData(); });
  whenVisible(root, loadData);
}

