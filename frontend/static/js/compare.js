// The compare page: several runs' loss curves overlaid, and their insides side by side at
// the same step. Every run streams live, as on its own page; a waiting run says why.
import { api } from "./api.js";
import { runEnds } from "./constants.js";
import { EventStream, runPath } from "./event_stream.js";
import { continued } from "./redone.js";
import { plotly } from "./plotly_loader.js";

const $ = (id) => document.getElementById(id);
const runs = JSON.parse($("runs").textContent);
const baseline = JSON.parse($("baseline").textContent);
const COLORS = ["#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02"];
// No toolbar: on a phone it covers the legends, and each chart would add its buttons' tab stops.
const PLOT_OPTIONS = { responsive: true, displaylogo: false, displayModeBar: false };
const WAIT_POLL_MS = 2000;
const state = Object.fromEntries(runs.map((r) => [r.id, { points: [], probes: [], status: r.status, place: null, firstLog: null, done: false }]));

let drawing = 0;
function redraw() { // at most once per frame, however fast events arrive
  if (!drawing) drawing = requestAnimationFrame(() => { drawing = 0; drawLoss(); drawInside(); });
}

function colorOf(i) {
  return COLORS[i % COLORS.length];
}

function drawLoss() {
  const traces = [];
  runs.forEach((run, i) => {
    const points = state[run.id].points;
    const color = colorOf(i);
    traces.push({ x: points.map((p) => p.step), y: points.map((p) => p.loss), name: `${run.label}: training`, line: { color } });
    const val = points.filter((p) => p.val_loss != null);
    traces.push({
      x: val.map((p) => p.step), y: val.map((p) => p.val_loss), name: `${run.label}: validation`,
      mode: "lines+markers", line: { color, dash: "dot" }, marker: { size: 5 },
    });
  });
  if (baseline) {
    const last = Math.max(...runs.map((r) => r.total_steps));
    traces.push({
      x: [0, last], y: [baseline.loss, baseline.loss], name: baseline.label, mode: "lines",
      line: { color: "#222", dash: "dash", width: 2 }, hoverinfo: "name",
    });
  }
  plotly.react("compare-loss", traces, {
    margin: { t: 10, r: 10, b: 40, l: 60 }, xaxis: { title: { text: "step" } },
    yaxis: { title: { text: "loss" }, type: "log" }, legend: { orientation: "h", y: -0.2 },
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
      x: probe.time, y: probe.grad_by_time, name: `${run.label} (step ${probe.step})`,
      mode: "lines+markers", line: { color: colorOf(i) },
    });
  });
  plotly.react("compare-gradient", traces, {
    margin: { t: 10, r: 10, b: 40, l: 60 }, xaxis: { title: { text: "input step" } },
    yaxis: { title: { text: "‖dL/dx_t‖" }, type: "log" }, legend: { orientation: "h", y: -0.2 },
  }, PLOT_OPTIONS);
  runs.forEach((run) => drawMap(run, nearest(state[run.id].probes, step)));
}

// The map that matters for a run: where the decoder looks, for a run with attention; else
// the forget gate (what an LSTM keeps), else the hidden state.
function mapOf(run, probe) {
  const attention = Object.entries(probe.attention || {});
  if (attention.length && (run.attention || !probe.heatmaps)) {
    const [key, map] = attention.find(([k]) => k.startsWith("cross")) || attention[0];
    return {
      kind: "attention",
      caption: `${run.label}: where each output step looks in the input (attention, ${key.replaceAll(".", " · ")}, head 1)`,
      z: map.heads[0].map((row) => row.map((v) => v / 255)),
      x: map.cols.map((c) => `in ${c}`), y: map.rows.map((r) => `out ${r}`),
    };
  }
  const names = Object.keys(probe.heatmaps || {});
  const name = names.find((n) => n.endsWith("forget")) || names.find((n) => n.endsWith("hidden")) || names[0];
  if (!name) return null;
  const map = probe.heatmaps[name];
  return {
    kind: "heatmap",
    caption: `${run.label}: ${name.replaceAll(".", " · ")}`,
    z: map.units.map((_, u) => map.z.map((row) => map.min + (row[u] / 255) * (map.max - map.min))),
  };
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
  const map = mapOf(run, probe);
  if (!map) return;
  box.dataset.kind = map.kind;
  box.querySelector("figcaption").textContent = `${map.caption} (step ${probe.step})`;
  const layout = { margin: { t: 10, r: 10, b: 40, l: 60 } };
  const trace = { type: "heatmap", z: map.z, colorscale: "Viridis" };
  if (map.kind === "attention") {
    Object.assign(trace, { x: map.x, y: map.y, zmin: 0, zmax: 1 });
    Object.assign(layout, {
      xaxis: { title: { text: "input step (attended)" }, type: "category" },
      yaxis: { title: { text: "output step" }, type: "category", autorange: "reversed" },
    });
  }
  plotly.react(box.querySelector(".chart"), [trace], layout, PLOT_OPTIONS);
}

