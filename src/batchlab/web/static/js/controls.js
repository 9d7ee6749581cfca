// The settings form: values in and out, batch-size presets, inline server errors.
const FIELDS = ["dataset", "schedule", "n", "batch_size", "lr", "epochs", "seed"];
const NUMBERS = ["n", "batch_size", "lr", "epochs", "seed"];

// The server names fields as the API does; people read them as the form's labels.
export const LABELS = { batch_size: "Batch size B", lr: "Learning rate η", epochs: "Epochs", n: "Examples N",
  seed: "Seed", dataset: "Dataset", schedule: "Step-size schedule", data_seed: "Data seed", sampling: "Sampling",
  drop_last: "Drop the short last batch", resolution: "Grid resolution" };
export const words = (msg) => msg.replace(/^([a-z_]+) must/, (m, f) => `${LABELS[f] || f} must`)
  .replace(/\bn=(\d+)/g, "N = $1").replace(/× n\b/g, "× N");

/** Binds the form; calls onChange(partialScene, {dataset: bool}) on every edit. */
export class Controls {
  constructor(form, meta, onChange) {
    this.form = form; this.meta = meta; this.onChange = onChange;
    this.inputs = Object.fromEntries(FIELDS.map((f) => [f, form.querySelector(`#${f}`)]));
    this.note = form.querySelector("#dataset-note");
    for (const f of NUMBERS) {
      const lim = meta.limits[f];
      this.inputs[f].min = String(lim.low); this.inputs[f].max = String(lim.high);
      this.inputs[f].addEventListener("input", () => { if (f === "n") this.followN(); this.emit(); });
    }
    this.inputs.dataset.addEventListener("change", () => this.datasetChanged());
    this.inputs.schedule.addEventListener("change", () => this.emit());
    form.querySelectorAll("[data-batch]").forEach((chip) => chip.addEventListener("click", () => {
      this.inputs.batch_size.value = chip.dataset.batch === "N" ? this.inputs.n.value : chip.dataset.batch;
      this.emit();
    }));
    form.querySelector("#reseed").addEventListener("click", () => {
      this.inputs.seed.value = String(Math.floor(Math.random() * 100000));
      this.emit();
    });
  }

  /** Current values as scene fields (numbers where numeric). */
  values() {
    const v = { dataset: this.inputs.dataset.value, schedule: this.inputs.schedule.value };
    for (const f of NUMBERS) {
      const s = this.inputs[f].value.trim();
      v[f] = s === "" ? s : Number(s);
    }
    return v;
  }

  set(scene) {
    const sel = this.inputs.schedule;
    if (![...sel.options].some((o) => o.value === scene.schedule)) sel.add(new Option(scene.schedule, scene.schedule));
    for (const f of FIELDS) this.inputs[f].value = String(scene[f]);
    this.sync();
  }

  sync() {
    const b = this.inputs.batch_size.value, n = this.inputs.n.value;
    this.lastN = n;
    this.form.querySelectorAll("[data-batch]").forEach((chip) => {
      const on = chip.dataset.batch === "N" ? b === n : chip.dataset.batch === b;
      chip.setAttribute("aria-pressed", String(on));
    });
    const ds = this.inputs.dataset.value, fixed = this.meta.fixed_sizes[ds];
    this.inputs.n.max = String(fixed || this.meta.limits.n.high);
    const rec = this.meta.recommended[ds];
    this.note.textContent = `Recommended for this dataset: η = ${rec.lr}, ${rec.epochs} epochs` +
      (fixed ? `; it has ${fixed} examples.` : ".");
  }

  /** A full batch (B = N, the "N" preset) stays a full batch when N changes. */
  followN() {
    if (this.inputs.batch_size.value === this.lastN) this.inputs.batch_size.value = this.inputs.n.value;
  }

  datasetChanged() {
    const rec = this.meta.recommended[this.inputs.dataset.value];
    this.inputs.n.value = String(rec.n); this.inputs.lr.value = String(rec.lr);
    this.inputs.epochs.value = String(rec.epochs);
    this.followN();
    if (Number(this.inputs.batch_size.value) > rec.n) this.inputs.batch_size.value = String(rec.n);
    this.emit();
  }

  emit() {
    this.sync();
    // a field the browser cannot read as a number (empty, or "abc") is not sent: the form says so
    const unread = NUMBERS.filter((f) => this.inputs[f].validity.badInput || this.inputs[f].value.trim() === "");
    if (unread.length) {
      const lim = this.meta.limits;
      this.showErrors(unread.map((f) => ({ field: f, msg: `${f} must be a number from ${lim[f].low} to ${lim[f].high}` })));
      return;
    }
    this.onChange(this.values());
  }

  /** Show server messages next to their fields; clear the others. */
  showErrors(errors) {
    const byField = Object.fromEntries(errors.map((e) => [e.field, e.msg]));
    for (const el of this.form.querySelectorAll(".field-error")) {
      const f = el.id.slice(4);
      const msg = byField[f] ?? (f === "query" ? errors.filter((e) => !(e.field in this.inputs)).map((e) => `${e.field}: ${e.msg}`).join(" ") : "");
      el.textContent = msg ? words(msg) : "";
      if (this.inputs[f]) this.inputs[f].setAttribute("aria-invalid", String(Boolean(msg)));
    }
  }
}
