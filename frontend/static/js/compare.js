// The compare page: several runs' loss curves overlaid, and their insides side by side at
// the same step. Every run streams live, as on its own page.
import { cellName, runEnds } from "./constants.js";
import { EventStream, runPath } from "./event_stream.js";
import { continued } from "./redone.js";

const $ = (id) => document.getElementById(id);
const runs = JSON.parse($("runs").textContent);
const COLORS = ["#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02"];
const PLOT_OPTIONS = { responsive: true, displaylogo: false };
const state = Object.fromEntries(runs.map((r) => [r.id, { points: [], probes: [] }]));

let drawing = 0;
function redraw() { // at most once per frame, however fast events arrive
  if (!drawing) drawing = requestAnimationFrame(() => { drawing = 0; drawLoss(); drawInside(); });
}

function drawLoss() {
  const traces = [];
  runs.forEach((run, i) => {
    const points = state[run.id].points;
    const color = COLORS[i % COLORS.length];
    traces.push({ x: points.map((p) => p.step), y: points.map((p) => p.loss), name: `${cellName(run.cell)} train`, line: { color } });
    const val = points.filter((p) => p.val_loss != null);
    traces.push({ x: val.map((p) => p.step), y: val.map((p) => p.val_loss), name: `${cellName(run.cell)} validation`, line: { color, dash: "dot" } });
  });
  Plotly.react("compare-loss", traces, {
    margin: { t: 10, r: 10, b: 40, l: 60 }, xaxis: { title: { text: "step" } },
    yaxis: { title: { text: "loss" }, type: "log" }, legend: { orientation: "h", y: 1.15 },
  }, PLOT_OPTIONS);
}

function nearest(probes, step) {
  return probes.reduce((best, p) => (!best || Math.abs(p.step - step) < Math.abs(best.step - step) ? p : best), null);
}

function drawInside() {
  const steps = runs.flatMap((r) => state[r.id].probes.map((p) => p.step));
  if (!steps.length) return;
  const slider = $("compare-step");
  const max = Math.max(...steps);
  const following = Number(slider.value) >= Number(slider.max);
  slider.max = max;
  if (following) slider.value = max;
  const step = Number(slider.value);
  $("compare-step-value").value = step;
  const traces = [];
  runs.forEach((run, i) => {
    const probe = nearest(state[run.id].probes, step);
    if (!probe) return;
    traces.push({
      x: probe.time, y: probe.grad_by_time, name: `${cellName(run.cell)} (step ${probe.step})`,
      mode: "lines+markers", line: { color: COLORS[i % COLORS.length] },
    });
  });
  Plotly.react("compare-gradient", traces, {
    margin: { t: 10, r: 10, b: 40, l: 60 }, xaxis: { title: { text: "input step" } },
    yaxis: { title: { text: "‖dL/dx_t‖" }, type: "log" }, legend: { orientation: "h", y: 1.15 },
  }, PLOT_OPTIONS);
  runs.forEach((run) => drawMap(run, nearest(state[run.id].probes, step)));
}

function drawMap(run, probe) {
  let box = document.querySelector(`[data-map="${run.id}"]`);
  if (!box) {
    box = document.createElement("figure");
    box.dataset.map = run.id;
    box.innerHTML = `<figcaption></figcaption><div class="chart small"></div>`;
    $("compare-maps").append(box);
  }
  if (!probe) return;
  const names = Object.keys(probe.heatmaps || {});
  const name = names.find((n) => n.endsWith("forget")) || names.find((n) => n.endsWith("hidden")) || names[0];
  let z;
  let caption;
  if (name) {
    const map = probe.heatmaps[name];
    z = map.units.map((_, u) => map.z.map((row) => map.min + (row[u] / 255) * (map.max - map.min)));
    caption = `${cellName(run.cell)}: ${name.replaceAll(".", " · ")}`;
  } else if (probe.attention) {
    const [key, map] = Object.entries(probe.attention)[0];
    z = map.heads[0].map((row) => row.map((v) => v / 255));
    caption = `${cellName(run.cell)}: attention ${key.replaceAll(".", " · ")}, head 1`;
  }
  if (!z) return;
  box.querySelector("figcaption").textContent = `${caption} (step ${probe.step})`;
  Plotly.react(box.querySelector(".chart"), [{ type: "heatmap", z, colorscale: "Viridis" }],
    { margin: { t: 10, r: 10, b: 30, l: 40 } }, PLOT_OPTIONS);
}

function row(run) {
  return document.querySelector(`tr[data-run="${run.id}"]`);
}

for (const run of runs) {
  new EventStream(runPath(run.id), {
    onEvent: (event) => {
      const tr = row(run);
      if (event.type === "metrics") state[run.id].points = continued(state[run.id].points, event.points || [event]);
      else if (event.type === "probe") state[run.id].probes.push(event);
      else if (event.type === "status") tr.querySelector(".status").textContent = event.status;
      else if (event.type === "done") {
        const r = event.result;
        tr.querySelector(".parameters").textContent = r.parameters?.toLocaleString() ?? "";
        tr.querySelector(".speed").textContent = r.steps_per_second ?? "";
        tr.querySelector(".best").textContent = r.best_val_loss != null ? Number(r.best_val_loss.toPrecision(3)) : "";
        tr.querySelector(".accuracy").textContent = r.final_val_accuracy != null ? `${(100 * r.final_val_accuracy).toFixed(1)} %` : "";
      }
      redraw();
    },
    onError: (message) => { row(run).querySelector(".status").textContent = message.error; },
    ends: runEnds,
  });
}
$("compare-step")?.addEventListener("input", redraw);
