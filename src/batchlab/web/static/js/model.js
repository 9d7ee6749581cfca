// The scene as typed arrays, plus the lookups that turn a playhead into an update index.
const MAX_DRAWN = 5000; // points per drawn path; the current point is always exact

function upperBound(arr, x) {
  let lo = 0, hi = arr.length;
  while (lo < hi) { const mid = (lo + hi) >> 1; if (arr[mid] <= x) lo = mid + 1; else hi = mid; }
  return lo;
}

function decimate(m) {
  const n = m.w.length, stride = Math.max(1, Math.ceil(n / MAX_DRAWN));
  const idx = [];
  for (let i = 0; i < n; i += stride) idx.push(i);
  if (idx[idx.length - 1] !== n - 1) idx.push(n - 1);
  const k = Int32Array.from(idx);
  return { k, x: Float64Array.from(k, (i) => m.w[i]), y: Float64Array.from(k, (i) => m.b[i]) };
}

/** A Float64Array of the values: the array itself when it already is one (the binary
 *  scene's views), else a copy. */
const f64 = (a) => (a instanceof Float64Array ? a : Float64Array.from(a));

/** Typed arrays, epoch length and decimated paths for each method. */
export function prepare(raw) {
  const spec = raw.spec, n = raw.dataset.n;
  const methods = raw.methods.map((m) => {
    const out = {
      ...m, w: f64(m.w), b: f64(m.b), loss: f64(m.loss),
      examples: Int32Array.from(m.examples), epoch: Int32Array.from(m.epoch),
      order: Int32Array.from(m.order), start: Int32Array.from(m.batch_start),
      end: Int32Array.from(m.batch_end),
    };
    const fixed = spec.drop_last || spec.sampling === "replacement";
    out.epochLength = fixed ? m.updates_per_epoch * m.batch_size : n;
    out.totalExamples = out.examples[out.examples.length - 1];
    out.drawn = decimate(out);
    return out;
  });
  return {
    raw, spec, n, methods,
    byKey: Object.fromEntries(methods.map((m) => [m.key, m])),
    maxExamples: spec.epochs * Math.max(...methods.map((m) => m.epochLength)),
    maxUpdates: Math.max(...methods.map((m) => m.updates_per_epoch * spec.epochs)),
  };
}

/** Length of the time axis. */
export function axisMax(model, axis) {
  return axis === "updates" ? model.maxUpdates : model.maxExamples;
}

/** The current update of a method: the last one at or before the playhead. */
export function indexAt(m, axis, t) {
  if (axis === "updates") return Math.max(0, Math.min(Math.floor(t), m.updates));
  return Math.max(0, upperBound(m.examples, t) - 1);
}

/** Examples the method has consumed at the playhead (updates axis: at its current update). */
export function seenAt(m, axis, t) {
  if (axis === "updates") return m.examples[indexAt(m, axis, t)];
  return Math.max(0, Math.min(Math.floor(t), m.totalExamples));
}

/** Example indices of update k (1-based), as a plain array. */
export function batchOf(m, k) {
  if (k < 1) return [];
  return Array.from(m.order.subarray(m.start[k - 1], m.end[k - 1]));
}

/** How many of a method's drawn (decimated) points come before update k. */
export function drawnBefore(m, k) {
  return upperBound(m.drawn.k, k - 1);
}

/** Playhead position of update k on an axis. */
export function timeOf(m, axis, k) {
  return axis === "updates" ? k : m.examples[Math.max(0, Math.min(k, m.updates))];
}

/** Playhead after one Step (dir = ±1): the selected method's next or previous update; once
 *  the playhead is past that method's last update, the nearest update of any method, so a
 *  Step never jumps far back (or forward) to a method that has finished. */
export function stepTime(model, m, axis, t, dir) {
  const near = (x) => {
    const k = indexAt(x, axis, t), at = timeOf(x, axis, k);
    if (dir > 0) return k < x.updates ? timeOf(x, axis, k + 1) : null;
    return t > at ? at : k > 0 ? timeOf(x, axis, k - 1) : null;
  };
  const own = t > timeOf(m, axis, m.updates) ? null : near(m);
  if (own !== null) return own;
  const any = model.methods.map(near).filter((v) => v !== null);
  if (!any.length) return t;
  return dir > 0 ? Math.min(...any) : Math.max(...any);
}
