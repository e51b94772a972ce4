// "Try it": ask a finished run's model something (POST /api/runs/{id}/predict) and show
// the answer: text it writes, a label with its probabilities, or a forecast.
import { api } from "./api.js";
import { TRYABLE } from "./constants.js";
import { plotText } from "./plot_text.js";

const $ = (id) => document.getElementById(id);

export function setUpTry(run) {
  const card = $("try-card");
  if (!card) return () => {};
  const kind = card.dataset.kind;
  $("try-temperature")?.addEventListener("input", () => { $("try-temperature-value").value = $("try-temperature").value; });
  $("try-go").addEventListener("click", async () => {
    const body = kind === "forecast" ? { steps: Number($("try-steps").value) }
      : { input: $("try-input").value, ...(kind === "write" ? { temperature: Number($("try-temperature").value) } : {}) };
    $("try-go").disabled = true;
    $("try-error").hidden = true;
    try {
      const answer = await api(`/api/runs/${run.id}/predict`, { method: "POST", body: JSON.stringify(body) });
      show(kind, answer);
    } catch (failure) {
      $("try-error").textContent = failure.message;
      $("try-error").hidden = false;
    } finally {
      $("try-go").disabled = false;
    }
  });
  // Shown once the model is there to try: after the run has finished or was cancelled.
  return (status) => { card.hidden = !TRYABLE.has(status); };
}

function show(kind, answer) {
  const output = $("try-output");
  if (kind === "write") {
    output.replaceChildren(Object.assign(document.createElement("strong"), { textContent: answer.prompt }), answer.output);
    output.hidden = false;
  } else if (kind === "classify") {
    const sure = Math.round(100 * answer.probabilities[answer.output]);
    output.textContent = `${answer.output} (${sure} % sure) · read as: ${answer.read}`;
    output.hidden = false;
    $("try-chart").hidden = false;
    Plotly.react("try-chart", [{ type: "bar", x: Object.keys(answer.probabilities).map(plotText), y: Object.values(answer.probabilities), marker: { color: "#1b9e77" } }],
      { margin: { t: 10, r: 10, b: 40, l: 50 }, yaxis: { range: [0, 1], title: { text: "probability" } }, xaxis: { type: "category" } },
      { responsive: true, displaylogo: false });
  } else {
    $("try-chart").hidden = false;
    const traces = Object.entries(answer.output).map(([name, y]) => ({ y, x: y.map((_, i) => i + 1), name: plotText(`${name} (forecast)`), mode: "lines+markers" }));
    Plotly.react("try-chart", traces, { margin: { t: 10, r: 10, b: 40, l: 60 }, xaxis: { title: { text: "steps ahead" } } },
      { responsive: true, displaylogo: false });
  }
}
