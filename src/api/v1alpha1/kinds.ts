// Per-kind facts the CRDs need beyond the types: names, short names and printer columns.
// The CRD generator (src/codegen/crds) combines this table with the schemas it reads from the
// type declarations next to this file.

export interface PrinterColumn {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  jsonPath: string;
  description?: string;
  /** 0 shows in `kubectl get`; 1 only with `-o wide`. */
  priority?: number;
}

export interface KindInfo {
  /** The root interface in this folder. */
  kind: 'Pipeline' | 'Trigger' | 'Run';
  plural: string;
  singular: string;
  shortNames: string[];
  printerColumns: PrinterColumn[];
}

/** `kubectl get kayci` lists every kind in this category. */
export const CATEGORY = 'kayci';

export const KINDS: readonly KindInfo[] = [
  {
    kind: 'Pipeline',
    plural: 'pipelines',
    singular: 'pipeline',
    shortNames: ['kpl'],
    printerColumns: [
      { name: 'Last Run', type: 'string', jsonPath: '.status.lastRun.name' },
      { name: 'Phase', type: 'string', jsonPath: '.status.lastRun.phase' },
      { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
    ],
  },
  {
    kind: 'Trigger',
    plural: 'triggers',
    singular: 'trigger',
    shortNames: ['ktr'],
    printerColumns: [
      { name: 'Pipeline', type: 'string', jsonPath: '.spec.pipelineRef.name' },
      { name: 'Provider', type: 'string', jsonPath: '.spec.webhook.provider' },
      { name: 'Schedule', type: 'string', jsonPath: '.spec.schedule.cron' },
      { name: 'Ready', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].status' },
      { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
    ],
  },
  {
    kind: 'Run',
    plural: 'runs',
    singular: 'run',
    shortNames: ['krun'],
    printerColumns: [
      { name: 'Pipeline', type: 'string', jsonPath: '.spec.pipelineRef.name' },
      { name: 'Phase', type: 'string', jsonPath: '.status.phase' },
      { name: 'Event', type: 'string', jsonPath: '.spec.metadata.event' },
      { name: 'Branch', type: 'string', jsonPath: '.spec.metadata.branch', priority: 1 },
      { name: 'Commit', type: 'string', jsonPath: '.spec.metadata.commitSha', priority: 1 },
      { name: 'Started', type: 'date', jsonPath: '.status.startTime' },
      { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
    ],
  },
];
