// How each method is drawn: colour plus line style and marker (never colour alone).
export const LOOK = {
  full: { color: "#1f5fbf", dash: "solid", symbol: "circle", width: 3 },
  mini: { color: "#1a7f37", dash: "dash", symbol: "square", width: 2.4 },
  stochastic: { color: "#c2410c", dash: "dot", symbol: "triangle-up", width: 2 },
};
export const KEYS = ["full", "mini", "stochastic"];
// Quantities that are NOT one of the three methods (times, references, variants, rules):
// hues, dashes and markers that LOOK never uses, so no one mistakes them for a method.
// Every colour is ≥ 4.5:1 on white.
export const NEUTRAL = {
  slate: { color: "#334155", dash: "solid", symbol: "diamond", width: 2.2 },
  purple: { color: "#7c3aed", dash: "dash", symbol: "x", width: 2.2 },
  teal: { color: "#0f766e", dash: "dashdot", symbol: "star-open", width: 2.2 },
  grey: { color: "#6b7280", dash: "longdash", symbol: "hexagon-open", width: 2 },
};
export const INK = "#1b2330";
export const FONT = { family: "system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif", color: INK, size: 13 };

/** Format a number for people: thousands separators for integers, 5 significant digits else. */
export function fmt(v, digits = 5) {
  if (v === null || v === undefined || Number.isNaN(v)) return "—";
  // counts get separators; a float that happens to be whole (a loss of 2.2e69) does not
  if (Number.isInteger(v) && Math.abs(v) < 1e15) return v.toLocaleString("en-US");
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e6)) return v.toExponential(digits - 1);
  return Number(v.toPrecision(digits)).toString();
}

/** An integer exponent in superscript digits: −7 → "⁻⁷". */
export function superscript(e) {
  return String(e).split("").map((c) => (c === "-" ? "⁻" : "⁰¹²³⁴⁵⁶⁷⁸⁹"[Number(c)])).join("");
}

/** Like fmt, but a very small or large number as "5.3546 × 10⁻⁷" for people to read (fmt
 *  keeps "5.3546e-7", which copied text and tests parse). */
export function fmtSci(v, digits = 5) {
  const s = fmt(v, digits), m = /^(-?[\d.]+)e([+-]\d+)$/.exec(s);
  return m ? `${m[1].replace("-", "\u2212")}\u00a0×\u00a010${superscript(Number(m[2]))}` : s;
}

/** A formatted number with real minus signs (U+2212), as tables and running text print it. */
export function signed(v, digits = 5) {
  return fmt(v, digits).replace(/-/g, "\u2212");
}

/** How a run that blew up is described everywhere (lanes, banner, table): diverged_at is the
 *  update that produced the runaway point, so the last finite update is diverged_at − 1. */
export function divergedText(m) {
  const last = m.diverged_at - 1;
  return last >= 1 ? `diverged after update ${fmt(last)}` : "diverged on its first update";
}

/** "1 batch", "3 batches": a count with its noun in the right number. */
export const count = (k, one, many) => `${fmt(k)} ${k === 1 ? one : many}`;

/** A fraction as a percentage, "6.1 %" (a no-break space before the sign). */
export const pct = (v, digits = 1) => `${(100 * v).toFixed(digits)}\u00a0%`;
