// The console's one HTML page and its style sheet. The page is a shell: app.js (compiled from
// console/web/app.ts) renders each view into <main> from the JSON API. No external resource: the
// console works offline.

export function consolePage(): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Petrel console</title>
<link rel="stylesheet" href="/app/style.css">
<script type="module" src="/app/app.js"></script>
</head>
<body>
<header>
  <strong>Petrel</strong>
  <nav>
    <a href="#/map">Cluster map</a>
    <a href="#/timeline">Failover timeline</a>
    <a href="#/topics">Topics</a>
    <a href="#/groups">Consumer groups</a>
    <a href="#/messages">Messages</a>
    <a href="#/charts">Live charts</a>
  </nav>
  <label class="token">Admin token <input id="token" type="password" autocomplete="off"></label>
</header>
<main id="view" aria-live="polite">Loading…</main>
<footer id="status"></footer>
</body>
</html>
`;
}

export const CONSOLE_CSS = `
:root { --ok: #1a7f37; --bad: #cf222e; --warn: #9a6700; --line: #d0d7de; --muted: #57606a; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, sans-serif; color: #1f2328; background: #f6f8fa; }
header { display: flex; gap: 1.5rem; align-items: center; padding: .6rem 1rem;
  background: #24292f; color: #fff; }
header nav { display: flex; gap: 1rem; flex-wrap: wrap; }
header a { color: #c9d1d9; text-decoration: none; }
header a.active { color: #fff; border-bottom: 2px solid #fff; }
header .token { margin-left: auto; font-size: 12px; }
main { padding: 1rem; }
footer { padding: .3rem 1rem; color: var(--muted); font-size: 12px; }
h2 { margin: 0 0 .8rem; font-size: 18px; }
h3 { margin: .2rem 0 .5rem; font-size: 15px; }
table { border-collapse: collapse; background: #fff; margin-bottom: 1rem; }
th, td { border: 1px solid var(--line); padding: .25rem .55rem; text-align: left; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.groups { display: flex; flex-wrap: wrap; gap: 1rem; }
.group { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: .8rem;
  min-width: 22rem; }
.member { border-left: 4px solid var(--line); padding: .3rem .6rem; margin: .4rem 0; }
.member.master { border-color: var(--ok); }
.member.silent { border-color: var(--bad); }
.member.dead { border-color: var(--bad); background: #ffebe9; }
.member.took-over { background: #dafbe1; }
.badge { display: inline-block; padding: 0 .4rem; border-radius: 1rem; font-size: 12px;
  background: #eaeef2; margin-left: .3rem; }
.badge.bad { background: var(--bad); color: #fff; }
.badge.ok { background: var(--ok); color: #fff; }
.badge.warn { background: var(--warn); color: #fff; }
.error { color: var(--bad); }
.muted { color: var(--muted); }
form { display: flex; gap: .5rem; flex-wrap: wrap; align-items: end; margin: .5rem 0 1rem; }
form label { display: flex; flex-direction: column; font-size: 12px; }
input, select, button { font: inherit; padding: .2rem .4rem; }
.chart { background: #fff; border: 1px solid var(--line); margin: 0 1rem 1rem 0;
  display: inline-block; }
.chart text { font-size: 11px; fill: var(--muted); }
.timeline li { margin: .3rem 0; }
`;
