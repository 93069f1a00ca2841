// observeJob(): what a Kubernetes Job and its Pods tell the planner — running or final, attempts
// spent, why it failed, and the results the containers left in their termination messages.
import { describe, expect, it } from 'vitest';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { Pod } from 'kubernetes-models/v1/Pod';
import type { IJob } from 'kubernetes-models/batch/v1/Job';
import type { IPod } from 'kubernetes-models/v1/Pod';
import type { JobObservation } from '../../../src/plan/engine.ts';
import { observeJob, podResults } from '../../../src/plan/observe-job.ts';
import { condition, JOB_CREATED, JOB_NAME, kubeJob, kubePod, withDates } from './kube-objects.ts';

const T = (s: number) => new Date(Date.parse('2024-05-01T10:00:00Z') + s * 1000).toISOString().replace('.000Z', 'Z');

const BACKOFF_MESSAGE = 'Job has reached the specified backoff limit';
const DEADLINE_MESSAGE = 'Job was active longer than specified deadline';
const POLICY_MESSAGE = 'Container main for pod ci/r1-build-5d41402a-x9k2p failed with exit code 42 matching FailJob rule at index 0';

const running = (name: string, created: string) => kubePod({ name, phase: 'Running', created, containers: [{ name: 'main' }] });
const failedPod = (name: string, created: string, exitCode: number, message?: string) =>
  kubePod({ name, phase: 'Failed', created, containers: [{ name: 'main', exitCode, message }] });

interface Case {
  readonly name: string;
  readonly job: IJob;
  readonly pods?: IPod[];
  readonly want: JobObservation;
}

