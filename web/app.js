// facefuse web UI — plain JavaScript, no framework, no network beyond this
// server. Every option control is generated from GET /api/options; the
// preview, the reference-face gallery and the job progress (server-sent
// events) update in place. The API is described in docs/openapi.yaml.
'use strict';

const PROCESSORS = '--processors';
const TRIM_START = '--trim-frame-start';
const TRIM_END = '--trim-frame-end';
const REF_POSITION = '--reference-face-position';
const REF_FRAME = '--reference-frame-number';
const SPECIAL = new Set([PROCESSORS, TRIM_START, TRIM_END, REF_POSITION, REF_FRAME]);
// FaceFusion's right column holds the face options, under the preview.
const FACE_GROUPS = ['face_selector', 'face_masker', 'face_detector', 'face_landmarker', 'face_tracker'];
const TERMINAL = new Set(['completed', 'failed', 'cancelled']);
const STATUSES = ['drafted', 'queued', 'running', 'completed', 'failed', 'cancelled'];

const state = {
  ui: { workflow: 'instant_runner', layout: 'default' },
  options: [], byName: new Map(), values: {}, defaults: {},
  sources: [], target: null, frame: 0,
  job: null, events: null, previewAbort: null, previewTimer: 0, previewSeq: 0,
  faces: [], jobFilter: new Set(STATUSES),
};

const $ = (sel) => document.querySelector(sel);

function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') e.className = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children) if (c !== null && c !== undefined) e.append(c);
  return e;
}

// ------------------------------------------------------------ talking to the server

async function api(method, path, body) {
  const init = { method, headers: {} };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const r = await fetch(path, init);
  const type = r.headers.get('Content-Type') || '';
  const data = type.includes('json') ? await r.json() : await r.blob();
  if (!r.ok) throw new Error((data && data.error) || `${method} ${path}: ${r.status}`);
  return data;
}

function showError(err) {
  $('#banner-text').textContent = err.message || String(err);
  $('#banner').hidden = false;
}

function upload(file, onProgress) {
  return new Promise((resolve, reject) => {
    const x = new XMLHttpRequest();
    x.open('POST', '/api/files?name=' + encodeURIComponent(file.name));
    x.upload.onprogress = (e) => e.lengthComputable && onProgress && onProgress(e.loaded / e.total);
    x.onload = () => {
      let data = {};
      try { data = JSON.parse(x.responseText); } catch (e) { /* not JSON */ }
      if (x.status === 201) resolve(data);
      else reject(new Error(data.error || `upload of ${file.name} failed (${x.status})`));
    };
    x.onerror = () => reject(new Error(`upload of ${file.name} failed`));
    x.send(file);
  });
}

// ------------------------------------------------------------ option controls

const pretty = (name) => name.replace(/^--/, '').replace(/-/g, ' ');
// A panel per module (the table that owns the options): a processor's own
// name, else FaceFusion's --help group.
const groupTitle = (o) => (o.group === 'processors' || !o.group ? o.module || 'other' : o.group).replace(/_/g, ' ');
const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);

function setValue(name, value) {
  state.values[name] = value;
  onOptionsChanged(name);
}

function rangeControl(opt, value, onInput) {
  const out = el('output', {}, value === null ? 'auto' : String(value));
  const input = el('input', {
    type: 'range', min: opt.min, max: opt.max, step: opt.step || (opt.type === 'int' ? 1 : 0.01),
    value: value === null ? opt.min : value, 'aria-label': pretty(opt.name),
  });
  input.addEventListener('input', () => { out.textContent = input.value; });
  input.addEventListener('change', () => onInput(opt.type === 'int' || Number.isInteger(+opt.step) ? parseInt(input.value, 10) : parseFloat(input.value)));
  return { input, out };
}

