// Wires the page: state from the URL, scene from the API, one clock driving every view.
import { fetchScene } from "./api.js";
import { Clock } from "./clock.js";
import { Controls, LABELS, words } from "./controls.js";
import { datasetName } from "./datasets.js";
import { KEYS, divergedText, fmt, pct } from "./look.js";
import { Lanes } from "./lanes.js";
import { LossChart } from "./losschart.js";
import { axisMax, indexAt, prepare, stepTime, timeOf } from "./model.js";
import { Race } from "./race.js";
import { Readout } from "./readout.js";
import { SCENE_FIELDS, readState, writeUrl } from "./state.js";
import { renderTable } from "./table.js";
import { mountWidgets } from "./widgets.js";
import { MEASURES, plotlyReady } from "./measures.js";

const $ = (s) => document.querySelector(s);
const meta = JSON.parse($("#meta").textContent);
const { rejected, ...state } = readState(meta, location.search);
const reduceMotion = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
let model = null, hover = null, pending = null, debounce = 0, urlTimer = 0, lossTimer = 0;
// What the opening link asked for and did not get, shown once a race is drawn: {field, value, msg,
// kind} with kind "server" (refused, msg says why), "nan" or "unknown" (read here), "reset" (with the rest).
const fixes = rejected.map((r) => ({ ...r, msg: "", kind: typeof meta.defaults[r.field] === "number" ? "nan" : "unknown" }));
let repairs = 0, resetAll = false;

const race = new Race($("#landscape"), (key, k) => { hover = key ? { key, k } : null; render(clock.t); });
const lanes = new Lanes($("#lanes"), (key, k) => { hover = key ? { key, k } : null; render(clock.t); });
const loss = new LossChart($("#losschart"));
const readout = new Readout($("#readout"));
const clock = new Clock((t) => render(t), (playing) => {
  const b = $("#play");
  b.querySelector(".ico").textContent = playing ? "❚❚" : "▶";
  b.querySelector(".lbl").textContent = playing ? "Pause" : "Play";
  b.setAttribute("aria-label", playing ? "Pause" : "Play");
  document.body.dataset.playing = playing ? "1" : "0";
  if (!playing) saveUrl();
});
const controls = new Controls($("#settings"), meta, (values) => {
  Object.assign(state.scene, values);
  clearTimeout(debounce);
  debounce = setTimeout(load, 300);
});

function saveUrl() {
  state.view.t = model && clock.t >= clock.max ? null : Math.round(clock.t);
  writeUrl(meta, state);
}

function currentKs(t) {
  return model.methods.map((m) => indexAt(m, state.view.axis, t));
}

function render(t) {
  if (!model) return;
  const ks = currentKs(t);
  race.update(ks);
  lanes.update(state.view.axis, t, hover);
  const shown = ks.slice();
  if (hover) shown[KEYS.indexOf(hover.key)] = Math.min(hover.k, model.byKey[hover.key].updates);
  readout.update(model, shown, hover && hover.key);
  const scrub = $("#scrub");
  scrub.value = String(Math.round(t));
  const unit = state.view.axis === "updates" ? "updates" : "examples processed";
  $("#scrub-text").textContent = `${unit}: ${fmt(Math.round(t))} of ${fmt(clock.max)}`;
  scrub.setAttribute("aria-valuetext", `${fmt(Math.round(t))} ${unit} of ${fmt(clock.max)}`);
  if (!lossTimer) {
    lossTimer = setTimeout(() => {
      lossTimer = 0;
      const sel = model.byKey[state.view.method];
      const ex = state.view.axis === "examples" ? clock.t : sel.examples[indexAt(sel, "updates", clock.t)];
      loss.at(ex / model.n);
    }, clock.playing ? 120 : 0);
  }
  if (!clock.playing) { clearTimeout(urlTimer); urlTimer = setTimeout(saveUrl, 250); }
}

