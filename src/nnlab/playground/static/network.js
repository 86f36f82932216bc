// The network diagram: input features, hidden units with their maps, links whose width and colour show the
// weight (click one, or a bias square, to edit it), +/- buttons for layers and units.
import { FEATURE_KEYS } from "./state.js";
import { css, decodeSigned, drawMap, CLASS_COLORS } from "./draw.js";

const SVG = "http://www.w3.org/2000/svg";
const NODE = 30, GAP = 44, TOP = 34;

export class Network {
  constructor(root, handlers) {
    this.root = root; this.h = handlers;
    this.svg = root.querySelector("#links"); this.nodes = root.querySelector("#nodes");
    this.canvas = root.querySelector("#link-canvas");        // the links are drawn here; the SVG only takes the mouse
    this.card = root.querySelector("#hovercard");
    this.links = []; this.biases = []; this.thumbs = new Map(); this.weights = null;
    document.addEventListener("click", e => { if (!this.card.contains(e.target) && !e.target.closest?.(".bias,.hit")) this.hideCard(); });
  }

  build(net, labels, hidden) {
    this.net = net; this.links = []; this.biases = []; this.thumbs = new Map();
    this.svg.innerHTML = ""; this.nodes.innerHTML = "";
    const sizes = net.sizes, L = sizes.length - 1, width = this.root.clientWidth || 500;
    const cols = L + 1, spacing = Math.min(130, (width - 100) / cols);
    const colX = c => 70 + c * spacing;
    const shown = FEATURE_KEYS.filter(k => !hidden.has(k));
    const pos = [];                                   // pos[layer][unit] = [x, y] (layer 0 = network inputs)
    pos[0] = net.features.map(k => [colX(0), TOP + shown.indexOf(k) * GAP]);
    for (let l = 1; l <= L; l++) pos[l] = Array.from({ length: sizes[l] }, (_, j) => [colX(l), TOP + j * GAP]);
    const maxRows = Math.max(shown.length, ...sizes.slice(1));
    this.root.style.height = `${TOP + maxRows * GAP + 20}px`;
    this.svg.setAttribute("width", width); this.svg.setAttribute("height", TOP + maxRows * GAP);
    const ratio = window.devicePixelRatio || 1;
    this.canvas.width = width * ratio; this.canvas.height = (TOP + maxRows * GAP) * ratio;
    this.canvas.style.width = `${width}px`; this.canvas.style.height = `${TOP + maxRows * GAP}px`;
    this.canvas.getContext("2d").setTransform(ratio, 0, 0, ratio, 0, 0);
    // links (under the nodes)
    let at = 0;
    for (let l = 0; l < L; l++) {
      const nIn = sizes[l], nOut = sizes[l + 1];
      for (let j = 0; j < nOut; j++) for (let i = 0; i < nIn; i++) {
        const [x1, y1] = pos[l][i], [x2, y2] = pos[l + 1][j];
        const d = `M${x1 + NODE},${y1 + NODE / 2} C${(x1 + x2 + NODE) / 2},${y1 + NODE / 2} ${(x1 + x2 + NODE) / 2},${y2 + NODE / 2} ${x2},${y2 + NODE / 2}`;
        const hit = document.createElementNS(SVG, "path");
        hit.setAttribute("d", d); hit.setAttribute("class", "hit");
        const index = at + j * nIn + i, where = { layer: l, unit: j, source: i };
        hit.addEventListener("mouseenter", e => this.showCard(e, "Weight", index, where, false));
        hit.addEventListener("click", e => this.showCard(e, "Weight", index, where, true));
        hit.addEventListener("mouseleave", () => { if (this.card.dataset.editing !== "1") this.hideCard(); });
        this.svg.append(hit);
        this.links.push({ index, x1: x1 + NODE, y1: y1 + NODE / 2, x2, y2: y2 + NODE / 2 });
      }
      at += nIn * nOut;
      for (let j = 0; j < nOut; j++) this.biases.push({ index: at + j, layer: l, unit: j });
      at += nOut;
    }
    // input nodes: every feature, on or off
    for (const k of shown) {
      const on = net.features.includes(k);
      const node = this.node(colX(0), TOP + shown.indexOf(k) * GAP, `in:${k}`, `input ${on ? "on" : "off"}`);
      node.dataset.feature = k;
      const name = document.createElement("span"); name.className = "name"; name.textContent = labels[k] || k;
      node.append(name);
      if (net.inputs[k]) drawMap(node.querySelector("canvas"), decodeSigned(net.inputs[k]));
      node.addEventListener("click", () => this.h.toggleFeature(k));
    }
    // hidden and output units, with bias squares
    let b = 0;
    for (let l = 1; l <= L; l++) for (let j = 0; j < sizes[l]; j++) {
      const [x, y] = pos[l][j], id = `${l}:${j}`;
      const node = this.node(x, y, id, l === L ? "output" : "hidden");
      this.thumbs.set(id, node.querySelector("canvas"));
      const sq = document.createElement("div"); sq.className = "bias";
      const bias = this.biases[b++];
      bias.el = sq;
      const where = { layer: bias.layer, unit: bias.unit, source: null };
      sq.addEventListener("mouseenter", e => this.showCard(e, "Bias", bias.index, where, false));
      sq.addEventListener("click", e => { e.stopPropagation(); this.showCard(e, "Bias", bias.index, where, true); });
      sq.addEventListener("mouseleave", () => { if (this.card.dataset.editing !== "1") this.hideCard(); });
      node.append(sq);
    }
    // where the first-view callouts point: the first hidden unit, and the links into the next layer
    // (each callout sits under its column: the first hidden layer's last unit, the links into the next layer)
    const bottom = l => pos[l][pos[l].length - 1][1] + NODE + 8;
    this.anchors = L > 1 ? { unit: [pos[1][0][0] - 8, bottom(1)],
                             links: [(pos[1][0][0] + pos[2][0][0] + NODE) / 2 + 4, Math.max(bottom(2), TOP + NODE + 40)] } : null;
    // per-layer +/- buttons
    for (let l = 1; l < L; l++) {
      const box = document.createElement("div"); box.className = "layer-ctl";
      box.style.left = `${colX(l) - 15}px`; box.style.top = "0px";
      box.innerHTML = `<button class="add-unit">+</button> <button class="remove-unit">&minus;</button><div>${sizes[l]} neuron${sizes[l] > 1 ? "s" : ""}</div>`;
      box.dataset.layer = l - 1;
      box.querySelector(".add-unit").addEventListener("click", () => this.h.changeUnits(l - 1, +1));
      box.querySelector(".remove-unit").addEventListener("click", () => this.h.changeUnits(l - 1, -1));
      this.nodes.append(box);
    }
  }

