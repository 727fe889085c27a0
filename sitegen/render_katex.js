// Long-lived KaTeX renderer for the MkDocs build (driven by sitegen/katex.py).
// Reads one JSON request per line: {"tex": "...", "display": true|false}
// Writes one JSON answer per line: {"html": "..."} or {"error": "..."}.
"use strict";
const katex = require("katex");
const readline = require("readline");

const rl = readline.createInterface({ input: process.stdin, terminal: false });
rl.on("line", (line) => {
  let answer;
  try {
    const { tex, display } = JSON.parse(line);
    answer = {
      html: katex.renderToString(tex, {
        displayMode: Boolean(display),
        throwOnError: true,
        strict: "error",
        trust: false,
        output: "htmlAndMathml",
      }),
    };
  } catch (err) {
    answer = { error: String(err && err.message ? err.message : err) };
  }
  process.stdout.write(JSON.stringify(answer) + "\n");
});
