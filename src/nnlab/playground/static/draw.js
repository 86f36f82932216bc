// Colours and canvas drawing: the Playground's orange-grey-blue scale, heatmaps, points.
const STOPS = [[0xf5, 0x93, 0x22], [0xe8, 0xea, 0xeb], [0x08, 0x77, 0xbd]];
export const CLASS_COLORS = ["#f59322", "#0877bd", "#2ca02c", "#9467bd", "#d62728", "#8c564b", "#e377c2", "#17becf"];
const SHADES = 30;

export function rgb(v) {                       // v in [-1, 1] -> [r, g, b]
  if (!Number.isFinite(v)) return [160, 160, 160];
  const t = (Math.max(-1, Math.min(1, v)) + 1) / 2;
  const [a, b, u] = t < 0.5 ? [STOPS[0], STOPS[1], t * 2] : [STOPS[1], STOPS[2], t * 2 - 1];
  return [0, 1, 2].map(i => Math.round(a[i] + (b[i] - a[i]) * u));
}
export const css = v => `rgb(${rgb(v).join(",")})`;
const PALETTE = Array.from({ length: SHADES }, (_, i) => rgb(-1 + 2 * i / (SHADES - 1)));
const hexRgb = h => [1, 3, 5].map(i => parseInt(h.slice(i, i + 2), 16));
const CLASS_RGB = CLASS_COLORS.map(hexRgb);

export function decodeSigned(b64) {            // base64 int8 -> Float32Array in [-1, 1]
  const s = atob(b64), out = new Float32Array(s.length);
  for (let i = 0; i < s.length; i++) { let c = s.charCodeAt(i); if (c > 127) c -= 256; out[i] = c / 127; }
  return out;
}
export function decodeBytes(b64) {
  const s = atob(b64), out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

// A square map (n*n values in [-1, 1]) onto a canvas whose size is n x n; quantised like the Playground.
export function drawMap(canvas, values, discretize = false, alpha = 160) {
  const n = Math.round(Math.sqrt(values.length));
  if (canvas.width !== n) { canvas.width = n; canvas.height = n; }
  const ctx = canvas.getContext("2d"), img = ctx.createImageData(n, n), d = img.data;
  for (let i = 0; i < values.length; i++) {
    let v = values[i];
    if (discretize) v = v >= 0 ? 1 : -1;
    const c = PALETTE[Math.round((Math.max(-1, Math.min(1, v)) + 1) / 2 * (SHADES - 1))];
    d[4 * i] = c[0]; d[4 * i + 1] = c[1]; d[4 * i + 2] = c[2]; d[4 * i + 3] = alpha;
  }
  ctx.putImageData(img, 0, 0);
}

export function drawClassMap(canvas, classes, confidence, discretize = false) {
  const n = Math.round(Math.sqrt(classes.length));
  if (canvas.width !== n) { canvas.width = n; canvas.height = n; }
  const ctx = canvas.getContext("2d"), img = ctx.createImageData(n, n), d = img.data;
  for (let i = 0; i < classes.length; i++) {
    const c = CLASS_RGB[classes[i] % CLASS_RGB.length], w = discretize ? 1 : confidence[i] / 255;
    for (let k = 0; k < 3; k++) d[4 * i + k] = Math.round(232 + (c[k] - 232) * w);
    d[4 * i + 3] = 160;
  }
  ctx.putImageData(img, 0, 0);
}

// Points [x, y, label]: classes by colour (two classes: orange -1 / blue +1), regression by value.
export function drawPoints(canvas, domain, train, test, showTest, task, classes) {
  const ctx = canvas.getContext("2d"), W = canvas.width;
  ctx.clearRect(0, 0, W, W);
  const px = v => (v + domain) / (2 * domain) * W, py = v => (domain - v) / (2 * domain) * W;
  const fill = label => {
    if (task === "regression") return css(label);
    const k = classes ? classes.indexOf(label) : 0;
    return CLASS_COLORS[Math.max(k, 0) % CLASS_COLORS.length];
  };
  const sets = [[train, "#fff"]];
  if (showTest) sets.push([test, "#000"]);
  for (const [pts, stroke] of sets) {
    ctx.strokeStyle = stroke; ctx.lineWidth = 1;
    for (const [x, y, l] of pts) {
      const X = px(x), Y = py(y);
      if (X < 0 || X > W || Y < 0 || Y > W) continue;
      ctx.beginPath(); ctx.arc(X, Y, 3, 0, 2 * Math.PI); ctx.fillStyle = fill(l); ctx.fill(); ctx.stroke();
    }
  }
}
