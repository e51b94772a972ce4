// The run page: status, progress, live loss and gradient charts, the result.
import { api } from "./api.js";
import { ProbePanel } from "./probes.js";
import { SamplePanel } from "./samples.js";
import { CELLS, FINISHED, runEnds } from "./constants.js";
import { EventStream, runPath } from "./event_stream.js";
import { showConnection } from "./connection.js";
import { specToHash } from "./state.js";
import { setUpTry } from "./try.js";
import { setUpAsk } from "./ask.js";
import { continued, cutFrom } from "./redone.js";
import { percent, shortNumber, summarize, trend } from "./chart_summary.js";
import { plotly } from "./plotly_loader.js";

const run = JSON.parse(document.getElementById("run").textContent);
document.getElementById("fork").href = "/" + specToHash(run.spec);

// The same setup with each other cell that can run it (POST /api/runs/check says which),
// trained and compared with this run.
function withCell(spec, cell) {
  const m = spec.model;
  const model = { cell, layers: m.layers, hidden: m.hidden, dropout: m.dropout, input_encoding: m.input_encoding, embedding: m.embedding };
  if (cell === "transformer") model.heads = m.hidden % 4 === 0 ? 4 : 1;
  else if (spec.paradigm === "seq2seq") model.attention = m.attention;
  const training = { ...spec.training, ...(cell === "transformer" ? { teacher_forcing: 1 } : {}) };
  return { dataset: spec.dataset, paradigm: spec.paradigm, dataset_options: spec.dataset_options, model, training };
}

const check = (spec) => api("/api/runs/check", { method: "POST", body: JSON.stringify(spec) });

// The spec to train with `cell`, or null where the cell cannot run this setup. An
// initialisation the cell has no W_hh for falls back to PyTorch's default.
async function runnable(cell) {
  let spec = withCell(run.spec, cell);
  let answer = await check(spec);
  if (!answer.ok && answer.unavailable?.["training.init"]?.[spec.training.init]) {
    spec = { ...spec, training: { ...spec.training, init: "default" } };
    answer = await check(spec);
  }
  return answer.ok ? spec : null;
}

// A browser may have only so many runs going at once. When the server says no (429), the
// runs started so far can be compared now, and the button trains the other cells later.
const everyCell = { ids: [run.id], left: null }; // left: the specs not yet started
function showEveryCellStop(failure) {
  const line = $("every-cell-error");
  const left = everyCell.left?.length ?? 0;
  const started = everyCell.ids.length - 1;
  line.replaceChildren(failure.message);
  if (failure.status === 429 && left) {
    line.append(` ${started} started; press the button again for the other ${left} once a run has finished`);
    $("every-cell").textContent = `Train the other ${left} cell${left === 1 ? "" : "s"}`;
    if (started) {
      const compare = Object.assign(document.createElement("a"), {
        href: `/compare/?runs=${everyCell.ids.join(",")}`, textContent: `compare the ${everyCell.ids.length} runs so far`,
      });
      line.append(", or ", compare);
    }
    line.append(".");
  }
  line.hidden = false;
}
document.getElementById("every-cell").addEventListener("click", async (event) => {
  event.target.disabled = true;
  $("every-cell-error").hidden = true;
  try {
    if (everyCell.left === null) {
      const specs = [];
      for (const cell of CELLS.filter((c) => c !== run.spec.model.cell)) specs.push(await runnable(cell));
      everyCell.left = specs.filter(Boolean);
    }
    while (everyCell.left.length) {
      const started = await api("/api/runs", { method: "POST", body: JSON.stringify(everyCell.left[0]) });
      everyCell.ids.push(started.id);
      everyCell.left.shift();
    }
    window.location.assign(`/compare/?runs=${everyCell.ids.join(",")}`);
  } catch (failure) {
    showEveryCellStop(failure);
    event.target.disabled = false;
  }
});
const $ = (id) => document.getElementById(id);
const spec = run.spec;
const totalSteps = run.progress.total_steps;
let startedAt = null; // (time, step) of the first metrics seen live, for the ETA
let status = run.status;

// --- heading ------------------------------------------------------------------------
const model = spec.model;
$("run-summary").textContent =
  `${spec.paradigm} · ${model.layers} layer${model.layers > 1 ? "s" : ""} × ${model.hidden} units · ` +
  `${spec.training.steps} steps, batch ${spec.training.batch_size}, lr ${spec.training.lr}, seed ${spec.training.seed}`;