/** Runs that end far from the minimum, said in numbers (the caption's "meet at the star"
 *  is not true of them): J − J* still above 1 % of its starting value. */
function stoppedShort(model) {
  const jStar = model.raw.minimum.loss;
  return model.methods.filter((m) => !m.diverged).map((m) => [m, (m.loss[m.updates] - jStar) / (m.loss[0] - jStar)])
    .filter(([, left]) => left > 0.01)
    .map(([m, left]) => ` ${m.label} stops short here: after its ${fmt(m.updates)} updates, J − J* is still ${pct(left)} of its starting value.`)
    .join("");
}

function showDivergence() {
  const gone = model.methods.filter((m) => m.diverged);
  const el = $("#diverged");
  el.hidden = gone.length === 0;
  el.textContent = gone.map((m) => `${m.label} ${divergedText(m)}`).join(" · ") +
    (gone.length ? ` — η = ${model.spec.lr} is too large here.` : "");
}

// How the page names the scene's fields to people (the form's labels, mid-sentence), and writes their values
// (a dataset as its option in the form).
const nameOf = (f) => { const l = LABELS[f] || f; return l[0].toLowerCase() + l.slice(1); };
const valueText = (f, v) => (f === "dataset" ? datasetName(v) : typeof v === "number" ? fmt(v) : String(v));
// The schedule as the figure's subtitle says it.
const SCHEDULE_TEXT = { constant: "constant", cosine: "cosine decay" };

/** A value the link's field may fall back to: the dataset's recommended one where it has
 *  one, else the default, kept within what the rest of the scene allows. */
function fallback(f) {
  const sc = state.scene, rec = meta.recommended[sc.dataset] || {};
  if (f === "batch_size") return Math.min(meta.defaults.batch_size, sc.n);
  if (f === "epochs") return Math.max(1, Math.min(rec.epochs ?? meta.defaults.epochs, Math.floor(meta.max_examples_processed / sc.n)));
  return rec[f] ?? meta.defaults[f];
}

/** The opening link's scene was refused. The server names one field at a time: replace it
 *  by its fallback and try again; if that does not do (a field named twice, an error that
 *  names no field, too many rounds), the whole scene becomes the defaults. Each change is
 *  kept in `fixes` to be shown. False: nothing left to try. */
function repairLink(errors) {
  repairs += 1;
  const named = errors.filter((e) => SCENE_FIELDS.includes(e.field));
  const fresh = named.length === errors.length && named.every((e) => !fixes.some((x) => x.field === e.field && x.kind === "server"));
  if (fresh && repairs <= SCENE_FIELDS.length) {
    for (const e of named) {
      fixes.push({ field: e.field, value: state.scene[e.field], msg: e.msg, kind: "server" });
      state.scene[e.field] = fallback(e.field);
    }
    return true;
  }
  if (resetAll) return false;
  resetAll = true;
  for (const e of errors.filter((x) => !SCENE_FIELDS.includes(x.field))) fixes.push({ field: "query", value: "", msg: e.msg, kind: "server" });
  for (const f of SCENE_FIELDS) {
    if (state.scene[f] === meta.defaults[f]) continue;
    const e = named.find((x) => x.field === f);
    fixes.push({ field: f, value: state.scene[f], msg: e ? e.msg : "", kind: e ? "server" : "reset" });
    state.scene[f] = meta.defaults[f];
  }
  return true;
}

/** Say what the opening link asked for and what the race shows instead: a notice above the
 *  map naming the fields, and under each field in Settings the server's message. */
