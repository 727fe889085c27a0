// Click-to-load YouTube: nothing is requested from another host until the reader asks for it.
document.addEventListener("click", (event) => {
  const button = event.target.closest(".yt-embed__play");
  if (!button) return;
  const box = button.closest(".yt-embed");
  const id = box.dataset.youtubeId;
  const iframe = document.createElement("iframe");
  iframe.src = `https://www.youtube-nocookie.com/embed/${id}?autoplay=1`;
  iframe.title = button.querySelector(".yt-embed__title").textContent;
  iframe.allow = "accelerometer; autoplay; clipboard-write; encrypted-media; gyroscope; picture-in-picture";
  iframe.allowFullscreen = true;
  iframe.referrerPolicy = "strict-origin-when-cross-origin";
  box.replaceChildren(iframe);
  box.classList.add("yt-embed--playing");
  iframe.focus(); // the button is gone: keyboard focus goes into the player, not to the top of the page
});

// Numeric exercises (sitegen/markers.py, answer_form): the answer and its tolerance were computed by
// gdcore when the site was built (data-answer, data-tol); this only compares, when a form is sent.
// Nothing runs at page load: one listener for the whole page.  Without JavaScript site.css hides
// the forms (html.no-js), and each exercise is its question, its hint and its folded solution.
// A number may be typed with a point or a comma, in scientific notation (1e-3), with a Unicode minus.
// The verdict goes to the form's live region; after a wrong answer the hint that follows opens, and
// its text (data-hint: the build reads its formulas as text) is announced.
const parseAnswer = (text) => {
  let t = text.trim().replace(/\s+/g, "").replace(/[\u2212\u2013]/g, "-").replace(/[×x]10\^/i, "e");
  if (/^[-+]?\d+,\d+(e[-+]?\d+)?$/i.test(t)) t = t.replace(",", ".");  // 0,95 -> 0.95
  if (!/^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(t)) return NaN;
  return Number(t);
};
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (!form.matches("form.gd-answer")) return;
  event.preventDefault();
  const input = form.querySelector("input");
  const result = form.querySelector(".gd-answer__result");
  const answer = Number(form.dataset.answer);
  const tol = Number(form.dataset.tol);
  const show = (value) => Number(value.toPrecision(6)).toString();
  const value = parseAnswer(input.value);
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
    return;
  }
  form.classList.add("gd-answer--wrong");
  let text = `틀렸습니다(입력 ${show(value)}).`;
  const hint = form.nextElementSibling;
  if (hint && hint.matches("details.tip")) {
    hint.open = true;
    text += ` 힌트: ${form.dataset.hint || hint.textContent.replace(/\s+/g, " ").trim()}`;
  }
  result.textContent = text;
});
