// The Trigger kind: when to create a Run of a Pipeline in the same namespace — webhooks from
// GitHub, GitLab or anything that can sign a request, PR comment commands, and cron schedules.
import type { Condition, Int32, Int64, LocalObjectReference, NameValue, ObjectMeta, SecretKeyRef, Time } from './meta.ts';

/** When to create Runs of a Pipeline in the same namespace. */
export interface Trigger {
  apiVersion: 'kayci.dev/v1alpha1';
  kind: 'Trigger';
  metadata: ObjectMeta;
  spec: TriggerSpec;
  status?: TriggerStatus;
}

/** What starts Runs, and with which parameters. */
export interface TriggerSpec {
  /** The Pipeline to run, in the Trigger's namespace. */
  pipelineRef: LocalObjectReference;
  /** Create a Run for each accepted webhook delivery. */
  webhook?: Webhook;
  /** Let trusted people drive Runs with pull request comments. */
  commands?: Commands;
  /** Create Runs on a cron schedule. */
  schedule?: Schedule;
  /** Report each Run's jobs as commit statuses on GitHub or GitLab. */
  feedback?: Feedback;
  /**
   * Tell chat rooms when Runs finish.
   * @maxItems 8
   */
  notifications?: Notification[];
  /**
   * Parameters given to every Run this Trigger creates.
   * @listMapKeys name
   * @maxItems 64
   */
  params?: NameValue[];
}

/** A webhook endpoint, served at `/hooks/<namespace>/<trigger>`. */
export interface Webhook {
  /**
   * Who sends the webhook: `github` (X-Hub-Signature-256), `gitlab` (X-Gitlab-Token),
   * `generic` (X-Kayci-Signature-256, an HMAC-SHA256 of the body).
   */
  provider: 'github' | 'gitlab' | 'generic';
  /**
   * Secrets that verify deliveries. Any one may match, so a secret can be rotated by adding
   * the new one, updating the sender, then removing the old one. Without a readable secret the
   * Trigger accepts nothing.
   * @minItems 1
   * @maxItems 4
   */
  secretRefs: SecretKeyRef[];
  /**
   * Events that create Runs: `push`, `tag`, `pull_request`, `comment`.
   * @default ["push","tag","pull_request","comment"]
   * @maxItems 8
   */
  events?: ('push' | 'tag' | 'pull_request' | 'comment')[];
  /**
   * Glob patterns the branch (or a pull request's base branch) must match.
   * @maxItems 64
   */
  branches?: string[];
  /**
   * Glob patterns at least one changed file must match.
   * @maxItems 64
   */
  paths?: string[];
}

/** Pull request comment commands: `/test [job…]`, `/retest`, `/cancel`, `/ok-to-test`. */
export interface Commands {
  /**
   * Whether comment commands are honoured.
   * @default true
   */
  enabled?: boolean;
  /** Who may run commands and whose pull requests run without approval. */
  trust?: Trust;
}

/** Who is trusted. Anyone matching any rule is. */
export interface Trust {
  /**
   * GitHub author associations that are trusted.
   * @default ["OWNER","MEMBER","COLLABORATOR"]
   */
  associations?: ('OWNER' | 'MEMBER' | 'COLLABORATOR' | 'CONTRIBUTOR')[];
  /**
   * Lowest GitLab access level that is trusted (30 Developer, 40 Maintainer, 50 Owner).
   * @default 30
   * @minimum 10
   * @maximum 50
   */
  minAccessLevel?: Int32;
  /**
   * User names trusted whatever their association or access level.
   * @maxItems 256
   */
  users?: string[];
}

/** A cron schedule. */
export interface Schedule {
  /**
   * Five-field cron expression, e.g. `0 3 * * *`, or a macro such as `@daily`.
   * @pattern ^(@(yearly|annually|monthly|weekly|daily|midnight|hourly)|(\S+\s+){4}\S+)$
   */
  cron: string;
  /**
   * IANA time zone the schedule is read in.
   * @default "UTC"
   */
  timeZone?: string;
  /** Branch the scheduled Runs build; the metadata of scheduled Runs has no commit otherwise. */
  branch?: string;
}

/**
 * Commit statuses for the Runs a Trigger creates: one per job, `<context>/<pipeline>/<job>`, and
 * one for the Run, `<context>/<pipeline>`. The API address and token come from here, never from
 * a webhook payload.
 */
export interface Feedback {
  /**
   * Where statuses go; defaults to the webhook's provider.
   */
  provider?: 'github' | 'gitlab';
  /**
   * API base URL: `https://api.github.com` and `https://gitlab.com/api/v4` by default; e.g.
   * `https://github.example.com/api/v3` (GitHub Enterprise Server) or
   * `https://gitlab.example.com/api/v4` (self-managed GitLab).
   * @maxLength 2048
   * @pattern ^https?://[^\s]+$
   */
  apiUrl?: string;
  /**
   * Token allowed to write commit statuses (GitHub: `statuses: write`; GitLab: a Developer
   * token with the `api` scope). GitLab comment commands also use it to read the commenter's
   * access level.
   */
  tokenSecretRef: SecretKeyRef;
  /**
   * Link on each status, to where the logs are. `{namespace}`, `{pipeline}`, `{run}` and
   * `{job}` are replaced (`{job}` is empty on the Run's own status).
   * @maxLength 2048
   * @pattern ^https?://[^\s]+$
   */
  logsUrl?: string;
  /**
   * First part of each status context.
   * @default "kayci"
   * @maxLength 64
   * @pattern ^[A-Za-z0-9][-A-Za-z0-9_.]*$
   */
  context?: string;
}

/** A chat notification when a Run finishes. Set exactly one of `slack` and `matrix`. */
export interface Notification {
  /**
   * Run phases that notify.
   * @default ["Failed"]
   * @maxItems 3
   */
  on?: ('Succeeded' | 'Failed' | 'Cancelled')[];
  /** A Slack-compatible incoming webhook (Slack, Mattermost, Rocket.Chat). */
  slack?: SlackNotification;
  /** A Matrix room, through the homeserver's client-server API. */
  matrix?: MatrixNotification;
}

/** A Slack-compatible incoming webhook; its URL is a credential, so it lives in a Secret. */
export interface SlackNotification {
  /** The Secret key holding the incoming webhook's URL. */
  urlSecretRef: SecretKeyRef;
}

/** A Matrix room. */
export interface MatrixNotification {
  /**
   * Homeserver base URL, e.g. `https://matrix.example.org`.
   * @maxLength 2048
   * @pattern ^https?://[^\s]+$
   */
  homeserver: string;
  /**
   * Room ID, e.g. `!abc123:example.org`.
   * @maxLength 255
   * @pattern ^!.+:.+$
   */
  roomId: string;
  /** The Secret key holding the bot user's access token. */
  tokenSecretRef: SecretKeyRef;
}

/** What the controller last observed of a Trigger. */
export interface TriggerStatus {
  /** The `metadata.generation` this status describes. */
  observedGeneration?: Int64;
  /** The last schedule tick a Run was created for. */
  lastScheduleTime?: Time;
  /**
   * `Ready` is True when the Pipeline and every referenced Secret exist.
   * @listMapKeys type
   */
  conditions?: Condition[];
}

