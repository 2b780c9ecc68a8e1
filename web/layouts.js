// facefuse web UI — the layouts beyond the run tab (FaceFusion's
// --ui-layouts webcam and benchmark become tabs) and the about button.
// The webcam and benchmark tabs show the run tab's processors, option
// panels and sources: the same elements, moved into the shown tab and back,
// so every value stays one value. Uses app.js's globals ($, state, TABS).
'use strict';

const layouts = {
  // where the borrowed panels live at home: [element, parent, next sibling]
  home: null,
};

function borrowedPanels() {
  return { options: $('#col-options'), sources: $('#sources-drop').closest('.panel') };
}

// Moves the run tab's panels into tab's [data-borrow] slots, or home.
function placePanels(tab) {
  const panels = borrowedPanels();
  if (!layouts.home) {
    layouts.home = Object.entries(panels).map(([k, e]) => [k, e, e.parentNode, e.nextSibling]);
  }
  const view = $(`#${tab}-view`);
  const slots = view && tab !== 'run' && tab !== 'jobs' ? view.querySelectorAll('[data-borrow]') : [];
  if (slots.length) {
    for (const slot of slots) slot.append(panels[slot.dataset.borrow]);
    return;
  }
  for (const [, e, parent, next] of layouts.home) {
    if (e.parentNode !== parent) parent.insertBefore(e, next);
  }
}

document.addEventListener('facefuse:ready', () => {
  for (const name of state.ui.layouts || []) {
    if (name !== 'webcam' && name !== 'benchmark') continue;
    if (!TABS.includes(name)) TABS.push(name);
    const link = document.querySelector(`.tab[data-tab="${name}"]`);
    if (link) link.hidden = false;
  }
  $('#about').textContent = `${state.ui.name || 'facefuse'} ${state.ui.version || ''}`.trim();
});

document.addEventListener('facefuse:tab', (e) => placePanels(e.detail));

$('#about').addEventListener('click', () => {
  $('#about-name').textContent = state.ui.name || 'facefuse';
  $('#about-version').textContent = `version ${state.ui.version || '?'} · served by this machine`;
  $('#about-dialog').showModal();
});
$('#about-close').addEventListener('click', () => $('#about-dialog').close());
