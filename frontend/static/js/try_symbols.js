// The symbols of a copy or reverse model as a person types them: symbol i is
// SYMBOL_CHARACTERS[i] (0-9, a-z, A-Z), or "s<i>" separated by spaces where a task has
// more symbols than that. The same rule as the server's (sequences/predict_synthetic.py).

export const SYMBOL_CHARACTERS = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

export function alphabet(symbols) {
  return symbols <= SYMBOL_CHARACTERS.length
    ? `${SYMBOL_CHARACTERS[0]} to ${SYMBOL_CHARACTERS[symbols - 1]}`
    : `s0 to s${symbols - 1}, separated by spaces`;
}

// The typed pieces, each with whether the model knows it.
export function typedSymbols(text, symbols) {
  const known = new Set([
    ...SYMBOL_CHARACTERS.slice(0, Math.min(symbols, SYMBOL_CHARACTERS.length)),
    ...Array.from({ length: symbols }, (_, i) => `s${i}`),
  ]);
  const trimmed = text.trim();
  const pieces = /\s/.test(trimmed) ? trimmed.split(/\s+/) : [...trimmed];
  return pieces.map((piece) => ({ text: piece, known: known.has(piece) }));
}
