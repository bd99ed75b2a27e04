import { BarChart, HeatmapChart, LineChart } from 'echarts/charts';
import { DatasetComponent, GridComponent, LegendComponent, TooltipComponent, VisualMapComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { useEffect, useRef } from 'react';

// only the chart types the dashboards draw: keeps the back-office bundle small
echarts.use([BarChart, LineChart, HeatmapChart, GridComponent, TooltipComponent, LegendComponent, VisualMapComponent, DatasetComponent, CanvasRenderer]);

export type ChartOption = echarts.EChartsCoreOption;

/** Okabe–Ito: distinguishable with every common colour-vision deficiency. */
export const PALETTE = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#8C7A00', '#333333'];

/** A light-to-dark single-hue ramp for heat maps (readable in greyscale too). */
export const HEAT_RAMP = ['#f1f7f6', '#bfe0da', '#7cbfb3', '#3d9a8b', '#1f4d45'];

interface ChartProps {
  /** What the chart shows, read by screen readers and used as the PNG file name. */
  title: string;
  option: ChartOption;
  height?: number;
  /** One line under the chart saying how to read it. */
  explanation: string;
}

function fileName(title: string): string {
  return `${title.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '')}.png`;
}

/** An ECharts chart that follows its container's size, with a "Download PNG" button. */
export function Chart({ title, option, height = 320, explanation }: ChartProps) {
  const element = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | null>(null);

  useEffect(() => {
    if (!element.current) return;
    const instance = echarts.init(element.current, undefined, { renderer: 'canvas' });
    chart.current = instance;
    const observer = new ResizeObserver(() => instance.resize());
    observer.observe(element.current);
    return () => {
      observer.disconnect();
      instance.dispose();
      chart.current = null;
    };
  }, []);

  useEffect(() => {
    chart.current?.setOption({ color: PALETTE, textStyle: { fontFamily: 'inherit' }, animationDuration: 300, ...option }, { notMerge: true });
  }, [option]);

  const download = (): void => {
    const url = chart.current?.getDataURL({ type: 'png', pixelRatio: 2, backgroundColor: '#ffffff' });
    if (!url) return;
    const link = document.createElement('a');
    link.href = url;
    link.download = fileName(title);
    link.click();
  };

  return (
    <figure className="insight-chart">
      <figcaption className="insight-chart__head">
        <h3>{title}</h3>
        <button type="button" className="button button--secondary button--small" onClick={download} aria-label={`Download “${title}” as PNG`}>
          PNG
        </button>
      </figcaption>
      <div ref={element} className="insight-chart__canvas" style={{ height }} role="img" aria-label={`${title}. ${explanation}`} data-chart={fileName(title)} />
      <p className="insight-explain">{explanation}</p>
    </figure>
  );
}