function makeControl(opt) {
  const name = opt.name;
  const value = state.values[name];
  const wrap = el('div', { class: 'control', 'data-option': name, title: opt.help || '' },
    el('span', { class: 'name' }, pretty(name)));
  if (opt.type === 'bool') {
    const box = el('input', { type: 'checkbox', checked: !!value, onchange: (e) => setValue(name, e.target.checked) });
    wrap.append(el('label', {}, box, ' ', opt.help || 'on'));
  } else if (opt.choices && opt.multiple) {
    const row = el('div', { class: 'checks' });
    const boxes = [];
    for (const c of opt.choices) {
      const box = el('input', { type: 'checkbox', value: c, checked: (value || []).includes(c) });
      box.addEventListener('change', () => setValue(name, opt.choices.filter((_, i) => boxes[i].checked)));
      boxes.push(box);
      row.append(el('label', {}, box, String(c)));
    }
    wrap.append(row);
  } else if (opt.choices) {
    const select = el('select', { 'aria-label': pretty(name) });
    if (opt.default === null) select.append(el('option', { value: '' }, '(any)'));
    for (const c of opt.choices) select.append(el('option', { value: c, selected: c === value }, c));
    select.addEventListener('change', () => setValue(name, select.value === '' ? null : opt.choices.find((c) => String(c) === select.value)));
    wrap.append(select);
  } else if (opt.multiple && opt.min !== null) {
    // several numbers, e.g. margins top right bottom left
    const values = Array.isArray(value) ? value.slice() : [];
    const count = Array.isArray(opt.default) ? opt.default.length : Math.max(values.length, 1);
    for (let i = 0; i < count; i++) {
      const { input, out } = rangeControl(opt, values[i] ?? opt.min, (v) => { values[i] = v; setValue(name, values.slice(0, count).map((x) => x ?? opt.min)); });
      wrap.append(el('div', { class: 'row' }, input, out));
    }
  } else if ((opt.type === 'int' || opt.type === 'float') && opt.min !== null && opt.max !== null) {
    const { input, out } = rangeControl(opt, value, (v) => setValue(name, v));
    const row = el('div', { class: 'row' }, input, out);
    if (opt.default === null) {
      row.append(el('button', { type: 'button', class: 'reset', title: 'back to automatic', onclick: () => { out.textContent = 'auto'; setValue(name, null); } }, '×'));
    }
    wrap.append(row);
  } else if (opt.type === 'int' || opt.type === 'float') {
    wrap.append(el('input', { type: 'number', value: value ?? '', step: opt.step || 'any',
      onchange: (e) => setValue(name, e.target.value === '' ? null : Number(e.target.value)) }));
  } else {
    wrap.append(el('input', { type: 'text', value: Array.isArray(value) ? value.join(' ') : (value ?? ''),
      onchange: (e) => setValue(name, e.target.value === '' ? null : (opt.multiple ? e.target.value.split(/\s+/) : e.target.value)) }));
  }
  return wrap;
}

function buildOptions(options) {
  state.options = options;
  for (const o of options) {
    state.byName.set(o.name, o);
    state.defaults[o.name] = o.default;
    state.values[o.name] = structuredClone(o.default);
  }
  const groups = new Map();
  for (const o of options) {
    if (SPECIAL.has(o.name)) continue;
    if (!groups.has(o.module)) groups.set(o.module, []);
    groups.get(o.module).push(o);
  }
  const processors = state.byName.get(PROCESSORS);
  const processorNames = new Set(processors ? processors.choices || [] : []);
  if (processors) buildProcessors(processors);
  for (const [group, opts] of groups) {
    const panel = el('div', { class: 'panel', 'data-group': group }, el('h2', {}, groupTitle(opts[0])));
    for (const o of opts) panel.append(makeControl(o));
    if (processorNames.has(group)) $('#processor-groups').append(panel);
    else if (FACE_GROUPS.includes(group)) $('#face-groups').append(panel);
    else $('#other-groups').append(panel);
  }
  showProcessorGroups();
}

// The processors as checkboxes, chosen ones in chain order.
function buildProcessors(opt) {
  const box = $('#processors');
  box.textContent = '';
  for (const c of opt.choices || []) {
    const input = el('input', { type: 'checkbox', value: c, checked: (state.values[PROCESSORS] || []).includes(c) });
    input.addEventListener('change', () => {
      let chain = (state.values[PROCESSORS] || []).filter((p) => p !== c);
      if (input.checked) chain.push(c);
      setValue(PROCESSORS, chain);
      showProcessorGroups();
    });
    box.append(el('label', {}, input, c));
  }
}

function showProcessorGroups() {
  const chosen = new Set(state.values[PROCESSORS] || []);
  for (const panel of document.querySelectorAll('#processor-groups [data-group]')) {
    panel.hidden = !chosen.has(panel.dataset.group);
  }
}

// The values that differ from the defaults (the server's defaults are the
// ones `facefuse run` was started with).
function changedOptions() {
  const out = {};
  for (const [name, v] of Object.entries(state.values)) {
    if (!state.byName.has(name) || same(v, state.defaults[name])) continue;
    if (v === null) continue;
    out[name] = v;
  }
  return out;
}

