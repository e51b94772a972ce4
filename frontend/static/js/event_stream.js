// One numbered stream from the server: a run's events (/ws/runs/{id}/) or a workshop's
// board (/ws/workshops/{code}/). Every message carries `seq`; after a drop the stream
// reconnects with ?after=<last seq delivered>, so nothing is missed or delivered twice.
//
// 1. A message with `seq` <= the last delivered is a duplicate: dropped.
// 2. A "snapshot" (the board's first message on every connect) is the whole state at
//    its `seq`: always delivered, and the count restarts from it.
// 3. A message without `seq` ({"error": ...}) goes to onError.
// 4. Close code 4404 (no such run or workshop) and close() end the stream for good.
// 5. After a quiet spell (QUIET ms without a message) on an open stream whose last word has
//    not come (`ends`), it asks again ({"after": lastSeq}): a server that lost its notices
//    answers from its store. After DEAD_AFTER quiet spells in a row the socket is taken for
//    dead (a connection can die without a close), and the stream reconnects.

const FIRST_DELAY = 500; // ms before the first retry; doubles after each failed try
const MAX_DELAY = 10_000;
const GONE = 4404;
const QUIET = 15_000;
const DEAD_AFTER = 4;

export const runPath = (id) => `/ws/runs/${encodeURIComponent(id)}/`;
export const boardPath = (code) => `/ws/workshops/${encodeURIComponent(code)}/`;

export class EventStream {
  // state: "connecting" (first try), "open", "reconnecting" (after a drop), "closed".
  // ends(message): whether a message is the stream's last word (a run's final status);
  // a stream that never ends (a board) keeps asking while it is quiet.
  constructor(path, { onEvent, onError = () => {}, onState = () => {}, ends = () => false }) {
    this.path = path;
    this.onEvent = onEvent;
    this.onError = onError;
    this.onState = onState;
    this.ends = ends;
    this.ended = false;
    this.lastSeq = 0;
    this.delay = FIRST_DELAY;
    this.socket = null;
    this.timer = null;
    this.quietTimer = null;
    this.quietSpells = 0;
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
      this.heard();
    };
    socket.onmessage = (message) => {
      this.heard();
      this.receive(JSON.parse(message.data));
    };
    socket.onclose = (event) => {
      if (socket !== this.socket || this.state === "closed") return; // closed on purpose
      if (event.code === GONE) {
        this.onError({ error: event.reason || "This stream is not there: the link may be wrong." });
        this.close();
        return;
      }
      this.retry();
    };
  }

  retry() {
    clearTimeout(this.quietTimer);
    this.setState("reconnecting");
    // Jitter: a server restart does not bring every browser back in the same instant.
    const wait = this.delay * (0.75 + Math.random() / 2);
    this.delay = Math.min(this.delay * 2, MAX_DELAY);
    this.timer = setTimeout(() => this.connect(), wait);
  }

  // Something came: the next quiet spell starts now.
  heard() {
    this.quietSpells = 0;
    clearTimeout(this.quietTimer);
    this.quietTimer = this.ended ? null : setTimeout(() => this.quiet(), QUIET);
  }

  quiet() {
    this.quietSpells += 1;
    if (this.quietSpells >= DEAD_AFTER) {
      // No answer for so long: the connection may be dead without having closed.
      const dead = this.socket;
      this.socket = null;
      dead.close();
      this.retry();
      return;
    }
    this.socket.send(JSON.stringify({ after: this.lastSeq }));
    this.quietTimer = setTimeout(() => this.quiet(), QUIET);
  }

  receive(message) {
    if (message.seq === undefined) {
      this.onError(message);
      return;
    }
    if (message.type !== "snapshot" && message.seq <= this.lastSeq) return; // a duplicate
    this.lastSeq = message.seq;
    if (this.ends(message)) {
      this.ended = true;
      clearTimeout(this.quietTimer);
    }
    this.onEvent(message);
  }

  close() {
    clearTimeout(this.timer);
    clearTimeout(this.quietTimer);
    this.timer = null;
    this.setState("closed");
    this.socket?.close();
  }
}