const cases: Case[] = [
  {
    name: 'a Job the Job controller has not seen yet: Running, attempt 1, started when created',
    job: kubeJob(),
    want: { phase: 'Running', attempts: 1, jobName: JOB_NAME, startTime: JOB_CREATED },
  },
  {
    name: 'an empty status is the same',
    job: kubeJob({}),
    want: { phase: 'Running', attempts: 1, jobName: JOB_NAME, startTime: JOB_CREATED },
  },
  {
    name: 'an active pod: Running from status.startTime',
    job: kubeJob({ active: 1, ready: 1, startTime: T(2), uncountedTerminatedPods: {} }),
    pods: [running('r1-build-5d41402a-abcde', T(2))],
    want: { phase: 'Running', attempts: 1, jobName: JOB_NAME, startTime: T(2) },
  },
  {
    name: 'a retry running after one failure: attempt 2',
    job: kubeJob({ active: 1, failed: 1, startTime: T(2) }),
    pods: [failedPod('r1-build-5d41402a-aaaaa', T(2), 1), running('r1-build-5d41402a-bbbbb', T(20))],
    want: { phase: 'Running', attempts: 2, jobName: JOB_NAME, startTime: T(2) },
  },
  {
    name: 'an evicted pod is not an attempt: the pod failure policy ignores it, so it is not in status.failed',
    job: kubeJob({ active: 1, failed: 0, startTime: T(2) }),
    pods: [
      kubePod({ name: 'r1-build-5d41402a-evict', phase: 'Failed', created: T(2), disrupted: true, containers: [{ name: 'main', exitCode: 137, reason: 'Error' }] }),
      running('r1-build-5d41402a-again', T(40)),
    ],
    want: { phase: 'Running', attempts: 1, jobName: JOB_NAME, startTime: T(2) },
  },
  {
    name: 'Complete: Succeeded, results of init and main containers merged, a later container winning',
    job: kubeJob({
      succeeded: 1,
      startTime: T(2),
      completionTime: T(30),
      conditions: [condition('SuccessCriteriaMet', T(30), 'CompletionsReached', 'Reached expected number of succeeded pods'), condition('Complete', T(30), 'CompletionsReached', 'Reached expected number of succeeded pods')],
    }),
    pods: [
      kubePod({
        name: 'r1-build-5d41402a-ok',
        phase: 'Succeeded',
        created: T(2),
        init: [{ name: 'fetch', exitCode: 0, message: 'commit=abc123\nversion=from-init\n' }],
        containers: [
          { name: 'main', exitCode: 0, message: '# written by go build\nversion=1.2.3\ndigest=sha256:beef\n' },
          { name: 'sidecar', exitCode: 0, message: 'digest=sha256:cafe' },
        ],
      }),
    ],
    want: { phase: 'Succeeded', attempts: 1, jobName: JOB_NAME, startTime: T(2), completionTime: T(30), results: { commit: 'abc123', version: '1.2.3', digest: 'sha256:cafe' } },
  },
  {
    name: 'Complete without completionTime: the Complete condition says when',
    job: kubeJob({ succeeded: 1, startTime: T(2), conditions: [condition('Complete', T(31))] }),
    pods: [kubePod({ name: 'r1-build-5d41402a-ok', phase: 'Succeeded', created: T(2), containers: [{ name: 'main', exitCode: 0 }] })],
    want: { phase: 'Succeeded', attempts: 1, jobName: JOB_NAME, startTime: T(2), completionTime: T(31), results: {} },
  },
  {
    name: 'Complete after a retry: attempt 2, results of the pod that succeeded',
    job: kubeJob({ succeeded: 1, failed: 1, startTime: T(2), completionTime: T(60), conditions: [condition('Complete', T(60))] }),
    pods: [
      kubePod({ name: 'r1-build-5d41402a-ok', phase: 'Succeeded', created: T(30), containers: [{ name: 'main', exitCode: 0, message: 'tries=2' }] }),
      failedPod('r1-build-5d41402a-bad', T(2), 1, 'tries=1'),
    ],
    want: { phase: 'Succeeded', attempts: 2, jobName: JOB_NAME, startTime: T(2), completionTime: T(60), results: { tries: '2' } },
  },
  {
    name: 'Complete with results that are not name=value: Failed, BadResults, naming the container',
    job: kubeJob({ succeeded: 1, startTime: T(2), completionTime: T(30), conditions: [condition('Complete', T(30))] }),
    pods: [
      kubePod({
        name: 'r1-build-5d41402a-ok',
        phase: 'Succeeded',
        created: T(2),
        init: [{ name: 'fetch', exitCode: 0, message: 'commit=abc' }],
        containers: [{ name: 'main', exitCode: 0, message: 'panic: runtime error' }],
      }),
    ],
    want: {
      phase: 'Failed',
      attempts: 1,
      jobName: JOB_NAME,
      startTime: T(2),
      completionTime: T(30),
      reason: 'BadResults',
      message: 'container main: results line "panic: runtime error" is not name=value with a result name',
    },
  },
  {
    name: 'BackoffLimitExceeded after three pods: attempts 3, exit code of the newest, its results kept',
    job: kubeJob({
      failed: 3,
      startTime: T(2),
      conditions: [condition('FailureTarget', T(90), 'BackoffLimitExceeded', BACKOFF_MESSAGE), condition('Failed', T(90), 'BackoffLimitExceeded', BACKOFF_MESSAGE)],
    }),
    pods: [
      failedPod('r1-build-5d41402a-p3', T(60), 2, 'report=/workspace/junit-3.xml'),
      failedPod('r1-build-5d41402a-p1', T(2), 1, 'report=/workspace/junit-1.xml'),
      failedPod('r1-build-5d41402a-p2', T(30), 1, 'report=/workspace/junit-2.xml'),
    ],
    want: {
      phase: 'Failed',
      attempts: 3,
      jobName: JOB_NAME,
      startTime: T(2),
      completionTime: T(90),
      reason: 'BackoffLimitExceeded',
      message: `${BACKOFF_MESSAGE}; container main exited with code 2`,
      results: { report: '/workspace/junit-3.xml' },
    },
  },
  {
    name: 'FailureTarget with the last failed pod not yet counted (a real Job controller\'s first write): it counts',
    job: kubeJob({
      failed: 1,
      terminating: 0,
      uncountedTerminatedPods: { failed: ['c83157fe-2e05-47d6-adbb-1959e2d437d5'] },
      startTime: T(2),
      conditions: [condition('FailureTarget', T(40), 'BackoffLimitExceeded', BACKOFF_MESSAGE)],
    }),
    pods: [failedPod('r1-build-5d41402a-p2', T(30), 3), failedPod('r1-build-5d41402a-p1', T(2), 3)],
    want: {
      phase: 'Failed',
      attempts: 2,
      jobName: JOB_NAME,
      startTime: T(2),
      completionTime: T(40),
      reason: 'BackoffLimitExceeded',
      message: `${BACKOFF_MESSAGE}; container main exited with code 3`,
      results: {},
    },
  },
  {
    name: 'DeadlineExceeded with its pod already gone: the condition alone',
    job: kubeJob({ failed: 1, startTime: T(2), conditions: [condition('Failed', T(602), 'DeadlineExceeded', DEADLINE_MESSAGE)] }),
    pods: [],
    want: { phase: 'Failed', attempts: 1, jobName: JOB_NAME, startTime: T(2), completionTime: T(602), reason: 'DeadlineExceeded', message: DEADLINE_MESSAGE, results: undefined },
  },
  {
    name: 'DeadlineExceeded with the killed pod still there: its exit code (143 after SIGTERM)',
    job: kubeJob({ failed: 1, startTime: T(2), conditions: [condition('Failed', T(602), 'DeadlineExceeded', DEADLINE_MESSAGE)] }),
    pods: [failedPod('r1-build-5d41402a-slow', T(2), 143)],
    want: {
      phase: 'Failed',
      attempts: 1,
      jobName: JOB_NAME,
      startTime: T(2),
      completionTime: T(602),
      reason: 'DeadlineExceeded',
      message: `${DEADLINE_MESSAGE}; container main exited with code 143`,
      results: {},
    },
  },
  {
    name: 'PodFailurePolicy FailJob on exit code 42: retries left unspent, the exit code in the message',
    job: kubeJob({ failed: 1, startTime: T(2), conditions: [condition('FailureTarget', T(20), 'PodFailurePolicy', POLICY_MESSAGE), condition('Failed', T(20), 'PodFailurePolicy', POLICY_MESSAGE)] }),
    pods: [failedPod('r1-build-5d41402a-x9k2p', T(2), 42, 'coverage=41.5')],
    want: {
      phase: 'Failed',
      attempts: 1,
      jobName: JOB_NAME,
      startTime: T(2),
      completionTime: T(20),
      reason: 'PodFailurePolicy',
      message: `${POLICY_MESSAGE}; container main exited with code 42`,
      results: { coverage: '41.5' },
    },
  },
  {
    name: 'FailureTarget while the pods still terminate is already a failure',
    job: kubeJob({ failed: 1, terminating: 1, startTime: T(2), conditions: [condition('FailureTarget', T(20), 'PodFailurePolicy', POLICY_MESSAGE)] }),
    pods: [failedPod('r1-build-5d41402a-x9k2p', T(2), 42)],
    want: { phase: 'Failed', attempts: 1, jobName: JOB_NAME, startTime: T(2), completionTime: T(20), reason: 'PodFailurePolicy', message: `${POLICY_MESSAGE}; container main exited with code 42`, results: {} },
  },
  {
    name: 'an OOM kill names its reason',
    job: kubeJob({ failed: 1, startTime: T(2), conditions: [condition('Failed', T(20), 'BackoffLimitExceeded', BACKOFF_MESSAGE)] }),
    pods: [kubePod({ name: 'r1-build-5d41402a-oom', phase: 'Failed', created: T(2), containers: [{ name: 'main', exitCode: 137, reason: 'OOMKilled' }] })],
    want: {
      phase: 'Failed',
      attempts: 1,
      jobName: JOB_NAME,
      startTime: T(2),
      completionTime: T(20),
      reason: 'BackoffLimitExceeded',
      message: `${BACKOFF_MESSAGE}; container main exited with code 137 (OOMKilled)`,
      results: {},
    },
  },
  {
    name: 'a failed init container is the one named; the main container never started',
    job: kubeJob({ failed: 1, startTime: T(2), conditions: [condition('Failed', T(20), 'BackoffLimitExceeded', BACKOFF_MESSAGE)] }),
    pods: [kubePod({ name: 'r1-build-5d41402a-init', phase: 'Failed', created: T(2), init: [{ name: 'fetch', exitCode: 128, message: 'ref=missing' }], containers: [{ name: 'main', waiting: true }] })],
    want: {
      phase: 'Failed',
      attempts: 1,
      jobName: JOB_NAME,
      startTime: T(2),
      completionTime: T(20),
      reason: 'BackoffLimitExceeded',
      message: `${BACKOFF_MESSAGE}; container fetch exited with code 128`,
      results: { ref: 'missing' },
    },
  },
  {
    name: 'a Failed condition without reason or message: reason Failed, no message',
    job: kubeJob({ failed: 1, startTime: T(2), conditions: [{ type: 'Failed', status: 'True', lastTransitionTime: T(20) }] }),
    want: { phase: 'Failed', attempts: 1, jobName: JOB_NAME, startTime: T(2), completionTime: T(20), reason: 'Failed', message: undefined, results: undefined },
  },
  {
    name: 'conditions that are False say nothing',
    job: kubeJob({ active: 1, startTime: T(2), conditions: [{ type: 'Failed', status: 'False', lastTransitionTime: T(20) }, { type: 'Complete', status: 'False', lastTransitionTime: T(20) }] }),
    pods: [running('r1-build-5d41402a-abcde', T(2))],
    want: { phase: 'Running', attempts: 1, jobName: JOB_NAME, startTime: T(2) },
  },
];

