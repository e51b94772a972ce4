// "Inside the model": the probe events of a run, as heatmaps and a gradient curve,
// with a step slider that scrubs back through every recorded look (live and after).
import { plotText } from "./plot_text.js";
import { shortNumber, summarize } from "./chart_summary.js";
import { plotly } from "./plotly_loader.js";
import { cellName } from "./constants.js";

const $ = (id) => document.getElementById(id);
const COLORS = "Viridis"; // perceptually uniform, readable with colour-blindness
const PLOT_OPTIONS = { responsive: true, displaylogo: false };

const READING = {
  forget: "Forget gate: near 1 the cell keeps its memory across the step, near 0 it wipes it.",
  input: "Input gate: how much of the candidate gets written into the cell at each step.",
  output: "Output gate: how much of the cell state shows in the hidden state h_t.",
  candidate: "Candidate: what the cell could write at each step (tanh, between -1 and 1).",
  cell: "Cell state: the LSTM's long-term memory, carried along by the forget gate.",
  hidden: "Hidden state h_t: what the layer passes up and on to the next step.",
  reset: "Reset gate: near 0 the candidate ignores the previous state.",
  update: "Update gate: near 1 the GRU keeps its old state, near 0 it takes the candidate.",
  preactivation: "Pre-activation W_ih x_t + W_hh h_{t-1} + b, before tanh or relu squashes it.",
  embedding: "Each word's vector. The bag of words averages them, so their order is lost.",
  vote: "What each word alone would answer (one row per class): the bag's answer blends these.",
  self: "Self-attention: each row is a step asking, each column a step answered; a row sums to 1.",
  decoder: "Decoder self-attention: each output step looks only at earlier outputs (causal).",
  cross: "Cross-attention: each output step (row) looks over the input steps (columns); a row sums to 1.",
  step: "Step Δ_t, chosen from the input for each channel: large, the layer forgets its past and takes x_t in; " +
    "small, it keeps its past and lets x_t pass. That choice, input by input, is the selection.",
  decay: "Decay exp(Δ_t A), averaged over each channel's state numbers: near 1 the channel keeps its past, near 0 it forgets it.",
};
// Where a parallel-scan cell's map reads differently from the classic gate of the same name.
const CANDIDATE_OF_X = "Candidate h̃_t = W_h x_t: what the cell could write at each step. It is linear in x_t, " +
  "so it is not squashed into (-1, 1).";
const READING_OF_CELL = {
  mingru: {
    update: "Update gate z_t = σ(W_z x_t): near 1 minGRU takes the candidate, near 0 it keeps its old state " +
      "(the other way round from PyTorch's GRU). It reads x_t alone, so every step's gate is known at once.",
    candidate: CANDIDATE_OF_X,
  },
  minlstm: {
    forget: "Forget gate, read from x_t alone and normalised so that it and the input gate sum to 1: " +
      "near 1 minLSTM keeps its state, near 0 it writes the candidate.",
    input: "Input gate (1 − the forget gate, once normalised): how much of the candidate is written at each step.",
    candidate: CANDIDATE_OF_X,
  },
  ssm: {
    hidden: "Output y_t: what the layer reads out of its state (through C_t, gated by x_t) and passes up and on.",
  },
};
const HALF = {
  encoder: "The encoder reads the input. ",
  decoder: "The decoder writes the output, reading the true previous outputs as in training (teacher forcing). ",
};

// A vanilla RNN's W_hh is the whole road back through time: its largest singular value
// bounds how a gradient grows or shrinks per step (tanh and relu only shrink it further).
// Healthy ones sit near 1 (PyTorch starts them around 1.1), so only the far ends are
// coloured. A gated cell's blocks feed its gates, and its memory's own path decides
// whether gradients last: no number there is good or bad on its own.
const FADING = 0.9;
const STRETCHING = 2;
const GATED_NOTE = "In an LSTM or GRU these blocks feed the gates; the memory's own path (forget or update gate) " +
  "decides how far gradients reach, so none of these numbers is good or bad on its own.";