function showFixes() {
  if (!fixes.length) return;
  const parts = [], byField = {};
  for (const x of fixes) {
    const now = x.field in state.scene ? valueText(x.field, state.scene[x.field]) : "";
    const asked = x.field === "dataset" ? valueText("dataset", x.value) : String(x.value);
    if (x.field !== "query") parts.push(`${nameOf(x.field)} “${asked}” → ${now}`);
    const why = x.field === "query" ? `${words(x.msg)}.` : x.kind === "server" ? `${words(x.msg)}. The link's ${asked} was replaced by ${now}.` :
      x.kind === "reset" ? `Reset to ${now} with the rest of the link's settings.` :
        `The link's “${asked}” is ${x.kind === "nan" ? "not a number" : "not one of the choices"}; replaced by ${now}.`;
    const at = document.getElementById(`err-${x.field}`) ? x.field : "query";
    const label = at === "query" && x.field !== "query" ? `${nameOf(x.field)}: ` : "";
    byField[at] = `${byField[at] || ""}${label}${why} `;
  }
  for (const [f, text] of Object.entries(byField)) $(`#err-${f}`).textContent = text.trim();
  let note = $("#link-notice");
  if (!note) {
    note = document.createElement("p");
    Object.assign(note, { id: "link-notice", className: "link-notice" });
    note.setAttribute("role", "status");
    $("#landscape").before(note);
  }
  const ok = document.createElement("button");
  Object.assign(ok, { type: "button", className: "btn small", textContent: "Dismiss" });
  ok.addEventListener("click", () => note.remove());
  note.replaceChildren(document.createTextNode(parts.length
    ? `This link asked for settings the race cannot use: ${parts.join("; ")}. Shown with the replacements; Settings says why. `
    : "This link's settings were refused, so the race shows the defaults; Settings says why. "), ok);
  fixes.length = 0;
}

async function load() {
  if (pending) pending.abort();
  const ctrl = new AbortController();
  pending = ctrl;
  document.body.dataset.loading = "1";
  let res;
  try {
    res = await fetchScene(state.scene, ctrl.signal);
    performance.mark("scene-fetched");
  } catch (err) { // fetch itself failed: no answer came
    if (err.name === "AbortError") return;
    res = { errors: [{ field: "query", msg: "Could not reach the server." }] };
  }
  if (!res.errors) {
    try {
      await plotlyReady();
    } catch (err) {
      console.error(err);
      res = { errors: [{ field: "query", msg: `The charts could not be drawn (${err.message}).` }] };
    }
  }
  if (pending !== ctrl) return;
  pending = null;
  document.body.dataset.loading = "0";
  if (res.errors) {
    // the opening link is refused: draw a race with sensible values instead, and say so
    if (model === null && res.refused && repairLink(res.errors)) { controls.set(state.scene); return load(); }
    controls.showErrors(res.errors);
    document.body.dataset.error = "1";
    if (model === null) { // nothing to show: no spinner, the reason
      $("#loading").textContent = `The race could not be computed: ${res.errors.map((e) => e.msg).join(" ")}`;
      $("#loading").classList.add("failed");
    }
    return;
  }
  controls.showErrors([]);
  if (model !== null) $("#link-notice")?.remove(); // a new scene of the reader's own: the link's notice is done
  document.body.dataset.error = "0";
  const first = model === null;
  const wasAtEnd = !first && clock.t >= clock.max;
  const frac = first ? null : clock.t / clock.max;
  model = prepare(res.scene);
  lanes.setModel(model);
  clock.setMax(axisMax(model, state.view.axis));
  $("#scrub").max = String(clock.max);
  const t0 = first ? (state.view.t === null ? clock.max : state.view.t) : (wasAtEnd ? clock.max : frac * clock.max);
  await race.draw(model, state.view.method, currentKs(Math.min(t0, clock.max)));
  await loss.draw(model);
  $("#loading").hidden = true;
  showDivergence();
  renderTable($("#table"), model);
  const sched = model.spec.schedule;
  $("#fig-sub").textContent = `· ${datasetName(model.spec.dataset)}, N = ${fmt(model.n)}, B = ${fmt(model.spec.batch_size)}, ` +
    `η = ${model.spec.lr}, ${SCHEDULE_TEXT[sched] || `${sched} schedule`}`;
  $("#fig-data").textContent = `${model.raw.dataset.description} Loss J: the mean over the N examples of ` +
    (model.raw.model === "logistic" ? "the log loss of σ(w·x + b) against y ∈ {0, 1}." : "the squared error ½(w·x + b − y)².") +
    (model.spec.batch_size === model.n ? " At B = N the mini-batch run is full batch too: it differs from the full-batch path only by its start." : "") +
    stoppedShort(model);
  showFixes();
  clock.set(t0);
  if (first) {
    performance.mark("first-figure");
    window.batchlab.firstFigureMs = performance.now();
  }
  document.body.dataset.ready = "1";
  document.body.dataset.sceneKey = JSON.stringify(model.spec);
  document.dispatchEvent(new CustomEvent("batchlab:scene", { detail: model }));
  saveUrl();
}

