// C3 coordinate-step: one SGD update written out for w and b with the numbers of a real
// batch (/api/dives/batch): each partial derivative as the average of its terms over the
// batch's rows, w − η·∂w and b − η·∂b, the check against the engine's own next point, and
// the step drawn on the loss surface next to the full-batch step. "Take this step" moves
// θ there and draws a fresh batch, so a short path builds up one written-out step at a time.
import { LOOK, fmt } from "../look.js";
import { CONFIG, el, getTyped, layout, plotlyReady, richText, whenVisible } from "../measures.js";
import { batchURL, bindRows, datasetSelect, gap, math, mml, num, partial, rowControls } from "./batch-rows.js";
import { checkRate, RATE } from "./common.js";

const MINUS = "\u2212";
const MAX_PATH = 40;
const MIN_DECIMALS = 3;
const MAX_DECIMALS = 12;
const EXTRA = 3; // the most digits an operand carries beyond its result

let allDigits = false; // the "All digits" toggle: write every number in full instead of rounded

/** A number rounded to `decimals`, or in full while the toggle is on. */
function digits(v, decimals = 3) {
  return allDigits ? String(v).replace("-", MINUS) : num(v, decimals);
}

/** The value a reader types into a calculator for v written to k decimals. */
const shown = (v, k) => Number(v.toFixed(k));

/** A calculation shown to k decimals reads as the exact value shown to k decimals. */
const near = (calc, exact, k) => shown(calc, k) === shown(exact, k);

/** The fewest decimals from `from` to `most` for which `ok` holds, or null. */
function fewest(from, ok, most = from + EXTRA) {
  for (let j = from; j <= most; j++) if (ok(j)) return j;
  return null;
}

/** How many decimals one coordinate's write-out needs so that every line can be redone on
 *  a calculator, as {result, term, factor, update}: results (the sum, ∂J_B) to `result`
 *  decimals, the terms summed to `term`, the factors r_i and x_i multiplied to `factor`,
 *  and the update line θ − η·∂J_B = θ_next to `update`. Each is the fewest (results: at
 *  least 3, and two significant digits of ∂J_B) with which the shown operands give the
 *  shown result once rounded like it; an operand gets up to EXTRA more digits than its
 *  result, as rounding a product's factors to the product's own decimals would not
 *  reproduce it. The update line has its own count: η scales the rounding of ∂J_B (a large
 *  η needs more digits), and a small step must still show θ_next ≠ θ. null if no count up
 *  to MAX_DECIMALS works. `x` is null for the bias, whose terms are the residuals. */
export function decimalsFor({ r, x, terms, sum, B, theta, lr, grad, next }) {
  const first = Math.max(MIN_DECIMALS, 1 - Math.floor(Math.log10(Math.abs(grad) || 1)));
  for (let k = first; k <= MAX_DECIMALS; k++) {
    if (!near(shown(sum, k) / B, grad, k)) continue;
    const term = fewest(k, (j) => near(terms.reduce((a, t) => a + shown(t, j), 0), sum, k));
    if (term === null) continue;
    const factor = x === null ? term
      : fewest(term, (j) => terms.every((t, i) => near(shown(r[i], j) * shown(x[i], j), t, term)));
    if (factor === null) continue;
    for (let j = k; j <= MAX_DECIMALS; j++) {
      const step = updateDecimals(theta, lr, grad, next, j);
      if (step) return { result: k, term, factor, ...step };
    }
  }
  return null;
}

/** Decimals of the update line θ − η·∂ = θ_next with the result to `j`: θ to `updateTheta`,
 *  ∂ to `updateGrad` (η multiplies ∂'s rounding, so a large η needs more of its digits), or
 *  null if none works or the line would hide a non-zero step (θ_next written as θ). */
function updateDecimals(theta, lr, grad, next, j) {
  if (next !== theta && shown(next, j) === shown(theta, j)) return null;
  const scaled = Math.max(0, Math.ceil(Math.log10(lr)));
  for (let g = j; g <= j + EXTRA + scaled; g++) {
    const t = fewest(j, (tj) => near(shown(theta, tj) - lr * shown(grad, g), next, j));
    if (t !== null) return { update: j, updateTheta: t, updateGrad: g };
  }
  return null;
}

/** A number of the write-out as text: to exactly k decimals, or in full while the toggle is on. */
const written = (v, k) => (allDigits ? String(v) : v.toFixed(k)).replace("-", MINUS);

/** The same number with its full value on hover; `wrap` puts a negative one in parentheses. */
function n(v, k, wrap = false) {
  const text = written(v, k);
  return el("span", { class: "cs-num", title: String(v) }, wrap && v < 0 ? `(${text})` : text);
}

