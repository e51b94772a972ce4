// Plotly (about 4.8 MB) arrives after the page has painted: every page is readable and
// usable at once, and its charts are drawn once Plotly is there.
//
// `withPlotly(draw)` calls draw(Plotly) now if Plotly is loaded, otherwise once it is, in
// the order the calls were made (a chart is created before points are added to it).
// `loadPlotly()` is the same wait as a promise. The script's address is the page's
// <meta name="plotly-src"> (base.html), so it follows STATIC_URL.

let queued = [];
let requested = null;

function request() {
  if (requested) return requested;
  requested = new Promise((resolve, reject) => {
    const script = document.createElement("script");
    script.src = document.querySelector('meta[name="plotly-src"]').content;
    script.async = true;
    script.onload = () => resolve(window.Plotly);
    script.onerror = () => reject(new Error("The charts could not be loaded: reload the page to try again."));
    // After the first paint: the browser draws the page before it parses megabytes of script.
    // (A tab opened in the background gets no animation frames: the timer starts it anyway.)
    const start = () => { if (!script.isConnected) document.head.append(script); };
    requestAnimationFrame(() => setTimeout(start, 0));
    setTimeout(start, 1000);
  });
  requested.then(() => {
    document.documentElement.dataset.plotly = "loaded"; // charts.css stops saying "loading"
    // Run what waited, in order; from now on every draw runs at once.
    const waiting = queued;
    queued = null;
    for (const draw of waiting) draw(window.Plotly);
  }, () => {
    document.documentElement.dataset.plotly = "failed";
  });
  return requested;
}

export function loadPlotly() {
  return request();
}

export function withPlotly(draw) {
  if (queued === null) return Promise.resolve(draw(window.Plotly));
  request();
  return new Promise((resolve) => queued.push((Plotly) => resolve(draw(Plotly))));
}

// Pages start the download as soon as they load, chart or no chart yet.
request();

// What every chart shares. On a phone the mode bar would sit over the legend, so it is
// left out there; elsewhere it shows on hover, out of the tab order (keyboard users reach
// the page's own controls without passing its buttons on every chart).
const NARROW = "(max-width: 700px)";
function withDefaults(config) {
  return { responsive: true, displaylogo: false, ...(matchMedia(NARROW).matches ? { displayModeBar: false } : {}), ...config };
}

// Plotly builds its mode bar again after some updates (a resize, a relayout): every new
// button is taken out of the tab order as it appears.
const MODE_BAR_BUTTONS = ".modebar-btn, .modebar a, .modebar button";
new MutationObserver((changes) => {
  for (const change of changes) {
    for (const node of change.addedNodes) {
      if (!(node instanceof Element)) continue;
      if (node.matches(MODE_BAR_BUTTONS)) node.tabIndex = -1;
      for (const button of node.querySelectorAll(MODE_BAR_BUTTONS)) button.tabIndex = -1;
    }
  }
}).observe(document.documentElement, { childList: true, subtree: true });

// Plotly's drawing calls, each waiting for Plotly: `plotly.react(...)` where a page once
// called `Plotly.react(...)`.
const drawing = (name, configAt) => (chart, ...args) => withPlotly((Plotly) => {
  if (configAt !== undefined) args[configAt] = withDefaults(args[configAt]);
  return Plotly[name](chart, ...args);
});
export const plotly = {
  newPlot: drawing("newPlot", 2),
  react: drawing("react", 2),
  extendTraces: drawing("extendTraces"),
  restyle: drawing("restyle"),
  relayout: drawing("relayout"),
  purge: drawing("purge"),
};