describe('observeJob()', () => {
  it('uses realistic objects: every fixture is a valid Job or Pod', () => {
    for (const c of cases) {
      new Job(c.job).validate();
      for (const p of c.pods ?? []) new Pod(p).validate();
    }
  });

  it.each(cases)('$name', ({ job, pods, want }) => {
    expect(observeJob(job, pods ?? [])).toEqual(want);
  });

  it.each(cases)('reads Date objects as it reads strings: $name', ({ job, pods, want }) => {
    expect(observeJob(withDates(job), (pods ?? []).map(withDates))).toEqual(want);
  });

  it('reads the newest pod by creation time, whatever order the cache lists them in', () => {
    const job = kubeJob({ failed: 2, startTime: T(2), conditions: [condition('Failed', T(90), 'BackoffLimitExceeded', BACKOFF_MESSAGE)] });
    const pods = [failedPod('r1-build-5d41402a-b', T(40), 7, 'n=new'), failedPod('r1-build-5d41402a-a', T(2), 3, 'n=old')];
    for (const order of [pods, [...pods].reverse()]) {
      const obs = observeJob(job, order);
      expect(obs.message).toBe(`${BACKOFF_MESSAGE}; container main exited with code 7`);
      expect(obs.results).toEqual({ n: 'new' });
    }
  });

  it('counts at least one attempt, however odd the counts', () => {
    expect(observeJob(kubeJob({ active: 0, failed: 0, succeeded: 0 }), []).attempts).toBe(1);
    expect(observeJob(kubeJob({ active: 2, failed: 4 }), []).attempts).toBe(5);
  });
});

