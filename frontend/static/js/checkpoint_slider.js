// Back in training time: a slider over the weight snapshots a run keeps
// (GET /api/runs/{id}/checkpoints). It chooses the `step` of every look; it follows the
// newest snapshot until a person moves it back.
import { api } from "./api.js";

const $ = (id) => document.getElementById(id);

export class CheckpointSlider {
  // onMove(step): called when a person chooses another snapshot.
  constructor(run, onMove) {
    this.run = run;
    this.steps = [];
    this.following = true;
    $("ask-step").addEventListener("input", () => {
      this.following = Number($("ask-step").value) === this.steps.length - 1;
      this.label();
      onMove(this.step());
    });
  }

  step() {
    return this.steps[Number($("ask-step").value)];
  }

  // Ask the server which steps are kept now; answers the list (empty: none yet).
  async refresh() {
    const { steps } = await api(`/api/runs/${this.run.id}/checkpoints`);
    const chosen = this.step();
    this.steps = steps;
    const slider = $("ask-step");
    slider.max = Math.max(0, steps.length - 1);
    // A snapshot a person chose stays chosen while it is kept (thinning may drop it).
    const kept = steps.indexOf(chosen);
    slider.value = this.following || kept < 0 ? steps.length - 1 : kept;
    slider.disabled = steps.length < 2;
    this.label();
    return steps;
  }

  label() {
    const step = this.step();
    if (step === undefined) return;
    const at = Number($("ask-step").value) + 1;
    $("ask-step-label").textContent = `step ${step} of ${this.run.progress.total_steps} ` +
      `(snapshot ${at} of ${this.steps.length})`;
  }
}
