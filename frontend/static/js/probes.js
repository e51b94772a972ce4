// "Inside the model": the probe events of a run, as heatmaps and a gradient curve,
// with a step slider that scrubs back through every recorded look (live and after).

const $ = (id) => document.getElementById(id);
const COLORS = "Viridis"; // perceptually uniform, readable with colour-blindness

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
  self: "Self-attention: each row is a step asking, each column a step answered; a row sums to 1.",
  decoder: "Decoder self-attention: each output step looks only at earlier outputs (causal).",
  cross: "Cross-attention: each output step looks over the input sequence.",
};

export class ProbePanel {
  constructor() {
    this.probes = [];
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
    $("probe-empty")?.remove();
    const slider = $("probe-step");
    slider.max = this.probes.length - 1;
    if (this.probes.length === 1) this.fillPickers(event);
    if (this.following) slider.value = this.probes.length - 1;
    this.show();
  }

  fillPickers(event) {
    const names = event.heatmaps ? Object.keys(event.heatmaps) : Object.keys(event.attention);
    $("probe-map").replaceChildren(...names.map((n) => new Option(n.replaceAll(".", " · "), n)));
    const preferred = names.find((n) => n.endsWith("forget")) || names.find((n) => n.endsWith("hidden")) || names[0];
    $("probe-map").value = preferred;
    const heads = event.attention ? Object.values(event.attention)[0].heads.length : 0;
    $("probe-head-field").hidden = !heads;
    $("probe-head").replaceChildren(...Array.from({ length: heads }, (_, i) => new Option(`head ${i + 1}`, i)));
  }

  labels(probe, steps) {
    return steps.map((t) => {
      const at = probe.time.indexOf(t);
      const label = at >= 0 ? probe.inputs[at] : undefined;
      const text = Array.isArray(label) ? label.map((v) => v.toFixed(2)).join(", ") : label;
      return text === undefined ? `t=${t}` : `${t}: ${text}`;
    });
  }

  show() {
    const probe = this.probes[Number($("probe-step").value)];
    if (!probe) return;
    $("probe-step-label").textContent = `step ${probe.step} (${Number($("probe-step").value) + 1} of ${this.probes.length})`;
    const name = $("probe-map").value;
    const kind = name.split(".").at(-1).replace(/l\d+/, "") || name.split(".")[0];
    $("probe-reading").textContent = READING[kind] || READING[name.split(".")[0]] || "";
    if (probe.heatmaps) this.showHeatmap(probe, probe.heatmaps[name]);
    else this.showAttention(probe, probe.attention[name]);
    this.showGradient(probe);
    this.showSpectralNorms(probe);
  }

  showSpectralNorms(probe) {
    const norms = Object.entries(probe.spectral_norms || {});
    $("probe-spectral-card").hidden = !norms.length;
    const list = $("probe-spectral");
    list.replaceChildren();
    for (const [name, value] of norms) {
      const dt = document.createElement("dt");
      dt.textContent = `W_hh ${name.replace("_reverse", " (backward)").replace(".", " · ")}`;
      const dd = document.createElement("dd");
      dd.textContent = value.toFixed(3);
      dd.className = value > 1 ? "above-one" : "below-one";
      list.append(dt, dd);
    }
  }

  showHeatmap(probe, map) {
    const z = map.z[0].map((_, unit) => map.z.map((row) => map.min + (row[unit] / 255) * (map.max - map.min)));
    Plotly.react("probe-heatmap", [{
      type: "heatmap", z, x: this.labels(probe, probe.time), y: map.units.map((u) => `unit ${u}`),
      colorscale: COLORS, hovertemplate: "%{x}<br>%{y}<br>%{z:.3f}<extra></extra>",
    }], {
      margin: { t: 10, r: 10, b: 90, l: 70 }, xaxis: { title: { text: "time step: input" }, type: "category" },
      yaxis: { title: { text: "unit" }, type: "category" },
    }, { responsive: true, displaylogo: false });
  }

  showAttention(probe, map) {
    const head = Number($("probe-head").value || 0);
    const z = map.heads[head].map((row) => row.map((v) => v / 255));
    const queries = map.rows.map((t) => `step ${t}`);
    const keys = map.cols.map((t) => `step ${t}`);
    Plotly.react("probe-heatmap", [{
      type: "heatmap", z, x: keys, y: queries, zmin: 0, zmax: 1, colorscale: COLORS,
      hovertemplate: "%{y} attends to %{x}: %{z:.2f}<extra></extra>",
    }], {
      margin: { t: 10, r: 10, b: 70, l: 70 }, xaxis: { title: { text: "attended (key)" }, type: "category" },
      yaxis: { title: { text: "attending (query)" }, type: "category", autorange: "reversed" },
    }, { responsive: true, displaylogo: false });
  }

  showGradient(probe) {
    const x = this.labels(probe, probe.time);
    const traces = [{ x, y: probe.grad_by_time, name: "‖dL/dx_t‖", mode: "lines+markers", line: { color: "#d95f02" } }];
    for (const [layer, values] of Object.entries(probe.grad_by_time_hidden || {})) {
      traces.push({ x, y: values, name: `‖dL/dh_t‖ ${layer}`, mode: "lines", line: { dash: "dot" } });
    }
    Plotly.react("probe-gradient", traces, {
      margin: { t: 10, r: 10, b: 90, l: 70 }, legend: { orientation: "h", y: 1.15 },
      xaxis: { title: { text: "time step: input" }, type: "category" }, yaxis: { title: { text: "gradient norm" }, type: "log" },
    }, { responsive: true, displaylogo: false });
  }
}
