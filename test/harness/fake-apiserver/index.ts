// A fake Kubernetes API server on loopback that speaks the REST + watch protocol
// @kubernetes/client-node uses, for integration tests of the controller and webhook server:
//
//   const server = await startFakeApiServer({ crds, namespaces: ['default', 'ci'] });
//   const kc = server.kubeConfig();                       // hand this to the controller
//   server.jobs.behave((job, attempt) => ({ outcome: attempt === 0 ? 'disrupt' : 'succeed' }));
//   server.faults.inject({ verb: 'create', resource: 'jobs', status: 500, times: 3 });
//   await server.waitFor(() => server.store.get('runs', 'ci', 'r1')?.status, 5000, 'run status');
//   await server.close();
//
// server.ts holds the entry point and the test-facing controls; the other files each emulate
// one part of the real server (see their header comments).
export { startFakeApiServer } from './server.ts';
export type { FakeApiServer, FakeApiServerOptions, JobControls, RequestQuery, RequestVerb, StoreView, WatchControls } from './server.ts';
export type { Fault, FaultSpec, RequestMatch, Verb } from './faults.ts';
export type { RequestRecord } from './http.ts';
export type { JobBehaviour, JobControllerOptions, PodBehaviour, PodOutcome } from './job-controller.ts';
export type { StoreEvent, EventType } from './store.ts';
export type { WatchInfo } from './watch.ts';
export type { KubeObject, ObjectMeta, OwnerReference } from './types.ts';
export type { Status, StatusCause, StatusReason } from './status.ts';
export { PATCH_TYPES } from './patch.ts';
