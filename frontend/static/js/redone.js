// Steps trained again. A run resumed from a checkpoint (its worker was lost or shut down)
// reports the steps after the checkpoint once more: the points of the new try replace the
// old try's from that step on, so each chart stays one continuous curve.
import { withPlotly } from "./plotly_loader.js";

// The kept points with the arriving ones, which replace any kept at or after their first step.
export function continued(kept, arriving) {
  if (!arriving.length) return kept;
  const cut = kept.findIndex((p) => p.step >= arriving[0].step);
  return cut === -1 ? kept.concat(arriving) : kept.slice(0, cut).concat(arriving);
}

// Cut every trace of a Plotly chart back to its points before `step` (each trace's x is
// ascending, so those are a prefix). It waits its turn behind the chart's earlier drawing.
export function cutFrom(chartId, step) {
  withPlotly((Plotly) => {
    const chart = document.getElementById(chartId);
    if (!chart?.data) return;
    const kept = chart.data.map((trace) => Array.from(trace.x).filter((x) => x < step).length);
    Plotly.restyle(chart, {
      x: chart.data.map((trace, i) => Array.from(trace.x).slice(0, kept[i])),
      y: chart.data.map((trace, i) => Array.from(trace.y).slice(0, kept[i])),
    });
  });
}
