// The chosen architecture, unrolled through time, as an SVG that follows the choices as
// they change: where inputs enter and outputs leave (the paradigm), stacked layers as
// stacked cells, recurrence as arrows along each layer, attention as lines across
// positions. Each box is a button that opens the settings it stands for.
import { READERS } from "./constants.js";

const NS = "http://www.w3.org/2000/svg";
// Labels short enough for a box (the cells' full names come from the server: constants.js).
const BOX_LABELS = { rnn: "RNN", lstm: "LSTM", gru: "GRU", mingru: "minGRU", minlstm: "minLSTM", ssm: "SSM", transformer: "attn", bow: "avg" };
const W = 64; // horizontal spacing of time steps
const H = 46; // vertical spacing of layers

function el(name, attributes, text) {
  const node = document.createElementNS(NS, name);
  for (const [k, v] of Object.entries(attributes)) node.setAttribute(k, v);
  if (text !== undefined) node.textContent = text;
  return node;
}

// Which settings a box opens: an input the data, an output the paradigm, a cell its layer.
const PANELS = { input: "data", output: "output" };
const PANEL_WORDS = { data: "the data", model: "the model's layers", output: "the paradigm" };

function box(svg, x, y, label, kind, title) {
  const panel = PANELS[kind] ?? "model";
  const group = el("g", { "data-panel": panel, tabindex: "-1", role: "button", "aria-label": `${title}: open ${PANEL_WORDS[panel]}` });
  group.append(el("title", {}, `${title}: click to change ${PANEL_WORDS[panel]}`));
  group.append(el("rect", { x: x - 22, y: y - 14, width: 44, height: 28, rx: 6, class: `node ${kind}` }));
  // A name longer than a box holds at full size ("minLSTM") is set smaller.
  group.append(el("text", { x, y: y + 4, "text-anchor": "middle", class: label.length > 5 ? "label long" : "label" }, label));
  svg.append(group);
}

function arrow(svg, x1, y1, x2, y2, kind = "") {
  svg.append(el("line", { x1, y1, x2, y2, class: `edge ${kind}`, "marker-end": "url(#head)" }));
}

// Which time steps read an input and which write an output, per paradigm.
function shape(paradigm) {
  return {
    "one-to-one": { steps: 1, reads: [0], writes: [0] },
    "one-to-many": { steps: 4, reads: [0], writes: [0, 1, 2, 3], feedback: true },
    "many-to-one": { steps: 4, reads: [0, 1, 2, 3], writes: [3] },
    "many-to-many": { steps: 4, reads: [0, 1, 2, 3], writes: [0, 1, 2, 3] },
    seq2seq: { steps: 6, reads: [0, 1, 2], writes: [3, 4, 5], decoderFrom: 3, feedback: true },
  }[paradigm];
}

