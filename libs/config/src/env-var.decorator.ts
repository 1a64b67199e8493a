import 'reflect-metadata';

/** How the text of an environment variable becomes a typed value. */
export type EnvKind = 'string' | 'int' | 'bool' | 'list' | 'json';

/** What the loader and the configuration reference (docs/configuration.md) know about one variable. */
export interface EnvVarSpec {
  property: string;
  name: string;
  kind: EnvKind;
  doc: string;
  /** Text of the default for the reference; the real default is the field's initialiser. */
  defaultText?: string;
  /** Never echoed in diagnostics. */
  secret?: boolean;
  /** Must be set; there is no default. */
  required?: boolean;
}

const ENV_VARS = Symbol('bff:env-vars');

/**
 * Binds a config field to an environment variable. The field's initialiser is
 * its default; class-validator decorators on the same field check the parsed value.
 */
export function EnvVar(
  name: string,
  options: { kind?: EnvKind; doc: string; default?: string; secret?: boolean; required?: boolean },
): PropertyDecorator {
  return (target, property) => {
    const specs = (Reflect.getOwnMetadata(ENV_VARS, target) as EnvVarSpec[] | undefined) ?? [];
    specs.push({
      property: String(property),
      name,
      kind: options.kind ?? 'string',
      doc: options.doc,
      defaultText: options.default,
      secret: options.secret,
      required: options.required,
    });
    Reflect.defineMetadata(ENV_VARS, specs, target);
  };
}

/** The variables bound on a config class, in declaration order. */
export function envVarsOf(section: abstract new () => object): EnvVarSpec[] {
  return (Reflect.getOwnMetadata(ENV_VARS, section.prototype as object) as EnvVarSpec[] | undefined) ?? [];
}

/** Parses one variable's text; returns an error sentence instead of throwing. */
export function parseEnvValue(kind: EnvKind, text: string): { value: unknown } | { problem: string } {
  switch (kind) {
    case 'string':
      return { value: text };
    case 'int':
      return /^-?\d+$/.test(text.trim())
        ? { value: Number(text.trim()) }
        : { problem: `expected a whole number, got "${text}"` };
    case 'bool': {
      const lowered = text.trim().toLowerCase();
      if (lowered === 'true' || lowered === '1') return { value: true };
      if (lowered === 'false' || lowered === '0') return { value: false };
      return { problem: `expected true or false, got "${text}"` };
    }
    case 'list':
      return {
        value: text
          .split(',')
          .map((item) => item.trim())
          .filter((item) => item.length > 0),
      };
    case 'json':
      try {
        return { value: JSON.parse(text) as unknown };
      } catch (error) {
        return { problem: `expected JSON (${(error as Error).message})` };
      }
  }
}
