// The planner: pure decisions shared by the controller and the local runner.
export { PlanEngine, DEADLINE_GRACE_SECONDS, type JobObservation, type StopAction } from './engine.ts';
export { plan, statusChanged, type Plan, type PlanInput } from './plan.ts';
export { snapshotOf, selectJobs, SnapshotError, type RunSnapshot } from './snapshot.ts';
export { buildGraph, isFinallyJob, type Graph } from './graph.ts';
export { filterMiss } from './when.ts';
export { globToRegExp, matchesAny } from './glob.ts';
export { runEnv, jobEnv, parseResults, TERMINATION_MESSAGE_PATH, type ParsedResults } from './env.ts';
export { renderJob, renderRunConfigMap, runLabels, LABELS, INJECT_ENV_ANNOTATION, WORKSPACE_VOLUME } from './render-job.ts';
export { joinName, jobObjectName, notifyJobObjectName, runConfigMapName, workspaceClaimName } from './names.ts';
export { levels } from './levels.ts';