// --- charts -------------------------------------------------------------------------
const layout = (yTitle, logY) => ({
  margin: { t: 10, r: 10, b: 45, l: 60 },
  xaxis: { title: { text: "step" } },
  yaxis: { title: { text: yTitle }, type: logY ? "log" : "linear" },
  legend: { orientation: "h", y: 1.12 },
});
const config = { responsive: true, displaylogo: false };
let chartsReady = false;

function ensureCharts() {
  if (chartsReady) return;
  chartsReady = true;
  $("loss-empty")?.remove();
  plotly.newPlot("loss-chart", [
    { x: [], y: [], name: "train loss", mode: "lines", line: { color: "#2456c9" } },
    { x: [], y: [], name: "validation loss", mode: "lines+markers", line: { color: "#d95f02" } },
  ], layout("loss", false), config);
  plotly.newPlot("grad-chart", [
    { x: [], y: [], name: "gradient norm", mode: "lines", line: { color: "#7570b3" } },
  ], layout("‖∇‖", true), config);
}

let lastStep = 0; // the last step plotted

function addPoints(points) {
  ensureCharts();
  if (!points.length) return;
  // A resumed run trains the steps after its checkpoint again: the new points replace the old.
  const from = points[0].step;
  if (from <= lastStep) {
    for (const chart of ["loss-chart", "grad-chart", "accuracy-chart"]) cutFrom(chart, from);
    accuracyPoints.splice(0, accuracyPoints.length, ...accuracyPoints.filter((p) => p.step < from));
  }
  lastStep = points[points.length - 1].step;
  const validated = points.filter((p) => p.val_loss !== undefined && p.val_loss !== null);
  plotly.extendTraces("loss-chart", {
    x: [points.map((p) => p.step), validated.map((p) => p.step)],
    y: [points.map((p) => p.loss), validated.map((p) => p.val_loss)],
  }, [0, 1]);
  plotly.extendTraces("grad-chart", { x: [points.map((p) => p.step)], y: [points.map((p) => p.grad_norm)] }, [0]);
  const scored = points.filter((p) => p.val_accuracy !== undefined && p.val_accuracy !== null);
  if (scored.length) addAccuracy(scored);
  logged = continued(logged, points);
  summarizeCurves();
}

// --- the charts in words ---------------------------------------------------------------
let logged = []; // every point so far (a resumed run's repeated steps replaced)

function summarizeCurves() {
  const first = logged[0];
  const last = logged.at(-1);
  const over = `over ${last.step} step${last.step === 1 ? "" : "s"}`;
  const validated = logged.filter((p) => p.val_loss != null);
  const validation = validated.length
    ? `; validation loss ${validated.length > 1 ? trend(validated[0].val_loss, validated.at(-1).val_loss) : `was ${shortNumber(validated[0].val_loss)}`}` +
      ` (best ${shortNumber(Math.min(...validated.map((p) => p.val_loss)))})`
    : "";
  summarize("loss-chart", `Training loss ${trend(first.loss, last.loss)} ${over}${validation}.`);
  const peak = logged.reduce((a, b) => (b.grad_norm > a.grad_norm ? b : a));
  summarize("grad-chart", `Gradient norm ${trend(first.grad_norm, last.grad_norm)} ${over}; largest ${shortNumber(peak.grad_norm)} at step ${peak.step}.`);
  const scored = logged.filter((p) => p.val_accuracy != null);
  if (scored.length > 1) {
    summarize("accuracy-chart", `Validation accuracy went from ${percent(scored[0].val_accuracy)} to ${percent(scored.at(-1).val_accuracy)} ${over}.`);
  }
}

let accuracyReady = false;
const accuracyPoints = [];
function addAccuracy(points) {
  accuracyPoints.push(...points);
  if (!accuracyReady && accuracyPoints.length < 2) return; // one point is not yet a curve
  if (!accuracyReady) {
    points = accuracyPoints;
    accuracyReady = true;
    $("accuracy-card").hidden = false;
    const accuracyLayout = layout("accuracy", false);
    accuracyLayout.yaxis.range = [0, 1];
    accuracyLayout.yaxis.tickformat = ".0%";
    plotly.newPlot("accuracy-chart", [
      { x: [], y: [], name: "validation accuracy", mode: "lines+markers", line: { color: "#1b9e77" } },
    ], accuracyLayout, config);
  }
  plotly.extendTraces("accuracy-chart", { x: [points.map((p) => p.step)], y: [points.map((p) => p.val_accuracy)] }, [0]);
}

// --- status and progress -------------------------------------------------------------
const showTry = setUpTry(run);

