// Runs started from the build page, trained in place: each one's loss curve grows in one
// chart beside the controls (named after the run), so changing a setting and training
// again puts the new curve beside the last one. Each run keeps its link to its own page.
import { runEnds } from "./constants.js";
import { EventStream, runPath } from "./event_stream.js";
import { withPlotly } from "./plotly_loader.js";
import { plotText } from "./plot_text.js";

const $ = (id) => document.getElementById(id);
const COLOURS = ["#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#a6761d", "#666666"];
const runs = []; // {id, name, colour, steps: [], losses: [], item, baseline}
let revision = 0; // Plotly.react redraws arrays that grew in place only when this changes

function draw() {
  // The training loss (logged at every interval; validations are few): one line per run.
  const traces = runs.map((run) => ({
    x: run.steps, y: run.losses, name: plotText(run.name), mode: "lines",
    line: { color: run.colour, width: 2 },
  }));
  // Where always answering the mean lands (the adding problem's 0.167): a curve on this
  // line has learned nothing yet.
  const baseline = runs.at(-1)?.baseline;
  const shapes = baseline === undefined ? [] : [{
    type: "line", xref: "paper", x0: 0, x1: 1, y0: baseline, y1: baseline, line: { dash: "dash", color: "#888", width: 1 },
  }];
  const annotations = baseline === undefined ? [] : [{
    xref: "paper", x: 1, y: baseline, xanchor: "right", yanchor: "bottom", showarrow: false,
    text: `guessing (${baseline})`, font: { size: 11, color: "#555" },
  }];
  revision += 1;
  const layout = {
    datarevision: revision, shapes, annotations, margin: { t: 10, r: 10, b: 40, l: 50 }, xaxis: { title: { text: "step" } },
    yaxis: { title: { text: "training loss" } }, legend: { orientation: "h", y: -0.25 },
  };
  // Plotly arrives after the page is painted (plotly_loader.js): the chart is drawn then.
  withPlotly((Plotly) => Plotly.react($("live-chart"), traces, layout, { responsive: true, displaylogo: false, displayModeBar: false }));
  $("live-chart").setAttribute("aria-label", runs.map((run) =>
    `${run.name}: ${run.losses.length ? `loss ${run.losses.at(-1).toFixed(3)} at step ${run.steps.at(-1)}` : "waiting"}`).join("; "));
}

function listItem(run, url) {
  const item = document.createElement("li");
  item.dataset.run = run.id;
  const swatch = Object.assign(document.createElement("span"), { className: "swatch" });
  swatch.style.background = run.colour;
  const name = Object.assign(document.createElement("strong"), { textContent: run.name });
  const status = Object.assign(document.createElement("span"), { className: "badge status-queued", textContent: "queued" });
  const open = Object.assign(document.createElement("a"), { href: url, className: "open-run", textContent: "Open its page" });
  item.append(swatch, name, status, open);
  return item;
}

function setStatus(run, status, step) {
  const badge = run.item.querySelector(".badge");
  badge.className = `badge status-${status}`;
  badge.textContent = step !== undefined && status === "running" ? `running · step ${step}` : status;
}

// A run just created (POST /api/runs answered): follow its events and draw them.
// baseline: the loss of always guessing the mean, where the task knows it (else undefined).
export function followRun(created, name, baseline) {
  $("live-runs").hidden = false;
  const colour = COLOURS[runs.length % COLOURS.length];
  const run = { id: created.id, name, colour, steps: [], losses: [], status: "queued", baseline };
  run.item = listItem(run, created.url);
  runs.push(run);
  $("live-list").append(run.item);
  draw();
  const stream = new EventStream(runPath(created.id), {
    ends: runEnds,
    onEvent: (event) => {
      if (event.type === "status") run.status = event.status;
      if (event.type === "metrics") {
        for (const point of event.points || [event]) {
          if (point.loss === undefined || point.loss === null) continue;
          run.steps.push(point.step);
          run.losses.push(point.loss);
        }
        draw();
      }
      setStatus(run, run.status, run.steps.at(-1));
      if (runEnds(event)) stream.close();
    },
  });
}
