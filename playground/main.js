// The playground page: wires the controls to a Race of the library's optimizers and animates
// it. window.playground exposes the race's data (used by test/e2e/playground.test.ts).
import * as lib from 'wasm-optim';
import { benchmark, N, timerResolution } from './bench.js';
import { drawChart, drawLrChart } from './chart.js';
import { drawSurface } from './contour.js';
import { availableMethods, METHODS } from './methods.js';
import { BUDGET, Race } from './race.js';
import { SCHEDULES, scheduleById } from './schedules.js';
import { SURFACES, surfaceById } from './surfaces.js';
import { makeView, setupCanvas } from './view.js';

const STEPS_PER_FRAME = 5;
const PLOT = { width: 720, height: 480 };
const CHART = { width: 440, height: 250 };
const LR_CHART = { width: 440, height: 130 };

const $ = (id) => /** @type {HTMLElement} */ (document.getElementById(id));
const input = (id) => /** @type {HTMLInputElement} */ ($(id));
const methods = availableMethods(lib);
const plotCanvas = /** @type {HTMLCanvasElement} */ ($('surface'));
const plot = setupCanvas(plotCanvas, PLOT.width, PLOT.height);
const chart = setupCanvas(/** @type {HTMLCanvasElement} */ ($('chart')), CHART.width, CHART.height);
const lrChart = setupCanvas(/** @type {HTMLCanvasElement} */ ($('lr-chart')), LR_CHART.width, LR_CHART.height);
const scheduleSelect = /** @type {HTMLSelectElement} */ ($('schedule'));

const state = {
  surface: SURFACES[0],
  view: makeView(SURFACES[0], PLOT.width, PLOT.height),
  start: SURFACES[0].start,
  /** @type {Race} */ race: /** @type {any} */ (null),
  frame: 0,
  /** @type {object[] | null} */ bench: null,
};

/** A log-scale slider's value, rounded to 3 significant digits (10^-1 is exactly 0.1). */
const logSlider = (id) => Number((10 ** Number(input(id).value)).toPrecision(3));

function settings() {
  return {
    lr: logSlider('lr'),
    eps: logSlider('eps'),
    alpha: Number(input('alpha').value),
    momentum: Number(input('momentum').value),
  };
}

function config() {
  const flavor = /** @type {HTMLInputElement} */ (document.querySelector('input[name=flavor]:checked')).value;
  return {
    flavor: /** @type {'torch' | 'tfjs'} */ (flavor),
    backend: /** @type {HTMLSelectElement} */ ($('backend')).value,
  };
}

function restart(start = state.start) {
  state.start = start;
  const schedule = scheduleById(scheduleSelect.value);
  state.race = new Race(lib, methods, state.surface, start, settings(), config(), schedule);
  cancelAnimationFrame(state.frame);
  state.frame = requestAnimationFrame(tick);
  updateBadge();
}

function tick() {
  for (let k = 0; k < STEPS_PER_FRAME && !state.race.done; k++) state.race.step();
  draw();
  if (!state.race.done) state.frame = requestAnimationFrame(tick);
}

function draw() {
  drawSurface(plot, state.view, state.surface, state.race);
  drawChart(chart, CHART.width, CHART.height, state.race, BUDGET);
  drawLrChart(lrChart, LR_CHART.width, LR_CHART.height, state.race, BUDGET);
  renderLegend();
}

const fmt = (v) =>
  Number.isFinite(v)
    ? Math.abs(v) >= 1e4 || (Math.abs(v) < 1e-3 && v !== 0)
      ? v.toExponential(2)
      : v.toFixed(4)
    : String(v);

function renderLegend() {
  const { surface, race } = state;
  $('iteration').textContent = `iteration ${race.iteration} / ${BUDGET}`;
  $('legend-body').replaceChildren(
    ...race.runners.map((r) => {
      const row = document.createElement('tr');
      const [x, y] = r.path.at(-1);
      const distance = surface.minimum ? Math.hypot(x - surface.minimum[0], y - surface.minimum[1]) : NaN;
      const cells = [
        r.method.label,
        r.backend ?? '—',
        r.status === 'unavailable' ? '—' : fmt(surface.f(x, y)),
        surface.minimum && r.status !== 'unavailable' ? fmt(distance) : '—',
        r.error ?? r.status,
      ];
      const swatch = row.appendChild(document.createElement('td')).appendChild(document.createElement('span'));
      swatch.className = 'swatch';
      swatch.style.background = r.method.color; // CSSOM, not a style attribute: the page's CSP allows it
      for (const text of cells) row.append(Object.assign(document.createElement('td'), { textContent: text }));
      row.title = r.error ?? '';
      return row;
    }),
  );
}

