// Triggers: when to create Runs of the parent Pipeline. `Trigger` takes the full spec;
// `GitHubTrigger`, `GitLabTrigger`, `WebhookTrigger` and `ScheduleTrigger` are the usual shapes.
import { ApiObject, Lazy } from 'cdk8s';
import { API_VERSION } from '../src/api/v1alpha1/meta.ts';
import type { Commands, Feedback, Notification, Schedule, TriggerSpec, Trust, Webhook } from '../src/api/v1alpha1/trigger.ts';
import type { SecretKey } from './secret.ts';
import type { Pipeline } from './pipeline.ts';

type WebhookEvent = NonNullable<Webhook['events']>[number];

export interface WebhookProps {
  /** Who sends the webhook. */
  readonly provider: Webhook['provider'];
  /** Secret keys that verify deliveries; list two while rotating. */
  readonly secrets: readonly SecretKey[];
  /**
   * Events that create Runs.
   * @default all: push, tag, pull_request, comment
   */
  readonly events?: readonly WebhookEvent[];
  /**
   * Glob patterns the branch (a pull request's base branch) must match.
   * @default every branch
   */
  readonly branches?: readonly string[];
  /**
   * Glob patterns at least one changed file must match.
   * @default every change
   */
  readonly paths?: readonly string[];
}

export interface CommandsProps {
  /**
   * Whether `/test`, `/retest`, `/cancel` and `/ok-to-test` comments are honoured.
   * @default true
   */
  readonly enabled?: boolean;
  /**
   * Who is trusted to run commands and whose pull requests run without `/ok-to-test`.
   * @default GitHub OWNER, MEMBER, COLLABORATOR; GitLab Developer and above
   */
  readonly trust?: Readonly<Trust>;
}

export interface FeedbackProps {
  /** Token allowed to write commit statuses (GitHub `statuses: write`; GitLab `api` scope). */
  readonly token: SecretKey;
  /**
   * API base URL, e.g. `https://github.example.com/api/v3` or `https://gitlab.example.com/api/v4`.
   * @default https://api.github.com or https://gitlab.com/api/v4
   */
  readonly apiUrl?: string;
  /**
   * Link on each status; `{namespace}`, `{pipeline}`, `{run}` and `{job}` are replaced.
   * @default no link
   */
  readonly logsUrl?: string;
  /** @default "kayci" */
  readonly context?: string;
  /**
   * Where statuses go (needed on schedule and generic triggers).
   * @default the webhook's provider
   */
  readonly provider?: 'github' | 'gitlab';
}

export interface NotificationProps {
  /** @default ['Failed'] */
  readonly on?: readonly NonNullable<Notification['on']>[number][];
  /** A Slack-compatible incoming webhook; the Secret key holds its URL. */
  readonly slack?: { readonly url: SecretKey };
  /** A Matrix room; the Secret key holds the bot's access token. */
  readonly matrix?: { readonly homeserver: string; readonly roomId: string; readonly token: SecretKey };
}

export interface TriggerProps {
  /**
   * Name of the Trigger object; the webhook URL is `/hooks/<namespace>/<name>`.
   * @default `<pipeline>-<id>`
   */
  readonly name?: string;
  /**
   * A webhook endpoint.
   * @default none
   */
  readonly webhook?: WebhookProps;
  /**
   * Pull request comment commands (needs a webhook).
   * @default none
   */
  readonly commands?: CommandsProps;
  /**
   * A cron schedule.
   * @default none
   */
  readonly schedule?: Readonly<Schedule>;
  /**
   * Parameters given to every Run.
   * @default none
   */
  readonly params?: Readonly<Record<string, string>>;
  /**
   * Commit statuses on GitHub or GitLab for each Run.
   * @default none
   */
  readonly feedback?: FeedbackProps;
  /**
   * Chat notifications when Runs finish.
   * @default none
   */
  readonly notifications?: readonly NotificationProps[];
}

/** When to create Runs of the parent Pipeline. */
export class Trigger extends ApiObject {
  constructor(pipeline: Pipeline, id: string, props: TriggerProps) {
    super(pipeline, id, {
      apiVersion: API_VERSION,
      kind: 'Trigger',
      metadata: { name: props.name ?? `${pipeline.name}-${id}` },
      spec: Lazy.any({ produce: () => toSpec(pipeline, props) }),
    });
  }
}