/** A line of the write-out: tokens (strings or nodes) that wrap as whole pieces. */
function line(...tokens) {
  const p = el("div", { class: "cs-line" });
  for (const t of tokens) p.append(typeof t === "string" ? el("span", { class: "cs-tok" }, t) : t);
  return p;
}

function tok(...parts) {
  const s = el("span", { class: "cs-tok" });
  s.append(...parts);
  return s;
}

/** 1/B as a small fraction. */
function overB(B) {
  return math([mml("mfrac", [mml("mn", "1"), mml("mn", String(B))])], `1 over ${B}`);
}

/** Σ_{i∈ℬ} r_i x_i (or r_i alone) as MathML. */
function sumOf(withX) {
  const body = [mml("munder", [mml("mo", "∑"), mml("mrow", [mml("mi", "i"), mml("mo", "∈"), mml("mi", "ℬ")])]),
    mml("msub", [mml("mi", "r"), mml("mi", "i")])];
  if (withX) body.push(mml("msub", [mml("mi", "x"), mml("mi", "i")]));
  return math([mml("mfrac", [mml("mn", "1"), mml("mi", "B")]), ...body]);
}

/** The terms r_i·x_i (or r_i) to k decimals, joined with + and − signs, each with its full
 *  value on hover. */
function signedTerms(values, k) {
  const out = [];
  values.forEach((v, i) => {
    const mag = n(Math.abs(v), k);
    mag.title = String(v);
    if (i === 0) out.push(v < 0 ? tok(MINUS, mag) : tok(mag));
    else out.push(v < 0 ? MINUS : "+", tok(mag));
  });
  return out;
}

/** The write-out for one coordinate: the partial derivative, then the update. */
function coordinate(d, which) {
  const B = d.size, j = which === "w" ? 0 : 1;
  const r = Array.from(d.residual), x = Array.from(d.X, (row) => row[0]);
  const terms = Array.from(d.per_example, (row) => row[j]);
  const sum = terms.reduce((a, b) => a + b, 0);
  const found = decimalsFor({ r, x: which === "w" ? x : null, terms, sum, B, theta: d.theta[j], lr: d.lr,
    grad: d.grad[j], next: d.next[j] });
  const { result: k, term: kt, factor: kf, update: ku, updateTheta: kth, updateGrad: kg } = found ??
    { result: MIN_DECIMALS, term: MIN_DECIMALS, factor: MIN_DECIMALS, update: MIN_DECIMALS,
      updateTheta: MIN_DECIMALS, updateGrad: MIN_DECIMALS };
  const sec = el("section", { class: "cs-coord", "aria-label": which === "w" ? "The weight w" : "The bias b",
    "data-decimals": [k, kt, kf, ku, kth, kg].join(" ") });
  sec.append(el("h4", { class: "cs-h" }, which === "w" ? "The weight w" : "The bias b"));
  const products = which === "w"
    ? r.map((ri, i) => tok(n(ri, kf, true), "·", n(x[i], kf, true)))
    : r.map((ri) => tok(n(ri, kt, true)));
  const joined = [];
  products.forEach((p, i) => { if (i) joined.push("+"); joined.push(p); });
  sec.append(
    line(tok(partial(which)), "=", tok(sumOf(which === "w"))),
    line("=", tok(overB(B), " ·"), "(", ...joined, ")"),
    ...(which === "w" ? [line("=", tok(overB(B), " ·"), "(", ...signedTerms(terms, kt), ")")] : []),
    line("=", tok(overB(B), " × ", n(sum, k, true)), "=", tok(el("strong", { title: String(d.grad[j]) }, written(d.grad[j], k)))),
  );
  sec.append(el("p", { class: "widget-note cs-digits-note" }, allDigits ? "Every number written in full."
    : found === null ? `Written to ${k} decimals (terms rounded; each result is of the exact terms).`
      : `Results to ${k} decimals, ${which === "w" ? `terms to ${kt}, factors to ${kf}` : `terms to ${kt}`}` +
        `${ku !== k || kg !== k ? `, the update to ${ku} (its ${which} to ${kth}, ∂ to ${kg})` : ""}: ` +
        "the fewest with which each line, redone on a calculator, rounds to the result shown."));
  const sym = math([mml("msub", [mml("mi", which), mml("mtext", "next")])]);
  sec.append(el("div", { class: "cs-update" }));
  sec.lastChild.append(line(tok(sym), "=", tok(math([mml("mi", which)])), MINUS, tok(math([mml("mi", "η")])), "·", tok(partial(which)),
    "=", n(d.theta[j], kth), MINUS, tok(el("span", { class: "cs-num" }, String(d.lr)), " × ", n(d.grad[j], kg, true)), "=", tok(el("strong", { title: String(d.next[j]) }, written(d.next[j], ku)))));
  return sec;
}

