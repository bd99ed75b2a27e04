import { readFileSync, statfsSync } from 'node:fs';
import { cpus, totalmem, freemem } from 'node:os';

import { Counter, Gauge, type Registry } from 'prom-client';

type CpuMode = 'user' | 'nice' | 'sys' | 'idle' | 'irq';
const CPU_MODES: readonly CpuMode[] = ['user', 'nice', 'sys', 'idle', 'irq'];

function cpuTotals(): Record<CpuMode, number> {
  const totals: Record<CpuMode, number> = { user: 0, nice: 0, sys: 0, idle: 0, irq: 0 };
  for (const cpu of cpus()) for (const mode of CPU_MODES) totals[mode] += cpu.times[mode];
  return totals;
}

/** MemAvailable is what the kernel can hand out without swapping; MemFree undercounts (page cache). */
export function readAvailableMemory(): number {
  try {
    const match = /^MemAvailable:\s+(\d+) kB/m.exec(readFileSync('/proc/meminfo', 'utf8'));
    if (match?.[1]) return Number(match[1]) * 1024;
  } catch {
    // not Linux: fall back to what Node reports
  }
  return freemem();
}

export interface NetworkCounters {
  device: string;
  receiveBytes: number;
  transmitBytes: number;
}

/** Parses /proc/net/dev; loopback is left out because it is not traffic leaving the host. */
export function parseNetDev(text: string): NetworkCounters[] {
  const result: NetworkCounters[] = [];
  for (const line of text.split('\n').slice(2)) {
    const [name, rest] = line.split(':');
    if (!name || rest === undefined) continue;
    const device = name.trim();
    if (device === 'lo') continue;
    const fields = rest.trim().split(/\s+/).map(Number);
    result.push({ device, receiveBytes: fields[0] ?? 0, transmitBytes: fields[8] ?? 0 });
  }
  return result;
}

function readNetwork(): NetworkCounters[] {
  try {
    return parseNetDev(readFileSync('/proc/net/dev', 'utf8'));
  } catch {
    return [];
  }
}

/**
 * Host CPU, memory, disk (of the data directory's file system) and network, in the shape
 * node_exporter uses, so the alert rules read the same on one machine and in a fleet.
 */
export function registerHostMetrics(registry: Registry, options: { diskPaths: string[] }): void {
  let lastCpu = cpuTotals();
  const cpuSeconds = new Counter({
    name: 'host_cpu_seconds_total',
    help: 'CPU time of all cores of the host, by mode',
    labelNames: ['mode'] as const,
    registers: [registry],
    collect() {
      const now = cpuTotals();
      for (const mode of CPU_MODES) {
        // os.cpus() times are milliseconds since boot; a counter only moves forward
        const delta = Math.max(0, now[mode] - lastCpu[mode]);
        this.inc({ mode }, delta / 1000);
      }
      lastCpu = now;
    },
  });
  // start every mode at its since-boot total so rate() works from the first scrape
  for (const mode of CPU_MODES) cpuSeconds.inc({ mode }, lastCpu[mode] / 1000);
  new Gauge({
    name: 'host_cpu_cores',
    help: 'Number of logical CPU cores',
    registers: [registry],
    collect() {
      this.set(cpus().length);
    },
  });
  new Gauge({
    name: 'host_memory_total_bytes',
    help: 'Physical memory of the host',
    registers: [registry],
    collect() {
      this.set(totalmem());
    },
  });
  new Gauge({
    name: 'host_memory_available_bytes',
    help: 'Memory available to new work without swapping (MemAvailable)',
    registers: [registry],
    collect() {
      this.set(readAvailableMemory());
    },
  });
  const diskLabels = ['path'] as const;
  const readDisk = (path: string): { total: number; free: number } | undefined => {
    try {
      const stats = statfsSync(path);
      return { total: stats.blocks * stats.bsize, free: stats.bavail * stats.bsize };
    } catch {
      return undefined;
    }
  };
  new Gauge({
    name: 'host_disk_total_bytes',
    help: 'Size of the file system holding the path',
    labelNames: diskLabels,
    registers: [registry],
    collect() {
      for (const path of options.diskPaths) {
        const disk = readDisk(path);
        if (disk) this.set({ path }, disk.total);
      }
    },
  });
  new Gauge({
    name: 'host_disk_free_bytes',
    help: 'Space available to unprivileged writers on the file system holding the path',
    labelNames: diskLabels,
    registers: [registry],
    collect() {
      for (const path of options.diskPaths) {
        const disk = readDisk(path);
        if (disk) this.set({ path }, disk.free);
      }
    },
  });
  // kernel byte counters are already monotonic: expose them as gauges named _total like node_exporter
  new Gauge({
    name: 'host_network_receive_bytes_total',
    help: 'Bytes received by the host, by network device',
    labelNames: ['device'] as const,
    registers: [registry],
    collect() {
      for (const net of readNetwork()) this.set({ device: net.device }, net.receiveBytes);
    },
  });
  new Gauge({
    name: 'host_network_transmit_bytes_total',
    help: 'Bytes sent by the host, by network device',
    labelNames: ['device'] as const,
    registers: [registry],
    collect() {
      for (const net of readNetwork()) this.set({ device: net.device }, net.transmitBytes);
    },
  });
}
