// "What the model produces": sample events as a forecast against the held-out truth,
// text the model writes, or a confusion matrix with held-out examples.
import { plotText } from "./plot_text.js";
import { percent, shortNumber, summarize } from "./chart_summary.js";
import { plotly } from "./plotly_loader.js";

const $ = (id) => document.getElementById(id);
const PLOT_OPTIONS = { responsive: true, displaylogo: false };
const KEEP_TEXTS = 6;

const READING = {
  forecast: "The model's forecast (dashed) against the held-out actual values, in the data's own units. " +
    "Held-out rows were never trained on; the shaded part is what the model read first.",
  text: "The model continues the start of held-out text, sampling each next token at this temperature. " +
    "Watch spelling, then words, then phrases appear as training goes.",
  classification: "Rows are the true labels, columns the model's answers, on held-out examples: " +
    "a good classifier puts its counts on the diagonal.",
};

export class SamplePanel {
  constructor() {
    this.texts = [];
  }

  add(event) {
    $("sample-card").hidden = false;
    $("sample-reading").textContent = READING[event.kind] || "";
    $("sample-step").textContent = `step ${event.step}`;
    // Text samples are words, not a chart: no empty chart space above them.
    $("sample-chart").hidden = event.kind === "text";
    $("sample-chart-summary").hidden = event.kind === "text";
    if (event.kind === "forecast") this.forecast(event);
    else if (event.kind === "text") this.text(event);
    else if (event.kind === "classification") this.classification(event);
  }

  forecast(event) {
    const traces = [];
    const from = event.forecast_from;
    const x = event.x.map(plotText); // an uploaded time column's text
    for (const column of event.columns) {
      traces.push({ x, y: event.actual[column], name: plotText(`${column} (actual)`), mode: "lines" });
      traces.push({
        x: x.slice(from), y: event.predicted[column], name: plotText(`${column} (forecast)`),
        mode: "lines", line: { dash: "dash" },
      });
    }
    const column = event.columns[0];
    const actual = event.actual[column].slice(from);
    const predicted = event.predicted[column];
    const compared = predicted.filter((_, i) => i < actual.length);
    const error = compared.reduce((total, v, i) => total + Math.abs(v - actual[i]), 0) / Math.max(compared.length, 1);
    summarize("sample-chart", `Forecast of ${column}${event.columns.length > 1 ? ` (and ${event.columns.length - 1} more)` : ""} ` +
      `for ${compared.length} held-out steps: off by ${shortNumber(error)} on average, in the data's own units.`);
    const shapes = from > 0 ? [{
      type: "rect", xref: "x", yref: "paper", x0: x[0], x1: x[from - 1], y0: 0, y1: 1,
      fillcolor: "#888", opacity: 0.12, line: { width: 0 },
    }] : [];
    plotly.react("sample-chart", traces, {
      margin: { t: 10, r: 10, b: 50, l: 60 }, legend: { orientation: "h", y: 1.12 }, shapes,
      xaxis: { title: { text: "time" } }, yaxis: { title: { text: "value" } },
    }, PLOT_OPTIONS);
  }

  text(event) {
    this.texts.unshift(event);
    this.texts.length = Math.min(this.texts.length, KEEP_TEXTS);
    const list = $("sample-texts");
    list.replaceChildren(...this.texts.map((sample) => {
      const item = document.createElement("li");
      const step = document.createElement("span");
      step.className = "hint";
      step.textContent = `step ${sample.step} · temperature ${sample.temperature}`;
      const body = document.createElement("pre");
      body.className = "sample";
      const prompt = document.createElement("strong");
      prompt.textContent = sample.prompt;
      body.append(prompt, document.createTextNode(sample.text));
      item.append(step, body);
      return item;
    }));
  }

  classification(event) {
    const labels = event.labels.map((label) => plotText(String(label)));
    plotly.react("sample-chart", [{
      type: "heatmap", z: event.confusion, x: labels, y: labels, colorscale: "Viridis",
      hovertemplate: "true %{y}, answered %{x}: %{z}<extra></extra>", texttemplate: "%{z}",
    }], {
      margin: { t: 10, r: 10, b: 60, l: 80 },
      xaxis: { title: { text: "model's answer" }, type: "category" },
      yaxis: { title: { text: "true label" }, type: "category", autorange: "reversed" },
    }, PLOT_OPTIONS);
    $("sample-accuracy").textContent = `Held-out accuracy: ${(100 * event.accuracy).toFixed(1)} %`;
    const total = event.confusion.flat().reduce((a, b) => a + b, 0);
    const right = event.confusion.reduce((a, row, i) => a + row[i], 0);
    summarize("sample-chart", `Confusion matrix of ${event.labels.length} classes: ${right} of ${total} held-out answers ` +
      `on the diagonal (${percent(event.accuracy)} right).`);
    const list = $("sample-texts");
    list.replaceChildren(...event.examples.map((example) => {
      const item = document.createElement("li");
      item.className = example.label === example.predicted ? "right" : "wrong";
      item.textContent = `${example.text} → ${example.predicted}` +
        (example.label === example.predicted ? " ✓" : ` ✗ (truly ${example.label})`);
      return item;
    }));
  }
}