function termsTable(d, task) {
  const wrap = el("div", { class: "cs-terms" });
  const id = `cs-terms-${Math.random().toString(36).slice(2, 8)}`;
  wrap.append(el("p", { class: "cs-caption", id }, task === "classification"
    ? "The batch's rows at θ: prediction ŷᵢ = σ(w·xᵢ + b), residual rᵢ = ŷᵢ − yᵢ"
    : "The batch's rows at θ: prediction ŷᵢ = w·xᵢ + b, residual rᵢ = ŷᵢ − yᵢ"));
  const scroll = el("div", { class: "table-scroll" });
  const t = el("table", { "aria-labelledby": id });
  const head = el("tr");
  for (const h of ["i", "xᵢ", "yᵢ", "ŷᵢ", "rᵢ", "rᵢ·xᵢ"]) head.append(el("th", { scope: "col" }, h));
  const thead = el("thead"); thead.append(head); t.append(thead);
  const tb = el("tbody");
  Array.from(d.rows).forEach((i, k) => {
    const tr = el("tr");
    tr.append(el("th", { scope: "row" }, String(i)));
    for (const v of [d.X[k][0], d.y[k], d.yhat[k], d.residual[k], d.per_example[k][0]]) tr.append(el("td", { title: String(v) }, digits(v)));
    tb.append(tr);
  });
  t.append(tb); scroll.append(t); wrap.append(scroll);
  return wrap;
}

/** A square window (same scale on both axes) around the points, inside the sent grid. */
function window2d(points, g) {
  const lo = [Infinity, Infinity], hi = [-Infinity, -Infinity];
  for (const p of points) for (const k of [0, 1]) { lo[k] = Math.min(lo[k], p[k]); hi[k] = Math.max(hi[k], p[k]); }
  const side = Math.max(1, 1.3 * Math.max(hi[0] - lo[0], hi[1] - lo[1]));
  const fit = (k, a, b) => {
    const c = Math.min(Math.max((lo[k] + hi[k]) / 2, a + side / 2), b - side / 2);
    return [Math.max(a, c - side / 2), Math.min(b, c + side / 2)];
  };
  return [fit(0, g.w[0], g.w.at(-1)), fit(1, g.b[0], g.b.at(-1))];
}

/** About 14 contour levels spread over the loss values inside the window. */
function levels(g, xr, yr) {
  let lo = Infinity, hi = -Infinity;
  g.b.forEach((bv, i) => {
    if (bv < yr[0] || bv > yr[1]) return;
    g.w.forEach((wv, j) => { if (wv >= xr[0] && wv <= xr[1]) { lo = Math.min(lo, g.loss[i][j]); hi = Math.max(hi, g.loss[i][j]); } });
  });
  if (!(hi > lo)) return {};
  const size = (hi - lo) / 14;
  return { start: lo + size / 2, end: hi, size };
}

