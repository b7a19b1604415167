/**
 * A lab's engine runs, built the same way in every lab: a config that writes no output files and
 * shows no progress (the grader and the sandboxed child run many simulations in one process), and
 * one run of a simulation built from it.
 */
import { buildSimulation, type BuildOptions } from '../../sim/config/build.js';
import { parseConfig, type SimulationConfig } from '../../sim/config/schema.js';
import { Simulator, type SimulationResult } from '../../sim/engine/simulator.js';

/** `fields` as a quiet config (no output files, no progress bar); `source` names it in validation errors. */
export const quietConfig = (fields: Readonly<Record<string, unknown>>, source?: string): SimulationConfig =>
  parseConfig({ ...fields, writeOutputs: false, progress: 'off' }, source);

/** One run of `config` with the lab's requests, policies and observers. */
export const runSimulation = (config: SimulationConfig, options: BuildOptions): SimulationResult =>
  new Simulator(buildSimulation(config, options)).run();
