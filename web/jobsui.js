// facefuse web UI — FaceFusion's job_manager, job_runner and terminal
// components (its ui_workflow dropdown picks which of the first two shows).
// Uses app.js's globals (state, api, el, $, jobOptions, showWorkflow,
// refreshJobs, showError); talks to PUT /api/jobs/ID, /api/jobs/ID/steps,
// /api/runner and /api/log (docs/openapi.yaml).
'use strict';

const JOB_MANAGER_ACTIONS = ['job-create', 'job-submit', 'job-delete', 'job-add-step', 'job-remix-step',
  'job-insert-step', 'job-remove-step'];
const JOB_RUNNER_ACTIONS = ['job-run', 'job-run-all', 'job-retry', 'job-retry-all'];
const LOG_LEVELS = ['error', 'warn', 'info', 'debug'];
const TERMINAL_LINES = 400;

const jobsui = { lastLine: 0, runnerTimer: 0 };

function selectOf(id, values, value) {
  const s = el('select', { id });
  for (const v of values) s.append(el('option', { value: v, selected: v === value }, v));
  return s;
}

function fillSelect(select, values, keep) {
  const old = keep ? select.value : null;
  select.textContent = '';
  for (const v of values.length ? values : ['none']) select.append(el('option', { value: v }, v));
  // FaceFusion keeps the chosen id when it is still offered, else the last.
  select.value = values.includes(old) ? old : (values[values.length - 1] || 'none');
}

async function jobIds(...statuses) {
  const jobs = await api('GET', '/api/jobs');
  // FaceFusion lists oldest first and picks the last (the newest).
  return jobs.filter((j) => statuses.includes(j.status)).map((j) => j.id).reverse();
}

function say(text, bad) {
  const box = $('#jm-status');
  box.textContent = text;
  box.classList.toggle('error-text', !!bad);
}

// ------------------------------------------------------------ job manager

// A step from the page's current choices, as Start sends it.
function stepBody() {
  if (!state.target) throw new Error('choose a target first: a step takes the page\'s sources, target and options');
  return {
    sources: state.sources.map((s) => s.id), target: state.target.id,
    output: $('#output-name').value.trim() || null, options: jobOptions(), report: $('#report').checked,
  };
}

// Which fields the action takes, as FaceFusion's job_manager.update.
async function updateManager() {
  const action = $('#jm-action').value;
  const create = action === 'job-create';
  const stepped = ['job-remix-step', 'job-insert-step', 'job-remove-step'].includes(action);
  $('#jm-new-id-field').hidden = !create;
  $('#jm-job-field').hidden = create;
  $('#jm-step-field').hidden = !stepped;
  if (create) return;
  try {
    const ids = action === 'job-delete'
      ? await jobIds('drafted', 'queued', 'failed', 'completed', 'cancelled')
      : await jobIds('drafted');
    fillSelect($('#jm-job'), ids, true);
    if (stepped) await updateSteps();
  } catch (err) { showError(err); }
}

async function updateSteps() {
  const id = $('#jm-job').value;
  let steps = [];
  if (id && id !== 'none') {
    try { steps = await api('GET', `/api/jobs/${encodeURIComponent(id)}/steps`); } catch (err) { steps = []; }
  }
  const select = $('#jm-step');
  select.textContent = '';
  for (const s of steps) {
    select.append(el('option', { value: String(s.index) }, `${s.index}: ${s.target || '?'} → ${s.output || '?'}`));
  }
  if (!steps.length) select.append(el('option', { value: '' }, 'none'));
  select.value = steps.length ? String(steps[steps.length - 1].index) : '';
}