async function drawSurface(chart, data, d, path) {
  await plotlyReady();
  const g = data.grid, [w, b] = d.theta;
  const [xr, yr] = window2d([[data.minimum.w, data.minimum.b], d.theta, d.next, d.full_next, ...path], g);
  const pw = path.map((p) => p[0]).concat([d.next[0]]), pb = path.map((p) => p[1]).concat([d.next[1]]);
  const traces = [
    { type: "contour", x: Array.from(g.w), y: Array.from(g.b), z: g.loss, showscale: false, hoverinfo: "skip", name: "J(w, b)",
      contours: { coloring: "lines", ...levels(g, xr, yr) }, colorscale: [[0, "#6b7280"], [1, "#c7ccd4"]], line: { width: 1 } },
    { x: [data.minimum.w], y: [data.minimum.b], mode: "markers", name: "minimum of J", marker: { symbol: "star", size: 13, color: "#1b2330" }, hoverinfo: "name" },
    { x: pw.slice(0, -1), y: pb.slice(0, -1), mode: "lines+markers", name: "steps taken", showlegend: path.length > 1,
      line: { color: LOOK.mini.color, width: 1.5 }, marker: { size: 5, color: LOOK.mini.color }, hoverinfo: "skip" },
    { x: [w, d.full_next[0]], y: [b, d.full_next[1]], mode: "lines+markers", name: "full-batch step, same η", hoverinfo: "skip",
      line: { color: LOOK.full.color, dash: "dot", width: 2.5 }, marker: { symbol: ["circle", "circle-open"], size: [1, 10], color: LOOK.full.color } },
    { x: [w, d.next[0]], y: [b, d.next[1]], mode: "lines+markers", name: "this batch's step", hoverinfo: "skip",
      line: { color: LOOK.mini.color, width: 3 }, marker: { symbol: ["circle", "square"], size: [1, 10], color: LOOK.mini.color } },
    { x: [w], y: [b], mode: "markers+text", name: "θ now", text: ["θ"], textposition: "bottom right", textfont: { size: 14, color: "#1b2330" },
      marker: { size: 9, color: "#fff", line: { color: "#1b2330", width: 2 } }, hoverinfo: "skip", showlegend: false },
  ];
  const arrow = (to, color) => ({ x: to[0], y: to[1], ax: w, ay: b, xref: "x", yref: "y", axref: "x", ayref: "y",
    showarrow: true, arrowhead: 2, arrowsize: 1.3, arrowwidth: 2, arrowcolor: color, text: "" });
  const lay = layout("w (weight)", "b (bias)", {
    xaxis: { range: xr, zeroline: false, constrain: "domain" },
    yaxis: { range: yr, zeroline: false, scaleanchor: "x", constrain: "domain" } });
  lay.height = 390; lay.margin = { l: 50, r: 10, t: 8, b: 40 };
  lay.legend = { orientation: "h", x: 0, y: -0.16, yanchor: "top", font: { size: 11 } };
  lay.margin.b = 100;
  lay.annotations = [arrow(d.next, LOOK.mini.color), arrow(d.full_next, LOOK.full.color)];
  await window.Plotly.react(chart, traces, lay, CONFIG);
}

