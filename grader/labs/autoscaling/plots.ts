/** The autoscaling lab's report charts (Vega-Lite specs, rendered by grader/report); they live in sim/report/ so the sim CLI draws the same. */
export {
  arrivalRate,
  frontChart,
  replicasChart,
  replicaSteps,
  type NamedSeries,
} from '../../../sim/report/autoscaling-charts.js';
