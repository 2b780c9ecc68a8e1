// facefuse web UI — the benchmark tab (FaceFusion's benchmark layout): the
// benchmark options (mode, resolutions, cycle count: controls made from
// their table, GET /api/benchmark), the run tab's processors, options and
// source photo, Start (POST /api/benchmark) and the results table, polled
// while it runs.
'use strict';

const bench = { values: {}, timer: 0 };

function benchControl(opt) {
  const name = opt.name;
  const label = name.replace(/^--benchmark-/, '').replace(/-/g, ' ');
  bench.values[name] = structuredClone(opt.default);
  const wrap = el('div', { class: 'control', 'data-option': name, title: opt.help || '' }, el('span', { class: 'name' }, label));
  if (opt.multiple && opt.choices) {
    const row = el('div', { class: 'checks' });
    for (const c of opt.choices) {
      const box = el('input', { type: 'checkbox', value: c, checked: (opt.default || []).includes(c) });
      box.addEventListener('change', () => {
        bench.values[name] = [...row.querySelectorAll('input:checked')].map((b) => b.value);
      });
      row.append(el('label', {}, box, c));
    }
    wrap.append(row);
  } else if (opt.choices) {
    const select = el('select', { 'aria-label': label });
    for (const c of opt.choices) select.append(el('option', { value: c, selected: c === opt.default }, c));
    select.addEventListener('change', () => { bench.values[name] = select.value; });
    wrap.append(select);
  } else {
    const out = el('output', {}, String(opt.default));
    const input = el('input', { type: 'range', min: opt.min, max: opt.max, step: opt.step || 1, value: opt.default, 'aria-label': label });
    input.addEventListener('input', () => { out.textContent = input.value; bench.values[name] = +input.value; });
    wrap.append(el('div', { class: 'row' }, input, out));
  }
  return wrap;
}

function benchShow(info) {
  const body = $('#benchmark-table tbody');
  body.textContent = '';
  for (const r of info.rows) {
    body.append(el('tr', {}, el('td', {}, r.target), el('td', {}, String(r.cycle_count)),
      el('td', {}, r.average_ms.toFixed(0)), el('td', {}, r.fastest_ms.toFixed(0)),
      el('td', {}, r.slowest_ms.toFixed(0)), el('td', {}, r.relative_fps.toFixed(2))));
  }
  const running = info.state === 'running';
  $('#benchmark-start').disabled = running;
  $('#benchmark-status').textContent = info.state === 'failed' ? `failed: ${info.error}` : info.state;
  $('#benchmark-status').dataset.state = info.state;
  if (!running) { clearInterval(bench.timer); bench.timer = 0; }
}

async function benchPoll() {
  try { benchShow(await api('GET', '/api/benchmark')); } catch (err) { /* the next poll tries again */ }
}

async function benchStart() {
  $('#benchmark-start').disabled = true;
  try {
    const info = await api('POST', '/api/benchmark', {
      sources: state.sources.map((s) => s.id), options: changedOptions(), benchmark: bench.values,
    });
    benchShow(info);
    clearInterval(bench.timer);
    bench.timer = setInterval(benchPoll, 1000);
  } catch (err) {
    showError(err);
    $('#benchmark-start').disabled = false;
  }
}

document.addEventListener('facefuse:ready', async () => {
  if (!(state.ui.layouts || []).includes('benchmark')) return;
  $('#benchmark-start').addEventListener('click', benchStart);
  try {
    const info = await api('GET', '/api/benchmark');
    for (const o of info.options) $('#benchmark-options').append(benchControl(o));
    $('#benchmark-uses').textContent = `Benchmarks on ${info.uses}.`;
    benchShow(info);
    if (info.state === 'running') bench.timer = setInterval(benchPoll, 1000);
  } catch (err) {
    showError(err);
  }
});
