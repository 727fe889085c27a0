// Optimizer explorer (see sitegen/explorer.py). This file only DRAWS: every point of every path,
// every loss and every stability limit comes from what gdcore computed at build time (the data
// file and the widget's data-gdx). There is no optimizer and no objective in this file, on purpose
// (one source of truth: gdcore).
//
// Data file: uint32 L | L bytes of JSON header (padded so 4 + L is a multiple of 8)
//            | float64 loss[R] | float32 curve[sum(count)] | int16 points[sum(count)][2]   (little-endian)
// Run index r = ((optimizer * S + start) * L + lr) * M + momentum, with shape = [O, S, L, M].
(() => {
  "use strict";

  const SVG = "http://www.w3.org/2000/svg";
  const PLAY_MS = 160; // one step of the playback

  function parse(buffer) {
    const length = new DataView(buffer).getUint32(0, true);
    const header = JSON.parse(new TextDecoder().decode(new Uint8Array(buffer, 4, length)));
    const runs = header.count.length;
    const offsets = new Uint32Array(runs + 1);
    for (let r = 0; r < runs; r++) offsets[r + 1] = offsets[r] + header.count[r];
    const total = offsets[runs];
    const losses = new Float64Array(buffer, 4 + length, runs);
    const curves = new Float32Array(buffer, 4 + length + 8 * runs, total);
    const points = new Int16Array(buffer, 4 + length + 8 * runs + 4 * total);
    if (2 * total !== points.length) throw new Error("explorer: the data file is truncated");
    return { header, losses, curves, points, offsets };
  }

  // a number as Python's format(v, ".4g") writes it (the loss at an intermediate step)
  function g4(v) {
    if (!Number.isFinite(v)) return v > 0 ? "inf" : String(v);
    if (v === 0) return "0";
    const e = Math.floor(Math.log10(Math.abs(v)));
    if (e < -4 || e >= 4) {
      const [m, x] = v.toExponential(3).split("e");
      const exp = Number(x);
      return `${m.replace(/\.?0+$/, "")}e${exp < 0 ? "-" : "+"}${String(Math.abs(exp)).padStart(2, "0")}`;
    }
    return v.toPrecision(4).replace(/(\.\d*?)0+$/, "$1").replace(/\.$/, "");
  }

  // position (0..1) of a learning rate on a log slider whose stops are lrs
  function place(lrs, value) {
    const lo = Math.log(Number(lrs[0]));
    const hi = Math.log(Number(lrs[lrs.length - 1]));
    return (Math.log(value) - lo) / (hi - lo);
  }

  function el(name, attrs, text) {
    const node = document.createElementNS(SVG, name);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function start(root) {
    const config = JSON.parse(root.dataset.gdx);
    const $ = (selector) => root.querySelector(selector);
    const opt = $(".gdx__opt");
    const lr = $(".gdx__lr");
    const mu = $(".gdx__mu");
    const k = $(".gdx__k");
    const radios = [...root.querySelectorAll('.gdx__starts-field input[type="radio"]')];
    const path = $(".gdx__path");
    const end = $(".gdx__end");
    const marks = [...root.querySelectorAll(".gdx__start")];
    const out = $(".gdx__out");
    const loss = $(".gdx__loss");
    const note = $(".gdx__note");
    const setting = $(".gdx__setting");
    const curve = $(".gdx__curve");
    const toggle = $(".gdx__toggle");
    const limit = $(".gdx__limit");
    const ticks = $(".gdx__ticks");
    let timer = null;

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
        const steps = config.steps;

        const run = () => {
          const o = Number(opt.value);
          const s = Math.max(0, radios.findIndex((radio) => radio.checked));
          const r = ((o * S + s) * L + Number(lr.value)) * M + Number(mu.value);
          return { o, s, r };
        };

        const drawScale = (choice, m) => {
          ticks.replaceChildren(...choice.lrs.map((_, i) => {
            const t = document.createElement("span");
            t.style.left = `${(100 * i) / (choice.lrs.length - 1)}%`;
            return t;
          }));
          const value = choice.limits[m];
          if (value === null) { // an adaptive method: no such limit
            limit.hidden = true;
            limit.textContent = "";
            return;
          }
          const p = place(choice.lrs, value);
          const outside = p > 1 ? "▶" : p < 0 ? "◀" : ""; // beyond the slider's last or first stop
          const formula = choice.id === "nesterov" && Number(config.momenta[m]) > 0
            ? "2(1+μ)/((1+2μ)λmax)" : Number(config.momenta[m]) > 0 ? "2(1+μ)/λmax" : "2/λmax";
          limit.hidden = false;
          limit.style.setProperty("--at", String(Math.min(1, Math.max(0, p))));
          limit.dataset.value = String(value);
          const arrow = document.createElement("span");
          arrow.className = "gdx__limit-arrow";
          arrow.setAttribute("aria-hidden", "true");
          arrow.textContent = outside || "▲";
          const words = document.createElement("span");
          words.className = "gdx__limit-text";
          words.textContent = `안정 한계 η = ${g4(value)} (${formula})${outside ? ": 눈금 밖" : ""}`;
          limit.replaceChildren(arrow, words);
        };

        const drawCurve = (r, shown, diverged) => {
          const from = data.offsets[r];
          const n = data.offsets[r + 1] - from;
          const ys = Array.from(data.curves.subarray(from, from + n), (v) => Math.log10(v));
          const finite = ys.filter((v) => Number.isFinite(v));
          let lo = Math.floor(Math.min(...finite));
          let hi = Math.ceil(Math.max(...finite));
          if (!(hi > lo)) { lo -= 1; hi += 1; }
          const [x0, x1, y0, y1] = [58, 592, 10, 100];
          const X = (i) => x0 + ((x1 - x0) * i) / steps;
          const Y = (v) => {
            const c = Number.isFinite(v) ? v : v > 0 ? hi : lo;
            return y1 - ((y1 - y0) * (Math.min(hi, Math.max(lo, c)) - lo)) / (hi - lo);
          };
          const line = (upto) => ys.slice(0, upto + 1).map((v, i) => `${X(i).toFixed(1)},${Y(v).toFixed(1)}`).join(" ");
          const power = (p, x, y, anchor) => {
            const text = el("text", { x, y, "text-anchor": anchor, class: "gdx__curve-text" }, "10");
            text.append(el("tspan", { dy: "-6", "font-size": "11" }, String(p).replace("-", "−")));
            return text;
          };
          curve.replaceChildren(
            el("path", { d: `M${x0},${y0}V${y1}H${x1}`, class: "gdx__curve-axis" }),
            power(hi, x0 - 6, y0 + 12, "end"),
            power(lo, x0 - 6, y1, "end"),
            el("text", { x: x0, y: 124, "text-anchor": "middle", class: "gdx__curve-text" }, "0"),
            el("text", { x: x1, y: 124, "text-anchor": "end", class: "gdx__curve-text" }, String(steps)),
            el("text", { x: (x0 + x1) / 2, y: 124, "text-anchor": "middle", class: "gdx__curve-text" }, "걸음 →"),
            el("polyline", { points: line(n - 1), class: "gdx__curve-all" }),
            el("polyline", { points: line(shown), class: `gdx__curve-line${diverged ? " gdx__path--diverged" : ""}` }),
            el("circle", { cx: X(shown), cy: Y(ys[shown]), r: 5, class: `gdx__curve-dot${diverged ? " gdx__path--diverged" : ""}` }),
          );
          curve.setAttribute("aria-label",
            `걸음마다의 손실 그래프(로그 눈금, 10^${lo}에서 10^${hi}까지): ${shown}번째 걸음까지 표시`);
        };

        const draw = () => {
          const { o, s, r } = run();
          const choice = config.optimizers[o];
          const count = data.header.count[r];
          const last = count - 1; // the last stored point (earlier than `steps` if the run blew up)
          const shown = Math.min(Number(k.value), last);
          const xy = data.points.subarray(2 * data.offsets[r], 2 * (data.offsets[r] + shown + 1));
          const coords = [];
          for (let i = 0; i < xy.length; i += 2) coords.push(`${xy[i]},${-xy[i + 1]}`);
          const diverged = data.header.diverged[r] > 0 || data.header.left[r] > 0;
          path.setAttribute("points", coords.join(" "));
          end.setAttribute("cx", xy[xy.length - 2]);
          end.setAttribute("cy", -xy[xy.length - 1]);
          for (const node of [path, end]) node.classList.toggle("gdx__path--diverged", diverged);
          marks.forEach((mark, i) => mark.classList.toggle("gdx__start--on", i === s));

          const m = Number(mu.value);
          const lrText = choice.lrs[Number(lr.value)];
          const muText = config.momenta[m];
          root.querySelector(".gdx__lr-value").textContent = lrText;
          lr.setAttribute("aria-valuetext", lrText);
          root.querySelector(".gdx__mu-label").textContent = choice.momentum;
          root.querySelector(".gdx__mu-value").textContent = choice.hasMomentum ? ` = ${muText}` : "";
          mu.setAttribute("aria-valuetext", `${choice.short} = ${muText}`);
          root.querySelector(".gdx__k-value").textContent = String(Number(k.value));
          k.setAttribute("aria-valuetext", `${Number(k.value)}번째 걸음`);
          const where = radios[s].parentElement.textContent.trim();
          const withMomentum = config.momenta.length > 1 && choice.hasMomentum ? `, ${choice.short} = ${muText}` : "";
          mu.disabled = !choice.hasMomentum;
          setting.textContent = `${choice.label}, η = ${lrText}${withMomentum}, 시작점 ${where}:`;
          if (Number(k.value) >= steps || (diverged && Number(k.value) >= last)) {
            loss.textContent = data.header.text[r]; // gdcore's words and number, formatted at build time
          } else {
            loss.textContent = `${shown}번째 걸음의 손실 f = ${g4(data.curves[data.offsets[r] + shown])}`;
          }
          loss.dataset.value = String(data.losses[r]);
          loss.dataset.diverged = String(data.header.diverged[r]);
          drawScale(choice, m);
          drawCurve(r, shown, diverged);
        };

        const stop = () => {
          if (timer !== null) clearInterval(timer);
          timer = null;
          toggle.textContent = "▶ 재생";
          toggle.setAttribute("aria-pressed", "false");
          out.setAttribute("aria-live", "polite");
        };
        const play = () => {
          if (Number(k.value) >= steps) k.value = "0";
          toggle.textContent = "⏸ 멈춤";
          toggle.setAttribute("aria-pressed", "true");
          out.setAttribute("aria-live", "off"); // no announcement per frame; the end is announced
          draw();
          timer = setInterval(() => {
            k.value = String(Number(k.value) + 1);
            if (Number(k.value) >= steps) {
              stop();
            }
            draw();
          }, PLAY_MS);
        };
        const edit = () => {
          note.textContent = "";
          draw();
        };

        opt.addEventListener("change", () => {
          // keep the learning rate, not the slider position: the same η if the new optimizer's
          // grid has it, else the nearest one, said aloud
          const before = Number(opt.dataset.current ?? opt.value);
          const old = config.optimizers[before].lrs[Number(lr.value)];
          const lrs = config.optimizers[Number(opt.value)].lrs;
          let best = 0;
          lrs.forEach((v, i) => {
            if (Math.abs(Math.log(v / old)) < Math.abs(Math.log(lrs[best] / old))) best = i;
          });
          lr.max = String(lrs.length - 1);
          lr.value = String(best);
          opt.dataset.current = opt.value;
          draw();
          note.textContent = lrs[best] === old ? "" :
            ` (${config.optimizers[Number(opt.value)].label} 격자에 없는 η = ${old} 대신 가장 가까운 ${lrs[best]})`;
        });
        opt.dataset.current = opt.value;
        lr.addEventListener("input", edit);
        mu.addEventListener("input", edit);
        k.addEventListener("input", () => { stop(); edit(); });
        for (const radio of radios) radio.addEventListener("change", edit);
        root.querySelectorAll(".gdx__start-target").forEach((target) => {
          target.addEventListener("click", () => {
            const radio = radios[Number(target.dataset.start)];
            radio.checked = true;
            radio.dispatchEvent(new Event("change"));
          });
        });
        toggle.addEventListener("click", () => (timer === null ? play() : stop()));
        $(".gdx__stepper").addEventListener("click", () => {
          stop();
          k.value = String(Number(k.value) >= steps ? 0 : Number(k.value) + 1);
          edit();
        });
        $(".gdx__reset").addEventListener("click", () => {
          stop();
          const [o, s, l, m] = config.defaults;
          opt.value = String(o);
          opt.dataset.current = opt.value;
          lr.max = String(config.optimizers[o].lrs.length - 1);
          lr.value = String(l);
          mu.value = String(m);
          radios[s].checked = true;
          k.value = String(steps);
          edit();
        });
        $(".gdx__controls").hidden = false;
        curve.removeAttribute("hidden"); // an SVG element has no `hidden` property
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
