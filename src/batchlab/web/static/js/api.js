// Talking to the server: scenes and epoch plans; 422s become {field, msg} errors.
import { sceneQuery } from "./state.js";

const TYPED = { f8: Float64Array, f4: Float32Array, i4: Int32Array, u2: Uint16Array, u1: Uint8Array };

/** A 1-D array stays typed; two or more dimensions become nested plain arrays (as JSON
 *  lists would be), which every consumer (Array.flat, plotly's z) takes as is. */
function shaped(flat, shape) {
  if (!shape || shape.length < 2) return flat;
  const rows = shape[0], step = flat.length / rows, inner = shape.slice(1);
  const row = (i) => flat.subarray(i * step, (i + 1) * step);
  return Array.from({ length: rows }, (_, i) => (inner.length < 2 ? Array.from(row(i)) : shaped(row(i), inner)));
}

/** Turn the server's base64 typed arrays ({dtype, shape, bdata}) into JS typed arrays. */
export function decodeTyped(v) {
  if (Array.isArray(v)) return v.map(decodeTyped);
  if (v === null || typeof v !== "object") return v;
  if (typeof v.bdata === "string" && v.dtype in TYPED) {
    const bin = atob(v.bdata), bytes = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    return shaped(new TYPED[v.dtype](bytes.buffer), v.shape);
  }
  for (const k of Object.keys(v)) v[k] = decodeTyped(v[k]);
  return v;
}

/** One array of a binary frame: a typed view of its aligned little-endian values. */
function typedView(buffer, at, dtype, shape) {
  const T = TYPED[dtype], n = shape.reduce((a, b) => a * b, 1);
  if (at + n * T.BYTES_PER_ELEMENT > buffer.byteLength) throw new Error("binary scene frame is truncated");
  return shaped(new T(buffer, at, n), shape);
}

/** Decode a binary scene frame (layout: see batchlab/web/frame.py) into plain objects. */
export function decodeFrame(buffer) {
  const bytes = new Uint8Array(buffer), view = new DataView(buffer);
  if (String.fromCharCode(...bytes.subarray(0, 4)) !== "BLF2") throw new Error("not a batchlab frame");
  const length = view.getUint32(4, true), start = 8 + length;
  const header = new TextDecoder().decode(bytes.subarray(8, start));
  return JSON.parse(header, (_, v) => (v && typeof v === "object" && !Array.isArray(v) &&
    typeof v.offset === "number" && v.dtype in TYPED && Array.isArray(v.shape) &&
    Object.keys(v).length === 3) ? typedView(buffer, start + v.offset, v.dtype, v.shape) : v);
}

async function errorsOf(r) {
  try {
    const j = await r.json();
    if (Array.isArray(j.detail)) return j.detail.map((d) => ({ field: String(d.loc.at(-1)), msg: d.msg }));
  } catch (_) { /* not JSON */ }
  return [{ field: "query", msg: `The server answered ${r.status}.` }];
}

/** Fetch the race for a scene spec: {scene} or {errors, refused} (refused: the server named
 *  values it does not take). Aborts raise AbortError. */
export async function fetchScene(scene, signal) {
  const r = await fetch(`/api/scene?${sceneQuery(scene)}&format=binary`, { signal });
  if (!r.ok) return { errors: await errorsOf(r), refused: r.status === 422 };
  const body = await r.arrayBuffer();
  try {
    return { scene: decodeFrame(body) };
  } catch (err) { // reached the server, but its answer is not a scene: say that, not "unreachable"
    console.error(err);
    return { errors: [{ field: "query", msg: `The server's answer could not be read (${err.message}).` }] };
  }
}

/** Fetch one epoch plan: {plan} or {errors}. */
export async function fetchPlan(n, batchSize, dropLast = false) {
  const r = await fetch(`/api/epoch-plan?n=${n}&batch_size=${batchSize}&drop_last=${dropLast}`);
  if (r.ok) return { plan: await r.json() };
  return { errors: await errorsOf(r) };
}