// A parallel-scan cell has no W_hh: h_t = a_t ⊙ h_(t-1) + b_t, each a_t between 0 and 1, so
// the recurrence itself can only shrink a gradient on its way back.
const CARRIED_BY = {
  mingru: "a_t = 1 − z_t, one minus the update gate",
  minlstm: "a_t is the normalised forget gate",
  ssm: "a_t = exp(Δ_t A), with A negative",
};
export function noMatrixNote(cell) {
  const carried = CARRIED_BY[cell];
  if (!carried) return "";
  return `${cellName(cell)} has no W_hh: its state is carried by h_t = a_t ⊙ h_(t-1) + b_t, where a_t < 1 ` +
    `(${carried}), so it cannot explode through a recurrent matrix; how far a gradient reaches back is the ` +
    "product of the a_t along the way.";
}

// The parallel scan training runs against the step-by-step loop these panels unroll.
const small = (v) => (v === 0 ? "0" : v.toExponential(1));
export function scanAgreement(agreement) {
  if (!agreement) return "";
  return `Parallel scan vs step-by-step loop: largest difference ${small(agreement.largest_difference)} ` +
    `(${small(agreement.relative)} of the largest answer).`;
}

export function judgeNorm(name, value) {
  if (!name.endsWith("W_hh")) return null;
  if (value < FADING) return { className: "norm-low", why: "below 1: the gradient fades at every step back, so long-range learning is hard" };
  if (value > STRETCHING) return { className: "norm-high", why: "well above 1: gradients can explode; clipping keeps them in check" };
  return null;
}

export class ProbePanel {
  constructor() {
    this.probes = [];
    this.looked = null; // a look at another input (ask.js), shown instead while set
    this.onCell = null; // ({t, unit, layer}) on a click on a gate or state heatmap's cell
    this.following = true; // the slider sits on the newest look until moved back
    $("probe-step").addEventListener("input", () => {
      this.following = Number($("probe-step").value) === this.probes.length - 1;
      this.show();
    });
    for (const id of ["probe-map", "probe-head"]) $(id).addEventListener("change", () => this.show());
  }

  add(event) {
    this.probes.push(event);
    $("probe-card").hidden = false;
    const slider = $("probe-step");
    slider.max = this.probes.length - 1;
    if (this.probes.length === 1) this.fillPicker(event);
    if (this.following) slider.value = this.probes.length - 1;
    this.show();
  }

  // Show what POST /look answered ({step, probe}) in place of the probe events, until cleared.
  showLooked(looked) {
    this.looked = { ...looked.probe, step: looked.step };
    if (!$("probe-map").options.length) this.fillPicker(this.looked);
    $("probe-card").hidden = false;
    $("probe-step").disabled = true;
    this.show();
  }

  clearLooked() {
    this.looked = null;
    $("probe-step").disabled = false;
    $("probe-card").hidden = !this.probes.length;
    this.show();
  }

  fillPicker(event) {
    // One list of everything there is to see: gate and state heatmaps, then attention maps.
    const names = [...Object.keys(event.heatmaps || {}), ...Object.keys(event.attention || {})];
    const label = (n) => (event.attention?.[n] && !event.heatmaps?.[n] ? `attention · ${n}` : n).replaceAll(".", " · ");
    $("probe-map").replaceChildren(...names.map((n) => new Option(label(n), n)));
    // First the gate that decides what is kept: the LSTM's forget, minGRU's update, the SSM's decay.
    const memoryGate = names.find((n) => /\.(forget|update|decay)$/.test(n));
    const preferred = memoryGate || names.find((n) => n.endsWith("hidden")) || names[0];
    $("probe-map").value = preferred;
  }

  // Axis labels for step indices: "t: token" on the input, "out t: token" on the output.
  // Tokens come from uploaded text, so each label is chart text made safe.
  labels(probe, steps, axis = "inputs") {
    const [time, values, prefix] = axis === "outputs"
      ? [probe.output_time || [], probe.outputs || [], "out "]
      : [probe.time, probe.inputs, ""];
    return steps.map((t) => {
      const at = time.indexOf(t);
      const label = at >= 0 ? values[at] : undefined;
      const text = Array.isArray(label) ? label.map((v) => v.toFixed(2)).join(", ") : label;
      return text === undefined ? `${prefix}t=${t}` : plotText(`${prefix}${t}: ${text}`);
    });
  }

  // How to read a heatmap: "encoder.l0.forget" -> the encoder's note, then the forget gate's
  // (as this cell has it).
  reading(name, cell) {
    const parts = name.split(".");
    const map = parts.at(-1);
    return (HALF[parts[0]] || "") + (READING_OF_CELL[cell]?.[map] || READING[map] || "");
  }

