// Charts of the analytics dashboard and the automation report, drawn by Chart.js on a canvas.
// Only pages loaded on demand import this file, so Chart.js never reaches the counter screen's
// bundle. Every chart sits next to a table with the same figures (readable, and exportable).
import { useEffect, useRef } from "preact/hooks";
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Filler,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
  type ChartConfiguration,
} from "chart.js";

Chart.register(BarController, BarElement, CategoryScale, LinearScale, LineController, LineElement, PointElement,
  Filler, Legend, Tooltip);

const accent = "#0f766e";
const muted = "#8a8f98";

function useChart(config: () => ChartConfiguration, deps: unknown[]) {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    if (!canvas.current) return undefined;
    const chart = new Chart(canvas.current, config());
    return () => chart.destroy();
  }, deps);
  return canvas;
}

export function BarChart({ labels, values, label, horizontal }: {
  labels: string[];
  values: number[];
  label: string;
  horizontal?: boolean;
}) {
  const canvas = useChart(
    () => ({
      type: "bar",
      data: { labels, datasets: [{ label, data: values, backgroundColor: accent }] },
      options: {
        indexAxis: horizontal ? "y" : "x",
        animation: false,
        maintainAspectRatio: false,
        plugins: { legend: { display: false } },
      },
    }),
    [labels.join("\u0001"), values.join(","), label, horizontal],
  );
  return (
    <div class="chart-box">
      <canvas ref={canvas} role="img" aria-label={label} />
    </div>
  );
}

// The Pareto curve: share of revenue (y) of the best x % of customers, against the diagonal.
export function ParetoChart({ curve, label }: { curve: number[]; label: string }) {
  const points = curve.length - 1;
  const labels = curve.map((_, k) => `${Math.round((100 * k) / points)}%`);
  const canvas = useChart(
    () => ({
      type: "line",
      data: {
        labels,
        datasets: [
          { label, data: curve.map((v) => v * 100), borderColor: accent, backgroundColor: "rgba(15,118,110,0.15)",
            fill: true, pointRadius: 0 },
          { label: "", data: curve.map((_, k) => (100 * k) / points), borderColor: muted, borderDash: [4, 4],
            pointRadius: 0 },
        ],
      },
      options: {
        animation: false,
        maintainAspectRatio: false,
        plugins: { legend: { display: false } },
        scales: { y: { min: 0, max: 100 } },
      },
    }),
    [curve.join(","), label],
  );
  return (
    <div class="chart-box">
      <canvas ref={canvas} role="img" aria-label={label} />
    </div>
  );
}

// The model check's tracking curve: cumulative repeat visits by week, actual against predicted,
// with the calibration end marked by the label of its week.
export function TrackingChart({ weeks, actual, predicted, label, actualLabel, predictedLabel }: {
  weeks: string[];
  actual: number[];
  predicted: number[];
  label: string;
  actualLabel: string;
  predictedLabel: string;
}) {
  const canvas = useChart(
    () => ({
      type: "line",
      data: {
        labels: weeks,
        datasets: [
          { label: actualLabel, data: actual, borderColor: accent, pointRadius: 0 },
          { label: predictedLabel, data: predicted, borderColor: muted, borderDash: [4, 4], pointRadius: 0 },
        ],
      },
      options: {
        animation: false,
        maintainAspectRatio: false,
        plugins: { legend: { display: true } },
        scales: { y: { min: 0 } },
      },
    }),
    [weeks.join(","), actual.join(","), predicted.join(","), label, actualLabel, predictedLabel],
  );
  return (
    <div class="chart-box">
      <canvas ref={canvas} role="img" aria-label={label} />
    </div>
  );
}

// Bars side by side, one colour per series: a campaign's treated and control groups, an
// automation's visit funnel before and after it was switched on.
export function GroupedBarChart({ labels, series, label }: {
  labels: string[];
  series: { label: string; values: number[] }[];
  label: string;
}) {
  const colours = [accent, muted];
  const canvas = useChart(
    () => ({
      type: "bar",
      data: {
        labels,
        datasets: series.map((s, i) => ({ label: s.label, data: s.values, backgroundColor: colours[i % colours.length] })),
      },
      options: {
        animation: false,
        maintainAspectRatio: false,
        plugins: { legend: { display: true } },
        scales: { y: { min: 0 } },
      },
    }),
    [labels.join("\u0001"), series.map((s) => `${s.label}:${s.values.join(",")}`).join("|"), label],
  );
  return (
    <div class="chart-box">
      <canvas ref={canvas} role="img" aria-label={label} />
    </div>
  );
}
