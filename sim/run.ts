/** The library entry point: config in, simulated run and summary out. No files are touched here. */
import { buildSimulation, type BuildOptions } from './config/build.js';
import { parseConfig, type SimulationConfig, type SimulationConfigInput } from './config/schema.js';
import { Simulator, type SimulationResult } from './engine/simulator.js';
import { summarize, type RunSummary } from './metrics/summary.js';

export interface RunOutput {
  readonly config: SimulationConfig;
  readonly result: SimulationResult;
  readonly summary: RunSummary;
}

export interface RunOptions extends BuildOptions {
  /** Called with the simulator before it runs (e.g. to hand an observer its cluster). */
  readonly onSimulator?: (simulator: Simulator) => void;
}

export function runSimulation(input: SimulationConfigInput | SimulationConfig, options: RunOptions = {}): RunOutput {
  const config = parseConfig(input);
  const simulator = new Simulator(buildSimulation(config, options));
  options.onSimulator?.(simulator);
  const result = simulator.run();
  return { config, result, summary: summarize(result, { tierDeadlines: config.tierDeadlines }) };
}
