// C4 epoch-builder: the engine's epoch plan (/api/epoch-plan) drawn as coloured blocks:
// the stored order, each epoch's shuffled order cut into batches of B, the short last batch,
// keep-last vs drop-last counts and the "every example exactly once" check, epoch by epoch.
import { el, numberInput, outCells } from "../measures.js";
import { count, fmt } from "../look.js";
import { errorLine } from "./common.js";

const MAX_N = 60; // beyond this the picture stops being readable; the rule is the same
const HISTORY = 3; // epochs kept on screen (newest first)
const TINTS = 4; // neutral block tints, cycled (each block also carries its step number)

/** Occurrences of each example 0..n-1 among the batches of one epoch. */
function countUses(n, batches) {
  const uses = new Array(n).fill(0);
  for (const b of batches) for (const i of b) uses[i] += 1;
  return uses;
}

/** The batches of epoch 0 of a plan returned by /api/epoch-plan. */
function firstEpoch(plan) {
  return plan.batches.filter((_, t) => plan.epoch[t] === 0);
}

async function fetchPlan(n, b, seed, dropLast, signal) {
  const q = new URLSearchParams({ n, batch_size: b, seed, epochs: 1, drop_last: dropLast });
  const r = await fetch(`/api/epoch-plan?${q}`, { signal });
  if (!r.ok) {
    let msg = `the server answered ${r.status}`;
    try { msg = (await r.json()).detail[0].msg; } catch (_) { /* keep the status */ }
    throw new Error(msg);
  }
  return r.json();
}

function cell(i) {
  return el("span", { class: "eb-cell" }, String(i));
}

function storedRow(n) {
  const row = el("div", { class: "eb-stored", "aria-label": `Stored order: examples 0 to ${n - 1}` });
  for (let i = 0; i < n; i++) row.append(cell(i));
  return row;
}

/** One epoch: its batches as coloured, numbered blocks and its own coverage check. */
function epochView(ep, n, b, dropLast, newest) {
  const keep = firstEpoch(ep.keep), drop = firstEpoch(ep.drop);
  const short = keep.at(-1).length < b;
  const sec = el("section", { class: `eb-epoch${newest ? " eb-newest" : ""}`, "data-epoch": String(ep.number) });
  const head = el("p", { class: "eb-epoch-head" });
  head.append(el("strong", {}, `Epoch ${ep.number}`), el("span", { class: "eb-muted" }, ` · shuffle seed ${ep.seed}${newest ? " · newest" : ""}`));
  const list = el("ol", { class: "eb-blocks", "aria-label": `Epoch ${ep.number}: ${count(keep.length, "batch", "batches")} in the order of use` });
  keep.forEach((batch, t) => {
    const dropped = dropLast && t >= drop.length;
    const kind = dropped ? " eb-dropped" : (t === keep.length - 1 && short ? " eb-short" : "");
    const li = el("li", { class: `eb-block eb-c${t % TINTS}${kind}` });
    const tag = dropped ? `dropped (${batch.length})` : `step ${t + 1}${kind ? ` · short: ${batch.length}` : ""}`;
    li.append(el("span", { class: "eb-step" }, tag));
    const cells = el("span", { class: "eb-cells" });
    batch.forEach((i) => cells.append(cell(i)));
    li.append(cells);
    li.setAttribute("aria-label", `${dropped ? "Dropped batch" : `Step ${t + 1}`}: examples ${batch.join(", ")}`);
    list.append(li);
  });
  const used = dropLast ? drop : keep;
  const uses = countUses(n, used);
  const once = uses.filter((u) => u === 1).length, twice = uses.filter((u) => u > 1).length;
  const missing = uses.map((u, i) => (u === 0 ? i : -1)).filter((i) => i >= 0);
  const ok = once === n;
  const check = el("p", { class: `eb-check ${ok ? "eb-ok" : "eb-warn"}`, "data-check": ok ? "once" : "skipped" });
  check.textContent = ok
    ? `✓ Counted in this epoch's plan: all ${fmt(n)} examples appear exactly once (none twice, none missing).`
    : `✗ Drop-last: ${fmt(once)} of ${fmt(n)} examples used once, ${twice ? `${twice} twice, ` : ""}` +
      `${missing.length} skipped this epoch (example${missing.length === 1 ? "" : "s"} ${missing.join(", ")}).`;
  sec.append(head, list, check);
  return sec;
}