function selectMethod(key) {
  state.view.method = key;
  for (const k of KEYS) $(`#card-${k}`).hidden = k !== key;
  const radio = document.querySelector(`input[name=method][value=${key}]`);
  if (radio && !radio.checked) radio.checked = true;
  race.highlight(key);
  lanes.select(key);
  render(clock.t);
  if (model) saveUrl();
}

function setAxis(axis) {
  if (!model) { state.view.axis = axis; return; }
  const sel = model.byKey[state.view.method];
  const k = indexAt(sel, state.view.axis, clock.t);
  state.view.axis = axis;
  clock.setMax(axisMax(model, axis));
  $("#scrub").max = String(clock.max);
  clock.set(timeOf(sel, axis, k));
  saveUrl();
}

/** Move the playhead to the selected method's next (dir = 1) or previous (-1) update. */
function step(dir) {
  if (!model) return;
  clock.pause();
  clock.set(stepTime(model, model.byKey[state.view.method], state.view.axis, clock.t, dir));
}

function typing(el) {
  return el && (el.matches("input, select, textarea, [contenteditable]") ||
    (el.matches("button, summary, a") && !el.closest(".play")));
}

function bind() {
  $("#play").addEventListener("click", () => clock.toggle());
  $("#step").addEventListener("click", () => step(1));
  $("#back").addEventListener("click", () => step(-1));
  $("#reset").addEventListener("click", () => { clock.pause(); clock.set(0); });
  $("#speed").value = String(state.view.speed);
  clock.speed = state.view.speed;
  $("#speed").addEventListener("change", (e) => { clock.speed = state.view.speed = Number(e.target.value); saveUrl(); });
  $("#scrub").addEventListener("input", (e) => { clock.pause(); clock.set(Number(e.target.value)); });
  document.querySelectorAll("input[name=axis]").forEach((r) => {
    r.checked = r.value === state.view.axis;
    r.addEventListener("change", () => setAxis(r.value));
  });
  document.querySelectorAll("input[name=method]").forEach((r) => r.addEventListener("change", () => selectMethod(r.value)));
  document.addEventListener("keydown", (e) => {
    if (e.altKey || e.ctrlKey || e.metaKey) return;
    const onPlayButton = e.target.closest && e.target.closest(".play") && e.target.matches("button");
    if (e.key === " " && !typing(e.target) && !onPlayButton) { e.preventDefault(); clock.toggle(); }
    else if ((e.key === "ArrowRight" || e.key === "ArrowLeft") && !typing(e.target)) {
      e.preventDefault(); step(e.key === "ArrowRight" ? 1 : -1);
    }
  });
}

window.batchlab = {
  get t() { return clock.t; }, get max() { return clock.max; }, get playing() { return clock.playing; },
  get model() { return model; }, reduceMotion, firstFigureMs: null,
  get drawn() { return race.layer.drawn; }, // what the race's moving layer shows: {ks, order}
};
bind();
controls.set(state.scene);
selectMethod(state.view.method);
mountWidgets(document.querySelector(".lesson"), MEASURES);
load();
