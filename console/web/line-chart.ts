// A line chart as SVG: one or more series over the same time axis, scaled to the largest value.
// Small on purpose: the console draws three charts of a few hundred points.

const NS = 'http://www.w3.org/2000/svg';

export interface Series {
  name: string;
  color: string;
  values: readonly number[];
}

function el(tag: string, attrs: Record<string, string | number>): SVGElement {
  const node = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  return node;
}

export function lineChart(
  title: string,
  times: readonly number[],
  series: readonly Series[],
): SVGElement {
  const width = 520;
  const height = 180;
  const pad = { left: 48, right: 10, top: 22, bottom: 20 };
  const svg = el('svg', { width, height, class: 'chart', role: 'img', 'aria-label': title });
  const max = Math.max(1, ...series.flatMap((s) => s.values));
  const t0 = times[0] ?? 0;
  const span = Math.max(1, (times.at(-1) ?? 0) - t0);
  const x = (t: number) => pad.left + ((t - t0) / span) * (width - pad.left - pad.right);
  const y = (v: number) => height - pad.bottom - (v / max) * (height - pad.top - pad.bottom);
  const text = (content: string, attrs: Record<string, string | number>) => {
    const node = el('text', attrs);
    node.textContent = content;
    svg.append(node);
  };
  text(title, { x: pad.left, y: 14 });
  text(max.toFixed(max < 10 ? 1 : 0), { x: 4, y: pad.top + 8 });
  text('0', { x: 4, y: height - pad.bottom });
  text(`${Math.round(span / 1000)} s`, { x: width - 40, y: height - 4 });
  svg.append(
    el('line', {
      x1: pad.left,
      y1: height - pad.bottom,
      x2: width - pad.right,
      y2: height - pad.bottom,
      stroke: '#d0d7de',
    }),
  );
  series.forEach((s, i) => {
    const points = s.values
      .map((v, j) => `${x(times[j] ?? t0).toFixed(1)},${y(v).toFixed(1)}`)
      .join(' ');
    svg.append(
      el('polyline', {
        points,
        fill: 'none',
        stroke: s.color,
        'stroke-width': 2,
        'data-series': s.name,
      }),
    );
    text(`${s.name}: ${(s.values.at(-1) ?? 0).toFixed(1)}`, {
      x: width - 150,
      y: 14 + i * 12,
      fill: s.color,
    });
  });
  return svg;
}
