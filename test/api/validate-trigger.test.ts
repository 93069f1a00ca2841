import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { validateTrigger } from '../../src/api/index.ts';
import type { TriggerSpec } from '../../src/api/v1alpha1/trigger.ts';

function trigger(spec: unknown, name = 'demo-push') {
  return { apiVersion: 'kayci.dev/v1alpha1', kind: 'Trigger', metadata: { name }, spec };
}

const ref = { name: 'demo' };
const secret = { name: 'webhook', key: 'token' };
const messages = (obj: unknown) => validateTrigger(obj).map((e) => `${e.path}: ${e.message}`);

describe('validateTrigger', () => {
  const valid: [string, TriggerSpec, string?][] = [
    [
      'github webhook with commands and trust',
      {
        pipelineRef: ref,
        webhook: { provider: 'github', secretRefs: [secret, { name: 'webhook', key: 'next' }], events: ['push', 'pull_request', 'comment'], branches: ['main', 'release/**'], paths: ['src/**'] },
        commands: { enabled: true, trust: { associations: ['OWNER', 'MEMBER'], users: ['octocat'] } },
        params: [{ name: 'target', value: 'linux' }],
      },
    ],
    ['gitlab webhook', { pipelineRef: ref, webhook: { provider: 'gitlab', secretRefs: [secret], events: ['tag'] }, commands: { trust: { minAccessLevel: 40 } } }],
    ['generic webhook', { pipelineRef: ref, webhook: { provider: 'generic', secretRefs: [secret] } }],
    ['schedule with a time zone and branch', { pipelineRef: ref, schedule: { cron: '0 3 * * 1-5', timeZone: 'Europe/Berlin', branch: 'main' } }],
    ['schedule in UTC with names and steps', { pipelineRef: ref, schedule: { cron: '*/15 9-17 * jan-jun mon,wed,fri', timeZone: 'UTC' } }],
    ['webhook and schedule together', { pipelineRef: ref, webhook: { provider: 'github', secretRefs: [secret] }, schedule: { cron: '0 0 * * 0' } }],
    [
      'github feedback on GitHub Enterprise with logs links, slack and matrix notifications',
      {
        pipelineRef: ref,
        webhook: { provider: 'github', secretRefs: [secret] },
        feedback: { apiUrl: 'https://github.example.com/api/v3', tokenSecretRef: { name: 'github', key: 'token' }, logsUrl: 'https://grafana.example.com/logs?run={run}&job={job}', context: 'ci' },
        notifications: [
          { slack: { urlSecretRef: { name: 'chat', key: 'slack-url' } } },
          { on: ['Succeeded', 'Failed'], matrix: { homeserver: 'https://matrix.example.org', roomId: '!ci:example.org', tokenSecretRef: { name: 'chat', key: 'matrix-token' } } },
        ],
      },
    ],
    ['gitlab statuses on a schedule', { pipelineRef: ref, schedule: { cron: '@daily' }, feedback: { provider: 'gitlab', apiUrl: 'https://gitlab.example.com/api/v4', tokenSecretRef: secret } }],
    ['a name that is a DNS subdomain, not a label', { pipelineRef: ref, schedule: { cron: '0 0 * * *' } }, 'nightly.demo'],
  ];

  it.each(valid)('accepts: %s', (_name, spec, name) => {
    expect(messages(trigger(spec, name))).toEqual([]);
  });

  // Each row: a broken Trigger spec and the errors it must produce (paths and a recognisable part).
  const webhook = { provider: 'github', secretRefs: [secret] };
  const cases: [string, unknown, [string, RegExp][]][] = [
    ['missing pipelineRef', { webhook }, [['spec.pipelineRef', /^Required value$/]]],
    ['pipelineRef without a name', { pipelineRef: {}, webhook }, [['spec.pipelineRef.name', /^Required value$/]]],
    ['pipelineRef name not a DNS label', { pipelineRef: { name: 'My_Pipeline' }, webhook }, [['spec.pipelineRef.name', /must be a DNS label.*"my-pipeline"/]]],
    ['neither webhook nor schedule', { pipelineRef: ref }, [['spec', /needs a webhook, a schedule, or both/]]],
    ['commands without a webhook', { pipelineRef: ref, schedule: { cron: '0 3 * * *' }, commands: { enabled: true } }, [['spec.commands', /comment commands arrive by webhook; add spec.webhook/]]],
    ['cron with 4 fields', { pipelineRef: ref, schedule: { cron: '0 3 * *' } }, [['spec.schedule.cron', /"0 3 \* \*" has 4 fields; a cron expression has 5: minute hour day-of-month month day-of-week/]]],
    ['cron with 6 fields (seconds)', { pipelineRef: ref, schedule: { cron: '0 0 3 * * *' } }, [['spec.schedule.cron', /has 6 fields/]]],
    ['cron minute out of range', { pipelineRef: ref, schedule: { cron: '60 3 * * *' } }, [['spec.schedule.cron', /minute field "60": 60 is out of range 0-59/]]],
    ['cron day of month out of range', { pipelineRef: ref, schedule: { cron: '0 3 0 * *' } }, [['spec.schedule.cron', /dayOfMonth field "0": 0 is out of range 1-31/]]],
    ['cron day of week out of range', { pipelineRef: ref, schedule: { cron: '0 3 * * 8' } }, [['spec.schedule.cron', /dayOfWeek field "8": 8 is out of range 0-7/]]],
    ['cron range backwards', { pipelineRef: ref, schedule: { cron: '0 17-9 * * *' } }, [['spec.schedule.cron', /hour field "17-9": range "17-9" goes backwards/]]],
    ['cron step zero', { pipelineRef: ref, schedule: { cron: '*/0 * * * *' } }, [['spec.schedule.cron', /minute field "\*\/0": bad step "0"/]]],
    ['cron step not a number', { pipelineRef: ref, schedule: { cron: '*/x * * * *' } }, [['spec.schedule.cron', /bad step "x"/]]],
    ['cron unknown month name', { pipelineRef: ref, schedule: { cron: '0 0 1 jam *' } }, [['spec.schedule.cron', /month field "jam": "jam" is not a number or a name/]]],
    ['cron not a string', { pipelineRef: ref, schedule: { cron: 3 } }, [['spec.schedule.cron', /must be of type string/]]],
    ['schedule without cron', { pipelineRef: ref, schedule: { timeZone: 'UTC' } }, [['spec.schedule.cron', /^Required value$/]]],
    ['unknown time zone', { pipelineRef: ref, schedule: { cron: '0 3 * * *', timeZone: 'Mars/Olympus' } }, [['spec.schedule.timeZone', /"Mars\/Olympus" is not an IANA time zone \(e.g. "Europe\/Berlin"\)/]]],
    ['empty time zone', { pipelineRef: ref, schedule: { cron: '0 3 * * *', timeZone: '' } }, [['spec.schedule.timeZone', /is not an IANA time zone/]]],
    ['duplicate secretRefs', { pipelineRef: ref, webhook: { provider: 'github', secretRefs: [secret, { name: 'other', key: 'token' }, { ...secret }] } }, [['spec.webhook.secretRefs[2]', /^Duplicate value: webhook\/token$/]]],
    ['no secretRefs (minItems)', { pipelineRef: ref, webhook: { provider: 'github', secretRefs: [] } }, [['spec.webhook.secretRefs', /0 items: must have at least 1/]]],
    ['too many secretRefs (maxItems)', { pipelineRef: ref, webhook: { provider: 'github', secretRefs: ['a', 'b', 'c', 'd', 'e'].map((key) => ({ name: 's', key })) } }, [['spec.webhook.secretRefs', /Too many: 5: must have at most 4 items/]]],
    ['secretRef without a key', { pipelineRef: ref, webhook: { provider: 'github', secretRefs: [{ name: 's' }] } }, [['spec.webhook.secretRefs[0].key', /^Required value$/]]],
    ['webhook without secretRefs', { pipelineRef: ref, webhook: { provider: 'github' } }, [['spec.webhook.secretRefs', /^Required value$/]]],
    ['bad provider', { pipelineRef: ref, webhook: { provider: 'bitbucket', secretRefs: [secret] } }, [['spec.webhook.provider', /Unsupported value: "bitbucket": supported values: "github", "gitlab", "generic"/]]],
    ['bad event', { pipelineRef: ref, webhook: { ...webhook, events: ['push', 'merge'] } }, [['spec.webhook.events[1]', /Unsupported value: "merge": supported values: "push", "tag", "pull_request", "comment"/]]],
    ['bad association', { pipelineRef: ref, webhook, commands: { trust: { associations: ['NONE'] } } }, [['spec.commands.trust.associations[0]', /supported values: "OWNER", "MEMBER", "COLLABORATOR", "CONTRIBUTOR"/]]],
    ['access level out of range', { pipelineRef: ref, webhook, commands: { trust: { minAccessLevel: 60 } } }, [['spec.commands.trust.minAccessLevel', /less than or equal to 50/]]],
    ['access level not an integer', { pipelineRef: ref, webhook, commands: { trust: { minAccessLevel: 30.5 } } }, [['spec.commands.trust.minAccessLevel', /must be of type integer/]]],
    ['unknown field in spec', { pipelineRef: ref, webhook, pipeline: 'demo' }, [['spec.pipeline', /^unknown field$/]]],
    ['unknown field in webhook', { pipelineRef: ref, webhook: { ...webhook, secret: 'hunter2' } }, [['spec.webhook.secret', /^unknown field$/]]],
    ['misspelled field in schedule', { pipelineRef: ref, schedule: { cron: '0 3 * * *', timezone: 'UTC' } }, [['spec.schedule.timezone', /^unknown field$/]]],
    ['duplicate params', { pipelineRef: ref, webhook, params: [{ name: 'a', value: '1' }, { name: 'a', value: '2' }] }, [['spec.params[1].name', /Duplicate value: name "a" is already used by spec.params\[0\]/]]],
    ['param without a value', { pipelineRef: ref, webhook, params: [{ name: 'a' }] }, [['spec.params[0].value', /^Required value$/]]],
    ['feedback without a provider on a schedule', { pipelineRef: ref, schedule: { cron: '@daily' }, feedback: { tokenSecretRef: secret } }, [['spec.feedback.provider', /Required value: statuses go to github or gitlab; set the provider/]]],
    ['feedback without a provider on a generic webhook', { pipelineRef: ref, webhook: { provider: 'generic', secretRefs: [secret] }, feedback: { tokenSecretRef: secret } }, [['spec.feedback.provider', /set the provider/]]],
    ['feedback without a token', { pipelineRef: ref, webhook, feedback: { apiUrl: 'https://api.github.com' } }, [['spec.feedback.tokenSecretRef', /^Required value$/]]],
    ['feedback API URL not http(s)', { pipelineRef: ref, webhook, feedback: { apiUrl: 'file:///etc/passwd', tokenSecretRef: secret } }, [['spec.feedback.apiUrl', /must match/]]],
    ['notification with neither slack nor matrix', { pipelineRef: ref, webhook, notifications: [{ on: ['Failed'] }] }, [['spec.notifications[0]', /set exactly one of slack and matrix \(neither is set\)/]]],
    ['notification with both', { pipelineRef: ref, webhook, notifications: [{ slack: { urlSecretRef: secret }, matrix: { homeserver: 'https://m.example.org', roomId: '!r:example.org', tokenSecretRef: secret } }] }, [['spec.notifications[0]', /both are set/]]],
    ['matrix room id without a server', { pipelineRef: ref, webhook, notifications: [{ matrix: { homeserver: 'https://m.example.org', roomId: 'ci', tokenSecretRef: secret } }] }, [['spec.notifications[0].matrix.roomId', /must match/]]],
    ['notify on an unknown phase', { pipelineRef: ref, webhook, notifications: [{ on: ['Done'], slack: { urlSecretRef: secret } }] }, [['spec.notifications[0].on[0]', /Unsupported value: "Done"/]]],
    ['param with a bad name', { pipelineRef: ref, webhook, params: [{ name: '1st', value: 'x' }] }, [['spec.params[0].name', /must start with a letter/]]],
  ];

  it.each(cases)('rejects: %s', (_name, spec, expected) => {
    const errors = validateTrigger(trigger(spec));
    for (const [path, pattern] of expected) {
      expect(errors.filter((e) => e.path === path).map((e) => e.message), `${path} in ${JSON.stringify(errors, null, 1)}`).toEqual(expect.arrayContaining([expect.stringMatching(pattern)]));
    }
  });

  it('checks the object itself: apiVersion, kind, name', () => {
    const t = { apiVersion: 'kayci.dev/v1', kind: 'Pipeline', metadata: { name: 'Nightly_Build' }, spec: { pipelineRef: ref, webhook } };
    const paths = validateTrigger(t).map((e) => e.path);
    expect(paths).toEqual(expect.arrayContaining(['apiVersion', 'kind', 'metadata.name']));
    expect(messages(t)).toEqual(expect.arrayContaining([expect.stringMatching(/^metadata.name: Invalid value: .*not a DNS subdomain/)]));
    expect(messages(trigger(undefined))).toEqual(['spec: Required value']);
  });

  it('reports every error at once, not the first', () => {
    const spec = { pipelineRef: {}, commands: {}, schedule: { cron: '61 * * * *', timeZone: 'Nowhere/Else' }, extra: 1 };
    expect(validateTrigger(trigger(spec)).map((e) => e.path)).toEqual(expect.arrayContaining(['spec.pipelineRef.name', 'spec.commands', 'spec.schedule.cron', 'spec.schedule.timeZone', 'spec.extra']));
  });

  // parseCron understands the macros Kubernetes CronJobs accept (@daily, @hourly …), but the
  // schema's `pattern` for spec.schedule.cron demands five fields, so the API server would reject
  // what the controller could schedule. The two must agree.
  it('accepts the cron macros parseCron accepts (@daily, @hourly …)', () => {
    const rejected = ['@daily', '@hourly', '@weekly', '@monthly', '@yearly', '@annually', '@midnight'].flatMap((cron) => messages(trigger({ pipelineRef: ref, schedule: { cron } })));
    expect(rejected).toEqual([]);
  });

  it('never throws, whatever the input', () => {
    const junk = [
      null, 42, 'x', [], {}, { spec: [] }, { spec: { webhook: 'x', schedule: 'y' } },
      trigger({ pipelineRef: 'x', webhook: { provider: 3, secretRefs: [null, 1, 'a', [], { name: {}, key: [] }] } }),
      trigger({ pipelineRef: null, webhook: { secretRefs: 'x' }, schedule: { cron: null, timeZone: 5 } }),
      trigger({ pipelineRef: ref, schedule: { cron: '', timeZone: '' } }),
      trigger({ pipelineRef: ref, schedule: { cron: '*/*/* a-b-c ,,, - /' } }),
      trigger({ pipelineRef: ref, commands: null, params: [null, { name: null }], webhook: null }),
    ];
    for (const j of junk) expect(() => validateTrigger(j)).not.toThrow();
  });

  it('never throws on random specs (property)', () => {
    const cron = fc.stringMatching(/^[0-9a-z*?,/\- @]{0,30}$/);
    const spec = fc.record({
      pipelineRef: fc.oneof(fc.record({ name: fc.string() }), fc.anything()),
      webhook: fc.option(fc.record({ provider: fc.string(), secretRefs: fc.array(fc.anything()) }, { requiredKeys: [] }), { nil: undefined }),
      schedule: fc.option(fc.record({ cron: fc.oneof(cron, fc.anything()), timeZone: fc.oneof(fc.string(), fc.anything()) }, { requiredKeys: [] }), { nil: undefined }),
      commands: fc.anything(),
    }, { requiredKeys: [] });
    fc.assert(fc.property(spec, (s) => {
      expect(Array.isArray(validateTrigger(trigger(s)))).toBe(true);
    }));
  });

  // parseCron looks macros up in a plain object literal, so a cron string naming an
  // Object.prototype member finds a function instead of undefined and `.split` throws.
  it('never throws on a cron that names an Object.prototype member ("constructor", "toString" …)', () => {
    const threw = ['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf'].filter((cron) => {
      try {
        validateTrigger(trigger({ pipelineRef: ref, schedule: { cron } }));
        return false;
      } catch {
        return true;
      }
    });
    expect(threw).toEqual([]);
  });
});
