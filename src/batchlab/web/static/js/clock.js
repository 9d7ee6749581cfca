// One shared playhead: a number on the current time axis, advanced by requestAnimationFrame.
const RUN_SECONDS = 40; // a whole run at 1×

/** The playhead; calls onTick(t) after every change. */
export class Clock {
  constructor(onTick, onPlayState) {
    this.t = 0; this.max = 1; this.speed = 1; this.playing = false;
    this.onTick = onTick; this.onPlayState = onPlayState; this.prev = null; this.raf = 0;
  }

  setMax(max) { this.max = Math.max(1, max); if (this.t > this.max) this.set(this.max); }

  set(t) {
    this.t = Math.max(0, Math.min(this.max, t));
    this.onTick(this.t);
  }

  play() {
    if (this.playing) return;
    if (this.t >= this.max) this.t = 0;
    this.playing = true; this.prev = null;
    this.onPlayState(true);
    this.raf = requestAnimationFrame((ts) => this.frame(ts));
  }

  pause() {
    if (!this.playing) return;
    this.playing = false; cancelAnimationFrame(this.raf);
    this.onPlayState(false);
  }

  toggle() { if (this.playing) this.pause(); else this.play(); }

  frame(ts) {
    if (!this.playing) return;
    if (this.prev !== null) {
      const dt = Math.min(0.1, (ts - this.prev) / 1000);
      const next = this.t + (dt * this.speed * this.max) / RUN_SECONDS;
      this.set(next);
      if (next >= this.max) { this.pause(); return; }
    }
    this.prev = ts;
    this.raf = requestAnimationFrame((t2) => this.frame(t2));
  }
}
