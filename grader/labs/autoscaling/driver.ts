/**
 * The autoscaling lab's child side: runs in the sandbox with the student's files bundled in. Unit
 * items run their probes (probes.ts); the efficiency item times the student's envelope; the
 * simulation items run the student's autoscalers and return every non-zero tune() decision, which
 * the parent replays in its own engine. Scores are computed by the parent, never here.
 */
import { CustomAutoscaler } from '@student/custom-autoscaler.js';
import { INFERLINE_CONFIG, InferlineAutoscaler } from '@student/inferline-autoscaler.js';
import { NetworkEnvelope } from '@student/network-envelope.js';
import { LorRouter, RoundRobinRouter } from '@student/scaling-routers.js';
import { childTask, serveLab } from '../../kit/driver.js';
import { describeThrown } from '../../kit/instance-hook.js';
import { PROBES } from './probes.js';
import { measureScaling } from './scaling.js';
import { ScalingInput, SimInput, type AutoscalerRun, type Level, type SimOutput, type SimRun } from './schemas.js';
import { recordDecisions, simulateCluster } from './simulate.js';
import type { AutoscalingModule } from './student.js';

const STUDENT_DIR = 'starter/autoscaling';

const module: AutoscalingModule = {
  routers: { RoundRobinRouter, LorRouter },
  envelope: { NetworkEnvelope },
  inferline: { InferlineAutoscaler, INFERLINE_CONFIG },
  custom: { CustomAutoscaler },
};

/** INFERLINE_CONFIG as plain data, whatever the student put in it. */
function plainConfig(config: object): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(config))
    out[k] = typeof v === 'number' ? (Number.isFinite(v) ? v : String(v)) : String(v);
  return out;
}

function simulate(m: AutoscalingModule, run: SimRun, level: Level): AutoscalerRun {
  const { INFERLINE_CONFIG: config } = m.inferline;
  const rec = recordDecisions(
    level === 0 ? new m.inferline.InferlineAutoscaler(config) : new m.custom.CustomAutoscaler(level),
  );
  simulateCluster(run.requests, { autoscaler: rec.autoscaler });
  const base = { label: run.label, level, tuneInterval: rec.autoscaler.tuneInterval, deltas: rec.deltas };
  return level === 0 ? { ...base, config: plainConfig(config) } : base;
}

serveLab<AutoscalingModule>({
  module,
  studentDir: STUDENT_DIR,
  probes: PROBES,
  tasks: {
    scaling: childTask(ScalingInput, (input, m) => ({ attempts: measureScaling(input, m.envelope.NetworkEnvelope) })),
    simulate: childTask(SimInput, (input, m): SimOutput => {
      const out: SimOutput = { runs: [], errors: [] };
      for (const run of input.runs)
        for (const level of input.levels) {
          try {
            out.runs.push(simulate(m, run, level));
          } catch (err) {
            // The timeline run must not fail the scored ones: the report simply has no timeline.
            if (input.keepGoing) out.errors.push({ label: run.label, level, error: describeThrown(err, STUDENT_DIR) });
            else if (run.timelineOnly !== true) throw err;
          }
        }
      return out;
    }),
  },
});
