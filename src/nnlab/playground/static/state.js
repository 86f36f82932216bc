// The page's state and its URL hash (TensorFlow Playground's key names; features as x=true&y=true...).
export const FEATURE_KEYS = ["x", "y", "xSquared", "ySquared", "xTimesY", "sinX", "sinY"];
export const DEFAULTS = {
  mode: "classic", dataset: "circle", noise: 0, percTrainData: 50, seed: 0, features: ["x", "y"],
  networkShape: [4, 2], activation: "tanh", learningRate: 0.03, regularization: "none", regularizationRate: 0,
  batchSize: 10, initZero: false, optimizer: "adam", loss: "auto", init: "pytorch", dropout: 0, reshuffle: true, classes: 3,
  epochLimit: 0, targetLoss: 0,
};
export const VIEW_DEFAULTS = { showTestData: false, discretize: false, hideText: false, tutorial: "" };
// Controls the classroom panel can hide (data-ctl names); a feature key hides that input entirely.
export const HIDEABLE = ["header", "article", "mode", "reset", "step", "learningRate", "activation", "regularization",
  "regularizationRate", "problem", "optimizer", "loss", "dataset", "percTrainData", "noise", "batchSize",
  "classes", "regenerate", "csv", "numHiddenLayers", "showTestData", "discretize", "export", "stopping",
  "nnlabExtras", ...FEATURE_KEYS];

export function serialize(settings, view, hidden) {
  const parts = [];
  for (const [k, v] of Object.entries(settings)) {
    if (k === "features") continue;
    if (k === "seed") { parts.push(`seed=0.${String(v).padStart(5, "0")}`); continue; }   // TF's form
    parts.push(`${k}=${Array.isArray(v) ? v.join(",") : v}`);
  }
  for (const f of FEATURE_KEYS) parts.push(`${f}=${settings.features.includes(f)}`);
  for (const [k, v] of Object.entries(view)) if (k !== "tutorial" || v) parts.push(`${k}=${v}`);
  for (const k of hidden) parts.push(`${k}_hide=true`);
  return parts.join("&");
}

export function parse(hash) {
  const settings = structuredClone(DEFAULTS), view = { ...VIEW_DEFAULTS }, hidden = new Set();
  const given = new Map();
  for (const part of hash.replace(/^#/, "").split("&")) {
    if (!part) continue;
    const at = part.indexOf("=");
    const k = decodeURIComponent(at < 0 ? part : part.slice(0, at));
    const v = decodeURIComponent(at < 0 ? "" : part.slice(at + 1));
    given.set(k, v);
  }
  let anyFeature = false;
  for (const [k, v] of given) {
    if (k.endsWith("_hide")) { if (v !== "false") hidden.add(k.slice(0, -5)); continue; }
    if (FEATURE_KEYS.includes(k)) { anyFeature = true; continue; }
    if (k === "tutorial") { view.tutorial = /^[a-z0-9-]{1,40}$/.test(v) ? v : ""; continue; }
    if (k in view) { view[k] = v !== "false"; continue; }
    if (k === "seed") { settings.seed = seedFrom(v); continue; }
    if (!(k in settings)) continue;        // unknown keys (TF's cosX, collectStats...) are ignored
    const d = DEFAULTS[k];
    if (Array.isArray(d)) settings[k] = v === "" ? [] : v.split(",").map(Number);
    else if (typeof d === "number") { const n = +v; if (Number.isFinite(n)) settings[k] = n; }
    else if (typeof d === "boolean") settings[k] = v !== "false";
    else settings[k] = v;
  }
  if (anyFeature) settings.features = FEATURE_KEYS.filter(f => given.get(f) !== undefined && given.get(f) !== "false");
  if (!settings.features.length) settings.features = ["x", "y"];
  if (given.has("problem") && given.get("problem") === "regression" && !given.has("dataset")) settings.dataset = "reg-plane";
  return { settings, view, hidden, hasSeed: given.has("seed") };
}

// TF Playground's seeds look like "0.14372"; ours are integers 0..99999.
function seedFrom(v) {
  if (v.includes(".")) return parseInt((v.split(".")[1] + "00000").slice(0, 5), 10) || 0;
  const n = parseInt(v, 10);
  return Number.isFinite(n) ? Math.min(Math.max(n, 0), 99999) : 0;
}