  node(x, y, id, kind) {
    const node = document.createElement("div");
    node.className = `node ${kind}`; node.dataset.id = id;
    node.style.left = `${x}px`; node.style.top = `${y}px`;
    const c = document.createElement("canvas"); c.width = 20; c.height = 20; node.append(c);
    if (!kind.startsWith("output")) {
      node.addEventListener("mouseenter", () => this.h.focus(id));
      node.addEventListener("mouseleave", () => this.h.focus(null));
    }
    this.nodes.append(node);
    return node;
  }

  update(frame, outputCanvas) {
    this.weights = frame.weights;
    const dead = new Set(frame.dead || []);
    const offset = -frame.epoch / 3;
    this.drawLinks(frame.weights, dead, offset);
    for (const b of this.biases) b.el.style.background = css(frame.weights[b.index]);
    for (const [id, b64] of Object.entries(frame.thumbs)) {
      const c = this.thumbs.get(id);
      if (c) drawMap(c, decodeSigned(b64));
    }
    const L = this.net.sizes.length - 1, K = this.net.sizes[L];
    for (let j = 0; j < K; j++) {
      const c = this.thumbs.get(`${L}:${j}`);
      if (!c) continue;
      const ctx = c.getContext("2d");
      if (K === 1) { c.width = 20; c.height = 20; ctx.drawImage(outputCanvas, 0, 0, 20, 20); }
      else { ctx.fillStyle = CLASS_COLORS[j % CLASS_COLORS.length]; ctx.fillRect(0, 0, c.width, c.height); }
    }
    if (this.card.dataset.index && this.card.dataset.editing !== "1") this.fillCard();
  }

  // Width = |w| mapped 0..5 -> 1..10 px, colour = w on the orange-grey-blue scale, dashes 9/1 flowing with
  // the epoch (dead L1 links dotted). One canvas: far cheaper to repaint each frame than hundreds of SVG paths.
  drawLinks(weights, dead, offset) {
    const ctx = this.canvas.getContext("2d");
    ctx.clearRect(0, 0, this.canvas.width, this.canvas.height);
    ctx.lineDashOffset = offset % 10;
    for (const l of this.links) {
      const w = weights[l.index], mid = (l.x1 + l.x2) / 2;
      ctx.setLineDash(dead.has(l.index) ? [1, 3] : [9, 1]);
      ctx.lineWidth = Math.min(10, 1 + Math.abs(w) * 9 / 5);
      ctx.strokeStyle = css(w);
      ctx.beginPath(); ctx.moveTo(l.x1, l.y1); ctx.bezierCurveTo(mid, l.y1, mid, l.y2, l.x2, l.y2); ctx.stroke();
    }
  }

  showCard(e, what, index, where, edit) {
    if (!this.weights) return;
    const r = this.root.getBoundingClientRect();
    this.card.style.left = `${e.clientX - r.left + 10}px`; this.card.style.top = `${e.clientY - r.top - 10}px`;
    this.card.style.display = "block";
    Object.assign(this.card.dataset, { index, what, layer: where.layer, unit: where.unit,
      source: where.source === null ? "" : where.source, editing: edit ? "1" : "" });
    if (!edit) { this.fillCard(); return; }
    e.stopPropagation();
    this.card.innerHTML = `${what} is <input type="number" step="0.1" id="param-input">`;
    const input = this.card.querySelector("input");
    input.value = (+this.weights[index]).toFixed(3);
    input.focus(); input.select();
    input.addEventListener("keydown", ev => {
      if (ev.key === "Enter" && Number.isFinite(+input.value) && input.value !== "") {
        this.h.setParam(where.layer, where.unit, where.source, +input.value); this.hideCard();
      } else if (ev.key === "Escape") this.hideCard();
    });
  }
  fillCard() {
    const i = +this.card.dataset.index;
    this.card.textContent = `${this.card.dataset.what} is ${(+this.weights[i]).toFixed(3)}`;
  }
  hideCard() { this.card.style.display = "none"; delete this.card.dataset.index; this.card.dataset.editing = ""; }
}
