// The numeric exercises' answer forms (sitegen/markers.py, answer_form): shown only with JavaScript.
//
// The answer and its tolerance were computed by gdcore when the site was built (data-answer,
// data-tol); this script only compares.  A number may be typed with a point or a comma as the
// decimal sign, in scientific notation (1e-3) and with a Unicode minus.  The verdict goes to the
// form's live region (role="status"); after a wrong answer the hint that follows the form opens.
(() => {
  const parse = (text) => {
    let t = text.trim().replace(/\s+/g, "").replace(/[\u2212\u2013]/g, "-").replace(/[×x]10\^/i, "e");
    if (/^[-+]?\d+,\d+(e[-+]?\d+)?$/i.test(t)) t = t.replace(",", ".");  // 0,95 -> 0.95
    if (!/^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(t)) return NaN;
    return Number(t);
  };
  const show = (value) => Number(value.toPrecision(6)).toString();
  // the hint's text when the build did not give it (data-hint, sitegen/markers.py with_hints):
  // a formula once, by its MathML (not its TeX or its glyphs)
  const readable = (hint) => {
    const copy = hint.cloneNode(true);
    copy.querySelectorAll("summary, .katex-html, annotation").forEach((e) => e.remove());
    return copy.textContent.replace(/\s+/g, " ").trim();
  };

  for (const form of document.querySelectorAll("form.gd-answer")) {
    const input = form.querySelector("input");
    const result = form.querySelector(".gd-answer__result");
    const answer = Number(form.dataset.answer);
    const tol = Number(form.dataset.tol);
    let hint = form.nextElementSibling;
    while (hint && !(hint.tagName === "DETAILS" && hint.classList.contains("tip"))) {
      hint = hint.tagName === "DETAILS" ? hint.nextElementSibling : null;
    }
    form.hidden = false;
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const value = parse(input.value);
      form.classList.remove("gd-answer--right", "gd-answer--wrong");
      if (Number.isNaN(value)) {
        result.textContent = "숫자로 읽을 수 없습니다. 0.95, 0,95, 1e-3처럼 써 주세요.";
        input.setAttribute("aria-invalid", "true");
        return;
      }
      input.removeAttribute("aria-invalid");
      if (Math.abs(value - answer) <= tol) {
        form.classList.add("gd-answer--right");
        result.textContent = `맞았습니다. 정답은 ${show(answer)}입니다(허용 오차 ±${show(tol)}).`;
      } else {
        form.classList.add("gd-answer--wrong");
        let text = `틀렸습니다(입력 ${show(value)}).`;
        if (hint) {
          hint.open = true;
          text += ` 힌트: ${form.dataset.hint || readable(hint)}`;
        }
        result.textContent = text;
      }
    });
  }
})();
