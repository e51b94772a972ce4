// A run's event stream: replays the stored events, then live ones; reconnects after
// a drop and resumes after the last seq it saw, so nothing is missed or applied twice.

const FINISHED = new Set(["completed", "failed", "cancelled", "diverged"]);

export class RunStream {
  constructor(wsPath, { onEvent, onConnection }) {
    this.wsPath = wsPath;
    this.onEvent = onEvent;
    this.onConnection = onConnection || (() => {});
    this.lastSeq = 0;
    this.finished = false;
    this.retryDelay = 500;
  }

  connect() {
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    const socket = new WebSocket(`${scheme}://${location.host}${this.wsPath}?after=${this.lastSeq}`);
    socket.onopen = () => { this.retryDelay = 500; this.onConnection(true); };
    socket.onmessage = (message) => {
      const event = JSON.parse(message.data);
      if (event.seq === undefined || event.seq <= this.lastSeq) return; // a duplicate
      this.lastSeq = event.seq;
      if (event.type === "status" && FINISHED.has(event.status)) this.finished = true;
      this.onEvent(event);
    };
    socket.onclose = () => {
      this.onConnection(false);
      setTimeout(() => this.connect(), this.retryDelay);
      this.retryDelay = Math.min(this.retryDelay * 2, 10000);
    };
    this.socket = socket;
  }
}
