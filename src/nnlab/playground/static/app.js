// The page: one WebSocket to the server, the controls, and drawing each frame the server sends.
import { DEFAULTS, FEATURE_KEYS, HIDEABLE, parse, serialize } from "./state.js";
import { decodeBytes, decodeSigned, drawClassMap, drawMap, drawPoints } from "./draw.js";
import { LossChart } from "./chart.js";
import { Network } from "./network.js";

const $ = id => document.getElementById(id);
const FEATURE_LABELS = { x: "X1", y: "X2", xSquared: "X1²", ySquared: "X2²", xTimesY: "X1X2", sinX: "sin(X1)", sinY: "sin(X2)" };
const initial = parse(location.hash);
const state = {
  settings: initial.settings, view: initial.view, hidden: initial.hidden, catalog: null, net: null, data: null,
  frame: null, playing: false, lastFocus: null,
};
if (!initial.hasSeed) state.settings.seed = Math.floor(Math.random() * 100000);
// What tests and benchmarks read: frames drawn, the last epoch and losses, messages.
const stats = window.__playground = { frames: 0, epoch: 0, trainLoss: null, testLoss: null, messages: [], errors: [] };

const chart = new LossChart($("chart"), $("chart-tip"));
const network = new Network($("network"), {
  toggleFeature: k => {
    const f = state.settings.features;
    const next = f.includes(k) ? f.filter(x => x !== k) : FEATURE_KEYS.filter(x => f.includes(x) || x === k);
    if (next.length) configure({ features: next });
  },
  changeUnits: (layer, delta) => {
    const shape = [...state.settings.networkShape];
    shape[layer] = Math.min(8, Math.max(1, shape[layer] + delta));
    configure({ networkShape: shape });
  },
  focus: id => { if (id !== state.lastFocus) { state.lastFocus = id; send({ type: "focus", node: id }); } },
  setParam: (layer, unit, source, value) => send({ type: "set_param", layer, unit, source, value }),
});

// -- the socket --------------------------------------------------------------------------------------------
const ws = new WebSocket(`${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/ws`);
function send(msg) { if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(msg)); }
ws.addEventListener("open", () => {
  send({ type: "catalog" }); send({ type: "config", settings: state.settings });
  if (document.hidden) send({ type: "visibility", hidden: true });
});
// A tab nobody looks at does not train: the server pauses while the page is hidden.
document.addEventListener("visibilitychange", () => send({ type: "visibility", hidden: document.hidden }));
// A closed socket: say why, in the server's words (its close reason, else the error it sent just before).
const CLOSED = {
  1001: "The server is going away (it was stopped); reload the page once it runs again.",
  1006: "The connection to the server was lost (the server stopped, or the network failed); reload the page once it runs again.",
  1009: "The server closed the connection: a message was larger than it accepts (1 MiB); reload the page.",
  1012: "The server is restarting or was stopped; reload the page once it runs again.",
};
let lastError = null;          // [the server's last message if it was an error, when it came]
ws.addEventListener("close", ev => {
  const justBefore = lastError && performance.now() - lastError[1] < 2000 ? lastError[0] : null;
  const text = ev.reason || justBefore || CLOSED[ev.code] || `The connection to the server is closed (code ${ev.code}); reload the page.`;
  stats.closed = { code: ev.code, reason: ev.reason, shown: text };
  showMessage(text, "error");
  const banner = $("closed");
  banner.textContent = text; banner.hidden = false;
});
ws.addEventListener("message", ev => {
  let msg;
  try { msg = JSON.parse(ev.data); } catch { return; }
  lastError = msg.type === "error" ? [msg.message, performance.now()] : null;
  stats.messages.push(msg.type);
  if (stats.messages.length > 50) stats.messages.shift();
  ({ catalog: onCatalog, network: onNetwork, data: onData, frame: onFrame, error: onError, stopped: onStopped,
     export: onExport, hello: () => {} })[msg.type]?.(msg);
});

function configure(changes) {
  Object.assign(state.settings, changes);
  send({ type: "config", settings: state.settings });
  writeHash();
}
function writeHash() {
  history.replaceState(null, "", "#" + serialize(state.settings, state.view, state.hidden));
  $("share-link").href = location.href;
}