export function mount(root, uid) {
  root.replaceChildren();
  root.append(el("p", { class: "widget-title" }, root.getAttribute("aria-label") || "One update, coordinate by coordinate"));
  const top = el("div", { class: "widget-inputs br-controls" });
  const [dsWrap, dsSel] = datasetSelect(`${uid}-ds`, root.dataset.dataset);
  const lrWrap = el("label", { for: `${uid}-lr` }, "Learning rate η");
  const lr = el("input", { id: `${uid}-lr`, type: "number", min: String(RATE.min), max: String(RATE.max), step: "0.05", inputmode: "decimal", "aria-describedby": `${uid}-lr-err` });
  lrWrap.append(lr);
  const full = el("button", { type: "button", class: "btn cs-digits", "aria-pressed": "false" }, "All digits");
  top.append(dsWrap, lrWrap, full);
  const lrErr = el("p", { id: `${uid}-lr-err`, class: "field-error", "aria-live": "polite" });
  const ctl = rowControls(uid, 16);
  const where = el("p", { class: "cs-where", "aria-live": "polite" });
  const terms = el("div");
  const coords = el("div", { class: "cs-coords" });
  const check = el("p", { class: "br-check", "aria-live": "polite" });
  const chart = el("div", { class: "measure-chart cs-chart", role: "img", "aria-label": "The loss surface J(w, b) with the current point θ, this batch's step and the full-batch step" });
  const buttons = el("div", { class: "cs-buttons" });
  const stepBtn = el("button", { type: "button", class: "btn primary" }, "Take this step, draw a new batch");
  const resetBtn = el("button", { type: "button", class: "btn" }, "Back to the race's start");
  buttons.append(stepBtn, resetBtn);
  const out = el("dl", { class: "widget-out cs-out", "aria-live": "polite" });
  const note = el("p", { class: "widget-note" }, "Loading…");
  const side = el("div", { class: "cs-side" });
  side.append(buttons, out);
  const visual = el("div", { class: "cs-visual" });
  visual.append(chart, side);
  root.append(top, lrErr, ctl.box, where, terms, coords, check, visual, note);

  const s = { dataset: dsSel.value, rows: null, b: 3, seed: 0, lr: null, theta: null, path: [], data: null, last: null, ticket: 0, max: 16 };
  const { setError } = ctl;

  // data-drawn is "0" from a new step's request until that step (the latest) is all drawn
  const show = async () => {
    const ticket = ++s.ticket;
    root.dataset.drawn = "0";
    try {
      const d = await getTyped(batchURL({ dataset: s.dataset, rows: s.rows, b: s.b, seed: s.seed, lr: s.lr, theta: s.theta }));
      if (ticket !== s.ticket) return;
      s.last = d; s.rows = Array.from(d.rows);
      if (!s.path.length) s.path = [d.theta];
      ctl.fill(s.rows);
      setError(""); lrErr.textContent = checkRate(lr); // a field still being edited keeps its message
      where.replaceChildren(el("strong", {}, s.path.length > 1 ? `Step ${s.path.length}. ` : "First step. "),
        "From ", math([mml("mi", "θ")]), ` = (w, b) = (${num(d.theta[0])}, ${num(d.theta[1])})`,
        s.path.length > 1 ? ", where the previous step ended, " : ", where the race's mini-batch run starts, ",
        "with the batch ", math([mml("mi", "ℬ")]), ` = {${s.rows.join(", ")}} (B = ${d.size}) and η = ${d.lr}.`);
      terms.replaceChildren(termsTable(d, s.data.task));
      coords.replaceChildren(coordinate(d, "w"), coordinate(d, "b"));
      const ok = d.step_gap <= 1e-12;
      check.dataset.ok = String(ok);
      check.replaceChildren(el("strong", {}, ok ? "✓ Check passed: " : "✗ Check failed: "),
        `one update of the engine's SGD loop on exactly these rows, from this θ with this η, lands at (${num(d.engine_next[0], 6)}, ${num(d.engine_next[1], 6)}); ` +
        `the step written out above gives (${num(d.next[0], 6)}, ${num(d.next[1], 6)}). Largest difference: ${gap(d.step_gap)} (tolerance 10⁻¹²).`);
      await drawSurface(chart, s.data, d, s.path);
      if (ticket !== s.ticket) return; // a newer step writes its own numbers
      out.replaceChildren();
      for (const [label, v] of [["J(θ) now, all N rows", d.loss_before], ["J after this batch's step", d.loss_after],
        ["J after a full-batch step", d.full_loss_after], ["batch loss J_B: before → after", null]]) {
        const div = el("div"); const dd = el("dd");
        dd.textContent = v === null ? `${digits(d.batch_loss)} → ${digits(d.batch_loss_after)}` : digits(v);
        div.append(el("dt", {}, richText(label)), dd); out.append(div); // J_B: a real subscript
      }
      const better = d.loss_after < d.loss_before;
      note.textContent = `${allDigits ? "Numbers are written in full"
        : "Each line is written with the fewest decimals (results at least 3) with which, redone on a calculator, it rounds to the result shown"}; ` +
        `hover a number, or press "All digits", to see every digit. The batch's step ${better ? "lowers" : "raises"} the loss over all ` +
        `${fmt(d.n)} rows; the full-batch step (dotted) points straight downhill` +
        (d.full_loss_after < d.loss_before ? " and lowers it too" : `, but at η = ${fmt(d.lr)} it overshoots the valley and raises the loss as well`) +
        ". Draw other batches to see the green step swing around it.";
      stepBtn.disabled = s.path.length >= MAX_PATH;
      root.dataset.drawn = "1";
    } catch (err) {
      if (ticket !== s.ticket) return;
      if (err.field === "rows") setError(err.message);
      else if (err.field === "lr") { lrErr.textContent = `η: ${err.message}.`; lr.setAttribute("aria-invalid", "true"); }
      else note.textContent = `Could not compute: ${err.message}.`;
    }
  };

  const loadData = async () => {
    note.textContent = "Loading…"; root.dataset.drawn = "0";
    try {
      s.data = await getTyped(`/api/dives/batch/data?dataset=${s.dataset}`);
      s.max = s.data.max_rows; s.lr = s.data.lr; lr.value = String(s.data.lr);
      ctl.input.placeholder = `e.g. 3, 17, 42 (0 to ${s.data.n - 1})`;
      await show();
    } catch (err) { note.textContent = `Could not load the dataset: ${err.message}.`; }
  };

  bindRows(ctl, s, show);
  full.addEventListener("click", () => {
    allDigits = !allDigits; full.setAttribute("aria-pressed", String(allDigits)); root.classList.toggle("cs-all", allDigits);
    if (s.last) show();
  });
  lr.addEventListener("input", () => { lrErr.textContent = checkRate(lr); }); // said while typing
  lr.addEventListener("change", () => {
    lrErr.textContent = checkRate(lr);
    if (!lrErr.textContent) { s.lr = Number(lr.value); show(); }
  });
  stepBtn.addEventListener("click", () => {
    if (!s.last) return;
    s.theta = s.last.next.slice(); s.path.push(s.theta);
    s.b = s.last.size; s.seed += 1; s.rows = null; show();
  });
  resetBtn.addEventListener("click", () => { s.theta = null; s.path = []; s.rows = null; s.seed = 0; s.b = 3; ctl.b.value = "3"; show(); });
  dsSel.addEventListener("change", () => { s.dataset = dsSel.value; s.theta = null; s.path = []; s.rows = null; s.seed = 0; loadData(); });
  whenVisible(root, loadData);
}
