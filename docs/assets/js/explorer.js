// Optimizer explorer (see sitegen/explorer.py). This file only DRAWS: every point of every path
// and every loss comes from the data file that gdcore.run.minimize computed at build time. There
// is no optimizer and no objective in this file, on purpose (one source of truth: gdcore).
//
// Data file: uint32 L | L bytes of JSON header (padded so 4 + L is a multiple of 8)
//            | float64 loss[R] | int16 points[sum(count)][2]   (little-endian)
// Run index r = ((optimizer * S + start) * L + lr) * M + momentum, with shape = [O, S, L, M].
(() => {
  "use strict";

  function parse(buffer) {
    const length = new DataView(buffer).getUint32(0, true);
    const header = JSON.parse(new TextDecoder().decode(new Uint8Array(buffer, 4, length)));
    const runs = header.count.length;
    const losses = new Float64Array(buffer, 4 + length, runs);
    const points = new Int16Array(buffer, 4 + length + 8 * runs);
    const offsets = new Uint32Array(runs + 1);
    for (let r = 0; r < runs; r++) offsets[r + 1] = offsets[r] + header.count[r];
    if (2 * offsets[runs] !== points.length) throw new Error("explorer: the data file is truncated");
    return { header, losses, points, offsets };
  }

  function start(root) {
    const config = JSON.parse(root.dataset.gdx);
    const $ = (selector) => root.querySelector(selector);
    const opt = $(".gdx__opt");
    const lr = $(".gdx__lr");
    const mu = $(".gdx__mu");
    const radios = [...root.querySelectorAll('.gdx__starts-field input[type="radio"]')];
    const path = $(".gdx__path");
    const end = $(".gdx__end");
    const marks = [...root.querySelectorAll(".gdx__start")];
    const loss = $(".gdx__loss");
    const setting = $(".gdx__setting");

    fetch(config.data)
      .then((response) => {
        if (!response.ok) throw new Error(`explorer: ${config.data}: HTTP ${response.status}`);
        return response.arrayBuffer();
      })
      .then((buffer) => {
        const data = parse(buffer);
        if (data.header.key !== config.key || data.header.shape.join() !== config.shape.join()) {
          throw new Error(`explorer: ${config.data} does not match this page (rebuild the site)`);
        }
        const [, S, L, M] = config.shape;
        const draw = () => {
          const o = opt.selectedIndex;
          const choice = config.optimizers[o];
          const s = Math.max(0, radios.findIndex((radio) => radio.checked));
          const l = Number(lr.value);
          const m = Number(mu.value);
          const r = ((o * S + s) * L + l) * M + m;
          const xy = data.points.subarray(2 * data.offsets[r], 2 * data.offsets[r + 1]);
          const coords = [];
          for (let k = 0; k < xy.length; k += 2) coords.push(`${xy[k]},${-xy[k + 1]}`);
          const diverged = data.header.diverged[r] > 0 || data.header.left[r] > 0;
          path.setAttribute("points", coords.join(" "));
          end.setAttribute("cx", xy[xy.length - 2]);
          end.setAttribute("cy", -xy[xy.length - 1]);
          for (const el of [path, end]) el.classList.toggle("gdx__path--diverged", diverged);
          marks.forEach((mark, i) => mark.classList.toggle("gdx__start--on", i === s));

          const lrText = choice.lrs[l];
          const muText = config.momenta[m];
          root.querySelector(".gdx__lr-value").textContent = lrText;
          lr.setAttribute("aria-valuetext", lrText);
          root.querySelector(".gdx__mu-label").textContent = choice.momentum;
          root.querySelector(".gdx__mu-value").textContent = muText;
          mu.setAttribute("aria-valuetext", `${choice.short} = ${muText}`);
          const where = radios[s].parentElement.textContent.trim();
          setting.textContent = `${choice.label}, 학습률 ${lrText}, ${choice.short} = ${muText}, 시작점 ${where}:`;
          loss.textContent = data.header.text[r];
          loss.dataset.value = String(data.losses[r]);
          loss.dataset.diverged = String(data.header.diverged[r]);
        };
        opt.addEventListener("change", draw);
        lr.addEventListener("input", draw);
        mu.addEventListener("input", draw);
        for (const radio of radios) radio.addEventListener("change", draw);
        $(".gdx__controls").hidden = false;
        root.classList.add("gdx--ready");
        draw();
      })
      .catch((error) => {
        // the static figure (default path and its loss) stays; the controls stay hidden
        root.classList.add("gdx--failed");
        console.warn(error);
      });
  }

  function init() {
    const widgets = [...document.querySelectorAll(".gdx[data-gdx]:not(.gdx--started)")];
    const go = (root) => {
      root.classList.add("gdx--started");
      start(root);
    };
    if (!("IntersectionObserver" in window)) {
      widgets.forEach(go);
      return;
    }
    // load a widget's data only when it comes near the screen: nothing competes with first paint
    const observer = new IntersectionObserver((entries) => {
      for (const entry of entries) {
        if (entry.isIntersecting) {
          observer.unobserve(entry.target);
          go(entry.target);
        }
      }
    }, { rootMargin: "300px 0px" });
    widgets.forEach((root) => observer.observe(root));
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