// -- messages -----------------------------------------------------------------------------------------------
function onCatalog(c) {
  state.catalog = c;
  fillSelect($("learningRate"), c.learning_rates);
  fillSelect($("regularizationRate"), c.regularization_rates);
  fillSelect($("optimizer"), c.optimizers);
  fillSelect($("loss"), ["auto", ...c.losses]);
  fillSelect($("init"), c.inits);
  const box = $("datasets"); box.innerHTML = "";
  for (const [name, d] of Object.entries(c.datasets)) {
    const cv = document.createElement("canvas"); cv.width = 40; cv.height = 40; cv.title = `${name}: ${d.description}`;
    cv.dataset.dataset = name; cv.dataset.task = d.task;
    drawThumb(cv, d);
    cv.addEventListener("click", () => configure({ dataset: name, seed: Math.floor(Math.random() * 100000) }));
    box.append(cv);
  }
  syncControls();
}
function drawThumb(cv, d) {
  const ctx = cv.getContext("2d"), W = cv.width, dom = d.domain;
  ctx.fillStyle = "#f3f3f3"; ctx.fillRect(0, 0, W, W);
  const labels = [...new Set(d.points.map(p => p[2]))].sort((a, b) => a - b);
  for (const [x, y, l] of d.points) {
    ctx.fillStyle = d.task === "regression" ? (l >= 0 ? "#0877bd" : "#f59322")
      : ["#f59322", "#0877bd", "#2ca02c", "#9467bd", "#d62728"][labels.indexOf(l) % 5];
    ctx.fillRect((x + dom) / (2 * dom) * W - 1, (dom - y) / (2 * dom) * W - 1, 2, 2);
  }
}
function fillSelect(sel, values) {
  sel.innerHTML = values.map(v => `<option value="${v}">${v}</option>`).join("");
}

function onNetwork(net) {
  state.net = net;
  state.settings = { ...DEFAULTS, ...net.settings };
  document.body.classList.toggle("mode-nnlab", net.mode === "nnlab");
  const acts = state.catalog ? (net.mode === "classic" ? state.catalog.classic_activations : state.catalog.activations)
    : ["relu", "tanh", "sigmoid", "linear"];
  fillSelect($("activation"), acts);
  network.build(net, FEATURE_LABELS, state.hidden);
  chart.reset();
  $("engine").textContent = `${net.sizes.join("-")} network, ${net.mode} mode, loss ${net.mode === "classic" ? "0.5 (out - y)²" : net.loss}, engine ${net.engine}`;
  syncControls(); writeHash(); applyHidden(); placeCallouts();
}
// The Playground's two first-view callouts, gone once the user does anything.
function placeCallouts() {
  const a = network.anchors;
  for (const [id, at] of [["callout-unit", a?.unit], ["callout-links", a?.links]]) {
    const el = $(id);
    el.style.display = at ? "" : "none";
    if (at) { el.style.left = `${at[0]}px`; el.style.top = `${at[1]}px`; }
  }
}
for (const kind of ["click", "change"]) {
  document.addEventListener(kind, e => {
    if (e.isTrusted && e.target.closest?.("button, select, input, .node, .hit, .bias, #datasets, #points")) {
      document.body.classList.add("interacted");
    }
  }, true);
}
// tutorial=<name> shows static/tutorials/<name>.html above the article, as the Playground's tutorial key does.
async function loadTutorial(name) {
  if (!name) return;
  const box = $("tutorial");
  try {
    const r = await fetch(`/static/tutorials/${name}.html`);
    box.innerHTML = r.ok ? await r.text() : `<p>There is no tutorial named “${name}”.</p>`;
  } catch { box.textContent = "The tutorial could not be loaded."; }
}
loadTutorial(state.view.tutorial);
function onData(d) { state.data = d; stats.trainPoints = d.train.length; stats.testPoints = d.test.length; drawData(); }
function drawData() {
  if (!state.data || !state.net) return;
  drawPoints($("points"), state.data.domain, state.data.train, state.data.test, state.view.showTestData,
    state.data.task, state.net.classes);
}