function onOptionsChanged(name) {
  if (name === PROCESSORS) showProcessorGroups();
  const detector = name.startsWith('--face-detector') || name.startsWith('--face-selector');
  if (detector) scheduleFaces();
  schedulePreview();
}

// ------------------------------------------------------------ sources and target

function addDropZone(zone, input, onFiles) {
  zone.addEventListener('dragover', (e) => { e.preventDefault(); zone.classList.add('over'); });
  zone.addEventListener('dragleave', () => zone.classList.remove('over'));
  zone.addEventListener('drop', (e) => {
    e.preventDefault();
    zone.classList.remove('over');
    onFiles([...e.dataTransfer.files]);
  });
  zone.addEventListener('keydown', (e) => { if (e.key === 'Enter' || e.key === ' ') input.click(); });
  input.addEventListener('change', () => { onFiles([...input.files]); input.value = ''; });
}

async function addSources(files) {
  for (const file of files) {
    const item = el('li', {}, el('div', { class: 'label' }, 'uploading…'));
    $('#sources-list').append(item);
    try {
      const info = await upload(file, (p) => { item.querySelector('.label').textContent = `${Math.round(p * 100)} %`; });
      if (info.kind === 'video') throw new Error(`${file.name}: a source is a photo (or an audio file), not a video`);
      state.sources.push(info);
      item.textContent = '';
      const picture = info.kind === 'image' ? el('img', { src: URL.createObjectURL(file), alt: info.name })
        : el('div', { class: 'audio' }, '♪');
      item.append(picture, el('div', { class: 'label', title: info.name }, info.name),
        el('button', { type: 'button', title: 'remove', onclick: () => { state.sources = state.sources.filter((s) => s !== info); item.remove(); updateStart(); schedulePreview(); } }, '×'));
    } catch (err) {
      item.remove();
      showError(err);
    }
  }
  updateStart();
  schedulePreview();
}

async function setTarget(files) {
  const file = files[0];
  if (!file) return;
  $('#target-info').textContent = `uploading ${file.name}…`;
  try {
    const info = await upload(file, (p) => { $('#target-info').textContent = `uploading ${file.name}: ${Math.round(p * 100)} %`; });
    if (info.kind === 'audio') throw new Error(`${file.name}: the target is a photo or a video`);
    state.target = info;
    state.frame = 0;
    state.values[TRIM_START] = state.defaults[TRIM_START] ?? null;
    state.values[TRIM_END] = state.defaults[TRIM_END] ?? null;
    state.values[REF_POSITION] = state.defaults[REF_POSITION] ?? 0;
    state.values[REF_FRAME] = state.defaults[REF_FRAME] ?? 0;
    const video = info.kind === 'video';
    $('#target-info').textContent = video
      ? `${info.name} · video ${info.width}×${info.height} · ${info.frames} frames · ${info.fps.toFixed(2)} frames/s`
      : `${info.name} · image ${info.width}×${info.height}`;
    const last = Math.max(0, info.frames - 1);
    $('#frame-box').hidden = !video;
    $('#trim-panel').hidden = !video;
    for (const [id, max, v] of [['#frame', last, 0], ['#trim-start', last, 0], ['#trim-end', info.frames, info.frames]]) {
      $(id).max = max;
      $(id).value = v;
      $(id + '-out').textContent = v;
    }
    if (!$('#output-name').value) $('#output-name').placeholder = video ? 'result.mp4' : 'result.' + (info.id.split('.').pop());
    showOriginal();
    scheduleFaces();
    schedulePreview();
  } catch (err) {
    $('#target-info').textContent = '';
    showError(err);
  }
  updateStart();
}

function updateStart() {
  const busy = state.ui.workflow === 'instant_runner' && state.job && !TERMINAL.has(state.job.status);
  $('#start').disabled = !state.target || busy;
}

// ------------------------------------------------------------ preview

function showOriginal() {
  if (!state.target) return;
  $('#preview-original').src = `/api/files/${state.target.id}/frame?n=${state.frame}`;
}

function schedulePreview() {
  clearTimeout(state.previewTimer);
  state.previewTimer = setTimeout(runPreview, 150);
}