function toSpec(pipeline: Pipeline, props: TriggerProps): TriggerSpec {
  const w = props.webhook;
  const webhook: Webhook | undefined = w && {
    provider: w.provider,
    secretRefs: w.secrets.map((s) => s.ref),
    events: w.events ? [...w.events] : undefined,
    branches: w.branches ? [...w.branches] : undefined,
    paths: w.paths ? [...w.paths] : undefined,
  };
  const commands: Commands | undefined = props.commands && { enabled: props.commands.enabled, trust: props.commands.trust && { ...props.commands.trust } };
  const params = Object.entries(props.params ?? {}).map(([name, value]) => ({ name, value }));
  const f = props.feedback;
  const feedback: Feedback | undefined = f && { provider: f.provider, apiUrl: f.apiUrl, tokenSecretRef: f.token.ref, logsUrl: f.logsUrl, context: f.context };
  const notifications: Notification[] | undefined = props.notifications?.map((n) => ({
    on: n.on ? [...n.on] : undefined,
    slack: n.slack && { urlSecretRef: n.slack.url.ref },
    matrix: n.matrix && { homeserver: n.matrix.homeserver, roomId: n.matrix.roomId, tokenSecretRef: n.matrix.token.ref },
  }));
  return {
    pipelineRef: { name: pipeline.name },
    webhook,
    commands,
    schedule: props.schedule ? { ...props.schedule } : undefined,
    params: params.length > 0 ? params : undefined,
    feedback,
    notifications: notifications && notifications.length > 0 ? notifications : undefined,
  };
}

/** Props shared by the provider-specific webhook triggers. */
export interface ProviderTriggerProps extends Omit<WebhookProps, 'provider' | 'secrets'> {
  /** @default `<pipeline>-<id>` */
  readonly name?: string;
  /** Secret key(s) that verify deliveries; list two while rotating. */
  readonly secret: SecretKey | readonly SecretKey[];
  /**
   * Comment commands; `false` turns them off.
   * @default on, with the default trust policy (GitHub and GitLab only)
   */
  readonly commands?: CommandsProps | false;
  /** @default none */
  readonly params?: Readonly<Record<string, string>>;
  /**
   * Commit statuses for each Run (GitHub and GitLab).
   * @default none
   */
  readonly feedback?: FeedbackProps;
  /** @default none */
  readonly notifications?: readonly NotificationProps[];
}

function providerProps(provider: Webhook['provider'], props: ProviderTriggerProps): TriggerProps {
  const { name, secret, commands, params, feedback, notifications, ...filters } = props;
  return {
    name,
    params,
    feedback,
    notifications,
    webhook: { provider, secrets: Array.isArray(secret) ? secret : [secret as SecretKey], ...filters },
    commands: commands === false ? { enabled: false } : commands,
  };
}

/** Runs on pushes, tags, pull requests and comment commands from a GitHub repository. */
export class GitHubTrigger extends Trigger {
  constructor(pipeline: Pipeline, id: string, props: ProviderTriggerProps) {
    super(pipeline, id, providerProps('github', props));
  }
}

/** Runs on pushes, tag pushes, merge requests and note commands from a GitLab project. */
export class GitLabTrigger extends Trigger {
  constructor(pipeline: Pipeline, id: string, props: ProviderTriggerProps) {
    super(pipeline, id, providerProps('gitlab', props));
  }
}

/** Runs on any sender that signs its JSON body with HMAC-SHA256 (`X-Kayci-Signature-256`). */
export class WebhookTrigger extends Trigger {
  constructor(pipeline: Pipeline, id: string, props: Omit<ProviderTriggerProps, 'commands'>) {
    super(pipeline, id, providerProps('generic', props));
  }
}

export interface ScheduleTriggerProps extends Schedule {
  /** @default `<pipeline>-<id>` */
  readonly name?: string;
  /** @default none */
  readonly params?: Readonly<Record<string, string>>;
}

/** Runs on a cron schedule, e.g. `{ cron: '0 3 * * *', branch: 'main' }`. */
export class ScheduleTrigger extends Trigger {
  constructor(pipeline: Pipeline, id: string, props: ScheduleTriggerProps) {
    const { name, params, ...schedule } = props;
    super(pipeline, id, { name, params, schedule });
  }
}