  show() {
    const probe = this.looked || this.probes[Number($("probe-step").value)];
    if (!probe) return;
    $("probe-step-label").textContent = this.looked
      ? `your question, the model as it was at step ${probe.step}`
      : `step ${probe.step} (${Number($("probe-step").value) + 1} of ${this.probes.length})`;
    const name = $("probe-map").value;
    const heatmap = probe.heatmaps?.[name];
    const attention = heatmap ? undefined : probe.attention?.[name];
    $("probe-reading").textContent = attention ? READING[name.split(".")[0]] || "" : this.reading(name, probe.cell);
    $("probe-scan").textContent = scanAgreement(probe.scan_agreement);
    $("probe-scan").hidden = !probe.scan_agreement;
    this.fillHeads(attention);
    this.clickable = null;
    if (heatmap) this.showHeatmap(probe, heatmap);
    else if (attention) this.showAttention(probe, name, attention);
    this.showGradient(probe);
    this.showSpectralNorms(probe);
  }

  fillHeads(attention) {
    const heads = attention ? attention.heads.length : 0;
    $("probe-head-field").hidden = heads < 2;
    if ($("probe-head").options.length !== heads) {
      $("probe-head").replaceChildren(...Array.from({ length: heads }, (_, i) => new Option(`head ${i + 1}`, i)));
    }
  }

  showSpectralNorms(probe) {
    const norms = Object.entries(probe.spectral_norms || {});
    const noMatrix = norms.length ? "" : noMatrixNote(probe.cell);
    $("probe-spectral-card").hidden = !norms.length && !noMatrix;
    $("probe-spectral-hint").hidden = !norms.length;
    const list = $("probe-spectral");
    list.replaceChildren();
    for (const [name, value] of norms) {
      const dt = document.createElement("dt");
      dt.textContent = `W_hh ${name.replace(/\.?W_hh$/, "").replace("_reverse", " (backward)").replaceAll(".", " · ")}`;
      const dd = document.createElement("dd");
      dd.textContent = value.toFixed(3);
      const judged = judgeNorm(name, value);
      if (judged) {
        dd.className = judged.className;
        dd.append(Object.assign(document.createElement("span"), { className: "norm-why", textContent: judged.why }));
      }
      list.append(dt, dd);
    }
    const gated = norms.some(([name]) => !name.endsWith("W_hh"));
    $("probe-spectral-note").textContent = gated ? GATED_NOTE : noMatrix;
  }

  showHeatmap(probe, map) {
    const axis = map.axis || "inputs";
    const steps = axis === "outputs" ? probe.output_time : probe.time;
    const z = map.units.map((_, unit) => map.z.map((row) => map.min + (row[unit] / 255) * (map.max - map.min)));
    const name = $("probe-map").selectedOptions[0]?.textContent || "";
    summarize("probe-heatmap", `${name} at step ${probe.step}: ${map.units.length} units over ${steps.length} ` +
      `${axis === "outputs" ? "output" : "input"} steps, values from ${shortNumber(map.min)} to ${shortNumber(map.max)}.`);
    // What a click on a cell names: the step and unit of a recurrent layer's map.
    const layer = /^l(\d+)\./.exec($("probe-map").value);
    this.clickable = axis === "inputs" && layer ? { steps, units: map.units, layer: Number(layer[1]) } : null;
    plotly.react("probe-heatmap", [{
      type: "heatmap", z, x: this.labels(probe, steps, axis), y: map.units.map((u) => `unit ${u}`),
      colorscale: COLORS, hovertemplate: "%{x}<br>%{y}<br>%{z:.3f}<extra></extra>",
    }], {
      margin: { t: 10, r: 10, b: 40, l: 50 },
      xaxis: { title: { text: axis === "outputs" ? "output step: target" : "time step: input", standoff: 12 }, automargin: true, type: "category" },
      yaxis: { title: { text: "unit", standoff: 12 }, automargin: true, type: "category" },
    }, PLOT_OPTIONS).then(() => this.listenForClicks());
  }

  listenForClicks() {
    const chart = $("probe-heatmap");
    if (chart.dataset.clicks || !chart.on) return;
    chart.dataset.clicks = "on";
    chart.on("plotly_click", (data) => {
      const point = data.points?.[0];
      if (!point || !this.clickable || !this.onCell) return;
      const [row, col] = point.pointIndex ?? point.pointNumber;
      const { steps, units, layer } = this.clickable;
      this.onCell({ t: steps[col], unit: units[row], layer });
    });
  }

