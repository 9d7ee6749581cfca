// Talking to the server: scenes and epoch plans; 422s become {field, msg} errors.
import { sceneQuery } from "./state.js";

async function errorsOf(r) {
  try {
    const j = await r.json();
    if (Array.isArray(j.detail)) return j.detail.map((d) => ({ field: String(d.loc.at(-1)), msg: d.msg }));
  } catch (_) { /* not JSON */ }
  return [{ field: "query", msg: `The server answered ${r.status}.` }];
}

/** Fetch the race for a scene spec: {scene} or {errors}. Aborts raise AbortError. */
export async function fetchScene(scene, signal) {
  const r = await fetch(`/api/scene?${sceneQuery(scene)}`, { signal });
  if (r.ok) return { scene: await r.json() };
  return { errors: await errorsOf(r) };
}

/** Fetch one epoch plan: {plan} or {errors}. */
export async function fetchPlan(n, batchSize, dropLast = false) {
  const r = await fetch(`/api/epoch-plan?n=${n}&batch_size=${batchSize}&drop_last=${dropLast}`);
  if (r.ok) return { plan: await r.json() };
  return { errors: await errorsOf(r) };
}
