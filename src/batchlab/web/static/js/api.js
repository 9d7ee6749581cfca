// Talking to the server: scenes and epoch plans; 422s become {field, msg} errors.
import { sceneQuery } from "./state.js";

const TYPED = { f8: Float64Array, f4: Float32Array, i4: Int32Array };

/** Turn the server's base64 typed arrays ({dtype, shape, bdata}) into JS typed arrays. */
export function decodeTyped(v) {
  if (Array.isArray(v)) return v.map(decodeTyped);
  if (v === null || typeof v !== "object") return v;
  if (typeof v.bdata === "string" && v.dtype in TYPED) {
    const bin = atob(v.bdata), bytes = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    return new TYPED[v.dtype](bytes.buffer);
  }
  for (const k of Object.keys(v)) v[k] = decodeTyped(v[k]);
  return v;
}

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
  if (r.ok) return { scene: decodeTyped(await r.json()) };
  return { errors: await errorsOf(r) };
}

/** Fetch one epoch plan: {plan} or {errors}. */
export async function fetchPlan(n, batchSize, dropLast = false) {
  const r = await fetch(`/api/epoch-plan?n=${n}&batch_size=${batchSize}&drop_last=${dropLast}`);
  if (r.ok) return { plan: await r.json() };
  return { errors: await errorsOf(r) };
}