  showAttention(probe, name, map) {
    const head = Math.min(Number($("probe-head").value || 0), map.heads.length - 1);
    const z = map.heads[head].map((row) => row.map((v) => v / 255));
    const kind = name.split(".")[0];
    const queries = this.labels(probe, map.rows, kind === "self" ? "inputs" : "outputs");
    const keys = this.labels(probe, map.cols, kind === "decoder" ? "outputs" : "inputs");
    // The strongest pull in the map, in the words of its labels (raw: labels are made safe for Plotly only).
    let top = { v: -1, row: 0, col: 0 };
    z.forEach((row, r) => row.forEach((v, c) => { if (v > top.v) top = { v, row: r, col: c }; }));
    const plain = (axis, steps, at) => this.labels(probe, [steps[at]], axis)[0].replaceAll("&lt;", "<").replaceAll("&gt;", ">").replaceAll("&amp;", "&");
    summarize("probe-heatmap", `${kind} attention${map.heads.length > 1 ? `, head ${head + 1}` : ""} at step ${probe.step}: ` +
      `${queries.length} steps attending over ${keys.length}; strongest ${shortNumber(top.v)}, ` +
      `from ${plain(kind === "self" ? "inputs" : "outputs", map.rows, top.row)} to ${plain(kind === "decoder" ? "outputs" : "inputs", map.cols, top.col)}.`);
    plotly.react("probe-heatmap", [{
      type: "heatmap", z, x: keys, y: queries, zmin: 0, zmax: 1, colorscale: COLORS,
      hovertemplate: "%{y} attends to %{x}: %{z:.2f}<extra></extra>",
    }], {
      margin: { t: 10, r: 10, b: 40, l: 50 }, xaxis: { title: { text: "attended (key)", standoff: 12 }, automargin: true, type: "category" },
      yaxis: { title: { text: "attending (query)", standoff: 12 }, automargin: true, type: "category", autorange: "reversed" },
    }, PLOT_OPTIONS);
  }

  showGradient(probe) {
    // Input steps first, then output steps: for an encoder-decoder the x axis is the whole
    // unrolled timeline, and the gradient flows back along it from right to left.
    const inputs = this.labels(probe, probe.time);
    const outputs = this.labels(probe, probe.output_time || [], "outputs");
    const traces = [];
    if (probe.grad_by_time.length > 1 || !outputs.length) {
      traces.push({ x: inputs, y: probe.grad_by_time, name: "‖dL/dx_t‖", mode: "lines+markers", line: { color: "#d95f02" } });
    }
    for (const [layer, values] of Object.entries(probe.grad_by_time_hidden || {})) {
      const x = layer.startsWith("decoder.") ? outputs : inputs;
      traces.push({ x, y: values, name: `‖dL/dh_t‖ ${layer.replaceAll(".", " ")}`, mode: "lines", line: { dash: "dot" } });
    }
    const flow = probe.grad_by_time;
    if (flow.length > 1) {
      const [earliest, latest] = [flow[0], flow.at(-1)];
      const ratio = earliest > 0 ? latest / earliest : Infinity;
      summarize("probe-gradient", `At step ${probe.step} the gradient reaching the last input step is ${shortNumber(latest)} ` +
        `and the first ${shortNumber(earliest)}` +
        (ratio === Infinity ? ": none reaches the first step (vanished)." : ratio > 10 ? `: ${shortNumber(ratio)} times smaller on the way back (vanishing).` : ratio < 0.1 ? ": larger on the way back (growing)." : ": about as strong."));
    } else {
      summarize("probe-gradient", `At step ${probe.step}: gradient norms of ${traces.length} layer${traces.length === 1 ? "" : "s"} through time.`);
    }
    plotly.react("probe-gradient", traces, {
      margin: { t: 10, r: 10, b: 40, l: 50 }, legend: { orientation: "h", y: 1.15 },
      xaxis: { title: { text: traces.some((t) => t.x === outputs) ? "step: input, then output" : "time step: input", standoff: 12 }, automargin: true, type: "category" },
      yaxis: { title: { text: "gradient norm", standoff: 12 }, automargin: true, type: "log" },
    }, PLOT_OPTIONS);
  }
}
