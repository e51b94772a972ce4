// The little light that says whether a page's stream is live: grey while connecting,
// green when open, amber while it reconnects after a drop.

const TITLES = {
  connecting: "Connecting…",
  open: "Live connection",
  reconnecting: "Connection lost: reconnecting…",
  closed: "Not connected",
};

export function showConnection(light, state) {
  if (!light) return;
  light.dataset.state = state;
  light.classList.toggle("live", state === "open");
  light.classList.toggle("reconnecting", state === "reconnecting");
  light.title = TITLES[state] ?? state;
}