function showStatus(newStatus, message) {
  if (newStatus === "queued") startedAt = null; // handed back: the next worker's pace is its own
  status = newStatus;
  showTry(newStatus);
  const badge = $("status");
  badge.textContent = newStatus;
  badge.className = `badge status-${newStatus}`;
  const waiting = newStatus === "queued" ? "Waiting for a free worker…" : "";
  $("status-message").textContent = message || waiting;
  const cancel = $("cancel");
  if (cancel) cancel.hidden = FINISHED.has(newStatus);
  const remove = $("delete");
  if (remove) remove.hidden = !FINISHED.has(newStatus);
  if (FINISHED.has(newStatus)) $("eta").textContent = "";
}

function showProgress(step, live) {
  $("progress").value = step;
  $("progress-text").textContent = `step ${step} of ${totalSteps}`;
  if (!live || FINISHED.has(status)) return;
  const now = Date.now() / 1000;
  if (!startedAt) { startedAt = { now, step }; return; }
  const rate = (step - startedAt.step) / (now - startedAt.now);
  if (rate > 0) $("eta").textContent = `about ${Math.ceil((totalSteps - step) / rate)} s left`;
}

function showResult(result) {
  const rows = [
    ["final training loss", result.final_loss],
    ["final validation loss", result.final_val_loss],
    ["best validation loss", result.best_val_loss],
    ["validation accuracy", result.final_val_accuracy != null ? `${(100 * result.final_val_accuracy).toFixed(1)} %` : null],
    ["stopped early", result.stopped_early ? "yes: validation stopped improving" : null],
    ["parameters", result.parameters?.toLocaleString()],
    ["training time", result.seconds !== undefined ? `${result.seconds} s` : undefined],
    ["steps per second", result.steps_per_second],
    ["device", result.device],
  ];
  const list = $("result");
  list.replaceChildren();
  for (const [name, value] of rows) {
    if (value === undefined || value === null) continue;
    const dt = document.createElement("dt"); dt.textContent = name;
    const dd = document.createElement("dd");
    dd.textContent = typeof value === "number" ? Number(value.toPrecision(4)).toString() : value;
    list.append(dt, dd);
  }
  $("result-card").hidden = false;
}

// --- events ------------------------------------------------------------------------
const probes = new ProbePanel();
const samples = new SamplePanel();

// The snapshot "Ask the model why" looks at, marked on the loss curve.
function showCursor(step) {
  ensureCharts();
  plotly.relayout("loss-chart", {
    shapes: [{ type: "line", xref: "x", yref: "paper", x0: step, x1: step, y0: 0, y1: 1, line: { color: "#e7298a", width: 2, dash: "dot" } }],
    annotations: [{ x: step, xref: "x", y: 1, yref: "paper", yanchor: "bottom", text: `asking step ${step}`, showarrow: false, font: { color: "#b0186a", size: 11 } }],
  });
}
const ask = setUpAsk(run, probes, { onStep: showCursor });

const renderers = {
  probe: (event) => { probes.add(event); ask.sawProbe(event); if (status === "running") ask.refresh(status); },
  sample: (event) => samples.add(event),
  status: (event) => { showStatus(event.status, event.message); ask.refresh(event.status); },
  metrics: (event, live) => { addPoints(event.points || [event]); showProgress(event.step, live); },
  done: (event) => { showProgress(event.result.steps, false); showResult(event.result); },
};

new EventStream(runPath(run.id), {
  onEvent: (event) => {
    // Replayed history gives no ETA; "recent" assumes the browser's clock roughly agrees.
    const live = event.time > Date.now() / 1000 - 5;
    (renderers[event.type] || (() => {}))(event, live);
    document.body.dataset.lastSeq = event.seq;
  },
  onError: (message) => { $("status-message").textContent = message.error; },
  onState: (state) => showConnection($("connection"), state),
  ends: runEnds,
});

const cancel = $("cancel");
if (cancel) {
  cancel.hidden = FINISHED.has(status);
  cancel.addEventListener("click", async () => {
    cancel.disabled = true;
    cancel.textContent = "Cancelling…";
    try {
      await api(`/api/runs/${run.id}/cancel`, { method: "POST" });
    } catch (failure) {
      $("status-message").textContent = failure.message;
      cancel.disabled = false;
      cancel.textContent = "Cancel";
    }
  });
}

const remove = $("delete");
remove?.addEventListener("click", async () => {
  if (!window.confirm("Delete this run for everyone? Its link will stop working.")) return;
  try {
    await api(`/api/runs/${run.id}`, { method: "DELETE" });
    window.location.assign("/");
  } catch (failure) {
    $("status-message").textContent = failure.message;
  }
});