describe('podResults()', () => {
  const pod = (init: string[], main: string[]) =>
    kubePod({
      name: 'p',
      phase: 'Succeeded',
      created: T(0),
      init: init.map((message, i) => ({ name: `init-${i}`, exitCode: 0, message })),
      containers: main.map((message, i) => ({ name: `main-${i}`, exitCode: 0, message })),
    });

  const table: [string, string[], string[], Record<string, string>, string?][] = [
    ['no messages', [], [], {}],
    ['init only', ['a=1'], [], { a: '1' }],
    ['init then main, main wins', ['a=init\nb=2'], ['a=main'], { a: 'main', b: '2' }],
    ['two mains, the later wins', [], ['a=1', 'a=2'], { a: '2' }],
    ['values keep = and spaces', [], ['url=https://x.example/?a=b c'], { url: 'https://x.example/?a=b c' }],
    ['CRLF lines', [], ['a=1\r\nb=2\r\n'], { a: '1', b: '2' }],
    ['a bad line in an init container stops there', ['a=1', 'oops'], ['b=2'], { a: '1' }, 'container init-1: '],
    ['over 4 KiB', [], [`big=${'x'.repeat(4100)}`], {}, 'container main-0: results are 4104 bytes'],
  ];

  it.each(table)('%s', (_name, init, main, results, error) => {
    const got = podResults(pod(init, main));
    expect(got.results).toEqual(results);
    if (error === undefined) expect(got.error).toBeUndefined();
    else expect(got.error).toContain(error);
  });

  it('ignores containers that have not terminated', () => {
    const p = kubePod({ name: 'p', phase: 'Running', created: T(0), containers: [{ name: 'main' }, { name: 'side', exitCode: 0, message: 'a=1' }] });
    expect(podResults(p)).toEqual({ results: { a: '1' } });
  });
});