// onPick(panel) is called with "data", "model" or "output" when a box is clicked.
export function drawDiagram(svg, { paradigm, cell, layers, hidden, cellName, bidirectional, attention }, onPick) {
  const s = shape(paradigm);
  if (!s) return;
  svg.onclick = (event) => {
    const picked = event.target.closest("[data-panel]");
    if (picked && onPick) onPick(picked.dataset.panel);
  };
  const depth = cell === "bow" ? 1 : Math.min(layers, 4);
  const width = Math.max(3, s.steps) * W + 40;
  const height = (depth + 2) * H + 54; // room for the caption and attention arcs on top
  svg.replaceChildren();
  svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
  svg.append(el("defs", {}));
  const marker = el("marker", { id: "head", viewBox: "0 0 10 10", refX: 9, refY: 5, markerWidth: 6, markerHeight: 6, orient: "auto-start-reverse" });
  marker.append(el("path", { d: "M0,0 L10,5 L0,10 z", class: "arrowhead" }));
  svg.firstChild.append(marker);
  const x = (t) => 40 + t * W;
  const y = (row) => height - 20 - row * H; // row 0: inputs; 1..depth: layers; depth+1: outputs
  // (the extra 20 at the top leaves room for attention arcs)
  const name = BOX_LABELS[cell] || cell;
  // What the boxes stand for, in words, top left (it changes with every setting).
  const depthWords = cell === "bow" ? "an average of the word vectors" : `${layers} layer${layers === 1 ? "" : "s"}${layers > 4 ? " (4 drawn)" : ""}`;
  svg.append(el("text", { x: 4, y: 12, class: "caption" }, `${cellName || name}: ${depthWords}, ${hidden} units${bidirectional ? ", both directions" : ""}`));
  svg.setAttribute("aria-label", `The model unrolled through time: ${cellName || name}, ${depthWords}, ${hidden} units, ${paradigm}`);
  if (cell === "bow") { // every word into one average, then one answer
    const middle = x(Math.max(s.steps, 3) / 2 - 0.5);
    for (let t = 0; t < 3; t++) { box(svg, x(t), y(0), `w${t + 1}`, "input", `Word ${t + 1}`); arrow(svg, x(t), y(0) - 14, middle, y(1) + 14); }
    box(svg, middle, y(1), "avg", "cell", "The average of the word vectors");
    arrow(svg, middle, y(1) - 14, middle, y(2) + 14);
    box(svg, middle, y(2), "y", "output", "The answer");
    return;
  }
  for (let t = 0; t < s.steps; t++) {
    const decoder = s.decoderFrom !== undefined && t >= s.decoderFrom;
    for (let l = 1; l <= depth; l++) {
      box(svg, x(t), y(l), name, decoder ? "cell decoder" : "cell", `${decoder ? "Decoder" : "Layer"} ${l} at step ${t + 1}`);
      if (l > 1) arrow(svg, x(t), y(l - 1) - 14, x(t), y(l) + 14);
      if (t > 0 && READERS.has(cell)) arrow(svg, x(t - 1) + 22, y(l), x(t) - 22, y(l), "recurrent");
      if (bidirectional && !decoder && t > 0) arrow(svg, x(t) - 22, y(l) + 8, x(t - 1) + 22, y(l) + 8, "recurrent backward");
    }
    if (cell === "transformer" && t > 0) { // attention: each position looks at the others
      for (let u = 0; u < t; u++) svg.append(el("path", { d: `M${x(u)},${y(1) - 14} Q${(x(u) + x(t)) / 2},${y(1) - 40} ${x(t)},${y(1) - 14}`, class: "edge attention" }));
    }
    if (s.reads.includes(t)) {
      box(svg, x(t), y(0), `x${t + 1}`, "input", `Input ${t + 1}`);
      arrow(svg, x(t), y(0) - 14, x(t), y(1) + 14);
    } else if (s.feedback && t > 0) { // a decoder reads its previous output
      svg.append(el("path", { d: `M${x(t - 1) + 10},${y(depth + 1) + 14} Q${x(t) - 30},${y(0)} ${x(t) - 6},${y(1) + 14}`, class: "edge feedback", "marker-end": "url(#head)" }));
    }
    if (s.writes.includes(t)) {
      box(svg, x(t), y(depth + 1), `y${s.writes.indexOf(t) + 1}`, "output", `Output ${s.writes.indexOf(t) + 1}`);
      arrow(svg, x(t), y(depth) - 14, x(t), y(depth + 1) + 14);
    }
    if (attention && s.decoderFrom !== undefined && t >= s.decoderFrom) {
      for (const u of s.reads) { // the decoder step looks back at every encoder step
        const lift = 18 + 6 * (t - u);
        svg.append(el("path", { d: `M${x(u) + 8},${y(depth) - 14} Q${(x(u) + x(t)) / 2},${y(depth) - 14 - lift} ${x(t) - 8},${y(depth) - 14}`, class: "edge attention" }));
      }
    }
  }
}
