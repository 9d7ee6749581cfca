// Update-rhythm lanes: the current epoch of data as a bar, one tick per real update.
import { INK, LOOK, divergedText, fmt } from "./look.js";
import { indexAt, seenAt } from "./model.js";

const PENDING = "#c3cad5", TRACK = "#eef1f5";

function tint(hex, alpha) {
  const v = parseInt(hex.slice(1), 16);
  return `rgba(${v >> 16}, ${(v >> 8) & 255}, ${v & 255}, ${alpha})`;
}

/** What a lane shows at a playhead: epoch window, fill, ticks, counters. */
export function laneState(m, epochs, axis, t) {
  const k = indexAt(m, axis, t);
  const seen = seenAt(m, axis, t);
  const L = m.epochLength;
  const e = Math.min(epochs - 1, seen > 0 ? Math.ceil(seen / L) - 1 : 0);
  const first = e * m.updates_per_epoch + 1;
  const last = Math.min(m.updates, (e + 1) * m.updates_per_epoch);
  const ticks = [];
  for (let j = first; j <= last; j++) ticks.push(m.examples[j] - e * L);
  return { k, seen, epoch: e, fill: Math.max(0, seen - e * L) / L, ticks, L,
    updatesInEpoch: m.updates_per_epoch, diverged: m.diverged && k >= m.updates };
}

/** One lane per method; counters in the DOM, bar and ticks on a canvas. */
export class Lanes {
  constructor(root, onHover) {
    this.root = root; this.onHover = onHover; this.model = null; this.last = {};
    this.lanes = [...root.querySelectorAll(".lane")].map((el) => ({
      el, key: el.dataset.method, canvas: el.querySelector("canvas"),
      counters: Object.fromEntries([...el.querySelectorAll("[data-c]")].map((d) => [d.dataset.c, d])),
    }));
    for (const lane of this.lanes) {
      lane.canvas.addEventListener("mousemove", (ev) => this.hover(lane, ev));
      lane.canvas.addEventListener("mouseleave", () => this.onHover(null, null));
    }
  }

  setModel(model) { this.model = model; this.last = {}; }

  select(key) { for (const l of this.lanes) l.el.classList.toggle("selected", l.key === key); }

  hover(lane, ev) {
    const s = this.last[lane.key];
    if (!s || !this.model) return;
    const m = this.model.byKey[lane.key];
    const r = lane.canvas.getBoundingClientRect();
    const pos = ((ev.clientX - r.left) / r.width) * s.L;
    let best = -1, dist = Infinity;
    s.ticks.forEach((u, i) => { const d = Math.abs(u - pos); if (d < dist) { dist = d; best = i; } });
    if (best >= 0) this.onHover(m.key, s.epoch * m.updates_per_epoch + 1 + best);
  }

  /** Redraw all lanes at the playhead; ``hover`` ({key, k} or null) is outlined in its lane
   *  when update k falls in the epoch on show. */
  update(axis, t, hover = null) {
    if (!this.model) return;
    this.hovered = hover;
    for (const lane of this.lanes) {
      const m = this.model.byKey[lane.key];
      const s = laneState(m, this.model.spec.epochs, axis, t);
      this.last[lane.key] = s;
      this.draw(lane, m, s);
      const c = lane.counters;
      c.updates.innerHTML = `${fmt(s.k)} <small>/ ${fmt(m.updates_per_epoch * this.model.spec.epochs)}</small>`;
      c.examples.textContent = fmt(s.seen);
      const ep = s.seen / m.epochLength;
      const shown = Number.isInteger(ep) ? String(ep) : ep < 0.01 ? "&lt; 0.01" : ep.toFixed(2);  // never a "0.00" that is not 0
      c.epochs.innerHTML = `${shown} <small>/ ${this.model.spec.epochs}</small>`;
      lane.el.classList.toggle("is-diverged", s.diverged);
    }
  }

  draw(lane, m, s) {
    const cv = lane.canvas, dpr = window.devicePixelRatio || 1;
    const w = cv.clientWidth, h = cv.clientHeight;
    if (!w || !h) return;
    if (cv.width !== Math.round(w * dpr) || cv.height !== Math.round(h * dpr)) {
      cv.width = Math.round(w * dpr); cv.height = Math.round(h * dpr);
    }
    const g = cv.getContext("2d");
    g.setTransform(dpr, 0, 0, dpr, 0, 0);
    g.clearRect(0, 0, w, h);
    const color = LOOK[m.key].color, top = 10, bar = h - 20, pad = 2, span = w - 2 * pad;
    g.fillStyle = TRACK; g.fillRect(pad, top, span, bar);
    g.fillStyle = tint(color, 0.22); g.fillRect(pad, top, span * s.fill, bar);
    const lw = Math.max(1, Math.min(2.5, (span / Math.max(1, s.updatesInEpoch)) * 0.5));
    const done = s.seen - s.epoch * s.L;
    let latest = -1;
    for (const u of s.ticks) {
      const x = pad + (u / s.L) * span;
      const isDone = u <= done;
      if (isDone) latest = x;
      g.fillStyle = isDone ? color : PENDING;
      g.fillRect(x - lw / 2, top - 4, lw, bar + 8);
    }
    const hov = this.hovered && this.hovered.key === m.key ? this.hovered.k - (s.epoch * m.updates_per_epoch + 1) : -1;
    if (hov >= 0 && hov < s.ticks.length) { // the update the readout shows: an outlined tick
      const x = pad + (s.ticks[hov] / s.L) * span;
      g.strokeStyle = INK; g.lineWidth = 1.5; g.fillStyle = INK;
      g.strokeRect(x - lw / 2 - 2.5, top - 6.5, lw + 5, bar + 13);
      g.fillRect(x - lw / 2, top - 4, lw, bar + 8);
    }
    if (latest >= 0) { // the most recent update: a marker above its tick
      g.fillStyle = color; g.beginPath();
      g.moveTo(latest - 5, 0); g.lineTo(latest + 5, 0); g.lineTo(latest, 6); g.closePath(); g.fill();
    }
    if (s.diverged) {
      g.fillStyle = "#b42318"; g.font = "600 12px system-ui, sans-serif"; g.textBaseline = "middle";
      g.fillText(divergedText(m), pad + 6, top + bar / 2);
    }
  }
}
