// The train/test loss chart: points appended as they come; redrawn whole only when its scale changes.
export class LossChart {
  constructor(canvas, tip) {
    this.canvas = canvas; this.tip = tip; this.ctx = canvas.getContext("2d");
    this.points = []; this.reset();
    canvas.addEventListener("mousemove", e => this.hover(e));
    canvas.addEventListener("mouseleave", () => { this.tip.style.display = "none"; });
  }
  reset() {
    this.points = []; this.drawn = 0; this.xmax = 1; this.ymin = Infinity; this.ymax = -Infinity;
    this.ctx.clearRect(0, 0, this.canvas.width, this.canvas.height);
  }
  add(points) {          // [[epoch, train, test], ...]
    if (!points.length) return;
    this.points.push(...points);
    let rescale = false;
    for (const [e, a, b] of points) {
      if (e > this.xmax) { while (this.xmax < e) this.xmax *= 2; rescale = true; }
      for (const v of [a, b]) {
        if (v === null || !Number.isFinite(v)) continue;
        if (v < this.ymin) { this.ymin = v; rescale = true; }
        if (v > this.ymax) { this.ymax = v; rescale = true; }
      }
    }
    if (rescale) { this.ctx.clearRect(0, 0, this.canvas.width, this.canvas.height); this.drawn = 0; }
    this.draw();
  }
  x(e) { return e / this.xmax * (this.canvas.width - 2) + 1; }
  y(v) {
    const span = this.ymax - this.ymin || 1, H = this.canvas.height;
    return H - 2 - (v - this.ymin) / span * (H - 4);
  }
  draw() {               // from the last drawn point on
    const ctx = this.ctx, from = Math.max(this.drawn - 1, 0);
    for (const [k, color] of [[1, "#777"], [2, "#000"]]) {
      ctx.strokeStyle = color; ctx.lineWidth = 1; ctx.beginPath();
      let started = false;
      for (let i = from; i < this.points.length; i++) {
        const p = this.points[i], v = p[k];
        if (v === null || !Number.isFinite(v)) { started = false; continue; }
        if (!started) { ctx.moveTo(this.x(p[0]), this.y(v)); started = true; } else ctx.lineTo(this.x(p[0]), this.y(v));
      }
      ctx.stroke();
    }
    this.drawn = this.points.length;
  }
  hover(e) {
    if (!this.points.length) return;
    const r = this.canvas.getBoundingClientRect();
    const epoch = (e.clientX - r.left - 1) / (this.canvas.width - 2) * this.xmax;
    let best = this.points[0];
    for (const p of this.points) if (Math.abs(p[0] - epoch) < Math.abs(best[0] - epoch)) best = p;
    const f = v => (v === null || !Number.isFinite(v)) ? "-" : v.toFixed(4);
    this.tip.textContent = `epoch ${best[0]}: train ${f(best[1])}, test ${f(best[2])}`;
    this.tip.style.display = "block";
    this.tip.style.left = `${Math.min(e.clientX - r.left + 8, 180)}px`; this.tip.style.top = "0px";
  }
}