function updateBadge() {
  const used = [...new Set(state.race.runners.map((r) => r.backend).filter(Boolean))];
  const badge = $('backend-badge');
  badge.textContent = `backend: ${used.join(' / ') || 'none'}`;
  badge.dataset['backend'] = used[0] ?? 'none';
  badge.title = `this browser offers: ${lib.availableBackends().join(', ')}; 'auto' picks ${lib.detectBackend()}`;
}

function selectSurface(id) {
  state.surface = surfaceById(id);
  state.view = makeView(state.surface, PLOT.width, PLOT.height);
  for (const button of $('surfaces').querySelectorAll('button')) {
    button.setAttribute('aria-pressed', String(button.dataset['surface'] === id));
  }
  $('formula').textContent = state.surface.formula;
  restart(state.surface.start);
}

function showSliders() {
  const s = settings();
  for (const key of /** @type {const} */ (['lr', 'eps', 'alpha', 'momentum']))
    $(`${key}-out`).textContent = String(s[key]);
}

async function runBenchmark() {
  const button = /** @type {HTMLButtonElement} */ ($('bench'));
  button.disabled = true;
  $('bench-note').textContent = 'running…';
  const show = (rows) => {
    const js = Object.fromEntries(rows.filter((r) => r.backend === 'js').map((r) => [r.algorithm, r.nsPerElement]));
    $('bench-body').replaceChildren(
      ...rows.map((r) => {
        const row = document.createElement('tr');
        const speedup = js[r.algorithm] ? `${(js[r.algorithm] / r.nsPerElement).toFixed(1)}×` : '';
        for (const text of [r.algorithm, r.backend, r.nsPerElement.toFixed(3), speedup]) {
          row.append(Object.assign(document.createElement('td'), { textContent: text }));
        }
        return row;
      }),
    );
  };
  const rows = await benchmark(lib, show);
  state.bench = rows;
  $('bench-note').textContent =
    `${N} elements per step; timer resolution here ${timerResolution().toFixed(3)} ms, ` +
    'so steps are timed in batches of ≥ 25 ms (median of 5).';
  button.disabled = false;
}

for (const s of SURFACES) {
  const button = Object.assign(document.createElement('button'), { textContent: s.label, type: 'button' });
  button.dataset['surface'] = s.id;
  button.addEventListener('click', () => selectSurface(s.id));
  $('surfaces').append(button);
}
for (const id of ['lr', 'eps', 'alpha', 'momentum']) {
  input(id).addEventListener('input', () => {
    showSliders();
    restart();
  });
}
// The schedules this build of wasm-optim has (none always); the rest are listed, disabled.
for (const s of SCHEDULES) {
  const option = Object.assign(document.createElement('option'), { value: s.id, textContent: s.label });
  option.disabled = s.className !== null && typeof (/** @type {any} */ (lib)[s.className]) !== 'function';
  scheduleSelect.append(option);
}
scheduleSelect.value = 'none';
$('budget').textContent = String(BUDGET);
for (const el of document.querySelectorAll('input[name=flavor], #backend, #schedule'))
  el.addEventListener('change', () => restart());
plotCanvas.addEventListener('click', (event) =>
  restart(/** @type {[number, number]} */ (state.view.toWorld(event.offsetX, event.offsetY))),
);
$('bench').addEventListener('click', () => void runBenchmark());
$('replay').addEventListener('click', () => restart());
const missing = [...new Set(METHODS.filter((m) => !methods.includes(m)).map((m) => m.className))];
if (missing.length > 0) $('missing').textContent = `Not in this build of wasm-optim yet: ${missing.join(', ')}.`;

// @ts-expect-error: for tests and the curious
window.playground = {
  budget: BUDGET,
  /** Canvas CSS pixel of a point of the current surface. */
  toCanvas: (x, y) => state.view.toCanvas(x, y),
  get bench() {
    return state.bench;
  },
  get data() {
    const { race, surface } = state;
    return {
      surface: surface.id,
      minimum: surface.minimum,
      start: race.start,
      settings: race.settings,
      ...race.config,
      schedule: race.schedule.id,
      budget: BUDGET,
      iteration: race.iteration,
      done: race.done,
      runs: race.runners.map((r) => ({
        id: r.method.id,
        label: r.method.label,
        className: r.method.className,
        backend: r.backend,
        status: r.status,
        error: r.error,
        path: r.path,
        effective: r.effective,
        lrs: r.lrs,
      })),
    };
  },
};

showSliders();
selectSurface('valley');