async function runPreview() {
  if (!state.target) return;
  if (state.previewAbort) state.previewAbort.abort();
  const abort = new AbortController();
  state.previewAbort = abort;
  const started = performance.now();
  $('#preview').classList.add('busy');
  $('#preview-status').textContent = 'updating…';
  try {
    const r = await fetch('/api/preview', {
      method: 'POST', signal: abort.signal, headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ sources: state.sources.map((s) => s.id), target: state.target.id, frame: state.frame,
        resolution: +$('#preview-resolution').value, options: changedOptions(),
        mode: $('#preview-mode').value === 'faces' ? 'face-by-face' : 'default' }),
    });
    if (!r.ok) throw new Error((await r.json()).error);
    const blob = await r.blob();
    const img = $('#preview-result');
    const old = img.src;
    img.src = URL.createObjectURL(blob);
    img.dataset.version = String(++state.previewSeq);
    if (old.startsWith('blob:')) URL.revokeObjectURL(old);
    $('#preview-status').textContent = `${Math.round(performance.now() - started)} ms`;
  } catch (err) {
    if (err.name === 'AbortError') return;
    $('#preview-status').textContent = 'no preview';
    showError(err);
  } finally {
    if (state.previewAbort === abort) $('#preview').classList.remove('busy');
  }
}

// side, split and result show the processed frame beside / over the
// original; faces (FaceFusion's face-by-face) asks the server for each
// face's crop before | after and shows that alone.
function setPreviewMode(mode) {
  const p = $('#preview');
  const faces = mode === 'faces', wasFaces = p.dataset.faces === '1';
  p.dataset.faces = faces ? '1' : '0';
  p.classList.remove('side', 'split', 'result');
  p.classList.add(faces ? 'result' : mode);
  applySplit();
  if (faces !== wasFaces) schedulePreview();
}

function applySplit() {
  const fig = $('#preview .result');
  fig.style.clipPath = $('#preview').classList.contains('split') ? `inset(0 0 0 ${$('#split-at').value}%)` : '';
}

// ------------------------------------------------------------ reference faces

let facesTimer = 0;
function scheduleFaces() {
  clearTimeout(facesTimer);
  facesTimer = setTimeout(loadFaces, 200);
}

async function loadFaces() {
  if (!state.target) return;
  const detect = {};
  for (const [k, v] of Object.entries(changedOptions())) if (k.startsWith('--face-detector') || k.startsWith('--face-selector')) detect[k] = v;
  const url = `/api/faces?file=${state.target.id}&frame=${state.frame}&options=${encodeURIComponent(JSON.stringify(detect))}`;
  const gallery = $('#gallery');
  try {
    const faces = await api('GET', url);
    state.faces = faces;
    gallery.textContent = '';
    if (!faces.length) gallery.append(el('p', { class: 'muted' }, 'no face in this frame'));
    for (const f of faces) {
      const selected = state.values[REF_POSITION] === f.index && state.values[REF_FRAME] === state.frame;
      gallery.append(el('button', {
        type: 'button', class: 'face' + (selected ? ' selected' : ''), title: `face ${f.index} · score ${f.score.toFixed(2)}`,
        'data-index': f.index, onclick: () => chooseFace(f.index),
      }, el('img', { src: f.thumbnail, alt: `face ${f.index}` })));
    }
  } catch (err) {
    showError(err);
  }
}

function chooseFace(index) {
  state.values[REF_POSITION] = index;
  state.values[REF_FRAME] = state.frame;
  for (const b of document.querySelectorAll('#gallery .face')) b.classList.toggle('selected', +b.dataset.index === index);
  $('#reference-info').textContent = `reference: face ${index} of frame ${state.frame}`;
  schedulePreview();
}

// ------------------------------------------------------------ running a job

function eta(seconds) {
  if (!seconds) return '';
  const s = Math.round(seconds);
  return s >= 60 ? `${Math.floor(s / 60)} min ${s % 60} s left` : `${s} s left`;
}

function showProgress(job) {
  state.job = job;
  $('#progress-box').hidden = false;
  $('#progress').value = job.progress;
  const parts = [`${job.status}`, `${Math.round(job.progress * 100)} %`];
  if (job.total) parts.push(`${job.frames}/${job.total} frames`);
  if (job.fps) parts.push(`${job.fps.toFixed(1)} frames/s`);
  if (job.eta_s) parts.push(eta(job.eta_s));
  $('#progress-text').textContent = parts.join(' · ');
  $('#progress-text').dataset.status = job.status;
  $('#cancel').disabled = TERMINAL.has(job.status);
  updateStart();
  if (job.status === 'completed') showResult(job);
  if (job.status === 'failed') showError(new Error(`job ${job.id} failed: ${job.error || 'unknown error'}`));
}

