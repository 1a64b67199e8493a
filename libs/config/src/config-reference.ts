import { CONFIG_SECTIONS } from './bff-config';
import { envVarsOf } from './env-var.decorator';

const SECTION_TITLES = new Map<string, string>([
  ['ServerConfig', 'Server'],
  ['OidcConfig', 'OpenID Connect'],
  ['SessionConfig', 'Sessions'],
  ['TokenConfig', 'Token refresh'],
  ['RedisConfig', 'Redis'],
  ['ProxyConfig', 'API proxy'],
  ['RealtimeConfig', 'WebSocket and notifications'],
  ['TracingConfig', 'OpenTelemetry traces'],
]);

/**
 * The configuration reference (docs/configuration.md), generated from the `@EnvVar` bindings
 * so that the documentation cannot drift from what the loader reads (a unit
 * test compares the two).
 */
export function renderConfigReference(): string {
  const lines: string[] = [];
  for (const section of CONFIG_SECTIONS) {
    lines.push(`**${SECTION_TITLES.get(section.name) ?? section.name}**`, '');
    lines.push('| variable | default | meaning |', '| --- | --- | --- |');
    for (const spec of envVarsOf(section)) {
      const fallback = spec.defaultText ?? (spec.required ? '**required**' : '(unset)');
      lines.push(`| \`${spec.name}\` | ${fallback.replace(/\|/g, '\\|')} | ${spec.doc.replace(/\|/g, '\\|')} |`);
    }
    lines.push('');
  }
  return lines.join('\n').trimEnd() + '\n';
}