async function applyManager() {
  const action = $('#jm-action').value;
  const id = $('#jm-job').value;
  const job = `/api/jobs/${encodeURIComponent(id)}`;
  const step = $('#jm-step').value;
  try {
    if (action === 'job-create') {
      const raw = $('#jm-new-id').value.trim();
      if (!raw) throw new Error('type the id of the job to create');
      const made = await api('PUT', `/api/jobs/${encodeURIComponent(raw)}`);
      say(`job ${made.id} created`);
      $('#jm-new-id').value = '';
      $('#jm-action').value = 'job-add-step'; // FaceFusion moves on to adding steps
      await updateManager();
      $('#jm-job').value = made.id;
    } else {
      if (!id || id === 'none') throw new Error('no job to apply it to');
      const needsStep = ['job-remix-step', 'job-insert-step', 'job-remove-step'].includes(action);
      if (needsStep && step === '') throw new Error(`job ${id} has no step to ${action.slice(4, -5)}`);
      const s = encodeURIComponent(step);
      const done = {
        'job-submit': () => api('POST', `${job}/submit`),
        'job-delete': () => api('DELETE', job),
        'job-add-step': () => api('POST', `${job}/steps`, stepBody()),
        'job-remix-step': () => api('POST', `${job}/steps/${s}/remix`, stepBody()),
        'job-insert-step': () => api('POST', `${job}/steps/${s}`, stepBody()),
        'job-remove-step': () => api('DELETE', `${job}/steps/${s}`),
      }[action];
      const result = await done();
      say(action === 'job-delete' ? `job ${id} deleted`
        : `${action} ${id}: ${result.status}, ${result.steps} step${result.steps === 1 ? '' : 's'}`);
      await updateManager();
    }
  } catch (err) {
    say(err.message, true);
  }
  refreshJobs();
}

function buildManager() {
  const action = selectOf('jm-action', JOB_MANAGER_ACTIONS, 'job-create');
  action.addEventListener('change', updateManager);
  const jobSelect = el('select', { id: 'jm-job' });
  jobSelect.addEventListener('change', updateSteps);
  return el('div', { class: 'panel', id: 'job-manager', hidden: true },
    el('h2', {}, 'Job manager'),
    el('label', { class: 'field' }, 'Action ', action),
    el('label', { class: 'field', id: 'jm-new-id-field' }, 'Job id ',
      el('input', { type: 'text', id: 'jm-new-id', maxlength: '120', placeholder: 'letters, digits and -' })),
    el('label', { class: 'field', id: 'jm-job-field', hidden: true }, 'Job ', jobSelect),
    el('label', { class: 'field', id: 'jm-step-field', hidden: true }, 'Step ', el('select', { id: 'jm-step' })),
    el('div', { class: 'buttons' }, el('button', { type: 'button', class: 'primary', id: 'jm-apply', onclick: applyManager }, 'Apply')),
    el('div', { id: 'jm-status', class: 'muted' }));
}

// ------------------------------------------------------------ job runner

async function updateRunnerJobs() {
  const action = $('#jr-action').value;
  const single = action === 'job-run' || action === 'job-retry';
  $('#jr-job-field').hidden = !single;
  $('#jr-halt-field').hidden = single;
  if (!single) return;
  try {
    fillSelect($('#jr-job'), action === 'job-run' ? await jobIds('queued') : await jobIds('failed', 'cancelled'), true);
  } catch (err) { showError(err); }
}

function showRunner(r) {
  $('#jr-start').hidden = r.running;
  $('#jr-stop').hidden = !r.running;
  const what = r.action ? `${r.action}${r.job ? ' ' + r.job : ''}` : '';
  $('#jr-status').textContent = r.running ? `${what}: running…` : r.outcome ? `${what}: ${r.outcome}${r.error ? ' — ' + r.error : ''}` : '';
  $('#jr-status').dataset.outcome = r.running ? 'running' : (r.outcome || '');
}

async function pollRunner() {
  clearTimeout(jobsui.runnerTimer);
  try {
    const r = await api('GET', '/api/runner');
    showRunner(r);
    if (r.running) jobsui.runnerTimer = setTimeout(pollRunner, 700);
    else updateRunnerJobs();
  } catch (err) { jobsui.runnerTimer = setTimeout(pollRunner, 2000); }
  refreshJobs();
}

