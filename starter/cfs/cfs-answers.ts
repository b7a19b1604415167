/**
 * CFS lab: your answers to the multiple-choice questions (labs/cfs/README.md, "Questions"), each with
 * the evidence from your own runs of the public burst. One command prints every value:
 *
 *   npm run sim -- --config traces/cfs-homework.json --cfs-interval-sweep 0,5,10,20,40
 *
 * A choice is 'a', 'b', 'c' or 'd'. Evidence values are numbers as that command prints them (seconds,
 * milliseconds, percent, counts). An answer counts only when its choice is right and its evidence
 * matches what the grader measures with your scheduler (within 2%; percentages within 1 point).
 */
export type Choice = 'a' | 'b' | 'c' | 'd' | null;

export interface CfsAnswers {
  /** Q1: vLLM's default policy. Evidence at interval 0: the TTFT of prompts 10 and 40 (s). */
  q1: { choice: Choice; ttftPrompt10S: number | null; ttftPrompt40S: number | null };
  /** Q2: what keeps vLLM from batching every prompt. Evidence at interval 0: GPU blocks, peak GPU KV %, pending requests at that peak. */
  q2: { choice: Choice; gpuBlocks: number | null; peakGpuKvPercent: number | null; pendingAtPeak: number | null };
  /** Q3: how CFS lowers TTFT. Evidence: P99 TTFT at intervals 0 and 10 (s). */
  q3: { choice: Choice; p99TtftFcfsS: number | null; p99TtftCfs10S: number | null };
  /** Q4: what is swapped. Evidence: CPU blocks; at interval 10, peak CPU KV % and peak swapped requests. */
  q4: {
    choice: Choice;
    cpuBlocks: number | null;
    peakCpuKvPercentCfs10: number | null;
    peakSwappedCfs10: number | null;
  };
  /** Q5: the main trade-off. Evidence: mean TPOT at intervals 0 and 10 (ms). */
  q5: { choice: Choice; meanTpotFcfsMs: number | null; meanTpotCfs10Ms: number | null };
  /** Q6: a larger interval. Evidence: P99 TTFT (s) and mean TPOT (ms) at intervals 5 and 40. */
  q6: {
    choice: Choice;
    p99TtftCfs5S: number | null;
    p99TtftCfs40S: number | null;
    meanTpotCfs5Ms: number | null;
    meanTpotCfs40Ms: number | null;
  };
}

export const answers: CfsAnswers = {
  q1: { choice: null, ttftPrompt10S: null, ttftPrompt40S: null },
  q2: { choice: null, gpuBlocks: null, peakGpuKvPercent: null, pendingAtPeak: null },
  q3: { choice: null, p99TtftFcfsS: null, p99TtftCfs10S: null },
  q4: { choice: null, cpuBlocks: null, peakCpuKvPercentCfs10: null, peakSwappedCfs10: null },
  q5: { choice: null, meanTpotFcfsMs: null, meanTpotCfs10Ms: null },
  q6: { choice: null, p99TtftCfs5S: null, p99TtftCfs40S: null, meanTpotCfs5Ms: null, meanTpotCfs40Ms: null },
};
