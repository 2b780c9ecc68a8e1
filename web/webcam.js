// facefuse web UI — the webcam tab (FaceFusion's webcam layout): a camera
// of the server's machine through the chosen processors, shown here as an
// MJPEG stream (GET /api/live/stream) and, in udp or v4l2 mode, also sent
// to a stream or a virtual camera. Controls come from GET /api/live (the
// devices found, the modes, FaceFusion's resolutions, the frame-rate range);
// Start and Stop are POST /api/live/start and /api/live/stop.
'use strict';

const webcam = { info: null, timer: 0, running: false };

function webcamFill(info) {
  webcam.info = info;
  const device = $('#webcam-device');
  device.textContent = '';
  for (const d of info.devices) device.append(el('option', { value: d }, d));
  if (!info.devices.length) device.append(el('option', { value: '' }, '(no camera found)'));
  const modes = $('#webcam-modes');
  modes.textContent = '';
  for (const m of info.modes) {
    const radio = el('input', { type: 'radio', name: 'webcam-mode', value: m, checked: m === 'inline' });
    modes.append(el('label', { title: m === 'v4l2' && !info.v4l2_available ? 'no v4l2loopback device on the server' : '' }, radio, m));
  }
  const res = $('#webcam-resolution');
  res.textContent = '';
  res.append(el('option', { value: '' }, 'the camera\'s own'));
  for (const r of info.resolutions) res.append(el('option', { value: r, selected: r === info.resolution }, r));
  const fps = $('#webcam-fps');
  fps.min = info.fps.min;
  fps.max = info.fps.max;
  fps.value = info.fps.default;
  $('#webcam-fps-out').textContent = fps.value;
}

function webcamShow(info) {
  const active = info.state === 'starting' || info.state === 'running';
  webcam.running = active;
  $('#webcam-start').disabled = active;
  $('#webcam-stop').disabled = !active;
  const s = info.stats;
  let text = info.state;
  if (active && s) text += ` · ${s.fps.toFixed(1)} frames/s · latency ${s.latency_p50_ms.toFixed(0)} ms (p95 ${s.latency_p95_ms.toFixed(0)}) · dropped ${s.dropped}/s · ${s.frames} frames`;
  if (info.output) text += ` · also to ${info.output}`;
  if (info.state === 'failed' && info.error) text += `: ${info.error}`;
  $('#webcam-stats').textContent = text;
  $('#webcam-stats').dataset.state = info.state;
  if (!active) {
    $('#webcam-image').hidden = true;
    $('#webcam-image').removeAttribute('src');
    clearInterval(webcam.timer);
    webcam.timer = 0;
  }
}

async function webcamPoll() {
  try { webcamShow(await api('GET', '/api/live')); } catch (err) { /* the next poll tries again */ }
}

async function webcamStart() {
  const mode = (document.querySelector('input[name="webcam-mode"]:checked') || {}).value || 'inline';
  const body = {
    sources: state.sources.map((s) => s.id), options: changedOptions(),
    camera: $('#webcam-device').value || null, mode,
    resolution: $('#webcam-resolution').value || null, fps: +$('#webcam-fps').value,
  };
  $('#webcam-start').disabled = true;
  $('#webcam-stats').textContent = 'starting…';
  try {
    const info = await api('POST', '/api/live/start', body);
    const img = $('#webcam-image');
    img.src = `/api/live/stream?t=${Date.now()}`;
    img.hidden = false;
    $('#webcam-note').hidden = true;
    webcamShow(info);
    clearInterval(webcam.timer);
    webcam.timer = setInterval(webcamPoll, 1000);
  } catch (err) {
    showError(err);
    webcamPoll();
  }
}

async function webcamStop() {
  $('#webcam-stop').disabled = true;
  $('#webcam-image').removeAttribute('src'); // closes the stream
  try { webcamShow(await api('POST', '/api/live/stop')); } catch (err) { showError(err); }
}

document.addEventListener('facefuse:ready', async () => {
  if (!(state.ui.layouts || []).includes('webcam')) return;
  $('#webcam-fps').addEventListener('input', () => { $('#webcam-fps-out').textContent = $('#webcam-fps').value; });
  $('#webcam-start').addEventListener('click', webcamStart);
  $('#webcam-stop').addEventListener('click', webcamStop);
  try {
    const info = await api('GET', '/api/live');
    webcamFill(info);
    webcamShow(info);
    if (webcam.running) webcam.timer = setInterval(webcamPoll, 1000);
  } catch (err) {
    showError(err);
  }
});
