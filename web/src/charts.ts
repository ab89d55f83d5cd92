/**
 * Charts with uPlot: line charts (loss curves: metric value per step) and grouped bar charts
 * (metric per configuration). Each chart also carries a text summary for screen readers.
 */
import uPlot from "uplot";
import { h } from "./ui.ts";

const COLOURS = ["#2563eb", "#d97706", "#059669", "#db2777", "#7c3aed", "#0891b2"];

/** Width the chart can take inside `container` (charts are redrawn at this width on resize). */
function widthOf(container: HTMLElement): number {
  return Math.max(240, Math.min(container.clientWidth || 600, 900));
}

function mount(container: HTMLElement, make: (width: number) => uPlot): void {
  const chart = make(widthOf(container));
  const observer = new ResizeObserver(() => {
    const width = widthOf(container);
    if (Math.abs(width - chart.width) > 4) chart.setSize({ width, height: chart.height });
  });
  observer.observe(container);
  // stop observing once the chart leaves the page (navigation replaces the page's nodes)
  const detach = new MutationObserver(() => {
    if (!container.isConnected) {
      observer.disconnect();
      detach.disconnect();
      chart.destroy();
    }
  });
  detach.observe(document.body, { childList: true, subtree: true });
}

export interface LineSeries {
  name: string;
  points: { x: number; y: number }[];
}

/** Lines over a shared x axis (steps); each series keeps its own points, gaps elsewhere. */
export function lineChart(title: string, series: LineSeries[], xLabel = "step"): HTMLElement {
  const xs = [...new Set(series.flatMap((s) => s.points.map((p) => p.x)))].sort((a, b) => a - b);
  const data: uPlot.AlignedData = [
    xs,
    ...series.map((s) => {
      const byX = new Map(s.points.map((p) => [p.x, p.y]));
      return xs.map((x) => byX.get(x) ?? null);
    }),
  ];
  const plot = h("div", { class: "chart", role: "img", "aria-label": describeLines(title, series) });
  const figure = h("figure", { class: "chart-figure" }, h("figcaption", {}, title), plot);
  requestAnimationFrame(() =>
    mount(
      plot,
      (width) =>
        new uPlot(
          {
            width,
            height: 220,
            scales: { x: { time: false } },
            axes: [{ label: xLabel }, {}],
            series: [
              { label: xLabel },
              ...series.map((s, i) => ({
                label: s.name,
                stroke: COLOURS[i % COLOURS.length],
                width: 2,
                spanGaps: true,
              })),
            ],
          },
          data,
          plot,
        ),
    ),
  );
  return figure;
}

function describeLines(title: string, series: LineSeries[]): string {
  const parts = series.map((s) => {
    const first = s.points[0];
    const last = s.points[s.points.length - 1];
    return first && last
      ? `${s.name} from ${first.y.toPrecision(4)} to ${last.y.toPrecision(4)} over ${s.points.length} points`
      : s.name;
  });
  return `${title}: ${parts.join("; ")}`;
}

export interface BarGroup {
  label: string;
  values: (number | null)[];
}

/**
 * Grouped bars: one group per configuration, one bar per series (e.g. train and held-out). Each
 * bar has its own slot on the x axis (groups are separated by an empty slot), so plain uPlot
 * bars need no offsets.
 */
export function barChart(title: string, seriesNames: string[], groups: BarGroup[]): HTMLElement {
  const count = seriesNames.length;
  const slot = (g: number, s: number) => g * (count + 1) + s;
  const xs = groups.flatMap((_, g) => seriesNames.map((_n, s) => slot(g, s)));
  const data: uPlot.AlignedData = [
    xs,
    ...seriesNames.map((_, s) =>
      xs.map((x) =>
        x % (count + 1) === s ? (groups[Math.floor(x / (count + 1))]?.values[s] ?? null) : null,
      ),
    ),
  ];
  const summary = groups
    .map(
      (g) =>
        `${g.label}: ${seriesNames.map((n, s) => `${n} ${g.values[s]?.toFixed(4) ?? "n/a"}`).join(", ")}`,
    )
    .join("; ");
  const plot = h("div", { class: "chart", role: "img", "aria-label": `${title}. ${summary}` });
  const figure = h("figure", { class: "chart-figure" }, h("figcaption", {}, title), plot);
  const bars = uPlot.paths.bars?.({ size: [0.9, 80] });
  const centre = (g: number) => g * (count + 1) + (count - 1) / 2;
  requestAnimationFrame(() =>
    mount(
      plot,
      (width) =>
        new uPlot(
          {
            width,
            height: 240,
            scales: {
              x: { time: false, range: [-0.7, slot(groups.length - 1, count - 1) + 0.7] },
              y: { range: (_u, _min, max) => [0, Math.max(1, max)] },
            },
            axes: [
              {
                splits: () => groups.map((_, g) => centre(g)),
                values: (_u, splits) => splits.map((v) => groups[Math.round(v / (count + 1))]?.label ?? ""),
              },
              {},
            ],
            series: [
              {
                label: "configuration",
                value: (_u, v) => (v === null ? "" : (groups[Math.floor(v / (count + 1))]?.label ?? "")),
              },
              ...seriesNames.map((name, i) => ({
                label: name,
                fill: COLOURS[i % COLOURS.length],
                stroke: COLOURS[i % COLOURS.length],
                paths: bars,
                points: { show: false },
              })),
            ],
          },
          data,
          plot,
        ),
    ),
  );
  return figure;
}
