/**
 * Model settings on the command line, with no config file to write: `--configurable`
 * and `--context` values (`[MODEL.]KEY=VALUE`) and the allow lists (`[MODEL.]KEY`), for
 * every model or for the one whose id starts the flag. They go over the config's
 * settings of the same names. Which model a prefix names is known only once the config
 * is read, so a flag is kept as written until then.
 */
import { ConfigError, isServerConfigurableKey, type GraphSpec } from "./config.js";

/** The `openai.models.<id>` keys the flags stand for. */
export const VALUE_FLAGS = { configurable: "configurable", context: "context" } as const;
export const LIST_FLAGS = { "allow-configurable": "allow_configurable", "allow-context": "allow_context", "allow-state": "allow_state" } as const;

export type SettingFlag =
  | { setting: (typeof VALUE_FLAGS)[keyof typeof VALUE_FLAGS]; target: string; value: unknown }
  | { setting: (typeof LIST_FLAGS)[keyof typeof LIST_FLAGS]; target: string };

/** `model=openai/gpt-4o-mini` -> the string; `maxResults=5` -> the number: a value is JSON when it parses as JSON. */
function parseValue(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** `--configurable agent.model=openai/gpt-4o`; throws a message for the usage error. */
export function parseValueFlag(flag: keyof typeof VALUE_FLAGS, text: string): SettingFlag {
  const equals = text.indexOf("=");
  if (equals <= 0) throw new Error(`--${flag} must be [MODEL.]KEY=VALUE, got '${text}'`);
  return { setting: VALUE_FLAGS[flag], target: text.slice(0, equals), value: parseValue(text.slice(equals + 1)) };
}

/** `--allow-context userName`. */
export function parseListFlag(flag: keyof typeof LIST_FLAGS, text: string): SettingFlag {
  if (text === "" || text.includes("=")) throw new Error(`--${flag} must be [MODEL.]KEY, got '${text}'`);
  return { setting: LIST_FLAGS[flag], target: text };
}

/** The model a flag's target starts with (the longest id that does, for ids with dots), and its key. */
function resolveTarget(target: string, ids: readonly string[]): { model?: string; key: string } {
  const model = ids.filter((id) => target.startsWith(`${id}.`) && target.length > id.length + 1).sort((a, b) => b.length - a.length)[0];
  return model === undefined ? { key: target } : { model, key: target.slice(model.length + 1) };
}

/** The specs with the flags' settings over the config's. */
export function applySettingFlags(specs: GraphSpec[], flags: readonly SettingFlag[]): GraphSpec[] {
  const ids = specs.map((spec) => spec.id);
  return specs.map((spec) => {
    const settings = { ...spec.settings };
    for (const flag of flags) {
      const { model, key } = resolveTarget(flag.target, ids);
      if (model !== undefined && model !== spec.id) continue;
      if ((flag.setting === "configurable" || flag.setting === "allow_configurable") && isServerConfigurableKey(key)) {
        throw new ConfigError(`--${flag.setting.replace("_", "-")} ${flag.target}: the server sets '${key}' for every run`);
      }
      if ("value" in flag) settings[flag.setting] = { ...settings[flag.setting], [key]: flag.value };
      else settings[flag.setting] = [...(settings[flag.setting] ?? []), key];
    }
    return { ...spec, settings };
  });
}
