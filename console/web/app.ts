// The console's page script: routes #/<view>?<params> to a view, re-renders the live views on a
// timer (one request at a time, never piling up), and shows errors in the footer.

import { setToken, token } from './api.js';
import { renderCharts } from './charts-view.js';
import { renderGroups } from './groups-view.js';
import { renderMap } from './map-view.js';
import { renderMessages } from './messages-view.js';
import { renderTimeline } from './timeline-view.js';
import { renderTopics } from './topics-view.js';

interface Route {
  render: (view: HTMLElement, params: URLSearchParams) => Promise<void> | void;
  /** Re-render this often (ms); 0: only when the route changes (views with forms). */
  refreshMs: number;
}

const ROUTES: Readonly<Record<string, Route>> = {
  map: { render: renderMap, refreshMs: 1000 },
  timeline: { render: renderTimeline, refreshMs: 2000 },
  topics: { render: renderTopics, refreshMs: 0 },
  groups: { render: renderGroups, refreshMs: 0 },
  messages: { render: renderMessages, refreshMs: 0 },
  charts: { render: renderCharts, refreshMs: 1000 },
};

let generation = 0;

function current(): { name: string; params: URLSearchParams } {
  const [path = '', search = ''] = location.hash.replace(/^#\/?/, '').split('?');
  return { name: path in ROUTES ? path : 'map', params: new URLSearchParams(search) };
}

async function show(): Promise<void> {
  const mine = ++generation;
  const { name, params } = current();
  const route = ROUTES[name]!;
  const view = document.getElementById('view')!;
  const status = document.getElementById('status')!;
  for (const a of document.querySelectorAll('header nav a')) {
    a.classList.toggle('active', a.getAttribute('href') === `#/${name}`);
  }
  view.dataset['view'] = name;
  for (;;) {
    try {
      await route.render(view, params);
      if (mine !== generation) return;
      status.textContent = `updated ${new Date().toLocaleTimeString()}`;
      view.dataset['loaded'] = String(Number(view.dataset['loaded'] ?? 0) + 1);
    } catch (error) {
      status.textContent = `error: ${error instanceof Error ? error.message : String(error)}`;
    }
    if (route.refreshMs === 0) return;
    await new Promise((resolve) => setTimeout(resolve, route.refreshMs));
    if (mine !== generation) return;
  }
}

const tokenInput = document.getElementById('token') as HTMLInputElement;
tokenInput.value = token();
tokenInput.addEventListener('change', () => setToken(tokenInput.value));
window.addEventListener('hashchange', () => void show());
void show();
