import type { ParamField } from '../../../../protocol/index.ts';

/** The text each field starts with: the bot's own value when given, else the codec's default. */
export function initialInputs(fields: readonly ParamField[], own?: Readonly<Record<string, unknown>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of fields) out[f.name] = toText(f, own && f.name in own ? own[f.name] : f.default);
  return out;
}

function toText(field: ParamField, value: unknown): string {
  if (value === undefined) return '';
  if (field.kind === 'json') return JSON.stringify(value);
  return String(value);
}

export type ParamValues = { readonly ok: true; readonly values: Record<string, unknown> } | { readonly ok: false; readonly field: string; readonly error: string };

/**
 * The typed values to send (`run_backtest.params`). Only what cannot even be written down is
 * caught here (an empty number, JSON that does not parse); whether a value is allowed is the
 * plugin codec's call, on the server.
 */
export function paramValues(fields: readonly ParamField[], inputs: Readonly<Record<string, string>>): ParamValues {
  const values: Record<string, unknown> = {};
  for (const f of fields) {
    const text = (inputs[f.name] ?? '').trim();
    if (f.kind === 'number') {
      if (text === '' || !Number.isFinite(Number(text))) return { ok: false, field: f.name, error: `${f.name}: enter a number (${f.type})` };
      values[f.name] = Number(text);
    } else if (f.kind === 'boolean') {
      values[f.name] = text === 'true';
    } else if (f.kind === 'json') {
      try {
        values[f.name] = JSON.parse(text);
      } catch {
        return { ok: false, field: f.name, error: `${f.name}: not valid JSON (${f.type})` };
      }
    } else {
      values[f.name] = inputs[f.name] ?? '';
    }
  }
  return { ok: true, values };
}
