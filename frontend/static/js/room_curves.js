// The room's loss curves on the workshop board: one line per run, named by its participant
// (as data: plotText keeps a name such as "<b>me</b>" from being drawn as markup), and the
// guessing baseline of each task that has one. Plotly loads after the page is painted
// (plotly_loader.js).
import { cellName } from "./constants.js";
import { loadPlotly } from "./plotly_loader.js";
import { plotText } from "./plot_text.js";

const box = document.getElementById("room-curves");
const summary = document.getElementById("curves-summary");
const curves = new Map(); // run id -> Map(step -> validation loss)
let drawing = false;

// A snapshot's curves replace what was drawn; a live update's points extend one curve.
export function setCurves(all) {
  curves.clear();
  for (const [runId, points] of Object.entries(all ?? {})) addPoints(runId, points);
}

export function addPoints(runId, points) {
  const curve = curves.get(runId) ?? new Map();
  for (const [step, loss] of points ?? []) curve.set(step, loss);
  curves.set(runId, curve);
}

const fmt = (v) => Number(v.toPrecision(3)).toString();

// Legend names: the participant, the cell, and a number when one person has several alike.
function names(runs, participants) {
  const seen = new Map();
  return new Map(runs.map((run) => {
    const base = `${participants.get(run.participant)?.name ?? "?"} · ${cellName(run.cell)}`;
    const count = (seen.get(base) ?? 0) + 1;
    seen.set(base, count);
    return [run.id, count > 1 ? `${base} (${count})` : base];
  }));
}

function traces(board) {
  const runs = [...board.runs.values()].filter((run) => curves.get(run.id)?.size);
  const label = names(runs, board.participants);
  const lines = runs.map((run) => {
    const steps = [...curves.get(run.id).keys()].sort((a, b) => a - b);
    return {
      x: steps, y: steps.map((s) => curves.get(run.id).get(s)), mode: "lines+markers", type: "scatter",
      name: plotText(label.get(run.id)), meta: run.id, marker: { size: 4 },
      line: { width: run.id === board.spotlight ? 5 : 2 },
    };
  });
  const longest = Math.max(1, ...runs.map((run) => run.total_steps ?? 0));
  const tasks = new Set(runs.map((run) => run.task));
  for (const [task, loss] of Object.entries(board.baselines ?? {})) {
    if (!tasks.has(task)) continue;
    lines.push({
      x: [0, longest], y: [loss, loss], mode: "lines", type: "scatter", hoverinfo: "name",
      name: plotText(`guessing on ${task}: ${loss}`), line: { dash: "dash", color: "#888", width: 2 },
    });
  }
  return { runs, label, lines };
}

// One line a screen reader (and a glance) can take in: how many runs, who is lowest.
function describe(runs, label, board) {
  if (!runs.length) return "No curves yet: they appear as runs validate.";
  const last = (run) => { const c = curves.get(run.id); return c.get(Math.max(...c.keys())); };
  const best = runs.reduce((a, b) => (last(b) < last(a) ? b : a));
  const tasks = new Set(runs.map((run) => run.task));
  const baselines = Object.entries(board.baselines ?? {}).filter(([task]) => tasks.has(task))
    .map(([task, loss]) => ` Guessing on ${task} scores ${loss}.`).join("");
  return `${runs.length} run${runs.length === 1 ? "" : "s"} drawn; the lowest latest validation loss is ` +
    `${fmt(last(best))} (${label.get(best.id)}).${baselines}`;
}

export function drawCurves(board) {
  const { runs, label, lines } = traces(board);
  summary.textContent = describe(runs, label, board);
  if (!runs.length || drawing) return;
  drawing = true;
  // One draw per frame however many events arrive together.
  requestAnimationFrame(async () => {
    try {
      const Plotly = await loadPlotly();
      const now = traces(board);
      Plotly.react(box, now.lines, {
        margin: { t: 10, r: 10, b: 50, l: 55 }, yaxis: { title: { text: "validation loss" }, type: "log", dtick: 1 },
        xaxis: { title: { text: "step" } }, legend: { orientation: "h", y: -0.3 }, uirevision: "room",
        // Read from the back of a room on the projector.
        font: { size: box.closest(".projector") ? 17 : 12 },
      }, { displayModeBar: false, responsive: true });
      box.dataset.drawn = String(now.runs.length);
    } catch (failure) {
      summary.textContent = failure.message;
    } finally {
      drawing = false;
    }
  });
}