function showResult(job) {
  if (!job.output) return;
  const media = $('#result-media');
  media.textContent = '';
  const video = state.target && state.target.kind === 'video';
  media.append(video ? el('video', { src: job.output, controls: true }) : el('img', { src: `${job.output}?t=${Date.now()}`, alt: 'result' }));
  const link = $('#download');
  link.href = `${job.output}?download=1`;
  link.setAttribute('download', job.label || 'facefuse-output');
  $('#result').hidden = false;
}

function watch(id) {
  if (state.events) state.events.close();
  const es = new EventSource(`/api/jobs/${id}/events`);
  state.events = es;
  es.onmessage = (e) => {
    const job = JSON.parse(e.data);
    showProgress(job);
    if (TERMINAL.has(job.status)) {
      es.close();
      refreshJobs();
    }
  };
  es.addEventListener('gone', () => es.close());
}

// Start, as --ui-workflow says: instant_runner runs the job now and shows
// its progress; job_runner queues it (Run in the job list starts it);
// job_manager adds the step to the drafted job named beside the button
// (Submit in the job list queues it).
async function start() {
  const workflow = state.ui.workflow;
  const body = {
    sources: state.sources.map((s) => s.id), target: state.target.id,
    output: $('#output-name').value.trim() || null, options: jobOptions(), report: $('#report').checked,
  };
  if (workflow === 'job_runner') body.run = false;
  if (workflow === 'job_manager') body.job = $('#job-id').value.trim() || newJobId();
  $('#start').disabled = true;
  $('#result').hidden = true;
  try {
    const job = await api('POST', '/api/jobs', body);
    if (workflow === 'instant_runner') {
      showProgress(job);
      watch(job.id);
    } else {
      $('#job-id').value = workflow === 'job_manager' ? job.id : '';
      $('#progress-box').hidden = false;
      $('#progress').value = 0;
      $('#progress-text').textContent = workflow === 'job_manager'
        ? `job ${job.id}: ${job.steps} step${job.steps === 1 ? '' : 's'}, drafted (submit it in the job list)`
        : `job ${job.id} queued (run it from the job list)`;
      $('#progress-text').dataset.status = job.status;
      updateStart();
    }
    refreshJobs();
  } catch (err) {
    showError(err);
    updateStart();
  }
}

function newJobId() {
  const d = new Date(), p = (n) => String(n).padStart(2, '0');
  return `ui-${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}-${p(d.getHours())}-${p(d.getMinutes())}-${p(d.getSeconds())}`;
}

// The job's options: the changes, plus trim and the reference face.
function jobOptions() {
  const o = changedOptions();
  for (const name of [TRIM_START, TRIM_END, REF_POSITION, REF_FRAME]) {
    if (state.values[name] !== null && state.values[name] !== undefined && state.byName.has(name)) o[name] = state.values[name];
  }
  return o;
}

async function cancel() {
  if (!state.job) return;
  try { showProgress(await api('POST', `/api/jobs/${state.job.id}/cancel`)); } catch (err) { showError(err); }
}

// ------------------------------------------------------------ job lists

function when(iso) {
  return iso ? new Date(iso).toLocaleString() : '';
}

function jobActions(job) {
  const cell = el('td', { class: 'actions' });
  const act = (label, fn) => cell.append(el('button', { type: 'button', onclick: async () => { try { await fn(); } catch (err) { showError(err); } refreshJobs(); } }, label));
  if (job.status === 'drafted') act('submit', () => api('POST', `/api/jobs/${job.id}/submit`));
  if (job.status === 'queued' && !job.auto_run) act('run', async () => { await api('POST', `/api/jobs/${job.id}/run`); watch(job.id); });
  if (job.status === 'queued' || job.status === 'running') act('cancel', () => api('POST', `/api/jobs/${job.id}/cancel`));
  if (job.status === 'failed' || job.status === 'cancelled') act('retry', async () => { await api('POST', `/api/jobs/${job.id}/retry`); watch(job.id); });
  if (job.output) cell.append(el('a', { class: 'button', href: `${job.output}?download=1` }, 'download'));
  if (job.report) cell.append(el('a', { class: 'button report', href: job.report, target: '_blank', rel: 'noopener' }, 'report'));
  if (job.status !== 'running') act('delete', () => api('DELETE', `/api/jobs/${job.id}`));
  return cell;
}

function jobRow(job, full) {
  const status = el('td', {}, el('span', { class: 'status ' + job.status, title: job.error || '' }, job.status));
  const cells = full
    ? [el('td', {}, job.id), el('td', {}, job.label || ''), el('td', {}, String(job.steps)), status,
      el('td', {}, `${Math.round(job.progress * 100)} %`), el('td', {}, when(job.date_created)), el('td', {}, when(job.date_updated))]
    : [el('td', {}, job.label || job.id), status, el('td', {}, `${Math.round(job.progress * 100)} %`)];
  return el('tr', { 'data-job': job.id }, ...cells, jobActions(job));
}

