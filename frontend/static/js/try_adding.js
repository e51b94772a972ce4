// Try it for the adding problem: the sequence the model reads, as a row of numbers with
// two marked. Type into a marked box to change its number; drag a mark onto another number
// to move it there (or Alt+Left / Alt+Right on a marked box).

export class AddingSequence {
  // onChange: called when a person types a number or moves a mark.
  constructor(list, length, onChange = () => {}) {
    this.list = list;
    this.length = length;
    this.onChange = onChange;
    this.shuffle();
  }

  // Fresh numbers in [0, 1), one mark in each half: what the model trained on.
  shuffle() {
    const half = Math.floor(this.length / 2);
    this.values = Array.from({ length: this.length }, () => Math.round(Math.random() * 100) / 100);
    this.marked = [Math.floor(Math.random() * half), half + Math.floor(Math.random() * (this.length - half))];
    this.render();
  }

  rows() {
    return this.values.map((value, step) => [value, this.marked.includes(step) ? 1 : 0]);
  }

  sum() {
    return this.marked.reduce((total, step) => total + this.values[step], 0);
  }

  // Move mark `which` (0 or 1) to `step`, unless the other mark is there already.
  move(which, step) {
    if (step < 0 || step >= this.length || this.marked.includes(step)) return false;
    this.marked[which] = step;
    this.marked.sort((a, b) => a - b);
    this.render();
    this.onChange();
    return true;
  }

  render() {
    this.list.replaceChildren(...this.values.map((value, step) => this.item(value, step)));
  }

  item(value, step) {
    const item = document.createElement("li");
    item.dataset.step = step;
    item.addEventListener("dragover", (event) => { event.preventDefault(); item.classList.add("drop-target"); });
    item.addEventListener("dragleave", () => item.classList.remove("drop-target"));
    item.addEventListener("drop", (event) => {
      event.preventDefault();
      const from = Number(event.dataTransfer.getData("text/plain"));
      this.move(this.marked.indexOf(from), step);
    });
    if (!this.marked.includes(step)) {
      item.textContent = value.toFixed(2);
      item.title = `step ${step + 1}`;
      return item;
    }
    item.className = "marked";
    item.draggable = true;
    item.addEventListener("dragstart", (event) => event.dataTransfer.setData("text/plain", String(step)));
    const input = Object.assign(document.createElement("input"), {
      type: "number", min: 0, max: 1, step: 0.01, value: String(value), className: "try-value",
    });
    input.setAttribute("aria-label", `marked number at step ${step + 1} of ${this.length}`);
    input.addEventListener("input", () => { this.values[step] = input.valueAsNumber; this.onChange(); });
    input.addEventListener("keydown", (event) => {
      if (!event.altKey || !["ArrowLeft", "ArrowRight"].includes(event.key)) return;
      event.preventDefault();
      const direction = event.key === "ArrowLeft" ? -1 : 1;
      let to = step + direction;
      while (this.marked.includes(to)) to += direction;
      if (this.move(this.marked.indexOf(step), to)) this.list.querySelector(`li[data-step="${to}"] input`).focus();
    });
    item.append(input);
    return item;
  }
}