function onFrame(f) {
  const t0 = performance.now();
  state.frame = f; state.playing = f.playing;
  setPlayIcon(f.playing);
  $("play").classList.toggle("playing", f.playing);
  if (f.epoch === 0 && f.history.length && chart.points.length && chart.points[chart.points.length - 1][0] > 0) chart.reset();
  drawOutput();
  network.update(f, $("heatmap"));
  chart.add(f.history);
  const num = v => (v === null || v === undefined || !Number.isFinite(v)) ? "-" : v.toFixed(3);
  $("epoch").textContent = String(f.epoch).padStart(6, "0").replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  $("train-loss").textContent = num(f.train_loss); $("test-loss").textContent = num(f.test_loss);
  const pct = v => (v === null || v === undefined) ? "-" : (100 * v).toFixed(1) + "%";
  $("accuracy").textContent = f.train_accuracy !== undefined && f.train_accuracy !== null
    ? `Accuracy train ${pct(f.train_accuracy)}, test ${pct(f.test_accuracy)}`
    : (f.r2_train !== undefined ? `R² train ${num(f.r2_train)}, test ${num(f.r2_test)}` : "");
  drawConfusion(f);
  if (f.playing && $("message").className !== "error") showMessage("", "");
  Object.assign(stats, { frames: stats.frames + 1, epoch: f.epoch, trainLoss: f.train_loss, testLoss: f.test_loss,
    learningRate: f.learningRate,
    weights: f.weights, playing: f.playing, focus: !!f.focus, drawMs: (stats.drawMs || 0) + performance.now() - t0 });
  requestAnimationFrame(() => send({ type: "ready" }));
}
const ICONS = { play: "M8 5v14l11-7z", pause: "M6 19h4V5H6v14zm8-14v14h4V5h-4z" };
function setPlayIcon(playing) {
  $("play").innerHTML = `<svg viewBox="0 0 24 24" width="26" height="26"><path d="${ICONS[playing ? "pause" : "play"]}" fill="currentColor"/></svg>`;
}
setPlayIcon(false);
function drawOutput() {
  const f = state.frame; if (!f) return;
  const disc = state.view.discretize;
  if (f.focus) drawMap($("heatmap"), decodeSigned(f.focus), false);
  else if (f.output_classes) drawClassMap($("heatmap"), decodeBytes(f.output_classes), decodeBytes(f.output_confidence), disc);
  else drawMap($("heatmap"), decodeSigned(f.output), disc && state.net.task === "classification");
}
function drawConfusion(f) {
  const box = $("confusion");
  if (!f.confusion) { box.innerHTML = ""; return; }
  const names = state.net.classes.map(String);
  box.innerHTML = `<div class="lbl">Confusion (${f.confusion_on}; rows true, columns predicted)</div><table><tr><th></th>${names.map(n => `<th>${n}</th>`).join("")}</tr>` +
    f.confusion.map((row, i) => `<tr><th>${names[i]}</th>${row.map(v => `<td>${v}</td>`).join("")}</tr>`).join("") + "</table>";
}
function showMessage(text, kind) { const m = $("message"); m.textContent = text; m.className = kind; }
function onError(e) { stats.errors.push(e.message); showMessage(e.message, "error"); }
function onStopped(s) { state.playing = false; showMessage(s.message, "stopped"); }
function onExport(e) {
  $("export-text").value = e.text;
  $("export-notes").textContent = (e.notes || []).join(" ");
}