function row(run) {
  return document.querySelector(`tr[data-run="${run.id}"]`);
}

// Steps per second while a run trains, from its own metrics events: the steps between its
// first logged point and its newest over the seconds between the two events. The result's
// figure (all its steps over the seconds it trained) replaces it once the run is done.
function showSpeed(run, event) {
  const s = state[run.id];
  const step = (event.points || [event]).at(-1).step;
  if (!s.firstLog || step <= s.firstLog.step) { // the first, or a resumed run's earlier steps again
    s.firstLog = { step, time: event.time };
    return;
  }
  const seconds = event.time - s.firstLog.time;
  if (s.done || seconds <= 0) return;
  row(run).querySelector(".speed").textContent = `≈ ${((step - s.firstLog.step) / seconds).toFixed(1)}`;
}

// How far a parallel scan lies from the step-by-step loop, from the run's newest look inside;
// printed as the server prints it (comparing.agreement).
function showAgreement(run, probe) {
  const line = document.querySelector(`[data-scan="${run.id}"]`);
  if (!line || !probe.scan_agreement) return;
  const largest = probe.scan_agreement.largest_difference;
  line.querySelector(".agreement").textContent = largest === 0 ? "exactly" : `to ${largest.toExponential(1)}`;
  line.querySelector(".scan-step").textContent = probe.step;
  line.hidden = false;
}

function plural(n, one, many) {
  return `${n} ${n === 1 ? one : many}`;
}

// Why a queued run waits: how many go before it, and what trains meanwhile (naming the
// runs of this page; others' runs are strangers' and stay counted only).
function waitingSentence(run) {
  const place = state[run.id].place;
  const mine = runs.filter((r) => state[r.id].status === "running").map((r) => r.label);
  if (!place) return `${run.label} is waiting for a free worker.`;
  const before = place.ahead ? `${plural(place.ahead, "run goes", "runs go")} before it` : "it is next";
  const training = place.training
    ? `; the workers are training ${plural(place.training, "run", "runs")}${mine.length ? ` (${mine.join(", ")})` : ""}`
    : "";
  return `${run.label} is waiting for a free worker: ${before}${training}.`;
}

function showWaiting() {
  const waiting = runs.filter((r) => state[r.id].status === "queued");
  const line = $("compare-waiting");
  if (!line) return; // nothing to compare
  line.hidden = !waiting.length;
  line.textContent = waiting.map(waitingSentence).join(" ");
  for (const run of runs) {
    const place = state[run.id].place;
    const text = state[run.id].status === "queued" && place ? `queued (${place.ahead} ahead)` : state[run.id].status;
    row(run).querySelector(".state").textContent = text;
  }
}

let polling = null;
async function pollWaiting() {
  polling = null;
  const waiting = runs.filter((r) => state[r.id].status === "queued");
  await Promise.all(waiting.map(async (run) => {
    try {
      const answer = await api(`/api/runs/${run.id}`);
      // The stream may have moved it on meanwhile: only a queued answer says where it waits.
      if (answer.status === "queued" && state[run.id].status === "queued") state[run.id].place = answer.queue || null;
    } catch {
      state[run.id].place = null;
    }
  }));
  showWaiting();
  if (runs.some((r) => state[r.id].status === "queued")) polling = setTimeout(pollWaiting, WAIT_POLL_MS);
}

function setStatus(run, status) {
  state[run.id].status = status;
  if (status !== "queued") state[run.id].place = null;
  showWaiting();
  if (status === "queued" && !polling) polling = setTimeout(pollWaiting, 0);
}

for (const run of runs) {
  new EventStream(runPath(run.id), {
    onEvent: (event) => {
      const tr = row(run);
      if (event.type === "metrics") {
        state[run.id].points = continued(state[run.id].points, event.points || [event]);
        showSpeed(run, event);
      } else if (event.type === "probe") {
        state[run.id].probes.push(event);
        showAgreement(run, event);
      } else if (event.type === "status") {
        setStatus(run, event.status);
        tr.querySelector(".message").textContent = event.message || "";
      } else if (event.type === "done") {
        const r = event.result;
        state[run.id].done = true;
        tr.querySelector(".parameters").textContent = r.parameters?.toLocaleString() ?? "";
        tr.querySelector(".speed").textContent = r.steps_per_second ?? "";
        tr.querySelector(".best").textContent = r.best_val_loss != null ? Number(r.best_val_loss.toPrecision(3)) : "";
        tr.querySelector(".accuracy").textContent = r.final_val_accuracy != null ? `${(100 * r.final_val_accuracy).toFixed(1)} %` : "";
      }
      redraw();
    },
    onError: (message) => { row(run).querySelector(".message").textContent = message.error; },
    ends: runEnds,
  });
}
showWaiting();
if (runs.some((r) => r.status === "queued")) pollWaiting();
$("compare-step")?.addEventListener("input", redraw);
