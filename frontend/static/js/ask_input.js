// The input a person edits in "Ask the model why", in the form POST /api/runs/{id}/look
// reads it: [value, marker] rows for adding, a string of symbols for copy and reverse, a
// sentence for text, numbers for a series. It starts as the run's probe sequence; until it
// is edited, no input is sent and the server looks at that sequence itself.
import { AddingSequence } from "./try_adding.js";
import { SYMBOL_CHARACTERS } from "./try_symbols.js";

const $ = (id) => document.getElementById(id);

export class AskInput {
  // kind: "add", "sequence", "text", "series" or null (nothing to edit); onEdit: called on
  // every change a person makes.
  constructor(kind, tryOptions, onEdit) {
    this.kind = kind;
    this.options = tryOptions;
    this.edited = false;
    const edit = () => { this.edited = true; onEdit(); };
    if (kind === "add") {
      this.adding = new AddingSequence($("ask-sequence"), tryOptions.length, edit);
    } else if (kind) {
      $("ask-input").addEventListener("input", edit);
    }
  }

  // Show the probe sequence (its inputs as the probe labels them) as the starting point.
  startFrom(probe) {
    this.edited = false;
    const inputs = probe.inputs || [];
    // Only a whole sequence can be edited (a long one's probe keeps some steps only).
    const whole = probe.time?.every((t, i) => t === i);
    if (this.kind === "add" && whole && inputs.length === this.options.length) {
      this.adding.values = inputs.map((row) => row[0]);
      this.adding.marked = inputs.flatMap((row, step) => (row[1] === 1 ? [step] : []));
      this.adding.render();
    } else if (this.kind === "sequence" && whole) {
      $("ask-input").value = inputs.map((token) => this.typed(token)).join(this.options.symbols > SYMBOL_CHARACTERS.length ? " " : "");
    } else if (this.kind === "text" && whole) {
      // Characters of a character-level model join up; words take spaces.
      const characters = inputs.every((token) => String(token).length === 1);
      $("ask-input").value = inputs.join(characters ? "" : " ");
    } else if (this.kind === "series") {
      $("ask-input").value = "";
    }
  }

  // A symbol token ("s3") as a person types it ("3").
  typed(token) {
    const symbol = /^s(\d+)$/.exec(String(token));
    if (!symbol || this.options.symbols > SYMBOL_CHARACTERS.length) return String(token);
    return SYMBOL_CHARACTERS[Number(symbol[1])] ?? String(token);
  }

  // The `input` of the request; undefined: the probe sequence. Throws an Error with a
  // sentence for what cannot be sent.
  value() {
    if (!this.kind || !this.edited) return undefined;
    if (this.kind === "add") return this.adding.rows();
    const text = $("ask-input").value;
    if (this.kind !== "series") return text;
    const pieces = text.split(/[\s,;]+/).filter(Boolean);
    const wrong = pieces.find((piece) => !Number.isFinite(Number(piece)));
    if (wrong !== undefined) throw new Error(`Numbers: "${wrong}" is not a number.`);
    if (!pieces.length) throw new Error("Numbers: type at least one number.");
    return pieces.map(Number);
  }
}