async function refreshJobs() {
  try {
    const jobs = await api('GET', '/api/jobs');
    const recent = $('#recent-jobs tbody');
    recent.textContent = '';
    for (const j of jobs.slice(0, 6)) recent.append(jobRow(j, false));
    const all = $('#all-jobs tbody');
    all.textContent = '';
    for (const j of jobs) if (state.jobFilter.has(j.status)) all.append(jobRow(j, true));
  } catch (err) {
    /* the list refreshes again shortly */
  }
}

function buildJobFilters() {
  const box = $('#job-filters');
  for (const s of STATUSES) {
    const input = el('input', { type: 'checkbox', value: s, checked: true });
    input.addEventListener('change', () => { if (input.checked) state.jobFilter.add(s); else state.jobFilter.delete(s); refreshJobs(); });
    box.append(el('label', {}, input, s));
  }
}

// The tabs: run and jobs always; layouts.js adds webcam and benchmark when
// --ui-layouts asks for them. The first layout is the opening tab.
const TABS = ['run', 'jobs'];
function showTab() {
  const want = location.hash.slice(1) || state.ui.layout;
  const tab = TABS.includes(want) ? want : 'run';
  for (const t of TABS) $(`#${t}-view`).hidden = t !== tab;
  for (const a of document.querySelectorAll('.tab')) a.classList.toggle('active', a.dataset.tab === tab);
  document.dispatchEvent(new CustomEvent('facefuse:tab', { detail: tab }));
}

// ------------------------------------------------------------ start-up

function showWorkflow() {
  const w = state.ui.workflow;
  $('#start').textContent = w === 'job_runner' ? 'Queue' : w === 'job_manager' ? 'Add step' : 'Start';
  $('#job-id-field').hidden = w !== 'job_manager';
  $('#workflow').textContent = w.replace('_', ' ');
}

async function main() {
  $('#banner-close').addEventListener('click', () => { $('#banner').hidden = true; });
  addDropZone($('#sources-drop'), $('#sources-input'), addSources);
  addDropZone($('#target-drop'), $('#target-input'), setTarget);
  $('#start').addEventListener('click', start);
  $('#cancel').addEventListener('click', cancel);
  $('#preview-mode').addEventListener('change', (e) => setPreviewMode(e.target.value));
  $('#preview-resolution').addEventListener('change', schedulePreview);
  $('#split-at').addEventListener('input', applySplit);
  $('#frame').addEventListener('input', () => { $('#frame-out').textContent = $('#frame').value; });
  $('#frame').addEventListener('change', () => { state.frame = +$('#frame').value; showOriginal(); scheduleFaces(); schedulePreview(); });
  for (const [id, name] of [['#trim-start', TRIM_START], ['#trim-end', TRIM_END]]) {
    $(id).addEventListener('input', () => { $(id + '-out').textContent = $(id).value; });
    $(id).addEventListener('change', () => {
      let a = +$('#trim-start').value, b = +$('#trim-end').value;
      if (a >= b) { if (name === TRIM_START) a = Math.max(0, b - 1); else b = a + 1; }
      state.values[TRIM_START] = a > 0 ? a : null;
      state.values[TRIM_END] = state.target && b < state.target.frames ? b : null;
      $('#trim-start').value = a; $('#trim-end').value = b;
      $('#trim-start-out').textContent = a; $('#trim-end-out').textContent = b;
    });
  }
  window.addEventListener('hashchange', showTab);
  buildJobFilters();
  try {
    state.ui = await api('GET', '/api/ui');
    buildOptions(await api('GET', '/api/options'));
  } catch (err) {
    showError(err);
  }
  document.dispatchEvent(new CustomEvent('facefuse:ready'));
  showTab();
  showWorkflow();
  refreshJobs();
  setInterval(refreshJobs, 3000);
  document.body.dataset.ready = '1';
}

// The page's other scripts (layouts.js, webcam.js, benchmark.js, jobsui.js)
// listen for facefuse:ready; they run after this one (all are deferred), so
// main starts once every script is in: DOMContentLoaded fires after the
// last deferred script. Started at once, a fast /api/ui answer could fire
// facefuse:ready before a slower script had registered for it.
document.addEventListener('DOMContentLoaded', main);
