// One numbered stream from the server: a run's events (/ws/runs/{id}/) or a workshop's
// board (/ws/workshops/{code}/). Every message carries `seq`; after a drop the stream
// reconnects with ?after=<last seq delivered>, so nothing is missed or delivered twice.
//
// 1. A message with `seq` <= the last delivered is a duplicate: dropped.
// 2. A "snapshot" (the board's first message on every connect) is the whole state at
//    its `seq`: always delivered, and the count restarts from it.
// 3. A message without `seq` ({"error": ...}) goes to onError.
// 4. Close code 4404 (no such run or workshop) and close() end the stream for good.

const FIRST_DELAY = 500; // ms before the first retry; doubles after each failed try
const MAX_DELAY = 10_000;
const GONE = 4404;

export const runPath = (id) => `/ws/runs/${encodeURIComponent(id)}/`;
export const boardPath = (code) => `/ws/workshops/${encodeURIComponent(code)}/`;

export class EventStream {
  // state: "connecting" (first try), "open", "reconnecting" (after a drop), "closed".
  constructor(path, { onEvent, onError = () => {}, onState = () => {} }) {
    this.path = path;
    this.onEvent = onEvent;
    this.onError = onError;
    this.onState = onState;
    this.lastSeq = 0;
    this.delay = FIRST_DELAY;
    this.socket = null;
    this.timer = null;
    this.setState("connecting");
    this.connect();
  }

  url() {
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    const after = this.lastSeq > 0 ? `?after=${this.lastSeq}` : "";
    return `${scheme}://${location.host}${this.path}${after}`;
  }

  setState(state) {
    this.state = state;
    this.onState(state);
  }

  connect() {
    this.timer = null;
    const socket = new WebSocket(this.url());
    this.socket = socket;
    socket.onopen = () => {
      this.delay = FIRST_DELAY;
      this.setState("open");
    };
    socket.onmessage = (message) => this.receive(JSON.parse(message.data));
    socket.onclose = (event) => {
      if (socket !== this.socket || this.state === "closed") return; // closed on purpose
      if (event.code === GONE) {
        this.onError({ error: event.reason || "This stream is not there: the link may be wrong." });
        this.close();
        return;
      }
      this.setState("reconnecting");
      // Jitter: a server restart does not bring every browser back in the same instant.
      const wait = this.delay * (0.75 + Math.random() / 2);
      this.delay = Math.min(this.delay * 2, MAX_DELAY);
      this.timer = setTimeout(() => this.connect(), wait);
    };
  }

  receive(message) {
    if (message.seq === undefined) {
      this.onError(message);
      return;
    }
    if (message.type !== "snapshot" && message.seq <= this.lastSeq) return; // a duplicate
    this.lastSeq = message.seq;
    this.onEvent(message);
  }

  close() {
    clearTimeout(this.timer);
    this.timer = null;
    this.setState("closed");
    this.socket?.close();
  }
}