export function mount(root, uid) {
  const n0 = Math.min(Number(root.dataset.n) || 10, MAX_N), b0 = Number(root.dataset.b) || 3;
  const title = root.getAttribute("aria-label") || "Building an epoch";
  root.replaceChildren();
  const inputs = el("div", { class: "widget-inputs eb-controls" });
  const [ln, inN] = numberInput(`${uid}-n`, "Examples N", n0, 1, MAX_N);
  const [lb, inB] = numberInput(`${uid}-b`, "Batch size B", b0);
  const mode = el("fieldset", { class: "eb-mode" });
  mode.append(el("legend", {}, "Short last batch"));
  const radios = {};
  for (const [key, label] of [["keep", "keep it"], ["drop", "drop it"]]) {
    const id = `${uid}-${key}`;
    const r = el("input", { type: "radio", name: `${uid}-last`, id, value: key });
    if (key === "keep") r.checked = true;
    const l = el("label", { for: id });
    l.append(r, document.createTextNode(` ${label}`));
    mode.append(l);
    radios[key] = r;
  }
  const next = el("button", { type: "button", class: "btn primary eb-next" }, "Next epoch ↻");
  const restart = el("button", { type: "button", class: "btn eb-restart" }, "Start over");
  const buttons = el("div", { class: "eb-buttons" });
  buttons.append(next, restart);
  inputs.append(ln, lb, mode, buttons);
  const err = errorLine(`${uid}-err`, inN, inB);

  const out = el("dl", { class: "widget-out eb-out", "aria-live": "polite" });
  const cells = outCells(out, [["keep", "steps per epoch, keep last"], ["drop", "steps per epoch, drop last"],
    ["last", "examples in the last batch"], ["check", "every example exactly once per epoch"]]);
  const stored = el("div", { class: "eb-stage" });
  const epochs = el("div", { class: "eb-epochs", "aria-live": "polite" });
  const note = el("p", { class: "widget-note", "aria-live": "polite" });
  root.append(el("p", { class: "widget-title" }, title), inputs, err, out, stored, epochs, note);

  let history = [], seed = 0, ctrl = null, timer = 0;

  const read = () => {
    const n = Number(inN.value), b = Number(inB.value);
    const nOk = Number.isInteger(n) && n >= 1 && n <= MAX_N;
    const bOk = nOk && Number.isInteger(b) && b >= 1 && b <= n;
    inN.setAttribute("aria-invalid", String(!nOk));
    inB.setAttribute("aria-invalid", String(nOk && !bOk));
    err.textContent = !nOk ? `N must be a whole number from 1 to ${MAX_N} here (the rule is the same for any N).`
      : !bOk ? `B must be a whole number from 1 to N = ${n}.` : "";
    return nOk && bOk ? { n, b } : null;
  };

  const render = () => {
    const v = read();
    if (!v || !history.length) return;
    const { n, b } = v, dropLast = radios.drop.checked;
    const ep = history[0], keep = firstEpoch(ep.keep), drop = firstEpoch(ep.drop);
    const last = keep.at(-1).length;
    // counts from the plans, next to the closed forms they must equal
    const ceil = Math.ceil(n / b), floor = Math.floor(n / b);
    cells.keep.textContent = `${keep.length}  (⌈${n}/${b}⌉ = ${ceil})`;
    cells.drop.textContent = `${drop.length}  (⌊${n}/${b}⌋ = ${floor})`;
    cells.last.textContent = last < b ? `${last} (short)` : `${last} (full)`;
    const allOnce = history.every((e) => countUses(n, firstEpoch(dropLast ? e.drop : e.keep)).every((u) => u === 1));
    cells.check.textContent = allOnce ? "✓ yes" : "✗ no (drop last)";
    cells.check.dataset.ok = String(allOnce);
    stored.replaceChildren(el("p", { class: "eb-epoch-head" }, "Stored order"), storedRow(n),
      el("p", { class: "eb-arrow" }, "↓ permute the indices, then cut into blocks of B: one update per block"));
    epochs.replaceChildren(...history.map((e, k) => epochView(e, n, b, dropLast, k === 0)));
    const agree = keep.length === ceil && drop.length === floor;
    note.textContent = `${agree ? "The plans the engine returned" : "Mismatch: the plans"} hold ${count(keep.length, "batch", "batches")} ` +
      `(keep last) and ${drop.length} (drop last), ${agree ? "matching" : "not matching"} ⌈N/B⌉ and ⌊N/B⌋. ` +
      (last < b ? `The last block has only ${count(last, "example", "examples")}; ` +
        `${!dropLast ? "keeping it makes a smaller, noisier final step."
          : last === 1 ? "dropping it skips that example this epoch, and the next shuffle may skip a different one."
            : "dropping it skips them this epoch, and the next shuffle may skip different ones."}`
        : "B divides N, so every block is full and keep-last equals drop-last.") +
      " Press “Next epoch” to reshuffle: the blocks change, the counts do not.";
    root.dataset.drawn = "1";
  };

  const load = async (s, append) => {
    const v = read();
    if (!v) return;
    if (ctrl) ctrl.abort();
    ctrl = new AbortController();
    const { signal } = ctrl;
    try {
      const [keep, drop] = await Promise.all([fetchPlan(v.n, v.b, s, false, signal), fetchPlan(v.n, v.b, s, true, signal)]);
      const number = append && history.length ? history[0].number + 1 : 1;
      history = [{ number, seed: s, keep, drop }, ...(append ? history : [])].slice(0, HISTORY);
      seed = s;
      render();
    } catch (e) {
      if (e.name !== "AbortError") note.textContent = `Could not get the plan: ${e.message}.`;
    }
  };

  const changed = () => {
    clearTimeout(timer);
    if (!read()) { // nothing of the last plan stays beside the error
      history = []; epochs.replaceChildren(); stored.replaceChildren(); note.textContent = "";
      for (const c of Object.values(cells)) c.textContent = "—";
      return;
    }
    timer = setTimeout(() => load(seed, false), 200);
  };
  inN.addEventListener("input", changed); inB.addEventListener("input", changed);
  radios.keep.addEventListener("change", render); radios.drop.addEventListener("change", render);
  next.addEventListener("click", () => load(seed + 1, true));
  restart.addEventListener("click", () => load(0, false));
  load(0, false);
}
