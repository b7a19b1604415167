/**
 * Picks the execution-time model for a (model, device, TP) triple:
 * - 'fitted': the committed tables in sim/predictor/fitted (derived from Vidur's public A100 profiles);
 * - 'profiles': tables built from a Vidur-format profile directory at start-up;
 * - 'roofline': the calibrated roofline, for anything without profiles;
 * - 'auto': 'fitted' when committed tables exist, otherwise 'roofline' (and says so).
 */
import type { DeviceSpec } from '../catalog/devices.js';
import type { ModelSpec } from '../catalog/models.js';
import { InputError } from '../errors.js';
import type { ExecutionTimeModel } from './execution-time-model.js';
import { FITTED_FILES } from './fitted/index.js';
import { ProfileTableModel } from './profile-table-model.js';
import { RooflineModel } from './roofline.js';
import { parseFittedTables, type FittedTables } from './tables.js';

export type ExecutionModelKind = 'auto' | 'fitted' | 'profiles' | 'roofline';

export interface ExecutionModelOptions {
  readonly kind: ExecutionModelKind;
  readonly model: ModelSpec;
  readonly device: DeviceSpec;
  readonly tensorParallel: number;
  /** Vidur-format profile directory, required by kind 'profiles'. */
  readonly profilesDir?: string | undefined;
  /** Node folder under network/ for TP > 1 with kind 'profiles' (default "<device>_pairwise_nvlink"). */
  readonly network?: string | undefined;
  /** Told why 'auto' fell back to the roofline; defaults to console.warn. */
  readonly onFallback?: ((message: string) => void) | undefined;
}

export interface FittedEntry {
  readonly file: string;
  readonly tables: FittedTables;
}

/** The committed fitted tables, validated. */
export function fittedEntries(): FittedEntry[] {
  return FITTED_FILES.map(({ file, json }) => ({
    file,
    tables: parseFittedTables(json, `sim/predictor/fitted/${file}`),
  }));
}

const describeEntry = (t: FittedTables): string => `${t.model}/${t.device}/tp${t.tensorParallel}`;

/** Committed tables for the triple, or undefined. Throws if a matching file disagrees with the catalog. */
export function findFittedTables(
  model: ModelSpec,
  device: DeviceSpec,
  tensorParallel: number,
): FittedTables | undefined {
  const entry = fittedEntries().find(
    ({ tables: t }) => t.model === model.name && t.device === device.name && t.tensorParallel === tensorParallel,
  );
  if (!entry) return undefined;
  const t = entry.tables;
  if (t.hfId !== model.hfId || t.numLayers !== model.numLayers) {
    throw new InputError(
      `sim/predictor/fitted/${entry.file} was fitted for ${t.hfId} with ${t.numLayers} layers, but the catalog's ${model.name} is ${model.hfId} with ${model.numLayers} layers. ` +
        'Refit it with `npm run fit-model -- <profile dir>`',
    );
  }
  return t;
}

function missingFitted(model: ModelSpec, device: DeviceSpec, tp: number): string {
  const have =
    fittedEntries()
      .map((e) => describeEntry(e.tables))
      .join(', ') || 'none';
  return (
    `no fitted tables for ${model.name} on ${device.name} at TP ${tp} (committed: ${have}). ` +
    `Use kind 'roofline' or 'auto', or profile ${model.hfId} with Vidur's profiler and run \`npm run fit-model -- <profile dir>\``
  );
}

export function createExecutionModel(opts: ExecutionModelOptions): ExecutionTimeModel {
  const { kind, model, device, tensorParallel: tp } = opts;
  if (!Number.isInteger(tp) || tp < 1) throw new InputError(`tensorParallel must be a positive integer, got ${tp}`);
  switch (kind) {
    case 'fitted': {
      const tables = findFittedTables(model, device, tp);
      if (!tables) throw new InputError(missingFitted(model, device, tp));
      return ProfileTableModel.fromTables(tables);
    }
    case 'auto': {
      const tables = findFittedTables(model, device, tp);
      if (tables) return ProfileTableModel.fromTables(tables);
      const roofline = new RooflineModel(model, device, tp);
      (opts.onFallback ?? console.warn)(
        `${missingFitted(model, device, tp)}. Using ${roofline.name}; see docs/execution-model.md for its error on profiled models`,
      );
      return roofline;
    }
    case 'profiles': {
      if (opts.profilesDir === undefined) {
        throw new InputError(
          "kind 'profiles' needs profilesDir (--profiles DIR): a Vidur-format directory with compute/<device>/<hf id>/{mlp,attention}.csv and network/<node>/all_reduce.csv",
        );
      }
      return ProfileTableModel.fromProfiles(opts.profilesDir, {
        model,
        device: device.name,
        tensorParallel: tp,
        ...(opts.network !== undefined ? { network: opts.network } : {}),
      });
    }
    case 'roofline':
      return new RooflineModel(model, device, tp);
    default: {
      const unknown: never = kind;
      throw new InputError(
        `unknown execution model kind ${String(unknown)}; expected one of auto, fitted, profiles, roofline`,
      );
    }
  }
}