// -- controls ----------------------------------------------------------------------------------------------
$("play").addEventListener("click", () => { showMessage("", ""); send({ type: state.playing ? "pause" : "play" }); state.playing = !state.playing; });
$("step").addEventListener("click", () => send({ type: "step", epochs: 1 }));
$("reset").addEventListener("click", () => { chart.reset(); send({ type: "reset" }); });
$("regenerate").addEventListener("click", () => send({ type: "regenerate" }));
$("mode").addEventListener("change", e => {
  const mode = e.target.value, s = state.settings;
  const changes = { mode };
  if (mode === "classic") {
    if (!state.catalog?.classic_activations.includes(s.activation)) changes.activation = "tanh";
    if (s.batchSize > 30) changes.batchSize = 30;
  }
  configure(changes);
});
$("learningRate").addEventListener("change", e => { state.settings.learningRate = +e.target.value; send({ type: "set_lr", value: +e.target.value }); writeHash(); });
$("regularizationRate").addEventListener("change", e => { state.settings.regularizationRate = +e.target.value; send({ type: "set_reg_rate", value: +e.target.value }); writeHash(); });
for (const id of ["activation", "regularization", "optimizer", "loss", "init"]) $(id).addEventListener("change", e => configure({ [id]: e.target.value }));
for (const id of ["percTrainData", "noise", "batchSize", "classes"]) {
  $(id).addEventListener("input", e => { $(`${id}-v`).textContent = e.target.value; });
  $(id).addEventListener("change", e => configure({ [id]: +e.target.value }));
}
$("dropout").addEventListener("change", e => configure({ dropout: Math.min(0.9, Math.max(0, +e.target.value || 0)) }));
$("reshuffle").addEventListener("change", e => configure({ reshuffle: e.target.checked }));
$("epochLimit").addEventListener("change", e => configure({ epochLimit: Math.max(0, Math.round(+e.target.value || 0)) }));
$("targetLoss").addEventListener("change", e => configure({ targetLoss: Math.max(0, +e.target.value || 0) }));
$("problem").addEventListener("change", e => configure({ dataset: e.target.value === "regression" ? "reg-plane" : "circle" }));
$("showTestData").addEventListener("change", e => { state.view.showTestData = e.target.checked; drawData(); writeHash(); });
$("discretize").addEventListener("change", e => { state.view.discretize = e.target.checked; drawOutput(); writeHash(); });
$("add-layer").addEventListener("click", () => { if (state.settings.networkShape.length < 6) configure({ networkShape: [...state.settings.networkShape, 2] }); });
$("remove-layer").addEventListener("click", () => configure({ networkShape: state.settings.networkShape.slice(0, -1) }));
for (const what of ["config", "weights", "python"]) $(`export-${what}`).addEventListener("click", () => send({ type: "export", what }));
$("import").addEventListener("click", () => send({ type: "import", text: $("export-text").value }));
$("csv-file").addEventListener("change", async e => {
  const file = e.target.files[0]; if (!file) return;
  if (file.size > 512 * 1024) { showMessage(`The file is ${file.size} bytes; the limit is 512 KiB.`, "error"); return; }
  send({ type: "upload_csv", text: await file.text() });
});
$("points").addEventListener("click", e => {
  if (!state.data || !state.net) return;
  const r = e.target.getBoundingClientRect(), dom = state.data.domain;
  const x = ((e.clientX - r.left) / r.width * 2 - 1) * dom, y = (1 - (e.clientY - r.top) / r.height * 2) * dom;
  const classes = state.net.classes;
  const label = classes ? (e.shiftKey ? classes[0] : classes[classes.length > 2 ? 1 : 1]) : (e.shiftKey ? -1 : 1);
  send({ type: "add_point", x, y, label });
});

function syncControls() {
  const s = state.settings;
  $("mode").value = s.mode;
  for (const id of ["learningRate", "regularizationRate", "activation", "regularization", "optimizer", "loss", "init"]) $(id).value = String(s[id]);
  for (const id of ["percTrainData", "noise", "batchSize", "classes"]) { $(id).value = s[id]; $(`${id}-v`).textContent = s[id]; }
  $("batchSize").max = s.mode === "classic" ? 30 : 256;
  $("dropout").value = s.dropout; $("reshuffle").checked = s.reshuffle;
  $("epochLimit").value = s.epochLimit; $("targetLoss").value = s.targetLoss;
  $("showTestData").checked = state.view.showTestData; $("discretize").checked = state.view.discretize;
  $("classes-box").style.display = s.dataset === "spirals" ? "" : "none";
  const task = state.catalog?.datasets[s.dataset]?.task ?? (s.dataset.startsWith("reg") ? "regression" : "classification");
  $("problem").value = task;
  for (const cv of document.querySelectorAll("#datasets canvas")) {
    cv.classList.toggle("selected", cv.dataset.dataset === s.dataset);
  }
  const n = s.networkShape.length;
  $("layers-label").textContent = `${n} HIDDEN LAYER${n === 1 ? "" : "S"}`;
}

// -- classroom mode: hide chosen controls ------------------------------------------------------------------
function applyHidden() {
  const text = state.view.hideText;         // the Playground's hideText: no header, no article (for embedding)
  document.body.classList.toggle("no-text", text);
  for (const el of document.querySelectorAll("[data-ctl]")) {
    const hide = state.hidden.has(el.dataset.ctl) || (text && (el.dataset.ctl === "header" || el.dataset.ctl === "article"));
    if (hide) el.setAttribute("data-hidden", ""); else el.removeAttribute("data-hidden");
  }
}
const hideList = $("hide-list");
for (const key of HIDEABLE) {
  const label = document.createElement("label");
  label.innerHTML = `<input type="checkbox" data-hide="${key}"> ${FEATURE_LABELS[key] || key}`;
  const box = label.querySelector("input");
  box.checked = state.hidden.has(key);
  box.addEventListener("change", () => {
    if (box.checked) state.hidden.add(key); else state.hidden.delete(key);
    writeHash(); applyHidden();
    if (FEATURE_KEYS.includes(key) && state.net) network.build(state.net, FEATURE_LABELS, state.hidden);
  });
  hideList.append(label);
}
applyHidden();