async function startRunner() {
  const action = $('#jr-action').value;
  const body = { action, halt_on_error: $('#jr-halt').checked };
  if (action === 'job-run' || action === 'job-retry') {
    body.job = $('#jr-job').value;
    if (!body.job || body.job === 'none') { $('#jr-status').textContent = `no job to ${action.slice(4)}`; return; }
  }
  try {
    showRunner(await api('POST', '/api/runner', body));
    pollRunner();
  } catch (err) { $('#jr-status').textContent = err.message; }
}

function buildRunner() {
  const action = selectOf('jr-action', JOB_RUNNER_ACTIONS, 'job-run');
  action.addEventListener('change', updateRunnerJobs);
  return el('div', { class: 'panel', id: 'job-runner', hidden: true },
    el('h2', {}, 'Job runner'),
    el('label', { class: 'field' }, 'Action ', action),
    el('label', { class: 'field', id: 'jr-job-field' }, 'Job ', el('select', { id: 'jr-job' })),
    el('label', { class: 'field', id: 'jr-halt-field', hidden: true }, el('input', { type: 'checkbox', id: 'jr-halt' }), ' halt on error'),
    el('div', { class: 'buttons' },
      el('button', { type: 'button', class: 'primary', id: 'jr-start', onclick: startRunner }, 'Start'),
      el('button', { type: 'button', id: 'jr-stop', hidden: true, onclick: () => api('POST', '/api/runner/stop').then(showRunner, showError) }, 'Stop')),
    el('div', { id: 'jr-status', class: 'muted' }));
}

// ------------------------------------------------------------ terminal

async function pollLog() {
  if (!document.hidden) {
    try {
      const log = await api('GET', `/api/log?after=${jobsui.lastLine}`);
      const pre = $('#terminal-lines');
      const atBottom = pre.scrollTop + pre.clientHeight >= pre.scrollHeight - 4;
      for (const l of log.lines) pre.append(el('div', { class: `log ${l.level}` }, `[${l.level.toUpperCase()}] ${l.text}`));
      while (pre.childElementCount > TERMINAL_LINES) pre.firstElementChild.remove();
      jobsui.lastLine = log.last;
      const progress = $('#terminal-progress');
      progress.textContent = log.progress.join('\n');
      if (atBottom) pre.scrollTop = pre.scrollHeight;
      if (document.activeElement !== $('#log-level')) $('#log-level').value = log.level;
    } catch (err) { /* tried again shortly */ }
  }
  setTimeout(pollLog, 500); // FaceFusion's terminal refreshes every 0.5 s
}

function buildTerminal() {
  const level = selectOf('log-level', LOG_LEVELS, 'info');
  level.addEventListener('change', () => api('PUT', '/api/log', { level: level.value }).catch(showError));
  return el('div', { class: 'panel', id: 'terminal' },
    el('h2', {}, 'Terminal'),
    el('label', { class: 'field' }, 'Log level ', level),
    el('div', { id: 'terminal-lines', class: 'terminal', role: 'log', 'aria-live': 'polite' }),
    el('pre', { id: 'terminal-progress', class: 'terminal-progress' }));
}

// ------------------------------------------------------------ workflow

function showPanels() {
  const w = state.ui.workflow;
  $('#job-manager').hidden = w !== 'job_manager';
  $('#job-runner').hidden = w !== 'job_runner';
  if (w === 'job_manager') updateManager();
  if (w === 'job_runner') updateRunnerJobs();
}

function buildWorkflow() {
  const select = selectOf('ui-workflow', ['instant_runner', 'job_runner', 'job_manager'], state.ui.workflow);
  select.addEventListener('change', () => {
    state.ui.workflow = select.value;
    showWorkflow();
    showPanels();
  });
  return el('div', { class: 'panel' }, el('label', { class: 'field' }, 'UI workflow ', select));
}

function startJobsUi() {
  const box = $('#jobsui-panels');
  box.append(buildWorkflow(), buildManager(), buildRunner(), buildTerminal());
  showPanels();
  pollRunner();
  pollLog();
  document.body.dataset.jobsui = '1';
}

// app.js sets body[data-ready] once the options and the workflow are in.
(function waitForApp() {
  if (document.body.dataset.ready === '1') startJobsUi();
  else setTimeout(waitForApp, 50);
})();
