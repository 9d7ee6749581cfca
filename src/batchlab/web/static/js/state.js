// The whole view as URL parameters: scene fields (as the API names them) plus view fields.
export const SCENE_FIELDS = ["dataset", "n", "batch_size", "lr", "epochs", "seed",
  "data_seed", "schedule", "sampling", "drop_last", "resolution"];
const ALWAYS = new Set(["dataset", "n", "batch_size", "lr", "epochs", "seed"]);
const METHODS = ["full", "mini", "stochastic"];
const AXES = ["examples", "updates"];
const SPEEDS = [0.25, 0.5, 1, 2, 4, 8];
// The API's choices for the text fields (the metadata sends them; these are fallbacks).
export const SCHEDULES = ["cosine", "constant"];
export const SAMPLINGS = ["shuffle", "sequential", "replacement"];

/** The values a text field of the scene may take; null where any value goes. */
function choices(meta, field) {
  if (field === "dataset") return Object.keys(meta.recommended);
  if (field === "schedule") return meta.schedules || SCHEDULES;
  if (field === "sampling") return meta.samplings || SAMPLINGS;
  return null;
}

function coerce(value, def) {
  if (typeof def === "boolean") return value === "true" || value === "1";
  if (typeof def === "number") {
    const v = Number(value);
    return Number.isFinite(v) ? v : def;
  }
  return value;
}

/** Read {scene, view, rejected} from a query string, falling back to the server's defaults.
 *  A dataset, schedule or sampling the API does not know, or a number that is not one, is
 *  replaced by its default and listed in `rejected` as {field, value}; numbers out of
 *  range are left for the server to judge (its message names the field). */
export function readState(meta, search) {
  const q = new URLSearchParams(search);
  const scene = { ...meta.defaults }, rejected = [];
  for (const f of SCENE_FIELDS) {
    if (!q.has(f)) continue;
    const raw = q.get(f), allowed = choices(meta, f), def = meta.defaults[f];
    const bad = allowed ? !allowed.includes(raw) :
      typeof def === "number" ? raw.trim() === "" || !Number.isFinite(Number(raw)) :
        typeof def === "boolean" ? !["true", "false", "1", "0"].includes(raw) : false;
    if (bad) rejected.push({ field: f, value: raw });
    else scene[f] = coerce(raw, def);
  }
  // a dataset named without its size, rate or epochs gets its recommended ones (as the API does)
  const rec = meta.recommended[scene.dataset] || {};
  for (const f of ["n", "lr", "epochs"]) if (!q.has(f) && f in rec) scene[f] = rec[f];
  const method = METHODS.includes(q.get("method")) ? q.get("method") : "mini";
  const axis = AXES.includes(q.get("axis")) ? q.get("axis") : "examples";
  const speed = SPEEDS.includes(Number(q.get("speed"))) ? Number(q.get("speed")) : 1;
  const t = q.has("t") && Number.isFinite(Number(q.get("t"))) ? Number(q.get("t")) : null;
  return { scene, view: { method, axis, speed, t }, rejected };
}

/** The query string of a state (t = null means "at the end"). */
export function toQuery(meta, state) {
  const q = new URLSearchParams();
  for (const f of SCENE_FIELDS) {
    const v = state.scene[f];
    if (ALWAYS.has(f) || v !== meta.defaults[f]) q.set(f, String(v));
  }
  q.set("method", state.view.method);
  q.set("axis", state.view.axis);
  if (state.view.speed !== 1) q.set("speed", String(state.view.speed));
  if (state.view.t !== null) q.set("t", String(Math.round(state.view.t)));
  return q.toString();
}

/** Scene fields only, as the API's query string. */
export function sceneQuery(scene) {
  const q = new URLSearchParams();
  for (const f of SCENE_FIELDS) if (scene[f] !== undefined) q.set(f, String(scene[f]));
  return q.toString();
}

/** Replace the address bar's query without a new history entry. */
export function writeUrl(meta, state) {
  const qs = toQuery(meta, state);
  if (location.search.slice(1) !== qs) history.replaceState(null, "", `${location.pathname}?${qs}${location.hash}`);
}
